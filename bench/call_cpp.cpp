/*
 * bench/call_cpp.cpp - call.vtable_cpp: the adder called from C++, through
 * the C++ form of the generated interface and facet::Ptr.
 */
#include <facet/facet.hpp>

#include "bench.h"
#include "call_target.h"
#include "harness.h"

extern "C" double bench_call_cpp(void *adder, uint64_t iters)
{
    facet::Ptr<IBenchAdder> p(static_cast<IBenchAdder *>(adder));
    int64_t total = 0;
    uint64_t t0 = bench_now();
    for (uint64_t i = 0; i < iters; i++)
        p->Add(1, &total);
    uint64_t t1 = bench_now();
    bench_use(total);
    return static_cast<double>(t1 - t0) / static_cast<double>(iters);
}
