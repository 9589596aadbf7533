/*
 * tests/oop/channel.c - the call channel of bench/oop/channel.h, the
 * prototype transport of the process host: calls reach a child that
 * mapped the channel from its fd and come back right, under every wait
 * policy and from several threads at once; the child's death ends a wait
 * at once, whether a pidfd or a pipe's hang-up tells it; a hostile length
 * kills the channel instead of being used; a file that is not a channel
 * is refused. Every negative check has its positive control in the same
 * test, and an alarm turns a wait that never ends into a failure.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
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
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "channel.h"

#define MSG 64
#define CALLS 2000

/* What the child does with a request. */
typedef enum Behaviour {
    ANSWER,       /* the counter plus one, forever */
    DIE_ON_FIRST, /* SIGKILL itself on the first request */
    LONG_REPLY,   /* post a reply longer than the buffer, bypassing the API */
    EXIT_AT_ONCE  /* exit before any request */
} Behaviour;

typedef struct Child {
    pid_t pid;
    int lifeline; /* the read end of a pipe only the child holds open */
} Child;

static void answer(unsigned char *buf)
{
    uint64_t c;
    memcpy(&c, buf, sizeof(c));
    c++;
    memcpy(buf, &c, sizeof(c));
}

typedef struct Server {
    FacetChannel *ch;
    unsigned lane;
} Server;

static void *serve_lane(void *arg)
{
    Server *s = arg;
    size_t len;
    while (facet_chan_wait_request(s->ch, s->lane, &len) == FACET_CHAN_OK) {
        if (len != MSG)
            _exit(3);
        answer(facet_chan_buffer(s->ch, s->lane));
        if (facet_chan_reply(s->ch, s->lane, MSG) != FACET_CHAN_OK)
            break;
    }
    return NULL;
}

/* The lane's control words, as channel.c lays them out (a line of
 * header, then per lane a line of words and the buffer): a hostile child
 * writes them directly, once the host has posted its request. */
static void post_raw(void *base, unsigned lane, size_t capacity, uint32_t len)
{
    uint32_t *words = (uint32_t *)(void *)((unsigned char *)base + 64 + lane * (64 + capacity));
    while ((__atomic_load_n(&words[0], __ATOMIC_ACQUIRE) & 3u) != 1u) /* the request phase */
        usleep(1000);
    __atomic_store_n(&words[1], len, __ATOMIC_RELAXED);
    __atomic_store_n(&words[0], 0u, __ATOMIC_RELEASE); /* the caller's phase, no waiter */
    syscall(SYS_futex, &words[0], FUTEX_WAKE, 1, NULL, NULL, 0);
}

/* The child maps the channel from its fd, as an exec'd process host
 * would, and serves every lane with a thread of its own. */
