/*
 * emit.h - the outputs, one file each, written from the checked tree.
 *
 * header.c writes X.h (the C and C++ declarations), typeinfo.c writes
 * X_typeinfo.c (the tables of <facet/typeinfo.h>), go.c the Go package of
 * --lang go (X.go, X_export.go and X_glue.c); common.c holds what they
 * write the same way. A new output is an idl_emit_fn here, declared
 * below. Types are written with the C writer of the
 * tree (tree.h), each line with facet_idl__write_line.
 */
#ifndef FACET_IDL_EMIT_H
#define FACET_IDL_EMIT_H

#include "../sema/sema.h"

/* An emitter fills out with the text of one output of f, from the checked
 * tree; it may report errors (facet_idl__error) on what its output cannot
 * express. Each has a row in compile.c's table of outputs of its language. */
typedef void (*idl_emit_fn)(idl_sema *s, const idl_file *f, idl_buf *out);

/* One output: its name, a format with the file's stem ("%s.h"), and the
 * emitter that writes it. */
typedef struct idl_emitter {
    const char *name;
    idl_emit_fn emit;
} idl_emitter;

void facet_idl__emit_header(idl_sema *s, const idl_file *f, idl_buf *out);
void facet_idl__emit_typeinfo(idl_sema *s, const idl_file *f, idl_buf *out);
/* The Go package (go.c): X.go, the Go types and references; X_export.go,
 * the Go side of Go objects' vtables; X_glue.c, their C side. */
void facet_idl__emit_go(idl_sema *s, const idl_file *f, idl_buf *out);
void facet_idl__emit_go_export(idl_sema *s, const idl_file *f, idl_buf *out);
void facet_idl__emit_go_glue(idl_sema *s, const idl_file *f, idl_buf *out);

/* ---- common.c ------------------------------------------------------------- */

/* The file's stem as a C identifier: "d3d11" -> "d3d11", "my-api" -> "my_api". */
const char *facet_idl__symbol_stem(idl_ctx *c, const idl_file *f);

#endif /* FACET_IDL_EMIT_H */
