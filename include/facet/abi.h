/*
 * facet/abi.h - the Facet binary interface.
 *
 * This is the only header a component needs. It stands alone: it includes
 * nothing but <stdint.h> and <stddef.h>, and it compiles warning-free as C99
 * (-std=c99 -Wall -Wextra -pedantic), as C++11 and with TinyCC. Everything
 * declared here is frozen: a published interface never changes. A new
 * version of an interface derives from the old one and gets a new IID.
 *
 * The rules every interface obeys (see docs/abi.md for the long form):
 *  1. Objects are structs whose first member is a pointer to a vtable of
 *     function pointers. Every vtable starts with QueryInterface, AddRef and
 *     Release, in that order, and every method uses FACET_CALL.
 *  2. Every method except AddRef/Release returns a FacetResult. Results come
 *     back through out-pointers; no struct is ever returned by value.
 *  3. Only fixed-width types cross the boundary: int32_t, uint32_t, int64_t,
 *     uint64_t, float, double, pointers and FacetGuid (by pointer). Never
 *     long, bool, wchar_t, size_t, an enum or a bitfield: use uint32_t or
 *     uint64_t with named constants.
 *  4. No C++ exception, longjmp or signal crosses the boundary.
 *  5. A struct that may grow starts with uint32_t struct_size. The caller
 *     sets it to the size it knows; the callee reads or writes only the
 *     fields that lie wholly inside that size and, on return, sets an out
 *     struct's struct_size to the number of bytes it filled in. Fields are
 *     only ever added at the end. Each such struct has an _INIT macro and a
 *     _V1_SIZE, the smallest struct_size any callee accepts (smaller is
 *     FACET_E_STRUCTSIZE); a larger one than the callee knows is fine.
 *  6. Whoever allocates memory frees it. An object frees itself in its last
 *     Release. A `const char *` an object returns is borrowed and stays valid
 *     while the object lives. Memory handed to the other side is allocated
 *     with the host's IFacetAllocator, or travels inside an IFacetBlob or
 *     IFacetString, so one C runtime never frees another's memory.
 *  7. On failure a method sets every out-pointer it was given to NULL (or
 *     zero) before it returns.
 *
 * Thread tags on methods: [any-thread] may be called from any thread at any
 * time; [creating-thread] only from the thread that created the object;
 * [not-reentrant] not from inside a call on the same object.
 */
#ifndef FACET_ABI_H
#define FACET_ABI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Versions ---------------------------------------------------------- */

/* The ABI version a host passes to facet_module_entry. It changes only when
 * this header changes incompatibly, which it is designed never to do. */
#define FACET_ABI_VERSION 1u

/* The host API level this header describes. A module's FacetModuleInfo says
 * which level it needs; a host offering less refuses to load it. */
#define FACET_API_LEVEL 1u

/* ---- Calling convention and export ------------------------------------- */

#if defined(_WIN32) && (defined(_M_IX86) || defined(__i386__))
#define FACET_CALL __stdcall
#else
#define FACET_CALL
#endif

#ifdef __cplusplus
#define FACET_EXTERN_C extern "C"
#else
#define FACET_EXTERN_C
#endif

#if defined(_WIN32) || defined(__CYGWIN__)
#define FACET_EXPORT FACET_EXTERN_C __declspec(dllexport)
#elif defined(__GNUC__) || defined(__clang__)
#define FACET_EXPORT FACET_EXTERN_C __attribute__((visibility("default")))
#else
#define FACET_EXPORT FACET_EXTERN_C
#endif

/* ---- C or C++ interfaces ---------------------------------------------- */

/* As in the Windows SDK: C++ sees each interface as a struct of pure virtual
 * FACET_CALL methods (no virtual destructor, which would add vtable slots on
 * some ABIs); C sees a struct whose first member lpVtbl points at a struct of
 * function pointers, with X_Method(This, ...) call macros. Both describe the
 * same bytes. Define FACET_CINTERFACE to get the C form in C++. */
#if defined(__cplusplus) && !defined(FACET_CINTERFACE)
#define FACET_CPP_INTERFACES 1
#else
#define FACET_CPP_INTERFACES 0
#endif

/* The body of each method of facet::impl_of<I, D>, the C++ vtables that
 * facet-idl writes for <facet/module.hpp> (rule 4): an exception becomes
 * the failure result it names. Without exceptions, only the call. */
#if defined(__cplusplus) && \
    (defined(__cpp_exceptions) || defined(__EXCEPTIONS) || defined(_CPPUNWIND))
#define FACET_IMPL_TRY try {
#define FACET_IMPL_CATCH(failure) } catch (...) { return failure; }
#else
#define FACET_IMPL_TRY {
#define FACET_IMPL_CATCH(failure) }
#endif

/* ---- Compile-time checks ----------------------------------------------- */

#define FACET_CONCAT_(a, b) a##b
#define FACET_CONCAT(a, b) FACET_CONCAT_(a, b)
#if defined(__cplusplus) && __cplusplus >= 201103L
#define FACET_STATIC_ASSERT(cond, name) static_assert(cond, #name)
#else
/* A negative array size stops the build when cond is false. */
#define FACET_STATIC_ASSERT(cond, name) \
    typedef char FACET_CONCAT(facet_static_assert_, name)[(cond) ? 1 : -1]
#endif

/* ---- GUIDs ------------------------------------------------------------- */

/* The same layout as the Windows GUID. Text form:
 * {xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx} (see facet_guid_parse). */
typedef struct FacetGuid {
    uint32_t Data1;
    uint16_t Data2;
    uint16_t Data3;
    uint8_t Data4[8];
} FacetGuid;

FACET_STATIC_ASSERT(sizeof(FacetGuid) == 16, guid_is_16_bytes);
FACET_STATIC_ASSERT(offsetof(FacetGuid, Data2) == 4, guid_data2_at_4);
FACET_STATIC_ASSERT(offsetof(FacetGuid, Data3) == 6, guid_data3_at_6);
FACET_STATIC_ASSERT(offsetof(FacetGuid, Data4) == 8, guid_data4_at_8);

/* Declares a GUID constant. Every header that declares one is self-contained:
 * the constant is static, so each translation unit has its own copy and no
 * INITGUID dance is needed. */
