/*
 * tests/config/host.c - facet.conf.json: plugin folders, enable and disable
 * lists, aliases (with chains and cycles), per-module settings read through
 * IFacetConfig, and each kind of bad input.
 */
#include <stdlib.h>
#include <string.h>

#include "plugtest.h"

static FacetRuntime *load(const char *dir, const char *config, FacetResult expected)
{
    FacetRuntime *rt;
    char path[4200];
    snprintf(path, sizeof(path), "%s/facet.conf.json", dir);
    plug_write(dir, "facet.conf.json", config);
    assert_int_equal(facet_runtime_new(&rt, NULL), FACET_OK);
    assert_int_equal(facet_runtime_load_config(NULL, rt, path), expected);
    return rt;
}

static ITestProbe *probe(FacetRuntime *rt, const char *name)
{
    ITestProbe *p = NULL;
    FacetResult r = facet_create_instance_by_name((void **)&p, rt, name, NULL, &IID_ITestProbe);
    if (r != FACET_OK)
        fail_msg("create %s: %s", name, facet_last_error());
    return p;
}

static const char good[] =
    "{\n"
    "  \"plugin_folders\": [\"plugins\", \"more\"],\n"
    "  \"disable\": [\"test.c\"],\n"
    "  \"aliases\": {\n"
    "    \"greeter\": \"test.a.thing\",\n"
    "    \"hello\": \"greeter\",\n"
    "    \"test.a.thing\": \"test.b.thing\",\n"
    "    \"by-id\": \"{7B000000-0001-4000-8000-000000000002}\"\n"
    "  },\n"
    "  \"modules\": {\n"
    "    \"test.a\": {\n"
    "      \"settings\": {\"greeting\": \"hi\", \"cache\": {\"size\": 64, \"ratio\": 0.5,\n"
    "                     \"on\": true}, \"servers\": [\"x\", \"y\"], \"none\": null}\n"
    "    }\n"
    "  }\n"
    "}\n";

