/*
 * core/reload/reload.c - hot reload: a scanned module's new files load side
 * by side with the version that serves, from a private copy, and take its
 * place only once every check and every step of the swap passed; anything
 * else is rolled back, and the last good version keeps serving.
 *
 * The layer above discovery: the runtime reaches it only through
 * facet__reload_hooks, which this file installs.
 *
 * Locks, in this order: life_lock (held for a whole reload: reloads, start
 * and stop are serialised), then load_lock (held while files are read and
 * code is mapped, never while a lifecycle or state method runs: those may
 * call back into the runtime), then rt->lock (the swap itself, so that a
 * creator sees the old version's classes or the new one's, never none).
 */
#include <stdio.h>
#include <string.h>

#include "reload/reload.h"

/* A manifest that a reload read, and the lazy entries made from it: they
 * live as long as the runtime, as scanned manifests do. */
typedef struct Kept {
    FacetManifest *mf;
    FacetClassEntry *lazy;
    struct Kept *next;
} Kept;

typedef struct Listener {
    FacetReloadFn fn;
    void *payload;
    struct Listener *next;
} Listener;

/* ---- The state of the layer in a runtime -------------------------------- */

static FacetResult install(FacetRuntime *rt, FacetReload **out);

static FacetResult hook_config(FacetRuntime *rt)
{
    FacetWatchOptions opts = FACET_WATCH_OPTIONS_INIT;
    return facet_runtime_watch(rt, &opts);
}

static void hook_close(FacetRuntime *rt)
{
    facet__atomic_store32(&rt->reload->closing, 1u);
    facet__reload_watch_stop(rt);
}

static void hook_free(FacetRuntime *rt)
{
    FacetReload *st = rt->reload;
    Listener *l, *ln;
    Kept *k, *kn;
    for (l = st->listeners; l != NULL; l = ln) {
        ln = l->next;
        facet__free(l);
    }
    for (k = st->kept; k != NULL; k = kn) {
        kn = k->next;
        facet_manifest_free(k->mf);
        facet__free(k->lazy);
        facet__free(k);
    }
    facet__os_rwlock_destroy(&st->listen_lock);
    facet__os_rwlock_destroy(&st->watch_lock);
    facet__free(st);
    rt->reload = NULL;
}

static const FacetReloadHooks hooks = {hook_config, hook_close, hook_free};

/* Installed when libfacet is loaded, so that a configuration's
 * "hot_reload" finds the layer; every entry point installs it too. */
#if defined(__GNUC__) || defined(__clang__)
__attribute__((constructor)) static void install_hooks(void)
{
    facet__reload_hooks = &hooks;
}
#define HOOKS_AT_LOAD 1
#elif defined(_MSC_VER)
static void install_hooks(void)
{
    facet__reload_hooks = &hooks;
}
#pragma section(".CRT$XCU", read)
__declspec(allocate(".CRT$XCU")) static void (*install_hooks_)(void) = install_hooks;
#define HOOKS_AT_LOAD 1
#else
#define HOOKS_AT_LOAD 0
#endif

/* rt's reload state, made on first use. From then on every module of rt
 * loads from a private copy: a file that may be replaced is never mapped
 * itself, and the system loader cannot hand back an old mapping of it. */
static FacetResult install(FacetRuntime *rt, FacetReload **out)
{
    FacetReload *st;
    FacetResult r = FACET_OK;
    if (!HOOKS_AT_LOAD)
        facet__reload_hooks = &hooks; /* no constructor: the first use does it */
    facet__os_rwlock_wrlock(&rt->load_lock);
    st = rt->reload;
    if (facet__atomic_load32(&rt->freed)) {
        r = FACET_E_STATE;
    } else if (st == NULL) {
        st = facet__calloc(1, sizeof(*st));
        if (st == NULL) {
            r = FACET_E_OUTOFMEMORY;
        } else if (FACET_FAILED(r = facet__os_rwlock_init(&st->listen_lock))) {
            facet__free(st);
        } else if (FACET_FAILED(r = facet__os_rwlock_init(&st->watch_lock))) {
            facet__os_rwlock_destroy(&st->listen_lock);
            facet__free(st);
        } else {
            rt->reload = st;
            facet__atomic_store32(&rt->shadow, 1u);
        }
    }
    if (FACET_SUCCEEDED(r) && facet__atomic_load32(&rt->reload->closing))
        r = FACET_E_STATE;
    facet__os_rwlock_wrunlock(&rt->load_lock);
    *out = FACET_SUCCEEDED(r) ? rt->reload : NULL;
    if (r == FACET_E_STATE)
        return facet__error(r, "the runtime is being freed (facet_runtime_free): no reload, "
                               "no watching");
    if (r == FACET_E_OUTOFMEMORY)
        return facet__error(r, "out of memory");
    return r;
}

