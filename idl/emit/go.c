/*
 * go.c - the Go package of X.idl (facet-idl --lang go): X.go, with the
 * Go interface of each interface, a typed reference (XPtr) whose methods
 * call through the vtable, the structs, enums and constants; X_export.go,
 * the Go functions each vtable slot of a Go object calls; and X_glue.c, the
 * C trampolines and vtables of Go objects. X.h, which the C side includes,
 * is written as for --lang c.
 *
 * A Go author writes only Go: a host calls methods on an XPtr, and a Go
 * class implements the Go interface X. The mapping of each kind of
 * parameter is in docs/go.md. What the mapping cannot express (unions,
 * function pointers, overloaded methods, types of another .idl) is an
 * error at the parameter, and nothing is written.
 *
 * Go objects as C sees them are laid out by facet.dev/facet/abi
 * (bindings/go/abi/object.h): the glue repeats the two things it needs of
 * that layout, the interface description and where the handle is.
 */
#include <ctype.h>
#include <string.h>

#include "emit.h"

typedef struct go_emitter {
    idl_ctx *c;
    const idl_file *file;
    idl_buf *out;       /* the file being written */
    const char *pkg;    /* Go package name */
    const char *sym;    /* C symbol stem */
    int uses_reflect;
} go_emitter;

#define W(e, indent, ...) facet_idl__write_line((e)->out, indent, __VA_ARGS__)
#define BLANK(e) facet_idl__buf_puts((e)->out, "\n")
/* Go files are indented with tabs (gofmt). */
#define G(e, indent, ...) go_line((e), indent, __VA_ARGS__)

static void go_line(go_emitter *e, int indent, const char *fmt, ...) IDL_PRINTF(3, 4);

static void go_line(go_emitter *e, int indent, const char *fmt, ...)
{
    va_list ap;
    while (indent-- > 0)
        facet_idl__buf_puts(e->out, "\t");
    va_start(ap, fmt);
    facet_idl__buf_vprintf(e->out, fmt, ap);
    va_end(ap);
    facet_idl__buf_puts(e->out, "\n");
}

static const char *fmt(go_emitter *e, const char *f, ...) IDL_PRINTF(2, 3);

/* The text of b, kept in the compilation's arena; b is freed. */
static const char *keep(go_emitter *e, idl_buf *b)
{
    const char *s = facet_idl__strdup(e->c->arena, b->data ? b->data : "");
    facet_idl__buf_free(b);
    return s ? s : "";
}

static const char *fmt(go_emitter *e, const char *f, ...)
{
    idl_buf b;
    va_list ap;
    facet_idl__buf_init(&b, e->c->mem);
    va_start(ap, f);
    facet_idl__buf_vprintf(&b, f, ap);
    va_end(ap);
    return keep(e, &b);
}

/* ---- Names ------------------------------------------------------------- */

static int go_keyword(const char *s)
{
    static const char *const words[] = {
        "break",  "case",   "chan",    "const", "continue", "default", "defer",
        "else",   "fallthrough", "for", "func",  "go",       "goto",    "if",
        "import", "interface", "map",  "package", "range",  "return",  "select",
        "struct", "switch", "type",    "var",   "C",        "abi",     "unsafe",
        "reflect", NULL};
    size_t i;
    for (i = 0; words[i]; i++)
        if (strcmp(s, words[i]) == 0)
            return 1;
    return 0;
}

/* A parameter's name in Go: as declared, out of the way of keywords and
 * of the packages the file imports. The generated code's own names end in
 * "__" (the wrapper's locals, the Go functions' handle and result, the C
 * helpers' self__ and it__) or are
 * the parameter's with '_' or "__p" added: a name with "__" in it, or
 * ending in '_', would meet them, and goes by its position instead. */
static const char *param_go(go_emitter *e, const idl_var *v, size_t i)
{
    const char *n = v->name;
    if (!n || strstr(n, "__") || n[strlen(n) - 1] == '_')
        return fmt(e, "arg%u", (unsigned)i);
    if (go_keyword(n))
        return fmt(e, "%sArg", n);
    return n;
}

/* An exported Go name: "struct_size" -> "StructSize", "get_Name" ->
 * "GetName", "i32" -> "I32". */
static const char *exported(go_emitter *e, const char *name)
{
    char *s = facet_idl__strdup(e->c->arena, name ? name : "X");
    size_t i, k = 0;
    int up = 1;
    if (!s)
        return "X";
    for (i = 0; name[i]; i++) {
        if (name[i] == '_') {
            up = 1;
            continue;
        }
        s[k++] = up ? (char)toupper((unsigned char)name[i]) : name[i];
        up = 0;
    }
    s[k] = '\0';
    if (k == 0)
        return "X";
    if (!isalpha((unsigned char)s[0]))
        return fmt(e, "X%s", s);
    return s;
}

/* A struct field as cgo names it: a Go keyword gets a leading '_'. */
static const char *cgo_field(go_emitter *e, const char *name)
{
    return go_keyword(name) && strcmp(name, "C") != 0 && strcmp(name, "abi") != 0 &&
                   strcmp(name, "unsafe") != 0 && strcmp(name, "reflect") != 0
               ? fmt(e, "_%s", name)
               : name;
}

/* The Go package of a file: its stem in lower case, letters and digits. */
static const char *package_name(go_emitter *e)
{
    const char *stem = e->file->stem;
    char *s = facet_idl__strdup(e->c->arena, stem);
    size_t i, k = 0;
    if (!s)
        return "idl";
    for (i = 0; stem[i]; i++)
        if (isalnum((unsigned char)stem[i]))
            s[k++] = (char)tolower((unsigned char)stem[i]);
    s[k] = '\0';
    if (k == 0 || isdigit((unsigned char)s[0]) || go_keyword(s))
        return fmt(e, "idl%s", s);
    return s;
}

static const char *guid_text(go_emitter *e, const uint8_t g[16])
{
    char text[IDL_GUID_TEXT];
    facet_idl__guid_text(text, g);
    return fmt(e, "%s", text);
}

/* A FacetGuid initializer: "{0x5A1D6E70, 0x4C1B, 0x4F0E, {0x9A, ...}}". */
static const char *guid_c(go_emitter *e, const uint8_t g[16])
{
    idl_buf b;
    facet_idl__buf_init(&b, e->c->mem);
    facet_idl__buf_puts(&b, "{");
    facet_idl__guid_c(&b, g, ", {", 0);
    facet_idl__buf_puts(&b, "}}");
    return keep(e, &b);
}

/* ---- Types ------------------------------------------------------------- */

enum {
    GT_OTHER,   /* nothing Go can carry */
    GT_SCALAR,  /* an integer, a float, an enum, a FacetResult */
    GT_VOID,    /* void: only behind a pointer */
    GT_CHAR,    /* char: text behind a pointer */
    GT_GUID,
    GT_STRUCT,  /* a struct of this file */
    GT_ITF,     /* an interface of this file */
    GT_UNKNOWN, /* IFacetUnknown */
    GT_STRING,  /* IFacetString */
    GT_BLOB     /* IFacetBlob */
};

typedef struct go_type {
    int kind;           /* GT_* of the type under every pointer */
    int level;          /* pointers above it */
    int is_const;       /* const somewhere: what is pointed at is not written */
    int string;         /* [string] from a typedef (LPSTR) */
    uint32_t array;     /* a fixed array's length, 0 for none */
    const char *go;     /* the Go type of one value: "uint32", "abi.GUID", "ProbeRecord", "IProbe" */
    const char *c;      /* its C type: "uint32_t", "FacetGuid", "ProbeRecord", "IProbe" */
    const idl_decl *decl; /* struct, enum or interface */
    const char *why;    /* GT_OTHER: what it is */
} go_type;

/* The typedef name of a struct or enum of f, or NULL. */
static const char *typedef_name(const idl_file *f, const idl_decl *d)
{
    size_t i, k;
    for (i = 0; i < f->decls.count; i++) {
        const idl_decl *t = f->decls.items[i];
        if (t->kind != D_TYPEDEF)
            continue;
        for (k = 0; k < t->vars.count; k++) {
            const idl_var *v = t->vars.items[k];
            if (v->type && v->type->kind == TY_NAMED && v->type->decl == d && v->name)
                return v->name;
        }
    }
    return NULL;
}

/* The name a struct or enum goes by: its typedef name where it has one. */
static const char *aggregate_name(const idl_file *f, const idl_decl *d)
{
    const char *t = typedef_name(f, d);
    return t ? t : d->name;
}

/* Its type as cgo spells it, after "C.": the typedef, or struct_tag. */
static const char *struct_cgo(go_emitter *e, const idl_decl *d)
{
    const char *t = typedef_name(e->file, d);
    return t ? t : fmt(e, "struct_%s", d->name ? d->name : "");
}

static void scalar(go_type *g, int b)
{
    static const struct {
        int b;
        const char *go, *c;
    } map[] = {{B_INT8, "int8", "int8_t"},       {B_UINT8, "uint8", "uint8_t"},
               {B_INT16, "int16", "int16_t"},    {B_UINT16, "uint16", "uint16_t"},
               {B_INT32, "int32", "int32_t"},    {B_UINT32, "uint32", "uint32_t"},
               {B_INT64, "int64", "int64_t"},    {B_UINT64, "uint64", "uint64_t"},
               {B_FLOAT, "float32", "float"},    {B_DOUBLE, "float64", "double"},
               {B_WCHAR, "uint16", "uint16_t"},  {B_BOOLEAN, "uint8", "uint8_t"},
               {B_INTPTR, "int", "intptr_t"},    {B_UINTPTR, "uintptr", "uintptr_t"},
               {B_RESULT, "abi.Result", "int32_t"}, {B_ERROR_STATUS, "uint32", "uint32_t"}};
    size_t i;
    g->kind = GT_OTHER;
    g->why = "an RPC handle";
    if (b == B_VOID) {
        g->kind = GT_VOID;
        g->c = "void";
        return;
    }
    if (b == B_CHAR) {
        g->kind = GT_CHAR;
        g->go = "byte";
        g->c = "char";
        return;
    }
    if (b == B_GUID) {
        g->kind = GT_GUID;
        g->go = "abi.GUID";
        g->c = "FacetGuid";
        return;
    }
    for (i = 0; i < sizeof map / sizeof map[0]; i++)
        if (map[i].b == b) {
            g->kind = GT_SCALAR;
            g->go = map[i].go;
            g->c = map[i].c;
            return;
        }
}

