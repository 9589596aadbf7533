/*
 * runtime_layout_gen.c - the slots as facet-idl generates them from
 * idl/facet.idl.
 *
 * The generated facet.h declares the same types as <facet/abi.h>, so abi.h
 * is kept out (its guard is defined) and the few things the generated code
 * takes from it are given here, as abi.h spells them.
 */
#define FACET_ABI_H 1
#include <stddef.h>
#include <stdint.h>

#define FACET_CALL
#define FACET_CPP_INTERFACES 0
typedef struct FacetGuid {
    uint32_t Data1;
    uint16_t Data2;
    uint16_t Data3;
    uint8_t Data4[8];
} FacetGuid;
typedef int32_t FacetResult;
#define FACET_DEFINE_GUID(name, l, w1, w2, b1, b2, b3, b4, b5, b6, b7, b8) \
    static const FacetGuid name = {l, w1, w2, {b1, b2, b3, b4, b5, b6, b7, b8}}
typedef struct IFacetUnknown IFacetUnknown;

#include "facet.h"

#include "runtime_layout.h"

#define METHOD(I, M) {#I, #M, offsetof(I##Vtbl, M), 0, NULL},
#define WHOLE(I) {#I, NULL, 0, sizeof(I##Vtbl), &IID_##I},
#define FIELD(S, F) {#S, #F, offsetof(S, F), 0, NULL},

static const layout_entry entries[] = {
    RUNTIME_INTERFACES(WHOLE) RUNTIME_METHODS(METHOD) RUNTIME_FIELDS(FIELD)
    {"FacetModuleInfo", NULL, 0, sizeof(FacetModuleInfo), NULL},
    {"FacetClassInfo", NULL, 0, sizeof(FacetClassInfo), NULL},
};

size_t layout_from_generated(const layout_entry **out)
{
    *out = entries;
    return sizeof entries / sizeof entries[0];
}
