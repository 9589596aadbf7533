/*
 * facet/typeinfo.h - a data description of IDL interfaces.
 *
 * facet-idl writes X_typeinfo.c for every X.idl: constant tables, with no
 * code, that describe each interface, method and parameter, each struct and
 * each coclass of the file. `facet inspect` prints them, and the proxy/stub
 * generator of process isolation will marshal calls from them (reserved
 * for it: it has not landed). Everything here is read-only data
 * with static storage; a pointer in it stays valid while the module that
 * holds it is loaded.
 *
 * Each table entry starts with struct_size (see rule 5 of <facet/abi.h>):
 * later versions only add fields at the end, and a reader checks
 * struct_size before it reads a field it did not always have. Arrays of
 * entries are walked with the stride the library gives (FacetTypeLibInfo's
 * *_stride fields), so a reader built against an older, smaller struct
 * still finds every entry.
 *
 * Depends on <facet/abi.h> only.
 */
#ifndef FACET_TYPEINFO_H
#define FACET_TYPEINFO_H

#include <facet/abi.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The version of this layout. It changes only when a field is added. */
#define FACET_TYPEINFO_VERSION 1u

/* ---- Kinds of type ----------------------------------------------------- */

/* What a type finally is, after every typedef: FacetTypeRef.kind. The
 * numbers are frozen; new kinds are added at the end. */
#define FACET_TI_VOID 0u
#define FACET_TI_CHAR 1u      /* char: 8-bit text unit (UTF-8) */
#define FACET_TI_INT8 2u
#define FACET_TI_UINT8 3u     /* also MIDL byte and boolean */
#define FACET_TI_INT16 4u
#define FACET_TI_UINT16 5u
#define FACET_TI_INT32 6u     /* also MIDL long, int, and enums */
#define FACET_TI_UINT32 7u
#define FACET_TI_INT64 8u     /* MIDL hyper */
#define FACET_TI_UINT64 9u
#define FACET_TI_FLOAT 10u
#define FACET_TI_DOUBLE 11u
#define FACET_TI_WCHAR 12u    /* MIDL wchar_t: a 16-bit UTF-16 unit (uint16_t) */
#define FACET_TI_BOOLEAN 13u  /* MIDL boolean: 8 bits (uint8_t) */
#define FACET_TI_INTPTR 14u   /* MIDL __int3264: pointer-sized */
#define FACET_TI_UINTPTR 15u
#define FACET_TI_GUID 16u     /* FacetGuid */
#define FACET_TI_RESULT 17u   /* FacetResult (HRESULT) */
#define FACET_TI_INTERFACE 18u /* an interface: name and iid say which */
#define FACET_TI_STRUCT 19u   /* a struct: name says which */
#define FACET_TI_UNION 20u
#define FACET_TI_ENUM 21u     /* an enum, carried as int32_t */
#define FACET_TI_FUNCTION 22u /* a function pointer's target */
#define FACET_TI_HANDLE 23u   /* an RPC handle_t */
#define FACET_TI_OTHER 24u    /* anything else (an opaque or unknown type) */

/* ---- Flags ------------------------------------------------------------- */

/* FacetParamInfo.flags */
#define FACET_TI_IN 0x0001u       /* [in] (the default) */
#define FACET_TI_OUT 0x0002u      /* [out] */
#define FACET_TI_RETVAL 0x0004u   /* [retval] */
#define FACET_TI_STRING 0x0008u   /* [string]: NUL-terminated */
#define FACET_TI_UNIQUE 0x0010u   /* [unique]: may be NULL */
#define FACET_TI_REF 0x0020u      /* [ref]: never NULL */
#define FACET_TI_PTR 0x0040u      /* [ptr]: full pointer, may alias */
#define FACET_TI_CONST 0x0080u    /* the pointed-to data is const */
#define FACET_TI_OPTIONAL 0x0100u /* [optional] */
#define FACET_TI_ARRAY 0x0200u    /* a fixed array: array_length elements */

