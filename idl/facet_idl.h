/*
 * facet_idl.h - the Facet IDL compiler as a library.
 *
 * The compiler reads a MIDL-compatible .idl file (and what it imports),
 * checks it, and produces its outputs in memory: X.h (C and C++
 * declarations) and X_typeinfo.c (a data description of every interface,
 * see <facet/typeinfo.h>); for Go (FACET_IDL_LANG_GO), X.h and the Go
 * package X.go, X_export.go and X_glue.c (docs/go.md). It keeps no global state, never exits and never
 * writes a file: the caller decides what to do with the outputs and with the
 * diagnostics, each of which names file:line:column and carries the source
 * line it points into. facet-idl (idl/main.c) is a thin command over it.
 */
#ifndef FACET_IDL_H
#define FACET_IDL_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define FACET_IDL_VERSION "0.1.0"

/* Reads a whole file. Returns 0 and a malloc'd buffer (freed by the caller)
 * in *out / *out_size, or nonzero with a human reason in *reason (a static
 * string) when the file cannot be read. */
typedef int (*facet_idl_read_fn)(const char *path, char **out, size_t *out_size,
                                 const char **reason, void *payload);

/* Where a compilation gets its memory: every block the compiler allocates
 * for the compilation and for its result (which keeps a copy of this
 * struct, so payload must outlive the result). alloc and resize return NULL when out
 * of memory; the compiler then stops and returns -1, with nothing leaked.
 * resize(NULL, n) allocates; release(NULL) does nothing. Buffers that a
 * read_file callback returns are still malloc'd and freed with free(). */
typedef struct facet_idl_allocator {
    void *(*alloc)(size_t size, void *payload);
    void *(*resize)(void *p, size_t size, void *payload);
    void (*release)(void *p, void *payload);
    void *payload;
} facet_idl_allocator;

typedef struct facet_idl_options {
    uint32_t struct_size;             /* sizeof(facet_idl_options); fields past it are not read */
    const char *const *include_dirs;  /* searched, in order, for import and #include */
    size_t include_dir_count;
    facet_idl_read_fn read_file;      /* NULL: read from the file system */
    void *read_payload;               /* passed to read_file */
    const facet_idl_allocator *allocator; /* NULL: malloc, realloc and free */
    uint32_t lang;                    /* FACET_IDL_LANG_*: which outputs */
} facet_idl_options;

#define FACET_IDL_LANG_C 0u  /* X.h and X_typeinfo.c */
#define FACET_IDL_LANG_GO 1u /* X.h, X.go, X_export.go and X_glue.c */
#define FACET_IDL_LANG_MANIFEST 2u /* X_classes.json: the coclasses as a manifest's classes */

#define FACET_IDL_OPTIONS_INIT {sizeof(facet_idl_options), NULL, 0, NULL, NULL, NULL, FACET_IDL_LANG_C}

#define FACET_IDL_ERROR 0u
#define FACET_IDL_WARNING 1u
#define FACET_IDL_NOTE 2u

typedef struct facet_idl_diag {
    uint32_t severity;    /* FACET_IDL_ERROR, _WARNING or _NOTE */
    const char *file;     /* as named on the command line or found on the path */
    uint32_t line;        /* 1-based; 0 when the diagnostic has no position */
    uint32_t column;      /* 1-based, in bytes */
    const char *message;  /* "expected ';', found 'interface'" */
    const char *source_line; /* the line, without its newline; NULL if none */
} facet_idl_diag;

typedef struct facet_idl_output {
    const char *name;     /* file name without a folder: "greeter.h" */
    const char *data;     /* NUL-terminated */
    size_t size;          /* bytes, without the NUL */
} facet_idl_output;

typedef struct facet_idl_result facet_idl_result;

/* Compiles path. Returns 0 when there are no errors; 1 when there are, in
 * which case there are no outputs; -1 when out of memory. *out is always set
 * (NULL only when out of memory) and freed with facet_idl_result_free. */
int facet_idl_compile(facet_idl_result **out, const char *path,
                      const facet_idl_options *options);

/* The same for text held in memory, named name (used in diagnostics and for
 * the output names). Imports are read with options->read_file. */
int facet_idl_compile_text(facet_idl_result **out, const char *name, const char *text,
                           size_t size, const facet_idl_options *options);

size_t facet_idl_diag_count(const facet_idl_result *r);
const facet_idl_diag *facet_idl_diag_at(const facet_idl_result *r, size_t i);
size_t facet_idl_error_count(const facet_idl_result *r);
size_t facet_idl_output_count(const facet_idl_result *r);
const facet_idl_output *facet_idl_output_at(const facet_idl_result *r, size_t i);
void facet_idl_result_free(facet_idl_result *r);

/* An interface the compilation saw, in the file or in what it imports,
 * for a caller that names interfaces by their IIDs (facet validate --idl).
 * Strings live as long as the result. */
typedef struct facet_idl_interface {
    const char *name;     /* as in C: "IWidgetPing" (IUnknown is "IFacetUnknown") */
    const char *iid;      /* "{5A1D6E70-4C1B-4F0E-9A57-3B8D2C61E001}" */
    const char *file;     /* the file that declares it */
} facet_idl_interface;

/* The interfaces with a uuid, of a compilation without errors. */
size_t facet_idl_interface_count(const facet_idl_result *r);
const facet_idl_interface *facet_idl_interface_at(const facet_idl_result *r, size_t i);

/* Formats d as a compiler does:
 *   file:line:column: error: message
 *    12 |     HRESULT Greet([in] size_t n);
 *       |                        ^
 * into buf (always NUL-terminated when size > 0). Returns the length the
 * whole text needs, as snprintf does. */
size_t facet_idl_diag_format(const facet_idl_diag *d, char *buf, size_t size);

#ifdef __cplusplus
}
#endif

#endif /* FACET_IDL_H */
