/*
 * core/formats/config.c - the host configuration, facet.conf.json (docs/config.md):
 * plugin folders, enable and disable lists, aliases, and per module the
 * permissions granted and the settings its IFacetConfig reads.
 *
 * Settings are flattened into one hash table per module keyed by the dotted
 * path ("cache.size", "servers.0"), so a lookup is O(1) and the values stay
 * valid, unchanged, for the runtime's life.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "formats.h"

static const char *const config_keys[] = {"$schema", "plugin_folders", "enable", "disable",
                                          "aliases", "modules", "scan_index", "hot_reload",
                                          NULL};
static const char *const module_keys[] = {"permissions", "settings", "isolation",
                                          "call_timeout_ms", "restart", "limits", NULL};
/* FACET_ISOLATION_* and FACET_RESTART_*, by their value. */
static const char *const isolation_names[] = {"in-process", "process", NULL};
static const char *const restart_names[] = {"on-create", "never", "backoff", NULL};

typedef struct Parser {
    FacetJsonCtx ctx;
    FacetConfig *cfg;
    const char *dir;
} Parser;

static FacetResult oom(Parser *p)
{
    return facet__error(FACET_E_OUTOFMEMORY, "%s: out of memory", p->ctx.file);
}

/* An array of non-empty strings at key; *out from the arena. */
static FacetResult string_list(const char ***out, uint32_t *count, Parser *p, json_t *root,
                               const char *key)
{
    json_t *v = json_object_get(root, key);
    size_t old, i;
    FacetResult r = FACET_OK;
    *out = NULL;
    *count = 0;
    if (v == NULL)
        return FACET_OK;
    old = facet__json_push_key(&p->ctx, key);
    if (!json_is_array(v)) {
        r = facet__json_error(&p->ctx, "expected an array of strings");
        facet__json_pop(&p->ctx, old);
        return r;
    }
    *out = facet__arena_alloc(&p->cfg->arena, sizeof(char *) * (json_array_size(v) + 1));
    if (*out == NULL)
        r = oom(p);
    for (i = 0; FACET_SUCCEEDED(r) && i < json_array_size(v); i++) {
        json_t *e = json_array_get(v, i);
        size_t old2 = facet__json_push_index(&p->ctx, i);
        if (!json_is_string(e) || json_string_length(e) == 0)
            r = facet__json_error(&p->ctx, "expected a non-empty string");
        else if (((*out)[i] = facet__arena_strdup(&p->cfg->arena, json_string_value(e))) == NULL)
            r = oom(p);
        facet__json_pop(&p->ctx, old2);
    }
    *count = (uint32_t)i;
    facet__json_pop(&p->ctx, old);
    return r;
}

static FacetResult parse_folders(Parser *p, json_t *root)
{
    uint32_t i;
    FacetResult r = string_list(&p->cfg->folders, &p->cfg->folder_count, p, root, "plugin_folders");
    for (i = 0; FACET_SUCCEEDED(r) && i < p->cfg->folder_count; i++) {
        const char *f = p->cfg->folders[i];
        if (facet__path_is_absolute(f))
            continue;
        p->cfg->folders[i] = facet__arena_join(&p->cfg->arena, p->dir, f);
        if (p->cfg->folders[i] == NULL)
            return oom(p);
    }
    return r;
}

/* "scan_index": the folder of scan indexes, relative to the file, or false
 * for none. */
static FacetResult parse_scan_index(Parser *p, json_t *root)
{
    json_t *v = json_object_get(root, "scan_index");
    const char *dir;
    size_t old;
    FacetResult r = FACET_OK;
    if (v == NULL)
        return FACET_OK;
    old = facet__json_push_key(&p->ctx, "scan_index");
    if (json_is_false(v)) {
        p->cfg->scan_index = "";
    } else if (!json_is_string(v) || json_string_length(v) == 0) {
        r = facet__json_error(&p->ctx, "expected the path of a folder, or false for no scan index");
    } else {
        dir = json_string_value(v);
        p->cfg->scan_index = facet__path_is_absolute(dir)
                                 ? facet__arena_strdup(&p->cfg->arena, dir)
                                 : facet__arena_join(&p->cfg->arena, p->dir, dir);
        if (p->cfg->scan_index == NULL)
            r = oom(p);
    }
    facet__json_pop(&p->ctx, old);
    return r;
}

