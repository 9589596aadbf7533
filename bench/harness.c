/*
 * bench/harness.c - the run loop shared by every benchmark program.
 */
#define _GNU_SOURCE
#include "harness.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <facet/facet.h>
#ifdef FACET_BENCH_HAVE_CALLGRIND
#include <valgrind/callgrind.h>
#else /* no counting: bench/run --instructions needs valgrind's headers */
#define RUNNING_ON_VALGRIND 0
#define CALLGRIND_ZERO_STATS
#define CALLGRIND_DUMP_STATS_AT(name) (void)(name)
#endif

#include "benchmark-list.h"

typedef struct BenchRow {
    const char *area;
    const char *name;
    const char *unit;
    const char *baseline;
    unsigned flags;
    const char *what;
} BenchRow;

#define BENCH_ROW_(area, name, unit, baseline, flags, what) {#area, name, unit, baseline, flags, what},
static const BenchRow bench_rows[] = {FACET_BENCH_LIST(BENCH_ROW_)};
#define BENCH_ROW_COUNT (sizeof(bench_rows) / sizeof(bench_rows[0]))

BenchOptions bench_options = {21, 0, 0, 0, 10e6, NULL, NULL};

uint64_t bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static cpu_set_t process_cpus;

unsigned bench_cpu_count(void)
{
    return (unsigned)CPU_COUNT(&process_cpus);
}

int bench_cpu_id(unsigned index)
{
    unsigned n = 0, want = index % bench_cpu_count();
    int cpu;
    for (cpu = 0; cpu < CPU_SETSIZE; cpu++)
        if (CPU_ISSET(cpu, &process_cpus) && n++ == want)
            return cpu;
    return -1;
}

int bench_pin_thread(unsigned index)
{
    cpu_set_t one;
    int cpu = bench_cpu_id(index);
    if (cpu < 0)
        return -1;
    CPU_ZERO(&one);
    CPU_SET(cpu, &one);
    return sched_setaffinity(0, sizeof(one), &one);
}

static char module_path_buf[4096];

const char *bench_module_path(const char *file)
{
    snprintf(module_path_buf, sizeof(module_path_buf), "%s/%s", bench_options.module_dir, file);
    return module_path_buf;
}

int bench_copy_file(const char *from, const char *to)
{
    char buf[65536];
    ssize_t n;
    int in = open(from, O_RDONLY), out;
    if (in < 0)
        return -1;
    out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0755);
    if (out < 0) {
        close(in);
        return -1;
    }
    while ((n = read(in, buf, sizeof(buf))) > 0)
        if (write(out, buf, (size_t)n) != n) {
            n = -1;
            break;
        }
    close(in);
    return close(out) == 0 && n == 0 ? 0 : -1;
}

int bench_fail(const char *what)
{
    fprintf(stderr, "bench: %s: %s\n", what, facet_last_error());
    return 1;
}

double bench_error(const char *what)
{
    bench_fail(what);
    return -1;
}

/* ---- Instruction counts ------------------------------------------------ */

/* Under callgrind, each run zeroes the counters, runs, and dumps; the dump
 * file (FACET_BENCH_CALLGRIND_OUT.<pid>.<n>) is written before the request
 * returns, so the program reads its own count back. */
static unsigned dumps;

static double callgrind_total(void)
{
    const char *prefix = getenv("FACET_BENCH_CALLGRIND_OUT");
    char path[4096], line[512];
    double total = -1;
    FILE *f;
    snprintf(path, sizeof(path), "%s.%d.%u", prefix, (int)getpid(), ++dumps);
    f = fopen(path, "r");
    if (f == NULL)
        return -1;
    while (fgets(line, sizeof(line), f) != NULL)
        if (strncmp(line, "totals:", 7) == 0 || strncmp(line, "summary:", 8) == 0)
            total = strtod(strchr(line, ':') + 1, NULL);
    fclose(f);
    remove(path);
    return total;
}

static double run_counted(const BenchRow *row, BenchFn fn, uint64_t iters)
{
    double total;
    CALLGRIND_ZERO_STATS;
    fn(iters);
    CALLGRIND_DUMP_STATS_AT(row->name);
    total = callgrind_total();
    return total < 0 ? -1 : total / (double)iters;
}

