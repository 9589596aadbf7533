/*
 * core/remote/child.c - facet-host's side of a process-isolated module:
 * what the process host program runs (facet__process_host_main).
 *
 * The host starts facet-host with the transport's handle and its lifeline
 * (spawn_*.c). facet-host splits into a supervisor and a worker
 * (facet__child_supervise), maps the transport, and serves it. The host's
 * first request, BOOT, names the proxy/stub libraries to load, the
 * module's library, and hands over a reference to the module's host
 * object in the host; the worker loads the module, calls its one export
 * with a host object of its own, and answers the module's factory. From
 * then on the host calls the factory and the objects it makes through
 * their proxies, and the module calls the host's services through theirs.
 *
 * The module's host object here answers IFacetAllocator itself (memory is
 * each process's own) and IFacetNet (the host checks the right, connects
 * and hands the socket over the broker, broker.c: a socket pair on Linux,
 * a pipe on Windows), and hands every other question to the host's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "remote.h"
#include "sandbox.h"

/* A class of the module, and the apartment its objects are served in
 * (NULL: "any", on the lane's thread, concurrently). */
typedef struct ChildClass {
    FacetGuid clsid;
    FacetApartment *apt;
} ChildClass;

/* One process-isolated module: facet-host serves one. */
typedef struct Child {
    IFacetHost host;             /* what the module is handed */
    IFacetAllocator allocator;
    IFacetNet net;
    FacetSync *net_sync;         /* one Connect waits for its socket at a time */
    IFacetHost *remote_host;     /* the proxy of the host's host object */
    FacetConn *conn;
    FacetPsRegistry *ps;
    FacetOsLibrary lib;
    uint32_t class_count;
    struct ChildClass *classes;  /* where each class's objects are served */
    FacetSync *sync;             /* done, queue */
    uint32_t done;               /* SHUTDOWN, or the connection died */
    void (*queued)(void *arg);   /* a call for the main thread */
    void *queued_arg;
    uint32_t queued_done;
    char sandbox[1024];          /* what the wall is, for the host's log */
} Child;

static Child *child_of_host(IFacetHost *self)
{
    return (Child *)self;
}

/* ---- The module's allocator: this process's memory --------------------- */

static FacetResult FACET_CALL alloc_query(IFacetAllocator *self, const FacetGuid *iid, void **out)
{
    if (FacetGuidEqual(iid, &IID_IFacetAllocator) || FacetGuidEqual(iid, &IID_IFacetUnknown)) {
        *out = self;
        return FACET_OK;
    }
    *out = NULL;
    return FACET_E_NOINTERFACE;
}

static uint32_t FACET_CALL alloc_addref(IFacetAllocator *self)
{
    (void)self;
    return 2; /* lives as long as the process */
}

static FacetResult FACET_CALL alloc_alloc(IFacetAllocator *self, uint64_t size, void **out)
{
    (void)self;
    *out = size > SIZE_MAX ? NULL : facet__malloc(size ? (size_t)size : 1);
    return *out ? FACET_OK : FACET_E_OUTOFMEMORY;
}

static FacetResult FACET_CALL alloc_realloc(IFacetAllocator *self, void *p, uint64_t size,
                                            void **out)
{
    void *q;
    (void)self;
    q = size > SIZE_MAX ? NULL : facet__realloc(p, size ? (size_t)size : 1);
    *out = q;
    return q ? FACET_OK : FACET_E_OUTOFMEMORY;
}

static FacetResult FACET_CALL alloc_free(IFacetAllocator *self, void *p)
{
    (void)self;
    facet__free(p);
    return FACET_OK;
}

static const IFacetAllocatorVtbl allocator_vtbl = {alloc_query,   alloc_addref, alloc_addref,
                                                   alloc_alloc,   alloc_realloc, alloc_free};

/* ---- The module's IFacetNet: sockets the host connected ----------------- */

