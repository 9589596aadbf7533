/*
 * core/remote/shm_posix.c - the shared memory transport of transport.h on
 * Linux: lanes in a memfd, a brief spin and then a futex wait.
 *
 * The memory is a header (one cache line), a cache line of control words
 * per lane, and then, page-aligned, each lane's buffer:
 *
 *   state       the futex word: the phase (which side holds the buffer),
 *               a bit saying that a waiter sleeps on the word, a bit
 *               saying that the transport is dead
 *   off, len    where the message just posted lies in the buffer
 *   caller_cpu  1 + the CPU the lane's calling thread runs or last ran on,
 *               with CPU_SLEEPING while it sleeps on the state word; a
 *               poster that wakes it clears that bit at once, since it is
 *               about to run
 *   server_cpu  the same for the serving thread
 *
 * The memfd is sparse (a buffer's pages exist once a message reaches them)
 * and sealed against shrinking, so that a hostile child cannot truncate it
 * under the host (which would make the host's next read a SIGBUS). Either
 * process can write any of it at any time if it is hostile, so each keeps
 * the shape of the transport (lanes, capacity, policy) in its own memory
 * and reads a shared length once and checks it. The worst a child can do
 * through the shared words is make a host thread spin for one spin limit
 * or wake it early.
 *
 * docs/isolation.md ("Transport") gives the figures behind the waiting.
 */
#if defined(__linux__)

#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* memfd_create, F_ADD_SEALS, sched_getcpu */
#endif

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <sched.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "transport.h"

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
 * while it sleeps on the state word. 0: it has not run yet. */
#define CPU_SLEEPING 0x80000000u

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
    unsigned char pad[SHM_LINE - 5 * sizeof(uint32_t)];
} ShmLane;

typedef char shm_header_is_a_line[sizeof(ShmHeader) == SHM_LINE ? 1 : -1];
typedef char shm_lane_is_a_line[sizeof(ShmLane) == SHM_LINE ? 1 : -1];

typedef struct Shm {
    FacetTransport t;
    unsigned char *base; /* the mapping */
    size_t size;
    ShmHeader *hdr;
    ShmLane *ctl;        /* lanes control words */
    int fd;              /* ours to close, or -1 */
    FacetTransportPolicy policy;
    unsigned cpus;       /* CPUs this process may run on, when it was made */
} Shm;

/* ---- Small helpers ----------------------------------------------------- */

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield" ::: "memory");
#else
    __asm__ __volatile__("" ::: "memory");
#endif
}

/* The futex word is in memory shared between processes: no _PRIVATE. A
 * deadline of 0 waits for ever. */
static void futex_wait(uint32_t *word, uint32_t expected, uint64_t deadline)
{
    struct timespec ts, *tp = NULL;
    if (deadline != 0) {
        uint64_t now = now_ns(), left = deadline > now ? deadline - now : 0;
        ts.tv_sec = (time_t)(left / 1000000000u);
        ts.tv_nsec = (long)(left % 1000000000u);
        tp = &ts;
    }
    syscall(SYS_futex, word, FUTEX_WAIT, expected, tp, NULL, 0);
}

static void futex_wake(uint32_t *word, int count)
{
    syscall(SYS_futex, word, FUTEX_WAKE, count, NULL, NULL, 0);
}

static uint32_t this_cpu(void)
{
    int cpu = sched_getcpu();
    return cpu < 0 ? 0 : (uint32_t)cpu + 1;
}

static unsigned allowed_cpus(void)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof(set), &set) != 0)
        return 1;
    return (unsigned)CPU_COUNT(&set);
}

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

/* Waits until the lane is in phase want (or dead, or past deadline);
 * mine is this side's CPU word, peer the other side's. Returns the state
 * it saw; *timed_out is set when the deadline passed first. */
