/*
 * core/runtime/runtime.h - the runtime layer: the runtime object, the loader, the class
 * registry, the host object, blobs and services. It may use core/formats
 * and what is below; it never calls discovery by name (discovery installs
 * FacetDiscoveryHooks in the runtime).
 * Not installed.
 *
 * Internal non-static functions are named facet__name().
 */
#ifndef FACET_CORE_RUNTIME_H
#define FACET_CORE_RUNTIME_H

#include "formats/formats.h"

typedef struct FacetClassEntry FacetClassEntry;
/* A module a manifest declared: the discovery layer's (discovery.h). */
typedef struct FacetDeclared FacetDeclared;
/* What each scanned plugin folder held: the discovery layer's. */
typedef struct FacetScanFolder FacetScanFolder;

/* ---- Blobs and strings (blob.c) ---------------------------------------- */

FacetResult facet__blob_new(IFacetBlob **out, const void *data, uint64_t size);
FacetResult facet__string_new(IFacetString **out, const char *text, uint64_t length);

/* ---- Services (services.c) --------------------------------------------- */

typedef struct FacetService {
    FacetGuid sid;
    IFacetUnknown *object;
    const char *permission;      /* NULL: every module may use it */
    UT_hash_handle hh;
} FacetService;

/* Finds service sid for the host object of module (its name, NULL for the
 * host's own; declared, its manifest if it was scanned), checks the
 * permission and returns the service, AddRef'd, in *out. The caller holds
 * a reference on rt. */
FacetResult facet__service_find(FacetRuntime *rt, const char *module,
                                const FacetManifest *manifest, const FacetGuid *sid,
                                IFacetUnknown **out);
void facet__services_free(FacetRuntime *rt);
/* Whether module (NULL: the host's own host object, which may) may
 * connect to host:port: its manifest requests net.connect:HOST:PORT and
 * the configuration grants it. FACET_E_ACCESSDENIED, with a message that
 * names host:port and why, where not; FACET_E_INVALIDARG for a host or
 * port no permission could name. */
FacetResult facet__net_permitted(FacetRuntime *rt, const char *module, const FacetManifest *mf,
                                 const char *host, uint32_t port);

/* ---- Runtime, modules and registry ------------------------------------- */

typedef struct FacetHostObject FacetHostObject;

#define FACET_MODULE_LOADED 0u  /* registered, held by the host */
#define FACET_MODULE_WAITING 1u /* let go of; unloads when CanUnload says so */
#define FACET_MODULE_CLOSED 2u  /* unloaded: a tombstone on rt->closed, for its handle */

/* A module. The host holds a handle to it (handle), not its address: a
 * slot of a process-wide table with a generation, so that a handle of a
 * module that is gone never finds another (runtime.c). Its memory goes
 * with its runtime: an unloaded module stays as a tombstone, which loading
 * the same file again brings back. */
struct FacetModule {
    FacetRuntime *rt;
    FacetModule *handle;        /* what the host holds */
    char *path;                 /* canonical path, of the file the host named */
    FacetOsLibrary lib;
    uint32_t runtime;           /* FACET_RUNTIME_*: a Go module is never unmapped */
    uint32_t original;          /* lib maps path itself, not a private copy */
    char *copy;                 /* the private copy to remove once lib is closed */
    IFacetFactory *factory;
    FacetHostObject *host;      /* the host object this module was handed */
    FacetModuleInfo info;       /* strings borrowed from the module */
    uint32_t holds;             /* facet_module_load minus facet_module_unload */
    uint32_t state;             /* FACET_MODULE_* */
    uint32_t busy;              /* calls into the factory under way (atomic) */
    uint32_t class_count;
    FacetClassEntry *classes;   /* class_count entries */
    FacetDeclared *declared;    /* discovery's record of the manifest it was loaded by */
    const FacetManifest *manifest; /* that manifest, or NULL */
    uint32_t tomb;              /* on rt->closed, or brought back from it */
    FacetModule *next;          /* rt->modules, or rt->closed */
};

