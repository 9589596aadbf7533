/*
 * core/remote/shm_win32.c - the shared memory transport of transport.h on
 * Windows: lanes in a pagefile-backed section, a brief spin and then a
 * wait on an event of the lane's, together with the peer's process.
 *
 * The memory's layout and the lanes' protocol are shm_lanes.h's, as on
 * Linux; what differs is how a waiter sleeps. WaitOnAddress wakes only
 * threads of the process that calls WakeByAddress*, and keyed events are
 * not a public interface, so each lane has two auto-reset events, one per
 * side: a
 * waiter sets the waiter bit and sleeps on its side's event and on the
 * peer's process handle at once; a poster that sees the bit sets the
 * peer's event. The events are made by the host and duplicated into the
 * child (facet__shm_give), whose values for them the host writes into the
 * lane's line; a side reads them once, at attach, and keeps its own
 * copies, so nothing the peer writes later is ever used as a handle.
 *
 * A pagefile-backed section has a fixed size: unlike a file, the child
 * cannot shrink it under the host. Its pages exist once touched; trim
 * tells the system the contents of a big message's pages are not needed
 * (MEM_RESET), which frees their memory without decommitting them.
 *
 * The waiter wakes on the peer's process handle as well (set by
 * facet__shm_watch_process): the end of the peer ends every wait at once,
 * and the waiter that sees it marks the transport dead for the others.
 * docs/isolation.md ("Transport", "Windows") gives the reasons.
 */
#ifdef _WIN32

#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>

#include <limits.h>
#include <string.h>

#include "transport.h"

typedef struct ShmPlatform {
    HANDLE section;                       /* ours to close, or NULL */
    HANDLE events[FACET_TR_MAX_LANES][2]; /* this side's copies (SIDE_*) */
    HANDLE process;                       /* the peer (not ours to close), or NULL */
} ShmPlatform;

/* ---- Small helpers ----------------------------------------------------- */

static uint64_t now_ns(void)
{
    static LARGE_INTEGER freq;
    LARGE_INTEGER c;
    if (freq.QuadPart == 0)
        QueryPerformanceFrequency(&freq);
    QueryPerformanceCounter(&c);
    return (uint64_t)(c.QuadPart / freq.QuadPart) * 1000000000u +
           (uint64_t)(c.QuadPart % freq.QuadPart) * 1000000000u / (uint64_t)freq.QuadPart;
}

static void cpu_relax(void)
{
    YieldProcessor();
}

static uint32_t this_cpu(void)
{
    return (uint32_t)GetCurrentProcessorNumber() + 1;
}

static unsigned allowed_cpus(void)
{
    DWORD_PTR mine = 0, system = 0;
    unsigned n = 0;
    if (!GetProcessAffinityMask(GetCurrentProcess(), &mine, &system))
        return 1;
    for (; mine != 0; mine &= mine - 1)
        n++;
    return n ? n : 1;
}

#include "shm_lanes.h"

/* Sleeps on this side's event and on the peer's process (once it is
 * known) until deadline (0: for ever). Returns 1 when the peer has ended.
 * A set event left over from an earlier wake-up only makes this one
 * spurious. */
static int shm_sleep(Shm *s, unsigned lane, int side, uint32_t st, uint64_t deadline)
{
    HANDLE h[2];
    DWORD n = 0, ms = INFINITE, r;
    HANDLE process = __atomic_load_n(&s->os.process, __ATOMIC_ACQUIRE);
    (void)st;
    h[n++] = s->os.events[lane][side];
    if (process != NULL)
        h[n++] = process;
    if (deadline != 0) {
        uint64_t now = now_ns(), left = deadline > now ? deadline - now : 0;
        /* rounded up, so that the wait does not end just short of it */
        left = (left + 999999u) / 1000000u;
        ms = left >= INFINITE ? INFINITE - 1 : (DWORD)left;
    }
    r = WaitForMultipleObjects(n, h, FALSE, ms);
    return n == 2 && r == WAIT_OBJECT_0 + 1;
}

static void shm_wake(Shm *s, unsigned lane, int side)
{
    SetEvent(s->os.events[lane][side]);
}

static void shm_mark_dead(FacetTransport *t)
{
    Shm *s = (Shm *)t;
    unsigned i;
    set_dead(s);
    /* both sides' sleepers: the events are shared with the peer */
    for (i = 0; i < s->t.lanes; i++) {
        SetEvent(s->os.events[i][SIDE_CALLER]);
        SetEvent(s->os.events[i][SIDE_SERVER]);
    }
}

static void shm_trim(FacetTransport *t, unsigned lane, size_t used)
{
    /* Failure is harmless: the pages stay, as they would on a system
     * that ignores the hint. */
    if (lane < t->lanes && used > SHM_KEEP)
        VirtualAlloc(facet__tr_buffer(t, lane) + SHM_KEEP, round_page(used) - SHM_KEEP, MEM_RESET,
                     PAGE_READWRITE);
}

static void shm_close(FacetTransport *t)
{
    Shm *s = (Shm *)t;
    unsigned i, k;
    if (s == NULL)
        return;
    if (s->base != NULL)
        UnmapViewOfFile(s->base);
    if (s->os.section != NULL)
        CloseHandle(s->os.section);
    for (i = 0; i < FACET_TR_MAX_LANES; i++)
        for (k = 0; k < 2; k++)
            if (s->os.events[i][k] != NULL)
                CloseHandle(s->os.events[i][k]);
    facet__free(s);
}