/* ---- Aliases ----------------------------------------------------------- */

#define ALIAS_UNSEEN 0u
#define ALIAS_ON_PATH 1u
#define ALIAS_DONE 2u

static const char *alias_name(const void *list, uint32_t i)
{
    return ((FacetAlias *const *)list)[i]->name;
}

/* Points every alias at the end of its chain: a contract name or a clsid.
 * Each alias is walked once, whatever the length of the chains (a walk
 * stops at an alias already resolved); a walk that meets its own path is
 * a cycle. */
static FacetResult resolve_aliases(Parser *p)
{
    FacetAlias *a, *tmp, *cur, *next, **path;
    uint32_t n, i;
    FacetResult r = FACET_OK;
    if (p->cfg->aliases == NULL)
        return FACET_OK;
    path = facet__calloc(HASH_COUNT(p->cfg->aliases), sizeof(*path));
    if (path == NULL)
        return oom(p);
    HASH_ITER(hh, p->cfg->aliases, a, tmp) {
        const char *end;
        if (a->resolved == ALIAS_DONE)
            continue;
        n = 0;
        for (cur = a;; cur = next) {
            cur->resolved = ALIAS_ON_PATH;
            path[n++] = cur;
            HASH_FIND(hh, p->cfg->aliases, cur->target, strlen(cur->target), next);
            if (next == NULL || next->resolved == ALIAS_DONE) {
                end = next != NULL ? next->target : cur->target;
                break;
            }
            if (next->resolved == ALIAS_ON_PATH) {
                char text[1024];
                size_t old;
                for (i = 0; path[i] != next; i++)
                    ;
                facet__cycle_text(text, sizeof(text), n - i, alias_name, &path[i]);
                old = facet__json_push_key(&p->ctx, a->name);
                p->ctx.code = FACET_E_CYCLE;
                r = facet__json_error(&p->ctx, "alias cycle: %s", text);
                p->ctx.code = FACET_E_BADCONFIG;
                facet__json_pop(&p->ctx, old);
                goto done;
            }
        }
        for (i = 0; i < n; i++) {
            FacetAlias *m = path[i];
            m->target = end;
            m->target_len = strlen(end);
            HASH_VALUE(m->target, m->target_len, m->target_hash);
            m->resolved = ALIAS_DONE;
            if ((end[0] == '{' || m->target_len == 36) &&
                FACET_SUCCEEDED(facet_guid_parse(&m->clsid, end)))
                m->is_clsid = 1;
        }
        if (end[0] == '{' && !path[0]->is_clsid) {
            /* the last of the chain names the bad GUID */
            size_t old = facet__json_push_key(&p->ctx, cur->name);
            r = facet__json_wrap(&p->ctx, FACET_E_BADGUID); /* facet_guid_parse's message */
            facet__json_pop(&p->ctx, old);
            goto done;
        }
    }
done:
    facet__free(path);
    return r;
}

static FacetResult parse_aliases(Parser *p, json_t *root)
{
    json_t *v = json_object_get(root, "aliases"), *value;
    const char *key;
    size_t old;
    FacetResult r = FACET_OK;
    FacetAlias *a;

    if (v == NULL)
        return FACET_OK;
    old = facet__json_push_key(&p->ctx, "aliases");
    if (!json_is_object(v)) {
        r = facet__json_error(&p->ctx, "expected an object of alias name to target");
        facet__json_pop(&p->ctx, old);
        return r;
    }
    json_object_foreach(v, key, value) {
        size_t old2 = facet__json_push_key(&p->ctx, key);
        if (key[0] == '\0')
            r = facet__json_error(&p->ctx, "an alias needs a name");
        else if (!json_is_string(value) || json_string_length(value) == 0)
            r = facet__json_error(&p->ctx, "expected a contract name, clsid or alias (a string)");
        if (FACET_SUCCEEDED(r)) {
            a = facet__arena_alloc(&p->cfg->arena, sizeof(*a));
            if (a == NULL)
                r = oom(p);
            else {
                memset(a, 0, sizeof(*a));
                a->name = facet__arena_strdup(&p->cfg->arena, key);
                a->target = facet__arena_strdup(&p->cfg->arena, json_string_value(value));
                if (a->name == NULL || a->target == NULL)
                    r = oom(p);
            }
            if (FACET_SUCCEEDED(r)) {
                int failed;
                FACET_HASH_ADD(hh, p->cfg->aliases, a->name, strlen(a->name), a, failed);
                if (failed)
                    r = oom(p);
            }
        }
        facet__json_pop(&p->ctx, old2);
        if (FACET_FAILED(r))
            break;
    }
    if (FACET_SUCCEEDED(r))
        r = resolve_aliases(p);
    facet__json_pop(&p->ctx, old);
    return r;
}

