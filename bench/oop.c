/*
 * bench/oop.c - the floor of a call into another process: a 64-byte
 * request and a 64-byte reply between this program and a child, without
 * Facet, over each transport the process host could use:
 *
 *   floor   the transport of the process host (core/remote/transport.h):
 *           shared memory, a brief spin while the peer runs on another
 *           CPU, then a futex wait
 *   futex   the same transport, never spinning
 *   spin    the same transport, busy-waiting on both sides
 *   pipe    a pair of pipes, one each way
 *   socket  a Unix stream socketpair
 *
 * Each row pins both processes, to one CPU (1core) or to two different
 * ones (2core), whatever --pin says, and puts them back afterwards; the
 * threads2 rows have two threads call at once, each on a lane of its own
 * and answered by a thread of the child's, both processes free on both
 * CPUs, to show whether spinning threads starve the others. Every
 * reply is checked (the child answers with the request's counter plus
 * one), so a transport that lost or reordered a message fails the row.
 *
 * For experiments (docs/performance.md), three variables change the
 * work: FACET_BENCH_OOP_SPIN_NS, the spin of the floor rows (default
 * FACET_TR_DEFAULT_SPIN_NS); FACET_BENCH_OOP_WORK_NS, time the child
 * spends on each request before it answers; FACET_BENCH_OOP_GAP_NS, time
 * the caller spends between calls. The last two are busy time (included
 * in the figures), so that a spin that outlasts them shows.
 *
 * Then Facet's own path: the roundtrip rows (an empty method, a 64-byte
 * array each way, a 1 MiB array, two calling threads) through the
 * proxies and stubs facet-idl generates for bench.idl, to a forked child
 * serving them over the same engine and transport as facet-host; and,
 * through the runtime and facet-host itself, oop.spawn (the first create
 * of a process-isolated class, against a bare posix_spawn and round trip)
 * and oop.disconnect (kill -9 of the module's process to the next call's
 * error, against the kernel's own report of a death to a parent).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <dirent.h>
#include <spawn.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "ops.h"
#include "bench.h"
#include "benchmod.h"
#include "remote/remote.h"
#include "remote/sandbox.h"

extern char **environ;

#define MSG 64 /* bytes of a request and of a reply */
#define LANES 2 /* lanes of a transport: one per calling thread */

typedef enum Kind { KIND_FLOOR, KIND_FUTEX, KIND_SPIN, KIND_PIPE, KIND_SOCKET, KIND_COUNT } Kind;

static const char *const kind_names[KIND_COUNT] = {"floor", "futex", "spin", "pipe", "socket"};

/* The busy-waiting policy spins this long before it sleeps after all: far
 * longer than a round trip between two running processes, short enough
 * that a child whose row has ended falls asleep before the next row. */
#define SPIN_ONLY_NS 1000000u

typedef struct Peer {
    pid_t pid;
    int pidfd;
    FacetTransport *ch; /* the transport kinds */
    pthread_t watch;    /* marks ch dead when pidfd says the child ended */
    int stop[2];        /* closing stop[1] ends the watch */
    int out, in;        /* the stream kinds: the parent's ends */
} Peer;

static Peer peers[KIND_COUNT];
static cpu_set_t saved_cpus;
static uint64_t work_ns, gap_ns;
static uint32_t floor_spin_ns = FACET_TR_DEFAULT_SPIN_NS;

static uint64_t env_ns(const char *name, uint64_t dflt)
{
    const char *v = getenv(name);
    char *end;
    unsigned long long n;
    if (v == NULL || *v == '\0')
        return dflt;
    n = strtoull(v, &end, 10);
    if (*end != '\0' || n > 1000000000ull) {
        fprintf(stderr, "bench_oop: %s must be a number of nanoseconds up to 1e9, not '%s'\n",
                name, v);
        exit(2);
    }
    return n;
}

static void busy(uint64_t ns)
{
    uint64_t end;
    if (ns == 0)
        return;
    end = bench_now() + ns;
    while (bench_now() < end)
        ;
}

/* The child's answer: the request's first word plus one, the rest as it
 * came. */
static void answer(unsigned char *msg)
{
    uint64_t counter;
    busy(work_ns);
    memcpy(&counter, msg, sizeof(counter));
    counter++;
    memcpy(msg, &counter, sizeof(counter));
}

static int read_full(int fd, void *buf, size_t len)
{
    size_t got = 0;
    while (got < len) {
        ssize_t n = read(fd, (char *)buf + got, len - got);
        if (n > 0)
            got += (size_t)n;
        else if (n == 0 || errno != EINTR)
            return -1;
    }
    return 0;
}

static int write_full(int fd, const void *buf, size_t len)
{
    size_t put = 0;
    while (put < len) {
        ssize_t n = write(fd, (const char *)buf + put, len - put);
        if (n > 0)
            put += (size_t)n;
        else if (n < 0 && errno != EINTR)
            return -1;
    }
    return 0;
}

/* ---- The child ---------------------------------------------------------- */

typedef struct Lane {
    FacetTransport *ch;
    unsigned lane;
} Lane;

