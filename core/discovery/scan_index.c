/*
 * core/discovery/scan_index.c - the scan index: what the last scan of a
 * plugin folder learned from each manifest, kept in a file, so that a new
 * process scanning the same folder stats each manifest and parses only
 * those that changed.
 *
 * A manifest is taken from the index when its file has the size,
 * modification time (nanoseconds), inode and device the index recorded,
 * and was last changed before the index was written: a file changed in the
 * same tick of the file system's clock as the index was written could
 * change again with no time to tell (git calls such entries "racily
 * clean"), so it is parsed again. Nothing hashes the contents: that would
 * read every file, which is the cost the index avoids.
 *
 * The index is one file per plugin folder, named by a hash of the
 * folder's canonical path, in a folder the host chooses
 * (FacetRuntimeOptions.scan_index, the configuration's "scan_index"), by
 * default the user's cache folder. It is written in one step
 * (facet__os_write_replace): a reader sees the old file or the new one,
 * whole, never one half-written. A file that is not whole, fails its
 * checksum, was written by another format or platform, or names another
 * folder is ignored and written anew; a folder it cannot be written to
 * leaves the scan as it would be without an index. The index is never
 * trusted further than its checksum and bounds: every length is checked
 * against what is there, and every value against what a manifest may
 * hold.
 *
 * The file, all integers little-endian:
 *   "FACETSIX" | u32 format | u32 0 | u64 checksum of what follows |
 *   str platform | str folder | u32 count | count entries, by name in
 *   byte order:
 *     str file name | u64 size | i64 mtime_ns | u64 inode | u64 device |
 *     str name | str version | u32 api_level | str library | u32 isolation |
 *     u32 runtime | u32 classes, each:
 *       16-byte clsid | str contract | str version | u32 threading |
 *       u32 interfaces (0xFFFFFFFF: none listed), 16 bytes each
 *     u32 requires, each: str name | str range |
 *     u32 permissions, each: str (as facet__permission_canonical keeps it)
 * where str is a u32 length (0xFFFFFFFF: none) and that many bytes. What
 * a manifest means is part of the format: a change to FacetManifest, or to
 * what the parser accepts, changes SCAN_INDEX_FORMAT.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "discovery.h"

#define SCAN_INDEX_MAGIC "FACETSIX"
#define SCAN_INDEX_FORMAT 2u /* 2: permissions of the kind:argument form */
#define SCAN_INDEX_HEADER 24u
/* An index larger than this is not read (10,000 manifests take ~2 MiB). */
#define SCAN_INDEX_MAX (512u * 1024u * 1024u)
#define NO_STRING 0xFFFFFFFFu

/* Every field of FacetManifest is written below: a field added to it must
 * be added here too, and SCAN_INDEX_FORMAT raised. */
typedef char scan_index_covers_manifest
    [sizeof(FacetManifest) == offsetof(FacetManifest, permissions) + sizeof(const char **) ? 1 : -1];

typedef struct IndexEntry {
    const char *name;            /* into the file's bytes, not terminated */
    uint32_t name_len;
    uint64_t size;
    int64_t mtime_ns;
    uint64_t inode, device;
    size_t manifest;             /* offset of the manifest's fields */
} IndexEntry;

struct FacetScanIndex {
    unsigned char *data;
    size_t size;
    int64_t written_ns;          /* the index file's own modification time */
    uint32_t count;
    IndexEntry *entries;         /* by name, in byte order */
    uint32_t next;               /* where the next lookup starts */
    uint32_t taken;              /* entries used */
};

/* ---- Checksum ---------------------------------------------------------- */

static uint64_t load64(const unsigned char *p)
{
    return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 | (uint64_t)p[3] << 24 |
           (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40 | (uint64_t)p[6] << 48 |
           (uint64_t)p[7] << 56;
}

static uint32_t load32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void store32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16);
    p[3] = (unsigned char)(v >> 24);
}

/* Eight bytes a step, each mixed in with a multiply and a shift: not a
 * defence against an attacker (the bounds checks are), but any change of
 * a byte shows. */
