/*
 * tests/remote/sandbox.c - the wall around a process-isolated module
 * (core/remote/sandbox_linux.c), death-test style: each test forks a child
 * that puts the real wall up with a policy made here and runs a body; the
 * parent asserts how the child ended, and what it said. Every denial is
 * checked beside the nearest thing the same policy allows, and every call
 * that kills is first run without the wall, where it does not.
 *
 *   test_remote_sandbox             files, the filter, the limits
 *   test_remote_sandbox_namespaces  the namespaces (SKIPPED where the
 *                                   kernel refuses user namespaces)
 *   test_remote_sandbox_no_userns   all of the first, with user namespaces
 *                                   refused (FACET_SANDBOX_NO_USERNS=1)
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "remote/sandbox.h"

#define FD_WORKER 5 /* where the wall reports a stopped call (spawn_posix.c) */

/* ---- The folder the policies speak of ---------------------------------------- */

static char root[64];
static char path_buf[16][256];
static int path_next;

/* root/rel, in a ring of buffers */
static const char *at(const char *rel)
{
    char *p = path_buf[path_next++ % 16];
    snprintf(p, sizeof(path_buf[0]), "%s/%s", root, rel);
    return p;
}

static void put_file(const char *rel, const char *text)
{
    FILE *f = fopen(at(rel), "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void make_tree(void)
{
    static const char *const dirs[] = {"granted", "granted/sub", "granted2", "write", "module"};
    size_t i;
    strcpy(root, "/tmp/facet-sandbox-XXXXXX");
    assert_non_null(mkdtemp(root));
    for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
        assert_int_equal(mkdir(at(dirs[i]), 0755), 0);
    put_file("granted/a.txt", "a");
    put_file("granted2/b.txt", "b"); /* beside, and named like, the granted folder */
    put_file("secret.txt", "secret");
    put_file("module/mod.so", "the module");
    put_file("module/other.so", "another plugin");
    put_file("module/facet.conf.json", "{}");
    assert_int_equal(symlink("a.txt", at("granted/inside")), 0);
    assert_int_equal(symlink("../secret.txt", at("granted/out")), 0);
}

static void remove_tree(void)
{
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
    assert_int_equal(system(cmd), 0);
}

static char *dup_str(const char *s)
{
    char *d = facet__malloc(strlen(s) + 1);
    assert_non_null(d);
    strcpy(d, s);
    return d;
}

static char **list1(const char *s)
{
    char **l = facet__calloc(1, sizeof(*l));
    assert_non_null(l);
    l[0] = dup_str(s);
    return l;
}

/* library root/module/mod.so; fs.read root/granted; fs.write root/write */
static FacetSandboxPolicy *policy(void)
{
    FacetSandboxPolicy *p = facet__calloc(1, sizeof(*p));
    assert_non_null(p);
    p->module = dup_str("test.sandbox");
    p->library = dup_str(at("module/mod.so"));
    p->read = list1(at("granted"));
    p->read_count = 1;
    p->write = list1(at("write"));
    p->write_count = 1;
    return p;
}

/* ---- Running a body in a child ------------------------------------------------- */

typedef struct Outcome {
    int signal;        /* the signal that killed it, or 0 */
    int status;        /* its exit status when it exited */
    int32_t syscall;   /* what the wall said it stopped, or -1 */
    char report[1024]; /* what the wall said it is */
    char err[512];     /* what the body said on standard error */
} Outcome;

/* A failed expectation in the child: exits 1 with the line. */
#define EXPECT(c)                                                                                  \
    do {                                                                                           \
        if (!(c)) {                                                                                \
            fprintf(stderr, "%s:%d: %s (errno %d: %s)\n", __FILE__, __LINE__, #c, errno,           \
                    strerror(errno));                                                              \
            _exit(1);                                                                              \
        }                                                                                          \
    } while (0)

static void read_all(int fd, char *buf, size_t size)
{
    size_t len = 0;
    ssize_t n;
    while (len + 1 < size && (n = read(fd, buf + len, size - 1 - len)) > 0)
        len += (size_t)n;
    buf[len] = '\0';
}

/* A descriptor above those run() places (FD_WORKER) */
static int high(int fd)
{
    int h = fcntl(fd, F_DUPFD, 20);
    assert_true(h >= 20);
    close(fd);
    return h;
}

/* Forks; the child puts the wall of p up (none when p is NULL) and runs
 * body; returns how it ended. */
static Outcome run(const FacetSandboxPolicy *p, void (*body)(void))
{
    Outcome o;
    int rep[2], rec[2], err[2], status, i;
    pid_t pid;
    char record[8];

    memset(&o, 0, sizeof(o));
    o.syscall = -1;
    assert_int_equal(pipe(rep), 0);
    assert_int_equal(pipe(rec), 0);
    assert_int_equal(pipe(err), 0);
    for (i = 0; i < 2; i++) {
        rep[i] = high(rep[i]);
        rec[i] = high(rec[i]);
        err[i] = high(err[i]);
    }
    fflush(NULL);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        char report[1024] = "";
        close(rep[0]);
        close(rec[0]);
        close(err[0]);
        dup2(rec[1], FD_WORKER);
        dup2(err[1], 2);
        if (p != NULL) {
            int up = facet__sandbox_enter(p, report, sizeof(report));
            (void)!write(rep[1], report, strlen(report));
            if (up != 0)
                _exit(90);
        }
        close(rep[1]);
        body();
        _exit(0);
    }
    close(rep[1]);
    close(rec[1]);
    close(err[1]);
    read_all(rep[0], o.report, sizeof(o.report));
    read_all(err[0], o.err, sizeof(o.err));
    assert_int_equal(waitpid(pid, &status, 0), pid);
    if (read(rec[0], record, sizeof(record)) == (ssize_t)sizeof(record) &&
        memcmp(record, "SYS", 4) == 0)
        memcpy(&o.syscall, record + 4, sizeof(o.syscall));
    close(rep[0]);
    close(rec[0]);
    close(err[0]);
    if (WIFSIGNALED(status))
        o.signal = WTERMSIG(status);
    else
        o.status = WEXITSTATUS(status);
    return o;
}

static void print_outcome(const char *what, const Outcome *o)
{
    if (o->signal != 0 || o->status != 0)
        print_message("%s: signal %d, status %d, call %d; wall: %s; said: %s\n", what, o->signal,
                      o->status, (int)o->syscall, o->report, o->err);
}

/* The body runs to its end under the wall of p. */
static void allowed(FacetSandboxPolicy *p, void (*body)(void), const char *what)
{
    Outcome o = run(p, body);
    print_outcome(what, &o);
    assert_int_equal(o.signal, 0);
    assert_int_equal(o.status, 0);
}

/* The body runs to its end without the wall and is killed by SIGSYS at the
 * call nr under it, the wall saying which. */
static void kills(FacetSandboxPolicy *p, void (*body)(void), long nr, const char *what)
{
    Outcome o = run(NULL, body);
    print_outcome(what, &o);
    assert_int_equal(o.signal, 0); /* the positive control: it works unwalled */
    assert_int_equal(o.status, 0);
    o = run(p, body);
    assert_int_equal(o.signal, SIGSYS);
    assert_int_equal(o.syscall, nr);
    assert_non_null(strstr(o.err, "the sandbox stopped system call"));
}

/* ---- Files --------------------------------------------------------------------- */

static int open_errno(const char *rel, int flags)
{
    int fd = open(at(rel), flags | O_CLOEXEC, 0644);
    if (fd >= 0) {
        close(fd);
        return 0;
    }
    return errno;
}

static void body_read(void)
{
    char buf[8] = "";
    int fd = open(at("granted/a.txt"), O_RDONLY);
    EXPECT(fd >= 0);
    EXPECT(read(fd, buf, sizeof(buf)) == 1 && buf[0] == 'a');
    close(fd);
    /* beside the granted folder, and in a folder whose name begins like it */
    EXPECT(open_errno("secret.txt", O_RDONLY) == EACCES);
    EXPECT(open_errno("granted2/b.txt", O_RDONLY) == EACCES);
    /* listing: the granted folder, not its parent */
    {
        DIR *d = opendir(at("granted"));
        EXPECT(d != NULL);
        closedir(d);
        EXPECT(opendir(root) == NULL && errno == EACCES);
    }
}

static void body_dotdot_and_links(void)
{
    EXPECT(open_errno("granted/sub/../a.txt", O_RDONLY) == 0);
    EXPECT(open_errno("granted/../secret.txt", O_RDONLY) == EACCES);
    EXPECT(open_errno("granted/sub/../../granted2/b.txt", O_RDONLY) == EACCES);
    EXPECT(open_errno("granted/inside", O_RDONLY) == 0);
    EXPECT(open_errno("granted/out", O_RDONLY) == EACCES);
}

static void body_write_where_read(void)
{
    EXPECT(open_errno("granted/a.txt", O_RDONLY) == 0);
    EXPECT(open_errno("granted/a.txt", O_WRONLY) == EACCES);
    EXPECT(open_errno("granted/a.txt", O_RDWR) == EACCES);
    EXPECT(open_errno("granted/new.txt", O_WRONLY | O_CREAT) == EACCES);
    EXPECT(unlink(at("granted/a.txt")) != 0 && errno == EACCES);
    EXPECT(mkdir(at("granted/d"), 0755) != 0 && errno == EACCES);
    EXPECT(rename(at("granted/a.txt"), at("write/a.txt")) != 0);
}

static void body_write(void)
{
    char buf[8] = "";
    int fd = open(at("write/new.txt"), O_RDWR | O_CREAT | O_TRUNC, 0644);
    EXPECT(fd >= 0);
    EXPECT(write(fd, "w", 1) == 1);
    EXPECT(pread(fd, buf, sizeof(buf), 0) == 1 && buf[0] == 'w');
    close(fd);
    EXPECT(mkdir(at("write/d"), 0755) == 0);
    EXPECT(rmdir(at("write/d")) == 0);
    EXPECT(unlink(at("write/new.txt")) == 0);
    /* and not beside it */
    EXPECT(open_errno("new.txt", O_WRONLY | O_CREAT) == EACCES);
}

static void body_module_folder(void)
{
    EXPECT(open_errno("module/mod.so", O_RDONLY) == 0);
    EXPECT(open_errno("module/mod.so", O_WRONLY) == EACCES);
    EXPECT(open_errno("module/other.so", O_RDONLY) == EACCES);
    EXPECT(open_errno("module/facet.conf.json", O_RDONLY) == EACCES);
    EXPECT(opendir(at("module")) == NULL && errno == EACCES);
}

static void body_system(void)
{
    /* what the loader reads, and what it does not need */
    EXPECT(access("/etc/ld.so.cache", R_OK) == 0);
    EXPECT(open("/etc/ld.so.cache", O_RDONLY) >= 0);
    EXPECT(open("/etc/passwd", O_RDONLY) < 0 && errno == EACCES);
    EXPECT(open("/etc/ld.so.cache", O_WRONLY) < 0 && errno == EACCES);
    EXPECT(open("/usr/lib/os-release", O_RDONLY) >= 0 || errno == ENOENT);
    EXPECT(open("/dev/null", O_WRONLY) >= 0);
}

static void test_files(void **state)
{
    FacetSandboxPolicy *p = policy();
    (void)state;
    allowed(p, body_read, "read");
    allowed(p, body_dotdot_and_links, "'..' and links");
    allowed(p, body_write_where_read, "write where read was granted");
    allowed(p, body_write, "write");
    allowed(p, body_module_folder, "the module's folder");
    allowed(p, body_system, "the system's files");
    /* what the parent sees: the bodies changed nothing they were refused */
    assert_int_equal(access(at("granted/a.txt"), F_OK), 0);
    assert_int_not_equal(access(at("granted/new.txt"), F_OK), 0);
    assert_int_not_equal(access(at("new.txt"), F_OK), 0);
    facet__sandbox_policy_free(p);
}

/* A file granted alone: that file, not its folder. */
static void body_one_file(void)
{
    EXPECT(open_errno("granted/a.txt", O_RDONLY) == 0);
    EXPECT(open_errno("granted/inside", O_RDONLY) == 0); /* a link to it, inside */
    EXPECT(opendir(at("granted")) == NULL && errno == EACCES);
    EXPECT(open_errno("granted/sub", O_RDONLY) == EACCES);
}

static void test_file_grant(void **state)
{
    FacetSandboxPolicy *p = policy();
    (void)state;
    facet__free(p->read[0]);
    p->read[0] = dup_str(at("granted/a.txt"));
    allowed(p, body_one_file, "a file granted");
    facet__sandbox_policy_free(p);
}

/* ---- Network ------------------------------------------------------------------- */

static int listener = -1, unconnected = -1, pair[2] = {-1, -1};
static struct sockaddr_in listen_at;

static void body_socket(void)
{
    EXPECT(socket(AF_INET, SOCK_STREAM, 0) < 0 && errno == EACCES);
    EXPECT(socket(AF_INET6, SOCK_DGRAM, 0) < 0 && errno == EACCES);
    EXPECT(socket(AF_UNIX, SOCK_STREAM, 0) < 0 && errno == EACCES);
    {
        int sv[2];
        EXPECT(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0 && errno == EACCES);
    }
}

static void body_connect(void)
{
    EXPECT(connect(unconnected, (struct sockaddr *)&listen_at, sizeof(listen_at)) != 0 &&
           errno == EACCES);
}

static void body_connect_plain(void)
{
    EXPECT(connect(unconnected, (struct sockaddr *)&listen_at, sizeof(listen_at)) == 0);
}

/* A one-byte message with room for one descriptor. */
typedef struct FdMessage {
    struct msghdr msg;
    struct iovec iov;
    char byte;
    union {
        struct cmsghdr align;
        char bytes[CMSG_SPACE(sizeof(int))];
    } control;
} FdMessage;

static void fd_message(FdMessage *m)
{
    memset(m, 0, sizeof(*m));
    m->byte = 'f';
    m->iov.iov_base = &m->byte;
    m->iov.iov_len = 1;
    m->msg.msg_iov = &m->iov;
    m->msg.msg_iovlen = 1;
    m->msg.msg_control = m->control.bytes;
    m->msg.msg_controllen = sizeof(m->control);
}

/* A descriptor handed over a socket it holds (the broker's way). */
static void body_receive_fd(void)
{
    FdMessage m;
    struct msghdr msg;
    struct cmsghdr *c;
    int fd;
    fd_message(&m);
    msg = m.msg;
    EXPECT(recvmsg(pair[1], &msg, 0) == 1);
    c = CMSG_FIRSTHDR(&msg);
    EXPECT(c != NULL && c->cmsg_type == SCM_RIGHTS);
    memcpy(&fd, CMSG_DATA(c), sizeof(fd));
    EXPECT(connect(fd, (struct sockaddr *)&listen_at, sizeof(listen_at)) != 0); /* still refused */
    EXPECT(fcntl(fd, F_GETFD) >= 0);
}

static void send_fd(int fd)
{
    FdMessage m;
    struct msghdr msg;
    struct cmsghdr *c;
    fd_message(&m);
    msg = m.msg;
    c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &fd, sizeof(fd));
    assert_int_equal(sendmsg(pair[0], &msg, 0), 1);
}

