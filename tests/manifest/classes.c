/*
 * tests/manifest/classes.c - facet_classes_implementing: the classes whose
 * manifests declare an interface, over what a runtime scanned, without
 * loading code. The libraries the manifests name are absent or not
 * libraries at all, so a listing that loaded code would fail.
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <string.h>
#include <time.h>

#include "plugtest.h"

#define IID_FILTER "{7A000001-0000-4000-8000-00000000F001}"
#define IID_INFO "{7A000001-0000-4000-8000-00000000F002}"
#define IID_NOBODY "{7A000001-0000-4000-8000-00000000F0FF}"

static FacetGuid guid(const char *text)
{
    FacetGuid g;
    assert_int_equal(facet_guid_parse(&g, text), FACET_OK);
    return g;
}

/* A manifest of name@version with two classes, ids a and b (the last byte
 * of their clsids), declaring a_itf and b_itf (JSON array text); its
 * library is lib. */
static void declare(const char *dir, const char *file, const char *name, const char *version,
                    int a, const char *a_itf, int b, const char *b_itf, const char *lib,
                    const char *requires)
{
    char text[4096];
    snprintf(text, sizeof(text),
             "{\n"
             "  \"name\": \"%s\", \"version\": \"%s\", \"api_level\": 1,\n"
             "  \"library\": {\"linux\": \"%s\", \"windows\": \"%s\", \"macos\": \"%s\"},\n"
             "  \"classes\": [\n"
             "    {\"clsid\": \"{7B000000-0002-4000-8000-0000000000%02X}\",\n"
             "     \"contract\": \"%s.first\", \"interfaces\": %s},\n"
             "    {\"clsid\": \"{7B000000-0002-4000-8000-0000000000%02X}\",\n"
             "     \"contract\": \"%s.second\", \"interfaces\": %s}\n"
             "  ],\n"
             "  \"requires\": %s\n"
             "}\n",
             name, version, lib, lib, lib, a, name, a_itf, b, name, b_itf,
             requires ? requires : "{}");
    plug_write(dir, file, text);
}

static FacetClassList *find(FacetRuntime *rt, const char *iid_text)
{
    FacetClassList *list = NULL;
    FacetGuid iid = guid(iid_text);
    assert_int_equal(facet_classes_implementing(&list, rt, &iid), FACET_OK);
    assert_non_null(list);
    return list;
}

static FacetClassMatch item(const FacetClassList *list, uint32_t i)
{
    FacetClassMatch m = FACET_CLASS_MATCH_INIT;
    assert_int_equal(facet_class_list_item(&m, list, i), FACET_OK);
    return m;
}

static FacetRuntime *scan(const char *dir)
{
    FacetRuntime *rt = NULL;
    assert_int_equal(facet_runtime_new(&rt, NULL), FACET_OK);
    assert_true(FACET_SUCCEEDED(facet_scan(NULL, rt, dir)));
    return rt;
}

static void done(FacetRuntime *rt, const char *dir)
{
    assert_int_equal(facet_runtime_free(rt), FACET_OK);
    facet_test_remove_tree(dir);
    assert_no_leaks();
}

/* Two modules, three classes that declare IFilter, one that does not; one
 * library is missing, the other is text: each field of each match. */