static uint64_t checksum(const unsigned char *p, size_t n)
{
    uint64_t h = 0x6A09E667F3BCC908ull ^ n;
    while (n >= 8) {
        h = (h ^ load64(p)) * 0x9E3779B97F4A7C15ull;
        h ^= h >> 29;
        p += 8;
        n -= 8;
    }
    while (n-- > 0)
        h = (h ^ *p++) * 0x100000001B3ull;
    h ^= h >> 32;
    return h * 0xD6E8FEB86659FD93ull;
}

/* FNV-1a of the folder's path: the index file's name. */
static uint64_t path_hash(const char *s)
{
    uint64_t h = 14695981039346656037ull;
    while (*s != '\0') {
        h ^= (unsigned char)*s++;
        h *= 1099511628211ull;
    }
    return h;
}

/* ---- Where the index lives --------------------------------------------- */

/* The folder of indexes: the host's option, else the configuration's
 * field, else the user's cache folder; NULL (FACET_OK) when there is to be
 * no index. From facet__malloc. */
static FacetResult index_folder(char **out, FacetRuntime *rt)
{
    char *cache;
    FacetResult r;
    *out = NULL;
    if (rt->scan_index != NULL)
        return rt->scan_index[0] == '\0' || (*out = facet__strdup(rt->scan_index)) != NULL
                   ? FACET_OK
                   : facet__error(FACET_E_OUTOFMEMORY, "facet_scan: out of memory");
    if (rt->config != NULL && rt->config->scan_index != NULL)
        return rt->config->scan_index[0] == '\0' ||
                       (*out = facet__strdup(rt->config->scan_index)) != NULL
                   ? FACET_OK
                   : facet__error(FACET_E_OUTOFMEMORY, "facet_scan: out of memory");
    r = facet__os_user_cache(&cache);
    if (FACET_FAILED(r))
        return r == FACET_E_OUTOFMEMORY ? r : FACET_OK; /* no cache folder: no index */
    *out = facet__path_join(cache, "facet/scan-index");
    facet__free(cache);
    return *out != NULL ? FACET_OK : facet__error(FACET_E_OUTOFMEMORY, "facet_scan: out of memory");
}

FacetResult facet__scan_index_path(char **out, FacetRuntime *rt, const char *folder)
{
    char name[32], *dir;
    FacetResult r = index_folder(&dir, rt);
    *out = NULL;
    if (FACET_FAILED(r) || dir == NULL)
        return r;
    snprintf(name, sizeof(name), "%016llx.index", (unsigned long long)path_hash(folder));
    *out = facet__path_join(dir, name);
    facet__free(dir);
    return *out != NULL ? FACET_OK : facet__error(FACET_E_OUTOFMEMORY, "facet_scan: out of memory");
}

/* ---- Reading ----------------------------------------------------------- */

typedef struct Reader {
    const unsigned char *p, *end;
    int bad;
} Reader;

static inline uint32_t get32(Reader *rd)
{
    uint32_t v;
    if (rd->bad || rd->end - rd->p < 4) {
        rd->bad = 1;
        return 0;
    }
    v = load32(rd->p);
    rd->p += 4;
    return v;
}

static inline uint64_t get64(Reader *rd)
{
    uint64_t v;
    if (rd->bad || rd->end - rd->p < 8) {
        rd->bad = 1;
        return 0;
    }
    v = load64(rd->p);
    rd->p += 8;
    return v;
}

/* A string's bytes (*len of them), or NULL for none (or when bad). */
static inline const char *get_str(Reader *rd, uint32_t *len)
{
    const char *s;
    *len = get32(rd);
    if (rd->bad || *len == NO_STRING)
        return NULL;
    if ((size_t)(rd->end - rd->p) < *len) {
        rd->bad = 1;
        return NULL;
    }
    s = (const char *)rd->p;
    rd->p += *len;
    return s;
}

/* Skips a string that must be there (none = bad). */
static void skip_str(Reader *rd, int may_be_none)
{
    uint32_t len;
    if (get_str(rd, &len) == NULL && !(may_be_none && len == NO_STRING))
        rd->bad = 1;
}

