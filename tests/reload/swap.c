/*
 * tests/reload/swap.c - facet_runtime_reload with good versions: new
 * instances come from the new version, objects made before keep running
 * the old code until their last Release, then the old version unloads;
 * the state is handed over; modules that depend on it are stopped and
 * started again around the swap; listeners and the log are told.
 */
#include "rltest.h"

static Journal journal;

static void stats(FacetRuntime *rt, uint32_t *loaded, uint32_t *waiting)
{
    FacetRuntimeStats st = FACET_RUNTIME_STATS_INIT;
    assert_int_equal(facet_runtime_stats(&st, rt), FACET_OK);
    *loaded = st.modules_loaded;
    *waiting = st.modules_waiting;
}

static void test_reload_swap__old_objects_keep_old_code(void **state)
{
    char dir[4096];
    FacetRuntime *rt = rl_setup(dir, sizeof(dir));
    IReloadProbe *old, *mid;
    const char *v = NULL;
    uint32_t sum = 0, loaded, waiting;
    (void)state;

    old = rl_new(rt);
    assert_string_equal(rl_serving(rt), "1.0.0");

    /* renamed into place, as a build or an installer does */
    rl_put(dir, "rl_v2", "2.0.0", 1);
    assert_int_equal(facet_runtime_reload(rt, "test.rl"), FACET_OK);
    assert_string_equal(rl_serving(rt), "2.0.0");
    mid = rl_new(rt);
    assert_int_equal(IReloadProbe_Version(old, &v), FACET_OK);
    assert_string_equal(v, "1.0.0");
    assert_int_equal(IReloadProbe_Add(old, 1, 2, &sum), FACET_OK);
    assert_int_equal(sum, 4); /* version 1's code: + 1 */
    stats(rt, &loaded, &waiting);
    assert_int_equal(loaded, 2);
    assert_int_equal(waiting, 1);

    /* written in place, as cp does */
    rl_put(dir, "rl_v3", "3.0.0", 0);
    assert_int_equal(facet_runtime_reload(rt, "test.rl"), FACET_OK);
    assert_string_equal(rl_serving(rt), "3.0.0");
    assert_int_equal(IReloadProbe_Add(mid, 1, 2, &sum), FACET_OK);
    assert_int_equal(sum, 5);
    assert_int_equal(IReloadProbe_Add(old, 1, 2, &sum), FACET_OK);
    assert_int_equal(sum, 4);
    stats(rt, &loaded, &waiting);
    assert_int_equal(loaded, 3);
    assert_int_equal(waiting, 2);

    /* the last Release lets each old version go */
    IReloadProbe_Release(old);
    assert_int_equal(facet_runtime_collect(rt), FACET_FALSE);
    stats(rt, &loaded, &waiting);
    assert_int_equal(loaded, 2);
    IReloadProbe_Release(mid);
    assert_int_equal(facet_runtime_collect(rt), FACET_OK);
    stats(rt, &loaded, &waiting);
    assert_int_equal(loaded, 1);
    assert_int_equal(waiting, 0);

    assert_true(rl_events_have("started test.rl 1.0.0>2.0.0 FACET_OK"));
    assert_true(rl_events_have("ok test.rl 1.0.0>2.0.0 FACET_OK"));
    assert_true(rl_events_have("ok test.rl 2.0.0>3.0.0 FACET_OK"));
    assert_int_equal(rl_seen.started, 2);
    assert_int_equal(rl_seen.succeeded, 2);
    assert_int_equal(rl_seen.rolled_back, 0);
    assert_true(rl_log_has("test.rl: reload: version 3.0.0 serves new instances"));

    assert_int_equal(facet_runtime_free(rt), FACET_OK);
    facet_test_remove_tree(dir);
    assert_no_leaks();
}

static void test_reload_swap__not_loaded_yet(void **state)
{
    char dir[4096];
    FacetRuntime *rt = rl_setup(dir, sizeof(dir));
    uint32_t loaded, waiting;
    (void)state;
    /* scanned, no code loaded: the reload loads the new version */
    rl_put(dir, "rl_v2", "2.0.0", 1);
    assert_int_equal(facet_runtime_reload(rt, "test.rl"), FACET_OK);
    stats(rt, &loaded, &waiting);
    assert_int_equal(loaded, 1);
    assert_string_equal(rl_serving(rt), "2.0.0");
    assert_true(rl_events_have("ok test.rl 1.0.0>2.0.0"));
    assert_int_equal(facet_runtime_free(rt), FACET_OK);
    facet_test_remove_tree(dir);
    assert_no_leaks();
}

static void test_reload_swap__state_handed_over(void **state)
{
    char dir[4096];
    FacetRuntime *rt = rl_setup(dir, sizeof(dir));
    IReloadProbe *p[3], *q;
    uint32_t n = 0;
    int i;
    (void)state;
    for (i = 0; i < 3; i++)
        p[i] = rl_new(rt); /* version 1 made 3 */
    assert_int_equal(IReloadProbe_Restored(p[0], &n), FACET_OK);
    assert_int_equal(n, UINT32_MAX);
    rl_put(dir, "rl_v2", "2.0.0", 1);
    assert_int_equal(facet_runtime_reload(rt, "test.rl"), FACET_OK);
    q = rl_new(rt); /* version 2 made 1, and was handed 3 */
    assert_int_equal(IReloadProbe_Restored(q, &n), FACET_OK);
    assert_int_equal(n, 3);
    IReloadProbe_Release(q);
    rl_put(dir, "rl_v3", "3.0.0", 1);
    assert_int_equal(facet_runtime_reload(rt, "test.rl"), FACET_OK);
    q = rl_new(rt);
    assert_int_equal(IReloadProbe_Restored(q, &n), FACET_OK);
    assert_int_equal(n, 4);
    IReloadProbe_Release(q);
    for (i = 0; i < 3; i++)
        IReloadProbe_Release(p[i]);
    assert_int_equal(facet_runtime_free(rt), FACET_OK);
    facet_test_remove_tree(dir);
    assert_no_leaks();
}

