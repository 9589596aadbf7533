/*
 * core/runtime/runtime.c - the runtime object, module lifetime, module handles, and
 * creating instances.
 *
 * Locks: load_lock serialises loading and unloading (they call into module
 * code, which may call back into the runtime, so rt->lock is never held
 * across a call into a module); rt->lock guards the module list and the
 * class tables and is held only for table work.
 */
#include <stdio.h>
#include <string.h>

#include "runtime.h"

FacetResult facet_runtime_new(FacetRuntime **out, const FacetRuntimeOptions *options)
{
    FacetRuntimeOptions given = FACET_RUNTIME_OPTIONS_INIT;
    const FacetRuntimeOptions *opts = &given;
    FacetRuntime *rt;
    FacetResult r;

    FACET_CHECK_ARG(out, "facet_runtime_new");
    *out = NULL;
    r = FACET_STRUCT_READ(&given, options, FacetRuntimeOptions, FACET_RUNTIME_OPTIONS,
                          "facet_runtime_new");
    if (FACET_FAILED(r))
        return r;
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
    if (opts->scan_index != NULL && (rt->scan_index = facet__strdup(opts->scan_index)) == NULL) {
        r = facet__error(FACET_E_OUTOFMEMORY, "facet_runtime_new: out of memory");
        goto fail_lock;
    }
    r = facet__os_rwlock_init(&rt->lock);
    if (FACET_FAILED(r))
        goto fail_lock;
    r = facet__os_rwlock_init(&rt->load_lock);
    if (FACET_FAILED(r))
        goto fail_load_lock;
    r = facet__os_rwlock_init(&rt->life_lock);
    if (FACET_FAILED(r))
        goto fail_life_lock;
    r = facet__core_new(&rt->core, rt);
    if (FACET_FAILED(r))
        goto fail_core;
    r = facet__host_new(&rt->host, rt, NULL);
    if (FACET_FAILED(r))
        goto fail_host;
    *out = rt;
    return FACET_OK;
fail_host:
    facet__core_release(rt->core);
fail_core:
    facet__os_rwlock_destroy(&rt->life_lock);
fail_life_lock:
    facet__os_rwlock_destroy(&rt->load_lock);
fail_load_lock:
    facet__os_rwlock_destroy(&rt->lock);
fail_lock:
    facet__free(rt->scan_index);
    facet__free(rt);
    return r;
}

void facet__runtime_addref(FacetRuntime *rt)
{
    facet__atomic_inc32(&rt->refs);
}

int facet__runtime_tryref(FacetRuntime *rt)
{
    uint32_t n = facet__atomic_load32(&rt->refs);
    while (n != 0)
        if (facet__atomic_cas32(&rt->refs, &n, n + 1))
            return 1;
    return 0;
}

void facet__runtime_release(FacetRuntime *rt)
{
    FacetModule *m, *next;
    if (facet__atomic_dec32(&rt->refs) != 0)
        return;
    /* Calls through host objects that were entering meet NULL from here. */
    facet__core_detach(rt->core);
    facet__host_release(rt->host);
    /* Every module is closed by now: nothing points at what they declared. */
    for (m = rt->closed; m != NULL; m = next) {
        next = m->next;
        facet__module_free(m);
    }
    if (rt->reload != NULL && facet__reload_hooks != NULL)
        facet__reload_hooks->free(rt);
    if (rt->discovery != NULL)
        rt->discovery->free_all(rt);
    facet__config_free(rt->config);
    facet__free(rt->scan_index);
    facet__os_rwlock_destroy(&rt->life_lock);
    facet__os_rwlock_destroy(&rt->load_lock);
    facet__os_rwlock_destroy(&rt->lock);
    facet__core_release(rt->core);
    facet__free(rt);
}

