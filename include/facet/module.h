/*
 * facet/module.h - a header-only kit for writing a module in C.
 *
 * Optional: a module needs only abi.h. This header saves the part every
 * module writes the same way: the factory object, facet_module_entry, the
 * count of live objects behind CanUnload, an atomic reference count that
 * works with every supported compiler (TinyCC included), and the compiler
 * string of FacetModuleInfo. Include it everywhere in the module; in exactly
 * one file, define FACET_MODULE_IMPLEMENTATION first and then use
 * FACET_MODULE_DEFINE(def) once.
 *
 *   static const FacetClassDef classes[] = {
 *       {FACET_CLASS_INFO("org.example.greeter", "1.0.0", FACET_THREADING_ANY,
 *                         greeter_iids, {0x1234abcd, 0x0001, 0x4000,
 *                                        {0x80, 0, 0, 0, 0, 0, 0, 1}}),
 *        greeter_create, 0},
 *   };
 *   static const FacetModuleDef module = {
 *       "org.example.greeter", "1.0.0", FACET_API_LEVEL, 1, classes, NULL, NULL};
 *   FACET_MODULE_DEFINE(module)
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
#if defined(__clang__) && defined(_MSC_VER)
#define FACET_COMPILER_STRING "clang " __clang_version__ " (msvc abi)"
#elif defined(__clang__)
#define FACET_COMPILER_STRING "clang " __clang_version__
#elif defined(__TINYC__) && __TINYC__ >= 926 && __TINYC__ <= 929
/* __TINYC__ is 927 for 0.9.27; the preprocessor cannot split it into a
 * string, so the releases in this range are spelled out. */
#define FACET_COMPILER_STRING \
    (__TINYC__ == 926 ? "tcc 0.9.26" : __TINYC__ == 927 ? "tcc 0.9.27" \
     : __TINYC__ == 928 ? "tcc 0.9.28" : "tcc 0.9.29")
#elif defined(__TINYC__)
#define FACET_COMPILER_STRING "tcc (__TINYC__ " FACET_STR(__TINYC__) ")"
#elif defined(__MINGW32__) && defined(__GNUC__)
#define FACET_COMPILER_STRING "gcc " __VERSION__ " (mingw)"
#elif defined(__GNUC__)
#define FACET_COMPILER_STRING "gcc " __VERSION__
#elif defined(_MSC_VER)
#define FACET_COMPILER_STRING "msvc " FACET_STR(_MSC_FULL_VER)
#else
#define FACET_COMPILER_STRING "unknown compiler"
#endif

/* ---- Describing the module --------------------------------------------- */

/* Creates an object of the class, as IFacetFactory::CreateInstance. outer is
 * non-NULL only when the class definition allows aggregation. */
typedef FacetResult (*FacetCreateFn)(IFacetUnknown *outer, const FacetGuid *iid, void **out);

typedef struct FacetClassDef {
    FacetClassInfo info;
    FacetCreateFn create;
    uint32_t aggregatable; /* 0: CreateInstance refuses an outer with FACET_E_NOAGGREGATION */
} FacetClassDef;

/* A FacetClassInfo initialiser; iids is a static array of FacetGuid, and the
 * clsid comes last, as a braced initialiser (its commas are why). */
#define FACET_CLASS_INFO(contract, version, threading, iids, ...)                            \
    {sizeof(FacetClassInfo), __VA_ARGS__, contract, version, threading,                      \
     (uint32_t)(sizeof(iids) / sizeof((iids)[0])), iids}

typedef struct FacetModuleDef {
    const char *name;
    const char *version;
    uint32_t api_level;
    uint32_t class_count;
    const FacetClassDef *classes;
    /* Optional: called once from facet_module_entry, after the host is kept. */
    FacetResult (*on_load)(IFacetHost *host);
    /* Optional: answers QueryInterface on the factory for other interfaces
     * (IFacetLifecycle, IFacetReloadable). Returns an AddRef'd pointer; see
     * FACET_MODULE_ABILITY for objects that keep the factory's identity. */
    FacetResult (*query)(const FacetGuid *iid, void **out);
} FacetModuleDef;

/* The host object the module was handed (an IFacetHost, AddRef'd), or NULL
 * before facet_module_entry. */
extern IFacetHost *facet_module_host;

/* Call when an object is created and when it is destroyed: CanUnload says
 * FACET_OK only while the count is zero. */
void facet_module_object_created(void);
void facet_module_object_destroyed(void);
uint32_t facet_module_object_count(void);

/* Host allocator shortcuts (FACET_E_UNEXPECTED before facet_module_entry). */
FacetResult facet_module_alloc(uint64_t size, void **out);
void facet_module_free(void *p);

