/*
 * tests/plugins/plug_itf.h - the interfaces between the test plugins and the
 * tests: ITestProbe (a plugin's object asks its host object for a service)
 * and ITestJournal (a host service the plugins write their lifecycle steps
 * to), plus ITestSecret's IID for a permissioned service.
 */
#ifndef FACET_TEST_PLUG_ITF_H
#define FACET_TEST_PLUG_ITF_H

#include "facet/abi.h"

typedef struct ITestProbe ITestProbe;
#define IID_ITestProbe_INIT {0x7a000001, 0x5d3e, 0x4a5b, {0x9c, 0x01, 0x11, 0x22, 0x33, 0x44, 0x55, 0x01}}
static const FacetGuid IID_ITestProbe = IID_ITestProbe_INIT;
typedef struct ITestProbeVtbl {
    FACET_UNKNOWN_METHODS(ITestProbe);
    /* The module's host object's QueryService(sid, IID_IFacetUnknown). */
    FacetResult(FACET_CALL *Probe)(ITestProbe *self, const FacetGuid *sid, IFacetUnknown **out);
    /* The module's host object's IFacetConfig. */
    FacetResult(FACET_CALL *Config)(ITestProbe *self, IFacetConfig **out);
} ITestProbeVtbl;
struct ITestProbe {
    const ITestProbeVtbl *lpVtbl;
};
#define ITestProbe_Release(p) ((p)->lpVtbl->Release(p))
#define ITestProbe_Probe(p, s, o) ((p)->lpVtbl->Probe(p, s, o))
#define ITestProbe_Config(p, o) ((p)->lpVtbl->Config(p, o))

typedef struct ITestJournal ITestJournal;
#define IID_ITestJournal_INIT {0x7a000002, 0x5d3e, 0x4a5b, {0x9c, 0x01, 0x11, 0x22, 0x33, 0x44, 0x55, 0x02}}
static const FacetGuid IID_ITestJournal = IID_ITestJournal_INIT;
typedef struct ITestJournalVtbl {
    FACET_UNKNOWN_METHODS(ITestJournal);
    FacetResult(FACET_CALL *Record)(ITestJournal *self, const char *line);
} ITestJournalVtbl;
struct ITestJournal {
    const ITestJournalVtbl *lpVtbl;
};
#define ITestJournal_Release(p) ((p)->lpVtbl->Release(p))
#define ITestJournal_Record(p, l) ((p)->lpVtbl->Record(p, l))

#define IID_ITestSecret_INIT {0x7a000003, 0x5d3e, 0x4a5b, {0x9c, 0x01, 0x11, 0x22, 0x33, 0x44, 0x55, 0x03}}
static const FacetGuid IID_ITestSecret = IID_ITestSecret_INIT;

#endif
