/*
 * tests/remote/transport.c - the shared memory transport of the process
 * host (core/remote/transport.h): messages reach a child that mapped the
 * memory from its handle and come back right, under every wait policy,
 * from several threads at once, on the lanes the child calls on too, and
 * nested (a message answered with a message back); the child's death ends
 * a wait at once, whether a pidfd or a pipe's hang-up tells it; a wait
 * past its deadline ends with FACET_TR_TIMEOUT; a hostile length kills the
 * transport instead of being used; the child cannot shrink the memory
 * under the host; memory that is not a transport is refused; a big
 * message's pages are given back. Every negative check has its positive
 * control in the same test, and an alarm turns a wait that never ends
 * into a failure.
 *
 * Built from the transport's own source (it is internal to libfacet).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "remote/transport.h"

#define MSG 64
#define CAP 4096
#define CALLS 2000

/* What the child does. */
typedef enum Behaviour {
    ANSWER,       /* the counter plus one, forever, on every lane it serves */
    DIE_ON_FIRST, /* SIGKILL itself on the first message */
    LONG_REPLY,   /* post a reply at how_off, how_len, bypassing the API */
    EXIT_AT_ONCE, /* exit before any message */
    CALL_HOST,    /* call the host on its first lane, CALLS times, then exit */
    CALL_BACK,    /* answer each message with a message back first */
    SILENT,       /* take the message and never answer */
    SHRINK        /* try to shrink the memory, and report what happened */
} Behaviour;

/* Where a LONG_REPLY child says its reply lies (set before the fork). */
static uint32_t how_off, how_len;

typedef struct Child {
    pid_t pid;
    int lifeline; /* the read end of a pipe only the child holds open */
} Child;

static uint64_t get64(const unsigned char *p)
{
    uint64_t v;
    memcpy(&v, p, sizeof(v));
    return v;
}

static void put64(unsigned char *p, uint64_t v)
{
    memcpy(p, &v, sizeof(v));
}

/* Exchanges len bytes at the start of the buffer; the answer must be at
 * its start too. */
static int exchange(FacetTransport *t, unsigned lane, size_t len, size_t *got)
{
    size_t off = 0;
    int r = t->ops->exchange(t, lane, 0, len, &off, got, 0);
    return r == FACET_TR_OK && off != 0 ? 101 : r;
}

static int wait_first(FacetTransport *t, unsigned lane, size_t *got)
{
    size_t off = 0;
    int r = t->ops->wait(t, lane, &off, got, 0);
    return r == FACET_TR_OK && off != 0 ? 101 : r;
}

typedef struct Server {
    FacetTransport *t;
    unsigned lane;
    Behaviour how;
} Server;

/* Serves one lane until the transport dies: waits for a message, answers
 * it (after a message back and its answer, for CALL_BACK). */
static void *serve_lane(void *arg)
{
    Server *s = arg;
    unsigned char *buf = facet__tr_buffer(s->t, s->lane);
    size_t len;
    int r = wait_first(s->t, s->lane, &len);
    while (r == FACET_TR_OK) {
        uint64_t c;
        if (len != MSG)
            _exit(3);
        c = get64(buf);
        if (s->how == CALL_BACK) {
            /* The message back carries c * 2; its answer must be c * 2 + 1. */
            put64(buf, c * 2);
            if (exchange(s->t, s->lane, MSG, &len) != FACET_TR_OK || len != MSG ||
                get64(buf) != c * 2 + 1)
                _exit(7);
        }
        put64(buf, c + 1);
        r = exchange(s->t, s->lane, MSG, &len);
    }
    return NULL;
}

/* The lane's control words, as shm_lanes.h lays them out (a line of
 * header, then a line per lane: state, len, two CPU words, off): a
 * hostile child writes them directly, once the host has posted its
 * message. */
static void post_raw(void *base, unsigned lane, uint32_t off, uint32_t len)
{
    uint32_t *words = (uint32_t *)(void *)((unsigned char *)base + 64 + lane * 64);
    while ((__atomic_load_n(&words[0], __ATOMIC_ACQUIRE) & 3u) != 1u) /* the server's phase */
        usleep(1000);
    __atomic_store_n(&words[4], off, __ATOMIC_RELAXED);
    __atomic_store_n(&words[1], len, __ATOMIC_RELAXED);
    __atomic_store_n(&words[0], 0u, __ATOMIC_RELEASE); /* the caller's phase, no waiter */
    syscall(SYS_futex, &words[0], FUTEX_WAKE, 1, NULL, NULL, 0);
}

