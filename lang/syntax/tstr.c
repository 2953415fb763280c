/* tstr — strings and templated names split into their parts: text, {{ }}
 * expressions and {% %} statements with their bodies.
 *
 * The scanner hands over a whole string; here its escapes are decoded (or,
 * for a triple-quoted string, its indentation removed), each {{ }} and {% %}
 * is parsed where it stands, Jinja's whitespace control ({{- -}} {%- -%}) is
 * applied to the text beside the tags, and the tags are paired into blocks.
 * What is left in the text must be text: a '{{' or '{%' never closed, or a
 * '}}' or '%}' that closes nothing, is an error at its place, never text that
 * a shell would run. */
#include <stdlib.h>
#include <string.h>

#include "lexstate.h"
#include "parser.h"
#include "alloc.h"
#include "parse.h"
#include "text.h"
#include "utf8.h"

/* {% if %} and {% for %} nested deeper than this in one string are a mistake;
 * the bound also keeps every later walk over a template shallow */
#define TSTMT_MAX_DEPTH 64

static flux_span sp(flux_lexstate *ls, uint32_t b, uint32_t e)
{
    flux_span s = {ls->file, b, e};
    return s;
}

/* ---- splitting into segments ---- */

typedef enum { SEG_TEXT, SEG_EXPR, SEG_STMT } seg_kind;

typedef struct seg {
    uint32_t begin, end; /* text: raw range; expr: inside of {{ }} without markers */
    seg_kind kind;
    uint32_t outer_begin, outer_end; /* the whole tag */
    bool strip_before, strip_after;  /* Jinja's '-' markers */
} seg;

typedef struct segs {
    seg *v;
    size_t n, cap;
} segs;

static void seg_push(segs *s, seg x)
{
    s->v = flux_xgrow(s->v, s->n, &s->cap, sizeof *s->v, 8);
    s->v[s->n++] = x;
}

/* the offset of the closer c1 c2 (}} or %}) of a tag whose inside starts at
 * p, 0 when there is none; with quotes, a closer inside a quoted string is
 * skipped (the scanner skipped it too), else the first one counts */
static uint32_t find_close(const char *t, uint32_t p, uint32_t end, char c1, bool quotes)
{
    while (p + 1 < end) {
        char c = t[p];
        if (quotes && (c == '"' || c == '\'')) {
            p++;
            while (p < end && t[p] != c && t[p] != '\n') {
                if (t[p] == '\\')
                    p++;
                p++;
            }
            if (p >= end)
                return 0; /* a quote left open: not this reading */
            p++;
            continue;
        }
        if (c == c1 && t[p + 1] == '}')
            return p;
        p++;
    }
    return 0;
}

/* a tag at p ("{{" or "{%"): its segment, with the markers Jinja reads
 * right inside the delimiters: '-' strips the whitespace beside the tag, '+'
 * (after the opener, or before '%}') changes nothing here */
static bool tag_at(flux_lexstate *ls, uint32_t p, uint32_t e, bool is_stmt, seg *out)
{
    const char *t = ls->text;
    char c1 = is_stmt ? '%' : '}';
    uint32_t in = p + 2;
    uint32_t close = find_close(t, in, e, c1, true);
    if (!close)
        close = find_close(t, in, e, c1, false); /* an unclosed quote inside: its parse error says where */
    if (!close)
        return false;
    seg g = {in, close, is_stmt ? SEG_STMT : SEG_EXPR, p, close + 2, false, false};
    if (in < close && (t[in] == '-' || t[in] == '+')) {
        g.strip_before = t[in] == '-';
        g.begin++;
    }
    if (g.begin < close && (t[close - 1] == '-' || (is_stmt && t[close - 1] == '+'))) {
        g.strip_after = t[close - 1] == '-';
        g.end--;
    }
    *out = g;
    return true;
}

/* splits [b, e) into text, expression and statement segments; with escapes
 * a backslash protects the next byte from starting a tag. False after
 * reporting a tag that does not close. */
