/*
 * tests/manifest/parse.c - reading <module>.facet.json: every field, and
 * every kind of bad input with its code, file:line:column and JSON path.
 */
#include <string.h>

#include "plugtest.h"

static const char good[] =
    "{\n"
    "  \"$schema\": \"https://facet.dev/schema/manifest.json\",\n"
    "  \"name\": \"org.example.greeter\",\n"
    "  \"version\": \"1.4.0-rc.1+b5\",\n"
    "  \"api_level\": 1,\n"
    "  \"description\": \"Says hello\",\n"
    "  \"library\": {\"linux\": \"libgreeter.so\", \"windows\": \"greeter.dll\",\n"
    "              \"macos\": \"libgreeter.dylib\"},\n"
    "  \"classes\": [\n"
    "    {\"clsid\": \"{12345678-1234-1234-1234-123456789ABC}\",\n"
    "     \"contract\": \"org.example.greeter\", \"threading\": \"single\",\n"
    "     \"interfaces\": [\"{00000000-0000-0000-C000-000000000046}\"]},\n"
    "    {\"clsid\": \"12345678-1234-1234-1234-123456789ABD\"}\n"
    "  ],\n"
    "  \"requires\": {\"org.example.logger\": \"^1.2\", \"org.example.fmt\": \">=1.0 <2.0\"},\n"
    "  \"permissions\": [\"net\", \"fs.read\"],\n"
    "  \"isolation\": \"in-process\"\n"
    "}\n";

static void test_manifest_parse__good(void **state)
{
    FacetManifest *mf;
    FacetManifestInfo info = FACET_MANIFEST_INFO_INIT;
    FacetClassInfo ci = FACET_CLASS_INFO_INIT;
    const char *name, *range;
    (void)state;
    assert_int_equal(facet_manifest_parse(&mf, "plugins/greeter.facet.json", good, strlen(good)),
                     FACET_OK);
    assert_int_equal(facet_manifest_info(&info, mf), FACET_OK);
    assert_string_equal(info.name, "org.example.greeter");
    assert_string_equal(info.version, "1.4.0-rc.1+b5");
    assert_string_equal(info.path, "plugins/greeter.facet.json");
#if defined(_WIN32)
    assert_string_equal(info.library, "greeter.dll");
#elif defined(__APPLE__)
    assert_string_equal(info.library, "libgreeter.dylib");
#else
    assert_string_equal(info.library, "libgreeter.so");
#endif
    assert_int_equal(info.api_level, 1);
    assert_int_equal(info.isolation, FACET_ISOLATION_IN_PROCESS);
    assert_int_equal(info.class_count, 2);
    assert_int_equal(info.require_count, 2);
    assert_int_equal(info.permission_count, 2);
    assert_int_equal(facet_manifest_class(&ci, mf, 0), FACET_OK);
    assert_string_equal(ci.contract, "org.example.greeter");
    assert_string_equal(ci.version, "1.4.0-rc.1+b5");
    assert_int_equal(ci.threading, FACET_THREADING_SINGLE);
    assert_int_equal(ci.interface_count, 1);
    assert_true(FacetGuidEqual(&ci.interfaces[0], &IID_IFacetUnknown));
    assert_int_equal(ci.clsid.Data1, 0x12345678);
    assert_int_equal(facet_manifest_class(&ci, mf, 1), FACET_OK);
    assert_null(ci.contract);
    assert_int_equal(ci.interface_count, 0);
    expect_error(facet_manifest_class(&ci, mf, 2), FACET_E_INVALIDARG, "index 2", "2 classes");
    assert_int_equal(facet_manifest_require(&name, &range, mf, 0), FACET_OK);
    assert_string_equal(name, "org.example.logger");
    assert_string_equal(range, "^1.2");
    assert_int_equal(facet_manifest_require(&name, &range, mf, 1), FACET_OK);
    assert_string_equal(range, ">=1.0 <2.0");
    assert_string_equal(facet_manifest_permission(mf, 1), "fs.read");
    assert_null(facet_manifest_permission(mf, 2));
    facet_manifest_free(mf);
    assert_no_leaks();
}

typedef struct Bad {
    const char *what;
    const char *text;
    FacetResult code;
    const char *where; /* "file:line:column" */
    const char *path;  /* JSON path */
    const char *says;
} Bad;

