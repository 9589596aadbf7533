/*
 * tests/kit/kit.c - the module kits: a class with two interfaces written
 * with facet/module.h's interface map and one written with
 * facet/module.hpp. Identity, reference counts, CanUnload's count of live
 * objects, the class description, the C++ kit's exceptions turned into
 * results, and the conformance run of facet_validate over both.
 */
#include "support.h"

#include <string.h>

#include "facet/check.h"
#include "kit.h"

typedef struct Fixture {
    FacetRuntime *rt;
    FacetModule *module;
    IFacetFactory *factory;
} Fixture;

static void open_module(Fixture *f, const char *name)
{
    assert_int_equal(facet_runtime_new(&f->rt, NULL), FACET_OK);
    assert_int_equal(facet_module_load(&f->module, f->rt, facet_test_module(name)), FACET_OK);
    assert_int_equal(facet_module_factory(&f->factory, f->module), FACET_OK);
}

static void close_module(Fixture *f)
{
    IFacetFactory_Release(f->factory);
    assert_int_equal(facet_module_unload(f->module), FACET_OK);
    assert_int_equal(facet_runtime_free(f->rt), FACET_OK);
    assert_no_leaks();
}

/* What both kits must give a class of two interfaces, IKitCalc first. */
static void check_two_interfaces(const char *module, const char *contract, const FacetGuid *clsid,
                                 const char *name)
{
    Fixture f;
    FacetClassInfo ci;
    IKitCalc *calc;
    IKitName *named;
    IFacetUnknown *u1, *u2;
    IFacetString *text;
    const char *s = NULL;
    void *none = &f;
    int32_t sum = 0;

    open_module(&f, module);
    memset(&ci, 0, sizeof(ci));
    ci.struct_size = sizeof(ci);
    assert_int_equal(IFacetFactory_DescribeClass(f.factory, 0, &ci), FACET_OK);
    assert_string_equal(ci.contract, contract);
    assert_true(FacetGuidEqual(&ci.clsid, clsid));
    assert_int_equal(ci.interface_count, 2);
    assert_true(FacetGuidEqual(&ci.interfaces[0], &IID_IKitCalc));
    assert_true(FacetGuidEqual(&ci.interfaces[1], &IID_IKitName));

    assert_int_equal(IFacetFactory_CanUnload(f.factory), FACET_OK); /* nothing alive yet */
    assert_int_equal(facet_create_instance_by_name((void **)&calc, f.rt, contract, NULL,
                                                   &IID_IKitCalc),
                     FACET_OK);
    assert_int_equal(IFacetFactory_CanUnload(f.factory), FACET_FALSE);
    assert_int_equal(IKitCalc_Add(calc, 40, 2, &sum), FACET_OK);
    assert_int_equal(sum, 42);

    /* The second interface, and one count over both. */
    assert_int_equal(IKitCalc_QueryInterface(calc, &IID_IKitName, (void **)&named), FACET_OK);
    assert_ptr_not_equal((void *)named, (void *)calc);
    assert_int_equal(IKitName_AddRef(named), 3);
    assert_int_equal(IKitCalc_Release(calc), 2);
    assert_int_equal(IKitCalc_AddRef(calc), 3);
    assert_int_equal(IKitName_Release(named), 2);
    assert_int_equal(IKitName_GetName(named, &text), FACET_OK);
    assert_int_equal(IFacetString_GetText(text, &s), FACET_OK);
    assert_string_equal(s, name);
    IFacetString_Release(text);

    /* One identity, the first interface, from either. */
    assert_int_equal(IKitName_QueryInterface(named, &IID_IFacetUnknown, (void **)&u1), FACET_OK);
    assert_int_equal(IKitCalc_QueryInterface(calc, &IID_IFacetUnknown, (void **)&u2), FACET_OK);
    assert_ptr_equal(u1, u2);
    assert_ptr_equal((void *)u1, (void *)calc);
    IFacetUnknown_Release(u1);
    IFacetUnknown_Release(u2);
    /* Round trips land on the same pointers. */
    assert_int_equal(IKitName_QueryInterface(named, &IID_IKitCalc, (void **)&u1), FACET_OK);
    assert_ptr_equal((void *)u1, (void *)calc);
    IFacetUnknown_Release(u1);
    /* An interface it has not: NULL and FACET_E_NOINTERFACE, no count. */
    assert_int_equal(IKitCalc_QueryInterface(calc, &IID_IFacetLifecycle, &none),
                     FACET_E_NOINTERFACE);
    assert_null(none);
    assert_int_equal(IKitCalc_QueryInterface(calc, &IID_IKitName, NULL), FACET_E_POINTER);

    assert_int_equal(IKitName_Release(named), 1);
    assert_int_equal(IFacetFactory_CanUnload(f.factory), FACET_FALSE);
    assert_int_equal(IKitCalc_Release(calc), 0);
    assert_int_equal(IFacetFactory_CanUnload(f.factory), FACET_OK);

    /* CreateInstance's own checks. */
    assert_int_equal(IFacetFactory_CreateInstance(f.factory, clsid, NULL, &IID_IFacetLifecycle,
                                                  &none),
                     FACET_E_NOINTERFACE);
    assert_null(none);
    assert_int_equal(IFacetFactory_CanUnload(f.factory), FACET_OK); /* the failed one is gone */
    assert_int_equal(IFacetFactory_CreateInstance(f.factory, &IID_IKitCalc, NULL, &IID_IKitCalc,
                                                  &none),
                     FACET_E_CLASSNOTREG);
    assert_int_equal(IFacetFactory_CreateInstance(f.factory, clsid, (IFacetUnknown *)f.factory,
                                                  &IID_IFacetUnknown, &none),
                     FACET_E_NOAGGREGATION);
    close_module(&f);
}

