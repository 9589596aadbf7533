/*
 * tests/kit/kit_cpp.cpp - the same class as kit_c.c, written with the C++
 * kit; its Fail throws, and the kit turns each throw into a result.
 */
#include <facet/module.hpp>

#include <stdexcept>

#include "kit.h"

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
FACET_KIT_MODULE("test.kit.cpp", "1.0.0", classes)