/* ---- Per-module settings ----------------------------------------------- */

static FacetResult add_setting(Parser *p, FacetModuleConfig *mc, const char *key, json_t *v)
{
    FacetSetting *s = facet__arena_alloc(&p->cfg->arena, sizeof(*s));
    int failed;
    if (s == NULL)
        return oom(p);
    memset(s, 0, sizeof(*s));
    s->key = facet__arena_strdup(&p->cfg->arena, key);
    if (s->key == NULL)
        return oom(p);
    switch (json_typeof(v)) {
    case JSON_STRING:
        s->type = FACET_SETTING_STRING;
        s->text = facet__arena_strdup(&p->cfg->arena, json_string_value(v));
        if (s->text == NULL)
            return oom(p);
        break;
    case JSON_INTEGER:
        s->type = FACET_SETTING_INT;
        s->integer = json_integer_value(v);
        s->real = (double)s->integer;
        break;
    case JSON_REAL:
        s->type = FACET_SETTING_REAL;
        s->real = json_real_value(v);
        break;
    case JSON_TRUE:
    case JSON_FALSE:
        s->type = FACET_SETTING_BOOL;
        s->integer = json_is_true(v);
        break;
    default:
        s->type = FACET_SETTING_NULL;
        break;
    }
    FACET_HASH_ADD(hh, mc->settings, s->key, strlen(s->key), s, failed);
    return failed ? oom(p) : FACET_OK;
}

static FacetResult flatten(Parser *p, FacetModuleConfig *mc, char *key, size_t key_len,
                           size_t key_size, json_t *v, unsigned depth)
{
    FacetResult r = FACET_OK;
    if (depth > FACET_JSON_MAX_DEPTH)
        return facet__json_error(&p->ctx, "settings nested deeper than %u levels",
                                 (unsigned)FACET_JSON_MAX_DEPTH);
    if (json_is_object(v) || json_is_array(v)) {
        size_t i = 0, n;
        const char *k;
        json_t *e;
        char index[24];
        if (json_is_object(v)) {
            json_object_foreach(v, k, e) {
                size_t old = facet__json_push_key(&p->ctx, k);
                n = strlen(k);
                if (strchr(k, '.') != NULL || n == 0)
                    r = facet__json_error(&p->ctx, "a setting's name may not be empty or "
                                                   "contain '.' (keys are dotted paths)");
                else if (key_len + n + 2 > key_size)
                    r = facet__json_error(&p->ctx, "setting path longer than %zu bytes", key_size);
                if (FACET_SUCCEEDED(r)) {
                    if (key_len)
                        key[key_len] = '.';
                    memcpy(key + key_len + (key_len ? 1 : 0), k, n + 1);
                    r = flatten(p, mc, key, key_len + n + (key_len ? 1 : 0), key_size, e,
                                depth + 1);
                }
                key[key_len] = '\0';
                facet__json_pop(&p->ctx, old);
                if (FACET_FAILED(r))
                    return r;
            }
            return FACET_OK;
        }
        json_array_foreach(v, i, e) {
            size_t old = facet__json_push_index(&p->ctx, i);
            n = (size_t)snprintf(index, sizeof(index), "%zu", i);
            if (key_len + n + 2 > key_size)
                r = facet__json_error(&p->ctx, "setting path longer than %zu bytes", key_size);
            if (FACET_SUCCEEDED(r)) {
                if (key_len)
                    key[key_len] = '.';
                memcpy(key + key_len + (key_len ? 1 : 0), index, n + 1);
                r = flatten(p, mc, key, key_len + n + (key_len ? 1 : 0), key_size, e, depth + 1);
            }
            key[key_len] = '\0';
            facet__json_pop(&p->ctx, old);
            if (FACET_FAILED(r))
                return r;
        }
        return FACET_OK;
    }
    return add_setting(p, mc, key, v);
}

