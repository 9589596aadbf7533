/*
 * core/runtime/blob.c - IFacetBlob and IFacetString: reference-counted, immutable
 * bytes and text, with their data in the same allocation as the object.
 */
#include <string.h>

#include "runtime.h"

typedef struct FacetBuffer {
    union {
        IFacetBlob blob;
        IFacetString string;
    } u;
    uint32_t refs;
    uint64_t size;
    uint8_t data[1]; /* size bytes and a NUL */
} FacetBuffer;

static FacetResult buffer_qi(FacetBuffer *b, const FacetGuid *own, const FacetGuid *iid,
                             void **out)
{
    if (out == NULL)
        return FACET_E_POINTER;
    *out = NULL;
    if (iid == NULL)
        return FACET_E_POINTER;
    if (!FacetGuidEqual(iid, &IID_IFacetUnknown) && !FacetGuidEqual(iid, own))
        return FACET_E_NOINTERFACE;
    facet__atomic_inc32(&b->refs);
    *out = b;
    return FACET_OK;
}

static uint32_t buffer_addref(FacetBuffer *b)
{
    return facet__atomic_inc32(&b->refs);
}

static uint32_t buffer_release(FacetBuffer *b)
{
    uint32_t n = facet__atomic_dec32(&b->refs);
    if (n == 0)
        facet__free(b);
    return n;
}

static FacetResult FACET_CALL blob_qi(IFacetBlob *self, const FacetGuid *iid, void **out)
{
    return buffer_qi((FacetBuffer *)self, &IID_IFacetBlob, iid, out);
}
static uint32_t FACET_CALL blob_addref(IFacetBlob *self)
{
    return buffer_addref((FacetBuffer *)self);
}
static uint32_t FACET_CALL blob_release(IFacetBlob *self)
{
    return buffer_release((FacetBuffer *)self);
}
static FacetResult FACET_CALL blob_data(IFacetBlob *self, const uint8_t **out)
{
    if (out == NULL)
        return FACET_E_POINTER;
    *out = ((FacetBuffer *)self)->data;
    return FACET_OK;
}
static FacetResult FACET_CALL blob_size(IFacetBlob *self, uint64_t *out)
{
    if (out == NULL)
        return FACET_E_POINTER;
    *out = ((FacetBuffer *)self)->size;
    return FACET_OK;
}

static const IFacetBlobVtbl blob_vtbl = {blob_qi, blob_addref, blob_release, blob_data,
                                         blob_size};

static FacetResult FACET_CALL string_qi(IFacetString *self, const FacetGuid *iid, void **out)
{
    return buffer_qi((FacetBuffer *)self, &IID_IFacetString, iid, out);
}
static uint32_t FACET_CALL string_addref(IFacetString *self)
{
    return buffer_addref((FacetBuffer *)self);
}
static uint32_t FACET_CALL string_release(IFacetString *self)
{
    return buffer_release((FacetBuffer *)self);
}
static FacetResult FACET_CALL string_text(IFacetString *self, const char **out)
{
    if (out == NULL)
        return FACET_E_POINTER;
    *out = (const char *)((FacetBuffer *)self)->data;
    return FACET_OK;
}
static FacetResult FACET_CALL string_length(IFacetString *self, uint64_t *out)
{
    if (out == NULL)
        return FACET_E_POINTER;
    *out = ((FacetBuffer *)self)->size;
    return FACET_OK;
}

static const IFacetStringVtbl string_vtbl = {string_qi, string_addref, string_release,
                                             string_text, string_length};

static FacetResult buffer_new(FacetBuffer **out, const void *data, uint64_t size)
{
    FacetBuffer *b;
    *out = NULL;
    if (size > (uint64_t)(SIZE_MAX - sizeof(FacetBuffer)))
        return facet__error(FACET_E_OUTOFMEMORY, "%llu bytes is more than this host can address",
                            (unsigned long long)size);
    b = facet__malloc(sizeof(FacetBuffer) + (size_t)size);
    if (b == NULL)
        return facet__error(FACET_E_OUTOFMEMORY, "out of memory for a %llu-byte buffer",
                            (unsigned long long)size);
    b->refs = 1;
    b->size = size;
    if (size > 0)
        memcpy(b->data, data, (size_t)size);
    b->data[size] = '\0';
    *out = b;
    return FACET_OK;
}

FacetResult facet__blob_new(IFacetBlob **out, const void *data, uint64_t size)
{
    FacetBuffer *b;
    FacetResult r;
    *out = NULL;
    if (data == NULL && size > 0)
        return facet__error(FACET_E_POINTER, "CreateBlob: data is NULL with size %llu",
                            (unsigned long long)size);
    r = buffer_new(&b, data, size);
    if (FACET_FAILED(r))
        return r;
    b->u.blob.lpVtbl = &blob_vtbl;
    *out = &b->u.blob;
    return FACET_OK;
}

FacetResult facet__string_new(IFacetString **out, const char *text, uint64_t length)
{
    FacetBuffer *b;
    FacetResult r;
    *out = NULL;
    if (text == NULL)
        return facet__error(FACET_E_POINTER, "CreateString: text is NULL");
    if (length == UINT64_MAX)
        length = strlen(text);
    if (!facet__utf8_valid(text, (size_t)length))
        return facet__error(FACET_E_INVALIDARG, "CreateString: the text is not valid UTF-8");
    if (memchr(text, '\0', (size_t)length) != NULL)
        return facet__error(FACET_E_INVALIDARG,
                            "CreateString: the text has a NUL byte inside its %llu bytes",
                            (unsigned long long)length);
    r = buffer_new(&b, text, length);
    if (FACET_FAILED(r))
        return r;
    b->u.string.lpVtbl = &string_vtbl;
    *out = &b->u.string;
    return FACET_OK;
}
