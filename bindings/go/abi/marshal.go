package abi

/*
#include <stdlib.h>
#include <string.h>
*/
import "C"

import (
	"sync"
	"unsafe"
)

// The functions here are what code made by facet-idl --lang go converts
// arguments and results with: X.go on the calling side, X_export.go on
// the side of a Go object C calls. The mapping they implement is in
// docs/go.md.

// CallError is the error of a failed call through a vtable.
func CallError(r Result, method string) error {
	return &Error{Code: r, Message: method + " failed"}
}

// Ptr is an opaque address as a C pointer argument (a void * parameter).
func Ptr(p uintptr) unsafe.Pointer {
	return *(*unsafe.Pointer)(unsafe.Pointer(&p))
}

// CStr is s as NUL-terminated text in Go memory, for the length of one C
// call that reads it.
func CStr(s string) unsafe.Pointer {
	b := make([]byte, len(s)+1)
	copy(b, s)
	return unsafe.Pointer(&b[0])
}

// GoString reads NUL-terminated text (nil gives "").
func GoString(p unsafe.Pointer) string {
	if p == nil {
		return ""
	}
	return C.GoString((*C.char)(p))
}

// SliceData is where a slice's elements are, nil for an empty one, for the
// length of one C call.
func SliceData[T any](s []T) unsafe.Pointer {
	if len(s) == 0 {
		return nil
	}
	return unsafe.Pointer(&s[0])
}

// Slice is n elements of C memory at p as a Go slice (no copy): valid for
// the call it was made for.
func Slice[T any](p unsafe.Pointer, n uint64) []T {
	if p == nil || n == 0 {
		return nil
	}
	return unsafe.Slice((*T)(p), n)
}

// CStrings copies texts into C memory as an array of C strings, and
// returns it with the function that frees it.
func CStrings(texts []string) (unsafe.Pointer, func()) {
	if len(texts) == 0 {
		return nil, func() {}
	}
	size := C.size_t(len(texts)) * C.size_t(unsafe.Sizeof(uintptr(0)))
	array := (**C.char)(C.malloc(size))
	if array == nil {
		panic("facet: out of C memory for an array of strings")
	}
	items := unsafe.Slice(array, len(texts))
	for i, s := range texts {
		items[i] = C.CString(s)
	}
	return unsafe.Pointer(array), func() {
		for _, p := range items {
			C.free(unsafe.Pointer(p))
		}
		C.free(unsafe.Pointer(array))
	}
}

// GoStrings reads n C strings of an array.
func GoStrings(p unsafe.Pointer, n uint64) []string {
	if p == nil || n == 0 {
		return nil
	}
	out := make([]string, n)
	for i, s := range unsafe.Slice((**C.char)(p), n) {
		out[i] = GoString(unsafe.Pointer(s))
	}
	return out
}

// ---- Results of a call through a vtable (the caller's side) -------------

// TakeString reads text the callee allocated (an [out, string] char **)
// and frees it.
func TakeString(p unsafe.Pointer) string {
	if p == nil {
		return ""
	}
	s := C.GoString((*C.char)(p))
	Free(p)
	return s
}

// TakeSlice copies n elements the callee allocated (an [out, size_is(n)]
// T **) and frees them.
func TakeSlice[T any](p unsafe.Pointer, n uint64) []T {
	if p == nil {
		return nil
	}
	out := make([]T, n)
	copy(out, unsafe.Slice((*T)(p), n))
	Free(p)
	return out
}

// TakeStringObject reads an IFacetString the callee handed over and
// releases it.
func TakeStringObject(p unsafe.Pointer) (string, error) {
	if p == nil {
		return "", nil
	}
	defer ReleasePointer(p)
	return StringOf(p)
}

// TakeBlobObject reads an IFacetBlob the callee handed over and releases
// it.
func TakeBlobObject(p unsafe.Pointer) ([]byte, error) {
	if p == nil {
		return nil, nil
	}
	defer ReleasePointer(p)
	return BlobOf(p)
}

