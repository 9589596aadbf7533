/*
 * bench/peer_libpeas.c - libpeas, GNOME's plugin engine, loading a C plugin,
 * against Facet loading a module, in the same process. Each load is of a
 * file not loaded before (a fresh copy), so that neither side is measured
 * on a module it already has in memory. The baseline of each peer.* row is
 * libpeas's figure: a ratio below 1 means Facet is faster. Scanning reads
 * 1,000 .plugin files against facet_scan of 1,000 manifests, each into a
 * new engine or runtime. Starting a host is a new process on each side,
 * with 1,000 plugins of which 10 are loaded and make an object.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <libpeas/peas.h>

#include <facet/facet.h>

#include "harness.h"
#include "ops.h"

#define PLUGINS_PER_RUN 20
#define SCANNED 1000

static FacetRuntime *rt;
static unsigned peas_run, facet_run;

static unsigned plugins_per_run(void)
{
    return bench_options.smoke ? 1 : PLUGINS_PER_RUN;
}

static void run_dir(char *out, size_t size, const char *side, unsigned run)
{
    snprintf(out, size, "%s/%s/r%u", bench_options.tmpdir, side, run);
}

static double libpeas_load(uint64_t iters)
{
    char dir[4096];
    PeasEngine *engine;
    const GList *l;
    uint64_t spent = 0;
    unsigned loaded = 0;
    (void)iters;
    run_dir(dir, sizeof(dir), "peas", peas_run++);
    engine = peas_engine_new();
    peas_engine_add_search_path(engine, dir, NULL);
    for (l = peas_engine_get_plugin_list(engine); l != NULL; l = l->next) {
        uint64_t t0 = bench_now();
        gboolean ok = peas_engine_load_plugin(engine, l->data);
        spent += bench_now() - t0;
        if (!ok || !peas_plugin_info_is_loaded(l->data)) {
            fprintf(stderr, "bench_peer_libpeas: libpeas could not load %s\n",
                    peas_plugin_info_get_module_name(l->data));
            g_object_unref(engine);
            return -1;
        }
        loaded++;
    }
    g_object_unref(engine);
    if (loaded != plugins_per_run()) {
        fprintf(stderr, "bench_peer_libpeas: libpeas found %u plugins in %s, expected %u\n",
                loaded, dir, plugins_per_run());
        return -1;
    }
    return (double)spent / loaded;
}

static double facet_load(uint64_t iters)
{
    char dir[4096], path[4200];
    uint64_t spent = 0;
    unsigned k, n = plugins_per_run();
    (void)iters;
    run_dir(dir, sizeof(dir), "facet", facet_run++);
    for (k = 0; k < n; k++) {
        FacetModule *m;
        uint64_t t0;
        snprintf(path, sizeof(path), "%s/bench_mod_%u.so", dir, k);
        t0 = bench_now();
        if (FACET_FAILED(facet_module_load(&m, rt, path)))
            return bench_error(path);
        spent += bench_now() - t0;
        facet_module_unload(m); /* every copy has the same classes */
    }
    return (double)spent / n;
}

/* Writes run's folders: n plugins for libpeas, n module copies for Facet. */
static int make_run(unsigned run)
{
    char dir[4096], path[4200], lib[4096];
    unsigned k, n = plugins_per_run();
    snprintf(lib, sizeof(lib), "%s", bench_module_path("libbenchpeas.so"));
    run_dir(dir, sizeof(dir), "peas", run);
    if (g_mkdir_with_parents(dir, 0755) != 0)
        return -1;
    for (k = 0; k < n; k++) {
        FILE *f;
        snprintf(path, sizeof(path), "%s/benchpeas_%u_%u.plugin", dir, run, k);
        f = fopen(path, "w");
        if (f == NULL)
            return -1;
        fprintf(f, "[Plugin]\nModule=benchpeas_%u_%u\nName=Bench %u\n"
                   "Description=peer.libpeas.load\n",
                run, k, k);
        fclose(f);
        snprintf(path, sizeof(path), "%s/libbenchpeas_%u_%u.so", dir, run, k);
        if (bench_copy_file(lib, path) != 0)
            return -1;
    }
    snprintf(lib, sizeof(lib), "%s", bench_module_path("bench_mod_one.so"));
    run_dir(dir, sizeof(dir), "facet", run);
    if (g_mkdir_with_parents(dir, 0755) != 0)
        return -1;
    for (k = 0; k < n; k++) {
        snprintf(path, sizeof(path), "%s/bench_mod_%u.so", dir, k);
        if (bench_copy_file(lib, path) != 0)
            return -1;
    }
    return 0;
}

