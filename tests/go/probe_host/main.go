// The probe host in Go: loads one probe component through the Go binding
// (libfacet), calls every method of tests/compat/probe.idl through the Go
// package facet-idl --lang go makes of it, and checks every answer against
// probe_values.h, as tests/compat/probe_host.c does from C. The last line
// is "RESULT: PASS ..." or "RESULT: FAIL ...".
//
//	probe_host COMPONENT-LIBRARY
//
// Exit status: 0 every check passed; 1 a check failed; 2 bad usage or the
// component did not load (a Go component in this Go program does not: a
// process has one Go runtime).
package main

/*
#include "probe.h"
#include "probe_layout.h"
#include "probe_values.h"
*/
import "C"

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"os"
	"runtime"
	"unsafe"

	"facet.dev/facet"
	"facet.dev/facet/abi"

	"facetgo/probe"
)

var (
	checks, failures int
	step             = "start"
)

func check(ok bool, what string, args ...any) bool {
	checks++
	if !ok {
		failures++
		fmt.Printf("FAIL %s: %s\n", step, fmt.Sprintf(what, args...))
	}
	return ok
}

func checkErr(err error, what string) bool {
	return check(err == nil, "%s: %v", what, err)
}

func checkU64(got, want uint64, what string) bool {
	return check(got == want, "%s: expected 0x%016x, got 0x%016x", what, want, got)
}

// callback is the host's IProbeCallback, a Go object the component calls.
type callback struct {
	calls, badArgs int
}

func (c *callback) Step(a int32, b float64, cc int64) (int64, error) {
	c.calls++
	if b != float64(a)*0.5 || cc != int64(a)<<40|int64(a) {
		c.badArgs++
		return 0, abi.ErrInvalidArg
	}
	return cc + int64(a)*3, nil
}

func main() {
	if len(os.Args) != 2 {
		fmt.Println("usage: probe_host COMPONENT-LIBRARY")
		os.Exit(2)
	}
	fmt.Printf("host compiler: %s (%s), through facet.dev/facet\n", runtime.Version(), runtime.Compiler)
	os.Exit(run(os.Args[1]))
}

func run(path string) int {
	rt, err := facet.NewRuntime()
	if err != nil {
		fmt.Printf("RESULT: FAIL no runtime: %v\n", err)
		return 2
	}
	defer rt.Close()
	refs, objects := abi.References(), abi.ObjectsAlive()
	m, err := rt.Load(path)
	if err != nil {
		fmt.Printf("RESULT: FAIL cannot load %s: %v\n", path, err)
		return 2
	}
	step = "module"
	info, err := m.Info()
	if checkErr(err, "Module.Info") {
		check(info.Name == "org.facet.probe", "name %q", info.Name)
		check(info.Version == "1.0.0", "version %q", info.Version)
		check(info.ABIVersion == 1 && info.APILevel == 1, "abi %d, api level %d", info.ABIVersion,
			info.APILevel)
		fmt.Printf("component compiler: %s\n", info.Compiler)
	}

	step = "CreateInstance"
	var none probe.IProbePtr
	err = rt.Create(&none, abi.MustGUID("{DEADBEEF-1234-5678-9ABC-DEF011223344}"))
	check(errors.Is(err, abi.ErrClassNotReg), "an unknown class: %v", err)
	check(!none.Valid(), "a failed create leaves the reference empty")
	var p probe.IProbePtr
	if !checkErr(rt.Create(&p, probe.CLSID_ProbeClass), "Create(ProbeClass)") {
		return finish()
	}
	identity(&p)
	integers(&p)
	floats(&p)
	mixed(&p)
	pointers(&p)
	guids(&p)
	record(&p)
	text(&p)
	bytesAndBlob(&p)
	callBack(&p)
	layout(&p)

	step = "release"
	checkErr(p.Release(), "Release")
	check(errors.Is(p.Release(), abi.ErrState), "a second Release is refused")
	_, err = p.MakeText(1)
	check(errors.Is(err, abi.ErrState), "a call after Release is refused: %v", err)
	checkErr(m.Unload(), "Unload: the component's objects are all gone (CanUnload)")
	checkU64(uint64(abi.References()), uint64(refs), "references the host holds")
	checkU64(uint64(abi.ObjectsAlive()), uint64(objects), "Go objects the component holds")
	return finish()
}

