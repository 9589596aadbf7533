/*
 * tests/reload/reloadmod.c - the hot reload test module, one source built
 * as several versions (tests/reload/CMakeLists.txt): RL_NAME and
 * RL_VERSION name it, RL_MAJOR is its major number, and RL_FAIL makes it a
 * bad version: "init" or "start" fail that step, "restore" refuses the
 * state handed to it. Its factory offers IFacetLifecycle and
 * IFacetReloadable: the state is the number of objects made so far.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FACET_KIT_IMPLEMENTATION
#include "facet/module.h"
#include "reload_itf.h"

#ifndef RL_FAIL
#define RL_FAIL ""
#endif

static uint32_t made;                  /* objects made by this version (atomic) */
static uint32_t restored = UINT32_MAX; /* what RestoreState was handed */

typedef struct Thing {
    IReloadProbe itf;
    uint32_t refs;
} Thing;

#define THING_INTERFACES(X) X(Thing, itf, IReloadProbe)
FACET_KIT_OBJECT(Thing, THING_INTERFACES)

static FacetResult FACET_CALL thing_version(IReloadProbe *self, const char **out)
{
    (void)self;
    *out = RL_VERSION;
    return FACET_OK;
}

static FacetResult FACET_CALL thing_add(IReloadProbe *self, uint32_t a, uint32_t b, uint32_t *out)
{
    (void)self;
    *out = a + b + RL_MAJOR;
    return FACET_OK;
}

static FacetResult FACET_CALL thing_restored(IReloadProbe *self, uint32_t *out)
{
    (void)self;
    *out = restored;
    return FACET_OK;
}

static const IReloadProbeVtbl thing_vtbl = {FACET_KIT_IUNKNOWN(Thing, itf), thing_version,
                                            thing_add, thing_restored};

static FacetResult thing_create(IFacetUnknown *outer, const FacetGuid *iid, void **out)
{
    Thing *t;
    FacetResult r;
    (void)outer;
    r = Thing_kit_new(&t);
    if (FACET_FAILED(r))
        return r;
    t->itf.lpVtbl = &thing_vtbl;
    __atomic_add_fetch(&made, 1, __ATOMIC_RELAXED);
    return Thing_kit_hand_out(t, iid, out);
}

/* ---- IFacetLifecycle --------------------------------------------------- */

FACET_KIT_ABILITY(life, IFacetLifecycle)

static FacetResult FACET_CALL life_init(IFacetLifecycle *self)
{
    (void)self;
    return strcmp(RL_FAIL, "init") == 0 ? FACET_E_FAIL : FACET_OK;
}
static FacetResult FACET_CALL life_start(IFacetLifecycle *self)
{
    (void)self;
    return strcmp(RL_FAIL, "start") == 0 ? FACET_E_FAIL : FACET_OK;
}
static FacetResult FACET_CALL life_stop(IFacetLifecycle *self)
{
    (void)self;
    return FACET_OK;
}
static FacetResult FACET_CALL life_shutdown(IFacetLifecycle *self)
{
    (void)self;
    return FACET_OK;
}

static const IFacetLifecycleVtbl life_vtbl = {life_qi,    life_addref, life_release, life_init,
                                              life_start, life_stop,   life_shutdown};
static IFacetLifecycle life = {&life_vtbl};

/* ---- IFacetReloadable: "rl-state 1 <count>" ---------------------------- */

FACET_KIT_ABILITY(reloadable, IFacetReloadable)

static FacetResult FACET_CALL save_state(IFacetReloadable *self, IFacetBlob **out)
{
    char text[64];
    uint32_t total = __atomic_load_n(&made, __ATOMIC_RELAXED);
    (void)self;
    if (restored != UINT32_MAX)
        total += restored;
    snprintf(text, sizeof(text), "rl-state 1 %u", (unsigned)total);
    return facet_kit_blob(out, text, strlen(text));
}

static FacetResult FACET_CALL restore_state(IFacetReloadable *self, IFacetBlob *state)
{
    const uint8_t *data = NULL;
    uint64_t size = 0;
    char text[64];
    unsigned n;
    (void)self;
    if (strcmp(RL_FAIL, "restore") == 0)
        return FACET_E_INVALIDARG;
    if (FACET_FAILED(IFacetBlob_GetData(state, &data)) ||
        FACET_FAILED(IFacetBlob_GetSize(state, &size)) || size >= sizeof(text))
        return FACET_E_INVALIDARG;
    memcpy(text, data, (size_t)size);
    text[size] = '\0';
    if (sscanf(text, "rl-state 1 %u", &n) != 1)
        return FACET_E_INVALIDARG; /* a format this version does not know */
    restored = n;
    return FACET_OK;
}

static const IFacetReloadableVtbl reloadable_vtbl = {reloadable_qi, reloadable_addref,
                                                     reloadable_release, save_state,
                                                     restore_state};
static IFacetReloadable reloadable = {&reloadable_vtbl};

static FacetResult query(const FacetGuid *iid, void **out)
{
    if (FacetGuidEqual(iid, &IID_IFacetLifecycle)) {
        life_addref(&life);
        *out = &life;
        return FACET_OK;
    }
    if (FacetGuidEqual(iid, &IID_IFacetReloadable)) {
        reloadable_addref(&reloadable);
        *out = &reloadable;
        return FACET_OK;
    }
    return FACET_E_NOINTERFACE;
}

static const FacetKitClassDef classes[] = {
    FACET_KIT_CLASS(RL_CONTRACT, RL_VERSION, FACET_THREADING_ANY, Thing, thing_create,
                    {0x7b000000, 0x0001, 0x4000, {0x80, 0, 0, 0, 0, 0, 0, 0x10}}),
};

static const FacetKitModuleDef module_def = {RL_NAME, RL_VERSION, FACET_API_LEVEL, 1, classes,
                                             NULL, query};

FACET_KIT_MODULE_DEFINE(module_def)
