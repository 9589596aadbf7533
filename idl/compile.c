/*
 * compile.c - one compilation: files, diagnostics, outputs.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "idl.h"

struct facet_idl_result {
    facet_idl_allocator allocator; /* a copy of the one it was allocated with */
    int has_allocator;             /* 0: malloc and free */
    idl_arena *arena;      /* the diagnostics' text */
    facet_idl_diag *diags;
    size_t diag_count, diag_cap, error_count;
    facet_idl_output outputs[4];
    size_t output_count;
    facet_idl_interface *itfs; /* in arena */
    size_t itf_count;
};

/* ---- Diagnostics ------------------------------------------------------- */

static void add_diag(idl_ctx *c, uint32_t severity, idl_loc loc, const char *fmt, va_list ap)
{
    facet_idl_result *r = c->result;
    facet_idl_diag *d;
    char msg[1024];
    vsnprintf(msg, sizeof msg, fmt, ap);
    if (severity == FACET_IDL_ERROR) {
        c->error_count++;
        r->error_count++;
    }
    if (r->diag_count == r->diag_cap) {
        size_t cap = r->diag_cap ? r->diag_cap * 2 : 8;
        facet_idl_diag *p = facet_idl__realloc(r->diags, cap * sizeof(*p));
        if (!p) {
            c->out_of_memory = 1;
            return;
        }
        r->diags = p;
        r->diag_cap = cap;
    }
    d = &r->diags[r->diag_count];
    memset(d, 0, sizeof(*d));
    d->severity = severity;
    d->file = loc.file ? facet_idl__strdup(r->arena, loc.file->path) : "facet-idl";
    d->line = loc.line;
    d->column = loc.col;
    d->message = facet_idl__strdup(r->arena, msg);
    if (loc.file && loc.line && loc.file->text) {
        const char *s = loc.file->text + loc.offset, *e = s;
        while (*e && *e != '\n' && *e != '\r')
            e++;
        d->source_line = facet_idl__strndup(r->arena, s, (size_t)(e - s));
    }
    if (!d->file || !d->message)
        c->out_of_memory = 1;
    else
        r->diag_count++;
}

void facet_idl__error(idl_ctx *c, idl_loc loc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    add_diag(c, FACET_IDL_ERROR, loc, fmt, ap);
    va_end(ap);
}

void facet_idl__warning(idl_ctx *c, idl_loc loc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    add_diag(c, FACET_IDL_WARNING, loc, fmt, ap);
    va_end(ap);
}

void facet_idl__note(idl_ctx *c, idl_loc loc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    add_diag(c, FACET_IDL_NOTE, loc, fmt, ap);
    va_end(ap);
}

int facet_idl__failed(const idl_ctx *c)
{
    return c->error_count > 0 || c->out_of_memory;
}

void facet_idl__oom(idl_ctx *c)
{
    c->out_of_memory = 1;
}

/* ---- Files ------------------------------------------------------------- */

/* read_stdio's result when the compilation's allocator ran out. */
#define READ_OUT_OF_MEMORY 2

static int read_stdio(const char *path, char **out, size_t *out_size, const char **reason,
                      void *payload)
{
    FILE *f;
    char *data = NULL;
    size_t len = 0, cap = 0, n;
    (void)payload;
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
            p = facet_idl__realloc(data, cap);
            if (!p) {
                facet_idl__free(data);
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
        facet_idl__free(data);
        fclose(f);
        return -1;
    }
    fclose(f);
    *out = data;
    *out_size = len;
    return 0;
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
#ifdef _WIN32
    const char *b = strrchr(path, '\\');
    if (b && (!s || b > s))
        s = b;
#endif
    return s ? s + 1 : path;
}

static idl_file *new_file(idl_ctx *c, const char *path, const char *text, size_t size)
{
    idl_file *f = facet_idl__alloc(c->arena, sizeof(*f));
    const char *dot;
    if (!f)
        return NULL;
    f->path = facet_idl__strdup(c->arena, path);
    f->name = f->path ? base_name(f->path) : NULL;
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
    facet_idl_read_fn fn = c->opts->read_file ? c->opts->read_file : read_stdio;
    int rc = fn(path, data, size, reason, c->opts->read_payload);
    /* Running out of memory is not a file that cannot be read. */
    if (fn == read_stdio && rc == READ_OUT_OF_MEMORY)
        facet_idl__oom(c);
    return rc;
}

/* Frees what try_read gave: the caller's read_file mallocs, read_stdio
 * uses the compilation's allocator. */
static void drop_read(idl_ctx *c, char *data)
{
    if (c->opts->read_file)
        free(data);
    else
        facet_idl__free(data);
}

