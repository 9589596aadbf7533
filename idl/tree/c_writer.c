/*
 * c_writer.c - types and expressions of the tree, written as C.
 *
 * Base types keep MIDL's sizes whatever the C compiler (long is 32 bits,
 * hyper 64, wchar_t 16, boolean 8), and every one is written in C as a
 * fixed-width type. The names COM gives Facet's own types map onto them:
 * IUnknown is IFacetUnknown, HRESULT FacetResult, GUID/IID/CLSID FacetGuid.
 * Both outputs write their types here, and so do the messages that name a
 * type.
 */
#include <string.h>

#include "tree.h"

static const struct {
    int builtin;
    const char *c;
} builtin_c[] = {
    {B_VOID, "void"}, {B_CHAR, "char"}, {B_INT8, "int8_t"}, {B_UINT8, "uint8_t"},
    {B_INT16, "int16_t"}, {B_UINT16, "uint16_t"}, {B_INT32, "int32_t"}, {B_UINT32, "uint32_t"},
    {B_INT64, "int64_t"}, {B_UINT64, "uint64_t"}, {B_FLOAT, "float"}, {B_DOUBLE, "double"},
    {B_WCHAR, "uint16_t"}, {B_BOOLEAN, "uint8_t"}, {B_INTPTR, "intptr_t"},
    {B_UINTPTR, "uintptr_t"}, {B_GUID, "FacetGuid"}, {B_RESULT, "FacetResult"},
    {B_HANDLE, "void *"}, {B_ERROR_STATUS, "uint32_t"}};

const char *facet_idl__builtin_c(int builtin)
{
    size_t i;
    for (i = 0; i < sizeof builtin_c / sizeof builtin_c[0]; i++)
        if (builtin_c[i].builtin == builtin)
            return builtin_c[i].c;
    return "void";
}

/* Calling conventions as written, and what the generated C says: NULL for
 * one with no Facet equivalent. */
static const struct {
    const char *spelled;
    const char *c;
} callconv_c[] = {
    /* __stdcall on 32-bit x86 Windows, the default elsewhere: FACET_CALL */
    {"__stdcall", "FACET_CALL"}, {"_stdcall", "FACET_CALL"}, {"stdcall", "FACET_CALL"},
    {"STDMETHODCALLTYPE", "FACET_CALL"}, {"WINAPI", "FACET_CALL"}, {"CALLBACK", "FACET_CALL"},
    {"APIENTRY", "FACET_CALL"}, {"STDAPICALLTYPE", "FACET_CALL"}, {"__RPC_API", "FACET_CALL"},
    {"__RPC_USER", "FACET_CALL"}, {"__RPC_STUB", "FACET_CALL"}, {"pascal", "FACET_CALL"},
    {"__pascal", "FACET_CALL"}, {"_pascal", "FACET_CALL"},
    /* C's own convention, which is every compiler's default */
    {"__cdecl", ""}, {"_cdecl", ""}, {"cdecl", ""}, {"WINAPIV", ""},
    /* 16-bit pointer words: no convention at all */
    {"__RPC_FAR", ""}, {"FAR", ""}, {"NEAR", ""},
    /* none in Facet's C */
    {"__fastcall", NULL}, {"__thiscall", NULL}};

static int callconv_index(const char *spelled)
{
    int i;
    for (i = 0; i < (int)(sizeof callconv_c / sizeof callconv_c[0]); i++)
        if (strcmp(callconv_c[i].spelled, spelled) == 0)
            return i;
    return -1;
}

int facet_idl__is_callconv(const char *word)
{
    return callconv_index(word) >= 0;
}

const char *facet_idl__callconv_c(const char *spelled)
{
    int i;
    if (!spelled)
        return "";
    i = callconv_index(spelled);
    return i >= 0 ? callconv_c[i].c : NULL;
}