static void *serve_lane(void *arg)
{
    const Lane *l = arg;
    unsigned char msg[MSG], *buf = facet__tr_buffer(l->ch, l->lane);
    size_t off, len;
    int r = l->ch->ops->wait(l->ch, l->lane, &off, &len, 0);
    while (r == FACET_TR_OK) {
        if (off != 0 || len != MSG)
            _exit(3);
        memcpy(msg, buf, MSG);
        answer(msg);
        memcpy(buf, msg, MSG);
        r = l->ch->ops->exchange(l->ch, l->lane, 0, MSG, &off, &len, 0);
    }
    return NULL;
}

/* A thread per lane, as the process host will have; lane 0 on the
 * child's main thread. */
static void serve_channel(FacetTransport *ch)
{
    Lane lanes[LANES];
    pthread_t threads[LANES];
    unsigned i;
    for (i = 0; i < LANES; i++) {
        lanes[i].ch = ch;
        lanes[i].lane = i;
        if (i > 0 && pthread_create(&threads[i], NULL, serve_lane, &lanes[i]) != 0)
            _exit(4);
    }
    serve_lane(&lanes[0]);
    for (i = 1; i < LANES; i++)
        pthread_join(threads[i], NULL);
}

static void serve_stream(int in, int out)
{
    unsigned char msg[MSG];
    while (read_full(in, msg, MSG) == 0) {
        answer(msg);
        if (write_full(out, msg, MSG) != 0)
            return;
    }
}

/* The wait policy of kind k, for both ends (each keeps its own). */
static void set_policy(FacetTransport *t, Kind k)
{
    FacetTransportPolicy pol = {FACET_TR_WAIT_ADAPTIVE, floor_spin_ns, 0};
    if (k == KIND_FUTEX)
        pol.wait = FACET_TR_WAIT_BLOCK;
    else if (k == KIND_SPIN) {
        pol.wait = FACET_TR_WAIT_SPIN;
        pol.spin_ns = SPIN_ONLY_NS;
        pol.max_spinners = 2 * LANES; /* every thread of both sides */
    }
    facet__shm_set_policy(t, &pol);
}

/* Marks the transport dead when the child ends, as the process host's
 * connection does, so that a row never waits for a dead child. */
static void *watch_main(void *arg)
{
    Peer *p = arg;
    struct pollfd fds[2] = {{p->pidfd, POLLIN, 0}, {p->stop[0], POLLIN, 0}};
    while (poll(fds, 2, -1) < 0 && errno == EINTR)
        ;
    if (fds[1].revents == 0)
        p->ch->ops->mark_dead(p->ch);
    return NULL;
}

/* In a child: closes the streams of the first count children started
 * before it. Only the parent may hold them, or they would never see their
 * end. */
static void close_streams(unsigned count)
{
    unsigned j;
    for (j = 0; j < count; j++) {
        if (peers[j].out >= 0)
            close(peers[j].out);
        if (peers[j].in >= 0 && peers[j].in != peers[j].out)
            close(peers[j].in);
    }
}

/* Starts the child of kind k; it dies with this process
 * (PR_SET_PDEATHSIG, from the main thread, which lives as long). */
static int start(Kind k)
{
    Peer *p = &peers[k];
    int down[2], up[2]; /* parent -> child, child -> parent */
    pid_t parent = getpid();
    p->out = p->in = -1;
    if (k == KIND_PIPE) {
        if (pipe2(down, O_CLOEXEC) != 0 || pipe2(up, O_CLOEXEC) != 0)
            return -1;
    } else if (k == KIND_SOCKET) {
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, down) != 0)
            return -1;
        up[0] = down[0];
        up[1] = down[1];
    } else {
        if (facet__shm_create(&p->ch, LANES, 0, MSG) != FACET_TR_OK)
            return -1;
    }
    fflush(NULL);
    p->pid = fork();
    if (p->pid < 0)
        return -1;
    if (p->pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(0);
        close_streams((unsigned)k);
        if (p->ch != NULL) {
            FacetTransport *mine;
            if (facet__shm_attach(&mine, facet__shm_handle(p->ch)) != FACET_TR_OK)
                _exit(5);
            set_policy(mine, k);
            serve_channel(mine);
        } else if (k == KIND_PIPE) {
            close(down[1]);
            close(up[0]);
            serve_stream(down[0], up[1]);
        } else {
            close(down[0]);
            serve_stream(down[1], down[1]);
        }
        _exit(0);
    }
    if (k == KIND_PIPE) {
        close(down[0]);
        close(up[1]);
        p->out = down[1];
        p->in = up[0];
    } else if (k == KIND_SOCKET) {
        close(down[1]);
        p->out = p->in = down[0];
    }
    p->pidfd = (int)syscall(SYS_pidfd_open, p->pid, 0);
    if (p->ch != NULL) {
        set_policy(p->ch, k);
        if (p->pidfd < 0) {
            fprintf(stderr, "bench_oop: pidfd_open: %s (Linux 5.3 or later)\n", strerror(errno));
            return -1;
        }
        if (pipe2(p->stop, O_CLOEXEC) != 0 || pthread_create(&p->watch, NULL, watch_main, p) != 0)
            return -1;
    }
    return 0;
}

