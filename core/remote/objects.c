/*
 * core/remote/objects.c - the two tables of a connection and the proxies.
 *
 * Exports: the objects of this process the peer holds references to. An
 * object crosses as an id (a slot and a generation, so that the id of a
 * released object never finds another) and the index of the interface in
 * its entry; the entry keeps the object's identity and each interface
 * handed out, each with one reference, and counts the references the peer
 * holds. The peer gives them back with RELEASE; when the peer dies, the
 * entries go at once.
 *
 * Proxies: one manager per object of the peer (so QueryInterface keeps
 * COM's identity rules across the boundary), with one proxy per interface,
 * whose vtable is the generated one of <facet/proxystub.h>. The manager
 * counts the local references, and the peer's references it holds (one
 * per time the object crossed), which it gives back in one RELEASE when
 * the last local reference goes. What a caller gets borrowed from a
 * remote call (a string out, a struct's strings) the manager keeps for as
 * long as it lives.
 */
#include <string.h>

#include "remote.h"

/* ---- Exports ------------------------------------------------------------ */

typedef struct ExportItf {
    FacetGuid iid;
    void *itf;                  /* one reference */
    const FacetPsInterface *ps;
} ExportItf;

typedef struct Export {
    IFacetUnknown *identity;    /* one reference; the key */
    uint64_t refs;              /* the peer's */
    uint32_t slot;
    uint32_t itf_count, itf_cap;
    ExportItf *itfs;
    FacetApartment *apt;
    UT_hash_handle hh;
} Export;

struct FacetExports {
    FacetOsRwlock lock;
    Export **slots;             /* by slot; NULL: free */
    uint32_t *generations;      /* by slot; goes up as each is freed */
    uint32_t count, cap;
    uint32_t free_count;
    uint32_t *free_slots;       /* a stack of free slot numbers */
    Export *by_identity;
    int closed;                 /* the peer is gone: nothing more is exported */
};

FacetResult facet__exports_new(FacetExports **out)
{
    FacetExports *x = facet__calloc(1, sizeof(*x));
    *out = NULL;
    if (x == NULL || FACET_FAILED(facet__os_rwlock_init(&x->lock))) {
        facet__free(x);
        return facet__error(FACET_E_OUTOFMEMORY, "out of memory for a connection's objects");
    }
    *out = x;
    return FACET_OK;
}

static uint64_t id_of(const FacetExports *x, uint32_t slot)
{
    return (uint64_t)x->generations[slot] << 32 | (uint64_t)(slot + 1);
}

/* The entry of id, or NULL; the caller holds the lock. */
static Export *entry_of(const FacetExports *x, uint64_t id)
{
    uint32_t slot = (uint32_t)(id & 0xFFFFFFFFu);
    if (slot == 0 || slot > x->count)
        return NULL;
    slot--;
    if (x->slots[slot] == NULL || x->generations[slot] != (uint32_t)(id >> 32))
        return NULL;
    return x->slots[slot];
}

/* Takes e out of the table; the caller holds the lock and releases e's
 * references once it has let go of it. */
static void unlink_entry(FacetExports *x, Export *e)
{
    HASH_DELETE(hh, x->by_identity, e);
    x->slots[e->slot] = NULL;
    x->generations[e->slot]++;
    if (x->generations[e->slot] == 0)
        x->generations[e->slot] = 1;
    x->free_slots[x->free_count++] = e->slot;
}

static void entry_free(Export *e)
{
    uint32_t i;
    for (i = 0; i < e->itf_count; i++)
        IFacetUnknown_Release(FACET_UNKNOWN(e->itfs[i].itf));
    IFacetUnknown_Release(e->identity);
    facet__free(e->itfs);
    facet__free(e);
}

/* A new slot for e; the caller holds the lock. */
static FacetResult take_slot(FacetExports *x, Export *e)
{
    if (x->free_count == 0 && x->count == x->cap) {
        uint32_t cap = x->cap ? x->cap * 2 : 16;
        Export **slots = facet__realloc(x->slots, cap * sizeof(*slots));
        uint32_t *gens, *frees;
        if (slots == NULL)
            return FACET_E_OUTOFMEMORY;
        x->slots = slots;
        gens = facet__realloc(x->generations, cap * sizeof(*gens));
        if (gens == NULL)
            return FACET_E_OUTOFMEMORY;
        x->generations = gens;
        frees = facet__realloc(x->free_slots, cap * sizeof(*frees));
        if (frees == NULL)
            return FACET_E_OUTOFMEMORY;
        x->free_slots = frees;
        x->cap = cap;
    }
    if (x->free_count > 0) {
        e->slot = x->free_slots[--x->free_count];
    } else {
        e->slot = x->count++;
        x->generations[e->slot] = 1;
    }
    x->slots[e->slot] = e;
    return FACET_OK;
}

