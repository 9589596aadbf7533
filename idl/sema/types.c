/*
 * types.c - resolves the names of the tree and checks its declarations.
 *
 * Each file is checked once it is parsed, its imports before it: its names
 * are declared (symbols.c), then each declaration's types are resolved and
 * checked, with the rules of the ABI (abi.c). The links between
 * parameters ([size_is(n)], [iid_is(riid)], ...) become indexes, which
 * the type info records.
 */
#include <string.h>

#include "sema.h"

static int has(const idl_attr *list, const char *name)
{
    return facet_idl__attr(list, name) != NULL;
}

static void check_decl(idl_sema *s, idl_decl *d);

static void resolve_type(idl_sema *s, idl_type *t, int depth)
{
    idl_ctx *c = s->c;
    size_t i;
    if (!t || depth > IDL_MAX_DEPTH)
        return;
    if (t->kind == TY_NAMED) {
        if (t->defines) {
            check_decl(s, t->decl);
        } else if (t->tag) {
            char *key = facet_idl__printf(c->arena, "%c:%s", t->tag, t->spelled);
            idl_decl *d = key ? facet_idl__sym_get(&s->tags, key) : NULL;
            if (d)
                t->decl = d; /* unknown tags are incomplete types, as in C */
        } else if (!t->decl) {
            idl_decl *d = facet_idl__sym_get(&s->names, t->spelled);
            const char *why = facet_idl__abi_unfixed(t->spelled);
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
    facet_idl__abi_check_callconv(s, t);
    resolve_type(s, t->sub, depth + 1);
    for (i = 0; i < t->params.count; i++)
        resolve_type(s, ((idl_var *)t->params.items[i])->type, depth + 1);
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

static int is_constant_name(idl_sema *s, const char *name)
{
    const idl_decl *d = facet_idl__sym_get(&s->names, name);
    return d && (d->kind == D_CONST || d->kind == D_ENUM);
}

static void unknown_link_name(idl_ctx *c, const idl_expr *id, const char *attr,
                              const link_scope *scope)
{
    idl_buf names;
    size_t j;
    facet_idl__buf_init(&names, c->mem);
    for (j = 0; j < scope->siblings->count; j++) {
        const idl_var *v = scope->siblings->items[j];
        if (v->name)
            facet_idl__buf_printf(&names, "%s'%s'", names.len ? ", " : "", v->name);
    }
    if (scope->discriminant && scope->discriminant->name)
        facet_idl__buf_printf(&names, "%s'%s'", names.len ? ", " : "", scope->discriminant->name);
    (scope->error ? facet_idl__error : facet_idl__warning)(
        c, id->loc, "[%s(%s)] names no %s of %s: expected one of %s, or a constant", attr,
        id->name, scope->what, scope->owner, names.len ? names.data : "(none)");
    facet_idl__buf_free(&names);
}

/* Checks every name in e; the index of the first sibling it names, or -1
 * (a constant size). */
static int link_expr(idl_sema *s, const idl_expr *e, const char *attr, const link_scope *scope,
                     int depth)
{
    int idx, sub;
    if (!e || depth > IDL_MAX_DEPTH)
        return -1;
    if (e->op == 'i') {
        idx = var_index(scope->siblings, e->name);
        if (idx < 0 && !(scope->discriminant && scope->discriminant->name &&
                         strcmp(scope->discriminant->name, e->name) == 0) &&
            !is_constant_name(s, e->name))
            unknown_link_name(s->c, e, attr, scope);
        return idx;
    }
    idx = link_expr(s, e->a, attr, scope, depth + 1);
    sub = link_expr(s, e->b, attr, scope, depth + 1);
    if (idx < 0)
        idx = sub;
    sub = link_expr(s, e->c, attr, scope, depth + 1);
    return idx < 0 ? sub : idx;
}

/* [size_is(n)] and friends: every name in them must be a sibling
 * (parameter or field) or a constant. Returns the index of the sibling
 * the first sized dimension depends on, or -1. */
static int link_index(idl_sema *s, const idl_var *v, const char *attr, const link_scope *scope)
{
    const idl_attr *a = facet_idl__attr(v->attrs, attr);
    size_t i;
    int idx = -1, found = 0;
    for (i = 0; a && i < a->args.count; i++) {
        const idl_expr *e = a->args.items[i];
        int k;
        if (!e || e->op == 'e')
            continue;
        k = link_expr(s, e, attr, scope, 0);
        if (!found) {
            idx = k;
            found = 1;
        }
    }
    return idx;
}

/* The attributes whose expressions name parameters or fields. */
static void link_var(idl_sema *s, idl_var *v, const link_scope *scope)
{
    static const char *const bounds[] = {"max_is", "min_is", "first_is", "last_is", "byte_count"};
    size_t i;
    v->size_is = link_index(s, v, "size_is", scope);
    v->length_is = link_index(s, v, "length_is", scope);
    v->iid_is = link_index(s, v, "iid_is", scope);
    v->switch_is = link_index(s, v, "switch_is", scope);
    for (i = 0; i < sizeof bounds / sizeof bounds[0]; i++)
        (void)link_index(s, v, bounds[i], scope);
}

/* Two parameters of a method, or two fields of a struct, of one name: the
 * header's declaration of them would not compile. */
static void check_names(idl_sema *s, const idl_vec *vars, const link_scope *scope)
{
    size_t i;
    for (i = 1; i < vars->count; i++) {
        const idl_var *v = vars->items[i];
        int first = v->name ? var_index(vars, v->name) : -1;
        if (first >= 0 && (size_t)first < i) {
            const idl_var *o = vars->items[first];
            (s->windows_sdk ? facet_idl__warning : facet_idl__error)(
                s->c, v->loc,
                "%s has two %ss named '%s' (the first on line %u, column %u): expected a name of "
                "its own for each",
                scope->owner, scope->what, v->name, (unsigned)o->loc.line, (unsigned)o->loc.col);
        }
    }
}

/* [string] is for characters: a pointer to, or an array of, char, byte,
 * int8_t, uint8_t or wchar_t (through typedefs such as LPWSTR). On anything
 * else a proxy would look for a terminator that is not there. */
static void check_string(idl_sema *s, const idl_var *v, const link_scope *scope)
{
    const idl_type *t = facet_idl__resolve(v->type);
    int levels = 0;
    if (!facet_idl__attr(v->attrs, "string"))
        return;
    while (t && (t->kind == TY_POINTER || t->kind == TY_ARRAY) && levels < IDL_MAX_DEPTH) {
        t = facet_idl__resolve(t->sub);
        levels++;
    }
    if (levels > 0 && t && t->kind == TY_BUILTIN &&
        (t->builtin == B_CHAR || t->builtin == B_INT8 || t->builtin == B_UINT8 ||
         t->builtin == B_WCHAR))
        return;
    (scope->error ? facet_idl__error : facet_idl__warning)(
        s->c, v->loc,
        "[string] on %s '%s' of %s: expected a pointer to or an array of char, byte, int8_t, "
        "uint8_t or wchar_t",
        scope->what, v->name ? v->name : "(unnamed)", scope->owner);
}

static void check_method(idl_sema *s, idl_decl *itf, idl_method *m)
{
    idl_ctx *c = s->c;
    const char *owner;
    link_scope scope;
    size_t i;
    resolve_type(s, m->ret, 0);
    for (i = 0; i < m->params.count; i++) {
        idl_var *v = m->params.items[i];
        resolve_type(s, v->type, 0);
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
    facet_idl__abi_check_method(s, itf, m, owner);
    scope.siblings = &m->params;
    scope.discriminant = NULL;
    scope.what = "parameter";
    scope.owner = owner;
    /* through an import the links reach no type info here: widl does not
     * check them, and SDK files have names that are not there */
    scope.error = itf->file == c->main_file;
    check_names(s, &m->params, &scope);
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
        link_var(s, v, &scope);
        check_string(s, v, &scope);
        /* a callback an object's method takes is STDMETHODCALLTYPE unless
         * it says otherwise, as in MIDL and widl: FACET_CALL */
        for (t = v->type; t && t->kind == TY_POINTER; t = t->sub)
            if (t->sub && t->sub->kind == TY_FUNC && !t->sub->callconv && itf->object)
                t->sub->callconv = "STDMETHODCALLTYPE";
    }
}

static void check_fields(idl_sema *s, idl_decl *d)
{
    idl_ctx *c = s->c;
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
    check_names(s, &d->fields, &scope);
    for (i = 0; i < d->fields.count; i++) {
        idl_var *v = d->fields.items[i];
        resolve_type(s, v->type, 0);
        if (!warned)
            warned = facet_idl__abi_check_field(s, v); /* once a struct */
        link_var(s, v, &scope);
        check_string(s, v, &scope);
    }
}

/* The base of b, even when b is defined after the interface being checked. */
static const idl_decl *base_of(idl_sema *s, const idl_decl *b)
{
    if (b->base || !b->base_name)
        return b->base;
    return facet_idl__sym_get(&s->names, b->base_name);
}

static void check_interface(idl_sema *s, idl_decl *d)
{
    idl_ctx *c = s->c;
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
        idl_decl *disp = facet_idl__sym_get(&s->names, "IDispatch");
        if (d->base_name) {
            /* dispinterface D { interface I; } */
            idl_decl *i2 = facet_idl__sym_get(&s->names, d->base_name);
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
    } else if (d->object && s->windows_sdk && d->local && (!d->has_uuid || !d->base_name)) {
        /* widl takes [local] interfaces with no uuid or base (ID3DInclude) */
        if (d->base_name)
            d->base = facet_idl__sym_get(&s->names, d->base_name);
    } else if (d->object) {
        if (!d->has_uuid)
            facet_idl__error(c, d->loc, "interface %s is [object] but has no uuid: expected "
                             "[object, uuid(xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)] before it",
                             d->name);
        if (!d->base_name) {
            facet_idl__error(c, d->loc, "interface %s does not derive from IUnknown: expected "
                             "'interface %s : IUnknown'", d->name, d->name);
        } else {
            idl_decl *base = facet_idl__sym_get(&s->names, d->base_name);
            if (!base || (base->kind != D_INTERFACE && base->kind != D_DISPINTERFACE)) {
                facet_idl__error(c, d->base_loc, "unknown base interface '%s' of %s: expected an "
                                 "interface declared before it", d->base_name, d->name);
            } else if (!base->defined) {
                facet_idl__error(c, d->base_loc, "base interface '%s' of %s is only declared, not "
                                 "defined: expected its definition before %s", d->base_name,
                                 d->name, d->name);
            } else {
                d->base = base;
                for (b = base, guard = 0; b && guard < 64; b = base_of(s, b), guard++)
                    if (b == s->iunknown || (b->builtin && strcmp(b->name, "IUnknown") == 0))
                        break;
                if (!b || guard == 64)
                    facet_idl__error(c, d->base_loc, "interface %s does not derive from "
                                     "IUnknown: its bases end at '%s'", d->name, d->base_name);
            }
        }
    }
    if (d->has_uuid && (d->kind == D_INTERFACE || d->kind == D_DISPINTERFACE)) {
        for (i = 0; i < s->iids.count; i++) {
            idl_decl *o = s->iids.items[i];
            if (o != d && memcmp(o->guid, d->guid, 16) == 0 && strcmp(o->name, d->name) != 0) {
                char g[IDL_GUID_TEXT];
                facet_idl__guid_text(g, d->guid);
                /* Wine's mshtml.idl reuses one: widl does not check */
                (s->windows_sdk ? facet_idl__warning : facet_idl__error)(
                                 c, u->loc, "duplicate IID %s: interface %s has the same uuid as "
                                 "%s (%s:%u)", g, d->name, o->name, o->loc.file ? o->loc.file->name
                                 : "?", (unsigned)o->loc.line);
                break;
            }
        }
        facet_idl__vec_push(c->arena, &s->iids, d);
    }
    for (i = 0; i < d->methods.count; i++)
        check_method(s, d, d->methods.items[i]);
    for (i = 0; i < d->props.count; i++)
        resolve_type(s, ((idl_var *)d->props.items[i])->type, 0);
}

/* The value of a constant or an enumerator: every name in it is a
 * constant, an enumerator or a type, and nothing in it divides by a literal zero
 * (the C that carries it would not compile, or not mean a number). */
static void check_value(idl_sema *s, const idl_expr *e, const char *owner, int error, int depth)
{
    if (!e || depth > IDL_MAX_DEPTH)
        return;
    /* a name of a type is a cast that the parser could not tell from a
     * name in parentheses: (HBODY)-1 */
    if (e->op == 'i' && !facet_idl__sym_get(&s->names, e->name))
        /* the platform's files use its C macros (TRUE) and names of
         * files they do not import */
        (error && !s->windows_sdk ? facet_idl__error : facet_idl__warning)(
            s->c, e->loc, "'%s' in the value of %s names no constant or enumerator", e->name,
            owner);
    if (e->op == 'b' && e->name && (strcmp(e->name, "/") == 0 || strcmp(e->name, "%") == 0)) {
        const idl_expr *d = e->b;
        while (d && d->op == 'p')
            d = d->a;
        if (d && d->op == 'n' && d->value == 0)
            (error ? facet_idl__error : facet_idl__warning)(
                s->c, e->b->loc, "the value of %s divides by zero", owner);
    }
    check_value(s, e->a, owner, error, depth + 1);
    check_value(s, e->b, owner, error, depth + 1);
    check_value(s, e->c, owner, error, depth + 1);
}

static void check_enum_values(idl_sema *s, const idl_decl *d)
{
    size_t i;
    for (i = 0; i < d->enumerators.count; i++) {
        const idl_enumerator *en = d->enumerators.items[i];
        const char *owner = facet_idl__printf(s->c->arena, "enumerator %s", en->name);
        if (owner)
            check_value(s, en->value, owner, d->file == s->c->main_file, 0);
    }
}

static void check_decl(idl_sema *s, idl_decl *d)
{
    idl_ctx *c = s->c;
    size_t i;
    if (!d || ++c->depth > IDL_MAX_DEPTH) {
        if (d)
            c->depth--;
        return;
    }
    switch (d->kind) {
    case D_INTERFACE:
    case D_DISPINTERFACE:
        check_interface(s, d);
        break;
    case D_COCLASS: {
        const idl_attr *u = facet_idl__attr(d->attrs, "uuid");
        if (u) {
            d->has_uuid = 1;
            memcpy(d->guid, u->guid, 16);
        }
        for (i = 0; i < d->members.count; i++) {
            idl_decl *ref = d->members.items[i];
            idl_decl *itf = facet_idl__sym_get(&s->names, ref->name);
            if (!itf || (itf->kind != D_INTERFACE && itf->kind != D_DISPINTERFACE)) {
                if (s->windows_sdk)
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
            check_decl(s, d->members.items[i]);
        break;
    }
    case D_MODULE:
        for (i = 0; i < d->members.count; i++)
            check_decl(s, d->members.items[i]);
        break;
    case D_TYPEDEF:
        resolve_type(s, d->type, 0);
        for (i = 0; i < d->vars.count; i++)
            resolve_type(s, ((idl_var *)d->vars.items[i])->type, 0);
        break;
    case D_STRUCT:
    case D_UNION:
        if (d->checked)
            break; /* a typedef names it with each of its declarators */
        d->checked = 1;
        if (d->sw)
            resolve_type(s, d->sw->type, 0);
        check_fields(s, d);
        break;
    case D_CONST:
        if (d->name) {
            const char *owner = facet_idl__printf(c->arena, "constant %s", d->name);
            if (owner)
                check_value(s, d->value, owner, d->file == c->main_file, 0);
        }
        resolve_type(s, d->type, 0);
        break;
    case D_VARIABLE:
        resolve_type(s, d->type, 0);
        break;
    case D_FUNCTION:
        for (i = 0; i < d->methods.count; i++) {
            idl_method *m = d->methods.items[i];
            size_t j;
            m->c_name = m->name;
            m->in_vtable = 1;
            resolve_type(s, m->ret, 0);
            for (j = 0; j < m->params.count; j++)
                resolve_type(s, ((idl_var *)m->params.items[j])->type, 0);
        }
        break;
    default:
        break;
    }
    c->depth--;
}

void facet_idl__check_file(idl_sema *s, idl_file *f)
{
    size_t i;
    if (f->needs_platform)
        s->windows_sdk = 1;
    for (i = 0; i < f->decls.count; i++)
        facet_idl__declare(s, f->decls.items[i]);
    for (i = 0; i < f->decls.count && !s->c->out_of_memory; i++)
        check_decl(s, f->decls.items[i]);
}

void facet_idl__check_done(idl_sema *s)
{
    size_t i;
    for (i = 0; i < s->enums.count; i++)
        check_enum_values(s, s->enums.items[i]);
    /* The SDK's own C and C++ lines treat its enums as enum types
     * (DEFINE_ENUM_FLAG_OPERATORS), as the platform's headers declare
     * them; every Windows compiler makes them 32 bits. */
    for (i = 0; i < s->enums.count && s->windows_sdk; i++)
        ((idl_decl *)s->enums.items[i])->c_enum = 1;
}
