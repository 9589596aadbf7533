/*
 * facet/check.h - reading and checking modules without trusting them:
 * libfacet-check, the conformance checker, a library of its own on top of
 * libfacet (link Facet::check, or pkg-config facet-check). libfacet itself
 * contains none of it.
 *
 * Both entry points run the module in a child process (a small helper
 * program, facet-probe, next to libfacet-check in a build tree, in
 * libexec/facet once installed), so a module that crashes, hangs or calls exit() while
 * it is loaded or exercised is reported as such and never takes the host
 * with it:
 *
 *  - facet_probe() loads the module and reads its module and class info.
 *  - facet_validate() runs the conformance checks (docs/facet.md) on
 *    every class: QueryInterface identity and rules, AddRef/Release counts,
 *    release to zero with nothing leaked, aggregation, CanUnload, and a
 *    multi-thread stress. Each violation names the rule, the class, the
 *    interface, what was expected and what was seen.
 *
 * The child reports on a channel of its own, apart from the module's
 * stdout and stderr (which the report keeps, cut to their first and last
 * bytes: facet_report_stdout, facet_report_stderr), and a report says "ok"
 * only when it arrived whole and the child ended the way the helper ends.
 * That guards against accidents and careless modules: one that prints, one
 * that exits, one that closes its descriptors, one that writes endlessly
 * (more than 16 MiB to stdout or stderr is FACET_OUTCOME_FLOODED). It is no
 * security boundary: code running in the child can find the channel and
 * write to it, so a module written to deceive is contained only by process
 * isolation and the sandbox, never by what its probe says.
 *
 * A probe cache (facet_probe_cache_*) remembers probe results by path,
 * size, modification time and content hash, so a rescan probes only what
 * changed, and keeps modules that failed their probe on a quarantine list
 * until they change. facet_module_load_probed loads a module into the
 * host only after a probe in a child passed it.
 *
 * Same conventions as facet.h.
 */
#ifndef FACET_CHECK_H
#define FACET_CHECK_H

#include "facet.h"

/* libfacet-check's own exports, as FACET_API is libfacet's. */
#if defined(_WIN32) && !defined(FACET_STATIC)
#ifdef FACET_BUILDING_CHECK
#define FACET_CHECK_API __declspec(dllexport)
#else
#define FACET_CHECK_API __declspec(dllimport)
#endif
#elif defined(__GNUC__) || defined(__clang__)
#define FACET_CHECK_API __attribute__((visibility("default")))
#else
#define FACET_CHECK_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Options ----------------------------------------------------------- */

struct FacetTypeLibInfo; /* <facet/typeinfo.h> */

typedef struct FacetCheckOptions {
    uint32_t struct_size;
    uint32_t timeout_ms;  /* the child is killed after this; 0 means 10000 */
    uint32_t threads;     /* stress threads per class; 0 means 4 */
    uint32_t iterations;  /* AddRef/QI/Release rounds per thread; 0 means 20000 */
    const char *helper;   /* the facet-probe program; NULL: FACET_PROBE_HELPER from
                             the environment, else the one next to
                             libfacet-check */
    /* Since FACET_CHECK_OPTIONS_V1_SIZE: */
    uint32_t type_lib_count;
    /* Type info (what facet-idl writes, X_typeinfo.c) that names the
     * interfaces a module does not name itself (IFacetTypeInfoSource), in
     * messages and in facet_report_interface_name; the first few hundred
     * interfaces are passed on. */
    const struct FacetTypeLibInfo *const *type_libs;
} FacetCheckOptions;

#define FACET_CHECK_OPTIONS_INIT {sizeof(FacetCheckOptions), 0, 0, 0, NULL, 0, NULL}
/* The size of the first FacetCheckOptions, the least the library reads. */
#define FACET_CHECK_OPTIONS_V1_SIZE \
    ((uint32_t)(offsetof(FacetCheckOptions, helper) + sizeof(const char *)))

/* ---- Reports ----------------------------------------------------------- */

/* How the child that read or checked the module ended. */
#define FACET_OUTCOME_OK 0u         /* it ran to the end and its report is whole */
#define FACET_OUTCOME_LOADFAILED 1u /* the module did not load; reason says why */
#define FACET_OUTCOME_CRASHED 2u    /* the module crashed the child */
#define FACET_OUTCOME_TIMEDOUT 3u   /* the module hung; the child was killed */
#define FACET_OUTCOME_EXITED 4u     /* the module ended the child (exit, _exit) */
#define FACET_OUTCOME_FLOODED 5u    /* the module wrote more than 16 MiB to stdout or
                                       stderr; the child was killed */
#define FACET_OUTCOME_BADREPORT 6u  /* the child ended as the helper ends, but its
                                       report is damaged or cut short: the module
                                       closed or wrote on the report channel */

typedef struct FacetReport FacetReport;

