/*
 * source.c - the source files of a compilation: read through the caller's
 * read_file or from the file system, found on the include path, each read
 * once.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base.h"
#include "base/path.h" /* core/base: one basename for the project */

/* read_stdio's result when the compilation's allocator ran out. */
#define READ_OUT_OF_MEMORY 2

/* A facet_idl_read_fn over stdio; payload is the compilation's idl_mem. */
static int read_stdio(const char *path, char **out, size_t *out_size, const char **reason,
                      void *payload)
{
    idl_mem *mem = payload;
    FILE *f;
    char *data = NULL;
    size_t len = 0, cap = 0, n;
    errno = 0;
    f = fopen(path, "rb");
    if (!f) {
        *reason = errno == ENOENT ? "No such file or directory" : strerror(errno);
        return -1;
    }
    for (;;) {
        if (cap - len < 4096) {
            char *p;
            cap = cap ? cap * 2 : 8192;
            p = facet_idl__realloc(mem, data, cap);
            if (!p) {
                facet_idl__free(mem, data);
                fclose(f);
                *reason = "out of memory";
                return READ_OUT_OF_MEMORY;
            }
            data = p;
        }
        n = fread(data + len, 1, cap - len, f);
        len += n;
        if (n == 0)
            break;
    }
    if (ferror(f)) {
        *reason = errno ? strerror(errno) : "read error";
        facet_idl__free(mem, data);
        fclose(f);
        return -1;
    }
    fclose(f);
    *out = data;
    *out_size = len;
    return 0;
}

idl_file *facet_idl__file_new(idl_ctx *c, const char *path, const char *text, size_t size)
{
    idl_file *f = facet_idl__alloc(c->arena, sizeof(*f));
    const char *dot;
    if (!f)
        return NULL;
    f->path = facet_idl__strdup(c->arena, path);
    f->name = f->path ? facet__path_basename(f->path) : NULL;
    f->text = facet_idl__strndup(c->arena, text, size);
    f->size = size;
    if (!f->path || !f->text) {
        facet_idl__oom(c);
        return NULL;
    }
    dot = strrchr(f->name, '.');
    f->stem = dot ? facet_idl__strndup(c->arena, f->name, (size_t)(dot - f->name)) : f->name;
    f->is_idl = dot && strcmp(dot, ".idl") == 0;
    f->c_header = f->is_idl ? facet_idl__printf(c->arena, "%s.h", f->stem) : f->name;
    facet_idl__vec_push(c->arena, &c->files, f);
    return f;
}

static int try_read(idl_ctx *c, const char *path, char **data, size_t *size, const char **reason)
{
    int rc;
    if (c->options.read_file)
        return c->options.read_file(path, data, size, reason, c->options.read_payload);
    rc = read_stdio(path, data, size, reason, c->mem);
    /* Running out of memory is not a file that cannot be read. */
    if (rc == READ_OUT_OF_MEMORY)
        facet_idl__oom(c);
    return rc;
}

/* Frees what try_read gave: the caller's read_file mallocs, read_stdio
 * uses the compilation's allocator. */
static void drop_read(idl_ctx *c, char *data)
{
    if (c->options.read_file)
        free(data);
    else
        facet_idl__free(c->mem, data);
}

idl_file *facet_idl__file_read(idl_ctx *c, const char *path)
{
    char *data = NULL;
    size_t size = 0;
    const char *reason = "unknown error";
    idl_file *f;
    if (try_read(c, path, &data, &size, &reason) != 0) {
        idl_file named; /* a diagnostic about the file as a whole */
        idl_loc none;
        memset(&named, 0, sizeof named);
        memset(&none, 0, sizeof none);
        named.path = path;
        none.file = &named;
        facet_idl__error(c, none, "cannot read '%s': %s", path, reason);
        return NULL;
    }
    f = facet_idl__file_new(c, path, data, size);
    drop_read(c, data);
    return f;
}

idl_file *facet_idl__open(idl_ctx *c, const char *name, const idl_file *from, idl_loc loc)
{
    const char *first_reason = NULL;
    size_t i, ndirs = c->options.include_dir_count + 1;
    for (i = 0; i < c->files.count; i++) {
        idl_file *f = c->files.items[i];
        if (strcmp(f->name, name) == 0)
            return f;
    }
    for (i = 0; i < ndirs; i++) {
        const char *dir;
        char *path, *data = NULL;
        size_t size = 0;
        const char *reason = NULL;
        idl_file *f;
        if (i == 0) {
            int has_dir = 0;
            size_t len = from ? facet__path_dirname_len(from->path, &has_dir) : 0;
            dir = has_dir ? facet_idl__strndup(c->arena, from->path, len) : NULL;
        } else {
            dir = c->options.include_dirs[i - 1];
        }
        path = dir ? facet_idl__printf(c->arena, "%s/%s", dir, name)
                   : facet_idl__strdup(c->arena, name);
        if (!path) {
            facet_idl__oom(c);
            return NULL;
        }
        if (try_read(c, path, &data, &size, &reason) != 0) {
            if (reason && strcmp(reason, "No such file or directory") != 0 && !first_reason)
                first_reason = facet_idl__printf(c->arena, "cannot read '%s': %s", path, reason);
            continue;
        }
        f = facet_idl__file_new(c, path, data, size);
        drop_read(c, data);
        return f;
    }
    if (first_reason)
        facet_idl__error(c, loc, "%s", first_reason);
    else
        facet_idl__error(c, loc, "cannot find '%s' in the importing file's folder or any -I folder",
                         name);
    return NULL;
}
