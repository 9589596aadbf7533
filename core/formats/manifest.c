/*
 * core/formats/manifest.c - <module>.facet.json: what a module is, read without
 * loading its code (docs/manifest.md, docs/manifest.schema.json), and the
 * check at load time that the module agrees with it.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "formats.h"

static const char *const manifest_keys[] = {"$schema", "name", "version", "api_level",
                                            "description", "library", "classes", "requires",
                                            "permissions", "isolation", "runtime", NULL};
static const char *const class_keys[] = {"clsid", "contract", "version", "threading",
                                         "interfaces", "description", NULL};
static const char *const library_keys[] = {"linux", "windows", "macos", NULL};
static const char *const threading_names[] = {"any", "single", "main"};

const char *facet__threading_name(uint32_t threading)
{
    return threading <= FACET_THREADING_MAIN ? threading_names[threading] : "(invalid)";
}
/* FACET_ISOLATION_* and FACET_RUNTIME_*, by their value. */
static const char *const isolation_names[] = {"in-process", "process", NULL};
static const char *const runtime_names[] = {"native", "go", NULL};

typedef struct Parser {
    FacetJsonCtx ctx;
    FacetManifest *mf;
    FacetArena *arena; /* where mf and what it keeps live */
} Parser;

static const char *type_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER: return "an integer";
    case JSON_REAL: return "a number";
    case JSON_TRUE:
    case JSON_FALSE: return "a boolean";
    default: return "null";
    }
}

/* Reads member key of object; required fields fail when missing. The path
 * is left pushed on success (the caller pops to *old). */
static FacetResult member(json_t **out, Parser *p, json_t *object, const char *key, json_type type,
                          const char *expected, int required, size_t *old)
{
    json_t *v = json_object_get(object, key);
    *out = NULL;
    *old = p->ctx.len;
    if (v == NULL) {
        if (required)
            return facet__json_error(&p->ctx, "missing required field \"%s\" (%s)", key, expected);
        return FACET_OK;
    }
    facet__json_push_key(&p->ctx, key);
    if (json_typeof(v) != type && !(type == JSON_TRUE && json_is_boolean(v))) {
        FacetResult r = facet__json_error(&p->ctx, "expected %s, found %s", expected, type_name(v));
        facet__json_pop(&p->ctx, *old);
        return r;
    }
    *out = v;
    return FACET_OK;
}

/* An optional string field of object that names one of names (NULL
 * ended): *out becomes its index, and stays as it was if the field is not
 * there. */
static FacetResult choice(Parser *p, json_t *object, const char *key, const char *const *names,
                          uint32_t *out)
{
    char expected[128];
    json_t *v;
    size_t old, used = 0;
    uint32_t i;
    FacetResult r;
    expected[0] = '\0';
    for (i = 0; names[i] != NULL; i++) {
        int n = snprintf(expected + used, sizeof(expected) - used, "%s\"%s\"",
                         i == 0 ? "" : names[i + 1] == NULL ? " or " : ", ", names[i]);
        used += n > 0 ? (size_t)n : 0;
    }
    r = member(&v, p, object, key, JSON_STRING, expected, 0, &old);
    if (FACET_FAILED(r) || v == NULL)
        return r;
    for (i = 0; names[i] != NULL; i++)
        if (strcmp(json_string_value(v), names[i]) == 0)
            break;
    if (names[i] != NULL)
        *out = i;
    else
        r = facet__json_error(&p->ctx, "\"%s\": expected %s", json_string_value(v), expected);
    facet__json_pop(&p->ctx, old);
    return r;
}

static FacetResult copy_string(const char **out, Parser *p, json_t *v)
{
    *out = facet__arena_strdup(p->arena, json_string_value(v));
    return *out ? FACET_OK : facet__error(FACET_E_OUTOFMEMORY, "%s: out of memory", p->ctx.file);
}

/* Names: "org.example.greeter", letters, digits, '.', '-', '_'. */
static int valid_name(const char *s)
{
    if (*s == '\0' || strlen(s) > 200)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '.' || *s == '-' || *s == '_'))
            return 0;
    return 1;
}

