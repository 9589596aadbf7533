/*
 * tests/core/host.c - the runtime object and the host object's services:
 * allocator, logger, blobs and strings, QueryService, COM identity.
 */
#include "support.h"

#include <stdlib.h>
#include <string.h>

#include "test_itf.h"

typedef struct LogLine {
    uint32_t level;
    char module[64];
    char message[256];
    int count;
} LogLine;

static void capture(uint32_t level, const char *module, const char *message, void *payload)
{
    LogLine *l = payload;
    l->level = level;
    strncpy(l->module, module, sizeof(l->module) - 1);
    strncpy(l->message, message, sizeof(l->message) - 1);
    l->count++;
}

typedef struct Fixture {
    FacetRuntime *rt;
    IFacetHost *host;
    LogLine log;
} Fixture;

static int setup(void **state)
{
    Fixture *f = calloc(1, sizeof(*f));
    FacetRuntimeOptions opts = FACET_RUNTIME_OPTIONS_INIT;
    IFacetAllocator *a;
    opts.log = capture;
    opts.log_payload = &f->log;
    opts.log_level = FACET_LOG_INFO;
    if (facet_runtime_new(&f->rt, &opts) != FACET_OK)
        return -1;
    if (facet_runtime_allocator(&a, f->rt) != FACET_OK)
        return -1;
    IFacetAllocator_QueryInterface(a, &IID_IFacetHost, (void **)&f->host);
    IFacetAllocator_Release(a);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    Fixture *f = *state;
    IFacetHost_Release(f->host);
    assert_int_equal(facet_runtime_free(f->rt), FACET_OK);
    free(f);
    assert_no_leaks();
    return 0;
}

static void test_core_host__identity(void **state)
{
    Fixture *f = *state;
    IFacetUnknown *u1, *u2, *u3;
    IFacetAllocator *a;
    IFacetLogger *l;
    void *p = (void *)1;
    assert_int_equal(IFacetHost_QueryInterface(f->host, &IID_IFacetAllocator, (void **)&a),
                     FACET_OK);
    assert_int_equal(IFacetHost_QueryInterface(f->host, &IID_IFacetLogger, (void **)&l), FACET_OK);
    assert_int_equal(IFacetHost_QueryInterface(f->host, &IID_IFacetUnknown, (void **)&u1),
                     FACET_OK);
    assert_int_equal(IFacetAllocator_QueryInterface(a, &IID_IFacetUnknown, (void **)&u2),
                     FACET_OK);
    assert_int_equal(IFacetLogger_QueryInterface(l, &IID_IFacetUnknown, (void **)&u3), FACET_OK);
    assert_ptr_equal(u1, u2);
    assert_ptr_equal(u1, u3);
    assert_int_equal(IFacetHost_QueryInterface(f->host, &IID_ITestNobody, &p),
                     FACET_E_NOINTERFACE);
    assert_null(p);
    assert_int_equal(IFacetHost_QueryInterface(f->host, &IID_IFacetHost, NULL), FACET_E_POINTER);
    IFacetUnknown_Release(u1);
    IFacetUnknown_Release(u2);
    IFacetUnknown_Release(u3);
    IFacetAllocator_Release(a);
    IFacetLogger_Release(l);
}

