/*
 * header.c - what X.h says for the constructs a C compiler would refuse or
 * misread if they came out wrong: encapsulated unions and untagged structs,
 * the calling convention of callbacks, and the header of a Windows SDK
 * file, which stands on the platform's headers (docs/idl.md). The compile
 * checks (compile_generated.sh, test_idl_sdk) compile such headers; these
 * cases pin the text on machines without MinGW or the SDK files.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "idl_test_util.h"

#define UUID1 "uuid(11111111-2222-3333-4444-555555555555)"


static facet_idl_result *result;

static int teardown(void **state)
{
    (void)state;
    facet_idl_result_free(result);
    result = NULL;
    return 0;
}

/* The header of files[0], which must compile without errors. */
static const char *header_of(const idl_test_file *files)
{
    char buf[1024];
    result = idl_test_compile(files);
    assert_non_null(result);
    if (facet_idl_error_count(result) != 0)
        fail_msg("%s", idl_test_diag(result, 0, buf, sizeof buf));
    assert_int_equal(facet_idl_output_count(result), 3);
    return facet_idl_output_at(result, 0)->data;
}

static const char *header_of_text(const char *text)
{
    static idl_test_file files[2];
    files[0].name = "main.idl";
    files[0].text = text;
    files[1].name = NULL;
    return header_of(files);
}

static void has(const char *header, const char *snippet)
{
    if (!strstr(header, snippet))
        fail_msg("expected\n%s\nin\n%s", snippet, header);
}

static void lacks(const char *header, const char *snippet)
{
    if (strstr(header, snippet))
        fail_msg("did not expect\n%s\nin\n%s", snippet, header);
}

/* MIDL's encapsulated union is a struct of the discriminant and a union,
 * and every use of its tag says struct (widl's and MIDL's headers do). */
static void test_idl_header__encapsulated_union(void **state)
{
    const char *h = header_of_text(
        "typedef union _userFORMAT switch (int32_t fContext) u {\n"
        "    case 0: uint32_t dwValue;\n"
        "    case 1: [string] wchar_t *pwszName;\n"
        "} userFORMAT;\n"
        "typedef [unique] userFORMAT *wireFORMAT;\n"
        "typedef union _userFORMAT *wireFORMAT2;\n"
        "typedef union switch (uint32_t tyspec) {\n"
        "    case 0: FacetGuid clsid;\n"
        "    case 1: [string] wchar_t *pFileExt;\n"
        "} uSPEC;\n");
    (void)state;
    has(h, "typedef struct _userFORMAT {\n"
           "    int32_t fContext;\n"
           "    union {\n"
           "        uint32_t dwValue;\n"
           "        uint16_t *pwszName;\n"
           "    } u;\n"
           "} userFORMAT;\n");
    has(h, "typedef struct _userFORMAT *wireFORMAT2;\n");
    /* no name: MIDL calls the union tagged_union */
    has(h, "typedef struct {\n"
           "    uint32_t tyspec;\n"
           "    union {\n"
           "        FacetGuid clsid;\n"
           "        uint16_t *pFileExt;\n"
           "    } tagged_union;\n"
           "} uSPEC;\n");
    lacks(h, "union _userFORMAT");
}

static void test_idl_header__untagged_struct(void **state)
{
    const char *h = header_of_text("typedef struct { int32_t x, y; } POINTL, *PPOINTL;\n"
                                   "typedef struct Outer {\n"
                                   "    struct { int32_t a; } inner, *pinner;\n"
                                   "} Outer;\n");
    (void)state;
    has(h, "typedef struct {\n"
           "    int32_t x;\n"
           "    int32_t y;\n"
           "} POINTL, *PPOINTL;\n");
    has(h, "    struct {\n"
           "        int32_t a;\n"
           "    } inner, *pinner;\n");
    lacks(h, "void");
}

/* A callback that an object's method takes is STDMETHODCALLTYPE unless it
 * says otherwise (IViewObject::Draw's pfnContinue): FACET_CALL, which is
 * __stdcall on 32-bit Windows. */
