/*
 * tests/manifest/versions.c - choosing among several versions of a module:
 * the highest that satisfies every requirement, conflicts that name both
 * requirers, missing modules, and the host config's disable list. Only
 * manifests are read here: no library exists, and none is loaded.
 */
#include <string.h>

#include "plugtest.h"

static void declare(const char *dir, const char *name, const char *version, int id,
                    const char *requires)
{
    char file[256];
    snprintf(file, sizeof(file), "%s-%s.facet.json", name, version);
    plug_manifest(dir, file, name, version, id, "none" PLUG_SUFFIX, requires, NULL);
}

/* The state the report gives name@version. */
static uint32_t state_of(FacetScanReport *rep, const char *name, const char *version)
{
    uint32_t i;
    for (i = 0; i < facet_scan_report_module_count(rep); i++) {
        FacetScanModule m = FACET_SCAN_MODULE_INIT;
        assert_int_equal(facet_scan_report_module(&m, rep, i), FACET_OK);
        if (strcmp(m.name, name) == 0 && strcmp(m.version, version) == 0)
            return m.state;
    }
    fail_msg("%s %s is not in the report", name, version);
    return 99;
}

static const char *problem_text(FacetScanReport *rep, FacetResult code)
{
    uint32_t i;
    for (i = 0; i < facet_scan_report_problem_count(rep); i++) {
        FacetScanProblem p = FACET_SCAN_PROBLEM_INIT;
        assert_int_equal(facet_scan_report_problem(&p, rep, i), FACET_OK);
        if (p.code == code)
            return p.message;
    }
    fail_msg("no problem with code %s", facet_result_name(code));
    return NULL;
}

static FacetScanReport *scan(FacetRuntime **rt, const char *dir, FacetResult expected)
{
    FacetScanReport *rep = NULL;
    assert_int_equal(facet_runtime_new(rt, NULL), FACET_OK);
    assert_int_equal(facet_scan(&rep, *rt, dir), expected);
    return rep;
}

static void done(FacetRuntime *rt, FacetScanReport *rep, const char *dir)
{
    facet_scan_report_free(rep);
    assert_int_equal(facet_runtime_free(rt), FACET_OK);
    facet_test_remove_tree(dir);
    assert_no_leaks();
}

static void test_manifest_versions__highest_wins(void **state)
{
    char dir[4096];
    FacetRuntime *rt;
    FacetScanReport *rep;
    (void)state;
    snprintf(dir, sizeof(dir), "%s", plug_folder());
    declare(dir, "test.x", "1.0.0", 10, NULL);
    declare(dir, "test.x", "1.5.0", 10, NULL);
    declare(dir, "test.x", "2.0.0-rc.1", 10, NULL);
    declare(dir, "test.x", "2.0.0", 10, NULL);
    rep = scan(&rt, dir, FACET_OK);
    assert_int_equal(state_of(rep, "test.x", "2.0.0"), FACET_SCAN_AVAILABLE);
    assert_int_equal(state_of(rep, "test.x", "1.5.0"), FACET_SCAN_SHADOWED);
    assert_int_equal(state_of(rep, "test.x", "2.0.0-rc.1"), FACET_SCAN_SHADOWED);
    done(rt, rep, dir);
}

static void test_manifest_versions__highest_satisfying_all(void **state)
{
    char dir[4096];
    FacetRuntime *rt;
    FacetScanReport *rep;
    (void)state;
    snprintf(dir, sizeof(dir), "%s", plug_folder());
    declare(dir, "test.x", "1.0.0", 10, NULL);
    declare(dir, "test.x", "1.4.2", 10, NULL);
    declare(dir, "test.x", "1.5.0", 10, NULL);
    declare(dir, "test.x", "2.0.0", 10, NULL);
    declare(dir, "test.a", "1.0.0", 1, "{\"test.x\": \"^1.2\"}");
    declare(dir, "test.b", "1.0.0", 2, "{\"test.x\": \"~1.4.0\"}");
    rep = scan(&rt, dir, FACET_OK);
    assert_int_equal(state_of(rep, "test.x", "1.4.2"), FACET_SCAN_AVAILABLE);
    assert_int_equal(state_of(rep, "test.x", "2.0.0"), FACET_SCAN_SHADOWED);
    assert_int_equal(state_of(rep, "test.a", "1.0.0"), FACET_SCAN_AVAILABLE);
    assert_int_equal(state_of(rep, "test.b", "1.0.0"), FACET_SCAN_AVAILABLE);
    done(rt, rep, dir);
}

