/*
 * proxy.c - X_ps.c: the proxies and stubs of X.idl's interfaces
 * (<facet/proxystub.h>).
 *
 * For each [object] interface of the file that can cross a process (not
 * [local]; IFacetString and IFacetBlob, which cross as their contents,
 * have none), it writes:
 *  - a table per method: how each parameter crosses (its shape, the size
 *    of its element, the layout of its structs by offsetof), which the
 *    marshaling engine of libfacet reads;
 *  - the proxy vtable: each method packs pointers to its arguments into
 *    an array and calls facet_proxy_call;
 *  - the stub: a switch on the slot that calls the real method with its
 *    real signature, from such an array;
 *  - the links: size_is, length_is and iid_is evaluated in C, so any
 *    expression the IDL allows works, with every pointer read through
 *    checked for NULL (the stub side evaluates them on what another
 *    process sent).
 * and facet_ps_<stem>, the file's FacetPsLibrary. A method whose
 * parameters cannot cross (a union, a function pointer, an interface in a
 * struct, ...) gets a warning, and its proxy answers FACET_E_NOTIMPL.
 */
#include <string.h>

#include <facet/proxystub.h>

#include "emit.h"

typedef struct ps_emitter {
    idl_sema *s;
    idl_ctx *c;
    const idl_file *file;
    idl_buf *out;
    const char *sym;    /* facet_ps_<stem> */
    idl_vec structs;    /* idl_decl *: the structs whose layouts are written */
    idl_vec itfs;       /* idl_decl *: the interfaces that get proxies */
    int guids;          /* GUID constants written so far */
} ps_emitter;

#define W(e, indent, ...) facet_idl__write_line((e)->out, indent, __VA_ARGS__)

/* How one parameter or field crosses. */
typedef struct ps_param {
    const idl_var *var;
    unsigned shape;
    unsigned flags;
    uint32_t kind;
    const char *elem;        /* the element's C type, for sizeof */
    const idl_decl *st;      /* FACET_TI_STRUCT: the element's struct */
    const uint8_t *iid;      /* FACET_TI_INTERFACE: its IID, when fixed */
    uint32_t count;          /* a fixed array's elements */
    const idl_expr *size_is, *length_is, *iid_is;
    const char *why;         /* it cannot cross: why */
} ps_param;

/* IFacetString and IFacetBlob, as uuid() writes them. */
static const uint8_t iid_string[16] = {0xAC, 0x9E, 0x75, 0x1A, 0xF2, 0xFF, 0x4D, 0x4C,
                                       0xA5, 0xFA, 0xCF, 0x06, 0xB7, 0xD8, 0x07, 0x22};
static const uint8_t iid_blob[16] = {0x91, 0x2B, 0xFB, 0x49, 0x2C, 0x9E, 0x42, 0xF2,
                                     0x90, 0xCC, 0x51, 0x0B, 0xFE, 0x40, 0x4F, 0x0E};

static int same_guid(const uint8_t a[16], const uint8_t b[16])
{
    return memcmp(a, b, 16) == 0;
}

/* The first expression of attribute name on v (skipping the empty one of
 * size_is(,n)), or NULL. */
static const idl_expr *link_arg(const idl_var *v, const char *name)
{
    const idl_attr *a = facet_idl__attr(v->attrs, name);
    size_t i;
    for (i = 0; a && i < a->args.count; i++) {
        const idl_expr *x = a->args.items[i];
        if (x && x->op != 'e')
            return x;
    }
    return NULL;
}

/* The C spelling of a struct, for sizeof and offsetof: the name a typedef
 * gives it, or "struct tag". */
static const char *struct_name(ps_emitter *e, const idl_decl *d)
{
    size_t i, j, k;
    for (k = 0; k < e->c->files.count; k++) {
        const idl_file *f = e->c->files.items[k];
        for (i = 0; i < f->decls.count; i++) {
            const idl_decl *t = f->decls.items[i];
            if (t->kind != D_TYPEDEF)
                continue;
            for (j = 0; j < t->vars.count; j++) {
                const idl_var *v = t->vars.items[j];
                if (v->name && v->type && v->type->kind == TY_NAMED && v->type->decl == d)
                    return v->name;
            }
        }
    }
    return d->name ? facet_idl__printf(e->c->arena, "struct %s", d->name) : NULL;
}

