/*
 * bench/ops.c - the Facet operations that rows of several areas time.
 */
#include "ops.h"

#include "harness.h"

int bench_runtime_with(FacetRuntime **out, FacetModule **module, const char *module_file)
{
    FacetModule *m;
    if (FACET_FAILED(facet_runtime_new(out, NULL)))
        return bench_fail("facet_runtime_new");
    if (FACET_FAILED(facet_module_load(&m, *out, bench_module_path(module_file))))
        return bench_fail(module_file);
    if (module != NULL)
        *module = m;
    return 0;
}

double bench_vtable_calls(IBenchAdder *obj, uint64_t iters)
{
    int64_t total = 0;
    uint64_t i, t0 = bench_now();
    for (i = 0; i < iters; i++)
        IBenchAdder_Add(obj, 1, &total);
    bench_use(total);
    return (double)(bench_now() - t0) / (double)iters;
}

double bench_creates_by_clsid(FacetRuntime *rt, uint64_t iters)
{
    uint64_t i, t0 = bench_now();
    for (i = 0; i < iters; i++) {
        IBenchAdder *p;
        if (FACET_FAILED(facet_create_instance((void **)&p, rt, &CLSID_BenchAdder, NULL,
                                               &IID_IBenchAdder)))
            return bench_error("facet_create_instance");
        IBenchAdder_Release(p);
    }
    return (double)(bench_now() - t0) / (double)iters;
}