static go_type classify(go_emitter *e, const idl_type *t)
{
    go_type g;
    int guard = 0;
    memset(&g, 0, sizeof g);
    while (t && guard++ < 200) {
        const idl_var *v = facet_idl__typedef_target(t);
        if (t->is_const)
            g.is_const = 1;
        if (v) {
            if (facet_idl__attr(v->attrs, "string"))
                g.string = 1;
            if (v->type && v->type->kind == TY_NAMED && v->type->decl &&
                (v->type->decl->kind == D_STRUCT || v->type->decl->kind == D_ENUM) &&
                !facet_idl__attr(v->attrs, "string")) {
                t = v->type;
                break;
            }
            t = v->type;
        } else if (t->kind == TY_POINTER) {
            g.level++;
            t = t->sub;
        } else if (t->kind == TY_ARRAY) {
            if (t->dim && t->dim->op == 'n' && !g.array && g.level == 0)
                g.array = (uint32_t)t->dim->value;
            else
                g.level++;
            t = t->sub;
        } else {
            break;
        }
    }
    if (!t) {
        g.kind = GT_OTHER;
        g.why = "a type facet-idl could not resolve";
        return g;
    }
    if (t->is_const)
        g.is_const = 1;
    if (t->kind == TY_BUILTIN) {
        scalar(&g, t->builtin);
    } else if (t->kind == TY_FUNC) {
        g.kind = GT_OTHER;
        g.why = "a function pointer";
    } else if (t->decl && t->decl->kind == D_ENUM) {
        g.kind = GT_SCALAR;
        g.decl = t->decl;
        g.go = exported(e, aggregate_name(e->file, t->decl) ? aggregate_name(e->file, t->decl)
                                                            : "int32");
        g.c = "int32_t";
        if (t->decl->file != e->file || !aggregate_name(e->file, t->decl))
            g.go = "int32";
    } else if (t->decl && t->decl->kind == D_STRUCT) {
        g.decl = t->decl;
        if (t->decl->file != e->file || !t->decl->defined) {
            g.kind = GT_OTHER;
            g.why = fmt(e, "struct %s, which %s declares", t->decl->name ? t->decl->name : "",
                        t->decl->file ? t->decl->file->name : "another file");
        } else {
            g.kind = GT_STRUCT;
            g.go = exported(e, aggregate_name(e->file, t->decl));
            g.c = struct_cgo(e, t->decl);
        }
    } else if (t->decl && t->decl->kind == D_UNION) {
        g.kind = GT_OTHER;
        g.why = "a union";
    } else if (t->decl && t->decl->kind == D_INTERFACE) {
        const char *cn = facet_idl__decl_c_name(t->decl);
        g.decl = t->decl;
        g.c = cn;
        if (strcmp(cn, "IFacetUnknown") == 0) {
            g.kind = GT_UNKNOWN;
            g.go = "any";
        } else if (strcmp(cn, "IFacetString") == 0) {
            g.kind = GT_STRING;
            g.go = "string";
        } else if (strcmp(cn, "IFacetBlob") == 0) {
            g.kind = GT_BLOB;
            g.go = "[]byte";
        } else if (t->decl->file == e->file && t->decl->object && t->decl->has_uuid) {
            g.kind = GT_ITF;
            g.go = cn;
        } else {
            g.kind = GT_OTHER;
            g.why = fmt(e, "interface %s, which %s declares (a Go package of one .idl refers "
                           "to its own interfaces and to IFacetUnknown, IFacetString and "
                           "IFacetBlob)",
                        cn, t->decl->file ? t->decl->file->name : "another file");
        }
    } else {
        g.kind = GT_OTHER;
        g.why = fmt(e, "type '%s'", t->spelled ? t->spelled : "?");
    }
    return g;
}

/* Whether a struct starts with uint32_t struct_size (abi.h rule 5). */
static int has_struct_size(const idl_decl *d)
{
    const idl_var *first;
    if (!d || d->fields.count == 0)
        return 0;
    first = d->fields.items[0];
    return first->name && strcmp(first->name, "struct_size") == 0;
}

/* ---- Parameters --------------------------------------------------------- */

enum {
    S_VAL,          /* scalar in, by value */
    S_RAWPTR,       /* void * in: uintptr */
    S_GUID_IN,      /* const FacetGuid * (or by value): abi.GUID */
    S_STR_IN,       /* [string] const char *: string */
    S_STRUCT_IN,    /* const S *, or S by value: S */
    S_ITF_IN,       /* IFoo *: IFoo (string, []byte, any for the runtime's) */
    S_BUF_IN,       /* [size_is(n)] const T *: []T */
    S_STRS_IN,      /* [size_is(n), string] const char *const *: []string */
    S_OUT,          /* T * out, T scalar or GUID: result T (void **: uintptr) */
    S_INOUT,        /* T * in,out, T scalar: *T */
    S_STRUCT_OUT,   /* S * out: result S */
    S_STRUCT_INOUT, /* S * in,out: *S */
    S_STR_OUT,      /* [string] char ** out: result string (callee allocates) */
    S_CSTR_OUT,     /* [string] const char ** out: result string (borrowed) */
    S_ITF_OUT,      /* IFoo ** out: result IFoo */
    S_IID_OUT,      /* [iid_is(riid)] void ** out: result any */
    S_BUF_OUT,      /* [size_is(n)] T * out, caller's buffer: []T argument */
    S_BUF_ALLOC     /* [size_is(n)] T ** out, callee allocates: result []T */
};

typedef struct go_param {
    const idl_var *v;
    size_t index;
    const char *name;   /* in Go */
    int shape;          /* S_* */
    go_type t;
    int size_param;     /* the parameter giving the count, or -1 */
    const char *size_const; /* a constant count */
    int iid_param;
    int unique;
} go_param;

typedef struct go_method {
    const idl_method *m;
    const idl_decl *owner;  /* the interface that declares it */
    const char *go_name;
    size_t count;
    go_param *params;
    int ok;
} go_method;

static int is_in(const idl_var *v)
{
    return (v->dir & FACET_TI_IN) != 0 || (v->dir & FACET_TI_OUT) == 0;
}

static int is_out(const idl_var *v)
{
    return (v->dir & FACET_TI_OUT) != 0;
}

/* Says why a parameter cannot be mapped; returns 0. */
static int unmapped(go_emitter *e, const go_method *gm, const idl_var *v, const char *why)
{
    facet_idl__error(e->c, v->loc,
                     "--lang go: parameter '%s' of %s::%s is %s, which the Go mapping does not "
                     "carry (docs/go.md lists what it does)",
                     v->name ? v->name : "?", facet_idl__decl_c_name(gm->owner), gm->m->c_name,
                     why);
    return 0;
}

static int integer_type(const go_type *t)
{
    return t->kind == GT_SCALAR && strcmp(t->go, "float32") != 0 && strcmp(t->go, "float64") != 0;
}

/* The element count of size_is or a fixed array: a parameter or a
 * constant. */
static int size_of(go_emitter *e, go_method *gm, go_param *p)
{
    const idl_attr *a = facet_idl__attr(p->v->attrs, "size_is");
    const idl_expr *x = NULL;
    size_t i;
    if (p->t.array) {
        p->size_const = fmt(e, "%u", (unsigned)p->t.array);
        return 1;
    }
    if (!a)
        return 0;
    for (i = 0; i < a->args.count; i++) {
        const idl_expr *arg = a->args.items[i];
        if (arg && arg->op != 'e')
            x = arg;
    }
    if (x && x->op == 'n') {
        p->size_const = fmt(e, "%llu", (unsigned long long)x->value);
        return 1;
    }
    if (x && x->op == 'i' && p->v->size_is >= 0) {
        const idl_var *sv = gm->m->params.items[p->v->size_is];
        go_type st = classify(e, sv->type);
        if (is_in(sv) && !is_out(sv) && st.level == 0 && integer_type(&st)) {
            p->size_param = p->v->size_is;
            return 1;
        }
    }
    return -1;
}

