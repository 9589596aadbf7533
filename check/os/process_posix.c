/*
 * check/os/process_posix.c - child processes and threads on Linux,
 * macOS and the BSDs.
 */
#ifndef _WIN32

#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* dladdr, pipe2 */
#endif

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#include <sys/syscall.h>
#endif

#include "runtime/runtime.h"
#include "process.h"

extern char **environ;

/* The child's report channel: the first descriptor after stderr. */
#define REPORT_FD 3
/* How long a child asked to end (SIGTERM) has before its group is killed. */
#define GRACE_MS 2000
/* Without a pidfd to poll, how often the end of the child is checked. */
#define CHECK_MS 20

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* One stream of the child, read into a buffer (the report: all of it) or
 * cut to its first and last bytes (stdout, stderr). */
typedef struct Stream {
    int fd;            /* the read end here; -1 once at its end */
    int w;             /* the write end, dup'd into the child; -1 once closed here */
    int keep_all;
    uint64_t total;    /* bytes read */
    char *all;         /* keep_all: every byte (facet__malloc), NUL-terminated */
    uint64_t cap;
    char head[FACET_OS_OUTPUT_HEAD];
    size_t head_len;
    char tail[FACET_OS_OUTPUT_TAIL];
    size_t tail_len;
} Stream;

/* Takes n more bytes of s. Returns 1, 0 when the stream passed max (the
 * bytes are dropped), or -1 when out of memory. */
static int take(Stream *s, const char *buf, size_t n, uint64_t max)
{
    size_t h;
    if (s->total + n > max) {
        s->total += n;
        return 0;
    }
    s->total += n;
    if (s->keep_all) {
        uint64_t need = s->total + 1;
        if (need > s->cap) {
            uint64_t ncap = s->cap ? s->cap : 8192;
            char *p;
            while (ncap < need)
                ncap *= 2;
            p = facet__realloc(s->all, (size_t)ncap);
            if (p == NULL)
                return -1;
            s->all = p;
            s->cap = ncap;
        }
        memcpy(s->all + s->total - n, buf, n);
        s->all[s->total] = '\0';
        return 1;
    }
    h = n < sizeof(s->head) - s->head_len ? n : sizeof(s->head) - s->head_len;
    memcpy(s->head + s->head_len, buf, h);
    s->head_len += h;
    buf += h;
    n -= h;
    if (n >= sizeof(s->tail)) {
        memcpy(s->tail, buf + n - sizeof(s->tail), sizeof(s->tail));
        s->tail_len = sizeof(s->tail);
    } else if (n > 0) {
        if (s->tail_len + n > sizeof(s->tail)) {
            size_t drop = s->tail_len + n - sizeof(s->tail);
            memmove(s->tail, s->tail + drop, s->tail_len - drop);
            s->tail_len -= drop;
        }
        memcpy(s->tail + s->tail_len, buf, n);
        s->tail_len += n;
    }
    return 1;
}

/* A pipe whose ends are closed on exec from the start, and numbered above
 * REPORT_FD, so the child's dup2 onto 0..3 never meets one of them (this
 * process may have run with stdin or stdout closed). */
static int make_pipe(int p[2])
{
    int i;
#ifdef __APPLE__
    /* No pipe2: POSIX_SPAWN_CLOEXEC_DEFAULT keeps the window from mattering
     * to our own children. */
    if (pipe(p) != 0)
        return -1;
    fcntl(p[0], F_SETFD, FD_CLOEXEC);
    fcntl(p[1], F_SETFD, FD_CLOEXEC);
#else
    if (pipe2(p, O_CLOEXEC) != 0)
        return -1;
#endif
    for (i = 0; i < 2; i++)
        if (p[i] <= REPORT_FD) {
            int moved = fcntl(p[i], F_DUPFD_CLOEXEC, REPORT_FD + 1);
            close(p[i]);
            p[i] = moved;
            if (moved < 0)
                return -1;
        }
    return 0;
}

static FacetResult spawn(pid_t *pid, const char *exe, const char *const *argv,
                         const Stream *s)
{
    static const int reset[] = {SIGPIPE, SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGCHLD,
                                SIGALRM, SIGUSR1, SIGUSR2, SIGTTIN, SIGTTOU};
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    sigset_t none, defaults;
    short flags = POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
    size_t i;
    int err;

    if (facet__fault(FACET_FAULT_PROCESS))
        return facet__error(FACET_E_FAIL, "%s: posix_spawn failed: injected fault", exe);
    posix_spawn_file_actions_init(&fa);
    posix_spawnattr_init(&attr);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, s[FACET_OS_STREAM_STDOUT].w, 1);
    posix_spawn_file_actions_adddup2(&fa, s[FACET_OS_STREAM_STDERR].w, 2);
    posix_spawn_file_actions_adddup2(&fa, s[FACET_OS_STREAM_REPORT].w, REPORT_FD);
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
    /* Whatever this process opened without close-on-exec stays here too. */
    posix_spawn_file_actions_addclosefrom_np(&fa, REPORT_FD + 1);
