/*
 * core/remote/wire.c - the wire format and the marshaling engine: reads and
 * writes the arguments of a call by the tables facet-idl generates
 * (<facet/proxystub.h>), once for every interface.
 *
 * A value lies at an offset of the message that is a multiple of its size
 * (at most 8); docs/isolation.md ("The wire format") has the layout of
 * each shape. Reading checks every length, count and tag against what is
 * left of the message and against the tables before anything is read or
 * allocated: what the peer sent is never trusted, and anything malformed
 * sets m->bad, after which nothing more is read. A request's strings and
 * arrays are read in place (the callee gets pointers into the lane), the
 * rest into the call's arena; a reply's values go into the caller's own
 * memory, except what the caller gets borrowed (an [out] const char **, a
 * struct's strings), which the proxy keeps for as long as it lives.
 */
#include <string.h>

#include "remote.h"

/* A reference the message holds (FacetMarshal.refs). */
typedef struct FacetMarshalRef {
    void *itf;                   /* to Release once the call is done; or NULL */
    FacetExports *exports;       /* an export to take back if the message is not sent */
    uint64_t object_id;
    struct FacetMarshalRef *next;
} FacetMarshalRef;

static const char *const nul_inside = "a string with a NUL character inside it";

/* ---- Primitives --------------------------------------------------------- */

static size_t align_up(size_t pos, size_t align)
{
    return (pos + align - 1) & ~(align - 1);
}

static size_t wire_align(uint32_t size)
{
    return size >= 8 ? 8 : size >= 4 ? 4 : size >= 2 ? 2 : 1;
}

static void too_big(FacetMarshal *m, size_t need)
{
    if (m->error == FACET_OK)
        m->error = facet__error(FACET_E_INVALIDARG,
                                "the arguments of this call take more than the %llu bytes a "
                                "message may have (about %llu more were needed)",
                                (unsigned long long)m->len,
                                (unsigned long long)(need > m->len ? need - m->len : need));
}

void facet__wire_bad(FacetMarshal *m, const char *why)
{
    if (m->bad == NULL)
        m->bad = why;
}

void *facet__wire_put(FacetMarshal *m, size_t n, size_t align)
{
    size_t at;
    if (m->error != FACET_OK)
        return NULL;
    at = align_up(m->pos, align);
    if (at > m->len || n > m->len - at) {
        too_big(m, at + n);
        return NULL;
    }
    /* the padding is written too: a message never carries stale bytes */
    memset(m->buf + m->pos, 0, at - m->pos);
    m->pos = at + n;
    return m->buf + at;
}

const void *facet__wire_get(FacetMarshal *m, size_t n, size_t align)
{
    size_t at;
    if (m->bad != NULL)
        return NULL;
    at = align_up(m->pos, align);
    if (at > m->len || n > m->len - at) {
        facet__wire_bad(m, "a value runs past the end of the message");
        return NULL;
    }
    m->pos = at + n;
    return m->buf + at;
}

void facet__wire_put_u32(FacetMarshal *m, uint32_t v)
{
    void *p = facet__wire_put(m, 4, 4);
    if (p != NULL)
        memcpy(p, &v, 4);
}

void facet__wire_put_u64(FacetMarshal *m, uint64_t v)
{
    void *p = facet__wire_put(m, 8, 8);
    if (p != NULL)
        memcpy(p, &v, 8);
}

uint32_t facet__wire_get_u32(FacetMarshal *m)
{
    const void *p = facet__wire_get(m, 4, 4);
    uint32_t v = 0;
    if (p != NULL)
        memcpy(&v, p, 4);
    return v;
}

uint64_t facet__wire_get_u64(FacetMarshal *m)
{
    const void *p = facet__wire_get(m, 8, 8);
    uint64_t v = 0;
    if (p != NULL)
        memcpy(&v, p, 8);
    return v;
}

#define WIRE_NULL 0xFFFFFFFFu

/* A string of unit-byte units: its length in units (WIRE_NULL for NULL),
 * the units, a terminating NUL. */
static void put_units(FacetMarshal *m, const void *s, uint32_t unit)
{
    size_t n = 0;
    unsigned char *p;
    if (s == NULL) {
        facet__wire_put_u32(m, WIRE_NULL);
        return;
    }
    if (unit == 1) {
        n = strlen(s);
    } else {
        const uint16_t *w = s;
        while (w[n] != 0)
            n++;
    }
    if (n >= WIRE_NULL) {
        too_big(m, n);
        return;
    }
    facet__wire_put_u32(m, (uint32_t)n);
    p = facet__wire_put(m, (n + 1) * unit, unit);
    if (p != NULL)
        memcpy(p, s, (n + 1) * unit);
}

/* Keeps a string or array the caller gets borrowed (a reply), or gives
 * the bytes in place (a request). */
static const void *hold(FacetMarshal *m, const void *data, size_t n)
{
    const void *kept;
    if (m->keep == NULL)
        return data;
    kept = facet__proxy_keep(m->keep, data, n);
    if (kept == NULL && m->error == FACET_OK)
        m->error = facet__error(FACET_E_OUTOFMEMORY, "out of memory for a reply's value");
    return kept;
}

