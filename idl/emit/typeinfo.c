/*
 * typeinfo.c - X_typeinfo.c: constant tables describing X.idl.
 *
 * The tables use the types of <facet/typeinfo.h> and nothing else, so the
 * file compiles on its own (it does not need X.h or its imports). GUIDs are
 * written as values; links between parameters are indexes.
 */
#include <string.h>

#include "emit.h"

typedef struct ti_emitter {
    idl_sema *s;
    idl_ctx *c;
    const idl_file *file;
    idl_buf *out;
    const char *sym;     /* facet_ti_<stem> prefix */
    idl_vec itfs;        /* idl_decl *, in output order */
    idl_vec structs;     /* idl_decl * */
    idl_vec coclasses;   /* idl_decl * */
    int guids;           /* GUID constants written so far */
} ti_emitter;

#define W(e, indent, ...) facet_idl__write_line((e)->out, indent, __VA_ARGS__)

/* A GUID constant the tables can point at; returns its name. */
static const char *guid_const(ti_emitter *e, const uint8_t g[16])
{
    return facet_idl__guid_const(e->c, e->out, e->sym, &e->guids, g);
}

static void type_ref(ti_emitter *e, idl_buf *b, const idl_type *t, const idl_tref *r,
                     const char *iid_name)
{
    idl_buf name, full;
    facet_idl__buf_init(&name, e->c->mem);
    facet_idl__buf_init(&full, e->c->mem);
    if (r->bottom) {
        idl_type copy = *r->bottom;
        copy.is_const = 0;
        facet_idl__write_decl(&name, &copy, NULL);
    }
    facet_idl__write_decl(&full, t, NULL);
    facet_idl__buf_printf(b, "{%uu, %uu, \"%s\", \"%s\", %s%s}", (unsigned)r->kind,
                          (unsigned)r->level, name.data ? name.data : "void",
                          full.data ? full.data : "void", iid_name ? "&" : "",
                          iid_name ? iid_name : "NULL");
    (void)e;
    facet_idl__buf_free(&name);
    facet_idl__buf_free(&full);
}

static const char *iid_for(ti_emitter *e, const idl_tref *r)
{
    if (r->kind == FACET_TI_INTERFACE && r->itf && r->itf->has_uuid && r->itf->defined)
        return guid_const(e, r->itf->guid);
    if (r->kind == FACET_TI_INTERFACE && r->itf && r->itf->builtin)
        return guid_const(e, e->s->iunknown->guid);
    return NULL;
}

static uint32_t var_flags(const idl_var *v, const idl_tref *r)
{
    static const struct {
        const char *attr;
        uint32_t flag;
    } map[] = {{"string", FACET_TI_STRING}, {"unique", FACET_TI_UNIQUE}, {"ref", FACET_TI_REF},
               {"ptr", FACET_TI_PTR}, {"optional", FACET_TI_OPTIONAL}};
    uint32_t f = v->dir | r->flags;
    size_t i;
    for (i = 0; i < sizeof map / sizeof map[0]; i++)
        if (facet_idl__attr(v->attrs, map[i].attr))
            f |= map[i].flag;
    return f;
}

/* A table of FacetParamInfo for vars; returns its name, or NULL if empty. */
static const char *write_vars(ti_emitter *e, const idl_vec *vars, const char *name)
{
    size_t i;
    idl_buf rows;
    if (vars->count == 0)
        return NULL;
    facet_idl__buf_init(&rows, e->c->mem);
    for (i = 0; i < vars->count; i++) {
        const idl_var *v = vars->items[i];
        idl_tref r = facet_idl__describe(v->type);
        const char *iid = iid_for(e, &r);
        facet_idl__buf_printf(&rows, "    {sizeof(FacetParamInfo), \"%s\", ", v->name ? v->name : "");
        type_ref(e, &rows, v->type, &r, iid);
        facet_idl__buf_printf(&rows, ", 0x%04Xu, %d, %d, %d, %d, %uu},\n", (unsigned)var_flags(v, &r),
                              v->size_is, v->length_is, v->iid_is, v->switch_is,
                              (unsigned)r.array_length);
    }
    W(e, 0, "static const FacetParamInfo %s[] = {", name);
    facet_idl__buf_puts(e->out, rows.data ? rows.data : "");
    W(e, 0, "};");
    facet_idl__buf_free(&rows);
    return name;
}

