/*
 * tests/core/go.c - modules written in Go: one Go runtime per process, and
 * none ever unloaded.
 *
 * The Go-like test modules (beta_go, gamma_go) are C modules that carry
 * Go's build information where Go writes it, so the loader takes each for
 * a Go module before it maps it, as it would a real one (tests/go runs the
 * same rules with modules built by Go). Mapping one gives this process its
 * Go runtime for good, so the cases run in order, in a process of their
 * own: the first Go module a case maps is the process's.
 *
 * With FACET_TEST_GO_HOST the program itself carries Go's build
 * information (test_core_go_host): then no Go module may load at all.
 */
#include <string.h>
#ifdef _WIN32
#include <windows.h>
#else
#include <dlfcn.h>
#endif

#include "plugtest.h"
#include "test_itf.h"

#ifdef FACET_TEST_GO_HOST
/* This program's own build information: it is taken for a Go program. */
#ifdef _WIN32
__attribute__((aligned(16), used)) char facet_test_go_program[32] = "\xff Go buildinf:\x08\x02";
#else
__attribute__((section(".go.buildinfo"), aligned(16), used))
static const char go_program[32] = "\xff Go buildinf:\x08\x02";
#endif
#endif

/* Whether the library of test module name is mapped in this process. */
static int mapped(const char *name)
{
#ifdef _WIN32
    char file[512];
    snprintf(file, sizeof(file), "%s.dll", name);
    return GetModuleHandleA(file) != NULL;
#else
    void *h = dlopen(facet_test_module(name), RTLD_NOW | RTLD_NOLOAD);
    if (h != NULL)
        dlclose(h);
    return h != NULL;
#endif
}

static FacetRuntime *new_runtime(void)
{
    FacetRuntime *rt;
    assert_int_equal(facet_runtime_new(&rt, NULL), FACET_OK);
    return rt;
}

#ifndef FACET_TEST_GO_HOST

/* A module written in Go is never copied for a second runtime, and a
 * second Go module is refused: each would start a second Go runtime. */
static void test_core_go__one_go_runtime(void **state)
{
    FacetRuntime *a = new_runtime(), *b = new_runtime();
    FacetModule *ma, *mb, *none = NULL;
    (void)state;
    /* Positive control: the same module without Go's build information
     * loads in both (the second gets a private copy). */
    assert_int_equal(facet_module_load(&ma, a, facet_test_module("beta")), FACET_OK);
    assert_int_equal(facet_module_load(&mb, b, facet_test_module("beta")), FACET_OK);
    assert_int_equal(facet_module_unload(ma), FACET_OK);
    assert_int_equal(facet_module_unload(mb), FACET_OK);
    assert_false(mapped("beta"));

    assert_int_equal(facet_module_load(&ma, a, facet_test_module("beta_go")), FACET_OK);
    expect_error(facet_module_load(&none, b, facet_test_module("beta_go")), FACET_E_CONFLICT,
                 "beta_go", "written in Go", "second Go runtime");
    assert_null(none);
    /* Another Go module, in either runtime: this process runs beta_go's Go. */
    expect_error(facet_module_load(&none, a, facet_test_module("gamma_go")), FACET_E_CONFLICT,
                 "gamma_go", "written in Go", "Go runtime of", "beta_go", "process isolation");
    assert_null(none);
    expect_error(facet_module_load(&none, b, facet_test_module("gamma_go")), FACET_E_CONFLICT,
                 "gamma_go", "beta_go");
    assert_false(mapped("gamma_go"));
    /* A module that is not Go still loads beside it. */
    assert_int_equal(facet_module_load(&mb, b, facet_test_module("gamma")), FACET_OK);
    assert_int_equal(facet_module_unload(mb), FACET_OK);
    assert_int_equal(facet_module_unload(ma), FACET_FALSE);
    assert_int_equal(facet_runtime_free(a), FACET_OK);
    assert_int_equal(facet_runtime_free(b), FACET_OK);
    assert_no_leaks();
}

