/*
 * core/formats/formats.h - the formats layer: pure parsers and writers of what Facet reads
 * (GUIDs, SemVer, JSON, module images, manifests, the host configuration),
 * with no runtime. It may use core/os and core/base.
 * Not installed.
 *
 * Internal non-static functions are named facet__name().
 */
#ifndef FACET_CORE_FORMATS_H
#define FACET_CORE_FORMATS_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "base/base.h"
#include "base/hash.h"
#include "os/os.h"

/* ---- Equal GUIDs in a table (guid.c) ------------------------------------ */

/* An open-addressed index over the GUIDs of a table of items, item i's at
 * base + i * stride: finding duplicates among n items costs O(n). At most
 * count items may be added; the table must not move meanwhile. */
typedef struct FacetGuidIndex {
    uint32_t *slots;            /* item index + 1; 0: empty */
    uint32_t mask;
    const unsigned char *base;
    size_t stride;
} FacetGuidIndex;

FacetResult facet__guid_index_init(FacetGuidIndex *ix, uint32_t count, const void *base,
                                   size_t stride);
/* Adds item i, unless an item added before has the same GUID: then its
 * index, and i is not added. UINT32_MAX when i was added. */
uint32_t facet__guid_index_add(FacetGuidIndex *ix, uint32_t i);
/* The index of the item added with GUID g, or UINT32_MAX. */
uint32_t facet__guid_index_find(const FacetGuidIndex *ix, const FacetGuid *g);
void facet__guid_index_free(FacetGuidIndex *ix);

/* ---- Module images (image.c) ------------------------------------------- */

/* What a file's first bytes say it is. */
typedef struct FacetImageInfo {
    const char *format;   /* "ELF", "PE", "Mach-O" */
    const char *machine;  /* "x86_64", "aarch64", "i386", ... */
    uint32_t bits;        /* 32 or 64 */
    uint32_t runtime;     /* FACET_RUNTIME_GO: it carries Go's build information */
} FacetImageInfo;

/* Reads up to len bytes at offset into buf; returns bytes read, or -1. */
typedef int64_t (*FacetImageReadFn)(void *payload, uint64_t offset, void *buf, uint64_t len);

/* Checks that the image of file_size bytes that read gives is a shared
 * library for the machine this code runs on, and tells a Go one (out's
 * runtime). Sets an error naming `name`: FACET_E_EMPTYFILE,
 * FACET_E_NOTLIBRARY, FACET_E_TRUNCATED, FACET_E_WRONGARCH. */
FacetResult facet__image_check(FacetImageInfo *out, const char *name, uint64_t file_size,
                               FacetImageReadFn read, void *payload);

/* Whether any image (a library or a program) carries Go's build
 * information; 0 for anything unreadable or odd. */
int facet__image_is_go(uint64_t file_size, FacetImageReadFn read, void *payload);

/* ---- SemVer (semver.c) ------------------------------------------------- */

/* A parsed version; pre points into the text it was parsed from (or to
 * static storage) and is not NUL-terminated. */
typedef struct FacetSemver {
    uint64_t major, minor, patch;
    const char *pre;
    uint32_t pre_len;
} FacetSemver;

#define FACET_SEMVER_MAX_COMPARATORS 8u
#define FACET_SEMVER_MAX_SETS 16u

typedef struct FacetVersionSet {
    uint32_t count;
    uint32_t ops[FACET_SEMVER_MAX_COMPARATORS];
    FacetSemver versions[FACET_SEMVER_MAX_COMPARATORS];
} FacetVersionSet;

/* Sets joined by "||"; versions point into the range's text. */
typedef struct FacetVersionRange {
    uint32_t count;
    FacetVersionSet sets[FACET_SEMVER_MAX_SETS];
} FacetVersionRange;

/* Both set FACET_E_INVALIDARG with the column of the first bad character. */
FacetResult facet__semver_parse(FacetSemver *out, const char *text);
FacetResult facet__range_parse(FacetVersionRange *out, const char *text);
int facet__semver_compare(const FacetSemver *a, const FacetSemver *b);
int facet__range_satisfied(const FacetVersionRange *range, const FacetSemver *v);

