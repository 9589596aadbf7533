/*
 * tests/broken/broken.c - facet_validate on each deliberately broken widget
 * names the rule it breaks, and finds nothing wrong with the good one.
 * argv[1] is the folder of the broken modules.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "facet/typeinfo.h"
#include "facet/check.h"
#include "support.h"
#include "widget.h" /* facet_typeinfo_widget, linked into this test */

static const char *broken_dir;

static const char *broken_module(const char *name)
{
    static char path[4096];
    snprintf(path, sizeof(path), "%s/%s%s", broken_dir, name,
#ifdef _WIN32
             ".dll"
#else
             ".so"
#endif
    );
    return path;
}

/* Validates name with opts (NULL: defaults) and returns its report;
 * checks the result code. A hang is given 3 s; the others have all the
 * time they need on a loaded machine (the thread stress of a non-atomic
 * AddRef yields a lot). */
static FacetReport *validate_with(const char *name, FacetCheckOptions *opts, FacetResult expect)
{
    FacetCheckOptions defaults = FACET_CHECK_OPTIONS_INIT;
    FacetReport *rep = NULL;
    FacetResult r;
    if (opts == NULL)
        opts = &defaults;
    opts->timeout_ms = strstr(name, "hang") != NULL ? 3000 : 100000;
#ifdef _WIN32
    opts->iterations = 2000; /* Wine's thread switches are slow */
#endif
    r = facet_validate(&rep, broken_module(name), opts);
    if (r != expect)
        fail_msg("%s: facet_validate returned %s (%s), expected %s", name, facet_result_name(r),
                 facet_last_error(), facet_result_name(expect));
    assert_non_null(rep);
    return rep;
}

static FacetReport *validate(const char *name, FacetResult expect)
{
    return validate_with(name, NULL, expect);
}

/* The violation of rule in rep, or NULL; *count says how many there are. */
static int find_rule(const FacetReport *rep, const char *rule, FacetViolation *out)
{
    uint32_t i, n = facet_report_violation_count(rep);
    int count = 0;
    for (i = 0; i < n; i++) {
        FacetViolation v = FACET_VIOLATION_INIT;
        assert_int_equal(facet_report_violation(&v, rep, i), FACET_OK);
        if (strcmp(v.rule, rule) == 0) {
            if (count++ == 0)
                *out = v;
        }
    }
    return count;
}

/* The report has a violation of rule whose texts mention each of the
 * NULL-terminated strings. */
static void expect_rule(const char *name, const char *rule, const char *mention)
{
    FacetReport *rep = validate(name, FACET_FALSE);
    uint32_t i, n = facet_report_violation_count(rep);
    int found = 0;
    for (i = 0; i < n; i++) {
        FacetViolation v = FACET_VIOLATION_INIT;
        assert_int_equal(facet_report_violation(&v, rep, i), FACET_OK);
        assert_non_null(v.rule);
        assert_non_null(v.expected);
        assert_non_null(v.seen);
        if (strcmp(v.rule, rule) == 0 &&
            (mention == NULL || strstr(v.expected, mention) || strstr(v.seen, mention)))
            found = 1;
    }
    if (!found) {
        for (i = 0; i < n; i++) {
            FacetViolation v = FACET_VIOLATION_INIT;
            facet_report_violation(&v, rep, i);
            print_message("  %s: %s; expected %s; saw %s\n", v.rule,
                          v.class_name ? v.class_name : "-", v.expected, v.seen);
        }
        facet_report_free(rep);
        fail_msg("%s: no '%s' violation mentioning '%s' among %u", name, rule,
                 mention ? mention : "", (unsigned)n);
    }
    facet_report_free(rep);
    assert_no_leaks();
}

static void test_broken_validate__good_widget_is_clean(void **state)
{
    FacetReport *rep;
    FacetModuleInfo info = FACET_MODULE_INFO_INIT;
    FacetClassInfo ci = FACET_CLASS_INFO_INIT;
    (void)state;
    rep = validate("good_widget", FACET_OK);
    assert_int_equal(facet_report_outcome(rep), FACET_OUTCOME_OK);
    assert_string_equal(facet_report_reason(rep), "");
    assert_int_equal(facet_report_violation_count(rep), 0);
    assert_int_equal(facet_report_module(&info, rep), FACET_OK);
    assert_string_equal(info.name, "test.widget");
    assert_int_equal(facet_report_class_count(rep), 1);
    assert_int_equal(facet_report_class(&ci, rep, 0), FACET_OK);
    assert_string_equal(ci.contract, "test.widget");
    assert_int_equal(ci.interface_count, 2);
    facet_report_free(rep);
    assert_no_leaks();
}

