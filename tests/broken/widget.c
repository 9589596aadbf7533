/*
 * tests/broken/widget.c - one component, built good and then broken one
 * rule at a time (tests/broken/CMakeLists.txt): each BROKEN_* macro puts
 * in the one bug that `facet validate` must name.
 *
 * The widget is a COM object done right: a non-delegating inner unknown
 * that is the object's identity, and two interfaces (IWidgetPing,
 * IWidgetPong) whose IFacetUnknown methods go to the controlling unknown:
 * the outer object when aggregated, the inner one otherwise.
 */
#define _POSIX_C_SOURCE 200809L /* nanosleep */

#include <stdlib.h>
#ifdef _WIN32
#include <windows.h>
/* Give the other threads the processor between the read and the write.
 * (Sleep(1) is a whole timer tick, which lines the threads up one after
 * another instead of interleaving them.) */
static void widget_nap(void)
{
    int i;
    for (i = 0; i < 8; i++)
        SwitchToThread();
}
#define widget_sleep() Sleep(1000)
#else
#include <time.h>
#include <unistd.h>
/* 20 microseconds: long enough that another thread surely runs meanwhile. */
static void widget_nap(void)
{
    struct timespec t = {0, 20000};
    nanosleep(&t, NULL);
}
#define widget_sleep() sleep(1)
#endif

#define FACET_MODULE_IMPLEMENTATION
#include "facet/module.h"
#include "facet/typeinfo.h"
#include "widget.h"

#if defined(BROKEN_CRASH_IN_CREATE) || defined(BROKEN_CRASH_IN_ENTRY)
/* A write through a NULL pointer the compiler cannot see coming. */
volatile int *volatile widget_nowhere;
static void crash(void)
{
    *widget_nowhere = 1;
}
#endif

typedef struct Widget {
    IFacetUnknown inner;
    IWidgetPing ping;
    IWidgetPong pong;
    uint32_t refs;
    IFacetUnknown *outer; /* the controlling unknown */
} Widget;

#define FROM_INNER(p) ((Widget *)(void *)(p))
#define FROM_PING(p) ((Widget *)(void *)((char *)(p) - offsetof(Widget, ping)))
#define FROM_PONG(p) ((Widget *)(void *)((char *)(p) - offsetof(Widget, pong)))

/* ---- The inner, non-delegating unknown --------------------------------- */

static FacetResult FACET_CALL inner_qi(IFacetUnknown *self, const FacetGuid *iid, void **out)
{
    Widget *w = FROM_INNER(self);
#ifdef BROKEN_QI_NULL_OUT
    if (out == NULL)
        return FACET_E_INVALIDARG; /* the rule says FACET_E_POINTER */
#else
    if (out == NULL)
        return FACET_E_POINTER;
#endif
#ifndef BROKEN_QI_UNKNOWN_IID
    *out = NULL;
#endif
    if (iid == NULL)
        return FACET_E_POINTER;
    if (FacetGuidEqual(iid, &IID_IFacetUnknown))
        *out = &w->inner;
    else if (FacetGuidEqual(iid, &IID_IWidgetPing))
        *out = &w->ping;
    else if (FacetGuidEqual(iid, &IID_IWidgetPong))
        *out = &w->pong;
    else
        return FACET_E_NOINTERFACE; /* BROKEN_QI_UNKNOWN_IID: *out left as it was */
    IFacetUnknown_AddRef((IFacetUnknown *)*out);
#ifdef BROKEN_RELEASE_NOT_ZERO
    /* Pong hands out a reference too many: the count never gets back to 0. */
    if (FacetGuidEqual(iid, &IID_IWidgetPong))
        IFacetUnknown_AddRef((IFacetUnknown *)*out);
#endif
    return FACET_OK;
}

static uint32_t FACET_CALL inner_addref(IFacetUnknown *self)
{
#if defined(BROKEN_THREAD_UNSAFE_ADDREF) || defined(BROKEN_THREAD_UNSAFE_COUNT)
    /* Read, let the other threads in, write back: increments get lost. */
    uint32_t n = *(volatile uint32_t *)&FROM_INNER(self)->refs;
    widget_nap();
    *(volatile uint32_t *)&FROM_INNER(self)->refs = n + 1;
    return n + 1;
#else
    return FacetAtomicIncrement(&FROM_INNER(self)->refs);
#endif
}

