/*
 * bench/call_virtual.h - call.cpp_virtual: the baseline of an interface
 * call, a C++ virtual call through a class that knows nothing of Facet
 * (no Facet header anywhere in bench/call_virtual*.cpp). The class lives in
 * another file than the loop, so the compiler cannot see through the call.
 */
#ifndef FACET_BENCH_CALL_VIRTUAL_H
#define FACET_BENCH_CALL_VIRTUAL_H

#include <stdint.h>

#ifdef __cplusplus
class VirtualAdder {
public:
    virtual int32_t Add(int32_t delta, int64_t *total) = 0;
    virtual void Destroy() = 0;

protected:
    ~VirtualAdder() {}
};

/* A new adder with the same body as the module's Add (call_virtual_impl.cpp). */
VirtualAdder *bench_virtual_adder_new();

extern "C" {
#endif
/* obj->Add(1, &total) iters times; nanoseconds per call. */
double bench_call_virtual(uint64_t iters);
void bench_call_virtual_free(void);
#ifdef __cplusplus
}
#endif

#endif
