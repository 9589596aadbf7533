/*
 * tests/fault/misuse.c - the other side of the boundary: a module that
 * calls the host object's services wrongly (NULL out pointers, NULL IIDs,
 * levels out of range, bytes that are not UTF-8, sizes no host can give)
 * gets an error code back, never a crash, and the runtime's reference
 * counts and memory stay as they were.
 */
#include <stdlib.h>
#include <string.h>

#include "fault.h"

typedef struct Services {
    FacetRuntime *rt;
    IFacetAllocator *alloc;
    IFacetHost *host;
    IFacetLogger *logger;
} Services;

static int setup(void **state)
{
    Services *s = calloc(1, sizeof(*s));
    FacetRuntimeOptions opts = FACET_RUNTIME_OPTIONS_INIT;
    opts.log_level = FACET_LOG_WARN;
    assert_int_equal(facet_runtime_new(&s->rt, &opts), FACET_OK);
    assert_int_equal(facet_runtime_allocator(&s->alloc, s->rt), FACET_OK);
    assert_int_equal(IFacetAllocator_QueryInterface(s->alloc, &IID_IFacetHost, (void **)&s->host),
                     FACET_OK);
    assert_int_equal(IFacetHost_QueryInterface(s->host, &IID_IFacetLogger, (void **)&s->logger),
                     FACET_OK);
    *state = s;
    return 0;
}

/* Every reference the test took is given back: the runtime frees its host
 * object, and so all its memory. */
static int teardown(void **state)
{
    Services *s = *state;
    IFacetLogger_Release(s->logger);
    IFacetHost_Release(s->host);
    IFacetAllocator_Release(s->alloc);
    assert_int_equal(facet_runtime_free(s->rt), FACET_OK);
    free(s);
    assert_no_leaks();
    return 0;
}

static void test_fault_misuse__null_pointers(void **state)
{
    Services *s = *state;
    void *p = &p;
    (void)state;
    assert_int_equal(IFacetHost_QueryInterface(s->host, &IID_IFacetHost, NULL), FACET_E_POINTER);
    assert_int_equal(IFacetHost_QueryInterface(s->host, NULL, &p), FACET_E_POINTER);
    assert_null(p);
    assert_int_equal(IFacetHost_GetApiLevel(s->host, NULL), FACET_E_POINTER);
    assert_int_equal(IFacetHost_QueryService(s->host, &IID_IFacetLogger, &IID_IFacetLogger, NULL),
                     FACET_E_POINTER);
    p = &p;
    assert_int_equal(IFacetHost_QueryService(s->host, NULL, &IID_IFacetLogger, &p),
                     FACET_E_POINTER);
    assert_null(p);
    assert_int_equal(IFacetHost_QueryService(s->host, &IID_IFacetLogger, NULL, &p),
                     FACET_E_POINTER);
    assert_int_equal(IFacetHost_CreateBlob(s->host, "x", 1, NULL), FACET_E_POINTER);
    assert_int_equal(IFacetHost_CreateString(s->host, "x", 1, NULL), FACET_E_POINTER);
    assert_int_equal(IFacetAllocator_Alloc(s->alloc, 1, NULL), FACET_E_POINTER);
    assert_int_equal(IFacetAllocator_Realloc(s->alloc, NULL, 1, NULL), FACET_E_POINTER);
    assert_int_equal(IFacetLogger_Log(s->logger, FACET_LOG_ERROR, NULL), FACET_E_POINTER);
}

static void test_fault_misuse__unknown_service(void **state)
{
    Services *s = *state;
    void *p = &p;
    static const FacetGuid nobody = {0x6f1c2a1f, 0x1d3e, 0x4a5b, {0x9c, 1, 0x11, 0x22, 0x33, 0x44, 0x55, 0x6f}};
    assert_int_equal(IFacetHost_QueryService(s->host, &nobody, &IID_IFacetUnknown, &p),
                     FACET_E_NOINTERFACE);
    assert_null(p);
    /* A known service, asked for an interface it does not have. */
    p = &p;
    assert_int_equal(IFacetHost_QueryService(s->host, &IID_IFacetLogger, &nobody, &p),
                     FACET_E_NOINTERFACE);
    assert_null(p);
}

/* AddRef and Release through each interface count on one object. */
static void test_fault_misuse__reference_counts(void **state)
{
    Services *s = *state;
    uint32_t base = IFacetHost_AddRef(s->host);
    assert_int_equal(IFacetAllocator_AddRef(s->alloc), base + 1);
    assert_int_equal(IFacetLogger_AddRef(s->logger), base + 2);
    assert_int_equal(IFacetLogger_Release(s->logger), base + 1);
    assert_int_equal(IFacetAllocator_Release(s->alloc), base);
    assert_int_equal(IFacetHost_Release(s->host), base - 1);
}

static void test_fault_misuse__log_levels(void **state)
{
    Services *s = *state;
    assert_int_equal(IFacetLogger_Log(s->logger, 99, "no such level"), FACET_E_INVALIDARG);
    assert_int_equal(IFacetLogger_IsEnabled(s->logger, 99), FACET_E_INVALIDARG);
    assert_int_equal(IFacetLogger_IsEnabled(s->logger, FACET_LOG_DEBUG), FACET_FALSE);
    assert_int_equal(IFacetLogger_IsEnabled(s->logger, FACET_LOG_ERROR), FACET_OK);
}

