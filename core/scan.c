/*
 * core/scan.c - reading a plugin folder's manifests without loading code,
 * choosing one version of each module, and loading a module's code the
 * first time one of its classes is created.
 *
 * A scanned module is a FacetDeclared. The chosen version of each module has
 * "lazy" entries in the class tables: entries without a module. Creating
 * one of them loads the library (facet__declared_load), checks it against
 * the manifest, and swaps the lazy entries for the module's own.
 *
 * Locks: scanning and loading hold load_lock for writing (rt->declared
 * changes only under it); the class tables change under rt->lock.
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"

#define MANIFEST_SUFFIX ".facet.json"

struct FacetScanReport {
    FacetArena arena;
    uint32_t module_count, module_cap;
    FacetScanModule *modules;
    uint32_t problem_count, problem_cap;
    FacetScanProblem *problems;
};

static FacetResult report_new(FacetScanReport **out)
{
    *out = facet__calloc(1, sizeof(**out));
    return *out ? FACET_OK : facet__error(FACET_E_OUTOFMEMORY, "facet_scan: out of memory");
}

static int grow(void **items, uint32_t *cap, uint32_t count, size_t size)
{
    void *p;
    uint32_t n;
    if (count < *cap)
        return 1;
    n = *cap ? *cap * 2 : 16;
    p = facet__realloc(*items, n * size);
    if (p == NULL)
        return 0;
    *items = p;
    *cap = n;
    return 1;
}

/* Records the last error as a problem with path; keeps going on OOM (the
 * problem is then lost, never the scan). */
static void add_problem(FacetScanReport *rep, FacetResult code, const char *path,
                        const char *message)
{
    FacetScanProblem *pr;
    if (rep == NULL || !grow((void **)&rep->problems, &rep->problem_cap, rep->problem_count,
                             sizeof(FacetScanProblem)))
        return;
    pr = &rep->problems[rep->problem_count];
    pr->struct_size = sizeof(*pr);
    pr->code = code;
    pr->path = facet__arena_strdup(&rep->arena, path);
    pr->message = facet__arena_strdup(&rep->arena, message);
    if (pr->path != NULL && pr->message != NULL)
        rep->problem_count++;
}

static void add_module(FacetScanReport *rep, const FacetDeclared *d)
{
    FacetScanModule *m;
    if (rep == NULL || !grow((void **)&rep->modules, &rep->module_cap, rep->module_count,
                             sizeof(FacetScanModule)))
        return;
    m = &rep->modules[rep->module_count];
    m->struct_size = sizeof(*m);
    m->manifest = facet__arena_strdup(&rep->arena, d->mf->path);
    m->name = facet__arena_strdup(&rep->arena, d->mf->name);
    m->version = facet__arena_strdup(&rep->arena, d->mf->version);
    m->state = d->state == FACET_DECLARED_CHOSEN     ? FACET_SCAN_AVAILABLE
               : d->state == FACET_DECLARED_DISABLED ? FACET_SCAN_DISABLED
               : d->state == FACET_DECLARED_BROKEN   ? FACET_SCAN_BROKEN
                                                     : FACET_SCAN_SHADOWED;
    if (m->manifest != NULL && m->name != NULL && m->version != NULL)
        rep->module_count++;
}

void facet_scan_report_free(FacetScanReport *rep)
{
    if (rep == NULL)
        return;
    facet__free(rep->modules);
    facet__free(rep->problems);
    facet__arena_free(&rep->arena);
    facet__free(rep);
}

uint32_t facet_scan_report_module_count(const FacetScanReport *rep)
{
    return rep ? rep->module_count : 0;
}

uint32_t facet_scan_report_problem_count(const FacetScanReport *rep)
{
    return rep ? rep->problem_count : 0;
}

