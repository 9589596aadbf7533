/*
 * probe_host.c - the probe host: loads one probe component, calls every
 * method with values chosen to catch a wrong convention, a wrong layout or
 * a wrong byte order, and checks every answer, the reference counts,
 * QueryInterface identity and CanUnload. It prints what it checked, the
 * layout figures it and the component see side by side, and a last line
 * "RESULT: PASS ..." or "RESULT: FAIL ...".
 *
 *   probe_host COMPONENT-LIBRARY
 *
 * Exit status: 0 every check passed; 1 a check failed; 2 bad usage or the
 * library did not load; 3 (32-bit x86 Windows only) a call moved the stack
 * pointer, the mark of a method built without FACET_CALL.
 *
 * The same file builds with every compiler of the matrix. It uses no C
 * library (printing and memory go through probe_os.h), so it also builds
 * freestanding for the MSVC ABI.
 */
#include <facet/module.h> /* FACET_COMPILER_STRING */

#include "probe.h"
#include "probe_layout.h"
#include "probe_os.h"
#include "probe_values.h"

/* ---- Output ------------------------------------------------------------ */

static uint32_t str_len(const char *s)
{
    uint32_t n = 0;
    while (s[n] != '\0')
        n++;
    return n;
}

static int str_eq(const char *a, const char *b)
{
    while (*a != '\0' && *a == *b) {
        a++;
        b++;
    }
    return *a == *b;
}

static void out_s(const char *s)
{
    probe_os_write(s, str_len(s));
}

static void out_u(uint64_t v)
{
    char buf[24];
    uint32_t n = sizeof(buf);
    uint32_t lo;
    /* Decimal for values that fit 32 bits (no 64-bit division helper is
     * needed); hexadecimal above. */
    if (v > 0xFFFFFFFFu) {
        static const char hex[] = "0123456789abcdef";
        do {
            buf[--n] = hex[v & 15];
            v >>= 4;
        } while (v != 0);
        buf[--n] = 'x';
        buf[--n] = '0';
    } else {
        lo = (uint32_t)v;
        do {
            buf[--n] = (char)('0' + lo % 10);
            lo /= 10;
        } while (lo != 0);
    }
    probe_os_write(buf + n, (uint32_t)sizeof(buf) - n);
}

static void out_x(uint64_t v, uint32_t digits)
{
    static const char hex[] = "0123456789abcdef";
    char buf[16];
    uint32_t i;
    for (i = 0; i < digits; i++)
        buf[i] = hex[(v >> (4 * (digits - 1 - i))) & 15];
    probe_os_write(buf, digits);
}

/* ---- Checks ------------------------------------------------------------ */

static uint32_t g_checks, g_failures;
static const char *g_step = "start";

static int check(int ok, const char *what)
{
    g_checks++;
    if (!ok) {
        g_failures++;
        out_s("FAIL ");
        out_s(g_step);
        out_s(": ");
        out_s(what);
        out_s("\n");
    }
    return ok;
}

static int check_u64(uint64_t got, uint64_t expected, const char *what)
{
    g_checks++;
    if (got != expected) {
        g_failures++;
        out_s("FAIL ");
        out_s(g_step);
        out_s(": ");
        out_s(what);
        out_s(": expected 0x");
        out_x(expected, 16);
        out_s(", got 0x");
        out_x(got, 16);
        out_s("\n");
        return 0;
    }
    return 1;
}

static int check_result(FacetResult got, FacetResult expected, const char *what)
{
    return check_u64((uint32_t)got, (uint32_t)expected, what);
}

static int bytes_equal(const void *a, const void *b, uint32_t n)
{
    const uint8_t *p = (const uint8_t *)a, *q = (const uint8_t *)b;
    uint32_t i;
    for (i = 0; i < n; i++)
        if (p[i] != q[i])
            return 0;
    return 1;
}

static void fill(void *p, uint8_t v, uint32_t n)
{
    uint32_t i;
    for (i = 0; i < n; i++)
        ((uint8_t *)p)[i] = v;
}

/* ---- The host object and its allocator --------------------------------- */

static uint32_t g_host_refs = 1;  /* the host's own reference */
static uint32_t g_alloc_refs = 1;
static int64_t g_live_blocks;      /* allocated and not yet freed */
static uint64_t g_total_blocks;

static FacetResult FACET_CALL alloc_qi(IFacetAllocator *self, const FacetGuid *iid, void **out);
static uint32_t FACET_CALL alloc_addref(IFacetAllocator *self)
{
    (void)self;
    return ++g_alloc_refs;
}
static uint32_t FACET_CALL alloc_release(IFacetAllocator *self)
{
    (void)self;
    return --g_alloc_refs;
}
static FacetResult FACET_CALL alloc_alloc(IFacetAllocator *self, uint64_t size, void **out)
{
    (void)self;
    if (out == NULL)
        return FACET_E_POINTER;
    *out = probe_os_alloc(size);
    if (*out == NULL)
        return FACET_E_OUTOFMEMORY;
    g_live_blocks++;
    g_total_blocks++;
    return FACET_OK;
}
static FacetResult FACET_CALL alloc_realloc(IFacetAllocator *self, void *p, uint64_t size,
                                            void **out)
{
    void *q;
    if (out == NULL)
        return FACET_E_POINTER;
    if (p == NULL)
        return alloc_alloc(self, size, out);
    q = probe_os_realloc(p, size);
    *out = q;
    return q ? FACET_OK : FACET_E_OUTOFMEMORY;
}
static FacetResult FACET_CALL alloc_free(IFacetAllocator *self, void *p)
{
    (void)self;
    if (p != NULL) {
        g_live_blocks--;
        probe_os_free(p);
    }
    return FACET_OK;
}
static const IFacetAllocatorVtbl g_alloc_vtbl = {alloc_qi, alloc_addref, alloc_release,
                                                 alloc_alloc, alloc_realloc, alloc_free};
