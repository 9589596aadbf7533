/*
 * isolation.c - process isolation through the runtime: a module whose
 * manifest says "isolation": "process" (tests/isolation/victim.c) created
 * by name runs in facet-host, and the same test bodies give the same
 * results in this process (the configuration's "isolation": "in-process")
 * and in the child. Then the child dies, each way, at each point, and the
 * host goes on: the call in flight returns FACET_E_CRASHED (FACET_E_TIMEOUT
 * past call_timeout_ms), later calls FACET_E_DISCONNECTED, the log callback
 * names the cause, and the next create starts a new child as "restart"
 * says. Killing the host with SIGKILL leaves no child behind.
 *
 * On Windows (the MinGW build, run under Wine) the same tests run, with
 * what Windows has in place of signals and /proc: a crash is an access
 * violation, a kill is TerminateProcess (the process ends with the code it
 * is given), a hang is every thread of the child suspended, and the
 * process's handles, threads and children are counted through the system.
 *
 * FACET_TEST_PLUGINS names the folder of the module and its manifest,
 * FACET_TEST_PROXY_STUBS the library of its proxies and stubs.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#ifdef _WIN32
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>
#include <aclapi.h>
#include <tlhelp32.h>
#else
#include <dirent.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#endif

#include <cmocka.h>

#include <facet/facet.h>
#include <facet/proxystub.h>

#include "marshal_objects.h"
#include "support.h"
#include "victim.h"

void *marshal_alloc(size_t size)
{
    return malloc(size);
}

void marshal_free(void *p)
{
    free(p);
}

static char folder[4096];
static char self_path[4096]; /* this program, for test_host_killed's host */

/* What the log says of each death: the cause as the system reports it. */
#ifdef _WIN32
#define CAUSE_SEGV "access violation"
#define CAUSE_ABORT "exited with status 3" /* the C runtime's abort() */
#define CAUSE_KILL "exited with status 9"  /* TerminateProcess(process, 9), from here */
#else
#define CAUSE_SEGV "SIGSEGV"
#define CAUSE_ABORT "SIGABRT"
#define CAUSE_KILL "SIGKILL"
#endif

/* ---- The log: what the runtime said ---------------------------------------- */

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static char log_text[16384];

static void on_log(uint32_t level, const char *module, const char *message, void *payload)
{
    size_t n;
    (void)payload;
    (void)level;
    pthread_mutex_lock(&log_lock);
    n = strlen(log_text);
    if (n + 512 < sizeof(log_text))
        snprintf(log_text + n, sizeof(log_text) - n, "%s: %s\n", module ? module : "-", message);
    pthread_mutex_unlock(&log_lock);
}

static void log_clear(void)
{
    pthread_mutex_lock(&log_lock);
    log_text[0] = '\0';
    pthread_mutex_unlock(&log_lock);
}

/* Waits up to 2 s for text in the log. */
static int log_has(const char *text)
{
    int i, found = 0;
    for (i = 0; i < 200 && !found; i++) {
        pthread_mutex_lock(&log_lock);
        found = strstr(log_text, text) != NULL;
        pthread_mutex_unlock(&log_lock);
        if (!found)
            usleep(10000);
    }
    if (!found)
        print_message("log so far:\n%s", log_text);
    return found;
}

/* ---- Runtimes ------------------------------------------------------------- */

/* A runtime over the test's plugin folder, with modules.test.isolation as
 * module_json says (NULL: no entry). */
static FacetRuntime *runtime_with(const char *module_json)
{
    char path[4200], text[8192];
    FacetRuntime *rt = NULL;
    FILE *f;
    FacetRuntimeOptions opts = FACET_RUNTIME_OPTIONS_INIT;
    snprintf(path, sizeof(path), "%s/../isolation-%ld.conf.json", folder, (long)getpid());
    snprintf(text, sizeof(text), "{\"plugin_folders\": [\"%s\"]%s%s%s}", folder,
             module_json ? ", \"modules\": {\"test.isolation\": " : "",
             module_json ? module_json : "", module_json ? "}" : "");
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    opts.log_level = FACET_LOG_DEBUG;
    opts.log = on_log;
    opts.scan_index = "";
    assert_int_equal(facet_runtime_new(&rt, &opts), FACET_OK);
    assert_int_equal(facet_runtime_load_config(NULL, rt, path), FACET_OK);
    unlink(path);
    return rt;
}

static IVictim *victim(FacetRuntime *rt)
{
    IVictim *v = NULL;
    FacetResult r = facet_create_instance_by_name((void **)&v, rt, "test.isolation.victim", NULL,
                                                  &IID_IVictim);
    if (r != FACET_OK)
        print_message("create: %s: %s\n", facet_result_name(r), facet_last_error());
    assert_int_equal(r, FACET_OK);
    assert_non_null(v);
    return v;
}

static uint32_t pid_of(IVictim *v)
{
    uint32_t pid = 0;
    assert_int_equal(IVictim_Pid(v, &pid), FACET_OK);
    assert_true(pid != 0);
    return pid;
}

/* ---- Processes: alive, killed, stopped --------------------------------------- */

#ifdef _WIN32

static int alive(uint32_t pid)
{
    HANDLE h = OpenProcess(SYNCHRONIZE, FALSE, pid);
    int running;
    if (h == NULL)
        return 0;
    running = WaitForSingleObject(h, 0) == WAIT_TIMEOUT;
    CloseHandle(h);
    return running;
}

/* 1 when pid was killed. */
static int kill_pid(uint32_t pid)
{
    HANDLE h = OpenProcess(PROCESS_TERMINATE, FALSE, pid);
    int done;
    if (h == NULL)
        return 0;
    done = TerminateProcess(h, 9) != 0;
    CloseHandle(h);
    return done;
}

/* Suspends (suspend) or looks at (!suspend) every thread of pid; 1 when
 * each one is suspended (after it, for suspend). */
static int threads_suspended(uint32_t pid, int suspend)
{
    HANDLE snap = CreateToolhelp32Snapshot(TH32CS_SNAPTHREAD, 0);
    THREADENTRY32 te;
    int seen = 0, all = 1;
    if (snap == INVALID_HANDLE_VALUE)
        return 0;
    te.dwSize = sizeof(te);
    if (Thread32First(snap, &te)) {
        do {
            HANDLE t;
            DWORD before;
            if (te.th32OwnerProcessID != pid)
                continue;
            t = OpenThread(THREAD_SUSPEND_RESUME, FALSE, te.th32ThreadID);
            if (t == NULL)
                continue;
            seen++;
            before = SuspendThread(t);
            if (before == (DWORD)-1 || (!suspend && before == 0))
                all = 0;
            if (!suspend && before != (DWORD)-1)
                ResumeThread(t);
            CloseHandle(t);
        } while (Thread32Next(snap, &te));
    }
    CloseHandle(snap);
    return seen > 0 && all;
}

