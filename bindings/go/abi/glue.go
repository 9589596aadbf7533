package abi

/*
#include "object.h"

extern const FacetGoItfDesc facetgo_desc_IFacetRunnable;
*/
import "C"

import (
	"reflect"
	"unsafe"
)

// IFacetRunnable is what `facet run` calls: a Go class implements it with
// a Run method. args are the arguments after the module or class name;
// the result is the exit code.
type IFacetRunnable interface {
	Run(args []string) (int32, error)
}

// IFacetLifecycle is a module's part in the runtime's start and stop
// (component.Module.Lifecycle), each step called in dependency order.
type IFacetLifecycle interface {
	Init() error
	Start() error
	Stop() error
	Shutdown() error
}

func init() {
	RegisterInterface(Interface{IID: IID_IFacetRunnable, Name: "IFacetRunnable",
		Type: reflect.TypeOf((*IFacetRunnable)(nil)).Elem(),
		Desc: unsafe.Pointer(&C.facetgo_desc_IFacetRunnable)})
}

//export facetgoexp_IFacetRunnable_Run
func facetgoexp_IFacetRunnable_Run(h C.uintptr_t, argc C.uint32_t, argv **C.char,
	code *C.int32_t) (r C.FacetResult) {
	defer Recover((*Result)(unsafe.Pointer(&r)), "IFacetRunnable.Run")
	if code == nil || (argc > 0 && argv == nil) {
		return C.FacetResult(ErrPointer)
	}
	args := make([]string, int(argc))
	for i, a := range unsafe.Slice(argv, int(argc)) {
		args[i] = C.GoString(a)
	}
	exit, err := Value(uintptr(h)).(IFacetRunnable).Run(args)
	*code = C.int32_t(exit)
	return C.FacetResult(ResultOf(err))
}
