// Package facet is the Go host binding of Facet, a COM-style component
// model for C: a Go program loads plugins (shared libraries written in C,
// C++, Rust or another language that speaks Facet's C ABI), creates their
// objects and calls them, in-process, through cgo.
//
//	rt, err := facet.NewRuntime()
//	if err != nil { ... }
//	defer rt.Close()
//	if _, err := rt.Load("./greeter.so"); err != nil { ... }
//	var g greeter.IGreeterPtr // made by facet-idl --lang go from greeter.idl
//	if err := rt.CreateByName(&g, "org.example.greeter"); err != nil { ... }
//	defer g.Release()
//	text, err := g.Greet("Go")
//
// Errors are *abi.Error values carrying the FacetResult and the message
// libfacet left (facet_last_error): errors.Is(err, abi.ErrClassNotReg)
// tests the code. References are abi.Ref values: each owns one reference,
// Release gives it back, and a finalizer reports (and releases) one that
// was never released.
//
// A Go host loads no Go module in-process: a process has one Go runtime
// (docs/go.md). libfacet is linked with -lfacet: set CGO_LDFLAGS to
// -L<build>/core for a build that is not installed.
package facet

/*
#cgo CFLAGS: -I${SRCDIR}/../../include
#cgo LDFLAGS: -lfacet
#include "calls.h"
*/
import "C"

import (
	"runtime/cgo"
	"sync"
	"unsafe"

	"facet.dev/facet/abi"
)

// Aliases of the types a host meets most, from facet.dev/facet/abi.
type (
	GUID    = abi.GUID
	Result  = abi.Result
	Error   = abi.Error
	Wrapper = abi.Wrapper
	Unknown = abi.Unknown
)

// LogNone, as a log level, keeps no line at all.
const LogNone uint32 = abi.LogError + 1

// An Option sets up a runtime (NewRuntime).
type Option func(*options)

type options struct {
	apiLevel uint32
	logLevel uint32
	log      func(level uint32, module, message string)
}

// WithAPILevel offers modules this host API level (default: this
// libfacet's).
func WithAPILevel(level uint32) Option { return func(o *options) { o.apiLevel = level } }

// WithLogLevel keeps log lines at level and above (abi.LogTrace to
// abi.LogError, or LogNone); the default is abi.LogInfo.
func WithLogLevel(level uint32) Option { return func(o *options) { o.logLevel = level } }

// WithLog receives every log line of every module, tagged with the
// module's name, instead of stderr. It is called from whatever thread
// logged, so it must be safe for concurrent use; it is never called after
// Close returns.
func WithLog(f func(level uint32, module, message string)) Option {
	return func(o *options) { o.log = f }
}

// Runtime is a libfacet runtime: the modules it loaded and the classes they
// offer. Its methods are safe for concurrent use; Close must be the last.
type Runtime struct {
	mu  sync.RWMutex
	rt  *C.FacetRuntime
	log cgo.Handle
}

// fail turns a C call's result into an error: nil for FACET_OK, an *Error
// with the code and libfacet's message otherwise (FACET_FALSE included;
// the caller decides what a success code means).
func fail(x C.facetgo_res) error {
	if x.msg != nil {
		defer C.free(unsafe.Pointer(x.msg))
	}
	if x.r == C.FACET_OK {
		return nil
	}
	e := &Error{Code: Result(x.r)}
	if x.msg != nil {
		e.Message = C.GoString(x.msg)
	}
	if e.Message == "" {
		e.Message = e.Code.Description()
	}
	return e
}

// failed is fail for calls whose success codes all mean success.
func failed(x C.facetgo_res) error {
	err := fail(x)
	if err != nil && Result(x.r).Succeeded() {
		return nil
	}
	return err
}

// resultName and resultDescription are libfacet's own, which abi's table
// repeats (the tests hold them equal).
func resultName(r Result) string { return C.GoString(C.facet_result_name(C.FacetResult(r))) }

func resultDescription(r Result) string {
	return C.GoString(C.facet_result_description(C.FacetResult(r)))
}

// NewRuntime creates a runtime.
func NewRuntime(opts ...Option) (*Runtime, error) {
	o := options{logLevel: abi.LogInfo}
	for _, opt := range opts {
		opt(&o)
	}
	r := &Runtime{}
	var payload C.uintptr_t
	if o.log != nil {
		r.log = cgo.NewHandle(o.log)
		payload = C.uintptr_t(r.log)
	}
	if err := failed(C.facetgo_runtime_new(&r.rt, C.uint32_t(o.apiLevel), C.uint32_t(o.logLevel),
		payload)); err != nil {
		if r.log != 0 {
			r.log.Delete()
		}
		return nil, err
	}
	var a unsafe.Pointer
	if err := failed(C.facetgo_runtime_allocator(&a, r.rt)); err == nil {
		// Memory a module hands over is freed with it.
		abi.SetAllocator(a)
		abi.ReleasePointer(a)
	}
	return r, nil
}

// enter holds off Close while a call uses the runtime.
func (r *Runtime) enter() (*C.FacetRuntime, error) {
	r.mu.RLock()
	if r.rt == nil {
		r.mu.RUnlock()
		return nil, abi.NewError(abi.ErrState, "the runtime was closed (Runtime.Close)")
	}
	return r.rt, nil
}

