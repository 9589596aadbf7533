/*
 * tests/core/loader.c - loading modules, and every kind of bad file and bad
 * module the loader must refuse with its own code and a clear message.
 */
#include "support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_itf.h"

typedef struct Fixture {
    FacetRuntime *rt;
    char dir[4096];
} Fixture;

static int setup(void **state)
{
    Fixture *f = calloc(1, sizeof(*f));
    FacetRuntimeOptions opts = FACET_RUNTIME_OPTIONS_INIT;
    opts.log_level = FACET_LOG_ERROR + 1; /* quiet */
    if (f == NULL || facet_runtime_new(&f->rt, &opts) != FACET_OK)
        return -1;
    snprintf(f->dir, sizeof(f->dir), "%s", facet_test_tmpdir());
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    Fixture *f = *state;
    assert_int_equal(facet_runtime_free(f->rt), FACET_OK);
    facet_test_remove_tree(f->dir);
    free(f);
    assert_no_leaks();
    return 0;
}

static const char *tmp_path(Fixture *f, const char *name)
{
    static char path[4200];
    snprintf(path, sizeof(path), "%s/%s", f->dir, name);
    return path;
}

/* Loads path and expects code, with every given substring in the message,
 * and nothing loaded afterwards. */
#define expect_load_error(f, path, code, ...)                                      \
    do {                                                                           \
        FacetModule *m_ = (FacetModule *)1;                                        \
        FacetRuntimeStats st_ = FACET_RUNTIME_STATS_INIT;                          \
        expect_error(facet_module_load(&m_, (f)->rt, path), code, __VA_ARGS__);    \
        assert_null(m_);                                                           \
        assert_int_equal(facet_runtime_stats(&st_, (f)->rt), FACET_OK);            \
        assert_int_equal(st_.modules_loaded, 0);                                   \
        assert_int_equal(st_.classes, 0);                                          \
    } while (0)

static void test_core_loader__good_module(void **state)
{
    Fixture *f = *state;
    FacetModule *m, *again;
    FacetModuleInfo info = FACET_MODULE_INFO_INIT;
    FacetRuntimeStats st = FACET_RUNTIME_STATS_INIT;
    IFacetFactory *factory;
    uint32_t count = 0;

    assert_int_equal(facet_module_load(&m, f->rt, facet_test_module("alpha")), FACET_OK);
    assert_int_equal(facet_module_info(&info, m), FACET_OK);
    assert_string_equal(info.name, "test.alpha");
    assert_string_equal(info.version, "1.2.3");
    assert_int_equal(info.abi_version, FACET_ABI_VERSION);
    assert_non_null(info.compiler);
    assert_non_null(strstr(facet_module_path(m), "alpha"));
    assert_int_equal(facet_module_factory(&factory, m), FACET_OK);
    assert_int_equal(IFacetFactory_GetClassCount(factory, &count), FACET_OK);
    assert_int_equal(count, 2);
    IFacetFactory_Release(factory);

    /* The same file again is the same module, held twice. */
    assert_int_equal(facet_module_load(&again, f->rt, facet_test_module("alpha")), FACET_OK);
    assert_ptr_equal(again, m);
    assert_int_equal(facet_runtime_stats(&st, f->rt), FACET_OK);
    assert_int_equal(st.modules_loaded, 1);
    assert_int_equal(st.classes, 2);
    assert_int_equal(facet_module_unload(m), FACET_OK);
    assert_int_equal(facet_runtime_stats(&st, f->rt), FACET_OK);
    assert_int_equal(st.classes, 2); /* still held once */
    assert_int_equal(facet_module_unload(m), FACET_OK);
    assert_int_equal(facet_runtime_stats(&st, f->rt), FACET_OK);
    assert_int_equal(st.modules_loaded, 0);
    assert_int_equal(st.classes, 0);
}

static void test_core_loader__missing_file(void **state)
{
    Fixture *f = *state;
    const char *p = tmp_path(f, "nothing-here.so");
    expect_load_error(f, p, FACET_E_FILENOTFOUND, p, "no such file");
}