/* modules.<name>.<key>, one of names: *out is its index + 1, 0 when absent. */
static FacetResult module_choice(Parser *p, json_t *module, const char *key,
                                 const char *const *names, uint32_t *out)
{
    json_t *v = json_object_get(module, key);
    size_t old;
    uint32_t i;
    FacetResult r;
    *out = 0;
    if (v == NULL)
        return FACET_OK;
    old = facet__json_push_key(&p->ctx, key);
    for (i = 0; json_is_string(v) && names[i] != NULL; i++)
        if (strcmp(json_string_value(v), names[i]) == 0) {
            *out = i + 1;
            facet__json_pop(&p->ctx, old);
            return FACET_OK;
        }
    r = names[2] != NULL
            ? facet__json_error(&p->ctx, "expected \"%s\", \"%s\" or \"%s\"", names[0],
                                names[1], names[2])
            : facet__json_error(&p->ctx, "expected \"%s\" or \"%s\"", names[0], names[1]);
    facet__json_pop(&p->ctx, old);
    return r;
}

/* modules.<name>.call_timeout_ms: milliseconds, 0 (the default) for none. */
static FacetResult module_timeout(Parser *p, json_t *module, uint32_t *out)
{
    json_t *v = json_object_get(module, "call_timeout_ms");
    size_t old;
    FacetResult r = FACET_OK;
    *out = 0;
    if (v == NULL)
        return FACET_OK;
    old = facet__json_push_key(&p->ctx, "call_timeout_ms");
    if (!json_is_integer(v) || json_integer_value(v) < 0 ||
        json_integer_value(v) > (json_int_t)UINT32_MAX)
        r = facet__json_error(&p->ctx, "expected a whole number of milliseconds from 0 (no "
                                       "limit) to 4294967295");
    else
        *out = (uint32_t)json_integer_value(v);
    facet__json_pop(&p->ctx, old);
    return r;
}

/* modules.<name>.permissions, each checked and kept as the comparison
 * needs it: a relative path joined to this file's folder. */
static FacetResult module_grants(Parser *p, FacetModuleConfig *mc)
{
    const char *dir = NULL;
    char why[512];
    size_t old = facet__json_push_key(&p->ctx, "permissions");
    uint32_t i;
    FacetResult r = FACET_OK;
    for (i = 0; FACET_SUCCEEDED(r) && i < mc->grant_count; i++) {
        const char *text = mc->grants[i];
        size_t old2 = facet__json_push_index(&p->ctx, i);
        if (dir == NULL && strchr(text, ':') != NULL)
            dir = facet__permission_folder(&p->cfg->arena, p->dir);
        r = facet__permission_canonical(&mc->grants[i], &p->cfg->arena, text,
                                        dir != NULL ? dir : p->dir, why, sizeof(why));
        if (r == FACET_E_INVALIDARG)
            r = facet__json_error(&p->ctx, "\"%s\" is not a valid permission name: %s", text,
                                  why);
        else if (FACET_FAILED(r))
            r = oom(p);
        facet__json_pop(&p->ctx, old2);
    }
    facet__json_pop(&p->ctx, old);
    return r;
}

/* modules.<name>.limits: {memory_mb, open_files, cpu_seconds}, each a
 * whole number, 0 (the default) for no limit. */
static FacetResult module_limits(Parser *p, json_t *module, FacetModuleLimits *out)
{
    static const char *const keys[] = {"memory_mb", "open_files", "cpu_seconds", NULL};
    /* memory_mb in bytes must fit 64 bits. */
    static const json_int_t max[] = {(json_int_t)(UINT64_MAX >> 20), INT64_MAX, INT64_MAX};
    json_t *v = json_object_get(module, "limits");
    uint64_t *fields[3];
    size_t old, i;
    FacetResult r = FACET_OK;
    memset(out, 0, sizeof(*out));
    if (v == NULL)
        return FACET_OK;
    fields[0] = &out->memory_mb;
    fields[1] = &out->open_files;
    fields[2] = &out->cpu_seconds;
    old = facet__json_push_key(&p->ctx, "limits");
    if (!json_is_object(v))
        r = facet__json_error(&p->ctx, "expected an object with \"memory_mb\", \"open_files\" "
                                       "and \"cpu_seconds\"");
    else
        r = facet__json_check_keys(&p->ctx, v, keys);
    for (i = 0; FACET_SUCCEEDED(r) && keys[i] != NULL; i++) {
        json_t *e = json_object_get(v, keys[i]);
        size_t old2;
        if (e == NULL)
            continue;
        old2 = facet__json_push_key(&p->ctx, keys[i]);
        if (!json_is_integer(e) || json_integer_value(e) < 0 || json_integer_value(e) > max[i])
            r = facet__json_error(&p->ctx, "expected a whole number from 0 (no limit) to %lld",
                                  (long long)max[i]);
        else
            *fields[i] = (uint64_t)json_integer_value(e);
        facet__json_pop(&p->ctx, old2);
    }
    facet__json_pop(&p->ctx, old);
    return r;
}

