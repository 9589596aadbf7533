package abi

/*
#cgo CFLAGS: -I${SRCDIR}/../../../include
#include <facet/abi.h>
*/
import "C"

import (
	"errors"
	"fmt"
)

// Result is a FacetResult: an HRESULT-compatible code, failure below zero.
// A Result is an error, so a failure code can be returned and tested as one:
// errors.Is(err, abi.ErrNoInterface) holds for an *Error carrying that code.
type Result int32

// The results of <facet/abi.h>, with their values taken from it.
const (
	OK                Result = C.FACET_OK
	False             Result = C.FACET_FALSE
	ErrNotImpl        Result = C.FACET_E_NOTIMPL
	ErrNoInterface    Result = C.FACET_E_NOINTERFACE
	ErrPointer        Result = C.FACET_E_POINTER
	ErrAbort          Result = C.FACET_E_ABORT
	ErrFail           Result = C.FACET_E_FAIL
	ErrUnexpected     Result = C.FACET_E_UNEXPECTED
	ErrOutOfMemory    Result = C.FACET_E_OUTOFMEMORY
	ErrInvalidArg     Result = C.FACET_E_INVALIDARG
	ErrAccessDenied   Result = C.FACET_E_ACCESSDENIED
	ErrFileNotFound   Result = C.FACET_E_FILENOTFOUND
	ErrNotFound       Result = C.FACET_E_NOTFOUND
	ErrNoAggregation  Result = C.FACET_E_NOAGGREGATION
	ErrClassNotReg    Result = C.FACET_E_CLASSNOTREG
	ErrBadGUID        Result = C.FACET_E_BADGUID
	ErrDisconnected   Result = C.FACET_E_DISCONNECTED
	ErrWrongThread    Result = C.FACET_E_WRONGTHREAD
	ErrNotAFile       Result = C.FACET_E_NOTAFILE
	ErrEmptyFile      Result = C.FACET_E_EMPTYFILE
	ErrNotLibrary     Result = C.FACET_E_NOTLIBRARY
	ErrTruncated      Result = C.FACET_E_TRUNCATED
	ErrWrongArch      Result = C.FACET_E_WRONGARCH
	ErrLoadFailed     Result = C.FACET_E_LOADFAILED
	ErrNoEntry        Result = C.FACET_E_NOENTRY
	ErrABIMismatch    Result = C.FACET_E_ABIMISMATCH
	ErrContract       Result = C.FACET_E_CONTRACT
	ErrStructSize     Result = C.FACET_E_STRUCTSIZE
	ErrConflict       Result = C.FACET_E_CONFLICT
	ErrAPILevel       Result = C.FACET_E_APILEVEL
	ErrVersion        Result = C.FACET_E_VERSION
	ErrBadManifest    Result = C.FACET_E_BADMANIFEST
	ErrMismatch       Result = C.FACET_E_MISMATCH
	ErrBadConfig      Result = C.FACET_E_BADCONFIG
	ErrCycle          Result = C.FACET_E_CYCLE
	ErrBusy           Result = C.FACET_E_BUSY
	ErrState          Result = C.FACET_E_STATE
	ErrTimeout        Result = C.FACET_E_TIMEOUT
	ErrCrashed        Result = C.FACET_E_CRASHED
)

