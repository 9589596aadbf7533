/*
 * core/remote/broker_win32.c - the broker of IFacetNet on Windows: how a
 * socket the host connected reaches the process host.
 *
 * The way Winsock documents: the host calls WSADuplicateSocketW for the
 * process host's process id and writes the WSAPROTOCOL_INFOW it fills,
 * after the token its Connect answered, into an anonymous pipe whose read
 * end only the process host holds (spawn_win32.c passes it, "--broker");
 * the process host makes its own socket of it with WSASocketW
 * (FROM_PROTOCOL_INFO), and the host closes its own. Only the host holds
 * the write end, so when the host is gone, however it ends, the process
 * host reads the pipe's end instead of waiting.
 */
#ifdef _WIN32

#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <winsock2.h>
#include <windows.h>

#include <string.h>

#include "../os/os.h"
#include "remote.h"

/* One record of the pipe. */
typedef struct BrokerRecord {
    uint64_t token;
    WSAPROTOCOL_INFOW info;
} BrokerRecord;

/* Records the process host may leave unread before the host refuses to
 * send more (a process host that does not take its sockets): few enough
 * to fit the smallest buffer a pipe is given, so that a write never
 * waits. */
#define BROKER_BACKLOG 4

FacetResult facet__broker_send(intptr_t to, intptr_t unread, uint64_t pid, uint64_t socket,
                               uint64_t token)
{
    BrokerRecord rec;
    DWORD waiting = 0, wrote = 0;
    FacetResult r = FACET_OK;
    memset(&rec, 0, sizeof(rec));
    rec.token = token;
    /* Never waits: what the process host has not read is counted first,
     * and a record goes only where it fits at once. */
    if (!PeekNamedPipe((HANDLE)unread, NULL, 0, NULL, &waiting, NULL))
        r = facet__error(FACET_E_FAIL, "cannot hand the connected socket to the process host: "
                                       "PeekNamedPipe failed (error %lu)",
                         (unsigned long)GetLastError());
    else if (waiting > (BROKER_BACKLOG - 1) * sizeof(rec))
        r = facet__error(FACET_E_FAIL, "cannot hand the connected socket to the process host "
                                       "(pid %lu): it has not taken the last %u it was handed",
                         (unsigned long)pid, (unsigned)(waiting / sizeof(rec)));
    else if (WSADuplicateSocketW((SOCKET)socket, (DWORD)pid, &rec.info) != 0)
        r = facet__error(FACET_E_FAIL, "cannot hand the connected socket to the process host "
                                       "(pid %lu): WSADuplicateSocketW failed (Winsock error %d)",
                         (unsigned long)pid, WSAGetLastError());
    else if (!WriteFile((HANDLE)to, &rec, sizeof(rec), &wrote, NULL) || wrote != sizeof(rec))
        r = facet__error(FACET_E_FAIL, "cannot hand the connected socket to the process host "
                                       "(pid %lu): WriteFile failed (error %lu)",
                         (unsigned long)pid, (unsigned long)GetLastError());
    /* the process host's copy is the one that counts */
    facet__os_socket_close(socket);
    return r;
}

/* In the process host: the read end of the pipe, or NULL. */
static HANDLE child_broker;

void facet__broker_child_set(intptr_t handle)
{
    if (handle == -1 || handle == 0)
        return;
    /* inherited as inheritable: it passes to nothing this process starts */
    child_broker = (HANDLE)handle;
    SetHandleInformation(child_broker, HANDLE_FLAG_INHERIT, 0);
}

/* Waits until the pipe holds something: 1, 0 when nothing came in time,
 * -1 when the pipe is closed (the host is gone). A pipe whose writer is
 * gone still gives what it holds, and then its end: reading what waits
 * (a whole record, or the start of one from a host that died writing
 * it) then says which. */
static int broker_wait(void)
{
    uint64_t until = facet__os_now_ms() + FACET_BROKER_WAIT_MS;
    for (;;) {
        DWORD unread = 0;
        if (!PeekNamedPipe(child_broker, NULL, 0, NULL, &unread, NULL))
            return -1;
        if (unread > 0)
            return 1;
        if (facet__os_now_ms() >= until)
            return 0;
        /* The host writes the record before it answers the Connect, so
         * it is there at the first look unless the host is going away. */
        Sleep(1);
    }
}

FacetResult facet__broker_next(uint64_t *token, uint64_t *socket)
{
    BrokerRecord rec;
    DWORD got = 0, n;
    SOCKET s;
    int ready, err;
    *token = 0;
    *socket = UINT64_MAX;
    if (child_broker == NULL)
        return facet__error(FACET_E_FAIL, "the process host was started without the broker's "
                                          "pipe (--broker): it cannot be handed sockets");
    ready = broker_wait();
    if (ready == 0)
        return facet__error(FACET_E_TIMEOUT, "the host answered a Connect but its socket did "
                                             "not come within %d ms",
                            FACET_BROKER_WAIT_MS);
    if (ready < 0)
        return facet__error(FACET_E_DISCONNECTED, "the host's broker pipe is closed (error "
                                                  "%lu): the host is gone",
                            (unsigned long)GetLastError());
    /* A read gives what the pipe holds; the rest of a record the host is
     * writing follows at once, and a host that died writing it leaves
     * the pipe's end. */
    while (got < sizeof(rec)) {
        if (!ReadFile(child_broker, (char *)&rec + got, (DWORD)sizeof(rec) - got, &n, NULL) ||
            n == 0)
            return facet__error(FACET_E_DISCONNECTED, "the host's broker pipe is closed (error "
                                                      "%lu): the host is gone%s",
                                (unsigned long)GetLastError(),
                                got > 0 ? ", in the middle of a record" : "");
        got += n;
    }
    *token = rec.token;
    err = facet__os_net_start();
    if (err != 0)
        return facet__error(FACET_E_FAIL, "the socket the host handed over cannot be taken: "
                                          "Winsock did not start (error %d)",
                            err);
    s = WSASocketW(FROM_PROTOCOL_INFO, FROM_PROTOCOL_INFO, FROM_PROTOCOL_INFO, &rec.info, 0,
                   WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT);
    if (s == INVALID_SOCKET)
        return facet__error(FACET_E_FAIL, "the socket the host handed over cannot be taken: "
                                          "WSASocketW failed (Winsock error %d)",
                            WSAGetLastError());
    *socket = (uint64_t)s;
    return FACET_OK;
}

#endif /* _WIN32 */
