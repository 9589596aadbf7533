/*
 * core/alloc.c - the one allocator of the runtime, with fault injection.
 *
 * Every allocation libfacet makes, and every one a module makes through
 * IFacetAllocator, comes through here. That is what lets a test fail the
 * nth allocation (facet_testing_fail) and check that nothing leaks.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

typedef struct FacetFault {
    uint64_t nth;        /* 0: off */
    uint64_t calls;
    uint64_t failures;
    int persistent;
} FacetFault;

static FacetFault faults[FACET_FAULT_KINDS];
static uint64_t live_allocations;
static uint64_t total_allocations;

void facet_testing_fail(uint32_t kind, uint64_t nth, int persistent)
{
    if (kind >= FACET_FAULT_KINDS)
        return;
    __atomic_store_n(&faults[kind].nth, 0, __ATOMIC_SEQ_CST);
    __atomic_store_n(&faults[kind].calls, 0, __ATOMIC_SEQ_CST);
    __atomic_store_n(&faults[kind].failures, 0, __ATOMIC_SEQ_CST);
    faults[kind].persistent = persistent;
    __atomic_store_n(&faults[kind].nth, nth, __ATOMIC_SEQ_CST);
}

uint64_t facet_testing_calls(uint32_t kind)
{
    return kind < FACET_FAULT_KINDS ? __atomic_load_n(&faults[kind].calls, __ATOMIC_SEQ_CST) : 0;
}

uint64_t facet_testing_failures(uint32_t kind)
{
    return kind < FACET_FAULT_KINDS ? __atomic_load_n(&faults[kind].failures, __ATOMIC_SEQ_CST)
                                    : 0;
}

uint64_t facet_testing_live_allocations(void)
{
    return __atomic_load_n(&live_allocations, __ATOMIC_SEQ_CST);
}

int facet__fault(uint32_t kind)
{
    FacetFault *f = &faults[kind];
    uint64_t nth = __atomic_load_n(&f->nth, __ATOMIC_RELAXED);
    uint64_t call = __atomic_add_fetch(&f->calls, 1, __ATOMIC_RELAXED);
    if (nth == 0 || call < nth || (call > nth && !f->persistent))
        return 0;
    __atomic_add_fetch(&f->failures, 1, __ATOMIC_RELAXED);
    return 1;
}

static void *counted(void *p)
{
    if (p != NULL) {
        __atomic_add_fetch(&live_allocations, 1, __ATOMIC_RELAXED);
        __atomic_add_fetch(&total_allocations, 1, __ATOMIC_RELAXED);
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
    __atomic_sub_fetch(&live_allocations, 1, __ATOMIC_RELAXED);
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
    return __atomic_load_n(&total_allocations, __ATOMIC_RELAXED);
}
