/*
 * netprobe_ps.c - the proxies and stubs of netprobe.idl, which the test
 * and each process host load (facet_proxy_stubs_load).
 */
#include <facet/proxystub.h>

extern const FacetPsLibrary facet_ps_netprobe;
static const FacetPsLibrary *const libs[] = {&facet_ps_netprobe};
FACET_PROXY_STUBS_ENTRY(libs)
