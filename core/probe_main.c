/*
 * core/probe_main.c - facet-probe, the helper program that facet_probe and
 * facet_validate run a module in. All of it is in libfacet
 * (facet_probe_helper_main), so a host can ship its own copy.
 */
#include "facet/validate.h"

int main(int argc, char **argv)
{
    return facet_probe_helper_main(argc, argv);
}
