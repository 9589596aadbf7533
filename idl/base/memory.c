/*
 * util.c - arena, text buffers, vectors and the symbol table.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../tree/tree.h"

/* ---- Allocator --------------------------------------------------------- */

#if defined(_MSC_VER) && !defined(__clang__)
#define IDL_THREAD_LOCAL __declspec(thread)
#else
#define IDL_THREAD_LOCAL __thread
#endif

static IDL_THREAD_LOCAL const facet_idl_allocator *current_allocator;
/* Allocations that failed on this thread, ever: a compilation compares the
 * count at its start and end, so no failure goes unnoticed, even one that a
 * caller of the allocator did not check. */
static IDL_THREAD_LOCAL unsigned long failed_allocations;

unsigned long facet_idl__failed_allocations(void)
{
    return failed_allocations;
}

static void *noted(void *p)
{
    if (!p)
        failed_allocations++;
    return p;
}

const facet_idl_allocator *facet_idl__use_allocator(const facet_idl_allocator *a)
{
    const facet_idl_allocator *old = current_allocator;
    current_allocator = a;
    return old;
}

static void *alloc_with(const facet_idl_allocator *a, size_t size)
{
    return noted(a ? a->alloc(size, a->payload) : malloc(size));
}

static void free_with(const facet_idl_allocator *a, void *p)
{
    if (!p)
        return;
    if (a)
        a->release(p, a->payload);
    else
        free(p);
}

void *facet_idl__malloc(size_t size)
{
    return alloc_with(current_allocator, size);
}

void *facet_idl__realloc(void *p, size_t size)
{
    const facet_idl_allocator *a = current_allocator;
    return noted(a ? a->resize(p, size, a->payload) : realloc(p, size));
}

void facet_idl__free(void *p)
{
    free_with(current_allocator, p);
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
    const facet_idl_allocator *allocator; /* the one it was made with */
};

#define IDL_ALIGN 16u
#define IDL_CHUNK_HEADER (((sizeof(idl_chunk) + IDL_ALIGN - 1) / IDL_ALIGN) * IDL_ALIGN)

idl_arena *facet_idl__arena_new(void)
{
    idl_arena *a = facet_idl__malloc(sizeof(idl_arena));
    if (a) {
        a->head = NULL;
        a->allocator = current_allocator;
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
        free_with(a->allocator, c);
    }
    free_with(a->allocator, a);
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
        c = alloc_with(a->allocator, IDL_CHUNK_HEADER + cap);
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
    p = facet_idl__realloc(b->data, cap);
    if (!p) {
        b->failed = 1;
        return 0;
    }
    b->data = p;
    b->cap = cap;
    return 1;
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
    facet_idl__free(b->data);
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

/* ---- Symbol table: open addressing, keys and values in the arena -------- */

struct idl_sym {
    const char *key;
    void *value;
};

static size_t hash_str(const char *s)
{
    size_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

void *facet_idl__sym_get(const idl_symtab *t, const char *key)
{
    size_t i;
    if (!t->cap)
        return NULL;
    for (i = hash_str(key) & (t->cap - 1); t->slots[i].key; i = (i + 1) & (t->cap - 1))
        if (strcmp(t->slots[i].key, key) == 0)
            return t->slots[i].value;
    return NULL;
}

int facet_idl__sym_put(idl_ctx *c, idl_symtab *t, const char *key, void *value)
{
    size_t i;
    if ((t->count + 1) * 2 > t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 256, j;
        struct idl_sym *slots = facet_idl__alloc(c->arena, cap * sizeof(*slots));
        if (!slots) {
            facet_idl__oom(c);
            return 0;
        }
        for (j = 0; j < t->cap; j++) {
            if (!t->slots[j].key)
                continue;
            for (i = hash_str(t->slots[j].key) & (cap - 1); slots[i].key; i = (i + 1) & (cap - 1))
                ;
            slots[i] = t->slots[j];
        }
        t->slots = slots;
        t->cap = cap;
    }
    for (i = hash_str(key) & (t->cap - 1); t->slots[i].key; i = (i + 1) & (t->cap - 1)) {
        if (strcmp(t->slots[i].key, key) == 0) {
            t->slots[i].value = value;
            return 1;
        }
    }
    t->slots[i].key = key;
    t->slots[i].value = value;
    t->count++;
    return 1;
}
