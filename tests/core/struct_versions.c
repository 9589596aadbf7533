/*
 * tests/core/struct_versions.c - the pair of helpers behind every struct
 * that may grow (core/base/struct_size.c), between a library and a host one
 * version apart in each direction. libfacet's structs all have one version
 * today, so a library that is the newer side cannot be had through its
 * API: this program is built on the helpers alone (facet_base) with a made-up
 * struct in two versions, the way the next field will be added.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/base.h"

/* Version 1 of a struct, and version 2 with a field added at the end. */
typedef struct WidgetV1 {
    uint32_t struct_size;
    uint32_t width;
    const char *name;
} WidgetV1;

typedef struct WidgetV2 {
    uint32_t struct_size;
    uint32_t width;
    const char *name;
    uint64_t depth;
} WidgetV2;

#define WIDGET_V1_SIZE ((uint32_t)(offsetof(WidgetV1, name) + sizeof(const char *)))

/* Room for a struct and, past it, memory the callee must leave alone. */
typedef struct Room {
    union {
        WidgetV1 v1;
        WidgetV2 v2;
    } w;
    unsigned char after[64];
} Room;

static void fill_canary(Room *r)
{
    memset(r, 0xA5, sizeof(*r));
}

static void untouched_from(const Room *r, size_t from)
{
    const unsigned char *p = (const unsigned char *)r;
    size_t i;
    for (i = from; i < sizeof(*r); i++)
        if (p[i] != 0xA5)
            fail_msg("byte %zu, past what the host gave (%zu), was written", i, from);
}

static FacetResult write_v2(void *out, const WidgetV2 *from)
{
    return facet__struct_write(out, from, sizeof(WidgetV2), WIDGET_V1_SIZE, "widget_get",
                               "Widget", "WIDGET");
}

static FacetResult read_v2(WidgetV2 *eff, const void *in)
{
    return facet__struct_read(eff, sizeof(WidgetV2), in, WIDGET_V1_SIZE, "widget_new", "Widget",
                              "WIDGET");
}

/* A library at version 2 writes for a host at version 1: the fields the
 * host knows, nothing past them, and struct_size stays the host's. */
static void test_core_struct_versions__newer_library_writes(void **state)
{
    WidgetV2 full = {sizeof(WidgetV2), 7, "w", 99};
    Room r;
    (void)state;
    fill_canary(&r);
    r.w.v1.struct_size = sizeof(WidgetV1);
    assert_int_equal(write_v2(&r, &full), FACET_OK);
    assert_int_equal(r.w.v1.struct_size, sizeof(WidgetV1));
    assert_int_equal(r.w.v1.width, 7);
    assert_string_equal(r.w.v1.name, "w");
    untouched_from(&r, sizeof(WidgetV1));
    /* exactly version 1's fields, without the padding a compiler may add */
    fill_canary(&r);
    r.w.v1.struct_size = WIDGET_V1_SIZE;
    assert_int_equal(write_v2(&r, &full), FACET_OK);
    assert_int_equal(r.w.v1.struct_size, WIDGET_V1_SIZE);
    untouched_from(&r, WIDGET_V1_SIZE);
}

/* A library at version 1 writes for a host at version 2: the host's new
 * field is not written, and struct_size says where the library stopped. */
static void test_core_struct_versions__older_library_writes(void **state)
{
    WidgetV1 full = {sizeof(WidgetV1), 7, "w"};
    Room r;
    (void)state;
    fill_canary(&r);
    r.w.v2.struct_size = sizeof(WidgetV2);
    assert_int_equal(facet__struct_write(&r, &full, sizeof(WidgetV1), WIDGET_V1_SIZE,
                                         "widget_get", "Widget", "WIDGET"),
                     FACET_OK);
    assert_int_equal(r.w.v2.struct_size, sizeof(WidgetV1));
    assert_int_equal(r.w.v2.width, 7);
    untouched_from(&r, sizeof(WidgetV1));
}

/* A library at version 2 reads a host's version-1 options: what follows
 * them in the host's memory is never read; the new field keeps its default. */
static void test_core_struct_versions__newer_library_reads(void **state)
{
    WidgetV2 eff = {sizeof(WidgetV2), 1, "default", 42};
    Room r;
    (void)state;
    fill_canary(&r);
    r.w.v1.struct_size = WIDGET_V1_SIZE;
    r.w.v1.width = 3;
    r.w.v1.name = "given";
    assert_int_equal(read_v2(&eff, &r), FACET_OK);
    assert_int_equal(eff.width, 3);
    assert_string_equal(eff.name, "given");
    assert_int_equal(eff.depth, 42);
    /* no options: the defaults */
    assert_int_equal(read_v2(&eff, NULL), FACET_OK);
    assert_int_equal(eff.depth, 42);
}

/* A library at version 1 reads a host's version-2 options: accepted, the
 * field it does not know left unread. */
static void test_core_struct_versions__older_library_reads(void **state)
{
    WidgetV1 eff = {sizeof(WidgetV1), 1, "default"};
    Room r;
    (void)state;
    fill_canary(&r);
    r.w.v2.struct_size = sizeof(WidgetV2);
    r.w.v2.width = 3;
    r.w.v2.name = "given";
    r.w.v2.depth = 5;
    assert_int_equal(facet__struct_read(&eff, sizeof(WidgetV1), &r, WIDGET_V1_SIZE, "widget_new",
                                        "Widget", "WIDGET"),
                     FACET_OK);
    assert_int_equal(eff.width, 3);
    assert_string_equal(eff.name, "given");
    assert_int_equal(eff.struct_size, sizeof(WidgetV1));
}

/* Below version 1, either way: FACET_E_STRUCTSIZE naming the struct, the
 * size and the least, and nothing written or read. */
static void test_core_struct_versions__too_small(void **state)
{
    WidgetV2 full = {sizeof(WidgetV2), 7, "w", 99}, eff = {sizeof(WidgetV2), 1, "default", 42};
    Room r;
    (void)state;
    fill_canary(&r);
    r.w.v1.struct_size = WIDGET_V1_SIZE - 1;
    assert_int_equal(write_v2(&r, &full), FACET_E_STRUCTSIZE);
    assert_non_null(strstr(facet_last_error(), "widget_get: Widget.struct_size is"));
    assert_non_null(strstr(facet_last_error(), "WIDGET_V1_SIZE"));
    untouched_from(&r, sizeof(uint32_t));
    assert_int_equal(read_v2(&eff, &r), FACET_E_STRUCTSIZE);
    assert_int_equal(eff.width, 1);
    assert_int_equal(eff.depth, 42);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_core_struct_versions__newer_library_writes),
        cmocka_unit_test(test_core_struct_versions__older_library_writes),
        cmocka_unit_test(test_core_struct_versions__newer_library_reads),
        cmocka_unit_test(test_core_struct_versions__older_library_reads),
        cmocka_unit_test(test_core_struct_versions__too_small),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