static void test_fault_misuse__sizes(void **state)
{
    Services *s = *state;
    IFacetBlob *blob = (IFacetBlob *)&blob;
    expect_error(IFacetHost_CreateBlob(s->host, NULL, 5, &blob), FACET_E_POINTER,
                 "data is NULL with size 5");
    assert_null(blob);
    expect_error(IFacetHost_CreateBlob(s->host, "x", UINT64_MAX, &blob), FACET_E_OUTOFMEMORY,
                 "more than this host can address");
    assert_null(blob);
    /* NULL with no bytes is an empty blob. */
    assert_int_equal(IFacetHost_CreateBlob(s->host, NULL, 0, &blob), FACET_OK);
    IFacetBlob_Release(blob);
}

static void test_fault_misuse__not_utf8(void **state)
{
    static const char *const bad[] = {
        "\xc0\xaf",             /* overlong '/' */
        "\xe0\x80\xaf",         /* overlong, 3 bytes */
        "\xed\xa0\x80",         /* a UTF-16 surrogate */
        "\xf4\x90\x80\x80",     /* above U+10FFFF */
        "\xf0\x8f\xbf\xbf",     /* overlong, 4 bytes */
        "\xf5\x80\x80\x80",     /* no such lead byte */
        "\x80",                 /* a continuation alone */
        "ab\xe2\x82",           /* cut short */
        "\xe2\x28\xa1",         /* a bad continuation */
    };
    Services *s = *state;
    IFacetString *str = NULL;
    const char *text = NULL;
    uint64_t length = 0;
    size_t i;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        str = (IFacetString *)&str;
        expect_error(IFacetHost_CreateString(s->host, bad[i], UINT64_MAX, &str),
                     FACET_E_INVALIDARG, "not valid UTF-8");
        assert_null(str);
    }
    expect_error(IFacetHost_CreateString(s->host, "a\0b", 3, &str), FACET_E_INVALIDARG,
                 "NUL byte");
    expect_error(IFacetHost_CreateString(s->host, NULL, 0, &str), FACET_E_POINTER,
                 "text is NULL");
    /* Every length of sequence that is well formed, and a length that
     * stops early. */
    assert_int_equal(IFacetHost_CreateString(s->host, "\x24\xc2\xa2\xe2\x82\xac\xf0\x9f\x98\x80!",
                                             10, &str),
                     FACET_OK);
    assert_int_equal(IFacetString_GetText(str, &text), FACET_OK);
    assert_int_equal(IFacetString_GetLength(str, &length), FACET_OK);
    assert_int_equal(length, 10);
    assert_string_equal(text, "$\xc2\xa2\xe2\x82\xac\xf0\x9f\x98\x80");
    IFacetString_Release(str);
}

/* Blobs and strings refuse what every COM object refuses. */
static void test_fault_misuse__buffers(void **state)
{
    Services *s = *state;
    IFacetBlob *blob = NULL;
    IFacetString *str = NULL;
    void *p = &p;
    static const FacetGuid nobody = {0x6f1c2a1f, 0x1d3e, 0x4a5b, {0x9c, 1, 0x11, 0x22, 0x33, 0x44, 0x55, 0x6f}};

    assert_int_equal(IFacetHost_CreateBlob(s->host, "abc", 3, &blob), FACET_OK);
    assert_int_equal(IFacetHost_CreateString(s->host, "abc", UINT64_MAX, &str), FACET_OK);

    assert_int_equal(IFacetBlob_QueryInterface(blob, &IID_IFacetBlob, NULL), FACET_E_POINTER);
    assert_int_equal(IFacetBlob_QueryInterface(blob, NULL, &p), FACET_E_POINTER);
    assert_null(p);
    assert_int_equal(IFacetBlob_QueryInterface(blob, &IID_IFacetString, &p), FACET_E_NOINTERFACE);
    assert_int_equal(IFacetBlob_GetData(blob, NULL), FACET_E_POINTER);
    assert_int_equal(IFacetBlob_GetSize(blob, NULL), FACET_E_POINTER);
    assert_int_equal(IFacetBlob_QueryInterface(blob, &IID_IFacetUnknown, &p), FACET_OK);
    assert_ptr_equal(p, blob);
    assert_int_equal(IFacetBlob_AddRef(blob), 3);
    assert_int_equal(IFacetBlob_Release(blob), 2);
    IFacetBlob_Release(blob);

    assert_int_equal(IFacetString_QueryInterface(str, &nobody, &p), FACET_E_NOINTERFACE);
    assert_null(p);
    assert_int_equal(IFacetString_GetText(str, NULL), FACET_E_POINTER);
    assert_int_equal(IFacetString_GetLength(str, NULL), FACET_E_POINTER);
    assert_int_equal(IFacetString_QueryInterface(str, &IID_IFacetString, &p), FACET_OK);
    assert_ptr_equal(p, str);
    assert_int_equal(IFacetString_AddRef(str), 3);
    assert_int_equal(IFacetString_Release(str), 2);
    IFacetString_Release(str);

    IFacetBlob_Release(blob);
    IFacetString_Release(str);
}

#define MISUSE_TEST(t) cmocka_unit_test_setup_teardown(t, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        MISUSE_TEST(test_fault_misuse__null_pointers),
        MISUSE_TEST(test_fault_misuse__unknown_service),
        MISUSE_TEST(test_fault_misuse__reference_counts),
        MISUSE_TEST(test_fault_misuse__log_levels),
        MISUSE_TEST(test_fault_misuse__sizes),
        MISUSE_TEST(test_fault_misuse__not_utf8),
        MISUSE_TEST(test_fault_misuse__buffers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