FacetResult facet__reload_state(FacetRuntime *rt, FacetReload **out, const char *fn)
{
    FacetResult r = install(rt, out);
    if (FACET_FAILED(r))
        facet__error_prefix("%s", fn);
    return r;
}

/* ---- Listeners ---------------------------------------------------------- */

FacetResult facet_runtime_reload_listen(FacetRuntime *rt, FacetReloadFn fn, void *payload)
{
    FacetReload *st;
    Listener *l;
    FacetResult r;
    FACET_CHECK_ARG(rt, "facet_runtime_reload_listen");
    FACET_CHECK_ARG(fn, "facet_runtime_reload_listen");
    r = facet__reload_state(rt, &st, "facet_runtime_reload_listen");
    if (FACET_FAILED(r))
        return r;
    facet__os_rwlock_wrlock(&st->listen_lock);
    for (l = st->listeners; l != NULL; l = l->next)
        if (l->fn == fn && l->payload == payload)
            break;
    if (l != NULL) {
        facet__os_rwlock_wrunlock(&st->listen_lock);
        return facet__error(FACET_E_CONFLICT, "facet_runtime_reload_listen: this function and "
                                              "payload listen already");
    }
    l = facet__calloc(1, sizeof(*l));
    if (l != NULL) {
        l->fn = fn;
        l->payload = payload;
        l->next = st->listeners;
        st->listeners = l;
    }
    facet__os_rwlock_wrunlock(&st->listen_lock);
    if (l == NULL)
        return facet__error(FACET_E_OUTOFMEMORY, "facet_runtime_reload_listen: out of memory");
    return FACET_OK;
}

FacetResult facet_runtime_reload_unlisten(FacetRuntime *rt, FacetReloadFn fn, void *payload)
{
    FacetReload *st;
    Listener **p, *l = NULL;
    FacetResult r;
    FACET_CHECK_ARG(rt, "facet_runtime_reload_unlisten");
    FACET_CHECK_ARG(fn, "facet_runtime_reload_unlisten");
    r = facet__reload_state(rt, &st, "facet_runtime_reload_unlisten");
    if (FACET_FAILED(r))
        return r;
    facet__os_rwlock_wrlock(&st->listen_lock);
    for (p = &st->listeners; *p != NULL; p = &(*p)->next)
        if ((*p)->fn == fn && (*p)->payload == payload) {
            l = *p;
            *p = l->next;
            break;
        }
    facet__os_rwlock_wrunlock(&st->listen_lock);
    if (l == NULL)
        return facet__error(FACET_E_NOTFOUND, "facet_runtime_reload_unlisten: this function and "
                                              "payload do not listen");
    facet__free(l);
    return FACET_OK;
}

/* ---- One reload --------------------------------------------------------- */

typedef struct Attempt {
    FacetRuntime *rt;
    FacetReload *st;
    const char *name;
    FacetDeclared *d;
    FacetModule *old;            /* the version serving; NULL if its code is not loaded */
    char old_version[128];
    char *manifest;              /* its manifest's path */
    FacetManifest *mf;           /* the new version's */
    FacetModule *fresh;          /* the new version's code */
    IFacetLifecycle *life;       /* the new version's lifecycle, while it runs */
    uint32_t life_done;          /* FACET_LIFE_* of the new version */
    uint32_t started;            /* the runtime is started and the module in it */
    uint32_t old_life;           /* FACET_LIFE_* the old version had */
    FacetDeclared **dependants;  /* in dependency order */
    uint32_t dependant_count;
    uint32_t *dependant_life;    /* what each had */
    uint32_t tentative;          /* a library and manifest that disagree may be
                                  * halfway through being replaced: say nothing */
} Attempt;

