/*
 * tests/remote/transport_win32.c - the shared memory transport of the
 * process host on Windows (core/remote/shm_win32.c) between two real
 * processes, the child started by the process host's spawn
 * (core/remote/spawn_win32.c): this program, run again with "--child".
 *
 * Messages reach the child and come back right under every wait policy,
 * from several threads at once, on the lanes the child calls on too, and
 * nested; the child's end (a crash, an exit, a kill) ends a wait at once
 * and is reported with how it ended; a wait past its deadline ends with
 * FACET_TR_TIMEOUT; a hostile length kills the transport; memory that is
 * not a transport is refused; the host's end kills its child and what the
 * child started (the job object); the spawn's and the handles' errors.
 * Every negative check has its positive control in the same test, and
 * every wait has a deadline, so a lost wake-up fails instead of hanging.
 *
 * The Linux version of these tests is transport.c.
 */
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "os/os.h"
#include "remote/remote.h"

#define MSG 64
#define CAP 4096
#define CALLS 2000
/* Every wait of the host's: a lost wake-up is a failure, not a hang. */
#define LONG_MS 30000u

static char *self_exe; /* this program */
static int *volatile nowhere; /* NULL, out of the compiler's sight */

/* ---- Both sides -------------------------------------------------------- */

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

static int exchange(FacetTransport *t, unsigned lane, size_t len, size_t *got, uint32_t ms)
{
    size_t off = 0;
    int r = t->ops->exchange(t, lane, 0, len, &off, got, ms);
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
    int call_back;
    FacetOsThread thread;
} Server;

/* Serves one lane until the transport dies (a message back first, for
 * call_back: c * 2 out, c * 2 + 1 expected). */
static void serve_lane(void *arg)
{
    Server *s = arg;
    unsigned char *buf = facet__tr_buffer(s->t, s->lane);
    size_t len;
    int r = wait_first(s->t, s->lane, &len);
    while (r == FACET_TR_OK) {
        uint64_t c;
        if (len != MSG)
            ExitProcess(3);
        c = get64(buf);
        if (s->call_back) {
            put64(buf, c * 2);
            if (exchange(s->t, s->lane, MSG, &len, 0) != FACET_TR_OK || len != MSG ||
                get64(buf) != c * 2 + 1)
                ExitProcess(7);
        }
        put64(buf, c + 1);
        r = exchange(s->t, s->lane, MSG, &len, 0);
    }
}

/* ---- The child --------------------------------------------------------- */

/* A hostile child posts a reply by writing the lane's words itself, as
 * shm_win32.c lays them out (a line of header, then a line per lane:
 * state, len, two CPU words, off, a pad, the two events' values), once the
 * host has posted its message. */
static void post_raw(unsigned char *base, unsigned lane, uint32_t off, uint32_t len)
{
    unsigned char *line = base + 64 + lane * 64;
    uint32_t *words = (uint32_t *)(void *)line;
    uint64_t caller_event;
    while ((__atomic_load_n(&words[0], __ATOMIC_ACQUIRE) & 3u) != 1u) /* the server's phase */
        Sleep(1);
    memcpy(&caller_event, line + 24, sizeof(caller_event));
    __atomic_store_n(&words[4], off, __ATOMIC_RELAXED);
    __atomic_store_n(&words[1], len, __ATOMIC_RELAXED);
    __atomic_store_n(&words[0], 0u, __ATOMIC_RELEASE); /* the caller's phase, no waiter */
    SetEvent((HANDLE)(uintptr_t)caller_event);
}

