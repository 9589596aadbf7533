/* invert.c - a filter in C with two interfaces, on the kit's interface map. */
#define FACET_KIT_IMPLEMENTATION
#include <facet/module.h>

#include "filter.h"

typedef struct Invert {
    IImageFilter filter;
    IFilterInfo info;
    uint32_t refs;
} Invert;
#define INVERT_INTERFACES(X) X(Invert, filter, IImageFilter) X(Invert, info, IFilterInfo)
FACET_KIT_OBJECT(Invert, INVERT_INTERFACES)

static FacetResult FACET_CALL apply(IImageFilter *self, uint8_t *pixels, uint64_t size)
{
    uint64_t i;
    (void)self;
    if (pixels == NULL && size > 0)
        return FACET_E_POINTER;
    for (i = 0; i < size; i++)
        pixels[i] = (uint8_t)(255 - pixels[i]);
    return FACET_OK;
}

static FacetResult FACET_CALL get_name(IFilterInfo *self, IFacetString **name)
{
    (void)self;
    return facet_kit_string(name, "Invert");
}

static const IImageFilterVtbl filter_vtbl = {FACET_KIT_IUNKNOWN(Invert, filter), apply};
static const IFilterInfoVtbl info_vtbl = {FACET_KIT_IUNKNOWN(Invert, info), get_name};

static FacetResult create(IFacetUnknown *outer, const FacetGuid *iid, void **out)
{
    Invert *o;
    FacetResult r = Invert_kit_new(&o);
    (void)outer;
    if (FACET_FAILED(r))
        return r;
    o->filter.lpVtbl = &filter_vtbl;
    o->info.lpVtbl = &info_vtbl;
    return Invert_kit_hand_out(o, iid, out);
}

static const FacetKitClassDef classes[] = {
    FACET_KIT_CLASS("example.invert", "1.0.0", FACET_THREADING_ANY, Invert, create,
                    CLSID_Invert_INIT)};
FACET_KIT_MODULE("example.invert", "1.0.0", classes)