static void test_network(void **state)
{
    FacetSandboxPolicy *p = policy();
    socklen_t len = sizeof(listen_at);
    (void)state;
    listener = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(listener >= 0);
    memset(&listen_at, 0, sizeof(listen_at));
    listen_at.sin_family = AF_INET;
    listen_at.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(listener, (struct sockaddr *)&listen_at, sizeof(listen_at)), 0);
    assert_int_equal(listen(listener, 4), 0);
    assert_int_equal(getsockname(listener, (struct sockaddr *)&listen_at, &len), 0);
    unconnected = high(socket(AF_INET, SOCK_STREAM, 0));

    allowed(NULL, body_connect_plain, "connect without the wall"); /* the positive control */
    close(unconnected);
    unconnected = high(socket(AF_INET, SOCK_STREAM, 0));
    allowed(p, body_connect, "connect");
    allowed(p, body_socket, "socket");
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, pair), 0);
    pair[0] = high(pair[0]);
    pair[1] = high(pair[1]);
    send_fd(unconnected);
    allowed(p, body_receive_fd, "a descriptor received");
    close(pair[0]);
    close(pair[1]);
    close(unconnected);
    close(listener);
    facet__sandbox_policy_free(p);
}

/* ---- Calls that kill ------------------------------------------------------------- */

