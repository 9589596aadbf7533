/*
 * greeter.c - the greeter component: one class, "org.example.greeter", with
 * IGreeter and the optional IGreeterStats, written in C against the header
 * facet-idl makes from greeter.idl.
 */
#include <stdio.h>
#include <string.h>

#define FACET_MODULE_IMPLEMENTATION
#include <facet/module.h>

#include "greeter.h"

typedef struct Greeter {
    IGreeter greeter;      /* the object's identity */
    IGreeterStats stats;
    uint32_t refs;
    uint32_t greetings;
} Greeter;

#define FROM_GREETER(p) ((Greeter *)(void *)(p))
#define FROM_STATS(p) ((Greeter *)(void *)((char *)(p) - offsetof(Greeter, stats)))

static FacetResult query(Greeter *g, const FacetGuid *iid, void **out)
{
    if (out == NULL)
        return FACET_E_POINTER;
    *out = NULL;
    if (iid == NULL)
        return FACET_E_POINTER;
    if (FacetGuidEqual(iid, &IID_IFacetUnknown) || FacetGuidEqual(iid, &IID_IGreeter))
        *out = &g->greeter;
    else if (FacetGuidEqual(iid, &IID_IGreeterStats))
        *out = &g->stats;
    else
        return FACET_E_NOINTERFACE;
    FacetAtomicIncrement(&g->refs);
    return FACET_OK;
}

static uint32_t release(Greeter *g)
{
    uint32_t n = FacetAtomicDecrement(&g->refs);
    if (n == 0) {
        facet_module_free(g);
        facet_module_object_destroyed();
    }
    return n;
}

static FacetResult FACET_CALL greeter_qi(IGreeter *self, const FacetGuid *iid, void **out)
{
    return query(FROM_GREETER(self), iid, out);
}
static uint32_t FACET_CALL greeter_addref(IGreeter *self)
{
    return FacetAtomicIncrement(&FROM_GREETER(self)->refs);
}
static uint32_t FACET_CALL greeter_release(IGreeter *self)
{
    return release(FROM_GREETER(self));
}

static FacetResult FACET_CALL greeter_greet(IGreeter *self, const char *name,
                                            IFacetString **greeting)
{
    char text[256];
    if (greeting == NULL)
        return FACET_E_POINTER;
    *greeting = NULL;
    if (name == NULL)
        return FACET_E_POINTER;
    snprintf(text, sizeof(text), "Hello, %s!", name);
    FacetAtomicIncrement(&FROM_GREETER(self)->greetings);
    facet_module_log(FACET_LOG_INFO, "greeted someone");
    /* The string is the runtime's object, so the host may keep it after this
     * module is gone. */
    return IFacetHost_CreateString(facet_module_host, text, UINT64_MAX, greeting);
}

static const IGreeterVtbl greeter_vtbl = {greeter_qi, greeter_addref, greeter_release,
                                          greeter_greet};

static FacetResult FACET_CALL stats_qi(IGreeterStats *self, const FacetGuid *iid, void **out)
{
    return query(FROM_STATS(self), iid, out);
}
static uint32_t FACET_CALL stats_addref(IGreeterStats *self)
{
    return FacetAtomicIncrement(&FROM_STATS(self)->refs);
}
static uint32_t FACET_CALL stats_release(IGreeterStats *self)
{
    return release(FROM_STATS(self));
}
static FacetResult FACET_CALL stats_count(IGreeterStats *self, uint64_t *count)
{
    if (count == NULL)
        return FACET_E_POINTER;
    *count = FacetAtomicLoad(&FROM_STATS(self)->greetings);
    return FACET_OK;
}

static const IGreeterStatsVtbl stats_vtbl = {stats_qi, stats_addref, stats_release, stats_count};

static FacetResult greeter_create(IFacetUnknown *outer, const FacetGuid *iid, void **out)
{
    Greeter *g;
    FacetResult r = facet_module_alloc(sizeof(*g), (void **)&g);
    (void)outer; /* not aggregatable: the kit refuses an outer for us */
    if (FACET_FAILED(r))
        return r;
    memset(g, 0, sizeof(*g));
    g->greeter.lpVtbl = &greeter_vtbl;
    g->stats.lpVtbl = &stats_vtbl;
    g->refs = 1;
    facet_module_object_created();
    r = query(g, iid, out);
    release(g);
    return r;
}

static const FacetGuid greeter_iids[] = {
    {0xC84E923A, 0xCF4C, 0x498B, {0xB8, 0x8B, 0xA8, 0x21, 0x97, 0xAC, 0xBB, 0x01}},
    {0x756AB521, 0xE6C0, 0x4408, {0x91, 0x32, 0xDE, 0x99, 0x8F, 0xBE, 0xEC, 0xE7}},
};

static const FacetClassDef classes[] = {
    {FACET_CLASS_INFO("org.example.greeter", "1.0.0", FACET_THREADING_ANY, greeter_iids,
                      {0x18465FEE, 0x7FCD, 0x49E8, {0xAD, 0x22, 0x79, 0x44, 0x27, 0xE9, 0xCF, 0x88}}),
     greeter_create, 0},
};

static const FacetModuleDef module = {"org.example.greeter", "1.0.0", FACET_API_LEVEL, 1,
                                      classes, NULL, NULL};

FACET_MODULE_DEFINE(module)