static IFacetAllocator g_alloc = {&g_alloc_vtbl};

static FacetResult FACET_CALL host_qi(IFacetHost *self, const FacetGuid *iid, void **out);
static uint32_t FACET_CALL host_addref(IFacetHost *self)
{
    (void)self;
    return ++g_host_refs;
}
static uint32_t FACET_CALL host_release(IFacetHost *self)
{
    (void)self;
    return --g_host_refs;
}
static FacetResult FACET_CALL host_api_level(IFacetHost *self, uint32_t *out)
{
    (void)self;
    if (out == NULL)
        return FACET_E_POINTER;
    *out = FACET_API_LEVEL;
    return FACET_OK;
}
static FacetResult FACET_CALL host_query_service(IFacetHost *self, const FacetGuid *sid,
                                                 const FacetGuid *iid, void **out)
{
    (void)sid;
    return host_qi(self, iid, out);
}
/* The probe host has no registry, so it knows no class by id or by name,
 * and it hands out memory through the allocator only. */
static FacetResult FACET_CALL host_create(IFacetHost *self, const FacetGuid *clsid,
                                          IFacetUnknown *outer, const FacetGuid *iid, void **out)
{
    (void)self, (void)clsid, (void)outer, (void)iid;
    if (out != NULL)
        *out = NULL;
    return FACET_E_CLASSNOTREG;
}
static FacetResult FACET_CALL host_create_by_name(IFacetHost *self, const char *name,
                                                  IFacetUnknown *outer, const FacetGuid *iid,
                                                  void **out)
{
    (void)self, (void)name, (void)outer, (void)iid;
    if (out != NULL)
        *out = NULL;
    return FACET_E_CLASSNOTREG;
}
static FacetResult FACET_CALL host_create_blob(IFacetHost *self, const void *data, uint64_t size,
                                               IFacetBlob **out)
{
    (void)self, (void)data, (void)size;
    if (out != NULL)
        *out = NULL;
    return FACET_E_NOTIMPL;
}
static FacetResult FACET_CALL host_create_string(IFacetHost *self, const char *text,
                                                 uint64_t length, IFacetString **out)
{
    (void)self, (void)text, (void)length;
    if (out != NULL)
        *out = NULL;
    return FACET_E_NOTIMPL;
}
static const IFacetHostVtbl g_host_vtbl = {
    host_qi,     host_addref,         host_release,     host_api_level,     host_query_service,
    host_create, host_create_by_name, host_create_blob, host_create_string,
};
static IFacetHost g_host = {&g_host_vtbl};

static FacetResult unknown_qi(const FacetGuid *iid, void **out)
{
    if (out == NULL)
        return FACET_E_POINTER;
    *out = NULL;
    if (iid == NULL)
        return FACET_E_POINTER;
    if (FacetGuidEqual(iid, &IID_IFacetUnknown) || FacetGuidEqual(iid, &IID_IFacetHost)) {
        host_addref(&g_host);
        *out = &g_host;
        return FACET_OK;
    }
    if (FacetGuidEqual(iid, &IID_IFacetAllocator)) {
        alloc_addref(&g_alloc);
        *out = &g_alloc;
        return FACET_OK;
    }
    return FACET_E_NOINTERFACE;
}
static FacetResult FACET_CALL host_qi(IFacetHost *self, const FacetGuid *iid, void **out)
{
    (void)self;
    return unknown_qi(iid, out);
}
static FacetResult FACET_CALL alloc_qi(IFacetAllocator *self, const FacetGuid *iid, void **out)
{
    (void)self;
    return unknown_qi(iid, out);
}

/* ---- The callback the component calls ----------------------------------- */

typedef struct HostCallback {
    IProbeCallback cb;
    uint32_t refs, max_refs, calls, bad_args;
} HostCallback;

static FacetResult FACET_CALL cb_qi(IProbeCallback *self, const FacetGuid *iid, void **out)
{
    if (out == NULL)
        return FACET_E_POINTER;
    *out = NULL;
    if (iid == NULL)
        return FACET_E_POINTER;
    if (!FacetGuidEqual(iid, &IID_IFacetUnknown) && !FacetGuidEqual(iid, &IID_IProbeCallback))
        return FACET_E_NOINTERFACE;
    self->lpVtbl->AddRef(self);
    *out = self;
    return FACET_OK;
}
static uint32_t FACET_CALL cb_addref(IProbeCallback *self)
{
    HostCallback *c = (HostCallback *)self;
    if (++c->refs > c->max_refs)
        c->max_refs = c->refs;
    return c->refs;
}
static uint32_t FACET_CALL cb_release(IProbeCallback *self)
{
    return --((HostCallback *)self)->refs;
}
static FacetResult FACET_CALL cb_step(IProbeCallback *self, int32_t a, double b, int64_t c,
                                      int64_t *out)
{
    HostCallback *h = (HostCallback *)self;
    h->calls++;
    if (out == NULL || b != a * 0.5 || c != probe_step_c(a)) {
        h->bad_args++;
        return FACET_E_INVALIDARG;
    }
    *out = probe_step(a, c);
    return FACET_OK;
}
static const IProbeCallbackVtbl g_cb_vtbl = {cb_qi, cb_addref, cb_release, cb_step};

