/*
 * core/validate.c - the helper's side of facet_probe and facet_validate:
 * it loads one module into this (throw-away) process and, for validate,
 * runs the conformance checks of DESIGN §6 on every class. It reports by
 * writing one JSON object per line to stdout (see core/report.c), and
 * announces each call into the module before making it, so the parent can
 * say where a crash or a hang happened.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "facet/typeinfo.h"
#include "internal.h"
#include "os/process.h"
#include "report.h"

/* An IID no class implements. */
static const FacetGuid IID_Nonexistent = {0xFACE7BAD, 0x0000, 0x4000,
                                          {0x80, 0x00, 0x6E, 0x6F, 0x6E, 0x65, 0x21, 0x21}};

#define MAX_ITFS 64

typedef struct Checker {
    FILE *out;
    IFacetFactory *factory;
    int klass;                 /* index of the class under check */
    const FacetClassInfo *ci;
    uint32_t threads, iterations;
    uint32_t violations;
    int validate;              /* 0: probe only */
    uint32_t lib_count;        /* the module's own type info, if it offers it */
    const FacetTypeLibInfo *libs[16];
} Checker;

/* So itf_name() needs no Checker argument: one module per process. */
static Checker *the_checker;

static void emit(Checker *c, json_t *ev)
{
    if (ev == NULL)
        return;
    json_dumpf(ev, c->out, JSON_COMPACT);
    fputc('\n', c->out);
    fflush(c->out);
    json_decref(ev);
}

/* Announces the next call into the module. */
static void step(Checker *c, const char *what, const char *itf)
{
    json_t *ev = json_pack("{s:s, s:s}", "ev", "step", "step", what);
    if (ev != NULL && c->klass >= 0)
        json_object_set_new(ev, "class", json_integer(c->klass));
    if (ev != NULL && itf != NULL)
        json_object_set_new(ev, "interface", json_string(itf));
    emit(c, ev);
}

static void violation(Checker *c, const char *rule, const char *itf, const char *expected,
                      const char *seen_fmt, ...) FACET_PRINTF(5, 6);

static void violation(Checker *c, const char *rule, const char *itf, const char *expected,
                      const char *seen_fmt, ...)
{
    char seen[512];
    va_list ap;
    json_t *ev;
    va_start(ap, seen_fmt);
    vsnprintf(seen, sizeof(seen), seen_fmt, ap);
    va_end(ap);
    ev = json_pack("{s:s, s:s, s:s, s:s}", "ev", "violation", "rule", rule, "expected", expected,
                   "seen", seen);
    if (ev != NULL && c->klass >= 0)
        json_object_set_new(ev, "class", json_integer(c->klass));
    if (ev != NULL && itf != NULL)
        json_object_set_new(ev, "interface", json_string(itf));
    emit(c, ev);
    c->violations++;
}

static const char *guid_text(const FacetGuid *g, char *buf)
{
    facet_guid_format(buf, FACET_GUID_STRING_SIZE, g);
    return buf;
}

/* The interface named by the module's type info, else its IID in text. */
static const FacetInterfaceInfo *find_itf(const Checker *c, const FacetGuid *iid)
{
    uint32_t l, i;
    for (l = 0; c != NULL && l < c->lib_count; l++)
        for (i = 0; i < c->libs[l]->interface_count; i++) {
            const FacetInterfaceInfo *itf = FacetTypeLibInterface(c->libs[l], i);
            if (itf != NULL && itf->name != NULL && FacetGuidEqual(&itf->iid, iid))
                return itf;
        }
    return NULL;
}

static const char *itf_name(const FacetGuid *iid, char *buf)
{
    const FacetInterfaceInfo *itf;
    if (FacetGuidEqual(iid, &IID_IFacetUnknown))
        return "IFacetUnknown";
    itf = find_itf(the_checker, iid);
    return itf != NULL ? itf->name : guid_text(iid, buf);
}

/* Reads the module's IFacetTypeInfoSource, if it has one, and reports
 * every interface it describes. */