static void test_idl_header__callback_convention(void **state)
{
    const char *h = header_of_text(
        "[object, " UUID1 "]\n"
        "interface IView : IUnknown {\n"
        "    HRESULT Draw([in] int32_t (*pfnContinue)(uint64_t dwContinue),\n"
        "                 [in] void (__stdcall *done)(void), [in] void (__cdecl *log)(void),\n"
        "                 [in] void (WINAPI *other)(void));\n"
        "}\n"
        "typedef void (CALLBACK *PFNTIMER)(uint32_t id);\n"
        "typedef void (*PFNPLAIN)(uint32_t id);\n"
        "HRESULT WINAPI StartTimer([in] PFNTIMER timer);\n");
    (void)state;
    has(h, "FacetResult(FACET_CALL *Draw)(IView *This, int32_t (FACET_CALL *pfnContinue)(uint64_t "
           "dwContinue), void (FACET_CALL *done)(void), void (*log)(void), void (FACET_CALL "
           "*other)(void));");
    has(h, "typedef void (FACET_CALL *PFNTIMER)(uint32_t id);");
    has(h, "typedef void (*PFNPLAIN)(uint32_t id);");
    has(h, "FacetResult FACET_CALL StartTimer(PFNTIMER timer);");
}

/* ---- Windows SDK files -------------------------------------------------- */

static const char preamble[] = "#ifdef _WIN32\n"
                               "#include <rpc.h>\n"
                               "#include <rpcndr.h>\n"
                               "#endif\n"
                               "#ifndef COM_NO_WINDOWS_H\n"
                               "#include <windows.h>\n"
                               "#include <ole2.h>\n"
                               "#endif\n"
                               "\n"
                               "#ifndef FACET_IDL_MAIN_H\n"
                               "#define FACET_IDL_MAIN_H\n"
                               "\n"
                               "#ifdef __main_h__\n"
                               "#error \"the platform's main.h came before this one: facet-idl's "
                               "main.h takes its place, so the folder of facet-idl's headers goes "
                               "first on the include path\"\n"
                               "#endif\n"
                               "#define __main_h__\n";

/* What makes a file an SDK file: it imports a C header, declares types for
 * IDL only, uses the platform's macros in cpp_quote, or declares IUnknown. */
static void test_idl_header__sdk_file(void **state)
{
    static const char *const texts[] = {
        "import \"basetsd.h\";\n",
        "cpp_quote(\"#if 0 /* winnt.h */\")\n"
        "typedef uint32_t DWORD;\n"
        "cpp_quote(\"#endif\")\n",
        "cpp_quote(\"HRESULT WINAPI AmsiInitialize(const WCHAR *name);\")\n",
        IDL_TEST_SDK_UNKNWN};
    idl_test_file files[] = {{"main.idl", NULL}, {"basetsd.h", "typedef int64_t LONG_PTR;\n"},
                             {NULL, NULL}};
    size_t i;
    (void)state;
    for (i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        files[0].text = texts[i];
        has(header_of(files), preamble);
        teardown(NULL);
    }
}

/* A file of Facet's own does not pull in <windows.h>, even with
 * cpp_quote lines and #if 0 around C text. */
static void test_idl_header__facet_file(void **state)
{
    const char *h = header_of_text("cpp_quote(\"/* WINAPI, the word, in a comment */\")\n"
                                   "cpp_quote(\"#if 0\")\n"
                                   "cpp_quote(\"int unused;\")\n"
                                   "cpp_quote(\"#endif\")\n"
                                   "typedef enum Colour { RED = 1 } Colour;\n"
                                   "[object, " UUID1 "]\n"
                                   "interface IA : IUnknown { HRESULT F([in] REFIID iid); }\n");
    (void)state;
    lacks(h, "windows.h");
    lacks(h, "__main_h__");
    has(h, "#ifndef FACET_IA_INTERFACE_DEFINED\n");
    has(h, "enum { /* Colour */\n");
    has(h, "typedef int32_t Colour;\n");
    lacks(h, "virtual FacetResult F(REFIID");
}

/* The header of unknwn.idl takes the place of the platform's unknwn.h:
 * IUnknown is IFacetUnknown for the interfaces the IDL declares, and the
 * platform's IUnknown, with the platform's types, for the platform's
 * headers and the lines unknwn.idl copies into C. */
