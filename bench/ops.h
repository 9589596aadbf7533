/*
 * bench/ops.h - the Facet operations that rows of several areas time. A
 * peer.* row runs the very function its Facet twin runs.
 */
#ifndef FACET_BENCH_OPS_H
#define FACET_BENCH_OPS_H

#include <facet/facet.h>

#include "benchmod.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A new runtime with module_file (of the module folder) loaded into it,
 * and the module in *module unless module is NULL; 0 on success, 1 with a
 * message on stderr. */
int bench_runtime_with(FacetRuntime **out, FacetModule **module, const char *module_file);

/* iters calls of IBenchAdder_Add on obj; nanoseconds per call. */
double bench_vtable_calls(IBenchAdder *obj, uint64_t iters);

/* iters times facet_create_instance of the adder + Release; nanoseconds
 * per pair, or -1 on a failure. */
double bench_creates_by_clsid(FacetRuntime *rt, uint64_t iters);

/* facet_scan of folder into a new runtime with no scan index; nanoseconds
 * for the scan, or -1 (with a message) if a manifest had a problem. */
double bench_scan_time(const char *folder);
/* The same with the runtime's scan index in folder index ("" for none). */
double bench_scan_time_index(const char *folder, const char *index);

/* Sets the time of every file in folder an hour back, as a host's plugins
 * are older than its scan index: one written in the same tick as the index
 * is never taken from it. */
int bench_age_files(const char *folder);

/* ---- Start-up: a new host process (bench/startup.c, peer_libpeas.c) ---- */

/* The plugins a host starts with, in dir: dir/plugins with count
 * manifests, 10 of them of real modules (bench_mod_v0..9, contracts
 * bench.vK.adder) and the rest of modules never loaded, aged an hour, and
 * dir/facet.conf.json naming the folder. */
int bench_write_startup(const char *dir, unsigned count);
/* What the host process does (this program run with --start CONF INDEX):
 * a runtime with its scan index in INDEX ("": none), the configuration
 * loaded, one object created from each of the 10 real modules and
 * released, the runtime freed. The process's exit status. */
int bench_startup_child(const char *conf, const char *index);
/* Runs this program with --start conf index and waits for it: the time
 * from start to exit, in ns, or -1. */
double bench_startup_time(const char *conf, const char *index);
/* Runs this program with the NULL-terminated args (at most 6) and waits
 * for it to exit 0: the time from start to exit, in ns, or -1. */
double bench_self_time(const char *const *args);

/* Writes count manifests (<folder>/bench_scan_<i>.facet.json), each a
 * module with one class of its own; 0 on success. No library is loaded
 * when they are scanned. */
int bench_write_manifests(const char *folder, unsigned count);

/* Writes text to path; 0 on success. */
int bench_write_text(const char *path, const char *text);

/* A new runtime (no scan index, a silent log) whose configuration makes
 * the adder of bench_mod_one.so, BENCH_ADDER_CONTRACT, process-isolated:
 * its objects live in facet-host. NULL, with a message, on failure. */
FacetRuntime *bench_isolated_runtime(void);

/* facet_create_instance_by_name of that adder in rt: its first create
 * starts facet-host. NULL, with a message, on failure. */
IBenchAdder *bench_isolated_adder(FacetRuntime *rt);

/* iters calls of IBenchAdder_Add on a (a process-isolated adder), each
 * checked: the time per call in ns, or -1 with a message. The peer.*
 * rows of the RPC peers. */
double bench_isolated_calls(IBenchAdder *a, uint64_t iters);

#ifdef __cplusplus
}
#endif

#endif
