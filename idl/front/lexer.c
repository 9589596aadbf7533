/*
 * lexer.c - turns the text of one file into raw tokens.
 *
 * Comments and whitespace are skipped here; directives (#define, #if, ...)
 * and macros are preproc.c's business. A GUID in uuid(...) is one token,
 * because as separate numbers and names it could not be told from an
 * expression ("0000-C000" would be a subtraction).
 */
#include <ctype.h>
#include <string.h>

#include "front.h"

void facet_idl__lex_init(idl_lexer *lx, idl_ctx *c, idl_file *f)
{
    memset(lx, 0, sizeof(*lx));
    lx->ctx = c;
    lx->file = f;
    lx->p = f->text;
    lx->line_start = f->text;
    lx->line = 1;
    lx->bol = 1;
}

static idl_loc loc_at(const idl_lexer *lx, const char *p)
{
    idl_loc l;
    l.file = lx->file;
    l.line = lx->line;
    l.col = (uint32_t)(p - lx->line_start) + 1;
    l.offset = (uint32_t)(lx->line_start - lx->file->text);
    return l;
}

static const char *text_end(const idl_lexer *lx)
{
    return lx->file->text + lx->file->size;
}

static void newline(idl_lexer *lx, const char *after)
{
    lx->line++;
    lx->line_start = after;
}

static void stop(idl_lexer *lx)
{
    lx->p = text_end(lx);
}

/* 8-4-4-4-12 hex digits, not followed by a name character. */
static int uuid_length(const char *p, const char *end)
{
    const char *q = p + facet_idl__guid_scan(p, end, NULL);
    if (q == p || (q < end && (isalnum((unsigned char)*q) || *q == '_')))
        return 0;
    return (int)(q - p);
}

/* Skips whitespace and comments. Returns 1 at a directive's end of line. */
static int skip_space(idl_lexer *lx, int *space)
{
    const char *end = text_end(lx);
    while (lx->p < end) {
        char ch = *lx->p;
        if (ch == '\\' && lx->p + 1 < end && (lx->p[1] == '\n' || lx->p[1] == '\r')) {
            lx->p += lx->p[1] == '\r' && lx->p + 2 < end && lx->p[2] == '\n' ? 3 : 2;
            newline(lx, lx->p);
            *space = 1;
        } else if (ch == '\n') {
            if (lx->directive)
                return 1;
            lx->p++;
            newline(lx, lx->p);
            lx->bol = 1;
            *space = 1;
        } else if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\f' || ch == '\v') {
            lx->p++;
            *space = 1;
        } else if (ch == '/' && lx->p + 1 < end && lx->p[1] == '/') {
            while (lx->p < end && *lx->p != '\n')
                lx->p++;
            *space = 1;
        } else if (ch == '/' && lx->p + 1 < end && lx->p[1] == '*') {
            idl_loc start = loc_at(lx, lx->p);
            lx->p += 2;
            for (;;) {
                if (lx->p >= end) {
                    facet_idl__error(lx->ctx, start,
                                     "unterminated comment: expected '*/' before the end of the file");
                    stop(lx);
                    return 0;
                }
                if (lx->p[0] == '*' && lx->p + 1 < end && lx->p[1] == '/') {
                    lx->p += 2;
                    break;
                }
                if (*lx->p == '\n') {
                    lx->p++;
                    newline(lx, lx->p);
                } else {
                    lx->p++;
                }
            }
            *space = 1;
        } else {
            break;
        }
    }
    return 0;
}

static void make(idl_lexer *lx, idl_token *t, int kind, const char *s, size_t n)
{
    t->kind = kind;
    t->text = facet_idl__strndup(lx->ctx->arena, s, n);
    if (!t->text) {
        facet_idl__oom(lx->ctx);
        t->kind = TK_EOF;
        t->text = "";
        stop(lx);
    }
}

static const char *const puncts[] = {"...", "<<", ">>", "<=", ">=", "==", "!=", "&&",
                                     "||", "##", "::", "->", NULL};

static void lex_number(idl_lexer *lx, idl_token *t, const char *s, const char *end)
{
    const char *p = s;
    int is_float = 0;
    uint64_t v = 0;
    if (p + 1 < end && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        p += 2;
        while (p < end && isxdigit((unsigned char)*p)) {
            int d = isdigit((unsigned char)*p) ? *p - '0' : (tolower((unsigned char)*p) - 'a' + 10);
            v = v * 16 + (uint64_t)d;
            p++;
        }
    } else {
        while (p < end && isdigit((unsigned char)*p)) {
            v = v * 10 + (uint64_t)(*p - '0');
            p++;
        }
        if (p < end && *p == '.' && !(p + 1 < end && p[1] == '.')) {
            is_float = 1;
            p++;
            while (p < end && isdigit((unsigned char)*p))
                p++;
        }
        if (p < end && (*p == 'e' || *p == 'E')) {
            const char *q = p + 1;
            if (q < end && (*q == '+' || *q == '-'))
                q++;
            if (q < end && isdigit((unsigned char)*q)) {
                is_float = 1;
                p = q;
                while (p < end && isdigit((unsigned char)*p))
                    p++;
            }
        }
        if (!is_float && s[0] == '0' && p - s > 1) { /* octal */
            const char *q;
            v = 0;
            for (q = s + 1; q < p; q++)
                v = v * 8 + (uint64_t)(*q - '0');
        }
    }
    while (p < end && (*p == 'u' || *p == 'U' || *p == 'l' || *p == 'L' ||
                       (is_float && (*p == 'f' || *p == 'F'))))
        p++;
    make(lx, t, is_float ? TK_FLOAT : TK_INT, s, (size_t)(p - s));
    t->value = v;
    lx->p = p;
}