static void test_core_loader__directory(void **state)
{
    Fixture *f = *state;
    expect_load_error(f, f->dir, FACET_E_NOTAFILE, f->dir, "a directory");
}

static void test_core_loader__empty_file(void **state)
{
    Fixture *f = *state;
    const char *p = tmp_path(f, "empty.so");
    facet_test_write_file(p, "", 0);
    expect_load_error(f, p, FACET_E_EMPTYFILE, p, "empty (0 bytes)");
}

static void test_core_loader__text_file(void **state)
{
    Fixture *f = *state;
    const char *p = tmp_path(f, "readme.so");
    const char text[] = "This is not a library.\n";
    facet_test_write_file(p, text, sizeof(text) - 1);
    expect_load_error(f, p, FACET_E_NOTLIBRARY, p, "a text file", "This is not a li",
                      "shared library");
}

static void *copy_of_alpha(size_t *size)
{
    return facet_test_read_file(facet_test_module("alpha"), size);
}

static void test_core_loader__truncated(void **state)
{
    Fixture *f = *state;
    size_t size, cut;
    char *image = copy_of_alpha(&size);
    const char *p = tmp_path(f, "truncated.so");
    /* Cut at several places: inside the header, inside the program
     * headers, inside the code. */
    const size_t cuts[] = {3, 20, 100, 2000};
    for (cut = 0; cut < sizeof(cuts) / sizeof(cuts[0]); cut++) {
        facet_test_write_file(p, image, cuts[cut]);
        expect_load_error(f, p, FACET_E_TRUNCATED, p, "truncated");
    }
    facet_test_write_file(p, image, size / 2);
    expect_load_error(f, p, FACET_E_TRUNCATED, p, "truncated", "the file has");
    free(image);
}

/* Rewrites the machine field of an ELF or PE image. */
static void set_machine(char *image, uint16_t elf_machine, uint16_t pe_machine)
{
    if (memcmp(image, "\177ELF", 4) == 0) {
        memcpy(image + 18, &elf_machine, 2); /* little-endian hosts */
    } else {
        uint32_t peoff;
        memcpy(&peoff, image + 0x3C, 4);
        memcpy(image + peoff + 4, &pe_machine, 2);
    }
}

static void test_core_loader__other_machine(void **state)
{
    Fixture *f = *state;
    size_t size;
    char *image = copy_of_alpha(&size);
    const char *p = tmp_path(f, "aarch64.so");
    set_machine(image, 183 /* EM_AARCH64 */, 0xaa64);
    facet_test_write_file(p, image, size);
    expect_load_error(f, p, FACET_E_WRONGARCH, p, "for aarch64 (64-bit)", "this host is");
    free(image);
}

static void test_core_loader__other_word_size(void **state)
{
    Fixture *f = *state;
    size_t size;
    char *image = copy_of_alpha(&size);
    const char *p = tmp_path(f, "i386.so");
    if (memcmp(image, "\177ELF", 4) == 0) {
        image[4] = 1; /* ELFCLASS32 */
        set_machine(image, 3 /* EM_386 */, 0);
    } else {
        set_machine(image, 0, 0x14c);
    }
    facet_test_write_file(p, image, size);
    expect_load_error(f, p, FACET_E_WRONGARCH, p, "i386 (32-bit)");
    free(image);
}

static void test_core_loader__no_entry(void **state)
{
    Fixture *f = *state;
    const char *p = facet_test_module("bad_no_entry");
    expect_load_error(f, p, FACET_E_NOENTRY, p, "no symbol 'facet_module_entry'", "FACET_EXPORT");
}

static void test_core_loader__refuses_abi(void **state)
{
    Fixture *f = *state;
    const char *p = facet_test_module("bad_refuse_abi");
    expect_load_error(f, p, FACET_E_ABIMISMATCH, p, "refused host ABI version 1");
}

static void test_core_loader__null_factory(void **state)
{
    Fixture *f = *state;
    const char *p = facet_test_module("bad_null_factory");
    expect_load_error(f, p, FACET_E_CONTRACT, p, "FACET_OK", "no factory");
}

