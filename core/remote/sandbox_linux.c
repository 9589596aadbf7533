/*
 * core/remote/sandbox_linux.c - the wall around a process-isolated module
 * on Linux (sandbox.h): how the host hands a policy to facet-host, and how
 * facet-host's worker puts the wall up before the module's library, its
 * constructors included, is loaded.
 *
 * In the worker, before any thread but the main one exists, in this order:
 *
 *   1. PR_SET_NO_NEW_PRIVS: nothing it starts gains rights (set-user-ID
 *      files, file capabilities), and the filter below needs it;
 *   2. new user, mount, network and IPC namespaces, each where the kernel
 *      allows it; what it refuses is given up and said in the report, never
 *      pretended;
 *   3. the file view, by Landlock (the kernel's own; ABI 1 and later): read
 *      and execute where the dynamic loader looks (the system's library
 *      folders, ld.so.cache), libfacet, the module's library and the files
 *      of the policy; read where fs.read grants it, everything where
 *      fs.write grants it; nothing else, at the same absolute paths as the
 *      host sees them;
 *   4. the resource limits of policy.limits;
 *   5. a seccomp-bpf filter (libseccomp), deny by default: what the runtime,
 *      the transport, threads, malloc, the loader and a Go runtime need is
 *      allowed; a socket of its own, connect, bind and the like fail with
 *      EACCES; a call that could leave the wall (exec, ptrace, another
 *      process's memory, kernel modules, mounts, bpf, perf events) ends the
 *      process by SIGSYS, after the worker wrote which call it was where the
 *      host reads it (its lifeline); anything else not listed fails with
 *      EPERM.
 *
 * The policy crosses on facet-host's command line, before the transport's
 * handles: --sandbox NAME LIBRARY, then --sandbox-file, --sandbox-read,
 * --sandbox-write PATH as many as there are, and --sandbox-limits MB,FILES,
 * SECONDS.
 */
#ifdef __linux__

#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* dladdr, si_syscall */
#endif

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/landlock.h>
#include <seccomp.h>

#include "remote.h"
#include "sandbox.h"

/* The worker's lifeline (spawn_posix.c): where the SIGSYS handler writes
 * the call the filter stopped, for the host's watch to read. */
#define FD_WORKER 5

/* ---- The host's side: the policy on the command line ------------------------ */

FacetResult facet__sandbox_args(const FacetSandboxPolicy *p, char ***out)
{
    size_t n = 0, i, cap = 6 + 2 * (p->file_count + p->read_count + p->write_count);
    char **argv = facet__calloc(cap + 1, sizeof(*argv));
    char limits[96];
    *out = NULL;
    if (argv == NULL)
        return facet__error(FACET_E_OUTOFMEMORY, "out of memory");
#define PUT(s)                                                                                     \
    do {                                                                                           \
        if ((argv[n++] = facet__strdup(s)) == NULL)                                                \
            goto oom;                                                                              \
    } while (0)
    PUT("--sandbox");
    PUT(p->module ? p->module : "?");
    PUT(p->library);
    for (i = 0; i < p->file_count; i++) {
        PUT("--sandbox-file");
        PUT(p->files[i]);
    }
    for (i = 0; i < p->read_count; i++) {
        PUT("--sandbox-read");
        PUT(p->read[i]);
    }
    for (i = 0; i < p->write_count; i++) {
        PUT("--sandbox-write");
        PUT(p->write[i]);
    }
    snprintf(limits, sizeof(limits), "%llu,%llu,%llu", (unsigned long long)p->limits.memory_mb,
             (unsigned long long)p->limits.open_files,
             (unsigned long long)p->limits.cpu_seconds);
    PUT("--sandbox-limits");
    PUT(limits);
#undef PUT
    *out = argv;
    return FACET_OK;
oom:
    facet__sandbox_args_free(argv);
    return facet__error(FACET_E_OUTOFMEMORY, "out of memory");
}

static int push(char ***list, size_t *count, const char *s)
{
    char **grown = facet__realloc(*list, (*count + 1) * sizeof(**list));
    if (grown == NULL)
        return -1;
    *list = grown;
    if ((grown[*count] = facet__strdup(s)) == NULL)
        return -1;
    (*count)++;
    return 0;
}

