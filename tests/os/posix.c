/*
 * tests/os/posix.c - the platform layer on POSIX systems (core/os/posix.c):
 * files, folders, links, copies and atomic replacement, on what is there
 * and on what is not: missing files, links that dangle or loop, FIFOs,
 * sockets and devices, folders that cannot be read or written, names too
 * long; each failure with its code and a message naming the path and the
 * call. Then libraries, the private folder, the cache folder, the
 * program's path, random bytes and threads.
 *
 * Permissions do not stop root: run as root, the checks that need a
 * refusal run in a child that has become nobody (uid 65534), and are
 * skipped with the reason where that cannot be done.
 *
 * Built from the layer's own sources (it is internal to libfacet).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "support.h"

#include "os/os.h"

static char dir[4096];

/* dir/name, in a buffer of its own for each of the last four calls. */
static const char *at(const char *name)
{
    static char paths[4][4200];
    static unsigned next;
    char *p = paths[next++ % 4];
    if (snprintf(p, sizeof(paths[0]), "%s/%s", dir, name) >= (int)sizeof(paths[0]))
        fail_msg("the path %s/%s is too long for this test", dir, name);
    return p;
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

static char *read_text(const char *path)
{
    static char text[4096];
    FILE *f = fopen(path, "rb");
    size_t n;
    assert_non_null(f);
    n = fread(text, 1, sizeof(text) - 1, f);
    text[n] = '\0';
    fclose(f);
    return text;
}

static void remove_tree(const char *path)
{
    char cmd[4200];
    if (snprintf(cmd, sizeof(cmd), "chmod -R u+rwx '%s' 2>/dev/null; rm -rf '%s'", path, path) >=
        (int)sizeof(cmd))
        fail_msg("the path %s is too long for this test", path);
    assert_int_equal(system(cmd), 0);
}

static int setup(void **state)
{
    const char *tmp = getenv("TMPDIR");
    (void)state;
    snprintf(dir, sizeof(dir), "%s/facet-os-XXXXXX", tmp && tmp[0] == '/' ? tmp : "/tmp");
    if (mkdtemp(dir) == NULL)
        return -1;
    /* open to nobody, for the checks that run as nobody */
    return chmod(dir, 0755);
}

/* The environment as the test found it, put back after each test. */
static const char *const env_names[] = {"TMPDIR", "XDG_CACHE_HOME", "HOME"};
static char *env_saved[3];

static void env_restore(void)
{
    size_t i;
    for (i = 0; i < 3; i++) {
        if (env_saved[i] != NULL)
            setenv(env_names[i], env_saved[i], 1);
        else
            unsetenv(env_names[i]);
    }
}

static int teardown(void **state)
{
    (void)state;
    env_restore();
    remove_tree(dir);
    assert_int_equal(facet_testing_live_allocations(), 0);
    return 0;
}

/* ---- Refusals ------------------------------------------------------------- */

typedef FacetResult (*Call)(const char *path);

/* Runs call(path) as a user the permissions stop: this process, unless it
 * is root; then a child that became nobody. *code and message get what it
 * said. 0 when no such user can be had. */
static int as_unprivileged(Call call, const char *path, FacetResult *code, char *message,
                           size_t size)
{
    int fds[2], status;
    pid_t pid;
    ssize_t n;
    if (geteuid() != 0) {
        *code = call(path);
        snprintf(message, size, "%s", facet_last_error());
        return 1;
    }
    assert_int_equal(pipe(fds), 0);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        char out[2048];
        FacetResult r;
        close(fds[0]);
        if (setgid(65534) != 0 || setuid(65534) != 0)
            _exit(77);
        r = call(path);
        snprintf(out, sizeof(out), "%d %s", (int)r, facet_last_error());
        if (write(fds[1], out, strlen(out)) < 0)
            _exit(1);
        _exit(0);
    }
    close(fds[1]);
    n = read(fds[0], message, size - 1);
    close(fds[0]);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 77)
        return 0;
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    assert_true(n > 0);
    message[n] = '\0';
    *code = (FacetResult)strtol(message, NULL, 10);
    memmove(message, strchr(message, ' ') + 1, strlen(strchr(message, ' ')));
    return 1;
}