#define BROKEN_CASE(name, rule, mention)                        \
    static void test_broken_validate__##name(void **state)     \
    {                                                           \
        (void)state;                                            \
        expect_rule(#name, rule, mention);                      \
    }

BROKEN_CASE(qi_identity, "qi-identity", "same IFacetUnknown pointer")
BROKEN_CASE(qi_one_way, "qi-symmetric", NULL)
BROKEN_CASE(qi_unknown_iid, "qi-unknown-iid", "not NULL")
BROKEN_CASE(qi_null_out, "qi-null-out", "FACET_E_INVALIDARG")
BROKEN_CASE(release_never_frees, "leak", "blocks still allocated")
BROKEN_CASE(release_not_zero, "release-to-zero", NULL)
BROKEN_CASE(refcount_negative, "refcount-negative", "count of 0")
BROKEN_CASE(thread_unsafe_addref, "thread-safety", NULL)
BROKEN_CASE(ignores_outer, "aggregation", "outer")
BROKEN_CASE(aggregation_wrong_code, "aggregation", "FACET_E_FAIL")
BROKEN_CASE(can_unload_lies, "can-unload", "FACET_FALSE")
BROKEN_CASE(crash_in_create, "crash", "CreateInstance of class test.widget")
BROKEN_CASE(crash_in_entry, "crash", "facet_module_entry")
BROKEN_CASE(hang_in_entry, "hang", "facet_module_entry")
BROKEN_CASE(exit_in_entry, "exit", "exit status 3")
BROKEN_CASE(not_a_library, "load", "not")
BROKEN_CASE(manifest_mismatch, "manifest", "version: manifest \"1.0.1\", module \"1.0.0\"")

/* The count rules run through every interface: an AddRef on the second
 * interface that returns the count without adding to it (a Release through
 * it then frees the object under references still held) is named, on that
 * interface, and the validator survives it. */
static void test_broken_validate__refcount_through_every_interface(void **state)
{
    FacetViolation v = FACET_VIOLATION_INIT;
    FacetReport *rep;
    (void)state;
    rep = validate("pong_addref", FACET_FALSE);
    assert_int_equal(facet_report_outcome(rep), FACET_OUTCOME_OK);
    if (find_rule(rep, "refcount", &v) == 0)
        fail_msg("pong_addref: no refcount violation (%u others)",
                 (unsigned)facet_report_violation_count(rep));
    assert_string_equal(v.interface_name, "IWidgetPong");
    assert_non_null(strstr(v.expected, "n+1, n+2, n+1, n"));
    facet_report_free(rep);
    /* The positive control: the same widget with the AddRef it should have. */
    rep = validate("good_widget", FACET_OK);
    assert_int_equal(find_rule(rep, "refcount", &v), 0);
    facet_report_free(rep);
    assert_no_leaks();
}

/* A count that is not atomic is a thread-safety violation, whether the
 * stress leaves the count wrong or the object is freed under a thread and
 * the child crashes. */
static void test_broken_validate__unsafe_count_is_thread_safety(void **state)
{
    FacetViolation v = FACET_VIOLATION_INIT;
    FacetReport *rep;
    (void)state;
    rep = validate("thread_unsafe_count", FACET_FALSE);
    if (find_rule(rep, "thread-safety", &v) == 0)
        fail_msg("thread_unsafe_count: no thread-safety violation; outcome %u (%s)",
                 (unsigned)facet_report_outcome(rep), facet_report_reason(rep));
    assert_int_equal(find_rule(rep, "crash", &v), 0);
    facet_report_free(rep);
    assert_no_leaks();
}

/* A module without type info of its own: its interfaces are named from
 * the type info the caller gives, in violations and in the report. */
static void test_broken_validate__names_from_callers_type_info(void **state)
{
    static const FacetTypeLibInfo *const libs[] = {&facet_typeinfo_widget};
    FacetCheckOptions opts = FACET_CHECK_OPTIONS_INIT;
    FacetViolation v = FACET_VIOLATION_INIT;
    FacetReport *rep;
    (void)state;
    /* Without: the IIDs in text. */
    rep = validate("unnamed_one_way", FACET_FALSE);
    assert_true(find_rule(rep, "qi-symmetric", &v) > 0);
    assert_string_equal(v.interface_name, "{5A1D6E70-4C1B-4F0E-9A57-3B8D2C61E001}");
    assert_null(facet_report_interface_name(rep, &IID_IWidgetPing));
    facet_report_free(rep);
    /* With. */
    opts.type_libs = libs;
    opts.type_lib_count = 1;
    rep = validate_with("unnamed_one_way", &opts, FACET_FALSE);
    assert_true(find_rule(rep, "qi-symmetric", &v) > 0);
    assert_string_equal(v.interface_name, "IWidgetPing");
    assert_non_null(strstr(v.expected, "IWidgetPong"));
    assert_string_equal(facet_report_interface_name(rep, &IID_IWidgetPong), "IWidgetPong");
    facet_report_free(rep);
    /* A count without the array is a bad argument. */
    opts.type_libs = NULL;
    expect_error(facet_validate(&rep, broken_module("good_widget"), &opts), FACET_E_POINTER,
                 "type_libs");
    assert_null(rep);
    assert_no_leaks();
}

/* Options from a host built against the first FacetCheckOptions (no
 * type_libs) are read as far as they go. */
static void test_broken_validate__options_v1(void **state)
{
    FacetCheckOptions opts = FACET_CHECK_OPTIONS_INIT;
    FacetReport *rep = NULL;
    (void)state;
    opts.struct_size = (uint32_t)FACET_CHECK_OPTIONS_V1_SIZE;
    opts.type_lib_count = 99; /* past struct_size: never read */
    opts.timeout_ms = 100000;
    assert_int_equal(facet_validate(&rep, broken_module("good_widget"), &opts), FACET_OK);
    facet_report_free(rep);
    opts.struct_size = (uint32_t)FACET_CHECK_OPTIONS_V1_SIZE - 1;
    expect_error(facet_validate(&rep, broken_module("good_widget"), &opts), FACET_E_STRUCTSIZE,
                 "FACET_CHECK_OPTIONS_INIT");
    assert_no_leaks();
}

/* The cross-check names each field that differs, and passes a manifest
 * that agrees. */
static void test_broken_validate__manifest(void **state)
{
    FacetReport *rep;
    const char *problem = "unset", *path;
    (void)state;
    rep = validate("manifest_agrees", FACET_OK);
    path = facet_report_manifest(rep, &problem);
    assert_non_null(path);
    assert_non_null(strstr(path, "manifest_agrees.facet.json"));
    assert_null(problem);
    facet_report_free(rep);

    rep = validate("manifest_mismatch", FACET_FALSE);
    path = facet_report_manifest(rep, &problem);
    assert_non_null(strstr(path, "manifest_mismatch.facet.json"));
    assert_non_null(problem);
    assert_non_null(strstr(problem, "disagrees with its manifest in 2 field(s)"));
    assert_non_null(strstr(problem, "the module also implements"));
    facet_report_free(rep);

    rep = validate("good_widget", FACET_OK);
    assert_null(facet_report_manifest(rep, &problem));
    assert_null(problem);
    facet_report_free(rep);
    assert_no_leaks();
}

/* Each outcome is the one the child's end says. */
static void test_broken_validate__outcomes(void **state)
{
    static const struct {
        const char *name;
        uint32_t outcome;
        const char *reason;
    } cases[] = {
        {"crash_in_entry", FACET_OUTCOME_CRASHED, "crashed in facet_module_entry"},
        {"hang_in_entry", FACET_OUTCOME_TIMEDOUT, "hung in facet_module_entry"},
        {"exit_in_entry", FACET_OUTCOME_EXITED, "exit status 3"},
        {"not_a_library", FACET_OUTCOME_LOADFAILED, "not_a_library"},
        {"qi_identity", FACET_OUTCOME_OK, ""},
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        FacetReport *rep = validate(cases[i].name, FACET_FALSE);
        assert_int_equal(facet_report_outcome(rep), cases[i].outcome);
        if (cases[i].reason[0] == '\0')
            assert_string_equal(facet_report_reason(rep), "");
        else if (strstr(facet_report_reason(rep), cases[i].reason) == NULL)
            fail_msg("%s: reason '%s' does not mention '%s'", cases[i].name,
                     facet_report_reason(rep), cases[i].reason);
        facet_report_free(rep);
    }
    assert_no_leaks();
}

static void test_broken_validate__bad_arguments(void **state)
{
    FacetCheckOptions opts = FACET_CHECK_OPTIONS_INIT;
    FacetReport *rep = (FacetReport *)&opts;
    (void)state;
    expect_error(facet_validate(NULL, broken_module("good_widget"), NULL), FACET_E_POINTER,
                 "facet_validate", "out");
    expect_error(facet_validate(&rep, NULL, NULL), FACET_E_POINTER, "path");
    assert_null(rep);
    opts.struct_size = 4;
    expect_error(facet_validate(&rep, broken_module("good_widget"), &opts), FACET_E_STRUCTSIZE,
                 "FACET_CHECK_OPTIONS_INIT");
    opts.struct_size = sizeof(opts);
    expect_error(facet_validate(&rep, "/nonexistent/dir/x.so", &opts), FACET_E_FILENOTFOUND,
                 "/nonexistent/dir/x.so");
    opts.helper = "/nonexistent/facet-probe";
    expect_error(facet_validate(&rep, broken_module("good_widget"), &opts), FACET_E_FILENOTFOUND,
                 "/nonexistent/facet-probe", "FacetCheckOptions.helper");
    assert_null(rep);
#ifndef _WIN32
    {
        /* A helper that runs but never reports is the helper's failure, not
         * the module's. */
        const char *dir = facet_test_tmpdir();
        char helper[4200];
        const char *script = "#!/bin/sh\necho broken helper >&2\nexit 3\n";
        snprintf(helper, sizeof(helper), "%s/fake-helper", dir);
        facet_test_write_file(helper, script, strlen(script));
        assert_int_equal(chmod(helper, 0755), 0);
        opts.helper = helper;
        expect_error(facet_validate(&rep, broken_module("good_widget"), &opts), FACET_E_FAIL,
                     "did not start", "exit status 3", "broken helper");
        assert_null(rep);
        facet_test_remove_tree(dir);
    }
#endif
    assert_no_leaks();
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_broken_validate__good_widget_is_clean),
        cmocka_unit_test(test_broken_validate__qi_identity),
        cmocka_unit_test(test_broken_validate__qi_one_way),
        cmocka_unit_test(test_broken_validate__qi_unknown_iid),
        cmocka_unit_test(test_broken_validate__qi_null_out),
        cmocka_unit_test(test_broken_validate__release_never_frees),
        cmocka_unit_test(test_broken_validate__release_not_zero),
        cmocka_unit_test(test_broken_validate__refcount_negative),
        cmocka_unit_test(test_broken_validate__thread_unsafe_addref),
        cmocka_unit_test(test_broken_validate__ignores_outer),
        cmocka_unit_test(test_broken_validate__aggregation_wrong_code),
        cmocka_unit_test(test_broken_validate__can_unload_lies),
        cmocka_unit_test(test_broken_validate__crash_in_create),
        cmocka_unit_test(test_broken_validate__crash_in_entry),
        cmocka_unit_test(test_broken_validate__hang_in_entry),
        cmocka_unit_test(test_broken_validate__exit_in_entry),
        cmocka_unit_test(test_broken_validate__not_a_library),
        cmocka_unit_test(test_broken_validate__manifest_mismatch),
        cmocka_unit_test(test_broken_validate__refcount_through_every_interface),
        cmocka_unit_test(test_broken_validate__unsafe_count_is_thread_safety),
        cmocka_unit_test(test_broken_validate__names_from_callers_type_info),
        cmocka_unit_test(test_broken_validate__options_v1),
        cmocka_unit_test(test_broken_validate__manifest),
        cmocka_unit_test(test_broken_validate__outcomes),
        cmocka_unit_test(test_broken_validate__bad_arguments),
    };
    if (argc < 2) {
        fprintf(stderr, "usage: %s BROKEN_MODULE_DIR\n", argv[0]);
        return 2;
    }
    broken_dir = argv[1];
    return cmocka_run_group_tests(tests, NULL, NULL);
}