FacetResult facet__sandbox_from_args(int argc, char **argv, FacetSandboxPolicy **out)
{
    FacetSandboxPolicy *p;
    int i, bad = 0;
    *out = NULL;
    for (i = 1; i < argc && strcmp(argv[i], "--sandbox") != 0; i++)
        ;
    if (i >= argc)
        return FACET_OK; /* no sandbox asked */
    if (i + 2 >= argc)
        return facet__error(FACET_E_INVALIDARG, "--sandbox needs the module's name and library");
    p = facet__calloc(1, sizeof(*p));
    if (p == NULL || (p->module = facet__strdup(argv[i + 1])) == NULL ||
        (p->library = facet__strdup(argv[i + 2])) == NULL)
        goto oom;
    for (i += 3; i + 1 < argc && !bad; i += 2) {
        const char *opt = argv[i], *v = argv[i + 1];
        if (strcmp(opt, "--sandbox-file") == 0)
            bad = push(&p->files, &p->file_count, v);
        else if (strcmp(opt, "--sandbox-read") == 0)
            bad = push(&p->read, &p->read_count, v);
        else if (strcmp(opt, "--sandbox-write") == 0)
            bad = push(&p->write, &p->write_count, v);
        else if (strcmp(opt, "--sandbox-limits") == 0) {
            unsigned long long mb, files, cpu;
            if (sscanf(v, "%llu,%llu,%llu", &mb, &files, &cpu) != 3) {
                facet__sandbox_policy_free(p);
                return facet__error(FACET_E_INVALIDARG, "--sandbox-limits '%s': not MB,FILES,SECONDS",
                                    v);
            }
            p->limits.memory_mb = mb;
            p->limits.open_files = files;
            p->limits.cpu_seconds = cpu;
        } else
            break;
    }
    if (bad)
        goto oom;
    *out = p;
    return FACET_OK;
oom:
    facet__sandbox_policy_free(p);
    return facet__error(FACET_E_OUTOFMEMORY, "out of memory");
}

const char *facet__sandbox_disabled(void)
{
    const char *v = getenv("FACET_SANDBOX");
    if (v != NULL && strcmp(v, "off") == 0)
        return "FACET_SANDBOX=off";
#if defined(__SANITIZE_THREAD__)
    return "ThreadSanitizer's runtime";
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
    return "ThreadSanitizer's runtime";
#endif
#endif
    v = getenv("LD_PRELOAD");
    if (v != NULL && strstr(v, "vgpreload") != NULL)
        return "valgrind";
    return NULL;
}

/* ---- The worker's side: the report ------------------------------------------ */

typedef struct Report {
    char *buf;
    size_t size, len;
} Report;

static void say(Report *rp, const char *fmt, ...) FACET_PRINTF(2, 3);

static void say(Report *rp, const char *fmt, ...)
{
    va_list ap;
    int n;
    if (rp->len >= rp->size)
        return;
    if (rp->len > 0 && rp->len + 2 < rp->size) {
        rp->buf[rp->len++] = ';';
        rp->buf[rp->len++] = ' ';
        rp->buf[rp->len] = '\0';
    }
    va_start(ap, fmt);
    n = vsnprintf(rp->buf + rp->len, rp->size - rp->len, fmt, ap);
    va_end(ap);
    if (n > 0)
        rp->len = (size_t)n >= rp->size - rp->len ? rp->size - 1 : rp->len + (size_t)n;
}

/* ---- Namespaces -------------------------------------------------------------- */

static int write_file(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    ssize_t n;
    size_t len = strlen(text);
    if (fd < 0)
        return -1;
    n = write(fd, text, len);
    close(fd);
    return n == (ssize_t)len ? 0 : -1;
}