/* The child maps the transport from its handle, as the process host
 * does, and serves every lane the host calls on with a thread of its own. */
static void child_main(int fd, Behaviour how)
{
    FacetTransport *t;
    pthread_t threads[FACET_TR_MAX_LANES];
    Server servers[FACET_TR_MAX_LANES];
    unsigned i;
    size_t len;
    if (how == EXIT_AT_ONCE)
        _exit(0);
    if (facet__shm_attach(&t, fd) != FACET_TR_OK || t->host)
        _exit(2);
    if (how == SHRINK) {
        /* 10: the shrink was refused, 11: it was allowed; the host's
         * check then reads the status. Growing is refused too. */
        int shrunk = ftruncate(fd, 4096) == 0, grown = ftruncate(fd, 1 << 30) == 0;
        _exit(shrunk || grown ? 11 : 10);
    }
    if (how == DIE_ON_FIRST) {
        wait_first(t, 0, &len);
        raise(SIGKILL);
    }
    if (how == SILENT) {
        wait_first(t, 0, &len);
        pause();
        _exit(0);
    }
    if (how == LONG_REPLY) {
        if (wait_first(t, 0, &len) != FACET_TR_OK)
            _exit(4);
        post_raw((unsigned char *)facet__tr_buffer(t, 0) - 4096, 0, how_off, how_len);
        pause(); /* the host must not wait for more */
        _exit(0);
    }
    if (how == CALL_HOST) {
        unsigned char *buf = facet__tr_buffer(t, t->down);
        uint64_t k;
        for (k = 0; k < CALLS; k++) {
            put64(buf, k * 3);
            if (exchange(t, t->down, MSG, &len) != FACET_TR_OK || len != MSG ||
                get64(buf) != k * 3 + 1)
                _exit(8);
        }
        _exit(0);
    }
    for (i = 0; i < t->down; i++) {
        servers[i].t = t;
        servers[i].lane = i;
        servers[i].how = how;
        if (pthread_create(&threads[i], NULL, serve_lane, &servers[i]) != 0)
            _exit(6);
    }
    for (i = 0; i < t->down; i++)
        pthread_join(threads[i], NULL);
    _exit(0);
}

