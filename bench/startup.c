/*
 * bench/startup.c - a host starting with 1,000 plugins: a new process that
 * creates a runtime, loads a configuration with one folder of 1,000
 * manifests, creates one object from each of 10 of them (their code loads
 * then), frees the runtime and exits; without a scan index (cold) and with
 * it (warm). The files are in the page cache both times: what is measured
 * is the work, not the disk.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <facet/facet.h>

#include "harness.h"
#include "ops.h"

static char conf[4200], index_dir[4200];

static double startup_cold(uint64_t iters)
{
    (void)iters;
    return bench_startup_time(conf, "");
}

static double startup_warm(uint64_t iters)
{
    (void)iters;
    return bench_startup_time(conf, index_dir);
}

static int setup(void)
{
    char dir[4096];
    snprintf(dir, sizeof(dir), "%s/startup", bench_options.tmpdir);
    snprintf(conf, sizeof(conf), "%s/facet.conf.json", dir);
    snprintf(index_dir, sizeof(index_dir), "%s/index", dir);
    if (bench_write_startup(dir, bench_options.smoke ? 20 : 1000) != 0) {
        fprintf(stderr, "bench_startup: cannot write the plugins in %s\n", dir);
        return 1;
    }
    /* the first start writes the index; both read every file once */
    return startup_warm(0) < 0 || startup_cold(0) < 0;
}

static const BenchImpl impls[] = {
    {"startup.1000.cold", startup_cold},
    {"startup.1000.warm", startup_warm},
};

static const BenchArea area = {"startup", setup, NULL, impls, sizeof(impls) / sizeof(impls[0])};

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "--start") == 0)
        return bench_startup_child(argv[2], argv[3]);
    return bench_main(argc, argv, &area);
}