func finish() int {
	if failures > 0 {
		fmt.Printf("RESULT: FAIL %d of %d checks\n", failures, checks)
		return 1
	}
	fmt.Printf("RESULT: PASS %d checks\n", checks)
	return 0
}

func identity(p *probe.IProbePtr) {
	step = "identity"
	var u1, u2, u3 abi.Unknown
	var aux probe.IProbeAuxPtr
	checkErr(p.QueryInterface(&u1), "QueryInterface(IFacetUnknown)")
	checkErr(p.QueryInterface(&u2), "QueryInterface(IFacetUnknown) again")
	check(u1.Pointer() != nil && u1.Pointer() == u2.Pointer(), "IFacetUnknown is one pointer")
	if !checkErr(p.QueryInterface(&aux), "QueryInterface(IProbeAux)") {
		return
	}
	check(aux.Pointer() != p.Pointer(), "IProbeAux is a second vtable of the object")
	checkErr(aux.QueryInterface(&u3), "IProbeAux::QueryInterface(IFacetUnknown)")
	check(u3.Pointer() == u1.Pointer(), "IFacetUnknown from IProbeAux is the same pointer")
	y, err := aux.Twice(21)
	check(err == nil && y == 42, "Twice(21) = %d, %v", y, err)
	back, err := aux.GetProbe()
	if checkErr(err, "GetProbe") {
		bp, ok := back.(*probe.IProbePtr)
		check(ok && bp.Pointer() == p.Pointer(), "GetProbe gives the object's IProbe")
		checkErr(abi.Release(back), "Release of GetProbe's reference")
	}
	var nobody abi.Unknown
	err = p.Ref.QueryInterface(&wrapper{&nobody, abi.MustGUID("{DEADBEEF-1234-5678-9ABC-DEF011223344}")})
	check(errors.Is(err, abi.ErrNoInterface), "QueryInterface of an unknown IID: %v", err)
	for _, r := range []abi.Ref{u1.Ref, u2.Ref, u3.Ref, aux.Ref} {
		checkErr(r.Release(), "Release")
	}
}

// wrapper asks for any IID, as an Unknown.
type wrapper struct {
	*abi.Unknown
	iid abi.GUID
}

func (w *wrapper) InterfaceID() abi.GUID { return w.iid }

func integers(p *probe.IProbePtr) {
	step = "Integers"
	i32s := []int32{0, 1, -1, 0x7FFFFFFF, -0x7FFFFFFF - 1, 0x12345678}
	u32s := []uint32{0, 1, 0xFFFFFFFF, 0x80000000, 0x9ABCDEF0, 0x00C0FFEE}
	i64s := []int64{0, -1, 0x7FFFFFFFFFFFFFFF, -0x7FFFFFFFFFFFFFFF - 1, 0x0123456789ABCDEF, -0x100000000}
	u64s := []uint64{0, 1, 0xFFFFFFFFFFFFFFFF, 0x8000000000000000, 0xFEDCBA9876543210, 0x100000000}
	for i := range i32s {
		a, b, c, d, err := p.Integers(i32s[i], u32s[i], i64s[i], u64s[i])
		if checkErr(err, "Integers") {
			checkU64(uint64(uint32(a)), uint64(uint32(i32s[i])^0x5A5AA5A5), "int32_t")
			checkU64(uint64(b), uint64(^u32s[i]), "uint32_t")
			checkU64(uint64(c), -uint64(i64s[i]), "int64_t")
			checkU64(d, u64s[i]^0xF0E1D2C3B4A59687, "uint64_t")
		}
	}
}

