/*
 * core/remote/spawn_posix.c - the process host as a child on Linux: how it
 * is started, watched, killed, and kept from outliving the host.
 *
 * The child is two processes. The supervisor, the host's direct child,
 * never loads module code: it is the child subreaper of everything below
 * it, so a grandchild that calls setsid() is still its own to kill. The
 * worker, its child, maps the transport and loads the module. Three
 * descriptors join them to the host:
 *
 *   the transport (fd 3)      the memfd of the lanes
 *   the host's lifeline (4)   a pipe whose write end only the host holds:
 *                             when the host process ends, for whatever
 *                             reason, kill -9 included, the supervisor
 *                             sees the hang-up and kills everything
 *   the worker's lifeline (5) a pipe whose write end only the worker holds:
 *                             when the worker dies the host sees the
 *                             hang-up at once and marks the connection
 *                             dead, before any waiter could wait long
 *   the broker (6)            a unix socket pair: the host hands the worker
 *                             the sockets its IFacetNet connected, each
 *                             with the token its Connect answered
 *
 * The host also holds a pidfd of the supervisor, for its exit status,
 * which is the worker's (the supervisor ends the way the worker ended).
 * PR_SET_PDEATHSIG is set only in the worker, against the supervisor,
 * whose one thread is the one that forked it; the host's threads come and
 * go, and the signal would fire when the one that spawned exits.
 */
#ifdef __linux__

#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* pipe2, dladdr, sigabbrev_np */
#endif

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>

#include "remote.h"
#include "sandbox.h"

extern char **environ;

#define FD_TRANSPORT 3
#define FD_LIFELINE 4
#define FD_WORKER 5
#define FD_BROKER 6
#define FACET_STR_(x) #x
#define FACET_STR(x) FACET_STR_(x)
/* How long the supervisor has to end everything when asked (SIGTERM)
 * before the host kills its process group outright. */
#define STOP_GRACE_MS 1000

struct FacetChild {
    pid_t pid;             /* the supervisor */
    int pidfd;             /* its pidfd, or -1 (no pidfd_open: polled) */
    int lifeline;          /* the write end of the host's lifeline */
    int worker;            /* the read end of the worker's lifeline */
    int broker;            /* the host's end of the broker's socket pair */
    int stop[2];           /* closing stop[1] ends the watch */
    uint32_t killed;       /* facet__child_kill ran (atomic) */
    uint32_t reaped;       /* the watch reaped it (atomic) */
    int32_t syscall;       /* what the sandbox stopped, as the worker said, or -1 */
    FacetConn *conn;       /* held while the watch runs */
    FacetOsThread watch;
    void (*ended)(void *payload, const FacetChildEnd *end);
    void *payload;
};

/* Both ends above the numbers the child gets, and closed on exec. */
static int move_pair(int p[2])
{
    int i;
    for (i = 0; i < 2; i++)
        if (p[i] <= FD_BROKER) {
            int moved = fcntl(p[i], F_DUPFD_CLOEXEC, FD_BROKER + 1);
            close(p[i]);
            p[i] = moved;
            if (moved < 0) {
                close(p[1 - i]);
                return -1;
            }
        }
    return 0;
}

static int make_pipe(int p[2])
{
    return pipe2(p, O_CLOEXEC) != 0 ? -1 : move_pair(p);
}

