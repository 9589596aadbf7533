/*
 * header.c - X.h: the C and C++ declarations of X.idl.
 *
 * The layout follows MIDL and widl, and <facet/abi.h>: each interface is a
 * struct whose first member lpVtbl points at a struct of FACET_CALL function
 * pointers, with X_Method(This, ...) call macros; in C++ (unless
 * FACET_CINTERFACE is defined) it is a struct of pure virtual methods in the
 * same order, with no virtual destructor.
 */
#include <ctype.h>
#include <string.h>

#include "emit.h"

typedef struct emitter {
    idl_sema *s;
    idl_ctx *c;
    const idl_file *file;
    idl_buf *out;
} emitter;

#define W(e, indent, ...) facet_idl__write_line((e)->out, indent, __VA_ARGS__)
#define BLANK(e) facet_idl__buf_puts((e)->out, "\n")

/* The constant, and X_INIT, its initialiser, for static initialisers in C. */
static void write_guid(emitter *e, const char *prefix, const char *name, const uint8_t g[16])
{
    W(e, 0, "#define %s%s_INIT \\", prefix, name);
    facet_idl__buf_puts(e->out, "    {");
    facet_idl__guid_c(e->out, g, ", {", 0);
    facet_idl__buf_puts(e->out, "}}\n");
    W(e, 0, "static const FacetGuid %s%s = %s%s_INIT;", prefix, name, prefix, name);
}

/* A coclass's CLSID_ or a library's LIBID_ constant. */
static void write_guid_section(emitter *e, const idl_decl *d, const char *what, const char *prefix)
{
    if (!d->has_uuid)
        return;
    W(e, 0, "/* %s %s */", what, d->name);
    write_guid(e, prefix, d->name, d->guid);
    BLANK(e);
}

/* ---- Types and declarations -------------------------------------------- */

static void write_fields(emitter *e, const idl_decl *d, int indent);

/* "enum {" ... "}suffix". A Facet enum has no tag: it crosses the ABI as
 * int32_t, and in C++ a tag would clash with a typedef of the same name.
 * A Windows SDK file's is the C enum its platform header declares. */
static void write_enum_body(emitter *e, const idl_decl *d, int indent, const char *prefix,
                            const char *suffix)
{
    size_t i;
    if (d->enumerators.count == 0) {
        return; /* an empty enum is not C */
    }
    if (d->c_enum && d->name)
        W(e, indent, "%senum %s {", prefix, d->name);
    else if (d->name)
        W(e, indent, "%senum { /* %s */", prefix, d->name);
    else
        W(e, indent, "%senum {", prefix);
    for (i = 0; i < d->enumerators.count; i++) {
        const idl_enumerator *en = d->enumerators.items[i];
        idl_buf v;
        facet_idl__buf_init(&v, e->c->mem);
        if (en->value) {
            facet_idl__buf_puts(&v, " = ");
            facet_idl__write_expr(&v, en->value);
        }
        W(e, indent + 1, "%s%s%s", en->name, v.data ? v.data : "",
          i + 1 < d->enumerators.count ? "," : "");
        facet_idl__buf_free(&v);
    }
    W(e, indent, "}%s", suffix);
}

/* A field's or typedef's type with an inline struct/union body. */
static int defines_aggregate(const idl_type *t)
{
    return t && t->kind == TY_NAMED && t->defines && t->decl &&
           (t->decl->kind == D_STRUCT || t->decl->kind == D_UNION);
}

static const idl_type *bottom(const idl_type *t)
{
    while (t && (t->kind == TY_POINTER || t->kind == TY_ARRAY || t->kind == TY_FUNC))
        t = t->sub;
    return t;
}

/* "struct tag {" ... "}suffix", the tag left out when the IDL has none.
 * MIDL's encapsulated union (union X switch (T t) u { ... }) is, as in
 * MIDL's and widl's headers, a struct of the discriminant and a union
 * named u, or tagged_union when the IDL names none. */
