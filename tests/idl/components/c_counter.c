/* c_counter.c - INamedCounter written in C against the generated counter.h. */
#include <stdlib.h>
#include <string.h>

#include "counter.h"
#include "counter_component.h"

typedef struct CCounterObject {
    INamedCounter iface;
    uint32_t refs;
    int64_t value;
    uint64_t total;
    int32_t last;
} CCounterObject;

static CCounterObject *self_of(INamedCounter *p)
{
    return (CCounterObject *)(void *)p;
}

static FacetResult FACET_CALL qi(INamedCounter *This, const FacetGuid *iid, void **out)
{
    if (!out || !iid)
        return FACET_E_POINTER;
    if (FacetGuidEqual(iid, &IID_IFacetUnknown) || FacetGuidEqual(iid, &IID_ICounter) ||
        FacetGuidEqual(iid, &IID_INamedCounter)) {
        self_of(This)->refs++;
        *out = This;
        return FACET_OK;
    }
    *out = NULL;
    return FACET_E_NOINTERFACE;
}

static uint32_t FACET_CALL add_ref(INamedCounter *This)
{
    return ++self_of(This)->refs;
}

static uint32_t FACET_CALL release(INamedCounter *This)
{
    uint32_t n = --self_of(This)->refs;
    if (n == 0)
        free(self_of(This));
    return n;
}

static FacetResult FACET_CALL add(INamedCounter *This, int32_t step, int64_t *value)
{
    CCounterObject *s = self_of(This);
    if (step > (int32_t)COUNTER_MAX_STEP || step < -(int32_t)COUNTER_MAX_STEP)
        return FACET_E_INVALIDARG;
    s->value += step;
    s->total++;
    s->last = step;
    *value = s->value;
    return FACET_OK;
}

static FacetResult FACET_CALL get_stats(INamedCounter *This, CounterStats *stats)
{
    if (stats->struct_size < sizeof(CounterStats))
        return FACET_E_STRUCTSIZE;
    stats->total = self_of(This)->total;
    stats->last = self_of(This)->last;
    return FACET_OK;
}

static FacetResult FACET_CALL describe(INamedCounter *This, IFacetString **text)
{
    (void)This;
    *text = NULL;
    return FACET_E_NOTIMPL;
}

static FacetResult FACET_CALL add_many(INamedCounter *This, uint32_t count, const int32_t *steps)
{
    uint32_t i;
    int64_t v;
    for (i = 0; i < count; i++) {
        FacetResult r = add(This, steps[i], &v);
        if (FACET_FAILED(r))
            return r;
    }
    return FACET_OK;
}

static FacetResult FACET_CALL get_name(INamedCounter *This, const char **name)
{
    (void)This;
    *name = "c-counter";
    return FACET_OK;
}

static const INamedCounterVtbl vtbl = {qi, add_ref, release, add, get_stats, describe, add_many,
                                       get_name};

FacetResult counter_create_c(INamedCounter **out)
{
    CCounterObject *o = calloc(1, sizeof(*o));
    *out = NULL;
    if (!o)
        return FACET_E_OUTOFMEMORY;
    o->iface.lpVtbl = &vtbl;
    o->refs = 1;
    *out = &o->iface;
    return FACET_OK;
}
