/*
 * bench/memory.c - heap the runtime takes per loaded module, per registered
 * class and per object, read from the C library's allocator (mallinfo2:
 * bytes in use) around each step. Every run repeats the step; the figures
 * are deterministic but for the allocator's rounding.
 */
#include <dlfcn.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>

#include <facet/facet.h>

#include "benchmod.h"
#include "harness.h"

#define OBJECTS 1000

static FacetRuntime *rt;
static char one_path[4096], many_path[4096];

static double heap_in_use(void)
{
    return (double)mallinfo2().uordblks;
}

static double memory_dlopen(uint64_t iters)
{
    double before = heap_in_use(), after;
    void *h = dlopen(one_path, RTLD_NOW | RTLD_LOCAL);
    (void)iters;
    if (h == NULL)
        return -1;
    after = heap_in_use();
    dlclose(h);
    return after - before;
}

/* Heap in use after loading path, less before; the module is unloaded. */
static double module_heap(const char *path)
{
    FacetModule *m;
    double before = heap_in_use(), after;
    if (FACET_FAILED(facet_module_load(&m, rt, path)))
        return bench_error(path);
    after = heap_in_use();
    facet_module_unload(m);
    return after - before;
}

static double memory_module(uint64_t iters)
{
    (void)iters;
    return module_heap(one_path);
}

static double memory_class(uint64_t iters)
{
    double one = module_heap(one_path), many = module_heap(many_path);
    (void)iters;
    if (one < 0 || many < 0)
        return -1;
    return (many - one) / (BENCH_MANY_CLASSES - 1);
}

/* Heap per live object, OBJECTS of them made by the factory or by the
 * runtime. */
static double object_heap(int by_runtime)
{
    static IBenchAdder *objs[OBJECTS];
    IFacetFactory *factory = NULL;
    FacetModule *m;
    double before, after;
    unsigned i, n = bench_options.smoke ? 2 : OBJECTS;
    if (FACET_FAILED(facet_module_load(&m, rt, one_path)) ||
        FACET_FAILED(facet_module_factory(&factory, m)))
        return bench_error(one_path);
    before = heap_in_use();
    for (i = 0; i < n; i++) {
        FacetResult r = by_runtime ? facet_create_instance((void **)&objs[i], rt, &CLSID_BenchAdder,
                                                           NULL, &IID_IBenchAdder)
                                   : IFacetFactory_CreateInstance(factory, &CLSID_BenchAdder, NULL,
                                                                  &IID_IBenchAdder,
                                                                  (void **)&objs[i]);
        if (FACET_FAILED(r))
            return bench_error("creating an adder");
    }
    after = heap_in_use();
    for (i = 0; i < n; i++)
        IBenchAdder_Release(objs[i]);
    IFacetFactory_Release(factory);
    facet_module_unload(m);
    return (after - before) / n;
}

static double memory_object_factory(uint64_t iters)
{
    (void)iters;
    return object_heap(0);
}

static double memory_object(uint64_t iters)
{
    (void)iters;
    return object_heap(1);
}

static int setup(void)
{
    snprintf(one_path, sizeof(one_path), "%s", bench_module_path("bench_mod_one.so"));
    snprintf(many_path, sizeof(many_path), "%s", bench_module_path("bench_mod_many.so"));
    if (FACET_FAILED(facet_runtime_new(&rt, NULL)))
        return bench_fail("facet_runtime_new");
    /* Warm up: the first load sets up the dynamic linker's own tables. */
    return module_heap(one_path) < 0 || module_heap(many_path) < 0 || memory_dlopen(0) < 0;
}

static void teardown(void)
{
    facet_runtime_free(rt);
}

static const BenchImpl impls[] = {
    {"memory.dlopen", memory_dlopen},
    {"memory.module", memory_module},
    {"memory.class", memory_class},
    {"memory.object.factory", memory_object_factory},
    {"memory.object", memory_object},
};

static const BenchArea area = {"memory", setup, teardown, impls,
                               sizeof(impls) / sizeof(impls[0])};

int main(int argc, char **argv)
{
    return bench_main(argc, argv, &area);
}
