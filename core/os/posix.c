/*
 * core/os/posix.c - the platform layer on Linux, macOS and the BSDs.
 */
#ifndef _WIN32

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>
#if defined(__APPLE__)
#include <mach-o/dyld.h>
#endif

#include "os.h"

/* The code an errno stands for where one says more than FACET_E_FAIL. */
static FacetResult errno_code(int err)
{
    if (err == ENOENT || err == ENOTDIR)
        return FACET_E_FILENOTFOUND;
    if (err == EACCES || err == EPERM || err == EROFS)
        return FACET_E_ACCESSDENIED;
    if (err == ENOMEM)
        return FACET_E_OUTOFMEMORY;
    if (err == EISDIR)
        return FACET_E_NOTAFILE;
    return FACET_E_FAIL;
}

static FacetResult errno_error(int err, const char *path, const char *what)
{
    if (err == ENOENT || err == ENOTDIR)
        return facet__error(FACET_E_FILENOTFOUND, "%s: no such file (%s)", path, what);
    if (err == EACCES || err == EPERM)
        return facet__error(FACET_E_ACCESSDENIED, "%s: permission denied (%s)", path, what);
    if (err == ENOMEM)
        return facet__error(FACET_E_OUTOFMEMORY, "%s: out of memory (%s)", path, what);
    if (err == EISDIR)
        return facet__error(FACET_E_NOTAFILE, "%s: is a directory, expected a file (%s)", path,
                            what);
    return facet__error(FACET_E_FAIL, "%s: %s failed: %s", path, what, strerror(err));
}

