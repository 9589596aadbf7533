/* counter_component.h - the two implementations of INamedCounter. */
#ifndef COUNTER_COMPONENT_H
#define COUNTER_COMPONENT_H

#include "counter.h"

#ifdef __cplusplus
extern "C" {
#endif
FacetResult counter_create_c(INamedCounter **out);
FacetResult counter_create_cpp(INamedCounter **out);
#ifdef __cplusplus
}
#endif

#endif