static void test_manifest_classes__by_interface(void **state)
{
    char dir[4096];
    FacetRuntime *rt;
    FacetClassList *list;
    FacetClassMatch m;
    FacetRuntimeStats stats = FACET_RUNTIME_STATS_INIT;
    FacetGuid clsid;
    void *obj = NULL;
    (void)state;
    snprintf(dir, sizeof(dir), "%s", plug_folder());
    /* written in the opposite order of the names: the list sorts them */
    declare(dir, "b.facet.json", "test.zeta", "1.2.0", 0x21, "[\"" IID_FILTER "\"]", 0x22,
            "[\"" IID_INFO "\", \"" IID_FILTER "\"]", "zeta" PLUG_SUFFIX, NULL);
    declare(dir, "a.facet.json", "test.alpha", "3.0.0", 0x11,
            "[\"" IID_INFO "\"]", 0x12, "[\"" IID_FILTER "\"]", "missing" PLUG_SUFFIX, NULL);
    plug_write(dir, "zeta" PLUG_SUFFIX, "not a library\n");
    rt = scan(dir);

    list = find(rt, IID_FILTER);
    assert_int_equal(facet_class_list_count(list), 3);
    m = item(list, 0);
    assert_int_equal(m.struct_size, sizeof(FacetClassMatch));
    assert_string_equal(m.contract, "test.alpha.second");
    clsid = guid("{7B000000-0002-4000-8000-000000000012}");
    assert_memory_equal(&m.clsid, &clsid, sizeof(clsid));
    assert_string_equal(m.module, "test.alpha");
    assert_string_equal(m.version, "3.0.0");
    assert_non_null(strstr(m.manifest, "a.facet.json"));
    m = item(list, 1);
    assert_string_equal(m.contract, "test.zeta.first");
    assert_string_equal(m.module, "test.zeta");
    assert_string_equal(m.version, "1.2.0");
    assert_non_null(strstr(m.manifest, "b.facet.json"));
    m = item(list, 2);
    assert_string_equal(m.contract, "test.zeta.second");
    clsid = guid("{7B000000-0002-4000-8000-000000000022}");
    assert_memory_equal(&m.clsid, &clsid, sizeof(clsid));
    facet_class_list_free(list);

    list = find(rt, IID_INFO);
    assert_int_equal(facet_class_list_count(list), 2);
    assert_string_equal(item(list, 0).contract, "test.alpha.first");
    assert_string_equal(item(list, 1).contract, "test.zeta.second");
    facet_class_list_free(list);

    /* No code was loaded; and it could not have been: creating a class
     * tries to, and fails. */
    assert_int_equal(facet_runtime_stats(&stats, rt), FACET_OK);
    assert_int_equal(stats.modules_loaded, 0);
    clsid = guid("{7B000000-0002-4000-8000-000000000021}");
    assert_true(FACET_FAILED(facet_create_instance(&obj, rt, &clsid, NULL, &clsid)));
    assert_null(obj);
    done(rt, dir);
}

/* An interface no class declares is an empty list, not an error; nor is
 * a runtime that scanned nothing. */
static void test_manifest_classes__nobody(void **state)
{
    char dir[4096];
    FacetRuntime *rt;
    FacetClassList *list;
    FacetClassMatch m = FACET_CLASS_MATCH_INIT;
    (void)state;
    snprintf(dir, sizeof(dir), "%s", plug_folder());
    declare(dir, "a.facet.json", "test.alpha", "1.0.0", 0x11, "[\"" IID_INFO "\"]", 0x12, "[]",
            "missing" PLUG_SUFFIX, NULL);
    rt = scan(dir);
    list = find(rt, IID_NOBODY);
    assert_int_equal(facet_class_list_count(list), 0);
    assert_int_equal(facet_class_list_item(&m, list, 0), FACET_E_INVALIDARG);
    assert_string_equal(facet_last_error(), "facet_class_list_item: index 0 of 0");
    facet_class_list_free(list);
    /* the control: the one it declares is found */
    list = find(rt, IID_INFO);
    assert_int_equal(facet_class_list_count(list), 1);
    facet_class_list_free(list);
    assert_int_equal(facet_runtime_free(rt), FACET_OK);

    assert_int_equal(facet_runtime_new(&rt, NULL), FACET_OK);
    list = find(rt, IID_INFO);
    assert_int_equal(facet_class_list_count(list), 0);
    facet_class_list_free(list);
    done(rt, dir);
}

static void test_manifest_classes__bad_arguments(void **state)
{
    char dir[4096];
    FacetRuntime *rt;
    FacetClassList *list = (FacetClassList *)&list;
    FacetClassMatch m = FACET_CLASS_MATCH_INIT;
    FacetGuid iid = guid(IID_FILTER);
    (void)state;
    snprintf(dir, sizeof(dir), "%s", plug_folder());
    declare(dir, "a.facet.json", "test.alpha", "1.0.0", 0x11, "[\"" IID_FILTER "\"]", 0x12,
            "[]", "missing" PLUG_SUFFIX, NULL);
    rt = scan(dir);

    assert_int_equal(facet_classes_implementing(NULL, rt, &iid), FACET_E_POINTER);
    assert_string_equal(facet_last_error(), "facet_classes_implementing: argument 'out' is NULL");
    assert_int_equal(facet_classes_implementing(&list, NULL, &iid), FACET_E_POINTER);
    assert_string_equal(facet_last_error(), "facet_classes_implementing: argument 'rt' is NULL");
    assert_null(list); /* *out is cleared on failure */
    list = (FacetClassList *)&list;
    assert_int_equal(facet_classes_implementing(&list, rt, NULL), FACET_E_POINTER);
    assert_string_equal(facet_last_error(), "facet_classes_implementing: argument 'iid' is NULL");
    assert_null(list);

    /* the control: the same call with every argument */
    list = find(rt, IID_FILTER);
    assert_int_equal(facet_class_list_count(list), 1);
    assert_int_equal(facet_class_list_item(NULL, list, 0), FACET_E_POINTER);
    assert_string_equal(facet_last_error(), "facet_class_list_item: argument 'out' is NULL");
    assert_int_equal(facet_class_list_item(&m, NULL, 0), FACET_E_POINTER);
    assert_string_equal(facet_last_error(), "facet_class_list_item: argument 'list' is NULL");
    assert_int_equal(facet_class_list_item(&m, list, 1), FACET_E_INVALIDARG);
    assert_string_equal(facet_last_error(), "facet_class_list_item: index 1 of 1");
    m.struct_size = 8;
    assert_int_equal(facet_class_list_item(&m, list, 0), FACET_E_STRUCTSIZE);
    assert_non_null(strstr(facet_last_error(), "facet_class_list_item"));
    assert_int_equal(m.struct_size, 8); /* untouched */
    /* an older caller's struct, exactly the first version's size */
    m.struct_size = FACET_CLASS_MATCH_V1_SIZE;
    assert_int_equal(facet_class_list_item(&m, list, 0), FACET_OK);
    assert_string_equal(m.contract, "test.alpha.first");
    assert_int_equal(facet_class_list_count(NULL), 0);
    facet_class_list_free(NULL);
    facet_class_list_free(list);
    done(rt, dir);
}

