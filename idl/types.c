/*
 * types.c - names, types and the Facet rules.
 *
 * Base types keep MIDL's sizes whatever the C compiler (long is 32 bits,
 * hyper 64, wchar_t 16, boolean 8), and every one is written in C as a
 * fixed-width type. The names COM gives Facet's own types map onto them:
 * IUnknown is IFacetUnknown, HRESULT FacetResult, GUID/IID/CLSID FacetGuid.
 */
#include <stdlib.h>
#include <string.h>

#include "idl.h"

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

/* Names that are types in C but have no fixed size or meaning across
 * compilers, and what to use instead. */
static const struct {
    const char *name;
    const char *why;
} unfixed[] = {
    {"size_t", "'size_t' has no fixed size (32 bits on 32-bit targets, 64 on 64-bit ones): "
               "use uint64_t, or uint32_t"},
    {"ssize_t", "'ssize_t' has no fixed size: use int64_t"},
    {"ptrdiff_t", "'ptrdiff_t' has no fixed size: use int64_t"},
    {"bool", "'bool' has no fixed size (C++ bool is 1 byte on most compilers, 4 on some): "
             "use boolean (8 bits) or uint32_t with 0 and 1"},
    {"_Bool", "'_Bool' has no fixed size across compilers: use boolean (8 bits) or uint32_t"},
    {"BOOL_t", "'BOOL_t' has no fixed size: use uint32_t"},
    {"wint_t", "'wint_t' has no fixed size: use uint32_t"},
    {"off_t", "'off_t' has no fixed size: use int64_t"},
    {"time_t", "'time_t' has no fixed size (32 or 64 bits): use int64_t"},
    {"intmax_t", "'intmax_t' has no fixed size: use int64_t"},
    {"uintmax_t", "'uintmax_t' has no fixed size: use uint64_t"},
};

static idl_type *mk_type(idl_ctx *c, int kind, int builtin)
{
    idl_type *t = facet_idl__alloc(c->arena, sizeof(*t));
    if (t) {
        t->kind = kind;
        t->builtin = builtin;
        t->spelled = facet_idl__builtin_c(builtin);
    }
    return t;
}

static void add_builtin_typedef(idl_ctx *c, const char *name, idl_type *target)
{
    idl_decl *d = facet_idl__alloc(c->arena, sizeof(*d));
    idl_var *v = facet_idl__alloc(c->arena, sizeof(*v));
    if (!d || !v || !target) {
        facet_idl__oom(c);
        return;
    }
    d->kind = D_TYPEDEF;
    d->name = d->c_name = name;
    d->builtin = 1;
    d->defined = 1;
    v->name = name;
    v->type = target;
    facet_idl__vec_push(c->arena, &d->vars, v);
    facet_idl__sym_put(c, &c->names, name, d);
}

static idl_method *mk_method(idl_ctx *c, const char *name, idl_type *ret)
{
    idl_method *m = facet_idl__alloc(c->arena, sizeof(*m));
    if (m) {
        m->name = m->c_name = name;
        m->ret = ret;
        m->in_vtable = 1;
    }
    return m;
}

static idl_var *mk_param(idl_ctx *c, const char *name, idl_type *t, uint32_t dir)
{
    idl_var *v = facet_idl__alloc(c->arena, sizeof(*v));
    if (v) {
        v->name = name;
        v->type = t;
        v->dir = dir;
        v->size_is = v->length_is = v->iid_is = v->switch_is = -1;
    }
    return v;
}

static idl_type *ptr_to(idl_ctx *c, idl_type *sub)
{
    idl_type *p = mk_type(c, TY_POINTER, 0);
    if (p)
        p->sub = sub;
    return p;
}

