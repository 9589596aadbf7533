/*
 * core/internal.h - what the files of libfacet share. Not installed.
 *
 * Internal non-static functions are named facet__name().
 */
#ifndef FACET_CORE_INTERNAL_H
#define FACET_CORE_INTERNAL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "facet/facet.h"
#include "facet/testing.h"
#include "os/os.h"

/* uthash allocates through the runtime allocator and survives running out
 * of memory: a failed add leaves the table as it was and sets the flag. */
extern int facet__hash_oom;
#define HASH_NONFATAL_OOM 1
#define uthash_malloc(sz) facet__malloc(sz)
#define uthash_free(ptr, sz) facet__free(ptr)
#define uthash_nonfatal_oom(obj) (facet__hash_oom = 1)
#include <uthash.h>

/* ---- Atomics (GCC, Clang and MinGW builtins; MSVC Interlocked) --------- */

#if defined(_MSC_VER) && !defined(__clang__)
#include <intrin.h>
#define facet__atomic_inc32(p) ((uint32_t)_InterlockedIncrement((volatile long *)(p)))
#define facet__atomic_dec32(p) ((uint32_t)_InterlockedDecrement((volatile long *)(p)))
#define facet__atomic_load32(p) ((uint32_t)_InterlockedOr((volatile long *)(p), 0))
#define facet__atomic_add64(p, v) ((uint64_t)_InterlockedExchangeAdd64((volatile __int64 *)(p), (__int64)(v)) + (v))
#define facet__atomic_load64(p) ((uint64_t)_InterlockedOr64((volatile __int64 *)(p), 0))
#define facet__atomic_store64(p, v) ((void)_InterlockedExchange64((volatile __int64 *)(p), (__int64)(v)))
#else
#define facet__atomic_inc32(p) __atomic_add_fetch((p), 1u, __ATOMIC_ACQ_REL)
#define facet__atomic_dec32(p) __atomic_sub_fetch((p), 1u, __ATOMIC_ACQ_REL)
#define facet__atomic_load32(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define facet__atomic_add64(p, v) __atomic_add_fetch((p), (v), __ATOMIC_SEQ_CST)
#define facet__atomic_load64(p) __atomic_load_n((p), __ATOMIC_SEQ_CST)
#define facet__atomic_store64(p, v) __atomic_store_n((p), (v), __ATOMIC_SEQ_CST)
#endif

/* ---- Errors (error.c) -------------------------------------------------- */

/* MinGW builds use its C99 printf (__USE_MINGW_ANSI_STDIO), so %zu and %llu
 * are checked as GNU formats there. */
#if defined(__MINGW32__)
#define FACET_PRINTF(f, a) __attribute__((format(gnu_printf, f, a)))
#elif defined(__GNUC__)
#define FACET_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define FACET_PRINTF(f, a)
#endif

/* Sets this thread's last error to code and a printf-style message, and
 * returns code, so a failure path reads `return facet__error(...)`. */
FacetResult facet__error(FacetResult code, const char *fmt, ...) FACET_PRINTF(2, 3);
FacetResult facet__verror(FacetResult code, const char *fmt, va_list ap);

/* Prepends "prefix: " to this thread's last message, keeping its code. */
FacetResult facet__error_prefix(const char *fmt, ...) FACET_PRINTF(1, 2);