static uint32_t FACET_CALL inner_release(IFacetUnknown *self)
{
    Widget *w = FROM_INNER(self);
#ifdef BROKEN_THREAD_UNSAFE_COUNT
    /* Both ways non-atomic, and it frees at zero: a lost increment frees
     * the object under a thread that still holds it. */
    uint32_t n = *(volatile uint32_t *)&w->refs - 1;
    *(volatile uint32_t *)&w->refs = n;
#else
    uint32_t n = FacetAtomicDecrement(&w->refs);
#endif
#if defined(BROKEN_THREAD_UNSAFE_ADDREF)
    (void)w; /* never freed: the lost increments would free it under a live caller */
#elif defined(BROKEN_RELEASE_NEVER_FREES)
    if (n == 0)
        facet_module_object_destroyed(); /* says it is gone, keeps the memory */
#else
    if (n == 0) {
        facet_module_free(w);
        facet_module_object_destroyed();
    }
#endif
    return n;
}

static const IFacetUnknownVtbl inner_vtbl = {inner_qi, inner_addref, inner_release};

/* ---- The delegating interfaces ----------------------------------------- */

static FacetResult FACET_CALL ping_qi(IWidgetPing *self, const FacetGuid *iid, void **out)
{
    return IFacetUnknown_QueryInterface(FROM_PING(self)->outer, iid, out);
}

static uint32_t FACET_CALL ping_addref(IWidgetPing *self)
{
    return IFacetUnknown_AddRef(FROM_PING(self)->outer);
}

static uint32_t FACET_CALL ping_release(IWidgetPing *self)
{
    return IFacetUnknown_Release(FROM_PING(self)->outer);
}

static FacetResult FACET_CALL ping_ping(IWidgetPing *self, int32_t value, int32_t *echoed)
{
    (void)self;
    if (echoed == NULL)
        return FACET_E_POINTER;
    *echoed = value;
    return FACET_OK;
}

static FacetResult FACET_CALL pong_qi(IWidgetPong *self, const FacetGuid *iid, void **out)
{
#if defined(BROKEN_QI_IDENTITY)
    /* Answers IFacetUnknown with itself: a second identity. */
    if (out != NULL && iid != NULL && FacetGuidEqual(iid, &IID_IFacetUnknown)) {
        IFacetUnknown_AddRef(FROM_PONG(self)->outer);
        *out = self;
        return FACET_OK;
    }
#elif defined(BROKEN_QI_ONE_WAY)
    /* Knows only itself and IFacetUnknown: Ping -> Pong works, Pong -> Ping not. */
    if (out != NULL && iid != NULL && FacetGuidEqual(iid, &IID_IWidgetPing)) {
        *out = NULL;
        return FACET_E_NOINTERFACE;
    }
#endif
    return IFacetUnknown_QueryInterface(FROM_PONG(self)->outer, iid, out);
}

static uint32_t FACET_CALL pong_addref(IWidgetPong *self)
{
#ifdef BROKEN_PONG_ADDREF
    /* Returns the count without adding to it: the caller's Release through
     * Pong then frees the object under the references still held. */
    return FacetAtomicLoad(&FROM_PONG(self)->refs);
#else
    return IFacetUnknown_AddRef(FROM_PONG(self)->outer);
#endif
}

static uint32_t FACET_CALL pong_release(IWidgetPong *self)
{
    return IFacetUnknown_Release(FROM_PONG(self)->outer);
}

static FacetResult FACET_CALL pong_pong(IWidgetPong *self, uint32_t *count)
{
    if (count == NULL)
        return FACET_E_POINTER;
    *count = FacetAtomicLoad(&FROM_PONG(self)->refs);
    return FACET_OK;
}

static const IWidgetPingVtbl ping_vtbl = {ping_qi, ping_addref, ping_release, ping_ping};
static const IWidgetPongVtbl pong_vtbl = {pong_qi, pong_addref, pong_release, pong_pong};

/* ---- Creating ---------------------------------------------------------- */

