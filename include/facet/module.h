/*
 * facet/module.h - the module kit: a header-only helper for writing a
 * module in C (facet/module.hpp is the one for C++).
 *
 * Optional: a module needs only abi.h. The kit writes what every module
 * writes the same way: the factory object and facet_module_entry, the count
 * of live objects behind CanUnload, struct_size handling, QueryInterface,
 * AddRef and Release of objects with one or several interfaces (an interface
 * map, as ATL's BEGIN_COM_MAP), atomic counters that work with every
 * supported compiler (TinyCC included), the compiler string of
 * FacetModuleInfo, and shortcuts to the host's allocator, strings, blobs and
 * logger. docs/plugins.md walks through it.
 *
 *   #define FACET_KIT_IMPLEMENTATION
 *   #include <facet/module.h>
 *   #include "filter.h"                 (made by facet-idl from filter.idl)
 *
 *   typedef struct Invert {
 *       IImageFilter filter;            (the first interface is the identity)
 *       IFilterInfo info;
 *       uint32_t refs;                  (the kit counts here)
 *   } Invert;
 *   #define INVERT_INTERFACES(X) X(Invert, filter, IImageFilter) X(Invert, info, IFilterInfo)
 *   FACET_KIT_OBJECT(Invert, INVERT_INTERFACES)
 *   ... the methods, then the vtables, whose first three slots are
 *   FACET_KIT_IUNKNOWN(Invert, filter) and FACET_KIT_IUNKNOWN(Invert, info)
 *
 *   static FacetResult create(IFacetUnknown *outer, const FacetGuid *iid, void **out)
 *   {
 *       Invert *o;
 *       FacetResult r = Invert_kit_new(&o);
 *       (void)outer;
 *       if (FACET_FAILED(r))
 *           return r;
 *       o->filter.lpVtbl = &filter_vtbl;
 *       o->info.lpVtbl = &info_vtbl;
 *       return Invert_kit_hand_out(o, iid, out);
 *   }
 *   static const FacetKitClassDef classes[] = {
 *       FACET_KIT_CLASS("example.invert", "1.0.0", FACET_THREADING_ANY, Invert, create,
 *                       CLSID_Invert_INIT)};
 *   FACET_KIT_MODULE("example.filters", "1.0.0", classes)
 *
 * Linking: the kit's functions and variables are static, so they never
 * interpose with another copy of the kit (a host linked with -rdynamic that
 * has one, another module), whatever the visibility flags and whichever the
 * compiler: TinyCC cannot hide a symbol. A module of one file defines
 * FACET_KIT_IMPLEMENTATION before including this header. A module of
 * several files defines FACET_KIT_SHARED to a prefix of its own in every
 * one of them (-DFACET_KIT_SHARED=filters) and FACET_KIT_IMPLEMENTATION in
 * one: the kit's names are then external, spelled with the prefix
 * (filters_facet_kit_alloc) and hidden where the compiler can hide them.
 * Everything but FACET_KIT_OBJECT, FACET_KIT_ABILITY and the module
 * definition may then be used in every file.
 */
#ifndef FACET_MODULE_H
#define FACET_MODULE_H

#include "abi.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Atomic counters --------------------------------------------------- */

#if defined(_MSC_VER) && !defined(__clang__)
long __cdecl _InterlockedIncrement(long volatile *);
long __cdecl _InterlockedDecrement(long volatile *);
#pragma intrinsic(_InterlockedIncrement, _InterlockedDecrement)
static inline uint32_t FacetAtomicIncrement(uint32_t *p)
{
    return (uint32_t)_InterlockedIncrement((long volatile *)p);
}
static inline uint32_t FacetAtomicDecrement(uint32_t *p)
{
    return (uint32_t)_InterlockedDecrement((long volatile *)p);
}
#elif defined(__TINYC__) && (defined(__x86_64__) || defined(__i386__))
/* TinyCC has no __atomic or __sync builtins, but it has inline assembly. */
static inline uint32_t FacetAtomicIncrement(uint32_t *p)
{
    uint32_t v = 1;
    __asm__ __volatile__("lock; xaddl %0, %1" : "+r"(v), "+m"(*p) : : "memory");
    return v + 1;
}
static inline uint32_t FacetAtomicDecrement(uint32_t *p)
{
    uint32_t v = (uint32_t)-1;
    __asm__ __volatile__("lock; xaddl %0, %1" : "+r"(v), "+m"(*p) : : "memory");
    return v - 1;
}
#elif defined(__GNUC__) || defined(__clang__)
static inline uint32_t FacetAtomicIncrement(uint32_t *p)
{
    return __atomic_add_fetch(p, 1u, __ATOMIC_ACQ_REL);
}
static inline uint32_t FacetAtomicDecrement(uint32_t *p)
{
    return __atomic_sub_fetch(p, 1u, __ATOMIC_ACQ_REL);
}
#else
#error "facet/module.h: no atomic increment for this compiler"
#endif

