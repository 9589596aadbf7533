/*
 * tree.h - the tree of declarations, and how its types are written in C.
 *
 * The front end builds the tree, sema resolves its names and fills in
 * what the checks find (the fields marked "checked"), and the emitters
 * read it. All of it lives in the compilation's arena, so no node is ever
 * freed on its own.
 */
#ifndef FACET_IDL_TREE_H
#define FACET_IDL_TREE_H

#include "../base/base.h"
#include <facet/typeinfo.h> /* FACET_TI_* flags, shared with the output */

typedef struct idl_decl idl_decl;

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

/* The attribute called name in list, or NULL. */
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
    const char *c_name;   /* checked: as emitted, get_X for [propget] X */
    idl_loc loc;
    idl_attr *attrs;
    idl_type *ret;
    idl_vec params;       /* idl_var * */
    const char *callconv;
    int in_vtable;        /* checked: not a [call_as] remote method */
} idl_method;

typedef struct idl_enumerator {
    const char *name;
    idl_loc loc;
    idl_expr *value; /* NULL: one more than the last */
} idl_enumerator;

/* ---- Declarations ------------------------------------------------------ */

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
    int local, object;

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

/* The name d has in C: "IFacetUnknown" for IUnknown. */
const char *facet_idl__decl_c_name(const idl_decl *d);
/* When t names a typedef, the declarator of that name; otherwise NULL. */
const idl_var *facet_idl__typedef_target(const idl_type *t);
/* Follows typedefs to what a type finally is. */
const idl_type *facet_idl__resolve(const idl_type *t);

/* ---- Writing C ---------------------------------------------------------- */

/* The C spelling of a base type: "uint32_t", "FacetGuid". */
const char *facet_idl__builtin_c(int builtin);
/* Whether word is a calling convention (or a word of 16-bit pointers,
 * which declarators take in the same place). */
int facet_idl__is_callconv(const char *word);
/* The C spelling of a calling convention as written: "FACET_CALL" for
 * __stdcall and its Windows names (STDMETHODCALLTYPE, WINAPI, CALLBACK),
 * "" for cdecl and for none, NULL for one with no Facet equivalent. */
const char *facet_idl__callconv_c(const char *spelled);
/* Writes the C declaration of a type with a declarator name (may be NULL). */
void facet_idl__write_decl(idl_buf *b, const idl_type *t, const char *name);
/* Only the declarator ("*name[4]"), for a type whose struct body is
 * written in place just before it. */
void facet_idl__write_declarator(idl_buf *b, const idl_type *t, const char *name);
/* Writes an expression as C. */
void facet_idl__write_expr(idl_buf *b, const idl_expr *e);

#endif /* FACET_IDL_TREE_H */
