/*
 * core/base/path.c - paths as text: the last component, the folder part,
 * joining, and whether a path is absolute. One copy of each for libfacet,
 * idl/ and tools/.
 */
#include <string.h>

#include "base.h"

static int is_separator(char c)
{
    return c == '/' || c == '\\';
}

const char *facet__path_basename(const char *path)
{
    const char *p, *base = path;
    for (p = path; *p; p++)
        if (is_separator(*p))
            base = p + 1;
    return base;
}

size_t facet__path_dirname_len(const char *path, int *has_dir)
{
    size_t n = (size_t)(facet__path_basename(path) - path);
    *has_dir = n > 0;
    return n > 0 ? n - 1 : 0;
}

/* Writes the folder part of path into out (room for its length + 2). */
static void dirname_into(char *out, const char *path, size_t n, int has_dir)
{
    if (!has_dir) {
        strcpy(out, ".");
    } else if (n == 0) {
        strcpy(out, "/");
    } else {
        memcpy(out, path, n);
        out[n] = '\0';
    }
}

char *facet__path_dirname(const char *path)
{
    int has_dir;
    size_t n = facet__path_dirname_len(path, &has_dir);
    char *dir = facet__malloc(n + 2);
    if (dir != NULL)
        dirname_into(dir, path, n, has_dir);
    return dir;
}

char *facet__arena_dirname(FacetArena *a, const char *path)
{
    int has_dir;
    size_t n = facet__path_dirname_len(path, &has_dir);
    char *dir = facet__arena_alloc(a, n + 2);
    if (dir != NULL)
        dirname_into(dir, path, n, has_dir);
    return dir;
}

/* Writes dir + "/" + name into out (room for both and 2 more). */
static char *join_into(char *out, const char *dir, size_t dn, const char *name, size_t fn)
{
    if (out != NULL) {
        memcpy(out, dir, dn);
        out[dn] = '/';
        memcpy(out + dn + 1, name, fn + 1);
    }
    return out;
}

char *facet__path_join(const char *dir, const char *name)
{
    size_t dn = strlen(dir), fn = strlen(name);
    return join_into(facet__malloc(dn + fn + 2), dir, dn, name, fn);
}

char *facet__arena_join(FacetArena *a, const char *dir, const char *name)
{
    size_t dn = strlen(dir), fn = strlen(name);
    return join_into(facet__arena_alloc(a, dn + fn + 2), dir, dn, name, fn);
}

int facet__path_is_absolute(const char *path)
{
    return is_separator(path[0]) || (path[0] != '\0' && path[1] == ':');
}

size_t facet__path_normalize(char *path)
{
    /* The root ("/", "C:/", "C:") is kept; then each component is copied,
     * "." dropped and ".." taking back the one before it, if any. */
    char *out = path, *in = path;
    size_t root = 0, n;
    if (path[0] != '\0' && path[1] == ':') {
        root = 2;
        in += 2;
    }
    if (is_separator(*in)) {
        path[root++] = '/';
        while (is_separator(*in))
            in++;
    }
    out = path + root;
    while (*in != '\0') {
        const char *c = in;
        while (*in != '\0' && !is_separator(*in))
            in++;
        n = (size_t)(in - c);
        while (is_separator(*in))
            in++;
        if (n == 1 && c[0] == '.')
            continue;
        if (n == 2 && c[0] == '.' && c[1] == '.') {
            char *last = out;
            while (last > path + root && last[-1] != '/')
                last--;
            /* A relative path keeps a leading "..": nothing to take back. */
            if (out > path + root && !(out - last == 2 && last[0] == '.' && last[1] == '.')) {
                out = last > path + root ? last - 1 : path + root;
                continue;
            }
            if (root > 0)
                continue; /* "/.." is "/" */
        }
        if (out > path + root)
            *out++ = '/';
        memmove(out, c, n);
        out += n;
    }
    if (out == path)
        *out++ = '.';
    *out = '\0';
    return (size_t)(out - path);
}
