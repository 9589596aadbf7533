/*
 * tests/lifecycle/order.c - IFacetLifecycle in dependency order, stopped in
 * reverse, rolled back on a failure at every position, and dependency
 * cycles reported before any code loads; a "requires" chain far longer
 * than a thread's stack is deep.
 */
#include <string.h>

#include "plugtest.h"

#ifdef _WIN32
#include <windows.h>
#else
#include <pthread.h>
#endif

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

/* ---- A chain of 5,000 modules, started on a 128 KiB stack --------------- */

/* A walk that recursed once per module would need more than 25 bytes of
 * stack a level to fit: no real call frame is that small, so a recursive
 * walk overflows here. (The chain is not longer because writing and
 * scanning each manifest costs ~15 ms under Wine.) */
#define CHAIN 5000u
#define SMALL_STACK (128u * 1024u)

/* c.00000 requires c.00001, ... c.04998 requires c.04999, which requires
 * nothing, or c.00000 when cyclic. No library is there: the walk of the
 * graph comes before any load. Manifests from `from` on are written. */
static void write_chain(const char *dir, unsigned from, int cyclic)
{
    char name[64], text[512];
    unsigned i;
    for (i = from; i < CHAIN; i++) {
        char requires[64] = "";
        if (i + 1 < CHAIN || cyclic)
            snprintf(requires, sizeof(requires), "\"c.%05u\": \"^1\"", (i + 1) % CHAIN);
        snprintf(text, sizeof(text),
                 "{\"name\": \"c.%05u\", \"version\": \"1.0.0\", \"library\": \"c%05u.so\", "
                 "\"classes\": [], \"requires\": {%s}}",
                 i, i, requires);
        snprintf(name, sizeof(name), "c%05u.facet.json", i);
        plug_write(dir, name, text);
    }
}

typedef struct Starter {
    FacetRuntime *rt;
    FacetResult r;
    char message[2048];
} Starter;

#ifdef _WIN32
static DWORD WINAPI start_thread(void *payload)
#else
static void *start_thread(void *payload)
#endif
{
    Starter *s = payload;
    s->r = facet_runtime_start(s->rt);
    snprintf(s->message, sizeof(s->message), "%s", facet_last_error());
    return 0;
}

/* facet_runtime_start on a thread with a 128 KiB stack, smaller than the
 * 1 MiB many hosts give their worker threads (cmocka's checks stay on this
 * thread). */
static void start_on_small_stack(Starter *s)
{
#ifdef _WIN32
    HANDLE t = CreateThread(NULL, SMALL_STACK, start_thread, s, STACK_SIZE_PARAM_IS_A_RESERVATION,
                            NULL);
    assert_non_null(t);
    WaitForSingleObject(t, INFINITE);
    CloseHandle(t);
#else
    pthread_attr_t attr;
    pthread_t t;
    assert_int_equal(pthread_attr_init(&attr), 0);
    assert_int_equal(pthread_attr_setstacksize(&attr, SMALL_STACK), 0);
    assert_int_equal(pthread_create(&t, &attr, start_thread, s), 0);
    assert_int_equal(pthread_join(t, NULL), 0);
    pthread_attr_destroy(&attr);
#endif
}

static void test_lifecycle_order__long_chain_small_stack(void **state)
{
    static const struct {
        int cyclic;
        FacetResult code;
        const char *first, *second;
    } cases[] = {
        /* ordered: the leaf comes first, and its missing library stops it */
        {0, FACET_E_FILENOTFOUND, "c04999.facet.json", "library \"c04999.so\" not found"},
        /* every member walked; the cycle is named by its first and last
         * members (which one comes first depends on the folder's order) */
        {1, FACET_E_CYCLE, "dependency cycle of 5000 modules: c.", "-> ... (4988 more) -> c."},
    };
    char dir[4096];
    size_t k;
    (void)state;
    snprintf(dir, sizeof(dir), "%s", plug_folder());
    for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        Starter s;
        FacetRuntimeStats st = FACET_RUNTIME_STATS_INIT;
        /* the cyclic chain differs from the other in its last link only
         * (files are slow to write under Wine) */
        write_chain(dir, k == 0 ? 0 : CHAIN - 1, cases[k].cyclic);
        memset(&s, 0, sizeof(s));
        assert_int_equal(facet_runtime_new(&s.rt, NULL), FACET_OK);
        assert_int_equal(facet_scan(NULL, s.rt, dir), FACET_OK);
        start_on_small_stack(&s);
        if (s.r != cases[k].code || strstr(s.message, cases[k].first) == NULL ||
            strstr(s.message, cases[k].second) == NULL)
            fail_msg("got %s: %s", facet_result_name(s.r), s.message);
        if (cases[k].cyclic) {
            /* it closes where it began: "c.A -> c.B ... -> c.A (see" */
            const char *begin = strstr(s.message, ": c.") + 2, *end = strstr(s.message, " (see");
            assert_memory_equal(begin, end - 7, 7);
        }
        assert_int_equal(facet_runtime_stats(&st, s.rt), FACET_OK);
        assert_int_equal(st.modules_loaded, 0);
        assert_int_equal(facet_runtime_free(s.rt), FACET_OK);
        assert_no_leaks();
    }
    facet_test_remove_tree(dir);
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
        cmocka_unit_test(test_lifecycle_order__long_chain_small_stack),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