void facet_idl__types_init(idl_ctx *c)
{
    static const struct {
        const char *name;
        int builtin;
    } fixed[] = {
        {"int8_t", B_INT8}, {"uint8_t", B_UINT8}, {"int16_t", B_INT16}, {"uint16_t", B_UINT16},
        {"int32_t", B_INT32}, {"uint32_t", B_UINT32}, {"int64_t", B_INT64},
        {"uint64_t", B_UINT64}, {"intptr_t", B_INTPTR}, {"uintptr_t", B_UINTPTR},
        {"HRESULT", B_RESULT}, {"FacetResult", B_RESULT}, {"GUID", B_GUID}, {"IID", B_GUID},
        {"CLSID", B_GUID}, {"FacetGuid", B_GUID}};
    static const char *const refs[] = {"REFIID", "REFCLSID", "REFGUID"};
    idl_decl *u;
    idl_method *qi;
    idl_type *cguid, *unk;
    size_t i;
    for (i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        add_builtin_typedef(c, fixed[i].name, mk_type(c, TY_BUILTIN, fixed[i].builtin));
    for (i = 0; i < sizeof refs / sizeof refs[0]; i++) {
        cguid = mk_type(c, TY_BUILTIN, B_GUID);
        if (cguid)
            cguid->is_const = 1;
        add_builtin_typedef(c, refs[i], ptr_to(c, cguid));
    }

    /* IUnknown is IFacetUnknown, declared by <facet/abi.h> */
    u = facet_idl__alloc(c->arena, sizeof(*u));
    if (!u) {
        facet_idl__oom(c);
        return;
    }
    u->kind = D_INTERFACE;
    u->name = "IUnknown";
    u->c_name = "IFacetUnknown";
    u->builtin = u->defined = u->has_uuid = u->object = u->local = 1;
    u->guid[8] = 0xC0;
    u->guid[15] = 0x46;
    cguid = mk_type(c, TY_BUILTIN, B_GUID);
    if (cguid)
        cguid->is_const = 1;
    qi = mk_method(c, "QueryInterface", mk_type(c, TY_BUILTIN, B_RESULT));
    if (qi) {
        idl_var *out = mk_param(c, "ppvObject", ptr_to(c, ptr_to(c, mk_type(c, TY_BUILTIN, B_VOID))),
                                FACET_TI_OUT);
        facet_idl__vec_push(c->arena, &qi->params, mk_param(c, "riid", ptr_to(c, cguid), FACET_TI_IN));
        if (out)
            out->iid_is = 0;
        facet_idl__vec_push(c->arena, &qi->params, out);
    }
    facet_idl__vec_push(c->arena, &u->methods, qi);
    facet_idl__vec_push(c->arena, &u->methods, mk_method(c, "AddRef", mk_type(c, TY_BUILTIN, B_UINT32)));
    facet_idl__vec_push(c->arena, &u->methods, mk_method(c, "Release", mk_type(c, TY_BUILTIN, B_UINT32)));
    facet_idl__sym_put(c, &c->names, "IUnknown", u);
    facet_idl__sym_put(c, &c->names, "IFacetUnknown", u);
    c->iunknown = u;
    unk = NULL;
    (void)unk;
}

/* ---- Attributes and helpers -------------------------------------------- */

const idl_attr *facet_idl__attr(const idl_attr *list, const char *name)
{
    for (; list; list = list->next)
        if (strcmp(list->name, name) == 0)
            return list;
    return NULL;
}

static int has(const idl_attr *list, const char *name)
{
    return facet_idl__attr(list, name) != NULL;
}

static const idl_var *typedef_var(const idl_decl *d, const char *name)
{
    size_t i;
    for (i = 0; i < d->vars.count; i++) {
        const idl_var *v = d->vars.items[i];
        if (v->name && strcmp(v->name, name) == 0)
            return v;
    }
    return NULL;
}

const idl_var *facet_idl__typedef_of(const idl_type *t)
{
    if (!t || t->kind != TY_NAMED || t->tag || !t->decl || t->decl->kind != D_TYPEDEF ||
        !t->spelled)
        return NULL;
    return typedef_var(t->decl, t->spelled);
}

const idl_type *facet_idl__resolve(const idl_type *t)
{
    int guard = 0;
    while (t && t->kind == TY_NAMED && !t->tag && t->decl && t->decl->kind == D_TYPEDEF &&
           guard++ < 100) {
        const idl_var *v = typedef_var(t->decl, t->spelled);
        if (!v)
            break;
        t = v->type;
    }
    return t;
}

int facet_idl__is_interface_type(const idl_type *t)
{
    t = facet_idl__resolve(t);
    return t && t->kind == TY_NAMED && t->decl &&
           (t->decl->kind == D_INTERFACE || t->decl->kind == D_DISPINTERFACE);
}

const char *facet_idl__decl_c_name(const idl_decl *d)
{
    return d->c_name ? d->c_name : d->name;
}

int facet_idl__has_typeinfo(const idl_ctx *c, const idl_decl *d)
{
    return d->file == c->main_file && d->defined && d->object && !d->builtin &&
           (d->kind == D_INTERFACE || d->kind == D_DISPINTERFACE);
}

static const idl_decl *final_decl(const idl_decl *d)
{
    if (d && !d->defined && (d->kind == D_INTERFACE || d->kind == D_DISPINTERFACE)) {
        /* a forward declaration: the definition may have come later */
        return d;
    }
    return d;
}

void facet_idl__vtable(idl_ctx *c, const idl_decl *itf, idl_vec *out)
{
    size_t i;
    int guard = 0;
    const idl_decl *chain[64];
    int n = 0;
    for (; itf && n < 64 && guard++ < 64; itf = final_decl(itf->base))
        chain[n++] = itf;
    while (n-- > 0)
        for (i = 0; i < chain[n]->methods.count; i++) {
            idl_method *m = chain[n]->methods.items[i];
            if (chain[n]->kind == D_DISPINTERFACE)
                continue; /* a dispinterface's methods go through IDispatch::Invoke */
            if (m->in_vtable)
                facet_idl__vec_push(c->arena, out, m);
        }
}

/* ---- Writing C --------------------------------------------------------- */

/* Calling conventions as written, and what the generated C says. */
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
    {"__RPC_FAR", ""}, {"FAR", ""}, {"NEAR", ""}};