/* static const TYPE <sym>_SUFFIX[] = { rows }; and frees rows */
static void write_table(ti_emitter *e, const char *type, const char *suffix, idl_buf *rows)
{
    W(e, 0, "static const %s %s_%s[] = {", type, e->sym, suffix);
    facet_idl__buf_puts(e->out, rows->data ? rows->data : "");
    W(e, 0, "};");
    facet_idl__buf_puts(e->out, "\n");
    facet_idl__buf_free(rows);
}

static void write_interfaces(ti_emitter *e)
{
    size_t i, j;
    idl_buf rows;
    const char **method_tables;
    if (!e->itfs.count)
        return;
    method_tables = facet_idl__alloc(e->c->arena, e->itfs.count * sizeof(char *));
    if (!method_tables)
        return;
    for (i = 0; i < e->itfs.count; i++) {
        const idl_decl *d = e->itfs.items[i];
        idl_vec all, own;
        const char *iname = facet_idl__decl_c_name(d);
        idl_buf m;
        uint32_t slot;
        memset(&all, 0, sizeof all);
        memset(&own, 0, sizeof own);
        facet_idl__buf_init(&m, e->c->mem);
        facet_idl__vtable(e->c, d, &all);
        for (j = 0; j < d->methods.count; j++)
            if (((idl_method *)d->methods.items[j])->in_vtable && d->kind == D_INTERFACE)
                facet_idl__vec_push(e->c->arena, &own, d->methods.items[j]);
        slot = (uint32_t)(all.count - own.count);
        for (j = 0; j < own.count; j++) {
            const idl_method *me = own.items[j];
            const char *pname = facet_idl__printf(e->c->arena, "%s_%s_%s_params", e->sym, iname,
                                                  me->c_name);
            const char *ptab = pname ? write_vars(e, &me->params, pname) : NULL;
            idl_tref r = facet_idl__describe(me->ret);
            uint32_t flags = 0;
            if (facet_idl__attr(me->attrs, "propget"))
                flags |= FACET_TI_METHOD_PROPGET;
            if (facet_idl__attr(me->attrs, "propput"))
                flags |= FACET_TI_METHOD_PROPPUT;
            if (facet_idl__attr(me->attrs, "propputref"))
                flags |= FACET_TI_METHOD_PROPPUTREF;
            if (d->local || facet_idl__attr(me->attrs, "local"))
                flags |= FACET_TI_METHOD_LOCAL;
            facet_idl__buf_printf(&m, "    {sizeof(FacetMethodInfo), \"%s\", %uu, 0x%04Xu, ",
                                  me->c_name, (unsigned)(slot + j), (unsigned)flags);
            type_ref(e, &m, me->ret, &r, NULL);
            facet_idl__buf_printf(&m, ", %uu, %s},\n", (unsigned)me->params.count,
                                  ptab ? ptab : "NULL");
        }
        if (own.count) {
            method_tables[i] = facet_idl__printf(e->c->arena, "%s_%s_methods", e->sym, iname);
            W(e, 0, "static const FacetMethodInfo %s[] = {", method_tables[i]);
            facet_idl__buf_puts(e->out, m.data ? m.data : "");
            W(e, 0, "};");
        }
        facet_idl__buf_free(&m);
        facet_idl__buf_puts(e->out, "\n");
    }
    facet_idl__buf_init(&rows, e->c->mem);
    for (i = 0; i < e->itfs.count; i++) {
        const idl_decl *d = e->itfs.items[i];
        idl_vec all;
        uint32_t own = 0, flags = 0;
        int bi = d->base ? facet_idl__index_of(&e->itfs, d->base) : -1;
        static const uint8_t zero[16];
        memset(&all, 0, sizeof all);
        facet_idl__vtable(e->c, d, &all);
        for (j = 0; j < d->methods.count; j++)
            if (((idl_method *)d->methods.items[j])->in_vtable && d->kind == D_INTERFACE)
                own++;
        if (d->object)
            flags |= FACET_TI_ITF_OBJECT;
        if (d->local)
            flags |= FACET_TI_ITF_LOCAL;
        if (d->kind == D_DISPINTERFACE)
            flags |= FACET_TI_ITF_DISPATCH;
        facet_idl__buf_printf(&rows, "    {sizeof(FacetInterfaceInfo), \"%s\", ",
                              facet_idl__decl_c_name(d));
        facet_idl__guid_init(&rows, d->guid);
        facet_idl__buf_printf(&rows, ", 0x%04Xu, ", (unsigned)flags);
        if (d->base)
            facet_idl__buf_printf(&rows, "\"%s\", ", facet_idl__decl_c_name(d->base));
        else
            facet_idl__buf_puts(&rows, "NULL, ");
        facet_idl__guid_init(&rows, d->base ? d->base->guid : zero);
        if (bi >= 0)
            facet_idl__buf_printf(&rows, ", &%s_interfaces[%d]", e->sym, bi);
        else
            facet_idl__buf_puts(&rows, ", NULL");
        facet_idl__buf_printf(&rows, ", %uu, %uu, %s},\n", (unsigned)(all.count - own),
                              (unsigned)own, own ? method_tables[i] : "NULL");
    }
    write_table(e, "FacetInterfaceInfo", "interfaces", &rows);
}

