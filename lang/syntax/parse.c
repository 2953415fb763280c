/* parse — front-end entry: runs the scanner and parser, splits strings and
 * templated names into text and {{ expression }} parts, reports syntax errors
 * with their place, and prints expressions back as canonical source. */
#include "parse.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lexstate.h"
#include "parser.h"
#include "alloc.h"
#include "duration.h"
#include "suggest.h"
#include "text.h"
#include "utf8.h"

static flux_span sp(flux_lexstate *ls, uint32_t b, uint32_t e)
{
    flux_span s = {ls->file, b, e};
    return s;
}

static void init_state(flux_lexstate *ls, flux_arena *arena, flux_diags *diags, flux_sources *sources,
                       uint32_t file)
{
    memset(ls, 0, sizeof *ls);
    ls->arena = arena;
    ls->diags = diags;
    ls->sources = sources;
    ls->file = file;
    ls->text = flux_sources_get(sources, file)->text;
    ls->prev = T_NL;
}

static int run(flux_lexstate *ls, uint32_t begin, uint32_t end)
{
    ls->base = begin;
    ls->limit = end;
    if (fluxlex_lex_init_extra(ls, &ls->scanner) != 0)
        abort();
    flux_lex_begin(ls, ls->text + begin, end - begin);
    int r = fluxyyparse(ls);
    fluxlex_lex_destroy(ls->scanner);
    return r;
}

flux_file *flux_parse_file(flux_arena *arena, flux_diags *diags, flux_sources *sources, uint32_t file)
{
    flux_lexstate ls;
    init_state(&ls, arena, diags, sources, file);
    ls.start_token = T_START_FILE;
    const flux_source *src = flux_sources_get(sources, file);
    run(&ls, 0, (uint32_t)src->len);
    flux_file *f = flux_arena_alloc(arena, sizeof *f);
    f->source = file;
    f->body = ls.result_body;
    f->syntax_errors = ls.errors;
    return f;
}

/* ---- expression depth ----
 * A chain such as x | f | f | ... nests without brackets, so the parser's
 * stack does not bound it; every later stage recurses over expressions, so
 * the depth is bounded here, once, without recursion. */

#define EXPR_MAX_DEPTH 256

static size_t kids(const flux_expr *x, const flux_expr **out)
{
    size_t n = 0;
    switch (x->kind) {
    case FLUX_X_ATTR: out[n++] = x->u.attr.obj; break;
    case FLUX_X_INDEX: out[n++] = x->u.index.obj; out[n++] = x->u.index.index; break;
    case FLUX_X_UNARY: out[n++] = x->u.unary.arg; break;
    case FLUX_X_BINARY: out[n++] = x->u.binary.lhs; out[n++] = x->u.binary.rhs; break;
    case FLUX_X_COND: out[n++] = x->u.cond.cond; out[n++] = x->u.cond.then; out[n++] = x->u.cond.other; break;
    case FLUX_X_FILTER: out[n++] = x->u.filter.arg; break;
    default: break;
    }
    return n;
}

static const flux_exprs *kid_list(const flux_expr *x)
{
    switch (x->kind) {
    case FLUX_X_LIST: case FLUX_X_DICT: return &x->u.list;
    case FLUX_X_FILTER: return &x->u.filter.args;
    case FLUX_X_CALL: return &x->u.call.args;
    default: return NULL;
    }
}

static bool too_deep(const flux_expr *root)
{
    typedef struct { const flux_expr *x; size_t d; } frame;
    size_t cap = 64, n = 0;
    frame *st = malloc(cap * sizeof *st);
    if (!st)
        abort();
    st[n++] = (frame){root, 1};
    bool deep = false;
    while (n && !deep) {
        frame f = st[--n];
        if (f.d > EXPR_MAX_DEPTH) {
            deep = true;
            break;
        }
        const flux_expr *k[3];
        size_t nk = kids(f.x, k);
        const flux_exprs *l = kid_list(f.x);
        size_t need = n + nk + (l ? l->n : 0);
        if (need > cap) {
            while (cap < need)
                cap *= 2;
            frame *ns = realloc(st, cap * sizeof *ns);
            if (!ns)
                abort();
            st = ns;
        }
        for (size_t i = 0; i < nk; i++)
            if (k[i])
                st[n++] = (frame){k[i], f.d + 1};
        for (size_t i = 0; l && i < l->n; i++)
            st[n++] = (frame){l->v[i], f.d + 1};
    }
    free(st);
    return deep;
}

