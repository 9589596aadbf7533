/*
 * idl.h - internals of the Facet IDL compiler, shared by its files.
 *
 * The front end (lexer.c, preproc.c, parser.c) builds a typed tree of
 * declarations; types.c resolves names and checks the Facet rules; one
 * emitter per output (emit_header.c, emit_typeinfo.c) walks the tree. All
 * memory of one compilation comes from one arena and goes with it, so no
 * node is ever freed on its own.
 */
#ifndef FACET_IDL_INTERNAL_H
#define FACET_IDL_INTERNAL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "facet_idl.h"
#include <facet/typeinfo.h> /* FACET_TI_* flags, shared with the output */

#if defined(__MINGW32__)
#define IDL_PRINTF(f, a) __attribute__((format(gnu_printf, f, a)))
#elif defined(__GNUC__) || defined(__clang__)
#define IDL_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define IDL_PRINTF(f, a)
#endif

/* ---- Memory ------------------------------------------------------------ */

/* Every block comes from the allocator of the compilation under way on
 * this thread (facet_idl_options.allocator), or from malloc when there is
 * none. facet_idl__use_allocator installs one and returns the previous, so
 * a compilation restores it when it ends; an arena keeps the allocator it
 * was made with. */
void *facet_idl__malloc(size_t size);
void *facet_idl__realloc(void *p, size_t size);
void facet_idl__free(void *p);
const facet_idl_allocator *facet_idl__use_allocator(const facet_idl_allocator *a);
/* How many allocations have failed on this thread so far. */
unsigned long facet_idl__failed_allocations(void);

typedef struct idl_arena idl_arena;

idl_arena *facet_idl__arena_new(void);
void facet_idl__arena_free(idl_arena *a);
/* Zeroed memory that lives as long as the arena; NULL when out of memory. */
void *facet_idl__alloc(idl_arena *a, size_t size);
char *facet_idl__strndup(idl_arena *a, const char *s, size_t n);
char *facet_idl__strdup(idl_arena *a, const char *s);
char *facet_idl__printf(idl_arena *a, const char *fmt, ...) IDL_PRINTF(2, 3);

/* A growable text buffer (malloc'd; not in the arena). */
typedef struct idl_buf {
    char *data;
    size_t len;
    size_t cap;
    int failed; /* an allocation failed; the text is incomplete */
} idl_buf;

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

/* ---- Source files and positions ----------------------------------------- */

typedef struct idl_decl idl_decl;
typedef struct idl_ctx idl_ctx;

typedef struct idl_file {
    const char *path;     /* as opened: "dir/greeter.idl" */
    const char *name;     /* without folders: "greeter.idl" */
    const char *stem;     /* without folders and extension: "greeter" */
    const char *text;     /* NUL-terminated, in the arena */
    size_t size;
    int state;            /* 0 unread, 1 being parsed, 2 done */
    int is_idl;           /* an .idl rather than a C header read as IDL */
    const char *c_header; /* what an importer #includes: "greeter.h" */
    int system_header;    /* c_header is spelled <...> */
    int needs_platform;   /* its C stands on a Windows SDK's C headers: it imports
                             one, uses their macros in cpp_quote, or declares
                             types for IDL only (cpp_quote("#if 0")) */
    idl_vec decls;        /* top-level declarations, in source order */
} idl_file;

typedef struct idl_loc {
    const idl_file *file;
    uint32_t line;
    uint32_t col;
    uint32_t offset; /* of the line's start in file->text */
} idl_loc;

/* ---- Diagnostics ------------------------------------------------------- */

void facet_idl__error(idl_ctx *c, idl_loc loc, const char *fmt, ...) IDL_PRINTF(3, 4);
void facet_idl__warning(idl_ctx *c, idl_loc loc, const char *fmt, ...) IDL_PRINTF(3, 4);
void facet_idl__note(idl_ctx *c, idl_loc loc, const char *fmt, ...) IDL_PRINTF(3, 4);
int facet_idl__failed(const idl_ctx *c);
void facet_idl__oom(idl_ctx *c);

/* ---- Tokens, lexer and preprocessor ------------------------------------ */

