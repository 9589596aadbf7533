// darken.cpp - a filter in C++ with two interfaces, on facet/module.hpp.
#include <facet/module.hpp>

#include "filter.h"

class Darken {
public:
    FacetResult Apply(uint8_t *pixels, uint64_t size)
    {
        if (!pixels && size > 0)
            return FACET_E_POINTER;
        for (uint64_t i = 0; i < size; i++)
            pixels[i] = static_cast<uint8_t>(pixels[i] / 2);
        return FACET_OK;
    }
    FacetResult GetName(IFacetString **name) { return facet::kit::String(name, "Darken"); }
};

static const FacetKitClassDef classes[] = {
    facet::kit::Class<Darken, IImageFilter, IFilterInfo>("example.darken", "1.0.0",
                                                         FACET_THREADING_ANY, CLSID_Darken)};
FACET_KIT_MODULE("example.darken", "1.0.0", classes)
