/*
 * bench/load.c - loading a module through the runtime (file checks, entry,
 * factory, module and class info, registration) against the bare minimum a
 * host could do: dlopen, dlsym, the entry, GetModuleInfo. Only the load is
 * timed; each module is unloaded again outside the clock. load.manifest is
 * the same module loaded on first use after a scan, checked against its
 * manifest.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <sys/stat.h>

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

/* A scanned module loads on first use and is checked against its manifest:
 * a new runtime scans a folder with the module and its manifest, and the
 * first facet_create_instance (timed) loads, checks and creates. */
static char scanned[4096];

static double load_manifest(uint64_t iters)
{
    uint64_t i, spent = 0;
    for (i = 0; i < iters; i++) {
        FacetRuntime *scan_rt;
        IBenchAdder *adder;
        uint64_t t0;
        if (FACET_FAILED(facet_runtime_new(&scan_rt, NULL)) ||
            facet_scan(NULL, scan_rt, scanned) != FACET_OK)
            return bench_error(scanned);
        t0 = bench_now();
        if (FACET_FAILED(facet_create_instance((void **)&adder, scan_rt, &CLSID_BenchAdder, NULL,
                                               &IID_IBenchAdder)))
            return bench_error("facet_create_instance of a scanned class");
        spent += bench_now() - t0;
        IBenchAdder_Release(adder);
        facet_runtime_free(scan_rt);
    }
    return (double)spent / (double)iters;
}

/* bench_mod_one.so and the manifest that describes it, in a folder. */
static int write_scanned(void)
{
    char file[4200];
    FILE *f;
    snprintf(scanned, sizeof(scanned), "%s/scanned", bench_options.tmpdir);
    snprintf(file, sizeof(file), "%s/bench_mod_one.so", scanned);
    if (mkdir(scanned, 0755) != 0 || bench_copy_file(path, file) != 0)
        return 1;
    snprintf(file, sizeof(file), "%s/bench.facet.json", scanned);
    f = fopen(file, "w");
    if (f == NULL)
        return 1;
    fprintf(f,
            "{\"name\": \"bench\", \"version\": \"1.0.0\", \"api_level\": %u,\n"
            " \"library\": \"bench_mod_one.so\",\n"
            " \"classes\": [{\"clsid\": \"{B3C4E0A1-6F2D-4E57-9A10-5C3B2D1E0F10}\",\n"
            "   \"contract\": \"" BENCH_ADDER_CONTRACT "\", \"version\": \"1.0.0\",\n"
            "   \"threading\": \"any\",\n"
            "   \"interfaces\": [\"{B3C4E0A1-6F2D-4E57-9A10-5C3B2D1E0F01}\"]}]}\n",
            (unsigned)FACET_API_LEVEL);
    return fclose(f) != 0;
}

static int setup(void)
{
    snprintf(path, sizeof(path), "%s", bench_module_path("bench_mod_one.so"));
    if (write_scanned() != 0) {
        fprintf(stderr, "bench_load: cannot write %s\n", scanned);
        return 1;
    }
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
    {"load.manifest", load_manifest},
};

static const BenchArea area = {"load", setup, teardown, impls, sizeof(impls) / sizeof(impls[0])};

int main(int argc, char **argv)
{
    return bench_main(argc, argv, &area);
}