#define FACET_DEFINE_GUID(name, l, w1, w2, b1, b2, b3, b4, b5, b6, b7, b8) \
    static const FacetGuid name = {l, w1, w2, {b1, b2, b3, b4, b5, b6, b7, b8}}

/* Every GUID constant X here, and every IID_ and CLSID_ constant that
 * facet-idl writes, comes with X_INIT, its initialiser: a constant
 * expression where a static initialiser needs one in C (where the constant
 * itself is not), so a GUID is written once, in the .idl:
 *   static const FacetGuid iids[] = {IID_IFacetRunnable_INIT};
 * `facet guid` prints a new one in each form. */

/* Nonzero when a and b are the same GUID: compared as two 64-bit words,
 * where the compiler can load them without breaking the aliasing rules (a
 * GUID is only 4-byte aligned); field by field elsewhere. */
static inline int FacetGuidEqual(const FacetGuid *a, const FacetGuid *b)
{
#if (defined(__GNUC__) || defined(__clang__)) && !defined(__TINYC__)
    uint64_t x, y;
    __builtin_memcpy(&x, a, 8);
    __builtin_memcpy(&y, b, 8);
    if (x != y)
        return 0; /* a miss: random IIDs differ in their first word */
    __builtin_memcpy(&x, (const unsigned char *)a + 8, 8);
    __builtin_memcpy(&y, (const unsigned char *)b + 8, 8);
    return x == y;
#else
    int i;
    if (a->Data1 != b->Data1 || a->Data2 != b->Data2 || a->Data3 != b->Data3)
        return 0;
    for (i = 0; i < 8; i++)
        if (a->Data4[i] != b->Data4[i])
            return 0;
    return 1;
#endif
}

/* ---- Results ----------------------------------------------------------- */

/* HRESULT-compatible: failure is < 0. */
typedef int32_t FacetResult;

#define FACET_SUCCEEDED(r) ((FacetResult)(r) >= 0)
#define FACET_FAILED(r) ((FacetResult)(r) < 0)
#define FACET_RESULT_(v) ((FacetResult)(v))

/* COM's own values, where COM has the meaning. */
#define FACET_OK FACET_RESULT_(0)
#define FACET_FALSE FACET_RESULT_(1)
#define FACET_E_NOTIMPL FACET_RESULT_(0x80004001u)
#define FACET_E_NOINTERFACE FACET_RESULT_(0x80004002u)
#define FACET_E_POINTER FACET_RESULT_(0x80004003u)
#define FACET_E_ABORT FACET_RESULT_(0x80004004u)
#define FACET_E_FAIL FACET_RESULT_(0x80004005u)
#define FACET_E_UNEXPECTED FACET_RESULT_(0x8000FFFFu)
#define FACET_E_OUTOFMEMORY FACET_RESULT_(0x8007000Eu)
#define FACET_E_INVALIDARG FACET_RESULT_(0x80070057u)
#define FACET_E_ACCESSDENIED FACET_RESULT_(0x80070005u)
#define FACET_E_FILENOTFOUND FACET_RESULT_(0x80070002u)  /* HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND) */
#define FACET_E_NOTFOUND FACET_RESULT_(0x80070490u)      /* HRESULT_FROM_WIN32(ERROR_NOT_FOUND) */
#define FACET_E_NOAGGREGATION FACET_RESULT_(0x80040110u)
#define FACET_E_CLASSNOTREG FACET_RESULT_(0x80040154u)
#define FACET_E_BADGUID FACET_RESULT_(0x800401F3u)       /* CO_E_CLASSSTRING */
#define FACET_E_DISCONNECTED FACET_RESULT_(0x80010108u)  /* RPC_E_DISCONNECTED */
#define FACET_E_WRONGTHREAD FACET_RESULT_(0x8001010Eu)   /* RPC_E_WRONG_THREAD */

/* Facet's own codes: FACILITY_ITF, 0x0200 and up. */
#define FACET_E_NOTAFILE FACET_RESULT_(0x80040200u)      /* a directory or device, not a file */
#define FACET_E_EMPTYFILE FACET_RESULT_(0x80040201u)     /* the file has no bytes */
#define FACET_E_NOTLIBRARY FACET_RESULT_(0x80040202u)    /* not a shared library image at all */
#define FACET_E_TRUNCATED FACET_RESULT_(0x80040203u)     /* a library image cut short */
#define FACET_E_WRONGARCH FACET_RESULT_(0x80040204u)     /* built for another machine or word size */
#define FACET_E_LOADFAILED FACET_RESULT_(0x80040205u)    /* the OS loader refused it */
#define FACET_E_NOENTRY FACET_RESULT_(0x80040206u)       /* no facet_module_entry export */
#define FACET_E_ABIMISMATCH FACET_RESULT_(0x80040207u)   /* host and module ABI versions differ */
#define FACET_E_CONTRACT FACET_RESULT_(0x80040208u)      /* the other side broke a rule of this header */
#define FACET_E_STRUCTSIZE FACET_RESULT_(0x80040209u)    /* a struct_size too small for what is read */
#define FACET_E_CONFLICT FACET_RESULT_(0x8004020Au)      /* two modules claim one class or name */
#define FACET_E_APILEVEL FACET_RESULT_(0x8004020Bu)      /* the module needs a newer host API */
#define FACET_E_VERSION FACET_RESULT_(0x8004020Cu)       /* no version satisfies every requirement */
#define FACET_E_BADMANIFEST FACET_RESULT_(0x8004020Du)   /* a manifest that cannot be used */
#define FACET_E_MISMATCH FACET_RESULT_(0x8004020Eu)      /* module and manifest disagree */
#define FACET_E_BADCONFIG FACET_RESULT_(0x8004020Fu)     /* a host configuration that cannot be used */
#define FACET_E_CYCLE FACET_RESULT_(0x80040210u)         /* a dependency or alias cycle */
#define FACET_E_BUSY FACET_RESULT_(0x80040211u)          /* objects are alive; try later */
#define FACET_E_STATE FACET_RESULT_(0x80040212u)         /* not allowed in the current lifecycle state */
#define FACET_E_TIMEOUT FACET_RESULT_(0x80040213u)       /* the other side did not answer in time */
#define FACET_E_CRASHED FACET_RESULT_(0x80040214u)       /* the other side died during the call */

