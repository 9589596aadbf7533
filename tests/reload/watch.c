/*
 * tests/reload/watch.c - watching: "hot_reload": true in the configuration
 * and facet_runtime_watch; a burst of writes makes one reload; editors' and
 * linkers' temporaries make none; a bad file written into the folder is
 * rolled back; a folder deleted and made again is watched again; the
 * watcher's system calls can fail (FACET_FAULT_WATCH); a runtime freed
 * with a change pending stops its watcher cleanly.
 */
#include "rltest.h"

#include <sys/stat.h>

#define WAIT_MS 15000u /* for a loaded machine; a pass takes the delay */

/* Waits until new instances come from version, or fails. */
static void wait_serving(FacetRuntime *rt, const char *version)
{
    unsigned waited;
    for (waited = 0; waited < WAIT_MS; waited += 20) {
        if (strcmp(rl_serving(rt), version) == 0)
            return;
        rl_sleep_ms(20);
    }
    rl_lock();
    fail_msg("version %s never served; events:\n%s\nlog:\n%s", version, rl_seen.events,
             rl_seen.log);
}

static void wait_events(unsigned *counter, unsigned n)
{
    unsigned waited;
    for (waited = 0; waited < WAIT_MS; waited += 20) {
        rl_lock();
        if (*counter >= n) {
            rl_unlock();
            return;
        }
        rl_unlock();
        rl_sleep_ms(20);
    }
    rl_lock();
    fail_msg("%u event(s) expected; events:\n%s\nlog:\n%s", n, rl_seen.events, rl_seen.log);
}

static FacetRuntime *watched(char *dir, size_t size, uint32_t delay_ms)
{
    FacetWatchOptions opts = FACET_WATCH_OPTIONS_INIT;
    FacetRuntime *rt = rl_setup(dir, size);
    /* Its code loads now: a module whose code was never loaded loads the
     * files as they are when first used, which may be halfway through a
     * change (and then disagree with each other). */
    assert_string_equal(rl_serving(rt), "1.0.0");
    opts.delay_ms = delay_ms;
    assert_int_equal(facet_runtime_watch(rt, &opts), FACET_OK);
    assert_true(rl_log_has("watching 1 folder(s)"));
    return rt;
}

static void test_reload_watch__config_hot_reload(void **state)
{
    FacetRuntimeOptions opts = FACET_RUNTIME_OPTIONS_INIT;
    char dir[4096], path[8448];
    FacetRuntime *rt;
    (void)state;
    rl_seen_reset();
    snprintf(dir, sizeof(dir), "%s", plug_folder());
    rl_put(dir, "rl_v1", "1.0.0", 0);
    plug_write(dir, "facet.conf.json", "{\"plugin_folders\": [\".\"], \"hot_reload\": true}");
    snprintf(path, sizeof(path), "%s/facet.conf.json", dir);
    opts.log = rl_log;
    assert_int_equal(facet_runtime_new(&rt, &opts), FACET_OK);
    assert_int_equal(facet_runtime_load_config(NULL, rt, path), FACET_OK);
    assert_true(rl_log_has("quiet time 300 ms")); /* the default */
    assert_string_equal(rl_serving(rt), "1.0.0");
    rl_put(dir, "rl_v2", "2.0.0", 1);
    wait_serving(rt, "2.0.0");
    assert_int_equal(facet_runtime_free(rt), FACET_OK);
    facet_test_remove_tree(dir);
    assert_no_leaks();

    /* a value that is not true or false is the configuration's error */
    snprintf(dir, sizeof(dir), "%s", plug_folder());
    plug_write(dir, "facet.conf.json", "{\"plugin_folders\": [\".\"], \"hot_reload\": 1}");
    snprintf(path, sizeof(path), "%s/facet.conf.json", dir);
    assert_int_equal(facet_runtime_new(&rt, &opts), FACET_OK);
    expect_error(facet_runtime_load_config(NULL, rt, path), FACET_E_BADCONFIG, "$.hot_reload",
                 "expected true or false");
    assert_int_equal(facet_runtime_free(rt), FACET_OK);
    facet_test_remove_tree(dir);
    assert_no_leaks();
}

