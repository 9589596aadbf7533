/*
 * bench/ops.c - the Facet operations that rows of several areas time.
 */
#define _GNU_SOURCE /* dladdr */
#include "ops.h"

#include <dirent.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

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

double bench_scan_time(const char *folder)
{
    return bench_scan_time_index(folder, "");
}

double bench_scan_time_index(const char *folder, const char *index)
{
    FacetRuntimeOptions opts = FACET_RUNTIME_OPTIONS_INIT;
    FacetRuntime *rt;
    FacetResult r;
    uint64_t t0;
    opts.scan_index = index;
    if (FACET_FAILED(facet_runtime_new(&rt, &opts)))
        return bench_error("facet_runtime_new");
    t0 = bench_now();
    r = facet_scan(NULL, rt, folder);
    t0 = bench_now() - t0;
    if (r != FACET_OK)
        bench_fail(folder);
    facet_runtime_free(rt);
    return r == FACET_OK ? (double)t0 : -1;
}

int bench_write_manifests(const char *folder, unsigned count)
{
    char path[4096];
    unsigned i;
    if (mkdir(folder, 0755) != 0)
        return -1;
    for (i = 0; i < count; i++) {
        FILE *f;
        snprintf(path, sizeof(path), "%s/bench_scan_%05u.facet.json", folder, i);
        f = fopen(path, "w");
        if (f == NULL)
            return -1;
        fprintf(f,
                "{\n"
                "  \"name\": \"bench.scan.%05u\",\n"
                "  \"version\": \"1.0.0\",\n"
                "  \"api_level\": 1,\n"
                "  \"description\": \"A module of the scan benchmark\",\n"
                "  \"library\": \"bench_scan_%05u.so\",\n"
                "  \"classes\": [{\n"
                "    \"clsid\": \"{B3C4E0A4-6F2D-4E57-9A10-5C3B2D1E%04X}\",\n"
                "    \"contract\": \"bench.scan.%05u.adder\",\n"
                "    \"version\": \"1.0.0\",\n"
                "    \"threading\": \"any\",\n"
                "    \"interfaces\": [\"{B3C4E0A1-6F2D-4E57-9A10-5C3B2D1E0F01}\"]\n"
                "  }]\n"
                "}\n",
                i, i, i, i);
        if (fclose(f) != 0)
            return -1;
    }
    return 0;
}

int bench_age_files(const char *folder)
{
    char path[4096];
    struct timespec ts[2];
    struct dirent *e;
    DIR *d = opendir(folder);
    if (d == NULL)
        return -1;
    clock_gettime(CLOCK_REALTIME, &ts[0]);
    ts[0].tv_sec -= 3600;
    ts[1] = ts[0];
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof(path), "%s/%s", folder, e->d_name);
        if (utimensat(AT_FDCWD, path, ts, 0) != 0) {
            closedir(d);
            return -1;
        }
    }
    closedir(d);
    return 0;
}

#define STARTUP_MODULES 10

int bench_write_startup(const char *dir, unsigned count)
{
    char plugins[4096], path[4400];
    unsigned k;
    FILE *f;
    snprintf(plugins, sizeof(plugins), "%s/plugins", dir);
    if (mkdir(dir, 0755) != 0 || bench_write_manifests(plugins, count - STARTUP_MODULES) != 0)
        return -1;
    for (k = 0; k < STARTUP_MODULES; k++) {
        char lib[64];
        snprintf(lib, sizeof(lib), "bench_mod_v%u.so", k);
        snprintf(path, sizeof(path), "%s/%s", plugins, lib);
        if (bench_copy_file(bench_module_path(lib), path) != 0)
            return -1;
        snprintf(path, sizeof(path), "%s/bench_v%u.facet.json", plugins, k);
        f = fopen(path, "w");
        if (f == NULL)
            return -1;
        fprintf(f,
                "{\"name\": \"bench.v%u\", \"version\": \"1.0.0\", \"api_level\": 1,\n"
                " \"library\": \"%s\",\n"
                " \"classes\": [{\"clsid\": \"{B3C4E0A1-6F2D-4E57-9A10-5C3B2D1E0F%02X}\",\n"
                "   \"contract\": \"bench.v%u.adder\", \"version\": \"1.0.0\",\n"
                "   \"threading\": \"any\",\n"
                "   \"interfaces\": [\"{B3C4E0A1-6F2D-4E57-9A10-5C3B2D1E0F01}\"]}]}\n",
                k, lib, 0x20 + k, k);
        if (fclose(f) != 0)
            return -1;
    }
    snprintf(path, sizeof(path), "%s/facet.conf.json", dir);
    f = fopen(path, "w");
    if (f == NULL)
        return -1;
    fprintf(f, "{\"plugin_folders\": [\"plugins\"]}\n");
    if (fclose(f) != 0)
        return -1;
    return bench_age_files(plugins);
}

