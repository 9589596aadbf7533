/* runtime_layout_abi.c - the slots as the hand-written <facet/abi.h> has them. */
#include <facet/abi.h>

#include "runtime_layout.h"

#define METHOD(I, M) {#I, #M, offsetof(I##Vtbl, M), 0, NULL},
#define WHOLE(I) {#I, NULL, 0, sizeof(I##Vtbl), &IID_##I},
#define FIELD(S, F) {#S, #F, offsetof(S, F), 0, NULL},

static const layout_entry entries[] = {
    RUNTIME_INTERFACES(WHOLE) RUNTIME_METHODS(METHOD) RUNTIME_FIELDS(FIELD)
    {"FacetModuleInfo", NULL, 0, sizeof(FacetModuleInfo), NULL},
    {"FacetClassInfo", NULL, 0, sizeof(FacetClassInfo), NULL},
};

size_t layout_from_abi(const layout_entry **out)
{
    *out = entries;
    return sizeof entries / sizeof entries[0];
}