static void stop(Kind k)
{
    Peer *p = &peers[k];
    if (p->pid <= 0)
        return;
    if (p->ch != NULL) {
        p->ch->ops->mark_dead(p->ch); /* the child's wait ends */
        close(p->stop[1]);
        pthread_join(p->watch, NULL);
        close(p->stop[0]);
    }
    if (p->out >= 0)
        close(p->out); /* the child reads the end of the stream */
    if (p->in >= 0 && p->in != p->out)
        close(p->in);
    waitpid(p->pid, NULL, 0);
    if (p->ch != NULL)
        p->ch->ops->close(p->ch);
    if (p->pidfd >= 0)
        close(p->pidfd);
    p->pid = 0;
    p->ch = NULL;
}

/* ---- Placing both processes --------------------------------------------- */

static int pin_pid(pid_t pid, int cpu)
{
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(cpu, &one);
    return sched_setaffinity(pid, sizeof(one), &one);
}

/* This process on the last CPU it may use (the first takes most
 * interrupts), the child on the same one or on the first. */
static int place(const Peer *p, int two_cores)
{
    int mine = bench_cpu_id(bench_cpu_count() - 1);
    int theirs = two_cores ? bench_cpu_id(0) : mine;
    if (mine < 0 || theirs < 0 || pin_pid(0, mine) != 0 || pin_pid(p->pid, theirs) != 0) {
        fprintf(stderr, "bench_oop: cannot pin to CPUs %d and %d: %s\n", mine, theirs,
                strerror(errno));
        return -1;
    }
    return 0;
}

static void unplace(void)
{
    sched_setaffinity(0, sizeof(saved_cpus), &saved_cpus);
}

/* ---- The rows ------------------------------------------------------------ */

/* The figure of a row that made calls calls in t ns, or -1 for r. */
static double finish(Kind k, int r, uint64_t t, uint64_t calls)
{
    if (k == KIND_SPIN) {
        /* Let the busy-waiting child fall asleep before the next row. */
        struct timespec ts = {0, 2 * (long)SPIN_ONLY_NS};
        nanosleep(&ts, NULL);
    }
    if (r != 0) {
        fprintf(stderr, "bench_oop: %s round trip: %s\n", kind_names[k],
                r == -2 ? "wrong reply" : "the child is gone");
        return -1;
    }
    return (double)t / (double)calls;
}

static int call_once(Peer *p, unsigned lane, uint64_t counter)
{
    unsigned char msg[MSG];
    uint64_t back;
    memset(msg, (int)(counter & 0xff), MSG);
    memcpy(msg, &counter, sizeof(counter));
    if (p->ch != NULL) {
        unsigned char *buf = facet__tr_buffer(p->ch, lane);
        size_t off, len;
        memcpy(buf, msg, MSG);
        if (p->ch->ops->exchange(p->ch, lane, 0, MSG, &off, &len, 0) != FACET_TR_OK ||
            off != 0 || len != MSG)
            return -1;
        memcpy(msg, buf, MSG);
    } else if (write_full(p->out, msg, MSG) != 0 || read_full(p->in, msg, MSG) != 0) {
        return -1;
    }
    memcpy(&back, msg, sizeof(back));
    return back == counter + 1 ? 0 : -2;
}

static double round_trips(Kind k, int two_cores, uint64_t iters)
{
    static uint64_t counter;
    Peer *p = &peers[k];
    uint64_t i, t0, t;
    int r = 0;
    if (place(p, two_cores) != 0)
        return -1;
    for (i = 0; i < 8 && r == 0; i++) /* settle on the new CPUs */
        r = call_once(p, 0, counter++);
    t0 = bench_now();
    for (i = 0; i < iters && r == 0; i++) {
        r = call_once(p, 0, counter++);
        busy(gap_ns);
    }
    t = bench_now() - t0;
    unplace();
    return finish(k, r, t, iters);
}

/* ---- Two calling threads ------------------------------------------------ */

typedef struct Caller {
    pthread_t thread;
    Peer *p;
    unsigned lane;
    uint64_t calls;
    pthread_barrier_t *start;
    int r;
} Caller;

static void *call_many(void *arg)
{
    Caller *c = arg;
    uint64_t i, counter = (uint64_t)c->lane << 48;
    pthread_barrier_wait(c->start);
    for (i = 0; i < c->calls && c->r == 0; i++) {
        c->r = call_once(c->p, c->lane, counter++);
        busy(gap_ns);
    }
    return NULL;
}

/* Runs body on LANES threads, lane i on c[i] (p set by the caller), each
 * making calls calls, all started at once: the time they took, and in *r
 * the first failure. */
static uint64_t run_callers(Caller *c, void *(*body)(void *), uint64_t calls, int *r)
{
    pthread_barrier_t start;
    uint64_t t0, t;
    unsigned i;
    pthread_barrier_init(&start, NULL, LANES + 1);
    for (i = 0; i < LANES; i++) {
        c[i].lane = i;
        c[i].calls = calls;
        c[i].start = &start;
        c[i].r = 0;
        if (pthread_create(&c[i].thread, NULL, body, &c[i]) != 0) {
            /* The threads made wait at the barrier for good. */
            fprintf(stderr, "bench_oop: cannot start a calling thread\n");
            exit(1);
        }
    }
    pthread_barrier_wait(&start);
    t0 = bench_now();
    *r = 0;
    for (i = 0; i < LANES; i++) {
        pthread_join(c[i].thread, NULL);
        if (c[i].r != 0)
            *r = c[i].r;
    }
    t = bench_now() - t0;
    pthread_barrier_destroy(&start);
    return t;
}