static void close_fd(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

static FacetChildEnd end_of(int status)
{
    FacetChildEnd e;
    e.syscall = -1;
    if (WIFSIGNALED(status)) {
        e.how = FACET_OS_CHILD_SIGNALED;
        e.code = WTERMSIG(status);
    } else {
        e.how = FACET_OS_CHILD_EXITED;
        e.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    return e;
}

/* Waits for the supervisor's end; after deadline_ms (0: never) kills its
 * whole group. */
static int reap(FacetChild *ch, uint32_t deadline_ms)
{
    uint64_t until = deadline_ms ? facet__os_now_ms() + deadline_ms : 0;
    int status = 0;
    for (;;) {
        pid_t w = waitpid(ch->pid, &status, until ? WNOHANG : 0);
        if (w == ch->pid)
            return status;
        if (w < 0 && errno != EINTR)
            return status;
        if (until && facet__os_now_ms() >= until) {
            kill(-ch->pid, SIGKILL);
            kill(ch->pid, SIGKILL);
            until = 0; /* now it ends for sure: wait for it */
            continue;
        }
        if (until) {
            struct pollfd p = {ch->pidfd, POLLIN, 0};
            if (ch->pidfd >= 0)
                poll(&p, 1, 10);
            else
                usleep(1000);
        }
    }
}

/* The worker's sandbox writes "SYS\0" and the number of the system call
 * it stopped into its lifeline before it ends by SIGSYS (sandbox_linux.c).
 * Read without blocking: a process the module started may hold the pipe. */
static void read_sandbox_record(FacetChild *ch)
{
    char rec[8];
    int32_t nr;
    int flags = fcntl(ch->worker, F_GETFL);
    if (flags < 0 || fcntl(ch->worker, F_SETFL, flags | O_NONBLOCK) != 0)
        return;
    if (read(ch->worker, rec, sizeof(rec)) == (ssize_t)sizeof(rec) && memcmp(rec, "SYS", 4) == 0) {
        memcpy(&nr, rec + 4, sizeof(nr));
        if (nr >= 0)
            ch->syscall = nr;
    }
}

static void watch_main(void *arg)
{
    FacetChild *ch = arg;
    struct pollfd p[3];
    int n = 0, status, stopped = 0;
    FacetChildEnd end;
    p[n].fd = ch->worker;
    p[n++].events = POLLIN;
    p[n].fd = ch->stop[0];
    p[n++].events = POLLIN;
    if (ch->pidfd >= 0) {
        p[n].fd = ch->pidfd;
        p[n++].events = POLLIN;
    }
    for (;;) {
        int i, fired = 0;
        for (i = 0; i < n; i++)
            p[i].revents = 0;
        if (poll(p, (nfds_t)n, ch->pidfd >= 0 ? -1 : 50) < 0) {
            if (errno == EINTR)
                continue;
            break; /* cannot watch: treat it as dead, never as alive */
        }
        if (p[1].revents != 0) {
            stopped = 1;
            break;
        }
        for (i = 0; i < n; i++)
            if (i != 1 && p[i].revents != 0)
                fired = 1;
        if (fired)
            break;
        if (ch->pidfd < 0 && waitpid(ch->pid, NULL, WNOHANG | WNOWAIT) == ch->pid)
            break;
    }
    read_sandbox_record(ch);
    /* The worker (or all of it) is gone: no call waits for it from here. */
    facet__conn_kill(ch->conn, FACET_E_CRASHED, "the process host (pid %ld) ended",
                     (long)ch->pid);
    if (!stopped) {
        /* The supervisor ends the way the worker did once it has killed
         * what the worker left; past the grace, its group is killed. */
        status = reap(ch, STOP_GRACE_MS);
        facet__atomic_store32(&ch->reaped, 1u);
        end = end_of(status);
        if (end.how == FACET_OS_CHILD_SIGNALED && end.code == SIGSYS)
            end.syscall = ch->syscall;
        if (ch->ended != NULL)
            ch->ended(ch->payload, &end);
    }
}

FacetResult facet__child_spawn(FacetChild **out, const char *exe, const char *const *args,
                               const struct FacetSandboxPolicy *wall, FacetTransport *tr,
                               FacetConn *conn,
                               void (*ended)(void *payload, const FacetChildEnd *end),
                               void *payload)
{
    static const int reset[] = {SIGPIPE, SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGCHLD,
                                SIGALRM, SIGUSR1, SIGUSR2, SIGTTIN, SIGTTOU};
    FacetChild *ch;
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    sigset_t none, defaults;
    const char **argv;
    int life[2] = {-1, -1}, work[2] = {-1, -1}, broker[2] = {-1, -1}, err;
    size_t argc = 0, i;
    FacetResult r;

    (void)wall; /* in args already: the worker puts the wall up itself */
    *out = NULL;
    while (args[argc] != NULL)
        argc++;
    ch = facet__calloc(1, sizeof(*ch));
    argv = facet__calloc(argc + 8, sizeof(*argv));
    if (ch == NULL || argv == NULL) {
        facet__free(ch);
        facet__free((void *)argv);
        return facet__error(FACET_E_OUTOFMEMORY, "out of memory starting the process host");
    }
    ch->pidfd = ch->lifeline = ch->worker = ch->broker = ch->stop[0] = ch->stop[1] = -1;
    ch->syscall = -1;
    ch->ended = ended;
    ch->payload = payload;
    ch->conn = conn;
    argv[0] = exe;
    memcpy(argv + 1, args, argc * sizeof(*argv));
    /* the handles it inherits, by the numbers facet__process_host_main reads */
    argv[argc + 1] = "--transport";
    argv[argc + 2] = FACET_STR(FD_TRANSPORT);
    argv[argc + 3] = "--lifeline";
    argv[argc + 4] = FACET_STR(FD_LIFELINE);
    argv[argc + 5] = "--broker";
    argv[argc + 6] = FACET_STR(FD_BROKER);
    if (facet__fault(FACET_FAULT_PROCESS) || make_pipe(life) != 0 || make_pipe(work) != 0 ||
        make_pipe(ch->stop) != 0 ||
        socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, broker) != 0 ||
        move_pair(broker) != 0) {
        r = facet__error(FACET_E_FAIL, "%s: cannot make its pipes: %s", exe, strerror(errno));
        goto fail;
    }
    posix_spawn_file_actions_init(&fa);
    posix_spawnattr_init(&attr);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, (int)facet__shm_handle(tr), FD_TRANSPORT);
    posix_spawn_file_actions_adddup2(&fa, life[0], FD_LIFELINE);
    posix_spawn_file_actions_adddup2(&fa, work[1], FD_WORKER);
    posix_spawn_file_actions_adddup2(&fa, broker[1], FD_BROKER);
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
    posix_spawn_file_actions_addclosefrom_np(&fa, FD_BROKER + 1);
#endif
    posix_spawnattr_setpgroup(&attr, 0);
    sigemptyset(&none);
    sigemptyset(&defaults);
    for (i = 0; i < sizeof(reset) / sizeof(reset[0]); i++)
        sigaddset(&defaults, reset[i]);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &defaults);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
                                        POSIX_SPAWN_SETSIGDEF);
    err = posix_spawn(&ch->pid, exe, &fa, &attr, (char *const *)argv, environ);
    posix_spawnattr_destroy(&attr);
    posix_spawn_file_actions_destroy(&fa);
    close_fd(&life[0]);
    close_fd(&work[1]);
    close_fd(&broker[1]);
    if (err != 0) {
        r = facet__error(err == ENOENT ? FACET_E_FILENOTFOUND : FACET_E_FAIL,
                         "%s: cannot start the process host: %s", exe, strerror(err));
        goto fail;
    }
    ch->lifeline = life[1];
    ch->worker = work[0];
    ch->broker = broker[0];
