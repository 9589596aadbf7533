/*
 * tests/config/parse.c - the host configuration's parser
 * (core/formats/config.c) on text in memory: every field given a value of
 * the wrong type or out of its range is refused with the file, line and
 * column of the value, its JSON path and what was expected; each kind of
 * setting is kept with its type; paths are resolved against the file's
 * folder; the queries answer for a missing configuration; and an
 * allocation that fails at any point is FACET_E_OUTOFMEMORY with nothing
 * leaked.
 *
 * Built from the parser's own sources (they are internal to libfacet).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"

#include "formats/formats.h"

#define FILE_NAME "etc/facet.conf.json"

static FacetResult parse(FacetConfig **out, const char *text)
{
    return facet__config_parse(out, FILE_NAME, text, strlen(text));
}

typedef struct Bad {
    const char *text;
    FacetResult code;
    const char *where; /* file:line:column */
    const char *path;  /* the JSON path */
    const char *says;
} Bad;

static const Bad bad[] = {
    {"{\"$schema\": 7}", FACET_E_BADCONFIG, FILE_NAME ":1:13:", "$.$schema", "expected a string"},
    {"{\n  \"hot_reload\": \"yes\"\n}", FACET_E_BADCONFIG, FILE_NAME ":2:17:", "$.hot_reload",
     "expected true or false"},
    {"{\"hot_reload\": 1}", FACET_E_BADCONFIG, FILE_NAME ":1:16:", "$.hot_reload",
     "expected true or false"},
    {"{\"enable\": {}}", FACET_E_BADCONFIG, FILE_NAME ":1:12:", "$.enable",
     "expected an array of strings"},
    {"{\"enable\": [\"a\", \"\"]}", FACET_E_BADCONFIG, FILE_NAME ":1:18:", "$.enable[1]",
     "expected a non-empty string"},
    {"{\"disable\": [\"a\", null]}", FACET_E_BADCONFIG, FILE_NAME ":1:19:", "$.disable[1]",
     "expected a non-empty string"},
    {"{\"plugin_folders\": [true]}", FACET_E_BADCONFIG, FILE_NAME ":1:21:", "$.plugin_folders[0]",
     "expected a non-empty string"},
    {"{\"aliases\": [\"a\"]}", FACET_E_BADCONFIG, FILE_NAME ":1:13:", "$.aliases",
     "expected an object of alias name to target"},
    {"{\"aliases\": {\"\": \"x\"}}", FACET_E_BADCONFIG, FILE_NAME ":1:18:", "$.aliases[\"\"]",
     "an alias needs a name"},
    {"{\"aliases\": {\"a\": \"\"}}", FACET_E_BADCONFIG, FILE_NAME ":1:19:", "$.aliases.a",
     "expected a contract name, clsid or alias (a string)"},
    {"{\"aliases\": {\"a\": \"b\", \"b\": \"{not-a-guid}\"}}", FACET_E_BADCONFIG, FILE_NAME ":1:",
     "$.aliases.b", "GUID"},
    {"{\"modules\": 3}", FACET_E_BADCONFIG, FILE_NAME ":1:13:", "$.modules",
     "expected an object of module name to module settings"},
    {"{\"modules\": {\"m\": {\"permissions\": \"all\"}}}", FACET_E_BADCONFIG, FILE_NAME ":1:35:",
     "$.modules.m.permissions", "expected an array of strings"},
    {"{\"modules\": {\"m\": {\"permissions\": [\"\"]}}}", FACET_E_BADCONFIG, FILE_NAME ":1:36:",
     "$.modules.m.permissions[0]", "expected a non-empty string"},
    {"{\"modules\": {\"m\": {\"permissions\": [\"ok\", \"fs.exec:/x\"]}}}", FACET_E_BADCONFIG,
     FILE_NAME ":1:42:", "$.modules.m.permissions[1]", "unknown permission kind \"fs.exec\""},
    {"{\"modules\": {\"m\": {\"permissions\": [\"fs.write:\"]}}}", FACET_E_BADCONFIG,
     FILE_NAME ":1:36:", "$.modules.m.permissions[0]", "the path is empty"},
    {"{\"modules\": {\"m\": {\"permissions\": [\"net.connect:localhost\"]}}}", FACET_E_BADCONFIG,
     FILE_NAME ":1:36:", "$.modules.m.permissions[0]", "no port"},
    {"{\"modules\": {\"m\": {\"permissions\": [\"net.connect:localhost:0\"]}}}",
     FACET_E_BADCONFIG, FILE_NAME ":1:36:", "$.modules.m.permissions[0]", "out of range"},
    {"{\"modules\": {\"m\": {\"permissions\": [\"net.connect:[::1]:70000\"]}}}",
     FACET_E_BADCONFIG, FILE_NAME ":1:36:", "$.modules.m.permissions[0]", "out of range"},
    {"{\"modules\": {\"m\": {\"permissions\": [\"net.connect:fe80::1:80\"]}}}",
     FACET_E_BADCONFIG, FILE_NAME ":1:36:", "$.modules.m.permissions[0]", "in brackets"},
    {"{\"modules\": {\"m\": {\"limits\": 5}}}", FACET_E_BADCONFIG, FILE_NAME ":1:30:",
     "$.modules.m.limits", "\"memory_mb\", \"open_files\" and \"cpu_seconds\""},
    {"{\"modules\": {\"m\": {\"limits\": {\"memory\": 5}}}}", FACET_E_BADCONFIG, FILE_NAME ":1:",
     "$.modules.m.limits.memory", "unknown"},
    {"{\"modules\": {\"m\": {\"limits\": {\"open_files\": -1}}}}", FACET_E_BADCONFIG,
     FILE_NAME ":1:45:", "$.modules.m.limits.open_files", "from 0 (no limit)"},
    {"{\"modules\": {\"m\": {\"limits\": {\"cpu_seconds\": 1.5}}}}", FACET_E_BADCONFIG,
     FILE_NAME ":1:46:", "$.modules.m.limits.cpu_seconds", "whole number"},
    {"{\"modules\": {\"m\": {\"limits\": {\"memory_mb\": 17592186044416}}}}", FACET_E_BADCONFIG,
     FILE_NAME ":1:44:", "$.modules.m.limits.memory_mb", "to 17592186044415"},
    {"{\"modules\": {\"m\": {\"settings\": {\"\": 1}}}}", FACET_E_BADCONFIG, FILE_NAME ":1:37:",
     "$.modules.m.settings[\"\"]", "may not be empty or contain '.'"},
    /* a NUL inside a string never gets past the JSON parser */
    {"{\"modules\": {\"m\": {\"settings\": {\"s\": \"a\\u0000b\"}}}}", FACET_E_BADCONFIG,
     FILE_NAME ":1:47:", "\\u0000 is not allowed", ""},
    {"{\"modules\": {\"m\": {\"settings\": {\"list\": [1, {\"x.y\": 2}]}}}}", FACET_E_BADCONFIG,
     FILE_NAME ":1:", "$.modules.m.settings.list[1][\"x.y\"]", "contain '.'"},
    {"{\"modules\": {\"ok\": {}, \"m\": {\"settings\": {\"a\": {\"b\": 1, \"c\": []}, \"d\": \"x\", "
     "\"e\": {\"f\": {\"\": 0}}}}}}",
     FACET_E_BADCONFIG, FILE_NAME ":1:", "$.modules.m.settings.e.f[\"\"]", "may not be empty"},
    {"{\"scan_index\": 0}", FACET_E_BADCONFIG, FILE_NAME ":1:16:", "$.scan_index",
     "expected the path of a folder, or false for no scan index"},
    {"{\"scan_index\": true}", FACET_E_BADCONFIG, FILE_NAME ":1:16:", "$.scan_index",
     "or false for no scan index"},
    {"{\"scan_index\": \"\"}", FACET_E_BADCONFIG, FILE_NAME ":1:16:", "$.scan_index",
     "expected the path of a folder"},
    {"{\"scan_index\": \"cache\\u0000x\"}", FACET_E_BADCONFIG, FILE_NAME ":1:", "\\u0000 is not allowed",
     ""},
    {"[]", FACET_E_BADCONFIG, FILE_NAME ":1:", "", "expected"},
};