static const char *userns_hint(void)
{
    char c = 0;
    int fd = open("/proc/sys/kernel/unprivileged_userns_clone", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        if (read(fd, &c, 1) == 1 && c == '0') {
            close(fd);
            return " (kernel.unprivileged_userns_clone=0)";
        }
        close(fd);
    }
    fd = open("/proc/sys/user/max_user_namespaces", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        char buf[8] = {0};
        if (read(fd, buf, sizeof(buf) - 1) > 0 && buf[0] == '0' && (buf[1] == '\n' || !buf[1])) {
            close(fd);
            return " (user.max_user_namespaces=0)";
        }
        close(fd);
    }
    return "";
}

static void enter_namespaces(Report *rp)
{
    static const struct {
        int flag;
        const char *name;
    } ns[] = {{CLONE_NEWNS, "mount"}, {CLONE_NEWNET, "network"}, {CLONE_NEWIPC, "IPC"}};
    char map[64];
    uid_t uid = getuid();
    gid_t gid = getgid();
    size_t i;
    int user = 0;
    const char *forced = getenv("FACET_SANDBOX_NO_USERNS");

    if (forced != NULL && forced[0] != '\0' && strcmp(forced, "0") != 0) {
        errno = EPERM;
        say(rp, "user namespace refused: forced by FACET_SANDBOX_NO_USERNS");
    } else if (unshare(CLONE_NEWUSER) != 0) {
        say(rp, "user namespace refused: %s%s", strerror(errno),
            errno == EPERM || errno == ENOSPC ? userns_hint() : "");
    } else {
        /* the same user inside as outside, and no other */
        snprintf(map, sizeof(map), "%lu %lu 1\n", (unsigned long)uid, (unsigned long)uid);
        if (write_file("/proc/self/setgroups", "deny") == 0 &&
            write_file("/proc/self/uid_map", map) == 0) {
            snprintf(map, sizeof(map), "%lu %lu 1\n", (unsigned long)gid, (unsigned long)gid);
            (void)write_file("/proc/self/gid_map", map);
        }
        user = 1;
        say(rp, "user namespace");
    }
    for (i = 0; i < sizeof(ns) / sizeof(ns[0]); i++) {
        if (unshare(ns[i].flag) == 0)
            say(rp, "%s namespace", ns[i].name);
        else
            say(rp, "%s namespace refused: %s%s", ns[i].name, strerror(errno),
                user ? "" : " (no user namespace to hold it)");
    }
    /* A PID namespace would make the worker, the module's own process, its
     * namespace's init, whose own signals (abort's SIGABRT) the kernel
     * drops, and would take threads from it once unshared; kill and tgkill
     * are held to the worker's own process by the filter instead. */
    say(rp, "PID namespace not used: the filter holds signals to this process");
}

/* ---- The file view: Landlock ------------------------------------------------- */

#define LL_FILE                                                                                    \
    (LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_READ_FILE)
#define LL_READ (LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR)
#define LL_TRUNCATE (1ULL << 14) /* ABI 3 */
#define LL_IOCTL_DEV (1ULL << 15) /* ABI 5 */

typedef struct Landlock {
    int fd;
    uint64_t handled;
    Report *rp;
    int failed;
} Landlock;

static void ll_allow(Landlock *ll, const char *path, uint64_t access, int quiet)
{
    struct landlock_path_beneath_attr pb;
    struct stat st;
    int fd = open(path, O_PATH | O_CLOEXEC);
    if (fd < 0) {
        if (!quiet)
            say(ll->rp, "%s not in the file view: %s", path, strerror(errno));
        return;
    }
    memset(&pb, 0, sizeof(pb));
    pb.parent_fd = fd;
    pb.allowed_access = access & ll->handled;
    if (fstat(fd, &st) == 0 && !S_ISDIR(st.st_mode))
        pb.allowed_access &= LL_FILE | LL_TRUNCATE | LL_IOCTL_DEV;
    if (syscall(SYS_landlock_add_rule, ll->fd, LANDLOCK_RULE_PATH_BENEATH, &pb, 0) != 0) {
        say(ll->rp, "%s: Landlock refused the rule: %s", path, strerror(errno));
        ll->failed = 1;
    }
    close(fd);
}