/* ---- The run loop ------------------------------------------------------ */

typedef struct Measured {
    const BenchRow *row;
    BenchFn fn;
    uint64_t iters;
    double *values;
    double median, min, max;
} Measured;

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static int is_time(const char *unit)
{
    return strcmp(unit, "ns") == 0 || strcmp(unit, "us") == 0 || strcmp(unit, "ms") == 0;
}

static double scale(const BenchRow *row)
{
    if (bench_options.instructions)
        return 1;
    if (strcmp(row->unit, "us") == 0)
        return 1e-3;
    if (strcmp(row->unit, "ms") == 0)
        return 1e-6;
    return 1;
}

/* Iterations for one timed run of about target_ns. */
static uint64_t calibrate(BenchFn fn)
{
    uint64_t iters = 1;
    for (;;) {
        double total = fn(iters) * (double)iters;
        double grow;
        if (total >= bench_options.target_ns || iters >= (1ull << 32))
            return iters;
        grow = total > 0 ? bench_options.target_ns / total * 1.2 : 100;
        iters = (uint64_t)((double)iters * (grow < 2 ? 2 : grow > 100 ? 100 : grow));
    }
}

static const Measured *find_measured(const Measured *m, size_t n, const char *name)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (strcmp(m[i].row->name, name) == 0)
            return &m[i];
    return NULL;
}

static void print_row(const Measured *m, const Measured *base, int json)
{
    const char *unit = bench_options.instructions ? "instr" : m->row->unit;
    unsigned runs = bench_options.runs;
    double ratio = 0;
    if (base != NULL && base->median <= 0)
        base = NULL; /* nothing to divide by (a heap the sanitizers hide) */
    if (base != NULL)
        ratio = m->median / base->median;
    if (json) {
        printf("{\"name\":\"%s\",\"unit\":\"%s\",\"median\":%.4g,\"min\":%.4g,\"max\":%.4g,"
               "\"runs\":%u,",
               m->row->name, unit, m->median, m->min, m->max, runs);
        if (base != NULL)
            printf("\"baseline\":\"%s\",\"ratio\":%.3f}\n", base->row->name, ratio);
        else
            printf("\"baseline\":null,\"ratio\":null}\n");
    } else {
        printf("%-26s %10.4g %10.4g %10.4g %-5s %4u  %-22s", m->row->name, m->median, m->min,
               m->max, unit, runs, base != NULL ? base->row->name : "-");
        if (base != NULL)
            printf(" %6.3f", ratio);
        else
            printf(" %6s", "-");
        printf("  %s\n", m->row->what);
    }
    fflush(stdout);
}

static void usage(const char *argv0)
{
    fprintf(stderr,
            "usage: %s [--json] [--runs N] [--smoke] [--pin] [--filter TEXT] [--list]\n"
            "  --runs N      runs per row, 11 or more (default 21); each figure is their median\n"
            "  --smoke       one short run of each row, to check that it works (no figures)\n"
            "  --pin         pin the process to one CPU (the threads of a contended row\n"
            "                are always pinned, each to its own CPU)\n"
            "  --filter TEXT only rows whose name contains TEXT\n"
            "Under valgrind --tool=callgrind (bench/run --instructions) the rows marked\n"
            "BENCH_INSTR report instructions per operation instead of time.\n"
            "Environment: FACET_BENCH_MODULE_DIR (benchmark modules), TMPDIR.\n",
            argv0);
}

