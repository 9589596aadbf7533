/*
 * bench/manifest.c - reading one large manifest: 20,500 classes in 1 MiB,
 * the most the size limit lets a manifest have. facet_manifest_parse
 * against jansson's own parse of the same text (json_loadb), which it does
 * first: what lies between is checking every field, copying what is kept,
 * and finding two classes with one clsid, which took time growing with the
 * square of the classes (over a second) before it took a hash table.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <facet/facet.h>
#include <jansson.h>

#include "harness.h"

#define CLASSES 20500u

static char *text;
static size_t size;

/* {"name": ..., "classes": [{"clsid": "B3C4E0A4-6F2D-4E57-9A10-0000000050A3"}, ...]} */
static int write_text(unsigned classes)
{
    size_t cap = 256 + (size_t)classes * 64, used;
    unsigned i;
    text = malloc(cap);
    if (text == NULL)
        return -1;
    used = (size_t)snprintf(text, cap,
                            "{\"name\": \"bench.many\", \"version\": \"1.0.0\", \"library\": "
                            "\"many.so\", \"classes\": [");
    for (i = 0; i < classes; i++)
        used += (size_t)snprintf(text + used, cap - used,
                                 "%s{\"clsid\":\"B3C4E0A4-6F2D-4E57-9A10-%012X\"}", i ? "," : "",
                                 i * 2654435761u);
    used += (size_t)snprintf(text + used, cap - used, "]}");
    size = used;
    return 0;
}

/* jansson's parse of the text, and the tree freed: the floor. */
static double parse_json(uint64_t iters)
{
    uint64_t t0 = bench_now();
    json_t *root = json_loadb(text, size, JSON_REJECT_DUPLICATES, NULL);
    (void)iters;
    if (root == NULL)
        return -1;
    json_decref(root);
    return (double)(bench_now() - t0);
}

/* facet_manifest_parse of the same text, and the manifest freed. */
static double parse_manifest(uint64_t iters)
{
    FacetManifest *mf;
    uint64_t t0 = bench_now();
    (void)iters;
    if (facet_manifest_parse(&mf, "bench/many.facet.json", text, size) != FACET_OK)
        return bench_error("facet_manifest_parse");
    facet_manifest_free(mf);
    return (double)(bench_now() - t0);
}

static int setup(void)
{
    if (write_text(bench_options.smoke ? 100 : CLASSES) != 0)
        return bench_fail("out of memory");
    if (size > 1024 * 1024) {
        fprintf(stderr, "bench_manifest: the manifest has %zu bytes, over the 1 MiB limit\n", size);
        return 1;
    }
    return 0;
}

static void teardown(void)
{
    free(text);
}

static const BenchImpl impls[] = {
    {"manifest.json.20500", parse_json},
    {"manifest.parse.20500", parse_manifest},
};

static const BenchArea area = {"manifest", setup, teardown, impls,
                               sizeof(impls) / sizeof(impls[0])};

int main(int argc, char **argv)
{
    return bench_main(argc, argv, &area);
}
