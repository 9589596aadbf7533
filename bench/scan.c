/*
 * bench/scan.c - a host with 10,000 plugins: scanning their manifests (no
 * code loads) against the floor of reading the same files, and the resident
 * memory the scanned plugins cost.
 */
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <facet/facet.h>

#include "harness.h"
#include "ops.h"

#define PLUGINS 10000

static char folder[4096];
static unsigned plugins;

/* Opens, reads and closes each manifest: the I/O any scan does. */
static double scan_read(uint64_t iters)
{
    char path[4200], buf[4096];
    unsigned i;
    uint64_t t0 = bench_now(), bytes = 0;
    (void)iters;
    for (i = 0; i < plugins; i++) {
        ssize_t n;
        int fd;
        snprintf(path, sizeof(path), "%s/bench_scan_%05u.facet.json", folder, i);
        fd = open(path, O_RDONLY);
        if (fd < 0)
            return -1;
        while ((n = read(fd, buf, sizeof(buf))) > 0)
            bytes += (uint64_t)n;
        close(fd);
    }
    bench_use(bytes);
    return (double)(bench_now() - t0);
}

/* facet_scan of the folder into a new runtime. */
static double scan_facet(uint64_t iters)
{
    (void)iters;
    return bench_scan_time(folder);
}

static long resident_kib(void)
{
    long pages = 0, rss = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f == NULL)
        return -1;
    if (fscanf(f, "%ld %ld", &pages, &rss) != 2)
        rss = -1;
    fclose(f);
    return rss < 0 ? -1 : rss * (sysconf(_SC_PAGESIZE) / 1024);
}

/* The resident size of a new host process (this program, run again with
 * --resident FOLDER) before and after it scans the folder, keeping the
 * runtime: what a host with that many plugins carries. A fresh process, as
 * a forked one would count pages it shares with this one. Both rows come
 * from the same child. */
static double resident[2];

static int host_resident(void)
{
    char cmd[4200];
    FILE *p;
    int ok;
    snprintf(cmd, sizeof(cmd), "'/proc/%d/exe' --resident '%s'", (int)getpid(), folder);
    p = popen(cmd, "r");
    if (p == NULL)
        return -1;
    ok = fscanf(p, "%lf %lf", &resident[0], &resident[1]) == 2;
    return pclose(p) == 0 && ok ? 0 : -1;
}

static double memory_host(uint64_t iters)
{
    (void)iters;
    return host_resident() == 0 ? resident[0] : -1;
}

/* Runs right after memory.host in the same run: the same child's second
 * figure. */
static double memory_scan(uint64_t iters)
{
    (void)iters;
    return resident[1];
}

/* The child: prints its resident KiB with an empty runtime, then after the
 * scan. */
static int resident_child(const char *dir)
{
    FacetRuntime *rt;
    long before;
    if (FACET_FAILED(facet_runtime_new(&rt, NULL)))
        return bench_fail("facet_runtime_new");
    before = resident_kib();
    if (facet_scan(NULL, rt, dir) != FACET_OK)
        return bench_fail("facet_scan");
    printf("%ld %ld\n", before, resident_kib());
    return 0; /* the runtime dies with the process */
}

static int setup(void)
{
    plugins = bench_options.smoke ? 10 : PLUGINS;
    snprintf(folder, sizeof(folder), "%s/plugins", bench_options.tmpdir);
    if (bench_write_manifests(folder, plugins) != 0) {
        fprintf(stderr, "bench_scan: cannot write %u manifests in %s\n", plugins, folder);
        return 1;
    }
    return scan_read(0) < 0; /* the files are in the page cache from here */
}

static const BenchImpl impls[] = {
    {"scan.read.10000", scan_read},
    {"scan.10000", scan_facet},
    {"memory.host", memory_host},
    {"memory.scan.10000", memory_scan},
};

static const BenchArea area = {"scan", setup, NULL, impls, sizeof(impls) / sizeof(impls[0])};

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--resident") == 0)
        return resident_child(argv[2]);
    return bench_main(argc, argv, &area);
}
