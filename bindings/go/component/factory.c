/*
 * factory.c - the one export of a Go component and its factory, in C:
 * GetModuleInfo, GetClassCount, DescribeClass and CanUnload answer from
 * C tables without entering Go; facet_module_entry and CreateInstance
 * call into it (entry.go).
 */
#include <stdlib.h>
#include <string.h>

#include "module.h"
#include "_cgo_export.h"
#include "../abi/object.h"

FacetGoModule facetgo_module;

static uint32_t factory_refs;

char *facetgo_strdup(const char *s, size_t n)
{
    char *p = malloc(n + 1);
    if (p != NULL) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

static FacetResult FACET_CALL factory_qi(IFacetFactory *self, const FacetGuid *iid, void **out);

static uint32_t FACET_CALL factory_addref(IFacetFactory *self)
{
    (void)self;
    return __atomic_add_fetch(&factory_refs, 1u, __ATOMIC_RELAXED);
}

static uint32_t FACET_CALL factory_release(IFacetFactory *self)
{
    uint32_t n = __atomic_sub_fetch(&factory_refs, 1u, __ATOMIC_ACQ_REL);
    (void)self;
    if (n == 0)
        facetgoDropHost(); /* the runtime lets go of the factory just before unloading */
    return n;
}

/* Copies size bytes of from into out as far as out->struct_size allows
 * (rule 5 of abi.h) and says how far that was. */
static void write_sized(void *out, const void *from, uint32_t size)
{
    uint32_t have = *(const uint32_t *)out, n = have < size ? have : size, i;
    for (i = sizeof(uint32_t); i < n; i++)
        ((unsigned char *)out)[i] = ((const unsigned char *)from)[i];
    *(uint32_t *)out = n;
}

static FacetResult FACET_CALL factory_info(IFacetFactory *self, FacetModuleInfo *out)
{
    (void)self;
    if (out == NULL)
        return FACET_E_POINTER;
    write_sized(out, &facetgo_module.info, (uint32_t)sizeof(FacetModuleInfo));
    return FACET_OK;
}

static FacetResult FACET_CALL factory_count(IFacetFactory *self, uint32_t *out)
{
    (void)self;
    if (out == NULL)
        return FACET_E_POINTER;
    *out = facetgo_module.class_count;
    return FACET_OK;
}

static FacetResult FACET_CALL factory_describe(IFacetFactory *self, uint32_t index,
                                               FacetClassInfo *out)
{
    (void)self;
    if (out == NULL)
        return FACET_E_POINTER;
    if (index >= facetgo_module.class_count)
        return FACET_E_INVALIDARG;
    write_sized(out, &facetgo_module.classes[index], (uint32_t)sizeof(FacetClassInfo));
    return FACET_OK;
}

static FacetResult FACET_CALL factory_create(IFacetFactory *self, const FacetGuid *clsid,
                                             IFacetUnknown *outer, const FacetGuid *iid,
                                             void **out)
{
    uint32_t i;
    (void)self;
    if (out == NULL)
        return FACET_E_POINTER;
    *out = NULL;
    if (clsid == NULL || iid == NULL)
        return FACET_E_POINTER;
    for (i = 0; i < facetgo_module.class_count; i++) {
        if (!FacetGuidEqual(clsid, &facetgo_module.classes[i].clsid))
            continue;
        if (outer != NULL)
            return FACET_E_NOAGGREGATION; /* a Go object cannot be aggregated */
        return facetgoCreate(i, (FacetGuid *)iid, out);
    }
    return FACET_E_CLASSNOTREG;
}

static FacetResult FACET_CALL factory_can_unload(IFacetFactory *self)
{
    (void)self;
    return facetgo_objects_alive() == 0 ? FACET_OK : FACET_FALSE;
}

static const IFacetFactoryVtbl factory_vtbl = {
    factory_qi,    factory_addref,   factory_release,    factory_info,
    factory_count, factory_describe, factory_create,     factory_can_unload,
};

IFacetFactory facetgo_factory = {&factory_vtbl};

/* ---- IFacetLifecycle: a face of the factory ---------------------------- *
 *
 * As COM's rules want of an interface reached from the factory:
 * QueryInterface goes to the factory (IFacetUnknown gives its identity)
 * and its references are the factory's. Each step calls the module's
 * Lifecycle in Go. */

static FacetResult FACET_CALL life_qi(IFacetLifecycle *self, const FacetGuid *iid, void **out)
{
    (void)self;
    return factory_qi(&facetgo_factory, iid, out);
}

static uint32_t FACET_CALL life_addref(IFacetLifecycle *self)
{
    (void)self;
    return factory_addref(&facetgo_factory);
}

static uint32_t FACET_CALL life_release(IFacetLifecycle *self)
{
    (void)self;
    return factory_release(&facetgo_factory);
}

static FacetResult FACET_CALL life_init(IFacetLifecycle *self)
{
    (void)self;
    return facetgoLifecycle(0);
}

static FacetResult FACET_CALL life_start(IFacetLifecycle *self)
{
    (void)self;
    return facetgoLifecycle(1);
}

static FacetResult FACET_CALL life_stop(IFacetLifecycle *self)
{
    (void)self;
    return facetgoLifecycle(2);
}

static FacetResult FACET_CALL life_shutdown(IFacetLifecycle *self)
{
    (void)self;
    return facetgoLifecycle(3);
}

static const IFacetLifecycleVtbl life_vtbl = {life_qi,    life_addref, life_release, life_init,
                                              life_start, life_stop,   life_shutdown};

static IFacetLifecycle lifecycle = {&life_vtbl};

static FacetResult FACET_CALL factory_qi(IFacetFactory *self, const FacetGuid *iid, void **out)
{
    if (out == NULL)
        return FACET_E_POINTER;
    *out = NULL;
    if (iid == NULL)
        return FACET_E_POINTER;
    if (FacetGuidEqual(iid, &IID_IFacetUnknown) || FacetGuidEqual(iid, &IID_IFacetFactory)) {
        factory_addref(self);
        *out = &facetgo_factory;
        return FACET_OK;
    }
    if (facetgo_module.lifecycle && FacetGuidEqual(iid, &IID_IFacetLifecycle)) {
        factory_addref(self);
        *out = &lifecycle;
        return FACET_OK;
    }
    return FACET_E_NOINTERFACE;
}

/* ---- The one export ---------------------------------------------------- */

FACET_EXPORT FacetResult facet_module_entry(uint32_t host_abi_version, IFacetUnknown *host,
                                            const FacetGuid *iid, void **factory)
{
    FacetResult r;
    if (factory == NULL || iid == NULL)
        return FACET_E_POINTER;
    *factory = NULL;
    if (host_abi_version != FACET_ABI_VERSION)
        return FACET_E_ABIMISMATCH;
    r = facetgoEntry(host);
    if (FACET_FAILED(r))
        return r;
    r = factory_qi(&facetgo_factory, iid, factory);
    if (FACET_FAILED(r) && __atomic_load_n(&factory_refs, __ATOMIC_ACQUIRE) == 0)
        facetgoDropHost();
    return r;
}