static void stop_pid(uint32_t pid)
{
    assert_true(threads_suspended(pid, 1));
}

/* After the host killed a stopped child: Wine ends a process only once
 * its threads run again (Windows needs no such help), so they are resumed;
 * a process already gone has none. */
static void unstop_pid(uint32_t pid)
{
    HANDLE snap = CreateToolhelp32Snapshot(TH32CS_SNAPTHREAD, 0);
    THREADENTRY32 te;
    if (snap == INVALID_HANDLE_VALUE)
        return;
    te.dwSize = sizeof(te);
    if (Thread32First(snap, &te))
        do {
            HANDLE t;
            if (te.th32OwnerProcessID != pid)
                continue;
            t = OpenThread(THREAD_SUSPEND_RESUME, FALSE, te.th32ThreadID);
            if (t != NULL) {
                ResumeThread(t);
                CloseHandle(t);
            }
        } while (Thread32Next(snap, &te));
    CloseHandle(snap);
}

static int stopped(uint32_t pid)
{
    return threads_suspended(pid, 0);
}

#else

/* The state of pid in /proc ('R', 'S', 'T' for stopped, 'Z'...), 0 if none. */
static char state_of(uint32_t pid)
{
    char path[64], state = 0;
    FILE *f;
    snprintf(path, sizeof(path), "/proc/%u/stat", (unsigned)pid);
    f = fopen(path, "r");
    if (f == NULL)
        return 0;
    if (fscanf(f, "%*d %*s %c", &state) != 1)
        state = 0;
    fclose(f);
    return state;
}

static int alive(uint32_t pid)
{
    char state = state_of(pid);
    return state != 0 && state != 'Z' && state != 'X';
}

/* 1 when pid was killed. */
static int kill_pid(uint32_t pid)
{
    return kill((pid_t)pid, SIGKILL) == 0;
}

static void stop_pid(uint32_t pid)
{
    assert_int_equal(kill((pid_t)pid, SIGSTOP), 0);
}

static int stopped(uint32_t pid)
{
    return state_of(pid) == 'T';
}

static void unstop_pid(uint32_t pid)
{
    (void)pid; /* SIGKILL ends a stopped process */
}

#endif

/* Waits up to ms for pid to be gone. */
static int gone_within(uint32_t pid, int ms)
{
    int waited;
    for (waited = 0; waited <= ms; waited += 10) {
        if (!alive(pid))
            return 1;
        usleep(10000);
    }
    return 0;
}

/* ---- Same bodies, both places ------------------------------------------------- */

static void test_same_results_both_ways(void **state)
{
    FacetRuntime *out_rt, *in_rt;
    IMarshalTest *remote = NULL, *local = NULL;
    IVictim *v_out, *v_in;
    (void)state;
    out_rt = runtime_with(NULL);                            /* the manifest: process */
    in_rt = runtime_with("{\"isolation\": \"in-process\"}"); /* the host overrides it */
    v_out = victim(out_rt);
    v_in = victim(in_rt);
    /* where each runs: the negative check and its positive control */
    assert_true(pid_of(v_out) != (uint32_t)getpid());
    assert_int_equal(pid_of(v_in), (uint32_t)getpid());
    assert_int_equal(facet_create_instance_by_name((void **)&remote, out_rt,
                                                   "test.isolation.marshal", NULL,
                                                   &IID_IMarshalTest),
                     FACET_OK);
    assert_int_equal(facet_create_instance_by_name((void **)&local, in_rt,
                                                   "test.isolation.marshal", NULL,
                                                   &IID_IMarshalTest),
                     FACET_OK);
    marshal_check_values(local);
    marshal_check_values(remote);
    IMarshalTest_Release(remote);
    IMarshalTest_Release(local);
    IVictim_Release(v_out);
    IVictim_Release(v_in);
    facet_runtime_free(out_rt);
    facet_runtime_free(in_rt);
}

/* The configuration turns a module process-isolated too. */
static void test_config_turns_isolation_on(void **state)
{
    FacetRuntime *rt = runtime_with("{\"isolation\": \"process\"}");
    IVictim *v;
    (void)state;
    v = victim(rt);
    assert_true(pid_of(v) != (uint32_t)getpid());
    IVictim_Release(v);
    facet_runtime_free(rt);
}

static void test_no_aggregation(void **state)
{
    FacetRuntime *rt = runtime_with(NULL);
    IFacetUnknown *inner = NULL;
    IVictim *v;
    (void)state;
    v = victim(rt); /* positive control: the class can be made */
    assert_int_equal(facet_create_instance_by_name((void **)&inner, rt, "test.isolation.victim",
                                                   (IFacetUnknown *)v, &IID_IFacetUnknown),
                     FACET_E_NOAGGREGATION);
    assert_null(inner);
    assert_non_null(strstr(facet_last_error(), "aggregated"));
    IVictim_Release(v);
    facet_runtime_free(rt);
}

/* ---- Counting what a process holds ------------------------------------------------ */

#ifdef _WIN32

static int count_fds(void)
{
    DWORD n = 0;
    assert_true(GetProcessHandleCount(GetCurrentProcess(), &n));
    return (int)n;
}

/* Whether pid, whose parent id is this process's, is a child of this
 * process. Ids are reused: a process whose parent ended before this one
 * started, with the id this one has now, was made before this one was. */
static int is_child(DWORD pid)
{
    FILETIME mine, theirs, unused[3];
    HANDLE h = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, pid);
    int child;
    if (h == NULL)
        return 1; /* gone meanwhile, or not ours to ask: counted, so never hidden */
    child = !GetProcessTimes(h, &theirs, &unused[0], &unused[1], &unused[2]) ||
            !GetProcessTimes(GetCurrentProcess(), &mine, &unused[0], &unused[1], &unused[2]) ||
            CompareFileTime(&theirs, &mine) >= 0;
    CloseHandle(h);
    return child;
}

/* Threads of this process, or processes whose parent it is. */
static int count_snapshot(DWORD what)
{
    HANDLE snap = CreateToolhelp32Snapshot(what, 0);
    DWORD self = GetCurrentProcessId();
    int n = 0;
    assert_true(snap != INVALID_HANDLE_VALUE);
    if (what == TH32CS_SNAPTHREAD) {
        THREADENTRY32 te;
        te.dwSize = sizeof(te);
        if (Thread32First(snap, &te))
            do
                n += te.th32OwnerProcessID == self;
            while (Thread32Next(snap, &te));
    } else {
        PROCESSENTRY32 pe;
        pe.dwSize = sizeof(pe);
        if (Process32First(snap, &pe))
            do
                n += pe.th32ParentProcessID == self && is_child(pe.th32ProcessID);
            while (Process32Next(snap, &pe));
    }
    CloseHandle(snap);
    return n;
}

