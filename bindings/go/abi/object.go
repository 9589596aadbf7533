package abi

/*
#include <stdlib.h>
#include "object.h"
*/
import "C"

import (
	"reflect"
	"runtime/cgo"
	"sync"
	"unsafe"
)

// Interface describes an interface whose Go glue facet-idl made: the
// generated package registers each of its interfaces when it starts, and
// from then on a Go value that implements the Go interface type can be
// handed to C as an object with that interface.
type Interface struct {
	IID  GUID
	Name string       // "IGreeter"
	Type reflect.Type // the Go interface type: reflect.TypeOf((*IGreeter)(nil)).Elem()
	Desc unsafe.Pointer // the generated *C.FacetGoItfDesc: vtable and IIDs
}

var (
	itfMu   sync.RWMutex
	itfs    []*Interface
	itfByID = map[GUID]*Interface{}
	kinds   sync.Map // reflect.Type -> *kind
)

// RegisterInterface makes an interface known; for code made by facet-idl.
// Registering one IID twice keeps the first.
func RegisterInterface(i Interface) {
	itfMu.Lock()
	defer itfMu.Unlock()
	if _, ok := itfByID[i.IID]; ok {
		return
	}
	c := i
	itfs = append(itfs, &c)
	itfByID[i.IID] = &c
}

// Implemented lists the registered interfaces a Go type implements, in
// the order they were registered.
func Implemented(t reflect.Type) []*Interface {
	itfMu.RLock()
	defer itfMu.RUnlock()
	var out []*Interface
	for _, i := range itfs {
		if t.Implements(i.Type) {
			out = append(out, i)
		}
	}
	return out
}

// What every Go value of one type is, to C: its interfaces, as a C array
// of the descriptions generated for them.
type kind struct {
	descs **C.FacetGoItfDesc
	n     C.uint32_t
	iids  []GUID
	ident bool // a pointer: one C object per Go value, for COM identity
}

func kindOf(t reflect.Type) *kind {
	if k, ok := kinds.Load(t); ok {
		return k.(*kind)
	}
	list := Implemented(t)
	k := &kind{n: C.uint32_t(len(list)), ident: t.Kind() == reflect.Pointer}
	if len(list) > 0 {
		size := C.size_t(len(list)) * C.size_t(unsafe.Sizeof(uintptr(0)))
		k.descs = (**C.FacetGoItfDesc)(C.malloc(size)) // kept: one per type, for good
		if k.descs == nil {
			return nil
		}
		descs := unsafe.Slice(k.descs, len(list))
		for j, i := range list {
			descs[j] = (*C.FacetGoItfDesc)(i.Desc)
			k.iids = append(k.iids, i.IID)
		}
	}
	actual, _ := kinds.LoadOrStore(t, k)
	return actual.(*kind)
}

// The C object of each Go pointer handed to C and still alive there, so
// that one Go value is one object, whatever interface C asks for.
var (
	liveMu sync.Mutex
	live   = map[any]*C.FacetGoObject{}
)

// holder is what Ref and every wrapper made by facet-idl (which embeds a
// Ref) are: a reference to an object of C.
type holder interface{ abiRef() Ref }

func (x Ref) abiRef() Ref { return x }

// Export hands v to C as a Facet object and returns its interface pointer
// for iid, with a reference the caller owns (ReleasePointer). v is a Go
// value implementing the Go interface of iid (or any registered interface,
// for IID_IFacetUnknown); a wrapper of a C object (a Ref) gives that
// object's interface. A Go pointer handed out twice while C holds it is the
// same object both times. nil gives nil. The error is ErrNoInterface when v
// does not implement iid's interface, ErrOutOfMemory when C memory runs out.
func Export(v any, iid GUID) (unsafe.Pointer, error) {
	if v == nil {
		return nil, nil
	}
	if h, ok := v.(holder); ok {
		x := h.abiRef()
		p, err := x.Enter()
		if err != nil {
			return nil, err
		}
		defer x.Leave()
		return QueryPointer(p, iid)
	}
	t := reflect.TypeOf(v)
	k := kindOf(t)
	if k == nil {
		return nil, NewError(ErrOutOfMemory, "out of memory handing a %s to C", t)
	}
	if !k.answers(iid) {
		return nil, NewError(ErrNoInterface, "%s does not implement %s, the interface asked "+
			"for (or facet-idl's Go package of that interface is not imported)", t, iid)
	}
	c := iid.c()
	if k.ident {
		liveMu.Lock()
		defer liveMu.Unlock()
		if o, ok := live[v]; ok && C.facetgo_object_tryref(o) != 0 {
			return C.facetgo_object_itf(o, &c), nil
		}
	}
	h := cgo.NewHandle(v)
	o := C.facetgo_object_new(C.uintptr_t(h), k.descs, k.n)
	if o == nil {
		h.Delete()
		return nil, NewError(ErrOutOfMemory, "out of memory handing a %s to C", t)
	}
	if k.ident {
		live[v] = o
	}
	return C.facetgo_object_itf(o, &c), nil
}

func (k *kind) answers(iid GUID) bool {
	if iid == IID_IFacetUnknown {
		return k.n > 0
	}
	for _, i := range k.iids {
		if i == iid {
			return true
		}
	}
	return false
}

//export facetgoObjectFree
func facetgoObjectFree(h C.uintptr_t, o *C.FacetGoObject) {
	handle := cgo.Handle(h)
	v := handle.Value()
	handle.Delete()
	dropKept(uintptr(h))
	if reflect.TypeOf(v).Kind() == reflect.Pointer {
		liveMu.Lock()
		if live[v] == o {
			delete(live, v)
		}
		liveMu.Unlock()
	}
}

// Value is the Go value of a handle a generated trampoline was given.
func Value(h uintptr) any {
	return cgo.Handle(h).Value()
}

// Local is the Go value behind an interface pointer when it is a Go object
// of this process, and nil when it is an object of C (or nil).
func Local(p unsafe.Pointer) any {
	o := C.facetgo_object_of(p)
	if o == nil {
		return nil
	}
	return cgo.Handle(o.handle).Value()
}

// ObjectsAlive is how many Go objects, strings and blobs C holds now.
func ObjectsAlive() uint32 {
	return uint32(C.facetgo_objects_alive())
}
