/*
 * reader.c - what the host reads from a hostile child: arbitrary bytes
 * posted on a lane the child calls the host on, as a request to an object
 * the host exported (a callback, a host service). The host must answer,
 * or find the message malformed, disconnect the child and say why; never
 * crash, hang or leak.
 *
 * Built twice: as a cmocka test (hand-made messages, a well-formed one as
 * the positive control, and the fuzz corpus replayed), and with
 * -DFACET_REMOTE_FUZZER as the libFuzzer target remote_fuzz (tests/fuzz).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "marshal.h"
#include "engine_support.h"

#ifdef FACET_REMOTE_FUZZER
#define CHECK(x)                                                                                   \
    do {                                                                                           \
        if (!(x))                                                                                  \
            abort();                                                                               \
    } while (0)
#else
#include <cmocka.h>
#define CHECK(x) assert_true(x)
#endif

static int deaths;
static char death_text[512];

static void dead(void *payload, FacetResult why, const char *text)
{
    (void)payload;
    (void)why;
    deaths++;
    snprintf(death_text, sizeof(death_text), "%s", text);
}

static const FacetConnHooks hooks = {dead, marshal_find_ps};

#define LANE_CAPACITY (64u * 1024u)

/* The host's end (a connection that serves lane 1) and the child's raw
 * end of one transport; two objects exported by the host. */
typedef struct Host {
    FacetTransport *tr, *child;
    FacetConn *conn;
    MarshalCallback *callback;
    MarshalObject *object;
    uint64_t callback_id, object_id; /* what the host handed out */
} Host;

static void host_open(Host *h)
{
    uint32_t index;
    memset(h, 0, sizeof(*h));
    CHECK(facet__shm_create(&h->tr, 1, 1, LANE_CAPACITY) == FACET_TR_OK);
    CHECK(facet__shm_attach(&h->child, facet__shm_handle(h->tr)) == FACET_TR_OK);
    CHECK(facet__conn_new(&h->conn, h->tr, 0, &hooks, h) == FACET_OK);
    h->callback = marshal_callback_new();
    h->object = marshal_object_new();
    /* object ids 1 and 2, interface index 0 each */
    CHECK(facet__exports_add(facet__conn_exports(h->conn), &h->callback->itf, &IID_IMarshalCallback,
                             marshal_find_ps(NULL, &IID_IMarshalCallback), NULL, &h->callback_id,
                             &index) == FACET_OK);
    CHECK(facet__exports_add(facet__conn_exports(h->conn), &h->object->itf, &IID_IMarshalTest,
                             marshal_find_ps(NULL, &IID_IMarshalTest), NULL, &h->object_id,
                             &index) == FACET_OK);
    CHECK(facet__conn_serve(h->conn) == FACET_OK);
}

static void host_close(Host *h)
{
    facet__conn_close(h->conn);
    facet__conn_release(h->conn);
    h->child->ops->close(h->child);
    h->callback->itf.lpVtbl->Release(&h->callback->itf);
    marshal_object_release(h->object);
}

static FacetWireHeader last_reply;

/* Posts data as the child's request on lane 1; returns 1 when the host
 * answered with a well-formed reply, 0 when it disconnected. */
static int post(Host *h, const uint8_t *data, size_t size)
{
    unsigned char *buf = facet__tr_buffer(h->child, 1);
    size_t off = 0, len = 0;
    int r;
    if (size > LANE_CAPACITY)
        size = LANE_CAPACITY;
    memcpy(buf, data, size);
    r = h->child->ops->exchange(h->child, 1, 0, size, &off, &len, 10000);
    CHECK(r == FACET_TR_OK || r == FACET_TR_DEAD);
    if (r != FACET_TR_OK) {
        CHECK(facet__conn_dead(h->conn));
        CHECK(deaths == 1 && death_text[0] != '\0');
        return 0;
    }
    {
        FacetWireHeader rh;
        const char *why = NULL;
        CHECK(len >= sizeof(rh));
        memcpy(&rh, buf + off, sizeof(rh));
        CHECK(facet__wire_check_header(&rh, len, &why));
        CHECK(rh.flags & FACET_WIRE_REPLY);
        last_reply = rh;
    }
    return 1;
}

/* One input: a fresh host, the message, and everything let go. */
static int read_one(const uint8_t *data, size_t size)
{
    Host h;
    int answered;
    deaths = 0;
    death_text[0] = '\0';
    host_open(&h);
    answered = post(&h, data, size);
    host_close(&h);
    return answered;
}

#ifdef FACET_REMOTE_FUZZER

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    read_one(data, size);
    return 0;
}

#else

/* A well-formed request: IMarshalCallback::Notify(value, text) on the
 * object the host exported with object_id. */
static size_t notify(uint8_t *out, uint64_t object_id, int32_t value, const char *text)
{
    FacetWireHeader hd;
    size_t n = sizeof(hd), len = strlen(text);
    uint32_t units = (uint32_t)len; /* the NUL follows, uncounted */
    memset(&hd, 0, sizeof(hd));
    memcpy(out + n, &value, 4);
    n += 4;
    memcpy(out + n, &units, 4);
    n += 4;
    memcpy(out + n, text, len + 1);
    n += len + 1;
    n = (n + 7u) & ~(size_t)7u;
    hd.length = (uint32_t)n;
    hd.call_id = 1;
    hd.object_id = object_id;
    hd.interface_id = 0;
    hd.method = 3;
    hd.flags = FACET_WIRE_REQUEST;
    memcpy(out, &hd, sizeof(hd));
    return n;
}