static FacetResult string_field(const char **out, Parser *p, json_t *object, const char *key,
                                int required, int name_rules)
{
    json_t *v;
    size_t old;
    FacetResult r = member(&v, p, object, key, JSON_STRING, "a string", required, &old);
    *out = NULL;
    if (FACET_FAILED(r) || v == NULL)
        return r;
    if (name_rules && !valid_name(json_string_value(v)))
        r = facet__json_error(&p->ctx,
                              "\"%s\" is not a valid name: 1 to 200 letters, digits, '.', '-' "
                              "or '_'",
                              json_string_value(v));
    else
        r = copy_string(out, p, v);
    facet__json_pop(&p->ctx, old);
    return r;
}

static FacetResult guid_value(FacetGuid *out, Parser *p, json_t *v)
{
    if (!json_is_string(v))
        return facet__json_error(&p->ctx, "expected a GUID string, found %s", type_name(v));
    if (FACET_FAILED(facet_guid_parse(out, json_string_value(v))))
        return facet__json_wrap(&p->ctx, FACET_E_BADGUID);
    return FACET_OK;
}

/* A library path must stay in the manifest's folder: relative, no "..". */
static FacetResult check_library_text(Parser *p, const char *s)
{
    const char *c = s;
    if (*s == '\0')
        return facet__json_error(&p->ctx, "the library path is empty");
    if (facet__path_is_absolute(s))
        return facet__json_error(&p->ctx,
                                 "library path \"%s\" is absolute; it must be relative to the "
                                 "manifest's folder",
                                 s);
    while (*c) {
        size_t n = strcspn(c, "/\\");
        if (n == 2 && c[0] == '.' && c[1] == '.')
            return facet__json_error(&p->ctx,
                                     "library path \"%s\" leaves the plugin folder through "
                                     "\"..\"",
                                     s);
        c += n;
        if (*c)
            c++;
    }
    return FACET_OK;
}

static FacetResult parse_library(Parser *p, json_t *root)
{
    json_t *v = json_object_get(root, "library"), *mine;
    size_t old = p->ctx.len, old2;
    FacetResult r = FACET_OK;
    const char *key;
    json_t *value;

    if (v == NULL)
        return facet__json_error(&p->ctx,
                                 "missing required field \"library\" (a path, or an object of "
                                 "paths by platform: linux, windows, macos)");
    facet__json_push_key(&p->ctx, "library");
    if (json_is_string(v)) {
        r = check_library_text(p, json_string_value(v));
        if (FACET_SUCCEEDED(r))
            r = copy_string(&p->mf->library, p, v);
        facet__json_pop(&p->ctx, old);
        return r;
    }
    if (!json_is_object(v)) {
        r = facet__json_error(&p->ctx, "expected a string or an object, found %s", type_name(v));
        facet__json_pop(&p->ctx, old);
        return r;
    }
    r = facet__json_check_keys(&p->ctx, v, library_keys);
    json_object_foreach(v, key, value) {
        if (FACET_FAILED(r))
            break;
        old2 = facet__json_push_key(&p->ctx, key);
        if (!json_is_string(value))
            r = facet__json_error(&p->ctx, "expected a string, found %s", type_name(value));
        else
            r = check_library_text(p, json_string_value(value));
        facet__json_pop(&p->ctx, old2);
    }
    mine = json_object_get(v, FACET_MANIFEST_PLATFORM);
    if (FACET_SUCCEEDED(r) && mine == NULL)
        r = facet__json_error(&p->ctx,
                              "no library for this platform (\"" FACET_MANIFEST_PLATFORM "\")");
    if (FACET_SUCCEEDED(r))
        r = copy_string(&p->mf->library, p, mine);
    facet__json_pop(&p->ctx, old);
    return r;
}

