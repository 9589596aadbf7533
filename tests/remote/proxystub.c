/*
 * proxystub.c - the proxies and stubs facet-idl writes (marshal_ps.c), run
 * without a second process: a proxy here hands the array of argument
 * pointers its method built straight to the stub of the same interface,
 * which calls the real object. What the marshaling engine reads (each
 * parameter's shape, size, links) is checked against what marshal.idl
 * says, and the links are evaluated on real arguments.
 *
 * The test defines facet_proxy_call and the proxy's IFacetUnknown itself:
 * it is built from the generated file alone, without libfacet.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "marshal.h"
#include "marshal_objects.h"
#include <facet/proxystub.h>

extern const FacetPsLibrary facet_ps_marshal;

/* ---- A loop-back proxy --------------------------------------------------- */

typedef struct LoopProxy {
    const void *lpVtbl;         /* the generated proxy vtable */
    void *target;               /* the real object */
    const FacetPsInterface *ps;
} LoopProxy;

static uint32_t last_slot;
static FacetPsLinks last_links;
static int links_called;

FacetResult facet_proxy_call(void *self, uint32_t slot, void **args)
{
    LoopProxy *p = self;
    const FacetPsMethod *m;
    last_slot = slot;
    if (slot < 3 || slot >= p->ps->method_count)
        return FACET_E_INVALIDARG;
    m = &p->ps->methods[slot - 3];
    if (m->flags & FACET_PS_NOT_REMOTE)
        return FACET_E_NOTIMPL;
    links_called = 0;
    memset(&last_links, 0, sizeof(last_links));
    if (m->flags & FACET_PS_LINKS) {
        assert_non_null(p->ps->links);
        p->ps->links(slot, args, &last_links);
        links_called = 1;
    }
    return p->ps->stub(p->target, slot, args);
}

FacetResult facet_proxy_query(void *self, const FacetGuid *iid, void **out)
{
    LoopProxy *p = self;
    IFacetUnknown *t = p->target;
    return t->lpVtbl->QueryInterface(t, iid, out);
}

uint32_t facet_proxy_addref(void *self)
{
    IFacetUnknown *t = ((LoopProxy *)self)->target;
    return t->lpVtbl->AddRef(t);
}

uint32_t facet_proxy_release(void *self)
{
    IFacetUnknown *t = ((LoopProxy *)self)->target;
    return t->lpVtbl->Release(t);
}

void *marshal_alloc(size_t size)
{
    return malloc(size);
}

void marshal_free(void *p)
{
    free(p);
}

static const FacetPsInterface *find(const FacetGuid *iid)
{
    uint32_t i;
    for (i = 0; i < facet_ps_marshal.interface_count; i++)
        if (memcmp(&facet_ps_marshal.interfaces[i]->iid, iid, sizeof(*iid)) == 0)
            return facet_ps_marshal.interfaces[i];
    return NULL;
}

static void loop_proxy(LoopProxy *p, void *target, const FacetGuid *iid)
{
    p->ps = find(iid);
    assert_non_null(p->ps);
    p->lpVtbl = p->ps->proxy_vtbl;
    p->target = target;
}

/* ---- Tests ----------------------------------------------------------------- */

static MarshalObject *object;
static LoopProxy proxy;
static IMarshalTest *px;

static int setup(void **state)
{
    (void)state;
    object = marshal_object_new();
    loop_proxy(&proxy, &object->itf, &IID_IMarshalTest);
    px = (IMarshalTest *)&proxy;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    assert_int_equal(marshal_object_release(object), 0);
    return 0;
}

static const FacetPsParam *param(const char *method, uint32_t index)
{
    const FacetPsInterface *ps = find(&IID_IMarshalTest);
    uint32_t i;
    for (i = 0; i + 3 < ps->method_count; i++)
        if (strcmp(ps->methods[i].name, method) == 0) {
            assert_true(index < ps->methods[i].param_count);
            return &ps->methods[i].params[index];
        }
    fail_msg("no method %s", method);
    return NULL;
}

static void test_library(void **state)
{
    const FacetPsInterface *ps;
    (void)state;
    assert_int_equal(facet_ps_marshal.struct_size, sizeof(FacetPsLibrary));
    assert_int_equal(facet_ps_marshal.version, FACET_PS_VERSION);
    assert_string_equal(facet_ps_marshal.source, "marshal.idl");
    assert_int_equal(facet_ps_marshal.interface_count, 2);
    ps = find(&IID_IMarshalTest);
    assert_non_null(ps);
    assert_string_equal(ps->name, "IMarshalTest");
    assert_int_equal(ps->method_count, sizeof(IMarshalTestVtbl) / sizeof(void (*)(void)));
    assert_string_equal(ps->methods[0].name, "Nothing");
    assert_string_equal(ps->methods[ps->method_count - 4].name, "Fail");
    assert_non_null(find(&IID_IMarshalCallback));
}

