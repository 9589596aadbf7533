/*
 * engine.c - the marshaling engine and connections of core/remote, with
 * both ends in this process: a host connection and a "child" connection
 * over one shared memory transport, the child's lanes served by its own
 * threads. Every kind of value of marshal.idl crosses through the
 * generated proxies and stubs, interface pointers both ways, callbacks
 * nested in calls; then the child side dies and the proxies disconnect.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "marshal.h"
#include "engine_support.h"

static int deaths;
static FacetResult death_why;

static void dead(void *payload, FacetResult why, const char *text)
{
    (void)payload;
    (void)text;
    deaths++;
    death_why = why;
}

static const FacetConnHooks hooks = {dead, marshal_find_ps};

/* A host service the child calls: IFacetLogger, whose proxies and stubs
 * come with libfacet (facet.idl). */
typedef struct HostLogger {
    IFacetLogger itf;
    uint32_t refs; /* atomic */
    uint32_t lines; /* atomic */
    uint32_t level;
    char last[128];
} HostLogger;

static FacetResult FACET_CALL log_query(IFacetLogger *self, const FacetGuid *iid, void **out)
{
    if (!FacetGuidEqual(iid, &IID_IFacetLogger) && !FacetGuidEqual(iid, &IID_IFacetUnknown)) {
        *out = NULL;
        return FACET_E_NOINTERFACE;
    }
    self->lpVtbl->AddRef(self);
    *out = self;
    return FACET_OK;
}
static uint32_t FACET_CALL log_addref(IFacetLogger *self)
{
    return __atomic_add_fetch(&((HostLogger *)self)->refs, 1u, __ATOMIC_ACQ_REL);
}
static uint32_t FACET_CALL log_release(IFacetLogger *self)
{
    return __atomic_sub_fetch(&((HostLogger *)self)->refs, 1u, __ATOMIC_ACQ_REL);
}
static FacetResult FACET_CALL log_log(IFacetLogger *self, uint32_t level, const char *message)
{
    HostLogger *l = (HostLogger *)self;
    if (__atomic_add_fetch(&l->lines, 1u, __ATOMIC_ACQ_REL) == 1) {
        l->level = level;
        snprintf(l->last, sizeof(l->last), "%s", message);
    }
    return FACET_OK;
}
static FacetResult FACET_CALL log_enabled(IFacetLogger *self, uint32_t level)
{
    (void)self;
    return level >= FACET_LOG_INFO ? FACET_OK : FACET_FALSE;
}
static const IFacetLoggerVtbl log_vtbl = {log_query, log_addref, log_release, log_log, log_enabled};

typedef struct Pair {
    FacetTransport *host_tr, *child_tr;
    FacetConn *host, *child;
    MarshalObject *object;
    IMarshalTest *proxy;
    HostLogger logger;        /* the host's */
    IFacetLogger *child_log;  /* the child's proxy of it, from BOOT */
} Pair;

static FacetResult boot(FacetConn *c, FacetMarshal *request, FacetMarshal *reply, void *payload)
{
    Pair *p = payload;
    (void)c;
    facet__wire_get_interface(request, (void **)&p->child_log, &IID_IFacetLogger, NULL);
    if (request->bad != NULL)
        return FACET_E_FAIL;
    /* a call back into the host, nested in BOOT */
    if (p->child_log != NULL)
        IFacetLogger_Log(p->child_log, FACET_LOG_INFO, "booting");
    facet__wire_put_interface(reply, &p->object->itf, &IID_IMarshalTest);
    return FACET_OK;
}

static FacetResult boot_request(FacetMarshal *m, void *ctx)
{
    Pair *p = ctx;
    facet__wire_put_interface(m, &p->logger.itf, &IID_IFacetLogger);
    return FACET_OK;
}

static FacetResult booted(FacetMarshal *m, void *ctx)
{
    Pair *p = ctx;
    facet__wire_get_interface(m, (void **)&p->proxy, &IID_IMarshalTest, NULL);
    return m->bad ? FACET_E_FAIL : FACET_OK;
}

static void pair_open(Pair *p)
{
    FacetConnControl control;
    memset(p, 0, sizeof(*p));
    p->logger.itf.lpVtbl = &log_vtbl;
    p->logger.refs = 1;
    deaths = 0;
    p->object = marshal_object_new();
    assert_int_equal(facet__shm_create(&p->host_tr, 4, 4, 64 * 1024), FACET_TR_OK);
    assert_int_equal(facet__shm_attach(&p->child_tr, facet__shm_handle(p->host_tr)), FACET_TR_OK);
    assert_int_equal(facet__conn_new(&p->host, p->host_tr, 0, &hooks, p), FACET_OK);
    assert_int_equal(facet__conn_new(&p->child, p->child_tr, 0, &hooks, p), FACET_OK);
    memset(&control, 0, sizeof(control));
    control.boot = boot;
    control.payload = p;
    facet__conn_set_control(p->child, &control);
    assert_int_equal(facet__conn_serve(p->child), FACET_OK);
    assert_int_equal(facet__conn_serve(p->host), FACET_OK);
    assert_int_equal(facet__conn_control(p->host, FACET_CTL_BOOT, boot_request, booted, p), FACET_OK);
    assert_non_null(p->proxy);
}

static void pair_close(Pair *p)
{
    if (p->proxy != NULL)
        IMarshalTest_Release(p->proxy);
    if (p->child_log != NULL)
        IFacetLogger_Release(p->child_log);
    facet__conn_close(p->host);
    facet__conn_close(p->child);
    facet__conn_release(p->host);
    facet__conn_release(p->child);
    marshal_object_release(p->object);
}

