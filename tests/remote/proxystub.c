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
#include <facet/proxystub.h>

extern const FacetPsLibrary facet_ps_marshal;

/* ---- A loop-back proxy --------------------------------------------------- */

typedef struct LoopProxy {
    const void *lpVtbl;         /* the generated proxy vtable */
    void *target;               /* the real object */
    const FacetPsInterface *ps;
    uint32_t refs;
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
    return ++((LoopProxy *)self)->refs;
}

uint32_t facet_proxy_release(void *self)
{
    return --((LoopProxy *)self)->refs;
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
    p->refs = 1;
}

/* ---- The real objects ---------------------------------------------------- */

typedef struct Callback {
    IMarshalCallback itf;
    int32_t value;
    char text[64];
} Callback;

static FacetResult FACET_CALL cb_query(IMarshalCallback *self, const FacetGuid *iid, void **out)
{
    if (memcmp(iid, &IID_IMarshalCallback, sizeof(*iid)) && memcmp(iid, &IID_IFacetUnknown, sizeof(*iid))) {
        *out = NULL;
        return FACET_E_NOINTERFACE;
    }
    *out = self;
    return FACET_OK;
}
static uint32_t FACET_CALL cb_addref(IMarshalCallback *self)
{
    (void)self;
    return 2;
}
static uint32_t FACET_CALL cb_release(IMarshalCallback *self)
{
    (void)self;
    return 1;
}
static FacetResult FACET_CALL cb_notify(IMarshalCallback *self, int32_t value, const char *text)
{
    Callback *c = (Callback *)self;
    c->value = value;
    strncpy(c->text, text ? text : "(null)", sizeof(c->text) - 1);
    return FACET_OK;
}
static const IMarshalCallbackVtbl cb_vtbl = {cb_query, cb_addref, cb_release, cb_notify};

typedef struct Test {
    IMarshalTest itf;
    IMarshalCallback *kept;
} Test;

static FacetResult FACET_CALL t_query(IMarshalTest *self, const FacetGuid *iid, void **out)
{
    if (memcmp(iid, &IID_IMarshalTest, sizeof(*iid)) && memcmp(iid, &IID_IFacetUnknown, sizeof(*iid))) {
        *out = NULL;
        return FACET_E_NOINTERFACE;
    }
    *out = self;
    return FACET_OK;
}
static uint32_t FACET_CALL t_addref(IMarshalTest *self)
{
    (void)self;
    return 2;
}
static uint32_t FACET_CALL t_release(IMarshalTest *self)
{
    (void)self;
    return 1;
}
static FacetResult FACET_CALL t_nothing(IMarshalTest *self)
{
    (void)self;
    return FACET_OK;
}
static FacetResult FACET_CALL t_scalars(IMarshalTest *self, int8_t a, uint16_t b, int32_t c,
                                        uint64_t d, float e, double f, double *sum)
{
    (void)self;
    *sum = (double)a + (double)b + (double)c + (double)d + (double)e + f;
    return FACET_OK;
}
static FacetResult FACET_CALL t_guid(IMarshalTest *self, const FacetGuid *in, FacetGuid *out)
{
    (void)self;
    *out = *in;
    out->Data1 ^= 0xFFFFFFFFu;
    return FACET_OK;
}
static FacetResult FACET_CALL t_echo(IMarshalTest *self, const char *text, char **copy)
{
    (void)self;
    *copy = malloc(strlen(text) + 1);
    strcpy(*copy, text);
    return FACET_OK;
}
static FacetResult FACET_CALL t_name(IMarshalTest *self, const char **name)
{
    (void)self;
    *name = "marshal-test";
    return FACET_OK;
}
static FacetResult FACET_CALL t_reverse(IMarshalTest *self, uint32_t count, const uint8_t *in,
                                        uint8_t *out)
{
    uint32_t i;
    (void)self;
    for (i = 0; i < count; i++)
        out[i] = in[count - 1 - i];
    return FACET_OK;
}
static FacetResult FACET_CALL t_fill(IMarshalTest *self, uint32_t capacity, uint32_t *written,
                                     int32_t *values)
{
    uint32_t i;
    (void)self;
    *written = capacity / 2;
    for (i = 0; i < *written; i++)
        values[i] = (int32_t)(i * i);
    return FACET_OK;
}
static FacetResult FACET_CALL t_swap(IMarshalTest *self, MarshalPoint *point)
{
    int32_t x = point->x;
    (void)self;
    point->x = point->y;
    point->y = x;
    return FACET_OK;
}
static FacetResult FACET_CALL t_record(IMarshalTest *self, const MarshalRecord *in,
                                       MarshalRecord *out)
{
    (void)self;
    *out = *in;
    out->id = -in->id;
    return FACET_OK;
}
static FacetResult FACET_CALL t_words(IMarshalTest *self, uint32_t count,
                                      const char *const *words, uint64_t *total)
{
    uint32_t i;
    (void)self;
    *total = 0;
    for (i = 0; i < count; i++)
        *total += strlen(words[i]);
    return FACET_OK;
}
static FacetResult FACET_CALL t_call(IMarshalTest *self, IMarshalCallback *cb, int32_t value)
{
    (void)self;
    return cb->lpVtbl->Notify(cb, value, "called");
}
static FacetResult FACET_CALL t_keep(IMarshalTest *self, IMarshalCallback *cb)
{
    ((Test *)self)->kept = cb;
    return FACET_OK;
}
static FacetResult FACET_CALL t_fire(IMarshalTest *self, int32_t value)
{
    IMarshalCallback *cb = ((Test *)self)->kept;
    return cb ? cb->lpVtbl->Notify(cb, value, "fired") : FACET_E_FAIL;
}
static FacetResult FACET_CALL t_self(IMarshalTest *self, IMarshalTest **out)
{
    *out = self;
    return FACET_OK;
}
static FacetResult FACET_CALL t_query2(IMarshalTest *self, const FacetGuid *iid, void **out)
{
    return self->lpVtbl->QueryInterface(self, iid, out);
}
static FacetResult FACET_CALL t_text(IMarshalTest *self, IFacetString *in, IFacetString **out)
{
    (void)self;
    *out = in;
    return FACET_OK;
}
static FacetResult FACET_CALL t_fail(IMarshalTest *self, FacetResult result)
{
    (void)self;
    return result;
}
static const IMarshalTestVtbl t_vtbl = {t_query,  t_addref, t_release, t_nothing, t_scalars,
                                        t_guid,   t_echo,   t_name,    t_reverse, t_fill,
                                        t_swap,   t_record, t_words,   t_call,    t_keep,
                                        t_fire,   t_self,   t_query2,  t_text,    t_fail};

