/*
 * glue.c - the vtable of the runtime's interface a Go class may implement
 * (IFacetRunnable, what `facet run` calls): one trampoline per slot,
 * which finds the Go value by its handle and calls the Go method
 * (glue.go). Code made by facet-idl --lang go does the same for the
 * interfaces of an .idl.
 */
#include "object.h"
#include "_cgo_export.h"

/* ---- IFacetRunnable ---------------------------------------------------- */

static FacetResult FACET_CALL runnable_run(IFacetRunnable *self, uint32_t argc,
                                           const char *const *argv, int32_t *exit_code)
{
    return facetgoexp_IFacetRunnable_Run(FACETGO_HANDLE(self), argc, (char **)argv, exit_code);
}

static const IFacetRunnableVtbl runnable_vtbl = {
    (FacetResult(FACET_CALL *)(IFacetRunnable *, const FacetGuid *, void **))facetgo_qi,
    (uint32_t(FACET_CALL *)(IFacetRunnable *))facetgo_addref,
    (uint32_t(FACET_CALL *)(IFacetRunnable *))facetgo_release,
    runnable_run,
};

static const FacetGuid runnable_iids[] = {
    {0x7DFAF1A2, 0xE689, 0x4C12, {0x81, 0xD5, 0xB0, 0xC9, 0xBE, 0x7B, 0xF4, 0x8F}},
};

const FacetGoItfDesc facetgo_desc_IFacetRunnable = {&runnable_vtbl, 1, runnable_iids};
