/* quoting — the quoting context of each {{ }} of a templated shell or SQL
 * text. The literal text is scanned as the shell or the database will read
 * it; an expression's output is unknown, so it stands for one ordinary
 * character that changes no state (a quoting filter's output is balanced). */
#include "quoting.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"

/* The parts as one text: each expression one placeholder byte, marked. */
typedef struct flat {
    char *s;
    size_t n;
    bool *expr;   /* s[i] stands for an expression part */
    size_t *part; /* the part s[i] came from */
} flat;

static void flat_init(flat *f, const flux_tpart *parts, size_t n)
{
    size_t len = 0;
    for (size_t i = 0; i < n; i++)
        len += parts[i].text ? parts[i].len : 1;
    f->s = flux_xmalloc(len + 1);
    f->expr = flux_xmalloc((len + 1) * sizeof *f->expr);
    f->part = flux_xmalloc((len + 1) * sizeof *f->part);
    f->n = 0;
    for (size_t i = 0; i < n; i++) {
        size_t k = parts[i].text ? parts[i].len : 1;
        for (size_t j = 0; j < k; j++, f->n++) {
            f->s[f->n] = parts[i].text ? parts[i].text[j] : 'x';
            f->expr[f->n] = !parts[i].text;
            f->part[f->n] = i;
        }
    }
    f->s[f->n] = '\0';
    f->expr[f->n] = false;
}

static void flat_free(flat *f)
{
    free(f->s);
    free(f->expr);
    free(f->part);
}

/* the literal character at i, or '\0' past the end or at an expression */
static char lit(const flat *f, size_t i)
{
    return i < f->n && !f->expr[i] ? f->s[i] : '\0';
}

static void clear(size_t n, flux_quote *out)
{
    for (size_t i = 0; i < n; i++)
        out[i] = FLUX_QUOTE_NONE;
}

/* ---- shell ---- */

/* SH_ARITH is $(( )): parentheses as in $( ), and << is a shift; SH_ANSI
 * is bash's $'...', single quotes in which a backslash escapes (\' does
 * not end it) */
enum { SH_TOP, SH_SUB, SH_ARITH, SH_BACK, SH_SQ, SH_DQ, SH_ANSI };

typedef struct sh_frame {
    int kind;
    size_t depth; /* SH_SUB, SH_ARITH: ( ) pairs open inside it */
} sh_frame;

#define SH_MAX_DEPTH 32

/* a # starts a comment only at the start of a word */
static bool word_start(char prev)
{
    return prev == '\0' || strchr(" \t\n;&|()<>", prev) != NULL;
}

/* <<[-]WORD at i (after the two '<'): the delimiter without its quotes,
 * *end past it; NULL when there is none we can read (an expression in it) */
static char *heredoc_word(const flat *f, size_t i, bool *dash, size_t *end)
{
    *dash = lit(f, i) == '-';
    if (*dash)
        i++;
    while (lit(f, i) == ' ' || lit(f, i) == '\t')
        i++;
    char *w = flux_xmalloc(f->n - i + 1);
    size_t k = 0;
    for (; i < f->n; i++) {
        if (f->expr[i]) {
            free(w);
            return NULL;
        }
        char c = f->s[i];
        if (strchr(" \t\n;&|<>()", c))
            break;
        if (c == '\\' && lit(f, i + 1)) {
            w[k++] = f->s[++i];
            continue;
        }
        if (c != '\'' && c != '"')
            w[k++] = c;
    }
    w[k] = '\0';
    *end = i;
    if (!k) {
        free(w);
        return NULL;
    }
    return w;
}

/* the here-document body starting at i: expressions in it are OTHER;
 * returns the index after its delimiter line (or the end) */
static size_t heredoc_body(const flat *f, size_t i, const char *delim, bool dash, flux_quote *out)
{
    size_t dl = strlen(delim);
    while (i < f->n) {
        size_t b = i, e = i;
        bool has_expr = false;
        while (e < f->n && (f->expr[e] || f->s[e] != '\n')) {
            if (f->expr[e]) {
                out[f->part[e]] = FLUX_QUOTE_OTHER;
                has_expr = true;
            }
            e++;
        }
        if (dash)
            while (b < e && !f->expr[b] && f->s[b] == '\t')
                b++;
        i = e < f->n ? e + 1 : e;
        if (!has_expr && e - b == dl && memcmp(f->s + b, delim, dl) == 0)
            break;
    }
    return i;
}

