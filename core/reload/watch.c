/*
 * core/reload/watch.c - the watcher: one thread per watching runtime that
 * turns the system's bursts of file events into one reload per module.
 *
 * A build or a copy makes many events for one file (made, written many
 * times, closed; or written elsewhere and renamed into place), often for
 * the library and its manifest both. The watcher notes the names each
 * folder saw and acts on a folder only once it has been quiet for the
 * delay and no file of it is still open for writing (a writer that never
 * closes is given up on after WRITING_LIMIT_MS: the reload then meets a
 * file that may be cut short, and rolls back). Names that editors and
 * linkers use for their temporaries extend the quiet time but are never
 * acted on. A folder that is deleted is looked for on every tick and
 * watched again once it is back; every module of it is then reloaded.
 *
 * A library and its manifest may change a while apart (a build writes the
 * library, an install step the manifest). A module whose two files
 * disagree within PAIR_MS of the first event is left as it is, without a
 * word, and tried again when the other file comes or the time is up: only
 * then is a disagreement a bad version.
 */
#include <stdio.h>
#include <string.h>

#include "os/watch.h"
#include "reload/reload.h"

#define TICK_MS 250u           /* lost folders, and unloading old versions */
#define WRITING_LIMIT_MS 10000u
#define NAMES_MAX 64u
#define PAIR_MS 1000u          /* a library and its manifest, this far apart */

typedef struct Folder {
    char *path;
    int32_t id;                 /* -1: lost, looked for on each tick */
    uint64_t last;              /* time of its last event; 0: nothing pending */
    uint64_t writing_since;     /* a file is open for writing; 0: none */
    uint32_t all;               /* reload every module of it */
    uint32_t name_count;
    char *names[NAMES_MAX];     /* names changed since it was last acted on */
    uint64_t first;             /* time of the first of those changes */
    uint64_t retry_at;          /* when the modules in retry are tried again; 0: none */
    uint32_t retry_count;
    char *retry[NAMES_MAX];     /* modules whose files disagreed, waiting for the other */
} Folder;

struct FacetWatcher {
    FacetRuntime *rt;
    FacetOsWatch *os;
    FacetOsThread thread;
    uint32_t stop;              /* atomic */
    uint32_t delay_ms;
    uint32_t folder_count;
    Folder *folders;
};

/* Names editors, linkers and copy tools write before the real file: a dot
 * file, a backup, an autosave, a temporary. */
static int temporary(const char *name)
{
    static const char *const suffixes[] = {"~", ".tmp", ".temp", ".swp", ".swx", ".part",
                                           ".crdownload", ".bak", NULL};
    size_t n = strlen(name), i;
    if (n == 0 || name[0] == '.' || name[0] == '#' || strstr(name, ".tmp") != NULL)
        return 1;
    for (i = 0; suffixes[i] != NULL; i++) {
        size_t s = strlen(suffixes[i]);
        if (n >= s && strcmp(name + n - s, suffixes[i]) == 0)
            return 1;
    }
    return 0;
}

static Folder *folder_of(FacetWatcher *w, int32_t id)
{
    uint32_t i;
    for (i = 0; i < w->folder_count; i++)
        if (w->folders[i].id == id)
            return &w->folders[i];
    return NULL;
}

static void note(Folder *f, const char *name)
{
    uint32_t i;
    for (i = 0; i < f->name_count; i++)
        if (strcmp(f->names[i], name) == 0)
            return;
    if (f->name_count == NAMES_MAX || (f->names[f->name_count] = facet__strdup(name)) == NULL)
        f->all = 1; /* too much at once: look at every module */
    else
        f->name_count++;
}

static void on_event(void *payload, int32_t id, const char *name, uint32_t what)
{
    FacetWatcher *w = payload;
    Folder *f = folder_of(w, id);
    uint64_t now = facet__os_now_ms();
    if (f == NULL)
        return;
    if (f->last == 0)
        f->first = now;
    f->last = now ? now : 1;
    if (what == FACET_OS_WATCH_LOST) {
        facet__os_watch_remove(w->os, f->id);
        f->id = -1;
        f->all = 1;
        facet__runtime_log(w->rt, FACET_LOG_INFO, NULL,
                           "%s: the watched folder is gone; it is watched again when it is back",
                           f->path);
        return;
    }
    if (name[0] == '\0') {
        f->all = 1; /* the system lost events */
        return;
    }
    if (temporary(name))
        return;
    if (what == FACET_OS_WATCH_WRITING) {
        if (f->writing_since == 0)
            f->writing_since = f->last;
    } else if (what == FACET_OS_WATCH_CHANGED) {
        f->writing_since = 0;
    }
    note(f, name);
}