static void write_aggregate(emitter *e, const idl_decl *d, int indent, const char *prefix,
                            const char *suffix)
{
    const char *kw = d->kind == D_UNION && !d->sw ? "union" : "struct";
    if (d->name)
        W(e, indent, "%s%s %s {", prefix, kw, d->name);
    else
        W(e, indent, "%s%s {", prefix, kw);
    if (d->sw) {
        idl_buf b;
        facet_idl__buf_init(&b, e->c->mem);
        facet_idl__write_decl(&b, d->sw->type, d->sw->name);
        W(e, indent + 1, "%s;", b.data ? b.data : "");
        facet_idl__buf_free(&b);
        W(e, indent + 1, "union {");
        write_fields(e, d, indent + 2);
        W(e, indent + 1, "} %s;", d->union_name ? d->union_name : "tagged_union");
    } else {
        write_fields(e, d, indent + 1);
    }
    W(e, indent, "}%s", suffix);
}

static void write_fields(emitter *e, const idl_decl *d, int indent)
{
    size_t i;
    if (d->fields.count == 0)
        W(e, indent, "uint8_t facet_idl_empty; /* C has no empty structs */");
    for (i = 0; i < d->fields.count; i++) {
        const idl_var *v = d->fields.items[i];
        const idl_type *b = bottom(v->type);
        idl_buf s;
        facet_idl__buf_init(&s, e->c->mem);
        if (defines_aggregate(b)) {
            /* a nested definition, then the declarators that share it
             * (struct { ... } a, *pa;); none for a C11 anonymous member
             * (union { struct { ... }; ... }) */
            const char *suffix;
            facet_idl__write_declarator(&s, v->type, v->name);
            while (i + 1 < d->fields.count &&
                   bottom(((const idl_var *)d->fields.items[i + 1])->type) == b) {
                const idl_var *next = d->fields.items[++i];
                facet_idl__buf_puts(&s, ", ");
                facet_idl__write_declarator(&s, next->type, next->name);
            }
            suffix = facet_idl__printf(e->c->arena, "%s%s;", s.len ? " " : "",
                                       s.data ? s.data : "");
            write_aggregate(e, b->decl, indent, "", suffix ? suffix : ";");
            facet_idl__buf_free(&s);
            continue;
        }
        if (b && b->kind == TY_NAMED && b->defines && b->decl && b->decl->kind == D_ENUM) {
            write_enum_body(e, b->decl, indent, "", ";");
        }
        facet_idl__write_decl(&s, v->type, v->name);
        if (v->bits) {
            facet_idl__buf_puts(&s, " : ");
            facet_idl__write_expr(&s, v->bits);
        }
        W(e, indent, "%s;", s.data ? s.data : "");
        facet_idl__buf_free(&s);
    }
}

static void write_typedef(emitter *e, idl_decl *d)
{
    size_t i, kept = 0;
    const idl_type *b = bottom(d->type);
    for (i = 0; i < d->vars.count; i++)
        if (!facet_idl__is_builtin_name(e->s, ((idl_var *)d->vars.items[i])->name))
            kept++;
    if (kept == 0) {
        W(e, 0, "/* typedef %s: a Facet base type, declared by <facet/abi.h> */", d->name);
        return;
    }
    if (defines_aggregate(b) || (b && b->kind == TY_NAMED && b->defines && b->decl &&
                                 b->decl->kind == D_ENUM && b->decl->c_enum &&
                                 b->decl->enumerators.count)) {
        /* typedef struct tag { ... } A, *PA; in one, so an untagged body
         * needs no invented name */
        idl_buf names;
        facet_idl__buf_init(&names, e->c->mem);
        for (i = 0; i < d->vars.count; i++) {
            const idl_var *v = d->vars.items[i];
            if (facet_idl__is_builtin_name(e->s, v->name))
                continue;
            facet_idl__buf_puts(&names, names.len ? ", " : " ");
            facet_idl__write_declarator(&names, v->type, v->name);
        }
        facet_idl__buf_puts(&names, ";");
        if (b->decl->kind == D_ENUM)
            write_enum_body(e, b->decl, 0, "typedef ", names.data ? names.data : ";");
        else
            write_aggregate(e, b->decl, 0, "typedef ", names.data ? names.data : ";");
        facet_idl__buf_free(&names);
        return;
    }
    if (b && b->kind == TY_NAMED && b->defines && b->decl && b->decl->kind == D_ENUM)
        write_enum_body(e, b->decl, 0, "", ";");
    for (i = 0; i < d->vars.count; i++) {
        const idl_var *v = d->vars.items[i];
        idl_buf s;
        if (facet_idl__is_builtin_name(e->s, v->name))
            continue;
        facet_idl__buf_init(&s, e->c->mem);
        facet_idl__write_decl(&s, v->type, v->name);
        W(e, 0, "typedef %s;", s.data ? s.data : "");
        facet_idl__buf_free(&s);
    }
}

