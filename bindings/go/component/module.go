// Package component makes a Go program a Facet module: a shared library
// built with `go build -buildmode=c-shared` that exports
// facet_module_entry, whose classes are Go types.
//
// A class is a Go type; its interfaces are the interfaces of the packages
// facet-idl --lang go made that the type implements (and the runtime's
// IFacetRunnable). The module's main package describes itself once, in an
// init function:
//
//	func init() {
//		component.Define(component.Module{
//			Name:    "org.example.gogreeter",
//			Version: "1.0.0",
//			Classes: []component.Class{
//				component.NewClass(component.ClassInfo{
//					CLSID:    abi.MustGUID("{...}"),
//					Contract: "org.example.gogreeter",
//				}, func() (*Greeter, error) { return &Greeter{}, nil }),
//			},
//		})
//	}
//
//	func main() {} // required by -buildmode=c-shared, never called
//
// One Go runtime serves a process: a process may load one Go module
// in-process, and a Go host none (see docs/go.md).
package component

/*
#cgo CFLAGS: -I${SRCDIR}/../../../include
#include <stdlib.h>
#include "module.h"
*/
import "C"

import (
	"fmt"
	"reflect"
	"runtime"
	"sync"
	"unsafe"

	"facet.dev/facet/abi"
)

// The threading models of a class (FacetClassInfo.threading).
const (
	ThreadingAny    uint32 = 0 // any thread, concurrently: its methods must be safe for that
	ThreadingSingle uint32 = 1 // one thread at a time; the host serialises calls
	ThreadingMain   uint32 = 2 // only the host's main thread
)

// Module describes the module: what GetModuleInfo and DescribeClass say.
type Module struct {
	Name     string // "org.example.gogreeter"
	Version  string // SemVer, "1.0.0"
	APILevel uint32 // the host API level it needs; 0 means 1
	Classes  []Class
	// Lifecycle, when set, is the module's IFacetLifecycle: the runtime
	// calls Init, Start, Stop and Shutdown in dependency order.
	Lifecycle abi.IFacetLifecycle
}

// ClassInfo is what a class says about itself.
type ClassInfo struct {
	CLSID     abi.GUID
	Contract  string // "org.example.gogreeter"
	Version   string // "" means the module's
	Threading uint32 // ThreadingAny, ThreadingSingle or ThreadingMain
}

// Class is a class of the module: NewClass makes one.
type Class struct {
	info ClassInfo
	typ  reflect.Type
	make func() (any, error)
}

// NewClass is the class whose objects newObject makes. The class's
// interfaces are those *T implements.
func NewClass[T any](info ClassInfo, newObject func() (*T, error)) Class {
	return Class{
		info: info,
		typ:  reflect.TypeOf((*T)(nil)),
		make: func() (any, error) {
			v, err := newObject()
			if err != nil {
				return nil, err
			}
			if v == nil {
				return nil, abi.NewError(abi.ErrUnexpected, "the constructor of %s returned nil",
					info.Contract)
			}
			return v, nil
		},
	}
}

var (
	defineMu sync.Mutex
	defined  *Module
	classes  []Class
	ready    sync.Once
	readyErr abi.Result
)

// Define describes the module. Call it once, from an init function of the
// main package; a second call panics, as does a class without a contract
// or interfaces, or two classes with one clsid.
func Define(m Module) {
	defineMu.Lock()
	defer defineMu.Unlock()
	if defined != nil {
		panic("component.Define called twice")
	}
	if m.Name == "" || m.Version == "" {
		panic("component.Define: a module needs a Name and a Version")
	}
	seen := map[abi.GUID]bool{}
	for _, c := range m.Classes {
		if c.make == nil {
			panic("component.Define: make each class with component.NewClass")
		}
		if seen[c.info.CLSID] {
			panic(fmt.Sprintf("component.Define: two classes with clsid %s", c.info.CLSID))
		}
		seen[c.info.CLSID] = true
	}
	copied := m
	defined = &copied
	classes = append([]Class(nil), m.Classes...)
}

// fill writes the module's tables for the factory, once, at the first
// facet_module_entry (every package's init has run by then, so each
// interface a class implements is registered).
func fill() abi.Result {
	ready.Do(func() {
		defineMu.Lock()
		defer defineMu.Unlock()
		if defined == nil {
			logf(abi.LogError, "this Go module never called component.Define")
			readyErr = abi.ErrUnexpected
			return
		}
		m := &C.facetgo_module
		m.info.struct_size = C.uint32_t(unsafe.Sizeof(m.info))
		m.info.abi_version = C.FACET_ABI_VERSION
		m.info.name = keep(defined.Name)
		m.info.version = keep(defined.Version)
		m.info.api_level = C.uint32_t(defined.APILevel)
		if m.info.api_level == 0 {
			m.info.api_level = 1
		}
		m.info.compiler = keep(runtime.Version() + " (" + runtime.Compiler + ")")
		if defined.Lifecycle != nil {
			m.lifecycle = 1
		}
		n := len(classes)
		if n == 0 {
			return
		}
		cs := (*C.FacetClassInfo)(C.calloc(C.size_t(n), C.size_t(unsafe.Sizeof(C.FacetClassInfo{}))))
		if cs == nil {
			readyErr = abi.ErrOutOfMemory
			return
		}
		infos := unsafe.Slice(cs, n)
		for i, cl := range classes {
			ci := &infos[i]
			ci.struct_size = C.uint32_t(unsafe.Sizeof(*ci))
			ci.clsid = *(*C.FacetGuid)(cl.info.CLSID.C())
			ci.contract = keep(cl.info.Contract)
			version := cl.info.Version
			if version == "" {
				version = defined.Version
			}
			ci.version = keep(version)
			ci.threading = C.uint32_t(cl.info.Threading)
			itfs := abi.Implemented(cl.typ)
			if len(itfs) == 0 {
				logf(abi.LogError, "class %s (%s): %s implements no interface this module knows "+
					"(import the Go package facet-idl made for its interfaces)",
					cl.info.Contract, cl.info.CLSID, cl.typ)
			}
			ci.interface_count = C.uint32_t(len(itfs))
			if len(itfs) > 0 {
				iids := (*C.FacetGuid)(C.calloc(C.size_t(len(itfs)), C.size_t(unsafe.Sizeof(C.FacetGuid{}))))
				if iids == nil {
					readyErr = abi.ErrOutOfMemory
					return
				}
				for k, itf := range itfs {
					unsafe.Slice(iids, len(itfs))[k] = *(*C.FacetGuid)(itf.IID.C())
				}
				ci.interfaces = iids
			}
		}
		m.classes = cs
		m.class_count = C.uint32_t(n)
	})
	return readyErr
}

// keep copies s into C memory that stays for as long as the module's code.
func keep(s string) *C.char {
	return C.facetgo_strdup((*C.char)(abi.StringData(s)), C.size_t(len(s)))
}
