/*
 * bench/ops.c - the Facet operations that rows of several areas time.
 */
#define _POSIX_C_SOURCE 200809L
#include "ops.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

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