static Child start_child(FacetTransport *t, Behaviour how)
{
    Child c;
    int life[2];
    assert_int_equal(pipe2(life, O_CLOEXEC), 0);
    c.pid = fork();
    assert_true(c.pid >= 0);
    if (c.pid == 0) {
        /* A failed test leaves no child behind. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        close(life[0]);
        child_main((int)facet__shm_handle(t), how);
    }
    close(life[1]);
    c.lifeline = life[0];
    return c;
}

/* Ends the child (kill, which a finished one ignores) and reaps it. */
static int reap(Child *c)
{
    int status = 0;
    kill(c->pid, SIGKILL);
    waitpid(c->pid, &status, 0);
    close(c->lifeline);
    return status;
}

/* ---- A watch: what the connection does, in small ------------------------ */

typedef struct Watch {
    pthread_t thread;
    FacetTransport *t;
    int fd;
    int stop[2];
} Watch;

static void *watch_main(void *arg)
{
    Watch *w = arg;
    struct pollfd p[2] = {{w->fd, POLLIN, 0}, {w->stop[0], POLLIN, 0}};
    while (poll(p, 2, -1) < 0 && errno == EINTR)
        ;
    if (p[1].revents == 0)
        w->t->ops->mark_dead(w->t);
    return NULL;
}

static void watch_start(Watch *w, FacetTransport *t, int fd)
{
    w->t = t;
    w->fd = fd;
    assert_int_equal(pipe2(w->stop, O_CLOEXEC), 0);
    assert_int_equal(pthread_create(&w->thread, NULL, watch_main, w), 0);
}

static void watch_stop(Watch *w)
{
    close(w->stop[1]);
    pthread_join(w->thread, NULL);
    close(w->stop[0]);
}

/* ---- Calls ------------------------------------------------------------ */

static int call_counter(FacetTransport *t, unsigned lane, uint64_t counter)
{
    unsigned char *buf = facet__tr_buffer(t, lane);
    size_t len = 0;
    int r;
    memset(buf, 0x5a, MSG);
    put64(buf, counter);
    r = exchange(t, lane, MSG, &len);
    if (r != FACET_TR_OK)
        return r;
    return len == MSG && get64(buf) == counter + 1 && buf[MSG - 1] == 0x5a ? 0 : 100;
}

static FacetTransport *new_transport(unsigned down, unsigned up, uint32_t wait, uint32_t spin_ns)
{
    FacetTransport *t = NULL;
    FacetTransportPolicy pol = {wait, spin_ns, 0};
    assert_int_equal(facet__shm_create(&t, down, up, CAP), FACET_TR_OK);
    assert_true(t->host);
    assert_int_equal(t->capacity, CAP);
    facet__shm_set_policy(t, &pol);
    return t;
}

static void round_trips(uint32_t wait, uint32_t spin_ns, Behaviour how)
{
    FacetTransport *t = new_transport(1, 0, wait, spin_ns);
    Child c = start_child(t, how);
    Watch w;
    uint64_t i;
    int status;
    watch_start(&w, t, c.lifeline);
    alarm(60); /* a lost wake-up fails the test instead of hanging it */
    for (i = 0; i < CALLS; i++) {
        if (how == CALL_BACK) {
            /* The message back first: answer it, then read the answer. */
            unsigned char *buf = facet__tr_buffer(t, 0);
            size_t len;
            put64(buf, i * 7);
            assert_int_equal(exchange(t, 0, MSG, &len), FACET_TR_OK);
            assert_int_equal(get64(buf), i * 14);
            put64(buf, i * 14 + 1);
            assert_int_equal(exchange(t, 0, MSG, &len), FACET_TR_OK);
            assert_int_equal(get64(buf), i * 7 + 1);
        } else {
            assert_int_equal(call_counter(t, 0, i * 7), 0);
        }
    }
    alarm(0);
    /* Marking it dead ends the child's wait: it exits by itself. */
    t->ops->mark_dead(t);
    assert_int_equal(waitpid(c.pid, &status, 0), c.pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    watch_stop(&w);
    close(c.lifeline);
    t->ops->close(t);
}

static void test_round_trips_adaptive(void **state)
{
    (void)state;
    round_trips(FACET_TR_WAIT_ADAPTIVE, FACET_TR_DEFAULT_SPIN_NS, ANSWER);
}

static void test_round_trips_blocking(void **state)
{
    (void)state;
    round_trips(FACET_TR_WAIT_BLOCK, 0, ANSWER);
}

static void test_round_trips_spinning(void **state)
{
    (void)state;
    round_trips(FACET_TR_WAIT_SPIN, 100000, ANSWER);
}

/* A message answered with a message back, whose answer comes before the
 * answer to the first: the nesting a call back into the host makes. */
static void test_message_back_before_the_answer(void **state)
{
    (void)state;
    round_trips(FACET_TR_WAIT_ADAPTIVE, FACET_TR_DEFAULT_SPIN_NS, CALL_BACK);
}

/* ---- Several threads, a lane each -------------------------------------- */

typedef struct Caller {
    FacetTransport *t;
    unsigned lane;
    int failures;
} Caller;

static void *call_many(void *arg)
{
    Caller *c = arg;
    uint64_t i;
    for (i = 0; i < CALLS; i++)
        if (call_counter(c->t, c->lane, (uint64_t)c->lane << 32 | i) != 0)
            c->failures++;
    return NULL;
}

static void test_threads_each_on_a_lane(void **state)
{
    enum { THREADS = 3 };
    FacetTransport *t = new_transport(THREADS, 1, FACET_TR_WAIT_ADAPTIVE, FACET_TR_DEFAULT_SPIN_NS);
    Child c = start_child(t, ANSWER);
    pthread_t th[THREADS];
    Caller callers[THREADS];
    unsigned i;
    (void)state;
    for (i = 0; i < THREADS; i++) {
        callers[i].t = t;
        callers[i].lane = i;
        callers[i].failures = 0;
        assert_int_equal(pthread_create(&th[i], NULL, call_many, &callers[i]), 0);
    }
    alarm(60);
    for (i = 0; i < THREADS; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(callers[i].failures, 0);
    }
    alarm(0);
    reap(&c);
    t->ops->close(t);
}

/* The child calls on a lane of its own and the host serves it. */
static void test_child_calls_the_host(void **state)
{
    FacetTransport *t = new_transport(1, 2, FACET_TR_WAIT_ADAPTIVE, FACET_TR_DEFAULT_SPIN_NS);
    Child c = start_child(t, CALL_HOST);
    Server s = {t, 1, ANSWER};
    pthread_t th;
    int status;
    Watch w;
    (void)state;
    assert_int_equal(t->down, 1);
    assert_int_equal(t->lanes, 3);
    watch_start(&w, t, c.lifeline);
    assert_int_equal(pthread_create(&th, NULL, serve_lane, &s), 0);
    alarm(60);
    assert_int_equal(waitpid(c.pid, &status, 0), c.pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0); /* every answer was right */
    pthread_join(th, NULL); /* the child's end ended the host's wait */
    alarm(0);
    assert_true(facet__tr_is_dead(t));
    watch_stop(&w);
    close(c.lifeline);
    t->ops->close(t);
}

/* ---- The child's death ------------------------------------------------- */

/* An exchange whose child dies while it waits: FACET_TR_DEAD, and every
 * exchange after it too. The watch is on the child's pidfd (use_pidfd) or
 * on the hang-up of the lifeline pipe. The positive controls: the
 * round-trip tests, whose children are made and watched the same way. */
static void death_during_call(int use_pidfd, uint32_t wait)
{
    FacetTransport *t = new_transport(1, 0, wait, FACET_TR_DEFAULT_SPIN_NS);
    Child c = start_child(t, DIE_ON_FIRST);
    int fd = use_pidfd ? (int)syscall(SYS_pidfd_open, c.pid, 0) : c.lifeline;
    Watch w;
    assert_true(fd >= 0);
    watch_start(&w, t, fd);
    alarm(20); /* a wait that never ends fails the test instead of hanging it */
    assert_int_equal(call_counter(t, 0, 1), FACET_TR_DEAD);
    assert_true(facet__tr_is_dead(t));
    assert_int_equal(call_counter(t, 0, 2), FACET_TR_DEAD);
    alarm(0);
    assert_true(WIFSIGNALED(reap(&c)));
    watch_stop(&w);
    t->ops->close(t);
    if (use_pidfd)
        close(fd);
}

static void test_death_seen_through_pidfd(void **state)
{
    int fd = (int)syscall(SYS_pidfd_open, getpid(), 0);
    (void)state;
    if (fd < 0) {
        print_message("SKIPPED: pidfd_open: %s (Linux 5.3 or later, or not under this tool)\n",
                      strerror(errno));
        skip();
    }
    close(fd);
    death_during_call(1, FACET_TR_WAIT_ADAPTIVE);
}

static void test_death_seen_through_pipe_hangup(void **state)
{
    (void)state;
    death_during_call(0, FACET_TR_WAIT_ADAPTIVE);
    death_during_call(0, FACET_TR_WAIT_BLOCK);
}

/* The child is gone before the call: the call does not wait for it. The
 * positive control: a live child's call succeeds on a transport made the
 * same way. */
static void test_death_before_call(void **state)
{
    FacetTransport *t = new_transport(1, 0, FACET_TR_WAIT_ADAPTIVE, FACET_TR_DEFAULT_SPIN_NS);
    FacetTransport *live = new_transport(1, 0, FACET_TR_WAIT_ADAPTIVE, FACET_TR_DEFAULT_SPIN_NS);
    Child c = start_child(t, EXIT_AT_ONCE), l = start_child(live, ANSWER);
    Watch w;
    (void)state;
    watch_start(&w, t, c.lifeline);
    waitpid(c.pid, NULL, 0);
    alarm(20);
    assert_int_equal(call_counter(live, 0, 9), 0);
    assert_int_equal(call_counter(t, 0, 9), FACET_TR_DEAD);
    alarm(0);
    reap(&l);
    watch_stop(&w);
    close(c.lifeline);
    t->ops->close(t);
    live->ops->close(live);
}

/* A child that never answers: the wait ends at its deadline, not before
 * and not much after. The positive control: the same deadline on a child
 * that answers is met. */
static void test_deadline(void **state)
{
    FacetTransport *t = new_transport(1, 0, FACET_TR_WAIT_ADAPTIVE, FACET_TR_DEFAULT_SPIN_NS);
    FacetTransport *live = new_transport(1, 0, FACET_TR_WAIT_ADAPTIVE, FACET_TR_DEFAULT_SPIN_NS);
    Child c = start_child(t, SILENT), l = start_child(live, ANSWER);
    struct timespec a, b;
    size_t off, len;
    long ms;
    (void)state;
    alarm(20);
    put64(facet__tr_buffer(live, 0), 41);
    assert_int_equal(live->ops->exchange(live, 0, 0, MSG, &off, &len, 5000), FACET_TR_OK);
    assert_int_equal(get64(facet__tr_buffer(live, 0)), 42);
    clock_gettime(CLOCK_MONOTONIC, &a);
    assert_int_equal(t->ops->exchange(t, 0, 0, MSG, &off, &len, 200), FACET_TR_TIMEOUT);
    clock_gettime(CLOCK_MONOTONIC, &b);
    alarm(0);
    ms = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
    assert_true(ms >= 190);
    assert_true(ms < 5000);
    reap(&c);
    reap(&l);
    t->ops->close(t);
    live->ops->close(live);
}

/* ---- A hostile child --------------------------------------------------- */

/* A reply that does not lie in the buffer: longer than it, running past
 * its end from an offset inside it, at an offset past it, or at an offset
 * that is not a multiple of 8. */
static void test_reply_outside_the_buffer_kills_the_transport(void **state)
{
    static const uint32_t cases[][2] = {
        {0, CAP + 1}, {CAP - 64, 72}, {CAP + 8, 0}, {4, MSG}, {0xFFFFFFF8u, 16}};
    size_t i;
    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        FacetTransport *t = new_transport(1, 0, FACET_TR_WAIT_ADAPTIVE, FACET_TR_DEFAULT_SPIN_NS);
        Child c;
        how_off = cases[i][0];
        how_len = cases[i][1];
        c = start_child(t, LONG_REPLY);
        alarm(20);
        assert_int_equal(call_counter(t, 0, 1), FACET_TR_INVALID);
        assert_true(facet__tr_is_dead(t));
        assert_int_equal(call_counter(t, 0, 2), FACET_TR_DEAD);
        alarm(0);
        reap(&c);
        t->ops->close(t);
    }
}

/* The positive control of the test above: the same raw post of a reply
 * that lies in the buffer (at its end) is a good reply. */
static void test_raw_reply_that_fits_is_taken(void **state)
{
    FacetTransport *t = new_transport(1, 0, FACET_TR_WAIT_BLOCK, 0);
    void *base = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, (int)facet__shm_handle(t), 0);
    pid_t pid;
    size_t off = 0, len = 0;
    (void)state;
    assert_true(base != MAP_FAILED);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        post_raw(base, 0, CAP - MSG, MSG);
        _exit(0);
    }
    alarm(20);
    assert_int_equal(t->ops->exchange(t, 0, 0, MSG, &off, &len, 0), FACET_TR_OK);
    alarm(0);
    assert_int_equal(off, CAP - MSG);
    assert_int_equal(len, MSG);
    waitpid(pid, NULL, 0);
    munmap(base, 4096);
    t->ops->close(t);
}