FacetResult facet_scan_report_module(FacetScanModule *out, const FacetScanReport *rep,
                                     uint32_t index)
{
    FACET_CHECK_ARG(out, "facet_scan_report_module");
    FACET_CHECK_ARG(rep, "facet_scan_report_module");
    if (index >= rep->module_count)
        return facet__error(FACET_E_INVALIDARG, "facet_scan_report_module: index %u of %u",
                            (unsigned)index, (unsigned)rep->module_count);
    return FACET_STRUCT_WRITE(out, &rep->modules[index], FacetScanModule, FACET_SCAN_MODULE,
                              "facet_scan_report_module");
}

FacetResult facet_scan_report_problem(FacetScanProblem *out, const FacetScanReport *rep,
                                      uint32_t index)
{
    FACET_CHECK_ARG(out, "facet_scan_report_problem");
    FACET_CHECK_ARG(rep, "facet_scan_report_problem");
    if (index >= rep->problem_count)
        return facet__error(FACET_E_INVALIDARG, "facet_scan_report_problem: index %u of %u",
                            (unsigned)index, (unsigned)rep->problem_count);
    return FACET_STRUCT_WRITE(out, &rep->problems[index], FacetScanProblem, FACET_SCAN_PROBLEM,
                              "facet_scan_report_problem");
}

/* ---- Declared modules -------------------------------------------------- */

/* d, its lazy entries and its manifest live in rt->manifests. */
static void declared_free(FacetDeclared *d)
{
    facet__free(d->message);
}

void facet__declared_free_all(FacetRuntime *rt)
{
    FacetDeclared *d, *next;
    HASH_CLEAR(hh, rt->declared_names);
    for (d = rt->declared; d != NULL; d = next) {
        next = d->next;
        declared_free(d);
    }
    rt->declared = NULL;
    facet__arena_free(&rt->manifests);
}

static FacetResult declared_new(FacetDeclared **out, FacetArena *arena, FacetManifest *mf)
{
    FacetDeclared *d = facet__arena_alloc(arena, sizeof(*d));
    uint32_t i;
    *out = NULL;
    if (d != NULL) {
        memset(d, 0, sizeof(*d));
        d->lazy = facet__arena_alloc(arena, sizeof(FacetClassEntry) * (mf->class_count + 1));
    }
    if (d == NULL || d->lazy == NULL)
        return facet__error(FACET_E_OUTOFMEMORY, "%s: out of memory", mf->path);
    memset(d->lazy, 0, sizeof(FacetClassEntry) * mf->class_count);
    for (i = 0; i < mf->class_count; i++) {
        FacetClassEntry *e = &d->lazy[i];
        e->clsid = mf->classes[i].clsid;
        e->contract = mf->classes[i].contract;
        e->version = mf->classes[i].version ? mf->classes[i].version : mf->version;
        e->threading = mf->classes[i].threading == UINT32_MAX ? 0 : mf->classes[i].threading;
        e->declared = d;
    }
    d->mf = mf;
    *out = d;
    return FACET_OK;
}

/* Marks d broken with the current error, a problem of its own. */
static void set_broken(FacetDeclared *d, FacetResult code)
{
    char *message = facet__strdup(facet_last_error());
    facet__free(d->message);
    d->message = message;
    d->error = code;
    d->cause = NULL;
    d->state = FACET_DECLARED_BROKEN;
}

/* ---- Choosing versions ------------------------------------------------- *
 *
 * Over rt->declared_names: each entry heads one module name, and its `top`
 * chain lists the versions, highest first. A pass gathers the requirements
 * of every chosen version into one array (linked per required module
 * through con_head/next) and chooses again; passes repeat until nothing
 * changes. Nothing is allocated per module. */

typedef struct Constraint {
    FacetDeclared *by;
    const char *range;
    uint32_t next;              /* index + 1 of the next on the same module */
} Constraint;

typedef struct Constraints {
    Constraint *items;
    uint32_t count, cap;
} Constraints;

static int usable(const FacetDeclared *v)
{
    return v->state != FACET_DECLARED_DISABLED;
}

static int satisfies(const FacetDeclared *v, const char *range)
{
    FacetVersionRange rg;
    return FACET_SUCCEEDED(facet__range_parse(&rg, range)) && facet__range_satisfied(&rg, &v->mf->semver);
}

