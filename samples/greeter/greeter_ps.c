/*
 * greeter_ps.c - the proxies and stubs of greeter.idl and banner.idl (which
 * facet-idl writes), as a library: the host loads it before a greeter runs
 * in a process of its own, and so does that process.
 */
#include <facet/proxystub.h>

extern const FacetPsLibrary facet_ps_greeter, facet_ps_banner;
static const FacetPsLibrary *const libs[] = {&facet_ps_greeter, &facet_ps_banner};
FACET_PROXY_STUBS_ENTRY(libs)