static FacetResult FACET_CALL host_query(IFacetHost *self, const FacetGuid *iid, void **out);

static Child *child_of_net(IFacetNet *self)
{
    return (Child *)(void *)((char *)self - offsetof(Child, net));
}

static FacetResult FACET_CALL net_query(IFacetNet *self, const FacetGuid *iid, void **out)
{
    if (FacetGuidEqual(iid, &IID_IFacetNet)) {
        *out = self;
        return FACET_OK;
    }
    return host_query(&child_of_net(self)->host, iid, out);
}

static uint32_t FACET_CALL net_addref(IFacetNet *self)
{
    (void)self;
    return 2; /* lives as long as the process */
}

/* The host checks the module's right, resolves, connects, and sends the
 * socket on the broker with the token its Connect answers; the socket is
 * taken here. One at a time, so that each finds its own. */
static FacetResult FACET_CALL net_connect(IFacetNet *self, const char *host, uint32_t port,
                                          uint64_t *out)
{
    Child *ch = child_of_net(self);
    IFacetNet *remote = NULL;
    uint64_t token = 0;
    FacetResult r;
    if (out == NULL)
        return FACET_E_POINTER;
    *out = UINT64_MAX;
    r = IFacetHost_QueryInterface(ch->remote_host, &IID_IFacetNet, (void **)&remote);
    if (FACET_FAILED(r))
        return r;
    facet__sync_lock(ch->net_sync);
    r = IFacetNet_Connect(remote, host, port, &token);
    if (FACET_SUCCEEDED(r))
        r = facet__child_receive_socket(token, out);
    facet__sync_unlock(ch->net_sync);
    IFacetNet_Release(remote);
    return r;
}

static const IFacetNetVtbl net_vtbl = {net_query, net_addref, net_addref, net_connect};

/* ---- The module's host object ------------------------------------------ */

static FacetResult FACET_CALL host_query(IFacetHost *self, const FacetGuid *iid, void **out)
{
    Child *ch = child_of_host(self);
    if (FacetGuidEqual(iid, &IID_IFacetHost) || FacetGuidEqual(iid, &IID_IFacetUnknown)) {
        *out = self;
        return FACET_OK;
    }
    if (FacetGuidEqual(iid, &IID_IFacetAllocator)) {
        *out = &ch->allocator;
        return FACET_OK;
    }
    if (FacetGuidEqual(iid, &IID_IFacetNet)) {
        *out = &ch->net;
        return FACET_OK;
    }
    return IFacetHost_QueryInterface(ch->remote_host, iid, out);
}

static uint32_t FACET_CALL host_addref(IFacetHost *self)
{
    (void)self;
    return 2; /* lives as long as the process */
}

static FacetResult FACET_CALL host_api_level(IFacetHost *self, uint32_t *out)
{
    return IFacetHost_GetApiLevel(child_of_host(self)->remote_host, out);
}

static FacetResult FACET_CALL host_query_service(IFacetHost *self, const FacetGuid *sid,
                                                 const FacetGuid *iid, void **out)
{
    if (FacetGuidEqual(sid, &IID_IFacetAllocator) || FacetGuidEqual(sid, &IID_IFacetNet))
        return host_query(self, iid, out);
    return IFacetHost_QueryService(child_of_host(self)->remote_host, sid, iid, out);
}

static FacetResult FACET_CALL host_create(IFacetHost *self, const FacetGuid *clsid,
                                          IFacetUnknown *outer, const FacetGuid *iid, void **out)
{
    return IFacetHost_CreateInstance(child_of_host(self)->remote_host, clsid, outer, iid, out);
}

static FacetResult FACET_CALL host_create_by_name(IFacetHost *self, const char *name,
                                                  IFacetUnknown *outer, const FacetGuid *iid,
                                                  void **out)
{
    return IFacetHost_CreateInstanceByName(child_of_host(self)->remote_host, name, outer, iid,
                                           out);
}

