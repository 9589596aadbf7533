/*
 * tests/kit/interpose.c - the kit's names never interpose between two
 * copies of the kit. This host is linked with -rdynamic and has a module
 * built with each kit inside it (kit_c.c and kit_cpp.cpp, KIT_IN_HOST),
 * which it starts first, without a host object, so that its kits' state
 * differs from a loaded module's: no allocator, no string service, and
 * objects of their own. It then loads modules built with the same kit that
 * could bind to the host's copies: in C, one built without
 * -fvisibility=hidden and one built by TinyCC, which cannot hide a symbol;
 * in C++, one built without -fvisibility=hidden nor
 * -fvisibility-inlines-hidden. Each must create its object, reach the
 * host's string service and count its objects through its own kit: a
 * module that called the host program's copy would see another module's
 * state (an extra live object, or no allocator or host).
 */
#include "support.h"

#include <stdlib.h>
#include <string.h>

#include "kit.h"

FacetResult kit_host_entry(uint32_t host_abi_version, IFacetUnknown *host, const FacetGuid *iid,
                           void **factory);
FacetResult kit_cpp_host_entry(uint32_t host_abi_version, IFacetUnknown *host,
                               const FacetGuid *iid, void **factory);

static const char *tcc_module;

/* The module at path, loaded beside the host's own copy of the kit. */
static void check_module(const char *path, const char *name)
{
    FacetRuntime *rt;
    FacetModule *module;
    IFacetFactory *own, *factory;
    IKitCalc *mine, *calc;
    IKitName *named;
    IFacetString *text;
    const char *s = NULL;
    int32_t sum = 0;

    assert_int_equal(facet_runtime_new(&rt, NULL), FACET_OK);
    /* The host's own kit: no runtime host object, so its allocator is
     * missing; one object alive once its allocator is there. */
    assert_int_equal(kit_host_entry(FACET_ABI_VERSION, NULL, &IID_IFacetFactory, (void **)&own),
                     FACET_OK);
    assert_int_equal(IFacetFactory_CreateInstance(own, &CLSID_KitC, NULL, &IID_IKitCalc,
                                                  (void **)&mine),
                     FACET_E_UNEXPECTED); /* positive control: the host's kit has no host */

    assert_int_equal(facet_module_load(&module, rt, path), FACET_OK);
    assert_int_equal(facet_module_factory(&factory, module), FACET_OK);
    assert_int_equal(IFacetFactory_CreateInstance(factory, &CLSID_KitC, NULL, &IID_IKitCalc,
                                                  (void **)&calc),
                     FACET_OK);
    assert_int_equal(IKitCalc_Add(calc, 2, 3, &sum), FACET_OK);
    assert_int_equal(sum, 5);
    assert_int_equal(IKitCalc_QueryInterface(calc, &IID_IKitName, (void **)&named), FACET_OK);
    assert_int_equal(IKitName_GetName(named, &text), FACET_OK);
    assert_int_equal(IFacetString_GetText(text, &s), FACET_OK);
    assert_string_equal(s, name);
    IFacetString_Release(text);
    assert_int_equal(IKitName_Release(named), 1);
    assert_int_equal(IFacetFactory_CanUnload(factory), FACET_FALSE);
    assert_int_equal(IFacetFactory_CanUnload(own), FACET_OK); /* the host's count is its own */
    assert_int_equal(IKitCalc_Release(calc), 0);
    assert_int_equal(IFacetFactory_CanUnload(factory), FACET_OK);
    IFacetFactory_Release(factory);
    IFacetFactory_Release(own);
    assert_int_equal(facet_module_unload(module), FACET_OK);
    assert_int_equal(facet_runtime_free(rt), FACET_OK);
    assert_no_leaks();
}

static void test_kit_interpose__default_visibility(void **state)
{
    (void)state;
    check_module(facet_test_module("kit_c_default"), "kit, default visibility");
}

