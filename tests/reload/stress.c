/*
 * tests/reload/stress.c - the reliability run: while 8 threads create
 * objects and call them in a tight loop (some objects held across many
 * reloads), test.rl is replaced 100 times, good builds alternating with
 * every kind of bad one. No create and no call may fail, every object runs
 * the version that created it to its last call, and nothing leaks (ASan,
 * TSan and valgrind builds run it too). FACET_RELOAD_ROUNDS changes the
 * number of replacements.
 */
#include "rltest.h"

#define THREADS 8
#define HELD 4

#ifdef _WIN32
typedef HANDLE Thread;
#else
typedef pthread_t Thread;
#endif

typedef struct Worker {
    FacetRuntime *rt;
    Thread thread;
    uint64_t creates, calls, failures;
    char first_failure[1024];
} Worker;

static int stop;

static void failed(Worker *w, const char *what)
{
    if (w->failures++ == 0)
        snprintf(w->first_failure, sizeof(w->first_failure), "%s", what);
}

/* Calls p a few times; each must run the code of version v. */
static void use(Worker *w, IReloadProbe *p, const char *v)
{
    uint32_t i, sum = 0;
    const char *now = NULL;
    for (i = 0; i < 8; i++) {
        w->calls++;
        if (FACET_FAILED(IReloadProbe_Add(p, i, 1, &sum)) || sum != i + 1 + (uint32_t)(v[0] - '0'))
            failed(w, "Add gave another version's answer");
        if (FACET_FAILED(IReloadProbe_Version(p, &now)) || strcmp(now, v) != 0)
            failed(w, "an object changed version");
    }
}

#ifdef _WIN32
static DWORD WINAPI work(void *payload)
#else
static void *work(void *payload)
#endif
{
    Worker *w = payload;
    IReloadProbe *held[HELD] = {NULL};
    const char *held_version[HELD] = {NULL};
    uint64_t n = 0;
    int k;
    while (!__atomic_load_n(&stop, __ATOMIC_ACQUIRE)) {
        void *p = NULL;
        const char *v = NULL;
        FacetResult r = facet_create_instance_by_name(&p, w->rt, RL_CONTRACT, NULL,
                                                      &IID_IReloadProbe);
        w->creates++;
        if (FACET_FAILED(r)) {
            char line[1024];
            snprintf(line, sizeof(line), "create: %s", facet_last_error());
            failed(w, line);
            continue;
        }
        if (FACET_FAILED(IReloadProbe_Version((IReloadProbe *)p, &v)))
            failed(w, "Version failed");
        use(w, p, v);
        /* every 32nd object is held for a while, across reloads */
        k = (int)(n++ % (32 * HELD));
        if (k % 32 == 0) {
            k /= 32;
            if (held[k] != NULL) {
                use(w, held[k], held_version[k]);
                IReloadProbe_Release(held[k]);
            }
            held[k] = p;
            held_version[k] = v; /* static in its module, which stays while p lives */
        } else {
            IReloadProbe_Release((IReloadProbe *)p);
        }
    }
    for (k = 0; k < HELD; k++)
        if (held[k] != NULL) {
            use(w, held[k], held_version[k]);
            IReloadProbe_Release(held[k]);
        }
    return 0;
}

static void start(Worker *w)
{
#ifdef _WIN32
    w->thread = CreateThread(NULL, 0, work, w, 0, NULL);
    assert_non_null(w->thread);
#else
    assert_int_equal(pthread_create(&w->thread, NULL, work, w), 0);
#endif
}

static void join(Worker *w)
{
#ifdef _WIN32
    assert_int_equal(WaitForSingleObject(w->thread, INFINITE), WAIT_OBJECT_0);
    CloseHandle(w->thread);
#else
    assert_int_equal(pthread_join(w->thread, NULL), 0);
#endif
}

static void test_reload_stress__replaced_under_load(void **state)
{
    static const char *const good[][2] = {{"rl_v2", "2.0.0"}, {"rl_v3", "3.0.0"},
                                          {"rl_v1", "1.0.0"}};
    char dir[4096];
    FacetRuntime *rt = rl_setup(dir, sizeof(dir));
    Worker workers[THREADS];
    unsigned rounds = 100, i, bad = 0, goods = 0, bads = 0;
    uint64_t calls = 0;
    const size_t kinds = sizeof(rl_bads) / sizeof(rl_bads[0]);
    (void)state;
    if (getenv("FACET_RELOAD_ROUNDS") != NULL)
        rounds = (unsigned)atoi(getenv("FACET_RELOAD_ROUNDS"));
    assert_int_equal(facet_runtime_start(rt), FACET_OK);
    memset(workers, 0, sizeof(workers));
    __atomic_store_n(&stop, 0, __ATOMIC_RELEASE);
    for (i = 0; i < THREADS; i++) {
        workers[i].rt = rt;
        start(&workers[i]);
    }
    for (i = 0; i < rounds; i++) {
        FacetResult r;
        if (i % 2 == 0) {
            rl_put(dir, good[(i / 2) % 3][0], good[(i / 2) % 3][1], (i / 2) % 2);
            r = facet_runtime_reload(rt, "test.rl");
            if (FACET_FAILED(r))
                fail_msg("round %u, good %s: %s", i, good[(i / 2) % 3][1], facet_last_error());
            goods++;
        } else {
            /* every kind but one that needs a dependant */
            if (rl_bads[bad % kinds].put == put_breaks_dependant)
                bad++;
            rl_bads[bad % kinds].put(dir);
            r = facet_runtime_reload(rt, "test.rl");
            if (r != rl_bads[bad % kinds].code)
                fail_msg("round %u, bad (%s): %s: %s", i, rl_bads[bad % kinds].what,
                         facet_result_name(r), facet_last_error());
            bad++;
            bads++;
        }
    }
    rl_sleep_ms(50);
    __atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
    for (i = 0; i < THREADS; i++) {
        join(&workers[i]);
        if (workers[i].failures != 0)
            fail_msg("thread %u: %llu failure(s), the first: %s", i,
                     (unsigned long long)workers[i].failures, workers[i].first_failure);
        assert_true(workers[i].creates > 0);
        calls += workers[i].calls;
    }
    print_message("%u replacements (%u good, %u bad), %llu calls\n", rounds, goods, bads,
                  (unsigned long long)calls);
    assert_int_equal(rl_seen.succeeded, goods);
    assert_int_equal(rl_seen.rolled_back, bads);
    assert_int_equal(facet_runtime_collect(rt), FACET_OK); /* every old version gone */
    assert_int_equal(facet_runtime_free(rt), FACET_OK);
    facet_test_remove_tree(dir);
    assert_no_leaks();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reload_stress__replaced_under_load),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
