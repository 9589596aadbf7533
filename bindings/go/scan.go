package facet

/*
#include "calls.h"
*/
import "C"

import (
	"unsafe"

	"facet.dev/facet/abi"
)

// ScanState is the state of a scanned module in its runtime.
type ScanState uint32

// The states of facet.h's FACET_SCAN_*.
const (
	ScanAvailable ScanState = C.FACET_SCAN_AVAILABLE // its classes can be created; code loads on first use
	ScanShadowed  ScanState = C.FACET_SCAN_SHADOWED  // another version of the module was chosen
	ScanDisabled  ScanState = C.FACET_SCAN_DISABLED  // turned off by the host configuration
	ScanBroken    ScanState = C.FACET_SCAN_BROKEN    // cannot be used; a problem says why
)

// ScanModule is a module a scan listed.
type ScanModule struct {
	Manifest string // path of its manifest
	Name     string
	Version  string
	State    ScanState
}

// ScanProblem is a problem a scan met: a bad manifest, a missing
// requirement, a conflict.
type ScanProblem struct {
	Code    Result
	Path    string // the file concerned
	Message string // "file:line:column: $.path: ..." where it applies
}

// ScanReport is what one scan found.
type ScanReport struct {
	Modules  []ScanModule
	Problems []ScanProblem
}

func readReport(r *C.FacetScanReport) *ScanReport {
	out := &ScanReport{}
	if r == nil {
		return out
	}
	defer C.facet_scan_report_free(r)
	for i := C.uint32_t(0); i < C.facet_scan_report_module_count(r); i++ {
		var m C.FacetScanModule
		if C.facetgo_report_module(&m, r, i) == C.FACET_OK {
			out.Modules = append(out.Modules, ScanModule{C.GoString(m.manifest), C.GoString(m.name),
				C.GoString(m.version), ScanState(m.state)})
		}
	}
	for i := C.uint32_t(0); i < C.facet_scan_report_problem_count(r); i++ {
		var p C.FacetScanProblem
		if C.facetgo_report_problem(&p, r, i) == C.FACET_OK {
			out.Problems = append(out.Problems, ScanProblem{Result(p.code), C.GoString(p.path),
				C.GoString(p.message)})
		}
	}
	return out
}

// Scan reads every *.facet.json in folder without loading any code and
// registers the classes of each usable module; creating one loads its
// library. A bad manifest never stops the scan: it is one of the report's
// Problems, and the error is nil. The error is for a folder that cannot be
// read.
func (r *Runtime) Scan(folder string) (*ScanReport, error) {
	rt, err := r.enter()
	if err != nil {
		return nil, err
	}
	defer r.leave()
	var rep *C.FacetScanReport
	x := C.facetgo_scan(&rep, rt, (*C.char)(abi.CStr(folder)))
	report := readReport(rep)
	if err := failed(x); err != nil {
		return report, err
	}
	return report, nil
}

// LoadConfig reads facet.conf.json into the runtime (plugin folders,
// enable and disable lists, aliases, permissions, settings) and scans each
// plugin folder. Once per runtime.
func (r *Runtime) LoadConfig(path string) (*ScanReport, error) {
	rt, err := r.enter()
	if err != nil {
		return nil, err
	}
	defer r.leave()
	var rep *C.FacetScanReport
	x := C.facetgo_load_config(&rep, rt, (*C.char)(abi.CStr(path)))
	report := readReport(rep)
	if err := failed(x); err != nil {
		return report, err
	}
	return report, nil
}

// ClassMatch is a class whose manifest declares an interface.
type ClassMatch struct {
	Contract string // "" if the class has none
	CLSID    GUID
	Module   string // the module's name
	Version  string // the module's version
	Manifest string // path of the manifest that declares the class
}