static void body_execve(void)
{
    char *const argv[] = {(char *)"/bin/true", NULL};
    execv("/bin/true", argv);
    _exit(2);
}

static void body_ptrace(void)
{
    EXPECT(ptrace(PTRACE_TRACEME, 0, NULL, NULL) == 0);
}

static void body_process_vm(void)
{
    char mine[4] = "abc", theirs[4];
    struct iovec local = {theirs, sizeof(theirs)}, remote = {mine, sizeof(mine)};
    /* its own memory: no other process's to read here */
    EXPECT(process_vm_readv(getpid(), &local, 1, &remote, 1, 0) == 4);
}

static void body_unshare(void)
{
    EXPECT(syscall(SYS_unshare, 0) == 0);
}

static volatile sig_atomic_t trapped = -1;

static void module_handler(int sig, siginfo_t *si, void *uc)
{
    (void)sig;
    (void)uc;
    trapped = si->si_syscall;
}

/* A module that takes SIGSYS over hears of the trap; the call never runs. */
static void body_own_sigsys_handler(void)
{
    struct sigaction sa;
    char *const argv[] = {(char *)"/bin/true", NULL};
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = module_handler;
    sa.sa_flags = SA_SIGINFO;
    EXPECT(sigaction(SIGSYS, &sa, NULL) == 0);
    execv("/bin/true", argv);
    fprintf(stderr, "still here after execve, trapped %d\n", (int)trapped);
}

