/*
 * probe_layout.h - the layout figures a probe build reports: sizes and
 * offsets of every ABI struct, as the compiler that built it sees them, and
 * the byte order of a GUID in memory. A host compares the component's list
 * with its own, figure by figure, and prints both.
 */
#ifndef FACET_PROBE_LAYOUT_H
#define FACET_PROBE_LAYOUT_H

#include "probe.h"

typedef struct ProbeAlignI64 {
    uint8_t c;
    int64_t v;
} ProbeAlignI64;
typedef struct ProbeAlignF64 {
    uint8_t c;
    double v;
} ProbeAlignF64;

/* X(name, value) for each figure, in the order GetLayout reports them. */
#define PROBE_LAYOUT_FIGURES(X)                                                  \
    X("sizeof(void *)", sizeof(void *))                                          \
    X("sizeof(float)", sizeof(float))                                            \
    X("sizeof(double)", sizeof(double))                                          \
    X("alignof(int64_t) in a struct", offsetof(ProbeAlignI64, v))                \
    X("alignof(double) in a struct", offsetof(ProbeAlignF64, v))                 \
    X("sizeof(FacetGuid)", sizeof(FacetGuid))                                    \
    X("offsetof(FacetGuid, Data2)", offsetof(FacetGuid, Data2))                  \
    X("offsetof(FacetGuid, Data3)", offsetof(FacetGuid, Data3))                  \
    X("offsetof(FacetGuid, Data4)", offsetof(FacetGuid, Data4))                  \
    X("sizeof(IFacetUnknown)", sizeof(IFacetUnknown))                            \
    X("sizeof(FacetModuleInfo)", sizeof(FacetModuleInfo))                        \
    X("offsetof(FacetModuleInfo, abi_version)", offsetof(FacetModuleInfo, abi_version)) \
    X("offsetof(FacetModuleInfo, name)", offsetof(FacetModuleInfo, name))        \
    X("offsetof(FacetModuleInfo, version)", offsetof(FacetModuleInfo, version)) \
    X("offsetof(FacetModuleInfo, api_level)", offsetof(FacetModuleInfo, api_level)) \
    X("offsetof(FacetModuleInfo, compiler)", offsetof(FacetModuleInfo, compiler)) \
    X("sizeof(FacetClassInfo)", sizeof(FacetClassInfo))                          \
    X("offsetof(FacetClassInfo, clsid)", offsetof(FacetClassInfo, clsid))        \
    X("offsetof(FacetClassInfo, contract)", offsetof(FacetClassInfo, contract))  \
    X("offsetof(FacetClassInfo, version)", offsetof(FacetClassInfo, version))    \
    X("offsetof(FacetClassInfo, threading)", offsetof(FacetClassInfo, threading)) \
    X("offsetof(FacetClassInfo, interface_count)", offsetof(FacetClassInfo, interface_count)) \
    X("offsetof(FacetClassInfo, interfaces)", offsetof(FacetClassInfo, interfaces)) \
    X("sizeof(ProbeRecord)", sizeof(ProbeRecord))                                \
    X("offsetof(ProbeRecord, i32)", offsetof(ProbeRecord, i32))                  \
    X("offsetof(ProbeRecord, u64)", offsetof(ProbeRecord, u64))                  \
    X("offsetof(ProbeRecord, f64)", offsetof(ProbeRecord, f64))                  \
    X("offsetof(ProbeRecord, f32)", offsetof(ProbeRecord, f32))                  \
    X("offsetof(ProbeRecord, guid)", offsetof(ProbeRecord, guid))                \
    X("offsetof(ProbeRecord, extra)", offsetof(ProbeRecord, extra))              \
    X("offsetof(ProbeRecord, pointer)", offsetof(ProbeRecord, pointer))          \
    X("IID_IProbe bytes 0-7 (little-endian)", probe_guid_bytes(&IID_IProbe, 0))  \
    X("IID_IProbe bytes 8-15 (little-endian)", probe_guid_bytes(&IID_IProbe, 8))

/* Eight bytes of a GUID as it lies in memory, byte 0 lowest. */
static inline uint64_t probe_guid_bytes(const FacetGuid *g, uint32_t from)
{
    const uint8_t *p = (const uint8_t *)g;
    uint64_t v = 0;
    uint32_t i;
    for (i = 0; i < 8; i++)
        v |= (uint64_t)p[from + i] << (8 * i);
    return v;
}

#define PROBE_LAYOUT_COUNT_(name, value) +1
#define PROBE_LAYOUT_COUNT (0 PROBE_LAYOUT_FIGURES(PROBE_LAYOUT_COUNT_))

/* Fills figures[0 .. PROBE_LAYOUT_COUNT-1] (no more than capacity); returns
 * the count. */
static inline uint32_t probe_layout_fill(uint64_t *figures, uint32_t capacity)
{
    uint32_t n = 0;
#define PROBE_LAYOUT_PUT_(name, value)    \
    if (n < capacity)                     \
        figures[n] = (uint64_t)(value);   \
    n++;
    PROBE_LAYOUT_FIGURES(PROBE_LAYOUT_PUT_)
#undef PROBE_LAYOUT_PUT_
    return n;
}

#endif /* FACET_PROBE_LAYOUT_H */
