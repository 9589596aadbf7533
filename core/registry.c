/*
 * core/registry.c - the class tables: clsid -> class and contract name ->
 * class, both uthash tables over the same entries. The caller holds
 * rt->lock: the write side to add or remove, the read side to find.
 */
#include <string.h>

#include "internal.h"

FACET_THREAD_LOCAL int facet__hash_oom;

/* What a message calls the owner of an entry: its module file, or the
 * manifest that declared it. */
static const char *owner(const FacetClassEntry *e)
{
    if (e->module != NULL)
        return facet__basename(e->module->path);
    return e->declared != NULL ? facet__basename(e->declared->mf->path) : "?";
}

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
                        "%s: class %s (\"%s\") has the same %s as a class of %s, already %s",
                        owner(want), clsid, want->contract ? want->contract : "", what,
                        owner(have), have->module ? "loaded" : "scanned");
}

void facet__registry_remove(FacetRuntime *rt, FacetClassEntry *entries, uint32_t count)
{
    uint32_t i;
    for (i = 0; i < count; i++) {
        FacetClassEntry *e = &entries[i], *found = NULL;
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

FacetResult facet__registry_add(FacetRuntime *rt, FacetClassEntry *entries, uint32_t count)
{
    uint32_t i;
    int oom;
    for (i = 0; i < count; i++) {
        FacetClassEntry *e = &entries[i], *found = NULL;
        HASH_FIND(hh_clsid, rt->by_clsid, &e->clsid, sizeof(FacetGuid), found);
        if (found != NULL) {
            FacetResult r = conflict(found, e, "clsid");
            facet__registry_remove(rt, entries, i);
            return r;
        }
        FACET_HASH_ADD(hh_clsid, rt->by_clsid, &e->clsid, sizeof(FacetGuid), e, oom);
        if (oom)
            goto oom;
        if (e->contract == NULL || e->contract[0] == '\0')
            continue;
        found = NULL;
        HASH_FIND(hh_name, rt->by_name, e->contract, strlen(e->contract), found);
        if (found != NULL) {
            FacetResult r = conflict(found, e, "contract name");
            facet__registry_remove(rt, entries, i + 1);
            return r;
        }
        FACET_HASH_ADD(hh_name, rt->by_name, e->contract, strlen(e->contract), e, oom);
        if (oom)
            goto oom;
    }
    return FACET_OK;
oom:
    facet__registry_remove(rt, entries, i + 1);
    return facet__error(FACET_E_OUTOFMEMORY, "%s: out of memory registering its classes",
                        owner(&entries[i]));
}

void facet__registry_remove_module(FacetRuntime *rt, FacetModule *m)
{
    facet__registry_remove(rt, m->classes, m->class_count);
}

FacetResult facet__registry_add_module(FacetRuntime *rt, FacetModule *m)
{
    return facet__registry_add(rt, m->classes, m->class_count);
}

void facet__registry_clear(FacetRuntime *rt)
{
    HASH_CLEAR(hh_clsid, rt->by_clsid);
    HASH_CLEAR(hh_name, rt->by_name);
}

FacetClassEntry *facet__registry_find_clsid(FacetRuntime *rt, const FacetGuid *clsid)
{
    FacetClassEntry *found = NULL;
    HASH_FIND(hh_clsid, rt->by_clsid, clsid, sizeof(FacetGuid), found);
    return found;
}

FacetClassEntry *facet__registry_find_name_hashed(FacetRuntime *rt, const char *name, size_t len,
                                                  unsigned hash)
{
    FacetClassEntry *found = NULL;
    HASH_FIND_BYHASHVALUE(hh_name, rt->by_name, name, len, hash, found);
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