static void emit(Attempt *a, uint32_t kind, FacetResult result, const char *reason)
{
    FacetReloadEvent ev;
    Listener *l;
    memset(&ev, 0, sizeof(ev));
    ev.struct_size = sizeof(ev);
    ev.kind = kind;
    ev.module = a->name;
    ev.old_version = a->old_version[0] ? a->old_version : NULL;
    ev.new_version = a->mf != NULL ? a->mf->version : NULL;
    ev.result = result;
    ev.reason = reason != NULL ? reason : "";
    facet__os_rwlock_rdlock(&a->st->listen_lock);
    for (l = a->st->listeners; l != NULL; l = l->next)
        l->fn(&ev, l->payload);
    facet__os_rwlock_rdunlock(&a->st->listen_lock);
}

/* The chosen version of the module name; the caller holds load_lock. */
static FacetDeclared *chosen(FacetRuntime *rt, const char *name, int *known)
{
    FacetDeclared *first, *d;
    HASH_FIND(hh, rt->declared_names, name, strlen(name), first);
    *known = first != NULL;
    for (d = first != NULL ? first->top : NULL; d != NULL; d = d->lower)
        if (d->state == FACET_DECLARED_CHOSEN)
            return d;
    return NULL;
}

/* Checks of the new manifest against the runtime and the modules that
 * depend on it; the caller holds load_lock. */
static FacetResult check_manifest(Attempt *a)
{
    FacetRuntime *rt = a->rt;
    const FacetManifest *mf = a->mf;
    FacetVersionRange range;
    FacetDeclared *h, *tmp, *v;
    uint32_t i;
    int known;

    if (strcmp(mf->name, a->name) != 0)
        return facet__error(FACET_E_MISMATCH,
                            "%s: the manifest now names module \"%s\", not \"%s\"", mf->path,
                            mf->name, a->name);
    if (mf->runtime == FACET_RUNTIME_GO)
        return facet__error(FACET_E_CONFLICT,
                            "%s: the new version is written in Go (\"runtime\": \"go\"): a "
                            "process has one Go runtime and cannot unload it, so a Go module "
                            "reloads only in the process host, never in-process",
                            mf->path);
    if (mf->isolation == FACET_ISOLATION_PROCESS)
        return facet__error(FACET_E_NOTIMPL,
                            "%s: the new version asks for process isolation, which this build "
                            "of libfacet does not offer",
                            mf->path);
    if (mf->api_level > rt->api_level)
        return facet__error(FACET_E_APILEVEL,
                            "%s: version %s needs host API level %u; this runtime offers %u",
                            mf->path, mf->version, (unsigned)mf->api_level,
                            (unsigned)rt->api_level);
    /* What the new version requires... */
    for (i = 0; i < mf->require_count; i++) {
        const FacetManifestRequire *rq = &mf->requires[i];
        v = chosen(rt, rq->name, &known);
        if (v == NULL)
            return facet__error(FACET_E_VERSION,
                                "%s: version %s requires module %s (%s), which is %s", mf->path,
                                mf->version, rq->name, rq->range,
                                known ? "not in use" : "not installed");
        if (FACET_FAILED(facet__range_parse(&range, rq->range)) ||
            !facet__range_satisfied(&range, &v->mf->semver))
            return facet__error(FACET_E_VERSION,
                                "%s: version %s requires %s %s, but %s is in use", mf->path,
                                mf->version, rq->name, rq->range, v->mf->version);
    }
    /* ...and what the modules in use require of it. */
    HASH_ITER(hh, rt->declared_names, h, tmp) {
        for (v = h->top; v != NULL; v = v->lower) {
            if (v->state != FACET_DECLARED_CHOSEN || v == a->d)
                continue;
            for (i = 0; i < v->mf->require_count; i++) {
                const FacetManifestRequire *rq = &v->mf->requires[i];
                if (strcmp(rq->name, a->name) != 0)
                    continue;
                if (FACET_FAILED(facet__range_parse(&range, rq->range)) ||
                    !facet__range_satisfied(&range, &mf->semver))
                    return facet__error(FACET_E_VERSION,
                                        "%s: version %s breaks module %s, which requires %s %s",
                                        mf->path, mf->version, v->mf->name, a->name, rq->range);
            }
        }
    }
    return FACET_OK;
}

