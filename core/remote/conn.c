/*
 * core/remote/conn.c - a connection: calls through proxies, the stubs'
 * dispatch, nested calls, and death.
 *
 * A thread that calls into the peer takes a free lane of those this side
 * calls on, and gives it back when its call returns. While it waits, the
 * peer may answer with a request of its own (a call back into this
 * process, made while serving the call): the waiting thread dispatches it
 * itself, on the same lane, and goes on waiting. A call made from inside
 * such a dispatch, or from inside any call this thread serves, goes out on
 * the lane of the call it is nested in, never on a new one: the peer's
 * thread that waits on that lane is the one that must serve it (it may
 * hold the lock of a "single" object, or be the child's main thread), so
 * nesting is as deep as the calls are, with no deadlock and no thread of
 * its own. The thread-local frames below say which lanes a thread is on.
 *
 * A message is written past everything this thread still reads on the
 * lane (the request it is serving, the reply it is reading), so that a
 * nested message never overwrites one whose values are in use: its
 * arguments are read in place.
 *
 * The lanes the peer calls on are served by a thread each, started one
 * after the other as the peer first uses each (the peer takes the lowest
 * free lane, so lane n is used only after lane n-1 was).
 */
#include <stdio.h>
#include <string.h>

#include "remote.h"

struct FacetApartment {
    uint32_t kind;             /* FACET_APT_* */
    FacetSync *lock;           /* FACET_APT_SINGLE */
};

typedef struct Lane {
    uint32_t seq;              /* ids of the requests this side sends on it */
    FacetArena arena;          /* the values of the calls this side serves on it */
} Lane;

struct FacetConn {
    uint32_t refs;             /* atomic */
    FacetTransport *tr;
    int host;
    uint32_t timeout_ms;
    FacetConnHooks hooks;
    void *payload;
    FacetConnControl control;
    FacetExports *exports;
    FacetProxies *proxies;
    uint32_t dead;             /* atomic */
    unsigned call_first, call_count;   /* lanes this side calls on */
    unsigned serve_first, serve_count; /* lanes the peer calls on */
    uint64_t free_lanes;       /* bit k: lane call_first + k is free (atomic) */
    uint32_t lane_waiters;     /* threads waiting for a free lane (atomic) */
    FacetSync *sync;           /* the free-lane wait, and thread starts */
    uint32_t started;          /* serving threads started */
    FacetOsThread threads[FACET_TR_MAX_LANES];
    Lane lanes[FACET_TR_MAX_LANES];
};

/* A lane this thread is on: calling (floor 0, or above the reply it
 * reads) or serving (above the request it serves). */
typedef struct Frame {
    FacetConn *conn;
    unsigned lane;
    size_t floor;              /* messages this thread writes go at or above */
    unsigned depth;            /* frames of this connection below, and this one */
    FacetApartment *apt;       /* the apartment of the call served */
    struct Frame *prev;
} Frame;

static FACET_THREAD_LOCAL Frame *top_frame;
static FACET_THREAD_LOCAL FacetApartment *apt_override;
static FACET_THREAD_LOCAL int apt_override_set;

static size_t align8(size_t n)
{
    return (n + 7) & ~(size_t)7;
}

static Frame *frame_of(FacetConn *c)
{
    Frame *f;
    for (f = top_frame; f != NULL; f = f->prev)
        if (f->conn == c)
            return f;
    return NULL;
}

static void push(Frame *f, FacetConn *c, unsigned lane, size_t floor, FacetApartment *apt)
{
    Frame *below = frame_of(c);
    f->conn = c;
    f->lane = lane;
    f->floor = floor;
    f->depth = below ? below->depth + 1 : 1;
    f->apt = apt;
    f->prev = top_frame;
    top_frame = f;
}

static void pop(Frame *f)
{
    top_frame = f->prev;
}

/* ---- Apartments ---------------------------------------------------------- */

FacetResult facet__apartment_new(FacetApartment **out, uint32_t kind)
{
    FacetApartment *a = facet__calloc(1, sizeof(*a));
    *out = NULL;
    if (a == NULL)
        return facet__error(FACET_E_OUTOFMEMORY, "out of memory for an apartment");
    a->kind = kind;
    if (kind == FACET_APT_SINGLE && FACET_FAILED(facet__sync_new(&a->lock))) {
        facet__free(a);
        return facet__error(FACET_E_OUTOFMEMORY, "out of memory for an apartment");
    }
    *out = a;
    return FACET_OK;
}

void facet__apartment_free(FacetApartment *a)
{
    if (a == NULL)
        return;
    facet__sync_free(a->lock);
    facet__free(a);
}

void facet__apartment_set(FacetApartment *apt)
{
    apt_override = apt;
    apt_override_set = 1;
}

