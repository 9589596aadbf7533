/*
 * diag.c - diagnostics: collected for the result, formatted as a compiler
 * prints them.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base.h"

static void add_diag(idl_ctx *c, uint32_t severity, idl_loc loc, const char *fmt, va_list ap)
{
    idl_diags *r = c->diags;
    facet_idl_diag *d;
    char msg[1024];
    vsnprintf(msg, sizeof msg, fmt, ap);
    if (severity == FACET_IDL_ERROR)
        r->errors++;
    if (r->count == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 8;
        facet_idl_diag *p = facet_idl__realloc(c->mem, r->items, cap * sizeof(*p));
        if (!p) {
            c->out_of_memory = 1;
            return;
        }
        r->items = p;
        r->cap = cap;
    }
    d = &r->items[r->count];
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
        r->count++;
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

int facet_idl__failed(const idl_ctx *c)
{
    return c->diags->errors > 0 || c->out_of_memory;
}

void facet_idl__oom(idl_ctx *c)
{
    c->out_of_memory = 1;
}

size_t facet_idl_diag_format(const facet_idl_diag *d, char *buf, size_t size)
{
    static const char *const names[] = {"error", "warning", "note"};
    const char *sev = d->severity < 3 ? names[d->severity] : "error";
    idl_mem mem = {&facet_idl__malloc_allocator, 0};
    idl_buf b;
    size_t need;
    facet_idl__buf_init(&b, &mem);
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
