/*
 * tests/reload/rollback.c - every kind of bad version is rolled back: the
 * last good version keeps serving, its objects keep working, the result,
 * the message, the listener and the log say why; a good version after it
 * (even with the same version number) is taken. And misuse of the API.
 */
#include "rltest.h"

static Journal journal;

static void test_reload_rollback__every_bad_kind(void **state)
{
    char dir[4096], expect[256];
    size_t i;
    (void)state;
    for (i = 0; i < sizeof(rl_bads) / sizeof(rl_bads[0]); i++) {
        FacetRuntime *rt = rl_setup(dir, sizeof(dir));
        IReloadProbe *old;
        const char *v = NULL;
        uint32_t sum = 0;
        FacetResult r;
        print_message("bad version: %s\n", rl_bads[i].what);
        /* started, with test.a depending on it */
        plug_install(dir, "plug_a", "test.a", 1,
                     rl_bads[i].put == put_breaks_dependant ? "{\"test.rl\": \"^1\"}"
                                                         : "{\"test.rl\": \">=1\"}",
                     NULL);
        journal_init(&journal);
        assert_int_equal(facet_service_register(rt, &IID_ITestJournal,
                                                (IFacetUnknown *)&journal.itf, NULL),
                         FACET_OK);
        assert_int_equal(facet_scan(NULL, rt, dir), FACET_OK);
        assert_int_equal(facet_runtime_start(rt), FACET_OK);
        old = rl_new(rt);
        journal.text[0] = '\0';

        rl_bads[i].put(dir);
        r = facet_runtime_reload(rt, "test.rl");
        if (r != rl_bads[i].code)
            fail_msg("%s: %s, expected %s: %s", rl_bads[i].what, facet_result_name(r),
                     facet_result_name(rl_bads[i].code), facet_last_error());
        expect_error(r, rl_bads[i].code, rl_bads[i].words, "rolled back: version 1.0.0 keeps serving");
        assert_string_equal(rl_serving(rt), "1.0.0");
        assert_int_equal(IReloadProbe_Version(old, &v), FACET_OK);
        assert_string_equal(v, "1.0.0");
        assert_int_equal(IReloadProbe_Add(old, 2, 2, &sum), FACET_OK);
        assert_int_equal(sum, 5);
        assert_int_equal(rl_seen.rolled_back, 1);
        assert_int_equal(rl_seen.succeeded, 0);
        snprintf(expect, sizeof(expect), "back test.rl 1.0.0>");
        assert_true(rl_events_have(expect));
        assert_true(rl_events_have(facet_result_name(rl_bads[i].code)));
        assert_true(rl_log_has("reload rolled back"));
        /* test.a was stopped only where the swap got that far, and runs */
        assert_true(journal.text[0] == '\0' ||
                    strcmp(journal.text, "test.a:stop test.a:start") == 0);

        /* a good build after it is taken, though its version is the one
         * that serves: the old version stays, held by old */
        rl_put(dir, "rl_v1", "1.0.0", 1);
        if (FACET_FAILED(facet_runtime_reload(rt, "test.rl")))
            fail_msg("%s, then a good version: %s", rl_bads[i].what, facet_last_error());
        assert_true(rl_events_have("ok test.rl 1.0.0>1.0.0 FACET_OK"));
        {
            FacetRuntimeStats st = FACET_RUNTIME_STATS_INIT;
            assert_int_equal(facet_runtime_stats(&st, rt), FACET_OK);
            assert_int_equal(st.modules_waiting, 1);
        }
        IReloadProbe_Release(old);
        assert_int_equal(facet_runtime_free(rt), FACET_OK);
        assert_int_equal(journal.refs, 1);
        facet_test_remove_tree(dir);
        assert_no_leaks();
    }
}

