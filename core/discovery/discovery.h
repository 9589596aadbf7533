/*
 * core/discovery/discovery.h - the discovery layer: scanning plugin folders, choosing
 * versions, the host configuration's modules, lifecycle in dependency
 * order, and loading a scanned module on its first create. It may use
 * core/runtime and what is below.
 * Not installed.
 *
 * Internal non-static functions are named facet__name().
 */
#ifndef FACET_CORE_DISCOVERY_H
#define FACET_CORE_DISCOVERY_H

#include "remote/remote.h"

/* ---- Scanned modules (scan.c) ------------------------------------------ */

#define FACET_DECLARED_CANDIDATE 0u /* scanned, not (yet) chosen */
#define FACET_DECLARED_CHOSEN 1u    /* the version in use; its classes are registered */
#define FACET_DECLARED_DISABLED 2u  /* turned off by the host configuration */
#define FACET_DECLARED_BROKEN 3u    /* unusable; error says why */
#define FACET_DECLARED_REMOVED 4u   /* its manifest is gone or changed; on rt->retired */

struct FacetDeclared {
    FacetManifest *mf;
    uint32_t state;              /* FACET_DECLARED_* */
    uint32_t registered;         /* lazy entries are in the registry */
    FacetResult error;           /* why it is broken */
    char *message;
    FacetDeclared *cause;        /* broken because this one is; NULL: its own problem */
    FacetModule *module;         /* once its code is loaded */
    FacetClassEntry *lazy;       /* mf->class_count entries, module NULL */
    IFacetLifecycle *lifecycle;  /* while started */
    uint32_t life;               /* lifecycle steps done, FACET_LIFE_* */
    uint32_t mark;               /* scratch for graph walks */
    uint32_t seq;                /* when it was read: earlier manifests claim first */
    uint32_t claim;              /* scratch: when its module claims its classes */
    FacetResult was_error;       /* error and state before the scan under way */
    uint8_t was_state;
    uint8_t fresh;               /* read by the scan under way */
    uint8_t rejected;            /* on rt->rejected */
    FacetDeclared *next;         /* rt->declared, or rt->retired */
    FacetDeclared *next_rejected; /* rt->rejected: chosen, but not registered */
    FacetDeclared *lower;        /* the next lower version of this module */
    /* On the first declared of each name (the rt->declared_names entry): */
    FacetDeclared *top;          /* the highest version */
    FacetDeclared *pick;         /* the version chosen, while choosing */
    uint32_t pinned;             /* pick's code is loaded: it stays */
    uint32_t con_head;           /* its first constraint, index + 1; 0: none */
    UT_hash_handle hh;
};


/* Loads the code of a declared module (the caller holds no lock): checks
 * the library path, opens it, compares it with its manifest and swaps its
 * lazy registry entries for the real ones. */
FacetResult facet__declared_load(FacetRuntime *rt, FacetDeclared *d);
/* Installs discovery's hooks in rt (FacetDiscoveryHooks), under rt->lock,
 * where the runtime reads them; called before anything of discovery's is
 * put in rt. */
void facet__discovery_attach(FacetRuntime *rt);
/* Scans folders into one report (out may be NULL), as facet_scan does. */
FacetResult facet__scan_folders(FacetScanReport **out, FacetRuntime *rt,
                                const char *const *folders, uint32_t count);

/* ---- Lifecycle (lifecycle.c) ------------------------------------------- */

#define FACET_LIFE_NONE 0u
#define FACET_LIFE_INIT 1u
#define FACET_LIFE_STARTED 2u

/* ---- Scan index (discovery/scan_index.c) ------------------------------ *
 *
 * What a scan learned from each manifest of a folder, kept in a file so
 * that a new process parses only the manifests that changed. */

#define FACET_SCAN_INDEX_NONE 0u    /* no index file */
#define FACET_SCAN_INDEX_READ 1u    /* read, and usable */
#define FACET_SCAN_INDEX_IGNORED 2u /* there, but corrupt, of another format, or another folder's */

typedef struct FacetScanIndex FacetScanIndex;

/* One manifest file as written to an index; mf NULL: left out. */
typedef struct FacetScanIndexItem {
    const char *name;            /* the file's name in its folder */
    uint64_t size;
    int64_t mtime_ns;
    uint64_t inode, device;
    const FacetManifest *mf;
} FacetScanIndexItem;

/* The index file of canonical folder, from facet__malloc: in the folder
 * the runtime's option names, else the configuration's "scan_index", else
 * the user's cache folder; *out NULL when there is to be no index. */
FacetResult facet__scan_index_path(char **out, FacetRuntime *rt, const char *folder);
/* Reads the index file of folder: *out NULL when there is none or it
 * cannot be used (*state says which). Fails only for want of memory. */
FacetResult facet__scan_index_open(FacetScanIndex **out, uint32_t *state, const char *file,
                                   const char *folder);
/* The manifest of the file name (at path, stat fs), from the index into
 * arena, when the file is as the index recorded it: 1, else 0 (parse it).
 * dir, when not NULL, is path's folder in arena, which the manifests of
 * one folder share. */
int facet__scan_index_take(FacetManifest **out, FacetScanIndex *ix, const char *name,
                           const FacetOsStat *fs, FacetArena *arena, const char *path,
                           const char *dir);
/* Every one of the index's entries was taken: it says all it needs to. */
int facet__scan_index_complete(const FacetScanIndex *ix);
/* Writes the index of folder in one step, creating the folders it needs. */
FacetResult facet__scan_index_write(const char *file, const char *folder,
                                    const FacetScanIndexItem *items, uint32_t count);
void facet__scan_index_free(FacetScanIndex *ix);

#endif /* FACET_CORE_DISCOVERY_H */