#define expect_refused(call, path, code, ...)                                            \
    do {                                                                                 \
        FacetResult c_;                                                                  \
        char m_[2048];                                                                   \
        const char *says_[] = {__VA_ARGS__, NULL};                                       \
        size_t i_;                                                                       \
        if (!as_unprivileged(call, path, &c_, m_, sizeof(m_))) {                         \
            skip_msg_("running as root, and cannot become nobody to be refused");         \
            break;                                                                       \
        }                                                                                \
        assert_int_equal(c_, code);                                                      \
        for (i_ = 0; says_[i_] != NULL; i_++)                                            \
            if (strstr(m_, says_[i_]) == NULL)                                           \
                fail_msg("\"%s\" is not in \"%s\"", says_[i_], m_);                      \
    } while (0)

static void skip_msg_(const char *why)
{
    print_message("SKIPPED: %s\n", why);
}

static FacetResult call_stat(const char *path)
{
    FacetOsStat st;
    return facet__os_stat(&st, path);
}

static FacetResult call_open(const char *path)
{
    FacetOsFile f;
    FacetResult r = facet__os_file_open(&f, path);
    if (FACET_SUCCEEDED(r))
        facet__os_file_close(&f);
    return r;
}

static FacetResult count_entry(void *payload, const char *name)
{
    (void)name;
    ++*(int *)payload;
    return FACET_OK;
}

static FacetResult call_list(const char *path)
{
    int n = 0;
    return facet__os_dir_each(path, count_entry, &n);
}

static FacetResult call_replace(const char *path)
{
    return facet__os_write_replace(path, "new", 3);
}

static FacetResult call_mkdir(const char *path)
{
    FacetResult r = facet__os_mkdir(path);
    if (FACET_SUCCEEDED(r))
        rmdir(path);
    return r;
}

/* ---- stat ----------------------------------------------------------------- */

static void test_os_posix__stat(void **state)
{
    FacetOsStat st;
    struct stat sys;
    char longname[300];
    (void)state;
    write_text(at("file"), "twelve bytes");
    assert_int_equal(mkdir(at("sub"), 0755), 0);
    assert_int_equal(mkfifo(at("fifo"), 0644), 0);
    assert_int_equal(symlink("file", at("link")), 0);
    assert_int_equal(symlink("nowhere", at("dangling")), 0);

    assert_int_equal(facet__os_stat(&st, at("file")), FACET_OK);
    assert_int_equal(st.kind, FACET_OS_FILE);
    assert_int_equal(st.size, 12);
    assert_int_equal(stat(at("file"), &sys), 0);
    assert_int_equal(st.inode, sys.st_ino);
    assert_int_equal(st.device, sys.st_dev);
    assert_true(st.mtime_ns / 1000000000 == (int64_t)sys.st_mtime);
    /* a link is followed */
    assert_int_equal(facet__os_stat(&st, at("link")), FACET_OK);
    assert_int_equal(st.kind, FACET_OS_FILE);
    assert_int_equal(st.inode, sys.st_ino);
    assert_int_equal(facet__os_stat(&st, at("sub")), FACET_OK);
    assert_int_equal(st.kind, FACET_OS_DIRECTORY);
    assert_int_equal(facet__os_stat(&st, at("fifo")), FACET_OK);
    assert_int_equal(st.kind, FACET_OS_OTHER);
    /* not there, however it is not there: no error */
    assert_int_equal(facet__os_stat(&st, at("missing")), FACET_OK);
    assert_int_equal(st.kind, FACET_OS_MISSING);
    assert_int_equal(facet__os_stat(&st, at("dangling")), FACET_OK);
    assert_int_equal(st.kind, FACET_OS_MISSING);
    assert_int_equal(facet__os_stat(&st, at("file/below")), FACET_OK); /* ENOTDIR */
    assert_int_equal(st.kind, FACET_OS_MISSING);
    /* a name longer than a file system takes is an error that says so */
    memset(longname, 'n', 299);
    longname[299] = '\0';
    expect_error(facet__os_stat(&st, at(longname)), FACET_E_FAIL, "stat failed",
                 strerror(ENAMETOOLONG));
    assert_int_equal(st.kind, FACET_OS_MISSING);
    /* a folder that may not be searched */
    write_text(at("sub/inside"), "x");
    assert_int_equal(chmod(at("sub"), 0600), 0);
    expect_refused(call_stat, at("sub/inside"), FACET_E_ACCESSDENIED, "sub/inside",
                   "permission denied (stat)");
    assert_int_equal(chmod(at("sub"), 0755), 0);
    expect_refused(call_stat, at("sub/inside"), FACET_OK, "");
    /* an injected failure */
    facet_testing_fail(FACET_FAULT_FILE, 1, 0);
    expect_error(facet__os_stat(&st, at("file")), FACET_E_FAIL, "file: stat failed",
                 strerror(EIO));
    facet_testing_fail(FACET_FAULT_FILE, 0, 0);
}

