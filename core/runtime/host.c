/*
 * core/runtime/host.c - the host object handed to each module.
 *
 * One object per module (and one for the runtime itself), so the host knows
 * who asks for a service. It is a single COM object with five interfaces:
 * IFacetHost, IFacetAllocator, IFacetLogger, IFacetConfig (the module's
 * settings from the host configuration) and IFacetNet (outbound TCP where
 * the module's net.connect rights allow it). QueryInterface among them keeps
 * COM's identity rules; for any other IID it hands out the host-registered
 * service of that IID, where the module may have it (services.c).
 *
 * A host object may outlive its module (a module may hand it on) and its
 * runtime (facet_runtime_allocator gives the host one): it keeps the
 * runtime's core (FacetCore), not the runtime, and its own copy of its
 * module's name. What needs no runtime (allocating, blobs and strings, the
 * API level) works for as long as the object lives; what needs the runtime
 * enters it, and fails with FACET_E_DISCONNECTED once facet_runtime_free
 * has returned; log lines then go to stderr, never to the host's function.
 */
#include <stdio.h>
#include <string.h>

#include "runtime.h"

struct FacetHostObject {
    IFacetHost host;
    IFacetAllocator allocator;
    IFacetLogger logger;
    IFacetConfig config;
    IFacetNet net;
    uint32_t refs;
    FacetCore *core;           /* held: it outlives the runtime */
    char *file;                /* the module's file name; NULL for the runtime's own */
    char *name;                /* the module's name, once it said it (set once) */
    const FacetManifest *manifest; /* its manifest, if it was scanned (set once) */
    FacetNetHandFn hand;       /* a process-isolated module's broker (core->lock) */
    void *hand_ctx;
};

#define FROM_HOST(p) ((FacetHostObject *)(void *)(p))
#define FROM_ALLOCATOR(p) \
    ((FacetHostObject *)(void *)((char *)(p) - offsetof(FacetHostObject, allocator)))
#define FROM_LOGGER(p) ((FacetHostObject *)(void *)((char *)(p) - offsetof(FacetHostObject, logger)))
#define FROM_CONFIG(p) ((FacetHostObject *)(void *)((char *)(p) - offsetof(FacetHostObject, config)))
#define FROM_NET(p) ((FacetHostObject *)(void *)((char *)(p) - offsetof(FacetHostObject, net)))

/* ---- The core ---------------------------------------------------------- */

FacetResult facet__core_new(FacetCore **out, FacetRuntime *rt)
{
    FacetCore *core = facet__calloc(1, sizeof(*core));
    *out = NULL;
    if (core == NULL)
        return facet__error(FACET_E_OUTOFMEMORY, "facet_runtime_new: out of memory");
    if (FACET_FAILED(facet__os_rwlock_init(&core->lock))) {
        facet__free(core);
        return facet__error(FACET_E_OUTOFMEMORY, "facet_runtime_new: out of resources");
    }
    core->refs = 1;
    core->rt = rt;
    core->api_level = rt->api_level;
    core->log_level = rt->log_level;
    core->log = rt->log;
    core->log_payload = rt->log_payload;
    *out = core;
    return FACET_OK;
}

void facet__core_close(FacetCore *core)
{
    facet__atomic_store32(&core->closed, 1u);
    /* A line being handed to the host's function now is let through. */
    while (facet__atomic_load32(&core->logging) != 0)
        facet__os_yield();
}

void facet__core_detach(FacetCore *core)
{
    facet__os_rwlock_wrlock(&core->lock);
    core->rt = NULL;
    facet__os_rwlock_wrunlock(&core->lock);
}

void facet__core_release(FacetCore *core)
{
    if (core == NULL || facet__atomic_dec32(&core->refs) != 0)
        return;
    facet__os_rwlock_destroy(&core->lock);
    facet__free(core);
}