/* A file's modification time in nanoseconds since 1970. */
static int64_t mtime_ns(const struct stat *st)
{
#if defined(__APPLE__)
    return (int64_t)st->st_mtimespec.tv_sec * 1000000000 + st->st_mtimespec.tv_nsec;
#else
    return (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
#endif
}

FacetResult facet__os_stat(FacetOsStat *out, const char *path)
{
    struct stat st;
    memset(out, 0, sizeof(*out));
    if (facet__fault(FACET_FAULT_FILE))
        return errno_error(EIO, path, "stat");
    if (stat(path, &st) != 0) {
        if (errno == ENOENT || errno == ENOTDIR) {
            out->kind = FACET_OS_MISSING;
            return FACET_OK;
        }
        return errno_error(errno, path, "stat");
    }
    out->kind = S_ISREG(st.st_mode) ? FACET_OS_FILE
                : S_ISDIR(st.st_mode) ? FACET_OS_DIRECTORY
                                      : FACET_OS_OTHER;
    out->size = (uint64_t)st.st_size;
    out->mtime_ns = mtime_ns(&st);
    out->inode = (uint64_t)st.st_ino;
    out->device = (uint64_t)st.st_dev;
    return FACET_OK;
}

/* What a mode that is not a regular file's is, for a message. */
static const char *kind_name(mode_t mode)
{
    if (S_ISDIR(mode))
        return "a directory";
    if (S_ISFIFO(mode))
        return "a FIFO (named pipe)";
    if (S_ISSOCK(mode))
        return "a socket";
    if (S_ISCHR(mode))
        return "a character device";
    if (S_ISBLK(mode))
        return "a block device";
    return "a special file";
}

static FacetResult not_a_file(const char *path, mode_t mode)
{
    return facet__error(FACET_E_NOTAFILE, "%s: %s, not a regular file", path, kind_name(mode));
}

FacetResult facet__os_file_open(FacetOsFile *out, const char *path)
{
    struct stat st;
    FacetResult r = FACET_OK;
    int fd;
    out->handle = -1;
    out->path = path;
    out->size = 0;
    out->mtime_ns = 0;
    out->inode = out->device = 0;
    if (facet__fault(FACET_FAULT_FILE))
        return errno_error(EIO, path, "open");
    /* Open without waiting for a FIFO's writer (and without taking a
     * terminal as the controlling one), and look at what was opened: only
     * a regular file is read. One look, on what was opened, and no stat
     * before: a scan of 50,000 manifests pays for every system call. */
    do {
        fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) {
        int err = errno;
        /* A socket (or a device without its driver) cannot be opened:
         * say what it is. */
        if (err == ENXIO && stat(path, &st) == 0 && !S_ISREG(st.st_mode))
            return not_a_file(path, st.st_mode);
        return errno_error(err, path, "open");
    }
    if (fstat(fd, &st) != 0)
        r = errno_error(errno, path, "fstat");
    else if (!S_ISREG(st.st_mode))
        r = not_a_file(path, st.st_mode);
    if (FACET_FAILED(r)) {
        close(fd);
        return r;
    }
    out->handle = fd;
    out->size = (uint64_t)st.st_size;
    out->mtime_ns = mtime_ns(&st);
    out->inode = (uint64_t)st.st_ino;
    out->device = (uint64_t)st.st_dev;
    return FACET_OK;
}

FacetResult facet__os_file_read(FacetOsFile *f, uint64_t offset, void *buf, uint64_t len,
                                uint64_t *got)
{
    ssize_t n;
    int blocking = 0, err;
    *got = 0;
    if (len > (uint64_t)SSIZE_MAX)
        len = (uint64_t)SSIZE_MAX;
    for (;;) {
        if (facet__fault(FACET_FAULT_FILE))
            return errno_error(EIO, f->path, "read");
        n = pread((int)f->handle, buf, (size_t)len, (off_t)offset);
        if (n >= 0)
            break;
        err = errno;
        if (err == EINTR)
            continue;
        /* The file was opened with O_NONBLOCK, which a regular file's reads
         * ignore, unless its file system passes it on (FUSE): then it is
         * turned off, at the first read that it matters to. */
        if ((err == EAGAIN || err == EWOULDBLOCK) && !blocking &&
            fcntl((int)f->handle, F_SETFL, 0) == 0) {
            blocking = 1;
            continue;
        }
        return errno_error(err, f->path, "read");
    }
    *got = (uint64_t)n;
    return FACET_OK;
}

void facet__os_file_close(FacetOsFile *f)
{
    if (f->handle >= 0)
        close((int)f->handle);
    f->handle = -1;
}

FacetResult facet__os_realpath(char **out, const char *path)
{
    char *resolved;
    *out = NULL;
    if (facet__fault(FACET_FAULT_FILE))
        return errno_error(EIO, path, "realpath");
    resolved = realpath(path, NULL);
    if (resolved == NULL)
        return errno_error(errno, path, "realpath");
    *out = facet__strdup(resolved);
    free(resolved);
    if (*out == NULL)
        return facet__error(FACET_E_OUTOFMEMORY, "%s: out of memory", path);
    return FACET_OK;
}

FacetResult facet__os_lib_open(FacetOsLibrary *out, const char *path)
{
    const char *why;
    *out = NULL;
    if (facet__fault(FACET_FAULT_LOADER))
        return facet__error(FACET_E_LOADFAILED, "%s: dlopen failed: injected fault", path);
    *out = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (*out != NULL)
        return FACET_OK;
    why = dlerror();
    return facet__error(FACET_E_LOADFAILED, "%s: dlopen failed: %s", path,
                        why ? why : "no reason given");
}

void *facet__os_lib_sym(FacetOsLibrary lib, const char *name)
{
    if (facet__fault(FACET_FAULT_LOADER))
        return NULL;
    return dlsym(lib, name);
}

void facet__os_lib_close(FacetOsLibrary lib)
{
    if (lib != NULL)
        dlclose(lib);
}

FacetResult facet__os_rwlock_init(FacetOsRwlock *l)
{
    int err = pthread_rwlock_init(&l->rw, NULL);
    if (err == ENOMEM || err == EAGAIN)
        return facet__error(FACET_E_OUTOFMEMORY, "pthread_rwlock_init: out of resources");
    if (err != 0)
        return facet__error(FACET_E_FAIL, "pthread_rwlock_init: %s", strerror(err));
    return FACET_OK;
}

FacetResult facet__os_dir_each(const char *dir, FacetOsDirFn fn, void *payload)
{
    DIR *d;
    struct dirent *de;
    FacetResult r = FACET_OK;
    if (facet__fault(FACET_FAULT_FILE))
        return errno_error(EIO, dir, "opendir");
    d = opendir(dir);
    if (d == NULL)
        return errno_error(errno, dir, "opendir");
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.' &&
            (de->d_name[1] == '\0' || (de->d_name[1] == '.' && de->d_name[2] == '\0')))
            continue;
        r = fn(payload, de->d_name);
        if (FACET_FAILED(r))
            break;
    }
    closedir(d);
    return r;
}

void facet__os_rwlock_destroy(FacetOsRwlock *l) { pthread_rwlock_destroy(&l->rw); }
void facet__os_rwlock_rdlock(FacetOsRwlock *l) { pthread_rwlock_rdlock(&l->rw); }
void facet__os_rwlock_wrlock(FacetOsRwlock *l) { pthread_rwlock_wrlock(&l->rw); }
void facet__os_rwlock_rdunlock(FacetOsRwlock *l) { pthread_rwlock_unlock(&l->rw); }
void facet__os_rwlock_wrunlock(FacetOsRwlock *l) { pthread_rwlock_unlock(&l->rw); }
void facet__os_yield(void) { sched_yield(); }

uint64_t facet__os_thread_id(void)
{
    /* The address of a thread-local is unique among live threads and needs
     * no system call, unlike gettid; pthread_t is opaque. */
    static FACET_THREAD_LOCAL char marker;
    return (uint64_t)(uintptr_t)&marker;
}

