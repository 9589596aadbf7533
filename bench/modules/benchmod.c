/*
 * bench/modules/benchmod.c - the benchmark module. One source, built as:
 *   bench_mod.so        by the host's compiler: the adder and the objects
 *                       with 1, 5 and 20 interfaces;
 *   bench_mod_other.so  the same, by the other compiler (clang when the host
 *                       is built by gcc): call.cross_compiler;
 *   bench_mod_one.so    BENCH_ONE_CLASS: the adder alone;
 *   bench_mod_many.so   BENCH_MANY: BENCH_MANY_CLASSES adders (memory rows);
 *   bench_mod_v0..9.so  BENCH_ONE_CLASS, BENCH_VARIANT: ten adders (start-up rows).
 * Objects are written the way a careful C component writes them: an atomic
 * count, and QueryInterface over a table of IIDs, as ATL's interface map.
 */
#include <stddef.h>
#include <stdio.h>

/* bench_mod_v<K>.so: BENCH_ONE_CLASS with BENCH_VARIANT=K, ten modules that
 * differ in name, contract and clsid (bench.vK, bench.vK.adder, last byte
 * 0x20 + K), for the start-up rows. */
#ifdef BENCH_VARIANT
#define BENCH_STR_(x) #x
#define BENCH_STR(x) BENCH_STR_(x)
#define BENCH_ONE_NAME "bench.v" BENCH_STR(BENCH_VARIANT)
#define BENCH_ONE_CONTRACT BENCH_ONE_NAME ".adder"
#define BENCH_ONE_CLSID_LAST (0x20 + BENCH_VARIANT)
#else
#define BENCH_ONE_NAME "bench"
#define BENCH_ONE_CONTRACT BENCH_ADDER_CONTRACT
#define BENCH_ONE_CLSID_LAST 0x10
#endif

#define FACET_KIT_IMPLEMENTATION
#include "facet/module.h"
#include "benchmod.h"

/* ---- The adder --------------------------------------------------------- */

typedef struct Adder {
    IBenchAdder itf;
    uint32_t refs;
    int64_t value;
} Adder;

static FacetResult FACET_CALL adder_qi(IBenchAdder *self, const FacetGuid *iid, void **out)
{
    if (out == NULL || iid == NULL)
        return FACET_E_POINTER;
    if (!FacetGuidEqual(iid, &IID_IBenchAdder) && !FacetGuidEqual(iid, &IID_IFacetUnknown)) {
        *out = NULL;
        return FACET_E_NOINTERFACE;
    }
    FacetAtomicIncrement(&((Adder *)self)->refs);
    *out = self;
    return FACET_OK;
}

static uint32_t FACET_CALL adder_addref(IBenchAdder *self)
{
    return FacetAtomicIncrement(&((Adder *)self)->refs);
}

static uint32_t FACET_CALL adder_release(IBenchAdder *self)
{
    uint32_t n = FacetAtomicDecrement(&((Adder *)self)->refs);
    if (n == 0) {
        facet_kit_free(self);
        facet_kit_object_destroyed();
    }
    return n;
}

/* The same body as bench_direct_add in bench/call_target.c. */
static FacetResult FACET_CALL adder_add(IBenchAdder *self, int32_t delta, int64_t *total)
{
    Adder *a = (Adder *)self;
    a->value += delta;
    *total = a->value;
    return FACET_OK;
}

static const IBenchAdderVtbl adder_vtbl = {adder_qi, adder_addref, adder_release, adder_add};

static FacetResult adder_create(IFacetUnknown *outer, const FacetGuid *iid, void **out)
{
    Adder *a;
    FacetResult r;
    (void)outer;
    r = facet_kit_alloc(sizeof(*a), (void **)&a);
    if (FACET_FAILED(r))
        return r;
    a->itf.lpVtbl = &adder_vtbl;
    a->refs = 1;
    a->value = 0;
    facet_kit_object_created();
    r = adder_qi(&a->itf, iid, out);
    adder_release(&a->itf);
    return r;
}

