/*
 * object.c - Go objects as C sees them (object.h), and the string and blob
 * objects the Go side makes for text and bytes it hands out.
 */
#include <stdlib.h>
#include <string.h>

#include "object.h"
#include "_cgo_export.h"

static uint32_t alive;

/* The runtime's IIDs, for the Go side (guid.go), in its order. */
const FacetGuid *facetgo_runtime_iid(int i)
{
    static const FacetGuid *const iids[] = {
        &IID_IFacetUnknown, &IID_IFacetFactory,   &IID_IFacetHost,       &IID_IFacetAllocator,
        &IID_IFacetLogger,  &IID_IFacetBlob,      &IID_IFacetString,     &IID_IFacetConfig,
        &IID_IFacetLifecycle, &IID_IFacetReloadable, &IID_IFacetRunnable,
    };
    return iids[i];
}

uint32_t facetgo_objects_alive(void)
{
    return __atomic_load_n(&alive, __ATOMIC_ACQUIRE);
}

static FacetGoObject *object_of(void *self)
{
    return ((FacetGoItf *)self)->object;
}

FacetResult FACET_CALL facetgo_qi(void *self, const FacetGuid *iid, void **out)
{
    FacetGoObject *o;
    void *itf;
    if (out == NULL)
        return FACET_E_POINTER;
    *out = NULL;
    if (iid == NULL)
        return FACET_E_POINTER;
    o = object_of(self);
    itf = facetgo_object_itf(o, iid);
    if (itf == NULL)
        return FACET_E_NOINTERFACE;
    __atomic_add_fetch(&o->refs, 1u, __ATOMIC_RELAXED);
    *out = itf;
    return FACET_OK;
}

uint32_t FACET_CALL facetgo_addref(void *self)
{
    return __atomic_add_fetch(&object_of(self)->refs, 1u, __ATOMIC_RELAXED);
}

uint32_t FACET_CALL facetgo_release(void *self)
{
    FacetGoObject *o = object_of(self);
    uint32_t n = __atomic_sub_fetch(&o->refs, 1u, __ATOMIC_ACQ_REL);
    if (n == 0) {
        /* The Go side lets go of the value; then the memory goes. */
        facetgoObjectFree(o->handle, o);
        free(o);
        __atomic_sub_fetch(&alive, 1u, __ATOMIC_ACQ_REL);
    }
    return n;
}

FacetGoObject *facetgo_object_new(uintptr_t handle, const FacetGoItfDesc *const *descs, uint32_t n)
{
    FacetGoObject *o;
    uint32_t i;
    if (n == 0)
        return NULL;
    o = malloc(offsetof(FacetGoObject, itfs) + n * sizeof(FacetGoItf));
    if (o == NULL)
        return NULL;
    o->handle = handle;
    o->refs = 1;
    o->itf_count = n;
    for (i = 0; i < n; i++) {
        o->itfs[i].lpVtbl = descs[i]->vtbl;
        o->itfs[i].object = o;
        o->itfs[i].desc = descs[i];
    }
    __atomic_add_fetch(&alive, 1u, __ATOMIC_ACQ_REL);
    return o;
}

int facetgo_object_tryref(FacetGoObject *o)
{
    uint32_t n = __atomic_load_n(&o->refs, __ATOMIC_ACQUIRE);
    while (n != 0)
        if (__atomic_compare_exchange_n(&o->refs, &n, n + 1, 0, __ATOMIC_ACQ_REL,
                                        __ATOMIC_ACQUIRE))
            return 1;
    return 0;
}

void *facetgo_object_itf(FacetGoObject *o, const FacetGuid *iid)
{
    uint32_t i, k;
    if (FacetGuidEqual(iid, &IID_IFacetUnknown))
        return &o->itfs[0];
    for (i = 0; i < o->itf_count; i++) {
        const FacetGoItfDesc *d = o->itfs[i].desc;
        for (k = 0; k < d->iid_count; k++)
            if (FacetGuidEqual(iid, &d->iids[k]))
                return &o->itfs[i];
    }
    return NULL;
}

