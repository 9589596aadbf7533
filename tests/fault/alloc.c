/*
 * tests/fault/alloc.c - every allocation of every runtime scenario fails in
 * turn: creating a runtime, loading and unloading modules, creating objects,
 * the host's services, blobs and strings, GUID text, and modules that stay
 * loaded for their live objects. Each run gives FACET_E_OUTOFMEMORY or
 * succeeds, leaks nothing, and leaves the runtime usable.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "fault.h"
#include "test_itf.h"

#define OOM {FACET_E_OUTOFMEMORY, FACET_OK}

/* ---- Scenarios --------------------------------------------------------- */

static FacetResult runtime_cycle(void *state)
{
    FacetRuntime *rt = NULL;
    FacetRuntimeOptions opts = FACET_RUNTIME_OPTIONS_INIT;
    FacetRuntimeStats stats = FACET_RUNTIME_STATS_INIT;
    FacetResult r;
    (void)state;
    opts.log_level = FACET_LOG_ERROR;
    TRY(facet_runtime_new(&rt, &opts));
    r = facet_runtime_stats(&stats, rt);
    facet_runtime_free(rt);
    return r;
}

static FacetResult load_unload(void *state)
{
    FacetRuntime *rt = state;
    FacetModule *m = NULL;
    FacetModuleInfo info = FACET_MODULE_INFO_INIT;
    FacetResult r;
    TRY(facet_module_load(&m, rt, facet_test_module("alpha")));
    r = facet_module_info(&info, m);
    assert_int_equal(facet_module_unload(m), FACET_OK);
    return r;
}

/* Loads alpha twice (one module, two holds), and beta and gamma beside it. */
static FacetResult load_several(void *state)
{
    static const char *const names[] = {"alpha", "beta", "gamma", "alpha"};
    FacetRuntime *rt = state;
    FacetModule *m[4] = {NULL, NULL, NULL, NULL};
    FacetGuid clsid;
    FacetResult r = FACET_OK;
    int i, loaded = 0;
    for (i = 0; i < 4 && FACET_SUCCEEDED(r); i++) {
        r = facet_module_load(&m[i], rt, facet_test_module(names[i]));
        if (FACET_SUCCEEDED(r))
            loaded = i + 1;
    }
    if (FACET_SUCCEEDED(r))
        r = facet_class_lookup(&clsid, rt, "test.gamma.counter");
    if (FACET_SUCCEEDED(r) && !FacetGuidEqual(&clsid, &CLSID_GammaCounter))
        r = FACET_E_FAIL;
    while (loaded > 0)
        assert_true(FACET_SUCCEEDED(facet_module_unload(m[--loaded])));
    return r;
}

/* A second module with alpha's classes is refused, whatever else fails. */
static FacetResult load_conflict(void *state)
{
    FacetRuntime *rt = state;
    FacetModule *a = NULL, *twin = NULL;
    FacetResult r;
    TRY(facet_module_load(&a, rt, facet_test_module("alpha")));
    r = facet_module_load(&twin, rt, facet_test_module("alpha_twin"));
    assert_int_equal(facet_module_unload(a), FACET_OK);
    if (r == FACET_E_CONFLICT)
        return FACET_OK;
    if (FACET_SUCCEEDED(r))
        fail_msg("alpha_twin loaded beside alpha");
    return r;
}

static FacetResult use_objects(FacetRuntime *rt)
{
    ITestCounter *counter = NULL;
    ITestEcho *echo = NULL;
    IFacetString *s = NULL;
    const char *text = NULL;
    int32_t total = 0;
    FacetResult r;

    TRY(facet_create_instance((void **)&counter, rt, &CLSID_AlphaCounter, NULL,
                              &IID_ITestCounter));
    r = ITestCounter_Add(counter, 5, &total);
    ITestCounter_Release(counter);
    TRY(r);
    assert_int_equal(total, 5);
    TRY(facet_create_instance_by_name((void **)&echo, rt, "test.alpha.echo", NULL, &IID_ITestEcho));
    /* The module allocates the string through the host object. */
    r = ITestEcho_Echo(echo, "hello", &s);
    ITestEcho_Release(echo);
    TRY(r);
    assert_int_equal(IFacetString_GetText(s, &text), FACET_OK);
    assert_string_equal(text, "hello");
    IFacetString_Release(s);
    return FACET_OK;
}