static FacetResult parse_class(Parser *p, json_t *v, FacetManifestClass *c)
{
    json_t *f;
    size_t old, i;
    FacetResult r;

    c->threading = UINT32_MAX;
    c->interface_count = UINT32_MAX;
    if (!json_is_object(v))
        return facet__json_error(&p->ctx, "expected a class object, found %s", type_name(v));
    r = facet__json_check_keys(&p->ctx, v, class_keys);
    if (FACET_FAILED(r))
        return r;
    r = member(&f, p, v, "clsid", JSON_STRING, "a GUID string", 1, &old);
    if (FACET_FAILED(r))
        return r;
    r = guid_value(&c->clsid, p, f);
    facet__json_pop(&p->ctx, old);
    if (FACET_FAILED(r))
        return r;
    r = string_field(&c->contract, p, v, "contract", 0, 1);
    if (FACET_SUCCEEDED(r))
        r = string_field(&c->version, p, v, "version", 0, 0);
    if (FACET_FAILED(r))
        return r;
    if (c->version != NULL) {
        FacetSemver sv;
        old = facet__json_push_key(&p->ctx, "version");
        if (FACET_FAILED(facet__semver_parse(&sv, c->version)))
            r = facet__json_wrap(&p->ctx, FACET_E_BADMANIFEST);
        facet__json_pop(&p->ctx, old);
        if (FACET_FAILED(r))
            return r;
    }
    r = member(&f, p, v, "threading", JSON_STRING, "\"any\", \"single\" or \"main\"", 0, &old);
    if (FACET_FAILED(r))
        return r;
    if (f != NULL) {
        for (i = 0; i < 3; i++)
            if (strcmp(json_string_value(f), threading_names[i]) == 0)
                c->threading = (uint32_t)i;
        if (c->threading == UINT32_MAX)
            r = facet__json_error(&p->ctx, "\"%s\": expected \"any\", \"single\" or \"main\"",
                                  json_string_value(f));
        facet__json_pop(&p->ctx, old);
        if (FACET_FAILED(r))
            return r;
    }
    r = member(&f, p, v, "description", JSON_STRING, "a string", 0, &old);
    if (FACET_FAILED(r))
        return r;
    facet__json_pop(&p->ctx, old);
    r = member(&f, p, v, "interfaces", JSON_ARRAY, "an array of interface IIDs", 0, &old);
    if (FACET_FAILED(r) || f == NULL)
        return r;
    c->interface_count = (uint32_t)json_array_size(f);
    c->interfaces = facet__arena_alloc(p->arena, sizeof(FacetGuid) * (json_array_size(f) + 1));
    if (c->interfaces == NULL)
        r = facet__error(FACET_E_OUTOFMEMORY, "%s: out of memory", p->ctx.file);
    for (i = 0; FACET_SUCCEEDED(r) && i < json_array_size(f); i++) {
        size_t old2 = facet__json_push_index(&p->ctx, i);
        r = guid_value(&c->interfaces[i], p, json_array_get(f, i));
        facet__json_pop(&p->ctx, old2);
    }
    facet__json_pop(&p->ctx, old);
    return r;
}

static FacetResult parse_classes(Parser *p, json_t *root)
{
    json_t *v;
    size_t old, i;
    FacetGuidIndex clsids = {NULL, 0, NULL, 0};
    FacetResult r = member(&v, p, root, "classes", JSON_ARRAY, "an array of classes", 1, &old);
    if (FACET_FAILED(r))
        return r;
    p->mf->class_count = (uint32_t)json_array_size(v);
    p->mf->classes = facet__arena_alloc(p->arena,
                                        sizeof(FacetManifestClass) * (json_array_size(v) + 1));
    if (p->mf->classes == NULL)
        r = facet__error(FACET_E_OUTOFMEMORY, "%s: out of memory", p->ctx.file);
    else if (FACET_FAILED(facet__guid_index_init(&clsids, p->mf->class_count,
                                                 &p->mf->classes[0].clsid,
                                                 sizeof(FacetManifestClass))))
        r = facet__error(FACET_E_OUTOFMEMORY, "%s: out of memory", p->ctx.file);
    for (i = 0; FACET_SUCCEEDED(r) && i < json_array_size(v); i++) {
        size_t old2 = facet__json_push_index(&p->ctx, i);
        uint32_t same;
        memset(&p->mf->classes[i], 0, sizeof(FacetManifestClass));
        r = parse_class(p, json_array_get(v, i), &p->mf->classes[i]);
        if (FACET_SUCCEEDED(r) && (same = facet__guid_index_add(&clsids, (uint32_t)i)) != UINT32_MAX)
            r = facet__json_error(&p->ctx, "the same clsid as classes[%u]", (unsigned)same);
        facet__json_pop(&p->ctx, old2);
    }
    facet__guid_index_free(&clsids);
    facet__json_pop(&p->ctx, old);
    return r;
}

