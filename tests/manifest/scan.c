/*
 * tests/manifest/scan.c - scanning a plugin folder: manifests only, code on
 * first use, the check against the manifest at load, bad manifests listed
 * without stopping the scan, library paths kept inside the folder, and
 * concurrent first use.
 */
#define _DEFAULT_SOURCE 1
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <string.h>
#ifndef _WIN32
#include <unistd.h>
#endif

#include "plugtest.h"

static uint32_t loaded(FacetRuntime *rt)
{
    FacetRuntimeStats st = FACET_RUNTIME_STATS_INIT;
    assert_int_equal(facet_runtime_stats(&st, rt), FACET_OK);
    return st.modules_loaded;
}

static void create_thing(FacetRuntime *rt, const char *name)
{
    ITestProbe *p = NULL;
    FacetResult r = facet_create_instance_by_name((void **)&p, rt, name, NULL, &IID_ITestProbe);
    if (r != FACET_OK)
        fail_msg("create %s: %s", name, facet_last_error());
    ITestProbe_Release(p);
}

static void test_manifest_scan__lazy(void **state)
{
    char dir[4096];
    FacetRuntime *rt;
    FacetScanReport *rep;
    FacetScanModule sm = FACET_SCAN_MODULE_INIT;
    FacetGuid clsid;
    IFacetUnknown *obj = NULL;
    (void)state;
    snprintf(dir, sizeof(dir), "%s", plug_folder());
    plug_install(dir, "plug_a", "test.a", 1, NULL, NULL);
    plug_install(dir, "plug_b", "test.b", 2, "{\"test.a\": \"^1.0\"}", NULL);
    plug_write(dir, "readme.txt", "not a manifest");
    assert_int_equal(facet_runtime_new(&rt, NULL), FACET_OK);
    assert_int_equal(facet_scan(&rep, rt, dir), FACET_OK);
    assert_int_equal(facet_scan_report_problem_count(rep), 0);
    assert_int_equal(facet_scan_report_module_count(rep), 2);
    assert_int_equal(facet_scan_report_module(&sm, rep, 0), FACET_OK);
    assert_int_equal(sm.state, FACET_SCAN_AVAILABLE);
    assert_string_equal(sm.version, "1.0.0");
    facet_scan_report_free(rep);
    /* listed, creatable, not loaded */
    assert_int_equal(loaded(rt), 0);
    assert_int_equal(facet_class_lookup(&clsid, rt, "test.b.thing"), FACET_OK);
    assert_int_equal(clsid.Data4[7], 2);
    assert_int_equal(loaded(rt), 0);
    /* first use loads exactly that module */
    create_thing(rt, "test.b.thing");
    assert_int_equal(loaded(rt), 1);
    create_thing(rt, "test.b.thing");
    assert_int_equal(loaded(rt), 1);
    clsid.Data4[7] = 1;
    assert_int_equal(facet_create_instance((void **)&obj, rt, &clsid, NULL, &IID_IFacetUnknown),
                     FACET_OK);
    IFacetUnknown_Release(obj);
    assert_int_equal(loaded(rt), 2);
    assert_int_equal(facet_runtime_free(rt), FACET_OK);
    facet_test_remove_tree(dir);
    assert_no_leaks();
}

static void test_manifest_scan__bad_ones_listed(void **state)
{
    char dir[4096];
    FacetRuntime *rt;
    FacetScanReport *rep;
    FacetScanProblem pr = FACET_SCAN_PROBLEM_INIT;
    uint32_t i, found = 0;
    (void)state;
    snprintf(dir, sizeof(dir), "%s", plug_folder());
    plug_install(dir, "plug_a", "test.a", 1, NULL, NULL);
    plug_write(dir, "broken.facet.json", "{\"name\": \"x\",\n \"version\": 1.0}");
    plug_write(dir, "syntax.facet.json", "{\"name\": ");
    plug_install(dir, "plug_c", "test.c", 3, NULL, NULL);
    plug_write(dir, "future.facet.json",
               "{\"name\": \"test.future\", \"version\": \"1.0.0\", \"api_level\": 99, "
               "\"library\": \"f.so\", \"classes\": []}");
    assert_int_equal(facet_runtime_new(&rt, NULL), FACET_OK);
    assert_int_equal(facet_scan(&rep, rt, dir), FACET_FALSE);
    assert_int_equal(facet_scan_report_module_count(rep), 2);
    assert_int_equal(facet_scan_report_problem_count(rep), 3);
    for (i = 0; i < 3; i++) {
        assert_int_equal(facet_scan_report_problem(&pr, rep, i), FACET_OK);
        if (strstr(pr.path, "broken.facet.json")) {
            assert_int_equal(pr.code, FACET_E_BADMANIFEST);
            assert_non_null(strstr(pr.message, "broken.facet.json:2:13: $.version: expected a string"));
            found |= 1;
        } else if (strstr(pr.path, "syntax.facet.json")) {
            assert_int_equal(pr.code, FACET_E_BADMANIFEST);
            assert_non_null(strstr(pr.message, "syntax.facet.json:1:"));
            found |= 2;
        } else {
            assert_int_equal(pr.code, FACET_E_APILEVEL);
            assert_non_null(strstr(pr.message, "needs host API level 99; this host offers 1"));
            found |= 4;
        }
    }
    assert_int_equal(found, 7);
    expect_error(facet_scan_report_problem(&pr, rep, 3), FACET_E_INVALIDARG, "index 3");
    facet_scan_report_free(rep);
    create_thing(rt, "test.a.thing");
    create_thing(rt, "test.c.thing");
    /* the same module and version again, from another folder */
    {
        char dir2[4200];
        plug_subfolder(dir2, sizeof(dir2), dir, "more");
        plug_install(dir2, "plug_a", "test.a", 1, NULL, NULL);
        assert_int_equal(facet_scan(&rep, rt, dir2), FACET_FALSE);
        assert_int_equal(facet_scan_report_problem(&pr, rep, 0), FACET_OK);
        assert_int_equal(pr.code, FACET_E_CONFLICT);
        assert_non_null(strstr(pr.message, "test.a 1.0.0 is already declared by"));
        facet_scan_report_free(rep);
    }
    expect_error(facet_scan(NULL, rt, "/no/such/folder"), FACET_E_FILENOTFOUND, "/no/such/folder");
    assert_int_equal(facet_runtime_free(rt), FACET_OK);
    facet_test_remove_tree(dir);
    assert_no_leaks();
}