static int count_threads(void)
{
    return count_snapshot(TH32CS_SNAPTHREAD);
}

static int count_children(void)
{
    return count_snapshot(TH32CS_SNAPPROCESS);
}

#else

/* Entries of a folder of /proc/self: descriptors, threads. */
static int count_entries(const char *path)
{
    DIR *d = opendir(path);
    struct dirent *e;
    int n = 0;
    assert_non_null(d);
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] != '.')
            n++;
    closedir(d);
    return n;
}

static int count_fds(void)
{
    return count_entries("/proc/self/fd");
}

static int count_threads(void)
{
    return count_entries("/proc/self/task");
}

/* Children of this process, zombies included. */
static int count_children(void)
{
    char path[64], buf[4096];
    FILE *f;
    int n = 0;
    snprintf(path, sizeof(path), "/proc/self/task/%ld/children", (long)getpid());
    f = fopen(path, "r");
    if (f == NULL)
        return -1;
    while (fscanf(f, "%4095s", buf) == 1)
        n++;
    fclose(f);
    return n;
}

#endif

/* How long the counts get to settle. On Windows the host hears of the
 * child's end on a thread of the system's thread pool, whose idle workers
 * end a while later (5 s in Wine), not when the work is done. */
#ifdef _WIN32
#define SETTLE_MS 10000
#else
#define SETTLE_MS 1000
#endif

/* Nothing left of what a test started: no descriptor (handle), no
 * thread, no child, no zombie. A thread that is ending may hold a handle
 * a moment longer, so the counts get SETTLE_MS to settle; a leak never
 * does. */
static void assert_nothing_left(int fds, int threads, int children)
{
    int i;
#ifdef _WIN32
    /* The system's thread pool also ends idle workers (and their handles)
     * that were there when the test began: a leak is more, never fewer. */
#define LEFT(now, before) ((now) > (before))
#else
#define LEFT(now, before) ((now) != (before))
#endif
    for (i = 0; i < SETTLE_MS / 10 && (LEFT(count_fds(), fds) || LEFT(count_threads(), threads) ||
                                       count_children() != children);
         i++)
        usleep(10000);
#ifdef _WIN32
    assert_in_range(count_fds(), 0, fds);
    assert_in_range(count_threads(), 1, threads);
#else
    assert_int_equal(count_fds(), fds);
    assert_int_equal(count_threads(), threads);
#endif
#undef LEFT
    assert_int_equal(count_children(), children);
}

/* The children of this process still there after up to ms milliseconds
 * (of reaping those that end, on Linux). */
static int children_after(int ms)
{
    int waited;
    for (waited = 0; waited < ms && count_children() != 0; waited += 10) {
#ifndef _WIN32
        while (waitpid(-1, NULL, WNOHANG) > 0)
            ;
#endif
        if (count_children() != 0)
            usleep(10000);
    }
    return count_children();
}

/* ---- Deaths: every point, each way -------------------------------------------------- */

typedef enum Point {
    BEFORE_FIRST_CALL, /* the object was made, and never called */
    DURING_CALL,
    DURING_CALLBACK, /* while the host runs the child's call into it */
    BETWEEN_CALLS,
} Point;

static const char *const point_names[] = {"before the first call", "during a call",
                                          "during a callback into the host", "between calls"};

/* What this process does to the child. */
#define FROM_HERE_KILL 1 /* SIGKILL; TerminateProcess on Windows */
#define FROM_HERE_STOP 2 /* SIGSTOP; every thread suspended on Windows: a hang */

typedef struct Way {
    const char *name;
    uint32_t how;      /* VICTIM_*: the child does it itself; 0: see from_here */
    int from_here;     /* FROM_HERE_*, or 0 */
    uint32_t timeout;  /* the module's call_timeout_ms */
    const char *cause; /* in the log; NULL: the child lives */
} Way;

#define DEATH_TIMEOUT_MS 200u

static const Way ways[] = {
    /* the positive control: the same steps, and nobody dies */
    {"no death", 0, 0, DEATH_TIMEOUT_MS, NULL},
    {"segfault", VICTIM_SEGV, 0, 0, CAUSE_SEGV},
    {"abort", VICTIM_ABORT, 0, 0, CAUSE_ABORT},
    {"exit", VICTIM_EXIT, 0, 0, "exited with status 3"},
    {"kill -9", 0, FROM_HERE_KILL, 0, CAUSE_KILL},
    {"timeout", 0, FROM_HERE_STOP, DEATH_TIMEOUT_MS, "call_timeout_ms"},
};

/* How long after the call that arms it a death in the child comes: long
 * enough for that call's reply to get back first. */
#define DOOM_MS 30u

/* The result the call at point p gets when the child dies w's way. */
static FacetResult expected(const Way *w, Point p)
{
    if (w->cause == NULL)
        return FACET_OK;
    if (w->timeout != 0)
        return FACET_E_TIMEOUT; /* the call that found the child hung */
    if (p == DURING_CALL || p == DURING_CALLBACK)
        return FACET_E_CRASHED; /* the call in flight */
    return FACET_E_DISCONNECTED; /* no call was in flight */
}

/* Sets w's death going in the child of pid, through via (an object there). */
static void doom(const Way *w, IVictim *via, uint32_t pid)
{
    if (w->how != 0)
        assert_int_equal(IVictim_Arm(via, w->how, DOOM_MS), FACET_OK);
    else if (w->from_here == FROM_HERE_KILL)
        assert_true(kill_pid(pid));
    else if (w->from_here == FROM_HERE_STOP)
        stop_pid(pid);
}

/* Waits until a death that does not need a call has come: the child is
 * gone and the host has heard it. A hang (the child stopped) is only seen
 * by a call. */
static void await_death(const Way *w, uint32_t pid)
{
    int i;
    if (w->cause == NULL)
        return;
    if (w->timeout != 0) {
        for (i = 0; i < 200 && !stopped(pid); i++)
            usleep(10000);
        assert_true(stopped(pid));
        return;
    }
    assert_true(gone_within(pid, 2000));
    assert_true(log_has(w->cause));
}

typedef struct Killer {
    pthread_t thread;
    uint32_t pid;
    int ms;
} Killer;

static void *kill_later(void *arg)
{
    Killer *k = arg;
    usleep((useconds_t)k->ms * 1000);
    kill_pid(k->pid);
    return NULL;
}

/* The host's side of IVictim_CallBack: counts its calls, and with a way
 * set, has the child die while it runs, through a call back into the child
 * (re-entrancy) or a signal. */
