/* yamlsrc — a YAML file read for diagnostics; see yamlsrc.h. */
#include "yamlsrc.h"

#include <stdlib.h>
#include <string.h>

#include "alloc.h"

/* tabs read past before the rest of the file is given up */
#define TABS_MAX 100

/* A line of the file and of the copy libyaml reads: the same but where an
 * indentation holding a tab became the spaces it was meant to be. */
struct flux_yamlsrc_line {
    size_t orig, scr;       /* where the line starts in each */
    size_t orig_ws, scr_ws; /* bytes of leading blanks in each, when expanded */
    bool expanded;
};

/* an error found before the file is in the sources */
struct flux_yamlsrc_error {
    size_t begin, end, note_at;
    const char *code, *msg, *help, *note;
};

static void add_error(flux_yamlsrc *y, size_t begin, size_t end, const char *code, const char *help, const char *msg)
{
    y->errs = flux_xgrow(y->errs, y->nerrs, &y->errs_cap, sizeof *y->errs, 4);
    y->errs[y->nerrs++] = (struct flux_yamlsrc_error){.begin = begin, .end = end, .code = code, .msg = msg,
                                                      .help = help};
}

/* ---- positions: libyaml's (line, column in characters) of the copy to
 * bytes of the file ---- */

static void split_lines(flux_yamlsrc *y)
{
    size_t n = 1;
    for (size_t i = 0; i < y->len; i++)
        n += y->text[i] == '\n';
    y->lines = flux_xcalloc(n, sizeof *y->lines);
    y->nlines = 0;
    y->lines[y->nlines++].orig = 0;
    for (size_t i = 0; i < y->len; i++)
        if (y->text[i] == '\n')
            y->lines[y->nlines].orig = y->lines[y->nlines].scr = i + 1, y->nlines++;
}

/* end of line i (before its newline) in the copy, and in the file */
static size_t scr_end(const flux_yamlsrc *y, size_t i)
{
    return i + 1 < y->nlines ? y->lines[i + 1].scr - 1 : y->slen;
}

static size_t orig_end(const flux_yamlsrc *y, size_t i)
{
    return i + 1 < y->nlines ? y->lines[i + 1].orig - 1 : y->len;
}

/* byte b of line i of the copy, in the file */
static size_t orig_byte(const flux_yamlsrc *y, size_t i, size_t b)
{
    const struct flux_yamlsrc_line *l = &y->lines[i];
    if (!l->expanded)
        return l->orig + b;
    if (b >= l->scr_ws)
        return l->orig + l->orig_ws + (b - l->scr_ws);
    return l->orig + (b < l->orig_ws ? b : l->orig_ws);
}

/* libyaml's 1-based column (characters) of line i of the copy, in bytes */
static size_t scr_byte(const flux_yamlsrc *y, size_t i, size_t col)
{
    size_t start = y->lines[i].scr, end = scr_end(y, i), b = 0;
    for (size_t c = 1; c < col && start + b < end; c++) {
        b++;
        while (start + b < end && ((unsigned char)y->scr[start + b] & 0xC0) == 0x80)
            b++;
    }
    return b;
}

/* libyaml's 1-based line and column of the copy, in the file */
static size_t orig_at(const flux_yamlsrc *y, size_t line, size_t col)
{
    if (line == 0 || line > y->nlines)
        return y->len;
    return orig_byte(y, line - 1, scr_byte(y, line - 1, col));
}

/* a byte offset of the copy (libyaml's reader errors), in the file */
static size_t orig_of_scr(const flux_yamlsrc *y, size_t off)
{
    size_t i = 0;
    while (i + 1 < y->nlines && y->lines[i + 1].scr <= off)
        i++;
    return orig_byte(y, i, off - y->lines[i].scr);
}

/* a node's text on its first line, in the file */
static flux_span span_of(const flux_yamlsrc *y, const flux_ynode *n)
{
    size_t b = orig_at(y, n->line, n->col), e = orig_at(y, n->end_line, n->end_col);
    size_t le = n->line >= 1 && n->line <= y->nlines ? orig_end(y, n->line - 1) : y->len;
    if (e > le || e <= b)
        e = le;
    if (e <= b)
        e = b + 1;
    return (flux_span){y->file, (uint32_t)b, (uint32_t)e};
}

