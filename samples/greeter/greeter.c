/*
 * greeter.c - the greeter component: one class, "org.example.greeter", with
 * IGreeter and the optional IGreeterStats, written in C with the module kit
 * against the header facet-idl makes from greeter.idl.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#define FACET_KIT_IMPLEMENTATION
#include <facet/module.h>

#include "greeter.h"

typedef struct Greeter {
    IGreeter greeter; /* the object's identity */
    IGreeterStats stats;
    uint32_t refs;
    uint32_t greetings;
} Greeter;

#define GREETER_INTERFACES(X) X(Greeter, greeter, IGreeter) X(Greeter, stats, IGreeterStats)
FACET_KIT_OBJECT(Greeter, GREETER_INTERFACES)

static FacetResult FACET_CALL greet(IGreeter *self, const char *name, IFacetString **greeting)
{
    char text[256];
    if (greeting == NULL)
        return FACET_E_POINTER;
    *greeting = NULL;
    if (name == NULL)
        return FACET_E_POINTER;
    if (name[0] == '@') {
        /* "@PATH": what this process may read (in a process host, its
         * sandbox decides) */
        FILE *f = fopen(name + 1, "rb");
        if (f != NULL) {
            size_t n = 0;
            char buf[4096];
            size_t got;
            while ((got = fread(buf, 1, sizeof(buf), f)) > 0)
                n += got;
            fclose(f);
            snprintf(text, sizeof(text), "Hello! I read %zu bytes of %s", n, name + 1);
        } else {
            snprintf(text, sizeof(text), "Hello! I cannot read %s: %s", name + 1, strerror(errno));
        }
    } else {
        snprintf(text, sizeof(text), "Hello, %s!", name);
    }
    FacetAtomicIncrement(&FACET_KIT_FROM(Greeter, greeter, self)->greetings);
    facet_kit_log(FACET_LOG_INFO, "greeted someone");
    /* The string is the runtime's object, so the host may keep it after this
     * module is gone. */
    return facet_kit_string(greeting, text);
}

static FacetResult FACET_CALL greet_count(IGreeterStats *self, uint64_t *count)
{
    if (count == NULL)
        return FACET_E_POINTER;
    *count = FacetAtomicLoad(&FACET_KIT_FROM(Greeter, stats, self)->greetings);
    return FACET_OK;
}

static const IGreeterVtbl greeter_vtbl = {FACET_KIT_IUNKNOWN(Greeter, greeter), greet};
static const IGreeterStatsVtbl stats_vtbl = {FACET_KIT_IUNKNOWN(Greeter, stats), greet_count};

static FacetResult greeter_create(IFacetUnknown *outer, const FacetGuid *iid, void **out)
{
    Greeter *g;
    FacetResult r = Greeter_kit_new(&g);
    (void)outer; /* not aggregatable: the kit refuses an outer for us */
    if (FACET_FAILED(r))
        return r;
    g->greeter.lpVtbl = &greeter_vtbl;
    g->stats.lpVtbl = &stats_vtbl;
    return Greeter_kit_hand_out(g, iid, out);
}

static const FacetKitClassDef classes[] = {
    FACET_KIT_CLASS("org.example.greeter", "1.0.0", FACET_THREADING_ANY, Greeter, greeter_create,
                    CLSID_Greeter_INIT),
};

FACET_KIT_MODULE("org.example.greeter", "1.0.0", classes)
