/*
 * bench/call_virtual.cpp - the loop of call.cpp_virtual, which sees only
 * the abstract class: each call loads the vtable, loads the slot and calls
 * it, as an interface call does.
 */
#include "call_virtual.h"

#include "harness.h"

static VirtualAdder *adder;

extern "C" double bench_call_virtual(uint64_t iters)
{
    if (adder == nullptr)
        adder = bench_virtual_adder_new();
    VirtualAdder *volatile held = adder; /* reloaded: no hoisting out of the loop */
    VirtualAdder *p = held;
    int64_t total = 0;
    uint64_t t0 = bench_now();
    for (uint64_t i = 0; i < iters; i++)
        p->Add(1, &total);
    uint64_t t1 = bench_now();
    bench_use(total);
    return static_cast<double>(t1 - t0) / static_cast<double>(iters);
}

extern "C" void bench_call_virtual_free(void)
{
    if (adder != nullptr)
        adder->Destroy();
    adder = nullptr;
}
