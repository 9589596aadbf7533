/*
 * object.h - the C side of a Go object handed to C: its layout, and the
 * QueryInterface, AddRef and Release every vtable of it starts with. Only
 * declarations, so that a Go file with //export functions may include it.
 *
 * A Go value never crosses into C. What C sees is a FacetGoObject in C
 * memory: one FacetGoItf per interface (each starts with its vtable
 * pointer, so a pointer to it is the interface pointer) and the
 * runtime/cgo.Handle that finds the Go value again. The reference count
 * lives here too, so AddRef, Release and QueryInterface never enter Go;
 * only the last Release does, to let go of the handle.
 */
#ifndef FACET_GO_OBJECT_H
#define FACET_GO_OBJECT_H

#include <stdint.h>

#include <facet/abi.h>

struct FacetGoObject;

/* What a package made by facet-idl --lang go registers for an interface:
 * its vtable, and the IIDs QueryInterface answers with it (its own first,
 * then those of its bases, IFacetUnknown left out). */
typedef struct FacetGoItfDesc {
    const void *vtbl;
    uint32_t iid_count;
    const FacetGuid *iids;
} FacetGoItfDesc;

/* An interface pointer of a Go object. */
typedef struct FacetGoItf {
    const void *lpVtbl;
    struct FacetGoObject *object;
    const FacetGoItfDesc *desc;
} FacetGoItf;

typedef struct FacetGoObject {
    uintptr_t handle;   /* runtime/cgo.Handle of the Go value */
    uint32_t refs;
    uint32_t itf_count;
    FacetGoItf itfs[1]; /* itf_count of them; itfs[0] is the object's identity */
} FacetGoObject;

/* The handle of the Go value behind an interface pointer of a Go object. */
#define FACETGO_HANDLE(self) (((const FacetGoItf *)(const void *)(self))->object->handle)

/* The IFacetUnknown methods of every Go object's vtables. */
FacetResult FACET_CALL facetgo_qi(void *self, const FacetGuid *iid, void **out);
uint32_t FACET_CALL facetgo_addref(void *self);
uint32_t FACET_CALL facetgo_release(void *self);

/* A new object with one reference, whose interfaces are descs[0..n-1], or
 * NULL when out of memory. */
FacetGoObject *facetgo_object_new(uintptr_t handle, const FacetGoItfDesc *const *descs,
                                  uint32_t n);
/* Takes a reference unless the last one is gone; nonzero when it did. */
int facetgo_object_tryref(FacetGoObject *o);
/* The interface of o that answers iid, or NULL. */
void *facetgo_object_itf(FacetGoObject *o, const FacetGuid *iid);
/* The Go object behind an interface pointer, or NULL when it is not one. */
FacetGoObject *facetgo_object_of(void *itf);
/* Go objects alive in the process. */
uint32_t facetgo_objects_alive(void);

/* Text and bytes as Facet objects of their own (C memory, freed by their
 * last Release): an IFacetString of n bytes of text, an IFacetBlob of n
 * bytes. NULL when out of memory. */
IFacetString *facetgo_string_new(const char *text, uint64_t n);
IFacetBlob *facetgo_blob_new(const void *data, uint64_t n);

#endif /* FACET_GO_OBJECT_H */
