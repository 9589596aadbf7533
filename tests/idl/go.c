/*
 * go.c - facet-idl --lang go: what the Go mapping cannot carry is an error
 * at the parameter, field or method, naming file:line:column and why, and
 * nothing is written; what it carries gives the four files of a Go package
 * (tests/idl/go_generated.sh compiles them).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "idl_test_util.h"

#define UUID1 "uuid(11111111-2222-3333-4444-555555555555)"
#define UUID2 "uuid(11111111-2222-3333-4444-666666666666)"
#define NOT_CARRIED ", which the Go mapping does not carry (docs/go.md lists what it does)"

static facet_idl_result *compile_go(const idl_test_file *files)
{
    facet_idl_options opts = FACET_IDL_OPTIONS_INIT;
    facet_idl_result *r = NULL;
    opts.read_file = idl_test_read;
    opts.read_payload = (void *)files;
    opts.lang = FACET_IDL_LANG_GO;
    (void)facet_idl_compile(&r, files[0].name, &opts);
    return r;
}

/* main.idl (with a.idl to import) fails with expected as its first
 * diagnostic, and writes nothing; with --lang c the same file compiles, so
 * the refusal is the Go mapping's. */
static void check_go_error_with(const char *text, const char *imported, const char *expected)
{
    idl_test_file files[] = {{"main.idl", text}, {"a.idl", imported}, {NULL, NULL}};
    facet_idl_result *r = compile_go(files);
    char buf[1024];
    assert_non_null(r);
    assert_true(facet_idl_error_count(r) >= 1);
    assert_int_equal(facet_idl_output_count(r), 0);
    assert_string_equal(idl_test_diag(r, 0, buf, sizeof buf), expected);
    facet_idl_result_free(r);

    r = idl_test_compile(files);
    assert_non_null(r);
    assert_int_equal(facet_idl_error_count(r), 0);
    assert_true(facet_idl_output_count(r) > 0);
    facet_idl_result_free(r);
}

static void check_go_error(const char *text, const char *expected)
{
    check_go_error_with(text, "", expected);
}

/* interface IA : IUnknown { METHOD } in main.idl */
#define ITF(method) "[object, " UUID1 "]\ninterface IA : IUnknown {\n" method "\n}\n"

static void test_idl_go__union_parameter(void **state)
{
    (void)state;
    check_go_error("typedef union U { int32_t i; double d; } U;\n" ITF("HRESULT F([in] U u);"),
                   "main.idl:4:18: error: --lang go: parameter 'u' of IA::F is a union"
                   NOT_CARRIED);
}

static void test_idl_go__function_pointer(void **state)
{
    (void)state;
    check_go_error(ITF("HRESULT F([in] void (*cb)(uint32_t code));"),
                   "main.idl:3:23: error: --lang go: parameter 'cb' of IA::F is a function "
                   "pointer" NOT_CARRIED);
}

static void test_idl_go__sized_by_expression(void **state)
{
    (void)state;
    check_go_error(ITF("HRESULT F([in] uint32_t n, [in, size_is(n * 2)] const uint8_t *b);"),
                   "main.idl:3:64: error: --lang go: parameter 'b' of IA::F is sized by an "
                   "expression (the Go mapping takes a size_is that names an [in] integer "
                   "parameter, or a constant)" NOT_CARRIED);
}

static void test_idl_go__sized_by_out_parameter(void **state)
{
    (void)state;
    check_go_error(ITF("HRESULT F([out] uint32_t *n, [out, size_is(*n)] uint8_t *b);"),
                   "main.idl:3:58: error: --lang go: parameter 'b' of IA::F is sized by an "
                   "expression (the Go mapping takes a size_is that names an [in] integer "
                   "parameter, or a constant)" NOT_CARRIED);
}

static void test_idl_go__sized_by_float(void **state)
{
    (void)state;
    check_go_error(ITF("HRESULT F([in] double n, [in, size_is(n)] const uint8_t *b);"),
                   "main.idl:3:58: error: --lang go: parameter 'b' of IA::F is sized by an "
                   "expression (the Go mapping takes a size_is that names an [in] integer "
                   "parameter, or a constant)" NOT_CARRIED);
}

static void test_idl_go__char_by_value(void **state)
{
    (void)state;
    check_go_error(ITF("HRESULT F([in] char c);"),
                   "main.idl:3:21: error: --lang go: parameter 'c' of IA::F is a value of this "
                   "type" NOT_CARRIED);
}

