/*
 * bench_ps.c - the library of proxies and stubs of bench.idl's interfaces,
 * which bench_oop and each process host load (facet_proxy_stubs_load) for
 * the rows that create a process-isolated adder through the runtime.
 */
#include <facet/proxystub.h>

extern const FacetPsLibrary facet_ps_bench;
static const FacetPsLibrary *const libs[] = {&facet_ps_bench};
FACET_PROXY_STUBS_ENTRY(libs)
