/*
 * tests/fault/syscall.c - every file and loader call of loading a module
 * fails in turn (open, read, stat, realpath; dlopen, dlsym), transiently and
 * persistently. Each run gives a clear error naming the module, leaks
 * nothing, and leaves the runtime usable.
 */
#include <stdlib.h>
#include <string.h>

#include "fault.h"
#include "test_itf.h"

#ifdef _WIN32
#define SYSTEM_LOADER "LoadLibrary"
#else
#define SYSTEM_LOADER "dlopen"
#endif

static FacetResult load_create(void *state)
{
    FacetRuntime *rt = state;
    FacetModule *m = NULL;
    ITestCounter *counter = NULL;
    FacetResult r;
    TRY(facet_module_load(&m, rt, facet_test_module("alpha")));
    r = facet_create_instance((void **)&counter, rt, &CLSID_AlphaCounter, NULL,
                              &IID_ITestCounter);
    if (FACET_SUCCEEDED(r))
        ITestCounter_Release(counter);
    assert_int_equal(facet_module_unload(m), FACET_OK);
    return r;
}

/* Loading a module that is already loaded: the runtime must find it, or
 * fail, but never open it a second time. */
typedef struct Loaded {
    FacetRuntime *rt;
    FacetModule *m;
} Loaded;

static void *load_alpha(void)
{
    Loaded *l = calloc(1, sizeof(*l));
    l->rt = fault_new_runtime();
    assert_int_equal(facet_module_load(&l->m, l->rt, facet_test_module("alpha")), FACET_OK);
    return l;
}

static void unload_alpha(void *state)
{
    Loaded *l = state;
    FacetRuntimeStats stats = FACET_RUNTIME_STATS_INIT;
    assert_int_equal(facet_runtime_stats(&stats, l->rt), FACET_OK);
    assert_int_equal(stats.modules_loaded, 1);
    assert_int_equal(stats.classes, 2);
    assert_int_equal(facet_module_unload(l->m), FACET_OK);
    fault_free_runtime(l->rt);
    free(l);
}

static FacetResult load_again(void *state)
{
    Loaded *l = state;
    FacetModule *again = NULL;
    TRY(facet_module_load(&again, l->rt, facet_test_module("alpha")));
    assert_ptr_equal(again, l->m);
    return facet_module_unload(again);
}

static void test_fault_syscall__file_load(void **state)
{
    /* A read that fails while the image is checked is an I/O error, never
     * a "truncated" file: FACET_E_TRUNCATED is not allowed here. */
    static const FaultScenario s = {"load alpha, file calls failing", fault_new_runtime, load_create,
                                    fault_free_runtime, {FACET_E_FAIL, FACET_OK}, "alpha"};
    (void)state;
    assert_true(fault_loop(FACET_FAULT_FILE, &s) >= 4);
}

static void test_fault_syscall__file_load_again(void **state)
{
    static const FaultScenario s = {"load alpha again, file calls failing", load_alpha,
                                    load_again, unload_alpha, {FACET_E_FAIL, FACET_OK}, "alpha"};
    (void)state;
    assert_true(fault_loop(FACET_FAULT_FILE, &s) >= 1);
}

static void test_fault_syscall__loader(void **state)
{
    static const FaultScenario s = {"load alpha, loader calls failing", fault_new_runtime, load_create,
                                    fault_free_runtime, {FACET_E_LOADFAILED, FACET_E_NOENTRY, FACET_OK},
                                    "alpha"};
    (void)state;
    assert_int_equal(fault_loop(FACET_FAULT_LOADER, &s), 2);
}

/* The messages say what failed. */
static void test_fault_syscall__messages(void **state)
{
    FacetRuntime *rt = fault_new_runtime();
    FacetModule *m = NULL;
    (void)state;
    facet_testing_fail(FACET_FAULT_LOADER, 1, 0);
    expect_error(facet_module_load(&m, rt, facet_test_module("alpha")), FACET_E_LOADFAILED,
                 "alpha", SYSTEM_LOADER " failed");
    facet_testing_fail(FACET_FAULT_LOADER, 2, 0);
    expect_error(facet_module_load(&m, rt, facet_test_module("alpha")), FACET_E_NOENTRY, "alpha",
                 "facet_module_entry");
    facet_testing_fail(FACET_FAULT_LOADER, 0, 0);
    assert_null(m);
    /* Every file call from the first read on fails: the read error is
     * reported, not a truncated file. The calls are counted on a load like
     * those below: of a file loaded and unloaded before. */
    assert_int_equal(facet_module_load(&m, rt, facet_test_module("alpha")), FACET_OK);
    assert_int_equal(facet_module_unload(m), FACET_OK);
    facet_testing_fail(FACET_FAULT_FILE, 0, 0);
    assert_int_equal(facet_module_load(&m, rt, facet_test_module("alpha")), FACET_OK);
    assert_int_equal(facet_module_unload(m), FACET_OK);
    {
        uint64_t n, calls = facet_testing_calls(FACET_FAULT_FILE);
        int saw_read = 0;
        for (n = 1; n <= calls; n++) {
            FacetResult r;
            facet_testing_fail(FACET_FAULT_FILE, n, 1);
            r = facet_module_load(&m, rt, facet_test_module("alpha"));
            facet_testing_fail(FACET_FAULT_FILE, 0, 0);
            assert_int_equal(r, FACET_E_FAIL);
            assert_non_null(strstr(facet_last_error(), "alpha"));
            saw_read |= strstr(facet_last_error(), "read failed") != NULL;
        }
        assert_true(saw_read);
    }
    fault_free_runtime(rt);
    assert_no_leaks();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fault_syscall__file_load),
        cmocka_unit_test(test_fault_syscall__file_load_again),
        cmocka_unit_test(test_fault_syscall__loader),
        cmocka_unit_test(test_fault_syscall__messages),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    fault_print_totals("test_fault_syscall");
    return failed;
}