/* Logs a line through the host's logger, if it has one. */
void facet_module_log(uint32_t level, const char *message);

/* QueryInterface for an object with one interface (and IFacetUnknown), whose
 * reference count is *refs. */
FacetResult facet_module_query_one(void *self, uint32_t *refs, const FacetGuid *own,
                                   const FacetGuid *iid, void **out);
/* Release for such an object, allocated with facet_module_alloc: at zero it
 * is freed and the module's object count goes down. */
uint32_t facet_module_release_one(void *self, uint32_t *refs);

/* Writes prefix_qi, prefix_addref and prefix_release, the IFacetUnknown
 * methods of Type, an object whose first member is its one interface Itf
 * (IID own) and which has a uint32_t member refs:
 *
 *   typedef struct Hello { IFacetRunnable itf; uint32_t refs; } Hello;
 *   FACET_UNKNOWN_ONE(hello, Hello, IFacetRunnable, IID_IFacetRunnable)
 *   static const IFacetRunnableVtbl vtbl = {hello_qi, hello_addref, hello_release, run};
 */
#define FACET_UNKNOWN_ONE(prefix, Type, Itf, own)                                            \
    static FacetResult FACET_CALL prefix##_qi(Itf *self, const FacetGuid *iid, void **out)   \
    {                                                                                         \
        return facet_module_query_one(self, &((Type *)(void *)self)->refs, &(own), iid, out); \
    }                                                                                         \
    static uint32_t FACET_CALL prefix##_addref(Itf *self)                                     \
    {                                                                                         \
        return FacetAtomicIncrement(&((Type *)(void *)self)->refs);                          \
    }                                                                                         \
    static uint32_t FACET_CALL prefix##_release(Itf *self)                                    \
    {                                                                                         \
        return facet_module_release_one(self, &((Type *)(void *)self)->refs);               \
    }

#if defined(_WIN32) || defined(__TINYC__)
#define FACET_MODULE_HIDDEN
#else
#define FACET_MODULE_HIDDEN __attribute__((visibility("hidden")))
#endif

#ifdef FACET_MODULE_IMPLEMENTATION

FACET_MODULE_HIDDEN IFacetHost *facet_module_host;
static uint32_t facet_module_objects_;
static IFacetLogger *facet_module_logger_;
static IFacetAllocator *facet_module_allocator_;

void facet_module_object_created(void)
{
    FacetAtomicIncrement(&facet_module_objects_);
}

void facet_module_object_destroyed(void)
{
    FacetAtomicDecrement(&facet_module_objects_);
}

uint32_t facet_module_object_count(void)
{
    return FacetAtomicLoad(&facet_module_objects_);
}

FacetResult facet_module_alloc(uint64_t size, void **out)
{
    if (out == NULL)
        return FACET_E_POINTER;
    *out = NULL;
    if (facet_module_allocator_ == NULL)
        return FACET_E_UNEXPECTED;
#if FACET_CPP_INTERFACES
    return facet_module_allocator_->Alloc(size, out);
#else
    return IFacetAllocator_Alloc(facet_module_allocator_, size, out);
#endif
}

void facet_module_free(void *p)
{
    if (facet_module_allocator_ != NULL && p != NULL) {
#if FACET_CPP_INTERFACES
        facet_module_allocator_->Free(p);
#else
        IFacetAllocator_Free(facet_module_allocator_, p);
#endif
    }
}

void facet_module_log(uint32_t level, const char *message)
{
    if (facet_module_logger_ != NULL) {
#if FACET_CPP_INTERFACES
        facet_module_logger_->Log(level, message);
#else
        IFacetLogger_Log(facet_module_logger_, level, message);
#endif
    }
}

FacetResult facet_module_query_one(void *self, uint32_t *refs, const FacetGuid *own,
                                   const FacetGuid *iid, void **out)
{
    if (out == NULL)
        return FACET_E_POINTER;
    *out = NULL;
    if (iid == NULL)
        return FACET_E_POINTER;
    if (!FacetGuidEqual(iid, &IID_IFacetUnknown) && !FacetGuidEqual(iid, own))
        return FACET_E_NOINTERFACE;
    FacetAtomicIncrement(refs);
    *out = self;
    return FACET_OK;
}

uint32_t facet_module_release_one(void *self, uint32_t *refs)
{
    uint32_t n = FacetAtomicDecrement(refs);
    if (n == 0) {
        facet_module_free(self);
        facet_module_object_destroyed();
    }
    return n;
}

/* The factory is a static object that lives as long as the module's code.
 * Its references do not count for CanUnload (abi.h, IFacetFactory); when
 * the last one goes (the runtime lets go of it just before unloading the
 * module), the module lets go of its host object. */
