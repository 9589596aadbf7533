/*
 * context.c - a compilation keeps its state to itself (facet_idl.h: no
 * global state): what one compilation does to its allocator is not seen by
 * another, on the same thread or on others.
 *
 *   - nested: a read_file callback runs a second compilation whose
 *     allocator fails every allocation; that one returns -1, and the outer
 *     one, whose allocator never failed, compiles as it does alone.
 *   - threads: four threads compile the same file at once, each with an
 *     allocator of its own that counts; each output is the one a single
 *     compilation gives, and each allocator gets back all it gave.
 */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "facet_idl.h"
#include "idl_alloc.h"

static const char main_idl[] =
    "import \"shapes.idl\";\n"
    "[object, uuid(6B2A1C10-5D3E-4F70-8A91-0C1D2E3F4A5B)]\n"
    "interface IDrawing : IUnknown {\n"
    "    HRESULT Add([in] const ShapeInfo *shape, [out] uint32_t *id);\n"
    "    HRESULT Get([in] uint32_t id, [out] ShapeInfo *shape);\n"
    "}\n";

static const char shapes_idl[] =
    "typedef struct ShapeInfo { int32_t kind; double x, y; } ShapeInfo;\n"
    "[object, uuid(6B2A1C10-5D3E-4F70-8A91-0C1D2E3F4A5C)]\n"
    "interface IShape : IUnknown { HRESULT Area([out] double *area); }\n";

static int read_file(const char *path, const char *text, char **out, size_t *out_size)
{
    size_t n = strlen(text);
    (void)path;
    *out = malloc(n + 1);
    if (!*out)
        return -1;
    memcpy(*out, text, n + 1);
    *out_size = n;
    return 0;
}

/* Reads main.idl and shapes.idl from memory. */
static int read_plain(const char *path, char **out, size_t *out_size, const char **reason,
                      void *payload)
{
    (void)payload;
    *reason = "No such file or directory";
    if (strcmp(path, "main.idl") == 0)
        return read_file(path, main_idl, out, out_size);
    if (strcmp(path, "shapes.idl") == 0)
        return read_file(path, shapes_idl, out, out_size);
    return -1;
}

/* The nested case: before giving shapes.idl, compiles it once more with an
 * allocator that fails everything, and records what that returned. */
typedef struct nested {
    int inner_rc;
    TestIdlAlloc inner;
} nested;

static int read_nested(const char *path, char **out, size_t *out_size, const char **reason,
                       void *payload)
{
    nested *n = payload;
    if (strcmp(path, "shapes.idl") == 0) {
        facet_idl_options opts = FACET_IDL_OPTIONS_INIT;
        facet_idl_allocator a;
        facet_idl_result *r = NULL;
        n->inner.fail_at = 1;
        n->inner.persistent = 1;
        a = test_idl_alloc(&n->inner);
        opts.allocator = &a;
        opts.read_file = read_plain;
        n->inner_rc = facet_idl_compile(&r, "shapes.idl", &opts);
        facet_idl_result_free(r);
    }
    return read_plain(path, out, out_size, reason, NULL);
}

/* Compiles main.idl with read and a counting allocator; returns the rc and
 * the result. */
static int compile(TestIdlAlloc *c, facet_idl_read_fn read, void *payload, facet_idl_result **r)
{
    facet_idl_options opts = FACET_IDL_OPTIONS_INIT;
    facet_idl_allocator a = test_idl_alloc(c);
    opts.allocator = &a;
    opts.read_file = read;
    opts.read_payload = payload;
    return facet_idl_compile(r, "main.idl", &opts);
}

static void assert_same_outputs(const facet_idl_result *a, const facet_idl_result *b)
{
    size_t i;
    assert_int_equal(facet_idl_output_count(a), 3);
    assert_int_equal(facet_idl_output_count(a), facet_idl_output_count(b));
    for (i = 0; i < facet_idl_output_count(a); i++) {
        const facet_idl_output *x = facet_idl_output_at(a, i), *y = facet_idl_output_at(b, i);
        assert_string_equal(x->name, y->name);
        assert_int_equal(x->size, y->size);
        assert_memory_equal(x->data, y->data, x->size);
    }
}

