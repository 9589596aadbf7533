/*
 * tests/remote/broker.c - the broker's token protocol (core/remote/
 * broker.c, broker_posix.c, broker_win32.c), this process playing both
 * the host and the process host: a socket handed over for a token is the
 * one the Connect of that token takes, and it carries bytes both ways; a
 * record for a token nobody waits for is dropped and its socket closed
 * (its peer sees the end); a host that is gone, or ends in the middle of
 * a record (Windows: the pipe carries bytes), leaves the waiting Connect
 * failing at once with FACET_E_DISCONNECTED; on Windows the host refuses
 * a record past the backlog instead of waiting, and closes its socket,
 * and the process host's end, inherited, is made non-inheritable.
 * Linux: a unix socket pair and SCM_RIGHTS; Windows: a pipe and
 * WSADuplicateSocketW for this process.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "loopback.h"

#include "os/os.h"
#include "remote/remote.h"

/* ---- Connected sockets on loopback --------------------------------------- */

static TestSocket listener;
static uint16_t listener_port;

/* A connection: the end the host would hand over (as the uint64 the
 * broker takes) and its peer, the server's end. */
static uint64_t connection(TestSocket *peer)
{
    TestSocket c = loopback_connect(listener_port);
    *peer = accept(listener, NULL, NULL);
    assert_true(*peer != INVALID_SOCKET);
    return (uint64_t)c;
}

/* Bytes both ways between s (the socket the broker handed over) and peer. */
static void exchange(uint64_t s, TestSocket peer)
{
    char buf[4];
    assert_int_equal(send((TestSocket)s, "ping", 4, 0), 4);
    assert_int_equal(recv(peer, buf, 4, 0), 4);
    assert_memory_equal(buf, "ping", 4);
    assert_int_equal(send(peer, "pong", 4, 0), 4);
    assert_int_equal(recv((TestSocket)s, buf, 4, 0), 4);
    assert_memory_equal(buf, "pong", 4);
}

/* The peer of a socket every copy of which is closed reads the end (and
 * one still open somewhere times out, in 5 s, instead of hanging). */
static void assert_closed(TestSocket peer)
{
    char c;
#ifdef _WIN32
    DWORD limit = 5000;
#else
    struct timeval limit = {5, 0};
#endif
    assert_int_equal(setsockopt(peer, SOL_SOCKET, SO_RCVTIMEO, (const char *)&limit,
                                sizeof(limit)),
                     0);
    assert_int_equal(recv(peer, &c, 1, 0), 0);
}

/* ---- The broker, both ends in this process --------------------------------- */

typedef struct Broker {
    intptr_t to;      /* the host's end */
    intptr_t unread;  /* Windows: the host's copy of the read end */
    intptr_t child;   /* the process host's end */
} Broker;

