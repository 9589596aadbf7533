/*
 * core/remote/registry.c - which proxy/stub tables serve which IID.
 *
 * The tables of libfacet's own interfaces (facet.idl's, generated) are
 * built in; a registry adds those of the proxy/stub libraries (the
 * FacetPsLibrary of each X_ps.c) that the host names, with the file each
 * came from, so that the process host can load the same ones.
 */
#include <string.h>

#include "remote.h"

typedef struct PsEntry {
    FacetGuid iid;
    const FacetPsInterface *ps;
    const char *source;         /* the library's file, or its .idl's name */
    UT_hash_handle hh;
} PsEntry;

struct FacetPsRegistry {
    FacetOsRwlock lock;
    PsEntry *by_iid;
    uint32_t path_count, path_cap;
    const char **paths;         /* the files the child loads (facet__malloc) */
};

const FacetPsInterface *facet__ps_builtin(const FacetGuid *iid)
{
    uint32_t i;
    for (i = 0; i < facet_ps_facet.interface_count; i++)
        if (FacetGuidEqual(&facet_ps_facet.interfaces[i]->iid, iid))
            return facet_ps_facet.interfaces[i];
    return NULL;
}

FacetResult facet__ps_registry_new(FacetPsRegistry **out)
{
    FacetPsRegistry *r = facet__calloc(1, sizeof(*r));
    *out = NULL;
    if (r == NULL || FACET_FAILED(facet__os_rwlock_init(&r->lock))) {
        facet__free(r);
        return facet__error(FACET_E_OUTOFMEMORY, "out of memory for the proxy/stub registry");
    }
    *out = r;
    return FACET_OK;
}

void facet__ps_registry_free(FacetPsRegistry *r)
{
    PsEntry *e, *tmp;
    uint32_t i;
    if (r == NULL)
        return;
    HASH_ITER(hh, r->by_iid, e, tmp) {
        HASH_DELETE(hh, r->by_iid, e);
        facet__free(e);
    }
    for (i = 0; i < r->path_count; i++)
        facet__free((void *)r->paths[i]);
    facet__free((void *)r->paths);
    facet__os_rwlock_destroy(&r->lock);
    facet__free(r);
}

/* Whether the tables of lib can be read by this libfacet: their sizes and
 * version, each interface's slots and each method's parameter count. */
static FacetResult check_library(const FacetPsLibrary *lib, const char *where)
{
    uint32_t i, j;
    if (lib->struct_size < sizeof(FacetPsLibrary) || lib->version != FACET_PS_VERSION)
        return facet__error(FACET_E_ABIMISMATCH,
                            "%s: proxy/stub tables of version %u (struct_size %u); this libfacet "
                            "reads version %u: regenerate them with this facet-idl",
                            where, (unsigned)lib->version, (unsigned)lib->struct_size,
                            (unsigned)FACET_PS_VERSION);
    if (lib->interface_count > 0 && lib->interfaces == NULL)
        return facet__error(FACET_E_CONTRACT, "%s: %u interfaces and no table of them", where,
                            (unsigned)lib->interface_count);
    for (i = 0; i < lib->interface_count; i++) {
        const FacetPsInterface *ps = lib->interfaces[i];
        if (ps == NULL || ps->struct_size < sizeof(FacetPsInterface) || ps->method_count < 3 ||
            ps->method_count > 4096 || (ps->method_count > 3 && ps->methods == NULL) ||
            ps->proxy_vtbl == NULL || ps->stub == NULL || ps->name == NULL)
            return facet__error(FACET_E_CONTRACT, "%s: interface %u of %s has damaged tables",
                                where, (unsigned)i, lib->source ? lib->source : "?");
        for (j = 0; j + 3 < ps->method_count; j++) {
            const FacetPsMethod *m = &ps->methods[j];
            if (m->param_count > FACET_PS_MAX_PARAMS || (m->param_count && m->params == NULL) ||
                ((m->flags & FACET_PS_LINKS) && ps->links == NULL))
                return facet__error(FACET_E_CONTRACT, "%s: %s::%s has damaged tables", where,
                                    ps->name, m->name ? m->name : "?");
        }
    }
    return FACET_OK;
}