/* ---- Stack measurement (32-bit x86 Windows) ----------------------------- */

#if PROBE_MEASURE_STACK
typedef struct Words {
    uint32_t w[32];
    uint32_t n;
} Words;

static void w_u32(Words *w, uint32_t v)
{
    w->w[w->n++] = v;
}
static void w_u64(Words *w, uint64_t v)
{
    w_u32(w, (uint32_t)v);
    w_u32(w, (uint32_t)(v >> 32));
}
static void w_ptr(Words *w, const void *p)
{
    w_u32(w, (uint32_t)(uintptr_t)p);
}

static uint32_t g_drifts;

/* Calls slot `slot` of obj's vtable with obj and the words, through
 * probe_stack_call; checks the result is FACET_OK and the stack pointer
 * came back where it was. */
static uint32_t stack_call(const char *what, void *obj, uint32_t slot, const Words *args,
                           int check_ok)
{
    Words w;
    uint32_t i, r;
    int32_t drift = 0;
    const void *fn = (*(const void *const *const *)obj)[slot];
    w.n = 0;
    w_ptr(&w, obj);
    for (i = 0; i < args->n; i++)
        w_u32(&w, args->w[i]);
    r = probe_stack_call(fn, w.w, w.n, &drift);
    g_checks++;
    if (drift != 0) {
        g_drifts++;
        g_failures++;
        out_s("FAIL stack: ");
        out_s(what);
        out_s(" moved the stack pointer by ");
        if (drift < 0) {
            out_s("-");
            out_u((uint32_t)-drift);
        } else {
            out_u((uint32_t)drift);
        }
        out_s(" bytes (");
        out_u(w.n * 4u);
        out_s(" bytes of arguments): the method does not use FACET_CALL (__stdcall)\n");
    }
    if (check_ok)
        check_result((FacetResult)r, FACET_OK, what);
    return r;
}

/* Every method of the factory, IProbe and IProbeAux, once, through the
 * measuring call, before any ordinary call: a method that pops nothing would
 * leave a compiled caller's stack wrong, and a crash would hide the cause. */
static void stack_phase(IFacetFactory *factory)
{
    Words w;
    uint32_t u32a, u32b, count;
    int32_t i32;
    int64_t i64;
    uint64_t u64, figures[PROBE_LAYOUT_MAX];
    float f;
    double d;
    const void *pa, *pb;
    FacetGuid g;
    uint8_t bytes[16];
    ProbeRecord rec;
    char *text = NULL;
    uint8_t *mem = NULL;
    IFacetBlob *blob = NULL;
    IProbe *probe = NULL, *probe2 = NULL;
    IProbeAux *aux = NULL;
    HostCallback cb = {{&g_cb_vtbl}, 1, 1, 0, 0};

    g_step = "stack";
    w.n = 0;
    w_ptr(&w, &u32a);
    stack_call("IFacetFactory::GetClassCount", factory, 4, &w, 1);
    w.n = 0;
    w_ptr(&w, &CLSID_ProbeClass), w_ptr(&w, NULL), w_ptr(&w, &IID_IProbe), w_ptr(&w, &probe);
    if (stack_call("IFacetFactory::CreateInstance", factory, 6, &w, 1) != FACET_OK || !probe)
        return;
    w.n = 0;
    stack_call("IProbe::AddRef", probe, 1, &w, 0);
    stack_call("IProbe::Release", probe, 2, &w, 0);
    w_ptr(&w, &IID_IProbeAux), w_ptr(&w, &aux);
    stack_call("IProbe::QueryInterface", probe, 0, &w, 1);
    w.n = 0;
    w_u32(&w, 1), w_u32(&w, 2), w_u64(&w, 3), w_u64(&w, 4);
    w_ptr(&w, &i32), w_ptr(&w, &u32a), w_ptr(&w, &i64), w_ptr(&w, &u64);
    stack_call("IProbe::Integers", probe, 3, &w, 1);
    w.n = 0;
    f = 1.5f, d = 2.5;
    w_u32(&w, (uint32_t)probe_bits_f32(f)), w_u64(&w, probe_bits_f64(d));
    w_ptr(&w, &f), w_ptr(&w, &d);
    stack_call("IProbe::Floats", probe, 4, &w, 1);
    w.n = 0;
    w_u32(&w, 1), w_u64(&w, probe_bits_f64(2.0)), w_u64(&w, 3);
    w_u32(&w, (uint32_t)probe_bits_f32(4.0f)), w_u32(&w, 5), w_u64(&w, 6);
    w_u64(&w, probe_bits_f64(7.0)), w_u32(&w, 8), w_u32(&w, (uint32_t)probe_bits_f32(9.0f));
    w_u64(&w, 10), w_u64(&w, probe_bits_f64(11.0)), w_ptr(&w, &u64);
    stack_call("IProbe::Mixed", probe, 5, &w, 1);
    w.n = 0;
    w_ptr(&w, &w), w_ptr(&w, NULL), w_ptr(&w, &pa), w_ptr(&w, &pb);
    stack_call("IProbe::Pointers", probe, 6, &w, 1);
    w.n = 0;
    w_ptr(&w, &IID_IProbe), w_ptr(&w, &g), w_ptr(&w, bytes);
    stack_call("IProbe::Guids", probe, 7, &w, 1);
    w.n = 0;
    fill(&rec, 0, sizeof(rec));
    rec.struct_size = sizeof(rec);
    w_ptr(&w, &rec);
    stack_call("IProbe::Record", probe, 8, &w, 1);
    w.n = 0;
    w_u32(&w, 7), w_ptr(&w, &text);
    stack_call("IProbe::MakeText", probe, 9, &w, 1);
    w.n = 0;
    w_ptr(&w, "text"), w_ptr(&w, &u32a), w_ptr(&w, &u32b);
    stack_call("IProbe::ReadText", probe, 10, &w, 1);
    w.n = 0;
    w_u32(&w, 16), w_u32(&w, 1), w_ptr(&w, &mem);
    stack_call("IProbe::MakeBytes", probe, 11, &w, 1);
    w.n = 0;
    w_u32(&w, 16), w_u32(&w, 1), w_ptr(&w, &blob);
    stack_call("IProbe::MakeBlob", probe, 12, &w, 1);
    w.n = 0;
    w_ptr(&w, &cb), w_u32(&w, 3), w_ptr(&w, &i64);
    /* A component whose methods pop nothing calls the host's (which do pop)
     * the same wrong way, inside the call, where no measurement can save
     * its stack: once a drift is seen, the callback is not tried. */
    if (g_drifts == 0)
        stack_call("IProbe::CallBack", probe, 13, &w, 1);
    else
        out_s("stack: IProbe::CallBack not called: a component that pops nothing would "
              "corrupt its own stack calling back into the host\n");
    w.n = 0;
    w_u32(&w, PROBE_LAYOUT_MAX), w_ptr(&w, figures), w_ptr(&w, &count);
    stack_call("IProbe::GetLayout", probe, 14, &w, 1);
    if (aux != NULL) {
        w.n = 0;
        w_u32(&w, 21), w_ptr(&w, &u32a);
        stack_call("IProbeAux::Twice", aux, 3, &w, 1);
        w.n = 0;
        w_ptr(&w, &probe2);
        stack_call("IProbeAux::GetProbe", aux, 4, &w, 1);
        w.n = 0;
        stack_call("IProbeAux::Release", aux, 2, &w, 0);
    }
    w.n = 0;
    if (probe2 != NULL)
        stack_call("IProbe::Release", probe2, 2, &w, 0);
    if (blob != NULL)
        stack_call("IFacetBlob::Release", blob, 2, &w, 0);
    stack_call("IProbe::Release", probe, 2, &w, 0);
    stack_call("IFacetFactory::CanUnload", factory, 7, &w, 1);
    if (text != NULL)
        alloc_free(&g_alloc, text);
    if (mem != NULL)
        alloc_free(&g_alloc, mem);
}
#endif

