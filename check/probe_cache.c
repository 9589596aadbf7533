/*
 * check/probe_cache.c - remembers probe reports by path, size, modification
 * time and content hash, so a rescan runs only what changed, and keeps
 * modules that failed their probe on a quarantine list until they change.
 *
 * The cache file is JSON that libfacet-check alone reads and writes:
 *   {"facet_probe_cache": 2, "entries": [{"path" or "path_hex", "size",
 *    "mtime_ns", "hash", "how", "code", "timeout_ms", "report", "stdout",
 *    "stderr"}]}
 * "report" is what the helper wrote on its report channel, and "how" and
 * "code" how it ended; the report is rebuilt from them, exactly as it was
 * when the probe ran. A path that is not UTF-8 (a Latin-1 file name) goes
 * in "path_hex", its bytes in hexadecimal, so it comes back unchanged.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "runtime/runtime.h"
#include "os/process.h"
#include "report.h"

/* uthash's out-of-memory flag (base/hash.h), libfacet-check's own. */
FACET_THREAD_LOCAL int facet__hash_oom;

#define CACHE_FORMAT 2
/* A cache file larger than this is not read: the cache starts afresh. */
#define CACHE_MAX (256u * 1024u * 1024u)

typedef struct CacheEntry {
    char *path;             /* canonical */
    uint64_t size;
    int64_t mtime_ns;
    uint64_t hash;
    FacetOsChildResult end; /* how the helper ended, its report, the module's output */
    uint32_t timeout_ms;
    FacetReport *report;    /* rebuilt on demand */
    UT_hash_handle hh;
} CacheEntry;

struct FacetProbeCache {
    char *file;
    CacheEntry *entries; /* uthash by path */
};

/* FNV-1a, 64 bits, over the whole file. */
static FacetResult hash_file(uint64_t *out, const char *path)
{
    unsigned char buf[65536];
    uint64_t h = 14695981039346656037ull, off = 0;
    FacetOsFile f;
    FacetResult r = facet__os_file_open(&f, path);
    if (FACET_FAILED(r))
        return r;
    for (;;) {
        uint64_t got = 0, i;
        r = facet__os_file_read(&f, off, buf, sizeof(buf), &got);
        if (FACET_FAILED(r) || got == 0)
            break;
        for (i = 0; i < got; i++) {
            h ^= buf[i];
            h *= 1099511628211ull;
        }
        off += got;
    }
    facet__os_file_close(&f);
    *out = h;
    return r;
}

static void entry_free(CacheEntry *e)
{
    facet_report_free(e->report);
    facet__os_child_result_free(&e->end);
    facet__free(e->path);
    facet__free(e);
}

void facet_probe_cache_free(FacetProbeCache *cache)
{
    CacheEntry *e, *tmp;
    if (cache == NULL)
        return;
    HASH_ITER(hh, cache->entries, e, tmp) {
        HASH_DEL(cache->entries, e);
        entry_free(e);
    }
    facet__free(cache->file);
    facet__free(cache);
}

static FacetResult add_entry(FacetProbeCache *cache, CacheEntry *e)
{
    int oom;
    FACET_HASH_ADD(hh, cache->entries, e->path, strlen(e->path), e, oom);
    if (oom)
        return facet__error(FACET_E_OUTOFMEMORY, "%s: out of memory", cache->file);
    return FACET_OK;
}

static json_int_t int_of(json_t *o, const char *k)
{
    return json_integer_value(json_object_get(o, k));
}

/* The bytes of a path written in hexadecimal (facet__malloc), or NULL. */
static char *path_from_hex(const char *hex)
{
    size_t n = strlen(hex), i;
    char *p;
    if (n % 2 != 0 || (p = facet__malloc(n / 2 + 1)) == NULL)
        return NULL;
    for (i = 0; i < n / 2; i++) {
        char byte[3] = {hex[2 * i], hex[2 * i + 1], '\0'};
        char *end;
        unsigned long v = strtoul(byte, &end, 16);
        if (*end != '\0' || v == 0) {
            facet__free(p);
            return NULL;
        }
        p[i] = (char)v;
    }
    p[n / 2] = '\0';
    return p;
}