/* What a struct/union/enum tag is declared as in C: MIDL's encapsulated
 * union (union X switch (T t) u { ... }) is a struct of the discriminant
 * and the union. */
static char tag_kind(const idl_type *t)
{
    if (t->decl && t->decl->kind == D_UNION)
        return t->decl->sw ? 's' : 'u';
    if (t->decl && t->decl->kind == D_STRUCT)
        return 's';
    return (char)t->tag;
}

static void write_base(idl_buf *b, const idl_type *t)
{
    if (t->is_const)
        facet_idl__buf_puts(b, "const ");
    if (t->kind == TY_BUILTIN) {
        facet_idl__buf_puts(b, facet_idl__builtin_c(t->builtin));
        return;
    }
    if (t->tag == 'e') {
        const char *name = t->spelled ? t->spelled : t->decl ? t->decl->name : NULL;
        if (t->decl && t->decl->c_enum && name)
            facet_idl__buf_printf(b, "enum %s", name);
        else
            facet_idl__buf_puts(b, "int32_t"); /* enums cross the ABI as int32_t */
        return;
    }
    if (t->tag) {
        const char *name = t->spelled ? t->spelled : t->decl ? t->decl->name : NULL;
        facet_idl__buf_puts(b, tag_kind(t) == 's' ? "struct" : "union");
        if (name)
            facet_idl__buf_printf(b, " %s", name);
        return;
    }
    if (!t->tag && t->decl && t->decl->kind == D_TYPEDEF && t->decl->builtin) {
        facet_idl__buf_puts(b, t->spelled); /* handled by the caller */
        return;
    }
    if (!t->tag && t->decl && (t->decl->kind == D_INTERFACE || t->decl->kind == D_DISPINTERFACE ||
                               t->decl->kind == D_COCLASS))
        facet_idl__buf_puts(b, facet_idl__decl_c_name(t->decl));
    else
        facet_idl__buf_puts(b, t->spelled ? t->spelled : "void");
}

static void write_params(idl_buf *b, const idl_vec *params, int varargs);

/* C's inside-out declarators: inner is what stands where the name goes.
 * With base 0 only the declarator is written ("*name[4]"), for a type
 * whose base is a struct body written just before it. */
static void write_inner(idl_buf *b, const idl_type *t, const char *inner, int base)
{
    idl_buf s;
    facet_idl__buf_init(&s, b->mem);
    if (!t) {
        facet_idl__buf_puts(b, "void");
        return;
    }
    if (t->kind == TY_NAMED && !t->tag && t->decl && t->decl->kind == D_TYPEDEF &&
        t->decl->builtin) {
        const idl_var *v = facet_idl__typedef_target(t);
        if (v) {
            if (t->is_const && v->type->kind == TY_BUILTIN) {
                facet_idl__buf_puts(b, "const ");
            }
            write_inner(b, v->type, inner, base);
            return;
        }
    }
    switch (t->kind) {
    case TY_POINTER:
        facet_idl__buf_puts(&s, "*");
        if (t->is_const)
            facet_idl__buf_puts(&s, *inner ? "const " : "const");
        facet_idl__buf_puts(&s, inner);
        if (t->sub && (t->sub->kind == TY_ARRAY || t->sub->kind == TY_FUNC)) {
            /* a function pointer keeps its calling convention:
             * BOOL (FACET_CALL *pfnContinue)(ULONG_PTR) */
            const char *cc = t->sub->kind == TY_FUNC ? facet_idl__callconv_c(t->sub->callconv) : "";
            idl_buf w;
            facet_idl__buf_init(&w, b->mem);
            facet_idl__buf_printf(&w, "(%s%s%s)", cc && *cc ? cc : "", cc && *cc ? " " : "",
                                  s.data ? s.data : "");
            write_inner(b, t->sub, w.data ? w.data : "", base);
            facet_idl__buf_free(&w);
        } else {
            write_inner(b, t->sub, s.data ? s.data : "", base);
        }
        break;
    case TY_ARRAY:
        facet_idl__buf_puts(&s, inner);
        facet_idl__buf_puts(&s, "[");
        if (t->dim)
            facet_idl__write_expr(&s, t->dim);
        else if (*inner)
            facet_idl__buf_puts(&s, "1"); /* conformant: sized by another field */
        facet_idl__buf_puts(&s, "]");
        write_inner(b, t->sub, s.data ? s.data : "", base);
        break;
    case TY_FUNC:
        facet_idl__buf_puts(&s, inner);
        write_params(&s, &t->params, t->varargs);
        write_inner(b, t->sub, s.data ? s.data : "", base);
        break;
    default:
        if (!base) {
            facet_idl__buf_puts(b, inner);
            break;
        }
        write_base(b, t);
        if (*inner) {
            if (inner[0] != '*' && b->len && b->data[b->len - 1] != ' ')
                facet_idl__buf_puts(b, " ");
            else if (inner[0] == '*' && b->len && b->data[b->len - 1] != ' ')
                facet_idl__buf_puts(b, " ");
            facet_idl__buf_puts(b, inner);
        }
        break;
    }
    facet_idl__buf_free(&s);
}

