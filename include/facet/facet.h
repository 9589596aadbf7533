/*
 * facet/facet.h - the host API of libfacet.
 *
 * A host creates a runtime, loads modules into it (one at a time by path, or
 * a whole folder of manifests), and asks it for objects by class id or by
 * contract name. Once it has an interface pointer, the host calls the object
 * directly through its vtable: the runtime is not on the call path.
 *
 * Conventions (docs/conventions.md):
 *  - Every function that can fail returns a FacetResult; FACET_FAILED(r)
 *    tests it. The return code decides, and facet_last_error() explains: a
 *    thread-local message that names the file, symbol or field concerned.
 *  - Out parameters come first and are named out. On failure *out is NULL.
 *  - NULL for a required pointer argument is FACET_E_POINTER, never a crash.
 *  - Runtime types are opaque. Structs that may grow start with struct_size
 *    and have an _INIT macro and a _V1_SIZE, the smallest struct_size
 *    accepted: the rule is <facet/abi.h>'s rule 5, and docs/abi.md
 *    ("Structs that grow") says how both sides keep it.
 *  - Every function here is safe to call from any thread unless it says
 *    otherwise.
 */
#ifndef FACET_FACET_H
#define FACET_FACET_H

#include <stddef.h>
#include <stdint.h>

#include "abi.h"

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32) && !defined(FACET_STATIC)
#ifdef FACET_BUILDING_LIBRARY
#define FACET_API __declspec(dllexport)
#else
#define FACET_API __declspec(dllimport)
#endif
#elif defined(__GNUC__) || defined(__clang__)
#define FACET_API __attribute__((visibility("default")))
#else
#define FACET_API
#endif

/* ---- Errors ------------------------------------------------------------ */

/* The message left by the last failing call on this thread. Never NULL: ""
 * when nothing has failed yet. Valid until the next Facet call on this
 * thread. */
FACET_API const char *facet_last_error(void);

/* The code that went with facet_last_error(), FACET_OK if none. */
FACET_API FacetResult facet_last_error_code(void);

/* Forgets this thread's last error. */
FACET_API void facet_error_clear(void);

/* The name of a result, "FACET_E_NOINTERFACE"; "FACET_E_UNKNOWN" for a code
 * Facet does not know. Never NULL, static storage. */
FACET_API const char *facet_result_name(FacetResult result);

/* A sentence on what a result means, "no such interface". Static storage. */
FACET_API const char *facet_result_description(FacetResult result);

/* ---- GUIDs ------------------------------------------------------------- */

/* Size of a GUID's text form with braces and the terminating NUL. */
#define FACET_GUID_STRING_SIZE 39

/* Parses "{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}" (braces optional, hex digits
 * of either case). FACET_E_BADGUID, with the position of the first bad
 * character in the message, for anything else. */
FACET_API FacetResult facet_guid_parse(FacetGuid *out, const char *text);

/* Writes the braced, upper-case text form into out, which holds at least
 * FACET_GUID_STRING_SIZE bytes. */
FACET_API FacetResult facet_guid_format(char *out, size_t out_size, const FacetGuid *guid);

/* A new random GUID (RFC 4122 version 4, from the system's cryptographic
 * random source), for a new interface or class: `facet guid` prints one. */
FACET_API FacetResult facet_guid_generate(FacetGuid *out);

/* ---- The runtime ------------------------------------------------------- */

typedef struct FacetRuntime FacetRuntime;
typedef struct FacetModule FacetModule;

/* Receives every log line of every module, already tagged with its module
 * name. Called from whatever thread logged; must be thread-safe. */
typedef void (*FacetLogFn)(uint32_t level, const char *module, const char *message,
                           void *payload);

typedef struct FacetRuntimeOptions {
    uint32_t struct_size;
    uint32_t api_level;   /* API level offered to modules; 0 means FACET_API_LEVEL */
    uint32_t log_level;   /* lowest FACET_LOG_* level kept (default FACET_LOG_INFO) */
    FacetLogFn log;       /* NULL: lines go to stderr */
    void *log_payload;
    /* version 2 */
    /* The folder that keeps the scan index of each plugin folder scanned
     * (facet_scan), so that a new process parses only the manifests that
     * changed. NULL: the configuration's "scan_index", else the user's
     * cache folder ($XDG_CACHE_HOME or ~/.cache, %LOCALAPPDATA% on Windows,
     * then facet/scan-index); "": no index. Copied. */
    const char *scan_index;
} FacetRuntimeOptions;