/* ---- The checks --------------------------------------------------------- */

static const FacetGuid g_unknown_iid = {0xDEADBEEF, 0x1234, 0x5678,
                                        {0x9A, 0xBC, 0xDE, 0xF0, 0x11, 0x22, 0x33, 0x44}};

static void check_module(IFacetFactory *factory, FacetModuleEntryFn entry)
{
    FacetModuleInfo info;
    FacetClassInfo cls;
    uint32_t count = 99;
    void *other = &g_host;

    g_step = "module";
    check_result(entry(FACET_ABI_VERSION + 1, (IFacetUnknown *)&g_host, &IID_IFacetFactory, &other),
                 FACET_E_ABIMISMATCH, "facet_module_entry refuses another ABI version");
    check(other == NULL, "facet_module_entry clears *factory on failure");

    fill(&info, 0xAB, sizeof(info));
    info.struct_size = sizeof(info);
    check_result(IFacetFactory_GetModuleInfo(factory, &info), FACET_OK, "GetModuleInfo");
    check_u64(info.struct_size, sizeof(info), "FacetModuleInfo.struct_size");
    check_u64(info.abi_version, FACET_ABI_VERSION, "FacetModuleInfo.abi_version");
    check(info.name != NULL && str_eq(info.name, PROBE_MODULE_NAME), "FacetModuleInfo.name");
    check(info.version != NULL && str_eq(info.version, PROBE_MODULE_VERSION),
          "FacetModuleInfo.version");
    check_u64(info.api_level, FACET_API_LEVEL, "FacetModuleInfo.api_level");
    if (check(info.compiler != NULL, "FacetModuleInfo.compiler")) {
        out_s("component compiler: ");
        out_s(info.compiler);
        out_s("\n");
    }
    /* A caller that knows only the first two fields gets only those. */
    fill(&info, 0xAB, sizeof(info));
    info.struct_size = 8;
    check_result(IFacetFactory_GetModuleInfo(factory, &info), FACET_OK, "GetModuleInfo, size 8");
    check_u64(info.struct_size, 8, "FacetModuleInfo.struct_size, size 8");
    check_u64(info.abi_version, FACET_ABI_VERSION, "abi_version, size 8");
    check(((uint8_t *)&info)[8] == 0xAB && ((uint8_t *)&info)[sizeof(info) - 1] == 0xAB,
          "GetModuleInfo writes nothing past struct_size");

    check_result(IFacetFactory_GetClassCount(factory, &count), FACET_OK, "GetClassCount");
    check_u64(count, 1, "class count");
    fill(&cls, 0, sizeof(cls));
    cls.struct_size = sizeof(cls);
    check_result(IFacetFactory_DescribeClass(factory, 0, &cls), FACET_OK, "DescribeClass(0)");
    check(FacetGuidEqual(&cls.clsid, &CLSID_ProbeClass), "FacetClassInfo.clsid");
    check(cls.contract != NULL && str_eq(cls.contract, PROBE_MODULE_NAME),
          "FacetClassInfo.contract");
    check_u64(cls.threading, FACET_THREADING_ANY, "FacetClassInfo.threading");
    if (check_u64(cls.interface_count, 2, "FacetClassInfo.interface_count") &&
        check(cls.interfaces != NULL, "FacetClassInfo.interfaces")) {
        check(FacetGuidEqual(&cls.interfaces[0], &IID_IProbe), "interfaces[0] is IProbe");
        check(FacetGuidEqual(&cls.interfaces[1], &IID_IProbeAux), "interfaces[1] is IProbeAux");
    }
    cls.struct_size = sizeof(cls);
    check_result(IFacetFactory_DescribeClass(factory, 1, &cls), FACET_E_INVALIDARG,
                 "DescribeClass past the end");
    check_result(IFacetFactory_CanUnload(factory), FACET_OK, "CanUnload with no object");
}

