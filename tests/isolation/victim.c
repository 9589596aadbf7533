/*
 * victim.c - the module of tests/isolation: "test.isolation.marshal", the
 * object of tests/remote/marshal_objects.c (every kind of value), and
 * "test.isolation.victim", which says where it runs and dies on request
 * ("test.isolation.single" is the same, FACET_THREADING_SINGLE), now or
 * a while after a call.
 * Its manifest asks for "isolation": "process".
 *
 * On Windows a crash is an access violation (raise(SIGSEGV) there only
 * ends the process with status 3), and the daemon is a process started
 * with CREATE_BREAKAWAY_FROM_JOB, which the process host's job refuses.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef _WIN32
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>
#else
#include <pthread.h>
#include <time.h>
#include <unistd.h>
#endif

#define FACET_KIT_IMPLEMENTATION
#include <facet/module.h>

#include "marshal_objects.h"
#include "victim.h"

void *marshal_alloc(size_t size)
{
    void *p = NULL;
    return FACET_SUCCEEDED(facet_kit_alloc(size, &p)) ? p : NULL;
}

void marshal_free(void *p)
{
    facet_kit_free(p);
}

typedef struct Victim {
    IVictim victim;
    uint32_t refs;
} Victim;

#define VICTIM_INTERFACES(X) X(Victim, victim, IVictim)
FACET_KIT_OBJECT(Victim, VICTIM_INTERFACES)

#ifdef _WIN32

static void sleep_ms(uint32_t ms)
{
    Sleep(ms);
}

static uint32_t my_pid(void)
{
    return (uint32_t)GetCurrentProcessId();
}

static volatile int *volatile nowhere; /* NULL, which the compiler cannot know */

static void crash(void)
{
    *nowhere = 1; /* an access violation */
}

#else

static void sleep_ms(uint32_t ms)
{
    struct timespec ts;
    ts.tv_sec = ms / 1000;
    ts.tv_nsec = (long)(ms % 1000) * 1000000L;
    while (nanosleep(&ts, &ts) != 0)
        ;
}

static uint32_t my_pid(void)
{
    return (uint32_t)getpid();
}

static void crash(void)
{
    raise(SIGSEGV);
}

#endif

static FacetResult die(uint32_t how)
{
    switch (how) {
    case VICTIM_SEGV:
        crash();
        break;
    case VICTIM_ABORT:
        abort();
    case VICTIM_EXIT:
        exit(3);
    case VICTIM_HANG:
        for (;;)
            sleep_ms(1000);
    case VICTIM_EXEC: {
#ifndef _WIN32
        char *const argv[] = {(char *)"/bin/true", NULL};
        execv("/bin/true", argv);
#endif
        _exit(4); /* no sandbox: it ran; still a death */
    }
    default:
        break;
    }
    return FACET_OK;
}

static FacetResult FACET_CALL v_pid(IVictim *self, uint32_t *pid)
{
    (void)self;
    *pid = my_pid();
    return FACET_OK;
}

static FacetResult FACET_CALL v_die(IVictim *self, uint32_t how)
{
    (void)self;
    return die(how);
}

static FacetResult FACET_CALL v_sleep(IVictim *self, uint32_t ms)
{
    (void)self;
    sleep_ms(ms);
    return FACET_OK;
}

static FacetResult FACET_CALL v_callback(IVictim *self, IMarshalCallback *cb, int32_t value,
                                         uint32_t how)
{
    FacetResult r;
    (void)self;
    if (cb == NULL)
        return FACET_E_POINTER;
    r = IMarshalCallback_Notify(cb, value, "back");
    if (FACET_FAILED(r))
        return r;
    return die(how);
}

#ifdef _WIN32

/* Starts the program FACET_TEST_ISOLATION_SLEEPER names (the test, which
 * then sleeps), as a daemon would: out of the job if it can, with no
 * console. The job does not let it. */
static FacetResult FACET_CALL v_spawn(IVictim *self, uint32_t *pid)
{
    char exe[4096], cmd[4200];
    STARTUPINFOA si;
    PROCESS_INFORMATION pi;
    DWORD n = GetEnvironmentVariableA("FACET_TEST_ISOLATION_SLEEPER", exe, sizeof(exe));
    (void)self;
    if (n == 0 || n >= sizeof(exe))
        return FACET_E_FAIL;
    snprintf(cmd, sizeof(cmd), "\"%s\" --sleep", exe);
    memset(&si, 0, sizeof(si));
    si.cb = sizeof(si);
    if (!CreateProcessA(NULL, cmd, NULL, NULL, FALSE, CREATE_BREAKAWAY_FROM_JOB | DETACHED_PROCESS,
                        NULL, NULL, &si, &pi) &&
        !CreateProcessA(NULL, cmd, NULL, NULL, FALSE, DETACHED_PROCESS, NULL, NULL, &si, &pi))
        return FACET_E_FAIL;
    CloseHandle(pi.hThread);
    CloseHandle(pi.hProcess);
    *pid = (uint32_t)pi.dwProcessId;
    return FACET_OK;
}

#else

