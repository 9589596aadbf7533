/*
 * preproc.c - the part of the C preprocessor that IDL files use.
 *
 * #define (object- and function-like, with ##), #undef, #if/#ifdef/#ifndef/
 * #elif/#else/#endif with defined() and integer arithmetic, #include, and
 * #pragma. Like widl, it defines __WIDL__, so SDK files take the branches
 * written for an IDL compiler. Each imported file has its own
 * preprocessor, as with widl: macros do not leak through import.
 */
#include <string.h>

#include "front.h"

#define PP_MAX_INCLUDE 32
#define PP_MAX_COND 64

typedef struct pp_macro {
    const char *name;
    int function_like;
    idl_vec params; /* const char * */
    idl_vec body;   /* idl_token * */
    int disabled;   /* being expanded */
    int undefined;
} pp_macro;

typedef struct pp_cond {
    int active;        /* this branch's tokens are used */
    int taken;         /* some branch of this #if was active */
    int parent_active;
    int seen_else;
} pp_cond;

typedef struct pp_source {
    idl_lexer lx;
    pp_cond conds[PP_MAX_COND];
    int ncond;
} pp_source;

struct idl_pp {
    idl_ctx *ctx;
    pp_source src[PP_MAX_INCLUDE];
    int nsrc;
    idl_symtab macros;
    idl_vec pending;   /* idl_token *, a stack: the last is next */
    const char *c_header;
};

static idl_token *tok_copy(idl_pp *pp, const idl_token *t)
{
    idl_token *c = facet_idl__alloc(pp->ctx->arena, sizeof(*c));
    if (!c) {
        facet_idl__oom(pp->ctx);
        return NULL;
    }
    *c = *t;
    return c;
}

static void push_back(idl_pp *pp, const idl_token *t)
{
    idl_token *c = tok_copy(pp, t);
    if (c)
        facet_idl__vec_push(pp->ctx->arena, &pp->pending, c);
}

static void define(idl_pp *pp, const char *name, const char *value)
{
    pp_macro *m = facet_idl__alloc(pp->ctx->arena, sizeof(*m));
    idl_token *t;
    if (!m)
        return;
    m->name = name;
    if (value) {
        t = facet_idl__alloc(pp->ctx->arena, sizeof(*t));
        if (!t)
            return;
        t->kind = TK_INT;
        t->text = value;
        t->value = 1;
        facet_idl__vec_push(pp->ctx->arena, &m->body, t);
    }
    facet_idl__sym_put(pp->ctx, &pp->macros, name, m);
}

idl_pp *facet_idl__pp_new(idl_ctx *c, idl_file *f)
{
    idl_pp *pp = facet_idl__alloc(c->arena, sizeof(*pp));
    if (!pp) {
        facet_idl__oom(c);
        return NULL;
    }
    pp->ctx = c;
    pp->nsrc = 1;
    facet_idl__lex_init(&pp->src[0].lx, c, f);
    define(pp, "__WIDL__", "1");
    define(pp, "__FACET_IDL__", "1");
    return pp;
}

const char *facet_idl__pp_c_header(const idl_pp *pp)
{
    return pp->c_header;
}

static pp_source *top(idl_pp *pp)
{
    return &pp->src[pp->nsrc - 1];
}

static int active(idl_pp *pp)
{
    pp_source *s = top(pp);
    return s->ncond == 0 || s->conds[s->ncond - 1].active;
}

/* The rest of a directive line, as tokens. */
static void read_line(idl_pp *pp, idl_vec *out)
{
    idl_lexer *lx = &top(pp)->lx;
    idl_token t;
    lx->directive = 1;
    for (;;) {
        facet_idl__lex_next(lx, &t);
        if (t.kind == TK_EOL || t.kind == TK_EOF)
            break;
        facet_idl__vec_push(pp->ctx->arena, out, tok_copy(pp, &t));
    }
    lx->directive = 0;
}

/* ---- #if expressions --------------------------------------------------- */

typedef struct pp_eval {
    idl_pp *pp;
    idl_vec *toks;
    size_t i;
    int error;
} pp_eval;

static idl_token *ev_peek(pp_eval *e)
{
    return e->i < e->toks->count ? e->toks->items[e->i] : NULL;
}

static int ev_is(pp_eval *e, const char *s)
{
    idl_token *t = ev_peek(e);
    return t && facet_idl__tok_is(t, s);
}

static int64_t ev_expr(pp_eval *e, int depth);