static void test_idl_go__sized_void(void **state)
{
    (void)state;
    check_go_error(ITF("HRESULT F([in] uint32_t n, [in, size_is(n)] const void *p);"),
                   "main.idl:3:57: error: --lang go: parameter 'p' of IA::F is untyped memory "
                   "with a size (use uint8_t)" NOT_CARRIED);
}

static void test_idl_go__mutable_struct_in(void **state)
{
    (void)state;
    check_go_error("typedef struct P { int32_t x; } P;\n" ITF("HRESULT F([in] P *p);"),
                   "main.idl:4:19: error: --lang go: parameter 'p' of IA::F is a pointer to "
                   "this type as an [in] parameter" NOT_CARRIED);
}

static void test_idl_go__pointer_pointer_in(void **state)
{
    (void)state;
    check_go_error(ITF("HRESULT F([in] int32_t **pp);"),
                   "main.idl:3:26: error: --lang go: parameter 'pp' of IA::F is a pointer to a "
                   "pointer as an [in] parameter" NOT_CARRIED);
}

static void test_idl_go__in_out_string(void **state)
{
    (void)state;
    check_go_error(ITF("HRESULT F([in, out, string] char **s);"),
                   "main.idl:3:36: error: --lang go: parameter 's' of IA::F is an [in, out] "
                   "parameter of this type" NOT_CARRIED);
}

static void test_idl_go__out_object_by_pointer(void **state)
{
    (void)state;
    check_go_error(ITF("HRESULT F([out] IFacetUnknown *o);"),
                   "main.idl:3:32: error: --lang go: parameter 'o' of IA::F is an [out] "
                   "pointer to this type" NOT_CARRIED);
}

static void test_idl_go__out_struct_pointer(void **state)
{
    (void)state;
    check_go_error("typedef struct P { int32_t x; } P;\n" ITF("HRESULT F([out] P **p);"),
                   "main.idl:4:21: error: --lang go: parameter 'p' of IA::F is an [out] "
                   "pointer to a pointer of this type" NOT_CARRIED);
}

static void test_idl_go__three_levels(void **state)
{
    (void)state;
    check_go_error(ITF("HRESULT F([out] int32_t ***p);"),
                   "main.idl:3:28: error: --lang go: parameter 'p' of IA::F is three or more "
                   "levels of pointers" NOT_CARRIED);
}

static void test_idl_go__struct_of_another_file(void **state)
{
    (void)state;
    check_go_error_with("import \"a.idl\";\n" ITF("HRESULT F([in] const P *p);"),
                        "typedef struct P { int32_t x; } P;\n",
                        "main.idl:4:25: error: --lang go: parameter 'p' of IA::F is struct P, "
                        "which a.idl declares" NOT_CARRIED);
}

static void test_idl_go__interface_of_another_file(void **state)
{
    (void)state;
    check_go_error_with("import \"a.idl\";\n" ITF("HRESULT F([in] IB *b);"),
                        "[object, " UUID2 "]\ninterface IB : IUnknown { HRESULT G(void); }\n",
                        "main.idl:4:20: error: --lang go: parameter 'b' of IA::F is interface "
                        "IB, which a.idl declares (a Go package of one .idl refers to its own "
                        "interfaces and to IFacetUnknown, IFacetString and IFacetBlob)"
                        NOT_CARRIED);
}

static void test_idl_go__base_of_another_file(void **state)
{
    (void)state;
    check_go_error_with("import \"a.idl\";\n[object, " UUID1 "]\n"
                        "interface IA : IB { HRESULT F(void); }\n",
                        "[object, " UUID2 "]\ninterface IB : IUnknown { HRESULT G(void); }\n",
                        "main.idl:3:16: error: --lang go: IA derives from IB, which a.idl "
                        "declares; a Go interface may derive from IUnknown or from an interface "
                        "of the same file");
}

static void test_idl_go__not_hresult(void **state)
{
    (void)state;
    check_go_error("[object, local, " UUID1 "]\n"
                   "interface IA : IUnknown { uint32_t Count(void); }\n",
                   "main.idl:2:36: error: --lang go: IA::Count returns something other than "
                   "HRESULT; a Go method returns its failure as an error, so every method must "
                   "return HRESULT");
}

static void test_idl_go__same_go_name(void **state)
{
    (void)state;
    check_go_error(ITF("HRESULT get_name(void);\nHRESULT GetName(void);"),
                   "main.idl:4:9: error: --lang go: IA::GetName has the Go name of another "
                   "method of the vtable (GetName); Go has no overloads");
}

