/*
 * base.h - the base of the Facet IDL compiler: memory, diagnostics, source
 * files and GUID text, which every other layer uses.
 *
 * The layers, each using only those before it:
 *   base/   memory, diagnostics, source files, GUID text
 *   tree/   the tree of declarations, and how its types are written in C
 *   front/  lexer, preprocessor and parser: text to tree
 *   sema/   names, type rules and the ABI rules: checks the tree
 *   emit/   one file per output, from the checked tree
 * compile.c drives one compilation through them; main.c is the command.
 *
 * A compilation keeps all it needs in its context (idl_ctx) and nothing in
 * globals: its memory comes from the allocator in the context, and its
 * nodes from one arena that goes with the compilation.
 */
#ifndef FACET_IDL_BASE_H
#define FACET_IDL_BASE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "facet_idl.h"

#if defined(__MINGW32__)
#define IDL_PRINTF(f, a) __attribute__((format(gnu_printf, f, a)))
#elif defined(__GNUC__) || defined(__clang__)
#define IDL_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define IDL_PRINTF(f, a)
#endif

/* Nesting of imports, declarators, expressions and checks, to stop stack
 * exhaustion. */
#define IDL_MAX_DEPTH 200

typedef struct idl_ctx idl_ctx;

/* ---- Memory ------------------------------------------------------------ */

/* Where a compilation's memory comes from: the caller's allocator
 * (facet_idl_options.allocator), or malloc, realloc and free. Every
 * allocation that fails is counted, so a compilation notices a failure
 * even where the one who asked did not check. */
typedef struct idl_mem {
    const facet_idl_allocator *allocator; /* never NULL */
    unsigned long failed;
} idl_mem;

/* malloc, realloc and free, as a facet_idl_allocator. */
extern const facet_idl_allocator facet_idl__malloc_allocator;

void *facet_idl__malloc(idl_mem *m, size_t size);
void *facet_idl__realloc(idl_mem *m, void *p, size_t size);
void facet_idl__free(idl_mem *m, void *p);

typedef struct idl_arena idl_arena;

/* An arena takes its blocks from m, which must outlive it. */
idl_arena *facet_idl__arena_new(idl_mem *m);
void facet_idl__arena_free(idl_arena *a);
/* Zeroed memory that lives as long as the arena; NULL when out of memory. */
void *facet_idl__alloc(idl_arena *a, size_t size);
char *facet_idl__strndup(idl_arena *a, const char *s, size_t n);
char *facet_idl__strdup(idl_arena *a, const char *s);
char *facet_idl__printf(idl_arena *a, const char *fmt, ...) IDL_PRINTF(2, 3);

/* A growable text buffer, from its own allocator (not in an arena). */
typedef struct idl_buf {
    idl_mem *mem;
    char *data;
    size_t len;
    size_t cap;
    int failed; /* an allocation failed; the text is incomplete */
} idl_buf;

/* An empty buffer that allocates from m. */
void facet_idl__buf_init(idl_buf *b, idl_mem *m);
void facet_idl__buf_puts(idl_buf *b, const char *s);
void facet_idl__buf_putn(idl_buf *b, const char *s, size_t n);
void facet_idl__buf_printf(idl_buf *b, const char *fmt, ...) IDL_PRINTF(2, 3);
void facet_idl__buf_vprintf(idl_buf *b, const char *fmt, va_list ap);
/* Writes indent levels of four spaces, then the formatted text and a newline. */
void facet_idl__write_line(idl_buf *b, int indent, const char *fmt, ...) IDL_PRINTF(3, 4);
void facet_idl__buf_free(idl_buf *b);

/* A growable array of pointers (in the arena). */
typedef struct idl_vec {
    void **items;
    size_t count;
    size_t cap;
} idl_vec;

int facet_idl__vec_push(idl_arena *a, idl_vec *v, void *item);

/* A table from strings to pointers: open addressing, keys and values in
 * the arena. */
typedef struct idl_symtab {
    struct idl_sym *slots;
    size_t cap;
    size_t count;
} idl_symtab;

void *facet_idl__sym_get(const idl_symtab *t, const char *key);
/* Returns 0, noting that c is out of memory, when it cannot grow. */
int facet_idl__sym_put(idl_ctx *c, idl_symtab *t, const char *key, void *value);

