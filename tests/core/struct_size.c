/*
 * tests/core/struct_size.c - rule 5 of <facet/abi.h> at every entry point
 * of libfacet that takes a struct that may grow, both ways:
 *
 *  - a host older than the library passes a version-1 struct (struct_size
 *    X_V1_SIZE, nothing after it): the library reads or writes nothing past
 *    it, and says so in struct_size;
 *  - a host newer than the library passes today's struct plus a field the
 *    library does not know: accepted, that field neither read nor written,
 *    and an out struct's struct_size tells the host how far it was filled;
 *  - a size below X_V1_SIZE is FACET_E_STRUCTSIZE naming the struct, the
 *    size given and the smallest accepted, and the struct is left alone.
 *
 * A struct is a byte buffer here, as the bytes are what the rule is about:
 * what lies past the size a caller gave holds a canary that must survive.
 * argv[1] is the folder of the broken widgets (a report with violations).
 */
#include <stdio.h>
#include <string.h>

#include "facet/check.h"
#include "plugtest.h"

#define CANARY 0xA5
#define ADDED 8u /* the field a newer host has and this library does not */

static const char *broken_dir;

typedef struct Buffer {
    union {
        uint64_t align;
        unsigned char bytes[512];
    } u;
} Buffer;

static void *fresh(Buffer *b, uint32_t struct_size)
{
    memset(b->u.bytes, CANARY, sizeof(b->u.bytes));
    memcpy(b->u.bytes, &struct_size, sizeof(struct_size));
    return b->u.bytes;
}

static uint32_t size_of(const Buffer *b)
{
    uint32_t size;
    memcpy(&size, b->u.bytes, sizeof(size));
    return size;
}

static void untouched_from(const Buffer *b, size_t from)
{
    size_t i;
    for (i = from; i < sizeof(b->u.bytes); i++)
        if (b->u.bytes[i] != CANARY)
            fail_msg("byte %zu, past the size the host gave (%zu), was written", i, from);
}

/* ---- Out structs -------------------------------------------------------- */

typedef struct Out {
    const char *type;       /* "FacetRuntimeStats" */
    uint32_t v1_size;       /* FACET_RUNTIME_STATS_V1_SIZE */
    size_t today;           /* sizeof(FacetRuntimeStats) */
    FacetResult (*call)(void *out, void *ctx);
    void (*check)(const void *out, void *ctx); /* the fields say what they should */
    void *ctx;
} Out;

static void check_out(const Out *o)
{
    Buffer b;
    char small[32];
    /* A host older than the library. */
    assert_int_equal(o->call(fresh(&b, o->v1_size), o->ctx), FACET_OK);
    assert_int_equal(size_of(&b), o->v1_size);
    untouched_from(&b, o->v1_size);
    o->check(b.u.bytes, o->ctx);
    /* The library older than the host. */
    assert_int_equal(o->call(fresh(&b, (uint32_t)(o->today + ADDED)), o->ctx), FACET_OK);
    assert_int_equal(size_of(&b), o->today);
    untouched_from(&b, o->today);
    o->check(b.u.bytes, o->ctx);
    /* Too small: refused, untouched. */
    snprintf(small, sizeof(small), "is %u;", (unsigned)(o->v1_size - 1));
    expect_error(o->call(fresh(&b, o->v1_size - 1), o->ctx), FACET_E_STRUCTSIZE, o->type, small,
                 "_V1_SIZE", "_INIT");
    untouched_from(&b, sizeof(uint32_t));
    expect_error(o->call(fresh(&b, 0), o->ctx), FACET_E_STRUCTSIZE, o->type, "is 0;");
    untouched_from(&b, sizeof(uint32_t));
}

/* ---- In structs --------------------------------------------------------- */

typedef struct In {
    const char *type;
    uint32_t v1_size;
    size_t today;
    /* Calls with the options in (NULL: none) and checks that the fields set
     * in it were read. */
    FacetResult (*call)(const void *in, void *ctx);
    void (*fill)(void *in);    /* today's defaults and the fields to read */
    void *ctx;
} In;