/* The child holds the memory's handle, but the memory is sealed: it
 * cannot shrink it (which would make the host's next read of a lane a
 * SIGBUS) or grow it. The positive control: the child did run and attach
 * (exit status 10 or 11, not 2). */
static void test_child_cannot_shrink_the_memory(void **state)
{
    FacetTransport *t = new_transport(2, 1, FACET_TR_WAIT_BLOCK, 0);
    Child c = start_child(t, SHRINK);
    int status;
    struct stat st;
    (void)state;
    assert_int_equal(waitpid(c.pid, &status, 0), c.pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 10);
    assert_int_equal(fstat((int)facet__shm_handle(t), &st), 0);
    assert_true((size_t)st.st_size >= 3 * CAP);
    memset(facet__tr_buffer(t, 2), 1, CAP); /* the last page is still there */
    close(c.lifeline);
    t->ops->close(t);
}

/* ---- Memory ----------------------------------------------------------- */

/* The buffers are sparse: a transport of large lanes costs nothing until
 * a message reaches their pages, and trim gives a big message's pages
 * back, beyond the 2 MiB a lane keeps. */
static void test_big_message_pages_are_given_back(void **state)
{
    FacetTransport *t = NULL;
    struct stat st;
    size_t big = 8u << 20;
    (void)state;
    assert_int_equal(facet__shm_create(&t, 2, 1, big), FACET_TR_OK);
    assert_int_equal(fstat((int)facet__shm_handle(t), &st), 0);
    assert_true((uint64_t)st.st_blocks * 512 < 1u << 20); /* nothing used yet */
    memset(facet__tr_buffer(t, 1), 0x33, big);
    assert_int_equal(fstat((int)facet__shm_handle(t), &st), 0);
    assert_true((uint64_t)st.st_blocks * 512 >= big);
    t->ops->trim(t, 1, big);
    assert_int_equal(fstat((int)facet__shm_handle(t), &st), 0);
    assert_true((uint64_t)st.st_blocks * 512 < 3u << 20);
    t->ops->close(t);
}