/* ---- Opening and reading -------------------------------------------------- */

static void test_os_posix__open(void **state)
{
    FacetOsFile f;
    char buf[64];
    uint64_t got;
    struct sockaddr_un addr;
    int sock;
    (void)state;
    write_text(at("file"), "0123456789");
    assert_int_equal(symlink("file", at("link")), 0);
    assert_int_equal(symlink("loop2", at("loop1")), 0);
    assert_int_equal(symlink("loop1", at("loop2")), 0);
    assert_int_equal(mkdir(at("sub"), 0755), 0);
    assert_int_equal(symlink("sub", at("sublink")), 0);
    assert_int_equal(mkfifo(at("fifo"), 0644), 0);

    assert_int_equal(facet__os_file_open(&f, at("link")), FACET_OK);
    assert_int_equal(f.size, 10);
    assert_true(f.handle >= 0);
    assert_int_equal(facet__os_file_read(&f, 3, buf, 4, &got), FACET_OK);
    assert_int_equal(got, 4);
    assert_memory_equal(buf, "3456", 4);
    assert_int_equal(facet__os_file_read(&f, 8, buf, 10, &got), FACET_OK);
    assert_int_equal(got, 2);
    assert_int_equal(facet__os_file_read(&f, 100, buf, 10, &got), FACET_OK);
    assert_int_equal(got, 0);
    facet_testing_fail(FACET_FAULT_FILE, 1, 0);
    expect_error(facet__os_file_read(&f, 0, buf, 4, &got), FACET_E_FAIL, "link: read failed",
                 strerror(EIO));
    facet_testing_fail(FACET_FAULT_FILE, 0, 0);
    facet__os_file_close(&f);
    assert_int_equal(f.handle, -1);
    facet__os_file_close(&f); /* twice is harmless */
    /* reading what is closed */
    expect_error(facet__os_file_read(&f, 0, buf, 4, &got), FACET_E_FAIL, "link: read failed",
                 strerror(EBADF));

    expect_error(facet__os_file_open(&f, at("missing")), FACET_E_FILENOTFOUND, "missing",
                 "no such file (open)");
    assert_int_equal(f.handle, -1);
    expect_error(facet__os_file_open(&f, at("file/below")), FACET_E_FILENOTFOUND,
                 "no such file (open)");
    expect_error(facet__os_file_open(&f, at("loop1")), FACET_E_FAIL, "loop1: open failed",
                 strerror(ELOOP));
    expect_error(facet__os_file_open(&f, at("sub")), FACET_E_NOTAFILE, "sub: a directory, not a "
                                                                      "regular file");
    expect_error(facet__os_file_open(&f, at("sublink")), FACET_E_NOTAFILE, "a directory");
    expect_error(facet__os_file_open(&f, at("fifo")), FACET_E_NOTAFILE,
                 "fifo: a FIFO (named pipe), not a regular file");
    expect_error(facet__os_file_open(&f, "/dev/null"), FACET_E_NOTAFILE,
                 "/dev/null: a character device");
    /* a socket cannot be opened at all: what it is is still said */
    sock = socket(AF_UNIX, SOCK_STREAM, 0);
    assert_true(sock >= 0);
    memset(&addr, 0, sizeof(addr));
    addr.sun_family = AF_UNIX;
    if (strlen(at("sock")) < sizeof(addr.sun_path)) {
        snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", at("sock"));
        assert_int_equal(bind(sock, (struct sockaddr *)&addr, sizeof(addr)), 0);
        expect_error(facet__os_file_open(&f, at("sock")), FACET_E_NOTAFILE,
                     "sock: a socket, not a regular file");
    }
    close(sock);
    /* a file that may not be read */
    write_text(at("secret"), "x");
    assert_int_equal(chmod(at("secret"), 0), 0);
    expect_refused(call_open, at("secret"), FACET_E_ACCESSDENIED, "secret",
                   "permission denied (open)");
    assert_int_equal(chmod(at("secret"), 0644), 0);
    expect_refused(call_open, at("secret"), FACET_OK, "");
    facet_testing_fail(FACET_FAULT_FILE, 1, 0);
    expect_error(facet__os_file_open(&f, at("file")), FACET_E_FAIL, "file: open failed");
    facet_testing_fail(FACET_FAULT_FILE, 0, 0);
}