/* Two threads of this process call at once, each on a lane of its own,
 * answered by two threads of the child; both processes may run on both
 * CPUs. The time per call of all the calls together. */
static double two_callers(Kind k, uint64_t iters)
{
    Peer *p = &peers[k];
    Caller c[LANES];
    uint64_t t, calls = (iters + LANES - 1) / LANES;
    unsigned i;
    int r;
    if (sched_setaffinity(p->pid, sizeof(saved_cpus), &saved_cpus) != 0)
        return -1;
    for (i = 0; i < LANES; i++)
        c[i].p = p;
    t = run_callers(c, call_many, calls, &r);
    return finish(k, r, t, calls * LANES);
}

#define ROW(fn, kind, two)                                                                         \
    static double fn(uint64_t iters)                                                               \
    {                                                                                              \
        return round_trips(kind, two, iters);                                                      \
    }
ROW(floor_1core, KIND_FLOOR, 0)
ROW(floor_2core, KIND_FLOOR, 1)
ROW(futex_1core, KIND_FUTEX, 0)
ROW(futex_2core, KIND_FUTEX, 1)
ROW(spin_1core, KIND_SPIN, 0)
ROW(spin_2core, KIND_SPIN, 1)
ROW(pipe_1core, KIND_PIPE, 0)
ROW(pipe_2core, KIND_PIPE, 1)
ROW(socket_1core, KIND_SOCKET, 0)
ROW(socket_2core, KIND_SOCKET, 1)

#define THREADS_ROW(fn, kind)                                                                      \
    static double fn(uint64_t iters)                                                               \
    {                                                                                              \
        return two_callers(kind, iters);                                                           \
    }
THREADS_ROW(floor_threads, KIND_FLOOR)
THREADS_ROW(futex_threads, KIND_FUTEX)
THREADS_ROW(spin_threads, KIND_SPIN)

/* ---- Through proxies and stubs -------------------------------------------- */

/* The call path of a process-isolated object: IBenchAdder::Add through the
 * proxy and stub facet-idl generated and the engine of core/remote, to a
 * child serving it on the same transport as the floor's (forked here,
 * where the process host is a program of its own). */

extern const FacetPsLibrary facet_ps_bench;

/* The child's object: an adder (two threads may call it at once) with
 * the buffer methods of the 64b and 1mib rows. */
typedef struct EngineAdder {
    IBenchAdder itf;
    IBenchBuffers buffers;
    int64_t total;
} EngineAdder;

static EngineAdder engine_adder;

static FacetResult FACET_CALL adder_query(IBenchAdder *self, const FacetGuid *iid, void **out)
{
    (void)self;
    if (FacetGuidEqual(iid, &IID_IBenchAdder) || FacetGuidEqual(iid, &IID_IFacetUnknown))
        *out = &engine_adder.itf;
    else if (FacetGuidEqual(iid, &IID_IBenchBuffers))
        *out = &engine_adder.buffers;
    else {
        *out = NULL;
        return FACET_E_NOINTERFACE;
    }
    return FACET_OK;
}
static uint32_t FACET_CALL adder_count(IBenchAdder *self)
{
    (void)self;
    return 1; /* lives as long as the child */
}
static FacetResult FACET_CALL adder_add(IBenchAdder *self, int32_t delta, int64_t *total)
{
    EngineAdder *a = (EngineAdder *)self;
    *total = __atomic_add_fetch(&a->total, delta, __ATOMIC_RELAXED);
    return FACET_OK;
}
static const IBenchAdderVtbl adder_vtbl = {adder_query, adder_count, adder_count, adder_add};

static FacetResult FACET_CALL buffers_query(IBenchBuffers *self, const FacetGuid *iid, void **out)
{
    (void)self;
    return adder_query(&engine_adder.itf, iid, out);
}
static uint32_t FACET_CALL buffers_count(IBenchBuffers *self)
{
    (void)self;
    return 1;
}
static FacetResult FACET_CALL buffers_echo(IBenchBuffers *self, uint32_t count, const uint8_t *in,
                                           uint8_t *out)
{
    uint32_t i;
    (void)self;
    for (i = 0; i < count; i++)
        out[i] = (uint8_t)(in[i] + 1);
    return FACET_OK;
}
/* Reads every byte, as a callee that uses its argument would. */
static FacetResult FACET_CALL buffers_take(IBenchBuffers *self, uint32_t count, const uint8_t *data,
                                           uint32_t *sum)
{
    uint32_t i, s = 0;
    (void)self;
    for (i = 0; i < count; i++)
        s += data[i];
    *sum = s;
    return FACET_OK;
}
static const IBenchBuffersVtbl buffers_vtbl = {buffers_query, buffers_count, buffers_count,
                                               buffers_echo, buffers_take};

static const FacetPsInterface *engine_find_ps(void *payload, const FacetGuid *iid)
{
    uint32_t i;
    (void)payload;
    for (i = 0; i < facet_ps_bench.interface_count; i++)
        if (FacetGuidEqual(&facet_ps_bench.interfaces[i]->iid, iid))
            return facet_ps_bench.interfaces[i];
    return facet__ps_builtin(iid);
}

static void engine_dead(void *payload, FacetResult why, const char *text)
{
    (void)payload;
    if (why != FACET_E_DISCONNECTED) /* (not the close at the end) */
        fprintf(stderr, "bench_oop: the engine's child: %s\n", text);
}