static int map_param(go_emitter *e, go_method *gm, go_param *p)
{
    const idl_var *v = p->v;
    go_type *t = &p->t;
    int in = is_in(v), out = is_out(v), sized;
    int string = t->string || facet_idl__attr(v->attrs, "string") != NULL;
    p->size_param = p->iid_param = -1;
    p->unique = facet_idl__attr(v->attrs, "unique") != NULL;
    if (t->kind == GT_OTHER)
        return unmapped(e, gm, v, t->why);
    sized = size_of(e, gm, p); /* a fixed array's length first: it counts the elements */
    if (t->array) {
        t->level++; /* an array parameter is a pointer */
        t->array = 0;
    }
    if (sized < 0)
        return unmapped(e, gm, v, "sized by an expression (the Go mapping takes a size_is that "
                                  "names an [in] integer parameter, or a constant)");
    if (!out) {
        if (t->level == 0) {
            if (t->kind == GT_SCALAR)
                p->shape = S_VAL;
            else if (t->kind == GT_GUID)
                p->shape = S_GUID_IN;
            else if (t->kind == GT_STRUCT)
                p->shape = S_STRUCT_IN;
            else
                return unmapped(e, gm, v, "a value of this type");
            return 1;
        }
        if (t->level == 1) {
            if (t->kind == GT_CHAR && string && !sized)
                p->shape = S_STR_IN;
            else if ((t->kind == GT_SCALAR || t->kind == GT_CHAR) && sized)
                p->shape = S_BUF_IN;
            else if (t->kind == GT_VOID && sized)
                return unmapped(e, gm, v, "untyped memory with a size (use uint8_t)");
            else if (t->kind == GT_VOID)
                p->shape = S_RAWPTR;
            else if (t->kind == GT_GUID && !sized)
                p->shape = S_GUID_IN;
            else if (t->kind == GT_STRUCT && !sized && t->is_const)
                p->shape = S_STRUCT_IN;
            else if (t->kind >= GT_ITF && !sized)
                p->shape = S_ITF_IN;
            else
                return unmapped(e, gm, v, "a pointer to this type as an [in] parameter");
            return 1;
        }
        if (t->level == 2 && t->kind == GT_CHAR && string && sized && p->size_param >= 0) {
            p->shape = S_STRS_IN;
            return 1;
        }
        return unmapped(e, gm, v, "a pointer to a pointer as an [in] parameter");
    }
    if (in && out) {
        if (t->level == 1 && t->kind == GT_SCALAR && !sized)
            p->shape = S_INOUT;
        else if (t->level == 1 && t->kind == GT_STRUCT && !sized)
            p->shape = S_STRUCT_INOUT;
        else
            return unmapped(e, gm, v, "an [in, out] parameter of this type");
        return 1;
    }
    if (t->level == 1) {
        if ((t->kind == GT_SCALAR || t->kind == GT_CHAR || t->kind == GT_GUID) && sized)
            p->shape = S_BUF_OUT;
        else if ((t->kind == GT_SCALAR || t->kind == GT_GUID) && !sized)
            p->shape = S_OUT;
        else if (t->kind == GT_STRUCT && !sized)
            p->shape = S_STRUCT_OUT;
        else
            return unmapped(e, gm, v, "an [out] pointer to this type");
        return 1;
    }
    if (t->level == 2) {
        if (t->kind == GT_CHAR && string && !sized)
            p->shape = t->is_const ? S_CSTR_OUT : S_STR_OUT;
        else if ((t->kind == GT_SCALAR || t->kind == GT_CHAR) && sized && p->size_param >= 0)
            p->shape = S_BUF_ALLOC;
        else if (t->kind >= GT_ITF && !sized)
            p->shape = S_ITF_OUT;
        else if (t->kind == GT_VOID && v->iid_is >= 0) {
            go_type it = classify(e, ((const idl_var *)gm->m->params.items[v->iid_is])->type);
            if (it.kind != GT_GUID || it.level != 1)
                return unmapped(e, gm, v, "[iid_is] naming a parameter that is not a GUID");
            p->shape = S_IID_OUT;
            p->iid_param = v->iid_is;
        } else if (t->kind == GT_VOID && !sized) {
            p->shape = S_OUT; /* an opaque pointer handed back: uintptr */
        } else {
            return unmapped(e, gm, v, "an [out] pointer to a pointer of this type");
        }
        return 1;
    }
    return unmapped(e, gm, v, "three or more levels of pointers");
}

/* The Go type of a parameter's value in the Go interface. */
static const char *go_of(go_emitter *e, const go_param *p)
{
    switch (p->shape) {
    case S_RAWPTR:
        return "uintptr";
    case S_STR_IN:
    case S_STR_OUT:
    case S_CSTR_OUT:
        return "string";
    case S_BUF_IN:
    case S_BUF_OUT:
    case S_BUF_ALLOC:
        return fmt(e, "[]%s", p->t.go);
    case S_STRS_IN:
        return "[]string";
    case S_INOUT:
    case S_STRUCT_INOUT:
        return fmt(e, "*%s", p->t.go);
    case S_IID_OUT:
        return "any";
    case S_OUT:
        return p->t.kind == GT_VOID ? "uintptr" : p->t.go;
    default:
        return p->t.go;
    }
}

static int is_result(const go_param *p)
{
    switch (p->shape) {
    case S_OUT:
    case S_STRUCT_OUT:
    case S_STR_OUT:
    case S_CSTR_OUT:
    case S_ITF_OUT:
    case S_IID_OUT:
    case S_BUF_ALLOC:
        return 1;
    default:
        return 0;
    }
}

/* A parameter's value is what fills size_is of another: the Go method
 * still takes it, as the C method does. */
static const char *zero_of(go_emitter *e, const go_param *p)
{
    const char *t = go_of(e, p);
    if (strcmp(t, "string") == 0)
        return "\"\"";
    if (t[0] == '[' || t[0] == '*' || strcmp(t, "any") == 0 || p->t.kind == GT_ITF ||
        p->t.kind == GT_UNKNOWN || p->t.kind == GT_BLOB)
        return "nil";
    if (p->t.kind == GT_STRUCT || p->t.kind == GT_GUID)
        return fmt(e, "%s{}", t);
    return "0";
}

static int map_method(go_emitter *e, go_method *gm)
{
    const idl_method *m = gm->m;
    go_type rt = classify(e, m->ret);
    size_t i;
    gm->ok = 1;
    gm->count = m->params.count;
    gm->params = facet_idl__alloc(e->c->arena, sizeof(go_param) * (gm->count + 1));
    if (!gm->params) {
        facet_idl__oom(e->c);
        return gm->ok = 0;
    }
    if (rt.kind != GT_SCALAR || rt.level || strcmp(rt.go, "abi.Result") != 0) {
        facet_idl__error(e->c, m->loc,
                         "--lang go: %s::%s returns something other than HRESULT; a Go method "
                         "returns its failure as an error, so every method must return HRESULT",
                         facet_idl__decl_c_name(gm->owner), m->c_name);
        return gm->ok = 0;
    }
    for (i = 0; i < gm->count; i++) {
        go_param *p = &gm->params[i];
        p->v = m->params.items[i];
        p->index = i;
        p->name = param_go(e, p->v, i);
        p->t = classify(e, p->v->type);
        if (!map_param(e, gm, p))
            gm->ok = 0;
    }
    return gm->ok;
}

/* ---- C text of a parameter ---------------------------------------------- */

/* How a parameter travels between Go and C: "void *" for every pointer
 * (and for a struct or GUID passed by value, by its address), or the C
 * scalar type. */
static const char *wire_c(const go_param *p)
{
    if (p->shape == S_VAL)
        return p->t.c;
    return "void *";
}

static const char *wire_go(go_emitter *e, const go_param *p)
{
    if (p->shape == S_VAL)
        return fmt(e, "C.%s", p->t.c);
    return "unsafe.Pointer";
}

/* The C type of a parameter, as X.h declares it. */
static const char *decl_c(go_emitter *e, const go_param *p)
{
    idl_buf b;
    const char *s;
    const idl_type *t = p->v->type;
    facet_idl__buf_init(&b, e->c->mem);
    if (t && t->kind == TY_ARRAY) {
        /* an array parameter is a pointer to its first element */
        facet_idl__write_decl(&b, t->sub, NULL);
        facet_idl__buf_puts(&b, " *");
    } else {
        facet_idl__write_decl(&b, t, NULL);
    }
    s = fmt(e, "%s", b.data ? b.data : "void");
    facet_idl__buf_free(&b);
    return s;
}

/* The argument a C helper passes on, from its wire parameter. */
static const char *unwire_c(go_emitter *e, const go_param *p)
{
    const char *c = decl_c(e, p);
    if (p->shape == S_VAL)
        return fmt(e, "(%s)%s", c, p->name);
    if ((p->shape == S_GUID_IN || p->shape == S_STRUCT_IN) && p->t.level == 0)
        return fmt(e, "*(const %s *)%s", p->t.c, p->name);
    return fmt(e, "(%s)%s", c, p->name);
}

/* The wire argument a trampoline passes to Go, from its C parameter. */
static const char *wire_arg_c(go_emitter *e, const go_param *p)
{
    if (p->shape == S_VAL)
        return fmt(e, "(%s)%s", p->t.c, p->name);
    if ((p->shape == S_GUID_IN || p->shape == S_STRUCT_IN) && p->t.level == 0)
        return fmt(e, "(void *)&%s", p->name);
    return fmt(e, "(void *)%s", p->name);
}

/* ---- Interfaces ---------------------------------------------------------- */

typedef struct go_itf {
    const idl_decl *d;
    const char *name;   /* C and Go name */
    idl_vec all;        /* idl_method *, vtable order */
    go_method *methods; /* all.count, the first three IFacetUnknown's */
    size_t own;         /* index of the first method d declares */
} go_itf;

static const idl_decl *owner_of(const idl_decl *d, const idl_method *m)
{
    const idl_decl *it;
    size_t j;
    for (it = d; it; it = it->base)
        for (j = 0; j < it->methods.count; j++)
            if (it->methods.items[j] == m)
                return it;
    return d;
}

static int collect_itf(go_emitter *e, const idl_decl *d, go_itf *gi)
{
    size_t i, j;
    int ok = 1;
    memset(gi, 0, sizeof *gi);
    gi->d = d;
    gi->name = facet_idl__decl_c_name(d);
    facet_idl__vtable(e->c, d, &gi->all);
    gi->methods = facet_idl__alloc(e->c->arena, sizeof(go_method) * (gi->all.count + 1));
    if (!gi->methods) {
        facet_idl__oom(e->c);
        return 0;
    }
    if (d->base && d->base->builtin && strcmp(facet_idl__decl_c_name(d->base), "IFacetUnknown") != 0) {
        facet_idl__error(e->c, d->base_loc,
                         "--lang go: %s derives from %s; a Go interface may derive from "
                         "IUnknown or from an interface of the same file",
                         gi->name, facet_idl__decl_c_name(d->base));
        return 0;
    }
    if (d->base && !d->base->builtin && d->base->file != e->file) {
        facet_idl__error(e->c, d->base_loc,
                         "--lang go: %s derives from %s, which %s declares; a Go interface may "
                         "derive from IUnknown or from an interface of the same file",
                         gi->name, facet_idl__decl_c_name(d->base),
                         d->base->file ? d->base->file->name : "another file");
        return 0;
    }
    for (i = 0; i < gi->all.count; i++) {
        go_method *gm = &gi->methods[i];
        gm->m = gi->all.items[i];
        gm->owner = owner_of(d, gm->m);
        gm->go_name = exported(e, gm->m->c_name);
        if (gm->owner->builtin) {
            gm->ok = 1; /* QueryInterface, AddRef, Release */
            gi->own = i + 1;
            continue;
        }
        for (j = 0; j < i; j++)
            if (!gi->methods[j].owner->builtin &&
                strcmp(gi->methods[j].go_name, gm->go_name) == 0) {
                facet_idl__error(e->c, gm->m->loc,
                                 "--lang go: %s::%s has the Go name of another method of the "
                                 "vtable (%s); Go has no overloads",
                                 gi->name, gm->m->c_name, gm->go_name);
                ok = 0;
            }
        if (!map_method(e, gm))
            ok = 0;
    }
    return ok;
}

