/*
 * core/base/hash.h - uthash, as every table of libfacet uses it: through
 * the runtime allocator, and surviving out of memory. Include it instead
 * of <uthash.h>.
 */
#ifndef FACET_CORE_BASE_HASH_H
#define FACET_CORE_BASE_HASH_H

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