static void read_typeinfo(Checker *c)
{
    IFacetTypeInfoSource *src = NULL;
    uint32_t count = 0, l, i;
    char buf[FACET_GUID_STRING_SIZE], base[FACET_GUID_STRING_SIZE];
    step(c, "QueryInterface for IFacetTypeInfoSource on the factory", NULL);
    if (FACET_FAILED(IFacetFactory_QueryInterface(c->factory, &IID_IFacetTypeInfoSource,
                                                  (void **)&src)) ||
        src == NULL)
        return;
    step(c, "IFacetTypeInfoSource", NULL);
    if (FACET_SUCCEEDED(IFacetTypeInfoSource_GetTypeLibCount(src, &count)))
        for (l = 0; l < count && c->lib_count < 16; l++) {
            const FacetTypeLibInfo *lib = NULL;
            if (FACET_SUCCEEDED(IFacetTypeInfoSource_GetTypeLib(src, l, &lib)) && lib != NULL &&
                lib->struct_size >= offsetof(FacetTypeLibInfo, interface_stride) +
                                        sizeof(uint32_t) &&
                lib->interface_stride >= offsetof(FacetInterfaceInfo, methods))
                c->libs[c->lib_count++] = lib;
        }
    IFacetTypeInfoSource_Release(src);
    for (l = 0; l < c->lib_count; l++)
        for (i = 0; i < c->libs[l]->interface_count; i++) {
            const FacetInterfaceInfo *itf = FacetTypeLibInterface(c->libs[l], i);
            if (itf == NULL || itf->name == NULL)
                continue;
            emit(c, json_pack("{s:s, s:s, s:s, s:s?, s:s, s:s?}", "ev", "interface", "iid",
                              guid_text(&itf->iid, buf), "name", itf->name, "base",
                              itf->base_name, "base_iid", guid_text(&itf->base_iid, base),
                              "source", c->libs[l]->source));
        }
}

static void emit_module(Checker *c, FacetModule *m)
{
    FacetModuleInfo info = FACET_MODULE_INFO_INIT;
    facet_module_info(&info, m);
    emit(c, json_pack("{s:s, s:s?, s:s?, s:i, s:s?, s:i}", "ev", "module", "name", info.name,
                      "version", info.version, "api_level", (json_int_t)info.api_level,
                      "compiler", info.compiler, "abi_version", (json_int_t)info.abi_version));
}

static void emit_class(Checker *c, const FacetClassInfo *ci)
{
    char buf[FACET_GUID_STRING_SIZE];
    json_t *itfs = json_array();
    uint32_t i;
    for (i = 0; itfs != NULL && i < ci->interface_count; i++)
        json_array_append_new(itfs, json_string(guid_text(&ci->interfaces[i], buf)));
    emit(c, json_pack("{s:s, s:s, s:s?, s:s?, s:i, s:o}", "ev", "class", "clsid",
                      guid_text(&ci->clsid, buf), "contract", ci->contract, "version",
                      ci->version, "threading", (json_int_t)ci->threading, "interfaces",
                      itfs ? itfs : json_array()));
}

/* ---- QueryInterface ---------------------------------------------------- */

static void check_qi_basics(Checker *c, IFacetUnknown *unk)
{
    void *p = (void *)&IID_Nonexistent; /* anything but NULL */
    FacetResult r;

    step(c, "QueryInterface with a NULL out", "IFacetUnknown");
    r = IFacetUnknown_QueryInterface(unk, &IID_IFacetUnknown, NULL);
    if (r != FACET_E_POINTER)
        violation(c, "qi-null-out", "IFacetUnknown",
                  "QueryInterface(IFacetUnknown, NULL) to return FACET_E_POINTER", "%s",
                  facet_result_name(r));

    step(c, "QueryInterface for an unknown IID", NULL);
    r = IFacetUnknown_QueryInterface(unk, &IID_Nonexistent, &p);
    if (r != FACET_E_NOINTERFACE || p != NULL) {
        char buf[FACET_GUID_STRING_SIZE];
        violation(c, "qi-unknown-iid", guid_text(&IID_Nonexistent, buf),
                  "QueryInterface for an IID the class does not implement to return "
                  "FACET_E_NOINTERFACE and set *out to NULL",
                  "%s with *out %s", facet_result_name(r), p == NULL ? "NULL" : "not NULL");
        if (FACET_SUCCEEDED(r) && p != NULL && p != (void *)&IID_Nonexistent)
            IFacetUnknown_Release((IFacetUnknown *)p);
    }
}

