/*
 * tests/manifest/conflicts.c - two modules that claim one clsid or one
 * contract name: the first claim wins, in an order that does not depend on
 * how the system lists a folder (a class already registered, then plugin
 * folders in the order given, then manifest file names in byte order); the
 * other module is not registered at all and is reported, and an alias
 * resolves to what its contract name resolves to.
 */
#include <string.h>

#include "plugtest.h"

#define CLSID_TEXT(id) "{7B000000-0001-4000-8000-0000000000" id "}"

/* A manifest of module name with one class (clsid byte id, contract) or two
 * (the second, own, comes first: the conflict is then met half-way). */
static void manifest(const char *dir, const char *file, const char *name, const char *id,
                     const char *contract, const char *own, const char *library)
{
    char text[4096], first[512] = "";
    if (own != NULL)
        snprintf(first, sizeof(first),
                 "    {\"clsid\": \"" CLSID_TEXT("3F") "\", \"contract\": \"%s\"},\n", own);
    snprintf(text, sizeof(text),
             "{\n"
             "  \"name\": \"%s\",\n"
             "  \"version\": \"1.0.0\",\n"
             "  \"library\": {\"linux\": \"%s\", \"windows\": \"%s\", \"macos\": \"%s\"},\n"
             "  \"classes\": [\n%s"
             "    {\"clsid\": \"{7B000000-0001-4000-8000-0000000000%s}\", \"contract\": \"%s\",\n"
             "     \"version\": \"1.0.0\"}\n"
             "  ]\n"
             "}\n",
             name, library, library, library, first, id, contract);
    plug_write(dir, file, text);
}

static void expect_lookup(FacetRuntime *rt, const char *name, uint8_t id)
{
    FacetGuid clsid;
    FacetResult r = facet_class_lookup(&clsid, rt, name);
    if (r != FACET_OK)
        fail_msg("lookup %s: %s", name, facet_last_error());
    assert_int_equal(clsid.Data4[7], id);
}

static FacetScanModule module_named(FacetScanReport *rep, const char *name)
{
    FacetScanModule m = FACET_SCAN_MODULE_INIT;
    uint32_t i;
    for (i = 0; i < facet_scan_report_module_count(rep); i++) {
        assert_int_equal(facet_scan_report_module(&m, rep, i), FACET_OK);
        if (strcmp(m.name, name) == 0)
            return m;
    }
    fail_msg("module %s is not in the report", name);
    return m;
}

/* The one problem of rep: FACET_E_CONFLICT about file, with every text. */
static void expect_conflict(FacetScanReport *rep, const char *file, ...)
{
    FacetScanProblem pr = FACET_SCAN_PROBLEM_INIT;
    va_list ap;
    const char *text;
    assert_int_equal(facet_scan_report_problem_count(rep), 1);
    assert_int_equal(facet_scan_report_problem(&pr, rep, 0), FACET_OK);
    assert_int_equal(pr.code, FACET_E_CONFLICT);
    if (strstr(pr.path, file) == NULL)
        fail_msg("the problem is about %s, expected %s", pr.path, file);
    va_start(ap, file);
    while ((text = va_arg(ap, const char *)) != NULL)
        if (strstr(pr.message, text) == NULL)
            fail_msg("\"%s\" is not in the message: %s", text, pr.message);
    va_end(ap);
}

static void create_a(FacetRuntime *rt)
{
    ITestProbe *p = NULL;
    FacetResult r = facet_create_instance_by_name((void **)&p, rt, "test.a.thing", NULL,
                                                  &IID_ITestProbe);
    if (r != FACET_OK)
        fail_msg("create test.a.thing: %s", facet_last_error());
    ITestProbe_Release(p);
}

/* A manifest file contract_case writes beside the two, of a module that
 * claims nothing of theirs (NULL: none). */
static const char *third_file;

/* A fork beside the original, both with contract test.a.thing. The
 * manifests are written in both orders, so that the system's listing order
 * (creation order on some file systems, its reverse on others) cannot be
 * what decides. */
