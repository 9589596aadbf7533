/*
 * tests/lifecycle/order.c - IFacetLifecycle in dependency order, stopped in
 * reverse, rolled back on a failure at every position, and dependency
 * cycles reported before any code loads.
 */
#include <string.h>

#include "plugtest.h"

static Journal journal;

/* c requires b, b requires a; written so that scan order is not dependency
 * order. fail_module/fail_step make that module's step fail. */
static FacetRuntime *setup(char *dir, size_t size, const char *fail_module, const char *fail_step)
{
    FacetRuntime *rt;
    char path[4200], config[512];
    snprintf(dir, size, "%s", plug_folder());
    plug_install(dir, "plug_c", "test.c", 3, "{\"test.b\": \"^1\"}", NULL);
    plug_install(dir, "plug_a", "test.a", 1, NULL, NULL);
    plug_install(dir, "plug_b", "test.b", 2, "{\"test.a\": \"~1.0\"}", NULL);
    snprintf(config, sizeof(config),
             "{\"plugin_folders\": [\".\"], \"modules\": {\"%s\": {\"settings\": {\"fail\": \"%s\"}}}}",
             fail_module ? fail_module : "none", fail_step ? fail_step : "");
    plug_write(dir, "facet.conf.json", config);
    snprintf(path, sizeof(path), "%s/facet.conf.json", dir);
    assert_int_equal(facet_runtime_new(&rt, NULL), FACET_OK);
    journal_init(&journal);
    assert_int_equal(facet_service_register(rt, &IID_ITestJournal, (IFacetUnknown *)&journal.itf, NULL),
                     FACET_OK);
    assert_int_equal(facet_runtime_load_config(NULL, rt, path), FACET_OK);
    return rt;
}

static void teardown(FacetRuntime *rt, const char *dir)
{
    assert_int_equal(facet_runtime_free(rt), FACET_OK);
    assert_int_equal(journal.refs, 1);
    facet_test_remove_tree(dir);
    assert_no_leaks();
}

static void test_lifecycle_order__start_stop(void **state)
{
    char dir[4096];
    FacetRuntime *rt = setup(dir, sizeof(dir), NULL, NULL);
    (void)state;
    assert_int_equal(facet_runtime_start(rt), FACET_OK);
    assert_string_equal(journal.text, "test.a:init test.b:init test.c:init "
                                      "test.a:start test.b:start test.c:start");
    expect_error(facet_runtime_start(rt), FACET_E_STATE, "already started");
    journal.text[0] = '\0';
    assert_int_equal(facet_runtime_stop(rt), FACET_OK);
    assert_string_equal(journal.text, "test.c:stop test.b:stop test.a:stop "
                                      "test.c:shutdown test.b:shutdown test.a:shutdown");
    assert_int_equal(facet_runtime_stop(rt), FACET_FALSE);
    /* again, and this time facet_runtime_free stops it */
    journal.text[0] = '\0';
    assert_int_equal(facet_runtime_start(rt), FACET_OK);
    journal.text[0] = '\0';
    assert_int_equal(facet_runtime_free(rt), FACET_OK);
    assert_string_equal(journal.text, "test.c:stop test.b:stop test.a:stop "
                                      "test.c:shutdown test.b:shutdown test.a:shutdown");
    facet_test_remove_tree(dir);
    assert_no_leaks();
}

static void test_lifecycle_order__rollback_everywhere(void **state)
{
    static const struct {
        const char *module, *step, *journal, *message, *detail;
    } cases[] = {
        {"test.a", "init", "test.a:init", "module test.a: Init failed with FACET_E_FAIL", "shut down the 0 module(s)"},
        {"test.b", "init", "test.a:init test.b:init test.a:shutdown",
         "module test.b: Init failed", "shut down the 1 module(s) initialised before it"},
        {"test.c", "init", "test.a:init test.b:init test.c:init test.b:shutdown test.a:shutdown",
         "module test.c: Init failed", "shut down the 2 module(s)"},
        {"test.a", "start",
         "test.a:init test.b:init test.c:init test.a:start "
         "test.c:shutdown test.b:shutdown test.a:shutdown",
         "module test.a: Start failed", "stopped the 0 module(s) started before it and shut down all 3"},
        {"test.b", "start",
         "test.a:init test.b:init test.c:init test.a:start test.b:start test.a:stop "
         "test.c:shutdown test.b:shutdown test.a:shutdown",
         "module test.b: Start failed", "stopped the 1 module(s) started before it and shut down all 3"},
        {"test.c", "start",
         "test.a:init test.b:init test.c:init test.a:start test.b:start test.c:start "
         "test.b:stop test.a:stop test.c:shutdown test.b:shutdown test.a:shutdown",
         "module test.c: Start failed", "stopped the 2 module(s) started before it and shut down all 3"},
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char dir[4096];
        FacetRuntime *rt = setup(dir, sizeof(dir), cases[i].module, cases[i].step);
        expect_error(facet_runtime_start(rt), FACET_E_FAIL, cases[i].message, cases[i].detail);
        if (strcmp(journal.text, cases[i].journal) != 0)
            fail_msg("fail %s %s:\n got      %s\n expected %s", cases[i].module, cases[i].step,
                     journal.text, cases[i].journal);
        /* nothing is left started */
        assert_int_equal(facet_runtime_stop(rt), FACET_FALSE);
        teardown(rt, dir);
    }
}

