/*
 * tests/core/lifetime.c - a module stays mapped while any object from it
 * lives; unloading asks CanUnload and never pulls code from under an object.
 */
#include "support.h"

#include <stdio.h>
#include <stdlib.h>
#ifdef __linux__
#include <dirent.h>
#endif

#include "test_itf.h"

static uint32_t loaded(FacetRuntime *rt, uint32_t *waiting)
{
    FacetRuntimeStats st = FACET_RUNTIME_STATS_INIT;
    assert_int_equal(facet_runtime_stats(&st, rt), FACET_OK);
    if (waiting)
        *waiting = st.modules_waiting;
    return st.modules_loaded;
}

static void test_core_lifetime__object_outlives_unload(void **state)
{
    FacetRuntime *rt;
    FacetModule *m;
    ITestCounter *c;
    int32_t total = 0;
    uint32_t waiting;
    void *p = (void *)1;
    (void)state;

    assert_int_equal(facet_runtime_new(&rt, NULL), FACET_OK);
    assert_int_equal(facet_module_load(&m, rt, facet_test_module("beta")), FACET_OK);
    assert_int_equal(facet_create_instance_by_name((void **)&c, rt, "test.beta.counter", NULL,
                                                   &IID_ITestCounter),
                     FACET_OK);
    /* Let go of the module: its class is gone at once, its code is not. */
    assert_int_equal(facet_module_unload(m), FACET_FALSE);
    assert_int_equal(loaded(rt, &waiting), 1);
    assert_int_equal(waiting, 1);
    expect_error(facet_create_instance_by_name(&p, rt, "test.beta.counter", NULL,
                                               &IID_ITestCounter),
                 FACET_E_CLASSNOTREG, "test.beta.counter");
    assert_int_equal(ITestCounter_Add(c, 7, &total), FACET_OK); /* the code is still there */
    assert_int_equal(total, 7);
    assert_int_equal(facet_runtime_collect(rt), FACET_FALSE);
    assert_int_equal(loaded(rt, NULL), 1);
    ITestCounter_Release(c);
    assert_int_equal(facet_runtime_collect(rt), FACET_OK);
    assert_int_equal(loaded(rt, NULL), 0);
    assert_int_equal(facet_runtime_free(rt), FACET_OK);
    assert_no_leaks();
}

static void test_core_lifetime__load_again_while_waiting(void **state)
{
    FacetRuntime *rt;
    FacetModule *m, *again;
    ITestCounter *c;
    (void)state;
    assert_int_equal(facet_runtime_new(&rt, NULL), FACET_OK);
    assert_int_equal(facet_module_load(&m, rt, facet_test_module("beta")), FACET_OK);
    assert_int_equal(facet_create_instance((void **)&c, rt, &CLSID_BetaCounter, NULL,
                                           &IID_ITestCounter),
                     FACET_OK);
    assert_int_equal(facet_module_unload(m), FACET_FALSE);
    /* Loading the still-mapped file brings the same module back. */
    assert_int_equal(facet_module_load(&again, rt, facet_test_module("beta")), FACET_OK);
    assert_ptr_equal(again, m);
    ITestCounter_Release(c);
    assert_int_equal(facet_create_instance((void **)&c, rt, &CLSID_BetaCounter, NULL,
                                           &IID_ITestCounter),
                     FACET_OK);
    ITestCounter_Release(c);
    assert_int_equal(facet_module_unload(again), FACET_OK);
    assert_int_equal(loaded(rt, NULL), 0);
    assert_int_equal(facet_runtime_free(rt), FACET_OK);
    assert_no_leaks();
}

static void test_core_lifetime__two_runtimes_share_a_file(void **state)
{
    FacetRuntime *a, *b;
    FacetModule *ma, *mb;
    ITestCounter *ca, *cb;
    (void)state;
    assert_int_equal(facet_runtime_new(&a, NULL), FACET_OK);
    assert_int_equal(facet_runtime_new(&b, NULL), FACET_OK);
    assert_int_equal(facet_module_load(&ma, a, facet_test_module("beta")), FACET_OK);
    assert_int_equal(facet_module_load(&mb, b, facet_test_module("beta")), FACET_OK);
    assert_int_equal(facet_create_instance((void **)&ca, a, &CLSID_BetaCounter, NULL,
                                           &IID_ITestCounter),
                     FACET_OK);
    assert_int_equal(facet_create_instance((void **)&cb, b, &CLSID_BetaCounter, NULL,
                                           &IID_ITestCounter),
                     FACET_OK);
    ITestCounter_Release(ca);
    ITestCounter_Release(cb);
    assert_int_equal(facet_module_unload(ma), FACET_OK);
    assert_int_equal(facet_runtime_free(a), FACET_OK);
    assert_int_equal(facet_module_unload(mb), FACET_OK);
    assert_int_equal(facet_runtime_free(b), FACET_OK);
    assert_no_leaks();
}