static void test_idl_go__fields_same_go_name(void **state)
{
    (void)state;
    check_go_error("typedef struct P { int32_t a_b; int32_t aB; } P;\n" ITF("HRESULT F(void);"),
                   "main.idl:1:41: error: --lang go: fields 'a_b' and 'aB' of struct P are both "
                   "AB in Go");
}

static void test_idl_go__object_field(void **state)
{
    (void)state;
    check_go_error("typedef union U { int32_t i; } U;\n"
                   "typedef struct P { U u; } P;\n" ITF("HRESULT F(void);"),
                   "main.idl:2:22: error: --lang go: field 'u' of struct P is a union, which the "
                   "Go mapping does not carry");
}

static void test_idl_go__struct_array_field(void **state)
{
    (void)state;
    check_go_error("typedef struct Q { int32_t x; } Q;\n"
                   "typedef struct P { Q q[2]; } P;\n" ITF("HRESULT F(void);"),
                   "main.idl:2:22: error: --lang go: field 'q' of struct P is an array of "
                   "structs, which the Go mapping does not carry");
}

/* The positive control of the cases above: the outputs of a package, named
 * after the file, with the Go signature of each shape docs/go.md lists. */
static void test_idl_go__package(void **state)
{
    idl_test_file files[] = {
        {"Shapes-2.idl", "typedef struct P { uint32_t struct_size; int32_t x; } P;\n"
                         "[object, " UUID1 "]\ninterface IA : IUnknown {\n"
                         "HRESULT In([in] uint32_t n, [in, size_is(n)] const int16_t *v,\n"
                         "           [in, string] const char *s, [in] const P *p, [in] REFIID iid);"
                         "\n"
                         "HRESULT Out([out] P *p, [out, string] char **s, [out] IA **a,\n"
                         "            [in] REFIID iid, [out, iid_is(iid)] void **o,\n"
                         "            [in, out] int32_t *io, [out, retval] double *last);\n"
                         "}\n"},
        {NULL, NULL}};
    static const char *const names[] = {"Shapes-2.h", "Shapes-2.go", "Shapes-2_export.go",
                                        "Shapes-2_glue.c"};
    facet_idl_result *r = compile_go(files);
    const facet_idl_output *go;
    size_t i;
    (void)state;
    assert_non_null(r);
    assert_int_equal(facet_idl_diag_count(r), 0);
    assert_int_equal(facet_idl_output_count(r), 4);
    for (i = 0; i < 4; i++)
        assert_string_equal(facet_idl_output_at(r, i)->name, names[i]);
    go = facet_idl_output_at(r, 1);
    assert_non_null(strstr(go->data, "\npackage shapes2\n"));
    assert_non_null(strstr(go->data, "\tIn(n uint32, v []int16, s string, p P, iid abi.GUID) error"
                                     "\n"));
    assert_non_null(strstr(go->data, "\tOut(iid abi.GUID, io *int32) (P, string, IA, any, float64, "
                                     "error)\n"));
    assert_non_null(strstr(go->data, "var IID_IA = abi.MustGUID(\""
                                     "{11111111-2222-3333-4444-555555555555}\")"));
    assert_non_null(strstr(go->data, "\tStructSize uint32\n"));
    facet_idl_result_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_idl_go__union_parameter),
        cmocka_unit_test(test_idl_go__function_pointer),
        cmocka_unit_test(test_idl_go__sized_by_expression),
        cmocka_unit_test(test_idl_go__sized_by_out_parameter),
        cmocka_unit_test(test_idl_go__sized_by_float),
        cmocka_unit_test(test_idl_go__char_by_value),
        cmocka_unit_test(test_idl_go__sized_void),
        cmocka_unit_test(test_idl_go__mutable_struct_in),
        cmocka_unit_test(test_idl_go__pointer_pointer_in),
        cmocka_unit_test(test_idl_go__in_out_string),
        cmocka_unit_test(test_idl_go__out_object_by_pointer),
        cmocka_unit_test(test_idl_go__out_struct_pointer),
        cmocka_unit_test(test_idl_go__three_levels),
        cmocka_unit_test(test_idl_go__struct_of_another_file),
        cmocka_unit_test(test_idl_go__interface_of_another_file),
        cmocka_unit_test(test_idl_go__base_of_another_file),
        cmocka_unit_test(test_idl_go__not_hresult),
        cmocka_unit_test(test_idl_go__same_go_name),
        cmocka_unit_test(test_idl_go__fields_same_go_name),
        cmocka_unit_test(test_idl_go__object_field),
        cmocka_unit_test(test_idl_go__struct_array_field),
        cmocka_unit_test(test_idl_go__package),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