/* Whether a class of the new version is claimed by another module; the
 * caller holds load_lock. */
static FacetResult check_claims(Attempt *a)
{
    FacetRuntime *rt = a->rt;
    FacetModule *m = a->fresh;
    FacetResult r = FACET_OK;
    uint32_t i;
    facet__os_rwlock_rdlock(&rt->lock);
    for (i = 0; i < m->class_count && FACET_SUCCEEDED(r); i++) {
        const FacetClassEntry *c = &m->classes[i];
        const FacetClassEntry *e = facet__registry_find_clsid(rt, &c->clsid);
        if (e == NULL && c->contract != NULL) {
            size_t len = strlen(c->contract);
            unsigned hash;
            HASH_VALUE(c->contract, len, hash);
            e = facet__registry_find_name_hashed(rt, c->contract, len, hash);
        }
        if (e != NULL && e->declared != a->d && (e->module == NULL || e->module != a->old)) {
            char cls[FACET_GUID_STRING_SIZE];
            facet_guid_format(cls, sizeof(cls), &c->clsid);
            r = facet__error(FACET_E_CONFLICT,
                             "%s: class %s (\"%s\") of the new version is registered by "
                             "another module",
                             a->mf->path, cls, c->contract ? c->contract : "");
        }
    }
    facet__os_rwlock_rdunlock(&rt->lock);
    return r;
}

/* Reads the new files and maps the new code; the caller holds load_lock. */
static FacetResult open_new(Attempt *a)
{
    FacetRuntime *rt = a->rt;
    char *library = NULL;
    FacetResult r;

    if (a->d->state != FACET_DECLARED_CHOSEN || a->d->module != a->old)
        return facet__error(FACET_E_STATE, "module %s changed while its new version was read "
                                           "(scanned again, or reloaded)",
                            a->name);
    r = check_manifest(a);
    if (FACET_SUCCEEDED(r))
        r = facet__manifest_library_path(&library, a->mf);
    if (FACET_SUCCEEDED(r))
        r = facet__reload_check_go(library);
    if (FACET_SUCCEEDED(r)) {
        r = facet__module_open(&a->fresh, rt, library, NULL, a->mf->runtime);
        if (FACET_FAILED(r))
            facet__error_prefix("%s", a->mf->path);
    }
    if (FACET_SUCCEEDED(r)) {
        r = facet__manifest_check_module(a->mf, a->fresh);
        if (FACET_SUCCEEDED(r))
            r = check_claims(a);
        if (FACET_FAILED(r)) {
            char message[2048];
            snprintf(message, sizeof(message), "%s", facet_last_error());
            facet__module_discard(a->fresh);
            a->fresh = NULL;
            facet__error(r, "%s", message);
        }
    }
    if (FACET_SUCCEEDED(r)) {
        a->fresh->declared = a->d;
        a->fresh->manifest = a->mf;
        facet__host_identify(a->fresh->host, NULL, a->mf);
        facet__reload_log_unique(rt, a->name, library);
    }
    facet__free(library);
    return r;
}

/* The modules of the last start that depend on d, directly or not, in
 * dependency order; the caller holds life_lock. */
static FacetResult find_dependants(Attempt *a)
{
    FacetRuntime *rt = a->rt;
    uint32_t i, j, k, at = UINT32_MAX;
    for (i = 0; i < rt->life_count; i++)
        if (rt->life_order[i] == a->d)
            at = i;
    if (at == UINT32_MAX)
        return FACET_OK;
    a->started = 1;
    a->dependants = facet__calloc(rt->life_count + 1, sizeof(*a->dependants));
    a->dependant_life = facet__calloc(rt->life_count + 1, sizeof(*a->dependant_life));
    if (a->dependants == NULL || a->dependant_life == NULL)
        return facet__error(FACET_E_OUTOFMEMORY, "module %s: out of memory", a->name);
    for (i = at + 1; i < rt->life_count; i++) {
        FacetDeclared *v = rt->life_order[i];
        int depends = 0;
        for (j = 0; j < v->mf->require_count && !depends; j++) {
            const char *n = v->mf->requires[j].name;
            depends = strcmp(n, a->name) == 0;
            for (k = 0; k < a->dependant_count && !depends; k++)
                depends = strcmp(n, a->dependants[k]->mf->name) == 0;
        }
        if (depends)
            a->dependants[a->dependant_count++] = v;
    }
    return FACET_OK;
}