FacetRuntime *facet__core_enter(FacetCore *core)
{
    FacetRuntime *rt = NULL;
    if (facet__atomic_load32(&core->closed))
        return NULL;
    /* rt's memory stays while the lock is held: it goes after detach. */
    facet__os_rwlock_rdlock(&core->lock);
    if (core->rt != NULL && facet__runtime_tryref(core->rt))
        rt = core->rt;
    facet__os_rwlock_rdunlock(&core->lock);
    if (rt != NULL && facet__atomic_load32(&core->closed)) {
        facet__runtime_release(rt);
        rt = NULL;
    }
    return rt;
}

static const char *level_name(uint32_t level)
{
    static const char *const names[] = {"trace", "debug", "info", "warn", "error"};
    return level <= FACET_LOG_ERROR ? names[level] : "?";
}

/* A line goes to the host's log function while the runtime is the host's;
 * after facet_runtime_free returned, and where the host gave none, to
 * stderr. */
static void core_log(FacetCore *core, uint32_t level, const char *module, const char *message)
{
    facet__atomic_inc32(&core->logging);
    if (core->log != NULL && !facet__atomic_load32(&core->closed))
        core->log(level, module, message, core->log_payload);
    else
        fprintf(stderr, "[%s] %s: %s\n", module, level_name(level), message);
    facet__atomic_dec32(&core->logging);
}

void facet__runtime_log(FacetRuntime *rt, uint32_t level, const char *module, const char *fmt, ...)
{
    char line[2048];
    va_list ap;
    if (level < rt->core->log_level)
        return;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    core_log(rt->core, level, module, line);
}

/* What a call that needs the runtime says once it is gone. */
static FacetResult disconnected(const char *method)
{
    return facet__error(FACET_E_DISCONNECTED,
                        "%s: the runtime of this host object was freed (facet_runtime_free)",
                        method);
}

/* The name a host object's lines and permissions go by. */
static const char *host_name(FacetHostObject *h)
{
    const char *name;
    if (h->file == NULL)
        return "host";
    facet__os_rwlock_rdlock(&h->core->lock);
    name = h->name ? h->name : h->file;
    facet__os_rwlock_rdunlock(&h->core->lock);
    return name; /* both live as long as h */
}

static const FacetManifest *host_manifest(FacetHostObject *h)
{
    const FacetManifest *d;
    facet__os_rwlock_rdlock(&h->core->lock);
    d = h->manifest;
    facet__os_rwlock_rdunlock(&h->core->lock);
    return d;
}

/* Service sid as interface iid, for the host object's module. */
static FacetResult query_service(FacetHostObject *h, const FacetGuid *sid, const FacetGuid *iid,
                           void **out, const char *method)
{
    IFacetUnknown *object = NULL;
    FacetRuntime *rt = facet__core_enter(h->core);
    FacetResult r;
    if (rt == NULL)
        return disconnected(method);
    r = facet__service_find(rt, h->file ? host_name(h) : NULL, host_manifest(h), sid, &object);
    facet__runtime_release(rt);
    if (FACET_FAILED(r))
        return r;
    r = IFacetUnknown_QueryInterface(object, iid, out);
    IFacetUnknown_Release(object);
    return r;
}

/* ---- IFacetUnknown, shared by the three interfaces --------------------- */

static FacetResult host_qi(FacetHostObject *h, const FacetGuid *iid, void **out)
{
    if (out == NULL)
        return FACET_E_POINTER;
    *out = NULL;
    if (iid == NULL)
        return FACET_E_POINTER;
    if (FacetGuidEqual(iid, &IID_IFacetUnknown) || FacetGuidEqual(iid, &IID_IFacetHost))
        *out = &h->host;
    else if (FacetGuidEqual(iid, &IID_IFacetAllocator))
        *out = &h->allocator;
    else if (FacetGuidEqual(iid, &IID_IFacetLogger))
        *out = &h->logger;
    else if (FacetGuidEqual(iid, &IID_IFacetConfig))
        *out = &h->config;
    else if (FacetGuidEqual(iid, &IID_IFacetNet))
        *out = &h->net;
    else
        return query_service(h, iid, iid, out, "IFacetHost::QueryInterface");
    facet__atomic_inc32(&h->refs);
    return FACET_OK;
}