/* the expression, or a none literal in its place after reporting that it is
 * too deep, so that later stages never see it */

flux_expr *flux_parse_bound(flux_lexstate *ls, flux_expr *x)
{
    if (!x || !too_deep(x))
        return x;
    flux_diag *g = flux_error(ls->diags, x->span, "syntax", "expression nested more than %d levels deep",
                              EXPR_MAX_DEPTH);
    flux_diag_help(g, "split it with {%% set %%} values");
    ls->errors++;
    flux_expr *none = flux_arena_alloc(ls->arena, sizeof *none);
    none->kind = FLUX_X_NONE;
    none->span = x->span;
    return none;
}

flux_expr *flux_parse_nested_expr(flux_lexstate *parent, uint32_t begin, uint32_t end)
{
    flux_lexstate ls;
    init_state(&ls, parent->arena, parent->diags, parent->sources, parent->file);
    ls.start_token = T_START_EXPR;
    ls.expr_mode = 1;
    run(&ls, begin, end);
    flux_expr *x = ls.errors ? NULL : flux_parse_bound(&ls, ls.result_expr);
    parent->errors += ls.errors;
    return ls.errors ? NULL : x;
}

flux_thead *flux_parse_nested_stmt(flux_lexstate *parent, uint32_t begin, uint32_t end)
{
    flux_lexstate ls;
    init_state(&ls, parent->arena, parent->diags, parent->sources, parent->file);
    ls.start_token = T_START_STMT;
    ls.stmt_mode = 1;
    run(&ls, begin, end);
    parent->errors += ls.errors;
    return ls.errors ? NULL : ls.result_head;
}

flux_expr *flux_parse_expr(flux_arena *arena, flux_diags *diags, flux_sources *sources, uint32_t file,
                           uint32_t begin, uint32_t end)
{
    flux_lexstate ls;
    init_state(&ls, arena, diags, sources, file);
    return flux_parse_nested_expr(&ls, begin, end);
}

flux_tstr *flux_parse_template(flux_arena *arena, flux_diags *diags, flux_sources *sources, uint32_t file,
                               uint32_t begin, uint32_t end)
{
    flux_lexstate ls;
    init_state(&ls, arena, diags, sources, file);
    flux_loc loc = {begin, end};
    flux_tstr *t = flux_lex_tstr(&ls, loc, TSTR_NAME);
    if (ls.errors)
        t->broken = true;
    return t;
}

/* ---- syntax errors ---- */

void flux_parse_error(flux_lexstate *ls, flux_span span, const char *help, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    flux_diag_vreport(ls->diags, FLUX_SEV_ERROR, span, "syntax", help, fmt, ap);
    va_end(ap);
    ls->errors++;
}

static const char *const statements[] = {"for", "endfor", "if", "elif", "else", "endif",
                                         "set", "macro", "endmacro", "include"};

/* quotes a token's text for a message, shortened and without control bytes */
static const char *quote_text(flux_lexstate *ls, flux_loc loc)
{
    size_t n = loc.end - loc.begin;
    const char *t = ls->text + loc.begin;
    flux_buf b = {0};
    flux_buf_putc(&b, '\'');
    for (size_t i = 0; i < n && i < 32; i++) {
        unsigned char c = (unsigned char)t[i];
        if (c == '\n')
            break;
        if (c < 0x20 || c == 0x7f)
            flux_buf_printf(&b, "\\x%02x", c);
        else
            flux_buf_putc(&b, (char)c);
    }
    if (n > 32)
        flux_buf_puts(&b, "...");
    flux_buf_putc(&b, '\'');
    char *r = flux_arena_strdup(ls->arena, flux_buf_cstr(&b));
    flux_buf_free(&b);
    return r;
}

static bool first_on_line(const flux_lexstate *ls, uint32_t at)
{
    while (at > 0 && (ls->text[at - 1] == ' ' || ls->text[at - 1] == '\t'))
        at--;
    return at == 0 || ls->text[at - 1] == '\n';
}

/* ---- brackets in messages ---- */

static void linecol(flux_lexstate *ls, uint32_t off, unsigned *line, unsigned *col)
{
    flux_source_linecol((flux_source *)flux_sources_get(ls->sources, ls->file), off, line, col);
}

