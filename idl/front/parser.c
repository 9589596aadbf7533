/*
 * parser.c - recursive descent over the preprocessed tokens of one file.
 *
 * The grammar is MIDL's as far as C headers need it. The parser builds the
 * tree and reports the first syntax error ("expected X, found Y"); after an
 * error every loop ends at the next check of p_failed(), and the tree is
 * thrown away with the arena. Names are resolved later, by sema.
 */
#include <ctype.h>
#include <string.h>

#include "front.h"

/* What the parsers of one compilation share: a file's parser starts the
 * parser of each file it imports. */
typedef struct front {
    idl_ctx *c;
    idl_vec import_stack; /* idl_file *, the files being parsed, for cycle messages */
    idl_parsed_fn parsed; /* told of each file once it is parsed */
    void *payload;
} front;

typedef struct parser {
    front *fr;
    idl_ctx *c;
    idl_file *file;
    idl_pp *pp;
    idl_token tok;   /* the current token */
    idl_token next;  /* one token of lookahead, when have_next */
    int have_next;
    idl_vec *out;    /* where declarations go: the file's, or a library's */
    int quoted_if;   /* #if lines passed through cpp_quote, not yet closed */
    int quoted_if0;  /* the level of an open cpp_quote("#if 0"), or 0 */
} parser;

static int p_failed(parser *p)
{
    return facet_idl__failed(p->c);
}

static void advance(parser *p)
{
    if (p->have_next) {
        p->tok = p->next;
        p->have_next = 0;
    } else if (p_failed(p)) {
        memset(&p->tok, 0, sizeof p->tok);
        p->tok.kind = TK_EOF;
        p->tok.text = "";
    } else {
        facet_idl__pp_next(p->pp, &p->tok);
    }
}

static const idl_token *peek2(parser *p)
{
    if (!p->have_next) {
        facet_idl__pp_next(p->pp, &p->next);
        p->have_next = 1;
    }
    return &p->next;
}

static int is(parser *p, const char *s)
{
    return facet_idl__tok_is(&p->tok, s);
}

static int accept(parser *p, const char *s)
{
    if (is(p, s)) {
        advance(p);
        return 1;
    }
    return 0;
}

static void fail(parser *p, const char *what)
{
    if (!p_failed(p))
        facet_idl__error(p->c, p->tok.loc, "expected %s, found %s", what,
                         facet_idl__tok_describe(p->c, &p->tok));
}

static int expect(parser *p, const char *s)
{
    if (accept(p, s))
        return 1;
    if (!p_failed(p)) {
        char what[64];
        strcpy(what, "'");
        strncat(what, s, 40);
        strcat(what, "'");
        fail(p, what);
    }
    return 0;
}

static const char *expect_ident(parser *p, const char *what)
{
    const char *s;
    if (p->tok.kind != TK_IDENT) {
        fail(p, what);
        return NULL;
    }
    s = p->tok.text;
    advance(p);
    return s;
}

static void *node(parser *p, size_t size)
{
    void *n = facet_idl__alloc(p->c->arena, size);
    if (!n)
        facet_idl__oom(p->c);
    return n;
}

static void push(parser *p, idl_vec *v, void *item)
{
    if (item && !facet_idl__vec_push(p->c->arena, v, item))
        facet_idl__oom(p->c);
}

/* cpp_quote and string attributes: \" and \\ stand for themselves. */
static const char *unescape(parser *p, const char *s)
{
    size_t n = strlen(s), i, j = 0;
    char *d = node(p, n + 1);
    if (!d)
        return "";
    for (i = 0; i < n; i++) {
        if (s[i] == '\\' && (s[i + 1] == '"' || s[i + 1] == '\\'))
            i++;
        d[j++] = s[i];
    }
    d[j] = '\0';
    return d;
}

/* ---- Expressions ------------------------------------------------------- */

static idl_type *parse_type_name(parser *p);
static idl_expr *parse_expr(parser *p);

static idl_expr *expr_node(parser *p, int op, idl_loc loc)
{
    idl_expr *e = node(p, sizeof(*e));
    if (e) {
        e->op = op;
        e->loc = loc;
    }
    return e;
}

static int starts_type(parser *p, const idl_token *t);
static const idl_token *peek2(parser *p);
static idl_type *type_node(parser *p, int kind, idl_loc loc);

static idl_expr *parse_unary(parser *p)
{
    idl_loc loc = p->tok.loc;
    idl_expr *e;
    if (++p->c->depth > IDL_MAX_DEPTH) {
        if (!p_failed(p))
            facet_idl__error(p->c, loc, "expression nested too deeply");
        p->c->depth--;
        return NULL;
    }
    if (is(p, "-") || is(p, "+") || is(p, "!") || is(p, "~") || is(p, "*") || is(p, "&")) {
        e = expr_node(p, 'u', loc);
        if (e)
            e->name = p->tok.text;
        advance(p);
        if (e)
            e->a = parse_unary(p);
    } else if (is(p, "(")) {
        advance(p);
        if (starts_type(p, &p->tok) ||
            (p->tok.kind == TK_IDENT && facet_idl__tok_is(peek2(p), "*"))) {
            e = expr_node(p, 'C', loc);
            if (e)
                e->type = parse_type_name(p);
            expect(p, ")");
            if (e)
                e->a = parse_unary(p);
        } else {
            e = expr_node(p, 'p', loc);
            if (e)
                e->a = parse_expr(p);
            expect(p, ")");
            /* (NAME)x and (NAME)(x): a cast to a typedef name */
            if (e && e->a && e->a->op == 'i' &&
                (p->tok.kind == TK_IDENT || p->tok.kind == TK_INT || is(p, "(") || is(p, "~") ||
                 is(p, "!") || is(p, "*") || is(p, "&"))) {
                idl_type *t = type_node(p, TY_NAMED, e->a->loc);
                if (t)
                    t->spelled = e->a->name;
                e->op = 'C';
                e->type = t;
                e->a = parse_unary(p);
            }
        }
    } else if (is(p, "sizeof")) {
        advance(p);
        e = expr_node(p, 'z', loc);
        expect(p, "(");
        if (e)
            e->type = parse_type_name(p);
        expect(p, ")");
    } else if (p->tok.kind == TK_INT || p->tok.kind == TK_FLOAT || p->tok.kind == TK_STRING ||
               p->tok.kind == TK_CHAR || p->tok.kind == TK_UUID) {
        static const char ops[] = {0, 0, 'n', 'f', 's', 'c', 'g'};
        e = expr_node(p, ops[p->tok.kind], loc);
        if (e) {
            e->text = p->tok.text;
            e->value = p->tok.value;
        }
        advance(p);
        /* adjacent strings join */
        while (e && e->op == 's' && p->tok.kind == TK_STRING) {
            e->text = facet_idl__printf(p->c->arena, "%s%s", e->text, p->tok.text);
            advance(p);
        }
    } else if (p->tok.kind == TK_IDENT) {
        e = expr_node(p, 'i', loc);
        if (e)
            e->name = p->tok.text;
        advance(p);
    } else {
        fail(p, "an expression");
        e = NULL;
    }
    p->c->depth--;
    return e;
}