/* Stops the dependants (in reverse order) and the old version. */
static FacetResult stop_old(Attempt *a)
{
    uint32_t i;
    FacetResult r;
    for (i = a->dependant_count; i > 0; i--) {
        FacetDeclared *v = a->dependants[i - 1];
        a->dependant_life[i - 1] = v->life;
        if (v->life == FACET_LIFE_STARTED && v->lifecycle != NULL) {
            r = IFacetLifecycle_Stop(v->lifecycle);
            v->life = FACET_LIFE_INIT;
            if (FACET_FAILED(r))
                return facet__error(r, "module %s, which depends on %s: Stop failed with %s",
                                    v->mf->name, a->name, facet_result_name(r));
        }
        v->life = v->life == FACET_LIFE_STARTED ? FACET_LIFE_INIT : v->life;
    }
    a->old_life = a->d->life;
    if (a->d->life == FACET_LIFE_STARTED && a->d->lifecycle != NULL) {
        r = IFacetLifecycle_Stop(a->d->lifecycle);
        a->d->life = FACET_LIFE_INIT;
        if (FACET_FAILED(r))
            return facet__error(r, "module %s: Stop of version %s failed with %s", a->name,
                                a->old_version, facet_result_name(r));
    }
    a->d->life = a->d->life == FACET_LIFE_STARTED ? FACET_LIFE_INIT : a->d->life;
    return FACET_OK;
}

/* Starts again what stop_old stopped: the old version, when the new one
 * was refused (old), and then the dependants. Failures are logged: the
 * reload's own outcome is what the caller reports. */
static void restart(Attempt *a, int old)
{
    uint32_t i;
    FacetResult r;
    if (old && a->old_life == FACET_LIFE_STARTED && a->d->lifecycle != NULL &&
        a->d->life == FACET_LIFE_INIT) {
        r = IFacetLifecycle_Start(a->d->lifecycle);
        if (FACET_SUCCEEDED(r))
            a->d->life = FACET_LIFE_STARTED;
        else
            facet__runtime_log(a->rt, FACET_LOG_ERROR, a->name,
                               "Start of version %s again, after the rollback, failed with %s",
                               a->old_version, facet_result_name(r));
    }
    for (i = 0; i < a->dependant_count; i++) {
        FacetDeclared *v = a->dependants[i];
        if (a->dependant_life[i] != FACET_LIFE_STARTED || v->life != FACET_LIFE_INIT ||
            v->lifecycle == NULL)
            continue;
        r = IFacetLifecycle_Start(v->lifecycle);
        if (FACET_SUCCEEDED(r))
            v->life = FACET_LIFE_STARTED;
        else
            facet__runtime_log(a->rt, FACET_LOG_ERROR, v->mf->name,
                               "Start again after the reload of %s failed with %s", a->name,
                               facet_result_name(r));
    }
}

/* Hands the old version's state to the new one; a refusal fails. */
static FacetResult hand_over(Attempt *a)
{
    IFacetReloadable *from = NULL, *to = NULL;
    IFacetBlob *state = NULL;
    FacetResult r = FACET_OK;
    void *p = NULL;

    if (a->old != NULL &&
        FACET_SUCCEEDED(IFacetFactory_QueryInterface(a->old->factory, &IID_IFacetReloadable, &p)))
        from = p;
    p = NULL;
    if (FACET_SUCCEEDED(IFacetFactory_QueryInterface(a->fresh->factory, &IID_IFacetReloadable, &p)))
        to = p;
    if (from != NULL) {
        r = IFacetReloadable_SaveState(from, &state);
        if (FACET_FAILED(r)) {
            state = NULL;
            r = facet__error(r, "module %s: version %s could not save its state (SaveState "
                                "failed with %s)",
                             a->name, a->old_version, facet_result_name(r));
        }
    }
    if (FACET_SUCCEEDED(r) && state != NULL && to == NULL)
        facet__runtime_log(a->rt, FACET_LOG_WARN, a->name,
                           "version %s has no IFacetReloadable: the state of version %s is "
                           "dropped",
                           a->mf->version, a->old_version);
    if (FACET_SUCCEEDED(r) && state != NULL && to != NULL) {
        r = IFacetReloadable_RestoreState(to, state);
        if (FACET_FAILED(r))
            r = facet__error(r, "module %s: version %s refused the state of version %s "
                                "(RestoreState returned %s)",
                             a->name, a->mf->version, a->old_version, facet_result_name(r));
    }
    if (state != NULL)
        IFacetBlob_Release(state);
    if (from != NULL)
        IFacetReloadable_Release(from);
    if (to != NULL)
        IFacetReloadable_Release(to);
    return r;
}

