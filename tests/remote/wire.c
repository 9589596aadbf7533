/*
 * wire.c - the decoder of a request's in-values (core/remote/wire.c), fed
 * one malformed body of each kind it rejects: each is named (m->bad says
 * what was malformed, the text the connection gives when it disconnects
 * the peer), nothing is handed to a callee, and nothing leaks. A
 * well-formed body of the same method is the control of each case.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "marshal.h"
#include "engine_support.h"

/* IMarshalTest's slots (marshal.idl; 0 to 2 are IUnknown's) */
#define ECHO 6
#define REVERSE 8
#define WORDS 12
#define CALL 13
#define TEXT 18

#define NULL_UNITS 0xFFFFFFFFu

/* A body being written: 4-byte words, or bytes, after a 32-byte header. */
typedef struct Body {
    unsigned char data[512];
    size_t n;
} Body;

static void u32(Body *b, uint32_t v)
{
    b->n = (b->n + 3u) & ~(size_t)3u;
    memcpy(b->data + 32 + b->n, &v, 4);
    b->n += 4;
}

static void u64(Body *b, uint64_t v)
{
    b->n = (b->n + 7u) & ~(size_t)7u;
    memcpy(b->data + 32 + b->n, &v, 8);
    b->n += 8;
}

static void bytes(Body *b, const void *p, size_t n)
{
    memcpy(b->data + 32 + b->n, p, n);
    b->n += n;
}

/* A string of 8-bit units as the wire carries it: count, units, NUL. */
static void text(Body *b, const char *s)
{
    u32(b, (uint32_t)strlen(s));
    bytes(b, s, strlen(s) + 1);
}

typedef struct Decoded {
    FacetArena arena;
    FacetMarshal m;
    void *args[FACET_PS_MAX_PARAMS];
} Decoded;

/* Reads b as the in-values of IMarshalTest's method slot. */
static void decode(Decoded *d, Body *b, uint32_t slot)
{
    memset(d, 0, sizeof(*d));
    d->m.buf = b->data;
    d->m.pos = 32;
    d->m.len = 32 + b->n;
    d->m.arena = &d->arena;
    facet__wire_get_ins(&d->m, marshal_find_ps(NULL, &IID_IMarshalTest), slot, d->args);
}

static void done(Decoded *d)
{
    facet__wire_finish(&d->m, 0);
    facet__arena_free(&d->arena);
}

/* The argument i as the stub hands it on: what its slot points at. */
static void *arg(Decoded *d, uint32_t i)
{
    return *(void **)d->args[i];
}

static void expect_bad(Body *b, uint32_t slot, const char *why)
{
    Decoded d;
    decode(&d, b, slot);
    if (d.m.bad == NULL)
        fail_msg("accepted; expected \"%s\"", why);
    assert_string_equal(d.m.bad, why);
    done(&d);
}

/* Reverse([in] uint32_t count, [in, size_is(count)] const uint8_t *in,
 *         [out, size_is(count)] uint8_t *out) */
static void reverse(Body *b, uint32_t count, uint32_t present, uint32_t n, uint32_t len,
                    const char *elements)
{
    memset(b, 0, sizeof(*b));
    u32(b, count);
    u32(b, present);
    if (present) {
        u32(b, n);
        u32(b, len);
        bytes(b, elements, strlen(elements));
    }
    u32(b, 1); /* out: present, of count elements, none sent */
    u32(b, count);
    u32(b, 0);
}

static void test_remote_wire__arrays(void **state)
{
    Body b;
    Decoded d;
    (void)state;
    reverse(&b, 3, 1, 3, 3, "abc"); /* the control */
    decode(&d, &b, REVERSE);
    assert_null(d.m.bad);
    assert_int_equal(d.m.error, FACET_OK);
    assert_int_equal(*(uint32_t *)d.args[0], 3);
    assert_memory_equal(arg(&d, 1), "abc", 3);
    assert_non_null(arg(&d, 2));
    done(&d);

    reverse(&b, 2, 1, 2, 3, "abc");
    expect_bad(&b, REVERSE, "an array whose length is more than its size");
    reverse(&b, 3, 1, 0x7FFFFFFFu, 0, "");
    expect_bad(&b, REVERSE, "an array larger than any message");
    reverse(&b, 5, 1, 3, 3, "abc");
    expect_bad(&b, REVERSE, "an array with fewer elements than its size_is or length_is says");
    reverse(&b, 3, 0, 0, 0, "");
    expect_bad(&b, REVERSE, "no array where its size_is says there are elements (a parameter "
                            "that is not [unique] may not be NULL)");
    /* the elements cut short by the end of the message */
    memset(&b, 0, sizeof(b));
    u32(&b, 3);
    u32(&b, 1);
    u32(&b, 3);
    u32(&b, 3);
    bytes(&b, "a", 1);
    expect_bad(&b, REVERSE, "an array longer than the message");
    /* a message that ends inside the first value */
    memset(&b, 0, sizeof(b));
    bytes(&b, "ab", 2);
    expect_bad(&b, REVERSE, "a value runs past the end of the message");
}

/* Echo([in, string] const char *text, [out, string] char **copy) */
static void echo(Body *b, uint32_t units, const void *chars, size_t n)
{
    memset(b, 0, sizeof(*b));
    u32(b, units);
    bytes(b, chars, n);
    u32(b, 1); /* copy: a place for the answer */
}