#define FACET_RUNTIME_OPTIONS_INIT \
    {sizeof(FacetRuntimeOptions), FACET_API_LEVEL, FACET_LOG_INFO, NULL, NULL, NULL}
#define FACET_RUNTIME_OPTIONS_V1_SIZE \
    ((uint32_t)(offsetof(FacetRuntimeOptions, log_payload) + sizeof(void *)))
#define FACET_RUNTIME_OPTIONS_V2_SIZE \
    ((uint32_t)(offsetof(FacetRuntimeOptions, scan_index) + sizeof(const char *)))

/* Creates a runtime. opts may be NULL for the defaults. */
FACET_API FacetResult facet_runtime_new(FacetRuntime **out, const FacetRuntimeOptions *opts);

/* Gives up the host's hold on the runtime: unloads every module it can.
 * A module with live objects stays loaded (its code is never pulled from
 * under a live object) and keeps the runtime's memory alive until the
 * process ends; then the result is FACET_FALSE and the message names it.
 * From its return on, the log function is never called again, calls with
 * the runtime's module handles return FACET_E_STATE, and the host objects
 * still held (facet_runtime_allocator's, or a module's) work where they
 * need no runtime and return FACET_E_DISCONNECTED where they do. rt itself
 * must not be used again. NULL is a no-op. Must not race with other calls
 * on rt. */
FACET_API FacetResult facet_runtime_free(FacetRuntime *rt);

/* Unloads every module that the host has let go of (facet_module_unload)
 * and whose CanUnload now says FACET_OK, as CoFreeUnusedLibraries does.
 * Returns FACET_OK when none is left waiting, FACET_FALSE otherwise; also
 * FACET_FALSE, with a message naming it, when one it let go of is written
 * in Go, whose code stays mapped (facet_module_unload). */
FACET_API FacetResult facet_runtime_collect(FacetRuntime *rt);

typedef struct FacetRuntimeStats {
    uint32_t struct_size;
    uint32_t modules_loaded;    /* modules whose code is mapped, waiting ones too */
    uint32_t modules_waiting;   /* let go of, kept alive by live objects */
    uint32_t classes;           /* classes that can be created now */
    uint64_t allocations_live;  /* blocks the runtime allocator has out, all users */
    uint64_t allocations_total; /* blocks it has handed out since the process began */
} FacetRuntimeStats;

#define FACET_RUNTIME_STATS_INIT {sizeof(FacetRuntimeStats), 0, 0, 0, 0, 0}
#define FACET_RUNTIME_STATS_V1_SIZE \
    ((uint32_t)(offsetof(FacetRuntimeStats, allocations_total) + sizeof(uint64_t)))

FACET_API FacetResult facet_runtime_stats(FacetRuntimeStats *out, FacetRuntime *rt);

/* The runtime's allocator service, AddRef'd: the same one modules reach
 * through their host object. It stays valid, like every interface of that
 * host object, until released, also after facet_runtime_free. */
FACET_API FacetResult facet_runtime_allocator(IFacetAllocator **out, FacetRuntime *rt);

/* ---- Modules ----------------------------------------------------------- */

/* Loads the module at path (UTF-8), checks that it is a library for this
 * machine, calls its facet_module_entry, reads its module and class info and
 * registers its classes. Loading the same file again returns the same module
 * (the same handle, also after it was unloaded) with one more hold on it.
 * Another runtime of the process that holds the file already keeps its own
 * module: this one gets a private copy of the file (docs/host.md), except
 * for a module written in Go. A process has one Go runtime (docs/go.md):
 * a Go module (by its image, or its manifest's "runtime": "go") loads only
 * where the program is not written in Go and no other Go module is
 * mapped, else FACET_E_CONFLICT, before its code is mapped. A class that
 * another module registered first is FACET_E_CONFLICT too. Each failure has its own
 * code: FACET_E_FILENOTFOUND, FACET_E_NOTAFILE, FACET_E_EMPTYFILE,
 * FACET_E_NOTLIBRARY, FACET_E_TRUNCATED, FACET_E_WRONGARCH,
 * FACET_E_LOADFAILED, FACET_E_NOENTRY, FACET_E_ABIMISMATCH,
 * FACET_E_CONTRACT, FACET_E_STRUCTSIZE, FACET_E_APILEVEL, FACET_E_CONFLICT.
 *
 * It trusts the file. The header checks come first, but then the system
 * loader maps the library and runs its constructors in this process, and
 * a damaged or hostile file can crash or end the process there, before any
 * check can look: no check of a file's headers prevents that. For a file
 * you did not build, facet_module_load_probed (<facet/check.h>) loads it
 * only after a probe in a child process passed it. */
