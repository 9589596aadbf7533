/*
 * victim_ps.c - the library of proxies and stubs of tests/isolation's
 * interfaces, which the test and each process host load
 * (facet_proxy_stubs_load).
 */
#include <facet/proxystub.h>

extern const FacetPsLibrary facet_ps_marshal, facet_ps_victim;
static const FacetPsLibrary *const libs[] = {&facet_ps_marshal, &facet_ps_victim};
FACET_PROXY_STUBS_ENTRY(libs)