static int64_t ev_primary(pp_eval *e, int depth)
{
    idl_token *t = ev_peek(e);
    pp_macro *m;
    if (!t || depth > 100) {
        e->error = 1;
        return 0;
    }
    e->i++;
    if (facet_idl__tok_is(t, "(")) {
        int64_t v = ev_expr(e, depth + 1);
        if (ev_is(e, ")"))
            e->i++;
        else
            e->error = 1;
        return v;
    }
    if (facet_idl__tok_is(t, "!"))
        return !ev_primary(e, depth + 1);
    if (facet_idl__tok_is(t, "-"))
        return (int64_t)(0 - (uint64_t)ev_primary(e, depth + 1)); /* wraps, never overflows */
    if (facet_idl__tok_is(t, "~"))
        return ~ev_primary(e, depth + 1);
    if (facet_idl__tok_is(t, "+"))
        return ev_primary(e, depth + 1);
    if (t->kind == TK_INT)
        return (int64_t)t->value;
    if (t->kind == TK_IDENT && strcmp(t->text, "defined") == 0) {
        int paren = ev_is(e, "(");
        idl_token *n;
        if (paren)
            e->i++;
        n = ev_peek(e);
        if (!n || n->kind != TK_IDENT) {
            e->error = 1;
            return 0;
        }
        e->i++;
        if (paren) {
            if (ev_is(e, ")"))
                e->i++;
            else
                e->error = 1;
        }
        m = facet_idl__sym_get(&e->pp->macros, n->text);
        return m && !m->undefined;
    }
    if (t->kind == TK_IDENT) {
        m = facet_idl__sym_get(&e->pp->macros, t->text);
        if (m && !m->undefined && !m->function_like && m->body.count == 1) {
            idl_token *b = m->body.items[0];
            if (b->kind == TK_INT)
                return (int64_t)b->value;
        }
        return 0; /* an unknown name is 0, as in C */
    }
    e->error = 1;
    return 0;
}

/* Arithmetic wraps in two's complement, as it does in the compilers that
 * read the same #if: signed overflow must not be undefined behaviour here,
 * and INT64_MIN / -1 must not trap. */
static int64_t ev_apply(pp_eval *e, const char *op, int64_t a, int64_t b)
{
    switch (op[0]) {
    case '*': return (int64_t)((uint64_t)a * (uint64_t)b);
    case '/':
    case '%':
        if (b == 0) {
            e->error = 1;
            return 0;
        }
        if (b == -1)
            return op[0] == '/' ? (int64_t)(0 - (uint64_t)a) : 0;
        return op[0] == '/' ? a / b : a % b;
    case '+': return (int64_t)((uint64_t)a + (uint64_t)b);
    case '-': return (int64_t)((uint64_t)a - (uint64_t)b);
    case '<':
        if (op[1] == '<') return (int64_t)((uint64_t)a << (b & 63));
        return op[1] == '=' ? a <= b : a < b;
    case '>':
        if (op[1] == '>') return a >> (b & 63);
        return op[1] == '=' ? a >= b : a > b;
    case '=': return a == b;
    case '!': return a != b;
    case '&': return op[1] == '&' ? (a && b) : (a & b);
    case '^': return a ^ b;
    case '|': return op[1] == '|' ? (a || b) : (a | b);
    default: e->error = 1; return 0;
    }
}

static int64_t ev_binary(pp_eval *e, int min_prec, int depth)
{
    int64_t lhs = ev_primary(e, depth + 1);
    for (;;) {
        idl_token *op = ev_peek(e);
        int prec = facet_idl__binop_prec(op);
        int64_t rhs;
        if (!prec || prec < min_prec || e->error)
            return lhs;
        e->i++;
        rhs = ev_binary(e, prec + 1, depth + 1);
        lhs = ev_apply(e, op->text, lhs, rhs);
    }
}

static int64_t ev_expr(pp_eval *e, int depth)
{
    int64_t c = ev_binary(e, 1, depth);
    if (ev_is(e, "?")) {
        int64_t a, b;
        e->i++;
        a = ev_expr(e, depth + 1);
        if (!ev_is(e, ":")) {
            e->error = 1;
            return 0;
        }
        e->i++;
        b = ev_expr(e, depth + 1);
        return c ? a : b;
    }
    return c;
}

static int eval_condition(idl_pp *pp, idl_vec *toks, idl_loc loc)
{
    pp_eval e;
    int64_t v;
    memset(&e, 0, sizeof e);
    e.pp = pp;
    e.toks = toks;
    v = ev_expr(&e, 0);
    if (e.error || e.i != toks->count) {
        facet_idl__error(pp->ctx, loc, "cannot evaluate this #if: expected an integer expression "
                                       "of numbers, defined(NAME) and operators");
        return 0;
    }
    return v != 0;
}

