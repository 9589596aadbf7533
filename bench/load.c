/*
 * bench/load.c - loading a module through the runtime (file checks, entry,
 * factory, module and class info, registration) against the bare minimum a
 * host could do: dlopen, dlsym, the entry, GetModuleInfo. Only the load is
 * timed; each module is unloaded again outside the clock. load.manifest is
 * the same module loaded on first use after a scan, checked against its
 * manifest. The reload.* rows replace that module while a runtime serves
 * it: reload.call by facet_runtime_reload alone, reload.latency from the
 * rename of a new build into a watched folder to the first instance made
 * by it (the watcher's quiet time, then the reload), with the default
 * quiet time and with 10 ms.
 */
#include <dlfcn.h>
#include <sched.h>
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

/* bench_mod_one.so and the manifest that describes it, in folder dir
 * (under the temporary folder) whose path goes to out. */
static int write_scanned_in(char *out, size_t size, const char *dir)
{
    char file[4200];
    FILE *f;
    snprintf(out, size, "%s/%s", bench_options.tmpdir, dir);
    snprintf(file, sizeof(file), "%s/bench_mod_one.so", out);
    if (mkdir(out, 0755) != 0 || bench_copy_file(path, file) != 0)
        return 1;
    snprintf(file, sizeof(file), "%s/bench.facet.json", out);
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

/* ---- Hot reload --------------------------------------------------------- */

/* A runtime serving the module of a folder of its own, watched with a
 * quiet time (0: not watched). */
typedef struct Reloading {
    FacetRuntime *rt;
    char dir[4096];
    IBenchAdder *held;  /* an object of the version serving: it keeps that
                         * version mapped, so that the next one cannot be
                         * mapped at its address */
} Reloading;

static Reloading direct, watched, watched_10ms;

static void quiet_log(uint32_t level, const char *module, const char *message, void *payload)
{
    (void)level;
    (void)module;
    (void)message;
    (void)payload;
}

static int reloading_new(Reloading *r, const char *dir, uint32_t delay_ms)
{
    FacetRuntimeOptions opts = FACET_RUNTIME_OPTIONS_INIT;
    FacetWatchOptions watch = FACET_WATCH_OPTIONS_INIT;
    opts.log = quiet_log;
    if (write_scanned_in(r->dir, sizeof(r->dir), dir) != 0) {
        fprintf(stderr, "bench_load: cannot write %s\n", r->dir);
        return 1;
    }
    watch.delay_ms = delay_ms;
    if (FACET_FAILED(facet_runtime_new(&r->rt, &opts)) ||
        facet_scan(NULL, r->rt, r->dir) != FACET_OK ||
        (delay_ms != 0 && FACET_FAILED(facet_runtime_watch(r->rt, &watch))) ||
        FACET_FAILED(facet_create_instance((void **)&r->held, r->rt, &CLSID_BenchAdder, NULL,
                                           &IID_IBenchAdder)))
        return bench_fail(r->dir);
    return 0;
}

static void reloading_free(Reloading *r)
{
    if (r->held != NULL)
        IBenchAdder_Release(r->held);
    r->held = NULL;
    facet_runtime_free(r->rt);
}

static double reload_call(uint64_t iters)
{
    uint64_t i, spent = 0;
    for (i = 0; i < iters; i++) {
        uint64_t t0 = bench_now();
        if (FACET_FAILED(facet_runtime_reload(direct.rt, "bench")))
            return bench_error("facet_runtime_reload");
        spent += bench_now() - t0;
    }
    facet_runtime_collect(direct.rt);
    return (double)spent / (double)iters;
}

/* One reload by the watcher: the new build is written next to the folder
 * and renamed into it (the clock starts), and new instances are made until
 * one comes from the new code: its vtable is in another mapping. */
static double reload_latency(Reloading *r)
{
    char tmp[4200], file[4200];
    IBenchAdder *a = NULL;
    uint64_t t0, spent;
    snprintf(tmp, sizeof(tmp), "%s/../bench_mod_one.so.new", r->dir);
    snprintf(file, sizeof(file), "%s/bench_mod_one.so", r->dir);
    remove(tmp);
    if (bench_copy_file(path, tmp) != 0)
        return bench_error(tmp);
    t0 = bench_now();
    if (rename(tmp, file) != 0)
        return bench_error(file);
    for (;;) {
        if (FACET_FAILED(facet_create_instance((void **)&a, r->rt, &CLSID_BenchAdder, NULL,
                                               &IID_IBenchAdder)))
            return bench_error("facet_create_instance while reloading");
        if (a->lpVtbl != r->held->lpVtbl)
            break;
        IBenchAdder_Release(a);
        if (bench_now() - t0 > 60ull * 1000000000ull)
            return bench_error("no reload within 60 s");
        sched_yield(); /* the watcher needs the CPU more */
    }
    spent = bench_now() - t0;
    IBenchAdder_Release(r->held);
    r->held = a;
    facet_runtime_collect(r->rt);
    return (double)spent;
}

static double reload_latency_default(uint64_t iters)
{
    (void)iters;
    return reload_latency(&watched);
}

static double reload_latency_10ms(uint64_t iters)
{
    (void)iters;
    return reload_latency(&watched_10ms);
}

static int setup(void)
{
    snprintf(path, sizeof(path), "%s", bench_module_path("bench_mod_one.so"));
    if (write_scanned_in(scanned, sizeof(scanned), "scanned") != 0) {
        fprintf(stderr, "bench_load: cannot write %s\n", scanned);
        return 1;
    }
    if (FACET_FAILED(facet_runtime_new(&rt, NULL)))
        return bench_fail("facet_runtime_new");
    if (reloading_new(&direct, "direct", 0) != 0 ||
        reloading_new(&watched, "watched", FACET_WATCH_DELAY_DEFAULT) != 0 ||
        reloading_new(&watched_10ms, "watched_10ms", 10) != 0)
        return 1;
    return 0;
}

static void teardown(void)
{
    reloading_free(&direct);
    reloading_free(&watched);
    reloading_free(&watched_10ms);
    facet_runtime_free(rt);
}

static const BenchImpl impls[] = {
    {"load.dlopen", load_dlopen},
    {"load.module", load_module},
    {"load.manifest", load_manifest},
    {"reload.call", reload_call},
    {"reload.latency", reload_latency_default},
    {"reload.latency.10ms", reload_latency_10ms},
};

static const BenchArea area = {"load", setup, teardown, impls, sizeof(impls) / sizeof(impls[0])};

int main(int argc, char **argv)
{
    return bench_main(argc, argv, &area);
}
