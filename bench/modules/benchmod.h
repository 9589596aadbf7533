/*
 * bench/modules/benchmod.h - what the benchmark host and the benchmark
 * module agree on: class ids, contract names, and the IIDs of the objects
 * with many interfaces that the QueryInterface rows ask.
 */
#ifndef FACET_BENCH_BENCHMOD_H
#define FACET_BENCH_BENCHMOD_H

#include "bench.h" /* generated from bench.idl: IBenchAdder */

/* The adder: one interface, IBenchAdder. */
#define BENCH_ADDER_CONTRACT "bench.adder"
FACET_DEFINE_GUID(CLSID_BenchAdder, 0xB3C4E0A1, 0x6F2D, 0x4E57, 0x9A, 0x10, 0x5C, 0x3B, 0x2D,
                  0x1E, 0x0F, 0x10);

/* Objects with 1, 5 and 20 interfaces, "bench.multi<N>", answering
 * BENCH_IID(0) .. BENCH_IID(N-1) (and IFacetUnknown). Every one of those
 * interfaces has IBenchAdder's layout. */
#define BENCH_MAX_INTERFACES 20
#define BENCH_MULTI_CLSID(n) {0xB3C4E0A1, 0x6F2D, 0x4E57, {0x9A, 0x10, 0x5C, 0x3B, 0x2D, 0x1E, 0x0E, (n)}}
#define BENCH_IID(i) {0xB3C4E0A2, 0x6F2D, 0x4E57, {0x9A, 0x10, 0x5C, 0x3B, 0x2D, 0x1E, 0x0D, (i)}}
/* An IID no benchmark object implements. */
FACET_DEFINE_GUID(IID_BenchAbsent, 0xB3C4E0A2, 0x6F2D, 0x4E57, 0x9A, 0x10, 0x5C, 0x3B, 0x2D,
                  0x1E, 0x0D, 0xFF);

/* The many-classes variant (memory rows) has BENCH_MANY_CLASSES classes,
 * "bench.many.<i>", clsid BENCH_MANY_CLSID(i), each an adder. */
#define BENCH_MANY_CLASSES 1000
#define BENCH_MANY_CLSID(i)                                                                   \
    {0xB3C4E0A3, 0x6F2D, 0x4E57,                                                              \
     {0x9A, 0x10, 0x5C, 0x3B, 0x2D, 0x1E, (uint8_t)((i) >> 8), (uint8_t)(i)}}

#endif