static const void *get_units(FacetMarshal *m, uint32_t unit)
{
    uint32_t n = facet__wire_get_u32(m);
    const unsigned char *p;
    size_t i;
    if (m->bad != NULL || n == WIRE_NULL)
        return NULL;
    if ((uint64_t)n + 1 > (m->len - m->pos) / unit + 1) {
        facet__wire_bad(m, "a string longer than the message");
        return NULL;
    }
    p = facet__wire_get(m, ((size_t)n + 1) * unit, unit);
    if (p == NULL)
        return NULL;
    if (unit == 1) {
        if (p[n] != 0 || memchr(p, 0, n) != NULL) {
            facet__wire_bad(m, p[n] != 0 ? "a string without its terminating NUL" : nul_inside);
            return NULL;
        }
    } else {
        for (i = 0; i <= n; i++) {
            uint16_t u;
            memcpy(&u, p + 2 * i, 2);
            if ((u == 0) != (i == n)) {
                facet__wire_bad(m, i == n ? "a string without its terminating NUL" : nul_inside);
                return NULL;
            }
        }
    }
    return hold(m, p, ((size_t)n + 1) * unit);
}

void facet__wire_put_string(FacetMarshal *m, const char *s)
{
    put_units(m, s, 1);
}

const char *facet__wire_get_string(FacetMarshal *m)
{
    return get_units(m, 1);
}

int facet__wire_check_header(const FacetWireHeader *h, size_t got, const char **why)
{
    uint32_t kind = h->flags & (FACET_WIRE_REQUEST | FACET_WIRE_REPLY);
    if (got < sizeof(*h))
        *why = "a message shorter than its header";
    else if (h->length != got)
        *why = "a message whose header gives another length than arrived";
    else if (h->reserved != 0 || (h->flags & ~FACET_WIRE_FLAGS) != 0)
        *why = "a message with reserved bits set";
    else if (kind != FACET_WIRE_REQUEST && kind != FACET_WIRE_REPLY)
        *why = "a message that is neither a request nor a reply";
    else if (kind == FACET_WIRE_REQUEST && h->status != 0)
        *why = "a request with a status";
    else
        return 1;
    return 0;
}

/* ---- References the message holds --------------------------------------- */

static void add_ref(FacetMarshal *m, void *itf, FacetExports *x, uint64_t object_id)
{
    FacetMarshalRef *r = facet__malloc(sizeof(*r));
    if (r == NULL) {
        /* Out of memory: let go of it now rather than never. */
        if (itf != NULL)
            IFacetUnknown_Release(FACET_UNKNOWN(itf));
        else if (m->error == FACET_OK)
            m->error = facet__error(FACET_E_OUTOFMEMORY, "out of memory marshaling a call");
        return;
    }
    r->itf = itf;
    r->exports = x;
    r->object_id = object_id;
    r->next = m->refs;
    m->refs = r;
}

void facet__wire_finish(FacetMarshal *m, int undo)
{
    FacetMarshalRef *r, *next;
    for (r = m->refs; r != NULL; r = next) {
        next = r->next;
        if (r->itf != NULL)
            IFacetUnknown_Release(FACET_UNKNOWN(r->itf));
        else if (undo && r->exports != NULL)
            facet__exports_drop(r->exports, r->object_id, 1);
        facet__free(r);
    }
    m->refs = NULL;
}

/* ---- Interface pointers -------------------------------------------------- */

void facet__wire_put_interface(FacetMarshal *m, void *itf, const FacetGuid *iid)
{
    uint64_t id = 0;
    uint32_t index = 0, *tag;
    const FacetPsInterface *ps;
    unsigned char *at;
    FacetResult r;

    tag = facet__wire_put(m, 4, 4);
    if (tag == NULL)
        return;
    if (itf == NULL) {
        *tag = FACET_WIRE_ITF_NULL;
        return;
    }
    if (FacetGuidEqual(iid, &IID_IFacetString)) {
        const char *text = NULL;
        uint64_t n = 0;
        *tag = FACET_WIRE_ITF_STRING;
        if (FACET_FAILED(IFacetString_GetText((IFacetString *)itf, &text)) ||
            FACET_FAILED(IFacetString_GetLength((IFacetString *)itf, &n)) || text == NULL) {
            m->error = facet__error(FACET_E_CONTRACT, "an IFacetString that gives no text");
            return;
        }
        facet__wire_put_u64(m, n);
        at = facet__wire_put(m, (size_t)n + 1, 1);
        if (at != NULL) {
            memcpy(at, text, (size_t)n);
            at[n] = 0;
        }
        return;
    }
    if (FacetGuidEqual(iid, &IID_IFacetBlob)) {
        const uint8_t *data = NULL;
        uint64_t n = 0;
        *tag = FACET_WIRE_ITF_BLOB;
        if (FACET_FAILED(IFacetBlob_GetData((IFacetBlob *)itf, &data)) ||
            FACET_FAILED(IFacetBlob_GetSize((IFacetBlob *)itf, &n)) || (data == NULL && n)) {
            m->error = facet__error(FACET_E_CONTRACT, "an IFacetBlob that gives no bytes");
            return;
        }
        facet__wire_put_u64(m, n);
        at = facet__wire_put(m, (size_t)n, 1);
        if (at != NULL && n)
            memcpy(at, data, (size_t)n);
        return;
    }
    if (facet__proxy_of(m->conn, itf, &id, &index)) {
        /* One of the receiver's own objects comes back to it. */
        *tag = FACET_WIRE_ITF_YOURS;
        facet__wire_put_u64(m, id);
        facet__wire_put_u32(m, index);
        return;
    }
    *tag = FACET_WIRE_ITF_REF;
    ps = facet__conn_find_ps(m->conn, iid);
    if (ps == NULL) {
        m->error = facet__conn_no_ps(iid, "an interface pointer passed across");
        return;
    }
    r = facet__exports_add(facet__conn_exports(m->conn), itf, iid, ps,
                           facet__conn_export_apartment(), &id, &index);
    if (FACET_FAILED(r)) {
        m->error = r;
        return;
    }
    add_ref(m, NULL, facet__conn_exports(m->conn), id);
    facet__wire_put_u64(m, id);
    facet__wire_put_u32(m, index);
    at = facet__wire_put(m, 16, 4);
    if (at != NULL)
        memcpy(at, iid, 16);
}