/* ---- reading past tabs ---- */

/* The indentation line i was meant to have, guessed from the nearest line
 * above that holds something: one level (two spaces) deeper when that one
 * opens a block (ends with ':'), else the same. Blank lines need none. */
static size_t meant_indent(const flux_yamlsrc *y, size_t i)
{
    const char *s = y->scr + y->lines[i].scr;
    size_t n = scr_end(y, i) - y->lines[i].scr, ws = 0;
    while (ws < n && (s[ws] == ' ' || s[ws] == '\t' || s[ws] == '\r'))
        ws++;
    if (ws == n)
        return 0;
    for (size_t j = i; j-- > 0;) {
        s = y->scr + y->lines[j].scr;
        n = scr_end(y, j) - y->lines[j].scr;
        ws = 0;
        while (ws < n && s[ws] == ' ')
            ws++;
        while (n > ws && (s[n - 1] == ' ' || s[n - 1] == '\r'))
            n--;
        if (n == ws || s[ws] == '#' || s[ws] == '\t')
            continue;
        return ws + (s[n - 1] == ':' ? 2 : 0);
    }
    return 0;
}

/* line i's indentation, which holds a tab, becomes the spaces it was meant
 * to be in the copy */
static void expand_tabs(flux_yamlsrc *y, size_t i)
{
    struct flux_yamlsrc_line *l = &y->lines[i];
    const char *s = y->scr + l->scr;
    size_t end = scr_end(y, i) - l->scr, ws = 0;
    while (ws < end && (s[ws] == ' ' || s[ws] == '\t'))
        ws++;
    size_t want = meant_indent(y, i);
    char *copy = flux_xmalloc(y->slen - ws + want + 1);
    memcpy(copy, y->scr, l->scr);
    memset(copy + l->scr, ' ', want);
    memcpy(copy + l->scr + want, y->scr + l->scr + ws, y->slen - l->scr - ws);
    free(y->scr);
    y->scr = copy;
    y->slen = y->slen - ws + want;
    y->scr[y->slen] = '\0';
    l->expanded = true;
    l->orig_ws = ws; /* the file's line is unchanged so far: the same blanks */
    l->scr_ws = want;
    for (size_t j = i + 1; j < y->nlines; j++)
        y->lines[j].scr = y->lines[j].scr - ws + want;
}

/* When libyaml stopped at a tab: reported, and the copy changed so that
 * reading again goes past it. false when the error is something else. */
static bool read_past_tab(flux_yamlsrc *y, const flux_yaml_error *e)
{
    if (e->error == YAML_READER_ERROR || e->line == 0 || e->line > y->nlines || y->tabs >= TABS_MAX)
        return false;
    size_t i = e->line - 1, start = y->lines[i].scr, n = scr_end(y, i) - start;
    const char *s = y->scr + start;
    size_t ws = 0, tab = n;
    while (ws < n && (s[ws] == ' ' || s[ws] == '\t'))
        if (s[ws++] == '\t' && tab == n)
            tab = ws - 1;
    if (tab < n) {
        size_t at = orig_byte(y, i, tab);
        add_error(y, at, at + 1, "yaml-syntax", "YAML indents with spaces only: replace the tab with spaces",
             "a tab is used for indentation");
        expand_tabs(y, i);
        y->tabs++;
        return true;
    }
    size_t b = scr_byte(y, i, e->col);
    if (b >= n || s[b] != '\t') {
        /* libyaml may stop after the tab it complains of */
        const char *t = e->problem && strstr(e->problem, "tab") ? memchr(s, '\t', n) : NULL;
        if (!t)
            return false;
        b = (size_t)(t - s);
    }
    size_t at = orig_byte(y, i, b);
    add_error(y, at, at + 1, "yaml-syntax", "replace the tab with a space", "a tab where YAML allows only spaces");
    y->scr[start + b] = ' ';
    y->tabs++;
    return true;
}

