package main

// What the probe component computes from what it is given: the functions
// of tests/compat/probe_values.h, in Go, so that every host built by any
// compiler can check a Go component's answers as it checks a C one's.

import (
	"encoding/binary"
	"math"
	"strconv"

	"facet.dev/facet/abi"
)

const (
	xor32   = 0x5A5AA5A5
	xor64   = 0xF0E1D2C3B4A59687
	fnvInit = 2166136261
	// MakeText(n) gives this UTF-8 text followed by n in decimal.
	textPrefix = "probe \xE2\x9C\x93 \xC3\xBC\xC3\xB1\xC3\xAF\xC3\xA7\xC3\xB8d\xC3\xA9 \xF0\x9F\x8C\x8D n="
)

func probeI32(v int32) int32     { return int32(uint32(v) ^ xor32) }
func probeU32(v uint32) uint32   { return ^v }
func probeI64(v int64) int64     { return int64(-uint64(v)) }
func probeU64(v uint64) uint64   { return v ^ xor64 }
func probeF32(v float32) float32 { return v * 2.0 }
func probeF64(v float64) float64 { return v * -0.5 }

// fnv is FNV-1a, 32 bits.
func fnv(h uint32, data []byte) uint32 {
	for _, b := range data {
		h ^= uint32(b)
		h *= 16777619
	}
	return h
}

func mix64(h uint32, v uint64) uint32 {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], v)
	return fnv(h, b[:])
}

func mixedChecksum(a int32, b float64, c int64, d float32, e uint32, f uint64, g float64, h int32,
	i float32, j int64, k float64) uint64 {
	s := uint32(fnvInit)
	s = mix64(s, uint64(int64(a)))
	s = mix64(s, math.Float64bits(b))
	s = mix64(s, uint64(c))
	s = mix64(s, uint64(math.Float32bits(d)))
	s = mix64(s, uint64(e))
	t := s
	s = mix64(s, f)
	s = mix64(s, math.Float64bits(g))
	s = mix64(s, uint64(int64(h)))
	s = mix64(s, uint64(math.Float32bits(i)))
	s = mix64(s, uint64(j))
	s = mix64(s, math.Float64bits(k))
	return uint64(t)<<32 | uint64(s)
}

func complement(g abi.GUID) abi.GUID {
	out := abi.GUID{Data1: ^g.Data1, Data2: ^g.Data2, Data3: ^g.Data3}
	for i := range g.Data4 {
		out.Data4[i] = ^g.Data4[i]
	}
	return out
}

// guidBytes is a GUID as its 16 bytes lie in memory (Windows order).
func guidBytes(g abi.GUID) [16]byte {
	var b [16]byte
	binary.LittleEndian.PutUint32(b[0:], g.Data1)
	binary.LittleEndian.PutUint16(b[4:], g.Data2)
	binary.LittleEndian.PutUint16(b[6:], g.Data3)
	copy(b[8:], g.Data4[:])
	return b
}

func pattern(seed, i uint32) byte { return byte((seed*31 + i*7) ^ (i >> 8)) }

func patternBytes(n, seed uint32) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = pattern(seed, uint32(i))
	}
	return b
}

func text(n uint32) string { return textPrefix + strconv.FormatUint(uint64(n), 10) }

func stepC(i int32) int64 { return int64(i)<<40 | int64(i) }