FACET_API FacetResult facet_module_load(FacetModule **out, FacetRuntime *rt, const char *path);

/* Lets go of one hold. At the last one the module's classes are unregistered
 * at once, and its code is unloaded as soon as CanUnload says FACET_OK: now
 * (FACET_OK) or at a later facet_runtime_collect (FACET_FALSE). A module
 * written in Go is let go of the same way, but its code is never unmapped
 * (Go cannot stop a Go runtime): FACET_FALSE, with a message that says so;
 * loading the file again uses the same code. After the last, and after
 * facet_runtime_free, the handle serves no call: this and the three below
 * return FACET_E_STATE (facet_module_path NULL). */
FACET_API FacetResult facet_module_unload(FacetModule *module);

/* What the module said in GetModuleInfo. Strings are borrowed from the
 * module and valid while the host holds it. */
FACET_API FacetResult facet_module_info(FacetModuleInfo *out, const FacetModule *module);

/* The full path the module was loaded from (the file the host named, never
 * a private copy), borrowed while the host holds it; NULL once it does
 * not. */
FACET_API const char *facet_module_path(const FacetModule *module);

/* The module's factory, AddRef'd, for DescribeClass and for the optional
 * module interfaces (IFacetLifecycle, IFacetReloadable) by QueryInterface.
 * It is the module's own object and does not keep its code loaded: release
 * it before the last facet_module_unload. */
FACET_API FacetResult facet_module_factory(IFacetFactory **out, FacetModule *module);

/* ---- Objects ----------------------------------------------------------- */

/* Creates an object of class clsid and returns its iid interface.
 * FACET_E_CLASSNOTREG when no loaded module offers the class;
 * FACET_E_WRONGTHREAD for a FACET_THREADING_MAIN class from any thread but
 * the one that made the runtime; the factory's own result otherwise
 * (FACET_E_NOINTERFACE, FACET_E_NOAGGREGATION, ...).
 * outer is for aggregation and is usually NULL. */
FACET_API FacetResult facet_create_instance(void **out, FacetRuntime *rt, const FacetGuid *clsid,
                                            IFacetUnknown *outer, const FacetGuid *iid);

/* The same, by contract name ("org.example.greeter"), alias, or a clsid in
 * text form. */
FACET_API FacetResult facet_create_instance_by_name(void **out, FacetRuntime *rt,
                                                    const char *name, IFacetUnknown *outer,
                                                    const FacetGuid *iid);

/* Finds the class a name or clsid text resolves to, without creating it. */
FACET_API FacetResult facet_class_lookup(FacetGuid *out, FacetRuntime *rt, const char *name);


/* ---- Versions (SemVer 2.0.0) ------------------------------------------- */

/* Checks that text is a SemVer 2.0.0 version, "1.4.0-rc.1+build.5".
 * FACET_E_INVALIDARG names the column of the first bad character. */
FACET_API FacetResult facet_version_parse(const char *text);

/* *out is <0, 0 or >0 as a precedes, equals or follows b in SemVer
 * precedence (build metadata ignored). */
FACET_API FacetResult facet_version_compare(int32_t *out, const char *a, const char *b);

/* FACET_OK when version satisfies range, FACET_FALSE when not, an error
 * for a bad version or range. Ranges are npm's and Cargo's: "^1.2",
 * "~1.2.3", ">=1.0 <2.0" (or ">=1.0, <2.0"), "1.x", "*", "1.2 - 1.4", and
 * alternatives joined by "||". A bare version ("1.2.3") means exactly it.
 * A pre-release satisfies only a range that names one of the same
 * major.minor.patch. docs/manifest.md has the table. */
FACET_API FacetResult facet_version_satisfies(const char *version, const char *range);

/* ---- Manifests --------------------------------------------------------- */

/* A parsed <module>.facet.json (docs/manifest.md). Immutable; any thread. */
typedef struct FacetManifest FacetManifest;

