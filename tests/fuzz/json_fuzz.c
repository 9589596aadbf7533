/*
 * json_fuzz.c - libFuzzer target for manifest and host config parsing: any
 * bytes, read as <module>.facet.json (first byte even) or facet.conf.json
 * (odd), must give a parsed result or an error message with a position,
 * never a crash, a leak or a hang. Built from the core's own sources so
 * libFuzzer sees their coverage.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text;
    if (size == 0)
        return 0;
    text = (const char *)data + 1;
    if (data[0] & 1) {
        FacetConfig *cfg = NULL;
        if (FACET_SUCCEEDED(facet__config_parse(&cfg, "fuzz/facet.conf.json", text, size - 1))) {
            const FacetModuleConfig *mc = facet__config_module(cfg, "m");
            (void)facet__config_setting(mc, "a.b");
            (void)facet__config_enabled(cfg, "m");
            facet__config_free(cfg);
        } else if (facet_last_error()[0] == '\0') {
            abort(); /* every failure explains itself */
        }
    } else {
        FacetManifest *mf = NULL;
        if (FACET_SUCCEEDED(facet_manifest_parse(&mf, "fuzz/m.facet.json", text, size - 1))) {
            FacetClassInfo ci = FACET_CLASS_INFO_INIT;
            uint32_t i;
            for (i = 0; i < mf->class_count; i++)
                (void)facet_manifest_class(&ci, mf, i);
            facet_manifest_free(mf);
        } else if (facet_last_error()[0] == '\0') {
            abort();
        }
    }
    if (facet_testing_live_allocations() != 0)
        abort(); /* nothing kept after free */
    return 0;
}