static int check_list(const BenchArea *area)
{
    size_t i, j;
    int bad = 0;
    for (i = 0; i < BENCH_ROW_COUNT; i++) {
        const BenchRow *r = &bench_rows[i];
        if (strcmp(r->area, area->name) != 0)
            continue;
        for (j = 0; j < area->count && strcmp(area->impls[j].name, r->name) != 0; j++)
            ;
        if (j == area->count) {
            fprintf(stderr, "bench_%s: row %s of benchmark-list.h has no implementation\n",
                    area->name, r->name);
            bad = 1;
        }
        if (r->baseline != NULL) {
            for (j = 0; j < BENCH_ROW_COUNT; j++)
                if (strcmp(bench_rows[j].name, r->baseline) == 0 &&
                    strcmp(bench_rows[j].area, r->area) == 0)
                    break;
            if (j == BENCH_ROW_COUNT) {
                fprintf(stderr, "bench_%s: the baseline of %s, %s, is not a row of this area\n",
                        area->name, r->name, r->baseline);
                bad = 1;
            }
        }
    }
    for (j = 0; j < area->count; j++) {
        for (i = 0; i < BENCH_ROW_COUNT; i++)
            if (strcmp(bench_rows[i].name, area->impls[j].name) == 0 &&
                strcmp(bench_rows[i].area, area->name) == 0)
                break;
        if (i == BENCH_ROW_COUNT) {
            fprintf(stderr, "bench_%s: %s is not in benchmark-list.h\n", area->name,
                    area->impls[j].name);
            bad = 1;
        }
    }
    return bad;
}

static BenchFn impl_of(const BenchArea *area, const char *name)
{
    size_t j;
    for (j = 0; j < area->count; j++)
        if (strcmp(area->impls[j].name, name) == 0)
            return area->impls[j].fn;
    return NULL;
}

static char tmpdir_buf[4096];

static void remove_tree(const char *dir)
{
    char cmd[4200];
    /* The folder is ours (mkdtemp) and its name has no quote. */
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "bench: could not remove %s\n", dir);
}

