/*
 * victim.c - the module of tests/isolation: "test.isolation.marshal", the
 * object of tests/remote/marshal_objects.c (every kind of value), and
 * "test.isolation.victim", which says where it runs and dies on request
 * ("test.isolation.single" is the same, FACET_THREADING_SINGLE), now or
 * a while after a call.
 * Its manifest asks for "isolation": "process".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

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

static void sleep_ms(uint32_t ms)
{
    struct timespec ts;
    ts.tv_sec = ms / 1000;
    ts.tv_nsec = (long)(ms % 1000) * 1000000L;
    while (nanosleep(&ts, &ts) != 0)
        ;
}

static FacetResult die(uint32_t how)
{
    switch (how) {
    case VICTIM_SEGV:
        raise(SIGSEGV);
        break;
    case VICTIM_ABORT:
        abort();
    case VICTIM_EXIT:
        exit(3);
    case VICTIM_HANG:
        for (;;)
            sleep_ms(1000);
    case VICTIM_EXEC: {
        char *const argv[] = {(char *)"/bin/true", NULL};
        execv("/bin/true", argv);
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
    *pid = (uint32_t)getpid();
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

/* A death on a thread of its own, after the call that armed it returned. */
typedef struct Doom {
    uint32_t how, ms;
} Doom;

static void *doom(void *arg)
{
    Doom d = *(Doom *)arg;
    free(arg);
    sleep_ms(d.ms);
    die(d.how);
    return NULL;
}

static FacetResult FACET_CALL v_arm(IVictim *self, uint32_t how, uint32_t ms)
{
    pthread_t thread;
    Doom *d = malloc(sizeof(*d));
    (void)self;
    if (d == NULL)
        return FACET_E_OUTOFMEMORY;
    d->how = how;
    d->ms = ms;
    if (pthread_create(&thread, NULL, doom, d) != 0) {
        free(d);
        return FACET_E_FAIL;
    }
    pthread_detach(thread);
    return FACET_OK;
}

static FacetResult FACET_CALL v_open(IVictim *self, const char *path, uint32_t write,
                                     int32_t *error)
{
    int fd;
    (void)self;
    fd = open(path, write ? O_RDWR | O_CREAT | O_CLOEXEC : O_RDONLY | O_CLOEXEC, 0644);
    *error = fd < 0 ? errno : 0;
    if (fd >= 0)
        close(fd);
    return FACET_OK;
}

static const IVictimVtbl victim_vtbl = {FACET_KIT_IUNKNOWN(Victim, victim), v_pid, v_die,
                                        v_sleep, v_callback, v_spawn, v_arm, v_open};

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