uint64_t facet__os_process_id(void)
{
    return (uint64_t)getpid();
}

FacetResult facet__os_random(void *out, size_t size)
{
    unsigned char *p = out;
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno_error(errno, "/dev/urandom", "open");
    while (size > 0) {
        ssize_t n = read(fd, p, size);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            int err = n < 0 ? errno : EIO;
            close(fd);
            return errno_error(err, "/dev/urandom", "read");
        }
        p += n;
        size -= (size_t)n;
    }
    close(fd);
    return FACET_OK;
}

/* ---- Private copies of libraries --------------------------------------- */

/* Whether code may run from files in dir: not on a file system mounted
 * noexec, as /tmp often is on hardened systems. */
static int runs_code(const char *dir)
{
#ifdef ST_NOEXEC
    struct statvfs vfs;
    if (statvfs(dir, &vfs) == 0 && (vfs.f_flag & ST_NOEXEC))
        return 0;
#else
    (void)dir;
#endif
    return 1;
}

FacetResult facet__os_private_folder(char *out, size_t size)
{
    const char *env[] = {getenv("TMPDIR"), "/tmp", getenv("XDG_CACHE_HOME"), getenv("HOME")};
    char tried[1024] = "";
    size_t used = 0, i;
    int err = ENOENT;

    if (facet__fault(FACET_FAULT_FILE))
        return errno_error(EIO, "the temporary folder", "mkdtemp");
    for (i = 0; i < sizeof(env) / sizeof(env[0]); i++) {
        struct stat st;
        char base[4096];
        int n;
        if (env[i] == NULL || env[i][0] != '/')
            continue;
        snprintf(base, sizeof(base), "%s%s", env[i], i == 3 ? "/.cache" : "");
        n = snprintf(tried + used, sizeof(tried) - used, "%s%s", used ? ", " : "", base);
        used += n > 0 && (size_t)n < sizeof(tried) - used ? (size_t)n : 0;
        if (stat(base, &st) != 0 || !S_ISDIR(st.st_mode))
            continue;
        if (!runs_code(base)) {
            err = EACCES;
            continue;
        }
        if ((size_t)snprintf(out, size, "%s/facet-XXXXXX", base) >= size) {
            err = ENAMETOOLONG;
            continue;
        }
        if (mkdtemp(out) != NULL)
            return FACET_OK;
        err = errno;
    }
    out[0] = '\0';
    return facet__error(err == EACCES || err == EPERM ? FACET_E_ACCESSDENIED : FACET_E_FAIL,
                        "no folder for private copies of modules: tried %s (%s)", tried,
                        err == EACCES ? "mounted noexec, or not writable" : strerror(err));
}

FacetResult facet__os_user_cache(char **out)
{
    const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    *out = NULL;
    /* The XDG rule: a relative $XDG_CACHE_HOME is ignored. */
    if (xdg != NULL && xdg[0] == '/')
        *out = facet__strdup(xdg);
    else if (home != NULL && home[0] == '/')
        *out = facet__path_join(home, ".cache");
    else
        return facet__error(FACET_E_NOTFOUND,
                            "no cache folder: neither XDG_CACHE_HOME nor HOME is an absolute path");
    return *out != NULL ? FACET_OK : facet__error(FACET_E_OUTOFMEMORY, "out of memory");
}

FacetResult facet__os_mkdir(const char *path)
{
    if (facet__fault(FACET_FAULT_FILE))
        return errno_error(EIO, path, "mkdir");
    if (mkdir(path, 0700) != 0)
        return errno_error(errno, path, "mkdir");
    return FACET_OK;
}

/* Writes all n bytes of buf to fd. */
static int write_all(int fd, const char *buf, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, buf, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        buf += w;
        n -= (size_t)w;
    }
    return 0;
}

FacetResult facet__os_copy_file(const char *from, const char *to)
{
    char buf[16384];
    int in, out, err = 0;
    ssize_t n;

    if (facet__fault(FACET_FAULT_FILE))
        return errno_error(EIO, from, "copy");
    do {
        in = open(from, O_RDONLY | O_CLOEXEC);
    } while (in < 0 && errno == EINTR);
    if (in < 0)
        return errno_error(errno, from, "open");
    out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0700);
    if (out < 0) {
        err = errno;
        close(in);
        if (err == EEXIST)
            return facet__error(FACET_E_CONFLICT, "%s: the file is there already", to);
        return errno_error(err, to, "create");
    }
    for (;;) {
        n = read(in, buf, sizeof(buf));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            err = errno;
            break;
        }
        if (n == 0)
            break;
        if (write_all(out, buf, (size_t)n) != 0) {
            err = errno ? errno : EIO;
            break;
        }
    }
    close(in);
    if (close(out) != 0 && err == 0)
        err = errno;
    if (err == 0)
        return FACET_OK;
    unlink(to);
    /* a read fails on the source, a write on the copy */
    return n < 0 ? errno_error(err, from, "read") : errno_error(err, to, "write");
}