static bool split(flux_lexstate *ls, uint32_t b, uint32_t e, bool escapes, bool triple, segs *out)
{
    const char *t = ls->text;
    uint32_t text_start = b, p = b;
    while (p < e) {
        if (escapes && t[p] == '\\') {
            p += 2;
            continue;
        }
        if (t[p] == '{' && p + 1 < e && (t[p + 1] == '{' || t[p + 1] == '%')) {
            bool is_stmt = t[p + 1] == '%';
            seg g;
            if (!tag_at(ls, p, e, is_stmt, &g)) {
                const char *help =
                    is_stmt ? (triple ? "close the statement with '%}', or write {{ \"{%\" }} for a literal '{%'"
                                      : "close the statement with '%}', or write \\{% for a literal '{%'")
                            : (triple ? "close the expression with '}}', or write {{ \"{{\" }} for a literal '{{'"
                                      : "close the expression with '}}', or write \\{{ for a literal '{{'");
                flux_parse_error(ls, sp(ls, p, p + 2), help, "'%s' is not closed", is_stmt ? "{%" : "{{");
                return false;
            }
            if (p > text_start)
                seg_push(out, (seg){text_start, p, SEG_TEXT, text_start, p, false, false});
            seg_push(out, g);
            p = g.outer_end;
            text_start = p;
            continue;
        }
        p++;
    }
    if (e > text_start)
        seg_push(out, (seg){text_start, e, SEG_TEXT, text_start, e, false, false});
    return true;
}

/* A '}}' or '%}' left in the text closes no tag: a mistake such as
 * "{ ds }}", never meant as text. Braces of the text itself (JSON, ${x})
 * pair up, so a '}' that closes a '{' written before it in the text is
 * text; only an unpaired '}' after '}' or '%' is reported. */
static bool stray_closers(flux_lexstate *ls, const segs *s, bool escapes)
{
    const char *t = ls->text;
    size_t depth = 0;
    bool ok = true;
    for (size_t i = 0; i < s->n && ok; i++) {
        if (s->v[i].kind != SEG_TEXT)
            continue;
        bool prev_plain = false; /* the byte before was an unescaped '}' or '%' ... */
        char prev = 0;
        for (uint32_t p = s->v[i].begin; p < s->v[i].end; p++) {
            bool escaped = escapes && t[p] == '\\' && p + 1 < s->v[i].end;
            char c = escaped ? t[p + 1] : t[p];
            if (c == '{') {
                depth++;
            } else if (c == '}') {
                bool paired = depth > 0;
                if (paired)
                    depth--;
                if (!escaped && !paired && prev_plain && (prev == '}' || prev == '%')) {
                    bool pct = prev == '%';
                    const char *help =
                        pct ? (escapes ? "a statement is written '{% if ... %}'; for a literal '%}' write '%\\}'"
                                       : "a statement is written '{% if ... %}'; for a literal '%}' write {{ \"%}\" }}")
                            : (escapes ? "an expression is written '{{ expression }}'; for a literal '}}' write '\\}\\}'"
                                       : "an expression is written '{{ expression }}'; for a literal '}}' write {{ \"}}\" }}");
                    flux_parse_error(ls, sp(ls, p - 1, p + 1), help, "'%s' closes no '%s'", pct ? "%}" : "}}",
                                     pct ? "{%" : "{{");
                    ok = false;
                    break;
                }
            }
            prev = c;
            prev_plain = !escaped;
            if (escaped)
                p++;
        }
    }
    return ok;
}

/* ---- whitespace control ---- */

/* Length of the whitespace character at s[i] (Python's str.isspace, which
 * Jinja's '-' strips: ASCII blanks, U+001C..U+001F, U+0085, U+00A0, U+1680,
 * U+2000..U+200A, U+2028, U+2029, U+202F, U+205F, U+3000), 0 for any other. */
static size_t ws_at(const unsigned char *s, size_t n, size_t i)
{
    unsigned char c = s[i];
    if ((c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x20))
        return 1;
    if (c == 0xc2 && i + 1 < n && (s[i + 1] == 0x85 || s[i + 1] == 0xa0))
        return 2;
    if (i + 2 >= n)
        return 0;
    unsigned char d = s[i + 1], e = s[i + 2];
    if (c == 0xe1 && d == 0x9a && e == 0x80)
        return 3;
    if (c == 0xe2 && d == 0x80 && ((e >= 0x80 && e <= 0x8a) || e == 0xa8 || e == 0xa9 || e == 0xaf))
        return 3;
    if (c == 0xe2 && d == 0x81 && e == 0x9f)
        return 3;
    if (c == 0xe3 && d == 0x80 && e == 0x80)
        return 3;
    return 0;
}

static size_t lstrip_len(const char *s, size_t n)
{
    size_t i = 0, k;
    while (i < n && (k = ws_at((const unsigned char *)s, n, i)) > 0)
        i += k;
    return i;
}

