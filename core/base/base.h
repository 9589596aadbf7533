/*
 * core/base/base.h - the bottom layer of libfacet: nothing here knows of
 * modules, files or runtimes. Memory with fault injection, the thread's
 * last error, structs that grow, an arena, paths, UTF-8 and atomics.
 *
 * Every other layer builds on this one, and idl/ and tools/ use it too,
 * as the static library facet_base (docs/design.md). It needs the C
 * library and the public headers, nothing else. Not installed.
 *
 * Internal non-static functions are named facet__name().
 */
#ifndef FACET_CORE_BASE_H
#define FACET_CORE_BASE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "facet/facet.h"
#include "facet/testing.h"

#if defined(_MSC_VER) && !defined(__clang__)
#define FACET_THREAD_LOCAL __declspec(thread)
#else
#define FACET_THREAD_LOCAL __thread
#endif

/* An internal function that libfacet-check calls too: libfacet exports it,
 * but it is no part of the API (its facet__ name says so, and it may change
 * in any release: libfacet-check is built and installed with the libfacet
 * of its own version). Elsewhere (the static facet_base of idl/ and tools/)
 * it is an ordinary hidden function. */
#if defined(FACET_BUILDING_LIBRARY) && defined(_WIN32)
#define FACET_INTERNAL __declspec(dllexport)
#elif defined(FACET_BUILDING_LIBRARY) && (defined(__GNUC__) || defined(__clang__))
#define FACET_INTERNAL __attribute__((visibility("default")))
#else
#define FACET_INTERNAL
#endif

/* ---- Atomics (GCC, Clang and MinGW builtins; MSVC Interlocked) --------- */

#if defined(_MSC_VER) && !defined(__clang__)
#include <intrin.h>
#define facet__atomic_inc32(p) ((uint32_t)_InterlockedIncrement((volatile long *)(p)))
#define facet__atomic_dec32(p) ((uint32_t)_InterlockedDecrement((volatile long *)(p)))
#define facet__atomic_load32(p) ((uint32_t)_InterlockedOr((volatile long *)(p), 0))
#define facet__atomic_add64(p, v) ((uint64_t)_InterlockedExchangeAdd64((volatile __int64 *)(p), (__int64)(v)) + (v))
#define facet__atomic_load64(p) ((uint64_t)_InterlockedOr64((volatile __int64 *)(p), 0))
#define facet__atomic_store64(p, v) ((void)_InterlockedExchange64((volatile __int64 *)(p), (__int64)(v)))
#define facet__atomic_store32(p, v) ((void)_InterlockedExchange((volatile long *)(p), (long)(v)))
/* Sets *p to v if it holds *expected, else sets *expected to what it holds;
 * nonzero on success. */
static __inline int facet__atomic_cas32(uint32_t *p, uint32_t *expected, uint32_t v)
{
    uint32_t old = (uint32_t)_InterlockedCompareExchange((volatile long *)p, (long)v,
                                                         (long)*expected);
    if (old == *expected)
        return 1;
    *expected = old;
    return 0;
}
#else
#define facet__atomic_inc32(p) __atomic_add_fetch((p), 1u, __ATOMIC_ACQ_REL)
#define facet__atomic_dec32(p) __atomic_sub_fetch((p), 1u, __ATOMIC_ACQ_REL)
#define facet__atomic_load32(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define facet__atomic_add64(p, v) __atomic_add_fetch((p), (v), __ATOMIC_SEQ_CST)
#define facet__atomic_load64(p) __atomic_load_n((p), __ATOMIC_SEQ_CST)
#define facet__atomic_store64(p, v) __atomic_store_n((p), (v), __ATOMIC_SEQ_CST)
#define facet__atomic_store32(p, v) __atomic_store_n((p), (v), __ATOMIC_SEQ_CST)
#define facet__atomic_cas32(p, expected, v) \
    __atomic_compare_exchange_n((p), (expected), (v), 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)
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
FACET_INTERNAL FacetResult facet__error(FacetResult code, const char *fmt, ...) FACET_PRINTF(2, 3);
FACET_INTERNAL FacetResult facet__verror(FacetResult code, const char *fmt, va_list ap);

/* Prepends "prefix: " to this thread's last message, keeping its code. */
FACET_INTERNAL FacetResult facet__error_prefix(const char *fmt, ...) FACET_PRINTF(1, 2);

/* Writes "a -> b -> c -> a" into out for a cycle of count members, name
 * giving the ith of list; a long cycle by its first eight and last four
 * members and how many lie between. */
void facet__cycle_text(char *out, size_t size, uint32_t count,
                       const char *(*name)(const void *list, uint32_t i), const void *list);