/* The Go signature of a method: "(name string) (string, error)", or
 * "(x uint32) error" when it has no results. */
static const char *go_signature(go_emitter *e, const go_method *gm)
{
    idl_buf b, r;
    size_t i;
    int n = 0, results = 0;
    const char *s;
    facet_idl__buf_init(&b, e->c->mem);
    facet_idl__buf_init(&r, e->c->mem);
    for (i = 0; i < gm->count; i++) {
        const go_param *p = &gm->params[i];
        if (is_result(p))
            facet_idl__buf_printf(&r, "%s, ", go_of(e, p)), results++;
        else
            facet_idl__buf_printf(&b, "%s%s %s", n++ ? ", " : "", p->name, go_of(e, p));
    }
    if (results)
        s = fmt(e, "(%s) (%serror)", b.data ? b.data : "", r.data);
    else
        s = fmt(e, "(%s) error", b.data ? b.data : "");
    facet_idl__buf_free(&b);
    facet_idl__buf_free(&r);
    return s;
}

/* ---- X.go: the C helpers of the preamble -------------------------------- */

static void write_call_helpers(go_emitter *e, const go_itf *gi)
{
    size_t i, k;
    for (i = gi->own; i < gi->all.count; i++) {
        const go_method *gm = &gi->methods[i];
        idl_buf params, args;
        if (!gm->ok)
            continue;
        facet_idl__buf_init(&params, e->c->mem);
        facet_idl__buf_init(&args, e->c->mem);
        for (k = 0; k < gm->count; k++) {
            const go_param *p = &gm->params[k];
            facet_idl__buf_printf(&params, ", %s %s", wire_c(p), p->name);
            facet_idl__buf_printf(&args, ", %s", unwire_c(e, p));
        }
        W(e, 0, "static FacetResult facetgo_call_%s_%s(void *self__%s)", gi->name,
          gm->m->c_name, params.data ? params.data : "");
        W(e, 0, "{");
        W(e, 1, "%s *it__ = self__;", gi->name);
        W(e, 1, "return it__->lpVtbl->%s(it__%s);", gm->m->c_name, args.data ? args.data : "");
        W(e, 0, "}");
        BLANK(e);
        facet_idl__buf_free(&params);
        facet_idl__buf_free(&args);
    }
}

/* ---- X.go: the host side of a method ------------------------------------ */

static const char *size_expr(go_emitter *e, const go_method *gm, const go_param *p)
{
    if (p->size_const)
        return p->size_const;
    return fmt(e, "uint64(%s)", gm->params[p->size_param].name);
}

static void write_wrapper(go_emitter *e, const go_itf *gi, const go_method *gm)
{
    idl_buf zeros, args, rets;
    size_t i;
    int nres = 0;
    const char *ret;
    facet_idl__buf_init(&zeros, e->c->mem);
    facet_idl__buf_init(&args, e->c->mem);
    facet_idl__buf_init(&rets, e->c->mem);
    for (i = 0; i < gm->count; i++)
        if (is_result(&gm->params[i]))
            facet_idl__buf_printf(&zeros, "%s, ", zero_of(e, &gm->params[i]));
    ret = zeros.data ? zeros.data : "";
    G(e, 0, "// %s calls %s::%s.", gm->go_name, facet_idl__decl_c_name(gm->owner),
      gm->m->c_name);
    G(e, 0, "func (p__ *%sPtr) %s%s {", gi->name, gm->go_name, go_signature(e, gm));
    G(e, 1, "self__, err__ := p__.Ref.Enter()");
    G(e, 1, "if err__ != nil {");
    G(e, 2, "return %serr__", ret);
    G(e, 1, "}");
    G(e, 1, "defer p__.Ref.Leave()");
    for (i = 0; i < gm->count; i++) {
        const go_param *p = &gm->params[i];
        const char *n = p->name;
        switch (p->shape) {
        case S_VAL:
            facet_idl__buf_printf(&args, ", C.%s(%s)", p->t.c, n);
            break;
        case S_RAWPTR:
            facet_idl__buf_printf(&args, ", abi.Ptr(%s)", n);
            break;
        case S_GUID_IN:
            facet_idl__buf_printf(&args, ", %s.C()", n);
            break;
        case S_STR_IN:
            facet_idl__buf_printf(&args, ", abi.CStr(%s)", n);
            break;
        case S_STRUCT_IN:
            G(e, 1, "var %s_ C.%s", n, p->t.c);
            G(e, 1, "%s.toC(&%s_)", n, n);
            facet_idl__buf_printf(&args, ", unsafe.Pointer(&%s_)", n);
            break;
        case S_ITF_IN:
            if (p->t.kind == GT_STRING || p->t.kind == GT_BLOB)
                G(e, 1, "%s_, err__ := abi.New%s(%s)", n, p->t.kind == GT_STRING ? "String" : "Blob",
                  n);
            else
                G(e, 1, "%s_, err__ := abi.Export(%s, %s)", n, n,
                  p->t.kind == GT_UNKNOWN ? "abi.IID_IFacetUnknown" : fmt(e, "IID_%s", p->t.go));
            G(e, 1, "if err__ != nil {");
            G(e, 2, "return %serr__", ret);
            G(e, 1, "}");
            G(e, 1, "defer abi.ReleasePointer(%s_)", n);
            facet_idl__buf_printf(&args, ", %s_", n);
            break;
        case S_BUF_IN:
        case S_BUF_OUT:
            G(e, 1, "if uint64(len(%s)) < %s {", n, size_expr(e, gm, p));
            G(e, 2, "return %sabi.NewError(abi.ErrInvalidArg, \"%s.%s: %s holds %%d elements, "
                    "fewer than the %%d the call %s\", len(%s), %s)",
              ret, gi->name, gm->go_name, n, p->shape == S_BUF_IN ? "reads" : "writes", n,
              size_expr(e, gm, p));
            G(e, 1, "}");
            facet_idl__buf_printf(&args, ", abi.SliceData(%s)", n);
            break;
        case S_STRS_IN:
            G(e, 1, "if uint64(len(%s)) < %s {", n, size_expr(e, gm, p));
            G(e, 2, "return %sabi.NewError(abi.ErrInvalidArg, \"%s.%s: %s holds %%d strings, "
                    "fewer than the %%d the call reads\", len(%s), %s)",
              ret, gi->name, gm->go_name, n, n, size_expr(e, gm, p));
            G(e, 1, "}");
            G(e, 1, "%s_, free%s__ := abi.CStrings(%s)", n, n, n);
            G(e, 1, "defer free%s__()", n);
            facet_idl__buf_printf(&args, ", %s_", n);
            break;
        case S_OUT:
            if (p->t.kind == GT_VOID)
                G(e, 1, "var %s_ unsafe.Pointer", n);
            else
                G(e, 1, "var %s_ C.%s", n, p->t.c);
            facet_idl__buf_printf(&args, ", unsafe.Pointer(&%s_)", n);
            break;
        case S_INOUT:
            G(e, 1, "var %s_ C.%s", n, p->t.c);
            G(e, 1, "var %s__p unsafe.Pointer", n);
            G(e, 1, "if %s != nil {", n);
            G(e, 2, "%s_ = C.%s(*%s)", n, p->t.c, n);
            G(e, 2, "%s__p = unsafe.Pointer(&%s_)", n, n);
            G(e, 1, "}");
            facet_idl__buf_printf(&args, ", %s__p", n);
            break;
        case S_STRUCT_OUT:
            G(e, 1, "var %s_ C.%s", n, p->t.c);
            if (has_struct_size(p->t.decl))
                G(e, 1, "%s_.struct_size = C.uint32_t(unsafe.Sizeof(%s_))", n, n);
            facet_idl__buf_printf(&args, ", unsafe.Pointer(&%s_)", n);
            break;
        case S_STRUCT_INOUT:
            G(e, 1, "var %s_ C.%s", n, p->t.c);
            G(e, 1, "var %s__p unsafe.Pointer", n);
            G(e, 1, "if %s != nil {", n);
            G(e, 2, "%s.toC(&%s_)", n, n);
            G(e, 2, "%s__p = unsafe.Pointer(&%s_)", n, n);
            G(e, 1, "}");
            facet_idl__buf_printf(&args, ", %s__p", n);
            break;
        case S_STR_OUT:
        case S_CSTR_OUT:
        case S_ITF_OUT:
        case S_IID_OUT:
        case S_BUF_ALLOC:
            G(e, 1, "var %s_ unsafe.Pointer", n);
            facet_idl__buf_printf(&args, ", unsafe.Pointer(&%s_)", n);
            break;
        }
    }
    G(e, 1, "r__ := abi.Result(C.facetgo_call_%s_%s(self__%s))", gi->name, gm->m->c_name,
      args.data ? args.data : "");
    /* What came back is the caller's, whatever the result; results are
     * read only on success. */
    for (i = 0; i < gm->count; i++) {
        const go_param *p = &gm->params[i];
        const char *n = p->name;
        if (p->shape == S_INOUT) {
            G(e, 1, "if %s != nil && r__.Succeeded() {", n);
            G(e, 2, "*%s = %s(%s_)", n, p->t.go, n);
            G(e, 1, "}");
        } else if (p->shape == S_STRUCT_INOUT) {
            G(e, 1, "if %s != nil && r__.Succeeded() {", n);
            G(e, 2, "%s.readC(&%s_)", n, n);
            G(e, 1, "}");
        }
    }
    for (i = 0; i < gm->count; i++) {
        const go_param *p = &gm->params[i];
        const char *n = p->name;
        const char *res = fmt(e, "res%u__", (unsigned)nres);
        if (!is_result(p))
            continue;
        nres++;
        facet_idl__buf_printf(&rets, "%s, ", res);
        switch (p->shape) {
        case S_OUT:
            if (p->t.kind == GT_VOID)
                G(e, 1, "%s := uintptr(%s_)", res, n);
            else if (p->t.kind == GT_GUID)
                G(e, 1, "%s := abi.GUIDFrom(unsafe.Pointer(&%s_))", res, n);
            else
                G(e, 1, "%s := %s(%s_)", res, p->t.go, n);
            break;
        case S_STRUCT_OUT:
            G(e, 1, "%s := %sFromC(&%s_)", res, p->t.go, n);
            break;
        case S_STR_OUT:
            G(e, 1, "%s := abi.TakeString(%s_)", res, n);
            break;
        case S_CSTR_OUT:
            G(e, 1, "%s := abi.GoString(%s_)", res, n);
            break;
        case S_ITF_OUT:
            if (p->t.kind == GT_STRING)
                G(e, 1, "%s, err%u__ := abi.TakeStringObject(%s_)", res, (unsigned)nres, n);
            else if (p->t.kind == GT_BLOB)
                G(e, 1, "%s, err%u__ := abi.TakeBlobObject(%s_)", res, (unsigned)nres, n);
            else if (p->t.kind == GT_UNKNOWN)
                G(e, 1, "%s := abi.TakeUnknown(%s_)", res, n);
            else
                G(e, 1, "%s := take%s(%s_)", res, p->t.go, n);
            if (p->t.kind == GT_STRING || p->t.kind == GT_BLOB) {
                G(e, 1, "if err__ == nil {");
                G(e, 2, "err__ = err%u__", (unsigned)nres);
                G(e, 1, "}");
            }
            break;
        case S_IID_OUT:
            G(e, 1, "%s := abi.TakeUnknown(%s_)", res, n);
            break;
        case S_BUF_ALLOC:
            G(e, 1, "%s := abi.TakeSlice[%s](%s_, %s)", res, p->t.go, n, size_expr(e, gm, p));
            break;
        }
    }
    G(e, 1, "if r__.Failed() {");
    G(e, 2, "return %sabi.CallError(r__, \"%s.%s\")", ret, gi->name, gm->go_name);
    G(e, 1, "}");
    G(e, 1, "return %serr__", rets.data ? rets.data : "");
    G(e, 0, "}");
    facet_idl__buf_free(&zeros);
    facet_idl__buf_free(&args);
    facet_idl__buf_free(&rets);
}

