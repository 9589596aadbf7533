/*
 * core/runtime.c - the runtime object, module lifetime, and creating
 * instances.
 *
 * Locks: load_lock serialises loading and unloading (they call into module
 * code, which may call back into the runtime, so rt->lock is never held
 * across a call into a module); rt->lock guards the module list and the
 * class tables and is held only for table work.
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"

static const char *level_name(uint32_t level)
{
    static const char *const names[] = {"trace", "debug", "info", "warn", "error"};
    return level <= FACET_LOG_ERROR ? names[level] : "?";
}

void facet__runtime_log(FacetRuntime *rt, uint32_t level, const char *module,
                        const char *message)
{
    if (rt->log != NULL)
        rt->log(level, module, message, rt->log_payload);
    else
        fprintf(stderr, "[%s] %s: %s\n", module, level_name(level), message);
}

FacetResult facet_runtime_new(FacetRuntime **out, const FacetRuntimeOptions *opts)
{
    FacetRuntimeOptions defaults = FACET_RUNTIME_OPTIONS_INIT;
    FacetRuntime *rt;
    FacetResult r;

    FACET_CHECK_ARG(out, "facet_runtime_new");
    *out = NULL;
    if (opts == NULL)
        opts = &defaults;
    if (opts->struct_size < sizeof(FacetRuntimeOptions))
        return facet__error(FACET_E_STRUCTSIZE,
                            "facet_runtime_new: opts->struct_size is %u, expected %u; initialise "
                            "the options with FACET_RUNTIME_OPTIONS_INIT",
                            (unsigned)opts->struct_size, (unsigned)sizeof(FacetRuntimeOptions));
    if (opts->log_level > FACET_LOG_ERROR + 1)
        return facet__error(FACET_E_INVALIDARG,
                            "facet_runtime_new: log_level %u; expected FACET_LOG_TRACE (0) to "
                            "FACET_LOG_ERROR (4), or 5 for none",
                            (unsigned)opts->log_level);
    rt = facet__calloc(1, sizeof(*rt));
    if (rt == NULL)
        return facet__error(FACET_E_OUTOFMEMORY, "facet_runtime_new: out of memory");
    rt->refs = 1;
    rt->api_level = opts->api_level ? opts->api_level : FACET_API_LEVEL;
    rt->log_level = opts->log_level;
    rt->log = opts->log;
    rt->log_payload = opts->log_payload;
    rt->manifests.chunk_size = 64 * 1024; /* scanned manifests, packed */
    rt->main_thread = facet__os_thread_id();
    r = facet__os_rwlock_init(&rt->lock);
    if (FACET_FAILED(r))
        goto fail_lock;
    r = facet__os_rwlock_init(&rt->load_lock);
    if (FACET_FAILED(r))
        goto fail_load_lock;
    r = facet__os_rwlock_init(&rt->life_lock);
    if (FACET_FAILED(r))
        goto fail_life_lock;
    r = facet__host_new(&rt->host, rt, NULL);
    if (FACET_FAILED(r))
        goto fail_host;
    *out = rt;
    return FACET_OK;
fail_host:
    facet__os_rwlock_destroy(&rt->life_lock);
fail_life_lock:
    facet__os_rwlock_destroy(&rt->load_lock);
fail_load_lock:
    facet__os_rwlock_destroy(&rt->lock);
fail_lock:
    facet__free(rt);
    return r;
}

void facet__runtime_addref(FacetRuntime *rt)
{
    facet__atomic_inc32(&rt->refs);
}

void facet__runtime_release(FacetRuntime *rt)
{
    if (facet__atomic_dec32(&rt->refs) != 0)
        return;
    facet__host_release(rt->host);
    /* Every module is closed by now: nothing points at what they declared. */
    facet__declared_free_all(rt);
    facet__config_free(rt->config);
    facet__os_rwlock_destroy(&rt->life_lock);
    facet__os_rwlock_destroy(&rt->load_lock);
    facet__os_rwlock_destroy(&rt->lock);
    facet__free(rt);
}