typedef struct DoomCallback {
    IMarshalCallback itf;
    uint32_t refs;
    const Way *way; /* NULL: just count */
    IVictim *victim;
    uint32_t pid;
    int calls;
} DoomCallback;

static FacetResult FACET_CALL dc_query(IMarshalCallback *self, const FacetGuid *iid, void **out)
{
    if (FacetGuidEqual(iid, &IID_IMarshalCallback) || FacetGuidEqual(iid, &IID_IFacetUnknown)) {
        self->lpVtbl->AddRef(self);
        *out = self;
        return FACET_OK;
    }
    *out = NULL;
    return FACET_E_NOINTERFACE;
}
static uint32_t FACET_CALL dc_addref(IMarshalCallback *self)
{
    return __atomic_add_fetch(&((DoomCallback *)self)->refs, 1u, __ATOMIC_ACQ_REL);
}
static uint32_t FACET_CALL dc_release(IMarshalCallback *self)
{
    return __atomic_sub_fetch(&((DoomCallback *)self)->refs, 1u, __ATOMIC_ACQ_REL);
}
static FacetResult FACET_CALL dc_notify(IMarshalCallback *self, int32_t value, const char *text)
{
    DoomCallback *k = (DoomCallback *)self;
    (void)text;
    (void)value;
    k->calls++;
    if (k->way != NULL) {
        doom(k->way, k->victim, k->pid);
        await_death(k->way, k->pid); /* the child dies before this returns */
    }
    return FACET_OK;
}
static const IMarshalCallbackVtbl dc_vtbl = {dc_query, dc_addref, dc_release, dc_notify};

static uint64_t now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000u + (uint64_t)t.tv_nsec / 1000000u;
}

/* A call on the proxy of a dead child answers at once. */
#define AT_ONCE_MS 100u

/* One case: the child of a new runtime dies w's way at p, and the host goes
 * on; then nothing of it is left in this process. */
static void death_case(const Way *w, Point p)
{
    char config[64] = "{}";
    int fds = count_fds(), threads = count_threads(), children = count_children(), i;
    FacetRuntime *rt;
    IVictim *v, *other = NULL, *next;
    DoomCallback cb = {{&dc_vtbl}, 1, NULL, NULL, 0, 0};
    Killer k = {0, 0, 100};
    uint32_t pid = 0, got = 0;
    uint64_t t;
    FacetResult r, want = expected(w, p);
    print_message("%s, %s\n", w->name, point_names[p]);
    if (w->timeout != 0)
        snprintf(config, sizeof(config), "{\"call_timeout_ms\": %u}", (unsigned)w->timeout);
    rt = runtime_with(config);
    log_clear();
    v = victim(rt);
    switch (p) {
    case BEFORE_FIRST_CALL:
        /* the death comes through another object of the same process */
        other = victim(rt);
        pid = pid_of(other);
        doom(w, other, pid);
        await_death(w, pid);
        r = IVictim_Pid(v, &got);
        if (r == FACET_OK)
            assert_int_equal(got, pid); /* the object did live in that process */
        break;
    case DURING_CALL:
        pid = pid_of(v);
        if (w->cause == NULL) {
            r = IVictim_Die(v, 0);
        } else if (w->how != 0) {
            r = IVictim_Die(v, w->how);
        } else {
            if (w->from_here == FROM_HERE_KILL) {
                k.pid = pid;
                assert_int_equal(pthread_create(&k.thread, NULL, kill_later, &k), 0);
            }
            r = IVictim_Die(v, VICTIM_HANG);
            if (w->from_here == FROM_HERE_KILL)
                pthread_join(k.thread, NULL);
        }
        break;
    case DURING_CALLBACK:
        pid = pid_of(v);
        cb.way = w;
        cb.victim = v;
        cb.pid = pid;
        r = IVictim_CallBack(v, &cb.itf, 1, 0);
        assert_int_equal(cb.calls, 1); /* the callback did run */
        break;
    case BETWEEN_CALLS:
    default:
        pid = pid_of(v);
        assert_int_equal(IVictim_Sleep(v, 1), FACET_OK);
        doom(w, v, pid);
        await_death(w, pid);
        r = IVictim_Sleep(v, 1);
        break;
    }
    if (w->from_here == FROM_HERE_STOP)
        unstop_pid(pid);
    if (r != want)
        print_message("%s, %s: %s (%s), not %s\n", w->name, point_names[p], facet_result_name(r),
                      facet_last_error(), facet_result_name(want));
    assert_int_equal(r, want);
    if (w->cause != NULL) {
        assert_true(log_has(w->cause));
        /* later calls, on every proxy of the process, fail at once */
        for (i = 0; i < 2; i++) {
            t = now_ms();
            assert_int_equal(IVictim_Pid(v, &got), FACET_E_DISCONNECTED);
            if (other != NULL)
                assert_int_equal(IVictim_Sleep(other, 0), FACET_E_DISCONNECTED);
            assert_true(now_ms() - t < AT_ONCE_MS);
        }
        assert_true(gone_within(pid, 1000));
    } else {
        assert_int_equal(IVictim_Pid(v, &got), FACET_OK);
        assert_int_equal(got, pid);
        pthread_mutex_lock(&log_lock);
        assert_null(strstr(log_text, "process host ("));
        pthread_mutex_unlock(&log_lock);
    }
    /* the next create: a new process after a death, the same one otherwise */
    next = victim(rt);
    assert_int_equal(IVictim_Sleep(next, 1), FACET_OK);
    if (w->cause != NULL)
        assert_true(pid_of(next) != pid);
    else
        assert_int_equal(pid_of(next), pid);
    IVictim_Release(next);
    if (other != NULL)
        IVictim_Release(other);
    IVictim_Release(v);
    facet_runtime_free(rt);
    assert_int_equal(cb.refs, 1); /* what the child held of the host's went back */
    assert_nothing_left(fds, threads, children);
}

static void test_death_everywhere(void **state)
{
    size_t w;
    int p;
    (void)state;
    for (w = 0; w < sizeof(ways) / sizeof(ways[0]); w++)
        for (p = BEFORE_FIRST_CALL; p <= BETWEEN_CALLS; p++)
            death_case(&ways[w], (Point)p);
}

/* After a death: later calls fail at once, the next create works in a new child. */
static void after_death(FacetRuntime *rt, IVictim *dead, uint32_t old_pid)
{
    IVictim *v;
    uint32_t pid = 0;
    assert_int_equal(IVictim_Pid(dead, &pid), FACET_E_DISCONNECTED);
    assert_int_equal(IVictim_Sleep(dead, 0), FACET_E_DISCONNECTED);
    assert_true(gone_within(old_pid, 1000));
    v = victim(rt);
    assert_true(pid_of(v) != old_pid);
    assert_int_equal(IVictim_Sleep(v, 1), FACET_OK);
    IVictim_Release(v);
}

