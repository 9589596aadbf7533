/*
 * calls.c - the libfacet calls of the Go host binding (calls.h).
 */
#include <string.h>

#include <facet/proxystub.h>

#include "calls.h"
#include "_cgo_export.h"

static facetgo_res done(FacetResult r)
{
    facetgo_res x;
    size_t n;
    x.r = r;
    x.msg = NULL;
    if (r != FACET_OK) {
        n = strlen(facet_last_error()) + 1;
        x.msg = malloc(n);
        if (x.msg != NULL)
            memcpy(x.msg, facet_last_error(), n);
    }
    return x;
}

/* ---- The runtime ------------------------------------------------------- */

static void log_line(uint32_t level, const char *module, const char *message, void *payload)
{
    facetgoLog(level, (char *)module, (char *)message, (uintptr_t)payload);
}

facetgo_res facetgo_runtime_new(FacetRuntime **out, uint32_t api_level, uint32_t log_level,
                                uintptr_t log)
{
    FacetRuntimeOptions o = FACET_RUNTIME_OPTIONS_INIT;
    o.api_level = api_level;
    o.log_level = log_level;
    if (log != 0) {
        o.log = log_line;
        o.log_payload = (void *)log;
    }
    return done(facet_runtime_new(out, &o));
}

facetgo_res facetgo_runtime_free(FacetRuntime *rt)
{
    return done(facet_runtime_free(rt));
}

facetgo_res facetgo_runtime_collect(FacetRuntime *rt)
{
    return done(facet_runtime_collect(rt));
}

facetgo_res facetgo_runtime_stats(FacetRuntimeStats *out, FacetRuntime *rt)
{
    out->struct_size = sizeof(*out);
    return done(facet_runtime_stats(out, rt));
}

facetgo_res facetgo_runtime_allocator(void **out, FacetRuntime *rt)
{
    return done(facet_runtime_allocator((IFacetAllocator **)out, rt));
}

facetgo_res facetgo_create(void **out, FacetRuntime *rt, const FacetGuid *clsid,
                           const FacetGuid *iid)
{
    return done(facet_create_instance(out, rt, clsid, NULL, iid));
}

facetgo_res facetgo_create_by_name(void **out, FacetRuntime *rt, const char *name,
                                   const FacetGuid *iid)
{
    return done(facet_create_instance_by_name(out, rt, name, NULL, iid));
}

facetgo_res facetgo_lookup(FacetGuid *out, FacetRuntime *rt, const char *name)
{
    return done(facet_class_lookup(out, rt, name));
}

facetgo_res facetgo_start(FacetRuntime *rt)
{
    return done(facet_runtime_start(rt));
}

facetgo_res facetgo_stop(FacetRuntime *rt)
{
    return done(facet_runtime_stop(rt));
}

facetgo_res facetgo_service_register(FacetRuntime *rt, const FacetGuid *sid, void *service,
                                     const char *permission)
{
    return done(facet_service_register(rt, sid, (IFacetUnknown *)service, permission));
}

facetgo_res facetgo_service_unregister(FacetRuntime *rt, const FacetGuid *sid)
{
    return done(facet_service_unregister(rt, sid));
}

/* ---- Modules ----------------------------------------------------------- */

facetgo_res facetgo_module_load(FacetModule **out, FacetRuntime *rt, const char *path)
{
    return done(facet_module_load(out, rt, path));
}

facetgo_res facetgo_module_unload(FacetModule *m)
{
    return done(facet_module_unload(m));
}

facetgo_res facetgo_module_info(FacetModuleInfo *out, FacetModule *m)
{
    out->struct_size = sizeof(*out);
    return done(facet_module_info(out, m));
}

facetgo_res facetgo_module_factory(void **out, FacetModule *m)
{
    return done(facet_module_factory((IFacetFactory **)out, m));
}

char *facetgo_module_path(FacetModule *m)
{
    const char *p = facet_module_path(m);
    char *copy;
    if (p == NULL)
        return NULL;
    copy = malloc(strlen(p) + 1);
    if (copy != NULL)
        memcpy(copy, p, strlen(p) + 1);
    return copy;
}

/* ---- Scans and manifests ----------------------------------------------- */

facetgo_res facetgo_scan(FacetScanReport **out, FacetRuntime *rt, const char *folder)
{
    return done(facet_scan(out, rt, folder));
}

facetgo_res facetgo_load_config(FacetScanReport **out, FacetRuntime *rt, const char *path)
{
    return done(facet_runtime_load_config(out, rt, path));
}

int facetgo_report_module(FacetScanModule *out, FacetScanReport *r, uint32_t i)
{
    out->struct_size = sizeof(*out);
    return facet_scan_report_module(out, r, i);
}

int facetgo_report_problem(FacetScanProblem *out, FacetScanReport *r, uint32_t i)
{
    out->struct_size = sizeof(*out);
    return facet_scan_report_problem(out, r, i);
}

facetgo_res facetgo_classes_implementing(FacetClassList **out, FacetRuntime *rt,
                                        const FacetGuid *iid)
{
    return done(facet_classes_implementing(out, rt, iid));
}

int facetgo_class_list_item(FacetClassMatch *out, FacetClassList *l, uint32_t i)
{
    out->struct_size = sizeof(*out);
    return facet_class_list_item(out, l, i);
}

facetgo_res facetgo_manifest_load(FacetManifest **out, const char *path)
{
    return done(facet_manifest_load(out, path));
}

facetgo_res facetgo_proxy_stubs_load(const char *path)
{
    return done(facet_proxy_stubs_load(path));
}

int facetgo_manifest_info(FacetManifestInfo *out, FacetManifest *m)
{
    out->struct_size = sizeof(*out);
    return facet_manifest_info(out, m);
}

int facetgo_manifest_class(FacetClassInfo *out, FacetManifest *m, uint32_t i)
{
    out->struct_size = sizeof(*out);
    return facet_manifest_class(out, m, i);
}
