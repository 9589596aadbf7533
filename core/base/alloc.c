/*
 * core/base/alloc.c - the one allocator of the runtime, with fault injection.
 *
 * Every allocation libfacet makes, and every one a module makes through
 * IFacetAllocator, comes through here. That is what lets a test fail the
 * nth allocation (facet_testing_fail) and check that nothing leaks.
 */
#include <stdlib.h>
#include <string.h>

#include "base.h"

/* Atomics throughout: a test may move the point of failure while other
 * threads allocate. */
typedef struct FacetFault {
    uint64_t nth;        /* 0: off */
    uint64_t calls;
    uint64_t failures;
    uint64_t persistent;
} FacetFault;

static FacetFault faults[FACET_FAULT_KINDS];

/* uthash's out-of-memory flag, the calling thread's (declared in hash.h,
 * which needs uthash: base itself does not). */
FACET_THREAD_LOCAL int facet__hash_oom;
static uint64_t live_allocations;
static uint64_t total_allocations;

void facet_testing_fail(uint32_t kind, uint64_t nth, int persistent)
{
    if (kind >= FACET_FAULT_KINDS)
        return;
    facet__atomic_store64(&faults[kind].nth, 0);
    facet__atomic_store64(&faults[kind].calls, 0);
    facet__atomic_store64(&faults[kind].failures, 0);
    facet__atomic_store64(&faults[kind].persistent, (uint64_t)(persistent != 0));
    facet__atomic_store64(&faults[kind].nth, nth);
}

uint64_t facet_testing_calls(uint32_t kind)
{
    return kind < FACET_FAULT_KINDS ? facet__atomic_load64(&faults[kind].calls) : 0;
}

uint64_t facet_testing_failures(uint32_t kind)
{
    return kind < FACET_FAULT_KINDS ? facet__atomic_load64(&faults[kind].failures)
                                    : 0;
}

uint64_t facet_testing_live_allocations(void)
{
    return facet__atomic_load64(&live_allocations);
}

int facet__fault(uint32_t kind)
{
    FacetFault *f = &faults[kind];
    uint64_t nth = facet__atomic_load64(&f->nth);
    uint64_t call = facet__atomic_add64(&f->calls, 1);
    if (nth == 0 || call < nth || (call > nth && !facet__atomic_load64(&f->persistent)))
        return 0;
    facet__atomic_add64(&f->failures, 1);
    return 1;
}

static void *counted(void *p)
{
    if (p != NULL) {
        facet__atomic_add64(&live_allocations, 1);
        facet__atomic_add64(&total_allocations, 1);
    }
    return p;
}

/* No object may be larger than PTRDIFF_MAX bytes (glibc refuses them too,
 * and sanitizers abort on them): such a request fails here. */
#define TOO_LARGE(size) ((size) > (size_t)PTRDIFF_MAX)

void *facet__malloc(size_t size)
{
    if (facet__fault(FACET_FAULT_ALLOC) || TOO_LARGE(size))
        return NULL;
    return counted(malloc(size ? size : 1));
}

void *facet__calloc(size_t count, size_t size)
{
    if (facet__fault(FACET_FAULT_ALLOC) || (size != 0 && count > (size_t)PTRDIFF_MAX / size))
        return NULL;
    return counted(calloc(count ? count : 1, size ? size : 1));
}

void *facet__realloc(void *p, size_t size)
{
    void *q;
    if (p == NULL)
        return facet__malloc(size);
    if (facet__fault(FACET_FAULT_ALLOC) || TOO_LARGE(size))
        return NULL;
    q = realloc(p, size ? size : 1);
    return q;
}

void facet__free(void *p)
{
    if (p == NULL)
        return;
    facet__atomic_add64(&live_allocations, (uint64_t)-1);
    free(p);
}

char *facet__strndup(const char *s, size_t n)
{
    char *d = facet__malloc(n + 1);
    if (d != NULL) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

char *facet__strdup(const char *s)
{
    return facet__strndup(s, strlen(s));
}

uint64_t facet__total_allocations(void)
{
    return facet__atomic_load64(&total_allocations);
}