/* ---- IFacetUnknown ----------------------------------------------------- */

typedef struct IFacetUnknown IFacetUnknown;

/* Its IID is COM's IUnknown IID: on Windows a Facet object is a COM object. */
#define IID_IFacetUnknown_INIT \
    {0x00000000, 0x0000, 0x0000, {0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46}}
static const FacetGuid IID_IFacetUnknown = IID_IFacetUnknown_INIT;

/* The three methods every vtable starts with. */
#define FACET_UNKNOWN_METHODS(T)                                              \
    /* Fills *out with an AddRef'd pointer to interface iid of the same      \
     * object, or sets *out to NULL and returns FACET_E_NOINTERFACE.          \
     * FACET_E_POINTER when iid or out is NULL. [any-thread] */               \
    FacetResult(FACET_CALL *QueryInterface)(T * self, const FacetGuid *iid,   \
                                            void **out);                      \
    /* Adds a reference; returns the new count, for debugging only.          \
     * [any-thread] */                                                        \
    uint32_t(FACET_CALL *AddRef)(T * self);                                   \
    /* Drops a reference; the object frees itself at zero. Returns the new   \
     * count, for debugging only. [any-thread] */                             \
    uint32_t(FACET_CALL *Release)(T * self)

#if FACET_CPP_INTERFACES
struct IFacetUnknown {
    virtual FacetResult FACET_CALL QueryInterface(const FacetGuid *iid, void **out) = 0;
    virtual uint32_t FACET_CALL AddRef() = 0;
    virtual uint32_t FACET_CALL Release() = 0;
};
#else
typedef struct IFacetUnknownVtbl {
    FACET_UNKNOWN_METHODS(IFacetUnknown);
} IFacetUnknownVtbl;

struct IFacetUnknown {
    const IFacetUnknownVtbl *lpVtbl;
};

#define IFacetUnknown_QueryInterface(This, iid, out) \
    ((This)->lpVtbl->QueryInterface(This, iid, out))
#define IFacetUnknown_AddRef(This) ((This)->lpVtbl->AddRef(This))
#define IFacetUnknown_Release(This) ((This)->lpVtbl->Release(This))
#endif

/* Any interface pointer may be used as an IFacetUnknown pointer. */
#define FACET_UNKNOWN(p) ((IFacetUnknown *)(void *)(p))

/* ---- Module and class description -------------------------------------- */

/* What a module says about itself. Pointers are borrowed from the module and
 * stay valid while it is loaded. */
typedef struct FacetModuleInfo {
    uint32_t struct_size;      /* set by the caller; the callee writes no further */
    uint32_t abi_version;      /* FACET_ABI_VERSION the module was built against */
    const char *name;          /* module name, "org.example.greeter" (borrowed) */
    const char *version;       /* SemVer 2.0.0 text, "1.4.0" (borrowed) */
    uint32_t api_level;        /* host API level the module needs */
    const char *compiler;      /* "gcc 12.2.0", "clang 14.0.6 (msvc abi)", "tcc 0.9.27" */
} FacetModuleInfo;

#define FACET_MODULE_INFO_INIT {sizeof(FacetModuleInfo), 0, NULL, NULL, 0, NULL}
/* Where the last field of the first version ends (rule 5). */
#define FACET_MODULE_INFO_V1_SIZE \
    ((uint32_t)(offsetof(FacetModuleInfo, compiler) + sizeof(const char *)))

#define FACET_THREADING_ANY 0u    /* free-threaded: any thread, concurrently */
#define FACET_THREADING_SINGLE 1u /* one thread at a time; the host serialises */
#define FACET_THREADING_MAIN 2u   /* only the host's main thread */

/* What a module says about one of its classes. Pointers are borrowed from
 * the module and stay valid while it is loaded. */
typedef struct FacetClassInfo {
    uint32_t struct_size;
    FacetGuid clsid;
    const char *contract;        /* "org.example.greeter" (borrowed) */
    const char *version;         /* SemVer of the class (borrowed) */
    uint32_t threading;          /* FACET_THREADING_* */
    uint32_t interface_count;
    const FacetGuid *interfaces; /* interface_count IIDs (borrowed) */
} FacetClassInfo;

#define FACET_CLASS_INFO_INIT \
    {sizeof(FacetClassInfo), {0, 0, 0, {0, 0, 0, 0, 0, 0, 0, 0}}, NULL, NULL, 0, 0, NULL}
#define FACET_CLASS_INFO_V1_SIZE \
    ((uint32_t)(offsetof(FacetClassInfo, interfaces) + sizeof(const FacetGuid *)))

/* ---- IFacetFactory ----------------------------------------------------- */

typedef struct IFacetFactory IFacetFactory;

#define IID_IFacetFactory_INIT \
    {0xD509D413, 0x0891, 0x44A6, {0x93, 0xFE, 0x5E, 0xF4, 0x28, 0xA2, 0x8B, 0x01}}
static const FacetGuid IID_IFacetFactory = IID_IFacetFactory_INIT;

#if FACET_CPP_INTERFACES
struct IFacetFactory : public IFacetUnknown {
    virtual FacetResult FACET_CALL GetModuleInfo(FacetModuleInfo *out) = 0;
    virtual FacetResult FACET_CALL GetClassCount(uint32_t *out) = 0;
    virtual FacetResult FACET_CALL DescribeClass(uint32_t index, FacetClassInfo *out) = 0;
    virtual FacetResult FACET_CALL CreateInstance(const FacetGuid *clsid, IFacetUnknown *outer, const FacetGuid *iid, void **out) = 0;
    virtual FacetResult FACET_CALL CanUnload() = 0;
};
#else
typedef struct IFacetFactoryVtbl {
    FACET_UNKNOWN_METHODS(IFacetFactory);
    /* Fills *out (see rule 5). [any-thread] */
    FacetResult(FACET_CALL *GetModuleInfo)(IFacetFactory *self, FacetModuleInfo *out);
    /* The number of classes this module offers; it never changes while the
     * module is loaded. [any-thread] */
    FacetResult(FACET_CALL *GetClassCount)(IFacetFactory *self, uint32_t *out);
    /* Describes class index (0 .. count-1); FACET_E_INVALIDARG past the end.
     * [any-thread] */
    FacetResult(FACET_CALL *DescribeClass)(IFacetFactory *self, uint32_t index,
                                           FacetClassInfo *out);
    /* Creates an object of class clsid and returns its iid interface in *out.
     * With outer != NULL the object is aggregated and iid must be
     * IID_IFacetUnknown; a class that cannot be aggregated returns
     * FACET_E_NOAGGREGATION. FACET_E_CLASSNOTREG for a clsid it does not
     * offer. [any-thread] */
    FacetResult(FACET_CALL *CreateInstance)(IFacetFactory *self, const FacetGuid *clsid,
                                            IFacetUnknown *outer, const FacetGuid *iid,
                                            void **out);
    /* FACET_OK when no object this module created is alive, else FACET_FALSE.
     * References to the factory itself do not count. [any-thread] */
    FacetResult(FACET_CALL *CanUnload)(IFacetFactory *self);
} IFacetFactoryVtbl;

