/*
 * errors.c - every kind of bad input gives one diagnostic that names
 * file:line:column and says what was expected, and no output at all.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "idl_test_util.h"

#define UUID1 "uuid(11111111-2222-3333-4444-555555555555)"
#define UUID2 "uuid(11111111-2222-3333-4444-666666666666)"

/* Compiles text as main.idl (with extra files) and checks the first
 * diagnostic's first line, and that nothing was produced. */
static void check_error(const idl_test_file *files, const char *expected)
{
    facet_idl_result *r = idl_test_compile(files);
    char buf[1024];
    assert_non_null(r);
    assert_true(facet_idl_error_count(r) >= 1);
    assert_int_equal(facet_idl_output_count(r), 0);
    assert_string_equal(idl_test_diag(r, 0, buf, sizeof buf), expected);
    facet_idl_result_free(r);
}

/* Compiles files[0] and checks that its one diagnostic is the warning
 * expected and that the outputs were written; returns the result. */
static facet_idl_result *check_warning(const idl_test_file *files, const char *expected)
{
    facet_idl_result *r = idl_test_compile(files);
    char buf[1024];
    assert_non_null(r);
    assert_int_equal(facet_idl_error_count(r), 0);
    assert_int_equal(facet_idl_output_count(r), 3);
    assert_int_equal(facet_idl_diag_count(r), 1);
    assert_string_equal(idl_test_diag(r, 0, buf, sizeof buf), expected);
    return r;
}

static void check_one(const char *text, const char *expected)
{
    idl_test_file files[2];
    files[0].name = "main.idl";
    files[0].text = text;
    files[1].name = NULL;
    check_error(files, expected);
}

static void test_idl_errors__unknown_attribute(void **state)
{
    (void)state;
    check_one("[object, " UUID1 ", frobnicate]\n"
              "interface IA : IUnknown { HRESULT F(void); }\n",
              "main.idl:1:54: error: unknown attribute 'frobnicate': expected a MIDL attribute "
              "such as object, uuid, local, in, out, retval, size_is, string or iid_is");
}

static void test_idl_errors__missing_uuid(void **state)
{
    (void)state;
    check_one("[object]\n"
              "interface IA : IUnknown { HRESULT F(void); }\n",
              "main.idl:2:11: error: interface IA is [object] but has no uuid: expected "
              "[object, uuid(xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)] before it");
}

static void test_idl_errors__malformed_guid(void **state)
{
    (void)state;
    check_one("[object, uuid(1234-5678)]\n"
              "interface IA : IUnknown { HRESULT F(void); }\n",
              "main.idl:1:15: error: malformed GUID: expected 8-4-4-4-12 hexadecimal digits "
              "(00000000-0000-0000-C000-000000000046), found '1234'");
}

static void test_idl_errors__duplicate_iid(void **state)
{
    (void)state;
    check_one("[object, " UUID1 "]\n"
              "interface IA : IUnknown { HRESULT F(void); }\n"
              "[object, " UUID1 "]\n"
              "interface IB : IUnknown { HRESULT G(void); }\n",
              "main.idl:3:10: error: duplicate IID {11111111-2222-3333-4444-555555555555}: "
              "interface IB has the same uuid as IA (main.idl:2)");
}

static void test_idl_errors__not_from_iunknown(void **state)
{
    (void)state;
    check_one("[object, " UUID1 "]\n"
              "interface IA { HRESULT F(void); }\n",
              "main.idl:2:11: error: interface IA does not derive from IUnknown: expected "
              "'interface IA : IUnknown'");
}

static void test_idl_errors__remotable_not_hresult(void **state)
{
    (void)state;
    check_one("[object, " UUID1 "]\n"
              "interface IA : IUnknown {\n"
              "    uint32_t Count(void);\n"
              "}\n",
              "main.idl:3:14: error: remotable method IA::Count returns 'uint32_t': expected "
              "HRESULT, which every method of an interface that is not [local] returns, as its "
              "proxy reports a failed call (FACET_E_DISCONNECTED) through it; mark the method or "
              "the interface [local] if it is only called in-process");
}

/* A Windows SDK file (one that declares IUnknown itself) gets type info
 * and proxies too: the rule holds there. */
