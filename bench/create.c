/*
 * bench/create.c - creating an object through the runtime, against calling
 * the module's factory directly: what the class lookup (by clsid, by
 * contract name) adds to CreateInstance.
 */
#include <stdio.h>

#include <facet/facet.h>

#include "harness.h"
#include "ops.h"

static FacetRuntime *rt;
static IFacetFactory *factory;

static double create_factory(uint64_t iters)
{
    uint64_t i, t0 = bench_now();
    for (i = 0; i < iters; i++) {
        IBenchAdder *p;
        if (FACET_FAILED(IFacetFactory_CreateInstance(factory, &CLSID_BenchAdder, NULL,
                                                      &IID_IBenchAdder, (void **)&p)))
            return -1;
        IBenchAdder_Release(p);
    }
    return (double)(bench_now() - t0) / (double)iters;
}

static double create_by_clsid(uint64_t iters)
{
    return bench_creates_by_clsid(rt, iters);
}

static double create_by(const char *name, uint64_t iters)
{
    uint64_t i, t0 = bench_now();
    for (i = 0; i < iters; i++) {
        IBenchAdder *p;
        if (FACET_FAILED(facet_create_instance_by_name((void **)&p, rt, name, NULL,
                                                       &IID_IBenchAdder)))
            return bench_error(name);
        IBenchAdder_Release(p);
    }
    return (double)(bench_now() - t0) / (double)iters;
}

static double create_by_name(uint64_t iters)
{
    return create_by(BENCH_ADDER_CONTRACT, iters);
}

static double create_by_alias(uint64_t iters)
{
    return create_by("adder", iters);
}

/* A host configuration with one alias, "adder" -> the adder's contract. */
static int load_config(void)
{
    char path[4096];
    FILE *f;
    snprintf(path, sizeof(path), "%s/facet.conf.json", bench_options.tmpdir);
    f = fopen(path, "w");
    if (f == NULL)
        return bench_fail(path);
    fprintf(f, "{\"aliases\": {\"adder\": \"" BENCH_ADDER_CONTRACT "\"}}\n");
    fclose(f);
    if (FACET_FAILED(facet_runtime_load_config(NULL, rt, path)))
        return bench_fail(path);
    return 0;
}

static int setup(void)
{
    FacetModule *m;
    if (bench_runtime_with(&rt, &m, "bench_mod.so") || load_config())
        return 1;
    if (FACET_FAILED(facet_module_factory(&factory, m)))
        return bench_fail("facet_module_factory");
    return 0;
}

static void teardown(void)
{
    if (factory != NULL)
        IFacetFactory_Release(factory);
    facet_runtime_free(rt);
}

static const BenchImpl impls[] = {
    {"create.factory", create_factory},
    {"create.by_clsid", create_by_clsid},
    {"create.by_name", create_by_name},
    {"create.by_alias", create_by_alias},
};

static const BenchArea area = {"create", setup, teardown, impls,
                               sizeof(impls) / sizeof(impls[0])};

int main(int argc, char **argv)
{
    return bench_main(argc, argv, &area);
}
