/*
 * tests/fault/boundary.c - modules that break the rules at the boundary:
 * a failure code with a non-NULL out pointer, a success with a NULL one, a
 * class count that disagrees with the class list, struct sizes out of
 * bounds, and a class list that contradicts itself. The runtime refuses
 * each with FACET_E_CONTRACT (or FACET_E_STRUCTSIZE) and a message naming
 * the module and the rule, keeps none of it, and goes on working.
 */
#include <stdio.h>
#include <string.h>

#include "fault.h"
#include "test_itf.h"

static FacetRuntime *rt;

static int setup(void **state)
{
    (void)state;
    return facet_runtime_new(&rt, NULL) == FACET_OK ? 0 : -1;
}

/* The runtime holds nothing of the broken module, and still loads and
 * creates from a good one. */
static int teardown(void **state)
{
    FacetRuntimeStats stats = FACET_RUNTIME_STATS_INIT;
    FacetModule *m = NULL;
    ITestCounter *c = NULL;
    (void)state;
    assert_int_equal(facet_runtime_stats(&stats, rt), FACET_OK);
    assert_int_equal(stats.modules_loaded, 0);
    assert_int_equal(stats.classes, 0);
    assert_int_equal(facet_module_load(&m, rt, facet_test_module("alpha")), FACET_OK);
    assert_int_equal(
        facet_create_instance((void **)&c, rt, &CLSID_AlphaCounter, NULL, &IID_ITestCounter),
        FACET_OK);
    ITestCounter_Release(c);
    assert_int_equal(facet_module_unload(m), FACET_OK);
    assert_int_equal(facet_runtime_free(rt), FACET_OK);
    rt = NULL;
    assert_no_leaks();
    return 0;
}

/* Loading module name fails with code, and the message names the module
 * and each of the NULL-terminated parts. */
#define expect_load_refused(name, code, ...)                                                \
    do {                                                                                    \
        FacetModule *m_ = (FacetModule *)&m_;                                               \
        expect_error(facet_module_load(&m_, rt, facet_test_module(name)), code, name,       \
                     __VA_ARGS__);                                                          \
        assert_null(m_);                                                                    \
    } while (0)

static void test_fault_boundary__entry_fails_with_factory(void **state)
{
    (void)state;
    expect_load_refused("bad_entry_fail_out", FACET_E_CONTRACT, "failed with FACET_E_FAIL",
                        "but set *factory");
}

static void test_fault_boundary__entry_succeeds_without_factory(void **state)
{
    (void)state;
    expect_load_refused("bad_null_factory", FACET_E_CONTRACT, "no factory");
}

static void test_fault_boundary__count_above_list(void **state)
{
    (void)state;
    expect_load_refused("bad_class_count", FACET_E_CONTRACT, "DescribeClass(2) failed",
                        "GetClassCount said 3 classes");
}

static void test_fault_boundary__count_below_list(void **state)
{
    (void)state;
    expect_load_refused("bad_few_classes", FACET_E_CONTRACT, "DescribeClass(1) succeeded",
                        "GetClassCount said 1 classes", "disagree");
}

static void test_fault_boundary__module_info_too_small(void **state)
{
    (void)state;
    expect_load_refused("bad_small_info", FACET_E_STRUCTSIZE, "GetModuleInfo filled 8 bytes");
}

static void test_fault_boundary__module_info_too_big(void **state)
{
    (void)state;
    expect_load_refused("bad_big_info", FACET_E_CONTRACT, "GetModuleInfo set struct_size to 4096",
                        "writes no further than struct_size");
}

static void test_fault_boundary__class_info_too_big(void **state)
{
    char size[32];
    (void)state;
    snprintf(size, sizeof(size), "to %u", (unsigned)(sizeof(FacetClassInfo) + 64));
    expect_load_refused("bad_big_class_info", FACET_E_CONTRACT, "DescribeClass(0) set struct_size",
                        size);
}

static void test_fault_boundary__clsid_twice(void **state)
{
    (void)state;
    expect_load_refused("bad_twice", FACET_E_CONTRACT, "classes 0 and 1 have the same clsid",
                        "{7D1CE000-0000-4000-8000-000000000001}");
}

static void test_fault_boundary__contract_twice(void **state)
{
    (void)state;
    expect_load_refused("bad_same_name", FACET_E_CONTRACT,
                        "classes 0 and 1 have the same contract name", "test.samename.counter");
}

