/*
 * core/discovery/scan.c - reading a plugin folder's manifests without loading code,
 * choosing one version of each module, and loading a module's code the
 * first time one of its classes is created.
 *
 * A scanned module is a FacetDeclared. The chosen version of each module has
 * "lazy" entries in the class tables: entries without a module. Creating
 * one of them loads the library (facet__declared_load), checks it against
 * the manifest, and swaps the lazy entries for the module's own.
 *
 * Two modules may claim one clsid or contract name: the first claim wins
 * (claim()), and the other module is not registered at all; it waits on
 * rt->rejected, so that creating one of its classes can say why.
 *
 * Locks: scanning and loading hold load_lock for writing (rt->declared
 * changes only under it); the class tables and rt->rejected change under
 * rt->lock.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "discovery.h"

#define MANIFEST_SUFFIX ".facet.json"

struct FacetScanReport {
    FacetArena arena;
    uint32_t module_count, module_cap;
    FacetScanModule *modules;
    uint32_t problem_count, problem_cap;
    FacetScanProblem *problems;
    FacetScanStats stats;
};

static FacetResult report_new(FacetScanReport **out)
{
    *out = facet__calloc(1, sizeof(**out));
    if (*out == NULL)
        return facet__error(FACET_E_OUTOFMEMORY, "facet_scan: out of memory");
    (*out)->stats.struct_size = sizeof((*out)->stats);
    return FACET_OK;
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

FacetResult facet_scan_report_stats(FacetScanStats *out, const FacetScanReport *rep)
{
    FACET_CHECK_ARG(out, "facet_scan_report_stats");
    FACET_CHECK_ARG(rep, "facet_scan_report_stats");
    return FACET_STRUCT_WRITE(out, &rep->stats, FacetScanStats, FACET_SCAN_STATS,
                              "facet_scan_report_stats");
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

/* One manifest file of a scanned folder, as the last scan found it. */
typedef struct ScanFile {
    const char *name;            /* the tail of d->mf->path, or in the folder's arena */
    uint64_t size;
    int64_t mtime_ns;
    uint64_t inode, device;
    FacetDeclared *d;            /* what it declares; NULL: it had a problem */
    FacetResult error;           /* that problem */
    uint32_t stale;              /* changed since d was read, whose code stays loaded */
} ScanFile;

struct FacetScanFolder {
    char *path;                  /* canonical */
    FacetArena names;            /* names of the files that declare nothing */
    uint32_t count;
    ScanFile *files;             /* sorted by name, in byte order */
    FacetScanFolder *next;
};

/* d, its lazy entries and its manifest live in rt->manifests. */
static void declared_free(FacetDeclared *d)
{
    facet__free(d->message);
}

static void declared_free_all(FacetRuntime *rt)
{
    FacetDeclared *d, *next;
    FacetScanFolder *f, *fnext;
    HASH_CLEAR(hh, rt->declared_names);
    for (d = rt->declared; d != NULL; d = next) {
        next = d->next;
        declared_free(d);
    }
    for (d = rt->retired; d != NULL; d = next) {
        next = d->next;
        declared_free(d);
    }
    rt->declared = rt->retired = rt->rejected = NULL;
    for (f = rt->folders; f != NULL; f = fnext) {
        fnext = f->next;
        facet__arena_free(&f->names);
        facet__free(f->files);
        facet__free(f->path);
        facet__free(f);
    }
    rt->folders = NULL;
    facet__arena_free(&rt->manifests);
}

/* Why the chosen module that declares a class of contract name contract
 * (or of clsid) could not register it (the runtime's rejected hook). */
static const char *rejected(FacetRuntime *rt, const char *contract, const FacetGuid *clsid)
{
    const FacetDeclared *d;
    uint32_t i;
    for (d = rt->rejected; d != NULL; d = d->next_rejected)
        for (i = 0; i < d->mf->class_count; i++) {
            const FacetClassEntry *e = &d->lazy[i];
            if ((clsid != NULL && FacetGuidEqual(&e->clsid, clsid)) ||
                (contract != NULL && e->contract != NULL && strcmp(e->contract, contract) == 0))
                return d->message ? d->message : "";
        }
    return NULL;
}

static void stop(FacetRuntime *rt)
{
    (void)facet_runtime_stop(rt);
}

static const FacetDiscoveryHooks hooks = {facet__declared_load, rejected, stop,
                                          declared_free_all};

void facet__discovery_attach(FacetRuntime *rt)
{
    facet__os_rwlock_wrlock(&rt->lock);
    rt->discovery = &hooks;
    facet__os_rwlock_wrunlock(&rt->lock);
}

