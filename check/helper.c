/*
 * check/helper.c - the helper's side of facet_probe and facet_validate:
 * it loads one module into this (throw-away) process and, for validate,
 * runs the conformance checks (docs/facet.md) on every class, through every
 * interface the class declares and every one QueryInterface hands out. It
 * reports by writing one JSON object per line to its report channel (the
 * descriptor or handle "--report" names, never its stdout, which is the
 * module's; see check/report.c), and announces each call into the module
 * before making it, so the parent can say where a crash or a hang
 * happened. Text from the module goes into the report as valid UTF-8
 * (core/base/base.h), whatever bytes the module gave.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "facet/typeinfo.h"
#include "runtime/runtime.h"
#include "os/process.h"
#include "report.h"

/* An IID no class implements. */
static const FacetGuid IID_Nonexistent = {0xFACE7BAD, 0x0000, 0x4000,
                                          {0x80, 0x00, 0x6E, 0x6F, 0x6E, 0x65, 0x21, 0x21}};

#define MAX_ITFS 64

/* A name for an interface the module does not describe itself, from the
 * caller's type info ("--interface {IID}=Name"). */
typedef struct GivenName {
    FacetGuid iid;
    const char *name;
} GivenName;

typedef struct Checker {
    FILE *out;                 /* the report channel */
    uint64_t records;          /* records written before "done" */
    uint64_t lost;             /* records that could not be made */
    IFacetFactory *factory;
    int klass;                 /* index of the class under check */
    const FacetClassInfo *ci;
    uint32_t threads, iterations;
    uint32_t violations;
    int validate;              /* 0: probe only */
    uint32_t lib_count;        /* the module's own type info, if it offers it */
    const FacetTypeLibInfo *libs[16];
    uint32_t given_count;      /* names the caller gave */
    GivenName *given;
} Checker;

/* So itf_name() needs no Checker argument: one module per process. */
static Checker *the_checker;

/* A JSON string of text from the module (or from anywhere that does not
 * promise UTF-8): invalid bytes become U+FFFD rather than the record
 * being lost. NULL for NULL, which json_pack's "o?" writes as null. */
static json_t *text_json(const char *s)
{
    return s != NULL ? facet__utf8_json(s, strlen(s)) : NULL;
}

static void emit(Checker *c, json_t *ev)
{
    if (ev == NULL) {
        c->lost++; /* out of memory: "done" says so */
        return;
    }
    c->records++;
    json_dumpf(ev, c->out, JSON_COMPACT);
    fputc('\n', c->out);
    fflush(c->out);
    json_decref(ev);
}

/* Announces the next call into the module. A crash, hang or exit in it is
 * reported under rule (NULL: "crash", "hang", "exit"), expecting what
 * expected says (NULL: that the call returns). */
static void step_as(Checker *c, const char *what, const char *itf, const char *rule,
                    const char *expected)
{
    json_t *ev = json_pack("{s:s, s:s, s:o?, s:s?, s:s?}", "ev", "step", "step", what,
                           "interface", text_json(itf), "rule", rule, "expected", expected);
    if (ev != NULL && c->klass >= 0)
        json_object_set_new(ev, "class", json_integer(c->klass));
    emit(c, ev);
}