static void contract_case(const char *fork_file, int fork_first)
{
    char dir[4096];
    FacetRuntime *rt;
    FacetScanReport *rep;
    FacetScanModule m;
    void *obj = NULL;
    int fork_wins = strcmp(fork_file, "plug_a.facet.json") < 0;

    snprintf(dir, sizeof(dir), "%s", plug_folder());
    if (fork_first)
        manifest(dir, fork_file, "test.fork", "21", "test.a.thing", NULL, "plug_b" PLUG_SUFFIX);
    plug_install(dir, "plug_a", "test.a", 1, NULL, NULL);
    if (!fork_first)
        manifest(dir, fork_file, "test.fork", "21", "test.a.thing", NULL, "plug_b" PLUG_SUFFIX);
    if (third_file != NULL)
        manifest(dir, third_file, "test.third", "22", "test.third.thing", NULL,
                 "plug_b" PLUG_SUFFIX);
    assert_int_equal(facet_runtime_new(&rt, NULL), FACET_OK);
    assert_int_equal(facet_scan(&rep, rt, dir), FACET_FALSE);
    if (fork_wins) {
        expect_conflict(rep, "plug_a.facet.json", "test.a.thing", "contract name", fork_file,
                        "plug_a.facet.json", "test.fork", "facet.conf.json",
                        "\"disable\": [\"test.fork\"]", NULL);
        assert_int_equal(module_named(rep, "test.a").state, FACET_SCAN_BROKEN);
        assert_int_equal(module_named(rep, "test.fork").state, FACET_SCAN_AVAILABLE);
        expect_lookup(rt, "test.a.thing", 0x21);
    } else {
        expect_conflict(rep, fork_file, "test.a.thing", "contract name", fork_file,
                        "plug_a.facet.json", "test.a", "facet.conf.json",
                        "\"disable\": [\"test.a\"]", NULL);
        m = module_named(rep, "test.fork");
        assert_int_equal(m.state, FACET_SCAN_BROKEN);
        assert_int_equal(module_named(rep, "test.a").state, FACET_SCAN_AVAILABLE);
        expect_lookup(rt, "test.a.thing", 1);
        create_a(rt);
        /* The loser's clsid is not registered, and the message says why. */
        {
            FacetGuid clsid;
            assert_int_equal(facet_guid_parse(&clsid, CLSID_TEXT("21")), FACET_OK);
            expect_error(facet_create_instance(&obj, rt, &clsid, NULL, &IID_IFacetUnknown),
                         FACET_E_CLASSNOTREG, CLSID_TEXT("21"), "test.fork", fork_file,
                         "not registered", "test.a.thing");
            assert_null(obj);
        }
    }
    facet_scan_report_free(rep);
    assert_int_equal(facet_runtime_free(rt), FACET_OK);
    facet_test_remove_tree(dir);
    assert_no_leaks();
}

static void test_manifest_conflicts__contract(void **state)
{
    (void)state;
    contract_case("fork.facet.json", 0);
    contract_case("fork.facet.json", 1);
    /* A name that sorts first wins, whatever order the files were made in. */
    contract_case("0fork.facet.json", 0);
    contract_case("0fork.facet.json", 1);
    /* Byte order: upper case before lower case, whatever the locale. */
    contract_case("Zfork.facet.json", 0);
}

/* The names are sorted past what strcmp sees first: names that share a
 * long start, that differ only beyond 8 bytes of it, and bytes above 0x7F
 * (after ASCII, as unsigned bytes). */
