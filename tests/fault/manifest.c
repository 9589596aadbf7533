/*
 * tests/fault/manifest.c - the failure loops over manifests, folder scans
 * and the host configuration: every allocation, and every file call, of
 * parsing a manifest, scanning a plugin folder and creating from it (which
 * loads the code on first use), and loading a facet.conf.json with aliases.
 * Each run succeeds or fails with an allowed code and a message, leaks
 * nothing, and the same work succeeds afterwards. Built once the manifest
 * code is in the tree (tests/fault/CMakeLists.txt).
 */
#include <string.h>

#include "fault.h"
#include "plugtest.h"

static char folder[4096];
static char config_path[4200];

static const char manifest_text[] =
    "{\n"
    "  \"name\": \"test.m\", \"version\": \"1.2.3-beta.1+build\", \"api_level\": 1,\n"
    "  \"library\": {\"linux\": \"m.so\", \"windows\": \"m.dll\", \"macos\": \"m.dylib\"},\n"
    "  \"classes\": [\n"
    "    {\"clsid\": \"{7B000000-0001-4000-8000-0000000000F1}\", \"contract\": \"test.m.one\",\n"
    "     \"version\": \"1.0.0\", \"threading\": \"any\",\n"
    "     \"interfaces\": [\"{7A000001-5D3E-4A5B-9C01-112233445501}\"]},\n"
    "    {\"clsid\": \"{7B000000-0001-4000-8000-0000000000F2}\", \"contract\": \"test.m.two\",\n"
    "     \"version\": \"1.0.0\", \"threading\": \"single\", \"interfaces\": []}\n"
    "  ],\n"
    "  \"requires\": {\"test.a\": \"^1.0\", \"test.b\": \">=1.0.0 <2.0.0\"},\n"
    "  \"permissions\": [\"net\", \"files\"]\n"
    "}\n";

static FacetResult parse_manifest(void *state)
{
    FacetManifest *m = NULL;
    FacetManifestInfo info = FACET_MANIFEST_INFO_INIT;
    FacetClassInfo ci = FACET_CLASS_INFO_INIT;
    const char *name = NULL, *range = NULL;
    FacetResult r;
    (void)state;
    TRY(facet_manifest_parse(&m, "m.facet.json", manifest_text, sizeof(manifest_text) - 1));
    r = facet_manifest_info(&info, m);
    if (FACET_SUCCEEDED(r))
        r = facet_manifest_class(&ci, m, 1);
    if (FACET_SUCCEEDED(r))
        r = facet_manifest_require(&name, &range, m, 1);
    if (FACET_SUCCEEDED(r) && (info.class_count != 2 || info.require_count != 2 ||
                               strcmp(facet_manifest_permission(m, 1), "files") != 0))
        fail_msg("the manifest parsed to something else");
    facet_manifest_free(m);
    return r;
}

/* A folder of two plugins, one requiring the other, a stray file, and a
 * host config naming the folder: made once for all the tests. */
static void make_folder(void)
{
    snprintf(folder, sizeof(folder), "%s", plug_folder());
    plug_install(folder, "plug_a", "test.a", 1, NULL, NULL);
    plug_install(folder, "plug_b", "test.b", 2, "{\"test.a\": \"^1.0\"}", NULL);
    plug_write(folder, "readme.txt", "not a manifest");
    snprintf(config_path, sizeof(config_path), "%s/facet.conf.json", folder);
    plug_write(folder, "facet.conf.json",
               "{\"plugin_folders\": [\".\"], \"aliases\": {\"greeter\": \"test.b.thing\"}}\n");
}

static int group_setup(void **state)
{
    (void)state;
    make_folder();
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    facet_test_remove_tree(folder);
    return 0;
}

/* What a scan that reported problems amounts to. A manifest that cannot be
 * read is listed as a problem, with its own code (an I/O error, say), and
 * the scan goes on: that code is the result. Running out of memory is not
 * a problem of one manifest, so it must never be listed as one: any
 * problem of a scan that ran short of memory is a failure of the test. */
static FacetResult scan_result(FacetResult r, FacetScanReport *rep)
{
    FacetScanProblem pr = FACET_SCAN_PROBLEM_INIT;
    if (r != FACET_FALSE || rep == NULL || facet_scan_report_problem_count(rep) == 0)
        return r;
    if (facet_testing_calls(FACET_FAULT_ALLOC) > 0 && facet_testing_failures(FACET_FAULT_ALLOC) > 0)
        return FACET_E_FAIL;
    assert_int_equal(facet_scan_report_problem(&pr, rep, 0), FACET_OK);
    assert_non_null(pr.message);
    return pr.code;
}

/* The runtime is made and freed inside: a scan fills a runtime once. */
static FacetResult scan_and_create(void *state)
{
    FacetRuntime *rt = NULL;
    FacetScanReport *rep = NULL;
    ITestProbe *p = NULL;
    FacetResult r;
    (void)state;
    TRY(facet_runtime_new(&rt, NULL));
    r = scan_result(facet_scan(&rep, rt, folder), rep);
    /* The report itself is best effort when memory is short (an entry may
     * be missing from it, never from the runtime). */
    if (r == FACET_OK && facet_scan_report_module_count(rep) != 2 &&
        facet_testing_failures(FACET_FAULT_ALLOC) == 0)
        r = FACET_E_FAIL;
    facet_scan_report_free(rep);
    if (FACET_SUCCEEDED(r))
        r = facet_create_instance_by_name((void **)&p, rt, "test.b.thing", NULL, &IID_ITestProbe);
    if (FACET_SUCCEEDED(r))
        ITestProbe_Release(p);
    facet_runtime_free(rt);
    return r;
}

