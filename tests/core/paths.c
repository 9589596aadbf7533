/*
 * tests/core/paths.c - paths as text (core/base/path.c): the last
 * component, the folder part, joining and whether a path is absolute, the
 * one copy libfacet, the IDL compiler and the facet command share. Built
 * on core/base alone (facet_base), like every user of the layer but
 * libfacet.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/base.h"

static void test_core_paths__basename(void **state)
{
    (void)state;
    assert_string_equal(facet__path_basename("a/b/c.so"), "c.so");
    assert_string_equal(facet__path_basename("c.so"), "c.so");
    assert_string_equal(facet__path_basename("/c.so"), "c.so");
    assert_string_equal(facet__path_basename("a/b/"), "");
    assert_string_equal(facet__path_basename(""), "");
    /* Both separators, on every platform: a manifest written on Windows
     * is read on Linux. */
    assert_string_equal(facet__path_basename("C:\\plug ins\\gr\xc3\xbc\xc3\x9f.dll"),
                        "gr\xc3\xbc\xc3\x9f.dll");
    assert_string_equal(facet__path_basename("a\\b/c"), "c");
    assert_string_equal(facet__path_basename("a/b\\c"), "c");
}

static void check_dirname(const char *path, const char *want)
{
    FacetArena a = {0};
    char *dir = facet__path_dirname(path), *in_arena = facet__arena_dirname(&a, path);
    assert_non_null(dir);
    assert_non_null(in_arena);
    assert_string_equal(dir, want);
    assert_string_equal(in_arena, want);
    facet__free(dir);
    facet__arena_free(&a);
}

static void test_core_paths__dirname(void **state)
{
    int has_dir = -1;
    (void)state;
    check_dirname("a/b/c.so", "a/b");
    check_dirname("c.so", ".");
    check_dirname("/c.so", "/");
    check_dirname("a\\b\\c.dll", "a\\b");
    check_dirname("dir/", "dir");
    assert_int_equal(facet__path_dirname_len("c.so", &has_dir), 0);
    assert_int_equal(has_dir, 0);
    assert_int_equal(facet__path_dirname_len("/c.so", &has_dir), 0);
    assert_int_equal(has_dir, 1);
    assert_int_equal(facet__path_dirname_len("ab/c.so", &has_dir), 2);
    assert_int_equal(has_dir, 1);
}

static void test_core_paths__join(void **state)
{
    FacetArena a = {0};
    char *p = facet__path_join("plug ins", "gr\xc3\xbc\xc3\x9f.facet.json");
    (void)state;
    assert_non_null(p);
    assert_string_equal(p, "plug ins/gr\xc3\xbc\xc3\x9f.facet.json");
    facet__free(p);
    p = facet__arena_join(&a, "", "x");
    assert_non_null(p);
    assert_string_equal(p, "/x");
    facet__arena_free(&a);
}

static void test_core_paths__is_absolute(void **state)
{
    (void)state;
    assert_true(facet__path_is_absolute("/usr/lib"));
    assert_true(facet__path_is_absolute("\\\\server\\share"));
    assert_true(facet__path_is_absolute("C:\\x"));
    assert_true(facet__path_is_absolute("c:x"));
    assert_false(facet__path_is_absolute("lib/x.so"));
    assert_false(facet__path_is_absolute("x"));
    assert_false(facet__path_is_absolute(""));
    assert_false(facet__path_is_absolute("./x"));
}

/* Out of memory is NULL, never a crash, and nothing stays allocated. */
static void test_core_paths__out_of_memory(void **state)
{
    uint64_t live;
    (void)state;
    live = facet_testing_live_allocations();
    facet_testing_fail(FACET_FAULT_ALLOC, 1, 0);
    assert_null(facet__path_join("a", "b"));
    facet_testing_fail(FACET_FAULT_ALLOC, 1, 0);
    assert_null(facet__path_dirname("a/b"));
    assert_int_equal(facet_testing_failures(FACET_FAULT_ALLOC), 1);
    facet_testing_fail(FACET_FAULT_ALLOC, 0, 0);
    assert_int_equal(facet_testing_live_allocations(), live);
    /* The positive control: the same calls succeed once nothing fails. */
    {
        char *j = facet__path_join("a", "b"), *d = facet__path_dirname("a/b");
        assert_string_equal(j, "a/b");
        assert_string_equal(d, "a");
        facet__free(j);
        facet__free(d);
    }
}

/* "." and ".." taken out as text: what a granted folder is compared by. */
static void test_core_paths__normalize(void **state)
{
    static const char *const cases[][2] = {
        {"/data/./x/../y/", "/data/y"},
        {"/data/../data2", "/data2"},
        {"/data2/../data", "/data"},
        {"/..", "/"},
        {"/a/b/../../..", "/"},
        {"/a/..", "/"},
        {"//a//b//", "/a/b"},
        {"a/b/..", "a"},
        {"a/../..", ".."},
        {"a/b/../../../c", "../c"},
        {"../x", "../x"},
        {"./", "."},
        {"", "."},
        {"x/./y", "x/y"},
        {"C:\\data\\..\\x", "C:/x"},
        {"C:x\\..\\y", "C:y"},
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char buf[64];
        size_t n;
        strcpy(buf, cases[i][0]);
        n = facet__path_normalize(buf);
        print_message("%s -> %s\n", cases[i][0], buf);
        assert_string_equal(buf, cases[i][1]);
        assert_int_equal(n, strlen(cases[i][1]));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_core_paths__basename),
        cmocka_unit_test(test_core_paths__dirname),
        cmocka_unit_test(test_core_paths__join),
        cmocka_unit_test(test_core_paths__is_absolute),
        cmocka_unit_test(test_core_paths__normalize),
        cmocka_unit_test(test_core_paths__out_of_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