static void test_idl_errors__remotable_not_hresult_sdk(void **state)
{
    idl_test_file files[] = {{"main.idl", "import \"unknwn.idl\";\n"
                                          "[object, " UUID1 "]\n"
                                          "interface IA : IUnknown {\n"
                                          "    long Version(void);\n"
                                          "}\n"},
                             {"unknwn.idl", IDL_TEST_SDK_UNKNWN},
                             {NULL, NULL}};
    (void)state;
    check_error(files, "main.idl:4:10: error: remotable method IA::Version returns 'int32_t': "
                       "expected HRESULT, which every method of an interface that is not [local] "
                       "returns, as its proxy reports a failed call (FACET_E_DISCONNECTED) through "
                       "it; mark the method or the interface [local] if it is only called "
                       "in-process");
}

/* Through an import an interface only reaches the header, not the type
 * info: a warning, and the outputs are written. */
static void test_idl_errors__remotable_not_hresult_imported_warns(void **state)
{
    idl_test_file files[] = {{"main.idl", "import \"a.idl\";\n"
                                          "[object, " UUID2 "]\n"
                                          "interface IB : IA { HRESULT G(void); }\n"},
                             {"a.idl", "[object, " UUID1 "]\n"
                                       "interface IA : IUnknown {\n"
                                       "    uint32_t Count(void);\n"
                                       "    [local] uint32_t Fast(void);\n"
                                       "}\n"},
                             {NULL, NULL}};
    (void)state;
    facet_idl_result_free(check_warning(
        files, "a.idl:3:14: warning: remotable method IA::Count returns 'uint32_t', not HRESULT: "
               "no proxy or stub can be made for IA (an error where a.idl itself is compiled)"));
}

static void test_idl_errors__local_may_return_other(void **state)
{
    idl_test_file files[] = {{"main.idl", "[object, local, " UUID1 "]\n"
                                          "interface IA : IUnknown { uint32_t Count(void); }\n"},
                             {NULL, NULL}};
    facet_idl_result *r = idl_test_compile(files);
    (void)state;
    assert_int_equal(facet_idl_error_count(r), 0);
    assert_int_equal(facet_idl_output_count(r), 3);
    facet_idl_result_free(r);
}

static void test_idl_errors__size_is_names_nothing(void **state)
{
    (void)state;
    check_one("[object, " UUID1 "]\n"
              "interface IA : IUnknown {\n"
              "    HRESULT Fill([in] uint32_t count, [out, size_is(cnt)] uint8_t *data);\n"
              "}\n",
              "main.idl:3:53: error: [size_is(cnt)] names no parameter of IA::Fill: expected "
              "one of 'count', 'data', or a constant");
}

static void test_idl_errors__length_is_names_nothing(void **state)
{
    (void)state;
    check_one("[object, " UUID1 "]\n"
              "interface IA : IUnknown {\n"
              "    HRESULT Fill([in] uint32_t size, [out] uint32_t *used,\n"
              "                 [out, size_is(size), length_is(*usde)] uint8_t *data);\n"
              "}\n",
              "main.idl:4:50: error: [length_is(usde)] names no parameter of IA::Fill: expected "
              "one of 'size', 'used', 'data', or a constant");
}

static void test_idl_errors__iid_is_names_nothing(void **state)
{
    (void)state;
    check_one("[object, " UUID1 "]\n"
              "interface IA : IUnknown {\n"
              "    HRESULT Get([in] REFIID riid, [out, iid_is(rid)] void **out);\n"
              "}\n",
              "main.idl:3:48: error: [iid_is(rid)] names no parameter of IA::Get: expected one "
              "of 'riid', 'out', or a constant");
}

/* Every name of the expression counts, not only the first. */
static void test_idl_errors__size_is_second_name(void **state)
{
    (void)state;
    check_one("[object, " UUID1 "]\n"
              "interface IA : IUnknown {\n"
              "    HRESULT Fill([in] uint32_t count, [out, size_is(count * sizee)] uint8_t *d);\n"
              "}\n",
              "main.idl:3:61: error: [size_is(sizee)] names no parameter of IA::Fill: expected "
              "one of 'count', 'd', or a constant");
}

/* size_is(, *n): the second dimension's name */
static void test_idl_errors__size_is_second_dimension(void **state)
{
    (void)state;
    check_one("[object, " UUID1 "]\n"
              "interface IA : IUnknown {\n"
              "    HRESULT Names([out] uint32_t *count, [out, size_is(, *cuont)] char ***names);\n"
              "}\n",
              "main.idl:3:59: error: [size_is(cuont)] names no parameter of IA::Names: expected "
              "one of 'count', 'names', or a constant");
}