static void test_core_host__allocator(void **state)
{
    Fixture *f = *state;
    IFacetAllocator *a;
    void *p = NULL, *q = NULL;
    uint64_t live = facet_testing_live_allocations();
    assert_int_equal(IFacetHost_QueryService(f->host, &IID_IFacetAllocator, &IID_IFacetAllocator,
                                             (void **)&a),
                     FACET_OK);
    assert_int_equal(IFacetAllocator_Alloc(a, 100, &p), FACET_OK);
    memset(p, 0xAB, 100);
    assert_int_equal(IFacetAllocator_Realloc(a, p, 100000, &q), FACET_OK);
    assert_int_equal(((unsigned char *)q)[99], 0xAB);
    assert_int_equal(facet_testing_live_allocations(), live + 1);
    assert_int_equal(IFacetAllocator_Free(a, q), FACET_OK);
    assert_int_equal(IFacetAllocator_Free(a, NULL), FACET_OK);
    assert_int_equal(IFacetAllocator_Alloc(a, 0, &p), FACET_OK); /* unique pointer */
    assert_non_null(p);
    IFacetAllocator_Free(a, p);
    /* Too much, and an injected failure: FACET_E_OUTOFMEMORY and NULL. */
    p = (void *)1;
    assert_int_equal(IFacetAllocator_Alloc(a, UINT64_MAX, &p), FACET_E_OUTOFMEMORY);
    assert_null(p);
    facet_testing_fail(FACET_FAULT_ALLOC, 1, 0);
    assert_int_equal(IFacetAllocator_Alloc(a, 8, &p), FACET_E_OUTOFMEMORY);
    assert_null(p);
    assert_int_equal(facet_testing_failures(FACET_FAULT_ALLOC), 1);
    facet_testing_fail(FACET_FAULT_ALLOC, 0, 0);
    assert_int_equal(IFacetAllocator_Alloc(a, 8, NULL), FACET_E_POINTER);
    IFacetAllocator_Release(a);
}

static void test_core_host__logger(void **state)
{
    Fixture *f = *state;
    IFacetLogger *l;
    assert_int_equal(IFacetHost_QueryInterface(f->host, &IID_IFacetLogger, (void **)&l), FACET_OK);
    assert_int_equal(IFacetLogger_Log(l, FACET_LOG_WARN, "disk almost full"), FACET_OK);
    assert_int_equal(f->log.count, 1);
    assert_int_equal(f->log.level, FACET_LOG_WARN);
    assert_string_equal(f->log.module, "host");
    assert_string_equal(f->log.message, "disk almost full");
    /* Below the level: dropped, and IsEnabled says so. */
    assert_int_equal(IFacetLogger_Log(l, FACET_LOG_DEBUG, "noise"), FACET_OK);
    assert_int_equal(f->log.count, 1);
    assert_int_equal(IFacetLogger_IsEnabled(l, FACET_LOG_DEBUG), FACET_FALSE);
    assert_int_equal(IFacetLogger_IsEnabled(l, FACET_LOG_ERROR), FACET_OK);
    assert_int_equal(IFacetLogger_Log(l, 17, "x"), FACET_E_INVALIDARG);
    assert_int_equal(IFacetLogger_Log(l, FACET_LOG_INFO, NULL), FACET_E_POINTER);
    IFacetLogger_Release(l);
}

static void test_core_host__blob_and_string(void **state)
{
    Fixture *f = *state;
    IFacetBlob *b;
    IFacetString *s;
    const uint8_t *data;
    const char *text;
    uint64_t size;
    IFacetUnknown *u;
    const uint8_t bytes[5] = {0, 1, 2, 0, 255};

    assert_int_equal(IFacetHost_CreateBlob(f->host, bytes, sizeof(bytes), &b), FACET_OK);
    assert_int_equal(IFacetBlob_GetSize(b, &size), FACET_OK);
    assert_int_equal(size, 5);
    assert_int_equal(IFacetBlob_GetData(b, &data), FACET_OK);
    assert_memory_equal(data, bytes, 5);
    assert_int_equal(IFacetBlob_QueryInterface(b, &IID_IFacetString, (void **)&u),
                     FACET_E_NOINTERFACE);
    IFacetBlob_Release(b);
    assert_int_equal(IFacetHost_CreateBlob(f->host, NULL, 0, &b), FACET_OK);
    assert_int_equal(IFacetBlob_GetData(b, &data), FACET_OK);
    assert_non_null(data);
    IFacetBlob_Release(b);
    assert_int_equal(IFacetHost_CreateBlob(f->host, NULL, 3, &b), FACET_E_POINTER);

    assert_int_equal(IFacetHost_CreateString(f->host, "abcdef", 3, &s), FACET_OK);
    assert_int_equal(IFacetString_GetText(s, &text), FACET_OK);
    assert_string_equal(text, "abc");
    IFacetString_Release(s);
    s = (IFacetString *)1;
    expect_error(IFacetHost_CreateString(f->host, "\xc3\x28", UINT64_MAX, &s), FACET_E_INVALIDARG,
                 "not valid UTF-8");
    assert_null(s);
    expect_error(IFacetHost_CreateString(f->host, "\xed\xa0\x80", UINT64_MAX, &s),
                 FACET_E_INVALIDARG, "UTF-8"); /* a surrogate */
    expect_error(IFacetHost_CreateString(f->host, "a\0b", 3, &s), FACET_E_INVALIDARG, "NUL");
}

