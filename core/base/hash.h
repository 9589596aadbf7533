/*
 * core/base/hash.h - uthash, as every table of libfacet uses it: through
 * the runtime allocator, and surviving out of memory. Include it instead
 * of <uthash.h>.
 */
#ifndef FACET_CORE_BASE_HASH_H
#define FACET_CORE_BASE_HASH_H

#include <string.h>

#include "base.h"

/* A failed add leaves the table as it was and sets a flag. The flag is the
 * calling thread's: runtimes on other threads add to their own tables at
 * the same time, and one must not clear another's failure. Each library
 * that includes this defines it once, hidden: libfacet in alloc.c,
 * libfacet-check in check/probe_cache.c. */
extern FACET_THREAD_LOCAL int facet__hash_oom;
#define HASH_NONFATAL_OOM 1
#define uthash_malloc(sz) facet__malloc(sz)
#define uthash_free(ptr, sz) facet__free(ptr)
#define uthash_nonfatal_oom(obj) (facet__hash_oom = 1)

/* The hash of every table: eight bytes at a time, each word folded in with
 * a multiply and its high half folded back, where uthash's default
 * (Bob Jenkins's lookup2, twelve bytes a round) spends about a
 * hundred instructions on a 16-byte clsid or a 20-byte contract name. The
 * keys are clsids, contract names and aliases: short, and never seen by
 * another process, so the value may differ between builds and byte
 * orders. A tail of 4 to 7 bytes is read as two overlapping 4-byte words,
 * one of 1 to 3 bytes as its first, middle and last byte. */
static __inline uint32_t facet__hash_word32(const unsigned char *p)
{
    uint32_t w;
    memcpy(&w, p, 4);
    return w;
}

static __inline unsigned facet__hash_bytes(const void *key, size_t len)
{
    const unsigned char *p = (const unsigned char *)key;
    uint64_t h = 0x9E3779B97F4A7C15ull ^ (uint64_t)len, w;
    size_t n = len;
    for (; n >= 8; n -= 8, p += 8) {
        memcpy(&w, p, 8);
        h = (h ^ w) * 0xBF58476D1CE4E5B9ull;
        h ^= h >> 32;
    }
    if (n >= 4)
        w = (uint64_t)facet__hash_word32(p) << 32 | facet__hash_word32(p + n - 4);
    else if (n > 0)
        w = (uint64_t)p[0] << 16 | (uint64_t)p[n / 2] << 8 | p[n - 1];
    else
        w = 0;
    h = (h ^ w) * 0x94D049BB133111EBull;
    return (unsigned)(h ^ (h >> 32));
}

#define HASH_FUNCTION(keyptr, keylen, hashv) \
    ((hashv) = facet__hash_bytes((keyptr), (size_t)(keylen)))
#include <uthash.h>

/* Adds item to the table head through its handle hh, keyed by the len
 * bytes at key (which must stay valid while the item is in the table), as
 * HASH_ADD_KEYPTR does; oom becomes nonzero when it ran out of memory, and
 * the table is then as it was. Every add in libfacet goes through here. */
#define FACET_HASH_ADD(hh, head, key, len, item, oom)  \
    do {                                               \
        facet__hash_oom = 0;                           \
        HASH_ADD_KEYPTR(hh, head, key, len, item);     \
        (oom) = facet__hash_oom;                       \
    } while (0)

#endif /* FACET_CORE_BASE_HASH_H */
