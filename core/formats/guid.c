/*
 * core/formats/guid.c - GUID text form: {xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx},
 * and an index that finds equal GUIDs in a table in linear time.
 */
#include <stdio.h>
#include <string.h>

#include "formats.h"

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Where the dashes stand in the 36-character form without braces. */
static int is_dash_position(size_t i)
{
    return i == 8 || i == 13 || i == 18 || i == 23;
}

FacetResult facet_guid_parse(FacetGuid *out, const char *text)
{
    uint8_t bytes[16];
    const char *p;
    size_t len, i, nibble = 0;
    int braced;

    FACET_CHECK_ARG(out, "facet_guid_parse");
    memset(out, 0, sizeof(*out));
    FACET_CHECK_ARG(text, "facet_guid_parse");

    len = strlen(text);
    braced = len > 0 && text[0] == '{';
    if (len != (braced ? 38u : 36u))
        return facet__error(FACET_E_BADGUID,
                            "GUID \"%.60s\": %zu characters, expected 38 in the form "
                            "{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx} (or 36 without braces)",
                            text, len);
    if (braced && text[37] != '}')
        return facet__error(FACET_E_BADGUID,
                            "GUID \"%s\": character 38 is '%c', expected '}'", text, text[37]);
    p = braced ? text + 1 : text;
    for (i = 0; i < 36; i++) {
        size_t column = i + (braced ? 2 : 1);
        if (is_dash_position(i)) {
            if (p[i] != '-')
                return facet__error(FACET_E_BADGUID,
                                    "GUID \"%s\": character %zu is '%c', expected '-'", text,
                                    column, p[i]);
            continue;
        }
        if (hex_value(p[i]) < 0)
            return facet__error(FACET_E_BADGUID,
                                "GUID \"%s\": character %zu is '%c', expected a hex digit", text,
                                column, p[i]);
        if (nibble % 2 == 0)
            bytes[nibble / 2] = (uint8_t)(hex_value(p[i]) << 4);
        else
            bytes[nibble / 2] |= (uint8_t)hex_value(p[i]);
        nibble++;
    }
    out->Data1 = ((uint32_t)bytes[0] << 24) | ((uint32_t)bytes[1] << 16) |
                 ((uint32_t)bytes[2] << 8) | bytes[3];
    out->Data2 = (uint16_t)((bytes[4] << 8) | bytes[5]);
    out->Data3 = (uint16_t)((bytes[6] << 8) | bytes[7]);
    memcpy(out->Data4, bytes + 8, 8);
    return FACET_OK;
}

FacetResult facet_guid_format(char *out, size_t out_size, const FacetGuid *g)
{
    FACET_CHECK_ARG(out, "facet_guid_format");
    if (out_size > 0)
        out[0] = '\0';
    FACET_CHECK_ARG(g, "facet_guid_format");
    if (out_size < FACET_GUID_STRING_SIZE)
        return facet__error(FACET_E_INVALIDARG,
                            "facet_guid_format: out_size is %zu, expected at least %d", out_size,
                            FACET_GUID_STRING_SIZE);
    snprintf(out, out_size, "{%08X-%04X-%04X-%02X%02X-%02X%02X%02X%02X%02X%02X}",
             (unsigned)g->Data1, (unsigned)g->Data2, (unsigned)g->Data3, g->Data4[0], g->Data4[1],
             g->Data4[2], g->Data4[3], g->Data4[4], g->Data4[5], g->Data4[6], g->Data4[7]);
    return FACET_OK;
}

FacetResult facet_guid_generate(FacetGuid *out)
{
    uint8_t b[16];
    FacetResult r;
    FACET_CHECK_ARG(out, "facet_guid_generate");
    r = facet__os_random(b, sizeof(b));
    if (FACET_FAILED(r))
        return r;
    b[6] = (uint8_t)((b[6] & 0x0F) | 0x40); /* version 4: random */
    b[8] = (uint8_t)((b[8] & 0x3F) | 0x80); /* variant 1 (RFC 4122) */
    out->Data1 = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
    out->Data2 = (uint16_t)((b[4] << 8) | b[5]);
    out->Data3 = (uint16_t)((b[6] << 8) | b[7]);
    memcpy(out->Data4, b + 8, 8);
    return FACET_OK;
}

/* ---- Equal GUIDs in a table --------------------------------------------- */

static const FacetGuid *guid_at(const FacetGuidIndex *ix, uint32_t i)
{
    return (const FacetGuid *)(const void *)(ix->base + (size_t)i * ix->stride);
}

static uint32_t guid_hash(const FacetGuid *g)
{
    uint64_t a, b;
    memcpy(&a, g, 8);
    memcpy(&b, (const unsigned char *)g + 8, 8);
    a = (a ^ (b * 0x9E3779B97F4A7C15ull)) * 0xBF58476D1CE4E5B9ull;
    return (uint32_t)(a ^ (a >> 31) ^ (a >> 59));
}

FacetResult facet__guid_index_init(FacetGuidIndex *ix, uint32_t count, const void *base,
                                   size_t stride)
{
    uint32_t size = 16;
    while (size < count * 2u && size < 0x80000000u)
        size *= 2;
    ix->base = base;
    ix->stride = stride;
    ix->mask = size - 1;
    ix->slots = facet__calloc(size, sizeof(uint32_t));
    return ix->slots ? FACET_OK : facet__error(FACET_E_OUTOFMEMORY, "out of memory for %u GUIDs",
                                               (unsigned)count);
}

/* The slot where g is, or the empty one where it would go. */
static uint32_t *slot_of(const FacetGuidIndex *ix, const FacetGuid *g)
{
    uint32_t h = guid_hash(g) & ix->mask;
    while (ix->slots[h] != 0 && !FacetGuidEqual(guid_at(ix, ix->slots[h] - 1), g))
        h = (h + 1) & ix->mask;
    return &ix->slots[h];
}

uint32_t facet__guid_index_add(FacetGuidIndex *ix, uint32_t i)
{
    uint32_t *slot = slot_of(ix, guid_at(ix, i));
    if (*slot != 0)
        return *slot - 1;
    *slot = i + 1;
    return UINT32_MAX;
}

uint32_t facet__guid_index_find(const FacetGuidIndex *ix, const FacetGuid *g)
{
    return *slot_of(ix, g) - 1; /* an empty slot's 0 is UINT32_MAX */
}

void facet__guid_index_free(FacetGuidIndex *ix)
{
    facet__free(ix->slots);
    ix->slots = NULL;
}