static idl_expr *parse_binary(parser *p, int min_prec)
{
    idl_expr *lhs = parse_unary(p);
    while (!p_failed(p)) {
        int prec = facet_idl__binop_prec(&p->tok);
        idl_expr *e;
        if (!prec || prec < min_prec)
            break;
        e = expr_node(p, 'b', p->tok.loc);
        if (!e)
            return NULL;
        e->name = p->tok.text;
        advance(p);
        e->a = lhs;
        e->b = parse_binary(p, prec + 1);
        lhs = e;
    }
    return lhs;
}

static idl_expr *parse_expr(parser *p)
{
    idl_expr *c = parse_binary(p, 1);
    if (is(p, "?")) {
        idl_expr *e = expr_node(p, '?', p->tok.loc);
        advance(p);
        if (!e)
            return NULL;
        e->a = c;
        e->b = parse_expr(p);
        expect(p, ":");
        e->c = parse_expr(p);
        return e;
    }
    return c;
}

/* ---- Attributes -------------------------------------------------------- */

static const char *const known_attrs[] = {
    "aggregatable", "annotation", "appobject", "async", "async_uuid", "auto_handle",
    "bindable", "broadcast", "byte_count", "call_as", "callback", "case", "code",
    "comm_status", "context_handle", "context_handle_noserialize",
    "context_handle_serialize", "control", "cpp_quote", "custom", "decode", "default",
    "default_overload", "defaultbind", "defaultcollelem", "defaultvalue", "defaultvtable",
    "disable_consistency_check", "displaybind", "dllname", "dual", "enable_allocate",
    "encode", "endpoint", "entry", "event_add", "event_remove", "exclusiveto",
    "explicit_handle", "fault_status", "first_is", "force_allocate", "handle",
    "helpcontext", "helpfile", "helpstring", "helpstringcontext", "helpstringdll",
    "hidden", "id", "idempotent", "ignore", "iid_is", "immediatebind", "implicit_handle",
    "in", "in_line", "input_sync", "last_is", "lcid", "length_is", "licensed", "local",
    "marshaling_behavior", "maybe", "message", "contract", "nocode", "nonbrowsable",
    "noncreatable", "nonextensible", "notify", "notify_flag", "object", "odl", "oleautomation",
    "optimize", "optional", "out", "out_of_line", "overload", "partial_ignore",
    "pointer_default", "progid", "propget", "propput", "propputref", "protected", "proxy",
    "ptr", "public", "range", "readonly", "ref", "represent_as", "requestedit",
    "restricted", "retval", "size_is", "source", "strict_context_handle", "string",
    "switch_is", "switch_type", "threading", "transmit_as", "uidefault", "unique",
    "user_marshal", "usesgetlasterror", "uuid", "v1_enum", "vararg", "version",
    "vi_progid", "wire_marshal", "activatable", "composable", "static", "default_interface",
    "deprecated", "eventadd", "eventremove", "flags", "marshaling_behavior", "mta", "sta",
    "noncreatable", "allocate", "max_is", "min_is", "lcid", "nonsafe", NULL};

static int known_attr(const char *name)
{
    size_t i;
    for (i = 0; known_attrs[i]; i++)
        if (strcmp(known_attrs[i], name) == 0)
            return 1;
    return 0;
}

/* uuid(xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx), the GUID bare or in quotes */
static void parse_uuid_arg(parser *p, idl_attr *a)
{
    const char *text = NULL;
    size_t n = 0;
    if (p->tok.kind == TK_UUID || p->tok.kind == TK_STRING) {
        text = p->tok.text;
        n = facet_idl__guid_scan(text, text + strlen(text), a->guid);
    }
    if (!n || text[n] != '\0') {
        if (!p_failed(p))
            facet_idl__error(p->c, p->tok.loc,
                             "malformed GUID: expected 8-4-4-4-12 hexadecimal digits "
                             "(00000000-0000-0000-C000-000000000046), found %s",
                             facet_idl__tok_describe(p->c, &p->tok));
        return;
    }
    advance(p);
}

static idl_attr *parse_attrs(parser *p)
{
    idl_attr *head = NULL, **tail = &head;
    if (!is(p, "["))
        return NULL;
    advance(p);
    while (!p_failed(p)) {
        idl_attr *a;
        if (p->tok.kind != TK_IDENT) {
            fail(p, "an attribute name");
            break;
        }
        a = node(p, sizeof(*a));
        if (!a)
            break;
        a->name = p->tok.text;
        a->loc = p->tok.loc;
        if (!known_attr(a->name)) {
            facet_idl__error(p->c, a->loc, "unknown attribute '%s': expected a MIDL attribute such "
                             "as object, uuid, local, in, out, retval, size_is, string or iid_is",
                             a->name);
            break;
        }
        advance(p);
        if (accept(p, "(")) {
            if (strcmp(a->name, "uuid") == 0 || strcmp(a->name, "async_uuid") == 0) {
                parse_uuid_arg(p, a);
            } else if (strcmp(a->name, "switch_type") == 0 || strcmp(a->name, "wire_marshal") == 0 ||
                       strcmp(a->name, "transmit_as") == 0 || strcmp(a->name, "user_marshal") == 0 ||
                       strcmp(a->name, "represent_as") == 0) {
                a->type = parse_type_name(p);
            } else {
                while (!p_failed(p) && !is(p, ")")) {
                    if (is(p, ",")) {
                        push(p, &a->args, expr_node(p, 'e', p->tok.loc));
                        advance(p);
                        continue;
                    }
                    push(p, &a->args, parse_expr(p));
                    if (!is(p, ")"))
                        expect(p, ",");
                }
            }
            expect(p, ")");
        }
        *tail = a;
        tail = &a->next;
        if (accept(p, ",") && !is(p, "]"))
            continue;
        if (!expect(p, "]"))
            break;
        if (!accept(p, "["))
            break; /* [a][b] is [a, b] */
    }
    return head;
}