/* A struct's fields are described in the type info as well. */
static void test_idl_errors__size_is_field_names_nothing(void **state)
{
    (void)state;
    check_one("typedef struct List {\n"
              "    uint32_t count;\n"
              "    [size_is(cuont)] int32_t *items;\n"
              "} List;\n",
              "main.idl:3:14: error: [size_is(cuont)] names no field of struct List: expected "
              "one of 'count', 'items', or a constant");
}

/* A Windows SDK file's type info is no different. */
static void test_idl_errors__size_is_names_nothing_sdk(void **state)
{
    idl_test_file files[] = {{"main.idl", "import \"unknwn.idl\";\n"
                                          "[object, " UUID1 "]\n"
                                          "interface IA : IUnknown {\n"
                                          "    HRESULT Get([in] uint32_t n, [out, size_is(cnt)] "
                                          "uint8_t *data);\n"
                                          "}\n"},
                             {"unknwn.idl", IDL_TEST_SDK_UNKNWN},
                             {NULL, NULL}};
    (void)state;
    check_error(files, "main.idl:4:48: error: [size_is(cnt)] names no parameter of IA::Get: "
                       "expected one of 'n', 'data', or a constant");
}

/* Names that are in scope: parameters, constants, enumerators; through an
 * import, a name that is not there is a warning (Wine's wmsdkidl.idl has
 * one that its importers must get past). */
static void test_idl_errors__size_is_constants_and_imports(void **state)
{
    idl_test_file files[] = {{"main.idl", "import \"a.idl\";\n"
                                          "const uint32_t MAX_ITEMS = 8;\n"
                                          "typedef enum Sizes { SMALL = 2, LARGE = 4 } Sizes;\n"
                                          "[object, " UUID2 "]\n"
                                          "interface IB : IUnknown {\n"
                                          "    HRESULT Get([in] uint32_t n,\n"
                                          "        [out, size_is(n * MAX_ITEMS + LARGE)] byte *d,\n"
                                          "        [out, size_is(SMALL)] uint8_t *e);\n"
                                          "}\n"},
                             {"a.idl", "[object, " UUID1 "]\n"
                                       "interface IA : IUnknown {\n"
                                       "    HRESULT Get([out, size_is(cnt)] uint8_t *data);\n"
                                       "}\n"},
                             {NULL, NULL}};
    facet_idl_result *r;
    (void)state;
    r = check_warning(files, "a.idl:3:31: warning: [size_is(cnt)] names no parameter of IA::Get: "
                             "expected one of 'data', or a constant");
    /* d is sized by n (parameter 0) in the type info, e by a constant */
    assert_non_null(strstr(facet_idl_output_at(r, 1)->data,
                           ", 0, -1, -1, -1, 0u},\n    {sizeof(FacetParamInfo), \"e\""));
    facet_idl_result_free(r);
}

static void test_idl_errors__unknown_calling_convention(void **state)
{
    (void)state;
    check_one("[object, " UUID1 "]\n"
              "interface IA : IUnknown {\n"
              "    HRESULT Each([in] void (__fastcall *visit)(uint32_t i));\n"
              "}\n",
              "main.idl:3:47: error: calling convention '__fastcall' has no Facet equivalent: "
              "expected __stdcall (STDMETHODCALLTYPE, WINAPI, CALLBACK: FACET_CALL in C) or "
              "__cdecl");
}

static void test_idl_errors__unfixed_size(void **state)
{
    (void)state;
    check_one("[object, " UUID1 "]\n"
              "interface IA : IUnknown { HRESULT F([in] size_t n); }\n",
              "main.idl:2:42: error: 'size_t' has no fixed size (32 bits on 32-bit targets, 64 "
              "on 64-bit ones): use uint64_t, or uint32_t");
}

static void test_idl_errors__bool(void **state)
{
    (void)state;
    check_one("[object, " UUID1 "]\n"
              "interface IA : IUnknown { HRESULT F([in] bool b); }\n",
              "main.idl:2:42: error: 'bool' has no fixed size (C++ bool is 1 byte on most "
              "compilers, 4 on some): use boolean (8 bits) or uint32_t with 0 and 1");
}

static void test_idl_errors__unknown_type(void **state)
{
    (void)state;
    check_one("[object, " UUID1 "]\n"
              "interface IA : IUnknown { HRESULT F([in] Widget *w); }\n",
              "main.idl:2:42: error: unknown type 'Widget': expected a base type (long, hyper, "
              "double, ...), a fixed-width type (int32_t, ...) or a typedef, interface, struct "
              "or enum declared before use");
}