static void write_interface_go(go_emitter *e, const go_itf *gi)
{
    const idl_decl *d = gi->d;
    size_t i;
    G(e, 0, "// ---- %s", gi->name);
    BLANK(e);
    G(e, 0, "// IID_%s identifies %s.", gi->name, gi->name);
    G(e, 0, "var IID_%s = abi.MustGUID(\"%s\")", gi->name, guid_text(e, d->guid));
    BLANK(e);
    G(e, 0, "// %s is implemented by a Go class (one method per method of", gi->name);
    G(e, 0, "// the interface) and by %sPtr, a reference to an object of any", gi->name);
    G(e, 0, "// language.");
    G(e, 0, "type %s interface {", gi->name);
    if (d->base && !d->base->builtin)
        G(e, 1, "%s", facet_idl__decl_c_name(d->base));
    for (i = gi->own; i < gi->all.count; i++) {
        const go_method *gm = &gi->methods[i];
        if (gm->owner != d || !gm->ok)
            continue;
        G(e, 1, "%s%s", gm->go_name, go_signature(e, gm));
    }
    G(e, 0, "}");
    BLANK(e);
    G(e, 0, "// %sPtr is a reference to an object's %s, which it owns (see", gi->name, gi->name);
    G(e, 0, "// abi.Ref: Release it when done).");
    G(e, 0, "type %sPtr struct{ abi.Ref }", gi->name);
    BLANK(e);
    G(e, 0, "// InterfaceID, InterfaceName and Attach make a *%sPtr an abi.Wrapper.", gi->name);
    G(e, 0, "func (*%sPtr) InterfaceID() abi.GUID { return IID_%s }", gi->name, gi->name);
    G(e, 0, "func (*%sPtr) InterfaceName() string { return \"%s\" }", gi->name, gi->name);
    G(e, 0, "func (p__ *%sPtr) Attach(p unsafe.Pointer) { p__.Ref = abi.Own(p, \"%s\") }", gi->name,
      gi->name);
    BLANK(e);
    G(e, 0, "// take%s makes an %s of an interface pointer whose reference the", gi->name,
      gi->name);
    G(e, 0, "// caller hands over: the Go value itself when it is a Go object of this");
    G(e, 0, "// process, else a *%sPtr.", gi->name);
    G(e, 0, "func take%s(p unsafe.Pointer) %s {", gi->name, gi->name);
    G(e, 1, "if p == nil {");
    G(e, 2, "return nil");
    G(e, 1, "}");
    G(e, 1, "if v, ok := abi.Local(p).(%s); ok {", gi->name);
    G(e, 2, "abi.ReleasePointer(p)");
    G(e, 2, "return v");
    G(e, 1, "}");
    G(e, 1, "w := &%sPtr{}", gi->name);
    G(e, 1, "w.Attach(p)");
    G(e, 1, "return w");
    G(e, 0, "}");
    for (i = gi->own; i < gi->all.count; i++) {
        if (!gi->methods[i].ok)
            continue;
        BLANK(e);
        write_wrapper(e, gi, &gi->methods[i]);
    }
    BLANK(e);
}

/* ---- X_export.go: the Go side of each vtable slot of a Go object -------- */

/* How far a Go object may write a struct the caller gave: its struct_size
 * where it has one. */
static const char *limit_of(const go_param *p)
{
    return has_struct_size(p->t.decl) ? "uintptr(c.struct_size)" : "unsafe.Sizeof(*c)";
}

static const char *export_name(go_emitter *e, const go_itf *gi, const go_method *gm)
{
    (void)gi;
    return fmt(e, "facetgo_%s_%s_%s", e->sym, facet_idl__decl_c_name(gm->owner), gm->m->c_name);
}