/* ---- Types ------------------------------------------------------------- */

static const char *const base_words[] = {
    "void", "char", "short", "int", "long", "float", "double", "signed", "unsigned",
    "small", "hyper", "byte", "boolean", "wchar_t", "__int8", "__int16", "__int32",
    "__int64", "__int3264", "handle_t", "error_status_t", NULL};

static int is_base_word(const char *s)
{
    size_t i;
    for (i = 0; base_words[i]; i++)
        if (strcmp(base_words[i], s) == 0)
            return 1;
    return 0;
}

static int is_callconv(const idl_token *t)
{
    return t->kind == TK_IDENT && facet_idl__is_callconv(t->text);
}

/* The words that start a tagged type: the tag the type keeps and the kind
 * of declaration its body makes. */
static const struct {
    const char *word;
    int tag;
    int kind;
} tagged_words[] = {{"struct", 's', D_STRUCT}, {"union", 'u', D_UNION}, {"enum", 'e', D_ENUM}};

static int tagged_word(const char *word)
{
    int i;
    for (i = 0; i < (int)(sizeof tagged_words / sizeof tagged_words[0]); i++)
        if (strcmp(tagged_words[i].word, word) == 0)
            return i;
    return -1;
}

/* The kind of declaration a tagged type declares or defines. */
static int tagged_kind(int tag)
{
    int i;
    for (i = 0; i < (int)(sizeof tagged_words / sizeof tagged_words[0]); i++)
        if (tagged_words[i].tag == tag)
            return tagged_words[i].kind;
    return D_ENUM;
}

/* At struct, union or enum. */
static int at_tagged(parser *p)
{
    return p->tok.kind == TK_IDENT && tagged_word(p->tok.text) >= 0;
}

static int starts_type(parser *p, const idl_token *t)
{
    (void)p;
    if (t->kind != TK_IDENT)
        return 0;
    return is_base_word(t->text) || strcmp(t->text, "const") == 0 ||
           tagged_word(t->text) >= 0 || strcmp(t->text, "volatile") == 0;
}

static idl_type *type_node(parser *p, int kind, idl_loc loc)
{
    idl_type *t = node(p, sizeof(*t));
    if (t) {
        t->kind = kind;
        t->loc = loc;
    }
    return t;
}

static idl_decl *decl_node(parser *p, int kind, idl_loc loc)
{
    idl_decl *d = node(p, sizeof(*d));
    if (d) {
        d->kind = kind;
        d->loc = loc;
        d->file = p->file;
    }
    return d;
}

/* MIDL base types from the words that spell them. */
static int builtin_from_words(parser *p, int sign, int nshort, int nlong, int nint,
                              const char *word, idl_loc loc)
{
    if (!word || strcmp(word, "int") == 0) {
        if (nshort)
            return sign == 'u' ? B_UINT16 : B_INT16;
        if (nlong >= 2)
            return sign == 'u' ? B_UINT64 : B_INT64;
        (void)nint;
        return sign == 'u' ? B_UINT32 : B_INT32;
    }
    if (strcmp(word, "char") == 0)
        return sign == 'u' ? B_UINT8 : sign == 's' ? B_INT8 : B_CHAR;
    if (strcmp(word, "small") == 0 || strcmp(word, "__int8") == 0)
        return sign == 'u' ? B_UINT8 : B_INT8;
    if (strcmp(word, "__int16") == 0)
        return sign == 'u' ? B_UINT16 : B_INT16;
    if (strcmp(word, "__int32") == 0)
        return sign == 'u' ? B_UINT32 : B_INT32;
    if (strcmp(word, "hyper") == 0 || strcmp(word, "__int64") == 0)
        return sign == 'u' ? B_UINT64 : B_INT64;
    if (strcmp(word, "__int3264") == 0)
        return sign == 'u' ? B_UINTPTR : B_INTPTR;
    if (strcmp(word, "float") == 0)
        return B_FLOAT;
    if (strcmp(word, "double") == 0) {
        if (nlong)
            facet_idl__error(p->c, loc, "'long double' has no fixed size across compilers "
                                        "(64, 80 or 128 bits): use double");
        return B_DOUBLE;
    }
    if (strcmp(word, "void") == 0)
        return B_VOID;
    if (strcmp(word, "byte") == 0)
        return B_UINT8;
    if (strcmp(word, "boolean") == 0)
        return B_BOOLEAN;
    if (strcmp(word, "wchar_t") == 0)
        return B_WCHAR;
    if (strcmp(word, "handle_t") == 0)
        return B_HANDLE;
    if (strcmp(word, "error_status_t") == 0)
        return B_ERROR_STATUS;
    return B_INT32;
}

static void parse_struct_body(parser *p, idl_decl *d);
static idl_type *derive(parser *p, int kind, idl_type *sub, idl_loc loc);
static idl_type *parse_specifier(parser *p, idl_attr *attrs);
static idl_type *parse_declarator(parser *p, idl_type *base, const char **name,
                                  const char **callconv, idl_loc *name_loc);
static void parse_enum_body(parser *p, idl_decl *d);

