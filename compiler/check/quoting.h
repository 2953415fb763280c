/* quoting — the quoting context of each {{ }} of a templated shell or SQL
 * text, read from the literal text around it, so the checker can tell a
 * shquote or sql whose quotes land inside other quotes. Internal to
 * compiler/check. */
#ifndef FLUX_QUOTING_H
#define FLUX_QUOTING_H

#include <stdbool.h>
#include <stddef.h>

#include "ast.h"

typedef enum {
    FLUX_QUOTE_NONE,   /* unquoted text: a quoting filter's output is whole there */
    FLUX_QUOTE_SINGLE, /* inside '...' */
    FLUX_QUOTE_DOUBLE, /* inside "..." */
    FLUX_QUOTE_BACK,   /* inside `...` (SQL names; shell backquotes are a command, unquoted) */
    FLUX_QUOTE_OTHER   /* a comment, or a shell here-document's body: quotes there mean nothing */
} flux_quote;

/* The context of every expression part of parts[0..n) (text parts get
 * NONE), for POSIX shell text: '...', "..." with its backslash escapes,
 * backslash escapes outside quotes, $( ) and backquote substitutions (a new
 * unquoted context, also inside "..."), # comments and here-documents; with
 * bash, also $'...' (single quotes in which \' is a quote). */
void flux_quote_shell(const flux_tpart *parts, size_t n, bool bash, flux_quote *out);

/* The same for SQL text (MySQL and SQLite): '...', "..." and `...` with
 * doubled quotes and backslash escapes, -- and # line comments, block
 * comments. */
void flux_quote_sql(const flux_tpart *parts, size_t n, flux_quote *out);

#endif