static void write_const(emitter *e, const idl_decl *d)
{
    idl_buf v;
    facet_idl__buf_init(&v, e->c->mem);
    facet_idl__write_expr(&v, d->value);
    if (d->value && (d->value->op == 's' || d->value->op == 'n' || d->value->op == 'c'))
        W(e, 0, "#define %s %s", d->name, v.data ? v.data : "");
    else
        W(e, 0, "#define %s (%s)", d->name, v.data ? v.data : "");
    facet_idl__buf_free(&v);
}

/* ---- Interfaces -------------------------------------------------------- */

/* The macro that guards X's forward declaration ("FWD") or definition
 * ("INTERFACE"). A header of a Windows SDK file uses MIDL's and widl's
 * names, so a platform header that declares X again skips it. */
static const char *itf_guard(emitter *e, const char *name, const char *what)
{
    const char *g = facet_idl__printf(e->c->arena, e->s->windows_sdk ? "__%s_%s_DEFINED__"
                                                                     : "FACET_%s_%s_DEFINED",
                                      name, what);
    return g ? g : "FACET_IDL_OUT_OF_MEMORY";
}

static const char *param_name(emitter *e, const idl_var *v, size_t i)
{
    return v->name ? v->name : facet_idl__printf(e->c->arena, "arg%u", (unsigned)i);
}

static void write_params(emitter *e, idl_buf *b, const idl_method *m, const char *this_type)
{
    size_t i;
    facet_idl__buf_puts(b, "(");
    if (this_type)
        facet_idl__buf_printf(b, "%s *This", this_type);
    for (i = 0; i < m->params.count; i++) {
        const idl_var *v = m->params.items[i];
        if (i || this_type)
            facet_idl__buf_puts(b, ", ");
        facet_idl__write_decl(b, v->type, param_name(e, v, i));
    }
    if (!this_type && m->params.count == 0)
        facet_idl__buf_puts(b, "");
    facet_idl__buf_puts(b, ")");
}

/* REFIID, REFGUID, REFCLSID: const FacetGuid * in Facet's C and C++, a
 * const GUID & in the platform's C++. */
static int is_guid_ref(const idl_type *t)
{
    return t && t->kind == TY_NAMED && !t->tag && t->spelled && t->decl && t->decl->builtin &&
           (strcmp(t->spelled, "REFIID") == 0 || strcmp(t->spelled, "REFGUID") == 0 ||
            strcmp(t->spelled, "REFCLSID") == 0);
}

/* The platform's C++ (the SDK's own inline helpers) passes GUIDs by
 * reference: a method of a Windows SDK interface that takes one gets an
 * inline overload that does, and calls the method. */