#define HEAD "{\"name\": \"m\", \"version\": \"1.0.0\", \"library\": \"m.so\",\n"
#define CLS "\"classes\": [{\"clsid\": \"{12345678-1234-1234-1234-123456789ABC}\"}]"

static const Bad bad[] = {
    {"syntax error", "{\"name\": \"m\",\n  \"version\": }", FACET_E_BADMANIFEST, "m.facet.json:2:14",
     "", "unexpected token"},
    {"not an object", "[1, 2]", FACET_E_BADMANIFEST, "m.facet.json:1:1", "$", "an object"},
    {"trailing garbage", "{} x", FACET_E_BADMANIFEST, "m.facet.json:1:4", "", "end of file"},
    {"duplicate key", "{\"name\": \"a\", \"name\": \"b\"}", FACET_E_BADMANIFEST, "m.facet.json:1:",
     "", "duplicate"},
    {"missing name", "{\"version\": \"1.0.0\"}", FACET_E_BADMANIFEST, "m.facet.json:1:1", "$",
     "missing required field \"name\""},
    {"missing classes", HEAD "\"api_level\": 1}", FACET_E_BADMANIFEST, "m.facet.json:1:1", "$",
     "missing required field \"classes\""},
    {"wrong type", "{\"name\": 42}", FACET_E_BADMANIFEST, "m.facet.json:1:10", "$.name",
     "expected a string, found an integer"},
    {"unknown field", HEAD CLS ",\n \"colour\": \"red\"}", FACET_E_BADMANIFEST, "m.facet.json:3:12",
     "$.colour", "unknown field \"colour\""},
    {"unknown class field", HEAD "\"classes\": [{\"clsid\": \"{12345678-1234-1234-1234-123456789ABC}\", \"x\": 1}]}",
     FACET_E_BADMANIFEST, "m.facet.json:2:", "$.classes[0].x", "unknown field \"x\""},
    {"bad guid", HEAD "\"classes\": [{\"clsid\": \"{1234}\"}]}", FACET_E_BADMANIFEST,
     "m.facet.json:2:23", "$.classes[0].clsid", "GUID"},
    {"bad interface guid",
     HEAD "\"classes\": [{\"clsid\": \"{12345678-1234-1234-1234-123456789ABC}\",\n"
          "  \"interfaces\": [\"{00000000-0000-0000-C000-000000000046}\", \"nope\"]}]}",
     FACET_E_BADMANIFEST, "m.facet.json:3:", "$.classes[0].interfaces[1]", "GUID"},
    {"duplicate clsid",
     HEAD "\"classes\": [{\"clsid\": \"{12345678-1234-1234-1234-123456789ABC}\"},\n"
          " {\"clsid\": \"{12345678-1234-1234-1234-123456789ABC}\"}]}",
     FACET_E_BADMANIFEST, "m.facet.json:3:2", "$.classes[1]", "classes[0]"},
    {"bad version", "{\"name\": \"m\", \"version\": \"1.0\"}", FACET_E_BADMANIFEST,
     "m.facet.json:1:26", "$.version", "column 4"},
    {"bad class version", HEAD "\"classes\": [{\"clsid\": \"{12345678-1234-1234-1234-123456789ABC}\", \"version\": \"x\"}]}",
     FACET_E_BADMANIFEST, "m.facet.json:2:", "$.classes[0].version", "version \"x\""},
    {"bad range", HEAD CLS ",\n \"requires\": {\"org.other\": \">=1.0 <<2\"}}", FACET_E_BADMANIFEST,
     "m.facet.json:3:28", "$.requires[\"org.other\"]", "version range"},
    {"range not a string", HEAD CLS ",\n \"requires\": {\"other\": 1}}", FACET_E_BADMANIFEST,
     "m.facet.json:3:24", "$.requires.other", "found an integer"},
    {"requires itself", HEAD CLS ",\n \"requires\": {\"m\": \"*\"}}", FACET_E_BADMANIFEST,
     "m.facet.json:3:", "$.requires.m", "itself"},
    {"bad name", "{\"name\": \"a b\"}", FACET_E_BADMANIFEST, "m.facet.json:1:10", "$.name",
     "not a valid name"},
    {"api level zero", HEAD CLS ", \"api_level\": 0}", FACET_E_BADMANIFEST, "m.facet.json:2:",
     "$.api_level", "from 1"},
    {"api level real", HEAD CLS ", \"api_level\": 1.5}", FACET_E_BADMANIFEST, "m.facet.json:2:",
     "$.api_level", "found a number"},
    {"bad threading", HEAD "\"classes\": [{\"clsid\": \"{12345678-1234-1234-1234-123456789ABC}\", \"threading\": \"both\"}]}",
     FACET_E_BADMANIFEST, "m.facet.json:2:", "$.classes[0].threading", "\"both\""},
    {"bad isolation", HEAD CLS ", \"isolation\": \"vm\"}", FACET_E_BADMANIFEST, "m.facet.json:2:",
     "$.isolation", "\"in-process\" or \"process\""},
    {"bad permission", HEAD CLS ", \"permissions\": [\"ok\", 3]}", FACET_E_BADMANIFEST,
     "m.facet.json:2:", "$.permissions[1]", "permission name"},
    {"unknown permission kind", HEAD CLS ",\n \"permissions\": [\"ok\", \"fs.exec:/bin\"]}",
     FACET_E_BADMANIFEST, "m.facet.json:3:24", "$.permissions[1]",
     "unknown permission kind \"fs.exec\""},
    {"empty path", HEAD CLS ",\n \"permissions\": [\"fs.read:\"]}", FACET_E_BADMANIFEST,
     "m.facet.json:3:18", "$.permissions[0]", "the path is empty"},
    {"no port", HEAD CLS ",\n \"permissions\": [\"net.connect:example.org\"]}",
     FACET_E_BADMANIFEST, "m.facet.json:3:18", "$.permissions[0]", "no port"},
    {"port 0", HEAD CLS ",\n \"permissions\": [\"net.connect:example.org:0\"]}",
     FACET_E_BADMANIFEST, "m.facet.json:3:18", "$.permissions[0]", "out of range (1 to 65535)"},
    {"port 70000", HEAD CLS ",\n \"permissions\": [\"net.connect:example.org:70000\"]}",
     FACET_E_BADMANIFEST, "m.facet.json:3:18", "$.permissions[0]", "out of range (1 to 65535)"},
    {"unbracketed IPv6", HEAD CLS ",\n \"permissions\": [\"net.connect:::1:443\"]}",
     FACET_E_BADMANIFEST, "m.facet.json:3:18", "$.permissions[0]", "written in brackets"},
    {"absolute library", "{\"name\": \"m\", \"version\": \"1.0.0\", \"library\": \"/usr/lib/x.so\"}",
     FACET_E_BADMANIFEST, "m.facet.json:1:", "$.library", "absolute"},
    {"library leaves", "{\"name\": \"m\", \"version\": \"1.0.0\",\n \"library\": {\"linux\": \"../x.so\", \"windows\": \"x.dll\", \"macos\": \"x.dylib\"}}",
     FACET_E_BADMANIFEST, "m.facet.json:2:23", "$.library.linux", "\"..\""},
    {"library leaves deeper", "{\"name\": \"m\", \"version\": \"1.0.0\", \"library\": \"lib/../../x.so\"}",
     FACET_E_BADMANIFEST, "m.facet.json:1:", "$.library", "\"..\""},
    {"windows library leaves", "{\"name\": \"m\", \"version\": \"1.0.0\", \"library\": {\"linux\": \"x.so\", \"windows\": \"C:\\\\x.dll\", \"macos\": \"x.dylib\"}}",
     FACET_E_BADMANIFEST, "m.facet.json:1:", "$.library.windows", "absolute"},
    {"unknown platform", "{\"name\": \"m\", \"version\": \"1.0.0\", \"library\": {\"beos\": \"x\"}}",
     FACET_E_BADMANIFEST, "m.facet.json:1:", "$.library.beos", "unknown field"},
    {"library wrong type", "{\"name\": \"m\", \"version\": \"1.0.0\", \"library\": [1]}",
     FACET_E_BADMANIFEST, "m.facet.json:1:", "$.library", "a string or an object"},
    {"classes wrong type", HEAD "\"classes\": {}}", FACET_E_BADMANIFEST, "m.facet.json:2:12",
     "$.classes", "expected an array"},
    {"class not an object", HEAD "\"classes\": [\"x\"]}", FACET_E_BADMANIFEST, "m.facet.json:2:13",
     "$.classes[0]", "class object"},
    /* Names with the path's own syntax in them, or written with escapes:
     * the position is still that of the member itself. */
    {"name with path syntax", HEAD CLS ",\n \"classes\\\"][99999999999999999999999\": 1}",
     FACET_E_BADMANIFEST, "m.facet.json:3:40", "$[\"classes\\\"][99999999999999999999999\"]",
     "unknown field"},
    {"name with escapes", HEAD CLS ",\n \"\\u0063olour\": \"red\"}", FACET_E_BADMANIFEST,
     "m.facet.json:3:17", "$.colour", "unknown field \"colour\""},
    {"name beyond the BMP", HEAD CLS ",\n \"\\ud83d\\ude00\": 2}", FACET_E_BADMANIFEST,
     "m.facet.json:3:18", "$[\"\xF0\x9F\x98\x80\"]", "unknown field"},
    /* A class's description is a string too, so nothing unchecked can
     * hide a deep nesting. */
    {"class description not a string",
     HEAD "\"classes\": [{\"clsid\": \"{12345678-1234-1234-1234-123456789ABC}\", \"description\": {\"a\": 1}}]}",
     FACET_E_BADMANIFEST, "m.facet.json:2:", "$.classes[0].description",
     "expected a string, found an object"},
    {"class description too deep", NULL, FACET_E_BADMANIFEST, "m.facet.json:2:",
     "$.classes[0].description[0][0]", "nested deeper than 32"},
    {"too deep",
     HEAD CLS ", \"description\": "
              "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}",
     FACET_E_BADMANIFEST, "m.facet.json:2:", "$.description[0][0][0]", "nested deeper than 32"},
};