/* The file of this library (libfacet), which the worker runs from. */
static const char *own_library(void)
{
    Dl_info info;
    if (dladdr((void *)(uintptr_t)&facet__sandbox_enter, &info) != 0 && info.dli_fname != NULL)
        return info.dli_fname;
    return NULL;
}

static int enter_landlock(const FacetSandboxPolicy *p, Report *rp)
{
    static const char *const system_dirs[] = {"/lib", "/lib64", "/usr/lib", "/usr/lib64",
                                              "/usr/local/lib", "/etc/ld.so.cache",
                                              "/etc/ld.so.preload", "/etc/ld.so.conf",
                                              "/etc/ld.so.conf.d", "/sys/devices/system/cpu",
                                              "/dev/urandom", "/dev/zero"};
    struct landlock_ruleset_attr attr;
    Landlock ll;
    char self[64];
    const char *lib;
    long abi;
    size_t i;

    abi = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
    if (abi < 1) {
        say(rp, "no Landlock (%s): the file view is not restricted",
            abi < 0 ? strerror(errno) : "ABI 0");
        return -1;
    }
    memset(&ll, 0, sizeof(ll));
    ll.rp = rp;
    ll.handled = (1ULL << 13) - 1; /* ABI 1 */
    if (abi >= 2)
        ll.handled |= LANDLOCK_ACCESS_FS_REFER;
    if (abi >= 3)
        ll.handled |= LL_TRUNCATE;
    if (abi >= 5)
        ll.handled |= LL_IOCTL_DEV;
    memset(&attr, 0, sizeof(attr));
    attr.handled_access_fs = ll.handled;
    ll.fd = (int)syscall(SYS_landlock_create_ruleset, &attr, sizeof(attr.handled_access_fs), 0);
    if (ll.fd < 0) {
        say(rp, "Landlock refused a ruleset: %s: the file view is not restricted",
            strerror(errno));
        return -1;
    }
    for (i = 0; i < sizeof(system_dirs) / sizeof(system_dirs[0]); i++)
        ll_allow(&ll, system_dirs[i], LL_READ, 1);
    ll_allow(&ll, "/dev/null", LL_READ | LANDLOCK_ACCESS_FS_WRITE_FILE | LL_TRUNCATE, 1);
    snprintf(self, sizeof(self), "/proc/%ld", (long)getpid());
    ll_allow(&ll, self, LL_READ, 1);
    if ((lib = own_library()) != NULL)
        ll_allow(&ll, lib, LL_READ, 0);
    ll_allow(&ll, p->library, LL_READ, 0);
    for (i = 0; i < p->file_count; i++)
        ll_allow(&ll, p->files[i], LL_READ, 0);
    for (i = 0; i < p->read_count; i++)
        ll_allow(&ll, p->read[i], LL_READ, 0);
    for (i = 0; i < p->write_count; i++)
        ll_allow(&ll, p->write[i], ll.handled, 0);
    if (!ll.failed && syscall(SYS_landlock_restrict_self, ll.fd, 0) != 0) {
        say(rp, "Landlock refused to restrict: %s", strerror(errno));
        ll.failed = 1;
    }
    close(ll.fd);
    if (ll.failed)
        return -1;
    say(rp, "file view by Landlock ABI %ld", abi);
    return 0;
}

/* ---- Resource limits --------------------------------------------------------- */

static int set_limit(int which, uint64_t value, const char *name, Report *rp)
{
    struct rlimit rl;
    if (value == 0)
        return 0;
    rl.rlim_cur = rl.rlim_max = (rlim_t)value;
    if (setrlimit(which, &rl) != 0) {
        say(rp, "%s of %llu refused: %s", name, (unsigned long long)value, strerror(errno));
        return -1;
    }
    return 0;
}

static int enter_limits(const FacetSandboxPolicy *p, Report *rp)
{
    uint64_t mb = p->limits.memory_mb;
    if (mb > UINT64_MAX / (1024 * 1024))
        mb = UINT64_MAX / (1024 * 1024);
    if (set_limit(RLIMIT_AS, mb * 1024 * 1024, "memory_mb", rp) != 0 ||
        set_limit(RLIMIT_NOFILE, p->limits.open_files, "open_files", rp) != 0 ||
        set_limit(RLIMIT_CPU, p->limits.cpu_seconds, "cpu_seconds", rp) != 0)
        return -1;
    return 0;
}