static void child_main(int fd, Behaviour how)
{
    FacetChannel *ch;
    pthread_t threads[FACET_CHAN_MAX_LANES];
    Server servers[FACET_CHAN_MAX_LANES];
    unsigned lanes, i;
    size_t len;
    if (how == EXIT_AT_ONCE)
        _exit(0);
    if (facet_chan_attach(&ch, fd) != FACET_CHAN_OK)
        _exit(2);
    lanes = facet_chan_lanes(ch);
    if (how == DIE_ON_FIRST) {
        facet_chan_wait_request(ch, 0, &len);
        raise(SIGKILL);
    }
    if (how == LONG_REPLY) {
        void *base;
        size_t cap = facet_chan_capacity(ch);
        if (facet_chan_wait_request(ch, 0, &len) != FACET_CHAN_OK)
            _exit(4);
        base = mmap(NULL, 64 + lanes * (64 + cap), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        if (base == MAP_FAILED)
            _exit(5);
        post_raw(base, 0, cap, (uint32_t)cap + 1);
        pause(); /* the host must not wait for more */
        _exit(0);
    }
    for (i = 0; i < lanes; i++) {
        servers[i].ch = ch;
        servers[i].lane = i;
        if (pthread_create(&threads[i], NULL, serve_lane, &servers[i]) != 0)
            _exit(6);
    }
    for (i = 0; i < lanes; i++)
        pthread_join(threads[i], NULL);
    _exit(0);
}

static Child start_child(FacetChannel *ch, Behaviour how)
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
        child_main(facet_chan_fd(ch), how);
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

static int call_counter(FacetChannel *ch, unsigned lane, uint64_t counter)
{
    unsigned char *buf = facet_chan_buffer(ch, lane);
    uint64_t back;
    size_t len = 0;
    int r;
    memset(buf, 0x5a, MSG);
    memcpy(buf, &counter, sizeof(counter));
    r = facet_chan_call(ch, lane, MSG, &len);
    if (r != FACET_CHAN_OK)
        return r;
    memcpy(&back, buf, sizeof(back));
    return len == MSG && back == counter + 1 && buf[MSG - 1] == 0x5a ? 0 : 100;
}

static FacetChannel *new_channel(unsigned lanes, FacetChanWait wait, uint32_t spin_ns)
{
    FacetChannel *ch = NULL;
    FacetChanPolicy pol = {wait, spin_ns, 0};
    assert_int_equal(facet_chan_create(&ch, lanes, MSG), FACET_CHAN_OK);
    facet_chan_set_policy(ch, &pol);
    return ch;
}

static void round_trips(FacetChanWait wait, uint32_t spin_ns)
{
    FacetChannel *ch = new_channel(1, wait, spin_ns);
    Child c = start_child(ch, ANSWER);
    uint64_t i;
    int status;
    assert_int_equal(facet_chan_watch(ch, c.lifeline), FACET_CHAN_OK);
    alarm(60); /* a lost wake-up fails the test instead of hanging it */
    for (i = 0; i < CALLS; i++)
        assert_int_equal(call_counter(ch, 0, i * 7), 0);
    alarm(0);
    /* Shutting the channel ends the child's wait: it exits by itself. */
    facet_chan_mark_dead(ch);
    assert_int_equal(waitpid(c.pid, &status, 0), c.pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    close(c.lifeline);
    facet_chan_close(ch);
}

static void test_round_trips_adaptive(void **state)
{
    (void)state;
    round_trips(FACET_CHAN_WAIT_ADAPTIVE, FACET_CHAN_DEFAULT_SPIN_NS);
}

static void test_round_trips_futex(void **state)
{
    (void)state;
    round_trips(FACET_CHAN_WAIT_FUTEX, 0);
}

static void test_round_trips_spin(void **state)
{
    (void)state;
    round_trips(FACET_CHAN_WAIT_SPIN, 100000);
}

/* ---- Several threads, a lane each ---------------------------------------- */

typedef struct Caller {
    FacetChannel *ch;
    unsigned lane;
    int failures;
} Caller;

static void *call_many(void *arg)
{
    Caller *c = arg;
    uint64_t i;
    for (i = 0; i < CALLS; i++)
        if (call_counter(c->ch, c->lane, (uint64_t)c->lane << 32 | i) != 0)
            c->failures++;
    return NULL;
}

static void test_threads_each_on_a_lane(void **state)
{
    enum { THREADS = 3 };
    FacetChannel *ch = new_channel(THREADS, FACET_CHAN_WAIT_ADAPTIVE, FACET_CHAN_DEFAULT_SPIN_NS);
    Child c = start_child(ch, ANSWER);
    pthread_t t[THREADS];
    Caller callers[THREADS];
    unsigned i;
    (void)state;
    assert_int_equal(facet_chan_watch(ch, c.lifeline), FACET_CHAN_OK);
    for (i = 0; i < THREADS; i++) {
        callers[i].ch = ch;
        callers[i].lane = i;
        callers[i].failures = 0;
        assert_int_equal(pthread_create(&t[i], NULL, call_many, &callers[i]), 0);
    }
    alarm(60);
    for (i = 0; i < THREADS; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(callers[i].failures, 0);
    }
    alarm(0);
    reap(&c);
    facet_chan_close(ch);
}

/* ---- The child's death ------------------------------------------------- */

/* A call whose child dies while it waits: FACET_CHAN_DEAD, and every call
 * after it too. The watch is on the child's pidfd (use_pidfd) or on the
 * hang-up of the lifeline pipe. The positive controls: the round-trip
 * tests, whose children are made and watched the same way. */
static void death_during_call(int use_pidfd, FacetChanWait wait)
{
    FacetChannel *ch = new_channel(1, wait, FACET_CHAN_DEFAULT_SPIN_NS);
    Child c = start_child(ch, DIE_ON_FIRST);
    int fd = use_pidfd ? facet_chan_pidfd(c.pid) : c.lifeline;
    assert_true(fd >= 0);
    assert_int_equal(facet_chan_watch(ch, fd), FACET_CHAN_OK);
    alarm(20); /* a wait that never ends fails the test instead of hanging it */
    assert_int_equal(call_counter(ch, 0, 1), FACET_CHAN_DEAD);
    assert_true(facet_chan_is_dead(ch));
    assert_int_equal(call_counter(ch, 0, 2), FACET_CHAN_DEAD);
    alarm(0);
    assert_true(WIFSIGNALED(reap(&c)));
    facet_chan_close(ch);
    if (use_pidfd)
        close(fd);
}

static void test_death_seen_through_pidfd(void **state)
{
    int fd = facet_chan_pidfd(getpid());
    (void)state;
    if (fd < 0) {
        print_message("SKIPPED: pidfd_open: %s (Linux 5.3 or later, or not under this tool)\n",
                      strerror(errno));
        skip();
    }
    close(fd);
    death_during_call(1, FACET_CHAN_WAIT_ADAPTIVE);
}

static void test_death_seen_through_pipe_hangup(void **state)
{
    (void)state;
    death_during_call(0, FACET_CHAN_WAIT_ADAPTIVE);
    death_during_call(0, FACET_CHAN_WAIT_FUTEX);
}

/* The child is gone before the call: the call does not wait for it. The
 * positive control: a live child's call succeeds on a channel made the
 * same way. */
static void test_death_before_call(void **state)
{
    FacetChannel *ch = new_channel(1, FACET_CHAN_WAIT_ADAPTIVE, FACET_CHAN_DEFAULT_SPIN_NS);
    FacetChannel *live = new_channel(1, FACET_CHAN_WAIT_ADAPTIVE, FACET_CHAN_DEFAULT_SPIN_NS);
    Child c = start_child(ch, EXIT_AT_ONCE), l = start_child(live, ANSWER);
    (void)state;
    assert_int_equal(facet_chan_watch(ch, c.lifeline), FACET_CHAN_OK);
    assert_int_equal(facet_chan_watch(live, l.lifeline), FACET_CHAN_OK);
    waitpid(c.pid, NULL, 0);
    alarm(20);
    assert_int_equal(call_counter(live, 0, 9), 0);
    assert_int_equal(call_counter(ch, 0, 9), FACET_CHAN_DEAD);
    alarm(0);
    reap(&l);
    close(c.lifeline);
    facet_chan_close(ch);
    facet_chan_close(live);
}

/* ---- A hostile child --------------------------------------------------- */

static void test_reply_longer_than_the_buffer_kills_the_channel(void **state)
{
    FacetChannel *ch = new_channel(1, FACET_CHAN_WAIT_ADAPTIVE, FACET_CHAN_DEFAULT_SPIN_NS);
    Child c = start_child(ch, LONG_REPLY);
    (void)state;
    assert_int_equal(facet_chan_watch(ch, c.lifeline), FACET_CHAN_OK);
    alarm(20);
    assert_int_equal(call_counter(ch, 0, 1), FACET_CHAN_INVALID);
    assert_true(facet_chan_is_dead(ch));
    assert_int_equal(call_counter(ch, 0, 2), FACET_CHAN_DEAD);
    alarm(0);
    reap(&c);
    facet_chan_close(ch);
}

/* The positive control of the test above: the same raw post with a length
 * that fits is a good reply. */
static void test_raw_reply_that_fits_is_taken(void **state)
{
    FacetChannel *ch = new_channel(1, FACET_CHAN_WAIT_FUTEX, 0);
    void *base = mmap(NULL, 64 + 64 + facet_chan_capacity(ch), PROT_READ | PROT_WRITE, MAP_SHARED,
                      facet_chan_fd(ch), 0);
    pid_t pid;
    size_t len = 0;
    (void)state;
    assert_true(base != MAP_FAILED);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        post_raw(base, 0, facet_chan_capacity(ch), MSG);
        _exit(0);
    }
    alarm(20);
    assert_int_equal(facet_chan_call(ch, 0, MSG, &len), FACET_CHAN_OK);
    alarm(0);
    assert_int_equal(len, MSG);
    waitpid(pid, NULL, 0);
    munmap(base, 64 + 64 + facet_chan_capacity(ch));
    facet_chan_close(ch);
}

/* ---- Arguments and files ----------------------------------------------- */

static void test_attach_refuses_what_is_not_a_channel(void **state)
{
    FacetChannel *ch = NULL, *mapped = NULL;
    unsigned char junk[4096];
    int fd = memfd_create("not-a-channel", MFD_CLOEXEC), small;
    uint32_t hdr[4];
    (void)state;
    assert_true(fd >= 0);
    memset(junk, 0xab, sizeof(junk));
    assert_int_equal(write(fd, junk, sizeof(junk)), (ssize_t)sizeof(junk));
    assert_int_equal(facet_chan_attach(&mapped, fd), FACET_CHAN_INVALID);
    assert_null(mapped);
    close(fd);

    /* A real header that claims more lanes than the file holds. */
    assert_int_equal(facet_chan_create(&ch, 2, MSG), FACET_CHAN_OK);
    assert_int_equal(pread(facet_chan_fd(ch), hdr, sizeof(hdr), 0), (ssize_t)sizeof(hdr));
    small = memfd_create("short-channel", MFD_CLOEXEC);
    assert_true(small >= 0);
    assert_int_equal(write(small, hdr, sizeof(hdr)), (ssize_t)sizeof(hdr));
    assert_int_equal(ftruncate(small, 64 + 64 + MSG), 0); /* one lane of two */
    assert_int_equal(facet_chan_attach(&mapped, small), FACET_CHAN_INVALID);
    close(small);

    /* The positive control: the real file attaches, with its shape. */
    assert_int_equal(facet_chan_attach(&mapped, facet_chan_fd(ch)), FACET_CHAN_OK);
    assert_int_equal(facet_chan_lanes(mapped), 2);
    assert_int_equal(facet_chan_capacity(mapped), MSG);
    facet_chan_close(mapped);
    facet_chan_close(ch);
}

static void test_bad_arguments(void **state)
{
    FacetChannel *ch = NULL;
    size_t len;
    (void)state;
    assert_int_equal(facet_chan_create(&ch, 0, MSG), FACET_CHAN_INVALID);
    assert_int_equal(facet_chan_create(&ch, FACET_CHAN_MAX_LANES + 1, MSG), FACET_CHAN_INVALID);
    assert_int_equal(facet_chan_create(&ch, 1, 0), FACET_CHAN_INVALID);
    assert_int_equal(facet_chan_create(&ch, 1, FACET_CHAN_MAX_CAPACITY + 1), FACET_CHAN_INVALID);
    assert_int_equal(facet_chan_attach(&ch, -1), FACET_CHAN_INVALID);
    assert_int_equal(facet_chan_create(&ch, 1, MSG), FACET_CHAN_OK);
    assert_int_equal(facet_chan_call(ch, 1, MSG, &len), FACET_CHAN_INVALID);
    assert_int_equal(facet_chan_call(ch, 0, MSG + 1, &len), FACET_CHAN_INVALID);
    assert_int_equal(facet_chan_reply(ch, 0, MSG + 1), FACET_CHAN_INVALID);
    assert_null(facet_chan_buffer(ch, 1));
    assert_non_null(facet_chan_buffer(ch, 0));
    assert_int_equal(facet_chan_watch(ch, -1), FACET_CHAN_INVALID);
    facet_chan_close(ch);
    facet_chan_close(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trips_adaptive),
        cmocka_unit_test(test_round_trips_futex),
        cmocka_unit_test(test_round_trips_spin),
        cmocka_unit_test(test_threads_each_on_a_lane),
        cmocka_unit_test(test_death_seen_through_pidfd),
        cmocka_unit_test(test_death_seen_through_pipe_hangup),
        cmocka_unit_test(test_death_before_call),
        cmocka_unit_test(test_reply_longer_than_the_buffer_kills_the_channel),
        cmocka_unit_test(test_raw_reply_that_fits_is_taken),
        cmocka_unit_test(test_attach_refuses_what_is_not_a_channel),
        cmocka_unit_test(test_bad_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