/* struct/union/enum [tag] [{ body }] */
static idl_type *parse_tagged(parser *p, idl_attr *attrs)
{
    idl_loc loc = p->tok.loc;
    int tag = tagged_words[tagged_word(p->tok.text)].tag;
    idl_type *t = type_node(p, TY_NAMED, loc);
    idl_decl *d;
    advance(p);
    if (!t)
        return NULL;
    t->tag = tag;
    if (p->tok.kind == TK_IDENT && !is(p, "switch")) {
        t->spelled = p->tok.text;
        loc = p->tok.loc;
        advance(p);
    }
    if (!is(p, "{") && !is(p, "switch")) {
        if (!t->spelled)
            fail(p, "a name or '{'");
        return t;
    }
    d = decl_node(p, tagged_kind(tag), loc);
    if (!d)
        return NULL;
    d->name = t->spelled;
    d->attrs = attrs;
    d->defined = 1;
    t->decl = d;
    t->defines = 1;
    if (tag == 'u' && accept(p, "switch")) {
        /* encapsulated union: union X switch (T name) [arm] { case ...: } */
        idl_var *sw = node(p, sizeof(*sw));
        idl_type *base;
        expect(p, "(");
        if (!sw)
            return NULL;
        sw->loc = p->tok.loc;
        base = parse_specifier(p, NULL);
        sw->type = parse_declarator(p, base, &sw->name, NULL, &sw->loc);
        if (!sw->name)
            fail(p, "the discriminant's name");
        expect(p, ")");
        d->sw = sw;
        if (p->tok.kind == TK_IDENT) {
            d->union_name = p->tok.text;
            advance(p);
        }
    }
    if (tag == 'e')
        parse_enum_body(p, d);
    else
        parse_struct_body(p, d);
    return t;
}

/* The specifier part of a declaration: qualifiers and base words, a name,
 * or struct/union/enum. */
static idl_type *parse_specifier(parser *p, idl_attr *attrs)
{
    idl_loc loc = p->tok.loc;
    int is_const = 0, sign = 0, nshort = 0, nlong = 0, nint = 0, words = 0;
    const char *word = NULL;
    idl_type *t = NULL;
    idl_buf spelled;
    facet_idl__buf_init(&spelled, p->c->mem);
    while (!p_failed(p) && p->tok.kind == TK_IDENT) {
        const char *s = p->tok.text;
        if (strcmp(s, "const") == 0) {
            is_const = 1;
        } else if (strcmp(s, "volatile") == 0 || strcmp(s, "__RPC_FAR") == 0) {
            /* no meaning for the layout */
        } else if (!t && is_base_word(s)) {
            if (strcmp(s, "signed") == 0)
                sign = 's';
            else if (strcmp(s, "unsigned") == 0)
                sign = 'u';
            else if (strcmp(s, "short") == 0)
                nshort++;
            else if (strcmp(s, "long") == 0)
                nlong++;
            else if (strcmp(s, "int") == 0)
                nint++;
            else if (word) {
                break;
            } else
                word = s;
            if (spelled.len)
                facet_idl__buf_puts(&spelled, " ");
            facet_idl__buf_puts(&spelled, s);
            words++;
        } else if (!t && !words && tagged_word(s) >= 0) {
            t = parse_tagged(p, attrs);
            continue;
        } else if (!t && !words && strcmp(s, "SAFEARRAY") == 0 &&
                   facet_idl__tok_is(peek2(p), "(")) {
            /* SAFEARRAY(T) is a SAFEARRAY *, as in widl */
            idl_type *sa = type_node(p, TY_NAMED, p->tok.loc);
            advance(p);
            advance(p);
            (void)parse_type_name(p);
            if (!is(p, ")"))
                fail(p, "')' after SAFEARRAY(type");
            if (sa)
                sa->spelled = "SAFEARRAY";
            t = derive(p, TY_POINTER, sa, sa ? sa->loc : p->tok.loc);
        } else if (!t && !words) {
            t = type_node(p, TY_NAMED, p->tok.loc);
            if (t)
                t->spelled = s;
        } else {
            break;
        }
        advance(p);
    }
    if (!t && words) {
        t = type_node(p, TY_BUILTIN, loc);
        if (t) {
            t->spelled = facet_idl__strdup(p->c->arena, spelled.data ? spelled.data : "");
            t->builtin = builtin_from_words(p, sign, nshort, nlong, nint, word, loc);
        }
    }
    facet_idl__buf_free(&spelled);
    if (!t) {
        fail(p, "a type");
        return NULL;
    }
    if (is_const)
        t->is_const = 1;
    return t;
}

static idl_var *parse_param(parser *p);

static idl_type *derive(parser *p, int kind, idl_type *sub, idl_loc loc)
{
    idl_type *t = type_node(p, kind, loc);
    if (t)
        t->sub = sub;
    return t;
}

/* Arrays and parameter lists after a declarator's name. */
static idl_type *parse_suffixes(parser *p, idl_type *base)
{
    if (p_failed(p) || !base)
        return base;
    if (is(p, "[")) {
        idl_loc loc = p->tok.loc;
        idl_expr *dim = NULL;
        idl_type *inner, *arr;
        advance(p);
        if (accept(p, "*")) {
            /* [*]: conformant */
        } else if (!is(p, "]")) {
            dim = parse_expr(p);
        }
        expect(p, "]");
        inner = parse_suffixes(p, base);
        arr = derive(p, TY_ARRAY, inner, loc);
        if (arr)
            arr->dim = dim;
        return arr;
    }
    if (is(p, "(")) {
        idl_type *f = derive(p, TY_FUNC, base, p->tok.loc);
        advance(p);
        if (!f)
            return NULL;
        if (is(p, "void") && facet_idl__tok_is(peek2(p), ")")) {
            advance(p);
        } else {
            while (!p_failed(p) && !is(p, ")")) {
                if (accept(p, "...")) {
                    f->varargs = 1;
                    break;
                }
                push(p, &f->params, parse_param(p));
                if (!is(p, ")"))
                    expect(p, ",");
            }
        }
        expect(p, ")");
        return f;
    }
    return base;
}

/* A declarator: pointers, a name (optional when abstract), suffixes. The
 * name goes into *name; a calling convention into *callconv. */