static FacetResult widget_create(IFacetUnknown *outer, const FacetGuid *iid, void **out)
{
    Widget *w;
    FacetResult r;
#ifdef BROKEN_CRASH_IN_CREATE
    crash();
#endif
#ifdef BROKEN_AGGREGATION_WRONG_CODE
    if (outer != NULL)
        return FACET_E_FAIL; /* the rule says FACET_E_NOAGGREGATION */
#endif
    r = facet_module_alloc(sizeof(*w), (void **)&w);
    if (FACET_FAILED(r))
        return r;
    w->inner.lpVtbl = &inner_vtbl;
    w->ping.lpVtbl = &ping_vtbl;
    w->pong.lpVtbl = &pong_vtbl;
#ifdef BROKEN_IGNORES_OUTER
    (void)outer;
    w->outer = &w->inner; /* accepts an outer, then acts as if there were none */
#else
    w->outer = outer != NULL ? outer : &w->inner;
#endif
    facet_module_object_created();
#ifdef BROKEN_REFCOUNT_NEGATIVE
    /* Hands the object out without the caller's reference: its count is 0,
     * and the caller's Release takes it below zero. */
    w->refs = 0;
    (void)iid;
    *out = &w->inner;
    return FACET_OK;
#else
    w->refs = 1;
    r = inner_qi(&w->inner, iid, out);
    inner_release(&w->inner);
    return r;
#endif
}

/* ---- The module -------------------------------------------------------- */

static const FacetGuid widget_iids[] = {
    {0x5A1D6E70, 0x4C1B, 0x4F0E, {0x9A, 0x57, 0x3B, 0x8D, 0x2C, 0x61, 0xE0, 0x01}},
    {0x5A1D6E70, 0x4C1B, 0x4F0E, {0x9A, 0x57, 0x3B, 0x8D, 0x2C, 0x61, 0xE0, 0x02}},
};

static const FacetClassDef classes[] = {
    {FACET_CLASS_INFO("test.widget", "1.0.0", FACET_THREADING_ANY, widget_iids,
                      {0x5A1D6E70, 0x4C1B, 0x4F0E,
                       {0x9A, 0x57, 0x3B, 0x8D, 0x2C, 0x61, 0xC0, 0x01}}),
     widget_create, 1},
};

/* The module describes its interfaces with the type info facet-idl wrote. */
static const FacetTypeLibInfo *const widget_libs[] = {&facet_typeinfo_widget};
FACET_TYPEINFO_SOURCE_DEFINE(widget_typeinfo, widget_libs);

static FacetResult widget_query(const FacetGuid *iid, void **out)
{
#ifdef WIDGET_NO_TYPEINFO
    /* Names its interfaces to nobody: a tool needs the IDL for them. */
    (void)widget_typeinfo;
    *out = NULL;
    (void)iid;
    return FACET_E_NOINTERFACE;
#endif
    if (FacetGuidEqual(iid, &IID_IFacetTypeInfoSource)) {
        *out = &widget_typeinfo;
        return FACET_OK;
    }
    return FACET_E_NOINTERFACE;
}

static const FacetModuleDef module_def = {"test.widget", "1.0.0", FACET_API_LEVEL, 1, classes,
                                          NULL, widget_query};

#if defined(BROKEN_CRASH_IN_ENTRY) || defined(BROKEN_HANG_IN_ENTRY) || \
    defined(BROKEN_EXIT_IN_ENTRY) || defined(BROKEN_CAN_UNLOAD_LIES) || defined(WIDGET_HOOKS)
#ifdef WIDGET_HOOKS
/* tests/broken/hostile.c: what a hostile module does in its entry point,
 * and to the factory's answers. */
void widget_hook_entry(void);
void widget_hook_factory(IFacetFactoryVtbl *vtbl);
#endif
static IFacetFactoryVtbl lying_vtbl;
static IFacetFactory lying_factory = {&lying_vtbl};

static FacetResult FACET_CALL always_ok(IFacetFactory *self)
{
    (void)self;
    return FACET_OK; /* even while objects are alive */
}

FACET_EXPORT FacetResult facet_module_entry(uint32_t host_abi_version, IFacetUnknown *host,
                                            const FacetGuid *iid, void **factory)
{
    FacetResult r;
#if defined(BROKEN_CRASH_IN_ENTRY)
    crash();
#elif defined(BROKEN_HANG_IN_ENTRY)
    for (;;)
        widget_sleep();
#elif defined(BROKEN_EXIT_IN_ENTRY)
    exit(3);
#elif defined(WIDGET_HOOKS)
    widget_hook_entry();
#endif
    r = facet_module_entry_impl_(&module_def, host_abi_version, host, iid, factory);
    if (FACET_FAILED(r))
        return r;
    lying_vtbl = facet_module_factory_vtbl_;
#ifdef BROKEN_CAN_UNLOAD_LIES
    lying_vtbl.CanUnload = always_ok;
#else
    (void)always_ok;
#endif
#ifdef WIDGET_HOOKS
    widget_hook_factory(&lying_vtbl);
#endif
    *factory = &lying_factory;
    return FACET_OK;
}
#else
FACET_MODULE_DEFINE(module_def)
#endif