#define FACET_ISOLATION_IN_PROCESS 0u
#define FACET_ISOLATION_PROCESS 1u

/* What a module's code needs in the process (the manifest's "runtime"):
 * nothing but the C runtime, or a Go runtime, of which a process has one
 * (docs/go.md). */
#define FACET_RUNTIME_NATIVE 0u
#define FACET_RUNTIME_GO 1u

typedef struct FacetManifestInfo {
    uint32_t struct_size;
    const char *path;          /* the manifest file */
    const char *name;          /* "org.example.greeter" */
    const char *version;       /* SemVer */
    uint32_t api_level;
    const char *library;       /* this platform's library, relative to the manifest */
    uint32_t isolation;        /* FACET_ISOLATION_* */
    uint32_t class_count;
    uint32_t require_count;
    uint32_t permission_count;
    /* version 2 */
    uint32_t runtime;          /* FACET_RUNTIME_*: its "runtime" ("native" unless it says "go") */
} FacetManifestInfo;

#define FACET_MANIFEST_INFO_INIT \
    {sizeof(FacetManifestInfo), NULL, NULL, NULL, 0, NULL, 0, 0, 0, 0, FACET_RUNTIME_NATIVE}
#define FACET_MANIFEST_INFO_V1_SIZE \
    ((uint32_t)(offsetof(FacetManifestInfo, permission_count) + sizeof(uint32_t)))
#define FACET_MANIFEST_INFO_V2_SIZE \
    ((uint32_t)(offsetof(FacetManifestInfo, runtime) + sizeof(uint32_t)))

/* Reads and checks a manifest. Every problem is FACET_E_BADMANIFEST (or the
 * file's own error: FACET_E_FILENOTFOUND, ...) with a message
 * "file:line:column: $.json.path: what is wrong". */
FACET_API FacetResult facet_manifest_load(FacetManifest **out, const char *path);

/* The same from text in memory; path names it and gives its folder. */
FACET_API FacetResult facet_manifest_parse(FacetManifest **out, const char *path,
                                           const char *text, size_t size);

FACET_API void facet_manifest_free(FacetManifest *manifest);

/* Strings are borrowed from the manifest. */
FACET_API FacetResult facet_manifest_info(FacetManifestInfo *out, const FacetManifest *manifest);

/* Class index as the manifest declares it; a class without a version has
 * the module's, one without threading FACET_THREADING_ANY. */
FACET_API FacetResult facet_manifest_class(FacetClassInfo *out, const FacetManifest *manifest,
                                           uint32_t index);

/* Requirement index: the module name and its version range. */
FACET_API FacetResult facet_manifest_require(const char **out_name, const char **out_range,
                                             const FacetManifest *manifest, uint32_t index);

/* Permission index that the module requests, or NULL past the end. */
FACET_API const char *facet_manifest_permission(const FacetManifest *manifest, uint32_t index);

/* ---- Scanning plugin folders ------------------------------------------- */

/* What one scan found: the modules it listed and the problems it met. */
typedef struct FacetScanReport FacetScanReport;

/* The state of a scanned module in the runtime. */
#define FACET_SCAN_AVAILABLE 0u /* its classes can be created; code loads on first use */
#define FACET_SCAN_SHADOWED 1u  /* another version of the module was chosen */
#define FACET_SCAN_DISABLED 2u  /* turned off by the host configuration */
/* Cannot be used: a bad manifest, a missing requirement, or a clsid or
 * contract name that another module claimed first. A problem says why. */
#define FACET_SCAN_BROKEN 3u

typedef struct FacetScanModule {
    uint32_t struct_size;
    const char *manifest;      /* path of the manifest */
    const char *name;
    const char *version;
    uint32_t state;            /* FACET_SCAN_* */
} FacetScanModule;

#define FACET_SCAN_MODULE_INIT {sizeof(FacetScanModule), NULL, NULL, NULL, 0}
#define FACET_SCAN_MODULE_V1_SIZE ((uint32_t)(offsetof(FacetScanModule, state) + sizeof(uint32_t)))

typedef struct FacetScanProblem {
    uint32_t struct_size;
    FacetResult code;          /* FACET_E_BADMANIFEST, FACET_E_VERSION, FACET_E_APILEVEL, ... */
    const char *path;          /* the file concerned */
    const char *message;       /* "file:line:column: $.path: ..." where it applies */
} FacetScanProblem;

