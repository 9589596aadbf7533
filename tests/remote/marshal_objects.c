/*
 * marshal_objects.c - see marshal_objects.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "marshal_objects.h"

static int same(const FacetGuid *a, const FacetGuid *b)
{
    return memcmp(a, b, sizeof(*a)) == 0;
}

/* ---- The callback ---------------------------------------------------------- */

static FacetResult FACET_CALL cb_query(IMarshalCallback *self, const FacetGuid *iid, void **out)
{
    if (!same(iid, &IID_IMarshalCallback) && !same(iid, &IID_IFacetUnknown)) {
        *out = NULL;
        return FACET_E_NOINTERFACE;
    }
    self->lpVtbl->AddRef(self);
    *out = self;
    return FACET_OK;
}
static uint32_t FACET_CALL cb_addref(IMarshalCallback *self)
{
    return __atomic_add_fetch(&((MarshalCallback *)self)->refs, 1u, __ATOMIC_ACQ_REL);
}
static uint32_t FACET_CALL cb_release(IMarshalCallback *self)
{
    uint32_t n = __atomic_sub_fetch(&((MarshalCallback *)self)->refs, 1u, __ATOMIC_ACQ_REL);
    if (n == 0)
        free(self);
    return n;
}
static FacetResult FACET_CALL cb_notify(IMarshalCallback *self, int32_t value, const char *text)
{
    MarshalCallback *c = (MarshalCallback *)self;
    c->value = value;
    strncpy(c->text, text ? text : "(null)", sizeof(c->text) - 1);
    return FACET_OK;
}
static const IMarshalCallbackVtbl cb_vtbl = {cb_query, cb_addref, cb_release, cb_notify};

MarshalCallback *marshal_callback_new(void)
{
    MarshalCallback *c = calloc(1, sizeof(*c));
    assert_non_null(c);
    c->itf.lpVtbl = &cb_vtbl;
    c->refs = 1;
    return c;
}

/* ---- The object ------------------------------------------------------------- */