static void test_manifest_conflicts__long_names(void **state)
{
    (void)state;
    /* All names share "plug_a.facet."; then "facet.js" against "json". */
    contract_case("plug_a.facet.facet.json", 0);
    contract_case("plug_a.facet.facet.json", 1);
    contract_case("plug_a.facet.jsom.facet.json", 0);
    /* With a third name the shared start is empty, and the two begin with
     * the same 8 bytes ("plug_a.f"). */
    third_file = "a.facet.json";
    contract_case("plug_a.facet.facet.json", 0);
    contract_case("plug_a.facet.facet.json", 1);
    contract_case("plug_a.facet.jsom.facet.json", 1);
    contract_case("plug_a.facet.json.facet.json", 0);
    third_file = "plug_a.f.facet.json";
    contract_case("plug_a.facet.facet.json", 1);
    contract_case("plug_a.facet.jsoo.facet.json", 0);
    third_file = NULL;
    /* UTF-8 sorts after ASCII. */
    contract_case("\xC3\xA9" "fork.facet.json", 0);
    contract_case("\xC3\xA9" "fork.facet.json", 1);
}

/* The same clsid under two contract names. The loser's other class, met
 * before the conflicting one, is not registered either. */
static void test_manifest_conflicts__clsid(void **state)
{
    char dir[4096];
    FacetRuntime *rt;
    FacetScanReport *rep;
    void *obj = NULL;
    (void)state;
    snprintf(dir, sizeof(dir), "%s", plug_folder());
    plug_install(dir, "plug_a", "test.a", 1, NULL, NULL);
    manifest(dir, "twin.facet.json", "test.twin", "01", "test.twin.thing", "test.twin.own",
             "plug_b" PLUG_SUFFIX);
    assert_int_equal(facet_runtime_new(&rt, NULL), FACET_OK);
    assert_int_equal(facet_scan(&rep, rt, dir), FACET_FALSE);
    expect_conflict(rep, "twin.facet.json", CLSID_TEXT("01"), "clsid", "plug_a.facet.json",
                    "test.a", "\"disable\": [\"test.a\"]", NULL);
    assert_int_equal(module_named(rep, "test.twin").state, FACET_SCAN_BROKEN);
    facet_scan_report_free(rep);
    expect_lookup(rt, "test.a.thing", 1);
    expect_error(facet_create_instance_by_name(&obj, rt, "test.twin.own", NULL,
                                               &IID_IFacetUnknown),
                 FACET_E_CLASSNOTREG, "test.twin.own", "test.twin", "not registered");
    expect_error(facet_create_instance_by_name(&obj, rt, "test.twin.thing", NULL,
                                               &IID_IFacetUnknown),
                 FACET_E_CLASSNOTREG, "test.twin.thing", "twin.facet.json");
    assert_null(obj);
    create_a(rt);
    assert_int_equal(facet_runtime_free(rt), FACET_OK);
    facet_test_remove_tree(dir);
    assert_no_leaks();
}

/* Two classes of one manifest under one contract name: the manifest's own
 * fault, with its position. */
static void test_manifest_conflicts__within_one_manifest(void **state)
{
    char dir[4096];
    FacetRuntime *rt;
    FacetScanReport *rep;
    FacetScanProblem pr = FACET_SCAN_PROBLEM_INIT;
    (void)state;
    snprintf(dir, sizeof(dir), "%s", plug_folder());
    manifest(dir, "same.facet.json", "test.same", "02", "test.same.thing", "test.same.thing",
             "plug_b" PLUG_SUFFIX);
    plug_install(dir, "plug_a", "test.a", 1, NULL, NULL);
    assert_int_equal(facet_runtime_new(&rt, NULL), FACET_OK);
    assert_int_equal(facet_scan(&rep, rt, dir), FACET_FALSE);
    assert_int_equal(facet_scan_report_problem_count(rep), 1);
    assert_int_equal(facet_scan_report_problem(&pr, rep, 0), FACET_OK);
    assert_int_equal(pr.code, FACET_E_BADMANIFEST);
    assert_non_null(strstr(pr.message, "same.facet.json:7:"));
    assert_non_null(strstr(pr.message, "$.classes[1].contract"));
    assert_non_null(strstr(pr.message, "classes[0]"));
    assert_int_equal(module_named(rep, "test.same").state, FACET_SCAN_BROKEN);
    facet_scan_report_free(rep);
    create_a(rt);
    assert_int_equal(facet_runtime_free(rt), FACET_OK);
    facet_test_remove_tree(dir);
    assert_no_leaks();
}