struct FacetClassEntry {
    FacetGuid clsid;
    const char *contract;       /* borrowed from the module */
    const char *version;
    uint32_t threading;
    uint32_t index;             /* of the class in its manifest (scanned classes) */
    FacetModule *module;        /* NULL: scanned, code not loaded yet */
    FacetDeclared *declared;    /* discovery's record of the manifest that declared it */
    const FacetManifest *manifest; /* that manifest, or NULL */
    UT_hash_handle hh_clsid;
    UT_hash_handle hh_name;
};

/* What the interfaces a runtime hands out hold on to: its host objects
 * (IFacetHost, IFacetAllocator, IFacetLogger, IFacetConfig) keep the core,
 * which outlives the runtime until the last of them is released. A call
 * that needs the runtime enters it (facet__core_enter), and fails with
 * FACET_E_DISCONNECTED once facet_runtime_free has returned. */
typedef struct FacetCore {
    uint32_t refs;              /* the runtime's, one per host object (atomic) */
    uint32_t closed;            /* facet_runtime_free returned (atomic) */
    uint32_t logging;           /* calls of the host's log function under way (atomic) */
    uint32_t api_level;
    uint32_t log_level;
    FacetLogFn log;
    void *log_payload;
    FacetOsRwlock lock;         /* rt is cleared under it */
    FacetRuntime *rt;           /* NULL once the runtime's memory is gone */
} FacetCore;

/* What the discovery layer (scanned modules, lifecycle) does for the
 * runtime. The runtime never calls discovery by name: discovery installs
 * its hooks in rt->discovery the first time it works on a runtime (a scan,
 * a configuration, a start), and until then the runtime has nothing of
 * discovery's to load, explain, stop or free. */
typedef struct FacetDiscoveryHooks {
    /* Loads the code of a scanned module whose class is asked for; the
     * caller holds no lock. */
    FacetResult (*load)(FacetRuntime *rt, FacetDeclared *d);
    /* Why the chosen module that declares a class of contract name
     * contract (or of clsid) could not register it, or NULL. The caller
     * holds rt->lock. */
    const char *(*rejected)(FacetRuntime *rt, const char *contract, const FacetGuid *clsid);
    /* facet_runtime_free: stops the modules that were started. */
    void (*stop)(FacetRuntime *rt);
    /* The runtime's memory goes: everything discovery keeps in it. */
    void (*free_all)(FacetRuntime *rt);
} FacetDiscoveryHooks;

struct FacetRuntime {
    uint32_t refs;              /* the host's hold + one per module (atomic) */
    uint32_t freed;             /* facet_runtime_free was called (atomic) */
    FacetCore *core;
    uint32_t api_level;
    uint32_t log_level;
    FacetLogFn log;
    void *log_payload;
    uint64_t main_thread;       /* the thread that made the runtime */
    FacetOsRwlock lock;         /* guards modules and the registry tables */
    FacetOsRwlock load_lock;    /* serialises loading and unloading */
    FacetModule *modules;
    FacetModule *closed;        /* tombstones of unloaded modules; load_lock */
    FacetClassEntry *by_clsid;  /* uthash table, guarded by lock */
    FacetClassEntry *by_name;   /* uthash table, guarded by lock */
    FacetHostObject *host;      /* the runtime's own host object */
    FacetDeclared *declared;    /* scanned modules, all versions; load_lock */
    FacetDeclared *declared_names; /* uthash by module name; load_lock */
    FacetArena manifests;       /* scanned manifests live here; load_lock */
    FacetScanFolder *folders;   /* what each scanned folder held; load_lock */
    FacetDeclared *retired;     /* read before, gone or changed since; load_lock */
    FacetDeclared *rejected;    /* chosen but not registered; guarded by lock */
    uint32_t seq;               /* manifests read so far; load_lock */
    const FacetDiscoveryHooks *discovery; /* set once, by discovery */
    FacetConfig *config;        /* set once; immutable after */
    char *scan_index;           /* the folder of scan indexes the host named;
                                 * NULL: not named; "": no index */
    FacetService *services;     /* uthash by sid, guarded by lock */
    FacetOsRwlock life_lock;    /* serialises start and stop */
    uint32_t started;
    uint32_t life_count;        /* modules in life_order */
    FacetDeclared **life_order; /* dependency order of the last start */
    /* reload layer */
    uint32_t shadow;            /* every module loads from a private copy (atomic) */
    struct FacetReload *reload; /* core/reload's state, set once under load_lock */
};