/* Walks over one manifest's fields, checking only that they are there. */
static void skip_manifest(Reader *rd)
{
    uint32_t n, i, k;
    skip_str(rd, 0);
    skip_str(rd, 0);
    get32(rd);
    skip_str(rd, 1);
    get32(rd);
    get32(rd);
    n = get32(rd);
    for (i = 0; i < n && !rd->bad; i++) {
        if (rd->end - rd->p < 16) {
            rd->bad = 1;
            break;
        }
        rd->p += 16;
        skip_str(rd, 1);
        skip_str(rd, 1);
        get32(rd);
        k = get32(rd);
        if (k != NO_STRING) {
            if ((size_t)(rd->end - rd->p) / 16 < k)
                rd->bad = 1;
            else
                rd->p += (size_t)k * 16;
        }
    }
    n = get32(rd);
    for (i = 0; i < n && !rd->bad; i++) {
        skip_str(rd, 0);
        skip_str(rd, 0);
    }
    n = get32(rd);
    for (i = 0; i < n && !rd->bad; i++)
        skip_str(rd, 0);
}

static int str_is(Reader *rd, const char *want)
{
    uint32_t len;
    const char *s = get_str(rd, &len);
    return s != NULL && len == strlen(want) && memcmp(s, want, len) == 0;
}

static int name_cmp(const IndexEntry *e, const char *name, size_t len)
{
    int c = memcmp(e->name, name, e->name_len < len ? e->name_len : len);
    return c != 0 ? c : e->name_len < len ? -1 : e->name_len > len;
}

/* Lists the entries of data, checking every bound; 0 when it is not an
 * index of folder this code can use. */
static int index_parse(FacetScanIndex *ix, const char *folder)
{
    Reader rd;
    uint32_t count, i;
    if (ix->size < SCAN_INDEX_HEADER || memcmp(ix->data, SCAN_INDEX_MAGIC, 8) != 0 ||
        load32(ix->data + 8) != SCAN_INDEX_FORMAT || load32(ix->data + 12) != 0 ||
        load64(ix->data + 16) != checksum(ix->data + SCAN_INDEX_HEADER,
                                          ix->size - SCAN_INDEX_HEADER))
        return 0;
    rd.p = ix->data + SCAN_INDEX_HEADER;
    rd.end = ix->data + ix->size;
    rd.bad = 0;
    if (!str_is(&rd, FACET_MANIFEST_PLATFORM) || !str_is(&rd, folder))
        return 0;
    count = get32(&rd);
    /* each entry takes at least 80 bytes: a count past that is a lie */
    if (rd.bad || count > (size_t)(rd.end - rd.p) / 80)
        return 0;
    ix->entries = facet__malloc((count + 1) * sizeof(*ix->entries));
    if (ix->entries == NULL)
        return 0;
    for (i = 0; i < count && !rd.bad; i++) {
        IndexEntry *e = &ix->entries[i];
        e->name = get_str(&rd, &e->name_len);
        if (e->name == NULL || e->name_len == 0 ||
            (i > 0 && name_cmp(&ix->entries[i - 1], e->name, e->name_len) >= 0)) {
            rd.bad = 1; /* names sorted and unique, or the lookup would miss */
            break;
        }
        e->size = get64(&rd);
        e->mtime_ns = (int64_t)get64(&rd);
        e->inode = get64(&rd);
        e->device = get64(&rd);
        e->manifest = (size_t)(rd.p - ix->data);
        skip_manifest(&rd);
    }
    if (rd.bad || rd.p != rd.end)
        return 0;
    ix->count = count;
    return 1;
}

void facet__scan_index_free(FacetScanIndex *ix)
{
    if (ix == NULL)
        return;
    facet__free(ix->entries);
    facet__free(ix->data);
    facet__free(ix);
}