static void test_idl_context__nested_failure_is_not_the_outer_ones(void **state)
{
    TestIdlAlloc alone = {0}, outer = {0};
    nested n;
    facet_idl_result *ref = NULL, *r = NULL;
    (void)state;
    memset(&n, 0, sizeof n);
    /* positive control: main.idl compiles on its own */
    assert_int_equal(compile(&alone, read_plain, NULL, &ref), 0);
    assert_non_null(ref);
    assert_int_equal(alone.failures, 0);

    assert_int_equal(compile(&outer, read_nested, &n, &r), 0);
    /* the inner compilation ran and failed for want of memory... */
    assert_int_equal(n.inner_rc, -1);
    assert_true(n.inner.failures > 0);
    assert_int_equal(n.inner.live, 0);
    /* ...and the outer one, whose allocator never failed, did not notice */
    assert_int_equal(outer.failures, 0);
    assert_non_null(r);
    assert_same_outputs(ref, r);
    facet_idl_result_free(r);
    facet_idl_result_free(ref);
    assert_int_equal(alone.live, 0);
    assert_int_equal(outer.live, 0);
}

#define THREADS 4
#define ROUNDS 20

typedef struct worker {
    pthread_t thread;
    pthread_barrier_t *start;
    const facet_idl_result *ref;
    TestIdlAlloc alloc;
    int failures; /* rounds whose output differed from ref, or that failed */
} worker;

static int same_outputs(const facet_idl_result *a, const facet_idl_result *b)
{
    size_t i;
    if (facet_idl_output_count(a) != 3 || facet_idl_output_count(b) != 3)
        return 0;
    for (i = 0; i < 2; i++) {
        const facet_idl_output *x = facet_idl_output_at(a, i), *y = facet_idl_output_at(b, i);
        if (strcmp(x->name, y->name) != 0 || x->size != y->size ||
            memcmp(x->data, y->data, x->size) != 0)
            return 0;
    }
    return 1;
}

static void *work(void *arg)
{
    worker *w = arg;
    int i;
    pthread_barrier_wait(w->start);
    for (i = 0; i < ROUNDS; i++) {
        facet_idl_result *r = NULL;
        if (compile(&w->alloc, read_plain, NULL, &r) != 0 || !same_outputs(w->ref, r))
            w->failures++;
        facet_idl_result_free(r);
    }
    return NULL;
}

static void test_idl_context__threads_each_with_its_allocator(void **state)
{
    TestIdlAlloc ref_alloc = {0};
    facet_idl_result *ref = NULL;
    pthread_barrier_t start;
    worker w[THREADS];
    int i;
    (void)state;
    assert_int_equal(compile(&ref_alloc, read_plain, NULL, &ref), 0);
    memset(w, 0, sizeof w);
    assert_int_equal(pthread_barrier_init(&start, NULL, THREADS), 0);
    for (i = 0; i < THREADS; i++) {
        w[i].start = &start;
        w[i].ref = ref;
        assert_int_equal(pthread_create(&w[i].thread, NULL, work, &w[i]), 0);
    }
    for (i = 0; i < THREADS; i++)
        assert_int_equal(pthread_join(w[i].thread, NULL), 0);
    pthread_barrier_destroy(&start);
    for (i = 0; i < THREADS; i++) {
        assert_int_equal(w[i].failures, 0);
        /* each thread's allocator served its compilations, all of them */
        assert_int_equal(w[i].alloc.calls, ROUNDS * ref_alloc.calls);
        assert_int_equal(w[i].alloc.live, 0);
    }
    facet_idl_result_free(ref);
    assert_int_equal(ref_alloc.live, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_idl_context__nested_failure_is_not_the_outer_ones),
        cmocka_unit_test(test_idl_context__threads_each_with_its_allocator),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
