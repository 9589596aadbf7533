/*
 * tests/compat/os_paths.c - the platform layer's paths, on every platform
 * (core/os/posix.c, core/os/win32.c; under Wine through
 * tests/compat/libfacet_wine.sh): UTF-8 paths reach the system intact, one
 * file under two spellings is one module, and a missing file is named in
 * its message, UTF-8 and all.
 */
#define _POSIX_C_SOURCE 200809L
#include "support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef _WIN32
#include <windows.h>
#define MODULE_SUFFIX ".dll"
#else
#include <sys/stat.h>
#include <unistd.h>
#define MODULE_SUFFIX ".so"
#endif

/* A folder name in three scripts, with a space and a check mark. */
#define UTF8_DIR "m\xC3\xB6" "d\xC3\xBCl\xC3\xA9 \xE2\x9C\x93 \xE6\xA8\xA1\xE5\x9D\x97"

typedef struct Fixture {
    FacetRuntime *rt;
    char tmp[4096];
    char dir[4200];    /* tmp/UTF8_DIR */
    char module[4300]; /* dir/alpha.so */
    char link[4300];   /* the second spelling, where the test makes one */
} Fixture;

#ifdef _WIN32
static wchar_t *wide(const char *s)
{
    static wchar_t buf[4400];
    if (MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, buf, 4400) == 0)
        fail_msg("%s is not UTF-8", s);
    return buf;
}
static void make_dir(const char *path)
{
    if (!CreateDirectoryW(wide(path), NULL))
        fail_msg("cannot create %s (error %lu)", path, (unsigned long)GetLastError());
}
static void write_file(const char *path, const void *data, size_t size)
{
    DWORD n = 0;
    HANDLE h = CreateFileW(wide(path), GENERIC_WRITE, 0, NULL, CREATE_ALWAYS,
                           FILE_ATTRIBUTE_NORMAL, NULL);
    if (h == INVALID_HANDLE_VALUE || !WriteFile(h, data, (DWORD)size, &n, NULL) || n != size)
        fail_msg("cannot write %s", path);
    CloseHandle(h);
}
static void remove_file(const char *path)
{
    DeleteFileW(wide(path));
}
static void remove_dir(const char *path)
{
    RemoveDirectoryW(wide(path));
}
#else
static void make_dir(const char *path)
{
    if (mkdir(path, 0700) != 0)
        fail_msg("cannot create %s", path);
}
static void write_file(const char *path, const void *data, size_t size)
{
    facet_test_write_file(path, data, size);
}
static void remove_file(const char *path)
{
    unlink(path);
}
static void remove_dir(const char *path)
{
    rmdir(path);
}
#endif

static int setup(void **state)
{
    Fixture *f = calloc(1, sizeof(*f));
    FacetRuntimeOptions opts = FACET_RUNTIME_OPTIONS_INIT;
    size_t size;
    void *image;
    opts.log_level = FACET_LOG_ERROR + 1; /* quiet */
    if (f == NULL || facet_runtime_new(&f->rt, &opts) != FACET_OK)
        return -1;
    snprintf(f->tmp, sizeof(f->tmp), "%s", facet_test_tmpdir());
    snprintf(f->dir, sizeof(f->dir), "%s/%s", f->tmp, UTF8_DIR);
    snprintf(f->module, sizeof(f->module), "%s/alpha%s", f->dir, MODULE_SUFFIX);
    make_dir(f->dir);
    image = facet_test_read_file(facet_test_module("alpha"), &size);
    write_file(f->module, image, size);
    free(image);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    Fixture *f = *state;
    /* The runtime first: Windows keeps a loaded DLL's file. */
    assert_int_equal(facet_runtime_free(f->rt), FACET_OK);
    if (f->link[0] != '\0')
        remove_file(f->link);
    remove_file(f->module);
    remove_dir(f->dir);
    facet_test_remove_tree(f->tmp);
    free(f);
    assert_no_leaks();
    return 0;
}

static void expect_loaded(Fixture *f, uint32_t modules, uint32_t classes)
{
    FacetRuntimeStats st = FACET_RUNTIME_STATS_INIT;
    assert_int_equal(facet_runtime_stats(&st, f->rt), FACET_OK);
    assert_int_equal(st.modules_loaded, modules);
    assert_int_equal(st.classes, classes);
}

static void test_compat_os_paths__utf8_folder(void **state)
{
    Fixture *f = *state;
    FacetModule *m = NULL;
    FacetModuleInfo info = {sizeof(FacetModuleInfo), 0, NULL, NULL, 0, NULL};
    if (facet_module_load(&m, f->rt, f->module) != FACET_OK)
        fail_msg("loading %s: %s", f->module, facet_last_error());
    assert_non_null(strstr(facet_module_path(m), UTF8_DIR));
    assert_int_equal(facet_module_info(&info, m), FACET_OK);
    assert_string_equal(info.name, "test.alpha");
    expect_loaded(f, 1, 2);
}

/* The same file reached by another path is the module already loaded, not
 * a second copy whose classes would conflict with the first's. */
static void test_compat_os_paths__one_file_two_spellings(void **state)
{
    Fixture *f = *state;
    FacetModule *m1 = NULL, *m2 = NULL;
    char dotted[4400];
    assert_int_equal(facet_module_load(&m1, f->rt, f->module), FACET_OK);
    snprintf(dotted, sizeof(dotted), "%s/./../%s/alpha%s", f->dir, UTF8_DIR, MODULE_SUFFIX);
    if (facet_module_load(&m2, f->rt, dotted) != FACET_OK)
        fail_msg("loading %s: %s", dotted, facet_last_error());
    assert_ptr_equal(m1, m2);
    assert_null(strstr(facet_module_path(m1), "/./"));
    assert_null(strstr(facet_module_path(m1), ".."));
#ifdef _WIN32
    /* Windows names ignore case: the upper-case spelling is the same file. */
    snprintf(f->link, sizeof(f->link), "%s", f->module);
    {
        char *p = strrchr(f->link, '/');
        for (; *p != '\0'; p++)
            if (*p >= 'a' && *p <= 'z')
                *p = (char)(*p - 'a' + 'A');
    }
    assert_int_equal(facet_module_load(&m2, f->rt, f->link), FACET_OK);
    f->link[0] = '\0'; /* the same file: nothing more to remove */
#else
    /* A symbolic link to the file is the same file. */
    snprintf(f->link, sizeof(f->link), "%s/link-to-alpha%s", f->tmp, MODULE_SUFFIX);
    assert_int_equal(symlink(f->module, f->link), 0);
    assert_int_equal(facet_module_load(&m2, f->rt, f->link), FACET_OK);
#endif
    assert_ptr_equal(m1, m2);
    expect_loaded(f, 1, 2);
}

static void test_compat_os_paths__missing_file_named(void **state)
{
    Fixture *f = *state;
    FacetModule *m = (FacetModule *)1;
    char path[4400];
    snprintf(path, sizeof(path), "%s/nothing-here%s", f->dir, MODULE_SUFFIX);
    expect_error(facet_module_load(&m, f->rt, path), FACET_E_FILENOTFOUND, path, "no such file");
    assert_null(m);
    expect_loaded(f, 0, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_compat_os_paths__utf8_folder, setup, teardown),
        cmocka_unit_test_setup_teardown(test_compat_os_paths__one_file_two_spellings, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_compat_os_paths__missing_file_named, setup,
                                        teardown),
    };
    return cmocka_run_group_tests_name("compat/os_paths", tests, NULL, NULL);
}