static void write_params(idl_buf *b, const idl_vec *params, int varargs)
{
    size_t i;
    facet_idl__buf_puts(b, "(");
    for (i = 0; i < params->count; i++) {
        const idl_var *v = params->items[i];
        if (i)
            facet_idl__buf_puts(b, ", ");
        facet_idl__write_decl(b, v->type, v->name);
    }
    if (varargs)
        facet_idl__buf_puts(b, params->count ? ", ..." : "...");
    else if (!params->count)
        facet_idl__buf_puts(b, "void");
    facet_idl__buf_puts(b, ")");
}

void facet_idl__write_decl(idl_buf *b, const idl_type *t, const char *name)
{
    write_inner(b, t, name ? name : "", 1);
}

void facet_idl__write_declarator(idl_buf *b, const idl_type *t, const char *name)
{
    write_inner(b, t, name ? name : "", 0);
}

void facet_idl__write_expr(idl_buf *b, const idl_expr *e)
{
    if (!e)
        return;
    switch (e->op) {
    case 'n':
    case 'f':
        facet_idl__buf_puts(b, e->text);
        break;
    case 's':
        facet_idl__buf_printf(b, "\"%s\"", e->text);
        break;
    case 'c':
        facet_idl__buf_printf(b, "'%s'", e->text);
        break;
    case 'i':
        facet_idl__buf_puts(b, e->name);
        break;
    case 'u':
        facet_idl__buf_puts(b, e->name);
        facet_idl__write_expr(b, e->a);
        break;
    case 'b':
        facet_idl__write_expr(b, e->a);
        facet_idl__buf_printf(b, " %s ", e->name);
        facet_idl__write_expr(b, e->b);
        break;
    case '?':
        facet_idl__write_expr(b, e->a);
        facet_idl__buf_puts(b, " ? ");
        facet_idl__write_expr(b, e->b);
        facet_idl__buf_puts(b, " : ");
        facet_idl__write_expr(b, e->c);
        break;
    case 'p':
        facet_idl__buf_puts(b, "(");
        facet_idl__write_expr(b, e->a);
        facet_idl__buf_puts(b, ")");
        break;
    case 'C':
        facet_idl__buf_puts(b, "(");
        facet_idl__write_decl(b, e->type, NULL);
        facet_idl__buf_puts(b, ")");
        facet_idl__write_expr(b, e->a);
        break;
    case 'z':
        facet_idl__buf_puts(b, "sizeof(");
        facet_idl__write_decl(b, e->type, NULL);
        facet_idl__buf_puts(b, ")");
        break;
    case 'g':
        facet_idl__buf_puts(b, e->text);
        break;
    default:
        break;
    }
}
