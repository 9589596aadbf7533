/*
 * tests/fault/idl_alloc.c - every allocation of an IDL compilation fails in
 * turn, through the compiler's allocator hook (facet_idl_options.allocator),
 * transiently and persistently. Each compilation returns -1 with no result,
 * or the very result of a clean run; nothing leaks, and the next
 * compilation works.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fault.h"
#include "facet_idl.h"
#include "idl_alloc.h"

typedef struct Case {
    const char *what;
    const char *file;      /* compiled from the file system */
    const char *text;      /* or from memory */
    int expect;            /* 0 clean, 1 errors */
} Case;

static int compile(facet_idl_result **out, const Case *k, TestIdlAlloc *counting)
{
    static const char *const dirs[] = {FACET_SOURCE_DIR "/idl"};
    facet_idl_options opts = FACET_IDL_OPTIONS_INIT;
    facet_idl_allocator a = test_idl_alloc(counting);
    opts.include_dirs = dirs;
    opts.include_dir_count = 1;
    opts.allocator = &a;
    if (k->file)
        return facet_idl_compile(out, k->file, &opts);
    return facet_idl_compile_text(out, "inline.idl", k->text, strlen(k->text), &opts);
}

/* The outputs and diagnostics of r, as one text, to compare runs. */
static char *describe(const facet_idl_result *r)
{
    size_t i, len = 0;
    char *s = calloc(1, 1);
    for (i = 0; i < facet_idl_output_count(r); i++) {
        const facet_idl_output *o = facet_idl_output_at(r, i);
        s = realloc(s, len + strlen(o->name) + o->size + 3);
        len += (size_t)sprintf(s + len, "%s\n", o->name);
        memcpy(s + len, o->data, o->size);
        len += o->size;
        s[len] = '\0';
    }
    for (i = 0; i < facet_idl_diag_count(r); i++) {
        char line[2048];
        facet_idl_diag_format(facet_idl_diag_at(r, i), line, sizeof(line));
        s = realloc(s, len + strlen(line) + 1);
        memcpy(s + len, line, strlen(line) + 1);
        len += strlen(line);
    }
    return s;
}

static uint64_t idl_loop(const Case *k)
{
    TestIdlAlloc counting;
    facet_idl_result *r = NULL;
    char *expected;
    uint64_t count, n, failed_runs = 0;
    int persistent, rc;

    memset(&counting, 0, sizeof(counting));
    rc = compile(&r, k, &counting);
    if (rc != k->expect)
        fail_msg("%s: the counting run returned %d, expected %d", k->what, rc, k->expect);
    count = counting.calls;
    expected = describe(r);
    facet_idl_result_free(r);
    assert_int_equal(counting.live, 0);

    for (persistent = 0; persistent <= 1; persistent++) {
        for (n = 1; n <= count; n++) {
            char *got;
            memset(&counting, 0, sizeof(counting));
            counting.fail_at = n;
            counting.persistent = persistent;
            r = (facet_idl_result *)&r;
            rc = compile(&r, k, &counting);
            if (rc == -1) {
                assert_null(r);
                assert_true(counting.failures > 0);
                failed_runs++;
            } else {
                /* An allocation that failed must not go unnoticed. */
                if (counting.failures > 0)
                    fail_msg("%s: allocation %llu failed, yet the compilation returned %d",
                             k->what, (unsigned long long)n, rc);
                assert_int_equal(rc, k->expect);
                got = describe(r);
                assert_string_equal(got, expected);
                free(got);
            }
            facet_idl_result_free(r);
            if (counting.live != 0)
                fail_msg("%s: failing allocation %llu%s leaked %lld blocks", k->what,
                         (unsigned long long)n, persistent ? " and on" : "",
                         (long long)counting.live);
        }
    }
    /* And a clean run afterwards is the same as the first. */
    memset(&counting, 0, sizeof(counting));
    assert_int_equal(compile(&r, k, &counting), k->expect);
    {
        char *got = describe(r);
        assert_string_equal(got, expected);
        free(got);
    }
    facet_idl_result_free(r);
    free(expected);
    printf("[ fault    ] IDL %s: %llu allocation calls, %llu runs failed cleanly\n", k->what,
           (unsigned long long)count, (unsigned long long)failed_runs);
    return count;
}