static FacetResult FACET_CALL host_blob(IFacetHost *self, const void *data, uint64_t size,
                                        IFacetBlob **out)
{
    return IFacetHost_CreateBlob(child_of_host(self)->remote_host, data, size, out);
}

static FacetResult FACET_CALL host_string(IFacetHost *self, const char *text, uint64_t length,
                                          IFacetString **out)
{
    /* UINT64_MAX: text ends at its NUL, which the host's side cannot
     * look for in this process's memory */
    if (length == UINT64_MAX && text != NULL)
        length = strlen(text);
    return IFacetHost_CreateString(child_of_host(self)->remote_host, text, length, out);
}

static const IFacetHostVtbl host_vtbl = {host_query,         host_addref,  host_addref,
                                         host_api_level,     host_query_service,
                                         host_create,        host_create_by_name,
                                         host_blob,          host_string};

/* ---- The module's factory, as the host sees it ---------------------------- *
 *
 * The module's own, with one thing added: an object it makes is served in
 * the apartment of its class, so that a "single" class is called one call
 * at a time and a "main" class on this process's main thread, as in the
 * host's process. */

typedef struct ChildFactory {
    IFacetFactory itf;
    uint32_t refs;               /* atomic */
    IFacetFactory *inner;
    Child *child;
} ChildFactory;

static ChildFactory *factory_of(IFacetFactory *self)
{
    return (ChildFactory *)self;
}

static FacetResult FACET_CALL cf_query(IFacetFactory *self, const FacetGuid *iid, void **out)
{
    if (FacetGuidEqual(iid, &IID_IFacetFactory) || FacetGuidEqual(iid, &IID_IFacetUnknown)) {
        IFacetFactory_AddRef(self);
        *out = self;
        return FACET_OK;
    }
    return IFacetFactory_QueryInterface(factory_of(self)->inner, iid, out);
}

static uint32_t FACET_CALL cf_addref(IFacetFactory *self)
{
    return facet__atomic_inc32(&factory_of(self)->refs);
}

static uint32_t FACET_CALL cf_release(IFacetFactory *self)
{
    ChildFactory *f = factory_of(self);
    uint32_t n = facet__atomic_dec32(&f->refs);
    if (n == 0) {
        IFacetFactory_Release(f->inner);
        facet__free(f);
    }
    return n;
}

static FacetResult FACET_CALL cf_info(IFacetFactory *self, FacetModuleInfo *out)
{
    return IFacetFactory_GetModuleInfo(factory_of(self)->inner, out);
}

static FacetResult FACET_CALL cf_count(IFacetFactory *self, uint32_t *out)
{
    return IFacetFactory_GetClassCount(factory_of(self)->inner, out);
}

static FacetResult FACET_CALL cf_describe(IFacetFactory *self, uint32_t index,
                                          FacetClassInfo *out)
{
    return IFacetFactory_DescribeClass(factory_of(self)->inner, index, out);
}

static FacetResult FACET_CALL cf_create(IFacetFactory *self, const FacetGuid *clsid,
                                        IFacetUnknown *outer, const FacetGuid *iid, void **out)
{
    ChildFactory *f = factory_of(self);
    uint32_t i;
    for (i = 0; clsid != NULL && i < f->child->class_count; i++)
        if (FacetGuidEqual(&f->child->classes[i].clsid, clsid)) {
            /* what this call's reply exports goes to the class's apartment */
            facet__apartment_set(f->child->classes[i].apt);
            break;
        }
    return IFacetFactory_CreateInstance(f->inner, clsid, outer, iid, out);
}

static FacetResult FACET_CALL cf_can_unload(IFacetFactory *self)
{
    return IFacetFactory_CanUnload(factory_of(self)->inner);
}

static const IFacetFactoryVtbl child_factory_vtbl = {cf_query,    cf_addref,   cf_release,
                                                     cf_info,     cf_count,    cf_describe,
                                                     cf_create,   cf_can_unload};