// The names and sentences of facet_result_name and
// facet_result_description (the binding's tests hold them to libfacet's).
var results = map[Result][2]string{
	OK:               {"FACET_OK", "success"},
	False:            {"FACET_FALSE", "success, with a negative answer"},
	ErrNotImpl:       {"FACET_E_NOTIMPL", "not implemented"},
	ErrNoInterface:   {"FACET_E_NOINTERFACE", "no such interface"},
	ErrPointer:       {"FACET_E_POINTER", "a required pointer is NULL"},
	ErrAbort:         {"FACET_E_ABORT", "the operation was aborted"},
	ErrFail:          {"FACET_E_FAIL", "unspecified failure"},
	ErrUnexpected:    {"FACET_E_UNEXPECTED", "unexpected failure"},
	ErrOutOfMemory:   {"FACET_E_OUTOFMEMORY", "out of memory"},
	ErrInvalidArg:    {"FACET_E_INVALIDARG", "an argument is not valid"},
	ErrAccessDenied:  {"FACET_E_ACCESSDENIED", "access denied"},
	ErrFileNotFound:  {"FACET_E_FILENOTFOUND", "no such file"},
	ErrNotFound:      {"FACET_E_NOTFOUND", "not found"},
	ErrNoAggregation: {"FACET_E_NOAGGREGATION", "the class cannot be aggregated"},
	ErrClassNotReg:   {"FACET_E_CLASSNOTREG", "no such class is registered"},
	ErrBadGUID:       {"FACET_E_BADGUID", "not a GUID"},
	ErrDisconnected:  {"FACET_E_DISCONNECTED", "the object is disconnected from its clients"},
	ErrWrongThread:   {"FACET_E_WRONGTHREAD", "called from a thread the object does not allow"},
	ErrNotAFile:      {"FACET_E_NOTAFILE", "not a regular file"},
	ErrEmptyFile:     {"FACET_E_EMPTYFILE", "the file is empty"},
	ErrNotLibrary:    {"FACET_E_NOTLIBRARY", "not a shared library"},
	ErrTruncated:     {"FACET_E_TRUNCATED", "the library file is truncated"},
	ErrWrongArch:     {"FACET_E_WRONGARCH", "the library is built for another machine"},
	ErrLoadFailed:    {"FACET_E_LOADFAILED", "the system loader refused the library"},
	ErrNoEntry:       {"FACET_E_NOENTRY", "the library has no facet_module_entry"},
	ErrABIMismatch:   {"FACET_E_ABIMISMATCH", "host and module ABI versions differ"},
	ErrContract:      {"FACET_E_CONTRACT", "a module broke a rule of the ABI"},
	ErrStructSize:    {"FACET_E_STRUCTSIZE", "a struct_size is too small"},
	ErrConflict:      {"FACET_E_CONFLICT", "two modules claim the same class or name"},
	ErrAPILevel:      {"FACET_E_APILEVEL", "the module needs a newer host API level"},
	ErrVersion:       {"FACET_E_VERSION", "no version satisfies every requirement"},
	ErrBadManifest:   {"FACET_E_BADMANIFEST", "the manifest cannot be used"},
	ErrMismatch:      {"FACET_E_MISMATCH", "the module and its manifest disagree"},
	ErrBadConfig:     {"FACET_E_BADCONFIG", "the host configuration cannot be used"},
	ErrCycle:         {"FACET_E_CYCLE", "a dependency or alias cycle"},
	ErrBusy:          {"FACET_E_BUSY", "objects are still alive"},
	ErrState:         {"FACET_E_STATE", "not allowed in the current lifecycle state"},
	ErrTimeout:       {"FACET_E_TIMEOUT", "timed out"},
	ErrCrashed:       {"FACET_E_CRASHED", "the other side crashed"},
}

// Results lists every code Facet knows, in no particular order.
func Results() []Result {
	out := make([]Result, 0, len(results))
	for r := range results {
		out = append(out, r)
	}
	return out
}

// Succeeded reports whether r is a success code (OK, False, ...).
func (r Result) Succeeded() bool { return r >= 0 }

// Failed reports whether r is a failure code.
func (r Result) Failed() bool { return r < 0 }

// Name is the code's name, "FACET_E_NOINTERFACE", as facet_result_name
// gives it; "FACET_E_UNKNOWN" for a code Facet does not know.
func (r Result) Name() string {
	if n, ok := results[r]; ok {
		return n[0]
	}
	return "FACET_E_UNKNOWN"
}

// Description is a sentence on what the code means, "no such interface".
func (r Result) Description() string {
	if n, ok := results[r]; ok {
		return n[1]
	}
	return fmt.Sprintf("unknown result 0x%08X", uint32(r))
}

func (r Result) String() string { return r.Name() }

// Error makes a Result an error: "FACET_E_NOINTERFACE (no such interface)".
func (r Result) Error() string { return r.Name() + " (" + r.Description() + ")" }

// Error is a failure of a Facet call: its code, and the message that went
// with it (facet_last_error() on the host side), which names the file, the
// symbol or the field concerned. errors.Is(err, abi.ErrNoInterface) tests
// the code; errors.As(err, &e) with e an *abi.Error gets both.
type Error struct {
	Code    Result
	Message string
}

func (e *Error) Error() string {
	if e.Message == "" {
		return e.Code.Error()
	}
	return e.Code.Name() + ": " + e.Message
}

// Unwrap gives the code, so that errors.Is finds it.
func (e *Error) Unwrap() error { return e.Code }

// NewError is an *Error with a formatted message.
func NewError(code Result, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ResultOf is the code an error carries: OK for nil, the code of an *Error
// or a Result anywhere in its chain, and ErrFail for any other error.
func ResultOf(err error) Result {
	if err == nil {
		return OK
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	var r Result
	if errors.As(err, &r) {
		return r
	}
	return ErrFail
}

// Check is nil for a success code and the code as an error otherwise.
func Check(r Result) error {
	if r.Failed() {
		return r
	}
	return nil
}