/* ---- JSON documents (json.c) ------------------------------------------- */

/* The largest manifest or config file read, and the deepest nesting. */
#define FACET_JSON_MAX_SIZE (1024u * 1024u)
#define FACET_JSON_MAX_DEPTH 32u

/* One step of a JSON path: a member's name, or an array index. */
typedef struct FacetJsonStep {
    const char *key;    /* NULL: an array index */
    size_t index;
} FacetJsonStep;

#define FACET_JSON_MAX_STEPS 48u

/* Where a field sits: the file, its text, and the JSON path being checked
 * ("$.classes[0].clsid"), so that an error can say file:line:column. */
typedef struct FacetJsonCtx {
    const char *file;
    const char *text;
    size_t size;
    FacetResult code;   /* FACET_E_BADMANIFEST or FACET_E_BADCONFIG */
    size_t len;         /* steps of the path in use */
    FacetJsonStep steps[FACET_JSON_MAX_STEPS]; /* written out only for an error */
} FacetJsonCtx;

/* Parses text with jansson; a syntax error becomes ctx->code with
 * file:line:column. *out is a new reference. */
struct json_t;
FacetResult facet__json_parse(struct json_t **out, FacetJsonCtx *ctx);
/* Fails at the first value nested deeper than FACET_JSON_MAX_DEPTH. Called
 * only when checking the fields failed: a file that passes them has no
 * deep nesting (settings check their own depth), and one that fails may
 * fail because of it, which is then the error to report. */
FacetResult facet__json_check_depth(FacetJsonCtx *ctx, struct json_t *root);
/* Appends .key (or ["key"]) or [index] to the path; returns the old length,
 * to pass to facet__json_pop. key must stay valid while the step is in use. */
size_t facet__json_push_key(FacetJsonCtx *ctx, const char *key);
size_t facet__json_push_index(FacetJsonCtx *ctx, size_t index);
void facet__json_pop(FacetJsonCtx *ctx, size_t len);
/* Sets ctx->code with "file:line:column: $.path: message", the position
 * being that of the value at the current path (or of its nearest parent). */
FacetResult facet__json_error(FacetJsonCtx *ctx, const char *fmt, ...) FACET_PRINTF(2, 3);
/* The same, for a failure some other function already described: keeps its
 * message after the position. */
FacetResult facet__json_wrap(FacetJsonCtx *ctx, FacetResult r);
/* Fails for a member of object whose name is not in the NULL-terminated
 * list known. */
FacetResult facet__json_check_keys(FacetJsonCtx *ctx, struct json_t *object,
                                   const char *const *known);
/* Reads a whole file of at most FACET_JSON_MAX_SIZE bytes (meta as
 * facet__file_read_all). */
FACET_INTERNAL FacetResult facet__json_read_file(char **out, size_t *size, FacetOsStat *meta,
                                                 const char *path, FacetResult code);
/* line:column of the value at path ("$.library", "$.requires[\"a.b\"]",
 * "$.classes[3]") in text, or of its nearest parent that is there, for an
 * error found after parsing. A name in brackets may hold any character,
 * with '"' and '\\' escaped by a backslash, as the messages write it. */
void facet__json_locate(const char *text, size_t size, const char *path, unsigned *line,
                        unsigned *column);

/* ---- Manifests (manifest.c) -------------------------------------------- */

/* This platform's key in a manifest's "library" object. */
#if defined(_WIN32)
#define FACET_MANIFEST_PLATFORM "windows"
#elif defined(__APPLE__)
#define FACET_MANIFEST_PLATFORM "macos"
#else
#define FACET_MANIFEST_PLATFORM "linux"
#endif

typedef struct FacetManifestClass {
    FacetGuid clsid;
    const char *contract;     /* NULL if not given */
    const char *version;      /* NULL if not given */
    uint32_t threading;       /* FACET_THREADING_*, or UINT32_MAX if not given */
    uint32_t interface_count; /* UINT32_MAX if the manifest lists none */
    FacetGuid *interfaces;
} FacetManifestClass;