/* the length left after removing trailing whitespace */
static size_t rstrip_len(const char *s, size_t n)
{
    while (n > 0) {
        size_t k = 0;
        for (size_t w = 1; w <= 3 && w <= n && !k; w++)
            if (ws_at((const unsigned char *)s, n, n - w) == w)
                k = w;
        if (!k)
            break;
        n -= k;
    }
    return n;
}

/* ---- escapes and indentation ---- */

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static void put_utf8(flux_buf *b, uint32_t cp)
{
    if (cp < 0x80) {
        flux_buf_putc(b, (char)cp);
    } else if (cp < 0x800) {
        flux_buf_putc(b, (char)(0xC0 | (cp >> 6)));
        flux_buf_putc(b, (char)(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        flux_buf_putc(b, (char)(0xE0 | (cp >> 12)));
        flux_buf_putc(b, (char)(0x80 | ((cp >> 6) & 0x3F)));
        flux_buf_putc(b, (char)(0x80 | (cp & 0x3F)));
    } else {
        flux_buf_putc(b, (char)(0xF0 | (cp >> 18)));
        flux_buf_putc(b, (char)(0x80 | ((cp >> 12) & 0x3F)));
        flux_buf_putc(b, (char)(0x80 | ((cp >> 6) & 0x3F)));
        flux_buf_putc(b, (char)(0x80 | (cp & 0x3F)));
    }
}

/* decodes escapes of a quoted string's text segment into b */
static void unescape(flux_lexstate *ls, uint32_t b, uint32_t e, flux_buf *out)
{
    const char *t = ls->text;
    for (uint32_t p = b; p < e; p++) {
        if (t[p] != '\\') {
            flux_buf_putc(out, t[p]);
            continue;
        }
        if (p + 1 >= e) {
            flux_buf_putc(out, '\\');
            break;
        }
        char c = t[++p];
        switch (c) {
        case 'n': flux_buf_putc(out, '\n'); break;
        case 't': flux_buf_putc(out, '\t'); break;
        case 'r': flux_buf_putc(out, '\r'); break;
        case '\\': case '"': case '\'': case '{': case '}': case '$':
            flux_buf_putc(out, c);
            break;
        case 'u': {
            /* \u{1F600} */
            uint32_t q = p + 1, cp = 0;
            int digits = 0;
            if (q < e && t[q] == '{') {
                q++;
                while (q < e && hexval(t[q]) >= 0 && digits < 7) {
                    cp = cp * 16 + (uint32_t)hexval(t[q++]);
                    digits++;
                }
                if (q < e && t[q] == '}' && digits > 0 && cp <= 0x10FFFF && (cp < 0xD800 || cp > 0xDFFF)) {
                    put_utf8(out, cp);
                    p = q;
                    break;
                }
            }
            flux_parse_error(ls, sp(ls, p - 1, q < e ? q + 1 : e), "write a code point as \\u{1F600}",
                         "invalid unicode escape");
            break;
        }
        default:
            flux_parse_error(ls, sp(ls, p - 1, p + 1), "escapes are \\n \\t \\r \\\\ \\\" \\' \\{ \\} \\$ \\u{...}; write '\\\\' for a backslash",
                         "unknown escape sequence '\\%c'", c);
        }
    }
}

/* Kotlin's trimIndent over text segments: drop a blank first and last line,
 * then remove the smallest indentation of the non-blank lines. An expression
 * or a statement tag counts as non-blank text. Segments keep their raw ranges for spans. */
static void dedent(flux_lexstate *ls, segs *s, char **texts, size_t *lens)
{
    const char *t = ls->text;
    /* 1. first line blank: skip up to and including its newline */
    uint32_t skip_first_seg_to = 0;
    bool drop_first = false;
    if (s->n && s->v[0].kind == SEG_TEXT) {
        uint32_t p = s->v[0].begin;
        while (p < s->v[0].end && (t[p] == ' ' || t[p] == '\t' || t[p] == '\r'))
            p++;
        if (p < s->v[0].end && t[p] == '\n') {
            drop_first = true;
            skip_first_seg_to = p + 1;
        }
    }
    /* 2. last line blank: cut from its newline */
    uint32_t cut_last_from = 0;
    bool drop_last = false;
    if (s->n && s->v[s->n - 1].kind == SEG_TEXT) {
        seg *l = &s->v[s->n - 1];
        uint32_t p = l->end;
        while (p > l->begin && (t[p - 1] == ' ' || t[p - 1] == '\t'))
            p--;
        if (p > l->begin && t[p - 1] == '\n' && (!drop_first || s->n > 1 || p - 1 >= skip_first_seg_to)) {
            drop_last = true;
            cut_last_from = p - 1;
            if (cut_last_from > l->begin && t[cut_last_from - 1] == '\r')
                cut_last_from--;
        }
    }
    /* 3. smallest indentation of non-blank lines */
    size_t indent = (size_t)-1;
    bool line_start = true;
    size_t cur = 0;
    for (size_t i = 0; i < s->n; i++) {
        seg *g = &s->v[i];
        if (g->kind != SEG_TEXT) {
            if (line_start && cur < indent)
                indent = cur;
            line_start = false;
            continue;
        }
        uint32_t b = g->begin, e = g->end;
        if (i == 0 && drop_first)
            b = skip_first_seg_to;
        if (i == s->n - 1 && drop_last)
            e = cut_last_from;
        for (uint32_t p = b; p < e; p++) {
            if (t[p] == '\n') {
                line_start = true;
                cur = 0;
            } else if (line_start && (t[p] == ' ' || t[p] == '\t')) {
                cur++;
            } else if (line_start && t[p] == '\r') {
            } else if (line_start) {
                if (cur < indent)
                    indent = cur;
                line_start = false;
            }
        }
    }
    if (indent == (size_t)-1)
        indent = 0;
    /* 4. rebuild text segments */
    line_start = true;
    cur = 0;
    for (size_t i = 0; i < s->n; i++) {
        seg *g = &s->v[i];
        if (g->kind != SEG_TEXT) {
            line_start = false;
            continue;
        }
        uint32_t b = g->begin, e = g->end;
        if (i == 0 && drop_first)
            b = skip_first_seg_to;
        if (i == s->n - 1 && drop_last)
            e = cut_last_from;
        flux_buf out = {0};
        for (uint32_t p = b; p < e; p++) {
            char c = t[p];
            if (c == '\n') {
                line_start = true;
                cur = 0;
                flux_buf_putc(&out, c);
                continue;
            }
            if (line_start && (c == ' ' || c == '\t') && cur < indent) {
                cur++;
                continue;
            }
            line_start = false;
            flux_buf_putc(&out, c);
        }
        texts[i] = flux_arena_strndup(ls->arena, out.data ? out.data : "", out.len);
        lens[i] = out.len;
        flux_buf_free(&out);
    }
}

/* ---- statements ---- */

/* the statement word of a {% %} tag: {%-  if ... → "if" */
static const char *stmt_word(flux_lexstate *ls, const seg *g, size_t *len)
{
    const char *t = ls->text;
    uint32_t p = g->begin;
    while (p < g->end && (t[p] == ' ' || t[p] == '\t' || t[p] == '\n' || t[p] == '\r'))
        p++;
    uint32_t q = p;
    while (q < g->end && ((t[q] >= 'a' && t[q] <= 'z') || (t[q] >= 'A' && t[q] <= 'Z') || t[q] == '_' ||
                          (t[q] >= '0' && t[q] <= '9')))
        q++;
    *len = q - p;
    return t + p;
}

static bool word_is(const char *w, size_t n, const char *s)
{
    return strlen(s) == n && memcmp(w, s, n) == 0;
}

/* the statements a string cannot hold, each with what to write instead;
 * NULL when the tag is one the grammar reads */
static bool stmt_allowed(flux_lexstate *ls, const seg *g, bool triple)
{
    size_t n;
    const char *w = stmt_word(ls, g, &n);
    flux_span at = sp(ls, g->outer_begin, g->outer_end);
    if (word_is(w, n, "macro") || word_is(w, n, "endmacro") || word_is(w, n, "include")) {
        flux_parse_error(ls, at, "macros and includes are statements of their own line, where items stand; "
                                 "a string holds {% if %}, {% for %} and {% set %}",
                         "'{%% %.*s %%}' cannot stand inside a string", (int)n, w);
        return false;
    }
    if (word_is(w, n, "raw") || word_is(w, n, "endraw")) {
        flux_parse_error(ls, at,
                         triple ? "write a literal '{{' or '{%' as {{ \"{{\" }} or {{ \"{%\" }}"
                                : "write a literal '{{' or '{%' as \\{{ or \\{%",
                         "'{%% %.*s %%}' is not a Flux statement", (int)n, w);
        return false;
    }
    return true;
}

typedef struct pvec {
    flux_tpart *v;
    size_t n, cap;
} pvec;

static void pvec_push(pvec *v, flux_tpart p)
{
    v->v = flux_xgrow(v->v, v->n, &v->cap, sizeof *v->v, 8);
    v->v[v->n++] = p;
}

static flux_tbody freeze(flux_lexstate *ls, pvec *v)
{
    flux_tbody b = {flux_arena_memdup(ls->arena, v->v ? (const void *)v->v : "", v->n * sizeof *v->v), v->n};
    free(v->v);
    memset(v, 0, sizeof *v);
    return b;
}

/* an open {% if %} or {% for %} while its body is read */
typedef struct frame {
    flux_tstmt *st; /* NULL for the string itself */
    pvec cur;       /* the body, or the branch, being read */
    flux_expr *cond; /* if: the condition of that branch */
    flux_expr **conds;
    flux_tbody *bodies;
    size_t nb, capc, capb;
    bool in_else;
} frame;

typedef struct builder {
    flux_lexstate *ls;
    frame *f; /* f[0] is the string itself, f[1..top] the open blocks */
    size_t cap;
    int top;
    bool ok;
    bool stop;
    bool tag_failed; /* a tag did not parse: its block is unknown, so its end may not fit */
} builder;

static const char *open_name(const flux_tstmt *st)
{
    return st->kind == FLUX_TS_IF ? "if" : "for";
}

/* finishes the branch being read of the if at the top */
static void end_branch(builder *b, flux_tbody body)
{
    frame *f = &b->f[b->top];
    if (f->in_else) {
        f->st->u.cond.else_body = flux_arena_alloc(b->ls->arena, sizeof(flux_tbody));
        *f->st->u.cond.else_body = body;
        return;
    }
    f->conds = flux_xgrow(f->conds, f->nb, &f->capc, sizeof *f->conds, 4);
    f->bodies = flux_xgrow(f->bodies, f->nb, &f->capb, sizeof *f->bodies, 4);
    f->conds[f->nb] = f->cond;
    f->bodies[f->nb] = body;
    f->nb++;
}

/* closes the block at the top: it becomes a part of the body around it */
static void close_block(builder *b)
{
    frame *f = &b->f[b->top];
    flux_tbody body = freeze(b->ls, &f->cur);
    if (f->st->kind == FLUX_TS_IF) {
        end_branch(b, body);
        f->st->u.cond.n = f->nb;
        f->st->u.cond.conds = flux_arena_memdup(b->ls->arena, f->conds, f->nb * sizeof *f->conds);
        f->st->u.cond.bodies = flux_arena_memdup(b->ls->arena, f->bodies, f->nb * sizeof *f->bodies);
        free(f->conds);
        free(f->bodies);
    } else {
        f->st->u.loop.body = body;
    }
    flux_tstmt *st = f->st;
    memset(f, 0, sizeof *f);
    b->top--;
    pvec_push(&b->f[b->top].cur, (flux_tpart){.stmt = st, .span = st->span});
}

/* an end or branch tag that does not fit the block at the top */
static void misfit(builder *b, flux_span at, const char *tag, const char *want)
{
    b->ok = false;
    if (b->tag_failed)
        return;
    if (b->top == 0) {
        flux_parse_error(b->ls, at, NULL, "'{%% %s %%}' without an open '{%% %s %%}' in this string", tag, want);
        return;
    }
    const flux_tstmt *st = b->f[b->top].st;
    char help[96];
    snprintf(help, sizeof help, "close the %s first with '{%% end%s %%}'", st->kind == FLUX_TS_IF ? "condition" : "loop",
             open_name(st));
    flux_diag *g = flux_error(b->ls->diags, at, "syntax", "unexpected '{%% %s %%}', expected '{%% end%s %%}'", tag,
                              open_name(st));
    flux_diag_note(g, st->span, "to close this '{%% %s'", open_name(st));
    flux_diag_help(g, "%s", help);
    b->ls->errors++;
}

static void add_head(builder *b, const flux_thead *h, flux_span at)
{
    flux_lexstate *ls = b->ls;
    frame *f = &b->f[b->top];
    bool top_if = f->st && f->st->kind == FLUX_TS_IF, top_for = f->st && f->st->kind == FLUX_TS_FOR;
    if (h->tok == T_TS_SET) {
        flux_tstmt *st = flux_arena_alloc(ls->arena, sizeof *st);
        st->kind = FLUX_TS_SET;
        st->span = at;
        st->u.set.name = h->var;
        st->u.set.name_span = h->var_span;
        st->u.set.val = h->expr;
        pvec_push(&f->cur, (flux_tpart){.stmt = st, .span = at});
    } else if (h->tok == T_TS_IF || h->tok == T_TS_FOR) {
        if (b->top == TSTMT_MAX_DEPTH) {
            flux_parse_error(ls, at, "split the text into several strings or {% set %} values",
                             "statements nested more than %d deep in one string", TSTMT_MAX_DEPTH);
            b->ok = false;
            b->stop = true; /* the tags after it would only echo this */
            return;
        }
        flux_tstmt *st = flux_arena_alloc(ls->arena, sizeof *st);
        st->kind = h->tok == T_TS_IF ? FLUX_TS_IF : FLUX_TS_FOR;
        st->span = at;
        if (st->kind == FLUX_TS_FOR) {
            st->u.loop.var = h->var;
            st->u.loop.var_span = h->var_span;
            st->u.loop.var2 = h->var2;
            st->u.loop.var2_span = h->var2_span;
            st->u.loop.iter = h->expr;
        }
        b->top++;
        b->f = flux_xgrow(b->f, (size_t)b->top, &b->cap, sizeof *b->f, 4);
        memset(&b->f[b->top], 0, sizeof b->f[b->top]);
        b->f[b->top].st = st;
        b->f[b->top].cond = h->expr;
    } else if (h->tok == T_TS_ELIF || h->tok == T_TS_ELSE) {
        const char *tag = h->tok == T_TS_ELIF ? "elif" : "else";
        if (top_for && h->tok == T_TS_ELSE) {
            flux_parse_error(ls, at, "test the list first: {% if xs %}{% for x in xs %}...{% endfor %}{% else %}...{% endif %}",
                             "a '{%% for %%}' has no '{%% else %%}' in Flux");
            b->ok = false;
            return;
        }
        if (!top_if) {
            misfit(b, at, tag, "if");
            return;
        }
        if (f->in_else) {
            flux_parse_error(ls, at, "'{% else %}' must be the last branch before '{% endif %}'",
                             "branch after '{%% else %%}'");
            b->ok = false;
            return;
        }
        end_branch(b, freeze(ls, &f->cur));
        f->cond = h->expr;
        f->in_else = h->tok == T_TS_ELSE;
    } else if (h->tok == T_TS_ENDIF || h->tok == T_TS_ENDFOR) {
        bool is_if = h->tok == T_TS_ENDIF;
        if (is_if ? !top_if : !top_for) {
            misfit(b, at, is_if ? "endif" : "endfor", is_if ? "if" : "for");
            return;
        }
        close_block(b);
    }
}

/* frees what a builder holds after an error */
static void builder_free(builder *b)
{
    for (int i = 0; i <= b->top; i++) {
        free(b->f[i].cur.v);
        free(b->f[i].conds);
        free(b->f[i].bodies);
    }
    free(b->f);
}

/* ---- strings ---- */

/* the parsed part of segment g, or false after an error */
static bool parse_tag(flux_lexstate *ls, const seg *g, bool triple, flux_tpart *p, flux_thead **head)
{
    p->span = sp(ls, g->outer_begin, g->outer_end);
    uint32_t q = g->begin;
    while (q < g->end && (ls->text[q] == ' ' || ls->text[q] == '\t' || ls->text[q] == '\n' || ls->text[q] == '\r'))
        q++;
    if (g->kind == SEG_EXPR) {
        if (q == g->end) {
            flux_parse_error(ls, p->span, "put an expression between the braces, e.g. '{{ ds }}'",
                             "empty template expression");
            return false;
        }
        p->expr = flux_parse_nested_expr(ls, g->begin, g->end);
        return p->expr != NULL;
    }
    if (!stmt_allowed(ls, g, triple))
        return false;
    *head = flux_parse_nested_stmt(ls, g->outer_begin, g->outer_end);
    return *head != NULL;
}

/* text of the segments after escapes or dedent, then whitespace control */
static void seg_texts(flux_lexstate *ls, segs *s, int kind, char **texts, size_t *lens)
{
    if (kind == TSTR_TRIPLE) {
        dedent(ls, s, texts, lens);
    } else {
        for (size_t i = 0; i < s->n; i++) {
            if (s->v[i].kind != SEG_TEXT)
                continue;
            if (kind == TSTR_STRING || kind == TSTR_XSTRING) {
                flux_buf out = {0};
                unescape(ls, s->v[i].begin, s->v[i].end, &out);
                texts[i] = flux_arena_strndup(ls->arena, out.data ? out.data : "", out.len);
                lens[i] = out.len;
                flux_buf_free(&out);
            } else {
                lens[i] = s->v[i].end - s->v[i].begin;
                texts[i] = flux_arena_strndup(ls->arena, ls->text + s->v[i].begin, lens[i]);
            }
        }
    }
    for (size_t i = 0; i < s->n; i++) {
        if (s->v[i].kind == SEG_TEXT)
            continue;
        if (s->v[i].strip_before && i > 0 && s->v[i - 1].kind == SEG_TEXT && texts[i - 1])
            lens[i - 1] = rstrip_len(texts[i - 1], lens[i - 1]);
        if (s->v[i].strip_after && i + 1 < s->n && s->v[i + 1].kind == SEG_TEXT && texts[i + 1]) {
            size_t k = lstrip_len(texts[i + 1], lens[i + 1]);
            texts[i + 1] += k;
            lens[i + 1] -= k;
        }
    }
}

/* names, schedules and zones are C strings downstream: a NUL would cut them
 * silently; plans, JSON and logs are UTF-8: other bytes would be replaced on
 * the way, silently changing the value */
static bool text_ok(flux_lexstate *ls, const flux_tstr *ts, const char *text, size_t len, flux_span span)
{
    if (memchr(text, '\0', len)) {
        flux_parse_error(ls, ts->span, "remove the NUL byte", "text holds a NUL byte");
        return false;
    }
    if (!flux_utf8_valid(text, len, NULL)) {
        flux_parse_error(ls, span, "save the file as UTF-8", "text is not valid UTF-8");
        return false;
    }
    return true;
}

flux_tstr *flux_lex_tstr(flux_lexstate *ls, flux_loc loc, int kind)
{
    flux_tstr *ts = flux_arena_alloc(ls->arena, sizeof *ts);
    ts->span = sp(ls, loc.begin, loc.end);
    uint32_t b = loc.begin, e = loc.end;
    bool escapes = kind == TSTR_STRING || kind == TSTR_XSTRING, triple = kind == TSTR_TRIPLE;
    if (escapes) {
        b += 1;
        e -= 1;
    } else if (triple) {
        b += 3;
        e -= 3;
    }
    if (e < b)
        e = b;
    segs s = {0};
    if (kind == TSTR_XSTRING) {
        seg_push(&s, (seg){b, e, SEG_TEXT, b, e, false, false});
    } else if (!split(ls, b, e, escapes, triple, &s) ||
               ((kind == TSTR_STRING || triple) && !stray_closers(ls, &s, escapes))) {
        ts->broken = true;
        free(s.v);
        return ts;
    }

    char **texts = calloc(s.n ? s.n : 1, sizeof *texts);
    size_t *lens = calloc(s.n ? s.n : 1, sizeof *lens);
    if (!texts || !lens)
        abort();
    seg_texts(ls, &s, kind, texts, lens);

    builder bdv = {0}, *bd = &bdv;
    bd->ls = ls;
    bd->ok = true;
    bd->f = flux_xgrow(NULL, 0, &bd->cap, sizeof *bd->f, 4);
    memset(bd->f, 0, sizeof *bd->f);
    for (size_t i = 0; i < s.n && !bd->stop; i++) {
        flux_tpart p = {0};
        if (s.v[i].kind == SEG_TEXT) {
            p.span = sp(ls, s.v[i].outer_begin, s.v[i].outer_end);
            if (!text_ok(ls, ts, texts[i], lens[i], p.span)) {
                bd->ok = false;
                break;
            }
            if (lens[i] == 0)
                continue;
            p.text = texts[i];
            p.len = lens[i];
            pvec_push(&bd->f[bd->top].cur, p);
            continue;
        }
        flux_thead *head = NULL;
        if (!parse_tag(ls, &s.v[i], triple, &p, &head)) {
            bd->ok = false;
            bd->tag_failed = true;
            continue;
        }
        ts->has_expr = true;
        if (head)
            add_head(bd, head, p.span);
        else
            pvec_push(&bd->f[bd->top].cur, p);
    }
    for (int i = bd->top; i > 0 && bd->ok; i--) {
        const flux_tstmt *st = bd->f[i].st;
        flux_diag *g = flux_error(ls->diags, st->span, "syntax", "'{%% %s %%}' is not closed in this string",
                                  open_name(st));
        flux_diag_help(g, "close it with '{%% end%s %%}' before the end of the string", open_name(st));
        ls->errors++;
        bd->ok = false;
    }
    if (bd->ok) {
        flux_tbody body = freeze(ls, &bd->f[0].cur);
        ts->parts = body.parts;
        ts->n = body.n;
        free(bd->f);
    } else {
        builder_free(bd);
        ts->broken = true;
        ts->n = 0;
    }
    free(texts);
    free(lens);
    free(s.v);
    return ts;
}

const char *flux_tstr_plain(const flux_tstr *t)
{
    if (!t || t->has_expr)
        return NULL;
    if (t->n == 0)
        return "";
    if (t->n == 1)
        return t->parts[0].text;
    return NULL;
}

/* ---- printing ---- */

static void print_text(const flux_tprinter *pr, const char *s, size_t n, bool tag_follows, flux_buf *out)
{
    if (pr && pr->text)
        pr->text(pr->ud, s, n, tag_follows, out);
    else
        flux_buf_put(out, s, n);
}

static void print_expr(const flux_tprinter *pr, const flux_expr *x, flux_buf *out)
{
    if (pr && pr->expr)
        pr->expr(pr->ud, x, out);
    else
        flux_expr_print(x, out);
}

/* closed: a tag follows the body (its block's next branch or end) */
static void print_body(const flux_tpart *parts, size_t n, bool closed, const flux_tprinter *pr, flux_buf *out);

void flux_tstmt_print_open(const flux_tstmt *st, const flux_tprinter *pr, flux_buf *out)
{
    switch (st->kind) {
    case FLUX_TS_SET:
        flux_buf_printf(out, "{%% set %s = ", st->u.set.name);
        print_expr(pr, st->u.set.val, out);
        break;
    case FLUX_TS_FOR:
        flux_buf_printf(out, "{%% for %s%s%s in ", st->u.loop.var, st->u.loop.var2 ? ", " : "",
                        st->u.loop.var2 ? st->u.loop.var2 : "");
        print_expr(pr, st->u.loop.iter, out);
        break;
    case FLUX_TS_IF:
        flux_buf_puts(out, "{% if ");
        print_expr(pr, st->u.cond.n ? st->u.cond.conds[0] : NULL, out);
        break;
    }
    flux_buf_puts(out, " %}");
}

static void print_stmt(const flux_tstmt *st, const flux_tprinter *pr, flux_buf *out)
{
    flux_tstmt_print_open(st, pr, out);
    if (st->kind == FLUX_TS_FOR) {
        print_body(st->u.loop.body.parts, st->u.loop.body.n, true, pr, out);
        flux_buf_puts(out, "{% endfor %}");
    } else if (st->kind == FLUX_TS_IF) {
        for (size_t i = 0; i < st->u.cond.n; i++) {
            if (i) {
                flux_buf_puts(out, "{% elif ");
                print_expr(pr, st->u.cond.conds[i], out);
                flux_buf_puts(out, " %}");
            }
            print_body(st->u.cond.bodies[i].parts, st->u.cond.bodies[i].n, true, pr, out);
        }
        if (st->u.cond.else_body) {
            flux_buf_puts(out, "{% else %}");
            print_body(st->u.cond.else_body->parts, st->u.cond.else_body->n, true, pr, out);
        }
        flux_buf_puts(out, "{% endif %}");
    }
}

static void print_body(const flux_tpart *parts, size_t n, bool closed, const flux_tprinter *pr, flux_buf *out)
{
    for (size_t i = 0; i < n;) {
        if (parts[i].text) {
            /* adjacent text parts are one text: escaping looks across them */
            flux_buf t = {0};
            while (i < n && parts[i].text) {
                flux_buf_put(&t, parts[i].text, parts[i].len);
                i++;
            }
            print_text(pr, t.data ? t.data : "", t.len, i < n || closed, out);
            flux_buf_free(&t);
            continue;
        }
        if (parts[i].expr) {
            flux_buf_puts(out, "{{ ");
            print_expr(pr, parts[i].expr, out);
            flux_buf_puts(out, " }}");
        } else if (parts[i].stmt) {
            print_stmt(parts[i].stmt, pr, out);
        }
        i++;
    }
}

void flux_tparts_print(const flux_tpart *parts, size_t n, const flux_tprinter *pr, flux_buf *out)
{
    print_body(parts, n, false, pr, out);
}