/* Many writes of both files, in place and renamed, make one reload. */
static void test_reload_watch__burst_coalesced(void **state)
{
    char dir[4096];
    FacetRuntime *rt = watched(dir, sizeof(dir), 400);
    int i;
    (void)state;
    for (i = 0; i < 5; i++) {
        rl_put(dir, "rl_v2", "2.0.0", i % 2);
        rl_sleep_ms(20);
    }
    wait_serving(rt, "2.0.0");
    rl_sleep_ms(800); /* twice the delay: anything else would have come */
    assert_int_equal(rl_count(&rl_seen.started), 1);
    assert_int_equal(rl_count(&rl_seen.succeeded), 1);
    assert_int_equal(facet_runtime_free(rt), FACET_OK);
    facet_test_remove_tree(dir);
    assert_no_leaks();
}

/* A library and its manifest a while apart, in either order, make one
 * reload and no rollback; a library whose manifest never follows is
 * rolled back once the time for it is up. */
static void test_reload_watch__pair_apart(void **state)
{
    char dir[4096];
    FacetRuntime *rt = watched(dir, sizeof(dir), 100);
    (void)state;
    rl_put_lib(dir, "rl_v2", 1);
    rl_sleep_ms(400); /* past the quiet time, well within the second */
    rl_put_manifest(dir, "2.0.0", 1);
    wait_serving(rt, "2.0.0");
    rl_put_manifest(dir, "3.0.0", 0); /* the other order, written in place */
    rl_sleep_ms(400);
    rl_put_lib(dir, "rl_v3", 0);
    wait_serving(rt, "3.0.0");
    wait_events(&rl_seen.succeeded, 2); /* told just after the swap */
    assert_int_equal(rl_count(&rl_seen.rolled_back), 0);
    assert_int_equal(rl_count(&rl_seen.succeeded), 2);
    /* the positive control: the manifest of version 1 never comes */
    rl_put_lib(dir, "rl_v1", 1);
    wait_events(&rl_seen.rolled_back, 1);
    assert_true(rl_events_have("FACET_E_MISMATCH"));
    assert_string_equal(rl_serving(rt), "3.0.0");
    assert_int_equal(facet_runtime_free(rt), FACET_OK);
    facet_test_remove_tree(dir);
    assert_no_leaks();
}

/* Temporaries never make a reload; the real file after them does. */
static void test_reload_watch__temporaries_ignored(void **state)
{
    static const char *const names[] = {".rl.so.swp", "rl.so~", "#rl.so#", "rl.so.tmp1234",
                                        "rl.facet.json.part", ".goutputstream-X1"};
    char dir[4096];
    FacetRuntime *rt = watched(dir, sizeof(dir), 100);
    size_t i;
    (void)state;
    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        plug_write(dir, names[i], "scratch");
    rl_sleep_ms(500);
    assert_int_equal(rl_count(&rl_seen.started), 0);
    /* the positive control: the real file is acted on */
    rl_put(dir, "rl_v2", "2.0.0", 1);
    wait_serving(rt, "2.0.0");
    assert_int_equal(rl_count(&rl_seen.started), 1);
    assert_int_equal(facet_runtime_free(rt), FACET_OK);
    facet_test_remove_tree(dir);
    assert_no_leaks();
}

/* A bad file dropped in is rolled back by the watcher too. */
static void test_reload_watch__bad_file_rolled_back(void **state)
{
    char dir[4096];
    FacetRuntime *rt = watched(dir, sizeof(dir), 100);
    IReloadProbe *old = rl_new(rt);
    const char *v = NULL;
    (void)state;
    put_text(dir);
    wait_events(&rl_seen.rolled_back, 1);
    assert_true(rl_events_have("FACET_E_NOTLIBRARY"));
    assert_string_equal(rl_serving(rt), "1.0.0");
    put_truncated(dir);
    wait_events(&rl_seen.rolled_back, 2);
    assert_true(rl_events_have("FACET_E_TRUNCATED"));
    assert_string_equal(rl_serving(rt), "1.0.0");
    /* deleted: a bad version too */
    put_missing(dir);
    wait_events(&rl_seen.rolled_back, 3);
    assert_true(rl_events_have("FACET_E_FILENOTFOUND"));
    assert_int_equal(IReloadProbe_Version(old, &v), FACET_OK);
    assert_string_equal(v, "1.0.0");
    rl_put(dir, "rl_v3", "3.0.0", 0);
    wait_serving(rt, "3.0.0");
    IReloadProbe_Release(old);
    assert_int_equal(facet_runtime_free(rt), FACET_OK);
    facet_test_remove_tree(dir);
    assert_no_leaks();
}