static uint32_t host_addref(FacetHostObject *h)
{
    return facet__atomic_inc32(&h->refs);
}

static uint32_t host_release(FacetHostObject *h)
{
    uint32_t n = facet__atomic_dec32(&h->refs);
    if (n == 0) {
        facet__core_release(h->core);
        facet__free(h->file);
        facet__free(h->name);
        facet__free(h);
    }
    return n;
}

/* ---- IFacetHost -------------------------------------------------------- */

static FacetResult FACET_CALL h_qi(IFacetHost *self, const FacetGuid *iid, void **out)
{
    return host_qi(FROM_HOST(self), iid, out);
}
static uint32_t FACET_CALL h_addref(IFacetHost *self)
{
    return host_addref(FROM_HOST(self));
}
static uint32_t FACET_CALL h_release(IFacetHost *self)
{
    return host_release(FROM_HOST(self));
}

static FacetResult FACET_CALL h_api_level(IFacetHost *self, uint32_t *out)
{
    if (out == NULL)
        return FACET_E_POINTER;
    *out = FROM_HOST(self)->core->api_level;
    return FACET_OK;
}

static FacetResult FACET_CALL h_query_service(IFacetHost *self, const FacetGuid *sid,
                                              const FacetGuid *iid, void **out)
{
    FacetHostObject *h = FROM_HOST(self);
    IFacetUnknown *service = NULL;
    FacetResult r;
    if (out == NULL)
        return FACET_E_POINTER;
    *out = NULL;
    if (sid == NULL || iid == NULL)
        return FACET_E_POINTER;
    if (!FacetGuidEqual(sid, &IID_IFacetUnknown) && !FacetGuidEqual(sid, &IID_IFacetHost) &&
        !FacetGuidEqual(sid, &IID_IFacetAllocator) && !FacetGuidEqual(sid, &IID_IFacetLogger) &&
        !FacetGuidEqual(sid, &IID_IFacetConfig) && !FacetGuidEqual(sid, &IID_IFacetNet))
        return query_service(h, sid, iid, out, "IFacetHost::QueryService");
    r = host_qi(h, sid, (void **)&service);
    if (FACET_FAILED(r))
        return r;
    r = IFacetUnknown_QueryInterface(service, iid, out);
    IFacetUnknown_Release(service);
    return r;
}

static FacetResult FACET_CALL h_create(IFacetHost *self, const FacetGuid *clsid,
                                       IFacetUnknown *outer, const FacetGuid *iid, void **out)
{
    FacetRuntime *rt;
    FacetResult r;
    if (out != NULL)
        *out = NULL;
    rt = facet__core_enter(FROM_HOST(self)->core);
    if (rt == NULL)
        return disconnected("IFacetHost::CreateInstance");
    r = facet_create_instance(out, rt, clsid, outer, iid);
    facet__runtime_release(rt);
    return r;
}

static FacetResult FACET_CALL h_create_by_name(IFacetHost *self, const char *name,
                                               IFacetUnknown *outer, const FacetGuid *iid,
                                               void **out)
{
    FacetRuntime *rt;
    FacetResult r;
    if (out != NULL)
        *out = NULL;
    rt = facet__core_enter(FROM_HOST(self)->core);
    if (rt == NULL)
        return disconnected("IFacetHost::CreateInstanceByName");
    r = facet_create_instance_by_name(out, rt, name, outer, iid);
    facet__runtime_release(rt);
    return r;
}

static FacetResult FACET_CALL h_create_blob(IFacetHost *self, const void *data, uint64_t size,
                                            IFacetBlob **out)
{
    (void)self;
    if (out == NULL)
        return FACET_E_POINTER;
    return facet__blob_new(out, data, size);
}

static FacetResult FACET_CALL h_create_string(IFacetHost *self, const char *text,
                                              uint64_t length, IFacetString **out)
{
    (void)self;
    if (out == NULL)
        return FACET_E_POINTER;
    return facet__string_new(out, text, length);
}