static const FacetConnHooks engine_hooks = {engine_dead, engine_find_ps};
static EngineAdder engine_adder = {{&adder_vtbl}, {&buffers_vtbl}, 0};

static FacetResult engine_boot(FacetConn *c, FacetMarshal *request, FacetMarshal *reply,
                               void *payload)
{
    (void)c;
    (void)request;
    (void)payload;
    facet__wire_put_interface(reply, &engine_adder.itf, &IID_IBenchAdder);
    return FACET_OK;
}

static FacetResult engine_booted(FacetMarshal *m, void *ctx)
{
    facet__wire_get_interface(m, (void **)ctx, &IID_IBenchAdder, NULL);
    return m->bad != NULL ? FACET_E_FAIL : FACET_OK;
}

/* A child serving the adder; the sandboxed one behind the process host's
 * wall (core/remote/sandbox.h), put up before it maps the transport, as
 * facet-host's worker does. */
typedef struct Engine {
    Peer peer;
    FacetConn *conn;
    IBenchAdder *proxy;
    IBenchBuffers *buffers;
} Engine;

static Engine engines[2];
#define engine (engines[0].peer)
#define engine_conn (engines[0].conn)
#define engine_proxy (engines[0].proxy)
#define engine_buffers (engines[0].buffers)

/* The wall of a module that was granted nothing: this program readable as
 * its library, nothing else. */
static int enter_sandbox(void)
{
    char self[4096], report[1024];
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    FacetSandboxPolicy p;
    if (n <= 0)
        return -1;
    self[n] = '\0';
    memset(&p, 0, sizeof(p));
    p.module = (char *)"bench.sandboxed";
    p.library = self;
    if (facet__sandbox_enter(&p, report, sizeof(report)) != 0) {
        fprintf(stderr, "bench_oop: the sandbox: %s\n", report);
        return -1;
    }
    return 0;
}

/* In an engine's child: closes what the engines started before it hold in
 * this process (their stop pipes, their pidfds). A child that kept an
 * earlier engine's stop pipe open would keep its watch from ever seeing
 * the pipe close. */
static void close_engines(const Engine *e)
{
    const Engine *o;
    for (o = engines; o < engines + sizeof(engines) / sizeof(engines[0]); o++)
        if (o != e && o->peer.pid > 0) {
            close(o->peer.stop[0]);
            close(o->peer.stop[1]);
            close(o->peer.pidfd);
        }
}

static int engine_start_as(Engine *e, int sandboxed)
{
    FacetTransport *tr;
    pid_t parent = getpid();
    /* lanes as large as the process host's (core/remote/module.c), for
     * oop.buffer.1mib */
    if (facet__shm_create(&tr, LANES, 1, 4u << 20) != FACET_TR_OK)
        return -1;
    fflush(NULL);
    e->peer.pid = fork();
    if (e->peer.pid < 0)
        return -1;
    if (e->peer.pid == 0) {
        FacetTransport *mine;
        FacetConn *c;
        FacetConnControl control;
        struct timespec ts = {0, 10 * 1000 * 1000};
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(0);
        close_streams(KIND_COUNT);
        close_engines(e);
        if (sandboxed && enter_sandbox() != 0)
            _exit(7);
        if (facet__shm_attach(&mine, facet__shm_handle(tr)) != FACET_TR_OK ||
            facet__conn_new(&c, mine, 0, &engine_hooks, NULL) != FACET_OK)
            _exit(5);
        memset(&control, 0, sizeof(control));
        control.boot = engine_boot;
        facet__conn_set_control(c, &control);
        if (facet__conn_serve(c) != FACET_OK)
            _exit(6);
        while (!facet__tr_is_dead(mine))
            nanosleep(&ts, NULL);
        _exit(0);
    }
    e->peer.ch = tr;
    e->peer.pidfd = (int)syscall(SYS_pidfd_open, e->peer.pid, 0);
    if (e->peer.pidfd < 0 || pipe2(e->peer.stop, O_CLOEXEC) != 0 ||
        pthread_create(&e->peer.watch, NULL, watch_main, &e->peer) != 0)
        return -1;
    if (facet__conn_new(&e->conn, tr, 0, &engine_hooks, NULL) != FACET_OK ||
        facet__conn_serve(e->conn) != FACET_OK ||
        facet__conn_control(e->conn, FACET_CTL_BOOT, NULL, engine_booted, &e->proxy) !=
            FACET_OK ||
        IBenchAdder_QueryInterface(e->proxy, &IID_IBenchBuffers, (void **)&e->buffers) !=
            FACET_OK)
        return -1;
    return 0;
}

static void engine_stop_of(Engine *e)
{
    if (e->peer.pid <= 0)
        return;
    if (e->buffers != NULL)
        IBenchBuffers_Release(e->buffers);
    e->buffers = NULL;
    if (e->proxy != NULL)
        IBenchAdder_Release(e->proxy);
    e->proxy = NULL;
    close(e->peer.stop[1]);
    pthread_join(e->peer.watch, NULL);
    facet__conn_close(e->conn); /* marks the transport dead: the child ends */
    facet__conn_release(e->conn);
    waitpid(e->peer.pid, NULL, 0);
    close(e->peer.pidfd);
    close(e->peer.stop[0]);
    e->peer.pid = 0;
}

