/*
 * tests/core/errors.c - result names and the thread-local last error.
 */
#include "support.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#ifndef FACET_SOURCE_DIR
#error "FACET_SOURCE_DIR must name the source tree"
#endif

static void test_core_errors__names(void **state)
{
    (void)state;
    assert_string_equal(facet_result_name(FACET_OK), "FACET_OK");
    assert_string_equal(facet_result_name(FACET_E_NOINTERFACE), "FACET_E_NOINTERFACE");
    assert_string_equal(facet_result_name(FACET_E_WRONGARCH), "FACET_E_WRONGARCH");
    assert_string_equal(facet_result_name((FacetResult)0x8badf00du), "FACET_E_UNKNOWN");
    assert_string_equal(facet_result_description(FACET_E_OUTOFMEMORY), "out of memory");
    assert_true(FACET_FAILED(FACET_E_FAIL));
    assert_true(FACET_SUCCEEDED(FACET_FALSE));
    assert_int_equal((uint32_t)FACET_E_NOINTERFACE, 0x80004002u);
    assert_int_equal((uint32_t)FACET_E_CLASSNOTREG, 0x80040154u);
}

/* Every FACET_ code abi.h defines has its own name in the table, so
 * facet_result_name() cannot drift from the header. */
static void test_core_errors__every_code_has_a_name(void **state)
{
    char line[512];
    int seen = 0;
    FILE *f = fopen(FACET_SOURCE_DIR "/include/facet/abi.h", "r");
    (void)state;
    assert_non_null(f);
    while (fgets(line, sizeof(line), f) != NULL) {
        char name[128];
        unsigned value;
        if (sscanf(line, "#define %127s FACET_RESULT_(0x%xu)", name, &value) == 2 ||
            sscanf(line, "#define %127s FACET_RESULT_(%u)", name, &value) == 2) {
            if (strcmp(facet_result_name((FacetResult)value), name) != 0)
                fail_msg("%s (0x%08x) is named \"%s\"", name, value,
                         facet_result_name((FacetResult)value));
            seen++;
        }
    }
    fclose(f);
    assert_true(seen >= 30);
}

static void *other_thread(void *arg)
{
    FacetGuid g;
    (void)arg;
    assert_int_equal(facet_last_error_code(), FACET_OK);
    assert_string_equal(facet_last_error(), "");
    facet_guid_parse(&g, "nope");
    return NULL;
}

static void test_core_errors__thread_local(void **state)
{
    FacetGuid g;
    pthread_t t;
    (void)state;
    facet_error_clear();
    assert_string_equal(facet_last_error(), "");
    assert_int_equal(facet_guid_parse(&g, "{bad}"), FACET_E_BADGUID);
    assert_int_equal(pthread_create(&t, NULL, other_thread, NULL), 0);
    pthread_join(t, NULL);
    /* The other thread's failure did not touch this thread's message. */
    assert_int_equal(facet_last_error_code(), FACET_E_BADGUID);
    assert_non_null(strstr(facet_last_error(), "{bad}"));
    facet_error_clear();
    assert_int_equal(facet_last_error_code(), FACET_OK);
    assert_no_leaks();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_core_errors__names),
        cmocka_unit_test(test_core_errors__every_code_has_a_name),
        cmocka_unit_test(test_core_errors__thread_local),
    };
    return cmocka_run_group_tests_name("core/errors", tests, NULL, NULL);
}