FacetGoObject *facetgo_object_of(void *itf)
{
    const void *const *vtbl;
    if (itf == NULL)
        return NULL;
    /* Every vtable of a Go object starts with facetgo_qi. */
    vtbl = *(const void *const *const *)itf;
    if (vtbl == NULL || vtbl[0] != (const void *)facetgo_qi)
        return NULL;
    return object_of(itf);
}

/* ---- Strings and blobs ------------------------------------------------- */

/* One object serves both: bytes with a NUL after them. */
typedef struct Bytes {
    const void *lpVtbl;
    uint32_t refs;
    uint64_t size;
    char data[1];
} Bytes;

static const FacetGuid *bytes_iid(const Bytes *b);

static FacetResult FACET_CALL bytes_qi(void *self, const FacetGuid *iid, void **out)
{
    Bytes *b = self;
    if (out == NULL)
        return FACET_E_POINTER;
    *out = NULL;
    if (iid == NULL)
        return FACET_E_POINTER;
    if (!FacetGuidEqual(iid, &IID_IFacetUnknown) && !FacetGuidEqual(iid, bytes_iid(b)))
        return FACET_E_NOINTERFACE;
    __atomic_add_fetch(&b->refs, 1u, __ATOMIC_RELAXED);
    *out = b;
    return FACET_OK;
}

static uint32_t FACET_CALL bytes_addref(void *self)
{
    return __atomic_add_fetch(&((Bytes *)self)->refs, 1u, __ATOMIC_RELAXED);
}

static uint32_t FACET_CALL bytes_release(void *self)
{
    Bytes *b = self;
    uint32_t n = __atomic_sub_fetch(&b->refs, 1u, __ATOMIC_ACQ_REL);
    if (n == 0) {
        free(b);
        __atomic_sub_fetch(&alive, 1u, __ATOMIC_ACQ_REL);
    }
    return n;
}

static FacetResult FACET_CALL bytes_data(void *self, const void **out)
{
    if (out == NULL)
        return FACET_E_POINTER;
    *out = ((Bytes *)self)->data;
    return FACET_OK;
}

static FacetResult FACET_CALL bytes_size(void *self, uint64_t *out)
{
    if (out == NULL)
        return FACET_E_POINTER;
    *out = ((Bytes *)self)->size;
    return FACET_OK;
}

typedef FacetResult(FACET_CALL *QiFn)(void *, const FacetGuid *, void **);
typedef uint32_t(FACET_CALL *RefFn)(void *);
typedef FacetResult(FACET_CALL *DataFn)(void *, const void **);
typedef FacetResult(FACET_CALL *SizeFn)(void *, uint64_t *);

/* IFacetString and IFacetBlob have the same shape: the data, then its size
 * (GetText, GetLength; GetData, GetSize). */
typedef struct BytesVtbl {
    QiFn qi;
    RefFn addref, release;
    DataFn data;
    SizeFn size;
} BytesVtbl;

static const BytesVtbl string_vtbl = {bytes_qi, bytes_addref, bytes_release, bytes_data,
                                      bytes_size};
static const BytesVtbl blob_vtbl = {bytes_qi, bytes_addref, bytes_release, bytes_data,
                                    bytes_size};

static const FacetGuid *bytes_iid(const Bytes *b)
{
    return b->lpVtbl == &string_vtbl ? &IID_IFacetString : &IID_IFacetBlob;
}

static Bytes *bytes_new(const BytesVtbl *vtbl, const void *data, uint64_t n)
{
    Bytes *b;
    if (n > SIZE_MAX - sizeof(Bytes))
        return NULL;
    b = malloc(sizeof(Bytes) + (size_t)n);
    if (b == NULL)
        return NULL;
    b->lpVtbl = vtbl;
    b->refs = 1;
    b->size = n;
    if (n > 0)
        memcpy(b->data, data, (size_t)n);
    b->data[n] = '\0';
    __atomic_add_fetch(&alive, 1u, __ATOMIC_ACQ_REL);
    return b;
}

IFacetString *facetgo_string_new(const char *text, uint64_t n)
{
    return (IFacetString *)(void *)bytes_new(&string_vtbl, text, n);
}

IFacetBlob *facetgo_blob_new(const void *data, uint64_t n)
{
    return (IFacetBlob *)(void *)bytes_new(&blob_vtbl, data, n);
}