/* The names of the modules in use whose manifest or library is in folder
 * f and was named; the caller frees them. */
static uint32_t modules_of(FacetWatcher *w, Folder *f, char **out, uint32_t max)
{
    FacetRuntime *rt = w->rt;
    FacetDeclared *h, *tmp, *d;
    uint32_t count = 0, i;
    facet__os_rwlock_rdlock(&rt->load_lock);
    HASH_ITER(hh, rt->declared_names, h, tmp) {
        for (d = h->top; d != NULL && count < max; d = d->lower) {
            const FacetManifest *mf = d->mf;
            int hit = f->all;
            if (d->state != FACET_DECLARED_CHOSEN || strcmp(mf->dir, f->path) != 0)
                continue;
            for (i = 0; i < f->name_count && !hit; i++)
                hit = strcmp(f->names[i], facet__path_basename(mf->path)) == 0 ||
                      (mf->library != NULL &&
                       strcmp(f->names[i], facet__path_basename(mf->library)) == 0);
            if (hit && (out[count] = facet__strdup(mf->name)) != NULL)
                count++;
        }
    }
    facet__os_rwlock_rdunlock(&rt->load_lock);
    return count;
}

static void forget(Folder *f)
{
    uint32_t i;
    for (i = 0; i < f->name_count; i++)
        facet__free(f->names[i]);
    f->name_count = 0;
    f->all = 0;
    f->last = 0;
    f->writing_since = 0;
}

/* Takes the modules waiting for their other file into names (n of max),
 * once each. */
static uint32_t take_retry(Folder *f, char **names, uint32_t n, uint32_t max)
{
    uint32_t i, k;
    for (i = 0; i < f->retry_count; i++) {
        for (k = 0; k < n && strcmp(names[k], f->retry[i]) != 0; k++) {
        }
        if (k == n && n < max)
            names[n++] = f->retry[i];
        else
            facet__free(f->retry[i]);
    }
    f->retry_count = 0;
    f->retry_at = 0;
    return n;
}

/* Acts on a folder that has been quiet long enough, or whose modules
 * waiting for their other file have waited long enough. */
static void settle(FacetWatcher *w, Folder *f)
{
    char *names[NAMES_MAX];
    uint64_t now = facet__os_now_ms(), first = f->first;
    uint32_t n = 0, i;
    int pending = f->last != 0, tentative;
    if (pending)
        n = modules_of(w, f, names, NAMES_MAX);
    else
        first = f->retry_at - PAIR_MS;
    n = take_retry(f, names, n, NAMES_MAX);
    if (pending)
        forget(f);
    tentative = now < first + PAIR_MS;
    for (i = 0; i < n; i++) {
        /* listeners and the log say how it went */
        if (!facet__atomic_load32(&w->stop) &&
            facet__reload_run(w->rt, names[i], tentative) == FACET_E_MISMATCH && tentative &&
            f->retry_count < NAMES_MAX) {
            f->retry[f->retry_count++] = names[i];
            f->retry_at = first + PAIR_MS;
            continue;
        }
        facet__free(names[i]);
    }
}

/* Whether a watched folder is still there. Not every system ends the watch
 * of a deleted folder (Windows keeps it pending deletion while the watch
 * holds it open), so each tick looks. */
static void check_there(FacetWatcher *w, Folder *f)
{
    FacetOsStat st;
    if (f->id < 0)
        return;
    if (FACET_FAILED(facet__os_stat(&st, f->path)) || st.kind != FACET_OS_DIRECTORY)
        on_event(w, f->id, NULL, FACET_OS_WATCH_LOST);
    facet_error_clear();
}