static void check_in(const In *i)
{
    Buffer b;
    char small[32];
    /* A host older than the library: what follows the version-1 struct is
     * the host's own memory (the canary), never read. */
    fresh(&b, 0);
    i->fill(b.u.bytes);
    memcpy(b.u.bytes, &i->v1_size, sizeof(uint32_t));
    memset(b.u.bytes + i->v1_size, CANARY, sizeof(b.u.bytes) - i->v1_size);
    assert_int_equal(i->call(b.u.bytes, i->ctx), FACET_OK);
    /* The library older than the host: the added field is ignored. */
    fresh(&b, 0);
    i->fill(b.u.bytes);
    {
        uint32_t size = (uint32_t)(i->today + ADDED);
        memcpy(b.u.bytes, &size, sizeof(size));
    }
    assert_int_equal(i->call(b.u.bytes, i->ctx), FACET_OK);
    /* None: the defaults. */
    assert_int_equal(i->call(NULL, i->ctx), FACET_OK);
    /* Too small. */
    fresh(&b, 0);
    i->fill(b.u.bytes);
    {
        uint32_t size = i->v1_size - 1;
        memcpy(b.u.bytes, &size, sizeof(size));
    }
    snprintf(small, sizeof(small), "is %u;", (unsigned)(i->v1_size - 1));
    expect_error(i->call(b.u.bytes, i->ctx), FACET_E_STRUCTSIZE, i->type, small, "_V1_SIZE");
}

/* ---- facet_runtime_new and facet_runtime_stats -------------------------- */

/* A manifest that needs host API level 4: a runtime offering 4 (read from
 * the options) scans it clean; one offering the default refuses it. */
static FacetResult runtime_new_call(const void *in, void *ctx)
{
    const char *dir = ctx;
    FacetRuntime *rt = NULL;
    FacetResult r = facet_runtime_new(&rt, in);
    if (FACET_FAILED(r))
        return r;
    assert_int_equal(facet_scan(NULL, rt, dir), in != NULL ? FACET_OK : FACET_FALSE);
    assert_int_equal(facet_runtime_free(rt), FACET_OK);
    return r;
}

static void runtime_new_fill(void *in)
{
    FacetRuntimeOptions opts = FACET_RUNTIME_OPTIONS_INIT;
    opts.api_level = 4;
    opts.log_level = FACET_LOG_ERROR + 1;
    memcpy(in, &opts, sizeof(opts));
}

static FacetResult stats_call(void *out, void *ctx)
{
    return facet_runtime_stats(out, ctx);
}

static void stats_check(const void *out, void *ctx)
{
    const FacetRuntimeStats *st = out;
    (void)ctx;
    assert_int_equal(st->modules_loaded, 1);
    assert_int_equal(st->classes, 2);
    assert_true(st->allocations_live > 0);
    assert_true(st->allocations_total >= st->allocations_live);
}

static FacetResult module_info_call(void *out, void *ctx)
{
    return facet_module_info(out, ctx);
}

static void module_info_check(const void *out, void *ctx)
{
    const FacetModuleInfo *info = out;
    (void)ctx;
    assert_string_equal(info->name, "test.alpha");
    assert_int_equal(info->abi_version, FACET_ABI_VERSION);
    assert_non_null(info->compiler);
}

static void test_core_struct_size__runtime(void **state)
{
    char dir[4096];
    FacetRuntime *rt;
    FacetModule *m;
    In in = {"FacetRuntimeOptions", FACET_RUNTIME_OPTIONS_V1_SIZE, sizeof(FacetRuntimeOptions),
             runtime_new_call, runtime_new_fill, dir};
    Out stats = {"FacetRuntimeStats", FACET_RUNTIME_STATS_V1_SIZE, sizeof(FacetRuntimeStats),
                 stats_call, stats_check, NULL};
    Out info = {"FacetModuleInfo", FACET_MODULE_INFO_V1_SIZE, sizeof(FacetModuleInfo),
                module_info_call, module_info_check, NULL};
    (void)state;
    snprintf(dir, sizeof(dir), "%s", plug_folder());
    plug_write(dir, "api4.facet.json",
               "{\"name\": \"api4\", \"version\": \"1.0.0\", \"api_level\": 4, \"library\": "
               "\"api4.so\", \"classes\": []}");
    check_in(&in);

    assert_int_equal(facet_runtime_new(&rt, NULL), FACET_OK);
    assert_int_equal(facet_module_load(&m, rt, facet_test_module("alpha")), FACET_OK);
    stats.ctx = rt;
    check_out(&stats);
    info.ctx = m;
    check_out(&info);
    assert_int_equal(facet_module_unload(m), FACET_OK);
    assert_int_equal(facet_runtime_free(rt), FACET_OK);
    facet_test_remove_tree(dir);
    assert_no_leaks();
}

