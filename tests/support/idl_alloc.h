/*
 * tests/support/idl_alloc.h - an allocator for the IDL compiler
 * (facet_idl_allocator) that counts what it gives and takes back, and fails
 * when told to: at one call, or at every call from one on. The tests of the
 * compiler's context and its out-of-memory paths share it.
 */
#ifndef FACET_TEST_IDL_ALLOC_H
#define FACET_TEST_IDL_ALLOC_H

#include <stdint.h>

#include "facet_idl.h"

typedef struct TestIdlAlloc {
    uint64_t calls;    /* alloc and resize calls */
    uint64_t fail_at;  /* the call that fails first; 0: none */
    int persistent;    /* and every one after it */
    uint64_t failures; /* calls that returned NULL */
    int64_t live;      /* blocks given and not yet released */
} TestIdlAlloc;

/* The compiler's allocator over c (malloc, realloc and free, counted). */
facet_idl_allocator test_idl_alloc(TestIdlAlloc *c);

#endif