static void write_export(go_emitter *e, const go_itf *gi, const go_method *gm)
{
    idl_buf params, call, results;
    size_t i;
    int nres = 0;
    const char *itf = facet_idl__decl_c_name(gm->owner);
    facet_idl__buf_init(&params, e->c->mem);
    facet_idl__buf_init(&call, e->c->mem);
    facet_idl__buf_init(&results, e->c->mem);
    for (i = 0; i < gm->count; i++) {
        const go_param *p = &gm->params[i];
        facet_idl__buf_printf(&params, ", %s_ %s", p->name, wire_go(e, p));
    }
    G(e, 0, "//export %s", export_name(e, gi, gm));
    G(e, 0, "func %s(h__ C.uintptr_t%s) (r__ C.int32_t) {", export_name(e, gi, gm),
      params.data ? params.data : "");
    G(e, 1, "defer abi.Recover((*abi.Result)(unsafe.Pointer(&r__)), \"%s.%s\")", itf,
      gm->m->c_name);
    /* Every pointer the Go side must write through is checked first, and
     * every [out] pointer cleared, as a failing call leaves it. */
    for (i = 0; i < gm->count; i++) {
        const go_param *p = &gm->params[i];
        const char *n = p->name;
        int required = 0;
        switch (p->shape) {
        case S_OUT:
        case S_STRUCT_OUT:
        case S_STR_OUT:
        case S_CSTR_OUT:
        case S_ITF_OUT:
        case S_IID_OUT:
        case S_BUF_ALLOC:
        case S_GUID_IN:
        case S_STRUCT_IN:
            required = 1;
            break;
        case S_STR_IN:
            required = !p->unique;
            break;
        case S_BUF_IN:
        case S_BUF_OUT:
        case S_STRS_IN:
            G(e, 1, "if %s_ == nil && %s != 0 {", n,
              p->size_const ? p->size_const : fmt(e, "%s_", gm->params[p->size_param].name));
            G(e, 2, "return C.int32_t(abi.ErrPointer)");
            G(e, 1, "}");
            break;
        default:
            break;
        }
        if (required) {
            G(e, 1, "if %s_ == nil {", n);
            G(e, 2, "return C.int32_t(abi.ErrPointer)");
            G(e, 1, "}");
        }
        if (p->shape == S_STR_OUT || p->shape == S_CSTR_OUT || p->shape == S_ITF_OUT ||
            p->shape == S_IID_OUT || p->shape == S_BUF_ALLOC)
            G(e, 1, "*(*unsafe.Pointer)(%s_) = nil", n);
    }
    /* The Go values of the arguments. */
    for (i = 0; i < gm->count; i++) {
        const go_param *p = &gm->params[i];
        const char *n = p->name;
        if (is_result(p)) {
            facet_idl__buf_printf(&results, "%sres%u__", nres ? ", " : "", (unsigned)nres);
            nres++;
            continue;
        }
        if (call.len)
            facet_idl__buf_puts(&call, ", ");
        switch (p->shape) {
        case S_VAL:
            facet_idl__buf_printf(&call, "%s(%s_)", p->t.go, n);
            break;
        case S_RAWPTR:
            facet_idl__buf_printf(&call, "uintptr(%s_)", n);
            break;
        case S_GUID_IN:
            facet_idl__buf_printf(&call, "abi.GUIDFrom(%s_)", n);
            break;
        case S_STR_IN:
            facet_idl__buf_printf(&call, "abi.GoString(%s_)", n);
            break;
        case S_STRUCT_IN:
            facet_idl__buf_printf(&call, "%sFromC((*C.%s)(%s_))", p->t.go, p->t.c, n);
            break;
        case S_ITF_IN:
            if (p->t.kind == GT_STRING || p->t.kind == GT_BLOB) {
                /* not err__: the call below declares that one */
                G(e, 1, "%s, bad__ := abi.%sOf(%s_)", n, p->t.kind == GT_STRING ? "String" : "Blob",
                  n);
                G(e, 1, "if bad__ != nil {");
                G(e, 2, "return C.int32_t(abi.ResultOf(bad__))");
                G(e, 1, "}");
            } else if (p->t.kind == GT_UNKNOWN) {
                G(e, 1, "%s, done%s__ := abi.Borrowed(%s_)", n, n, n);
                G(e, 1, "defer done%s__()", n);
            } else {
                G(e, 1, "var %s %s", n, p->t.go);
                G(e, 1, "if %s_ != nil {", n);
                G(e, 2, "if v, ok := abi.Local(%s_).(%s); ok {", n, p->t.go);
                G(e, 3, "%s = v", n);
                G(e, 2, "} else {");
                G(e, 3, "w := &%sPtr{Ref: abi.Borrow(%s_, \"%s\")}", p->t.go, n, p->t.go);
                G(e, 3, "defer w.Release()");
                G(e, 3, "%s = w", n);
                G(e, 2, "}");
                G(e, 1, "}");
            }
            facet_idl__buf_printf(&call, "%s", n);
            break;
        case S_BUF_IN:
        case S_BUF_OUT:
            facet_idl__buf_printf(&call, "abi.Slice[%s](%s_, %s)", p->t.go, n,
                                  p->size_const ? p->size_const
                                                : fmt(e, "uint64(%s_)",
                                                      gm->params[p->size_param].name));
            break;
        case S_STRS_IN:
            facet_idl__buf_printf(&call, "abi.GoStrings(%s_, uint64(%s_))", n,
                                  gm->params[p->size_param].name);
            break;
        case S_INOUT:
            G(e, 1, "var %s *%s", n, p->t.go);
            G(e, 1, "if %s_ != nil {", n);
            G(e, 2, "v := %s(*(*C.%s)(%s_))", p->t.go, p->t.c, n);
            G(e, 2, "%s = &v", n);
            G(e, 2, "defer func() { *(*C.%s)(%s_) = C.%s(*%s) }()", p->t.c, n, p->t.c, n);
            G(e, 1, "}");
            facet_idl__buf_printf(&call, "%s", n);
            break;
        case S_STRUCT_INOUT:
            G(e, 1, "var %s *%s", n, p->t.go);
            G(e, 1, "if %s_ != nil {", n);
            G(e, 2, "c := (*C.%s)(%s_)", p->t.c, n);
            G(e, 2, "v := %sFromC(c)", p->t.go);
            G(e, 2, "%s = &v", n);
            G(e, 2, "defer func(size uintptr) { v.toCWithin(c, size) }(%s)", limit_of(p));
            G(e, 1, "}");
            facet_idl__buf_printf(&call, "%s", n);
            break;
        default:
            break;
        }
    }
    if (nres)
        G(e, 1, "%s, err__ := abi.Value(uintptr(h__)).(%s).%s(%s)", results.data, itf,
          gm->go_name, call.data ? call.data : "");
    else
        G(e, 1, "err__ := abi.Value(uintptr(h__)).(%s).%s(%s)", itf, gm->go_name,
          call.data ? call.data : "");
    G(e, 1, "if err__ != nil {");
    G(e, 2, "return C.int32_t(abi.ResultOf(err__))");
    G(e, 1, "}");
    nres = 0;
    for (i = 0; i < gm->count; i++) {
        const go_param *p = &gm->params[i];
        const char *n = p->name;
        const char *res;
        if (!is_result(p))
            continue;
        res = fmt(e, "res%u__", (unsigned)nres++);
        switch (p->shape) {
        case S_OUT:
            if (p->t.kind == GT_VOID)
                G(e, 1, "*(*uintptr)(%s_) = %s", n, res);
            else if (p->t.kind == GT_GUID)
                G(e, 1, "*(*C.FacetGuid)(%s_) = *(*C.FacetGuid)(%s.C())", n, res);
            else
                G(e, 1, "*(*C.%s)(%s_) = C.%s(%s)", p->t.c, n, p->t.c, res);
            break;
        case S_STRUCT_OUT:
            G(e, 1, "{");
            G(e, 2, "c := (*C.%s)(%s_)", p->t.c, n);
            G(e, 2, "%s.toCWithin(c, %s)", res, limit_of(p));
            G(e, 1, "}");
            break;
        case S_STR_OUT:
            G(e, 1, "if err__ := abi.PutString(%s_, %s); err__ != nil {", n, res);
            G(e, 2, "return C.int32_t(abi.ResultOf(err__))");
            G(e, 1, "}");
            break;
        case S_CSTR_OUT:
            G(e, 1, "if err__ := abi.PutKeptString(%s_, uintptr(h__), %s); err__ != nil {", n, res);
            G(e, 2, "return C.int32_t(abi.ResultOf(err__))");
            G(e, 1, "}");
            break;
        case S_ITF_OUT:
        case S_IID_OUT: {
            const char *iid =
                p->shape == S_IID_OUT
                    ? fmt(e, "abi.GUIDFrom(%s_)", gm->params[p->iid_param].name)
                : p->t.kind == GT_UNKNOWN ? "abi.IID_IFacetUnknown"
                                          : fmt(e, "IID_%s", p->t.go);
            if (p->t.kind == GT_STRING || p->t.kind == GT_BLOB)
                G(e, 1, "if err__ := abi.Put%s(%s_, %s); err__ != nil {",
                  p->t.kind == GT_STRING ? "StringObject" : "BlobObject", n, res);
            else
                G(e, 1, "if err__ := abi.PutObject(%s_, %s, %s); err__ != nil {", n, res, iid);
            G(e, 2, "return C.int32_t(abi.ResultOf(err__))");
            G(e, 1, "}");
            break;
        }
        case S_BUF_ALLOC:
            G(e, 1, "if err__ := abi.PutSlice(%s_, %s, uint64(%s_)); err__ != nil {", n, res,
              gm->params[p->size_param].name);
            G(e, 2, "return C.int32_t(abi.ResultOf(err__))");
            G(e, 1, "}");
            break;
        }
    }
    G(e, 1, "return C.int32_t(abi.OK)");
    G(e, 0, "}");
    BLANK(e);
    facet_idl__buf_free(&params);
    facet_idl__buf_free(&call);
    facet_idl__buf_free(&results);
}

/* ---- X_glue.c: trampolines and vtables ---------------------------------- */

static void write_glue_itf(go_emitter *e, const go_itf *gi)
{
    size_t i, k;
    const idl_decl *it;
    int iids = 0;
    W(e, 0, "/* ---- %s */", gi->name);
    BLANK(e);
    for (i = gi->own; i < gi->all.count; i++) {
        const go_method *gm = &gi->methods[i];
        idl_buf params, args;
        facet_idl__buf_init(&params, e->c->mem);
        facet_idl__buf_init(&args, e->c->mem);
        for (k = 0; k < gm->count; k++) {
            const go_param *p = &gm->params[k];
            idl_buf d;
            facet_idl__buf_init(&d, e->c->mem);
            facet_idl__write_decl(&d, p->v->type, p->name);
            facet_idl__buf_printf(&params, ", %s", d.data ? d.data : "");
            facet_idl__buf_printf(&args, ", %s", wire_arg_c(e, p));
            facet_idl__buf_free(&d);
        }
        W(e, 0, "static FacetResult FACET_CALL tramp_%s_%s(%s *self__%s)", gi->name,
          gm->m->c_name, gi->name, params.data ? params.data : "");
        W(e, 0, "{");
        W(e, 1, "return %s(FACETGO_HANDLE(self__)%s);", export_name(e, gi, gm),
          args.data ? args.data : "");
        W(e, 0, "}");
        BLANK(e);
        facet_idl__buf_free(&params);
        facet_idl__buf_free(&args);
    }
    W(e, 0, "static const %sVtbl %s_vtbl = {", gi->name, gi->name);
    W(e, 1, "(FacetResult(FACET_CALL *)(%s *, const FacetGuid *, void **))facetgo_qi,", gi->name);
    W(e, 1, "(uint32_t(FACET_CALL *)(%s *))facetgo_addref,", gi->name);
    W(e, 1, "(uint32_t(FACET_CALL *)(%s *))facetgo_release,", gi->name);
    for (i = gi->own; i < gi->all.count; i++)
        W(e, 1, "tramp_%s_%s,", gi->name, gi->methods[i].m->c_name);
    W(e, 0, "};");
    BLANK(e);
    W(e, 0, "static const FacetGuid %s_iids[] = {", gi->name);
    for (it = gi->d; it && !it->builtin; it = it->base, iids++)
        W(e, 1, "%s, /* %s */", guid_c(e, it->guid), facet_idl__decl_c_name(it));
    W(e, 0, "};");
    BLANK(e);
    W(e, 0, "const FacetGoDesc facetgo_desc_%s_%s = {&%s_vtbl, %d, %s_iids};", e->sym, gi->name,
      gi->name, iids, gi->name);
    BLANK(e);
}

/* ---- Structs, enums and constants --------------------------------------- */

typedef struct go_field {
    const idl_var *v;
    const char *go;     /* field name in Go */
    const char *c;      /* field name as cgo sees it */
    go_type t;
} go_field;

