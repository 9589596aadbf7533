/*
 * calls.h - the libfacet calls of the Go host binding, each of which
 * reads facet_last_error() on the thread that made the call (a goroutine
 * may move to another thread between two cgo calls, and the message is
 * thread-local). Only declarations: every Go file of the package may
 * include it.
 */
#ifndef FACET_GO_CALLS_H
#define FACET_GO_CALLS_H

#include <stdint.h>
#include <stdlib.h>

#include <facet/facet.h>

/* A call's result, and its message (malloc'd; NULL for FACET_OK). */
typedef struct facetgo_res {
    FacetResult r;
    char *msg;
} facetgo_res;

/* facet.go */
facetgo_res facetgo_runtime_new(FacetRuntime **out, uint32_t api_level, uint32_t log_level,
                                uintptr_t log);
facetgo_res facetgo_runtime_free(FacetRuntime *rt);
facetgo_res facetgo_runtime_collect(FacetRuntime *rt);
facetgo_res facetgo_runtime_stats(FacetRuntimeStats *out, FacetRuntime *rt);
facetgo_res facetgo_runtime_allocator(void **out, FacetRuntime *rt);
facetgo_res facetgo_create(void **out, FacetRuntime *rt, const FacetGuid *clsid,
                           const FacetGuid *iid);
facetgo_res facetgo_create_by_name(void **out, FacetRuntime *rt, const char *name,
                                   const FacetGuid *iid);
facetgo_res facetgo_lookup(FacetGuid *out, FacetRuntime *rt, const char *name);
facetgo_res facetgo_start(FacetRuntime *rt);
facetgo_res facetgo_stop(FacetRuntime *rt);
facetgo_res facetgo_service_register(FacetRuntime *rt, const FacetGuid *sid, void *service,
                                     const char *permission);
facetgo_res facetgo_service_unregister(FacetRuntime *rt, const FacetGuid *sid);

/* module.go */
facetgo_res facetgo_module_load(FacetModule **out, FacetRuntime *rt, const char *path);
facetgo_res facetgo_module_unload(FacetModule *m);
facetgo_res facetgo_module_info(FacetModuleInfo *out, FacetModule *m);
facetgo_res facetgo_module_factory(void **out, FacetModule *m);
char *facetgo_module_path(FacetModule *m);

/* scan.go */
facetgo_res facetgo_scan(FacetScanReport **out, FacetRuntime *rt, const char *folder);
facetgo_res facetgo_load_config(FacetScanReport **out, FacetRuntime *rt, const char *path);
int facetgo_report_module(FacetScanModule *out, FacetScanReport *r, uint32_t i);
int facetgo_report_problem(FacetScanProblem *out, FacetScanReport *r, uint32_t i);
facetgo_res facetgo_manifest_load(FacetManifest **out, const char *path);
facetgo_res facetgo_proxy_stubs_load(const char *path);
int facetgo_manifest_info(FacetManifestInfo *out, FacetManifest *m);
int facetgo_manifest_class(FacetClassInfo *out, FacetManifest *m, uint32_t i);
facetgo_res facetgo_classes_implementing(FacetClassList **out, FacetRuntime *rt,
                                        const FacetGuid *iid);
int facetgo_class_list_item(FacetClassMatch *out, FacetClassList *l, uint32_t i);

#endif /* FACET_GO_CALLS_H */
