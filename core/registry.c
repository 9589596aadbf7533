/*
 * core/registry.c - the class tables: clsid -> class and contract name ->
 * class, both uthash tables over the same entries. The caller holds
 * rt->lock: the write side to add or remove, the read side to find.
 */
#include <string.h>

#include "internal.h"

int facet__hash_oom;

static FacetResult conflict(FacetClassEntry *have, FacetClassEntry *want, const char *what)
{
    char clsid[FACET_GUID_STRING_SIZE];
    facet_guid_format(clsid, sizeof(clsid), &want->clsid);
    if (have->module == want->module)
        return facet__error(FACET_E_CONTRACT,
                            "%s: classes %u and %u have the same %s (class %s, \"%s\"); each "
                            "class of a module needs its own",
                            facet__basename(want->module->path),
                            (unsigned)(have - want->module->classes),
                            (unsigned)(want - want->module->classes), what, clsid,
                            want->contract ? want->contract : "");
    return facet__error(FACET_E_CONFLICT,
                        "%s: class %s (\"%s\") has the same %s as a class of %s, already loaded",
                        facet__basename(want->module->path), clsid,
                        want->contract ? want->contract : "", what,
                        facet__basename(have->module->path));
}

void facet__registry_remove_module(FacetRuntime *rt, FacetModule *m)
{
    uint32_t i;
    for (i = 0; i < m->class_count; i++) {
        FacetClassEntry *e = &m->classes[i], *found = NULL;
        HASH_FIND(hh_clsid, rt->by_clsid, &e->clsid, sizeof(FacetGuid), found);
        if (found == e)
            HASH_DELETE(hh_clsid, rt->by_clsid, e);
        if (e->contract != NULL) {
            found = NULL;
            HASH_FIND(hh_name, rt->by_name, e->contract, strlen(e->contract), found);
            if (found == e)
                HASH_DELETE(hh_name, rt->by_name, e);
        }
    }
}

FacetResult facet__registry_add_module(FacetRuntime *rt, FacetModule *m)
{
    uint32_t i;
    for (i = 0; i < m->class_count; i++) {
        FacetClassEntry *e = &m->classes[i], *found = NULL;
        HASH_FIND(hh_clsid, rt->by_clsid, &e->clsid, sizeof(FacetGuid), found);
        if (found != NULL) {
            FacetResult r = conflict(found, e, "clsid");
            facet__registry_remove_module(rt, m);
            return r;
        }
        facet__hash_oom = 0;
        HASH_ADD(hh_clsid, rt->by_clsid, clsid, sizeof(FacetGuid), e);
        if (facet__hash_oom)
            goto oom;
        if (e->contract == NULL || e->contract[0] == '\0')
            continue;
        found = NULL;
        HASH_FIND(hh_name, rt->by_name, e->contract, strlen(e->contract), found);
        if (found != NULL) {
            FacetResult r = conflict(found, e, "contract name");
            facet__registry_remove_module(rt, m);
            return r;
        }
        HASH_ADD_KEYPTR(hh_name, rt->by_name, e->contract, strlen(e->contract), e);
        if (facet__hash_oom)
            goto oom;
    }
    return FACET_OK;
oom:
    facet__registry_remove_module(rt, m);
    return facet__error(FACET_E_OUTOFMEMORY, "%s: out of memory registering its classes",
                        facet__basename(m->path));
}

FacetClassEntry *facet__registry_find_clsid(FacetRuntime *rt, const FacetGuid *clsid)
{
    FacetClassEntry *found = NULL;
    HASH_FIND(hh_clsid, rt->by_clsid, clsid, sizeof(FacetGuid), found);
    return found;
}

FacetClassEntry *facet__registry_find_name(FacetRuntime *rt, const char *name)
{
    FacetClassEntry *found = NULL;
    HASH_FIND(hh_name, rt->by_name, name, strlen(name), found);
    return found;
}

uint32_t facet__registry_count(FacetRuntime *rt)
{
    return HASH_CNT(hh_clsid, rt->by_clsid);
}