/* The apartments of the module's classes, from what its factory says. */
static FacetResult read_classes(Child *ch, IFacetFactory *factory)
{
    uint32_t count = 0, i;
    FacetResult r = IFacetFactory_GetClassCount(factory, &count);
    if (FACET_FAILED(r))
        return r;
    if (count > 65536)
        return FACET_E_CONTRACT;
    ch->classes = facet__calloc(count ? count : 1, sizeof(*ch->classes));
    if (ch->classes == NULL)
        return FACET_E_OUTOFMEMORY;
    for (i = 0; i < count; i++) {
        FacetClassInfo ci = FACET_CLASS_INFO_INIT;
        r = IFacetFactory_DescribeClass(factory, i, &ci);
        if (FACET_FAILED(r))
            return r;
        ch->classes[i].clsid = ci.clsid;
        ch->class_count = i + 1;
        if (ci.threading == FACET_THREADING_SINGLE || ci.threading == FACET_THREADING_MAIN) {
            r = facet__apartment_new(&ch->classes[i].apt, ci.threading == FACET_THREADING_MAIN
                                                                ? FACET_APT_MAIN
                                                                : FACET_APT_SINGLE);
            if (FACET_FAILED(r))
                return r;
        }
    }
    return FACET_OK;
}

/* ---- The connection's hooks ---------------------------------------------- */

static void dead(void *payload, FacetResult why, const char *text)
{
    Child *ch = payload;
    (void)why;
    (void)text;
    facet__sync_lock(ch->sync);
    ch->done = 1;
    facet__sync_broadcast(ch->sync);
    facet__sync_unlock(ch->sync);
}

static const FacetPsInterface *find_ps(void *payload, const FacetGuid *iid)
{
    Child *ch = payload;
    const FacetPsInterface *ps = facet__ps_builtin(iid);
    return ps != NULL ? ps : facet__ps_registry_find(ch->ps, iid);
}

static const FacetConnHooks hooks = {dead, find_ps};

/* Loads a library of proxies and stubs the host uses too. */
static FacetResult load_ps(Child *ch, const char *path)
{
    FacetOsLibrary lib;
    FacetProxyStubsFn fn;
    const FacetPsLibrary *const *libs;
    uint32_t count = 0, i;
    void *sym;
    FacetResult r = facet__os_lib_open(&lib, path);
    if (FACET_FAILED(r))
        return r;
    sym = facet__os_lib_sym(lib, FACET_PROXY_STUBS_ENTRY_NAME);
    if (sym == NULL)
        return facet__error(FACET_E_NOENTRY, "%s: no symbol '" FACET_PROXY_STUBS_ENTRY_NAME "'",
                            path);
    memcpy(&fn, &sym, sizeof(fn));
    libs = fn(&count);
    for (i = 0; i < count; i++) {
        r = facet__ps_registry_add(ch->ps, libs[i], path);
        if (FACET_FAILED(r))
            return r;
    }
    return FACET_OK;
}

/* BOOT: u32 count, count strings (proxy/stub libraries), the module's
 * library, the host's IFacetHost; the answer is the module's factory and
 * what the sandbox is ("" without one). */