/* The same version number, bad first, then good. */
static void test_reload_rollback__same_version_tried_again(void **state)
{
    char dir[4096];
    FacetRuntime *rt = rl_setup(dir, sizeof(dir));
    (void)state;
    assert_string_equal(rl_serving(rt), "1.0.0");
    rl_put(dir, "rl_v2", "2.0.0", 1);
    put_truncated(dir);
    expect_error(facet_runtime_reload(rt, "test.rl"), FACET_E_TRUNCATED, RL_LIB);
    rl_put(dir, "rl_v2", "2.0.0", 1);
    assert_int_equal(facet_runtime_reload(rt, "test.rl"), FACET_OK);
    assert_string_equal(rl_serving(rt), "2.0.0");
    assert_true(rl_events_have("back test.rl 1.0.0>2.0.0 FACET_E_TRUNCATED"));
    assert_true(rl_events_have("ok test.rl 1.0.0>2.0.0 FACET_OK"));
    assert_int_equal(facet_runtime_free(rt), FACET_OK);
    facet_test_remove_tree(dir);
    assert_no_leaks();
}

static void test_reload_rollback__misuse(void **state)
{
    char dir[4096];
    FacetRuntime *rt = rl_setup(dir, sizeof(dir));
    (void)state;
    expect_error(facet_runtime_reload(NULL, "test.rl"), FACET_E_POINTER, "rt");
    expect_error(facet_runtime_reload(rt, NULL), FACET_E_POINTER, "name");
    expect_error(facet_runtime_reload(rt, ""), FACET_E_INVALIDARG, "empty");
    expect_error(facet_runtime_reload(rt, "no.such.module"), FACET_E_NOTFOUND,
                 "no scanned module is named no.such.module");
    expect_error(facet_runtime_watch(NULL, NULL), FACET_E_POINTER, "rt");
    expect_error(facet_runtime_unwatch(NULL), FACET_E_POINTER, "rt");
    assert_int_equal(facet_runtime_unwatch(rt), FACET_FALSE);
    {
        FacetWatchOptions opts = FACET_WATCH_OPTIONS_INIT;
        opts.struct_size = 4;
        expect_error(facet_runtime_watch(rt, &opts), FACET_E_STRUCTSIZE, "FacetWatchOptions");
        opts.struct_size = sizeof(opts);
        opts.delay_ms = 700000;
        expect_error(facet_runtime_watch(rt, &opts), FACET_E_INVALIDARG, "delay_ms");
    }
    /* nothing failed that should not have: the module still reloads */
    rl_put(dir, "rl_v2", "2.0.0", 1);
    assert_int_equal(facet_runtime_reload(rt, "test.rl"), FACET_OK);
    assert_int_equal(rl_seen.rolled_back, 0);
    assert_int_equal(facet_runtime_free(rt), FACET_OK);
    facet_test_remove_tree(dir);
    assert_no_leaks();
}

/* A module that another version shadows or the configuration disabled is
 * not in use: nothing to reload. */
static void test_reload_rollback__not_in_use(void **state)
{
    char dir[4096], config[512], path[8448];
    FacetRuntime *rt;
    FacetRuntimeOptions opts = FACET_RUNTIME_OPTIONS_INIT;
    (void)state;
    snprintf(dir, sizeof(dir), "%s", plug_folder());
    rl_put(dir, "rl_v1", "1.0.0", 0);
    snprintf(config, sizeof(config), "{\"plugin_folders\": [\".\"], \"disable\": [\"test.rl\"]}");
    plug_write(dir, "facet.conf.json", config);
    snprintf(path, sizeof(path), "%s/facet.conf.json", dir);
    opts.log = rl_log;
    assert_int_equal(facet_runtime_new(&rt, &opts), FACET_OK);
    assert_int_equal(facet_runtime_load_config(NULL, rt, path), FACET_OK);
    expect_error(facet_runtime_reload(rt, "test.rl"), FACET_E_NOTFOUND, "test.rl is not in use");
    assert_int_equal(facet_runtime_free(rt), FACET_OK);
    facet_test_remove_tree(dir);
    assert_no_leaks();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reload_rollback__every_bad_kind),
        cmocka_unit_test(test_reload_rollback__same_version_tried_again),
        cmocka_unit_test(test_reload_rollback__misuse),
        cmocka_unit_test(test_reload_rollback__not_in_use),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
