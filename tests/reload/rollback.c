/*
 * tests/reload/rollback.c - every kind of bad version is rolled back: the
 * last good version keeps serving, its objects keep working, the result,
 * the message, the listener and the log say why; a good version after it
 * (even with the same version number) is taken. And misuse of the API.
 */
#include "rltest.h"

static Journal journal;

/* A bad version: how to put it in place, what reload returns, and words
 * the message must hold. */
typedef struct Bad {
    const char *what;
    void (*put)(const char *dir);
    FacetResult code;
    const char *words;
} Bad;

static void put_missing(const char *dir)
{
    char path[8448];
    snprintf(path, sizeof(path), "%s/" RL_LIB, dir);
    assert_int_equal(remove(path), 0);
}

static void put_truncated(const char *dir)
{
    size_t size;
    char *data = facet_test_read_file(facet_test_module("rl_v2"), &size);
    rl_put_file(dir, RL_LIB, data, size / 3, 0); /* a copy cut short */
    free(data);
}

static void put_text(const char *dir)
{
    static const char text[] = "this is not a library, it is a text file\n";
    rl_put_file(dir, RL_LIB, text, sizeof(text) - 1, 1);
}

static void put_wrong_machine(const char *dir)
{
    size_t size;
    unsigned char *data = facet_test_read_file(facet_test_module("rl_v2"), &size);
#ifdef _WIN32
    /* IMAGE_FILE_HEADER.Machine, after "PE\0\0" at e_lfanew */
    uint32_t pe = data[0x3c] | data[0x3d] << 8 | data[0x3e] << 16 | (uint32_t)data[0x3f] << 24;
    data[pe + 4] = 0x64; /* ARM64: 0xAA64 */
    data[pe + 5] = 0xAA;
#else
    /* e_machine: aarch64 (183), or x86-64 (62) where this is aarch64 */
    data[18] = data[18] == 183 ? 62 : 183;
    data[19] = 0;
#endif
    rl_put_file(dir, RL_LIB, data, size, 1);
    free(data);
}

/* The library of version 2 with a manifest that says 5.0.0. */
static void put_mismatch(const char *dir)
{
    rl_put(dir, "rl_v2", "5.0.0", 1);
}

static void put_api_level(const char *dir)
{
    char text[4096], *at;
    rl_put(dir, "rl_v2", "2.0.0", 1);
    rl_manifest_text(text, sizeof(text), "2.0.0", NULL);
    at = strstr(text, "\"api_level\": 1");
    memcpy(at, "\"api_level\": 9", 14);
    rl_put_file(dir, RL_MANIFEST, text, strlen(text), 1);
}

static void put_go(const char *dir)
{
    char text[4096];
    rl_put(dir, "rl_v2", "2.0.0", 1);
    rl_manifest_text(text, sizeof(text), "2.0.0", "\"runtime\": \"go\"");
    rl_put_file(dir, RL_MANIFEST, text, strlen(text), 1);
}

static void put_bad_manifest(const char *dir)
{
    static const char text[] = "{\"name\": \"test.rl\", \"version\": ";
    rl_put(dir, "rl_v2", "2.0.0", 1);
    rl_put_file(dir, RL_MANIFEST, text, sizeof(text) - 1, 0); /* half written */
}

static void put_manifest_gone(const char *dir)
{
    char path[8448], away[8460];
    snprintf(path, sizeof(path), "%s/" RL_MANIFEST, dir);
    snprintf(away, sizeof(away), "%s.old", path);
    assert_int_equal(rename(path, away), 0); /* renamed away */
}

static void put_init_fails(const char *dir)
{
    rl_put(dir, "rl_init", "4.0.0", 1);
}

static void put_start_fails(const char *dir)
{
    rl_put(dir, "rl_start", "4.0.0", 1);
}

static void put_refuses_state(const char *dir)
{
    rl_put(dir, "rl_restore", "4.0.0", 0);
}

/* test.a requires test.rl ^1 in this case alone: version 2 breaks it. */
static void put_breaks_dependant(const char *dir)
{
    rl_put(dir, "rl_v2", "2.0.0", 1);
}

static const Bad bads[] = {
    {"missing", put_missing, FACET_E_FILENOTFOUND, RL_LIB},
    {"truncated", put_truncated, FACET_E_TRUNCATED, RL_LIB},
    {"text", put_text, FACET_E_NOTLIBRARY, RL_LIB},
    {"wrong machine", put_wrong_machine, FACET_E_WRONGARCH, RL_LIB},
    {"mismatch", put_mismatch, FACET_E_MISMATCH, "5.0.0"},
    {"api level", put_api_level, FACET_E_APILEVEL, "needs host API level 9"},
    {"go", put_go, FACET_E_CONFLICT, "Go"},
    {"bad manifest", put_bad_manifest, FACET_E_BADMANIFEST, RL_MANIFEST},
    {"manifest renamed away", put_manifest_gone, FACET_E_FILENOTFOUND, RL_MANIFEST},
    {"init fails", put_init_fails, FACET_E_FAIL, "Init of version 4.0.0 failed"},
    {"start fails", put_start_fails, FACET_E_FAIL, "Start of version 4.0.0 failed"},
    {"refuses the state", put_refuses_state, FACET_E_INVALIDARG, "refused the state"},
    {"breaks a dependant", put_breaks_dependant, FACET_E_VERSION, "breaks module test.a"},
};

static void test_reload_rollback__every_bad_kind(void **state)
{
    char dir[4096], expect[256];
    size_t i;
    (void)state;
    for (i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
        FacetRuntime *rt = rl_setup(dir, sizeof(dir));
        IReloadProbe *old;
        const char *v = NULL;
        uint32_t sum = 0;
        FacetResult r;
        print_message("bad version: %s\n", bads[i].what);
        /* started, with test.a depending on it */
        plug_install(dir, "plug_a", "test.a", 1,
                     bads[i].put == put_breaks_dependant ? "{\"test.rl\": \"^1\"}"
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

        bads[i].put(dir);
        r = facet_runtime_reload(rt, "test.rl");
        if (r != bads[i].code)
            fail_msg("%s: %s, expected %s: %s", bads[i].what, facet_result_name(r),
                     facet_result_name(bads[i].code), facet_last_error());
        expect_error(r, bads[i].code, bads[i].words, "rolled back: version 1.0.0 keeps serving");
        assert_string_equal(rl_serving(rt), "1.0.0");
        assert_int_equal(IReloadProbe_Version(old, &v), FACET_OK);
        assert_string_equal(v, "1.0.0");
        assert_int_equal(IReloadProbe_Add(old, 2, 2, &sum), FACET_OK);
        assert_int_equal(sum, 5);
        assert_int_equal(rl_seen.rolled_back, 1);
        assert_int_equal(rl_seen.succeeded, 0);
        snprintf(expect, sizeof(expect), "back test.rl 1.0.0>");
        assert_true(rl_events_have(expect));
        assert_true(rl_events_have(facet_result_name(bads[i].code)));
        assert_true(rl_log_has("reload rolled back"));
        /* test.a was stopped only where the swap got that far, and runs */
        assert_true(journal.text[0] == '\0' ||
                    strcmp(journal.text, "test.a:stop test.a:start") == 0);

        /* a good build after it is taken, though its version is the one
         * that serves: the old version stays, held by old */
        rl_put(dir, "rl_v1", "1.0.0", 1);
        if (FACET_FAILED(facet_runtime_reload(rt, "test.rl")))
            fail_msg("%s, then a good version: %s", bads[i].what, facet_last_error());
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