static double engine_round_trips_of(Engine *e, int two_cores, uint64_t iters)
{
    uint64_t i, t0, t;
    int64_t total = 0, before = 0;
    int r = 0;
    if (place(&e->peer, two_cores) != 0)
        return -1;
    for (i = 0; i < 8 && r == 0; i++) /* settle on the new CPUs */
        r = IBenchAdder_Add(e->proxy, 0, &before) != FACET_OK;
    t0 = bench_now();
    for (i = 0; i < iters && r == 0; i++) {
        r = IBenchAdder_Add(e->proxy, 1, &total) != FACET_OK;
        busy(gap_ns);
    }
    t = bench_now() - t0;
    unplace();
    if (r == 0 && total != before + (int64_t)iters)
        r = -2;
    return finish(KIND_FLOOR, r, t, iters);
}

static double engine_round_trips(int two_cores, uint64_t iters)
{
    return engine_round_trips_of(&engines[0], two_cores, iters);
}

/* oop.roundtrip.sandboxed: oop.roundtrip.2core, the child behind the wall. */
static double roundtrip_sandboxed(uint64_t iters)
{
    return engine_round_trips_of(&engines[1], 1, iters);
}

static double roundtrip_1core(uint64_t iters)
{
    return engine_round_trips(0, iters);
}

static double roundtrip_2core(uint64_t iters)
{
    return engine_round_trips(1, iters);
}

/* oop.roundtrip.64b: IBenchBuffers::Echo of 64 bytes, an [in] array
 * there and an [out] array back, each reply checked; two CPUs. */
static double roundtrip_64b(uint64_t iters)
{
    uint8_t in[MSG], out[MSG];
    uint64_t i, t0, t;
    int r = 0;
    memset(in, 0x5a, sizeof(in));
    if (place(&engine, 1) != 0)
        return -1;
    for (i = 0; i < 8 && r == 0; i++)
        r = IBenchBuffers_Echo(engine_buffers, MSG, in, out) != FACET_OK;
    t0 = bench_now();
    for (i = 0; i < iters && r == 0; i++) {
        in[0] = (uint8_t)i;
        r = IBenchBuffers_Echo(engine_buffers, MSG, in, out) != FACET_OK;
        if (r == 0 && out[0] != (uint8_t)(i + 1))
            r = -2;
        busy(gap_ns);
    }
    t = bench_now() - t0;
    unplace();
    return finish(KIND_FLOOR, r, t, iters);
}

#define MIB (1u << 20)
static uint8_t *mib_from, *mib_to;

/* oop.memcpy.1mib: the copy a caller makes to hand 1 MiB to another
 * part of itself, the least that crossing to a process can cost. */
static double memcpy_1mib(uint64_t iters)
{
    uint64_t i, t0 = bench_now();
    for (i = 0; i < iters; i++) {
        mib_from[i % MIB] = (uint8_t)i;
        memcpy(mib_to, mib_from, MIB);
        bench_use(mib_to[i % MIB]);
    }
    return (double)(bench_now() - t0) / (double)iters;
}

/* oop.buffer.1mib: IBenchBuffers::Take of 1 MiB, an [in] array the child
 * reads through; its sum checked. Two CPUs. */
static double buffer_1mib(uint64_t iters)
{
    uint64_t i, t0, t;
    uint32_t sum = 0, want = 0, k;
    int r = 0;
    if (place(&engine, 1) != 0)
        return -1;
    for (k = 0; k < MIB; k++)
        want += mib_from[k];
    r = IBenchBuffers_Take(engine_buffers, MIB, mib_from, &sum) != FACET_OK;
    if (r == 0 && sum != want)
        r = -2;
    t0 = bench_now();
    for (i = 0; i < iters && r == 0; i++) {
        r = IBenchBuffers_Take(engine_buffers, MIB, mib_from, &sum) != FACET_OK;
        if (r == 0 && sum != want)
            r = -2;
    }
    t = bench_now() - t0;
    unplace();
    return finish(KIND_FLOOR, r, t, iters);
}

/* oop.threads.2: two threads of this process call IBenchAdder::Add through
 * the same proxy at once, both processes free on both CPUs; the time per
 * call of all the calls together (its inverse: the calls per second). */
static void *add_many(void *arg)
{
    Caller *c = arg;
    uint64_t i;
    int64_t total;
    pthread_barrier_wait(c->start);
    for (i = 0; i < c->calls && c->r == 0; i++) {
        c->r = IBenchAdder_Add(engine_proxy, 1, &total) != FACET_OK;
        busy(gap_ns);
    }
    return NULL;
}

static double threads_2(uint64_t iters)
{
    Caller c[LANES];
    uint64_t t, calls = (iters + LANES - 1) / LANES;
    int64_t before = 0, after = 0;
    unsigned i;
    int r;
    if (sched_setaffinity(engine.pid, sizeof(saved_cpus), &saved_cpus) != 0 ||
        IBenchAdder_Add(engine_proxy, 0, &before) != FACET_OK)
        return -1;
    for (i = 0; i < LANES; i++)
        c[i].p = &engine;
    t = run_callers(c, add_many, calls, &r);
    if (r == 0 && (IBenchAdder_Add(engine_proxy, 0, &after) != FACET_OK ||
                   after != before + (int64_t)(calls * LANES)))
        r = -2;
    return finish(KIND_FLOOR, r, t, calls * LANES);
}

