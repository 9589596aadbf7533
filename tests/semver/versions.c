/*
 * tests/semver/versions.c - SemVer 2.0.0 parsing and precedence.
 */
#include <string.h>

#include "support.h"

static void test_semver_versions__valid(void **state)
{
    static const char *const good[] = {"0.0.0", "1.2.3", "10.20.30", "1.1.2-prerelease+meta",
                                       "1.0.0-alpha", "1.0.0-alpha.beta.1", "1.0.0-0.3.7",
                                       "1.0.0-x.7.z.92", "1.0.0+20130313144700",
                                       "1.0.0-beta+exp.sha.5114f85", "1.0.0-alpha-a.b-c",
                                       "18446744073709551615.0.0"};
    size_t i;
    (void)state;
    for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
        assert_int_equal(facet_version_parse(good[i]), FACET_OK);
    assert_no_leaks();
}

static void test_semver_versions__invalid(void **state)
{
    static const struct {
        const char *text;
        const char *column;
    } bad[] = {
        {"", "column 1"},           {"1", "column 2"},         {"1.2", "column 4"},
        {"01.2.3", "column 1"},     {"1.02.3", "column 3"},    {"1.2.03", "column 5"},
        {"1.2.3-", "column 7"},     {"1.2.3-01", "column 7"},  {"1.2.3+", "column 7"},
        {"1.2.3-a..b", "column 7"}, {"v1.2.3", "column 1"},    {"1.2.3 ", "column 6"},
        {"1.2.3.4", "column 6"},    {"-1.2.3", "column 1"},    {"1.2.3-a$", "column 8"},
        {"99999999999999999999.0.0", "column 1"},
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        expect_error(facet_version_parse(bad[i].text), FACET_E_INVALIDARG, "version",
                     bad[i].column);
    /* too large is said as such, for each part */
    expect_error(facet_version_parse("99999999999999999999.0.0"), FACET_E_INVALIDARG,
                 "column 1, the major version number is larger than 18446744073709551615");
    expect_error(facet_version_parse("1.18446744073709551616.0"), FACET_E_INVALIDARG,
                 "column 3, the minor version number is larger");
    expect_error(facet_version_parse("1.2.184467440737095516150"), FACET_E_INVALIDARG,
                 "column 5, the patch number is larger");
    expect_error(facet_version_parse(NULL), FACET_E_POINTER, "text");
    assert_no_leaks();
}

static void test_semver_versions__precedence(void **state)
{
    /* semver.org section 11, in ascending order */
    static const char *const order[] = {"1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta",
                                        "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11",
                                        "1.0.0-rc.1", "1.0.0", "1.0.1", "1.1.0", "2.0.0",
                                        "2.1.0", "2.1.1", "10.0.0"};
    size_t i, j, n = sizeof(order) / sizeof(order[0]);
    int32_t c;
    (void)state;
    for (i = 0; i < n; i++)
        for (j = 0; j < n; j++) {
            assert_int_equal(facet_version_compare(&c, order[i], order[j]), FACET_OK);
            if (i < j)
                assert_true(c < 0);
            else if (i > j)
                assert_true(c > 0);
            else
                assert_int_equal(c, 0);
        }
    assert_int_equal(facet_version_compare(&c, "1.0.0+a", "1.0.0+b"), FACET_OK);
    assert_int_equal(c, 0);
    assert_int_equal(facet_version_compare(&c, "1.0.0-2", "1.0.0-10"), FACET_OK);
    assert_true(c < 0);
    assert_int_equal(facet_version_compare(&c, "1.0.0-a1", "1.0.0-1"), FACET_OK);
    assert_true(c > 0);
    expect_error(facet_version_compare(&c, "1.0", "1.0.0"), FACET_E_INVALIDARG, "\"1.0\"");
    assert_no_leaks();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_semver_versions__valid),
        cmocka_unit_test(test_semver_versions__invalid),
        cmocka_unit_test(test_semver_versions__precedence),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