static void versions_text(char *buf, size_t size, const FacetDeclared *head)
{
    size_t used = 0;
    const FacetDeclared *v;
    buf[0] = '\0';
    for (v = head->top; v != NULL && used < size; v = v->lower) {
        int n;
        if (!usable(v))
            continue;
        n = snprintf(buf + used, size - used, "%s%s", used ? ", " : "", v->mf->version);
        used += n > 0 ? (size_t)n : 0;
    }
}

#define EACH_CON(cs, head, c) \
    for ((c) = (head)->con_head ? &(cs)->items[(head)->con_head - 1] : NULL; (c) != NULL; \
         (c) = (c)->next ? &(cs)->items[(c)->next - 1] : NULL)

/* Some version of head satisfies both ranges (b NULL: a alone). */
static int any_satisfies(const FacetDeclared *head, const char *a, const char *b)
{
    const FacetDeclared *v;
    for (v = head->top; v != NULL; v = v->lower)
        if (usable(v) && satisfies(v, a) && (b == NULL || satisfies(v, b)))
            return 1;
    return 0;
}

/* No version of head satisfies all of its constraints: mark the requirers
 * that disagree broken, naming both of a conflicting pair. */
static void conflict(Constraints *cs, FacetDeclared *head)
{
    char have[256];
    Constraint *a, *b;
    unsigned n = 0;
    versions_text(have, sizeof(have), head);
    EACH_CON(cs, head, a) {
        if (!any_satisfies(head, a->range, NULL)) {
            facet__error(FACET_E_VERSION, "%s: %s requires %s %s, but the versions found are %s",
                         a->by->mf->path, a->by->mf->name, head->mf->name, a->range, have);
            set_broken(a->by, FACET_E_VERSION);
            return;
        }
    }
    EACH_CON(cs, head, a) {
        n++;
        for (b = a->next ? &cs->items[a->next - 1] : NULL; b != NULL;
             b = b->next ? &cs->items[b->next - 1] : NULL)
            if (!any_satisfies(head, a->range, b->range)) {
                /* the list runs newest first: name the earlier one first */
                facet__error(FACET_E_VERSION,
                             "version conflict over %s: %s requires %s and %s requires %s; no "
                             "version found (%s) satisfies both",
                             head->mf->name, b->by->mf->name, b->range, a->by->mf->name, a->range,
                             have);
                set_broken(a->by, FACET_E_VERSION);
                set_broken(b->by, FACET_E_VERSION);
                return;
            }
    }
    facet__error(FACET_E_VERSION,
                 "version conflict over %s: no version found (%s) satisfies all of its %u "
                 "requirements together",
                 head->mf->name, have, n);
    EACH_CON(cs, head, a) {
        set_broken(a->by, FACET_E_VERSION);
    }
}

static FacetResult add_constraint(Constraints *cs, FacetDeclared *head, FacetDeclared *by,
                                  const char *range)
{
    Constraint *c;
    if (!grow((void **)&cs->items, &cs->cap, cs->count, sizeof(Constraint)))
        return facet__error(FACET_E_OUTOFMEMORY, "facet_scan: out of memory choosing versions");
    c = &cs->items[cs->count++];
    c->by = by;
    c->range = range;
    c->next = head->con_head;
    head->con_head = cs->count;
    return FACET_OK;
}

/* Gathers the constraints of the chosen versions; marks broken those that
 * require a module nobody provides. */