static bool same_line(flux_lexstate *ls, uint32_t a, uint32_t b)
{
    if (a > b) {
        uint32_t t = a;
        a = b;
        b = t;
    }
    return memchr(ls->text + a, '\n', b - a) == NULL;
}

static char closer_of(char open)
{
    return open == '{' ? '}' : open == '[' ? ']' : open == '(' ? ')' : 0;
}

/* how many brackets were open for the parser when the lookahead came: an
 * opener it brought is not open yet, what a closer it brought closed still is */
static int open_at_error(const flux_lexstate *ls)
{
    int n = ls->depth;
    if (ls->pushed && n > 0)
        n--;
    if (ls->popped_from > n)
        n = ls->popped_from;
    return n;
}

/* the first '}' noted as standing oddly after offset from (note_odd_close),
 * or the last one before offset until when until is set; -1 for none */
static int odd_close_after(const flux_lexstate *ls, uint32_t from)
{
    for (int i = 0; i < ls->nodd; i++)
        if (ls->odd_close[i].begin > from)
            return i;
    return -1;
}

static int odd_close_before(const flux_lexstate *ls, uint32_t until)
{
    int r = -1;
    for (int i = 0; i < ls->nodd; i++)
        if (ls->odd_close[i].begin < until)
            r = i;
    return r;
}

static uint32_t indent_at(const flux_lexstate *ls, uint32_t at)
{
    uint32_t b = at;
    while (b > 0 && ls->text[b - 1] != '\n')
        b--;
    uint32_t p = b;
    while (ls->text[p] == ' ' || ls->text[p] == '\t')
        p++;
    return p - b;
}

/* a note at odd close k: what it closed, and the line it is indented like
 * when that is the line of `like` (an unclosed opener) */
static void odd_note(flux_lexstate *ls, flux_diag *g, int k, const flux_loc *like, const char *why)
{
    unsigned line, col, lline, lcol;
    linecol(ls, ls->odd_open[k].begin, &line, &col);
    uint32_t at = ls->odd_close[k].begin;
    bool first = first_on_line(ls, at);
    flux_span cs = sp(ls, at, ls->odd_close[k].end);
    if (like && first && indent_at(ls, at) == indent_at(ls, like->begin)) {
        linecol(ls, like->begin, &lline, &lcol);
        flux_diag_note(g, cs, "this '}' closes the '{' opened at %u:%u, but is indented like line %u: %s", line, col,
                       lline, why);
    } else {
        flux_diag_note(g, cs, "this '}' closes the '{' opened at %u:%u, but is not indented like line %u: %s", line, col,
                       line, why);
    }
}

/* whether an unterminated string began on the line of offset at: what it
 * swallowed up to the end of its line (a '}') is missing for a reason
 * already reported */
static bool eaten_on_line(const flux_lexstate *ls, uint32_t at)
{
    for (int i = 0; i < ls->neaten; i++)
        if (same_line((flux_lexstate *)ls, ls->eaten[i], at))
            return true;
    return false;
}

/* the end of the file with brackets still open: the message names the
 * innermost one, and a '}' that may have closed another by mistake */
static void unclosed_at_eof(flux_lexstate *ls, flux_span span, int nopen, const char *base)
{
    flux_loc open = ls->stack_loc[nopen - 1];
    int k = ls->stack[nopen - 1] == LEX_BLOCK ? odd_close_after(ls, open.begin) : -1;
    if (ls->eaten_to_eof || eaten_on_line(ls, open.begin) || (k >= 0 && eaten_on_line(ls, ls->odd_open[k].begin)))
        return; /* the string that swallowed its '}' was reported */
    char o = ls->text[open.begin];
    unsigned line, col;
    linecol(ls, open.begin, &line, &col);
    flux_diag *g = flux_error(ls->diags, span, "syntax", "%s, expected '%c' to close '%c' opened at %u:%u", base,
                              closer_of(o), o, line, col);
    flux_diag_note(g, sp(ls, open.begin, open.end), "unclosed '%c' opened here", o);
    if (k >= 0)
        odd_note(ls, g, k, &open, "is a '}' missing before it?");
    ls->errors++;
}

/* a closer with nothing open of its kind */
static void extra_closer(flux_lexstate *ls, flux_span span, char c, const char *base)
{
    char o = c == '}' ? '{' : c == ']' ? '[' : '(';
    flux_diag *g = flux_error(ls->diags, span, "syntax", "%s: there is no '%c' for it to close", base, o);
    int k = c == '}' ? odd_close_before(ls, span.begin) : -1;
    if (k >= 0)
        odd_note(ls, g, k, NULL, "is it one too many?");
    ls->errors++;
}