static void test_os_posix__read_all(void **state)
{
    char *text = NULL;
    uint64_t size = 0;
    FacetOsStat meta;
    (void)state;
    write_text(at("file"), "{\"a\": 1}");
    assert_int_equal(facet__file_read_all(&text, &size, &meta, at("file"), 100), FACET_OK);
    assert_string_equal(text, "{\"a\": 1}");
    assert_int_equal(size, 8);
    assert_int_equal(meta.kind, FACET_OS_FILE);
    assert_int_equal(meta.size, 8);
    facet__free(text);
    expect_error(facet__file_read_all(&text, &size, NULL, at("file"), 4), FACET_E_INVALIDARG,
                 "file: 8 bytes, larger than the limit of 4 bytes");
    assert_null(text);
    facet_testing_fail(FACET_FAULT_ALLOC, 1, 0);
    expect_error(facet__file_read_all(&text, &size, NULL, at("file"), 100), FACET_E_OUTOFMEMORY,
                 "file: out of memory reading 8 bytes");
    facet_testing_fail(FACET_FAULT_ALLOC, 0, 0);
    assert_null(text);
    /* a read that fails after the open */
    facet_testing_fail(FACET_FAULT_FILE, 2, 0);
    expect_error(facet__file_read_all(&text, &size, NULL, at("file"), 100), FACET_E_FAIL,
                 "file: read failed");
    facet_testing_fail(FACET_FAULT_FILE, 0, 0);
    assert_null(text);
    assert_int_equal(size, 0);
    expect_error(facet__file_read_all(&text, &size, NULL, at("missing"), 100),
                 FACET_E_FILENOTFOUND, "missing");
    assert_null(text);
}

/* ---- Folders -------------------------------------------------------------- */

typedef struct Names {
    char seen[16][64];
    int count;
    int stop_at; /* fail on this entry; 0: never */
} Names;

static FacetResult collect(void *payload, const char *name)
{
    Names *n = payload;
    if (n->count < 16)
        snprintf(n->seen[n->count], sizeof(n->seen[0]), "%s", name);
    if (++n->count == n->stop_at)
        return facet__error(FACET_E_ABORT, "stopped at %s", name);
    return FACET_OK;
}

static int listed(const Names *n, const char *name)
{
    int i;
    for (i = 0; i < n->count && i < 16; i++)
        if (strcmp(n->seen[i], name) == 0)
            return 1;
    return 0;
}