static void test_config_parse__bad_fields(void **state)
{
    size_t i;
    (void)state;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        FacetConfig *cfg = (FacetConfig *)1;
        FacetResult r = parse(&cfg, bad[i].text);
        print_message("%s\n", facet_last_error());
        expect_error(r, bad[i].code, bad[i].where, bad[i].path, bad[i].says);
        assert_null(cfg);
        assert_int_equal(facet_testing_live_allocations(), 0);
    }
}

/* The position of the value at fault, found in the text however its keys
 * are written (escapes, surrogate pairs) and whatever comes before it
 * (nested values, strings holding brackets): each text's value at fault is
 * the one after the marker "@": the first character after it. */
static const char *const located[] = {
    "{\"modules\": {\"\\u006d\\u00e9\\ud83d\\ude00\\b\\f\\n\\r\\t\\\"q\\\\\\/\": {\"settings\":@3}}}",
    "{\"enable\": [\"a}]\", \"b\\\"]\",@\"\"]}",
    ("{\"aliases\": {\"x\": \"y\"},\n \"modules\": {\"m\": {\"settings\": {\"a\": [1, {\"b\": [2.5e3]}],\n"
     "  \"c\": true, \"d\": null, \"\":@0}}}}"),
    "{\"modules\": {\"m\":\t{},\r\n\"n\": {\"settings\": {\"list\": [[0], [1], {\"x\": [{\"\":@2}]}]}}}}",
};