static void body_mount(void)
{
    /* EPERM without rights, or done: it is the call that matters */
    (void)mount("none", "/nonexistent", "tmpfs", 0, NULL);
}

static void test_calls_that_kill(void **state)
{
    FacetSandboxPolicy *p = policy();
    (void)state;
    kills(p, body_execve, SYS_execve, "execve");
    kills(p, body_ptrace, SYS_ptrace, "ptrace");
    kills(p, body_process_vm, SYS_process_vm_readv, "process_vm_readv");
    kills(p, body_unshare, SYS_unshare, "unshare");
    kills(p, body_mount, SYS_mount, "mount");
    {
        char want[64];
        Outcome o = run(NULL, body_own_sigsys_handler);
        assert_int_equal(o.status, 0);
        assert_null(strstr(o.err, "still here")); /* it became /bin/true */
        o = run(p, body_own_sigsys_handler);
        assert_int_equal(o.signal, 0);
        assert_int_equal(o.status, 0);
        snprintf(want, sizeof(want), "still here after execve, trapped %d", (int)SYS_execve);
        assert_non_null(strstr(o.err, want));
    }
    facet__sandbox_policy_free(p);
}

/* ---- What it may still do ----------------------------------------------------------- */

static void *thread_main(void *arg)
{
    return arg;
}

