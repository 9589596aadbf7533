package abi

/*
#include <facet/abi.h>

static uint32_t facetgo_unknown_addref(void *p)
{
    return ((IFacetUnknown *)p)->lpVtbl->AddRef((IFacetUnknown *)p);
}

static uint32_t facetgo_unknown_release(void *p)
{
    return ((IFacetUnknown *)p)->lpVtbl->Release((IFacetUnknown *)p);
}

static FacetResult facetgo_unknown_qi(void *p, const FacetGuid *iid, void **out)
{
    return ((IFacetUnknown *)p)->lpVtbl->QueryInterface((IFacetUnknown *)p, iid, out);
}
*/
import "C"

import (
	"fmt"
	"log"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"
)

// Ref is one reference to an interface pointer of a Facet object, owned by
// Go. The rules a Go user cannot get wrong:
//
//   - A Ref owns exactly one reference, and Release gives it back, once. A
//     second Release is an error (ErrState), never a second C Release.
//   - A call through a released Ref fails with ErrState instead of calling
//     freed memory, also when Release races with calls on other goroutines:
//     the C reference goes only when the last call under way returns.
//   - Copies of a Ref share its one reference. Clone gives a new Ref with a
//     reference of its own (an AddRef), for a second owner.
//   - A Ref that becomes unreachable unreleased is a leak: a finalizer, only
//     a safety net, reports it (OnLeak; by default a log line naming the
//     interface and where the Ref was made) and releases the reference.
//
// The zero Ref holds nothing; calls through it fail with ErrPointer.
type Ref struct {
	r *ref
}

type ref struct {
	p        unsafe.Pointer // the interface pointer
	n        int64          // the owner's hold + calls under way; 0 once let go of
	released int32
	name     string     // the interface, for messages
	pcs      [6]uintptr // where the Ref was made
}

var refsAlive int64

// References is how many Refs hold a reference now (unreleased, not yet
// collected): a test's way to see that nothing leaked.
func References() int64 { return atomic.LoadInt64(&refsAlive) }

// Own makes a Ref of an interface pointer whose one reference the caller
// hands over; name names the interface in messages ("IGreeter"). A nil p
// gives the zero Ref.
func Own(p unsafe.Pointer, name string) Ref {
	if p == nil {
		return Ref{}
	}
	r := &ref{p: p, n: 1, name: name}
	runtime.Callers(2, r.pcs[:])
	atomic.AddInt64(&refsAlive, 1)
	runtime.SetFinalizer(r, (*ref).finalize)
	return Ref{r}
}

// Borrow makes a Ref of an interface pointer the caller holds for as long
// as the Ref is used: it takes a reference of its own (AddRef).
func Borrow(p unsafe.Pointer, name string) Ref {
	if p == nil {
		return Ref{}
	}
	C.facetgo_unknown_addref(p)
	return Own(p, name)
}

// Valid reports whether x holds a reference that has not been released.
func (x Ref) Valid() bool {
	return x.r != nil && atomic.LoadInt64(&x.r.n) > 0
}

// Name is the interface x was made for.
func (x Ref) Name() string {
	if x.r == nil {
		return "(none)"
	}
	return x.r.name
}

// Enter starts a call through x: the interface pointer, kept valid until
// the matching Leave. For code made by facet-idl.
func (x Ref) Enter() (unsafe.Pointer, error) {
	r := x.r
	if r == nil {
		return nil, NewError(ErrPointer, "a call through an empty reference (a zero value, or "+
			"one a failed call left)")
	}
	for {
		n := atomic.LoadInt64(&r.n)
		if n <= 0 {
			return nil, NewError(ErrState, "a call through a reference to %s after its Release",
				r.name)
		}
		if atomic.CompareAndSwapInt64(&r.n, n, n+1) {
			return r.p, nil
		}
	}
}

// Leave ends a call that Enter started.
func (x Ref) Leave() {
	x.r.leave()
}

func (r *ref) leave() {
	if atomic.AddInt64(&r.n, -1) == 0 {
		C.facetgo_unknown_release(r.p)
		atomic.AddInt64(&refsAlive, -1)
	}
}

// Release gives the reference back. Calls under way on other goroutines
// finish first; the C Release happens when the last returns.
func (x Ref) Release() error {
	r := x.r
	if r == nil {
		return NewError(ErrPointer, "Release of an empty reference")
	}
	if !atomic.CompareAndSwapInt32(&r.released, 0, 1) {
		return NewError(ErrState, "a reference to %s released twice", r.name)
	}
	runtime.SetFinalizer(r, nil)
	r.leave()
	return nil
}

// Clone is a new Ref to the same interface pointer with a reference of its
// own, for a second owner.
func (x Ref) Clone() (Ref, error) {
	p, err := x.Enter()
	if err != nil {
		return Ref{}, err
	}
	defer x.Leave()
	C.facetgo_unknown_addref(p)
	return Own(p, x.r.name), nil
}