static void write_ref_overload(emitter *e, const idl_method *m, const char *ret)
{
    idl_buf p, a;
    size_t i;
    int refs = 0;
    for (i = 0; i < m->params.count; i++)
        refs += is_guid_ref(((const idl_var *)m->params.items[i])->type);
    if (!refs)
        return;
    facet_idl__buf_init(&p, e->c->mem);
    facet_idl__buf_init(&a, e->c->mem);
    for (i = 0; i < m->params.count; i++) {
        const idl_var *v = m->params.items[i];
        const char *name = param_name(e, v, i);
        if (i) {
            facet_idl__buf_puts(&p, ", ");
            facet_idl__buf_puts(&a, ", ");
        }
        if (is_guid_ref(v->type)) {
            facet_idl__buf_printf(&p, "%s %s", v->type->spelled, name);
            facet_idl__buf_printf(&a, "reinterpret_cast<const FacetGuid *>(&%s)", name);
        } else {
            facet_idl__write_decl(&p, v->type, name);
            facet_idl__buf_puts(&a, name);
        }
    }
    W(e, 1, "%s %s(%s) { %s%s(%s); }", ret, m->c_name, p.data ? p.data : "",
      strcmp(ret, "void") == 0 ? "" : "return ", m->c_name, a.data ? a.data : "");
    facet_idl__buf_free(&p);
    facet_idl__buf_free(&a);
}

/* facet::impl_of<I, D>, I's vtable for <facet/module.hpp>: each method of I
 * (and of its bases but IFacetUnknown) calls the method of the same name on
 * D::facet_user(this), the module's own class, and an exception it throws
 * becomes a failure result (D::facet_exception_result()) instead of
 * crossing the boundary. */
static void write_impl(emitter *e, const idl_decl *d, const idl_vec *all)
{
    const char *name = facet_idl__decl_c_name(d);
    size_t i, j;
    if (e->s->windows_sdk)
        return;
    W(e, 0, "template <typename I, typename D> struct impl_of;");
    W(e, 0, "template <typename D> struct impl_of< ::%s, D> : public ::%s {", name, name);
    for (i = 0; i < all->count; i++) {
        const idl_method *m = all->items[i];
        const idl_decl *o = NULL, *it;
        idl_buf r, p, a;
        for (it = d; it && !o; it = it->base)
            for (j = 0; j < it->methods.count; j++)
                if (it->methods.items[j] == m)
                    o = it;
        if (o == NULL || o->builtin)
            continue; /* IFacetUnknown's: the object's own */
        facet_idl__buf_init(&r, e->c->mem);
        facet_idl__buf_init(&p, e->c->mem);
        facet_idl__buf_init(&a, e->c->mem);
        facet_idl__write_decl(&r, m->ret, NULL);
        write_params(e, &p, m, NULL);
        for (j = 0; j < m->params.count; j++)
            facet_idl__buf_printf(&a, "%s%s", j ? ", " : "", param_name(e, m->params.items[j], j));
        W(e, 1, "%s FACET_CALL %s%s override final", r.data ? r.data : "void", m->c_name,
          p.data ? p.data : "()");
        W(e, 1, "{");
        W(e, 2, "FACET_IMPL_TRY return D::facet_user(this).%s(%s);", m->c_name,
          a.data ? a.data : "");
        if (r.data && strcmp(r.data, "FacetResult") == 0)
            W(e, 2, "FACET_IMPL_CATCH(D::facet_exception_result())");
        else if (r.data && strcmp(r.data, "void") != 0)
            W(e, 2, "FACET_IMPL_CATCH({})");
        else
            W(e, 2, "FACET_IMPL_CATCH(void())");
        W(e, 1, "}");
        facet_idl__buf_free(&r);
        facet_idl__buf_free(&p);
        facet_idl__buf_free(&a);
    }
    W(e, 0, "};");
}

/* facet::iid_of<I>, the IID and base of I for <facet/facet.hpp>, and
 * facet::impl_of<I, D>, next to I itself: a file may hide I behind a cpp_quote("#ifdef ...") or define
 * it twice (objidl.idl #includes objidlbase.idl), and I's guard covers
 * both. */
static void write_traits(emitter *e, const idl_decl *d, const idl_vec *all)
{
    const char *name = facet_idl__decl_c_name(d);
    if (d->kind != D_INTERFACE || !d->has_uuid)
        return;
    W(e, 0, "extern \"C++\" namespace facet {");
    W(e, 0, "template <typename T> struct iid_of;");
    W(e, 0, "template <> struct iid_of< ::%s> {", name);
    W(e, 1, "typedef ::%s base;", d->base ? facet_idl__decl_c_name(d->base) : "IFacetUnknown");
    W(e, 1, "static const FacetGuid *iid() { return &IID_%s; }", name);
    W(e, 0, "};");
    write_impl(e, d, all);
    W(e, 0, "} /* namespace facet */");
}

