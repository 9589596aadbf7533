/*
 * common.c - what the emitters write the same way, and what they read of
 * types the same way.
 */
#include <string.h>

#include "emit.h"

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

/* A FacetGuid initializer: {0x..., 0x..., 0x..., {0x..., ...}} */
void facet_idl__guid_init(idl_buf *b, const uint8_t g[16])
{
    facet_idl__buf_puts(b, "{");
    facet_idl__guid_c(b, g, ", {", 0);
    facet_idl__buf_puts(b, "}}");
}

uint32_t facet_idl__builtin_kind(int b)
{
    static const uint32_t kinds[] = {
        FACET_TI_VOID, FACET_TI_CHAR, FACET_TI_INT8, FACET_TI_UINT8, FACET_TI_INT16,
        FACET_TI_UINT16, FACET_TI_INT32, FACET_TI_UINT32, FACET_TI_INT64, FACET_TI_UINT64,
        FACET_TI_FLOAT, FACET_TI_DOUBLE, FACET_TI_WCHAR, FACET_TI_BOOLEAN, FACET_TI_INTPTR,
        FACET_TI_UINTPTR, FACET_TI_GUID, FACET_TI_RESULT, FACET_TI_HANDLE, FACET_TI_UINT32};
    return b >= 0 && (size_t)b < sizeof kinds / sizeof kinds[0] ? kinds[b] : FACET_TI_OTHER;
}

idl_tref facet_idl__describe(const idl_type *t)
{
    idl_tref r;
    int guard = 0;
    memset(&r, 0, sizeof r);
    while (t && guard++ < 200) {
        const idl_var *v = facet_idl__typedef_target(t);
        if (v) {
            if (facet_idl__attr(v->attrs, "string"))
                r.flags |= FACET_TI_STRING;
            if (t->is_const && r.level) /* const uint8_t *: the typedef's node holds the const */
                r.flags |= FACET_TI_CONST;
            t = v->type;
        } else if (t->kind == TY_POINTER) {
            r.level++;
            t = t->sub;
        } else if (t->kind == TY_ARRAY) {
            if (t->dim && t->dim->op == 'n' && !r.array_length) {
                r.array_length = (uint32_t)t->dim->value;
                r.flags |= FACET_TI_ARRAY;
            } else {
                r.level++;
            }
            t = t->sub;
        } else {
            break;
        }
    }
    r.bottom = t;
    if (!t) {
        r.kind = FACET_TI_OTHER;
    } else if (t->is_const && r.level) {
        r.flags |= FACET_TI_CONST;
    }
    if (!t)
        return r;
    if (t->kind == TY_BUILTIN) {
        r.kind = facet_idl__builtin_kind(t->builtin);
    } else if (t->kind == TY_FUNC) {
        r.kind = FACET_TI_FUNCTION;
    } else if (t->tag == 'e' || (t->decl && t->decl->kind == D_ENUM)) {
        r.kind = FACET_TI_ENUM;
    } else if (t->tag == 's' || (t->decl && t->decl->kind == D_STRUCT)) {
        r.kind = FACET_TI_STRUCT;
    } else if (t->tag == 'u' || (t->decl && t->decl->kind == D_UNION)) {
        r.kind = FACET_TI_UNION;
    } else if (t->decl && (t->decl->kind == D_INTERFACE || t->decl->kind == D_DISPINTERFACE)) {
        r.kind = FACET_TI_INTERFACE;
        r.itf = t->decl;
    } else {
        r.kind = FACET_TI_OTHER;
    }
    return r;
}

/* The C vtable member for slot i. C has no overloads: a method named like
 * one before it (a C++ overload, as in dwrite.idl) is Owner_Name, as widl
 * names it. */
const char *facet_idl__member_name(idl_ctx *c, const idl_vec *all, size_t i,
                                   const idl_decl *owner)
{
    const idl_method *m = all->items[i];
    size_t j;
    for (j = 0; j < i; j++) {
        const idl_method *o = all->items[j];
        if (strcmp(o->c_name, m->c_name) == 0)
            return owner ? facet_idl__printf(c->arena, "%s_%s", facet_idl__decl_c_name(owner),
                                             m->c_name)
                         : "";
    }
    return m->c_name;
}


const char *facet_idl__guid_const(idl_ctx *c, idl_buf *out, const char *prefix, int *counter,
                                  const uint8_t g[16])
{
    idl_buf b;
    const char *name = facet_idl__printf(c->arena, "%s_guid_%d", prefix, (*counter)++);
    facet_idl__buf_init(&b, c->mem);
    facet_idl__guid_init(&b, g);
    facet_idl__write_line(out, 0, "static const FacetGuid %s = %s;", name ? name : "x",
                          b.data ? b.data : "{0}");
    facet_idl__buf_free(&b);
    return name;
}

int facet_idl__index_of(const idl_vec *v, const void *item)
{
    size_t i;
    for (i = 0; i < v->count; i++)
        if (v->items[i] == item)
            return (int)i;
    return -1;
}