// ClassesImplementing lists the classes whose manifests declare iid in
// their "interfaces", over the modules the runtime has scanned, without
// loading any code: of each module the version chosen, when it is usable.
// An interface that no class declares is an empty list and a nil error.
func (r *Runtime) ClassesImplementing(iid GUID) ([]ClassMatch, error) {
	rt, err := r.enter()
	if err != nil {
		return nil, err
	}
	defer r.leave()
	var list *C.FacetClassList
	if err := failed(C.facetgo_classes_implementing(&list, rt, (*C.FacetGuid)(iid.C()))); err != nil {
		return nil, err
	}
	defer C.facet_class_list_free(list)
	out := []ClassMatch{}
	for i := C.uint32_t(0); i < C.facet_class_list_count(list); i++ {
		var m C.FacetClassMatch
		if C.facetgo_class_list_item(&m, list, i) == C.FACET_OK {
			out = append(out, ClassMatch{C.GoString(m.contract), abi.GUIDFrom(unsafe.Pointer(&m.clsid)),
				C.GoString(m.module), C.GoString(m.version), C.GoString(m.manifest)})
		}
	}
	return out, nil
}

// The isolations of a manifest.
const (
	IsolationInProcess uint32 = C.FACET_ISOLATION_IN_PROCESS
	IsolationProcess   uint32 = C.FACET_ISOLATION_PROCESS
)

// The runtimes a module's code needs (Manifest.Runtime).
const (
	RuntimeNative uint32 = C.FACET_RUNTIME_NATIVE
	RuntimeGo     uint32 = C.FACET_RUNTIME_GO
)

// Manifest is a <module>.facet.json as libfacet reads it, without loading
// the module's code.
type Manifest struct {
	Path      string
	Name      string
	Version   string
	APILevel  uint32
	Library   string // this platform's library, relative to the manifest
	Isolation uint32 // IsolationInProcess or IsolationProcess
	Runtime   uint32 // RuntimeNative or RuntimeGo
	Classes   []ManifestClass
}

// ManifestClass is a class a manifest declares.
type ManifestClass struct {
	CLSID      GUID
	Contract   string
	Version    string
	Threading  uint32
	Interfaces []GUID
}

// LoadManifest reads and checks a manifest; every problem is an *Error
// (abi.ErrBadManifest, ...) whose message says "file:line:column: $.path:
// what is wrong".
func LoadManifest(path string) (*Manifest, error) {
	var m *C.FacetManifest
	if err := failed(C.facetgo_manifest_load(&m, (*C.char)(abi.CStr(path)))); err != nil {
		return nil, err
	}
	defer C.facet_manifest_free(m)
	var i C.FacetManifestInfo
	if r := Result(C.facetgo_manifest_info(&i, m)); r.Failed() {
		return nil, abi.NewError(r, "%s: facet_manifest_info failed", path)
	}
	out := &Manifest{Path: C.GoString(i.path), Name: C.GoString(i.name),
		Version: C.GoString(i.version), APILevel: uint32(i.api_level),
		Library: C.GoString(i.library), Isolation: uint32(i.isolation),
		Runtime: uint32(i.runtime)}
	for k := C.uint32_t(0); k < i.class_count; k++ {
		var c C.FacetClassInfo
		if r := Result(C.facetgo_manifest_class(&c, m, k)); r.Failed() {
			return nil, abi.NewError(r, "%s: facet_manifest_class(%d) failed", path, k)
		}
		mc := ManifestClass{CLSID: abi.GUIDFrom(unsafe.Pointer(&c.clsid)),
			Contract: C.GoString(c.contract), Version: C.GoString(c.version),
			Threading: uint32(c.threading)}
		if c.interface_count > 0 {
			for _, g := range unsafe.Slice(c.interfaces, c.interface_count) {
				g := g
				mc.Interfaces = append(mc.Interfaces, abi.GUIDFrom(unsafe.Pointer(&g)))
			}
		}
		out.Classes = append(out.Classes, mc)
	}
	return out, nil
}