static uint32_t lane_wait(Shm *s, ShmLane *l, uint32_t want, uint32_t *mine, const uint32_t *peer,
                          uint64_t deadline, int *timed_out)
{
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
        futex_wait(&l->state, st, deadline); /* EAGAIN, EINTR, ETIMEDOUT: look again */
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

/* Posts len bytes in phase to; wakes the peer only if it sleeps, and then
 * marks it awake (it will run, on the CPU it last ran on as far as anyone
 * knows), so that our own wait may spin while it wakes. */
static int lane_post(ShmLane *l, uint32_t to, size_t off, size_t len, uint32_t *peer_cpu)
{
    uint32_t st = __atomic_load_n(&l->state, __ATOMIC_RELAXED);
    __atomic_store_n(&l->off, (uint32_t)off, __ATOMIC_RELAXED);
    __atomic_store_n(&l->len, (uint32_t)len, __ATOMIC_RELAXED);
    do {
        if (st & STATE_DEAD)
            return FACET_TR_DEAD;
    } while (!__atomic_compare_exchange_n(&l->state, &st, to, 1, __ATOMIC_RELEASE,
                                          __ATOMIC_RELAXED));
    if (st & STATE_WAITER) {
        __atomic_fetch_and(peer_cpu, ~CPU_SLEEPING, __ATOMIC_RELAXED);
        futex_wake(&l->state, 1);
    }
    return FACET_TR_OK;
}

static void shm_mark_dead(FacetTransport *t)
{
    Shm *s = (Shm *)t;
    unsigned i;
    __atomic_store_n(&s->hdr->dead, 1u, __ATOMIC_RELEASE);
    for (i = 0; i < s->t.lanes; i++) {
        ShmLane *l = &s->ctl[i];
        TSAN_RELEASE(i);
        __atomic_fetch_or(&l->state, STATE_DEAD, __ATOMIC_ACQ_REL);
        futex_wake(&l->state, INT_MAX);
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
    uint32_t st = lane_wait(s, l, caller ? PHASE_CALLER : PHASE_SERVER, mine, peer, deadline,
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
    r = lane_post(l, caller ? PHASE_SERVER : PHASE_CALLER, off, len,
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

static void shm_trim(FacetTransport *t, unsigned lane, size_t used)
{
    if (lane < t->lanes && used > SHM_KEEP)
        madvise(facet__tr_buffer(t, lane) + SHM_KEEP, round_page(used) - SHM_KEEP, MADV_REMOVE);
}

static void shm_close(FacetTransport *t)
{
    Shm *s = (Shm *)t;
    if (s == NULL)
        return;
    if (s->base != NULL)
        munmap(s->base, s->size);
    if (s->fd >= 0)
        close(s->fd);
    facet__free(s);
}

static const FacetTransportOps shm_ops = {"shared memory (futex)", shm_exchange, shm_wait,
                                          shm_mark_dead, shm_trim, shm_close};

/* ---- Making and mapping ------------------------------------------------ */

static Shm *shm_new(void)
{
    Shm *s = facet__calloc(1, sizeof(*s));
    if (s == NULL)
        return NULL;
    s->t.ops = &shm_ops;
    s->fd = -1;
    s->policy.wait = FACET_TR_WAIT_ADAPTIVE;
    s->policy.spin_ns = FACET_TR_DEFAULT_SPIN_NS;
    s->cpus = allowed_cpus();
    return s;
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

int facet__shm_create(FacetTransport **out, unsigned down, unsigned up, size_t capacity)
{
    Shm *s;
    void *base;
    unsigned lanes = down + up;
    if (out == NULL)
        return FACET_TR_INVALID;
    *out = NULL;
    if (down == 0 || up > FACET_TR_MAX_LANES || lanes > FACET_TR_MAX_LANES || capacity == 0 ||
        capacity > SHM_MAX_CAPACITY)
        return FACET_TR_INVALID;
    s = shm_new();
    if (s == NULL)
        return FACET_TR_SYSTEM;
    s->t.host = 1;
    shm_shape(s, lanes, down, round_page(capacity));
    if (facet__fault(FACET_FAULT_PROCESS))
        goto fail;
    s->fd = (int)syscall(SYS_memfd_create, "facet-transport", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (s->fd < 0 || ftruncate(s->fd, (off_t)s->size) != 0 ||
        fcntl(s->fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) != 0)
        goto fail;
    base = mmap(NULL, s->size, PROT_READ | PROT_WRITE, MAP_SHARED, s->fd, 0);
    if (base == MAP_FAILED)
        goto fail;
    shm_map(s, base);
    /* The file is new and zeroed: every lane is its caller's and nobody
     * has run on it yet. */
    s->hdr->lanes = lanes;
    s->hdr->down = down;
    s->hdr->capacity_pages = (uint32_t)(s->t.capacity / FACET_TR_PAGE);
    s->hdr->version = SHM_VERSION;
    __atomic_store_n(&s->hdr->magic, SHM_MAGIC, __ATOMIC_RELEASE);
    *out = &s->t;
    return FACET_TR_OK;
fail:
    shm_close(&s->t);
    return FACET_TR_SYSTEM;
}

int facet__shm_attach(FacetTransport **out, intptr_t handle)
{
    Shm *s;
    struct stat st;
    ShmHeader hdr;
    void *base;
    int fd = (int)handle;
    if (out == NULL || handle < 0 || handle > INT_MAX)
        return FACET_TR_INVALID;
    *out = NULL;
    if (fstat(fd, &st) != 0)
        return FACET_TR_SYSTEM;
    if (st.st_size < (off_t)sizeof(ShmHeader) || pread(fd, &hdr, sizeof(hdr), 0) != sizeof(hdr))
        return FACET_TR_INVALID;
    if (hdr.magic != SHM_MAGIC || hdr.version != SHM_VERSION || hdr.lanes == 0 ||
        hdr.lanes > FACET_TR_MAX_LANES || hdr.down == 0 || hdr.down > hdr.lanes ||
        hdr.capacity_pages == 0 ||
        (size_t)hdr.capacity_pages > SHM_MAX_CAPACITY / FACET_TR_PAGE)
        return FACET_TR_INVALID;
    s = shm_new();
    if (s == NULL)
        return FACET_TR_SYSTEM;
    /* The shape read once, here; the shared header is not read again. */
    shm_shape(s, hdr.lanes, hdr.down, (size_t)hdr.capacity_pages * FACET_TR_PAGE);
    if ((off_t)s->size > st.st_size) {
        facet__free(s);
        return FACET_TR_INVALID;
    }
    base = mmap(NULL, s->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (base == MAP_FAILED) {
        facet__free(s);
        return FACET_TR_SYSTEM;
    }
    shm_map(s, base);
    *out = &s->t;
    return FACET_TR_OK;
}

intptr_t facet__shm_handle(const FacetTransport *t)
{
    return ((const Shm *)t)->fd;
}

void facet__shm_release_handle(FacetTransport *t)
{
    Shm *s = (Shm *)t;
    if (s->fd >= 0)
        close(s->fd);
    s->fd = -1;
}

void facet__shm_set_policy(FacetTransport *t, const FacetTransportPolicy *policy)
{
    ((Shm *)t)->policy = *policy;
}

#endif /* __linux__ */