static idl_type *parse_declarator(parser *p, idl_type *base, const char **name,
                                  const char **callconv, idl_loc *name_loc)
{
    const char *cc = NULL;
    if (++p->c->depth > IDL_MAX_DEPTH) {
        if (!p_failed(p))
            facet_idl__error(p->c, p->tok.loc, "declarator nested too deeply");
        p->c->depth--;
        return NULL;
    }
    while (!p_failed(p) && base) {
        if (is(p, "*")) {
            base = derive(p, TY_POINTER, base, p->tok.loc);
            advance(p);
        } else if (is(p, "const") && base->kind == TY_POINTER) {
            base->is_const = 1;
            advance(p);
        } else if (is_callconv(&p->tok)) {
            cc = p->tok.text;
            advance(p);
        } else {
            break;
        }
    }
    if (is(p, "(")) {
        const idl_token *n = peek2(p);
        if (facet_idl__tok_is(n, "*") || is_callconv(n) || facet_idl__tok_is(n, "(")) {
            /* T (CC *name)(args): the convention is the function's */
            idl_type *hole = type_node(p, TY_BUILTIN, p->tok.loc), *inner, *outer;
            const char *inner_cc = NULL;
            advance(p);
            inner = parse_declarator(p, hole, name, &inner_cc, name_loc);
            expect(p, ")");
            outer = parse_suffixes(p, base);
            if (outer && outer->kind == TY_FUNC && inner_cc)
                outer->callconv = inner_cc;
            if (hole && outer)
                *hole = *outer;
            if (callconv && inner_cc)
                *callconv = inner_cc;
            p->c->depth--;
            return inner;
        }
    }
    if (p->tok.kind == TK_IDENT && !starts_type(p, &p->tok)) {
        if (name)
            *name = p->tok.text;
        if (name_loc)
            *name_loc = p->tok.loc;
        advance(p);
    }
    base = parse_suffixes(p, base);
    /* T CC name(args) */
    if (cc && base && base->kind == TY_FUNC)
        base->callconv = cc;
    if (callconv && cc)
        *callconv = cc;
    p->c->depth--;
    return base;
}

/* A type with an abstract declarator: casts, sizeof, switch_type(...). */
static idl_type *parse_type_name(parser *p)
{
    idl_type *base = parse_specifier(p, NULL);
    return parse_declarator(p, base, NULL, NULL, NULL);
}

static idl_var *parse_param(parser *p)
{
    idl_var *v = node(p, sizeof(*v));
    idl_type *base;
    if (!v)
        return NULL;
    v->attrs = parse_attrs(p);
    v->loc = p->tok.loc;
    base = parse_specifier(p, NULL);
    v->type = parse_declarator(p, base, &v->name, NULL, &v->loc);
    return v;
}

/* ---- struct, union, enum bodies ---------------------------------------- */

static void parse_fields(parser *p, idl_decl *d, idl_attr *attrs)
{
    idl_type *base = parse_specifier(p, NULL);
    do {
        idl_var *v = node(p, sizeof(*v));
        if (!v)
            return;
        v->attrs = attrs;
        v->loc = p->tok.loc;
        v->type = parse_declarator(p, base, &v->name, NULL, &v->loc);
        if (accept(p, ":"))
            v->bits = parse_expr(p);
        push(p, &d->fields, v);
    } while (!p_failed(p) && accept(p, ","));
    expect(p, ";");
}

static void parse_struct_body(parser *p, idl_decl *d)
{
    expect(p, "{");
    while (!p_failed(p) && !is(p, "}")) {
        idl_attr *attrs = NULL;
        if (is(p, "case") || is(p, "default")) {
            /* encapsulated union arms: case 1: case 2: T x; */
            idl_attr *a = node(p, sizeof(*a));
            if (!a)
                return;
            a->name = p->tok.text;
            a->loc = p->tok.loc;
            if (accept(p, "case")) {
                push(p, &a->args, parse_expr(p));
                while (accept(p, ","))
                    push(p, &a->args, parse_expr(p));
            } else {
                advance(p);
            }
            expect(p, ":");
            attrs = a;
            if (is(p, "case") || is(p, "default"))
                continue;
        }
        if (is(p, "["))
            attrs = parse_attrs(p);
        if (accept(p, ";"))
            continue; /* an empty union arm */
        parse_fields(p, d, attrs);
    }
    expect(p, "}");
}

static void parse_enum_body(parser *p, idl_decl *d)
{
    expect(p, "{");
    while (!p_failed(p) && !is(p, "}")) {
        idl_enumerator *e = node(p, sizeof(*e));
        if (!e)
            return;
        if (is(p, "["))
            (void)parse_attrs(p); /* helpstring and the like */
        e->loc = p->tok.loc;
        e->name = expect_ident(p, "an enumerator name");
        if (accept(p, "="))
            e->value = parse_expr(p);
        push(p, &d->enumerators, e);
        if (!is(p, "}"))
            expect(p, ",");
    }
    expect(p, "}");
}

/* ---- Declarations ------------------------------------------------------ */

static void parse_statement(parser *p);
static void parse_file(front *fr, idl_file *f);

/* Each statement's parser takes the attributes that came before it (NULL
 * when none may come). */

static void parse_typedef(parser *p, idl_attr *attrs)
{
    idl_decl *d = decl_node(p, D_TYPEDEF, p->tok.loc);
    idl_type *base;
    (void)attrs; /* [hidden] typedef ...: for type libraries */
    advance(p);
    if (!d)
        return;
    d->attrs = parse_attrs(p);
    base = parse_specifier(p, d->attrs);
    d->type = base;
    do {
        idl_var *v = node(p, sizeof(*v));
        if (!v)
            return;
        v->attrs = d->attrs;
        v->loc = p->tok.loc;
        v->type = parse_declarator(p, base, &v->name, NULL, &v->loc);
        if (!v->name && !p_failed(p)) {
            fail(p, "the name of the new type");
            return;
        }
        push(p, &d->vars, v);
    } while (!p_failed(p) && accept(p, ","));
    expect(p, ";");
    if (d->vars.count)
        d->name = ((idl_var *)d->vars.items[0])->name;
    push(p, p->out, d);
}

static void parse_const(parser *p, idl_attr *attrs)
{
    idl_decl *d = decl_node(p, D_CONST, p->tok.loc);
    idl_type *base;
    (void)attrs;
    advance(p);
    if (!d)
        return;
    base = parse_specifier(p, NULL);
    d->type = parse_declarator(p, base, &d->name, NULL, &d->loc);
    if (!d->name && !p_failed(p))
        fail(p, "the constant's name");
    expect(p, "=");
    d->value = parse_expr(p);
    expect(p, ";");
    push(p, p->out, d);
}

/* Macros that only a Windows SDK's C headers define. A cpp_quote line
 * that uses one (amsi.idl's "HRESULT WINAPI AmsiInitialize(...)",
 * d2d1effects.idl's DEFINE_GUID) makes a header that compiles only on the
 * platform's headers. */
static const char *const platform_macros[] = {
    "DEFINE_GUID", "DEFINE_PROPERTYKEY", "DECLARE_HANDLE", "DECLARE_INTERFACE",
    "DECLARE_INTERFACE_", "WINAPI", "STDAPI", "STDAPI_", "STDMETHODCALLTYPE",
    "DECLSPEC_IMPORT", "EXTERN_C", NULL};