/* ---- Module handles ---------------------------------------------------- *
 *
 * What facet_module_load hands out is not the module's address but a
 * handle: the index of a slot in a process-wide table and a generation,
 * drawn from one counter that only goes up. A module's slot is given back
 * when its memory is (with its runtime), and a handle finds its module only
 * while the slot holds that generation, so a handle of a module that is
 * gone never finds another, whatever took its memory or its slot. The
 * table goes when the last module does. */

#define HANDLE_INDEX_BITS (sizeof(void *) >= 8 ? 24u : 12u)
#define HANDLE_INDEX_MASK (((uintptr_t)1 << HANDLE_INDEX_BITS) - 1u)

typedef struct HandleSlot {
    FacetModule *m;            /* NULL: free */
    uintptr_t generation;
    uint32_t next_free;        /* index + 1 of the next free slot */
} HandleSlot;

const FacetReloadHooks *facet__reload_hooks;

static FacetOsRwlock handles_lock = FACET_OS_RWLOCK_INIT;
static HandleSlot *slots;
static uint32_t slot_count, slot_cap, slots_used, first_free;
static uintptr_t generations;

FacetResult facet__module_new(FacetModule **out, FacetRuntime *rt)
{
    FacetModule *m = facet__calloc(1, sizeof(*m));
    uint32_t i = 0;
    *out = NULL;
    if (m == NULL)
        return facet__error(FACET_E_OUTOFMEMORY, "out of memory for a module");
    facet__os_rwlock_wrlock(&handles_lock);
    if (first_free != 0) {
        i = first_free - 1;
        first_free = slots[i].next_free;
    } else {
        if (slot_count == slot_cap && slot_cap < HANDLE_INDEX_MASK) {
            uint32_t cap = slot_cap ? slot_cap * 2 : 16;
            HandleSlot *grown;
            if (cap > HANDLE_INDEX_MASK)
                cap = (uint32_t)HANDLE_INDEX_MASK;
            grown = facet__realloc(slots, cap * sizeof(*slots));
            if (grown != NULL) {
                slots = grown;
                slot_cap = cap;
            }
        }
        i = slot_count < slot_cap ? slot_count++ : UINT32_MAX;
    }
    if (i != UINT32_MAX) {
        /* generations wrap only after 2^40 modules (2^20 where pointers
         * have 32 bits); 0 is never one */
        if (++generations > (UINTPTR_MAX >> HANDLE_INDEX_BITS))
            generations = 1;
        slots[i].m = m;
        slots[i].generation = generations;
        slots_used++;
        m->handle = (FacetModule *)((generations << HANDLE_INDEX_BITS) | (uintptr_t)(i + 1));
    }
    facet__os_rwlock_wrunlock(&handles_lock);
    if (i == UINT32_MAX) {
        facet__free(m);
        return facet__error(FACET_E_OUTOFMEMORY, "out of memory for a module handle");
    }
    m->rt = rt;
    *out = m;
    return FACET_OK;
}

/* The slot of a handle, or NULL; the caller holds handles_lock. */
static HandleSlot *slot_of(const FacetModule *handle)
{
    uintptr_t v = (uintptr_t)handle, i = v & HANDLE_INDEX_MASK;
    if (i == 0 || i > slot_count || slots[i - 1].m == NULL ||
        slots[i - 1].generation != v >> HANDLE_INDEX_BITS)
        return NULL;
    return &slots[i - 1];
}

void facet__module_free(FacetModule *m)
{
    HandleSlot *slot;
    if (m == NULL)
        return;
    facet__module_close(m);
    facet__os_rwlock_wrlock(&handles_lock);
    slot = slot_of(m->handle);
    if (slot != NULL) {
        slot->m = NULL;
        slot->next_free = first_free;
        first_free = (uint32_t)(slot - slots) + 1;
        if (--slots_used == 0) {
            facet__free(slots);
            slots = NULL;
            slot_count = slot_cap = first_free = 0;
        }
    }
    facet__os_rwlock_wrunlock(&handles_lock);
    facet__free(m->path);
    facet__free(m);
}