FacetResult facet__exports_add(FacetExports *x, void *itf, const FacetGuid *iid,
                               const FacetPsInterface *ps, FacetApartment *apt, uint64_t *object_id,
                               uint32_t *index)
{
    IFacetUnknown *identity = NULL;
    Export *e, *fresh = NULL;
    FacetResult r;
    uint32_t i;
    int oom;
    char text[FACET_GUID_STRING_SIZE];

    if (FACET_FAILED(IFacetUnknown_QueryInterface(FACET_UNKNOWN(itf), &IID_IFacetUnknown,
                                                  (void **)&identity)) ||
        identity == NULL)
        return facet__error(FACET_E_CONTRACT,
                            "an object passed across (as %s) gives no IFacetUnknown from "
                            "QueryInterface",
                            facet__ps_name(iid, ps, text, sizeof(text)));
    fresh = facet__calloc(1, sizeof(*fresh));
    if (fresh == NULL) {
        IFacetUnknown_Release(identity);
        return facet__error(FACET_E_OUTOFMEMORY, "out of memory exporting an object");
    }
    facet__os_rwlock_wrlock(&x->lock);
    if (x->closed) {
        r = facet__error(FACET_E_DISCONNECTED,
                         "the other process is gone: no object can be passed to it");
        goto fail;
    }
    HASH_FIND_PTR(x->by_identity, &identity, e);
    if (e == NULL) {
        e = fresh;
        fresh = NULL;
        e->identity = identity;
        identity = NULL;
        e->apt = apt;
        r = take_slot(x, e);
        if (FACET_SUCCEEDED(r)) {
            FACET_HASH_ADD(hh, x->by_identity, &e->identity, sizeof(e->identity), e, oom);
            if (oom) {
                x->slots[e->slot] = NULL;
                x->free_slots[x->free_count++] = e->slot;
                r = FACET_E_OUTOFMEMORY;
            }
        }
        if (FACET_FAILED(r)) {
            identity = e->identity;
            fresh = e;
            r = facet__error(FACET_E_OUTOFMEMORY, "out of memory exporting an object");
            goto fail;
        }
    }
    for (i = 0; i < e->itf_count; i++)
        if (FacetGuidEqual(&e->itfs[i].iid, iid))
            break;
    if (i == e->itf_count) {
        if (e->itf_count == e->itf_cap) {
            uint32_t cap = e->itf_cap ? e->itf_cap * 2 : 2;
            ExportItf *grown = facet__realloc(e->itfs, cap * sizeof(*grown));
            if (grown == NULL) {
                r = facet__error(FACET_E_OUTOFMEMORY, "out of memory exporting an object");
                if (e->refs == 0 && e->itf_count == 0) {
                    unlink_entry(x, e);
                    facet__os_rwlock_wrunlock(&x->lock);
                    entry_free(e);
                    facet__free(fresh);
                    if (identity != NULL)
                        IFacetUnknown_Release(identity);
                    return r;
                }
                goto fail;
            }
            e->itfs = grown;
            e->itf_cap = cap;
        }
        e->itfs[i].iid = *iid;
        e->itfs[i].itf = itf;
        e->itfs[i].ps = ps;
        IFacetUnknown_AddRef(FACET_UNKNOWN(itf));
        e->itf_count++;
    }
    e->refs++;
    *object_id = id_of(x, e->slot);
    *index = i;
    facet__os_rwlock_wrunlock(&x->lock);
    facet__free(fresh);
    if (identity != NULL)
        IFacetUnknown_Release(identity);
    return FACET_OK;
fail:
    facet__os_rwlock_wrunlock(&x->lock);
    facet__free(fresh);
    if (identity != NULL)
        IFacetUnknown_Release(identity);
    return r;
}

