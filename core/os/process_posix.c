/*
 * core/os/process_posix.c - child processes and threads on Linux,
 * macOS and the BSDs.
 */
#ifndef _WIN32

#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* dladdr */
#endif

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../internal.h"
#include "process.h"

extern char **environ;

#define ERR_TAIL 4096u

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Appends n bytes to the stdout buffer: 1, or 0 when it would pass max,
 * or -1 when out of memory. */
static int append_out(FacetOsChildResult *r, uint64_t *cap, const char *buf, size_t n,
                      uint64_t max)
{
    if (r->out_size + n > max)
        return 0;
    if (r->out_size + n + 1 > *cap) {
        uint64_t ncap = *cap ? *cap * 2 : 4096;
        char *p;
        while (ncap < r->out_size + n + 1)
            ncap *= 2;
        p = facet__realloc(r->out, (size_t)ncap);
        if (p == NULL)
            return -1;
        r->out = p;
        *cap = ncap;
    }
    memcpy(r->out + r->out_size, buf, n);
    r->out_size += n;
    r->out[r->out_size] = '\0';
    return 1;
}

/* Keeps the last ERR_TAIL bytes of stderr. */
static void append_err(char *tail, size_t *len, const char *buf, size_t n)
{
    if (n >= ERR_TAIL) {
        memcpy(tail, buf + n - ERR_TAIL + 1, ERR_TAIL - 1);
        *len = ERR_TAIL - 1;
    } else {
        if (*len + n >= ERR_TAIL) {
            size_t drop = *len + n - (ERR_TAIL - 1);
            memmove(tail, tail + drop, *len - drop);
            *len -= drop;
        }
        memcpy(tail + *len, buf, n);
        *len += n;
    }
    tail[*len] = '\0';
}

static FacetResult spawn(pid_t *pid, const char *exe, const char *const *argv, int out_w,
                         int err_w)
{
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    int err;

    if (facet__fault(FACET_FAULT_PROCESS))
        return facet__error(FACET_E_FAIL, "%s: posix_spawn failed: injected fault", exe);
    posix_spawn_file_actions_init(&fa);
    posix_spawnattr_init(&attr);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, out_w, 1);
    posix_spawn_file_actions_adddup2(&fa, err_w, 2);
    /* Its own process group, so a timeout kills whatever it started too. */
    posix_spawnattr_setpgroup(&attr, 0);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
    err = posix_spawn(pid, exe, &fa, &attr, (char *const *)argv, environ);
    posix_spawnattr_destroy(&attr);
    posix_spawn_file_actions_destroy(&fa);
    if (err == ENOENT)
        return facet__error(FACET_E_FILENOTFOUND, "%s: no such program", exe);
    if (err != 0)
        return facet__error(FACET_E_FAIL, "%s: posix_spawn failed: %s", exe, strerror(err));
    return FACET_OK;
}

FacetResult facet__os_run_child(FacetOsChildResult *out, const char *exe,
                                const char *const *argv, uint32_t timeout_ms, uint64_t max_out)
{
    int out_p[2] = {-1, -1}, err_p[2] = {-1, -1}, status = 0, open_fds = 2, overflow = 0;
    int appended;
    char tail[ERR_TAIL], buf[8192];
    size_t tail_len = 0;
    uint64_t cap = 0;
    int64_t deadline;
    pid_t pid;
    FacetResult r;
    struct pollfd fds[2];

    memset(out, 0, sizeof(*out));
    tail[0] = '\0';
    if (pipe(out_p) != 0 || pipe(err_p) != 0) {
        r = facet__error(FACET_E_FAIL, "%s: pipe failed: %s", exe, strerror(errno));
        goto close_pipes;
    }
    fcntl(out_p[0], F_SETFD, FD_CLOEXEC);
    fcntl(err_p[0], F_SETFD, FD_CLOEXEC);
    r = spawn(&pid, exe, argv, out_p[1], err_p[1]);
    if (FACET_FAILED(r))
        goto close_pipes;
    close(out_p[1]);
    close(err_p[1]);
    out_p[1] = err_p[1] = -1;

    deadline = now_ms() + timeout_ms;
    fds[0].fd = out_p[0];
    fds[1].fd = err_p[0];
    fds[0].events = fds[1].events = POLLIN;
    while (open_fds > 0) {
        int64_t left = deadline - now_ms();
        int i, n;
        if (left <= 0) {
            out->how = FACET_OS_CHILD_TIMEDOUT;
            break;
        }
        n = poll(fds, 2, left > 60000 ? 60000 : (int)left);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            r = facet__error(FACET_E_FAIL, "%s: poll failed: %s", exe, strerror(errno));
            kill(-pid, SIGKILL);
            waitpid(pid, &status, 0);
            goto close_pipes;
        }
        for (i = 0; i < 2; i++) {
            ssize_t got;
            if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            got = read(fds[i].fd, buf, sizeof(buf));
            if (got < 0 && errno == EINTR)
                continue;
            if (got <= 0) {
                fds[i].fd = -1;
                open_fds--;
            } else if (i == 0) {
                appended = append_out(out, &cap, buf, (size_t)got, max_out);
                if (appended <= 0)
                    overflow = appended == 0 ? 1 : -1;
            } else {
                append_err(tail, &tail_len, buf, (size_t)got);
            }
        }
        if (overflow) {
            kill(-pid, SIGKILL);
            break;
        }
    }
    if (out->how == FACET_OS_CHILD_TIMEDOUT)
        kill(-pid, SIGKILL);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    /* Whatever it started dies with it. */
    kill(-pid, SIGKILL);
    if (overflow) {
        facet__os_child_result_free(out);
        r = overflow < 0 ? facet__error(FACET_E_OUTOFMEMORY, "%s: out of memory for its output",
                                        exe)
                         : facet__error(FACET_E_FAIL, "%s: wrote more than %llu bytes to its "
                                        "output", exe, (unsigned long long)max_out);
        goto close_pipes;
    }
    if (out->how != FACET_OS_CHILD_TIMEDOUT) {
        if (WIFSIGNALED(status)) {
            out->how = FACET_OS_CHILD_SIGNALED;
            out->code = WTERMSIG(status);
        } else {
            out->how = FACET_OS_CHILD_EXITED;
            out->code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        }
    }
    out->err = facet__strdup(tail);
    if (out->out == NULL)
        out->out = facet__strdup("");
    if (out->err == NULL || out->out == NULL) {
        facet__os_child_result_free(out);
        r = facet__error(FACET_E_OUTOFMEMORY, "%s: out of memory for its output", exe);
    }
