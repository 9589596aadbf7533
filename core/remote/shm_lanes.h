/*
 * core/remote/shm_lanes.h - what the shared memory transport is on every
 * system: the layout of the memory, the lanes' protocol (phases, the
 * waiter and dead bits), the spin, the checks of what the peer posts.
 * Included once, by shm_posix.c or shm_win32.c, which give it first:
 *
 *   ShmPlatform        the system's part of a transport (handles)
 *   now_ns, this_cpu, cpu_relax
 *   shm_sleep(s, lane, side, st, deadline)
 *                      sleeps until woken (or the deadline, 0: none) while
 *                      the lane's state is st; 1 when it saw the peer end
 *   shm_wake(s, lane, side)
 *                      wakes the thread of side sleeping on the lane
 *   shm_mark_dead(t)   sets the dead bits and wakes every sleeper
 *
 * The memory is a header (one cache line), a cache line of control words
 * per lane, and then, page-aligned, each lane's buffer:
 *
 *   state       the phase (which side holds the buffer), a bit saying
 *               that a waiter sleeps, a bit saying that the transport is
 *               dead (on Linux, the futex word)
 *   off, len    where the message just posted lies in the buffer
 *   caller_cpu  1 + the CPU the lane's calling thread runs or last ran on,
 *               with CPU_SLEEPING while it sleeps; a poster that wakes it
 *               clears that bit at once, since it is about to run
 *   server_cpu  the same for the serving thread
 *   events      Windows: the child's values of the lane's two events
 *
 * Either process can write any of it at any time if it is hostile, so
 * each keeps the shape of the transport (lanes, capacity, policy) in its
 * own memory and reads a shared length once and checks it. The worst a
 * child can do through the shared words is make a host thread spin for
 * one spin limit or wake it early.
 */
#ifndef FACET_CORE_REMOTE_SHM_LANES_H
#define FACET_CORE_REMOTE_SHM_LANES_H

#define SHM_MAGIC 0x4d485346u /* "FSHM" */
#define SHM_VERSION 1u
#define SHM_LINE 64u
/* What trim keeps of a buffer: enough that messages of a megabyte or so
 * do not fault their pages in again each time. */
#define SHM_KEEP (2u * 1024u * 1024u)
/* The largest buffer a lane may have. */
#define SHM_MAX_CAPACITY ((size_t)1 << 30)

/* The state word. The phase says who holds the lane's buffer. */
#define PHASE_CALLER 0u /* the caller's: idle, or an answer to read */
#define PHASE_SERVER 1u /* the server's: a message to answer */
#define PHASE_MASK 3u
#define STATE_WAITER 4u /* a thread sleeps on the word: wake it */
#define STATE_DEAD 8u   /* the transport is dead: wake and fail */

/* A side's CPU word: 1 + the CPU it runs or last ran on, and this bit
 * while it sleeps. 0: it has not run yet. */
#define CPU_SLEEPING 0x80000000u

/* The sides of a lane. */
#define SIDE_CALLER 0
#define SIDE_SERVER 1

typedef struct ShmHeader {
    uint32_t magic;
    uint32_t version;
    uint32_t lanes;
    uint32_t down;
    uint32_t capacity_pages; /* bytes per lane buffer / FACET_TR_PAGE */
    uint32_t dead;
    uint32_t spinners; /* threads spinning now, both processes */
    unsigned char pad[SHM_LINE - 7 * sizeof(uint32_t)];
} ShmHeader;

typedef struct ShmLane {
    uint32_t state;
    uint32_t len;
    uint32_t caller_cpu;
    uint32_t server_cpu;
    uint32_t off;
    uint32_t pad0;
    uint64_t events[2]; /* Windows: the child's handle values of the events (SIDE_*) */
    unsigned char pad[SHM_LINE - 6 * sizeof(uint32_t) - 2 * sizeof(uint64_t)];
} ShmLane;

typedef char shm_header_is_a_line[sizeof(ShmHeader) == SHM_LINE ? 1 : -1];
typedef char shm_lane_is_a_line[sizeof(ShmLane) == SHM_LINE ? 1 : -1];

typedef struct Shm {
    FacetTransport t;
    unsigned char *base; /* the mapping */
    size_t size;
    ShmHeader *hdr;
    ShmLane *ctl;        /* lanes control words */
    FacetTransportPolicy policy;
    unsigned cpus;       /* CPUs this process may run on, when it was made */
    ShmPlatform os;
} Shm;