/* Checks identity, reflexive, symmetric and transitive QI over the class's
 * interfaces; ptrs[i] is the class's iids[i], got from unk. */
static void check_qi_rules(Checker *c, IFacetUnknown *identity, const FacetGuid *iids,
                           IFacetUnknown **ptrs, uint32_t n)
{
    char a[FACET_GUID_STRING_SIZE], b[FACET_GUID_STRING_SIZE];
    uint32_t i, j, k;

    for (i = 0; i < n; i++) {
        void *u = NULL, *q = NULL;
        FacetResult r;
        if (ptrs[i] == NULL)
            continue;
        step(c, "QueryInterface for IFacetUnknown", itf_name(&iids[i], a));
        r = IFacetUnknown_QueryInterface(ptrs[i], &IID_IFacetUnknown, &u);
        if (FACET_FAILED(r) || u == NULL)
            violation(c, "qi-identity", itf_name(&iids[i], a),
                      "QueryInterface for IFacetUnknown to succeed from every interface", "%s",
                      facet_result_name(r));
        else if (u != (void *)identity)
            violation(c, "qi-identity", itf_name(&iids[i], a),
                      "the same IFacetUnknown pointer from every interface",
                      "%p from this interface, %p from the object", u, (void *)identity);
        if (u != NULL && FACET_SUCCEEDED(r))
            IFacetUnknown_Release((IFacetUnknown *)u);

        step(c, "QueryInterface for its own IID", itf_name(&iids[i], a));
        r = IFacetUnknown_QueryInterface(ptrs[i], &iids[i], &q);
        if (FACET_FAILED(r) || q == NULL)
            violation(c, "qi-reflexive", itf_name(&iids[i], a),
                      "QueryInterface on an interface for its own IID to succeed", "%s",
                      facet_result_name(r));
        else
            IFacetUnknown_Release((IFacetUnknown *)q);

        for (j = 0; j < n; j++) {
            void *x = NULL;
            if (j == i || ptrs[j] == NULL)
                continue;
            step(c, "QueryInterface between interfaces", itf_name(&iids[i], a));
            r = IFacetUnknown_QueryInterface(ptrs[i], &iids[j], &x);
            if (FACET_FAILED(r) || x == NULL) {
                char expected[200];
                snprintf(expected, sizeof(expected),
                         "QueryInterface for %s to succeed, as it does from IFacetUnknown",
                         itf_name(&iids[j], b));
                violation(c, "qi-transitive", itf_name(&iids[i], a), expected, "%s",
                          facet_result_name(r));
                continue;
            }
            for (k = 0; k < n; k++) {
                void *y = NULL;
                if (k == j)
                    continue;
                r = IFacetUnknown_QueryInterface((IFacetUnknown *)x, &iids[k], &y);
                if (FACET_FAILED(r) || y == NULL) {
                    char expected[240];
                    snprintf(expected, sizeof(expected),
                             "QueryInterface for %s to succeed from %s got from it",
                             itf_name(&iids[k], b), itf_name(&iids[j], b));
                    violation(c, k == i ? "qi-symmetric" : "qi-transitive",
                              itf_name(&iids[i], a), expected, "%s", facet_result_name(r));
                } else {
                    IFacetUnknown_Release((IFacetUnknown *)y);
                }
            }
            IFacetUnknown_Release((IFacetUnknown *)x);
        }
    }
}

/* ---- Reference counts -------------------------------------------------- */

