/*
 * tests/core/handles.c - what the API hands out stays safe after the object
 * it came from is gone: the runtime's host object and its interfaces after
 * facet_runtime_free (they work, or fail with FACET_E_DISCONNECTED, and the
 * host's log function is never called again), a module's host object after
 * the module is unloaded, and module handles after their last unload and
 * after their runtime is freed (FACET_E_STATE, never freed memory).
 */
#include <pthread.h>
#include <string.h>

#include "plugtest.h"
#include "test_itf.h"

typedef struct Sink {
    int lines;
    int after_free; /* lines that came after facet_runtime_free returned */
    int freed;
    char last[256];
} Sink;

static void sink_log(uint32_t level, const char *module, const char *message, void *payload)
{
    Sink *s = payload;
    (void)level;
    if (__atomic_load_n(&s->freed, __ATOMIC_ACQUIRE))
        __atomic_add_fetch(&s->after_free, 1, __ATOMIC_ACQ_REL);
    __atomic_add_fetch(&s->lines, 1, __ATOMIC_ACQ_REL);
    snprintf(s->last, sizeof(s->last), "[%s] %s", module, message);
}

/* A runtime whose lines at level or above go to s. */
static FacetRuntime *runtime_with(Sink *s, uint32_t level)
{
    FacetRuntime *rt;
    FacetRuntimeOptions opts = FACET_RUNTIME_OPTIONS_INIT;
    memset(s, 0, sizeof(*s));
    opts.log = sink_log;
    opts.log_payload = s;
    opts.log_level = level;
    assert_int_equal(facet_runtime_new(&rt, &opts), FACET_OK);
    return rt;
}

/* ---- The runtime's host object ----------------------------------------- */

static void test_core_handles__host_object_outlives_runtime(void **state)
{
    Sink s;
    /* lines after the runtime go to stderr: few */
    FacetRuntime *rt = runtime_with(&s, FACET_LOG_ERROR);
    IFacetAllocator *a;
    IFacetLogger *logger = NULL;
    IFacetHost *host = NULL;
    IFacetConfig *cfg = NULL;
    IFacetBlob *blob = NULL;
    const char *text = NULL;
    void *p = NULL, *obj = NULL;
    uint32_t level = 0;
    (void)state;
    assert_int_equal(facet_runtime_allocator(&a, rt), FACET_OK);
    assert_int_equal(IFacetAllocator_QueryInterface(a, &IID_IFacetHost, (void **)&host), FACET_OK);
    /* Positive control: while the runtime lives, a line reaches its sink. */
    assert_int_equal(IFacetAllocator_QueryInterface(a, &IID_IFacetLogger, (void **)&logger),
                     FACET_OK);
    assert_int_equal(IFacetLogger_Log(logger, FACET_LOG_ERROR, "before"), FACET_OK);
    assert_int_equal(s.lines, 1);
    IFacetLogger_Release(logger);
    logger = NULL;

    assert_int_equal(facet_runtime_free(rt), FACET_OK);
    s.freed = 1;
    /* What needs no runtime works. */
    assert_int_equal(IFacetAllocator_Alloc(a, 64, &p), FACET_OK);
    assert_int_equal(IFacetAllocator_Free(a, p), FACET_OK);
    assert_int_equal(IFacetHost_CreateBlob(host, "x", 1, &blob), FACET_OK);
    IFacetBlob_Release(blob);
    assert_int_equal(IFacetHost_GetApiLevel(host, &level), FACET_OK);
    assert_int_equal(level, FACET_API_LEVEL);
    /* Logging goes on, but never to the host's function any more. */
    assert_int_equal(IFacetAllocator_QueryInterface(a, &IID_IFacetLogger, (void **)&logger),
                     FACET_OK);
    assert_int_equal(IFacetLogger_IsEnabled(logger, FACET_LOG_ERROR), FACET_OK);
    assert_int_equal(IFacetLogger_Log(logger, FACET_LOG_ERROR,
                                      "a line after facet_runtime_free (test output)"),
                     FACET_OK);
    assert_int_equal(s.lines, 1);
    /* What needs the runtime fails, and says why. */
    expect_error(IFacetHost_CreateInstanceByName(host, "test.beta.counter", NULL,
                                                 &IID_IFacetUnknown, &obj),
                 FACET_E_DISCONNECTED, "facet_runtime_free");
    assert_null(obj);
    expect_error(IFacetHost_QueryService(host, &IID_ITestJournal, &IID_IFacetUnknown, &obj),
                 FACET_E_DISCONNECTED, "facet_runtime_free");
    assert_int_equal(IFacetHost_QueryInterface(host, &IID_ITestJournal, &obj),
                     FACET_E_DISCONNECTED);
    assert_int_equal(IFacetHost_QueryInterface(host, &IID_IFacetConfig, (void **)&cfg), FACET_OK);
    assert_int_equal(IFacetConfig_GetString(cfg, "x", &text), FACET_E_DISCONNECTED);
    assert_null(text);
    IFacetConfig_Release(cfg);
    IFacetLogger_Release(logger);
    IFacetHost_Release(host);
    IFacetAllocator_Release(a);
    assert_no_leaks();
}