enum {
    TK_EOF,
    TK_IDENT,
    TK_INT,
    TK_FLOAT,
    TK_STRING, /* text holds the contents, escapes kept as written */
    TK_CHAR,
    TK_UUID,   /* 8-4-4-4-12 hex digits, as uuid(...) takes them */
    TK_PUNCT,
    TK_EOL,    /* end of a preprocessor line */
    TK_ENDMACRO /* internal: the end of a macro's expansion */
};

typedef struct idl_token {
    int kind;
    const char *text; /* NUL-terminated, in the arena */
    idl_loc loc;
    uint64_t value;   /* TK_INT */
    int space_before; /* whitespace came before it */
    int at_bol;       /* first token on its line */
    void *macro;      /* TK_ENDMACRO: which macro ends */
} idl_token;

typedef struct idl_lexer {
    idl_ctx *ctx;
    idl_file *file;
    const char *p;
    const char *line_start;
    uint32_t line;
    int directive; /* inside a # line: newlines end it */
    int bol;
} idl_lexer;

void facet_idl__lex_init(idl_lexer *lx, idl_ctx *c, idl_file *f);
/* The next raw token; TK_EOF at the end (and after an error). */
void facet_idl__lex_next(idl_lexer *lx, idl_token *out);
int facet_idl__tok_is(const idl_token *t, const char *punct_or_word);
/* C's binary operator precedence (1 for ||, 10 for *), 0 for none. */
int facet_idl__binop_prec(const idl_token *t);
/* "'interface'", "end of file", "string \"x\"": for messages. */
const char *facet_idl__tok_describe(idl_ctx *c, const idl_token *t);

typedef struct idl_pp idl_pp;
idl_pp *facet_idl__pp_new(idl_ctx *c, idl_file *f);
/* The next token after preprocessing: directives done, macros expanded. */
void facet_idl__pp_next(idl_pp *pp, idl_token *out);
/* Pragmas the preprocessor met that concern the compiler: "facet ..." */
const char *facet_idl__pp_c_header(const idl_pp *pp);

/* ---- Expressions ------------------------------------------------------- */

typedef struct idl_expr {
    int op;           /* 'n' number, 'i' identifier, 's' string, 'c' char,
                         'f' float, 'u' unary, 'b' binary, '?' ternary,
                         'C' cast, 'z' sizeof, 'p' parentheses,
                         'g' a GUID, 'e' empty (size_is(,n)) */
    const char *text; /* numbers, strings, characters: as written */
    const char *name; /* 'i': the identifier; 'u'/'b': the operator */
    struct idl_type *type; /* 'C' and 'z' */
    uint64_t value;
    idl_loc loc;
    struct idl_expr *a, *b, *c;
} idl_expr;

/* ---- Attributes --------------------------------------------------------- */

typedef struct idl_attr {
    const char *name;
    idl_loc loc;
    idl_vec args;       /* idl_expr * */
    uint8_t guid[16];   /* uuid(...) */
    struct idl_type *type; /* switch_type(T), wire_marshal(T), transmit_as(T) */
    struct idl_attr *next;
} idl_attr;

const idl_attr *facet_idl__attr(const idl_attr *list, const char *name);

/* ---- Types ------------------------------------------------------------- */

enum {
    TY_BUILTIN, /* a base type: builtin says which */
    TY_NAMED,   /* a name: typedef, interface, or struct/union/enum tag */
    TY_POINTER,
    TY_ARRAY,
    TY_FUNC
};

/* Base types and the names that map onto Facet's own. */
enum {
    B_VOID, B_CHAR, B_INT8, B_UINT8, B_INT16, B_UINT16, B_INT32, B_UINT32,
    B_INT64, B_UINT64, B_FLOAT, B_DOUBLE, B_WCHAR, B_BOOLEAN, B_INTPTR,
    B_UINTPTR, B_GUID, B_RESULT, B_HANDLE, B_ERROR_STATUS
};

