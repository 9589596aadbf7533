/*
 * core/runtime/conform.c - does a loaded module agree with the manifest it
 * was loaded by? Every field that differs, named, in one message.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "runtime.h"

typedef struct Diff {
    char text[1536];
    size_t used;
    unsigned count;
} Diff;

static void differ(Diff *d, const char *fmt, ...) FACET_PRINTF(2, 3);

static void differ(Diff *d, const char *fmt, ...)
{
    va_list ap;
    int n;
    if (d->used >= sizeof(d->text) - 1) {
        d->count++;
        return;
    }
    n = snprintf(d->text + d->used, sizeof(d->text) - d->used, "%s", d->count ? "; " : "");
    d->used += n > 0 ? (size_t)n : 0;
    va_start(ap, fmt);
    n = vsnprintf(d->text + d->used, sizeof(d->text) - d->used, fmt, ap);
    va_end(ap);
    d->used += n > 0 ? (size_t)n : 0;
    if (d->used > sizeof(d->text) - 1)
        d->used = sizeof(d->text) - 1;
    d->count++;
}

static int str_differs(const char *a, const char *b)
{
    return (a == NULL) != (b == NULL) || (a != NULL && strcmp(a, b) != 0);
}

static void check_class(Diff *d, const FacetManifestClass *c, size_t i, IFacetFactory *f,
                        uint32_t index)
{
    FacetClassInfo ci = FACET_CLASS_INFO_INIT;
    uint32_t k, j;
    if (FACET_FAILED(IFacetFactory_DescribeClass(f, index, &ci)))
        return;
    if (c->contract != NULL && str_differs(c->contract, ci.contract))
        differ(d, "classes[%zu].contract: manifest \"%s\", module \"%s\"", i, c->contract,
               ci.contract ? ci.contract : "(none)");
    if (c->version != NULL && str_differs(c->version, ci.version))
        differ(d, "classes[%zu].version: manifest \"%s\", module \"%s\"", i, c->version,
               ci.version ? ci.version : "(none)");
    if (c->threading != UINT32_MAX && c->threading != ci.threading)
        differ(d, "classes[%zu].threading: manifest \"%s\", module %s", i,
               facet__threading_name(c->threading), facet__threading_name(ci.threading));
    if (c->interface_count == UINT32_MAX)
        return;
    for (k = 0; k < c->interface_count; k++) {
        for (j = 0; j < ci.interface_count; j++)
            if (FacetGuidEqual(&c->interfaces[k], &ci.interfaces[j]))
                break;
        if (j == ci.interface_count) {
            char g[FACET_GUID_STRING_SIZE];
            facet_guid_format(g, sizeof(g), &c->interfaces[k]);
            differ(d, "classes[%zu].interfaces[%u]: %s is not among the module's interfaces", i,
                   (unsigned)k, g);
        }
    }
    for (j = 0; j < ci.interface_count; j++) {
        for (k = 0; k < c->interface_count; k++)
            if (FacetGuidEqual(&c->interfaces[k], &ci.interfaces[j]))
                break;
        if (k == c->interface_count) {
            char g[FACET_GUID_STRING_SIZE];
            facet_guid_format(g, sizeof(g), &ci.interfaces[j]);
            differ(d, "classes[%zu].interfaces: the module also implements %s", i, g);
        }
    }
}

FacetResult facet__manifest_check_module(const FacetManifest *mf, FacetModule *m)
{
    Diff d;
    uint32_t i, k;
    char g[FACET_GUID_STRING_SIZE];
    FacetGuidIndex in_module = {NULL, 0, NULL, 0}, in_manifest = {NULL, 0, NULL, 0};

    /* Classes are matched by clsid through an index each way, so a module
     * of many classes is checked in linear time. */
    if (FACET_FAILED(facet__guid_index_init(&in_module, m->class_count,
                                            m->class_count ? &m->classes[0].clsid : NULL,
                                            sizeof(FacetClassEntry))) ||
        FACET_FAILED(facet__guid_index_init(&in_manifest, mf->class_count, &mf->classes[0].clsid,
                                            sizeof(FacetManifestClass)))) {
        facet__guid_index_free(&in_module);
        return facet__error(FACET_E_OUTOFMEMORY, "%s: out of memory checking the module %s",
                            mf->path, facet__path_basename(m->path));
    }
    for (k = 0; k < m->class_count; k++)
        facet__guid_index_add(&in_module, k);
    for (i = 0; i < mf->class_count; i++)
        facet__guid_index_add(&in_manifest, i);
    d.used = 0;
    d.count = 0;
    d.text[0] = '\0';
    if (strcmp(mf->name, m->info.name) != 0)
        differ(&d, "name: manifest \"%s\", module \"%s\"", mf->name, m->info.name);
    if (strcmp(mf->version, m->info.version) != 0)
        differ(&d, "version: manifest \"%s\", module \"%s\"", mf->version, m->info.version);
    if (mf->api_level != m->info.api_level)
        differ(&d, "api_level: manifest %u, module %u", (unsigned)mf->api_level,
               (unsigned)m->info.api_level);
    for (i = 0; i < mf->class_count; i++) {
        k = facet__guid_index_find(&in_module, &mf->classes[i].clsid);
        if (k == UINT32_MAX) {
            facet_guid_format(g, sizeof(g), &mf->classes[i].clsid);
            differ(&d, "classes[%u].clsid: the module has no class %s", (unsigned)i, g);
            continue;
        }
        check_class(&d, &mf->classes[i], i, m->factory, k);
    }
    for (k = 0; k < m->class_count; k++) {
        if (facet__guid_index_find(&in_manifest, &m->classes[k].clsid) == UINT32_MAX) {
            facet_guid_format(g, sizeof(g), &m->classes[k].clsid);
            differ(&d, "classes: the module also has class %s (\"%s\"), which the manifest "
                       "does not list",
                   g, m->classes[k].contract ? m->classes[k].contract : "");
        }
    }
    facet__guid_index_free(&in_module);
    facet__guid_index_free(&in_manifest);
    if (d.count == 0)
        return FACET_OK;
    return facet__error(FACET_E_MISMATCH, "%s: the module %s disagrees with its manifest in %u "
                                          "field(s): %s",
                        mf->path, facet__path_basename(m->path), d.count, d.text);
}