/* A class whose description is arrays nested 1,000 deep. */
static const char *deep_description(void)
{
    static char text[4096];
    size_t used = (size_t)snprintf(text, sizeof(text), "%s",
                                   HEAD "\"classes\": [{\"clsid\": "
                                        "\"{12345678-1234-1234-1234-123456789ABC}\", "
                                        "\"description\": ");
    memset(text + used, '[', 1000);
    memset(text + used + 1000, ']', 1000);
    snprintf(text + used + 2000, sizeof(text) - used - 2000, "}]}");
    return text;
}

static void test_manifest_parse__bad(void **state)
{
    size_t i;
    (void)state;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        FacetManifest *mf = (FacetManifest *)1;
        const char *text = bad[i].text ? bad[i].text : deep_description();
        FacetResult r = facet_manifest_parse(&mf, "m.facet.json", text, strlen(text));
        print_message("%s: %.300s\n", bad[i].what, facet_last_error());
        assert_null(mf);
        expect_error(r, bad[i].code, bad[i].where, bad[i].path, bad[i].says);
    }
    assert_no_leaks();
}

/* What a hostile file holds: each is refused with its position, never
 * taken, and never a crash. Sizes are given, for the NUL bytes. */
static void test_manifest_parse__hostile(void **state)
{
#define TOP "{\"name\": \"m\", \"version\": \"1.0.0\", \"library\": \"m.so\", \"classes\": []"
    static const struct {
        const char *what, *text;
        size_t size;
        const char *where, *says;
    } cases[] = {
#define CASE(what, text, where, says) {what, text, sizeof(text) - 1, where, says}
        CASE("byte order mark", "\xEF\xBB\xBF" TOP "}", "m.facet.json:1:1", "expected"),
        CASE("NUL in a string", TOP ", \"description\": \"a\0b\"}", "m.facet.json:1:85",
             "control character"),
        CASE("NUL after the end", TOP "}\0{}", "m.facet.json:1:", "end of file expected"),
        CASE("invalid UTF-8", TOP ", \"description\": \"\xff\xfe\"}", "m.facet.json:1:84",
             "unable to decode byte 0xff"),
        CASE("real overflow", TOP ", \"api_level\": 1e400}", "m.facet.json:1:86",
             "real number overflow"),
        CASE("huge integer", TOP ", \"api_level\": 99999999999999999999999}", "m.facet.json:1:",
             "too big integer"),
        CASE("integer past 32 bits", TOP ", \"api_level\": 9223372036854775807}",
             "m.facet.json:1:82", "$.api_level: 9223372036854775807: expected an integer from 1"),
#undef CASE
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        FacetManifest *mf = (FacetManifest *)1;
        FacetResult r = facet_manifest_parse(&mf, "m.facet.json", cases[i].text, cases[i].size);
        print_message("%s: %s\n", cases[i].what, facet_last_error());
        assert_null(mf);
        expect_error(r, FACET_E_BADMANIFEST, cases[i].where, cases[i].says);
    }
    assert_no_leaks();
#undef TOP
}