FacetResult facet__exports_drop(FacetExports *x, uint64_t object_id, uint64_t count)
{
    Export *e, *gone = NULL;
    facet__os_rwlock_wrlock(&x->lock);
    e = entry_of(x, object_id);
    if (e == NULL || count == 0 || count > e->refs) {
        facet__os_rwlock_wrunlock(&x->lock);
        return FACET_E_INVALIDARG;
    }
    e->refs -= count;
    if (e->refs == 0) {
        unlink_entry(x, e);
        gone = e;
    }
    facet__os_rwlock_wrunlock(&x->lock);
    /* Outside the lock: the object's last Release may call anywhere. */
    if (gone != NULL)
        entry_free(gone);
    return FACET_OK;
}

FacetResult facet__exports_get(FacetExports *x, uint64_t object_id, uint32_t index, void **itf,
                               const FacetPsInterface **ps, FacetApartment **apt, const char **why)
{
    Export *e;
    *itf = NULL;
    facet__os_rwlock_rdlock(&x->lock);
    e = entry_of(x, object_id);
    if (e == NULL || index >= e->itf_count) {
        facet__os_rwlock_rdunlock(&x->lock);
        *why = e == NULL ? "a call to an object id the receiver never handed out (or released)"
                         : "a call through an interface index the receiver never handed out";
        return FACET_E_INVALIDARG;
    }
    *itf = e->itfs[index].itf;
    IFacetUnknown_AddRef(FACET_UNKNOWN(*itf));
    if (ps != NULL)
        *ps = e->itfs[index].ps;
    if (apt != NULL)
        *apt = e->apt;
    facet__os_rwlock_rdunlock(&x->lock);
    return FACET_OK;
}

FacetResult facet__exports_query(FacetExports *x, uint64_t object_id, const FacetGuid *iid,
                                 const FacetPsInterface *ps, uint32_t *index)
{
    Export *e;
    IFacetUnknown *identity;
    FacetApartment *apt;
    void *itf = NULL;
    uint64_t id;
    FacetResult r;
    facet__os_rwlock_rdlock(&x->lock);
    e = entry_of(x, object_id);
    if (e == NULL) {
        facet__os_rwlock_rdunlock(&x->lock);
        return FACET_E_INVALIDARG;
    }
    identity = e->identity;
    apt = e->apt;
    IFacetUnknown_AddRef(identity);
    facet__os_rwlock_rdunlock(&x->lock);
    r = IFacetUnknown_QueryInterface(identity, iid, &itf);
    IFacetUnknown_Release(identity);
    if (FACET_FAILED(r))
        return r;
    if (itf == NULL)
        return FACET_E_NOINTERFACE;
    r = facet__exports_add(x, itf, iid, ps, apt, &id, index);
    IFacetUnknown_Release(FACET_UNKNOWN(itf));
    if (FACET_SUCCEEDED(r) && id != object_id) {
        /* the peer let go of the object meanwhile, though it asked through
         * it: it breaks the protocol; the new entry goes again */
        facet__exports_drop(x, id, 1);
        return FACET_E_INVALIDARG;
    }
    return r;
}

/* Releases every entry and takes no more: the peer is gone. */
void facet__exports_clear(FacetExports *x)
{
    Export *e, *tmp, *all;
    uint32_t i;
    facet__os_rwlock_wrlock(&x->lock);
    x->closed = 1;
    all = x->by_identity;
    x->by_identity = NULL;
    for (i = 0; i < x->count; i++)
        if (x->slots[i] != NULL) {
            x->slots[i] = NULL;
            x->generations[i]++;
        }
    facet__os_rwlock_wrunlock(&x->lock);
    HASH_ITER(hh, all, e, tmp) {
        HASH_DELETE(hh, all, e);
        entry_free(e);
    }
}

void facet__exports_free(FacetExports *x)
{
    if (x == NULL)
        return;
    facet__exports_clear(x);
    facet__os_rwlock_destroy(&x->lock);
    facet__free(x->slots);
    facet__free(x->generations);
    facet__free(x->free_slots);
    facet__free(x);
}

/* ---- Proxies ------------------------------------------------------------- */

/* Only proxies answer QueryInterface for this IID, with themselves: how a
 * pointer about to cross is known to be one of the receiver's own objects. */