int bench_startup_child(const char *conf, const char *index)
{
    FacetRuntimeOptions opts = FACET_RUNTIME_OPTIONS_INIT;
    FacetRuntime *rt;
    unsigned k;
    opts.scan_index = index;
    if (FACET_FAILED(facet_runtime_new(&rt, &opts)))
        return bench_fail("facet_runtime_new");
    if (facet_runtime_load_config(NULL, rt, conf) != FACET_OK)
        return bench_fail(conf);
    for (k = 0; k < STARTUP_MODULES; k++) {
        char name[64];
        IBenchAdder *p;
        snprintf(name, sizeof(name), "bench.v%u.adder", k);
        if (FACET_FAILED(facet_create_instance_by_name((void **)&p, rt, name, NULL,
                                                       &IID_IBenchAdder)))
            return bench_fail(name);
        IBenchAdder_Release(p);
    }
    return facet_runtime_free(rt) == FACET_OK ? 0 : bench_fail("facet_runtime_free");
}

double bench_startup_time(const char *conf, const char *index)
{
    const char *args[] = {"--start", conf, index, NULL};
    return bench_self_time(args);
}

double bench_self_time(const char *const *args)
{
    char self[64];
    char *argv[8];
    uint64_t t0;
    pid_t pid;
    int status = 0;
    size_t i;
    snprintf(self, sizeof(self), "/proc/%d/exe", (int)getpid());
    argv[0] = self;
    for (i = 0; args[i] != NULL && i < 6; i++)
        argv[i + 1] = (char *)args[i];
    argv[i + 1] = NULL;
    t0 = bench_now();
    if (posix_spawn(&pid, self, NULL, NULL, argv, environ) != 0)
        return -1;
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return -1;
    return (double)(bench_now() - t0);
}

/* ---- A process-isolated adder ------------------------------------------- */

/* bench_mod_one.so in a folder of its own with a manifest that says
 * "isolation": "process", a configuration over it ("restart":
 * "on-create"), and bench_ps.so's proxies and stubs loaded: written and
 * loaded once, by the first bench_isolated_runtime. */
static char isolated_conf[4200]; /* written once */

int bench_write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return -1;
    fputs(text, f);
    return fclose(f) == 0 ? 0 : -1;
}

static const char isolated_manifest[] =
    "{\"name\": \"bench\", \"version\": \"1.0.0\", \"api_level\": 1,\n"
    " \"library\": \"bench_mod_one.so\", \"isolation\": \"process\",\n"
    " \"classes\": [{\"clsid\": \"{B3C4E0A1-6F2D-4E57-9A10-5C3B2D1E0F10}\",\n"
    "   \"contract\": \"" BENCH_ADDER_CONTRACT "\", \"version\": \"1.0.0\",\n"
    "   \"threading\": \"any\",\n"
    "   \"interfaces\": [\"{B3C4E0A1-6F2D-4E57-9A10-5C3B2D1E0F01}\"]}]}\n";

