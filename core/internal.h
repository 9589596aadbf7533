/*
 * core/internal.h - what the files of libfacet share. Not installed.
 *
 * Internal non-static functions are named facet__name().
 */
#ifndef FACET_CORE_INTERNAL_H
#define FACET_CORE_INTERNAL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "base/base.h"
#include "base/hash.h"
#include "os/os.h"

typedef struct FacetClassEntry FacetClassEntry;

/* ---- Blobs and strings (blob.c) ---------------------------------------- */

FacetResult facet__blob_new(IFacetBlob **out, const void *data, uint64_t size);
FacetResult facet__string_new(IFacetString **out, const char *text, uint64_t length);

/* ---- Files (file.c) ---------------------------------------------------- */

/* Reads up to len bytes at offset of an open file, as many reads as it
 * takes; *got is what was read (short only at the end of the file). */
FacetResult facet__file_read(FacetOsFile *f, uint64_t offset, void *buf, uint64_t len,
                             uint64_t *got);
/* Reads a whole file of at most max_size bytes into a NUL-terminated buffer
 * from facet__malloc. FACET_E_NOTAFILE for anything but a regular file
 * (facet__os_file_open). meta, when not NULL, gets the size and time of
 * the file as it was opened. */
FACET_INTERNAL FacetResult facet__file_read_all(char **out, uint64_t *size, FacetOsStat *meta,
                                               const char *path, uint64_t max_size);

/* ---- Equal GUIDs in a table (guid.c) ------------------------------------ */

/* An open-addressed index over the GUIDs of a table of items, item i's at
 * base + i * stride: finding duplicates among n items costs O(n). At most
 * count items may be added; the table must not move meanwhile. */
typedef struct FacetGuidIndex {
    uint32_t *slots;            /* item index + 1; 0: empty */
    uint32_t mask;
    const unsigned char *base;
    size_t stride;
} FacetGuidIndex;

FacetResult facet__guid_index_init(FacetGuidIndex *ix, uint32_t count, const void *base,
                                   size_t stride);
/* Adds item i, unless an item added before has the same GUID: then its
 * index, and i is not added. UINT32_MAX when i was added. */
uint32_t facet__guid_index_add(FacetGuidIndex *ix, uint32_t i);
/* The index of the item added with GUID g, or UINT32_MAX. */
uint32_t facet__guid_index_find(const FacetGuidIndex *ix, const FacetGuid *g);
void facet__guid_index_free(FacetGuidIndex *ix);

/* ---- Module images (image.c) ------------------------------------------- */

/* What a file's first bytes say it is. */
typedef struct FacetImageInfo {
    const char *format;   /* "ELF", "PE", "Mach-O" */
    const char *machine;  /* "x86_64", "aarch64", "i386", ... */
    uint32_t bits;        /* 32 or 64 */
    uint32_t runtime;     /* FACET_RUNTIME_GO: it carries Go's build information */
} FacetImageInfo;

/* Reads up to len bytes at offset into buf; returns bytes read, or -1. */
typedef int64_t (*FacetImageReadFn)(void *payload, uint64_t offset, void *buf, uint64_t len);

/* Checks that the image of file_size bytes that read gives is a shared
 * library for the machine this code runs on, and tells a Go one (out's
 * runtime). Sets an error naming `name`: FACET_E_EMPTYFILE,
 * FACET_E_NOTLIBRARY, FACET_E_TRUNCATED, FACET_E_WRONGARCH. */
FacetResult facet__image_check(FacetImageInfo *out, const char *name, uint64_t file_size,
                               FacetImageReadFn read, void *payload);

/* Whether any image (a library or a program) carries Go's build
 * information; 0 for anything unreadable or odd. */
int facet__image_is_go(uint64_t file_size, FacetImageReadFn read, void *payload);

/* ---- SemVer (semver.c) ------------------------------------------------- */

/* A parsed version; pre points into the text it was parsed from (or to
 * static storage) and is not NUL-terminated. */
typedef struct FacetSemver {
    uint64_t major, minor, patch;
    const char *pre;
    uint32_t pre_len;
} FacetSemver;

#define FACET_SEMVER_MAX_COMPARATORS 8u
#define FACET_SEMVER_MAX_SETS 16u

