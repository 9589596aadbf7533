// bench_go: the cost of a call from a Go host. go.call is IBenchAdder.Add
// of the C benchmark module through the Go binding (the wrapper facet-idl
// --lang go makes of bench.idl: a reference check, one cgo call, the vtable
// call in C); go.cgo_call, its baseline, is the same work as a plain cgo
// call of a C function. The ratio is what the binding adds to cgo; cgo
// itself is the floor of any Go host calling C.
//
// The rows, the run loop and the output are bench/harness.c's: main hands
// them to bench_main, which calls back into Go for each timed run.
package main

/*
#include <stdlib.h>
#include "harness.h"

int bench_go_main(int argc, char **argv);
int64_t bench_go_add(int64_t *total, int32_t delta);
*/
import "C"

import (
	"fmt"
	"os"
	"path/filepath"
	"unsafe"

	"facet.dev/facet"

	"facetgo/bench"
)

var (
	rt    *facet.Runtime
	adder bench.IBenchAdderPtr
	sink  int64
)

//export benchGoSetup
func benchGoSetup() C.int {
	var err error
	rt, err = facet.NewRuntime()
	if err == nil {
		dir := C.GoString(C.bench_options.module_dir)
		_, err = rt.Load(filepath.Join(dir, "bench_mod.so"))
	}
	if err == nil {
		err = rt.CreateByName(&adder, "bench.adder")
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "bench: go setup: %v\n", err)
		return 1
	}
	return 0
}

//export benchGoTeardown
func benchGoTeardown() {
	adder.Release()
	rt.Close()
}

//export benchGoCall
func benchGoCall(iters C.uint64_t) C.double {
	var total int64
	var err error
	start := C.bench_now()
	for i := C.uint64_t(0); i < iters; i++ {
		total, err = adder.Add(1)
	}
	end := C.bench_now()
	if err != nil {
		fmt.Fprintf(os.Stderr, "bench: go.call: %v\n", err)
		return -1
	}
	sink += total
	return C.double(end-start) / C.double(iters)
}

//export benchGoCgoCall
func benchGoCgoCall(iters C.uint64_t) C.double {
	var total C.int64_t
	start := C.bench_now()
	for i := C.uint64_t(0); i < iters; i++ {
		if C.bench_go_add(&total, 1) < 0 {
			return -1
		}
	}
	end := C.bench_now()
	sink += int64(total)
	return C.double(end-start) / C.double(iters)
}

func main() {
	argv := make([]*C.char, len(os.Args)+1)
	for i, a := range os.Args {
		argv[i] = C.CString(a)
	}
	os.Exit(int(C.bench_go_main(C.int(len(os.Args)), (**C.char)(unsafe.Pointer(&argv[0])))))
}
