/*
 * tests/core/create.c - creating objects by clsid, by contract name and by
 * clsid text; interfaces a class lacks; a factory that breaks the rules.
 */
#include "support.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "test_itf.h"

typedef struct Fixture {
    FacetRuntime *rt;
    FacetModule *alpha;
} Fixture;

static int setup(void **state)
{
    Fixture *f = calloc(1, sizeof(*f));
    if (f == NULL || facet_runtime_new(&f->rt, NULL) != FACET_OK ||
        facet_module_load(&f->alpha, f->rt, facet_test_module("alpha")) != FACET_OK)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    Fixture *f = *state;
    assert_int_equal(facet_module_unload(f->alpha), FACET_OK);
    assert_int_equal(facet_runtime_free(f->rt), FACET_OK);
    free(f);
    assert_no_leaks();
    return 0;
}

static void test_core_create__by_clsid(void **state)
{
    Fixture *f = *state;
    ITestCounter *c;
    IFacetUnknown *u1, *u2;
    int32_t total = 0;
    assert_int_equal(facet_create_instance((void **)&c, f->rt, &CLSID_AlphaCounter, NULL,
                                           &IID_ITestCounter),
                     FACET_OK);
    assert_int_equal(ITestCounter_Add(c, 5, &total), FACET_OK);
    assert_int_equal(ITestCounter_Add(c, -2, &total), FACET_OK);
    assert_int_equal(total, 3);
    /* QueryInterface for IFacetUnknown gives one identity. */
    assert_int_equal(ITestCounter_QueryInterface(c, &IID_IFacetUnknown, (void **)&u1), FACET_OK);
    assert_int_equal(ITestCounter_QueryInterface(c, &IID_IFacetUnknown, (void **)&u2), FACET_OK);
    assert_ptr_equal(u1, u2);
    IFacetUnknown_Release(u1);
    IFacetUnknown_Release(u2);
    assert_int_equal(ITestCounter_Release(c), 0);
}

static void test_core_create__by_name_and_clsid_text(void **state)
{
    Fixture *f = *state;
    ITestEcho *e;
    IFacetString *s;
    const char *text;
    uint64_t len;
    FacetGuid clsid;

    assert_int_equal(facet_create_instance_by_name((void **)&e, f->rt, "test.alpha.echo", NULL,
                                                   &IID_ITestEcho),
                     FACET_OK);
    assert_int_equal(ITestEcho_Echo(e, "h\xc3\xa9llo", &s), FACET_OK);
    assert_int_equal(IFacetString_GetText(s, &text), FACET_OK);
    assert_int_equal(IFacetString_GetLength(s, &len), FACET_OK);
    assert_string_equal(text, "h\xc3\xa9llo");
    assert_int_equal(len, 6);
    IFacetString_Release(s);
    ITestEcho_Release(e);

    assert_int_equal(facet_create_instance_by_name((void **)&e, f->rt,
                                                   "{0A1FA000-0000-4000-8000-000000000002}", NULL,
                                                   &IID_ITestEcho),
                     FACET_OK);
    ITestEcho_Release(e);
    assert_int_equal(facet_class_lookup(&clsid, f->rt, "test.alpha.counter"), FACET_OK);
    assert_true(FacetGuidEqual(&clsid, &CLSID_AlphaCounter));
}

static void test_core_create__not_registered(void **state)
{
    Fixture *f = *state;
    void *p = (void *)1;
    FacetGuid clsid;
    expect_error(facet_create_instance(&p, f->rt, &CLSID_BetaCounter, NULL, &IID_ITestCounter),
                 FACET_E_CLASSNOTREG, "{0BE7A000-0000-4000-8000-000000000001}",
                 "no loaded module");
    assert_null(p);
    expect_error(facet_create_instance_by_name(&p, f->rt, "test.nobody", NULL, &IID_IFacetUnknown),
                 FACET_E_CLASSNOTREG, "\"test.nobody\"");
    assert_null(p);
    expect_error(facet_class_lookup(&clsid, f->rt, "test.nobody"), FACET_E_CLASSNOTREG,
                 "test.nobody");
}

static void test_core_create__missing_interface(void **state)
{
    Fixture *f = *state;
    void *p = (void *)1;
    expect_error(facet_create_instance(&p, f->rt, &CLSID_AlphaCounter, NULL, &IID_ITestNobody),
                 FACET_E_NOINTERFACE, "alpha", "test.alpha.counter",
                 "does not implement interface {6F1C2A1F-1D3E-4A5B-9C01-11223344556F}");
    assert_null(p);
}

/* The echo class can be aggregated: its ITestEcho delegates IUnknown to the
 * outer object; the counter class refuses. */
typedef struct Outer {
    IFacetUnknown unk;
    uint32_t refs;
    IFacetUnknown *inner;
} Outer;

static FacetResult FACET_CALL outer_qi(IFacetUnknown *self, const FacetGuid *iid, void **out)
{
    Outer *o = (Outer *)self;
    if (FacetGuidEqual(iid, &IID_IFacetUnknown)) {
        o->refs++;
        *out = self;
        return FACET_OK;
    }
    return IFacetUnknown_QueryInterface(o->inner, iid, out);
}
static uint32_t FACET_CALL outer_addref(IFacetUnknown *self)
{
    return ++((Outer *)self)->refs;
}
static uint32_t FACET_CALL outer_release(IFacetUnknown *self)
{
    return --((Outer *)self)->refs;
}
static const IFacetUnknownVtbl outer_vtbl = {outer_qi, outer_addref, outer_release};

