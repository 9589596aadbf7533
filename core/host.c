/*
 * core/host.c - the host object handed to each module.
 *
 * One object per module (and one for the runtime itself), so the host knows
 * who asks for a service. It is a single COM object with four interfaces:
 * IFacetHost, IFacetAllocator, IFacetLogger and IFacetConfig (the module's
 * settings from the host configuration). QueryInterface among them keeps
 * COM's identity rules; for any other IID it hands out the host-registered
 * service of that IID, where the module may have it (services.c).
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"

struct FacetHostObject {
    IFacetHost host;
    IFacetAllocator allocator;
    IFacetLogger logger;
    IFacetConfig config;
    uint32_t refs;
    FacetRuntime *rt;
    FacetModule *module; /* NULL for the runtime's own host object */
};

#define FROM_HOST(p) ((FacetHostObject *)(void *)(p))
#define FROM_ALLOCATOR(p) \
    ((FacetHostObject *)(void *)((char *)(p) - offsetof(FacetHostObject, allocator)))
#define FROM_LOGGER(p) ((FacetHostObject *)(void *)((char *)(p) - offsetof(FacetHostObject, logger)))
#define FROM_CONFIG(p) ((FacetHostObject *)(void *)((char *)(p) - offsetof(FacetHostObject, config)))

static const char *host_name(FacetHostObject *h)
{
    if (h->module == NULL)
        return "host";
    return h->module->info.name ? h->module->info.name : facet__basename(h->module->path);
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
    else
        return facet__service_query(h->rt, h->module, iid, iid, out);
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
    if (n == 0)
        facet__free(h);
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
    *out = FROM_HOST(self)->rt->api_level;
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
        !FacetGuidEqual(sid, &IID_IFacetConfig))
        return facet__service_query(h->rt, h->module, sid, iid, out);
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
    return facet_create_instance(out, FROM_HOST(self)->rt, clsid, outer, iid);
}

static FacetResult FACET_CALL h_create_by_name(IFacetHost *self, const char *name,
                                               IFacetUnknown *outer, const FacetGuid *iid,
                                               void **out)
{
    return facet_create_instance_by_name(out, FROM_HOST(self)->rt, name, outer, iid);
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

static FacetResult FACET_CALL a_alloc(IFacetAllocator *self, uint64_t size, void **out)
{
    (void)self;
    if (out == NULL)
        return FACET_E_POINTER;
    *out = size <= SIZE_MAX ? facet__malloc((size_t)size) : NULL;
    return *out ? FACET_OK : FACET_E_OUTOFMEMORY;
}

static FacetResult FACET_CALL a_realloc(IFacetAllocator *self, void *p, uint64_t size,
                                        void **out)
{
    (void)self;
    if (out == NULL)
        return FACET_E_POINTER;
    *out = size <= SIZE_MAX ? facet__realloc(p, (size_t)size) : NULL;
    return *out ? FACET_OK : FACET_E_OUTOFMEMORY;
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
    if (level >= h->rt->log_level)
        facet__runtime_log(h->rt, level, host_name(h), message);
    return FACET_OK;
}

static FacetResult FACET_CALL l_enabled(IFacetLogger *self, uint32_t level)
{
    if (level > FACET_LOG_ERROR)
        return FACET_E_INVALIDARG;
    return level >= FROM_LOGGER(self)->rt->log_level ? FACET_OK : FACET_FALSE;
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
 * (under rt->lock) and never changes after, so the values need no lock. */
static FacetResult setting(IFacetConfig *self, const char *key, const FacetSetting **out)
{
    FacetHostObject *h = FROM_CONFIG(self);
    const FacetConfig *cfg;
    facet__os_rwlock_rdlock(&h->rt->lock);
    cfg = h->rt->config;
    facet__os_rwlock_rdunlock(&h->rt->lock);
    *out = NULL;
    if (key == NULL)
        return FACET_E_POINTER;
    if (h->module == NULL)
        return FACET_E_NOTFOUND;
    *out = facet__config_setting(facet__config_module(cfg, h->module->info.name), key);
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

/* ---- The runtime's side ------------------------------------------------ */

FacetResult facet__host_new(FacetHostObject **out, FacetRuntime *rt, FacetModule *module)
{
    FacetHostObject *h = facet__calloc(1, sizeof(*h));
    *out = NULL;
    if (h == NULL)
        return facet__error(FACET_E_OUTOFMEMORY, "out of memory for a host object");
    h->host.lpVtbl = &host_vtbl;
    h->allocator.lpVtbl = &allocator_vtbl;
    h->logger.lpVtbl = &logger_vtbl;
    h->config.lpVtbl = &config_vtbl;
    h->refs = 1;
    h->rt = rt;
    h->module = module;
    *out = h;
    return FACET_OK;
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
