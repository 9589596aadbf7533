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

typedef struct Pair {
    FacetTransport *host_tr, *child_tr;
    FacetConn *host, *child;
    MarshalObject *object;
    IMarshalTest *proxy;
} Pair;

static FacetResult boot(FacetConn *c, FacetMarshal *request, FacetMarshal *reply, void *payload)
{
    Pair *p = payload;
    (void)c;
    (void)request;
    facet__wire_put_interface(reply, &p->object->itf, &IID_IMarshalTest);
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
    assert_int_equal(facet__conn_control(p->host, FACET_CTL_BOOT, NULL, booted, p), FACET_OK);
    assert_non_null(p->proxy);
}

static void pair_close(Pair *p)
{
    if (p->proxy != NULL)
        IMarshalTest_Release(p->proxy);
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
        cmocka_unit_test(test_engine_death_found_by_a_call),
        cmocka_unit_test(test_engine_death_seen_first),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