/* ---- Directives -------------------------------------------------------- */

static void do_define(idl_pp *pp, idl_vec *line, idl_loc loc)
{
    idl_token *name;
    pp_macro *m;
    size_t i = 1;
    if (line->count == 0 || ((idl_token *)line->items[0])->kind != TK_IDENT) {
        facet_idl__error(pp->ctx, loc, "expected a macro name after #define");
        return;
    }
    name = line->items[0];
    m = facet_idl__alloc(pp->ctx->arena, sizeof(*m));
    if (!m) {
        facet_idl__oom(pp->ctx);
        return;
    }
    m->name = name->text;
    if (line->count > 1 && facet_idl__tok_is(line->items[1], "(") &&
        !((idl_token *)line->items[1])->space_before) {
        m->function_like = 1;
        for (i = 2; i < line->count; i++) {
            idl_token *t = line->items[i];
            if (facet_idl__tok_is(t, ")")) {
                i++;
                break;
            }
            if (t->kind == TK_IDENT)
                facet_idl__vec_push(pp->ctx->arena, &m->params, (void *)t->text);
            else if (!facet_idl__tok_is(t, ",")) {
                facet_idl__error(pp->ctx, t->loc, "expected a parameter name in #define %s, found %s",
                                 m->name, facet_idl__tok_describe(pp->ctx, t));
                return;
            }
        }
    }
    for (; i < line->count; i++)
        facet_idl__vec_push(pp->ctx->arena, &m->body, line->items[i]);
    facet_idl__sym_put(pp->ctx, &pp->macros, m->name, m);
}

static void do_include(idl_pp *pp, idl_vec *line, idl_loc loc)
{
    idl_token *t = line->count ? line->items[0] : NULL;
    const char *name = NULL;
    idl_file *f;
    if (t && t->kind == TK_STRING) {
        name = t->text;
    } else if (t && facet_idl__tok_is(t, "<")) {
        idl_buf b;
        size_t i;
        facet_idl__buf_init(&b, pp->ctx->mem);
        for (i = 1; i < line->count && !facet_idl__tok_is(line->items[i], ">"); i++)
            facet_idl__buf_puts(&b, ((idl_token *)line->items[i])->text);
        name = facet_idl__strdup(pp->ctx->arena, b.data ? b.data : "");
        facet_idl__buf_free(&b);
    }
    if (!name || !*name) {
        facet_idl__error(pp->ctx, loc, "expected \"file\" or <file> after #include");
        return;
    }
    if (pp->nsrc == PP_MAX_INCLUDE) {
        facet_idl__error(pp->ctx, loc, "#include nested too deeply (more than %d levels): is there "
                                       "an include cycle?", PP_MAX_INCLUDE);
        return;
    }
    f = facet_idl__open(pp->ctx, name, top(pp)->lx.file, loc);
    if (!f)
        return;
    memset(&pp->src[pp->nsrc], 0, sizeof(pp->src[0]));
    facet_idl__lex_init(&pp->src[pp->nsrc].lx, pp->ctx, f);
    pp->nsrc++;
}

static void do_pragma(idl_pp *pp, idl_vec *line)
{
    /* #pragma facet c_header "<facet/abi.h>": the C declarations of this
     * file already exist in that header, which importers include instead. */
    if (line->count >= 3 && facet_idl__tok_is(line->items[0], "facet") &&
        facet_idl__tok_is(line->items[1], "c_header") &&
        ((idl_token *)line->items[2])->kind == TK_STRING) {
        pp->c_header = ((idl_token *)line->items[2])->text;
        return;
    }
    if (line->count >= 1 && facet_idl__tok_is(line->items[0], "facet"))
        facet_idl__error(pp->ctx, ((idl_token *)line->items[0])->loc,
                         "unknown #pragma facet: expected 'c_header \"<file.h>\"'");
    /* other pragmas (makedep, winrt, once, ...) are for other tools */
}