/* Adds path to the files the child loads; *kept is the registry's copy. */
static FacetResult add_path(FacetPsRegistry *r, const char *path, const char **kept)
{
    uint32_t i;
    char *copy;
    for (i = 0; i < r->path_count; i++)
        if (strcmp(r->paths[i], path) == 0) {
            *kept = r->paths[i];
            return FACET_OK;
        }
    if (r->path_count == r->path_cap) {
        uint32_t cap = r->path_cap ? r->path_cap * 2 : 4;
        const char **grown = facet__realloc((void *)r->paths, cap * sizeof(*grown));
        if (grown == NULL)
            return FACET_E_OUTOFMEMORY;
        r->paths = grown;
        r->path_cap = cap;
    }
    copy = facet__strdup(path);
    if (copy == NULL)
        return FACET_E_OUTOFMEMORY;
    r->paths[r->path_count++] = copy;
    *kept = copy;
    return FACET_OK;
}

FacetResult facet__ps_registry_add(FacetPsRegistry *r, const FacetPsLibrary *lib, const char *path)
{
    const char *where = path ? facet__path_basename(path) : lib->source ? lib->source : "tables";
    const char *kept = NULL;
    PsEntry *e, **added = NULL;
    FacetResult res = check_library(lib, where);
    uint32_t i, n = 0;
    char text[FACET_GUID_STRING_SIZE];
    if (FACET_FAILED(res))
        return res;
    if (lib->interface_count > 0) {
        added = facet__calloc(lib->interface_count, sizeof(*added));
        if (added == NULL)
            return facet__error(FACET_E_OUTOFMEMORY, "%s: out of memory registering proxy/stub "
                                                     "code",
                                where);
    }
    facet__os_rwlock_wrlock(&r->lock);
    /* every IID is checked before any is added: all or nothing */
    for (i = 0; i < lib->interface_count; i++) {
        const FacetPsInterface *ps = lib->interfaces[i];
        HASH_FIND(hh, r->by_iid, &ps->iid, sizeof(FacetGuid), e);
        if ((e != NULL && e->ps != ps) || facet__ps_builtin(&ps->iid) != NULL) {
            facet_guid_format(text, sizeof(text), &ps->iid);
            facet__os_rwlock_wrunlock(&r->lock);
            facet__free(added);
            return facet__error(FACET_E_CONFLICT,
                                "%s: interface %s %s already has proxy/stub code (%s)", where,
                                ps->name, text, e ? e->source : "libfacet's own");
        }
    }
    if (path != NULL) {
        if (FACET_FAILED(add_path(r, path, &kept)))
            goto oom;
        where = facet__path_basename(kept);
    }
    for (i = 0; i < lib->interface_count; i++) {
        const FacetPsInterface *ps = lib->interfaces[i];
        int oom;
        HASH_FIND(hh, r->by_iid, &ps->iid, sizeof(FacetGuid), e);
        if (e != NULL)
            continue; /* the same tables again */
        e = facet__calloc(1, sizeof(*e));
        if (e == NULL)
            goto oom;
        e->iid = ps->iid;
        e->ps = ps;
        e->source = where; /* the registry's copy of the path, or the tables' own */
        FACET_HASH_ADD(hh, r->by_iid, &e->iid, sizeof(FacetGuid), e, oom);
        if (oom) {
            facet__free(e);
            goto oom;
        }
        added[n++] = e;
    }
    facet__os_rwlock_wrunlock(&r->lock);
    facet__free(added);
    return FACET_OK;
oom:
    while (n > 0) {
        e = added[--n];
        HASH_DELETE(hh, r->by_iid, e);
        facet__free(e);
    }
    facet__os_rwlock_wrunlock(&r->lock);
    facet__free(added);
    return facet__error(FACET_E_OUTOFMEMORY, "%s: out of memory registering proxy/stub code", where);
}