/* test.a (the lifecycle test plugin) requires test.rl: it is stopped
 * before the swap and started after it, and the new version is
 * initialised and started in between. */
static void test_reload_swap__dependants_stopped_and_started(void **state)
{
    char dir[4096];
    FacetRuntime *rt = rl_setup(dir, sizeof(dir));
    (void)state;
    plug_install(dir, "plug_a", "test.a", 1, "{\"test.rl\": \">=1\"}", NULL);
    journal_init(&journal);
    assert_int_equal(facet_service_register(rt, &IID_ITestJournal, (IFacetUnknown *)&journal.itf,
                                            NULL),
                     FACET_OK);
    assert_int_equal(facet_scan(NULL, rt, dir), FACET_OK);
    assert_int_equal(facet_runtime_start(rt), FACET_OK);
    assert_string_equal(journal.text, "test.a:init test.a:start");
    journal.text[0] = '\0';
    rl_put(dir, "rl_v2", "2.0.0", 1);
    assert_int_equal(facet_runtime_reload(rt, "test.rl"), FACET_OK);
    assert_string_equal(journal.text, "test.a:stop test.a:start");
    assert_string_equal(rl_serving(rt), "2.0.0");
    /* and a reload of test.a itself, which nothing depends on */
    journal.text[0] = '\0';
    assert_int_equal(facet_runtime_reload(rt, "test.a"), FACET_OK);
    assert_string_equal(journal.text, "test.a:stop test.a:init test.a:start test.a:shutdown");
    journal.text[0] = '\0';
    assert_int_equal(facet_runtime_stop(rt), FACET_OK);
    assert_string_equal(journal.text, "test.a:stop test.a:shutdown");
    assert_int_equal(facet_runtime_free(rt), FACET_OK);
    assert_int_equal(journal.refs, 1);
    facet_test_remove_tree(dir);
    assert_no_leaks();
}

static void test_reload_swap__listeners(void **state)
{
    char dir[4096];
    FacetRuntime *rt = rl_setup(dir, sizeof(dir));
    (void)state;
    expect_error(facet_runtime_reload_listen(rt, rl_listen, NULL), FACET_E_CONFLICT,
                 "listen already");
    expect_error(facet_runtime_reload_listen(rt, NULL, NULL), FACET_E_POINTER, "fn");
    expect_error(facet_runtime_reload_listen(NULL, rl_listen, NULL), FACET_E_POINTER, "rt");
    expect_error(facet_runtime_reload_unlisten(rt, rl_listen, &journal), FACET_E_NOTFOUND,
                 "do not listen");
    rl_put(dir, "rl_v2", "2.0.0", 1);
    assert_int_equal(facet_runtime_reload(rt, "test.rl"), FACET_OK);
    assert_int_equal(rl_seen.succeeded, 1);
    assert_int_equal(facet_runtime_reload_unlisten(rt, rl_listen, NULL), FACET_OK);
    rl_put(dir, "rl_v3", "3.0.0", 1);
    assert_int_equal(facet_runtime_reload(rt, "test.rl"), FACET_OK);
    assert_int_equal(rl_seen.succeeded, 1); /* not told any more */
    assert_string_equal(rl_serving(rt), "3.0.0");
    assert_int_equal(facet_runtime_free(rt), FACET_OK);
    facet_test_remove_tree(dir);
    assert_no_leaks();
}

/* A library with STB_GNU_UNIQUE symbols never unloads: the log says so,
 * naming one, when it is loaded; a library without has no such line. */
static void test_reload_swap__gnu_unique_logged(void **state)
{
    char dir[4096];
    FacetRuntime *rt;
    (void)state;
    if (!RL_HAVE_UNIQUE) {
        print_message("SKIPPED: this compiler binds no symbol STB_GNU_UNIQUE (GCC on ELF does)\n");
        skip();
    }
    rt = rl_setup(dir, sizeof(dir));
    rl_put(dir, "rl_v2", "2.0.0", 1);
    assert_int_equal(facet_runtime_reload(rt, "test.rl"), FACET_OK);
    assert_false(rl_log_has("STB_GNU_UNIQUE"));
    rl_put(dir, "rl_unique", "5.0.0", 1);
    assert_int_equal(facet_runtime_reload(rt, "test.rl"), FACET_OK);
    assert_string_equal(rl_serving(rt), "5.0.0");
    assert_true(rl_log_has("symbol(s) bound STB_GNU_UNIQUE (_ZZ15rl_unique_countvE5count)"));
    assert_true(rl_log_has("-fno-gnu-unique"));
    assert_int_equal(facet_runtime_free(rt), FACET_OK);
    facet_test_remove_tree(dir);
    assert_no_leaks();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reload_swap__old_objects_keep_old_code),
        cmocka_unit_test(test_reload_swap__not_loaded_yet),
        cmocka_unit_test(test_reload_swap__state_handed_over),
        cmocka_unit_test(test_reload_swap__dependants_stopped_and_started),
        cmocka_unit_test(test_reload_swap__listeners),
        cmocka_unit_test(test_reload_swap__gnu_unique_logged),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