int bench_main(int argc, char **argv, const BenchArea *area)
{
    Measured m[BENCH_ROW_COUNT];
    size_t n = 0, i;
    unsigned run;
    int json = 0, list = 0, a;
    const char *filter = NULL, *tmp;
    int status = 0;

    for (a = 1; a < argc; a++) {
        if (strcmp(argv[a], "--json") == 0) {
            json = 1;
        } else if (strcmp(argv[a], "--smoke") == 0) {
            bench_options.smoke = 1;
        } else if (strcmp(argv[a], "--pin") == 0) {
            bench_options.pin = 1;
        } else if (strcmp(argv[a], "--no-pin") == 0) {
            bench_options.pin = 0;
        } else if (strcmp(argv[a], "--list") == 0) {
            list = 1;
        } else if (strcmp(argv[a], "--runs") == 0 && a + 1 < argc) {
            char *end;
            unsigned long v = strtoul(argv[++a], &end, 10);
            if (*end != '\0' || v < 11 || v > 1000) {
                fprintf(stderr, "%s: --runs takes a number from 11 to 1000, not '%s'\n",
                        argv[0], argv[a]);
                return 2;
            }
            bench_options.runs = (unsigned)v;
        } else if (strcmp(argv[a], "--filter") == 0 && a + 1 < argc) {
            filter = argv[++a];
        } else {
            usage(argv[0]);
            return 2;
        }
    }
    if (check_list(area))
        return 2;
    if (list) {
        for (i = 0; i < BENCH_ROW_COUNT; i++)
            if (strcmp(bench_rows[i].area, area->name) == 0)
                printf("%s\n", bench_rows[i].name);
        return 0;
    }
    if (bench_options.smoke) {
        bench_options.runs = 1;
        bench_options.target_ns = 0;
    }
    bench_options.instructions = RUNNING_ON_VALGRIND && getenv("FACET_BENCH_CALLGRIND_OUT");
    bench_options.module_dir = getenv("FACET_BENCH_MODULE_DIR");
    if (bench_options.module_dir == NULL)
        bench_options.module_dir = FACET_BENCH_MODULE_DIR;
    tmp = getenv("TMPDIR");
    snprintf(tmpdir_buf, sizeof(tmpdir_buf), "%s/facet-bench-XXXXXX", tmp ? tmp : "/tmp");
    if (mkdtemp(tmpdir_buf) == NULL) {
        fprintf(stderr, "bench: mkdtemp %s: %s\n", tmpdir_buf, strerror(errno));
        return 1;
    }
    bench_options.tmpdir = tmpdir_buf;

    if (sched_getaffinity(0, sizeof(process_cpus), &process_cpus) != 0) {
        CPU_ZERO(&process_cpus);
        CPU_SET(0, &process_cpus);
    }
    /* --pin: one core, so that the scheduler cannot move the loop between
     * CPUs halfway through a run. Off by default: on a shared 2-CPU machine
     * it made the medians a little steadier (run-to-run variation 13% against
     * 17%) but the ratios less so (11% against 6%), since a pinned process
     * cannot leave a CPU that another process keeps busy
     * (docs/performance.md). The last allowed CPU, as the first one takes
     * most interrupts. */
    if (bench_options.pin && bench_pin_thread(bench_cpu_count() - 1) != 0)
        fprintf(stderr, "bench: could not pin to one CPU: %s\n", strerror(errno));

    for (i = 0; i < BENCH_ROW_COUNT; i++) {
        const BenchRow *r = &bench_rows[i];
        if (strcmp(r->area, area->name) != 0)
            continue;
        if (bench_options.instructions && !(r->flags & BENCH_INSTR))
            continue;
        /* A filtered row keeps its baseline. */
        if (filter != NULL && strstr(r->name, filter) == NULL) {
            size_t k;
            int needed = 0;
            for (k = 0; k < BENCH_ROW_COUNT; k++)
                if (bench_rows[k].baseline != NULL && strcmp(bench_rows[k].baseline, r->name) == 0 &&
                    strstr(bench_rows[k].name, filter) != NULL)
                    needed = 1;
            if (!needed)
                continue;
        }
        m[n].row = r;
        m[n].fn = impl_of(area, r->name);
        m[n].values = calloc(bench_options.runs, sizeof(double));
        if (m[n].values == NULL)
            return 1;
        n++;
    }
    if (n == 0) {
        /* Nothing to run is normal for a filter or callgrind's subset, but
         * a smoke run of the whole area must run something. */
        if (bench_options.smoke && filter == NULL && !bench_options.instructions) {
            fprintf(stderr, "bench_%s: --smoke ran no row\n", area->name);
            status = 1;
        }
        goto done;
    }
    if (area->setup != NULL && area->setup() != 0) {
        status = 1;
        goto done;
    }

    /* Iteration counts: callgrind counts a fixed number, a fixed row picks
     * its own, a timed row runs for about target_ns. */
    for (i = 0; i < n; i++) {
        if (m[i].row->flags & BENCH_FIXED)
            m[i].iters = 0;
        else if (bench_options.instructions)
            m[i].iters = bench_options.smoke ? 100 : 100000;
        else if (bench_options.smoke)
            m[i].iters = 3;
        else
            m[i].iters = calibrate(m[i].fn);
        if (bench_options.instructions)
            m[i].fn(16); /* resolve lazy bindings outside the count */
    }

    /* Runs interleave the rows, so that a row and its baseline see the
     * same machine: a slow second does not fall on one row only. */
    for (run = 0; run < bench_options.runs; run++)
        for (i = 0; i < n; i++) {
            double v = bench_options.instructions ? run_counted(m[i].row, m[i].fn, m[i].iters)
                                                  : m[i].fn(m[i].iters);
            if (v < 0) {
                fprintf(stderr, "bench: %s failed\n", m[i].row->name);
                status = 1;
                goto teardown;
            }
            m[i].values[run] = v * (is_time(m[i].row->unit) ? scale(m[i].row) : 1);
        }

    for (i = 0; i < n; i++) {
        unsigned r = bench_options.runs;
        qsort(m[i].values, r, sizeof(double), compare_double);
        m[i].median = r % 2 ? m[i].values[r / 2] : (m[i].values[r / 2 - 1] + m[i].values[r / 2]) / 2;
        m[i].min = m[i].values[0];
        m[i].max = m[i].values[r - 1];
    }
    for (i = 0; i < n; i++) {
        const Measured *base = NULL;
        if (filter != NULL && strstr(m[i].row->name, filter) == NULL)
            continue;
        if (m[i].row->baseline != NULL) {
            base = find_measured(m, n, m[i].row->baseline);
        }
        print_row(&m[i], base, json);
    }
teardown:
    if (area->teardown != NULL)
        area->teardown();
done:
    for (i = 0; i < n; i++)
        free(m[i].values);
    remove_tree(tmpdir_buf);
    return status;
}
