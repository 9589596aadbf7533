/*
 * tests/manifest/rescan.c - scanning a folder again: what is unchanged is
 * left as it is and reported once, what was added, changed or removed is
 * picked up, a module whose code is loaded keeps serving when its manifest
 * goes, and creating objects by name races rescans without a failure.
 */
#define _DEFAULT_SOURCE 1
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <string.h>
#ifndef _WIN32
#include <unistd.h>
#endif

#include "plugtest.h"

static void remove_file(const char *dir, const char *file)
{
    char path[8448];
    snprintf(path, sizeof(path), "%s/%s", dir, file);
    assert_int_equal(remove(path), 0);
}

static FacetResult create(FacetRuntime *rt, const char *name)
{
    ITestProbe *p = NULL;
    FacetResult r = facet_create_instance_by_name((void **)&p, rt, name, NULL, &IID_ITestProbe);
    if (r == FACET_OK)
        ITestProbe_Release(p);
    return r;
}

static void expect_created(FacetRuntime *rt, const char *name)
{
    if (create(rt, name) != FACET_OK)
        fail_msg("create %s: %s", name, facet_last_error());
}

/* The scan's result, its problem count and module count. */
static void scan(FacetRuntime *rt, const char *dir, FacetResult result, uint32_t problems,
                 uint32_t modules)
{
    FacetScanReport *rep = NULL;
    FacetScanProblem pr = FACET_SCAN_PROBLEM_INIT;
    FacetResult r = facet_scan(&rep, rt, dir);
    uint32_t i;
    for (i = 0; i < facet_scan_report_problem_count(rep); i++)
        if (facet_scan_report_problem(&pr, rep, i) == FACET_OK)
            print_message("problem: %s\n", pr.message);
    assert_int_equal(r, result);
    assert_int_equal(facet_scan_report_problem_count(rep), problems);
    assert_int_equal(facet_scan_report_module_count(rep), modules);
    facet_scan_report_free(rep);
}

static const char *first_problem(FacetRuntime *rt, const char *dir, FacetResult code)
{
    static char message[2048];
    FacetScanReport *rep = NULL;
    FacetScanProblem pr = FACET_SCAN_PROBLEM_INIT;
    assert_int_equal(facet_scan(&rep, rt, dir), FACET_FALSE);
    assert_int_equal(facet_scan_report_problem(&pr, rep, 0), FACET_OK);
    assert_int_equal(pr.code, code);
    snprintf(message, sizeof(message), "%s", pr.message);
    facet_scan_report_free(rep);
    return message;
}

/* The same folder again, nothing changed: a no-op, also for a bad manifest
 * (reported by the first scan only). */
static void test_manifest_rescan__again_is_a_no_op(void **state)
{
    char dir[4096];
    FacetRuntime *rt;
    FacetRuntimeStats st = FACET_RUNTIME_STATS_INIT;
    int i;
    (void)state;
    snprintf(dir, sizeof(dir), "%s", plug_folder());
    plug_install(dir, "plug_a", "test.a", 1, NULL, NULL);
    plug_install(dir, "plug_b", "test.b", 2, "{\"test.a\": \"^1.0\"}", NULL);
    assert_int_equal(facet_runtime_new(&rt, NULL), FACET_OK);
    scan(rt, dir, FACET_OK, 0, 2);
    expect_created(rt, "test.b.thing");
    for (i = 0; i < 3; i++)
        scan(rt, dir, FACET_OK, 0, 2);
    expect_created(rt, "test.a.thing");
    expect_created(rt, "test.b.thing");
    assert_int_equal(facet_runtime_stats(&st, rt), FACET_OK);
    assert_int_equal(st.classes, 2);
    assert_int_equal(st.modules_loaded, 2);

    plug_write(dir, "bad.facet.json", "{\"name\": ");
    scan(rt, dir, FACET_FALSE, 1, 2);
    scan(rt, dir, FACET_OK, 0, 2);
    /* The same folder by another spelling is the same folder. */
    {
        char other[4200];
        snprintf(other, sizeof(other), "%s/./", dir);
        scan(rt, other, FACET_OK, 0, 2);
    }
    assert_int_equal(facet_runtime_free(rt), FACET_OK);
    facet_test_remove_tree(dir);
    assert_no_leaks();
}

static int registered(FacetRuntime *rt, const char *name)
{
    FacetGuid clsid;
    return facet_class_lookup(&clsid, rt, name) == FACET_OK;
}

