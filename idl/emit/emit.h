/*
 * emit.h - the outputs, one file each, written from the checked tree.
 *
 * header.c writes X.h (the C and C++ declarations), typeinfo.c writes
 * X_typeinfo.c (the tables of <facet/typeinfo.h>); common.c holds what
 * both write the same way. Types are written with the C writer of the
 * tree (tree.h), each line with facet_idl__write_line.
 */
#ifndef FACET_IDL_EMIT_H
#define FACET_IDL_EMIT_H

#include "../sema/sema.h"

/* Fill out with the text of one output of f. */
void facet_idl__emit_header(idl_sema *s, const idl_file *f, idl_buf *out);
void facet_idl__emit_typeinfo(idl_sema *s, const idl_file *f, idl_buf *out);

/* ---- common.c ------------------------------------------------------------- */

/* The file's stem as a C identifier: "d3d11" -> "d3d11", "my-api" -> "my_api". */
const char *facet_idl__symbol_stem(idl_ctx *c, const idl_file *f);

#endif /* FACET_IDL_EMIT_H */
