/*
 * tests/modules/testmod.c - the test modules. One source, built as several
 * modules by tests/modules/CMakeLists.txt:
 *   TESTMOD=1 alpha: test.alpha.counter and test.alpha.echo (aggregatable)
 *   TESTMOD=2 beta:  test.beta.counter
 *   TESTMOD=3 gamma: test.gamma.counter (gamma_main: FACET_THREADING_MAIN)
 *   TESTMOD=4 twice: one clsid listed twice (broken)
 *   TESTMOD=5 samename: two classes under one contract name (broken)
 * and, from alpha, one broken variant per BAD_* macro; LIKE_GO makes a
 * module look like one written in Go.
 */
#include <string.h>

#define FACET_KIT_IMPLEMENTATION
#include "facet/module.h"
#include "test_itf.h"

/* ---- Counter ----------------------------------------------------------- */

typedef struct Counter {
    ITestCounter itf;
    uint32_t refs;
    int32_t total;
} Counter;

#define COUNTER_INTERFACES(X) X(Counter, itf, ITestCounter)
FACET_KIT_OBJECT(Counter, COUNTER_INTERFACES)

static FacetResult FACET_CALL counter_add(ITestCounter *self, int32_t delta, int32_t *total)
{
    if (total == NULL)
        return FACET_E_POINTER;
    *total = FACET_KIT_FROM(Counter, itf, self)->total += delta;
    return FACET_OK;
}

static const ITestCounterVtbl counter_vtbl = {FACET_KIT_IUNKNOWN(Counter, itf), counter_add};

static FacetResult counter_create(IFacetUnknown *outer, const FacetGuid *iid, void **out)
{
    Counter *c;
    FacetResult r;
    (void)outer;
#ifdef BAD_CREATE_NULL
    (void)iid;
    (void)c;
    (void)r;
    *out = NULL;
    return FACET_OK; /* success without an object: the runtime must catch it */
#else
    r = Counter_kit_new(&c);
    if (FACET_FAILED(r))
        return r;
    c->itf.lpVtbl = &counter_vtbl;
    return Counter_kit_hand_out(c, iid, out);
#endif
}

/* ---- Echo, aggregatable ------------------------------------------------ */

/* The inner unknown is the object's own identity when it stands alone; when
 * aggregated, ITestEcho's IUnknown methods go to the outer object. */
typedef struct Echo {
    IFacetUnknown inner;
    ITestEcho itf;
    uint32_t refs;
    IFacetUnknown *outer; /* the controlling unknown: outer, or &inner */
} Echo;

#define ECHO_FROM_INNER(p) ((Echo *)(void *)(p))
#define ECHO_FROM_ITF(p) ((Echo *)(void *)((char *)(p) - offsetof(Echo, itf)))

static FacetResult FACET_CALL echo_inner_qi(IFacetUnknown *self, const FacetGuid *iid, void **out)
{
    Echo *e = ECHO_FROM_INNER(self);
    if (out == NULL)
        return FACET_E_POINTER;
    *out = NULL;
    if (iid == NULL)
        return FACET_E_POINTER;
    if (FacetGuidEqual(iid, &IID_IFacetUnknown))
        *out = &e->inner;
    else if (FacetGuidEqual(iid, &IID_ITestEcho))
        *out = &e->itf;
    else
        return FACET_E_NOINTERFACE;
    IFacetUnknown_AddRef((IFacetUnknown *)*out);
    return FACET_OK;
}

static uint32_t FACET_CALL echo_inner_addref(IFacetUnknown *self)
{
    return FacetAtomicIncrement(&ECHO_FROM_INNER(self)->refs);
}

static uint32_t FACET_CALL echo_inner_release(IFacetUnknown *self)
{
    uint32_t n = FacetAtomicDecrement(&ECHO_FROM_INNER(self)->refs);
    if (n == 0) {
        facet_kit_free(self);
        facet_kit_object_destroyed();
    }
    return n;
}

static const IFacetUnknownVtbl echo_inner_vtbl = {echo_inner_qi, echo_inner_addref,
                                                  echo_inner_release};

static FacetResult FACET_CALL echo_qi(ITestEcho *self, const FacetGuid *iid, void **out)
{
    return IFacetUnknown_QueryInterface(ECHO_FROM_ITF(self)->outer, iid, out);
}