typedef struct FacetManifestRequire {
    const char *name;
    const char *range;        /* checked by facet__range_parse */
} FacetManifestRequire;


struct FacetManifest {
    FacetArena arena;         /* everything below lives in it, or in a
                               * shared arena when arena.chunks is NULL */
    const char *path;         /* the manifest file, as given */
    const char *dir;          /* its folder */
    const char *name;
    const char *version;
    FacetSemver semver;       /* points into version */
    uint32_t api_level;
    const char *library;      /* this platform's library, relative to dir */
    uint32_t isolation;
    uint32_t runtime;         /* FACET_RUNTIME_* */
    uint32_t class_count;
    FacetManifestClass *classes;
    uint32_t require_count;
    FacetManifestRequire *requires;
    uint32_t permission_count;
    const char **permissions;
};

/* A FACET_THREADING_* value as a manifest writes it, or "(invalid)". */
const char *facet__threading_name(uint32_t threading);
/* The manifest next to a module: <stem>.facet.json (facet__malloc). */
FACET_INTERNAL char *facet__manifest_path_for(const char *module);
/* Parses a manifest's text; path names it in messages and gives the folder
 * its library is relative to. */
FacetResult facet__manifest_parse(FacetManifest **out, const char *path, const char *text,
                                  size_t size);
/* The same, allocating from shared, which the caller frees (with every
 * manifest in it); a failure leaves shared as it was. dir, when not NULL,
 * is path's folder, in shared: the manifests of one folder share it. */
FacetResult facet__manifest_parse_in(FacetManifest **out, FacetArena *shared, const char *path,
                                     const char *dir, const char *text, size_t size);
/* The library's full path, checked to stay inside the manifest's folder
 * (after links are resolved); from facet__malloc. */
FacetResult facet__manifest_library_path(char **out, const FacetManifest *mf);
int facet__manifest_has_permission(const FacetManifest *mf, const char *permission);
/* Sets a manifest error at a JSON path, re-reading the file for the position. */
FacetResult facet__manifest_error_at(const FacetManifest *mf, const char *path, FacetResult code,
                                     const char *fmt, ...) FACET_PRINTF(4, 5);

/* ---- Permission names (permission.c) ----------------------------------- */

#define FACET_PERMISSION_PLAIN 0u       /* a name the host defines: "org.example.clock" */
#define FACET_PERMISSION_FS_READ 1u     /* fs.read:PATH */
#define FACET_PERMISSION_FS_WRITE 2u    /* fs.write:PATH */
#define FACET_PERMISSION_NET_CONNECT 3u /* net.connect:HOST:PORT */

/* A permission name taken apart; arg points into the text parsed. */
typedef struct FacetPermission {
    uint32_t kind;              /* FACET_PERMISSION_* */
    const char *arg;            /* the name, the path, or the host (IPv6 without brackets) */
    size_t arg_len;
    uint32_t port;              /* net.connect: 1 to 65535 */
} FacetPermission;

/* Checks and takes apart a permission name; 0, and in why (size bytes, may
 * be 0) what is wrong with it, for a bad one. */
FACET_INTERNAL int facet__permission_parse(FacetPermission *out, const char *text, char *why, size_t size);
/* The form a file keeps of the permission text (checked as above, the
 * reason in why, FACET_E_INVALIDARG): a relative path joined to dir (when
 * not NULL) and without "." or ".." components, a host in lower case. In
 * a, FACET_E_OUTOFMEMORY when it cannot be had. Sets no error. */
FACET_INTERNAL FacetResult facet__permission_canonical(const char **out, FacetArena *a,
                                                       const char *text, const char *dir,
                                                       char *why, size_t size);
/* The folder a file's relative permission paths are joined to: dir, the
 * file's folder, made absolute (in a) when it is relative and the system
 * can say where it is, so that what a file grants does not depend on the
 * current folder of whoever reads it. */