typedef struct FacetVersionSet {
    uint32_t count;
    uint32_t ops[FACET_SEMVER_MAX_COMPARATORS];
    FacetSemver versions[FACET_SEMVER_MAX_COMPARATORS];
} FacetVersionSet;

/* Sets joined by "||"; versions point into the range's text. */
typedef struct FacetVersionRange {
    uint32_t count;
    FacetVersionSet sets[FACET_SEMVER_MAX_SETS];
} FacetVersionRange;

/* Both set FACET_E_INVALIDARG with the column of the first bad character. */
FacetResult facet__semver_parse(FacetSemver *out, const char *text);
FacetResult facet__range_parse(FacetVersionRange *out, const char *text);
int facet__semver_compare(const FacetSemver *a, const FacetSemver *b);
int facet__range_satisfied(const FacetVersionRange *range, const FacetSemver *v);

/* ---- JSON documents (json.c) ------------------------------------------- */

/* The largest manifest or config file read, and the deepest nesting. */
#define FACET_JSON_MAX_SIZE (1024u * 1024u)
#define FACET_JSON_MAX_DEPTH 32u

/* One step of a JSON path: a member's name, or an array index. */
typedef struct FacetJsonStep {
    const char *key;    /* NULL: an array index */
    size_t index;
} FacetJsonStep;

#define FACET_JSON_MAX_STEPS 48u

/* Where a field sits: the file, its text, and the JSON path being checked
 * ("$.classes[0].clsid"), so that an error can say file:line:column. */
typedef struct FacetJsonCtx {
    const char *file;
    const char *text;
    size_t size;
    FacetResult code;   /* FACET_E_BADMANIFEST or FACET_E_BADCONFIG */
    size_t len;         /* steps of the path in use */
    FacetJsonStep steps[FACET_JSON_MAX_STEPS]; /* written out only for an error */
} FacetJsonCtx;

/* Parses text with jansson; a syntax error becomes ctx->code with
 * file:line:column. *out is a new reference. */
struct json_t;
FacetResult facet__json_parse(struct json_t **out, FacetJsonCtx *ctx);
/* Fails at the first value nested deeper than FACET_JSON_MAX_DEPTH. Called
 * only when checking the fields failed: a file that passes them has no
 * deep nesting (settings check their own depth), and one that fails may
 * fail because of it, which is then the error to report. */
FacetResult facet__json_check_depth(FacetJsonCtx *ctx, struct json_t *root);
/* Appends .key (or ["key"]) or [index] to the path; returns the old length,
 * to pass to facet__json_pop. key must stay valid while the step is in use. */
size_t facet__json_push_key(FacetJsonCtx *ctx, const char *key);
size_t facet__json_push_index(FacetJsonCtx *ctx, size_t index);
void facet__json_pop(FacetJsonCtx *ctx, size_t len);
/* Sets ctx->code with "file:line:column: $.path: message", the position
 * being that of the value at the current path (or of its nearest parent). */
FacetResult facet__json_error(FacetJsonCtx *ctx, const char *fmt, ...) FACET_PRINTF(2, 3);
/* The same, for a failure some other function already described: keeps its
 * message after the position. */
FacetResult facet__json_wrap(FacetJsonCtx *ctx, FacetResult r);
/* Fails for a member of object whose name is not in the NULL-terminated
 * list known. */
FacetResult facet__json_check_keys(FacetJsonCtx *ctx, struct json_t *object,
                                   const char *const *known);
/* Reads a whole file of at most FACET_JSON_MAX_SIZE bytes (meta as
 * facet__file_read_all). */
FACET_INTERNAL FacetResult facet__json_read_file(char **out, size_t *size, FacetOsStat *meta,
                                                 const char *path, FacetResult code);
/* line:column of the value at path ("$.library", "$.requires[\"a.b\"]",
 * "$.classes[3]") in text, or of its nearest parent that is there, for an
 * error found after parsing. A name in brackets may hold any character,
 * with '"' and '\\' escaped by a backslash, as the messages write it. */
void facet__json_locate(const char *text, size_t size, const char *path, unsigned *line,
                        unsigned *column);

/* ---- Manifests (manifest.c) -------------------------------------------- */