/* The C type of an element of kind k (a scalar, or bytes for void). */
static const char *scalar_c(uint32_t k)
{
    switch (k) {
    case FACET_TI_VOID: return "uint8_t";
    case FACET_TI_CHAR: return "char";
    case FACET_TI_INT8: return "int8_t";
    case FACET_TI_UINT8: return "uint8_t";
    case FACET_TI_INT16: return "int16_t";
    case FACET_TI_UINT16: return "uint16_t";
    case FACET_TI_INT32: return "int32_t";
    case FACET_TI_UINT32: return "uint32_t";
    case FACET_TI_INT64: return "int64_t";
    case FACET_TI_UINT64: return "uint64_t";
    case FACET_TI_FLOAT: return "float";
    case FACET_TI_DOUBLE: return "double";
    case FACET_TI_WCHAR: return "uint16_t";
    case FACET_TI_BOOLEAN: return "uint8_t";
    case FACET_TI_INTPTR: return "intptr_t";
    case FACET_TI_UINTPTR: return "uintptr_t";
    case FACET_TI_GUID: return "FacetGuid";
    case FACET_TI_RESULT: return "FacetResult";
    case FACET_TI_ENUM: return "int32_t";
    default: return NULL;
    }
}

static int not_remote(ps_param *p, const char *why)
{
    p->why = why;
    return 0;
}

static int struct_remote(ps_emitter *e, const idl_decl *d, const char **why, int depth);

/* An interface pointer crosses as [in] I * or [out] I **, nothing else. */
static int interface_shape(ps_param *p, const idl_tref *r, int in, int out)
{
    p->elem = "void *";
    if (r->level == 1 && !out)
        p->shape = FACET_PS_INTERFACE;
    else if (r->level == 2 && out && !in)
        p->shape = FACET_PS_INTERFACE_OUT;
    return p->shape != 0;
}

/* Reads how var (a parameter, or a field when field) crosses into p.
 * Returns 1 when it can, 0 with p->why when it cannot. */