static void body_process(void)
{
    pthread_t t;
    static int token;
    void *got = NULL;
    pid_t child;
    int status;
    char *big;
    /* threads, memory, its own signals */
    EXPECT(pthread_create(&t, NULL, thread_main, &token) == 0);
    EXPECT(pthread_join(t, &got) == 0 && got == (void *)&token);
    big = malloc(64 << 20);
    EXPECT(big != NULL);
    memset(big, 1, 64 << 20);
    free(big);
    EXPECT(kill(getpid(), 0) == 0);
    EXPECT(raise(SIGCONT) == 0);
    /* never another process's */
    EXPECT(kill(getppid(), 0) != 0 && errno == EPERM);
    EXPECT(kill(1, 0) != 0 && errno == EPERM);
    EXPECT(kill(-1, 0) != 0 && errno == EPERM);
    /* a process of its own, inside the same wall */
    child = fork();
    EXPECT(child >= 0);
    if (child == 0) {
        if (open(at("secret.txt"), O_RDONLY) < 0 && errno == EACCES)
            _exit(7);
        _exit(8);
    }
    EXPECT(waitpid(child, &status, 0) == child);
    EXPECT(WIFEXITED(status) && WEXITSTATUS(status) == 7);
}

static void test_process(void **state)
{
    FacetSandboxPolicy *p = policy();
    (void)state;
    allowed(p, body_process, "threads, memory, fork");
    facet__sandbox_policy_free(p);
}

/* ---- Limits ------------------------------------------------------------------------- */

