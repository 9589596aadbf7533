/*
 * check/manifest_write.c - a manifest from what a module said of itself in a
 * probe (facet_report_write_manifest), for `facet inspect --write-manifest`
 * and `facet scan --probe --write-manifest`. The format is docs/manifest.md;
 * every text is read back by the manifest parser before it is written.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "runtime/runtime.h"
#include "os/process.h"
#include "report.h"

static const char *threading_name(uint32_t t)
{
    return t == FACET_THREADING_SINGLE ? "single" : t == FACET_THREADING_MAIN ? "main" : "any";
}

static json_t *class_json(const FacetClassInfo *ci)
{
    char g[FACET_GUID_STRING_SIZE];
    json_t *itfs = json_array(), *c;
    uint32_t i;
    for (i = 0; itfs != NULL && i < ci->interface_count; i++) {
        facet_guid_format(g, sizeof(g), &ci->interfaces[i]);
        json_array_append_new(itfs, json_string(g));
    }
    facet_guid_format(g, sizeof(g), &ci->clsid);
    c = json_pack("{s:s, s:s?, s:s?, s:s, s:o}", "clsid", g, "contract", ci->contract, "version",
                  ci->version, "threading", threading_name(ci->threading), "interfaces",
                  itfs ? itfs : json_array());
    return c;
}

typedef struct Merge {
    const char *path;
    FacetManifestChangeFn fn;
    void *payload;
    uint32_t changes;
} Merge;

static void changed(Merge *m, const char *field, const char *fmt, ...) FACET_PRINTF(3, 4);
static void changed(Merge *m, const char *field, const char *fmt, ...)
{
    char what[512];
    va_list ap;
    m->changes++;
    if (m->fn == NULL)
        return;
    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    m->fn(field, what, m->payload);
}

/* Sets key of object to value (a reference is taken over), saying so when
 * it differs from what was there. */
static void merge_value(Merge *m, json_t *object, const char *key, json_t *value,
                        const char *field)
{
    json_t *old = json_object_get(object, key);
    if (old != NULL && json_equal(old, value)) {
        json_decref(value);
        return;
    }
    if (old == NULL) {
        char *text = json_dumps(value, JSON_ENCODE_ANY | JSON_COMPACT);
        changed(m, field, "added %s", text ? text : "");
        free(text);
    } else {
        char *was = json_dumps(old, JSON_ENCODE_ANY | JSON_COMPACT);
        char *now = json_dumps(value, JSON_ENCODE_ANY | JSON_COMPACT);
        changed(m, field, "%s -> %s", was ? was : "", now ? now : "");
        free(was);
        free(now);
    }
    json_object_set_new(object, key, value);
}

static json_t *class_of(json_t *classes, const char *clsid)
{
    size_t i;
    json_t *c;
    json_array_foreach(classes, i, c) {
        FacetGuid a, b;
        const char *text = json_string_value(json_object_get(c, "clsid"));
        if (text != NULL && facet_guid_parse(&a, text) == FACET_OK &&
            facet_guid_parse(&b, clsid) == FACET_OK && FacetGuidEqual(&a, &b))
            return c;
    }
    return NULL;
}

/* Merges the manifest the module makes (fresh) into old, the manifest on
 * disk: what the module says replaces what old said of the same thing,
 * and everything the module cannot know (requires, permissions,
 * description, isolation, another platform's library, a class's
 * description) stays. */
static void merge_manifest(Merge *m, json_t *old, json_t *fresh)
{
    static const char *const own[] = {"name", "version", "api_level", NULL};
    json_t *lib = json_object_get(old, "library"), *classes, *merged, *c;
    const char *const *key;
    size_t i;
    char field[96];
    for (key = own; *key != NULL; key++)
        merge_value(m, old, *key, json_incref(json_object_get(fresh, *key)), *key);
    if (json_is_object(lib))
        merge_value(m, lib, FACET_MANIFEST_PLATFORM,
                    json_incref(json_object_get(fresh, "library")),
                    "library." FACET_MANIFEST_PLATFORM);
    else
        merge_value(m, old, "library", json_incref(json_object_get(fresh, "library")), "library");
    /* Classes in the module's order; a class's own extra fields stay. */
    classes = json_object_get(old, "classes");
    merged = json_array();
    json_array_foreach(json_object_get(fresh, "classes"), i, c) {
        const char *clsid = json_string_value(json_object_get(c, "clsid"));
        const char *contract = json_string_value(json_object_get(c, "contract"));
        json_t *was = json_is_array(classes) ? class_of(classes, clsid) : NULL;
        const char *k;
        json_t *v;
        if (was == NULL) {
            changed(m, "classes", "added %s (%s)", clsid, contract ? contract : "no contract");
            json_array_append(merged, c);
            continue;
        }
        was = json_deep_copy(was);
        json_object_foreach(c, k, v) {
            snprintf(field, sizeof(field), "classes[%s].%s", clsid, k);
            merge_value(m, was, k, json_incref(v), field);
        }
        json_array_append_new(merged, was);
    }
    json_array_foreach(classes, i, c) {
        const char *clsid = json_string_value(json_object_get(c, "clsid"));
        if (clsid == NULL || class_of(json_object_get(fresh, "classes"), clsid) == NULL)
            changed(m, "classes", "removed %s, which the module no longer has",
                    clsid ? clsid : "a class without a clsid");
    }
    json_object_set_new(old, "classes", merged);
}