static FacetResult parse_requires(Parser *p, json_t *root)
{
    json_t *v, *value;
    const char *key;
    size_t old, n = 0;
    FacetResult r = member(&v, p, root, "requires", JSON_OBJECT,
                           "an object of module name to version range", 0, &old);
    if (FACET_FAILED(r) || v == NULL)
        return r;
    p->mf->requires = facet__arena_alloc(p->arena,
                                         sizeof(FacetManifestRequire) * (json_object_size(v) + 1));
    if (p->mf->requires == NULL)
        r = facet__error(FACET_E_OUTOFMEMORY, "%s: out of memory", p->ctx.file);
    json_object_foreach(v, key, value) {
        FacetVersionRange range;
        size_t old2;
        if (FACET_FAILED(r))
            break;
        old2 = facet__json_push_key(&p->ctx, key);
        if (!valid_name(key))
            r = facet__json_error(&p->ctx, "\"%s\" is not a valid module name", key);
        else if (!json_is_string(value))
            r = facet__json_error(&p->ctx, "expected a version range string, found %s",
                                  type_name(value));
        else if (FACET_FAILED(facet__range_parse(&range, json_string_value(value))))
            r = facet__json_wrap(&p->ctx, FACET_E_BADMANIFEST);
        else if (p->mf->name != NULL && strcmp(key, p->mf->name) == 0)
            r = facet__json_error(&p->ctx, "a module cannot require itself");
        if (FACET_SUCCEEDED(r)) {
            p->mf->requires[n].name = facet__arena_strdup(p->arena, key);
            p->mf->requires[n].range = facet__arena_strdup(p->arena, json_string_value(value));
            if (p->mf->requires[n].name == NULL || p->mf->requires[n].range == NULL)
                r = facet__error(FACET_E_OUTOFMEMORY, "%s: out of memory", p->ctx.file);
            n++;
        }
        facet__json_pop(&p->ctx, old2);
    }
    p->mf->require_count = (uint32_t)n;
    facet__json_pop(&p->ctx, old);
    return r;
}

static FacetResult parse_permissions(Parser *p, json_t *root)
{
    json_t *v;
    size_t old, i;
    const char *dir = NULL;
    char why[512];
    FacetResult r = member(&v, p, root, "permissions", JSON_ARRAY,
                           "an array of permission names", 0, &old);
    if (FACET_FAILED(r) || v == NULL)
        return r;
    p->mf->permissions = facet__arena_alloc(p->arena, sizeof(char *) * (json_array_size(v) + 1));
    if (p->mf->permissions == NULL)
        r = facet__error(FACET_E_OUTOFMEMORY, "%s: out of memory", p->ctx.file);
    for (i = 0; FACET_SUCCEEDED(r) && i < json_array_size(v); i++) {
        json_t *e = json_array_get(v, i);
        size_t old2 = facet__json_push_index(&p->ctx, i);
        const char *text = json_string_value(e);
        if (!json_is_string(e)) {
            r = facet__json_error(&p->ctx, "expected a permission name, found %s", type_name(e));
        } else {
            /* fs.read:PATH and fs.write:PATH are relative to this folder. */
            if (dir == NULL && strchr(text, ':') != NULL)
                dir = facet__permission_folder(p->arena, p->mf->dir);
            r = facet__permission_canonical(&p->mf->permissions[i], p->arena, text,
                                            dir != NULL ? dir : p->mf->dir, why, sizeof(why));
            if (r == FACET_E_INVALIDARG)
                r = facet__json_error(&p->ctx, "\"%s\" is not a valid permission name: %s", text,
                                      why);
            else if (FACET_FAILED(r))
                r = facet__error(FACET_E_OUTOFMEMORY, "%s: out of memory", p->ctx.file);
        }
        facet__json_pop(&p->ctx, old2);
    }
    p->mf->permission_count = (uint32_t)i;
    facet__json_pop(&p->ctx, old);
    return r;
}