// TakeUnknown makes a Go value of an object the callee handed over: the
// Go value itself for a Go object of this process, else an *Unknown that
// owns the reference.
func TakeUnknown(p unsafe.Pointer) any {
	if p == nil {
		return nil
	}
	if v := Local(p); v != nil {
		ReleasePointer(p)
		return v
	}
	u := &Unknown{}
	u.Attach(p)
	return u
}

// Borrowed is an object argument as a Go value, for the call (the caller
// keeps its reference): the Go value itself for a Go object, else an
// *Unknown with a reference of its own, released by done.
func Borrowed(p unsafe.Pointer) (v any, done func()) {
	if p == nil {
		return nil, func() {}
	}
	if v := Local(p); v != nil {
		return v, func() {}
	}
	u := &Unknown{Ref: Borrow(p, "IFacetUnknown")}
	return u, func() { u.Release() }
}

// ---- Results of a Go object's method (the callee's side) ----------------

// PutString writes text allocated with the allocator to an [out, string]
// char **: the caller frees it.
func PutString(out unsafe.Pointer, s string) error {
	p, err := AllocString(s)
	if err != nil {
		return err
	}
	*(**C.char)(out) = (*C.char)(unsafe.Pointer(p))
	return nil
}

// PutSlice writes n elements allocated with the allocator to an [out,
// size_is(n)] T **: v's first n (zeros past its end).
func PutSlice[T any](out unsafe.Pointer, v []T, n uint64) error {
	var zero T
	size := uint64(unsafe.Sizeof(zero))
	if n > 0 && size > ^uint64(0)/n {
		return NewError(ErrOutOfMemory, "%d elements of %d bytes", n, size)
	}
	bytes := n * size
	if bytes == 0 {
		bytes = 1
	}
	p, err := Alloc(bytes)
	if err != nil {
		return err
	}
	dst := unsafe.Slice((*T)(p), n)
	k := copy(dst, v)
	for i := uint64(k); i < n; i++ {
		dst[i] = zero
	}
	*(*unsafe.Pointer)(out) = p
	return nil
}

// PutStringObject writes a new IFacetString of s to an [out] IFacetString **.
func PutStringObject(out unsafe.Pointer, s string) error {
	p, err := NewString(s)
	if err != nil {
		return err
	}
	*(*unsafe.Pointer)(out) = p
	return nil
}

// PutBlobObject writes a new IFacetBlob of b to an [out] IFacetBlob **.
func PutBlobObject(out unsafe.Pointer, b []byte) error {
	p, err := NewBlob(b)
	if err != nil {
		return err
	}
	*(*unsafe.Pointer)(out) = p
	return nil
}

// PutObject writes v's interface iid to an [out] interface pointer, with a
// reference for the caller (nil writes NULL).
func PutObject(out unsafe.Pointer, v any, iid GUID) error {
	p, err := Export(v, iid)
	if err != nil {
		return err
	}
	*(*unsafe.Pointer)(out) = p
	return nil
}

// Text an object hands out borrowed ([out, string] const char **) stays
// until the object is gone.
var (
	keptMu sync.Mutex
	kept   = map[uintptr][]unsafe.Pointer{}
)

// PutKeptString writes s to an [out, string] const char **, as text that
// lives as long as the Go object of handle h.
func PutKeptString(out unsafe.Pointer, h uintptr, s string) error {
	p := C.CString(s)
	if p == nil {
		return NewError(ErrOutOfMemory, "out of memory for %d bytes of text", len(s))
	}
	keptMu.Lock()
	kept[h] = append(kept[h], unsafe.Pointer(p))
	keptMu.Unlock()
	*(**C.char)(out) = p
	return nil
}

// dropKept frees what PutKeptString kept for handle h.
func dropKept(h uintptr) {
	keptMu.Lock()
	list, ok := kept[h]
	delete(kept, h)
	keptMu.Unlock()
	if ok {
		for _, p := range list {
			C.free(p)
		}
	}
}