static void test_lifecycle_order__stop_failure_reported(void **state)
{
    char dir[4096];
    FacetRuntime *rt = setup(dir, sizeof(dir), "test.b", "stop");
    (void)state;
    assert_int_equal(facet_runtime_start(rt), FACET_OK);
    journal.text[0] = '\0';
    expect_error(facet_runtime_stop(rt), FACET_E_FAIL, "module test.b: Stop failed");
    /* every step still ran */
    assert_string_equal(journal.text, "test.c:stop test.b:stop test.a:stop "
                                      "test.c:shutdown test.b:shutdown test.a:shutdown");
    teardown(rt, dir);
}

static void test_lifecycle_order__cycle(void **state)
{
    char dir[4096];
    FacetRuntime *rt;
    FacetRuntimeStats st = FACET_RUNTIME_STATS_INIT;
    (void)state;
    snprintf(dir, sizeof(dir), "%s", plug_folder());
    plug_install(dir, "plug_a", "test.a", 1, "{\"test.c\": \"*\"}", NULL);
    plug_install(dir, "plug_b", "test.b", 2, "{\"test.a\": \"*\"}", NULL);
    plug_install(dir, "plug_c", "test.c", 3, "{\"test.b\": \"*\"}", NULL);
    assert_int_equal(facet_runtime_new(&rt, NULL), FACET_OK);
    assert_int_equal(facet_scan(NULL, rt, dir), FACET_OK);
    expect_error(facet_runtime_start(rt), FACET_E_CYCLE, "dependency cycle", "test.a", "test.b",
                 "test.c", "no module was loaded");
    assert_int_equal(facet_runtime_stats(&st, rt), FACET_OK);
    assert_int_equal(st.modules_loaded, 0);
    assert_int_equal(facet_runtime_free(rt), FACET_OK);
    facet_test_remove_tree(dir);
    assert_no_leaks();
}

static void test_lifecycle_order__nothing_scanned(void **state)
{
    FacetRuntime *rt;
    (void)state;
    assert_int_equal(facet_runtime_new(&rt, NULL), FACET_OK);
    assert_int_equal(facet_runtime_start(rt), FACET_OK);
    assert_int_equal(facet_runtime_stop(rt), FACET_OK);
    expect_error(facet_runtime_start(NULL), FACET_E_POINTER, "rt");
    assert_int_equal(facet_runtime_free(rt), FACET_OK);
    assert_no_leaks();
}

/* The lifecycle object is a face of the factory: QueryInterface for
 * IFacetUnknown from either gives one identity, each reaches the other, and
 * its references are the factory's, so they balance. */
static void test_lifecycle_order__factory_identity(void **state)
{
    char dir[4096], path[4200];
    FacetRuntime *rt;
    FacetModule *m;
    IFacetFactory *factory, *back;
    IFacetLifecycle *life;
    IFacetUnknown *u1, *u2;
    (void)state;
    snprintf(dir, sizeof(dir), "%s", plug_folder());
    plug_install(dir, "plug_a", "test.a", 1, NULL, NULL);
    snprintf(path, sizeof(path), "%s/plug_a" PLUG_SUFFIX, dir);
    assert_int_equal(facet_runtime_new(&rt, NULL), FACET_OK);
    assert_int_equal(facet_module_load(&m, rt, path), FACET_OK);
    assert_int_equal(facet_module_factory(&factory, m), FACET_OK);
    assert_int_equal(IFacetFactory_QueryInterface(factory, &IID_IFacetLifecycle, (void **)&life),
                     FACET_OK);
    assert_int_equal(IFacetLifecycle_QueryInterface(life, &IID_IFacetUnknown, (void **)&u1),
                     FACET_OK);
    assert_int_equal(IFacetFactory_QueryInterface(factory, &IID_IFacetUnknown, (void **)&u2),
                     FACET_OK);
    assert_ptr_equal(u1, u2);
    assert_int_equal(IFacetLifecycle_QueryInterface(life, &IID_IFacetFactory, (void **)&back),
                     FACET_OK);
    assert_ptr_equal(back, factory);
    IFacetUnknown_Release(u1);
    IFacetUnknown_Release(u2);
    IFacetFactory_Release(back);
    IFacetLifecycle_Release(life);
    IFacetFactory_Release(factory);
    /* Balanced: unloading lets the module drop its host, so nothing leaks. */
    assert_int_equal(facet_module_unload(m), FACET_OK);
    assert_int_equal(facet_runtime_free(rt), FACET_OK);
    facet_test_remove_tree(dir);
    assert_no_leaks();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lifecycle_order__start_stop),
        cmocka_unit_test(test_lifecycle_order__rollback_everywhere),
        cmocka_unit_test(test_lifecycle_order__stop_failure_reported),
        cmocka_unit_test(test_lifecycle_order__cycle),
        cmocka_unit_test(test_lifecycle_order__nothing_scanned),
        cmocka_unit_test(test_lifecycle_order__factory_identity),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
