/*
 * image_fuzz.c - libFuzzer target for the loader's module image checks
 * (core/formats/image.c, facet__image_check) over a memory reader: any bytes, as a
 * file, give FACET_OK or one of the image codes with a message naming the
 * file; never a crash, an out-of-bounds read or a hang.
 *
 * facet__image_check is internal to libfacet, so this target is built from
 * the core sources themselves (tests/fuzz/CMakeLists.txt), which also gives
 * libFuzzer coverage feedback from inside the runtime.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "formats/formats.h"

typedef struct Memory {
    const uint8_t *data;
    size_t size;
    uint64_t claimed; /* the size the checks are told the file has */
} Memory;

static int64_t read_memory(void *payload, uint64_t offset, void *buf, uint64_t len)
{
    const Memory *m = payload;
    uint64_t n;
    if (offset >= m->size)
        return 0;
    n = m->size - offset < len ? m->size - offset : len;
    memcpy(buf, m->data + offset, (size_t)n);
    return (int64_t)n;
}

static void check(const uint8_t *data, size_t size, uint64_t claimed)
{
    Memory m;
    FacetImageInfo info;
    FacetResult r;
    m.data = data;
    m.size = size;
    m.claimed = claimed;
    r = facet__image_check(&info, "fuzz.so", claimed, read_memory, &m);
    if (info.format == NULL || info.machine == NULL)
        abort();
    switch (r) {
    case FACET_OK:
        return;
    case FACET_E_EMPTYFILE:
    case FACET_E_NOTLIBRARY:
    case FACET_E_TRUNCATED:
    case FACET_E_WRONGARCH:
    case FACET_E_FAIL: /* the reader gave nothing (a file shorter than it claims) */
        if (strstr(facet_last_error(), "fuzz.so") == NULL)
            abort();
        return;
    default:
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* The true size, and a file that says it is larger than what can be
     * read (a file shrinking under the loader). */
    check(data, size, size);
    if (size > 0)
        check(data, size, (uint64_t)size + data[0] * 4096u);
    return 0;
}
