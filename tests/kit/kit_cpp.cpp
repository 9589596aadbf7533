/*
 * tests/kit/kit_cpp.cpp - the same class as kit_c.c, written with the C++
 * kit; its Fail throws, and the kit turns each throw into a result.
 * KIT_IN_HOST builds it into the interposition test's host (interpose.c),
 * with the export named kit_cpp_host_entry.
 */
#include <facet/module.hpp>

#include <stdexcept>

#include "kit.h"

#ifdef KIT_IN_HOST
/* The host's copy of the class is a class of its own: two classes of one
 * name in one program break C++'s one-definition rule whatever the kit
 * does, and only the kit's names are under test. */
#define Kit KitInHost
#endif

class Kit {
public:
    FacetResult Add(int32_t a, int32_t b, int32_t *sum)
    {
        if (!sum)
            return FACET_E_POINTER;
        *sum = a + b;
        return FACET_OK;
    }
    FacetResult Fail(uint32_t how)
    {
        switch (how) {
        case 1:
            throw facet::kit::Failure(FACET_E_ACCESSDENIED);
        case 2:
            throw std::bad_alloc();
        case 3:
            throw std::runtime_error("the kit test's own exception");
        case 4:
            throw 42;
        }
        return FACET_OK;
    }
    FacetResult GetName(IFacetString **out) { return facet::kit::String(out, KIT_NAME); }
};

static const FacetKitClassDef classes[] = {
    facet::kit::Class<Kit, IKitCalc, IKitName>("test.kit.cpp", "1.0.0", FACET_THREADING_ANY,
                                               CLSID_KitCpp)};
#ifdef KIT_IN_HOST
static const FacetKitModuleDef def = {"test.kit.cpp.host", "1.0.0", FACET_API_LEVEL,
                                      FACET_KIT_COUNT(classes), classes, nullptr, nullptr};
extern "C" FacetResult kit_cpp_host_entry(uint32_t host_abi_version, IFacetUnknown *host,
                                          const FacetGuid *iid, void **factory)
{
    return ::facet::kit::Entry(&def, host_abi_version, host, iid, factory);
}
#else
FACET_KIT_MODULE("test.kit.cpp", "1.0.0", classes)
#endif
