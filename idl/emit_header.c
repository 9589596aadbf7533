/*
 * emit_header.c - X.h: the C and C++ declarations of X.idl.
 *
 * The layout follows MIDL and widl, and <facet/abi.h>: each interface is a
 * struct whose first member lpVtbl points at a struct of FACET_CALL function
 * pointers, with X_Method(This, ...) call macros; in C++ (unless
 * FACET_CINTERFACE is defined) it is a struct of pure virtual methods in the
 * same order, with no virtual destructor.
 */
#include <ctype.h>
#include <string.h>

#include "idl.h"

typedef struct emitter {
    idl_ctx *c;
    const idl_file *file;
    idl_buf *out;
    int anon;      /* counter for names of anonymous tags */
} emitter;

#define W(e, indent, ...) facet_idl__write_line((e)->out, indent, __VA_ARGS__)
#define BLANK(e) facet_idl__buf_puts((e)->out, "\n")

static void write_guid(emitter *e, const char *prefix, const char *name, const uint8_t g[16])
{
    W(e, 0, "FACET_DEFINE_GUID(%s%s, 0x%02X%02X%02X%02X, 0x%02X%02X, 0x%02X%02X,", prefix, name,
      g[0], g[1], g[2], g[3], g[4], g[5], g[6], g[7]);
    W(e, 0, "                  0x%02X, 0x%02X, 0x%02X, 0x%02X, 0x%02X, 0x%02X, 0x%02X, 0x%02X);",
      g[8], g[9], g[10], g[11], g[12], g[13], g[14], g[15]);
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

/* The name emitted for a struct/union tag; anonymous ones get one, so the
 * body can be written once and named by every declarator. */
static const char *tag_name(emitter *e, idl_decl *d)
{
    if (!d->name)
        d->name = facet_idl__printf(e->c->arena, "facet_idl_anon_%s_%d", e->file->stem, ++e->anon);
    return d->name;
}

static void write_enum_body(emitter *e, const idl_decl *d, int indent)
{
    size_t i;
    if (d->enumerators.count == 0) {
        return; /* an empty enum is not C */
    }
    /* no tag: enums cross the ABI as int32_t, and in C++ a tag would clash
     * with a typedef of the same name */
    if (d->name)
        W(e, indent, "enum { /* %s */", d->name);
    else
        W(e, indent, "enum {");
    for (i = 0; i < d->enumerators.count; i++) {
        const idl_enumerator *en = d->enumerators.items[i];
        idl_buf v;
        memset(&v, 0, sizeof v);
        if (en->value) {
            facet_idl__buf_puts(&v, " = ");
            facet_idl__write_expr(&v, en->value);
        }
        W(e, indent + 1, "%s%s%s", en->name, v.data ? v.data : "",
          i + 1 < d->enumerators.count ? "," : "");
        facet_idl__buf_free(&v);
    }
    W(e, indent, "};");
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

/* "struct tag {" ... "}" around fields, the opening on the current line. */
static void write_aggregate(emitter *e, idl_decl *d, int indent, const char *prefix,
                            const char *suffix)
{
    const char *kw = d->kind == D_UNION && !d->sw ? "union" : "struct";
    W(e, indent, "%s%s %s {", prefix, kw, tag_name(e, d));
    if (d->sw) {
        /* encapsulated union: the discriminant, then the union */
        idl_buf b;
        memset(&b, 0, sizeof b);
        facet_idl__write_decl(&b, d->sw->type, d->sw->name);
        W(e, indent + 1, "%s;", b.data ? b.data : "");
        facet_idl__buf_free(&b);
        W(e, indent + 1, "union {");
        write_fields(e, d, indent + 2);
        W(e, indent + 1, "} %s;", d->union_name ? d->union_name : "u");
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
        memset(&s, 0, sizeof s);
        if (defines_aggregate(b)) {
            /* nested definition: write it, then the declarator */
            idl_buf decl;
            memset(&decl, 0, sizeof decl);
            facet_idl__write_decl(&decl, v->type, v->name ? v->name : "");
            /* the declarator follows "struct tag " in decl */
            write_aggregate(e, b->decl, indent, "", "");
            e->out->len--; /* drop the newline after '}' */
            e->out->data[e->out->len] = '\0';
            {
                const char *p = decl.data ? decl.data : "";
                const char *tag = b->decl->name;
                const char *q = strstr(p, tag);
                facet_idl__buf_printf(e->out, " %s;\n", q ? q + strlen(tag) + (q[strlen(tag)] == ' ')
                                                          : v->name);
            }
            facet_idl__buf_free(&decl);
            continue;
        }
        if (b && b->kind == TY_NAMED && b->defines && b->decl && b->decl->kind == D_ENUM) {
            write_enum_body(e, b->decl, indent);
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

static int is_builtin_name(emitter *e, const char *name)
{
    idl_decl *d = name ? facet_idl__sym_get(&e->c->names, name) : NULL;
    return d && d->builtin;
}

static void write_typedef(emitter *e, idl_decl *d)
{
    size_t i, kept = 0;
    const idl_type *b = bottom(d->type);
    for (i = 0; i < d->vars.count; i++)
        if (!is_builtin_name(e, ((idl_var *)d->vars.items[i])->name))
            kept++;
    if (kept == 0) {
        W(e, 0, "/* typedef %s: a Facet base type, declared by <facet/abi.h> */", d->name);
        return;
    }
    if (b && b->kind == TY_NAMED && b->defines && b->decl) {
        if (b->decl->kind == D_ENUM)
            write_enum_body(e, b->decl, 0);
        else
            write_aggregate(e, b->decl, 0, "", ";");
    }
    for (i = 0; i < d->vars.count; i++) {
        const idl_var *v = d->vars.items[i];
        idl_buf s;
        if (is_builtin_name(e, v->name))
            continue;
        memset(&s, 0, sizeof s);
        facet_idl__write_decl(&s, v->type, v->name);
        W(e, 0, "typedef %s;", s.data ? s.data : "");
        facet_idl__buf_free(&s);
    }
}

static void write_const(emitter *e, const idl_decl *d)
{
    idl_buf v;
    memset(&v, 0, sizeof v);
    facet_idl__write_expr(&v, d->value);
    if (d->value && (d->value->op == 's' || d->value->op == 'n' || d->value->op == 'c'))
        W(e, 0, "#define %s %s", d->name, v.data ? v.data : "");
    else
        W(e, 0, "#define %s (%s)", d->name, v.data ? v.data : "");
    facet_idl__buf_free(&v);
}

/* ---- Interfaces -------------------------------------------------------- */

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

/* The C vtable member for slot i. C has no overloads: a method named like
 * one before it (a C++ overload, as in dwrite.idl) is Owner_Name, as widl
 * names it. */
static const char *member_name(emitter *e, const idl_vec *all, size_t i, const idl_decl *owner)
{
    const idl_method *m = all->items[i];
    size_t j;
    for (j = 0; j < i; j++) {
        const idl_method *o = all->items[j];
        if (strcmp(o->c_name, m->c_name) == 0)
            return owner ? facet_idl__printf(e->c->arena, "%s_%s", facet_idl__decl_c_name(owner),
                                             m->c_name)
                         : "";
    }
    return m->c_name;
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
    W(e, 0, "#ifndef FACET_%s_INTERFACE_DEFINED", name);
    W(e, 0, "#define FACET_%s_INTERFACE_DEFINED", name);
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
            memset(&r, 0, sizeof r);
            memset(&p, 0, sizeof p);
            facet_idl__write_decl(&r, m->ret, NULL);
            write_params(e, &p, m, NULL);
            W(e, 1, "virtual %s FACET_CALL %s%s = 0;", r.data ? r.data : "void", m->c_name,
              p.data ? p.data : "()");
            facet_idl__buf_free(&r);
            facet_idl__buf_free(&p);
        }
    }
    W(e, 0, "};");
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
        memset(&r, 0, sizeof r);
        memset(&p, 0, sizeof p);
        facet_idl__write_decl(&r, m->ret, NULL);
        write_params(e, &p, m, name);
        W(e, 1, "%s(FACET_CALL *%s)%s;", r.data ? r.data : "void", member_name(e, &all, i, o),
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
        if (member_name(e, &all, i, NULL) != m->c_name)
            continue; /* an overload: C has no name for it but the vtable member */
        memset(&a, 0, sizeof a);
        for (j = 0; j < m->params.count; j++)
            facet_idl__buf_printf(&a, ", %s", param_name(e, m->params.items[j], j));
        W(e, 0, "#define %s_%s(This%s) ((This)->lpVtbl->%s(This%s))", name, m->c_name,
          a.data ? a.data : "", m->c_name, a.data ? a.data : "");
        facet_idl__buf_free(&a);
    }
    W(e, 0, "#endif");
    W(e, 0, "#endif /* FACET_%s_INTERFACE_DEFINED */", name);
    BLANK(e);
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
    W(e, 0, "#ifndef FACET_%s_FWD_DEFINED", name);
    W(e, 0, "#define FACET_%s_FWD_DEFINED", name);
    W(e, 0, "typedef struct %s %s;", name, name);
    W(e, 0, "#endif");
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
        if (d->defined)
            write_aggregate(e, d, 0, "", ";");
        else if (d->name)
            W(e, 0, "%s %s;", d->kind == D_STRUCT ? "struct" : "union", d->name);
        BLANK(e);
        break;
    case D_ENUM:
        write_enum_body(e, d, 0);
        BLANK(e);
        break;
    case D_CONST:
        write_const(e, d);
        break;
    case D_VARIABLE: {
        idl_buf v;
        memset(&v, 0, sizeof v);
        facet_idl__write_decl(&v, d->type, d->name);
        W(e, 0, "extern %s;", v.data ? v.data : "");
        facet_idl__buf_free(&v);
        break;
    }
    case D_INTERFACE:
    case D_DISPINTERFACE:
        if (d->builtin && d->defined)
            W(e, 0, "/* interface %s is %s, declared by <facet/abi.h> */", d->name,
              facet_idl__decl_c_name(d));
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
            idl_buf r, p;
            memset(&r, 0, sizeof r);
            memset(&p, 0, sizeof p);
            facet_idl__write_decl(&r, m->ret, NULL);
            write_params(e, &p, m, NULL);
            W(e, 0, "%s %s%s;", r.data ? r.data : "void", m->name,
              m->params.count ? p.data : "(void)");
            facet_idl__buf_free(&r);
            facet_idl__buf_free(&p);
        }
        break;
    default:
        break;
    }
}

static void write_traits(emitter *e, idl_decl *d)
{
    const char *name;
    if (d->kind != D_INTERFACE || d->builtin || !d->defined || !d->object || !d->has_uuid)
        return;
    name = facet_idl__decl_c_name(d);
    W(e, 0, "template <> struct iid_of< ::%s> {", name);
    W(e, 1, "typedef ::%s base;", d->base ? facet_idl__decl_c_name(d->base) : "IFacetUnknown");
    W(e, 1, "static const FacetGuid *iid() { return &IID_%s; }", name);
    W(e, 0, "};");
}

static int has_traits(const idl_vec *decls)
{
    size_t i;
    for (i = 0; i < decls->count; i++) {
        const idl_decl *d = decls->items[i];
        if (d->kind == D_INTERFACE && !d->builtin && d->defined && d->object && d->has_uuid)
            return 1;
        if (d->kind == D_LIBRARY && has_traits(&d->members))
            return 1;
    }
    return 0;
}

void facet_idl__emit_header(idl_ctx *c, const idl_file *f, idl_buf *out)
{
    emitter e;
    char guard[128];
    size_t i, k = 0;
    memset(&e, 0, sizeof e);
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
    W(&e, 0, "#ifndef FACET_IDL_%s_H", guard);
    W(&e, 0, "#define FACET_IDL_%s_H", guard);
    BLANK(&e);
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
    if (has_traits(&f->decls)) {
        BLANK(&e);
        W(&e, 0, "#if FACET_CPP_INTERFACES");
        W(&e, 0, "/* facet::iid_of<I>: the IID and base of I (see <facet/facet.hpp>). */");
        W(&e, 0, "namespace facet {");
        W(&e, 0, "template <typename T> struct iid_of;");
        for_each_decl(&e, &f->decls, write_traits);
        W(&e, 0, "} /* namespace facet */");
        W(&e, 0, "#endif");
    }
    BLANK(&e);
    W(&e, 0, "#endif /* FACET_IDL_%s_H */", guard);
}