struct IFacetFactory {
    const IFacetFactoryVtbl *lpVtbl;
};

#define IFacetFactory_QueryInterface(This, iid, out) \
    ((This)->lpVtbl->QueryInterface(This, iid, out))
#define IFacetFactory_AddRef(This) ((This)->lpVtbl->AddRef(This))
#define IFacetFactory_Release(This) ((This)->lpVtbl->Release(This))
#define IFacetFactory_GetModuleInfo(This, out) ((This)->lpVtbl->GetModuleInfo(This, out))
#define IFacetFactory_GetClassCount(This, out) ((This)->lpVtbl->GetClassCount(This, out))
#define IFacetFactory_DescribeClass(This, index, out) \
    ((This)->lpVtbl->DescribeClass(This, index, out))
#define IFacetFactory_CreateInstance(This, clsid, outer, iid, out) \
    ((This)->lpVtbl->CreateInstance(This, clsid, outer, iid, out))
#define IFacetFactory_CanUnload(This) ((This)->lpVtbl->CanUnload(This))
#endif

/* ---- The one export ---------------------------------------------------- */

/* Returns, in *factory, the module's factory for iid (IID_IFacetFactory, or
 * another IID the module offers). host is the host object (IID_IFacetHost);
 * the module keeps it, with AddRef, and asks it for services. A module that
 * cannot serve host_abi_version returns FACET_E_ABIMISMATCH. Called once per
 * load, from the loading thread. */
typedef FacetResult (*FacetModuleEntryFn)(uint32_t host_abi_version, IFacetUnknown *host,
                                          const FacetGuid *iid, void **factory);

#define FACET_MODULE_ENTRY_NAME "facet_module_entry"

FACET_EXPORT FacetResult facet_module_entry(uint32_t host_abi_version,
                                            IFacetUnknown *host,
                                            const FacetGuid *iid,
                                            void **factory);

/* ---- IFacetAllocator --------------------------------------------------- */

typedef struct IFacetAllocator IFacetAllocator;

#define IID_IFacetAllocator_INIT \
    {0x56E77775, 0xF13B, 0x4264, {0x8E, 0x3D, 0x06, 0x42, 0xFF, 0x4B, 0x94, 0xD1}}
static const FacetGuid IID_IFacetAllocator = IID_IFacetAllocator_INIT;

/* The runtime's allocator, as CoTaskMemAlloc is COM's: memory one side hands
 * to the other is allocated here, so either side may free it. */
#if FACET_CPP_INTERFACES
struct IFacetAllocator : public IFacetUnknown {
    virtual FacetResult FACET_CALL Alloc(uint64_t size, void **out) = 0;
    virtual FacetResult FACET_CALL Realloc(void *p, uint64_t size, void **out) = 0;
    virtual FacetResult FACET_CALL Free(void *p) = 0;
};
#else
typedef struct IFacetAllocatorVtbl {
    FACET_UNKNOWN_METHODS(IFacetAllocator);
    /* Allocates size bytes, aligned for any type; *out is NULL and the result
     * FACET_E_OUTOFMEMORY when it cannot. size 0 gives a unique pointer.
     * [any-thread] */
    FacetResult(FACET_CALL *Alloc)(IFacetAllocator *self, uint64_t size, void **out);
    /* Resizes p (NULL behaves as Alloc). On failure p is untouched and still
     * owned by the caller. [any-thread] */
    FacetResult(FACET_CALL *Realloc)(IFacetAllocator *self, void *p, uint64_t size,
                                     void **out);
    /* Frees p from Alloc or Realloc of any IFacetAllocator of this runtime;
     * NULL is a no-op. [any-thread] */
    FacetResult(FACET_CALL *Free)(IFacetAllocator *self, void *p);
} IFacetAllocatorVtbl;

struct IFacetAllocator {
    const IFacetAllocatorVtbl *lpVtbl;
};

#define IFacetAllocator_QueryInterface(This, iid, out) \
    ((This)->lpVtbl->QueryInterface(This, iid, out))
#define IFacetAllocator_AddRef(This) ((This)->lpVtbl->AddRef(This))
#define IFacetAllocator_Release(This) ((This)->lpVtbl->Release(This))
#define IFacetAllocator_Alloc(This, size, out) ((This)->lpVtbl->Alloc(This, size, out))
#define IFacetAllocator_Realloc(This, p, size, out) \
    ((This)->lpVtbl->Realloc(This, p, size, out))
#define IFacetAllocator_Free(This, p) ((This)->lpVtbl->Free(This, p))
#endif

/* ---- IFacetBlob -------------------------------------------------------- */

typedef struct IFacetBlob IFacetBlob;

#define IID_IFacetBlob_INIT \
    {0x912BFB49, 0x2C9E, 0x42F2, {0x90, 0xCC, 0x51, 0x0B, 0xFE, 0x40, 0x4F, 0x0E}}
static const FacetGuid IID_IFacetBlob = IID_IFacetBlob_INIT;

/* Reference-counted, immutable bytes. */
#if FACET_CPP_INTERFACES
struct IFacetBlob : public IFacetUnknown {
    virtual FacetResult FACET_CALL GetData(const uint8_t **out) = 0;
    virtual FacetResult FACET_CALL GetSize(uint64_t *out) = 0;
};
#else
typedef struct IFacetBlobVtbl {
    FACET_UNKNOWN_METHODS(IFacetBlob);
    /* The bytes, borrowed while the blob lives; never NULL, even when the
     * size is 0. [any-thread] */
    FacetResult(FACET_CALL *GetData)(IFacetBlob *self, const uint8_t **out);
    /* The number of bytes. [any-thread] */
    FacetResult(FACET_CALL *GetSize)(IFacetBlob *self, uint64_t *out);
} IFacetBlobVtbl;