FacetModule *facet__module_of(FacetModule *handle)
{
    HandleSlot *slot;
    FacetModule *m;
    facet__os_rwlock_rdlock(&handles_lock);
    slot = slot_of(handle);
    m = slot ? slot->m : NULL;
    facet__os_rwlock_rdunlock(&handles_lock);
    return m;
}

/* ---- Opening and closing modules ---------------------------------------- *
 *
 * The loader (loader.c) checks, maps and reads a module's file; the
 * runtime hands the module its host object and calls its one export, so
 * that the loader needs nothing of the host object. */

/* Releases what facet__module_open acquired, in reverse order. */
void facet__module_close(FacetModule *m)
{
    if (m == NULL)
        return;
    facet__loader_unmap(m);
    /* A module lets go of its host object when the runtime lets go of its
     * factory; one that does not keeps it, and the runtime's core with it,
     * but never points at freed memory. */
    facet__host_release(m->host);
    facet__free(m->classes);
    m->host = NULL;
    m->classes = NULL;
    m->class_count = 0;
    memset(&m->info, 0, sizeof(m->info));
}

void facet__module_discard(FacetModule *m)
{
    if (m != NULL && m->tomb)
        facet__module_close(m);
    else
        facet__module_free(m);
}

/* facet__module_open, for a path whose canonical form the caller has
 * already (NULL: not yet), which saves the second walk of its folders. */
static FacetResult module_open(FacetModule **out, FacetRuntime *rt, const char *path,
                               const char *canonical, FacetModule *tomb, uint32_t runtime)
{
    FacetModule *m = tomb;
    FacetModuleEntryFn entry;
    FacetImageInfo image;
    void *factory = NULL;
    FacetResult r;

    *out = NULL;
    r = facet__loader_check(&image, path);
    if (FACET_FAILED(r))
        return r;
    if (m == NULL) {
        r = facet__module_new(&m, rt);
        if (FACET_FAILED(r))
            return facet__error_prefix("%s", path);
        if (canonical == NULL) {
            r = facet__os_realpath(&m->path, path);
            if (FACET_FAILED(r))
                goto fail;
        } else if ((m->path = facet__strdup(canonical)) == NULL) {
            r = facet__error(FACET_E_OUTOFMEMORY, "%s: out of memory", path);
            goto fail;
        }
    }
    /* Known before the code is mapped, which starts a Go runtime. */
    m->runtime = image.runtime == FACET_RUNTIME_GO ? FACET_RUNTIME_GO : runtime;
    r = facet__loader_map(&entry, m, path);
    if (FACET_FAILED(r))
        goto fail;
    r = facet__host_new(&m->host, rt, m->path);
    if (FACET_FAILED(r)) {
        facet__error_prefix("%s", path);
        goto fail;
    }

    r = entry(FACET_ABI_VERSION, facet__host_unknown(m->host), &IID_IFacetFactory, &factory);
    if (FACET_FAILED(r)) {
        if (factory != NULL)
            r = facet__error(FACET_E_CONTRACT,
                             "%s: facet_module_entry failed with %s but set *factory; a failing "
                             "call must leave its out-pointer NULL",
                             path, facet_result_name(r));
        else if (r == FACET_E_ABIMISMATCH)
            facet__error(r, "%s: the module refused host ABI version %u (FACET_E_ABIMISMATCH); "
                            "rebuild it against this Facet",
                         path, (unsigned)FACET_ABI_VERSION);
        else
            facet__error(r, "%s: facet_module_entry failed with %s (%s)", path,
                         facet_result_name(r), facet_result_description(r));
        goto fail;
    }
    if (factory == NULL) {
        r = facet__error(FACET_E_CONTRACT,
                         "%s: facet_module_entry returned %s but no factory (*factory is NULL)",
                         path, facet_result_name(r));
        goto fail;
    }
    m->factory = (IFacetFactory *)factory;
    r = facet__loader_read_info(m, path);
    if (FACET_FAILED(r))
        goto fail;
    facet__host_identify(m->host, m->info.name, NULL);
    r = facet__loader_read_classes(m, path);
    if (FACET_FAILED(r))
        goto fail;
    *out = m;
    return FACET_OK;
fail:
    facet__module_discard(m);
    return r;
}