/* Returns 0 when the counts are too broken to go on with this object. */
static int check_counts(Checker *c, IFacetUnknown *unk)
{
    uint32_t a1, a2, r2, r1;
    step(c, "AddRef and Release", "IFacetUnknown");
    a1 = IFacetUnknown_AddRef(unk);
    a2 = IFacetUnknown_AddRef(unk);
    r2 = IFacetUnknown_Release(unk);
    r1 = IFacetUnknown_Release(unk);
    if (a1 <= 1 || a1 >= 0x80000000u || r1 >= 0x80000000u) {
        violation(c, "refcount-negative", "IFacetUnknown",
                  "AddRef on an object the caller holds to return at least 2, and the count "
                  "never to pass below zero",
                  "AddRef returned %u (the object was handed out with a count of %d), Release "
                  "then came back to %d",
                  (unsigned)a1, (int)(a1 - 1), (int32_t)r1);
        return 0;
    }
    if (a2 != a1 + 1 || r2 != a1 || r1 != a1 - 1) {
        violation(c, "refcount", "IFacetUnknown",
                  "AddRef and Release to return the new count (n+1, n+2, n+1, n)",
                  "AddRef %u, AddRef %u, Release %u, Release %u", (unsigned)a1, (unsigned)a2,
                  (unsigned)r2, (unsigned)r1);
        return 0;
    }
    return 1;
}

typedef struct Stress {
    IFacetUnknown *unk;
    uint32_t iterations;
    uint32_t failures;
    uint32_t go; /* the threads start together, once all are running */
} Stress;

static void stress_thread(void *p)
{
    Stress *s = p;
    uint32_t i;
    while (!__atomic_load_n(&s->go, __ATOMIC_ACQUIRE))
        facet__os_yield();
    for (i = 0; i < s->iterations; i++) {
        void *q = NULL;
        IFacetUnknown_AddRef(s->unk);
        if (FACET_FAILED(IFacetUnknown_QueryInterface(s->unk, &IID_IFacetUnknown, &q)) ||
            q == NULL)
            __atomic_add_fetch(&s->failures, 1, __ATOMIC_RELAXED);
        else
            IFacetUnknown_Release((IFacetUnknown *)q);
        IFacetUnknown_Release(s->unk);
    }
}

/* Lost updates can cancel out within one round (a lost AddRef against a
 * Release overwritten by a stale write), so the stress runs several rounds
 * and stops at the first that leaves the count changed. */
#define STRESS_ROUNDS 8

static int check_threads(Checker *c, IFacetUnknown *unk)
{
    FacetOsThread threads[256];
    Stress s;
    uint32_t before, after, i, round, started = 0;

    step(c, "multi-thread AddRef/QueryInterface/Release stress", "IFacetUnknown");
    before = IFacetUnknown_AddRef(unk);
    IFacetUnknown_Release(unk);
    after = before;
    s.unk = unk;
    s.iterations = c->iterations;
    s.failures = 0;
    for (round = 0; round < STRESS_ROUNDS && after == before && s.failures == 0; round++) {
        s.go = 0;
        started = 0;
        for (i = 0; i < c->threads && i < 256; i++)
            if (FACET_SUCCEEDED(facet__os_thread_start(&threads[started], stress_thread, &s)))
                started++;
        __atomic_store_n(&s.go, 1, __ATOMIC_RELEASE);
        for (i = 0; i < started; i++)
            facet__os_thread_join(&threads[i]);
        after = IFacetUnknown_AddRef(unk);
        IFacetUnknown_Release(unk);
    }
    if (after != before || s.failures != 0) {
        violation(c, "thread-safety", "IFacetUnknown",
                  "the reference count unchanged after a balanced AddRef/QueryInterface/"
                  "Release stress on several threads (the class says FACET_THREADING_ANY)",
                  "the count went from %d to %d in round %u of %u threads x %u rounds; %u "
                  "QueryInterface calls failed",
                  (int32_t)(before - 1), (int32_t)(after - 1), (unsigned)round,
                  (unsigned)started, (unsigned)c->iterations, (unsigned)s.failures);
        return 0;
    }
    return 1;
}