/* The child dies right after a callback returned to it. */
static void test_death_after_callback(void **state)
{
    FacetRuntime *rt = runtime_with(NULL);
    IVictim *v = victim(rt);
    DoomCallback k = {{&dc_vtbl}, 1, NULL, NULL, 0, 0};
    uint32_t pid = pid_of(v);
    (void)state;
    assert_int_equal(IVictim_CallBack(v, &k.itf, 0, VICTIM_SEGV), FACET_E_CRASHED);
    assert_int_equal(k.calls, 1);
    after_death(rt, v, pid);
    IVictim_Release(v);
    facet_runtime_free(rt);
    assert_int_equal(k.refs, 1);
}

/* A call in flight on every thread returns FACET_E_CRASHED on each. */
#define SLEEPERS 3

typedef struct Sleeper {
    pthread_t thread;
    IVictim *v;
    FacetResult r;
} Sleeper;

static void *sleep_call(void *arg)
{
    Sleeper *s = arg;
    s->r = IVictim_Sleep(s->v, 5000);
    return NULL;
}

static void test_death_with_calls_on_threads(void **state)
{
    FacetRuntime *rt = runtime_with(NULL);
    IVictim *v = victim(rt);
    uint32_t pid = pid_of(v);
    Sleeper s[SLEEPERS];
    int i;
    (void)state;
    for (i = 0; i < SLEEPERS; i++) {
        s[i].v = v;
        s[i].r = FACET_OK;
        assert_int_equal(pthread_create(&s[i].thread, NULL, sleep_call, &s[i]), 0);
    }
    usleep(200000);
    assert_true(kill_pid(pid));
    for (i = 0; i < SLEEPERS; i++) {
        pthread_join(s[i].thread, NULL);
        assert_int_equal(s[i].r, FACET_E_CRASHED);
    }
    after_death(rt, v, pid);
    IVictim_Release(v);
    facet_runtime_free(rt);
}

/* Threads: an "any" object takes calls from several threads at once, a
 * "single" one a call at a time, in the child as in the host's process. */
#define CALLERS 3
#define CALL_MS 300u

typedef struct TimedCall {
    pthread_t thread;
    IVictim *v;
    FacetResult r;
} TimedCall;

static void *timed_sleep(void *arg)
{
    TimedCall *t = arg;
    t->r = IVictim_Sleep(t->v, CALL_MS);
    return NULL;
}

/* Milliseconds CALLERS threads take to call Sleep(CALL_MS) on v at once. */
static uint64_t concurrent_ms(IVictim *v)
{
    TimedCall t[CALLERS];
    struct timespec a, b;
    int i;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (i = 0; i < CALLERS; i++) {
        t[i].v = v;
        assert_int_equal(pthread_create(&t[i].thread, NULL, timed_sleep, &t[i]), 0);
    }
    for (i = 0; i < CALLERS; i++) {
        pthread_join(t[i].thread, NULL);
        assert_int_equal(t[i].r, FACET_OK);
    }
    clock_gettime(CLOCK_MONOTONIC, &b);
    return (uint64_t)(((int64_t)b.tv_sec - a.tv_sec) * 1000 + ((int64_t)b.tv_nsec - a.tv_nsec) / 1000000);
}

static void test_threading_in_child(void **state)
{
    FacetRuntime *rt = runtime_with(NULL);
    IVictim *any = victim(rt), *single = NULL;
    uint64_t any_ms, single_ms;
    (void)state;
    assert_int_equal(facet_create_instance_by_name((void **)&single, rt, "test.isolation.single",
                                                   NULL, &IID_IVictim),
                     FACET_OK);
    assert_true(pid_of(single) != (uint32_t)getpid());
    any_ms = concurrent_ms(any);
    single_ms = concurrent_ms(single);
    print_message("%d calls of %u ms at once: \"any\" %llu ms, \"single\" %llu ms\n", CALLERS,
                  CALL_MS, (unsigned long long)any_ms, (unsigned long long)single_ms);
    assert_true(single_ms >= CALLERS * CALL_MS - 10);
    assert_true(any_ms < CALLERS * CALL_MS - 10);
    IVictim_Release(single);
    IVictim_Release(any);
    facet_runtime_free(rt);
}

/* ---- Restart policies ------------------------------------------------------ */

static void test_restart_never(void **state)
{
    FacetRuntime *rt = runtime_with("{\"restart\": \"never\"}");
    IVictim *v = victim(rt), *again = NULL;
    uint32_t pid = pid_of(v);
    (void)state;
    log_clear();
    assert_true(kill_pid(pid));
    assert_true(gone_within(pid, 1000));
    assert_true(log_has("\"restart\": \"never\""));
    assert_int_equal(facet_create_instance_by_name((void **)&again, rt, "test.isolation.victim",
                                                   NULL, &IID_IVictim),
                     FACET_E_DISCONNECTED);
    assert_null(again);
    assert_non_null(strstr(facet_last_error(), "never"));
    IVictim_Release(v);
    facet_runtime_free(rt);
}

static void test_restart_backoff(void **state)
{
    FacetRuntime *rt = runtime_with("{\"restart\": \"backoff\"}");
    IVictim *v = victim(rt), *again = NULL;
    uint32_t pid = pid_of(v);
    (void)state;
    log_clear();
    /* the first death restarts at once */
    assert_true(kill_pid(pid));
    assert_true(gone_within(pid, 1000));
    assert_true(log_has(CAUSE_KILL));
    IVictim_Release(v);
    v = victim(rt);
    pid = pid_of(v);
    /* the second in a row waits */
    log_clear();
    assert_true(kill_pid(pid));
    assert_true(log_has("backoff"));
    assert_int_equal(facet_create_instance_by_name((void **)&again, rt, "test.isolation.victim",
                                                   NULL, &IID_IVictim),
                     FACET_E_DISCONNECTED);
    assert_non_null(strstr(facet_last_error(), "backoff"));
    usleep(1100000);
    IVictim_Release(v);
    v = victim(rt);
    assert_true(pid_of(v) != pid);
    IVictim_Release(v);
    facet_runtime_free(rt);
}

/* ---- Crash and restart from several threads ---------------------------------------- */

typedef struct Cycler {
    pthread_t thread;
    FacetRuntime *rt;
    int cycles;
    int ok, failed;
} Cycler;

