package component

/*
#include "module.h"
*/
import "C"

import (
	"fmt"
	"log"
	"sync"
	"unsafe"

	"facet.dev/facet/abi"
)

var (
	hostMu sync.RWMutex
	host   abi.IFacetHostPtr   // what facet_module_entry was handed
	logger abi.IFacetLoggerPtr // its logger, when it has one
)

// Host is the host object the module was handed, with a reference of its
// own for the caller; ErrUnexpected before the module is loaded.
func Host() (*abi.IFacetHostPtr, error) {
	hostMu.RLock()
	defer hostMu.RUnlock()
	if !host.Valid() {
		return nil, abi.NewError(abi.ErrUnexpected, "the module has no host object: it is not "+
			"loaded by a host")
	}
	ref, err := host.Clone()
	if err != nil {
		return nil, err
	}
	return &abi.IFacetHostPtr{Ref: ref}, nil
}

// Log writes a line through the host's logger (FACET_LOG_* level), which
// tags it with the module's name; without a host, to the standard log.
func Log(level uint32, format string, args ...any) {
	logf(level, format, args...)
}

func logf(level uint32, format string, args ...any) {
	text := fmt.Sprintf(format, args...)
	hostMu.RLock()
	defer hostMu.RUnlock()
	if logger.Valid() && logger.Log(level, text) == nil {
		return
	}
	log.Print(text)
}

//export facetgoEntry
func facetgoEntry(h *C.IFacetUnknown) (r C.FacetResult) {
	defer abi.Recover((*abi.Result)(unsafe.Pointer(&r)), "facet_module_entry")
	if res := fill(); res.Failed() {
		return C.FacetResult(res)
	}
	dropHost()
	if h == nil {
		return C.FacetResult(abi.OK)
	}
	p, err := abi.QueryPointer(unsafe.Pointer(h), abi.IID_IFacetHost)
	if err != nil {
		return C.FacetResult(abi.ResultOf(err))
	}
	hostMu.Lock()
	defer hostMu.Unlock()
	host.Attach(p)
	if a, err := abi.QueryPointer(p, abi.IID_IFacetAllocator); err == nil {
		abi.SetAllocator(a)
		abi.ReleasePointer(a)
	}
	if l, err := abi.QueryPointer(p, abi.IID_IFacetLogger); err == nil {
		logger.Attach(l)
	}
	return C.FacetResult(abi.OK)
}

//export facetgoDropHost
func facetgoDropHost() {
	dropHost()
}

// dropHost lets go of the host object and its services: the runtime lets
// go of the factory just before it unloads the module, or loads it again.
func dropHost() {
	hostMu.Lock()
	defer hostMu.Unlock()
	if logger.Valid() {
		logger.Release()
	}
	if host.Valid() {
		host.Release()
	}
	logger, host = abi.IFacetLoggerPtr{}, abi.IFacetHostPtr{}
	abi.SetAllocator(nil)
}

//export facetgoCreate
func facetgoCreate(index C.uint32_t, iid *C.FacetGuid, out *unsafe.Pointer) (r C.FacetResult) {
	defer abi.Recover((*abi.Result)(unsafe.Pointer(&r)), "IFacetFactory.CreateInstance")
	c := classes[index]
	v, err := c.make()
	if err != nil {
		return C.FacetResult(abi.ResultOf(err))
	}
	p, err := abi.Export(v, abi.GUIDFrom(unsafe.Pointer(iid)))
	if err != nil {
		return C.FacetResult(abi.ResultOf(err))
	}
	*out = p
	return C.FacetResult(abi.OK)
}

//export facetgoLifecycle
func facetgoLifecycle(step C.int) (r C.FacetResult) {
	defer abi.Recover((*abi.Result)(unsafe.Pointer(&r)), "IFacetLifecycle")
	defineMu.Lock()
	l := defined.Lifecycle
	defineMu.Unlock()
	var err error
	switch step {
	case 0:
		err = l.Init()
	case 1:
		err = l.Start()
	case 2:
		err = l.Stop()
	default:
		err = l.Shutdown()
	}
	if err != nil {
		logf(abi.LogError, "%v", err)
	}
	return C.FacetResult(abi.ResultOf(err))
}

func init() {
	// A panic in a method C called goes to the host's log.
	abi.OnPanic(func(method string, value any, stack []byte) {
		logf(abi.LogError, "%s panicked: %v\n%s", method, value, stack)
	})
}