static void check_can_unload(Checker *c, FacetResult want, const char *when)
{
    FacetResult r;
    step(c, "CanUnload", NULL);
    r = IFacetFactory_CanUnload(c->factory);
    if (r != want) {
        char expected[200];
        snprintf(expected, sizeof(expected), "CanUnload to return %s %s",
                 facet_result_name(want), when);
        violation(c, "can-unload", NULL, expected, "%s", facet_result_name(r));
    }
}

/* ---- Aggregation ------------------------------------------------------- */

/* The validator's own controlling unknown. */
typedef struct Outer {
    IFacetUnknown itf;
    uint32_t refs;
    IFacetUnknown *inner;
} Outer;

static FacetResult FACET_CALL outer_qi(IFacetUnknown *self, const FacetGuid *iid, void **out)
{
    Outer *o = (Outer *)self;
    if (out == NULL)
        return FACET_E_POINTER;
    *out = NULL;
    if (FacetGuidEqual(iid, &IID_IFacetUnknown)) {
        __atomic_add_fetch(&o->refs, 1, __ATOMIC_ACQ_REL);
        *out = self;
        return FACET_OK;
    }
    if (o->inner == NULL)
        return FACET_E_NOINTERFACE;
    return IFacetUnknown_QueryInterface(o->inner, iid, out);
}

static uint32_t FACET_CALL outer_addref(IFacetUnknown *self)
{
    return __atomic_add_fetch(&((Outer *)self)->refs, 1, __ATOMIC_ACQ_REL);
}

static uint32_t FACET_CALL outer_release(IFacetUnknown *self)
{
    return __atomic_sub_fetch(&((Outer *)self)->refs, 1, __ATOMIC_ACQ_REL);
}

static const IFacetUnknownVtbl outer_vtbl = {outer_qi, outer_addref, outer_release};

static void check_aggregated_itf(Checker *c, Outer *o, const FacetGuid *iid)
{
    char a[FACET_GUID_STRING_SIZE];
    void *p = NULL, *u = NULL;
    uint32_t before;
    FacetResult r;

    step(c, "QueryInterface on the inner unknown of an aggregate", itf_name(iid, a));
    r = IFacetUnknown_QueryInterface(o->inner, iid, &p);
    if (FACET_FAILED(r) || p == NULL) {
        violation(c, "aggregation", itf_name(iid, a),
                  "the inner unknown of an aggregate to give every interface the class "
                  "declares",
                  "%s", facet_result_name(r));
        return;
    }
    /* Its IFacetUnknown methods belong to the outer object now. */
    before = __atomic_load_n(&o->refs, __ATOMIC_ACQUIRE);
    step(c, "AddRef on an interface of an aggregate", itf_name(iid, a));
    IFacetUnknown_AddRef((IFacetUnknown *)p);
    if (__atomic_load_n(&o->refs, __ATOMIC_ACQUIRE) != before + 1)
        violation(c, "aggregation", itf_name(iid, a),
                  "AddRef on an interface of an aggregated object to go to the outer unknown",
                  "the outer count went from %u to %u: the object ignored its outer",
                  (unsigned)before, (unsigned)__atomic_load_n(&o->refs, __ATOMIC_ACQUIRE));
    IFacetUnknown_Release((IFacetUnknown *)p);
    step(c, "QueryInterface for IFacetUnknown on an aggregate", itf_name(iid, a));
    r = IFacetUnknown_QueryInterface((IFacetUnknown *)p, &IID_IFacetUnknown, &u);
    if (FACET_FAILED(r) || u != (void *)&o->itf)
        violation(c, "aggregation", itf_name(iid, a),
                  "QueryInterface for IFacetUnknown on an aggregated object to give the outer "
                  "unknown",
                  "%s, %s", facet_result_name(r),
                  u == NULL ? "NULL" : "a pointer that is not the outer unknown");
    if (FACET_SUCCEEDED(r) && u != NULL)
        IFacetUnknown_Release((IFacetUnknown *)u);
    IFacetUnknown_Release((IFacetUnknown *)p);
}