static uint64_t total;

static void test_fault_idl__files(void **state)
{
    static const Case k = {"counter.idl importing facet.idl",
                           FACET_SOURCE_DIR "/tests/idl/components/counter.idl", NULL, 0};
    (void)state;
    total += idl_loop(&k);
}

static void test_fault_idl__kitchen_sink(void **state)
{
    static const Case k = {"kitchen_sink.idl", FACET_SOURCE_DIR "/tests/idl/generated/kitchen_sink.idl",
                           NULL, 0};
    (void)state;
    total += idl_loop(&k);
}

static void test_fault_idl__errors(void **state)
{
    static const Case k = {"text with errors", NULL,
                           "import \"facet.idl\";\n"
                           "[object, uuid(6B1D3C2E-55A0-4C35-9E1B-0F7A2D4C8E11)]\n"
                           "interface IBroken : IUnknown {\n"
                           "    HRESULT Size([in] size_t n);\n"
                           "    HRESULT Missing([in] NoSuchType t)\n"
                           "};\n",
                           1};
    (void)state;
    total += idl_loop(&k);
}

/* A Windows SDK file's header: the platform's IUnknown, widl's guards,
 * C enums, encapsulated unions, callbacks and GUID-reference overloads. */
static void test_fault_idl__sdk_file(void **state)
{
    static const Case k = {"a Windows SDK file", NULL,
                           "cpp_quote(\"HRESULT WINAPI Start(void);\")\n"
                           "[local, object, uuid(00000000-0000-0000-C000-000000000046)]\n"
                           "interface IUnknown {\n"
                           "    HRESULT QueryInterface([in] REFIID riid, [out] void **ppv);\n"
                           "    uint32_t AddRef();\n"
                           "    uint32_t Release();\n"
                           "}\n"
                           "typedef enum KIND { K_ONE = 1 } KIND;\n"
                           "typedef union _userX switch (int32_t fContext) u {\n"
                           "    case 0: uint32_t v;\n"
                           "} userX;\n"
                           "typedef union switch (int32_t k) { case 1: KIND kind; } uX;\n"
                           "typedef struct { uint32_t n; [size_is(n)] userX *items; } LIST;\n"
                           "[object, uuid(6B1D3C2E-55A0-4C35-9E1B-0F7A2D4C8E12)]\n"
                           "interface IAttrs : IUnknown {\n"
                           "    HRESULT Set([in] REFGUID key, [in] KIND kind, [in] uX *x,\n"
                           "                [in] int32_t (*each)(uint32_t i));\n"
                           "}\n",
                           0};
    (void)state;
    total += idl_loop(&k);
}

static void test_fault_idl__missing_file(void **state)
{
    static const Case k = {"a missing file", FACET_SOURCE_DIR "/tests/fault/no-such.idl", NULL, 1};
    (void)state;
    total += idl_loop(&k);
}

/* Options from a caller built against an older, smaller struct: the fields
 * past its struct_size are not read. */
static void test_fault_idl__short_options(void **state)
{
    facet_idl_options opts;
    facet_idl_result *r = NULL;
    (void)state;
    memset(&opts, 0xff, sizeof(opts)); /* garbage past struct_size */
    opts.struct_size = (uint32_t)offsetof(facet_idl_options, allocator);
    opts.include_dirs = NULL;
    opts.include_dir_count = 0;
    opts.read_file = NULL;
    opts.read_payload = NULL;
    assert_int_equal(facet_idl_compile_text(&r, "x.idl", "typedef long X;\n", 16, &opts), 0);
    assert_int_equal(facet_idl_output_count(r), 3);
    facet_idl_result_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fault_idl__files),
        cmocka_unit_test(test_fault_idl__kitchen_sink),
        cmocka_unit_test(test_fault_idl__errors),
        cmocka_unit_test(test_fault_idl__sdk_file),
        cmocka_unit_test(test_fault_idl__missing_file),
        cmocka_unit_test(test_fault_idl__short_options),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    printf("[ fault    ] test_fault_idl: %llu allocation injection points exercised, each failed "
           "transiently and persistently\n",
           (unsigned long long)total);
    return failed;
}
