/*
 * core/discovery/classes.c - the classes whose manifests declare an
 * interface (facet_classes_implementing), read from what the runtime has
 * scanned; no module code is loaded.
 *
 * Locks: rt->declared and the manifests it points to change only under
 * load_lock held for writing (scan.c); the list is copied out under it held
 * for reading, so a scan under way in another thread is either wholly
 * before or wholly after.
 */
#include <stdlib.h>
#include <string.h>

#include "discovery.h"

typedef struct Item {
    FacetClassMatch match;
    uint32_t index;              /* the class's place in its manifest */
} Item;

struct FacetClassList {
    FacetArena arena;            /* the strings of items */
    uint32_t count, cap;
    Item *items;
};

static int declares(const FacetManifestClass *c, const FacetGuid *iid)
{
    uint32_t i;
    if (c->interface_count == UINT32_MAX) /* the manifest lists none */
        return 0;
    for (i = 0; i < c->interface_count; i++)
        if (memcmp(&c->interfaces[i], iid, sizeof(*iid)) == 0)
            return 1;
    return 0;
}

static FacetResult add_match(FacetClassList *list, const FacetDeclared *d, uint32_t index)
{
    const FacetManifestClass *c = &d->mf->classes[index];
    FacetClassMatch *m;
    if (list->count == list->cap) {
        uint32_t n = list->cap ? list->cap * 2 : 8;
        void *p = facet__realloc(list->items, n * sizeof(*list->items));
        if (p == NULL)
            return facet__error(FACET_E_OUTOFMEMORY, "facet_classes_implementing: out of memory");
        list->items = p;
        list->cap = n;
    }
    list->items[list->count].index = index;
    m = &list->items[list->count].match;
    memset(m, 0, sizeof(*m));
    m->struct_size = sizeof(*m);
    m->clsid = c->clsid;
    m->contract = c->contract ? facet__arena_strdup(&list->arena, c->contract) : NULL;
    m->module = facet__arena_strdup(&list->arena, d->mf->name);
    m->version = facet__arena_strdup(&list->arena, d->mf->version);
    m->manifest = facet__arena_strdup(&list->arena, d->mf->path);
    if ((c->contract != NULL && m->contract == NULL) || m->module == NULL || m->version == NULL ||
        m->manifest == NULL)
        return facet__error(FACET_E_OUTOFMEMORY, "facet_classes_implementing: out of memory");
    list->count++;
    return FACET_OK;
}

/* Module names first (one version of each is chosen), then the
 * manifest's order. */
static int by_module(const void *a, const void *b)
{
    const Item *x = a, *y = b;
    int c = strcmp(x->match.module, y->match.module);
    if (c != 0)
        return c;
    return x->index < y->index ? -1 : x->index > y->index;
}

FacetResult facet_classes_implementing(FacetClassList **out, FacetRuntime *rt,
                                       const FacetGuid *iid)
{
    FacetClassList *list;
    const FacetDeclared *d;
    FacetResult r = FACET_OK;
    uint32_t i;

    FACET_CHECK_ARG(out, "facet_classes_implementing");
    *out = NULL;
    FACET_CHECK_ARG(rt, "facet_classes_implementing");
    FACET_CHECK_ARG(iid, "facet_classes_implementing");
    list = facet__calloc(1, sizeof(*list));
    if (list == NULL)
        return facet__error(FACET_E_OUTOFMEMORY, "facet_classes_implementing: out of memory");
    facet__os_rwlock_rdlock(&rt->load_lock);
    for (d = rt->declared; d != NULL && FACET_SUCCEEDED(r); d = d->next) {
        /* a module that lost a claim to another is FACET_DECLARED_BROKEN */
        if (d->state != FACET_DECLARED_CHOSEN)
            continue;
        for (i = 0; i < d->mf->class_count && FACET_SUCCEEDED(r); i++)
            if (declares(&d->mf->classes[i], iid))
                r = add_match(list, d, i);
    }
    facet__os_rwlock_rdunlock(&rt->load_lock);
    if (FACET_FAILED(r)) {
        facet_class_list_free(list);
        return r;
    }
    if (list->count > 1)
        qsort(list->items, list->count, sizeof(*list->items), by_module);
    *out = list;
    return FACET_OK;
}

uint32_t facet_class_list_count(const FacetClassList *list)
{
    return list ? list->count : 0;
}

FacetResult facet_class_list_item(FacetClassMatch *out, const FacetClassList *list,
                                  uint32_t index)
{
    FACET_CHECK_ARG(out, "facet_class_list_item");
    FACET_CHECK_ARG(list, "facet_class_list_item");
    if (index >= list->count)
        return facet__error(FACET_E_INVALIDARG, "facet_class_list_item: index %u of %u",
                            (unsigned)index, (unsigned)list->count);
    return FACET_STRUCT_WRITE(out, &list->items[index].match, FacetClassMatch, FACET_CLASS_MATCH,
                              "facet_class_list_item");
}

void facet_class_list_free(FacetClassList *list)
{
    if (list == NULL)
        return;
    facet__free(list->items);
    facet__arena_free(&list->arena);
    facet__free(list);
}