static void check_aggregation(Checker *c, uint64_t live_before)
{
    Outer o;
    void *inner = NULL, *other = NULL, *self = NULL;
    FacetResult r;
    uint32_t i, last;

    o.itf.lpVtbl = &outer_vtbl;
    o.refs = 1;
    o.inner = NULL;
    step(c, "CreateInstance with an outer unknown", "IFacetUnknown");
    r = IFacetFactory_CreateInstance(c->factory, &c->ci->clsid, &o.itf, &IID_IFacetUnknown,
                                     &inner);
    if (r == FACET_E_NOAGGREGATION) {
        if (inner != NULL)
            violation(c, "aggregation", "IFacetUnknown",
                      "*out set to NULL when refusing an outer", "FACET_E_NOAGGREGATION with "
                      "*out not NULL");
        return;
    }
    if (FACET_FAILED(r) || inner == NULL) {
        violation(c, "aggregation", "IFacetUnknown",
                  "CreateInstance with an outer to return FACET_E_NOAGGREGATION or an inner "
                  "unknown",
                  "%s%s", facet_result_name(r), inner == NULL ? " with a NULL object" : "");
        return;
    }
    o.inner = (IFacetUnknown *)inner;

    /* COM: an aggregate is asked for IFacetUnknown only. */
    if (c->ci->interface_count > 0 &&
        !FacetGuidEqual(&c->ci->interfaces[0], &IID_IFacetUnknown)) {
        step(c, "CreateInstance with an outer and an IID other than IFacetUnknown", NULL);
        r = IFacetFactory_CreateInstance(c->factory, &c->ci->clsid, &o.itf,
                                         &c->ci->interfaces[0], &other);
        if (FACET_SUCCEEDED(r) || other != NULL) {
            char a[FACET_GUID_STRING_SIZE];
            violation(c, "aggregation", itf_name(&c->ci->interfaces[0], a),
                      "CreateInstance with an outer and an IID other than IFacetUnknown to "
                      "fail (FACET_E_INVALIDARG or FACET_E_NOAGGREGATION) with *out NULL",
                      "%s", facet_result_name(r));
            if (FACET_SUCCEEDED(r) && other != NULL)
                IFacetUnknown_Release((IFacetUnknown *)other);
        }
    }

    step(c, "QueryInterface for IFacetUnknown on an inner unknown", "IFacetUnknown");
    r = IFacetUnknown_QueryInterface(o.inner, &IID_IFacetUnknown, &self);
    if (FACET_FAILED(r) || self != inner)
        violation(c, "aggregation", "IFacetUnknown",
                  "the inner unknown to answer QueryInterface for IFacetUnknown with itself",
                  "%s, %s", facet_result_name(r),
                  self == (void *)&o.itf ? "the outer unknown" : "another pointer");
    if (FACET_SUCCEEDED(r) && self != NULL)
        IFacetUnknown_Release((IFacetUnknown *)self);

    for (i = 0; i < c->ci->interface_count; i++)
        if (!FacetGuidEqual(&c->ci->interfaces[i], &IID_IFacetUnknown))
            check_aggregated_itf(c, &o, &c->ci->interfaces[i]);

    step(c, "Release of an inner unknown", "IFacetUnknown");
    last = IFacetUnknown_Release(o.inner);
    if (last != 0)
        violation(c, "aggregation", "IFacetUnknown",
                  "the last Release of the inner unknown to return 0", "%u", (unsigned)last);
    else if (facet_testing_live_allocations() != live_before)
        violation(c, "leak", "IFacetUnknown",
                  "every block allocated through the host allocator to be freed when an "
                  "aggregate's inner unknown is released",
                  "%lld blocks still allocated",
                  (long long)(facet_testing_live_allocations() - live_before));
    if (o.refs != 1)
        violation(c, "aggregation", "IFacetUnknown",
                  "the outer unknown's count back where it was after the aggregate is gone",
                  "%d references to the outer are left", (int)(o.refs - 1));
}