static void directive(idl_pp *pp, const idl_token *hash)
{
    idl_vec line;
    idl_token *d;
    pp_source *s = top(pp);
    const char *name;
    memset(&line, 0, sizeof line);
    read_line(pp, &line);
    if (line.count == 0)
        return; /* the null directive */
    d = line.items[0];
    name = d->text;
    memmove(line.items, line.items + 1, (line.count - 1) * sizeof(void *));
    line.count--;
    if (strcmp(name, "if") == 0 || strcmp(name, "ifdef") == 0 || strcmp(name, "ifndef") == 0) {
        pp_cond *c;
        int on = 0, parent = active(pp);
        if (s->ncond == PP_MAX_COND) {
            facet_idl__error(pp->ctx, d->loc, "#if nested too deeply");
            return;
        }
        if (parent) {
            if (name[2] == '\0') {
                on = eval_condition(pp, &line, d->loc);
            } else if (line.count && ((idl_token *)line.items[0])->kind == TK_IDENT) {
                pp_macro *m = facet_idl__sym_get(&pp->macros, ((idl_token *)line.items[0])->text);
                on = (m && !m->undefined) == (name[2] == 'd');
            } else {
                facet_idl__error(pp->ctx, d->loc, "expected a macro name after #%s", name);
            }
        }
        c = &s->conds[s->ncond++];
        c->parent_active = parent;
        c->active = parent && on;
        c->taken = c->active;
        c->seen_else = 0;
        return;
    }
    if (strcmp(name, "elif") == 0 || strcmp(name, "else") == 0 || strcmp(name, "endif") == 0) {
        pp_cond *c;
        if (s->ncond == 0) {
            facet_idl__error(pp->ctx, d->loc, "#%s without #if", name);
            return;
        }
        c = &s->conds[s->ncond - 1];
        if (name[1] == 'n') {
            s->ncond--;
        } else if (c->seen_else) {
            facet_idl__error(pp->ctx, d->loc, "#%s after #else", name);
        } else if (name[1] == 'l' && name[2] == 's') {
            c->seen_else = 1;
            c->active = c->parent_active && !c->taken;
            c->taken = c->taken || c->active;
        } else {
            c->active = c->parent_active && !c->taken && eval_condition(pp, &line, d->loc);
            c->taken = c->taken || c->active;
        }
        return;
    }
    if (!active(pp))
        return;
    if (strcmp(name, "define") == 0)
        do_define(pp, &line, d->loc);
    else if (strcmp(name, "undef") == 0) {
        if (line.count && ((idl_token *)line.items[0])->kind == TK_IDENT) {
            pp_macro *m = facet_idl__sym_get(&pp->macros, ((idl_token *)line.items[0])->text);
            if (m)
                m->undefined = 1;
        }
    } else if (strcmp(name, "include") == 0)
        do_include(pp, &line, d->loc);
    else if (strcmp(name, "pragma") == 0)
        do_pragma(pp, &line);
    else if (strcmp(name, "error") == 0)
        facet_idl__error(pp->ctx, d->loc, "#error in the input");
    else if (strcmp(name, "warning") == 0 || strcmp(name, "line") == 0 || strcmp(name, "ident") == 0)
        ;
    else
        facet_idl__error(pp->ctx, hash->loc, "unknown preprocessor directive '#%s': expected "
                         "#include, #define, #undef, #if, #ifdef, #ifndef, #elif, #else, #endif "
                         "or #pragma", name);
}

/* ---- Macro expansion --------------------------------------------------- */

static void raw_next(idl_pp *pp, idl_token *out);

/* Collects the arguments of a function-like macro call; the '(' is read. */
static int collect_args(idl_pp *pp, pp_macro *m, idl_vec *args, idl_loc loc)
{
    idl_vec *cur = facet_idl__alloc(pp->ctx->arena, sizeof(idl_vec));
    int depth = 0;
    idl_token t;
    if (!cur)
        return 0;
    for (;;) {
        raw_next(pp, &t);
        if (t.kind == TK_EOF) {
            facet_idl__error(pp->ctx, loc, "unterminated call of macro '%s': expected ')'", m->name);
            return 0;
        }
        if (t.kind == TK_ENDMACRO) {
            ((pp_macro *)t.macro)->disabled = 0;
            continue;
        }
        if (depth == 0 && (facet_idl__tok_is(&t, ",") || facet_idl__tok_is(&t, ")"))) {
            facet_idl__vec_push(pp->ctx->arena, args, cur);
            if (facet_idl__tok_is(&t, ")"))
                break;
            cur = facet_idl__alloc(pp->ctx->arena, sizeof(idl_vec));
            if (!cur)
                return 0;
            continue;
        }
        if (facet_idl__tok_is(&t, "("))
            depth++;
        else if (facet_idl__tok_is(&t, ")"))
            depth--;
        facet_idl__vec_push(pp->ctx->arena, cur, tok_copy(pp, &t));
    }
    if (args->count == 1 && m->params.count == 0 && ((idl_vec *)args->items[0])->count == 0)
        args->count = 0;
    if (args->count != m->params.count) {
        facet_idl__error(pp->ctx, loc, "macro '%s' takes %u argument(s), found %u", m->name,
                         (unsigned)m->params.count, (unsigned)args->count);
        return 0;
    }
    return 1;
}