static const IFacetHostVtbl host_vtbl = {
    h_qi,         h_addref,         h_release,     h_api_level,     h_query_service,
    h_create,     h_create_by_name, h_create_blob, h_create_string,
};

/* ---- IFacetAllocator --------------------------------------------------- */

static FacetResult FACET_CALL a_qi(IFacetAllocator *self, const FacetGuid *iid, void **out)
{
    return host_qi(FROM_ALLOCATOR(self), iid, out);
}
static uint32_t FACET_CALL a_addref(IFacetAllocator *self)
{
    return host_addref(FROM_ALLOCATOR(self));
}
static uint32_t FACET_CALL a_release(IFacetAllocator *self)
{
    return host_release(FROM_ALLOCATOR(self));
}

/* The allocator's methods leave a message too, for a host that reads it. */
static FacetResult out_of_memory(const char *method, uint64_t size)
{
    return facet__error(FACET_E_OUTOFMEMORY, "IFacetAllocator::%s: out of memory for %llu bytes",
                        method, (unsigned long long)size);
}

static FacetResult FACET_CALL a_alloc(IFacetAllocator *self, uint64_t size, void **out)
{
    (void)self;
    if (out == NULL)
        return FACET_E_POINTER;
    *out = size <= SIZE_MAX ? facet__malloc((size_t)size) : NULL;
    if (*out == NULL)
        return out_of_memory("Alloc", size);
    return FACET_OK;
}

static FacetResult FACET_CALL a_realloc(IFacetAllocator *self, void *p, uint64_t size,
                                        void **out)
{
    (void)self;
    if (out == NULL)
        return FACET_E_POINTER;
    *out = size <= SIZE_MAX ? facet__realloc(p, (size_t)size) : NULL;
    if (*out == NULL)
        return out_of_memory("Realloc", size);
    return FACET_OK;
}

static FacetResult FACET_CALL a_free(IFacetAllocator *self, void *p)
{
    (void)self;
    facet__free(p);
    return FACET_OK;
}

static const IFacetAllocatorVtbl allocator_vtbl = {a_qi,    a_addref,  a_release,
                                                   a_alloc, a_realloc, a_free};

/* ---- IFacetLogger ------------------------------------------------------ */

static FacetResult FACET_CALL l_qi(IFacetLogger *self, const FacetGuid *iid, void **out)
{
    return host_qi(FROM_LOGGER(self), iid, out);
}
static uint32_t FACET_CALL l_addref(IFacetLogger *self)
{
    return host_addref(FROM_LOGGER(self));
}
static uint32_t FACET_CALL l_release(IFacetLogger *self)
{
    return host_release(FROM_LOGGER(self));
}

static FacetResult FACET_CALL l_log(IFacetLogger *self, uint32_t level, const char *message)
{
    FacetHostObject *h = FROM_LOGGER(self);
    if (message == NULL)
        return FACET_E_POINTER;
    if (level > FACET_LOG_ERROR)
        return FACET_E_INVALIDARG;
    if (level >= h->core->log_level)
        core_log(h->core, level, host_name(h), message);
    return FACET_OK;
}

static FacetResult FACET_CALL l_enabled(IFacetLogger *self, uint32_t level)
{
    if (level > FACET_LOG_ERROR)
        return FACET_E_INVALIDARG;
    return level >= FROM_LOGGER(self)->core->log_level ? FACET_OK : FACET_FALSE;
}

static const IFacetLoggerVtbl logger_vtbl = {l_qi, l_addref, l_release, l_log, l_enabled};

/* ---- IFacetConfig ------------------------------------------------------ */

static FacetResult FACET_CALL c_qi(IFacetConfig *self, const FacetGuid *iid, void **out)
{
    return host_qi(FROM_CONFIG(self), iid, out);
}
static uint32_t FACET_CALL c_addref(IFacetConfig *self)
{
    return host_addref(FROM_CONFIG(self));
}
static uint32_t FACET_CALL c_release(IFacetConfig *self)
{
    return host_release(FROM_CONFIG(self));
}