static void body_limits(void)
{
    int i, last = -1;
    void *big;
    for (i = 0; i < 64; i++) {
        int fd = open("/dev/null", O_RDONLY);
        if (fd < 0) {
            EXPECT(errno == EMFILE);
            break;
        }
        last = fd;
    }
    EXPECT(i < 64 && last >= 0 && last < 32);
    big = malloc((size_t)512 << 20);
    EXPECT(big == NULL);
    big = malloc((size_t)8 << 20);
    EXPECT(big != NULL);
    free(big);
}

static void body_no_limits(void)
{
    int i, fds[64];
    for (i = 0; i < 64; i++)
        EXPECT((fds[i] = open("/dev/null", O_RDONLY)) >= 0);
    for (i = 0; i < 64; i++)
        close(fds[i]);
}

static void test_limits(void **state)
{
    FacetSandboxPolicy *p = policy();
    (void)state;
    allowed(p, body_no_limits, "no limits");
    p->limits.open_files = 32;
    p->limits.memory_mb = 256;
#if defined(__SANITIZE_ADDRESS__)
    p->limits.memory_mb = 0; /* AddressSanitizer reserves terabytes of address space */
#endif
    if (p->limits.memory_mb != 0)
        allowed(p, body_limits, "limits");
    facet__sandbox_policy_free(p);
}

/* ---- The policy on facet-host's command line ------------------------------------------ */

static void test_arguments(void **state)
{
    FacetSandboxPolicy *p = policy(), *q = NULL;
    char **args = NULL;
    char *argv[64];
    int argc = 0, i;
    (void)state;
    p->files = list1("/opt/ps/a b.so");
    p->file_count = 1;
    p->limits.memory_mb = 512;
    p->limits.cpu_seconds = 30;
    assert_int_equal(facet__sandbox_args(p, &args), FACET_OK);
    argv[argc++] = (char *)"facet-host";
    for (i = 0; args[i] != NULL && argc < 60; i++)
        argv[argc++] = args[i];
    argv[argc++] = (char *)"--transport";
    argv[argc++] = (char *)"3";
    assert_int_equal(facet__sandbox_from_args(argc, argv, &q), FACET_OK);
    assert_non_null(q);
    assert_string_equal(q->module, "test.sandbox");
    assert_string_equal(q->library, p->library);
    assert_int_equal(q->file_count, 1);
    assert_string_equal(q->files[0], "/opt/ps/a b.so");
    assert_int_equal(q->read_count, 1);
    assert_string_equal(q->read[0], p->read[0]);
    assert_int_equal(q->write_count, 1);
    assert_string_equal(q->write[0], p->write[0]);
    assert_int_equal(q->limits.memory_mb, 512);
    assert_int_equal(q->limits.open_files, 0);
    assert_int_equal(q->limits.cpu_seconds, 30);
    facet__sandbox_policy_free(q);
    q = NULL;
    /* no --sandbox: no policy, and no error */
    assert_int_equal(facet__sandbox_from_args(3, argv + argc - 3, &q), FACET_OK);
    assert_null(q);
    /* bad limits */
    argv[argc - 2] = (char *)"--sandbox-limits";
    argv[argc - 1] = (char *)"12,x";
    assert_int_equal(facet__sandbox_from_args(argc, argv, &q), FACET_E_INVALIDARG);
    assert_null(q);
    assert_non_null(strstr(facet_last_error(), "12,x"));
    facet__sandbox_args_free(args);
    facet__sandbox_policy_free(p);
    {
        char name[64];
        assert_string_equal(facet__sandbox_syscall_name(SYS_execve, name, sizeof(name)),
                            "execve (59)");
    }
}

/* ---- Namespaces --------------------------------------------------------------------- */

static char outer_net[64], outer_ipc[64], outer_mnt[64];

static void ns_of(const char *which, char *buf, size_t size)
{
    char path[64];
    ssize_t n;
    snprintf(path, sizeof(path), "/proc/self/ns/%s", which);
    n = readlink(path, buf, size - 1);
    buf[n > 0 ? n : 0] = '\0';
}