static void *cycle(void *arg)
{
    Cycler *c = arg;
    int i;
    unsigned seed = (unsigned)(uintptr_t)c;
    for (i = 0; i < c->cycles; i++) {
        IVictim *v = NULL;
        uint32_t pid = 0;
        FacetResult r = facet_create_instance_by_name((void **)&v, c->rt, "test.isolation.victim",
                                                      NULL, &IID_IVictim);
        if (r != FACET_OK) {
            c->failed++;
            continue;
        }
        if (IVictim_Pid(v, &pid) == FACET_OK)
            c->ok++;
        seed = seed * 1103515245u + 12345u;
        if ((seed >> 16) % 3 == 0 && pid != 0)
            IVictim_Die(v, VICTIM_SEGV);
        else
            IVictim_Sleep(v, 0);
        IVictim_Release(v);
    }
    return NULL;
}

static void test_crash_restart_loop(void **state)
{
    const char *env = getenv("FACET_ISOLATION_CYCLES");
    int cycles = env ? atoi(env) : 1000, i, fds, threads, children;
    Cycler c[3];
    FacetRuntime *rt;
    (void)state;
    fds = count_fds();
    threads = count_threads();
    children = count_children();
    rt = runtime_with(NULL);
    for (i = 0; i < 3; i++) {
        memset(&c[i], 0, sizeof(c[i]));
        c[i].rt = rt;
        c[i].cycles = cycles / 3;
        assert_int_equal(pthread_create(&c[i].thread, NULL, cycle, &c[i]), 0);
    }
    for (i = 0; i < 3; i++) {
        pthread_join(c[i].thread, NULL);
        assert_true(c[i].ok > 0); /* positive control: calls did get through */
    }
    facet_runtime_free(rt);
    assert_nothing_left(fds, threads, children);
}

/* ---- The host killed with SIGKILL ----------------------------------------------------- */

#ifdef _WIN32

/* In a child of the test: creates a victim, has it start a process of its
 * own that tries to leave the job, writes both ids into the file named
 * (whole, by a rename), waits to be killed. */
static void host_to_be_killed(const char *path)
{
    FacetRuntime *rt;
    /* Without the sandbox, whose job would let the module start no
     * process at all (test_sandbox): here the job must kill one. */
    _putenv("FACET_SANDBOX=off");
    rt = runtime_with(NULL);
    IVictim *v = victim(rt);
    char part[4200];
    uint32_t pids[2];
    FILE *f;
    pids[0] = pid_of(v);
    if (IVictim_Spawn(v, &pids[1]) != FACET_OK)
        pids[1] = 0;
    snprintf(part, sizeof(part), "%s.part", path);
    f = fopen(part, "wb");
    if (f == NULL || fwrite(pids, sizeof(pids), 1, f) != 1 || fclose(f) != 0 ||
        !MoveFileA(part, path))
        ExitProcess(4);
    Sleep(INFINITE);
}

static void test_host_killed(void **state)
{
    char path[4200], cmd[8600];
    uint32_t pids[2] = {0, 0};
    STARTUPINFOA si;
    PROCESS_INFORMATION pi;
    FILE *f = NULL;
    int waited;
    (void)state;
    snprintf(path, sizeof(path), "%s/../isolation-%lu.pids", folder,
             (unsigned long)GetCurrentProcessId());
    remove(path);
    snprintf(cmd, sizeof(cmd), "\"%s\" --host-to-be-killed \"%s\"", self_path, path);
    memset(&si, 0, sizeof(si));
    si.cb = sizeof(si);
    assert_true(CreateProcessA(NULL, cmd, NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi));
    CloseHandle(pi.hThread);
    for (waited = 0; waited < 60000 && (f = fopen(path, "rb")) == NULL; waited += 10) {
        assert_int_equal(WaitForSingleObject(pi.hProcess, 10), WAIT_TIMEOUT);
    }
    assert_non_null(f);
    assert_int_equal(fread(pids, sizeof(pids), 1, f), 1);
    fclose(f);
    remove(path);
    /* positive controls: both were alive */
    assert_true(alive(pids[0]));
    assert_true(pids[1] != 0 && alive(pids[1]));
    assert_true(TerminateProcess(pi.hProcess, 9));
    assert_int_equal(WaitForSingleObject(pi.hProcess, 10000), WAIT_OBJECT_0);
    CloseHandle(pi.hProcess);
    /* the job the host held closes with it, and kills both */
    assert_true(gone_within(pids[0], 1000));
    assert_true(gone_within(pids[1], 1000));
    assert_int_equal(count_children(), 0);
}

#else

/* In a child of the test: creates a victim, has it start a daemon, writes
 * both pids, waits to be killed. */
static void host_to_be_killed(const char *fd_text)
{
    FacetRuntime *rt = runtime_with(NULL);
    IVictim *v = victim(rt);
    uint32_t pids[2];
    int fd = atoi(fd_text);
    pids[0] = pid_of(v);
    if (IVictim_Spawn(v, &pids[1]) != FACET_OK)
        pids[1] = 0;
    (void)!write(fd, pids, sizeof(pids));
    for (;;)
        pause();
}

static void test_host_killed(void **state)
{
    int p[2], status;
    uint32_t pids[2] = {0, 0};
    pid_t host;
    (void)state;
    assert_int_equal(pipe(p), 0);
    host = fork();
    assert_true(host >= 0);
    if (host == 0) {
        /* a program of its own: this one again, told to be the host */
        char fd[16];
        close(p[0]);
        snprintf(fd, sizeof(fd), "%d", p[1]);
        execl(self_path, self_path, "--host-to-be-killed", fd, (char *)NULL);
        _exit(127);
    }
    close(p[1]);
    assert_int_equal(read(p[0], pids, sizeof(pids)), (ssize_t)sizeof(pids));
    close(p[0]);
    /* positive controls: both were alive */
    assert_true(alive(pids[0]));
    assert_true(pids[1] != 0 && alive(pids[1]));
    kill(host, SIGKILL);
    waitpid(host, &status, 0);
    assert_true(gone_within(pids[0], 1000));
    assert_true(gone_within(pids[1], 1000));
    /* what was orphaned (the supervisor) came to this process, a
     * subreaper: it too ends within the second, and is reaped here */
    assert_int_equal(children_after(1000), 0);
}

#endif

/* Last: nothing any test started is left, not even a zombie (this
 * process is a subreaper, so an orphaned worker would be its child),
 * once the second a child has to end is over. */
static void test_no_child_left(void **state)
{
    (void)state;
    assert_true(count_children() >= 0); /* the system lists children */
    assert_int_equal(children_after(SETTLE_MS), 0);
}

/* ---- The sandbox ---------------------------------------------------------- */

static int log_has_now(const char *text)
{
    int found;
    pthread_mutex_lock(&log_lock);
    found = strstr(log_text, text) != NULL;
    pthread_mutex_unlock(&log_lock);
    return found;
}

static int32_t open_in(IVictim *v, const char *path, uint32_t write)
{
    int32_t error = -1;
    assert_int_equal(IVictim_Open(v, path, write, &error), FACET_OK);
    return error;
}