void flux_parse_report(flux_lexstate *ls, flux_loc loc, int what, const char *tokname, const char **expected,
                       int nexpected)
{
    flux_span span = sp(ls, loc.begin, loc.end);
    if (ls->eof_closing)
        return; /* the braces given at the end of a file, its unclosed brace reported */
    if (what == 1) {
        const char *msg = ls->invalid_msg ? ls->invalid_msg : "invalid token";
        if (strcmp(msg, "unknown template statement") == 0) {
            const char *t = ls->text + loc.begin + 2;
            while (*t == '-' || *t == ' ' || *t == '\t')
                t++;
            size_t n = (size_t)(ls->text + loc.end - t);
            char *word = flux_arena_strndup(ls->arena, t, n);
            const char *best = flux_suggest(word, statements, sizeof statements / sizeof *statements);
            flux_span ws = sp(ls, (uint32_t)(t - ls->text), loc.end);
            if (best) {
                char *h = flux_arena_printf(ls->arena, "did you mean '{%% %s'?", best);
                flux_parse_error(ls, ws, h, "unknown template statement '%s'", word);
            } else {
                flux_parse_error(ls, ws, ls->invalid_help, "unknown template statement '%s'", word);
            }
            return;
        }
        if (strcmp(msg, "unexpected character") == 0) {
            flux_parse_error(ls, span, ls->invalid_help, "unexpected character %s", quote_text(ls, loc));
            return;
        }
        if (strncmp(msg, "invalid", 7) == 0) {
            flux_parse_error(ls, span, ls->invalid_help, "%s %s", msg, quote_text(ls, loc));
            return;
        }
        flux_parse_error(ls, span, ls->invalid_help, "%s", msg);
        return;
    }

    /* inside {{ }} the input ends where the expression does */
    if (what == 2 && ls->expr_mode)
        tokname = "end of the expression";
    int nopen = open_at_error(ls);
    if (what == 2 && nopen == 0 && ls->errors > 0)
        return; /* the end of a file whose brackets all closed, reached early: an echo */
    flux_buf m = {0};
    flux_buf_puts(&m, "unexpected ");
    flux_buf_puts(&m, tokname);
    if (what == 0 && (strcmp(tokname, "name") == 0 || strcmp(tokname, "identifier") == 0 ||
                      strcmp(tokname, "integer") == 0 || strcmp(tokname, "duration") == 0 ||
                      strcmp(tokname, "number") == 0)) {
        flux_buf_putc(&m, ' ');
        flux_buf_puts(&m, quote_text(ls, loc));
    }
    bool closer = what == 0 && strlen(tokname) == 3 && tokname[0] == '\'' && strchr("}])", tokname[1]);
    if (closer && ls->popped_from == 0) {
        extra_closer(ls, span, tokname[1], flux_buf_cstr(&m));
        flux_buf_free(&m);
        return;
    }
    bool wants_eq = false, wants_colon = false, wants_close = false, wants_opener_close = false;
    char want_close = nopen > 0 ? closer_of(ls->text[ls->stack_loc[nopen - 1].begin]) : 0;
    size_t base_len = m.len;
    if (nexpected > 0 && nexpected <= 5) {
        /* a longer list reads as noise, not help */
        flux_buf_puts(&m, ", expected ");
        for (int i = 0; i < nexpected; i++) {
            if (i)
                flux_buf_puts(&m, i == nexpected - 1 ? " or " : ", ");
            flux_buf_puts(&m, expected[i]);
            wants_eq |= strcmp(expected[i], "'='") == 0;
            wants_colon |= strcmp(expected[i], "':'") == 0;
            wants_close |= strcmp(expected[i], "'}'") == 0;
            wants_opener_close |= strlen(expected[i]) == 3 && expected[i][1] == want_close;
        }
    }
    /* a missing {% endfor %}-like end: point at the statement it closes */
    bool wants_end = false;
    for (int i = 0; i < nexpected; i++)
        wants_end |= strcmp(expected[i], "'{% endfor'") == 0 || strcmp(expected[i], "'{% endif'") == 0 ||
                     strcmp(expected[i], "'{% endmacro'") == 0;
    if (wants_end && ls->tdepth > 0 && ls->tdepth <= LEX_MAX_DEPTH) {
        char kind = ls->tstack[ls->tdepth - 1];
        flux_loc open = ls->tstack_loc[ls->tdepth - 1];
        const char *name = kind == 'f' ? "for" : kind == 'i' ? "if" : "macro";
        m.len = base_len;
        flux_diag *g = flux_error(ls->diags, span, "syntax", "%s, expected '{%% end%s %%}'", flux_buf_cstr(&m), name);
        flux_diag_note(g, sp(ls, open.begin, open.end), "to close this '{%% %s'", name);
        flux_diag_help(g, "add '{%% end%s %%}' where the %s ends", name, kind == 'f' ? "loop" : kind == 'i' ? "condition" : "macro");
        flux_buf_free(&m);
        ls->errors++;
        return;
    }
    if (what == 2 && nopen > 0) {
        m.len = base_len;
        unclosed_at_eof(ls, span, nopen, flux_buf_cstr(&m));
        flux_buf_free(&m);
        return;
    }
    /* an error on a later line than the bracket that expects its closer:
     * name the bracket, which may be the one left open */
    if (wants_opener_close && ls->stack[nopen - 1] == LEX_INLINE &&
        !same_line(ls, ls->stack_loc[nopen - 1].begin, loc.begin)) {
        unsigned line, col;
        linecol(ls, ls->stack_loc[nopen - 1].begin, &line, &col);
        flux_buf_printf(&m, " to close '%c' opened at %u:%u", ls->text[ls->stack_loc[nopen - 1].begin], line, col);
    }
    const char *help = NULL;
    bool in_tag = strcmp(tokname, "'%}'") == 0 || ls->expr_mode || ls->stmt_mode;
    char prev = loc.begin > 0 ? ls->text[loc.begin - 1] : 0;
    if (ls->before_last == T_PIPELINE && what == 0)
        help = "a pipeline is written 'pipeline NAME { ... }'";
    else if (wants_colon)
        help = "a task is written 'task NAME : OPERATOR { ... }'";
    else if (wants_eq && what == 0 && !in_tag)
        help = "an attribute is written 'name = value', one per line";
    else if (what == 0 && (ls->expr_mode || ls->stmt_mode) && strcmp(tokname, "identifier") == 0 &&
             (prev == '\'' || prev == '"'))
        help = "a quote inside a quoted string is escaped, 'it\\'s', or the string is quoted with the other quote, "
               "\"it's\"";
    else if (strcmp(tokname, "newline") == 0 && wants_close)
        help = NULL;
    char *msg = flux_arena_strdup(ls->arena, flux_buf_cstr(&m));
    flux_buf_free(&m);
    flux_parse_error(ls, span, help, "%s", msg);
}