static void write_structs(ti_emitter *e)
{
    size_t i;
    idl_buf rows;
    if (!e->structs.count)
        return;
    facet_idl__buf_init(&rows, e->c->mem);
    for (i = 0; i < e->structs.count; i++) {
        const idl_decl *d = e->structs.items[i];
        const char *fname = facet_idl__printf(e->c->arena, "%s_struct%u_fields", e->sym, (unsigned)i);
        const char *ftab = fname ? write_vars(e, &d->fields, fname) : NULL;
        facet_idl__buf_printf(&rows, "    {sizeof(FacetStructInfo), \"%s\", %u, %uu, %s},\n",
                              d->text ? d->text : d->name ? d->name : "",
                              d->kind == D_UNION ? 1u : 0u, (unsigned)d->fields.count,
                              ftab ? ftab : "NULL");
    }
    write_table(e, "FacetStructInfo", "structs", &rows);
}

static void write_coclasses(ti_emitter *e)
{
    size_t i, j;
    idl_buf rows;
    if (!e->coclasses.count)
        return;
    facet_idl__buf_init(&rows, e->c->mem);
    for (i = 0; i < e->coclasses.count; i++) {
        const idl_decl *d = e->coclasses.items[i];
        int def = -1;
        idl_buf iids;
        facet_idl__buf_init(&iids, e->c->mem);
        if (d->members.count) {
            W(e, 0, "static const char *const %s_coclass%u_names[] = {", e->sym, (unsigned)i);
            for (j = 0; j < d->members.count; j++)
                W(e, 1, "\"%s\",", facet_idl__decl_c_name(d->members.items[j]));
            W(e, 0, "};");
            for (j = 0; j < d->members.count; j++) {
                const idl_decl *m = d->members.items[j];
                const idl_attr *a = d->member_attrs.items[j];
                const char *g = m->has_uuid || m->builtin
                                    ? guid_const(e, m->builtin ? e->s->iunknown->guid : m->guid)
                                    : NULL;
                facet_idl__buf_printf(&iids, "    %s%s,\n", g ? "&" : "", g ? g : "NULL");
                if (a != (const void *)&d->member_attrs && facet_idl__attr(a, "default") && def < 0 &&
                    !facet_idl__attr(a, "source"))
                    def = (int)j;
            }
            W(e, 0, "static const FacetGuid *const %s_coclass%u_iids[] = {", e->sym, (unsigned)i);
            facet_idl__buf_puts(e->out, iids.data ? iids.data : "");
            W(e, 0, "};");
        }
        facet_idl__buf_free(&iids);
        facet_idl__buf_printf(&rows, "    {sizeof(FacetCoclassInfo), \"%s\", ", d->name);
        facet_idl__guid_init(&rows, d->guid);
        if (d->members.count)
            facet_idl__buf_printf(&rows, ", %uu, %s_coclass%u_names, %s_coclass%u_iids, %d},\n",
                                  (unsigned)d->members.count, e->sym, (unsigned)i, e->sym,
                                  (unsigned)i, def);
        else
            facet_idl__buf_printf(&rows, ", 0u, NULL, NULL, %d},\n", def);
    }
    write_table(e, "FacetCoclassInfo", "coclasses", &rows);
}

