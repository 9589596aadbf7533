/*
 * core/base/utf8.c - repairing text into valid UTF-8.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base.h"

/* The length of the well-formed sequence at s (at most n bytes), or 0 when
 * s[0] does not start one (RFC 3629: no overlong forms, no surrogates,
 * nothing past U+10FFFF). */
static size_t sequence(const unsigned char *s, size_t n)
{
    unsigned char c = s[0], lo = 0x80, hi = 0xBF;
    size_t len, i;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        len = 2;
    else if (c >= 0xE0 && c <= 0xEF)
        len = 3;
    else if (c >= 0xF0 && c <= 0xF4)
        len = 4;
    else
        return 0;
    if (c == 0xE0)
        lo = 0xA0; /* overlong */
    else if (c == 0xED)
        hi = 0x9F; /* surrogates */
    else if (c == 0xF0)
        lo = 0x90; /* overlong */
    else if (c == 0xF4)
        hi = 0x8F; /* past U+10FFFF */
    if (n < len || s[1] < lo || s[1] > hi)
        return 0;
    for (i = 2; i < len; i++)
        if (s[i] < 0x80 || s[i] > 0xBF)
            return 0;
    return len;
}

size_t facet__utf8_repair(char *out, const char *in, size_t n, unsigned flags)
{
    const unsigned char *s = (const unsigned char *)in;
    size_t i = 0, o = 0;
    while (i < n) {
        size_t len = sequence(s + i, n - i);
        int control = len == 1 && (s[i] < 0x20 || s[i] == 0x7F) && s[i] != '\t' &&
                      s[i] != '\n' && s[i] != '\r';
        if (len == 0 || ((flags & FACET_UTF8_TEXT) && control)) {
            memcpy(out + o, "\xEF\xBF\xBD", 3); /* U+FFFD */
            o += 3;
            i++;
            continue;
        }
        memcpy(out + o, s + i, len);
        o += len;
        i += len;
    }
    out[o] = '\0';
    return o;
}

int facet__utf8_valid(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        size_t len = sequence((const unsigned char *)s + i, n - i);
        if (len == 0)
            return 0;
        i += len;
    }
    return 1;
}

json_t *facet__utf8_json(const char *s, size_t n)
{
    char *fixed;
    json_t *j;
    if (facet__utf8_valid(s, n))
        return json_stringn(s, n);
    fixed = malloc(FACET_UTF8_REPAIRED_SIZE(n));
    if (fixed == NULL)
        return NULL;
    n = facet__utf8_repair(fixed, s, n, FACET_UTF8_KEEP);
    j = json_stringn(fixed, n);
    free(fixed);
    return j;
}