static const FacetGuid adder_iids[] = {
    {0xB3C4E0A1, 0x6F2D, 0x4E57, {0x9A, 0x10, 0x5C, 0x3B, 0x2D, 0x1E, 0x0F, 0x01}}};

#if !defined(BENCH_ONE_CLASS) && !defined(BENCH_MANY)

/* ---- Objects with many interfaces -------------------------------------- */

/* One interface pointer per implemented IID; each slot's methods find the
 * object from their own this by a constant offset, as C++ thunks do. */
typedef struct Multi {
    IBenchAdder slots[BENCH_MAX_INTERFACES];
    uint32_t refs;
    uint32_t count; /* interfaces implemented, 1..BENCH_MAX_INTERFACES */
    int64_t value;
} Multi;

#define multi_iids bench_iids

static FacetResult multi_query(Multi *m, const FacetGuid *iid, void **out)
{
    uint32_t i;
    if (out == NULL || iid == NULL)
        return FACET_E_POINTER;
    if (FacetGuidEqual(iid, &IID_IFacetUnknown)) {
        i = 0;
    } else {
        for (i = 0; i < m->count; i++)
            if (FacetGuidEqual(iid, &multi_iids[i]))
                break;
        if (i == m->count) {
            *out = NULL;
            return FACET_E_NOINTERFACE;
        }
    }
    FacetAtomicIncrement(&m->refs);
    *out = &m->slots[i];
    return FACET_OK;
}

static uint32_t multi_release(Multi *m)
{
    uint32_t n = FacetAtomicDecrement(&m->refs);
    if (n == 0) {
        facet_kit_free(m);
        facet_kit_object_destroyed();
    }
    return n;
}

#define MULTI_SLOT(n)                                                                        \
    static FacetResult FACET_CALL multi_qi_##n(IBenchAdder *self, const FacetGuid *iid,      \
                                               void **out)                                  \
    {                                                                                        \
        return multi_query((Multi *)(void *)(self - (n)), iid, out);                        \
    }                                                                                        \
    static uint32_t FACET_CALL multi_addref_##n(IBenchAdder *self)                           \
    {                                                                                        \
        return FacetAtomicIncrement(&((Multi *)(void *)(self - (n)))->refs);                \
    }                                                                                        \
    static uint32_t FACET_CALL multi_release_##n(IBenchAdder *self)                          \
    {                                                                                        \
        return multi_release((Multi *)(void *)(self - (n)));                                \
    }                                                                                        \
    static FacetResult FACET_CALL multi_add_##n(IBenchAdder *self, int32_t delta,            \
                                                int64_t *total)                             \
    {                                                                                        \
        Multi *m = (Multi *)(void *)(self - (n));                                            \
        m->value += delta;                                                                   \
        *total = m->value;                                                                   \
        return FACET_OK;                                                                     \
    }

MULTI_SLOT(0) MULTI_SLOT(1) MULTI_SLOT(2) MULTI_SLOT(3) MULTI_SLOT(4)
MULTI_SLOT(5) MULTI_SLOT(6) MULTI_SLOT(7) MULTI_SLOT(8) MULTI_SLOT(9)
MULTI_SLOT(10) MULTI_SLOT(11) MULTI_SLOT(12) MULTI_SLOT(13) MULTI_SLOT(14)
MULTI_SLOT(15) MULTI_SLOT(16) MULTI_SLOT(17) MULTI_SLOT(18) MULTI_SLOT(19)

#define MULTI_VTBL(n) {multi_qi_##n, multi_addref_##n, multi_release_##n, multi_add_##n}
static const IBenchAdderVtbl multi_vtbls[BENCH_MAX_INTERFACES] = {
    MULTI_VTBL(0),  MULTI_VTBL(1),  MULTI_VTBL(2),  MULTI_VTBL(3),  MULTI_VTBL(4),
    MULTI_VTBL(5),  MULTI_VTBL(6),  MULTI_VTBL(7),  MULTI_VTBL(8),  MULTI_VTBL(9),
    MULTI_VTBL(10), MULTI_VTBL(11), MULTI_VTBL(12), MULTI_VTBL(13), MULTI_VTBL(14),
    MULTI_VTBL(15), MULTI_VTBL(16), MULTI_VTBL(17), MULTI_VTBL(18), MULTI_VTBL(19)};

