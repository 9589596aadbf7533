/*
 * tests/go/c_host.c - a C host with a real Go component (a library built by
 * go build -buildmode=c-shared, tests/go/probe_component): the host keeps
 * its own signals, a second Go module is refused with both named where the
 * host loads it by path, and runs in a process host where discovery loads
 * it (the Go greeter of samples/go), unless the configuration forces it
 * in-process, which is refused; and the Go module is never unmapped.
 *
 * The Go runtime starts when the library is mapped and stays for the
 * process, so the cases run in order in one process.
 *
 *   test_go_c_host GO-COMPONENT [GO-GREETER PROXY-STUBS]
 */
#include <dlfcn.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "support.h"

#include "probe.h"
#ifdef FACET_TEST_GO_GREETER
#include <facet/proxystub.h>

#include "greeter.h"
#endif

static const char *component, *go_greeter, *greeter_ps;

static volatile sig_atomic_t usr1_count, usr2_count, segv_count;
static sigjmp_buf segv_jump;

static void on_usr1(int sig)
{
    (void)sig;
    usr1_count++;
}

static void on_usr2(int sig)
{
    (void)sig;
    usr2_count++;
}

static void on_segv(int sig)
{
    (void)sig;
    segv_count++;
    siglongjmp(segv_jump, 1);
}

/* SA_ONSTACK, as Go asks of a handler in a process with Go in it: Go's
 * threads run on small stacks, and a handler without it may overrun one. */
static void install(int sig, void (*handler)(int))
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = handler;
    sa.sa_flags = SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    assert_int_equal(sigaction(sig, &sa, NULL), 0);
}

static int go_mapped(const char *path)
{
    void *h = dlopen(path, RTLD_NOW | RTLD_NOLOAD);
    if (h != NULL)
        dlclose(h);
    return h != NULL;
}

/* Calls IProbeAux::Twice on a fresh object of the Go component: the Go
 * runtime is up and answers. */
static void call_go(FacetRuntime *rt)
{
    IProbeAux *aux = NULL;
    uint32_t y = 0;
    assert_int_equal(facet_create_instance((void **)&aux, rt, &CLSID_ProbeClass, NULL,
                                           &IID_IProbeAux),
                     FACET_OK);
    assert_int_equal(IProbeAux_Twice(aux, 21, &y), FACET_OK);
    assert_int_equal(y, 42);
    assert_int_equal(IProbeAux_Release(aux), 0);
}

static void *raise_usr1(void *arg)
{
    (void)arg;
    raise(SIGUSR1);
    return NULL;
}

static FacetRuntime *rt;
static FacetModule *module;

/* The host's handlers, installed before the Go runtime starts (SIGUSR1,
 * SIGSEGV) and after (SIGUSR2), still run: Go forwards a signal that is
 * not its own to the handler that was there before it. */
static void test_go_c_host__signals(void **state)
{
    pthread_t thread;
    volatile int *nowhere = NULL;
    (void)state;
    install(SIGUSR1, on_usr1);
    install(SIGSEGV, on_segv);
    assert_false(go_mapped(component));

    assert_int_equal(facet_runtime_new(&rt, NULL), FACET_OK);
    assert_int_equal(facet_module_load(&module, rt, component), FACET_OK);
    assert_true(go_mapped(component));
    call_go(rt);

    raise(SIGUSR1);
    assert_int_equal(usr1_count, 1);
    /* From a thread Go never saw. */
    assert_int_equal(pthread_create(&thread, NULL, raise_usr1, NULL), 0);
    assert_int_equal(pthread_join(thread, NULL), 0);
    assert_int_equal(usr1_count, 2);

    install(SIGUSR2, on_usr2);
    raise(SIGUSR2);
    assert_int_equal(usr2_count, 1);

    /* A fault in the host's own code is the host's, not Go's panic. */
    if (sigsetjmp(segv_jump, 1) == 0)
        (void)*nowhere;
    assert_int_equal(segv_count, 1);

    /* And Go goes on answering. */
    call_go(rt);
}

/* A second Go module would be a second Go runtime: refused, with both
 * libraries named. */