/* One broken rule. Strings are borrowed from the report. */
typedef struct FacetViolation {
    uint32_t struct_size;
    const char *rule;       /* "qi-identity", "leak", ...: docs/facet.md lists them */
    const char *class_name; /* the contract name, or the clsid in text; NULL for the module */
    FacetGuid clsid;        /* zero for the module */
    const char *interface_name; /* interface name or IID text; NULL when none applies */
    const char *expected;
    const char *seen;
} FacetViolation;

#define FACET_VIOLATION_INIT {sizeof(FacetViolation), NULL, NULL, {0, 0, 0, {0}}, NULL, NULL, NULL}
#define FACET_VIOLATION_V1_SIZE ((uint32_t)(offsetof(FacetViolation, seen) + sizeof(const char *)))

/* Loads the module at path in a child process and reads its module and
 * class info. FACET_OK: *out holds them. FACET_FALSE: the module failed
 * (did not load, crashed, hung, exited); *out says how. A failure code
 * with *out NULL when the probe itself could not run (no helper, no
 * process). */
FACET_CHECK_API FacetResult facet_probe(FacetReport **out, const char *path,
                                        const FacetCheckOptions *opts);

/* Runs the conformance checks on every class of the module at path, in a
 * child process. FACET_OK: no violation. FACET_FALSE: violations, listed in
 * *out (a crash, a hang or an exit is one too). A failure code with *out
 * NULL when the run itself could not happen. */
FACET_CHECK_API FacetResult facet_validate(FacetReport **out, const char *path,
                                           const FacetCheckOptions *opts);

FACET_CHECK_API void facet_report_free(FacetReport *report);

FACET_CHECK_API uint32_t facet_report_outcome(const FacetReport *report);
/* "crashed in facet_module_entry (SIGSEGV)"; "" when the outcome is OK. */
FACET_CHECK_API const char *facet_report_reason(const FacetReport *report);
/* The module file the report is about. */
FACET_CHECK_API const char *facet_report_path(const FacetReport *report);
/* What the module wrote to its stdout and its stderr while the child ran:
 * the first 1 KiB and the last 3 KiB, with a line between saying how much
 * was left out; invalid UTF-8, NUL and control characters other than tab
 * and line ends replaced by U+FFFD. "" when it wrote nothing. A crash in
 * the system loader (an assertion of ld.so, a constructor) says what
 * happened here. Borrowed from the report. */
FACET_CHECK_API const char *facet_report_stdout(const FacetReport *report);
FACET_CHECK_API const char *facet_report_stderr(const FacetReport *report);

/* The module's info. FACET_E_NOTFOUND when the module failed before it
 * said. Strings are borrowed from the report. */
FACET_CHECK_API FacetResult facet_report_module(FacetModuleInfo *out, const FacetReport *report);
FACET_CHECK_API uint32_t facet_report_class_count(const FacetReport *report);
FACET_CHECK_API FacetResult facet_report_class(FacetClassInfo *out, const FacetReport *report,
                                               uint32_t index);

/* The name of interface iid as the module's own type info gives it (a
 * module offers type info through IFacetTypeInfoSource, <facet/typeinfo.h>),
 * else as FacetCheckOptions.type_libs gave it, or NULL when neither names
 * it. Borrowed from the report. */
FACET_CHECK_API const char *facet_report_interface_name(const FacetReport *report,
                                                        const FacetGuid *iid);

/* The module's manifest (<module>.facet.json next to it), or NULL when it
 * has none. *problem (problem may be NULL) is NULL when the manifest is
 * sound and agrees with what the module says of itself (name, version,
 * api level, classes and their interfaces), else why not: the manifest's
 * own error, or FACET_E_MISMATCH's list of each field that differs.
 * facet_validate reports a problem as a violation of rule "manifest" too. */
FACET_CHECK_API const char *facet_report_manifest(const FacetReport *report, const char **problem);

/* Writes a manifest (docs/manifest.md) for the module a probe read: its
 * name, version, api level, library (the module's file name) and classes
 * with clsid, contract, version, threading and interfaces. path NULL means
 * <module>.facet.json next to the module; a manifest names its library
 * relative to its own folder, so it belongs there. The text is checked by
 * the manifest parser before the file is written (atomically).
 * FACET_E_STATE when the module failed its probe. */
FACET_CHECK_API FacetResult facet_report_write_manifest(const FacetReport *report,
                                                        const char *path);

FACET_CHECK_API uint32_t facet_report_violation_count(const FacetReport *report);
FACET_CHECK_API FacetResult facet_report_violation(FacetViolation *out, const FacetReport *report,
                                                   uint32_t index);

/* ---- The probe cache --------------------------------------------------- */

typedef struct FacetProbeCache FacetProbeCache;

/* Opens the cache kept in file (a JSON file libfacet-check owns; its format may
 * change between versions, and a file it cannot read is started afresh).
 * A missing file is an empty cache. */