static void test_config_host__good(void **state)
{
    char dir[4096], sub[4200];
    FacetRuntime *rt;
    FacetGuid clsid;
    ITestProbe *p;
    IFacetConfig *cfg;
    const char *s;
    int64_t i;
    double d;
    uint32_t b;
    void *obj = NULL;
    (void)state;
    snprintf(dir, sizeof(dir), "%s", plug_folder());
    plug_subfolder(sub, sizeof(sub), dir, "plugins");
    plug_install(sub, "plug_a", "test.a", 1, NULL, NULL);
    plug_install(sub, "plug_c", "test.c", 3, NULL, NULL);
    plug_subfolder(sub, sizeof(sub), dir, "more");
    plug_install(sub, "plug_b", "test.b", 2, NULL, NULL);
    rt = load(dir, good, FACET_OK);

    /* aliases: a chain, a clsid, and one that shadows a contract name */
    assert_int_equal(facet_class_lookup(&clsid, rt, "hello"), FACET_OK);
    assert_int_equal(clsid.Data4[7], 2);
    assert_int_equal(facet_class_lookup(&clsid, rt, "greeter"), FACET_OK);
    assert_int_equal(clsid.Data4[7], 2);
    assert_int_equal(facet_class_lookup(&clsid, rt, "by-id"), FACET_OK);
    assert_int_equal(clsid.Data4[7], 2);
    assert_int_equal(facet_class_lookup(&clsid, rt, "test.b.thing"), FACET_OK);
    assert_int_equal(clsid.Data4[7], 2);
    /* disabled */
    expect_error(facet_create_instance_by_name(&obj, rt, "test.c.thing", NULL, &IID_IFacetUnknown),
                 FACET_E_CLASSNOTREG, "test.c.thing");
    /* settings of test.a */
    assert_int_equal(facet_class_lookup(&clsid, rt, "{7B000000-0001-4000-8000-000000000001}"),
                     FACET_OK);
    assert_int_equal(facet_create_instance((void **)&p, rt, &clsid, NULL, &IID_ITestProbe), FACET_OK);
    assert_int_equal(ITestProbe_Config(p, &cfg), FACET_OK);
    assert_int_equal(IFacetConfig_GetString(cfg, "greeting", &s), FACET_OK);
    assert_string_equal(s, "hi");
    assert_int_equal(IFacetConfig_GetInt(cfg, "cache.size", &i), FACET_OK);
    assert_int_equal(i, 64);
    assert_int_equal(IFacetConfig_GetDouble(cfg, "cache.size", &d), FACET_OK);
    assert_true(d == 64.0);
    assert_int_equal(IFacetConfig_GetDouble(cfg, "cache.ratio", &d), FACET_OK);
    assert_true(d == 0.5);
    assert_int_equal(IFacetConfig_GetBool(cfg, "cache.on", &b), FACET_OK);
    assert_int_equal(b, 1);
    assert_int_equal(IFacetConfig_GetString(cfg, "servers.1", &s), FACET_OK);
    assert_string_equal(s, "y");
    assert_int_equal(IFacetConfig_GetString(cfg, "missing", &s), FACET_E_NOTFOUND);
    assert_null(s);
    assert_int_equal(IFacetConfig_GetInt(cfg, "greeting", &i), FACET_E_INVALIDARG);
    assert_int_equal(IFacetConfig_GetInt(cfg, "cache.ratio", &i), FACET_E_INVALIDARG);
    assert_int_equal(IFacetConfig_GetBool(cfg, "cache.size", &b), FACET_E_INVALIDARG);
    assert_int_equal(IFacetConfig_GetString(cfg, "none", &s), FACET_E_INVALIDARG);
    assert_int_equal(IFacetConfig_GetString(cfg, NULL, &s), FACET_E_POINTER);
    assert_int_equal(IFacetConfig_GetString(cfg, "greeting", NULL), FACET_E_POINTER);
    IFacetConfig_Release(cfg);
    ITestProbe_Release(p);
    /* test.b has no settings */
    p = probe(rt, "test.b.thing");
    assert_int_equal(ITestProbe_Config(p, &cfg), FACET_OK);
    assert_int_equal(IFacetConfig_GetString(cfg, "greeting", &s), FACET_E_NOTFOUND);
    IFacetConfig_Release(cfg);
    ITestProbe_Release(p);
    /* once per runtime */
    snprintf(sub, sizeof(sub), "%s/facet.conf.json", dir);
    expect_error(facet_runtime_load_config(NULL, rt, sub), FACET_E_STATE, "already has a configuration");
    assert_int_equal(facet_runtime_free(rt), FACET_OK);
    facet_test_remove_tree(dir);
    assert_no_leaks();
}

static void test_config_host__enable_list(void **state)
{
    char dir[4096];
    FacetRuntime *rt;
    void *obj = NULL;
    ITestProbe *p;
    (void)state;
    snprintf(dir, sizeof(dir), "%s", plug_folder());
    plug_install(dir, "plug_a", "test.a", 1, NULL, NULL);
    plug_install(dir, "plug_b", "test.b", 2, NULL, NULL);
    rt = load(dir, "{\"plugin_folders\": [\".\"], \"enable\": [\"test.b\"]}", FACET_OK);
    expect_error(facet_create_instance_by_name(&obj, rt, "test.a.thing", NULL, &IID_IFacetUnknown),
                 FACET_E_CLASSNOTREG, "test.a.thing");
    p = probe(rt, "test.b.thing");
    ITestProbe_Release(p);
    assert_int_equal(facet_runtime_free(rt), FACET_OK);
    facet_test_remove_tree(dir);
    assert_no_leaks();
}

typedef struct Bad {
    const char *text;
    FacetResult code;
    const char *where;
    const char *path;
    const char *says;
} Bad;