static int child_main(int argc, char **argv)
{
    const char *how = argv[2];
    intptr_t section, lifeline, broker;
    FacetTransport *t;
    Server servers[FACET_TR_MAX_LANES];
    unsigned i;
    size_t len;
    if (FACET_FAILED(facet__child_handles(argc, argv, &section, &lifeline, &broker)))
        return 20;
    facet__child_supervise(lifeline);
    if (strcmp(how, "exit") == 0)
        return 3;
    if (facet__shm_attach(&t, section) != FACET_TR_OK || t->host)
        return 2;
    facet__shm_watch_process(t, (void *)lifeline);
    if (strcmp(how, "crash") == 0) {
        wait_first(t, 0, &len);
        *nowhere = 1; /* an access violation */
        return 21;
    }
    if (strcmp(how, "silent") == 0) {
        wait_first(t, 0, &len);
        Sleep(INFINITE);
    }
    if (strncmp(how, "raw:", 4) == 0) {
        unsigned long off, n;
        if (sscanf(how + 4, "%lu:%lu", &off, &n) != 2 || wait_first(t, 0, &len) != FACET_TR_OK)
            return 4;
        post_raw((unsigned char *)facet__tr_buffer(t, 0) - 4096, 0, (uint32_t)off, (uint32_t)n);
        Sleep(INFINITE); /* the host must not wait for more */
    }
    if (strcmp(how, "call-host") == 0) {
        unsigned char *buf = facet__tr_buffer(t, t->down);
        uint64_t k;
        for (k = 0; k < CALLS; k++) {
            put64(buf, k * 3);
            if (exchange(t, t->down, MSG, &len, 0) != FACET_TR_OK || len != MSG ||
                get64(buf) != k * 3 + 1)
                return 8;
        }
        return 0;
    }
    if (strncmp(how, "grandchild:", 11) == 0) {
        /* Starts a process of its own (this program, waiting for ever), and
         * writes both ids to the file named; then serves. */
        STARTUPINFOW si;
        PROCESS_INFORMATION pi;
        wchar_t *cmd = NULL;
        char line[1024];
        FILE *f;
        memset(&si, 0, sizeof(si));
        si.cb = sizeof(si);
        snprintf(line, sizeof(line), "\"%s\" --sleep", self_exe);
        if (FACET_FAILED(facet__win_widen(&cmd, line)) ||
            !CreateProcessW(NULL, cmd, NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi))
            return 22;
        f = fopen(how + 11, "w");
        if (f == NULL)
            return 23;
        fprintf(f, "%lu %lu\n", (unsigned long)GetCurrentProcessId(),
                (unsigned long)pi.dwProcessId);
        fclose(f);
        how = "answer";
    }
    for (i = 0; i < t->down; i++) {
        servers[i].t = t;
        servers[i].lane = i;
        servers[i].call_back = strcmp(how, "call-back") == 0;
        if (FACET_FAILED(facet__os_thread_start(&servers[i].thread, serve_lane, &servers[i])))
            return 6;
    }
    for (i = 0; i < t->down; i++)
        facet__os_thread_join(&servers[i].thread);
    t->ops->close(t);
    return 0;
}

/* ---- The host's side --------------------------------------------------- */

typedef struct Child {
    FacetChild *ch;
    FacetTransport *t;
    HANDLE done; /* set when ended was called */
    FacetChildEnd end;
    int ends;
} Child;