/* Init and Start of the new version, while the runtime is started. */
static FacetResult start_new(Attempt *a)
{
    void *p = NULL;
    FacetResult r;
    if (!a->started || a->old_life == FACET_LIFE_NONE)
        return FACET_OK;
    if (FACET_FAILED(IFacetFactory_QueryInterface(a->fresh->factory, &IID_IFacetLifecycle, &p)))
        return FACET_OK;
    a->life = p;
    r = IFacetLifecycle_Init(a->life);
    if (FACET_FAILED(r))
        return facet__error(r, "module %s: Init of version %s failed with %s (%s)", a->name,
                            a->mf->version, facet_result_name(r), facet_result_description(r));
    a->life_done = FACET_LIFE_INIT;
    if (a->old_life != FACET_LIFE_STARTED)
        return FACET_OK;
    r = IFacetLifecycle_Start(a->life);
    if (FACET_FAILED(r))
        return facet__error(r, "module %s: Start of version %s failed with %s (%s)", a->name,
                            a->mf->version, facet_result_name(r), facet_result_description(r));
    a->life_done = FACET_LIFE_STARTED;
    return FACET_OK;
}

/* Winds the new version down and unmaps it. */
static void drop_new(Attempt *a)
{
    if (a->life != NULL) {
        if (a->life_done == FACET_LIFE_STARTED)
            IFacetLifecycle_Stop(a->life);
        if (a->life_done != FACET_LIFE_NONE)
            IFacetLifecycle_Shutdown(a->life);
        IFacetLifecycle_Release(a->life);
        a->life = NULL;
    }
    if (a->fresh != NULL) {
        facet__os_rwlock_wrlock(&a->rt->load_lock);
        facet__module_discard(a->fresh);
        facet__os_rwlock_wrunlock(&a->rt->load_lock);
        a->fresh = NULL;
    }
}

/* New entries for the classes the new manifest declares. */
static FacetResult keep(Attempt *a, Kept **out)
{
    Kept *k = facet__calloc(1, sizeof(*k));
    uint32_t i;
    *out = k;
    if (k == NULL)
        return facet__error(FACET_E_OUTOFMEMORY, "module %s: out of memory", a->name);
    k->lazy = facet__calloc(a->mf->class_count + 1, sizeof(*k->lazy));
    if (k->lazy == NULL) {
        facet__free(k);
        *out = NULL;
        return facet__error(FACET_E_OUTOFMEMORY, "module %s: out of memory", a->name);
    }
    for (i = 0; i < a->mf->class_count; i++) {
        const FacetManifestClass *c = &a->mf->classes[i];
        k->lazy[i].clsid = c->clsid;
        k->lazy[i].contract = c->contract;
        k->lazy[i].version = c->version ? c->version : a->mf->version;
        k->lazy[i].threading = c->threading == UINT32_MAX ? 0 : c->threading;
        k->lazy[i].index = i;
        k->lazy[i].declared = a->d;
        k->lazy[i].manifest = a->mf;
    }
    k->mf = a->mf;
    return FACET_OK;
}

/* The new version takes the old one's place in the registry, in one step
 * under rt->lock. */