static FacetResult gather(FacetRuntime *rt, Constraints *cs, int *changed)
{
    FacetDeclared *h, *tmp, *g;
    uint32_t i;
    FacetResult r;
    cs->count = 0;
    HASH_ITER(hh, rt->declared_names, h, tmp) {
        h->con_head = 0;
    }
    HASH_ITER(hh, rt->declared_names, h, tmp) {
        FacetDeclared *c = h->pick;
        if (c == NULL || c->state == FACET_DECLARED_BROKEN)
            continue;
        for (i = 0; i < c->mf->require_count; i++) {
            const FacetManifestRequire *rq = &c->mf->requires[i];
            HASH_FIND(hh, rt->declared_names, rq->name, strlen(rq->name), g);
            if (g == NULL || g->pick == NULL) {
                facet__error(FACET_E_NOTFOUND,
                             "%s: %s requires %s %s, which no scanned manifest provides (or the "
                             "configuration disables it)",
                             c->mf->path, c->mf->name, rq->name, rq->range);
                set_broken(c, FACET_E_NOTFOUND);
                *changed = 1;
                break;
            }
            r = add_constraint(cs, g, c, rq->range);
            if (FACET_FAILED(r))
                return r;
        }
    }
    return FACET_OK;
}

/* One pass: gathers the constraints and chooses again. */
static FacetResult resolve_pass(FacetRuntime *rt, Constraints *cs, int *changed)
{
    FacetDeclared *g, *tmp, *v, *best;
    Constraint *c;
    FacetResult r = gather(rt, cs, changed);
    if (FACET_FAILED(r))
        return r;
    HASH_ITER(hh, rt->declared_names, g, tmp) {
        if (g->pick == NULL)
            continue;
        best = NULL;
        for (v = g->top; v != NULL && best == NULL; v = v->lower) {
            if (!usable(v) || (g->pinned && v != g->pick))
                continue;
            EACH_CON(cs, g, c) {
                if (c->by->state != FACET_DECLARED_BROKEN && !satisfies(v, c->range))
                    break;
            }
            if (c == NULL)
                best = v;
        }
        if (best == NULL) {
            conflict(cs, g);
            *changed = 1;
            continue;
        }
        if (best != g->pick) {
            g->pick = best;
            *changed = 1;
        }
        /* A requirer of a broken module is broken too. Its message names
         * the root cause first, whole, however long the chain down to it. */
        if (best->state == FACET_DECLARED_BROKEN)
            EACH_CON(cs, g, c) {
                if (c->by->state != FACET_DECLARED_BROKEN) {
                    FacetDeclared *root = best->cause ? best->cause : best;
                    if (root == best)
                        facet__error(best->error, "%s: %s requires %s, which cannot be used: %s",
                                     c->by->mf->path, c->by->mf->name, g->mf->name,
                                     best->message ? best->message : "");
                    else
                        facet__error(best->error,
                                     "%s: %s requires %s, which cannot be used because %s, "
                                     "further down its requirements, cannot: %s",
                                     c->by->mf->path, c->by->mf->name, g->mf->name,
                                     root->mf->name, root->message ? root->message : "");
                    set_broken(c->by, best->error);
                    c->by->cause = root;
                    *changed = 1;
                }
            }
    }
    return FACET_OK;
}

static void unregister(FacetRuntime *rt, FacetDeclared *d)
{
    if (!d->registered || d->module != NULL)
        return;
    facet__os_rwlock_wrlock(&rt->lock);
    facet__registry_remove(rt, d->lazy, d->mf->class_count);
    facet__os_rwlock_wrunlock(&rt->lock);
    d->registered = 0;
}

/* Chooses a version of every module and (re)registers lazy entries. The
 * caller holds load_lock. */