static int struct_fields(go_emitter *e, const idl_decl *d, go_field **out)
{
    size_t i, j;
    go_field *fs = facet_idl__alloc(e->c->arena, sizeof(go_field) * (d->fields.count + 1));
    int ok = 1;
    *out = fs;
    if (!fs) {
        facet_idl__oom(e->c);
        return 0;
    }
    for (i = 0; i < d->fields.count; i++) {
        go_field *f = &fs[i];
        f->v = d->fields.items[i];
        f->t = classify(e, f->v->type);
        if (!f->v->name) {
            facet_idl__error(e->c, f->v->loc, "--lang go: struct %s has an unnamed field",
                             d->name ? d->name : "");
            ok = 0;
            continue;
        }
        f->go = exported(e, f->v->name);
        f->c = cgo_field(e, f->v->name);
        for (j = 0; j < i; j++)
            if (fs[j].go && strcmp(fs[j].go, f->go) == 0) {
                facet_idl__error(e->c, f->v->loc,
                                 "--lang go: fields '%s' and '%s' of struct %s are both %s in "
                                 "Go",
                                 fs[j].v->name, f->v->name, d->name ? d->name : "", f->go);
                ok = 0;
            }
        if (f->t.level > 0) {
            f->t.kind = GT_VOID; /* any pointer: uintptr */
        } else if (f->t.kind == GT_OTHER || f->t.kind == GT_ITF || f->t.kind == GT_UNKNOWN ||
                   f->t.kind == GT_STRING || f->t.kind == GT_BLOB || f->t.kind == GT_VOID) {
            facet_idl__error(e->c, f->v->loc,
                             "--lang go: field '%s' of struct %s is %s, which the Go mapping "
                             "does not carry",
                             f->v->name, d->name ? d->name : "",
                             f->t.kind == GT_OTHER ? f->t.why : "an object by value");
            ok = 0;
        } else if (f->t.kind == GT_STRUCT && f->t.array) {
            facet_idl__error(e->c, f->v->loc,
                             "--lang go: field '%s' of struct %s is an array of structs, which "
                             "the Go mapping does not carry",
                             f->v->name, d->name ? d->name : "");
            ok = 0;
        }
    }
    return ok;
}

static const char *field_go_type(go_emitter *e, const go_field *f)
{
    if (f->t.kind == GT_VOID)
        return "uintptr";
    if (f->t.array)
        return fmt(e, "[%u]%s", (unsigned)f->t.array, f->t.go);
    return f->t.go;
}

/* Go from C, and C from Go, for one field. */
static void field_from_c(go_emitter *e, const go_field *f, int indent)
{
    if (f->t.kind == GT_VOID)
        G(e, indent, "s.%s = uintptr(unsafe.Pointer(c.%s))", f->go, f->c);
    else if (f->t.array && f->t.kind == GT_GUID)
        G(e, indent, "for i := range s.%s { s.%s[i] = abi.GUIDFrom(unsafe.Pointer(&c.%s[i])) }",
          f->go, f->go, f->c);
    else if (f->t.array)
        G(e, indent, "for i := range s.%s { s.%s[i] = %s(c.%s[i]) }", f->go, f->go, f->t.go,
          f->c);
    else if (f->t.kind == GT_GUID)
        G(e, indent, "s.%s = abi.GUIDFrom(unsafe.Pointer(&c.%s))", f->go, f->c);
    else if (f->t.kind == GT_STRUCT)
        G(e, indent, "s.%s = %sFromC(&c.%s)", f->go, f->t.go, f->c);
    else
        G(e, indent, "s.%s = %s(c.%s)", f->go, f->t.go, f->c);
}

static void field_to_c(go_emitter *e, const go_field *f, int indent)
{
    if (f->t.kind == GT_VOID)
        G(e, indent, "*(*uintptr)(unsafe.Pointer(&c.%s)) = s.%s", f->c, f->go);
    else if (f->t.array && f->t.kind == GT_GUID)
        G(e, indent,
          "for i := range s.%s { c.%s[i] = *(*C.FacetGuid)(s.%s[i].C()) }", f->go, f->c, f->go);
    else if (f->t.array)
        G(e, indent, "for i := range s.%s { c.%s[i] = C.%s(s.%s[i]) }", f->go, f->c,
          f->t.kind == GT_CHAR ? "char" : f->t.c, f->go);
    else if (f->t.kind == GT_GUID)
        G(e, indent, "c.%s = *(*C.FacetGuid)(s.%s.C())", f->c, f->go);
    else if (f->t.kind == GT_STRUCT)
        G(e, indent, "s.%s.toC(&c.%s)", f->go, f->c);
    else
        G(e, indent, "c.%s = C.%s(s.%s)", f->c, f->t.kind == GT_CHAR ? "char" : f->t.c, f->go);
}

static void write_struct(go_emitter *e, const idl_decl *d)
{
    go_field *fs;
    size_t i;
    const char *cname = aggregate_name(e->file, d);
    const char *name, *ct;
    int sized;
    if (!d->defined || !cname)
        return;
    if (!struct_fields(e, d, &fs))
        return;
    name = exported(e, cname);
    ct = struct_cgo(e, d);
    sized = has_struct_size(d) && fs[0].t.kind == GT_SCALAR && strcmp(fs[0].t.go, "uint32") == 0;
    G(e, 0, "// %s is struct %s of %s, copied field by field to and from C.", name, cname,
      e->file->name);
    if (sized) {
        G(e, 0, "// Its StructSize is the struct_size rule's (abi.h rule 5): a copy from C");
        G(e, 0, "// reads and a copy to C writes no field past it.");
    }
    G(e, 0, "type %s struct {", name);
    for (i = 0; i < d->fields.count; i++)
        G(e, 1, "%s %s", fs[i].go, field_go_type(e, &fs[i]));
    G(e, 1, "cAddress uintptr");
    G(e, 0, "}");
    BLANK(e);
    G(e, 0, "// CAddress is where in C memory s was copied from (0 for one made in Go):");
    G(e, 0, "// what a pointer field that points at the struct itself holds.");
    G(e, 0, "func (s *%s) CAddress() uintptr { return s.cAddress }", name);
    BLANK(e);
    G(e, 0, "// %sSize is sizeof(%s) in C.", name, cname);
    G(e, 0, "const %sSize = uint32(unsafe.Sizeof(C.%s{}))", name, ct);
    BLANK(e);
    G(e, 0, "// %sFromC copies a struct from C.", name);
    G(e, 0, "func %sFromC(c *C.%s) (s %s) {", name, ct, name);
    G(e, 1, "s.readC(c)");
    G(e, 1, "return s");
    G(e, 0, "}");
    BLANK(e);
    G(e, 0, "// readC copies c's fields into s%s.",
      sized ? ", as far as c's struct_size reaches: the rest of s stays as it was" : "");
    G(e, 0, "func (s *%s) readC(c *C.%s) {", name, ct);
    G(e, 1, "s.cAddress = uintptr(unsafe.Pointer(c))");
    if (sized) {
        G(e, 1, "size := uintptr(c.struct_size)");
        G(e, 1, "s.StructSize = uint32(c.struct_size)");
        for (i = 1; i < d->fields.count; i++) {
            G(e, 1, "if unsafe.Offsetof(c.%s)+unsafe.Sizeof(c.%s) <= size {", fs[i].c, fs[i].c);
            field_from_c(e, &fs[i], 2);
            G(e, 1, "}");
        }
    } else {
        for (i = 0; i < d->fields.count; i++)
            field_from_c(e, &fs[i], 1);
    }
    G(e, 0, "}");
    BLANK(e);
    G(e, 0, "func (s *%s) toC(c *C.%s) {", name, ct);
    for (i = 0; i < d->fields.count; i++)
        field_to_c(e, &fs[i], 1);
    G(e, 0, "}");
    BLANK(e);
    G(e, 0, "// toCWithin writes no further than limit bytes of c%s.",
      sized ? ", and a StructSize no larger" : "");
    G(e, 0, "func (s *%s) toCWithin(c *C.%s, limit uintptr) {", name, ct);
    if (sized) {
        G(e, 1, "size := uintptr(s.StructSize)");
        G(e, 1, "if size > limit {");
        G(e, 2, "size = limit");
        G(e, 1, "}");
        G(e, 1, "c.struct_size = C.uint32_t(size)");
    } else {
        G(e, 1, "size := limit");
    }
    for (i = sized ? 1 : 0; i < d->fields.count; i++) {
        G(e, 1, "if unsafe.Offsetof(c.%s)+unsafe.Sizeof(c.%s) <= size {", fs[i].c, fs[i].c);
        field_to_c(e, &fs[i], 2);
        G(e, 1, "}");
    }
    G(e, 0, "}");
    BLANK(e);
}

static void write_enum(go_emitter *e, const idl_decl *d)
{
    const char *cname = aggregate_name(e->file, d);
    const char *name = cname ? exported(e, cname) : "int32";
    size_t i;
    if (!d->defined || d->enumerators.count == 0)
        return;
    if (cname) {
        G(e, 0, "// %s is enum %s of %s, carried as int32.", name, cname, e->file->name);
        G(e, 0, "type %s int32", name);
        BLANK(e);
    }
    G(e, 0, "const (");
    for (i = 0; i < d->enumerators.count; i++) {
        const idl_enumerator *en = d->enumerators.items[i];
        G(e, 1, "%s %s = C.%s", exported(e, en->name), name, en->name);
    }
    G(e, 0, ")");
    BLANK(e);
}

static void write_const_go(go_emitter *e, const idl_decl *d)
{
    idl_buf v;
    facet_idl__buf_init(&v, e->c->mem);
    facet_idl__write_expr(&v, d->value);
    if (d->value && d->value->op == 's')
        G(e, 0, "const %s = %s", exported(e, d->name), v.data ? v.data : "\"\"");
    else if (d->value)
        G(e, 0, "const %s = C.%s", exported(e, d->name), d->name);
    facet_idl__buf_free(&v);
}

/* ---- The files ---------------------------------------------------------- */

static void each_decl(const idl_vec *decls, void (*fn)(go_emitter *, const idl_decl *),
                      go_emitter *e)
{
    size_t i;
    for (i = 0; i < decls->count; i++) {
        const idl_decl *d = decls->items[i];
        if (d->kind == D_LIBRARY)
            each_decl(&d->members, fn, e);
        else
            fn(e, d);
    }
}