close_pipes:
    if (out_p[0] >= 0)
        close(out_p[0]);
    if (out_p[1] >= 0)
        close(out_p[1]);
    if (err_p[0] >= 0)
        close(err_p[0]);
    if (err_p[1] >= 0)
        close(err_p[1]);
    return r;
}

const char *facet__os_death_name(int64_t code, char *buf, uint32_t size)
{
    static const struct {
        int sig;
        const char *name;
    } names[] = {{SIGSEGV, "SIGSEGV"}, {SIGBUS, "SIGBUS"},   {SIGABRT, "SIGABRT"},
                 {SIGILL, "SIGILL"},   {SIGFPE, "SIGFPE"},   {SIGKILL, "SIGKILL"},
                 {SIGTERM, "SIGTERM"}, {SIGTRAP, "SIGTRAP"}, {SIGPIPE, "SIGPIPE"}};
    size_t i;
    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (names[i].sig == code) {
            snprintf(buf, size, "%s", names[i].name);
            return buf;
        }
    snprintf(buf, size, "signal %lld", (long long)code);
    return buf;
}

FacetResult facet__os_library_dir(char **out)
{
    Dl_info info;
    char *dir;
    const char *slash;
    *out = NULL;
    if (dladdr((void *)(uintptr_t)facet__os_library_dir, &info) == 0 || info.dli_fname == NULL)
        return facet__error(FACET_E_NOTFOUND, "cannot tell which file libfacet was loaded from");
    if (FACET_FAILED(facet__os_realpath(&dir, info.dli_fname)))
        return facet__error_prefix("the folder of libfacet");
    slash = strrchr(dir, '/');
    if (slash != NULL)
        dir[slash == dir ? 1 : slash - dir] = '\0';
    *out = dir;
    return FACET_OK;
}

const char *facet__os_exe_suffix(void)
{
    return "";
}

const char *facet__os_module_suffix(void)
{
#ifdef __APPLE__
    return ".dylib";
#else
    return ".so";
#endif
}

FacetResult facet__os_replace_file(const char *from, const char *to)
{
    if (facet__fault(FACET_FAULT_FILE) || rename(from, to) != 0)
        return facet__error(FACET_E_FAIL, "%s: cannot replace it with %s: %s", to, from,
                            strerror(errno ? errno : EIO));
    return FACET_OK;
}

typedef struct ThreadStart {
    void (*fn)(void *);
    void *arg;
} ThreadStart;

static void *thread_main(void *p)
{
    ThreadStart start = *(ThreadStart *)p;
    facet__free(p);
    start.fn(start.arg);
    return NULL;
}

FacetResult facet__os_thread_start(FacetOsThread *out, void (*fn)(void *), void *arg)
{
    pthread_t t;
    int err;
    ThreadStart *start = facet__malloc(sizeof(*start));
    out->handle = NULL;
    if (start == NULL)
        return facet__error(FACET_E_OUTOFMEMORY, "out of memory starting a thread");
    start->fn = fn;
    start->arg = arg;
    err = pthread_create(&t, NULL, thread_main, start);
    if (err != 0) {
        facet__free(start);
        return facet__error(FACET_E_FAIL, "pthread_create failed: %s", strerror(err));
    }
    out->handle = facet__malloc(sizeof(pthread_t));
    if (out->handle == NULL) {
        pthread_join(t, NULL);
        return facet__error(FACET_E_OUTOFMEMORY, "out of memory starting a thread");
    }
    memcpy(out->handle, &t, sizeof(t));
    return FACET_OK;
}

void facet__os_thread_join(FacetOsThread *t)
{
    if (t->handle != NULL) {
        pthread_join(*(pthread_t *)t->handle, NULL);
        facet__free(t->handle);
        t->handle = NULL;
    }
}

#endif /* !_WIN32 */