/* Unloading a Go module says that its code stays, and it does; loading
 * it again, in any runtime, uses that code. */
static void test_core_go__never_unloaded(void **state)
{
    FacetRuntime *a = new_runtime(), *b = new_runtime();
    FacetModule *m;
    ITestCounter *c = NULL;
    int32_t total = 0;
    (void)state;
    /* Positive control: a module not written in Go goes at its unload. */
    assert_int_equal(facet_module_load(&m, a, facet_test_module("gamma")), FACET_OK);
    assert_true(mapped("gamma"));
    assert_int_equal(facet_module_unload(m), FACET_OK);
    assert_false(mapped("gamma"));

    assert_int_equal(facet_module_load(&m, a, facet_test_module("beta_go")), FACET_OK);
    expect_error(facet_module_unload(m), FACET_FALSE, "beta_go", "written in Go",
                 "stays mapped until the process ends", "golang/go#11100");
    assert_true(mapped("beta_go"));
    /* Its classes are gone with it. */
    expect_error(facet_create_instance((void **)&c, a, &CLSID_BetaCounter, NULL, &IID_ITestCounter),
                 FACET_E_CLASSNOTREG, "no loaded module");
    /* The other runtime may load it now: the same code, the same Go. */
    assert_int_equal(facet_module_load(&m, b, facet_test_module("beta_go")), FACET_OK);
    assert_int_equal(facet_create_instance((void **)&c, b, &CLSID_BetaCounter, NULL,
                                           &IID_ITestCounter),
                     FACET_OK);
    assert_int_equal(ITestCounter_Add(c, 5, &total), FACET_OK);
    assert_int_equal(total, 5);
    /* With an object alive, the unload waits, and says it never ends. */
    expect_error(facet_module_unload(m), FACET_FALSE, "live objects", "written in Go",
                 "until the process ends");
    assert_int_equal(ITestCounter_Release(c), 0);
    expect_error(facet_runtime_collect(b), FACET_FALSE, "beta_go", "stays mapped");
    /* Nothing waits any more. */
    assert_int_equal(facet_runtime_collect(b), FACET_OK);
    assert_true(mapped("beta_go"));
    assert_int_equal(facet_runtime_free(a), FACET_OK);
    assert_int_equal(facet_runtime_free(b), FACET_OK);
    assert_true(mapped("beta_go"));
    assert_no_leaks();
}

/* A manifest's "runtime": "go" makes a module Go before any image says
 * so: it is held to the same rule. */