static void look_for_lost(FacetWatcher *w, Folder *f)
{
    FacetOsStat st;
    if (FACET_FAILED(facet__os_stat(&st, f->path)) || st.kind != FACET_OS_DIRECTORY ||
        FACET_FAILED(facet__os_watch_add(w->os, f->path, &f->id))) {
        facet_error_clear();
        f->id = -1;
        return;
    }
    facet__runtime_log(w->rt, FACET_LOG_INFO, NULL, "%s: the folder is back; watching it again",
                       f->path);
    f->all = 1;
    f->last = facet__os_now_ms();
}

static void run(void *payload)
{
    FacetWatcher *w = payload;
    uint64_t looked = 0;
    while (!facet__atomic_load32(&w->stop)) {
        uint64_t now = facet__os_now_ms(), wait = TICK_MS;
        uint32_t i;
        for (i = 0; i < w->folder_count; i++) {
            Folder *f = &w->folders[i];
            uint64_t due;
            if (f->last == 0)
                continue;
            due = f->last + w->delay_ms;
            if (f->writing_since != 0 && now < f->writing_since + WRITING_LIMIT_MS)
                due = now + TICK_MS; /* a file is still open for writing */
            if (due > now && due - now < wait)
                wait = due - now;
            if (due <= now)
                wait = 0;
        }
        for (i = 0; i < w->folder_count; i++) {
            uint64_t at = w->folders[i].retry_at;
            if (at != 0 && w->folders[i].last == 0) /* else its next settle takes them */
                wait = at <= now ? 0 : at - now < wait ? at - now : wait;
        }
        if (wait > 0)
            facet__os_watch_wait(w->os, (uint32_t)wait, on_event, w);
        now = facet__os_now_ms();
        if (now >= looked + TICK_MS) {
            for (i = 0; i < w->folder_count; i++)
                check_there(w, &w->folders[i]);
            looked = now;
        }
        for (i = 0; i < w->folder_count && !facet__atomic_load32(&w->stop); i++) {
            Folder *f = &w->folders[i];
            if (f->id < 0)
                look_for_lost(w, f);
            if (f->last == 0 && f->retry_at != 0 && now >= f->retry_at) {
                settle(w, f); /* the other file never came */
                continue;
            }
            if (f->id < 0 || f->last == 0 || now < f->last + w->delay_ms)
                continue;
            if (f->writing_since != 0 && now < f->writing_since + WRITING_LIMIT_MS)
                continue;
            settle(w, f);
        }
        /* Old versions whose last object is gone unload. */
        facet_runtime_collect(w->rt);
        facet_error_clear();
    }
}

static void watcher_free(FacetWatcher *w)
{
    uint32_t i;
    if (w == NULL)
        return;
    for (i = 0; i < w->folder_count; i++) {
        forget(&w->folders[i]);
        take_retry(&w->folders[i], NULL, 0, 0);
        facet__free(w->folders[i].path);
    }
    facet__free(w->folders);
    facet__os_watch_free(w->os);
    facet__free(w);
}

/* Adds folder path to w's list, once. */
static FacetResult add_folder(FacetWatcher *w, const char *path, uint32_t cap)
{
    uint32_t i;
    FacetResult r;
    Folder *f;
    for (i = 0; i < w->folder_count; i++)
        if (strcmp(w->folders[i].path, path) == 0)
            return FACET_OK;
    if (w->folder_count == cap)
        return FACET_OK;
    f = &w->folders[w->folder_count];
    memset(f, 0, sizeof(*f));
    f->id = -1;
    f->path = facet__strdup(path);
    if (f->path == NULL)
        return facet__error(FACET_E_OUTOFMEMORY, "out of memory");
    w->folder_count++;
    r = facet__os_watch_add(w->os, path, &f->id);
    if (r == FACET_E_FILENOTFOUND) {
        facet_error_clear(); /* looked for on each tick */
        r = FACET_OK;
    }
    return r;
}

/* The folders to watch: the configuration's, and that of every scanned
 * module. */