// Detach hands x's reference to the caller, as an interface pointer it
// must release: x is released without a C Release. For code made by
// facet-idl that passes a reference on.
func (x Ref) Detach() (unsafe.Pointer, error) {
	r := x.r
	if r == nil {
		return nil, NewError(ErrPointer, "Detach of an empty reference")
	}
	p, err := x.Enter()
	if err != nil {
		return nil, err
	}
	C.facetgo_unknown_addref(p)
	x.Leave()
	if err := x.Release(); err != nil {
		C.facetgo_unknown_release(p)
		return nil, err
	}
	return p, nil
}

// Pointer is the interface pointer, borrowed: valid only while x is held
// and not released (nil for the zero Ref).
func (x Ref) Pointer() unsafe.Pointer {
	if x.r == nil {
		return nil
	}
	return x.r.p
}

// QueryInterface asks the object for the interface out is made for, and
// attaches the answer to out (a reference of its own).
func (x Ref) QueryInterface(out Wrapper) error {
	p, err := x.Enter()
	if err != nil {
		return err
	}
	defer x.Leave()
	q, err := QueryPointer(p, out.InterfaceID())
	if err != nil {
		return err
	}
	out.Attach(q)
	return nil
}

// QueryPointer calls QueryInterface on the interface pointer p: the
// answer carries a reference the caller must release.
func QueryPointer(p unsafe.Pointer, iid GUID) (unsafe.Pointer, error) {
	c := iid.c()
	var out unsafe.Pointer
	if r := Result(C.facetgo_unknown_qi(p, &c, &out)); r.Failed() {
		return nil, NewError(r, "QueryInterface for %s", iid)
	}
	if out == nil {
		return nil, NewError(ErrContract, "QueryInterface for %s succeeded with a NULL pointer",
			iid)
	}
	return out, nil
}

// AddRefPointer and ReleasePointer call AddRef and Release on an interface
// pointer directly, for code made by facet-idl.
// nil is a no-op for both.
func AddRefPointer(p unsafe.Pointer) {
	if p != nil {
		C.facetgo_unknown_addref(p)
	}
}

// ReleasePointer: see AddRefPointer.
func ReleasePointer(p unsafe.Pointer) {
	if p != nil {
		C.facetgo_unknown_release(p)
	}
}

// Wrapper is what a typed reference made by facet-idl is: a Ref that knows
// its interface. Runtime.Create and Ref.QueryInterface fill one in.
type Wrapper interface {
	InterfaceID() GUID
	InterfaceName() string
	// Attach makes the wrapper own p's one reference.
	Attach(p unsafe.Pointer)
}

// Unknown is a reference to any object, by its IFacetUnknown.
type Unknown struct{ Ref }

func (*Unknown) InterfaceID() GUID       { return IID_IFacetUnknown }
func (*Unknown) InterfaceName() string   { return "IFacetUnknown" }
func (u *Unknown) Attach(p unsafe.Pointer) { u.Ref = Own(p, "IFacetUnknown") }

// Release gives back the reference of a value that holds one (any wrapper
// made by facet-idl, a Ref); for any other value, a Go object, it does
// nothing. The way to let go of what an interface-typed result holds.
func Release(v any) error {
	if r, ok := v.(interface{ Release() error }); ok {
		return r.Release()
	}
	return nil
}

// Leak describes a Ref that became unreachable without Release.
type Leak struct {
	Interface string // "IGreeter"
	Where     string // the function, file and line that made the Ref
}

var (
	leakMu      sync.Mutex
	leakHandler = func(l Leak) {
		log.Printf("facet: a reference to %s, made in %s, was never released; the garbage "+
			"collector released it (call Release when done with it)", l.Interface, l.Where)
	}
)

// OnLeak sets what is told of each leaked Ref (nil: nothing), and returns
// what was set before. The reference is released after it returns.
func OnLeak(f func(Leak)) func(Leak) {
	leakMu.Lock()
	defer leakMu.Unlock()
	old := leakHandler
	leakHandler = f
	return old
}

func (r *ref) finalize() {
	if atomic.LoadInt32(&r.released) != 0 {
		return
	}
	where := r.where()
	leakMu.Lock()
	h := leakHandler
	leakMu.Unlock()
	if h != nil {
		h(Leak{Interface: r.name, Where: where})
	}
	atomic.StoreInt32(&r.released, 1)
	r.leave()
}

// where names the first function that made r outside this binding, and
// its file and line.
func (r *ref) where() string {
	frames := runtime.CallersFrames(r.pcs[:])
	for {
		f, more := frames.Next()
		if f.Function != "" && !strings.HasPrefix(f.Function, "facet.dev/facet.") &&
			!strings.HasPrefix(f.Function, "facet.dev/facet/") &&
			!strings.HasSuffix(f.Function, ".Attach") {
			return fmt.Sprintf("%s (%s:%d)", f.Function, f.File, f.Line)
		}
		if !more {
			return "an unknown place"
		}
	}
}
