/*
 * common.c - what the header and the type info write the same way.
 */
#include "emit.h"

const char *facet_idl__symbol_stem(idl_ctx *c, const idl_file *f)
{
    char *s = facet_idl__strdup(c->arena, f->stem);
    size_t i;
    if (!s)
        return "input";
    for (i = 0; s[i]; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
              (s[i] >= '0' && s[i] <= '9')))
            s[i] = '_';
    return s;
}

/* "0x" and the n bytes at p as hex digits. */
static void put_hex(idl_buf *b, const uint8_t *p, int n, const char *digits)
{
    char s[10];
    int i, k = 0;
    s[k++] = '0';
    s[k++] = 'x';
    for (i = 0; i < n; i++) {
        s[k++] = digits[p[i] >> 4];
        s[k++] = digits[p[i] & 15];
    }
    facet_idl__buf_putn(b, s, (size_t)k);
}

void facet_idl__write_guid_c(idl_buf *b, const uint8_t g[16], const char *between, int lower)
{
    const char *digits = lower ? "0123456789abcdef" : "0123456789ABCDEF";
    int i;
    put_hex(b, g, 4, digits);
    facet_idl__buf_puts(b, ", ");
    put_hex(b, g + 4, 2, digits);
    facet_idl__buf_puts(b, ", ");
    put_hex(b, g + 6, 2, digits);
    facet_idl__buf_puts(b, between);
    for (i = 8; i < 16; i++) {
        if (i > 8)
            facet_idl__buf_puts(b, ", ");
        put_hex(b, g + i, 1, digits);
    }
}