/* ---- GUIDs --------------------------------------------------------------- */

/* The text of a GUID: "{5A1D6E70-4C1B-4F0E-9A57-3B8D2C61E001}", 38
 * characters and a NUL. */
#define IDL_GUID_TEXT 39

/* Reads "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" (36 hex digits and dashes,
 * no braces) from s, reading no further than end, into out (when not NULL)
 * as the bytes of a FacetGuid in field order: Data1, Data2 and Data3 as
 * big-endian numbers, then Data4. Returns 36, or 0 when s does not start
 * with a GUID. */
size_t facet_idl__guid_scan(const char *s, const char *end, uint8_t out[16]);
/* Writes g as "{XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}" into out. */
void facet_idl__guid_text(char out[IDL_GUID_TEXT], const uint8_t g[16]);
/* Appends the fields of g to b as C numbers: "0x5A1D6E70, 0x4C1B, 0x4F0E",
 * then between, then the eight bytes of Data4, "0x9A, 0x57, ...", in lower
 * case hex digits when lower is set. */
void facet_idl__guid_c(idl_buf *b, const uint8_t g[16], const char *between, int lower);

/* ---- Source files and positions ----------------------------------------- */

typedef struct idl_file {
    const char *path;     /* as opened: "dir/greeter.idl" */
    const char *name;     /* without folders: "greeter.idl" */
    const char *stem;     /* without folders and extension: "greeter" */
    const char *text;     /* NUL-terminated, in the arena */
    size_t size;
    int is_idl;           /* an .idl rather than a C header read as IDL */
    /* What the front end finds: */
    int state;            /* 0 unread, 1 being parsed, 2 done */
    const char *c_header; /* what an importer #includes: "greeter.h" */
    int system_header;    /* c_header is spelled <...> */
    int needs_platform;   /* its C stands on a Windows SDK's C headers: it imports
                             one, uses their macros in cpp_quote, or declares
                             types for IDL only (cpp_quote("#if 0")) */
    idl_vec decls;        /* top-level declarations (idl_decl *), in source order */
} idl_file;

typedef struct idl_loc {
    const idl_file *file;
    uint32_t line;
    uint32_t col;
    uint32_t offset; /* of the line's start in file->text */
} idl_loc;

/* A new file of the compilation, holding a copy of text. */
idl_file *facet_idl__file_new(idl_ctx *c, const char *path, const char *text, size_t size);
/* Reads the file named on the command line; NULL, with an error, when it
 * cannot be read. */
idl_file *facet_idl__file_read(idl_ctx *c, const char *path);
/* Finds name, imported or #included by from at loc: a file read before,
 * or the first that can be read in from's folder and then in each include
 * folder. NULL, with an error at loc, when there is none. */
idl_file *facet_idl__open(idl_ctx *c, const char *name, const idl_file *from, idl_loc loc);

/* ---- Diagnostics ------------------------------------------------------- */

/* The diagnostics of a compilation, kept by its result. */
typedef struct idl_diags {
    facet_idl_diag *items; /* from the compilation's allocator */
    size_t count, cap;
    size_t errors;
    idl_arena *arena;      /* their text: outlives the compilation */
} idl_diags;

void facet_idl__error(idl_ctx *c, idl_loc loc, const char *fmt, ...) IDL_PRINTF(3, 4);
void facet_idl__warning(idl_ctx *c, idl_loc loc, const char *fmt, ...) IDL_PRINTF(3, 4);
/* Whether the compilation has an error or ran out of memory: every pass
 * stops early then. */
int facet_idl__failed(const idl_ctx *c);
void facet_idl__oom(idl_ctx *c);

/* ---- The compilation ---------------------------------------------------- */

struct idl_ctx {
    idl_mem *mem;                /* where every block comes from */
    idl_arena *arena;            /* the compilation's nodes and text */
    facet_idl_options options;   /* the caller's, as far as its struct_size goes */
    idl_diags *diags;            /* where diagnostics go */
    idl_file *main_file;         /* the file being compiled; the others are imports */
    idl_vec files;               /* idl_file *, every file read */
    int out_of_memory;
    int depth;                   /* nesting, up to IDL_MAX_DEPTH */
};

#endif /* FACET_IDL_BASE_H */
