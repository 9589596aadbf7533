package abi

/*
#include <stdlib.h>
#include <string.h>
#include "object.h"

static FacetResult facetgo_alloc(void *a, uint64_t n, void **out)
{
    return ((IFacetAllocator *)a)->lpVtbl->Alloc((IFacetAllocator *)a, n, out);
}

static FacetResult facetgo_free(void *a, void *p)
{
    return ((IFacetAllocator *)a)->lpVtbl->Free((IFacetAllocator *)a, p);
}

static FacetResult facetgo_string_text(void *s, const char **text, uint64_t *n)
{
    IFacetString *str = s;
    FacetResult r = str->lpVtbl->GetText(str, text);
    if (FACET_SUCCEEDED(r))
        r = str->lpVtbl->GetLength(str, n);
    return r;
}

static FacetResult facetgo_blob_bytes(void *b, const uint8_t **data, uint64_t *n)
{
    IFacetBlob *blob = b;
    FacetResult r = blob->lpVtbl->GetData(blob, data);
    if (FACET_SUCCEEDED(r))
        r = blob->lpVtbl->GetSize(blob, n);
    return r;
}
*/
import "C"

import (
	"log"
	"reflect"
	"runtime"
	"sync"
	"unsafe"
)

// ---- The allocator memory crosses the boundary in -------------------------

var (
	allocMu   sync.RWMutex
	allocator unsafe.Pointer // an IFacetAllocator, one reference held
)

// SetAllocator sets the IFacetAllocator that Alloc and Free use (the
// runtime's in a host, the host object's in a component), taking a
// reference of its own and letting go of the one set before.
func SetAllocator(p unsafe.Pointer) {
	if p != nil {
		AddRefPointer(p)
	}
	allocMu.Lock()
	old := allocator
	allocator = p
	allocMu.Unlock()
	if old != nil {
		ReleasePointer(old)
	}
}

// Alloc allocates n bytes with the allocator memory handed to the other
// side comes from: the receiver frees them with its own allocator.
func Alloc(n uint64) (unsafe.Pointer, error) {
	allocMu.RLock()
	defer allocMu.RUnlock()
	if allocator == nil {
		return nil, NewError(ErrUnexpected, "no allocator: the host object or runtime that "+
			"provides one is not there yet")
	}
	var p unsafe.Pointer
	if r := Result(C.facetgo_alloc(allocator, C.uint64_t(n), &p)); r.Failed() {
		return nil, NewError(r, "out of memory for %d bytes", n)
	}
	return p, nil
}

// Free frees memory that the other side allocated and handed over. nil is
// a no-op.
func Free(p unsafe.Pointer) {
	if p == nil {
		return
	}
	allocMu.RLock()
	defer allocMu.RUnlock()
	if allocator != nil {
		C.facetgo_free(allocator, p)
	}
}

// AllocString copies s, NUL-terminated, into memory from Alloc: for an
// [out, string] char ** the receiver frees.
func AllocString(s string) (*C.char, error) {
	p, err := Alloc(uint64(len(s)) + 1)
	if err != nil {
		return nil, err
	}
	b := unsafe.Slice((*byte)(p), len(s)+1)
	copy(b, s)
	b[len(s)] = 0
	return (*C.char)(p), nil
}

// AllocBytes copies b into memory from Alloc (one byte at least, so that
// an empty result is not NULL).
func AllocBytes(b []byte) (unsafe.Pointer, error) {
	n := uint64(len(b))
	if n == 0 {
		n = 1
	}
	p, err := Alloc(n)
	if err != nil {
		return nil, err
	}
	copy(unsafe.Slice((*byte)(p), len(b)), b)
	return p, nil
}

// ---- Strings and blobs ------------------------------------------------

// NewString is an IFacetString holding a copy of s, with one reference for
// the caller.
func NewString(s string) (unsafe.Pointer, error) {
	var p unsafe.Pointer
	if len(s) > 0 {
		p = StringData(s)
	}
	str := C.facetgo_string_new((*C.char)(p), C.uint64_t(len(s)))
	runtime.KeepAlive(s)
	if str == nil {
		return nil, NewError(ErrOutOfMemory, "out of memory for a string of %d bytes", len(s))
	}
	return unsafe.Pointer(str), nil
}

// NewBlob is an IFacetBlob holding a copy of b, with one reference for the
// caller.
func NewBlob(b []byte) (unsafe.Pointer, error) {
	var p unsafe.Pointer
	if len(b) > 0 {
		p = unsafe.Pointer(&b[0])
	}
	blob := C.facetgo_blob_new(p, C.uint64_t(len(b)))
	runtime.KeepAlive(b)
	if blob == nil {
		return nil, NewError(ErrOutOfMemory, "out of memory for a blob of %d bytes", len(b))
	}
	return unsafe.Pointer(blob), nil
}

// StringOf reads the text of an IFacetString (nil gives "").
func StringOf(p unsafe.Pointer) (string, error) {
	if p == nil {
		return "", nil
	}
	var text *C.char
	var n C.uint64_t
	if r := Result(C.facetgo_string_text(p, &text, &n)); r.Failed() {
		return "", NewError(r, "IFacetString.GetText failed")
	}
	if text == nil {
		return "", NewError(ErrContract, "IFacetString.GetText gave NULL")
	}
	return C.GoStringN(text, C.int(n)), nil
}

// BlobOf reads the bytes of an IFacetBlob (nil gives nil).
func BlobOf(p unsafe.Pointer) ([]byte, error) {
	if p == nil {
		return nil, nil
	}
	var data *C.uint8_t
	var n C.uint64_t
	if r := Result(C.facetgo_blob_bytes(p, &data, &n)); r.Failed() {
		return nil, NewError(r, "IFacetBlob.GetData failed")
	}
	if data == nil && n > 0 {
		return nil, NewError(ErrContract, "IFacetBlob.GetData gave NULL for %d bytes", n)
	}
	return C.GoBytes(unsafe.Pointer(data), C.int(n)), nil
}

// ---- Panics ---------------------------------------------------------------

var (
	panicMu      sync.Mutex
	panicHandler = func(method string, value any, stack []byte) {
		log.Printf("facet: %s panicked: %v\n%s", method, value, stack)
	}
)

// OnPanic sets what is told of a panic in a Go method that C called (by
// default a log line with the stack), and returns what was set before.
// The panic never crosses into C: the call returns ErrUnexpected.
func OnPanic(f func(method string, value any, stack []byte)) func(string, any, []byte) {
	panicMu.Lock()
	defer panicMu.Unlock()
	old := panicHandler
	panicHandler = f
	return old
}

// Recover, deferred by every Go method C calls, turns a panic into the
// result ErrUnexpected.
func Recover(r *Result, method string) {
	if v := recover(); v != nil {
		buf := make([]byte, 8192)
		buf = buf[:runtime.Stack(buf, false)]
		panicMu.Lock()
		h := panicHandler
		panicMu.Unlock()
		if h != nil {
			h(method, v, buf)
		}
		*r = ErrUnexpected
	}
}

// StringData is where s's bytes are: Go memory holding no Go pointers,
// which a C call may read while it runs (Go 1.20's unsafe.StringData).
func StringData(s string) unsafe.Pointer {
	return unsafe.Pointer((*reflect.StringHeader)(unsafe.Pointer(&s)).Data)
}