static void test_engine_calls(void **state)
{
    Pair p;
    (void)state;
    pair_open(&p);
    marshal_check_values(p.proxy);
    /* a NULL where the IDL says a pointer is [ref]: refused, not sent */
    assert_int_equal(IMarshalTest_Echo(p.proxy, "x", NULL), FACET_E_POINTER);
    assert_int_equal(IMarshalTest_Echo(p.proxy, NULL, NULL), FACET_E_POINTER);
    assert_int_equal(IMarshalTest_Nothing(p.proxy), FACET_OK);
    pair_close(&p);
}

static void test_engine_interfaces(void **state)
{
    Pair p;
    (void)state;
    pair_open(&p);
    marshal_check_interfaces(p.proxy, p.object);
    pair_close(&p);
}

/* The runtime's own interfaces cross with libfacet's tables: the child
 * logs into the host during BOOT (a call nested in a call) and after. */
static void test_engine_host_service(void **state)
{
    Pair p;
    (void)state;
    pair_open(&p);
    assert_non_null(p.child_log);
    assert_int_equal(__atomic_load_n(&p.logger.lines, __ATOMIC_ACQUIRE), 1);
    assert_int_equal(IFacetLogger_IsEnabled(p.child_log, FACET_LOG_DEBUG), FACET_FALSE);
    assert_int_equal(IFacetLogger_IsEnabled(p.child_log, FACET_LOG_INFO), FACET_OK);
    assert_int_equal(IFacetLogger_Log(p.child_log, FACET_LOG_INFO, "again"), FACET_OK);
    pair_close(&p);
    /* (read once the serving threads are joined) */
    assert_int_equal(p.logger.lines, 2);
    assert_int_equal(p.logger.level, FACET_LOG_INFO);
    assert_string_equal(p.logger.last, "booting");
    assert_int_equal(p.logger.refs, 1); /* the child's references went back */
}

/* Several host threads call at once, each on a lane of its own, with
 * callbacks nested in their calls. */
#define THREADS 4
#define ROUNDS 200

typedef struct Caller {
    pthread_t thread;
    IMarshalTest *proxy;
    int failures;
} Caller;

static void *caller_main(void *arg)
{
    Caller *c = arg;
    MarshalCallback *cb = marshal_callback_new();
    int i;
    for (i = 0; i < ROUNDS; i++) {
        double sum = 0;
        char *copy = NULL;
        if (IMarshalTest_Scalars(c->proxy, 1, 2, 3, (uint64_t)i, 0, 0, &sum) != FACET_OK ||
            sum != 6.0 + i)
            c->failures++;
        if (IMarshalTest_Echo(c->proxy, "thread", &copy) != FACET_OK || copy == NULL ||
            strcmp(copy, "thread") != 0)
            c->failures++;
        marshal_free(copy);
        if (IMarshalTest_Call(c->proxy, &cb->itf, i) != FACET_OK)
            c->failures++;
    }
    if (cb->value != ROUNDS - 1)
        c->failures++;
    cb->itf.lpVtbl->Release(&cb->itf);
    return NULL;
}

static void test_engine_threads(void **state)
{
    Pair p;
    Caller c[THREADS];
    int i;
    (void)state;
    pair_open(&p);
    for (i = 0; i < THREADS; i++) {
        c[i].proxy = p.proxy;
        c[i].failures = 0;
        assert_int_equal(pthread_create(&c[i].thread, NULL, caller_main, &c[i]), 0);
    }
    for (i = 0; i < THREADS; i++) {
        assert_int_equal(pthread_join(c[i].thread, NULL), 0);
        assert_int_equal(c[i].failures, 0);
    }
    pair_close(&p);
}

/* The child's end dies between calls, unseen by the host until its next
 * call finds the transport dead: that call returns FACET_E_CRASHED (it
 * was in flight when the host learnt of the death), the host's death hook
 * hears of it once, and every later call returns FACET_E_DISCONNECTED. */
static void test_engine_death_found_by_a_call(void **state)
{
    Pair p;
    (void)state;
    pair_open(&p);
    assert_int_equal(IMarshalTest_Nothing(p.proxy), FACET_OK);
    assert_int_equal(deaths, 0);
    p.child_tr->ops->mark_dead(p.child_tr);
    assert_int_equal(IMarshalTest_Nothing(p.proxy), FACET_E_CRASHED);
    assert_int_equal(deaths, 1);
    assert_int_equal(death_why, FACET_E_CRASHED);
    assert_int_equal(IMarshalTest_Nothing(p.proxy), FACET_E_DISCONNECTED);
    assert_int_equal(IMarshalTest_Scalars(p.proxy, 1, 2, 3, 4, 5, 6, NULL), FACET_E_DISCONNECTED);
    assert_int_equal(deaths, 1);
    pair_close(&p);
}

/* The host learns of the death first (as its watch of the child does):
 * every call after it returns FACET_E_DISCONNECTED without sending. */
static void test_engine_death_seen_first(void **state)
{
    Pair p;
    char *copy = (char *)"untouched";
    (void)state;
    pair_open(&p);
    facet__conn_kill(p.host, FACET_E_CRASHED, "the child ended (signal 9)");
    assert_int_equal(deaths, 1);
    assert_int_equal(IMarshalTest_Nothing(p.proxy), FACET_E_DISCONNECTED);
    assert_int_equal(IMarshalTest_Echo(p.proxy, "x", &copy), FACET_E_DISCONNECTED);
    assert_null(copy); /* out-values of a failed call are cleared */
    pair_close(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_engine_calls),
        cmocka_unit_test(test_engine_interfaces),
        cmocka_unit_test(test_engine_host_service),
        cmocka_unit_test(test_engine_threads),
        cmocka_unit_test(test_engine_death_found_by_a_call),
        cmocka_unit_test(test_engine_death_seen_first),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