static int isolated_setup(void)
{
    char dir[4096], path[4200], text[4400], conf[4200];
    FacetResult (*load)(const char *path);
    Dl_info info;
    void *libfacet;
    snprintf(dir, sizeof(dir), "%s/oop-plugins", bench_options.tmpdir);
    snprintf(path, sizeof(path), "%s/bench_mod_one.so", dir);
    if (mkdir(dir, 0755) != 0 || bench_copy_file(bench_module_path("bench_mod_one.so"), path) != 0)
        return bench_fail(dir);
    snprintf(path, sizeof(path), "%s/bench.facet.json", dir);
    if (bench_write_text(path, isolated_manifest) != 0)
        return bench_fail(path);
    snprintf(conf, sizeof(conf), "%s/oop.conf.json", bench_options.tmpdir);
    snprintf(text, sizeof(text),
             "{\"plugin_folders\": [\"%s\"],\n"
             " \"modules\": {\"bench\": {\"restart\": \"on-create\"}}}\n",
             dir);
    if (bench_write_text(conf, text) != 0)
        return bench_fail(conf);
    /* libfacet's facet_proxy_stubs_load, which the process hosts it starts
     * hear of: bench_oop has one of its own, from its static copy of
     * core/remote, that would keep the library to itself. */
    if (dladdr((void *)facet_runtime_new, &info) == 0 ||
        (libfacet = dlopen(info.dli_fname, RTLD_NOW | RTLD_NOLOAD)) == NULL ||
        (*(void **)&load = dlsym(libfacet, "facet_proxy_stubs_load")) == NULL) {
        fprintf(stderr, "bench: libfacet's facet_proxy_stubs_load: %s\n", dlerror());
        return 1;
    }
    dlclose(libfacet);
    if (FACET_FAILED(load(bench_module_path("bench_ps.so"))))
        return bench_fail("bench_ps.so");
    memcpy(isolated_conf, conf, sizeof(conf));
    return 0;
}

/* The runtime's log: each death of oop.disconnect would be an error line. */
static void isolated_log(uint32_t level, const char *module, const char *message, void *payload)
{
    (void)level;
    (void)module;
    (void)message;
    (void)payload;
}

FacetRuntime *bench_isolated_runtime(void)
{
    FacetRuntime *rt = NULL;
    FacetRuntimeOptions opts = FACET_RUNTIME_OPTIONS_INIT;
    if (isolated_conf[0] == '\0' && isolated_setup() != 0)
        return NULL;
    opts.scan_index = "";
    opts.log = isolated_log;
    if (FACET_FAILED(facet_runtime_new(&rt, &opts)))
        return bench_fail("facet_runtime_new"), NULL;
    if (FACET_FAILED(facet_runtime_load_config(NULL, rt, isolated_conf))) {
        bench_fail(isolated_conf);
        facet_runtime_free(rt);
        return NULL;
    }
    return rt;
}

IBenchAdder *bench_isolated_adder(FacetRuntime *rt)
{
    IBenchAdder *a = NULL;
    if (FACET_FAILED(facet_create_instance_by_name((void **)&a, rt, BENCH_ADDER_CONTRACT, NULL,
                                                   &IID_IBenchAdder)))
        return bench_fail("facet_create_instance_by_name (process isolation)"), NULL;
    return a;
}

double bench_isolated_calls(IBenchAdder *a, uint64_t iters)
{
    int64_t before = 0, total = 0;
    uint64_t i, t0;
    double t;
    if (IBenchAdder_Add(a, 0, &before) != FACET_OK)
        return bench_error("IBenchAdder_Add (process isolation)");
    t0 = bench_now();
    for (i = 0; i < iters; i++)
        if (IBenchAdder_Add(a, 1, &total) != FACET_OK)
            return bench_error("IBenchAdder_Add (process isolation)");
    t = (double)(bench_now() - t0) / (double)iters;
    if (total != before + (int64_t)iters)
        return bench_error("IBenchAdder_Add (process isolation): a wrong total");
    return t;
}