static void lex_quoted(idl_lexer *lx, idl_token *t, const char *s, const char *end)
{
    char q = *s;
    const char *p = s + 1;
    while (p < end && *p != q && *p != '\n') {
        if (*p == '\\' && p + 1 < end)
            p++;
        p++;
    }
    if (p >= end || *p != q) {
        facet_idl__error(lx->ctx, loc_at(lx, s), "unterminated %s: expected %s before the end of the line",
                         q == '"' ? "string" : "character constant", q == '"' ? "'\"'" : "\"'\"");
        stop(lx);
        t->kind = TK_EOF;
        t->text = "";
        return;
    }
    make(lx, t, q == '"' ? TK_STRING : TK_CHAR, s + 1, (size_t)(p - s - 1));
    lx->p = p + 1;
}

void facet_idl__lex_next(idl_lexer *lx, idl_token *t)
{
    const char *end = text_end(lx), *s;
    int space = 0, i;
    memset(t, 0, sizeof(*t));
    if (skip_space(lx, &space)) {
        t->kind = TK_EOL;
        t->text = "";
        t->loc = loc_at(lx, lx->p);
        lx->directive = 0;
        return;
    }
    t->space_before = space;
    t->at_bol = lx->bol;
    t->loc = loc_at(lx, lx->p);
    if (lx->p >= end) {
        t->kind = lx->directive ? TK_EOL : TK_EOF;
        lx->directive = 0;
        t->text = "";
        return;
    }
    lx->bol = 0;
    s = lx->p;
    if (isxdigit((unsigned char)*s) && (i = uuid_length(s, end)) > 0) {
        make(lx, t, TK_UUID, s, (size_t)i);
        lx->p = s + i;
        return;
    }
    if (isalpha((unsigned char)*s) || *s == '_') {
        const char *p = s;
        while (p < end && (isalnum((unsigned char)*p) || *p == '_'))
            p++;
        /* L"wide" and L'c' are a prefix and a literal */
        if (p == s + 1 && *s == 'L' && p < end && (*p == '"' || *p == '\'')) {
            lex_quoted(lx, t, p, end);
            return;
        }
        make(lx, t, TK_IDENT, s, (size_t)(p - s));
        lx->p = p;
        return;
    }
    if (isdigit((unsigned char)*s) || (*s == '.' && s + 1 < end && isdigit((unsigned char)s[1]))) {
        lex_number(lx, t, s, end);
        return;
    }
    if (*s == '"' || *s == '\'') {
        lex_quoted(lx, t, s, end);
        return;
    }
    for (i = 0; puncts[i]; i++) {
        size_t n = strlen(puncts[i]);
        if ((size_t)(end - s) >= n && memcmp(s, puncts[i], n) == 0) {
            make(lx, t, TK_PUNCT, s, n);
            lx->p = s + n;
            return;
        }
    }
    if (strchr("{}[]()<>;,:=*&|^~!?+-/%.#", *s) && *s) {
        make(lx, t, TK_PUNCT, s, 1);
        lx->p = s + 1;
        return;
    }
    if ((unsigned char)*s < 32 || (unsigned char)*s >= 127)
        facet_idl__error(lx->ctx, t->loc, "unexpected byte 0x%02X: expected a token", (unsigned char)*s);
    else
        facet_idl__error(lx->ctx, t->loc, "unexpected character '%c': expected a token", *s);
    stop(lx);
    t->kind = TK_EOF;
    t->text = "";
}

int facet_idl__tok_is(const idl_token *t, const char *s)
{
    return (t->kind == TK_PUNCT || t->kind == TK_IDENT) && strcmp(t->text, s) == 0;
}

const char *facet_idl__tok_describe(idl_ctx *c, const idl_token *t)
{
    const char *d;
    switch (t->kind) {
    case TK_EOF:
        return "end of file";
    case TK_EOL:
        return "end of line";
    case TK_STRING:
        d = facet_idl__printf(c->arena, "string \"%.40s\"", t->text);
        break;
    default:
        d = facet_idl__printf(c->arena, "'%.60s'", t->text);
        break;
    }
    return d ? d : "?";
}

int facet_idl__binop_prec(const idl_token *t)
{
    static const struct {
        const char *op;
        int prec;
    } ops[] = {{"*", 10}, {"/", 10}, {"%", 10}, {"+", 9}, {"-", 9}, {"<<", 8}, {">>", 8},
               {"<", 7}, {">", 7}, {"<=", 7}, {">=", 7}, {"==", 6}, {"!=", 6}, {"&", 5},
               {"^", 4}, {"|", 3}, {"&&", 2}, {"||", 1}};
    size_t i;
    if (!t || t->kind != TK_PUNCT)
        return 0;
    for (i = 0; i < sizeof ops / sizeof ops[0]; i++)
        if (strcmp(t->text, ops[i].op) == 0)
            return ops[i].prec;
    return 0;
}