struct IFacetBlob {
    const IFacetBlobVtbl *lpVtbl;
};

#define IFacetBlob_QueryInterface(This, iid, out) \
    ((This)->lpVtbl->QueryInterface(This, iid, out))
#define IFacetBlob_AddRef(This) ((This)->lpVtbl->AddRef(This))
#define IFacetBlob_Release(This) ((This)->lpVtbl->Release(This))
#define IFacetBlob_GetData(This, out) ((This)->lpVtbl->GetData(This, out))
#define IFacetBlob_GetSize(This, out) ((This)->lpVtbl->GetSize(This, out))
#endif

/* ---- IFacetString ------------------------------------------------------ */

typedef struct IFacetString IFacetString;

#define IID_IFacetString_INIT \
    {0xAC9E751A, 0xF2FF, 0x4D4C, {0xA5, 0xFA, 0xCF, 0x06, 0xB7, 0xD8, 0x07, 0x22}}
static const FacetGuid IID_IFacetString = IID_IFacetString_INIT;

/* Reference-counted, immutable UTF-8 text. */
#if FACET_CPP_INTERFACES
struct IFacetString : public IFacetUnknown {
    virtual FacetResult FACET_CALL GetText(const char **out) = 0;
    virtual FacetResult FACET_CALL GetLength(uint64_t *out) = 0;
};
#else
typedef struct IFacetStringVtbl {
    FACET_UNKNOWN_METHODS(IFacetString);
    /* The text, NUL-terminated, borrowed while the string lives. [any-thread] */
    FacetResult(FACET_CALL *GetText)(IFacetString *self, const char **out);
    /* Its length in bytes, without the terminating NUL. [any-thread] */
    FacetResult(FACET_CALL *GetLength)(IFacetString *self, uint64_t *out);
} IFacetStringVtbl;

struct IFacetString {
    const IFacetStringVtbl *lpVtbl;
};

#define IFacetString_QueryInterface(This, iid, out) \
    ((This)->lpVtbl->QueryInterface(This, iid, out))
#define IFacetString_AddRef(This) ((This)->lpVtbl->AddRef(This))
#define IFacetString_Release(This) ((This)->lpVtbl->Release(This))
#define IFacetString_GetText(This, out) ((This)->lpVtbl->GetText(This, out))
#define IFacetString_GetLength(This, out) ((This)->lpVtbl->GetLength(This, out))
#endif

/* ---- IFacetLogger ------------------------------------------------------ */

typedef struct IFacetLogger IFacetLogger;

#define IID_IFacetLogger_INIT \
    {0x85281BB5, 0x2F2B, 0x4281, {0xA5, 0xF2, 0x3E, 0xFC, 0x77, 0xF1, 0xF2, 0xF0}}
static const FacetGuid IID_IFacetLogger = IID_IFacetLogger_INIT;

#define FACET_LOG_TRACE 0u
#define FACET_LOG_DEBUG 1u
#define FACET_LOG_INFO 2u
#define FACET_LOG_WARN 3u
#define FACET_LOG_ERROR 4u

/* Log lines to the host, which tags them with the module's name. */
#if FACET_CPP_INTERFACES
struct IFacetLogger : public IFacetUnknown {
    virtual FacetResult FACET_CALL Log(uint32_t level, const char *message) = 0;
    virtual FacetResult FACET_CALL IsEnabled(uint32_t level) = 0;
};
#else
typedef struct IFacetLoggerVtbl {
    FACET_UNKNOWN_METHODS(IFacetLogger);
    /* Writes one line (UTF-8, no trailing newline needed) at level
     * FACET_LOG_*. FACET_E_INVALIDARG for an unknown level. [any-thread] */
    FacetResult(FACET_CALL *Log)(IFacetLogger *self, uint32_t level, const char *message);
    /* FACET_OK when lines at level are kept, FACET_FALSE when they would be
     * dropped, so a module can skip formatting them. [any-thread] */
    FacetResult(FACET_CALL *IsEnabled)(IFacetLogger *self, uint32_t level);
} IFacetLoggerVtbl;

struct IFacetLogger {
    const IFacetLoggerVtbl *lpVtbl;
};

#define IFacetLogger_QueryInterface(This, iid, out) \
    ((This)->lpVtbl->QueryInterface(This, iid, out))
#define IFacetLogger_AddRef(This) ((This)->lpVtbl->AddRef(This))
#define IFacetLogger_Release(This) ((This)->lpVtbl->Release(This))
#define IFacetLogger_Log(This, level, message) ((This)->lpVtbl->Log(This, level, message))
#define IFacetLogger_IsEnabled(This, level) ((This)->lpVtbl->IsEnabled(This, level))
#endif

/* ---- IFacetHost -------------------------------------------------------- */

typedef struct IFacetHost IFacetHost;

#define IID_IFacetHost_INIT \
    {0x3EEE5A01, 0x7C3E, 0x4A59, {0x82, 0xCC, 0x33, 0xCB, 0x6F, 0xF1, 0x87, 0xDC}}
static const FacetGuid IID_IFacetHost = IID_IFacetHost_INIT;

/* The host object handed to facet_module_entry. Each module gets its own, so
 * the host knows who asks. QueryInterface on it answers for the services:
 * IFacetAllocator and IFacetLogger always, IFacetConfig and host-registered
 * services where the host offers them and the module may use them
 * (FACET_E_ACCESSDENIED where a permission is missing). */
