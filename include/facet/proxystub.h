/*
 * facet/proxystub.h - proxies and stubs: what facet-idl writes in X_ps.c
 * for the interfaces of X.idl, and the functions of libfacet that code
 * calls.
 *
 * A proxy stands for an object of another process. Its vtable is
 * generated: each method packs pointers to its arguments into an array
 * and calls facet_proxy_call, which writes them into a message by the
 * method's table below, sends it, and reads the answer back into the
 * out-arguments. On the other side a stub (the generated dispatcher of
 * the interface) is handed the same kind of array, built from the
 * message, and calls the real method with its real signature. All the
 * reading and writing of messages is in libfacet, once (docs/isolation.md,
 * "The wire format"); the generated code is tables and one-line calls,
 * in the way MIDL's /Oicf proxies are format strings and an interpreter.
 *
 * facet_idl() lists the X_ps.c files it writes in <target>_PROXY_STUB_SOURCES
 * (C only, as MIDL's proxies are); proxy/stub code runs in the host, so it
 * comes from whoever owns the interface, never from a plugin's folder.
 * FACET_PROXY_STUBS_ENTRY below makes the one export of a shared library
 * of them.
 *
 * The tables are versioned like <facet/typeinfo.h>: entries only grow at
 * the end, and FacetPsLibrary.version says which layout a file has.
 */
#ifndef FACET_PROXYSTUB_H
#define FACET_PROXYSTUB_H

#include "facet.h"
#include "typeinfo.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The layout of these tables. */
#define FACET_PS_VERSION 1u

/* The most parameters a marshaled method may have, and fields a
 * marshaled struct. */
#define FACET_PS_MAX_PARAMS 32u

/* ---- Shapes ------------------------------------------------------------ *
 *
 * How a parameter (or a struct field) crosses, as facet-idl read it from
 * the IDL. "Element" is what the pointers point at: its kind (FACET_TI_*),
 * size and alignment are in the entry. */
#define FACET_PS_VALUE 1u        /* an [in] scalar or struct passed by value; a field of
                                    one of those (count > 1: a fixed array of them) */
#define FACET_PS_REF 2u          /* a pointer to one element: [in], [out] or [in, out] */
#define FACET_PS_ARRAY 3u        /* a pointer to size_is elements, of which length_is
                                    (all when there is none) cross */
#define FACET_PS_STRING 4u       /* [string] const char * (FACET_PS_WIDE: uint16_t
                                    units): [in]; a field crosses either way */
#define FACET_PS_STRING_OUT 5u   /* [out, string] const char ** (borrowed: it stays
                                    valid while the proxy lives) or char **
                                    (FACET_PS_ALLOCATED: the caller frees it) */
#define FACET_PS_STRING_ARRAY 6u /* [in, size_is(n), string] const char *const * */
#define FACET_PS_INTERFACE 7u    /* an [in] interface pointer */
#define FACET_PS_INTERFACE_OUT 8u /* [out] I ** or [out, iid_is(x)] void ** */

/* FacetPsParam.flags */
#define FACET_PS_IN 0x0001u        /* FACET_TI_IN */
#define FACET_PS_OUT 0x0002u       /* FACET_TI_OUT */
#define FACET_PS_UNIQUE 0x0010u    /* FACET_TI_UNIQUE */
#define FACET_PS_ALLOCATED 0x1000u /* an [out] string the caller frees (IFacetAllocator) */
#define FACET_PS_WIDE 0x2000u      /* a string of 16-bit units */
#define FACET_PS_CONST 0x4000u     /* the pointed-to data is const: an [out] array in a
                                      struct is borrowed, as an [out] string is */

/* FacetPsStruct.flags */
#define FACET_PS_SIZED 0x0001u /* its first field is uint32_t struct_size (abi.h rule 5) */

/* FacetPsMethod.flags */
#define FACET_PS_NOT_REMOTE 0x0001u /* cannot cross a process: why says why */
#define FACET_PS_LINKS 0x0002u      /* size_is, length_is or iid_is: links() is called */

typedef struct FacetPsStruct FacetPsStruct;

/* What links() computes for a method's parameters, or a struct's fields,
 * by index: the value of each size_is, length_is and iid_is expression
 * (evaluated by generated C, so any expression the IDL allows works). A
 * pointer that an expression reads through, NULL, gives 0. */
typedef struct FacetPsLinks {
    uint64_t size[FACET_PS_MAX_PARAMS];
    uint64_t length[FACET_PS_MAX_PARAMS];
    const FacetGuid *iid[FACET_PS_MAX_PARAMS];
} FacetPsLinks;

typedef struct FacetPsParam {
    const char *name;
    uint16_t shape;           /* FACET_PS_VALUE ... */
    uint16_t flags;           /* FACET_PS_IN, _OUT, _UNIQUE, ... */
    uint32_t kind;            /* the element's FACET_TI_* kind */
    uint32_t size;            /* the element's size in bytes */
    uint32_t offset;          /* a field: where it lies in its struct (offsetof) */
    uint32_t count;           /* a fixed array: its elements; else 1 */
    int32_t size_is;          /* FACET_TI_NONE, or this entry's index: links() fills
                                 size[] for it */
    int32_t length_is;        /* the same for length[] */
    int32_t iid_is;           /* the same for iid[] */
    const FacetPsStruct *st;  /* FACET_TI_STRUCT: the element's layout */
    const FacetGuid *iid;     /* FACET_TI_INTERFACE: the element's IID, if fixed */
} FacetPsParam;