static FacetResult resolve(FacetRuntime *rt)
{
    FacetDeclared *d, *h, *tmp, *v;
    Constraints cs = {NULL, 0, 0};
    FacetResult r = FACET_OK;
    uint32_t rounds = 0, heads = HASH_COUNT(rt->declared_names);
    int changed;

    for (d = rt->declared; d != NULL; d = d->next) {
        if (d->module != NULL)
            continue; /* loaded: stays as it is */
        d->state = facet__config_enabled(rt->config, d->mf->name) ? FACET_DECLARED_CANDIDATE
                                                                  : FACET_DECLARED_DISABLED;
        facet__free(d->message);
        d->message = NULL;
        d->error = FACET_OK;
        d->cause = NULL;
    }
    HASH_ITER(hh, rt->declared_names, h, tmp) {
        h->pick = NULL;
        h->pinned = 0;
        for (v = h->top; v != NULL; v = v->lower)
            if (v->module != NULL) {
                h->pick = v;
                h->pinned = 1;
            }
        for (v = h->top; v != NULL && h->pick == NULL; v = v->lower)
            if (usable(v))
                h->pick = v;
    }
    do {
        changed = 0;
        r = resolve_pass(rt, &cs, &changed);
    } while (FACET_SUCCEEDED(r) && changed && ++rounds <= heads + 1);
    facet__free(cs.items);
    if (FACET_FAILED(r))
        return r;
    /* Per module: unregister the versions not chosen, then register the
     * chosen one, so that a version change never meets its own old
     * entries. One walk, so the scan touches each module few times. */
    HASH_ITER(hh, rt->declared_names, h, tmp) {
        for (v = h->top; v != NULL; v = v->lower) {
            if (v == h->pick)
                continue;
            unregister(rt, v);
            /* an unchosen version's own requirements do not matter */
            if (v->state == FACET_DECLARED_BROKEN && v->error == FACET_E_VERSION) {
                v->state = FACET_DECLARED_CANDIDATE;
                facet__free(v->message);
                v->message = NULL;
                v->cause = NULL;
            }
        }
        d = h->pick;
        if (d == NULL)
            continue;
        if (d->state == FACET_DECLARED_CANDIDATE)
            d->state = FACET_DECLARED_CHOSEN;
        if (d->registered || d->module != NULL)
            continue;
        facet__os_rwlock_wrlock(&rt->lock);
        r = facet__registry_add(rt, d->lazy, d->mf->class_count);
        facet__os_rwlock_wrunlock(&rt->lock);
        if (FACET_FAILED(r))
            set_broken(d, r);
        else
            d->registered = 1;
    }
    return FACET_OK;
}

/* ---- Scanning ---------------------------------------------------------- */

typedef struct ScanState {
    FacetRuntime *rt;
    FacetScanReport *rep;
    const char *folder;
    size_t folder_len;
    char *path;
    size_t path_cap;
    uint32_t problems;
} ScanState;

static int is_manifest(const char *name)
{
    size_t n = strlen(name), s = sizeof(MANIFEST_SUFFIX) - 1;
    return n > s && memcmp(name + n - s, MANIFEST_SUFFIX, s) == 0;
}

/* The first declared module of name (the name table's entry), or NULL. */
static FacetDeclared *find_name(FacetRuntime *rt, const char *name)
{
    FacetDeclared *first;
    HASH_FIND(hh, rt->declared_names, name, strlen(name), first);
    return first;
}

/* The version of first's module equal to mf's, or NULL. */
static FacetDeclared *find_same(FacetDeclared *first, const FacetManifest *mf)
{
    FacetDeclared *d;
    for (d = first ? first->top : NULL; d != NULL; d = d->lower)
        if (strcmp(d->mf->version, mf->version) == 0)
            return d;
    return NULL;
}

/* Links d into rt->declared, and into the version chain of first (its
 * module's entry in the name table, NULL for a new name), highest first. */
static FacetResult add_declared(FacetRuntime *rt, FacetDeclared *first, FacetDeclared *d)
{
    FacetDeclared **at;
    if (first != NULL) {
        for (at = &first->top; *at != NULL && facet__semver_compare(&(*at)->mf->semver,
                                                                    &d->mf->semver) > 0;
             at = &(*at)->lower)
            ;
        d->lower = *at;
        *at = d;
    } else {
        int oom;
        d->top = d;
        FACET_HASH_ADD(hh, rt->declared_names, d->mf->name, strlen(d->mf->name), d, oom);
        if (oom)
            return facet__error(FACET_E_OUTOFMEMORY, "%s: out of memory", d->mf->path);
    }
    d->next = rt->declared;
    rt->declared = d;
    return FACET_OK;
}