void facet__wire_get_interface(FacetMarshal *m, void **out, const FacetGuid *iid,
                               FacetGuid *actual)
{
    uint32_t tag = facet__wire_get_u32(m), index;
    uint64_t id, n;
    const unsigned char *p;
    const FacetPsInterface *ps, *have;
    FacetGuid got;
    FacetResult r;

    *out = NULL;
    if (m->bad != NULL)
        return;
    switch (tag) {
    case FACET_WIRE_ITF_NULL:
        return;
    case FACET_WIRE_ITF_STRING:
    case FACET_WIRE_ITF_BLOB:
        if (iid != NULL &&
            !FacetGuidEqual(iid, tag == FACET_WIRE_ITF_STRING ? &IID_IFacetString : &IID_IFacetBlob)) {
            facet__wire_bad(m, "a string or blob where another interface was expected");
            return;
        }
        n = facet__wire_get_u64(m);
        if (m->bad != NULL)
            return;
        if (n > m->len - m->pos) {
            facet__wire_bad(m, "a string or blob longer than the message");
            return;
        }
        p = facet__wire_get(m, (size_t)n + (tag == FACET_WIRE_ITF_STRING), 1);
        if (p == NULL)
            return;
        if (actual != NULL)
            *actual = tag == FACET_WIRE_ITF_STRING ? IID_IFacetString : IID_IFacetBlob;
        if (tag == FACET_WIRE_ITF_STRING) {
            if (p[n] != 0 || memchr(p, 0, (size_t)n) != NULL) {
                facet__wire_bad(m, nul_inside);
                return;
            }
            r = facet__string_new((IFacetString **)out, (const char *)p, n);
        } else {
            r = facet__blob_new((IFacetBlob **)out, p, n);
        }
        if (FACET_FAILED(r) && m->error == FACET_OK)
            m->error = r; /* out of memory, or text that is not UTF-8 */
        return;
    case FACET_WIRE_ITF_YOURS:
        id = facet__wire_get_u64(m);
        index = facet__wire_get_u32(m);
        if (m->bad != NULL)
            return;
        if (FACET_FAILED(facet__exports_get(facet__conn_exports(m->conn), id, index, out, &ps,
                                            NULL, &m->bad)))
            return;
        if (actual != NULL)
            *actual = ps->iid;
        if (iid != NULL && !FacetGuidEqual(iid, &ps->iid) && !FacetGuidEqual(iid, &IID_IFacetUnknown)) {
            IFacetUnknown_Release(FACET_UNKNOWN(*out));
            *out = NULL;
            facet__wire_bad(m, "one of the receiver's objects, as another interface than expected");
        }
        return;
    case FACET_WIRE_ITF_REF:
        id = facet__wire_get_u64(m);
        index = facet__wire_get_u32(m);
        p = facet__wire_get(m, 16, 4);
        if (p == NULL)
            return;
        memcpy(&got, p, 16);
        if (actual != NULL)
            *actual = got;
        if (id == 0) {
            facet__wire_bad(m, "an object id of 0");
            return;
        }
        if (iid != NULL && !FacetGuidEqual(iid, &got)) {
            facet__wire_bad(m, "an interface of another IID than the call declares");
            return;
        }
        ps = facet__conn_find_ps(m->conn, &got);
        have = ps;
        if (have == NULL) {
            /* The sender has tables for it and this side has none: the
             * reference cannot be used, and is given back. */
            FacetResult no = facet__conn_no_ps(&got, "an interface pointer received");
            if (m->error == FACET_OK)
                m->error = no;
            facet__proxies_get(m->conn, facet__conn_proxies_table(m->conn), id, index, &got, NULL,
                               NULL);
            return;
        }
        r = facet__proxies_get(m->conn, facet__conn_proxies_table(m->conn), id, index, &got, ps,
                               out);
        if (FACET_FAILED(r) && m->error == FACET_OK)
            m->error = r;
        return;
    default:
        facet__wire_bad(m, "an interface pointer with an unknown tag");
        return;
    }
}

/* ---- Structs ------------------------------------------------------------ */

static void put_struct(FacetMarshal *m, const FacetPsStruct *st, const unsigned char *s);
static void get_struct(FacetMarshal *m, const FacetPsStruct *st, unsigned char *s);

/* Scalars or structs, n of them, from p. */
static void put_elements(FacetMarshal *m, const FacetPsParam *p, const void *data, uint64_t n)
{
    if (p->st != NULL) {
        uint64_t i;
        for (i = 0; i < n && m->error == FACET_OK; i++)
            put_struct(m, p->st, (const unsigned char *)data + i * p->size);
        return;
    }
    if (n > (m->len - m->pos) / (p->size ? p->size : 1)) {
        too_big(m, (size_t)(n * p->size));
        return;
    }
    {
        void *at = facet__wire_put(m, (size_t)(n * p->size), wire_align(p->size));
        if (at != NULL && n)
            memcpy(at, data, (size_t)(n * p->size));
    }
}