/* Added, changed and removed manifests, each picked up by the next scan. */
static void test_manifest_rescan__picks_up_changes(void **state)
{
    char dir[4096];
    FacetRuntime *rt;
    void *obj = NULL;
    (void)state;
    snprintf(dir, sizeof(dir), "%s", plug_folder());
    plug_install(dir, "plug_a", "test.a", 1, NULL, NULL);
    plug_install(dir, "plug_b", "test.b", 2, "{\"test.a\": \"^1.0\"}", NULL);
    assert_int_equal(facet_runtime_new(&rt, NULL), FACET_OK);
    scan(rt, dir, FACET_OK, 0, 2);
    assert_false(registered(rt, "test.c.thing"));

    /* Added. */
    plug_install(dir, "plug_c", "test.c", 3, NULL, NULL);
    scan(rt, dir, FACET_OK, 0, 3);
    assert_true(registered(rt, "test.c.thing"));

    /* Changed: test.b now requires a module nobody provides, and is
     * reported once; changed back, it can be used again. */
    plug_manifest(dir, "plug_b.facet.json", "test.b", "1.0.0", 2, "plug_b" PLUG_SUFFIX,
                  "{\"test.zzz\": \"^1.0\"}", NULL);
    assert_non_null(strstr(first_problem(rt, dir, FACET_E_NOTFOUND), "test.zzz"));
    scan(rt, dir, FACET_OK, 0, 3);
    expect_error(facet_create_instance_by_name(&obj, rt, "test.b.thing", NULL, &IID_ITestProbe),
                 FACET_E_NOTFOUND, "test.zzz");
    plug_manifest(dir, "plug_b.facet.json", "test.b", "1.0.0", 2, "plug_b" PLUG_SUFFIX,
                  "{\"test.a\": \"^1\"}", NULL);
    scan(rt, dir, FACET_OK, 0, 3);
    expect_created(rt, "test.b.thing");

    /* Rewritten with the same text: read again, nothing to say. */
    plug_install(dir, "plug_c", "test.c", 3, NULL, NULL);
    scan(rt, dir, FACET_OK, 0, 3);
    assert_true(registered(rt, "test.c.thing"));

    /* Removed: a module whose code never loaded is forgotten. */
    remove_file(dir, "plug_c.facet.json");
    scan(rt, dir, FACET_OK, 0, 2);
    assert_false(registered(rt, "test.c.thing"));
    expect_error(facet_create_instance_by_name(&obj, rt, "test.c.thing", NULL, &IID_ITestProbe),
                 FACET_E_CLASSNOTREG, "test.c.thing");

    /* A module that requires what was removed is reported, once; when the
     * requirement comes back, so does the module. */
    remove_file(dir, "plug_a.facet.json");
    assert_non_null(strstr(first_problem(rt, dir, FACET_E_NOTFOUND), "requires test.a"));
    scan(rt, dir, FACET_OK, 0, 1);
    assert_false(registered(rt, "test.a.thing"));
    plug_install(dir, "plug_a", "test.a", 1, NULL, NULL);
    scan(rt, dir, FACET_OK, 0, 2);
    expect_created(rt, "test.a.thing");
    expect_created(rt, "test.b.thing");
    assert_int_equal(facet_runtime_free(rt), FACET_OK);
    facet_test_remove_tree(dir);
    assert_no_leaks();
}

/* A manifest whose module's code is loaded may change or go: the loaded
 * code keeps serving, and the scan says so, once. */
static void test_manifest_rescan__loaded_keeps_serving(void **state)
{
    char dir[4096];
    FacetRuntime *rt;
    (void)state;
    snprintf(dir, sizeof(dir), "%s", plug_folder());
    plug_install(dir, "plug_a", "test.a", 1, NULL, NULL);
    plug_install(dir, "plug_b", "test.b", 2, NULL, NULL);
    assert_int_equal(facet_runtime_new(&rt, NULL), FACET_OK);
    scan(rt, dir, FACET_OK, 0, 2);
    expect_created(rt, "test.a.thing");
    expect_created(rt, "test.b.thing");

    plug_manifest(dir, "plug_a.facet.json", "test.a", "1.0.0", 1, "plug_a" PLUG_SUFFIX, NULL,
                  "\"permissions\": [\"more\"]");
    {
        const char *m = first_problem(rt, dir, FACET_E_BUSY);
        assert_non_null(strstr(m, "plug_a.facet.json: the manifest was changed"));
        assert_non_null(strstr(m, "keeps serving"));
    }
    scan(rt, dir, FACET_OK, 0, 2);
    expect_created(rt, "test.a.thing");

    remove_file(dir, "plug_b.facet.json");
    {
        const char *m = first_problem(rt, dir, FACET_E_BUSY);
        assert_non_null(strstr(m, "plug_b.facet.json: the manifest was removed"));
        assert_non_null(strstr(m, "test.b 1.0.0 is loaded"));
    }
    scan(rt, dir, FACET_OK, 0, 1);
    expect_created(rt, "test.b.thing");
    assert_int_equal(facet_runtime_free(rt), FACET_OK);
    facet_test_remove_tree(dir);
    assert_no_leaks();
}

