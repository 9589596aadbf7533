/*
 * components.c - one IDL (components/counter.idl), two components written
 * against the header facet-idl generates from it: one in C, one in C++.
 * Both are driven here from C through the generated call macros, and each
 * object is released to zero.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <facet/typeinfo.h>

#include "counter.h"
#include "counter_component.h"

typedef FacetResult (*create_fn)(INamedCounter **out);

static void exercise(create_fn create, const char *expected_name)
{
    INamedCounter *c = NULL;
    ICounter *base = NULL;
    IFacetLogger *none = NULL;
    IFacetUnknown *u1 = NULL, *u2 = NULL;
    CounterStats stats = {sizeof(CounterStats), 0, 0};
    const int32_t steps[3] = {1, 2, 3};
    int64_t v = 0;
    const char *name = NULL;
    assert_int_equal(create(&c), FACET_OK);
    assert_int_equal(INamedCounter_Add(c, 5, &v), FACET_OK);
    assert_int_equal(v, 5);
    assert_int_equal(INamedCounter_Add(c, 5000, &v), FACET_E_INVALIDARG);
    assert_int_equal(INamedCounter_AddMany(c, 3, steps), FACET_OK);
    assert_int_equal(INamedCounter_GetStats(c, &stats), FACET_OK);
    assert_int_equal(stats.total, 4);
    assert_int_equal(stats.last, 3);
    assert_int_equal(INamedCounter_GetName(c, &name), FACET_OK);
    assert_string_equal(name, expected_name);
    assert_int_equal(INamedCounter_QueryInterface(c, &IID_ICounter, (void **)&base), FACET_OK);
    assert_int_equal(ICounter_Add(base, -1, &v), FACET_OK);
    assert_int_equal(v, 10);
    assert_int_equal(ICounter_QueryInterface(base, &IID_IFacetLogger, (void **)&none),
                     FACET_E_NOINTERFACE);
    assert_null(none);
    assert_int_equal(ICounter_QueryInterface(base, &IID_IFacetUnknown, (void **)&u1), FACET_OK);
    assert_int_equal(INamedCounter_QueryInterface(c, &IID_IFacetUnknown, (void **)&u2), FACET_OK);
    assert_ptr_equal(u1, u2);
    assert_int_equal(IFacetUnknown_Release(u1), 3);
    assert_int_equal(IFacetUnknown_Release(u2), 2);
    assert_int_equal(ICounter_Release(base), 1);
    assert_int_equal(INamedCounter_Release(c), 0);
}

static void test_idl_components__c(void **state)
{
    (void)state;
    exercise(counter_create_c, "c-counter");
}

static void test_idl_components__cpp(void **state)
{
    (void)state;
    exercise(counter_create_cpp, "cpp-counter");
}

static void test_idl_components__typeinfo(void **state)
{
    const FacetInterfaceInfo *named = FacetTypeLibFind(&facet_typeinfo_counter, "INamedCounter");
    const FacetInterfaceInfo *counter = FacetTypeLibFind(&facet_typeinfo_counter, "ICounter");
    (void)state;
    assert_non_null(named);
    assert_non_null(counter);
    assert_ptr_equal(named->base, counter);
    assert_int_equal(named->first_slot, 7);
    assert_string_equal(named->methods[0].name, "GetName");
    assert_int_equal(named->methods[0].slot, 7);
    assert_int_equal(counter->methods[0].params[1].flags, FACET_TI_OUT | FACET_TI_RETVAL);
    assert_int_equal(counter->methods[3].params[1].size_is, 0);
    assert_int_equal(counter->methods[2].params[0].type.kind, FACET_TI_INTERFACE);
    assert_memory_equal(counter->methods[2].params[0].type.iid, &IID_IFacetString,
                        sizeof(FacetGuid));
    assert_int_equal(facet_typeinfo_counter.coclass_count, 2);
    assert_memory_equal(&facet_typeinfo_counter.coclasses[0].clsid, &CLSID_CCounter,
                        sizeof(FacetGuid));
    assert_int_equal(facet_typeinfo_counter.coclasses[0].default_interface, 0);
    assert_int_equal(facet_typeinfo_counter.struct_count, 1);
    assert_string_equal(facet_typeinfo_counter.structs[0].name, "CounterStats");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_idl_components__c),
        cmocka_unit_test(test_idl_components__cpp),
        cmocka_unit_test(test_idl_components__typeinfo),
    };
    return cmocka_run_group_tests_name("test_idl_components", tests, NULL, NULL);
}