static void shm_mark_dead(FacetTransport *t);
static int shm_sleep(Shm *s, unsigned lane, int side, uint32_t st, uint64_t deadline);
static void shm_wake(Shm *s, unsigned lane, int side);

static size_t round_page(size_t n)
{
    return (n + FACET_TR_PAGE - 1) / FACET_TR_PAGE * FACET_TR_PAGE;
}

/* Where the buffers start: after the header and the control lines. */
static size_t buffers_offset(unsigned lanes)
{
    return round_page(sizeof(ShmHeader) + (size_t)lanes * sizeof(ShmLane));
}

/* Whether this side is the caller of lane: the host calls on the lanes
 * below down, the child on the others. */
static int is_caller(const Shm *s, unsigned lane)
{
    return s->t.host == (lane < s->t.down);
}

/* ---- Waiting and posting ----------------------------------------------- */

static int done(uint32_t state, uint32_t want)
{
    return (state & STATE_DEAD) != 0 || (state & PHASE_MASK) == want;
}

/* Whether to spin before sleeping, and for how long. The adaptive policy
 * spins only while the peer is running, or has just been woken, on
 * another CPU than ours, since a peer that sleeps, or shares our CPU,
 * cannot answer while we spin; and only while fewer threads spin than
 * there are CPUs, so that spinners never crowd out the threads they wait
 * for. */
static uint32_t spin_budget(const Shm *s, const uint32_t *peer_cpu, uint32_t cpu)
{
    const FacetTransportPolicy *p = &s->policy;
    uint32_t peer;
    if (p->wait == FACET_TR_WAIT_BLOCK || p->spin_ns == 0)
        return 0;
    if (p->wait == FACET_TR_WAIT_SPIN)
        return p->spin_ns;
    if (s->cpus < 2)
        return 0;
    peer = __atomic_load_n(peer_cpu, __ATOMIC_RELAXED);
    if (peer == 0 || (peer & CPU_SLEEPING) != 0 || peer == cpu)
        return 0;
    return p->spin_ns;
}

static int spin(Shm *s, ShmLane *l, uint32_t want, uint32_t budget)
{
    uint32_t max = s->policy.max_spinners ? s->policy.max_spinners : s->cpus;
    uint64_t deadline;
    int got = 0;
    if (__atomic_fetch_add(&s->hdr->spinners, 1u, __ATOMIC_RELAXED) >= max)
        goto out;
    deadline = now_ns() + budget;
    do {
        unsigned k;
        for (k = 0; k < 32; k++) {
            if (done(__atomic_load_n(&l->state, __ATOMIC_ACQUIRE), want)) {
                got = 1;
                goto out;
            }
            cpu_relax();
        }
    } while (now_ns() < deadline);
out:
    __atomic_fetch_sub(&s->hdr->spinners, 1u, __ATOMIC_RELAXED);
    return got;
}

/* Waits until the lane is in the phase of this side (or dead, or past
 * deadline); mine is this side's CPU word, peer the other side's. Returns
 * the state it saw; *timed_out is set when the deadline passed first. */