/* A thread logs all the time while the runtime is freed: the host's log
 * function is called until facet_runtime_free returns, never after. */
typedef struct Chatter {
    IFacetLogger *logger;
    int stop;
    int calls;
} Chatter;

static void *chatter(void *arg)
{
    Chatter *c = arg;
    while (!__atomic_load_n(&c->stop, __ATOMIC_ACQUIRE)) {
        IFacetLogger_Log(c->logger, FACET_LOG_DEBUG, "chatter");
        __atomic_add_fetch(&c->calls, 1, __ATOMIC_ACQ_REL);
    }
    return NULL;
}

static void test_core_handles__logging_while_runtime_freed(void **state)
{
    Sink s;
    FacetRuntime *rt = runtime_with(&s, FACET_LOG_TRACE);
    IFacetAllocator *a;
    Chatter c;
    pthread_t t;
    int before;
    (void)state;
    assert_int_equal(facet_runtime_allocator(&a, rt), FACET_OK);
    memset(&c, 0, sizeof(c));
    assert_int_equal(IFacetAllocator_QueryInterface(a, &IID_IFacetLogger, (void **)&c.logger),
                     FACET_OK);
    assert_int_equal(pthread_create(&t, NULL, chatter, &c), 0);
    while (__atomic_load_n(&s.lines, __ATOMIC_ACQUIRE) < 100)
        ;
    assert_int_equal(facet_runtime_free(rt), FACET_OK);
    __atomic_store_n(&s.freed, 1, __ATOMIC_RELEASE);
    before = __atomic_load_n(&c.calls, __ATOMIC_ACQUIRE);
    while (__atomic_load_n(&c.calls, __ATOMIC_ACQUIRE) < before + 1000)
        ;
    __atomic_store_n(&c.stop, 1, __ATOMIC_RELEASE);
    pthread_join(t, NULL);
    assert_true(s.lines >= 100);
    assert_int_equal(s.after_free, 0);
    IFacetLogger_Release(c.logger);
    IFacetAllocator_Release(a);
    assert_no_leaks();
}

/* ---- A module's host object -------------------------------------------- */

/* The host object a plugin module was handed, kept after the module is
 * unloaded: it still speaks for that module, and, once its runtime is
 * freed, fails cleanly. */
static void test_core_handles__module_host_outlives_module(void **state)
{
    Sink s;
    FacetRuntime *rt = runtime_with(&s, FACET_LOG_ERROR);
    FacetModule *m;
    ITestProbe *probe = NULL;
    IFacetUnknown *u = NULL;
    IFacetLogger *logger = NULL;
    IFacetConfig *cfg = NULL;
    const char *text = NULL;
    void *obj = NULL;
    (void)state;
    assert_int_equal(facet_module_load(&m, rt, facet_test_module("plug_a")), FACET_OK);
    assert_int_equal(facet_create_instance_by_name((void **)&probe, rt, "test.a.thing", NULL,
                                                   &IID_ITestProbe),
                     FACET_OK);
    assert_int_equal(ITestProbe_Probe(probe, &IID_IFacetHost, &u), FACET_OK);
    ITestProbe_Release(probe);
    assert_int_equal(facet_module_unload(m), FACET_OK); /* its code is gone */

    assert_int_equal(IFacetUnknown_QueryInterface(u, &IID_IFacetLogger, (void **)&logger),
                     FACET_OK);
    assert_int_equal(IFacetLogger_Log(logger, FACET_LOG_ERROR, "still test.a"), FACET_OK);
    assert_string_equal(s.last, "[test.a] still test.a");
    assert_int_equal(IFacetUnknown_QueryInterface(u, &IID_IFacetConfig, (void **)&cfg), FACET_OK);
    assert_int_equal(IFacetConfig_GetString(cfg, "x", &text), FACET_E_NOTFOUND);

    assert_int_equal(facet_runtime_free(rt), FACET_OK);
    assert_int_equal(IFacetConfig_GetString(cfg, "x", &text), FACET_E_DISCONNECTED);
    assert_int_equal(IFacetLogger_Log(logger, FACET_LOG_DEBUG, "below the level"), FACET_OK);
    assert_int_equal(IFacetUnknown_QueryInterface(u, &IID_ITestJournal, &obj),
                     FACET_E_DISCONNECTED);
    assert_int_equal(s.lines, 1);
    IFacetConfig_Release(cfg);
    IFacetLogger_Release(logger);
    IFacetUnknown_Release(u);
    assert_no_leaks();
}

/* ---- Module handles ---------------------------------------------------- */

