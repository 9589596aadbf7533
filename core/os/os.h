/*
 * core/os/os.h - the platform layer. core/os/posix.c and core/os/win32.c
 * implement the same names; nothing else in core/ includes a system header
 * that differs between them.
 */
#ifndef FACET_CORE_OS_H
#define FACET_CORE_OS_H

#include <stddef.h>
#include <stdint.h>

#include "base/base.h"

#ifdef _WIN32
typedef struct FacetOsRwlock {
    void *srw; /* SRWLOCK */
} FacetOsRwlock;
#define FACET_OS_RWLOCK_INIT {NULL} /* SRWLOCK_INIT */
#else
#include <pthread.h>
typedef struct FacetOsRwlock {
    pthread_rwlock_t rw;
} FacetOsRwlock;
#define FACET_OS_RWLOCK_INIT {PTHREAD_RWLOCK_INITIALIZER}
#endif

typedef void *FacetOsLibrary;

/* What a path names. */
#define FACET_OS_MISSING 0u
#define FACET_OS_FILE 1u
#define FACET_OS_DIRECTORY 2u
#define FACET_OS_OTHER 3u

typedef struct FacetOsStat {
    uint32_t kind;       /* FACET_OS_* */
    uint64_t size;
    int64_t mtime_ns;
    uint64_t inode;      /* the file's number on its device (Windows: its file index) */
    uint64_t device;     /* the device (Windows: the volume's serial number); with
                          * inode, which file this is, whatever its name */
} FacetOsStat;

/* Each function that fails sets the thread's last error (naming path) and
 * returns its code. */
FACET_INTERNAL FacetResult facet__os_stat(FacetOsStat *out, const char *path);
/* An open file for reading. path is kept only for messages. */
typedef struct FacetOsFile {
    intptr_t handle;
    const char *path;
    uint64_t size;       /* when it was opened */
    int64_t mtime_ns;    /* its modification time then, ns since 1970 */
    uint64_t inode;      /* as in FacetOsStat */
    uint64_t device;
} FacetOsFile;

/* Opens a regular file for reading; every file libfacet reads is opened
 * here. It opens without waiting and looks at what it opened, so a FIFO, a
 * socket, a device or a folder (also behind a link) is refused with
 * FACET_E_NOTAFILE, naming path and what it is, before anything is read
 * and without blocking: a FIFO in a plugin folder must not hang a scan. */
FACET_INTERNAL FacetResult facet__os_file_open(FacetOsFile *out, const char *path);
/* One read of up to len bytes at offset; *got 0 means end of file. */
FACET_INTERNAL FacetResult facet__os_file_read(FacetOsFile *f, uint64_t offset, void *buf,
                                               uint64_t len, uint64_t *got);
FACET_INTERNAL void facet__os_file_close(FacetOsFile *f);
/* The path of the running program's file, into out (size bytes). */
FacetResult facet__os_program_path(char *out, size_t size);
/* An absolute path with links resolved, from facet__malloc. */
FACET_INTERNAL FacetResult facet__os_realpath(char **out, const char *path);
/* Writes size bytes of data to path in one step: to a new file next to
 * it, created for this call alone (never through a link planted there),
 * then renamed over path (rename on POSIX; MoveFileExW on Windows, every
 * path as UTF-16). A reader sees the old file or the new one, whole. */
FACET_INTERNAL FacetResult facet__os_write_replace(const char *path, const void *data,
                                                   size_t size);

/* Calls fn with the name of each entry of folder dir (not "." or ".."), in
 * the order the system lists them, until fn returns a failure, which is
 * returned. */
typedef FacetResult (*FacetOsDirFn)(void *payload, const char *name);
FACET_INTERNAL FacetResult facet__os_dir_each(const char *dir, FacetOsDirFn fn, void *payload);

FACET_INTERNAL FacetResult facet__os_lib_open(FacetOsLibrary *out, const char *path);
void *facet__os_lib_sym(FacetOsLibrary lib, const char *name);
FACET_INTERNAL void facet__os_lib_close(FacetOsLibrary lib);

/* ---- Private copies of libraries ---- */

/* Nonzero where the file of a loaded library may be removed while it stays
 * loaded (POSIX); on Windows it may be removed only after it is unloaded. */
#ifdef _WIN32
#define FACET_OS_REMOVE_LOADED 0
#else
#define FACET_OS_REMOVE_LOADED 1
#endif

/* Makes a new folder of this process's own, under the user's temporary
 * folder (or cache folder, where the temporary one may not hold code that
 * runs), and writes its path to out (size bytes). */
FacetResult facet__os_private_folder(char *out, size_t size);
FacetResult facet__os_mkdir(const char *path);
/* The user's cache folder, from facet__malloc: $XDG_CACHE_HOME, else
 * $HOME/.cache (POSIX); %LOCALAPPDATA% (Windows). FACET_E_NOTFOUND when
 * the environment names none. */