static void collect_type(ti_emitter *e, const idl_type *t, const char *name);

static void collect(ti_emitter *e, const idl_vec *decls)
{
    size_t i, j;
    for (i = 0; i < decls->count; i++) {
        idl_decl *d = decls->items[i];
        switch (d->kind) {
        case D_INTERFACE:
        case D_DISPINTERFACE:
            if (facet_idl__has_typeinfo(e->c, d))
                facet_idl__vec_push(e->c->arena, &e->itfs, d);
            break;
        case D_COCLASS:
            if (d->defined)
                facet_idl__vec_push(e->c->arena, &e->coclasses, d);
            break;
        case D_LIBRARY:
            collect(e, &d->members);
            break;
        case D_TYPEDEF:
            for (j = 0; j < d->vars.count; j++) {
                const idl_var *v = d->vars.items[j];
                if (v->type == d->type) /* the typedef names the struct itself */
                    collect_type(e, d->type, v->name);
            }
            break;
        case D_STRUCT:
        case D_UNION:
            if (d->defined && d->name && d->fields.count && facet_idl__index_of(&e->structs, d) < 0) {
                /* an encapsulated union is a struct in C */
                d->text = facet_idl__printf(e->c->arena, "%s %s",
                                            d->kind == D_STRUCT || d->sw ? "struct" : "union",
                                            d->name);
                facet_idl__vec_push(e->c->arena, &e->structs, d);
            }
            break;
        default:
            break;
        }
    }
}

static void collect_type(ti_emitter *e, const idl_type *t, const char *name)
{
    idl_decl *d;
    if (!t || t->kind != TY_NAMED || !t->defines || !t->decl)
        return;
    d = t->decl;
    if ((d->kind == D_STRUCT || d->kind == D_UNION) && facet_idl__index_of(&e->structs, d) < 0 &&
        d->fields.count) {
        d->text = name;
        facet_idl__vec_push(e->c->arena, &e->structs, d);
    }
}

void facet_idl__emit_typeinfo(idl_sema *s, const idl_file *f, idl_buf *out)
{
    idl_ctx *c = s->c;
    ti_emitter e;
    memset(&e, 0, sizeof e);
    e.s = s;
    e.c = c;
    e.file = f;
    e.out = out;
    e.sym = facet_idl__printf(c->arena, "facet_ti_%s", facet_idl__symbol_stem(c, f));
    if (!e.sym)
        return;
    collect(&e, &f->decls);
    W(&e, 0, "/*** Autogenerated by facet-idl %s from %s - do not edit ***/", FACET_IDL_VERSION,
      f->name);
    facet_idl__buf_puts(out, "\n");
    W(&e, 0, "#include <facet/typeinfo.h>");
    facet_idl__buf_puts(out, "\n");
    write_interfaces(&e);
    write_structs(&e);
    write_coclasses(&e);
    W(&e, 0, "extern const FacetTypeLibInfo facet_typeinfo_%s;", facet_idl__symbol_stem(c, f));
    W(&e, 0, "const FacetTypeLibInfo facet_typeinfo_%s = {", facet_idl__symbol_stem(c, f));
    W(&e, 1, "sizeof(FacetTypeLibInfo), FACET_TYPEINFO_VERSION, \"%s\",", f->name);
    if (e.itfs.count)
        W(&e, 1, "%uu, %s_interfaces,", (unsigned)e.itfs.count, e.sym);
    else
        W(&e, 1, "0u, NULL,");
    if (e.structs.count)
        W(&e, 1, "%uu, %s_structs,", (unsigned)e.structs.count, e.sym);
    else
        W(&e, 1, "0u, NULL,");
    if (e.coclasses.count)
        W(&e, 1, "%uu, %s_coclasses,", (unsigned)e.coclasses.count, e.sym);
    else
        W(&e, 1, "0u, NULL,");
    W(&e, 1, "sizeof(FacetInterfaceInfo), sizeof(FacetStructInfo), sizeof(FacetCoclassInfo)");
    W(&e, 0, "};");
}