static void check_identity(IFacetFactory *factory, IProbe *probe)
{
    IFacetUnknown *u1 = NULL, *u2 = NULL, *u3 = NULL;
    IProbeAux *aux = NULL;
    IProbe *back = NULL;
    void *none = &g_host;
    uint32_t y = 0;

    g_step = "refcount";
    check_u64(IProbe_AddRef(probe), 2, "AddRef on a new object returns 2");
    check_u64(IProbe_AddRef(probe), 3, "AddRef returns 3");
    check_u64(IProbe_Release(probe), 2, "Release returns 2");
    check_u64(IProbe_Release(probe), 1, "Release returns 1");

    g_step = "identity";
    check_result(IProbe_QueryInterface(probe, &IID_IFacetUnknown, (void **)&u1), FACET_OK,
                 "QueryInterface(IFacetUnknown)");
    check_result(IProbe_QueryInterface(probe, &IID_IFacetUnknown, (void **)&u2), FACET_OK,
                 "QueryInterface(IFacetUnknown) again");
    check(u1 != NULL && u1 == u2, "IFacetUnknown is one pointer");
    check_result(IProbe_QueryInterface(probe, &IID_IProbeAux, (void **)&aux), FACET_OK,
                 "QueryInterface(IProbeAux)");
    if (!check(aux != NULL && (void *)aux != (void *)probe,
               "IProbeAux is a second vtable of the object")) {
        if (u1)
            IFacetUnknown_Release(u1);
        if (u2)
            IFacetUnknown_Release(u2);
        if (aux)
            IProbeAux_Release(aux);
        return;
    }
    check_u64(IProbe_AddRef(probe), 5, "QueryInterface added one reference each");
    check_u64(IProbe_Release(probe), 4, "and Release through IProbe drops one");
    check_result(IProbeAux_QueryInterface(aux, &IID_IFacetUnknown, (void **)&u3), FACET_OK,
                 "IProbeAux::QueryInterface(IFacetUnknown)");
    check(u3 == u1, "IFacetUnknown from IProbeAux is the same pointer (COM identity)");
    check_result(IProbeAux_Twice(aux, 21, &y), FACET_OK, "IProbeAux::Twice");
    check_u64(y, 42, "IProbeAux::Twice(21)");
    check_result(IProbeAux_GetProbe(aux, &back), FACET_OK, "IProbeAux::GetProbe");
    check(back == probe, "GetProbe gives the object's IProbe");
    check_result(IProbe_QueryInterface(probe, &g_unknown_iid, &none), FACET_E_NOINTERFACE,
                 "QueryInterface of an unknown IID");
    check(none == NULL, "QueryInterface clears *out on failure");
    check_result(IProbe_QueryInterface(probe, &IID_IProbe, NULL), FACET_E_POINTER,
                 "QueryInterface with out == NULL");
    check_result(IFacetFactory_CanUnload(factory), FACET_FALSE, "CanUnload with objects alive");
    check_u64(IProbe_Release(back), 5, "Release of GetProbe's reference");
    check_u64(IFacetUnknown_Release(u3), 4, "Release of u3");
    check_u64(IProbeAux_Release(aux), 3, "Release through IProbeAux");
    check_u64(IFacetUnknown_Release(u2), 2, "Release of u2");
    check_u64(IFacetUnknown_Release(u1), 1, "Release of u1");
}

static void check_integers(IProbe *probe)
{
    static const int32_t i32s[] = {0, 1, -1, 0x7FFFFFFF, -0x7FFFFFFF - 1, 0x12345678};
    static const uint32_t u32s[] = {0, 1, 0xFFFFFFFFu, 0x80000000u, 0x9ABCDEF0u, 0x00C0FFEEu};
    static const int64_t i64s[] = {0,
                                   -1,
                                   0x7FFFFFFFFFFFFFFFll,
                                   -0x7FFFFFFFFFFFFFFFll - 1,
                                   0x0123456789ABCDEFll,
                                   -0x100000000ll};
    static const uint64_t u64s[] = {0, 1, 0xFFFFFFFFFFFFFFFFull, 0x8000000000000000ull,
                                    0xFEDCBA9876543210ull, 0x100000000ull};
    uint32_t i;
    g_step = "Integers";
    for (i = 0; i < sizeof(i32s) / sizeof(i32s[0]); i++) {
        int32_t o_i32 = 0;
        uint32_t o_u32 = 0;
        int64_t o_i64 = 0;
        uint64_t o_u64 = 0;
        check_result(IProbe_Integers(probe, i32s[i], u32s[i], i64s[i], u64s[i], &o_i32, &o_u32,
                                     &o_i64, &o_u64),
                     FACET_OK, "Integers");
        check_u64((uint32_t)o_i32, (uint32_t)probe_i32(i32s[i]), "int32_t");
        check_u64(o_u32, probe_u32(u32s[i]), "uint32_t");
        check_u64((uint64_t)o_i64, (uint64_t)probe_i64(i64s[i]), "int64_t");
        check_u64(o_u64, probe_u64(u64s[i]), "uint64_t");
    }
    check_result(IProbe_Integers(probe, 0, 0, 0, 0, NULL, NULL, NULL, NULL), FACET_E_POINTER,
                 "Integers with NULL outputs");
}

