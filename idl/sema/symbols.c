/*
 * symbols.c - the names of a compilation: those <facet/abi.h> declares,
 * and those each file's declarations bring.
 */
#include <string.h>

#include "sema.h"

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

static void add_builtin_typedef(idl_sema *s, const char *name, idl_type *target)
{
    idl_ctx *c = s->c;
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
    facet_idl__sym_put(c, &s->names, name, d);
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

void facet_idl__sema_init(idl_sema *s, idl_ctx *c)
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
    idl_type *cguid;
    size_t i;
    memset(s, 0, sizeof(*s));
    s->c = c;
    for (i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        add_builtin_typedef(s, fixed[i].name, mk_type(c, TY_BUILTIN, fixed[i].builtin));
    for (i = 0; i < sizeof refs / sizeof refs[0]; i++) {
        cguid = mk_type(c, TY_BUILTIN, B_GUID);
        if (cguid)
            cguid->is_const = 1;
        add_builtin_typedef(s, refs[i], ptr_to(c, cguid));
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
    facet_idl__sym_put(c, &s->names, "IUnknown", u);
    facet_idl__sym_put(c, &s->names, "IFacetUnknown", u);
    s->iunknown = u;
}

int facet_idl__is_builtin_name(const idl_sema *s, const char *name)
{
    idl_decl *d = name ? facet_idl__sym_get(&s->names, name) : NULL;
    return d && d->builtin;
}

static void declare_tag(idl_sema *s, idl_decl *d)
{
    idl_ctx *c = s->c;
    idl_decl *old;
    char *key;
    if (!d->name)
        return;
    key = facet_idl__printf(c->arena, "%c:%s",
                            d->kind == D_STRUCT ? 's' : d->kind == D_UNION ? 'u' : 'e', d->name);
    if (!key) {
        facet_idl__oom(c);
        return;
    }
    old = facet_idl__sym_get(&s->tags, key);
    if (old && old != d && old->defined && d->defined && old->file == d->file) {
        /* the header would define it twice, and not compile */
        facet_idl__error(c, d->loc, "%s '%s' is defined twice (first on line %u, column %u)",
                         d->kind == D_STRUCT ? "struct" : d->kind == D_UNION ? "union" : "enum",
                         d->name, (unsigned)old->loc.line, (unsigned)old->loc.col);
        return;
    }
    if (d->defined || !old)
        facet_idl__sym_put(c, &s->tags, key, d);
}

static void declare_enumerators(idl_sema *s, idl_decl *d)
{
    size_t i;
    if (!facet_idl__vec_push(s->c->arena, &s->enums, d))
        facet_idl__oom(s->c);
    for (i = 0; i < d->enumerators.count; i++) {
        idl_enumerator *e = d->enumerators.items[i];
        if (e->name)
            facet_idl__sym_put(s->c, &s->names, e->name, d);
    }
}

/* Struct, union and enum definitions inside a type (typedef struct {..} X). */
static void declare_inline(idl_sema *s, idl_type *t, int depth)
{
    size_t i;
    if (!t || depth > IDL_MAX_DEPTH)
        return;
    if (t->kind == TY_NAMED && t->defines && t->decl) {
        declare_tag(s, t->decl);
        if (t->decl->kind == D_ENUM)
            declare_enumerators(s, t->decl);
        for (i = 0; i < t->decl->fields.count; i++)
            declare_inline(s, ((idl_var *)t->decl->fields.items[i])->type, depth + 1);
    }
    declare_inline(s, t->sub, depth + 1);
}

void facet_idl__declare(idl_sema *s, idl_decl *d)
{
    idl_ctx *c = s->c;
    size_t i;
    idl_decl *old;
    switch (d->kind) {
    case D_INTERFACE:
    case D_DISPINTERFACE:
        old = facet_idl__sym_get(&s->names, d->name);
        if (old && old->builtin) {
            /* IUnknown itself, in unknwn.idl: abi.h's IFacetUnknown */
            d->builtin = 1;
            d->c_name = old->c_name;
            if (d->defined && strcmp(d->name, "IUnknown") == 0)
                s->windows_sdk = 1;
            break;
        }
        if (old && old->defined && d->defined && old != d && old->kind == d->kind &&
            old->file == d->file) {
            facet_idl__error(c, d->loc, "interface '%s' is defined twice", d->name);
            break;
        }
        if (!old || d->defined || !old->defined)
            facet_idl__sym_put(c, &s->names, d->name, d);
        break;
    case D_COCLASS:
    case D_CONST:
        if (d->name && !facet_idl__is_builtin_name(s, d->name))
            facet_idl__sym_put(c, &s->names, d->name, d);
        break;
    case D_TYPEDEF:
        declare_inline(s, d->type, 0);
        for (i = 0; i < d->vars.count; i++) {
            idl_var *v = d->vars.items[i];
            if (!facet_idl__is_builtin_name(s, v->name))
                facet_idl__sym_put(c, &s->names, v->name, d);
        }
        break;
    case D_STRUCT:
    case D_UNION:
    case D_ENUM:
        declare_tag(s, d);
        if (d->kind == D_ENUM)
            declare_enumerators(s, d);
        for (i = 0; i < d->fields.count; i++)
            declare_inline(s, ((idl_var *)d->fields.items[i])->type, 0);
        break;
    case D_LIBRARY:
    case D_MODULE:
        for (i = 0; i < d->members.count; i++)
            facet_idl__declare(s, d->members.items[i]);
        break;
    default:
        break;
    }
}