/* ---- Manifests and scan reports ----------------------------------------- */

static FacetResult manifest_info_call(void *out, void *ctx)
{
    return facet_manifest_info(out, ctx);
}

static void manifest_info_check(const void *out, void *ctx)
{
    const FacetManifestInfo *info = out;
    (void)ctx;
    assert_string_equal(info->name, "test.a");
    assert_int_equal(info->class_count, 1);
    assert_int_equal(info->permission_count, 0);
}

static FacetResult manifest_class_call(void *out, void *ctx)
{
    return facet_manifest_class(out, ctx, 0);
}

static void class_check(const void *out, void *ctx)
{
    const FacetClassInfo *ci = out;
    (void)ctx;
    assert_string_equal(ci->contract, "test.a.thing");
    assert_int_equal(ci->interface_count, 1);
    assert_non_null(ci->interfaces);
}

static FacetResult scan_module_call(void *out, void *ctx)
{
    return facet_scan_report_module(out, ctx, 0);
}

static void scan_module_check(const void *out, void *ctx)
{
    const FacetScanModule *m = out;
    (void)ctx;
    assert_string_equal(m->name, "test.a");
    assert_int_equal(m->state, FACET_SCAN_AVAILABLE);
}

static FacetResult scan_problem_call(void *out, void *ctx)
{
    return facet_scan_report_problem(out, ctx, 0);
}

static void scan_problem_check(const void *out, void *ctx)
{
    const FacetScanProblem *p = out;
    (void)ctx;
    assert_int_equal(p->code, FACET_E_BADMANIFEST);
    assert_non_null(strstr(p->message, "bad.facet.json"));
}

static FacetResult class_match_call(void *out, void *ctx)
{
    return facet_class_list_item(out, ctx, 0);
}

static void class_match_check(const void *out, void *ctx)
{
    const FacetClassMatch *m = out;
    (void)ctx;
    assert_string_equal(m->contract, "test.a.thing");
    assert_non_null(strstr(m->manifest, "a.facet.json"));
}

static void test_core_struct_size__manifests_and_scans(void **state)
{
    char dir[4096], path[4200];
    FacetRuntime *rt;
    FacetManifest *mf;
    FacetScanReport *rep;
    FacetClassList *list;
    FacetGuid iid;
    Out outs[] = {
        {"FacetManifestInfo", FACET_MANIFEST_INFO_V1_SIZE, sizeof(FacetManifestInfo),
         manifest_info_call, manifest_info_check, NULL},
        {"FacetClassInfo", FACET_CLASS_INFO_V1_SIZE, sizeof(FacetClassInfo), manifest_class_call,
         class_check, NULL},
        {"FacetScanModule", FACET_SCAN_MODULE_V1_SIZE, sizeof(FacetScanModule), scan_module_call,
         scan_module_check, NULL},
        {"FacetScanProblem", FACET_SCAN_PROBLEM_V1_SIZE, sizeof(FacetScanProblem),
         scan_problem_call, scan_problem_check, NULL},
        {"FacetClassMatch", FACET_CLASS_MATCH_V1_SIZE, sizeof(FacetClassMatch), class_match_call,
         class_match_check, NULL},
    };
    size_t i;
    (void)state;
    snprintf(dir, sizeof(dir), "%s", plug_folder());
    plug_manifest(dir, "a.facet.json", "test.a", "1.0.0", 1, "a.so", NULL, NULL);
    plug_write(dir, "bad.facet.json", "{");
    snprintf(path, sizeof(path), "%s/a.facet.json", dir);
    assert_int_equal(facet_manifest_load(&mf, path), FACET_OK);
    assert_int_equal(facet_runtime_new(&rt, NULL), FACET_OK);
    assert_int_equal(facet_scan(&rep, rt, dir), FACET_FALSE);
    outs[0].ctx = outs[1].ctx = mf;
    outs[2].ctx = outs[3].ctx = rep;
    /* the interface plug_manifest's class declares */
    assert_int_equal(facet_guid_parse(&iid, "{7A000001-5D3E-4A5B-9C01-112233445501}"), FACET_OK);
    assert_int_equal(facet_classes_implementing(&list, rt, &iid), FACET_OK);
    outs[4].ctx = list;
    for (i = 0; i < sizeof(outs) / sizeof(outs[0]); i++)
        check_out(&outs[i]);
    facet_class_list_free(list);
    facet_scan_report_free(rep);
    facet_manifest_free(mf);
    assert_int_equal(facet_runtime_free(rt), FACET_OK);
    facet_test_remove_tree(dir);
    assert_no_leaks();
}