/* Unlinks m from rt->modules; the caller holds rt->lock for writing. */
static void unlink_module(FacetRuntime *rt, FacetModule *m)
{
    FacetModule **p;
    for (p = &rt->modules; *p != NULL; p = &(*p)->next)
        if (*p == m) {
            *p = m->next;
            return;
        }
}

/* Unloads every waiting module whose code is no longer in use. The caller
 * holds load_lock. Returns how many are still waiting. */
static uint32_t collect_locked(FacetRuntime *rt)
{
    FacetModule *m, *next, *ready = NULL;
    uint32_t waiting = 0;

    facet__os_rwlock_rdlock(&rt->lock);
    m = rt->modules;
    facet__os_rwlock_rdunlock(&rt->lock);
    /* The list changes only under load_lock, which we hold. */
    for (; m != NULL; m = next) {
        next = m->next;
        if (m->state != FACET_MODULE_WAITING)
            continue;
        if (facet__atomic_load32(&m->busy) != 0 || IFacetFactory_CanUnload(m->factory) != FACET_OK) {
            waiting++;
            continue;
        }
        facet__os_rwlock_wrlock(&rt->lock);
        unlink_module(rt, m);
        facet__os_rwlock_wrunlock(&rt->lock);
        m->next = ready;
        ready = m;
    }
    for (m = ready; m != NULL; m = next) {
        next = m->next;
        facet__module_close(m);
        facet__runtime_release(rt);
    }
    return waiting;
}

FacetResult facet_runtime_collect(FacetRuntime *rt)
{
    uint32_t waiting;
    FACET_CHECK_ARG(rt, "facet_runtime_collect");
    facet__os_rwlock_wrlock(&rt->load_lock);
    waiting = collect_locked(rt);
    facet__os_rwlock_wrunlock(&rt->load_lock);
    return waiting ? FACET_FALSE : FACET_OK;
}

/* Unregisters m's classes: nothing new can be created from it. */
static void let_go(FacetRuntime *rt, FacetModule *m)
{
    facet__os_rwlock_wrlock(&rt->lock);
    m->holds = 0;
    m->state = FACET_MODULE_WAITING;
    facet__registry_remove_module(rt, m);
    facet__os_rwlock_wrunlock(&rt->lock);
}

FacetResult facet_runtime_free(FacetRuntime *rt)
{
    FacetModule *m;
    char names[512];
    size_t used = 0;
    uint32_t waiting;

    if (rt == NULL)
        return FACET_OK;
    if (rt->started)
        facet_runtime_stop(rt);
    facet__services_free(rt);
    facet__os_rwlock_wrlock(&rt->load_lock);
    for (m = rt->modules; m != NULL; m = m->next)
        if (m->state == FACET_MODULE_LOADED)
            let_go(rt, m);
    /* The classes scanned but never loaded go too. */
    facet__os_rwlock_wrlock(&rt->lock);
    facet__registry_clear(rt);
    facet__os_rwlock_wrunlock(&rt->lock);
    waiting = collect_locked(rt);
    names[0] = '\0';
    for (m = rt->modules; m != NULL && used < sizeof(names) - 1; m = m->next) {
        int n = snprintf(names + used, sizeof(names) - used, "%s%s", used ? ", " : "",
                         m->info.name);
        used += n > 0 ? (size_t)n : 0;
    }
    facet__os_rwlock_wrunlock(&rt->load_lock);
    facet__runtime_release(rt);
    if (waiting == 0)
        return FACET_OK;
    facet__error(FACET_FALSE,
                 "facet_runtime_free: %u module(s) stay loaded because objects they created are "
                 "still alive: %s",
                 (unsigned)waiting, names);
    return FACET_FALSE;
}

static FacetModule *find_module_by_path(FacetRuntime *rt, const char *path)
{
    FacetModule *m;
    for (m = rt->modules; m != NULL; m = m->next)
        if (strcmp(m->path, path) == 0)
            return m;
    return NULL;
}

