/*
 * bench/oop/channel.h - a call channel between two processes: shared
 * memory divided into lanes, one synchronous call at a time per lane, a
 * brief spin and then a futex wait. The prototype of the transport of the
 * process host (docs/isolation.md, "Transport"), kept free of the rest of
 * Facet so that the runtime can take it over as it is.
 *
 * One side calls (the host), the other serves (the child). A lane is a
 * buffer and a state word in the shared memory: the caller writes a
 * request into the buffer and posts it, the server reads it, writes its
 * reply over it and posts that. Each calling thread owns a lane for as
 * long as it calls; the server has a thread per lane. Nothing is copied
 * twice and no system call is made while both sides are running: a waiter
 * spins on the state word while its peer is running on another CPU, then
 * sleeps on it (futex), and a poster makes the wake-up call only when its
 * peer sleeps.
 *
 * The peer's death never leaves a waiter asleep: whoever learns of it (a
 * watch thread polling the child's pidfd, or the hang-up of a socket the
 * peer holds) calls facet_chan_mark_dead(), which marks every lane and
 * wakes every waiter; from then on every call fails with
 * FACET_CHAN_DEAD.
 *
 * Linux only (futex, memfd, pidfd); docs/isolation.md gives the Windows
 * equivalents. Not thread-safe per lane: one thread per lane and side.
 */
#ifndef FACET_BENCH_OOP_CHANNEL_H
#define FACET_BENCH_OOP_CHANNEL_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Results of the channel's functions: 0 or one of these. */
#define FACET_CHAN_OK 0
#define FACET_CHAN_DEAD (-1)    /* the peer died, or the channel was shut */
#define FACET_CHAN_INVALID (-2) /* a bad argument, or a length out of range */
#define FACET_CHAN_SYSTEM (-3)  /* a system call failed; errno says which */

/* Limits of a channel. */
#define FACET_CHAN_MAX_LANES 64u
#define FACET_CHAN_MAX_CAPACITY (1u << 20)

/* How a waiter waits (facet_chan_set_policy). */
typedef enum FacetChanWait {
    /* Spin up to spin_ns while the peer runs on another CPU, then sleep:
     * the default, and the design. */
    FACET_CHAN_WAIT_ADAPTIVE = 0,
    /* Never spin: sleep on the futex at once. */
    FACET_CHAN_WAIT_FUTEX = 1,
    /* Spin up to spin_ns whatever the peer does, then sleep: spin_ns of
     * about a second makes it a busy-wait for a benchmark. */
    FACET_CHAN_WAIT_SPIN = 2
} FacetChanWait;

/* The wait policy both sides of a channel follow. Lives in the shared
 * memory, so that one call sets it for both. */
typedef struct FacetChanPolicy {
    FacetChanWait wait;
    uint32_t spin_ns;      /* longest spin of one wait */
    uint32_t max_spinners; /* threads of both processes that may spin at
                              once; 0: as many as the CPUs this process may
                              run on */
} FacetChanPolicy;

/* The spin of the default policy (docs/isolation.md gives the figures that
 * chose it). */
#define FACET_CHAN_DEFAULT_SPIN_NS 20000u

typedef struct FacetChannel FacetChannel;

/* A new channel of lanes lanes of capacity bytes each, in a new memfd that
 * the peer maps with facet_chan_attach (facet_chan_fd gives it; it is
 * close-on-exec: clear the flag or dup2 it for a child that execs). */
int facet_chan_create(FacetChannel **out, unsigned lanes, size_t capacity);

/* Maps the channel of fd (from facet_chan_create, in this process or
 * another). Checks its header: a file that is not a channel, or one whose
 * header claims more than the file holds, is FACET_CHAN_INVALID. fd stays
 * the caller's. */
int facet_chan_attach(FacetChannel **out, int fd);

/* Unmaps the channel and closes the fd facet_chan_create made. Stops the
 * watch thread first. */
void facet_chan_close(FacetChannel *ch);

int facet_chan_fd(const FacetChannel *ch);
unsigned facet_chan_lanes(const FacetChannel *ch);
size_t facet_chan_capacity(const FacetChannel *ch);

/* Sets the wait policy of both sides. */
void facet_chan_set_policy(FacetChannel *ch, const FacetChanPolicy *policy);
void facet_chan_policy(const FacetChannel *ch, FacetChanPolicy *out);

/* The buffer of a lane: capacity bytes in the shared memory. The side
 * that holds the lane (the caller between calls, the server between a
 * request and its reply) may write it; the peer may write it at any time
 * if it is hostile, so read each length once and check it. */
void *facet_chan_buffer(FacetChannel *ch, unsigned lane);

/* The caller's side: posts the len bytes at the start of the lane's
 * buffer and waits for the reply, whose length goes to *reply_len (checked
 * against the capacity). FACET_CHAN_DEAD once the peer is gone. */
int facet_chan_call(FacetChannel *ch, unsigned lane, size_t len, size_t *reply_len);

/* The server's side: waits for the next request on lane (its length in
 * *len), then answers it with facet_chan_reply. */
int facet_chan_wait_request(FacetChannel *ch, unsigned lane, size_t *len);
int facet_chan_reply(FacetChannel *ch, unsigned lane, size_t len);

/* Marks the channel dead and wakes every waiter of both sides; every
 * call and wait after it returns FACET_CHAN_DEAD. Async-signal-safe. */
void facet_chan_mark_dead(FacetChannel *ch);
int facet_chan_is_dead(const FacetChannel *ch);

/* Starts a thread that polls fd (a pidfd of the peer, or a socket or pipe
 * the peer holds the other end of) and marks the channel dead as soon as
 * it becomes readable or hangs up. One watch per channel; it ends with
 * facet_chan_close, which does not close fd. */
int facet_chan_watch(FacetChannel *ch, int fd);

/* A pidfd of pid (pidfd_open), or -1 with errno where the kernel has none
 * (before Linux 5.3): then watch a socket the peer holds instead. */
int facet_chan_pidfd(int pid);

#ifdef __cplusplus
}
#endif

#endif