/* ---- The probe, its reports and its cache -------------------------------- */

static const char *broken_module(const char *name)
{
    static char path[4096];
    snprintf(path, sizeof(path), "%s/%s%s", broken_dir, name, PLUG_SUFFIX);
    return path;
}

/* The helper named in the options is the one the probe looks for: a
 * missing one is the proof that the field was read. */
static FacetResult probe_call(const void *in, void *ctx)
{
    FacetReport *rep = NULL;
    FacetResult r = facet_probe(&rep, broken_module("good_widget"), in);
    (void)ctx;
    if (r == FACET_E_STRUCTSIZE)
        return r;
    if (in == NULL) {
        assert_int_equal(r, FACET_OK);
        facet_report_free(rep);
        return r;
    }
    assert_null(rep);
    assert_true(FACET_FAILED(r));
    assert_non_null(strstr(facet_last_error(), "/no/such/facet-probe"));
    return FACET_OK;
}

static void probe_fill(void *in)
{
    FacetCheckOptions opts = FACET_CHECK_OPTIONS_INIT;
    opts.helper = "/no/such/facet-probe";
    memcpy(in, &opts, sizeof(opts));
}

static FacetResult report_module_call(void *out, void *ctx)
{
    return facet_report_module(out, ctx);
}

static void report_module_check(const void *out, void *ctx)
{
    const FacetModuleInfo *info = out;
    (void)ctx;
    assert_non_null(info->name);
    assert_non_null(info->version);
}

static FacetResult report_class_call(void *out, void *ctx)
{
    return facet_report_class(out, ctx, 0);
}

static void report_class_check(const void *out, void *ctx)
{
    const FacetClassInfo *ci = out;
    (void)ctx;
    assert_true(ci->interface_count > 0);
}

static FacetResult violation_call(void *out, void *ctx)
{
    return facet_report_violation(out, ctx, 0);
}

static void violation_check(const void *out, void *ctx)
{
    const FacetViolation *v = out;
    (void)ctx;
    assert_non_null(v->rule);
    assert_non_null(v->expected);
    assert_non_null(v->seen);
}

static FacetResult cache_entry_call(void *out, void *ctx)
{
    return facet_probe_cache_entry(out, ctx, 0);
}

static void cache_entry_check(const void *out, void *ctx)
{
    const FacetProbeCacheEntry *e = out;
    (void)ctx;
    assert_non_null(strstr(e->path, "good_widget"));
    assert_int_equal(e->outcome, FACET_OUTCOME_OK);
    assert_int_equal(e->quarantined, 0);
}

