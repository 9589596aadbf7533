/*
 * core/formats/json.c - what manifests and the host config share: parsing with
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

#include "formats.h"

FacetResult facet__json_read_file(char **out, size_t *size, FacetOsStat *meta, const char *path,
                                  FacetResult code)
{
    uint64_t got = 0;
    FacetResult r = facet__file_read_all(out, &got, meta, path, FACET_JSON_MAX_SIZE);
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
    json_error_t err;
    *out = NULL;
    if (ctx->size > FACET_JSON_MAX_SIZE)
        return facet__error(ctx->code, "%s:1:1: $: the file has %zu bytes; the limit is %u",
                            ctx->file, ctx->size, (unsigned)FACET_JSON_MAX_SIZE);
    /* Without JSON_ALLOW_NUL, "\u0000" is a syntax error: every string
     * the readers see is a whole C string. */
    *out = json_loadb(ctx->text, ctx->size, JSON_REJECT_DUPLICATES, &err);
    if (*out == NULL)
        return facet__error(ctx->code, "%s:%d:%d: %s", ctx->file, err.line < 1 ? 1 : err.line,
                            err.column < 1 ? 1 : err.column, err.text);
    if (!json_is_object(*out)) {
        json_decref(*out);
        *out = NULL;
        return facet__json_error(ctx, "expected an object at the top level");
    }
    return FACET_OK;
}

