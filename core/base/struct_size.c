/*
 * core/base/struct_size.c - rule 5 of <facet/abi.h> at every entry point that
 * takes a struct that may grow: an input struct is read, and an output
 * struct written, no further than the caller's struct_size, and a size
 * smaller than the first version's is refused. docs/abi.md, "Structs that
 * grow", has the rule from both sides.
 */
#include <string.h>

#include "base.h"

static FacetResult too_small(uint32_t given, uint32_t v1_size, const char *fn, const char *type,
                             const char *prefix)
{
    return facet__error(FACET_E_STRUCTSIZE,
                        "%s: %s.struct_size is %u; the smallest accepted is %u (%s_V1_SIZE): "
                        "initialise it with %s_INIT",
                        fn, type, (unsigned)given, (unsigned)v1_size, prefix, prefix);
}

FacetResult facet__struct_read(void *out, size_t size, const void *in, uint32_t v1_size,
                               const char *fn, const char *type, const char *prefix)
{
    uint32_t given;
    if (in == NULL)
        return FACET_OK;
    memcpy(&given, in, sizeof(given));
    if (given < v1_size)
        return too_small(given, v1_size, fn, type, prefix);
    if (given > size)
        given = (uint32_t)size; /* a newer caller's fields are not ours to read */
    memcpy(out, in, given);
    memcpy(out, &given, sizeof(given));
    return FACET_OK;
}

FacetResult facet__struct_write(void *out, const void *from, size_t size, uint32_t v1_size,
                                const char *fn, const char *type, const char *prefix)
{
    uint32_t given;
    memcpy(&given, out, sizeof(given));
    if (given < v1_size)
        return too_small(given, v1_size, fn, type, prefix);
    if (given > size)
        given = (uint32_t)size; /* the caller learns how far we wrote */
    memcpy((char *)out + sizeof(given), (const char *)from + sizeof(given),
           given - sizeof(given));
    memcpy(out, &given, sizeof(given));
    return FACET_OK;
}
