/*
 * facet/testing.h - fault injection and counters for tests of libfacet and of
 * hosts built on it, in the manner of SQLite's test hooks. Not for production
 * use: the hooks are process-wide. facet_testing_fail may move the point of
 * failure while other threads make calls; which of their calls fails is
 * then up to timing.
 */
#ifndef FACET_TESTING_H
#define FACET_TESTING_H

#include <stdint.h>

#include "facet.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Kinds of call the runtime can be made to fail. */
#define FACET_FAULT_ALLOC 0u   /* every allocation of the runtime and its services */
#define FACET_FAULT_FILE 1u    /* file open, read and stat */
#define FACET_FAULT_LOADER 2u  /* the OS loader: dlopen / LoadLibrary, dlsym */
#define FACET_FAULT_PROCESS 3u /* process and pipe calls */
#define FACET_FAULT_WATCH 4u   /* folder watching of hot reload: setting up the
                                  watch and adding each folder */
#define FACET_FAULT_KINDS 5u

/* From now on, the nth call of kind (1 = the next) fails, as if the system
 * had refused it; with persistent, every call after it fails too. nth 0
 * turns injection off for kind. Also resets the call counter of kind. */
FACET_API void facet_testing_fail(uint32_t kind, uint64_t nth, int persistent);

/* How many calls of kind were made since the last facet_testing_fail for it
 * (or since the process began). */
FACET_API uint64_t facet_testing_calls(uint32_t kind);

/* How many calls of kind were failed by injection since the last reset. */
FACET_API uint64_t facet_testing_failures(uint32_t kind);

/* Blocks the runtime allocator has handed out and not had back. */
FACET_API uint64_t facet_testing_live_allocations(void);

#ifdef __cplusplus
}
#endif

#endif /* FACET_TESTING_H */