/* This platform's key in a manifest's "library" object. */
#if defined(_WIN32)
#define FACET_MANIFEST_PLATFORM "windows"
#elif defined(__APPLE__)
#define FACET_MANIFEST_PLATFORM "macos"
#else
#define FACET_MANIFEST_PLATFORM "linux"
#endif

typedef struct FacetManifestClass {
    FacetGuid clsid;
    const char *contract;     /* NULL if not given */
    const char *version;      /* NULL if not given */
    uint32_t threading;       /* FACET_THREADING_*, or UINT32_MAX if not given */
    uint32_t interface_count; /* UINT32_MAX if the manifest lists none */
    FacetGuid *interfaces;
} FacetManifestClass;

typedef struct FacetManifestRequire {
    const char *name;
    const char *range;        /* checked by facet__range_parse */
} FacetManifestRequire;


struct FacetManifest {
    FacetArena arena;         /* everything below lives in it, or in a
                               * shared arena when arena.chunks is NULL */
    const char *path;         /* the manifest file, as given */
    const char *dir;          /* its folder */
    const char *name;
    const char *version;
    FacetSemver semver;       /* points into version */
    uint32_t api_level;
    const char *library;      /* this platform's library, relative to dir */
    uint32_t isolation;
    uint32_t runtime;         /* FACET_RUNTIME_* */
    uint32_t class_count;
    FacetManifestClass *classes;
    uint32_t require_count;
    FacetManifestRequire *requires;
    uint32_t permission_count;
    const char **permissions;
};

/* Parses a manifest's text; path names it in messages and gives the folder
 * its library is relative to. */
FacetResult facet__manifest_parse(FacetManifest **out, const char *path, const char *text,
                                  size_t size);
/* The same, allocating from shared, which the caller frees (with every
 * manifest in it); a failure leaves shared as it was. */
FacetResult facet__manifest_parse_in(FacetManifest **out, FacetArena *shared, const char *path,
                                     const char *text, size_t size);
/* Compares what a loaded module says with its manifest: FACET_E_MISMATCH
 * naming every field that differs. */
FACET_INTERNAL FacetResult facet__manifest_check_module(const FacetManifest *mf, FacetModule *m);
/* The library's full path, checked to stay inside the manifest's folder
 * (after links are resolved); from facet__malloc. */
FacetResult facet__manifest_library_path(char **out, const FacetManifest *mf);
int facet__manifest_has_permission(const FacetManifest *mf, const char *permission);
/* Sets a manifest error at a JSON path, re-reading the file for the position. */
FacetResult facet__manifest_error_at(const FacetManifest *mf, const char *path, FacetResult code,
                                     const char *fmt, ...) FACET_PRINTF(4, 5);

/* ---- Host configuration (config.c) ------------------------------------- */

#define FACET_SETTING_STRING 0u
#define FACET_SETTING_INT 1u
#define FACET_SETTING_REAL 2u
#define FACET_SETTING_BOOL 3u
#define FACET_SETTING_NULL 4u

typedef struct FacetSetting {
    const char *key;            /* dotted path, "cache.size", "list.0" */
    uint32_t type;              /* FACET_SETTING_* */
    const char *text;
    int64_t integer;
    double real;
    UT_hash_handle hh;
} FacetSetting;

typedef struct FacetModuleConfig {
    const char *name;
    uint32_t grant_count;
    const char **grants;
    FacetSetting *settings;     /* uthash by key */
    UT_hash_handle hh;
} FacetModuleConfig;

typedef struct FacetAlias {
    const char *name;
    const char *target;         /* the final contract name, after alias chains */
    size_t target_len;          /* its length and uthash hash, for the lookup */
    unsigned target_hash;
    uint32_t is_clsid;
    FacetGuid clsid;
    uint32_t resolved;          /* scratch while chains are followed */
    UT_hash_handle hh;
} FacetAlias;

typedef struct FacetConfig {
    FacetArena arena;
    const char *path;
    uint32_t folder_count;
    const char **folders;       /* resolved against the config's folder */
    uint32_t enable_count;      /* 0: every module not disabled */
    const char **enable;
    uint32_t disable_count;
    const char **disable;
    FacetAlias *aliases;        /* uthash by name */
    FacetModuleConfig *modules; /* uthash by name */
    uint32_t hot_reload;        /* "hot_reload": true */
} FacetConfig;

