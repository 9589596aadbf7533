/*
 * tests/core/shared.c - two runtimes of one process load one module file.
 * Each gets a module of its own (the second a private copy), so a module
 * that keeps its host object in a global (as facet/module.h does) talks to
 * its own runtime only: its log lines go to that runtime, its objects count
 * for that runtime's CanUnload, and either runtime may go first. (A module
 * written in Go is never copied: tests/core/go.c.)
 */
#define _GNU_SOURCE 1
#include <pthread.h>
#include <string.h>
#ifndef _WIN32
#include <dlfcn.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#endif

#include "plugtest.h"

/* ---- A log sink per runtime -------------------------------------------- */

typedef struct Sink {
    pthread_mutex_t lock;
    char text[8192];
    int lines;
} Sink;

static void sink_log(uint32_t level, const char *module, const char *message, void *payload)
{
    Sink *s = payload;
    size_t used;
    (void)level;
    pthread_mutex_lock(&s->lock);
    used = strlen(s->text);
    snprintf(s->text + used, sizeof(s->text) - used, "[%s] %s\n", module, message);
    s->lines++;
    pthread_mutex_unlock(&s->lock);
}

static FacetRuntime *runtime_with(Sink *s)
{
    FacetRuntime *rt;
    FacetRuntimeOptions opts = FACET_RUNTIME_OPTIONS_INIT;
    memset(s, 0, sizeof(*s));
    pthread_mutex_init(&s->lock, NULL);
    opts.log = sink_log;
    opts.log_payload = s;
    assert_int_equal(facet_runtime_new(&rt, &opts), FACET_OK);
    return rt;
}

static int sink_has(Sink *s, const char *text)
{
    int has;
    pthread_mutex_lock(&s->lock);
    has = strstr(s->text, text) != NULL;
    pthread_mutex_unlock(&s->lock);
    return has;
}

/* The object logs text through the logger its module was handed. */
static FacetResult module_logs(ITestProbe *p, const char *text)
{
    IFacetUnknown *u = NULL;
    IFacetLogger *logger = NULL;
    FacetResult r = ITestProbe_Probe(p, &IID_IFacetLogger, &u);
    if (FACET_SUCCEEDED(r)) {
        r = IFacetUnknown_QueryInterface(u, &IID_IFacetLogger, (void **)&logger);
        IFacetUnknown_Release(u);
    }
    if (FACET_SUCCEEDED(r)) {
        r = IFacetLogger_Log(logger, FACET_LOG_WARN, text);
        IFacetLogger_Release(logger);
    }
    return r;
}

static ITestProbe *thing(FacetRuntime *rt)
{
    ITestProbe *p = NULL;
    FacetResult r = facet_create_instance_by_name((void **)&p, rt, "test.a.thing", NULL,
                                                  &IID_ITestProbe);
    if (r != FACET_OK)
        fail_msg("create test.a.thing: %s", facet_last_error());
    return p;
}

/* ---- Each runtime its own module --------------------------------------- */

static void test_core_shared__each_runtime_its_own_host(void **state)
{
    Sink sa, sb;
    FacetRuntime *a = runtime_with(&sa), *b = runtime_with(&sb);
    FacetModule *ma, *mb;
    ITestProbe *pa, *pb;
    (void)state;
    assert_int_equal(facet_module_load(&ma, a, facet_test_module("plug_a")), FACET_OK);
    assert_int_equal(facet_module_load(&mb, b, facet_test_module("plug_a")), FACET_OK);
    /* Both say the file the host named, not a copy. */
    assert_string_equal(facet_module_path(ma), facet_module_path(mb));
    pa = thing(a);
    pb = thing(b);
    assert_int_equal(module_logs(pa, "from a's object"), FACET_OK);
    assert_int_equal(module_logs(pb, "from b's object"), FACET_OK);
    assert_true(sink_has(&sa, "[test.a] from a's object"));
    assert_true(sink_has(&sb, "[test.a] from b's object"));
    assert_false(sink_has(&sa, "from b's object"));
    assert_false(sink_has(&sb, "from a's object"));

    /* A's live object does not keep B's module: it has code of its own. */
    ITestProbe_Release(pb);
    assert_int_equal(facet_module_unload(mb), FACET_OK);
    assert_int_equal(module_logs(pa, "a again"), FACET_OK);
    assert_true(sink_has(&sa, "a again"));
    ITestProbe_Release(pa);
    assert_int_equal(facet_module_unload(ma), FACET_OK);
    assert_int_equal(facet_runtime_free(a), FACET_OK);
    assert_int_equal(facet_runtime_free(b), FACET_OK);
    assert_no_leaks();
}

