/*
 * bench/load.c - loading a module through the runtime (file checks, entry,
 * factory, module and class info, registration) against the bare minimum a
 * host could do: dlopen, dlsym, the entry, GetModuleInfo. Only the load is
 * timed; each module is unloaded again outside the clock.
 */
#include <dlfcn.h>
#include <stdio.h>

#include <facet/facet.h>

#include "benchmod.h"
#include "harness.h"

typedef FacetResult (*EntryFn)(uint32_t, IFacetUnknown *, const FacetGuid *, void **);

static FacetRuntime *rt;
static char path[4096];

static double load_dlopen(uint64_t iters)
{
    uint64_t i, spent = 0;
    for (i = 0; i < iters; i++) {
        FacetModuleInfo info = {sizeof(FacetModuleInfo), 0, NULL, NULL, 0, NULL};
        IFacetFactory *f = NULL;
        uint64_t t0 = bench_now();
        void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
        EntryFn entry = h ? (EntryFn)(uintptr_t)dlsym(h, "facet_module_entry") : NULL;
        if (entry == NULL || FACET_FAILED(entry(FACET_ABI_VERSION, NULL, &IID_IFacetFactory,
                                                (void **)&f)) ||
            FACET_FAILED(IFacetFactory_GetModuleInfo(f, &info))) {
            fprintf(stderr, "bench_load: %s: %s\n", path, dlerror());
            return -1;
        }
        spent += bench_now() - t0;
        IFacetFactory_Release(f);
        dlclose(h);
    }
    return (double)spent / (double)iters;
}

static double load_module(uint64_t iters)
{
    uint64_t i, spent = 0;
    for (i = 0; i < iters; i++) {
        FacetModule *m;
        uint64_t t0 = bench_now();
        if (FACET_FAILED(facet_module_load(&m, rt, path)))
            return bench_error(path);
        spent += bench_now() - t0;
        facet_module_unload(m);
    }
    return (double)spent / (double)iters;
}

static int setup(void)
{
    snprintf(path, sizeof(path), "%s", bench_module_path("bench_mod_one.so"));
    if (FACET_FAILED(facet_runtime_new(&rt, NULL)))
        return bench_fail("facet_runtime_new");
    return 0;
}

static void teardown(void)
{
    facet_runtime_free(rt);
}

static const BenchImpl impls[] = {
    {"load.dlopen", load_dlopen},
    {"load.module", load_module},
};

static const BenchArea area = {"load", setup, teardown, impls, sizeof(impls) / sizeof(impls[0])};

int main(int argc, char **argv)
{
    return bench_main(argc, argv, &area);
}