static FacetResult load_create(void *state)
{
    FacetRuntime *rt = state;
    FacetModule *m = NULL;
    FacetResult r;
    TRY(facet_module_load(&m, rt, facet_test_module("alpha")));
    r = use_objects(rt);
    assert_int_equal(facet_module_unload(m), FACET_OK);
    return r;
}

/* A module let go of while one of its objects lives stays until the object
 * goes and a collect finds it unused. */
static FacetResult keep_alive(void *state)
{
    FacetRuntime *rt = state;
    FacetModule *m = NULL;
    ITestCounter *counter = NULL;
    FacetResult r;
    TRY(facet_module_load(&m, rt, facet_test_module("beta")));
    r = facet_create_instance((void **)&counter, rt, &CLSID_BetaCounter, NULL, &IID_ITestCounter);
    if (FACET_FAILED(r)) {
        assert_int_equal(facet_module_unload(m), FACET_OK);
        return r;
    }
    assert_int_equal(facet_module_unload(m), FACET_FALSE);
    assert_int_equal(facet_runtime_collect(rt), FACET_FALSE);
    ITestCounter_Release(counter);
    assert_int_equal(facet_runtime_collect(rt), FACET_OK);
    return FACET_OK;
}

/* What a module reaches through its host object, reached here through the
 * runtime's own. */
static FacetResult host_services(void *state)
{
    FacetRuntime *rt = state;
    IFacetAllocator *alloc = NULL;
    IFacetHost *host = NULL;
    IFacetLogger *logger = NULL;
    IFacetBlob *blob = NULL;
    IFacetString *str = NULL;
    void *p = NULL, *q = NULL;
    FacetResult r;

    TRY(facet_runtime_allocator(&alloc, rt));
    r = IFacetAllocator_QueryInterface(alloc, &IID_IFacetHost, (void **)&host);
    assert_int_equal(r, FACET_OK);
    r = IFacetHost_QueryService(host, &IID_IFacetLogger, &IID_IFacetLogger, (void **)&logger);
    assert_int_equal(r, FACET_OK);
    r = IFacetLogger_Log(logger, FACET_LOG_TRACE, "below the level: not shown");
    IFacetLogger_Release(logger);
    if (FACET_SUCCEEDED(r))
        r = IFacetAllocator_Alloc(alloc, 100, &p);
    if (FACET_SUCCEEDED(r)) {
        memset(p, 0xab, 100);
        r = IFacetAllocator_Realloc(alloc, p, 10000, &q);
        if (FACET_SUCCEEDED(r))
            p = q;
        IFacetAllocator_Free(alloc, p);
    }
    if (FACET_SUCCEEDED(r))
        r = IFacetHost_CreateBlob(host, "\0\1\2\3", 4, &blob);
    if (FACET_SUCCEEDED(r)) {
        uint64_t size = 0;
        assert_int_equal(IFacetBlob_GetSize(blob, &size), FACET_OK);
        assert_int_equal(size, 4);
        IFacetBlob_Release(blob);
        r = IFacetHost_CreateString(host, "gr\xc3\xbc\xc3\x9f", UINT64_MAX, &str);
    }
    if (FACET_SUCCEEDED(r))
        IFacetString_Release(str);
    IFacetHost_Release(host);
    IFacetAllocator_Release(alloc);
    return r;
}

/* GUID text needs no memory: the loop checks that it asks for none. */
static FacetResult guid_text(void *state)
{
    FacetGuid g;
    char text[FACET_GUID_STRING_SIZE];
    (void)state;
    TRY(facet_guid_parse(&g, "{6F1C2A10-1D3E-4A5B-9C01-112233445566}"));
    TRY(facet_guid_format(text, sizeof(text), &g));
    assert_int_equal(facet_guid_parse(&g, "{6F1C2A10-1D3E}"), FACET_E_BADGUID);
    return FACET_OK;
}