static uint32_t lane_wait(Shm *s, unsigned lane, int side, uint32_t *mine, const uint32_t *peer,
                          uint64_t deadline, int *timed_out)
{
    ShmLane *l = &s->ctl[lane];
    uint32_t want = side == SIDE_CALLER ? PHASE_CALLER : PHASE_SERVER;
    uint32_t cpu = this_cpu(), st, budget;
    *timed_out = 0;
    __atomic_store_n(mine, cpu, __ATOMIC_RELAXED);
    st = __atomic_load_n(&l->state, __ATOMIC_ACQUIRE);
    if (done(st, want))
        return st;
    budget = spin_budget(s, peer, cpu);
    if (budget != 0 && spin(s, l, want, budget))
        return __atomic_load_n(&l->state, __ATOMIC_ACQUIRE);
    for (;;) {
        st = __atomic_load_n(&l->state, __ATOMIC_ACQUIRE);
        if (done(st, want))
            break;
        if (deadline != 0 && now_ns() >= deadline) {
            *timed_out = 1;
            break;
        }
        /* Sleeping, said before the waiter bit, so that a poster who sees
         * the bit also sees this and can take it back when it wakes us. */
        __atomic_store_n(mine, cpu | CPU_SLEEPING, __ATOMIC_RELAXED);
        if ((st & STATE_WAITER) == 0) {
            if (!__atomic_compare_exchange_n(&l->state, &st, st | STATE_WAITER, 0,
                                             __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
                continue;
            st |= STATE_WAITER;
        }
        /* Woken, timed out, or a wake-up meant for an earlier sleep: the
         * loop looks again. The peer's end makes the transport dead. */
        if (shm_sleep(s, lane, side, st, deadline)) {
            shm_mark_dead(&s->t);
            st = __atomic_load_n(&l->state, __ATOMIC_ACQUIRE);
            break;
        }
        cpu = this_cpu();
        __atomic_store_n(mine, cpu, __ATOMIC_RELAXED);
    }
    __atomic_store_n(mine, cpu, __ATOMIC_RELAXED);
    return st;
}

/* ThreadSanitizer pairs a release and an acquire by address, and a test
 * with both ends in one process maps the memory twice, at two addresses:
 * the handover of a lane is told to it on an address of this process's
 * own per lane as well. (Nothing of this in other builds; two processes
 * are two checkers anyway.) */
#if defined(__SANITIZE_THREAD__)
#define SHM_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define SHM_TSAN 1
#endif
#endif
#ifdef SHM_TSAN
void __tsan_acquire(void *addr);
void __tsan_release(void *addr);
static char tsan_lanes[FACET_TR_MAX_LANES];
#define TSAN_RELEASE(lane) __tsan_release(&tsan_lanes[lane])
#define TSAN_ACQUIRE(lane) __tsan_acquire(&tsan_lanes[lane])
#else
#define TSAN_RELEASE(lane) ((void)(lane))
#define TSAN_ACQUIRE(lane) ((void)(lane))
#endif

/* Posts len bytes for the peer (side to); wakes the peer only if it
 * sleeps, and then marks it awake (it will run, on the CPU it last ran on
 * as far as anyone knows), so that our own wait may spin while it wakes. */
static int lane_post(Shm *s, unsigned lane, int to, size_t off, size_t len, uint32_t *peer_cpu)
{
    ShmLane *l = &s->ctl[lane];
    uint32_t st = __atomic_load_n(&l->state, __ATOMIC_RELAXED);
    uint32_t phase = to == SIDE_CALLER ? PHASE_CALLER : PHASE_SERVER;
    __atomic_store_n(&l->off, (uint32_t)off, __ATOMIC_RELAXED);
    __atomic_store_n(&l->len, (uint32_t)len, __ATOMIC_RELAXED);
    do {
        if (st & STATE_DEAD)
            return FACET_TR_DEAD;
    } while (!__atomic_compare_exchange_n(&l->state, &st, phase, 1, __ATOMIC_RELEASE,
                                          __ATOMIC_RELAXED));
    if (st & STATE_WAITER) {
        __atomic_fetch_and(peer_cpu, ~CPU_SLEEPING, __ATOMIC_RELAXED);
        shm_wake(s, lane, to);
    }
    return FACET_TR_OK;
}

/* Sets the dead bits; the platform's shm_mark_dead wakes the sleepers. */
static void set_dead(Shm *s)
{
    unsigned i;
    __atomic_store_n(&s->hdr->dead, 1u, __ATOMIC_RELEASE);
    for (i = 0; i < s->t.lanes; i++) {
        TSAN_RELEASE(i);
        __atomic_fetch_or(&s->ctl[i].state, STATE_DEAD, __ATOMIC_ACQ_REL);
    }
}

/* Reads where the posted message lies, once, and checks it: a peer that
 * posts past the buffer has broken the protocol, and the transport dies. */
static int posted(Shm *s, ShmLane *l, size_t *off, size_t *len)
{
    uint32_t o = __atomic_load_n(&l->off, __ATOMIC_RELAXED);
    uint32_t n = __atomic_load_n(&l->len, __ATOMIC_RELAXED);
    if (o % 8 != 0 || o > s->t.capacity || n > s->t.capacity - o) {
        shm_mark_dead(&s->t);
        return FACET_TR_INVALID;
    }
    *off = o;
    *len = n;
    return FACET_TR_OK;
}

static uint64_t deadline_of(uint32_t timeout_ms)
{
    return timeout_ms ? now_ns() + (uint64_t)timeout_ms * 1000000u : 0;
}

/* Waits for this side's turn on lane; the state's verdict. */
static int await_turn(Shm *s, unsigned lane, size_t *got_off, size_t *got_len,
                      uint64_t deadline)
{
    ShmLane *l = &s->ctl[lane];
    int caller = is_caller(s, lane), timed_out;
    uint32_t *mine = caller ? &l->caller_cpu : &l->server_cpu;
    uint32_t *peer = caller ? &l->server_cpu : &l->caller_cpu;
    uint32_t st = lane_wait(s, lane, caller ? SIDE_CALLER : SIDE_SERVER, mine, peer, deadline,
                            &timed_out);
    TSAN_ACQUIRE(lane);
    if (st & STATE_DEAD)
        return FACET_TR_DEAD;
    if (timed_out)
        return FACET_TR_TIMEOUT;
    return posted(s, l, got_off, got_len);
}

static int shm_exchange(FacetTransport *t, unsigned lane, size_t off, size_t len,
                        size_t *got_off, size_t *got_len, uint32_t timeout_ms)
{
    Shm *s = (Shm *)t;
    ShmLane *l;
    int caller, r;
    if (lane >= t->lanes || off % 8 != 0 || off > t->capacity || len > t->capacity - off ||
        got_off == NULL || got_len == NULL)
        return FACET_TR_INVALID;
    l = &s->ctl[lane];
    caller = is_caller(s, lane);
    TSAN_RELEASE(lane);
    r = lane_post(s, lane, caller ? SIDE_SERVER : SIDE_CALLER, off, len,
                  caller ? &l->server_cpu : &l->caller_cpu);
    if (r != FACET_TR_OK)
        return r;
    return await_turn(s, lane, got_off, got_len, deadline_of(timeout_ms));
}

static int shm_wait(FacetTransport *t, unsigned lane, size_t *got_off, size_t *got_len,
                    uint32_t timeout_ms)
{
    if (lane >= t->lanes || got_off == NULL || got_len == NULL)
        return FACET_TR_INVALID;
    return await_turn((Shm *)t, lane, got_off, got_len, deadline_of(timeout_ms));
}

/* ---- Making and mapping ------------------------------------------------ */

/* A transport of ops, with the default policy, before its memory. */
static Shm *shm_alloc(const FacetTransportOps *ops, unsigned cpus)
{
    Shm *s = facet__calloc(1, sizeof(*s));
    if (s == NULL)
        return NULL;
    s->t.ops = ops;
    s->policy.wait = FACET_TR_WAIT_ADAPTIVE;
    s->policy.spin_ns = FACET_TR_DEFAULT_SPIN_NS;
    s->cpus = cpus;
    return s;
}

/* The shape asked of facet__shm_create, checked. */
static int shape_ok(unsigned down, unsigned up, size_t capacity)
{
    unsigned lanes = down + up;
    return down != 0 && up <= FACET_TR_MAX_LANES && lanes <= FACET_TR_MAX_LANES &&
           capacity != 0 && capacity <= SHM_MAX_CAPACITY;
}

/* A header the child found in memory the host passed, checked. */
static int header_ok(const ShmHeader *hdr)
{
    return hdr->magic == SHM_MAGIC && hdr->version == SHM_VERSION && hdr->lanes != 0 &&
           hdr->lanes <= FACET_TR_MAX_LANES && hdr->down != 0 && hdr->down <= hdr->lanes &&
           hdr->capacity_pages != 0 &&
           (size_t)hdr->capacity_pages <= SHM_MAX_CAPACITY / FACET_TR_PAGE;
}

static void shm_shape(Shm *s, unsigned lanes, unsigned down, size_t capacity)
{
    s->t.lanes = lanes;
    s->t.down = down;
    s->t.capacity = capacity;
    s->size = buffers_offset(lanes) + (size_t)lanes * capacity;
}

static void shm_map(Shm *s, void *base)
{
    s->base = base;
    s->hdr = base;
    s->ctl = (ShmLane *)(void *)(s->base + sizeof(ShmHeader));
    s->t.buffers = s->base + buffers_offset(s->t.lanes);
    s->t.dead = &s->hdr->dead;
}

/* The header of new, zeroed memory: every lane is its caller's and nobody
 * has run on it yet. The magic last. */
static void write_header(Shm *s)
{
    s->hdr->lanes = s->t.lanes;
    s->hdr->down = s->t.down;
    s->hdr->capacity_pages = (uint32_t)(s->t.capacity / FACET_TR_PAGE);
    s->hdr->version = SHM_VERSION;
    __atomic_store_n(&s->hdr->magic, SHM_MAGIC, __ATOMIC_RELEASE);
}

void facet__shm_set_policy(FacetTransport *t, const FacetTransportPolicy *policy)
{
    ((Shm *)t)->policy = *policy;
}

#endif /* FACET_CORE_REMOTE_SHM_LANES_H */