void fluxyyerror(flux_loc *loc, flux_lexstate *ls, const char *msg)
{
    /* only reached when the parser's stack is exhausted */
    flux_parse_error(ls, sp(ls, loc->begin, loc->end), "split the expression or nesting into smaller parts",
                 "input nested too deeply (%s)", msg);
}


void flux_parse_if_else_check(flux_lexstate *ls, flux_item *it, flux_loc l)
{
    (void)it;
    flux_parse_error(ls, sp(ls, l.begin, l.end), "'{% else %}' must be the last branch before '{% endif %}'",
                 "branch after '{%% else %%}'");
}

/* ---- recovery and mistakes read past ---- */

/* a single-quoted string as Flux writes it, for the help; NULL when long */
static const char *double_quoted(flux_lexstate *ls, flux_loc l)
{
    if (l.end - l.begin > 64)
        return NULL;
    flux_buf b = {0};
    flux_buf_putc(&b, '"');
    for (uint32_t p = l.begin + 1; p + 1 < l.end; p++) {
        char c = ls->text[p];
        if (c == '\\' && p + 2 < l.end && ls->text[p + 1] == '\'') {
            flux_buf_putc(&b, '\'');
            p++;
        } else if (c == '\\' && p + 2 < l.end) {
            flux_buf_putc(&b, c);
            flux_buf_putc(&b, ls->text[++p]);
        } else if (c == '"') {
            flux_buf_puts(&b, "\\\"");
        } else {
            flux_buf_putc(&b, c);
        }
    }
    flux_buf_putc(&b, '"');
    const char *r = flux_arena_strdup(ls->arena, flux_buf_cstr(&b));
    flux_buf_free(&b);
    return r;
}