/* ---- Tests ------------------------------------------------------------- */

static void test_fault_alloc__runtime(void **state)
{
    static const FaultScenario s = {"runtime new/free", NULL, runtime_cycle, NULL, OOM, NULL};
    (void)state;
    assert_true(fault_loop(FACET_FAULT_ALLOC, &s) >= 2);
}

static void test_fault_alloc__load(void **state)
{
    static const FaultScenario s = {"load alpha", fault_new_runtime, load_unload, fault_free_runtime, OOM,
                                    "alpha"};
    (void)state;
    assert_true(fault_loop(FACET_FAULT_ALLOC, &s) >= 3);
}

static void test_fault_alloc__load_several(void **state)
{
    static const FaultScenario s = {"load alpha, beta, gamma, alpha", fault_new_runtime, load_several,
                                    fault_free_runtime, OOM, NULL};
    (void)state;
    assert_true(fault_loop(FACET_FAULT_ALLOC, &s) >= 9);
}

static void test_fault_alloc__conflict(void **state)
{
    static const FaultScenario s = {"load a conflicting module", fault_new_runtime, load_conflict,
                                    fault_free_runtime, OOM, "alpha"};
    (void)state;
    assert_true(fault_loop(FACET_FAULT_ALLOC, &s) >= 6);
}

static void test_fault_alloc__create(void **state)
{
    static const FaultScenario s = {"load alpha, create and use objects", fault_new_runtime,
                                    load_create, fault_free_runtime, OOM, NULL};
    (void)state;
    assert_true(fault_loop(FACET_FAULT_ALLOC, &s) >= 5);
}

static void test_fault_alloc__keep_alive(void **state)
{
    static const FaultScenario s = {"module kept alive by an object", fault_new_runtime, keep_alive,
                                    fault_free_runtime, OOM, NULL};
    (void)state;
    assert_true(fault_loop(FACET_FAULT_ALLOC, &s) >= 4);
}

static void test_fault_alloc__host_services(void **state)
{
    static const FaultScenario s = {"host services, blobs and strings", fault_new_runtime,
                                    host_services, fault_free_runtime, OOM, NULL};
    (void)state;
    assert_true(fault_loop(FACET_FAULT_ALLOC, &s) >= 4);
}

static void test_fault_alloc__guid(void **state)
{
    static const FaultScenario s = {"GUID text", NULL, guid_text, NULL, OOM, NULL};
    (void)state;
    assert_int_equal(fault_loop(FACET_FAULT_ALLOC, &s), 0);
}

/* A failure in the middle of a realloc leaves the old block as it was. */
static void test_fault_alloc__realloc_keeps_block(void **state)
{
    FacetRuntime *rt = fault_new_runtime();
    IFacetAllocator *alloc = NULL;
    void *p = NULL, *q = (void *)&q;
    (void)state;
    assert_int_equal(facet_runtime_allocator(&alloc, rt), FACET_OK);
    assert_int_equal(IFacetAllocator_Alloc(alloc, 8, &p), FACET_OK);
    memcpy(p, "facet!!", 8);
    facet_testing_fail(FACET_FAULT_ALLOC, 1, 0);
    assert_int_equal(IFacetAllocator_Realloc(alloc, p, 1 << 20, &q), FACET_E_OUTOFMEMORY);
    facet_testing_fail(FACET_FAULT_ALLOC, 0, 0);
    assert_null(q);
    assert_string_equal(p, "facet!!");
    IFacetAllocator_Free(alloc, p);
    IFacetAllocator_Release(alloc);
    fault_free_runtime(rt);
    assert_no_leaks();
}

/* ---- Concurrency: failures while threads load and create --------------- */

#define WORKERS 4

/* facet_test_module's buffer is shared: the paths are made before the
 * threads start. */
static char alpha_path[4096], beta_path[4096];

typedef struct Worker {
    FacetRuntime *rt;
    FacetResult bad;     /* the first result that is neither OK nor OOM */
    int out_of_memory;   /* calls that gave FACET_E_OUTOFMEMORY */
    char message[512];
} Worker;