#define FACET_SCAN_PROBLEM_INIT {sizeof(FacetScanProblem), 0, NULL, NULL}
#define FACET_SCAN_PROBLEM_V1_SIZE \
    ((uint32_t)(offsetof(FacetScanProblem, message) + sizeof(const char *)))

/* Reads every *.facet.json in folder (not its subfolders), in byte order of
 * their names, without loading any code, and registers the classes of each
 * usable module: creating one loads the module's library then, and checks
 * it against its manifest (FACET_E_MISMATCH names each field that
 * differs). Where several versions of a module are present, the highest
 * that satisfies every "requires" of the other modules is chosen. Where two
 * modules declare one clsid or contract name, the first claim wins (a class
 * already registered, then folders in the order scanned, then file names)
 * and the other module is not registered at all: FACET_SCAN_BROKEN, with a
 * FACET_E_CONFLICT problem. A bad manifest never stops the scan: it is
 * listed as a problem and the rest are read. Scanning a folder again reads
 * only the manifests new or changed since (by size and modification time)
 * and forgets those removed; a module whose code is loaded keeps serving
 * (FACET_E_BUSY problem). A new runtime, in this process or another, does
 * the same through the folder's scan index (FacetRuntimeOptions.scan_index):
 * a manifest whose size, modification time, inode and device are those the
 * index recorded is taken from it, unparsed. An index that cannot be read
 * or written is ignored and written anew, and never fails a scan
 * (facet_scan_report_stats says what happened). The report lists every module of the folder;
 * its problems are those this scan found new. Returns FACET_OK when there
 * was no problem, FACET_FALSE when there was at least one, and an error
 * only when the folder cannot be read. out may be NULL; otherwise the
 * report is the caller's, freed with facet_scan_report_free. */
FACET_API FacetResult facet_scan(FacetScanReport **out, FacetRuntime *rt, const char *folder);

FACET_API uint32_t facet_scan_report_module_count(const FacetScanReport *report);
FACET_API FacetResult facet_scan_report_module(FacetScanModule *out,
                                               const FacetScanReport *report, uint32_t index);
FACET_API uint32_t facet_scan_report_problem_count(const FacetScanReport *report);
FACET_API FacetResult facet_scan_report_problem(FacetScanProblem *out,
                                                const FacetScanReport *report, uint32_t index);
FACET_API void facet_scan_report_free(FacetScanReport *report);

/* What a scan read, and what it did with the scan index of each folder. */
typedef struct FacetScanStats {
    uint32_t struct_size;
    uint32_t manifests;        /* manifest files listed */
    uint32_t parsed;           /* read and parsed: new, changed, or not in the index */
    uint32_t indexed;          /* taken from the scan index, unchanged since it was written */
    uint32_t index_ignored;    /* folders whose index file was there but not used: not
                                * whole, of another format, or another folder's */
    uint32_t index_written;    /* folders whose index was written anew */
    uint32_t index_failed;     /* folders whose index could not be written (the scan
                                * is as good without; the next one parses again) */
} FacetScanStats;

#define FACET_SCAN_STATS_INIT {sizeof(FacetScanStats), 0, 0, 0, 0, 0, 0}
#define FACET_SCAN_STATS_V1_SIZE \
    ((uint32_t)(offsetof(FacetScanStats, index_failed) + sizeof(uint32_t)))

FACET_API FacetResult facet_scan_report_stats(FacetScanStats *out, const FacetScanReport *report);

/* ---- Classes by interface ---------------------------------------------- */

/* The classes whose manifests declare one interface, as
 * facet_classes_implementing found them. */
typedef struct FacetClassList FacetClassList;

typedef struct FacetClassMatch {
    uint32_t struct_size;
    const char *contract;      /* contract name, or NULL if the class has none */
    FacetGuid clsid;
    const char *module;        /* the module's name */
    const char *version;       /* the module's version */
    const char *manifest;      /* path of the manifest that declares the class */
} FacetClassMatch;

#define FACET_CLASS_MATCH_INIT {sizeof(FacetClassMatch), NULL, {0, 0, 0, {0}}, NULL, NULL, NULL}
#define FACET_CLASS_MATCH_V1_SIZE \
    ((uint32_t)(offsetof(FacetClassMatch, manifest) + sizeof(const char *)))