/* Copies a string member of o, NUL bytes and all (facet__malloc); NULL
 * when there is none or no memory, *ok 0 only for the latter. */
static char *dup_member(json_t *o, const char *key, uint64_t *len, int *ok)
{
    json_t *v = json_object_get(o, key);
    size_t n;
    char *p;
    if (!json_is_string(v))
        return NULL;
    n = json_string_length(v);
    p = facet__malloc(n + 1);
    if (p == NULL) {
        *ok = 0;
        return NULL;
    }
    memcpy(p, json_string_value(v), n);
    p[n] = '\0';
    if (len != NULL)
        *len = n;
    return p;
}

/* Reads one entry of the file; a malformed one is skipped. */
static FacetResult load_entry(FacetProbeCache *cache, json_t *o)
{
    const char *hash = json_string_value(json_object_get(o, "hash"));
    const char *hex = json_string_value(json_object_get(o, "path_hex"));
    CacheEntry *e;
    int ok = 1;
    if (hash == NULL)
        return FACET_OK;
    e = facet__calloc(1, sizeof(*e));
    if (e == NULL)
        return facet__error(FACET_E_OUTOFMEMORY, "%s: out of memory", cache->file);
    e->path = hex != NULL ? path_from_hex(hex) : dup_member(o, "path", NULL, &ok);
    e->end.report = dup_member(o, "report", &e->end.report_size, &ok);
    e->end.out = dup_member(o, "stdout", NULL, &ok);
    e->end.err = dup_member(o, "stderr", NULL, &ok);
    if (!ok) {
        entry_free(e);
        return facet__error(FACET_E_OUTOFMEMORY, "%s: out of memory", cache->file);
    }
    if (e->path == NULL || e->path[0] == '\0' || e->end.report == NULL || e->end.out == NULL ||
        e->end.err == NULL) {
        entry_free(e);
        return FACET_OK;
    }
    e->size = (uint64_t)int_of(o, "size");
    e->mtime_ns = (int64_t)int_of(o, "mtime_ns");
    e->hash = strtoull(hash, NULL, 16);
    e->end.how = (uint32_t)int_of(o, "how");
    e->end.code = (int64_t)int_of(o, "code");
    e->timeout_ms = (uint32_t)int_of(o, "timeout_ms");
    if (FACET_FAILED(add_entry(cache, e))) {
        entry_free(e);
        return facet_last_error_code();
    }
    return FACET_OK;
}

FacetResult facet_probe_cache_open(FacetProbeCache **out, const char *file)
{
    FacetProbeCache *cache;
    FacetOsStat st;
    char *text = NULL;
    uint64_t size;
    json_t *doc, *entries, *o;
    size_t i;
    FacetResult r;

    FACET_CHECK_ARG(out, "facet_probe_cache_open");
    *out = NULL;
    FACET_CHECK_ARG(file, "facet_probe_cache_open");
    cache = facet__calloc(1, sizeof(*cache));
    if (cache == NULL || (cache->file = facet__strdup(file)) == NULL) {
        facet__free(cache);
        return facet__error(FACET_E_OUTOFMEMORY, "%s: out of memory", file);
    }
    r = facet__os_stat(&st, file);
    if (FACET_SUCCEEDED(r) && st.kind == FACET_OS_MISSING) {
        *out = cache;
        return FACET_OK;
    }
    /* One too large to be ours starts afresh, as a damaged one does. */
    if (FACET_SUCCEEDED(r) && st.kind == FACET_OS_FILE && st.size > CACHE_MAX) {
        *out = cache;
        return FACET_OK;
    }
    if (FACET_SUCCEEDED(r)) /* refuses anything but a regular file, without blocking */
        r = facet__file_read_all(&text, &size, NULL, file, CACHE_MAX);
    if (FACET_FAILED(r)) {
        facet_probe_cache_free(cache);
        return r;
    }
    doc = json_loadb(text, (size_t)size, 0, NULL);
    facet__free(text);
    /* A cache from another version, or a damaged one, starts afresh. */
    if (doc != NULL && int_of(doc, "facet_probe_cache") == CACHE_FORMAT) {
        entries = json_object_get(doc, "entries");
        json_array_foreach(entries, i, o) {
            r = load_entry(cache, o);
            if (FACET_FAILED(r))
                break;
        }
    }
    json_decref(doc);
    if (FACET_FAILED(r)) {
        facet_probe_cache_free(cache);
        return r;
    }
    *out = cache;
    return FACET_OK;
}