static void test_core_struct_size__probe(void **state)
{
    In in = {"FacetCheckOptions", FACET_CHECK_OPTIONS_V1_SIZE, sizeof(FacetCheckOptions),
             probe_call, probe_fill, NULL};
    FacetCheckOptions opts = FACET_CHECK_OPTIONS_INIT;
    FacetReport *probed, *validated;
    FacetProbeCache *cache;
    char dir[4096], file[4200];
    Out outs[] = {
        {"FacetModuleInfo", FACET_MODULE_INFO_V1_SIZE, sizeof(FacetModuleInfo), report_module_call,
         report_module_check, NULL},
        {"FacetClassInfo", FACET_CLASS_INFO_V1_SIZE, sizeof(FacetClassInfo), report_class_call,
         report_class_check, NULL},
        {"FacetViolation", FACET_VIOLATION_V1_SIZE, sizeof(FacetViolation), violation_call,
         violation_check, NULL},
        {"FacetProbeCacheEntry", FACET_PROBE_CACHE_ENTRY_V1_SIZE, sizeof(FacetProbeCacheEntry),
         cache_entry_call, cache_entry_check, NULL},
    };
    size_t i;
    (void)state;
    check_in(&in);

    assert_int_equal(facet_probe(&probed, broken_module("good_widget"), NULL), FACET_OK);
    opts.threads = 1;
    opts.iterations = 100;
    assert_int_equal(facet_validate(&validated, broken_module("qi_identity"), &opts), FACET_FALSE);
    snprintf(dir, sizeof(dir), "%s", plug_folder());
    snprintf(file, sizeof(file), "%s/cache.json", dir);
    assert_int_equal(facet_probe_cache_open(&cache, file), FACET_OK);
    {
        FacetReport *rep = NULL;
        assert_int_equal(facet_probe_cache_get(&rep, NULL, cache, broken_module("good_widget"),
                                               NULL),
                         FACET_OK);
        facet_report_free(rep);
    }
    outs[0].ctx = outs[1].ctx = probed;
    outs[2].ctx = validated;
    outs[3].ctx = cache;
    for (i = 0; i < sizeof(outs) / sizeof(outs[0]); i++)
        check_out(&outs[i]);
    facet_probe_cache_free(cache);
    facet_report_free(validated);
    facet_report_free(probed);
    facet_test_remove_tree(dir);
    assert_no_leaks();
}

/* Each struct's newest size covers every field it has today, and the
 * struct ends (but for padding) where its last field ends: a host built
 * against these headers always passes at least that much. FacetManifestInfo
 * gained runtime in version 2, and FacetRuntimeOptions scan_index;
 * FacetCheckOptions has grown since its first version too. */
static void test_core_struct_size__v1_is_today(void **state)
{
    static const struct {
        const char *type;
        uint32_t v1;
        size_t size;
    } structs[] = {
        {"FacetModuleInfo", FACET_MODULE_INFO_V1_SIZE, sizeof(FacetModuleInfo)},
        {"FacetClassInfo", FACET_CLASS_INFO_V1_SIZE, sizeof(FacetClassInfo)},
        {"FacetRuntimeOptions", FACET_RUNTIME_OPTIONS_V2_SIZE, sizeof(FacetRuntimeOptions)},
        {"FacetRuntimeStats", FACET_RUNTIME_STATS_V1_SIZE, sizeof(FacetRuntimeStats)},
        {"FacetManifestInfo", FACET_MANIFEST_INFO_V2_SIZE, sizeof(FacetManifestInfo)},
        {"FacetScanModule", FACET_SCAN_MODULE_V1_SIZE, sizeof(FacetScanModule)},
        {"FacetScanProblem", FACET_SCAN_PROBLEM_V1_SIZE, sizeof(FacetScanProblem)},
        {"FacetScanStats", FACET_SCAN_STATS_V1_SIZE, sizeof(FacetScanStats)},
        {"FacetClassMatch", FACET_CLASS_MATCH_V1_SIZE, sizeof(FacetClassMatch)},
        {"FacetCheckOptions",
         (uint32_t)(offsetof(FacetCheckOptions, type_libs) + sizeof(void *)),
         sizeof(FacetCheckOptions)},
        {"FacetViolation", FACET_VIOLATION_V1_SIZE, sizeof(FacetViolation)},
        {"FacetProbeCacheEntry", FACET_PROBE_CACHE_ENTRY_V1_SIZE, sizeof(FacetProbeCacheEntry)},
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof(structs) / sizeof(structs[0]); i++)
        if (structs[i].v1 > structs[i].size || structs[i].size - structs[i].v1 >= sizeof(void *))
            fail_msg("%s: _V1_SIZE %u, sizeof %zu: only end padding may lie between them",
                     structs[i].type, (unsigned)structs[i].v1, structs[i].size);
    assert_true(FACET_CHECK_OPTIONS_V1_SIZE ==
                offsetof(FacetCheckOptions, helper) + sizeof(const char *));
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_core_struct_size__v1_is_today),
        cmocka_unit_test(test_core_struct_size__runtime),
        cmocka_unit_test(test_core_struct_size__manifests_and_scans),
        cmocka_unit_test(test_core_struct_size__probe),
    };
    broken_dir = argc > 1 ? argv[1] : "broken";
    return cmocka_run_group_tests(tests, NULL, NULL);
}
