/*
 * runtime_layout.h - the vtable slots of <facet/abi.h>, as data.
 *
 * runtime_layout_abi.c measures them with abi.h; runtime_layout_gen.c
 * measures the same names in the header facet-idl generates from
 * idl/facet.idl. The two cannot share a translation unit (they declare the
 * same types), so each fills a table and runtime_layout.c compares them.
 */
#ifndef FACET_TEST_RUNTIME_LAYOUT_H
#define FACET_TEST_RUNTIME_LAYOUT_H

#include <stddef.h>
#include <stdint.h>

/* X(interface, method) for every method after the IFacetUnknown three. */
#define RUNTIME_METHODS(X)                                                              \
    X(IFacetFactory, GetModuleInfo) X(IFacetFactory, GetClassCount)                     \
    X(IFacetFactory, DescribeClass) X(IFacetFactory, CreateInstance)                    \
    X(IFacetFactory, CanUnload)                                                         \
    X(IFacetAllocator, Alloc) X(IFacetAllocator, Realloc) X(IFacetAllocator, Free)      \
    X(IFacetBlob, GetData) X(IFacetBlob, GetSize)                                       \
    X(IFacetString, GetText) X(IFacetString, GetLength)                                 \
    X(IFacetLogger, Log) X(IFacetLogger, IsEnabled)                                     \
    X(IFacetHost, GetApiLevel) X(IFacetHost, QueryService) X(IFacetHost, CreateInstance) \
    X(IFacetHost, CreateInstanceByName) X(IFacetHost, CreateBlob)                       \
    X(IFacetHost, CreateString)                                                         \
    X(IFacetConfig, GetString) X(IFacetConfig, GetInt) X(IFacetConfig, GetDouble)       \
    X(IFacetConfig, GetBool)                                                            \
    X(IFacetLifecycle, Init) X(IFacetLifecycle, Start) X(IFacetLifecycle, Stop)         \
    X(IFacetLifecycle, Shutdown)                                                        \
    X(IFacetReloadable, SaveState) X(IFacetReloadable, RestoreState)                    \
    X(IFacetRunnable, Run)                                                              \
    X(IFacetNet, Connect)

#define RUNTIME_INTERFACES(X)                                                           \
    X(IFacetFactory) X(IFacetAllocator) X(IFacetBlob) X(IFacetString) X(IFacetLogger)   \
    X(IFacetHost) X(IFacetConfig) X(IFacetLifecycle) X(IFacetReloadable) X(IFacetRunnable) \
    X(IFacetNet)

/* X(struct, field) for the ABI structs. */
#define RUNTIME_FIELDS(X)                                                               \
    X(FacetModuleInfo, struct_size) X(FacetModuleInfo, abi_version)                     \
    X(FacetModuleInfo, name) X(FacetModuleInfo, version) X(FacetModuleInfo, api_level)  \
    X(FacetModuleInfo, compiler)                                                        \
    X(FacetClassInfo, struct_size) X(FacetClassInfo, clsid) X(FacetClassInfo, contract) \
    X(FacetClassInfo, version) X(FacetClassInfo, threading)                             \
    X(FacetClassInfo, interface_count) X(FacetClassInfo, interfaces)

typedef struct layout_entry {
    const char *owner;  /* interface or struct */
    const char *member; /* method or field; NULL for the whole */
    size_t offset;      /* offsetof in the C vtable or struct */
    size_t size;        /* sizeof the vtable or struct, in the whole's entry */
    const void *guid;   /* the IID, in the whole's entry of an interface */
} layout_entry;

/* Each fills *out and returns the count. */
size_t layout_from_abi(const layout_entry **out);
size_t layout_from_generated(const layout_entry **out);

#endif /* FACET_TEST_RUNTIME_LAYOUT_H */