FacetResult facet__module_open(FacetModule **out, FacetRuntime *rt, const char *path,
                               FacetModule *tomb, uint32_t runtime)
{
    return module_open(out, rt, path, NULL, tomb, runtime);
}

/* The module behind handle, with a reference on its runtime for the
 * caller (facet__runtime_release of (*out)->rt), or FACET_E_STATE when the
 * handle is not one of a live runtime: the module's memory then stays at
 * least until the reference goes. */
static FacetResult module_enter(FacetModule **out, const FacetModule *handle, const char *fn)
{
    HandleSlot *slot;
    FacetModule *m = NULL;
    *out = NULL;
    if (handle == NULL)
        return facet__error(FACET_E_POINTER, "%s: argument 'module' is NULL", fn);
    facet__os_rwlock_rdlock(&handles_lock);
    slot = slot_of(handle);
    /* A module's memory goes only with its runtime's last reference, after
     * its slot: while the lock is held, its runtime is still there. */
    if (slot != NULL && facet__runtime_tryref(slot->m->rt))
        m = slot->m;
    facet__os_rwlock_rdunlock(&handles_lock);
    if (m != NULL && facet__atomic_load32(&m->rt->freed)) {
        facet__runtime_release(m->rt);
        m = NULL;
    }
    if (m == NULL)
        return facet__error(FACET_E_STATE,
                            "%s: not a module of a live runtime; its runtime was freed "
                            "(facet_runtime_free), and its handles with it",
                            fn);
    *out = m;
    return FACET_OK;
}

/* Says that the host let go of m: its handle serves no call but another
 * facet_module_load. */
static FacetResult unloaded(FacetModule *m, const char *fn)
{
    facet__runtime_release(m->rt);
    return facet__error(FACET_E_STATE,
                        "%s: %s was already unloaded; each facet_module_load is matched by "
                        "one facet_module_unload, after which the handle serves no call",
                        fn, m->path);
}

/* ---- Module lifetime --------------------------------------------------- */

/* Unlinks m from the list at *p. */
static void unlink_module(FacetModule **p, FacetModule *m)
{
    for (; *p != NULL; p = &(*p)->next)
        if (*p == m) {
            *p = m->next;
            return;
        }
}

/* Unloads every waiting module whose code is no longer in use; each stays
 * as a tombstone. The caller holds load_lock and a reference on rt. Returns
 * how many are still waiting; *go, when not NULL, counts the Go modules
 * closed, whose code stays mapped (loader.c), and names one in *go_path. */
static uint32_t collect_locked(FacetRuntime *rt, uint32_t *go, const char **go_path)
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
        unlink_module(&rt->modules, m);
        facet__os_rwlock_wrunlock(&rt->lock);
        m->next = ready;
        ready = m;
    }
    for (m = ready; m != NULL; m = next) {
        next = m->next;
        if (m->runtime == FACET_RUNTIME_GO && go != NULL) {
            if ((*go)++ == 0)
                *go_path = m->path; /* freed only with rt */
        }
        facet__module_close(m);
        m->state = FACET_MODULE_CLOSED;
        m->tomb = 1;
        m->next = rt->closed;
        rt->closed = m;
        facet__runtime_release(rt);
    }
    return waiting;
}

uint32_t facet__runtime_collect_locked(FacetRuntime *rt)
{
    return collect_locked(rt, NULL, NULL);
}

