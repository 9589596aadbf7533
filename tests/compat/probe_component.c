/*
 * probe_component.c - the probe component in C: one object implementing
 * IProbe and IProbeAux, and a blob object, on <facet/module.h>. It uses no C
 * runtime at all (memory comes from the host allocator), so the same file
 * builds with gcc, clang, tcc, MinGW-GCC and freestanding clang for the MSVC
 * ABI.
 *
 * Built with -DPROBE_OMIT_FACET_CALL it is the negative build of the 32-bit
 * Windows leg: its IProbe methods lose the calling convention, as they would
 * if an #ifdef left FACET_CALL out, and the host must notice.
 */
#define FACET_KIT_IMPLEMENTATION
#include <facet/module.h>

#ifdef PROBE_OMIT_FACET_CALL
#undef FACET_CALL
#define FACET_CALL
#endif

#include "probe.h"
#include "probe_layout.h"
#include "probe_values.h"

typedef struct Probe {
    IProbe probe;
    IProbeAux aux;
    uint32_t refs;
} Probe;

#define PROBE_FROM_AUX(p) ((Probe *)((char *)(p) - offsetof(Probe, aux)))

/* ---- The blob ---------------------------------------------------------- */

typedef struct ProbeBlob {
    IFacetBlob blob;
    uint32_t refs;
    uint64_t size;
    uint8_t *data;
} ProbeBlob;

static FacetResult FACET_CALL blob_qi(IFacetBlob *self, const FacetGuid *iid, void **out)
{
    if (out == NULL)
        return FACET_E_POINTER;
    *out = NULL;
    if (iid == NULL)
        return FACET_E_POINTER;
    if (!FacetGuidEqual(iid, &IID_IFacetUnknown) && !FacetGuidEqual(iid, &IID_IFacetBlob))
        return FACET_E_NOINTERFACE;
    FacetAtomicIncrement(&((ProbeBlob *)self)->refs);
    *out = self;
    return FACET_OK;
}

static uint32_t FACET_CALL blob_addref(IFacetBlob *self)
{
    return FacetAtomicIncrement(&((ProbeBlob *)self)->refs);
}

static uint32_t FACET_CALL blob_release(IFacetBlob *self)
{
    ProbeBlob *b = (ProbeBlob *)self;
    uint32_t n = FacetAtomicDecrement(&b->refs);
    if (n == 0) {
        facet_kit_free(b->data);
        facet_kit_free(b);
        facet_kit_object_destroyed();
    }
    return n;
}

static FacetResult FACET_CALL blob_data(IFacetBlob *self, const uint8_t **out)
{
    if (out == NULL)
        return FACET_E_POINTER;
    *out = ((ProbeBlob *)self)->data;
    return FACET_OK;
}

static FacetResult FACET_CALL blob_size(IFacetBlob *self, uint64_t *out)
{
    if (out == NULL)
        return FACET_E_POINTER;
    *out = ((ProbeBlob *)self)->size;
    return FACET_OK;
}

#ifndef PROBE_OMIT_FACET_CALL
static const IFacetBlobVtbl blob_vtbl = {blob_qi, blob_addref, blob_release, blob_data, blob_size};
#else
/* abi.h's IFacetBlobVtbl keeps the convention; the negative build's blob
 * functions lack it, so they go in through a cast, as careless code does. */
typedef void (*ProbeAnyFn)(void);
static const ProbeAnyFn blob_fns[5] = {(ProbeAnyFn)blob_qi, (ProbeAnyFn)blob_addref,
                                       (ProbeAnyFn)blob_release, (ProbeAnyFn)blob_data,
                                       (ProbeAnyFn)blob_size};
#define blob_vtbl (*(const IFacetBlobVtbl *)(const void *)blob_fns)
#endif

/* n bytes of pattern seed in host memory. */
static FacetResult make_bytes(uint32_t n, uint32_t seed, uint8_t **out)
{
    uint32_t i;
    FacetResult r = facet_kit_alloc(n, (void **)out);
    if (FACET_FAILED(r))
        return r;
    for (i = 0; i < n; i++)
        (*out)[i] = probe_pattern(seed, i);
    return FACET_OK;
}

/* ---- IProbe ------------------------------------------------------------ */

static FacetResult FACET_CALL probe_qi(IProbe *self, const FacetGuid *iid, void **out)
{
    Probe *p = (Probe *)self;
    if (out == NULL)
        return FACET_E_POINTER;
    *out = NULL;
    if (iid == NULL)
        return FACET_E_POINTER;
    if (FacetGuidEqual(iid, &IID_IFacetUnknown) || FacetGuidEqual(iid, &IID_IProbe))
        *out = &p->probe;
    else if (FacetGuidEqual(iid, &IID_IProbeAux))
        *out = &p->aux;
    else
        return FACET_E_NOINTERFACE;
    FacetAtomicIncrement(&p->refs);
    return FACET_OK;
}