static void test_idl_errors__import_cycle(void **state)
{
    idl_test_file files[] = {{"main.idl", "import \"a.idl\";\n"},
                             {"a.idl", "import \"b.idl\";\n"},
                             {"b.idl", "\n  import \"a.idl\";\n"},
                             {NULL, NULL}};
    (void)state;
    check_error(files, "b.idl:2:10: error: import cycle: a.idl imports b.idl imports a.idl");
}

static void test_idl_errors__unterminated_comment(void **state)
{
    (void)state;
    check_one("[object, " UUID1 "]\n"
              "interface IA : IUnknown { /* no end\n"
              "HRESULT F(void); }\n",
              "main.idl:2:27: error: unterminated comment: expected '*/' before the end of the "
              "file");
}

static void test_idl_errors__unreadable_file(void **state)
{
    facet_idl_result *r = NULL;
    char buf[512];
    (void)state;
    assert_int_equal(facet_idl_compile(&r, "no/such/file.idl", NULL), 1);
    assert_int_equal(facet_idl_output_count(r), 0);
    assert_string_equal(idl_test_diag(r, 0, buf, sizeof buf),
                        "no/such/file.idl: error: cannot read 'no/such/file.idl': No such file "
                        "or directory");
    facet_idl_result_free(r);
}

static void test_idl_errors__missing_import(void **state)
{
    (void)state;
    check_one("// an import that is nowhere\nimport \"gone.idl\";\n",
              "main.idl:2:8: error: cannot find 'gone.idl' in the importing file's folder or "
              "any -I folder");
}

static void test_idl_errors__syntax(void **state)
{
    (void)state;
    check_one("[object, " UUID1 "]\n"
              "interface IA : IUnknown { HRESULT F(void) }\n",
              "main.idl:2:43: error: expected ';', found '}'");
}

static void test_idl_errors__windows_macro_name(void **state)
{
    (void)state;
    check_one("[object, " UUID1 "]\n"
              "interface IA : IUnknown { HRESULT GetObject([out] uint32_t *x); }\n",
              "main.idl:2:35: error: method name 'GetObject' is a macro in <windows.h> "
              "(GetObjectA/GetObjectW): expected another name, or a C file that includes "
              "<windows.h> will not compile");
}

static void test_idl_errors__unknown_directive(void **state)
{
    (void)state;
    check_one("#frobnicate 1\n",
              "main.idl:1:1: error: unknown preprocessor directive '#frobnicate': expected "
              "#include, #define, #undef, #if, #ifdef, #ifndef, #elif, #else, #endif or #pragma");
}

static void test_idl_errors__struct_by_value_warns(void **state)
{
    idl_test_file files[] = {{"main.idl", "typedef struct P { int32_t x; } P;\n"
                                          "[object, local, " UUID1 "]\n"
                                          "interface IA : IUnknown { P Where(void); }\n"},
                             {NULL, NULL}};
    (void)state;
    facet_idl_result_free(check_warning(
        files, "main.idl:3:29: warning: IA::Where returns a struct by value: MSVC returns it "
               "through a hidden pointer after 'this', GCC and Clang before it, so C++ callers "
               "and C callers disagree; return it through an [out] pointer"));
}

static void test_idl_errors__caret(void **state)
{
    idl_test_file files[] = {{"main.idl", "[object, " UUID1 "]\n"
                                          "interface IA : IUnknown { HRESULT F([in] size_t n); }\n"},
                             {NULL, NULL}};
    facet_idl_result *r = idl_test_compile(files);
    char buf[1024];
    (void)state;
    facet_idl_diag_format(facet_idl_diag_at(r, 0), buf, sizeof buf);
    assert_non_null(strstr(buf, "\n 2 | interface IA : IUnknown { HRESULT F([in] size_t n); }\n"
                                "   |                                          ^\n"));
    facet_idl_result_free(r);
}

/* The preprocessor, the lexer and the parser: each refusal names where. */

static void test_idl_errors__else_after_else(void **state)
{
    (void)state;
    check_one("#ifdef A\n#else\n#else\n#endif\n",
              "main.idl:3:2: error: #else after #else");
}