const char *facet_idl__callconv_c(const char *spelled)
{
    size_t i;
    if (!spelled)
        return "";
    for (i = 0; i < sizeof callconv_c / sizeof callconv_c[0]; i++)
        if (strcmp(callconv_c[i].spelled, spelled) == 0)
            return callconv_c[i].c;
    return NULL; /* __fastcall, __thiscall: no Facet equivalent */
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
    memset(&s, 0, sizeof s);
    if (!t) {
        facet_idl__buf_puts(b, "void");
        return;
    }
    if (t->kind == TY_NAMED && !t->tag && t->decl && t->decl->kind == D_TYPEDEF &&
        t->decl->builtin) {
        const idl_var *v = typedef_var(t->decl, t->spelled);
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
            memset(&w, 0, sizeof w);
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

/* ---- Declaring names --------------------------------------------------- */

static int is_builtin_name(idl_ctx *c, const char *name)
{
    idl_decl *d = name ? facet_idl__sym_get(&c->names, name) : NULL;
    return d && d->builtin;
}

static void declare_tag(idl_ctx *c, idl_decl *d)
{
    char *key;
    if (!d->name)
        return;
    key = facet_idl__printf(c->arena, "%c:%s",
                            d->kind == D_STRUCT ? 's' : d->kind == D_UNION ? 'u' : 'e', d->name);
    if (!key) {
        facet_idl__oom(c);
        return;
    }
    if (d->defined || !facet_idl__sym_get(&c->tags, key))
        facet_idl__sym_put(c, &c->tags, key, d);
}

static void declare_enumerators(idl_ctx *c, idl_decl *d)
{
    size_t i;
    if (!facet_idl__vec_push(c->arena, &c->enums, d))
        facet_idl__oom(c);
    for (i = 0; i < d->enumerators.count; i++) {
        idl_enumerator *e = d->enumerators.items[i];
        if (e->name)
            facet_idl__sym_put(c, &c->names, e->name, d);
    }
}

/* Struct, union and enum definitions inside a type (typedef struct {..} X). */
static void declare_inline(idl_ctx *c, idl_type *t, int depth)
{
    size_t i;
    if (!t || depth > IDL_MAX_DEPTH)
        return;
    if (t->kind == TY_NAMED && t->defines && t->decl) {
        t->decl->file = t->decl->file;
        declare_tag(c, t->decl);
        if (t->decl->kind == D_ENUM)
            declare_enumerators(c, t->decl);
        for (i = 0; i < t->decl->fields.count; i++)
            declare_inline(c, ((idl_var *)t->decl->fields.items[i])->type, depth + 1);
    }
    declare_inline(c, t->sub, depth + 1);
}

static void declare(idl_ctx *c, idl_decl *d)
{
    size_t i;
    idl_decl *old;
    switch (d->kind) {
    case D_INTERFACE:
    case D_DISPINTERFACE:
        old = facet_idl__sym_get(&c->names, d->name);
        if (old && old->builtin) {
            /* IUnknown itself, in unknwn.idl: abi.h's IFacetUnknown */
            d->builtin = 1;
            d->c_name = old->c_name;
            if (d->defined && strcmp(d->name, "IUnknown") == 0)
                c->windows_sdk = 1;
            break;
        }
        if (old && old->defined && d->defined && old != d && old->kind == d->kind &&
            old->file == d->file) {
            facet_idl__error(c, d->loc, "interface '%s' is defined twice", d->name);
            break;
        }
        if (!old || d->defined || !old->defined)
            facet_idl__sym_put(c, &c->names, d->name, d);
        break;
    case D_COCLASS:
    case D_CONST:
        if (d->name && !is_builtin_name(c, d->name))
            facet_idl__sym_put(c, &c->names, d->name, d);
        break;
    case D_TYPEDEF:
        declare_inline(c, d->type, 0);
        for (i = 0; i < d->vars.count; i++) {
            idl_var *v = d->vars.items[i];
            if (!is_builtin_name(c, v->name))
                facet_idl__sym_put(c, &c->names, v->name, d);
        }
        break;
    case D_STRUCT:
    case D_UNION:
    case D_ENUM:
        declare_tag(c, d);
        if (d->kind == D_ENUM)
            declare_enumerators(c, d);
        for (i = 0; i < d->fields.count; i++)
            declare_inline(c, ((idl_var *)d->fields.items[i])->type, 0);
        break;
    case D_LIBRARY:
    case D_MODULE:
        for (i = 0; i < d->members.count; i++)
            declare(c, d->members.items[i]);
        break;
    default:
        break;
    }
}

/* ---- Resolving and checking -------------------------------------------- */

static void check_decl(idl_ctx *c, idl_decl *d);

static const char *unfixed_reason(const char *name)
{
    size_t i;
    for (i = 0; i < sizeof unfixed / sizeof unfixed[0]; i++)
        if (strcmp(unfixed[i].name, name) == 0)
            return unfixed[i].why;
    return NULL;
}

static void resolve_type(idl_ctx *c, idl_type *t, int depth)
{
    size_t i;
    if (!t || depth > IDL_MAX_DEPTH)
        return;
    if (t->kind == TY_NAMED) {
        if (t->defines) {
            check_decl(c, t->decl);
        } else if (t->tag) {
            char *key = facet_idl__printf(c->arena, "%c:%s", t->tag, t->spelled);
            idl_decl *d = key ? facet_idl__sym_get(&c->tags, key) : NULL;
            if (d)
                t->decl = d; /* unknown tags are incomplete types, as in C */
        } else if (!t->decl) {
            idl_decl *d = facet_idl__sym_get(&c->names, t->spelled);
            const char *why = unfixed_reason(t->spelled);
            if (why && (!d || d->builtin)) {
                facet_idl__error(c, t->loc, "%s", why);
            } else if (!d || d->kind == D_CONST || d->kind == D_ENUM || d->kind == D_LIBRARY ||
                       d->kind == D_MODULE) {
                facet_idl__error(c, t->loc, "unknown type '%s': expected a base type (long, hyper, "
                                 "double, ...), a fixed-width type (int32_t, ...) or a typedef, "
                                 "interface, struct or enum declared before use", t->spelled);
            } else {
                t->decl = d;
            }
        }
    }
    if (t->kind == TY_FUNC && t->callconv && !facet_idl__callconv_c(t->callconv))
        facet_idl__error(c, t->loc, "calling convention '%s' has no Facet equivalent: expected "
                         "__stdcall (STDMETHODCALLTYPE, WINAPI, CALLBACK: FACET_CALL in C) or "
                         "__cdecl", t->callconv);
    resolve_type(c, t->sub, depth + 1);
    for (i = 0; i < t->params.count; i++)
        resolve_type(c, ((idl_var *)t->params.items[i])->type, depth + 1);
}

static int var_index(const idl_vec *vars, const char *name)
{
    size_t i;
    for (i = 0; i < vars->count; i++) {
        const idl_var *v = vars->items[i];
        if (v->name && strcmp(v->name, name) == 0)
            return (int)i;
    }
    return -1;
}

/* Where an attribute's expression may look for names: the parameters of a
 * method or the fields of a struct (and an encapsulated union's
 * discriminant), then constants and enumerators. */
typedef struct link_scope {
    const idl_vec *siblings;
    const idl_var *discriminant; /* or NULL */
    const char *what;            /* "parameter", "field" */
    const char *owner;           /* "IA::Fill", "struct S" */
    int error;                   /* an error: the type info records the links */
} link_scope;

static int is_constant_name(idl_ctx *c, const char *name)
{
    const idl_decl *d = facet_idl__sym_get(&c->names, name);
    return d && (d->kind == D_CONST || d->kind == D_ENUM);
}

static void unknown_link_name(idl_ctx *c, const idl_expr *id, const char *attr,
                              const link_scope *s)
{
    idl_buf names;
    size_t j;
    memset(&names, 0, sizeof names);
    for (j = 0; j < s->siblings->count; j++) {
        const idl_var *v = s->siblings->items[j];
        if (v->name)
            facet_idl__buf_printf(&names, "%s'%s'", names.len ? ", " : "", v->name);
    }
    if (s->discriminant && s->discriminant->name)
        facet_idl__buf_printf(&names, "%s'%s'", names.len ? ", " : "", s->discriminant->name);
    (s->error ? facet_idl__error : facet_idl__warning)(
        c, id->loc, "[%s(%s)] names no %s of %s: expected one of %s, or a constant", attr,
        id->name, s->what, s->owner, names.len ? names.data : "(none)");
    facet_idl__buf_free(&names);
}

/* Checks every name in e; the index of the first sibling it names, or -1
 * (a constant size). */
static int link_expr(idl_ctx *c, const idl_expr *e, const char *attr, const link_scope *s,
                     int depth)
{
    int idx, sub;
    if (!e || depth > IDL_MAX_DEPTH)
        return -1;
    if (e->op == 'i') {
        idx = var_index(s->siblings, e->name);
        if (idx < 0 && !(s->discriminant && s->discriminant->name &&
                         strcmp(s->discriminant->name, e->name) == 0) &&
            !is_constant_name(c, e->name))
            unknown_link_name(c, e, attr, s);
        return idx;
    }
    idx = link_expr(c, e->a, attr, s, depth + 1);
    sub = link_expr(c, e->b, attr, s, depth + 1);
    if (idx < 0)
        idx = sub;
    sub = link_expr(c, e->c, attr, s, depth + 1);
    return idx < 0 ? sub : idx;
}

/* [size_is(n)] and friends: every name in them must be a sibling
 * (parameter or field) or a constant. Returns the index of the sibling
 * the first sized dimension depends on, or -1. */
static int link_index(idl_ctx *c, const idl_var *v, const char *attr, const link_scope *s)
{
    const idl_attr *a = facet_idl__attr(v->attrs, attr);
    size_t i;
    int idx = -1, found = 0;
    for (i = 0; a && i < a->args.count; i++) {
        const idl_expr *e = a->args.items[i];
        int k;
        if (!e || e->op == 'e')
            continue;
        k = link_expr(c, e, attr, s, 0);
        if (!found) {
            idx = k;
            found = 1;
        }
    }
    return idx;
}

/* The attributes whose expressions name parameters or fields. */
static void link_var(idl_ctx *c, idl_var *v, const link_scope *s)
{
    static const char *const bounds[] = {"max_is", "min_is", "first_is", "last_is", "byte_count"};
    size_t i;
    v->size_is = link_index(c, v, "size_is", s);
    v->length_is = link_index(c, v, "length_is", s);
    v->iid_is = link_index(c, v, "iid_is", s);
    v->switch_is = link_index(c, v, "switch_is", s);
    for (i = 0; i < sizeof bounds / sizeof bounds[0]; i++)
        (void)link_index(c, v, bounds[i], s);
}

/* Method names that <windows.h> defines as A/W macros. A Facet interface
 * may not use them: a C file that includes <windows.h> would see
 * GetObjectA where the header said GetObject. */
static const char *const aw_names[] = {
    "AddFontResource", "AppendMenu", "CallWindowProc", "CharLower", "CharNext", "CharPrev",
    "CharUpper", "CopyFile", "CreateDC", "CreateDirectory", "CreateEvent", "CreateFile",
    "CreateFont", "CreateMutex", "CreateProcess", "CreateSemaphore", "CreateWindow",
    "CreateWindowEx", "DefWindowProc", "DeleteFile", "DialogBox", "DispatchMessage",
    "DrawText", "EnumFonts", "ExpandEnvironmentStrings", "FindFirstFile", "FindNextFile",
    "FindResource", "FindWindow", "FormatMessage", "GetClassInfo", "GetClassLong",
    "GetClassName", "GetCommandLine", "GetCurrentDirectory", "GetEnvironmentVariable",
    "GetFileAttributes", "GetFullPathName", "GetMessage", "GetModuleFileName",
    "GetModuleHandle", "GetObject", "GetProfileString", "GetProp", "GetStartupInfo",
    "GetTempFileName", "GetTempPath", "GetTextMetrics", "GetUserName", "GetVersionEx",
    "GetWindowLong", "GetWindowText", "GetWindowTextLength", "LoadBitmap", "LoadCursor",
    "LoadIcon", "LoadImage", "LoadLibrary", "LoadMenu", "LoadString", "MessageBox",
    "MoveFile", "OpenEvent", "OpenFile", "OutputDebugString", "PeekMessage", "PostMessage",
    "RegisterClass", "RegisterClassEx", "RegisterWindowMessage", "RemoveDirectory",
    "RemoveProp", "ReportEvent", "SendMessage", "SetCurrentDirectory",
    "SetEnvironmentVariable", "SetFileAttributes", "SetProp", "SetWindowLong",
    "SetWindowText", "StartDoc", "TextOut", "UpdateResource", "wsprintf", "GetCharWidth",
    "EnumProps", "GetDriveType", "GetLogicalDriveStrings", "GetVolumeInformation",
    "LookupAccountName", "OpenService", "StartService", "CreateService", "GetObjectType",
    "GetTimeFormat", "GetDateFormat", "CompareString", "GetLocaleInfo", "SetLocaleInfo",
    "FindText", "ReplaceText", "PrintDlg", "ChooseColor", "ChooseFont", "CreateMetaFile",
    "CopyMetaFile", "GetMetaFile", "CreateEnhMetaFile", "GetEnhMetaFile", "ResetDC",
    "CreateIC", "GetKeyNameText", "MapVirtualKey", "VkKeyScan", "IsCharAlpha",
    "IsCharAlphaNumeric", "IsCharUpper", "IsCharLower", "CreateFileMapping",
    "OpenFileMapping", "GetDiskFreeSpace", "GetDiskFreeSpaceEx", "GetSystemDirectory",
    "GetWindowsDirectory", "SearchPath", "GetShortPathName", "GetLongPathName",
    "CreateHardLink", "CreateSymbolicLink", "GetBinaryType", "SetVolumeLabel",
    "GetComputerName", "SetComputerName", "GetPrivateProfileString", "WritePrivateProfileString",
    "GetProfileInt", "GetPrivateProfileInt", "CreateDesktop", "OpenDesktop",
    "CreateWindowStation", "GetUserObjectInformation", "SetUserObjectInformation",
    "RegisterClipboardFormat", "GetClipboardFormatName", "SetDlgItemText", "GetDlgItemText",
    "SendDlgItemMessage", "InsertMenu", "ModifyMenu", "GetMenuString", "SystemParametersInfo",
    "EnumDisplaySettings", "ChangeDisplaySettings", "EnumDisplayDevices", "GetMonitorInfo",
    "LoadAccelerators", "CreateAcceleratorTable", "CopyAcceleratorTable", "TranslateAccelerator",
    "DrawState", "GrayString", "TabbedTextOut", "GetTabbedTextExtent", "PostThreadMessage",
    "SendMessageTimeout", "SendNotifyMessage", "SendMessageCallback", "BroadcastSystemMessage",
    "RegisterDeviceNotification", "CreateMDIWindow", "DefFrameProc", "DefMDIChildProc",
    "GetClassLongPtr", "SetClassLong", "SetClassLongPtr", "GetWindowLongPtr", "SetWindowLongPtr",
    "SetWindowsHookEx", "EnumDesktops", "EnumWindowStations", "ExitWindows", "GetFileVersionInfo",
    "VerQueryValue", "GetAtomName", "AddAtom", "FindAtom", "DeleteAtom", "GlobalAddAtom",
    "GlobalFindAtom", "GlobalGetAtomName", "GetFileTitle", "GetOpenFileName", "GetSaveFileName",
    "ShellExecute", "ExtractIcon", "DragQueryFile", "FindExecutable", "SHGetPathFromIDList",
    "CreateJobObject", "OpenJobObject", "CreateWaitableTimer", "OpenWaitableTimer",
    "CreateMailslot", "CreateNamedPipe", "WaitNamedPipe", "CallNamedPipe", "GetNamedPipeHandleState",
    "OpenMutex", "OpenSemaphore", "GetCompressedFileSize", "EncryptFile", "DecryptFile",
    "ReadDirectoryChanges", "BackupEventLog", "ClearEventLog", "OpenEventLog", "ReadEventLog",
    "RegisterEventSource", "GetMessageString", "PlaySound", "EnumResourceNames",
    "EnumResourceTypes", "BeginUpdateResource", "EndUpdateResource", "GetStringTypeEx",
    "FoldString", "LCMapString", "GetNumberFormat", "GetCurrencyFormat", "EnumCalendarInfo",
    "EnumTimeFormats", "EnumDateFormats", "GetCalendarInfo", "SetCalendarInfo",
    "RegCreateKey", "RegOpenKey", "RegQueryValue", "RegSetValue", "RegDeleteKey",
    "RegEnumKey", "RegEnumValue", "RegQueryInfoKey", "RegLoadKey", "RegSaveKey",
    "StartDocPrinter", "OpenPrinter", "AddPrinter", "GetPrinter", "SetPrinter", "DocumentProperties",
    "DeviceCapabilities", "EnumPrinters", "GetJob", "SetJob", "EnumJobs", "AddJob",
    "CreateColorSpace", "GetLogColorSpace", "GetICMProfile", "SetICMProfile", "EnumICMProfiles",
    "GetGlyphOutline", "GetKerningPairs", "GetOutlineTextMetrics", "GetTextExtentPoint",
    "GetTextExtentPoint32", "GetTextExtentExPoint", "GetTextFace", "GetCharABCWidths",
    "GetCharacterPlacement", "PolyTextOut", "ExtTextOut", "CreateFontIndirect",
    "CreateScalableFontResource", "RemoveFontResource", "EnumFontFamilies",
    "EnumFontFamiliesEx", "GetObject", NULL};

static int is_aw_name(const char *name)
{
    size_t i;
    for (i = 0; aw_names[i]; i++)
        if (strcmp(aw_names[i], name) == 0)
            return 1;
    return 0;
}

static int is_struct_value(const idl_type *t)
{
    t = facet_idl__resolve(t);
    return t && t->kind == TY_NAMED && (t->tag == 's' || t->tag == 'u' ||
                                        (t->decl && (t->decl->kind == D_STRUCT ||
                                                     t->decl->kind == D_UNION)));
}

static void type_text(idl_buf *b, const idl_type *t)
{
    facet_idl__write_decl(b, t, NULL);
}

static void check_method(idl_ctx *c, idl_decl *itf, idl_method *m)
{
    const char *owner;
    link_scope scope;
    size_t i;
    int local = itf->local || has(m->attrs, "local");
    resolve_type(c, m->ret, 0);
    for (i = 0; i < m->params.count; i++) {
        idl_var *v = m->params.items[i];
        resolve_type(c, v->type, 0);
    }
    if (facet_idl__failed(c))
        return;
    owner = facet_idl__printf(c->arena, "%s::%s", itf->name, m->name);
    if (!owner)
        return;
    m->in_vtable = !has(m->attrs, "call_as");
    if (has(m->attrs, "propget"))
        m->c_name = facet_idl__printf(c->arena, "get_%s", m->name);
    else if (has(m->attrs, "propput"))
        m->c_name = facet_idl__printf(c->arena, "put_%s", m->name);
    else if (has(m->attrs, "propputref"))
        m->c_name = facet_idl__printf(c->arena, "putref_%s", m->name);
    else
        m->c_name = m->name;
    if (itf->object && !local && itf->kind == D_INTERFACE) {
        const idl_type *r = facet_idl__resolve(m->ret);
        if (!r || r->kind != TY_BUILTIN || r->builtin != B_RESULT) {
            idl_buf b;
            memset(&b, 0, sizeof b);
            type_text(&b, m->ret);
            /* The type info of the compiled file is what proxies and stubs
             * are made from, and a proxy reports a lost call through the
             * HRESULT. An interface that only reaches this header through
             * an import gets no type info here: widl only warns, and so do
             * we. */
            if (facet_idl__has_typeinfo(c, itf))
                facet_idl__error(c, m->loc, "remotable method %s returns '%s': expected HRESULT, "
                                 "which every method of an interface that is not [local] returns, "
                                 "as its proxy reports a failed call (FACET_E_DISCONNECTED) "
                                 "through it; mark the method or the interface [local] if it is "
                                 "only called in-process", owner, b.data ? b.data : "?");
            else
                facet_idl__warning(c, m->loc, "remotable method %s returns '%s', not HRESULT: no "
                                   "proxy or stub can be made for %s (an error where %s itself "
                                   "is compiled)", owner, b.data ? b.data : "?", itf->name,
                                   itf->file ? itf->file->name : "its file");
            facet_idl__buf_free(&b);
        }
    }
    if (is_struct_value(m->ret) && !c->windows_sdk)
        facet_idl__warning(c, m->loc, "%s returns a struct by value: MSVC returns it through a "
                           "hidden pointer after 'this', GCC and Clang before it, so C++ "
                           "callers and C callers disagree; return it through an [out] pointer",
                           owner);
    if (!c->windows_sdk && itf->object && is_aw_name(m->c_name))
        facet_idl__error(c, m->loc, "method name '%s' is a macro in <windows.h> (%sA/%sW): "
                         "expected another name, or a C file that includes <windows.h> will not "
                         "compile", m->c_name, m->c_name, m->c_name);
    scope.siblings = &m->params;
    scope.discriminant = NULL;
    scope.what = "parameter";
    scope.owner = owner;
    /* through an import the links reach no type info here: widl does not
     * check them, and SDK files have names that are not there */
    scope.error = itf->file == c->main_file;
    for (i = 0; i < m->params.count; i++) {
        idl_var *v = m->params.items[i];
        idl_type *t;
        v->dir = 0;
        if (has(v->attrs, "in"))
            v->dir |= FACET_TI_IN;
        if (has(v->attrs, "out"))
            v->dir |= FACET_TI_OUT;
        if (!v->dir)
            v->dir = FACET_TI_IN;
        if (has(v->attrs, "retval"))
            v->dir |= FACET_TI_RETVAL;
        link_var(c, v, &scope);
        /* a callback an object's method takes is STDMETHODCALLTYPE unless
         * it says otherwise, as in MIDL and widl: FACET_CALL */
        for (t = v->type; t && t->kind == TY_POINTER; t = t->sub)
            if (t->sub && t->sub->kind == TY_FUNC && !t->sub->callconv && itf->object)
                t->sub->callconv = "STDMETHODCALLTYPE";
    }
}

static void check_fields(idl_ctx *c, idl_decl *d)
{
    size_t i;
    int warned = 0;
    link_scope scope;
    const char *kind = d->kind == D_UNION && !d->sw ? "union" : "struct";
    scope.siblings = &d->fields;
    scope.discriminant = d->sw;
    scope.what = "field";
    scope.error = d->file == c->main_file;
    scope.owner = d->name ? facet_idl__printf(c->arena, "%s %s", kind, d->name) : NULL;
    if (!scope.owner)
        scope.owner = d->kind == D_UNION ? "an unnamed union" : "an unnamed struct";
    for (i = 0; i < d->fields.count; i++) {
        idl_var *v = d->fields.items[i];
        resolve_type(c, v->type, 0);
        if (v->bits && !warned && !c->windows_sdk) {
            facet_idl__warning(c, v->loc, "bitfield '%s': bitfields are laid out differently by "
                               "MSVC and GCC and are not part of the Facet ABI; use a uint32_t "
                               "with named masks", v->name ? v->name : "");
            warned = 1;
        }
        link_var(c, v, &scope);
    }
}

static void guid_text(char *out, const uint8_t g[16])
{
    static const char hex[] = "0123456789ABCDEF";
    int i, k = 0;
    for (i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[k++] = '-';
        out[k++] = hex[g[i] >> 4];
        out[k++] = hex[g[i] & 15];
    }
    out[k] = '\0';
}

/* The base of b, even when b is defined after the interface being checked. */
static const idl_decl *base_of(idl_ctx *c, const idl_decl *b)
{
    if (b->base || !b->base_name)
        return b->base;
    return facet_idl__sym_get(&c->names, b->base_name);
}

static void check_interface(idl_ctx *c, idl_decl *d)
{
    const idl_attr *u = facet_idl__attr(d->attrs, "uuid");
    size_t i;
    int guard;
    const idl_decl *b;
    if (d->builtin || !d->defined)
        return;
    d->local = has(d->attrs, "local");
    d->object = d->kind == D_DISPINTERFACE || has(d->attrs, "object") || has(d->attrs, "odl") ||
                d->base_name != NULL;
    if (u) {
        d->has_uuid = 1;
        memcpy(d->guid, u->guid, 16);
    }
    if (d->kind == D_DISPINTERFACE) {
        idl_decl *disp = facet_idl__sym_get(&c->names, "IDispatch");
        if (d->base_name) {
            /* dispinterface D { interface I; } */
            idl_decl *i2 = facet_idl__sym_get(&c->names, d->base_name);
            if (!i2)
                facet_idl__error(c, d->loc, "unknown interface '%s' in dispinterface %s",
                                 d->base_name, d->name);
        }
        if (!disp || disp->kind != D_INTERFACE) {
            facet_idl__error(c, d->loc, "dispinterface %s needs IDispatch: expected "
                             "'import \"oaidl.idl\";' before it", d->name);
            return;
        }
        d->base = disp;
        d->base_name = "IDispatch";
    } else if (d->object && c->windows_sdk && d->local && (!d->has_uuid || !d->base_name)) {
        /* widl takes [local] interfaces with no uuid or base (ID3DInclude) */
        if (d->base_name)
            d->base = facet_idl__sym_get(&c->names, d->base_name);
    } else if (d->object) {
        if (!d->has_uuid)
            facet_idl__error(c, d->loc, "interface %s is [object] but has no uuid: expected "
                             "[object, uuid(xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)] before it",
                             d->name);
        if (!d->base_name) {
            facet_idl__error(c, d->loc, "interface %s does not derive from IUnknown: expected "
                             "'interface %s : IUnknown'", d->name, d->name);
        } else {
            idl_decl *base = facet_idl__sym_get(&c->names, d->base_name);
            if (!base || (base->kind != D_INTERFACE && base->kind != D_DISPINTERFACE)) {
                facet_idl__error(c, d->base_loc, "unknown base interface '%s' of %s: expected an "
                                 "interface declared before it", d->base_name, d->name);
            } else if (!base->defined) {
                facet_idl__error(c, d->base_loc, "base interface '%s' of %s is only declared, not "
                                 "defined: expected its definition before %s", d->base_name,
                                 d->name, d->name);
            } else {
                d->base = base;
                for (b = base, guard = 0; b && guard < 64; b = base_of(c, b), guard++)
                    if (b == c->iunknown || (b->builtin && strcmp(b->name, "IUnknown") == 0))
                        break;
                if (!b || guard == 64)
                    facet_idl__error(c, d->base_loc, "interface %s does not derive from "
                                     "IUnknown: its bases end at '%s'", d->name, d->base_name);
            }
        }
    }
    if (d->has_uuid && (d->kind == D_INTERFACE || d->kind == D_DISPINTERFACE)) {
        for (i = 0; i < c->iids.count; i++) {
            idl_decl *o = c->iids.items[i];
            if (o != d && memcmp(o->guid, d->guid, 16) == 0 && strcmp(o->name, d->name) != 0) {
                char g[40];
                guid_text(g, d->guid);
                /* Wine's mshtml.idl reuses one: widl does not check */
                (c->windows_sdk ? facet_idl__warning : facet_idl__error)(
                                 c, u->loc, "duplicate IID {%s}: interface %s has the same uuid as "
                                 "%s (%s:%u)", g, d->name, o->name, o->loc.file ? o->loc.file->name
                                 : "?", (unsigned)o->loc.line);
                break;
            }
        }
        facet_idl__vec_push(c->arena, &c->iids, d);
    }
    for (i = 0; i < d->methods.count; i++)
        check_method(c, d, d->methods.items[i]);
    for (i = 0; i < d->props.count; i++)
        resolve_type(c, ((idl_var *)d->props.items[i])->type, 0);
}

static void check_decl(idl_ctx *c, idl_decl *d)
{
    size_t i;
    if (!d || ++c->depth > IDL_MAX_DEPTH) {
        if (d)
            c->depth--;
        return;
    }
    switch (d->kind) {
    case D_INTERFACE:
    case D_DISPINTERFACE:
        check_interface(c, d);
        break;
    case D_COCLASS: {
        const idl_attr *u = facet_idl__attr(d->attrs, "uuid");
        if (u) {
            d->has_uuid = 1;
            memcpy(d->guid, u->guid, 16);
        }
        for (i = 0; i < d->members.count; i++) {
            idl_decl *ref = d->members.items[i];
            idl_decl *itf = facet_idl__sym_get(&c->names, ref->name);
            if (!itf || (itf->kind != D_INTERFACE && itf->kind != D_DISPINTERFACE)) {
                if (c->windows_sdk)
                    continue; /* widl takes interfaces it has not seen */
                facet_idl__error(c, ref->loc, "unknown interface '%s' in coclass %s", ref->name,
                                 d->name);
            } else {
                d->members.items[i] = itf;
            }
        }
        break;
    }
    case D_LIBRARY: {
        const idl_attr *u = facet_idl__attr(d->attrs, "uuid");
        if (u) {
            d->has_uuid = 1;
            memcpy(d->guid, u->guid, 16);
        }
        for (i = 0; i < d->members.count; i++)
            check_decl(c, d->members.items[i]);
        break;
    }
    case D_MODULE:
        for (i = 0; i < d->members.count; i++)
            check_decl(c, d->members.items[i]);
        break;
    case D_TYPEDEF:
        resolve_type(c, d->type, 0);
        for (i = 0; i < d->vars.count; i++)
            resolve_type(c, ((idl_var *)d->vars.items[i])->type, 0);
        break;
    case D_STRUCT:
    case D_UNION:
        if (d->checked)
            break; /* a typedef names it with each of its declarators */
        d->checked = 1;
        if (d->sw)
            resolve_type(c, d->sw->type, 0);
        check_fields(c, d);
        break;
    case D_CONST:
    case D_VARIABLE:
        resolve_type(c, d->type, 0);
        break;
    case D_FUNCTION:
        for (i = 0; i < d->methods.count; i++) {
            idl_method *m = d->methods.items[i];
            size_t j;
            m->c_name = m->name;
            m->in_vtable = 1;
            resolve_type(c, m->ret, 0);
            for (j = 0; j < m->params.count; j++)
                resolve_type(c, ((idl_var *)m->params.items[j])->type, 0);
        }
        break;
    default:
        break;
    }
    c->depth--;
}

void facet_idl__check_file(idl_ctx *c, idl_file *f)
{
    size_t i;
    if (f->needs_platform)
        c->windows_sdk = 1;
    for (i = 0; i < f->decls.count; i++)
        declare(c, f->decls.items[i]);
    for (i = 0; i < f->decls.count && !c->out_of_memory; i++)
        check_decl(c, f->decls.items[i]);
}

void facet_idl__check_done(idl_ctx *c)
{
    size_t i;
    /* The SDK's own C and C++ lines treat its enums as enum types
     * (DEFINE_ENUM_FLAG_OPERATORS), as the platform's headers declare
     * them; every Windows compiler makes them 32 bits. */
    for (i = 0; i < c->enums.count && c->windows_sdk; i++)
        ((idl_decl *)c->enums.items[i])->c_enum = 1;
}

const char *facet_idl__symbol_stem(idl_ctx *c, const idl_file *f)
{
    char *s = facet_idl__strdup(c->arena, f->stem);
    size_t i;
    if (!s)
        return "input";
    for (i = 0; s[i]; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
              (s[i] >= '0' && s[i] <= '9')))
            s[i] = '_';
    return s;
}