static void decl_types(go_emitter *e, const idl_decl *d)
{
    if (d->file != e->file)
        return;
    if (d->kind == D_STRUCT)
        write_struct(e, d);
    else if (d->kind == D_ENUM)
        write_enum(e, d);
    else if (d->kind == D_TYPEDEF) {
        size_t k;
        for (k = 0; k < d->vars.count; k++) {
            const idl_var *v = d->vars.items[k];
            if (v->type && v->type->kind == TY_NAMED && v->type->defines && v->type->decl) {
                if (v->type->decl->kind == D_STRUCT)
                    write_struct(e, v->type->decl);
                else if (v->type->decl->kind == D_ENUM)
                    write_enum(e, v->type->decl);
            }
        }
    } else if (d->kind == D_CONST)
        write_const_go(e, d);
    else if (d->kind == D_COCLASS && d->has_uuid) {
        G(e, 0, "// CLSID_%s identifies coclass %s.", d->name, d->name);
        G(e, 0, "var CLSID_%s = abi.MustGUID(\"%s\")", d->name, guid_text(e, d->guid));
        BLANK(e);
    } else if (d->kind == D_UNION && d->defined && d->name) {
        /* a union is never a parameter the mapping carries: nothing to write */
    }
}

/* The interfaces of the file, each with its methods mapped. */
typedef struct go_itfs {
    go_itf *items;
    size_t count;
} go_itfs;

static void gather(go_emitter *e, const idl_vec *decls, idl_vec *out)
{
    size_t i;
    for (i = 0; i < decls->count; i++) {
        idl_decl *d = decls->items[i];
        if (d->kind == D_LIBRARY)
            gather(e, &d->members, out);
        else if (d->kind == D_INTERFACE && d->file == e->file && d->defined && d->object &&
                 d->has_uuid && !d->builtin)
            facet_idl__vec_push(e->c->arena, out, d);
    }
}

static void write_go_file(go_emitter *e, const go_itfs *gi)
{
    size_t i;
    G(e, 0, "// Code generated by facet-idl %s from %s. DO NOT EDIT.", FACET_IDL_VERSION,
      e->file->name);
    BLANK(e);
    G(e, 0, "// Package %s is the Go side of %s: its interfaces as Go", e->pkg, e->file->name);
    G(e, 0, "// interfaces, typed references that call objects of any language");
    G(e, 0, "// through their vtables (IXxxPtr), and the glue that hands Go values");
    G(e, 0, "// implementing them to C as Facet objects.");
    G(e, 0, "package %s", e->pkg);
    BLANK(e);
    G(e, 0, "/*");
    W(e, 0, "#include <stdint.h>");
    W(e, 0, "#include \"%s.h\"", e->file->stem);
    BLANK(e);
    W(e, 0, "// What abi registers of each interface (bindings/go/abi/object.h).");
    W(e, 0, "typedef struct FacetGoDesc {");
    W(e, 1, "const void *vtbl;");
    W(e, 1, "uint32_t iid_count;");
    W(e, 1, "const FacetGuid *iids;");
    W(e, 0, "} FacetGoDesc;");
    BLANK(e);
    for (i = 0; i < gi->count; i++)
        W(e, 0, "extern const FacetGoDesc facetgo_desc_%s_%s;", e->sym, gi->items[i].name);
    BLANK(e);
    for (i = 0; i < gi->count; i++)
        write_call_helpers(e, &gi->items[i]);
    G(e, 0, "*/");
    G(e, 0, "import \"C\"");
    BLANK(e);
    G(e, 0, "import (");
    if (gi->count)
        G(e, 1, "\"reflect\"");
    G(e, 1, "\"unsafe\"");
    BLANK(e);
    G(e, 1, "\"facet.dev/facet/abi\"");
    G(e, 0, ")");
    BLANK(e);
    G(e, 0, "var _ unsafe.Pointer");
    BLANK(e);
    each_decl(&e->file->decls, decl_types, e);
    for (i = 0; i < gi->count; i++)
        write_interface_go(e, &gi->items[i]);
    G(e, 0, "func init() {");
    for (i = 0; i < gi->count; i++) {
        const char *n = gi->items[i].name;
        G(e, 1, "abi.RegisterInterface(abi.Interface{IID: IID_%s, Name: \"%s\",", n, n);
        G(e, 2, "Type: reflect.TypeOf((*%s)(nil)).Elem(),", n);
        G(e, 2, "Desc: unsafe.Pointer(&C.facetgo_desc_%s_%s)})", e->sym, n);
    }
    G(e, 0, "}");
}

static void write_export_file(go_emitter *e, const go_itfs *gi)
{
    size_t i, k;
    G(e, 0, "// Code generated by facet-idl %s from %s. DO NOT EDIT.", FACET_IDL_VERSION,
      e->file->name);
    BLANK(e);
    G(e, 0, "package %s", e->pkg);
    BLANK(e);
    G(e, 0, "// The Go function each vtable slot of a Go object calls (%s_glue.c):", e->file->stem);
    G(e, 0, "// it finds the Go value by its handle, converts the arguments, calls");
    G(e, 0, "// the method and writes back its results. A panic never crosses into C.");
    BLANK(e);
    G(e, 0, "/*");
    G(e, 0, "#include <stdint.h>");
    G(e, 0, "#include \"%s.h\"", e->file->stem);
    G(e, 0, "*/");
    G(e, 0, "import \"C\"");
    BLANK(e);
    G(e, 0, "import (");
    G(e, 1, "\"unsafe\"");
    BLANK(e);
    G(e, 1, "\"facet.dev/facet/abi\"");
    G(e, 0, ")");
    BLANK(e);
    G(e, 0, "var _ = abi.OK");
    G(e, 0, "var _ unsafe.Pointer");
    BLANK(e);
    for (i = 0; i < gi->count; i++)
        for (k = gi->items[i].own; k < gi->items[i].all.count; k++)
            if (gi->items[i].methods[k].owner == gi->items[i].d)
                write_export(e, &gi->items[i], &gi->items[i].methods[k]);
}

static void write_glue_file(go_emitter *e, const go_itfs *gi)
{
    size_t i;
    W(e, 0, "/*** Autogenerated by facet-idl %s from %s - do not edit ***/", FACET_IDL_VERSION,
      e->file->name);
    BLANK(e);
    W(e, 0, "/*");
    W(e, 0, " * The vtables of Go objects that implement the interfaces of %s: each",
      e->file->name);
    W(e, 0, " * slot a trampoline to the Go function of %s_export.go, and", e->file->stem);
    W(e, 0, " * QueryInterface, AddRef and Release those of facet.dev/facet/abi.");
    W(e, 0, " */");
    W(e, 0, "#include <stdint.h>");
    BLANK(e);
    W(e, 0, "#include \"%s.h\"", e->file->stem);
    W(e, 0, "#include \"_cgo_export.h\"");
    BLANK(e);
    W(e, 0, "/* The layout of a Go object's interface pointer (bindings/go/abi/object.h):");
    W(e, 0, " * its vtable, then its object, whose first field is the runtime/cgo.Handle");
    W(e, 0, " * of the Go value. */");
    W(e, 0, "#define FACETGO_HANDLE(self) (**(uintptr_t *const *)((const char *)(self) + "
            "sizeof(void *)))");
    BLANK(e);
    W(e, 0, "typedef struct FacetGoDesc {");
    W(e, 1, "const void *vtbl;");
    W(e, 1, "uint32_t iid_count;");
    W(e, 1, "const FacetGuid *iids;");
    W(e, 0, "} FacetGoDesc;");
    BLANK(e);
    W(e, 0, "FacetResult FACET_CALL facetgo_qi(void *self, const FacetGuid *iid, void **out);");
    W(e, 0, "uint32_t FACET_CALL facetgo_addref(void *self);");
    W(e, 0, "uint32_t FACET_CALL facetgo_release(void *self);");
    BLANK(e);
    for (i = 0; i < gi->count; i++)
        write_glue_itf(e, &gi->items[i]);
}

/* Maps the interfaces of f for one of its three files, each written on
 * its own from the same mapping. Returns 0 when a parameter has no Go
 * mapping (an error at it, reported once: by X.go, the first of the
 * three, after which the others write nothing). */
static int begin(go_emitter *e, go_itfs *gi, idl_sema *s, const idl_file *f, idl_buf *out)
{
    idl_ctx *c = s->c;
    idl_vec decls;
    size_t i;
    int ok = 1;
    memset(e, 0, sizeof *e);
    memset(&decls, 0, sizeof decls);
    if (facet_idl__failed(c))
        return 0;
    e->c = c;
    e->file = f;
    e->out = out;
    e->pkg = package_name(e);
    e->sym = facet_idl__symbol_stem(c, f);
    gather(e, &f->decls, &decls);
    gi->count = decls.count;
    gi->items = facet_idl__alloc(c->arena, sizeof(go_itf) * (decls.count + 1));
    if (!gi->items) {
        facet_idl__oom(c);
        return 0;
    }
    for (i = 0; i < decls.count; i++)
        if (!collect_itf(e, decls.items[i], &gi->items[i]))
            ok = 0;
    return ok && !facet_idl__failed(c);
}

void facet_idl__emit_go(idl_sema *s, const idl_file *f, idl_buf *out)
{
    go_emitter e;
    go_itfs gi;
    if (begin(&e, &gi, s, f, out))
        write_go_file(&e, &gi);
}

void facet_idl__emit_go_export(idl_sema *s, const idl_file *f, idl_buf *out)
{
    go_emitter e;
    go_itfs gi;
    if (begin(&e, &gi, s, f, out))
        write_export_file(&e, &gi);
}

void facet_idl__emit_go_glue(idl_sema *s, const idl_file *f, idl_buf *out)
{
    go_emitter e;
    go_itfs gi;
    if (begin(&e, &gi, s, f, out))
        write_glue_file(&e, &gi);
}
