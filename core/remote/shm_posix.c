/*
 * bench/oop/channel.c - the call channel of channel.h.
 *
 * The shared memory is a header (one cache line) and then the lanes. A
 * lane is a cache line of control words and its buffer:
 *
 *   state       the futex word: the phase (who holds the buffer), a bit
 *               saying that a waiter sleeps on the word, a bit saying that
 *               the channel is dead
 *   len         the length of the message just posted
 *   caller_cpu  1 + the CPU the calling thread runs or last ran on, with
 *               CPU_SLEEPING while it sleeps on the state word; a poster
 *               that wakes it clears that bit at once, since it is about
 *               to run
 *   server_cpu  the same for the serving thread
 *
 * Either process can write any of it at any time if it is hostile, so each
 * process keeps the shape of the channel (lanes, capacity, policy) in its
 * own memory and reads a shared length once and checks it.
 */
#define _GNU_SOURCE
#include "channel.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434 /* the same number on every architecture */
#endif

#define CHAN_MAGIC 0x4e414843u /* "CHAN" */
#define CHAN_VERSION 1u
#define CHAN_LINE 64u

/* The state word. The phase says who holds the lane's buffer. */
#define PHASE_REPLY 0u   /* the caller's: idle, or a reply to read */
#define PHASE_REQUEST 1u /* the server's: a request to answer */
#define PHASE_MASK 3u
#define STATE_WAITER 4u /* a thread sleeps on the word: wake it */
#define STATE_DEAD 8u   /* the channel is dead: wake and fail */

/* A side's CPU word: 1 + the CPU it runs or last ran on, and this bit
 * while it sleeps on the state word. 0: it has not run yet. */
#define CPU_SLEEPING 0x80000000u

typedef struct ChanHeader {
    uint32_t magic;
    uint32_t version;
    uint32_t lanes;
    uint32_t capacity; /* bytes per lane buffer, a multiple of CHAN_LINE */
    uint32_t dead;
    uint32_t spinners; /* threads spinning now, both processes */
    unsigned char pad[CHAN_LINE - 6 * sizeof(uint32_t)];
} ChanHeader;

typedef struct ChanLane {
    uint32_t state;
    uint32_t len;
    uint32_t caller_cpu;
    uint32_t server_cpu;
    unsigned char pad[CHAN_LINE - 4 * sizeof(uint32_t)];
    /* then capacity bytes of buffer */
} ChanLane;

typedef char chan_header_is_a_line[sizeof(ChanHeader) == CHAN_LINE ? 1 : -1];
typedef char chan_lane_is_a_line[sizeof(ChanLane) == CHAN_LINE ? 1 : -1];

struct FacetChannel {
    unsigned char *base; /* the mapping */
    size_t size;
    ChanHeader *hdr;
    unsigned lanes;
    size_t capacity;
    size_t stride; /* bytes from one lane to the next */
    int fd;        /* ours to close, or -1 */
    FacetChanPolicy policy;
    unsigned cpus; /* CPUs this process may run on, when it was made */
    /* The watch thread. */
    pthread_t watcher;
    int watching;
    int watch_fd;
    int stop[2]; /* a pipe: closing stop[1] ends the watch */
};

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