static int classify(ps_emitter *e, const idl_var *v, int field, ps_param *p)
{
    idl_tref r = facet_idl__describe(v->type);
    uint32_t dir = v->dir & (FACET_TI_IN | FACET_TI_OUT);
    int string = (r.flags & FACET_TI_STRING) || facet_idl__attr(v->attrs, "string") != NULL;
    int in = field || dir == 0 || (dir & FACET_TI_IN), out = !field && (dir & FACET_TI_OUT);
    const char *why;

    memset(p, 0, sizeof(*p));
    p->var = v;
    p->kind = r.kind;
    p->count = 1;
    p->flags = field ? 0u : (in ? FACET_PS_IN : 0u) | (out ? FACET_PS_OUT : 0u);
    if (facet_idl__attr(v->attrs, "unique"))
        p->flags |= FACET_PS_UNIQUE;
    p->size_is = link_arg(v, "size_is");
    p->length_is = link_arg(v, "length_is");
    p->iid_is = link_arg(v, "iid_is");
    if (!p->size_is && facet_idl__attr(v->attrs, "size_is"))
        return not_remote(p, "a size_is with no first size (size_is(,n))");
    if (p->length_is && !p->size_is)
        return not_remote(p, "length_is without size_is");
    if ((r.flags & FACET_TI_ARRAY) && (field ? r.level != 0 : 1))
        return not_remote(p, "a fixed-size array as a parameter or behind a pointer");

    switch (r.kind) {
    case FACET_TI_INTERFACE:
        if (field)
            return not_remote(p, "an interface pointer in a struct");
        if (p->size_is)
            return not_remote(p, "an array of interface pointers");
        if (!p->iid_is && (!r.itf || !r.itf->has_uuid))
            return not_remote(p, "an interface with no uuid");
        p->iid = p->iid_is ? NULL : r.itf->builtin ? e->s->iunknown->guid : r.itf->guid;
        if (interface_shape(p, &r, in, out))
            return 1;
        return not_remote(p, r.level == 2 && in ? "an [in, out] interface pointer"
                                                : "an interface behind more pointers");
    case FACET_TI_VOID:
        if (p->iid_is && !field) {
            p->kind = FACET_TI_INTERFACE;
            if (interface_shape(p, &r, in, out))
                return 1;
            return not_remote(p, "an iid_is pointer that is neither [in] void * nor [out] void **");
        }
        if (r.level == 1 && p->size_is) {
            p->shape = FACET_PS_ARRAY; /* of bytes */
            p->elem = "uint8_t";
            if (r.flags & FACET_TI_CONST)
                p->flags |= FACET_PS_CONST;
            return 1;
        }
        return not_remote(p, "a void pointer without size_is or iid_is");
    case FACET_TI_CHAR:
    case FACET_TI_WCHAR:
        if (string) {
            if (r.kind == FACET_TI_WCHAR)
                p->flags |= FACET_PS_WIDE;
            p->elem = scalar_c(r.kind);
            if (field) {
                if (r.level != 1 || p->size_is)
                    return not_remote(p, "a [string] field that is not a plain pointer");
                p->shape = FACET_PS_STRING;
                return 1;
            }
            if (r.level == 1 && in && !out && !p->size_is) {
                p->shape = FACET_PS_STRING;
                return 1;
            }
            if (r.level == 2 && out && !in && !p->size_is) {
                p->shape = FACET_PS_STRING_OUT;
                if (!(r.flags & FACET_TI_CONST))
                    p->flags |= FACET_PS_ALLOCATED;
                return 1;
            }
            if (r.level == 2 && in && !out && p->size_is && !p->length_is) {
                p->shape = FACET_PS_STRING_ARRAY;
                return 1;
            }
            return not_remote(p, "a [string] that is neither [in] const char *, [out] char ** "
                                 "nor an [in] array of strings");
        }
        break;
    case FACET_TI_STRUCT:
        if (!r.bottom || !r.bottom->decl || r.bottom->decl->kind != D_STRUCT ||
            !r.bottom->decl->defined)
            return not_remote(p, "a struct whose fields are not known");
        p->st = r.bottom->decl;
        if (!struct_remote(e, p->st, &why, 0))
            return not_remote(p, why);
        p->elem = struct_name(e, p->st);
        if (!p->elem)
            return not_remote(p, "a struct with neither a tag nor a typedef name");
        break;
    case FACET_TI_UNION:
        return not_remote(p, "a union");
    case FACET_TI_FUNCTION:
        return not_remote(p, "a function pointer");
    case FACET_TI_HANDLE:
        return not_remote(p, "an RPC handle");
    case FACET_TI_OTHER:
        return not_remote(p, "a type facet-idl does not know the layout of");
    default:
        break;
    }
    /* A scalar, a GUID, an enum or a struct. */
    if (!p->elem)
        p->elem = scalar_c(r.kind);
    if (!p->elem)
        return not_remote(p, "a type facet-idl does not know the layout of");
    if (r.level == 0 && !p->size_is) {
        if (out)
            return not_remote(p, "an [out] parameter that is not a pointer");
        p->shape = FACET_PS_VALUE;
        p->count = r.array_length ? r.array_length : 1;
        return 1;
    }
    if (r.level == 1) {
        if (r.flags & FACET_TI_CONST)
            p->flags |= FACET_PS_CONST;
        p->shape = p->size_is ? FACET_PS_ARRAY : FACET_PS_REF;
        if (field && !p->size_is)
            return not_remote(p, "a pointer field without size_is");
        return 1;
    }
    return not_remote(p, "a pointer to a pointer");
}

/* Whether every field of struct d can cross (nested structs too). */
static int struct_remote(ps_emitter *e, const idl_decl *d, const char **why, int depth)
{
    size_t i;
    if (depth > 16) {
        *why = "structs nested more than 16 deep";
        return 0;
    }
    if (d->fields.count == 0 || d->fields.count > FACET_PS_MAX_PARAMS) {
        *why = d->fields.count ? "a struct of more than 32 fields" : "an empty struct";
        return 0;
    }
    for (i = 0; i < d->fields.count; i++) {
        const idl_var *f = d->fields.items[i];
        ps_param p;
        if (f->bits) {
            *why = "a bitfield";
            return 0;
        }
        if (!classify(e, f, 1, &p)) {
            *why = p.why;
            return 0;
        }
        if (p.st && !struct_remote(e, p.st, why, depth + 1))
            return 0;
    }
    return 1;
}

/* ---- Writing ------------------------------------------------------------ */

static const char *guid_const(ps_emitter *e, const uint8_t g[16])
{
    return facet_idl__guid_const(e->c, e->out, e->sym, &e->guids, g);
}

/* An expression of a link, with names read through access (a printf
 * format taking the parameter's or field's index) and every pointer read
 * through checked. Returns 0 for what it cannot write. */
typedef struct link_scope {
    const idl_vec *vars;   /* the parameters, or the fields */
    const char **access;   /* per var: how to read its value */
} link_scope;