#ifdef _WIN32

/* The process host's sandbox on Windows: the spawner makes it with a
 * restricted, low-integrity token, in a job that allows no second
 * process, holds it to memory_mb and keeps it from the desktop. The host's
 * log says what was put up, then what the process host sees of it. Each
 * refusal is asserted where the process host reports the part that
 * refuses it; where the system took the part and did not keep it (Wine
 * keeps neither integrity levels nor restricting SIDs nor the job's
 * limits), the test says SKIPPED-part with what the system reported, and
 * asserts what the system does show. The same calls without the wall
 * (FACET_SANDBOX=off) are the positive controls, and a granted folder is
 * written under the wall. */

static void sandbox_env(const char *value)
{
    char text[64];
    snprintf(text, sizeof(text), "FACET_SANDBOX=%s", value != NULL ? value : "");
    _putenv(text);
    SetEnvironmentVariableA("FACET_SANDBOX", value);
}

/* What the process host reported of its wall, from the host's log line. */
static void reported(char *out, size_t size)
{
    const char *at;
    size_t n = 0;
    pthread_mutex_lock(&log_lock);
    at = strstr(log_text, "it reports: ");
    if (at != NULL) {
        at += strlen("it reports: ");
        while (at[n] != '\0' && at[n] != '\n' && n + 1 < size)
            n++;
        memcpy(out, at, n);
    }
    out[n] = '\0';
    pthread_mutex_unlock(&log_lock);
}

/* The integrity level the system keeps on path: its label's RID, or
 * SECURITY_MANDATORY_MEDIUM_RID, which a file without one has; 0 when the
 * system cannot say. */
static DWORD label_of(const char *path)
{
    PSECURITY_DESCRIPTOR sd = NULL;
    PACL sacl = NULL;
    DWORD rid = SECURITY_MANDATORY_MEDIUM_RID;
    WORD i;
    if (GetNamedSecurityInfoA(path, SE_FILE_OBJECT, LABEL_SECURITY_INFORMATION, NULL, NULL, NULL,
                              &sacl, &sd) != ERROR_SUCCESS)
        return 0;
    for (i = 0; sacl != NULL && i < sacl->AceCount; i++) {
        ACE_HEADER *ace = NULL;
        if (GetAce(sacl, i, (void **)&ace) && ace->AceType == SYSTEM_MANDATORY_LABEL_ACE_TYPE) {
            PSID sid = (PSID)&((SYSTEM_MANDATORY_LABEL_ACE *)ace)->SidStart;
            rid = *GetSidSubAuthority(sid, *GetSidSubAuthorityCount(sid) - 1u);
        }
    }
    LocalFree(sd);
    return rid;
}

static void test_sandbox(void **state)
{
    char granted[4200], inside[4300], outside[4200], json[8800], wall[2048];
    FacetRuntime *rt;
    IVictim *v;
    uint32_t pid = 0, got = 0;
    DWORD before;
    FILE *f;
    (void)state;
    /* the folder the manifest asks to write ("fs.write:../granted") and
     * the configuration grants; a file beside the plugins' folder, which
     * it does not */
    snprintf(granted, sizeof(granted), "%s/../granted", folder);
    snprintf(inside, sizeof(inside), "%s/written-%lu.txt", granted,
             (unsigned long)GetCurrentProcessId());
    snprintf(outside, sizeof(outside), "%s/../not-granted-%lu.txt", folder,
             (unsigned long)GetCurrentProcessId());
    CreateDirectoryA(granted, NULL);
    f = fopen(outside, "w");
    assert_non_null(f);
    fputs("not for the module", f);
    fclose(f);
    before = label_of(granted);
    snprintf(json, sizeof(json),
             "{\"limits\": {\"memory_mb\": 256, \"open_files\": 64, \"cpu_seconds\": 600},"
             " \"permissions\": [\"fs.write:%s\"]}",
             granted);

    sandbox_env(NULL);
    log_clear();
    rt = runtime_with(json);
    v = victim(rt);
    /* what the host put up */
    assert_true(log_has("runs in its sandbox: job: one process (no child process); memory 256 "
                        "MiB; CPU 600 s (user time); open_files given up (Windows has no limit "
                        "on a process's handles); UI restrictions 0xFF; restricted token (no "
                        "privilege, Administrators deny-only, restricting SIDs); integrity "
                        "level Low; no AppContainer (not asked for: "
                        "FACET_SANDBOX_APPCONTAINER=1); "));
    reported(wall, sizeof(wall));
    print_message("the process host reports: %s\n", wall);
    /* it is in its job, whatever the system says of the job's limits */
    assert_non_null(strstr(wall, "; job: "));
    assert_null(strstr(wall, "not in a job"));
    if (strstr(wall, "job: 1 process") != NULL)
        assert_non_null(strstr(wall, "killed with the job"));

    /* the granted folder carries the low label while the child runs, or
     * the log says the system refused it */
    if (log_has_now("; fs.write paths labelled low integrity (1); ")) {
        if (before != 0) {
            assert_int_equal(label_of(granted), SECURITY_MANDATORY_LOW_RID);
            assert_true(before != SECURITY_MANDATORY_LOW_RID);
        } else {
            print_message("SKIPPED-part: reading the granted folder's label back (the system "
                          "cannot read a file's integrity label)\n");
        }
    } else {
        assert_true(log_has("; 1 of 1 paths given up ("));
        print_message("SKIPPED-part: the low label on the granted folder (the system refused "
                      "it; Windows takes it from the folder's owner)\n");
    }
    /* the positive control under the wall: the granted folder is written */
    assert_int_equal(open_in(v, inside, 1), 0);

    /* no second process */
    if (strstr(wall, "job: 1 process") != NULL) {
        assert_int_equal(IVictim_Spawn(v, &pid), FACET_E_FAIL);
    } else {
        print_message("SKIPPED-part: the job's active-process limit (the system does not keep "
                      "it: the process host sees no limit)\n");
        /* what the system shows: the process starts inside the job, and
         * goes with it (below) */
        assert_int_equal(IVictim_Spawn(v, &pid), FACET_OK);
        assert_true(alive(pid));
    }
    /* memory: 16 MiB fits, 512 MiB does not */
    assert_int_equal(IVictim_Grab(v, 16, &got), FACET_OK);
    assert_int_equal(got, 1);
    assert_int_equal(IVictim_Grab(v, 512, &got), FACET_OK);
    if (strstr(wall, "memory 256 MiB") != NULL)
        assert_int_equal(got, 0);
    else
        print_message("SKIPPED-part: the job's memory limit (the system does not keep it; the "
                      "512 MiB allocation %s)\n",
                      got ? "succeeded" : "failed");
    /* no write up: a Medium file beside the plugins' folder */
    if (strstr(wall, "integrity level Low") != NULL)
        assert_int_equal(open_in(v, outside, 1), EACCES);
    else
        print_message("SKIPPED-part: writing outside the grants (integrity levels are not "
                      "enforced here: the process host does not run at Low)\n");
    if (strstr(wall, "restricted token") == NULL)
        print_message("SKIPPED-part: the restricted token (the system reports the process "
                      "host's token as not restricted)\n");
    if (strstr(wall, "UI restrictions 0xFF") == NULL)
        print_message("SKIPPED-part: the UI restrictions (the system does not report them)\n");
    if (strstr(wall, "in an AppContainer") == NULL)
        assert_non_null(strstr(wall, "no AppContainer"));
    IVictim_Release(v);
    facet_runtime_free(rt);
    /* what it started went with its job; the label is taken back */
    if (pid != 0)
        assert_true(gone_within(pid, 1000));
    assert_int_equal(label_of(granted), before);
    DeleteFileA(inside);

    /* The positive controls: the same module, the same calls, no wall. */
    sandbox_env("off");
    log_clear();
    rt = runtime_with(json);
    v = victim(rt);
    assert_true(log_has("runs without its sandbox (FACET_SANDBOX=off)"));
    assert_false(log_has_now("runs in its sandbox"));
    assert_int_equal(IVictim_Spawn(v, &pid), FACET_OK);
    assert_true(alive(pid));
    assert_int_equal(IVictim_Grab(v, 512, &got), FACET_OK);
    assert_int_equal(got, 1);
    assert_int_equal(open_in(v, outside, 1), 0);
    IVictim_Release(v);
    facet_runtime_free(rt);
    assert_true(gone_within(pid, 1000));
    sandbox_env(NULL);
    DeleteFileA(outside);
    RemoveDirectoryA(granted);
}