static void test_idl_header__sdk_iunknown(void **state)
{
    idl_test_file files[] = {{"unknwn.idl", "import \"basetsd.h\";\n" IDL_TEST_SDK_UNKNWN
                                            "typedef [unique] IUnknown *LPUNKNOWN;\n"
                                            "cpp_quote(\"HRESULT STDMETHODCALLTYPE "
                                            "IUnknown_AddRef_Proxy(IUnknown *This);\")\n"},
                             {"basetsd.h", "typedef int64_t LONG_PTR;\n"},
                             {NULL, NULL}};
    const char *h = header_of(files);
    (void)state;
    has(h, "#ifndef __IUnknown_INTERFACE_DEFINED__\n"
           "#define __IUnknown_INTERFACE_DEFINED__\n"
           "DEFINE_GUID(IID_IUnknown, 0x00000000, 0x0000, 0x0000, 0xc0, 0x00, 0x00, 0x00, 0x00, "
           "0x00, 0x00, 0x46);\n"
           "#if defined(__cplusplus) && !defined(CINTERFACE)\n"
           "struct IUnknown {\n"
           "    virtual HRESULT STDMETHODCALLTYPE QueryInterface(REFIID riid, void **ppvObject) = "
           "0;\n"
           "    virtual ULONG STDMETHODCALLTYPE AddRef(void) = 0;\n"
           "    virtual ULONG STDMETHODCALLTYPE Release(void) = 0;\n"
           "};\n");
    has(h, "#define IUnknown_Release(This) ((This)->lpVtbl->Release(This))\n");
    has(h, "typedef IFacetUnknown *LPUNKNOWN;\n");
    has(h, "HRESULT STDMETHODCALLTYPE IUnknown_AddRef_Proxy(IUnknown *This);\n");
}

/* In an SDK file's header: the platform's guard names, enums that are C
 * enums, __uuidof, and for the platform's C++ an overload that takes GUIDs
 * by reference. */
static void test_idl_header__sdk_interface(void **state)
{
    idl_test_file files[] = {{"main.idl", "import \"unknwn.idl\";\n"
                                          "typedef enum FLAGS { F_ONE = 1, F_TWO = 2 } FLAGS;\n"
                                          "enum BARE { B_ONE };\n"
                                          "[object, " UUID1 "]\n"
                                          "interface IAttrs : IUnknown {\n"
                                          "    HRESULT Set([in] REFGUID key, [in] FLAGS value);\n"
                                          "    HRESULT Count([out] uint32_t *n);\n"
                                          "}\n"},
                             {"unknwn.idl", IDL_TEST_SDK_UNKNWN},
                             {NULL, NULL}};
    const char *h = header_of(files);
    (void)state;
    has(h, "#ifndef __IAttrs_FWD_DEFINED__\n#define __IAttrs_FWD_DEFINED__\n");
    has(h, "#ifndef __IAttrs_INTERFACE_DEFINED__\n#define __IAttrs_INTERFACE_DEFINED__\n");
    has(h, "typedef enum FLAGS {\n    F_ONE = 1,\n    F_TWO = 2\n} FLAGS;\n");
    has(h, "enum BARE {\n    B_ONE\n};\n");
    has(h, "    virtual FacetResult FACET_CALL Set(const FacetGuid *key, FLAGS value) = 0;\n"
           "    FacetResult Set(REFGUID key, FLAGS value) { return Set(reinterpret_cast<const "
           "FacetGuid *>(&key), value); }\n"
           "    virtual FacetResult FACET_CALL Count(uint32_t *n) = 0;\n"
           "};\n");
    has(h, "__CRT_UUID_DECL(IAttrs, 0x11111111, 0x2222, 0x3333, 0x44, 0x44, 0x55, 0x55, 0x55, "
           "0x55, 0x55, 0x55)\n");
    has(h, "#include \"unknwn.h\"\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_idl_header__encapsulated_union, teardown),
        cmocka_unit_test_teardown(test_idl_header__untagged_struct, teardown),
        cmocka_unit_test_teardown(test_idl_header__callback_convention, teardown),
        cmocka_unit_test_teardown(test_idl_header__sdk_file, teardown),
        cmocka_unit_test_teardown(test_idl_header__facet_file, teardown),
        cmocka_unit_test_teardown(test_idl_header__sdk_iunknown, teardown),
        cmocka_unit_test_teardown(test_idl_header__sdk_interface, teardown),
    };
    return cmocka_run_group_tests_name("test_idl_header", tests, NULL, NULL);
}