static FacetResult parse_root(Parser *p, json_t *root)
{
    FacetManifest *mf = p->mf;
    json_t *v;
    size_t old;
    FacetResult r = facet__json_check_keys(&p->ctx, root, manifest_keys);

    if (FACET_SUCCEEDED(r))
        r = string_field(&mf->name, p, root, "name", 1, 1);
    if (FACET_SUCCEEDED(r))
        r = string_field(&mf->version, p, root, "version", 1, 0);
    if (FACET_FAILED(r))
        return r;
    if (FACET_FAILED(facet__semver_parse(&mf->semver, mf->version))) {
        old = facet__json_push_key(&p->ctx, "version");
        r = facet__json_wrap(&p->ctx, FACET_E_BADMANIFEST);
        facet__json_pop(&p->ctx, old);
        return r;
    }
    mf->api_level = 1;
    r = member(&v, p, root, "api_level", JSON_INTEGER, "an integer from 1", 0, &old);
    if (FACET_FAILED(r))
        return r;
    if (v != NULL) {
        if (json_integer_value(v) < 1 || json_integer_value(v) > (json_int_t)UINT32_MAX)
            r = facet__json_error(&p->ctx, "%lld: expected an integer from 1 to %u",
                                  (long long)json_integer_value(v), (unsigned)UINT32_MAX);
        mf->api_level = (uint32_t)json_integer_value(v);
        facet__json_pop(&p->ctx, old);
        if (FACET_FAILED(r))
            return r;
    }
    r = member(&v, p, root, "description", JSON_STRING, "a string", 0, &old);
    if (FACET_FAILED(r))
        return r;
    facet__json_pop(&p->ctx, old);
    r = member(&v, p, root, "$schema", JSON_STRING, "a string", 0, &old);
    if (FACET_FAILED(r))
        return r;
    facet__json_pop(&p->ctx, old);
    r = parse_library(p, root);
    if (FACET_SUCCEEDED(r))
        r = parse_classes(p, root);
    if (FACET_SUCCEEDED(r))
        r = parse_requires(p, root);
    if (FACET_SUCCEEDED(r))
        r = parse_permissions(p, root);
    if (FACET_FAILED(r))
        return r;
    r = choice(p, root, "isolation", isolation_names, &mf->isolation);
    /* A module written in Go says so, for when its library cannot tell
     * (the loader reads Go's build information from the image too). */
    if (FACET_SUCCEEDED(r))
        r = choice(p, root, "runtime", runtime_names, &mf->runtime);
    return r;
}

static FacetResult parse_into(FacetManifest **out, FacetArena *arena, int own, const char *path,
                              const char *dir, const char *text, size_t size)
{
    Parser p;
    FacetManifest *mf;
    json_t *root = NULL;
    FacetArenaMark mark = facet__arena_mark(arena);
    FacetResult r;

    *out = NULL;
    memset(&p.ctx, 0, sizeof(p.ctx));
    p.ctx.file = path;
    p.ctx.text = text;
    p.ctx.size = size;
    p.ctx.code = FACET_E_BADMANIFEST;
    p.arena = arena;
    r = facet__json_parse(&root, &p.ctx);
    if (FACET_FAILED(r))
        return r;
    /* Its own arena is one block as a rule: the kept strings are no longer
     * than the text, and the rest (classes, requirements, the scan's
     * bookkeeping) fits in what is added. */
    mf = !own || facet__arena_reserve(arena, sizeof(*mf) + size + strlen(path) * 2 + 1024)
             ? facet__arena_alloc(arena, sizeof(*mf))
             : NULL;
    if (mf == NULL) {
        json_decref(root);
        facet__arena_rollback(arena, mark);
        return facet__error(FACET_E_OUTOFMEMORY, "%s: out of memory", path);
    }
    memset(mf, 0, sizeof(*mf));
    p.mf = mf;
    mf->path = facet__arena_strdup(arena, path);
    mf->dir = dir != NULL ? dir : facet__arena_dirname(arena, path);
    if (mf->path == NULL || mf->dir == NULL)
        r = facet__error(FACET_E_OUTOFMEMORY, "%s: out of memory", path);
    else
        r = parse_root(&p, root);
    if (FACET_FAILED(r) && r != FACET_E_OUTOFMEMORY) {
        FacetResult deep = facet__json_check_depth(&p.ctx, root);
        if (FACET_FAILED(deep))
            r = deep;
    }
    json_decref(root);
    if (FACET_FAILED(r)) {
        facet__arena_rollback(arena, mark);
        return r;
    }
    /* The version's pre-release must point into the kept copy. */
    facet__semver_parse(&mf->semver, mf->version);
    if (own)
        mf->arena = *arena; /* mf lives in it: facet_manifest_free copies it out */
    *out = mf;
    return FACET_OK;
}