static FacetRuntime *configured(const char *dir, const char *config, FacetScanReport **rep)
{
    FacetRuntime *rt;
    char path[4200];
    snprintf(path, sizeof(path), "%s/facet.conf.json", dir);
    plug_write(dir, "facet.conf.json", config);
    assert_int_equal(facet_runtime_new(&rt, NULL), FACET_OK);
    assert_int_equal(facet_runtime_load_config(rep, rt, path), FACET_FALSE);
    return rt;
}

/* Plugin folders claim in the configuration's order, not the names'. */
static void test_manifest_conflicts__folder_order(void **state)
{
    char dir[4096], first[4200], second[4200];
    FacetRuntime *rt;
    FacetScanReport *rep;
    (void)state;
    snprintf(dir, sizeof(dir), "%s", plug_folder());
    plug_subfolder(first, sizeof(first), dir, "zz-original");
    plug_subfolder(second, sizeof(second), dir, "aa-fork");
    plug_install(first, "plug_a", "test.a", 1, NULL, NULL);
    manifest(second, "a.facet.json", "test.fork", "21", "test.a.thing", NULL, "plug_b" PLUG_SUFFIX);
    rt = configured(dir, "{\"plugin_folders\": [\"zz-original\", \"aa-fork\"]}", &rep);
    expect_conflict(rep, "aa-fork", "test.a.thing", "zz-original", NULL);
    facet_scan_report_free(rep);
    expect_lookup(rt, "test.a.thing", 1);
    assert_int_equal(facet_runtime_free(rt), FACET_OK);

    /* The other way round. */
    rt = configured(dir, "{\"plugin_folders\": [\"aa-fork\", \"zz-original\"]}", &rep);
    expect_conflict(rep, "zz-original", "test.a.thing", "aa-fork", NULL);
    facet_scan_report_free(rep);
    expect_lookup(rt, "test.a.thing", 0x21);
    assert_int_equal(facet_runtime_free(rt), FACET_OK);
    facet_test_remove_tree(dir);
    assert_no_leaks();
}

/* An alias resolves to whatever its contract name resolves to; one that
 * names a clsid of the losing module fails and says why. */
static void test_manifest_conflicts__aliases(void **state)
{
    char dir[4096], plugins[4200];
    FacetRuntime *rt;
    FacetScanReport *rep;
    FacetGuid clsid;
    void *obj = NULL;
    (void)state;
    snprintf(dir, sizeof(dir), "%s", plug_folder());
    plug_subfolder(plugins, sizeof(plugins), dir, "plugins");
    plug_install(plugins, "plug_a", "test.a", 1, NULL, NULL);
    manifest(plugins, "zfork.facet.json", "test.fork", "21", "test.a.thing", "test.fork.own",
             "plug_b" PLUG_SUFFIX);
    rt = configured(dir,
                    "{\"plugin_folders\": [\"plugins\"],\n"
                    " \"aliases\": {\"greeter\": \"test.a.thing\",\n"
                    "               \"forked\": \"" CLSID_TEXT("21") "\",\n"
                    "               \"own\": \"test.fork.own\"}}",
                    &rep);
    expect_conflict(rep, "zfork.facet.json", "test.a.thing", NULL);
    facet_scan_report_free(rep);
    expect_lookup(rt, "greeter", 1);
    expect_error(facet_create_instance_by_name(&obj, rt, "forked", NULL, &IID_IFacetUnknown),
                 FACET_E_CLASSNOTREG, "\"forked\"", CLSID_TEXT("21"), "test.fork",
                 "zfork.facet.json", "not registered", "test.a.thing");
    expect_error(facet_class_lookup(&clsid, rt, "own"), FACET_E_CLASSNOTREG, "\"own\"",
                 "test.fork", "not registered");
    /* Positive control: an alias of a class nobody declares says only that. */
    expect_error(facet_create_instance_by_name(&obj, rt, "nobody.declares.this", NULL,
                                               &IID_IFacetUnknown),
                 FACET_E_CLASSNOTREG, "nobody.declares.this", "no loaded module offers");
    assert_null(strstr(facet_last_error(), "not registered"));
    assert_int_equal(facet_runtime_free(rt), FACET_OK);
    facet_test_remove_tree(dir);
    assert_no_leaks();
}

