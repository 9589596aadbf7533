/*
 * engine_support.h - see engine_support.c.
 */
#ifndef ENGINE_SUPPORT_H
#define ENGINE_SUPPORT_H

#include "marshal_objects.h"
#include "remote/remote.h"

/* FacetConnHooks.find_ps of the tests. */
const FacetPsInterface *marshal_find_ps(void *payload, const FacetGuid *iid);

#endif
