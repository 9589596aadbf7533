/*
 * tree.c - questions about the tree that every pass asks.
 */
#include <string.h>

#include "tree.h"

const idl_attr *facet_idl__attr(const idl_attr *list, const char *name)
{
    for (; list; list = list->next)
        if (strcmp(list->name, name) == 0)
            return list;
    return NULL;
}

const char *facet_idl__decl_c_name(const idl_decl *d)
{
    return d->c_name ? d->c_name : d->name;
}

const idl_var *facet_idl__typedef_target(const idl_type *t)
{
    size_t i;
    if (!t || t->kind != TY_NAMED || t->tag || !t->decl || t->decl->kind != D_TYPEDEF ||
        !t->spelled)
        return NULL;
    for (i = 0; i < t->decl->vars.count; i++) {
        const idl_var *v = t->decl->vars.items[i];
        if (v->name && strcmp(v->name, t->spelled) == 0)
            return v;
    }
    return NULL;
}

const idl_type *facet_idl__resolve(const idl_type *t)
{
    const idl_var *v;
    int guard = 0;
    while (guard++ < 100 && (v = facet_idl__typedef_target(t)) != NULL)
        t = v->type;
    return t;
}