static FacetResult problem(ScanState *st, FacetResult code, const char *path)
{
    /* Running out of memory is not a problem of one manifest: listed as one,
     * the module would look broken and those requiring it unresolvable. */
    if (code == FACET_E_OUTOFMEMORY)
        return code;
    add_problem(st->rep, code, path, facet_last_error());
    st->problems++;
    return FACET_OK;
}

static FacetResult scan_one(void *payload, const char *name)
{
    ScanState *st = payload;
    size_t n = strlen(name), size;
    char *text;
    FacetManifest *mf;
    FacetDeclared *d, *same, *first = NULL;
    FacetArenaMark mark;
    FacetResult r;

    if (!is_manifest(name))
        return FACET_OK;
    if (st->folder_len + n + 2 > st->path_cap) {
        char *p = facet__realloc(st->path, st->folder_len + n + 64);
        if (p == NULL)
            return facet__error(FACET_E_OUTOFMEMORY, "facet_scan: out of memory");
        st->path = p;
        st->path_cap = st->folder_len + n + 64;
    }
    memcpy(st->path + st->folder_len, name, n + 1);
    r = facet__json_read_file(&text, &size, st->path, FACET_E_BADMANIFEST);
    if (FACET_FAILED(r))
        return problem(st, r, st->path);
    mark = facet__arena_mark(&st->rt->manifests);
    r = facet__manifest_parse_in(&mf, &st->rt->manifests, st->path, text, size);
    facet__free(text);
    if (FACET_FAILED(r))
        return problem(st, r, st->path);
    if (mf->api_level > st->rt->api_level) {
        r = facet__error(FACET_E_APILEVEL,
                         "%s: module %s needs host API level %u; this host offers %u", st->path,
                         mf->name, (unsigned)mf->api_level, (unsigned)st->rt->api_level);
    } else if ((same = find_same(first = find_name(st->rt, mf->name), mf)) != NULL) {
        r = facet__error(FACET_E_CONFLICT, "%s: module %s %s is already declared by %s",
                         st->path, mf->name, mf->version, same->mf->path);
    } else {
        r = declared_new(&d, &st->rt->manifests, mf);
        if (FACET_SUCCEEDED(r))
            r = add_declared(st->rt, first, d);
    }
    if (FACET_FAILED(r)) {
        /* Nothing points into what this manifest took: give it back. */
        facet__arena_rollback(&st->rt->manifests, mark);
        return problem(st, r, st->path);
    }
    return FACET_OK;
}

/* Scans one folder into rep; the caller holds load_lock. */
static FacetResult scan_locked(FacetRuntime *rt, FacetScanReport *rep, const char *folder)
{
    ScanState st;
    FacetDeclared *d, *first_old = rt->declared;
    FacetResult r;

    memset(&st, 0, sizeof(st));
    st.rt = rt;
    st.rep = rep;
    st.folder = folder;
    st.folder_len = strlen(folder);
    st.path_cap = st.folder_len + 256;
    st.path = facet__malloc(st.path_cap);
    if (st.path == NULL)
        return facet__error(FACET_E_OUTOFMEMORY, "facet_scan: out of memory");
    memcpy(st.path, folder, st.folder_len);
    if (st.folder_len == 0 || (folder[st.folder_len - 1] != '/' && folder[st.folder_len - 1] != '\\'))
        st.path[st.folder_len++] = '/';
    r = facet__os_dir_each(folder, scan_one, &st);
    facet__free(st.path);
    if (FACET_FAILED(r))
        return r;
    r = resolve(rt);
    if (FACET_FAILED(r))
        return r;
    for (d = rt->declared; d != first_old; d = d->next)
        if (d->state == FACET_DECLARED_BROKEN && d->error == FACET_E_OUTOFMEMORY)
            return facet__error(FACET_E_OUTOFMEMORY, "%s", d->message ? d->message : "facet_scan: out of memory");
    for (d = rt->declared; d != first_old; d = d->next) {
        if (d->state == FACET_DECLARED_BROKEN) {
            add_problem(rep, d->error, d->mf->path, d->message ? d->message : "");
            st.problems++;
        }
        add_module(rep, d);
    }
    /* Modules declared earlier that this scan broke count too. */
    for (d = first_old; d != NULL; d = d->next)
        if (d->state == FACET_DECLARED_BROKEN && d->error == FACET_E_VERSION) {
            add_problem(rep, d->error, d->mf->path, d->message ? d->message : "");
            st.problems++;
        }
    return st.problems ? FACET_FALSE : FACET_OK;
}