/* __uuidof(I) for the platform's C++ (IID_PPV_ARGS), as MIDL and widl
 * declare it; the platform's guiddef.h defines the macro, empty where the
 * compiler has __uuidof itself. */
static void write_uuid_decl(emitter *e, const char *name, const uint8_t g[16])
{
    W(e, 0, "#ifdef __CRT_UUID_DECL");
    facet_idl__buf_printf(e->out, "__CRT_UUID_DECL(%s, ", name);
    facet_idl__guid_c(e->out, g, ", ", 1);
    facet_idl__buf_puts(e->out, ")\n");
    W(e, 0, "#endif");
}

static void write_interface(emitter *e, const idl_decl *d)
{
    const char *name = facet_idl__decl_c_name(d);
    const char *base = d->base ? facet_idl__decl_c_name(d->base) : NULL;
    idl_vec all;
    size_t i;
    const idl_decl *owner = NULL;
    memset(&all, 0, sizeof all);
    facet_idl__vtable(e->c, d, &all);
    W(e, 0, "/* ---- %s%s */", name, d->kind == D_DISPINTERFACE ? " (dispinterface)" : "");
    BLANK(e);
    W(e, 0, "#ifndef %s", itf_guard(e, name, "INTERFACE"));
    W(e, 0, "#define %s", itf_guard(e, name, "INTERFACE"));
    if (d->has_uuid)
        write_guid(e, d->kind == D_DISPINTERFACE ? "DIID_" : "IID_", name, d->guid);
    W(e, 0, "#if FACET_CPP_INTERFACES");
    if (base)
        W(e, 0, "struct %s : public %s {", name, base);
    else
        W(e, 0, "struct %s {", name);
    if (d->kind == D_INTERFACE) {
        for (i = 0; i < d->methods.count; i++) {
            const idl_method *m = d->methods.items[i];
            idl_buf r, p;
            if (!m->in_vtable)
                continue;
            facet_idl__buf_init(&r, e->c->mem);
            facet_idl__buf_init(&p, e->c->mem);
            facet_idl__write_decl(&r, m->ret, NULL);
            write_params(e, &p, m, NULL);
            W(e, 1, "virtual %s FACET_CALL %s%s = 0;", r.data ? r.data : "void", m->c_name,
              p.data ? p.data : "()");
            if (e->s->windows_sdk)
                write_ref_overload(e, m, r.data ? r.data : "void");
            facet_idl__buf_free(&r);
            facet_idl__buf_free(&p);
        }
    }
    W(e, 0, "};");
    write_traits(e, d, &all);
    if (e->s->windows_sdk && d->has_uuid)
        write_uuid_decl(e, name, d->guid);
    W(e, 0, "#else");
    W(e, 0, "typedef struct %sVtbl {", name);
    for (i = 0; i < all.count; i++) {
        const idl_method *m = all.items[i];
        idl_buf r, p;
        const idl_decl *o = NULL, *it;
        size_t j;
        for (it = d; it && !o; it = it->base)
            for (j = 0; j < it->methods.count; j++)
                if (it->methods.items[j] == m)
                    o = it;
        if (o != owner) {
            W(e, 1, "/* %s */", o ? facet_idl__decl_c_name(o) : "?");
            owner = o;
        }
        facet_idl__buf_init(&r, e->c->mem);
        facet_idl__buf_init(&p, e->c->mem);
        facet_idl__write_decl(&r, m->ret, NULL);
        write_params(e, &p, m, name);
        W(e, 1, "%s(FACET_CALL *%s)%s;", r.data ? r.data : "void", facet_idl__member_name(e->c, &all, i, o),
          p.data ? p.data : "()");
        facet_idl__buf_free(&r);
        facet_idl__buf_free(&p);
    }
    if (all.count == 0)
        W(e, 1, "void (*facet_idl_no_methods)(void);");
    W(e, 0, "} %sVtbl;", name);
    BLANK(e);
    W(e, 0, "struct %s {", name);
    W(e, 1, "const %sVtbl *lpVtbl;", name);
    W(e, 0, "};");
    BLANK(e);
    for (i = 0; i < all.count; i++) {
        const idl_method *m = all.items[i];
        idl_buf a;
        size_t j;
        if (facet_idl__member_name(e->c, &all, i, NULL) != m->c_name)
            continue; /* an overload: C has no name for it but the vtable member */
        facet_idl__buf_init(&a, e->c->mem);
        for (j = 0; j < m->params.count; j++)
            facet_idl__buf_printf(&a, ", %s", param_name(e, m->params.items[j], j));
        W(e, 0, "#define %s_%s(This%s) ((This)->lpVtbl->%s(This%s))", name, m->c_name,
          a.data ? a.data : "", m->c_name, a.data ? a.data : "");
        facet_idl__buf_free(&a);
    }
    W(e, 0, "#endif");
    W(e, 0, "#endif /* %s */", itf_guard(e, name, "INTERFACE"));
    BLANK(e);
}