static FacetResult boot(FacetConn *c, FacetMarshal *request, FacetMarshal *reply, void *payload)
{
    Child *ch = payload;
    uint32_t count, i;
    const char *library;
    FacetModuleEntryFn entry;
    IFacetFactory *factory = NULL;
    void *sym;
    FacetResult r;
    (void)c;

    count = facet__wire_get_u32(request);
    if (count > 1024)
        facet__wire_bad(request, "a BOOT naming more than 1024 proxy/stub libraries");
    for (i = 0; request->bad == NULL && i < count; i++) {
        const char *path = facet__wire_get_string(request);
        if (path != NULL && FACET_FAILED(load_ps(ch, path)))
            return facet_last_error_code();
    }
    library = facet__wire_get_string(request);
    if (request->bad == NULL && ch->remote_host == NULL)
        facet__wire_get_interface(request, (void **)&ch->remote_host, &IID_IFacetHost, NULL);
    if (request->bad != NULL || library == NULL || ch->remote_host == NULL)
        return FACET_E_INVALIDARG;
    if (ch->lib != NULL)
        return FACET_E_STATE;
    r = facet__os_lib_open(&ch->lib, library);
    if (FACET_FAILED(r))
        return r;
    sym = facet__os_lib_sym(ch->lib, FACET_MODULE_ENTRY_NAME);
    if (sym == NULL)
        return FACET_E_NOENTRY;
    memcpy(&entry, &sym, sizeof(entry));
    r = entry(FACET_ABI_VERSION, (IFacetUnknown *)&ch->host, &IID_IFacetFactory,
              (void **)&factory);
    if (FACET_FAILED(r))
        return r;
    if (factory == NULL)
        return FACET_E_CONTRACT;
    r = read_classes(ch, factory);
    if (FACET_SUCCEEDED(r)) {
        ChildFactory *f = facet__calloc(1, sizeof(*f));
        if (f == NULL) {
            r = FACET_E_OUTOFMEMORY;
        } else {
            f->itf.lpVtbl = &child_factory_vtbl;
            f->refs = 1;
            f->inner = factory;
            f->child = ch;
            facet__wire_put_interface(reply, &f->itf, &IID_IFacetFactory);
            IFacetFactory_Release(&f->itf);
            facet__wire_put_string(reply, ch->sandbox);
            return reply->error;
        }
    }
    IFacetFactory_Release(factory);
    return r;
}

static void shutdown_now(FacetConn *c, void *payload)
{
    Child *ch = payload;
    (void)c;
    facet__sync_lock(ch->sync);
    ch->done = 1;
    facet__sync_broadcast(ch->sync);
    facet__sync_unlock(ch->sync);
}

/* Runs fn(arg) on the main thread, which waits in facet__process_host_main. */
static void on_main(void (*fn)(void *arg), void *arg, void *payload)
{
    Child *ch = payload;
    facet__sync_lock(ch->sync);
    while (ch->queued != NULL && !ch->done)
        facet__sync_wait(ch->sync, 100);
    if (ch->done) {
        facet__sync_unlock(ch->sync);
        fn(arg); /* no main thread to run it any more: run it here */
        return;
    }
    ch->queued = fn;
    ch->queued_arg = arg;
    ch->queued_done = 0;
    facet__sync_broadcast(ch->sync);
    while (!ch->queued_done)
        facet__sync_wait(ch->sync, 100);
    ch->queued = NULL;
    facet__sync_broadcast(ch->sync);
    facet__sync_unlock(ch->sync);
}

#ifndef _WIN32
static intptr_t handle_arg(int argc, char **argv, const char *name)
{
    int i;
    for (i = 1; i + 1 < argc; i++)
        if (strcmp(argv[i], name) == 0) {
            char *end;
            long long v = strtoll(argv[i + 1], &end, 10);
            if (end != argv[i + 1] && *end == '\0' && v >= 0)
                return (intptr_t)v;
        }
    return -1;
}
#endif

