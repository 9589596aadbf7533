/*
 * core/runtime/registry.c - the class tables: clsid -> class and contract name ->
 * class, both uthash tables over the same entries. The caller holds
 * rt->lock: the write side to add or remove, the read side to find.
 */
#include <stdio.h>
#include <string.h>

#include "runtime.h"

/* The manifest an entry comes from (it was scanned, or its module loaded
 * from one), or NULL for a module loaded by path. */
static const FacetManifest *owner_manifest(const FacetClassEntry *e)
{
    if (e->manifest != NULL)
        return e->manifest;
    return e->module != NULL ? e->module->manifest : NULL;
}

/* What a message calls the module of an entry, and its file: the manifest,
 * or the library of a module loaded by path. */
static const char *owner_name(const FacetClassEntry *e)
{
    const FacetManifest *mf = owner_manifest(e);
    if (mf != NULL)
        return mf->name;
    return e->module->info.name ? e->module->info.name : "?";
}

static const char *owner_file(const FacetClassEntry *e)
{
    const FacetManifest *mf = owner_manifest(e);
    return mf != NULL ? mf->path : e->module->path;
}

/* want, about to be registered, has have's clsid or contract name: what it
 * is called in a message, and field, its manifest field. */
static FacetResult conflict(FacetClassEntry *have, FacetClassEntry *want, const char *what,
                            const char *field)
{
    char clsid[FACET_GUID_STRING_SIZE], advice[512];
    const char *contract = want->contract ? want->contract : "", *want_is;

    facet_guid_format(clsid, sizeof(clsid), &want->clsid);
    if (have->module == want->module && have->declared == want->declared) {
        /* Two classes of one module: its own fault, not a conflict. */
        if (want->module == NULL) {
            char at[64];
            snprintf(at, sizeof(at), "$.classes[%u].%s", (unsigned)want->index, field);
            return facet__manifest_error_at(want->manifest, at, FACET_E_BADMANIFEST,
                                            "the same %s as classes[%u]; each class of a "
                                            "module needs its own",
                                            what, (unsigned)have->index);
        }
        return facet__error(FACET_E_CONTRACT,
                            "%s: classes %u and %u have the same %s (class %s, \"%s\"); each "
                            "class of a module needs its own",
                            facet__path_basename(want->module->path),
                            (unsigned)(have - want->module->classes),
                            (unsigned)(want - want->module->classes), what, clsid, contract);
    }
    /* The first claim stands. Say how to choose the other module. */
    want_is = owner_manifest(want) != NULL ? owner_name(want) : owner_file(want);
    if (owner_manifest(have) != NULL)
        snprintf(advice, sizeof(advice),
                 "to use %s instead, disable %s in facet.conf.json (\"disable\": [\"%s\"])",
                 want_is, owner_name(have), owner_name(have));
    else
        snprintf(advice, sizeof(advice),
                 "to use %s instead, unload %s (facet_module_unload) and load or scan again",
                 want_is, have->module->path);
    return facet__error(FACET_E_CONFLICT,
                        "%s: module %s is not registered: its class %s (\"%s\") has the same %s "
                        "as a class of module %s (%s), which claimed it first (%s); %s",
                        owner_file(want), owner_name(want), clsid, contract, what,
                        owner_name(have), owner_file(have), have->module ? "loaded" : "scanned",
                        advice);
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
            FacetResult r = conflict(found, e, "clsid", "clsid");
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
            FacetResult r = conflict(found, e, "contract name", "contract");
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
                        owner_file(&entries[i]));
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

uint32_t facet__registry_count(FacetRuntime *rt)
{
    return HASH_CNT(hh_clsid, rt->by_clsid);
}
