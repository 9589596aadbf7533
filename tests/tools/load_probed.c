/*
 * tests/tools/load_probed.c - facet_module_load_probed: a module enters
 * the host only after a probe in a child passed it; one that crashes,
 * hangs, exits or is no library never does, and the host lives on. With a
 * probe cache, a module probed clean and unchanged is not probed again,
 * and a quarantined one is refused without running it.
 * argv[1]: the broken widgets' folder, argv[2]: the runner module,
 * argv[3]: the facet-probe helper.
 */
#define _POSIX_C_SOURCE 200809L

#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "facet/check.h"
#include "tools_util.h"

static const char *broken_dir, *runner_module, *helper;

static const char *broken(const char *name)
{
    static char path[4][4096];
    static unsigned next;
    char *p = path[next++ % 4];
    snprintf(p, 4096, "%s/%s" TOOLS_MODULE_SUFFIX, broken_dir, name);
    return p;
}

static FacetRuntime *runtime(void)
{
    FacetRuntime *rt = NULL;
    assert_int_equal(facet_runtime_new(&rt, NULL), FACET_OK);
    return rt;
}

/* test.runner can be created: its module is loaded. */
static int runner_loaded(FacetRuntime *rt)
{
    IFacetUnknown *obj = NULL;
    if (FACET_FAILED(facet_create_instance_by_name((void **)&obj, rt, "test.runner", NULL,
                                                   &IID_IFacetUnknown)))
        return 0;
    IFacetUnknown_Release(obj);
    return 1;
}

static void test_tools_load_probed__good_module_loads(void **state)
{
    FacetRuntime *rt = runtime();
    FacetModule *m = NULL;
    (void)state;
    assert_false(runner_loaded(rt));
    assert_int_equal(facet_module_load_probed(&m, rt, runner_module, NULL, NULL), FACET_OK);
    assert_non_null(m);
    assert_true(runner_loaded(rt));
    assert_int_equal(facet_module_unload(m), FACET_OK);
    assert_int_equal(facet_runtime_free(rt), FACET_OK);
    assert_no_leaks();
}

/* Each way of failing its probe keeps the module out, with its own code
 * and the probe's reason; the host (this process) goes on. */
static void test_tools_load_probed__failing_modules_stay_out(void **state)
{
    static const struct {
        const char *name;
        FacetResult code;
        const char *says;
    } cases[] = {
        {"crash_in_entry", FACET_E_CRASHED, "crashed in facet_module_entry"},
        {"exit_in_entry", FACET_E_CRASHED, "exit status 3"},
        {"hang_in_entry", FACET_E_TIMEOUT, "hung in facet_module_entry"},
        {"not_a_library", FACET_E_NOTLIBRARY, "text file"},
    };
    FacetCheckOptions opts = FACET_CHECK_OPTIONS_INIT;
    FacetRuntime *rt = runtime();
    size_t i;
    (void)state;
    opts.timeout_ms = 5000; /* room for a crash in a sanitizer build */
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        FacetModule *m = (FacetModule *)&opts;
        expect_error(facet_module_load_probed(&m, rt, broken(cases[i].name), NULL, &opts),
                     cases[i].code, cases[i].name, cases[i].says);
        assert_null(m);
    }
    assert_int_equal(facet_runtime_free(rt), FACET_OK);
    assert_no_leaks();
}

/* With a cache: a clean, unchanged module is not probed again (a helper
 * that does not exist is never asked), and a quarantined one is refused
 * the same way. A module that changes is probed afresh. */