static void check_floats(IProbe *probe)
{
    static const float fs[] = {0.0f, -1.5f, 3.25e30f, 1.0e-30f, 123456.75f};
    static const double ds[] = {0.0, 1.0e300, -2.5, 4.9406564584124654e-320, 0.1};
    uint32_t i;
    g_step = "Floats";
    for (i = 0; i < sizeof(fs) / sizeof(fs[0]); i++) {
        float o_f = 0;
        double o_d = 0;
        check_result(IProbe_Floats(probe, fs[i], ds[i], &o_f, &o_d), FACET_OK, "Floats");
        check_u64(probe_bits_f32(o_f), probe_bits_f32(probe_f32(fs[i])), "float");
        check_u64(probe_bits_f64(o_d), probe_bits_f64(probe_f64(ds[i])), "double");
    }
}

static void check_mixed(IProbe *probe)
{
    uint64_t sum = 0;
    g_step = "Mixed";
    check_result(IProbe_Mixed(probe, -7, 0.125, 0x1122334455667788ll, -3.5f, 0xCAFEBABEu,
                              0xFFEEDDCCBBAA9988ull, 1.0e-5, 0x7FFFFFFF, 65504.0f,
                              -0x0FEDCBA987654321ll, -1.0e10, &sum),
                 FACET_OK, "Mixed");
    check_u64(sum,
              probe_mixed_checksum(-7, 0.125, 0x1122334455667788ll, -3.5f, 0xCAFEBABEu,
                                   0xFFEEDDCCBBAA9988ull, 1.0e-5, 0x7FFFFFFF, 65504.0f,
                                   -0x0FEDCBA987654321ll, -1.0e10),
              "checksum of twelve mixed arguments");
}

static void check_pointers(IProbe *probe)
{
    const void *p = &g_step, *q = NULL, *o_p = NULL, *o_q = &g_step;
    static const char text[] = "odd";
    g_step = "Pointers";
    check_result(IProbe_Pointers(probe, p, q, &o_p, &o_q), FACET_OK, "Pointers");
    check(o_p == p, "a pointer comes back unchanged");
    check(o_q == NULL, "NULL comes back NULL");
    check_result(IProbe_Pointers(probe, text + 1, text + 2, &o_p, &o_q), FACET_OK,
                 "Pointers, unaligned");
    check(o_p == text + 1 && o_q == text + 2, "unaligned pointers come back unchanged");
}

static void check_guids(IProbe *probe)
{
    /* IID_IProbe as the 16 bytes of a Windows GUID in memory: Data1, Data2
     * and Data3 little-endian, Data4 as written. */
    static const uint8_t iid_bytes[16] = {0x20, 0x3A, 0x5B, 0x0F, 0x1E, 0x6D, 0x7A, 0x4C,
                                          0x9B, 0x42, 0x8E, 0x13, 0xC5, 0xD7, 0xA0, 0x02};
    FacetGuid out, expected;
    uint8_t bytes[16];
    g_step = "Guids";
    check(bytes_equal(&IID_IProbe, iid_bytes, 16), "the host's GUID bytes are in Windows order");
    fill(bytes, 0, sizeof(bytes));
    check_result(IProbe_Guids(probe, &IID_IProbe, &out, bytes), FACET_OK, "Guids");
    probe_guid_complement(&expected, &IID_IProbe);
    check(FacetGuidEqual(&out, &expected), "GUID out is GUID in, complemented");
    check(bytes_equal(bytes, iid_bytes, 16), "the component sees the GUID's bytes in Windows order");
}

static void check_record(IProbe *probe)
{
    ProbeRecord rec, in;
    g_step = "Record";
    fill(&in, 0, sizeof(in));
    in.i32 = -123456;
    in.u64 = 0xA5A5A5A5DEADBEEFull;
    in.f64 = 6.02214076e23;
    in.f32 = 0.75f;
    in.guid = IID_IProbeAux;
    in.extra = 0x0102030405060708ll;
    in.pointer = NULL;

    /* Version 2, the whole struct. */
    rec = in;
    rec.struct_size = sizeof(rec);
    check_result(IProbe_Record(probe, &rec), FACET_OK, "Record, version 2");
    check_u64(rec.struct_size, sizeof(rec), "struct_size, version 2");
    check_u64((uint32_t)rec.i32, (uint32_t)probe_i32(in.i32), "i32");
    check_u64(rec.u64, probe_u64(in.u64), "u64");
    check_u64(probe_bits_f64(rec.f64), probe_bits_f64(probe_f64(in.f64)), "f64");
    check_u64(probe_bits_f32(rec.f32), probe_bits_f32(probe_f32(in.f32)), "f32");
    check_u64((uint64_t)rec.extra, (uint64_t)probe_i64(in.extra), "extra");
    check(rec.pointer == &rec, "pointer");

    /* Version 1: the callee must not touch what lies past struct_size. */
    fill(&rec, 0xEE, sizeof(rec));
    rec.struct_size = PROBE_RECORD_V1_SIZE;
    rec.i32 = in.i32;
    rec.u64 = in.u64;
    rec.f64 = in.f64;
    rec.f32 = in.f32;
    rec.guid = in.guid;
    check_result(IProbe_Record(probe, &rec), FACET_OK, "Record, version 1");
    check_u64(rec.struct_size, PROBE_RECORD_V1_SIZE, "struct_size, version 1");
    check_u64(rec.u64, probe_u64(in.u64), "u64, version 1");
    {
        uint8_t guard[sizeof(ProbeRecord)];
        fill(guard, 0xEE, sizeof(guard));
        check(bytes_equal((uint8_t *)&rec + PROBE_RECORD_V1_SIZE, guard,
                          sizeof(rec) - PROBE_RECORD_V1_SIZE),
              "nothing written past struct_size");
    }
    rec.struct_size = 4;
    check_result(IProbe_Record(probe, &rec), FACET_E_STRUCTSIZE, "Record, struct_size too small");
}