/* Lists the classes that declare iid in their manifest's "interfaces",
 * over every module that rt has scanned (facet_scan,
 * facet_runtime_load_config), without loading any code: the answer COM's
 * component categories give. Only the chosen version of each module counts
 * (FACET_SCAN_AVAILABLE, loaded or not): a shadowed version, a disabled
 * module and a broken one are left out, since creating their classes
 * would not make them (a class that another module claimed first creates
 * that module's object). Modules loaded with facet_module_load, which no
 * manifest declares, are not listed. The classes come in the order of the
 * module names (byte order), then in their manifest's order. An iid that
 * no class declares is an empty list and FACET_OK. The list is the
 * caller's, freed with facet_class_list_free; it is a copy, true when it
 * was made, and stays valid through later scans. */
FACET_API FacetResult facet_classes_implementing(FacetClassList **out, FacetRuntime *rt,
                                                 const FacetGuid *iid);

FACET_API uint32_t facet_class_list_count(const FacetClassList *list);
/* Strings are borrowed from list. */
FACET_API FacetResult facet_class_list_item(FacetClassMatch *out, const FacetClassList *list,
                                            uint32_t index);
FACET_API void facet_class_list_free(FacetClassList *list);

/* ---- Host configuration ------------------------------------------------ */

/* Reads facet.conf.json (docs/config.md) into rt: plugin folders (relative
 * to the file), enable and disable lists, aliases (name -> contract name,
 * clsid or another alias; a cycle is FACET_E_CYCLE naming its members),
 * permissions granted per module and per-module settings (what a module
 * reads through IFacetConfig). Then scans each plugin folder, as facet_scan
 * does, into one report (out may be NULL); modules scanned before are
 * chosen again under the new enable and disable lists. Call it once per
 * runtime: a second call is FACET_E_STATE. Errors in the file are
 * FACET_E_BADCONFIG (FACET_E_CYCLE for an alias cycle) with
 * "file:line:column: $.json.path: ...". */
FACET_API FacetResult facet_runtime_load_config(FacetScanReport **out, FacetRuntime *rt,
                                                const char *path);

/* ---- Host services ----------------------------------------------------- */

/* Offers service to every module, which asks its host object for sid
 * (QueryInterface or QueryService). With a permission name, only a module
 * whose manifest requests the permission and whom the configuration grants
 * it gets the service; any other gets FACET_E_ACCESSDENIED. The runtime
 * keeps a reference until facet_service_unregister or facet_runtime_free.
 * FACET_E_CONFLICT if sid is already registered or is one of the runtime's
 * own interfaces. */
FACET_API FacetResult facet_service_register(FacetRuntime *rt, const FacetGuid *sid,
                                             IFacetUnknown *service, const char *permission);

/* Withdraws a service; modules that hold it keep their references.
 * FACET_E_NOTFOUND if it was not registered. */
FACET_API FacetResult facet_service_unregister(FacetRuntime *rt, const FacetGuid *sid);

/* ---- Lifecycle --------------------------------------------------------- */

/* Loads every available scanned module and calls IFacetLifecycle (where
 * its factory offers it) Init on each in dependency order (a module after
 * those it requires), then Start on each. A dependency cycle is FACET_E_CYCLE
 * naming its members, before any code loads. When a step fails, the modules
 * already started are stopped and those already initialised shut down, in
 * reverse order, and the error names the module and the step. Modules loaded
 * by path (facet_module_load) take no part. Not to be called concurrently
 * with facet_runtime_stop; FACET_E_STATE when already started. */
FACET_API FacetResult facet_runtime_start(FacetRuntime *rt);

/* Stop on each started module and then Shutdown, in reverse dependency
 * order. Every step is called even if one fails; the first failure is
 * returned. FACET_FALSE when the runtime was not started. facet_runtime_free
 * stops a started runtime first. */
FACET_API FacetResult facet_runtime_stop(FacetRuntime *rt);

/* ---- Hot reload (docs/reload.md) --------------------------------------- */

/* What a reload listener is told. */
#define FACET_RELOAD_STARTED 0u     /* a new version is being tried */
#define FACET_RELOAD_SUCCEEDED 1u   /* it serves new instances from now on */
#define FACET_RELOAD_ROLLED_BACK 2u /* it was refused; the last good version serves */

