/*
 * guid.c - GUID text: read from uuid(...), written in messages and for
 * facet_idl_interface_at.
 *
 * A GUID's bytes are kept in field order (Data1, Data2 and Data3 as
 * big-endian numbers, then Data4), as the text reads.
 */
#include <ctype.h>

#include "base.h"

static int hex_value(char ch)
{
    return isdigit((unsigned char)ch) ? ch - '0' : tolower((unsigned char)ch) - 'a' + 10;
}

size_t facet_idl__guid_scan(const char *s, const char *end, uint8_t out[16])
{
    static const int groups[] = {8, 4, 4, 4, 12};
    const char *p = s;
    int g, i, k = 0;
    for (g = 0; g < 5; g++) {
        for (i = 0; i < groups[g]; i += 2) {
            if (end - p < 2 || !isxdigit((unsigned char)p[0]) || !isxdigit((unsigned char)p[1]))
                return 0;
            if (out)
                out[k] = (uint8_t)(hex_value(p[0]) * 16 + hex_value(p[1]));
            k++;
            p += 2;
        }
        if (g < 4) {
            if (p >= end || *p != '-')
                return 0;
            p++;
        }
    }
    return (size_t)(p - s);
}

void facet_idl__guid_text(char out[IDL_GUID_TEXT], const uint8_t g[16])
{
    static const char hex[] = "0123456789ABCDEF";
    int i, k = 0;
    out[k++] = '{';
    for (i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[k++] = '-';
        out[k++] = hex[g[i] >> 4];
        out[k++] = hex[g[i] & 15];
    }
    out[k++] = '}';
    out[k] = '\0';
}