/* test.x 1.0.0, whose first class declares IFilter, and 2.0.0, whose
 * second does. */
static void declare_x(const char *dir)
{
    declare(dir, "x1.facet.json", "test.x", "1.0.0", 0x31, "[\"" IID_FILTER "\"]", 0x32,
            "[]", "missing" PLUG_SUFFIX, NULL);
    declare(dir, "x2.facet.json", "test.x", "2.0.0", 0x31, "[]", 0x32,
            "[\"" IID_FILTER "\"]", "missing" PLUG_SUFFIX, NULL);
}

/* Two versions of one module: only the chosen one's classes, whichever
 * that is; a shadowed, a disabled or a broken module's are left out. */
static void test_manifest_classes__chosen_version_only(void **state)
{
    char dir[4096], two[8448];
    FacetRuntime *rt;
    FacetClassList *list;
    (void)state;
    snprintf(dir, sizeof(dir), "%s", plug_folder());
    declare_x(dir);
    rt = scan(dir);
    list = find(rt, IID_FILTER);
    assert_int_equal(facet_class_list_count(list), 1);
    assert_string_equal(item(list, 0).version, "2.0.0");
    assert_string_equal(item(list, 0).contract, "test.x.second");
    facet_class_list_free(list);
    assert_int_equal(facet_runtime_free(rt), FACET_OK);

    /* A requirer pins 1.x: now 1.0.0 is the one listed. */
    plug_subfolder(two, sizeof(two), dir, "pinned");
    declare_x(two);
    declare(two, "y.facet.json", "test.y", "1.0.0", 0x41, "[]", 0x42, "[]",
            "missing" PLUG_SUFFIX, "{\"test.x\": \"^1\"}");
    /* and a module whose clsid test.x claimed first: broken, left out */
    declare(two, "z.facet.json", "test.z", "1.0.0", 0x31, "[\"" IID_FILTER "\"]", 0x52,
            "[\"" IID_FILTER "\"]", "missing" PLUG_SUFFIX, NULL);
    rt = scan(two);
    list = find(rt, IID_FILTER);
    assert_int_equal(facet_class_list_count(list), 1);
    assert_string_equal(item(list, 0).version, "1.0.0");
    assert_string_equal(item(list, 0).contract, "test.x.first");
    facet_class_list_free(list);
    done(rt, dir);
}

/* A module the host configuration disables is left out; the control, the
 * same folder without the disable list, lists it. */
static void test_manifest_classes__disabled(void **state)
{
    char dir[4096], conf[8448], path[8448];
    FacetRuntime *rt;
    FacetClassList *list;
    int disabled;
    (void)state;
    snprintf(dir, sizeof(dir), "%s", plug_folder());
    plug_subfolder(conf, sizeof(conf), dir, "plugins");
    declare(conf, "a.facet.json", "test.a", "1.0.0", 0x81, "[\"" IID_FILTER "\"]", 0x82, "[]",
            "missing" PLUG_SUFFIX, NULL);
    declare(conf, "b.facet.json", "test.b", "1.0.0", 0x91, "[\"" IID_FILTER "\"]", 0x92, "[]",
            "missing" PLUG_SUFFIX, NULL);
    snprintf(path, sizeof(path), "%s/facet.conf.json", dir);
    for (disabled = 0; disabled < 2; disabled++) {
        const char *text = disabled ? "{\"plugin_folders\": [\"plugins\"], \"disable\": [\"test.a\"]}"
                                    : "{\"plugin_folders\": [\"plugins\"]}";
        facet_test_write_file(path, text, strlen(text));
        assert_int_equal(facet_runtime_new(&rt, NULL), FACET_OK);
        assert_int_equal(facet_runtime_load_config(NULL, rt, path), FACET_OK);
        list = find(rt, IID_FILTER);
        assert_int_equal(facet_class_list_count(list), disabled ? 1 : 2);
        assert_string_equal(item(list, disabled ? 0 : 1).module, "test.b");
        facet_class_list_free(list);
        assert_int_equal(facet_runtime_free(rt), FACET_OK);
    }
    facet_test_remove_tree(dir);
    assert_no_leaks();
}

