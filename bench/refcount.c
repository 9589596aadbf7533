/*
 * bench/refcount.c - reference counting and QueryInterface, against a bare
 * atomic increment and decrement: uncontended, and from 2 threads on one
 * object.
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>

#include <facet/facet.h>

#include "harness.h"
#include "ops.h"

static FacetRuntime *rt;
static IBenchAdder *adder, *multi1, *multi5, *multi20;
static uint32_t counter;

#define iid_first bench_iids[0]
#define iid_third bench_iids[2]
#define iid_tenth bench_iids[9]

/* The atomics facet/module.h gives every component, inlined in the host. */
static void atomic_pair(uint32_t *p)
{
    __atomic_add_fetch(p, 1u, __ATOMIC_ACQ_REL);
    __atomic_sub_fetch(p, 1u, __ATOMIC_ACQ_REL);
}

static double atomic_pair_row(uint64_t iters)
{
    uint64_t i, t0 = bench_now();
    for (i = 0; i < iters; i++)
        atomic_pair(&counter);
    return (double)(bench_now() - t0) / (double)iters;
}

static double refcount_pair_row(uint64_t iters)
{
    uint64_t i, t0 = bench_now();
    for (i = 0; i < iters; i++) {
        IBenchAdder_AddRef(adder);
        IBenchAdder_Release(adder);
    }
    return (double)(bench_now() - t0) / (double)iters;
}

/* QueryInterface iters times; Release after each hit. */
static double qi(IBenchAdder *obj, const FacetGuid *iid, uint64_t iters)
{
    uint64_t i, t0 = bench_now();
    for (i = 0; i < iters; i++) {
        IBenchAdder *p;
        if (FACET_SUCCEEDED(IBenchAdder_QueryInterface(obj, iid, (void **)&p)))
            IBenchAdder_Release(p);
    }
    return (double)(bench_now() - t0) / (double)iters;
}

static double qi_present(uint64_t iters)
{
    return qi(multi5, &iid_third, iters);
}
static double qi_absent(uint64_t iters)
{
    return qi(multi5, &IID_BenchAbsent, iters);
}
static double qi_1_first(uint64_t iters)
{
    return qi(multi1, &iid_first, iters);
}
static double qi_1_absent(uint64_t iters)
{
    return qi(multi1, &IID_BenchAbsent, iters);
}
static double qi_5_first(uint64_t iters)
{
    return qi(multi5, &iid_first, iters);
}
static double qi_20_first(uint64_t iters)
{
    return qi(multi20, &iid_first, iters);
}
static double qi_20_middle(uint64_t iters)
{
    return qi(multi20, &iid_tenth, iters);
}
static double qi_20_absent(uint64_t iters)
{
    return qi(multi20, &IID_BenchAbsent, iters);
}

/* ---- Contended: 2 threads, each on its own CPU when there are two ------ */

typedef struct Contender {
    pthread_t thread;
    unsigned cpu;
    int use_object;
    uint64_t iters;
    pthread_barrier_t *start;
} Contender;

static void *contend(void *arg)
{
    Contender *c = arg;
    uint64_t i;
    bench_pin_thread(c->cpu);
    pthread_barrier_wait(c->start);
    if (c->use_object)
        for (i = 0; i < c->iters; i++) {
            IBenchAdder_AddRef(adder);
            IBenchAdder_Release(adder);
        }
    else
        for (i = 0; i < c->iters; i++)
            atomic_pair(&counter);
    return NULL;
}

static double contended(int use_object, uint64_t iters)
{
    Contender c[2];
    pthread_barrier_t start;
    uint64_t t0;
    unsigned k;
    pthread_barrier_init(&start, NULL, 3);
    for (k = 0; k < 2; k++) {
        c[k].cpu = k;
        c[k].use_object = use_object;
        c[k].iters = iters;
        c[k].start = &start;
        if (pthread_create(&c[k].thread, NULL, contend, &c[k]) != 0)
            return -1;
    }
    pthread_barrier_wait(&start);
    t0 = bench_now();
    for (k = 0; k < 2; k++)
        pthread_join(c[k].thread, NULL);
    t0 = bench_now() - t0;
    pthread_barrier_destroy(&start);
    return (double)t0 / (double)iters;
}

static double atomic_contended(uint64_t iters)
{
    return contended(0, iters);
}

static double refcount_contended(uint64_t iters)
{
    return contended(1, iters);
}

static int make(IBenchAdder **out, const FacetGuid *clsid, const FacetGuid *iid)
{
    if (FACET_FAILED(facet_create_instance((void **)out, rt, clsid, NULL, iid)))
        return bench_fail("facet_create_instance");
    return 0;
}

static int setup(void)
{
    static const FacetGuid multi1_clsid = BENCH_MULTI_CLSID(1), multi5_clsid = BENCH_MULTI_CLSID(5),
                           multi20_clsid = BENCH_MULTI_CLSID(20);
    if (bench_cpu_count() < 2)
        fprintf(stderr, "bench_refcount: one CPU only: the contended rows share it\n");
    if (bench_runtime_with(&rt, NULL, "bench_mod.so"))
        return 1;
    return make(&adder, &CLSID_BenchAdder, &IID_IBenchAdder) ||
           make(&multi1, &multi1_clsid, &iid_first) || make(&multi5, &multi5_clsid, &iid_first) ||
           make(&multi20, &multi20_clsid, &iid_first);
}

static void teardown(void)
{
    IBenchAdder *objs[4];
    unsigned k;
    objs[0] = adder;
    objs[1] = multi1;
    objs[2] = multi5;
    objs[3] = multi20;
    for (k = 0; k < 4; k++)
        if (objs[k] != NULL)
            IBenchAdder_Release(objs[k]);
    facet_runtime_free(rt);
}

static const BenchImpl impls[] = {
    {"atomic.pair", atomic_pair_row},
    {"refcount.pair", refcount_pair_row},
    {"qi.present", qi_present},
    {"qi.absent", qi_absent},
    {"qi.1.first", qi_1_first},
    {"qi.1.absent", qi_1_absent},
    {"qi.5.first", qi_5_first},
    {"qi.20.first", qi_20_first},
    {"qi.20.middle", qi_20_middle},
    {"qi.20.absent", qi_20_absent},
    {"atomic.pair.contended", atomic_contended},
    {"refcount.pair.contended", refcount_contended},
};

static const BenchArea area = {"refcount", setup, teardown, impls,
                               sizeof(impls) / sizeof(impls[0])};

int main(int argc, char **argv)
{
    return bench_main(argc, argv, &area);
}