static void report_soft(flux_lexstate *ls)
{
    flux_span at = sp(ls, ls->soft_loc.begin, ls->soft_loc.end);
    switch (ls->soft) {
    case LEX_SOFT_SQUOTE: {
        const char *d = double_quoted(ls, ls->soft_loc);
        flux_parse_error(ls, at, d ? flux_arena_printf(ls->arena, "Flux strings are written in double quotes: %s", d)
                                   : "Flux strings are written in double quotes",
                         "unexpected single-quoted string");
        break;
    }
    case LEX_SOFT_ARROW:
        flux_parse_error(ls, at, "a dependency is written 'a >> b'", "'->' is not a dependency operator");
        break;
    case LEX_SOFT_TRUE: case LEX_SOFT_FALSE: {
        bool t = ls->soft == LEX_SOFT_TRUE;
        flux_parse_error(ls, at, t ? "booleans are written in lower case: true" : "booleans are written in lower case: false",
                         "'%s' is not a value in Flux", t ? "True" : "False");
        break;
    }
    }
    ls->soft = LEX_SOFT_NONE;
}

/* the tokens that close the blocks open at the end of a file: '}' and a
 * newline for each, then the end */
static int eof_close(flux_lexstate *ls, flux_loc *lloc)
{
    *lloc = ls->eof_loc;
    int t = 0;
    if (ls->eof_nl) {
        ls->eof_nl = 0;
        t = T_NL;
    } else if (ls->depth > 0) {
        ls->depth--;
        ls->eof_nl = 1;
        t = '}';
    }
    ls->last_tok = t;
    ls->last_loc = *lloc;
    return t;
}

int flux_parse_next(flux_lexstate *ls, flux_loc *lloc)
{
    ls->pushed = 0;
    ls->popped_from = 0;
    ls->invalid_msg = NULL;
    ls->invalid_help = NULL;
    ls->before_last = ls->last_tok;
    if (ls->npending > 0) {
        ls->npending--;
        *lloc = ls->pending_loc[ls->npending];
        ls->last_tok = ls->pending[ls->npending];
        ls->last_loc = *lloc;
        return ls->last_tok;
    }
    if (ls->eof_closing)
        return eof_close(ls, lloc);
    for (;;) {
        int before = ls->depth;
        int t = flux_lex_next(ls);
        if (ls->soft && !ls->recovering)
            report_soft(ls);
        ls->soft = LEX_SOFT_NONE;
        if (t == 0 && ls->depth > 0 && ls->tdepth == 0 && !ls->expr_mode && !ls->stmt_mode) {
            /* the end of the file with blocks open: reported once here, then
             * each block is closed for the parser, so the items read so far
             * stay and are checked like the rest of the file */
            unclosed_at_eof(ls, sp(ls, lloc->begin, lloc->end), ls->depth, "unexpected end of file");
            ls->recovering = 0;
            ls->eof_closing = 1;
            ls->eof_loc = *lloc;
            while (ls->depth > 0 && ls->stack[ls->depth - 1] != LEX_BLOCK)
                ls->depth--;
            return eof_close(ls, lloc);
        }
        if (ls->recovering && t != 0) {
            if (ls->depth >= ls->recover_depth && (before > ls->recover_depth || ls->depth > ls->recover_depth)) {
                /* inside brackets the broken item opened: skipped whole */
                ls->pushed = 0;
                ls->popped_from = 0;
                ls->invalid_msg = NULL;
                continue;
            }
            if (t == T_NL || ls->depth < ls->recover_depth)
                ls->recovering = 0;
        } else if (t == 0) {
            ls->recovering = 0;
        }
        ls->last_tok = t;
        ls->last_loc = *lloc;
        return t;
    }
}