void facet__runtime_addref(FacetRuntime *rt);
/* Takes a reference on rt unless its last one is gone (it is being freed):
 * nonzero when it did. The caller knows rt's memory is there. */
int facet__runtime_tryref(FacetRuntime *rt);
void facet__runtime_release(FacetRuntime *rt);

/* A module's memory and its handle (runtime.c); facet__module_free gives
 * both back and closes what is open. */
FacetResult facet__module_new(FacetModule **out, FacetRuntime *rt);
void facet__module_free(FacetModule *m);
/* The module behind a handle that the caller knows to be live. */
FACET_INTERNAL FacetModule *facet__module_of(FacetModule *handle);

/* registry.c: callers hold rt->lock (write for add/remove, read for find). */
FacetResult facet__registry_add_module(FacetRuntime *rt, FacetModule *m);
void facet__registry_remove_module(FacetRuntime *rt, FacetModule *m);
FacetResult facet__registry_add(FacetRuntime *rt, FacetClassEntry *entries, uint32_t count);
void facet__registry_remove(FacetRuntime *rt, FacetClassEntry *entries, uint32_t count);
void facet__registry_clear(FacetRuntime *rt);
FacetClassEntry *facet__registry_find_clsid(FacetRuntime *rt, const FacetGuid *clsid);
/* The entry of a contract name, with the name's length and uthash hash
 * (HASH_VALUE) at hand, so that one hash serves the alias table and the
 * name table. */
FacetClassEntry *facet__registry_find_name_hashed(FacetRuntime *rt, const char *name, size_t len,
                                                  unsigned hash);
uint32_t facet__registry_count(FacetRuntime *rt);

/* host.c: the core, and the host object handed to a module (file: the
 * module's file; NULL for the runtime's own host object). */
FacetResult facet__core_new(FacetCore **out, FacetRuntime *rt);
/* facet_runtime_free returns: the host's log function is not called again,
 * and calls that need the runtime fail. Waits for log calls under way. */
void facet__core_close(FacetCore *core);
/* The runtime's memory goes: calls that were still entering fail. */
void facet__core_detach(FacetCore *core);
void facet__core_release(FacetCore *core);
/* The runtime, with a reference for the caller (facet__runtime_release),
 * or NULL once facet_runtime_free has returned. */
FacetRuntime *facet__core_enter(FacetCore *core);
FacetResult facet__host_new(FacetHostObject **out, FacetRuntime *rt, const char *file);
/* Tells a module's host object its module's name (once read from the
 * module) and its manifest (when it was scanned): either may be NULL. */
void facet__host_identify(FacetHostObject *host, const char *name, const FacetManifest *manifest);
IFacetUnknown *facet__host_unknown(FacetHostObject *host);
/* A process-isolated module's host object: each socket its IFacetNet
 * connects goes to fn (which owns it from then on, closing it whatever
 * happens), and Connect answers the token fn gives instead, for which the
 * child receives the socket. NULL: the socket is the caller's. */
typedef FacetResult (*FacetNetHandFn)(void *ctx, uint64_t socket, uint64_t *token);
void facet__host_set_net_hand(FacetHostObject *host, FacetNetHandFn fn, void *ctx);
/* Drops the runtime's hold on a host object. */
void facet__host_release(FacetHostObject *host);

/* runtime.c: opens the module at path, into tomb (the tombstone of an
 * earlier module of the same file) or a new module. runtime is what its
 * manifest says it needs (FACET_RUNTIME_NATIVE when loaded by path); the
 * image may say Go too. A Go module is mapped only where the process runs
 * no other Go (FACET_E_CONFLICT), and never unmapped. On failure nothing is
 * left open, and tomb stays a tombstone. */
FacetResult facet__module_open(FacetModule **out, FacetRuntime *rt, const char *path,
                               FacetModule *tomb, uint32_t runtime);

/* loader.c: the steps of opening a module that need nothing of the host
 * object. The checks before the system loader sees the file at path: what
 * it is, and its headers (a library for this machine, whole). */
