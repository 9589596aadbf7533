/*
 * core/utf8.h - making text that came from elsewhere (a module, a file
 * name, a child's output) valid UTF-8 before it goes into JSON, which
 * cannot carry anything else. Depends on nothing but the C library and
 * jansson, so the facet command compiles core/utf8.c too.
 */
#ifndef FACET_CORE_UTF8_H
#define FACET_CORE_UTF8_H

#include <stddef.h>

/* What facet__utf8_repair does besides the encoding. */
#define FACET_UTF8_KEEP 0u    /* every well-formed character stays, NUL too */
#define FACET_UTF8_TEXT 1u    /* also NUL and control characters other than
                                 tab, line feed and carriage return (ESC, so a
                                 terminal escape is shown, not obeyed) */

/* The largest text facet__utf8_repair writes for n bytes: every byte may
 * become the three bytes of U+FFFD, and a NUL ends it. */
#define FACET_UTF8_REPAIRED_SIZE(n) ((n) * 3 + 1)

/* Copies the n bytes at in to out as valid UTF-8: each byte that does not
 * start a well-formed sequence (a stray continuation byte, a sequence cut
 * short, an overlong form, a surrogate, a code point past U+10FFFF) becomes
 * U+FFFD, the replacement character, and the bytes after it are read
 * afresh. out has room for FACET_UTF8_REPAIRED_SIZE(n) bytes and is
 * NUL-terminated. Returns the length written, without the NUL. */
size_t facet__utf8_repair(char *out, const char *in, size_t n, unsigned flags);

/* 1 when the n bytes at s are valid UTF-8 (a NUL is a character). */
int facet__utf8_valid(const char *s, size_t n);

/* A JSON string (jansson's json_t) of the n bytes at s, repaired as
 * FACET_UTF8_KEEP does when they are not UTF-8, so the record that holds
 * it is never lost for its text. NULL when out of memory. */
struct json_t;
struct json_t *facet__utf8_json(const char *s, size_t n);

#endif /* FACET_CORE_UTF8_H */