#if defined(__linux__) && defined(SYS_pidfd_open)
    ch->pidfd = (int)syscall(SYS_pidfd_open, ch->pid, 0);
#endif
    facet__conn_addref(conn);
    /* the caller's pointer is set before the watch can call back with it */
    *out = ch;
    r = facet__os_thread_start(&ch->watch, watch_main, ch);
    if (FACET_FAILED(r)) {
        *out = NULL;
        facet__conn_release(conn);
        kill(-ch->pid, SIGKILL);
        kill(ch->pid, SIGKILL);
        waitpid(ch->pid, NULL, 0);
        goto fail;
    }
    facet__free((void *)argv);
    return FACET_OK;
fail:
    close_fd(&life[0]);
    close_fd(&life[1]);
    close_fd(&work[0]);
    close_fd(&work[1]);
    close_fd(&broker[0]);
    close_fd(&broker[1]);
    close_fd(&ch->stop[0]);
    close_fd(&ch->stop[1]);
    close_fd(&ch->pidfd);
    facet__free((void *)argv);
    facet__free(ch);
    return r;
}

void facet__child_kill(FacetChild *ch)
{
    uint32_t no = 0;
    if (ch == NULL || !facet__atomic_cas32(&ch->killed, &no, 1u))
        return;
    /* The supervisor kills the worker at once, then everything below it,
     * even what left the process group, and reaps them; killing the group
     * from here would orphan the worker before its supervisor reaped it.
     * A supervisor that does not end is killed with its group after the
     * grace (reap). */
    kill(ch->pid, SIGTERM);
}

void facet__child_free(FacetChild *ch, uint32_t grace_ms)
{
    if (ch == NULL)
        return;
    /* Closing the lifeline tells the supervisor the host let go of it. */
    close_fd(&ch->lifeline);
    if (!facet__atomic_load32(&ch->reaped)) {
        /* the watch has not seen its end: stop it, and end it here */
        close_fd(&ch->stop[1]);
        facet__os_thread_join(&ch->watch);
        if (!facet__atomic_load32(&ch->reaped)) {
            reap(ch, grace_ms ? grace_ms : 1);
            facet__child_kill(ch);
            reap(ch, STOP_GRACE_MS);
        }
    } else {
        facet__os_thread_join(&ch->watch);
    }
    close_fd(&ch->stop[0]);
    close_fd(&ch->stop[1]);
    close_fd(&ch->worker);
    close_fd(&ch->broker);
    close_fd(&ch->pidfd);
    facet__conn_release(ch->conn);
    facet__free(ch);
}

