/*
 * core/remote/broker.c - the broker's token protocol, the same on every
 * system: the host hands the process host each socket its IFacetNet
 * connected with the token that Connect answered, and the process host's
 * Connect, which holds its lock while it waits, takes the records in
 * order until it finds its own (broker_posix.c, broker_win32.c carry
 * them).
 */
#include "remote.h"

#if defined(__linux__) || defined(_WIN32)

/* The socket the host handed over for token: records for other tokens
 * (Connects that gave up waiting) are dropped on the way, their sockets
 * closed. */
FacetResult facet__child_receive_socket(uint64_t token, uint64_t *out)
{
    for (;;) {
        uint64_t got = 0, socket = UINT64_MAX;
        FacetResult r = facet__broker_next(&got, &socket);
        if (got == token || (FACET_FAILED(r) && got == 0)) {
            if (FACET_SUCCEEDED(r) && socket == UINT64_MAX)
                r = facet__error(FACET_E_FAIL, "the host's broker sent the record of this "
                                               "Connect (token %llu) without its socket",
                                 (unsigned long long)token);
            if (FACET_SUCCEEDED(r))
                *out = socket;
            return r;
        }
        facet__os_socket_close(socket);
    }
}

#endif