/* Checks a required pointer argument of a public function. */
#define FACET_CHECK_ARG(arg, fn)                                                       \
    do {                                                                               \
        if ((arg) == NULL)                                                             \
            return facet__error(FACET_E_POINTER, "%s: argument '%s' is NULL", fn, #arg); \
    } while (0)

/* ---- Structs that grow (struct_size.c): rule 5 of abi.h ---------------- */

/* Reads the input struct in (NULL: nothing to read) over out, which holds
 * the defaults: as far as in's struct_size goes, at most the size bytes
 * this library knows. A field added later must also be checked against
 * the size read, in case a caller's size ends inside it.
 * FACET_E_STRUCTSIZE, naming fn, type and the sizes, below v1_size. */
FACET_INTERNAL FacetResult facet__struct_read(void *out, size_t size, const void *in,
                                              uint32_t v1_size, const char *fn,
                                              const char *type, const char *prefix);
/* Writes the filled struct from (size bytes) into out, as far as out's
 * struct_size allows, and sets out's struct_size to the bytes written.
 * FACET_E_STRUCTSIZE below v1_size, with out untouched. */
FACET_INTERNAL FacetResult facet__struct_write(void *out, const void *from, size_t size,
                                               uint32_t v1_size, const char *fn,
                                               const char *type, const char *prefix);

/* The same for a public struct TYPE whose macros start with PREFIX
 * (FacetRuntimeStats, FACET_RUNTIME_STATS): PREFIX##_V1_SIZE is the least. */
#define FACET_STRUCT_READ(out, in, TYPE, PREFIX, fn) \
    facet__struct_read((out), sizeof(TYPE), (in), PREFIX##_V1_SIZE, fn, #TYPE, #PREFIX)
#define FACET_STRUCT_WRITE(out, from, TYPE, PREFIX, fn) \
    facet__struct_write((out), (from), sizeof(TYPE), PREFIX##_V1_SIZE, fn, #TYPE, #PREFIX)

/* ---- Memory (alloc.c) -------------------------------------------------- */

/* Every byte the runtime allocates goes through these, so that a test can
 * fail any one allocation (facet_testing_fail) and count what is live. */
FACET_INTERNAL void *facet__malloc(size_t size);
FACET_INTERNAL void *facet__calloc(size_t count, size_t size);
FACET_INTERNAL void *facet__realloc(void *p, size_t size);
FACET_INTERNAL void facet__free(void *p);
FACET_INTERNAL char *facet__strdup(const char *s);
FACET_INTERNAL char *facet__strndup(const char *s, size_t n);

/* Decides whether the next call of kind fails (fault injection). */
FACET_INTERNAL int facet__fault(uint32_t kind);

/* Blocks handed out since the process began. */
uint64_t facet__total_allocations(void);

/* ---- Arenas (arena.c): many small blocks freed together ---------------- */

typedef struct FacetArena {
    struct FacetArenaChunk *chunks;
    size_t chunk_size;          /* 0: the default, 2 KiB */
} FacetArena;

/* A point to roll an arena back to, undoing what was allocated after it. */
typedef struct FacetArenaMark {
    struct FacetArenaChunk *chunk;
    size_t used;
} FacetArenaMark;

FacetArenaMark facet__arena_mark(const FacetArena *a);
void facet__arena_rollback(FacetArena *a, FacetArenaMark mark);

void *facet__arena_alloc(FacetArena *a, size_t size);
char *facet__arena_strdup(FacetArena *a, const char *s);
/* Makes the first chunk of an empty arena size bytes; 0 when out of memory. */
int facet__arena_reserve(FacetArena *a, size_t size);
void facet__arena_free(FacetArena *a);
/* facet__path_dirname and facet__path_join, in the arena. */
char *facet__arena_dirname(FacetArena *a, const char *path);
char *facet__arena_join(FacetArena *a, const char *dir, const char *name);

/* ---- UTF-8 (utf8.c) ---------------------------------------------------- *
 *
 * Making text that came from elsewhere (a module, a file name, a child's
 * output) valid UTF-8 before it goes into JSON, which cannot carry
 * anything else. */

/* What facet__utf8_repair does besides the encoding. */
#define FACET_UTF8_KEEP 0u    /* every well-formed character stays, NUL too */
#define FACET_UTF8_TEXT 1u    /* also NUL and control characters other than
                                 tab, line feed and carriage return (ESC, so a
                                 terminal escape is shown, not obeyed) */

/* The largest text facet__utf8_repair writes for n bytes: every byte may
 * become the three bytes of U+FFFD, and a NUL ends it. */
#define FACET_UTF8_REPAIRED_SIZE(n) ((n) * 3 + 1)

/* Copies the n bytes at in to out as valid UTF-8: each byte that does not
 * start a well-formed sequence (a stray continuation byte, a sequence cut
 * short, an overlong form, a surrogate, a code point past U+10FFFF) becomes
 * U+FFFD, the replacement character, and the bytes after it are read
 * afresh. out has room for FACET_UTF8_REPAIRED_SIZE(n) bytes and is
 * NUL-terminated. Returns the length written, without the NUL. */
FACET_INTERNAL size_t facet__utf8_repair(char *out, const char *in, size_t n, unsigned flags);

/* 1 when the n bytes at s are valid UTF-8 (a NUL is a character). */
FACET_INTERNAL int facet__utf8_valid(const char *s, size_t n);

/* A JSON string (jansson's json_t) of the n bytes at s, repaired as
 * FACET_UTF8_KEEP does when they are not UTF-8, so the record that holds
 * it is never lost for its text. NULL when out of memory. */
struct json_t;
FACET_INTERNAL struct json_t *facet__utf8_json(const char *s, size_t n);

#include "path.h"

#endif /* FACET_CORE_BASE_H */
