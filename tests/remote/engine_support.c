/*
 * engine_support.c - what the tests of the engine share: the runtime's
 * allocator for the objects' [out] strings, and the tables by IID
 * (marshal.idl's, then libfacet's own).
 */
#include <string.h>

#include "engine_support.h"

extern const FacetPsLibrary facet_ps_marshal;

void *marshal_alloc(size_t size)
{
    return facet__malloc(size);
}

void marshal_free(void *p)
{
    facet__free(p);
}

const FacetPsInterface *marshal_find_ps(void *payload, const FacetGuid *iid)
{
    uint32_t i;
    (void)payload;
    for (i = 0; i < facet_ps_marshal.interface_count; i++)
        if (memcmp(&facet_ps_marshal.interfaces[i]->iid, iid, sizeof(*iid)) == 0)
            return facet_ps_marshal.interfaces[i];
    return facet__ps_builtin(iid);
}