FacetResult facet_module_load(FacetModule **out, FacetRuntime *rt, const char *path)
{
    FacetModule *m;
    char *canonical = NULL;
    FacetResult r;

    FACET_CHECK_ARG(out, "facet_module_load");
    *out = NULL;
    FACET_CHECK_ARG(rt, "facet_module_load");
    FACET_CHECK_ARG(path, "facet_module_load");
    if (path[0] == '\0')
        return facet__error(FACET_E_INVALIDARG, "facet_module_load: the path is empty");

    facet__os_rwlock_wrlock(&rt->load_lock);
    /* Loading a file that is already loaded gives the same module. Only a
     * missing file may go on without its canonical path (the open below
     * reports it); on any other failure the runtime cannot tell whether the
     * file is loaded, and opening it again would hand the module a second
     * host object and register its classes twice. */
    r = facet__os_realpath(&canonical, path);
    if (FACET_FAILED(r) && r != FACET_E_FILENOTFOUND) {
        facet__os_rwlock_wrunlock(&rt->load_lock);
        return r;
    }
    if (FACET_SUCCEEDED(r)) {
        m = find_module_by_path(rt, canonical);
        facet__free(canonical);
        if (m != NULL) {
            facet__os_rwlock_wrlock(&rt->lock);
            if (m->state == FACET_MODULE_WAITING) {
                r = facet__registry_add_module(rt, m);
                if (FACET_SUCCEEDED(r))
                    m->state = FACET_MODULE_LOADED;
            } else {
                r = FACET_OK;
            }
            if (FACET_SUCCEEDED(r))
                m->holds++;
            facet__os_rwlock_wrunlock(&rt->lock);
            facet__os_rwlock_wrunlock(&rt->load_lock);
            if (FACET_FAILED(r))
                return r;
            *out = m;
            return FACET_OK;
        }
    }
    r = facet__module_open(&m, rt, path);
    if (FACET_SUCCEEDED(r))
        r = facet__runtime_add_module(rt, m);
    facet__os_rwlock_wrunlock(&rt->load_lock);
    if (FACET_FAILED(r))
        return r;
    *out = m;
    return FACET_OK;
}

FacetResult facet__runtime_add_module(FacetRuntime *rt, FacetModule *m)
{
    FacetResult r;
    facet__os_rwlock_wrlock(&rt->lock);
    r = facet__registry_add_module(rt, m);
    if (FACET_SUCCEEDED(r)) {
        m->holds = 1;
        m->state = FACET_MODULE_LOADED;
        m->next = rt->modules;
        rt->modules = m;
        facet__runtime_addref(rt);
    }
    facet__os_rwlock_wrunlock(&rt->lock);
    if (FACET_FAILED(r)) {
        /* Keep the conflict's message: closing calls into the module. */
        char message[1024];
        memcpy(message, facet_last_error(), sizeof(message) - 1);
        message[sizeof(message) - 1] = '\0';
        facet__module_close(m);
        facet__error(r, "%s", message);
    }
    return r;
}

FacetResult facet_module_unload(FacetModule *module)
{
    FacetModule *m = (FacetModule *)module;
    FacetRuntime *rt;
    uint32_t waiting = 0;
    FACET_CHECK_ARG(module, "facet_module_unload");
    rt = m->rt;
    facet__os_rwlock_wrlock(&rt->load_lock);
    if (m->state != FACET_MODULE_LOADED || m->holds == 0) {
        facet__os_rwlock_wrunlock(&rt->load_lock);
        return facet__error(FACET_E_STATE,
                            "facet_module_unload: %s was already unloaded; each "
                            "facet_module_load is matched by one unload",
                            m->path);
    }
    if (m->holds == 1) {
        FacetModule *it;
        let_go(rt, m);
        collect_locked(rt);
        /* m may be freed now: compare pointers only. */
        for (it = rt->modules; it != NULL; it = it->next)
            waiting |= it == m;
    } else {
        facet__os_rwlock_wrlock(&rt->lock);
        m->holds--;
        facet__os_rwlock_wrunlock(&rt->lock);
    }
    facet__os_rwlock_wrunlock(&rt->load_lock);
    return waiting ? FACET_FALSE : FACET_OK;
}