static void check_text(IProbe *probe)
{
    static const char prefix[] = PROBE_TEXT_PREFIX;
    static const char *const expected_n[] = {"0", "7", "4294967295"};
    static const uint32_t ns[] = {0, 7, 0xFFFFFFFFu};
    static const char utf8[] = "\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82, "
                               "\xE4\xB8\x96\xE7\x95\x8C \xF0\x9F\x98\x80";
    uint32_t i, length = 0, sum = 0;
    g_step = "Text";
    for (i = 0; i < 3; i++) {
        char *text = NULL;
        int64_t live = g_live_blocks;
        check_result(IProbe_MakeText(probe, ns[i], &text), FACET_OK, "MakeText");
        if (!check(text != NULL, "MakeText gives text"))
            continue;
        check_u64((uint64_t)(g_live_blocks - live), 1, "the text is in host-allocator memory");
        check(bytes_equal(text, prefix, sizeof(prefix) - 1) &&
                  str_eq(text + sizeof(prefix) - 1, expected_n[i]),
              "the UTF-8 text, byte for byte");
        alloc_free(&g_alloc, text);
    }
    check_result(IProbe_ReadText(probe, utf8, &length, &sum), FACET_OK, "ReadText");
    check_u64(length, sizeof(utf8) - 1, "length of UTF-8 text in bytes");
    check_u64(sum, probe_fnv(PROBE_FNV_INIT, utf8, sizeof(utf8) - 1), "checksum of UTF-8 text");
}

static int pattern_ok(const uint8_t *p, uint32_t n, uint32_t seed)
{
    uint32_t i;
    for (i = 0; i < n; i++)
        if (p[i] != probe_pattern(seed, i))
            return 0;
    return 1;
}

static void check_bytes(IFacetFactory *factory, IProbe *probe)
{
    static const uint32_t sizes[] = {0, 1, 4096, 100003};
    uint32_t i;
    IFacetBlob *blob = NULL, *blob2 = NULL;
    const uint8_t *data = NULL;
    uint64_t size = 0;
    int64_t live;

    g_step = "Bytes";
    for (i = 0; i < 4; i++) {
        uint8_t *mem = NULL;
        live = g_live_blocks;
        check_result(IProbe_MakeBytes(probe, sizes[i], 40 + i, &mem), FACET_OK, "MakeBytes");
        check_u64((uint64_t)(g_live_blocks - live), 1, "the bytes are in host-allocator memory");
        check(mem != NULL && pattern_ok(mem, sizes[i], 40 + i), "the bytes");
        alloc_free(&g_alloc, mem);
    }

    g_step = "Blob";
    live = g_live_blocks;
    check_result(IProbe_MakeBlob(probe, 5000, 9, &blob), FACET_OK, "MakeBlob");
    if (!check(blob != NULL, "MakeBlob gives a blob"))
        return;
    check_result(IFacetBlob_GetSize(blob, &size), FACET_OK, "IFacetBlob::GetSize");
    check_u64(size, 5000, "blob size");
    check_result(IFacetBlob_GetData(blob, &data), FACET_OK, "IFacetBlob::GetData");
    check(data != NULL && pattern_ok(data, 5000, 9), "blob bytes");
    check_result(IFacetBlob_QueryInterface(blob, &IID_IFacetBlob, (void **)&blob2), FACET_OK,
                 "IFacetBlob::QueryInterface");
    check(blob2 == blob, "the blob's identity");
    check_u64(IFacetBlob_Release(blob2), 1, "blob Release returns 1");
    /* Release the probe's last reference elsewhere first: the blob alone
     * must keep CanUnload at FACET_FALSE. */
    IProbe_AddRef(probe);
    check_result(IFacetFactory_CanUnload(factory), FACET_FALSE, "CanUnload with a blob alive");
    IProbe_Release(probe);
    check_u64(IFacetBlob_Release(blob), 0, "blob's last Release returns 0");
    check_u64((uint64_t)(g_live_blocks - live), 0, "the blob freed its memory");
}

static void check_callback(IProbe *probe)
{
    HostCallback cb = {{&g_cb_vtbl}, 1, 1, 0, 0};
    int64_t sum = 0, expected = 0;
    int32_t i;
    g_step = "CallBack";
    check_result(IProbe_CallBack(probe, &cb.cb, 10, &sum), FACET_OK, "CallBack");
    for (i = 1; i <= 10; i++)
        expected += probe_step(i, probe_step_c(i));
    check_u64((uint64_t)sum, (uint64_t)expected, "sum of the callback's answers");
    check_u64(cb.calls, 10, "calls into the host");
    check_u64(cb.bad_args, 0, "callback arguments as sent");
    check(cb.max_refs >= 2, "the component held a reference while calling");
    check_u64(cb.refs, 1, "the component released what it took");
}

