/* diag — the diagnostics object every stage reports into. */
#include "diag.h"
#include "alloc.h"
#include "hash.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void flux_diags_init(flux_diags *d, flux_sources *sources)
{
    memset(d, 0, sizeof *d);
    d->sources = sources;
}

void flux_diags_free(flux_diags *d)
{
    for (size_t i = 0; i < d->n; i++) {
        flux_diag *g = d->v[i];
        free(g->msg);
        free(g->help);
        for (size_t j = 0; j < g->nnotes; j++)
            free(g->notes[j].msg);
        free(g->notes);
        free(g);
    }
    free(d->v);
    free(d->seen);
    memset(d, 0, sizeof *d);
}


/* true when (span, msg) is new */
static bool remember(flux_diags *d, flux_span span, const char *msg)
{
    uint64_t h = flux_hash(FLUX_HASH_SEED, &span, sizeof span);
    h = flux_hash(h, msg, strlen(msg));
    if (h == 0)
        h = 1;
    if (2 * (d->seen_n + 1) > d->seen_cap) {
        size_t cap = d->seen_cap ? 2 * d->seen_cap : 64;
        uint64_t *t = calloc(cap, sizeof *t);
        if (!t)
            return true;
        for (size_t i = 0; i < d->seen_cap; i++) {
            if (!d->seen[i])
                continue;
            size_t j = d->seen[i] & (cap - 1);
            while (t[j])
                j = (j + 1) & (cap - 1);
            t[j] = d->seen[i];
        }
        free(d->seen);
        d->seen = t;
        d->seen_cap = cap;
    }
    size_t j = h & (d->seen_cap - 1);
    while (d->seen[j]) {
        if (d->seen[j] == h)
            return false;
        j = (j + 1) & (d->seen_cap - 1);
    }
    d->seen[j] = h;
    d->seen_n++;
    return true;
}

flux_diag *flux_diag_vadd(flux_diags *d, flux_severity sev, flux_span span, const char *code,
                          const char *fmt, va_list ap)
{
    if (d->full)
        return NULL;
    char *msg = flux_xvasprintf(fmt, ap);
    if (!remember(d, span, msg)) {
        free(msg);
        return NULL;
    }
    flux_diag *g = flux_xrealloc(NULL, sizeof *g);
    memset(g, 0, sizeof *g);
    g->sev = sev;
    g->span = span;
    g->code = code;
    g->msg = msg;
    g->seq = d->n;
    d->v = flux_xgrow(d->v, d->n, &d->cap, sizeof *d->v, 16);
    d->v[d->n++] = g;
    if (sev == FLUX_SEV_ERROR)
        d->errors++;
    else
        d->warnings++;
    if (d->errors >= FLUX_DIAG_LIMIT && !d->full) {
        flux_diag *last = g;
        g = flux_diag_add(d, FLUX_SEV_ERROR, span, "too-many-errors", "too many errors (%d); stopping here",
                          FLUX_DIAG_LIMIT);
        flux_diag_help(g, "fix the first ones: later errors often follow from them");
        d->full = true;
        return last;
    }
    return g;
}

flux_diag *flux_diag_add(flux_diags *d, flux_severity sev, flux_span span, const char *code,
                         const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    flux_diag *g = flux_diag_vadd(d, sev, span, code, fmt, ap);
    va_end(ap);
    return g;
}

void flux_diag_note(flux_diag *g, flux_span span, const char *fmt, ...)
{
    if (!g)
        return;
    va_list ap;
    va_start(ap, fmt);
    char *msg = flux_xvasprintf(fmt, ap);
    va_end(ap);
    g->notes = flux_xrealloc(g->notes, (g->nnotes + 1) * sizeof *g->notes);
    g->notes[g->nnotes].span = span;
    g->notes[g->nnotes].msg = msg;
    g->nnotes++;
}

flux_diag *flux_diag_vreport(flux_diags *d, flux_severity sev, flux_span span, const char *code, const char *help,
                             const char *fmt, va_list ap)
{
    flux_diag *g = flux_diag_vadd(d, sev, span, code, fmt, ap);
    if (help)
        flux_diag_help(g, "%s", help);
    return g;
}

void flux_diag_help(flux_diag *g, const char *fmt, ...)
{
    if (!g)
        return;
    va_list ap;
    va_start(ap, fmt);
    free(g->help);
    g->help = flux_xvasprintf(fmt, ap);
    va_end(ap);
}