typedef struct FacetReloadEvent {
    uint32_t struct_size;
    uint32_t kind;              /* FACET_RELOAD_* */
    const char *module;         /* the module's name */
    const char *old_version;    /* the version serving before; NULL if its code was not loaded */
    const char *new_version;    /* the version tried; NULL when its manifest could not be read */
    FacetResult result;         /* FACET_OK, or why it was rolled back */
    const char *reason;         /* for FACET_RELOAD_ROLLED_BACK: a sentence; else "" */
} FacetReloadEvent;

#define FACET_RELOAD_EVENT_V1_SIZE \
    ((uint32_t)(offsetof(FacetReloadEvent, reason) + sizeof(const char *)))

/* Called on the thread that reloads (the host's, or the watcher's), with
 * the runtime's reload under way: it must not call facet_runtime_reload,
 * facet_runtime_start or facet_runtime_stop. Strings are valid during the
 * call only. */
typedef void (*FacetReloadFn)(const FacetReloadEvent *event, void *payload);

/* Loads the current files of the scanned module name (its manifest, then
 * its library) side by side with the version that serves, from a private
 * copy of the library, and swaps them: new instances come from the new
 * version, and objects made before keep the old code loaded until their
 * last Release (the old version then unloads at the next
 * facet_runtime_collect, which a watching runtime calls itself). The old
 * version's IFacetReloadable (on its factory) hands its state to the new
 * one's before Init; while the runtime is started, the modules that depend
 * on it are stopped first and started again after, in dependency order.
 * A new version that cannot be read or loaded, disagrees with its
 * manifest, needs a newer API level, breaks a "requires" range of a module
 * that depends on it (or one of its own), refuses the state, or fails
 * Init or Start is rolled back: the last good version keeps serving, the
 * result is the failure's code and facet_last_error() says which version
 * was refused and why. A module written in Go is refused in-process
 * (FACET_E_CONFLICT): a process has one Go runtime and cannot unload it.
 * FACET_E_NOTFOUND for a name no scan chose; FACET_E_STATE once
 * facet_runtime_free began. Reloads of one runtime are serialised. */
FACET_API FacetResult facet_runtime_reload(FacetRuntime *rt, const char *name);

/* Adds a listener of reload events; FACET_E_CONFLICT if the same fn and
 * payload listen already. */
FACET_API FacetResult facet_runtime_reload_listen(FacetRuntime *rt, FacetReloadFn fn,
                                                  void *payload);
/* Removes it; FACET_E_NOTFOUND if it was not listening. Returns after any
 * call of it under way. */
FACET_API FacetResult facet_runtime_reload_unlisten(FacetRuntime *rt, FacetReloadFn fn,
                                                    void *payload);

/* The default quiet time: 300 ms. A build or a copy writes a burst of
 * events, and a linker or a copy tool may close and open the file again
 * within it; a person does not notice it. */
#define FACET_WATCH_DELAY_DEFAULT 300u

typedef struct FacetWatchOptions {
    uint32_t struct_size;
    uint32_t delay_ms;          /* quiet time after a folder's last change; 0: the default */
} FacetWatchOptions;

#define FACET_WATCH_OPTIONS_INIT {sizeof(FacetWatchOptions), FACET_WATCH_DELAY_DEFAULT}
#define FACET_WATCH_OPTIONS_V1_SIZE \
    ((uint32_t)(offsetof(FacetWatchOptions, delay_ms) + sizeof(uint32_t)))

/* Watches the folder of every scanned module, with the system's own
 * notification (inotify, ReadDirectoryChangesW), on a thread of the
 * runtime: when a module's library or manifest changes (written in place
 * or renamed into place, in either order) and then stays quiet for
 * delay_ms, the module is reloaded as facet_runtime_reload does. Files
 * editors and linkers leave (".name", "name~", "#name#", "*.tmp",
 * "*.swp", ...) are ignored; a file still open for writing is waited for.
 * A folder deleted and made again is watched again. "hot_reload": true in
 * facet.conf.json calls this with the defaults. Calling it again changes
 * the delay. From here on every module of the runtime loads from a private
 * copy, so that its file can be replaced (on Windows too). */
FACET_API FacetResult facet_runtime_watch(FacetRuntime *rt, const FacetWatchOptions *opts);

/* Stops watching; returns after a reload under way. FACET_FALSE if the
 * runtime was not watching. */
FACET_API FacetResult facet_runtime_unwatch(FacetRuntime *rt);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* FACET_FACET_H */
