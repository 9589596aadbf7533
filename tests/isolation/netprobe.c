/*
 * netprobe.c - the module of tests/isolation/broker.c: it reaches the
 * network only through the host's IFacetNet, in the host's process or in
 * a process host of its own. The socket it is handed is a file descriptor
 * on POSIX systems and a SOCKET on Windows, which it owns and closes.
 */
#ifdef _WIN32
#include <winsock2.h>
#include <windows.h>
#define probe_send(s, p, n) send((SOCKET)(s), (const char *)(p), (int)(n), 0)
#define probe_recv(s, p, n) recv((SOCKET)(s), (char *)(p), (int)(n), 0)
#define probe_close(s) closesocket((SOCKET)(s))
#define probe_pid() ((uint32_t)GetCurrentProcessId())
#else
#define _DEFAULT_SOURCE 1
#include <unistd.h>
#define probe_send(s, p, n) write((int)(s), (p), (n))
#define probe_recv(s, p, n) read((int)(s), (p), (n))
#define probe_close(s) close((int)(s))
#define probe_pid() ((uint32_t)getpid())
#endif

#define FACET_KIT_IMPLEMENTATION
#include <facet/module.h>

#include "netprobe.h"

typedef struct NetProbe {
    INetProbe probe;
    uint32_t refs;
} NetProbe;

#define NETPROBE_INTERFACES(X) X(NetProbe, probe, INetProbe)
FACET_KIT_OBJECT(NetProbe, NETPROBE_INTERFACES)

/* Connects, says "PING", and reads the server's four bytes back. */
static FacetResult FACET_CALL p_fetch(INetProbe *self, const char *host, uint32_t port,
                                      uint32_t *value)
{
    IFacetNet *net = NULL;
    uint64_t s = UINT64_MAX;
    size_t got = 0;
    FacetResult r;
    (void)self;
    r = IFacetHost_QueryInterface(facet_kit_host, &IID_IFacetNet, (void **)&net);
    if (FACET_FAILED(r))
        return r;
    r = IFacetNet_Connect(net, host, port, &s);
    IFacetNet_Release(net);
    if (FACET_FAILED(r))
        return r;
    if (probe_send(s, "PING", 4) != 4) {
        probe_close(s);
        return FACET_E_FAIL;
    }
    while (got < sizeof(*value)) {
        long n = (long)probe_recv(s, (char *)value + got, sizeof(*value) - got);
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    probe_close(s);
    return got == sizeof(*value) ? FACET_OK : FACET_E_FAIL;
}

static FacetResult FACET_CALL p_pid(INetProbe *self, uint32_t *pid)
{
    (void)self;
    *pid = probe_pid();
    return FACET_OK;
}

static const INetProbeVtbl probe_vtbl = {FACET_KIT_IUNKNOWN(NetProbe, probe), p_fetch, p_pid};

static FacetResult probe_create(IFacetUnknown *outer, const FacetGuid *iid, void **out)
{
    NetProbe *p;
    FacetResult r = NetProbe_kit_new(&p);
    (void)outer;
    if (FACET_FAILED(r))
        return r;
    p->probe.lpVtbl = &probe_vtbl;
    return NetProbe_kit_hand_out(p, iid, out);
}

static const FacetKitClassDef classes[] = {
    FACET_KIT_CLASS("test.net.probe", "1.0.0", FACET_THREADING_ANY, NetProbe, probe_create,
                    {0xe58cc76f, 0xfc85, 0x44ff, {0x8b, 0x65, 0x15, 0x8a, 0xf1, 0x91, 0xc2, 0xca}}),
};

FACET_KIT_MODULE("test.net", "1.0.0", classes)