static int uses_platform_macro(const char *text)
{
    const char *s = text;
    while (*s) {
        size_t n = 0, i;
        if (s[0] == '/' && s[1] == '*') { /* comments and strings say nothing */
            const char *e = strstr(s + 2, "*/");
            s = e ? e + 2 : s + strlen(s);
            continue;
        }
        if (s[0] == '/' && s[1] == '/')
            break;
        if (*s == '"' || *s == '\'') {
            char q = *s++;
            while (*s && *s != q)
                s += s[0] == '\\' && s[1] ? 2 : 1;
            if (*s)
                s++;
            continue;
        }
        if (!(isalpha((unsigned char)*s) || *s == '_')) {
            s++;
            continue;
        }
        while (isalnum((unsigned char)s[n]) || s[n] == '_')
            n++;
        for (i = 0; platform_macros[i]; i++)
            if (strlen(platform_macros[i]) == n && strncmp(platform_macros[i], s, n) == 0)
                return 1;
        s += n;
    }
    return 0;
}

/* The preprocessor lines a file passes to C: declarations between
 * cpp_quote("#if 0") and its #else or #endif are for IDL only, their C
 * definitions being the platform's (wtypes.idl's BYTE, DWORD, ...). */
static void track_quoted_if(parser *p, const char *text)
{
    while (*text == ' ' || *text == '\t')
        text++;
    if (*text != '#')
        return;
    text++;
    while (*text == ' ' || *text == '\t')
        text++;
    if (strncmp(text, "if", 2) == 0) {
        p->quoted_if++;
        if (!p->quoted_if0 && strncmp(text, "if 0", 4) == 0 &&
            !(isalnum((unsigned char)text[4]) || text[4] == '_'))
            p->quoted_if0 = p->quoted_if;
    } else if (strncmp(text, "el", 2) == 0) {
        if (p->quoted_if0 == p->quoted_if)
            p->quoted_if0 = 0;
    } else if (strncmp(text, "endif", 5) == 0 && p->quoted_if > 0) {
        if (p->quoted_if0 == p->quoted_if)
            p->quoted_if0 = 0;
        p->quoted_if--;
    }
}

static void parse_cpp_quote(parser *p, idl_attr *attrs)
{
    idl_decl *d = decl_node(p, D_CPP_QUOTE, p->tok.loc);
    (void)attrs;
    advance(p);
    expect(p, "(");
    if (p->tok.kind != TK_STRING) {
        fail(p, "a string");
        return;
    }
    if (d) {
        d->text = unescape(p, p->tok.text);
        track_quoted_if(p, d->text);
        if (uses_platform_macro(d->text))
            p->file->needs_platform = 1;
    }
    advance(p);
    expect(p, ")");
    accept(p, ";");
    push(p, p->out, d);
}

/* import "a.idl", "b.idl";: each file is parsed, with what it imports,
 * before the statement ends. */
static void parse_import(parser *p, idl_attr *attrs)
{
    idl_decl *d = decl_node(p, D_IMPORT, p->tok.loc);
    (void)attrs;
    advance(p);
    do {
        idl_loc loc = p->tok.loc;
        const char *name;
        idl_file *f;
        if (p->tok.kind != TK_STRING) {
            fail(p, "a file name in quotes");
            return;
        }
        name = p->tok.text;
        advance(p);
        f = facet_idl__open(p->c, name, p->file, loc);
        if (!f)
            return;
        /* import "basetsd.h": the file's types stand on a Windows SDK's
         * C headers, as wtypes.idl's do */
        if (!f->is_idl)
            p->file->needs_platform = 1;
        if (f->state == 1) {
            idl_buf b;
            size_t i;
            facet_idl__buf_init(&b, p->c->mem);
            for (i = 0; i < p->fr->import_stack.count; i++) {
                idl_file *s = p->fr->import_stack.items[i];
                if (s == f || b.len)
                    facet_idl__buf_printf(&b, "%s imports ", s->name);
            }
            facet_idl__buf_puts(&b, f->name);
            facet_idl__error(p->c, loc, "import cycle: %s", b.data ? b.data : f->name);
            facet_idl__buf_free(&b);
            return;
        }
        if (f->state == 0)
            parse_file(p->fr, f);
        if (d)
            push(p, &d->files, f);
    } while (!p_failed(p) && accept(p, ","));
    expect(p, ";");
    push(p, p->out, d);
}

static void parse_importlib(parser *p, idl_attr *attrs)
{
    idl_decl *d = decl_node(p, D_IMPORTLIB, p->tok.loc);
    (void)attrs;
    advance(p);
    expect(p, "(");
    if (d && p->tok.kind == TK_STRING)
        d->text = p->tok.text;
    advance(p);
    expect(p, ")");
    expect(p, ";");
    push(p, p->out, d);
}

/* extern const FMTID FMTID_SummaryInformation; */
static void parse_variable(parser *p, idl_attr *attrs)
{
    idl_decl *d = decl_node(p, D_VARIABLE, p->tok.loc);
    idl_type *base;
    (void)attrs;
    advance(p);
    base = parse_specifier(p, NULL);
    if (!d)
        return;
    d->type = parse_declarator(p, base, &d->name, NULL, &d->loc);
    if (!d->name && !p_failed(p))
        fail(p, "a name");
    expect(p, ";");
    push(p, p->out, d);
}

static void skip_balanced(parser *p)
{
    int depth = 0;
    do {
        if (is(p, "("))
            depth++;
        else if (is(p, ")"))
            depth--;
        advance(p);
    } while (!p_failed(p) && depth > 0 && p->tok.kind != TK_EOF);
}

/* midl_pragma warning(disable: 2362) and declare_guid(...): nothing for C */
static void skip_statement(parser *p, idl_attr *attrs)
{
    (void)attrs;
    advance(p);
    while (!p_failed(p) && !is(p, "(") && p->tok.kind != TK_EOF)
        advance(p);
    skip_balanced(p);
    accept(p, ";");
}

static void refuse_winrt(parser *p, idl_attr *attrs)
{
    (void)attrs;
    facet_idl__error(p->c, p->tok.loc, "Windows Runtime '%s' is not supported: expected a "
                     "classic MIDL declaration (interface, coclass, typedef, ...)", p->tok.text);
}

