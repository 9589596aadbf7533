/*
 * bench/harness.h - what every benchmark program shares: the row table from
 * benchmark-list.h, the run loop (runs interleaved row by row, median, min,
 * max, ratio to the baseline of the same run), calibration, pinning,
 * instruction counts under callgrind, and the output.
 *
 * A program implements one area: a function per row, returning the cost of
 * one operation measured over iters operations, in nanoseconds for a time
 * unit and in the row's own unit otherwise. iters is 0 for a BENCH_FIXED
 * row, meaning "your own count" (bench_options.smoke asks for the smallest
 * honest one).
 */
#ifndef FACET_BENCH_HARNESS_H
#define FACET_BENCH_HARNESS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define BENCH_INSTR 1u
#define BENCH_FIXED 2u

typedef double (*BenchFn)(uint64_t iters);

typedef struct BenchImpl {
    const char *name; /* a row of benchmark-list.h */
    BenchFn fn;
} BenchImpl;

typedef struct BenchArea {
    const char *name;      /* the area in benchmark-list.h */
    int (*setup)(void);    /* 0 on success; a message on stderr otherwise */
    void (*teardown)(void);
    const BenchImpl *impls;
    size_t count;
} BenchArea;

typedef struct BenchOptions {
    unsigned runs;       /* runs per row, at least 11 (1 with --smoke) */
    int smoke;           /* --smoke: one short run of each row, for CI */
    int instructions;    /* counting instructions under callgrind */
    int pin;             /* --pin: pinned to one core */
    double target_ns;    /* a timed run lasts about this long */
    const char *tmpdir;  /* a scratch folder of this process */
    const char *module_dir; /* where the benchmark modules are */
} BenchOptions;

extern BenchOptions bench_options;

/* Runs the area's rows and prints them; the program's main. */
int bench_main(int argc, char **argv, const BenchArea *area);

/* Monotonic time in nanoseconds. */
uint64_t bench_now(void);

/* Pins the calling thread to the index-th CPU this process may use (modulo
 * their number); returns 0 on success. */
int bench_pin_thread(unsigned index);

/* The number of the index-th CPU this process may use (modulo their
 * number), as the kernel numbers it, or -1. */
int bench_cpu_id(unsigned index);

/* Number of CPUs this process may use. */
unsigned bench_cpu_count(void);

/* Keeps the compiler from dropping a value or a computation. */
#define bench_use(x) __asm__ __volatile__("" : : "g"(x) : "memory")

/* The path of a file in the module folder (static buffer, one at a time). */
const char *bench_module_path(const char *file);

/* Copies a file (mode kept); 0 on success. */
int bench_copy_file(const char *from, const char *to);

/* Print "bench: <what>: " and the last Facet error to stderr. bench_fail
 * returns 1 (for setup), bench_error -1 (for a row: the run failed). */
int bench_fail(const char *what);
double bench_error(const char *what);

#ifdef __cplusplus
}
#endif

#endif