FACET_INTERNAL FacetResult facet__os_user_cache(char **out);
/* Copies the file from to to, a new file (FACET_E_CONFLICT if it exists). */
FacetResult facet__os_copy_file(const char *from, const char *to);
/* Remove a file, or an empty folder, if they can; quiet. */
void facet__os_remove_file(const char *path);
void facet__os_remove_folder(const char *path);

FacetResult facet__os_rwlock_init(FacetOsRwlock *l);
void facet__os_rwlock_destroy(FacetOsRwlock *l);
void facet__os_rwlock_rdlock(FacetOsRwlock *l);
void facet__os_rwlock_wrlock(FacetOsRwlock *l);
void facet__os_rwlock_rdunlock(FacetOsRwlock *l);
void facet__os_rwlock_wrunlock(FacetOsRwlock *l);
FACET_INTERNAL void facet__os_yield(void);
/* An id of the calling thread, unique among live threads. */
uint64_t facet__os_thread_id(void);
/* The id of this process (a child made by fork has its own). */
uint64_t facet__os_process_id(void);
/* size bytes from the system's cryptographic random source. */
FacetResult facet__os_random(void *out, size_t size);

/* A thread that runs fn(arg); facet__os_thread_join waits for it and
 * gives back what it held. libfacet-check's threads are these too. */
typedef struct FacetOsThread {
    void *handle;
} FacetOsThread;

FACET_INTERNAL FacetResult facet__os_thread_start(FacetOsThread *out, void (*fn)(void *),
                                                  void *arg);
FACET_INTERNAL void facet__os_thread_join(FacetOsThread *t);

/* ---- Outbound TCP (net_posix.c, net_win32.c) ---- */

/* Resolves host and connects to port, trying each address in turn; the
 * connected socket (a file descriptor, a SOCKET on Windows), which does
 * not pass to programs the process starts, in *out. FACET_E_NOTFOUND for
 * a name that does not resolve, FACET_E_FAIL when no address takes the
 * connection; the message names host:port. */
FACET_INTERNAL FacetResult facet__os_tcp_connect(uint64_t *out, const char *host, uint16_t port);
FACET_INTERNAL void facet__os_socket_close(uint64_t socket);
#ifdef _WIN32
/* Starts Winsock in this process, once (it stays started): 0, or the
 * error WSAStartup gave. Every use of a socket needs it first. */
FACET_INTERNAL int facet__os_net_start(void);
#endif

/* Milliseconds of a clock that only goes forward. */
FACET_INTERNAL uint64_t facet__os_now_ms(void);

#ifdef _WIN32
/* UTF-8 paths to the UTF-16 that every *W call of Windows takes, and
 * back: every path reaches the system through these, so a name outside
 * the ANSI code page works (facet__malloc; FACET_E_INVALIDARG for text
 * that is not UTF-8). */
FACET_INTERNAL FacetResult facet__win_widen(wchar_t **out, const char *s);
FACET_INTERNAL char *facet__win_narrow(const wchar_t *w);
/* Appends arg and a space to the command line cmd (*len bytes so far),
 * quoted the way CommandLineToArgvW reads it back; cmd has room for
 * 2 * strlen(arg) + 3 more bytes. */
FACET_INTERNAL void facet__win_quote_arg(char *cmd, size_t *len, const char *arg);
/* CreateProcessW of a child made suspended and without a window, which
 * inherits handles[0..n) alone (a handle list), or every inheritable
 * handle where the system refuses a list. si is a STARTUPINFOW, pi a
 * PROCESS_INFORMATION. Nonzero when it is made; else GetLastError says
 * why. */
FACET_INTERNAL int facet__win_create_process(const wchar_t *exe, wchar_t *cmd, void *si,
                                             void *const *handles, unsigned n, void *pi);
#endif

/* ---- Files (os/file.c) ---------------------------------------------------- */

/* Reads up to len bytes at offset of an open file, as many reads as it
 * takes; *got is what was read (short only at the end of the file). */
FacetResult facet__file_read(FacetOsFile *f, uint64_t offset, void *buf, uint64_t len,
                             uint64_t *got);
/* Reads a whole file of at most max_size bytes into a NUL-terminated buffer
 * from facet__malloc. FACET_E_NOTAFILE for anything but a regular file
 * (facet__os_file_open). meta, when not NULL, gets the size and time of
 * the file as it was opened. */
FACET_INTERNAL FacetResult facet__file_read_all(char **out, uint64_t *size, FacetOsStat *meta,
                                               const char *path, uint64_t max_size);


#endif /* FACET_CORE_OS_H */