static const FacetGuid IID_FacetProxy = {0x5F1C0A3E, 0x8B7D, 0x4E2A,
                                         {0x9C, 0x41, 0x6D, 0x0B, 0x7E, 0x3A, 0x52, 0xF9}};

typedef struct ProxyItf {
    const void *lpVtbl;            /* the generated proxy vtable */
    FacetProxyManager *mgr;
    const FacetPsInterface *ps;
    uint32_t index;                /* the interface's index in the peer's export */
    int has_index;
    struct ProxyItf *next;
} ProxyItf;

typedef struct Kept {
    size_t len;
    UT_hash_handle hh;
    /* the bytes follow */
} Kept;

struct FacetProxyManager {
    ProxyItf identity;             /* the IFacetUnknown of the object */
    uint32_t refs;                 /* local (atomic) */
    uint32_t unlinked;             /* out of the table (under its lock) */
    uint64_t remote_refs;          /* the peer's, to give back (under the table's lock) */
    uint64_t object_id;
    FacetConn *conn;               /* held */
    const FacetChannel *channel;   /* how to reach it */
    ProxyItf *itfs;                /* one per interface (under the table's lock) */
    Kept *kept;                    /* by content (under the table's lock) */
    UT_hash_handle hh;
};

struct FacetProxies {
    const FacetChannel *channel;
    FacetOsRwlock lock;
    FacetProxyManager *by_id;
    uint32_t live;                 /* managers (atomic) */
};

FacetResult facet__conn_no_ps(const FacetGuid *iid, const char *where)
{
    char text[FACET_GUID_STRING_SIZE];
    facet_guid_format(text, sizeof(text), iid);
    return facet__error(FACET_E_NOINTERFACE,
                        "%s: no proxy/stub is registered for interface %s, so it cannot cross "
                        "a process boundary; facet-idl writes its proxies and stubs (X_ps.c) "
                        "from the .idl that declares it",
                        where, text);
}

const char *facet__ps_name(const FacetGuid *iid, const FacetPsInterface *ps, char *buf,
                           size_t size)
{
    if (ps != NULL)
        return ps->name;
    if (iid == NULL)
        return "(no IID)";
    facet_guid_format(buf, size, iid);
    return buf;
}

static FacetResult FACET_CALL unknown_qi(IFacetUnknown *self, const FacetGuid *iid, void **out)
{
    return facet_proxy_query(self, iid, out);
}
static uint32_t FACET_CALL unknown_addref(IFacetUnknown *self)
{
    return facet_proxy_addref(self);
}
static uint32_t FACET_CALL unknown_release(IFacetUnknown *self)
{
    return facet_proxy_release(self);
}
static FacetResult FACET_CALL unknown_stub(void *self, uint32_t slot, void **args)
{
    (void)self;
    (void)slot;
    (void)args;
    return FACET_E_NOTIMPL;
}

static const IFacetUnknownVtbl unknown_vtbl = {unknown_qi, unknown_addref, unknown_release};

/* The tables of IFacetUnknown itself, which no .idl generates. */
const FacetPsInterface facet__ps_unknown = {sizeof(FacetPsInterface),
                                            "IFacetUnknown",
                                            {0x00000000, 0x0000, 0x0000,
                                             {0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46}},
                                            3,
                                            NULL,
                                            &unknown_vtbl,
                                            unknown_stub,
                                            NULL};

FacetResult facet__proxies_new(FacetProxies **out, const FacetChannel *channel)
{
    FacetProxies *p = facet__calloc(1, sizeof(*p));
    *out = NULL;
    if (p == NULL || FACET_FAILED(facet__os_rwlock_init(&p->lock))) {
        facet__free(p);
        return facet__error(FACET_E_OUTOFMEMORY, "out of memory for a connection's proxies");
    }
    p->channel = channel;
    *out = p;
    return FACET_OK;
}

void facet__proxies_free(FacetProxies *p)
{
    FacetProxyManager *m, *tmp;
    if (p == NULL)
        return;
    /* Only once every manager is gone (each holds the connection). */
    HASH_ITER(hh, p->by_id, m, tmp) {
        HASH_DELETE(hh, p->by_id, m);
        m->unlinked = 1;
    }
    facet__os_rwlock_destroy(&p->lock);
    facet__free(p);
}