/* Checks a required pointer argument of a public function. */
#define FACET_CHECK_ARG(arg, fn)                                                       \
    do {                                                                               \
        if ((arg) == NULL)                                                             \
            return facet__error(FACET_E_POINTER, "%s: argument '%s' is NULL", fn, #arg); \
    } while (0)

/* ---- Memory (alloc.c) -------------------------------------------------- */

/* Every byte the runtime allocates goes through these, so that a test can
 * fail any one allocation (facet_testing_fail) and count what is live. */
void *facet__malloc(size_t size);
void *facet__calloc(size_t count, size_t size);
void *facet__realloc(void *p, size_t size);
void facet__free(void *p);
char *facet__strdup(const char *s);
char *facet__strndup(const char *s, size_t n);

/* Decides whether the next call of kind fails (fault injection). */
int facet__fault(uint32_t kind);

/* Blocks handed out since the process began. */
uint64_t facet__total_allocations(void);

/* ---- Blobs and strings (blob.c) ---------------------------------------- */

FacetResult facet__blob_new(IFacetBlob **out, const void *data, uint64_t size);
FacetResult facet__string_new(IFacetString **out, const char *text, uint64_t length);
/* Nonzero when the n bytes at s are well-formed UTF-8. */
int facet__utf8_valid(const char *s, size_t n);

/* ---- Files (file.c) ---------------------------------------------------- */

/* Reads up to len bytes at offset; *got is what was read (short at EOF). */
FacetResult facet__file_read_at(const char *path, uint64_t offset, void *buf, uint64_t len,
                                uint64_t *got);
/* Reads a whole file of at most max_size bytes into a NUL-terminated buffer
 * from facet__malloc. FACET_E_NOTAFILE for a directory or device. */
FacetResult facet__file_read_all(char **out, uint64_t *size, const char *path, uint64_t max_size);

/* ---- Module images (image.c) ------------------------------------------- */

/* What a file's first bytes say it is. */
typedef struct FacetImageInfo {
    const char *format;   /* "ELF", "PE", "Mach-O" */
    const char *machine;  /* "x86_64", "aarch64", "i386", ... */
    uint32_t bits;        /* 32 or 64 */
} FacetImageInfo;

/* Reads up to len bytes at offset into buf; returns bytes read, or -1. */
typedef int64_t (*FacetImageReadFn)(void *payload, uint64_t offset, void *buf, uint64_t len);

/* Checks that the image of file_size bytes that read gives is a shared
 * library for the machine this code runs on. Sets an error naming `name`:
 * FACET_E_EMPTYFILE, FACET_E_NOTLIBRARY, FACET_E_TRUNCATED, FACET_E_WRONGARCH. */
FacetResult facet__image_check(FacetImageInfo *out, const char *name, uint64_t file_size,
                               FacetImageReadFn read, void *payload);

/* The machine this code was built for, as image.c names machines. */
const char *facet__image_host_machine(void);

/* ---- Runtime, modules and registry ------------------------------------- */

typedef struct FacetHostObject FacetHostObject;
typedef struct FacetClassEntry FacetClassEntry;

#define FACET_MODULE_LOADED 0u  /* registered, held by the host */
#define FACET_MODULE_WAITING 1u /* let go of; unloads when CanUnload says so */

struct FacetModule {
    FacetRuntime *rt;
    char *path;                 /* canonical path */
    FacetOsLibrary lib;
    IFacetFactory *factory;
    FacetHostObject *host;      /* the host object this module was handed */
    FacetModuleInfo info;       /* strings borrowed from the module */
    uint32_t holds;             /* facet_module_load minus facet_module_unload */
    uint32_t state;             /* FACET_MODULE_* */
    uint32_t busy;              /* calls into the factory under way (atomic) */
    uint32_t class_count;
    FacetClassEntry *classes;   /* class_count entries */
    FacetModule *next;          /* rt->modules list */
};

struct FacetClassEntry {
    FacetGuid clsid;
    const char *contract;       /* borrowed from the module */
    const char *version;
    uint32_t threading;
    FacetModule *module;
    UT_hash_handle hh_clsid;
    UT_hash_handle hh_name;
};

struct FacetRuntime {
    uint32_t refs;              /* the host's hold + one per module (atomic) */
    uint32_t api_level;
    uint32_t log_level;
    FacetLogFn log;
    void *log_payload;
    uint64_t main_thread;       /* the thread that made the runtime */
    FacetOsRwlock lock;         /* guards modules and the registry tables */
    FacetOsRwlock load_lock;    /* serialises loading and unloading */
    FacetModule *modules;
    FacetClassEntry *by_clsid;  /* uthash table, guarded by lock */
    FacetClassEntry *by_name;   /* uthash table, guarded by lock */
    FacetHostObject *host;      /* the runtime's own host object */
};

void facet__runtime_addref(FacetRuntime *rt);
void facet__runtime_release(FacetRuntime *rt);
void facet__runtime_log(FacetRuntime *rt, uint32_t level, const char *module,
                        const char *message);

/* registry.c: callers hold rt->lock (write for add/remove, read for find). */
FacetResult facet__registry_add_module(FacetRuntime *rt, FacetModule *m);
void facet__registry_remove_module(FacetRuntime *rt, FacetModule *m);
FacetClassEntry *facet__registry_find_clsid(FacetRuntime *rt, const FacetGuid *clsid);
FacetClassEntry *facet__registry_find_name(FacetRuntime *rt, const char *name);
uint32_t facet__registry_count(FacetRuntime *rt);

/* host.c: the host object handed to a module (module NULL: the runtime's). */
FacetResult facet__host_new(FacetHostObject **out, FacetRuntime *rt, FacetModule *module);
IFacetUnknown *facet__host_unknown(FacetHostObject *host);
/* Drops the runtime's hold on a host object. */
void facet__host_release(FacetHostObject *host);

/* loader.c */
FacetResult facet__module_open(FacetModule **out, FacetRuntime *rt, const char *path);
void facet__module_close(FacetModule *m);

/* The name a message uses for a path: its last component. */
const char *facet__basename(const char *path);

#endif /* FACET_CORE_INTERNAL_H */