void flux_quote_shell(const flux_tpart *parts, size_t n, bool bash, flux_quote *out)
{
    clear(n, out);
    flat f;
    flat_init(&f, parts, n);
    sh_frame st[SH_MAX_DEPTH];
    size_t d = 1;
    st[0] = (sh_frame){SH_TOP, 0};
    bool comment = false;
    char prev = '\0';
    char *delim = NULL; /* a here-document whose body starts at the next line */
    bool dash = false;
    for (size_t i = 0; i < f.n; i++) {
        sh_frame *top = &st[d - 1];
        if (comment) {
            if (f.expr[i])
                out[f.part[i]] = FLUX_QUOTE_OTHER;
            else if (f.s[i] == '\n')
                comment = false;
            prev = f.s[i];
            continue;
        }
        if (f.expr[i]) {
            flux_quote q = top->kind == SH_SQ || top->kind == SH_ANSI ? FLUX_QUOTE_SINGLE
                           : top->kind == SH_DQ                        ? FLUX_QUOTE_DOUBLE
                                                                       : FLUX_QUOTE_NONE;
            out[f.part[i]] = q;
            prev = 'x';
            continue;
        }
        char c = f.s[i];
        bool push = false;
        sh_frame next = {SH_TOP, 0};
        if (top->kind == SH_SQ) {
            if (c == '\'')
                d--;
        } else if (top->kind == SH_ANSI) {
            if (c == '\\' && lit(&f, i + 1))
                i++;
            else if (c == '\'')
                d--;
        } else if (top->kind == SH_DQ) {
            if (c == '\\' && lit(&f, i + 1))
                i++;
            else if (c == '"')
                d--;
            else if (c == '$' && lit(&f, i + 1) == '(')
                push = true, next.kind = lit(&f, i + 2) == '(' ? SH_ARITH : SH_SUB, i++;
            else if (c == '`')
                push = true, next.kind = SH_BACK;
        } else if (c == '\\') {
            if (lit(&f, i + 1))
                i++; /* the next character is literal (or a line continues) */
        } else if (c == '$' && bash && lit(&f, i + 1) == '\'') {
            push = true, next.kind = SH_ANSI, i++;
        } else if (c == '\'' || c == '"') {
            push = true, next.kind = c == '\'' ? SH_SQ : SH_DQ;
        } else if (c == '`') {
            if (top->kind == SH_BACK)
                d--;
            else
                push = true, next.kind = SH_BACK;
        } else if (c == '$' && lit(&f, i + 1) == '(') {
            push = true, next.kind = lit(&f, i + 2) == '(' ? SH_ARITH : SH_SUB, i++;
        } else if (c == '(' && (top->kind == SH_SUB || top->kind == SH_ARITH)) {
            top->depth++;
        } else if (c == ')' && (top->kind == SH_SUB || top->kind == SH_ARITH)) {
            if (top->depth)
                top->depth--;
            else
                d--;
        } else if (c == '#' && word_start(prev)) {
            comment = true;
        } else if (c == '<' && lit(&f, i + 1) == '<' && lit(&f, i + 2) != '<' && top->kind != SH_ARITH) {
            size_t end;
            char *w = heredoc_word(&f, i + 2, &dash, &end);
            if (w) {
                free(delim);
                delim = w;
                i = end - 1;
            }
        } else if (c == '\n' && delim) {
            i = heredoc_body(&f, i + 1, delim, dash, out) - 1;
            free(delim);
            delim = NULL;
            c = '\n';
        }
        if (push) {
            if (d == SH_MAX_DEPTH)
                break; /* too deep to follow: say nothing of what comes after */
            st[d++] = next;
        }
        prev = c;
    }
    free(delim);
    flat_free(&f);
}

/* ---- SQL ---- */

void flux_quote_sql(const flux_tpart *parts, size_t n, flux_quote *out)
{
    clear(n, out);
    flat f;
    flat_init(&f, parts, n);
    enum { NONE, SQ, DQ, BQ, LINE, BLOCK } state = NONE;
    for (size_t i = 0; i < f.n; i++) {
        if (f.expr[i]) {
            static const flux_quote q[] = {FLUX_QUOTE_NONE, FLUX_QUOTE_SINGLE, FLUX_QUOTE_DOUBLE, FLUX_QUOTE_BACK,
                                           FLUX_QUOTE_OTHER, FLUX_QUOTE_OTHER};
            out[f.part[i]] = q[state];
            continue;
        }
        char c = f.s[i];
        switch (state) {
        case NONE:
            if (c == '\'')
                state = SQ;
            else if (c == '"')
                state = DQ;
            else if (c == '`')
                state = BQ;
            else if (c == '#' || (c == '-' && lit(&f, i + 1) == '-'))
                state = LINE;
            else if (c == '/' && lit(&f, i + 1) == '*')
                state = BLOCK, i++;
            break;
        case SQ: case DQ: case BQ: {
            char close = state == SQ ? '\'' : state == DQ ? '"' : '`';
            /* MySQL reads a backslash in a string as an escape; SQLite does
             * not, but a literal ending in a backslash is rarer than \' */
            if (c == '\\' && state != BQ && lit(&f, i + 1))
                i++;
            else if (c == close && lit(&f, i + 1) == close)
                i++; /* a doubled quote stands for itself */
            else if (c == close)
                state = NONE;
            break;
        }
        case LINE:
            if (c == '\n')
                state = NONE;
            break;
        case BLOCK:
            if (c == '*' && lit(&f, i + 1) == '/')
                state = NONE, i++;
            break;
        }
    }
    flat_free(&f);
}
