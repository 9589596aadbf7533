/*
 * classes.c - X_classes.json (--lang manifest): each coclass of the file as
 * a manifest's class (docs/manifest.md), for a build that writes a module's
 * manifest without running the module, as widl's registration scripts are
 * written from coclasses:
 *
 *   {
 *     "classes": {
 *       "Invert": {
 *         "clsid": "{...}",
 *         "contract": "example.invert",
 *         "threading": "any",
 *         "interfaces": ["{...}", "{...}"]
 *       }
 *     }
 *   }
 *
 * keyed by the coclass's name. contract is its progid, threading its
 * threading attribute (both, free and neutral are "any", apartment is
 * "single", single is "main"), each left out when the coclass has none;
 * interfaces are its members but [source] ones, which it calls rather than
 * implements.
 */
#include <string.h>

#include "emit.h"

typedef struct cls_emitter {
    idl_sema *s;
    idl_buf *out;
    int count;
} cls_emitter;

/* A JSON string of the IDL string literal lit ("..." as written). */
static void put_json_string(idl_buf *b, const char *lit)
{
    size_t n = strlen(lit), i;
    if (n >= 2 && lit[0] == '"' && lit[n - 1] == '"') {
        lit++;
        n -= 2;
    }
    facet_idl__buf_puts(b, "\"");
    for (i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)lit[i];
        if (ch == '\\' && i + 1 < n && (lit[i + 1] == '"' || lit[i + 1] == '\\'))
            facet_idl__buf_printf(b, "\\%c", lit[++i]);
        else if (ch == '"' || ch == '\\')
            facet_idl__buf_printf(b, "\\%c", ch);
        else if (ch < 0x20)
            facet_idl__buf_printf(b, "\\u%04x", ch);
        else
            facet_idl__buf_printf(b, "%c", ch);
    }
    facet_idl__buf_puts(b, "\"");
}

static const char *threading_name(idl_ctx *c, const idl_decl *d)
{
    static const char *const map[][2] = {{"both", "any"},       {"free", "any"},
                                         {"neutral", "any"},    {"apartment", "single"},
                                         {"single", "main"}};
    const idl_attr *a = facet_idl__attr(d->attrs, "threading");
    const idl_expr *x;
    size_t i;
    if (a == NULL)
        return NULL;
    x = a->args.count == 1 ? a->args.items[0] : NULL;
    for (i = 0; x != NULL && x->op == 'i' && i < sizeof map / sizeof map[0]; i++)
        if (strcmp(x->name, map[i][0]) == 0)
            return map[i][1];
    facet_idl__error(c, a->loc,
                     "coclass %s: threading(...) takes one of both, free, neutral, apartment "
                     "or single",
                     d->name);
    return NULL;
}

static void write_coclass(cls_emitter *e, const idl_decl *d)
{
    idl_buf *b = e->out;
    const idl_attr *progid = facet_idl__attr(d->attrs, "progid");
    const char *threading = threading_name(e->s->c, d);
    char g[IDL_GUID_TEXT];
    size_t i;
    int n = 0;
    facet_idl__buf_printf(b, "%s\n    \"%s\": {\n", e->count++ ? "," : "", d->name);
    facet_idl__guid_text(g, d->guid);
    facet_idl__buf_printf(b, "      \"clsid\": \"%s\",\n", g);
    if (progid != NULL && progid->args.count == 1 &&
        ((const idl_expr *)progid->args.items[0])->op == 's') {
        facet_idl__buf_puts(b, "      \"contract\": ");
        put_json_string(b, ((const idl_expr *)progid->args.items[0])->text);
        facet_idl__buf_puts(b, ",\n");
    }
    if (threading != NULL)
        facet_idl__buf_printf(b, "      \"threading\": \"%s\",\n", threading);
    facet_idl__buf_puts(b, "      \"interfaces\": [");
    for (i = 0; i < d->members.count; i++) {
        const idl_decl *m = d->members.items[i];
        const idl_attr *a = d->member_attrs.items[i];
        if (a != (const void *)&d->member_attrs && facet_idl__attr(a, "source"))
            continue;
        if (!m->has_uuid && !m->builtin)
            continue; /* an unknown interface: a warning already */
        facet_idl__guid_text(g, m->builtin ? e->s->iunknown->guid : m->guid);
        facet_idl__buf_printf(b, "%s\"%s\"", n++ ? ", " : "", g);
    }
    facet_idl__buf_puts(b, "]\n    }");
}

static void collect(cls_emitter *e, const idl_vec *decls)
{
    size_t i;
    for (i = 0; i < decls->count; i++) {
        const idl_decl *d = decls->items[i];
        if (d->kind == D_LIBRARY)
            collect(e, &d->members);
        else if (d->kind == D_COCLASS && d->defined && d->has_uuid)
            write_coclass(e, d);
    }
}

void facet_idl__emit_classes(idl_sema *s, const idl_file *f, idl_buf *out)
{
    cls_emitter e;
    e.s = s;
    e.out = out;
    e.count = 0;
    facet_idl__buf_puts(out, "{\n  \"classes\": {");
    collect(&e, &f->decls);
    facet_idl__buf_puts(out, e.count ? "\n  }\n}\n" : "}\n}\n");
}