static void test_kit_interpose__tinycc(void **state)
{
    (void)state;
    if (tcc_module == NULL) {
        print_message("SKIPPED: tcc is not installed\n");
        skip();
    }
    check_module(tcc_module, "kit by tcc");
}

/* The C++ kit: the host's own C++ module holds a live object throughout,
 * and the loaded module's counts, CanUnload and host services are its own. */
static void test_kit_interpose__cpp_default_visibility(void **state)
{
    FacetRuntime *rt;
    FacetModule *module;
    IFacetFactory *own, *factory;
    IKitCalc *mine, *calc;
    IKitName *named;
    IFacetString *text;
    const char *s = NULL;
    int32_t sum = 0;
    (void)state;

    assert_int_equal(facet_runtime_new(&rt, NULL), FACET_OK);
    /* The host's C++ kit, started without a host object: it makes and
     * counts objects, but has no string service. */
    assert_int_equal(kit_cpp_host_entry(FACET_ABI_VERSION, NULL, &IID_IFacetFactory, (void **)&own),
                     FACET_OK);
    assert_int_equal(IFacetFactory_CreateInstance(own, &CLSID_KitCpp, NULL, &IID_IKitCalc,
                                                  (void **)&mine),
                     FACET_OK);
    assert_int_equal(IKitCalc_QueryInterface(mine, &IID_IKitName, (void **)&named), FACET_OK);
    text = NULL;
    assert_int_equal(IKitName_GetName(named, &text), FACET_E_UNEXPECTED); /* positive control */
    assert_null(text);
    assert_int_equal(IKitName_Release(named), 1);
    assert_int_equal(IFacetFactory_CanUnload(own), FACET_FALSE);

    assert_int_equal(facet_module_load(&module, rt, facet_test_module("kit_cpp_default")), FACET_OK);
    assert_int_equal(facet_module_factory(&factory, module), FACET_OK);
    assert_int_equal(IFacetFactory_CanUnload(factory), FACET_OK); /* not the host's live object */
    assert_int_equal(IFacetFactory_CreateInstance(factory, &CLSID_KitCpp, NULL, &IID_IKitCalc,
                                                  (void **)&calc),
                     FACET_OK);
    assert_int_equal(IKitCalc_Add(calc, 2, 3, &sum), FACET_OK);
    assert_int_equal(sum, 5);
    assert_int_equal(IKitCalc_Fail(calc, 1), FACET_E_ACCESSDENIED); /* a throw, as a result */
    assert_int_equal(IKitCalc_QueryInterface(calc, &IID_IKitName, (void **)&named), FACET_OK);
    assert_int_equal(IKitName_GetName(named, &text), FACET_OK);
    assert_int_equal(IFacetString_GetText(text, &s), FACET_OK);
    assert_string_equal(s, "kit in C++, default visibility");
    IFacetString_Release(text);
    assert_int_equal(IKitName_Release(named), 1);
    assert_int_equal(IFacetFactory_CanUnload(factory), FACET_FALSE);
    assert_int_equal(IKitCalc_Release(calc), 0);
    assert_int_equal(IFacetFactory_CanUnload(factory), FACET_OK);
    assert_int_equal(IFacetFactory_CanUnload(own), FACET_FALSE); /* the host's is still alive */
    assert_int_equal(IKitCalc_Release(mine), 0);
    assert_int_equal(IFacetFactory_CanUnload(own), FACET_OK);
    IFacetFactory_Release(factory);
    IFacetFactory_Release(own);
    assert_int_equal(facet_module_unload(module), FACET_OK);
    assert_int_equal(facet_runtime_free(rt), FACET_OK);
    assert_no_leaks();
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kit_interpose__default_visibility),
        cmocka_unit_test(test_kit_interpose__tinycc),
        cmocka_unit_test(test_kit_interpose__cpp_default_visibility),
    };
    tcc_module = argc > 1 && argv[1][0] != '\0' ? argv[1] : NULL;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
