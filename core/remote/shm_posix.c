/*
 * core/remote/shm_posix.c - the shared memory transport of transport.h on
 * Linux: lanes in a memfd, a brief spin and then a futex wait.
 *
 * The memory's layout and the lanes' protocol are shm_lanes.h's; here a
 * waiter sleeps on the lane's state word with a futex (in memory shared
 * between processes: no _PRIVATE).
 *
 * The memfd is sparse (a buffer's pages exist once a message reaches them)
 * and sealed against shrinking, so that a hostile child cannot truncate it
 * under the host (which would make the host's next read a SIGBUS).
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

typedef struct ShmPlatform {
    int fd; /* ours to close, or -1 */
} ShmPlatform;

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

#include "shm_lanes.h"

static int shm_sleep(Shm *s, unsigned lane, int side, uint32_t st, uint64_t deadline)
{
    (void)side;
    futex_wait(&s->ctl[lane].state, st, deadline); /* EAGAIN, EINTR, ETIMEDOUT: look again */
    return 0;
}

static void shm_wake(Shm *s, unsigned lane, int side)
{
    (void)side;
    futex_wake(&s->ctl[lane].state, 1);
}

static void shm_mark_dead(FacetTransport *t)
{
    Shm *s = (Shm *)t;
    unsigned i;
    set_dead(s);
    for (i = 0; i < s->t.lanes; i++)
        futex_wake(&s->ctl[i].state, INT_MAX);
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
    if (s->os.fd >= 0)
        close(s->os.fd);
    facet__free(s);
}

static const FacetTransportOps shm_ops = {"shared memory (futex)", shm_exchange, shm_wait,
                                          shm_mark_dead, shm_trim, shm_close};

/* ---- Making and mapping ------------------------------------------------ */

static Shm *shm_new(void)
{
    Shm *s = shm_alloc(&shm_ops, allowed_cpus());
    if (s != NULL)
        s->os.fd = -1;
    return s;
}

int facet__shm_create(FacetTransport **out, unsigned down, unsigned up, size_t capacity)
{
    Shm *s;
    void *base;
    unsigned lanes = down + up;
    if (out == NULL)
        return FACET_TR_INVALID;
    *out = NULL;
    if (!shape_ok(down, up, capacity))
        return FACET_TR_INVALID;
    s = shm_new();
    if (s == NULL)
        return FACET_TR_SYSTEM;
    s->t.host = 1;
    shm_shape(s, lanes, down, round_page(capacity));
    if (facet__fault(FACET_FAULT_PROCESS))
        goto fail;
    s->os.fd = (int)syscall(SYS_memfd_create, "facet-transport", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (s->os.fd < 0 || ftruncate(s->os.fd, (off_t)s->size) != 0 ||
        fcntl(s->os.fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) != 0)
        goto fail;
    base = mmap(NULL, s->size, PROT_READ | PROT_WRITE, MAP_SHARED, s->os.fd, 0);
    if (base == MAP_FAILED)
        goto fail;
    shm_map(s, base);
    write_header(s);
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
    if (!header_ok(&hdr))
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
    return ((const Shm *)t)->os.fd;
}

void facet__shm_release_handle(FacetTransport *t)
{
    Shm *s = (Shm *)t;
    if (s->os.fd >= 0)
        close(s->os.fd);
    s->os.fd = -1;
}

#endif /* __linux__ */