/* IUnknown, defined in an .idl (Wine's and the Windows SDK's unknwn.idl),
 * is <facet/abi.h>'s IFacetUnknown, and the interfaces of the generated
 * headers derive from it. The name IUnknown stays the platform's: this
 * header takes the place of the platform's unknwn.h, so it declares the
 * platform's IUnknown as that header does (same layout, the platform's
 * types), for the platform's other headers and for the lines unknwn.idl
 * copies into C. */
static void write_builtin_interface(emitter *e, const idl_decl *d)
{
    static const struct {
        const char *ret, *name, *params, *args;
    } methods[] = {{"HRESULT", "QueryInterface", ", REFIID riid, void **ppvObject", ", riid, ppvObject"},
                   {"ULONG", "AddRef", "", ""},
                   {"ULONG", "Release", "", ""}};
    const char *name = facet_idl__decl_c_name(d);
    size_t i;
    W(e, 0, "/* interface %s is %s, declared by <facet/abi.h> */", d->name, name);
    if (!e->s->windows_sdk || strcmp(d->name, "IUnknown") != 0 || d->file != e->file)
        return;
    BLANK(e);
    W(e, 0, "/* The platform's IUnknown, for the platform's headers */");
    W(e, 0, "#ifndef __IUnknown_FWD_DEFINED__");
    W(e, 0, "#define __IUnknown_FWD_DEFINED__");
    W(e, 0, "typedef struct IUnknown IUnknown;");
    W(e, 0, "#endif");
    W(e, 0, "#ifndef __IUnknown_INTERFACE_DEFINED__");
    W(e, 0, "#define __IUnknown_INTERFACE_DEFINED__");
    facet_idl__buf_puts(e->out, "DEFINE_GUID(IID_IUnknown, ");
    facet_idl__guid_c(e->out, e->s->iunknown->guid, ", ", 1);
    facet_idl__buf_puts(e->out, ");\n");
    W(e, 0, "#if defined(__cplusplus) && !defined(CINTERFACE)");
    W(e, 0, "struct IUnknown {");
    for (i = 0; i < 3; i++)
        W(e, 1, "virtual %s STDMETHODCALLTYPE %s(%s) = 0;", methods[i].ret, methods[i].name,
          methods[i].params[0] ? methods[i].params + 2 : "void");
    W(e, 0, "};");
    write_uuid_decl(e, "IUnknown", e->s->iunknown->guid);
    W(e, 0, "#else");
    W(e, 0, "typedef struct IUnknownVtbl {");
    for (i = 0; i < 3; i++)
        W(e, 1, "%s (STDMETHODCALLTYPE *%s)(IUnknown *This%s);", methods[i].ret, methods[i].name,
          methods[i].params);
    W(e, 0, "} IUnknownVtbl;");
    W(e, 0, "struct IUnknown {");
    W(e, 1, "CONST_VTBL IUnknownVtbl *lpVtbl;");
    W(e, 0, "};");
    for (i = 0; i < 3; i++)
        W(e, 0, "#define IUnknown_%s(This%s) ((This)->lpVtbl->%s(This%s))", methods[i].name,
          methods[i].args, methods[i].name, methods[i].args);
    W(e, 0, "#endif");
    W(e, 0, "#endif");
}