static FacetResult swap(Attempt *a)
{
    FacetRuntime *rt = a->rt;
    FacetDeclared *d = a->d;
    FacetResult r;
    Kept *k;

    r = keep(a, &k);
    if (FACET_FAILED(r))
        return r;
    facet__os_rwlock_wrlock(&rt->load_lock);
    facet__os_rwlock_wrlock(&rt->lock);
    if (a->old != NULL)
        facet__registry_remove_module(rt, a->old);
    else if (d->registered)
        facet__registry_remove(rt, d->lazy, d->mf->class_count);
    r = facet__registry_add_module(rt, a->fresh);
    if (FACET_FAILED(r)) {
        if (a->old != NULL)
            facet__registry_add_module(rt, a->old);
        else if (d->registered && FACET_FAILED(facet__registry_add(rt, d->lazy, d->mf->class_count)))
            d->registered = 0;
    } else {
        a->fresh->holds = 1;
        a->fresh->state = FACET_MODULE_LOADED;
        a->fresh->next = rt->modules;
        rt->modules = a->fresh;
        facet__runtime_addref(rt);
        if (a->old != NULL) {
            a->old->holds = 0;
            a->old->state = FACET_MODULE_WAITING;
        }
        d->module = a->fresh;
        d->mf = a->mf;
        d->lazy = k->lazy;
        k->next = a->st->kept;
        a->st->kept = k;
    }
    facet__os_rwlock_wrunlock(&rt->lock);
    facet__os_rwlock_wrunlock(&rt->load_lock);
    if (FACET_FAILED(r)) {
        facet__free(k->lazy);
        facet__free(k);
        return facet__error_prefix("module %s", a->name);
    }
    a->fresh = NULL;
    a->mf = NULL; /* kept */
    return FACET_OK;
}

/* The old version's lifecycle ends; the dependants start again. */
static void finish(Attempt *a)
{
    FacetDeclared *d = a->d;
    if (a->started && a->old_life != FACET_LIFE_NONE) {
        if (d->lifecycle != NULL) {
            FacetResult r = IFacetLifecycle_Shutdown(d->lifecycle);
            if (FACET_FAILED(r))
                facet__runtime_log(a->rt, FACET_LOG_WARN, a->name,
                                   "Shutdown of version %s failed with %s", a->old_version,
                                   facet_result_name(r));
            IFacetLifecycle_Release(d->lifecycle);
        }
        d->lifecycle = a->life;
        d->life = a->life_done;
        if (a->life == NULL)
            d->life = a->old_life;
        a->life = NULL;
    }
    /* Nothing of the runtime's holds the old code now: unused, it goes. */
    facet__os_rwlock_wrlock(&a->rt->load_lock);
    facet__runtime_collect_locked(a->rt);
    facet__os_rwlock_wrunlock(&a->rt->load_lock);
    restart(a, 0);
}

static void started(Attempt *a)
{
    emit(a, FACET_RELOAD_STARTED, FACET_OK, NULL);
    facet__runtime_log(a->rt, FACET_LOG_INFO, a->name, "reload: trying version %s (%s serves)",
                       a->mf ? a->mf->version : "?", a->old_version);
}