/* The folder goes, and comes back with a new version in it. */
static void test_reload_watch__folder_recreated(void **state)
{
    char dir[4096];
    FacetRuntime *rt = watched(dir, sizeof(dir), 100);
    IReloadProbe *old = rl_new(rt);
    (void)state;
    facet_test_remove_tree(dir);
    {
        struct stat st;
        if (stat(dir, &st) == 0) {
            /* Wine refuses to delete a folder that a handle holds open
             * (Windows lets it go, pending deletion, and so does Linux). */
            IReloadProbe_Release(old);
            assert_int_equal(facet_runtime_free(rt), FACET_OK);
            facet_test_remove_tree(dir);
            assert_no_leaks();
            print_message("SKIPPED: this system did not delete a folder that is being "
                          "watched\n");
            skip();
        }
    }
    rl_sleep_ms(400);
    assert_true(rl_log_has("the watched folder is gone"));
    assert_string_equal(rl_serving(rt), "1.0.0"); /* its code is loaded: it serves */
#ifdef _WIN32
    _mkdir(dir); /* the same path again */
#else
    mkdir(dir, 0700);
#endif
    rl_put(dir, "rl_v2", "2.0.0", 1);
    wait_serving(rt, "2.0.0");
    assert_true(rl_log_has("the folder is back"));
    IReloadProbe_Release(old);
    assert_int_equal(facet_runtime_free(rt), FACET_OK);
    facet_test_remove_tree(dir);
    assert_no_leaks();
}

static void test_reload_watch__fault(void **state)
{
    FacetWatchOptions opts = FACET_WATCH_OPTIONS_INIT;
    char dir[4096];
    FacetRuntime *rt = rl_setup(dir, sizeof(dir));
    unsigned nth;
    (void)state;
    assert_string_equal(rl_serving(rt), "1.0.0");
    /* each of the watcher's system calls, in turn */
    for (nth = 1; nth <= 2; nth++) {
        FacetResult r;
        facet_testing_fail(FACET_FAULT_WATCH, nth, 0);
        r = facet_runtime_watch(rt, &opts);
        assert_int_equal(facet_testing_failures(FACET_FAULT_WATCH), 1);
        expect_error(r, FACET_E_FAIL, "facet_runtime_watch");
        assert_int_equal(facet_runtime_unwatch(rt), FACET_FALSE);
    }
    facet_testing_fail(FACET_FAULT_WATCH, 0, 0);
    assert_int_equal(facet_runtime_watch(rt, &opts), FACET_OK);
    assert_true(facet_testing_calls(FACET_FAULT_WATCH) >= 2);
    rl_put(dir, "rl_v2", "2.0.0", 1);
    wait_serving(rt, "2.0.0");
    assert_int_equal(facet_runtime_unwatch(rt), FACET_OK);
    assert_int_equal(facet_runtime_free(rt), FACET_OK);
    facet_test_remove_tree(dir);
    assert_no_leaks();
}

/* Freed with a change pending, or mid-reload: the watcher stops first. */
static void test_reload_watch__free_while_pending(void **state)
{
    char dir[4096];
    int i;
    (void)state;
    for (i = 0; i < 6; i++) {
        FacetRuntime *rt = watched(dir, sizeof(dir), (uint32_t)(1 + i * 20));
        rl_put(dir, "rl_v2", "2.0.0", 1);
        rl_sleep_ms((unsigned)(i * 25));
        assert_int_equal(facet_runtime_free(rt), FACET_OK);
        facet_test_remove_tree(dir);
        assert_no_leaks();
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reload_watch__config_hot_reload),
        cmocka_unit_test(test_reload_watch__burst_coalesced),
        cmocka_unit_test(test_reload_watch__pair_apart),
        cmocka_unit_test(test_reload_watch__temporaries_ignored),
        cmocka_unit_test(test_reload_watch__bad_file_rolled_back),
        cmocka_unit_test(test_reload_watch__folder_recreated),
        cmocka_unit_test(test_reload_watch__fault),
        cmocka_unit_test(test_reload_watch__free_while_pending),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