func floats(p *probe.IProbePtr) {
	step = "Floats"
	fs := []float32{0, -1.5, 3.25e30, 1.0e-30, 123456.75}
	ds := []float64{0, 1.0e300, -2.5, 4.9406564584124654e-320, 0.1}
	for i := range fs {
		f, d, err := p.Floats(fs[i], ds[i])
		if checkErr(err, "Floats") {
			checkU64(uint64(math.Float32bits(f)), uint64(math.Float32bits(fs[i]*2)), "float")
			checkU64(math.Float64bits(d), math.Float64bits(ds[i]*-0.5), "double")
		}
	}
}

func mixed(p *probe.IProbePtr) {
	step = "Mixed"
	sum, err := p.Mixed(-7, 0.125, 0x1122334455667788, -3.5, 0xCAFEBABE, 0xFFEEDDCCBBAA9988, 1.0e-5,
		0x7FFFFFFF, 65504.0, -0x0FEDCBA987654321, -1.0e10)
	want := C.probe_mixed_checksum(-7, 0.125, 0x1122334455667788, -3.5, 0xCAFEBABE,
		0xFFEEDDCCBBAA9988, 1.0e-5, 0x7FFFFFFF, 65504.0, -0x0FEDCBA987654321, -1.0e10)
	if checkErr(err, "Mixed") {
		checkU64(sum, uint64(want), "checksum of twelve mixed arguments")
	}
}

func pointers(p *probe.IProbePtr) {
	step = "Pointers"
	for _, pq := range [][2]uintptr{{0x1000, 0}, {0x1001, 0x1003}, {^uintptr(0) &^ 0xFFF, 8}} {
		a, b, err := p.Pointers(pq[0], pq[1])
		if checkErr(err, "Pointers") {
			check(a == pq[0] && b == pq[1], "pointers come back unchanged: %#x %#x", a, b)
		}
	}
}

func guids(p *probe.IProbePtr) {
	step = "Guids"
	want := []byte{0x20, 0x3A, 0x5B, 0x0F, 0x1E, 0x6D, 0x7A, 0x4C, 0x9B, 0x42, 0x8E, 0x13, 0xC5,
		0xD7, 0xA0, 0x02}
	b := make([]byte, 16)
	out, err := p.Guids(probe.IID_IProbe, b)
	if checkErr(err, "Guids") {
		in := probe.IID_IProbe
		check(out.Data1 == ^in.Data1 && out.Data2 == ^in.Data2 && out.Data3 == ^in.Data3 &&
			out.Data4[0] == ^in.Data4[0] && out.Data4[7] == ^in.Data4[7],
			"GUID out is GUID in, complemented")
		check(bytes.Equal(b, want), "the component sees the GUID's bytes in Windows order: % x", b)
	}
	_, err = p.Guids(probe.IID_IProbe, make([]byte, 15))
	check(errors.Is(err, abi.ErrInvalidArg), "a buffer too small for the call is refused: %v", err)
}

func record(p *probe.IProbePtr) {
	step = "Record"
	in := probe.ProbeRecord{I32: -123456, U64: 0xA5A5A5A5DEADBEEF, F64: 6.02214076e23, F32: 0.75,
		Guid: probe.IID_IProbeAux, Extra: 0x0102030405060708}
	r := in
	r.StructSize = probe.ProbeRecordSize
	if checkErr(p.Record(&r), "Record, version 2") {
		checkU64(uint64(r.StructSize), uint64(probe.ProbeRecordSize), "struct_size, version 2")
		checkU64(uint64(uint32(r.I32)), uint64(uint32(in.I32)^0x5A5AA5A5), "i32")
		checkU64(r.U64, in.U64^0xF0E1D2C3B4A59687, "u64")
		checkU64(math.Float64bits(r.F64), math.Float64bits(in.F64*-0.5), "f64")
		checkU64(uint64(r.Extra), -uint64(in.Extra), "extra")
		check(r.Pointer != 0, "pointer: the record's own address in C")
	}
	v1 := uint32(unsafe.Offsetof(C.ProbeRecord{}.extra))
	r = in
	r.StructSize = v1
	r.Extra = 77
	if checkErr(p.Record(&r), "Record, version 1") {
		checkU64(uint64(r.StructSize), uint64(v1), "struct_size, version 1")
		checkU64(r.U64, in.U64^0xF0E1D2C3B4A59687, "u64, version 1")
		check(r.Extra == 77 && r.Pointer == 0, "nothing read or written past struct_size")
	}
	r.StructSize = 4
	check(errors.Is(p.Record(&r), abi.ErrStructSize), "Record, struct_size too small")
}

