/*
 * tests/fuzz/replay.c - the fuzz corpora as ordinary tests, with any
 * compiler: every seed and every regression input (a crash the fuzzers once
 * found) goes through the public API that its target fuzzes. A seed whose
 * expected result is known must give exactly that; any other input must
 * give one of the codes its target allows, a message, and no leak.
 *
 * Arguments: the input files, each as <target>:<path> (CMake lists them).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"
#include "facet_idl.h"

static int argc_;
static char **argv_;

typedef struct Expected {
    const char *name;
    FacetResult code;
} Expected;

static const char *base_name(const char *path)
{
    const char *p, *base = path;
    for (p = path; *p; p++)
        if (*p == '/' || *p == '\\')
            base = p + 1;
    return base;
}

/* The exact result of a seed, or 1 when there is none. */
static FacetResult expected_code(const Expected *table, const char *path)
{
    for (; table->name != NULL; table++)
        if (strcmp(table->name, base_name(path)) == 0)
            return table->code;
    return 1;
}

/* Calls fn for each input of target. Returns how many there were. */
static int each_input(const char *target, void (*fn)(const char *path, void *payload),
                      void *payload)
{
    size_t n = strlen(target);
    int i, count = 0;
    for (i = 1; i < argc_; i++)
        if (strncmp(argv_[i], target, n) == 0 && argv_[i][n] == ':') {
            fn(argv_[i] + n + 1, payload);
            count++;
        }
    return count;
}

/* ---- Module images, through facet_module_load ---------------------------- */

#if defined(__linux__) && defined(__x86_64__)
/* What each seed is to an x86_64 Linux host. */
static const Expected image_seeds[] = {
    {"elf32_i386.so", FACET_E_WRONGARCH},     {"elf_aarch64.so", FACET_E_WRONGARCH},
    {"elf_exec", FACET_E_NOTLIBRARY},         {"elf_magic_only", FACET_E_TRUNCATED},
    {"elf_object.o", FACET_E_NOTLIBRARY},     {"elf_ppc64_be.so", FACET_E_WRONGARCH},
    {"elf_truncated", FACET_E_TRUNCATED},     {"elf_x86_64.so", FACET_E_NOENTRY},
    {"macho_arm64.dylib", FACET_E_WRONGARCH}, {"macho_universal", FACET_E_WRONGARCH},
    {"macho_x86_64.dylib", FACET_E_WRONGARCH}, {"mz_only", FACET_E_NOTLIBRARY},
    {"pe_exe", FACET_E_NOTLIBRARY},           {"pe_i386.dll", FACET_E_WRONGARCH},
    {"pe_x86_64.dll", FACET_E_WRONGARCH},     {"text", FACET_E_NOTLIBRARY},
    {"zeros", FACET_E_NOTLIBRARY},            {"empty", FACET_E_EMPTYFILE},
    {NULL, 0}};
#else
static const Expected image_seeds[] = {{NULL, 0}};
#endif

static void load_image(const char *path, void *payload)
{
    FacetRuntime *rt = payload;
    char copy[4200];
    size_t size;
    void *data = facet_test_read_file(path, &size);
    const char *dir = facet_test_tmpdir();
    FacetModule *m = NULL;
    FacetResult r, want = expected_code(image_seeds, path);

    /* A copy under a library's name, so only the contents decide. */
    snprintf(copy, sizeof(copy), "%s/%s.so", dir, base_name(path));
    facet_test_write_file(copy, data, size);
    free(data);
    r = facet_module_load(&m, rt, copy);
    if (want != 1 && r != want)
        fail_msg("%s: expected %s, got %s: %s", path, facet_result_name(want),
                 facet_result_name(r), facet_last_error());
    switch (r) {
    case FACET_E_EMPTYFILE:
    case FACET_E_NOTLIBRARY:
    case FACET_E_TRUNCATED:
    case FACET_E_WRONGARCH:
    case FACET_E_LOADFAILED:
    case FACET_E_NOENTRY:
        if (strstr(facet_last_error(), base_name(path)) == NULL)
            fail_msg("%s: the message \"%s\" does not name the file", path, facet_last_error());
        break;
    default:
        fail_msg("%s: %s is not a code the image checks give: %s", path, facet_result_name(r),
                 facet_last_error());
    }
    assert_null(m);
    facet_test_remove_tree(dir);
}