/* The setting at key for this host object's module. rt->config is set once
 * (under rt->lock) and never changes after, so the values need no lock;
 * they live as long as the runtime. */
static FacetResult setting(IFacetConfig *self, const char *key, const FacetSetting **out)
{
    FacetHostObject *h = FROM_CONFIG(self);
    const FacetConfig *cfg;
    FacetRuntime *rt;
    *out = NULL;
    if (key == NULL)
        return FACET_E_POINTER;
    rt = facet__core_enter(h->core);
    if (rt == NULL)
        return disconnected("IFacetConfig");
    facet__os_rwlock_rdlock(&rt->lock);
    cfg = rt->config;
    facet__os_rwlock_rdunlock(&rt->lock);
    if (h->file != NULL)
        *out = facet__config_setting(facet__config_module(cfg, host_name(h)), key);
    facet__runtime_release(rt);
    return *out ? FACET_OK : FACET_E_NOTFOUND;
}

/* The setting at key if it has one of the types in mask (1 << type). */
static FacetResult typed(IFacetConfig *self, const char *key, void *out, uint32_t mask,
                         const FacetSetting **s)
{
    FacetResult r;
    if (out == NULL)
        return FACET_E_POINTER;
    r = setting(self, key, s);
    if (FACET_SUCCEEDED(r) && !(mask & (1u << (*s)->type)))
        r = FACET_E_INVALIDARG;
    return r;
}

static FacetResult FACET_CALL c_get_string(IFacetConfig *self, const char *key, const char **out)
{
    const FacetSetting *s;
    FacetResult r = typed(self, key, out, 1u << FACET_SETTING_STRING, &s);
    if (out != NULL)
        *out = FACET_SUCCEEDED(r) ? s->text : NULL;
    return r;
}

static FacetResult FACET_CALL c_get_int(IFacetConfig *self, const char *key, int64_t *out)
{
    const FacetSetting *s;
    FacetResult r = typed(self, key, out, 1u << FACET_SETTING_INT, &s);
    if (out != NULL)
        *out = FACET_SUCCEEDED(r) ? s->integer : 0;
    return r;
}

static FacetResult FACET_CALL c_get_double(IFacetConfig *self, const char *key, double *out)
{
    const FacetSetting *s;
    FacetResult r = typed(self, key, out, (1u << FACET_SETTING_INT) | (1u << FACET_SETTING_REAL), &s);
    if (out != NULL)
        *out = FACET_SUCCEEDED(r) ? s->real : 0;
    return r;
}

static FacetResult FACET_CALL c_get_bool(IFacetConfig *self, const char *key, uint32_t *out)
{
    const FacetSetting *s;
    FacetResult r = typed(self, key, out, 1u << FACET_SETTING_BOOL, &s);
    if (out != NULL)
        *out = FACET_SUCCEEDED(r) ? (uint32_t)s->integer : 0;
    return r;
}

static const IFacetConfigVtbl config_vtbl = {c_qi,      c_addref,     c_release,   c_get_string,
                                             c_get_int, c_get_double, c_get_bool};

/* ---- IFacetNet --------------------------------------------------------- */

static FacetResult FACET_CALL n_qi(IFacetNet *self, const FacetGuid *iid, void **out)
{
    return host_qi(FROM_NET(self), iid, out);
}
static uint32_t FACET_CALL n_addref(IFacetNet *self)
{
    return host_addref(FROM_NET(self));
}
static uint32_t FACET_CALL n_release(IFacetNet *self)
{
    return host_release(FROM_NET(self));
}

/* Checks the module's right to host:port, connects, and gives the socket:
 * to the caller in-process, through the broker to a process-isolated
 * module's child (which gets a token for it here). */