static void step(Checker *c, const char *what, const char *itf)
{
    step_as(c, what, itf, NULL, NULL);
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
    ev = json_pack("{s:s, s:s, s:o?, s:o?, s:o?}", "ev", "violation", "rule", rule, "expected",
                   text_json(expected), "seen", text_json(seen), "interface", text_json(itf));
    if (ev != NULL && c->klass >= 0)
        json_object_set_new(ev, "class", json_integer(c->klass));
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

static const GivenName *find_given(const Checker *c, const FacetGuid *iid)
{
    uint32_t i;
    for (i = 0; c != NULL && i < c->given_count; i++)
        if (FacetGuidEqual(&c->given[i].iid, iid))
            return &c->given[i];
    return NULL;
}

/* The name of iid: the module's own type info, else the caller's, else the
 * IID in text (buf). */
static const char *itf_name(const FacetGuid *iid, char *buf)
{
    const FacetInterfaceInfo *itf;
    const GivenName *given;
    if (FacetGuidEqual(iid, &IID_IFacetUnknown))
        return "IFacetUnknown";
    itf = find_itf(the_checker, iid);
    if (itf != NULL)
        return itf->name;
    given = find_given(the_checker, iid);
    return given != NULL ? given->name : guid_text(iid, buf);
}

/* Reads the module's IFacetTypeInfoSource, if it has one, and reports
 * every interface it describes, then the caller's names for the others. */
static void read_typeinfo(Checker *c)
{
    IFacetTypeInfoSource *src = NULL;
    uint32_t count = 0, l, i;
    char buf[FACET_GUID_STRING_SIZE], base[FACET_GUID_STRING_SIZE];
    step(c, "QueryInterface for IFacetTypeInfoSource on the factory", NULL);
    if (FACET_SUCCEEDED(IFacetFactory_QueryInterface(c->factory, &IID_IFacetTypeInfoSource,
                                                     (void **)&src)) &&
        src != NULL) {
        step(c, "IFacetTypeInfoSource", NULL);
        if (FACET_SUCCEEDED(IFacetTypeInfoSource_GetTypeLibCount(src, &count)))
            for (l = 0; l < count && c->lib_count < 16; l++) {
                const FacetTypeLibInfo *lib = NULL;
                if (FACET_SUCCEEDED(IFacetTypeInfoSource_GetTypeLib(src, l, &lib)) &&
                    lib != NULL &&
                    lib->struct_size >= offsetof(FacetTypeLibInfo, interface_stride) +
                                            sizeof(uint32_t) &&
                    lib->interface_stride >= offsetof(FacetInterfaceInfo, methods))
                    c->libs[c->lib_count++] = lib;
            }
        IFacetTypeInfoSource_Release(src);
    }
    for (l = 0; l < c->lib_count; l++)
        for (i = 0; i < c->libs[l]->interface_count; i++) {
            const FacetInterfaceInfo *itf = FacetTypeLibInterface(c->libs[l], i);
            if (itf == NULL || itf->name == NULL)
                continue;
            emit(c, json_pack("{s:s, s:s, s:o?, s:o?, s:s, s:o?}", "ev", "interface", "iid",
                              guid_text(&itf->iid, buf), "name", text_json(itf->name), "base",
                              text_json(itf->base_name), "base_iid",
                              guid_text(&itf->base_iid, base), "source",
                              text_json(c->libs[l]->source)));
        }
    for (i = 0; i < c->given_count; i++)
        if (find_itf(c, &c->given[i].iid) == NULL)
            emit(c, json_pack("{s:s, s:s, s:o?, s:s}", "ev", "interface", "iid",
                              guid_text(&c->given[i].iid, buf), "name",
                              text_json(c->given[i].name), "source", "caller"));
}

static void emit_module(Checker *c, FacetModule *m)
{
    FacetModuleInfo info = FACET_MODULE_INFO_INIT;
    facet_module_info(&info, m);
    emit(c, json_pack("{s:s, s:o?, s:o?, s:i, s:o?, s:i}", "ev", "module", "name",
                      text_json(info.name), "version", text_json(info.version), "api_level",
                      (json_int_t)info.api_level, "compiler", text_json(info.compiler),
                      "abi_version", (json_int_t)info.abi_version));
}

static void emit_class(Checker *c, const FacetClassInfo *ci)
{
    char buf[FACET_GUID_STRING_SIZE];
    json_t *itfs = json_array();
    uint32_t i;
    for (i = 0; itfs != NULL && i < ci->interface_count; i++)
        json_array_append_new(itfs, json_string(guid_text(&ci->interfaces[i], buf)));
    emit(c, json_pack("{s:s, s:s, s:o?, s:o?, s:i, s:o}", "ev", "class", "clsid",
                      guid_text(&ci->clsid, buf), "contract", text_json(ci->contract),
                      "version", text_json(ci->version), "threading",
                      (json_int_t)ci->threading, "interfaces", itfs ? itfs : json_array()));
}

/* ---- QueryInterface ---------------------------------------------------- */

/* The rules every interface keeps: a NULL out is FACET_E_POINTER, and an
 * IID nobody implements is FACET_E_NOINTERFACE with *out NULL. */
static void check_qi_basics(Checker *c, IFacetUnknown *p, const char *name)
{
    void *q = (void *)&IID_Nonexistent; /* anything but NULL */
    char expected[200];
    FacetResult r;

    step(c, "QueryInterface with a NULL out", name);
    r = IFacetUnknown_QueryInterface(p, &IID_IFacetUnknown, NULL);
    if (r != FACET_E_POINTER)
        violation(c, "qi-null-out", name,
                  "QueryInterface(IFacetUnknown, NULL) to return FACET_E_POINTER", "%s",
                  facet_result_name(r));

    step(c, "QueryInterface for an unknown IID", name);
    r = IFacetUnknown_QueryInterface(p, &IID_Nonexistent, &q);
    if (r != FACET_E_NOINTERFACE || q != NULL) {
        char buf[FACET_GUID_STRING_SIZE];
        snprintf(expected, sizeof(expected),
                 "QueryInterface for an IID the class does not implement (%s) to return "
                 "FACET_E_NOINTERFACE and set *out to NULL",
                 guid_text(&IID_Nonexistent, buf));
        violation(c, "qi-unknown-iid", name, expected, "%s with *out %s", facet_result_name(r),
                  q == NULL ? "NULL" : "not NULL");
        if (FACET_SUCCEEDED(r) && q != NULL && q != (void *)&IID_Nonexistent)
            IFacetUnknown_Release((IFacetUnknown *)q);
    }
}

/* ---- Reference counts -------------------------------------------------- */

/* AddRef, AddRef, Release, Release on p return n+1, n+2, n+1, n. fresh: p
 * is a new object's and the caller's only reference, so AddRef must give
 * at least 2. Returns 0 when the counts are too broken to go on with this
 * object. */
static int check_counts(Checker *c, IFacetUnknown *p, const char *name, int fresh)
{
    uint32_t a1, a2, r2, r1;
    step(c, "AddRef and Release", name);
    a1 = IFacetUnknown_AddRef(p);
    a2 = IFacetUnknown_AddRef(p);
    r2 = IFacetUnknown_Release(p);
    r1 = IFacetUnknown_Release(p);
    if (fresh && (a1 <= 1 || a1 >= 0x80000000u || r1 >= 0x80000000u)) {
        violation(c, "refcount-negative", name,
                  "AddRef on an object the caller holds to return at least 2, and the count "
                  "never to pass below zero",
                  "AddRef returned %u (the object was handed out with a count of %d), Release "
                  "then came back to %d",
                  (unsigned)a1, (int)(a1 - 1), (int32_t)r1);
        return 0;
    }
    if (a2 != a1 + 1 || r2 != a1 || r1 != a1 - 1) {
        violation(c, "refcount", name,
                  "AddRef and Release to return the new count (n+1, n+2, n+1, n)",
                  "AddRef %u, AddRef %u, Release %u, Release %u", (unsigned)a1, (unsigned)a2,
                  (unsigned)r2, (unsigned)r1);
        return 0;
    }
    return 1;
}

/* The counts through p, an interface of the object whose identity is
 * unk: p's own sequence, and the object's count where it was afterwards
 * (an AddRef that returns a count without adding to it passes the first
 * only by luck, and frees the object at a Release that follows). Two
 * references held through unk meanwhile keep a broken p from freeing the
 * object under the check. Returns 0 as check_counts does; the class is
 * then left alone, its references not given back. */
static int check_counts_through(Checker *c, IFacetUnknown *unk, IFacetUnknown *p,
                                const char *name)
{
    uint32_t before, after;
    step(c, "AddRef and Release", "IFacetUnknown");
    IFacetUnknown_AddRef(unk);
    before = IFacetUnknown_AddRef(unk);
    if (!check_counts(c, p, name, 0))
        return 0;
    step(c, "AddRef and Release", "IFacetUnknown");
    after = IFacetUnknown_AddRef(unk);
    IFacetUnknown_Release(unk);
    if (after != before + 1) {
        violation(c, "refcount", name,
                  "AddRef and Release through this interface to leave the object's count "
                  "where it was",
                  "the object's count (read through IFacetUnknown) went from %u to %u",
                  (unsigned)before, (unsigned)(after - 1));
        return 0;
    }
    IFacetUnknown_Release(unk);
    IFacetUnknown_Release(unk);
    return 1;
}

/* ---- QueryInterface between interfaces ---------------------------------- */

/* QueryInterface for IFacetUnknown on p gives identity. */
static void check_identity(Checker *c, IFacetUnknown *p, IFacetUnknown *identity,
                           const char *name)
{
    void *u = NULL;
    FacetResult r;
    step(c, "QueryInterface for IFacetUnknown", name);
    r = IFacetUnknown_QueryInterface(p, &IID_IFacetUnknown, &u);
    if (FACET_FAILED(r) || u == NULL)
        violation(c, "qi-identity", name,
                  "QueryInterface for IFacetUnknown to succeed from every interface", "%s",
                  facet_result_name(r));
    else if (u != (void *)identity)
        violation(c, "qi-identity", name, "the same IFacetUnknown pointer from every interface",
                  "%p from this interface, %p from the object", u, (void *)identity);
    if (u != NULL && FACET_SUCCEEDED(r))
        IFacetUnknown_Release((IFacetUnknown *)u);
}

/* Checks identity, reflexive, symmetric and transitive QI over the class's
 * interfaces; ptrs[i] is the class's iids[i], got from unk. An interface
 * that QueryInterface hands out from another as a pointer of its own (a
 * tear-off) has its identity, its basic QI rules and its counts checked
 * too. Returns 0 when a count is broken (see check_counts_through). */
static int check_qi_rules(Checker *c, IFacetUnknown *identity, const FacetGuid *iids,
                          IFacetUnknown **ptrs, uint32_t n)
{
    char a[FACET_GUID_STRING_SIZE], b[FACET_GUID_STRING_SIZE], d[FACET_GUID_STRING_SIZE];
    uint32_t i, j, k;

    for (i = 0; i < n; i++) {
        void *q = NULL;
        FacetResult r;
        if (ptrs[i] == NULL)
            continue;
        check_identity(c, ptrs[i], identity, itf_name(&iids[i], a));

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
            if (x != (void *)ptrs[j] && !FacetGuidEqual(&iids[j], &IID_IFacetUnknown)) {
                /* Another pointer for iids[j]: its own rules, its own counts. */
                char name[160];
                snprintf(name, sizeof(name), "%s (from %s)", itf_name(&iids[j], b),
                         itf_name(&iids[i], d));
                check_identity(c, (IFacetUnknown *)x, identity, name);
                check_qi_basics(c, (IFacetUnknown *)x, name);
                if (!check_counts_through(c, identity, (IFacetUnknown *)x, name))
                    return 0;
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
                             itf_name(&iids[k], b), itf_name(&iids[j], d));
                    violation(c, k == i ? "qi-symmetric" : "qi-transitive",
                              itf_name(&iids[i], a), expected, "%s", facet_result_name(r));
                } else {
                    IFacetUnknown_Release((IFacetUnknown *)y);
                }
            }
            IFacetUnknown_Release((IFacetUnknown *)x);
        }
    }
    return 1;
}

