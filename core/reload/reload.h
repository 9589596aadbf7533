/*
 * core/reload/reload.h - what the files of the reload layer share. The
 * layer sits above discovery; nothing below it includes this header.
 */
#ifndef FACET_CORE_RELOAD_H
#define FACET_CORE_RELOAD_H

#include "discovery/discovery.h"

typedef struct FacetWatcher FacetWatcher;
typedef struct FacetReload FacetReload;

/* rt->reload. */
struct FacetReload {
    uint32_t closing;            /* facet_runtime_free began (atomic) */
    FacetOsRwlock listen_lock;   /* listeners; read while they are called */
    struct Listener *listeners;
    struct Kept *kept;           /* manifests of the versions swapped in */
    FacetOsRwlock watch_lock;    /* watcher */
    FacetWatcher *watcher;       /* watch.c; NULL: not watching */
};

/* rt's reload state, installed on first use; FACET_E_STATE once
 * facet_runtime_free began. fn names the caller in messages. */
FacetResult facet__reload_state(FacetRuntime *rt, FacetReload **out, const char *fn);

/* facet_runtime_reload's work. tentative: a module whose library and
 * manifest disagree (FACET_E_MISMATCH) is left as it is without a word, as
 * the other file may be on its way; any other outcome is told. */
FacetResult facet__reload_run(FacetRuntime *rt, const char *name, int tentative);

/* image.c: FACET_E_CONFLICT, with why, for a library written in Go. */
FacetResult facet__reload_check_go(const char *library);
/* Logs, as a warning, that the library at path can never be unloaded
 * (symbols bound STB_GNU_UNIQUE), naming one of them. */
void facet__reload_log_unique(FacetRuntime *rt, const char *module, const char *path);
/* The number of STB_GNU_UNIQUE symbols of an ELF library, the name of
 * the first in name (size bytes); 0 for anything else. */
uint32_t facet__reload_unique_symbols(const char *path, char *name, size_t size);

/* watch.c: stops the watcher and waits for its thread. */
void facet__reload_watch_stop(FacetRuntime *rt);

#endif /* FACET_CORE_RELOAD_H */