static void test_fault_boundary__entry_fails(void **state)
{
    (void)state;
    expect_load_refused("bad_entry_fails", FACET_E_OUTOFMEMORY,
                        "facet_module_entry failed with FACET_E_OUTOFMEMORY");
}

static void test_fault_boundary__module_info_fails(void **state)
{
    (void)state;
    expect_load_refused("bad_info_fails", FACET_E_UNEXPECTED,
                        "GetModuleInfo failed with FACET_E_UNEXPECTED");
}

static void test_fault_boundary__module_without_name(void **state)
{
    (void)state;
    expect_load_refused("bad_no_name", FACET_E_CONTRACT, "GetModuleInfo gave no name");
}

static void test_fault_boundary__count_fails(void **state)
{
    (void)state;
    expect_load_refused("bad_count_fails", FACET_E_UNEXPECTED,
                        "GetClassCount failed with FACET_E_UNEXPECTED");
}

static void test_fault_boundary__count_garbage(void **state)
{
    (void)state;
    expect_load_refused("bad_huge_count", FACET_E_CONTRACT, "GetClassCount says 4294967295",
                        "the most a module may have is 65536");
}

static void test_fault_boundary__class_info_too_small(void **state)
{
    (void)state;
    expect_load_refused("bad_small_class_info", FACET_E_STRUCTSIZE,
                        "DescribeClass(0) filled 8 bytes of FacetClassInfo");
}

static void test_fault_boundary__class_threading(void **state)
{
    (void)state;
    expect_load_refused("bad_threading", FACET_E_CONTRACT, "class 0 has threading 7");
}

static void test_fault_boundary__class_interfaces_null(void **state)
{
    (void)state;
    expect_load_refused("bad_null_interfaces", FACET_E_CONTRACT,
                        "class 0 lists 1 interfaces but its interfaces pointer is NULL");
}

static void test_fault_boundary__create_succeeds_without_object(void **state)
{
    FacetModule *m = NULL;
    void *obj = &obj;
    (void)state;
    assert_int_equal(facet_module_load(&m, rt, facet_test_module("bad_create_null")), FACET_OK);
    expect_error(facet_create_instance(&obj, rt, &CLSID_AlphaCounter, NULL, &IID_ITestCounter),
                 FACET_E_CONTRACT, "bad_create_null", "returned FACET_OK with a NULL object");
    assert_null(obj);
    assert_int_equal(facet_module_unload(m), FACET_OK);
}

static void test_fault_boundary__create_fails_with_object(void **state)
{
    FacetModule *m = NULL;
    void *obj = NULL;
    (void)state;
    assert_int_equal(facet_module_load(&m, rt, facet_test_module("bad_create_fail_out")),
                     FACET_OK);
    expect_error(facet_create_instance_by_name(&obj, rt, "test.alpha.counter", NULL,
                                               &IID_ITestCounter),
                 FACET_E_CONTRACT, "bad_create_fail_out", "failed with FACET_E_OUTOFMEMORY",
                 "but set *out");
    assert_null(obj);
    assert_int_equal(facet_module_unload(m), FACET_OK);
}

#define BOUNDARY_TEST(t) cmocka_unit_test_setup_teardown(t, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        BOUNDARY_TEST(test_fault_boundary__entry_fails_with_factory),
        BOUNDARY_TEST(test_fault_boundary__entry_succeeds_without_factory),
        BOUNDARY_TEST(test_fault_boundary__count_above_list),
        BOUNDARY_TEST(test_fault_boundary__count_below_list),
        BOUNDARY_TEST(test_fault_boundary__module_info_too_small),
        BOUNDARY_TEST(test_fault_boundary__module_info_too_big),
        BOUNDARY_TEST(test_fault_boundary__class_info_too_big),
        BOUNDARY_TEST(test_fault_boundary__clsid_twice),
        BOUNDARY_TEST(test_fault_boundary__contract_twice),
        BOUNDARY_TEST(test_fault_boundary__entry_fails),
        BOUNDARY_TEST(test_fault_boundary__module_info_fails),
        BOUNDARY_TEST(test_fault_boundary__module_without_name),
        BOUNDARY_TEST(test_fault_boundary__count_fails),
        BOUNDARY_TEST(test_fault_boundary__count_garbage),
        BOUNDARY_TEST(test_fault_boundary__class_info_too_small),
        BOUNDARY_TEST(test_fault_boundary__class_threading),
        BOUNDARY_TEST(test_fault_boundary__class_interfaces_null),
        BOUNDARY_TEST(test_fault_boundary__create_succeeds_without_object),
        BOUNDARY_TEST(test_fault_boundary__create_fails_with_object),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
