/*
 * tests/core/guid.c - GUID text form.
 */
#include "support.h"

#include <string.h>

static void test_core_guid__round_trip(void **state)
{
    FacetGuid g;
    char text[FACET_GUID_STRING_SIZE];
    (void)state;
    assert_int_equal(facet_guid_parse(&g, "{D509D413-0891-44A6-93FE-5EF428A28B01}"), FACET_OK);
    assert_true(FacetGuidEqual(&g, &IID_IFacetFactory));
    assert_int_equal(facet_guid_format(text, sizeof(text), &g), FACET_OK);
    assert_string_equal(text, "{D509D413-0891-44A6-93FE-5EF428A28B01}");
    /* Lower case, no braces. */
    assert_int_equal(facet_guid_parse(&g, "00000000-0000-0000-c000-000000000046"), FACET_OK);
    assert_true(FacetGuidEqual(&g, &IID_IFacetUnknown));
    assert_no_leaks();
}

static void test_core_guid__byte_order(void **state)
{
    FacetGuid g;
    const uint8_t *b = (const uint8_t *)&g;
    (void)state;
    assert_int_equal(facet_guid_parse(&g, "{01020304-0506-0708-090A-0B0C0D0E0F10}"), FACET_OK);
    assert_int_equal(g.Data1, 0x01020304u);
    assert_int_equal(g.Data2, 0x0506);
    assert_int_equal(g.Data3, 0x0708);
    assert_int_equal(g.Data4[0], 0x09);
    assert_int_equal(g.Data4[7], 0x10);
    assert_int_equal(b[8], 0x09); /* Data4 is bytes, in text order */
}

static void test_core_guid__wrong_length(void **state)
{
    FacetGuid g;
    (void)state;
    expect_error(facet_guid_parse(&g, "{D509D413-0891-44A6-93FE-5EF428A28B0}"), FACET_E_BADGUID,
                 "37 characters", "expected 38");
    expect_error(facet_guid_parse(&g, ""), FACET_E_BADGUID, "0 characters");
    expect_error(facet_guid_parse(&g, "{D509D413-0891-44A6-93FE-5EF428A28B01}x"), FACET_E_BADGUID,
                 "39 characters");
    /* A failed parse leaves a zero GUID, never half of one. */
    assert_int_equal(g.Data1, 0);
}

static void test_core_guid__bad_digit(void **state)
{
    FacetGuid g;
    (void)state;
    expect_error(facet_guid_parse(&g, "{D509D413-0891-44A6-93FE-5EF428A28G01}"), FACET_E_BADGUID,
                 "character 35 is 'G'", "expected a hex digit");
    expect_error(facet_guid_parse(&g, "{D509D413+0891-44A6-93FE-5EF428A28B01}"), FACET_E_BADGUID,
                 "character 10 is '+'", "expected '-'");
    expect_error(facet_guid_parse(&g, "{D509D413-0891-44A6-93FE-5EF428A28B01)"), FACET_E_BADGUID,
                 "expected '}'");
}

static void test_core_guid__null_arguments(void **state)
{
    FacetGuid g;
    char text[FACET_GUID_STRING_SIZE];
    (void)state;
    expect_error(facet_guid_parse(NULL, "x"), FACET_E_POINTER, "'out'");
    expect_error(facet_guid_parse(&g, NULL), FACET_E_POINTER, "'text'");
    expect_error(facet_guid_format(NULL, 39, &g), FACET_E_POINTER, "'out'");
    expect_error(facet_guid_format(text, sizeof(text), NULL), FACET_E_POINTER, "'g'");
    expect_error(facet_guid_format(text, 10, &IID_IFacetHost), FACET_E_INVALIDARG, "10");
}

/* A new GUID is version 4, variant 1, and differs from the last one. */
static void test_core_guid__generate(void **state)
{
    FacetGuid a, b;
    int i;
    (void)state;
    assert_int_equal(facet_guid_generate(NULL), FACET_E_POINTER);
    assert_non_null(strstr(facet_last_error(), "facet_guid_generate"));
    for (i = 0; i < 64; i++) {
        assert_int_equal(facet_guid_generate(&a), FACET_OK);
        assert_int_equal(facet_guid_generate(&b), FACET_OK);
        assert_int_equal(a.Data3 >> 12, 4);
        assert_int_equal(b.Data4[0] & 0xC0, 0x80);
        assert_false(FacetGuidEqual(&a, &b));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_core_guid__round_trip),
        cmocka_unit_test(test_core_guid__byte_order),
        cmocka_unit_test(test_core_guid__wrong_length),
        cmocka_unit_test(test_core_guid__bad_digit),
        cmocka_unit_test(test_core_guid__null_arguments),
        cmocka_unit_test(test_core_guid__generate),
    };
    return cmocka_run_group_tests_name("core/guid", tests, NULL, NULL);
}
