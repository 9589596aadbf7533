/*
 * bench/go/area.c - the area "go" for bench/harness.c: each row calls into
 * the Go program (main.go), which times its own loop.
 */
#include "_cgo_export.h"
#include "harness.h"

/* The baseline's work, as the benchmark module's IBenchAdder_Add does it. */
int64_t bench_go_add(int64_t *total, int32_t delta)
{
    static int64_t sum;
    sum += delta;
    *total = sum;
    return 0;
}

static int setup(void)
{
    return benchGoSetup();
}

static void teardown(void)
{
    benchGoTeardown();
}

static double go_call(uint64_t iters)
{
    return benchGoCall(iters);
}

static double go_cgo_call(uint64_t iters)
{
    return benchGoCgoCall(iters);
}

int bench_go_main(int argc, char **argv)
{
    static const BenchImpl impls[] = {
        {"go.call", go_call},
        {"go.cgo_call", go_cgo_call},
    };
    static const BenchArea area = {"go", setup, teardown, impls, sizeof impls / sizeof *impls};
    return bench_main(argc, argv, &area);
}