FacetResult facet__manifest_parse(FacetManifest **out, const char *path, const char *text,
                                  size_t size)
{
    FacetArena arena = {NULL, 0};
    return parse_into(out, &arena, 1, path, NULL, text, size);
}

FacetResult facet__manifest_parse_in(FacetManifest **out, FacetArena *shared, const char *path,
                                     const char *dir, const char *text, size_t size)
{
    return parse_into(out, shared, 0, path, dir, text, size);
}

int facet__manifest_has_permission(const FacetManifest *mf, const char *permission)
{
    uint32_t i;
    for (i = 0; mf != NULL && i < mf->permission_count; i++)
        if (facet__permission_covers(mf->permissions[i], permission))
            return 1;
    return 0;
}

FacetResult facet__manifest_error_at(const FacetManifest *mf, const char *path, FacetResult code,
                                     const char *fmt, ...)
{
    char message[1024], *text = NULL;
    size_t size = 0;
    unsigned line = 1, column = 1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof(message), fmt, ap);
    va_end(ap);
    if (FACET_SUCCEEDED(facet__json_read_file(&text, &size, NULL, mf->path, code)))
        facet__json_locate(text, size, path, &line, &column);
    facet__free(text);
    return facet__error(code, "%s:%u:%u: %s: %s", mf->path, line, column, path, message);
}

FacetResult facet__manifest_library_path(char **out, const FacetManifest *mf)
{
    char *dir = NULL, *joined, *real = NULL;
    size_t dn;
    FacetResult r;

    *out = NULL;
    joined = facet__path_join(mf->dir, mf->library);
    if (joined == NULL)
        return facet__error(FACET_E_OUTOFMEMORY, "%s: out of memory", mf->path);
    r = facet__os_realpath(&dir, mf->dir);
    if (FACET_SUCCEEDED(r))
        r = facet__os_realpath(&real, joined);
    if (FACET_FAILED(r)) {
        if (r == FACET_E_FILENOTFOUND)
            r = facet__manifest_error_at(mf, "$.library", FACET_E_FILENOTFOUND,
                                         "library \"%s\" not found in %s", mf->library, mf->dir);
        goto done;
    }
    dn = strlen(dir);
    if (strncmp(real, dir, dn) != 0 || (real[dn] != '/' && real[dn] != '\\')) {
        r = facet__manifest_error_at(mf, "$.library", FACET_E_BADMANIFEST,
                                     "library \"%s\" resolves to %s, outside the plugin folder "
                                     "%s (a symbolic link out of it?)",
                                     mf->library, real, dir);
        goto done;
    }
    *out = real;
    real = NULL;
done:
    facet__free(real);
    facet__free(dir);
    facet__free(joined);
    return r;
}

char *facet__manifest_path_for(const char *module)
{
    const char *dot = strrchr(module, '.'), *base = facet__path_basename(module);
    size_t stem = dot != NULL && dot > base ? (size_t)(dot - module) : strlen(module);
    char *p = facet__malloc(stem + sizeof(".facet.json"));
    if (p != NULL) {
        memcpy(p, module, stem);
        memcpy(p + stem, ".facet.json", sizeof(".facet.json"));
    }
    return p;
}

/* ---- Public ------------------------------------------------------------ */