/* The futex word is in memory shared between processes: no _PRIVATE. */
static long futex_wait(uint32_t *word, uint32_t expected)
{
    return syscall(SYS_futex, word, FUTEX_WAIT, expected, NULL, NULL, 0);
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

static size_t round_line(size_t n)
{
    return (n + CHAN_LINE - 1) / CHAN_LINE * CHAN_LINE;
}

static ChanLane *lane_at(FacetChannel *ch, unsigned lane)
{
    return (ChanLane *)(void *)(ch->base + sizeof(ChanHeader) + (size_t)lane * ch->stride);
}

/* ---- Making and mapping ------------------------------------------------ */

static FacetChannel *chan_new(void)
{
    FacetChannel *ch = calloc(1, sizeof(*ch));
    if (ch == NULL)
        return NULL;
    ch->fd = -1;
    ch->watch_fd = -1;
    ch->stop[0] = ch->stop[1] = -1;
    ch->policy.wait = FACET_CHAN_WAIT_ADAPTIVE;
    ch->policy.spin_ns = FACET_CHAN_DEFAULT_SPIN_NS;
    ch->cpus = allowed_cpus();
    return ch;
}

static void chan_shape(FacetChannel *ch, unsigned lanes, size_t capacity)
{
    ch->lanes = lanes;
    ch->capacity = capacity;
    ch->stride = sizeof(ChanLane) + capacity;
    ch->size = sizeof(ChanHeader) + (size_t)lanes * ch->stride;
}

int facet_chan_create(FacetChannel **out, unsigned lanes, size_t capacity)
{
    FacetChannel *ch;
    void *base;
    if (out == NULL || lanes == 0 || lanes > FACET_CHAN_MAX_LANES || capacity == 0 ||
        capacity > FACET_CHAN_MAX_CAPACITY)
        return FACET_CHAN_INVALID;
    *out = NULL;
    ch = chan_new();
    if (ch == NULL)
        return FACET_CHAN_SYSTEM;
    chan_shape(ch, lanes, round_line(capacity));
    ch->fd = memfd_create("facet-channel", MFD_CLOEXEC);
    if (ch->fd < 0 || ftruncate(ch->fd, (off_t)ch->size) != 0)
        goto fail;
    base = mmap(NULL, ch->size, PROT_READ | PROT_WRITE, MAP_SHARED, ch->fd, 0);
    if (base == MAP_FAILED)
        goto fail;
    ch->base = base;
    ch->hdr = base;
    /* The file is new and zeroed: every lane is the caller's (PHASE_REPLY)
     * and no thread is running on it yet. */
    ch->hdr->lanes = lanes;
    ch->hdr->capacity = (uint32_t)ch->capacity;
    ch->hdr->version = CHAN_VERSION;
    __atomic_store_n(&ch->hdr->magic, CHAN_MAGIC, __ATOMIC_RELEASE);
    *out = ch;
    return FACET_CHAN_OK;
fail:
    facet_chan_close(ch);
    return FACET_CHAN_SYSTEM;
}

int facet_chan_attach(FacetChannel **out, int fd)
{
    FacetChannel *ch;
    struct stat st;
    ChanHeader hdr;
    void *base;
    if (out == NULL || fd < 0)
        return FACET_CHAN_INVALID;
    *out = NULL;
    if (fstat(fd, &st) != 0)
        return FACET_CHAN_SYSTEM;
    if (st.st_size < (off_t)sizeof(ChanHeader) || pread(fd, &hdr, sizeof(hdr), 0) != sizeof(hdr))
        return FACET_CHAN_INVALID;
    if (hdr.magic != CHAN_MAGIC || hdr.version != CHAN_VERSION || hdr.lanes == 0 ||
        hdr.lanes > FACET_CHAN_MAX_LANES || hdr.capacity == 0 ||
        hdr.capacity > FACET_CHAN_MAX_CAPACITY || hdr.capacity % CHAN_LINE != 0)
        return FACET_CHAN_INVALID;
    ch = chan_new();
    if (ch == NULL)
        return FACET_CHAN_SYSTEM;
    /* The shape read once, here; the shared header is not read again. */
    chan_shape(ch, hdr.lanes, hdr.capacity);
    if ((off_t)ch->size > st.st_size) {
        free(ch);
        return FACET_CHAN_INVALID;
    }
    base = mmap(NULL, ch->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (base == MAP_FAILED) {
        free(ch);
        return FACET_CHAN_SYSTEM;
    }
    ch->base = base;
    ch->hdr = base;
    *out = ch;
    return FACET_CHAN_OK;
}

static void stop_watch(FacetChannel *ch)
{
    if (!ch->watching)
        return;
    close(ch->stop[1]); /* the watch thread sees the hang-up and ends */
    pthread_join(ch->watcher, NULL);
    close(ch->stop[0]);
    ch->stop[0] = ch->stop[1] = -1;
    ch->watching = 0;
}

void facet_chan_close(FacetChannel *ch)
{
    if (ch == NULL)
        return;
    stop_watch(ch);
    if (ch->base != NULL)
        munmap(ch->base, ch->size);
    if (ch->fd >= 0)
        close(ch->fd);
    free(ch);
}

int facet_chan_fd(const FacetChannel *ch)
{
    return ch->fd;
}

unsigned facet_chan_lanes(const FacetChannel *ch)
{
    return ch->lanes;
}

size_t facet_chan_capacity(const FacetChannel *ch)
{
    return ch->capacity;
}

void facet_chan_set_policy(FacetChannel *ch, const FacetChanPolicy *policy)
{
    ch->policy = *policy;
}

void facet_chan_policy(const FacetChannel *ch, FacetChanPolicy *out)
{
    *out = ch->policy;
}

void *facet_chan_buffer(FacetChannel *ch, unsigned lane)
{
    if (ch == NULL || lane >= ch->lanes)
        return NULL;
    return (unsigned char *)lane_at(ch, lane) + sizeof(ChanLane);
}

/* ---- Death -------------------------------------------------------------- */

void facet_chan_mark_dead(FacetChannel *ch)
{
    unsigned i;
    __atomic_store_n(&ch->hdr->dead, 1u, __ATOMIC_RELEASE);
    for (i = 0; i < ch->lanes; i++) {
        ChanLane *l = lane_at(ch, i);
        __atomic_fetch_or(&l->state, STATE_DEAD, __ATOMIC_ACQ_REL);
        futex_wake(&l->state, INT_MAX);
    }
}

int facet_chan_is_dead(const FacetChannel *ch)
{
    return __atomic_load_n(&ch->hdr->dead, __ATOMIC_ACQUIRE) != 0;
}

static void *watch_main(void *arg)
{
    FacetChannel *ch = arg;
    struct pollfd p[2];
    p[0].fd = ch->watch_fd;
    p[0].events = POLLIN;
    p[1].fd = ch->stop[0];
    p[1].events = POLLIN;
    for (;;) {
        p[0].revents = p[1].revents = 0;
        if (poll(p, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            break; /* cannot watch: treat as dead, never as alive */
        }
        if (p[1].revents != 0)
            return NULL; /* facet_chan_close */
        if (p[0].revents != 0)
            break;
    }
    facet_chan_mark_dead(ch);
    return NULL;
}

int facet_chan_watch(FacetChannel *ch, int fd)
{
    if (ch == NULL || fd < 0 || ch->watching)
        return FACET_CHAN_INVALID;
    if (pipe2(ch->stop, O_CLOEXEC) != 0)
        return FACET_CHAN_SYSTEM;
    ch->watch_fd = fd;
    if (pthread_create(&ch->watcher, NULL, watch_main, ch) != 0) {
        close(ch->stop[0]);
        close(ch->stop[1]);
        ch->stop[0] = ch->stop[1] = -1;
        return FACET_CHAN_SYSTEM;
    }
    ch->watching = 1;
    return FACET_CHAN_OK;
}

int facet_chan_pidfd(int pid)
{
    return (int)syscall(SYS_pidfd_open, pid, 0);
}

/* ---- Waiting and posting ----------------------------------------------- */

static int done(uint32_t s, uint32_t want)
{
    return (s & STATE_DEAD) != 0 || (s & PHASE_MASK) == want;
}

/* Whether to spin before sleeping, and for how long. The adaptive policy
 * spins only while the peer is running, or has just been woken, on
 * another CPU than ours, since a peer that sleeps, or shares our CPU,
 * cannot answer while we spin; and only while fewer threads spin than
 * there are CPUs, so that spinners never crowd out the threads they wait
 * for. */
static uint32_t spin_budget(FacetChannel *ch, const uint32_t *peer_cpu, uint32_t cpu)
{
    const FacetChanPolicy *p = &ch->policy;
    uint32_t peer;
    if (p->wait == FACET_CHAN_WAIT_FUTEX || p->spin_ns == 0)
        return 0;
    if (p->wait == FACET_CHAN_WAIT_SPIN)
        return p->spin_ns;
    if (ch->cpus < 2)
        return 0;
    peer = __atomic_load_n(peer_cpu, __ATOMIC_RELAXED);
    if (peer == 0 || (peer & CPU_SLEEPING) != 0 || peer == cpu)
        return 0;
    return p->spin_ns;
}

static int spin(FacetChannel *ch, ChanLane *l, uint32_t want, uint32_t budget)
{
    uint32_t max = ch->policy.max_spinners ? ch->policy.max_spinners : ch->cpus;
    uint64_t deadline;
    int got = 0;
    if (__atomic_fetch_add(&ch->hdr->spinners, 1u, __ATOMIC_RELAXED) >= max)
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
    __atomic_fetch_sub(&ch->hdr->spinners, 1u, __ATOMIC_RELAXED);
    return got;
}

/* Waits until the lane is in phase want (or dead); mine is this side's
 * CPU word, peer the other side's. Returns the state it saw. */
static uint32_t lane_wait(FacetChannel *ch, ChanLane *l, uint32_t want, uint32_t *mine,
                          const uint32_t *peer)
{
    uint32_t cpu = this_cpu(), s, budget;
    __atomic_store_n(mine, cpu, __ATOMIC_RELAXED);
    s = __atomic_load_n(&l->state, __ATOMIC_ACQUIRE);
    if (done(s, want))
        return s;
    budget = spin_budget(ch, peer, cpu);
    if (budget != 0 && spin(ch, l, want, budget))
        return __atomic_load_n(&l->state, __ATOMIC_ACQUIRE);
    for (;;) {
        s = __atomic_load_n(&l->state, __ATOMIC_ACQUIRE);
        if (done(s, want))
            break;
        /* Sleeping, said before the waiter bit, so that a poster who sees
         * the bit also sees this and can take it back when it wakes us. */
        __atomic_store_n(mine, cpu | CPU_SLEEPING, __ATOMIC_RELAXED);
        if ((s & STATE_WAITER) == 0) {
            if (!__atomic_compare_exchange_n(&l->state, &s, s | STATE_WAITER, 0, __ATOMIC_ACQ_REL,
                                             __ATOMIC_ACQUIRE))
                continue;
            s |= STATE_WAITER;
        }
        futex_wait(&l->state, s); /* EAGAIN, EINTR: look again */
        cpu = this_cpu();
        __atomic_store_n(mine, cpu, __ATOMIC_RELAXED);
    }
    return s;
}

/* Posts len bytes in phase to; wakes the peer only if it sleeps, and
 * then marks it awake (it will run, on the CPU it last ran on as far as
 * anyone knows), so that our own wait may spin while it wakes. */
static int lane_post(ChanLane *l, uint32_t to, size_t len, uint32_t *peer_cpu)
{
    uint32_t s = __atomic_load_n(&l->state, __ATOMIC_RELAXED);
    __atomic_store_n(&l->len, (uint32_t)len, __ATOMIC_RELAXED);
    do {
        if (s & STATE_DEAD)
            return FACET_CHAN_DEAD;
    } while (!__atomic_compare_exchange_n(&l->state, &s, to, 1, __ATOMIC_RELEASE,
                                          __ATOMIC_RELAXED));
    if (s & STATE_WAITER) {
        __atomic_fetch_and(peer_cpu, ~CPU_SLEEPING, __ATOMIC_RELAXED);
        futex_wake(&l->state, 1);
    }
    return FACET_CHAN_OK;
}

/* Reads the posted length once and checks it: a peer that posts more than
 * the buffer holds has broken the protocol, and the channel dies. */
static int posted_len(FacetChannel *ch, ChanLane *l, size_t *out)
{
    uint32_t len = __atomic_load_n(&l->len, __ATOMIC_RELAXED);
    if (len > ch->capacity) {
        facet_chan_mark_dead(ch);
        return FACET_CHAN_INVALID;
    }
    *out = len;
    return FACET_CHAN_OK;
}

int facet_chan_call(FacetChannel *ch, unsigned lane, size_t len, size_t *reply_len)
{
    ChanLane *l;
    uint32_t s;
    int r;
    if (ch == NULL || lane >= ch->lanes || len > ch->capacity || reply_len == NULL)
        return FACET_CHAN_INVALID;
    l = lane_at(ch, lane);
    r = lane_post(l, PHASE_REQUEST, len, &l->server_cpu);
    if (r != FACET_CHAN_OK)
        return r;
    s = lane_wait(ch, l, PHASE_REPLY, &l->caller_cpu, &l->server_cpu);
    if (s & STATE_DEAD)
        return FACET_CHAN_DEAD;
    return posted_len(ch, l, reply_len);
}

int facet_chan_wait_request(FacetChannel *ch, unsigned lane, size_t *len)
{
    ChanLane *l;
    uint32_t s;
    if (ch == NULL || lane >= ch->lanes || len == NULL)
        return FACET_CHAN_INVALID;
    l = lane_at(ch, lane);
    s = lane_wait(ch, l, PHASE_REQUEST, &l->server_cpu, &l->caller_cpu);
    if (s & STATE_DEAD)
        return FACET_CHAN_DEAD;
    return posted_len(ch, l, len);
}

int facet_chan_reply(FacetChannel *ch, unsigned lane, size_t len)
{
    if (ch == NULL || lane >= ch->lanes || len > ch->capacity)
        return FACET_CHAN_INVALID;
    {
        ChanLane *l = lane_at(ch, lane);
        return lane_post(l, PHASE_REPLY, len, &l->caller_cpu);
    }
}