/* Says that the Go modules just closed stay mapped. */
static FacetResult go_stays(const char *fn, uint32_t count, const char *path)
{
    return facet__error(FACET_FALSE,
                        "%s: %s%s is written in Go: its classes are gone, but its code stays "
                        "mapped until the process ends, as Go cannot stop a Go runtime "
                        "(golang/go#11100); loading it again uses the same code",
                        fn, path, count > 1 ? " (and other modules)" : "");
}

FacetResult facet_runtime_collect(FacetRuntime *rt)
{
    uint32_t waiting, go = 0;
    const char *go_path = NULL;
    FacetResult r;
    FACET_CHECK_ARG(rt, "facet_runtime_collect");
    facet__os_rwlock_wrlock(&rt->load_lock);
    waiting = collect_locked(rt, &go, &go_path);
    r = go ? go_stays("facet_runtime_collect", go, go_path) : FACET_OK;
    facet__os_rwlock_wrunlock(&rt->load_lock);
    return waiting ? FACET_FALSE : r;
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
    if (rt->reload != NULL && facet__reload_hooks != NULL)
        facet__reload_hooks->close(rt);
    if (rt->discovery != NULL)
        rt->discovery->stop(rt);
    facet__services_free(rt);
    facet__os_rwlock_wrlock(&rt->load_lock);
    facet__atomic_store32(&rt->freed, 1u);
    for (m = rt->modules; m != NULL; m = m->next)
        if (m->state == FACET_MODULE_LOADED)
            let_go(rt, m);
    /* The classes scanned but never loaded go too. */
    facet__os_rwlock_wrlock(&rt->lock);
    facet__registry_clear(rt);
    facet__os_rwlock_wrunlock(&rt->lock);
    waiting = collect_locked(rt, NULL, NULL);
    names[0] = '\0';
    for (m = rt->modules; m != NULL && used < sizeof(names) - 1; m = m->next) {
        int n = snprintf(names + used, sizeof(names) - used, "%s%s", used ? ", " : "",
                         m->info.name);
        used += n > 0 ? (size_t)n : 0;
    }
    facet__os_rwlock_wrunlock(&rt->load_lock);
    /* The host's log function and payload are its own again from here. */
    facet__core_close(rt->core);
    facet__runtime_release(rt);
    if (waiting == 0)
        return FACET_OK;
    facet__error(FACET_FALSE,
                 "facet_runtime_free: %u module(s) stay loaded because objects they created are "
                 "still alive: %s",
                 (unsigned)waiting, names);
    return FACET_FALSE;
}

/* The module of the file at path (canonical) in the list at m, or NULL. */
static FacetModule *find_module_by_path(FacetModule *m, const char *path)
{
    for (; m != NULL; m = m->next)
        if (strcmp(m->path, path) == 0)
            return m;
    return NULL;
}

FacetResult facet_module_load(FacetModule **out, FacetRuntime *rt, const char *path)
{
    FacetModule *m, *tomb = NULL;
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
        m = find_module_by_path(rt->modules, canonical);
        /* one unloaded before comes back, with the same handle */
        tomb = m == NULL ? find_module_by_path(rt->closed, canonical) : NULL;
        if (m != NULL) {
            facet__free(canonical);
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
            *out = m->handle;
            return FACET_OK;
        }
    }
    r = module_open(&m, rt, path, canonical, tomb, FACET_RUNTIME_NATIVE);
    facet__free(canonical);
    if (FACET_SUCCEEDED(r))
        r = facet__runtime_add_module(rt, m);
    facet__os_rwlock_wrunlock(&rt->load_lock);
    if (FACET_FAILED(r))
        return r;
    *out = m->handle;
    return FACET_OK;
}

FacetResult facet__runtime_add_module(FacetRuntime *rt, FacetModule *m)
{
    return facet__runtime_add_module_over(rt, m, NULL, 0, NULL);
}