FacetResult facet__scan_index_open(FacetScanIndex **out, uint32_t *state, const char *file,
                                   const char *folder)
{
    FacetScanIndex *ix;
    FacetOsStat meta;
    uint64_t size;
    char *data;
    FacetResult r;

    *out = NULL;
    *state = FACET_SCAN_INDEX_NONE;
    r = facet__file_read_all(&data, &size, &meta, file, SCAN_INDEX_MAX);
    if (r == FACET_E_OUTOFMEMORY)
        return r;
    if (FACET_FAILED(r)) {
        /* Not there is the usual case; anything else is an index not used. */
        FacetOsStat st;
        if (FACET_SUCCEEDED(facet__os_stat(&st, file)) && st.kind != FACET_OS_MISSING)
            *state = FACET_SCAN_INDEX_IGNORED;
        return FACET_OK;
    }
    ix = facet__calloc(1, sizeof(*ix));
    if (ix == NULL) {
        facet__free(data);
        return facet__error(FACET_E_OUTOFMEMORY, "facet_scan: out of memory");
    }
    ix->data = (unsigned char *)data;
    ix->size = (size_t)size;
    ix->written_ns = meta.mtime_ns;
    if (!index_parse(ix, folder)) {
        facet__scan_index_free(ix);
        *state = FACET_SCAN_INDEX_IGNORED;
        return FACET_OK;
    }
    *state = FACET_SCAN_INDEX_READ;
    *out = ix;
    return FACET_OK;
}

