/*
 * netbench.c - the module of bench/net.c: it connects through the host's
 * IFacetNet, the only way a sandboxed module reaches the network.
 */
#define _DEFAULT_SOURCE 1
#include <unistd.h>

#define FACET_KIT_IMPLEMENTATION
#include <facet/module.h>

#include "bench.h"

typedef struct NetBench {
    IBenchNet net;
    uint32_t refs;
} NetBench;

#define NETBENCH_INTERFACES(X) X(NetBench, net, IBenchNet)
FACET_KIT_OBJECT(NetBench, NETBENCH_INTERFACES)

static FacetResult FACET_CALL n_connect(IBenchNet *self, const char *host, uint32_t port,
                                        uint32_t count)
{
    IFacetNet *net = NULL;
    uint32_t i;
    FacetResult r;
    (void)self;
    r = IFacetHost_QueryInterface(facet_kit_host, &IID_IFacetNet, (void **)&net);
    for (i = 0; FACET_SUCCEEDED(r) && i < count; i++) {
        uint64_t s = UINT64_MAX;
        r = IFacetNet_Connect(net, host, port, &s);
        if (FACET_SUCCEEDED(r))
            close((int)s);
    }
    if (net != NULL)
        IFacetNet_Release(net);
    return r;
}

static const IBenchNetVtbl net_vtbl = {FACET_KIT_IUNKNOWN(NetBench, net), n_connect};

static FacetResult net_create(IFacetUnknown *outer, const FacetGuid *iid, void **out)
{
    NetBench *n;
    FacetResult r = NetBench_kit_new(&n);
    (void)outer;
    if (FACET_FAILED(r))
        return r;
    n->net.lpVtbl = &net_vtbl;
    return NetBench_kit_hand_out(n, iid, out);
}

static const FacetKitClassDef classes[] = {
    FACET_KIT_CLASS("bench.net", "1.0.0", FACET_THREADING_ANY, NetBench, net_create,
                    {0xb3c4e0a1, 0x6f2d, 0x4e57, {0x9a, 0x10, 0x5c, 0x3b, 0x2d, 0x1e, 0x0f, 0x30}}),
};

FACET_KIT_MODULE("bench.net", "1.0.0", classes)
