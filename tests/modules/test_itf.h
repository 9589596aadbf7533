/*
 * tests/modules/test_itf.h - the interfaces the test modules implement.
 */
#ifndef FACET_TEST_ITF_H
#define FACET_TEST_ITF_H

#include "facet/abi.h"

/* ITestCounter: a running total. */
typedef struct ITestCounter ITestCounter;
#define IID_ITestCounter_INIT {0x6f1c2a10, 0x1d3e, 0x4a5b, {0x9c, 0x01, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66}}
static const FacetGuid IID_ITestCounter = IID_ITestCounter_INIT;
typedef struct ITestCounterVtbl {
    FACET_UNKNOWN_METHODS(ITestCounter);
    FacetResult(FACET_CALL *Add)(ITestCounter *self, int32_t delta, int32_t *total);
} ITestCounterVtbl;
struct ITestCounter {
    const ITestCounterVtbl *lpVtbl;
};
#define ITestCounter_QueryInterface(p, i, o) ((p)->lpVtbl->QueryInterface(p, i, o))
#define ITestCounter_AddRef(p) ((p)->lpVtbl->AddRef(p))
#define ITestCounter_Release(p) ((p)->lpVtbl->Release(p))
#define ITestCounter_Add(p, d, t) ((p)->lpVtbl->Add(p, d, t))

/* ITestEcho: text back, through an IFacetString the host allocates. */
typedef struct ITestEcho ITestEcho;
#define IID_ITestEcho_INIT {0x6f1c2a11, 0x1d3e, 0x4a5b, {0x9c, 0x01, 0x11, 0x22, 0x33, 0x44, 0x55, 0x67}}
static const FacetGuid IID_ITestEcho = IID_ITestEcho_INIT;
typedef struct ITestEchoVtbl {
    FACET_UNKNOWN_METHODS(ITestEcho);
    FacetResult(FACET_CALL *Echo)(ITestEcho *self, const char *text, IFacetString **out);
} ITestEchoVtbl;
struct ITestEcho {
    const ITestEchoVtbl *lpVtbl;
};
#define ITestEcho_QueryInterface(p, i, o) ((p)->lpVtbl->QueryInterface(p, i, o))
#define ITestEcho_AddRef(p) ((p)->lpVtbl->AddRef(p))
#define ITestEcho_Release(p) ((p)->lpVtbl->Release(p))
#define ITestEcho_Echo(p, t, o) ((p)->lpVtbl->Echo(p, t, o))

/* An interface no test class implements. */
#define IID_ITestNobody_INIT {0x6f1c2a1f, 0x1d3e, 0x4a5b, {0x9c, 0x01, 0x11, 0x22, 0x33, 0x44, 0x55, 0x6f}}
static const FacetGuid IID_ITestNobody = IID_ITestNobody_INIT;

/* Classes. */
#define CLSID_AlphaCounter_INIT {0x0a1fa000, 0x0000, 0x4000, {0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01}}
static const FacetGuid CLSID_AlphaCounter = CLSID_AlphaCounter_INIT;
#define CLSID_AlphaEcho_INIT {0x0a1fa000, 0x0000, 0x4000, {0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02}}
static const FacetGuid CLSID_AlphaEcho = CLSID_AlphaEcho_INIT;
#define CLSID_BetaCounter_INIT {0x0be7a000, 0x0000, 0x4000, {0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01}}
static const FacetGuid CLSID_BetaCounter = CLSID_BetaCounter_INIT;
#define CLSID_GammaCounter_INIT {0x06a33a00, 0x0000, 0x4000, {0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01}}
static const FacetGuid CLSID_GammaCounter = CLSID_GammaCounter_INIT;

#endif