static void test_os_posix__folders(void **state)
{
    Names names;
    (void)state;
    assert_int_equal(facet__os_mkdir(at("d")), FACET_OK);
    write_text(at("d/a"), "");
    write_text(at("d/.hidden"), "");
    assert_int_equal(facet__os_mkdir(at("d/sub")), FACET_OK);
    memset(&names, 0, sizeof(names));
    assert_int_equal(facet__os_dir_each(at("d"), collect, &names), FACET_OK);
    assert_int_equal(names.count, 3); /* never . or .. */
    assert_true(listed(&names, "a") && listed(&names, ".hidden") && listed(&names, "sub"));
    /* the callback's failure ends the walk and is returned */
    memset(&names, 0, sizeof(names));
    names.stop_at = 2;
    expect_error(facet__os_dir_each(at("d"), collect, &names), FACET_E_ABORT, "stopped at");
    assert_int_equal(names.count, 2);

    expect_error(facet__os_dir_each(at("missing"), collect, &names), FACET_E_FILENOTFOUND,
                 "missing: no such file (opendir)");
    expect_error(facet__os_dir_each(at("d/a"), collect, &names), FACET_E_FILENOTFOUND,
                 "d/a: no such file (opendir)");
    assert_int_equal(chmod(at("d"), 0300), 0);
    expect_refused(call_list, at("d"), FACET_E_ACCESSDENIED, "permission denied (opendir)");
    assert_int_equal(chmod(at("d"), 0755), 0);
    expect_refused(call_list, at("d"), FACET_OK, "");
    facet_testing_fail(FACET_FAULT_FILE, 1, 0);
    expect_error(facet__os_dir_each(at("d"), collect, &names), FACET_E_FAIL, "opendir failed");
    facet_testing_fail(FACET_FAULT_FILE, 0, 0);

    /* mkdir */
    expect_error(facet__os_mkdir(at("d")), FACET_E_FAIL, "d: mkdir failed", strerror(EEXIST));
    expect_error(facet__os_mkdir(at("none/d")), FACET_E_FILENOTFOUND, "no such file (mkdir)");
    assert_int_equal(chmod(at("d"), 0555), 0);
    expect_refused(call_mkdir, at("d/new"), FACET_E_ACCESSDENIED, "d/new: permission denied "
                                                                  "(mkdir)");
    assert_int_equal(chmod(at("d"), 0777), 0);
    expect_refused(call_mkdir, at("d/new"), FACET_OK, "");
    facet_testing_fail(FACET_FAULT_FILE, 1, 0);
    expect_error(facet__os_mkdir(at("e")), FACET_E_FAIL, "e: mkdir failed");
    facet_testing_fail(FACET_FAULT_FILE, 0, 0);
    assert_int_equal(access(at("e"), F_OK), -1);

    /* removal */
    facet__os_remove_file(at("d/a"));
    assert_int_equal(access(at("d/a"), F_OK), -1);
    facet__os_remove_folder(at("d/sub"));
    assert_int_equal(access(at("d/sub"), F_OK), -1);
    facet__os_remove_folder(at("d")); /* not empty: stays */
    assert_int_equal(access(at("d"), F_OK), 0);
}

/* ---- realpath ------------------------------------------------------------- */

static void test_os_posix__realpath(void **state)
{
    char *real = NULL, *expected;
    (void)state;
    write_text(at("file"), "x");
    assert_int_equal(mkdir(at("sub"), 0755), 0);
    assert_int_equal(symlink("../file", at("sub/up")), 0);
    expected = realpath(at("file"), NULL);
    assert_non_null(expected);
    assert_int_equal(facet__os_realpath(&real, at("sub/./up")), FACET_OK);
    assert_string_equal(real, expected);
    facet__free(real);
    expect_error(facet__os_realpath(&real, at("sub/missing")), FACET_E_FILENOTFOUND,
                 "sub/missing: no such file (realpath)");
    assert_null(real);
    facet_testing_fail(FACET_FAULT_ALLOC, 1, 0);
    expect_error(facet__os_realpath(&real, at("file")), FACET_E_OUTOFMEMORY, "out of memory");
    facet_testing_fail(FACET_FAULT_ALLOC, 0, 0);
    assert_null(real);
    facet_testing_fail(FACET_FAULT_FILE, 1, 0);
    expect_error(facet__os_realpath(&real, at("file")), FACET_E_FAIL, "realpath failed");
    facet_testing_fail(FACET_FAULT_FILE, 0, 0);
    free(expected);
}

/* ---- Copies and atomic replacement ---------------------------------------- */