/* ---- Arguments and memory that is not a transport ---------------------- */

static void test_attach_refuses_what_is_not_a_transport(void **state)
{
    FacetTransport *t = NULL, *mapped = NULL;
    unsigned char junk[4096];
    int fd = memfd_create("not-a-transport", MFD_CLOEXEC), small;
    uint32_t hdr[8];
    (void)state;
    assert_true(fd >= 0);
    memset(junk, 0xab, sizeof(junk));
    assert_int_equal(write(fd, junk, sizeof(junk)), (ssize_t)sizeof(junk));
    assert_int_equal(facet__shm_attach(&mapped, fd), FACET_TR_INVALID);
    assert_null(mapped);
    close(fd);

    /* A real header that claims more lanes than the memory holds. */
    assert_int_equal(facet__shm_create(&t, 2, 0, MSG), FACET_TR_OK);
    assert_int_equal(pread((int)facet__shm_handle(t), hdr, sizeof(hdr), 0), (ssize_t)sizeof(hdr));
    small = memfd_create("short-transport", MFD_CLOEXEC);
    assert_true(small >= 0);
    assert_int_equal(write(small, hdr, sizeof(hdr)), (ssize_t)sizeof(hdr));
    assert_int_equal(ftruncate(small, 4096 + 4096), 0); /* one lane of two */
    assert_int_equal(facet__shm_attach(&mapped, small), FACET_TR_INVALID);
    close(small);

    /* The positive control: the real memory attaches, with its shape, as
     * the child's end. */
    assert_int_equal(facet__shm_attach(&mapped, facet__shm_handle(t)), FACET_TR_OK);
    assert_int_equal(mapped->lanes, 2);
    assert_int_equal(mapped->down, 2);
    assert_int_equal(mapped->capacity, 4096);
    assert_false(mapped->host);
    mapped->ops->close(mapped);
    t->ops->close(t);
}