static FacetResult parse_module(Parser *p, const char *name, json_t *v)
{
    FacetModuleConfig *mc;
    json_t *settings;
    FacetResult r;
    char key[512];

    if (!json_is_object(v))
        return facet__json_error(&p->ctx, "expected an object with \"permissions\", "
                                          "\"settings\", \"isolation\", "
                                          "\"call_timeout_ms\", \"restart\" and \"limits\"");
    r = facet__json_check_keys(&p->ctx, v, module_keys);
    if (FACET_FAILED(r))
        return r;
    mc = facet__arena_alloc(&p->cfg->arena, sizeof(*mc));
    if (mc == NULL)
        return oom(p);
    memset(mc, 0, sizeof(*mc));
    mc->name = facet__arena_strdup(&p->cfg->arena, name);
    if (mc->name == NULL)
        return oom(p);
    r = string_list(&mc->grants, &mc->grant_count, p, v, "permissions");
    if (FACET_SUCCEEDED(r))
        r = module_grants(p, mc);
    if (FACET_SUCCEEDED(r))
        r = module_limits(p, v, &mc->limits);
    if (FACET_SUCCEEDED(r))
        r = module_choice(p, v, "isolation", isolation_names, &mc->isolation);
    if (FACET_SUCCEEDED(r))
        r = module_choice(p, v, "restart", restart_names, &mc->restart);
    if (FACET_SUCCEEDED(r))
        r = module_timeout(p, v, &mc->call_timeout_ms);
    if (FACET_FAILED(r))
        return r;
    settings = json_object_get(v, "settings");
    if (settings != NULL) {
        size_t old = facet__json_push_key(&p->ctx, "settings");
        key[0] = '\0';
        if (!json_is_object(settings))
            r = facet__json_error(&p->ctx, "expected an object of settings");
        else
            r = flatten(p, mc, key, 0, sizeof(key), settings, 1);
        facet__json_pop(&p->ctx, old);
    }
    if (FACET_SUCCEEDED(r)) {
        int failed;
        FACET_HASH_ADD(hh, p->cfg->modules, mc->name, strlen(mc->name), mc, failed);
        if (failed)
            r = oom(p);
    }
    if (FACET_FAILED(r))
        HASH_CLEAR(hh, mc->settings);
    return r;
}

static FacetResult parse_modules(Parser *p, json_t *root)
{
    json_t *v = json_object_get(root, "modules"), *value;
    const char *key;
    size_t old;
    FacetResult r = FACET_OK;
    if (v == NULL)
        return FACET_OK;
    old = facet__json_push_key(&p->ctx, "modules");
    if (!json_is_object(v))
        r = facet__json_error(&p->ctx, "expected an object of module name to module settings");
    else
        json_object_foreach(v, key, value) {
            size_t old2 = facet__json_push_key(&p->ctx, key);
            r = parse_module(p, key, value);
            facet__json_pop(&p->ctx, old2);
            if (FACET_FAILED(r))
                break;
        }
    facet__json_pop(&p->ctx, old);
    return r;
}

void facet__config_free(FacetConfig *cfg)
{
    FacetModuleConfig *mc, *tmp;
    if (cfg == NULL)
        return;
    HASH_ITER(hh, cfg->modules, mc, tmp) {
        HASH_CLEAR(hh, mc->settings);
    }
    HASH_CLEAR(hh, cfg->modules);
    HASH_CLEAR(hh, cfg->aliases);
    facet__arena_free(&cfg->arena);
    facet__free(cfg);
}

/* "hot_reload": true or false (docs/reload.md). */
static FacetResult parse_hot_reload(Parser *p, json_t *root)
{
    json_t *v = json_object_get(root, "hot_reload");
    FacetResult r = FACET_OK;
    if (v == NULL)
        return FACET_OK;
    if (!json_is_boolean(v)) {
        size_t old = facet__json_push_key(&p->ctx, "hot_reload");
        r = facet__json_error(&p->ctx, "expected true or false");
        facet__json_pop(&p->ctx, old);
        return r;
    }
    p->cfg->hot_reload = json_is_true(v);
    return FACET_OK;
}

