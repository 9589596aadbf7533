/*
 * core/json.c - what manifests and the host config share: parsing with
 * jansson, the JSON path of the field being checked, and the file:line:column
 * of that field for an error.
 *
 * jansson keeps no positions for values, so an error found after parsing
 * walks the (already valid) text along the JSON path to find one. That
 * happens only on the failure path.
 *
 * Memory: jansson's trees live only inside one parse call; everything kept
 * is copied into facet__malloc'd arenas. libfacet does not call
 * json_set_alloc_funcs: it is process-wide and would take over the host's
 * own use of jansson (and free blocks that jansson had allocated before the
 * switch with the wrong function).
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "internal.h"

FacetResult facet__json_read_file(char **out, size_t *size, const char *path, FacetResult code)
{
    uint64_t got = 0;
    FacetResult r = facet__file_read_all(out, &got, path, FACET_JSON_MAX_SIZE);
    *size = (size_t)got;
    if (r == FACET_E_INVALIDARG) {
        /* too large: a content error of this file, with a position */
        char message[512];
        snprintf(message, sizeof(message), "%s", facet_last_error());
        return facet__error(code, "%s:1:1: $: %s", path, message);
    }
    return r;
}

/* Fails at the first value nested deeper than FACET_JSON_MAX_DEPTH. */
static FacetResult check_depth(FacetJsonCtx *ctx, json_t *v, unsigned depth)
{
    FacetResult r = FACET_OK;
    size_t old, i;
    const char *key;
    json_t *e;
    if (depth > FACET_JSON_MAX_DEPTH)
        return facet__json_error(ctx, "nested deeper than %u levels", (unsigned)FACET_JSON_MAX_DEPTH);
    if (json_is_object(v)) {
        json_object_foreach(v, key, e) {
            if (!json_is_object(e) && !json_is_array(e))
                continue;
            old = facet__json_push_key(ctx, key);
            r = check_depth(ctx, e, depth + 1);
            facet__json_pop(ctx, old);
            if (FACET_FAILED(r))
                return r;
        }
    } else if (json_is_array(v)) {
        json_array_foreach(v, i, e) {
            if (!json_is_object(e) && !json_is_array(e))
                continue;
            old = facet__json_push_index(ctx, i);
            r = check_depth(ctx, e, depth + 1);
            facet__json_pop(ctx, old);
            if (FACET_FAILED(r))
                return r;
        }
    }
    return r;
}

FacetResult facet__json_parse(json_t **out, FacetJsonCtx *ctx)
{
    FacetResult r;
    json_error_t err;
    *out = NULL;
    if (ctx->size > FACET_JSON_MAX_SIZE)
        return facet__error(ctx->code, "%s:1:1: $: the file has %zu bytes; the limit is %u",
                            ctx->file, ctx->size, (unsigned)FACET_JSON_MAX_SIZE);
    *out = json_loadb(ctx->text, ctx->size, JSON_REJECT_DUPLICATES, &err);
    if (*out == NULL)
        return facet__error(ctx->code, "%s:%d:%d: %s", ctx->file, err.line < 1 ? 1 : err.line,
                            err.column < 1 ? 1 : err.column, err.text);
    if (!json_is_object(*out)) {
        json_decref(*out);
        *out = NULL;
        return facet__json_error(ctx, "expected an object at the top level");
    }
    r = check_depth(ctx, *out, 1);
    if (FACET_FAILED(r)) {
        json_decref(*out);
        *out = NULL;
    }
    return r;
}

static int plain_key(const char *key)
{
    const char *p = key;
    if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '_' || *p == '$'))
        return 0;
    for (; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '_' || *p == '$'))
            return 0;
    return 1;
}

/* Appends n bytes of s to the path, truncating at its end. No printf:
 * this runs for every field of every file read. */
static void append(FacetJsonCtx *ctx, const char *s, size_t n)
{
    size_t room = sizeof(ctx->path) - 1 - ctx->len;
    if (n > room)
        n = room;
    memcpy(ctx->path + ctx->len, s, n);
    ctx->len += n;
    ctx->path[ctx->len] = '\0';
}

size_t facet__json_push_key(FacetJsonCtx *ctx, const char *key)
{
    size_t old = ctx->len;
    if (ctx->len == 0)
        append(ctx, "$", 1);
    if (plain_key(key)) {
        append(ctx, ".", 1);
        append(ctx, key, strlen(key));
    } else {
        append(ctx, "[\"", 2);
        append(ctx, key, strlen(key));
        append(ctx, "\"]", 2);
    }
    return old;
}

size_t facet__json_push_index(FacetJsonCtx *ctx, size_t index)
{
    size_t old = ctx->len;
    char digits[24], *p = digits + sizeof(digits);
    if (ctx->len == 0)
        append(ctx, "$", 1);
    *--p = ']';
    do {
        *--p = (char)('0' + index % 10);
        index /= 10;
    } while (index != 0);
    *--p = '[';
    append(ctx, p, (size_t)(digits + sizeof(digits) - p));
    return old;
}

void facet__json_pop(FacetJsonCtx *ctx, size_t len)
{
    ctx->len = len;
    ctx->path[len] = '\0';
}