static void test_bad_arguments(void **state)
{
    FacetTransport *t = NULL;
    size_t off, len;
    (void)state;
    assert_int_equal(facet__shm_create(&t, 0, 1, MSG), FACET_TR_INVALID);
    assert_int_equal(facet__shm_create(&t, FACET_TR_MAX_LANES, 1, MSG), FACET_TR_INVALID);
    assert_int_equal(facet__shm_create(&t, 1, 0, 0), FACET_TR_INVALID);
    assert_int_equal(facet__shm_create(&t, 1, 0, (size_t)2 << 30), FACET_TR_INVALID);
    assert_int_equal(facet__shm_attach(&t, -1), FACET_TR_INVALID);
    assert_int_equal(facet__shm_create(&t, 1, 0, MSG), FACET_TR_OK);
    assert_int_equal(t->ops->exchange(t, 1, 0, MSG, &off, &len, 0), FACET_TR_INVALID);
    assert_int_equal(t->ops->exchange(t, 0, 0, CAP + 1, &off, &len, 0), FACET_TR_INVALID);
    assert_int_equal(t->ops->exchange(t, 0, 8, CAP - 7, &off, &len, 0), FACET_TR_INVALID);
    assert_int_equal(t->ops->exchange(t, 0, 4, 8, &off, &len, 0), FACET_TR_INVALID);
    assert_int_equal(t->ops->wait(t, 1, &off, &len, 0), FACET_TR_INVALID);
    facet__shm_release_handle(t);
    assert_int_equal(facet__shm_handle(t), -1);
    t->ops->close(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trips_adaptive),
        cmocka_unit_test(test_round_trips_blocking),
        cmocka_unit_test(test_round_trips_spinning),
        cmocka_unit_test(test_message_back_before_the_answer),
        cmocka_unit_test(test_threads_each_on_a_lane),
        cmocka_unit_test(test_child_calls_the_host),
        cmocka_unit_test(test_death_seen_through_pidfd),
        cmocka_unit_test(test_death_seen_through_pipe_hangup),
        cmocka_unit_test(test_death_before_call),
        cmocka_unit_test(test_deadline),
        cmocka_unit_test(test_reply_outside_the_buffer_kills_the_transport),
        cmocka_unit_test(test_raw_reply_that_fits_is_taken),
        cmocka_unit_test(test_child_cannot_shrink_the_memory),
        cmocka_unit_test(test_big_message_pages_are_given_back),
        cmocka_unit_test(test_attach_refuses_what_is_not_a_transport),
        cmocka_unit_test(test_bad_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