/* n elements into dst (room for them, zeroed). */
static void get_elements(FacetMarshal *m, const FacetPsParam *p, void *dst, uint64_t n)
{
    if (p->st != NULL) {
        uint64_t i;
        for (i = 0; i < n && m->bad == NULL && m->error == FACET_OK; i++)
            get_struct(m, p->st, (unsigned char *)dst + i * p->size);
        return;
    }
    {
        const void *at;
        if (n > (m->len - m->pos) / (p->size ? p->size : 1)) {
            /* one element is a parameter's or a field's value, not an array */
            facet__wire_bad(m, n == 1 ? "a value runs past the end of the message"
                                      : "an array longer than the message");
            return;
        }
        at = facet__wire_get(m, (size_t)(n * p->size), wire_align(p->size));
        if (at != NULL && n)
            memcpy(dst, at, (size_t)(n * p->size));
    }
}

/* Room for n elements of p (zeroed): from the arena (a request), or the
 * proxy's keep (a reply, for a struct's borrowed array). NULL with
 * m->error when there is none. */
static void *room(FacetMarshal *m, const FacetPsParam *p, uint64_t n)
{
    size_t bytes;
    void *at;
    if (n != 0 && p->size > (uint64_t)SIZE_MAX / n) {
        facet__wire_bad(m, "an array too large for memory");
        return NULL;
    }
    bytes = (size_t)(n * p->size);
    if (bytes > m->len) {
        /* no message could fill more: it is not worth the memory */
        facet__wire_bad(m, "an array larger than any message");
        return NULL;
    }
    at = m->arena ? facet__arena_alloc(m->arena, bytes ? bytes : 1) : NULL;
    if (at == NULL) {
        if (m->error == FACET_OK)
            m->error = facet__error(FACET_E_OUTOFMEMORY, "out of memory for a call's arguments");
        return NULL;
    }
    memset(at, 0, bytes);
    return at;
}

/* How many of a sized struct's leading fields lie within limit bytes. */
static uint32_t fields_within(const FacetPsStruct *st, uint32_t limit)
{
    uint32_t i;
    for (i = 0; i < st->field_count; i++) {
        const FacetPsParam *f = &st->fields[i];
        uint64_t end = (uint64_t)f->offset +
                       (f->shape == FACET_PS_VALUE ? (uint64_t)f->size * f->count : sizeof(void *));
        if (end > limit)
            break;
    }
    return i;
}

static void put_field(FacetMarshal *m, const FacetPsParam *f, const unsigned char *s,
                      const FacetPsLinks *links, uint32_t index)
{
    const unsigned char *at = s + f->offset;
    const void *ptr;
    switch (f->shape) {
    case FACET_PS_VALUE:
        put_elements(m, f, at, f->count);
        return;
    case FACET_PS_STRING:
        memcpy(&ptr, at, sizeof(ptr));
        put_units(m, ptr, (f->flags & FACET_PS_WIDE) ? 2u : 1u);
        return;
    case FACET_PS_ARRAY:
        memcpy(&ptr, at, sizeof(ptr));
        facet__wire_put_u32(m, ptr != NULL);
        if (ptr != NULL) {
            uint64_t n = f->length_is >= 0 ? links->length[index] : links->size[index];
            if (n > UINT32_MAX) {
                too_big(m, (size_t)-1);
                return;
            }
            facet__wire_put_u32(m, (uint32_t)n);
            put_elements(m, f, ptr, n);
        }
        return;
    default:
        m->error = facet__error(FACET_E_CONTRACT, "a struct field of a shape no struct may have");
        return;
    }
}

static void put_struct(FacetMarshal *m, const FacetPsStruct *st, const unsigned char *s)
{
    FacetPsLinks links;
    uint32_t i, n = st->field_count;
    if (st->links != NULL)
        st->links(s, &links);
    if (st->flags & FACET_PS_SIZED) {
        uint32_t size;
        memcpy(&size, s, 4);
        n = fields_within(st, size < st->size ? size : st->size);
        facet__wire_put_u32(m, n);
    }
    for (i = 0; i < n && m->error == FACET_OK; i++)
        put_field(m, &st->fields[i], s, &links, i);
}

static void get_field(FacetMarshal *m, const FacetPsParam *f, unsigned char *s, uint32_t *counts,
                      uint32_t index)
{
    unsigned char *at = s + f->offset;
    const void *ptr = NULL;
    switch (f->shape) {
    case FACET_PS_VALUE:
        get_elements(m, f, at, f->count);
        return;
    case FACET_PS_STRING:
        ptr = get_units(m, (f->flags & FACET_PS_WIDE) ? 2u : 1u);
        memcpy(at, &ptr, sizeof(ptr));
        return;
    case FACET_PS_ARRAY:
        if (facet__wire_get_u32(m) != 0 && m->bad == NULL) {
            uint32_t n = facet__wire_get_u32(m);
            void *dst;
            if (m->bad != NULL)
                return;
            if (m->keep != NULL) {
                /* a reply: the caller gets it borrowed, kept by the proxy */
                unsigned char tmp[256];
                FacetArena scratch = {NULL, 0};
                FacetArena *was = m->arena;
                m->arena = &scratch;
                dst = n * (uint64_t)f->size <= sizeof(tmp) ? (memset(tmp, 0, sizeof(tmp)), tmp)
                                                           : room(m, f, n);
                if (dst != NULL)
                    get_elements(m, f, dst, n);
                if (dst != NULL && m->bad == NULL)
                    ptr = hold(m, dst, (size_t)n * f->size);
                m->arena = was;
                facet__arena_free(&scratch);
            } else {
                dst = room(m, f, n);
                if (dst != NULL)
                    get_elements(m, f, dst, n);
                ptr = dst;
            }
            counts[index] = n;
        }
        memcpy(at, &ptr, sizeof(ptr));
        return;
    default:
        facet__wire_bad(m, "a struct field of a shape no struct may have");
        return;
    }
}