idl_file *facet_idl__open(idl_ctx *c, const char *name, const idl_file *from, idl_loc loc,
                          int must_be_idl)
{
    const char *first_reason = NULL;
    size_t i, ndirs = c->opts->include_dir_count + 1;
    (void)must_be_idl;
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
            if (!from || base_name(from->path) == from->path)
                dir = NULL;
            else
                dir = facet_idl__strndup(c->arena, from->path,
                                         (size_t)(base_name(from->path) - from->path - 1));
        } else {
            dir = c->opts->include_dirs[i - 1];
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
        f = new_file(c, path, data, size);
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

/* ---- The compilation --------------------------------------------------- */

/* Keeps each interface with a uuid for facet_idl_interface_at. */
static void keep_interfaces(idl_ctx *c, facet_idl_result *r)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t i;
    r->itfs = facet_idl__alloc(r->arena, (c->iids.count ? c->iids.count : 1) * sizeof(*r->itfs));
    if (!r->itfs) {
        c->out_of_memory = 1;
        return;
    }
    for (i = 0; i < c->iids.count; i++) {
        const idl_decl *d = c->iids.items[i];
        facet_idl_interface *itf = &r->itfs[r->itf_count];
        char text[40];
        int b, k = 0;
        text[k++] = '{';
        for (b = 0; b < 16; b++) {
            if (b == 4 || b == 6 || b == 8 || b == 10)
                text[k++] = '-';
            text[k++] = hex[d->guid[b] >> 4];
            text[k++] = hex[d->guid[b] & 15];
        }
        text[k++] = '}';
        text[k] = '\0';
        itf->name = facet_idl__strdup(r->arena, facet_idl__decl_c_name(d));
        itf->iid = facet_idl__strdup(r->arena, text);
        itf->file = facet_idl__strdup(r->arena, d->file && d->file->path ? d->file->path : "");
        if (!itf->name || !itf->iid || !itf->file) {
            c->out_of_memory = 1;
            return;
        }
        r->itf_count++;
    }
}

static int finish(idl_ctx *c, idl_file *main_file, facet_idl_result **out)
{
    /* X.h first; then X_typeinfo.c for C, or the Go package for Go. */
    static const char *const names[2][4] = {{"%s.h", "%s_typeinfo.c", NULL, NULL},
                                            {"%s.h", "%s.go", "%s_export.go", "%s_glue.c"}};
    facet_idl_result *r = c->result;
    int go = c->opts->lang == FACET_IDL_LANG_GO;
    size_t n = go ? 4 : 2;
    idl_buf bufs[4];
    size_t i;
    memset(bufs, 0, sizeof bufs);
    if (main_file && !facet_idl__failed(c)) {
        facet_idl__check_done(c);
        facet_idl__emit_header(c, main_file, &bufs[0]);
        if (go)
            facet_idl__emit_go(c, main_file, &bufs[1], &bufs[2], &bufs[3]);
        else
            facet_idl__emit_typeinfo(c, main_file, &bufs[1]);
        for (i = 0; i < n; i++)
            if (bufs[i].failed)
                c->out_of_memory = 1;
    }
    if (!facet_idl__failed(c) && main_file) {
        for (i = 0; i < n; i++) {
            r->outputs[i].name = facet_idl__printf(r->arena, names[go][i], main_file->stem);
            r->outputs[i].data = facet_idl__strndup(r->arena, bufs[i].data ? bufs[i].data : "",
                                                    bufs[i].len);
            r->outputs[i].size = bufs[i].len;
            if (!r->outputs[i].name || !r->outputs[i].data)
                c->out_of_memory = 1;
        }
        r->output_count = c->out_of_memory ? 0 : n;
        keep_interfaces(c, r);
    }
    for (i = 0; i < 4; i++)
        facet_idl__buf_free(&bufs[i]);
    if (facet_idl__failed_allocations() != c->failed_at_start)
        c->out_of_memory = 1;
    facet_idl__arena_free(c->arena);
    facet_idl__use_allocator(c->saved_allocator);
    if (c->out_of_memory) {
        facet_idl_result_free(r);
        *out = NULL;
        return -1;
    }
    *out = r;
    return r->error_count ? 1 : 0;
}

static int start(idl_ctx *c, const facet_idl_options *options, facet_idl_result **out)
{
    static const facet_idl_options defaults = FACET_IDL_OPTIONS_INIT;
    memset(c, 0, sizeof(*c));
    *out = NULL;
    /* Read the caller's options only as far as its struct_size says. */
    c->options = defaults;
    if (options && options->struct_size > sizeof(uint32_t))
        memcpy(&c->options, options,
               options->struct_size < sizeof(c->options) ? options->struct_size
                                                         : sizeof(c->options));
    c->options.struct_size = sizeof(c->options);
    c->opts = &c->options;
    c->saved_allocator = facet_idl__use_allocator(c->options.allocator);
    c->failed_at_start = facet_idl__failed_allocations();
    c->result = facet_idl__malloc(sizeof(facet_idl_result));
    if (c->result) {
        memset(c->result, 0, sizeof(*c->result));
        if (c->options.allocator) {
            /* The result outlives the caller's struct: it uses its copy. */
            c->result->allocator = *c->options.allocator;
            c->result->has_allocator = 1;
            facet_idl__use_allocator(&c->result->allocator);
        }
        c->result->arena = facet_idl__arena_new();
    }
    c->arena = facet_idl__arena_new();
    if (!c->result || !c->arena || !c->result->arena) {
        facet_idl__arena_free(c->arena);
        facet_idl_result_free(c->result);
        facet_idl__use_allocator(c->saved_allocator);
        return -1;
    }
    facet_idl__types_init(c);
    return 0;
}