static void test_config_parse__positions(void **state)
{
    size_t i;
    (void)state;
    for (i = 0; i < sizeof(located) / sizeof(located[0]); i++) {
        char text[512], where[128];
        const char *at = strchr(located[i], '@'), *p;
        unsigned line = 1, column = 1;
        FacetConfig *cfg = NULL;
        assert_non_null(at);
        for (p = located[i]; p < at; p++) {
            if (*p == '\n') {
                line++;
                column = 1;
            } else {
                column++;
            }
        }
        /* the marker becomes a space, so the columns stay */
        snprintf(text, sizeof(text), "%s", located[i]);
        text[at - located[i]] = ' ';
        snprintf(where, sizeof(where), FILE_NAME ":%u:%u: $.", line, column + 1);
        assert_int_not_equal(parse(&cfg, text), FACET_OK);
        print_message("%s\n", facet_last_error());
        expect_error(facet_last_error_code(), FACET_E_BADCONFIG, where);
        assert_null(cfg);
    }
    assert_int_equal(facet_testing_live_allocations(), 0);
}

/* A setting path has room for 511 bytes: names that add up to more are
 * refused, naming the setting, however they are nested. */
static void test_config_parse__long_setting_paths(void **state)
{
    char text[2048], name[300];
    FacetConfig *cfg = NULL;
    const FacetSetting *s;
    (void)state;
    memset(name, 'k', 250);
    name[250] = '\0';
    /* 250 + 1 + 250 = 501 bytes: fits */
    snprintf(text, sizeof(text), "{\"modules\": {\"m\": {\"settings\": {\"%s\": {\"%s\": 1}}}}}",
             name, name);
    assert_int_equal(parse(&cfg, text), FACET_OK);
    assert_non_null(cfg);
    assert_int_equal(HASH_COUNT(facet__config_module(cfg, "m")->settings), 1);
    facet__config_free(cfg);
    /* three of them do not */
    snprintf(text, sizeof(text),
             "{\"modules\": {\"m\": {\"settings\": {\"%s\": {\"%s\": {\"%s\": 1}}}}}}", name, name,
             name);
    expect_error(parse(&cfg, text), FACET_E_BADCONFIG, FILE_NAME ":1:",
                 "setting path longer than 512 bytes");
    /* an index that does not fit after a long name */
    name[255] = '\0';
    memset(name, 'k', 255);
    snprintf(text, sizeof(text),
             "{\"modules\": {\"m\": {\"settings\": {\"%s\": {\"%.254s\": [0, 1]}}}}}", name, name);
    expect_error(parse(&cfg, text), FACET_E_BADCONFIG, FILE_NAME ":1:", "$.modules.m.settings.kkk",
                 "setting path longer than 512 bytes");
    /* one byte shorter, it fits: "k...k.k...k.0" is 511 bytes */
    snprintf(text, sizeof(text),
             "{\"modules\": {\"m\": {\"settings\": {\"%s\": {\"%.253s\": [0, 1]}}}}}", name, name);
    assert_int_equal(parse(&cfg, text), FACET_OK);
    s = facet__config_setting(facet__config_module(cfg, "m"), "kkkkk");
    assert_null(s);
    assert_int_equal(HASH_COUNT(facet__config_module(cfg, "m")->settings), 2);
    facet__config_free(cfg);
    assert_int_equal(facet_testing_live_allocations(), 0);
}

static const char good[] =
    "{\n"
    "  \"$schema\": \"https://example.org/facet.conf.schema.json\",\n"
    "  \"plugin_folders\": [\"plugins\", \"" 
