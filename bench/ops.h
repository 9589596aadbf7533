/*
 * bench/ops.h - the Facet operations that rows of several areas time. A
 * peer.* row runs the very function its Facet twin runs.
 */
#ifndef FACET_BENCH_OPS_H
#define FACET_BENCH_OPS_H

#include <facet/facet.h>

#include "benchmod.h"

/* A new runtime with module_file (of the module folder) loaded into it,
 * and the module in *module unless module is NULL; 0 on success, 1 with a
 * message on stderr. */
int bench_runtime_with(FacetRuntime **out, FacetModule **module, const char *module_file);

/* iters calls of IBenchAdder_Add on obj; nanoseconds per call. */
double bench_vtable_calls(IBenchAdder *obj, uint64_t iters);

/* iters times facet_create_instance of the adder + Release; nanoseconds
 * per pair, or -1 on a failure. */
double bench_creates_by_clsid(FacetRuntime *rt, uint64_t iters);

#endif
