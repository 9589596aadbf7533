/*
 * bench/call.c - the cost of a call through an interface, against the
 * physical limits: a direct call and a call through a function pointer,
 * and against what a C++ programmer compares it with: a virtual call.
 * Every row calls a function with the same body (add to a 64-bit value,
 * write the total out, return FACET_OK).
 */
#include <stdio.h>

#include <facet/facet.h>

#include "call_target.h"
#include "call_virtual.h"
#include "harness.h"
#include "ops.h"

static FacetRuntime *rt, *other_rt;
static IBenchAdder *adder, *other_adder;
static BenchState state;

/* A function pointer in memory, loaded at every call as a vtable slot is. */
typedef FacetResult (*AddFn)(BenchState *self, int32_t delta, int64_t *total);
static AddFn volatile add_fn = bench_direct_add;

static double call_direct(uint64_t iters)
{
    int64_t total = 0;
    uint64_t i, t0 = bench_now();
    for (i = 0; i < iters; i++)
        bench_direct_add(&state, 1, &total);
    bench_use(total);
    return (double)(bench_now() - t0) / (double)iters;
}

static double call_indirect(uint64_t iters)
{
    int64_t total = 0;
    uint64_t i, t0 = bench_now();
    for (i = 0; i < iters; i++)
        add_fn(&state, 1, &total);
    bench_use(total);
    return (double)(bench_now() - t0) / (double)iters;
}

static double call_cpp_virtual(uint64_t iters)
{
    return bench_call_virtual(iters);
}

static double call_vtable(uint64_t iters)
{
    return bench_vtable_calls(adder, iters);
}

static double call_vtable_cpp(uint64_t iters)
{
    return bench_call_cpp(adder, iters);
}

static double call_cross_compiler(uint64_t iters)
{
    return bench_vtable_calls(other_adder, iters);
}

/* Loads file into its own runtime (both builds offer the same classes) and
 * creates an adder. */
static int create_adder(IBenchAdder **out, FacetRuntime **runtime, const char *file)
{
    FacetModuleInfo info = {sizeof(FacetModuleInfo), 0, NULL, NULL, 0, NULL};
    FacetModule *m;
    if (bench_runtime_with(runtime, &m, file))
        return 1;
    facet_module_info(&info, m);
    fprintf(stderr, "bench_call: %s built by %s\n", file, info.compiler);
    if (FACET_FAILED(facet_create_instance((void **)out, *runtime, &CLSID_BenchAdder, NULL,
                                           &IID_IBenchAdder)))
        return bench_fail("facet_create_instance of the adder");
    return 0;
}

static int setup(void)
{
    return create_adder(&adder, &rt, "bench_mod.so") ||
           create_adder(&other_adder, &other_rt, "bench_mod_other.so");
}

static void teardown(void)
{
    if (adder != NULL)
        IBenchAdder_Release(adder);
    if (other_adder != NULL)
        IBenchAdder_Release(other_adder);
    facet_runtime_free(rt);
    facet_runtime_free(other_rt);
    bench_call_virtual_free();
}

static const BenchImpl impls[] = {
    {"call.direct", call_direct},
    {"call.indirect", call_indirect},
    {"call.cpp_virtual", call_cpp_virtual},
    {"call.vtable", call_vtable},
    {"call.vtable_cpp", call_vtable_cpp},
    {"call.cross_compiler", call_cross_compiler},
};

static const BenchArea area = {"call", setup, teardown, impls, sizeof(impls) / sizeof(impls[0])};

int main(int argc, char **argv)
{
    return bench_main(argc, argv, &area);
}