FacetResult facet__runtime_add_module_over(FacetRuntime *rt, FacetModule *m,
                                           FacetClassEntry *over, uint32_t count, int *kept)
{
    FacetResult r;
    facet__os_rwlock_wrlock(&rt->lock);
    facet__registry_remove(rt, over, count);
    r = facet__registry_add_module(rt, m);
    if (FACET_FAILED(r) && kept != NULL)
        *kept = FACET_SUCCEEDED(facet__registry_add(rt, over, count));
    if (FACET_SUCCEEDED(r)) {
        m->holds = 1;
        m->state = FACET_MODULE_LOADED;
        if (m->tomb)
            unlink_module(&rt->closed, m);
        m->tomb = 0;
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
        facet__module_discard(m);
        facet__error(r, "%s", message);
    }
    return r;
}

FacetResult facet_module_unload(FacetModule *module)
{
    FacetModule *m;
    FacetRuntime *rt;
    FacetResult result = FACET_OK;
    FacetResult r = module_enter(&m, module, "facet_module_unload");
    if (FACET_FAILED(r))
        return r;
    rt = m->rt;
    facet__os_rwlock_wrlock(&rt->load_lock);
    if (m->state != FACET_MODULE_LOADED || m->holds == 0) {
        facet__os_rwlock_wrunlock(&rt->load_lock);
        return unloaded(m, "facet_module_unload");
    }
    if (m->holds == 1) {
        let_go(rt, m);
        collect_locked(rt, NULL, NULL);
        if (m->state == FACET_MODULE_WAITING)
            result = facet__error(FACET_FALSE,
                                  "facet_module_unload: %s has live objects; its code stays "
                                  "loaded until they are gone%s",
                                  m->path,
                                  m->runtime == FACET_RUNTIME_GO
                                      ? ", and, written in Go, until the process ends"
                                      : " (then facet_runtime_collect unloads it)");
        else if (m->runtime == FACET_RUNTIME_GO)
            result = go_stays("facet_module_unload", 1, m->path);
    } else {
        facet__os_rwlock_wrlock(&rt->lock);
        m->holds--;
        facet__os_rwlock_wrunlock(&rt->lock);
    }
    facet__os_rwlock_wrunlock(&rt->load_lock);
    facet__runtime_release(rt);
    return result;
}

/* Whether the host holds m; the caller holds rt->lock. */
static int held(const FacetModule *m)
{
    return m->state == FACET_MODULE_LOADED && m->holds > 0;
}

FacetResult facet_module_info(FacetModuleInfo *out, const FacetModule *module)
{
    FacetModule *m;
    FacetResult r;
    FACET_CHECK_ARG(out, "facet_module_info");
    r = module_enter(&m, module, "facet_module_info");
    if (FACET_FAILED(r))
        return r;
    facet__os_rwlock_rdlock(&m->rt->lock);
    if (!held(m)) {
        facet__os_rwlock_rdunlock(&m->rt->lock);
        return unloaded(m, "facet_module_info");
    }
    r = FACET_STRUCT_WRITE(out, &m->info, FacetModuleInfo, FACET_MODULE_INFO, "facet_module_info");
    facet__os_rwlock_rdunlock(&m->rt->lock);
    facet__runtime_release(m->rt);
    return r;
}

const char *facet_module_path(const FacetModule *module)
{
    FacetModule *m;
    const char *path = NULL;
    if (module == NULL || FACET_FAILED(module_enter(&m, module, "facet_module_path")))
        return NULL;
    facet__os_rwlock_rdlock(&m->rt->lock);
    if (held(m))
        path = m->path; /* freed only with the runtime */
    facet__os_rwlock_rdunlock(&m->rt->lock);
    facet__runtime_release(m->rt);
    return path;
}