#ifdef _WIN32
    "C:/opt/facet"
#else
    "/opt/facet"
#endif
    "\"],\n"
    "  \"enable\": [\"test.a\", \"test.b\"],\n"
    "  \"disable\": [\"test.b\"],\n"
    "  \"hot_reload\": true,\n"
    "  \"scan_index\": \"cache\",\n"
    "  \"aliases\": {\"first\": \"second\", \"second\": \"third\", \"third\": \"test.a.thing\",\n"
    "              \"also\": \"second\",\n"
    "              \"braced\": \"{7B000000-0001-4000-8000-000000000002}\",\n"
    "              \"bare\": \"7B000000-0001-4000-8000-000000000003\"},\n"
    "  \"modules\": {\n"
    "    \"test.a\": {\"permissions\": [\"net\", \"secrets\"],\n"
    "               \"settings\": {\"name\": \"a\", \"size\": 64, \"ratio\": 0.25, \"on\": true,\n"
    "                            \"off\": false, \"nothing\": null,\n"
    "                            \"servers\": [\"x\", {\"port\": 80}], \"empty\": {}, \"none\": []}},\n"
    "    \"test.b\": {}\n"
    "  }\n"
    "}\n";

static void test_config_parse__good(void **state)
{
    FacetConfig *cfg = NULL;
    const FacetModuleConfig *a;
    const FacetSetting *s;
    FacetAlias *alias;
    (void)state;
    assert_int_equal(parse(&cfg, good), FACET_OK);
    assert_string_equal(cfg->path, FILE_NAME);
    assert_int_equal(cfg->folder_count, 2);
    assert_non_null(strstr(cfg->folders[0], "etc"));
    assert_non_null(strstr(cfg->folders[0], "plugins"));
    assert_true(strstr(cfg->folders[0], "plugins") > strstr(cfg->folders[0], "etc"));
    assert_non_null(strstr(cfg->folders[1], "/opt/facet"));
    assert_null(strstr(cfg->folders[1], "etc"));
    assert_non_null(strstr(cfg->scan_index, "etc"));
    assert_non_null(strstr(cfg->scan_index, "cache"));
    assert_int_equal(facet__config_hot_reload(cfg), 1);

    /* enable and disable */
    assert_int_equal(facet__config_enabled(cfg, "test.a"), 1);
    assert_int_equal(facet__config_enabled(cfg, "test.b"), 0); /* disabled wins */
    assert_int_equal(facet__config_enabled(cfg, "test.c"), 0); /* not enabled */

    /* aliases end at the end of their chain */
    HASH_FIND_STR(cfg->aliases, "first", alias);
    assert_non_null(alias);
    assert_string_equal(alias->target, "test.a.thing");
    assert_int_equal(alias->is_clsid, 0);
    HASH_FIND_STR(cfg->aliases, "also", alias);
    assert_string_equal(alias->target, "test.a.thing");
    HASH_FIND_STR(cfg->aliases, "braced", alias);
    assert_int_equal(alias->is_clsid, 1);
    assert_int_equal(alias->clsid.Data4[7], 2);
    HASH_FIND_STR(cfg->aliases, "bare", alias);
    assert_int_equal(alias->is_clsid, 1);
    assert_int_equal(alias->clsid.Data4[7], 3);

    /* grants */
    assert_int_equal(facet__config_granted(cfg, "test.a", "secrets"), 1);
    assert_int_equal(facet__config_granted(cfg, "test.a", "net"), 1);
    assert_int_equal(facet__config_granted(cfg, "test.a", "disk"), 0);
    assert_int_equal(facet__config_granted(cfg, "test.b", "secrets"), 0);
    assert_int_equal(facet__config_granted(cfg, "test.z", "secrets"), 0);

    /* settings, each with its type */
    a = facet__config_module(cfg, "test.a");
    assert_non_null(a);
    s = facet__config_setting(a, "name");
    assert_int_equal(s->type, FACET_SETTING_STRING);
    assert_string_equal(s->text, "a");
    s = facet__config_setting(a, "size");
    assert_int_equal(s->type, FACET_SETTING_INT);
    assert_int_equal(s->integer, 64);
    assert_true(s->real == 64.0);
    s = facet__config_setting(a, "ratio");
    assert_int_equal(s->type, FACET_SETTING_REAL);
    assert_true(s->real == 0.25);
    s = facet__config_setting(a, "on");
    assert_int_equal(s->type, FACET_SETTING_BOOL);
    assert_int_equal(s->integer, 1);
    s = facet__config_setting(a, "off");
    assert_int_equal(s->type, FACET_SETTING_BOOL);
    assert_int_equal(s->integer, 0);
    s = facet__config_setting(a, "nothing");
    assert_int_equal(s->type, FACET_SETTING_NULL);
    assert_string_equal(facet__config_setting(a, "servers.0")->text, "x");
    assert_int_equal(facet__config_setting(a, "servers.1.port")->integer, 80);
    assert_null(facet__config_setting(a, "servers"));
    assert_null(facet__config_setting(a, "empty"));
    assert_null(facet__config_setting(a, "none"));
    assert_null(facet__config_setting(a, NULL));
    assert_int_equal(HASH_COUNT(a->settings), 8);
    assert_non_null(facet__config_module(cfg, "test.b"));
    assert_null(facet__config_setting(facet__config_module(cfg, "test.b"), "name"));
    assert_null(facet__config_module(cfg, "test.z"));
    assert_null(facet__config_module(cfg, NULL));
    facet__config_free(cfg);
    assert_int_equal(facet_testing_live_allocations(), 0);
}