/* ---- The filter -------------------------------------------------------------- */

/* What a process needs to run C and Go code that computes, allocates,
 * waits and talks to the host over what it inherited. */
static const char *const allowed[] = {
    "read", "write", "readv", "writev", "pread64", "pwrite64", "preadv", "pwritev", "preadv2",
    "pwritev2", "close", "close_range", "open", "openat", "creat", "stat", "fstat", "lstat",
    "newfstatat", "statx", "statfs", "fstatfs", "access", "faccessat", "faccessat2", "readlink",
    "readlinkat", "getdents", "getdents64", "lseek", "mmap", "mprotect", "munmap", "mremap",
    "madvise", "brk", "msync", "mincore", "mlock", "munlock", "membarrier", "rseq",
    "set_robust_list", "get_robust_list", "set_tid_address", "futex", "futex_waitv", "exit",
    "exit_group", "rt_sigprocmask", "rt_sigreturn", "rt_sigpending", "rt_sigtimedwait",
    "rt_sigsuspend", "sigaltstack", "restart_syscall", "gettid", "getpid", "getppid", "getpgrp",
    "getuid", "geteuid", "getgid", "getegid", "getresuid", "getresgid", "getgroups", "getrandom",
    "clock_gettime", "clock_getres", "clock_nanosleep", "nanosleep", "gettimeofday", "time",
    "sched_yield", "sched_getaffinity", "sched_setaffinity", "sched_getparam",
    "sched_getscheduler", "getcpu", "getpriority", "getrusage", "times", "poll", "ppoll",
    "select", "pselect6", "epoll_create", "epoll_create1", "epoll_ctl", "epoll_wait",
    "epoll_pwait", "epoll_pwait2", "eventfd", "eventfd2", "pipe", "pipe2", "dup", "dup2", "dup3",
    "fcntl", "flock", "recvmsg", "recvfrom", "recvmmsg", "sendmsg", "sendto", "sendmmsg",
    "shutdown", "getsockopt", "setsockopt", "getsockname", "getpeername", "prctl",
    "arch_prctl", "getrlimit", "setrlimit", "uname", "sysinfo", "getcwd", "chdir", "fchdir",
    "umask", "truncate", "ftruncate", "fallocate", "fsync", "fdatasync", "sync_file_range",
    "unlink", "unlinkat", "mkdir", "mkdirat", "rmdir", "rename", "renameat", "renameat2", "link",
    "linkat", "symlink", "symlinkat", "chmod", "fchmod", "fchmodat", "utimensat", "utimes",
    "memfd_create", "timerfd_create", "timerfd_settime", "timerfd_gettime", "timer_create",
    "timer_settime", "timer_gettime", "timer_getoverrun", "timer_delete", "setitimer",
    "getitimer", "alarm", "pause", "wait4", "waitid", "fork", "vfork", "sendfile", "splice",
    "tee", "copy_file_range", "capget", "inotify_init1", "inotify_add_watch",
    "inotify_rm_watch", "signalfd4", "setsid", "setpgid", "getpgid", "getsid", "sched_get_priority_max",
    "sched_get_priority_min", "ioprio_get", "name_to_handle_at", "statmount", "listmount",
    "pidfd_send_signal", "lsm_get_self_attr", "map_shadow_stack", "landlock_create_ruleset",
    "landlock_add_rule", "landlock_restrict_self", "seccomp"};

/* Ways out of the wall: the process ends by SIGSYS when it tries one. */
static const char *const fatal[] = {
    "execve", "execveat", "ptrace", "process_vm_readv", "process_vm_writev", "kexec_load",
    "kexec_file_load", "init_module", "finit_module", "delete_module", "mount", "umount2",
    "pivot_root", "chroot", "bpf", "perf_event_open", "open_by_handle_at", "move_mount",
    "fsopen", "fsconfig", "fsmount", "fspick", "open_tree", "mount_setattr", "setns", "unshare",
    "pidfd_getfd", "process_madvise", "kcmp", "keyctl", "add_key", "request_key", "reboot",
    "swapon", "swapoff", "acct", "settimeofday", "clock_settime", "clock_adjtime", "adjtimex",
    "iopl", "ioperm", "quotactl", "quotactl_fd", "lookup_dcookie", "userfaultfd", "uselib",
    "personality", "vhangup", "syslog", "nfsservctl", "sethostname", "setdomainname"};