/* Checks the arrays of a struct just read against its links: the struct
 * says how many elements there are (interface_count), and its reader will
 * read that many. */
static void check_struct_links(FacetMarshal *m, const FacetPsStruct *st, const unsigned char *s,
                               const uint32_t *counts, uint32_t n)
{
    FacetPsLinks links;
    uint32_t i;
    if (st->links == NULL || m->bad != NULL)
        return;
    st->links(s, &links);
    for (i = 0; i < n; i++) {
        const FacetPsParam *f = &st->fields[i];
        const void *ptr;
        if (f->shape != FACET_PS_ARRAY)
            continue;
        memcpy(&ptr, s + f->offset, sizeof(ptr));
        if (ptr != NULL && links.size[i] > counts[i]) {
            facet__wire_bad(m, "a struct whose array has fewer elements than its size_is says");
            return;
        }
    }
}

static void get_struct(FacetMarshal *m, const FacetPsStruct *st, unsigned char *s)
{
    uint32_t counts[FACET_PS_MAX_PARAMS];
    uint32_t i, n = st->field_count;
    if (st->field_count > FACET_PS_MAX_PARAMS) {
        facet__wire_bad(m, "a struct with too many fields");
        return;
    }
    memset(counts, 0, sizeof(counts));
    if (st->flags & FACET_PS_SIZED) {
        n = facet__wire_get_u32(m);
        if (n > st->field_count) {
            facet__wire_bad(m, "a struct with more fields than it has");
            return;
        }
    }
    for (i = 0; i < n && m->bad == NULL && m->error == FACET_OK; i++)
        get_field(m, &st->fields[i], s, counts, i);
    if (st->flags & FACET_PS_SIZED) {
        uint32_t size;
        memcpy(&size, s, 4);
        /* it never claims more than there is room for */
        if (size > st->size) {
            size = st->size;
            memcpy(s, &size, 4);
        }
    }
    check_struct_links(m, st, s, counts, n);
}

/* ---- Parameters ---------------------------------------------------------- */

static const FacetPsMethod *method_of(const FacetPsInterface *ps, uint32_t slot)
{
    return &ps->methods[slot - 3];
}

static void *arg_ptr(void **args, uint32_t i)
{
    void *p;
    memcpy(&p, args[i], sizeof(p));
    return p;
}

/* The IID of an interface parameter: fixed, or its iid_is. */
static const FacetGuid *param_iid(const FacetPsParam *p, const FacetPsLinks *links, uint32_t i)
{
    return p->iid != NULL ? p->iid : links != NULL ? links->iid[i] : NULL;
}

static void put_param_in(FacetMarshal *m, const FacetPsParam *p, void **args, uint32_t i,
                         const FacetPsLinks *links)
{
    void *ptr;
    uint64_t n, len;
    const FacetGuid *iid;
    switch (p->shape) {
    case FACET_PS_VALUE:
        put_elements(m, p, args[i], p->count);
        return;
    case FACET_PS_REF:
        ptr = arg_ptr(args, i);
        facet__wire_put_u32(m, ptr != NULL);
        if (ptr != NULL && (p->flags & FACET_PS_IN))
            put_elements(m, p, ptr, 1);
        else if (ptr != NULL && p->st != NULL && (p->st->flags & FACET_PS_SIZED))
            /* an [out] struct's size still goes, for the callee's struct_size */
            facet__wire_put_u32(m, *(const uint32_t *)ptr);
        return;
    case FACET_PS_ARRAY:
        ptr = arg_ptr(args, i);
        n = links->size[i];
        len = p->length_is >= 0 ? links->length[i] : n;
        if (n > UINT32_MAX || len > n) {
            m->error = facet__error(FACET_E_INVALIDARG,
                                    "argument %s: its length_is (%llu) is more than its size_is "
                                    "(%llu), or the size is more than 2^32",
                                    p->name, (unsigned long long)len, (unsigned long long)n);
            return;
        }
        facet__wire_put_u32(m, ptr != NULL);
        if (ptr == NULL)
            return;
        facet__wire_put_u32(m, (uint32_t)n);
        facet__wire_put_u32(m, (uint32_t)len);
        if (p->flags & FACET_PS_IN)
            put_elements(m, p, ptr, len);
        return;
    case FACET_PS_STRING:
        put_units(m, arg_ptr(args, i), (p->flags & FACET_PS_WIDE) ? 2u : 1u);
        return;
    case FACET_PS_STRING_OUT:
    case FACET_PS_INTERFACE_OUT:
        facet__wire_put_u32(m, arg_ptr(args, i) != NULL);
        return;
    case FACET_PS_STRING_ARRAY: {
        const char *const *strings = arg_ptr(args, i);
        n = links->size[i];
        facet__wire_put_u32(m, strings != NULL);
        if (strings == NULL)
            return;
        if (n > UINT32_MAX) {
            too_big(m, (size_t)-1);
            return;
        }
        facet__wire_put_u32(m, (uint32_t)n);
        for (len = 0; len < n && m->error == FACET_OK; len++)
            put_units(m, strings[len], 1);
        return;
    }
    case FACET_PS_INTERFACE:
        iid = param_iid(p, links, i);
        ptr = arg_ptr(args, i);
        if (iid == NULL && ptr != NULL) {
            m->error = facet__error(FACET_E_POINTER, "argument %s: its iid_is is NULL", p->name);
            return;
        }
        facet__wire_put_interface(m, ptr, iid ? iid : &IID_IFacetUnknown);
        return;
    default:
        m->error = facet__error(FACET_E_CONTRACT, "argument %s: a shape (%u) this libfacet does "
                                                  "not know",
                                p->name, (unsigned)p->shape);
        return;
    }
}