/* A class already registered keeps its claim: one loaded by path, and one
 * scanned earlier. When the winner goes, the loser does not take over until
 * a scan decides again. */
static void test_manifest_conflicts__registered_first(void **state)
{
    char dir[4096], loaded[4200], plugins[4200], more[4200], lib[4300];
    FacetRuntime *rt;
    FacetScanReport *rep;
    FacetModule *m;
    void *obj = NULL;
    (void)state;
    snprintf(dir, sizeof(dir), "%s", plug_folder());
    plug_subfolder(loaded, sizeof(loaded), dir, "loaded");
    plug_subfolder(plugins, sizeof(plugins), dir, "plugins");
    plug_subfolder(more, sizeof(more), dir, "more");
    plug_copy(loaded, "plug_a", "plug_a" PLUG_SUFFIX);
    snprintf(lib, sizeof(lib), "%s/plug_a" PLUG_SUFFIX, loaded);
    plug_install(plugins, "plug_a", "test.a", 1, NULL, NULL);
    assert_int_equal(facet_runtime_new(&rt, NULL), FACET_OK);
    assert_int_equal(facet_module_load(&m, rt, lib), FACET_OK);
    assert_int_equal(facet_scan(&rep, rt, plugins), FACET_FALSE);
    expect_conflict(rep, "plug_a.facet.json", CLSID_TEXT("01"), "loaded", "plug_a" PLUG_SUFFIX,
                    NULL);
    assert_int_equal(module_named(rep, "test.a").state, FACET_SCAN_BROKEN);
    facet_scan_report_free(rep);
    create_a(rt);

    /* The winner goes: nothing takes its place by itself. */
    assert_int_equal(facet_module_unload(m), FACET_OK);
    expect_error(facet_create_instance_by_name(&obj, rt, "test.a.thing", NULL, &IID_IFacetUnknown),
                 FACET_E_CLASSNOTREG, "test.a.thing", "plug_a.facet.json", "not registered");
    /* A scan decides again. */
    assert_int_equal(facet_scan(&rep, rt, plugins), FACET_OK);
    assert_int_equal(module_named(rep, "test.a").state, FACET_SCAN_AVAILABLE);
    facet_scan_report_free(rep);
    create_a(rt);

    /* Scanned earlier: a fork in a folder scanned later loses. */
    manifest(more, "fork.facet.json", "test.fork", "21", "test.a.thing", NULL, "plug_b" PLUG_SUFFIX);
    assert_int_equal(facet_scan(&rep, rt, more), FACET_FALSE);
    expect_conflict(rep, "fork.facet.json", "test.a.thing", "plug_a.facet.json", NULL);
    facet_scan_report_free(rep);
    expect_lookup(rt, "test.a.thing", 1);
    assert_int_equal(facet_runtime_free(rt), FACET_OK);
    facet_test_remove_tree(dir);
    assert_no_leaks();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_manifest_conflicts__contract),
        cmocka_unit_test(test_manifest_conflicts__long_names),
        cmocka_unit_test(test_manifest_conflicts__clsid),
        cmocka_unit_test(test_manifest_conflicts__within_one_manifest),
        cmocka_unit_test(test_manifest_conflicts__folder_order),
        cmocka_unit_test(test_manifest_conflicts__aliases),
        cmocka_unit_test(test_manifest_conflicts__registered_first),
    };
    return cmocka_run_group_tests_name("manifest/conflicts", tests, NULL, NULL);
}