/* struct X {...};, union X; and enum X {...}; */
static void parse_tagged_decl(parser *p, idl_attr *attrs)
{
    idl_type *t = parse_tagged(p, attrs);
    idl_decl *d;
    if (!t)
        return;
    if (t->decl && t->defines) {
        d = t->decl;
    } else {
        d = decl_node(p, tagged_kind(t->tag), t->loc);
        if (!d)
            return;
        d->name = t->spelled;
    }
    if (!is(p, ";")) {
        /* struct X {...} name; is not a type declaration */
        fail(p, "';' after the definition");
        return;
    }
    advance(p);
    push(p, p->out, d);
}

static idl_method *parse_method(parser *p, idl_attr *attrs)
{
    idl_method *m = node(p, sizeof(*m));
    idl_type *base, *t;
    if (!m)
        return NULL;
    m->attrs = attrs;
    m->loc = p->tok.loc;
    base = parse_specifier(p, NULL);
    t = parse_declarator(p, base, &m->name, &m->callconv, &m->loc);
    if (p_failed(p))
        return NULL;
    if (!t || t->kind != TY_FUNC || !m->name) {
        facet_idl__error(p->c, m->loc, "expected a method declaration such as "
                                       "'HRESULT Name([in] int32_t x);'");
        return NULL;
    }
    m->ret = t->sub;
    m->params = t->params;
    expect(p, ";");
    return m;
}

/* A function declaration, as in a module or a [local] top-level one. */
static void parse_function(parser *p, idl_attr *attrs)
{
    idl_method *m = parse_method(p, attrs);
    idl_decl *d = decl_node(p, D_FUNCTION, m ? m->loc : p->tok.loc);
    if (!m || !d)
        return;
    d->name = m->name;
    push(p, &d->methods, m);
    push(p, p->out, d);
}

/* "keyword name" of an interface, dispinterface, coclass, library or
 * module, and an interface's ": base". Returns the declaration when a body
 * follows; NULL for a forward declaration (pushed as it is) or when out of
 * memory. */
static idl_decl *parse_head(parser *p, idl_attr *attrs, int kind)
{
    idl_decl *d = decl_node(p, kind, p->tok.loc);
    advance(p);
    if (!d)
        return NULL;
    d->attrs = attrs;
    d->loc = p->tok.loc;
    d->name = expect_ident(p, "a name");
    if (kind == D_INTERFACE && accept(p, ":")) {
        d->base_loc = p->tok.loc;
        d->base_name = expect_ident(p, "the base interface's name");
    }
    if (accept(p, ";")) {
        push(p, p->out, d);
        return NULL;
    }
    d->defined = 1;
    return d;
}

/* "}" and an optional ";" after a body. */
static void end_body(parser *p)
{
    expect(p, "}");
    accept(p, ";");
}

/* A method or a const that starts with "const": const T name = value; is
 * a constant, const T *Name(...); a method. */
static void parse_interface_const(parser *p, idl_decl *d)
{
    idl_loc loc = p->tok.loc;
    idl_type *base = parse_specifier(p, NULL), *t;
    const char *name = NULL, *cc = NULL;
    t = parse_declarator(p, base, &name, &cc, &loc);
    if (accept(p, "=")) {
        idl_decl *k = decl_node(p, D_CONST, loc);
        if (k) {
            k->name = name;
            k->type = t;
            k->value = parse_expr(p);
        }
        expect(p, ";");
        push(p, p->out, k);
    } else if (t && t->kind == TY_FUNC && name) {
        idl_method *m = node(p, sizeof(*m));
        if (m) {
            m->name = name;
            m->loc = loc;
            m->ret = t->sub;
            m->params = t->params;
            m->callconv = cc;
        }
        expect(p, ";");
        push(p, &d->methods, m);
    } else {
        fail(p, "'=' or a method's parameters");
    }
}

/* Whether the next tokens start a statement inside an interface, rather
 * than a method: typedef, cpp_quote, import, midl_pragma, an empty ';',
 * or struct X {...} (as in wtypes.idl). */
static int at_interface_statement(parser *p)
{
    return is(p, "typedef") || is(p, "cpp_quote") || is(p, "import") || is(p, "midl_pragma") ||
           is(p, ";") || (at_tagged(p) && peek2(p)->kind == TK_IDENT);
}

static void parse_interface(parser *p, idl_attr *attrs)
{
    idl_decl *d = parse_head(p, attrs, D_INTERFACE);
    if (!d)
        return;
    expect(p, "{");
    while (!p_failed(p) && !is(p, "}")) {
        idl_attr *method_attrs;
        if (is(p, "const")) {
            parse_interface_const(p, d);
            continue;
        }
        if (at_interface_statement(p)) {
            parse_statement(p);
            continue;
        }
        method_attrs = parse_attrs(p);
        if (is(p, "typedef") || at_tagged(p)) {
            parse_statement(p);
            continue;
        }
        push(p, &d->methods, parse_method(p, method_attrs));
    }
    end_body(p);
    push(p, p->out, d);
}

static void parse_dispinterface(parser *p, idl_attr *attrs)
{
    idl_decl *d = parse_head(p, attrs, D_DISPINTERFACE);
    if (!d)
        return;
    expect(p, "{");
    if (is(p, "interface")) {
        /* dispinterface D { interface I; }: D has I's methods through IDispatch */
        advance(p);
        d->base_name = expect_ident(p, "an interface name");
        expect(p, ";");
    } else {
        if (accept(p, "properties")) {
            expect(p, ":");
            while (!p_failed(p) && !is(p, "methods") && !is(p, "}")) {
                idl_var *v = node(p, sizeof(*v));
                idl_type *base;
                if (!v)
                    return;
                v->attrs = parse_attrs(p);
                base = parse_specifier(p, NULL);
                v->type = parse_declarator(p, base, &v->name, NULL, &v->loc);
                expect(p, ";");
                push(p, &d->props, v);
            }
        }
        if (accept(p, "methods")) {
            expect(p, ":");
            while (!p_failed(p) && !is(p, "}")) {
                idl_attr *method_attrs = parse_attrs(p);
                push(p, &d->methods, parse_method(p, method_attrs));
            }
        }
    }
    end_body(p);
    push(p, p->out, d);
}