/* libyaml's own error, or the tree reader's */
static void yaml_error(flux_yamlsrc *y, const flux_yaml_error *e, yaml_mark_t context_mark)
{
    size_t at = e->error == YAML_READER_ERROR ? orig_of_scr(y, e->offset) : orig_at(y, e->line, e->col);
    const char *msg, *help = NULL;
    switch (e->status) {
    case FLUX_YAML_PARSER:
        msg = flux_arena_printf(y->a, "invalid YAML: %s", e->problem ? e->problem : "cannot be read");
        /* "while parsing a flow mapping": a note where that mapping starts */
        if (e->context && !strncmp(e->context, "while parsing a flow ", 21) &&
            (context_mark.line + 1 != e->line || context_mark.column + 1 != e->col)) {
            add_error(y, at, at + 1, "yaml-syntax", NULL, msg);
            y->errs[y->nerrs - 1].note_at = orig_at(y, context_mark.line + 1, context_mark.column + 1);
            y->errs[y->nerrs - 1].note = flux_arena_printf(y->a, "the %s that starts here", e->context + 16);
            return;
        }
        break;
    case FLUX_YAML_ALIAS:
        msg = "aliases are not supported in flux.yaml";
        help = "write the settings out again";
        break;
    case FLUX_YAML_TOO_DEEP: msg = "nested too deeply"; break;
    case FLUX_YAML_SECOND_DOCUMENT:
        msg = "a second YAML document: flux.yaml is one";
        help = "remove the '---' and put what follows into the first document";
        break;
    default: msg = "invalid YAML"; break;
    }
    add_error(y, at, at + 1, "yaml-syntax", help, msg);
}

flux_ynode *flux_yamlsrc_parse(flux_yamlsrc *y, const flux_yaml_opts *opts)
{
    for (;;) {
        yaml_parser_t ps;
        yaml_parser_initialize(&ps);
        yaml_parser_set_input_string(&ps, (const unsigned char *)y->scr, y->slen);
        flux_yaml_error e;
        flux_ynode *root = flux_yaml_tree(y->a, &ps, opts, &e);
        bool again = e.status == FLUX_YAML_PARSER && read_past_tab(y, &e);
        /* after a tab, another error may only follow from how it was read past */
        if (!again && e.status != FLUX_YAML_OK && e.status != FLUX_YAML_EMPTY && !y->tabs)
            yaml_error(y, &e, ps.context_mark);
        yaml_parser_delete(&ps);
        if (!again)
            return e.status == FLUX_YAML_OK ? root : NULL;
    }
}

/* ---- masking passwords in the text excerpts are cut from ---- */

static void mask_range(flux_yamlsrc *y, size_t b, size_t e)
{
    for (; b < e && b < y->len; b++)
        if (y->text[b] != '\n')
            y->text[b] = '*';
}

/* The password of a URI in [b, e): user:PASSWORD@host, up to the last '@'
 * of the URI (a '/' in a password not written %2F cuts the authority short
 * but must not show what follows it). Without an '@', what follows the
 * first ':' of the authority when it is not a port: a user:password whose
 * @host is missing. */
static void mask_uri(flux_yamlsrc *y, size_t b, size_t e)
{
    const char *t = y->text;
    for (size_t p = b; p + 3 <= e; p++) {
        if (memcmp(t + p, "://", 3) != 0)
            continue;
        size_t q = p + 3, at = 0, auth = 0;
        for (; q < e && !strchr(" \"',}?#", t[q]); q++) {
            if (t[q] == '@')
                at = q;
            if (t[q] == '/' && !auth)
                auth = q;
        }
        size_t end = at ? at : auth ? auth : q;
        for (size_t c = p + 3; c < end; c++)
            if (t[c] == ':') {
                bool port = !at;
                for (size_t d = c + 1; port && d < end; d++)
                    port = t[d] >= '0' && t[d] <= '9';
                if (!port)
                    mask_range(y, c + 1, end);
                break;
            }
        p = q - 1;
    }
}

static void mask_node(flux_yamlsrc *y, const flux_ynode *n)
{
    if (n->kind == FLUX_YNODE_SCALAR) {
        mask_range(y, orig_at(y, n->line, n->col), orig_at(y, n->end_line, n->end_col));
        return;
    }
    for (size_t i = 0; i < n->n; i++)
        mask_node(y, n->kids[i]);
}