static void body_namespaces(void)
{
    char inner[64];
    ns_of("net", inner, sizeof(inner));
    EXPECT(inner[0] != '\0' && strcmp(inner, outer_net) != 0);
    ns_of("ipc", inner, sizeof(inner));
    EXPECT(inner[0] != '\0' && strcmp(inner, outer_ipc) != 0);
    ns_of("mnt", inner, sizeof(inner));
    EXPECT(inner[0] != '\0' && strcmp(inner, outer_mnt) != 0);
    /* the same user as outside */
    EXPECT(getuid() == (uid_t)atoi(getenv("TEST_OUTER_UID")));
}

static void test_namespaces(void **state)
{
    FacetSandboxPolicy *p = policy();
    Outcome o;
    char uid[16];
    (void)state;
    ns_of("net", outer_net, sizeof(outer_net));
    ns_of("ipc", outer_ipc, sizeof(outer_ipc));
    ns_of("mnt", outer_mnt, sizeof(outer_mnt));
    snprintf(uid, sizeof(uid), "%lu", (unsigned long)getuid());
    setenv("TEST_OUTER_UID", uid, 1);
    o = run(p, body_namespaces);
    print_outcome("namespaces", &o);
    assert_int_equal(o.signal, 0);
    assert_int_equal(o.status, 0);
    assert_non_null(strstr(o.report, "user namespace"));
    assert_null(strstr(o.report, "user namespace refused"));
    assert_non_null(strstr(o.report, "network namespace"));
    facet__sandbox_policy_free(p);
}

/* With user namespaces refused: said, and the rest of the wall holds. */
static void test_no_userns_said(void **state)
{
    FacetSandboxPolicy *p = policy();
    Outcome o;
    (void)state;
    o = run(p, body_read);
    assert_int_equal(o.status, 0);
    assert_non_null(strstr(o.report, "user namespace refused: forced by FACET_SANDBOX_NO_USERNS"));
    facet__sandbox_policy_free(p);
}

/* ---- Which wall this machine allows ---------------------------------------------------- */

static int setup(void **state)
{
    (void)state;
    make_tree();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    remove_tree();
    return 0;
}

/* Why the user namespace part cannot run here, or NULL. */
static const char *userns_refused(char *why, size_t size)
{
    pid_t pid = fork();
    int status = 0;
    if (pid == 0)
        _exit(syscall(SYS_unshare, 0x10000000 /* CLONE_NEWUSER */) == 0 ? 0 : errno);
    if (pid < 0 || waitpid(pid, &status, 0) != pid)
        return "cannot fork";
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return NULL;
    snprintf(why, size, "user namespaces refused: %s", strerror(WEXITSTATUS(status)));
    return why;
}

int main(int argc, char **argv)
{
    const struct CMUnitTest walls[] = {
        cmocka_unit_test(test_arguments),  cmocka_unit_test(test_files),
        cmocka_unit_test(test_file_grant), cmocka_unit_test(test_network),
        cmocka_unit_test(test_calls_that_kill), cmocka_unit_test(test_process),
        cmocka_unit_test(test_limits),
    };
    const struct CMUnitTest namespaces[] = {cmocka_unit_test(test_namespaces)};
    const struct CMUnitTest no_userns[] = {cmocka_unit_test(test_no_userns_said)};
    const char *part = argc > 1 ? argv[1] : "walls";
    const char *why;
    char reason[128];

    unsetenv("FACET_SANDBOX");
    why = facet__sandbox_disabled();
    if (why != NULL) {
        printf("SKIPPED: the sandbox is off under %s, whose runtime needs calls the filter "
               "refuses\n",
               why);
        return 0;
    }
    if (strcmp(part, "namespaces") == 0) {
        if (getenv("FACET_SANDBOX_NO_USERNS") != NULL) {
            printf("SKIPPED: user namespaces refused: forced by FACET_SANDBOX_NO_USERNS\n");
            return 0;
        }
        if ((why = userns_refused(reason, sizeof(reason))) != NULL) {
            printf("SKIPPED: %s\n", why);
            return 0;
        }
        return cmocka_run_group_tests(namespaces, setup, teardown);
    }
    if (getenv("FACET_SANDBOX_NO_USERNS") != NULL) {
        int failed = cmocka_run_group_tests(no_userns, setup, teardown);
        return failed + cmocka_run_group_tests(walls, setup, teardown);
    }
    return cmocka_run_group_tests(walls, setup, teardown);
}
