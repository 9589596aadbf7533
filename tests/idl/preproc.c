/*
 * preproc.c - the preprocessor's conditions and macros: every operator of
 * #if with C's precedence, arithmetic that wraps instead of overflowing,
 * defined, #ifdef/#ifndef/#elif/#else/#undef, function-like macros and
 * token pasting, and the errors for what it cannot evaluate.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include <cmocka.h>

#include "idl_test_util.h"

/* Compiles text; returns the result (the caller frees it). */
static facet_idl_result *compile(const char *text)
{
    idl_test_file files[] = {{"pp.idl", NULL}, {NULL, NULL}};
    files[0].text = text;
    return idl_test_compile(files);
}

/* The header the text gives, which must compile cleanly. */
static const char *header_of(facet_idl_result *r, const char *text)
{
    char buf[512];
    if (facet_idl_error_count(r) != 0)
        fail_msg("%s\n-> %s", text, idl_test_diag(r, 0, buf, sizeof buf));
    assert_int_equal(facet_idl_output_count(r), 3);
    return facet_idl_output_at(r, 0)->data;
}

/* #if condition, with prelude before it, must be true (or false). */
static void check_if(const char *prelude, const char *condition, int expected)
{
    char text[1024];
    facet_idl_result *r;
    const char *h;
    snprintf(text, sizeof text,
             "%s\n#if %s\ntypedef long IsTrue;\n#else\ntypedef long IsFalse;\n#endif\n", prelude,
             condition);
    r = compile(text);
    h = header_of(r, text);
    if ((strstr(h, "IsTrue") != NULL) != expected || (strstr(h, "IsFalse") != NULL) == expected)
        fail_msg("#if %s: expected %s", condition, expected ? "true" : "false");
    facet_idl_result_free(r);
}

static void test_idl_preproc__operators(void **state)
{
    static const struct {
        const char *condition;
        int expected;
    } cases[] = {
        {"1 + 2 * 3 == 7", 1},  {"(1 + 2) * 3 == 9", 1}, {"7 / 2 == 3", 1},
        {"7 % 4 == 3", 1},      {"10 - 2 - 3 == 5", 1},  {"1 << 4 == 16", 1},
        {"256 >> 4 == 16", 1},  {"3 <= 3", 1},           {"2 >= 3", 0},
        {"1 < 2", 1},           {"2 > 1", 1},            {"1 != 2", 1},
        {"(6 & 3) == 2", 1},    {"(6 ^ 3) == 5", 1},     {"(6 | 3) == 7", 1},
        {"1 && 0", 0},          {"0 || 2", 1},           {"1 ? 0 : 1", 0},
        {"0 ? 0 : 5", 1},       {"!0", 1},               {"!7", 0},
        {"~0 == -1", 1},        {"+1", 1},               {"-1 < 0", 1},
        {"UNKNOWN_NAME", 0},    {"0x10 == 16", 1},
        /* wraps in two's complement, as the C compilers that read it do */
        {"9223372036854775807 + 1 < 0", 1},
        {"(-9223372036854775807 - 1) / -1 < 0", 1},
        {"(-9223372036854775807 - 1) % -1 == 0", 1},
        {"-(-9223372036854775807 - 1) < 0", 1},
        {"3037000500 * 3037000500 < 0", 1},
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
        check_if("", cases[i].condition, cases[i].expected);
}

static void test_idl_preproc__macros_in_conditions(void **state)
{
    (void)state;
    check_if("#define FOO", "defined FOO", 1);
    check_if("#define FOO", "defined(FOO) && !defined(BAR)", 1);
    check_if("#define VALUE 42", "VALUE == 42", 1);
    check_if("#define FOO\n#undef FOO", "defined(FOO)", 0);
}

static void test_idl_preproc__branches(void **state)
{
    const char *text = "#define TWO\n"
                       "#ifdef ONE\ntypedef long A1;\n"
                       "#elif defined(TWO)\ntypedef long A2;\n"
                       "#else\ntypedef long A3;\n#endif\n"
                       "#ifndef ONE\ntypedef long B1;\n#endif\n"
                       "#ifdef ONE\n#if 1\ntypedef long C1;\n#endif\n#else\ntypedef long C2;\n#endif\n";
    facet_idl_result *r = compile(text);
    const char *h = header_of(r, text);
    (void)state;
    assert_null(strstr(h, "A1"));
    assert_non_null(strstr(h, "A2"));
    assert_null(strstr(h, "A3"));
    assert_non_null(strstr(h, "B1"));
    assert_null(strstr(h, "C1"));
    assert_non_null(strstr(h, "C2"));
    facet_idl_result_free(r);
}

static void test_idl_preproc__function_like_macros(void **state)
{
    const char *text = "#define CAT(a, b) a##b\n"
                       "#define TYPE(n) typedef long n;\n"
                       "TYPE(CAT(Pasted, Name))\n";
    facet_idl_result *r = compile(text);
    const char *h = header_of(r, text);
    (void)state;
    assert_non_null(strstr(h, "PastedName"));
    facet_idl_result_free(r);
}

/* Each bad input gives one error whose message says what was wrong. */
static void expect_pp_error(const char *text, const char *message)
{
    char buf[512];
    facet_idl_result *r = compile(text);
    assert_non_null(r);
    if (facet_idl_error_count(r) == 0)
        fail_msg("%s: no error, expected \"%s\"", text, message);
    idl_test_diag(r, 0, buf, sizeof buf);
    if (strstr(buf, message) == NULL)
        fail_msg("%s: got \"%s\", expected \"%s\"", text, buf, message);
    assert_int_equal(facet_idl_output_count(r), 0);
    facet_idl_result_free(r);
}

static void test_idl_preproc__errors(void **state)
{
    (void)state;
    expect_pp_error("#if 1 / 0\n#endif\n", "cannot evaluate this #if");
    expect_pp_error("#if 5 % 0\n#endif\n", "cannot evaluate this #if");
    expect_pp_error("#if (1\n#endif\n", "cannot evaluate this #if");
    expect_pp_error("#if 1 ? 2\n#endif\n", "cannot evaluate this #if");
    expect_pp_error("#if defined(\n#endif\n", "cannot evaluate this #if");
    expect_pp_error("#if\n#endif\n", "cannot evaluate this #if");
    expect_pp_error("#ifdef\n#endif\n", "expected a macro name after #ifdef");
    expect_pp_error("#error stop here\n", "#error in the input");
    expect_pp_error("#frobnicate\n", "unknown preprocessor directive '#frobnicate'");
    expect_pp_error("#define CAT(a, b) a##b\ntypedef long CAT(x);\n",
                    "macro 'CAT' takes 2 argument(s), found 1");
    expect_pp_error("#define BAD(a, 1) a\n", "expected a parameter name in #define BAD");
    expect_pp_error("#include\n", "after #include");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_idl_preproc__operators),
        cmocka_unit_test(test_idl_preproc__macros_in_conditions),
        cmocka_unit_test(test_idl_preproc__branches),
        cmocka_unit_test(test_idl_preproc__function_like_macros),
        cmocka_unit_test(test_idl_preproc__errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