/* ---- Scanning: 1,000 .plugin files against 1,000 manifests ----------- */

static char scan_peas[4096], scan_facet[4096];

static double libpeas_scan(uint64_t iters)
{
    PeasEngine *engine = peas_engine_new();
    unsigned n = 0;
    uint64_t t0 = bench_now();
    const GList *l;
    (void)iters;
    peas_engine_add_search_path(engine, scan_peas, NULL);
    for (l = peas_engine_get_plugin_list(engine); l != NULL; l = l->next)
        n++;
    t0 = bench_now() - t0;
    g_object_unref(engine);
    if (n != (bench_options.smoke ? 10u : SCANNED)) {
        fprintf(stderr, "bench_peer_libpeas: libpeas found %u plugins in %s\n", n, scan_peas);
        return -1;
    }
    return (double)t0;
}

static double facet_scan_row(uint64_t iters)
{
    (void)iters;
    return bench_scan_time(scan_facet);
}

/* The libpeas side of the scan: as many .plugin files, with the same
 * fields a manifest has that a .plugin file can say. */
static int write_plugin_files(const char *dir, unsigned count)
{
    char path[4200];
    unsigned i;
    if (g_mkdir_with_parents(dir, 0755) != 0)
        return -1;
    for (i = 0; i < count; i++) {
        FILE *f;
        snprintf(path, sizeof(path), "%s/bench_scan_%05u.plugin", dir, i);
        f = fopen(path, "w");
        if (f == NULL)
            return -1;
        fprintf(f,
                "[Plugin]\nModule=bench_scan_%05u\nName=bench.scan.%05u\nVersion=1.0.0\n"
                "Description=A module of the scan benchmark\n",
                i, i);
        if (fclose(f) != 0)
            return -1;
    }
    return 0;
}

/* ---- Starting a host: a new process, 1,000 plugins, 10 loaded ------- *
 * libpeas: an engine, a search path of 1,000 .plugin files (10 of plugins
 * that exist), each of the 10 loaded and one object of its type made.
 * Facet: the same process as startup.1000.warm (bench/ops.c), its scan
 * index written by an earlier start. */

#define STARTED 10

static char start_peas[4096], start_facet[4096], start_conf[4200], start_index[4200];

static int peas_start_child(const char *dir)
{
    PeasEngine *engine = peas_engine_new();
    unsigned k;
    peas_engine_add_search_path(engine, dir, NULL);
    for (k = 0; k < STARTED; k++) {
        char module[64], type_name[96];
        PeasPluginInfo *info;
        GObject *obj;
        GType type;
        snprintf(module, sizeof(module), "benchpeas_start_%u", k);
        info = peas_engine_get_plugin_info(engine, module);
        if (info == NULL || !peas_engine_load_plugin(engine, info)) {
            fprintf(stderr, "bench_peer_libpeas: libpeas could not load %s\n", module);
            return 1;
        }
        snprintf(type_name, sizeof(type_name), "BenchPeasPlugin_%s", module);
        type = g_type_from_name(type_name);
        if (type == 0)
            return 1;
        obj = g_object_new(type, NULL);
        g_object_unref(obj);
    }
    g_object_unref(engine);
    return 0;
}

static double libpeas_startup(uint64_t iters)
{
    const char *args[] = {"--peas-start", start_peas, NULL};
    (void)iters;
    return bench_self_time(args);
}