static uint32_t FACET_CALL probe_addref(IProbe *self)
{
    return FacetAtomicIncrement(&((Probe *)self)->refs);
}

static uint32_t FACET_CALL probe_release(IProbe *self)
{
    uint32_t n = FacetAtomicDecrement(&((Probe *)self)->refs);
    if (n == 0) {
        facet_kit_free(self);
        facet_kit_object_destroyed();
    }
    return n;
}

static FacetResult FACET_CALL probe_integers(IProbe *self, int32_t i32, uint32_t u32, int64_t i64,
                                             uint64_t u64, int32_t *o_i32, uint32_t *o_u32,
                                             int64_t *o_i64, uint64_t *o_u64)
{
    (void)self;
    if (o_i32 == NULL || o_u32 == NULL || o_i64 == NULL || o_u64 == NULL)
        return FACET_E_POINTER;
    *o_i32 = probe_i32(i32);
    *o_u32 = probe_u32(u32);
    *o_i64 = probe_i64(i64);
    *o_u64 = probe_u64(u64);
    return FACET_OK;
}

static FacetResult FACET_CALL probe_floats(IProbe *self, float f, double d, float *o_f,
                                           double *o_d)
{
    (void)self;
    if (o_f == NULL || o_d == NULL)
        return FACET_E_POINTER;
    *o_f = probe_f32(f);
    *o_d = probe_f64(d);
    return FACET_OK;
}

static FacetResult FACET_CALL probe_mixed(IProbe *self, int32_t a, double b, int64_t c, float d,
                                          uint32_t e, uint64_t f, double g, int32_t h, float i,
                                          int64_t j, double k, uint64_t *checksum)
{
    (void)self;
    if (checksum == NULL)
        return FACET_E_POINTER;
    *checksum = probe_mixed_checksum(a, b, c, d, e, f, g, h, i, j, k);
    return FACET_OK;
}

static FacetResult FACET_CALL probe_pointers(IProbe *self, const void *p, const void *q,
                                             const void **o_p, const void **o_q)
{
    (void)self;
    if (o_p == NULL || o_q == NULL)
        return FACET_E_POINTER;
    *o_p = p;
    *o_q = q;
    return FACET_OK;
}

static FacetResult FACET_CALL probe_guids(IProbe *self, const FacetGuid *in, FacetGuid *out,
                                          uint8_t *bytes)
{
    uint32_t i;
    (void)self;
    if (in == NULL || out == NULL || bytes == NULL)
        return FACET_E_POINTER;
    probe_guid_complement(out, in);
    for (i = 0; i < 16; i++)
        bytes[i] = ((const uint8_t *)in)[i];
    return FACET_OK;
}

static FacetResult FACET_CALL probe_record(IProbe *self, ProbeRecord *record)
{
    (void)self;
    return probe_record_answer(record);
}

static FacetResult FACET_CALL probe_make_text(IProbe *self, uint32_t n, char **text)
{
    FacetResult r;
    (void)self;
    if (text == NULL)
        return FACET_E_POINTER;
    r = facet_kit_alloc(probe_text_size(n), (void **)text);
    if (FACET_SUCCEEDED(r))
        probe_text_fill(*text, n);
    return r;
}

static FacetResult FACET_CALL probe_read_text(IProbe *self, const char *text, uint32_t *length,
                                              uint32_t *checksum)
{
    (void)self;
    return probe_text_read(text, length, checksum);
}

static FacetResult FACET_CALL probe_make_bytes(IProbe *self, uint32_t n, uint32_t seed,
                                               uint8_t **bytes)
{
    (void)self;
    if (bytes == NULL)
        return FACET_E_POINTER;
    return make_bytes(n, seed, bytes);
}

static FacetResult FACET_CALL probe_make_blob(IProbe *self, uint32_t n, uint32_t seed,
                                              IFacetBlob **blob)
{
    ProbeBlob *b;
    FacetResult r;
    (void)self;
    if (blob == NULL)
        return FACET_E_POINTER;
    *blob = NULL;
    r = facet_kit_alloc(sizeof(*b), (void **)&b);
    if (FACET_FAILED(r))
        return r;
    r = make_bytes(n, seed, &b->data);
    if (FACET_FAILED(r)) {
        facet_kit_free(b);
        return r;
    }
    b->blob.lpVtbl = &blob_vtbl;
    b->refs = 1;
    b->size = n;
    facet_kit_object_created();
    *blob = &b->blob;
    return FACET_OK;
}