typedef struct idl_type {
    int kind;
    int is_const;
    idl_loc loc;
    int builtin;          /* TY_BUILTIN: B_* */
    const char *spelled;  /* TY_BUILTIN/TY_NAMED: as written, "unsigned long" */
    int tag;              /* TY_NAMED: 0, or 's', 'u', 'e' for struct/union/enum X */
    idl_decl *decl;       /* TY_NAMED: what it names, once resolved; or the
                             struct/union/enum defined right here */
    struct idl_type *sub; /* pointer/array: element; function: return type */
    idl_expr *dim;        /* array: NULL for [] and [*] */
    idl_vec params;       /* function: idl_var * */
    const char *callconv; /* function: as written, or NULL */
    int varargs;
    int defines;          /* TY_NAMED: the struct/union/enum body is written here */
} idl_type;

/* A named, typed thing: parameter, struct field, typedef'd name. */
typedef struct idl_var {
    const char *name; /* may be NULL for an unnamed parameter */
    idl_loc loc;
    idl_attr *attrs;
    idl_type *type;
    idl_expr *bits;   /* bitfield width, or NULL */
    /* checked: */
    uint32_t dir;     /* FACET_TI_IN etc., for parameters */
    int size_is, length_is, iid_is, switch_is; /* parameter/field index or -1 */
} idl_var;

typedef struct idl_method {
    const char *name;     /* as declared */
    const char *c_name;   /* as emitted: get_X for [propget] X */
    idl_loc loc;
    idl_attr *attrs;
    idl_type *ret;
    idl_vec params;       /* idl_var * */
    const char *callconv;
    int in_vtable;        /* not a [call_as] remote method */
} idl_method;

typedef struct idl_enumerator {
    const char *name;
    idl_loc loc;
    idl_expr *value; /* NULL: one more than the last */
} idl_enumerator;

enum {
    D_INTERFACE, D_DISPINTERFACE, D_COCLASS, D_TYPEDEF, D_STRUCT, D_UNION,
    D_ENUM, D_CONST, D_CPP_QUOTE, D_IMPORT, D_LIBRARY, D_MODULE, D_FUNCTION,
    D_IMPORTLIB, D_PRAGMA, D_VARIABLE
};

struct idl_decl {
    int kind;
    const char *name;   /* tag for struct/union/enum; may be NULL */
    const char *c_name; /* as emitted; IUnknown -> IFacetUnknown */
    idl_loc loc;
    idl_attr *attrs;
    idl_file *file;
    int defined;        /* a body, not a forward declaration */
    int builtin;        /* declared by <facet/abi.h>, not emitted */
    int emitted;
    int checked;        /* struct/union: its fields are checked (once) */

    /* interface, dispinterface, coclass, library, module */
    const char *base_name;
    idl_loc base_loc;
    idl_decl *base;
    idl_vec methods;     /* idl_method * (interface, dispinterface, module) */
    idl_vec props;       /* idl_var * (dispinterface properties) */
    idl_vec members;     /* coclass: idl_decl * of interfaces; library: decls */
    idl_vec member_attrs; /* coclass: idl_attr * per member */
    int has_uuid;
    uint8_t guid[16];
    int local, object, remotable;

    /* typedef, const, function */
    idl_vec vars;        /* typedef: idl_var * per declared name */
    idl_type *type;      /* const: its type; function: its type */
    idl_expr *value;     /* const */

    /* struct, union */
    idl_vec fields;      /* idl_var * */
    idl_var *sw;         /* encapsulated union: the discriminant */
    const char *union_name; /* encapsulated union: name of the union member */

    /* enum */
    idl_vec enumerators; /* idl_enumerator * */
    int c_enum;          /* written as a C enum (Windows SDK files), not int32_t */

    /* cpp_quote, pragma, importlib */
    const char *text;
    /* import */
    idl_vec files;       /* idl_file * */
};

/* ---- The compilation ---------------------------------------------------- */

typedef struct idl_symtab {
    struct idl_sym *slots;
    size_t cap;
    size_t count;
} idl_symtab;

