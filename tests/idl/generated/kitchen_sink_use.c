/*
 * kitchen_sink_use.c - code written against kitchen_sink.h, compiled by
 * compile_generated.sh as C and C++ and, for 32-bit Windows, where
 * FACET_CALL is __stdcall: the callbacks an interface takes keep their
 * calling convention, and the types of encapsulated unions and untagged
 * structs are what MIDL's headers make of them.
 */
#include "kitchen_sink.h"

#ifdef __cplusplus
extern "C" {
#endif

static FacetResult FACET_CALL visit(void *payload, uint32_t index)
{
    (void)payload;
    return index < 10 ? FACET_OK : FACET_FALSE;
}

static void FACET_CALL done(uint32_t code)
{
    (void)code;
}

static void log_line(const char *line)
{
    (void)line;
}

int facet_kitchen_sink_use(IKsSink *sink);

int facet_kitchen_sink_use(IKsSink *sink)
{
    KsPoint at = {1, 2};
    KsPointPtr pat = &at;
    KsEncap encap;
    KsEncapPtr pencap = &encap;
    KsAnonEncap any;
    KsNested nested;
    FacetResult r;
    encap.kind = 2;
    encap.u.d = 0.5;
    any.kind = 2;
    any.tagged_union.p = at;
    nested.kind = 1;
    nested.v.pair.a = pat->x;
    nested.v.pair.b = pat->y;
    nested.tagged[0] = encap;
    nested.tagged[1].kind = 1;
    nested.tagged[1].u.i = 7;
#if FACET_CPP_INTERFACES
    r = sink->Each(visit, NULL);
    if (FACET_SUCCEEDED(r))
        r = sink->Done(done, log_line);
    if (FACET_SUCCEEDED(r))
        r = sink->Shapes(pat, pencap, &any, &nested);
#else
    r = IKsSink_Each(sink, visit, NULL);
    if (FACET_SUCCEEDED(r))
        r = IKsSink_Done(sink, done, log_line);
    if (FACET_SUCCEEDED(r))
        r = IKsSink_Shapes(sink, pat, pencap, &any, &nested);
#endif
    return FACET_SUCCEEDED(r) ? 0 : 1;
}

#ifdef __cplusplus
}
#endif