const FacetPsInterface *facet__ps_registry_find(const FacetPsRegistry *r, const FacetGuid *iid)
{
    const FacetPsInterface *ps = facet__ps_builtin(iid);
    PsEntry *e;
    if (ps != NULL || r == NULL)
        return ps;
    facet__os_rwlock_rdlock((FacetOsRwlock *)(uintptr_t)&r->lock);
    HASH_FIND(hh, r->by_iid, iid, sizeof(FacetGuid), e);
    ps = e ? e->ps : NULL;
    facet__os_rwlock_rdunlock((FacetOsRwlock *)(uintptr_t)&r->lock);
    return ps;
}

uint32_t facet__ps_registry_paths(const FacetPsRegistry *r, const char ***out)
{
    *out = r ? r->paths : NULL;
    return r ? r->path_count : 0;
}

/* ---- The proxy/stub libraries this process loaded ------------------------- *
 *
 * Proxies and stubs serve every runtime of the process alike (an IID means
 * one interface everywhere), so the libraries the host loads are the
 * process's, and stay loaded until it ends. */

static FacetOsRwlock loaded_lock = FACET_OS_RWLOCK_INIT;
static FacetPsRegistry *loaded;

FacetResult facet_proxy_stubs_load(const char *path)
{
    FacetOsLibrary lib;
    FacetProxyStubsFn fn;
    const FacetPsLibrary *const *libs;
    uint32_t count = 0, i;
    char *real = NULL;
    void *sym;
    FacetResult r;

    FACET_CHECK_ARG(path, "facet_proxy_stubs_load");
    r = facet__os_realpath(&real, path);
    if (FACET_SUCCEEDED(r))
        r = facet__os_lib_open(&lib, real);
    if (FACET_FAILED(r)) {
        facet__free(real);
        return r;
    }
    sym = facet__os_lib_sym(lib, FACET_PROXY_STUBS_ENTRY_NAME);
    if (sym == NULL) {
        facet__os_lib_close(lib);
        r = facet__error(FACET_E_NOENTRY,
                         "%s: no symbol '" FACET_PROXY_STUBS_ENTRY_NAME "': a library of "
                         "proxies and stubs exports it with FACET_PROXY_STUBS_ENTRY",
                         real);
        facet__free(real);
        return r;
    }
    memcpy(&fn, &sym, sizeof(fn));
    libs = fn(&count);
    facet__os_rwlock_wrlock(&loaded_lock);
    if (loaded == NULL)
        r = facet__ps_registry_new(&loaded);
    for (i = 0; FACET_SUCCEEDED(r) && i < count; i++)
        r = libs == NULL || libs[i] == NULL
                ? facet__error(FACET_E_CONTRACT, "%s: " FACET_PROXY_STUBS_ENTRY_NAME
                                                 " returned a NULL table", real)
                : facet__ps_registry_add(loaded, libs[i], real);
    facet__os_rwlock_wrunlock(&loaded_lock);
    facet__free(real);
    /* the library stays loaded: its tables may be in use from here */
    return r;
}

const FacetPsInterface *facet__remote_find_ps(const FacetGuid *iid)
{
    const FacetPsInterface *ps;
    facet__os_rwlock_rdlock(&loaded_lock);
    ps = facet__ps_registry_find(loaded, iid);
    facet__os_rwlock_rdunlock(&loaded_lock);
    return ps;
}

void facet__remote_put_ps_paths(FacetMarshal *m)
{
    const char **paths;
    uint32_t count, i;
    facet__os_rwlock_rdlock(&loaded_lock);
    count = facet__ps_registry_paths(loaded, &paths);
    facet__wire_put_u32(m, count);
    for (i = 0; i < count; i++)
        facet__wire_put_string(m, paths[i]);
    facet__os_rwlock_rdunlock(&loaded_lock);
}

uint32_t facet__remote_ps_paths(const char ***out)
{
    const char **paths;
    uint32_t count;
    facet__os_rwlock_rdlock(&loaded_lock);
    count = facet__ps_registry_paths(loaded, &paths);
    *out = facet__calloc(count ? count : 1, sizeof(**out));
    if (*out == NULL)
        count = 0;
    else if (count > 0)
        memcpy((void *)*out, paths, count * sizeof(**out));
    facet__os_rwlock_rdunlock(&loaded_lock);
    return count;
}