FacetResult facet__config_parse(FacetConfig **out, const char *path, const char *text, size_t size)
{
    Parser p;
    json_t *root = NULL;
    FacetResult r;
    *out = NULL;
    memset(&p, 0, sizeof(p));
    p.ctx.file = path;
    p.ctx.text = text;
    p.ctx.size = size;
    p.ctx.code = FACET_E_BADCONFIG;
    r = facet__json_parse(&root, &p.ctx);
    if (FACET_FAILED(r))
        return r;
    p.cfg = facet__calloc(1, sizeof(*p.cfg));
    if (p.cfg == NULL) {
        json_decref(root);
        return facet__error(FACET_E_OUTOFMEMORY, "%s: out of memory", path);
    }
    p.cfg->path = facet__arena_strdup(&p.cfg->arena, path);
    p.dir = facet__arena_dirname(&p.cfg->arena, path);
    if (p.cfg->path == NULL || p.dir == NULL) {
        r = oom(&p);
    } else {
        r = facet__json_check_keys(&p.ctx, root, config_keys);
        if (FACET_SUCCEEDED(r) && json_object_get(root, "$schema") != NULL &&
            !json_is_string(json_object_get(root, "$schema"))) {
            size_t old = facet__json_push_key(&p.ctx, "$schema");
            r = facet__json_error(&p.ctx, "expected a string");
            facet__json_pop(&p.ctx, old);
        }
        if (FACET_SUCCEEDED(r))
            r = parse_hot_reload(&p, root);
        if (FACET_SUCCEEDED(r))
            r = parse_folders(&p, root);
        if (FACET_SUCCEEDED(r))
            r = string_list(&p.cfg->enable, &p.cfg->enable_count, &p, root, "enable");
        if (FACET_SUCCEEDED(r))
            r = string_list(&p.cfg->disable, &p.cfg->disable_count, &p, root, "disable");
        if (FACET_SUCCEEDED(r))
            r = parse_aliases(&p, root);
        if (FACET_SUCCEEDED(r))
            r = parse_modules(&p, root);
        if (FACET_SUCCEEDED(r))
            r = parse_scan_index(&p, root);
    }
    if (FACET_FAILED(r) && r != FACET_E_OUTOFMEMORY) {
        FacetResult deep = facet__json_check_depth(&p.ctx, root);
        if (FACET_FAILED(deep))
            r = deep;
    }
    json_decref(root);
    if (FACET_FAILED(r)) {
        facet__config_free(p.cfg);
        return r;
    }
    *out = p.cfg;
    return FACET_OK;
}

int facet__config_hot_reload(const FacetConfig *cfg)
{
    return cfg != NULL && cfg->hot_reload;
}

const FacetModuleConfig *facet__config_module(const FacetConfig *cfg, const char *name)
{
    FacetModuleConfig *mc = NULL;
    if (cfg != NULL && name != NULL)
        HASH_FIND(hh, cfg->modules, name, strlen(name), mc);
    return mc;
}

static int listed(const char *const *list, uint32_t count, const char *name)
{
    uint32_t i;
    for (i = 0; i < count; i++)
        if (strcmp(list[i], name) == 0)
            return 1;
    return 0;
}

int facet__config_enabled(const FacetConfig *cfg, const char *name)
{
    if (cfg == NULL)
        return 1;
    if (listed(cfg->disable, cfg->disable_count, name))
        return 0;
    return cfg->enable_count == 0 || listed(cfg->enable, cfg->enable_count, name);
}

int facet__config_granted(const FacetConfig *cfg, const char *module, const char *permission)
{
    const FacetModuleConfig *mc = facet__config_module(cfg, module);
    uint32_t i;
    for (i = 0; mc != NULL && i < mc->grant_count; i++)
        if (facet__permission_covers(mc->grants[i], permission))
            return 1;
    return 0;
}

const FacetSetting *facet__config_setting(const FacetModuleConfig *mc, const char *key)
{
    FacetSetting *s = NULL;
    if (mc != NULL && key != NULL)
        HASH_FIND(hh, mc->settings, key, strlen(key), s);
    return s;
}