void flux_parse_recover(flux_lexstate *ls, flux_loc loc, int la)
{
    if (ls->eof_closing)
        return;
    int n = open_at_error(ls);
    if (la != LA_OPENER && la != LA_CLOSER && ls->pushed)
        n = ls->depth;
    /* the block the parser recovers in: the innermost one open */
    int rd = 0;
    for (int i = n - 1; i >= 0; i--) {
        if (ls->stack[i] == LEX_BLOCK) {
            rd = i + 1;
            break;
        }
    }
    if (la == LA_OTHER && n > rd && ls->depth == n && ls->stack[n - 1] == LEX_INLINE && first_on_line(ls, loc.begin) &&
        !same_line(ls, ls->stack_loc[n - 1].begin, loc.begin) && ls->last_tok != 0) {
        /* a [ ( or map { left open, and a line that cannot continue it:
         * the bracket ends where that line begins, which is read again as
         * the next item */
        ls->depth = rd;
        ls->pending[0] = ls->last_tok;
        ls->pending_loc[0] = ls->last_loc;
        ls->pending[1] = T_NL;
        ls->pending_loc[1] = (flux_loc){loc.begin, loc.begin};
        ls->npending = 2;
        return;
    }
    /* the broken item ends at the next newline of that block, or at its
     * '}': what it opened on the way is skipped whole (a newline that was
     * the lookahead already ended it) */
    if (ls->depth >= rd && !(ls->last_tok == T_NL && ls->depth == rd)) {
        ls->recovering = 1;
        ls->recover_depth = rd;
    }
}

/* ---- literals ---- */


int64_t flux_parse_int(flux_lexstate *ls, flux_loc l)
{
    char buf[64];
    size_t n = l.end - l.begin;
    if (n >= sizeof buf) {
        flux_parse_error(ls, sp(ls, l.begin, l.end), "integers are 64-bit", "integer out of range");
        return 0;
    }
    memcpy(buf, ls->text + l.begin, n);
    buf[n] = '\0';
    errno = 0;
    long long v = strtoll(buf, NULL, 10);
    if (errno == ERANGE) {
        flux_parse_error(ls, sp(ls, l.begin, l.end), "integers are 64-bit", "integer out of range");
        return 0;
    }
    return (int64_t)v;
}

double flux_parse_float(flux_lexstate *ls, flux_loc l)
{
    /* the whole token: a long one cut short would read as another number */
    size_t n = l.end - l.begin;
    char *buf = flux_xmalloc(n + 1);
    memcpy(buf, ls->text + l.begin, n);
    buf[n] = '\0';
    double d = strtod(buf, NULL);
    free(buf);
    if (!isfinite(d)) {
        flux_parse_error(ls, sp(ls, l.begin, l.end), NULL, "number out of range");
        return 0;
    }
    return d;
}

int64_t flux_parse_duration(flux_lexstate *ls, flux_loc l)
{
    int64_t ms = 0;
    flux_sched_error err;
    if (flux_duration_parse(ls->text + l.begin, l.end - l.begin, &ms, &err) != 0) {
        flux_parse_error(ls, sp(ls, l.begin, l.end), err.help[0] ? err.help : NULL, "%s", err.msg);
        return 0;
    }
    return ms;
}

/* ---- printing expressions ---- */

const char *flux_xop_text(flux_xop op)
{
    switch (op) {
    case FLUX_OP_NEG: return "-";
    case FLUX_OP_POS: return "+";
    case FLUX_OP_NOT: return "not";
    case FLUX_OP_ADD: return "+";
    case FLUX_OP_SUB: return "-";
    case FLUX_OP_MUL: return "*";
    case FLUX_OP_DIV: return "/";
    case FLUX_OP_IDIV: return "//";
    case FLUX_OP_MOD: return "%";
    case FLUX_OP_CONCAT: return "~";
    case FLUX_OP_EQ: return "==";
    case FLUX_OP_NE: return "!=";
    case FLUX_OP_LT: return "<";
    case FLUX_OP_LE: return "<=";
    case FLUX_OP_GT: return ">";
    case FLUX_OP_GE: return ">=";
    case FLUX_OP_AND: return "and";
    case FLUX_OP_OR: return "or";
    case FLUX_OP_IN: return "in";
    case FLUX_OP_NOT_IN: return "not in";
    }
    return "?";
}


void flux_print_string_literal(const char *s, size_t n, flux_buf *out)
{
    flux_buf_putc(out, '"');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '"': flux_buf_puts(out, "\\\""); break;
        case '\\': flux_buf_puts(out, "\\\\"); break;
        case '\n': flux_buf_puts(out, "\\n"); break;
        case '\t': flux_buf_puts(out, "\\t"); break;
        case '\r': flux_buf_puts(out, "\\r"); break;
        default:
            if (c < 0x20 || c == 0x7f)
                flux_buf_printf(out, "\\u{%x}", c);
            else
                flux_buf_putc(out, (char)c);
        }
    }
    flux_buf_putc(out, '"');
}

