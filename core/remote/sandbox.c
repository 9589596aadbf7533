/*
 * core/remote/sandbox.c - the policy of a process-isolated module, as the
 * host computes it: what the module's manifest requests and the host's
 * configuration grants, with every path resolved as the system will see
 * it, the files the child must read to load the module, and its limits
 * (docs/isolation.md). facet-host enforces it (sandbox.h).
 *
 * A requested right is given when a grant covers it once both paths are
 * resolved: a symbolic link under a granted folder that leads out of it
 * is outside it. A right that is not granted is left out with a log line;
 * the module still loads, without it.
 */
#include <stdio.h>
#include <string.h>

#include "remote.h"
#include "sandbox.h"

typedef struct List {
    char **items;
    size_t count, cap;
} List;

static FacetResult list_add(List *l, char *s)
{
    size_t i;
    if (s == NULL)
        return facet__error(FACET_E_OUTOFMEMORY, "sandbox policy: out of memory");
    for (i = 0; i < l->count; i++)
        if (strcmp(l->items[i], s) == 0) {
            facet__free(s);
            return FACET_OK;
        }
    if (l->count == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 8;
        char **items = facet__realloc(l->items, cap * sizeof(char *));
        if (items == NULL) {
            facet__free(s);
            return facet__error(FACET_E_OUTOFMEMORY, "sandbox policy: out of memory");
        }
        l->items = items;
        l->cap = cap;
    }
    l->items[l->count++] = s;
    return FACET_OK;
}

/* path as the system resolves it: its links followed, made absolute. A
 * path that does not exist yet (a file fs.write may create) is its
 * nearest existing folder resolved, with the rest as written. */
static char *resolve(const char *path)
{
    char *real = NULL, *parent, *joined;
    const char *base;
    if (FACET_SUCCEEDED(facet__os_realpath(&real, path)))
        return real;
    base = facet__path_basename(path);
    parent = facet__path_dirname(path);
    if (parent == NULL)
        return NULL;
    if (*base == '\0' || strcmp(parent, path) == 0 || strcmp(base, "..") == 0) {
        facet__free(parent);
        return facet__strdup(path);
    }
    real = resolve(parent);
    facet__free(parent);
    if (real == NULL)
        return NULL;
    joined = facet__path_join(real, base);
    facet__free(real);
    if (joined != NULL)
        facet__path_normalize(joined);
    return joined;
}

/* "kind:" and the resolved path of an fs permission, from facet__malloc. */
static char *resolved_right(const FacetPermission *pm, const char *kind)
{
    char *path = facet__malloc(pm->arg_len + 1), *real, *out = NULL;
    size_t kn = strlen(kind);
    if (path == NULL)
        return NULL;
    memcpy(path, pm->arg, pm->arg_len + 1);
    facet__path_normalize(path);
    real = resolve(path);
    facet__free(path);
    if (real != NULL && (out = facet__malloc(kn + strlen(real) + 2)) != NULL)
        snprintf(out, kn + strlen(real) + 2, "%s:%s", kind, real);
    facet__free(real);
    return out;
}

/* Whether one of the grants covers the request (fs rights compared once
 * both are resolved). */
static int granted(const FacetModuleConfig *mc, const char *request, const char *resolved)
{
    uint32_t i;
    for (i = 0; mc != NULL && i < mc->grant_count; i++) {
        FacetPermission g;
        char *rg;
        int covers;
        if (!facet__permission_parse(&g, mc->grants[i], NULL, 0))
            continue;
        if (resolved == NULL || (g.kind != FACET_PERMISSION_FS_READ &&
                                 g.kind != FACET_PERMISSION_FS_WRITE)) {
            if (facet__permission_covers(mc->grants[i], request))
                return 1;
            continue;
        }
        rg = resolved_right(&g, g.kind == FACET_PERMISSION_FS_WRITE ? "fs.write" : "fs.read");
        covers = rg != NULL && facet__permission_covers(rg, resolved);
        facet__free(rg);
        if (covers)
            return 1;
    }
    return 0;
}

static FacetResult add_net(FacetSandboxPolicy *p, const FacetPermission *pm)
{
    FacetNetGrant *c;
    size_t i;
    for (i = 0; i < p->connect_count; i++)
        if (p->connect[i].port == pm->port && strlen(p->connect[i].host) == pm->arg_len &&
            memcmp(p->connect[i].host, pm->arg, pm->arg_len) == 0)
            return FACET_OK;
    c = facet__realloc(p->connect, (p->connect_count + 1) * sizeof(*c));
    if (c == NULL)
        return facet__error(FACET_E_OUTOFMEMORY, "sandbox policy: out of memory");
    p->connect = c;
    c += p->connect_count;
    c->host = facet__malloc(pm->arg_len + 1);
    if (c->host == NULL)
        return facet__error(FACET_E_OUTOFMEMORY, "sandbox policy: out of memory");
    for (i = 0; i < pm->arg_len; i++)
        c->host[i] = pm->arg[i] >= 'A' && pm->arg[i] <= 'Z' ? (char)(pm->arg[i] + 32) : pm->arg[i];
    c->host[pm->arg_len] = '\0';
    c->port = (uint16_t)pm->port;
    p->connect_count++;
    return FACET_OK;
}

