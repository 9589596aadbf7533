/*
 * core/formats/permission.c - permission names, as a manifest requests
 * them and a configuration grants them (docs/manifest.md, docs/config.md,
 * docs/isolation.md), and whether a grant covers a request.
 *
 * A plain name ("org.example.clock") is a right the host defines, given
 * by name. A name of the form kind:argument is an operating-system right:
 *
 *   fs.read:PATH           read under PATH, a file or a folder
 *   fs.write:PATH          create, write and delete under PATH; covers fs.read
 *   net.connect:HOST:PORT  outbound TCP to HOST and PORT exactly; HOST is a
 *                          name or an address, compared in lower case as
 *                          written, an IPv6 address in brackets
 *
 * The files keep a name in the form the comparison needs: a relative PATH
 * joined to the folder of the file that names it, every PATH without "."
 * or ".." components, every HOST in lower case.
 */
#include <stdio.h>
#include <string.h>

#include "formats.h"

static const char *const kind_names[] = {NULL, "fs.read", "fs.write", "net.connect"};

#define HOST_MAX 253u

static int is_name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '.' || c == '-' || c == '_';
}

static int is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static int fail(char *why, size_t size, const char *fmt, const char *arg)
{
    if (size > 0)
        snprintf(why, size, fmt, arg);
    return 0;
}

/* HOST:PORT of a net.connect name, from s on. */
static int parse_endpoint(FacetPermission *out, const char *s, char *why, size_t size)
{
    const char *port, *p;
    uint32_t value = 0;
    if (*s == '[') {
        const char *end = strchr(s, ']');
        if (end == NULL)
            return fail(why, size, "an IPv6 address in brackets has no ']'", s);
        if (end == s + 1)
            return fail(why, size, "the host is empty", s);
        for (p = s + 1; p < end; p++)
            if (!is_hex(*p) && *p != ':' && *p != '.')
                return fail(why, size,
                            "expected an IPv6 address (hexadecimal digits, ':' "
                            "and '.') between the brackets", s);
        if (memchr(s + 1, ':', (size_t)(end - s - 1)) == NULL)
            return fail(why, size,
                        "only an IPv6 address is written in brackets", s);
        out->arg = s + 1;
        out->arg_len = (size_t)(end - s - 1);
        port = end + 1;
        if (*port != ':')
            return fail(why, size, "no port (expected HOST:PORT, the port "
                                   "from 1 to 65535)", s);
        port++;
    } else {
        const char *colon = strrchr(s, ':');
        if (colon == NULL)
            return fail(why, size, "no port (expected HOST:PORT, the port from "
                                   "1 to 65535)", s);
        if (colon == s)
            return fail(why, size, "the host is empty", s);
        if (memchr(s, ':', (size_t)(colon - s)) != NULL)
            return fail(why, size, "an IPv6 address is written in brackets "
                                   "(net.connect:[::1]:443)", s);
        for (p = s; p < colon; p++)
            if (!is_name_char(*p))
                return fail(why, size, "the host may hold only letters, digits, "
                                       "'.', '-' and '_'", s);
        out->arg = s;
        out->arg_len = (size_t)(colon - s);
        port = colon + 1;
    }
    if (out->arg_len > HOST_MAX)
        return fail(why, size, "the host is longer than 253 characters", s);
    if (*port == '\0')
        return fail(why, size, "no port (expected a port from 1 to 65535)", s);
    for (p = port; *p != '\0'; p++) {
        if (*p < '0' || *p > '9')
            return fail(why, size, "the port is not a number from 1 to 65535",
                        s);
        if (value <= 65535u)
            value = value * 10u + (uint32_t)(*p - '0');
    }
    if (value == 0 || value > 65535u)
        return fail(why, size, "the port is out of range (1 to 65535)", s);
    out->port = value;
    return 1;
}

int facet__permission_parse(FacetPermission *out, const char *text, char *why, size_t size)
{
    const char *colon = strchr(text, ':'), *p;
    uint32_t kind;
    memset(out, 0, sizeof(*out));
    if (size > 0)
        why[0] = '\0';
    if (colon == NULL) {
        if (*text == '\0' || strlen(text) > 200)
            return fail(why, size, "a permission name has 1 to 200 characters", text);
        for (p = text; *p; p++)
            if (!is_name_char(*p))
                return fail(why, size, "a permission name holds letters, digits, '.', '-' "
                                       "and '_', or is kind:argument", text);
        out->kind = FACET_PERMISSION_PLAIN;
        out->arg = text;
        out->arg_len = strlen(text);
        return 1;
    }
    for (kind = FACET_PERMISSION_FS_READ; kind <= FACET_PERMISSION_NET_CONNECT; kind++)
        if (strlen(kind_names[kind]) == (size_t)(colon - text) &&
            memcmp(text, kind_names[kind], (size_t)(colon - text)) == 0)
            break;
    if (kind > FACET_PERMISSION_NET_CONNECT) {
        char name[64];
        size_t n = (size_t)(colon - text) < sizeof(name) - 1 ? (size_t)(colon - text)
                                                             : sizeof(name) - 1;
        memcpy(name, text, n);
        name[n] = '\0';
        return fail(why, size, "unknown permission kind \"%s\" (expected fs.read, fs.write or "
                               "net.connect before the ':')", name);
    }
    out->kind = kind;
    if (kind == FACET_PERMISSION_NET_CONNECT)
        return parse_endpoint(out, colon + 1, why, size);
    if (colon[1] == '\0')
        return fail(why, size, "the path is empty", text);
    for (p = colon + 1; *p; p++)
        if ((unsigned char)*p < 0x20)
            return fail(why, size, "the path holds a control character", text);
    out->arg = colon + 1;
    out->arg_len = strlen(colon + 1);
    return 1;
}