#if FACET_CPP_INTERFACES
struct IFacetHost : public IFacetUnknown {
    virtual FacetResult FACET_CALL GetApiLevel(uint32_t *out) = 0;
    virtual FacetResult FACET_CALL QueryService(const FacetGuid *sid, const FacetGuid *iid, void **out) = 0;
    virtual FacetResult FACET_CALL CreateInstance(const FacetGuid *clsid, IFacetUnknown *outer, const FacetGuid *iid, void **out) = 0;
    virtual FacetResult FACET_CALL CreateInstanceByName(const char *name, IFacetUnknown *outer, const FacetGuid *iid, void **out) = 0;
    virtual FacetResult FACET_CALL CreateBlob(const void *data, uint64_t size, IFacetBlob **out) = 0;
    virtual FacetResult FACET_CALL CreateString(const char *text, uint64_t length, IFacetString **out) = 0;
};
#else
typedef struct IFacetHostVtbl {
    FACET_UNKNOWN_METHODS(IFacetHost);
    /* The host API level the host offers. [any-thread] */
    FacetResult(FACET_CALL *GetApiLevel)(IFacetHost *self, uint32_t *out);
    /* Asks for service sid, returning its iid interface. The same answer as
     * QueryInterface(iid) when sid == iid. [any-thread] */
    FacetResult(FACET_CALL *QueryService)(IFacetHost *self, const FacetGuid *sid,
                                          const FacetGuid *iid, void **out);
    /* Creates an object of any registered class, from this or another module,
     * as the host's facet_create_instance does. [any-thread] */
    FacetResult(FACET_CALL *CreateInstance)(IFacetHost *self, const FacetGuid *clsid,
                                            IFacetUnknown *outer, const FacetGuid *iid,
                                            void **out);
    /* The same, by contract name or alias. [any-thread] */
    FacetResult(FACET_CALL *CreateInstanceByName)(IFacetHost *self, const char *name,
                                                  IFacetUnknown *outer,
                                                  const FacetGuid *iid, void **out);
    /* Copies size bytes into a new blob. [any-thread] */
    FacetResult(FACET_CALL *CreateBlob)(IFacetHost *self, const void *data, uint64_t size,
                                        IFacetBlob **out);
    /* Copies length bytes of UTF-8 into a new string; length UINT64_MAX means
     * up to the NUL. FACET_E_INVALIDARG for text that is not UTF-8.
     * [any-thread] */
    FacetResult(FACET_CALL *CreateString)(IFacetHost *self, const char *text,
                                          uint64_t length, IFacetString **out);
} IFacetHostVtbl;

struct IFacetHost {
    const IFacetHostVtbl *lpVtbl;
};

#define IFacetHost_QueryInterface(This, iid, out) \
    ((This)->lpVtbl->QueryInterface(This, iid, out))
#define IFacetHost_AddRef(This) ((This)->lpVtbl->AddRef(This))
#define IFacetHost_Release(This) ((This)->lpVtbl->Release(This))
#define IFacetHost_GetApiLevel(This, out) ((This)->lpVtbl->GetApiLevel(This, out))
#define IFacetHost_QueryService(This, sid, iid, out) \
    ((This)->lpVtbl->QueryService(This, sid, iid, out))
#define IFacetHost_CreateInstance(This, clsid, outer, iid, out) \
    ((This)->lpVtbl->CreateInstance(This, clsid, outer, iid, out))
#define IFacetHost_CreateInstanceByName(This, name, outer, iid, out) \
    ((This)->lpVtbl->CreateInstanceByName(This, name, outer, iid, out))
#define IFacetHost_CreateBlob(This, data, size, out) \
    ((This)->lpVtbl->CreateBlob(This, data, size, out))
#define IFacetHost_CreateString(This, text, length, out) \
    ((This)->lpVtbl->CreateString(This, text, length, out))
#endif

/* ---- IFacetConfig ------------------------------------------------------ */

typedef struct IFacetConfig IFacetConfig;

#define IID_IFacetConfig_INIT \
    {0x65295764, 0xDF06, 0x4525, {0xB0, 0x38, 0x0A, 0x9E, 0xDF, 0x2E, 0x3F, 0xC3}}
static const FacetGuid IID_IFacetConfig = IID_IFacetConfig_INIT;

/* A module's own configuration values, from the host configuration. Keys are
 * dotted paths into the module's settings object ("cache.size"). Each getter
 * returns FACET_E_NOTFOUND for a missing key and FACET_E_INVALIDARG for a
 * value of another type. */
#if FACET_CPP_INTERFACES
struct IFacetConfig : public IFacetUnknown {
    virtual FacetResult FACET_CALL GetString(const char *key, const char **out) = 0;
    virtual FacetResult FACET_CALL GetInt(const char *key, int64_t *out) = 0;
    virtual FacetResult FACET_CALL GetDouble(const char *key, double *out) = 0;
    virtual FacetResult FACET_CALL GetBool(const char *key, uint32_t *out) = 0;
};
#else
typedef struct IFacetConfigVtbl {
    FACET_UNKNOWN_METHODS(IFacetConfig);
    /* UTF-8 text, borrowed while the config object lives. [any-thread] */
    FacetResult(FACET_CALL *GetString)(IFacetConfig *self, const char *key, const char **out);
    /* A whole number. [any-thread] */
    FacetResult(FACET_CALL *GetInt)(IFacetConfig *self, const char *key, int64_t *out);
    /* A number. [any-thread] */
    FacetResult(FACET_CALL *GetDouble)(IFacetConfig *self, const char *key, double *out);
    /* true as 1, false as 0. [any-thread] */
    FacetResult(FACET_CALL *GetBool)(IFacetConfig *self, const char *key, uint32_t *out);
} IFacetConfigVtbl;

struct IFacetConfig {
    const IFacetConfigVtbl *lpVtbl;
};

#define IFacetConfig_QueryInterface(This, iid, out) \
    ((This)->lpVtbl->QueryInterface(This, iid, out))
#define IFacetConfig_AddRef(This) ((This)->lpVtbl->AddRef(This))
#define IFacetConfig_Release(This) ((This)->lpVtbl->Release(This))
#define IFacetConfig_GetString(This, key, out) ((This)->lpVtbl->GetString(This, key, out))
#define IFacetConfig_GetInt(This, key, out) ((This)->lpVtbl->GetInt(This, key, out))
#define IFacetConfig_GetDouble(This, key, out) ((This)->lpVtbl->GetDouble(This, key, out))
#define IFacetConfig_GetBool(This, key, out) ((This)->lpVtbl->GetBool(This, key, out))
#endif

/* ---- IFacetLifecycle --------------------------------------------------- */

typedef struct IFacetLifecycle IFacetLifecycle;

