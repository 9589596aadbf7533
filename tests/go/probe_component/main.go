// The probe component in Go: one class implementing IProbe and IProbeAux
// of tests/compat/probe.idl, as a Go type, on the Go package facet-idl
// --lang go makes of probe.idl. Every host of the matrix (C, C++, Go;
// built by any compiler) checks it as it checks the C and C++ ones.
//
//	go build -buildmode=c-shared -o component-go.so
package main

/*
#include "probe.h"
#include "probe_layout.h"
*/
import "C"

import (
	"unsafe"

	"facet.dev/facet/abi"
	"facet.dev/facet/component"

	"facetgo/probe"
)

// Probe is the class: its methods are IProbe's and IProbeAux's.
type Probe struct{}

func (*Probe) Integers(i32 int32, u32 uint32, i64 int64, u64 uint64) (int32, uint32, int64, uint64,
	error) {
	return probeI32(i32), probeU32(u32), probeI64(i64), probeU64(u64), nil
}

func (*Probe) Floats(f float32, d float64) (float32, float64, error) {
	return probeF32(f), probeF64(d), nil
}

func (*Probe) Mixed(a int32, b float64, c int64, d float32, e uint32, f uint64, g float64, h int32,
	i float32, j int64, k float64) (uint64, error) {
	return mixedChecksum(a, b, c, d, e, f, g, h, i, j, k), nil
}

func (*Probe) Pointers(p, q uintptr) (uintptr, uintptr, error) { return p, q, nil }

func (*Probe) Guids(in abi.GUID, bytes []byte) (abi.GUID, error) {
	b := guidBytes(in)
	copy(bytes, b[:])
	return complement(in), nil
}

// recordV1 is where version 1 of ProbeRecord ends: at extra.
var recordV1 = uint32(unsafe.Offsetof(C.ProbeRecord{}.extra))

func (*Probe) Record(r *probe.ProbeRecord) error {
	if r == nil {
		return abi.ErrPointer
	}
	if r.StructSize < recordV1 {
		return abi.ErrStructSize
	}
	r.I32 = probeI32(r.I32)
	r.U64 = probeU64(r.U64)
	r.F64 = probeF64(r.F64)
	r.F32 = probeF32(r.F32)
	r.Guid = complement(r.Guid)
	if r.StructSize >= probe.ProbeRecordSize {
		r.Extra = probeI64(r.Extra)
		r.Pointer = r.CAddress() // the record's own address, as C sees it
		r.StructSize = probe.ProbeRecordSize
	} else {
		r.StructSize = recordV1
	}
	return nil
}

func (*Probe) MakeText(n uint32) (string, error) { return text(n), nil }

func (*Probe) ReadText(s string) (uint32, uint32, error) {
	return uint32(len(s)), fnv(fnvInit, []byte(s)), nil
}

func (*Probe) MakeBytes(n, seed uint32) ([]byte, error) { return patternBytes(n, seed), nil }

func (*Probe) MakeBlob(n, seed uint32) ([]byte, error) { return patternBytes(n, seed), nil }

func (*Probe) CallBack(cb probe.IProbeCallback, n int32) (int64, error) {
	if cb == nil {
		return 0, abi.ErrPointer
	}
	var sum int64
	for i := int32(1); i <= n; i++ {
		v, err := cb.Step(i, float64(i)*0.5, stepC(i))
		sum += v
		if err != nil {
			return sum, err
		}
	}
	return sum, nil
}

func (*Probe) GetLayout(capacity uint32, figures []uint64) (uint32, error) {
	mine := layout()
	copy(figures, mine)
	if uint32(len(mine)) > capacity {
		return uint32(len(mine)), abi.ErrInvalidArg
	}
	return uint32(len(mine)), nil
}

func (*Probe) Twice(x uint32) (uint32, error) { return x * 2, nil }

// GetProbe is the same object's IProbe: the same Go value is the same
// object to C.
func (p *Probe) GetProbe() (probe.IProbe, error) { return p, nil }

// layout is the figures of probe_layout.h as this component sees C's
// types: what the Go side of every call relies on.
func layout() []uint64 {
	var ai C.ProbeAlignI64
	var af C.ProbeAlignF64
	var g C.FacetGuid
	var mi C.FacetModuleInfo
	var ci C.FacetClassInfo
	var r C.ProbeRecord
	iid := guidBytes(probe.IID_IProbe)
	return []uint64{
		uint64(unsafe.Sizeof(uintptr(0))),
		uint64(unsafe.Sizeof(C.float(0))),
		uint64(unsafe.Sizeof(C.double(0))),
		uint64(unsafe.Offsetof(ai.v)),
		uint64(unsafe.Offsetof(af.v)),
		uint64(unsafe.Sizeof(g)),
		uint64(unsafe.Offsetof(g.Data2)),
		uint64(unsafe.Offsetof(g.Data3)),
		uint64(unsafe.Offsetof(g.Data4)),
		uint64(unsafe.Sizeof(C.IFacetUnknown{})),
		uint64(unsafe.Sizeof(mi)),
		uint64(unsafe.Offsetof(mi.abi_version)),
		uint64(unsafe.Offsetof(mi.name)),
		uint64(unsafe.Offsetof(mi.version)),
		uint64(unsafe.Offsetof(mi.api_level)),
		uint64(unsafe.Offsetof(mi.compiler)),
		uint64(unsafe.Sizeof(ci)),
		uint64(unsafe.Offsetof(ci.clsid)),
		uint64(unsafe.Offsetof(ci.contract)),
		uint64(unsafe.Offsetof(ci.version)),
		uint64(unsafe.Offsetof(ci.threading)),
		uint64(unsafe.Offsetof(ci.interface_count)),
		uint64(unsafe.Offsetof(ci.interfaces)),
		uint64(unsafe.Sizeof(r)),
		uint64(unsafe.Offsetof(r.i32)),
		uint64(unsafe.Offsetof(r.u64)),
		uint64(unsafe.Offsetof(r.f64)),
		uint64(unsafe.Offsetof(r.f32)),
		uint64(unsafe.Offsetof(r.guid)),
		uint64(unsafe.Offsetof(r.extra)),
		uint64(unsafe.Offsetof(r.pointer)),
		leUint64(iid[0:8]),
		leUint64(iid[8:16]),
	}
}

func leUint64(b []byte) uint64 {
	var v uint64
	for i := len(b) - 1; i >= 0; i-- {
		v = v<<8 | uint64(b[i])
	}
	return v
}

func init() {
	component.Define(component.Module{
		Name:    "org.facet.probe",
		Version: "1.0.0",
		Classes: []component.Class{
			component.NewClass(component.ClassInfo{
				CLSID:    probe.CLSID_ProbeClass,
				Contract: "org.facet.probe",
			}, func() (*Probe, error) { return &Probe{}, nil }),
		},
	})
}

func main() {}
