/*
 * core/os/net_win32.c - outbound TCP for the host's IFacetNet: a name
 * resolved and connected to, with Winsock.
 */
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <winsock2.h>
#include <ws2tcpip.h>

#include <stdio.h>
#include <string.h>

#include "os.h"

/* Winsock is started once, at the first use of a socket (a connect here,
 * a socket the host handed over in facet-host), and left running. */
static INIT_ONCE started = INIT_ONCE_STATIC_INIT;
static int start_error;

static BOOL CALLBACK start(PINIT_ONCE once, PVOID param, PVOID *context)
{
    WSADATA data;
    (void)once;
    (void)param;
    (void)context;
    start_error = WSAStartup(MAKEWORD(2, 2), &data);
    return TRUE;
}

int facet__os_net_start(void)
{
    InitOnceExecuteOnce(&started, start, NULL, NULL);
    return start_error;
}

FacetResult facet__os_tcp_connect(uint64_t *out, const char *host, uint16_t port)
{
    ADDRINFOA hints, *list = NULL, *a;
    char service[8];
    SOCKET s = INVALID_SOCKET;
    int err, last = 0;

    *out = UINT64_MAX;
    err = facet__os_net_start();
    if (err != 0)
        return facet__error(FACET_E_FAIL, "connect to %s:%u: Winsock did not start (error %d)",
                            host, (unsigned)port, err);
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    snprintf(service, sizeof(service), "%u", (unsigned)port);
    err = getaddrinfo(host, service, &hints, &list);
    if (err != 0)
        return facet__error(err == WSAHOST_NOT_FOUND || err == WSANO_DATA ? FACET_E_NOTFOUND
                                                                           : FACET_E_FAIL,
                            "connect to %s:%u: cannot resolve the name (Winsock error %d)", host,
                            (unsigned)port, err);
    for (a = list; a != NULL; a = a->ai_next) {
        s = WSASocketW(a->ai_family, a->ai_socktype, a->ai_protocol, NULL, 0,
                       WSA_FLAG_NO_HANDLE_INHERIT);
        if (s == INVALID_SOCKET) {
            last = WSAGetLastError();
            continue;
        }
        if (connect(s, a->ai_addr, (int)a->ai_addrlen) == 0)
            break;
        last = WSAGetLastError();
        closesocket(s);
        s = INVALID_SOCKET;
    }
    freeaddrinfo(list);
    if (s == INVALID_SOCKET)
        return facet__error(FACET_E_FAIL, "connect to %s:%u: no address accepted the "
                                          "connection (Winsock error %d)",
                            host, (unsigned)port, last);
    *out = (uint64_t)s;
    return FACET_OK;
}

void facet__os_socket_close(uint64_t socket)
{
    if (socket != UINT64_MAX)
        closesocket((SOCKET)socket);
}