FacetResult facet_module_info(FacetModuleInfo *out, const FacetModule *module)
{
    FacetModule *m = (FacetModule *)module;
    uint32_t size;
    FACET_CHECK_ARG(out, "facet_module_info");
    FACET_CHECK_ARG(module, "facet_module_info");
    size = out->struct_size < sizeof(FacetModuleInfo) ? out->struct_size
                                                      : (uint32_t)sizeof(FacetModuleInfo);
    if (size < sizeof(uint32_t))
        return facet__error(FACET_E_STRUCTSIZE,
                            "facet_module_info: out->struct_size is %u; initialise it with "
                            "FACET_MODULE_INFO_INIT",
                            (unsigned)out->struct_size);
    memcpy((char *)out + sizeof(uint32_t), (const char *)&m->info + sizeof(uint32_t),
           size - sizeof(uint32_t));
    out->struct_size = size;
    return FACET_OK;
}

const char *facet_module_path(const FacetModule *module)
{
    return module ? module->path : NULL;
}

FacetResult facet_module_factory(IFacetFactory **out, FacetModule *module)
{
    FacetModule *m = (FacetModule *)module;
    FACET_CHECK_ARG(out, "facet_module_factory");
    *out = NULL;
    FACET_CHECK_ARG(module, "facet_module_factory");
    IFacetFactory_AddRef(m->factory);
    *out = m->factory;
    return FACET_OK;
}

FacetResult facet_runtime_stats(FacetRuntimeStats *out, FacetRuntime *rt)
{
    FacetModule *m;
    FACET_CHECK_ARG(out, "facet_runtime_stats");
    FACET_CHECK_ARG(rt, "facet_runtime_stats");
    if (out->struct_size < sizeof(FacetRuntimeStats))
        return facet__error(FACET_E_STRUCTSIZE,
                            "facet_runtime_stats: out->struct_size is %u, expected %u",
                            (unsigned)out->struct_size, (unsigned)sizeof(FacetRuntimeStats));
    memset((char *)out + sizeof(uint32_t), 0, sizeof(*out) - sizeof(uint32_t));
    facet__os_rwlock_rdlock(&rt->lock);
    for (m = rt->modules; m != NULL; m = m->next) {
        out->modules_loaded++;
        if (m->state == FACET_MODULE_WAITING)
            out->modules_waiting++;
    }
    out->classes = facet__registry_count(rt);
    facet__os_rwlock_rdunlock(&rt->lock);
    out->allocations_live = facet_testing_live_allocations();
    out->allocations_total = facet__total_allocations();
    return FACET_OK;
}

/* ---- Creating instances ------------------------------------------------ */

/* Says why a CreateInstance of m's class clsid failed. The caller still
 * holds m busy, so m (and its path) cannot be unloaded meanwhile. */
static FacetResult create_failed(void **out, FacetModule *m, const FacetGuid *clsid,
                                 const char *contract, const FacetGuid *iid, FacetResult r)
{
    char cls[FACET_GUID_STRING_SIZE], itf[FACET_GUID_STRING_SIZE];

    facet_guid_format(cls, sizeof(cls), clsid);
    facet_guid_format(itf, sizeof(itf), iid);
    if (FACET_SUCCEEDED(r))
        return facet__error(FACET_E_CONTRACT,
                            "%s: CreateInstance of class %s (\"%s\") returned %s with a NULL "
                            "object",
                            facet__basename(m->path), cls, contract, facet_result_name(r));
    if (*out != NULL) {
        *out = NULL;
        return facet__error(FACET_E_CONTRACT,
                            "%s: CreateInstance of class %s (\"%s\") failed with %s but set "
                            "*out; a failing call must leave its out-pointer NULL",
                            facet__basename(m->path), cls, contract, facet_result_name(r));
    }
    if (r == FACET_E_NOINTERFACE)
        return facet__error(r, "%s: class %s (\"%s\") does not implement interface %s",
                            facet__basename(m->path), cls, contract, itf);
    return facet__error(r, "%s: CreateInstance of class %s (\"%s\") failed with %s (%s)",
                        facet__basename(m->path), cls, contract, facet_result_name(r),
                        facet_result_description(r));
}