static void test_idl_errors__endif_without_if(void **state)
{
    (void)state;
    check_one("#endif\n",
              "main.idl:1:2: error: #endif without #if");
}

static void test_idl_errors__error_directive(void **state)
{
    (void)state;
    check_one("#error stop here\n",
              "main.idl:1:2: error: #error in the input");
}

static void test_idl_errors__if_without_endif(void **state)
{
    (void)state;
    check_one("#if 1\n[object, " UUID1 "]\ninterface IA : IUnknown { HRESULT F(void); }\n",
              "main.idl:4:1: error: expected #endif before the end of the file");
}

static void test_idl_errors__ifdef_without_name(void **state)
{
    (void)state;
    check_one("#ifdef\n#endif\n",
              "main.idl:1:2: error: expected a macro name after #ifdef");
}

static void test_idl_errors__define_without_name(void **state)
{
    (void)state;
    check_one("#define\n",
              "main.idl:1:2: error: expected a macro name after #define");
}

static void test_idl_errors__define_bad_parameter(void **state)
{
    (void)state;
    check_one("#define M(a, 1) a\n",
              "main.idl:1:14: error: expected a parameter name in #define M, found '1'");
}

static void test_idl_errors__if_not_an_expression(void **state)
{
    (void)state;
    check_one("#if 1 +\n#endif\n",
              "main.idl:1:2: error: cannot evaluate this #if: expected an integer expression of n"
              "umbers, defined(NAME) and operators");
}

static void test_idl_errors__macro_argument_count(void **state)
{
    (void)state;
    check_one("#define M(a) a\n[object, " UUID1 "]\ninterface IA : IUnknown { HRESULT F([in] int3"
              "2_t M(1, 2)); }\n",
              "main.idl:3:50: error: macro 'M' takes 1 argument(s), found 2");
}

static void test_idl_errors__missing_include(void **state)
{
    (void)state;
    check_one("#include \"gone.h\"\n",
              "main.idl:1:2: error: cannot find 'gone.h' in the importing file's folder or any -I"
              " folder");
}

static void test_idl_errors__long_double(void **state)
{
    (void)state;
    check_one("[object, " UUID1 "]\ninterface IA : IUnknown { HRESULT F([in] long double d); }\n",
              "main.idl:2:42: error: 'long double' has no fixed size across compilers (64, 80 or "
              "128 bits): use double");
}

static void test_idl_errors__base_only_declared(void **state)
{
    (void)state;
    check_one("interface IB;\n[object, " UUID1 "]\ninterface IA : IB { HRESULT F(void); }\n",
              "main.idl:3:16: error: base interface 'IB' of IA is only declared, not defined: exp"
              "ected its definition before IA");
}

static void test_idl_errors__unknown_base(void **state)
{
    (void)state;
    check_one("[object, " UUID1 "]\ninterface IA : IGone { HRESULT F(void); }\n",
              "main.idl:2:16: error: unknown base interface 'IGone' of IA: expected an interface "
              "declared before it");
}

static void test_idl_errors__coclass_unknown_interface(void **state)
{
    (void)state;
    check_one("[" UUID1 "]\ncoclass C { interface IGone; }\n",
              "main.idl:2:23: error: unknown interface 'IGone' in coclass C");
}

static void test_idl_errors__interface_twice(void **state)
{
    (void)state;
    check_one("[object, " UUID1 "]\ninterface IA : IUnknown { HRESULT F(void); }\n[object, "
              "" UUID2 "]\ninterface IA : IUnknown { HRESULT G(void); }\n",
              "main.idl:4:11: error: interface 'IA' is defined twice");
}

/* The control beside a refusal: text that differs from it only in what
 * is refused compiles without a diagnostic. */
static void check_clean(const char *text)
{
    idl_test_file files[2];
    facet_idl_result *r;
    char buf[1024];
    files[0].name = "main.idl";
    files[0].text = text;
    files[1].name = NULL;
    r = idl_test_compile(files);
    assert_non_null(r);
    if (facet_idl_diag_count(r) != 0)
        fail_msg("expected no diagnostic, got: %s", idl_test_diag(r, 0, buf, sizeof buf));
    assert_int_equal(facet_idl_output_count(r), 3);
    facet_idl_result_free(r);
}