static void test_os_posix__copy(void **state)
{
    struct stat st;
    char big[40000];
    size_t i;
    FILE *f;
    (void)state;
    /* more than one buffer's worth */
    for (i = 0; i < sizeof(big); i++)
        big[i] = (char)('a' + i % 26);
    f = fopen(at("from"), "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(big, 1, sizeof(big), f), sizeof(big));
    fclose(f);
    assert_int_equal(facet__os_copy_file(at("from"), at("to")), FACET_OK);
    assert_int_equal(stat(at("to"), &st), 0);
    assert_int_equal(st.st_size, sizeof(big));
    assert_int_equal(st.st_mode & 0777, 0700);
    assert_memory_equal(read_text(at("to")), big, 4095);

    expect_error(facet__os_copy_file(at("from"), at("to")), FACET_E_CONFLICT,
                 "to: the file is there already");
    expect_error(facet__os_copy_file(at("missing"), at("to2")), FACET_E_FILENOTFOUND,
                 "missing: no such file (open)");
    assert_int_equal(access(at("to2"), F_OK), -1);
    expect_error(facet__os_copy_file(at("from"), at("none/to")), FACET_E_FILENOTFOUND,
                 "none/to: no such file (create)");
    /* a folder opens, and fails at the first read: the error names the
     * folder, and the half-made copy is gone */
    assert_int_equal(mkdir(at("sub"), 0755), 0);
    expect_error(facet__os_copy_file(at("sub"), at("to3")), FACET_E_NOTAFILE,
                 "sub: is a directory, expected a file (read)");
    assert_int_equal(access(at("to3"), F_OK), -1);
    facet_testing_fail(FACET_FAULT_FILE, 1, 0);
    expect_error(facet__os_copy_file(at("from"), at("to4")), FACET_E_FAIL, "copy failed");
    facet_testing_fail(FACET_FAULT_FILE, 0, 0);
    assert_int_equal(access(at("to4"), F_OK), -1);
}

static void test_os_posix__write_replace(void **state)
{
    Names names;
    (void)state;
    assert_int_equal(facet__os_write_replace(at("f"), "first", 5), FACET_OK);
    assert_string_equal(read_text(at("f")), "first");
    assert_int_equal(facet__os_write_replace(at("f"), "second", 6), FACET_OK);
    assert_string_equal(read_text(at("f")), "second");
    assert_int_equal(facet__os_write_replace(at("empty"), "", 0), FACET_OK);
    assert_string_equal(read_text(at("empty")), "");
    /* a link at the name is replaced, not written through */
    write_text(at("target"), "untouched");
    assert_int_equal(symlink("target", at("link")), 0);
    assert_int_equal(facet__os_write_replace(at("link"), "replaced", 8), FACET_OK);
    assert_string_equal(read_text(at("target")), "untouched");
    assert_string_equal(read_text(at("link")), "replaced");
    /* a folder at the name: written, not renamed over, and the temporary file goes */
    assert_int_equal(mkdir(at("sub"), 0755), 0);
    expect_error(facet__os_write_replace(at("sub"), "x", 1), FACET_E_NOTAFILE, "sub: cannot replace "
                                                                          "it with",
                 ".new", strerror(EISDIR));
    memset(&names, 0, sizeof(names));
    assert_int_equal(facet__os_dir_each(dir, collect, &names), FACET_OK);
    assert_int_equal(names.count, 5); /* f, empty, target, link, sub */
    /* a folder that is not there */
    expect_error(facet__os_write_replace(at("none/f"), "x", 1), FACET_E_FILENOTFOUND, "none/f: cannot "
                                                                              "create",
                 strerror(ENOENT));
    /* one that may not be written */
    assert_int_equal(chmod(at("sub"), 0555), 0);
    expect_refused(call_replace, at("sub/f"), FACET_E_ACCESSDENIED, "sub/f: cannot create",
                   strerror(EACCES));
    assert_int_equal(chmod(at("sub"), 0777), 0);
    expect_refused(call_replace, at("sub/f"), FACET_OK, "");
    facet_testing_fail(FACET_FAULT_FILE, 1, 0);
    expect_error(facet__os_write_replace(at("f"), "third", 5), FACET_E_FAIL, "f: cannot create",
                 strerror(EIO));
    facet_testing_fail(FACET_FAULT_FILE, 0, 0);
    assert_string_equal(read_text(at("f")), "second");
    facet_testing_fail(FACET_FAULT_ALLOC, 1, 0);
    expect_error(facet__os_write_replace(at("f"), "third", 5), FACET_E_OUTOFMEMORY, "f: out of "
                                                                                    "memory");
    facet_testing_fail(FACET_FAULT_ALLOC, 0, 0);
    assert_string_equal(read_text(at("f")), "second");
}

/* ---- Libraries ------------------------------------------------------------ */

static void test_os_posix__libraries(void **state)
{
    FacetOsLibrary lib = NULL;
    (void)state;
    assert_int_equal(facet__os_lib_open(&lib, FACET_TEST_LIBRARY), FACET_OK);
    assert_non_null(lib);
    assert_non_null(facet__os_lib_sym(lib, "facet_module_entry"));
    assert_null(facet__os_lib_sym(lib, "no_such_symbol"));
    facet_testing_fail(FACET_FAULT_LOADER, 1, 0);
    assert_null(facet__os_lib_sym(lib, "facet_module_entry"));
    facet_testing_fail(FACET_FAULT_LOADER, 0, 0);
    facet__os_lib_close(lib);
    facet__os_lib_close(NULL);

    expect_error(facet__os_lib_open(&lib, at("missing.so")), FACET_E_LOADFAILED,
                 "missing.so: dlopen failed: ", "missing.so");
    assert_null(lib);
    write_text(at("text.so"), "not a library");
    expect_error(facet__os_lib_open(&lib, at("text.so")), FACET_E_LOADFAILED,
                 "text.so: dlopen failed: ");
    facet_testing_fail(FACET_FAULT_LOADER, 1, 0);
    expect_error(facet__os_lib_open(&lib, FACET_TEST_LIBRARY), FACET_E_LOADFAILED,
                 "dlopen failed: injected fault");
    facet_testing_fail(FACET_FAULT_LOADER, 0, 0);
    assert_null(lib);
}

/* ---- Folders of the user and the program ---------------------------------- */

/* Sets an environment variable for a test, NULL to unset it. */
static void set_env(const char *name, const char *value)
{
    if (value != NULL)
        assert_int_equal(setenv(name, value, 1), 0);
    else
        assert_int_equal(unsetenv(name), 0);
}

static void test_os_posix__user_cache(void **state)
{
    char *out = NULL;
    (void)state;
    set_env("XDG_CACHE_HOME", "/somewhere/cache");
    set_env("HOME", "/home/someone");
    assert_int_equal(facet__os_user_cache(&out), FACET_OK);
    assert_string_equal(out, "/somewhere/cache");
    facet__free(out);
    /* a relative XDG_CACHE_HOME is ignored */
    set_env("XDG_CACHE_HOME", "relative/cache");
    assert_int_equal(facet__os_user_cache(&out), FACET_OK);
    assert_string_equal(out, "/home/someone/.cache");
    facet__free(out);
    set_env("XDG_CACHE_HOME", NULL);
    facet_testing_fail(FACET_FAULT_ALLOC, 1, 0);
    expect_error(facet__os_user_cache(&out), FACET_E_OUTOFMEMORY, "out of memory");
    facet_testing_fail(FACET_FAULT_ALLOC, 0, 0);
    assert_null(out);
    set_env("HOME", "");
    expect_error(facet__os_user_cache(&out), FACET_E_NOTFOUND,
                 "no cache folder: neither XDG_CACHE_HOME nor HOME is an absolute path");
    assert_null(out);
}

static void test_os_posix__private_folder(void **state)
{
    char out[4200], small[16];
    struct stat st;
    (void)state;
    set_env("TMPDIR", dir);
    assert_int_equal(facet__os_private_folder(out, sizeof(out)), FACET_OK);
    assert_memory_equal(out, dir, strlen(dir));
    assert_int_equal(strncmp(out + strlen(dir), "/facet-", 7), 0);
    assert_int_equal(stat(out, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    assert_int_equal(st.st_mode & 0777, 0700);
    assert_int_equal(rmdir(out), 0);
    /* a relative TMPDIR is passed over: /tmp is next */
    set_env("TMPDIR", "relative");
    assert_int_equal(facet__os_private_folder(out, sizeof(out)), FACET_OK);
    assert_int_equal(strncmp(out, "/tmp/facet-", 11), 0);
    assert_int_equal(rmdir(out), 0);
    /* no room for any of the names: each place tried is named, and why */
    set_env("TMPDIR", dir);
    set_env("XDG_CACHE_HOME", "/nonexistent-cache");
    set_env("HOME", dir);
    expect_error(facet__os_private_folder(small, sizeof(small)), FACET_E_FAIL,
                 "no folder for private copies of modules: tried ", dir, ", /tmp, ",
                 "/nonexistent-cache", "/.cache", strerror(ENAMETOOLONG));
    assert_string_equal(small, "");
    facet_testing_fail(FACET_FAULT_FILE, 1, 0);
    expect_error(facet__os_private_folder(out, sizeof(out)), FACET_E_FAIL, "mkdtemp failed");
    facet_testing_fail(FACET_FAULT_FILE, 0, 0);
}

static void test_os_posix__program_path(void **state)
{
    char out[4096], small[8];
    const char *base;
    (void)state;
    assert_int_equal(facet__os_program_path(out, sizeof(out)), FACET_OK);
    base = strrchr(out, '/');
    assert_non_null(base);
    assert_string_equal(base + 1, "test_os_posix");
    assert_int_equal(access(out, X_OK), 0);
    expect_error(facet__os_program_path(small, sizeof(small)), FACET_E_FAIL, "/proc/self/exe",
                 "readlink failed", strerror(ENAMETOOLONG));
}

/* ---- Random bytes, threads, time ------------------------------------------ */

static void test_os_posix__random(void **state)
{
    unsigned char a[32], b[32], zero[32] = {0};
    (void)state;
    memset(a, 0, sizeof(a));
    memset(b, 0, sizeof(b));
    assert_int_equal(facet__os_random(a, sizeof(a)), FACET_OK);
    assert_int_equal(facet__os_random(b, sizeof(b)), FACET_OK);
    assert_memory_not_equal(a, zero, sizeof(a));
    assert_memory_not_equal(a, b, sizeof(a));
    assert_int_equal(facet__os_random(a, 0), FACET_OK);
}

typedef struct Work {
    int ran;
    uint64_t thread;
} Work;

static void work(void *arg)
{
    Work *w = arg;
    w->ran++;
    w->thread = facet__os_thread_id();
}

static void test_os_posix__threads(void **state)
{
    FacetOsThread t;
    Work w = {0, 0};
    FacetOsRwlock lock;
    uint64_t t0 = facet__os_now_ms();
    (void)state;
    assert_int_equal(facet__os_thread_start(&t, work, &w), FACET_OK);
    facet__os_thread_join(&t);
    assert_null(t.handle);
    facet__os_thread_join(&t); /* twice is harmless */
    assert_int_equal(w.ran, 1);
    assert_true(w.thread != 0 && w.thread != facet__os_thread_id());
    assert_int_equal(facet__os_thread_id(), facet__os_thread_id());
    assert_int_equal(facet__os_process_id(), (uint64_t)getpid());
    /* no memory for the thread: it never runs */
    facet_testing_fail(FACET_FAULT_ALLOC, 2, 0);
    expect_error(facet__os_thread_start(&t, work, &w), FACET_E_OUTOFMEMORY, "out of memory for a "
                                                                            "thread");
    facet_testing_fail(FACET_FAULT_ALLOC, 0, 0);
    assert_null(t.handle);
    facet__os_thread_join(&t);
    assert_int_equal(w.ran, 1);
    /* the lock, taken both ways */
    assert_int_equal(facet__os_rwlock_init(&lock), FACET_OK);
    facet__os_rwlock_rdlock(&lock);
    facet__os_rwlock_rdlock(&lock);
    facet__os_rwlock_rdunlock(&lock);
    facet__os_rwlock_rdunlock(&lock);
    facet__os_rwlock_wrlock(&lock);
    facet__os_rwlock_wrunlock(&lock);
    facet__os_rwlock_destroy(&lock);
    facet__os_yield();
    assert_true(facet__os_now_ms() >= t0);
}

int main(void)
{
    size_t i;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_os_posix__stat, setup, teardown),
        cmocka_unit_test_setup_teardown(test_os_posix__open, setup, teardown),
        cmocka_unit_test_setup_teardown(test_os_posix__read_all, setup, teardown),
        cmocka_unit_test_setup_teardown(test_os_posix__folders, setup, teardown),
        cmocka_unit_test_setup_teardown(test_os_posix__realpath, setup, teardown),
        cmocka_unit_test_setup_teardown(test_os_posix__copy, setup, teardown),
        cmocka_unit_test_setup_teardown(test_os_posix__write_replace, setup, teardown),
        cmocka_unit_test_setup_teardown(test_os_posix__libraries, setup, teardown),
        cmocka_unit_test_setup_teardown(test_os_posix__user_cache, setup, teardown),
        cmocka_unit_test_setup_teardown(test_os_posix__private_folder, setup, teardown),
        cmocka_unit_test_setup_teardown(test_os_posix__program_path, setup, teardown),
        cmocka_unit_test_setup_teardown(test_os_posix__random, setup, teardown),
        cmocka_unit_test_setup_teardown(test_os_posix__threads, setup, teardown),
    };
    for (i = 0; i < 3; i++)
        env_saved[i] = getenv(env_names[i]) ? strdup(getenv(env_names[i])) : NULL;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