/* What the queries say when there is no configuration, or it says little. */
static void test_config_parse__defaults(void **state)
{
    FacetConfig *cfg = NULL;
    (void)state;
    assert_int_equal(facet__config_enabled(NULL, "anything"), 1);
    assert_int_equal(facet__config_granted(NULL, "m", "secrets"), 0);
    assert_int_equal(facet__config_hot_reload(NULL), 0);
    assert_null(facet__config_module(NULL, "m"));
    assert_null(facet__config_setting(NULL, "k"));
    facet__config_free(NULL);

    assert_int_equal(parse(&cfg, "{}"), FACET_OK);
    assert_int_equal(cfg->folder_count, 0);
    assert_null(cfg->scan_index); /* not given: the default place */
    assert_int_equal(facet__config_enabled(cfg, "anything"), 1);
    assert_int_equal(facet__config_hot_reload(cfg), 0);
    facet__config_free(cfg);

    assert_int_equal(parse(&cfg, "{\"scan_index\": false, \"hot_reload\": false, \"disable\": [\"x\"]}"),
                     FACET_OK);
    assert_string_equal(cfg->scan_index, ""); /* none */
    assert_int_equal(facet__config_hot_reload(cfg), 0);
    assert_int_equal(facet__config_enabled(cfg, "x"), 0);
    assert_int_equal(facet__config_enabled(cfg, "y"), 1);
    facet__config_free(cfg);
    assert_int_equal(facet_testing_live_allocations(), 0);
}

/* Every allocation the parser makes, failed in turn: each is
 * FACET_E_OUTOFMEMORY naming the file, with nothing leaked; with none
 * failed, the same text parses. */
static void test_config_parse__out_of_memory(void **state)
{
    uint64_t nth, calls;
    FacetConfig *cfg = NULL;
    (void)state;
    facet_testing_fail(FACET_FAULT_ALLOC, 0, 0);
    assert_int_equal(parse(&cfg, good), FACET_OK);
    calls = facet_testing_calls(FACET_FAULT_ALLOC);
    facet__config_free(cfg);
    print_message("%llu allocations\n", (unsigned long long)calls);
    assert_true(calls >= 5); /* the config, the arena's blocks, the tables */
    for (nth = 1; nth <= calls; nth++) {
        FacetResult r;
        cfg = (FacetConfig *)1;
        facet_testing_fail(FACET_FAULT_ALLOC, nth, 0);
        r = parse(&cfg, good);
        assert_int_equal(facet_testing_failures(FACET_FAULT_ALLOC), 1);
        facet_testing_fail(FACET_FAULT_ALLOC, 0, 0);
        expect_error(r, FACET_E_OUTOFMEMORY, FILE_NAME, "out of memory");
        assert_null(cfg);
        assert_int_equal(facet_testing_live_allocations(), 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_config_parse__bad_fields),
        cmocka_unit_test(test_config_parse__positions),
        cmocka_unit_test(test_config_parse__long_setting_paths),
        cmocka_unit_test(test_config_parse__good),
        cmocka_unit_test(test_config_parse__defaults),
        cmocka_unit_test(test_config_parse__out_of_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