static uint32_t FACET_CALL echo_addref(ITestEcho *self)
{
    return IFacetUnknown_AddRef(ECHO_FROM_ITF(self)->outer);
}

static uint32_t FACET_CALL echo_release(ITestEcho *self)
{
    return IFacetUnknown_Release(ECHO_FROM_ITF(self)->outer);
}

static FacetResult FACET_CALL echo_echo(ITestEcho *self, const char *text, IFacetString **out)
{
    (void)self;
    if (out == NULL)
        return FACET_E_POINTER;
    *out = NULL;
    if (text == NULL)
        return FACET_E_POINTER;
    return IFacetHost_CreateString(facet_kit_host, text, UINT64_MAX, out);
}

static const ITestEchoVtbl echo_vtbl = {echo_qi, echo_addref, echo_release, echo_echo};

static FacetResult echo_create(IFacetUnknown *outer, const FacetGuid *iid, void **out)
{
    Echo *e;
    FacetResult r = facet_kit_alloc(sizeof(*e), (void **)&e);
    if (FACET_FAILED(r))
        return r;
    e->inner.lpVtbl = &echo_inner_vtbl;
    e->itf.lpVtbl = &echo_vtbl;
    e->refs = 1;
    e->outer = outer ? outer : &e->inner;
    facet_kit_object_created();
    r = echo_inner_qi(&e->inner, iid, out);
    echo_inner_release(&e->inner);
    return r;
}

/* ---- The modules ------------------------------------------------------- */

static const FacetGuid echo_iids[] = {IID_ITestEcho_INIT};

#if TESTMOD == 1
#define MODULE_NAME "test.alpha"
static const FacetKitClassDef classes[] = {
    FACET_KIT_CLASS("test.alpha.counter", "1.0.0", FACET_THREADING_ANY, Counter, counter_create,
                    CLSID_AlphaCounter_INIT),
    {FACET_KIT_CLASS_INFO("test.alpha.echo", "1.0.0", FACET_THREADING_ANY, echo_iids,
                          CLSID_AlphaEcho_INIT),
     echo_create, 1},
};
#elif TESTMOD == 4
/* One clsid listed twice: a module that contradicts itself. */
#define MODULE_NAME "test.twice"
static const FacetKitClassDef classes[] = {
    FACET_KIT_CLASS("test.twice.first", "1.0.0", FACET_THREADING_ANY, Counter, counter_create,
                    {0x7d1ce000, 0x0000, 0x4000, {0x80, 0, 0, 0, 0, 0, 0, 0x01}}),
    FACET_KIT_CLASS("test.twice.second", "1.0.0", FACET_THREADING_ANY, Counter, counter_create,
                    {0x7d1ce000, 0x0000, 0x4000, {0x80, 0, 0, 0, 0, 0, 0, 0x01}}),
};
#elif TESTMOD == 5
/* Two classes under one contract name. */
#define MODULE_NAME "test.samename"
static const FacetKitClassDef classes[] = {
    FACET_KIT_CLASS("test.samename.counter", "1.0.0", FACET_THREADING_ANY, Counter, counter_create,
                    {0x5a3e0000, 0x0000, 0x4000, {0x80, 0, 0, 0, 0, 0, 0, 0x01}}),
    FACET_KIT_CLASS("test.samename.counter", "1.0.0", FACET_THREADING_ANY, Counter, counter_create,
                    {0x5a3e0000, 0x0000, 0x4000, {0x80, 0, 0, 0, 0, 0, 0, 0x02}}),
};
#elif TESTMOD == 2
#define MODULE_NAME "test.beta"
static const FacetKitClassDef classes[] = {
    FACET_KIT_CLASS("test.beta.counter", "2.1.0", FACET_THREADING_ANY, Counter, counter_create,
                    CLSID_BetaCounter_INIT),
};
#else
#define MODULE_NAME "test.gamma"
#ifdef THREADING_MAIN
#define GAMMA_THREADING FACET_THREADING_MAIN
#else
#define GAMMA_THREADING FACET_THREADING_ANY
#endif
static const FacetKitClassDef classes[] = {
    FACET_KIT_CLASS("test.gamma.counter", "0.3.0", GAMMA_THREADING, Counter, counter_create,
                    CLSID_GammaCounter_INIT),
};
#endif