static FacetResult create_from(void **out, FacetRuntime *rt, FacetClassEntry *e,
                               IFacetUnknown *outer, const FacetGuid *iid)
{
    FacetModule *m = e->module;
    IFacetFactory *factory = m->factory;
    FacetGuid clsid = e->clsid;
    const char *contract = e->contract ? e->contract : "";
    char cls[FACET_GUID_STRING_SIZE];
    FacetResult r;

    if (e->threading == FACET_THREADING_MAIN && facet__os_thread_id() != rt->main_thread) {
        facet__os_rwlock_rdunlock(&rt->lock);
        facet_guid_format(cls, sizeof(cls), &clsid);
        return facet__error(FACET_E_WRONGTHREAD,
                            "%s: class %s (\"%s\") is FACET_THREADING_MAIN: create it on the "
                            "thread that made the runtime",
                            facet__basename(m->path), cls, contract);
    }
    /* e was found under rt->lock (read); busy keeps the module's code in
     * place from here until the call returns. */
    facet__atomic_inc32(&m->busy);
    facet__os_rwlock_rdunlock(&rt->lock);
    r = IFacetFactory_CreateInstance(factory, &clsid, outer, iid, out);
    if (FACET_FAILED(r) || *out == NULL)
        r = create_failed(out, m, &clsid, contract, iid, r);
    facet__atomic_dec32(&m->busy);
    return r;
}

/* e is a scanned class whose code is not loaded; the caller holds rt->lock
 * (read). Loads it with the lock let go (loading calls into the module) and
 * takes the lock again on success, for the caller to look again. */
static FacetResult load_declared(FacetRuntime *rt, FacetClassEntry *e)
{
    FacetDeclared *d = e->declared; /* lives as long as rt */
    FacetResult r;
    facet__os_rwlock_rdunlock(&rt->lock);
    r = facet__declared_load(rt, d);
    if (FACET_SUCCEEDED(r))
        facet__os_rwlock_rdlock(&rt->lock);
    return r;
}

/* Finds a class by alias, contract name or clsid text; the caller holds
 * rt->lock. Aliases come first, so that a host can point a contract name at
 * another class. */
static FacetClassEntry *find_by_name(FacetRuntime *rt, const char *name)
{
    FacetGuid clsid;
    FacetClassEntry *e;
    size_t len = strlen(name);
    unsigned hash;
    HASH_VALUE(name, len, hash);
    if (rt->config != NULL && rt->config->aliases != NULL) {
        FacetAlias *a;
        HASH_FIND_BYHASHVALUE(hh, rt->config->aliases, name, len, hash, a);
        if (a != NULL) {
            if (a->is_clsid)
                return facet__registry_find_clsid(rt, &a->clsid);
            name = a->target;
            len = a->target_len;
            hash = a->target_hash;
        }
    }
    e = facet__registry_find_name_hashed(rt, name, len, hash);
    if (e == NULL && (name[0] == '{' || strlen(name) == 36) &&
        FACET_SUCCEEDED(facet_guid_parse(&clsid, name)))
        e = facet__registry_find_clsid(rt, &clsid);
    return e;
}

/* Says that no class answers to what; the caller holds rt->lock. name is
 * what was asked for (an alias, a contract name or clsid text; NULL when
 * what is a clsid's text), clsid the clsid asked for, if one was. When a
 * scanned module declares the class but lost a claim to another, the
 * message says so, and why. */
static FacetResult not_registered(FacetRuntime *rt, const char *what, const char *name,
                                  const FacetGuid *clsid)
{
    const FacetDeclared *d = NULL;
    const FacetAlias *a = NULL;
    const char *contract = name;
    char text[FACET_GUID_STRING_SIZE + 16] = "";
    FacetGuid parsed;

    if (rt->rejected != NULL) {
        if (name != NULL && rt->config != NULL)
            HASH_FIND_STR(rt->config->aliases, name, a);
        if (a != NULL && a->is_clsid) {
            clsid = &a->clsid;
            contract = NULL;
            facet_guid_format(text + 11, FACET_GUID_STRING_SIZE, clsid);
            memcpy(text, " (alias of ", 11);
            strcat(text, ")");
        } else if (a != NULL) {
            contract = a->target;
        } else if (name != NULL && FACET_SUCCEEDED(facet_guid_parse(&parsed, name))) {
            clsid = &parsed;
        }
        d = facet__declared_rejected(rt, contract, clsid);
    }
    if (d != NULL)
        return facet__error(FACET_E_CLASSNOTREG, "%s%s: no loaded module offers it; %s", what,
                            text, d->message ? d->message : "");
    if (name == NULL)
        return facet__error(FACET_E_CLASSNOTREG, "%s: no loaded module offers it", what);
    return facet__error(FACET_E_CLASSNOTREG,
                        "%s: no loaded module offers a class by that contract name, alias or "
                        "clsid",
                        what);
}