static void parse_coclass(parser *p, idl_attr *attrs)
{
    idl_decl *d = parse_head(p, attrs, D_COCLASS);
    if (!d)
        return;
    expect(p, "{");
    while (!p_failed(p) && !is(p, "}")) {
        idl_attr *member_attrs = parse_attrs(p);
        idl_decl *ref;
        int disp = is(p, "dispinterface");
        if (!accept(p, "interface") && !accept(p, "dispinterface")) {
            fail(p, "'interface' or 'dispinterface'");
            return;
        }
        ref = decl_node(p, disp ? D_DISPINTERFACE : D_INTERFACE, p->tok.loc);
        if (!ref)
            return;
        ref->name = expect_ident(p, "an interface name");
        push(p, &d->members, ref);
        push(p, &d->member_attrs, member_attrs ? (void *)member_attrs : (void *)&d->member_attrs);
        expect(p, ";");
    }
    end_body(p);
    push(p, p->out, d);
}

static void parse_module(parser *p, idl_attr *attrs)
{
    idl_decl *d = parse_head(p, attrs, D_MODULE);
    idl_vec *saved = p->out;
    if (!d)
        return;
    expect(p, "{");
    while (!p_failed(p) && !is(p, "}")) {
        if (is(p, "const") || is(p, "typedef") || is(p, "cpp_quote")) {
            p->out = &d->members;
            parse_statement(p);
            p->out = saved;
            continue;
        }
        push(p, &d->methods, parse_method(p, parse_attrs(p)));
    }
    end_body(p);
    push(p, p->out, d);
}

static void parse_library(parser *p, idl_attr *attrs)
{
    idl_decl *d = parse_head(p, attrs, D_LIBRARY);
    idl_vec *saved = p->out;
    if (!d)
        return;
    push(p, saved, d); /* the library's own entry comes first */
    p->out = &d->members;
    expect(p, "{");
    while (!p_failed(p) && !is(p, "}") && p->tok.kind != TK_EOF)
        parse_statement(p);
    end_body(p);
    p->out = saved;
}

/* ---- Statements: the keyword decides ----------------------------------- */

typedef struct statement {
    const char *keyword;
    void (*parse)(parser *p, idl_attr *attrs);
} statement;

/* Statements that declare nothing: they reach the C as they are, import
 * as #include and cpp_quote as its text. */
static const statement passed_on[] = {
    {"import", parse_import}, {"cpp_quote", parse_cpp_quote}};

/* Declarations that no attributes come before. */
static const statement plain_decls[] = {
    {"typedef", parse_typedef},     {"const", parse_const},
    {"importlib", parse_importlib}, {"extern", parse_variable},
    {"static", parse_variable},     {"midl_pragma", skip_statement},
    {"declare_guid", skip_statement}};

/* Declarations that may come after [attributes]. */
static const statement attributed_decls[] = {
    {"typedef", parse_typedef},       {"interface", parse_interface},
    {"dispinterface", parse_dispinterface}, {"coclass", parse_coclass},
    {"library", parse_library},       {"module", parse_module},
    {"struct", parse_tagged_decl},    {"union", parse_tagged_decl},
    {"enum", parse_tagged_decl},      {"namespace", refuse_winrt},
    {"runtimeclass", refuse_winrt},   {"apicontract", refuse_winrt},
    {"delegate", refuse_winrt},       {"requires", refuse_winrt}};

#define FIND_STATEMENT(p, table) find_statement(p, table, sizeof table / sizeof table[0])

/* The statement of table that the current token starts, or NULL. */
static const statement *find_statement(parser *p, const statement *table, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (is(p, table[i].keyword))
            return &table[i];
    return NULL;
}

/* One statement of a file, a library or a module, or one that an
 * interface's body holds. */
static void parse_statement(parser *p)
{
    const statement *k;
    idl_attr *attrs;
    if (p->tok.kind == TK_EOF || accept(p, ";"))
        return;
    if ((k = FIND_STATEMENT(p, passed_on)) != NULL) {
        k->parse(p, NULL);
        return;
    }
    if (p->quoted_if0)
        p->file->needs_platform = 1; /* for IDL only: C has it from the platform */
    if ((k = FIND_STATEMENT(p, plain_decls)) != NULL) {
        k->parse(p, NULL);
        return;
    }
    attrs = parse_attrs(p);
    if ((k = FIND_STATEMENT(p, attributed_decls)) != NULL)
        k->parse(p, attrs);
    else if (p->tok.kind == TK_IDENT)
        parse_function(p, attrs);
    else
        fail(p, "a declaration (import, interface, coclass, library, typedef, struct, enum, "
                "const or cpp_quote)");
}

/* ---- Files ---------------------------------------------------------------- */

static void parse_file(front *fr, idl_file *f)
{
    idl_ctx *c = fr->c;
    parser p;
    int pushed;
    if (c->depth > IDL_MAX_DEPTH / 2) {
        idl_loc none;
        memset(&none, 0, sizeof none);
        facet_idl__error(c, none, "imports nested too deeply at '%s'", f->name);
        return;
    }
    memset(&p, 0, sizeof p);
    p.fr = fr;
    p.c = c;
    p.file = f;
    p.out = &f->decls;
    p.pp = facet_idl__pp_new(c, f);
    if (!p.pp)
        return;
    f->state = 1;
    pushed = facet_idl__vec_push(c->arena, &fr->import_stack, f);
    c->depth += 10;
    advance(&p);
    while (!p_failed(&p) && p.tok.kind != TK_EOF)
        parse_statement(&p);
    c->depth -= 10;
    if (facet_idl__pp_c_header(p.pp)) {
        const char *h = facet_idl__pp_c_header(p.pp);
        size_t n = strlen(h);
        f->system_header = n > 1 && h[0] == '<' && h[n - 1] == '>';
        f->c_header = f->system_header ? facet_idl__strndup(c->arena, h + 1, n - 2) : h;
    }
    if (pushed)
        fr->import_stack.count--;
    f->state = 2;
    if (!facet_idl__failed(c) && fr->parsed)
        fr->parsed(f, fr->payload);
}

void facet_idl__parse(idl_ctx *c, idl_file *f, idl_parsed_fn parsed, void *payload)
{
    front fr;
    memset(&fr, 0, sizeof fr);
    fr.c = c;
    fr.parsed = parsed;
    fr.payload = payload;
    parse_file(&fr, f);
}
