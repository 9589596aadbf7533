/*
 * bench/scan.c - a host with 10,000 plugins: scanning their manifests (no
 * code loads) against the floors of listing and reading the same files and
 * parsing them with jansson; a new runtime scanning them again through its
 * scan index against the floor of listing and stating them; and the
 * resident memory the scanned plugins cost.
 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include <facet/facet.h>

#include "harness.h"
#include "ops.h"

#define PLUGINS 10000

static char folder[4096], index_dir[4096];
static unsigned plugins, touches;

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

static int is_manifest(const char *name)
{
    size_t n = strlen(name);
    return n > 11 && strcmp(name + n - 11, ".facet.json") == 0;
}

/* Lists the folder, and reads and parses each manifest with jansson
 * (json_loadb), keeping nothing: the floor of a scan that parses, with no
 * Facet code. */
static double scan_parse(uint64_t iters)
{
    char path[4400], buf[8192];
    uint64_t t0 = bench_now(), n = 0;
    struct dirent *e;
    DIR *d = opendir(folder);
    (void)iters;
    if (d == NULL)
        return -1;
    while ((e = readdir(d)) != NULL) {
        ssize_t got;
        size_t used = 0;
        json_t *root;
        int fd;
        if (!is_manifest(e->d_name))
            continue;
        snprintf(path, sizeof(path), "%s/%s", folder, e->d_name);
        fd = open(path, O_RDONLY);
        if (fd < 0)
            break;
        while ((got = read(fd, buf + used, sizeof(buf) - used)) > 0)
            used += (size_t)got;
        close(fd);
        root = json_loadb(buf, used, 0, NULL);
        if (root == NULL)
            break;
        n++;
        json_decref(root);
    }
    closedir(d);
    bench_use(n);
    return n == plugins ? (double)(bench_now() - t0) : -1;
}

/* Lists the folder and stats each manifest: the floor of a scan that
 * finds nothing changed. */
static double scan_stat(uint64_t iters)
{
    char path[4400];
    uint64_t t0 = bench_now(), n = 0;
    struct dirent *e;
    struct stat st;
    DIR *d = opendir(folder);
    (void)iters;
    if (d == NULL)
        return -1;
    while ((e = readdir(d)) != NULL) {
        if (!is_manifest(e->d_name))
            continue;
        snprintf(path, sizeof(path), "%s/%s", folder, e->d_name);
        if (stat(path, &st) != 0)
            break;
        n += (uint64_t)st.st_size != 0;
    }
    closedir(d);
    bench_use(n);
    return n == plugins ? (double)(bench_now() - t0) : -1;
}

/* facet_scan of the folder into a new runtime, no scan index. */
static double scan_facet(uint64_t iters)
{
    (void)iters;
    return bench_scan_time(folder);
}

/* A new runtime's first scan: no index yet, and it writes one. */
static double scan_first(uint64_t iters)
{
    char path[4400];
    struct dirent *e;
    DIR *d = opendir(index_dir);
    (void)iters;
    while (d != NULL && (e = readdir(d)) != NULL)
        if (e->d_name[0] != '.') {
            snprintf(path, sizeof(path), "%s/%s", index_dir, e->d_name);
            unlink(path);
        }
    if (d != NULL)
        closedir(d);
    return bench_scan_time_index(folder, index_dir);
}

/* A new runtime scanning the unchanged folder through the index. */
static double scan_warm(uint64_t iters)
{
    (void)iters;
    return bench_scan_time_index(folder, index_dir);
}

/* The same after 100 of the manifests were touched (new times, same
 * contents): those are parsed, and the index written again. */
static double scan_warm_changed(uint64_t iters)
{
    char path[4200];
    unsigned i, n = plugins < 100 ? plugins : 100;
    (void)iters;
    touches++;
    for (i = 0; i < n; i++) {
        struct timespec ts[2];
        ts[0].tv_sec = ts[1].tv_sec = 1600000000 + touches;
        ts[0].tv_nsec = ts[1].tv_nsec = i;
        snprintf(path, sizeof(path), "%s/bench_scan_%05u.facet.json", folder,
                 (i * (plugins / n) + touches) % plugins);
        if (utimensat(AT_FDCWD, path, ts, 0) != 0)
            return -1;
    }
    return bench_scan_time_index(folder, index_dir);
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

/* What the scan added, per plugin, in bytes. */
static double memory_per_plugin(uint64_t iters)
{
    (void)iters;
    return (resident[1] - resident[0]) * 1024.0 / plugins;
}

/* The child: prints its resident KiB with an empty runtime, then after the
 * scan. */
static int resident_child(const char *dir)
{
    FacetRuntimeOptions opts = FACET_RUNTIME_OPTIONS_INIT;
    FacetRuntime *rt;
    long before;
    opts.scan_index = ""; /* what the scan keeps, not the index's buffers */
    if (FACET_FAILED(facet_runtime_new(&rt, &opts)))
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
    snprintf(index_dir, sizeof(index_dir), "%s/index", bench_options.tmpdir);
    if (bench_write_manifests(folder, plugins) != 0) {
        fprintf(stderr, "bench_scan: cannot write %u manifests in %s\n", plugins, folder);
        return 1;
    }
    /* Written a moment ago: the index would not trust them (a change in
     * the same tick as the index could go unseen). A host's plugins are
     * older than its index. */
    if (bench_age_files(folder) != 0 || scan_first(0) < 0)
        return 1;
    return scan_read(0) < 0; /* the files are in the page cache from here */
}

static const BenchImpl impls[] = {
    {"scan.read.10000", scan_read},
    {"scan.parse.10000", scan_parse},
    {"scan.10000", scan_facet},
    {"scan.first.10000", scan_first},
    {"scan.stat.10000", scan_stat},
    {"scan.warm.10000", scan_warm},
    {"scan.warm.10000.changed100", scan_warm_changed},
    {"memory.host", memory_host},
    {"memory.scan.10000", memory_scan},
    {"memory.scan.per_plugin", memory_per_plugin},
};

static const BenchArea area = {"scan", setup, NULL, impls, sizeof(impls) / sizeof(impls[0])};

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--resident") == 0)
        return resident_child(argv[2]);
    return bench_main(argc, argv, &area);
}