static int write_link(ps_emitter *e, idl_buf *b, const idl_expr *x, const link_scope *s, int depth)
{
    int i;
    if (!x || depth > 64)
        return 0;
    switch (x->op) {
    case 'n':
        facet_idl__buf_puts(b, x->text ? x->text : "0");
        return 1;
    case 'i':
        for (i = 0; i < (int)s->vars->count; i++) {
            const idl_var *v = s->vars->items[i];
            if (v->name && strcmp(v->name, x->name) == 0) {
                facet_idl__buf_puts(b, s->access[i]);
                return 1;
            }
        }
        facet_idl__buf_puts(b, x->name); /* a constant */
        return 1;
    case 'p':
        facet_idl__buf_puts(b, "(");
        if (!write_link(e, b, x->a, s, depth + 1))
            return 0;
        facet_idl__buf_puts(b, ")");
        return 1;
    case 'u':
        if (strcmp(x->name, "*") == 0) {
            idl_buf inner;
            int ok;
            facet_idl__buf_init(&inner, e->c->mem);
            ok = write_link(e, &inner, x->a, s, depth + 1);
            if (ok)
                facet_idl__buf_printf(b, "((%s) ? *(%s) : 0)", inner.data ? inner.data : "",
                                      inner.data ? inner.data : "");
            facet_idl__buf_free(&inner);
            return ok;
        }
        if (strcmp(x->name, "-") && strcmp(x->name, "~") && strcmp(x->name, "!") &&
            strcmp(x->name, "+"))
            return 0;
        facet_idl__buf_printf(b, "%s(", x->name);
        if (!write_link(e, b, x->a, s, depth + 1))
            return 0;
        facet_idl__buf_puts(b, ")");
        return 1;
    case 'b': {
        idl_buf l, r;
        int ok;
        facet_idl__buf_init(&l, e->c->mem);
        facet_idl__buf_init(&r, e->c->mem);
        ok = write_link(e, &l, x->a, s, depth + 1) && write_link(e, &r, x->b, s, depth + 1) &&
             l.data && r.data; /* (no text: out of memory, which the buffers report) */
        if (ok && (strcmp(x->name, "/") == 0 || strcmp(x->name, "%") == 0))
            /* a divisor of 0 from the other side must not stop this one */
            facet_idl__buf_printf(b, "((%s) ? (%s) %s (%s) : 0)", r.data, l.data, x->name, r.data);
        else if (ok)
            facet_idl__buf_printf(b, "(%s) %s (%s)", l.data, x->name, r.data);
        facet_idl__buf_free(&l);
        facet_idl__buf_free(&r);
        return ok;
    }
    case 'C':
        facet_idl__buf_puts(b, "(");
        facet_idl__write_decl(b, x->type, NULL);
        facet_idl__buf_puts(b, ")(");
        if (!write_link(e, b, x->a, s, depth + 1))
            return 0;
        facet_idl__buf_puts(b, ")");
        return 1;
    default:
        return 0;
    }
}

/* One entry of a FacetPsParam table. */
static void write_entry(ps_emitter *e, idl_buf *rows, const ps_param *p, int index,
                        const char *owner)
{
    const char *iid = p->iid ? guid_const(e, p->iid) : NULL;
    const char *st = NULL;
    if (p->st) {
        int k = facet_idl__index_of(&e->structs, p->st);
        st = facet_idl__printf(e->c->arena, "&%s_struct_%d", e->sym, k);
    }
    facet_idl__buf_printf(rows, "    {\"%s\", %uu, 0x%04Xu, %uu, ", p->var->name ? p->var->name : "",
                          p->shape, p->flags, (unsigned)p->kind);
    if (p->kind == FACET_TI_INTERFACE)
        facet_idl__buf_puts(rows, "sizeof(void *), ");
    else
        facet_idl__buf_printf(rows, "sizeof(%s), ", p->elem);
    if (owner)
        facet_idl__buf_printf(rows, "offsetof(%s, %s), ", owner, p->var->name);
    else
        facet_idl__buf_puts(rows, "0u, ");
    facet_idl__buf_printf(rows, "%uu, %d, %d, %d, %s, %s%s},\n", (unsigned)p->count,
                          p->size_is ? index : -1, p->length_is ? index : -1,
                          p->iid_is ? index : -1, st ? st : "NULL", iid ? "&" : "",
                          iid ? iid : "NULL");
}

/* Adds d and the structs its fields hold to e->structs, inner ones first. */
static void collect_struct(ps_emitter *e, const idl_decl *d)
{
    size_t i;
    if (facet_idl__index_of(&e->structs, d) >= 0)
        return;
    for (i = 0; i < d->fields.count; i++) {
        ps_param p;
        if (classify(e, d->fields.items[i], 1, &p) && p.st)
            collect_struct(e, p.st);
    }
    facet_idl__vec_push(e->c->arena, &e->structs, (void *)d);
}

