/*
 * core/os/net_posix.c - outbound TCP for the host's IFacetNet: a name
 * resolved and connected to, on POSIX systems.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* SOCK_CLOEXEC, getaddrinfo */
#endif

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#include "os.h"

FacetResult facet__os_tcp_connect(uint64_t *out, const char *host, uint16_t port)
{
    struct addrinfo hints, *list = NULL, *a;
    char service[8];
    int err, fd = -1, last = 0;

    *out = UINT64_MAX;
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    snprintf(service, sizeof(service), "%u", (unsigned)port);
    err = getaddrinfo(host, service, &hints, &list);
    if (err != 0)
        return facet__error(err == EAI_NONAME
#ifdef EAI_NODATA
                                    || err == EAI_NODATA
#endif
                                ? FACET_E_NOTFOUND
                                : FACET_E_FAIL,
                            "connect to %s:%u: cannot resolve the name: %s", host,
                            (unsigned)port, err == EAI_SYSTEM ? strerror(errno) : gai_strerror(err));
    for (a = list; a != NULL; a = a->ai_next) {
        fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0) {
            last = errno;
            continue;
        }
        do {
            err = connect(fd, a->ai_addr, a->ai_addrlen);
        } while (err != 0 && errno == EINTR);
        if (err == 0)
            break;
        last = errno;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(list);
    if (fd < 0)
        return facet__error(FACET_E_FAIL, "connect to %s:%u: %s", host, (unsigned)port,
                            strerror(last ? last : ECONNREFUSED));
    *out = (uint64_t)fd;
    return FACET_OK;
}

void facet__os_socket_close(uint64_t socket)
{
    if (socket != UINT64_MAX)
        close((int)socket);
}