uint32_t facet__proxies_live(const FacetProxies *p)
{
    return facet__atomic_load32((uint32_t *)(uintptr_t)&p->live);
}

static ProxyItf *itf_by_iid(FacetProxyManager *m, const FacetGuid *iid)
{
    ProxyItf *i;
    for (i = m->itfs; i != NULL; i = i->next)
        if (FacetGuidEqual(&i->ps->iid, iid))
            return i;
    return NULL;
}


FacetResult facet__proxies_get(FacetConn *c, FacetProxies *p, uint64_t object_id, uint32_t index,
                               const FacetGuid *iid, const FacetPsInterface *ps, void **out)
{
    FacetProxyManager *m, *fresh = NULL, *dying = NULL;
    ProxyItf *itf = NULL, *new_itf = NULL;
    int oom = 0;

    if (out != NULL)
        *out = NULL;
    if (ps == NULL || out == NULL) {
        /* a reference this side cannot use: given back at once */
        p->channel->send_release(c, object_id, 1);
        return FACET_OK;
    }
    fresh = facet__calloc(1, sizeof(*fresh));
    if (!FacetGuidEqual(iid, &IID_IFacetUnknown))
        new_itf = facet__calloc(1, sizeof(*new_itf));
    if (fresh == NULL || (new_itf == NULL && !FacetGuidEqual(iid, &IID_IFacetUnknown))) {
        facet__free(fresh);
        facet__free(new_itf);
        p->channel->send_release(c, object_id, 1);
        return facet__error(FACET_E_OUTOFMEMORY, "out of memory for a proxy");
    }
    facet__os_rwlock_wrlock(&p->lock);
    HASH_FIND(hh, p->by_id, &object_id, sizeof(object_id), m);
    if (m != NULL && facet__atomic_load32(&m->refs) == 0) {
        /* its last reference went and it is on its way out: a new one
         * stands for the object from here */
        HASH_DELETE(hh, p->by_id, m);
        m->unlinked = 1;
        dying = m;
        m = NULL;
    }
    (void)dying;
    if (m == NULL) {
        m = fresh;
        fresh = NULL;
        m->identity.lpVtbl = &unknown_vtbl;
        m->identity.mgr = m;
        m->identity.ps = &facet__ps_unknown;
        m->object_id = object_id;
        m->conn = c;
        m->channel = p->channel;
        FACET_HASH_ADD(hh, p->by_id, &m->object_id, sizeof(m->object_id), m, oom);
        if (oom) {
            facet__os_rwlock_wrunlock(&p->lock);
            facet__free(m);
            facet__free(new_itf);
            p->channel->send_release(c, object_id, 1);
            return facet__error(FACET_E_OUTOFMEMORY, "out of memory for a proxy");
        }
        p->channel->addref(c);
        facet__atomic_inc32(&p->live);
    }
    m->remote_refs++;
    facet__atomic_inc32(&m->refs);
    if (FacetGuidEqual(iid, &IID_IFacetUnknown)) {
        itf = &m->identity;
    } else {
        itf = itf_by_iid(m, iid);
        if (itf == NULL) {
            itf = new_itf;
            new_itf = NULL;
            itf->lpVtbl = ps->proxy_vtbl;
            itf->mgr = m;
            itf->ps = ps;
            itf->next = m->itfs;
            m->itfs = itf;
        }
    }
    if (!itf->has_index) {
        itf->index = index;
        itf->has_index = 1;
    }
    facet__os_rwlock_wrunlock(&p->lock);
    facet__free(fresh);
    facet__free(new_itf);
    *out = itf;
    return FACET_OK;
}

int facet__proxy_of(FacetConn *c, void *itf, uint64_t *object_id, uint32_t *index)
{
    ProxyItf *p = NULL;
    int mine;
    if (FACET_FAILED(IFacetUnknown_QueryInterface(FACET_UNKNOWN(itf), &IID_FacetProxy,
                                                  (void **)&p)) ||
        p == NULL)
        return 0;
    mine = p->mgr->conn == c;
    if (mine) {
        ProxyItf *any = p->has_index ? p : p->mgr->itfs;
        *object_id = p->mgr->object_id;
        /* the identity of an object that never crossed as IFacetUnknown
         * goes back as any of its interfaces: the receiver's object */
        while (any != NULL && !any->has_index)
            any = any->next;
        if (any == NULL)
            mine = 0;
        else
            *index = any->index;
    }
    facet_proxy_release(p);
    return mine;
}

