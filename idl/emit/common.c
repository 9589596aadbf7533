/*
 * common.c - what the header and the type info write the same way.
 */
#include "emit.h"

const char *facet_idl__symbol_stem(idl_ctx *c, const idl_file *f)
{
    char *s = facet_idl__strdup(c->arena, f->stem);
    size_t i;
    if (!s)
        return "input";
    for (i = 0; s[i]; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
              (s[i] >= '0' && s[i] <= '9')))
            s[i] = '_';
    return s;
}
