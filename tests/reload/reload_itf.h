/*
 * tests/reload/reload_itf.h - the interface of the hot reload test module
 * (reloadmod.c): which version made an object, a call to make in a loop,
 * and the state the version was handed when it took over.
 */
#ifndef FACET_TEST_RELOAD_ITF_H
#define FACET_TEST_RELOAD_ITF_H

#include "facet/abi.h"

typedef struct IReloadProbe IReloadProbe;
#define IID_IReloadProbe_INIT {0x7a000010, 0x5d3e, 0x4a5b, {0x9c, 0x01, 0x11, 0x22, 0x33, 0x44, 0x55, 0x10}}
static const FacetGuid IID_IReloadProbe = IID_IReloadProbe_INIT;
typedef struct IReloadProbeVtbl {
    FACET_UNKNOWN_METHODS(IReloadProbe);
    /* The version of the code this object runs. */
    FacetResult(FACET_CALL *Version)(IReloadProbe *self, const char **out);
    /* *out = a + b + the version's major number. */
    FacetResult(FACET_CALL *Add)(IReloadProbe *self, uint32_t a, uint32_t b, uint32_t *out);
    /* What RestoreState was handed (objects created before the swap,
     * summed over the versions), or UINT32_MAX when it was not called. */
    FacetResult(FACET_CALL *Restored)(IReloadProbe *self, uint32_t *out);
} IReloadProbeVtbl;
struct IReloadProbe {
    const IReloadProbeVtbl *lpVtbl;
};
#define IReloadProbe_Release(p) ((p)->lpVtbl->Release(p))
#define IReloadProbe_Version(p, o) ((p)->lpVtbl->Version(p, o))
#define IReloadProbe_Add(p, a, b, o) ((p)->lpVtbl->Add(p, a, b, o))
#define IReloadProbe_Restored(p, o) ((p)->lpVtbl->Restored(p, o))

/* The class every version offers. */
#define RL_CLSID_TEXT "{7B000000-0001-4000-8000-000000000010}"
#define RL_CONTRACT "test.rl.thing"

#endif