/* A module that lost a claim to another gets it when the other goes. */
static void test_manifest_rescan__claims_decided_again(void **state)
{
    char dir[4096];
    FacetRuntime *rt;
    FacetGuid clsid;
    (void)state;
    snprintf(dir, sizeof(dir), "%s", plug_folder());
    plug_install(dir, "plug_a", "test.a", 1, NULL, NULL);
    /* test.fork: the same contract name, another clsid */
    plug_write(dir, "zfork.facet.json",
               "{\"name\": \"test.fork\", \"version\": \"1.0.0\", \"library\": \"x.so\",\n"
               " \"classes\": [{\"clsid\": \"{7B000000-0001-4000-8000-000000000021}\",\n"
               "               \"contract\": \"test.a.thing\"}]}");
    assert_int_equal(facet_runtime_new(&rt, NULL), FACET_OK);
    assert_non_null(strstr(first_problem(rt, dir, FACET_E_CONFLICT), "zfork.facet.json"));
    scan(rt, dir, FACET_OK, 0, 2);
    assert_int_equal(facet_class_lookup(&clsid, rt, "test.a.thing"), FACET_OK);
    assert_int_equal(clsid.Data4[7], 1);
    remove_file(dir, "plug_a.facet.json");
    scan(rt, dir, FACET_OK, 0, 1);
    assert_int_equal(facet_class_lookup(&clsid, rt, "test.a.thing"), FACET_OK);
    assert_int_equal(clsid.Data4[7], 0x21);
    assert_int_equal(facet_runtime_free(rt), FACET_OK);
    facet_test_remove_tree(dir);
    assert_no_leaks();
}

/* The same module and version from two files: the second file is read
 * again once the first is gone. */
static void test_manifest_rescan__duplicate_goes(void **state)
{
    char dir[4096];
    FacetRuntime *rt;
    (void)state;
    snprintf(dir, sizeof(dir), "%s", plug_folder());
    plug_install(dir, "plug_a", "test.a", 1, NULL, NULL);
    plug_manifest(dir, "zcopy.facet.json", "test.a", "1.0.0", 1, "plug_a" PLUG_SUFFIX, NULL, NULL);
    assert_int_equal(facet_runtime_new(&rt, NULL), FACET_OK);
    assert_non_null(strstr(first_problem(rt, dir, FACET_E_CONFLICT), "already declared by"));
    scan(rt, dir, FACET_OK, 0, 1);
    remove_file(dir, "plug_a.facet.json");
    scan(rt, dir, FACET_OK, 0, 1);
    expect_created(rt, "test.a.thing");
    assert_int_equal(facet_runtime_free(rt), FACET_OK);
    facet_test_remove_tree(dir);
    assert_no_leaks();
}

/* dir's second state, for a second scan to pick up (change), and back:
 * test.c added, and test.b requiring it instead of test.a. */
static void change_folder(const char *dir, int change)
{
    if (change)
        plug_install(dir, "plug_c", "test.c", 3, NULL, NULL);
    else
        remove_file(dir, "plug_c.facet.json");
    plug_manifest(dir, "plug_b.facet.json", "test.b", "1.0.0", 2, "plug_b" PLUG_SUFFIX,
                  change ? "{\"test.c\": \"1.x\"}" : "{\"test.a\": \"1.x\"}", NULL);
}

/* A second scan with the nth call of kind failing, for n = 1, 2, ... until
 * one runs with no call failed. The scan returns FACET_OK or error, or
 * FACET_FALSE where report is set (a file it could not read is a problem),
 * and never takes a file for another declaring its module. The next scan
 * brings the runtime up to date, and what the runtime knows of the folder
 * is what the folder holds: test.a, whose code never loaded, leaves with
 * its manifest. Returns how many scans were made. */