static FacetResult FACET_CALL t_query(IMarshalTest *self, const FacetGuid *iid, void **out)
{
    if (!same(iid, &IID_IMarshalTest) && !same(iid, &IID_IFacetUnknown)) {
        *out = NULL;
        return FACET_E_NOINTERFACE;
    }
    self->lpVtbl->AddRef(self);
    *out = self;
    return FACET_OK;
}
static uint32_t FACET_CALL t_addref(IMarshalTest *self)
{
    return __atomic_add_fetch(&((MarshalObject *)self)->refs, 1u, __ATOMIC_ACQ_REL);
}
static uint32_t FACET_CALL t_release(IMarshalTest *self)
{
    MarshalObject *o = (MarshalObject *)self;
    uint32_t n = __atomic_sub_fetch(&o->refs, 1u, __ATOMIC_ACQ_REL);
    if (n == 0) {
        if (o->kept != NULL)
            o->kept->lpVtbl->Release(o->kept);
        free(o);
    }
    return n;
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
    *copy = marshal_alloc(strlen(text) + 1);
    if (*copy == NULL)
        return FACET_E_OUTOFMEMORY;
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
    static const uint16_t values[2] = {7, 11};
    (void)self;
    *out = *in;
    out->id = -in->id;
    out->weight = in->weight * 2;
    out->at.x = in->at.y;
    out->at.y = in->at.x;
    out->label = "out-label";
    out->count = 2;
    out->values = values;
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
    MarshalObject *o = (MarshalObject *)self;
    if (cb != NULL)
        cb->lpVtbl->AddRef(cb);
    if (o->kept != NULL)
        o->kept->lpVtbl->Release(o->kept);
    o->kept = cb;
    return FACET_OK;
}
static FacetResult FACET_CALL t_fire(IMarshalTest *self, int32_t value)
{
    IMarshalCallback *cb = ((MarshalObject *)self)->kept;
    return cb ? cb->lpVtbl->Notify(cb, value, "fired") : FACET_E_FAIL;
}
static FacetResult FACET_CALL t_self(IMarshalTest *self, IMarshalTest **out)
{
    self->lpVtbl->AddRef(self);
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
    if (in != NULL)
        in->lpVtbl->AddRef(in);
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

MarshalObject *marshal_object_new(void)
{
    MarshalObject *o = calloc(1, sizeof(*o));
    assert_non_null(o);
    o->itf.lpVtbl = &t_vtbl;
    o->refs = 1;
    return o;
}

uint32_t marshal_object_release(MarshalObject *o)
{
    return o->itf.lpVtbl->Release(&o->itf);
}

/* ---- The test bodies --------------------------------------------------------- */

void marshal_check_values(IMarshalTest *t)
{
    double sum = 0;
    FacetGuid g = IID_IMarshalTest, back;
    char *copy = NULL;
    const char *name = NULL;
    uint8_t in[5] = {1, 2, 3, 4, 5}, out[5] = {0};
    int32_t values[8] = {0};
    uint32_t written = 0;
    MarshalPoint pt = {3, -7};
    const char *words[3] = {"a", "bb", "ccc"};
    uint64_t total = 0;
    uint16_t vals[3] = {1, 2, 3};
    MarshalRecord rin, rout;

    assert_int_equal(IMarshalTest_Nothing(t), FACET_OK);
    assert_int_equal(IMarshalTest_Scalars(t, -1, 2, -3, 4, 0.5f, 0.25, &sum), FACET_OK);
    assert_true(sum == 2.75);
    assert_int_equal(IMarshalTest_Guid(t, &g, &back), FACET_OK);
    assert_int_equal(back.Data1, g.Data1 ^ 0xFFFFFFFFu);
    assert_memory_equal(back.Data4, g.Data4, 8);
    assert_int_equal(IMarshalTest_Echo(t, "hello, world", &copy), FACET_OK);
    assert_string_equal(copy, "hello, world");
    marshal_free(copy);
    assert_int_equal(IMarshalTest_Name(t, &name), FACET_OK);
    assert_string_equal(name, "marshal-test");
    assert_int_equal(IMarshalTest_Reverse(t, 5, in, out), FACET_OK);
    assert_int_equal(out[0], 5);
    assert_int_equal(out[4], 1);
    assert_int_equal(IMarshalTest_Fill(t, 8, &written, values), FACET_OK);
    assert_int_equal(written, 4);
    assert_int_equal(values[3], 9);
    assert_int_equal(IMarshalTest_Swap(t, &pt), FACET_OK);
    assert_int_equal(pt.x, -7);
    assert_int_equal(pt.y, 3);
    assert_int_equal(IMarshalTest_Words(t, 3, words, &total), FACET_OK);
    assert_int_equal(total, 6);

    memset(&rin, 0, sizeof(rin));
    memset(&rout, 0, sizeof(rout));
    rin.struct_size = sizeof(rin);
    rin.id = 42;
    rin.weight = 1.5;
    rin.kind = IID_IMarshalCallback;
    rin.at.x = 1;
    rin.at.y = 2;
    rin.label = "in-label";
    rin.count = 3;
    rin.values = vals;
    rout.struct_size = sizeof(rout);
    assert_int_equal(IMarshalTest_Record(t, &rin, &rout), FACET_OK);
    assert_int_equal(rout.id, -42);
    assert_true(rout.weight == 3.0);
    assert_memory_equal(&rout.kind, &IID_IMarshalCallback, sizeof(FacetGuid));
    assert_int_equal(rout.at.x, 2);
    assert_int_equal(rout.at.y, 1);
    assert_string_equal(rout.label, "out-label");
    assert_int_equal(rout.count, 2);
    assert_int_equal(rout.values[0], 7);
    assert_int_equal(rout.values[1], 11);

    assert_int_equal(IMarshalTest_Fail(t, FACET_E_ACCESSDENIED), FACET_E_ACCESSDENIED);
    assert_int_equal(IMarshalTest_Fail(t, FACET_FALSE), FACET_FALSE);
}

void marshal_check_interfaces(IMarshalTest *t, MarshalObject *o)
{
    MarshalCallback *cb = marshal_callback_new();
    IMarshalTest *self = NULL;
    void *q = NULL;
    IFacetUnknown *a = NULL, *b = NULL;

    assert_int_equal(IMarshalTest_Call(t, &cb->itf, 7), FACET_OK);
    assert_int_equal(cb->value, 7);
    assert_string_equal(cb->text, "called");
    assert_int_equal(IMarshalTest_Keep(t, &cb->itf), FACET_OK);
    assert_int_equal(IMarshalTest_Fire(t, 9), FACET_OK);
    assert_int_equal(cb->value, 9);
    assert_string_equal(cb->text, "fired");
    assert_int_equal(IMarshalTest_Keep(t, NULL), FACET_OK);
    assert_int_equal(IMarshalTest_Fire(t, 10), FACET_E_FAIL);
    assert_int_equal(cb->value, 9);

    /* an object coming back is the same object (the proxy's identity) */
    assert_int_equal(IMarshalTest_Self(t, &self), FACET_OK);
    assert_non_null(self);
    assert_int_equal(IMarshalTest_QueryInterface(self, &IID_IFacetUnknown, (void **)&a), FACET_OK);
    assert_int_equal(IMarshalTest_QueryInterface(t, &IID_IFacetUnknown, (void **)&b), FACET_OK);
    assert_ptr_equal(a, b);
    a->lpVtbl->Release(a);
    b->lpVtbl->Release(b);
    IMarshalTest_Release(self);

    assert_int_equal(IMarshalTest_Query(t, &IID_IMarshalTest, &q), FACET_OK);
    assert_non_null(q);
    IMarshalTest_Release((IMarshalTest *)q);
    q = (void *)1;
    assert_int_equal(IMarshalTest_Query(t, &IID_IFacetFactory, &q), FACET_E_NOINTERFACE);
    assert_null(q);

    /* every reference the calls took was given back */
    assert_int_equal(__atomic_load_n(&cb->refs, __ATOMIC_ACQUIRE), 1);
    assert_true(__atomic_load_n(&o->refs, __ATOMIC_ACQUIRE) >= 1);
    cb->itf.lpVtbl->Release(&cb->itf);
}