/* every value of a key naming a password, and every URI's password */
static void mask_tree(flux_yamlsrc *y, const flux_ynode *n, bool (*secret)(const char *key))
{
    if (n->kind == FLUX_YNODE_SCALAR) {
        if (strstr(n->s, "://"))
            mask_uri(y, orig_at(y, n->line, n->col), orig_at(y, n->end_line, n->end_col));
        return;
    }
    for (size_t i = 0; i < n->n; i++) {
        const flux_ynode *k = n->kids[i];
        if (n->kind == FLUX_YNODE_MAP && i % 2 == 0 && i + 1 < n->n && k->kind == FLUX_YNODE_SCALAR &&
            secret(k->s)) {
            mask_node(y, n->kids[++i]);
            continue;
        }
        mask_tree(y, k, secret);
    }
}

/* Without a tree, line by line: the value after a key ending in "password",
 * and URIs' passwords. */
static void mask_lines(flux_yamlsrc *y)
{
    const char *t = y->text;
    for (size_t i = 0; i < y->nlines; i++) {
        size_t s = y->lines[i].orig, e = orig_end(y, i);
        mask_uri(y, s, e);
        for (size_t p = s; p + 8 <= e; p++) {
            if (memcmp(t + p, "password", 8) != 0)
                continue;
            size_t q = p + 8;
            q += q < e && (t[q] == '"' || t[q] == '\'');
            while (q < e && t[q] == ' ')
                q++;
            if (q >= e || t[q] != ':')
                continue;
            bool flow = memchr(t + s, '{', p - s) != NULL;
            size_t v = ++q;
            while (v < e && !(flow && (t[v] == ',' || t[v] == '}')))
                v++;
            while (q < v && t[q] == ' ')
                q++;
            mask_range(y, q, v);
        }
    }
}

void flux_yamlsrc_mask(flux_yamlsrc *y, const flux_ynode *root, bool (*secret)(const char *key))
{
    if (root)
        mask_tree(y, root, secret);
    else
        mask_lines(y);
}

/* ---- the file as diagnostics see it ---- */

void flux_yamlsrc_init(flux_yamlsrc *y, flux_arena *a, const char *path, const char *text, size_t len)
{
    memset(y, 0, sizeof *y);
    y->a = a;
    y->path = path;
    y->len = y->slen = len;
    y->text = flux_xmalloc(len + 1);
    memcpy(y->text, text, len);
    y->text[len] = '\0';
    y->scr = flux_xmalloc(len + 1);
    memcpy(y->scr, y->text, len + 1);
    split_lines(y);
}

void flux_yamlsrc_free(flux_yamlsrc *y)
{
    free(y->text);
    free(y->scr);
    free(y->lines);
    free(y->errs);
    memset(y, 0, sizeof *y);
}

void flux_yamlsrc_add(flux_yamlsrc *y, flux_diags *d)
{
    y->file = flux_sources_add(d->sources, y->path, y->text, y->len);
    for (size_t i = 0; i < y->nerrs; i++) {
        const struct flux_yamlsrc_error *p = &y->errs[i];
        flux_diag *g = flux_diag_add(d, FLUX_SEV_ERROR, (flux_span){y->file, (uint32_t)p->begin, (uint32_t)p->end},
                                     p->code, "%s", p->msg);
        if (p->help)
            flux_diag_help(g, "%s", p->help);
        if (p->note)
            flux_diag_note(g, (flux_span){y->file, (uint32_t)p->note_at, (uint32_t)p->note_at + 1}, "%s", p->note);
    }
}

flux_span flux_yamlsrc_span(const flux_yamlsrc *y, const flux_ynode *n)
{
    return span_of(y, n);
}

void flux_yamlsrc_linecol(const flux_yamlsrc *y, const flux_ynode *n, size_t *line, size_t *col)
{
    *line = n->line;
    *col = n->line >= 1 && n->line <= y->nlines ? orig_at(y, n->line, n->col) - y->lines[n->line - 1].orig + 1
                                                 : n->col;
}