/* ---- Through the runtime ---------------------------------------------------- */

/* oop.spawn and oop.disconnect: the adder of bench_mod_one.so created
 * through a runtime of bench_isolated_runtime (ops.c): facet-host started,
 * the module loaded in it, the proxy back. */

/* oop.spawn: a new runtime (its scan not timed), then the first create of
 * the process-isolated class, through its first call's result; the
 * runtime's end not timed. Without facet-host's sandbox (FACET_SANDBOX=off);
 * oop.spawn.sandboxed with it. */
static double spawn_as(int sandboxed)
{
    FacetRuntime *rt;
    IBenchAdder *a;
    int64_t total = 0;
    uint64_t t0, t;
    if (sandboxed)
        unsetenv("FACET_SANDBOX");
    else
        setenv("FACET_SANDBOX", "off", 1);
    rt = bench_isolated_runtime();
    if (rt == NULL)
        return -1;
    t0 = bench_now();
    a = bench_isolated_adder(rt);
    if (a != NULL && IBenchAdder_Add(a, 1, &total) != FACET_OK)
        total = -1;
    t = bench_now() - t0;
    if (a != NULL)
        IBenchAdder_Release(a);
    facet_runtime_free(rt);
    unsetenv("FACET_SANDBOX");
    if (a == NULL || total != 1)
        return bench_error("the first call of a process-isolated adder");
    return (double)t;
}

static double spawn_runtime(uint64_t iters)
{
    (void)iters;
    return spawn_as(0);
}

static double spawn_sandboxed(uint64_t iters)
{
    (void)iters;
    return spawn_as(1);
}

/* oop.spawn.bare: posix_spawn of bench_oop_echo with a pipe each way, one
 * 64-byte round trip checked; its exit and reaping not timed. */
static double spawn_bare(uint64_t iters)
{
    static const char *const argv[] = {"bench_oop_echo", NULL};
    posix_spawn_file_actions_t fa;
    int down[2], up[2], r = -1;
    unsigned char msg[MSG];
    uint64_t counter = 41, back = 0, t0, t;
    pid_t pid;
    (void)iters;
    if (pipe2(down, O_CLOEXEC) != 0 || pipe2(up, O_CLOEXEC) != 0)
        return bench_error("pipe2");
    memset(msg, 0, sizeof(msg));
    memcpy(msg, &counter, sizeof(counter));
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, down[0], 0);
    posix_spawn_file_actions_adddup2(&fa, up[1], 1);
    t0 = bench_now();
    if (posix_spawn(&pid, bench_module_path("bench_oop_echo"), &fa, NULL, (char *const *)argv,
                    environ) == 0) {
        r = write_full(down[1], msg, MSG) != 0 || read_full(up[0], msg, MSG) != 0;
        t = bench_now() - t0;
        waitpid(pid, NULL, 0);
    }
    posix_spawn_file_actions_destroy(&fa);
    close(down[0]);
    close(down[1]);
    close(up[0]);
    close(up[1]);
    memcpy(&back, msg, sizeof(back));
    if (r != 0 || back != counter + 1)
        return bench_error("bench_oop_echo's round trip");
    return (double)t;
}

/* The process of the module's code: the process host's worker, which the
 * host (our child) forks where it splits, or the host itself. */
static pid_t module_process(void)
{
    char path[320], comm[64];
    DIR *tasks = opendir("/proc/self/task");
    struct dirent *e;
    pid_t found = 0;
    while (tasks != NULL && found == 0 && (e = readdir(tasks)) != NULL) {
        FILE *f;
        long pid;
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof(path), "/proc/self/task/%s/children", e->d_name);
        f = fopen(path, "r");
        while (f != NULL && found == 0 && fscanf(f, "%ld", &pid) == 1) {
            FILE *c;
            long worker;
            snprintf(path, sizeof(path), "/proc/%ld/comm", pid);
            c = fopen(path, "r");
            if (c == NULL)
                continue;
            if (fgets(comm, sizeof(comm), c) != NULL && strncmp(comm, "facet-host", 10) == 0) {
                found = (pid_t)pid;
                fclose(c);
                snprintf(path, sizeof(path), "/proc/%ld/task/%ld/children", pid, pid);
                c = fopen(path, "r");
                if (c != NULL && fscanf(c, "%ld", &worker) == 1)
                    found = (pid_t)worker;
            }
            if (c != NULL)
                fclose(c);
        }
        if (f != NULL)
            fclose(f);
    }
    if (tasks != NULL)
        closedir(tasks);
    return found;
}

/* oop.death.bare: kill -9 of a forked child that waits in pause() to its
 * pidfd saying it ended: what the kernel takes to tear a process down and
 * tell its parent, without Facet. */
static double death_bare(uint64_t iters)
{
    struct pollfd p = {-1, POLLIN, 0};
    uint64_t t0, t;
    int ready = 0;
    pid_t pid;
    (void)iters;
    fflush(NULL);
    pid = fork();
    if (pid < 0)
        return bench_error("fork");
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        for (;;)
            pause();
    }
    p.fd = (int)syscall(SYS_pidfd_open, pid, 0);
    /* (alive, and in pause(), before the clock starts) */
    while (ready == 0) {
        char path[64], state = 0;
        FILE *f;
        snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
        f = fopen(path, "r");
        if (f != NULL && fscanf(f, "%*d %*s %c", &state) == 1 && state == 'S')
            ready = 1;
        if (f != NULL)
            fclose(f);
    }
    t0 = bench_now();
    kill(pid, SIGKILL);
    while (p.fd >= 0 && poll(&p, 1, -1) < 0 && errno == EINTR)
        ;
    t = bench_now() - t0;
    waitpid(pid, NULL, 0);
    if (p.fd < 0)
        return bench_error("pidfd_open");
    close(p.fd);
    return (double)t;
}

