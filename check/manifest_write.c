/*
 * check/manifest_write.c - a manifest from what a module said of itself in a
 * probe (facet_report_write_manifest), for `facet inspect --write-manifest`
 * and `facet scan --probe --write-manifest`. The format is docs/manifest.md;
 * every text is read back by the manifest parser before it is written.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "internal.h"
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

FacetResult facet_report_write_manifest(const FacetReport *rep, const char *path)
{
    json_t *doc, *classes;
    char *text = NULL, *target = NULL;
    const char *base;
    FacetManifest *mf = NULL;
    uint32_t i;
    FacetResult r;

    FACET_CHECK_ARG(rep, "facet_report_write_manifest");
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
    classes = json_array();
    for (i = 0; classes != NULL && i < rep->class_count; i++)
        json_array_append_new(classes, class_json(&rep->classes[i]));
    /* The library is named relative to the manifest's folder: the module's
     * own file name, so the manifest belongs next to it. */
    doc = json_pack("{s:s?, s:s?, s:i, s:s, s:o}", "name", rep->module.name, "version",
                    rep->module.version, "api_level", (json_int_t)rep->module.api_level,
                    "library", base, "classes",
                    classes ? classes : json_array());
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
        facet__error_prefix("%s: the module's own info does not make a valid manifest",
                            rep->path);
    }
    facet_manifest_free(mf);
    free(text);
    facet__free(target);
    return r;
}