static double facet_startup(uint64_t iters)
{
    (void)iters;
    return bench_startup_time(start_conf, start_index);
}

static int write_start(void)
{
    char path[4200], lib[4096];
    unsigned k, count = bench_options.smoke ? 20 : 1000;
    snprintf(start_peas, sizeof(start_peas), "%s/start-peas", bench_options.tmpdir);
    snprintf(start_facet, sizeof(start_facet), "%s/start-facet", bench_options.tmpdir);
    snprintf(start_conf, sizeof(start_conf), "%s/facet.conf.json", start_facet);
    snprintf(start_index, sizeof(start_index), "%s/index", start_facet);
    if (write_plugin_files(start_peas, count - STARTED) != 0 ||
        bench_write_startup(start_facet, count) != 0)
        return -1;
    snprintf(lib, sizeof(lib), "%s", bench_module_path("libbenchpeas.so"));
    for (k = 0; k < STARTED; k++) {
        FILE *f;
        snprintf(path, sizeof(path), "%s/benchpeas_start_%u.plugin", start_peas, k);
        f = fopen(path, "w");
        if (f == NULL)
            return -1;
        fprintf(f, "[Plugin]\nModule=benchpeas_start_%u\nName=Start %u\n"
                   "Description=peer.libpeas.startup\n",
                k, k);
        fclose(f);
        snprintf(path, sizeof(path), "%s/libbenchpeas_start_%u.so", start_peas, k);
        if (bench_copy_file(lib, path) != 0)
            return -1;
    }
    /* as a host's plugins are, older than the Facet index */
    return bench_age_files(start_peas);
}

static int setup(void)
{
    unsigned count = bench_options.smoke ? 10 : SCANNED;
    unsigned run;
    if (FACET_FAILED(facet_runtime_new(&rt, NULL)))
        return bench_fail("facet_runtime_new");
    /* One more run than measured: the first warms both sides up. */
    for (run = 0; run <= bench_options.runs; run++)
        if (make_run(run) != 0) {
            fprintf(stderr, "bench_peer_libpeas: cannot write the plugins of run %u in %s\n", run,
                    bench_options.tmpdir);
            return 1;
        }
    snprintf(scan_peas, sizeof(scan_peas), "%s/scan-peas", bench_options.tmpdir);
    snprintf(scan_facet, sizeof(scan_facet), "%s/scan-facet", bench_options.tmpdir);
    if (write_plugin_files(scan_peas, count) != 0 || bench_write_manifests(scan_facet, count) != 0) {
        fprintf(stderr, "bench_peer_libpeas: cannot write the scanned folders in %s\n",
                bench_options.tmpdir);
        return 1;
    }
    if (write_start() != 0) {
        fprintf(stderr, "bench_peer_libpeas: cannot write the start-up folders in %s\n",
                bench_options.tmpdir);
        return 1;
    }
    /* the first Facet start writes its scan index */
    return libpeas_load(0) < 0 || facet_load(0) < 0 || libpeas_scan(0) < 0 ||
           facet_scan_row(0) < 0 || libpeas_startup(0) < 0 || facet_startup(0) < 0;
}

static void teardown(void)
{
    facet_runtime_free(rt);
}

static const BenchImpl impls[] = {
    {"libpeas.load", libpeas_load},
    {"peer.libpeas.load", facet_load},
    {"libpeas.scan", libpeas_scan},
    {"peer.libpeas.scan", facet_scan_row},
    {"libpeas.startup", libpeas_startup},
    {"peer.libpeas.startup", facet_startup},
};

static const BenchArea area = {"peer_libpeas", setup, teardown, impls,
                               sizeof(impls) / sizeof(impls[0])};

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--peas-start") == 0)
        return peas_start_child(argv[2]);
    if (argc == 4 && strcmp(argv[1], "--start") == 0)
        return bench_startup_child(argv[2], argv[3]);
    return bench_main(argc, argv, &area);
}