static void write_struct(ps_emitter *e, const idl_decl *d, int k)
{
    const char *name = struct_name(e, d);
    const char **access;
    link_scope scope;
    idl_buf rows, links;
    size_t i;
    int sized = 0, has_links = 0;
    facet_idl__buf_init(&rows, e->c->mem);
    facet_idl__buf_init(&links, e->c->mem);
    access = facet_idl__alloc(e->c->arena, d->fields.count * sizeof(char *) + 1);
    if (!access || !name)
        return;
    for (i = 0; i < d->fields.count; i++) {
        const idl_var *f = d->fields.items[i];
        access[i] = facet_idl__printf(e->c->arena, "s->%s", f->name ? f->name : "");
    }
    scope.vars = &d->fields;
    scope.access = access;
    for (i = 0; i < d->fields.count; i++) {
        const idl_var *f = d->fields.items[i];
        ps_param p;
        idl_tref r = facet_idl__describe(f->type);
        classify(e, f, 1, &p);
        if (i == 0 && f->name && strcmp(f->name, "struct_size") == 0 &&
            r.kind == FACET_TI_UINT32 && r.level == 0)
            sized = 1;
        write_entry(e, &rows, &p, (int)i, name);
        if (p.size_is) {
            facet_idl__buf_printf(&links, "    out->size[%u] = (uint64_t)(", (unsigned)i);
            write_link(e, &links, p.size_is, &scope, 0);
            facet_idl__buf_puts(&links, ");\n");
            has_links = 1;
        }
        if (p.length_is) {
            facet_idl__buf_printf(&links, "    out->length[%u] = (uint64_t)(", (unsigned)i);
            write_link(e, &links, p.length_is, &scope, 0);
            facet_idl__buf_puts(&links, ");\n");
        }
    }
    W(e, 0, "static const FacetPsParam %s_struct_%d_fields[] = {", e->sym, k);
    facet_idl__buf_puts(e->out, rows.data ? rows.data : "");
    W(e, 0, "};");
    if (has_links) {
        W(e, 0, "static void %s_struct_%d_links(const void *self, FacetPsLinks *out)", e->sym, k);
        W(e, 0, "{");
        W(e, 1, "const %s *s = (const %s *)self;", name, name);
        facet_idl__buf_puts(e->out, links.data ? links.data : "");
        W(e, 0, "}");
    }
    W(e, 0, "static const FacetPsStruct %s_struct_%d = {\"%s\", sizeof(%s), %uu, %uu, "
            "%s_struct_%d_fields, %s%s};",
      e->sym, k, name, name, sized ? 1u : 0u, (unsigned)d->fields.count, e->sym, k,
      has_links ? e->sym : "NULL", has_links ? facet_idl__printf(e->c->arena, "_struct_%d_links", k)
                                             : "");
    facet_idl__buf_puts(e->out, "\n");
    facet_idl__buf_free(&rows);
    facet_idl__buf_free(&links);
}

/* The method's parameters as a C parameter list after This, and the
 * argument list the stub passes: "*(const char **)args[0], ...". */
static void write_signature(ps_emitter *e, const idl_method *m, const char *itf, idl_buf *params,
                            idl_buf *call)
{
    size_t i;
    facet_idl__buf_printf(params, "%s *This", itf);
    for (i = 0; i < m->params.count; i++) {
        const idl_var *v = m->params.items[i];
        const char *name = facet_idl__printf(e->c->arena, "a%u", (unsigned)i);
        idl_buf t;
        facet_idl__buf_init(&t, e->c->mem);
        facet_idl__buf_puts(params, ", ");
        facet_idl__write_decl(params, v->type, name);
        facet_idl__write_decl(&t, v->type, NULL);
        facet_idl__buf_printf(call, "%s*(%s *)args[%u]", i ? ", " : "", t.data ? t.data : "void *",
                              (unsigned)i);
        facet_idl__buf_free(&t);
    }
}

