/*
 * bench/call_target.c - the function call.direct and call.indirect call:
 * the same body as the adder's Add in bench/modules/benchmod.c, in its own
 * file so that the compiler cannot inline it into the loop.
 */
#include "call_target.h"

FacetResult bench_direct_add(BenchState *self, int32_t delta, int64_t *total)
{
    self->value += delta;
    *total = self->value;
    return FACET_OK;
}