#define IID_IFacetLifecycle_INIT \
    {0x4C422928, 0x6257, 0x4BFD, {0xA1, 0xF8, 0x52, 0x33, 0x3A, 0x0B, 0xD4, 0x9E}}
static const FacetGuid IID_IFacetLifecycle = IID_IFacetLifecycle_INIT;

/* A module-level ability, found by QueryInterface on the factory. The host
 * calls Init and Start in dependency order (a module after those it requires)
 * and Stop and Shutdown in reverse. All four are called from the host's
 * lifecycle thread, one at a time. [not-reentrant] */
#if FACET_CPP_INTERFACES
struct IFacetLifecycle : public IFacetUnknown {
    virtual FacetResult FACET_CALL Init() = 0;
    virtual FacetResult FACET_CALL Start() = 0;
    virtual FacetResult FACET_CALL Stop() = 0;
    virtual FacetResult FACET_CALL Shutdown() = 0;
};
#else
typedef struct IFacetLifecycleVtbl {
    FACET_UNKNOWN_METHODS(IFacetLifecycle);
    /* Acquire resources. A failure keeps the module from starting. */
    FacetResult(FACET_CALL *Init)(IFacetLifecycle *self);
    /* Begin work. [after Init] */
    FacetResult(FACET_CALL *Start)(IFacetLifecycle *self);
    /* Cease work; Start may be called again. [after Start] */
    FacetResult(FACET_CALL *Stop)(IFacetLifecycle *self);
    /* Release what Init acquired. [after Init, or after Stop] */
    FacetResult(FACET_CALL *Shutdown)(IFacetLifecycle *self);
} IFacetLifecycleVtbl;

struct IFacetLifecycle {
    const IFacetLifecycleVtbl *lpVtbl;
};

#define IFacetLifecycle_QueryInterface(This, iid, out) \
    ((This)->lpVtbl->QueryInterface(This, iid, out))
#define IFacetLifecycle_AddRef(This) ((This)->lpVtbl->AddRef(This))
#define IFacetLifecycle_Release(This) ((This)->lpVtbl->Release(This))
#define IFacetLifecycle_Init(This) ((This)->lpVtbl->Init(This))
#define IFacetLifecycle_Start(This) ((This)->lpVtbl->Start(This))
#define IFacetLifecycle_Stop(This) ((This)->lpVtbl->Stop(This))
#define IFacetLifecycle_Shutdown(This) ((This)->lpVtbl->Shutdown(This))
#endif

/* ---- IFacetReloadable -------------------------------------------------- */

/* Hot reload (docs/reload.md): the runtime calls SaveState on the version
 * that serves and RestoreState on the next, before its Init. */

typedef struct IFacetReloadable IFacetReloadable;

#define IID_IFacetReloadable_INIT \
    {0xC50D2866, 0xF870, 0x450A, {0xB8, 0xF5, 0x77, 0x9B, 0x99, 0xC1, 0xFE, 0x97}}
static const FacetGuid IID_IFacetReloadable = IID_IFacetReloadable_INIT;

/* A module-level ability, found by QueryInterface on the factory: hands state
 * from the running version of a module to the next during a hot reload. */
#if FACET_CPP_INTERFACES
struct IFacetReloadable : public IFacetUnknown {
    virtual FacetResult FACET_CALL SaveState(IFacetBlob **out) = 0;
    virtual FacetResult FACET_CALL RestoreState(IFacetBlob *state) = 0;
};
#else
typedef struct IFacetReloadableVtbl {
    FACET_UNKNOWN_METHODS(IFacetReloadable);
    /* Called on the old version: its state, in a format of its choosing and
     * with a version of its own inside. [not-reentrant] */
    FacetResult(FACET_CALL *SaveState)(IFacetReloadable *self, IFacetBlob **out);
    /* Called on the new version, before Init, with what SaveState gave. A
     * failure rolls the reload back. [not-reentrant] */
    FacetResult(FACET_CALL *RestoreState)(IFacetReloadable *self, IFacetBlob *state);
} IFacetReloadableVtbl;

struct IFacetReloadable {
    const IFacetReloadableVtbl *lpVtbl;
};

#define IFacetReloadable_QueryInterface(This, iid, out) \
    ((This)->lpVtbl->QueryInterface(This, iid, out))
#define IFacetReloadable_AddRef(This) ((This)->lpVtbl->AddRef(This))
#define IFacetReloadable_Release(This) ((This)->lpVtbl->Release(This))
#define IFacetReloadable_SaveState(This, out) ((This)->lpVtbl->SaveState(This, out))
#define IFacetReloadable_RestoreState(This, state) ((This)->lpVtbl->RestoreState(This, state))
#endif

/* ---- IFacetRunnable ---------------------------------------------------- */

typedef struct IFacetRunnable IFacetRunnable;

#define IID_IFacetRunnable_INIT \
    {0x7DFAF1A2, 0xE689, 0x4C12, {0x81, 0xD5, 0xB0, 0xC9, 0xBE, 0x7B, 0xF4, 0x8F}}
static const FacetGuid IID_IFacetRunnable = IID_IFacetRunnable_INIT;

/* What `facet run NAME` calls on an object of class NAME. */
#if FACET_CPP_INTERFACES
struct IFacetRunnable : public IFacetUnknown {
    virtual FacetResult FACET_CALL Run(uint32_t argc, const char *const *argv, int32_t *exit_code) = 0;
};
#else
typedef struct IFacetRunnableVtbl {
    FACET_UNKNOWN_METHODS(IFacetRunnable);
    /* Runs with argc UTF-8 arguments (argv[0] is NAME) and gives the exit
     * code in *exit_code. A failure result means it could not run at all.
     * [creating-thread] */
    FacetResult(FACET_CALL *Run)(IFacetRunnable *self, uint32_t argc,
                                 const char *const *argv, int32_t *exit_code);
} IFacetRunnableVtbl;

struct IFacetRunnable {
    const IFacetRunnableVtbl *lpVtbl;
};

#define IFacetRunnable_QueryInterface(This, iid, out) \
    ((This)->lpVtbl->QueryInterface(This, iid, out))
#define IFacetRunnable_AddRef(This) ((This)->lpVtbl->AddRef(This))
#define IFacetRunnable_Release(This) ((This)->lpVtbl->Release(This))
#define IFacetRunnable_Run(This, argc, argv, exit_code) \
    ((This)->lpVtbl->Run(This, argc, argv, exit_code))