static FacetResult gather(FacetWatcher *w)
{
    FacetRuntime *rt = w->rt;
    FacetDeclared *h, *tmp, *d;
    uint32_t cap = 0, i;
    FacetResult r = FACET_OK;
    facet__os_rwlock_rdlock(&rt->load_lock);
    HASH_ITER(hh, rt->declared_names, h, tmp)
        for (d = h->top; d != NULL; d = d->lower)
            cap++;
    if (rt->config != NULL)
        cap += rt->config->folder_count;
    w->folders = facet__calloc(cap + 1, sizeof(*w->folders));
    if (w->folders == NULL)
        r = facet__error(FACET_E_OUTOFMEMORY, "out of memory");
    for (i = 0; FACET_SUCCEEDED(r) && rt->config != NULL && i < rt->config->folder_count; i++)
        r = add_folder(w, rt->config->folders[i], cap);
    HASH_ITER(hh, rt->declared_names, h, tmp)
        for (d = h->top; d != NULL && FACET_SUCCEEDED(r); d = d->lower)
            r = add_folder(w, d->mf->dir, cap);
    facet__os_rwlock_rdunlock(&rt->load_lock);
    return r;
}

void facet__reload_watch_stop(FacetRuntime *rt)
{
    FacetReload *st = rt->reload;
    FacetWatcher *w;
    facet__os_rwlock_wrlock(&st->watch_lock);
    w = st->watcher;
    st->watcher = NULL;
    facet__os_rwlock_wrunlock(&st->watch_lock);
    if (w == NULL)
        return;
    facet__atomic_store32(&w->stop, 1u);
    facet__os_watch_wake(w->os);
    facet__os_thread_join(&w->thread);
    watcher_free(w);
}

FacetResult facet_runtime_watch(FacetRuntime *rt, const FacetWatchOptions *options)
{
    FacetWatchOptions opts = FACET_WATCH_OPTIONS_INIT;
    FacetWatcher *w;
    FacetReload *st;
    FacetResult r;

    FACET_CHECK_ARG(rt, "facet_runtime_watch");
    r = FACET_STRUCT_READ(&opts, options, FacetWatchOptions, FACET_WATCH_OPTIONS,
                          "facet_runtime_watch");
    if (FACET_FAILED(r))
        return r;
    if (opts.delay_ms == 0)
        opts.delay_ms = FACET_WATCH_DELAY_DEFAULT;
    if (opts.delay_ms > 600000u)
        return facet__error(FACET_E_INVALIDARG,
                            "facet_runtime_watch: delay_ms %u; expected at most 600000 (ten "
                            "minutes)",
                            (unsigned)opts.delay_ms);
    r = facet__reload_state(rt, &st, "facet_runtime_watch");
    if (FACET_FAILED(r))
        return r;
    /* Again: the folders scanned since, and the new delay. */
    facet__reload_watch_stop(rt);
    w = facet__calloc(1, sizeof(*w));
    if (w == NULL)
        return facet__error(FACET_E_OUTOFMEMORY, "facet_runtime_watch: out of memory");
    w->rt = rt;
    w->delay_ms = opts.delay_ms;
    r = facet__os_watch_new(&w->os);
    if (FACET_SUCCEEDED(r))
        r = gather(w);
    if (FACET_SUCCEEDED(r))
        r = facet__os_thread_start(&w->thread, run, w);
    if (FACET_FAILED(r)) {
        facet__error_prefix("facet_runtime_watch");
        watcher_free(w);
        return r;
    }
    facet__os_rwlock_wrlock(&st->watch_lock);
    st->watcher = w;
    facet__os_rwlock_wrunlock(&st->watch_lock);
    facet__runtime_log(rt, FACET_LOG_INFO, NULL,
                       "watching %u folder(s) for new module versions (quiet time %u ms)",
                       (unsigned)w->folder_count, (unsigned)w->delay_ms);
    return FACET_OK;
}

FacetResult facet_runtime_unwatch(FacetRuntime *rt)
{
    FacetReload *st;
    int was;
    FACET_CHECK_ARG(rt, "facet_runtime_unwatch");
    if (FACET_FAILED(facet__reload_state(rt, &st, "facet_runtime_unwatch")))
        return facet_last_error_code();
    facet__os_rwlock_rdlock(&st->watch_lock);
    was = st->watcher != NULL;
    facet__os_rwlock_rdunlock(&st->watch_lock);
    facet__reload_watch_stop(rt);
    return was ? FACET_OK : FACET_FALSE;
}
