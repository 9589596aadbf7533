/*
 * tests/support/loopback.h - TCP on 127.0.0.1 for the tests of IFacetNet
 * and its broker, one source for POSIX systems and Windows (Winsock): a
 * listener, a connection to it, and the few names that differ. Include
 * it after <cmocka.h>: its helpers fail the test when a call fails.
 */
#ifndef FACET_TEST_LOOPBACK_H
#define FACET_TEST_LOOPBACK_H

#ifdef _WIN32
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>
typedef SOCKET TestSocket;
#define close_socket closesocket
#else
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
typedef int TestSocket;
#define INVALID_SOCKET (-1)
#define close_socket close
#endif
#include <stdint.h>
#include <string.h>

/* 127.0.0.1:port (0: any port). */
static inline struct sockaddr_in loopback_address(uint16_t port)
{
    struct sockaddr_in a;
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(port);
    return a;
}

/* A listener on 127.0.0.1, at the port the system picks (*port). Starts
 * Winsock first on Windows (it stays started). */
static inline TestSocket loopback_listen(uint16_t *port)
{
    struct sockaddr_in a = loopback_address(0);
    socklen_t len = sizeof(a);
    TestSocket s;
#ifdef _WIN32
    WSADATA data;
    assert_int_equal(WSAStartup(MAKEWORD(2, 2), &data), 0);
#endif
    s = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(s != INVALID_SOCKET);
    assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof(a)), 0);
    assert_int_equal(listen(s, 16), 0);
    assert_int_equal(getsockname(s, (struct sockaddr *)&a, &len), 0);
    *port = ntohs(a.sin_port);
    return s;
}

/* A connection to 127.0.0.1:port. */
static inline TestSocket loopback_connect(uint16_t port)
{
    struct sockaddr_in a = loopback_address(port);
    TestSocket c = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(c != INVALID_SOCKET);
    assert_int_equal(connect(c, (struct sockaddr *)&a, sizeof(a)), 0);
    return c;
}

#endif