static inline uint32_t FacetAtomicLoad(uint32_t *p)
{
#if defined(__GNUC__) || defined(__clang__)
    return __atomic_load_n(p, __ATOMIC_ACQUIRE);
#else
    return *(volatile uint32_t *)p;
#endif
}

/* ---- The compiler that built this file --------------------------------- */

#define FACET_STR_(x) #x
#define FACET_STR(x) FACET_STR_(x)
/* The C++ compilers say so: "g++ 12.2.0", "clang++ 14.0.6". */
#ifdef __cplusplus
#define FACET_CXX_ "++"
#define FACET_GCC_ "g++"
#else
#define FACET_CXX_ ""
#define FACET_GCC_ "gcc"
#endif
#if defined(__clang__) && defined(_MSC_VER)
#define FACET_COMPILER_STRING "clang" FACET_CXX_ " " __clang_version__ " (msvc abi)"
#elif defined(__clang__)
#define FACET_COMPILER_STRING "clang" FACET_CXX_ " " __clang_version__
#elif defined(__TINYC__) && __TINYC__ >= 926 && __TINYC__ <= 929
/* __TINYC__ is 927 for 0.9.27; the preprocessor cannot split it into a
 * string, so the releases in this range are spelled out. */
#define FACET_COMPILER_STRING \
    (__TINYC__ == 926 ? "tcc 0.9.26" : __TINYC__ == 927 ? "tcc 0.9.27" \
     : __TINYC__ == 928 ? "tcc 0.9.28" : "tcc 0.9.29")
#elif defined(__TINYC__)
#define FACET_COMPILER_STRING "tcc (__TINYC__ " FACET_STR(__TINYC__) ")"
#elif defined(__MINGW32__) && defined(__GNUC__)
#define FACET_COMPILER_STRING FACET_GCC_ " " __VERSION__ " (mingw)"
#elif defined(__GNUC__)
#define FACET_COMPILER_STRING FACET_GCC_ " " __VERSION__
#elif defined(_MSC_VER)
#define FACET_COMPILER_STRING "msvc " FACET_STR(_MSC_FULL_VER)
#else
#define FACET_COMPILER_STRING "unknown compiler"
#endif

/* ---- Describing the module --------------------------------------------- */

/* Creates an object of the class, as IFacetFactory::CreateInstance. outer is
 * non-NULL only when the class definition allows aggregation. */
typedef FacetResult (*FacetKitCreateFn)(IFacetUnknown *outer, const FacetGuid *iid, void **out);

typedef struct FacetKitClassDef {
    FacetClassInfo info;
    FacetKitCreateFn create;
    uint32_t aggregatable; /* 0: CreateInstance refuses an outer with FACET_E_NOAGGREGATION */
} FacetKitClassDef;

/* The number of elements of a static array. */
#define FACET_KIT_COUNT(array) ((uint32_t)(sizeof(array) / sizeof((array)[0])))

/* A FacetClassInfo initialiser; iids is a static array of FacetGuid, and the
 * clsid comes last: CLSID_X_INIT from a header facet-idl made, or a braced
 * initialiser (whose commas are why it is last). */
#define FACET_KIT_CLASS_INFO(contract, version, threading, iids, ...)                        \
    {sizeof(FacetClassInfo), __VA_ARGS__, contract, version, threading,                      \
     FACET_KIT_COUNT(iids), iids}

/* A FacetKitClassDef of Type, an object declared with FACET_KIT_OBJECT (its
 * interfaces are those of its map), made by create; not aggregatable. */