FacetResult facet__loader_check(FacetImageInfo *info, const char *path);
/* FACET_OK where the Go module at path (canonical) may be mapped in this
 * process; FACET_E_CONFLICT, and why, where it would be a second Go
 * runtime (the program is Go, another Go module is mapped, or this one is,
 * by another runtime of the process, which would need a copy). */
FacetResult facet__loader_go_check(const char *path);
/* Maps m's file (m->path; path names it in messages) and finds its one
 * export. */
FacetResult facet__loader_map(FacetModuleEntryFn *entry, FacetModule *m, const char *path);
/* Reads what m's factory says about the module (m->info) and its classes
 * (m->classes), checking every answer. */
FacetResult facet__loader_read_info(FacetModule *m, const char *path);
FacetResult facet__loader_read_classes(FacetModule *m, const char *path);
/* Releases m's factory and unmaps its library; the rest of m stays. */
void facet__loader_unmap(FacetModule *m);
/* Maps a private copy of the library at path: the file copied under its own
 * name into a folder of this process's own, so that the system loader
 * cannot hand back a mapping of path that another module has, and code and
 * globals are the copy's alone. For a module whose file another runtime of
 * the process has loaded, and for the shadow copies of a hot reload. Where
 * the system allows it the copy is removed at once and *copy is NULL;
 * otherwise *copy is its path, for facet__loader_remove_copy once the
 * library is closed. Messages name path, not the copy. A module that must
 * never be loaded twice in one process (a Go module) is refused with
 * FACET_E_CONFLICT. */
FacetResult facet__loader_open_copy(FacetOsLibrary *out, char **copy, const char *path);
void facet__loader_remove_copy(char *copy);
/* The checks before the system loader sees the file at path: what it is,
 * and its headers (a library for this machine, whole). */
FACET_INTERNAL FacetResult facet__module_check_file(const char *path);
/* Links a module just opened into rt and registers its classes; the
 * caller holds load_lock. On failure the module is closed (and freed,
 * unless it is a tombstone brought back). */
FacetResult facet__runtime_add_module(FacetRuntime *rt, FacetModule *m);
/* The same, in place of count entries of over (the lazy entries a scanned
 * module's classes had until its code loaded), in one hold of rt->lock, so
 * that a create on another thread finds each class at every instant. On
 * failure over is registered again; *kept says whether it could be. */
FacetResult facet__runtime_add_module_over(FacetRuntime *rt, FacetModule *m,
                                           FacetClassEntry *over, uint32_t count, int *kept);
/* Closes what facet__module_open opened; the memory stays. */
void facet__module_close(FacetModule *m);
/* Closes a module that never joined its runtime, and frees it unless it is
 * a tombstone. */
void facet__module_discard(FacetModule *m);


/* Compares what a loaded module says with its manifest: FACET_E_MISMATCH
 * naming every field that differs. */
FACET_INTERNAL FacetResult facet__manifest_check_module(const FacetManifest *mf, FacetModule *m);

/* ---- What the reload layer (core/reload) needs of the runtime ---------- *
 *
 * The layers below never call core/reload by name: where the runtime must
 * reach it, it calls through facet__reload_hooks, which core/reload sets
 * when libfacet is loaded (NULL in a build without it). */

typedef struct FacetReloadHooks {
    /* The configuration said "hot_reload": true; its folders are scanned. */
    FacetResult (*config)(FacetRuntime *rt);
    /* facet_runtime_free begins: stop watching, before anything unloads. */
    void (*close)(FacetRuntime *rt);
    /* The runtime's memory goes: free rt->reload. */
    void (*free)(FacetRuntime *rt);
} FacetReloadHooks;

extern const FacetReloadHooks *facet__reload_hooks;

/* host.c: a log line of the runtime itself, about module (its name). */
void facet__runtime_log(FacetRuntime *rt, uint32_t level, const char *module, const char *fmt,
                        ...) FACET_PRINTF(4, 5);
/* runtime.c: unloads the waiting modules that CanUnload lets go; the
 * caller holds load_lock and a reference on rt. Returns how many wait. */
uint32_t facet__runtime_collect_locked(FacetRuntime *rt);

#endif /* FACET_CORE_RUNTIME_H */