func (r *Runtime) leave() { r.mu.RUnlock() }

// Close unloads every module it can and lets go of the runtime. A module
// whose objects are still alive stays loaded (its code never goes from
// under a live object): the error then has the code abi.False and names
// the modules. Calls after Close fail with abi.ErrState; a second Close
// does nothing.
func (r *Runtime) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.rt == nil {
		return nil
	}
	err := fail(C.facetgo_runtime_free(r.rt))
	r.rt = nil
	if r.log != 0 {
		r.log.Delete() // never called again
		r.log = 0
	}
	return err
}

// Collect unloads every module the host let go of whose objects are all
// gone, as CoFreeUnusedLibraries does. The error has the code abi.False
// when some are still waiting (or are Go modules, which stay mapped).
func (r *Runtime) Collect() error {
	rt, err := r.enter()
	if err != nil {
		return err
	}
	defer r.leave()
	return fail(C.facetgo_runtime_collect(rt))
}

// Stats is what facet_runtime_stats counts.
type Stats struct {
	ModulesLoaded    uint32 // modules whose code is mapped, waiting ones too
	ModulesWaiting   uint32 // let go of, kept alive by live objects
	Classes          uint32 // classes that can be created now
	AllocationsLive  uint64 // blocks the runtime allocator has out, all users
	AllocationsTotal uint64 // blocks it has handed out since the process began
}

// Stats counts the runtime's modules, classes and memory.
func (r *Runtime) Stats() (Stats, error) {
	rt, err := r.enter()
	if err != nil {
		return Stats{}, err
	}
	defer r.leave()
	var s C.FacetRuntimeStats
	if err := failed(C.facetgo_runtime_stats(&s, rt)); err != nil {
		return Stats{}, err
	}
	return Stats{uint32(s.modules_loaded), uint32(s.modules_waiting), uint32(s.classes),
		uint64(s.allocations_live), uint64(s.allocations_total)}, nil
}

// Create creates an object of class clsid and fills out (a wrapper made by
// facet-idl, or *abi.Unknown) with its interface, a reference out owns.
// abi.ErrClassNotReg when no loaded module offers the class.
func (r *Runtime) Create(out Wrapper, clsid GUID) error {
	rt, err := r.enter()
	if err != nil {
		return err
	}
	defer r.leave()
	var p unsafe.Pointer
	if err := failed(C.facetgo_create(&p, rt, (*C.FacetGuid)(clsid.C()),
		(*C.FacetGuid)(out.InterfaceID().C()))); err != nil {
		return err
	}
	out.Attach(p)
	return nil
}

// CreateByName is Create by contract name ("org.example.greeter"), alias
// (facet.conf.json) or a clsid's text.
func (r *Runtime) CreateByName(out Wrapper, name string) error {
	rt, err := r.enter()
	if err != nil {
		return err
	}
	defer r.leave()
	var p unsafe.Pointer
	if err := failed(C.facetgo_create_by_name(&p, rt, (*C.char)(abi.CStr(name)),
		(*C.FacetGuid)(out.InterfaceID().C()))); err != nil {
		return err
	}
	out.Attach(p)
	return nil
}

// Lookup finds the class a name, an alias or a clsid's text resolves to,
// without creating it.
func (r *Runtime) Lookup(name string) (GUID, error) {
	rt, err := r.enter()
	if err != nil {
		return GUID{}, err
	}
	defer r.leave()
	var g C.FacetGuid
	if err := failed(C.facetgo_lookup(&g, rt, (*C.char)(abi.CStr(name)))); err != nil {
		return GUID{}, err
	}
	return abi.GUIDFrom(unsafe.Pointer(&g)), nil
}

// Start initialises and starts every available scanned module in
// dependency order (IFacetLifecycle), as facet_runtime_start does.
func (r *Runtime) Start() error {
	rt, err := r.enter()
	if err != nil {
		return err
	}
	defer r.leave()
	return failed(C.facetgo_start(rt))
}

// Stop stops and shuts down the started modules in reverse order.
func (r *Runtime) Stop() error {
	rt, err := r.enter()
	if err != nil {
		return err
	}
	defer r.leave()
	return failed(C.facetgo_stop(rt))
}

// RegisterService offers service to every module, which asks its host
// object for sid. service is a Go value implementing the interfaces of a
// package made by facet-idl, or a reference to an object of C. With a
// permission name, only a module whose manifest requests it and whose
// configuration grants it gets the service.
func (r *Runtime) RegisterService(sid GUID, service any, permission string) error {
	p, err := abi.Export(service, abi.IID_IFacetUnknown)
	if err != nil {
		return err
	}
	defer abi.ReleasePointer(p)
	rt, err := r.enter()
	if err != nil {
		return err
	}
	defer r.leave()
	var perm *C.char
	if permission != "" {
		perm = (*C.char)(abi.CStr(permission))
	}
	return failed(C.facetgo_service_register(rt, (*C.FacetGuid)(sid.C()), p, perm))
}

// UnregisterService withdraws a service; modules that hold it keep it.
func (r *Runtime) UnregisterService(sid GUID) error {
	rt, err := r.enter()
	if err != nil {
		return err
	}
	defer r.leave()
	return failed(C.facetgo_service_unregister(rt, (*C.FacetGuid)(sid.C())))
}