/* A socket of its own fails (the host's broker hands it connected ones). */
static const char *const refused[] = {"socket", "socketpair", "connect", "bind", "listen",
                                      "accept", "accept4", "io_uring_setup", "io_uring_enter",
                                      "io_uring_register"};

static const scmp_datum_t ioctls[] = {0x5401 /* TCGETS */,     0x5413 /* TIOCGWINSZ */,
                                      0x541B /* FIONREAD */,   0x5421 /* FIONBIO */,
                                      0x5451 /* FIOCLEX */,    0x5450 /* FIONCLEX */,
                                      0x5452 /* FIOASYNC */};

/* A comparison of argument which (libseccomp's SCMP_A* leave fields to
 * the compiler) */
static struct scmp_arg_cmp arg(unsigned int which, enum scmp_compare op, scmp_datum_t a,
                               scmp_datum_t b)
{
    struct scmp_arg_cmp c;
    c.arg = which;
    c.op = op;
    c.datum_a = a;
    c.datum_b = b;
    return c;
}

static int rule(scmp_filter_ctx ctx, uint32_t action, const char *name, Report *rp,
                unsigned count, const struct scmp_arg_cmp *args)
{
    int nr = seccomp_syscall_resolve_name(name), rc;
    if (nr == __NR_SCMP_ERROR)
        return 0; /* not a call of this architecture */
    rc = seccomp_rule_add_array(ctx, action, nr, count, args);
    if (rc != 0 && rc != -EEXIST) {
        say(rp, "the filter's rule for %s: %s", name, strerror(-rc));
        return -1;
    }
    return 0;
}

/* SIGSYS from the filter: says which call it stopped, on standard error and
 * to the host (the worker's lifeline), then ends the process by SIGSYS. */
static void on_sigsys(int sig, siginfo_t *si, void *uc)
{
    static const char head[] = "facet-host: the sandbox stopped system call ";
    char line[96], rec[8];
    int nr = si != NULL ? si->si_syscall : -1, n = 0, v = nr < 0 ? 0 : nr;
    char digits[12];
    int d = 0;
    sigset_t set;
    (void)sig;
    (void)uc;
    memcpy(line, head, sizeof(head) - 1);
    n = (int)sizeof(head) - 1;
    do {
        digits[d++] = (char)('0' + v % 10);
        v /= 10;
    } while (v > 0 && d < (int)sizeof(digits));
    while (d > 0)
        line[n++] = digits[--d];
    line[n++] = '\n';
    (void)!write(2, line, (size_t)n);
    memcpy(rec, "SYS", 4);
    memcpy(rec + 4, &nr, 4);
    (void)!write(FD_WORKER, rec, sizeof(rec));
    /* ends by SIGSYS, as the kernel's own kill would */
    signal(SIGSYS, SIG_DFL);
    sigemptyset(&set);
    sigaddset(&set, SIGSYS);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    syscall(SYS_tgkill, (long)getpid(), (long)syscall(SYS_gettid), SIGSYS);
    _exit(128 + SIGSYS);
}

