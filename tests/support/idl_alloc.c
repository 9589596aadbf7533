/*
 * tests/support/idl_alloc.c - the counting allocator of idl_alloc.h.
 */
#include <stdlib.h>

#include "idl_alloc.h"

static int should_fail(TestIdlAlloc *c)
{
    uint64_t n = ++c->calls;
    if (c->fail_at == 0 || n < c->fail_at || (n > c->fail_at && !c->persistent))
        return 0;
    c->failures++;
    return 1;
}

static void *count_alloc(size_t size, void *payload)
{
    TestIdlAlloc *c = payload;
    void *p;
    if (should_fail(c))
        return NULL;
    p = malloc(size);
    if (p)
        c->live++;
    return p;
}

static void *count_resize(void *p, size_t size, void *payload)
{
    TestIdlAlloc *c = payload;
    void *q;
    if (should_fail(c))
        return NULL;
    q = realloc(p, size);
    if (q && !p)
        c->live++;
    return q;
}

static void count_release(void *p, void *payload)
{
    TestIdlAlloc *c = payload;
    if (p) {
        c->live--;
        free(p);
    }
}

facet_idl_allocator test_idl_alloc(TestIdlAlloc *c)
{
    facet_idl_allocator a;
    a.alloc = count_alloc;
    a.resize = count_resize;
    a.release = count_release;
    a.payload = c;
    return a;
}