#endif

/* ---- IFacetNet --------------------------------------------------------- */

typedef struct IFacetNet IFacetNet;

#define IID_IFacetNet_INIT \
    {0x7E3A0749, 0x29B1, 0x4D66, {0xAE, 0x6F, 0xE9, 0x3E, 0x46, 0x77, 0x10, 0x3E}}
static const FacetGuid IID_IFacetNet = IID_IFacetNet_INIT;

/* Outbound TCP through the host, a service of the host object. A module
 * connects only where its manifest requests net.connect:HOST:PORT and the
 * host's configuration grants it; for a process-isolated module the host
 * resolves the name, connects, and hands the child the connected socket,
 * which is the only way a sandboxed module reaches the network. */
#if FACET_CPP_INTERFACES
struct IFacetNet : public IFacetUnknown {
    virtual FacetResult FACET_CALL Connect(const char *host, uint32_t port, uint64_t *socket) = 0;
};
#else
typedef struct IFacetNetVtbl {
    FACET_UNKNOWN_METHODS(IFacetNet);
    /* Connects to host (a name or an address, as the permission writes it:
     * the host compared in lower case, an IPv6 address without brackets
     * or in them) and port, and gives the connected socket in *socket: a
     * file descriptor (a SOCKET on Windows) that the caller owns and
     * closes. FACET_E_ACCESSDENIED where the module may not connect
     * there, FACET_E_NOTFOUND for a name that does not resolve,
     * FACET_E_FAIL when no address accepts the connection. [any-thread] */
    FacetResult(FACET_CALL *Connect)(IFacetNet *self, const char *host, uint32_t port,
                                     uint64_t *socket);
} IFacetNetVtbl;

struct IFacetNet {
    const IFacetNetVtbl *lpVtbl;
};

#define IFacetNet_QueryInterface(This, iid, out) ((This)->lpVtbl->QueryInterface(This, iid, out))
#define IFacetNet_AddRef(This) ((This)->lpVtbl->AddRef(This))
#define IFacetNet_Release(This) ((This)->lpVtbl->Release(This))
#define IFacetNet_Connect(This, host, port, socket) \
    ((This)->lpVtbl->Connect(This, host, port, socket))
#endif

/* ---- Layout checks ----------------------------------------------------- */

#define FACET_SLOT(n) ((n) * sizeof(void (*)(void)))
FACET_STATIC_ASSERT(sizeof(void (*)(void)) == sizeof(void *), fnptr_is_data_ptr_size);
FACET_STATIC_ASSERT(sizeof(IFacetUnknown) == sizeof(void *), unknown_is_one_pointer);
#if !FACET_CPP_INTERFACES
FACET_STATIC_ASSERT(sizeof(IFacetUnknownVtbl) == FACET_SLOT(3), unknown_vtbl_3);
FACET_STATIC_ASSERT(offsetof(IFacetUnknownVtbl, QueryInterface) == FACET_SLOT(0), unknown_qi_0);
FACET_STATIC_ASSERT(offsetof(IFacetUnknownVtbl, AddRef) == FACET_SLOT(1), unknown_addref_1);
FACET_STATIC_ASSERT(offsetof(IFacetUnknownVtbl, Release) == FACET_SLOT(2), unknown_release_2);
FACET_STATIC_ASSERT(sizeof(IFacetFactoryVtbl) == FACET_SLOT(8), factory_vtbl_8);
FACET_STATIC_ASSERT(offsetof(IFacetFactoryVtbl, GetModuleInfo) == FACET_SLOT(3), factory_info_3);
FACET_STATIC_ASSERT(offsetof(IFacetFactoryVtbl, CreateInstance) == FACET_SLOT(6), factory_create_6);
FACET_STATIC_ASSERT(offsetof(IFacetFactoryVtbl, CanUnload) == FACET_SLOT(7), factory_unload_7);
FACET_STATIC_ASSERT(sizeof(IFacetAllocatorVtbl) == FACET_SLOT(6), allocator_vtbl_6);
FACET_STATIC_ASSERT(offsetof(IFacetAllocatorVtbl, Free) == FACET_SLOT(5), allocator_free_5);
FACET_STATIC_ASSERT(sizeof(IFacetBlobVtbl) == FACET_SLOT(5), blob_vtbl_5);
FACET_STATIC_ASSERT(sizeof(IFacetStringVtbl) == FACET_SLOT(5), string_vtbl_5);
FACET_STATIC_ASSERT(sizeof(IFacetLoggerVtbl) == FACET_SLOT(5), logger_vtbl_5);
FACET_STATIC_ASSERT(sizeof(IFacetHostVtbl) == FACET_SLOT(9), host_vtbl_9);
FACET_STATIC_ASSERT(sizeof(IFacetConfigVtbl) == FACET_SLOT(7), config_vtbl_7);
FACET_STATIC_ASSERT(sizeof(IFacetLifecycleVtbl) == FACET_SLOT(7), lifecycle_vtbl_7);
FACET_STATIC_ASSERT(sizeof(IFacetReloadableVtbl) == FACET_SLOT(5), reloadable_vtbl_5);
FACET_STATIC_ASSERT(sizeof(IFacetRunnableVtbl) == FACET_SLOT(4), runnable_vtbl_4);
#endif
/* FacetModuleInfo: 4+4, then pointers and a uint32 padded to pointer size. */
FACET_STATIC_ASSERT(offsetof(FacetModuleInfo, name) == 8, module_info_name_at_8);
FACET_STATIC_ASSERT(offsetof(FacetModuleInfo, version) == 8 + sizeof(void *), module_info_version);
FACET_STATIC_ASSERT(offsetof(FacetModuleInfo, api_level) == 8 + 2 * sizeof(void *), module_info_api);
FACET_STATIC_ASSERT(offsetof(FacetModuleInfo, compiler) == 8 + 3 * sizeof(void *), module_info_compiler);
FACET_STATIC_ASSERT(offsetof(FacetClassInfo, clsid) == 4, class_info_clsid_at_4);
FACET_STATIC_ASSERT(offsetof(FacetClassInfo, contract) == (sizeof(void *) == 8 ? 24 : 20), class_info_contract);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* FACET_ABI_H */