static json_t *entry_json(const CacheEntry *e)
{
    char hash[17];
    json_t *o;
    size_t n = strlen(e->path);
    snprintf(hash, sizeof(hash), "%016llx", (unsigned long long)e->hash);
    o = json_pack("{s:I, s:I, s:s, s:i, s:I, s:i, s:o, s:o, s:o}", "size",
                  (json_int_t)e->size, "mtime_ns", (json_int_t)e->mtime_ns, "hash", hash, "how",
                  (int)e->end.how, "code", (json_int_t)e->end.code, "timeout_ms",
                  (int)e->timeout_ms, "report",
                  facet__utf8_json(e->end.report, (size_t)e->end.report_size), "stdout",
                  facet__utf8_json(e->end.out, strlen(e->end.out)), "stderr",
                  facet__utf8_json(e->end.err, strlen(e->end.err)));
    if (o == NULL)
        return NULL;
    if (facet__utf8_valid(e->path, n)) {
        json_object_set_new(o, "path", json_stringn(e->path, n));
    } else {
        char *hex = facet__malloc(2 * n + 1);
        size_t i;
        if (hex == NULL) {
            json_decref(o);
            return NULL;
        }
        for (i = 0; i < n; i++)
            snprintf(hex + 2 * i, 3, "%02x", (unsigned)(unsigned char)e->path[i]);
        json_object_set_new(o, "path_hex", json_string(hex));
        facet__free(hex);
    }
    if (json_object_get(o, "path") == NULL && json_object_get(o, "path_hex") == NULL) {
        json_decref(o);
        return NULL;
    }
    return o;
}

FacetResult facet_probe_cache_save(FacetProbeCache *cache)
{
    json_t *doc, *entries;
    CacheEntry *e;
    char *text;
    FacetResult r;

    FACET_CHECK_ARG(cache, "facet_probe_cache_save");
    doc = json_object();
    entries = json_array();
    if (doc == NULL || entries == NULL) {
        json_decref(doc);
        json_decref(entries);
        return facet__error(FACET_E_OUTOFMEMORY, "%s: out of memory", cache->file);
    }
    json_object_set_new(doc, "facet_probe_cache", json_integer(CACHE_FORMAT));
    json_object_set_new(doc, "entries", entries);
    for (e = cache->entries; e != NULL; e = e->hh.next)
        if (json_array_append_new(entries, entry_json(e)) != 0) {
            json_decref(doc);
            return facet__error(FACET_E_OUTOFMEMORY, "%s: out of memory", cache->file);
        }
    text = json_dumps(doc, JSON_INDENT(1));
    json_decref(doc);
    if (text == NULL)
        return facet__error(FACET_E_OUTOFMEMORY, "%s: out of memory", cache->file);
    /* A new file of its own, renamed over the old: never written through
     * a link that someone put at the cache's name or next to it. */
    r = facet__os_write_replace(cache->file, text, strlen(text));
    free(text);
    if (FACET_FAILED(r))
        return facet__error_prefix("cannot write the probe cache");
    return FACET_OK;
}

static CacheEntry *find(FacetProbeCache *cache, const char *path)
{
    CacheEntry *e = NULL;
    HASH_FIND_STR(cache->entries, path, e);
    return e;
}

/* A fresh report rebuilt from a cache entry (the caller frees it). */
static FacetResult report_of(FacetReport **out, CacheEntry *e)
{
    return facet__report_from_child(out, e->path, &e->end, e->timeout_ms);
}

static FacetResult result_of(const FacetReport *rep)
{
    if (rep->outcome != FACET_OUTCOME_OK) {
        facet__error(FACET_FALSE, "%s: %s", rep->path, rep->reason);
        return FACET_FALSE;
    }
    return FACET_OK;
}