static const IndexEntry *find(FacetScanIndex *ix, const char *name)
{
    size_t len = strlen(name);
    uint32_t lo = 0, hi = ix->count;
    /* Lookups come in byte order of the names, as the entries are. */
    if (ix->next < ix->count && name_cmp(&ix->entries[ix->next], name, len) == 0)
        return &ix->entries[ix->next++];
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        int c = name_cmp(&ix->entries[mid], name, len);
        if (c == 0) {
            ix->next = mid + 1;
            return &ix->entries[mid];
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* A string of the entry into the arena; NULL for none. *ok cleared when
 * out of memory or when the text holds a NUL. */
static const char *take_str(Reader *rd, FacetArena *arena, int *ok)
{
    uint32_t len;
    const char *s = get_str(rd, &len);
    char *copy;
    if (s == NULL)
        return NULL;
    if (memchr(s, '\0', len) != NULL || (copy = facet__arena_alloc(arena, (size_t)len + 1)) == NULL) {
        *ok = 0;
        return NULL;
    }
    memcpy(copy, s, len);
    copy[len] = '\0';
    return copy;
}

static void take_guid(Reader *rd, FacetGuid *g)
{
    const unsigned char *p = rd->p;
    g->Data1 = load32(p);
    g->Data2 = (uint16_t)(p[4] | p[5] << 8);
    g->Data3 = (uint16_t)(p[6] | p[7] << 8);
    memcpy(g->Data4, p + 8, 8);
    rd->p += 16;
}

/* Rebuilds the manifest at e into arena, for the file at path; 0 when what
 * the index holds is not a manifest this code would have made (or memory
 * ran out: the caller then parses the file, which says so). */
static int take_manifest(FacetManifest **out, FacetScanIndex *ix, const IndexEntry *e,
                         FacetArena *arena, const char *path, const char *dir)
{
    Reader rd;
    FacetManifest *mf = facet__arena_alloc(arena, sizeof(*mf));
    uint32_t i, k;
    int ok = 1;

    if (mf == NULL)
        return 0;
    memset(mf, 0, sizeof(*mf));
    rd.p = ix->data + e->manifest;
    rd.end = ix->data + ix->size;
    rd.bad = 0;
    mf->path = facet__arena_strdup(arena, path);
    mf->dir = dir != NULL ? dir : facet__arena_dirname(arena, path);
    mf->name = take_str(&rd, arena, &ok);
    mf->version = take_str(&rd, arena, &ok);
    mf->api_level = get32(&rd);
    mf->library = take_str(&rd, arena, &ok);
    mf->isolation = get32(&rd);
    mf->runtime = get32(&rd);
    mf->class_count = get32(&rd);
    if (mf->path == NULL || mf->dir == NULL || mf->name == NULL || mf->version == NULL ||
        mf->isolation > FACET_ISOLATION_PROCESS || mf->runtime > FACET_RUNTIME_GO ||
        FACET_FAILED(facet__semver_parse(&mf->semver, mf->version)))
        return 0;
    if (rd.bad || mf->class_count > (size_t)(rd.end - rd.p) / 16)
        return 0;
    mf->classes = facet__arena_alloc(arena, sizeof(*mf->classes) * mf->class_count);
    if (mf->classes == NULL)
        return 0;
    for (i = 0; i < mf->class_count && ok && !rd.bad; i++) {
        FacetManifestClass *c = &mf->classes[i];
        if (rd.end - rd.p < 16)
            return 0;
        take_guid(&rd, &c->clsid);
        c->contract = take_str(&rd, arena, &ok);
        c->version = take_str(&rd, arena, &ok);
        c->threading = get32(&rd);
        c->interface_count = get32(&rd);
        c->interfaces = NULL;
        if (c->threading > FACET_THREADING_MAIN && c->threading != UINT32_MAX)
            return 0;
        if (c->interface_count == UINT32_MAX)
            continue;
        if (rd.bad || c->interface_count > (size_t)(rd.end - rd.p) / 16)
            return 0;
        c->interfaces = facet__arena_alloc(arena, sizeof(FacetGuid) * c->interface_count);
        if (c->interfaces == NULL)
            return 0;
        for (k = 0; k < c->interface_count; k++)
            take_guid(&rd, &c->interfaces[k]);
    }
    mf->require_count = get32(&rd);
    if (!ok || rd.bad || mf->require_count > (size_t)(rd.end - rd.p) / 8)
        return 0;
    mf->requires = facet__arena_alloc(arena, sizeof(*mf->requires) * mf->require_count);
    if (mf->requires == NULL)
        return 0;
    for (i = 0; i < mf->require_count; i++) {
        mf->requires[i].name = take_str(&rd, arena, &ok);
        mf->requires[i].range = take_str(&rd, arena, &ok);
        if (mf->requires[i].name == NULL || mf->requires[i].range == NULL)
            return 0;
    }
    mf->permission_count = get32(&rd);
    if (!ok || rd.bad || mf->permission_count > (size_t)(rd.end - rd.p) / 4)
        return 0;
    mf->permissions = facet__arena_alloc(arena, sizeof(char *) * mf->permission_count);
    if (mf->permissions == NULL)
        return 0;
    for (i = 0; i < mf->permission_count; i++) {
        FacetPermission pm;
        if ((mf->permissions[i] = take_str(&rd, arena, &ok)) == NULL ||
            !facet__permission_parse(&pm, mf->permissions[i], NULL, 0))
            return 0;
    }
    if (!ok || rd.bad)
        return 0;
    *out = mf;
    return 1;
}

int facet__scan_index_take(FacetManifest **out, FacetScanIndex *ix, const char *name,
                           const FacetOsStat *fs, FacetArena *arena, const char *path,
                           const char *dir)
{
    const IndexEntry *e = find(ix, name);
    FacetArenaMark mark;
    *out = NULL;
    if (e == NULL || fs->kind != FACET_OS_FILE || fs->size != e->size ||
        fs->mtime_ns != e->mtime_ns || fs->inode != e->inode || fs->device != e->device ||
        e->mtime_ns >= ix->written_ns)
        return 0;
    mark = facet__arena_mark(arena);
    if (!take_manifest(out, ix, e, arena, path, dir)) {
        facet__arena_rollback(arena, mark);
        *out = NULL;
        return 0;
    }
    ix->taken++;
    return 1;
}

int facet__scan_index_complete(const FacetScanIndex *ix)
{
    return ix != NULL && ix->taken == ix->count;
}

/* ---- Writing ----------------------------------------------------------- */

typedef struct Writer {
    unsigned char *data;
    size_t size, cap;
    int oom;
} Writer;

static unsigned char *room(Writer *w, size_t n)
{
    unsigned char *p;
    if (w->oom)
        return NULL;
    if (w->cap - w->size < n) {
        size_t cap = w->cap ? w->cap * 2 : 64 * 1024;
        while (cap - w->size < n)
            cap *= 2;
        p = facet__realloc(w->data, cap);
        if (p == NULL) {
            w->oom = 1;
            return NULL;
        }
        w->data = p;
        w->cap = cap;
    }
    p = w->data + w->size;
    w->size += n;
    return p;
}

static void put32(Writer *w, uint32_t v)
{
    unsigned char *p = room(w, 4);
    if (p != NULL)
        store32(p, v);
}

static void put64(Writer *w, uint64_t v)
{
    put32(w, (uint32_t)v);
    put32(w, (uint32_t)(v >> 32));
}

static void put_str(Writer *w, const char *s)
{
    size_t n = s != NULL ? strlen(s) : 0;
    unsigned char *p;
    put32(w, s != NULL ? (uint32_t)n : NO_STRING);
    if (s != NULL && (p = room(w, n)) != NULL)
        memcpy(p, s, n);
}

static void put_guid(Writer *w, const FacetGuid *g)
{
    unsigned char *p;
    put32(w, g->Data1);
    p = room(w, 12);
    if (p != NULL) {
        p[0] = (unsigned char)g->Data2;
        p[1] = (unsigned char)(g->Data2 >> 8);
        p[2] = (unsigned char)g->Data3;
        p[3] = (unsigned char)(g->Data3 >> 8);
        memcpy(p + 4, g->Data4, 8);
    }
}

static void put_manifest(Writer *w, const FacetManifest *mf)
{
    uint32_t i, k;
    put_str(w, mf->name);
    put_str(w, mf->version);
    put32(w, mf->api_level);
    put_str(w, mf->library);
    put32(w, mf->isolation);
    put32(w, mf->runtime);
    put32(w, mf->class_count);
    for (i = 0; i < mf->class_count; i++) {
        const FacetManifestClass *c = &mf->classes[i];
        put_guid(w, &c->clsid);
        put_str(w, c->contract);
        put_str(w, c->version);
        put32(w, c->threading);
        put32(w, c->interface_count);
        for (k = 0; c->interface_count != UINT32_MAX && k < c->interface_count; k++)
            put_guid(w, &c->interfaces[k]);
    }
    put32(w, mf->require_count);
    for (i = 0; i < mf->require_count; i++) {
        put_str(w, mf->requires[i].name);
        put_str(w, mf->requires[i].range);
    }
    put32(w, mf->permission_count);
    for (i = 0; i < mf->permission_count; i++)
        put_str(w, mf->permissions[i]);
}

/* Makes the folders of path that are missing, as far as it can; quiet:
 * writing the file says what failed. */
static void make_parents(const char *path)
{
    char *copy = facet__strdup(path);
    size_t i, n;
    if (copy == NULL)
        return;
    n = strlen(copy);
    for (i = 1; i < n; i++) {
        FacetOsStat st;
        if (copy[i] != '/' && copy[i] != '\\')
            continue;
        copy[i] = '\0';
        if (i > 0 && copy[i - 1] != ':' && FACET_SUCCEEDED(facet__os_stat(&st, copy)) &&
            st.kind == FACET_OS_MISSING)
            facet__os_mkdir(copy);
        copy[i] = path[i];
    }
    facet__free(copy);
}

FacetResult facet__scan_index_write(const char *file, const char *folder,
                                    const FacetScanIndexItem *items, uint32_t count)
{
    Writer w = {NULL, 0, 0, 0};
    uint64_t sum;
    uint32_t i, n = 0;
    size_t count_at;
    FacetResult r;

    room(&w, SCAN_INDEX_HEADER);
    put_str(&w, FACET_MANIFEST_PLATFORM);
    put_str(&w, folder);
    count_at = w.size;
    put32(&w, 0);
    for (i = 0; i < count; i++) {
        if (items[i].mf == NULL)
            continue;
        put_str(&w, items[i].name);
        put64(&w, items[i].size);
        put64(&w, (uint64_t)items[i].mtime_ns);
        put64(&w, items[i].inode);
        put64(&w, items[i].device);
        put_manifest(&w, items[i].mf);
        n++;
    }
    if (w.oom) {
        facet__free(w.data);
        return facet__error(FACET_E_OUTOFMEMORY, "%s: out of memory writing the scan index", file);
    }
    memcpy(w.data, SCAN_INDEX_MAGIC, 8);
    store32(w.data + 8, SCAN_INDEX_FORMAT);
    store32(w.data + 12, 0);
    store32(w.data + count_at, n);
    sum = checksum(w.data + SCAN_INDEX_HEADER, w.size - SCAN_INDEX_HEADER);
    store32(w.data + 16, (uint32_t)sum);
    store32(w.data + 20, (uint32_t)(sum >> 32));
    make_parents(file);
    r = facet__os_write_replace(file, w.data, w.size);
    facet__free(w.data);
    return r;
}
