/*
 * tests/kit/kit_c.c - a module of one class with two interfaces, written
 * with the C kit's interface map. KIT_IN_HOST builds it into the test host
 * instead, under another entry name, so that the host has a copy of the kit
 * of its own (tests/kit/interpose.c).
 */
#define FACET_KIT_IMPLEMENTATION
#include <facet/module.h>

#include "kit.h"

typedef struct Kit {
    IKitCalc calc;
    IKitName name;
    uint32_t refs;
} Kit;

#define KIT_INTERFACES(X) X(Kit, calc, IKitCalc) X(Kit, name, IKitName)
FACET_KIT_OBJECT(Kit, KIT_INTERFACES)

static FacetResult FACET_CALL add(IKitCalc *self, int32_t a, int32_t b, int32_t *sum)
{
    (void)self;
    if (sum == NULL)
        return FACET_E_POINTER;
    *sum = a + b;
    return FACET_OK;
}

static FacetResult FACET_CALL fail(IKitCalc *self, uint32_t how)
{
    (void)self;
    return how == 0 ? FACET_OK : FACET_E_ACCESSDENIED;
}

static FacetResult FACET_CALL get_name(IKitName *self, IFacetString **out)
{
    (void)self;
    return facet_kit_string(out, KIT_NAME);
}

static const IKitCalcVtbl calc_vtbl = {FACET_KIT_IUNKNOWN(Kit, calc), add, fail};
static const IKitNameVtbl name_vtbl = {FACET_KIT_IUNKNOWN(Kit, name), get_name};

static FacetResult create(IFacetUnknown *outer, const FacetGuid *iid, void **out)
{
    Kit *k;
    FacetResult r = Kit_kit_new(&k);
    (void)outer;
    if (FACET_FAILED(r))
        return r;
    k->calc.lpVtbl = &calc_vtbl;
    k->name.lpVtbl = &name_vtbl;
    return Kit_kit_hand_out(k, iid, out);
}

static const FacetKitClassDef classes[] = {
    FACET_KIT_CLASS("test.kit.c", "1.0.0", FACET_THREADING_ANY, Kit, create, CLSID_KitC_INIT)};

#ifdef KIT_IN_HOST
static const FacetKitModuleDef def = {"test.kit.host", "1.0.0", FACET_API_LEVEL,
                                      FACET_KIT_COUNT(classes), classes, NULL, NULL};
FacetResult kit_host_entry(uint32_t host_abi_version, IFacetUnknown *host, const FacetGuid *iid,
                           void **factory);
FacetResult kit_host_entry(uint32_t host_abi_version, IFacetUnknown *host, const FacetGuid *iid,
                           void **factory)
{
    return facet_kit_entry_(&def, host_abi_version, host, iid, factory);
}
#else
FACET_KIT_MODULE("test.kit.c", "1.0.0", classes)
#endif