static uint64_t rescans_failing(uint32_t kind, FacetResult error, int report)
{
    char dir[4096];
    uint64_t n;
    snprintf(dir, sizeof(dir), "%s", plug_folder());
    plug_install(dir, "plug_a", "test.a", 1, NULL, NULL);
    plug_install(dir, "plug_b", "test.b", 2, "{\"test.a\": \"1.x\"}", NULL);
    for (n = 1;; n++) {
        FacetRuntime *rt = NULL;
        FacetScanReport *rep = NULL;
        FacetScanProblem pr = FACET_SCAN_PROBLEM_INIT;
        FacetResult r;
        uint64_t failures;
        uint32_t i;
        assert_int_equal(facet_runtime_new(&rt, NULL), FACET_OK);
        assert_int_equal(facet_scan(NULL, rt, dir), FACET_OK);
        change_folder(dir, 1);
        facet_testing_fail(kind, n, 0);
        r = facet_scan(&rep, rt, dir);
        failures = facet_testing_failures(kind);
        facet_testing_fail(kind, 0, 0);
        if (r != FACET_OK && r != error && !(report && r == FACET_FALSE))
            fail_msg("call %llu failing: %s", (unsigned long long)n, facet_last_error());
        for (i = 0; i < facet_scan_report_problem_count(rep); i++) {
            assert_int_equal(facet_scan_report_problem(&pr, rep, i), FACET_OK);
            if (strstr(pr.message, "already declared") != NULL)
                fail_msg("call %llu failing: %s", (unsigned long long)n, pr.message);
        }
        facet_scan_report_free(rep);
        scan(rt, dir, FACET_OK, 0, 3);
        expect_created(rt, "test.b.thing");
        expect_created(rt, "test.c.thing");
        assert_true(registered(rt, "test.a.thing"));
        remove_file(dir, "plug_a.facet.json");
        scan(rt, dir, FACET_OK, 0, 2);
        assert_false(registered(rt, "test.a.thing"));
        facet_runtime_free(rt);
        assert_no_leaks();
        plug_install(dir, "plug_a", "test.a", 1, NULL, NULL);
        change_folder(dir, 0);
        if (failures == 0) {
            assert_int_equal(r, FACET_OK);
            break;
        }
    }
    facet_test_remove_tree(dir);
    return n;
}

/* Running out of memory in a second scan leaves a runtime that the next
 * scan brings up to date. */
static void test_manifest_rescan__out_of_memory(void **state)
{
    (void)state;
    assert_true(rescans_failing(FACET_FAULT_ALLOC, FACET_E_OUTOFMEMORY, 0) > 10);
}

/* A scan's result, r: FACET_OK with every class of the folder registered,
 * or FACET_E_OUTOFMEMORY. */
static void expect_all_or_out_of_memory(FacetRuntime *rt, FacetResult r, const char *which,
                                        uint64_t n)
{
    if (r == FACET_OK && (!registered(rt, "test.a.thing") || !registered(rt, "test.b.thing")))
        fail_msg("the %s scan, allocation %llu failing, succeeded without every class",
                 which, (unsigned long long)n);
    if (r != FACET_OK && r != FACET_E_OUTOFMEMORY)
        fail_msg("the %s scan, allocation %llu failing: %s", which, (unsigned long long)n,
                 facet_last_error());
}

/* A first scan that ran out of memory at any point, then a second that
 * does at any point: each fails so or registers everything (a module left
 * unregistered by the first was once taken as settled by the second), and
 * a third brings the runtime up to date. */
static void test_manifest_rescan__out_of_memory_twice(void **state)
{
    char dir[4096];
    uint64_t first, second, failures = 0;
    (void)state;
    snprintf(dir, sizeof(dir), "%s", plug_folder());
    plug_install(dir, "plug_a", "test.a", 1, NULL, NULL);
    plug_install(dir, "plug_b", "test.b", 2, "{\"test.a\": \"1.x\"}", NULL);
    for (first = 1; first == 1 || failures != 0; first++)
        for (second = 1;; second++) {
            FacetRuntime *rt = NULL;
            FacetResult r;
            assert_int_equal(facet_runtime_new(&rt, NULL), FACET_OK);
            facet_testing_fail(FACET_FAULT_ALLOC, first, 0);
            r = facet_scan(NULL, rt, dir);
            failures = facet_testing_failures(FACET_FAULT_ALLOC);
            facet_testing_fail(FACET_FAULT_ALLOC, 0, 0);
            expect_all_or_out_of_memory(rt, r, "first", first);
            if (failures != 0) {
                facet_testing_fail(FACET_FAULT_ALLOC, second, 0);
                r = facet_scan(NULL, rt, dir);
                facet_testing_fail(FACET_FAULT_ALLOC, 0, 0);
                expect_all_or_out_of_memory(rt, r, "second", second);
            }
            scan(rt, dir, FACET_OK, 0, 2);
            expect_all_or_out_of_memory(rt, FACET_OK, "third", 0);
            facet_runtime_free(rt);
            assert_no_leaks();
            if (failures == 0 || r == FACET_OK)
                break;
        }
    /* the first scan failed at each of its allocations */
    assert_true(first > 10);
    facet_test_remove_tree(dir);
}