static void check_layout(IProbe *probe)
{
#define PROBE_LAYOUT_NAME_(name, value) name,
    static const char *const names[] = {PROBE_LAYOUT_FIGURES(PROBE_LAYOUT_NAME_) NULL};
#undef PROBE_LAYOUT_NAME_
    uint64_t mine[PROBE_LAYOUT_MAX], theirs[PROBE_LAYOUT_MAX];
    uint32_t n_mine, n_theirs = 0, i;
    g_step = "Layout";
    n_mine = probe_layout_fill(mine, PROBE_LAYOUT_MAX);
    fill(theirs, 0, sizeof(theirs));
    check_result(IProbe_GetLayout(probe, PROBE_LAYOUT_MAX, theirs, &n_theirs), FACET_OK,
                 "GetLayout");
    check_u64(n_theirs, n_mine, "number of layout figures");
    out_s("layout (host | component):\n");
    for (i = 0; i < n_mine && i < PROBE_LAYOUT_MAX; i++) {
        int same = mine[i] == theirs[i];
        out_s(same ? "  " : "  MISMATCH ");
        out_s(names[i]);
        out_s(" = ");
        if (i >= n_mine - 2) {
            out_x(mine[i], 16);
            out_s(" | ");
            out_x(theirs[i], 16);
        } else {
            out_u(mine[i]);
            out_s(" | ");
            out_u(theirs[i]);
        }
        out_s("\n");
        check(same, names[i]);
    }
}

int probe_host_main(int argc, char **argv)
{
    char err[512];
    void *lib;
    FacetModuleEntryFn entry;
    IFacetFactory *factory = NULL;
    IProbe *probe = NULL;
    void *none = &g_host;
    int64_t live;

    if (argc != 2) {
        out_s("usage: probe_host COMPONENT-LIBRARY\n");
        return 2;
    }
    out_s("host compiler: ");
    out_s(FACET_COMPILER_STRING);
    out_s("\n");
    lib = probe_os_open(argv[1], err, sizeof(err));
    if (lib == NULL) {
        out_s("RESULT: FAIL cannot load ");
        out_s(argv[1]);
        out_s(": ");
        out_s(err);
        out_s("\n");
        return 2;
    }
    /* A data pointer to a function pointer, the way dlsym's users must. */
    {
        void *sym = probe_os_sym(lib, FACET_MODULE_ENTRY_NAME);
        if (sym == NULL) {
            out_s("RESULT: FAIL no facet_module_entry in ");
            out_s(argv[1]);
            out_s("\n");
            probe_os_close(lib);
            return 2;
        }
        *(void **)&entry = sym;
    }

    g_step = "entry";
    if (!check_result(entry(FACET_ABI_VERSION, (IFacetUnknown *)&g_host, &IID_IFacetFactory,
                            (void **)&factory),
                      FACET_OK, "facet_module_entry") ||
        !check(factory != NULL, "facet_module_entry gives a factory")) {
        out_s("RESULT: FAIL no factory\n");
        return 1;
    }
    check(g_host_refs > 1, "the module keeps a reference to the host");
    live = g_live_blocks;

#if PROBE_MEASURE_STACK
    stack_phase(factory);
    if (g_drifts != 0) {
        out_s("RESULT: FAIL stack pointer moved in ");
        out_u(g_drifts);
        out_s(" calls: the component does not use FACET_CALL (__stdcall)\n");
        return 3;
    }
    out_s("stack pointer unchanged across every call\n");
#endif

    check_module(factory, entry);

    g_step = "CreateInstance";
    check_result(IFacetFactory_CreateInstance(factory, &g_unknown_iid, NULL, &IID_IProbe, &none),
                 FACET_E_CLASSNOTREG, "CreateInstance of an unknown class");
    check(none == NULL, "CreateInstance clears *out on failure");
    check_result(IFacetFactory_CreateInstance(factory, &CLSID_ProbeClass, NULL, &IID_IProbe,
                                              (void **)&probe),
                 FACET_OK, "CreateInstance(ProbeClass, IProbe)");
    if (check(probe != NULL, "CreateInstance gives an object")) {
        check_identity(factory, probe);
        check_integers(probe);
        check_floats(probe);
        check_mixed(probe);
        check_pointers(probe);
        check_guids(probe);
        check_record(probe);
        check_text(probe);
        check_bytes(factory, probe);
        check_callback(probe);
        check_layout(probe);
        g_step = "release";
        check_result(IFacetFactory_CanUnload(factory), FACET_FALSE, "CanUnload before Release");
        check_u64(IProbe_Release(probe), 0, "the last Release returns 0");
        check_result(IFacetFactory_CanUnload(factory), FACET_OK, "CanUnload after the last Release");
    }
    g_step = "unload";
    check_u64((uint64_t)(g_live_blocks - live), 0, "every host-allocator block was freed");
    check_u64(IFacetFactory_Release(factory), 0, "the factory's last Release returns 0");
    check_u64(g_host_refs, 1, "the module let go of the host");
    check_u64(g_alloc_refs, 1, "the module let go of the allocator");
    probe_os_close(lib);

    out_s(g_failures ? "RESULT: FAIL " : "RESULT: PASS ");
    if (g_failures) {
        out_u(g_failures);
        out_s(" of ");
    }
    out_u(g_checks);
    out_s(" checks, ");
    out_u(g_total_blocks);
    out_s(" blocks through the host allocator\n");
    return g_failures ? 1 : 0;
}