/* One requested permission of the manifest: into the policy if granted. */
static FacetResult add_request(FacetSandboxPolicy *p, FacetRuntime *rt, const char *name,
                               const FacetModuleConfig *mc, const char *request, List *read,
                               List *write, List *denied)
{
    FacetPermission pm;
    char *resolved = NULL;
    FacetResult r = FACET_OK;
    if (!facet__permission_parse(&pm, request, NULL, 0))
        return FACET_OK;
    if (pm.kind == FACET_PERMISSION_FS_READ || pm.kind == FACET_PERMISSION_FS_WRITE) {
        resolved = resolved_right(&pm, pm.kind == FACET_PERMISSION_FS_WRITE ? "fs.write"
                                                                             : "fs.read");
        if (resolved == NULL)
            return facet__error(FACET_E_OUTOFMEMORY, "sandbox policy: out of memory");
    }
    if (!granted(mc, request, resolved)) {
        /* A path that resolves elsewhere says where: a link may be why. */
        const char *real = resolved != NULL ? strchr(resolved, ':') + 1 : NULL;
        int moved = real != NULL && strcmp(real, pm.arg) != 0;
        facet__runtime_log(rt, FACET_LOG_WARN, name,
                           "module %s requests \"%s\"%s%s%s, which the host configuration does "
                           "not grant (modules.\"%s\".permissions): it runs without it",
                           name, request, moved ? " (resolved: " : "", moved ? real : "",
                           moved ? ")" : "", name);
        r = list_add(denied, facet__strdup(request));
    } else if (pm.kind == FACET_PERMISSION_PLAIN) {
        /* a host service's: its service checks it when asked for */
    } else if (pm.kind == FACET_PERMISSION_NET_CONNECT) {
        r = add_net(p, &pm);
    } else {
        const char *path = strchr(resolved, ':') + 1;
        r = list_add(read, facet__strdup(path));
        if (FACET_SUCCEEDED(r) && pm.kind == FACET_PERMISSION_FS_WRITE)
            r = list_add(write, facet__strdup(path));
    }
    facet__free(resolved);
    return r;
}

#if defined(__linux__) || defined(_WIN32)
static FacetResult add_ps_paths(List *files)
{
    char **paths = NULL;
    uint32_t count = 0, i;
    FacetResult r = facet__remote_ps_paths(&paths, &count);
    for (i = 0; i < count; i++) {
        if (FACET_SUCCEEDED(r))
            r = list_add(files, paths[i]);
        else
            facet__free(paths[i]);
    }
    facet__free(paths);
    return r;
}
#endif

FacetResult facet__sandbox_policy(FacetRuntime *rt, const char *name, const FacetManifest *mf,
                                  const char *library, FacetSandboxPolicy **out)
{
    FacetSandboxPolicy *p;
    const FacetModuleConfig *mc;
    List files = {NULL, 0, 0}, read = {NULL, 0, 0}, write = {NULL, 0, 0}, denied = {NULL, 0, 0};
    uint32_t i;
    FacetResult r = FACET_OK;

    if (out == NULL || rt == NULL || name == NULL)
        return facet__error(FACET_E_POINTER, "facet__sandbox_policy: %s is NULL",
                            out == NULL ? "out" : rt == NULL ? "rt" : "name");
    *out = NULL;
    p = facet__calloc(1, sizeof(*p));
    if (p == NULL || (p->module = facet__strdup(name)) == NULL) {
        facet__sandbox_policy_free(p);
        return facet__error(FACET_E_OUTOFMEMORY, "sandbox policy of %s: out of memory", name);
    }
    mc = facet__config_module(rt->config, name);
    if (mc != NULL) {
        p->limits.memory_mb = mc->limits.memory_mb;
        p->limits.open_files = mc->limits.open_files;
        p->limits.cpu_seconds = mc->limits.cpu_seconds;
    }
    if (library != NULL) {
        r = facet__os_realpath(&p->library, library);
    } else if (mf != NULL && mf->library != NULL) {
        r = facet__manifest_library_path(&p->library, mf);
    }
    if (FACET_SUCCEEDED(r) && mf != NULL && mf->path != NULL) {
        char *real = NULL;
        r = facet__os_realpath(&real, mf->path);
        if (FACET_SUCCEEDED(r))
            r = list_add(&files, real);
    }
#if defined(__linux__) || defined(_WIN32)
    if (FACET_SUCCEEDED(r))
        r = add_ps_paths(&files);
#endif
    for (i = 0; FACET_SUCCEEDED(r) && mf != NULL && i < mf->permission_count; i++)
        r = add_request(p, rt, name, mc, mf->permissions[i], &read, &write, &denied);
    p->files = files.items;
    p->file_count = files.count;
    p->read = read.items;
    p->read_count = read.count;
    p->write = write.items;
    p->write_count = write.count;
    p->denied = denied.items;
    p->denied_count = denied.count;
    if (FACET_FAILED(r)) {
        facet__sandbox_policy_free(p);
        return r;
    }
    *out = p;
    return FACET_OK;
}