FacetResult facet__scan_folders(FacetScanReport **out, FacetRuntime *rt, const char *const *folders,
                                uint32_t count)
{
    FacetScanReport *rep = NULL;
    FacetResult r = FACET_OK, any = FACET_OK;
    uint32_t i;

    if (out != NULL) {
        *out = NULL;
        r = report_new(&rep);
        if (FACET_FAILED(r))
            return r;
    }
    facet__os_rwlock_wrlock(&rt->load_lock);
    for (i = 0; i < count; i++) {
        r = scan_locked(rt, rep, folders[i]);
        if (FACET_FAILED(r))
            break;
        if (r == FACET_FALSE)
            any = FACET_FALSE;
    }
    facet__os_rwlock_wrunlock(&rt->load_lock);
    if (FACET_FAILED(r)) {
        facet_scan_report_free(rep);
        return r;
    }
    if (out != NULL)
        *out = rep;
    return any;
}

FacetResult facet_scan(FacetScanReport **out, FacetRuntime *rt, const char *folder)
{
    if (out != NULL)
        *out = NULL;
    FACET_CHECK_ARG(rt, "facet_scan");
    FACET_CHECK_ARG(folder, "facet_scan");
    return facet__scan_folders(out, rt, &folder, 1);
}

/* ---- Loading on first use ---------------------------------------------- */

static FacetResult load_locked(FacetRuntime *rt, FacetDeclared *d)
{
    FacetModule *m;
    char *library;
    FacetResult r;

    if (d->module != NULL)
        return FACET_OK;
    if (d->state == FACET_DECLARED_BROKEN)
        return facet__error(d->error, "%s", d->message ? d->message : "module cannot be used");
    if (d->state != FACET_DECLARED_CHOSEN)
        return FACET_OK; /* another version was chosen meanwhile; the caller looks again */
    if (d->mf->isolation == FACET_ISOLATION_PROCESS)
        return facet__manifest_error_at(d->mf, "$.isolation", FACET_E_NOTIMPL,
                                        "module %s asks for process isolation, which this "
                                        "build of libfacet does not offer",
                                        d->mf->name);
    r = facet__manifest_library_path(&library, d->mf);
    if (FACET_FAILED(r))
        return r;
    r = facet__module_open(&m, rt, library);
    facet__free(library);
    if (FACET_FAILED(r))
        return facet__error_prefix("%s", d->mf->path);
    r = facet__manifest_check_module(d->mf, m);
    if (FACET_FAILED(r)) {
        char message[2048];
        snprintf(message, sizeof(message), "%s", facet_last_error());
        facet__module_close(m);
        return facet__error(r, "%s", message);
    }
    m->declared = d;
    facet__os_rwlock_wrlock(&rt->lock);
    facet__registry_remove(rt, d->lazy, d->mf->class_count);
    facet__os_rwlock_wrunlock(&rt->lock);
    r = facet__runtime_add_module(rt, m);
    if (FACET_FAILED(r)) {
        facet__os_rwlock_wrlock(&rt->lock);
        if (FACET_FAILED(facet__registry_add(rt, d->lazy, d->mf->class_count)))
            d->registered = 0;
        facet__os_rwlock_wrunlock(&rt->lock);
        return r;
    }
    d->module = m;
    return FACET_OK;
}

FacetResult facet__declared_load(FacetRuntime *rt, FacetDeclared *d)
{
    FacetResult r;
    facet__os_rwlock_wrlock(&rt->load_lock);
    r = load_locked(rt, d);
    facet__os_rwlock_wrunlock(&rt->load_lock);
    return r;
}