static FacetResult reload_locked(Attempt *a)
{
    FacetRuntime *rt = a->rt;
    FacetResult r;
    char reason[2048];
    int known;

    /* Which module, and what serves now. */
    facet__os_rwlock_wrlock(&rt->load_lock);
    a->d = chosen(rt, a->name, &known);
    if (a->d != NULL) {
        a->old = a->d->module;
        snprintf(a->old_version, sizeof(a->old_version), "%s", a->d->mf->version);
        a->manifest = facet__strdup(a->d->mf->path);
    }
    facet__os_rwlock_wrunlock(&rt->load_lock);
    if (a->d == NULL)
        return facet__error(FACET_E_NOTFOUND,
                            known ? "facet_runtime_reload: module %s is not in use (disabled, "
                                    "broken, or shadowed by another version); nothing to reload"
                                  : "facet_runtime_reload: no scanned module is named %s",
                            a->name);
    if (a->manifest == NULL)
        return facet__error(FACET_E_OUTOFMEMORY, "facet_runtime_reload: out of memory");

    /* A Go module stays as it is: refused before anything is read. */
    if ((a->old != NULL && a->old->runtime == FACET_RUNTIME_GO) ||
        a->d->mf->runtime == FACET_RUNTIME_GO) {
        r = facet__error(FACET_E_CONFLICT,
                         "module %s is written in Go: a process has one Go runtime and cannot "
                         "unload it, so a Go module reloads only when it runs in the process "
                         "host; in-process, its change is refused and version %s keeps "
                         "serving",
                         a->name, a->old_version);
        facet__runtime_log(rt, FACET_LOG_WARN, a->name, "%s", facet_last_error());
        emit(a, FACET_RELOAD_ROLLED_BACK, r, facet_last_error());
        return r;
    }

    r = facet_manifest_load(&a->mf, a->manifest);
    if (!a->tentative)
        started(a);
    if (FACET_SUCCEEDED(r)) {
        facet__os_rwlock_wrlock(&rt->load_lock);
        r = open_new(a);
        facet__os_rwlock_wrunlock(&rt->load_lock);
    }
    if (a->tentative) {
        if (r == FACET_E_MISMATCH) {
            /* The other file may be on its way: the watcher tries again. */
            facet__runtime_log(rt, FACET_LOG_DEBUG, a->name,
                               "reload: library and manifest disagree (%s); waiting for the "
                               "other file",
                               facet_last_error());
            return r;
        }
        started(a);
    }
    if (FACET_SUCCEEDED(r))
        r = find_dependants(a);
    if (FACET_SUCCEEDED(r))
        r = stop_old(a);
    if (FACET_SUCCEEDED(r))
        r = hand_over(a);
    if (FACET_SUCCEEDED(r))
        r = start_new(a);
    if (FACET_SUCCEEDED(r))
        r = swap(a);
    if (FACET_SUCCEEDED(r)) {
        char version[128];
        finish(a);
        snprintf(version, sizeof(version), "%s", a->d->mf->version);
        facet__runtime_log(rt, FACET_LOG_INFO, a->name,
                           "reload: version %s serves new instances; version %s stays loaded "
                           "until its last object is released",
                           version, a->old_version[0] ? a->old_version : "(none)");
        {
            /* The listener is told the version that now serves. */
            FacetManifest *tmp = a->mf;
            a->mf = a->d->mf;
            emit(a, FACET_RELOAD_SUCCEEDED, FACET_OK, NULL);
            a->mf = tmp;
        }
        return FACET_OK;
    }

    /* Rolled back. */
    snprintf(reason, sizeof(reason), "%s", facet_last_error());
    drop_new(a);
    restart(a, 1);
    facet__runtime_log(rt, FACET_LOG_WARN, a->name,
                       "reload rolled back: %s; version %s keeps serving", reason,
                       a->old_version);
    emit(a, FACET_RELOAD_ROLLED_BACK, r, reason);
    return facet__error(r, "%s; rolled back: version %s keeps serving", reason, a->old_version);
}

FacetResult facet_runtime_reload(FacetRuntime *rt, const char *name)
{
    FACET_CHECK_ARG(rt, "facet_runtime_reload");
    FACET_CHECK_ARG(name, "facet_runtime_reload");
    if (name[0] == '\0')
        return facet__error(FACET_E_INVALIDARG, "facet_runtime_reload: the module name is empty");
    return facet__reload_run(rt, name, 0);
}

FacetResult facet__reload_run(FacetRuntime *rt, const char *name, int tentative)
{
    Attempt a;
    FacetResult r;
    memset(&a, 0, sizeof(a));
    a.rt = rt;
    a.name = name;
    a.tentative = tentative != 0;
    r = facet__reload_state(rt, &a.st, "facet_runtime_reload");
    if (FACET_FAILED(r))
        return r;
    facet__os_rwlock_wrlock(&rt->life_lock);
    if (facet__atomic_load32(&a.st->closing))
        r = facet__error(FACET_E_STATE, "facet_runtime_reload: the runtime is being freed");
    else
        r = reload_locked(&a);
    facet__os_rwlock_wrunlock(&rt->life_lock);
    if (a.mf != NULL) {
        char message[2048];
        snprintf(message, sizeof(message), "%s", facet_last_error());
        facet_manifest_free(a.mf);
        if (FACET_FAILED(r))
            facet__error(r, "%s", message);
    }
    facet__free(a.manifest);
    facet__free(a.dependants);
    facet__free(a.dependant_life);
    return r;
}
