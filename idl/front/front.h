/*
 * front.h - the front end: the text of a file to the tree.
 *
 * lexer.c makes raw tokens, preproc.c runs directives and expands macros,
 * and parser.c builds the declarations of each file, reading the files it
 * imports first.
 */
#ifndef FACET_IDL_FRONT_H
#define FACET_IDL_FRONT_H

#include "../tree/tree.h"

/* ---- Tokens and the lexer ------------------------------------------------ */

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

/* ---- The preprocessor ---------------------------------------------------- */

typedef struct idl_pp idl_pp;
idl_pp *facet_idl__pp_new(idl_ctx *c, idl_file *f);
/* The next token after preprocessing: directives done, macros expanded. */
void facet_idl__pp_next(idl_pp *pp, idl_token *out);
/* The header named by #pragma facet c_header "...", or NULL. */
const char *facet_idl__pp_c_header(const idl_pp *pp);

/* ---- The parser ---------------------------------------------------------- */

/* Called with each file once its declarations are complete: the files it
 * imports before it, so a caller may check each file as it completes. */
typedef void (*idl_parsed_fn)(idl_file *f, void *payload);

/* Parses f and what it imports, as far as there are no errors. */
void facet_idl__parse(idl_ctx *c, idl_file *f, idl_parsed_fn parsed, void *payload);

#endif /* FACET_IDL_FRONT_H */