/* The same for a name: "\"name\"" is what the message calls it. */
static FacetResult name_not_registered(FacetRuntime *rt, const char *name)
{
    char what[1024];
    snprintf(what, sizeof(what), "\"%.*s\"", 1000, name);
    return not_registered(rt, what, name, NULL);
}

FacetResult facet_create_instance(void **out, FacetRuntime *rt, const FacetGuid *clsid,
                                  IFacetUnknown *outer, const FacetGuid *iid)
{
    FacetClassEntry *e;
    int tries;
    char text[FACET_GUID_STRING_SIZE], what[FACET_GUID_STRING_SIZE + 8];
    FacetResult r;

    FACET_CHECK_ARG(out, "facet_create_instance");
    *out = NULL;
    FACET_CHECK_ARG(rt, "facet_create_instance");
    FACET_CHECK_ARG(clsid, "facet_create_instance");
    FACET_CHECK_ARG(iid, "facet_create_instance");
    facet__os_rwlock_rdlock(&rt->lock);
    e = facet__registry_find_clsid(rt, clsid);
    /* A scanned class loads its module first; a scan that chose another
     * version meanwhile leaves a lazy entry again, so look a few times. */
    for (tries = 0; e != NULL && e->module == NULL && tries < 3; tries++) {
        r = load_declared(rt, e);
        if (FACET_FAILED(r))
            return r;
        e = facet__registry_find_clsid(rt, clsid);
    }
    if (e != NULL && e->module != NULL)
        return create_from(out, rt, e, outer, iid);
    facet_guid_format(text, sizeof(text), clsid);
    snprintf(what, sizeof(what), "class %s", text);
    r = not_registered(rt, what, NULL, clsid);
    facet__os_rwlock_rdunlock(&rt->lock);
    return r;
}

FacetResult facet_create_instance_by_name(void **out, FacetRuntime *rt, const char *name,
                                          IFacetUnknown *outer, const FacetGuid *iid)
{
    FacetClassEntry *e;
    int tries;
    FacetResult r;
    FACET_CHECK_ARG(out, "facet_create_instance_by_name");
    *out = NULL;
    FACET_CHECK_ARG(rt, "facet_create_instance_by_name");
    FACET_CHECK_ARG(name, "facet_create_instance_by_name");
    FACET_CHECK_ARG(iid, "facet_create_instance_by_name");
    facet__os_rwlock_rdlock(&rt->lock);
    e = find_by_name(rt, name);
    for (tries = 0; e != NULL && e->module == NULL && tries < 3; tries++) {
        r = load_declared(rt, e);
        if (FACET_FAILED(r))
            return r;
        e = find_by_name(rt, name);
    }
    if (e != NULL && e->module != NULL)
        return create_from(out, rt, e, outer, iid);
    r = name_not_registered(rt, name);
    facet__os_rwlock_rdunlock(&rt->lock);
    return r;
}

FacetResult facet_class_lookup(FacetGuid *out, FacetRuntime *rt, const char *name)
{
    FacetClassEntry *e;
    FacetResult r;
    FACET_CHECK_ARG(out, "facet_class_lookup");
    memset(out, 0, sizeof(*out));
    FACET_CHECK_ARG(rt, "facet_class_lookup");
    FACET_CHECK_ARG(name, "facet_class_lookup");
    facet__os_rwlock_rdlock(&rt->lock);
    e = find_by_name(rt, name);
    if (e != NULL)
        *out = e->clsid;
    r = e != NULL ? FACET_OK : name_not_registered(rt, name);
    facet__os_rwlock_rdunlock(&rt->lock);
    return r;
}