FacetApartment *facet__conn_export_apartment(void)
{
    if (apt_override_set)
        return apt_override;
    return top_frame != NULL ? top_frame->apt : NULL;
}

/* ---- Making and ending ---------------------------------------------------- */

/* How the proxies of a connection reach it. */
static const FacetChannel channel = {facet__conn_addref,  facet__conn_release,
                                     facet__conn_proxies_table, facet__conn_find_ps,
                                     facet__conn_query,   facet__conn_send_release};

FacetResult facet__conn_new(FacetConn **out, FacetTransport *tr, uint32_t timeout_ms,
                            const FacetConnHooks *hooks, void *payload)
{
    FacetConn *c = facet__calloc(1, sizeof(*c));
    unsigned up = tr->lanes - tr->down, k;
    FacetResult r;
    *out = NULL;
    if (c == NULL) {
        tr->ops->close(tr);
        return facet__error(FACET_E_OUTOFMEMORY, "out of memory for a connection");
    }
    c->refs = 1;
    c->tr = tr;
    c->host = tr->host;
    c->timeout_ms = tr->host ? timeout_ms : 0;
    c->hooks = *hooks;
    c->payload = payload;
    c->call_first = c->host ? 0 : tr->down;
    c->call_count = c->host ? tr->down : up;
    c->serve_first = c->host ? tr->down : 0;
    c->serve_count = c->host ? up : tr->down;
    for (k = 0; k < c->call_count; k++)
        c->free_lanes |= (uint64_t)1 << k;
    r = facet__exports_new(&c->exports);
    if (FACET_SUCCEEDED(r))
        r = facet__proxies_new(&c->proxies, &channel);
    if (FACET_SUCCEEDED(r))
        r = facet__sync_new(&c->sync);
    if (FACET_FAILED(r)) {
        facet__exports_free(c->exports);
        facet__proxies_free(c->proxies);
        tr->ops->close(tr);
        facet__free(c);
        return r;
    }
    *out = c;
    return FACET_OK;
}

void facet__conn_set_timeout(FacetConn *c, uint32_t timeout_ms)
{
    if (c->host)
        facet__atomic_store32(&c->timeout_ms, timeout_ms);
}

void facet__conn_addref(FacetConn *c)
{
    facet__atomic_inc32(&c->refs);
}

void facet__conn_release(FacetConn *c)
{
    unsigned i;
    if (c == NULL || facet__atomic_dec32(&c->refs) != 0)
        return;
    facet__exports_free(c->exports);
    facet__proxies_free(c->proxies);
    facet__sync_free(c->sync);
    for (i = 0; i < FACET_TR_MAX_LANES; i++)
        facet__arena_free(&c->lanes[i].arena);
    c->tr->ops->close(c->tr);
    facet__free(c);
}

void facet__conn_set_control(FacetConn *c, const FacetConnControl *control)
{
    c->control = *control;
}

int facet__conn_dead(const FacetConn *c)
{
    return facet__atomic_load32((uint32_t *)(uintptr_t)&c->dead) != 0;
}

uint32_t facet__conn_proxies(const FacetConn *c)
{
    return facet__proxies_live(c->proxies);
}

FacetExports *facet__conn_exports(FacetConn *c)
{
    return c->exports;
}

FacetProxies *facet__conn_proxies_table(FacetConn *c)
{
    return c->proxies;
}


const FacetPsInterface *facet__conn_find_ps(FacetConn *c, const FacetGuid *iid)
{
    if (FacetGuidEqual(iid, &IID_IFacetUnknown))
        return &facet__ps_unknown;
    return c->hooks.find_ps(c->payload, iid);
}

void facet__conn_kill(FacetConn *c, FacetResult why, const char *fmt, ...)
{
    uint32_t alive = 0;
    char text[512];
    va_list ap;
    if (!facet__atomic_cas32(&c->dead, &alive, 1u))
        return;
    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    /* The owner kills the peer first, so that no waiter is woken into a
     * peer that still runs. */
    if (c->hooks.dead != NULL)
        c->hooks.dead(c->payload, why, text);
    c->tr->ops->mark_dead(c->tr);
    facet__sync_lock(c->sync);
    facet__sync_broadcast(c->sync);
    facet__sync_unlock(c->sync);
}

static int on_a_serving_thread(FacetConn *c)
{
    Frame *f;
    for (f = top_frame; f != NULL; f = f->prev)
        if (f->conn == c && f->lane >= c->serve_first && f->lane < c->serve_first + c->serve_count)
            return 1;
    return 0;
}