static FacetResult multi_create(uint32_t count, const FacetGuid *iid, void **out)
{
    Multi *m;
    uint32_t i;
    FacetResult r = facet_kit_alloc(sizeof(*m), (void **)&m);
    if (FACET_FAILED(r))
        return r;
    for (i = 0; i < BENCH_MAX_INTERFACES; i++)
        m->slots[i].lpVtbl = &multi_vtbls[i];
    m->refs = 1;
    m->count = count;
    m->value = 0;
    facet_kit_object_created();
    r = multi_query(m, iid, out);
    multi_release(m);
    return r;
}

#define MULTI_CREATE(n)                                                                      \
    static FacetResult multi_create_##n(IFacetUnknown *outer, const FacetGuid *iid, void **out) \
    {                                                                                        \
        (void)outer;                                                                         \
        return multi_create(n, iid, out);                                                    \
    }
MULTI_CREATE(1) MULTI_CREATE(5) MULTI_CREATE(20)

/* FACET_KIT_CLASS_INFO counts a whole array; these take the first n IIDs. */
#define MULTI_CLASS(n)                                                                       \
    {{sizeof(FacetClassInfo), BENCH_MULTI_CLSID(n), "bench.multi" #n, "1.0.0",               \
      FACET_THREADING_ANY, n, bench_iids},                                                   \
     multi_create_##n, 0}

static const FacetKitClassDef classes[] = {
    {FACET_KIT_CLASS_INFO(BENCH_ADDER_CONTRACT, "1.0.0", FACET_THREADING_ANY, adder_iids,
                      {0xB3C4E0A1, 0x6F2D, 0x4E57, {0x9A, 0x10, 0x5C, 0x3B, 0x2D, 0x1E, 0x0F, 0x10}}),
     adder_create, 0},
    MULTI_CLASS(1),
    MULTI_CLASS(5),
    MULTI_CLASS(20),
};
#define CLASS_COUNT (uint32_t)(sizeof(classes) / sizeof(classes[0]))

#elif defined(BENCH_ONE_CLASS)

static const FacetKitClassDef classes[] = {
    {FACET_KIT_CLASS_INFO(BENCH_ONE_CONTRACT, "1.0.0", FACET_THREADING_ANY, adder_iids,
                          {0xB3C4E0A1, 0x6F2D, 0x4E57,
                           {0x9A, 0x10, 0x5C, 0x3B, 0x2D, 0x1E, 0x0F, BENCH_ONE_CLSID_LAST}}),
     adder_create, 0},
};
#define CLASS_COUNT 1u

#else /* BENCH_MANY: the table is filled in once, before the first entry */

static FacetKitClassDef classes[BENCH_MANY_CLASSES];
static char contracts[BENCH_MANY_CLASSES][24];
#define CLASS_COUNT (uint32_t)BENCH_MANY_CLASSES

static void fill_classes(void)
{
    uint32_t i;
    for (i = 0; i < BENCH_MANY_CLASSES; i++) {
        FacetKitClassDef def = {FACET_KIT_CLASS_INFO(NULL, "1.0.0", FACET_THREADING_ANY, adder_iids,
                                              BENCH_MANY_CLSID(i)),
                             adder_create, 0};
        snprintf(contracts[i], sizeof(contracts[i]), "bench.many.%u", (unsigned)i);
        def.info.contract = contracts[i];
        classes[i] = def;
    }
}
#endif

static const FacetKitModuleDef module_def = {BENCH_ONE_NAME, "1.0.0", FACET_API_LEVEL,
                                             CLASS_COUNT, classes, NULL, NULL};

#ifdef BENCH_MANY
FACET_EXPORT FacetResult facet_module_entry(uint32_t host_abi_version, IFacetUnknown *host,
                                            const FacetGuid *iid, void **factory)
{
    if (classes[0].create == NULL)
        fill_classes();
    return facet_kit_entry_(&module_def, host_abi_version, host, iid, factory);
}
#else
FACET_KIT_MODULE_DEFINE(module_def)
#endif