static FacetResult FACET_CALL probe_call_back(IProbe *self, IProbeCallback *cb, int32_t n,
                                              int64_t *sum)
{
    int32_t i;
    FacetResult r = FACET_OK;
    (void)self;
    if (cb == NULL || sum == NULL)
        return FACET_E_POINTER;
    *sum = 0;
    IProbeCallback_AddRef(cb);
    for (i = 1; i <= n && FACET_SUCCEEDED(r); i++) {
        int64_t v = 0;
        r = IProbeCallback_Step(cb, i, i * 0.5, probe_step_c(i), &v);
        *sum += v;
    }
    IProbeCallback_Release(cb);
    return r;
}

static FacetResult FACET_CALL probe_get_layout(IProbe *self, uint32_t capacity, uint64_t *figures,
                                               uint32_t *count)
{
    (void)self;
    if (figures == NULL || count == NULL)
        return FACET_E_POINTER;
    *count = probe_layout_fill(figures, capacity);
    return *count <= capacity ? FACET_OK : FACET_E_INVALIDARG;
}

static const IProbeVtbl probe_vtbl = {
    probe_qi,        probe_addref,     probe_release,     probe_integers,  probe_floats,
    probe_mixed,     probe_pointers,   probe_guids,       probe_record,    probe_make_text,
    probe_read_text, probe_make_bytes, probe_make_blob,   probe_call_back, probe_get_layout,
};

/* ---- IProbeAux: the same object through its second vtable -------------- */

static FacetResult FACET_CALL aux_qi(IProbeAux *self, const FacetGuid *iid, void **out)
{
    return probe_qi(&PROBE_FROM_AUX(self)->probe, iid, out);
}

static uint32_t FACET_CALL aux_addref(IProbeAux *self)
{
    return probe_addref(&PROBE_FROM_AUX(self)->probe);
}

static uint32_t FACET_CALL aux_release(IProbeAux *self)
{
    return probe_release(&PROBE_FROM_AUX(self)->probe);
}

static FacetResult FACET_CALL aux_twice(IProbeAux *self, uint32_t x, uint32_t *y)
{
    (void)self;
    if (y == NULL)
        return FACET_E_POINTER;
    *y = x * 2u;
    return FACET_OK;
}

static FacetResult FACET_CALL aux_get_probe(IProbeAux *self, IProbe **probe)
{
    return probe_qi(&PROBE_FROM_AUX(self)->probe, &IID_IProbe, (void **)probe);
}

static const IProbeAuxVtbl aux_vtbl = {aux_qi, aux_addref, aux_release, aux_twice,
                                       aux_get_probe};

/* ---- The module -------------------------------------------------------- */

static FacetResult probe_create(IFacetUnknown *outer, const FacetGuid *iid, void **out)
{
    Probe *p;
    FacetResult r;
    (void)outer;
    r = facet_kit_alloc(sizeof(*p), (void **)&p);
    if (FACET_FAILED(r))
        return r;
    p->probe.lpVtbl = &probe_vtbl;
    p->aux.lpVtbl = &aux_vtbl;
    p->refs = 1;
    facet_kit_object_created();
    r = probe_qi(&p->probe, iid, out);
    probe_release(&p->probe);
    return r;
}

static const FacetGuid probe_iids[] = {
    {0x0F5B3A20, 0x6D1E, 0x4C7A, {0x9B, 0x42, 0x8E, 0x13, 0xC5, 0xD7, 0xA0, 0x02}},
    {0x0F5B3A20, 0x6D1E, 0x4C7A, {0x9B, 0x42, 0x8E, 0x13, 0xC5, 0xD7, 0xA0, 0x03}},
};

static const FacetKitClassDef probe_classes[] = {
    {FACET_KIT_CLASS_INFO(PROBE_MODULE_NAME, PROBE_MODULE_VERSION, FACET_THREADING_ANY, probe_iids,
                      {0x0F5B3A20, 0x6D1E, 0x4C7A,
                       {0x9B, 0x42, 0x8E, 0x13, 0xC5, 0xD7, 0xA0, 0x10}}),
     probe_create, 0},
};

static const FacetKitModuleDef probe_module = {
    PROBE_MODULE_NAME, PROBE_MODULE_VERSION, FACET_API_LEVEL, 1, probe_classes, NULL, NULL};

FACET_KIT_MODULE_DEFINE(probe_module)