static void test_remote_wire__strings(void **state)
{
    Body b;
    Decoded d;
    (void)state;
    echo(&b, 5, "hello", 6); /* the control */
    decode(&d, &b, ECHO);
    assert_null(d.m.bad);
    assert_string_equal(arg(&d, 0), "hello");
    done(&d);

    echo(&b, 5, "hellox", 6);
    expect_bad(&b, ECHO, "a string without its terminating NUL");
    echo(&b, 5, "he\0lo", 6);
    expect_bad(&b, ECHO, "a string with a NUL character inside it");
    echo(&b, 4000, "hello", 6);
    expect_bad(&b, ECHO, "a string longer than the message");

    /* NULL where the string may not be: the call is refused, not the
     * message */
    memset(&b, 0, sizeof(b));
    u32(&b, NULL_UNITS);
    u32(&b, 1);
    decode(&d, &b, ECHO);
    assert_null(d.m.bad);
    assert_int_equal(d.m.error, FACET_E_POINTER);
    assert_string_equal(facet_last_error(), "IMarshalTest::Echo: argument text is NULL, which it "
                                            "may not be (a pointer parameter that is not "
                                            "[unique])");
    done(&d);
}

/* Words([in] uint32_t count, [in, size_is(count), string] const char *const *words,
 *       [out] uint64_t *total) */
static void test_remote_wire__string_arrays(void **state)
{
    Body b;
    Decoded d;
    (void)state;
    memset(&b, 0, sizeof(b)); /* the control */
    u32(&b, 2);
    u32(&b, 1);
    u32(&b, 2);
    text(&b, "ab");
    text(&b, "cde");
    u32(&b, 1);
    decode(&d, &b, WORDS);
    assert_null(d.m.bad);
    assert_string_equal(((const char **)arg(&d, 1))[0], "ab");
    assert_string_equal(((const char **)arg(&d, 1))[1], "cde");
    assert_null(((const char **)arg(&d, 1))[2]);
    done(&d);

    memset(&b, 0, sizeof(b));
    u32(&b, 2);
    u32(&b, 1);
    u32(&b, 1000);
    text(&b, "ab");
    u32(&b, 1);
    expect_bad(&b, WORDS, "an array of strings longer than the message");

    memset(&b, 0, sizeof(b)); /* count says 3, 2 strings came */
    u32(&b, 3);
    u32(&b, 1);
    u32(&b, 2);
    text(&b, "ab");
    text(&b, "cde");
    u32(&b, 1);
    expect_bad(&b, WORDS, "an array with fewer elements than its size_is or length_is says");
}

/* Text([in] IFacetString *in, [out] IFacetString **out) */
static void string_object(Body *b, uint32_t tag, uint64_t n, const void *chars, size_t size)
{
    memset(b, 0, sizeof(*b));
    u32(b, tag);
    u64(b, n);
    bytes(b, chars, size);
    u32(b, 1);
}

/* Call([in] IMarshalCallback *callback, [in] int32_t value) */
static void object_ref(Body *b, uint32_t tag, uint64_t id, const FacetGuid *iid)
{
    memset(b, 0, sizeof(*b));
    u32(b, tag);
    u64(b, id);
    u32(b, 0);
    bytes(b, iid, 16);
    u32(b, 7);
}

static void test_remote_wire__interfaces(void **state)
{
    Body b;
    Decoded d;
    IFacetString *s;
    const char *got = NULL;
    (void)state;
    string_object(&b, FACET_WIRE_ITF_STRING, 2, "hi", 3); /* the control */
    decode(&d, &b, TEXT);
    assert_null(d.m.bad);
    s = arg(&d, 0);
    assert_non_null(s);
    assert_int_equal(IFacetString_GetText(s, &got), FACET_OK);
    assert_string_equal(got, "hi");
    done(&d);

    string_object(&b, FACET_WIRE_ITF_BLOB, 2, "hi", 2);
    expect_bad(&b, TEXT, "a string or blob where another interface was expected");
    string_object(&b, FACET_WIRE_ITF_STRING, 2000, "hi", 3);
    expect_bad(&b, TEXT, "a string or blob longer than the message");
    string_object(&b, FACET_WIRE_ITF_STRING, 2, "h\0", 3);
    expect_bad(&b, TEXT, "a string with a NUL character inside it");
    string_object(&b, 9, 2, "hi", 3);
    expect_bad(&b, TEXT, "an interface pointer with an unknown tag");

    /* a NULL callback is a well-formed message, refused as a call */
    memset(&b, 0, sizeof(b));
    u32(&b, FACET_WIRE_ITF_NULL);
    u32(&b, 7);
    decode(&d, &b, CALL);
    assert_null(d.m.bad);
    assert_null(arg(&d, 0));
    assert_int_equal(*(int32_t *)d.args[1], 7);
    done(&d);

    object_ref(&b, FACET_WIRE_ITF_REF, 0, &IID_IMarshalCallback);
    expect_bad(&b, CALL, "an object id of 0");
    object_ref(&b, FACET_WIRE_ITF_REF, 5, &IID_IMarshalTest);
    expect_bad(&b, CALL, "an interface of another IID than the call declares");
    object_ref(&b, FACET_WIRE_ITF_STRING, 5, &IID_IMarshalCallback);
    expect_bad(&b, CALL, "a string or blob where another interface was expected");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_remote_wire__arrays),
        cmocka_unit_test(test_remote_wire__strings),
        cmocka_unit_test(test_remote_wire__string_arrays),
        cmocka_unit_test(test_remote_wire__interfaces),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