#ifdef BAD_API_LEVEL
#define MODULE_API_LEVEL 99u
#else
#define MODULE_API_LEVEL FACET_API_LEVEL
#endif

static const FacetKitModuleDef module_def = {
    MODULE_NAME, "1.2.3", MODULE_API_LEVEL, FACET_KIT_COUNT(classes), classes,
    NULL,        NULL};

/* ---- The export, honest or broken --------------------------------------- */

#if defined(BAD_NO_ENTRY)
/* No facet_module_entry at all, only something else. */
FACET_EXPORT int not_the_entry(void);
int not_the_entry(void)
{
    return (int)sizeof(module_def);
}
#elif defined(BAD_REFUSE_ABI)
/* Built for an ABI version this host does not speak. */
FACET_EXPORT FacetResult facet_module_entry(uint32_t host_abi_version, IFacetUnknown *host,
                                            const FacetGuid *iid, void **factory)
{
    (void)host;
    (void)iid;
    *factory = NULL;
    return host_abi_version == 2u ? facet_kit_entry_(&module_def, 1u, host, iid, factory)
                                  : FACET_E_ABIMISMATCH;
}
#elif defined(BAD_NULL_FACTORY)
FACET_EXPORT FacetResult facet_module_entry(uint32_t host_abi_version, IFacetUnknown *host,
                                            const FacetGuid *iid, void **factory)
{
    (void)host_abi_version;
    (void)host;
    (void)iid;
    *factory = NULL;
    return FACET_OK;
}
#elif defined(BAD_ENTRY_FAIL_OUT)
/* Fails, yet hands out a factory: the runtime must not keep it. */
FACET_EXPORT FacetResult facet_module_entry(uint32_t host_abi_version, IFacetUnknown *host,
                                            const FacetGuid *iid, void **factory)
{
    (void)host_abi_version;
    (void)host;
    (void)iid;
    *factory = (void *)&module_def;
    return FACET_E_FAIL;
}
#elif defined(BAD_ENTRY_FAILS)
/* Fails honestly, with its own code: the runtime passes it on. */
FACET_EXPORT FacetResult facet_module_entry(uint32_t host_abi_version, IFacetUnknown *host,
                                            const FacetGuid *iid, void **factory)
{
    (void)host_abi_version;
    (void)host;
    (void)iid;
    *factory = NULL;
    return FACET_E_OUTOFMEMORY;
}
#elif defined(BAD_SMALL_INFO) || defined(BAD_CLASS_COUNT) || defined(BAD_FEW_CLASSES) ||     \
    defined(BAD_BIG_INFO) || defined(BAD_BIG_CLASS_INFO) || defined(BAD_CREATE_FAIL_OUT) ||  \
    defined(BAD_INFO_FAILS) || defined(BAD_NO_NAME) || defined(BAD_COUNT_FAILS) ||          \
    defined(BAD_HUGE_COUNT) || defined(BAD_SMALL_CLASS_INFO) || defined(BAD_THREADING) ||    \
    defined(BAD_NULL_INTERFACES)
/* The kit's factory with one method replaced. */
static IFacetFactoryVtbl bad_vtbl;
static IFacetFactory bad_factory = {&bad_vtbl};

static FacetResult FACET_CALL bad_info(IFacetFactory *self, FacetModuleInfo *out)
{
    (void)self;
    out->abi_version = FACET_ABI_VERSION;
    out->struct_size = 8; /* wrote abi_version only */
    return FACET_OK;
}

static FacetResult FACET_CALL bad_count(IFacetFactory *self, uint32_t *out)
{
    (void)self;
#if defined(BAD_FEW_CLASSES)
    *out = module_def.class_count - 1; /* one fewer than DescribeClass knows */
#elif defined(BAD_HUGE_COUNT)
    *out = 0xFFFFFFFFu; /* garbage */
#elif defined(BAD_COUNT_FAILS)
    *out = 0;
    return FACET_E_UNEXPECTED;
#else
    *out = module_def.class_count + 1; /* one more than DescribeClass knows */
#endif
    return FACET_OK;
}

