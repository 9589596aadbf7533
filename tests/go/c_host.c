/*
 * tests/go/c_host.c - a C host with a real Go component (a library built by
 * go build -buildmode=c-shared, tests/go/probe_component): the host keeps
 * its own signals, a second Go module is refused with both named, and the
 * Go module is never unmapped.
 *
 * The Go runtime starts when the library is mapped and stays for the
 * process, so the cases run in order in one process.
 *
 *   test_go_c_host GO-COMPONENT
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

static const char *component;

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
        cmocka_unit_test(test_go_c_host__never_unloaded),
    };
    if (argc != 2) {
        fprintf(stderr, "usage: %s GO-COMPONENT\n", argv[0]);
        return 2;
    }
    component = argv[1];
    return cmocka_run_group_tests(tests, NULL, NULL);
}