FacetResult facet_module_factory(IFacetFactory **out, FacetModule *module)
{
    FacetModule *m;
    IFacetFactory *factory = NULL;
    FacetResult r;
    FACET_CHECK_ARG(out, "facet_module_factory");
    *out = NULL;
    r = module_enter(&m, module, "facet_module_factory");
    if (FACET_FAILED(r))
        return r;
    facet__os_rwlock_rdlock(&m->rt->lock);
    if (held(m)) {
        /* busy keeps the code in place while AddRef runs in it */
        factory = m->factory;
        facet__atomic_inc32(&m->busy);
    }
    facet__os_rwlock_rdunlock(&m->rt->lock);
    if (factory == NULL)
        return unloaded(m, "facet_module_factory");
    IFacetFactory_AddRef(factory);
    facet__atomic_dec32(&m->busy);
    facet__runtime_release(m->rt);
    *out = factory;
    return FACET_OK;
}

FacetResult facet_runtime_stats(FacetRuntimeStats *out, FacetRuntime *rt)
{
    FacetRuntimeStats st = FACET_RUNTIME_STATS_INIT;
    FacetModule *m;
    FACET_CHECK_ARG(out, "facet_runtime_stats");
    FACET_CHECK_ARG(rt, "facet_runtime_stats");
    facet__os_rwlock_rdlock(&rt->lock);
    for (m = rt->modules; m != NULL; m = m->next) {
        st.modules_loaded++;
        if (m->state == FACET_MODULE_WAITING)
            st.modules_waiting++;
    }
    st.classes = facet__registry_count(rt);
    facet__os_rwlock_rdunlock(&rt->lock);
    st.allocations_live = facet_testing_live_allocations();
    st.allocations_total = facet__total_allocations();
    return FACET_STRUCT_WRITE(out, &st, FacetRuntimeStats, FACET_RUNTIME_STATS,
                              "facet_runtime_stats");
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
                            facet__path_basename(m->path), cls, contract, facet_result_name(r));
    if (*out != NULL) {
        *out = NULL;
        return facet__error(FACET_E_CONTRACT,
                            "%s: CreateInstance of class %s (\"%s\") failed with %s but set "
                            "*out; a failing call must leave its out-pointer NULL",
                            facet__path_basename(m->path), cls, contract, facet_result_name(r));
    }
    if (r == FACET_E_NOINTERFACE)
        return facet__error(r, "%s: class %s (\"%s\") does not implement interface %s",
                            facet__path_basename(m->path), cls, contract, itf);
    /* What the factory's side said, when it could say it (a process-
     * isolated module's factory is libfacet's, and names the cause). */
    if (facet_last_error_code() == r && facet_last_error()[0] != '\0') {
        char why[1024];
        snprintf(why, sizeof(why), "%s", facet_last_error());
        return facet__error(r, "%s: CreateInstance of class %s (\"%s\") failed with %s: %s",
                            facet__path_basename(m->path), cls, contract, facet_result_name(r),
                            why);
    }
    return facet__error(r, "%s: CreateInstance of class %s (\"%s\") failed with %s (%s)",
                        facet__path_basename(m->path), cls, contract, facet_result_name(r),
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
                            facet__path_basename(m->path), cls, contract);
    }
    /* e was found under rt->lock (read); busy keeps the module's code in
     * place from here until the call returns. */
    facet__atomic_inc32(&m->busy);
    facet__os_rwlock_rdunlock(&rt->lock);
    facet_error_clear();
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
    const FacetDiscoveryHooks *discovery = rt->discovery; /* set: e was scanned */
    FacetResult r;
    facet__os_rwlock_rdunlock(&rt->lock);
    r = discovery->load(rt, d);
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
    const char *why = NULL;
    const FacetAlias *a = NULL;
    const char *contract = name;
    char text[FACET_GUID_STRING_SIZE + 16] = "";
    FacetGuid parsed;

    if (rt->rejected != NULL && rt->discovery != NULL) {
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
        why = rt->discovery->rejected(rt, contract, clsid);
    }
    if (why != NULL)
        return facet__error(FACET_E_CLASSNOTREG, "%s%s: no loaded module offers it; %s", what,
                            text, why);
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