/* ---- Walking the file -------------------------------------------------- */

static void for_each_decl(emitter *e, const idl_vec *decls, void (*fn)(emitter *, idl_decl *))
{
    size_t i;
    for (i = 0; i < decls->count; i++) {
        idl_decl *d = decls->items[i];
        fn(e, d);
        if (d->kind == D_LIBRARY)
            for_each_decl(e, &d->members, fn);
    }
}

static void write_import(emitter *e, idl_decl *d)
{
    size_t i;
    if (d->kind != D_IMPORT)
        return;
    for (i = 0; i < d->files.count; i++) {
        const idl_file *f = d->files.items[i];
        if (f->system_header && strcmp(f->c_header, "facet/abi.h") == 0)
            continue; /* every header includes it first */
        if (f->system_header)
            W(e, 0, "#include <%s>", f->c_header);
        else
            W(e, 0, "#include \"%s\"", f->c_header);
    }
}

static void write_forward(emitter *e, idl_decl *d)
{
    const char *name;
    if ((d->kind != D_INTERFACE && d->kind != D_DISPINTERFACE) || d->builtin)
        return;
    name = facet_idl__decl_c_name(d);
    W(e, 0, "#ifndef %s", itf_guard(e, name, "FWD"));
    W(e, 0, "#define %s", itf_guard(e, name, "FWD"));
    W(e, 0, "typedef struct %s %s;", name, name);
    W(e, 0, "#endif");
}

/* struct or union, for "union X;" ahead of X's definition: an
 * encapsulated union is a struct. */
static const char *forward_kind(emitter *e, const idl_decl *d)
{
    const char *key;
    const idl_decl *def;
    if (d->kind == D_STRUCT)
        return "struct";
    key = facet_idl__printf(e->c->arena, "u:%s", d->name);
    def = key ? facet_idl__sym_get(&e->s->tags, key) : NULL;
    return def && def->sw ? "struct" : "union";
}

static void write_decl(emitter *e, idl_decl *d)
{
    size_t i;
    switch (d->kind) {
    case D_CPP_QUOTE:
        W(e, 0, "%s", d->text);
        break;
    case D_TYPEDEF:
        write_typedef(e, d);
        BLANK(e);
        break;
    case D_STRUCT:
    case D_UNION:
        if (d->defined && d->name) {
            write_aggregate(e, d, 0, "", ";");
            BLANK(e);
        } else if (d->name) {
            W(e, 0, "%s %s;", forward_kind(e, d), d->name);
            BLANK(e);
        }
        break;
    case D_ENUM:
        write_enum_body(e, d, 0, "", ";");
        BLANK(e);
        break;
    case D_CONST:
        write_const(e, d);
        break;
    case D_VARIABLE: {
        idl_buf v;
        facet_idl__buf_init(&v, e->c->mem);
        facet_idl__write_decl(&v, d->type, d->name);
        W(e, 0, "extern %s;", v.data ? v.data : "");
        facet_idl__buf_free(&v);
        break;
    }
    case D_INTERFACE:
    case D_DISPINTERFACE:
        if (d->builtin && d->defined)
            write_builtin_interface(e, d);
        else if (d->defined && d->object)
            write_interface(e, d);
        else if (d->defined)
            W(e, 0, "/* interface %s: an RPC interface, no vtable */", d->name);
        break;
    case D_COCLASS:
        write_guid_section(e, d, "coclass", "CLSID_");
        break;
    case D_LIBRARY:
        write_guid_section(e, d, "library", "LIBID_");
        break;
    case D_MODULE:
        for (i = 0; i < d->members.count; i++)
            write_decl(e, d->members.items[i]);
        break;
    case D_FUNCTION:
        for (i = 0; i < d->methods.count; i++) {
            const idl_method *m = d->methods.items[i];
            const char *cc = facet_idl__callconv_c(m->callconv);
            idl_buf r, p;
            facet_idl__buf_init(&r, e->c->mem);
            facet_idl__buf_init(&p, e->c->mem);
            facet_idl__write_decl(&r, m->ret, NULL);
            write_params(e, &p, m, NULL);
            W(e, 0, "%s %s%s%s%s;", r.data ? r.data : "void", cc && *cc ? cc : "",
              cc && *cc ? " " : "", m->name, m->params.count ? p.data : "(void)");
            facet_idl__buf_free(&r);
            facet_idl__buf_free(&p);
        }
        break;
    default:
        break;
    }
}