/* FacetMethodInfo.flags */
#define FACET_TI_METHOD_PROPGET 0x0001u
#define FACET_TI_METHOD_PROPPUT 0x0002u
#define FACET_TI_METHOD_PROPPUTREF 0x0004u
#define FACET_TI_METHOD_LOCAL 0x0008u   /* [local]: not marshalable */
#define FACET_TI_METHOD_VARARGS 0x0010u

/* FacetInterfaceInfo.flags */
#define FACET_TI_ITF_OBJECT 0x0001u    /* [object]: a vtable interface */
#define FACET_TI_ITF_LOCAL 0x0002u     /* [local]: in-process only, no proxy */
#define FACET_TI_ITF_DISPATCH 0x0004u  /* a dispinterface */

/* Parameter links (size_is, length_is, iid_is, switch_is) name another
 * parameter of the same method, or another field of the same struct, by
 * index; FACET_TI_NONE when there is none. */
#define FACET_TI_NONE (-1)

/* ---- Entries ----------------------------------------------------------- */

/* A type as used by a parameter, a return value or a field. */
typedef struct FacetTypeRef {
    uint32_t kind;            /* FACET_TI_*, after every typedef */
    uint32_t pointer_level;   /* how many '*': "IFacetBlob **" is 2 */
    const char *name;         /* the base type's name in C: "uint32_t",
                                 "IFacetBlob", "FacetModuleInfo" */
    const char *c_type;       /* the whole type in C: "const FacetGuid *" */
    const FacetGuid *iid;     /* FACET_TI_INTERFACE with a known IID, else NULL */
} FacetTypeRef;

typedef struct FacetParamInfo {
    uint32_t struct_size;
    const char *name;
    FacetTypeRef type;
    uint32_t flags;           /* FACET_TI_IN, _OUT, _RETVAL, _STRING, ... */
    int32_t size_is;          /* index of the parameter giving the element count */
    int32_t length_is;        /* index of the parameter giving the used count */
    int32_t iid_is;           /* index of the parameter giving the IID of *this */
    int32_t switch_is;        /* index of the union discriminant */
    uint32_t array_length;    /* FACET_TI_ARRAY: elements of a fixed array */
} FacetParamInfo;

typedef struct FacetMethodInfo {
    uint32_t struct_size;
    const char *name;         /* as in the C vtable: "get_Name" for [propget] Name */
    uint32_t slot;            /* vtable slot: 0 is QueryInterface */
    uint32_t flags;           /* FACET_TI_METHOD_* */
    FacetTypeRef result;      /* what the method returns: FACET_TI_RESULT mostly */
    uint32_t param_count;
    const FacetParamInfo *params; /* param_count entries, without This */
} FacetMethodInfo;

typedef struct FacetInterfaceInfo {
    uint32_t struct_size;
    const char *name;         /* as in C: "IFacetHost" */
    FacetGuid iid;
    uint32_t flags;           /* FACET_TI_ITF_* */
    const char *base_name;    /* NULL for IFacetUnknown */
    FacetGuid base_iid;
    const struct FacetInterfaceInfo *base; /* when described in the same library, else NULL */
    uint32_t first_slot;      /* slot of methods[0]: the base's method count */
    uint32_t method_count;    /* methods declared by this interface itself */
    const FacetMethodInfo *methods;
} FacetInterfaceInfo;

/* A field of a struct or union (FacetParamInfo's flags and links apply;
 * links index the fields of the same struct). */
typedef FacetParamInfo FacetFieldInfo;

typedef struct FacetStructInfo {
    uint32_t struct_size;
    const char *name;         /* as in C: the typedef name, or "struct tag" */
    uint32_t is_union;
    uint32_t field_count;
    const FacetFieldInfo *fields;
} FacetStructInfo;