static void test_go_c_host__second_go_runtime(void **state)
{
    char dir[4096], second[4200];
    size_t size;
    void *image = facet_test_read_file(component, &size);
    FacetModule *m = NULL;
    (void)state;
    snprintf(dir, sizeof(dir), "%s", facet_test_tmpdir());
    snprintf(second, sizeof(second), "%s/second_go_component.so", dir);
    facet_test_write_file(second, image, size);
    free(image);
    expect_error(facet_module_load(&m, rt, second), FACET_E_CONFLICT, "second_go_component.so",
                 "probe_component_go.so", "one Go runtime");
    assert_null(m);
    assert_false(go_mapped(second));
    facet_test_remove_tree(dir);
    /* The first one is still there, and answers. */
    call_go(rt);
}

#ifdef FACET_TEST_GO_GREETER
/* The runtime's log lines, from whichever thread logs them. */
static pthread_mutex_t log_mutex = PTHREAD_MUTEX_INITIALIZER;
static char log_lines[8192];

static void keep_line(uint32_t level, const char *name, const char *message, void *payload)
{
    size_t n;
    (void)level;
    (void)payload;
    pthread_mutex_lock(&log_mutex);
    n = strlen(log_lines);
    snprintf(log_lines + n, sizeof(log_lines) - n, "%s: %s\n", name, message);
    pthread_mutex_unlock(&log_mutex);
}

static int logged(const char *text)
{
    int found;
    pthread_mutex_lock(&log_mutex);
    found = strstr(log_lines, text) != NULL;
    pthread_mutex_unlock(&log_mutex);
    return found;
}

/* A folder with the Go greeter and its manifest (without its "runtime":
 * "go" where image_only, so that only the image says Go), and a
 * configuration that scans it, with modules.<greeter>.isolation as given
 * (NULL: none). */
static void greeter_folder(char *dir, size_t size, char *conf, size_t conf_size,
                           const char *isolation, int image_only)
{
    char path[4200], text[512], *json, *field;
    size_t n;
    void *image = facet_test_read_file(go_greeter, &n);
    snprintf(dir, size, "%s", facet_test_tmpdir());
    snprintf(path, sizeof(path), "%s/greeter-go.so", dir);
    facet_test_write_file(path, image, n);
    free(image);
    snprintf(path, sizeof(path), "%.*s.facet.json", (int)(strlen(go_greeter) - 3), go_greeter);
    json = facet_test_read_file(path, &n);
    field = strstr(json, "\"runtime\": \"go\",");
    assert_non_null(field);
    if (image_only) {
        memmove(field, field + 16, n - (size_t)(field + 16 - json));
        n -= 16;
    }
    snprintf(path, sizeof(path), "%s/greeter-go.facet.json", dir);
    facet_test_write_file(path, json, n);
    free(json);
    if (isolation != NULL)
        snprintf(text, sizeof(text),
                 "{\"plugin_folders\": [\".\"], \"modules\": {\"org.example.greeter.go\": "
                 "{\"isolation\": \"%s\"}}}",
                 isolation);
    else
        snprintf(text, sizeof(text), "{\"plugin_folders\": [\".\"]}");
    snprintf(conf, conf_size, "%s/facet.conf.json", dir);
    facet_test_write_file(conf, text, strlen(text));
}

static FacetRuntime *logged_runtime(const char *conf)
{
    FacetRuntimeOptions options = FACET_RUNTIME_OPTIONS_INIT;
    FacetRuntime *r = NULL;
    options.log = keep_line;
    pthread_mutex_lock(&log_mutex);
    log_lines[0] = '\0';
    pthread_mutex_unlock(&log_mutex);
    assert_int_equal(facet_runtime_new(&r, &options), FACET_OK);
    assert_int_equal(facet_runtime_load_config(NULL, r, conf), FACET_OK);
    return r;
}

static void greet(FacetRuntime *r)
{
    IGreeter *greeter = NULL;
    IFacetString *greeting = NULL;
    const char *text = NULL;
    assert_int_equal(facet_create_instance_by_name((void **)&greeter, r, "org.example.greeter.go",
                                                   NULL, &IID_IGreeter),
                     FACET_OK);
    assert_int_equal(IGreeter_Greet(greeter, "Gopher", &greeting), FACET_OK);
    assert_int_equal(IFacetString_GetText(greeting, &text), FACET_OK);
    assert_non_null(strstr(text, "Gopher"));
    IFacetString_Release(greeting);
    assert_int_equal(IGreeter_Release(greeter), 0);
}