#if FACET_CPP_INTERFACES
#error "facet/module.h implements the factory in C; include it from a C file, or define FACET_CINTERFACE"
#endif

static const FacetModuleDef *facet_module_def_;
static uint32_t facet_module_factory_refs_;
static void facet_module_drop_host_(void);

static FacetResult FACET_CALL facet_module_factory_qi_(IFacetFactory *self, const FacetGuid *iid,
                                                       void **out)
{
    if (out == NULL)
        return FACET_E_POINTER;
    *out = NULL;
    if (iid == NULL)
        return FACET_E_POINTER;
    if (FacetGuidEqual(iid, &IID_IFacetUnknown) || FacetGuidEqual(iid, &IID_IFacetFactory)) {
        FacetAtomicIncrement(&facet_module_factory_refs_);
        *out = self;
        return FACET_OK;
    }
    if (facet_module_def_->query != NULL)
        return facet_module_def_->query(iid, out);
    return FACET_E_NOINTERFACE;
}

static uint32_t FACET_CALL facet_module_factory_addref_(IFacetFactory *self)
{
    (void)self;
    return FacetAtomicIncrement(&facet_module_factory_refs_);
}

static uint32_t FACET_CALL facet_module_factory_release_(IFacetFactory *self)
{
    uint32_t n = FacetAtomicDecrement(&facet_module_factory_refs_);
    (void)self;
    if (n == 0)
        facet_module_drop_host_();
    return n;
}

static FacetResult FACET_CALL facet_module_factory_info_(IFacetFactory *self, FacetModuleInfo *out)
{
    FacetModuleInfo info;
    uint32_t size, i;
    (void)self;
    if (out == NULL)
        return FACET_E_POINTER;
    info.struct_size = sizeof(info);
    info.abi_version = FACET_ABI_VERSION;
    info.name = facet_module_def_->name;
    info.version = facet_module_def_->version;
    info.api_level = facet_module_def_->api_level;
    info.compiler = FACET_COMPILER_STRING;
    size = out->struct_size < sizeof(info) ? out->struct_size : (uint32_t)sizeof(info);
    for (i = sizeof(uint32_t); i < size; i++) /* rule 5: no further than struct_size */
        ((unsigned char *)out)[i] = ((const unsigned char *)&info)[i];
    out->struct_size = size;
    return FACET_OK;
}

static FacetResult FACET_CALL facet_module_factory_count_(IFacetFactory *self, uint32_t *out)
{
    (void)self;
    if (out == NULL)
        return FACET_E_POINTER;
    *out = facet_module_def_->class_count;
    return FACET_OK;
}

static FacetResult FACET_CALL facet_module_factory_describe_(IFacetFactory *self, uint32_t index,
                                                             FacetClassInfo *out)
{
    uint32_t size, i;
    (void)self;
    if (out == NULL)
        return FACET_E_POINTER;
    if (index >= facet_module_def_->class_count)
        return FACET_E_INVALIDARG;
    size = out->struct_size < sizeof(FacetClassInfo) ? out->struct_size
                                                     : (uint32_t)sizeof(FacetClassInfo);
    for (i = sizeof(uint32_t); i < size; i++)
        ((unsigned char *)out)[i] =
            ((const unsigned char *)&facet_module_def_->classes[index].info)[i];
    out->struct_size = size;
    return FACET_OK;
}

static FacetResult FACET_CALL facet_module_factory_create_(IFacetFactory *self,
                                                           const FacetGuid *clsid,
                                                           IFacetUnknown *outer,
                                                           const FacetGuid *iid, void **out)
{
    uint32_t i;
    (void)self;
    if (out == NULL)
        return FACET_E_POINTER;
    *out = NULL;
    if (clsid == NULL || iid == NULL)
        return FACET_E_POINTER;
    for (i = 0; i < facet_module_def_->class_count; i++) {
        const FacetClassDef *c = &facet_module_def_->classes[i];
        if (!FacetGuidEqual(clsid, &c->info.clsid))
            continue;
        if (outer != NULL && !c->aggregatable)
            return FACET_E_NOAGGREGATION;
        if (outer != NULL && !FacetGuidEqual(iid, &IID_IFacetUnknown))
            return FACET_E_INVALIDARG; /* COM: an aggregate asks for IUnknown */
        return c->create(outer, iid, out);
    }
    return FACET_E_CLASSNOTREG;
}

static FacetResult FACET_CALL facet_module_factory_can_unload_(IFacetFactory *self)
{
    (void)self;
    return facet_module_object_count() == 0 ? FACET_OK : FACET_FALSE;
}