static void test_manifest_scan__mismatch(void **state)
{
    char dir[4096];
    FacetRuntime *rt;
    void *obj = NULL;
    (void)state;
    snprintf(dir, sizeof(dir), "%s", plug_folder());
    plug_copy(dir, "plug_a", "a" PLUG_SUFFIX);
    /* test.a 1.0.0 in fact; the manifest says otherwise in three fields */
    plug_write(dir, "a.facet.json",
               "{\"name\": \"test.a\", \"version\": \"2.0.0\", \"library\": \"a" PLUG_SUFFIX "\",\n"
               " \"classes\": [{\"clsid\": \"{7B000000-0001-4000-8000-000000000001}\",\n"
               "   \"contract\": \"test.a.other\", \"threading\": \"main\"}]}");
    assert_int_equal(facet_runtime_new(&rt, NULL), FACET_OK);
    assert_int_equal(facet_scan(NULL, rt, dir), FACET_OK);
    expect_error(facet_create_instance_by_name(&obj, rt, "test.a.other", NULL, &IID_IFacetUnknown),
                 FACET_E_MISMATCH, "a.facet.json", "3 field(s)",
                 "version: manifest \"2.0.0\", module \"1.0.0\"",
                 "classes[0].contract: manifest \"test.a.other\", module \"test.a.thing\"",
                 "classes[0].threading: manifest \"main\", module any");
    assert_null(obj);
    assert_int_equal(loaded(rt), 0);
    assert_int_equal(facet_runtime_free(rt), FACET_OK);
    facet_test_remove_tree(dir);
    assert_no_leaks();
}

static void test_manifest_scan__library_paths(void **state)
{
    char dir[4096], outside[4200], plugins[4200], target[4300], link_path[4300];
    FacetRuntime *rt;
    void *obj = NULL;
    (void)state;
    snprintf(dir, sizeof(dir), "%s", plug_folder());
    plug_subfolder(outside, sizeof(outside), dir, "outside");
    plug_subfolder(plugins, sizeof(plugins), dir, "plugins");
    plug_copy(outside, "plug_a", "a" PLUG_SUFFIX);
    /* a symbolic link that points out of the plugin folder */
    snprintf(target, sizeof(target), "%s/a" PLUG_SUFFIX, outside);
    snprintf(link_path, sizeof(link_path), "%s/a" PLUG_SUFFIX, plugins);
#ifndef _WIN32
    assert_int_equal(symlink(target, link_path), 0);
#endif
    plug_manifest(plugins, "a.facet.json", "test.a", "1.0.0", 1, "a" PLUG_SUFFIX, NULL, NULL);
    /* a library that is not there */
    plug_manifest(plugins, "c.facet.json", "test.c", "1.0.0", 3, "c" PLUG_SUFFIX, NULL, NULL);
    assert_int_equal(facet_runtime_new(&rt, NULL), FACET_OK);
    assert_int_equal(facet_scan(NULL, rt, plugins), FACET_OK);
#ifndef _WIN32
    expect_error(facet_create_instance_by_name(&obj, rt, "test.a.thing", NULL, &IID_IFacetUnknown),
                 FACET_E_BADMANIFEST, "a.facet.json:5:", "$.library", "outside the plugin folder");
#endif
    expect_error(facet_create_instance_by_name(&obj, rt, "test.c.thing", NULL, &IID_IFacetUnknown),
                 FACET_E_FILENOTFOUND, "c.facet.json:5:", "$.library", "not found");
    assert_int_equal(loaded(rt), 0);
    assert_int_equal(facet_runtime_free(rt), FACET_OK);
    facet_test_remove_tree(dir);
    assert_no_leaks();
}