static void broker_open(Broker *b)
{
#ifdef _WIN32
    HANDLE rd, wr, host_rd;
    assert_true(CreatePipe(&rd, &wr, NULL, 65536));
    assert_true(DuplicateHandle(GetCurrentProcess(), rd, GetCurrentProcess(), &host_rd, 0, FALSE,
                                DUPLICATE_SAME_ACCESS));
    b->to = (intptr_t)wr;
    b->unread = (intptr_t)host_rd;
    b->child = (intptr_t)rd;
    /* inheritable, as the process host inherits it */
    assert_true(SetHandleInformation(rd, HANDLE_FLAG_INHERIT, HANDLE_FLAG_INHERIT));
#else
    int sv[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
    b->to = sv[0];
    b->unread = -1;
    b->child = sv[1];
#endif
    facet__broker_child_set(b->child);
}

/* The host lets go of its end (as its end does when it dies). */
static void broker_host_gone(Broker *b)
{
#ifdef _WIN32
    CloseHandle((HANDLE)b->to);
    CloseHandle((HANDLE)b->unread);
#else
    close((int)b->to);
#endif
    b->to = b->unread = -1;
}

static void broker_close(Broker *b)
{
    if (b->to != -1)
        broker_host_gone(b);
#ifdef _WIN32
    CloseHandle((HANDLE)b->child);
#else
    close((int)b->child);
#endif
}

static uint64_t self_pid(void)
{
#ifdef _WIN32
    return GetCurrentProcessId();
#else
    return (uint64_t)getpid();
#endif
}

/* ---- The tests ---------------------------------------------------------------- */

static void test_remote_broker__no_broker(void **state)
{
    uint64_t s = 0;
    (void)state;
    /* a process host started without one: Connect fails, saying why */
    assert_int_equal(facet__child_receive_socket(1, &s), FACET_E_FAIL);
    assert_non_null(strstr(facet_last_error(), "--broker"));
}

static void test_remote_broker__handed_over(void **state)
{
    Broker b;
    TestSocket peer;
    uint64_t s = UINT64_MAX;
#ifdef _WIN32
    DWORD flags = 0;
#endif
    (void)state;
    broker_open(&b);
#ifdef _WIN32
    /* what the process host reads passes to nothing it starts */
    assert_true(GetHandleInformation((HANDLE)b.child, &flags));
    assert_int_equal(flags & HANDLE_FLAG_INHERIT, 0);
#endif
    assert_int_equal(facet__broker_send(b.to, b.unread, self_pid(), connection(&peer), 7),
                     FACET_OK);
    assert_int_equal(facet__child_receive_socket(7, &s), FACET_OK);
    assert_true(s != UINT64_MAX);
    exchange(s, peer);
    /* the module owns it and closes it: the host kept no copy */
    facet__os_socket_close(s);
    assert_closed(peer);
    close_socket(peer);
    broker_close(&b);
}

static void test_remote_broker__stale_record_dropped(void **state)
{
    Broker b;
    TestSocket stale, peer;
    uint64_t s = UINT64_MAX;
    (void)state;
    broker_open(&b);
    /* a Connect that gave up (token 5) left its socket; the next one
     * (token 6) takes its own and closes the other */
    assert_int_equal(facet__broker_send(b.to, b.unread, self_pid(), connection(&stale), 5),
                     FACET_OK);
    assert_int_equal(facet__broker_send(b.to, b.unread, self_pid(), connection(&peer), 6),
                     FACET_OK);
    assert_int_equal(facet__child_receive_socket(6, &s), FACET_OK);
    exchange(s, peer);
    assert_closed(stale);
    facet__os_socket_close(s);
    close_socket(stale);
    close_socket(peer);
    broker_close(&b);
}

static void test_remote_broker__host_gone(void **state)
{
    Broker b;
    TestSocket peer;
    uint64_t s = UINT64_MAX, start;
    (void)state;
    broker_open(&b);
    /* a record for another token, then the host's end closes: the
     * Connect fails at once, and drops what came */
    assert_int_equal(facet__broker_send(b.to, b.unread, self_pid(), connection(&peer), 3),
                     FACET_OK);
    broker_host_gone(&b);
    start = facet__os_now_ms();
    assert_int_equal(facet__child_receive_socket(4, &s), FACET_E_DISCONNECTED);
    assert_true(facet__os_now_ms() - start < FACET_BROKER_WAIT_MS / 2);
    assert_non_null(strstr(facet_last_error(), "closed"));
    assert_true(s == UINT64_MAX);
    assert_closed(peer);
    close_socket(peer);
    broker_close(&b);
}

#ifdef _WIN32
static void test_remote_broker__host_gone_mid_record(void **state)
{
    Broker b;
    uint64_t s = UINT64_MAX, token = 8, start;
    DWORD wrote = 0;
    (void)state;
    broker_open(&b);
    /* the token, and then nothing: the host died while it wrote */
    assert_true(WriteFile((HANDLE)b.to, &token, sizeof(token), &wrote, NULL));
    broker_host_gone(&b);
    start = facet__os_now_ms();
    assert_int_equal(facet__child_receive_socket(8, &s), FACET_E_DISCONNECTED);
    assert_true(facet__os_now_ms() - start < FACET_BROKER_WAIT_MS / 2);
    assert_non_null(strstr(facet_last_error(), "in the middle of a record"));
    broker_close(&b);
}

static void test_remote_broker__backlog_refused(void **state)
{
    Broker b;
    TestSocket peers[5];
    uint64_t s = UINT64_MAX;
    int i;
    (void)state;
    broker_open(&b);
    /* a process host that takes none: four wait, the fifth is refused at
     * once (the host never waits on it), and its socket closed */
    for (i = 0; i < 4; i++)
        assert_int_equal(facet__broker_send(b.to, b.unread, self_pid(), connection(&peers[i]),
                                            (uint64_t)i + 1),
                         FACET_OK);
    assert_int_equal(facet__broker_send(b.to, b.unread, self_pid(), connection(&peers[4]), 5),
                     FACET_E_FAIL);
    assert_non_null(strstr(facet_last_error(), "has not taken"));
    assert_closed(peers[4]);
    /* once it takes them, the broker serves again */
    assert_int_equal(facet__child_receive_socket(4, &s), FACET_OK);
    exchange(s, peers[3]);
    facet__os_socket_close(s);
    for (i = 0; i < 3; i++)
        assert_closed(peers[i]);
    close_socket(peers[4]);
    assert_int_equal(facet__broker_send(b.to, b.unread, self_pid(), connection(&peers[4]), 6),
                     FACET_OK);
    assert_int_equal(facet__child_receive_socket(6, &s), FACET_OK);
    exchange(s, peers[4]);
    facet__os_socket_close(s);
    for (i = 0; i < 5; i++)
        close_socket(peers[i]);
    broker_close(&b);
}
#endif

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_remote_broker__no_broker),
        cmocka_unit_test(test_remote_broker__handed_over),
        cmocka_unit_test(test_remote_broker__stale_record_dropped),
        cmocka_unit_test(test_remote_broker__host_gone),
#ifdef _WIN32
        cmocka_unit_test(test_remote_broker__host_gone_mid_record),
        cmocka_unit_test(test_remote_broker__backlog_refused),
#endif
    };
    listener = loopback_listen(&listener_port);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
