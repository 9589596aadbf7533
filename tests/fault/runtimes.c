/*
 * tests/fault/runtimes.c - two runtimes on two threads, each scanning a
 * folder of many classes and reading a config of many aliases, while a
 * third thread fails allocations here and there. Whatever fails, each
 * runtime's tables must hold exactly what its calls said they hold: a scan
 * that returned FACET_OK offers every class, a config that loaded resolves
 * every alias, and nothing is added halfway.
 *
 * Every runtime on every thread adds to uthash tables, which report running
 * out of memory through a flag. When that flag was one variable of the
 * process, one thread cleared it between another's failed add and that
 * thread's look at it: the entry was lost without an error (and TSan
 * reports the race at once).
 */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugtest.h"

#define CLASSES 600u
#define ALIASES 300u
#define ROUNDS 60u

typedef struct Worker {
    int id;
    char dir[4200];
    char config[4300];
    pthread_barrier_t *barrier;
    unsigned ok_scans, ok_configs; /* rounds where everything was there */
    char failure[1024];            /* the first inconsistency seen */
} Worker;

static int stop_injecting;

/* A manifest of CLASSES classes (no library: scanning reads no code), and a
 * config whose aliases name them. */
static void write_folder(Worker *w)
{
    size_t size = 256 + CLASSES * 160 + ALIASES * 64, used;
    char *text = malloc(size);
    unsigned i;
    assert_non_null(text);
    used = (size_t)snprintf(text, size,
                            "{\"name\": \"many.%d\", \"version\": \"1.0.0\", \"library\": "
                            "\"none.so\", \"classes\": [",
                            w->id);
    for (i = 0; i < CLASSES; i++)
        used += (size_t)snprintf(text + used, size - used,
                                 "%s{\"clsid\": \"{7C%06X-0000-4000-8000-%012X}\", \"contract\": "
                                 "\"many.%d.c%u\"}",
                                 i ? ", " : "", i, (unsigned)w->id, w->id, i);
    snprintf(text + used, size - used, "]}");
    plug_write(w->dir, "many.facet.json", text);
    used = (size_t)snprintf(text, size, "{\"plugin_folders\": [\".\"], \"aliases\": {");
    for (i = 0; i < ALIASES; i++)
        used += (size_t)snprintf(text + used, size - used, "%s\"a%u\": \"many.%d.c%u\"",
                                 i ? ", " : "", i, w->id, i);
    snprintf(text + used, size - used, "}}");
    plug_write(w->dir, "facet.conf.json", text);
    snprintf(w->config, sizeof(w->config), "%s/facet.conf.json", w->dir);
    free(text);
}

static void note(Worker *w, const char *fmt, unsigned a, unsigned b)
{
    if (w->failure[0] == '\0')
        snprintf(w->failure, sizeof(w->failure), fmt, a, b);
}

/* How many of the names name a class in rt. */
static unsigned found(FacetRuntime *rt, int id, const char *prefix, unsigned count)
{
    unsigned i, n = 0;
    for (i = 0; i < count; i++) {
        char name[64];
        FacetGuid clsid;
        if (prefix[0] == 'a')
            snprintf(name, sizeof(name), "a%u", i);
        else
            snprintf(name, sizeof(name), "many.%d.c%u", id, i);
        n += facet_class_lookup(&clsid, rt, name) == FACET_OK;
    }
    return n;
}