static const IFacetFactoryVtbl facet_module_factory_vtbl_ = {
    facet_module_factory_qi_,       facet_module_factory_addref_,
    facet_module_factory_release_,  facet_module_factory_info_,
    facet_module_factory_count_,    facet_module_factory_describe_,
    facet_module_factory_create_,   facet_module_factory_can_unload_,
};

static IFacetFactory facet_module_factory_ = {&facet_module_factory_vtbl_};

static void facet_module_drop_host_(void)
{
    if (facet_module_logger_ != NULL)
        IFacetLogger_Release(facet_module_logger_);
    if (facet_module_allocator_ != NULL)
        IFacetAllocator_Release(facet_module_allocator_);
    if (facet_module_host != NULL)
        IFacetHost_Release(facet_module_host);
    facet_module_logger_ = NULL;
    facet_module_allocator_ = NULL;
    facet_module_host = NULL;
}

/* The entry: keeps the host, runs on_load, and hands out the factory. A
 * runtime's module has globals of its own (another runtime of the process
 * that loads the same file maps a private copy), so the host kept here is
 * its runtime's; a module that is unloaded and loaded again lets go of the
 * old one first. */
static FacetResult facet_module_entry_impl_(const FacetModuleDef *def, uint32_t host_abi_version,
                                            IFacetUnknown *host, const FacetGuid *iid,
                                            void **factory)
{
    FacetResult r;
    if (factory == NULL || iid == NULL)
        return FACET_E_POINTER;
    *factory = NULL;
    if (host_abi_version != FACET_ABI_VERSION)
        return FACET_E_ABIMISMATCH;
    facet_module_def_ = def;
    if (host != NULL) {
        facet_module_drop_host_();
        r = IFacetUnknown_QueryInterface(host, &IID_IFacetHost, (void **)&facet_module_host);
        if (FACET_FAILED(r))
            return r;
        if (FACET_FAILED(IFacetHost_QueryInterface(facet_module_host, &IID_IFacetAllocator,
                                                   (void **)&facet_module_allocator_)))
            facet_module_allocator_ = NULL;
        if (FACET_FAILED(IFacetHost_QueryInterface(facet_module_host, &IID_IFacetLogger,
                                                   (void **)&facet_module_logger_)))
            facet_module_logger_ = NULL;
    }
    if (def->on_load != NULL) {
        r = def->on_load(facet_module_host);
        if (FACET_FAILED(r)) {
            facet_module_drop_host_();
            return r;
        }
    }
    r = facet_module_factory_qi_(&facet_module_factory_, iid, factory);
    if (FACET_FAILED(r) && FacetAtomicLoad(&facet_module_factory_refs_) == 0)
        facet_module_drop_host_();
    return r;
}

/* Writes prefix_qi, prefix_addref and prefix_release for a module-level
 * ability: a static object of interface Itf (IFacetLifecycle,
 * IFacetReloadable, ...) that FacetModuleDef.query hands out. It is a face
 * of the factory, as COM's rules want of an interface reached from it:
 * QueryInterface goes to the factory (IFacetUnknown gives the factory's
 * identity) and its references are the factory's. In the same file as
 * FACET_MODULE_IMPLEMENTATION:
 *
 *   FACET_MODULE_ABILITY(life, IFacetLifecycle)
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
#define FACET_MODULE_ABILITY(prefix, Itf)                                                    \
    static FacetResult FACET_CALL prefix##_qi(Itf *self, const FacetGuid *iid, void **out)   \
    {                                                                                         \
        (void)self;                                                                           \
        return facet_module_factory_qi_(&facet_module_factory_, iid, out);                   \
    }                                                                                         \
    static uint32_t FACET_CALL prefix##_addref(Itf *self)                                     \
    {                                                                                         \
        (void)self;                                                                           \
        return facet_module_factory_addref_(&facet_module_factory_);                         \
    }                                                                                         \
    static uint32_t FACET_CALL prefix##_release(Itf *self)                                    \
    {                                                                                         \
        (void)self;                                                                           \
        return facet_module_factory_release_(&facet_module_factory_);                        \
    }

#define FACET_MODULE_DEFINE(def)                                                             \
    FACET_EXPORT FacetResult facet_module_entry(uint32_t host_abi_version, IFacetUnknown *host, \
                                                const FacetGuid *iid, void **factory)          \
    {                                                                                          \
        return facet_module_entry_impl_(&(def), host_abi_version, host, iid, factory);         \
    }

#endif /* FACET_MODULE_IMPLEMENTATION */

#ifdef __cplusplus
}
#endif

#endif /* FACET_MODULE_H */
