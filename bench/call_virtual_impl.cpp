/*
 * bench/call_virtual_impl.cpp - the class call.cpp_virtual calls: the
 * adder's body (add to a 64-bit value, write the total out, return 0), as
 * a C++ programmer writes it, with no Facet header.
 */
#include "call_virtual.h"

namespace {

class Adder final : public VirtualAdder {
public:
    int32_t Add(int32_t delta, int64_t *total) override
    {
        value_ += delta;
        *total = value_;
        return 0;
    }
    void Destroy() override { delete this; }

private:
    uint32_t refs_ = 1; /* the layout of an object: the vtable, a count, the value */
    int64_t value_ = 0;
};

} // namespace

VirtualAdder *bench_virtual_adder_new()
{
    return new Adder();
}