/* Either runtime may go first; the other's module still logs to its own. */
static void lifetimes(int a_first)
{
    Sink sa, sb;
    FacetRuntime *a = runtime_with(&sa), *b = runtime_with(&sb);
    FacetModule *ma, *mb;
    ITestProbe *pa, *pb;
    assert_int_equal(facet_module_load(&ma, a, facet_test_module("plug_a")), FACET_OK);
    assert_int_equal(facet_module_load(&mb, b, facet_test_module("plug_a")), FACET_OK);
    pa = thing(a);
    pb = thing(b);
    if (a_first) {
        ITestProbe_Release(pa);
        assert_int_equal(facet_module_unload(ma), FACET_OK);
        assert_int_equal(facet_runtime_free(a), FACET_OK);
        assert_int_equal(module_logs(pb, "b outlived a"), FACET_OK);
        assert_true(sink_has(&sb, "b outlived a"));
        ITestProbe_Release(pb);
        assert_int_equal(facet_module_unload(mb), FACET_OK);
        assert_int_equal(facet_runtime_free(b), FACET_OK);
    } else {
        ITestProbe_Release(pb);
        assert_int_equal(facet_module_unload(mb), FACET_OK);
        assert_int_equal(facet_runtime_free(b), FACET_OK);
        assert_int_equal(module_logs(pa, "a outlived b"), FACET_OK);
        assert_true(sink_has(&sa, "a outlived b"));
        ITestProbe_Release(pa);
        assert_int_equal(facet_module_unload(ma), FACET_OK);
        assert_int_equal(facet_runtime_free(a), FACET_OK);
    }
    assert_no_leaks();
}

static void test_core_shared__first_loaded_goes_first(void **state)
{
    (void)state;
    lifetimes(1);
}

static void test_core_shared__second_loaded_goes_first(void **state)
{
    (void)state;
    lifetimes(0);
}

/* ---- Two threads, a runtime each, one module file ---------------------- */

#define ROUNDS 150

typedef struct Worker {
    const char *path; /* facet_test_module's buffer is not the threads' */
    int id;
    int failures;
    char failure[512];
} Worker;

static void *worker(void *arg)
{
    Worker *w = arg;
    int i;
    for (i = 0; i < ROUNDS; i++) {
        Sink s;
        FacetRuntime *rt = runtime_with(&s);
        FacetModule *m;
        ITestProbe *p = NULL;
        char line[64];
        const char *what = "load";
        snprintf(line, sizeof(line), "worker %d round %d", w->id, i);
        if (facet_module_load(&m, rt, w->path) == FACET_OK) {
            what = "create";
            if (facet_create_instance_by_name((void **)&p, rt, "test.a.thing", NULL,
                                              &IID_ITestProbe) == FACET_OK) {
                what = "log";
                if (module_logs(p, line) == FACET_OK && sink_has(&s, line) && s.lines == 1)
                    what = NULL;
                ITestProbe_Release(p);
            }
            if (facet_module_unload(m) != FACET_OK && what == NULL)
                what = "unload";
        }
        if (facet_runtime_free(rt) != FACET_OK && what == NULL)
            what = "free";
        if (what != NULL && w->failures++ == 0)
            snprintf(w->failure, sizeof(w->failure), "round %d: %s: %s", i, what,
                     facet_last_error());
        pthread_mutex_destroy(&s.lock);
    }
    return NULL;
}

static void test_core_shared__two_threads(void **state)
{
    Worker w[2];
    pthread_t t[2];
    char path[4096];
    int i;
    (void)state;
    memset(w, 0, sizeof(w));
    snprintf(path, sizeof(path), "%s", facet_test_module("plug_a"));
    for (i = 0; i < 2; i++) {
        w[i].path = path;
        w[i].id = i;
        assert_int_equal(pthread_create(&t[i], NULL, worker, &w[i]), 0);
    }
    for (i = 0; i < 2; i++) {
        pthread_join(t[i], NULL);
        if (w[i].failures)
            fail_msg("worker %d: %d failure(s), the first at %s", i, w[i].failures,
                     w[i].failure);
    }
    assert_no_leaks();
}

/* ---- The copy ---------------------------------------------------------- */