struct FacetPsStruct {
    const char *name;         /* as in C: "FacetClassInfo" */
    uint32_t size;            /* sizeof */
    uint32_t flags;           /* FACET_PS_SIZED */
    uint32_t field_count;
    const FacetPsParam *fields;
    /* Fills links for the fields of the struct at self; NULL when no field
     * has a link. */
    void (*links)(const void *self, FacetPsLinks *out);
};

typedef struct FacetPsMethod {
    const char *name;         /* "Greet" */
    uint32_t flags;           /* FACET_PS_NOT_REMOTE, FACET_PS_LINKS */
    uint32_t param_count;
    const FacetPsParam *params;
    const char *why;          /* FACET_PS_NOT_REMOTE: what cannot cross */
} FacetPsMethod;

/* A stub: calls method slot of the interface at self with the arguments
 * args[i] points at (each of the parameter's own type). */
typedef FacetResult(FACET_CALL *FacetPsStubFn)(void *self, uint32_t slot, void **args);
/* Fills links for method slot's arguments. */
typedef void(FACET_CALL *FacetPsLinksFn)(uint32_t slot, void *const *args, FacetPsLinks *out);

typedef struct FacetPsInterface {
    uint32_t struct_size;
    const char *name;                 /* "IGreeter" */
    FacetGuid iid;
    uint32_t method_count;            /* vtable slots, IFacetUnknown's three included */
    const FacetPsMethod *methods;     /* method_count - 3 entries: slot 3 first */
    const void *proxy_vtbl;           /* the generated proxy vtable */
    FacetPsStubFn stub;
    FacetPsLinksFn links;             /* NULL when no method has a link */
} FacetPsInterface;

/* The proxies and stubs of one .idl file: facet-idl names it
 * facet_ps_<file stem>. */
typedef struct FacetPsLibrary {
    uint32_t struct_size;
    uint32_t version;                 /* FACET_PS_VERSION it was written with */
    const char *source;               /* "greeter.idl" */
    uint32_t interface_count;
    const FacetPsInterface *const *interfaces;
} FacetPsLibrary;

/* ---- What generated code calls ----------------------------------------- */

/* Method slot of the proxy self, with args[i] pointing at its i-th
 * argument. Returns the method's result, or FACET_E_DISCONNECTED (the
 * object's process is gone), FACET_E_CRASHED (it died during the call),
 * FACET_E_TIMEOUT (it passed the call_timeout_ms of its module and was
 * killed), FACET_E_NOTIMPL (the method cannot cross a process; the
 * message says why), FACET_E_INVALIDARG (an argument too large to send,
 * or a count its size_is disagrees with). [any-thread] */
FACET_API FacetResult facet_proxy_call(void *self, uint32_t slot, void **args);
/* IFacetUnknown of every proxy: identity and counts as COM's proxy
 * manager keeps them (one object per remote object, whatever the
 * interface). */
FACET_API FacetResult facet_proxy_query(void *self, const FacetGuid *iid, void **out);
FACET_API uint32_t facet_proxy_addref(void *self);
FACET_API uint32_t facet_proxy_release(void *self);

/* Loads the library of proxies and stubs at path (a shared library whose
 * one export FACET_PROXY_STUBS_ENTRY defines) for every process-isolated
 * module of this process: their calls marshal the interfaces it holds,
 * and each process host loads the same file. It stays loaded until the
 * process ends. FACET_E_NOENTRY for a library without the export,
 * FACET_E_CONFLICT for an interface another library already serves,
 * FACET_E_ABIMISMATCH for tables of another facet-idl. [any-thread] */
FACET_API FacetResult facet_proxy_stubs_load(const char *path);

/* The one export of a proxy/stub library. */
#define FACET_PROXY_STUBS_ENTRY_NAME "facet_proxy_stubs"
typedef const FacetPsLibrary *const *(*FacetProxyStubsFn)(uint32_t *count);

/* Defines that export over libs, a static array of FacetPsLibrary
 * pointers:
 *
 *   extern const FacetPsLibrary facet_ps_greeter, facet_ps_banner;
 *   static const FacetPsLibrary *const libs[] = {&facet_ps_greeter, &facet_ps_banner};
 *   FACET_PROXY_STUBS_ENTRY(libs)
 */
#define FACET_PROXY_STUBS_ENTRY(libs)                                                     \
    FACET_EXPORT const FacetPsLibrary *const *facet_proxy_stubs(uint32_t *count);         \
    FACET_EXPORT const FacetPsLibrary *const *facet_proxy_stubs(uint32_t *count)          \
    {                                                                                     \
        *count = (uint32_t)(sizeof(libs) / sizeof((libs)[0]));                            \
        return libs;                                                                      \
    }

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* FACET_PROXYSTUB_H */