/* The first pointer argument that must not be NULL and is: a pointer to
 * one element, an [in] string or an [out] string or interface, unless
 * [unique] (MIDL's [ref], the default of a parameter). -1 when none. */
static int null_ref(const FacetPsMethod *me, void **args)
{
    uint32_t i;
    for (i = 0; i < me->param_count; i++) {
        const FacetPsParam *p = &me->params[i];
        if ((p->shape == FACET_PS_REF || p->shape == FACET_PS_STRING ||
             p->shape == FACET_PS_STRING_OUT || p->shape == FACET_PS_INTERFACE_OUT) &&
            !(p->flags & FACET_PS_UNIQUE) && arg_ptr(args, i) == NULL)
            return (int)i;
    }
    return -1;
}

static void refuse_null(FacetMarshal *m, const FacetPsInterface *ps, uint32_t slot, int i)
{
    const FacetPsMethod *me = method_of(ps, slot);
    m->error = facet__error(FACET_E_POINTER, "%s::%s: argument %s is NULL, which it may not be "
                                             "(a pointer parameter that is not [unique])",
                            ps->name, me->name, me->params[i].name);
}

void facet__wire_put_ins(FacetMarshal *m, const FacetPsInterface *ps, uint32_t slot, void **args)
{
    const FacetPsMethod *me = method_of(ps, slot);
    FacetPsLinks links, *l = NULL;
    uint32_t i;
    int null = null_ref(me, args);
    if (null >= 0) {
        refuse_null(m, ps, slot, null);
        return;
    }
    if (me->flags & FACET_PS_LINKS) {
        ps->links(slot, args, &links);
        l = &links;
    }
    for (i = 0; i < me->param_count && m->error == FACET_OK; i++)
        put_param_in(m, &me->params[i], args, i, l);
}

/* What the stub keeps per parameter between reading and writing. */
typedef struct ArgSlot {
    void *value;     /* the argument itself (what args[i] points at) */
    uint32_t size;   /* an array: its elements */
    uint32_t present;
} ArgSlot;

static void get_param_in(FacetMarshal *m, const FacetPsParam *p, void **args, uint32_t i,
                         uint32_t *sizes, FacetGuid *iids)
{
    void **slot_value;
    void *storage;
    uint32_t present, n, len;
    /* The argument's own storage: a pointer for every shape but VALUE. */
    if (p->shape == FACET_PS_VALUE) {
        storage = room(m, p, p->count);
        args[i] = storage;
        if (storage != NULL)
            get_elements(m, p, storage, p->count);
        return;
    }
    slot_value = facet__arena_alloc(m->arena, sizeof(void *));
    if (slot_value == NULL) {
        if (m->error == FACET_OK)
            m->error = facet__error(FACET_E_OUTOFMEMORY, "out of memory for a call's arguments");
        return;
    }
    *slot_value = NULL;
    args[i] = slot_value;
    switch (p->shape) {
    case FACET_PS_REF:
        present = facet__wire_get_u32(m);
        if (present == 0 || m->bad != NULL)
            return;
        storage = room(m, p, 1);
        if (storage == NULL)
            return;
        *slot_value = storage;
        if (p->flags & FACET_PS_IN) {
            get_elements(m, p, storage, 1);
        } else if (p->st != NULL && (p->st->flags & FACET_PS_SIZED)) {
            uint32_t size = facet__wire_get_u32(m);
            if (size > p->st->size)
                size = p->st->size;
            memcpy(storage, &size, 4);
        }
        return;
    case FACET_PS_ARRAY:
        present = facet__wire_get_u32(m);
        if (present == 0 || m->bad != NULL)
            return;
        n = facet__wire_get_u32(m);
        len = facet__wire_get_u32(m);
        if (m->bad != NULL)
            return;
        if (len > n) {
            facet__wire_bad(m, "an array whose length is more than its size");
            return;
        }
        sizes[i] = n;
        if (!(p->flags & FACET_PS_OUT) && p->st == NULL && len == n &&
            n <= (m->len - align_up(m->pos, wire_align(p->size))) / (p->size ? p->size : 1)) {
            /* read in place: an [in] array of scalars needs no copy */
            *slot_value = (void *)(uintptr_t)facet__wire_get(m, (size_t)n * p->size,
                                                             wire_align(p->size));
            return;
        }
        storage = room(m, p, n);
        if (storage == NULL)
            return;
        *slot_value = storage;
        if (p->flags & FACET_PS_IN)
            get_elements(m, p, storage, len);
        return;
    case FACET_PS_STRING:
        *slot_value = (void *)(uintptr_t)get_units(m, (p->flags & FACET_PS_WIDE) ? 2u : 1u);
        return;
    case FACET_PS_STRING_OUT:
    case FACET_PS_INTERFACE_OUT:
        /* a place for the callee's answer, or NULL as the caller gave */
        present = facet__wire_get_u32(m);
        if (present != 0 && m->bad == NULL) {
            void **answer = facet__arena_alloc(m->arena, sizeof(void *));
            if (answer == NULL) {
                m->error = facet__error(FACET_E_OUTOFMEMORY, "out of memory for a call's "
                                                             "arguments");
                return;
            }
            *answer = NULL;
            *slot_value = answer;
        }
        return;
    case FACET_PS_STRING_ARRAY: {
        const char **strings;
        uint32_t k;
        present = facet__wire_get_u32(m);
        if (present == 0 || m->bad != NULL)
            return;
        n = facet__wire_get_u32(m);
        if (m->bad != NULL)
            return;
        /* each string takes at least 8 bytes on the wire */
        if (n > (m->len - m->pos) / 8) {
            facet__wire_bad(m, "an array of strings longer than the message");
            return;
        }
        strings = facet__arena_alloc(m->arena, ((size_t)n + 1) * sizeof(char *));
        if (strings == NULL) {
            m->error = facet__error(FACET_E_OUTOFMEMORY, "out of memory for a call's arguments");
            return;
        }
        for (k = 0; k < n && m->bad == NULL; k++)
            strings[k] = get_units(m, 1);
        strings[n] = NULL;
        sizes[i] = n;
        *slot_value = (void *)strings;
        return;
    }
    case FACET_PS_INTERFACE:
        facet__wire_get_interface(m, slot_value, p->iid, &iids[i]);
        if (*slot_value != NULL)
            add_ref(m, *slot_value, NULL, 0);
        return;
    default:
        facet__wire_bad(m, "a parameter of a shape this libfacet does not know");
        return;
    }
}