void facet_idl__emit_header(idl_sema *s, const idl_file *f, idl_buf *out)
{
    idl_ctx *c = s->c;
    emitter e;
    char guard[128];
    size_t i, k = 0;
    memset(&e, 0, sizeof e);
    e.s = s;
    e.c = c;
    e.file = f;
    e.out = out;
    for (i = 0; f->stem[i] && k < sizeof guard - 16; i++)
        guard[k++] = isalnum((unsigned char)f->stem[i]) ? (char)toupper((unsigned char)f->stem[i])
                                                         : '_';
    guard[k] = '\0';
    W(&e, 0, "/*** Autogenerated by facet-idl %s from %s - do not edit ***/", FACET_IDL_VERSION,
      f->name);
    BLANK(&e);
    if (s->windows_sdk) {
        /* A Windows SDK file's header takes the place of the platform's
         * header of the same name and stands on the platform's other
         * headers, as MIDL's and widl's do: they come first, outside the
         * guard, so that one including this header again finds it whole. */
        W(&e, 0, "#ifdef _WIN32");
        W(&e, 0, "#include <rpc.h>");
        W(&e, 0, "#include <rpcndr.h>");
        W(&e, 0, "#endif");
        W(&e, 0, "#ifndef COM_NO_WINDOWS_H");
        W(&e, 0, "#include <windows.h>");
        W(&e, 0, "#include <ole2.h>");
        W(&e, 0, "#endif");
        BLANK(&e);
    }
    W(&e, 0, "#ifndef FACET_IDL_%s_H", guard);
    W(&e, 0, "#define FACET_IDL_%s_H", guard);
    BLANK(&e);
    if (s->windows_sdk) {
        const char *sym = facet_idl__symbol_stem(c, f);
        W(&e, 0, "#ifdef __%s_h__", sym);
        W(&e, 0, "#error \"the platform's %s.h came before this one: facet-idl's %s.h takes its "
                 "place, so the folder of facet-idl's headers goes first on the include path\"",
          f->stem, f->stem);
        W(&e, 0, "#endif");
        W(&e, 0, "#define __%s_h__", sym);
        BLANK(&e);
    }
    W(&e, 0, "#include <facet/abi.h>");
    for_each_decl(&e, &f->decls, write_import);
    BLANK(&e);
    W(&e, 0, "/* Forward declarations */");
    for_each_decl(&e, &f->decls, write_forward);
    BLANK(&e);
    W(&e, 0, "#ifdef __cplusplus");
    W(&e, 0, "extern \"C\" {");
    W(&e, 0, "#endif");
    BLANK(&e);
    for_each_decl(&e, &f->decls, write_decl);
    W(&e, 0, "/* The type information of %s (see <facet/typeinfo.h>). */", f->name);
    W(&e, 0, "struct FacetTypeLibInfo;");
    W(&e, 0, "extern const struct FacetTypeLibInfo facet_typeinfo_%s;",
      facet_idl__symbol_stem(c, f));
    BLANK(&e);
    W(&e, 0, "#ifdef __cplusplus");
    W(&e, 0, "} /* extern \"C\" */");
    W(&e, 0, "#endif");
    BLANK(&e);
    W(&e, 0, "#endif /* FACET_IDL_%s_H */", guard);
}