/* Writes one interface's tables, proxy, stub and links. */
static void write_interface(ps_emitter *e, const idl_decl *d)
{
    const char *iname = facet_idl__decl_c_name(d);
    const char *pre = facet_idl__printf(e->c->arena, "%s_%s", e->sym, iname);
    idl_vec all;
    idl_buf methods, vtbl, stub, links;
    size_t i, j;
    int any_links = 0;
    memset(&all, 0, sizeof all);
    facet_idl__buf_init(&methods, e->c->mem);
    facet_idl__buf_init(&vtbl, e->c->mem);
    facet_idl__buf_init(&stub, e->c->mem);
    facet_idl__buf_init(&links, e->c->mem);
    if (!pre)
        return;
    facet_idl__vtable(e->c, d, &all);
    W(e, 0, "/* ---- %s ---- */", iname);
    facet_idl__buf_printf(&vtbl, "    %s_QueryInterface, %s_AddRef, %s_Release,\n", pre, pre, pre);
    W(e, 0, "static FacetResult FACET_CALL %s_QueryInterface(%s *This, const FacetGuid *iid, "
            "void **out)",
      pre, iname);
    W(e, 0, "{");
    W(e, 1, "return facet_proxy_query(This, iid, out);");
    W(e, 0, "}");
    W(e, 0, "static uint32_t FACET_CALL %s_AddRef(%s *This)", pre, iname);
    W(e, 0, "{");
    W(e, 1, "return facet_proxy_addref(This);");
    W(e, 0, "}");
    W(e, 0, "static uint32_t FACET_CALL %s_Release(%s *This)", pre, iname);
    W(e, 0, "{");
    W(e, 1, "return facet_proxy_release(This);");
    W(e, 0, "}");
    for (i = 3; i < all.count; i++) {
        const idl_method *m = all.items[i];
        const char **access = facet_idl__alloc(e->c->arena, m->params.count * sizeof(char *) + 1);
        idl_buf rows, params, call, ret, mlinks;
        link_scope scope;
        const char *why = NULL, *member = facet_idl__member_name(e->c, &all, i, NULL);
        int has_links = 0, quiet = 0; /* quiet: by design, or sema said so */
        facet_idl__buf_init(&rows, e->c->mem);
        facet_idl__buf_init(&params, e->c->mem);
        facet_idl__buf_init(&call, e->c->mem);
        facet_idl__buf_init(&ret, e->c->mem);
        facet_idl__buf_init(&mlinks, e->c->mem);
        if (!access) {
            /* out of memory (the arena remembers): what this function
             * wrote so far goes with it */
            facet_idl__buf_free(&methods);
            facet_idl__buf_free(&vtbl);
            facet_idl__buf_free(&stub);
            facet_idl__buf_free(&links);
            return;
        }
        for (j = 0; j < m->params.count; j++) {
            const idl_var *v = m->params.items[j];
            idl_buf t;
            facet_idl__buf_init(&t, e->c->mem);
            facet_idl__write_decl(&t, v->type, NULL);
            access[j] = facet_idl__printf(e->c->arena, "(*(%s *)args[%u])",
                                          t.data ? t.data : "void *", (unsigned)j);
            facet_idl__buf_free(&t);
        }
        scope.vars = &m->params;
        scope.access = access;
        facet_idl__write_decl(&ret, m->ret, NULL);
        if (!member || !*member) {
            why = "an overloaded method name";
        } else if (facet_idl__attr(m->attrs, "local")) {
            why = "a [local] method";
            quiet = 1;
        } else if (!ret.data || strcmp(ret.data, "FacetResult") != 0) {
            why = "a method that does not return HRESULT";
            quiet = 1;
        } else if (m->params.count > FACET_PS_MAX_PARAMS) {
            why = "more than 32 parameters";
        }
        /* Every parameter is read before any struct is kept, so that a
         * method that cannot cross leaves no layout behind. */
        for (j = 0; !why && j < m->params.count; j++) {
            ps_param p;
            if (!classify(e, m->params.items[j], 0, &p))
                why = facet_idl__printf(e->c->arena, "parameter %s: %s",
                                        p.var->name ? p.var->name : "?", p.why);
        }
        for (j = 0; !why && j < m->params.count; j++) {
            ps_param p;
            classify(e, m->params.items[j], 0, &p);
            if (p.st)
                collect_struct(e, p.st);
            write_entry(e, &rows, &p, (int)j, NULL);
            if (p.size_is || p.length_is || p.iid_is) {
                const idl_expr *xs[3] = {p.size_is, p.length_is, p.iid_is};
                static const char *const arr[3] = {"size", "length", "iid"};
                int k;
                for (k = 0; k < 3; k++) {
                    if (!xs[k])
                        continue;
                    if (k == 2)
                        facet_idl__buf_printf(&mlinks, "        out->iid[%u] = (const FacetGuid *)(",
                                              (unsigned)j);
                    else
                        facet_idl__buf_printf(&mlinks, "        out->%s[%u] = (uint64_t)(", arr[k],
                                              (unsigned)j);
                    if (!write_link(e, &mlinks, xs[k], &scope, 0))
                        why = facet_idl__printf(e->c->arena,
                                                "parameter %s: an expression in %s_is facet-idl "
                                                "cannot evaluate",
                                                p.var->name ? p.var->name : "?", arr[k]);
                    facet_idl__buf_puts(&mlinks, ");\n");
                }
                has_links = 1;
            }
        }
        if (why && !e->s->windows_sdk && m->loc.file == e->file && !quiet) {
            /* (A Windows SDK file's own interfaces go unwarned: the
             * proxy/stub generator serves the subset of docs/idl.md. An
             * inherited method was warned of where it was declared, and
             * a method that is [local] or returns no HRESULT by sema.) */
            facet_idl__warning(e->c, m->loc, "%s::%s cannot cross a process boundary (%s); its "
                                             "proxy returns FACET_E_NOTIMPL",
                               iname, m->c_name, why);
        }
        if (why) {
            has_links = 0;
        } else if (m->params.count) {
            W(e, 0, "static const FacetPsParam %s_%u_params[] = {", pre, (unsigned)i);
            facet_idl__buf_puts(e->out, rows.data ? rows.data : "");
            W(e, 0, "};");
        }
        facet_idl__buf_printf(&methods, "    {\"%s\", 0x%04Xu, %uu, ", m->c_name,
                              (why ? FACET_PS_NOT_REMOTE : 0u) | (has_links ? FACET_PS_LINKS : 0u),
                              why ? 0u : (unsigned)m->params.count);
        if (!why && m->params.count)
            facet_idl__buf_printf(&methods, "%s_%u_params, NULL},\n", pre, (unsigned)i);
        else if (why)
            facet_idl__buf_printf(&methods, "NULL, \"%s\"},\n", why);
        else
            facet_idl__buf_puts(&methods, "NULL, NULL},\n");
        if (has_links) {
            facet_idl__buf_printf(&links, "    case %uu:\n", (unsigned)i);
            facet_idl__buf_puts(&links, mlinks.data ? mlinks.data : "");
            facet_idl__buf_puts(&links, "        break;\n");
            any_links = 1;
        }
        /* the proxy method */
        write_signature(e, m, iname, &params, &call);
        W(e, 0, "static FacetResult FACET_CALL %s_%u(%s)", pre, (unsigned)i,
          params.data ? params.data : "");
        W(e, 0, "{");
        if (m->params.count && !why) {
            W(e, 1, "void *args[%u];", (unsigned)m->params.count);
            for (j = 0; j < m->params.count; j++)
                W(e, 1, "args[%u] = (void *)&a%u;", (unsigned)j, (unsigned)j);
            W(e, 1, "return facet_proxy_call(This, %uu, args);", (unsigned)i);
        } else {
            for (j = 0; j < m->params.count; j++)
                W(e, 1, "(void)a%u;", (unsigned)j);
            W(e, 1, "return facet_proxy_call(This, %uu, NULL);", (unsigned)i);
        }
        W(e, 0, "}");
        facet_idl__buf_printf(&vtbl, "    %s_%u,\n", pre, (unsigned)i);
        if (!why)
            facet_idl__buf_printf(&stub, "    case %uu:\n        return This->lpVtbl->%s(This%s%s);\n",
                                  (unsigned)i, member, m->params.count ? ", " : "",
                                  call.data ? call.data : "");
        facet_idl__buf_free(&rows);
        facet_idl__buf_free(&params);
        facet_idl__buf_free(&call);
        facet_idl__buf_free(&ret);
        facet_idl__buf_free(&mlinks);
    }
    W(e, 0, "static const %sVtbl %s_vtbl = {", iname, pre);
    facet_idl__buf_puts(e->out, vtbl.data ? vtbl.data : "");
    W(e, 0, "};");
    W(e, 0, "static FacetResult FACET_CALL %s_stub(void *self, uint32_t slot, void **args)", pre);
    W(e, 0, "{");
    W(e, 1, "%s *This = (%s *)self;", iname, iname);
    if (!stub.data)
        W(e, 1, "(void)This;");
    W(e, 1, "(void)args;");
    W(e, 1, "switch (slot) {");
    facet_idl__buf_puts(e->out, stub.data ? stub.data : "");
    W(e, 1, "default:");
    W(e, 2, "return FACET_E_NOTIMPL;");
    W(e, 1, "}");
    W(e, 0, "}");
    if (any_links) {
        W(e, 0, "static void FACET_CALL %s_links(uint32_t slot, void *const *args, "
                "FacetPsLinks *out)",
          pre);
        W(e, 0, "{");
        W(e, 1, "switch (slot) {");
        facet_idl__buf_puts(e->out, links.data ? links.data : "");
        W(e, 1, "default:");
        W(e, 2, "(void)args;");
        W(e, 2, "(void)out;");
        W(e, 2, "break;");
        W(e, 1, "}");
        W(e, 0, "}");
    }
    if (all.count > 3) {
        W(e, 0, "static const FacetPsMethod %s_methods[] = {", pre);
        facet_idl__buf_puts(e->out, methods.data ? methods.data : "");
        W(e, 0, "};");
    }
    {
        idl_buf g;
        facet_idl__buf_init(&g, e->c->mem);
        facet_idl__guid_init(&g, d->guid);
        W(e, 0, "static const FacetPsInterface %s = {sizeof(FacetPsInterface), \"%s\", %s, %uu, "
                "%s%s, &%s_vtbl, %s_stub, %s%s};",
          pre, iname, g.data ? g.data : "{0}", (unsigned)all.count, all.count > 3 ? pre : "NULL",
          all.count > 3 ? "_methods" : "", pre, pre, any_links ? pre : "NULL",
          any_links ? "_links" : "");
        facet_idl__buf_free(&g);
    }
    facet_idl__buf_puts(e->out, "\n");
    facet_idl__buf_free(&methods);
    facet_idl__buf_free(&vtbl);
    facet_idl__buf_free(&stub);
    facet_idl__buf_free(&links);
}