FacetResult facet__os_write_replace(const char *path, const void *data, size_t size)
{
    static unsigned long seq;
    struct timespec ts;
    size_t n = strlen(path) + 40, done = 0;
    char *tmp = facet__malloc(n);
    FacetResult r = FACET_OK;
    int fd = -1, tries;
    if (tmp == NULL)
        return facet__error(FACET_E_OUTOFMEMORY, "%s: out of memory", path);
    clock_gettime(CLOCK_MONOTONIC, &ts);
    /* A name of our own, created exclusively: O_EXCL fails on anything
     * already there, a link planted under the name included. */
    for (tries = 0; fd < 0 && tries < 100; tries++) {
        snprintf(tmp, n, "%s.%ld.%lu.new", path, (long)getpid(),
                 __atomic_add_fetch(&seq, 1, __ATOMIC_RELAXED) + (unsigned long)ts.tv_nsec * 7919u);
        fd = facet__fault(FACET_FAULT_FILE)
                 ? (errno = EIO, -1)
                 : open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
        if (fd < 0 && errno != EEXIST)
            break;
    }
    if (fd < 0) {
        r = facet__error(errno_code(errno), "%s: cannot create %s: %s", path, tmp, strerror(errno));
        facet__free(tmp);
        return r;
    }
    while (done < size) {
        ssize_t w = write(fd, (const char *)data + done, size - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            r = facet__error(FACET_E_FAIL, "%s: cannot write %s: %s", path, tmp,
                             strerror(w < 0 ? errno : EIO));
            break;
        }
        done += (size_t)w;
    }
    if (close(fd) != 0 && FACET_SUCCEEDED(r))
        r = facet__error(FACET_E_FAIL, "%s: cannot write %s: %s", path, tmp, strerror(errno));
    if (FACET_SUCCEEDED(r) && rename(tmp, path) != 0)
        r = facet__error(errno_code(errno), "%s: cannot replace it with %s: %s", path, tmp,
                         strerror(errno));
    if (FACET_FAILED(r))
        unlink(tmp);
    facet__free(tmp);
    return r;
}

void facet__os_remove_file(const char *path)
{
    unlink(path);
}

void facet__os_remove_folder(const char *path)
{
    rmdir(path);
}

#endif /* !_WIN32 */

FacetResult facet__os_program_path(char *out, size_t size)
{
#if defined(__APPLE__)
    uint32_t n = (uint32_t)size;
    if (_NSGetExecutablePath(out, &n) == 0)
        return FACET_OK;
    return facet__error(FACET_E_FAIL, "the program's path does not fit in %zu bytes", size);
#elif defined(__linux__)
    ssize_t n = readlink("/proc/self/exe", out, size - 1);
    if (n <= 0 || (size_t)n >= size - 1)
        return errno_error(n < 0 ? errno : ENAMETOOLONG, "/proc/self/exe", "readlink");
    out[n] = '\0';
    return FACET_OK;
#else
    (void)out;
    (void)size;
    return facet__error(FACET_E_NOTIMPL, "this system does not say where the program is");
#endif
}

/* ---- Threads and time --------------------------------------------------- */

uint64_t facet__os_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

typedef struct Start {
    void (*fn)(void *);
    void *arg;
} Start;

static void *thread_main(void *p)
{
    Start s = *(Start *)p;
    facet__free(p);
    s.fn(s.arg);
    return NULL;
}

FacetResult facet__os_thread_start(FacetOsThread *out, void (*fn)(void *), void *arg)
{
    pthread_t *t = facet__malloc(sizeof(*t));
    Start *s = facet__malloc(sizeof(*s));
    int err;
    out->handle = NULL;
    if (t == NULL || s == NULL) {
        facet__free(t);
        facet__free(s);
        return facet__error(FACET_E_OUTOFMEMORY, "out of memory for a thread");
    }
    s->fn = fn;
    s->arg = arg;
    err = pthread_create(t, NULL, thread_main, s);
    if (err != 0) {
        facet__free(t);
        facet__free(s);
        return facet__error(FACET_E_FAIL, "pthread_create: %s", strerror(err));
    }
    out->handle = t;
    return FACET_OK;
}

void facet__os_thread_join(FacetOsThread *t)
{
    if (t->handle == NULL)
        return;
    pthread_join(*(pthread_t *)t->handle, NULL);
    facet__free(t->handle);
    t->handle = NULL;
}