static FacetResult FACET_CALL v_spawn(IVictim *self, uint32_t *pid)
{
    int p[2];
    pid_t child;
    uint32_t got = 0;
    (void)self;
    if (pipe(p) != 0)
        return FACET_E_FAIL;
    child = fork();
    if (child < 0)
        return FACET_E_FAIL;
    if (child == 0) {
        /* leave the group, then leave the parent: a daemon */
        pid_t grandchild;
        setsid();
        grandchild = fork();
        if (grandchild == 0) {
            uint32_t me = (uint32_t)getpid();
            (void)!write(p[1], &me, sizeof(me));
            for (;;)
                pause();
        }
        _exit(0);
    }
    close(p[1]);
    if (read(p[0], &got, sizeof(got)) != (ssize_t)sizeof(got))
        got = 0;
    close(p[0]);
    *pid = got;
    return got ? FACET_OK : FACET_E_FAIL;
}

#endif

/* A death on a thread of its own, after the call that armed it returned. */
typedef struct Doom {
    uint32_t how, ms;
} Doom;

static void doom(Doom *arg)
{
    Doom d = *arg;
    free(arg);
    sleep_ms(d.ms);
    die(d.how);
}

#ifdef _WIN32
static DWORD WINAPI doom_thread(void *arg)
{
    doom(arg);
    return 0;
}
#else
static void *doom_thread(void *arg)
{
    doom(arg);
    return NULL;
}
#endif

static FacetResult FACET_CALL v_arm(IVictim *self, uint32_t how, uint32_t ms)
{
    Doom *d = malloc(sizeof(*d));
#ifdef _WIN32
    HANDLE thread;
#else
    pthread_t thread;
#endif
    (void)self;
    if (d == NULL)
        return FACET_E_OUTOFMEMORY;
    d->how = how;
    d->ms = ms;
#ifdef _WIN32
    thread = CreateThread(NULL, 0, doom_thread, d, 0, NULL);
    if (thread == NULL) {
        free(d);
        return FACET_E_FAIL;
    }
    CloseHandle(thread);
#else
    if (pthread_create(&thread, NULL, doom_thread, d) != 0) {
        free(d);
        return FACET_E_FAIL;
    }
    pthread_detach(thread);
#endif
    return FACET_OK;
}

static FacetResult FACET_CALL v_open(IVictim *self, const char *path, uint32_t write,
                                     int32_t *error)
{
    FILE *f;
    (void)self;
    errno = 0;
    f = fopen(path, write ? "ab" : "rb");
    *error = f == NULL ? (errno != 0 ? errno : EIO) : 0;
    if (f != NULL)
        fclose(f);
    return FACET_OK;
}

static FacetResult FACET_CALL v_grab(IVictim *self, uint32_t mb, uint32_t *got)
{
    size_t size = (size_t)mb << 20;
#ifdef _WIN32
    void *p = VirtualAlloc(NULL, size, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE);
    (void)self;
    *got = p != NULL;
    if (p != NULL)
        VirtualFree(p, 0, MEM_RELEASE);
#else
    char *p = malloc(size);
    (void)self;
    *got = p != NULL;
    if (p != NULL) {
        memset(p, 1, size); /* committed, page by page */
        free(p);
    }
#endif
    return FACET_OK;
}

static const IVictimVtbl victim_vtbl = {FACET_KIT_IUNKNOWN(Victim, victim), v_pid, v_die,
                                        v_sleep, v_callback, v_spawn, v_arm, v_open, v_grab};

static FacetResult victim_create(IFacetUnknown *outer, const FacetGuid *iid, void **out)
{
    Victim *v;
    FacetResult r = Victim_kit_new(&v);
    (void)outer;
    if (FACET_FAILED(r))
        return r;
    v->victim.lpVtbl = &victim_vtbl;
    return Victim_kit_hand_out(v, iid, out);
}

static const FacetGuid Marshal_kit_iids[] = {IID_IMarshalTest_INIT};

static FacetResult marshal_create(IFacetUnknown *outer, const FacetGuid *iid, void **out)
{
    MarshalObject *o;
    FacetResult r;
    (void)outer;
    o = marshal_object_new();
    if (o == NULL)
        return FACET_E_OUTOFMEMORY;
    r = IMarshalTest_QueryInterface(&o->itf, iid, out);
    marshal_object_release(o);
    return r;
}

static const FacetKitClassDef classes[] = {
    FACET_KIT_CLASS("test.isolation.victim", "1.0.0", FACET_THREADING_ANY, Victim, victim_create,
                    {0x6a1f0c3e, 0x2b7d, 0x4e19, {0xa8, 0xc4, 0x5d, 0x0e, 0x9f, 0x1a, 0x2b, 0x10}}),
    FACET_KIT_CLASS("test.isolation.single", "1.0.0", FACET_THREADING_SINGLE, Victim,
                    victim_create,
                    {0x6a1f0c3e, 0x2b7d, 0x4e19, {0xa8, 0xc4, 0x5d, 0x0e, 0x9f, 0x1a, 0x2b, 0x12}}),
    FACET_KIT_CLASS("test.isolation.marshal", "1.0.0", FACET_THREADING_ANY, Marshal,
                    marshal_create,
                    {0x6a1f0c3e, 0x2b7d, 0x4e19, {0xa8, 0xc4, 0x5d, 0x0e, 0x9f, 0x1a, 0x2b, 0x11}}),
};

FACET_KIT_MODULE("test.isolation", "1.0.0", classes)
