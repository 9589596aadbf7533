package facet

/*
#include <stdint.h>
*/
import "C"

import (
	"log"
	"runtime/cgo"
)

//export facetgoLog
func facetgoLog(level C.uint32_t, module, message *C.char, payload C.uintptr_t) {
	defer func() {
		// A panic never crosses into C, which called from a module.
		if v := recover(); v != nil {
			log.Printf("facet: the log function panicked: %v", v)
		}
	}()
	f := cgo.Handle(payload).Value().(func(uint32, string, string))
	f(uint32(level), C.GoString(module), C.GoString(message))
}