#ifndef _WIN32
/* The file the code of factory's module was mapped from. */
static const char *mapped_from(FacetModule *m)
{
    static char path[PATH_MAX];
    IFacetFactory *f = NULL;
    Dl_info info;
    void *fn;
    assert_int_equal(facet_module_factory(&f, m), FACET_OK);
    memcpy(&fn, &f->lpVtbl->CreateInstance, sizeof(fn));
    assert_int_not_equal(dladdr(fn, &info), 0);
    snprintf(path, sizeof(path), "%s", info.dli_fname);
    IFacetFactory_Release(f);
    return path;
}

static void test_core_shared__the_copy(void **state)
{
    FacetRuntime *a, *b;
    FacetModule *ma, *mb;
    char original[PATH_MAX], copy[PATH_MAX];
    const char *base;
    (void)state;
    assert_non_null(realpath(facet_test_module("plug_a"), original));
    assert_int_equal(facet_runtime_new(&a, NULL), FACET_OK);
    assert_int_equal(facet_runtime_new(&b, NULL), FACET_OK);
    assert_int_equal(facet_module_load(&ma, a, facet_test_module("plug_a")), FACET_OK);
    assert_int_equal(facet_module_load(&mb, b, facet_test_module("plug_a")), FACET_OK);
    /* The first maps the file itself. */
    assert_string_equal(mapped_from(ma), original);
    /* The second a copy under the same name, removed once mapped. */
    snprintf(copy, sizeof(copy), "%s", mapped_from(mb));
    assert_string_not_equal(copy, original);
    base = strrchr(copy, '/');
    assert_non_null(base);
    assert_string_equal(base, "/plug_a.so");
    assert_int_not_equal(access(copy, F_OK), 0);
    assert_string_equal(facet_module_path(mb), original);
    assert_int_equal(facet_module_unload(ma), FACET_OK);
    assert_int_equal(facet_module_unload(mb), FACET_OK);
    /* With a's gone, the file is free again: b maps the file itself. */
    assert_int_equal(facet_module_load(&mb, b, facet_test_module("plug_a")), FACET_OK);
    assert_string_equal(mapped_from(mb), original);
    assert_int_equal(facet_module_unload(mb), FACET_OK);
    assert_int_equal(facet_runtime_free(a), FACET_OK);
    assert_int_equal(facet_runtime_free(b), FACET_OK);
    assert_no_leaks();
}

/* The process's folder of copies goes when the process exits. A child
 * process makes one and says where; then it is gone. */
static void test_core_shared__copies_go_at_exit(void **state)
{
    int fds[2], status = 0;
    char folder[PATH_MAX] = "";
    ssize_t n;
    pid_t pid;
    (void)state;
    assert_int_equal(pipe(fds), 0);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        FacetRuntime *a, *b;
        FacetModule *ma, *mb;
        char *slash;
        close(fds[0]);
        if (facet_runtime_new(&a, NULL) != FACET_OK || facet_runtime_new(&b, NULL) != FACET_OK ||
            facet_module_load(&ma, a, facet_test_module("plug_a")) != FACET_OK ||
            facet_module_load(&mb, b, facet_test_module("plug_a")) != FACET_OK)
            _exit(1);
        snprintf(folder, sizeof(folder), "%s", mapped_from(mb));
        /* .../facet-XXXXXX/N/plug_a.so: the process's folder is two up */
        if ((slash = strrchr(folder, '/')) != NULL)
            *slash = '\0';
        if ((slash = strrchr(folder, '/')) != NULL)
            *slash = '\0';
        if (access(folder, F_OK) != 0 || write(fds[1], folder, strlen(folder)) < 0)
            _exit(2);
        facet_runtime_free(a);
        facet_runtime_free(b);
        exit(0);
    }
    close(fds[1]);
    n = read(fds[0], folder, sizeof(folder) - 1);
    close(fds[0]);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    assert_true(n > 0);
    folder[n] = '\0';
    assert_non_null(strstr(folder, "/facet-"));
    assert_int_not_equal(access(folder, F_OK), 0);
    /* The child left this process's own folder alone. */
    test_core_shared__the_copy(state);
}
#endif

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_core_shared__each_runtime_its_own_host),
        cmocka_unit_test(test_core_shared__first_loaded_goes_first),
        cmocka_unit_test(test_core_shared__second_loaded_goes_first),
        cmocka_unit_test(test_core_shared__two_threads),
#ifndef _WIN32
        cmocka_unit_test(test_core_shared__the_copy),
        cmocka_unit_test(test_core_shared__copies_go_at_exit),
#endif
    };
    return cmocka_run_group_tests_name("core/shared", tests, NULL, NULL);
}
