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
 *  - Runtime types are opaque. Option structs start with struct_size and
 *    have an _INIT macro.
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
} FacetRuntimeOptions;

#define FACET_RUNTIME_OPTIONS_INIT \
    {sizeof(FacetRuntimeOptions), FACET_API_LEVEL, FACET_LOG_INFO, NULL, NULL}

/* Creates a runtime. opts may be NULL for the defaults. */
FACET_API FacetResult facet_runtime_new(FacetRuntime **out, const FacetRuntimeOptions *opts);

/* Gives up the host's hold on the runtime: unloads every module it can.
 * A module with live objects stays loaded (its code is never pulled from
 * under a live object) and keeps the runtime's memory alive until the
 * process ends; then the result is FACET_FALSE and the message names it.
 * NULL is a no-op. Must not race with other calls on rt. */
FACET_API FacetResult facet_runtime_free(FacetRuntime *rt);

/* Unloads every module that the host has let go of (facet_module_unload)
 * and whose CanUnload now says FACET_OK, as CoFreeUnusedLibraries does.
 * Returns FACET_OK when none is left waiting, FACET_FALSE otherwise. */
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

FACET_API FacetResult facet_runtime_stats(FacetRuntimeStats *out, FacetRuntime *rt);

/* The runtime's allocator service, AddRef'd: the same one modules reach
 * through their host object. */
FACET_API FacetResult facet_runtime_allocator(IFacetAllocator **out, FacetRuntime *rt);

/* ---- Modules ----------------------------------------------------------- */

/* Loads the module at path (UTF-8), checks that it is a library for this
 * machine, calls its facet_module_entry, reads its module and class info and
 * registers its classes. Loading the same file again returns the same module
 * with one more hold on it. Each failure has its own code: FACET_E_FILENOTFOUND,
 * FACET_E_NOTAFILE, FACET_E_EMPTYFILE, FACET_E_NOTLIBRARY, FACET_E_TRUNCATED,
 * FACET_E_WRONGARCH, FACET_E_LOADFAILED, FACET_E_NOENTRY, FACET_E_ABIMISMATCH,
 * FACET_E_CONTRACT, FACET_E_STRUCTSIZE, FACET_E_APILEVEL, FACET_E_CONFLICT. */
FACET_API FacetResult facet_module_load(FacetModule **out, FacetRuntime *rt, const char *path);

/* Lets go of one hold. At the last one the module's classes are unregistered
 * at once, and its code is unloaded as soon as CanUnload says FACET_OK: now
 * (FACET_OK) or at a later facet_runtime_collect (FACET_FALSE). */
FACET_API FacetResult facet_module_unload(FacetModule *module);

/* What the module said in GetModuleInfo. Strings are borrowed from the
 * module and valid while the host holds it. */
FACET_API FacetResult facet_module_info(FacetModuleInfo *out, const FacetModule *module);

/* The full path the module was loaded from, borrowed while the host holds it. */
FACET_API const char *facet_module_path(const FacetModule *module);

/* The module's factory, AddRef'd, for DescribeClass and for the optional
 * module interfaces (IFacetLifecycle, IFacetReloadable) by QueryInterface. */
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

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* FACET_FACET_H */
