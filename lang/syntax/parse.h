/* parse — front-end entry: source text to AST.
 *
 * The flex scanner (lexer.l) and bison parser (parser.y) are reentrant and
 * pure, so a compilation can parse many files, a string can be parsed in the
 * middle of parsing a file (every {{ ... }} is parsed where it stands, with the
 * same grammar), and the fuzzer can call this in a loop.
 */
#ifndef FLUX_PARSE_H
#define FLUX_PARSE_H

#include "arena.h"
#include "ast.h"
#include "diag.h"

/* Parses one loaded source file. Never NULL: with syntax errors the result
 * holds every item that could be recovered, and file->syntax_errors > 0. */
flux_file *flux_parse_file(flux_arena *arena, flux_diags *diags, flux_sources *sources, uint32_t file);

/* Parses a lone expression found at [begin, end) of a source (the inside of
 * a {{ ... }}). NULL after reporting a syntax error. */
flux_expr *flux_parse_expr(flux_arena *arena, flux_diags *diags, flux_sources *sources, uint32_t file,
                           uint32_t begin, uint32_t end);

/* Parses template text (no escapes: "{{" opens an expression and "{%" a
 * statement, as in a plan's stored templates) found at [begin, end) of a
 * source. Never NULL; syntax errors go to diags and set ->broken. */
flux_tstr *flux_parse_template(flux_arena *arena, flux_diags *diags, flux_sources *sources, uint32_t file,
                               uint32_t begin, uint32_t end);

/* Prints an expression back as canonical template source: the form a plan
 * keeps for run-time templates. */
void flux_expr_print(const flux_expr *x, flux_buf *out);

/* How flux_tparts_print writes text and expressions: NULL hooks write text
 * as it is and expressions with flux_expr_print. tag_follows: a {{ }} or
 * {% %} tag comes right after the text (the plan writer escapes a '{' there). */
typedef struct flux_tprinter {
    void (*text)(void *ud, const char *s, size_t n, bool tag_follows, flux_buf *out);
    void (*expr)(void *ud, const flux_expr *x, flux_buf *out);
    void *ud;
} flux_tprinter;

/* Prints template parts back as template source: text, {{ expr }}, and each
 * statement as {% if %}...{% elif %}...{% else %}...{% endif %},
 * {% for %}...{% endfor %} or {% set %}. pr may be NULL. */
void flux_tparts_print(const flux_tpart *parts, size_t n, const flux_tprinter *pr, flux_buf *out);

/* The opening tag of a statement alone ({% if cond %}, {% for x in xs %},
 * {% set x = v %}): how a dry-run shows one it cannot render yet. */
void flux_tstmt_print_open(const flux_tstmt *st, const flux_tprinter *pr, flux_buf *out);

/* A string as a template literal: quoted, with \" \\ \n \t \r escaped and
 * other control bytes as \u{hex}. */
void flux_print_string_literal(const char *s, size_t n, flux_buf *out);

#endif