/* ---- Threads ------------------------------------------------------------ */

typedef struct Stress {
    IFacetUnknown *const *ptrs; /* every interface of the object */
    uint32_t n;
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
        IFacetUnknown *itf = s->ptrs[i % s->n];
        void *q = NULL;
        IFacetUnknown_AddRef(itf);
        if (FACET_FAILED(IFacetUnknown_QueryInterface(itf, &IID_IFacetUnknown, &q)) ||
            q == NULL)
            __atomic_add_fetch(&s->failures, 1, __ATOMIC_RELAXED);
        else
            IFacetUnknown_Release((IFacetUnknown *)q);
        IFacetUnknown_Release(itf);
    }
}

/* The count of each interface (AddRef's answer less one). */
static void read_counts(IFacetUnknown *const *ptrs, uint32_t n, uint32_t *out)
{
    uint32_t i;
    for (i = 0; i < n; i++) {
        out[i] = IFacetUnknown_AddRef(ptrs[i]) - 1;
        IFacetUnknown_Release(ptrs[i]);
    }
}

/* Lost updates can cancel out within one round (a lost AddRef against a
 * Release overwritten by a stale write), so the stress runs several rounds
 * and stops at the first that leaves a count changed. */
#define STRESS_ROUNDS 8

/* N threads that start together each do AddRef, QueryInterface for
 * IFacetUnknown, Release, Release, M times, through every interface in
 * turn; every count must come back where it was. A count that is not
 * atomic may free the object under a thread still using it and crash the
 * process: the step says that too is this rule. */