void facet__wire_get_ins(FacetMarshal *m, const FacetPsInterface *ps, uint32_t slot, void **args)
{
    const FacetPsMethod *me = method_of(ps, slot);
    uint32_t sizes[FACET_PS_MAX_PARAMS];
    FacetGuid iids[FACET_PS_MAX_PARAMS];
    FacetPsLinks links;
    uint32_t i;
    int null;
    if (me->param_count > FACET_PS_MAX_PARAMS) {
        facet__wire_bad(m, "a method with too many parameters");
        return;
    }
    memset(sizes, 0, sizeof(sizes));
    for (i = 0; i < me->param_count && m->bad == NULL && m->error == FACET_OK; i++)
        get_param_in(m, &me->params[i], args, i, sizes, iids);
    if (m->bad != NULL || m->error != FACET_OK)
        return;
    /* (a caller's proxy refuses these; a peer that sends one anyway gets
     * the same answer, and the callee never sees the NULL) */
    null = null_ref(me, args);
    if (null >= 0) {
        refuse_null(m, ps, slot, null);
        return;
    }
    if (!(me->flags & FACET_PS_LINKS))
        return;
    /* What the callee will believe of its arguments must hold: no array
     * smaller than its size_is or length_is says, no interface of another
     * IID than its iid_is names. */
    ps->links(slot, args, &links);
    for (i = 0; i < me->param_count; i++) {
        const FacetPsParam *p = &me->params[i];
        void *value;
        if (p->shape == FACET_PS_ARRAY || p->shape == FACET_PS_STRING_ARRAY) {
            value = arg_ptr(args, i);
            if (value == NULL && !(p->flags & FACET_PS_UNIQUE) && links.size[i] > 0) {
                facet__wire_bad(m, "no array where its size_is says there are elements (a "
                                   "parameter that is not [unique] may not be NULL)");
                return;
            }
            if (value != NULL && (links.size[i] > sizes[i] ||
                                  (p->length_is >= 0 && links.length[i] > sizes[i]))) {
                facet__wire_bad(m, "an array with fewer elements than its size_is or length_is "
                                   "says");
                return;
            }
        } else if (p->shape == FACET_PS_INTERFACE && p->iid == NULL) {
            /* it crossed with its IID; it must be the one named */
            if (arg_ptr(args, i) != NULL &&
                (links.iid[i] == NULL || !FacetGuidEqual(links.iid[i], &iids[i]))) {
                facet__wire_bad(m, "an interface pointer of another IID than its iid_is names");
                return;
            }
        }
    }
}

static void put_param_out(FacetMarshal *m, const FacetPsParam *p, void **args, uint32_t i,
                          const FacetPsLinks *links, int *after)
{
    void *ptr;
    uint64_t n;
    if (!(p->flags & FACET_PS_OUT))
        return;
    ptr = arg_ptr(args, i); /* (an out-parameter is a pointer; an in-value may be a byte) */
    facet__wire_put_u32(m, ptr != NULL);
    if (ptr == NULL)
        return;
    switch (p->shape) {
    case FACET_PS_REF:
        put_elements(m, p, ptr, 1);
        return;
    case FACET_PS_ARRAY:
        n = p->length_is >= 0 ? links->length[i] : links->size[i];
        if (n > links->size[i])
            n = links->size[i];
        facet__wire_put_u32(m, (uint32_t)n);
        put_elements(m, p, ptr, n);
        return;
    case FACET_PS_STRING_OUT: {
        char *s = *(char **)ptr;
        put_units(m, s, (p->flags & FACET_PS_WIDE) ? 2u : 1u);
        if ((p->flags & FACET_PS_ALLOCATED) && s != NULL) {
            /* the caller frees its own copy; this one is the stub's */
            facet__free(s);
            *(char **)ptr = NULL;
        }
        return;
    }
    case FACET_PS_INTERFACE_OUT: {
        void *itf = *(void **)ptr;
        const FacetGuid *iid = param_iid(p, links, i);
        facet__wire_put_interface(m, itf, iid ? iid : &IID_IFacetUnknown);
        if (itf != NULL) {
            /* the export holds its own reference; the callee's goes */
            IFacetUnknown_Release(FACET_UNKNOWN(itf));
            *(void **)ptr = NULL;
        }
        return;
    }
    default:
        return;
    }
    (void)after;
}

