/*
 * tests/semver/ranges.c - npm and Cargo version ranges.
 */
#include <string.h>

#include "support.h"

typedef struct Case {
    const char *range;
    const char *version;
    int yes;
} Case;

static const Case cases[] = {
    /* caret */
    {"^1.2", "1.2.0", 1},          {"^1.2", "1.9.9", 1},          {"^1.2", "2.0.0", 0},
    {"^1.2", "1.1.9", 0},          {"^1.2.3", "1.2.3", 1},        {"^1.2.3", "1.2.2", 0},
    {"^0.2.3", "0.2.9", 1},        {"^0.2.3", "0.3.0", 0},        {"^0.0.3", "0.0.3", 1},
    {"^0.0.3", "0.0.4", 0},        {"^0", "0.9.9", 1},            {"^0", "1.0.0", 0},
    {"^0.0", "0.0.9", 1},          {"^0.0", "0.1.0", 0},          {"^1.x", "1.5.0", 1},
    {"^1.2", "2.0.0-rc.1", 0},
    /* tilde */
    {"~1.2.3", "1.2.9", 1},        {"~1.2.3", "1.3.0", 0},        {"~1.2.3", "1.2.2", 0},
    {"~1.2", "1.2.0", 1},          {"~1.2", "1.3.0", 0},          {"~1", "1.9.0", 1},
    {"~1", "2.0.0", 0},            {"~>1.2", "1.2.5", 1},
    /* comparators, with spaces or Cargo's commas */
    {">=1.0 <2.0", "1.0.0", 1},    {">=1.0 <2.0", "1.99.0", 1},   {">=1.0 <2.0", "2.0.0", 0},
    {">=1.0, <2.0", "1.5.0", 1},   {">=1.0,<2.0", "0.9.0", 0},    {">1.2", "1.2.9", 0},
    {">1.2", "1.3.0", 1},          {">1.2.3", "1.2.4", 1},        {">1.2.3", "1.2.3", 0},
    {"<=1.2", "1.2.9", 1},         {"<=1.2", "1.3.0", 0},         {"<1.2", "1.1.9", 1},
    {"<1.2", "1.2.0", 0},          {"<1.2", "1.2.0-rc.1", 0},     {"<=1.2.3", "1.2.3", 1},
    {"> 1.0.0", "1.0.1", 1},
    /* wildcards and partials */
    {"1.x", "1.0.0", 1},           {"1.x", "1.99.0", 1},          {"1.x", "2.0.0", 0},
    {"1.2.x", "1.2.7", 1},         {"1.2.x", "1.3.0", 0},         {"1.*", "1.4.0", 1},
    {"1", "1.4.0", 1},             {"1.2", "1.2.4", 1},           {"*", "0.0.1", 1},
    {"*", "99.0.0", 1},            {"", "3.0.0", 1},              {"x", "1.0.0", 1},
    {"*", "1.0.0-alpha", 0},
    /* exact */
    {"1.2.3", "1.2.3", 1},         {"1.2.3", "1.2.4", 0},         {"=1.2.3", "1.2.3", 1},
    {"1.2.3", "1.2.3+build", 1},
    /* hyphen */
    {"1.2 - 1.4", "1.4.9", 1},     {"1.2 - 1.4", "1.5.0", 0},     {"1.2.3 - 2.3.4", "2.3.4", 1},
    {"1.2.3 - 2.3.4", "1.2.2", 0},
    /* alternatives */
    {"^1.0 || ^3.0", "3.1.0", 1},  {"^1.0 || ^3.0", "2.0.0", 0},  {"1.x || >=2.5.0", "2.6.0", 1},
    /* pre-releases only where invited */
    {">=1.2.3-alpha", "1.2.3-beta", 1}, {">=1.2.3-alpha", "1.2.4-beta", 0},
    {"^1.2.3-beta.2", "1.2.3-beta.4", 1}, {"^1.2.3-beta.2", "1.2.4", 1},
    {"^1.2.3-beta.2", "1.2.4-beta.2", 0},
    /* at the largest number a part can have, the next version carries into
     * the part before it, or there is none */
#define MAX "18446744073709551615"
    {">1." MAX, "1.0.0", 0},       {">1." MAX, "1." MAX ".9", 0}, {">1." MAX, "2.0.0", 1},
    {">" MAX, "1.0.0", 0},         {">" MAX, MAX ".0.0", 0},      {">=" MAX, MAX ".0.0", 1},
    {"^" MAX ".0.0", MAX ".0.0", 1}, {"^" MAX ".0.0", MAX ".5.0", 1}, {"^" MAX, "1.0.0", 0},
    {"~1." MAX ".0", "1." MAX ".7", 1}, {"~1." MAX ".0", "2.0.0", 0},
    {"1." MAX, "1." MAX ".3", 1},  {"1." MAX, "2.0.0", 0},        {MAX ".x", MAX ".1.2", 1},
    {"<=" MAX, MAX ".1.0", 1},     {"<=1." MAX, "1." MAX ".9", 1}, {"<=1." MAX, "2.0.0", 0},
    {"^0.0." MAX, "0.0." MAX, 1},  {"^0.0." MAX, "0.1.0", 0},     {"^0." MAX, "0." MAX ".4", 1},
    {"^0." MAX, "1.0.0", 0},       {"1.0.0 - " MAX, MAX ".0.0", 1},
#undef MAX
};

static void test_semver_ranges__table(void **state)
{
    size_t i;
    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        FacetResult r = facet_version_satisfies(cases[i].version, cases[i].range);
        if (r != (cases[i].yes ? FACET_OK : FACET_FALSE))
            fail_msg("\"%s\" against \"%s\": got %s, expected %s (%s)", cases[i].version,
                     cases[i].range, facet_result_name(r), cases[i].yes ? "yes" : "no",
                     facet_last_error());
    }
    assert_no_leaks();
}

static void test_semver_ranges__invalid(void **state)
{
    static const struct {
        const char *range;
        const char *column;
    } bad[] = {
        {"^", "column 2"},       {">=a", "column 3"},     {"1.2.3.4", "column 6"},
        {"^01.2", "column 2"},   {"1.2 -", "column 5"},   {">=1.0 <", "column 8"},
        {"1.2.3-", "column 7"},  {"~1.2.3$", "column 7"}, {"1.0 |", "column 5"},
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        expect_error(facet_version_satisfies("1.0.0", bad[i].range), FACET_E_INVALIDARG,
                     "version range", bad[i].column);
    expect_error(facet_version_satisfies("1.0", "*"), FACET_E_INVALIDARG, "version \"1.0\"");
    expect_error(facet_version_satisfies("1.0.0",
                                         "1||2||3||4||5||6||7||8||9||10||11||12||13||14||15||16||17"),
                 FACET_E_INVALIDARG, "more than 16");
    /* a number past 64 bits is too large, not missing */
    expect_error(facet_version_satisfies("1.0.0", "^99999999999999999999"), FACET_E_INVALIDARG,
                 "version range", "column 2", "larger than 18446744073709551615");
    expect_error(facet_version_satisfies("1.0.0", ">=1.18446744073709551616"), FACET_E_INVALIDARG,
                 "column 5", "larger than 18446744073709551615");
    expect_error(facet_version_satisfies(NULL, "*"), FACET_E_POINTER, "version");
    assert_no_leaks();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_semver_ranges__table),
        cmocka_unit_test(test_semver_ranges__invalid),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