static void test_core_go__manifest_says_go(void **state)
{
    char dir[4096];
    FacetRuntime *rt = new_runtime();
    FacetManifest *mf;
    FacetManifestInfo info = FACET_MANIFEST_INFO_INIT;
    ITestCounter *c = NULL;
    char path[4200], conf[4200];
    const char *manifest =
        "{\"name\": \"test.gamma\", \"version\": \"1.2.3\", \"runtime\": \"%s\",\n"
        " \"library\": {\"linux\": \"gamma.so\", \"windows\": \"gamma.dll\", \"macos\": \"gamma.so\"},\n"
        " \"classes\": [{\"clsid\": \"{06A33A00-0000-4000-8000-000000000001}\"}]}\n";
    char text[1024];
    (void)state;
    snprintf(dir, sizeof(dir), "%s", plug_folder());
    plug_copy(dir, "gamma", "gamma" PLUG_SUFFIX);
    snprintf(text, sizeof(text), manifest, "go");
    plug_write(dir, "gamma.facet.json", text);
    snprintf(path, sizeof(path), "%s/gamma.facet.json", dir);
    assert_int_equal(facet_manifest_load(&mf, path), FACET_OK);
    assert_int_equal(facet_manifest_info(&info, mf), FACET_OK);
    assert_int_equal(info.runtime, FACET_RUNTIME_GO);
    /* An older caller's struct ends before the field, and gets no more. */
    info.struct_size = FACET_MANIFEST_INFO_V1_SIZE;
    info.runtime = 77;
    assert_int_equal(facet_manifest_info(&info, mf), FACET_OK);
    assert_int_equal(info.struct_size, FACET_MANIFEST_INFO_V1_SIZE);
    assert_int_equal(info.runtime, 77);
    facet_manifest_free(mf);

    /* Discovery would run it in a process host; a configuration that
     * forces it in-process is refused. */
    snprintf(conf, sizeof(conf), "%s/facet.conf.json", dir);
    plug_write(dir, "facet.conf.json",
               "{\"plugin_folders\": [\".\"], "
               "\"modules\": {\"test.gamma\": {\"isolation\": \"in-process\"}}}");
    assert_int_equal(facet_runtime_load_config(NULL, rt, conf), FACET_OK);
    expect_error(facet_create_instance((void **)&c, rt, &CLSID_GammaCounter, NULL,
                                       &IID_ITestCounter),
                 FACET_E_CONFLICT, "gamma", "written in Go", "beta_go", "cannot work");
    assert_null(c);
    assert_int_equal(facet_runtime_free(rt), FACET_OK);

    /* Positive control: the same library, its manifest saying "native". */
    rt = new_runtime();
    snprintf(text, sizeof(text), manifest, "native");
    plug_write(dir, "gamma.facet.json", text);
    assert_int_equal(facet_scan(NULL, rt, dir), FACET_OK);
    if (facet_create_instance((void **)&c, rt, &CLSID_GammaCounter, NULL, &IID_ITestCounter) !=
        FACET_OK)
        fail_msg("%s", facet_last_error());
    assert_int_equal(ITestCounter_Release(c), 0);
    assert_int_equal(facet_runtime_free(rt), FACET_OK);

    /* Anything else is a manifest error at the field. */
    rt = new_runtime();
    snprintf(text, sizeof(text), manifest, "rust");
    plug_write(dir, "gamma.facet.json", text);
    assert_int_equal(facet_manifest_load(&mf, path), FACET_E_BADMANIFEST);
    assert_non_null(strstr(facet_last_error(), "$.runtime"));
    assert_non_null(strstr(facet_last_error(), "expected \"native\" or \"go\""));
    assert_int_equal(facet_runtime_free(rt), FACET_OK);
    facet_test_remove_tree(dir);
    assert_no_leaks();
}

#else /* FACET_TEST_GO_HOST */

/* In a program written in Go, no Go module loads: it would be a second Go
 * runtime. */
static void test_core_go_host__no_go_module(void **state)
{
    FacetRuntime *rt = new_runtime();
    FacetModule *m = NULL;
    (void)state;
    /* Positive control: a module not written in Go. */
    assert_int_equal(facet_module_load(&m, rt, facet_test_module("beta")), FACET_OK);
    assert_int_equal(facet_module_unload(m), FACET_OK);
    m = NULL;
    expect_error(facet_module_load(&m, rt, facet_test_module("beta_go")), FACET_E_CONFLICT,
                 "beta_go", "written in Go", "this program is written in Go");
    assert_null(m);
    assert_false(mapped("beta_go"));
    assert_int_equal(facet_runtime_free(rt), FACET_OK);
    assert_no_leaks();
}

#endif

int main(void)
{
    const struct CMUnitTest tests[] = {
#ifndef FACET_TEST_GO_HOST
        cmocka_unit_test(test_core_go__one_go_runtime),
        cmocka_unit_test(test_core_go__never_unloaded),
        cmocka_unit_test(test_core_go__manifest_says_go),
#else
        cmocka_unit_test(test_core_go_host__no_go_module),
#endif
    };
#ifndef FACET_TEST_GO_HOST
    return cmocka_run_group_tests_name("core/go", tests, NULL, NULL);
#else
    return cmocka_run_group_tests_name("core/go_host", tests, NULL, NULL);
#endif
}