static int cmp_diag(const void *pa, const void *pb)
{
    const flux_diag *a = *(flux_diag *const *)pa, *b = *(flux_diag *const *)pb;
    if (a->span.file != b->span.file)
        return a->span.file < b->span.file ? -1 : 1;
    if (a->span.begin != b->span.begin)
        return a->span.begin < b->span.begin ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

void flux_diags_sort(flux_diags *d)
{
    if (d->n > 1)
        qsort(d->v, d->n, sizeof *d->v, cmp_diag);
}

#define C_BOLD "\033[1m"
#define C_RED "\033[1;31m"
#define C_MAGENTA "\033[1;35m"
#define C_CYAN "\033[1;36m"
#define C_GREEN "\033[1;32m"
#define C_RESET "\033[0m"

/* Source line, then a caret line that copies tabs so it lines up under any
 * indentation, and skips UTF-8 continuation bytes so columns match glyphs. */
static void print_excerpt(flux_diags *d, FILE *out, flux_span span, bool colour)
{
    flux_source *src = (flux_source *)flux_sources_get(d->sources, span.file);
    if (!src)
        return;
    size_t len;
    const char *line = flux_source_line(src, span.begin, &len);
    size_t col = span.begin - (uint32_t)(line - src->text);
    fprintf(out, "%.*s\n", (int)len, line);
    if (colour)
        fputs(C_GREEN, out);
    for (size_t i = 0; i < col && i < len; i++) {
        unsigned char c = (unsigned char)line[i];
        if (c == '\t')
            fputc('\t', out);
        else if ((c & 0xC0) != 0x80)
            fputc(' ', out);
    }
    fputc('^', out);
    size_t end = span.end > span.begin ? span.end - (uint32_t)(line - src->text) : col + 1;
    if (end > len)
        end = len;
    for (size_t i = col + 1; i < end; i++)
        if (((unsigned char)line[i] & 0xC0) != 0x80)
            fputc('~', out);
    if (colour)
        fputs(C_RESET, out);
    fputc('\n', out);
}

static void print_head(flux_diags *d, FILE *out, flux_span span, const char *kind, const char *kcolour,
                       const char *msg, bool colour)
{
    flux_source *src = (flux_source *)flux_sources_get(d->sources, span.file);
    if (colour)
        fputs(C_BOLD, out);
    if (src) {
        unsigned line, col;
        flux_source_linecol(src, span.begin, &line, &col);
        fprintf(out, "%s:%u:%u: ", src->path, line, col);
    }
    if (colour)
        fprintf(out, "%s%s:" C_RESET C_BOLD " %s" C_RESET "\n", kcolour, kind, msg);
    else
        fprintf(out, "%s: %s\n", kind, msg);
}

void flux_diags_first(flux_diags *d, const char *name, bool with_help, char *out, size_t n)
{
    if (n)
        out[0] = '\0';
    if (!d->n || !n)
        return;
    flux_diags_sort(d);
    const flux_diag *g = d->v[0];
    flux_source *src = d->sources ? (flux_source *)flux_sources_get(d->sources, g->span.file) : NULL;
    unsigned line = 0, col = 0;
    if (src)
        flux_source_linecol(src, g->span.begin, &line, &col);
    int k = src ? snprintf(out, n, "%s:%u:%u: %s", name ? name : src->path, line, col, g->msg)
                : snprintf(out, n, "%s", g->msg);
    if (with_help && g->help && k >= 0 && (size_t)k < n)
        snprintf(out + k, n - (size_t)k, "\nhelp: %s", g->help);
}

void flux_diags_print(flux_diags *d, FILE *out, bool colour)
{
    for (size_t i = 0; i < d->n; i++) {
        flux_diag *g = d->v[i];
        bool err = g->sev == FLUX_SEV_ERROR;
        print_head(d, out, g->span, err ? "error" : "warning", err ? C_RED : C_MAGENTA, g->msg, colour);
        print_excerpt(d, out, g->span, colour);
        for (size_t j = 0; j < g->nnotes; j++) {
            print_head(d, out, g->notes[j].span, "note", C_CYAN, g->notes[j].msg, colour);
            print_excerpt(d, out, g->notes[j].span, colour);
        }
        if (g->help) {
            if (colour)
                fprintf(out, C_GREEN "help:" C_RESET " %s\n", g->help);
            else
                fprintf(out, "help: %s\n", g->help);
        }
    }
}

/* jansson refuses invalid UTF-8; user text in a message must not make the
 * whole report vanish, so such bytes become '?' */
static json_t *jstr(const char *s)
{
    json_t *j = json_string(s);
    if (j)
        return j;
    char *c = flux_xrealloc(NULL, strlen(s) + 1);
    size_t k = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        c[k++] = *p < 0x80 ? (char)*p : '?';
    c[k] = '\0';
    j = json_string(c);
    free(c);
    return j;
}

static json_t *json_place(flux_diags *d, flux_span span, json_t *o)
{
    flux_source *src = (flux_source *)flux_sources_get(d->sources, span.file);
    if (!src)
        return o;
    unsigned line, col, eline, ecol;
    flux_source_linecol(src, span.begin, &line, &col);
    flux_source_linecol(src, span.end > span.begin ? span.end : span.begin + 1, &eline, &ecol);
    json_object_set_new(o, "file", jstr(src->path));
    json_object_set_new(o, "line", json_integer(line));
    json_object_set_new(o, "column", json_integer(col));
    json_object_set_new(o, "end_line", json_integer(eline));
    json_object_set_new(o, "end_column", json_integer(ecol));
    return o;
}

void flux_diags_print_json(flux_diags *d, FILE *out)
{
    json_t *root = json_object();
    json_t *arr = json_array();
    for (size_t i = 0; i < d->n; i++) {
        flux_diag *g = d->v[i];
        json_t *o = json_object();
        json_object_set_new(o, "severity", json_string(g->sev == FLUX_SEV_ERROR ? "error" : "warning"));
        if (g->code)
            json_object_set_new(o, "code", json_string(g->code));
        json_place(d, g->span, o);
        json_object_set_new(o, "message", jstr(g->msg));
        if (g->help)
            json_object_set_new(o, "help", jstr(g->help));
        json_t *notes = json_array();
        for (size_t j = 0; j < g->nnotes; j++) {
            json_t *n = json_object();
            json_place(d, g->notes[j].span, n);
            json_object_set_new(n, "message", jstr(g->notes[j].msg));
            json_array_append_new(notes, n);
        }
        json_object_set_new(o, "notes", notes);
        json_array_append_new(arr, o);
    }
    json_object_set_new(root, "diagnostics", arr);
    json_object_set_new(root, "errors", json_integer((json_int_t)d->errors));
    json_object_set_new(root, "warnings", json_integer((json_int_t)d->warnings));
    char *s = json_dumps(root, JSON_PRESERVE_ORDER | JSON_COMPACT);
    if (s) {
        fputs(s, out);
        fputc('\n', out);
        free(s);
    }
    json_decref(root);
}