static void test_manifest_scan__process_isolation(void **state)
{
    char dir[4096];
    FacetRuntime *rt;
    void *obj = NULL;
    (void)state;
    snprintf(dir, sizeof(dir), "%s", plug_folder());
    plug_copy(dir, "plug_a", "a" PLUG_SUFFIX);
    plug_manifest(dir, "a.facet.json", "test.a", "1.0.0", 1, "a" PLUG_SUFFIX, NULL,
                  "\"isolation\": \"process\"");
    assert_int_equal(facet_runtime_new(&rt, NULL), FACET_OK);
    assert_int_equal(facet_scan(NULL, rt, dir), FACET_OK);
#if defined(__linux__) || defined(_WIN32)
    /* It runs in facet-host (tests/isolation goes further): the create
     * returns a proxy of the object there. */
    assert_int_equal(facet_create_instance_by_name(&obj, rt, "test.a.thing", NULL,
                                                   &IID_IFacetUnknown),
                     FACET_OK);
    assert_non_null(obj);
    IFacetUnknown_Release((IFacetUnknown *)obj);
#else
    /* Where this build has no process host, the create says so and what
     * to do, and never loads the module in this process instead. */
    expect_error(facet_create_instance_by_name(&obj, rt, "test.a.thing", NULL,
                                               &IID_IFacetUnknown),
                 FACET_E_NOTIMPL, "a" PLUG_SUFFIX, "process isolation is not available",
                 "\"isolation\": \"in-process\"");
    assert_null(obj);
#endif
    assert_int_equal(facet_runtime_free(rt), FACET_OK);
    facet_test_remove_tree(dir);
    assert_no_leaks();
}

typedef struct Racer {
    FacetRuntime *rt;
    FacetResult r;
} Racer;

static void *race(void *arg)
{
    Racer *x = arg;
    int i;
    for (i = 0; i < 50; i++) {
        IFacetUnknown *obj = NULL;
        x->r = facet_create_instance_by_name((void **)&obj, x->rt, i % 2 ? "test.a.thing" : "test.b.thing",
                                             NULL, &IID_IFacetUnknown);
        if (x->r != FACET_OK)
            return NULL;
        IFacetUnknown_Release(obj);
    }
    return NULL;
}

static void test_manifest_scan__concurrent_first_use(void **state)
{
    char dir[4096];
    FacetRuntime *rt;
    pthread_t threads[8];
    Racer racers[8];
    int i;
    (void)state;
    snprintf(dir, sizeof(dir), "%s", plug_folder());
    plug_install(dir, "plug_a", "test.a", 1, NULL, NULL);
    plug_install(dir, "plug_b", "test.b", 2, NULL, NULL);
    assert_int_equal(facet_runtime_new(&rt, NULL), FACET_OK);
    assert_int_equal(facet_scan(NULL, rt, dir), FACET_OK);
    for (i = 0; i < 8; i++) {
        racers[i].rt = rt;
        racers[i].r = FACET_E_FAIL;
        assert_int_equal(pthread_create(&threads[i], NULL, race, &racers[i]), 0);
    }
    for (i = 0; i < 8; i++) {
        pthread_join(threads[i], NULL);
        assert_int_equal(racers[i].r, FACET_OK);
    }
    assert_int_equal(loaded(rt), 2);
    assert_int_equal(facet_runtime_free(rt), FACET_OK);
    facet_test_remove_tree(dir);
    assert_no_leaks();
}

static void test_manifest_scan__out_of_memory(void **state)
{
    char dir[4096];
    uint64_t n;
    (void)state;
    snprintf(dir, sizeof(dir), "%s", plug_folder());
    plug_install(dir, "plug_a", "test.a", 1, NULL, NULL);
    plug_install(dir, "plug_b", "test.b", 2, "{\"test.a\": \"1.x\"}", NULL);
    plug_write(dir, "bad.facet.json", "{");
    for (n = 1;; n++) {
        FacetRuntime *rt = NULL;
        FacetScanReport *rep = NULL;
        FacetResult r;
        uint64_t failures;
        facet_testing_fail(FACET_FAULT_ALLOC, n, 0);
        r = facet_runtime_new(&rt, NULL);
        if (r == FACET_OK)
            r = facet_scan(&rep, rt, dir);
        failures = facet_testing_failures(FACET_FAULT_ALLOC);
        facet_testing_fail(FACET_FAULT_ALLOC, 0, 0);
        facet_scan_report_free(rep);
        facet_runtime_free(rt);
        assert_no_leaks();
        if (failures == 0) {
            assert_int_equal(r, FACET_FALSE);
            break;
        }
        assert_true(r == FACET_E_OUTOFMEMORY || r == FACET_FALSE);
    }
    facet_test_remove_tree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_manifest_scan__lazy),
        cmocka_unit_test(test_manifest_scan__bad_ones_listed),
        cmocka_unit_test(test_manifest_scan__mismatch),
        cmocka_unit_test(test_manifest_scan__library_paths),
        cmocka_unit_test(test_manifest_scan__process_isolation),
        cmocka_unit_test(test_manifest_scan__concurrent_first_use),
        cmocka_unit_test(test_manifest_scan__out_of_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