static void test_tools_load_probed__through_the_cache(void **state)
{
    const char *dir = tools_scan_folder(broken_dir, runner_module);
    char cache_file[4200], runner[4200], crash[4200];
    FacetCheckOptions opts = FACET_CHECK_OPTIONS_INIT;
    FacetProbeCache *cache = NULL;
    FacetRuntime *rt = runtime();
    FacetModule *m = NULL;
    (void)state;
    snprintf(cache_file, sizeof(cache_file), "%s/probe.json", dir);
    snprintf(runner, sizeof(runner), "%s/runner" TOOLS_MODULE_SUFFIX, dir);
    snprintf(crash, sizeof(crash), "%s/crash_in_entry" TOOLS_MODULE_SUFFIX, dir);
    assert_int_equal(facet_probe_cache_open(&cache, cache_file), FACET_OK);
    assert_int_equal(facet_module_load_probed(&m, rt, runner, cache, &opts), FACET_OK);
    assert_int_equal(facet_module_unload(m), FACET_OK);
    expect_error(facet_module_load_probed(&m, rt, crash, cache, &opts), FACET_E_CRASHED,
                 "crash_in_entry");
    assert_int_equal(facet_probe_cache_count(cache), 2);

    opts.helper = "/nonexistent/facet-probe";
    assert_int_equal(facet_module_load_probed(&m, rt, runner, cache, &opts), FACET_OK);
    assert_true(runner_loaded(rt));
    assert_int_equal(facet_module_unload(m), FACET_OK);
    expect_error(facet_module_load_probed(&m, rt, crash, cache, &opts), FACET_E_CRASHED,
                 "crashed in facet_module_entry");
    /* Positive control: once it changes it is probed, and that needs the
     * helper that is not there. */
    tools_set_mtime(dir, "runner" TOOLS_MODULE_SUFFIX, time(NULL) + 100);
    expect_error(facet_module_load_probed(&m, rt, runner, cache, &opts), FACET_E_FILENOTFOUND,
                 "/nonexistent/facet-probe");
    assert_null(m);
    facet_probe_cache_free(cache);
    assert_int_equal(facet_runtime_free(rt), FACET_OK);
    facet_test_remove_tree(dir);
    assert_no_leaks();
}

#ifndef _WIN32
/* A file that changes while it is probed is not loaded. The helper here
 * is a script that touches the module, then runs the real one. */
static void test_tools_load_probed__changed_while_probed(void **state)
{
    const char *dir = tools_scan_folder(broken_dir, runner_module);
    char script[4200], text[13000], runner[4200];
    FacetCheckOptions opts = FACET_CHECK_OPTIONS_INIT;
    FacetRuntime *rt = runtime();
    FacetModule *m = NULL;
    (void)state;
    snprintf(runner, sizeof(runner), "%s/runner" TOOLS_MODULE_SUFFIX, dir);
    snprintf(script, sizeof(script), "%s/touching-helper", dir);
    snprintf(text, sizeof(text), "#!/bin/sh\ntouch -d '2001-01-01' '%s'\nexec '%s' \"$@\"\n",
             runner, helper);
    facet_test_write_file(script, text, strlen(text));
    assert_int_equal(chmod(script, 0755), 0);
    opts.helper = script;
    expect_error(facet_module_load_probed(&m, rt, runner, NULL, &opts), FACET_E_MISMATCH,
                 "changed while it was probed");
    assert_null(m);
    assert_false(runner_loaded(rt));
    /* Positive control: the file no longer changes, and it loads. */
    assert_int_equal(facet_module_load_probed(&m, rt, runner, NULL, &opts), FACET_OK);
    assert_int_equal(facet_module_unload(m), FACET_OK);
    assert_int_equal(facet_runtime_free(rt), FACET_OK);
    facet_test_remove_tree(dir);
    assert_no_leaks();
}
#endif

static void test_tools_load_probed__bad_arguments(void **state)
{
    FacetRuntime *rt = runtime();
    FacetModule *m = (FacetModule *)rt;
    (void)state;
    expect_error(facet_module_load_probed(NULL, rt, runner_module, NULL, NULL), FACET_E_POINTER,
                 "facet_module_load_probed", "out");
    expect_error(facet_module_load_probed(&m, NULL, runner_module, NULL, NULL), FACET_E_POINTER,
                 "rt");
    assert_null(m);
    expect_error(facet_module_load_probed(&m, rt, NULL, NULL, NULL), FACET_E_POINTER, "path");
    expect_error(facet_module_load_probed(&m, rt, "/no/such/module" TOOLS_MODULE_SUFFIX, NULL,
                                          NULL),
                 FACET_E_FILENOTFOUND, "/no/such/module");
    assert_int_equal(facet_runtime_free(rt), FACET_OK);
    assert_no_leaks();
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tools_load_probed__good_module_loads),
        cmocka_unit_test(test_tools_load_probed__failing_modules_stay_out),
        cmocka_unit_test(test_tools_load_probed__through_the_cache),
#ifndef _WIN32
        cmocka_unit_test(test_tools_load_probed__changed_while_probed),
#endif
        cmocka_unit_test(test_tools_load_probed__bad_arguments),
    };
    if (argc < 4) {
        fprintf(stderr, "usage: %s BROKEN_DIR RUNNER_MODULE FACET_PROBE\n", argv[0]);
        return 2;
    }
    broken_dir = argv[1];
    runner_module = argv[2];
    helper = argv[3];
    return cmocka_run_group_tests(tests, NULL, NULL);
}