/* GetModuleInfo that fails, or answers without a name. */
static FacetResult FACET_CALL broken_info(IFacetFactory *self, FacetModuleInfo *out)
{
    FacetResult r = facet_kit_factory_vtbl_.GetModuleInfo(self, out);
#ifdef BAD_INFO_FAILS
    (void)r;
    return FACET_E_UNEXPECTED;
#else
    out->name = NULL;
    return r;
#endif
}

/* DescribeClass that fills too little, or breaks a field's rule. */
static FacetResult FACET_CALL broken_class_info(IFacetFactory *self, uint32_t index,
                                                FacetClassInfo *out)
{
    FacetResult r = facet_kit_factory_vtbl_.DescribeClass(self, index, out);
    if (FACET_FAILED(r))
        return r;
#if defined(BAD_SMALL_CLASS_INFO)
    out->struct_size = 8;
#elif defined(BAD_THREADING)
    out->threading = 7;
#else
    out->interfaces = NULL;
#endif
    return r;
}

/* Claims to have written more of the struct than the caller gave it. */
static FacetResult FACET_CALL big_info(IFacetFactory *self, FacetModuleInfo *out)
{
    FacetResult r = facet_kit_factory_vtbl_.GetModuleInfo(self, out);
    out->struct_size = 4096;
    return r;
}

static FacetResult FACET_CALL big_class_info(IFacetFactory *self, uint32_t index,
                                             FacetClassInfo *out)
{
    FacetResult r = facet_kit_factory_vtbl_.DescribeClass(self, index, out);
    if (FACET_SUCCEEDED(r))
        out->struct_size = sizeof(FacetClassInfo) + 64;
    return r;
}

/* Fails, yet sets *out to an object (which it keeps, so nothing leaks). */
static Counter fail_out_counter = {{&counter_vtbl}, 1, 0};
static FacetResult FACET_CALL create_fail_out(IFacetFactory *self, const FacetGuid *clsid,
                                              IFacetUnknown *outer, const FacetGuid *iid,
                                              void **out)
{
    (void)self;
    (void)clsid;
    (void)outer;
    (void)iid;
    *out = &fail_out_counter.itf;
    return FACET_E_OUTOFMEMORY;
}

FACET_EXPORT FacetResult facet_module_entry(uint32_t host_abi_version, IFacetUnknown *host,
                                            const FacetGuid *iid, void **factory)
{
    FacetResult r = facet_kit_entry_(&module_def, host_abi_version, host, iid, factory);
    if (FACET_FAILED(r))
        return r;
    bad_vtbl = facet_kit_factory_vtbl_;
#if defined(BAD_SMALL_INFO)
    bad_vtbl.GetModuleInfo = bad_info;
#elif defined(BAD_BIG_INFO)
    bad_vtbl.GetModuleInfo = big_info;
#elif defined(BAD_BIG_CLASS_INFO)
    bad_vtbl.DescribeClass = big_class_info;
#elif defined(BAD_CREATE_FAIL_OUT)
    bad_vtbl.CreateInstance = create_fail_out;
#elif defined(BAD_INFO_FAILS) || defined(BAD_NO_NAME)
    bad_vtbl.GetModuleInfo = broken_info;
#elif defined(BAD_SMALL_CLASS_INFO) || defined(BAD_THREADING) || defined(BAD_NULL_INTERFACES)
    bad_vtbl.DescribeClass = broken_class_info;
#else
    bad_vtbl.GetClassCount = bad_count;
#endif
    *factory = &bad_factory;
    return FACET_OK;
}
#else
FACET_KIT_MODULE_DEFINE(module_def)
#endif

#ifdef LIKE_GO
/* Go's build information, where Go writes it: a library that carries it is
 * taken for one written in Go (one Go runtime per process; never
 * unmapped). ELF keeps it in a section of its own; on PE, Go's is at the
 * start of the first writable data section, and the loader looks there, so
 * this one is in .data, which in a module this small is well within the
 * first 64 KiB it searches. */
#ifdef _WIN32
__attribute__((aligned(16), used)) char facet_test_go_buildinfo[32] = "\xff Go buildinf:\x08\x02";
#else
__attribute__((section(".go.buildinfo"), aligned(16), used))
static const char go_buildinfo[32] = "\xff Go buildinf:\x08\x02";
#endif
#endif