static void test_fuzz_replay__image(void **state)
{
    FacetRuntime *rt = NULL;
    FacetRuntimeOptions opts = FACET_RUNTIME_OPTIONS_INIT;
    (void)state;
    opts.log_level = FACET_LOG_ERROR + 1;
    assert_int_equal(facet_runtime_new(&rt, &opts), FACET_OK);
    assert_true(each_input("image", load_image, rt) > 0);
    assert_int_equal(facet_runtime_free(rt), FACET_OK);
    assert_no_leaks();
}

/* ---- GUID text, through facet_guid_parse --------------------------------- */

static const Expected guid_seeds[] = {
    {"braced_upper", FACET_OK},     {"bare_lower", FACET_OK},       {"iunknown", FACET_OK},
    {"short", FACET_E_BADGUID},     {"bad_dash", FACET_E_BADGUID},  {"bad_hex", FACET_E_BADGUID},
    {"bad_brace", FACET_E_BADGUID}, {"empty", FACET_E_BADGUID},     {NULL, 0}};

static void parse_guid(const char *path, void *payload)
{
    size_t size;
    char *text = facet_test_read_file(path, &size);
    FacetGuid g;
    FacetResult r = facet_guid_parse(&g, text), want = expected_code(guid_seeds, path);
    (void)payload;
    if (want != 1 && r != want)
        fail_msg("%s: expected %s, got %s: %s", path, facet_result_name(want),
                 facet_result_name(r), facet_last_error());
    if (r != FACET_OK && r != FACET_E_BADGUID)
        fail_msg("%s: %s: %s", path, facet_result_name(r), facet_last_error());
    if (r == FACET_E_BADGUID)
        assert_non_null(strstr(facet_last_error(), "GUID"));
    free(text);
}

static void test_fuzz_replay__guid(void **state)
{
    (void)state;
    assert_true(each_input("guid", parse_guid, NULL) > 0);
    assert_no_leaks();
}

/* ---- IDL, through facet_idl_compile_text -------------------------------- */

static void compile_idl(const char *path, void *payload)
{
    size_t size;
    char *text = facet_test_read_file(path, &size);
    facet_idl_result *r = NULL;
    int rc = facet_idl_compile_text(&r, base_name(path), text, size, NULL);
    (void)payload;
    if (rc != 0 && rc != 1)
        fail_msg("%s: facet_idl_compile_text returned %d", path, rc);
    assert_non_null(r);
    if (rc == 1)
        assert_true(facet_idl_error_count(r) > 0);
    else
        assert_int_equal(facet_idl_output_count(r), 3);
    facet_idl_result_free(r);
    free(text);
}

static void test_fuzz_replay__idl(void **state)
{
    (void)state;
    assert_true(each_input("idl", compile_idl, NULL) > 0);
}

/* ---- Manifests and host configs, as json_fuzz reads them ---------------- */

/* The first byte picks the format, as in json_fuzz.c: even for a manifest,
 * odd for a host config; the rest is the text. */
static void parse_json(const char *path, void *payload)
{
    size_t size;
    char *data = facet_test_read_file(path, &size);
    FacetRuntime *rt = payload;
    FacetResult r;
    if (size == 0) {
        free(data);
        return;
    }
    if ((data[0] & 1) == 0) {
        FacetManifest *m = NULL;
        r = facet_manifest_parse(&m, "replay.facet.json", data + 1, size - 1);
        facet_manifest_free(m);
    } else {
        const char *dir = facet_test_tmpdir();
        char conf[4200];
        snprintf(conf, sizeof(conf), "%s/facet.conf.json", dir);
        facet_test_write_file(conf, data + 1, size - 1);
        r = facet_runtime_load_config(NULL, rt, conf);
        facet_test_remove_tree(dir);
    }
    if (FACET_FAILED(r) && facet_last_error()[0] == '\0')
        fail_msg("%s: %s with no message", path, facet_result_name(r));
    free(data);
}

static void test_fuzz_replay__json(void **state)
{
    FacetRuntime *rt = NULL;
    FacetRuntimeOptions opts = FACET_RUNTIME_OPTIONS_INIT;
    (void)state;
    opts.log_level = FACET_LOG_ERROR + 1;
    assert_int_equal(facet_runtime_new(&rt, &opts), FACET_OK);
    assert_true(each_input("json", parse_json, rt) > 0);
    assert_true(FACET_SUCCEEDED(facet_runtime_free(rt)));
    assert_no_leaks();
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fuzz_replay__image),
        cmocka_unit_test(test_fuzz_replay__guid),
        cmocka_unit_test(test_fuzz_replay__idl),
        cmocka_unit_test(test_fuzz_replay__json),
    };
    argc_ = argc;
    argv_ = argv;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