const void *facet__proxy_keep(FacetProxyManager *m, const void *data, size_t len)
{
    FacetProxies *p = m->channel->proxies(m->conn);
    Kept *k;
    int oom;
    facet__os_rwlock_wrlock(&p->lock);
    HASH_FIND(hh, m->kept, data, len, k);
    if (k == NULL && (k = facet__malloc(sizeof(*k) + len)) != NULL) {
        k->len = len;
        memcpy(k + 1, data, len);
        FACET_HASH_ADD(hh, m->kept, (const void *)(k + 1), len, k, oom);
        if (oom) {
            facet__free(k);
            k = NULL;
        }
    }
    facet__os_rwlock_wrunlock(&p->lock);
    return k != NULL ? (const void *)(k + 1) : NULL;
}

/* ---- The proxies' IFacetUnknown (<facet/proxystub.h>) ------------------- */

uint32_t facet_proxy_addref(void *self)
{
    return facet__atomic_inc32(&((ProxyItf *)self)->mgr->refs);
}

uint32_t facet_proxy_release(void *self)
{
    FacetProxyManager *m = ((ProxyItf *)self)->mgr;
    FacetConn *c = m->conn;
    const FacetChannel *channel = m->channel;
    FacetProxies *p;
    ProxyItf *i, *next;
    Kept *k, *tmp;
    uint64_t remote;
    uint32_t n = facet__atomic_dec32(&m->refs);
    if (n != 0)
        return n;
    p = m->channel->proxies(c);
    facet__os_rwlock_wrlock(&p->lock);
    if (!m->unlinked)
        HASH_DELETE(hh, p->by_id, m);
    m->unlinked = 1;
    remote = m->remote_refs;
    m->remote_refs = 0;
    facet__os_rwlock_wrunlock(&p->lock);
    facet__atomic_dec32(&p->live);
    if (remote != 0)
        m->channel->send_release(c, m->object_id, remote);
    for (i = m->itfs; i != NULL; i = next) {
        next = i->next;
        facet__free(i);
    }
    HASH_ITER(hh, m->kept, k, tmp) {
        HASH_DELETE(hh, m->kept, k);
        facet__free(k);
    }
    facet__free(m);
    channel->release(c);
    return 0;
}

FacetResult facet_proxy_query(void *self, const FacetGuid *iid, void **out)
{
    ProxyItf *me = self, *found;
    FacetProxyManager *m = me->mgr;
    const FacetPsInterface *ps;
    FacetProxies *p;
    if (out == NULL)
        return FACET_E_POINTER;
    *out = NULL;
    if (iid == NULL)
        return FACET_E_POINTER;
    if (FacetGuidEqual(iid, &IID_IFacetUnknown)) {
        facet__atomic_inc32(&m->refs);
        *out = &m->identity;
        return FACET_OK;
    }
    if (FacetGuidEqual(iid, &IID_FacetProxy)) {
        facet__atomic_inc32(&m->refs);
        *out = me;
        return FACET_OK;
    }
    p = m->channel->proxies(m->conn);
    facet__os_rwlock_rdlock(&p->lock);
    found = itf_by_iid(m, iid);
    if (found != NULL)
        facet__atomic_inc32(&m->refs);
    facet__os_rwlock_rdunlock(&p->lock);
    if (found != NULL) {
        *out = found;
        return FACET_OK;
    }
    ps = m->channel->find_ps(m->conn, iid);
    if (ps == NULL) {
        facet__conn_no_ps(iid, "QueryInterface on a proxy");
        return FACET_E_NOINTERFACE;
    }
    return m->channel->query(m->conn, m->object_id, iid, ps, out);
}

/* The interface proxy self stands for, for facet_proxy_call. */
void facet__proxy_target(void *self, FacetConn **conn, uint64_t *object_id, uint32_t *index,
                         const FacetPsInterface **ps, FacetProxyManager **mgr)
{
    ProxyItf *me = self;
    *conn = me->mgr->conn;
    *object_id = me->mgr->object_id;
    *index = me->index;
    *ps = me->ps;
    *mgr = me->mgr;
}
