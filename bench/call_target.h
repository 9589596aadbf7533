/* bench/call_target.h - the host-side twin of the adder's Add. */
#ifndef FACET_BENCH_CALL_TARGET_H
#define FACET_BENCH_CALL_TARGET_H

#include <facet/abi.h>

typedef struct BenchState {
    const void *vtbl; /* the layout of an object: something, then the value */
    uint32_t refs;
    int64_t value;
} BenchState;

FacetResult bench_direct_add(BenchState *self, int32_t delta, int64_t *total);

#ifdef __cplusplus
extern "C" {
#endif
/* bench/call_cpp.cpp: obj->Add(...) iters times through facet::Ptr. */
double bench_call_cpp(void *adder, uint64_t iters);
#ifdef __cplusplus
}
#endif

#endif
