/*
 * core/os/watch_posix.c - folder watching with inotify (Linux), threads and
 * the monotonic clock. Elsewhere on POSIX (no inotify) watching is refused
 * with FACET_E_NOTIMPL.
 */
#ifndef _WIN32

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/inotify.h>
#endif

#include "os/watch.h"

#if defined(__linux__)

struct FacetOsWatch {
    int fd;        /* inotify */
    int wake[2];   /* a pipe: a byte in it ends a wait */
};

FacetResult facet__os_watch_new(FacetOsWatch **out)
{
    FacetOsWatch *w;
    *out = NULL;
    if (facet__fault(FACET_FAULT_WATCH))
        return facet__error(FACET_E_FAIL, "inotify_init1: %s", strerror(EMFILE));
    w = facet__calloc(1, sizeof(*w));
    if (w == NULL)
        return facet__error(FACET_E_OUTOFMEMORY, "out of memory for a folder watch");
    w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (w->fd < 0) {
        int err = errno;
        facet__free(w);
        return facet__error(FACET_E_FAIL, "inotify_init1: %s%s", strerror(err),
                            err == EMFILE ? " (fs.inotify.max_user_instances reached)" : "");
    }
    if (pipe(w->wake) != 0) {
        int err = errno;
        close(w->fd);
        facet__free(w);
        return facet__error(FACET_E_FAIL, "pipe: %s", strerror(err));
    }
    fcntl(w->wake[0], F_SETFL, O_NONBLOCK);
    fcntl(w->wake[1], F_SETFL, O_NONBLOCK);
    fcntl(w->wake[0], F_SETFD, FD_CLOEXEC);
    fcntl(w->wake[1], F_SETFD, FD_CLOEXEC);
    *out = w;
    return FACET_OK;
}

FacetResult facet__os_watch_add(FacetOsWatch *w, const char *dir, int32_t *id)
{
    int wd;
    *id = -1;
    if (facet__fault(FACET_FAULT_WATCH))
        return facet__error(FACET_E_FAIL, "%s: inotify_add_watch: %s", dir, strerror(ENOSPC));
    wd = inotify_add_watch(w->fd, dir,
                           IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_MODIFY | IN_DELETE |
                               IN_MOVED_FROM | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR);
    if (wd < 0) {
        int err = errno;
        if (err == ENOENT || err == ENOTDIR)
            return facet__error(FACET_E_FILENOTFOUND, "%s: no such folder to watch", dir);
        return facet__error(FACET_E_FAIL, "%s: inotify_add_watch: %s%s", dir, strerror(err),
                            err == ENOSPC ? " (fs.inotify.max_user_watches reached)" : "");
    }
    *id = wd;
    return FACET_OK;
}

void facet__os_watch_remove(FacetOsWatch *w, int32_t id)
{
    if (id >= 0)
        inotify_rm_watch(w->fd, id);
}

FacetResult facet__os_watch_wait(FacetOsWatch *w, uint32_t timeout_ms, FacetOsWatchFn fn,
                                 void *payload)
{
    /* Aligned as inotify's events are. */
    union {
        struct inotify_event ev;
        char bytes[16 * (sizeof(struct inotify_event) + 256)];
    } buf;
    struct pollfd p[2];
    FacetResult r = FACET_FALSE;
    ssize_t n;
    char *at;

    p[0].fd = w->fd;
    p[0].events = POLLIN;
    p[1].fd = w->wake[0];
    p[1].events = POLLIN;
    if (poll(p, 2, (int)timeout_ms) <= 0)
        return FACET_FALSE;
    if (p[1].revents & POLLIN) {
        char drain[64];
        while (read(w->wake[0], drain, sizeof(drain)) > 0) {
        }
    }
    while ((n = read(w->fd, buf.bytes, sizeof(buf.bytes))) > 0) {
        for (at = buf.bytes; at < buf.bytes + n;) {
            struct inotify_event ev;
            const char *name;
            uint32_t what = 0;
            memcpy(&ev, at, sizeof(ev));
            name = ev.len > 0 ? at + sizeof(struct inotify_event) : NULL;
            at += sizeof(struct inotify_event) + ev.len;
            if (ev.mask & (IN_CLOSE_WRITE | IN_MOVED_TO))
                what = FACET_OS_WATCH_CHANGED;
            else if (ev.mask & (IN_CREATE | IN_MODIFY))
                what = FACET_OS_WATCH_WRITING;
            else if (ev.mask & (IN_DELETE | IN_MOVED_FROM))
                what = FACET_OS_WATCH_GONE;
            if (ev.mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED)) {
                if (ev.mask & IN_MOVE_SELF)
                    inotify_rm_watch(w->fd, ev.wd); /* it watches a folder elsewhere now */
                fn(payload, ev.wd, NULL, FACET_OS_WATCH_LOST);
                r = FACET_OK;
                continue;
            }
            if (ev.mask & IN_ISDIR)
                continue;
            if (what != 0 && name != NULL) {
                fn(payload, ev.wd, name, what);
                r = FACET_OK;
            }
        }
    }
    return r;
}

void facet__os_watch_wake(FacetOsWatch *w)
{
    char b = 1;
    ssize_t n = write(w->wake[1], &b, 1);
    (void)n; /* full: a wake is pending already */
}

void facet__os_watch_free(FacetOsWatch *w)
{
    if (w == NULL)
        return;
    close(w->fd);
    close(w->wake[0]);
    close(w->wake[1]);
    facet__free(w);
}

#else /* no inotify */

FacetResult facet__os_watch_new(FacetOsWatch **out)
{
    *out = NULL;
    return facet__error(FACET_E_NOTIMPL, "watching folders is not implemented on this system");
}

FacetResult facet__os_watch_add(FacetOsWatch *w, const char *dir, int32_t *id)
{
    (void)w;
    *id = -1;
    return facet__error(FACET_E_NOTIMPL, "%s: watching folders is not implemented on this "
                                         "system",
                        dir);
}

void facet__os_watch_remove(FacetOsWatch *w, int32_t id)
{
    (void)w;
    (void)id;
}

FacetResult facet__os_watch_wait(FacetOsWatch *w, uint32_t timeout_ms, FacetOsWatchFn fn,
                                 void *payload)
{
    (void)w;
    (void)timeout_ms;
    (void)fn;
    (void)payload;
    return FACET_FALSE;
}

void facet__os_watch_wake(FacetOsWatch *w)
{
    (void)w;
}

void facet__os_watch_free(FacetOsWatch *w)
{
    (void)w;
}

#endif
#endif /* !_WIN32 */