static const Bad bad[] = {
    {"{\"plugin_folders\": [\"a\",]}", FACET_E_BADCONFIG, "facet.conf.json:1:", "", "unexpected"},
    {"{\"plugins\": []}", FACET_E_BADCONFIG, "facet.conf.json:1:13", "$.plugins", "unknown field"},
    {"{\"plugin_folders\": \"x\"}", FACET_E_BADCONFIG, "facet.conf.json:1:20", "$.plugin_folders",
     "expected an array of strings"},
    {"{\"disable\": [1]}", FACET_E_BADCONFIG, "facet.conf.json:1:14", "$.disable[0]",
     "non-empty string"},
    {"{\"aliases\": {\"a\": \"b\",\n \"b\": \"c\",\n \"c\": \"a\"}}", FACET_E_CYCLE,
     "facet.conf.json:", "$.aliases", "alias cycle: "},
    {"{\"aliases\": {\"self\": \"self\"}}", FACET_E_CYCLE, "facet.conf.json:1:22", "$.aliases.self",
     "alias cycle: self -> self"},
    {"{\"aliases\": {\"a\": 5}}", FACET_E_BADCONFIG, "facet.conf.json:1:19", "$.aliases.a",
     "expected a contract name"},
    {"{\"aliases\": {\"a\": \"{7B000000-0001}\"}}", FACET_E_BADCONFIG, "facet.conf.json:1:19",
     "$.aliases.a", "GUID"},
    {"{\"modules\": {\"m\": []}}", FACET_E_BADCONFIG, "facet.conf.json:1:19", "$.modules.m",
     "expected an object"},
    {"{\"modules\": {\"m\": {\"grants\": []}}}", FACET_E_BADCONFIG, "facet.conf.json:1:30",
     "$.modules.m.grants", "unknown field"},
    {"{\"modules\": {\"m\": {\"settings\": {\"a.b\": 1}}}}", FACET_E_BADCONFIG,
     "facet.conf.json:1:40", "$.modules.m.settings[\"a.b\"]", "contain '.'"},
    {"{\"modules\": {\"m\": {\"settings\": 3}}}", FACET_E_BADCONFIG, "facet.conf.json:1:32",
     "$.modules.m.settings", "expected an object"},
    {"{\"modules\": {\"m\": {\"settings\": {\"x\": "
     "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}}}}",
     FACET_E_BADCONFIG, "facet.conf.json:1:", "$.modules.m.settings.x[0]", "nested deeper"},
    {"\"just text\"", FACET_E_BADCONFIG, "facet.conf.json:1:11", "", "expected"},
    {"{\"modules\": {\"m\": {\"isolation\": \"sandbox\"}}}", FACET_E_BADCONFIG,
     "facet.conf.json:1:", "$.modules.m.isolation", "\"in-process\" or \"process\""},
    {"{\"modules\": {\"m\": {\"restart\": \"always\"}}}", FACET_E_BADCONFIG,
     "facet.conf.json:1:", "$.modules.m.restart", "\"on-create\", \"never\" or \"backoff\""},
    {"{\"modules\": {\"m\": {\"call_timeout_ms\": -1}}}", FACET_E_BADCONFIG,
     "facet.conf.json:1:", "$.modules.m.call_timeout_ms", "milliseconds"},
    {"{\"modules\": {\"m\": {\"call_timeout_ms\": \"5\"}}}", FACET_E_BADCONFIG,
     "facet.conf.json:1:", "$.modules.m.call_timeout_ms", "milliseconds"},
};