FacetResult facet__config_parse(FacetConfig **out, const char *path, const char *text,
                                size_t size);
void facet__config_free(FacetConfig *cfg);
const FacetModuleConfig *facet__config_module(const FacetConfig *cfg, const char *name);
int facet__config_enabled(const FacetConfig *cfg, const char *name);
int facet__config_granted(const FacetConfig *cfg, const char *module, const char *permission);
const FacetSetting *facet__config_setting(const FacetModuleConfig *mc, const char *key);

/* ---- Scanned modules (scan.c) ------------------------------------------ */

#define FACET_DECLARED_CANDIDATE 0u /* scanned, not (yet) chosen */
#define FACET_DECLARED_CHOSEN 1u    /* the version in use; its classes are registered */
#define FACET_DECLARED_DISABLED 2u  /* turned off by the host configuration */
#define FACET_DECLARED_BROKEN 3u    /* unusable; error says why */
#define FACET_DECLARED_REMOVED 4u   /* its manifest is gone or changed; on rt->retired */

typedef struct FacetDeclared FacetDeclared;
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

typedef struct FacetScanFolder FacetScanFolder;

/* Loads the code of a declared module (the caller holds no lock): checks
 * the library path, opens it, compares it with its manifest and swaps its
 * lazy registry entries for the real ones. */
FacetResult facet__declared_load(FacetRuntime *rt, FacetDeclared *d);
void facet__declared_free_all(FacetRuntime *rt);
/* The chosen module that declares a class of contract name contract (or
 * of clsid), but whose classes could not be registered (d->message says
 * why), or NULL. The caller holds rt->lock. */
const FacetDeclared *facet__declared_rejected(FacetRuntime *rt, const char *contract,
                                              const FacetGuid *clsid);
/* Scans folders into one report (out may be NULL), as facet_scan does. */
FacetResult facet__scan_folders(FacetScanReport **out, FacetRuntime *rt,
                                const char *const *folders, uint32_t count);

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
                                const FacetDeclared *declared, const FacetGuid *sid,
                                IFacetUnknown **out);
void facet__services_free(FacetRuntime *rt);

/* ---- Lifecycle (lifecycle.c) ------------------------------------------- */

#define FACET_LIFE_NONE 0u
#define FACET_LIFE_INIT 1u
#define FACET_LIFE_STARTED 2u

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
    FacetDeclared *declared;    /* the manifest it was loaded by, or NULL */
    uint32_t tomb;              /* on rt->closed, or brought back from it */
    FacetModule *next;          /* rt->modules, or rt->closed */
};

struct FacetClassEntry {
    FacetGuid clsid;
    const char *contract;       /* borrowed from the module */
    const char *version;
    uint32_t threading;
    FacetModule *module;        /* NULL: scanned, code not loaded yet */
    FacetDeclared *declared;    /* the manifest that declared it, or NULL */
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
    FacetConfig *config;        /* set once; immutable after */
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
void facet__host_identify(FacetHostObject *host, const char *name, FacetDeclared *declared);
IFacetUnknown *facet__host_unknown(FacetHostObject *host);
/* Drops the runtime's hold on a host object. */
void facet__host_release(FacetHostObject *host);

/* loader.c: opens the module at path, into tomb (the tombstone of an
 * earlier module of the same file) or a new module. runtime is what its
 * manifest says it needs (FACET_RUNTIME_NATIVE when loaded by path); the
 * image may say Go too. A Go module is mapped only where the process runs
 * no other Go (FACET_E_CONFLICT), and never unmapped. On failure nothing is
 * left open, and tomb stays a tombstone. */
FacetResult facet__module_open(FacetModule **out, FacetRuntime *rt, const char *path,
                               FacetModule *tomb, uint32_t runtime);
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
/* Closes what facet__module_open opened; the memory stays. */
void facet__module_close(FacetModule *m);
/* Closes a module that never joined its runtime, and frees it unless it is
 * a tombstone. */
void facet__module_discard(FacetModule *m);

/* ---- reload layer (core/reload) ---------------------------------------- *
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
/* config.c: whether the configuration asked for "hot_reload". */
int facet__config_hot_reload(const FacetConfig *cfg);

#endif /* FACET_CORE_INTERNAL_H */