FacetResult facet_report_merge_manifest(const FacetReport *rep, const char *path, uint32_t flags,
                                        FacetManifestChangeFn fn, void *payload)
{
    json_t *doc, *classes, *old = NULL;
    char *text = NULL, *target = NULL, *old_text = NULL;
    size_t old_size = 0;
    const char *base;
    FacetManifest *mf = NULL;
    Merge m;
    uint32_t i;
    FacetResult r;

    FACET_CHECK_ARG(rep, "facet_report_merge_manifest");
    if (!rep->has_module || rep->outcome != FACET_OUTCOME_OK)
        return facet__error(FACET_E_STATE,
                            "facet_report_write_manifest: %s did not load in its probe (%s); "
                            "there is nothing to describe",
                            rep->path, rep->reason[0] ? rep->reason : "no module info");
    target = path != NULL ? facet__strdup(path) : facet__manifest_path_for(rep->path);
    if (target == NULL)
        return facet__error(FACET_E_OUTOFMEMORY, "%s: out of memory", rep->path);
    /* A manifest is JSON, which holds UTF-8 only. */
    base = facet__path_basename(rep->path);
    if (!facet__utf8_valid(base, strlen(base))) {
        facet__free(target);
        return facet__error(FACET_E_INVALIDARG,
                            "facet_report_write_manifest: %s: the file name is not UTF-8, so "
                            "no manifest can name it; rename the module",
                            rep->path);
    }
    m.path = target;
    m.fn = fn;
    m.payload = payload;
    m.changes = 0;
    /* The manifest there now, unless it is to be replaced. */
    if (!(flags & FACET_MANIFEST_REPLACE)) {
        r = facet__json_read_file(&old_text, &old_size, NULL, target, FACET_E_BADMANIFEST);
        if (r == FACET_E_FILENOTFOUND) {
            facet_error_clear();
        } else if (FACET_FAILED(r)) {
            facet__free(target);
            return r;
        } else {
            json_error_t err;
            const char *name;
            old = json_loadb(old_text, old_size, 0, &err);
            facet__free(old_text);
            if (!json_is_object(old)) {
                r = facet__error(FACET_E_BADMANIFEST,
                                 "%s:%d:%d: %s; a manifest that is not a JSON object cannot be "
                                 "merged into: mend it, or replace it (--force)",
                                 target, old ? 1 : err.line, old ? 1 : err.column,
                                 old ? "not an object" : err.text);
                json_decref(old);
                facet__free(target);
                return r;
            }
            name = json_string_value(json_object_get(old, "name"));
            if (name != NULL && rep->module.name != NULL && strcmp(name, rep->module.name) != 0) {
                r = facet__error(FACET_E_CONFLICT,
                                 "%s describes module \"%s\", but %s says it is \"%s\"; it is "
                                 "left as it is (--force replaces it)",
                                 target, name, rep->path, rep->module.name);
                json_decref(old);
                facet__free(target);
                return r;
            }
        }
    }
    classes = json_array();
    for (i = 0; classes != NULL && i < rep->class_count; i++)
        json_array_append_new(classes, class_json(&rep->classes[i]));
    /* The library is named relative to the manifest's folder: the module's
     * own file name, so the manifest belongs next to it. */
    doc = json_pack("{s:s?, s:s?, s:i, s:s, s:o}", "name", rep->module.name, "version",
                    rep->module.version, "api_level", (json_int_t)rep->module.api_level,
                    "library", base, "classes",
                    classes ? classes : json_array());
    if (doc != NULL && old != NULL) {
        merge_manifest(&m, old, doc);
        json_decref(doc);
        doc = old;
        old = NULL;
        if (m.changes == 0) {
            json_decref(doc);
            facet__free(target);
            return FACET_FALSE; /* already says all of it */
        }
    }
    if (doc != NULL)
        text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(doc);
    if (text == NULL) {
        facet__free(target);
        return facet__error(FACET_E_OUTOFMEMORY, "%s: out of memory", rep->path);
    }
    r = facet_manifest_parse(&mf, target, text, strlen(text));
    if (FACET_SUCCEEDED(r)) {
        size_t n = strlen(text);
        char *line = facet__malloc(n + 2);
        if (line == NULL) {
            r = facet__error(FACET_E_OUTOFMEMORY, "%s: out of memory", target);
        } else {
            memcpy(line, text, n);
            memcpy(line + n, "\n", 2);
            r = facet__os_write_replace(target, line, n + 1);
            facet__free(line);
        }
    } else {
        facet__error_prefix("%s: the module's own info%s does not make a valid manifest",
                            rep->path, m.changes ? ", merged with the manifest there," : "");
    }
    facet_manifest_free(mf);
    free(text);
    facet__free(target);
    return r;
}

FacetResult facet_report_write_manifest(const FacetReport *rep, const char *path)
{
    FacetResult r = facet_report_merge_manifest(rep, path, 0u, NULL, NULL);
    return r == FACET_FALSE ? FACET_OK : r;
}