static void ended(void *payload, const FacetChildEnd *end)
{
    Child *c = payload;
    c->end = *end;
    c->ends++;
    SetEvent(c->done);
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

static void start_child(Child *c, FacetTransport *t, const char *how)
{
    const char *args[] = {"--child", how, NULL};
    memset(c, 0, sizeof(*c));
    c->t = t;
    c->done = CreateEventW(NULL, TRUE, FALSE, NULL);
    assert_non_null(c->done);
    if (FACET_FAILED(facet__child_spawn(&c->ch, self_exe, args, NULL, t, NULL, ended, c)))
        fail_msg("spawn: %s", facet_last_error());
    assert_true(facet__child_pid(c->ch) != 0);
}

/* Waits for the child's end and checks how it ended; frees it. */
static void end_child(Child *c, uint32_t how, int64_t code)
{
    assert_int_equal(WaitForSingleObject(c->done, LONG_MS), WAIT_OBJECT_0);
    facet__child_free(c->ch, LONG_MS);
    assert_int_equal(c->ends, 1);
    assert_int_equal(c->end.how, how);
    assert_int_equal(c->end.code, code);
    assert_true(facet__tr_is_dead(c->t)); /* its end marked the transport dead */
    CloseHandle(c->done);
    c->t->ops->close(c->t);
}

static int call_counter(FacetTransport *t, unsigned lane, uint64_t counter, uint32_t ms)
{
    unsigned char *buf = facet__tr_buffer(t, lane);
    size_t len = 0;
    int r;
    memset(buf, 0x5a, MSG);
    put64(buf, counter);
    r = exchange(t, lane, MSG, &len, ms);
    if (r != FACET_TR_OK)
        return r;
    return len == MSG && get64(buf) == counter + 1 && buf[MSG - 1] == 0x5a ? 0 : 100;
}

static void round_trips(uint32_t wait, uint32_t spin_ns, const char *how)
{
    FacetTransport *t = new_transport(1, 0, wait, spin_ns);
    Child c;
    uint64_t i;
    start_child(&c, t, how);
    for (i = 0; i < CALLS; i++) {
        if (strcmp(how, "call-back") == 0) {
            unsigned char *buf = facet__tr_buffer(t, 0);
            size_t len;
            put64(buf, i * 7);
            assert_int_equal(exchange(t, 0, MSG, &len, LONG_MS), FACET_TR_OK);
            assert_int_equal(get64(buf), i * 14);
            put64(buf, i * 14 + 1);
            assert_int_equal(exchange(t, 0, MSG, &len, LONG_MS), FACET_TR_OK);
            assert_int_equal(get64(buf), i * 7 + 1);
        } else {
            assert_int_equal(call_counter(t, 0, i * 7, LONG_MS), 0);
        }
    }
    /* Marking it dead ends the child's wait: it exits by itself, 0. */
    t->ops->mark_dead(t);
    end_child(&c, FACET_OS_CHILD_EXITED, 0);
}

static void test_round_trips_adaptive(void **state)
{
    (void)state;
    round_trips(FACET_TR_WAIT_ADAPTIVE, FACET_TR_DEFAULT_SPIN_NS, "answer");
}

static void test_round_trips_blocking(void **state)
{
    (void)state;
    round_trips(FACET_TR_WAIT_BLOCK, 0, "answer");
}

static void test_round_trips_spinning(void **state)
{
    (void)state;
    round_trips(FACET_TR_WAIT_SPIN, 100000, "answer");
}

static void test_message_back_before_the_answer(void **state)
{
    (void)state;
    round_trips(FACET_TR_WAIT_ADAPTIVE, FACET_TR_DEFAULT_SPIN_NS, "call-back");
}

typedef struct Caller {
    FacetTransport *t;
    unsigned lane;
    int failures;
    FacetOsThread thread;
} Caller;

static void call_many(void *arg)
{
    Caller *c = arg;
    uint64_t i;
    for (i = 0; i < CALLS; i++)
        if (call_counter(c->t, c->lane, (uint64_t)c->lane << 32 | i, LONG_MS) != 0)
            c->failures++;
}

static void test_threads_each_on_a_lane(void **state)
{
    enum { THREADS = 3 };
    FacetTransport *t = new_transport(THREADS, 1, FACET_TR_WAIT_ADAPTIVE, FACET_TR_DEFAULT_SPIN_NS);
    Caller callers[THREADS];
    Child c;
    unsigned i;
    (void)state;
    start_child(&c, t, "answer");
    for (i = 0; i < THREADS; i++) {
        callers[i].t = t;
        callers[i].lane = i;
        callers[i].failures = 0;
        assert_int_equal(facet__os_thread_start(&callers[i].thread, call_many, &callers[i]),
                         FACET_OK);
    }
    for (i = 0; i < THREADS; i++) {
        facet__os_thread_join(&callers[i].thread);
        assert_int_equal(callers[i].failures, 0);
    }
    t->ops->mark_dead(t);
    end_child(&c, FACET_OS_CHILD_EXITED, 0);
}

/* The child calls on a lane of its own and the host serves it; the
 * child's exit ends the host's wait for the next call. */
static void test_child_calls_the_host(void **state)
{
    FacetTransport *t = new_transport(1, 2, FACET_TR_WAIT_ADAPTIVE, FACET_TR_DEFAULT_SPIN_NS);
    Server s;
    Child c;
    (void)state;
    assert_int_equal(t->down, 1);
    assert_int_equal(t->lanes, 3);
    s.t = t;
    s.lane = 1;
    s.call_back = 0;
    start_child(&c, t, "call-host");
    assert_int_equal(facet__os_thread_start(&s.thread, serve_lane, &s), FACET_OK);
    assert_int_equal(WaitForSingleObject(c.done, LONG_MS), WAIT_OBJECT_0);
    facet__os_thread_join(&s.thread);
    end_child(&c, FACET_OS_CHILD_EXITED, 0); /* every answer was right */
}

/* ---- The child's end --------------------------------------------------- */

/* A child that crashes while the host waits for its answer: the wait ends
 * with FACET_TR_DEAD, and so does every exchange after it; ended says it
 * was an access violation. The positive controls are the round trips,
 * whose children are started and watched the same way. */
static void test_crash_during_call(void **state)
{
    uint32_t waits[] = {FACET_TR_WAIT_ADAPTIVE, FACET_TR_WAIT_BLOCK};
    size_t i;
    (void)state;
    for (i = 0; i < 2; i++) {
        FacetTransport *t = new_transport(1, 0, waits[i], FACET_TR_DEFAULT_SPIN_NS);
        Child c;
        start_child(&c, t, "crash");
        assert_int_equal(call_counter(t, 0, 1, LONG_MS), FACET_TR_DEAD);
        assert_true(facet__tr_is_dead(t));
        assert_int_equal(call_counter(t, 0, 2, LONG_MS), FACET_TR_DEAD);
        end_child(&c, FACET_OS_CHILD_SIGNALED, (int64_t)0xC0000005u);
    }
}

/* The child is gone before the call: the call does not wait for it. The
 * positive control: a live child's call on a transport made the same way. */
static void test_death_before_call(void **state)
{
    FacetTransport *t = new_transport(1, 0, FACET_TR_WAIT_ADAPTIVE, FACET_TR_DEFAULT_SPIN_NS);
    FacetTransport *live = new_transport(1, 0, FACET_TR_WAIT_ADAPTIVE, FACET_TR_DEFAULT_SPIN_NS);
    Child c, l;
    (void)state;
    start_child(&c, t, "exit");
    start_child(&l, live, "answer");
    assert_int_equal(WaitForSingleObject(c.done, LONG_MS), WAIT_OBJECT_0);
    assert_int_equal(call_counter(live, 0, 9, LONG_MS), 0);
    assert_int_equal(call_counter(t, 0, 9, LONG_MS), FACET_TR_DEAD);
    end_child(&c, FACET_OS_CHILD_EXITED, 3);
    live->ops->mark_dead(live);
    end_child(&l, FACET_OS_CHILD_EXITED, 0);
}

/* A child that never answers: the wait ends at its deadline; then the
 * host kills it, which ended reports as a kill. The positive control: the
 * same deadline on a child that answers is met. */
static void test_deadline_and_kill(void **state)
{
    FacetTransport *t = new_transport(1, 0, FACET_TR_WAIT_ADAPTIVE, FACET_TR_DEFAULT_SPIN_NS);
    FacetTransport *live = new_transport(1, 0, FACET_TR_WAIT_ADAPTIVE, FACET_TR_DEFAULT_SPIN_NS);
    Child c, l;
    uint64_t a, b;
    (void)state;
    start_child(&c, t, "silent");
    start_child(&l, live, "answer");
    assert_int_equal(call_counter(live, 0, 41, 5000), 0);
    a = facet__os_now_ms();
    assert_int_equal(call_counter(t, 0, 1, 200), FACET_TR_TIMEOUT);
    b = facet__os_now_ms();
    assert_true(b - a >= 190);
    assert_true(b - a < 5000);
    assert_false(facet__tr_is_dead(t));
    assert_int_equal(WaitForSingleObject(c.done, 0), WAIT_TIMEOUT); /* still alive */
    facet__child_kill(c.ch);
    facet__child_kill(c.ch); /* once; the second does nothing */
    end_child(&c, FACET_OS_CHILD_SIGNALED, 9);
    live->ops->mark_dead(live);
    end_child(&l, FACET_OS_CHILD_EXITED, 0);
}

/* ---- A hostile child --------------------------------------------------- */

static void raw_reply(uint32_t off, uint32_t len, int fits)
{
    FacetTransport *t = new_transport(1, 0, FACET_TR_WAIT_ADAPTIVE, FACET_TR_DEFAULT_SPIN_NS);
    char how[64];
    size_t got_off = 0, got_len = 0;
    Child c;
    snprintf(how, sizeof(how), "raw:%lu:%lu", (unsigned long)off, (unsigned long)len);
    start_child(&c, t, how);
    put64(facet__tr_buffer(t, 0), 1);
    if (fits) {
        assert_int_equal(t->ops->exchange(t, 0, 0, MSG, &got_off, &got_len, LONG_MS), FACET_TR_OK);
        assert_int_equal(got_off, off);
        assert_int_equal(got_len, len);
        assert_false(facet__tr_is_dead(t));
    } else {
        assert_int_equal(t->ops->exchange(t, 0, 0, MSG, &got_off, &got_len, LONG_MS),
                         FACET_TR_INVALID);
        assert_true(facet__tr_is_dead(t));
        assert_int_equal(call_counter(t, 0, 2, LONG_MS), FACET_TR_DEAD);
    }
    facet__child_kill(c.ch);
    end_child(&c, FACET_OS_CHILD_SIGNALED, 9);
}

/* A reply that does not lie in the buffer kills the transport; the same
 * raw post of a reply that does (at the buffer's end) is taken. */
static void test_reply_outside_the_buffer_kills_the_transport(void **state)
{
    static const uint32_t cases[][2] = {
        {0, CAP + 1}, {CAP - 64, 72}, {CAP + 8, 0}, {4, MSG}, {0xFFFFFFF8u, 16}};
    size_t i;
    (void)state;
    raw_reply(CAP - MSG, MSG, 1);
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        raw_reply(cases[i][0], cases[i][1], 0);
}

/* ---- The host's end ---------------------------------------------------- */

static void end_process(DWORD pid)
{
    HANDLE h = OpenProcess(PROCESS_TERMINATE, FALSE, pid);
    if (h != NULL) {
        TerminateProcess(h, 1);
        CloseHandle(h);
    }
}

/* A process gone within ms (or never there). */
static int gone_within(DWORD pid, DWORD ms)
{
    HANDLE h = OpenProcess(SYNCHRONIZE, FALSE, pid);
    DWORD r;
    if (h == NULL)
        return 1;
    r = WaitForSingleObject(h, ms);
    CloseHandle(h);
    return r == WAIT_OBJECT_0;
}

/* A host (this program, "--host FILE") starts a child, which starts a
 * process of its own; the host is killed: both are gone within a second
 * (the job kills on close). The positive control: before the kill, both
 * are alive. */
static void test_host_death_kills_the_child_and_its_children(void **state)
{
    char file[MAX_PATH], line[2 * MAX_PATH];
    wchar_t *cmd = NULL;
    STARTUPINFOW si;
    PROCESS_INFORMATION pi;
    unsigned long child = 0, grandchild = 0;
    int i, n = 0, child_gone, grandchild_gone;
    (void)state;
    snprintf(file, sizeof(file), "facet-remote-pids-%lu.txt", (unsigned long)GetCurrentProcessId());
    remove(file);
    snprintf(line, sizeof(line), "\"%s\" --host %s", self_exe, file);
    assert_int_equal(facet__win_widen(&cmd, line), FACET_OK);
    memset(&si, 0, sizeof(si));
    si.cb = sizeof(si);
    assert_true(CreateProcessW(NULL, cmd, NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi));
    facet__free(cmd);
    CloseHandle(pi.hThread);
    for (i = 0; i < 3000 && n != 2; i++) {
        FILE *f = fopen(file, "r");
        if (f != NULL) {
            n = fscanf(f, "%lu %lu", &child, &grandchild);
            fclose(f);
        }
        if (n != 2)
            Sleep(10);
    }
    assert_int_equal(n, 2);
    assert_false(gone_within(child, 0));
    assert_false(gone_within(grandchild, 0));
    assert_true(TerminateProcess(pi.hProcess, 1));
    WaitForSingleObject(pi.hProcess, LONG_MS);
    CloseHandle(pi.hProcess);
    remove(file);
    child_gone = gone_within(child, 1000);
    grandchild_gone = gone_within(grandchild, 1000);
    if (!child_gone || !grandchild_gone) {
        /* Leave nothing behind (they hold this test's output open). */
        end_process(child);
        end_process(grandchild);
    }
    assert_true(child_gone);
    assert_true(grandchild_gone);
}

/* The "--host FILE" process of the test above: starts a child as libfacet
 * does and waits to be killed. */
static int host_main(const char *file)
{
    FacetTransport *t;
    FacetChild *ch;
    char how[MAX_PATH + 16];
    const char *args[] = {"--child", how, NULL};
    snprintf(how, sizeof(how), "grandchild:%s", file);
    if (facet__shm_create(&t, 1, 0, CAP) != FACET_TR_OK)
        return 30;
    if (FACET_FAILED(facet__child_spawn(&ch, self_exe, args, NULL, t, NULL, NULL, NULL)))
        return 31;
    Sleep(INFINITE);
    return 0;
}

/* ---- Spawn, handles and memory that is not a transport ------------------ */

static void test_spawn_errors(void **state)
{
    FacetTransport *t = new_transport(1, 0, FACET_TR_WAIT_BLOCK, 0);
    const char *args[] = {NULL};
    FacetChild *ch = (FacetChild *)(uintptr_t)1;
    char missing[MAX_PATH + 32];
    (void)state;
    snprintf(missing, sizeof(missing), "%s.missing.exe", self_exe);
    assert_int_equal(facet__child_spawn(&ch, missing, args, NULL, t, NULL, NULL, NULL),
                     FACET_E_FILENOTFOUND);
    assert_null(ch);
    assert_non_null(strstr(facet_last_error(), "missing.exe"));
    assert_int_equal(facet__child_spawn(&ch, self_exe, args, NULL, NULL, NULL, NULL, NULL),
                     FACET_E_INVALIDARG);
    /* The positive control: the transport is still whole and usable. */
    assert_false(facet__tr_is_dead(t));
    t->ops->close(t);
}

static void test_child_handles(void **state)
{
    char *good[] = {"facet-host", "x",  "--transport", "1234", "--lifeline", "88",
                    "--broker",   "44", NULL};
    char *missing[] = {"facet-host", "--transport", "1234", NULL};
    char *junk[] = {"facet-host", "--transport", "12x", "--lifeline", "8", NULL};
    char *zero[] = {"facet-host", "--transport", "0", "--lifeline", "8", NULL};
    char *bad_broker[] = {"facet-host", "--transport", "1", "--lifeline", "8", "--broker", "b",
                          NULL};
    intptr_t tr, life, broker;
    (void)state;
    assert_int_equal(facet__child_handles(8, good, &tr, &life, &broker), FACET_OK);
    assert_int_equal(tr, 1234);
    assert_int_equal(life, 88);
    assert_int_equal(broker, 44);
    /* without a broker: the rest is there, and broker says none */
    assert_int_equal(facet__child_handles(6, good, &tr, &life, &broker), FACET_OK);
    assert_int_equal(broker, -1);
    assert_int_equal(facet__child_handles(3, missing, &tr, &life, &broker), FACET_E_INVALIDARG);
    assert_non_null(strstr(facet_last_error(), "--lifeline"));
    assert_int_equal(facet__child_handles(5, junk, &tr, &life, &broker), FACET_E_INVALIDARG);
    assert_non_null(strstr(facet_last_error(), "12x"));
    assert_int_equal(facet__child_handles(5, zero, &tr, &life, &broker), FACET_E_INVALIDARG);
    assert_int_equal(facet__child_handles(7, bad_broker, &tr, &life, &broker),
                     FACET_E_INVALIDARG);
    assert_non_null(strstr(facet_last_error(), "--broker b"));
}

static void test_host_program(void **state)
{
    char *path = NULL, missing[MAX_PATH + 32];
    wchar_t *w = NULL;
    (void)state;
    /* Named by the environment: taken when it is a file. */
    assert_int_equal(facet__win_widen(&w, self_exe), FACET_OK);
    assert_true(SetEnvironmentVariableW(L"FACET_HOST_PROGRAM", w));
    facet__free(w);
    assert_int_equal(facet__host_program(&path), FACET_OK);
    assert_string_equal(path, self_exe);
    facet__free(path);
    snprintf(missing, sizeof(missing), "%s.missing.exe", self_exe);
    assert_int_equal(facet__win_widen(&w, missing), FACET_OK);
    assert_true(SetEnvironmentVariableW(L"FACET_HOST_PROGRAM", w));
    facet__free(w);
    assert_int_equal(facet__host_program(&path), FACET_E_FILENOTFOUND);
    assert_null(path);
    assert_non_null(strstr(facet_last_error(), "FACET_HOST_PROGRAM"));
    /* Else next to libfacet (here, this program, which has none). */
    assert_true(SetEnvironmentVariableW(L"FACET_HOST_PROGRAM", NULL));
    assert_int_equal(facet__host_program(&path), FACET_E_FILENOTFOUND);
    assert_non_null(strstr(facet_last_error(), "facet-host.exe"));
}

static void test_attach_refuses_what_is_not_a_transport(void **state)
{
    FacetTransport *t = NULL, *mapped = NULL;
    HANDLE junk = CreateFileMappingW(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 4096, NULL);
    HANDLE small = CreateFileMappingW(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 8192, NULL);
    unsigned char *p;
    (void)state;
    assert_non_null(junk);
    assert_non_null(small);
    p = MapViewOfFile(junk, FILE_MAP_WRITE, 0, 0, 0);
    assert_non_null(p);
    memset(p, 0xab, 4096);
    UnmapViewOfFile(p);
    assert_int_equal(facet__shm_attach(&mapped, (intptr_t)junk), FACET_TR_INVALID);
    assert_null(mapped);

    /* A real header that claims more lanes than the memory holds. */
    assert_int_equal(facet__shm_create(&t, 2, 0, MSG), FACET_TR_OK);
    p = MapViewOfFile(small, FILE_MAP_WRITE, 0, 0, 0);
    assert_non_null(p);
    memcpy(p, t->buffers - 4096, 4096); /* header and lines, one lane of two */
    UnmapViewOfFile(p);
    assert_int_equal(facet__shm_attach(&mapped, (intptr_t)small), FACET_TR_INVALID);
    assert_int_equal(facet__shm_attach(&mapped, 0), FACET_TR_INVALID);

    /* The positive control: the real memory attaches, with its shape, as
     * the child's end. */
    assert_int_equal(facet__shm_attach(&mapped, facet__shm_handle(t)), FACET_TR_OK);
    assert_int_equal(mapped->lanes, 2);
    assert_int_equal(mapped->down, 2);
    assert_int_equal(mapped->capacity, 4096);
    assert_false(mapped->host);
    mapped->ops->close(mapped);
    t->ops->close(t);
    CloseHandle(junk);
    CloseHandle(small);
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

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trips_adaptive),
        cmocka_unit_test(test_round_trips_blocking),
        cmocka_unit_test(test_round_trips_spinning),
        cmocka_unit_test(test_message_back_before_the_answer),
        cmocka_unit_test(test_threads_each_on_a_lane),
        cmocka_unit_test(test_child_calls_the_host),
        cmocka_unit_test(test_crash_during_call),
        cmocka_unit_test(test_death_before_call),
        cmocka_unit_test(test_deadline_and_kill),
        cmocka_unit_test(test_reply_outside_the_buffer_kills_the_transport),
        cmocka_unit_test(test_host_death_kills_the_child_and_its_children),
        cmocka_unit_test(test_spawn_errors),
        cmocka_unit_test(test_child_handles),
        cmocka_unit_test(test_host_program),
        cmocka_unit_test(test_attach_refuses_what_is_not_a_transport),
        cmocka_unit_test(test_bad_arguments),
    };
    wchar_t path[MAX_PATH + 1];
    DWORD n = GetModuleFileNameW(NULL, path, MAX_PATH + 1);
    if (n == 0 || n > MAX_PATH || (self_exe = facet__win_narrow(path)) == NULL)
        return 40;
    if (argc >= 2 && strcmp(argv[1], "--sleep") == 0) {
        Sleep(INFINITE);
        return 0;
    }
    if (argc >= 3 && strcmp(argv[1], "--child") == 0)
        return child_main(argc, argv);
    if (argc >= 3 && strcmp(argv[1], "--host") == 0)
        return host_main(argv[2]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