/* ---- Finding a path in valid JSON text --------------------------------- */

static const char *skip_ws(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
        p++;
    return p;
}

static const char *skip_string(const char *p, const char *end)
{
    for (p++; p < end && *p != '"'; p++)
        if (*p == '\\')
            p++;
    return p < end ? p + 1 : end;
}

static const char *skip_value(const char *p, const char *end)
{
    int depth = 0;
    do {
        if (p >= end)
            return end;
        if (*p == '"') {
            p = skip_string(p, end);
            continue;
        }
        if (*p == '{' || *p == '[')
            depth++;
        else if (*p == '}' || *p == ']')
            depth--;
        else if (depth == 0) {
            while (p < end && *p != ',' && *p != '}' && *p != ']' && *p != ' ' && *p != '\n' &&
                   *p != '\r' && *p != '\t')
                p++;
            return p;
        }
        p++;
    } while (depth > 0);
    return p;
}

/* Reads one step of a path: .key, ["key"] or [n]. */
static const char *next_step(const char *path, char *key, size_t key_size, long *index)
{
    size_t n = 0;
    *index = -1;
    key[0] = '\0';
    if (*path == '.') {
        for (path++; *path && *path != '.' && *path != '['; path++)
            if (n + 1 < key_size)
                key[n++] = *path;
        key[n] = '\0';
        return path;
    }
    if (path[0] == '[' && path[1] == '"') {
        for (path += 2; *path && !(path[0] == '"' && path[1] == ']'); path++)
            if (n + 1 < key_size)
                key[n++] = *path;
        key[n] = '\0';
        return *path ? path + 2 : path;
    }
    if (*path == '[') {
        *index = 0;
        for (path++; *path >= '0' && *path <= '9'; path++)
            *index = *index * 10 + (*path - '0');
        return *path == ']' ? path + 1 : path;
    }
    return NULL;
}

void facet__json_locate(const char *text, size_t size, const char *path, unsigned *line,
                        unsigned *column)
{
    const char *end = text + size, *p = skip_ws(text, end), *q;
    char key[256];
    long index;

    if (path[0] == '$')
        path++;
    while (*path && (path = next_step(path, key, sizeof(key), &index)) != NULL) {
        const char *found = NULL;
        if (p >= end || (index < 0 && *p != '{') || (index >= 0 && *p != '['))
            break;
        for (q = skip_ws(p + 1, end); q < end && *q != '}' && *q != ']';) {
            if (index < 0) {
                const char *k = q + 1, *ke = skip_string(q, end) - 1;
                int match = (size_t)(ke - k) == strlen(key) && memcmp(k, key, (size_t)(ke - k)) == 0;
                q = skip_ws(ke + 1, end);
                q = skip_ws(q + 1, end); /* past ':' */
                if (match) {
                    found = q;
                    break;
                }
            } else if (index-- == 0) {
                found = q;
                break;
            }
            q = skip_ws(skip_value(q, end), end);
            if (q < end && *q == ',')
                q = skip_ws(q + 1, end);
        }
        if (found == NULL)
            break;
        p = found;
    }
    *line = 1;
    *column = 1;
    for (q = text; q < p && q < end; q++) {
        if (*q == '\n') {
            ++*line;
            *column = 1;
        } else if (((unsigned char)*q & 0xC0) != 0x80) {
            ++*column;
        }
    }
}

static FacetResult json_verror(FacetJsonCtx *ctx, const char *message)
{
    unsigned line, column;
    const char *path = ctx->len ? ctx->path : "$";
    facet__json_locate(ctx->text, ctx->size, path, &line, &column);
    return facet__error(ctx->code, "%s:%u:%u: %s: %s", ctx->file, line, column, path, message);
}

FacetResult facet__json_error(FacetJsonCtx *ctx, const char *fmt, ...)
{
    char message[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof(message), fmt, ap);
    va_end(ap);
    return json_verror(ctx, message);
}

FacetResult facet__json_wrap(FacetJsonCtx *ctx, FacetResult r)
{
    char message[512];
    snprintf(message, sizeof(message), "%s", facet_last_error());
    (void)r;
    return json_verror(ctx, message);
}

FacetResult facet__json_check_keys(FacetJsonCtx *ctx, json_t *object, const char *const *known)
{
    const char *key;
    json_t *value;
    json_object_foreach(object, key, value) {
        const char *const *k;
        char list[256];
        size_t used = 0;
        for (k = known; *k != NULL; k++)
            if (strcmp(*k, key) == 0)
                break;
        if (*k != NULL)
            continue;
        list[0] = '\0';
        for (k = known; *k != NULL && used < sizeof(list); k++) {
            int n = snprintf(list + used, sizeof(list) - used, "%s%s", used ? ", " : "", *k);
            used += n > 0 ? (size_t)n : 0;
        }
        {
            size_t old = facet__json_push_key(ctx, key);
            FacetResult r = facet__json_error(ctx, "unknown field \"%s\"; expected one of: %s", key, list);
            facet__json_pop(ctx, old);
            return r;
        }
    }
    (void)value;
    return FACET_OK;
}