/* A file call failing in a second scan (a stat, an open, a read): the file
 * is read again, by this scan or the next. */
static void test_manifest_rescan__file_calls_fail(void **state)
{
    (void)state;
    /* the listing, the folder's real path, two stats, two opens and reads */
    assert_true(rescans_failing(FACET_FAULT_FILE, FACET_E_FAIL, 1) > 6);
}

/* Creating objects by contract name on two threads while a third scans the
 * folder again and again, adding and removing a module now and then. */
#define CREATES 500000
#define RESCANS 2000

typedef struct Race {
    FacetRuntime *rt;
    const char *dir;
    int stop;
    int failures;
    char failure[512];
} Race;

static void race_failed(Race *x, const char *what)
{
    if (__atomic_add_fetch(&x->failures, 1, __ATOMIC_ACQ_REL) == 1)
        snprintf(x->failure, sizeof(x->failure), "%s: %s", what, facet_last_error());
}

static void *creator(void *arg)
{
    Race *x = arg;
    int i;
    for (i = 0; i < CREATES; i++) {
        FacetResult r = create(x->rt, i & 1 ? "test.a.thing" : "test.b.thing");
        if (r != FACET_OK)
            race_failed(x, i & 1 ? "create test.a.thing" : "create test.b.thing");
        if ((i & 255) == 0) {
            r = create(x->rt, "test.c.thing");
            if (r != FACET_OK && r != FACET_E_CLASSNOTREG)
                race_failed(x, "create test.c.thing");
        }
    }
    return NULL;
}

static void test_manifest_rescan__creates_race_rescans(void **state)
{
    char dir[4096], path[4200];
    Race x;
    pthread_t threads[2];
    int i, n = 0;
    (void)state;
    memset(&x, 0, sizeof(x));
    snprintf(dir, sizeof(dir), "%s", plug_folder());
    plug_install(dir, "plug_a", "test.a", 1, NULL, NULL);
    plug_install(dir, "plug_b", "test.b", 2, "{\"test.a\": \"^1.0\"}", NULL);
    plug_copy(dir, "plug_c", "plug_c" PLUG_SUFFIX);
    snprintf(path, sizeof(path), "%s/plug_c.facet.json", dir);
    assert_int_equal(facet_runtime_new(&x.rt, NULL), FACET_OK);
    assert_int_equal(facet_scan(NULL, x.rt, dir), FACET_OK);
    x.dir = dir;
    for (i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&threads[i], NULL, creator, &x), 0);
    for (i = 0; i < RESCANS; i++) {
        if (i % 100 == 50)
            plug_manifest(dir, "plug_c.facet.json", "test.c", "1.0.0", 3, "plug_c" PLUG_SUFFIX,
                          NULL, NULL);
        else if (i % 100 == 0)
            remove(path);
        /* FACET_FALSE when test.c is removed after its code loaded */
        if (FACET_FAILED(facet_scan(NULL, x.rt, dir)))
            race_failed(&x, "facet_scan");
        n++;
    }
    for (i = 0; i < 2; i++)
        pthread_join(threads[i], NULL);
    if (x.failures != 0)
        fail_msg("%d failure(s), the first: %s", x.failures, x.failure);
    print_message("%d rescans while %d objects were created\n", n, 2 * CREATES);
    assert_int_equal(facet_runtime_free(x.rt), FACET_OK);
    facet_test_remove_tree(dir);
    assert_no_leaks();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_manifest_rescan__again_is_a_no_op),
        cmocka_unit_test(test_manifest_rescan__picks_up_changes),
        cmocka_unit_test(test_manifest_rescan__loaded_keeps_serving),
        cmocka_unit_test(test_manifest_rescan__claims_decided_again),
        cmocka_unit_test(test_manifest_rescan__duplicate_goes),
        cmocka_unit_test(test_manifest_rescan__out_of_memory),
        cmocka_unit_test(test_manifest_rescan__file_calls_fail),
        cmocka_unit_test(test_manifest_rescan__out_of_memory_twice),
        cmocka_unit_test(test_manifest_rescan__creates_race_rescans),
    };
    return cmocka_run_group_tests_name("manifest/rescan", tests, NULL, NULL);
}