static void test_idl_errors__struct_twice(void **state)
{
    (void)state;
    check_one("typedef struct P { int32_t x; } P;\ntypedef struct P { int32_t y; } Q;\n",
              "main.idl:2:16: error: struct 'P' is defined twice (first on line 1, column 16)");
    check_one("enum E { A };\nenum E { B };\n",
              "main.idl:2:6: error: enum 'E' is defined twice (first on line 1, column 6)");
    /* declared, then defined once: one definition */
    check_clean("struct P;\ntypedef struct P { int32_t x; } P;\n");
}

static void test_idl_errors__constant_values(void **state)
{
    (void)state;
    check_one("const int32_t K = 1 / 0;\n",
              "main.idl:1:23: error: the value of constant K divides by zero");
    check_one("const int32_t K = 7 % (0);\n",
              "main.idl:1:23: error: the value of constant K divides by zero");
    check_one("typedef enum C { RED = NOPE } C;\n",
              "main.idl:1:24: error: 'NOPE' in the value of enumerator RED names no constant or "
              "enumerator");
    check_one("const int32_t K = L + 1;\n",
              "main.idl:1:19: error: 'L' in the value of constant K names no constant or "
              "enumerator");
    check_clean("const int32_t L = 2;\nconst int32_t K = (L + 1) / 2 % 3;\n"
                "typedef enum C { RED = K, GREEN = RED + 1, BLUE = 1 << 4 } C;\n");
}

static void test_idl_errors__string_not_characters(void **state)
{
    (void)state;
    check_one("[object, " UUID1 "]\ninterface IA : IUnknown { HRESULT F([in, string] const "
              "int32_t *p); }\n",
              "main.idl:2:65: error: [string] on parameter 'p' of IA::F: expected a pointer to "
              "or an array of char, byte, int8_t, uint8_t or wchar_t");
    check_one("typedef struct S { [string] int32_t n; } S;\n",
              "main.idl:1:37: error: [string] on field 'n' of struct S: expected a pointer to "
              "or an array of char, byte, int8_t, uint8_t or wchar_t");
    check_clean("typedef [string] wchar_t *LPW;\ntypedef struct S { [string] char *a; [string] "
                "unsigned char b[8]; } S;\n[object, " UUID1 "]\ninterface IA : IUnknown { "
                "HRESULT F([in, string] const char *a, [in, string] const wchar_t *w, [in, "
                "string] LPW l, [in, string] const byte *b); }\n");
}

static void test_idl_errors__not_a_method(void **state)
{
    (void)state;
    check_one("[object, " UUID1 "]\ninterface IA : IUnknown { 42; }\n",
              "main.idl:2:27: error: expected a type, found '42'");
}

static void test_idl_errors__unexpected_character(void **state)
{
    (void)state;
    check_one("[object, " UUID1 "]\ninterface IA : IUnknown { HRESULT F(void); } @\n",
              "main.idl:2:46: error: unexpected character '@': expected a token");
}

static void test_idl_errors__unexpected_byte(void **state)
{
    (void)state;
    check_one("[object, " UUID1 "]\ninterface IA : IUnknown { HRESULT F(void); } \x01\n",
              "main.idl:2:46: error: unexpected byte 0x01: expected a token");
}

static void test_idl_errors__dispinterface_without_idispatch(void **state)
{
    (void)state;
    check_one("[" UUID1 "]\ndispinterface D { properties: methods: }\n",
              "main.idl:2:15: error: dispinterface D needs IDispatch: expected 'import \"oaidl.id"
              "l\";' before it");
}

static void test_idl_errors__cpp_quote_not_a_string(void **state)
{
    (void)state;
    check_one("cpp_quote(42)\n",
              "main.idl:1:11: error: expected a string, found '42'");
}

static void test_idl_errors__import_not_a_string(void **state)
{
    (void)state;
    check_one("import 42;\n",
              "main.idl:1:8: error: expected a file name in quotes, found '42'");
}

static void test_idl_errors__unterminated_string(void **state)
{
    (void)state;
    check_one("const char *X = \"unterminated;\n",
              "main.idl:1:17: error: unterminated string: expected '\"' before the end of the lin"
              "e");
}

/* Two parameters or two fields of one name: the header would not compile. */
static void test_idl_errors__duplicate_parameter(void **state)
{
    (void)state;
    check_one("[object, " UUID1 "]\n"
              "interface IA : IUnknown { HRESULT F([in] int32_t a, [in] int32_t a); }\n",
              "main.idl:2:66: error: IA::F has two parameters named 'a' (the first on line 2, "
              "column 50): expected a name of its own for each");
}

