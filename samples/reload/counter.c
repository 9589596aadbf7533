/*
 * counter.c - the hot reload sample's plugin: one count shared by its
 * objects, handed to the next version through IFacetReloadable, so that a
 * rebuilt plugin counts on from where the running one stopped. Build it
 * with -DCOUNTER_MINOR=1 (the counter-next target) for version 1.1.0.
 */
#include <stdio.h>
#include <string.h>

#define FACET_KIT_IMPLEMENTATION
#include <facet/module.h>

#include "counter.h"

#ifndef COUNTER_MINOR
#define COUNTER_MINOR 0
#endif
#define STR_(x) #x
#define STR(x) STR_(x)
#define COUNTER_VERSION "1." STR(COUNTER_MINOR) ".0"

static uint64_t count; /* this version's: the next one is handed it */

typedef struct Counter {
    ICounter itf;
    uint32_t refs;
} Counter;

#define COUNTER_INTERFACES(X) X(Counter, itf, ICounter)
FACET_KIT_OBJECT(Counter, COUNTER_INTERFACES)

static FacetResult FACET_CALL next(ICounter *self, uint64_t *value, uint32_t *major,
                                   uint32_t *minor)
{
    (void)self;
    if (value == NULL || major == NULL || minor == NULL)
        return FACET_E_POINTER;
    *value = __atomic_add_fetch(&count, 1, __ATOMIC_RELAXED);
    *major = 1;
    *minor = COUNTER_MINOR;
    return FACET_OK;
}

static const ICounterVtbl counter_vtbl = {FACET_KIT_IUNKNOWN(Counter, itf), next};

static FacetResult counter_create(IFacetUnknown *outer, const FacetGuid *iid, void **out)
{
    Counter *c;
    FacetResult r = Counter_kit_new(&c);
    (void)outer;
    if (FACET_FAILED(r))
        return r;
    c->itf.lpVtbl = &counter_vtbl;
    return Counter_kit_hand_out(c, iid, out);
}

/* ---- IFacetReloadable: the state is "counter 1 <count>" ---------------- */

FACET_KIT_ABILITY(reloadable, IFacetReloadable)

static FacetResult FACET_CALL save_state(IFacetReloadable *self, IFacetBlob **out)
{
    char text[64];
    (void)self;
    snprintf(text, sizeof(text), "counter 1 %llu",
             (unsigned long long)__atomic_load_n(&count, __ATOMIC_RELAXED));
    return facet_kit_blob(out, text, strlen(text));
}

static FacetResult FACET_CALL restore_state(IFacetReloadable *self, IFacetBlob *state)
{
    const uint8_t *data = NULL;
    uint64_t size = 0;
    unsigned long long v;
    char text[64];
    (void)self;
    if (FACET_FAILED(IFacetBlob_GetData(state, &data)) ||
        FACET_FAILED(IFacetBlob_GetSize(state, &size)) || size >= sizeof(text))
        return FACET_E_INVALIDARG;
    memcpy(text, data, (size_t)size);
    text[size] = '\0';
    if (sscanf(text, "counter 1 %llu", &v) != 1)
        return FACET_E_INVALIDARG; /* a format this version cannot read: roll back */
    __atomic_store_n(&count, (uint64_t)v, __ATOMIC_RELAXED);
    return FACET_OK;
}

static const IFacetReloadableVtbl reloadable_vtbl = {reloadable_qi, reloadable_addref,
                                                     reloadable_release, save_state,
                                                     restore_state};
static IFacetReloadable reloadable = {&reloadable_vtbl};

static FacetResult query(const FacetGuid *iid, void **out)
{
    if (!FacetGuidEqual(iid, &IID_IFacetReloadable))
        return FACET_E_NOINTERFACE;
    reloadable_addref(&reloadable);
    *out = &reloadable;
    return FACET_OK;
}

static const FacetKitClassDef classes[] = {
    FACET_KIT_CLASS("org.example.counter", COUNTER_VERSION, FACET_THREADING_ANY, Counter,
                    counter_create, CLSID_Counter_INIT),
};

static const FacetKitModuleDef module_def = {"org.example.counter", COUNTER_VERSION,
                                             FACET_API_LEVEL, 1, classes, NULL, query};

FACET_KIT_MODULE_DEFINE(module_def)
