/*
 * tests/plugins/plugmod.c - the test plugins, one source built as several
 * modules (tests/plugins/CMakeLists.txt): PLUG_NAME, PLUG_VERSION and
 * PLUG_ID (the last byte of its clsid) tell them apart. Each has one class,
 * "<name>.thing", implementing ITestProbe, and IFacetLifecycle on its
 * factory: every step is written to the host's ITestJournal service, and
 * the step named by the module's setting "fail" fails.
 */
#include <stdio.h>
#include <string.h>

#define FACET_KIT_IMPLEMENTATION
#include "facet/module.h"
#include "plug_itf.h"

typedef struct Thing {
    ITestProbe itf;
    uint32_t refs;
} Thing;

#define THING_INTERFACES(X) X(Thing, itf, ITestProbe)
FACET_KIT_OBJECT(Thing, THING_INTERFACES)

static FacetResult FACET_CALL thing_probe(ITestProbe *self, const FacetGuid *sid,
                                          IFacetUnknown **out)
{
    (void)self;
    return IFacetHost_QueryService(facet_kit_host, sid, &IID_IFacetUnknown, (void **)out);
}

static FacetResult setting(const char *key, const char **out)
{
    IFacetConfig *cfg = NULL;
    FacetResult r = IFacetHost_QueryInterface(facet_kit_host, &IID_IFacetConfig, (void **)&cfg);
    *out = NULL;
    if (FACET_FAILED(r))
        return r;
    r = IFacetConfig_GetString(cfg, key, out);
    IFacetConfig_Release(cfg);
    return r;
}

static FacetResult FACET_CALL thing_config(ITestProbe *self, IFacetConfig **out)
{
    (void)self;
    return IFacetHost_QueryInterface(facet_kit_host, &IID_IFacetConfig, (void **)out);
}

static const ITestProbeVtbl thing_vtbl = {FACET_KIT_IUNKNOWN(Thing, itf), thing_probe,
                                          thing_config};

static FacetResult thing_create(IFacetUnknown *outer, const FacetGuid *iid, void **out)
{
    Thing *t;
    FacetResult r;
    (void)outer;
    r = Thing_kit_new(&t);
    if (FACET_FAILED(r))
        return r;
    t->itf.lpVtbl = &thing_vtbl;
    return Thing_kit_hand_out(t, iid, out);
}

/* ---- IFacetLifecycle, a static object on the factory ------------------- */

static FacetResult step(const char *what)
{
    ITestJournal *journal = NULL;
    const char *fail = NULL;
    char line[128];
    if (FACET_SUCCEEDED(IFacetHost_QueryService(facet_kit_host, &IID_ITestJournal,
                                                &IID_ITestJournal, (void **)&journal))) {
        snprintf(line, sizeof(line), "%s:%s", PLUG_NAME, what);
        ITestJournal_Record(journal, line);
        ITestJournal_Release(journal);
    }
    if (FACET_SUCCEEDED(setting("fail", &fail)) && strcmp(fail, what) == 0)
        return FACET_E_FAIL;
    return FACET_OK;
}

/* A face of the factory: QueryInterface and references go to it. */
FACET_KIT_ABILITY(life, IFacetLifecycle)

static FacetResult FACET_CALL life_init(IFacetLifecycle *self)
{
    (void)self;
    return step("init");
}
static FacetResult FACET_CALL life_start(IFacetLifecycle *self)
{
    (void)self;
    return step("start");
}
static FacetResult FACET_CALL life_stop(IFacetLifecycle *self)
{
    (void)self;
    return step("stop");
}
static FacetResult FACET_CALL life_shutdown(IFacetLifecycle *self)
{
    (void)self;
    return step("shutdown");
}

static const IFacetLifecycleVtbl life_vtbl = {life_qi,    life_addref, life_release, life_init,
                                              life_start, life_stop,   life_shutdown};
static IFacetLifecycle life = {&life_vtbl};

static FacetResult query(const FacetGuid *iid, void **out)
{
    if (!FacetGuidEqual(iid, &IID_IFacetLifecycle))
        return FACET_E_NOINTERFACE;
    life_addref(&life);
    *out = &life;
    return FACET_OK;
}

static const FacetKitClassDef classes[] = {
    FACET_KIT_CLASS(PLUG_NAME ".thing", PLUG_VERSION, FACET_THREADING_ANY, Thing, thing_create,
                    {0x7b000000, 0x0001, 0x4000, {0x80, 0, 0, 0, 0, 0, 0, PLUG_ID}}),
};

static const FacetKitModuleDef module_def = {PLUG_NAME, PLUG_VERSION, FACET_API_LEVEL, 1, classes,
                                             NULL, query};

FACET_KIT_MODULE_DEFINE(module_def)