/* Files open in this process, or -1 where the system does not say. */
static int open_files(void)
{
#ifdef __linux__
    int n = 0;
    DIR *d = opendir("/proc/self/fd");
    if (d == NULL)
        return -1;
    while (readdir(d) != NULL)
        n++;
    closedir(d);
    return n;
#else
    return -1;
#endif
}

/* 2,000 loads and unloads, half of them in a second runtime that gets a
 * private copy each time, and 20,000 objects: nothing grows, no file stays
 * open. */
static void test_core_lifetime__many_cycles(void **state)
{
    FacetRuntime *a, *b;
    FacetModule *m, *keep;
    ITestCounter *c;
    uint64_t live;
    int files, i;
    char path[4096];
    (void)state;
    snprintf(path, sizeof(path), "%s", facet_test_module("beta"));
    assert_int_equal(facet_runtime_new(&a, NULL), FACET_OK);
    assert_int_equal(facet_runtime_new(&b, NULL), FACET_OK);
    /* a's first load and unload makes what stays for the runtime's life */
    assert_int_equal(facet_module_load(&m, a, path), FACET_OK);
    assert_int_equal(facet_module_unload(m), FACET_OK);
    live = facet_testing_live_allocations();
    files = open_files();
    for (i = 0; i < 1000; i++) {
        assert_int_equal(facet_module_load(&m, a, path), FACET_OK);
        assert_int_equal(facet_module_unload(m), FACET_OK);
    }
    assert_int_equal(facet_testing_live_allocations(), live);
    assert_int_equal(open_files(), files);
    /* b's loads while a holds the file: a copy each time */
    assert_int_equal(facet_module_load(&keep, a, path), FACET_OK);
    assert_int_equal(facet_module_load(&m, b, path), FACET_OK);
    assert_int_equal(facet_module_unload(m), FACET_OK);
    live = facet_testing_live_allocations();
    files = open_files();
    for (i = 0; i < 1000; i++) {
        assert_int_equal(facet_module_load(&m, b, path), FACET_OK);
        assert_int_equal(facet_module_unload(m), FACET_OK);
    }
    assert_int_equal(facet_testing_live_allocations(), live);
    assert_int_equal(open_files(), files);
    for (i = 0; i < 20000; i++) {
        assert_int_equal(facet_create_instance((void **)&c, a, &CLSID_BetaCounter, NULL,
                                               &IID_ITestCounter),
                         FACET_OK);
        ITestCounter_Release(c);
    }
    assert_int_equal(facet_testing_live_allocations(), live);
    assert_int_equal(facet_module_unload(keep), FACET_OK);
    assert_int_equal(facet_runtime_free(a), FACET_OK);
    assert_int_equal(facet_runtime_free(b), FACET_OK);
    assert_no_leaks();
}

/* Last, since it leaves the module mapped on purpose: freeing the runtime
 * with a live object keeps that module's code and says so. */
static void test_core_lifetime__free_with_live_object(void **state)
{
    FacetRuntime *rt;
    FacetModule *m;
    ITestCounter *c;
    int32_t total = 0;
    (void)state;
    assert_int_equal(facet_runtime_new(&rt, NULL), FACET_OK);
    assert_int_equal(facet_module_load(&m, rt, facet_test_module("gamma")), FACET_OK);
    assert_int_equal(facet_create_instance((void **)&c, rt, &CLSID_GammaCounter, NULL,
                                           &IID_ITestCounter),
                     FACET_OK);
    expect_error(facet_runtime_free(rt), FACET_FALSE, "1 module(s) stay loaded", "test.gamma");
    assert_int_equal(ITestCounter_Add(c, 2, &total), FACET_OK);
    assert_int_equal(ITestCounter_Release(c), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_core_lifetime__object_outlives_unload),
        cmocka_unit_test(test_core_lifetime__load_again_while_waiting),
        cmocka_unit_test(test_core_lifetime__two_runtimes_share_a_file),
        cmocka_unit_test(test_core_lifetime__many_cycles),
        cmocka_unit_test(test_core_lifetime__free_with_live_object),
    };
    return cmocka_run_group_tests_name("core/lifetime", tests, NULL, NULL);
}