static void test_kit_kit__c_two_interfaces(void **state)
{
    (void)state;
    check_two_interfaces("kit_c", "test.kit.c", &CLSID_KitC, "kit in C");
}

static void test_kit_kit__cpp_two_interfaces(void **state)
{
    (void)state;
    check_two_interfaces("kit_cpp", "test.kit.cpp", &CLSID_KitCpp, "kit in C++");
}

/* A C++ method that throws returns a failure result; the object lives on. */
static void test_kit_kit__cpp_exceptions(void **state)
{
    Fixture f;
    IKitCalc *calc;
    int32_t sum = 0;
    (void)state;
    open_module(&f, "kit_cpp");
    assert_int_equal(facet_create_instance_by_name((void **)&calc, f.rt, "test.kit.cpp", NULL,
                                                   &IID_IKitCalc),
                     FACET_OK);
    assert_int_equal(IKitCalc_Fail(calc, 0), FACET_OK);
    assert_int_equal(IKitCalc_Fail(calc, 1), FACET_E_ACCESSDENIED); /* facet::kit::Failure */
    assert_int_equal(IKitCalc_Fail(calc, 2), FACET_E_OUTOFMEMORY);  /* std::bad_alloc */
    assert_int_equal(IKitCalc_Fail(calc, 3), FACET_E_FAIL);         /* std::runtime_error */
    assert_int_equal(IKitCalc_Fail(calc, 4), FACET_E_FAIL);         /* throw 42 */
    assert_int_equal(IKitCalc_Add(calc, 1, 2, &sum), FACET_OK);
    assert_int_equal(sum, 3);
    assert_int_equal(IKitCalc_Release(calc), 0);
    close_module(&f);
}

/* The conformance run finds nothing to say of either kit's module. */
static void test_kit_kit__validate(void **state)
{
    static const char *const modules[] = {"kit_c", "kit_cpp"};
    FacetCheckOptions opts = FACET_CHECK_OPTIONS_INIT;
    size_t i;
    (void)state;
    opts.iterations = 2000;
    for (i = 0; i < 2; i++) {
        FacetReport *rep = NULL;
        uint32_t n, j;
        assert_int_equal(facet_validate(&rep, facet_test_module(modules[i]), &opts), FACET_OK);
        n = facet_report_violation_count(rep);
        for (j = 0; j < n; j++) {
            FacetViolation v = FACET_VIOLATION_INIT;
            facet_report_violation(&v, rep, j);
            print_error("%s: %s: expected %s, seen %s\n", modules[i], v.rule, v.expected, v.seen);
        }
        assert_int_equal(n, 0);
        assert_int_equal(facet_report_class_count(rep), 1);
        facet_report_free(rep);
    }
    assert_no_leaks();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kit_kit__c_two_interfaces),
        cmocka_unit_test(test_kit_kit__cpp_two_interfaces),
        cmocka_unit_test(test_kit_kit__cpp_exceptions),
        cmocka_unit_test(test_kit_kit__validate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
