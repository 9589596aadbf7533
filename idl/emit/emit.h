/*
 * emit.h - the outputs, one file each, written from the checked tree.
 *
 * header.c writes X.h (the C and C++ declarations), typeinfo.c writes
 * X_typeinfo.c (the tables of <facet/typeinfo.h>), go.c the Go package of
 * --lang go (X.go, X_export.go and X_glue.c), classes.c the coclasses of
 * --lang manifest (X_classes.json); common.c holds what they
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
/* The proxies and stubs (proxy.c): X_ps.c, the tables of
 * <facet/proxystub.h>. */
void facet_idl__emit_proxy(idl_sema *s, const idl_file *f, idl_buf *out);
/* The Go package (go.c): X.go, the Go types and references; X_export.go,
 * the Go side of Go objects' vtables; X_glue.c, their C side. */
void facet_idl__emit_go(idl_sema *s, const idl_file *f, idl_buf *out);
void facet_idl__emit_go_export(idl_sema *s, const idl_file *f, idl_buf *out);
void facet_idl__emit_go_glue(idl_sema *s, const idl_file *f, idl_buf *out);
/* The coclasses as a manifest's classes (classes.c): X_classes.json. */
void facet_idl__emit_classes(idl_sema *s, const idl_file *f, idl_buf *out);

/* ---- common.c ------------------------------------------------------------- */

/* The file's stem as a C identifier: "d3d11" -> "d3d11", "my-api" -> "my_api". */
const char *facet_idl__symbol_stem(idl_ctx *c, const idl_file *f);

/* A FacetGuid initializer: {0x..., 0x..., 0x..., {0x..., ...}}. */
void facet_idl__guid_init(idl_buf *b, const uint8_t g[16]);

/* Writes a GUID constant into out, named <prefix>_guid_<n> (n counts up
 * in *counter), and returns its name, for tables to point at. */
const char *facet_idl__guid_const(idl_ctx *c, idl_buf *out, const char *prefix, int *counter,
                                  const uint8_t g[16]);
/* Where item is in v, or -1. */
int facet_idl__index_of(const idl_vec *v, const void *item);

/* What a type finally is, after its typedefs and pointers. */
typedef struct idl_tref {
    uint32_t kind;            /* FACET_TI_* */
    uint32_t level;           /* pointer levels ('*', and [] without a size) */
    uint32_t flags;           /* FACET_TI_STRING from a typedef, FACET_TI_ARRAY, FACET_TI_CONST */
    uint32_t array_length;    /* FACET_TI_ARRAY: elements of a fixed array */
    const idl_type *bottom;   /* what the pointers point at */
    const idl_decl *itf;      /* FACET_TI_INTERFACE: which */
} idl_tref;
idl_tref facet_idl__describe(const idl_type *t);
/* FACET_TI_* of a base type (B_*). */
uint32_t facet_idl__builtin_kind(int builtin);

/* The C vtable member of slot i of all (the methods in vtable order,
 * facet_idl__vtable). C has no overloads: a method named like one before
 * it (a C++ overload, as in dwrite.idl) is Owner_Name, as widl names it;
 * with owner NULL, such a method is "". */
const char *facet_idl__member_name(idl_ctx *c, const idl_vec *all, size_t i,
                                   const idl_decl *owner);

#endif /* FACET_IDL_EMIT_H */
