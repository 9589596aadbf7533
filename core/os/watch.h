/*
 * core/os/watch.h - watching folders, threads and a clock: the same names
 * in core/os/watch_posix.c (inotify on Linux) and core/os/watch_win32.c
 * (ReadDirectoryChangesW). Used by the reload layer.
 */
#ifndef FACET_CORE_OS_WATCH_H
#define FACET_CORE_OS_WATCH_H

#include <stdint.h>

#include "base/base.h"

typedef struct FacetOsWatch FacetOsWatch;

/* What happened to a name in a watched folder. */
#define FACET_OS_WATCH_CHANGED 1u /* written and closed, made, or renamed into place */
#define FACET_OS_WATCH_WRITING 2u /* being written: a CHANGED follows when it is closed */
#define FACET_OS_WATCH_GONE 4u    /* removed, or renamed away */
#define FACET_OS_WATCH_LOST 8u    /* the folder itself is gone: its watch has ended */

/* id is what facet__os_watch_add gave; name is NULL for LOST. */
typedef void (*FacetOsWatchFn)(void *payload, int32_t id, const char *name, uint32_t what);

/* A set of watched folders. FACET_FAULT_WATCH fails new and add. */
FacetResult facet__os_watch_new(FacetOsWatch **out);
/* Watches folder dir (not its subfolders); *id tells its events apart. */
FacetResult facet__os_watch_add(FacetOsWatch *w, const char *dir, int32_t *id);
void facet__os_watch_remove(FacetOsWatch *w, int32_t id);
/* Waits up to timeout_ms for events and calls fn for each; FACET_FALSE
 * when none came (or facet__os_watch_wake was called). */
FacetResult facet__os_watch_wait(FacetOsWatch *w, uint32_t timeout_ms, FacetOsWatchFn fn,
                                 void *payload);
/* Makes a wait under way (or the next) return at once; any thread. */
void facet__os_watch_wake(FacetOsWatch *w);
void facet__os_watch_free(FacetOsWatch *w);


#endif /* FACET_CORE_OS_WATCH_H */
