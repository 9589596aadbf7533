/*
 * memory.c - a compilation's allocator, its arena, text buffers and vectors.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base.h"

/* ---- Allocator --------------------------------------------------------- */

static void *std_alloc(size_t size, void *payload)
{
    (void)payload;
    return malloc(size);
}

static void *std_resize(void *p, size_t size, void *payload)
{
    (void)payload;
    return realloc(p, size);
}

static void std_release(void *p, void *payload)
{
    (void)payload;
    free(p);
}

const facet_idl_allocator facet_idl__malloc_allocator = {std_alloc, std_resize, std_release, NULL};

static void *noted(idl_mem *m, void *p)
{
    if (!p)
        m->failed++;
    return p;
}

void *facet_idl__malloc(idl_mem *m, size_t size)
{
    return noted(m, m->allocator->alloc(size, m->allocator->payload));
}

void *facet_idl__realloc(idl_mem *m, void *p, size_t size)
{
    return noted(m, m->allocator->resize(p, size, m->allocator->payload));
}

void facet_idl__free(idl_mem *m, void *p)
{
    if (p)
        m->allocator->release(p, m->allocator->payload);
}

/* ---- Arena ------------------------------------------------------------- */

typedef struct idl_chunk {
    struct idl_chunk *next;
    size_t used;
    size_t cap;
    /* followed by cap bytes, aligned for any type */
} idl_chunk;

struct idl_arena {
    idl_chunk *head;
    idl_mem *mem;
};

#define IDL_ALIGN 16u
#define IDL_CHUNK_HEADER (((sizeof(idl_chunk) + IDL_ALIGN - 1) / IDL_ALIGN) * IDL_ALIGN)

idl_arena *facet_idl__arena_new(idl_mem *m)
{
    idl_arena *a = facet_idl__malloc(m, sizeof(idl_arena));
    if (a) {
        a->head = NULL;
        a->mem = m;
    }
    return a;
}

void facet_idl__arena_free(idl_arena *a)
{
    idl_chunk *c, *next;
    if (!a)
        return;
    for (c = a->head; c; c = next) {
        next = c->next;
        facet_idl__free(a->mem, c);
    }
    facet_idl__free(a->mem, a);
}

void *facet_idl__alloc(idl_arena *a, size_t size)
{
    idl_chunk *c = a->head;
    void *p;
    size = (size + IDL_ALIGN - 1) / IDL_ALIGN * IDL_ALIGN;
    if (size == 0)
        size = IDL_ALIGN;
    if (!c || c->cap - c->used < size) {
        size_t cap = size > 65536 ? size : 65536;
        c = facet_idl__malloc(a->mem, IDL_CHUNK_HEADER + cap);
        if (!c)
            return NULL;
        c->cap = cap;
        c->used = 0;
        c->next = a->head;
        a->head = c;
    }
    p = (char *)c + IDL_CHUNK_HEADER + c->used;
    c->used += size;
    memset(p, 0, size);
    return p;
}
char *facet_idl__strndup(idl_arena *a, const char *s, size_t n)
{
    char *p = facet_idl__alloc(a, n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

char *facet_idl__strdup(idl_arena *a, const char *s)
{
    return facet_idl__strndup(a, s, strlen(s));
}

char *facet_idl__printf(idl_arena *a, const char *fmt, ...)
{
    va_list ap;
    int n;
    char *p;
    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return NULL;
    p = facet_idl__alloc(a, (size_t)n + 1);
    if (!p)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

/* ---- Buffers ----------------------------------------------------------- */

static int buf_reserve(idl_buf *b, size_t more)
{
    size_t cap;
    char *p;
    if (b->failed)
        return 0;
    if (b->len + more + 1 <= b->cap)
        return 1;
    cap = b->cap ? b->cap : 256;
    while (cap < b->len + more + 1)
        cap *= 2;
    p = facet_idl__realloc(b->mem, b->data, cap);
    if (!p) {
        b->failed = 1;
        return 0;
    }
    b->data = p;
    b->cap = cap;
    return 1;
}

void facet_idl__buf_init(idl_buf *b, idl_mem *m)
{
    memset(b, 0, sizeof(*b));
    b->mem = m;
}

void facet_idl__buf_putn(idl_buf *b, const char *s, size_t n)
{
    if (!buf_reserve(b, n))
        return;
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void facet_idl__buf_puts(idl_buf *b, const char *s)
{
    facet_idl__buf_putn(b, s, strlen(s));
}

void facet_idl__buf_vprintf(idl_buf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    int n;
    va_copy(ap2, ap);
    n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0 || !buf_reserve(b, (size_t)n))
        return;
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
}

void facet_idl__buf_printf(idl_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    facet_idl__buf_vprintf(b, fmt, ap);
    va_end(ap);
}

void facet_idl__write_line(idl_buf *b, int indent, const char *fmt, ...)
{
    va_list ap;
    int i;
    for (i = 0; i < indent; i++)
        facet_idl__buf_puts(b, "    ");
    va_start(ap, fmt);
    facet_idl__buf_vprintf(b, fmt, ap);
    va_end(ap);
    facet_idl__buf_puts(b, "\n");
}

void facet_idl__buf_free(idl_buf *b)
{
    facet_idl__free(b->mem, b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

/* ---- Vectors ----------------------------------------------------------- */

int facet_idl__vec_push(idl_arena *a, idl_vec *v, void *item)
{
    if (v->count == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 8;
        void **items = facet_idl__alloc(a, cap * sizeof(void *));
        if (!items)
            return 0;
        if (v->count)
            memcpy(items, v->items, v->count * sizeof(void *));
        v->items = items;
        v->cap = cap;
    }
    v->items[v->count++] = item;
    return 1;
}