uint64_t facet__child_pid(const FacetChild *ch)
{
    return (uint64_t)ch->pid;
}

const char *facet__child_wall(const FacetChild *ch)
{
    (void)ch;
    return ""; /* the worker puts its wall up itself, from its arguments */
}

void facet__child_end_name(char *buf, size_t size, const FacetChildEnd *end)
{
    const char *abbrev = NULL;
    if (end->how != FACET_OS_CHILD_SIGNALED) {
        snprintf(buf, size, "exited with status %lld", (long long)end->code);
        return;
    }
    if (end->code > 0 && end->code < NSIG)
        abbrev = sigabbrev_np((int)end->code);
    if (end->syscall >= 0) {
        char call[64];
        snprintf(buf, size, "was killed by SIG%s (signal %lld): the sandbox stopped the system "
                            "call %s",
                 abbrev != NULL ? abbrev : "SYS", (long long)end->code,
                 facet__sandbox_syscall_name(end->syscall, call, sizeof(call)));
    } else if (abbrev != NULL)
        snprintf(buf, size, "was killed by SIG%s (signal %lld)", abbrev, (long long)end->code);
    else
        snprintf(buf, size, "was killed by signal %lld", (long long)end->code);
}

/* ---- In the child: the supervisor ------------------------------------------ */

/* Kills every child of this process (the supervisor has one thread, so
 * its children are those of /proc/self/task/<pid>/children): the worker,
 * and what the subreaper inherited of what the module started. */
static int kill_children(void)
{
    char path[64], buf[4096];
    int fd, n = 0;
    ssize_t got;
    snprintf(path, sizeof(path), "/proc/self/task/%ld/children", (long)getpid());
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    got = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (got > 0) {
        char *p = buf, *end;
        buf[got] = '\0';
        for (;;) {
            long pid = strtol(p, &end, 10);
            if (end == p)
                break;
            if (pid > 0) {
                kill((pid_t)pid, SIGKILL);
                n++;
            }
            p = end;
        }
    }
    return n;
}

/* Kills and reaps everything below the supervisor, however deep: a
 * grandchild whose parent dies becomes the supervisor's (the subreaper's),
 * and is killed at the next turn. */
static void kill_all(pid_t worker)
{
    if (worker > 0)
        kill(worker, SIGKILL);
    for (;;) {
        kill_children();
        if (waitpid(-1, NULL, 0) < 0 && errno != EINTR)
            break;
    }
}

/* Ends this process the way status says the worker ended, so that the
 * host reads the worker's end from the supervisor's. No core file: the
 * worker wrote its own, if any. */
static void end_like(int status)
{
    struct rlimit none = {0, 0};
    if (WIFSIGNALED(status)) {
        int sig = WTERMSIG(status);
        sigset_t set;
        setrlimit(RLIMIT_CORE, &none);
        signal(sig, SIG_DFL);
        sigemptyset(&set);
        sigaddset(&set, sig);
        sigprocmask(SIG_UNBLOCK, &set, NULL);
        kill(getpid(), sig);
        kill(getpid(), SIGKILL);
    }
    _exit(WIFEXITED(status) ? WEXITSTATUS(status) : 1);
}

