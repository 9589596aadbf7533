/* cpp_counter.cpp - INamedCounter written in C++ against the generated
 * counter.h, with facet::Object. */
#include <facet/facet.hpp>

#include "counter.h"
#include "counter_component.h"

namespace {

class Counter : public facet::Object<INamedCounter> {
public:
    FacetResult FACET_CALL Add(int32_t step, int64_t *value) override
    {
        if (step > static_cast<int32_t>(COUNTER_MAX_STEP) ||
            step < -static_cast<int32_t>(COUNTER_MAX_STEP))
            return FACET_E_INVALIDARG;
        value_ += step;
        total_++;
        last_ = step;
        *value = value_;
        return FACET_OK;
    }
    FacetResult FACET_CALL GetStats(CounterStats *stats) override
    {
        if (stats->struct_size < sizeof(CounterStats))
            return FACET_E_STRUCTSIZE;
        stats->total = total_;
        stats->last = last_;
        return FACET_OK;
    }
    FacetResult FACET_CALL Describe(IFacetString **text) override
    {
        *text = nullptr;
        return FACET_E_NOTIMPL;
    }
    FacetResult FACET_CALL AddMany(uint32_t count, const int32_t *steps) override
    {
        int64_t v;
        for (uint32_t i = 0; i < count; i++) {
            FacetResult r = Add(steps[i], &v);
            if (FACET_FAILED(r))
                return r;
        }
        return FACET_OK;
    }
    FacetResult FACET_CALL GetName(const char **name) override
    {
        *name = "cpp-counter";
        return FACET_OK;
    }

private:
    int64_t value_ = 0;
    uint64_t total_ = 0;
    int32_t last_ = 0;
};

} // namespace

extern "C" FacetResult counter_create_cpp(INamedCounter **out)
{
    facet::Ptr<Counter> c = facet::Make<Counter>();
    *out = nullptr;
    if (!c)
        return FACET_E_OUTOFMEMORY;
    *out = c.As<INamedCounter>().Detach();
    return *out ? FACET_OK : FACET_E_FAIL;
}
