/*
 * check/os/child.c - what is the same on every platform about how a child
 * ended (process.h): freeing a result, and the text it keeps of a stream.
 */
#include <stdio.h>
#include <string.h>

#include "runtime/runtime.h"
#include "process.h"

void facet__os_child_result_free(FacetOsChildResult *r)
{
    facet__free(r->report);
    facet__free(r->out);
    facet__free(r->err);
    r->report = r->out = r->err = NULL;
    r->report_size = 0;
}

char *facet__os_cut_output(const char *head, uint64_t head_len, const char *tail,
                           uint64_t tail_len, uint64_t total)
{
    uint64_t skipped = total - head_len - tail_len;
    char note[96];
    size_t n = 0, note_len = 0;
    char *text;
    if (skipped > 0)
        note_len = (size_t)snprintf(note, sizeof(note), "\n[... %llu bytes left out ...]\n",
                                    (unsigned long long)skipped);
    text = facet__malloc(FACET_UTF8_REPAIRED_SIZE((size_t)(head_len + tail_len)) + note_len);
    if (text == NULL)
        return NULL;
    n = facet__utf8_repair(text, head, (size_t)head_len, FACET_UTF8_TEXT);
    memcpy(text + n, note, note_len);
    n += note_len;
    facet__utf8_repair(text + n, tail, (size_t)tail_len, FACET_UTF8_TEXT);
    return text;
}
