/*
 * module.h - the module a Go component is, as C sees it: what its factory
 * answers (filled in once by module.go) and the Go functions it calls.
 * Only declarations, so that a Go file with //export functions may include
 * it.
 */
#ifndef FACET_GO_MODULE_H
#define FACET_GO_MODULE_H

#include <facet/abi.h>

typedef struct FacetGoModule {
    FacetModuleInfo info;     /* strings in C memory, kept for good */
    uint32_t class_count;
    FacetClassInfo *classes;  /* class_count, with their IIDs, in C memory */
    uint32_t lifecycle;       /* the module answers IFacetLifecycle */
} FacetGoModule;

/* Filled in by the first facet_module_entry, before the factory is handed
 * out; read-only after. */
extern FacetGoModule facetgo_module;

/* The factory, a static object (factory.c). */
extern IFacetFactory facetgo_factory;

/* Where a C string the module keeps for good comes from. */
char *facetgo_strdup(const char *s, size_t n);

#endif /* FACET_GO_MODULE_H */