static FacetResult declared_new(FacetDeclared **out, FacetArena *arena, FacetManifest *mf)
{
    FacetDeclared *d = facet__arena_alloc(arena, sizeof(*d));
    uint32_t i;
    *out = NULL;
    if (d != NULL) {
        memset(d, 0, sizeof(*d));
        d->lazy = facet__arena_alloc(arena, sizeof(FacetClassEntry) * mf->class_count);
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
        e->index = i;
        e->declared = d;
        e->manifest = mf;
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

/* Forgets which modules lost a claim, before they are chosen again. */
static void forget_rejected(FacetRuntime *rt)
{
    FacetDeclared *d, *next;
    if (rt->rejected == NULL)
        return;
    facet__os_rwlock_wrlock(&rt->lock);
    for (d = rt->rejected; d != NULL; d = next) {
        next = d->next_rejected;
        d->next_rejected = NULL;
    }
    rt->rejected = NULL;
    facet__os_rwlock_wrunlock(&rt->lock);
}

static int by_claim(const void *a, const void *b)
{
    uint32_t x = (*(FacetDeclared *const *)a)->claim, y = (*(FacetDeclared *const *)b)->claim;
    return x < y ? -1 : x > y;
}

/* Unregisters the versions not chosen, then registers the chosen ones that
 * are not registered yet, in the order their modules claim: a module keeps
 * the place of a version it had registered; the others go in the order
 * their manifests were read (folders in the order scanned, file names in
 * byte order within one). A class already registered stays where it is,
 * and a module that meets one is not registered at all: it is marked
 * broken and put on rt->rejected, and *rejected counts it. */
static FacetResult claim(FacetRuntime *rt, uint32_t *rejected)
{
    FacetDeclared *h, *tmp, *v, *d, **todo;
    uint32_t n = 0, i;
    FacetResult r;

    *rejected = 0;
    todo = facet__malloc((HASH_COUNT(rt->declared_names) + 1) * sizeof(*todo));
    if (todo == NULL)
        return facet__error(FACET_E_OUTOFMEMORY, "facet_scan: out of memory choosing versions");
    HASH_ITER(hh, rt->declared_names, h, tmp) {
        d = h->pick;
        h->claim = d != NULL ? d->seq : 0;
        for (v = h->top; v != NULL; v = v->lower) {
            if (v->registered && v->seq < h->claim)
                h->claim = v->seq;
            if (v == d)
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
        if (d == NULL)
            continue;
        if (d->state == FACET_DECLARED_CANDIDATE)
            d->state = FACET_DECLARED_CHOSEN;
        if (d->registered || d->module != NULL || d->rejected)
            continue;
        d->claim = h->claim;
        todo[n++] = d;
    }
    /* The table keeps the order modules were first declared in, so the
     * list is most often in claim order already. */
    for (i = 1; i < n && todo[i - 1]->claim <= todo[i]->claim; i++)
        ;
    if (i < n)
        qsort(todo, n, sizeof(*todo), by_claim);
    for (i = 0; i < n; i++) {
        d = todo[i];
        facet__os_rwlock_wrlock(&rt->lock);
        r = facet__registry_add(rt, d->lazy, d->mf->class_count);
        facet__os_rwlock_wrunlock(&rt->lock);
        if (FACET_SUCCEEDED(r)) {
            d->registered = 1;
            continue;
        }
        set_broken(d, r);
        if (r == FACET_E_OUTOFMEMORY)
            continue;
        /* Published with its message set: readers hold rt->lock. */
        d->rejected = 1;
        facet__os_rwlock_wrlock(&rt->lock);
        d->next_rejected = rt->rejected;
        rt->rejected = d;
        facet__os_rwlock_wrunlock(&rt->lock);
        (*rejected)++;
    }
    facet__free(todo);
    return FACET_OK;
}

/* Chooses a version of every module and (re)registers lazy entries. The
 * caller holds load_lock. */
static FacetResult resolve(FacetRuntime *rt)
{
    FacetDeclared *d, *h, *tmp, *v;
    Constraints cs = {NULL, 0, 0};
    FacetResult r = FACET_OK;
    uint32_t rounds = 0, heads = HASH_COUNT(rt->declared_names), round, rejected;
    int changed;

    forget_rejected(rt);
    for (d = rt->declared; d != NULL; d = d->next) {
        d->rejected = 0;
        /* loaded: stays chosen; whether what it requires is still there is
         * checked again */
        if (d->module != NULL)
            d->state = FACET_DECLARED_CHOSEN;
        else if (facet__config_enabled(rt->config, d->mf->name))
            d->state = FACET_DECLARED_CANDIDATE;
        else
            d->state = FACET_DECLARED_DISABLED;
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
    /* A module that loses a claim is broken, and so are those that require
     * it: choose again until no claim is lost. */
    for (round = 0; round <= heads; round++) {
        do {
            changed = 0;
            r = resolve_pass(rt, &cs, &changed);
        } while (FACET_SUCCEEDED(r) && changed && ++rounds <= heads + 1);
        if (FACET_SUCCEEDED(r))
            r = claim(rt, &rejected);
        if (FACET_FAILED(r) || rejected == 0)
            break;
    }
    facet__free(cs.items);
    return r;
}

/* ---- Scanning ---------------------------------------------------------- *
 *
 * A folder's manifests are read in byte order of their file names, so that
 * which of two modules claims a class first never depends on the order the
 * system lists them in. The runtime remembers each file's size and time:
 * scanning a folder again reads only what changed, and forgets (retires)
 * what is gone. A retired declared module stays in memory (on rt->retired)
 * until the runtime goes: a caller may have found one of its entries just
 * before, and looks it up again under load_lock. */

typedef struct ScanState {
    FacetRuntime *rt;
    FacetScanReport *rep;
    char *path;                  /* the folder, then the name being read */
    size_t folder_len, path_cap;
    uint32_t problems;
    uint32_t retired;            /* declared modules retired by this scan */
    FacetArena names;            /* the names listed, which the folder keeps */
    const char **list;
    uint32_t count, cap;
    /* The folder's scan index (scan_index.c), read when a first manifest
     * is to be read: */
    const char *folder;          /* canonical */
    const char *dir;             /* the folder as given, in rt->manifests, which the
                                  * manifests read share; once one is read */
    char *index_file;            /* NULL: no index */
    FacetScanIndex *index;       /* NULL: none, or not usable */
    uint32_t index_state;        /* FACET_SCAN_INDEX_* */
    uint32_t index_tried;
    uint32_t parsed, indexed;    /* manifests read and parsed, and taken from the index */
    uint32_t parsed_ok;          /* of those parsed, those that declare a module */
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

static FacetResult list_one(void *payload, const char *name)
{
    ScanState *st = payload;
    const char *copy;
    if (!is_manifest(name))
        return FACET_OK;
    copy = facet__arena_strdup(&st->names, name);
    if (copy == NULL || !grow((void **)&st->list, &st->cap, st->count, sizeof(*st->list)))
        return facet__error(FACET_E_OUTOFMEMORY, "facet_scan: out of memory");
    st->list[st->count++] = copy;
    return FACET_OK;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A name and the 8 bytes of it that follow the prefix every name shares,
 * big-endian, zeros past its end: two keys compare as the names do, unless
 * they are equal. */
typedef struct NameKey {
    uint64_t key;
    const char *name;
} NameKey;

/* Sorts the n names of list in byte order, as qsort with strcmp does, in
 * fewer instructions: a folder's manifests share long prefixes
 * ("vendor.product.") that strcmp walks on every compare, a third of a warm
 * scan's time for 10,000 of them (bench: scan.warm.10000). A radix sort of
 * the keys orders the names that differ within 8 bytes past the shared
 * prefix; runs of equal keys, rare, are then sorted by strcmp. Without
 * memory for the keys, qsort does it all. */
static void sort_names(const char **list, uint32_t n)
{
    NameKey *keys, *tmp, *swap;
    size_t prefix = strlen(list[0]), j;
    uint32_t i, k, count[256], run;
    unsigned shift;

    for (i = 1; i < n && prefix > 0; i++)
        for (j = 0; j < prefix; j++)
            if (list[i][j] != list[0][j]) {
                prefix = j;
                break;
            }
    keys = facet__malloc(2 * (size_t)n * sizeof(*keys));
    if (keys == NULL) {
        qsort(list, n, sizeof(*list), by_name);
        return;
    }
    tmp = keys + n;
    for (i = 0; i < n; i++) {
        const unsigned char *p = (const unsigned char *)list[i] + prefix;
        uint64_t key = 0;
        for (j = 0; j < 8 && p[j] != 0; j++)
            key |= (uint64_t)p[j] << (56 - 8 * j);
        keys[i].key = key;
        keys[i].name = list[i];
    }
    /* Least significant byte first; a byte all keys share is skipped. */
    for (shift = 0; shift < 64; shift += 8) {
        memset(count, 0, sizeof(count));
        for (i = 0; i < n; i++)
            count[(keys[i].key >> shift) & 0xFF]++;
        if (count[(keys[0].key >> shift) & 0xFF] == n)
            continue;
        for (k = 0, run = 0; k < 256; k++) {
            uint32_t c = count[k];
            count[k] = run;
            run += c;
        }
        for (i = 0; i < n; i++)
            tmp[count[(keys[i].key >> shift) & 0xFF]++] = keys[i];
        swap = keys;
        keys = tmp;
        tmp = swap;
    }
    for (i = 0; i < n; i++)
        list[i] = keys[i].name;
    for (i = 0; i < n; i = k) {
        for (k = i + 1; k < n && keys[k].key == keys[i].key; k++)
            ;
        if (k - i > 1)
            qsort(list + i, k - i, sizeof(*list), by_name);
    }
    facet__free(keys < tmp ? keys : tmp);
}

/* st->path becomes the folder's path joined with name. */
static FacetResult set_path(ScanState *st, const char *name)
{
    size_t n = strlen(name);
    if (st->folder_len + n + 2 > st->path_cap) {
        char *p = facet__realloc(st->path, st->folder_len + n + 64);
        if (p == NULL)
            return facet__error(FACET_E_OUTOFMEMORY, "facet_scan: out of memory");
        st->path = p;
        st->path_cap = st->folder_len + n + 64;
    }
    memcpy(st->path + st->folder_len, name, n + 1);
    return FACET_OK;
}

/* The manifest at st->path from the folder's index, when the file is as
 * the index recorded it (*mf NULL otherwise); reads the index the first
 * time. Fails only for running out of memory. */
static FacetResult from_index(ScanState *st, ScanFile *rec, FacetManifest **mf)
{
    FacetOsStat fs;
    *mf = NULL;
    if (st->index_file == NULL)
        return FACET_OK;
    if (!st->index_tried) {
        FacetResult r = facet__scan_index_open(&st->index, &st->index_state, st->index_file,
                                               st->folder);
        st->index_tried = 1;
        if (FACET_FAILED(r))
            return r;
    }
    if (st->index == NULL || FACET_FAILED(facet__os_stat(&fs, st->path)) ||
        !facet__scan_index_take(mf, st->index, rec->name, &fs, &st->rt->manifests, st->path,
                                st->dir))
        return FACET_OK;
    rec->size = fs.size;
    rec->mtime_ns = fs.mtime_ns;
    rec->inode = fs.inode;
    rec->device = fs.device;
    return FACET_OK;
}

/* Reads the manifest at st->path into rec: rec->d what it declares, or
 * rec->error its problem (the thread's message says what). Fails only for
 * running out of memory. */
static FacetResult read_one(ScanState *st, ScanFile *rec)
{
    FacetRuntime *rt = st->rt;
    FacetOsStat fs;
    size_t size;
    char *text;
    FacetManifest *mf;
    FacetDeclared *d = NULL, *same, *first = NULL;
    FacetArenaMark mark;
    FacetResult r;

    rec->d = NULL;
    rec->error = FACET_OK;
    /* The folder the folder's manifests share, before any manifest's mark:
     * a rollback never takes it back. */
    if (st->dir == NULL &&
        (st->dir = facet__arena_dirname(&rt->manifests, st->path)) == NULL)
        r = facet__error(FACET_E_OUTOFMEMORY, "facet_scan: out of memory");
    else
        r = FACET_OK;
    mark = facet__arena_mark(&rt->manifests);
    if (FACET_SUCCEEDED(r))
        r = from_index(st, rec, &mf);
    if (FACET_FAILED(r)) {
        /* Out of memory: read again by the next scan (compare()). */
        rec->size = 0;
        rec->mtime_ns = 0;
        rec->error = r;
        return r;
    }
    if (mf != NULL) {
        st->indexed++;
    } else {
        /* The size and time come from the file read, so a change while the
         * folder is scanned is seen at the next scan. */
        r = facet__json_read_file(&text, &size, &fs, st->path, FACET_E_BADMANIFEST);
        st->parsed++;
        if (FACET_FAILED(r)) {
            /* Not read: whatever the file is now, the next scan tries again. */
            rec->size = 0;
            rec->mtime_ns = 0;
            rec->inode = rec->device = 0;
            rec->error = r;
            return r == FACET_E_OUTOFMEMORY ? r : FACET_OK;
        }
        rec->size = fs.size;
        rec->mtime_ns = fs.mtime_ns;
        rec->inode = fs.inode;
        rec->device = fs.device;
        r = facet__manifest_parse_in(&mf, &rt->manifests, st->path, st->dir, text, size);
        facet__free(text);
        if (FACET_SUCCEEDED(r))
            st->parsed_ok++;
    }
    if (FACET_SUCCEEDED(r)) {
        if (mf->api_level > rt->api_level) {
            r = facet__error(FACET_E_APILEVEL,
                             "%s: module %s needs host API level %u; this host offers %u",
                             st->path, mf->name, (unsigned)mf->api_level,
                             (unsigned)rt->api_level);
        } else if ((same = find_same(first = find_name(rt, mf->name), mf)) != NULL) {
            r = facet__error(FACET_E_CONFLICT, "%s: module %s %s is already declared by %s",
                             st->path, mf->name, mf->version, same->mf->path);
        } else {
            r = declared_new(&d, &rt->manifests, mf);
            if (FACET_SUCCEEDED(r))
                r = add_declared(rt, first, d);
        }
        if (FACET_FAILED(r))
            /* Nothing points into what this manifest took: give it back. */
            facet__arena_rollback(&rt->manifests, mark);
    }
    if (FACET_FAILED(r)) {
        rec->error = r;
        return r == FACET_E_OUTOFMEMORY ? r : FACET_OK;
    }
    d->seq = ++rt->seq;
    d->fresh = 1;
    rec->d = d;
    return FACET_OK;
}

/* rec's manifest was removed or changed (why): its module leaves the class
 * tables and the choice of versions, unless its code is loaded, which keeps
 * serving; then the report says so and 1 is returned. */
static int retire(ScanState *st, const ScanFile *rec, const char *why)
{
    FacetDeclared *d = rec->d, *first, **at;
    if (d == NULL)
        return 0;
    if (d->module != NULL) {
        facet__error(FACET_E_BUSY,
                     "%s: the manifest was %s, but module %s %s is loaded from it: the loaded "
                     "code keeps serving until it is reloaded (facet_runtime_reload, or a "
                     "watched folder) or the runtime is freed",
                     d->mf->path, why, d->mf->name, d->mf->version);
        problem(st, FACET_E_BUSY, d->mf->path);
        return 1;
    }
    unregister(st->rt, d);
    first = find_name(st->rt, d->mf->name);
    for (at = &first->top; *at != NULL; at = &(*at)->lower)
        if (*at == d) {
            *at = d->lower;
            break;
        }
    d->lower = NULL;
    d->state = FACET_DECLARED_REMOVED;
    st->retired++;
    return 0;
}

/* Moves the retired modules from rt->declared to rt->retired. */
static void sweep_retired(FacetRuntime *rt)
{
    FacetDeclared **at = &rt->declared, *d;
    while ((d = *at) != NULL) {
        if (d->state != FACET_DECLARED_REMOVED) {
            at = &d->next;
            continue;
        }
        *at = d->next;
        d->next = rt->retired;
        rt->retired = d;
    }
}

#define READ_NEW 1u   /* new or changed: any problem is reported */
#define READ_AGAIN 2u /* unchanged, but it lost to another file: reported if the outcome differs */

/* Whether old's file is as the last scan found it (0), changed (its stat
 * in *fs, 1), or is to be read again for what other files did (2); -1 when
 * memory ran out before it could be told. A file that cannot be looked at
 * counts as changed: reading it says what is wrong. */
static int compare(ScanState *st, const ScanFile *old, FacetOsStat *fs)
{
    FacetResult r = set_path(st, old->name);
    if (FACET_SUCCEEDED(r))
        r = facet__os_stat(fs, st->path);
    if (r == FACET_E_OUTOFMEMORY)
        return -1;
    if (FACET_FAILED(r) || fs->kind != FACET_OS_FILE || fs->size != old->size ||
        fs->mtime_ns != old->mtime_ns || fs->inode != old->inode || fs->device != old->device)
        return 1;
    if (old->d == NULL && (old->error == FACET_E_CONFLICT || old->error == FACET_E_OUTOFMEMORY))
        return 2;
    return 0;
}

/* Brings folder f's files up to date with the names listed (st->list,
 * sorted): retires what is gone or changed, then reads what is new or
 * changed. files and read have room for every name. */
static FacetResult update(ScanState *st, FacetScanFolder *f, ScanFile *files, uint8_t *read)
{
    uint32_t i = 0, j = 0, k;
    FacetResult r = FACET_OK;

    while (i < f->count || j < st->count) {
        const ScanFile *old = i < f->count ? &f->files[i] : NULL;
        int c = old == NULL ? 1 : j == st->count ? -1 : strcmp(old->name, st->list[j]);
        FacetOsStat fs;
        if (c < 0) {
            retire(st, old, "removed");
            i++;
            continue;
        }
        if (c == 0) {
            files[j] = *old;
            i++;
            /* Once memory ran out, the rest stay as they were: the next
             * scan looks at them again. */
            switch (FACET_FAILED(r) ? 0 : compare(st, old, &fs)) {
            case 0:
                break;
            case -1:
                r = facet__error(FACET_E_OUTOFMEMORY, "facet_scan: out of memory");
                break;
            case 1:
                if (retire(st, old, "changed")) {
                    /* its loaded code stays: remember the file as it is */
                    files[j].size = fs.size;
                    files[j].mtime_ns = fs.mtime_ns;
                    files[j].inode = fs.inode;
                    files[j].device = fs.device;
                    files[j].stale = 1;
                } else {
                    read[j] = READ_NEW;
                }
                break;
            default:
                read[j] = READ_AGAIN;
                break;
            }
        } else {
            memset(&files[j], 0, sizeof(files[j]));
            read[j] = READ_NEW;
        }
        files[j].name = st->list[j];
        if (read[j] != 0) {
            /* until read: a file that was not read is read next time */
            files[j].d = NULL;
            if (read[j] == READ_NEW)
                files[j].error = FACET_E_OUTOFMEMORY;
        }
        j++;
    }
    if (st->retired)
        sweep_retired(st->rt);
    for (k = 0; k < st->count && FACET_SUCCEEDED(r); k++) {
        FacetResult before = files[k].error;
        if (read[k] == 0)
            continue;
        r = set_path(st, files[k].name);
        if (FACET_SUCCEEDED(r))
            r = read_one(st, &files[k]);
        if (FACET_SUCCEEDED(r) && files[k].d == NULL &&
            (read[k] == READ_NEW || files[k].error != before))
            problem(st, files[k].error, st->path);
    }
    return r;
}

/* Writes folder f's index anew when it differs from what this scan found:
 * a manifest parsed, one gone, or an index that was not usable. Only
 * running out of memory fails; the report's statistics say the rest. */
static FacetResult index_update(ScanState *st, FacetScanFolder *f)
{
    FacetScanStats *stats = st->rep != NULL ? &st->rep->stats : NULL;
    FacetScanIndexItem *items;
    uint32_t k;
    FacetResult r;
    int write = st->parsed_ok > 0 || st->retired > 0 ||
                st->index_state == FACET_SCAN_INDEX_IGNORED ||
                (st->index != NULL && !facet__scan_index_complete(st->index));

    if (stats != NULL) {
        stats->manifests += st->count;
        stats->parsed += st->parsed;
        stats->indexed += st->indexed;
        stats->index_ignored += st->index_state == FACET_SCAN_INDEX_IGNORED;
    }
    if (st->index_file == NULL || !write)
        return FACET_OK;
    items = facet__calloc(f->count + 1, sizeof(*items));
    if (items == NULL)
        return facet__error(FACET_E_OUTOFMEMORY, "facet_scan: out of memory");
    for (k = 0; k < f->count; k++) {
        const ScanFile *file = &f->files[k];
        if (file->d == NULL || file->stale)
            continue;
        items[k].name = file->name;
        items[k].size = file->size;
        items[k].mtime_ns = file->mtime_ns;
        items[k].inode = file->inode;
        items[k].device = file->device;
        items[k].mf = file->d->mf;
    }
    r = facet__scan_index_write(st->index_file, f->path, items, f->count);
    facet__free(items);
    if (r == FACET_E_OUTOFMEMORY)
        return r;
    if (stats != NULL) {
        stats->index_written += FACET_SUCCEEDED(r);
        stats->index_failed += FACET_FAILED(r);
    }
    return FACET_OK;
}

/* Scans one folder into rep; the caller holds load_lock. */
static FacetResult scan_locked(FacetRuntime *rt, FacetScanReport *rep, const char *folder)
{
    ScanState st;
    FacetScanFolder *f = NULL;
    FacetDeclared *d;
    ScanFile *files = NULL;
    uint8_t *read = NULL;
    char *canonical = NULL;
    uint32_t k;
    FacetResult r;

    memset(&st, 0, sizeof(st));
    st.rt = rt;
    st.rep = rep;
    st.names.chunk_size = 16 * 1024;
    st.folder_len = strlen(folder);
    st.path_cap = st.folder_len + 256;
    r = facet__os_dir_each(folder, list_one, &st);
    if (FACET_SUCCEEDED(r))
        r = facet__os_realpath(&canonical, folder);
    if (FACET_SUCCEEDED(r)) {
        st.path = facet__malloc(st.path_cap);
        files = facet__calloc(st.count + 1, sizeof(*files));
        read = facet__calloc(st.count + 1, 1);
        for (f = rt->folders; f != NULL && strcmp(f->path, canonical) != 0; f = f->next)
            ;
        if (f == NULL && (f = facet__calloc(1, sizeof(*f))) != NULL) {
            f->path = canonical;
            canonical = NULL;
            f->next = rt->folders;
            rt->folders = f;
        }
        if (st.path == NULL || files == NULL || read == NULL || f == NULL)
            r = facet__error(FACET_E_OUTOFMEMORY, "facet_scan: out of memory");
    }
    if (FACET_SUCCEEDED(r)) {
        st.folder = f->path;
        r = facet__scan_index_path(&st.index_file, rt, f->path);
    }
    if (FACET_FAILED(r))
        goto done;
    memcpy(st.path, folder, st.folder_len);
    if (st.folder_len == 0 || (folder[st.folder_len - 1] != '/' && folder[st.folder_len - 1] != '\\'))
        st.path[st.folder_len++] = '/';
    if (st.count > 1)
        sort_names(st.list, st.count);
    for (d = rt->declared; d != NULL; d = d->next) {
        d->was_state = (uint8_t)d->state;
        d->was_error = d->error;
    }
    r = update(&st, f, files, read);
    /* Where every file declares a module, its name is the end of its
     * manifest's path: the names listed need not be kept. */
    for (k = 0; k < st.count && files[k].d != NULL; k++)
        ;
    if (k == st.count) {
        for (k = 0; k < st.count; k++) {
            const char *p = files[k].d->mf->path;
            files[k].name = p + strlen(p) - strlen(files[k].name);
        }
        facet__arena_free(&st.names);
    }
    /* What was read is kept, whatever happens next. */
    facet__free(f->files);
    f->files = files;
    f->count = st.count;
    files = NULL;
    facet__arena_free(&f->names);
    f->names = st.names;
    memset(&st.names, 0, sizeof(st.names));
    if (FACET_SUCCEEDED(r))
        r = index_update(&st, f);
    if (FACET_SUCCEEDED(r))
        r = resolve(rt);
    if (FACET_FAILED(r))
        goto done;
    /* A module whose classes could not be registered for want of memory,
     * read by this scan or before, fails the scan: the next one tries
     * again. */
    for (d = rt->declared; d != NULL; d = d->next)
        if (d->state == FACET_DECLARED_BROKEN && d->error == FACET_E_OUTOFMEMORY) {
            r = facet__error(FACET_E_OUTOFMEMORY, "%s",
                             d->message ? d->message : "facet_scan: out of memory");
            goto done;
        }
    for (k = 0; k < f->count; k++) {
        d = f->files[k].d;
        if (d == NULL)
            continue;
        if (d->fresh && d->state == FACET_DECLARED_BROKEN) {
            add_problem(rep, d->error, d->mf->path, d->message ? d->message : "");
            st.problems++;
        }
        add_module(rep, d);
    }
    /* Modules read before that this scan broke count too, once. */
    for (d = rt->declared; d != NULL; d = d->next)
        if (!d->fresh && d->state == FACET_DECLARED_BROKEN &&
            (d->was_state != FACET_DECLARED_BROKEN || d->was_error != d->error)) {
            add_problem(rep, d->error, d->mf->path, d->message ? d->message : "");
            st.problems++;
        }
    r = st.problems ? FACET_FALSE : FACET_OK;
done:
    for (d = rt->declared; d != NULL; d = d->next)
        d->fresh = 0;
    facet__arena_free(&st.names);
    facet__free(st.list);
    facet__free(st.path);
    facet__free(files);
    facet__free(read);
    facet__free(canonical);
    facet__scan_index_free(st.index);
    facet__free(st.index_file);
    return r;
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
    facet__discovery_attach(rt);
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

/* Where a module runs: as the host's configuration says (trust is the
 * host's call), else as its manifest says. */
static uint32_t isolation_of(FacetRuntime *rt, const FacetManifest *mf)
{
    const FacetModuleConfig *mc = rt->config ? facet__config_module(rt->config, mf->name) : NULL;
    return mc != NULL && mc->isolation != 0 ? mc->isolation - 1 : mf->isolation;
}

/* One Go runtime per process (core/runtime/loader.c): a module written in
 * Go (its manifest says so, or its image carries Go's build information)
 * that would be a second Go runtime here runs in a process host instead,
 * with a line in the log that says why. A configuration that puts it
 * in-process is refused: that cannot work; so is the module where there
 * is no process host (outside Linux and Windows). Sets *process where it
 * goes; leaves the last error as it was when it returns FACET_OK. */
static FacetResult place_go(FacetRuntime *rt, FacetDeclared *d, const char *library, int *process)
{
    const FacetModuleConfig *mc;
    FacetResult code = facet_last_error_code(), r;
    char before[1024], why[2048];
    FacetImageInfo image;
    char *canonical = NULL;

    snprintf(before, sizeof(before), "%s", facet_last_error());
    r = FACET_E_FAIL;
    if (d->mf->runtime == FACET_RUNTIME_GO ||
        (FACET_SUCCEEDED(facet__loader_check(&image, library)) && image.runtime == FACET_RUNTIME_GO))
        r = facet__os_realpath(&canonical, library);
    if (FACET_SUCCEEDED(r)) {
        r = facet__loader_go_check(canonical);
        facet__free(canonical);
        if (FACET_FAILED(r)) {
            snprintf(why, sizeof(why), "%s", facet_last_error());
            mc = rt->config ? facet__config_module(rt->config, d->mf->name) : NULL;
            if (mc != NULL && mc->isolation == FACET_ISOLATION_IN_PROCESS + 1)
                return facet__error(FACET_E_CONFLICT,
                                    "the configuration runs module '%s' in this process "
                                    "(modules.%s.isolation is \"in-process\"), which cannot work: "
                                    "%s. Remove that setting, or set it to \"process\"",
                                    d->mf->name, d->mf->name, why);
#if defined(__linux__) || defined(_WIN32)
            facet__runtime_log(rt, FACET_LOG_INFO, d->mf->name,
                               "runs in a process host (facet-host), not in this process: %s",
                               why);
            *process = 1;
#else
            /* No process host in this build (docs/isolation.md). */
            return facet__error(FACET_E_CONFLICT,
                                "%s; process isolation is not available on this system in "
                                "this build of libfacet, so it cannot be loaded here",
                                why);
#endif
        }
    }
    /* What the loading itself finds wrong (a file that is not a library)
     * it says then. */
    if (code == FACET_OK)
        facet_error_clear();
    else
        facet__error(code, "%s", before);
    return FACET_OK;
}

static FacetResult load_locked(FacetRuntime *rt, FacetDeclared *d)
{
    FacetModule *m;
    char *library;
    FacetResult r;
    int process, kept = 1;

    if (d->module != NULL)
        return FACET_OK;
    if (d->state == FACET_DECLARED_BROKEN)
        return facet__error(d->error, "%s", d->message ? d->message : "module cannot be used");
    if (d->state != FACET_DECLARED_CHOSEN)
        return FACET_OK; /* another version was chosen meanwhile; the caller looks again */
    r = facet__manifest_library_path(&library, d->mf);
    if (FACET_FAILED(r))
        return r;
    process = isolation_of(rt, d->mf) == FACET_ISOLATION_PROCESS;
    r = process ? FACET_OK : place_go(rt, d, library, &process);
    if (FACET_SUCCEEDED(r) && !process) {
        r = facet__module_open(&m, rt, library, NULL, d->mf->runtime);
        /* Another runtime of the process mapped Go meanwhile: look again. */
        if (r == FACET_E_CONFLICT) {
            FacetResult again = place_go(rt, d, library, &process);
            r = FACET_FAILED(again) ? again : process ? FACET_OK : r;
        }
    }
    if (FACET_SUCCEEDED(r) && process)
        r = facet__remote_module_open(&m, rt, d->mf, library);
    facet__free(library);
    if (FACET_FAILED(r))
        return facet__error_prefix("%s", d->mf->path);
    r = facet__manifest_check_module(d->mf, m);
    if (FACET_FAILED(r)) {
        char message[2048];
        snprintf(message, sizeof(message), "%s", facet_last_error());
        facet__module_discard(m);
        return facet__error(r, "%s", message);
    }
    m->declared = d;
    m->manifest = d->mf;
    facet__host_identify(m->host, NULL, d->mf);
    /* The module's entries take the place of the lazy ones at once: a
     * create on another thread never finds neither. */
    r = facet__runtime_add_module_over(rt, m, d->lazy, d->mf->class_count, &kept);
    if (FACET_FAILED(r)) {
        if (!kept)
            d->registered = 0;
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

/* The host configuration: read once, then its plugin folders scanned. */
FacetResult facet_runtime_load_config(FacetScanReport **out, FacetRuntime *rt, const char *path)
{
    FacetConfig *cfg;
    char *text;
    size_t size;
    FacetResult r, w;

    if (out != NULL)
        *out = NULL;
    FACET_CHECK_ARG(rt, "facet_runtime_load_config");
    FACET_CHECK_ARG(path, "facet_runtime_load_config");
    r = facet__json_read_file(&text, &size, NULL, path, FACET_E_BADCONFIG);
    if (FACET_FAILED(r))
        return r;
    r = facet__config_parse(&cfg, path, text, size);
    facet__free(text);
    if (FACET_FAILED(r))
        return r;
    facet__os_rwlock_wrlock(&rt->lock);
    if (rt->config == NULL)
        rt->config = cfg;
    facet__os_rwlock_wrunlock(&rt->lock);
    if (rt->config != cfg) {
        facet__config_free(cfg);
        return facet__error(FACET_E_STATE, "%s: this runtime already has a configuration; "
                                           "facet_runtime_load_config is called once",
                            path);
    }
    r = facet__scan_folders(out, rt, cfg->folders, cfg->folder_count);
    if (FACET_FAILED(r) || !cfg->hot_reload)
        return r;
    /* Watching the folders that were just scanned. */
    w = facet__reload_hooks != NULL
            ? facet__reload_hooks->config(rt)
            : facet__error(FACET_E_NOTIMPL,
                           "%s: \"hot_reload\": true, but this build of libfacet has no hot "
                           "reload",
                           path);
    if (FACET_SUCCEEDED(w))
        return r;
    if (out != NULL) {
        facet_scan_report_free(*out);
        *out = NULL;
    }
    return w;
}
