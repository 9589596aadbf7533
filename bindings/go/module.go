package facet

/*
#include "calls.h"
*/
import "C"

import (
	"unsafe"

	"facet.dev/facet/abi"
)

// Module is a module a runtime loaded by path (Runtime.Load). Each Load is
// matched by one Unload.
type Module struct {
	rt *Runtime
	m  *C.FacetModule
}

// ModuleInfo is what a module says of itself (GetModuleInfo).
type ModuleInfo struct {
	ABIVersion uint32
	Name       string // "org.example.greeter"
	Version    string // SemVer
	APILevel   uint32
	Compiler   string // "gcc 12.2.0", "go1.19.8 (gc)", "rustc"
}


// Load loads the module at path: checks that it is a library for this
// machine, calls its facet_module_entry and registers its classes. Loading
// a file again gives the same module with one more hold on it. A module
// written in Go is abi.ErrConflict here: this process's Go runtime is the
// host's, and a second one cannot start (docs/go.md).
func (r *Runtime) Load(path string) (*Module, error) {
	rt, err := r.enter()
	if err != nil {
		return nil, err
	}
	defer r.leave()
	var m *C.FacetModule
	if err := failed(C.facetgo_module_load(&m, rt, (*C.char)(abi.CStr(path)))); err != nil {
		return nil, err
	}
	return &Module{rt: r, m: m}, nil
}

// LoadProxyStubs loads a library of proxies and stubs (facet-idl's X_ps.c
// files behind FACET_PROXY_STUBS_ENTRY), which the modules that run in a
// process of their own need for their interfaces: a Go module in a Go
// host is one (docs/isolation.md, docs/go.md). Each process host loads
// the same file, and it stays loaded until the process ends.
func LoadProxyStubs(path string) error {
	return failed(C.facetgo_proxy_stubs_load((*C.char)(abi.CStr(path))))
}

// Unload lets go of one hold. At the last, the module's classes are
// unregistered, and its code is unloaded as soon as its objects are gone:
// now (nil), or at a later Runtime.Collect (an error with the code
// abi.False, which says why). A Go module is never unloaded: the error says
// that too.
func (m *Module) Unload() error {
	if _, err := m.rt.enter(); err != nil {
		return err
	}
	defer m.rt.leave()
	return fail(C.facetgo_module_unload(m.m))
}

// Info is what the module says of itself.
func (m *Module) Info() (ModuleInfo, error) {
	if _, err := m.rt.enter(); err != nil {
		return ModuleInfo{}, err
	}
	defer m.rt.leave()
	var i C.FacetModuleInfo
	if err := failed(C.facetgo_module_info(&i, m.m)); err != nil {
		return ModuleInfo{}, err
	}
	return ModuleInfo{uint32(i.abi_version), C.GoString(i.name), C.GoString(i.version),
		uint32(i.api_level), C.GoString(i.compiler)}, nil
}

// Path is the full path the module was loaded from; "" once unloaded.
func (m *Module) Path() string {
	if _, err := m.rt.enter(); err != nil {
		return ""
	}
	defer m.rt.leave()
	p := C.facetgo_module_path(m.m)
	if p == nil {
		return ""
	}
	defer C.free(unsafe.Pointer(p))
	return C.GoString(p)
}

// Factory fills out with the module's factory, asked for out's interface
// (abi.Unknown; or IFacetLifecycle, IFacetReloadable, ... of a package
// made by facet-idl). Release it before the module's last Unload.
func (m *Module) Factory(out Wrapper) error {
	if _, err := m.rt.enter(); err != nil {
		return err
	}
	defer m.rt.leave()
	var f unsafe.Pointer
	if err := failed(C.facetgo_module_factory(&f, m.m)); err != nil {
		return err
	}
	defer abi.ReleasePointer(f)
	q, err := abi.QueryPointer(f, out.InterfaceID())
	if err != nil {
		return err
	}
	out.Attach(q)
	return nil
}