FacetResult facet_probe_cache_get(FacetReport **out, int *probed, FacetProbeCache *cache,
                                  const char *path, const FacetCheckOptions *opts)
{
    FacetCheckOptions defaults = FACET_CHECK_OPTIONS_INIT;
    FacetOsStat st;
    CacheEntry *e, *fresh;
    char *full = NULL;
    uint64_t hash;
    FacetReport *rep = NULL;
    FacetResult r;

    FACET_CHECK_ARG(out, "facet_probe_cache_get");
    *out = NULL;
    if (probed != NULL)
        *probed = 0;
    FACET_CHECK_ARG(cache, "facet_probe_cache_get");
    FACET_CHECK_ARG(path, "facet_probe_cache_get");
    if (opts == NULL)
        opts = &defaults;
    r = facet__os_stat(&st, path);
    if (FACET_SUCCEEDED(r) && st.kind != FACET_OS_FILE)
        r = facet__error(st.kind == FACET_OS_MISSING ? FACET_E_FILENOTFOUND : FACET_E_NOTAFILE,
                         "%s: %s", path,
                         st.kind == FACET_OS_MISSING ? "no such file" : "not a regular file");
    if (FACET_SUCCEEDED(r))
        r = facet__os_realpath(&full, path);
    if (FACET_SUCCEEDED(r))
        r = hash_file(&hash, full);
    if (FACET_FAILED(r)) {
        facet__free(full);
        return r;
    }
    e = find(cache, full);
    if (e != NULL && e->size == st.size && e->mtime_ns == st.mtime_ns && e->hash == hash) {
        facet__free(full);
        r = report_of(out, e);
        return FACET_FAILED(r) ? r : result_of(*out);
    }

    r = facet__report_run(&rep, full, opts, "probe", "facet_probe_cache_get");
    if (FACET_FAILED(r)) {
        facet__free(full);
        return r;
    }
    if (probed != NULL)
        *probed = 1;
    fresh = facet__calloc(1, sizeof(*fresh));
    if (fresh == NULL) {
        facet__free(full);
        facet_report_free(rep);
        return facet__error(FACET_E_OUTOFMEMORY, "%s: out of memory", cache->file);
    }
    /* The entry takes the helper's end; the report keeps its own copy. */
    fresh->end = rep->end;
    memset(&rep->end, 0, sizeof(rep->end));
    rep->end.out = facet__strdup(fresh->end.out);
    rep->end.err = facet__strdup(fresh->end.err);
    if (rep->end.out == NULL || rep->end.err == NULL) {
        facet__os_child_result_free(&fresh->end);
        facet__free(fresh);
        facet__free(full);
        facet_report_free(rep);
        return facet__error(FACET_E_OUTOFMEMORY, "%s: out of memory", cache->file);
    }
    fresh->path = full;
    fresh->size = st.size;
    fresh->mtime_ns = st.mtime_ns;
    fresh->hash = hash;
    fresh->timeout_ms = rep->timeout_ms;
    if (e != NULL) {
        HASH_DEL(cache->entries, e);
        entry_free(e);
    }
    if (FACET_FAILED(add_entry(cache, fresh))) {
        entry_free(fresh);
        facet_report_free(rep);
        return facet_last_error_code();
    }
    *out = rep;
    return result_of(rep);
}

uint32_t facet_probe_cache_count(const FacetProbeCache *cache)
{
    return cache ? (uint32_t)HASH_COUNT(cache->entries) : 0;
}

