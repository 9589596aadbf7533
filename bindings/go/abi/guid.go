package abi

/*
#include <facet/abi.h>

const FacetGuid *facetgo_runtime_iid(int i);
*/
import "C"

import (
	"encoding/binary"
	"fmt"
	"unsafe"
)

// GUID is a FacetGuid, with the layout of the Windows GUID.
type GUID struct {
	Data1 uint32
	Data2 uint16
	Data3 uint16
	Data4 [8]byte
}

// ParseGUID reads "{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}" (braces
// optional, hex digits of either case), as facet_guid_parse does. The error
// is an *Error with ErrBadGUID naming the position of the first bad
// character.
func ParseGUID(text string) (GUID, error) {
	var g GUID
	s, offset := text, 0
	if len(s) == 38 && s[0] == '{' && s[37] == '}' {
		s, offset = s[1:37], 1
	} else if len(s) != 36 {
		return g, NewError(ErrBadGUID, "%q is not a GUID: expected 36 characters "+
			"xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx, with or without braces", text)
	}
	var b [16]byte
	n := 0
	for i := 0; i < 36; i++ {
		if i == 8 || i == 13 || i == 18 || i == 23 {
			if s[i] != '-' {
				return g, NewError(ErrBadGUID, "%q is not a GUID: expected '-' at column %d",
					text, i+offset+1)
			}
			continue
		}
		v, ok := hexDigit(s[i])
		if !ok {
			return g, NewError(ErrBadGUID, "%q is not a GUID: %q at column %d is not a hex digit",
				text, s[i], i+offset+1)
		}
		b[n/2] |= v << (4 * uint(1-n%2))
		n++
	}
	g.Data1 = binary.BigEndian.Uint32(b[0:4])
	g.Data2 = binary.BigEndian.Uint16(b[4:6])
	g.Data3 = binary.BigEndian.Uint16(b[6:8])
	copy(g.Data4[:], b[8:])
	return g, nil
}

// MustGUID is ParseGUID for constants: it panics on bad text.
func MustGUID(text string) GUID {
	g, err := ParseGUID(text)
	if err != nil {
		panic(err)
	}
	return g
}

func hexDigit(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// String is the braced, upper-case text form.
func (g GUID) String() string {
	return fmt.Sprintf("{%08X-%04X-%04X-%02X%02X-%02X%02X%02X%02X%02X%02X}", g.Data1, g.Data2,
		g.Data3, g.Data4[0], g.Data4[1], g.Data4[2], g.Data4[3], g.Data4[4], g.Data4[5],
		g.Data4[6], g.Data4[7])
}

// C is the GUID as C sees it, for code made by facet-idl; the pointer is
// to a copy that lives as long as the returned value is reachable.
func (g GUID) C() unsafe.Pointer {
	c := g.c()
	return unsafe.Pointer(&c)
}

func (g GUID) c() C.FacetGuid {
	var c C.FacetGuid
	c.Data1 = C.uint32_t(g.Data1)
	c.Data2 = C.uint16_t(g.Data2)
	c.Data3 = C.uint16_t(g.Data3)
	for i := range g.Data4 {
		c.Data4[i] = C.uint8_t(g.Data4[i])
	}
	return c
}

// GUIDFrom reads a FacetGuid at p (a *C.FacetGuid of any package).
func GUIDFrom(p unsafe.Pointer) GUID {
	c := (*C.FacetGuid)(p)
	g := GUID{Data1: uint32(c.Data1), Data2: uint16(c.Data2), Data3: uint16(c.Data3)}
	for i := range g.Data4 {
		g.Data4[i] = byte(c.Data4[i])
	}
	return g
}

// The IIDs of <facet/abi.h>, taken from it (object.c).
var (
	IID_IFacetUnknown    = runtimeIID(0)
	IID_IFacetFactory    = runtimeIID(1)
	IID_IFacetHost       = runtimeIID(2)
	IID_IFacetAllocator  = runtimeIID(3)
	IID_IFacetLogger     = runtimeIID(4)
	IID_IFacetBlob       = runtimeIID(5)
	IID_IFacetString     = runtimeIID(6)
	IID_IFacetConfig     = runtimeIID(7)
	IID_IFacetLifecycle  = runtimeIID(8)
	IID_IFacetReloadable = runtimeIID(9)
	IID_IFacetRunnable   = runtimeIID(10)
)

func runtimeIID(i int) GUID {
	return GUIDFrom(unsafe.Pointer(C.facetgo_runtime_iid(C.int(i))))
}
