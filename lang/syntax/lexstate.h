/* lexstate — state shared by the scanner (lexer.l), the parser (parser.y) and
 * the string splitter (parse.c). Internal to lang/. */
#ifndef FLUX_LEXSTATE_H
#define FLUX_LEXSTATE_H

#include <stdint.h>

#include "ast.h"
#include "diag.h"

typedef struct flux_loc {
    uint32_t begin, end;
} flux_loc;

/* what an open bracket is, so newlines inside [ ], ( ) and map { } are not
 * statement ends while newlines inside blocks are */
enum { LEX_BLOCK = 'b', LEX_INLINE = 'i' };

#define LEX_MAX_DEPTH 200
#define LEX_MAX_ODD 16

/* mistakes the parser reads past, as what was meant (lex_soft) */
enum { LEX_SOFT_NONE, LEX_SOFT_SQUOTE, LEX_SOFT_ARROW, LEX_SOFT_TRUE, LEX_SOFT_FALSE };

/* One {% %} tag inside a string, as the grammar reads it: its statement
 * token (T_TS_FOR, T_TS_IF, T_TS_ELIF, T_TS_ELSE, T_TS_ENDIF, T_TS_ENDFOR,
 * T_TS_SET) and what follows it. parse.c builds the blocks from the tags. */
typedef struct flux_thead {
    int tok;
    const char *var, *var2; /* for VAR, VAR2 in; set VAR = */
    flux_span var_span, var2_span;
    flux_expr *expr;        /* for ... in EXPR; if / elif EXPR; set ... = EXPR */
} flux_thead;

typedef struct flux_lexstate {
    flux_arena *arena;
    flux_diags *diags;
    flux_sources *sources;
    uint32_t file;
    const char *text;   /* whole source text (offsets index it) */
    uint32_t base;      /* offset of the scanned range in text */
    uint32_t pos;       /* offset after the last matched token, relative to base */
    uint32_t limit;     /* end of the scanned range, absolute */
    void *scanner;      /* yyscan_t */
    void *lval, *lloc;  /* where the scanner stores the current token's value */

    int start_token;    /* first token handed to the parser: selects file or expr */
    int expr_mode;      /* scanning the inside of {{ }}: starts in template state */
    int stmt_mode;      /* scanning one {% %} tag of a string: no final newline */
    int sent_eof_nl;    /* a final newline token was given before end of input */
    int prev;           /* previous significant token, to tell map { from block { */
    uint32_t str_begin; /* start of the string being scanned */

    char stack[LEX_MAX_DEPTH];
    flux_loc stack_loc[LEX_MAX_DEPTH];
    int depth;
    /* what the last token did to the stack: opened one bracket, or closed
     * down from popped_from (the closed entries stay readable above depth) */
    int pushed, popped_from;
    /* blocks closed by a '}' not standing where their opener's indentation
     * says (note_odd_close), for the messages of unclosed and extra braces */
    flux_loc odd_open[LEX_MAX_ODD], odd_close[LEX_MAX_ODD];
    int nodd;
    /* where unterminated strings began: a brace they swallowed is missing
     * for a reason already reported */
    uint32_t eaten[LEX_MAX_ODD];
    int neaten;
    int eaten_to_eof;
    /* a mistake read past (LEX_SOFT_*), reported by the parser */
    int soft;
    flux_loc soft_loc;

    /* error recovery: while recovering, what brackets opened inside the
     * broken item hold is skipped, so the item ends at a newline or brace
     * of the block being recovered in (recover_depth entries deep) */
    int recovering, recover_depth;
    int last_tok;       /* the last token handed to the parser, to give again */
    int before_last;    /* the one before it, for help lines */
    flux_loc last_loc;
    int pending[2];     /* tokens to hand over before scanning more, last first */
    flux_loc pending_loc[2];
    int npending;
    int eof_closing, eof_nl; /* closing the blocks left open at the end of the file */
    flux_loc eof_loc;

    /* open {% for %} / {% if %} / {% macro %} statements, for "unclosed"
     * notes when their end is missing */
    char tstack[LEX_MAX_DEPTH];
    flux_loc tstack_loc[LEX_MAX_DEPTH];
    int tdepth;

    /* message for an INVALID token, reported by the parser with its location */
    const char *invalid_msg;
    const char *invalid_help;

    size_t errors;      /* syntax errors reported, including nested parses */
    flux_body result_body;
    flux_expr *result_expr;
    flux_thead *result_head;
} flux_lexstate;

/* provided by lexer.l */
int fluxlex_lex_init_extra(flux_lexstate *ls, void **scanner);
int fluxlex_lex_destroy(void *scanner);
void flux_lex_begin(flux_lexstate *ls, const char *bytes, uint32_t len);
int flux_lex_next(flux_lexstate *ls);

/* provided by parse.c, used by tstr.c: a syntax error (counted), and one
 * {{ }} inside or one {% %} tag parsed where it stands; NULL after an error */
void flux_parse_error(flux_lexstate *ls, flux_span span, const char *help, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
flux_expr *flux_parse_nested_expr(flux_lexstate *parent, uint32_t begin, uint32_t end);
flux_thead *flux_parse_nested_stmt(flux_lexstate *parent, uint32_t begin, uint32_t end);

/* provided by tstr.c and parse.c, used from grammar actions */
flux_tstr *flux_lex_tstr(flux_lexstate *ls, flux_loc loc, int kind);
flux_expr *flux_parse_bound(flux_lexstate *ls, flux_expr *x);
int64_t flux_parse_int(flux_lexstate *ls, flux_loc l);
double flux_parse_float(flux_lexstate *ls, flux_loc l);
int64_t flux_parse_duration(flux_lexstate *ls, flux_loc l);
void flux_parse_if_else_check(flux_lexstate *ls, flux_item *it, flux_loc l);
/* words a syntax error: what is 0 for a token, 1 for an invalid token, 2 for
 * the end of the file */
void flux_parse_report(flux_lexstate *ls, flux_loc loc, int what, const char *tokname,
                       const char **expected, int nexpected);
/* after a syntax error at the lookahead at loc (an opener, a closer, or
 * another token): where the parser's recovery resumes */
enum { LA_OTHER, LA_OPENER, LA_CLOSER };
void flux_parse_recover(flux_lexstate *ls, flux_loc loc, int la);
/* the next token for the parser: pending ones first, recovery's skipping,
 * mistakes read past reported */
int flux_parse_next(flux_lexstate *ls, flux_loc *lloc);
enum { TSTR_NAME, TSTR_STRING, TSTR_TRIPLE, TSTR_XSTRING };

#endif
