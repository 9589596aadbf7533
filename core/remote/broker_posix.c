/*
 * core/remote/broker_posix.c - the broker of IFacetNet on Linux: how a
 * socket the host connected reaches the process host.
 *
 * Over a unix socket pair (SOCK_SEQPACKET) made when the process host
 * starts, whose one end the worker holds (spawn_posix.c, "--broker"):
 * each message is the token the Connect answered, as its bytes, with the
 * connected descriptor as SCM_RIGHTS. The host closes its own copy.
 */
#ifdef __linux__

#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* MSG_CMSG_CLOEXEC */
#endif

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "remote.h"

/* One message of the broker: the token as its bytes, a descriptor as
 * SCM_RIGHTS in control. */
typedef union BrokerControl {
    char buf[CMSG_SPACE(sizeof(int))];
    struct cmsghdr align;
} BrokerControl;

static void broker_msg(struct msghdr *msg, struct iovec *iov, uint64_t *token,
                       BrokerControl *control)
{
    memset(msg, 0, sizeof(*msg));
    memset(control, 0, sizeof(*control));
    iov->iov_base = token;
    iov->iov_len = sizeof(*token);
    msg->msg_iov = iov;
    msg->msg_iovlen = 1;
    msg->msg_control = control->buf;
    msg->msg_controllen = sizeof(control->buf);
}

FacetResult facet__broker_send(intptr_t to, intptr_t unread, uint64_t pid, uint64_t socket,
                               uint64_t token)
{
    BrokerControl control;
    struct msghdr msg;
    struct iovec iov;
    struct cmsghdr *c;
    int fd = (int)socket;
    ssize_t n;

    (void)unread;
    (void)pid;
    broker_msg(&msg, &iov, &token, &control);
    c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &fd, sizeof(int));
    /* Never blocks: a child that does not take its sockets fills its own
     * queue, and its next Connect fails. */
    do
        n = sendmsg((int)to, &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    close(fd); /* the child's copy is the one that counts */
    if (n != (ssize_t)sizeof(token))
        return facet__error(FACET_E_FAIL, "cannot hand the connected socket to the process "
                                          "host: %s",
                            strerror(errno));
    return FACET_OK;
}

/* In the process host: its end of the socket pair, or -1. */
static int child_broker = -1;

void facet__broker_child_set(intptr_t handle)
{
    if (handle >= 0 && handle <= INT32_MAX)
        child_broker = (int)handle;
}

FacetResult facet__broker_next(uint64_t *token, uint64_t *socket)
{
    *token = 0;
    *socket = UINT64_MAX;
    if (child_broker < 0)
        return facet__error(FACET_E_FAIL, "the process host was started without the broker's "
                                          "socket (--broker): it cannot be handed sockets");
    for (;;) {
        BrokerControl control;
        struct msghdr msg;
        struct iovec iov;
        struct cmsghdr *c;
        struct pollfd p;
        uint64_t got = 0;
        int fd = -1, ready;
        ssize_t n;

        p.fd = child_broker;
        p.events = POLLIN;
        p.revents = 0;
        ready = poll(&p, 1, FACET_BROKER_WAIT_MS);
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready <= 0)
            return facet__error(FACET_E_TIMEOUT, "the host answered a Connect but its socket "
                                                 "did not come within %d ms",
                                FACET_BROKER_WAIT_MS);
        broker_msg(&msg, &iov, &got, &control);
        n = recvmsg(child_broker, &msg, MSG_CMSG_CLOEXEC);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return facet__error(FACET_E_DISCONNECTED, "the host's broker socket is closed: %s",
                                n < 0 ? strerror(errno) : "end of file");
        for (c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c))
            if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
                c->cmsg_len >= CMSG_LEN(sizeof(int)))
                memcpy(&fd, CMSG_DATA(c), sizeof(int));
        if (fd >= 0)
            *socket = (uint64_t)fd;
        /* a message of another length is no record: it names no token */
        if (n == (ssize_t)sizeof(got))
            *token = got;
        return FACET_OK;
    }
}

#endif /* __linux__ */