static void note(Worker *w, FacetResult r)
{
    w->out_of_memory += r == FACET_E_OUTOFMEMORY;
    if (r == FACET_OK || r == FACET_FALSE || r == FACET_E_OUTOFMEMORY || w->bad != FACET_OK)
        return;
    w->bad = r;
    snprintf(w->message, sizeof(w->message), "%s", facet_last_error());
}

/* No cmocka asserts here: they cannot leave a thread. */
static void *worker(void *arg)
{
    Worker *w = arg;
    int i;
    for (i = 0; i < 8; i++) {
        FacetModule *m = NULL;
        ITestCounter *c = NULL;
        FacetResult r = facet_module_load(&m, w->rt, i % 2 ? alpha_path : beta_path);
        note(w, r);
        if (FACET_FAILED(r))
            continue;
        r = facet_create_instance_by_name((void **)&c, w->rt,
                                          i % 2 ? "test.alpha.counter" : "test.beta.counter",
                                          NULL, &IID_ITestCounter);
        note(w, r);
        if (FACET_SUCCEEDED(r))
            ITestCounter_Release(c);
        note(w, facet_module_unload(m));
    }
    return NULL;
}

/* Threads load, create and unload while allocations fail, one at a time or
 * from one on: every call gives its result or FACET_E_OUTOFMEMORY, and
 * once the threads are done nothing is loaded and nothing leaked. */
static void test_fault_alloc__concurrent(void **state)
{
    uint64_t nth;
    int out_of_memory = 0;
    (void)state;
    snprintf(alpha_path, sizeof(alpha_path), "%s", facet_test_module("alpha"));
    snprintf(beta_path, sizeof(beta_path), "%s", facet_test_module("beta"));
    for (nth = 1; nth <= 60; nth += 3) {
        FacetRuntime *rt = fault_new_runtime();
        FacetRuntimeStats stats = FACET_RUNTIME_STATS_INIT;
        pthread_t threads[WORKERS];
        Worker workers[WORKERS];
        int i;
        facet_testing_fail(FACET_FAULT_ALLOC, nth, (int)(nth % 2));
        for (i = 0; i < WORKERS; i++) {
            memset(&workers[i], 0, sizeof(workers[i]));
            workers[i].rt = rt;
            assert_int_equal(pthread_create(&threads[i], NULL, worker, &workers[i]), 0);
        }
        for (i = 0; i < WORKERS; i++)
            assert_int_equal(pthread_join(threads[i], NULL), 0);
        facet_testing_fail(FACET_FAULT_ALLOC, 0, 0);
        for (i = 0; i < WORKERS; i++)
            out_of_memory += workers[i].out_of_memory;
        for (i = 0; i < WORKERS; i++)
            if (workers[i].bad != FACET_OK)
                fail_msg("failing allocation %llu: a thread got %s: %s", (unsigned long long)nth,
                         facet_result_name(workers[i].bad), workers[i].message);
        assert_int_equal(facet_runtime_collect(rt), FACET_OK);
        assert_int_equal(facet_runtime_stats(&stats, rt), FACET_OK);
        assert_int_equal(stats.modules_loaded, 0);
        assert_int_equal(stats.classes, 0);
        fault_free_runtime(rt);
        assert_no_leaks();
    }
    assert_true(out_of_memory > 0); /* the failures reached the threads */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fault_alloc__runtime),
        cmocka_unit_test(test_fault_alloc__load),
        cmocka_unit_test(test_fault_alloc__load_several),
        cmocka_unit_test(test_fault_alloc__conflict),
        cmocka_unit_test(test_fault_alloc__create),
        cmocka_unit_test(test_fault_alloc__keep_alive),
        cmocka_unit_test(test_fault_alloc__host_services),
        cmocka_unit_test(test_fault_alloc__guid),
        cmocka_unit_test(test_fault_alloc__realloc_keeps_block),
        cmocka_unit_test(test_fault_alloc__concurrent),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    fault_print_totals("test_fault_alloc");
    return failed;
}