static void test_manifest_versions__chained(void **state)
{
    char dir[4096];
    FacetRuntime *rt;
    FacetScanReport *rep;
    (void)state;
    /* b 2.0 wants x 2, but a wants b 1, whose x range is ^1: x 1.9 then. */
    snprintf(dir, sizeof(dir), "%s", plug_folder());
    declare(dir, "test.x", "1.9.0", 10, NULL);
    declare(dir, "test.x", "2.1.0", 10, NULL);
    declare(dir, "test.b", "1.0.0", 2, "{\"test.x\": \"^1\"}");
    declare(dir, "test.b", "2.0.0", 2, "{\"test.x\": \"^2\"}");
    declare(dir, "test.a", "1.0.0", 1, "{\"test.b\": \"1.x\"}");
    rep = scan(&rt, dir, FACET_OK);
    assert_int_equal(state_of(rep, "test.b", "1.0.0"), FACET_SCAN_AVAILABLE);
    assert_int_equal(state_of(rep, "test.x", "1.9.0"), FACET_SCAN_AVAILABLE);
    assert_int_equal(state_of(rep, "test.x", "2.1.0"), FACET_SCAN_SHADOWED);
    done(rt, rep, dir);
}

static void test_manifest_versions__conflict_names_both(void **state)
{
    char dir[4096];
    FacetRuntime *rt;
    FacetScanReport *rep;
    void *obj = NULL;
    const char *msg;
    (void)state;
    snprintf(dir, sizeof(dir), "%s", plug_folder());
    declare(dir, "test.x", "1.2.0", 10, NULL);
    declare(dir, "test.x", "2.3.0", 10, NULL);
    declare(dir, "test.a", "1.0.0", 1, "{\"test.x\": \"^1.0\"}");
    declare(dir, "test.b", "1.0.0", 2, "{\"test.x\": \">=2.0 <3.0\"}");
    rep = scan(&rt, dir, FACET_FALSE);
    msg = problem_text(rep, FACET_E_VERSION);
    assert_non_null(strstr(msg, "version conflict over test.x"));
    assert_non_null(strstr(msg, "test.a requires ^1.0"));
    assert_non_null(strstr(msg, "test.b requires >=2.0 <3.0"));
    assert_non_null(strstr(msg, "1.2.0, 2.3.0") != NULL ? "" : strstr(msg, "2.3.0, 1.2.0"));
    assert_int_equal(state_of(rep, "test.a", "1.0.0"), FACET_SCAN_BROKEN);
    assert_int_equal(state_of(rep, "test.b", "1.0.0"), FACET_SCAN_BROKEN);
    /* creating a class of a broken module gives the reason */
    expect_error(facet_create_instance_by_name(&obj, rt, "test.a.thing", NULL, &IID_IFacetUnknown),
                 FACET_E_VERSION, "test.a requires ^1.0", "test.b");
    expect_error(facet_runtime_start(rt), FACET_E_VERSION, "version conflict over test.x");
    done(rt, rep, dir);
}