FacetResult facet__permission_canonical(const char **out, FacetArena *a, const char *text,
                                        const char *dir, char *why, size_t size)
{
    FacetPermission pm;
    char *s;
    size_t n, i;
    *out = NULL;
    if (!facet__permission_parse(&pm, text, why, size))
        return FACET_E_INVALIDARG;
    if (pm.kind == FACET_PERMISSION_PLAIN) {
        *out = facet__arena_strdup(a, text);
    } else if (pm.kind == FACET_PERMISSION_NET_CONNECT) {
        int v6 = memchr(pm.arg, ':', pm.arg_len) != NULL;
        n = strlen("net.connect:") + pm.arg_len + 2 + 7;
        s = facet__arena_alloc(a, n);
        if (s != NULL) {
            char *h = s + snprintf(s, n, "net.connect:%s", v6 ? "[" : "");
            for (i = 0; i < pm.arg_len; i++)
                h[i] = lower(pm.arg[i]);
            snprintf(h + i, n - (size_t)(h + i - s), "%s:%u", v6 ? "]" : "", (unsigned)pm.port);
        }
        *out = s;
    } else {
        /* kind: then the path, joined to dir when it is relative. */
        const char *kind = kind_names[pm.kind];
        int join = dir != NULL && !facet__path_is_absolute(pm.arg);
        size_t kn = strlen(kind) + 1, dn = join ? strlen(dir) + 1 : 0;
        s = facet__arena_alloc(a, kn + dn + pm.arg_len + 2);
        if (s != NULL) {
            memcpy(s, kind, kn - 1);
            s[kn - 1] = ':';
            if (join) {
                memcpy(s + kn, dir, dn - 1);
                s[kn + dn - 1] = '/';
            }
            memcpy(s + kn + dn, pm.arg, pm.arg_len + 1);
            facet__path_normalize(s + kn);
        }
        *out = s;
    }
    return *out != NULL ? FACET_OK : FACET_E_OUTOFMEMORY;
}

const char *facet__permission_folder(FacetArena *a, const char *dir)
{
    char *abs = NULL;
    const char *out = dir;
    if (!facet__path_is_absolute(dir) && FACET_SUCCEEDED(facet__os_realpath(&abs, dir))) {
        out = facet__arena_strdup(a, abs);
        facet__free(abs);
    }
    return out != NULL ? out : dir;
}

/* Whether the normalised path a is b or a folder above it. */
static int path_covers(const char *a, size_t an, const char *b, size_t bn)
{
    size_t i;
    if (an > bn)
        return 0;
    for (i = 0; i < an; i++) {
#ifdef _WIN32
        if (lower(a[i]) != lower(b[i]))
            return 0;
#else
        if (a[i] != b[i])
            return 0;
#endif
    }
    /* "/data" covers "/data" and "/data/x", never "/data2"; "/" covers all. */
    return an == bn || b[an] == '/' || (an > 0 && a[an - 1] == '/');
}

int facet__permission_covers(const char *grant, const char *request)
{
    FacetPermission g, r;
    char *gp, *rp;
    size_t i, gn, rn;
    int covers;
    if (grant == NULL || request == NULL || !facet__permission_parse(&g, grant, NULL, 0) ||
        !facet__permission_parse(&r, request, NULL, 0))
        return 0;
    if (g.kind == FACET_PERMISSION_PLAIN || r.kind == FACET_PERMISSION_PLAIN)
        return g.kind == r.kind && strcmp(grant, request) == 0;
    if (g.kind == FACET_PERMISSION_NET_CONNECT || r.kind == FACET_PERMISSION_NET_CONNECT) {
        if (g.kind != r.kind || g.port != r.port || g.arg_len != r.arg_len)
            return 0;
        for (i = 0; i < g.arg_len; i++)
            if (lower(g.arg[i]) != lower(r.arg[i]))
                return 0;
        return 1;
    }
    /* fs.write covers fs.read; fs.read never covers fs.write. */
    if (g.kind == FACET_PERMISSION_FS_READ && r.kind == FACET_PERMISSION_FS_WRITE)
        return 0;
    /* Both made absolute by their files; "." and ".." are taken out here
     * too, for a name that did not come through one. A relative one never
     * covers an absolute one, nor the other way. */
    if (facet__path_is_absolute(g.arg) != facet__path_is_absolute(r.arg))
        return 0;
    gp = facet__malloc(g.arg_len + 1);
    rp = facet__malloc(r.arg_len + 1);
    covers = 0;
    if (gp != NULL && rp != NULL) {
        memcpy(gp, g.arg, g.arg_len + 1);
        memcpy(rp, r.arg, r.arg_len + 1);
        gn = facet__path_normalize(gp);
        rn = facet__path_normalize(rp);
        covers = path_covers(gp, gn, rp, rn);
    }
    facet__free(gp);
    facet__free(rp);
    return covers;
}
