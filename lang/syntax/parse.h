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

/* Parses template text (no escapes: "{{" opens an expression, as in a
 * plan's stored templates) found at [begin, end) of a source. Never NULL;
 * syntax errors go to diags and set ->broken. */
flux_tstr *flux_parse_template(flux_arena *arena, flux_diags *diags, flux_sources *sources, uint32_t file,
                               uint32_t begin, uint32_t end);

/* Prints an expression back as canonical template source: the form a plan
 * keeps for run-time templates. */
void flux_expr_print(const flux_expr *x, flux_buf *out);

/* A string as a template literal: quoted, with \" \\ \n \t \r escaped and
 * other control bytes as \u{hex}. */
void flux_print_string_literal(const char *s, size_t n, flux_buf *out);

#endif