static FacetResult config_and_create(void *state)
{
    FacetRuntime *rt = NULL;
    FacetScanReport *rep = NULL;
    ITestProbe *p = NULL;
    FacetResult r;
    (void)state;
    TRY(facet_runtime_new(&rt, NULL));
    r = facet_runtime_load_config(&rep, rt, config_path);
    r = scan_result(r, rep);
    facet_scan_report_free(rep);
    if (FACET_SUCCEEDED(r))
        r = facet_create_instance_by_name((void **)&p, rt, "greeter", NULL, &IID_ITestProbe);
    if (FACET_SUCCEEDED(r))
        ITestProbe_Release(p);
    facet_runtime_free(rt);
    return r;
}

/* The classes of an interface, listed from a scan: both plugins declare
 * it. A list is whole or not there. */
static FacetResult scan_and_list(void *state)
{
    FacetRuntime *rt = NULL;
    FacetClassList *list = NULL;
    FacetGuid iid;
    FacetResult r;
    (void)state;
    TRY(facet_guid_parse(&iid, "{7A000001-5D3E-4A5B-9C01-112233445501}"));
    TRY(facet_runtime_new(&rt, NULL));
    r = scan_result(facet_scan(NULL, rt, folder), NULL);
    if (FACET_SUCCEEDED(r))
        r = facet_classes_implementing(&list, rt, &iid);
    if (FACET_SUCCEEDED(r) && facet_class_list_count(list) != 2)
        fail_msg("%u classes, expected 2", (unsigned)facet_class_list_count(list));
    if (FACET_FAILED(r) && list != NULL)
        fail_msg("a list despite %s", facet_result_name(r));
    facet_class_list_free(list);
    facet_runtime_free(rt);
    return r;
}

static void test_fault_manifest__parse_alloc(void **state)
{
    static const FaultScenario s = {"parse a manifest", NULL, parse_manifest, NULL,
                                    {FACET_E_OUTOFMEMORY, FACET_OK}, NULL};
    (void)state;
    assert_true(fault_loop(FACET_FAULT_ALLOC, &s) >= 1);
}

static void test_fault_manifest__scan_alloc(void **state)
{
    static const FaultScenario s = {"scan a folder and create from it", NULL, scan_and_create,
                                    NULL, {FACET_E_OUTOFMEMORY, FACET_OK}, NULL};
    (void)state;
    assert_true(fault_loop(FACET_FAULT_ALLOC, &s) > 10);
}

static void test_fault_manifest__list_alloc(void **state)
{
    static const FaultScenario s = {"scan a folder and list the classes of an interface", NULL,
                                    scan_and_list, NULL, {FACET_E_OUTOFMEMORY, FACET_OK}, NULL};
    (void)state;
    assert_true(fault_loop(FACET_FAULT_ALLOC, &s) > 10);
}

static void test_fault_manifest__config_alloc(void **state)
{
    static const FaultScenario s = {"load a host config and create by alias", NULL,
                                    config_and_create, NULL, {FACET_E_OUTOFMEMORY, FACET_OK},
                                    NULL};
    (void)state;
    assert_true(fault_loop(FACET_FAULT_ALLOC, &s) > 10);
}

static void test_fault_manifest__scan_files(void **state)
{
    /* As below: a module whose requirement's manifest cannot be read
     * cannot be resolved, and the classes of a manifest that cannot be
     * read are not registered (FACET_E_CLASSNOTREG when created). */
    static const FaultScenario s = {"scan a folder and create from it, file calls failing", NULL,
                                    scan_and_create, NULL,
                                    {FACET_E_FAIL, FACET_E_NOTFOUND, FACET_E_CLASSNOTREG,
                                     FACET_OK},
                                    NULL};
    (void)state;
    assert_true(fault_loop(FACET_FAULT_FILE, &s) > 2);
}

static void test_fault_manifest__config_files(void **state)
{
    /* An unreadable manifest is listed in the scan report with its I/O
     * error, and a module that requires it then cannot be resolved. */
    static const FaultScenario s = {"load a host config, file calls failing", NULL,
                                    config_and_create, NULL,
                                    {FACET_E_FAIL, FACET_E_NOTFOUND, FACET_OK}, NULL};
    (void)state;
    assert_true(fault_loop(FACET_FAULT_FILE, &s) > 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fault_manifest__parse_alloc),
        cmocka_unit_test(test_fault_manifest__scan_alloc),
        cmocka_unit_test(test_fault_manifest__list_alloc),
        cmocka_unit_test(test_fault_manifest__config_alloc),
        cmocka_unit_test(test_fault_manifest__scan_files),
        cmocka_unit_test(test_fault_manifest__config_files),
    };
    int failed = cmocka_run_group_tests(tests, group_setup, group_teardown);
    fault_print_totals("test_fault_manifest");
    return failed;
}