static int check_threads(Checker *c, IFacetUnknown *const *ptrs, const FacetGuid *iids,
                         uint32_t n)
{
    FacetOsThread threads[256];
    Stress s;
    uint32_t before[MAX_ITFS], after[MAX_ITFS], i, round, started = 0, changed = n;
    char a[FACET_GUID_STRING_SIZE];

    step_as(c, "multi-thread AddRef/QueryInterface/Release stress", "IFacetUnknown",
            "thread-safety",
            "the object to survive AddRef, QueryInterface and Release on several threads at "
            "once (the class says FACET_THREADING_ANY, so its count must be atomic)");
    read_counts(ptrs, n, before);
    s.ptrs = ptrs;
    s.n = n;
    s.iterations = c->iterations;
    s.failures = 0;
    for (round = 0; round < STRESS_ROUNDS && changed == n && s.failures == 0; round++) {
        s.go = 0;
        started = 0;
        for (i = 0; i < c->threads && i < 256; i++)
            if (FACET_SUCCEEDED(facet__os_thread_start(&threads[started], stress_thread, &s)))
                started++;
        __atomic_store_n(&s.go, 1, __ATOMIC_RELEASE);
        for (i = 0; i < started; i++)
            facet__os_thread_join(&threads[i]);
        read_counts(ptrs, n, after);
        for (i = 0; i < n && changed == n; i++)
            if (after[i] != before[i])
                changed = i;
    }
    if (changed != n || s.failures != 0) {
        uint32_t k = changed != n ? changed : 0;
        violation(c, "thread-safety", itf_name(&iids[k], a),
                  "the reference count unchanged after a balanced AddRef/QueryInterface/"
                  "Release stress on several threads (the class says FACET_THREADING_ANY)",
                  "the count went from %d to %d in round %u of %u threads x %u rounds; %u "
                  "QueryInterface calls failed",
                  (int32_t)before[k], (int32_t)after[k], (unsigned)round, (unsigned)started,
                  (unsigned)c->iterations, (unsigned)s.failures);
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
    uint32_t n = 0, i, last, held = 0;
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
    if (!check_counts(c, unk, "IFacetUnknown", 1))
        return; /* its count cannot be trusted: releasing it could free it twice */
    check_can_unload(c, FACET_FALSE, "while an object of the module is alive");
    check_qi_basics(c, unk, "IFacetUnknown");

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
    /* Every rule of IFacetUnknown holds through each interface too. */
    for (i = 1; i < n; i++) {
        if (ptrs[i] == NULL)
            continue;
        if (!check_counts_through(c, unk, ptrs[i], itf_name(&iids[i], a)))
            return; /* as above */
        check_qi_basics(c, ptrs[i], itf_name(&iids[i], a));
    }
    identity = ptrs[0];
    if (identity != NULL && !check_qi_rules(c, identity, iids, ptrs, n))
        return; /* as above */

    if (c->ci->threading == FACET_THREADING_ANY && c->threads > 1) {
        IFacetUnknown *have[MAX_ITFS];
        FacetGuid have_iids[MAX_ITFS];
        for (i = 0; i < n; i++)
            if (ptrs[i] != NULL) {
                have_iids[held] = iids[i];
                have[held++] = ptrs[i];
            }
        if (held > 0 && !check_threads(c, have, have_iids, held))
            return; /* as above */
    }

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
    char *path = facet__manifest_path_for(module_path);
    const char *problem = NULL;
    FacetManifest *mf = NULL;
    FacetOsStat st;
    FacetResult r;

    if (path == NULL)
        return;
    if (FACET_FAILED(facet__os_stat(&st, path)) || st.kind == FACET_OS_MISSING) {
        facet__free(path);
        return;
    }
    r = facet_manifest_load(&mf, path);
    if (FACET_SUCCEEDED(r))
        r = facet__manifest_check_module(mf, m);
    if (FACET_FAILED(r))
        problem = facet_last_error();
    /* The parent knows the manifest's path from the module's; a problem's
     * text is the manifest parser's, with that path in it. */
    emit(c, json_pack("{s:s, s:o?}", "ev", "manifest", "problem", text_json(problem)));
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

/* "{IID}=Name", the caller's name for an interface. */
static int parse_given(GivenName *out, const char *arg)
{
    const char *eq = strchr(arg, '=');
    char iid[FACET_GUID_STRING_SIZE];
    if (eq == NULL || eq[1] == '\0' || (size_t)(eq - arg) >= sizeof(iid))
        return 0;
    memcpy(iid, arg, (size_t)(eq - arg));
    iid[eq - arg] = '\0';
    if (FACET_FAILED(facet_guid_parse(&out->iid, iid)))
        return 0;
    out->name = eq + 1;
    return 1;
}

static int usage(void)
{
    fprintf(stderr,
            "usage: facet-probe probe|validate MODULE [THREADS ITERATIONS]\n"
            "                   [--interface {IID}=NAME]... [--report FD]\n"
            "(run by libfacet-check; see facet_probe and facet_validate)\n");
    return 2;
}

int facet_probe_helper_main(int argc, char **argv)
{
    FacetRuntimeOptions opts = FACET_RUNTIME_OPTIONS_INIT;
    FacetRuntime *rt = NULL;
    FacetModule *m = NULL;
    FacetOsLibrary early = NULL;
    const char *positional[4] = {NULL, NULL, NULL, NULL}, *report = NULL;
    Checker c;
    uint32_t count, i;
    int validate, k, npos = 0;
    FacetResult r;

    /* Where the system allows, a supervisor stays behind here and the rest
     * runs in a worker process (check/os/process.h). */
    facet__os_probe_supervise();
    memset(&c, 0, sizeof(c));
    c.klass = -1;
    c.given = facet__calloc((size_t)argc, sizeof(*c.given));
    if (c.given == NULL) {
        fprintf(stderr, "facet-probe: out of memory\n");
        return 2;
    }
    for (k = 1; k < argc; k++) {
        if (strcmp(argv[k], "--report") == 0 && k + 1 < argc) {
            report = argv[++k];
        } else if (strcmp(argv[k], "--interface") == 0 && k + 1 < argc) {
            if (parse_given(&c.given[c.given_count], argv[++k]))
                c.given_count++;
        } else if (npos < 4 && argv[k][0] != '-') {
            positional[npos++] = argv[k];
        } else {
            facet__free(c.given);
            return usage();
        }
    }
    if (npos < 2 || (strcmp(positional[0], "probe") != 0 &&
                     strcmp(positional[0], "validate") != 0)) {
        facet__free(c.given);
        return usage();
    }
    /* Run by hand, it reports on stdout. */
    c.out = report != NULL ? facet__os_report_open(report) : stdout;
    if (c.out == NULL) {
        fprintf(stderr, "facet-probe: --report %s names no descriptor open for writing\n",
                report);
        facet__free(c.given);
        return 2;
    }
    validate = strcmp(positional[0], "validate") == 0;
    c.threads = positional[2] != NULL ? (uint32_t)strtoul(positional[2], NULL, 10) : 4;
    c.iterations = positional[3] != NULL ? (uint32_t)strtoul(positional[3], NULL, 10) : 20000;

    opts.log = quiet_log;
    r = facet_runtime_new(&rt, &opts);
    if (FACET_SUCCEEDED(r)) {
        /* The checks libfacet makes before the system loader sees the
         * file, then the system loader on its own (the library's
         * constructors run there), then the entry point. */
        step(&c, "checking the file", NULL);
        r = facet__module_check_file(positional[1]);
    }
    if (FACET_SUCCEEDED(r)) {
        step(&c, facet__os_loader_name(), NULL);
        if (FACET_FAILED(facet__os_lib_open(&early, positional[1])))
            early = NULL; /* facet_module_load says why */
        step(&c, "facet_module_entry", NULL);
        r = facet_module_load(&m, rt, positional[1]);
    }
    if (FACET_FAILED(r)) {
        emit(&c, json_pack("{s:s, s:i, s:s, s:o?}", "ev", "load-error", "code", (json_int_t)r,
                           "name", facet_result_name(r), "message",
                           text_json(facet_last_error())));
    } else {
        emit_module(&c, m);
        c.validate = validate;
        check_manifest(&c, facet__module_of(m), positional[1]);
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
    }
    if (early != NULL)
        facet__os_lib_close(early);
    facet_runtime_free(rt);
    /* The report is complete: how many records came before this one, so
     * the parent can tell that none went missing. */
    fprintf(c.out, "{\"ev\":\"done\",\"records\":%llu,\"lost\":%llu}\n",
            (unsigned long long)c.records, (unsigned long long)c.lost);
    fflush(c.out);
    facet__free(c.given);
    return FACET_PROBE_EXIT_DONE;
}