static void test_core_host__create_through_host(void **state)
{
    Fixture *f = *state;
    FacetModule *m;
    ITestCounter *c;
    uint32_t level = 0;
    assert_int_equal(facet_module_load(&m, f->rt, facet_test_module("beta")), FACET_OK);
    assert_int_equal(IFacetHost_CreateInstanceByName(f->host, "test.beta.counter", NULL,
                                                     &IID_ITestCounter, (void **)&c),
                     FACET_OK);
    ITestCounter_Release(c);
    assert_int_equal(IFacetHost_CreateInstance(f->host, &CLSID_BetaCounter, NULL,
                                               &IID_ITestCounter, (void **)&c),
                     FACET_OK);
    ITestCounter_Release(c);
    assert_int_equal(IFacetHost_GetApiLevel(f->host, &level), FACET_OK);
    assert_int_equal(level, FACET_API_LEVEL);
    assert_int_equal(facet_module_unload(m), FACET_OK);
}

static void test_core_host__runtime_options(void **state)
{
    FacetRuntime *rt = (FacetRuntime *)1;
    FacetRuntimeOptions opts = FACET_RUNTIME_OPTIONS_INIT;
    FacetRuntimeStats st = FACET_RUNTIME_STATS_INIT;
    (void)state;
    opts.struct_size = 4;
    expect_error(facet_runtime_new(&rt, &opts), FACET_E_STRUCTSIZE, "FACET_RUNTIME_OPTIONS_INIT");
    assert_null(rt);
    opts.struct_size = sizeof(opts);
    opts.log_level = 42;
    expect_error(facet_runtime_new(&rt, &opts), FACET_E_INVALIDARG, "log_level 42");
    expect_error(facet_runtime_new(NULL, NULL), FACET_E_POINTER, "'out'");
    expect_error(facet_runtime_stats(&st, NULL), FACET_E_POINTER, "'rt'");
    expect_error(facet_runtime_collect(NULL), FACET_E_POINTER, "'rt'");
    expect_error(facet_runtime_allocator(NULL, NULL), FACET_E_POINTER, "'out'");
    assert_int_equal(facet_runtime_free(NULL), FACET_OK);
}

/* Out of memory at each allocation of runtime creation: a clean failure
 * every time, nothing leaked. */
static void test_core_host__runtime_new_out_of_memory(void **state)
{
    uint64_t n, calls;
    FacetRuntime *rt;
    (void)state;
    facet_testing_fail(FACET_FAULT_ALLOC, 0, 0);
    assert_int_equal(facet_runtime_new(&rt, NULL), FACET_OK);
    calls = facet_testing_calls(FACET_FAULT_ALLOC);
    facet_runtime_free(rt);
    assert_true(calls >= 2);
    for (n = 1; n <= calls; n++) {
        facet_testing_fail(FACET_FAULT_ALLOC, n, 0);
        expect_error(facet_runtime_new(&rt, NULL), FACET_E_OUTOFMEMORY, "out of memory");
        assert_null(rt);
        assert_no_leaks();
    }
    facet_testing_fail(FACET_FAULT_ALLOC, 0, 0);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_core_host__identity),
        T(test_core_host__allocator),
        T(test_core_host__logger),
        T(test_core_host__blob_and_string),
        T(test_core_host__create_through_host),
        cmocka_unit_test(test_core_host__runtime_options),
        cmocka_unit_test(test_core_host__runtime_new_out_of_memory),
    };
    return cmocka_run_group_tests_name("core/host", tests, NULL, NULL);
}
