/*
 * runtime_layout.c - idl/facet.idl describes <facet/abi.h> exactly: the
 * same vtable sizes, the same slot for every method, the same IIDs and the
 * same struct layouts; and its type information lists the methods in
 * abi.h's order.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <facet/abi.h>
#include <facet/typeinfo.h>

#include "runtime_layout.h"

extern const FacetTypeLibInfo facet_typeinfo_facet;

static void test_idl_runtime_layout__same_slots(void **state)
{
    const layout_entry *a, *g;
    size_t na = layout_from_abi(&a), ng = layout_from_generated(&g), i;
    (void)state;
    assert_int_equal(na, ng);
    for (i = 0; i < na; i++) {
        assert_string_equal(a[i].owner, g[i].owner);
        assert_int_equal(a[i].offset, g[i].offset);
        assert_int_equal(a[i].size, g[i].size);
        if (a[i].guid)
            assert_memory_equal(a[i].guid, g[i].guid, sizeof(FacetGuid));
    }
}

/* The X-macro list, and so the check above, covers every method. */
static void test_idl_runtime_layout__every_method_listed(void **state)
{
    const layout_entry *a;
    size_t n = layout_from_abi(&a), i, j;
    (void)state;
    for (i = 0; i < n; i++) {
        size_t listed = 0;
        if (a[i].member || !a[i].guid)
            continue;
        for (j = 0; j < n; j++)
            if (a[j].member && strcmp(a[j].owner, a[i].owner) == 0 && a[j].offset >= 3 * sizeof(void *))
                listed++;
        assert_int_equal(a[i].size, (3 + listed) * sizeof(void (*)(void)));
    }
}

static void test_idl_runtime_layout__typeinfo_order(void **state)
{
    const layout_entry *a;
    size_t n = layout_from_abi(&a), i;
    (void)state;
    assert_int_equal(facet_typeinfo_facet.interface_count, 11);
    for (i = 0; i < n; i++) {
        const FacetInterfaceInfo *itf;
        uint32_t k;
        if (!a[i].member || a[i].offset < 3 * sizeof(void *) ||
            strncmp(a[i].owner, "IFacet", 6) != 0)
            continue;
        itf = FacetTypeLibFind(&facet_typeinfo_facet, a[i].owner);
        assert_non_null(itf);
        k = (uint32_t)(a[i].offset / sizeof(void *)) - itf->first_slot;
        assert_true(k < itf->method_count);
        assert_string_equal(itf->methods[k].name, a[i].member);
        assert_int_equal(itf->methods[k].slot, a[i].offset / sizeof(void *));
        assert_string_equal(itf->base_name, "IFacetUnknown");
    }
}

static void test_idl_runtime_layout__typeinfo_params(void **state)
{
    const FacetInterfaceInfo *host = FacetTypeLibFind(&facet_typeinfo_facet, "IFacetHost");
    const FacetMethodInfo *qs;
    (void)state;
    assert_non_null(host);
    assert_memory_equal(&host->iid, &IID_IFacetHost, sizeof(FacetGuid));
    qs = &host->methods[1];
    assert_string_equal(qs->name, "QueryService");
    assert_int_equal(qs->result.kind, FACET_TI_RESULT);
    assert_int_equal(qs->param_count, 3);
    assert_string_equal(qs->params[0].type.c_type, "const FacetGuid *");
    assert_int_equal(qs->params[2].flags & FACET_TI_OUT, FACET_TI_OUT);
    assert_int_equal(qs->params[2].iid_is, 1);
    assert_int_equal(qs->params[2].type.pointer_level, 2);
    assert_int_equal(host->methods[4].params[0].size_is, 1); /* CreateBlob data, size */
    assert_int_equal(host->methods[4].params[2].type.kind, FACET_TI_INTERFACE);
    assert_memory_equal(host->methods[4].params[2].type.iid, &IID_IFacetBlob, sizeof(FacetGuid));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_idl_runtime_layout__same_slots),
        cmocka_unit_test(test_idl_runtime_layout__every_method_listed),
        cmocka_unit_test(test_idl_runtime_layout__typeinfo_order),
        cmocka_unit_test(test_idl_runtime_layout__typeinfo_params),
    };
    return cmocka_run_group_tests_name("test_idl_runtime_layout", tests, NULL, NULL);
}