/* ---- One class --------------------------------------------------------- */

static void check_class(Checker *c)
{
    char a[FACET_GUID_STRING_SIZE];
    IFacetUnknown *unk = NULL, *identity = NULL, *ptrs[MAX_ITFS];
    FacetGuid iids[MAX_ITFS];
    uint64_t live_before = facet_testing_live_allocations();
    uint32_t n = 0, i, last;
    FacetResult r;

    step(c, "CreateInstance", "IFacetUnknown");
    r = IFacetFactory_CreateInstance(c->factory, &c->ci->clsid, NULL, &IID_IFacetUnknown,
                                     (void **)&unk);
    if (FACET_FAILED(r) || unk == NULL) {
        violation(c, "create", "IFacetUnknown",
                  "CreateInstance(clsid, NULL, IFacetUnknown) to give an object", "%s%s",
                  facet_result_name(r), FACET_SUCCEEDED(r) ? " with a NULL object" : "");
        return;
    }
    /* The counts first, while the caller's is the only reference. */
    if (!check_counts(c, unk))
        return; /* its count cannot be trusted: releasing it could free it twice */
    check_can_unload(c, FACET_FALSE, "while an object of the module is alive");
    check_qi_basics(c, unk);

    iids[n++] = IID_IFacetUnknown;
    for (i = 0; i < c->ci->interface_count && n < MAX_ITFS; i++)
        if (!FacetGuidEqual(&c->ci->interfaces[i], &IID_IFacetUnknown))
            iids[n++] = c->ci->interfaces[i];
    for (i = 0; i < n; i++) {
        void *p = NULL;
        step(c, "QueryInterface for a declared interface", itf_name(&iids[i], a));
        r = IFacetUnknown_QueryInterface(unk, &iids[i], &p);
        ptrs[i] = FACET_SUCCEEDED(r) ? (IFacetUnknown *)p : NULL;
        if (FACET_FAILED(r) || p == NULL)
            violation(c, "qi-declared", itf_name(&iids[i], a),
                      "QueryInterface for an interface the class declares to succeed", "%s%s",
                      facet_result_name(r), FACET_SUCCEEDED(r) ? " with a NULL pointer" : "");
    }
    identity = ptrs[0];
    if (identity != NULL)
        check_qi_rules(c, identity, iids, ptrs, n);

    if (c->ci->threading == FACET_THREADING_ANY && c->threads > 1 && !check_threads(c, unk))
        return; /* as above */

    step(c, "Release", "IFacetUnknown");
    for (i = 0; i < n; i++)
        if (ptrs[i] != NULL)
            IFacetUnknown_Release(ptrs[i]);
    last = IFacetUnknown_Release(unk);
    if (last != 0) {
        violation(c, "release-to-zero", "IFacetUnknown",
                  "the last Release to return 0 once every reference is given back", "%u",
                  (unsigned)last);
        return;
    }
    if (facet_testing_live_allocations() != live_before)
        violation(c, "leak", "IFacetUnknown",
                  "every block allocated through the host allocator to be freed after the "
                  "last Release",
                  "%lld blocks still allocated",
                  (long long)(facet_testing_live_allocations() - live_before));
    check_can_unload(c, FACET_OK, "after the last object of the module is released");
    check_aggregation(c, live_before);
    check_can_unload(c, FACET_OK, "after every object, aggregated ones too, is released");
}

/* ---- The manifest ------------------------------------------------------ */

/* The module's manifest, <module>.facet.json next to it, if there is one:
 * is it sound, and does it agree with what the module says of itself? */