void facet__child_supervise(intptr_t lifeline)
{
    sigset_t set, old;
    pid_t worker, me = getpid();
    int sfd, status = 0, seen = 0;
    struct pollfd p[2];

    if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0)
        return;
    sigemptyset(&set);
    sigaddset(&set, SIGCHLD);
    sigaddset(&set, SIGTERM);
    sigprocmask(SIG_BLOCK, &set, &old);
    sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
    if (sfd < 0) {
        sigprocmask(SIG_SETMASK, &old, NULL);
        return;
    }
    worker = fork();
    if (worker < 0) {
        close(sfd);
        sigprocmask(SIG_SETMASK, &old, NULL);
        return; /* one process, then */
    }
    if (worker == 0) {
        close(sfd);
        sigprocmask(SIG_SETMASK, &old, NULL);
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != me)
            _exit(1);
        /* the host's lifeline is the supervisor's to watch */
        close((int)lifeline);
        return;
    }
    /* The worker's lifeline and the transport are the worker's alone: its
     * death must close the one at the host's end. */
    close(FD_WORKER);
    close(FD_TRANSPORT);
    close(FD_BROKER);
    p[0].fd = (int)lifeline;
    p[0].events = POLLIN;
    p[1].fd = sfd;
    p[1].events = POLLIN;
    for (;;) {
        p[0].revents = p[1].revents = 0;
        if (poll(p, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        if (p[0].revents != 0) {
            /* the host is gone, or let go of us */
            kill(worker, SIGKILL);
            p[0].fd = -1;
        }
        if (p[1].revents != 0) {
            struct signalfd_siginfo si;
            while (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
                if (si.ssi_signo == SIGTERM)
                    kill(worker, SIGKILL);
        }
        for (;;) {
            pid_t w = waitpid(-1, &status, WNOHANG);
            if (w <= 0)
                break;
            if (w == worker) {
                seen = 1;
                break;
            }
        }
        if (seen)
            break;
    }
    kill_all(seen ? 0 : worker);
    end_like(seen ? status : SIGKILL);
}

/* ---- Where facet-host is ---------------------------------------------------- */

/* The folder of the file libfacet was loaded from (facet__malloc). */
static FacetResult library_dir(char **out)
{
    Dl_info info;
    char *slash;
    *out = NULL;
    if (dladdr((void *)(uintptr_t)facet__host_program, &info) == 0 || info.dli_fname == NULL)
        return facet__error(FACET_E_NOTFOUND, "cannot tell which file libfacet was loaded from");
    if (FACET_FAILED(facet__os_realpath(out, info.dli_fname)))
        return facet__error_prefix("the folder of libfacet");
    slash = strrchr(*out, '/');
    if (slash != NULL)
        (*out)[slash == *out ? 1 : slash - *out] = '\0';
    return FACET_OK;
}

static int is_program(const char *path)
{
    FacetOsStat st;
    return FACET_SUCCEEDED(facet__os_stat(&st, path)) && st.kind == FACET_OS_FILE &&
           access(path, X_OK) == 0;
}

FacetResult facet__host_program(char **out)
{
    /* Next to libfacet (the build tree), then where the install puts it. */
    static const char *const places[] = {"", "/" FACET_HOST_RELDIR};
    const char *env = getenv("FACET_HOST_PROGRAM");
    char *dir = NULL;
    size_t i;
    FacetResult r;
    *out = NULL;
    if (env != NULL && env[0] != '\0') {
        if (!is_program(env))
            return facet__error(FACET_E_FILENOTFOUND,
                                "%s: no such program (the process host, named by "
                                "FACET_HOST_PROGRAM)",
                                env);
        *out = facet__strdup(env);
        return *out ? FACET_OK : facet__error(FACET_E_OUTOFMEMORY, "out of memory");
    }
    r = library_dir(&dir);
    if (FACET_FAILED(r))
        return r;
    for (i = 0; i < sizeof(places) / sizeof(places[0]); i++) {
        size_t n = strlen(dir) + strlen(places[i]) + sizeof("/facet-host");
        char *candidate = facet__malloc(n);
        if (candidate == NULL) {
            facet__free(dir);
            return facet__error(FACET_E_OUTOFMEMORY, "out of memory");
        }
        snprintf(candidate, n, "%s%s/facet-host", dir, places[i]);
        if (is_program(candidate)) {
            facet__free(dir);
            *out = candidate;
            return FACET_OK;
        }
        facet__free(candidate);
    }
    r = facet__error(FACET_E_FILENOTFOUND,
                     "no facet-host (the process host) next to libfacet in %s, nor in %s/"
                     FACET_HOST_RELDIR "; install it, or name it with FACET_HOST_PROGRAM",
                     dir, dir);
    facet__free(dir);
    return r;
}


/* ---- The broker: connected sockets handed to the worker ------------------- */

FacetResult facet__child_send_socket(FacetChild *ch, uint64_t socket, uint64_t token)
{
    if (ch == NULL || ch->broker < 0) {
        facet__os_socket_close(socket);
        return facet__error(FACET_E_FAIL, "cannot hand the connected socket to the process "
                                          "host: it is gone");
    }
    return facet__broker_send(ch->broker, -1, (uint64_t)ch->pid, socket, token);
}
#endif /* __linux__ */