/* Many classes: the clsids are told apart by an index, and a repeat is
 * found wherever it is, naming both. */
static void test_manifest_parse__many_classes(void **state)
{
    size_t cap = 256 + 5000 * 64, used;
    char *text = malloc(cap);
    FacetManifest *mf;
    FacetManifestInfo info = FACET_MANIFEST_INFO_INIT;
    int repeat;
    (void)state;
    assert_non_null(text);
    for (repeat = 0; repeat < 2; repeat++) {
        unsigned i;
        used = (size_t)snprintf(text, cap, HEAD "\"classes\": [");
        for (i = 0; i < 5000; i++)
            used += (size_t)snprintf(text + used, cap - used, "%s\n{\"clsid\": \"%08X-0000-4000-8000-000000000000\"}",
                                     i ? "," : "", repeat && i == 4999 ? 2345u : i);
        snprintf(text + used, cap - used, "]}");
        if (!repeat) {
            assert_int_equal(facet_manifest_parse(&mf, "m.facet.json", text, strlen(text)), FACET_OK);
            assert_int_equal(facet_manifest_info(&info, mf), FACET_OK);
            assert_int_equal(info.class_count, 5000);
            facet_manifest_free(mf);
        } else {
            expect_error(facet_manifest_parse(&mf, "m.facet.json", text, strlen(text)),
                         FACET_E_BADMANIFEST, "m.facet.json:5002:1", "$.classes[4999]",
                         "the same clsid as classes[2345]");
        }
    }
    free(text);
    assert_no_leaks();
}

