/*
 * json_fuzz.c - libFuzzer target for manifest and host config parsing: any
 * bytes, read as <module>.facet.json (first byte even) or facet.conf.json
 * (odd), must give a parsed result or an error message whose position lies
 * inside the text, never a crash, a leak or a hang. Built from the core's
 * own sources so libFuzzer sees their coverage.
 *
 * An input that starts with '$' is a JSON path up to the first newline and
 * then the text to find it in: the locator that positions every error
 * (facet__json_locate) gets paths of any shape, with any index. Reached
 * only through a failing document, it was never given a path whose index
 * overflows: that needed a member name with an escaped quote, brackets and
 * twenty digits next to a real "classes", and longer digit runs cover no
 * new edge for libFuzzer to keep.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/formats.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Lines of text, and the characters (not bytes) of line `line`. */
static void measure(const char *text, size_t size, unsigned line, unsigned *lines,
                    unsigned *columns)
{
    size_t i;
    *lines = 1;
    *columns = 0;
    for (i = 0; i < size; i++) {
        if (text[i] == '\n')
            ++*lines;
        else if (*lines == line && ((unsigned char)text[i] & 0xC0) != 0x80)
            ++*columns;
    }
}

/* A position the locator gave must be in the text. */
static void check_position(const char *text, size_t size, unsigned line, unsigned column)
{
    unsigned lines, columns;
    measure(text, size, line, &lines, &columns);
    if (line < 1 || line > lines || column < 1 || column > columns + 1)
        abort();
}

/* "file:line:column: $..." from a check of ours: that position too. */
static void check_message(const char *file, const char *text, size_t size)
{
    const char *m = facet_last_error();
    unsigned line, column;
    size_t n = strlen(file);
    if (strncmp(m, file, n) == 0 && sscanf(m + n, ":%u:%u: $", &line, &column) == 2 &&
        strstr(m, ": $") != NULL)
        check_position(text, size, line, column);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text;
    if (size == 0)
        return 0;
    if (data[0] == '$') {
        const uint8_t *nl = memchr(data, '\n', size);
        char *path;
        unsigned line, column;
        size_t n = nl ? (size_t)(nl - data) : size;
        if ((path = malloc(n + 1)) == NULL)
            return 0;
        memcpy(path, data, n);
        path[n] = '\0';
        text = nl ? (const char *)nl + 1 : "";
        facet__json_locate(text, nl ? size - n - 1 : 0, path, &line, &column);
        check_position(text, nl ? size - n - 1 : 0, line, column);
        free(path);
        return 0;
    }
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
        } else {
            check_message("fuzz/facet.conf.json", text, size - 1);
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
        } else {
            check_message("fuzz/m.facet.json", text, size - 1);
        }
    }
    if (facet_testing_live_allocations() != 0)
        abort(); /* nothing kept after free */
    return 0;
}
