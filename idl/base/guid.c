/*
 * guid.c - GUID text, the one place it is read and written: read from
 * uuid(...), written in messages and for facet_idl_interface_at, and as
 * the numbers of a C initialiser in the outputs.
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

static const char upper_digits[] = "0123456789ABCDEF";
static const char lower_digits[] = "0123456789abcdef";

/* Writes the n bytes at p as 2n hex digits into out; returns 2n. */
static int put_hex(char *out, const uint8_t *p, int n, const char *digits)
{
    int i;
    for (i = 0; i < n; i++) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 15];
    }
    return 2 * n;
}

void facet_idl__guid_text(char out[IDL_GUID_TEXT], const uint8_t g[16])
{
    int i, k = 0;
    out[k++] = '{';
    for (i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[k++] = '-';
        k += put_hex(out + k, g + i, 1, upper_digits);
    }
    out[k++] = '}';
    out[k] = '\0';
}

/* Appends "0x" and the n bytes at p as hex digits. */
static void put_c_hex(idl_buf *b, const uint8_t *p, int n, const char *digits)
{
    char s[2 + 8];
    s[0] = '0';
    s[1] = 'x';
    facet_idl__buf_putn(b, s, (size_t)(2 + put_hex(s + 2, p, n, digits)));
}

void facet_idl__guid_c(idl_buf *b, const uint8_t g[16], const char *between, int lower)
{
    const char *digits = lower ? lower_digits : upper_digits;
    int i;
    put_c_hex(b, g, 4, digits);
    facet_idl__buf_puts(b, ", ");
    put_c_hex(b, g + 4, 2, digits);
    facet_idl__buf_puts(b, ", ");
    put_c_hex(b, g + 6, 2, digits);
    facet_idl__buf_puts(b, between);
    for (i = 8; i < 16; i++) {
        if (i > 8)
            facet_idl__buf_puts(b, ", ");
        put_c_hex(b, g + i, 1, digits);
    }
}
