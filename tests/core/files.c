/*
 * tests/core/files.c - what a path names before anything is read from it.
 * A FIFO, a socket, a device or a folder where the runtime expects a file
 * (a manifest in a plugin folder, the host config, a module, the probe
 * cache) is refused at once with FACET_E_NOTAFILE naming the path and what
 * it is: never read, never waited on. A FIFO nobody writes to blocked the
 * scan (and, through the load lock, every other load of the host) forever.
 *
 * Each test arms an alarm: a read that blocks ends the program with
 * SIGALRM, a failure, instead of hanging the run. POSIX only: Windows has
 * no FIFO, socket or device in a folder.
 */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE 1

#include "plugtest.h"

#include <facet/check.h>

#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* Seconds a call may take before the test counts it as blocked. */
#define WATCHDOG 20u

static void make_fifo(const char *dir, const char *name, char *out, size_t size)
{
    snprintf(out, size, "%s/%s", dir, name);
    assert_int_equal(mkfifo(out, 0600), 0);
}

/* A bound Unix socket at dir/name; the descriptor is returned, to close. */
static int make_socket(const char *dir, const char *name, char *out, size_t size)
{
    struct sockaddr_un sa;
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    snprintf(out, size, "%s/%s", dir, name);
    memset(&sa, 0, sizeof(sa));
    sa.sun_family = AF_UNIX;
    assert_true(strlen(out) < sizeof(sa.sun_path));
    memcpy(sa.sun_path, out, strlen(out) + 1);
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    return fd;
}

static FacetRuntime *quiet_runtime(void)
{
    FacetRuntime *rt;
    FacetRuntimeOptions opts = FACET_RUNTIME_OPTIONS_INIT;
    opts.log_level = FACET_LOG_ERROR + 1;
    assert_int_equal(facet_runtime_new(&rt, &opts), FACET_OK);
    return rt;
}

/* Every test ends here: nothing blocked, nothing left open or allocated. */
static void finish(FacetRuntime *rt, const char *dir)
{
    alarm(0);
    if (rt != NULL)
        assert_int_equal(facet_runtime_free(rt), FACET_OK);
    facet_test_remove_tree(dir);
    assert_no_leaks();
}

/* The problem the scan listed for path, or fails the test. */
static void expect_problem(const FacetScanReport *rep, const char *path, FacetResult code,
                           const char *what)
{
    uint32_t i;
    for (i = 0; i < facet_scan_report_problem_count(rep); i++) {
        FacetScanProblem p = FACET_SCAN_PROBLEM_INIT;
        assert_int_equal(facet_scan_report_problem(&p, rep, i), FACET_OK);
        if (strcmp(p.path, path) != 0)
            continue;
        assert_int_equal(p.code, code);
        assert_non_null(strstr(p.message, path));
        assert_non_null(strstr(p.message, what));
        return;
    }
    fail_msg("no problem listed for %s", path);
}

/* A FIFO and a socket named like manifests, and a link to each, sit in a
 * plugin folder next to a good plugin: the scan lists each as a problem
 * and still offers the good plugin. */
static void test_core_files__fifo_and_socket_in_plugin_folder(void **state)
{
    char dir[4096], fifo[4200], sock[4200], link_fifo[4200], link_null[4200];
    FacetRuntime *rt = quiet_runtime();
    FacetScanReport *rep = NULL;
    FacetGuid clsid;
    int fd;
    (void)state;
    alarm(WATCHDOG);
    snprintf(dir, sizeof(dir), "%s", plug_folder());
    plug_install(dir, "plug_a", "test.a", 1, NULL, NULL);
    make_fifo(dir, "x.facet.json", fifo, sizeof(fifo));
    fd = make_socket(dir, "y.facet.json", sock, sizeof(sock));
    snprintf(link_fifo, sizeof(link_fifo), "%s/z.facet.json", dir);
    assert_int_equal(symlink(fifo, link_fifo), 0);
    snprintf(link_null, sizeof(link_null), "%s/null.facet.json", dir);
    assert_int_equal(symlink("/dev/null", link_null), 0);

    assert_int_equal(facet_scan(&rep, rt, dir), FACET_FALSE);
    assert_int_equal(facet_scan_report_problem_count(rep), 4);
    expect_problem(rep, fifo, FACET_E_NOTAFILE, "a FIFO");
    expect_problem(rep, link_fifo, FACET_E_NOTAFILE, "a FIFO");
    expect_problem(rep, sock, FACET_E_NOTAFILE, "a socket");
    expect_problem(rep, link_null, FACET_E_NOTAFILE, "a character device");
    /* the good plugin was read: its class is there */
    assert_int_equal(facet_scan_report_module_count(rep), 1);
    assert_int_equal(facet_class_lookup(&clsid, rt, "test.a.thing"), FACET_OK);
    facet_scan_report_free(rep);
    close(fd);
    finish(rt, dir);
}

/* facet.conf.json as a FIFO: refused, and the runtime takes a real config
 * afterwards. */