static void test_idl_errors__duplicate_field(void **state)
{
    (void)state;
    check_one("typedef struct S {\n"
              "    int32_t x;\n"
              "    double y, x;\n"
              "} S;\n",
              "main.idl:3:15: error: struct S has two fields named 'x' (the first on line 2, "
              "column 13): expected a name of its own for each");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_idl_errors__unknown_attribute),
        cmocka_unit_test(test_idl_errors__missing_uuid),
        cmocka_unit_test(test_idl_errors__malformed_guid),
        cmocka_unit_test(test_idl_errors__duplicate_iid),
        cmocka_unit_test(test_idl_errors__not_from_iunknown),
        cmocka_unit_test(test_idl_errors__remotable_not_hresult),
        cmocka_unit_test(test_idl_errors__remotable_not_hresult_sdk),
        cmocka_unit_test(test_idl_errors__remotable_not_hresult_imported_warns),
        cmocka_unit_test(test_idl_errors__local_may_return_other),
        cmocka_unit_test(test_idl_errors__size_is_names_nothing),
        cmocka_unit_test(test_idl_errors__length_is_names_nothing),
        cmocka_unit_test(test_idl_errors__iid_is_names_nothing),
        cmocka_unit_test(test_idl_errors__size_is_second_name),
        cmocka_unit_test(test_idl_errors__size_is_second_dimension),
        cmocka_unit_test(test_idl_errors__size_is_field_names_nothing),
        cmocka_unit_test(test_idl_errors__size_is_names_nothing_sdk),
        cmocka_unit_test(test_idl_errors__size_is_constants_and_imports),
        cmocka_unit_test(test_idl_errors__unknown_calling_convention),
        cmocka_unit_test(test_idl_errors__unfixed_size),
        cmocka_unit_test(test_idl_errors__bool),
        cmocka_unit_test(test_idl_errors__unknown_type),
        cmocka_unit_test(test_idl_errors__import_cycle),
        cmocka_unit_test(test_idl_errors__unterminated_comment),
        cmocka_unit_test(test_idl_errors__unreadable_file),
        cmocka_unit_test(test_idl_errors__missing_import),
        cmocka_unit_test(test_idl_errors__syntax),
        cmocka_unit_test(test_idl_errors__windows_macro_name),
        cmocka_unit_test(test_idl_errors__unknown_directive),
        cmocka_unit_test(test_idl_errors__struct_by_value_warns),
        cmocka_unit_test(test_idl_errors__caret),
        cmocka_unit_test(test_idl_errors__duplicate_parameter),
        cmocka_unit_test(test_idl_errors__duplicate_field),
        cmocka_unit_test(test_idl_errors__else_after_else),
        cmocka_unit_test(test_idl_errors__endif_without_if),
        cmocka_unit_test(test_idl_errors__error_directive),
        cmocka_unit_test(test_idl_errors__if_without_endif),
        cmocka_unit_test(test_idl_errors__ifdef_without_name),
        cmocka_unit_test(test_idl_errors__define_without_name),
        cmocka_unit_test(test_idl_errors__define_bad_parameter),
        cmocka_unit_test(test_idl_errors__if_not_an_expression),
        cmocka_unit_test(test_idl_errors__macro_argument_count),
        cmocka_unit_test(test_idl_errors__missing_include),
        cmocka_unit_test(test_idl_errors__long_double),
        cmocka_unit_test(test_idl_errors__base_only_declared),
        cmocka_unit_test(test_idl_errors__unknown_base),
        cmocka_unit_test(test_idl_errors__coclass_unknown_interface),
        cmocka_unit_test(test_idl_errors__interface_twice),
        cmocka_unit_test(test_idl_errors__not_a_method),
        cmocka_unit_test(test_idl_errors__unexpected_character),
        cmocka_unit_test(test_idl_errors__unexpected_byte),
        cmocka_unit_test(test_idl_errors__dispinterface_without_idispatch),
        cmocka_unit_test(test_idl_errors__cpp_quote_not_a_string),
        cmocka_unit_test(test_idl_errors__import_not_a_string),
        cmocka_unit_test(test_idl_errors__unterminated_string),
        cmocka_unit_test(test_idl_errors__struct_twice),
        cmocka_unit_test(test_idl_errors__constant_values),
        cmocka_unit_test(test_idl_errors__string_not_characters),
    };
    return cmocka_run_group_tests_name("test_idl_errors", tests, NULL, NULL);
}