FacetResult facet_manifest_load(FacetManifest **out, const char *path)
{
    char *text;
    size_t size;
    FacetResult r;
    FACET_CHECK_ARG(out, "facet_manifest_load");
    *out = NULL;
    FACET_CHECK_ARG(path, "facet_manifest_load");
    r = facet__json_read_file(&text, &size, NULL, path, FACET_E_BADMANIFEST);
    if (FACET_FAILED(r))
        return r;
    r = facet__manifest_parse(out, path, text, size);
    facet__free(text);
    return r;
}

FacetResult facet_manifest_parse(FacetManifest **out, const char *path, const char *text,
                                 size_t size)
{
    FACET_CHECK_ARG(out, "facet_manifest_parse");
    *out = NULL;
    FACET_CHECK_ARG(path, "facet_manifest_parse");
    FACET_CHECK_ARG(text, "facet_manifest_parse");
    return facet__manifest_parse(out, path, text, size);
}

void facet_manifest_free(FacetManifest *mf)
{
    FacetArena arena;
    if (mf == NULL || mf->arena.chunks == NULL)
        return; /* in a shared arena, freed with it */
    arena = mf->arena; /* mf itself lives in it */
    facet__arena_free(&arena);
}

FacetResult facet_manifest_info(FacetManifestInfo *out, const FacetManifest *mf)
{
    FacetManifestInfo info = FACET_MANIFEST_INFO_INIT;
    FACET_CHECK_ARG(out, "facet_manifest_info");
    FACET_CHECK_ARG(mf, "facet_manifest_info");
    info.path = mf->path;
    info.name = mf->name;
    info.version = mf->version;
    info.api_level = mf->api_level;
    info.library = mf->library;
    info.isolation = mf->isolation;
    info.class_count = mf->class_count;
    info.require_count = mf->require_count;
    info.permission_count = mf->permission_count;
    info.runtime = mf->runtime;
    return FACET_STRUCT_WRITE(out, &info, FacetManifestInfo, FACET_MANIFEST_INFO,
                              "facet_manifest_info");
}

FacetResult facet_manifest_class(FacetClassInfo *out, const FacetManifest *mf, uint32_t index)
{
    FacetClassInfo ci = FACET_CLASS_INFO_INIT;
    const FacetManifestClass *c;
    FACET_CHECK_ARG(out, "facet_manifest_class");
    FACET_CHECK_ARG(mf, "facet_manifest_class");
    if (index >= mf->class_count)
        return facet__error(FACET_E_INVALIDARG, "facet_manifest_class: index %u; %s has %u classes",
                            (unsigned)index, mf->path, (unsigned)mf->class_count);
    c = &mf->classes[index];
    ci.clsid = c->clsid;
    ci.contract = c->contract;
    ci.version = c->version ? c->version : mf->version;
    ci.threading = c->threading == UINT32_MAX ? FACET_THREADING_ANY : c->threading;
    ci.interface_count = c->interface_count == UINT32_MAX ? 0 : c->interface_count;
    ci.interfaces = c->interfaces;
    return FACET_STRUCT_WRITE(out, &ci, FacetClassInfo, FACET_CLASS_INFO, "facet_manifest_class");
}

FacetResult facet_manifest_require(const char **out_name, const char **out_range,
                                   const FacetManifest *mf, uint32_t index)
{
    FACET_CHECK_ARG(out_name, "facet_manifest_require");
    FACET_CHECK_ARG(out_range, "facet_manifest_require");
    FACET_CHECK_ARG(mf, "facet_manifest_require");
    *out_name = *out_range = NULL;
    if (index >= mf->require_count)
        return facet__error(FACET_E_INVALIDARG, "facet_manifest_require: index %u; %s requires %u "
                                                "modules",
                            (unsigned)index, mf->path, (unsigned)mf->require_count);
    *out_name = mf->requires[index].name;
    *out_range = mf->requires[index].range;
    return FACET_OK;
}

const char *facet_manifest_permission(const FacetManifest *mf, uint32_t index)
{
    return mf != NULL && index < mf->permission_count ? mf->permissions[index] : NULL;
}