static void test_manifest_parse__files(void **state)
{
    char dir[4096], path[4200];
    FacetManifest *mf;
    char *big;
    (void)state;
    snprintf(dir, sizeof(dir), "%s", plug_folder());
    /* larger than the limit */
    big = calloc(1, 1024 * 1024 + 2);
    assert_non_null(big);
    memset(big, ' ', 1024 * 1024 + 1);
    big[0] = '{';
    big[1024 * 1024] = '}';
    snprintf(path, sizeof(path), "%s/big.facet.json", dir);
    facet_test_write_file(path, big, 1024 * 1024 + 1);
    free(big);
    expect_error(facet_manifest_load(&mf, path), FACET_E_BADMANIFEST, "big.facet.json:1:1",
                 "1048577 bytes", "limit");
    snprintf(path, sizeof(path), "%s/none.facet.json", dir);
    expect_error(facet_manifest_load(&mf, path), FACET_E_FILENOTFOUND, "none.facet.json");
    expect_error(facet_manifest_load(&mf, dir), FACET_E_NOTAFILE, "not a regular file");
    plug_manifest(dir, "a.facet.json", "test.a", "1.0.0", 1, "a.so", NULL, NULL);
    snprintf(path, sizeof(path), "%s/a.facet.json", dir);
    assert_int_equal(facet_manifest_load(&mf, path), FACET_OK);
    facet_manifest_free(mf);
    /* out of memory at every allocation, then none */
    {
        uint64_t n;
        for (n = 1;; n++) {
            FacetResult r;
            facet_testing_fail(FACET_FAULT_ALLOC, n, 0);
            r = facet_manifest_load(&mf, path);
            if (r == FACET_OK && facet_testing_failures(FACET_FAULT_ALLOC) == 0) {
                facet_manifest_free(mf);
                break;
            }
            assert_int_equal(r, FACET_E_OUTOFMEMORY);
            assert_null(mf);
            assert_no_leaks();
        }
        facet_testing_fail(FACET_FAULT_ALLOC, 0, 0);
    }
    expect_error(facet_manifest_load(NULL, path), FACET_E_POINTER, "out");
    facet_test_remove_tree(dir);
    assert_no_leaks();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_manifest_parse__good),
        cmocka_unit_test(test_manifest_parse__bad),
        cmocka_unit_test(test_manifest_parse__hostile),
        cmocka_unit_test(test_manifest_parse__many_classes),
        cmocka_unit_test(test_manifest_parse__files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