/* Calls from several threads while another rescans the folder, adding and
 * removing a module: each list is whole, before or after a scan. */
typedef struct Shared {
    FacetRuntime *rt;
    int stop;
    int seen[3];
} Shared;

static void nap_us(long us)
{
    struct timespec ts = {0, us * 1000L};
    nanosleep(&ts, NULL);
}

static void *finder(void *arg)
{
    Shared *sh = arg;
    FacetGuid iid = guid(IID_FILTER);
    int seen[3] = {0, 0, 0}, i;
    while (!__atomic_load_n(&sh->stop, __ATOMIC_ACQUIRE)) {
        FacetClassList *list = NULL;
        uint32_t n;
        if (facet_classes_implementing(&list, sh->rt, &iid) != FACET_OK)
            return "facet_classes_implementing failed";
        n = facet_class_list_count(list);
        if (n != 1 && n != 2) {
            facet_class_list_free(list);
            return "a list neither before nor after a scan";
        }
        for (i = 0; i < (int)n; i++) {
            FacetClassMatch m = FACET_CLASS_MATCH_INIT;
            if (facet_class_list_item(&m, list, (uint32_t)i) != FACET_OK ||
                strcmp(m.module, i == 0 ? "test.a" : "test.b") != 0) {
                facet_class_list_free(list);
                return "a torn list";
            }
        }
        seen[n]++;
        facet_class_list_free(list);
        /* A breath between lists: four readers that never let go would
         * keep the scanner's write lock waiting (glibc's rwlocks prefer
         * readers), and under valgrind, which runs one thread at a time,
         * for many minutes. */
        nap_us(200);
    }
    for (i = 0; i < 3; i++)
        __atomic_add_fetch(&sh->seen[i], seen[i], __ATOMIC_RELAXED);
    return NULL;
}

static void test_manifest_classes__concurrent_scan(void **state)
{
    char dir[4096], path[8448];
    Shared sh;
    pthread_t threads[4];
    void *why;
    int i;
    (void)state;
    snprintf(dir, sizeof(dir), "%s", plug_folder());
    snprintf(path, sizeof(path), "%s/b.facet.json", dir);
    declare(dir, "a.facet.json", "test.a", "1.0.0", 0x61, "[\"" IID_FILTER "\"]", 0x62, "[]",
            "missing" PLUG_SUFFIX, NULL);
    memset(&sh, 0, sizeof(sh));
    sh.rt = scan(dir);
    for (i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&threads[i], NULL, finder, &sh), 0);
    for (i = 0; i < 200; i++) {
        if (i % 2 == 0)
            declare(dir, "b.facet.json", "test.b", "1.0.0", 0x71, "[\"" IID_FILTER "\"]", 0x72,
                    "[]", "missing" PLUG_SUFFIX, NULL);
        else
            remove(path);
        assert_true(FACET_SUCCEEDED(facet_scan(NULL, sh.rt, dir)));
    }
    __atomic_store_n(&sh.stop, 1, __ATOMIC_RELEASE);
    for (i = 0; i < 4; i++) {
        assert_int_equal(pthread_join(threads[i], &why), 0);
        if (why != NULL)
            fail_msg("%s", (const char *)why);
    }
    /* the control: the finders ran, and saw both states */
    assert_true(sh.seen[1] + sh.seen[2] > 0);
    print_message("lists with one class: %d, with two: %d\n", sh.seen[1], sh.seen[2]);
    done(sh.rt, dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_manifest_classes__by_interface),
        cmocka_unit_test(test_manifest_classes__nobody),
        cmocka_unit_test(test_manifest_classes__bad_arguments),
        cmocka_unit_test(test_manifest_classes__chosen_version_only),
        cmocka_unit_test(test_manifest_classes__disabled),
        cmocka_unit_test(test_manifest_classes__concurrent_scan),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