static void test_core_files__fifo_config(void **state)
{
    char dir[4096], fifo[4200], good[4200];
    FacetRuntime *rt = quiet_runtime();
    (void)state;
    alarm(WATCHDOG);
    snprintf(dir, sizeof(dir), "%s", plug_folder());
    make_fifo(dir, "facet.conf.json", fifo, sizeof(fifo));
    expect_error(facet_runtime_load_config(NULL, rt, fifo), FACET_E_NOTAFILE, fifo, "a FIFO");
    plug_write(dir, "good.conf.json", "{\"aliases\": {\"g\": \"test.a.thing\"}}");
    snprintf(good, sizeof(good), "%s/good.conf.json", dir);
    assert_int_equal(facet_runtime_load_config(NULL, rt, good), FACET_OK);
    finish(rt, dir);
}

/* facet_manifest_load and facet_module_load of a FIFO, a socket and a
 * device; each next to a positive control that reads a real file. */
static void test_core_files__fifo_manifest_and_module(void **state)
{
    char dir[4096], fifo[4200], sock[4200], good[4200];
    FacetRuntime *rt = quiet_runtime();
    FacetManifest *mf = NULL;
    FacetModule *m = NULL;
    int fd;
    (void)state;
    alarm(WATCHDOG);
    snprintf(dir, sizeof(dir), "%s", plug_folder());
    plug_install(dir, "plug_a", "test.a", 1, NULL, NULL);
    make_fifo(dir, "m.facet.json", fifo, sizeof(fifo));
    fd = make_socket(dir, "s.facet.json", sock, sizeof(sock));

    expect_error(facet_manifest_load(&mf, fifo), FACET_E_NOTAFILE, fifo, "a FIFO");
    assert_null(mf);
    expect_error(facet_manifest_load(&mf, sock), FACET_E_NOTAFILE, sock, "a socket");
    expect_error(facet_manifest_load(&mf, "/dev/zero"), FACET_E_NOTAFILE, "/dev/zero",
                 "a character device");
    snprintf(good, sizeof(good), "%s/plug_a.facet.json", dir);
    assert_int_equal(facet_manifest_load(&mf, good), FACET_OK);
    facet_manifest_free(mf);

    expect_error(facet_module_load(&m, rt, fifo), FACET_E_NOTAFILE, fifo, "a FIFO");
    assert_null(m);
    expect_error(facet_module_load(&m, rt, sock), FACET_E_NOTAFILE, sock, "a socket");
    snprintf(good, sizeof(good), "%s/plug_a" PLUG_SUFFIX, dir);
    assert_int_equal(facet_module_load(&m, rt, good), FACET_OK);
    assert_int_equal(facet_module_unload(m), FACET_OK);
    close(fd);
    finish(rt, dir);
}

/* A manifest whose library is a FIFO: the first create refuses it. */
static void test_core_files__fifo_library(void **state)
{
    char dir[4096], fifo[4200];
    FacetRuntime *rt = quiet_runtime();
    void *obj = NULL;
    (void)state;
    alarm(WATCHDOG);
    snprintf(dir, sizeof(dir), "%s", plug_folder());
    make_fifo(dir, "plug_a" PLUG_SUFFIX, fifo, sizeof(fifo));
    plug_manifest(dir, "plug_a.facet.json", "test.a", "1.0.0", 1, "plug_a" PLUG_SUFFIX, NULL, NULL);
    assert_int_equal(facet_scan(NULL, rt, dir), FACET_OK);
    expect_error(facet_create_instance_by_name(&obj, rt, "test.a.thing", NULL, &IID_IFacetUnknown),
                 FACET_E_NOTAFILE, "a FIFO");
    assert_null(obj);
    finish(rt, dir);
}

/* The probe cache file as a FIFO, and a FIFO given to the cache as a
 * module: both refused without a read. */
static void test_core_files__fifo_probe_cache(void **state)
{
    char dir[4096], fifo[4200], good[4200];
    FacetProbeCache *cache = NULL;
    FacetReport *rep = NULL;
    (void)state;
    alarm(WATCHDOG);
    snprintf(dir, sizeof(dir), "%s", plug_folder());
    make_fifo(dir, "cache.json", fifo, sizeof(fifo));
    expect_error(facet_probe_cache_open(&cache, fifo), FACET_E_NOTAFILE, fifo, "a FIFO");
    assert_null(cache);
    snprintf(good, sizeof(good), "%s/fresh.json", dir);
    assert_int_equal(facet_probe_cache_open(&cache, good), FACET_OK);
    expect_error(facet_probe_cache_get(&rep, NULL, cache, fifo, NULL), FACET_E_NOTAFILE, fifo);
    assert_null(rep);
    facet_probe_cache_free(cache);
    finish(NULL, dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_core_files__fifo_and_socket_in_plugin_folder),
        cmocka_unit_test(test_core_files__fifo_config),
        cmocka_unit_test(test_core_files__fifo_manifest_and_module),
        cmocka_unit_test(test_core_files__fifo_library),
        cmocka_unit_test(test_core_files__fifo_probe_cache),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