static const char *corpus_dir;

static void test_reader_well_formed(void **state)
{
    uint8_t msg[256];
    size_t n;
    Host h;
    MarshalCallback *cb;
    (void)state;
    memset(msg, 0, sizeof(msg));
    deaths = 0;
    host_open(&h);
    cb = h.callback;
    cb->itf.lpVtbl->AddRef(&cb->itf);
    n = notify(msg, h.callback_id, 41, "from the child");
    if (post(&h, msg, n) != 1)
        fail_msg("the host disconnected: %s", death_text);
    assert_int_equal(last_reply.status, FACET_OK);
    assert_int_equal(deaths, 0);
    /* What the serving thread wrote, read once it is joined (the two ends
     * map the memory at two addresses here, so a thread checker cannot
     * pair the handover's release and acquire). */
    host_close(&h);
    assert_int_equal(cb->value, 41);
    assert_string_equal(cb->text, "from the child");
    cb->itf.lpVtbl->Release(&cb->itf);
}

static void test_reader_malformed(void **state)
{
    uint8_t good[256], msg[256];
    size_t n;
    FacetWireHeader hd;
    uint32_t huge = 0x7FFFFFF0u;
    Host h;
    (void)state;
    host_open(&h); /* the ids a host hands out are the same each time */
    host_close(&h);
    memset(good, 0, sizeof(good));
    n = notify(good, h.callback_id, 1, "x");
    assert_int_equal(read_one(good, n), 1); /* the control */

    memcpy(msg, good, n); /* a length past what arrived */
    memcpy(&hd, msg, sizeof(hd));
    hd.length = (uint32_t)n + 64;
    memcpy(msg, &hd, sizeof(hd));
    assert_int_equal(read_one(msg, n), 0);

    memcpy(msg, good, n); /* an object id never handed out */
    memcpy(&hd, msg, sizeof(hd));
    hd.object_id = 99;
    memcpy(msg, &hd, sizeof(hd));
    assert_int_equal(read_one(msg, n), 0);

    memcpy(msg, good, n); /* an interface index the object does not have */
    memcpy(&hd, msg, sizeof(hd));
    hd.interface_id = 5;
    memcpy(msg, &hd, sizeof(hd));
    assert_int_equal(read_one(msg, n), 0);

    memcpy(msg, good, n); /* a method slot past the vtable */
    memcpy(&hd, msg, sizeof(hd));
    hd.method = 200;
    memcpy(msg, &hd, sizeof(hd));
    assert_int_equal(read_one(msg, n), 0);

    memcpy(msg, good, n); /* a string count past the message */
    memcpy(msg + sizeof(hd) + 4, &huge, 4);
    assert_int_equal(read_one(msg, n), 0);

    memcpy(msg, good, n); /* the reserved word set */
    memcpy(&hd, msg, sizeof(hd));
    hd.reserved = 1;
    memcpy(msg, &hd, sizeof(hd));
    assert_int_equal(read_one(msg, n), 0);

    assert_int_equal(read_one(good, 3), 0); /* shorter than a header */
}

/* IMarshalTest::Echo with its [out] string pointer absent: the host
 * answers FACET_E_POINTER without calling the object, and stays. */
static void test_reader_null_out(void **state)
{
    uint8_t msg[128];
    FacetWireHeader hd;
    uint32_t n = 4, absent = 0;
    Host h;
    (void)state;
    memset(msg, 0, sizeof(msg));
    memcpy(msg + 32, &n, 4);
    memcpy(msg + 36, "echo", 5);
    memcpy(msg + 44, &absent, 4);
    deaths = 0;
    host_open(&h);
    memset(&hd, 0, sizeof(hd));
    hd.length = 48;
    hd.call_id = 7;
    hd.object_id = h.object_id;
    hd.method = 6;
    hd.flags = FACET_WIRE_REQUEST;
    memcpy(msg, &hd, sizeof(hd));
    if (post(&h, msg, 48) != 1)
        fail_msg("the host disconnected: %s", death_text);
    assert_int_equal(last_reply.status, FACET_E_POINTER);
    assert_int_equal(last_reply.call_id, 7);
    assert_int_equal(deaths, 0);
    host_close(&h);
}

/* Every input of the fuzz corpus, as the fuzz target reads it. */
static void test_reader_corpus(void **state)
{
    char path[1024], name[64];
    unsigned i, found = 0;
    (void)state;
    if (corpus_dir == NULL)
        skip();
    for (i = 0; i < 64; i++) {
        FILE *f;
        uint8_t data[LANE_CAPACITY];
        size_t n;
        snprintf(name, sizeof(name), "seed-%02u", i);
        snprintf(path, sizeof(path), "%s/%s", corpus_dir, name);
        f = fopen(path, "rb");
        if (f == NULL)
            continue;
        n = fread(data, 1, sizeof(data), f);
        fclose(f);
        read_one(data, n);
        found++;
    }
    assert_true(found > 0);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reader_well_formed),
        cmocka_unit_test(test_reader_malformed),
        cmocka_unit_test(test_reader_null_out),
        cmocka_unit_test(test_reader_corpus),
    };
    (void)argc;
    (void)argv;
    corpus_dir = getenv("FACET_REMOTE_CORPUS");
    return cmocka_run_group_tests(tests, NULL, NULL);
}

#endif