static void expect_dead(FacetModule *m, const char *why)
{
    FacetModuleInfo info = FACET_MODULE_INFO_INIT;
    IFacetFactory *f = (IFacetFactory *)&f;
    expect_error(facet_module_unload(m), FACET_E_STATE, why);
    expect_error(facet_module_info(&info, m), FACET_E_STATE, why);
    assert_null(info.name);
    expect_error(facet_module_factory(&f, m), FACET_E_STATE, why);
    assert_null(f);
    assert_null(facet_module_path(m));
}

static void test_core_handles__module_after_last_unload(void **state)
{
    FacetRuntime *rt;
    FacetModule *m, *again;
    FacetModuleInfo info = FACET_MODULE_INFO_INIT;
    ITestCounter *c;
    (void)state;
    assert_int_equal(facet_runtime_new(&rt, NULL), FACET_OK);
    assert_int_equal(facet_module_load(&m, rt, facet_test_module("beta")), FACET_OK);
    /* Positive control: a held module answers. */
    assert_int_equal(facet_module_info(&info, m), FACET_OK);
    assert_string_equal(info.name, "test.beta");
    assert_non_null(facet_module_path(m));
    assert_int_equal(facet_module_unload(m), FACET_OK); /* really gone: unmapped */
    expect_dead(m, "unloaded");
    expect_dead(m, "unloaded"); /* and again */

    /* Let go of, but kept mapped by a live object: also no longer the host's. */
    assert_int_equal(facet_module_load(&again, rt, facet_test_module("beta")), FACET_OK);
    assert_ptr_equal(again, m); /* the same file gives the same handle back */
    assert_int_equal(facet_create_instance((void **)&c, rt, &CLSID_BetaCounter, NULL,
                                           &IID_ITestCounter),
                     FACET_OK);
    assert_int_equal(facet_module_unload(m), FACET_FALSE);
    expect_dead(m, "unloaded");
    ITestCounter_Release(c);
    assert_int_equal(facet_runtime_collect(rt), FACET_OK);
    expect_dead(m, "unloaded");
    assert_int_equal(facet_runtime_free(rt), FACET_OK);
    assert_no_leaks();
}

static void test_core_handles__module_after_runtime_free(void **state)
{
    FacetRuntime *rt;
    FacetModule *m, *n;
    (void)state;
    assert_int_equal(facet_runtime_new(&rt, NULL), FACET_OK);
    assert_int_equal(facet_module_load(&m, rt, facet_test_module("beta")), FACET_OK);
    assert_int_equal(facet_module_load(&n, rt, facet_test_module("alpha")), FACET_OK);
    assert_int_equal(facet_module_unload(n), FACET_OK);
    assert_int_equal(facet_runtime_free(rt), FACET_OK);
    expect_dead(m, "freed");
    expect_dead(n, "freed");
    assert_no_leaks();
}

/* Two threads load and unload one path in their own runtimes while a third
 * calls through stale handles of a runtime freed meanwhile. */
typedef struct Stale {
    FacetModule *m;
    int stop;
    int wrong;
} Stale;

static void *stale_caller(void *arg)
{
    Stale *s = arg;
    while (!__atomic_load_n(&s->stop, __ATOMIC_ACQUIRE)) {
        FacetModuleInfo info = FACET_MODULE_INFO_INIT;
        if (facet_module_info(&info, s->m) != FACET_E_STATE || facet_module_path(s->m) != NULL)
            __atomic_add_fetch(&s->wrong, 1, __ATOMIC_ACQ_REL);
    }
    return NULL;
}

static void test_core_handles__stale_handle_while_others_load(void **state)
{
    FacetRuntime *rt;
    Stale s;
    pthread_t t;
    int i;
    (void)state;
    memset(&s, 0, sizeof(s));
    assert_int_equal(facet_runtime_new(&rt, NULL), FACET_OK);
    assert_int_equal(facet_module_load(&s.m, rt, facet_test_module("gamma")), FACET_OK);
    assert_int_equal(facet_runtime_free(rt), FACET_OK);
    assert_int_equal(pthread_create(&t, NULL, stale_caller, &s), 0);
    for (i = 0; i < 200; i++) {
        FacetModule *m;
        assert_int_equal(facet_runtime_new(&rt, NULL), FACET_OK);
        assert_int_equal(facet_module_load(&m, rt, facet_test_module("gamma")), FACET_OK);
        assert_int_equal(facet_module_unload(m), FACET_OK);
        assert_int_equal(facet_runtime_free(rt), FACET_OK);
    }
    __atomic_store_n(&s.stop, 1, __ATOMIC_RELEASE);
    pthread_join(t, NULL);
    assert_int_equal(s.wrong, 0);
    assert_no_leaks();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_core_handles__host_object_outlives_runtime),
        cmocka_unit_test(test_core_handles__logging_while_runtime_freed),
        cmocka_unit_test(test_core_handles__module_host_outlives_module),
        cmocka_unit_test(test_core_handles__module_after_last_unload),
        cmocka_unit_test(test_core_handles__module_after_runtime_free),
        cmocka_unit_test(test_core_handles__stale_handle_while_others_load),
    };
    return cmocka_run_group_tests_name("core/handles", tests, NULL, NULL);
}