FACET_CHECK_API FacetResult facet_probe_cache_open(FacetProbeCache **out, const char *file);

/* Writes the cache back to its file (atomically: a new file renamed over
 * the old). */
FACET_CHECK_API FacetResult facet_probe_cache_save(FacetProbeCache *cache);

FACET_CHECK_API void facet_probe_cache_free(FacetProbeCache *cache);

/* The probe report for the module at path: the cached one while the
 * file's size, modification time and content hash are what they were,
 * else a fresh facet_probe() whose result is cached. A module whose probe
 * crashed, hung or exited is quarantined: its cached report comes back,
 * and it is not run again until the file changes. Returns what facet_probe
 * returns; *probed (may be NULL) is 1 when the module was run just now. */
FACET_CHECK_API FacetResult facet_probe_cache_get(FacetReport **out, int *probed,
                                                  FacetProbeCache *cache, const char *path,
                                                  const FacetCheckOptions *opts);

typedef struct FacetProbeCacheEntry {
    uint32_t struct_size;
    const char *path;     /* borrowed from the cache */
    uint32_t outcome;     /* FACET_OUTCOME_* of its last probe */
    uint32_t quarantined; /* 1: crashed, hung or exited; skipped until it changes */
    const char *reason;   /* why, "" when it probed clean */
} FacetProbeCacheEntry;

#define FACET_PROBE_CACHE_ENTRY_INIT {sizeof(FacetProbeCacheEntry), NULL, 0, 0, NULL}
#define FACET_PROBE_CACHE_ENTRY_V1_SIZE \
    ((uint32_t)(offsetof(FacetProbeCacheEntry, reason) + sizeof(const char *)))

FACET_CHECK_API uint32_t facet_probe_cache_count(const FacetProbeCache *cache);
FACET_CHECK_API FacetResult facet_probe_cache_entry(FacetProbeCacheEntry *out,
                                                    const FacetProbeCache *cache, uint32_t index);
/* Forgets the entry of path (after the user fixed a module by other means);
 * FACET_E_NOTFOUND if there is none. */
FACET_CHECK_API FacetResult facet_probe_cache_forget(FacetProbeCache *cache, const char *path);

/* ---- Loading only what a probe passed ---------------------------------- */

/* facet_module_load (facet/facet.h) trusts the file it is given: the
 * system loader runs the library's constructors in the host's process, and
 * a damaged or hostile file can crash or end the host there, before any
 * check of Facet's can look. This loads path into rt only after a probe in
 * a child process (facet_probe, through cache when one is given: a file
 * probed clean and unchanged since is not probed again) read it cleanly,
 * and after the probe checks that the file is still the one probed.
 *
 * FACET_OK: *out is loaded, as by facet_module_load. When the probe
 * found the module failing, nothing is loaded and the result says how, with
 * the probe's reason in the message (and, with a cache, the module stays
 * quarantined there until it changes): the module's own load error (as
 * facet_module_load would have returned it) when it did not load,
 * FACET_E_CRASHED when it crashed or ended the child, FACET_E_TIMEOUT when
 * it hung, FACET_E_CONTRACT when it flooded its output or damaged the
 * report. FACET_E_MISMATCH: the file changed between its probe and its
 * load. Any failure of facet_probe or facet_module_load otherwise. cache
 * and opts may be NULL.
 *
 * A probe protects the host against accidents, not against a module
 * written to deceive: code in the child can forge what the probe reports.
 * Untrusted code belongs in a process of its own (isolation "process"). */
FACET_CHECK_API FacetResult facet_module_load_probed(FacetModule **out, FacetRuntime *rt,
                                                     const char *path, FacetProbeCache *cache,
                                                     const FacetCheckOptions *opts);

/* ---- Module files ------------------------------------------------------ */

typedef FacetResult (*FacetPathFn)(const char *path, void *payload);

/* Calls fn with the path of every regular file in dir whose name ends in
 * this platform's module suffix (".so", ".dll", ".dylib"), in name order,
 * without loading any. An entry that is not a regular file, or that cannot
 * be looked at (a link to nowhere, a link to itself, one removed since the
 * listing), is passed over. Stops at the first failure fn returns and
 * returns it. FACET_E_FILENOTFOUND or FACET_E_NOTAFILE for a dir that is
 * not a folder. */
FACET_CHECK_API FacetResult facet_module_files(const char *dir, FacetPathFn fn, void *payload);

/* ---- The helper -------------------------------------------------------- */

/* The body of the facet-probe helper program: a host that ships its own
 * helper calls this from main() and returns what it returns. Not for any
 * other use: it loads the module named in argv into this process. */
FACET_CHECK_API int facet_probe_helper_main(int argc, char **argv);

#ifdef __cplusplus
}
#endif

#endif /* FACET_CHECK_H */