typedef struct FacetCoclassInfo {
    uint32_t struct_size;
    const char *name;
    FacetGuid clsid;
    uint32_t interface_count;
    const char *const *interfaces;   /* interface names */
    const FacetGuid *const *iids;    /* their IIDs when known, else NULL */
    int32_t default_interface;       /* index of the [default] one, or FACET_TI_NONE */
} FacetCoclassInfo;

/* Everything one .idl file describes. facet-idl names it
 * facet_typeinfo_<file stem>, and X.h declares it. */
typedef struct FacetTypeLibInfo {
    uint32_t struct_size;
    uint32_t version;         /* FACET_TYPEINFO_VERSION it was written with */
    const char *source;       /* "greeter.idl" */
    uint32_t interface_count;
    const FacetInterfaceInfo *interfaces;
    uint32_t struct_count;
    const FacetStructInfo *structs;
    uint32_t coclass_count;
    const FacetCoclassInfo *coclasses;
    /* strides of the arrays above, for readers built against older structs */
    uint32_t interface_stride;
    uint32_t struct_stride;
    uint32_t coclass_stride;
} FacetTypeLibInfo;

/* The i-th interface of lib, whatever the size of the entries it was built
 * with; NULL past the end. */
static inline const FacetInterfaceInfo *FacetTypeLibInterface(const FacetTypeLibInfo *lib,
                                                              uint32_t i)
{
    if (!lib || i >= lib->interface_count)
        return NULL;
    return (const FacetInterfaceInfo *)(const void *)((const char *)(const void *)lib->interfaces +
                                                      (size_t)i * lib->interface_stride);
}

/* The interface named name in lib, or NULL. */
static inline const FacetInterfaceInfo *FacetTypeLibFind(const FacetTypeLibInfo *lib,
                                                         const char *name)
{
    uint32_t i;
    for (i = 0; lib && i < lib->interface_count; i++) {
        const FacetInterfaceInfo *itf = FacetTypeLibInterface(lib, i);
        const char *a = itf->name, *b = name;
        while (*a && *a == *b) {
            a++;
            b++;
        }
        if (*a == *b)
            return itf;
    }
    return NULL;
}

/* ---- IFacetTypeInfoSource: a module's own type information ------------- */

/* An optional module ability (docs/design.md), reached with QueryInterface on the
 * module's factory: it hands out the type libraries facet-idl wrote for the
 * module's interfaces (X_typeinfo.c, linked into the module), so a tool such
 * as `facet inspect` can name the interfaces a class declares. A module
 * built with facet/module.h answers it from FacetModuleDef.query:
 *
 *   static const FacetTypeLibInfo *const libs[] = {&facet_typeinfo_widget};
 *   FACET_TYPEINFO_SOURCE_DEFINE(widget_typeinfo, libs)
 *   static FacetResult query(const FacetGuid *iid, void **out) {
 *       if (FacetGuidEqual(iid, &IID_IFacetTypeInfoSource)) {
 *           IFacetTypeInfoSource_AddRef(&widget_typeinfo);
 *           *out = &widget_typeinfo;
 *           return FACET_OK;
 *       }
 *       return FACET_E_NOINTERFACE;
 *   }
 *
 * The libraries are static data: their pointers stay valid while the module
 * is loaded. */
typedef struct IFacetTypeInfoSource IFacetTypeInfoSource;

FACET_DEFINE_GUID(IID_IFacetTypeInfoSource, 0x1480B84B, 0x5C5D, 0x47D4,
                  0xAC, 0xC3, 0x7D, 0x3D, 0x32, 0x6C, 0x2E, 0xC6);

