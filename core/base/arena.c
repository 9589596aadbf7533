/*
 * core/base/arena.c - a bump allocator for the many small strings and arrays of
 * one parsed manifest or config, freed together in one walk.
 */
#include <string.h>

#include "base.h"

typedef struct FacetArenaChunk {
    struct FacetArenaChunk *next;
    size_t used, cap;
    /* data follows, aligned for any type */
} FacetArenaChunk;

#define ARENA_ALIGN 16u
#define ARENA_HEADER ((sizeof(FacetArenaChunk) + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1))
#define ARENA_CHUNK 2048u

void *facet__arena_alloc(FacetArena *a, size_t size)
{
    FacetArenaChunk *c = a->chunks;
    size = (size + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
    if (size == 0)
        size = ARENA_ALIGN;
    if (c == NULL || c->cap - c->used < size) {
        size_t chunk = a->chunk_size ? a->chunk_size : ARENA_CHUNK;
        size_t cap = size > chunk ? size : chunk;
        c = facet__malloc(ARENA_HEADER + cap);
        if (c == NULL)
            return NULL;
        c->cap = cap;
        c->used = 0;
        c->next = a->chunks;
        a->chunks = c;
    }
    c->used += size;
    return (char *)c + ARENA_HEADER + c->used - size;
}

int facet__arena_reserve(FacetArena *a, size_t size)
{
    FacetArenaChunk *c;
    if (a->chunks != NULL)
        return 1;
    c = facet__malloc(ARENA_HEADER + size);
    if (c == NULL)
        return 0;
    c->cap = size;
    c->used = 0;
    c->next = NULL;
    a->chunks = c;
    return 1;
}

FacetArenaMark facet__arena_mark(const FacetArena *a)
{
    FacetArenaMark m;
    m.chunk = a->chunks;
    m.used = a->chunks ? a->chunks->used : 0;
    return m;
}

void facet__arena_rollback(FacetArena *a, FacetArenaMark mark)
{
    while (a->chunks != NULL && a->chunks != mark.chunk) {
        FacetArenaChunk *c = a->chunks;
        a->chunks = c->next;
        facet__free(c);
    }
    if (a->chunks != NULL)
        a->chunks->used = mark.used;
}

char *facet__arena_strdup(FacetArena *a, const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = facet__arena_alloc(a, n);
    if (p != NULL)
        memcpy(p, s, n);
    return p;
}

void facet__arena_free(FacetArena *a)
{
    FacetArenaChunk *c = a->chunks, *next;
    for (; c != NULL; c = next) {
        next = c->next;
        facet__free(c);
    }
    a->chunks = NULL;
}