int facet_idl_compile_text(facet_idl_result **out, const char *name, const char *text,
                           size_t size, const facet_idl_options *options)
{
    idl_ctx c;
    idl_file *f;
    if (!out)
        return -1;
    if (start(&c, options, out) != 0)
        return -1;
    f = new_file(&c, name ? name : "input.idl", text ? text : "", text ? size : 0);
    c.main_file = f;
    if (f)
        facet_idl__parse_file(&c, f);
    return finish(&c, f, out);
}

int facet_idl_compile(facet_idl_result **out, const char *path,
                      const facet_idl_options *options)
{
    idl_ctx c;
    idl_file *f = NULL;
    char *data = NULL;
    size_t size = 0;
    const char *reason = "unknown error";
    idl_loc none;
    if (!out)
        return -1;
    if (start(&c, options, out) != 0)
        return -1;
    memset(&none, 0, sizeof none);
    if (try_read(&c, path, &data, &size, &reason) != 0) {
        idl_file named; /* a diagnostic about the file as a whole */
        memset(&named, 0, sizeof named);
        named.path = path;
        none.file = &named;
        facet_idl__error(&c, none, "cannot read '%s': %s", path, reason);
    } else {
        f = new_file(&c, path, data, size);
        drop_read(&c, data);
        c.main_file = f;
        if (f)
            facet_idl__parse_file(&c, f);
    }
    return finish(&c, f, out);
}

size_t facet_idl_diag_count(const facet_idl_result *r)
{
    return r ? r->diag_count : 0;
}

const facet_idl_diag *facet_idl_diag_at(const facet_idl_result *r, size_t i)
{
    return r && i < r->diag_count ? &r->diags[i] : NULL;
}

size_t facet_idl_error_count(const facet_idl_result *r)
{
    return r ? r->error_count : 0;
}

size_t facet_idl_output_count(const facet_idl_result *r)
{
    return r ? r->output_count : 0;
}

const facet_idl_output *facet_idl_output_at(const facet_idl_result *r, size_t i)
{
    return r && i < r->output_count ? &r->outputs[i] : NULL;
}

size_t facet_idl_interface_count(const facet_idl_result *r)
{
    return r ? r->itf_count : 0;
}

const facet_idl_interface *facet_idl_interface_at(const facet_idl_result *r, size_t i)
{
    return r && i < r->itf_count ? &r->itfs[i] : NULL;
}

void facet_idl_result_free(facet_idl_result *r)
{
    const facet_idl_allocator *saved;
    if (!r)
        return;
    saved = facet_idl__use_allocator(r->has_allocator ? &r->allocator : NULL);
    facet_idl__arena_free(r->arena);
    facet_idl__free(r->diags);
    facet_idl__free(r);
    facet_idl__use_allocator(saved);
}

size_t facet_idl_diag_format(const facet_idl_diag *d, char *buf, size_t size)
{
    static const char *const names[] = {"error", "warning", "note"};
    const char *sev = d->severity < 3 ? names[d->severity] : "error";
    idl_buf b;
    size_t need;
    memset(&b, 0, sizeof b);
    if (d->line)
        facet_idl__buf_printf(&b, "%s:%u:%u: %s: %s\n", d->file, (unsigned)d->line,
                              (unsigned)d->column, sev, d->message);
    else
        facet_idl__buf_printf(&b, "%s: %s: %s\n", d->file, sev, d->message);
    if (d->source_line) {
        char num[16];
        int w = snprintf(num, sizeof num, "%u", (unsigned)d->line);
        uint32_t i;
        facet_idl__buf_printf(&b, " %s | %s\n %*s | ", num, d->source_line, w, "");
        for (i = 1; i < d->column && d->source_line[i - 1]; i++)
            facet_idl__buf_putn(&b, d->source_line[i - 1] == '\t' ? "\t" : " ", 1);
        facet_idl__buf_puts(&b, "^\n");
    }
    need = b.len;
    if (size) {
        size_t n = need < size - 1 ? need : size - 1;
        if (b.data)
            memcpy(buf, b.data, n);
        buf[n] = '\0';
    }
    facet_idl__buf_free(&b);
    return need;
}