static void test_core_create__aggregation(void **state)
{
    Fixture *f = *state;
    Outer outer = {{&outer_vtbl}, 1, NULL};
    ITestEcho *echo;
    IFacetUnknown *identity;
    void *p = (void *)1;

    expect_error(facet_create_instance(&p, f->rt, &CLSID_AlphaCounter, &outer.unk,
                                       &IID_IFacetUnknown),
                 FACET_E_NOAGGREGATION, "test.alpha.counter");
    assert_null(p);
    assert_int_equal(facet_create_instance((void **)&outer.inner, f->rt, &CLSID_AlphaEcho,
                                           &outer.unk, &IID_IFacetUnknown),
                     FACET_OK);
    assert_int_equal(outer_qi(&outer.unk, &IID_ITestEcho, (void **)&echo), FACET_OK);
    /* The inner interface answers IUnknown with the outer identity. */
    assert_int_equal(ITestEcho_QueryInterface(echo, &IID_IFacetUnknown, (void **)&identity),
                     FACET_OK);
    assert_ptr_equal(identity, &outer.unk);
    IFacetUnknown_Release(identity);
    ITestEcho_Release(echo); /* goes to the outer */
    assert_int_equal(outer.refs, 1);
    assert_int_equal(IFacetUnknown_Release(outer.inner), 0);
}

static void test_core_create__factory_returns_null(void **state)
{
    Fixture *f = *state;
    FacetModule *m;
    void *p = (void *)1;
    /* bad_create_null has alpha's classes: let alpha go first. */
    assert_int_equal(facet_module_unload(f->alpha), FACET_OK);
    assert_int_equal(facet_module_load(&m, f->rt, facet_test_module("bad_create_null")),
                     FACET_OK);
    expect_error(facet_create_instance(&p, f->rt, &CLSID_AlphaCounter, NULL, &IID_ITestCounter),
                 FACET_E_CONTRACT, "bad_create_null", "returned FACET_OK with a NULL object");
    assert_null(p);
    assert_int_equal(facet_module_unload(m), FACET_OK);
    assert_int_equal(facet_module_load(&f->alpha, f->rt, facet_test_module("alpha")), FACET_OK);
}

static void test_core_create__null_arguments(void **state)
{
    Fixture *f = *state;
    void *p = (void *)1;
    FacetGuid g;
    expect_error(facet_create_instance(NULL, f->rt, &CLSID_AlphaCounter, NULL, &IID_ITestCounter),
                 FACET_E_POINTER, "'out'");
    expect_error(facet_create_instance(&p, NULL, &CLSID_AlphaCounter, NULL, &IID_ITestCounter),
                 FACET_E_POINTER, "'rt'");
    assert_null(p);
    expect_error(facet_create_instance(&p, f->rt, NULL, NULL, &IID_ITestCounter), FACET_E_POINTER,
                 "'clsid'");
    expect_error(facet_create_instance(&p, f->rt, &CLSID_AlphaCounter, NULL, NULL),
                 FACET_E_POINTER, "'iid'");
    expect_error(facet_create_instance_by_name(NULL, f->rt, "x", NULL, &IID_IFacetUnknown),
                 FACET_E_POINTER, "'out'");
    expect_error(facet_create_instance_by_name(&p, NULL, "x", NULL, &IID_IFacetUnknown),
                 FACET_E_POINTER, "'rt'");
    expect_error(facet_create_instance_by_name(&p, f->rt, NULL, NULL, &IID_IFacetUnknown),
                 FACET_E_POINTER, "'name'");
    expect_error(facet_create_instance_by_name(&p, f->rt, "x", NULL, NULL), FACET_E_POINTER,
                 "'iid'");
    expect_error(facet_class_lookup(NULL, f->rt, "x"), FACET_E_POINTER, "'out'");
    expect_error(facet_class_lookup(&g, NULL, "x"), FACET_E_POINTER, "'rt'");
    expect_error(facet_class_lookup(&g, f->rt, NULL), FACET_E_POINTER, "'name'");
}

static void *create_gamma(void *arg)
{
    void *p = (void *)1;
    FacetResult r = facet_create_instance(&p, (FacetRuntime *)arg, &CLSID_GammaCounter, NULL,
                                          &IID_ITestCounter);
    /* Checked here, on the thread whose last error it is. */
    expect_error(r, FACET_E_WRONGTHREAD, "FACET_THREADING_MAIN", "test.gamma.counter");
    return p;
}

static void test_core_create__main_thread_class(void **state)
{
    Fixture *f = *state;
    FacetModule *m;
    ITestCounter *c;
    pthread_t t;
    void *other = (void *)1;
    assert_int_equal(facet_module_load(&m, f->rt, facet_test_module("gamma_main")), FACET_OK);
    assert_int_equal(facet_create_instance((void **)&c, f->rt, &CLSID_GammaCounter, NULL,
                                           &IID_ITestCounter),
                     FACET_OK);
    ITestCounter_Release(c);
    assert_int_equal(pthread_create(&t, NULL, create_gamma, f->rt), 0);
    pthread_join(t, &other);
    assert_null(other);
    assert_int_equal(facet_module_unload(m), FACET_OK);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_core_create__by_clsid),          T(test_core_create__by_name_and_clsid_text),
        T(test_core_create__not_registered),    T(test_core_create__missing_interface),
        T(test_core_create__aggregation),       T(test_core_create__factory_returns_null),
        T(test_core_create__null_arguments),    T(test_core_create__main_thread_class),
    };
    return cmocka_run_group_tests_name("core/create", tests, NULL, NULL);
}