static FacetRuntime *disconnect_rt;

/* oop.disconnect: a live process-isolated adder (created, one call made;
 * not timed), then from kill -9 of the process of its module to the
 * result of the next call, which must be FACET_E_CRASHED or
 * FACET_E_DISCONNECTED. */
static double disconnect(uint64_t iters)
{
    IBenchAdder *a = bench_isolated_adder(disconnect_rt);
    int64_t total;
    FacetResult r;
    uint64_t t0, t;
    pid_t pid;
    (void)iters;
    if (a == NULL)
        return -1;
    if (IBenchAdder_Add(a, 1, &total) != FACET_OK || (pid = module_process()) <= 0) {
        IBenchAdder_Release(a);
        return bench_error("a live process-isolated adder");
    }
    t0 = bench_now();
    kill(pid, SIGKILL);
    r = IBenchAdder_Add(a, 1, &total);
    t = bench_now() - t0;
    IBenchAdder_Release(a);
    if (r != FACET_E_CRASHED && r != FACET_E_DISCONNECTED) {
        fprintf(stderr, "bench_oop: the call after kill -9 returned %s\n", facet_result_name(r));
        return -1;
    }
    return (double)t;
}

static void teardown(void)
{
    unsigned k;
    for (k = 0; k < KIND_COUNT; k++)
        stop((Kind)k);
    engine_stop_of(&engines[0]);
    engine_stop_of(&engines[1]);
    if (disconnect_rt != NULL)
        facet_runtime_free(disconnect_rt);
    disconnect_rt = NULL;
    free(mib_from);
    free(mib_to);
    mib_from = mib_to = NULL;
}

static int setup(void)
{
    unsigned k;
    work_ns = env_ns("FACET_BENCH_OOP_WORK_NS", 0);
    gap_ns = env_ns("FACET_BENCH_OOP_GAP_NS", 0);
    floor_spin_ns = (uint32_t)env_ns("FACET_BENCH_OOP_SPIN_NS", FACET_TR_DEFAULT_SPIN_NS);
    if (sched_getaffinity(0, sizeof(saved_cpus), &saved_cpus) != 0)
        return 1;
    if (bench_cpu_count() < 2)
        fprintf(stderr, "bench_oop: one CPU only: the 2core rows run on one\n");
    for (k = 0; k < KIND_COUNT; k++)
        if (start((Kind)k) != 0) {
            fprintf(stderr, "bench_oop: cannot start the %s child: %s\n", kind_names[k],
                    strerror(errno));
            teardown();
            return 1;
        }
    mib_from = malloc(MIB);
    mib_to = malloc(MIB);
    if (mib_from == NULL || mib_to == NULL)
        return 1;
    for (k = 0; k < MIB; k++)
        mib_from[k] = (uint8_t)(k * 7);
    if (engine_start_as(&engines[0], 0) != 0 || engine_start_as(&engines[1], 1) != 0) {
        fprintf(stderr, "bench_oop: cannot start the engine's child: %s\n", facet_last_error());
        teardown();
        return 1;
    }
    /* (after the forks: the runtime has threads of its own) */
    if ((disconnect_rt = bench_isolated_runtime()) == NULL) {
        teardown();
        return 1;
    }
    return 0;
}

static const BenchImpl impls[] = {
    {"oop.floor.1core", floor_1core},
    {"oop.floor.2core", floor_2core},
    {"oop.futex.1core", futex_1core},
    {"oop.futex.2core", futex_2core},
    {"oop.spin.1core", spin_1core},
    {"oop.spin.2core", spin_2core},
    {"oop.pipe.1core", pipe_1core},
    {"oop.pipe.2core", pipe_2core},
    {"oop.socket.1core", socket_1core},
    {"oop.socket.2core", socket_2core},
    {"oop.floor.threads2", floor_threads},
    {"oop.futex.threads2", futex_threads},
    {"oop.spin.threads2", spin_threads},
    {"oop.roundtrip.1core", roundtrip_1core},
    {"oop.roundtrip.2core", roundtrip_2core},
    {"oop.roundtrip.sandboxed", roundtrip_sandboxed},
    {"oop.roundtrip.64b", roundtrip_64b},
    {"oop.memcpy.1mib", memcpy_1mib},
    {"oop.buffer.1mib", buffer_1mib},
    {"oop.threads.2", threads_2},
    {"oop.spawn.bare", spawn_bare},
    {"oop.spawn", spawn_runtime},
    {"oop.spawn.sandboxed", spawn_sandboxed},
    {"oop.death.bare", death_bare},
    {"oop.disconnect", disconnect},
};

static const BenchArea area = {"oop", setup, teardown, impls, sizeof(impls) / sizeof(impls[0])};

int main(int argc, char **argv)
{
    return bench_main(argc, argv, &area);
}