static void check_manifest(Checker *c, FacetModule *m, const char *module_path)
{
    const char *dot = strrchr(module_path, '.'), *slash = strrchr(module_path, '/');
    size_t stem = dot != NULL && (slash == NULL || dot > slash) ? (size_t)(dot - module_path)
                                                               : strlen(module_path);
    char *path = facet__malloc(stem + sizeof(".facet.json"));
    const char *problem = NULL;
    FacetManifest *mf = NULL;
    FacetOsStat st;
    FacetResult r;

    if (path == NULL)
        return;
    memcpy(path, module_path, stem);
    memcpy(path + stem, ".facet.json", sizeof(".facet.json"));
    if (FACET_FAILED(facet__os_stat(&st, path)) || st.kind == FACET_OS_MISSING) {
        facet__free(path);
        return;
    }
    r = facet_manifest_load(&mf, path);
    if (FACET_SUCCEEDED(r))
        r = facet__manifest_check_module(mf, m);
    if (FACET_FAILED(r))
        problem = facet_last_error();
    emit(c, json_pack("{s:s, s:s, s:s?}", "ev", "manifest", "path", path, "problem", problem));
    if (problem != NULL && c->validate)
        violation(c, "manifest", NULL, "the module's manifest to be sound and to agree with "
                  "the module", "%s", problem);
    facet_manifest_free(mf);
    facet__free(path);
}

/* ---- The helper -------------------------------------------------------- */

static void quiet_log(uint32_t level, const char *module, const char *message, void *payload)
{
    (void)payload;
    fprintf(stderr, "[%s] %u: %s\n", module, (unsigned)level, message);
}

int facet_probe_helper_main(int argc, char **argv)
{
    FacetRuntimeOptions opts = FACET_RUNTIME_OPTIONS_INIT;
    FacetRuntime *rt = NULL;
    FacetModule *m = NULL;
    Checker c;
    uint32_t count, i;
    int validate;
    FacetResult r;

    if (argc < 3 || (strcmp(argv[1], "probe") != 0 && strcmp(argv[1], "validate") != 0)) {
        fprintf(stderr, "usage: facet-probe probe|validate MODULE [THREADS ITERATIONS]\n"
                        "(run by libfacet; see facet_probe and facet_validate)\n");
        return 2;
    }
    validate = strcmp(argv[1], "validate") == 0;
    memset(&c, 0, sizeof(c));
    c.out = stdout;
    c.klass = -1;
    c.threads = argc > 3 ? (uint32_t)strtoul(argv[3], NULL, 10) : 4;
    c.iterations = argc > 4 ? (uint32_t)strtoul(argv[4], NULL, 10) : 20000;

    opts.log = quiet_log;
    r = facet_runtime_new(&rt, &opts);
    if (FACET_SUCCEEDED(r)) {
        step(&c, "facet_module_entry", NULL);
        r = facet_module_load(&m, rt, argv[2]);
    }
    if (FACET_FAILED(r)) {
        emit(&c, json_pack("{s:s, s:i, s:s, s:s}", "ev", "load-error", "code", (json_int_t)r,
                           "name", facet_result_name(r), "message", facet_last_error()));
        emit(&c, json_pack("{s:s}", "ev", "done"));
        facet_runtime_free(rt);
        return 0;
    }
    emit_module(&c, m);
    c.validate = validate;
    check_manifest(&c, facet__module_of(m), argv[2]);
    facet_module_factory(&c.factory, m);
    the_checker = &c;
    read_typeinfo(&c);
    count = facet__module_of(m)->class_count;
    for (i = 0; i < count; i++) {
        FacetClassInfo ci = FACET_CLASS_INFO_INIT;
        step(&c, "DescribeClass", NULL);
        if (FACET_SUCCEEDED(IFacetFactory_DescribeClass(c.factory, i, &ci)))
            emit_class(&c, &ci);
    }
    for (i = 0; validate && i < count; i++) {
        FacetClassInfo ci = FACET_CLASS_INFO_INIT;
        if (FACET_FAILED(IFacetFactory_DescribeClass(c.factory, i, &ci)))
            continue;
        c.klass = (int)i;
        c.ci = &ci;
        check_class(&c);
        c.klass = -1;
    }
    IFacetFactory_Release(c.factory);
    step(&c, "unloading", NULL);
    facet_module_unload(m);
    facet_runtime_free(rt);
    emit(&c, json_pack("{s:s}", "ev", "done"));
    return 0;
}