FacetResult facet_probe_cache_entry(FacetProbeCacheEntry *out, const FacetProbeCache *cache,
                                    uint32_t index)
{
    FacetProbeCacheEntry entry = FACET_PROBE_CACHE_ENTRY_INIT;
    CacheEntry *e;
    uint32_t i = 0;
    FACET_CHECK_ARG(out, "facet_probe_cache_entry");
    FACET_CHECK_ARG(cache, "facet_probe_cache_entry");
    if (out->struct_size < FACET_PROBE_CACHE_ENTRY_V1_SIZE) /* refused before any lookup */
        return FACET_STRUCT_WRITE(out, &entry, FacetProbeCacheEntry, FACET_PROBE_CACHE_ENTRY,
                                  "facet_probe_cache_entry");
    for (e = cache->entries; e != NULL && i < index; e = e->hh.next)
        i++;
    if (e == NULL)
        return facet__error(FACET_E_INVALIDARG,
                            "facet_probe_cache_entry: index %u; the cache has %u entries",
                            (unsigned)index, (unsigned)HASH_COUNT(cache->entries));
    if (e->report == NULL) {
        FacetResult r = report_of(&e->report, e);
        if (FACET_FAILED(r))
            return r;
    }
    entry.path = e->path;
    entry.outcome = e->report->outcome;
    entry.quarantined = e->report->outcome != FACET_OUTCOME_OK;
    entry.reason = e->report->reason;
    return FACET_STRUCT_WRITE(out, &entry, FacetProbeCacheEntry, FACET_PROBE_CACHE_ENTRY,
                              "facet_probe_cache_entry");
}

FacetResult facet_probe_cache_forget(FacetProbeCache *cache, const char *path)
{
    CacheEntry *e;
    char *full = NULL;
    FACET_CHECK_ARG(cache, "facet_probe_cache_forget");
    FACET_CHECK_ARG(path, "facet_probe_cache_forget");
    if (FACET_FAILED(facet__os_realpath(&full, path)))
        full = NULL;
    e = find(cache, full ? full : path);
    facet__free(full);
    if (e == NULL)
        return facet__error(FACET_E_NOTFOUND, "%s: not in the probe cache %s", path,
                            cache->file);
    HASH_DEL(cache->entries, e);
    entry_free(e);
    return FACET_OK;
}

/* ---- Module files ------------------------------------------------------ */

typedef struct NameList {
    char **names;
    uint32_t count, cap;
    const char *suffix;
} NameList;

static FacetResult collect_name(void *payload, const char *name)
{
    NameList *l = payload;
    size_t n = strlen(name), s = strlen(l->suffix);
    if (n <= s || strcmp(name + n - s, l->suffix) != 0)
        return FACET_OK;
    if (l->count == l->cap) {
        uint32_t cap = l->cap ? l->cap * 2 : 16;
        char **p = facet__realloc(l->names, cap * sizeof(char *));
        if (p == NULL)
            return facet__error(FACET_E_OUTOFMEMORY, "out of memory listing modules");
        l->names = p;
        l->cap = cap;
    }
    l->names[l->count] = facet__strdup(name);
    if (l->names[l->count] == NULL)
        return facet__error(FACET_E_OUTOFMEMORY, "out of memory listing modules");
    l->count++;
    return FACET_OK;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

FacetResult facet_module_files(const char *dir, FacetPathFn fn, void *payload)
{
    NameList l;
    FacetOsStat st;
    FacetResult r;
    uint32_t i;

    FACET_CHECK_ARG(dir, "facet_module_files");
    FACET_CHECK_ARG(fn, "facet_module_files");
    memset(&l, 0, sizeof(l));
    l.suffix = facet__os_module_suffix();
    r = facet__os_dir_each(dir, collect_name, &l);
    if (FACET_SUCCEEDED(r) && l.count > 0)
        qsort(l.names, l.count, sizeof(char *), compare_names);
    for (i = 0; FACET_SUCCEEDED(r) && i < l.count; i++) {
        char *path = facet__path_join(dir, l.names[i]);
        if (path == NULL) {
            r = facet__error(FACET_E_OUTOFMEMORY, "out of memory listing modules");
            break;
        }
        /* One entry that cannot be looked at (a link to itself, to
         * nowhere, one gone since the listing) is passed over like any
         * other that is not a module file: the rest of the folder stays. */
        if (FACET_SUCCEEDED(facet__os_stat(&st, path)) && st.kind == FACET_OS_FILE)
            r = fn(path, payload);
        facet__free(path);
    }
    for (i = 0; i < l.count; i++)
        facet__free(l.names[i]);
    facet__free(l.names);
    return r;
}