static FacetResult FACET_CALL n_connect(IFacetNet *self, const char *host, uint32_t port,
                                        uint64_t *out)
{
    FacetHostObject *h = FROM_NET(self);
    FacetRuntime *rt;
    char name[260];
    size_t n;
    uint64_t socket;
    FacetResult r;

    if (out == NULL || host == NULL)
        return facet__error(FACET_E_POINTER, "IFacetNet::Connect: %s is NULL",
                            out == NULL ? "socket" : "host");
    *out = UINT64_MAX;
    rt = facet__core_enter(h->core);
    if (rt == NULL)
        return disconnected("IFacetNet::Connect");
    r = facet__net_permitted(rt, h->file ? host_name(h) : NULL, host_manifest(h), host, port);
    if (r == FACET_E_ACCESSDENIED)
        facet__runtime_log(rt, FACET_LOG_WARN, host_name(h), "%s", facet_last_error());
    facet__runtime_release(rt);
    if (FACET_FAILED(r))
        return r;
    /* the address as the system takes it: an IPv6 one without brackets */
    n = strlen(host);
    if (host[0] == '[' && n >= 2 && host[n - 1] == ']')
        snprintf(name, sizeof(name), "%.*s", (int)(n - 2), host + 1);
    else
        snprintf(name, sizeof(name), "%s", host);
    r = facet__os_tcp_connect(&socket, name, (uint16_t)port);
    if (FACET_FAILED(r))
        return r;
    facet__os_rwlock_rdlock(&h->core->lock);
    if (h->hand != NULL)
        r = h->hand(h->hand_ctx, socket, &socket);
    facet__os_rwlock_rdunlock(&h->core->lock);
    if (FACET_SUCCEEDED(r))
        *out = socket;
    return r;
}

static const IFacetNetVtbl net_vtbl = {n_qi, n_addref, n_release, n_connect};

/* ---- The runtime's side ------------------------------------------------ */

FacetResult facet__host_new(FacetHostObject **out, FacetRuntime *rt, const char *file)
{
    FacetHostObject *h = facet__calloc(1, sizeof(*h));
    *out = NULL;
    if (h != NULL && file != NULL && (h->file = facet__strdup(facet__path_basename(file))) == NULL) {
        facet__free(h);
        h = NULL;
    }
    if (h == NULL)
        return facet__error(FACET_E_OUTOFMEMORY, "out of memory for a host object");
    h->host.lpVtbl = &host_vtbl;
    h->allocator.lpVtbl = &allocator_vtbl;
    h->logger.lpVtbl = &logger_vtbl;
    h->config.lpVtbl = &config_vtbl;
    h->net.lpVtbl = &net_vtbl;
    h->refs = 1;
    h->core = rt->core;
    facet__atomic_inc32(&h->core->refs);
    *out = h;
    return FACET_OK;
}

void facet__host_identify(FacetHostObject *h, const char *name, const FacetManifest *manifest)
{
    /* Out of memory for the name: the file's name goes on serving. */
    char *copy = name != NULL && h->name == NULL ? facet__strdup(name) : NULL;
    facet__os_rwlock_wrlock(&h->core->lock);
    if (copy != NULL)
        h->name = copy;
    if (manifest != NULL)
        h->manifest = manifest;
    facet__os_rwlock_wrunlock(&h->core->lock);
}

void facet__host_set_net_hand(FacetHostObject *h, FacetNetHandFn fn, void *ctx)
{
    facet__os_rwlock_wrlock(&h->core->lock);
    h->hand = fn;
    h->hand_ctx = ctx;
    facet__os_rwlock_wrunlock(&h->core->lock);
}

IFacetUnknown *facet__host_unknown(FacetHostObject *h)
{
    return FACET_UNKNOWN(&h->host);
}

void facet__host_release(FacetHostObject *h)
{
    if (h != NULL)
        host_release(h);
}

FacetResult facet_runtime_allocator(IFacetAllocator **out, FacetRuntime *rt)
{
    FACET_CHECK_ARG(out, "facet_runtime_allocator");
    *out = NULL;
    FACET_CHECK_ARG(rt, "facet_runtime_allocator");
    host_addref(rt->host);
    *out = &rt->host->allocator;
    return FACET_OK;
}