#define FACET_KIT_CLASS(contract, version, threading, Type, create, ...)                     \
    {FACET_KIT_CLASS_INFO(contract, version, threading, Type##_kit_iids, __VA_ARGS__), create, 0}

typedef struct FacetKitModuleDef {
    const char *name;
    const char *version;
    uint32_t api_level;
    uint32_t class_count;
    const FacetKitClassDef *classes;
    /* Optional: called once from facet_module_entry, after the host is kept. */
    FacetResult (*on_load)(IFacetHost *host);
    /* Optional: answers QueryInterface on the factory for other interfaces
     * (IFacetLifecycle, IFacetReloadable). Returns an AddRef'd pointer; see
     * FACET_KIT_ABILITY for objects that keep the factory's identity. */
    FacetResult (*query)(const FacetGuid *iid, void **out);
} FacetKitModuleDef;

/* ---- What the factory shares between C and C++ ------------------------- */

/* Copies a struct that starts with struct_size into out, no further than
 * out->struct_size (abi.h rule 5), and sets out->struct_size to what it
 * filled in. */
static inline void facet_kit_struct_out_(void *out, const void *in, uint32_t in_size)
{
    uint32_t size = *(const uint32_t *)out < in_size ? *(const uint32_t *)out : in_size, i;
    for (i = (uint32_t)sizeof(uint32_t); i < size; i++)
        ((unsigned char *)out)[i] = ((const unsigned char *)in)[i];
    *(uint32_t *)out = size;
}

static inline void facet_kit_module_info_(FacetModuleInfo *out, const FacetKitModuleDef *def)
{
    FacetModuleInfo info;
    info.struct_size = sizeof(info);
    info.abi_version = FACET_ABI_VERSION;
    info.name = def->name;
    info.version = def->version;
    info.api_level = def->api_level;
    info.compiler = FACET_COMPILER_STRING;
    facet_kit_struct_out_(out, &info, sizeof(info));
}

/* IFacetFactory::CreateInstance's checks, and the class that clsid names:
 * FACET_OK with *out the class, or the result CreateInstance returns. */
static inline FacetResult facet_kit_find_class_(const FacetKitClassDef **out,
                                                const FacetKitModuleDef *def,
                                                const FacetGuid *clsid, IFacetUnknown *outer,
                                                const FacetGuid *iid)
{
    uint32_t i;
    *out = NULL;
    if (clsid == NULL || iid == NULL)
        return FACET_E_POINTER;
    for (i = 0; i < def->class_count; i++) {
        const FacetKitClassDef *c = &def->classes[i];
        if (!FacetGuidEqual(clsid, &c->info.clsid))
            continue;
        if (outer != NULL && !c->aggregatable)
            return FACET_E_NOAGGREGATION;
        if (outer != NULL && !FacetGuidEqual(iid, &IID_IFacetUnknown))
            return FACET_E_INVALIDARG; /* COM: an aggregate asks for IUnknown */
        *out = c;
        return FACET_OK;
    }
    return FACET_E_CLASSNOTREG;
}

/* ---- Interface maps ---------------------------------------------------- */

/* Where an object keeps one of its interfaces. */
typedef struct FacetKitEntry {
    const FacetGuid *iid;
    size_t offset;
} FacetKitEntry;

/* An object's interfaces (the first is its identity, the IFacetUnknown
 * QueryInterface answers), where its uint32_t reference count is, and what
 * runs when the count reaches zero, before the memory goes (may be NULL). */
typedef struct FacetKitMap {
    const FacetKitEntry *entries;
    uint32_t count;
    size_t refs;
    void (*destroy)(void *object);
} FacetKitMap;

/* The object of type Type whose interface member self points at. */
#define FACET_KIT_FROM(Type, member, self) \
    ((Type *)(void *)((char *)(self) - offsetof(Type, member)))

/* The first three slots of the vtable of Type's interface member. */
#define FACET_KIT_IUNKNOWN(Type, member) \
    Type##_##member##_QueryInterface, Type##_##member##_AddRef, Type##_##member##_Release

/* FACET_KIT_OBJECT(Type, MAP) writes, for an object type Type with a
 * uint32_t member refs and the interfaces MAP lists:
 *
 *   #define INVERT_INTERFACES(X) X(Invert, filter, IImageFilter) X(Invert, info, IFilterInfo)
 *   FACET_KIT_OBJECT(Invert, INVERT_INTERFACES)
 *
 * (each X(Type, member, Itf): the member of Type that is interface Itf,
 * whose IIDs are IID_Itf and IID_Itf_INIT; the first is the identity):
 *  - for each member, Type_member_QueryInterface, _AddRef and _Release,
 *    the first three slots of its vtable (FACET_KIT_IUNKNOWN), over one
 *    reference count;
 *  - Type_kit_iids, the IIDs, for the class description (FACET_KIT_CLASS);
 *  - Type_kit_new(Type **out): a new object from the host's allocator,
 *    zeroed, with one reference, counted for CanUnload; set its lpVtbls;
 *  - Type_kit_hand_out(Type *o, iid, out): QueryInterface for iid, then lets
 *    go of the reference Type_kit_new gave (a failure frees the object);
 *  - Type_kit_query, Type_kit_addref, Type_kit_release on the object itself.
 * The last Release frees the object. FACET_KIT_OBJECT_DESTROY(Type, MAP,
 * destroy) calls destroy(Type *) first, to let go of what it holds. */
#define FACET_KIT_OBJECT(Type, MAP) FACET_KIT_OBJECT_(Type, MAP, NULL)
#define FACET_KIT_OBJECT_DESTROY(Type, MAP, destroy)                                         \
    static void destroy(Type *object);                                                       \
    static void Type##_kit_destroy_(void *object) { destroy((Type *)object); }               \
    FACET_KIT_OBJECT_(Type, MAP, Type##_kit_destroy_)

#define FACET_KIT_ENTRY_(Type, member, Itf) {&IID_##Itf, offsetof(Type, member)},
/* One test of Type_kit_lookup_'s chain: the map is known here, so each IID
 * is compared inline, with no loop over a table. */
#define FACET_KIT_CASE_(Type, member, Itf)                                                   \
    if (FacetGuidEqual(iid, &IID_##Itf))                                                     \
        p = &object->member;                                                                 \
    else
#define FACET_KIT_IID_(Type, member, Itf) IID_##Itf##_INIT,
#define FACET_KIT_THUNKS_(Type, member, Itf)                                                 \
    static FacetResult FACET_CALL Type##_##member##_QueryInterface(Itf *self,                \
                                                                   const FacetGuid *iid,     \
                                                                   void **out)               \
    {                                                                                         \
        return Type##_kit_lookup_(FACET_KIT_FROM(Type, member, self), iid, out);            \
    }                                                                                         \
    static uint32_t FACET_CALL Type##_##member##_AddRef(Itf *self)                            \
    {                                                                                         \
        return FacetAtomicIncrement(&FACET_KIT_FROM(Type, member, self)->refs);               \
    }                                                                                         \
    static uint32_t FACET_CALL Type##_##member##_Release(Itf *self)                           \
    {                                                                                         \
        return facet_kit_release(FACET_KIT_FROM(Type, member, self), &Type##_kit_map);       \
    }

#if defined(__GNUC__) || defined(__clang__) || defined(__TINYC__)
#define FACET_KIT_MAYBE_UNUSED_ __attribute__((unused))
#else
#define FACET_KIT_MAYBE_UNUSED_
#endif
#define FACET_KIT_OBJECT_(Type, MAP, destroy)                                                \
    static const FacetKitEntry Type##_kit_entries[] = {MAP(FACET_KIT_ENTRY_)};               \
    static const FacetKitMap Type##_kit_map = {Type##_kit_entries,                           \
                                               FACET_KIT_COUNT(Type##_kit_entries),          \
                                               offsetof(Type, refs), destroy};               \
    static const FacetGuid Type##_kit_iids[] = {MAP(FACET_KIT_IID_)};                        \
    /* facet_kit_query for this map: IFacetUnknown (the identity, the first    \
     * member), then each member's IID, in the map's order. */                 \
    static FacetResult Type##_kit_lookup_(Type *object, const FacetGuid *iid, void **out)    \
    {                                                                                         \
        void *p;                                                                              \
        if (out == NULL)                                                                      \
            return FACET_E_POINTER;                                                           \
        *out = NULL;                                                                          \
        if (iid == NULL)                                                                      \
            return FACET_E_POINTER;                                                           \
        if (FacetGuidEqual(iid, &IID_IFacetUnknown))                                          \
            p = (char *)object + Type##_kit_entries[0].offset;                                \
        else                                                                                  \
            MAP(FACET_KIT_CASE_) return FACET_E_NOINTERFACE;                                  \
        FacetAtomicIncrement(&object->refs);                                                  \
        *out = p;                                                                             \
        return FACET_OK;                                                                      \
    }                                                                                         \
    MAP(FACET_KIT_THUNKS_)                                                                    \
    FACET_KIT_MAYBE_UNUSED_ static inline FacetResult Type##_kit_new(Type **out)              \
    {                                                                                         \
        return facet_kit_new(sizeof(Type), &Type##_kit_map, (void **)out);                   \
    }                                                                                         \
    FACET_KIT_MAYBE_UNUSED_ static inline FacetResult Type##_kit_hand_out(                    \
        Type *object, const FacetGuid *iid, void **out)                                       \
    {                                                                                         \
        return facet_kit_hand_out(object, &Type##_kit_map, iid, out);                        \
    }                                                                                         \
    FACET_KIT_MAYBE_UNUSED_ static inline FacetResult Type##_kit_query(                       \
        Type *object, const FacetGuid *iid, void **out)                                       \
    {                                                                                         \
        return Type##_kit_lookup_(object, iid, out);                                          \
    }                                                                                         \
    FACET_KIT_MAYBE_UNUSED_ static inline uint32_t Type##_kit_addref(Type *object)            \
    {                                                                                         \
        return FacetAtomicIncrement(&object->refs);                                           \
    }                                                                                         \
    FACET_KIT_MAYBE_UNUSED_ static inline uint32_t Type##_kit_release(Type *object)           \
    {                                                                                         \
        return facet_kit_release(object, &Type##_kit_map);                                   \
    }

/* ---- The kit's state and helpers ---------------------------------------- */

#if defined(FACET_KIT_SHARED)
/* A module of several files: external names with the module's prefix. */
#if defined(_WIN32) || defined(__CYGWIN__) || defined(__TINYC__)
#define FACET_KIT_LINK_ /* a DLL exports only what says dllexport; TinyCC cannot hide */
#else
#define FACET_KIT_LINK_ __attribute__((visibility("hidden")))
#endif
#define FACET_KIT_FN_ FACET_KIT_LINK_
#define FACET_KIT_DECL_ extern FACET_KIT_LINK_
#define FACET_KIT_NAME_(name) FACET_CONCAT(FACET_KIT_SHARED, name)
#define facet_kit_host FACET_KIT_NAME_(_facet_kit_host)
#define facet_kit_alloc FACET_KIT_NAME_(_facet_kit_alloc)
#define facet_kit_free FACET_KIT_NAME_(_facet_kit_free)
#define facet_kit_string FACET_KIT_NAME_(_facet_kit_string)
#define facet_kit_blob FACET_KIT_NAME_(_facet_kit_blob)
#define facet_kit_log FACET_KIT_NAME_(_facet_kit_log)
#define facet_kit_object_created FACET_KIT_NAME_(_facet_kit_object_created)
#define facet_kit_object_destroyed FACET_KIT_NAME_(_facet_kit_object_destroyed)
#define facet_kit_object_count FACET_KIT_NAME_(_facet_kit_object_count)
#define facet_kit_new FACET_KIT_NAME_(_facet_kit_new)
#define facet_kit_hand_out FACET_KIT_NAME_(_facet_kit_hand_out)
#define facet_kit_query FACET_KIT_NAME_(_facet_kit_query)
#define facet_kit_release FACET_KIT_NAME_(_facet_kit_release)
#elif defined(FACET_KIT_IMPLEMENTATION) || defined(FACET_MODULE_IMPLEMENTATION)
/* A module of one file: everything is static. */
#define FACET_KIT_FN_ static inline
#define FACET_KIT_DECL_ static
#endif

#ifdef FACET_KIT_FN_

/* The host object the module was handed (an IFacetHost, AddRef'd), or NULL
 * before facet_module_entry. The module may use it until the runtime lets
 * go of its factory. */
FACET_KIT_DECL_ IFacetHost *facet_kit_host;

/* Memory from the host's allocator, which either side may free: what the
 * module hands to the host goes through it (abi.h rule 6).
 * FACET_E_UNEXPECTED before facet_module_entry. */
FACET_KIT_FN_ FacetResult facet_kit_alloc(uint64_t size, void **out);
FACET_KIT_FN_ void facet_kit_free(void *p);

/* A new string (UTF-8 text up to its NUL) or blob (size bytes) of the
 * host's, which the caller owns: how text and bytes cross the boundary. */
FACET_KIT_FN_ FacetResult facet_kit_string(IFacetString **out, const char *text);
FACET_KIT_FN_ FacetResult facet_kit_blob(IFacetBlob **out, const void *data, uint64_t size);

/* Logs a line through the host's logger, at level FACET_LOG_*. */
FACET_KIT_FN_ void facet_kit_log(uint32_t level, const char *message);

/* The count of live objects behind CanUnload: the kit's objects count
 * themselves; an object written by hand calls these when it is made and
 * when it is freed. */
FACET_KIT_FN_ void facet_kit_object_created(void);
FACET_KIT_FN_ void facet_kit_object_destroyed(void);
FACET_KIT_FN_ uint32_t facet_kit_object_count(void);

/* What FACET_KIT_OBJECT's functions call, for an object laid out by map. */
FACET_KIT_FN_ FacetResult facet_kit_new(size_t size, const FacetKitMap *map, void **out);
FACET_KIT_FN_ FacetResult facet_kit_hand_out(void *object, const FacetKitMap *map,
                                             const FacetGuid *iid, void **out);
FACET_KIT_FN_ FacetResult facet_kit_query(void *object, const FacetKitMap *map,
                                          const FacetGuid *iid, void **out);
FACET_KIT_FN_ uint32_t facet_kit_release(void *object, const FacetKitMap *map);

#endif /* FACET_KIT_FN_ */

#if defined(FACET_KIT_IMPLEMENTATION) || defined(FACET_MODULE_IMPLEMENTATION)

#if FACET_CPP_INTERFACES
#error "facet/module.h implements the factory in C; in C++ include facet/module.hpp instead"
#endif

#ifdef FACET_KIT_SHARED
FACET_KIT_LINK_ IFacetHost *facet_kit_host; /* declared static above otherwise */
#endif
static uint32_t facet_kit_objects_;
static IFacetLogger *facet_kit_logger_;
static IFacetAllocator *facet_kit_allocator_;

FACET_KIT_FN_ void facet_kit_object_created(void)
{
    FacetAtomicIncrement(&facet_kit_objects_);
}

FACET_KIT_FN_ void facet_kit_object_destroyed(void)
{
    FacetAtomicDecrement(&facet_kit_objects_);
}

FACET_KIT_FN_ uint32_t facet_kit_object_count(void)
{
    return FacetAtomicLoad(&facet_kit_objects_);
}

FACET_KIT_FN_ FacetResult facet_kit_alloc(uint64_t size, void **out)
{
    if (out == NULL)
        return FACET_E_POINTER;
    *out = NULL;
    if (facet_kit_allocator_ == NULL)
        return FACET_E_UNEXPECTED;
    return IFacetAllocator_Alloc(facet_kit_allocator_, size, out);
}

FACET_KIT_FN_ void facet_kit_free(void *p)
{
    if (facet_kit_allocator_ != NULL && p != NULL)
        IFacetAllocator_Free(facet_kit_allocator_, p);
}

FACET_KIT_FN_ FacetResult facet_kit_string(IFacetString **out, const char *text)
{
    if (out == NULL)
        return FACET_E_POINTER;
    *out = NULL;
    if (facet_kit_host == NULL)
        return FACET_E_UNEXPECTED;
    return IFacetHost_CreateString(facet_kit_host, text, UINT64_MAX, out);
}

FACET_KIT_FN_ FacetResult facet_kit_blob(IFacetBlob **out, const void *data, uint64_t size)
{
    if (out == NULL)
        return FACET_E_POINTER;
    *out = NULL;
    if (facet_kit_host == NULL)
        return FACET_E_UNEXPECTED;
    return IFacetHost_CreateBlob(facet_kit_host, data, size, out);
}

FACET_KIT_FN_ void facet_kit_log(uint32_t level, const char *message)
{
    if (facet_kit_logger_ != NULL)
        IFacetLogger_Log(facet_kit_logger_, level, message);
}

FACET_KIT_FN_ FacetResult facet_kit_query(void *object, const FacetKitMap *map,
                                          const FacetGuid *iid, void **out)
{
    uint32_t i;
    if (out == NULL)
        return FACET_E_POINTER;
    *out = NULL;
    if (iid == NULL)
        return FACET_E_POINTER;
    if (FacetGuidEqual(iid, &IID_IFacetUnknown))
        i = 0; /* the identity: always the same pointer */
    else
        for (i = 0; i < map->count && !FacetGuidEqual(iid, map->entries[i].iid); i++)
            ;
    if (i == map->count)
        return FACET_E_NOINTERFACE;
    FacetAtomicIncrement((uint32_t *)(void *)((char *)object + map->refs));
    *out = (char *)object + map->entries[i].offset;
    return FACET_OK;
}

FACET_KIT_FN_ uint32_t facet_kit_release(void *object, const FacetKitMap *map)
{
    uint32_t n = FacetAtomicDecrement((uint32_t *)(void *)((char *)object + map->refs));
    if (n == 0) {
        if (map->destroy != NULL)
            map->destroy(object);
        facet_kit_free(object);
        facet_kit_object_destroyed();
    }
    return n;
}

FACET_KIT_FN_ FacetResult facet_kit_new(size_t size, const FacetKitMap *map, void **out)
{
    FacetResult r = facet_kit_alloc(size, out);
    size_t i;
    if (FACET_FAILED(r))
        return r;
    for (i = 0; i < size; i++)
        ((unsigned char *)*out)[i] = 0;
    *(uint32_t *)(void *)((char *)*out + map->refs) = 1;
    facet_kit_object_created();
    return FACET_OK;
}

FACET_KIT_FN_ FacetResult facet_kit_hand_out(void *object, const FacetKitMap *map,
                                             const FacetGuid *iid, void **out)
{
    FacetResult r = facet_kit_query(object, map, iid, out);
    facet_kit_release(object, map);
    return r;
}

/* The factory is a static object that lives as long as the module's code.
 * Its references do not count for CanUnload (abi.h, IFacetFactory); when
 * the last one goes (the runtime lets go of it just before unloading the
 * module), the module lets go of its host object. */
static const FacetKitModuleDef *facet_kit_def_;
static uint32_t facet_kit_factory_refs_;
static void facet_kit_drop_host_(void);

static FacetResult FACET_CALL facet_kit_factory_qi_(IFacetFactory *self, const FacetGuid *iid,
                                                    void **out)
{
    if (out == NULL)
        return FACET_E_POINTER;
    *out = NULL;
    if (iid == NULL)
        return FACET_E_POINTER;
    if (FacetGuidEqual(iid, &IID_IFacetUnknown) || FacetGuidEqual(iid, &IID_IFacetFactory)) {
        FacetAtomicIncrement(&facet_kit_factory_refs_);
        *out = self;
        return FACET_OK;
    }
    if (facet_kit_def_->query != NULL)
        return facet_kit_def_->query(iid, out);
    return FACET_E_NOINTERFACE;
}

static uint32_t FACET_CALL facet_kit_factory_addref_(IFacetFactory *self)
{
    (void)self;
    return FacetAtomicIncrement(&facet_kit_factory_refs_);
}

static uint32_t FACET_CALL facet_kit_factory_release_(IFacetFactory *self)
{
    uint32_t n = FacetAtomicDecrement(&facet_kit_factory_refs_);
    (void)self;
    if (n == 0)
        facet_kit_drop_host_();
    return n;
}

static FacetResult FACET_CALL facet_kit_factory_info_(IFacetFactory *self, FacetModuleInfo *out)
{
    (void)self;
    if (out == NULL)
        return FACET_E_POINTER;
    facet_kit_module_info_(out, facet_kit_def_);
    return FACET_OK;
}

static FacetResult FACET_CALL facet_kit_factory_count_(IFacetFactory *self, uint32_t *out)
{
    (void)self;
    if (out == NULL)
        return FACET_E_POINTER;
    *out = facet_kit_def_->class_count;
    return FACET_OK;
}

static FacetResult FACET_CALL facet_kit_factory_describe_(IFacetFactory *self, uint32_t index,
                                                          FacetClassInfo *out)
{
    (void)self;
    if (out == NULL)
        return FACET_E_POINTER;
    if (index >= facet_kit_def_->class_count)
        return FACET_E_INVALIDARG;
    facet_kit_struct_out_(out, &facet_kit_def_->classes[index].info, sizeof(FacetClassInfo));
    return FACET_OK;
}

static FacetResult FACET_CALL facet_kit_factory_create_(IFacetFactory *self,
                                                        const FacetGuid *clsid,
                                                        IFacetUnknown *outer,
                                                        const FacetGuid *iid, void **out)
{
    const FacetKitClassDef *c;
    FacetResult r;
    (void)self;
    if (out == NULL)
        return FACET_E_POINTER;
    *out = NULL;
    r = facet_kit_find_class_(&c, facet_kit_def_, clsid, outer, iid);
    return FACET_FAILED(r) ? r : c->create(outer, iid, out);
}

static FacetResult FACET_CALL facet_kit_factory_can_unload_(IFacetFactory *self)
{
    (void)self;
    return facet_kit_object_count() == 0 ? FACET_OK : FACET_FALSE;
}

static const IFacetFactoryVtbl facet_kit_factory_vtbl_ = {
    facet_kit_factory_qi_,       facet_kit_factory_addref_,
    facet_kit_factory_release_,  facet_kit_factory_info_,
    facet_kit_factory_count_,    facet_kit_factory_describe_,
    facet_kit_factory_create_,   facet_kit_factory_can_unload_,
};

static IFacetFactory facet_kit_factory_ = {&facet_kit_factory_vtbl_};

static void facet_kit_drop_host_(void)
{
    if (facet_kit_logger_ != NULL)
        IFacetLogger_Release(facet_kit_logger_);
    if (facet_kit_allocator_ != NULL)
        IFacetAllocator_Release(facet_kit_allocator_);
    if (facet_kit_host != NULL)
        IFacetHost_Release(facet_kit_host);
    facet_kit_logger_ = NULL;
    facet_kit_allocator_ = NULL;
    facet_kit_host = NULL;
}

/* The entry: keeps the host, runs on_load, and hands out the factory. A
 * runtime's module has globals of its own (another runtime of the process
 * that loads the same file maps a private copy), so the host kept here is
 * its runtime's; a module that is unloaded and loaded again lets go of the
 * old one first. */
static FacetResult facet_kit_entry_(const FacetKitModuleDef *def, uint32_t host_abi_version,
                                    IFacetUnknown *host, const FacetGuid *iid, void **factory)
{
    FacetResult r;
    if (factory == NULL || iid == NULL)
        return FACET_E_POINTER;
    *factory = NULL;
    if (host_abi_version != FACET_ABI_VERSION)
        return FACET_E_ABIMISMATCH;
    facet_kit_def_ = def;
    if (host != NULL) {
        facet_kit_drop_host_();
        r = IFacetUnknown_QueryInterface(host, &IID_IFacetHost, (void **)&facet_kit_host);
        if (FACET_FAILED(r))
            return r;
        if (FACET_FAILED(IFacetHost_QueryInterface(facet_kit_host, &IID_IFacetAllocator,
                                                   (void **)&facet_kit_allocator_)))
            facet_kit_allocator_ = NULL;
        if (FACET_FAILED(IFacetHost_QueryInterface(facet_kit_host, &IID_IFacetLogger,
                                                   (void **)&facet_kit_logger_)))
            facet_kit_logger_ = NULL;
    }
    if (def->on_load != NULL) {
        r = def->on_load(facet_kit_host);
        if (FACET_FAILED(r)) {
            facet_kit_drop_host_();
            return r;
        }
    }
    r = facet_kit_factory_qi_(&facet_kit_factory_, iid, factory);
    if (FACET_FAILED(r) && FacetAtomicLoad(&facet_kit_factory_refs_) == 0)
        facet_kit_drop_host_();
    return r;
}

/* Writes prefix_qi, prefix_addref and prefix_release for a module-level
 * ability: a static object of interface Itf (IFacetLifecycle,
 * IFacetReloadable, ...) that FacetKitModuleDef.query hands out. It is a
 * face of the factory, as COM's rules want of an interface reached from it:
 * QueryInterface goes to the factory (IFacetUnknown gives the factory's
 * identity) and its references are the factory's. In the same file as
 * FACET_KIT_IMPLEMENTATION:
 *
 *   FACET_KIT_ABILITY(life, IFacetLifecycle)
 *   static const IFacetLifecycleVtbl life_vtbl = {life_qi, life_addref, life_release, ...};
 *   static IFacetLifecycle lifecycle = {&life_vtbl};
 *   static FacetResult query(const FacetGuid *iid, void **out) {
 *       if (!FacetGuidEqual(iid, &IID_IFacetLifecycle))
 *           return FACET_E_NOINTERFACE;
 *       life_addref(&lifecycle);
 *       *out = &lifecycle;
 *       return FACET_OK;
 *   }
 */
#define FACET_KIT_ABILITY(prefix, Itf)                                                       \
    static FacetResult FACET_CALL prefix##_qi(Itf *self, const FacetGuid *iid, void **out)   \
    {                                                                                         \
        (void)self;                                                                           \
        return facet_kit_factory_qi_(&facet_kit_factory_, iid, out);                         \
    }                                                                                         \
    static uint32_t FACET_CALL prefix##_addref(Itf *self)                                     \
    {                                                                                         \
        (void)self;                                                                           \
        return facet_kit_factory_addref_(&facet_kit_factory_);                               \
    }                                                                                         \
    static uint32_t FACET_CALL prefix##_release(Itf *self)                                    \
    {                                                                                         \
        (void)self;                                                                           \
        return facet_kit_factory_release_(&facet_kit_factory_);                              \
    }

/* The export, for the module def (a FacetKitModuleDef). */
#define FACET_KIT_MODULE_DEFINE(def)                                                         \
    FACET_EXPORT FacetResult facet_module_entry(uint32_t host_abi_version, IFacetUnknown *host, \
                                                const FacetGuid *iid, void **factory)          \
    {                                                                                          \
        return facet_kit_entry_(&(def), host_abi_version, host, iid, factory);                 \
    }

/* The module definition and the export, for a module of classes (a static
 * array of FacetKitClassDef), without on_load or query. */
#define FACET_KIT_MODULE(name, version, classes)                                             \
    static const FacetKitModuleDef facet_kit_module_def_ = {                                 \
        name, version, FACET_API_LEVEL, FACET_KIT_COUNT(classes), classes, NULL, NULL};      \
    FACET_KIT_MODULE_DEFINE(facet_kit_module_def_)

#endif /* FACET_KIT_IMPLEMENTATION */

/* ---- Deprecated names ---------------------------------------------------- *
 *
 * Until 0.2 the kit shared its prefix with the host API (facet_module_load):
 * these keep a module written then building, and go in Facet 0.2. Define
 * FACET_KIT_NO_DEPRECATED to be rid of them now. facet_module_query_one and
 * facet_module_release_one are gone already: FACET_UNKNOWN_ONE, which used
 * them, stays. */
#ifndef FACET_KIT_NO_DEPRECATED
#define FacetCreateFn FacetKitCreateFn
#define FacetClassDef FacetKitClassDef
#define FacetModuleDef FacetKitModuleDef
#define FACET_CLASS_INFO FACET_KIT_CLASS_INFO
#ifdef FACET_KIT_FN_
#define facet_module_host facet_kit_host
#define facet_module_alloc facet_kit_alloc
#define facet_module_free facet_kit_free
#define facet_module_log facet_kit_log
#define facet_module_object_created facet_kit_object_created
#define facet_module_object_destroyed facet_kit_object_destroyed
#define facet_module_object_count facet_kit_object_count
/* prefix_qi, prefix_addref and prefix_release of Type, whose first member is
 * its one interface Itf (IID own) and which has a uint32_t member refs. */
#define FACET_UNKNOWN_ONE(prefix, Type, Itf, own)                                            \
    static const FacetKitEntry prefix##_kit_entry_ = {&(own), 0};                            \
    static const FacetKitMap prefix##_kit_map_ = {&prefix##_kit_entry_, 1,                   \
                                                  offsetof(Type, refs), NULL};               \
    static FacetResult FACET_CALL prefix##_qi(Itf *self, const FacetGuid *iid, void **out)   \
    {                                                                                         \
        return facet_kit_query(self, &prefix##_kit_map_, iid, out);                          \
    }                                                                                         \
    static uint32_t FACET_CALL prefix##_addref(Itf *self)                                     \
    {                                                                                         \
        return FacetAtomicIncrement(&((Type *)(void *)self)->refs);                          \
    }                                                                                         \
    static uint32_t FACET_CALL prefix##_release(Itf *self)                                    \
    {                                                                                         \
        return facet_kit_release(self, &prefix##_kit_map_);                                  \
    }
#endif
#if defined(FACET_KIT_IMPLEMENTATION) || defined(FACET_MODULE_IMPLEMENTATION)
#define FACET_MODULE_ABILITY FACET_KIT_ABILITY
#define FACET_MODULE_DEFINE FACET_KIT_MODULE_DEFINE
#endif
#endif /* FACET_KIT_NO_DEPRECATED */

#ifdef __cplusplus
}
#endif

#endif /* FACET_MODULE_H */
