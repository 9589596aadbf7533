/*
 * components/host/main.c - facet-host, the process host: libfacet starts
 * it for a module whose isolation is "process", and it serves that one
 * module until the host lets go of it or is gone. Everything it does is in
 * libfacet (core/remote/child.c), so that a host and its process host
 * always speak one version of the wire format.
 */
#include "remote/remote.h"

int main(int argc, char **argv)
{
    return facet__process_host_main(argc, argv);
}
