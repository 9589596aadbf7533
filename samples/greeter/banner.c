/*
 * banner.c - the second sample plugin, "org.example.banner". Its manifest
 * (banner.facet.json) requires org.example.greeter and requests the
 * "guestbook" permission. IBanner::Show gets a greeting from a greeter,
 * signs the host's guest book (a service only granted plugins may use), and
 * frames the result with the character its "frame" setting names.
 */
#include <stdio.h>
#include <string.h>

#define FACET_KIT_IMPLEMENTATION
#include <facet/module.h>

#include "banner.h"
#include "greeter.h"

typedef struct Banner {
    IBanner itf;
    uint32_t refs;
} Banner;

#define BANNER_INTERFACES(X) X(Banner, itf, IBanner)
FACET_KIT_OBJECT(Banner, BANNER_INTERFACES)

/* The frame character from this plugin's settings in facet.conf.json. */
static char frame(void)
{
    IFacetConfig *config;
    const char *text = NULL;
    char c = '*';
    if (IFacetHost_QueryInterface(facet_kit_host, &IID_IFacetConfig, (void **)&config) == FACET_OK) {
        if (IFacetConfig_GetString(config, "frame", &text) == FACET_OK && text[0] != '\0')
            c = text[0];
        IFacetConfig_Release(config);
    }
    return c;
}

static FacetResult FACET_CALL banner_show(IBanner *self, const char *name, IFacetString **out)
{
    IGreeter *greeter;
    IGuestBook *book;
    IFacetString *greeting;
    const char *hello;
    char guest[64] = "", line[320], rule[320], text[1000];
    uint32_t number = 0;
    size_t n;
    FacetResult r;
    (void)self;
    if (out == NULL || name == NULL)
        return FACET_E_POINTER;
    *out = NULL;
    /* The greeter comes from the module this one requires. */
    r = IFacetHost_CreateInstanceByName(facet_kit_host, "org.example.greeter", NULL,
                                        &IID_IGreeter, (void **)&greeter);
    if (FACET_FAILED(r))
        return r;
    r = IGreeter_Greet(greeter, name, &greeting);
    IGreeter_Release(greeter);
    if (FACET_FAILED(r))
        return r;
    IFacetString_GetText(greeting, &hello);
    /* The guest book needs a permission; without it, the banner goes unsigned. */
    if (IFacetHost_QueryService(facet_kit_host, &IID_IGuestBook, &IID_IGuestBook,
                                (void **)&book) == FACET_OK) {
        if (IGuestBook_Sign(book, name, &number) == FACET_OK)
            snprintf(guest, sizeof(guest), " (guest #%u)", (unsigned)number);
        IGuestBook_Release(book);
    }
    snprintf(line, sizeof(line), "%c %s%s %c", frame(), hello, guest, frame());
    IFacetString_Release(greeting);
    n = strlen(line);
    memset(rule, frame(), n);
    rule[n] = '\0';
    snprintf(text, sizeof(text), "%s\n%s\n%s", rule, line, rule);
    return facet_kit_string(out, text);
}

static const IBannerVtbl banner_vtbl = {FACET_KIT_IUNKNOWN(Banner, itf), banner_show};

static FacetResult banner_create(IFacetUnknown *outer, const FacetGuid *iid, void **out)
{
    Banner *b;
    FacetResult r = Banner_kit_new(&b);
    (void)outer;
    if (FACET_FAILED(r))
        return r;
    b->itf.lpVtbl = &banner_vtbl;
    return Banner_kit_hand_out(b, iid, out);
}

/* ---- Lifecycle: the host starts this module after the greeter ---------- */

/* A face of the factory: QueryInterface and references go to it. */
FACET_KIT_ABILITY(life, IFacetLifecycle)

static FacetResult FACET_CALL life_step(IFacetLifecycle *self, const char *what)
{
    (void)self;
    facet_kit_log(FACET_LOG_INFO, what);
    return FACET_OK;
}
static FacetResult FACET_CALL life_init(IFacetLifecycle *self) { return life_step(self, "Init"); }
static FacetResult FACET_CALL life_start(IFacetLifecycle *self) { return life_step(self, "Start"); }
static FacetResult FACET_CALL life_stop(IFacetLifecycle *self) { return life_step(self, "Stop"); }
static FacetResult FACET_CALL life_shutdown(IFacetLifecycle *self) { return life_step(self, "Shutdown"); }

static const IFacetLifecycleVtbl life_vtbl = {life_qi,    life_addref, life_release, life_init,
                                              life_start, life_stop,   life_shutdown};
static IFacetLifecycle lifecycle = {&life_vtbl};

static FacetResult query(const FacetGuid *iid, void **out)
{
    if (!FacetGuidEqual(iid, &IID_IFacetLifecycle))
        return FACET_E_NOINTERFACE;
    life_addref(&lifecycle);
    *out = &lifecycle;
    return FACET_OK;
}

static const FacetKitClassDef classes[] = {
    FACET_KIT_CLASS("org.example.banner", "1.0.0", FACET_THREADING_ANY, Banner, banner_create,
                    CLSID_Banner_INIT),
};

static const FacetKitModuleDef module = {"org.example.banner", "1.0.0", FACET_API_LEVEL,
                                         FACET_KIT_COUNT(classes), classes, NULL, query};

FACET_KIT_MODULE_DEFINE(module)