static const FacetTransportOps shm_ops = {"shared memory (events)", shm_exchange, shm_wait,
                                          shm_mark_dead, shm_trim, shm_close};

/* ---- Making and mapping ------------------------------------------------ */

static Shm *shm_new(void)
{
    return shm_alloc(&shm_ops, allowed_cpus());
}

int facet__shm_create(FacetTransport **out, unsigned down, unsigned up, size_t capacity)
{
    Shm *s;
    void *base;
    unsigned lanes = down + up, i, k;
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
    /* Neither the section nor the events are inheritable: the spawn
     * passes them to the one child they are for. */
    s->os.section = CreateFileMappingW(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE | SEC_COMMIT,
                                       (DWORD)((uint64_t)s->size >> 32), (DWORD)s->size, NULL);
    if (s->os.section == NULL)
        goto fail;
    for (i = 0; i < lanes; i++)
        for (k = 0; k < 2; k++)
            if ((s->os.events[i][k] = CreateEventW(NULL, FALSE, FALSE, NULL)) == NULL)
                goto fail;
    base = MapViewOfFile(s->os.section, FILE_MAP_READ | FILE_MAP_WRITE, 0, 0, s->size);
    if (base == NULL)
        goto fail;
    shm_map(s, base);
    /* Until a child is given them: this process's own values, so that an
     * end attached in this process finds the events too. */
    for (i = 0; i < lanes; i++)
        for (k = 0; k < 2; k++)
            s->ctl[i].events[k] = (uint64_t)(uintptr_t)s->os.events[i][k];
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
    ShmHeader hdr;
    MEMORY_BASIC_INFORMATION mbi;
    unsigned char *base;
    HANDLE section = (HANDLE)handle, self = GetCurrentProcess();
    unsigned i, k;
    if (out == NULL || handle == 0 || handle == -1)
        return FACET_TR_INVALID;
    *out = NULL;
    /* The whole section, whatever its size; then its header, checked
     * against the size the view has. */
    base = MapViewOfFile(section, FILE_MAP_READ | FILE_MAP_WRITE, 0, 0, 0);
    if (base == NULL)
        return GetLastError() == ERROR_INVALID_HANDLE ? FACET_TR_INVALID : FACET_TR_SYSTEM;
    if (VirtualQuery(base, &mbi, sizeof(mbi)) != sizeof(mbi) || mbi.RegionSize < sizeof(hdr))
        goto invalid;
    memcpy(&hdr, base, sizeof(hdr));
    if (!header_ok(&hdr))
        goto invalid;
    s = shm_new();
    if (s == NULL) {
        UnmapViewOfFile(base);
        return FACET_TR_SYSTEM;
    }
    shm_shape(s, hdr.lanes, hdr.down, (size_t)hdr.capacity_pages * FACET_TR_PAGE);
    if (s->size > mbi.RegionSize) {
        facet__free(s);
        goto invalid;
    }
    shm_map(s, base);
    /* The events, read once and made this end's own. */
    for (i = 0; i < s->t.lanes; i++)
        for (k = 0; k < 2; k++) {
            HANDLE given = (HANDLE)(uintptr_t)s->ctl[i].events[k];
            if (!DuplicateHandle(self, given, self, &s->os.events[i][k], 0, FALSE,
                                 DUPLICATE_SAME_ACCESS)) {
                s->os.events[i][k] = NULL;
                shm_close(&s->t);
                return FACET_TR_INVALID;
            }
        }
    *out = &s->t;
    return FACET_TR_OK;
invalid:
    UnmapViewOfFile(base);
    return FACET_TR_INVALID;
}

intptr_t facet__shm_handle(const FacetTransport *t)
{
    const Shm *s = (const Shm *)t;
    return s->os.section != NULL ? (intptr_t)s->os.section : -1;
}

void facet__shm_release_handle(FacetTransport *t)
{
    Shm *s = (Shm *)t;
    if (s->os.section != NULL)
        CloseHandle(s->os.section);
    s->os.section = NULL;
}

void facet__shm_watch_process(FacetTransport *t, void *process)
{
    Shm *s = (Shm *)t;
    unsigned i;
    __atomic_store_n(&s->os.process, (HANDLE)process, __ATOMIC_RELEASE);
    /* Waiters asleep already look again, now with the process. */
    for (i = 0; i < s->t.lanes; i++)
        SetEvent(s->os.events[i][is_caller(s, i) ? SIDE_CALLER : SIDE_SERVER]);
}

int facet__shm_give(FacetTransport *t, void *process)
{
    Shm *s = (Shm *)t;
    HANDLE self = GetCurrentProcess(), h;
    unsigned i, k;
    if (!s->t.host)
        return FACET_TR_INVALID;
    for (i = 0; i < s->t.lanes; i++)
        for (k = 0; k < 2; k++) {
            if (!DuplicateHandle(self, s->os.events[i][k], (HANDLE)process, &h, 0, FALSE,
                                 DUPLICATE_SAME_ACCESS))
                return FACET_TR_SYSTEM;
            s->ctl[i].events[k] = (uint64_t)(uintptr_t)h;
        }
    return FACET_TR_OK;
}

#endif /* _WIN32 */