static void print_args(const flux_exprs *a, flux_buf *out)
{
    flux_buf_putc(out, '(');
    for (size_t i = 0; i < a->n; i++) {
        if (i)
            flux_buf_puts(out, ", ");
        flux_expr_print(a->v[i], out);
    }
    flux_buf_putc(out, ')');
}

static bool is_compound(const flux_expr *x)
{
    return x->kind == FLUX_X_BINARY || x->kind == FLUX_X_UNARY || x->kind == FLUX_X_COND;
}

static void print_operand(const flux_expr *x, flux_buf *out)
{
    if (is_compound(x)) {
        flux_buf_putc(out, '(');
        flux_expr_print(x, out);
        flux_buf_putc(out, ')');
    } else {
        flux_expr_print(x, out);
    }
}

void flux_expr_print(const flux_expr *x, flux_buf *out)
{
    switch (x->kind) {
    case FLUX_X_NONE: flux_buf_puts(out, "none"); break;
    case FLUX_X_BOOL: flux_buf_puts(out, x->u.b ? "true" : "false"); break;
    case FLUX_X_INT:
        /* the smallest integer has no literal of its own: -9223372036854775808
         * reads as the negation of a number out of range */
        if (x->u.i == INT64_MIN)
            flux_buf_puts(out, "(-9223372036854775807 - 1)");
        else
            flux_buf_printf(out, "%" PRId64, x->u.i);
        break;
    case FLUX_X_FLOAT: {
        /* read again when a plan is loaded: a literal, never "1e+16" */
        char tmp[FLUX_DOUBLE_TEXT];
        flux_buf_puts(out, flux_text_double_literal(x->u.f, tmp));
        break;
    }
    case FLUX_X_STRING: flux_print_string_literal(x->u.str.s, x->u.str.len, out); break;
    case FLUX_X_DURATION: flux_print_duration(x->u.ms, out); break;
    case FLUX_X_LIST:
        flux_buf_putc(out, '[');
        for (size_t i = 0; i < x->u.list.n; i++) {
            if (i)
                flux_buf_puts(out, ", ");
            flux_expr_print(x->u.list.v[i], out);
        }
        flux_buf_putc(out, ']');
        break;
    case FLUX_X_DICT:
        flux_buf_putc(out, '{');
        for (size_t i = 0; i + 1 < x->u.list.n; i += 2) {
            if (i)
                flux_buf_puts(out, ", ");
            flux_expr_print(x->u.list.v[i], out);
            flux_buf_puts(out, ": ");
            flux_expr_print(x->u.list.v[i + 1], out);
        }
        flux_buf_putc(out, '}');
        break;
    case FLUX_X_NAME: flux_buf_puts(out, x->u.name); break;
    case FLUX_X_ATTR:
        print_operand(x->u.attr.obj, out);
        flux_buf_putc(out, '.');
        flux_buf_puts(out, x->u.attr.name);
        break;
    case FLUX_X_INDEX:
        print_operand(x->u.index.obj, out);
        flux_buf_putc(out, '[');
        flux_expr_print(x->u.index.index, out);
        flux_buf_putc(out, ']');
        break;
    case FLUX_X_UNARY:
        flux_buf_puts(out, flux_xop_text(x->u.unary.op));
        if (x->u.unary.op == FLUX_OP_NOT)
            flux_buf_putc(out, ' ');
        print_operand(x->u.unary.arg, out);
        break;
    case FLUX_X_BINARY:
        print_operand(x->u.binary.lhs, out);
        flux_buf_printf(out, " %s ", flux_xop_text(x->u.binary.op));
        print_operand(x->u.binary.rhs, out);
        break;
    case FLUX_X_FILTER:
        print_operand(x->u.filter.arg, out);
        flux_buf_puts(out, " | ");
        flux_buf_puts(out, x->u.filter.name);
        if (x->u.filter.args.n)
            print_args(&x->u.filter.args, out);
        break;
    case FLUX_X_CALL:
        flux_buf_puts(out, x->u.call.name);
        print_args(&x->u.call.args, out);
        break;
    case FLUX_X_COND:
        print_operand(x->u.cond.then, out);
        flux_buf_puts(out, " if ");
        print_operand(x->u.cond.cond, out);
        flux_buf_puts(out, " else ");
        print_operand(x->u.cond.other, out);
        break;
    }
}