static void test_core_loader__small_module_info(void **state)
{
    Fixture *f = *state;
    const char *p = facet_test_module("bad_small_info");
    expect_load_error(f, p, FACET_E_STRUCTSIZE, p, "filled 8 bytes of FacetModuleInfo");
}

static void test_core_loader__class_count_lies(void **state)
{
    Fixture *f = *state;
    const char *p = facet_test_module("bad_class_count");
    expect_load_error(f, p, FACET_E_CONTRACT, p, "DescribeClass(2)", "said 3 classes");
}

static void test_core_loader__api_level(void **state)
{
    Fixture *f = *state;
    const char *p = facet_test_module("bad_api_level");
    expect_load_error(f, p, FACET_E_APILEVEL, p, "needs host API level 99", "offers 1");
}

static void test_core_loader__conflict(void **state)
{
    Fixture *f = *state;
    FacetModule *m;
    FacetRuntimeStats st = FACET_RUNTIME_STATS_INIT;
    assert_int_equal(facet_module_load(&m, f->rt, facet_test_module("alpha")), FACET_OK);
    expect_error(facet_module_load(&m, f->rt, facet_test_module("alpha_twin")), FACET_E_CONFLICT,
                 "alpha_twin", "module test.alpha (", "which claimed it first",
                 "{0A1FA000-0000-4000-8000-000000000001}");
    assert_null(m);
    assert_int_equal(facet_runtime_stats(&st, f->rt), FACET_OK);
    assert_int_equal(st.modules_loaded, 1);
    assert_int_equal(st.classes, 2);
}

static void test_core_loader__bad_arguments(void **state)
{
    Fixture *f = *state;
    FacetModule *m;
    FacetModuleInfo info = FACET_MODULE_INFO_INIT;
    expect_error(facet_module_load(NULL, f->rt, "x"), FACET_E_POINTER, "'out'");
    expect_error(facet_module_load(&m, NULL, "x"), FACET_E_POINTER, "'rt'");
    expect_error(facet_module_load(&m, f->rt, NULL), FACET_E_POINTER, "'path'");
    expect_error(facet_module_load(&m, f->rt, ""), FACET_E_INVALIDARG, "empty");
    expect_error(facet_module_unload(NULL), FACET_E_POINTER, "'module'");
    expect_error(facet_module_info(NULL, NULL), FACET_E_POINTER, "'out'");
    expect_error(facet_module_info(&info, NULL), FACET_E_POINTER, "'module'");
    expect_error(facet_module_factory(NULL, NULL), FACET_E_POINTER, "'out'");
    assert_null(facet_module_path(NULL));
}

static void test_core_loader__unload_twice(void **state)
{
    Fixture *f = *state;
    FacetModule *m;
    ITestCounter *c;
    assert_int_equal(facet_module_load(&m, f->rt, facet_test_module("alpha")), FACET_OK);
    assert_int_equal(facet_create_instance((void **)&c, f->rt, &CLSID_AlphaCounter, NULL,
                                           &IID_ITestCounter),
                     FACET_OK);
    /* A live object keeps the module mapped; a second unload is an error. */
    assert_int_equal(facet_module_unload(m), FACET_FALSE);
    expect_error(facet_module_unload(m), FACET_E_STATE, "already unloaded");
    ITestCounter_Release(c);
    assert_int_equal(facet_runtime_collect(f->rt), FACET_OK);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_core_loader__good_module),      T(test_core_loader__missing_file),
        T(test_core_loader__directory),        T(test_core_loader__empty_file),
        T(test_core_loader__text_file),        T(test_core_loader__truncated),
        T(test_core_loader__other_machine),    T(test_core_loader__other_word_size),
        T(test_core_loader__no_entry),         T(test_core_loader__refuses_abi),
        T(test_core_loader__null_factory),     T(test_core_loader__small_module_info),
        T(test_core_loader__class_count_lies), T(test_core_loader__api_level),
        T(test_core_loader__conflict),         T(test_core_loader__bad_arguments),
        T(test_core_loader__unload_twice),
    };
    return cmocka_run_group_tests_name("core/loader", tests, NULL, NULL);
}