struct idl_ctx {
    idl_arena *arena;
    const facet_idl_options *opts;
    facet_idl_options options;   /* the caller's, as far as its struct_size goes */
    const facet_idl_allocator *saved_allocator; /* restored when the compilation ends */
    unsigned long failed_at_start; /* facet_idl__failed_allocations() then */
    struct facet_idl_result *result;
    idl_file *main_file;  /* the file being compiled; the others are imports */
    idl_vec files;        /* idl_file *, every file read */
    idl_vec import_stack; /* idl_file *, for cycle messages */
    idl_symtab names;     /* typedefs, interfaces, coclasses, consts */
    idl_symtab tags;      /* "s:X", "u:X", "e:X" */
    idl_vec iids;         /* idl_decl * with a uuid, for duplicates */
    idl_vec enums;        /* idl_decl * of every enum */
    int windows_sdk;      /* a Windows SDK file: one declares IUnknown itself, or
                             imports a C header (see docs/idl.md) */
    idl_decl *iunknown;   /* the builtin IUnknown */
    int error_count;
    int out_of_memory;
    int depth;            /* nesting, to stop stack exhaustion */
};

#define IDL_MAX_DEPTH 200

/* Finds a file on the include path (the importing file's folder first). */
idl_file *facet_idl__open(idl_ctx *c, const char *name, const idl_file *from, idl_loc loc,
                          int must_be_idl);
/* Parses file f and what it imports; declares its names. */
void facet_idl__parse_file(idl_ctx *c, idl_file *f);

void *facet_idl__sym_get(const idl_symtab *t, const char *key);
int facet_idl__sym_put(idl_ctx *c, idl_symtab *t, const char *key, void *value);

/* types.c */
void facet_idl__types_init(idl_ctx *c);
/* Declares the names of f's declarations and resolves and checks them. */
void facet_idl__check_file(idl_ctx *c, idl_file *f);
/* The declarator of the typedef a named type t is (with its attributes,
 * [string] for LPSTR), or NULL when t names no typedef. */
const idl_var *facet_idl__typedef_of(const idl_type *t);
/* After every file: what depends on the whole compilation (whether it is
 * a Windows SDK file's). The emitters run after it. */
void facet_idl__check_done(idl_ctx *c);
/* Follows typedefs to what a type finally is. */
const idl_type *facet_idl__resolve(const idl_type *t);
/* The C spelling of a base type: "uint32_t", "FacetGuid". */
const char *facet_idl__builtin_c(int builtin);
/* Writes the C declaration of a type with a declarator name (may be NULL). */
void facet_idl__write_decl(idl_buf *b, const idl_type *t, const char *name);
/* Only the declarator ("*name[4]"), for a type whose struct body is
 * written in place just before it. */
void facet_idl__write_declarator(idl_buf *b, const idl_type *t, const char *name);
/* The C spelling of a calling convention as written: "FACET_CALL" for
 * __stdcall and its Windows names (STDMETHODCALLTYPE, WINAPI, CALLBACK),
 * "" for cdecl and for none, NULL for one with no Facet equivalent. */
const char *facet_idl__callconv_c(const char *spelled);
/* Writes an expression, with names mapped where they need to be. */
void facet_idl__write_expr(idl_buf *b, const idl_expr *e);
int facet_idl__is_interface_type(const idl_type *t);
const char *facet_idl__decl_c_name(const idl_decl *d);
/* Whether the type info of this compilation describes d: an [object]
 * interface defined in the compiled file. The type info is what proxies
 * and stubs are made from. */
int facet_idl__has_typeinfo(const idl_ctx *c, const idl_decl *d);
/* The methods in vtable order, base interfaces' first. */
void facet_idl__vtable(idl_ctx *c, const idl_decl *itf, idl_vec *out_methods);

/* The file's stem as a C identifier: "d3d11" -> "d3d11", "my-api" -> "my_api". */
const char *facet_idl__symbol_stem(idl_ctx *c, const idl_file *f);

/* emitters: fill out with the text of one output */
void facet_idl__emit_header(idl_ctx *c, const idl_file *f, idl_buf *out);
void facet_idl__emit_typeinfo(idl_ctx *c, const idl_file *f, idl_buf *out);
/* The Go package (emit_go.c): X.go, X_export.go and X_glue.c. */
void facet_idl__emit_go(idl_ctx *c, const idl_file *f, idl_buf *go, idl_buf *exp, idl_buf *glue);

#endif /* FACET_IDL_INTERNAL_H */