static void test_config_host__bad(void **state)
{
    char dir[4096];
    size_t i;
    (void)state;
    snprintf(dir, sizeof(dir), "%s", plug_folder());
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char path[4200];
        FacetRuntime *rt;
        FacetResult r;
        plug_write(dir, "facet.conf.json", bad[i].text);
        snprintf(path, sizeof(path), "%s/facet.conf.json", dir);
        assert_int_equal(facet_runtime_new(&rt, NULL), FACET_OK);
        r = facet_runtime_load_config(NULL, rt, path);
        print_message("%s\n", facet_last_error());
        expect_error(r, bad[i].code, bad[i].where, bad[i].path, bad[i].says);
        assert_int_equal(facet_runtime_free(rt), FACET_OK);
        assert_no_leaks();
    }
    {
        FacetRuntime *rt;
        char path[4200];
        snprintf(path, sizeof(path), "%s/missing.json", dir);
        assert_int_equal(facet_runtime_new(&rt, NULL), FACET_OK);
        expect_error(facet_runtime_load_config(NULL, rt, path), FACET_E_FILENOTFOUND, "missing.json");
        /* a folder the config names that is not there */
        plug_write(dir, "facet.conf.json", "{\"plugin_folders\": [\"nope\"]}");
        snprintf(path, sizeof(path), "%s/facet.conf.json", dir);
        expect_error(facet_runtime_load_config(NULL, rt, path), FACET_E_FILENOTFOUND, "nope");
        assert_int_equal(facet_runtime_free(rt), FACET_OK);
    }
    facet_test_remove_tree(dir);
    assert_no_leaks();
}

/* An alias config of count aliases a00000 -> a00001 -> ..., the last
 * pointing at last_target (NULL: back at a00000). */
static char *alias_chain(unsigned count, const char *last_target)
{
    size_t size = 64 + (size_t)count * 32, used;
    char *text = malloc(size);
    unsigned i;
    assert_non_null(text);
    used = (size_t)snprintf(text, size, "{\"plugin_folders\": [\".\"], \"aliases\": {");
    for (i = 0; i < count; i++) {
        char target[64];
        if (i + 1 < count)
            snprintf(target, sizeof(target), "a%05u", i + 1);
        else
            snprintf(target, sizeof(target), "%s", last_target ? last_target : "a00000");
        used += (size_t)snprintf(text + used, size - used, "%s\n\"a%05u\": \"%s\"", i ? "," : "",
                                 i, target);
    }
    snprintf(text + used, size - used, "}}");
    return text;
}

/* A chain of aliases is followed to its end however long it is; only a
 * chain that comes back to itself is a cycle. */
static void test_config_host__long_alias_chains(void **state)
{
    char dir[4096];
    char *text;
    FacetRuntime *rt;
    FacetGuid direct, via;
    ITestProbe *p;
    (void)state;
    snprintf(dir, sizeof(dir), "%s", plug_folder());
    plug_install(dir, "plug_a", "test.a", 1, NULL, NULL);

    text = alias_chain(10000, "test.a.thing");
    rt = load(dir, text, FACET_OK);
    free(text);
    assert_int_equal(facet_class_lookup(&direct, rt, "test.a.thing"), FACET_OK);
    assert_int_equal(facet_class_lookup(&via, rt, "a00000"), FACET_OK);
    assert_true(FacetGuidEqual(&direct, &via));
    assert_int_equal(facet_class_lookup(&via, rt, "a09999"), FACET_OK);
    assert_true(FacetGuidEqual(&direct, &via));
    p = probe(rt, "a05000");
    ITestProbe_Release(p);
    assert_int_equal(facet_runtime_free(rt), FACET_OK);

    /* a cycle of 1,000: named by its first and last members */
    text = alias_chain(1000, NULL);
    rt = load(dir, text, FACET_E_CYCLE);
    free(text);
    expect_error(facet_last_error_code(), FACET_E_CYCLE, "alias cycle: a", " -> ... (988 more) -> a");
    assert_int_equal(facet_runtime_free(rt), FACET_OK);

    /* a long chain that ends in a bad clsid: the last alias is named */
    text = alias_chain(500, "{7B000000-0001}");
    rt = load(dir, text, FACET_E_BADCONFIG);
    free(text);
    expect_error(facet_last_error_code(), FACET_E_BADCONFIG, "$.aliases.a00499", "GUID");
    assert_int_equal(facet_runtime_free(rt), FACET_OK);
    facet_test_remove_tree(dir);
    assert_no_leaks();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_config_host__good),
        cmocka_unit_test(test_config_host__enable_list),
        cmocka_unit_test(test_config_host__bad),
        cmocka_unit_test(test_config_host__long_alias_chains),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