void facet__conn_close(FacetConn *c)
{
    uint32_t i, started;
    facet__conn_kill(c, FACET_E_DISCONNECTED, "the connection was closed");
    facet__sync_lock(c->sync);
    started = c->started;
    facet__sync_unlock(c->sync);
    /* A serving thread that closes its own connection (a last Release in
     * a callback) cannot wait for itself: the threads are let go then. */
    if (!on_a_serving_thread(c))
        for (i = 0; i < started; i++)
            facet__os_thread_join(&c->threads[i]);
    facet__exports_clear(c->exports);
}

/* ---- Lanes ---------------------------------------------------------------- */

static FacetResult disconnected(FacetConn *c, const char *what)
{
    (void)c;
    return facet__error(FACET_E_DISCONNECTED,
                        "%s: the process of the object is gone (it crashed, was killed, or its "
                        "module was unloaded)",
                        what);
}

typedef struct What What;
static const char *what_text(What *w);

static FacetResult take_lane(FacetConn *c, unsigned *lane, What *call)
{
    for (;;) {
        uint64_t f = __atomic_load_n(&c->free_lanes, __ATOMIC_ACQUIRE);
        unsigned k;
        if (facet__conn_dead(c))
            return disconnected(c, what_text(call));
        if (f != 0) {
            for (k = 0; !(f & ((uint64_t)1 << k)); k++)
                ;
            if (__atomic_compare_exchange_n(&c->free_lanes, &f, f & ~((uint64_t)1 << k), 0,
                                            __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
                *lane = c->call_first + k;
                return FACET_OK;
            }
            continue;
        }
        /* Every lane is in use: wait for one (the giver wakes us). */
        facet__sync_lock(c->sync);
        __atomic_add_fetch(&c->lane_waiters, 1u, __ATOMIC_SEQ_CST);
        if (__atomic_load_n(&c->free_lanes, __ATOMIC_SEQ_CST) == 0 && !facet__conn_dead(c))
            facet__sync_wait(c->sync, 100);
        __atomic_sub_fetch(&c->lane_waiters, 1u, __ATOMIC_SEQ_CST);
        facet__sync_unlock(c->sync);
    }
}

static void give_lane(FacetConn *c, unsigned lane)
{
    __atomic_fetch_or(&c->free_lanes, (uint64_t)1 << (lane - c->call_first), __ATOMIC_SEQ_CST);
    if (__atomic_load_n(&c->lane_waiters, __ATOMIC_SEQ_CST) != 0) {
        facet__sync_lock(c->sync);
        facet__sync_broadcast(c->sync);
        facet__sync_unlock(c->sync);
    }
}

/* ---- Dispatch: a request that arrived ------------------------------------ */

static FacetWireHeader *header_at(FacetConn *c, unsigned lane, size_t off)
{
    return (FacetWireHeader *)(void *)((unsigned char *)facet__tr_buffer(c->tr, lane) + off);
}

/* Starts writing a message at off of lane. */
static void start_message(FacetMarshal *m, FacetConn *c, unsigned lane, size_t off)
{
    memset(m, 0, sizeof(*m));
    m->conn = c;
    m->writing = 1;
    m->buf = (unsigned char *)facet__tr_buffer(c->tr, lane) + off;
    m->len = c->tr->capacity - off;
    m->pos = sizeof(FacetWireHeader);
    if (m->len < sizeof(FacetWireHeader)) {
        m->len = 0;
        m->error = facet__error(FACET_E_INVALIDARG,
                                "calls nested too deep for the lane: no room left for a message");
    }
}

static void start_reading(FacetMarshal *m, FacetConn *c, unsigned lane, size_t off, size_t len)
{
    memset(m, 0, sizeof(*m));
    m->conn = c;
    m->buf = (unsigned char *)facet__tr_buffer(c->tr, lane) + off;
    m->len = len;
    m->pos = sizeof(FacetWireHeader);
}

static void set_header(FacetMarshal *m, uint32_t call_id, uint64_t object_id, uint32_t index,
                       uint16_t method, uint16_t flags, FacetResult status)
{
    FacetWireHeader h;
    h.length = (uint32_t)m->pos;
    h.call_id = call_id;
    h.object_id = object_id;
    h.interface_id = index;
    h.method = method;
    h.flags = flags;
    h.status = status;
    h.reserved = 0;
    memcpy(m->buf, &h, sizeof(h));
}

/* Writes a reply with status alone. */
static size_t reply_status(FacetConn *c, unsigned lane, size_t at, uint32_t call_id,
                           FacetResult status)
{
    FacetMarshal m;
    start_message(&m, c, lane, at);
    if (m.len == 0) {
        facet__conn_kill(c, FACET_E_CONTRACT, "calls nested too deep for the lane's buffer");
        return 0;
    }
    set_header(&m, call_id, 0, 0, 0, FACET_WIRE_REPLY | FACET_WIRE_NO_OUTS, status);
    return m.pos;
}

typedef struct StubCall {
    FacetConn *conn;
    unsigned lane;
    size_t floor;
    FacetApartment *apt;
    const FacetPsInterface *ps;
    void *itf;
    uint32_t slot;
    void **args;
    FacetResult result;
    FacetApartment *exports_to; /* what the callee set for its out-objects */
    int exports_to_set;
} StubCall;

static void run_stub(void *arg)
{
    StubCall *s = arg;
    Frame f;
    /* The thread that runs it (the lane's, or the child's main thread)
     * is on the lane for calls the callee makes. */
    push(&f, s->conn, s->lane, s->floor, s->apt);
    if (s->apt != NULL && s->apt->kind == FACET_APT_SINGLE)
        facet__sync_lock(s->apt->lock);
    apt_override_set = 0;
    s->result = s->ps->stub(s->itf, s->slot, s->args);
    if (s->apt != NULL && s->apt->kind == FACET_APT_SINGLE)
        facet__sync_unlock(s->apt->lock);
    s->exports_to = apt_override;
    s->exports_to_set = apt_override_set;
    apt_override_set = 0;
    pop(&f);
}

static void call_in_apartment(StubCall *s)
{
    if (s->apt != NULL && s->apt->kind == FACET_APT_MAIN && s->conn->control.on_main != NULL)
        s->conn->control.on_main(run_stub, s, s->conn->control.payload);
    else
        run_stub(s);
}

/* Kills the connection for a malformed message: the peer broke the wire
 * format (or is hostile). */
static void malformed(FacetConn *c, const char *why)
{
    facet__conn_kill(c, FACET_E_CONTRACT, "%s sent a malformed message (%s)",
                     c->host ? "the process host" : "the host", why);
}

static size_t dispatch_control(FacetConn *c, unsigned lane, const FacetWireHeader *h, size_t off,
                               size_t len, size_t at);

/* Serves the request at off (len bytes) of lane: writes its reply above it
 * and returns the reply's offset in *at and length (0: none, the
 * connection is dead). */
static size_t dispatch(FacetConn *c, unsigned lane, size_t off, size_t len, size_t *at)
{
    FacetWireHeader h;
    const FacetPsMethod *me;
    FacetMarshal in, out;
    FacetArenaMark mark;
    StubCall s;
    void *argv[FACET_PS_MAX_PARAMS];
    const char *why = NULL;
    Frame f;
    size_t n;

    *at = align8(off + len);
    memcpy(&h, header_at(c, lane, off), sizeof(h));
    if (!facet__wire_check_header(&h, len, &why) || !(h.flags & FACET_WIRE_REQUEST)) {
        malformed(c, why ? why : "a reply where a request was expected");
        return 0;
    }
    push(&f, c, lane, off + len, NULL);
    if (f.depth > FACET_WIRE_MAX_DEPTH) {
        pop(&f);
        malformed(c, "calls nested deeper than 64");
        return 0;
    }
    if (h.object_id == 0) {
        n = dispatch_control(c, lane, &h, off, len, *at);
        pop(&f);
        return n;
    }
    memset(&s, 0, sizeof(s));
    if (FACET_FAILED(facet__exports_get(c->exports, h.object_id, h.interface_id, &s.itf, &s.ps,
                                        &s.apt, &why))) {
        pop(&f);
        malformed(c, why);
        return 0;
    }
    if (h.method < 3 || h.method >= s.ps->method_count) {
        IFacetUnknown_Release(FACET_UNKNOWN(s.itf));
        pop(&f);
        malformed(c, "a call of a method slot the interface does not have");
        return 0;
    }
    me = &s.ps->methods[h.method - 3];
    if (me->flags & FACET_PS_NOT_REMOTE) {
        IFacetUnknown_Release(FACET_UNKNOWN(s.itf));
        pop(&f);
        return reply_status(c, lane, *at, h.call_id, FACET_E_NOTIMPL);
    }
    mark = facet__arena_mark(&c->lanes[lane].arena);
    start_reading(&in, c, lane, off, len);
    in.arena = &c->lanes[lane].arena;
    facet__wire_get_ins(&in, s.ps, h.method, argv);
    if (in.bad != NULL) {
        facet__wire_finish(&in, 0);
        IFacetUnknown_Release(FACET_UNKNOWN(s.itf));
        facet__arena_rollback(&c->lanes[lane].arena, mark);
        pop(&f);
        malformed(c, in.bad);
        return 0;
    }
    f.apt = s.apt;
    if (in.error != FACET_OK) {
        /* this side could not take the arguments (memory, an interface
         * it has no tables for): the call fails, the connection stays */
        facet__wire_finish(&in, 0);
        IFacetUnknown_Release(FACET_UNKNOWN(s.itf));
        facet__arena_rollback(&c->lanes[lane].arena, mark);
        pop(&f);
        return reply_status(c, lane, *at, h.call_id, in.error);
    }
    s.conn = c;
    s.lane = lane;
    s.floor = off + len;
    s.slot = h.method;
    s.args = argv;
    call_in_apartment(&s);
    /* The callee's references to its [in] interfaces are its own now; the
     * call's go (which may send releases, above the request). */
    facet__wire_finish(&in, 0);
    IFacetUnknown_Release(FACET_UNKNOWN(s.itf));
    start_message(&out, c, lane, *at);
    apt_override = s.exports_to;
    apt_override_set = s.exports_to_set;
    facet__wire_put_outs(&out, s.ps, h.method, argv);
    apt_override_set = 0;
    if (out.error != FACET_OK) {
        facet__wire_finish(&out, 1);
        facet__arena_rollback(&c->lanes[lane].arena, mark);
        pop(&f);
        return reply_status(c, lane, *at, h.call_id, FACET_FAILED(s.result) ? s.result : out.error);
    }
    facet__wire_finish(&out, 0);
    set_header(&out, h.call_id, 0, 0, 0, FACET_WIRE_REPLY, s.result);
    facet__arena_rollback(&c->lanes[lane].arena, mark);
    pop(&f);
    return out.pos;
}

static size_t dispatch_control(FacetConn *c, unsigned lane, const FacetWireHeader *h, size_t off,
                               size_t len, size_t at)
{
    FacetMarshal in, out;
    uint64_t id, count;
    const unsigned char *raw;
    const FacetPsInterface *ps;
    FacetGuid iid;
    uint32_t index = 0;
    FacetResult r;

    start_reading(&in, c, lane, off, len);
    switch (h->method) {
    case FACET_CTL_RELEASE:
        id = facet__wire_get_u64(&in);
        count = facet__wire_get_u64(&in);
        if (in.bad != NULL || FACET_FAILED(facet__exports_drop(c->exports, id, count))) {
            malformed(c, in.bad ? in.bad : "a release of references the sender does not hold");
            return 0;
        }
        return reply_status(c, lane, at, h->call_id, FACET_OK);
    case FACET_CTL_QUERY:
        id = facet__wire_get_u64(&in);
        raw = facet__wire_get(&in, 16, 4);
        if (raw == NULL) {
            malformed(c, in.bad);
            return 0;
        }
        memcpy(&iid, raw, 16);
        ps = facet__conn_find_ps(c, &iid);
        if (ps == NULL)
            return reply_status(c, lane, at, h->call_id, FACET_E_NOINTERFACE);
        r = facet__exports_query(c->exports, id, &iid, ps, &index);
        if (r == FACET_E_INVALIDARG) {
            malformed(c, "a QueryInterface on an object id the receiver never handed out");
            return 0;
        }
        if (FACET_FAILED(r))
            return reply_status(c, lane, at, h->call_id, r);
        start_message(&out, c, lane, at);
        facet__wire_put_u32(&out, FACET_WIRE_ITF_REF);
        facet__wire_put_u64(&out, id);
        facet__wire_put_u32(&out, index);
        {
            unsigned char *p = facet__wire_put(&out, 16, 4);
            if (p != NULL)
                memcpy(p, &iid, 16);
        }
        if (out.error != FACET_OK) {
            facet__exports_drop(c->exports, id, 1);
            return reply_status(c, lane, at, h->call_id, out.error);
        }
        set_header(&out, h->call_id, 0, 0, 0, FACET_WIRE_REPLY, FACET_OK);
        return out.pos;
    case FACET_CTL_BOOT:
        if (c->host || c->control.boot == NULL)
            break;
        start_message(&out, c, lane, at);
        r = c->control.boot(c, &in, &out, c->control.payload);
        if (in.bad != NULL) {
            facet__wire_finish(&out, 1);
            malformed(c, in.bad);
            return 0;
        }
        if (out.error != FACET_OK) {
            facet__wire_finish(&out, 1);
            return reply_status(c, lane, at, h->call_id, out.error);
        }
        facet__wire_finish(&out, 0);
        set_header(&out, h->call_id, 0, 0, 0, FACET_WIRE_REPLY, r);
        return out.pos;
    case FACET_CTL_SHUTDOWN:
        if (c->host || c->control.shutdown == NULL)
            break;
        c->control.shutdown(c, c->control.payload);
        return reply_status(c, lane, at, h->call_id, FACET_OK);
    default:
        break;
    }
    malformed(c, "a control request this side does not take");
    return 0;
}

/* ---- Calls ----------------------------------------------------------------- */

/* Sends the message of m (call_id set), on f's lane at its offset, and
 * waits for the reply, serving the requests that come first. The reply's
 * place is in *roff and *rlen. */
/* What a call is, for its messages: "IGreeter::Greet". */
struct What {
    const FacetPsInterface *ps; /* NULL: a control call */
    uint32_t slot;
    char text[160];
};

static const char *what_text(What *w)
{
    if (w->ps == NULL)
        snprintf(w->text, sizeof(w->text), "a call of the connection");
    else
        snprintf(w->text, sizeof(w->text), "%s::%s", w->ps->name, w->ps->methods[w->slot - 3].name);
    return w->text;
}

static FacetResult roundtrip(FacetConn *c, Frame *f, size_t w, size_t len, uint32_t call_id,
                             size_t *roff, size_t *rlen, What *call)
{
    FacetTransport *tr = c->tr;
    const char *what;
    for (;;) {
        size_t off, got;
        FacetWireHeader h;
        const char *why = NULL;
        int r;
        if (len == 0) { /* dispatch found the peer broke the format: it is dead */
            what = what_text(call);
            return facet__error(FACET_E_CRASHED, "%s: the call failed: the process of the object "
                                                 "sent a malformed message and was disconnected",
                                what);
        }
        uint32_t limit = facet__atomic_load32(&c->timeout_ms);
        r = tr->ops->exchange(tr, f->lane, w, len, &off, &got, limit);
        if (r != FACET_TR_OK)
            what = what_text(call);
        if (r == FACET_TR_TIMEOUT) {
            facet__conn_kill(c, FACET_E_TIMEOUT, "%s took longer than its call timeout of %u ms",
                             what, (unsigned)limit);
            return facet__error(FACET_E_TIMEOUT,
                                "%s: no answer within the module's call_timeout_ms (%u ms); its "
                                "process was killed",
                                what, (unsigned)limit);
        }
        if (r == FACET_TR_INVALID)
            malformed(c, "a message that does not lie in the lane");
        if (r == FACET_TR_DEAD) /* (a no-op when the watch of the peer said it first) */
            facet__conn_kill(c, FACET_E_CRASHED, "%s: the peer went away during the call", what);
        if (r != FACET_TR_OK)
            return facet__error(FACET_E_CRASHED,
                                "%s: the process of the object died during the call", what);
        memcpy(&h, header_at(c, f->lane, off), sizeof(h));
        if (!facet__wire_check_header(&h, got, &why)) {
            what = what_text(call);
            malformed(c, why);
            return facet__error(FACET_E_CRASHED, "%s: the process of the object sent a malformed "
                                                 "reply and was disconnected",
                                what);
        }
        if (h.flags & FACET_WIRE_REPLY) {
            if (h.call_id != call_id) {
                what = what_text(call);
                malformed(c, "a reply to another call than the one in flight");
                return facet__error(FACET_E_CRASHED, "%s: the process of the object sent a "
                                                     "malformed reply and was disconnected",
                                    what);
            }
            *roff = off;
            *rlen = got;
            return FACET_OK;
        }
        /* A request of the peer's, nested in this call: served here. */
        len = dispatch(c, f->lane, off, got, &w);
    }
}

/* The lane this thread calls on: the one of a call it is nested in, or a
 * free one (*own: give it back). */
static FacetResult enter(FacetConn *c, Frame *f, int *own, size_t *w, What *call)
{
    Frame *below = frame_of(c);
    FacetResult r;
    unsigned lane = 0;
    *own = 0;
    if (facet__conn_dead(c))
        return disconnected(c, what_text(call));
    if (below != NULL) {
        if (below->depth >= FACET_WIRE_MAX_DEPTH)
            return facet__error(FACET_E_FAIL, "%s: calls nested deeper than %u", what_text(call),
                                (unsigned)FACET_WIRE_MAX_DEPTH);
        push(f, c, below->lane, below->floor, below->apt);
        *w = align8(below->floor);
        return FACET_OK;
    }
    r = take_lane(c, &lane, call);
    if (FACET_FAILED(r))
        return r;
    push(f, c, lane, 0, NULL);
    *own = 1;
    *w = 0;
    return FACET_OK;
}

static void leave(FacetConn *c, Frame *f, int own, size_t used)
{
    pop(f);
    if (own) {
        c->tr->ops->trim(c->tr, f->lane, used);
        give_lane(c, f->lane);
    }
}

static uint32_t next_call_id(FacetConn *c, unsigned lane)
{
    uint32_t id = ++c->lanes[lane].seq;
    if (id == 0)
        id = ++c->lanes[lane].seq;
    return id;
}

FacetResult facet_proxy_call(void *self, uint32_t slot, void **args)
{
    FacetConn *c;
    FacetProxyManager *mgr;
    const FacetPsInterface *ps;
    const FacetPsMethod *me;
    uint64_t object_id;
    uint32_t index, call_id;
    FacetMarshal m;
    Frame f;
    size_t w, roff = 0, rlen = 0;
    FacetWireHeader h;
    FacetResult r;
    int own;
    What what;

    facet__proxy_target(self, &c, &object_id, &index, &ps, &mgr);
    if (slot < 3 || slot >= ps->method_count)
        return facet__error(FACET_E_INVALIDARG, "%s proxy: no method in vtable slot %u",
                            ps->name, (unsigned)slot);
    me = &ps->methods[slot - 3];
    what.ps = ps;
    what.slot = slot;
    if (me->flags & FACET_PS_NOT_REMOTE) {
        if (args != NULL)
            facet__wire_clear_outs(ps, slot, args);
        return facet__error(FACET_E_NOTIMPL, "%s cannot cross a process boundary: %s",
                            what_text(&what), me->why ? me->why : "facet-idl could not marshal it");
    }
    r = enter(c, &f, &own, &w, &what);
    if (FACET_FAILED(r)) {
        facet__wire_clear_outs(ps, slot, args);
        return r;
    }
    call_id = next_call_id(c, f.lane);
    start_message(&m, c, f.lane, w);
    if (me->param_count)
        facet__wire_put_ins(&m, ps, slot, args);
    if (m.error != FACET_OK) {
        r = m.error;
        facet__wire_finish(&m, 1);
        leave(c, &f, own, w);
        facet__wire_clear_outs(ps, slot, args);
        return r;
    }
    set_header(&m, call_id, object_id, index, (uint16_t)slot,
               (uint16_t)(FACET_WIRE_REQUEST | (f.depth > 1 ? FACET_WIRE_NESTED : 0)), 0);
    r = roundtrip(c, &f, w, m.pos, call_id, &roff, &rlen, &what);
    facet__wire_finish(&m, 0);
    if (FACET_FAILED(r)) {
        leave(c, &f, own, w + m.pos);
        facet__wire_clear_outs(ps, slot, args);
        return r;
    }
    /* The reply: read above anything a nested message could overwrite. */
    memcpy(&h, header_at(c, f.lane, roff), sizeof(h));
    f.floor = roff + rlen;
    r = h.status;
    if (h.flags & FACET_WIRE_NO_OUTS) {
        facet__wire_clear_outs(ps, slot, args);
    } else if (me->param_count) {
        FacetMarshal in;
        start_reading(&in, c, f.lane, roff, rlen);
        in.keep = mgr;
        facet__wire_get_outs(&in, ps, slot, args);
        if (in.bad != NULL) {
            malformed(c, in.bad);
            r = facet__error(FACET_E_CRASHED, "%s: the process of the object sent a malformed "
                                              "reply and was disconnected",
                             what_text(&what));
        } else if (in.error != FACET_OK && FACET_SUCCEEDED(r)) {
            r = in.error;
        }
    }
    leave(c, &f, own, w + m.pos > roff + rlen ? w + m.pos : roff + rlen);
    return r;
}

/* A control call: encode writes the body, decode reads the reply's. */
FacetResult facet__conn_control(FacetConn *c, uint16_t method,
                                FacetResult (*encode)(FacetMarshal *m, void *ctx),
                                FacetResult (*decode)(FacetMarshal *m, void *ctx), void *ctx)
{
    FacetMarshal m, in;
    Frame f;
    size_t w, roff = 0, rlen = 0;
    FacetWireHeader h;
    uint32_t call_id;
    int own;
    What what;
    FacetResult r;
    what.ps = NULL;
    what.slot = 0;
    r = enter(c, &f, &own, &w, &what);
    if (FACET_FAILED(r))
        return r;
    call_id = next_call_id(c, f.lane);
    start_message(&m, c, f.lane, w);
    r = encode != NULL ? encode(&m, ctx) : FACET_OK;
    if (FACET_SUCCEEDED(r) && m.error != FACET_OK)
        r = m.error;
    if (FACET_FAILED(r)) {
        facet__wire_finish(&m, 1);
        leave(c, &f, own, w);
        return r;
    }
    set_header(&m, call_id, 0, 0, method, FACET_WIRE_REQUEST, 0);
    r = roundtrip(c, &f, w, m.pos, call_id, &roff, &rlen, &what);
    facet__wire_finish(&m, 0);
    if (FACET_SUCCEEDED(r)) {
        memcpy(&h, header_at(c, f.lane, roff), sizeof(h));
        f.floor = roff + rlen;
        r = h.status;
        if (decode != NULL && !(h.flags & FACET_WIRE_NO_OUTS)) {
            FacetResult d;
            start_reading(&in, c, f.lane, roff, rlen);
            d = decode(&in, ctx);
            if (in.bad != NULL) {
                malformed(c, in.bad);
                r = facet__error(FACET_E_CRASHED, "the other process sent a malformed reply and "
                                                  "was disconnected");
            } else if (FACET_FAILED(d) && FACET_SUCCEEDED(r)) {
                r = d;
            }
        }
    }
    leave(c, &f, own, w + m.pos);
    return r;
}

typedef struct ReleaseCall {
    uint64_t object_id, count;
} ReleaseCall;

static FacetResult encode_release(FacetMarshal *m, void *ctx)
{
    ReleaseCall *rc = ctx;
    facet__wire_put_u64(m, rc->object_id);
    facet__wire_put_u64(m, rc->count);
    return FACET_OK;
}

void facet__conn_send_release(FacetConn *c, uint64_t object_id, uint64_t count)
{
    ReleaseCall rc;
    char saved[1];
    if (facet__conn_dead(c))
        return;
    rc.object_id = object_id;
    rc.count = count;
    (void)saved;
    /* A release that cannot be sent (the peer died meanwhile) is moot:
     * the peer's objects went with it. */
    facet__conn_control(c, FACET_CTL_RELEASE, encode_release, NULL, &rc);
}

typedef struct QueryCall {
    uint64_t object_id;
    const FacetGuid *iid;
    void **out;
} QueryCall;

static FacetResult encode_query(FacetMarshal *m, void *ctx)
{
    QueryCall *q = ctx;
    unsigned char *p;
    facet__wire_put_u64(m, q->object_id);
    p = facet__wire_put(m, 16, 4);
    if (p != NULL)
        memcpy(p, q->iid, 16);
    return FACET_OK;
}

static FacetResult decode_query(FacetMarshal *m, void *ctx)
{
    QueryCall *q = ctx;
    facet__wire_get_interface(m, q->out, q->iid, NULL);
    if (m->bad == NULL && m->error == FACET_OK && *q->out == NULL)
        facet__wire_bad(m, "a QueryInterface that succeeded with no interface");
    return m->error;
}

FacetResult facet__conn_query(FacetConn *c, uint64_t object_id, const FacetGuid *iid,
                              const FacetPsInterface *ps, void **out)
{
    QueryCall q;
    FacetResult r;
    (void)ps;
    q.object_id = object_id;
    q.iid = iid;
    q.out = out;
    r = facet__conn_control(c, FACET_CTL_QUERY, encode_query, decode_query, &q);
    if (FACET_FAILED(r) && *out != NULL) {
        IFacetUnknown_Release(FACET_UNKNOWN(*out));
        *out = NULL;
    }
    return r;
}

/* ---- Serving the peer's lanes ----------------------------------------------- */

typedef struct Server {
    FacetConn *conn;
    unsigned lane;
} Server;

static void serve(void *arg);

/* Starts the thread of lane (the lowest not started yet). */
static FacetResult start_server(FacetConn *c, unsigned lane)
{
    Server *s;
    FacetResult r = FACET_OK;
    facet__sync_lock(c->sync);
    if (c->started == lane - c->serve_first && !facet__conn_dead(c)) {
        s = facet__malloc(sizeof(*s));
        if (s == NULL) {
            r = FACET_E_OUTOFMEMORY;
        } else {
            s->conn = c;
            s->lane = lane;
            facet__conn_addref(c);
            r = facet__os_thread_start(&c->threads[c->started], serve, s);
            if (FACET_SUCCEEDED(r)) {
                c->started++;
            } else {
                facet__conn_release(c);
                facet__free(s);
            }
        }
    }
    facet__sync_unlock(c->sync);
    return r;
}

static void serve(void *arg)
{
    Server *s = arg;
    FacetConn *c = s->conn;
    unsigned lane = s->lane;
    size_t off, len, w;
    int r;
    facet__free(s);
    r = c->tr->ops->wait(c->tr, lane, &off, &len, 0);
    /* its first message: the peer may soon want the next lane */
    if (r == FACET_TR_OK && lane + 1 < c->serve_first + c->serve_count)
        start_server(c, lane + 1);
    while (r == FACET_TR_OK && !facet__conn_dead(c)) {
        len = dispatch(c, lane, off, len, &w);
        if (len == 0 || facet__conn_dead(c))
            break;
        r = c->tr->ops->exchange(c->tr, lane, w, len, &off, &len, 0);
    }
    if (r == FACET_TR_INVALID)
        malformed(c, "a message that does not lie in the lane");
    facet__conn_release(c);
}

FacetResult facet__conn_serve(FacetConn *c)
{
    if (c->serve_count == 0)
        return FACET_OK;
    return start_server(c, c->serve_first);
}