#else

/* The module reads its own library and the proxy/stub library, and nothing
 * else of its folder; exec kills it, and the host's log names the call.
 * Without the sandbox (FACET_SANDBOX=off) the same open succeeds. */
static void test_sandbox(void **state)
{
    char other[4200], lib[4200];
    const char *ps = getenv("FACET_TEST_PROXY_STUBS");
    FacetRuntime *rt;
    IVictim *v;
    FILE *f;
    (void)state;
    snprintf(other, sizeof(other), "%s/not-granted-%ld.txt", folder, (long)getpid());
    snprintf(lib, sizeof(lib), "%s/victim.so", folder);
    f = fopen(other, "w");
    assert_non_null(f);
    fputs("not for the module", f);
    fclose(f);

    unsetenv("FACET_SANDBOX");
    log_clear();
    rt = runtime_with(NULL);
    v = victim(rt);
    if (log_has_now("without its sandbox (")) {
        /* valgrind's or ThreadSanitizer's runtime: said in the log */
        print_message("SKIPPED: %s", log_text);
        IVictim_Release(v);
        facet_runtime_free(rt);
        unlink(other);
        skip();
    }
    assert_true(log_has("runs in its sandbox: no_new_privs"));
    assert_int_equal(open_in(v, lib, 0), 0);
    assert_int_equal(open_in(v, ps, 0), 0);
    assert_int_equal(open_in(v, other, 0), EACCES);
    assert_int_equal(open_in(v, other, 1), EACCES);
    assert_int_equal(open_in(v, lib, 1), EACCES);
    assert_int_equal(open_in(v, "/etc/passwd", 0), EACCES);
    log_clear();
    assert_int_equal(IVictim_Die(v, VICTIM_EXEC), FACET_E_CRASHED);
    assert_true(log_has("was killed by SIGSYS (signal 31): the sandbox stopped the system call "
                        "execve (59)"));
    IVictim_Release(v);
    facet_runtime_free(rt);

    /* the positive control: the same module, the same file, no wall */
    setenv("FACET_SANDBOX", "off", 1);
    log_clear();
    rt = runtime_with(NULL);
    v = victim(rt);
    assert_true(log_has("runs without its sandbox (FACET_SANDBOX=off)"));
    assert_int_equal(open_in(v, other, 0), 0);
    IVictim_Release(v);
    facet_runtime_free(rt);
    unsetenv("FACET_SANDBOX");
    unlink(other);
}
#endif

int main(int argc, char **argv)
{
    const char *plugins = getenv("FACET_TEST_PLUGINS");
    const char *ps = getenv("FACET_TEST_PROXY_STUBS");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_results_both_ways),
        cmocka_unit_test(test_config_turns_isolation_on),
        cmocka_unit_test(test_no_aggregation),
        cmocka_unit_test(test_death_everywhere),
        cmocka_unit_test(test_death_after_callback),
        cmocka_unit_test(test_death_with_calls_on_threads),
        cmocka_unit_test(test_threading_in_child),
        cmocka_unit_test(test_restart_never),
        cmocka_unit_test(test_restart_backoff),
        cmocka_unit_test(test_crash_restart_loop),
        cmocka_unit_test(test_host_killed),
        cmocka_unit_test(test_no_child_left),
        cmocka_unit_test(test_sandbox),
    };
#ifdef _WIN32
    /* What the victim starts from its process host (IVictim_Spawn): this
     * program, which then waits to be killed. */
    if (argc == 2 && strcmp(argv[1], "--sleep") == 0) {
        Sleep(INFINITE);
        return 1;
    }
#endif
    if (plugins == NULL || ps == NULL) {
        fprintf(stderr, "FACET_TEST_PLUGINS and FACET_TEST_PROXY_STUBS name the test module's "
                        "folder and its proxy/stub library\n");
        return 2;
    }
    snprintf(folder, sizeof(folder), "%s", plugins);
#ifdef _WIN32
    if (GetModuleFileNameA(NULL, self_path, sizeof(self_path)) == 0 ||
        !SetEnvironmentVariableA("FACET_TEST_ISOLATION_SLEEPER", self_path)) {
        fprintf(stderr, "cannot tell which file this program is\n");
        return 1;
    }
#else
    snprintf(self_path, sizeof(self_path), "%s", argv[0]);
#endif
    if (facet_proxy_stubs_load(ps) != FACET_OK) {
        fprintf(stderr, "%s\n", facet_last_error());
        return 1;
    }
    if (argc == 3 && strcmp(argv[1], "--host-to-be-killed") == 0) {
        host_to_be_killed(argv[2]);
        return 1;
    }
#ifndef _WIN32
    /* Orphans of test_host_killed's host come here, not to an init that
     * may not reap them. */
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    facet_test_let_signals_kill(); /* the victim dies of its SIGSEGV in every build */
#endif
    return cmocka_run_group_tests(tests, NULL, NULL);
}