static int enter_filter(Report *rp)
{
    const uint32_t kill_by_trap = SCMP_ACT_TRAP;
    scmp_filter_ctx ctx;
    struct sigaction sa;
    struct scmp_arg_cmp a;
    pid_t me = getpid();
    size_t i;
    int ok = 0;

    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_sigsys;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGSYS, &sa, NULL) != 0) {
        say(rp, "cannot catch SIGSYS: %s", strerror(errno));
        return -1;
    }
    ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM));
    if (ctx == NULL) {
        say(rp, "libseccomp could not start a filter");
        return -1;
    }
    if (seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS) != 0)
        goto out;
    for (i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
        if (rule(ctx, SCMP_ACT_ALLOW, allowed[i], rp, 0, NULL) != 0)
            goto out;
    for (i = 0; i < sizeof(fatal) / sizeof(fatal[0]); i++)
        if (rule(ctx, kill_by_trap, fatal[i], rp, 0, NULL) != 0)
            goto out;
    for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
        if (rule(ctx, SCMP_ACT_ERRNO(EACCES), refused[i], rp, 0, NULL) != 0)
            goto out;
    /* clone3 passes its flags in memory the filter cannot read: ENOSYS
     * sends the C library and Go back to clone, whose flags it reads.
     * A thread or a process of the same wall, never a namespace. */
    if (rule(ctx, SCMP_ACT_ERRNO(ENOSYS), "clone3", rp, 0, NULL) != 0)
        goto out;
    a = arg(0, SCMP_CMP_MASKED_EQ,
            (scmp_datum_t)(CLONE_NEWNS | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET |
                           CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWCGROUP),
            0);
    if (rule(ctx, SCMP_ACT_ALLOW, "clone", rp, 1, &a) != 0)
        goto out;
    /* signals: to this process only */
    a = arg(0, SCMP_CMP_EQ, (scmp_datum_t)me, 0);
    if (rule(ctx, SCMP_ACT_ALLOW, "kill", rp, 1, &a) != 0 ||
        rule(ctx, SCMP_ACT_ALLOW, "tgkill", rp, 1, &a) != 0)
        goto out;
    /* signal actions, SIGSYS's included: a Go runtime adds SA_ONSTACK to
     * every handler it finds, and a call the filter traps never runs,
     * whoever's handler hears of it */
    if (rule(ctx, SCMP_ACT_ALLOW, "rt_sigaction", rp, 0, NULL) != 0)
        goto out;
    /* resource limits: its own process's only, and (under the hard limit
     * the kernel keeps) never raised */
    a = arg(0, SCMP_CMP_EQ, 0, 0);
    if (rule(ctx, SCMP_ACT_ALLOW, "prlimit64", rp, 1, &a) != 0)
        goto out;
    /* ioctl: the requests the C library and Go make of descriptors they
     * hold (isatty, FIONREAD, FIONBIO, close-on-exec), compared on the 32
     * bits the kernel reads; never TIOCSTI, which types into a terminal */
    for (i = 0; i < sizeof(ioctls) / sizeof(ioctls[0]); i++) {
        a = arg(1, SCMP_CMP_MASKED_EQ, 0xFFFFFFFFu, ioctls[i]);
        if (rule(ctx, SCMP_ACT_ALLOW, "ioctl", rp, 1, &a) != 0)
            goto out;
    }
    if (seccomp_load(ctx) != 0) {
        say(rp, "the kernel refused the seccomp filter: %s", strerror(errno));
        goto out;
    }
    say(rp, "seccomp filter");
    ok = 1;
out:
    seccomp_release(ctx);
    return ok ? 0 : -1;
}

/* ---- The whole ----------------------------------------------------------------- */

static int entered;

int facet__sandbox_entered(void)
{
    return entered;
}

int facet__sandbox_enter(const FacetSandboxPolicy *p, char *report, size_t size)
{
    Report rp;
    rp.buf = report;
    rp.size = size;
    rp.len = 0;
    if (size > 0)
        report[0] = '\0';
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
        say(&rp, "PR_SET_NO_NEW_PRIVS refused: %s", strerror(errno));
        return -1;
    }
    say(&rp, "no_new_privs");
    enter_namespaces(&rp);
    /* without Landlock the file view is given up, said in the report */
    (void)enter_landlock(p, &rp);
    if (enter_limits(p, &rp) != 0)
        return -1;
    if (enter_filter(&rp) != 0)
        return -1;
    entered = 1;
    return 0;
}

const char *facet__sandbox_syscall_name(int nr, char *buf, size_t size)
{
    char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
    snprintf(buf, size, "%s (%d)", name != NULL ? name : "?", nr);
    free(name);
    return buf;
}

#endif /* __linux__ */
