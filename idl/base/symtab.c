/*
 * symtab.c - a table from strings to pointers: open addressing, keys and
 * values in the arena.
 */
#include <string.h>

#include "base.h"

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
