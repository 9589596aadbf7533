/*
 * core/remote/transport.h - how the bytes of a call reach another process:
 * the transport interface of the process-isolation layer, and the shared
 * memory transport that implements it (shm_posix.c, shm_win32.c).
 *
 * A transport is a set of lanes between two processes, the host and its
 * child. A lane is a buffer and the turn to use it: one side writes a
 * message into the buffer and hands the turn over (exchange), the other
 * reads it, writes its answer and hands the turn back. A message may lie
 * anywhere in the buffer, so that a side answering one message with
 * another can keep reading the first while the second is out. Lanes
 * [0, down) carry the host's calls (the host is their caller, the child
 * serves them); lanes [down, lanes) carry the child's calls into the host.
 * A message may travel either way on a lane whatever its direction, so a
 * call in flight can be answered with a call back (docs/isolation.md,
 * "Transport"): the turn simply goes back and forth until the reply.
 *
 * The connection (conn.c) sees a transport only through FacetTransportOps
 * and the fields below, so another transport (a remote one, over an RPC
 * engine) could take this one's place without touching proxies or stubs.
 *
 * Not thread-safe per lane: at any time one thread of each side uses a
 * lane. mark_dead and is_dead may be called from any thread.
 */
#ifndef FACET_CORE_REMOTE_TRANSPORT_H
#define FACET_CORE_REMOTE_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>

#include "../base/base.h"

/* Results of the transport's functions: 0 or one of these. */
#define FACET_TR_OK 0
#define FACET_TR_DEAD (-1)    /* the peer died, or the transport was shut */
#define FACET_TR_INVALID (-2) /* a bad argument, or the peer posted a length out of range */
#define FACET_TR_SYSTEM (-3)  /* a system call failed */
#define FACET_TR_TIMEOUT (-4) /* the peer did not hand the turn back in time */

/* Limits. */
#define FACET_TR_MAX_LANES 64u
#define FACET_TR_PAGE 4096u

/* How a waiter waits (facet__shm_set_policy). */
#define FACET_TR_WAIT_ADAPTIVE 0u /* spin while the peer runs on another CPU, then sleep */
#define FACET_TR_WAIT_BLOCK 1u    /* never spin: sleep at once */
#define FACET_TR_WAIT_SPIN 2u     /* spin up to spin_ns whatever the peer does */

typedef struct FacetTransportPolicy {
    uint32_t wait;         /* FACET_TR_WAIT_* */
    uint32_t spin_ns;      /* longest spin of one wait */
    uint32_t max_spinners; /* threads of both processes that may spin at once;
                              0: as many as the CPUs this process may use */
} FacetTransportPolicy;

/* The spin of the default policy (docs/isolation.md gives the figures that
 * chose it). */
#define FACET_TR_DEFAULT_SPIN_NS 20000u

typedef struct FacetTransport FacetTransport;

typedef struct FacetTransportOps {
    const char *name;
    /* Hands the len bytes at offset off of the lane's buffer to the peer
     * and waits until the peer hands the turn back; *got_off and *got_len
     * say where its message is, checked against the capacity (a message
     * starts at a multiple of 8). timeout_ms 0 waits for ever.
     * FACET_TR_DEAD once the peer is gone, FACET_TR_TIMEOUT at the
     * deadline (the turn is then still the peer's: the caller kills it). */
    int (*exchange)(FacetTransport *t, unsigned lane, size_t off, size_t len, size_t *got_off,
                    size_t *got_len, uint32_t timeout_ms);
    /* Waits for the first message on a lane this side serves. */
    int (*wait)(FacetTransport *t, unsigned lane, size_t *got_off, size_t *got_len,
                uint32_t timeout_ms);
    /* Marks the transport dead and wakes every waiter of both sides;
     * every exchange after it fails with FACET_TR_DEAD. */
    void (*mark_dead)(FacetTransport *t);
    /* Gives back the memory of a lane's buffer beyond what small messages
     * use, after a message of used bytes. The side holding the turn calls it. */
    void (*trim)(FacetTransport *t, unsigned lane, size_t used);
    /* Unmaps and frees; waits for nothing. */
    void (*close)(FacetTransport *t);
} FacetTransportOps;

/* What every transport has; platform structs start with it. */
struct FacetTransport {
    const FacetTransportOps *ops;
    unsigned lanes;           /* in all */
    unsigned down;            /* lanes [0, down) carry the host's calls */
    int host;                 /* this end is the host's */
    size_t capacity;          /* bytes of each lane's buffer */
    unsigned char *buffers;   /* lane i's buffer is buffers + i * capacity */
    const uint32_t *dead;     /* nonzero once dead (atomic) */
};

static inline void *facet__tr_buffer(FacetTransport *t, unsigned lane)
{
    return t->buffers + (size_t)lane * t->capacity;
}

static inline int facet__tr_is_dead(const FacetTransport *t)
{
    return facet__atomic_load32((uint32_t *)(uintptr_t)t->dead) != 0;
}

/* ---- The shared memory transport (shm_posix.c, shm_win32.c) ------------ */

/* A new transport of down + up lanes of capacity bytes each (rounded up
 * to whole pages), in new shared memory the child maps with
 * facet__shm_attach. On Linux a sealed memfd (the child cannot shrink
 * it under the host), sparse: a lane's pages exist once used. */
int facet__shm_create(FacetTransport **out, unsigned down, unsigned up, size_t capacity);

/* Maps, in the child, the memory the host made (the handle it passed:
 * a file descriptor, or a section handle on Windows). Checks its header:
 * memory that is not a transport, or whose header claims more than it
 * holds, is FACET_TR_INVALID. The handle stays the caller's. */
int facet__shm_attach(FacetTransport **out, intptr_t handle);

/* The handle to pass to the child: the memfd (close-on-exec; the spawn
 * passes it on), or the section handle (not inheritable; the spawn makes
 * a copy that is, for the child alone). -1 once released. */
intptr_t facet__shm_handle(const FacetTransport *t);

/* Closes the host's handle once the child has it (the mapping stays). */
void facet__shm_release_handle(FacetTransport *t);

/* The wait policy of this side (each side keeps its own). */
void facet__shm_set_policy(FacetTransport *t, const FacetTransportPolicy *policy);

#ifdef _WIN32
/* The process whose end makes every wait on this transport fail with
 * FACET_TR_DEAD: the child's handle in the host, the host's in the child
 * (a waiter waits on it and on the lane's event together). */
void facet__shm_watch_process(FacetTransport *t, void *process);
/* Duplicates the lanes' events into process (the child, made suspended)
 * and writes the child's values of them where its attach reads them. The
 * events are never inheritable, so no other process the host starts gets
 * them; the section goes by a handle list (spawn_win32.c). */
int facet__shm_give(FacetTransport *t, void *process);
#endif

#endif /* FACET_CORE_REMOTE_TRANSPORT_H */