/* The interfaces of the file that get proxies and stubs. */
static void collect(ps_emitter *e, const idl_vec *decls)
{
    size_t i;
    for (i = 0; i < decls->count; i++) {
        idl_decl *d = decls->items[i];
        if (d->kind == D_LIBRARY)
            collect(e, &d->members);
        else if (d->kind == D_INTERFACE && facet_idl__has_typeinfo(e->c, d) && !d->local &&
                 d->has_uuid && !same_guid(d->guid, iid_string) && !same_guid(d->guid, iid_blob))
            facet_idl__vec_push(e->c->arena, &e->itfs, d);
    }
}

void facet_idl__emit_proxy(idl_sema *s, const idl_file *f, idl_buf *out)
{
    idl_ctx *c = s->c;
    ps_emitter e;
    idl_buf body;
    idl_buf *real = out;
    size_t i;
    const char *stem = facet_idl__symbol_stem(c, f);
    memset(&e, 0, sizeof e);
    e.s = s;
    e.c = c;
    facet_idl__buf_init(&body, c->mem);
    e.file = f;
    e.sym = facet_idl__printf(c->arena, "facet_ps_%s", stem);
    if (!e.sym)
        return;
    collect(&e, &f->decls);
    /* The interfaces first, into a buffer of their own: they find the
     * structs, whose layouts must come before them. */
    e.out = &body;
    for (i = 0; i < e.itfs.count; i++)
        write_interface(&e, e.itfs.items[i]);
    e.out = real;
    W(&e, 0, "/*** Autogenerated by facet-idl %s from %s - do not edit ***/", FACET_IDL_VERSION,
      f->name);
    facet_idl__buf_puts(out, "\n");
    W(&e, 0, "#include <stddef.h>");
    W(&e, 0, "#include <facet/proxystub.h>");
    if (f->system_header)
        W(&e, 0, "#include <%s>", f->c_header ? f->c_header : "");
    else
        W(&e, 0, "#include \"%s\"", f->c_header ? f->c_header : "");
    facet_idl__buf_puts(out, "\n");
    for (i = 0; i < e.structs.count; i++)
        write_struct(&e, e.structs.items[i], (int)i);
    facet_idl__buf_puts(out, body.data ? body.data : "");
    facet_idl__buf_free(&body);
    if (e.itfs.count) {
        W(&e, 0, "static const FacetPsInterface *const %s_interfaces[] = {", e.sym);
        for (i = 0; i < e.itfs.count; i++)
            W(&e, 1, "&%s_%s,", e.sym, facet_idl__decl_c_name(e.itfs.items[i]));
        W(&e, 0, "};");
    }
    W(&e, 0, "extern const FacetPsLibrary %s;", e.sym);
    W(&e, 0, "const FacetPsLibrary %s = {sizeof(FacetPsLibrary), FACET_PS_VERSION, \"%s\", %uu, %s%s};",
      e.sym, f->name, (unsigned)e.itfs.count, e.itfs.count ? e.sym : "NULL",
      e.itfs.count ? "_interfaces" : "");
}