#endif
#ifdef __APPLE__
    flags |= POSIX_SPAWN_CLOEXEC_DEFAULT;
#endif
    /* Its own process group, so a timeout kills whatever it started too;
     * no signal blocked or ignored because this process has it so. */
    posix_spawnattr_setpgroup(&attr, 0);
    sigemptyset(&none);
    sigemptyset(&defaults);
    for (i = 0; i < sizeof(reset) / sizeof(reset[0]); i++)
        sigaddset(&defaults, reset[i]);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &defaults);
    posix_spawnattr_setflags(&attr, flags);
    err = posix_spawn(pid, exe, &fa, &attr, (char *const *)argv, environ);
    posix_spawnattr_destroy(&attr);
    posix_spawn_file_actions_destroy(&fa);
    if (err == ENOENT)
        return facet__error(FACET_E_FILENOTFOUND, "%s: no such program", exe);
    if (err != 0)
        return facet__error(FACET_E_FAIL, "%s: posix_spawn failed: %s", exe, strerror(err));
    return FACET_OK;
}

/* A descriptor that becomes readable when process pid ends, or -1 where
 * the system has none (then the end is checked every CHECK_MS). */
static int watch_end(pid_t pid)
{
#if defined(__linux__) && defined(SYS_pidfd_open)
    long fd = syscall(SYS_pidfd_open, pid, 0);
    return fd >= 0 ? (int)fd : -1;
#else
    (void)pid;
    return -1;
#endif
}

/* Reads what one stream has: 0 at its end, 1 after some bytes, 2 when
 * there are none now. Sets *flood when it passed max, *oom when the bytes
 * could not be kept. */