static int param_index(const pp_macro *m, const char *name)
{
    size_t i;
    for (i = 0; i < m->params.count; i++)
        if (strcmp(m->params.items[i], name) == 0)
            return (int)i;
    return -1;
}

/* Pushes m's body, with arguments put in and ## applied, onto the pending
 * stack, every token placed at the call's position. */
static void expand(idl_pp *pp, pp_macro *m, idl_vec *args, const idl_token *call)
{
    idl_vec out;
    idl_token end;
    size_t i, j;
    memset(&out, 0, sizeof out);
    for (i = 0; i < m->body.count; i++) {
        idl_token *t = m->body.items[i];
        int pi = t->kind == TK_IDENT && args ? param_index(m, t->text) : -1;
        if (pi >= 0) {
            idl_vec *arg = args->items[pi];
            for (j = 0; j < arg->count; j++)
                facet_idl__vec_push(pp->ctx->arena, &out, arg->items[j]);
        } else {
            facet_idl__vec_push(pp->ctx->arena, &out, t);
        }
    }
    /* token pasting */
    for (i = 0; i < out.count; i++) {
        idl_token *t = out.items[i];
        if (facet_idl__tok_is(t, "##") && i > 0 && i + 1 < out.count) {
            idl_token *a = out.items[i - 1], *b = out.items[i + 1], *p = tok_copy(pp, a);
            if (!p)
                return;
            p->text = facet_idl__printf(pp->ctx->arena, "%s%s", a->text, b->text);
            if (!p->text)
                return;
            out.items[i - 1] = p;
            memmove(out.items + i, out.items + i + 2, (out.count - i - 2) * sizeof(void *));
            out.count -= 2;
            i--;
        }
    }
    memset(&end, 0, sizeof end);
    end.kind = TK_ENDMACRO;
    end.text = "";
    end.macro = m;
    end.loc = call->loc;
    push_back(pp, &end);
    for (i = out.count; i-- > 0;) {
        idl_token *c = tok_copy(pp, out.items[i]);
        if (!c)
            return;
        c->loc = call->loc;
        c->space_before = i == 0 ? call->space_before : c->space_before;
        c->at_bol = 0;
        facet_idl__vec_push(pp->ctx->arena, &pp->pending, c);
    }
    m->disabled = 1;
}

/* A token from the pending stack or the files, directives done. */
static void raw_next(idl_pp *pp, idl_token *out)
{
    for (;;) {
        pp_source *s;
        if (pp->pending.count) {
            *out = *(idl_token *)pp->pending.items[--pp->pending.count];
            return;
        }
        s = top(pp);
        facet_idl__lex_next(&s->lx, out);
        if (out->kind == TK_EOF) {
            if (s->ncond && !facet_idl__failed(pp->ctx))
                facet_idl__error(pp->ctx, out->loc, "expected #endif before the end of the file");
            if (pp->nsrc == 1 || facet_idl__failed(pp->ctx))
                return;
            pp->nsrc--;
            continue;
        }
        if (out->at_bol && facet_idl__tok_is(out, "#")) {
            directive(pp, out);
            continue;
        }
        if (!active(pp))
            continue;
        return;
    }
}

void facet_idl__pp_next(idl_pp *pp, idl_token *out)
{
    for (;;) {
        pp_macro *m;
        raw_next(pp, out);
        if (out->kind == TK_ENDMACRO) {
            ((pp_macro *)out->macro)->disabled = 0;
            continue;
        }
        if (out->kind != TK_IDENT)
            return;
        m = facet_idl__sym_get(&pp->macros, out->text);
        if (!m || m->undefined || m->disabled)
            return;
        if (pp->pending.count > 65536) {
            facet_idl__error(pp->ctx, out->loc, "macro '%s' expands without end", m->name);
            out->kind = TK_EOF;
            return;
        }
        if (m->function_like) {
            idl_token next;
            idl_vec args;
            raw_next(pp, &next);
            if (!facet_idl__tok_is(&next, "(")) {
                push_back(pp, &next);
                return; /* the name alone, not a call */
            }
            memset(&args, 0, sizeof args);
            if (!collect_args(pp, m, &args, out->loc)) {
                out->kind = TK_EOF;
                return;
            }
            expand(pp, m, &args, out);
        } else {
            expand(pp, m, NULL, out);
        }
    }
}