const char *facet__permission_folder(FacetArena *a, const char *dir);
/* Whether the permission `grant` covers the permission `request`: the same
 * name for plain permissions; for kind:argument ones, the same kind and an
 * argument that covers the requested one (a folder covers the paths under
 * it, never a sibling that shares its prefix; fs.write covers fs.read;
 * net.connect matches host and port exactly, the host in lower case).
 * Both as a file keeps them (facet__permission_canonical); "." and ".."
 * are taken out again. 0 for a name that is not valid. */
FACET_INTERNAL int facet__permission_covers(const char *grant, const char *request);

/* ---- Host configuration (config.c) ------------------------------------- */

#define FACET_SETTING_STRING 0u
#define FACET_SETTING_INT 1u
#define FACET_SETTING_REAL 2u
#define FACET_SETTING_BOOL 3u
#define FACET_SETTING_NULL 4u

typedef struct FacetSetting {
    const char *key;            /* dotted path, "cache.size", "list.0" */
    uint32_t type;              /* FACET_SETTING_* */
    const char *text;
    int64_t integer;
    double real;
    UT_hash_handle hh;
} FacetSetting;

/* modules.<name>.limits of a process-isolated module; 0: no limit. */
typedef struct FacetModuleLimits {
    uint64_t memory_mb;         /* address space, MiB */
    uint64_t open_files;
    uint64_t cpu_seconds;
} FacetModuleLimits;

typedef struct FacetModuleConfig {
    const char *name;
    uint32_t grant_count;
    const char **grants;        /* as facet__permission_canonical keeps them */
    FacetModuleLimits limits;
    FacetSetting *settings;     /* uthash by key */
    uint32_t isolation;         /* 0: as the manifest says; else FACET_ISOLATION_* + 1 */
    uint32_t restart;           /* 0: not given; else FACET_RESTART_* + 1 */
    uint32_t call_timeout_ms;   /* 0: no limit */
    UT_hash_handle hh;
} FacetModuleConfig;

/* "restart" of modules.<name>: what a create does after the process host
 * of a process-isolated module died. */
#define FACET_RESTART_ON_CREATE 0u /* a new child at the next create (the default) */
#define FACET_RESTART_NEVER 1u     /* the class fails with FACET_E_DISCONNECTED */
#define FACET_RESTART_BACKOFF 2u   /* a new child, after growing delays */

typedef struct FacetAlias {
    const char *name;
    const char *target;         /* the final contract name, after alias chains */
    size_t target_len;          /* its length and uthash hash, for the lookup */
    unsigned target_hash;
    uint32_t is_clsid;
    FacetGuid clsid;
    uint32_t resolved;          /* scratch while chains are followed */
    UT_hash_handle hh;
} FacetAlias;

typedef struct FacetConfig {
    FacetArena arena;
    const char *path;
    uint32_t folder_count;
    const char **folders;       /* resolved against the config's folder */
    uint32_t enable_count;      /* 0: every module not disabled */
    const char **enable;
    uint32_t disable_count;
    const char **disable;
    FacetAlias *aliases;        /* uthash by name */
    FacetModuleConfig *modules; /* uthash by name */
    uint32_t hot_reload;        /* "hot_reload": true */
    const char *scan_index;     /* "scan_index": the folder, resolved; "": none; NULL: not given */
} FacetConfig;

FacetResult facet__config_parse(FacetConfig **out, const char *path, const char *text,
                                size_t size);
void facet__config_free(FacetConfig *cfg);
const FacetModuleConfig *facet__config_module(const FacetConfig *cfg, const char *name);
int facet__config_enabled(const FacetConfig *cfg, const char *name);
int facet__config_granted(const FacetConfig *cfg, const char *module, const char *permission);
const FacetSetting *facet__config_setting(const FacetModuleConfig *mc, const char *key);
/* Whether the configuration asked for "hot_reload". */
int facet__config_hot_reload(const FacetConfig *cfg);

#endif /* FACET_CORE_FORMATS_H */