FacetResult facet__json_check_depth(FacetJsonCtx *ctx, json_t *root)
{
    facet__json_pop(ctx, 0);
    return check_depth(ctx, root, 1);
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

/* The path is a stack of steps, pushed and popped for every field of
 * every file read; it becomes text only for a message. */
static size_t push(FacetJsonCtx *ctx, const char *key, size_t index)
{
    size_t old = ctx->len;
    if (ctx->len < FACET_JSON_MAX_STEPS) {
        ctx->steps[ctx->len].key = key;
        ctx->steps[ctx->len].index = index;
    }
    ctx->len++;
    return old;
}

size_t facet__json_push_key(FacetJsonCtx *ctx, const char *key)
{
    return push(ctx, key, 0);
}

size_t facet__json_push_index(FacetJsonCtx *ctx, size_t index)
{
    return push(ctx, NULL, index);
}

void facet__json_pop(FacetJsonCtx *ctx, size_t len)
{
    ctx->len = len;
}

/* Writes the path ("$.classes[0].clsid", $["a b"]) into out. A name that
 * is not a plain identifier goes in brackets, its '"' and '\' escaped, so
 * that the text reads back as the same steps (facet__json_locate). */
static void path_text(char *out, size_t size, const FacetJsonStep *steps, size_t n)
{
    size_t used = 1, i;
    out[0] = '$';
    out[1] = '\0';
    for (i = 0; i < n && used < size; i++) {
        const char *key = steps[i].key, *k;
        int w;
        if (key == NULL) {
            w = snprintf(out + used, size - used, "[%zu]", steps[i].index);
        } else if (plain_key(key)) {
            w = snprintf(out + used, size - used, ".%s", key);
        } else {
            char escaped[512];
            size_t e = 0;
            for (k = key; *k && e + 2 < sizeof(escaped); k++) {
                if (*k == '"' || *k == '\\')
                    escaped[e++] = '\\';
                escaped[e++] = *k;
            }
            escaped[e] = '\0';
            w = snprintf(out + used, size - used, "[\"%s\"]", escaped);
        }
        used += w > 0 ? (size_t)w : 0;
    }
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

static int hex4(const char *p, const char *end, unsigned *out)
{
    int i;
    *out = 0;
    if (end - p < 4)
        return 0;
    for (i = 0; i < 4; i++) {
        char c = p[i];
        unsigned d = c >= '0' && c <= '9'   ? (unsigned)(c - '0')
                     : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
                     : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10)
                                            : 16u;
        if (d == 16u)
            return 0;
        *out = *out * 16 + d;
    }
    return 1;
}

/* Whether the JSON string at p (its opening quote) says key, escapes
 * decoded: a name may be written "\u0061" or "a\"b". */
static int string_equals(const char *p, const char *end, const char *key)
{
    const unsigned char *k = (const unsigned char *)key;
    for (p++; p < end && *p != '"'; p++) {
        unsigned char bytes[4];
        size_t n = 1, i;
        unsigned cp, low;
        bytes[0] = (unsigned char)*p;
        if (*p == '\\' && ++p < end) {
            switch (*p) {
            case 'b': bytes[0] = '\b'; break;
            case 'f': bytes[0] = '\f'; break;
            case 'n': bytes[0] = '\n'; break;
            case 'r': bytes[0] = '\r'; break;
            case 't': bytes[0] = '\t'; break;
            case 'u':
                if (!hex4(p + 1, end, &cp))
                    return 0;
                p += 4;
                if (cp >= 0xD800 && cp < 0xDC00 && end - p > 6 && p[1] == '\\' && p[2] == 'u' &&
                    hex4(p + 3, end, &low) && low >= 0xDC00 && low < 0xE000) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                    p += 6;
                }
                if (cp < 0x80) {
                    bytes[0] = (unsigned char)cp;
                } else if (cp < 0x800) {
                    bytes[0] = (unsigned char)(0xC0 | (cp >> 6));
                    bytes[1] = (unsigned char)(0x80 | (cp & 0x3F));
                    n = 2;
                } else if (cp < 0x10000) {
                    bytes[0] = (unsigned char)(0xE0 | (cp >> 12));
                    bytes[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
                    bytes[2] = (unsigned char)(0x80 | (cp & 0x3F));
                    n = 3;
                } else {
                    bytes[0] = (unsigned char)(0xF0 | (cp >> 18));
                    bytes[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
                    bytes[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
                    bytes[3] = (unsigned char)(0x80 | (cp & 0x3F));
                    n = 4;
                }
                break;
            default: bytes[0] = (unsigned char)*p; break; /* \" \\ \/ */
            }
        }
        for (i = 0; i < n; i++, k++)
            if (*k == '\0' || *k != bytes[i])
                return 0;
    }
    return *k == '\0';
}

/* Where the value at steps sits in text (or its nearest parent that does). */
static const char *find_steps(const char *text, size_t size, const FacetJsonStep *steps, size_t n)
{
    const char *end = text + size, *p = skip_ws(text, end), *q;
    size_t i;
    for (i = 0; i < n; i++) {
        const char *found = NULL;
        size_t index = steps[i].index;
        if (p >= end || *p != (steps[i].key != NULL ? '{' : '['))
            break;
        for (q = skip_ws(p + 1, end); q < end && *q != '}' && *q != ']';) {
            if (steps[i].key != NULL) {
                int match = *q == '"' && string_equals(q, end, steps[i].key);
                q = skip_ws(skip_string(q, end), end);
                q = q < end ? skip_ws(q + 1, end) : end; /* past ':' */
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
    return p;
}

/* Reads one step of a text path into step, a bracketed name unescaped into
 * buf (size bytes); returns where the next step starts, or NULL for what
 * it cannot read (an index too large to be one is not one). */
static const char *next_step(const char *path, FacetJsonStep *step, char *buf, size_t size)
{
    size_t n = 0;
    step->key = NULL;
    step->index = 0;
    if (*path == '.') {
        for (path++; *path && *path != '.' && *path != '['; path++)
            if (n + 1 < size)
                buf[n++] = *path;
        buf[n] = '\0';
        step->key = buf;
        return path;
    }
    if (path[0] == '[' && path[1] == '"') {
        for (path += 2; *path && *path != '"'; path++) {
            if (*path == '\\' && path[1] != '\0')
                path++;
            if (n + 1 < size)
                buf[n++] = *path;
        }
        buf[n] = '\0';
        step->key = buf;
        return path[0] == '"' && path[1] == ']' ? path + 2 : NULL;
    }
    if (path[0] == '[' && path[1] >= '0' && path[1] <= '9') {
        for (path++; *path >= '0' && *path <= '9'; path++) {
            size_t digit = (size_t)(*path - '0');
            if (step->index > (SIZE_MAX - digit) / 10)
                return NULL;
            step->index = step->index * 10 + digit;
        }
        return *path == ']' ? path + 1 : NULL;
    }
    return NULL;
}

/* The line and column of p in text. */
static void position(const char *text, const char *p, unsigned *line, unsigned *column)
{
    const char *q;
    *line = 1;
    *column = 1;
    for (q = text; q < p; q++) {
        if (*q == '\n') {
            ++*line;
            *column = 1;
        } else if (((unsigned char)*q & 0xC0) != 0x80) {
            ++*column;
        }
    }
}

void facet__json_locate(const char *text, size_t size, const char *path, unsigned *line,
                        unsigned *column)
{
    FacetJsonStep steps[FACET_JSON_MAX_STEPS];
    char keys[2048];
    size_t n = 0, used = 0;
    if (path[0] == '$')
        path++;
    while (*path && n < FACET_JSON_MAX_STEPS && used < sizeof(keys) &&
           (path = next_step(path, &steps[n], keys + used, sizeof(keys) - used)) != NULL) {
        if (steps[n].key != NULL)
            used += strlen(steps[n].key) + 1;
        n++;
    }
    position(text, find_steps(text, size, steps, n), line, column);
}

static FacetResult json_verror(FacetJsonCtx *ctx, const char *message)
{
    unsigned line, column;
    char path[512];
    size_t n = ctx->len < FACET_JSON_MAX_STEPS ? ctx->len : FACET_JSON_MAX_STEPS;
    path_text(path, sizeof(path), ctx->steps, n);
    position(ctx->text, find_steps(ctx->text, ctx->size, ctx->steps, n), &line, &column);
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
            if ((*k)[0] == key[0] && strcmp(*k, key) == 0)
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