#if FACET_CPP_INTERFACES
struct IFacetTypeInfoSource : public IFacetUnknown {
    virtual FacetResult FACET_CALL GetTypeLibCount(uint32_t *out) = 0;
    virtual FacetResult FACET_CALL GetTypeLib(uint32_t index, const FacetTypeLibInfo **out) = 0;
};
#else
typedef struct IFacetTypeInfoSourceVtbl {
    FACET_UNKNOWN_METHODS(IFacetTypeInfoSource);
    /* How many type libraries the module describes itself with. [any-thread] */
    FacetResult(FACET_CALL *GetTypeLibCount)(IFacetTypeInfoSource *self, uint32_t *out);
    /* The index-th library, borrowed while the module is loaded;
     * FACET_E_INVALIDARG past the end. [any-thread] */
    FacetResult(FACET_CALL *GetTypeLib)(IFacetTypeInfoSource *self, uint32_t index,
                                        const FacetTypeLibInfo **out);
} IFacetTypeInfoSourceVtbl;

struct IFacetTypeInfoSource {
    const IFacetTypeInfoSourceVtbl *lpVtbl;
};

#define IFacetTypeInfoSource_QueryInterface(This, iid, out) \
    ((This)->lpVtbl->QueryInterface(This, iid, out))
#define IFacetTypeInfoSource_AddRef(This) ((This)->lpVtbl->AddRef(This))
#define IFacetTypeInfoSource_Release(This) ((This)->lpVtbl->Release(This))
#define IFacetTypeInfoSource_GetTypeLibCount(This, out) ((This)->lpVtbl->GetTypeLibCount(This, out))
#define IFacetTypeInfoSource_GetTypeLib(This, index, out) \
    ((This)->lpVtbl->GetTypeLib(This, index, out))

/* Defines name, a static IFacetTypeInfoSource over the array libs of
 * const FacetTypeLibInfo pointers. It lives as long as the module's code,
 * so its AddRef and Release count nothing (like the factory's). */
#define FACET_TYPEINFO_SOURCE_DEFINE(name, libs)                                          \
    static FacetResult FACET_CALL name##_qi_(IFacetTypeInfoSource *self, const FacetGuid *iid, \
                                             void **out)                                  \
    {                                                                                     \
        if (out == NULL)                                                                  \
            return FACET_E_POINTER;                                                       \
        *out = NULL;                                                                      \
        if (iid == NULL)                                                                  \
            return FACET_E_POINTER;                                                       \
        if (!FacetGuidEqual(iid, &IID_IFacetUnknown) &&                                   \
            !FacetGuidEqual(iid, &IID_IFacetTypeInfoSource))                              \
            return FACET_E_NOINTERFACE;                                                   \
        *out = self;                                                                      \
        return FACET_OK;                                                                  \
    }                                                                                     \
    static uint32_t FACET_CALL name##_ref_(IFacetTypeInfoSource *self)                    \
    {                                                                                     \
        (void)self;                                                                       \
        return 1;                                                                         \
    }                                                                                     \
    static FacetResult FACET_CALL name##_count_(IFacetTypeInfoSource *self, uint32_t *out) \
    {                                                                                     \
        (void)self;                                                                       \
        if (out == NULL)                                                                  \
            return FACET_E_POINTER;                                                       \
        *out = (uint32_t)(sizeof(libs) / sizeof((libs)[0]));                              \
        return FACET_OK;                                                                  \
    }                                                                                     \
    static FacetResult FACET_CALL name##_get_(IFacetTypeInfoSource *self, uint32_t index,  \
                                              const FacetTypeLibInfo **out)               \
    {                                                                                     \
        (void)self;                                                                       \
        if (out == NULL)                                                                  \
            return FACET_E_POINTER;                                                       \
        *out = NULL;                                                                      \
        if (index >= sizeof(libs) / sizeof((libs)[0]))                                    \
            return FACET_E_INVALIDARG;                                                    \
        *out = (libs)[index];                                                             \
        return FACET_OK;                                                                  \
    }                                                                                     \
    static const IFacetTypeInfoSourceVtbl name##_vtbl_ = {name##_qi_, name##_ref_,        \
                                                          name##_ref_, name##_count_,     \
                                                          name##_get_};                   \
    static IFacetTypeInfoSource name = {&name##_vtbl_}
#endif

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* FACET_TYPEINFO_H */