static int read_stream(Stream *s, uint64_t max, int *flood, int *oom)
{
    char buf[16384];
    ssize_t got = read(s->fd, buf, sizeof(buf));
    int taken;
    if (got < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
        return 2;
    if (got <= 0) {
        close(s->fd);
        s->fd = -1;
        return 0;
    }
    taken = take(s, buf, (size_t)got, max);
    if (taken == 0)
        *flood = 1;
    else if (taken < 0)
        *oom = 1;
    return 1;
}

FacetResult facet__os_run_child(FacetOsChildResult *out, const char *exe,
                                const char *const *argv, uint32_t timeout_ms, uint64_t max)
{
    Stream *s;
    const char **args = NULL;
    char report_arg[16];
    size_t argc = 0, i;
    int status = 0, ended = 0, stopping = 0, killed = 0, oom = 0, pidfd = -1;
    int64_t deadline, stop_at = 0;
    pid_t pid = -1;
    FacetResult r = FACET_OK;

    memset(out, 0, sizeof(*out));
    s = facet__calloc(3, sizeof(*s));
    while (argv[argc] != NULL)
        argc++;
    args = facet__calloc(argc + 3, sizeof(*args));
    if (s == NULL || args == NULL) {
        facet__free(s);
        facet__free((void *)args);
        return facet__error(FACET_E_OUTOFMEMORY, "%s: out of memory", exe);
    }
    for (i = 0; i < 3; i++)
        s[i].fd = s[i].w = -1;
    s[FACET_OS_STREAM_REPORT].keep_all = 1;
    for (i = 0; i < 3; i++) {
        int p[2];
        if (make_pipe(p) != 0) {
            r = facet__error(FACET_E_FAIL, "%s: pipe failed: %s", exe, strerror(errno));
            goto done;
        }
        s[i].fd = p[0];
        s[i].w = p[1];
    }
    memcpy(args, argv, argc * sizeof(*args));
    snprintf(report_arg, sizeof(report_arg), "%d", REPORT_FD);
    args[argc] = "--report";
    args[argc + 1] = report_arg;
    r = spawn(&pid, exe, args, s);
    for (i = 0; i < 3; i++) {
        close(s[i].w);
        s[i].w = -1;
    }
    if (FACET_FAILED(r))
        goto done;
    pidfd = watch_end(pid);

    deadline = now_ms() + timeout_ms;
    while (!ended) {
        struct pollfd fds[4];
        int64_t now, wait;
        int nfds = 0, flood = 0, n;
        pid_t w = waitpid(pid, &status, WNOHANG);
        if (w == pid) {
            ended = 1;
            break;
        }
        if (w < 0 && errno != EINTR) {
            r = facet__error(FACET_E_FAIL, "%s: cannot wait for the child: %s%s", exe,
                             strerror(errno),
                             errno == ECHILD ? " (is SIGCHLD ignored in this process?)" : "");
            kill(-pid, SIGKILL);
            goto done;
        }
        now = now_ms();
        if (!stopping && now >= deadline) {
            out->how = FACET_OS_CHILD_TIMEDOUT;
            kill(pid, SIGTERM);
            stopping = 1;
            stop_at = now;
        }
        if (stopping && !killed && now >= stop_at + GRACE_MS) {
            kill(-pid, SIGKILL);
            kill(pid, SIGKILL);
            killed = 1;
        }
        wait = stopping ? (killed ? CHECK_MS : stop_at + GRACE_MS - now) : deadline - now;
        if (pidfd < 0 && wait > CHECK_MS)
            wait = CHECK_MS;
        if (wait > 60000)
            wait = 60000;
        /* A stream that flooded is read no more: its writer blocks there
         * until it is killed, rather than running on. */
        for (i = 0; i < 3; i++)
            if (s[i].fd >= 0 &&
                !(out->how == FACET_OS_CHILD_FLOODED && out->code == (int64_t)i)) {
                fds[nfds].fd = s[i].fd;
                fds[nfds++].events = POLLIN;
            }
        if (pidfd >= 0) {
            fds[nfds].fd = pidfd;
            fds[nfds++].events = POLLIN;
        }
        n = poll(fds, (nfds_t)nfds, (int)(wait < 0 ? 0 : wait));
        if (n < 0 && errno != EINTR) {
            r = facet__error(FACET_E_FAIL, "%s: poll failed: %s", exe, strerror(errno));
            kill(-pid, SIGKILL);
            kill(pid, SIGKILL);
            while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
            goto done;
        }
        for (i = 0; n > 0 && i < 3; i++) {
            int k, ready = 0;
            for (k = 0; k < nfds; k++)
                if (fds[k].fd == s[i].fd && (fds[k].revents & (POLLIN | POLLHUP | POLLERR)))
                    ready = 1;
            if (ready && read_stream(&s[i], max, &flood, &oom) != 0 && flood && !stopping) {
                out->how = FACET_OS_CHILD_FLOODED;
                out->code = (int64_t)i;
                kill(pid, SIGTERM);
                stopping = 1;
                stop_at = now_ms();
            }
        }
    }
    /* Whatever it started dies with it. */
    kill(-pid, SIGKILL);
    /* What it wrote before it ended is still in the pipes; a descendant
     * that escaped the kill and holds one open is not waited for. */
    for (i = 0; i < 3; i++) {
        int flood = 0;
        if (s[i].fd < 0)
            continue;
        fcntl(s[i].fd, F_SETFL, fcntl(s[i].fd, F_GETFL) | O_NONBLOCK);
        while (read_stream(&s[i], max, &flood, &oom) == 1 && !flood && !oom)
            ;
        if (flood && out->how != FACET_OS_CHILD_TIMEDOUT && out->how != FACET_OS_CHILD_FLOODED) {
            out->how = FACET_OS_CHILD_FLOODED;
            out->code = (int64_t)i;
        }
    }
    if (oom) {
        r = facet__error(FACET_E_OUTOFMEMORY, "%s: out of memory for its output", exe);
        goto done;
    }
    if (out->how != FACET_OS_CHILD_TIMEDOUT && out->how != FACET_OS_CHILD_FLOODED) {
        if (WIFSIGNALED(status)) {
            out->how = FACET_OS_CHILD_SIGNALED;
            out->code = WTERMSIG(status);
        } else {
            out->how = FACET_OS_CHILD_EXITED;
            out->code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        }
    }
    out->report = s[FACET_OS_STREAM_REPORT].all;
    out->report_size = s[FACET_OS_STREAM_REPORT].all ? s[FACET_OS_STREAM_REPORT].total : 0;
    s[FACET_OS_STREAM_REPORT].all = NULL;
    if (out->report == NULL)
        out->report = facet__strdup("");
    for (i = FACET_OS_STREAM_STDOUT; i <= FACET_OS_STREAM_STDERR; i++) {
        char **text = i == FACET_OS_STREAM_STDOUT ? &out->out : &out->err;
        *text = facet__os_cut_output(s[i].head, s[i].head_len, s[i].tail, s[i].tail_len,
                                     s[i].total);
    }
    if (out->report == NULL || out->out == NULL || out->err == NULL) {
        facet__os_child_result_free(out);
        r = facet__error(FACET_E_OUTOFMEMORY, "%s: out of memory for its output", exe);
    }
done:
    if (pidfd >= 0)
        close(pidfd);
    for (i = 0; i < 3; i++) {
        if (s[i].fd >= 0)
            close(s[i].fd);
        if (s[i].w >= 0)
            close(s[i].w);
        facet__free(s[i].all);
    }
    facet__free(s);
    facet__free((void *)args);
    return r;
}

/* ---- facet-probe's supervisor ------------------------------------------- */

#ifdef __linux__
static volatile pid_t the_worker;

/* SIGTERM (the parent's deadline) or the parent's death: the worker goes
 * first; the wait below then kills the rest. */
static void supervisor_stop(int sig)
{
    (void)sig;
    if (the_worker > 0)
        kill(the_worker, SIGKILL);
}

/* Sends SIGKILL to every child of this process: from the kernel's list
 * where it keeps one, else from the whole process table. */
static void kill_children(void)
{
    char path[64], buf[4096];
    pid_t me = getpid();
    ssize_t got;
    int fd;
    snprintf(path, sizeof(path), "/proc/%ld/task/%ld/children", (long)me, (long)me);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        size_t len = 0;
        char *p;
        while (len < sizeof(buf) - 1 &&
               (got = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
            len += (size_t)got;
        close(fd);
        buf[len] = '\0';
        for (p = buf; *p != '\0';) {
            char *end;
            long child = strtol(p, &end, 10);
            if (end == p)
                break;
            if (child > 0)
                kill((pid_t)child, SIGKILL);
            p = end;
        }
        return;
    }
    {
        DIR *proc = opendir("/proc");
        struct dirent *e;
        if (proc == NULL)
            return;
        while ((e = readdir(proc)) != NULL) {
            long other = strtol(e->d_name, NULL, 10);
            char *close_paren;
            long ppid;
            if (other <= 0)
                continue;
            snprintf(path, sizeof(path), "/proc/%ld/stat", other);
            fd = open(path, O_RDONLY | O_CLOEXEC);
            if (fd < 0)
                continue;
            got = read(fd, buf, sizeof(buf) - 1);
            close(fd);
            if (got <= 0)
                continue;
            buf[got] = '\0';
            /* "pid (comm) state ppid ...": comm may hold anything */
            close_paren = strrchr(buf, ')');
            if (close_paren != NULL && sscanf(close_paren + 1, " %*c %ld", &ppid) == 1 &&
                ppid == (long)me)
                kill((pid_t)other, SIGKILL);
        }
        closedir(proc);
    }
}

/* Ends this process the way status says the worker ended: the same exit
 * status, or death by the same signal (without a core file of its own). */
static void end_like(int status)
{
    struct rlimit none = {0, 0};
    struct sigaction dfl;
    sigset_t set;
    int sig;
    if (WIFEXITED(status))
        exit(WEXITSTATUS(status));
    sig = WIFSIGNALED(status) ? WTERMSIG(status) : SIGKILL;
    setrlimit(RLIMIT_CORE, &none);
    memset(&dfl, 0, sizeof(dfl));
    dfl.sa_handler = SIG_DFL;
    sigaction(sig, &dfl, NULL);
    sigemptyset(&set);
    sigaddset(&set, sig);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    raise(sig);
    _exit(128 + sig);
}
#endif

void facet__os_probe_supervise(void)
{
#ifdef __linux__
    struct sigaction sa;
    pid_t worker, me = getpid();
    int status = 0, seen = 0;

    /* Orphans of the module's processes, setsid() or not, become ours. */
    if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0)
        return;
    worker = fork();
    if (worker < 0)
        return; /* one process, then: the process group is all there is */
    if (worker == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != me)
            _exit(1);
        return;
    }
    the_worker = worker;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = supervisor_stop;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    /* The library's caller died: end everything too. */
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    for (;;) {
        pid_t w = waitpid(-1, &status, 0);
        if (w == worker) {
            seen = 1;
            break;
        }
        if (w < 0 && errno != EINTR)
            break;
    }
    /* Kill what is left, and what it leaves: each child killed hands its
     * own children to this process. */
    for (;;) {
        pid_t w;
        kill_children();
        w = waitpid(-1, NULL, 0);
        if (w < 0 && errno != EINTR)
            break;
    }
    end_like(seen ? status : (int)SIGKILL);
#endif
}

FILE *facet__os_report_open(const char *text)
{
    char *end;
    long fd;
    if (text == NULL)
        return NULL;
    errno = 0;
    fd = strtol(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || fd < 0 || fd > 1024 ||
        fcntl((int)fd, F_SETFD, FD_CLOEXEC) != 0)
        return NULL;
    return fdopen((int)fd, "w");
}

const char *facet__os_loader_name(void)
{
    return "dlopen";
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
        return facet__error(FACET_E_NOTFOUND,
                            "cannot tell which file libfacet-check was loaded from");
    if (FACET_FAILED(facet__os_realpath(&dir, info.dli_fname)))
        return facet__error_prefix("the folder of libfacet-check");
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

#endif /* !_WIN32 */
