/*
 * tests/core/concurrency.c - 8 threads create, QueryInterface and release
 * objects of two classes 100,000 times each while a ninth loads and unloads
 * a third module; 8 threads load, use and unload one module; at the end no
 * object, module or allocation is left.
 */
#include "support.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "test_itf.h"

#define WORKERS 8
#define ITERATIONS 100000

typedef struct Shared {
    FacetRuntime *rt;
    int stop;
    int failures;
    uint64_t loads;
} Shared;

static void *worker(void *arg)
{
    Shared *s = arg;
    int i;
    for (i = 0; i < ITERATIONS; i++) {
        ITestCounter *c = NULL;
        IFacetUnknown *u = NULL;
        int32_t total = 0;
        FacetResult r = (i & 1)
                            ? facet_create_instance((void **)&c, s->rt, &CLSID_AlphaCounter, NULL,
                                                    &IID_ITestCounter)
                            : facet_create_instance_by_name((void **)&c, s->rt,
                                                            "test.beta.counter", NULL,
                                                            &IID_ITestCounter);
        if (r != FACET_OK || ITestCounter_Add(c, 1, &total) != FACET_OK || total != 1 ||
            ITestCounter_QueryInterface(c, &IID_IFacetUnknown, (void **)&u) != FACET_OK) {
            __atomic_add_fetch(&s->failures, 1, __ATOMIC_RELAXED);
            if (c)
                ITestCounter_Release(c);
            continue;
        }
        IFacetUnknown_Release(u);
        ITestCounter_Release(c);
    }
    return NULL;
}

static void *loader(void *arg)
{
    Shared *s = arg;
    while (!__atomic_load_n(&s->stop, __ATOMIC_ACQUIRE)) {
        FacetModule *m;
        ITestCounter *c;
        if (facet_module_load(&m, s->rt, facet_test_module("gamma")) != FACET_OK) {
            __atomic_add_fetch(&s->failures, 1, __ATOMIC_RELAXED);
            continue;
        }
        if (facet_create_instance((void **)&c, s->rt, &CLSID_GammaCounter, NULL,
                                  &IID_ITestCounter) == FACET_OK)
            ITestCounter_Release(c);
        else
            __atomic_add_fetch(&s->failures, 1, __ATOMIC_RELAXED);
        if (facet_module_unload(m) != FACET_OK)
            __atomic_add_fetch(&s->failures, 1, __ATOMIC_RELAXED);
        s->loads++;
    }
    return NULL;
}

static void test_core_concurrency__create_while_loading(void **state)
{
    Shared s = {NULL, 0, 0, 0};
    FacetModule *alpha, *beta;
    FacetRuntimeStats st = FACET_RUNTIME_STATS_INIT;
    pthread_t workers[WORKERS], load_thread;
    int i;
    (void)state;

    assert_int_equal(facet_runtime_new(&s.rt, NULL), FACET_OK);
    assert_int_equal(facet_module_load(&alpha, s.rt, facet_test_module("alpha")), FACET_OK);
    assert_int_equal(facet_module_load(&beta, s.rt, facet_test_module("beta")), FACET_OK);
    assert_int_equal(pthread_create(&load_thread, NULL, loader, &s), 0);
    for (i = 0; i < WORKERS; i++)
        assert_int_equal(pthread_create(&workers[i], NULL, worker, &s), 0);
    for (i = 0; i < WORKERS; i++)
        pthread_join(workers[i], NULL);
    __atomic_store_n(&s.stop, 1, __ATOMIC_RELEASE);
    pthread_join(load_thread, NULL);

    assert_int_equal(s.failures, 0);
    assert_true(s.loads > 0);
    print_message("loads and unloads of the third module: %llu\n", (unsigned long long)s.loads);
    assert_int_equal(facet_module_unload(alpha), FACET_OK); /* FACET_OK: no object alive */
    assert_int_equal(facet_module_unload(beta), FACET_OK);
    assert_int_equal(facet_runtime_stats(&st, s.rt), FACET_OK);
    assert_int_equal(st.modules_loaded, 0);
    assert_int_equal(st.classes, 0);
    assert_int_equal(facet_runtime_free(s.rt), FACET_OK);
    assert_no_leaks();
}

/* 8 threads load one path into one runtime, create, and unload, over and
 * over: the loads and unloads of one module interleave in every order. */
typedef struct Cycler {
    FacetRuntime *rt;
    const char *path;
    int failures;
} Cycler;

static void *cycler(void *arg)
{
    Cycler *x = arg;
    int i;
    for (i = 0; i < 300; i++) {
        FacetModule *m;
        ITestCounter *c;
        FacetResult r;
        if (facet_module_load(&m, x->rt, x->path) != FACET_OK) {
            __atomic_add_fetch(&x->failures, 1, __ATOMIC_RELAXED);
            continue;
        }
        if (facet_create_instance((void **)&c, x->rt, &CLSID_GammaCounter, NULL,
                                  &IID_ITestCounter) == FACET_OK)
            ITestCounter_Release(c);
        else
            __atomic_add_fetch(&x->failures, 1, __ATOMIC_RELAXED);
        /* FACET_FALSE: another thread's object keeps the code for now */
        r = facet_module_unload(m);
        if (r != FACET_OK && r != FACET_FALSE)
            __atomic_add_fetch(&x->failures, 1, __ATOMIC_RELAXED);
    }
    return NULL;
}

static void test_core_concurrency__load_one_path_on_many_threads(void **state)
{
    Cycler x = {NULL, NULL, 0};
    FacetRuntimeStats st = FACET_RUNTIME_STATS_INIT;
    pthread_t threads[WORKERS];
    char path[4096];
    int i;
    (void)state;
    snprintf(path, sizeof(path), "%s", facet_test_module("gamma"));
    x.path = path;
    assert_int_equal(facet_runtime_new(&x.rt, NULL), FACET_OK);
    for (i = 0; i < WORKERS; i++)
        assert_int_equal(pthread_create(&threads[i], NULL, cycler, &x), 0);
    for (i = 0; i < WORKERS; i++)
        pthread_join(threads[i], NULL);
    assert_int_equal(x.failures, 0);
    assert_int_equal(facet_runtime_collect(x.rt), FACET_OK);
    assert_int_equal(facet_runtime_stats(&st, x.rt), FACET_OK);
    assert_int_equal(st.modules_loaded, 0);
    assert_int_equal(facet_runtime_free(x.rt), FACET_OK);
    assert_no_leaks();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_core_concurrency__create_while_loading),
        cmocka_unit_test(test_core_concurrency__load_one_path_on_many_threads),
    };
    return cmocka_run_group_tests_name("core/concurrency", tests, NULL, NULL);
}