static void test_shapes(void **state)
{
    const FacetPsParam *p;
    (void)state;
    p = param("Scalars", 4);
    assert_int_equal(p->shape, FACET_PS_VALUE);
    assert_int_equal(p->size, sizeof(float));
    p = param("Scalars", 6);
    assert_int_equal(p->shape, FACET_PS_REF);
    assert_int_equal(p->flags & (FACET_PS_IN | FACET_PS_OUT), FACET_PS_OUT);
    p = param("Echo", 0);
    assert_int_equal(p->shape, FACET_PS_STRING);
    p = param("Echo", 1);
    assert_int_equal(p->shape, FACET_PS_STRING_OUT);
    assert_true(p->flags & FACET_PS_ALLOCATED);
    p = param("Name", 0);
    assert_int_equal(p->shape, FACET_PS_STRING_OUT);
    assert_false(p->flags & FACET_PS_ALLOCATED);
    p = param("Reverse", 1);
    assert_int_equal(p->shape, FACET_PS_ARRAY);
    assert_int_equal(p->size_is, 1);
    assert_true(p->flags & FACET_PS_CONST);
    p = param("Fill", 2);
    assert_int_equal(p->shape, FACET_PS_ARRAY);
    assert_int_equal(p->length_is, 2);
    p = param("Swap", 0);
    assert_int_equal(p->shape, FACET_PS_REF);
    assert_int_equal(p->flags & (FACET_PS_IN | FACET_PS_OUT), FACET_PS_IN | FACET_PS_OUT);
    assert_non_null(p->st);
    assert_int_equal(p->st->size, sizeof(MarshalPoint));
    p = param("Record", 0);
    assert_non_null(p->st);
    assert_true(p->st->flags & FACET_PS_SIZED);
    assert_int_equal(p->st->field_count, 8);
    assert_int_equal(p->st->fields[5].shape, FACET_PS_STRING);
    assert_int_equal(p->st->fields[7].offset, offsetof(MarshalRecord, values));
    assert_int_equal(p->st->fields[7].size_is, 7);
    p = param("Words", 1);
    assert_int_equal(p->shape, FACET_PS_STRING_ARRAY);
    p = param("Call", 0);
    assert_int_equal(p->shape, FACET_PS_INTERFACE);
    assert_memory_equal(p->iid, &IID_IMarshalCallback, sizeof(FacetGuid));
    p = param("Self", 0);
    assert_int_equal(p->shape, FACET_PS_INTERFACE_OUT);
    assert_memory_equal(p->iid, &IID_IMarshalTest, sizeof(FacetGuid));
    p = param("Query", 1);
    assert_int_equal(p->shape, FACET_PS_INTERFACE_OUT);
    assert_null(p->iid);
    assert_int_equal(p->iid_is, 1);
    p = param("Text", 0);
    assert_int_equal(p->shape, FACET_PS_INTERFACE);
    assert_memory_equal(p->iid, &IID_IFacetString, sizeof(FacetGuid));
}

/* The shared bodies through the generated code, and the slots it called. */
static void test_calls(void **state)
{
    (void)state;
    assert_int_equal(IMarshalTest_Nothing(px), FACET_OK);
    assert_int_equal(last_slot, 3);
    marshal_check_values(px);
    assert_int_equal(last_slot, 19);
    assert_int_equal(IMarshalTest_Reverse(px, 0, NULL, NULL), FACET_OK);
    assert_true(links_called);
    assert_int_equal(last_links.size[1], 0);
}

/* The links are C evaluated on the arguments: a length_is read through
 * an out-pointer gives what the callee wrote (the stub side evaluates it
 * after the call), and a NULL pointer read through gives 0, not a crash. */
static void test_links(void **state)
{
    int32_t values[4];
    uint32_t written = 3;
    const char *words[3] = {"a", "bb", "ccc"};
    uint64_t total = 0;
    void *out = NULL;
    const FacetPsInterface *ps = find(&IID_IMarshalTest);
    uint32_t capacity = 4, *null_written = NULL;
    void *args[3];
    FacetPsLinks links;
    (void)state;

    assert_int_equal(IMarshalTest_Fill(px, 4, &written, values), FACET_OK);
    assert_int_equal(last_links.size[2], 4);
    assert_int_equal(last_links.length[2], 3); /* the value before the call */
    args[0] = &capacity;
    args[1] = &null_written;
    args[2] = NULL;
    ps->links(9, args, &links);
    assert_int_equal(links.size[2], 4);
    assert_int_equal(links.length[2], 0);

    assert_int_equal(IMarshalTest_Words(px, 3, words, &total), FACET_OK);
    assert_int_equal(total, 6);
    assert_int_equal(last_links.size[1], 3);

    assert_int_equal(IMarshalTest_Query(px, &IID_IMarshalTest, &out), FACET_OK);
    assert_ptr_equal(out, &object->itf);
    IMarshalTest_Release((IMarshalTest *)out);
    assert_ptr_equal(last_links.iid[1], &IID_IMarshalTest);
}

static void test_struct_links(void **state)
{
    const FacetPsParam *p = param("Record", 0);
    uint16_t vals[3] = {1, 2, 3};
    MarshalRecord in, out;
    FacetPsLinks links;
    (void)state;
    memset(&in, 0, sizeof(in));
    in.struct_size = sizeof(in);
    in.id = 42;
    in.label = "rec";
    in.count = 3;
    in.values = vals;
    assert_non_null(p->st->links);
    p->st->links(&in, &links);
    assert_int_equal(links.size[7], 3);
    assert_int_equal(IMarshalTest_Record(px, &in, &out), FACET_OK);
    assert_int_equal(out.id, -42);
}

static void test_interfaces(void **state)
{
    MarshalCallback *cb = marshal_callback_new();
    LoopProxy cbp;
    (void)state;
    marshal_check_interfaces(px, object);
    /* a callback that comes through a proxy of its own, as it would cross */
    loop_proxy(&cbp, &cb->itf, &IID_IMarshalCallback);
    assert_int_equal(IMarshalTest_Call(px, (IMarshalCallback *)&cbp, 7), FACET_OK);
    assert_int_equal(cb->value, 7);
    assert_int_equal(last_slot, 3); /* the callback's Notify was the last call */
    cb->itf.lpVtbl->Release(&cb->itf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_library, setup, teardown),
        cmocka_unit_test_setup_teardown(test_shapes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_calls, setup, teardown),
        cmocka_unit_test_setup_teardown(test_links, setup, teardown),
        cmocka_unit_test_setup_teardown(test_struct_links, setup, teardown),
        cmocka_unit_test_setup_teardown(test_interfaces, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