/* ---- Tests ----------------------------------------------------------------- */

static Test object;
static LoopProxy proxy;
static IMarshalTest *px;

static int setup(void **state)
{
    (void)state;
    memset(&object, 0, sizeof(object));
    object.itf.lpVtbl = &t_vtbl;
    loop_proxy(&proxy, &object.itf, &IID_IMarshalTest);
    px = (IMarshalTest *)&proxy;
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

static void test_calls(void **state)
{
    double sum = 0;
    FacetGuid g = IID_IMarshalTest, back;
    char *copy = NULL;
    const char *name = NULL;
    uint8_t in[5] = {1, 2, 3, 4, 5}, out[5] = {0};
    int32_t values[8];
    uint32_t written = 0;
    MarshalPoint pt = {3, -7};
    (void)state;

    assert_int_equal(IMarshalTest_Nothing(px), FACET_OK);
    assert_int_equal(last_slot, 3);
    assert_int_equal(IMarshalTest_Scalars(px, -1, 2, -3, 4, 0.5f, 0.25, &sum), FACET_OK);
    assert_true(sum == 2.75);
    assert_int_equal(IMarshalTest_Guid(px, &g, &back), FACET_OK);
    assert_int_equal(back.Data1, g.Data1 ^ 0xFFFFFFFFu);
    assert_int_equal(IMarshalTest_Echo(px, "hello", &copy), FACET_OK);
    assert_string_equal(copy, "hello");
    free(copy);
    assert_int_equal(IMarshalTest_Name(px, &name), FACET_OK);
    assert_string_equal(name, "marshal-test");
    assert_int_equal(IMarshalTest_Reverse(px, 5, in, out), FACET_OK);
    assert_int_equal(out[0], 5);
    assert_int_equal(out[4], 1);
    assert_true(links_called);
    assert_int_equal(last_links.size[1], 5);
    assert_int_equal(last_links.size[2], 5);
    assert_int_equal(IMarshalTest_Fill(px, 8, &written, values), FACET_OK);
    assert_int_equal(written, 4);
    assert_int_equal(values[3], 9);
    assert_int_equal(IMarshalTest_Swap(px, &pt), FACET_OK);
    assert_int_equal(pt.x, -7);
    assert_int_equal(pt.y, 3);
    assert_int_equal(IMarshalTest_Fail(px, FACET_E_ACCESSDENIED), FACET_E_ACCESSDENIED);
    assert_int_equal(last_slot, 19);
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
    assert_ptr_equal(out, &object.itf);
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
    assert_ptr_equal(out.values, vals);
}

static void test_interfaces(void **state)
{
    Callback cb;
    LoopProxy cbp;
    IMarshalTest *self = NULL;
    (void)state;
    memset(&cb, 0, sizeof(cb));
    cb.itf.lpVtbl = &cb_vtbl;
    /* the callback itself through a proxy too, as it would cross back */
    loop_proxy(&cbp, &cb.itf, &IID_IMarshalCallback);
    assert_int_equal(IMarshalTest_Call(px, (IMarshalCallback *)&cbp, 7), FACET_OK);
    assert_int_equal(cb.value, 7);
    assert_string_equal(cb.text, "called");
    assert_int_equal(last_slot, 3); /* the callback's Notify was the last call */
    assert_int_equal(IMarshalTest_Keep(px, (IMarshalCallback *)&cbp), FACET_OK);
    assert_int_equal(IMarshalTest_Fire(px, 9), FACET_OK);
    assert_int_equal(cb.value, 9);
    assert_string_equal(cb.text, "fired");
    assert_int_equal(IMarshalTest_Self(px, &self), FACET_OK);
    assert_ptr_equal(self, &object.itf);
    /* the proxy's IFacetUnknown is the engine's */
    assert_int_equal(IMarshalTest_AddRef(px), 2);
    assert_int_equal(IMarshalTest_Release(px), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_library, setup),
        cmocka_unit_test_setup(test_shapes, setup),
        cmocka_unit_test_setup(test_calls, setup),
        cmocka_unit_test_setup(test_links, setup),
        cmocka_unit_test_setup(test_struct_links, setup),
        cmocka_unit_test_setup(test_interfaces, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