/* Discovery knows the greeter is Go (its manifest says "runtime": "go")
 * and that the process runs Go already (the probe component): the greeter
 * runs in a process host, its calls go through proxies, and the log says
 * why. The configuration may ask for the process host itself; a
 * configuration that forces it in-process is refused, and says why. */
static void test_go_c_host__second_go_to_process_host(void **state)
{
    char dir[4096], conf[4200], copy[4200];
    FacetRuntime *r;
    IGreeter *greeter = NULL;
    int image_only;
    (void)state;
    if (go_greeter == NULL)
        skip();
    assert_int_equal(facet_proxy_stubs_load(greeter_ps), FACET_OK);

    /* Without a word from the configuration: the process host, whether
     * the manifest says Go or only the image does. */
    for (image_only = 0; image_only < 2; image_only++) {
        greeter_folder(dir, sizeof(dir), conf, sizeof(conf), NULL, image_only);
        snprintf(copy, sizeof(copy), "%s/greeter-go.so", dir);
        r = logged_runtime(conf);
        greet(r);
        assert_false(go_mapped(copy));
        assert_true(logged("org.example.greeter.go: runs in a process host"));
        assert_true(logged("probe_component_go.so"));
        assert_true(logged("one Go runtime"));
        greet(r);
        assert_int_equal(facet_runtime_free(r), FACET_OK);
        facet_test_remove_tree(dir);
    }

    /* The configuration asks for it: the same, and no line says why. */
    greeter_folder(dir, sizeof(dir), conf, sizeof(conf), "process", 0);
    r = logged_runtime(conf);
    greet(r);
    assert_false(go_mapped(copy));
    assert_false(logged("runs in a process host"));
    assert_int_equal(facet_runtime_free(r), FACET_OK);
    facet_test_remove_tree(dir);

    /* The configuration forces it in-process: refused, nothing mapped. */
    greeter_folder(dir, sizeof(dir), conf, sizeof(conf), "in-process", 0);
    r = logged_runtime(conf);
    expect_error(facet_create_instance_by_name((void **)&greeter, r, "org.example.greeter.go",
                                               NULL, &IID_IGreeter),
                 FACET_E_CONFLICT, "modules.org.example.greeter.go.isolation", "cannot work",
                 "probe_component_go.so");
    assert_null(greeter);
    assert_false(go_mapped(copy));
    assert_int_equal(facet_runtime_free(r), FACET_OK);
    facet_test_remove_tree(dir);

    /* And the Go of this process still answers. */
    call_go(rt);
}
#endif

/* A Go module is never unloaded, and the unload says so. */
static void test_go_c_host__never_unloaded(void **state)
{
    (void)state;
    expect_error(facet_module_unload(module), FACET_FALSE, "probe_component_go.so",
                 "written in Go", "stays mapped");
    assert_true(go_mapped(component));
    assert_int_equal(facet_runtime_free(rt), FACET_OK);
    assert_true(go_mapped(component));
    /* Loaded again by a new runtime: the same Go. */
    assert_int_equal(facet_runtime_new(&rt, NULL), FACET_OK);
    assert_int_equal(facet_module_load(&module, rt, component), FACET_OK);
    call_go(rt);
    assert_int_equal(facet_runtime_free(rt), FACET_OK);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_go_c_host__signals),
        cmocka_unit_test(test_go_c_host__second_go_runtime),
#ifdef FACET_TEST_GO_GREETER
        cmocka_unit_test(test_go_c_host__second_go_to_process_host),
#endif
        cmocka_unit_test(test_go_c_host__never_unloaded),
    };
    if (argc != 2 && argc != 4) {
        fprintf(stderr, "usage: %s GO-COMPONENT [GO-GREETER PROXY-STUBS]\n", argv[0]);
        return 2;
    }
    component = argv[1];
    if (argc == 4) {
        go_greeter = argv[2];
        greeter_ps = argv[3];
    }
    return cmocka_run_group_tests(tests, NULL, NULL);
}