static void *work(void *payload)
{
    Worker *w = payload;
    unsigned round;
    for (round = 0; round < ROUNDS; round++) {
        FacetRuntime *rt = NULL;
        FacetRuntimeStats st = FACET_RUNTIME_STATS_INIT;
        FacetResult r, rc;
        unsigned classes, names, aliases;
        pthread_barrier_wait(w->barrier);
        while (facet_runtime_new(&rt, NULL) != FACET_OK)
            ;
        /* The config scans the folder too: both tables fill at once. */
        rc = facet_runtime_load_config(NULL, rt, w->config);
        r = rc == FACET_OK || rc == FACET_FALSE ? rc : facet_scan(NULL, rt, w->dir);
        if (facet_runtime_stats(&st, rt) != FACET_OK)
            note(w, "facet_runtime_stats failed (round %u of %u)", round, ROUNDS);
        classes = st.classes;
        names = found(rt, w->id, "many", CLASSES);
        aliases = rc == FACET_OK ? found(rt, w->id, "a", ALIASES) : 0;
        /* Lookups allocate nothing: what they saw is what the tables hold. */
        if (classes != 0 && classes != CLASSES)
            note(w, "%u of %u classes registered", classes, CLASSES);
        else if (names != classes)
            note(w, "%u classes registered, %u found by name", classes, names);
        else if (r == FACET_OK && classes != CLASSES)
            note(w, "the scan succeeded with %u of %u classes", classes, CLASSES);
        else if (rc == FACET_OK && aliases != ALIASES)
            note(w, "the config loaded with %u of %u aliases resolving", aliases, ALIASES);
        w->ok_scans += r == FACET_OK && classes == CLASSES;
        w->ok_configs += rc == FACET_OK && aliases == ALIASES;
        if (facet_runtime_free(rt) != FACET_OK)
            note(w, "facet_runtime_free failed (round %u of %u)", round, ROUNDS);
    }
    return NULL;
}

/* Fails one allocation somewhere among the next few, again and again. */
static void *inject(void *payload)
{
    unsigned seed = 12345;
    (void)payload;
    while (!__atomic_load_n(&stop_injecting, __ATOMIC_ACQUIRE)) {
        seed = seed * 1103515245u + 12345u;
        facet_testing_fail(FACET_FAULT_ALLOC, 1 + (seed >> 16) % 64, 0);
        sched_yield();
    }
    facet_testing_fail(FACET_FAULT_ALLOC, 0, 0);
    return NULL;
}

static void test_fault_runtimes__two_threads_under_allocation_failures(void **state)
{
    Worker w[2];
    pthread_t threads[2], injector;
    pthread_barrier_t barrier;
    char base[4096];
    int i;
    (void)state;
    snprintf(base, sizeof(base), "%s", plug_folder());
    assert_int_equal(pthread_barrier_init(&barrier, NULL, 2), 0);
    for (i = 0; i < 2; i++) {
        memset(&w[i], 0, sizeof(w[i]));
        w[i].id = i;
        w[i].barrier = &barrier;
        plug_subfolder(w[i].dir, sizeof(w[i].dir), base, i ? "b" : "a");
        write_folder(&w[i]);
    }
    /* Without injection, both runtimes get everything: the positive control. */
    for (i = 0; i < 2; i++) {
        FacetRuntime *rt;
        assert_int_equal(facet_runtime_new(&rt, NULL), FACET_OK);
        assert_int_equal(facet_runtime_load_config(NULL, rt, w[i].config), FACET_OK);
        assert_int_equal(found(rt, i, "many", CLASSES), CLASSES);
        assert_int_equal(found(rt, i, "a", ALIASES), ALIASES);
        assert_int_equal(facet_runtime_free(rt), FACET_OK);
    }

    stop_injecting = 0;
    assert_int_equal(pthread_create(&injector, NULL, inject, NULL), 0);
    for (i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&threads[i], NULL, work, &w[i]), 0);
    for (i = 0; i < 2; i++)
        assert_int_equal(pthread_join(threads[i], NULL), 0);
    __atomic_store_n(&stop_injecting, 1, __ATOMIC_RELEASE);
    assert_int_equal(pthread_join(injector, NULL), 0);
    pthread_barrier_destroy(&barrier);

    for (i = 0; i < 2; i++) {
        if (w[i].failure[0] != '\0')
            fail_msg("runtime %d: %s", i, w[i].failure);
        print_message("runtime %d: %u of %u scans and %u configs complete despite the faults\n", i,
                      w[i].ok_scans, ROUNDS, w[i].ok_configs);
    }
    facet_test_remove_tree(base);
    assert_no_leaks();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fault_runtimes__two_threads_under_allocation_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
