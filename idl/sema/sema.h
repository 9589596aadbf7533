/*
 * sema.h - what the tree means: its names, its types and the rules of the
 * Facet ABI.
 *
 * symbols.c declares the names of each file and the ones <facet/abi.h>
 * gives (IUnknown, HRESULT, GUID, the fixed-width integers); types.c
 * resolves every name and checks the declarations, filling in the fields
 * of the tree marked "checked"; abi.c holds the rules a declaration must
 * keep to cross the ABI between compilers, and the vtable order.
 */
#ifndef FACET_IDL_SEMA_H
#define FACET_IDL_SEMA_H

#include "../tree/tree.h"

typedef struct idl_sema {
    idl_ctx *c;
    idl_symtab names;     /* typedefs, interfaces, coclasses, consts, enumerators */
    idl_symtab tags;      /* "s:X", "u:X", "e:X" */
    idl_vec iids;         /* idl_decl * with a uuid, for duplicates */
    idl_vec enums;        /* idl_decl * of every enum */
    int windows_sdk;      /* a Windows SDK file: one declares IUnknown itself, or
                             imports a C header (see docs/idl.md) */
    idl_decl *iunknown;   /* the builtin IUnknown */
} idl_sema;

/* ---- symbols.c ------------------------------------------------------------ */

/* Starts the checks of compilation c, with the names <facet/abi.h> declares. */
void facet_idl__sema_init(idl_sema *s, idl_ctx *c);
/* Declares the names d brings (and those of a library's or module's
 * declarations). */
void facet_idl__declare(idl_sema *s, idl_decl *d);
/* Whether name is one that <facet/abi.h> declares. */
int facet_idl__is_builtin_name(const idl_sema *s, const char *name);

/* ---- types.c -------------------------------------------------------------- */

/* Declares the names of f's declarations and resolves and checks them. */
void facet_idl__check_file(idl_sema *s, idl_file *f);
/* After every file: what depends on the whole compilation (whether it is
 * a Windows SDK file's). The emitters run after it. */
void facet_idl__check_done(idl_sema *s);

/* ---- abi.c ---------------------------------------------------------------- */

/* Why a type name has no fixed size across compilers ("'size_t' has no
 * fixed size ..."), or NULL for a name that does. */
const char *facet_idl__abi_unfixed(const char *name);
/* A function type's calling convention has a Facet equivalent. */
void facet_idl__abi_check_callconv(idl_sema *s, const idl_type *t);
/* What a method of itf must keep to: HRESULT from a remotable method, no
 * struct returned by value, no name that <windows.h> redefines. owner is
 * "Interface::Method", for messages. */
void facet_idl__abi_check_method(idl_sema *s, const idl_decl *itf, const idl_method *m,
                                 const char *owner);
/* Warns of a bitfield in a struct; returns whether it did. */
int facet_idl__abi_check_field(idl_sema *s, const idl_var *v);
/* Whether the type info of this compilation describes d: an [object]
 * interface defined in the compiled file. The type info is what proxies
 * and stubs are made from. */
int facet_idl__has_typeinfo(const idl_ctx *c, const idl_decl *d);
/* The methods in vtable order, base interfaces' first. */
void facet_idl__vtable(idl_ctx *c, const idl_decl *itf, idl_vec *out_methods);

#endif /* FACET_IDL_SEMA_H */