void facet__wire_put_outs(FacetMarshal *m, const FacetPsInterface *ps, uint32_t slot, void **args)
{
    const FacetPsMethod *me = method_of(ps, slot);
    FacetPsLinks links, *l = NULL;
    uint32_t i;
    int after = 0;
    if (me->flags & FACET_PS_LINKS) {
        ps->links(slot, args, &links);
        l = &links;
    }
    for (i = 0; i < me->param_count; i++)
        put_param_out(m, &me->params[i], args, i, l, &after);
}

/* A sized struct into the caller's: only the fields within the caller's
 * struct_size (which the callee never sees past), then the callee's
 * struct_size. */
static void get_sized_into(FacetMarshal *m, const FacetPsParam *p, unsigned char *dst)
{
    const FacetPsStruct *st = p->st;
    unsigned char small[512], *tmp = small;
    uint32_t caller, callee, limit, i;
    memcpy(&caller, dst, 4);
    if (st->size > sizeof(small)) {
        tmp = facet__malloc(st->size);
        if (tmp == NULL) {
            m->error = facet__error(FACET_E_OUTOFMEMORY, "out of memory for a reply");
            return;
        }
    }
    memset(tmp, 0, st->size);
    get_struct(m, st, tmp);
    memcpy(&callee, tmp, 4);
    limit = caller < callee ? caller : callee;
    if (limit > st->size)
        limit = st->size;
    for (i = 1; i < st->field_count && m->bad == NULL; i++) {
        const FacetPsParam *f = &st->fields[i];
        size_t bytes = f->shape == FACET_PS_VALUE ? (size_t)f->size * f->count : sizeof(void *);
        if (f->offset + bytes <= limit)
            memcpy(dst + f->offset, tmp + f->offset, bytes);
    }
    if (m->bad == NULL)
        memcpy(dst, &callee, 4);
    if (tmp != small)
        facet__free(tmp);
}

static void get_param_out(FacetMarshal *m, const FacetPsParam *p, void **args, uint32_t i,
                          const FacetPsLinks *links)
{
    void *ptr;
    uint32_t present, n;
    if (!(p->flags & FACET_PS_OUT))
        return;
    ptr = arg_ptr(args, i);
    present = facet__wire_get_u32(m);
    if (m->bad != NULL)
        return;
    if ((present != 0) != (ptr != NULL)) {
        facet__wire_bad(m, "an out-value where the caller gave no place for one, or none where "
                           "it did");
        return;
    }
    if (ptr == NULL)
        return;
    switch (p->shape) {
    case FACET_PS_REF:
        if (p->st != NULL && (p->st->flags & FACET_PS_SIZED))
            get_sized_into(m, p, ptr);
        else
            get_elements(m, p, ptr, 1);
        return;
    case FACET_PS_ARRAY:
        n = facet__wire_get_u32(m);
        if (m->bad == NULL && n > links->size[i]) {
            facet__wire_bad(m, "an out array longer than the caller's");
            return;
        }
        get_elements(m, p, ptr, n);
        return;
    case FACET_PS_STRING_OUT: {
        const void *s;
        if (p->flags & FACET_PS_ALLOCATED) {
            /* the caller's to free, with the runtime allocator */
            FacetProxyManager *keep = m->keep;
            const unsigned char *units;
            size_t bytes, unit = (p->flags & FACET_PS_WIDE) ? 2u : 1u;
            char *copy = NULL;
            m->keep = NULL;
            units = get_units(m, (uint32_t)unit);
            m->keep = keep;
            if (units != NULL) {
                for (bytes = 0; unit == 1 ? units[bytes] != 0
                                          : (units[bytes] | units[bytes + 1]) != 0;
                     bytes += unit)
                    ;
                copy = facet__malloc(bytes + unit);
                if (copy == NULL)
                    m->error = facet__error(FACET_E_OUTOFMEMORY, "out of memory for a reply");
                else
                    memcpy(copy, units, bytes + unit);
            }
            *(char **)ptr = copy;
            return;
        }
        s = get_units(m, (p->flags & FACET_PS_WIDE) ? 2u : 1u);
        *(const void **)ptr = s;
        return;
    }
    case FACET_PS_INTERFACE_OUT: {
        const FacetGuid *iid = param_iid(p, links, i);
        facet__wire_get_interface(m, (void **)ptr, iid, NULL);
        return;
    }
    default:
        facet__wire_bad(m, "a parameter of a shape this libfacet does not know");
        return;
    }
}

void facet__wire_get_outs(FacetMarshal *m, const FacetPsInterface *ps, uint32_t slot, void **args)
{
    const FacetPsMethod *me = method_of(ps, slot);
    FacetPsLinks links, *l = NULL;
    uint32_t i;
    if (me->flags & FACET_PS_LINKS) {
        /* the sizes as the caller gave them, before any out-value lands */
        ps->links(slot, args, &links);
        l = &links;
    }
    for (i = 0; i < me->param_count && m->bad == NULL && m->error == FACET_OK; i++)
        get_param_out(m, &me->params[i], args, i, l);
}

void facet__wire_clear_outs(const FacetPsInterface *ps, uint32_t slot, void **args)
{
    const FacetPsMethod *me = method_of(ps, slot);
    uint32_t i;
    for (i = 0; i < me->param_count; i++) {
        const FacetPsParam *p = &me->params[i];
        void *ptr;
        if (p->shape != FACET_PS_STRING_OUT && p->shape != FACET_PS_INTERFACE_OUT)
            continue;
        ptr = arg_ptr(args, i);
        if (ptr != NULL)
            *(void **)ptr = NULL;
    }
}