static void test_manifest_versions__unsatisfiable_and_missing(void **state)
{
    char dir[4096];
    FacetRuntime *rt;
    FacetScanReport *rep;
    (void)state;
    snprintf(dir, sizeof(dir), "%s", plug_folder());
    declare(dir, "test.x", "1.2.0", 10, NULL);
    declare(dir, "test.a", "1.0.0", 1, "{\"test.x\": \"^3\"}");
    declare(dir, "test.b", "1.0.0", 2, "{\"test.nothere\": \"*\"}");
    declare(dir, "test.c", "1.0.0", 3, "{\"test.b\": \"*\"}");
    rep = scan(&rt, dir, FACET_FALSE);
    assert_non_null(strstr(problem_text(rep, FACET_E_VERSION),
                           "test.a requires test.x ^3, but the versions found are 1.2.0"));
    assert_non_null(strstr(problem_text(rep, FACET_E_NOTFOUND),
                           "test.b requires test.nothere *, which no scanned manifest provides"));
    assert_int_equal(state_of(rep, "test.c", "1.0.0"), FACET_SCAN_BROKEN);
    assert_int_equal(state_of(rep, "test.x", "1.2.0"), FACET_SCAN_AVAILABLE);
    done(rt, rep, dir);
}

/* A chain of 200 modules whose last requires one that is not there: each
 * is broken, and each message names that root cause, whole, near its
 * start, where nested "cannot be used" messages lost it past 2 KiB. */
static void test_manifest_versions__root_cause_of_a_long_chain(void **state)
{
    char dir[4096];
    FacetRuntime *rt;
    FacetScanReport *rep;
    uint32_t i, n;
    (void)state;
    snprintf(dir, sizeof(dir), "%s", plug_folder());
    for (i = 0; i < 200; i++) {
        char name[32], requires[64];
        snprintf(name, sizeof(name), "test.link%03u", (unsigned)i);
        if (i + 1 < 200)
            snprintf(requires, sizeof(requires), "{\"test.link%03u\": \"^1\"}", (unsigned)i + 1);
        else
            snprintf(requires, sizeof(requires), "{\"test.nothere\": \"^2\"}");
        declare(dir, name, "1.0.0", (int)i, requires);
    }
    rep = scan(&rt, dir, FACET_FALSE);
    n = facet_scan_report_problem_count(rep);
    assert_int_equal(n, 200);
    for (i = 0; i < n; i++) {
        FacetScanProblem p = FACET_SCAN_PROBLEM_INIT;
        const char *root;
        assert_int_equal(facet_scan_report_problem(&p, rep, i), FACET_OK);
        root = strstr(p.message, "test.link199 requires test.nothere ^2, which no scanned "
                                 "manifest provides");
        if (root == NULL || root - p.message > 400)
            fail_msg("%s: the root cause is not near the start: %.600s", p.path, p.message);
        if (strstr(p.path, "test.link199") == NULL) {
            assert_int_equal(p.code, FACET_E_NOTFOUND);
            assert_non_null(strstr(p.message, "which cannot be used"));
        }
    }
    assert_int_equal(state_of(rep, "test.link000", "1.0.0"), FACET_SCAN_BROKEN);
    done(rt, rep, dir);
}

static void test_manifest_versions__second_scan_resolves(void **state)
{
    char dir[4096], dir2[4200];
    FacetRuntime *rt;
    FacetScanReport *rep;
    (void)state;
    snprintf(dir, sizeof(dir), "%s", plug_folder());
    plug_subfolder(dir2, sizeof(dir2), dir, "more");
    declare(dir, "test.a", "1.0.0", 1, "{\"test.x\": \"^1\"}");
    declare(dir2, "test.x", "1.0.0", 10, NULL);
    rep = scan(&rt, dir, FACET_FALSE);
    assert_int_equal(state_of(rep, "test.a", "1.0.0"), FACET_SCAN_BROKEN);
    facet_scan_report_free(rep);
    assert_int_equal(facet_scan(&rep, rt, dir2), FACET_OK);
    assert_int_equal(state_of(rep, "test.x", "1.0.0"), FACET_SCAN_AVAILABLE);
    done(rt, rep, dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_manifest_versions__highest_wins),
        cmocka_unit_test(test_manifest_versions__highest_satisfying_all),
        cmocka_unit_test(test_manifest_versions__chained),
        cmocka_unit_test(test_manifest_versions__conflict_names_both),
        cmocka_unit_test(test_manifest_versions__unsatisfiable_and_missing),
        cmocka_unit_test(test_manifest_versions__second_scan_resolves),
        cmocka_unit_test(test_manifest_versions__root_cause_of_a_long_chain),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