int facet__process_host_main(int argc, char **argv)
{
    intptr_t transport, lifeline, broker = -1;
    FacetTransport *tr = NULL;
    FacetConnControl control;
    FacetSandboxPolicy *policy = NULL;
    Child ch;

#ifdef _WIN32
    if (FACET_FAILED(facet__child_handles(argc, argv, &transport, &lifeline, &broker)))
        transport = lifeline = -1;
#else
    transport = handle_arg(argc, argv, "--transport");
    lifeline = handle_arg(argc, argv, "--lifeline");
    broker = handle_arg(argc, argv, "--broker");
#endif

    if (transport < 0 || lifeline < 0) {
        fprintf(stderr, "facet-host: the process host of Facet; libfacet starts it for a module "
                        "whose isolation is \"process\" (--transport and --lifeline name what "
                        "it inherits)\n");
        return 2;
    }
    facet__child_supervise(lifeline);
    facet__broker_child_set(broker);
    memset(&ch, 0, sizeof(ch));
    /* The wall goes up while this is the one thread, before the module's
     * library is loaded (BOOT), and holds every thread made after it. */
#ifdef __linux__
    if (FACET_FAILED(facet__sandbox_from_args(argc, argv, &policy))) {
        fprintf(stderr, "facet-host: %s\n", facet_last_error());
        return 2;
    }
    if (policy != NULL) {
        int up = facet__sandbox_enter(policy, ch.sandbox, sizeof(ch.sandbox));
        facet__sandbox_policy_free(policy);
        if (up != 0) {
            fprintf(stderr, "facet-host: the sandbox could not be put up (%s); the module is not "
                            "loaded\n",
                    ch.sandbox);
            return 2;
        }
    }
#elif defined(_WIN32)
    /* The spawner put the wall up before this process ran a line
     * (spawn_win32.c): what is left is to say what it sees of it. */
    (void)policy;
    if (facet__sandbox_walled(argc, argv))
        facet__sandbox_describe(ch.sandbox, sizeof(ch.sandbox));
#else
    (void)policy;
#endif
    ch.host.lpVtbl = &host_vtbl;
    ch.allocator.lpVtbl = &allocator_vtbl;
    ch.net.lpVtbl = &net_vtbl;
    if (facet__shm_attach(&tr, transport) != FACET_TR_OK) {
        fprintf(stderr, "facet-host: handle %ld is not a transport of this build of Facet\n",
                (long)transport);
        return 2;
    }
#ifdef _WIN32
    /* A wait for the host sees its end, as a wait for the child does in
     * the host (the job kills this process then in any case). */
    facet__shm_watch_process(tr, (void *)lifeline);
#endif
    if (FACET_FAILED(facet__sync_new(&ch.sync)) || FACET_FAILED(facet__sync_new(&ch.net_sync)) ||
        FACET_FAILED(facet__ps_registry_new(&ch.ps)) ||
        FACET_FAILED(facet__conn_new(&ch.conn, tr, 0, &hooks, &ch))) {
        fprintf(stderr, "facet-host: %s\n", facet_last_error());
        return 2;
    }
    memset(&control, 0, sizeof(control));
    control.boot = boot;
    control.shutdown = shutdown_now;
    control.on_main = on_main;
    control.payload = &ch;
    facet__conn_set_control(ch.conn, &control);
    if (FACET_FAILED(facet__conn_serve(ch.conn))) {
        fprintf(stderr, "facet-host: %s\n", facet_last_error());
        return 2;
    }
    facet__sync_lock(ch.sync);
    for (;;) {
        if (ch.queued != NULL && !ch.queued_done) {
            void (*fn)(void *) = ch.queued;
            void *arg = ch.queued_arg;
            facet__sync_unlock(ch.sync);
            fn(arg);
            facet__sync_lock(ch.sync);
            ch.queued_done = 1;
            facet__sync_broadcast(ch.sync);
            continue;
        }
        if (ch.done)
            break;
        facet__sync_wait(ch.sync, 0);
    }
    facet__sync_unlock(ch.sync);
    /* The host let go (SHUTDOWN), or is gone: the module's objects are
     * released, then the process ends; the module is never unmapped. */
    facet__conn_close(ch.conn);
    if (ch.remote_host != NULL)
        IFacetHost_Release(ch.remote_host);
    facet__conn_release(ch.conn);
    {
        uint32_t i;
        for (i = 0; i < ch.class_count; i++)
            facet__apartment_free(ch.classes[i].apt);
        facet__free(ch.classes);
    }
    fflush(NULL);
    return 0;
}