func text(p *probe.IProbePtr) {
	step = "Text"
	prefix := "probe \xE2\x9C\x93 \xC3\xBC\xC3\xB1\xC3\xAF\xC3\xA7\xC3\xB8d\xC3\xA9 \xF0\x9F\x8C\x8D n="
	for _, n := range []uint32{0, 7, 0xFFFFFFFF} {
		s, err := p.MakeText(n)
		if checkErr(err, "MakeText") {
			check(s == fmt.Sprintf("%s%d", prefix, n), "the UTF-8 text, byte for byte: %q", s)
		}
	}
	utf8 := "\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82, \xE4\xB8\x96\xE7\x95\x8C \xF0\x9F\x98\x80"
	n, sum, err := p.ReadText(utf8)
	if checkErr(err, "ReadText") {
		checkU64(uint64(n), uint64(len(utf8)), "length of UTF-8 text in bytes")
		h := uint32(2166136261)
		for i := 0; i < len(utf8); i++ {
			h ^= uint32(utf8[i])
			h *= 16777619
		}
		checkU64(uint64(sum), uint64(h), "checksum of UTF-8 text")
	}
}

func patternOK(b []byte, seed uint32) bool {
	for i := range b {
		if b[i] != byte((seed*31+uint32(i)*7)^(uint32(i)>>8)) {
			return false
		}
	}
	return true
}

func bytesAndBlob(p *probe.IProbePtr) {
	step = "Bytes"
	for i, n := range []uint32{0, 1, 4096, 100003} {
		b, err := p.MakeBytes(n, 40+uint32(i))
		if checkErr(err, "MakeBytes") {
			check(len(b) == int(n) && patternOK(b, 40+uint32(i)), "the bytes (%d)", n)
		}
	}
	step = "Blob"
	b, err := p.MakeBlob(5000, 9)
	if checkErr(err, "MakeBlob") {
		check(len(b) == 5000 && patternOK(b, 9), "blob bytes")
	}
}

func callBack(p *probe.IProbePtr) {
	step = "CallBack"
	before := abi.ObjectsAlive()
	cb := &callback{}
	sum, err := p.CallBack(cb, 10)
	var want int64
	for i := int64(1); i <= 10; i++ {
		want += (i<<40 | i) + i*3
	}
	if checkErr(err, "CallBack") {
		checkU64(uint64(sum), uint64(want), "sum of the callback's answers")
	}
	check(cb.calls == 10 && cb.badArgs == 0, "calls into the host: %d, bad arguments: %d", cb.calls,
		cb.badArgs)
	checkU64(uint64(abi.ObjectsAlive()), uint64(before), "the component released what it took")
}

func layout(p *probe.IProbePtr) {
	step = "Layout"
	mine := make([]uint64, C.PROBE_LAYOUT_MAX)
	n := C.probe_layout_fill((*C.uint64_t)(unsafe.Pointer(&mine[0])), C.PROBE_LAYOUT_MAX)
	theirs := make([]uint64, C.PROBE_LAYOUT_MAX)
	count, err := p.GetLayout(C.PROBE_LAYOUT_MAX, theirs)
	if !checkErr(err, "GetLayout") {
		return
	}
	checkU64(uint64(count), uint64(n), "number of layout figures")
	fmt.Println("layout (host | component):")
	for i := 0; i < int(n); i++ {
		mark := " "
		if mine[i] != theirs[i] {
			mark = " MISMATCH "
		}
		fmt.Printf(" %sfigure %d = %d | %d\n", mark, i, mine[i], theirs[i])
		check(mine[i] == theirs[i], "layout figure %d", i)
	}
	_, err = p.GetLayout(C.PROBE_LAYOUT_MAX, theirs[:4])
	check(errors.Is(err, abi.ErrInvalidArg), "a buffer shorter than its capacity is refused: %v", err)
}
