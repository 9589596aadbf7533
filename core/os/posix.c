/*
 * core/os/posix.c - the platform layer on Linux, macOS and the BSDs.
 */
#ifndef _WIN32

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../internal.h"

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
#if defined(__APPLE__)
    out->mtime_ns = (int64_t)st.st_mtimespec.tv_sec * 1000000000 + st.st_mtimespec.tv_nsec;
#else
    out->mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
#endif
    return FACET_OK;
}

static FacetResult open_read(int *fd, const char *path)
{
    if (facet__fault(FACET_FAULT_FILE))
        return errno_error(EIO, path, "open");
    do {
        *fd = open(path, O_RDONLY | O_CLOEXEC);
    } while (*fd < 0 && errno == EINTR);
    return *fd < 0 ? errno_error(errno, path, "open") : FACET_OK;
}

static FacetResult read_fd(int fd, const char *path, uint64_t offset, void *buf, uint64_t len,
                           uint64_t *got)
{
    *got = 0;
    while (*got < len) {
        ssize_t n;
        if (facet__fault(FACET_FAULT_FILE))
            return errno_error(EIO, path, "read");
        n = pread(fd, (char *)buf + *got, (size_t)(len - *got), (off_t)(offset + *got));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return errno_error(errno, path, "read");
        if (n == 0)
            break;
        *got += (uint64_t)n;
    }
    return FACET_OK;
}

FacetResult facet__os_read_at(const char *path, uint64_t offset, void *buf, uint64_t len,
                              uint64_t *got)
{
    int fd;
    FacetResult r = open_read(&fd, path);
    *got = 0;
    if (FACET_FAILED(r))
        return r;
    r = read_fd(fd, path, offset, buf, len, got);
    close(fd);
    return r;
}

FacetResult facet__os_read_file(char **out, uint64_t *size, const char *path, uint64_t max_size)
{
    struct stat st;
    int fd;
    char *buf;
    uint64_t got;
    FacetResult r;

    *out = NULL;
    *size = 0;
    r = open_read(&fd, path);
    if (FACET_FAILED(r))
        return r;
    if (facet__fault(FACET_FAULT_FILE) || fstat(fd, &st) != 0) {
        r = errno_error(errno ? errno : EIO, path, "stat");
        close(fd);
        return r;
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return facet__error(FACET_E_NOTAFILE, "%s: not a regular file", path);
    }
    if ((uint64_t)st.st_size > max_size) {
        close(fd);
        return facet__error(FACET_E_INVALIDARG,
                            "%s: %llu bytes, larger than the limit of %llu bytes", path,
                            (unsigned long long)st.st_size, (unsigned long long)max_size);
    }
    buf = facet__malloc((size_t)st.st_size + 1);
    if (buf == NULL) {
        close(fd);
        return facet__error(FACET_E_OUTOFMEMORY, "%s: out of memory reading %llu bytes", path,
                            (unsigned long long)st.st_size);
    }
    r = read_fd(fd, path, 0, buf, (uint64_t)st.st_size, &got);
    close(fd);
    if (FACET_FAILED(r)) {
        facet__free(buf);
        return r;
    }
    buf[got] = '\0';
    *out = buf;
    *size = got;
    return FACET_OK;
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

#endif /* !_WIN32 */
