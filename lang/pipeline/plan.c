/* plan — writes and reads plans: the YAML form of one checked pipeline
 * (format and guarantees in PLAN.md).
 *
 * Writing goes through libyaml's emitter with every choice pinned (scalar
 * style per kind of value, indentation, line breaks, no line width), and the
 * pipeline is walked in an order that depends only on its content: task index,
 * attribute names, edge indices. Same pipeline, same bytes.
 *
 * Reading goes through libyaml's event parser into a small tree (one node per
 * scalar, sequence or mapping, with its position), then a strict check of that
 * tree that builds a flux_pipeline. The reader takes untrusted bytes (a plan
 * file can be edited, truncated or fuzzed), so every limit is explicit: input
 * size, nesting depth, expression depth; anchors and aliases are refused so a
 * small file cannot expand into a large tree.
 */
#include "plan.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "parse.h"
#include "duration.h"
#include "sha256.h"
#include "text.h"
#include "utf8.h"

/* Plans are compiler output: the same bound as a source file keeps span
 * offsets (32-bit) valid for the templates parsed out of a plan. */
#define PLAN_MAX_BYTES (64u << 20)
/* YAML nesting: the plan's own structure takes five levels; values nest
 * below. Above the lexer's 200 brackets so any value a source can spell fits. */
#define PLAN_MAX_DEPTH 256
/* {{ a | f | f ... }} nests without brackets; the writer and the renderer
 * recurse over expressions, so a plan must not carry one deeper than this. */
#define PLAN_MAX_EXPR_DEPTH 1000

/* ==== shared helpers ======================================================== */


/* Words a YAML 1.1 reader would take for a boolean or null when written
 * plain; names spelled like them are quoted so any YAML tool reads strings. */
static bool yaml_reserved(const char *s, size_t n)
{
    static const char *const words[] = {"true", "false", "yes", "no", "on", "off", "null", "y", "n"};
    for (size_t i = 0; i < sizeof words / sizeof *words; i++) {
        size_t wl = strlen(words[i]);
        if (wl != n)
            continue;
        size_t j = 0;
        while (j < n && (s[j] | 0x20) == words[i][j])
            j++;
        if (j == n)
            return true;
    }
    return false;
}

/* ==== writer ================================================================ */

static int write_out(void *data, unsigned char *buffer, size_t size)
{
    flux_buf_put(data, (const char *)buffer, size);
    return 1;
}

static void emit(yaml_emitter_t *y, yaml_event_t *ev, int ok)
{
    /* The events are built here and every string was made valid UTF-8, so a
     * refusal is a bug in this file: stop rather than write a wrong plan. */
    if (!ok || !yaml_emitter_emit(y, ev)) {
        fprintf(stderr, "flux: plan writer: %s\n", y->problem ? y->problem : "libyaml refused an event");
        abort();
    }
}

/* Scalar with a fixed style. Invalid UTF-8 (a source can hold any bytes in a
 * string) becomes U+FFFD so libyaml accepts the text; the result is still a
 * function of the input only. */
static void put_scalar(yaml_emitter_t *y, const char *tag, const char *s, size_t n, yaml_scalar_style_t style)
{
    flux_buf fixed = {0};
    if (!s)
        s = "", n = 0;
    if (!flux_utf8_valid(s, n, NULL)) {
        flux_utf8_sanitize(s, n, &fixed);
        s = fixed.data;
        n = fixed.len;
    }
    yaml_event_t ev;
    int implicit = tag == NULL;
    int ok = n <= INT32_MAX && yaml_scalar_event_initialize(&ev, NULL, (yaml_char_t *)tag, (yaml_char_t *)s,
                                                            (int)n, implicit, implicit, style);
    emit(y, &ev, ok);
    flux_buf_free(&fixed);
}

static void put_plain(yaml_emitter_t *y, const char *s)
{
    put_scalar(y, NULL, s, strlen(s), YAML_PLAIN_SCALAR_STYLE);
}

static void put_quoted(yaml_emitter_t *y, const char *s, size_t n)
{
    put_scalar(y, NULL, s, n, YAML_DOUBLE_QUOTED_SCALAR_STYLE);
}

/* Names (pipeline, task ids, operators, keys) are plain when they are
 * identifier-like and cannot be read as anything but a string; otherwise
 * double-quoted. Decided by the text alone, so deterministic. */
static void put_name(yaml_emitter_t *y, const char *s)
{
    size_t n = s ? strlen(s) : 0;
    bool plain = n > 0 && (flux_is_alpha(s[0]) || s[0] == '_') && !yaml_reserved(s, n);
    for (size_t i = 0; plain && i < n; i++)
        plain = flux_is_alpha(s[i]) || flux_is_digit(s[i]) || s[i] == '_' || s[i] == '.' || s[i] == '-' || s[i] == '/';
    put_scalar(y, NULL, s, n, plain ? YAML_PLAIN_SCALAR_STYLE : YAML_DOUBLE_QUOTED_SCALAR_STYLE);
}

static void put_int(yaml_emitter_t *y, int64_t i)
{
    char tmp[32];
    snprintf(tmp, sizeof tmp, "%" PRId64, i);
    put_plain(y, tmp);
}

static void begin_map(yaml_emitter_t *y)
{
    yaml_event_t ev;
    emit(y, &ev, yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE));
}

static void end_map(yaml_emitter_t *y)
{
    yaml_event_t ev;
    emit(y, &ev, yaml_mapping_end_event_initialize(&ev));
}

static void begin_seq(yaml_emitter_t *y, yaml_sequence_style_t style)
{
    yaml_event_t ev;
    emit(y, &ev, yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1, style));
}

static void end_seq(yaml_emitter_t *y)
{
    yaml_event_t ev;
    emit(y, &ev, yaml_sequence_end_event_initialize(&ev));
}

/* Numbers: the renderer's shortest round-trip text, with a '.' always
 * present so no YAML reader mistakes 1e+20 for a string or 3.0 for an
 * integer; non-finite values in YAML's own spelling. */
static void float_text(double f, flux_buf *out)
{
    if (isnan(f)) {
        flux_buf_puts(out, ".nan");
        return;
    }
    if (isinf(f)) {
        flux_buf_puts(out, f < 0 ? "-.inf" : ".inf");
        return;
    }
    flux_buf t = {0};
    flux_value_render(flux_float(f), &t);
    const char *s = flux_buf_cstr(&t);
    if (strchr(s, '.')) {
        flux_buf_put(out, t.data, t.len);
    } else {
        const char *e = strpbrk(s, "eE");
        size_t head = e ? (size_t)(e - s) : t.len;
        flux_buf_put(out, s, head);
        flux_buf_puts(out, ".0");
        flux_buf_puts(out, s + head);
    }
    flux_buf_free(&t);
}

/* Text of a template part. "{{" opens an expression when the plan is read,
 * so a run of '{' that would be taken for one is written as an expression
 * that yields it: a run of two or more, or a single '{' right before an
 * expression part. The reader folds these back into text. */
static void template_text_part(const char *s, size_t n, bool expr_follows, flux_buf *out)
{
    for (size_t i = 0; i < n;) {
        if (s[i] != '{') {
            flux_buf_putc(out, s[i++]);
            continue;
        }
        size_t k = 0;
        while (i + k < n && s[i + k] == '{')
            k++;
        if (k >= 2 || (i + k == n && expr_follows)) {
            flux_buf_puts(out, "{{ \"");
            for (size_t j = 0; j < k; j++)
                flux_buf_putc(out, '{');
            flux_buf_puts(out, "\" }}");
        } else {
            flux_buf_putc(out, '{');
        }
        i += k;
    }
}

/* An expression's canonical text, with "}}" outside string literals broken
 * up: a nested dict prints as {"a": {"b": 1}}, whose "}}" would end the
 * template part early when the plan is read. */
static void template_expr_part(const flux_expr *x, flux_buf *out)
{
    flux_buf e = {0};
    flux_expr_print(x, &e);
    flux_buf_puts(out, "{{ ");
    for (size_t i = 0; i < e.len; i++) {
        char c = e.data[i];
        flux_buf_putc(out, c);
        if (c == '"' || c == '\'') {
            /* copy the literal through, escapes included */
            for (i++; i < e.len; i++) {
                flux_buf_putc(out, e.data[i]);
                if (e.data[i] == '\\' && i + 1 < e.len)
                    flux_buf_putc(out, e.data[++i]);
                else if (e.data[i] == c)
                    break;
            }
        } else if (c == '}' && i + 1 < e.len && e.data[i + 1] == '}') {
            flux_buf_putc(out, ' ');
        }
    }
    flux_buf_puts(out, " }}");
    flux_buf_free(&e);
}

static void template_source(const flux_tpart *parts, size_t n, flux_buf *out)
{
    for (size_t i = 0; i < n;) {
        if (parts[i].text) {
            /* adjacent text parts are one text: escaping looks across them */
            flux_buf t = {0};
            while (i < n && parts[i].text) {
                flux_buf_put(&t, parts[i].text, parts[i].len);
                i++;
            }
            template_text_part(t.data, t.len, i < n, out);
            flux_buf_free(&t);
        } else {
            if (parts[i].expr)
                template_expr_part(parts[i].expr, out);
            i++;
        }
    }
}

static void put_field(yaml_emitter_t *y, const flux_field *f)
{
    flux_buf b = {0};
    switch (f->kind) {
    case FLUX_F_STRING: put_quoted(y, f->u.str.s, f->u.str.len); break;
    case FLUX_F_TEMPLATE:
        template_source(f->u.tmpl.parts, f->u.tmpl.n, &b);
        put_scalar(y, "!template", b.data, b.len, YAML_DOUBLE_QUOTED_SCALAR_STYLE);
        break;
    case FLUX_F_INT: put_int(y, f->u.i); break;
    case FLUX_F_FLOAT:
        float_text(f->u.f, &b);
        put_scalar(y, NULL, b.data, b.len, YAML_PLAIN_SCALAR_STYLE);
        break;
    case FLUX_F_BOOL: put_plain(y, f->u.b ? "true" : "false"); break;
    case FLUX_F_DURATION:
        flux_print_duration(f->u.ms, &b);
        put_scalar(y, "!duration", b.data, b.len, YAML_PLAIN_SCALAR_STYLE);
        break;
    case FLUX_F_IDENT: put_scalar(y, "!enum", f->u.str.s, f->u.str.len, YAML_PLAIN_SCALAR_STYLE); break;
    case FLUX_F_LIST:
        begin_seq(y, YAML_BLOCK_SEQUENCE_STYLE);
        for (size_t i = 0; i < f->u.list.n; i++)
            put_field(y, &f->u.list.v[i]);
        end_seq(y);
        break;
    case FLUX_F_MAP:
        /* source order: a map's order can mean something (columns) */
        begin_map(y);
        for (size_t i = 0; i < f->u.map.n; i++) {
            put_name(y, f->u.map.keys[i]);
            put_field(y, &f->u.map.v[i]);
        }
        end_map(y);
        break;
    }
    flux_buf_free(&b);
}

static const char *field_type_name(flux_fkind k)
{
    switch (k) {
    case FLUX_F_STRING: return "string";
    case FLUX_F_TEMPLATE: return "template";
    case FLUX_F_INT: return "integer";
    case FLUX_F_FLOAT: return "number";
    case FLUX_F_BOOL: return "boolean";
    case FLUX_F_DURATION: return "duration";
    case FLUX_F_IDENT: return "enum";
    case FLUX_F_LIST: return "list";
    case FLUX_F_MAP: return "map";
    }
    return "?";
}

static int cmp_attr_ptr(const void *x, const void *y)
{
    const flux_attr *a = *(const flux_attr *const *)x, *b = *(const flux_attr *const *)y;
    int c = strcmp(a->key, b->key);
    if (c)
        return c;
    /* same key twice cannot come from the checker; keep array order then */
    return a < b ? -1 : a > b;
}

/* A mapping of attributes sorted by name: their order in the source is not
 * part of their meaning, and sorting makes the plan independent of it. */
static void put_attrs(yaml_emitter_t *y, const flux_attrs *attrs)
{
    const flux_attr **v = malloc((attrs->n ? attrs->n : 1) * sizeof *v);
    if (!v)
        abort();
    size_t n = 0;
    for (size_t i = 0; i < attrs->n; i++)
        if (!attrs->v[i].invalid)
            v[n++] = &attrs->v[i];
    qsort(v, n, sizeof *v, cmp_attr_ptr);
    begin_map(y);
    for (size_t i = 0; i < n; i++) {
        put_name(y, v[i]->key);
        put_field(y, &v[i]->val);
    }
    end_map(y);
    free(v);
}

static void put_source(yaml_emitter_t *y, const flux_plan_source *s)
{
    begin_map(y);
    put_plain(y, "path");
    put_quoted(y, s->path ? s->path : "", s->path ? strlen(s->path) : 0);
    put_plain(y, "sha256");
    put_quoted(y, s->sha256, strlen(s->sha256));
    end_map(y);
}

typedef struct edge_ref {
    uint32_t a, b;
} edge_ref;

static int cmp_edge_ab(const void *x, const void *y)
{
    const edge_ref *p = x, *q = y;
    if (p->a != q->a)
        return p->a < q->a ? -1 : 1;
    return p->b < q->b ? -1 : p->b > q->b;
}

static int cmp_edge_ba(const void *x, const void *y)
{
    const edge_ref *p = x, *q = y;
    if (p->b != q->b)
        return p->b < q->b ? -1 : 1;
    return p->a < q->a ? -1 : p->a > q->a;
}

void flux_plan_write(const flux_plan *plan, flux_buf *out)
{
    const flux_pipeline *p = plan->pipeline;
    yaml_emitter_t y;
    yaml_event_t ev;
    if (!yaml_emitter_initialize(&y))
        abort();
    yaml_emitter_set_output(&y, write_out, out);
    yaml_emitter_set_encoding(&y, YAML_UTF8_ENCODING);
    yaml_emitter_set_unicode(&y, 1);
    yaml_emitter_set_indent(&y, 2);
    yaml_emitter_set_width(&y, -1); /* never fold a long string */
    yaml_emitter_set_break(&y, YAML_LN_BREAK);
    emit(&y, &ev, yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING));
    emit(&y, &ev, yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1));
    begin_map(&y);

    put_plain(&y, "flux_plan");
    put_int(&y, FLUX_PLAN_VERSION);
    put_plain(&y, "pipeline");
    put_name(&y, p->name);
    put_plain(&y, "source");
    put_source(&y, &plan->source);
    put_plain(&y, "includes");
    begin_seq(&y, YAML_BLOCK_SEQUENCE_STYLE);
    for (size_t i = 0; i < plan->nincludes; i++)
        put_source(&y, &plan->includes[i]);
    end_seq(&y);

    put_plain(&y, "attributes");
    put_attrs(&y, &p->attrs);

    put_plain(&y, "params");
    begin_seq(&y, YAML_BLOCK_SEQUENCE_STYLE);
    for (size_t i = 0; i < p->params.n; i++) {
        const flux_attr *pa = &p->params.v[i];
        if (pa->invalid)
            continue;
        begin_map(&y);
        put_plain(&y, "name");
        put_name(&y, pa->key);
        put_plain(&y, "type");
        put_plain(&y, field_type_name(pa->val.kind));
        put_plain(&y, "default");
        put_field(&y, &pa->val);
        end_map(&y);
    }
    end_seq(&y);

    /* edges once, ordered both ways: (from, to) for the edge list and
     * (to, from) for each task's upstream list */
    size_t ne = p->nedges;
    edge_ref *ab = malloc((ne ? ne : 1) * sizeof *ab), *ba = malloc((ne ? ne : 1) * sizeof *ba);
    if (!ab || !ba)
        abort();
    for (size_t e = 0; e < ne; e++)
        ab[e] = ba[e] = (edge_ref){p->edges[e].a, p->edges[e].b};
    qsort(ab, ne, sizeof *ab, cmp_edge_ab);
    qsort(ba, ne, sizeof *ba, cmp_edge_ba);

    put_plain(&y, "tasks");
    begin_seq(&y, YAML_BLOCK_SEQUENCE_STYLE);
    size_t up = 0;
    for (size_t i = 0; i < p->ntasks; i++) {
        const flux_task *t = p->tasks[i];
        begin_map(&y);
        put_plain(&y, "id");
        put_name(&y, t->id);
        put_plain(&y, "operator");
        put_name(&y, t->op);
        put_plain(&y, "kind");
        put_name(&y, t->kind ? t->kind : "");
        put_plain(&y, "params");
        put_attrs(&y, &t->attrs);
        put_plain(&y, "upstream");
        begin_seq(&y, YAML_BLOCK_SEQUENCE_STYLE);
        while (up < ne && ba[up].b < i)
            up++;
        for (; up < ne && ba[up].b == i; up++)
            if ((up == 0 || ba[up - 1].b != i || ba[up - 1].a != ba[up].a) && ba[up].a < p->ntasks)
                put_name(&y, p->tasks[ba[up].a]->id);
        end_seq(&y);
        end_map(&y);
    }
    end_seq(&y);

    put_plain(&y, "edges");
    begin_seq(&y, YAML_BLOCK_SEQUENCE_STYLE);
    for (size_t e = 0; e < ne; e++) {
        if (ab[e].a >= p->ntasks || ab[e].b >= p->ntasks)
            continue;
        if (e > 0 && ab[e].a == ab[e - 1].a && ab[e].b == ab[e - 1].b)
            continue; /* a >> b written twice is one dependency */
        begin_seq(&y, YAML_FLOW_SEQUENCE_STYLE);
        put_name(&y, p->tasks[ab[e].a]->id);
        put_name(&y, p->tasks[ab[e].b]->id);
        end_seq(&y);
    }
    end_seq(&y);
    free(ab);
    free(ba);

    end_map(&y);
    emit(&y, &ev, yaml_document_end_event_initialize(&ev, 1));
    emit(&y, &ev, yaml_stream_end_event_initialize(&ev));
    if (!yaml_emitter_flush(&y))
        abort();
    yaml_emitter_delete(&y);
}

/* ==== reader: YAML to a tree ================================================ */

typedef enum { N_SCALAR, N_SEQ, N_MAP } node_kind;

typedef struct node node;
struct node {
    node_kind kind;
    yaml_mark_t mark;
    const char *tag;   /* NULL when the node carries none */
    yaml_scalar_style_t style;
    const char *s;     /* scalar text, NUL-terminated, may hold NULs */
    size_t len;
    node **kids;       /* sequence items; mapping: key, value, key, value ... */
    size_t n;          /* number of kids */
};

typedef struct reader {
    yaml_parser_t yp;
    flux_arena *tmp;   /* the tree, freed when reading ends */
    flux_arena *arena; /* the plan */
    flux_sources *sources;
    const char *name;
    const char *text;
    size_t len;
    char *err;
    size_t errlen;
    bool failed;
} reader;

static bool fail_lc(reader *r, size_t line, size_t col, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Records the first error only: later ones are usually consequences. */
static bool fail_lc(reader *r, size_t line, size_t col, const char *fmt, ...)
{
    if (r->failed)
        return false;
    r->failed = true;
    if (!r->err || !r->errlen)
        return false;
    int n = line ? snprintf(r->err, r->errlen, "%s:%zu:%zu: ", r->name, line, col)
                 : snprintf(r->err, r->errlen, "%s: ", r->name);
    if (n >= 0 && (size_t)n < r->errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(r->err + n, r->errlen - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return false;
}

#define FAIL_AT(r, nd, ...) fail_lc((r), (nd)->mark.line + 1, (nd)->mark.column + 1, __VA_ARGS__)

/* A piece of input for a message: clipped, control bytes as \xNN. */
static const char *shown(reader *r, const char *s, size_t n)
{
    flux_buf b = {0};
    size_t i;
    for (i = 0; i < n && i < 48; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f)
            flux_buf_printf(&b, "\\x%02x", c);
        else
            flux_buf_putc(&b, (char)c);
    }
    if (i < n)
        flux_buf_puts(&b, "...");
    const char *res = flux_arena_strdup(r->tmp, b.data ? flux_buf_cstr(&b) : "");
    flux_buf_free(&b);
    return res;
}

static void yaml_failure(reader *r)
{
    yaml_parser_t *p = &r->yp;
    if (p->error == YAML_READER_ERROR) {
        /* the reader reports a byte offset, not a mark */
        size_t off = p->problem_offset < r->len ? p->problem_offset : r->len;
        size_t line = 1, bol = 0;
        for (size_t i = 0; i < off; i++)
            if (r->text[i] == '\n')
                line++, bol = i + 1;
        fail_lc(r, line, off - bol + 1, "not a valid plan: %s", p->problem ? p->problem : "unreadable input");
    } else if (p->error == YAML_MEMORY_ERROR) {
        fail_lc(r, 0, 0, "out of memory while reading the plan");
    } else {
        yaml_mark_t m = p->problem_mark;
        if (p->context)
            fail_lc(r, m.line + 1, m.column + 1, "invalid YAML: %s %s", p->problem ? p->problem : "syntax error",
                    p->context);
        else
            fail_lc(r, m.line + 1, m.column + 1, "invalid YAML: %s", p->problem ? p->problem : "syntax error");
    }
}

static bool next_event(reader *r, yaml_event_t *ev)
{
    if (!yaml_parser_parse(&r->yp, ev)) {
        yaml_failure(r);
        return false;
    }
    return true;
}

static node *new_node(reader *r, node_kind k, const yaml_event_t *ev, const yaml_char_t *tag)
{
    node *nd = flux_arena_alloc(r->tmp, sizeof *nd);
    nd->kind = k;
    nd->mark = ev->start_mark;
    if (tag)
        nd->tag = flux_arena_strdup(r->tmp, (const char *)tag);
    return nd;
}

/* Builds the node that ev starts; consumes (and deletes) ev. */
static node *read_node(reader *r, yaml_event_t *ev, int depth)
{
    const yaml_char_t *anchor = NULL;
    switch (ev->type) {
    case YAML_SCALAR_EVENT: anchor = ev->data.scalar.anchor; break;
    case YAML_SEQUENCE_START_EVENT: anchor = ev->data.sequence_start.anchor; break;
    case YAML_MAPPING_START_EVENT: anchor = ev->data.mapping_start.anchor; break;
    case YAML_ALIAS_EVENT:
        fail_lc(r, ev->start_mark.line + 1, ev->start_mark.column + 1, "aliases are not allowed in a plan");
        yaml_event_delete(ev);
        return NULL;
    default:
        fail_lc(r, ev->start_mark.line + 1, ev->start_mark.column + 1, "unexpected YAML event");
        yaml_event_delete(ev);
        return NULL;
    }
    if (anchor) {
        fail_lc(r, ev->start_mark.line + 1, ev->start_mark.column + 1, "anchors are not allowed in a plan");
        yaml_event_delete(ev);
        return NULL;
    }
    if (ev->type == YAML_SCALAR_EVENT) {
        node *nd = new_node(r, N_SCALAR, ev, ev->data.scalar.tag);
        nd->style = ev->data.scalar.style;
        nd->len = ev->data.scalar.length;
        nd->s = flux_arena_strndup(r->tmp, (const char *)ev->data.scalar.value, nd->len);
        yaml_event_delete(ev);
        return nd;
    }
    bool is_map = ev->type == YAML_MAPPING_START_EVENT;
    node *nd = new_node(r, is_map ? N_MAP : N_SEQ, ev,
                        is_map ? ev->data.mapping_start.tag : ev->data.sequence_start.tag);
    yaml_event_delete(ev);
    if (depth >= PLAN_MAX_DEPTH) {
        FAIL_AT(r, nd, "nested deeper than %d levels", PLAN_MAX_DEPTH);
        return NULL;
    }
    node **kids = NULL;
    size_t n = 0, cap = 0;
    yaml_event_type_t end = is_map ? YAML_MAPPING_END_EVENT : YAML_SEQUENCE_END_EVENT;
    for (;;) {
        yaml_event_t child;
        if (!next_event(r, &child))
            goto fail;
        if (child.type == end) {
            yaml_event_delete(&child);
            break;
        }
        node *k = read_node(r, &child, depth + 1);
        if (!k)
            goto fail;
        if (n == cap) {
            cap = cap ? 2 * cap : 8;
            node **grown = realloc(kids, cap * sizeof *kids);
            if (!grown)
                abort();
            kids = grown;
        }
        kids[n++] = k;
    }
    nd->kids = n ? flux_arena_memdup(r->tmp, kids, n * sizeof *kids) : NULL;
    nd->n = n;
    free(kids);
    return nd;
fail:
    free(kids);
    return NULL;
}

/* The one document of the stream, or NULL. */
static node *read_tree(reader *r)
{
    yaml_event_t ev;
    if (!next_event(r, &ev))
        return NULL;
    if (ev.type != YAML_STREAM_START_EVENT) {
        yaml_event_delete(&ev);
        fail_lc(r, 1, 1, "not a YAML stream");
        return NULL;
    }
    yaml_event_delete(&ev);
    if (!next_event(r, &ev))
        return NULL;
    if (ev.type == YAML_STREAM_END_EVENT) {
        yaml_event_delete(&ev);
        fail_lc(r, 1, 1, "empty plan: expected a mapping starting with 'flux_plan: %d'", FLUX_PLAN_VERSION);
        return NULL;
    }
    yaml_event_delete(&ev); /* document start */
    if (!next_event(r, &ev))
        return NULL;
    node *root = read_node(r, &ev, 1);
    if (!root)
        return NULL;
    if (!next_event(r, &ev)) /* document end */
        return NULL;
    yaml_event_delete(&ev);
    if (!next_event(r, &ev))
        return NULL;
    if (ev.type != YAML_STREAM_END_EVENT) {
        fail_lc(r, ev.start_mark.line + 1, ev.start_mark.column + 1,
                "a plan is one YAML document; a second one starts here");
        yaml_event_delete(&ev);
        return NULL;
    }
    yaml_event_delete(&ev);
    return root;
}

/* ==== reader: checking the tree ============================================= */

static const char *node_desc(const node *nd)
{
    if (nd->kind == N_SEQ)
        return "a list";
    if (nd->kind == N_MAP)
        return "a mapping";
    if (nd->tag)
        return "a tagged scalar";
    if (nd->style != YAML_PLAIN_SCALAR_STYLE)
        return "a string";
    return nd->len ? "a plain scalar" : "nothing";
}

static bool key_is(const node *k, const char *s)
{
    return k->kind == N_SCALAR && !k->tag && k->len == strlen(s) && memcmp(k->s, s, k->len) == 0;
}

/* Checks a structural mapping: string keys out of a fixed set, each at most
 * once, the required ones present; found[i] gets the value of allowed[i]. */
static bool check_struct(reader *r, const node *m, const char *what, const char *const *allowed, size_t nallowed,
                         unsigned required, const node **found)
{
    if (m->kind != N_MAP)
        return FAIL_AT(r, m, "%s must be a mapping, found %s", what, node_desc(m));
    for (size_t i = 0; i < nallowed; i++)
        found[i] = NULL;
    for (size_t i = 0; i + 1 < m->n; i += 2) {
        const node *k = m->kids[i];
        if (k->kind != N_SCALAR || k->tag)
            return FAIL_AT(r, k, "keys of %s must be plain names", what);
        size_t j = 0;
        while (j < nallowed && !key_is(k, allowed[j]))
            j++;
        if (j == nallowed)
            return FAIL_AT(r, k, "unknown key '%s' in %s", shown(r, k->s, k->len), what);
        if (found[j])
            return FAIL_AT(r, k, "duplicate key '%s' in %s", allowed[j], what);
        found[j] = m->kids[i + 1];
    }
    for (size_t j = 0; j < nallowed; j++)
        if ((required >> j & 1) && !found[j])
            return FAIL_AT(r, m, "%s has no '%s'", what, allowed[j]);
    return true;
}

/* How a plain scalar reads in YAML; names must not read as anything but a
 * string, and typed values are told apart by it. */
typedef enum { P_STRING, P_NULL, P_BOOL, P_INT, P_FLOAT } plain_kind;

static bool is_int_text(const char *s, size_t n)
{
    size_t i = s[0] == '-' || s[0] == '+';
    if (i == n)
        return false;
    if (s[i] == '0' && n - i > 1)
        return false;
    for (; i < n; i++)
        if (!flux_is_digit(s[i]))
            return false;
    return true;
}

static bool is_float_text(const char *s, size_t n)
{
    size_t i = s[0] == '-' || s[0] == '+';
    const char *t = s + i;
    size_t m = n - i;
    if ((m == 4 && (memcmp(t, ".inf", 4) == 0 || memcmp(t, ".Inf", 4) == 0 || memcmp(t, ".INF", 4) == 0)) ||
        (i == 0 && n == 4 && (memcmp(s, ".nan", 4) == 0 || memcmp(s, ".NaN", 4) == 0 || memcmp(s, ".NAN", 4) == 0)))
        return true;
    size_t digits = 0, j = 0;
    while (j < m && flux_is_digit(t[j]))
        j++, digits++;
    bool frac = false;
    if (j < m && t[j] == '.') {
        frac = true;
        for (j++; j < m && flux_is_digit(t[j]); j++)
            digits++;
    }
    if (!digits)
        return false;
    bool exp = false;
    if (j < m && (t[j] == 'e' || t[j] == 'E')) {
        exp = true;
        j++;
        if (j < m && (t[j] == '+' || t[j] == '-'))
            j++;
        size_t ed = 0;
        while (j < m && flux_is_digit(t[j]))
            j++, ed++;
        if (!ed)
            return false;
    }
    return j == m && (frac || exp);
}

static plain_kind plain_kind_of(const node *nd)
{
    const char *s = nd->s;
    size_t n = nd->len;
    if (n == 0 || (n == 1 && s[0] == '~') || (n == 4 && (!memcmp(s, "null", 4) || !memcmp(s, "Null", 4) ||
                                                         !memcmp(s, "NULL", 4))))
        return P_NULL;
    if ((n == 4 && (!memcmp(s, "true", 4) || !memcmp(s, "True", 4) || !memcmp(s, "TRUE", 4))) ||
        (n == 5 && (!memcmp(s, "false", 5) || !memcmp(s, "False", 5) || !memcmp(s, "FALSE", 5))))
        return P_BOOL;
    if (is_int_text(s, n))
        return P_INT;
    if (is_float_text(s, n))
        return P_FLOAT;
    return P_STRING;
}

static const char *plain_kind_desc(plain_kind k)
{
    switch (k) {
    case P_NULL: return "nothing";
    case P_BOOL: return "a boolean";
    case P_INT: return "an integer";
    case P_FLOAT: return "a number";
    default: return "a string";
    }
}

/* A string: an untagged scalar (quoted, or plain and not readable as
 * anything else). nonempty: names. Copies into the plan's arena. */
static const char *get_string(reader *r, const node *nd, const char *what, bool nonempty, size_t *lenp)
{
    if (nd->kind != N_SCALAR || nd->tag) {
        FAIL_AT(r, nd, "%s must be a string, found %s", what, node_desc(nd));
        return NULL;
    }
    if (nd->style == YAML_PLAIN_SCALAR_STYLE) {
        plain_kind k = plain_kind_of(nd);
        if (k != P_STRING) {
            FAIL_AT(r, nd, "%s must be a string, found %s", what, plain_kind_desc(k));
            return NULL;
        }
    }
    if (nonempty && nd->len == 0) {
        FAIL_AT(r, nd, "%s must not be empty", what);
        return NULL;
    }
    if (nonempty && memchr(nd->s, '\0', nd->len)) {
        FAIL_AT(r, nd, "%s holds a NUL character", what);
        return NULL;
    }
    if (lenp)
        *lenp = nd->len;
    return flux_arena_strndup(r->arena, nd->s, nd->len);
}

static bool get_int(reader *r, const node *nd, const char *what, int64_t *out)
{
    if (nd->kind != N_SCALAR || nd->tag || nd->style != YAML_PLAIN_SCALAR_STYLE || plain_kind_of(nd) != P_INT)
        return FAIL_AT(r, nd, "%s must be an integer, found %s", what,
                       nd->kind == N_SCALAR && !nd->tag && nd->style == YAML_PLAIN_SCALAR_STYLE
                           ? plain_kind_desc(plain_kind_of(nd))
                           : node_desc(nd));
    errno = 0;
    char *end;
    long long v = strtoll(nd->s, &end, 10);
    if (errno == ERANGE)
        return FAIL_AT(r, nd, "%s: integer %s is out of range", what, shown(r, nd->s, nd->len));
    *out = (int64_t)v;
    return true;
}

static bool get_source(reader *r, const node *nd, const char *what, flux_plan_source *out)
{
    static const char *const keys[] = {"path", "sha256"};
    const node *v[2];
    if (!check_struct(r, nd, what, keys, 2, 3, v))
        return false;
    out->path = get_string(r, v[0], "'path'", true, NULL);
    if (!out->path)
        return false;
    size_t n;
    const char *h = get_string(r, v[1], "'sha256'", true, &n);
    if (!h)
        return false;
    bool ok = n == 64;
    for (size_t i = 0; ok && i < n; i++)
        ok = flux_is_digit(h[i]) || (h[i] >= 'a' && h[i] <= 'f');
    if (!ok)
        return FAIL_AT(r, v[1], "'sha256' must be 64 lowercase hexadecimal digits");
    memcpy(out->sha256, h, 65);
    return true;
}

/* ---- typed values ---- */

/* Bounded depth of an expression: recursion stops at the limit, so a
 * million-deep chain costs no more stack than the limit. */
static bool expr_depth_ok(const flux_expr *x, int depth)
{
    if (!x)
        return true;
    if (depth > PLAN_MAX_EXPR_DEPTH)
        return false;
    switch (x->kind) {
    case FLUX_X_LIST: case FLUX_X_DICT:
        for (size_t i = 0; i < x->u.list.n; i++)
            if (!expr_depth_ok(x->u.list.v[i], depth + 1))
                return false;
        return true;
    case FLUX_X_ATTR: return expr_depth_ok(x->u.attr.obj, depth + 1);
    case FLUX_X_INDEX: return expr_depth_ok(x->u.index.obj, depth + 1) && expr_depth_ok(x->u.index.index, depth + 1);
    case FLUX_X_UNARY: return expr_depth_ok(x->u.unary.arg, depth + 1);
    case FLUX_X_BINARY: return expr_depth_ok(x->u.binary.lhs, depth + 1) && expr_depth_ok(x->u.binary.rhs, depth + 1);
    case FLUX_X_FILTER:
        if (!expr_depth_ok(x->u.filter.arg, depth + 1))
            return false;
        for (size_t i = 0; i < x->u.filter.args.n; i++)
            if (!expr_depth_ok(x->u.filter.args.v[i], depth + 1))
                return false;
        return true;
    case FLUX_X_CALL:
        for (size_t i = 0; i < x->u.call.args.n; i++)
            if (!expr_depth_ok(x->u.call.args.v[i], depth + 1))
                return false;
        return true;
    case FLUX_X_COND:
        return expr_depth_ok(x->u.cond.cond, depth + 1) && expr_depth_ok(x->u.cond.then, depth + 1) &&
               expr_depth_ok(x->u.cond.other, depth + 1);
    default: return true;
    }
}

static bool brace_literal(const flux_expr *x)
{
    if (!x || x->kind != FLUX_X_STRING || x->u.str.len == 0)
        return false;
    for (size_t i = 0; i < x->u.str.len; i++)
        if (x->u.str.s[i] != '{')
            return false;
    return true;
}

/* A field's name in messages: its source name without the plan's name
 * ("summary.sql"), as the line:col already says which file. */
static const char *label(const reader *r, const char *where)
{
    size_t n = strlen(r->name);
    return strncmp(where, r->name, n) == 0 && where[n] == ':' ? where + n + 1 : where;
}

/* Parses a stored template. The text becomes a source of its own (named
 * after the plan and the field) so run-time errors can point into it. */
static bool read_template(reader *r, const node *nd, const char *where, flux_field *f)
{
    uint32_t id = flux_sources_add(r->sources, where, nd->s, nd->len);
    if (!id)
        return FAIL_AT(r, nd, "%s: cannot keep the template: %s", label(r, where), strerror(errno));
    flux_diags d;
    flux_diags_init(&d, r->sources);
    flux_tstr *t = flux_parse_template(r->arena, &d, r->sources, id, 0, (uint32_t)nd->len);
    if (t->broken || d.errors) {
        const flux_diag *g = NULL;
        for (size_t i = 0; i < d.n && !g; i++)
            if (d.v[i]->sev == FLUX_SEV_ERROR)
                g = d.v[i];
        unsigned line = 1, col = 1;
        if (g && g->span.file == id)
            flux_source_linecol((flux_source *)flux_sources_get(r->sources, id), g->span.begin, &line, &col);
        FAIL_AT(r, nd, "bad template in %s: %s (template line %u, column %u)", label(r, where),
                g ? g->msg : "syntax error", line, col);
        flux_diags_free(&d);
        return false;
    }
    flux_diags_free(&d);
    /* "{{ "{{" }}" is how the writer spells a literal "{{": back to text, and
     * neighbouring texts merged, so the parts read are the parts written */
    flux_tpart *parts = flux_arena_alloc(r->arena, (t->n ? t->n : 1) * sizeof *parts);
    size_t n = 0;
    for (size_t i = 0; i < t->n; i++) {
        flux_tpart p = t->parts[i];
        if (p.expr && !expr_depth_ok(p.expr, 1))
            return FAIL_AT(r, nd, "bad template in %s: expression nested deeper than %d levels", label(r, where),
                           PLAN_MAX_EXPR_DEPTH);
        if (brace_literal(p.expr)) {
            p.text = p.expr->u.str.s;
            p.len = p.expr->u.str.len;
            p.expr = NULL;
        }
        if (p.text && n > 0 && parts[n - 1].text) {
            flux_tpart *q = &parts[n - 1];
            char *m = flux_arena_alloc(r->arena, q->len + p.len + 1);
            memcpy(m, q->text, q->len);
            memcpy(m + q->len, p.text, p.len);
            q->text = m;
            q->len += p.len;
            q->span = flux_span_join(q->span, p.span);
            continue;
        }
        parts[n++] = p;
    }
    f->kind = FLUX_F_TEMPLATE;
    f->u.tmpl.parts = parts;
    f->u.tmpl.n = n;
    return true;
}

/* Distinct keys of a user mapping (attributes, params of a task, map values):
 * sorting finds a repeat in n log n even in a huge mapping. */
typedef struct key_ref {
    const node *k;
    size_t pos;
} key_ref;

static int cmp_key_ref(const void *x, const void *y)
{
    const key_ref *a = x, *b = y;
    size_t n = a->k->len < b->k->len ? a->k->len : b->k->len;
    int c = memcmp(a->k->s, b->k->s, n);
    if (c)
        return c;
    if (a->k->len != b->k->len)
        return a->k->len < b->k->len ? -1 : 1;
    return a->pos < b->pos ? -1 : a->pos > b->pos;
}

static bool keys_distinct(reader *r, const node *m, const char *what)
{
    size_t n = m->n / 2;
    for (size_t i = 0; i < n; i++) {
        const node *k = m->kids[2 * i];
        if (k->kind != N_SCALAR || k->tag)
            return FAIL_AT(r, k, "keys of %s must be strings, found %s", what, node_desc(k));
    }
    if (n < 2)
        return true;
    key_ref *v = malloc(n * sizeof *v);
    if (!v)
        abort();
    for (size_t i = 0; i < n; i++)
        v[i] = (key_ref){m->kids[2 * i], i};
    qsort(v, n, sizeof *v, cmp_key_ref);
    const node *dup = NULL;
    size_t dup_pos = SIZE_MAX;
    for (size_t i = 1; i < n; i++) {
        const node *a = v[i - 1].k, *b = v[i].k;
        if (a->len == b->len && memcmp(a->s, b->s, a->len) == 0 && v[i].pos < dup_pos) {
            dup = b;
            dup_pos = v[i].pos;
        }
    }
    free(v);
    if (dup)
        return FAIL_AT(r, dup, "duplicate key '%s' in %s", shown(r, dup->s, dup->len), what);
    return true;
}

static bool read_field(reader *r, const node *nd, flux_buf *where, flux_field *f);

static bool read_scalar_field(reader *r, const node *nd, flux_buf *where, flux_field *f)
{
    const char *full = flux_buf_cstr(where), *w = label(r, full);
    if (nd->tag) {
        if (strcmp(nd->tag, "!template") == 0)
            return read_template(r, nd, full, f);
        if (strcmp(nd->tag, "!duration") == 0) {
            const char *s = nd->s;
            size_t n = nd->len;
            bool neg = n > 0 && s[0] == '-';
            int64_t ms = 0;
            flux_sched_error e;
            if (flux_duration_parse(s + neg, n - neg, &ms, &e) != 0)
                return FAIL_AT(r, nd, "%s: bad duration '%s': %s", w, shown(r, s, n), e.msg);
            f->kind = FLUX_F_DURATION;
            f->u.ms = neg ? -ms : ms;
            return true;
        }
        if (strcmp(nd->tag, "!enum") == 0) {
            bool ok = nd->len > 0 && !memchr(nd->s, '\0', nd->len);
            if (!ok)
                return FAIL_AT(r, nd, "%s: an !enum needs a name", w);
            f->kind = FLUX_F_IDENT;
            f->u.str.s = flux_arena_strndup(r->arena, nd->s, nd->len);
            f->u.str.len = nd->len;
            return true;
        }
        return FAIL_AT(r, nd, "%s: unknown tag '%s' (plans use !duration, !enum and !template)", w,
                       shown(r, nd->tag, strlen(nd->tag)));
    }
    if (nd->style != YAML_PLAIN_SCALAR_STYLE) {
        f->kind = FLUX_F_STRING;
        f->u.str.s = flux_arena_strndup(r->arena, nd->s, nd->len);
        f->u.str.len = nd->len;
        return true;
    }
    switch (plain_kind_of(nd)) {
    case P_BOOL:
        f->kind = FLUX_F_BOOL;
        f->u.b = nd->s[0] == 't' || nd->s[0] == 'T';
        return true;
    case P_INT: f->kind = FLUX_F_INT; return get_int(r, nd, w, &f->u.i);
    case P_FLOAT: {
        const char *s = nd->s;
        bool neg = s[0] == '-';
        const char *t = s + (s[0] == '-' || s[0] == '+');
        f->kind = FLUX_F_FLOAT;
        if (t[0] == '.' && (t[1] == 'i' || t[1] == 'I'))
            f->u.f = neg ? -INFINITY : INFINITY;
        else if (t[0] == '.' && (t[1] == 'n' || t[1] == 'N'))
            f->u.f = NAN;
        else
            f->u.f = strtod(s, NULL); /* out of range gives inf, as in the language */
        return true;
    }
    case P_NULL:
        return FAIL_AT(r, nd, "%s has no value", w);
    case P_STRING: break;
    }
    return FAIL_AT(r, nd,
                   "%s: '%s' is not a value; write a string in double quotes, or a number, a boolean, "
                   "or a tagged !duration, !enum or !template",
                   w, shown(r, nd->s, nd->len));
}

static bool read_field(reader *r, const node *nd, flux_buf *where, flux_field *f)
{
    memset(f, 0, sizeof *f);
    if (nd->kind == N_SCALAR)
        return read_scalar_field(r, nd, where, f);
    if (nd->tag)
        return FAIL_AT(r, nd, "%s: unknown tag '%s' on %s", label(r, flux_buf_cstr(where)), shown(r, nd->tag, strlen(nd->tag)),
                       node_desc(nd));
    size_t mark = where->len;
    if (nd->kind == N_SEQ) {
        f->kind = FLUX_F_LIST;
        f->u.list.n = nd->n;
        f->u.list.v = flux_arena_alloc(r->arena, (nd->n ? nd->n : 1) * sizeof *f->u.list.v);
        for (size_t i = 0; i < nd->n; i++) {
            where->len = mark;
            flux_buf_printf(where, "[%zu]", i);
            if (!read_field(r, nd->kids[i], where, &f->u.list.v[i]))
                return false;
        }
        where->len = mark;
        return true;
    }
    if (!keys_distinct(r, nd, label(r, flux_buf_cstr(where))))
        return false;
    size_t n = nd->n / 2;
    f->kind = FLUX_F_MAP;
    f->u.map.n = n;
    f->u.map.keys = flux_arena_alloc(r->arena, (n ? n : 1) * sizeof *f->u.map.keys);
    f->u.map.key_spans = flux_arena_alloc(r->arena, (n ? n : 1) * sizeof *f->u.map.key_spans);
    f->u.map.v = flux_arena_alloc(r->arena, (n ? n : 1) * sizeof *f->u.map.v);
    for (size_t i = 0; i < n; i++) {
        const char *k = get_string(r, nd->kids[2 * i], "a map key", false, NULL);
        if (!k)
            return false;
        if (memchr(nd->kids[2 * i]->s, '\0', nd->kids[2 * i]->len)) {
            where->len = mark;
            return FAIL_AT(r, nd->kids[2 * i], "%s: a map key holds a NUL character", label(r, flux_buf_cstr(where)));
        }
        f->u.map.keys[i] = k;
        where->len = mark;
        flux_buf_printf(where, ".%s", k);
        if (!read_field(r, nd->kids[2 * i + 1], where, &f->u.map.v[i]))
            return false;
    }
    where->len = mark;
    return true;
}

/* A mapping of name = value (pipeline attributes, a task's params) into
 * attrs, in the order written. */
static bool read_attrs(reader *r, const node *m, const char *what, const char *owner, flux_attrs *out)
{
    if (m->kind != N_MAP || m->tag)
        return FAIL_AT(r, m, "%s must be a mapping, found %s", what, node_desc(m));
    if (!keys_distinct(r, m, what))
        return false;
    size_t n = m->n / 2;
    out->v = flux_arena_alloc(r->arena, (n ? n : 1) * sizeof *out->v);
    out->n = out->cap = n;
    flux_buf where = {0};
    for (size_t i = 0; i < n; i++) {
        flux_attr *a = &out->v[i];
        a->key = get_string(r, m->kids[2 * i], "a parameter name", true, NULL);
        if (!a->key)
            goto fail;
        where.len = 0;
        flux_buf_printf(&where, "%s:%s.%s", r->name, owner, a->key);
        if (!read_field(r, m->kids[2 * i + 1], &where, &a->val))
            goto fail;
    }
    flux_buf_free(&where);
    return true;
fail:
    flux_buf_free(&where);
    return false;
}

/* Names with their position, sorted by name: repeats and lookups in
 * n log n, whatever the size of the plan. */
typedef struct name_ref {
    const char *s;
    uint32_t i;
} name_ref;

static int cmp_name_ref(const void *x, const void *y)
{
    const name_ref *a = x, *b = y;
    int c = strcmp(a->s, b->s);
    if (c)
        return c;
    return a->i < b->i ? -1 : a->i > b->i;
}

/* v sorted; reports the earliest second use, at nodes[its position]. */
static bool names_distinct(reader *r, const name_ref *v, size_t n, const node *const *nodes, const char *what)
{
    uint32_t dup = UINT32_MAX;
    for (size_t i = 1; i < n; i++)
        if (strcmp(v[i - 1].s, v[i].s) == 0 && v[i].i < dup)
            dup = v[i].i;
    if (dup == UINT32_MAX)
        return true;
    for (size_t i = 0; i < n; i++)
        if (v[i].i == dup)
            return FAIL_AT(r, nodes[dup], "%s '%s' is used twice", what, shown(r, v[i].s, strlen(v[i].s)));
    return false;
}

static int64_t name_find(const name_ref *v, size_t n, const char *s)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(v[mid].s, s);
        if (c == 0) {
            /* the first of equal names: ids are distinct once checked */
            while (mid > 0 && strcmp(v[mid - 1].s, s) == 0)
                mid--;
            return v[mid].i;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

static const char *const param_types[] = {"string", "template", "integer", "number", "boolean",
                                          "duration", "enum", "list", "map"};

static bool read_params(reader *r, const node *s, flux_attrs *out)
{
    if (s->kind != N_SEQ || s->tag)
        return FAIL_AT(r, s, "'params' must be a list, found %s", node_desc(s));
    out->v = flux_arena_alloc(r->arena, (s->n ? s->n : 1) * sizeof *out->v);
    out->n = out->cap = s->n;
    static const char *const keys[] = {"name", "type", "default"};
    flux_buf where = {0};
    name_ref *names = malloc((s->n ? s->n : 1) * sizeof *names);
    const node **name_nodes = malloc((s->n ? s->n : 1) * sizeof *name_nodes);
    if (!names || !name_nodes)
        abort();
    for (size_t i = 0; i < s->n; i++) {
        const node *v[3];
        flux_attr *a = &out->v[i];
        if (!check_struct(r, s->kids[i], "a param", keys, 3, 7, v))
            goto fail;
        a->key = get_string(r, v[0], "a param's name", true, NULL);
        if (!a->key)
            goto fail;
        names[i] = (name_ref){a->key, (uint32_t)i};
        name_nodes[i] = v[0];
        const char *type = get_string(r, v[1], "a param's type", true, NULL);
        if (!type)
            goto fail;
        size_t t = 0;
        while (t < sizeof param_types / sizeof *param_types && strcmp(param_types[t], type) != 0)
            t++;
        if (t == sizeof param_types / sizeof *param_types) {
            FAIL_AT(r, v[1], "param '%s': unknown type '%s'", a->key, shown(r, type, strlen(type)));
            goto fail;
        }
        where.len = 0;
        flux_buf_printf(&where, "%s:params.%s", r->name, a->key);
        if (!read_field(r, v[2], &where, &a->val))
            goto fail;
        if (strcmp(field_type_name(a->val.kind), type) != 0) {
            const char *found = field_type_name(a->val.kind);
            FAIL_AT(r, v[2], "param '%s' is declared as %s but its default is %s %s", a->key, type,
                    found[0] == 'i' || found[0] == 'e' ? "an" : "a", found);
            goto fail;
        }
    }
    qsort(names, s->n, sizeof *names, cmp_name_ref);
    if (!names_distinct(r, names, s->n, name_nodes, "param name"))
        goto fail;
    flux_buf_free(&where);
    free(names);
    free(name_nodes);
    return true;
fail:
    flux_buf_free(&where);
    free(names);
    free(name_nodes);
    return false;
}

/* ---- tasks, edges, upstream lists ---- */

typedef struct graph_reader {
    flux_pipeline *p;
    name_ref *ids;            /* task ids sorted, for lookups */
    const node **upstream;    /* each task's upstream node, checked after the edges */
    const node **edge_nodes;
} graph_reader;

static bool read_tasks(reader *r, const node *s, graph_reader *g)
{
    if (s->kind != N_SEQ || s->tag)
        return FAIL_AT(r, s, "'tasks' must be a list, found %s", node_desc(s));
    static const char *const keys[] = {"id", "operator", "kind", "params", "upstream"};
    flux_pipeline *p = g->p;
    size_t n = s->n;
    if (n > UINT32_MAX - 1)
        return FAIL_AT(r, s, "too many tasks");
    p->tasks = flux_arena_alloc(r->arena, (n ? n : 1) * sizeof *p->tasks);
    p->ntasks = p->tasks_cap = n;
    g->ids = malloc((n ? n : 1) * sizeof *g->ids);
    g->upstream = malloc((n ? n : 1) * sizeof *g->upstream);
    const node **id_nodes = malloc((n ? n : 1) * sizeof *id_nodes);
    if (!g->ids || !g->upstream || !id_nodes)
        abort();
    bool ok = false;
    for (size_t i = 0; i < n; i++) {
        const node *v[5];
        if (!check_struct(r, s->kids[i], "a task", keys, 5, 31, v))
            goto done;
        flux_task *t = flux_arena_alloc(r->arena, sizeof *t);
        t->index = i;
        if (!(t->id = get_string(r, v[0], "a task id", true, NULL)) ||
            !(t->op = get_string(r, v[1], "'operator'", true, NULL)) ||
            !(t->kind = get_string(r, v[2], "'kind'", false, NULL)))
            goto done;
        char *what = flux_arena_printf(r->tmp, "the params of task '%s'", shown(r, t->id, strlen(t->id)));
        if (!read_attrs(r, v[3], what, t->id, &t->attrs))
            goto done;
        p->tasks[i] = t;
        g->ids[i] = (name_ref){t->id, (uint32_t)i};
        g->upstream[i] = v[4];
        id_nodes[i] = v[0];
    }
    qsort(g->ids, n, sizeof *g->ids, cmp_name_ref);
    ok = names_distinct(r, g->ids, n, id_nodes, "task id");
done:
    free(id_nodes);
    return ok;
}

/* index of the task a scalar names, or -1 after reporting */
static int64_t task_ref(reader *r, const graph_reader *g, const node *nd, const char *what)
{
    const char *s = get_string(r, nd, what, true, NULL);
    if (!s)
        return -1;
    int64_t i = name_find(g->ids, g->p->ntasks, s);
    if (i < 0)
        FAIL_AT(r, nd, "unknown task '%s' in %s", shown(r, s, strlen(s)), what);
    return i;
}

typedef struct edge_pos {
    uint32_t a, b;
    size_t pos;
} edge_pos;

static int cmp_edge_pos_ab(const void *x, const void *y)
{
    const edge_pos *p = x, *q = y;
    if (p->a != q->a)
        return p->a < q->a ? -1 : 1;
    if (p->b != q->b)
        return p->b < q->b ? -1 : 1;
    return p->pos < q->pos ? -1 : p->pos > q->pos;
}

static int cmp_edge_pos_ba(const void *x, const void *y)
{
    const edge_pos *p = x, *q = y;
    if (p->b != q->b)
        return p->b < q->b ? -1 : 1;
    if (p->a != q->a)
        return p->a < q->a ? -1 : 1;
    return p->pos < q->pos ? -1 : p->pos > q->pos;
}

static int cmp_u32(const void *x, const void *y)
{
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    return a < b ? -1 : a > b;
}

static bool read_edges(reader *r, const node *s, graph_reader *g)
{
    if (s->kind != N_SEQ || s->tag)
        return FAIL_AT(r, s, "'edges' must be a list, found %s", node_desc(s));
    flux_pipeline *p = g->p;
    size_t n = s->n;
    p->edges = flux_arena_alloc(r->arena, (n ? n : 1) * sizeof *p->edges);
    p->nedges = p->edges_cap = n;
    for (size_t e = 0; e < n; e++) {
        const node *pair = s->kids[e];
        if (pair->kind != N_SEQ || pair->tag || pair->n != 2)
            return FAIL_AT(r, pair, "an edge must be a list of two task ids [from, to], found %s",
                           pair->kind == N_SEQ ? "a list of another length" : node_desc(pair));
        int64_t a = task_ref(r, g, pair->kids[0], "an edge");
        if (a < 0)
            return false;
        int64_t b = task_ref(r, g, pair->kids[1], "an edge");
        if (b < 0)
            return false;
        const char *ta = p->tasks[a]->id, *tb = p->tasks[b]->id;
        if (a == b)
            return FAIL_AT(r, pair, "edge from task '%s' to itself", shown(r, ta, strlen(ta)));
        if (a > b)
            return FAIL_AT(r, pair,
                           "edge ['%s', '%s'] goes against the plan order: tasks are listed upstream first, "
                           "so '%s' must come before '%s'",
                           shown(r, ta, strlen(ta)), shown(r, tb, strlen(tb)), shown(r, ta, strlen(ta)),
                           shown(r, tb, strlen(tb)));
        flux_edge *ed = &p->edges[e];
        ed->from = ta;
        ed->to = tb;
        ed->a = (uint32_t)a;
        ed->b = (uint32_t)b;
    }
    /* repeats, found on a sorted copy */
    edge_pos *v = malloc((n ? n : 1) * sizeof *v);
    if (!v)
        abort();
    for (size_t e = 0; e < n; e++)
        v[e] = (edge_pos){p->edges[e].a, p->edges[e].b, e};
    qsort(v, n, sizeof *v, cmp_edge_pos_ab);
    size_t dup = SIZE_MAX;
    for (size_t e = 1; e < n; e++)
        if (v[e].a == v[e - 1].a && v[e].b == v[e - 1].b && v[e].pos < dup)
            dup = v[e].pos;
    free(v);
    if (dup != SIZE_MAX)
        return FAIL_AT(r, s->kids[dup], "edge ['%s', '%s'] is listed twice",
                       shown(r, p->edges[dup].from, strlen(p->edges[dup].from)),
                       shown(r, p->edges[dup].to, strlen(p->edges[dup].to)));
    return true;
}

/* Each task's upstream list must be exactly the sources of the edges into
 * it: the list is there for people and tools reading the plan, and a plan
 * whose two statements of the graph disagree is not trusted. */
static bool check_upstream(reader *r, graph_reader *g)
{
    flux_pipeline *p = g->p;
    size_t ne = p->nedges;
    edge_pos *in = malloc((ne ? ne : 1) * sizeof *in);
    uint32_t *list = NULL;
    size_t cap = 0;
    if (!in)
        abort();
    for (size_t e = 0; e < ne; e++)
        in[e] = (edge_pos){p->edges[e].a, p->edges[e].b, e};
    qsort(in, ne, sizeof *in, cmp_edge_pos_ba);
    bool ok = false;
    size_t k = 0;
    for (size_t i = 0; i < p->ntasks; i++) {
        const node *u = g->upstream[i];
        const char *id = shown(r, p->tasks[i]->id, strlen(p->tasks[i]->id));
        if (u->kind != N_SEQ || u->tag) {
            FAIL_AT(r, u, "the upstream of task '%s' must be a list, found %s", id, node_desc(u));
            goto done;
        }
        if (u->n > cap) {
            cap = u->n;
            free(list);
            list = malloc(cap * sizeof *list);
            if (!list)
                abort();
        }
        for (size_t j = 0; j < u->n; j++) {
            int64_t t = task_ref(r, g, u->kids[j], "an upstream list");
            if (t < 0)
                goto done;
            list[j] = (uint32_t)t;
        }
        if (u->n)
            qsort(list, u->n, sizeof *list, cmp_u32);
        while (k < ne && in[k].b < i)
            k++;
        size_t j = 0;
        for (;; j++, k++) {
            bool more_list = j < u->n, more_edges = k < ne && in[k].b == i;
            if (!more_list && !more_edges)
                break;
            if (more_list && j > 0 && list[j] == list[j - 1]) {
                FAIL_AT(r, u, "the upstream of task '%s' lists '%s' twice", id,
                        shown(r, p->tasks[list[j]]->id, strlen(p->tasks[list[j]]->id)));
                goto done;
            }
            if (more_list && (!more_edges || list[j] < in[k].a)) {
                FAIL_AT(r, u, "the upstream of task '%s' lists '%s', but there is no edge ['%s', '%s']", id,
                        shown(r, p->tasks[list[j]]->id, strlen(p->tasks[list[j]]->id)),
                        shown(r, p->tasks[list[j]]->id, strlen(p->tasks[list[j]]->id)), id);
                goto done;
            }
            if (!more_list || in[k].a < list[j]) {
                FAIL_AT(r, u, "the upstream of task '%s' leaves out '%s', though there is an edge ['%s', '%s']",
                        id, shown(r, p->edges[in[k].pos].from, strlen(p->edges[in[k].pos].from)),
                        shown(r, p->edges[in[k].pos].from, strlen(p->edges[in[k].pos].from)), id);
                goto done;
            }
        }
    }
    ok = true;
done:
    free(in);
    free(list);
    return ok;
}

/* ---- the plan ---- */

static flux_plan *build_plan(reader *r, const node *root)
{
    if (root->kind != N_MAP || root->tag) {
        FAIL_AT(r, root, "a plan is a mapping that starts with 'flux_plan: %d', found %s", FLUX_PLAN_VERSION,
                node_desc(root));
        return NULL;
    }
    /* the version first: a newer plan may differ in anything else, and
     * "too new" is the message that tells the user what to do */
    const node *ver = NULL;
    for (size_t i = 0; i + 1 < root->n && !ver; i += 2)
        if (key_is(root->kids[i], "flux_plan"))
            ver = root->kids[i + 1];
    if (!ver) {
        FAIL_AT(r, root, "not a Flux plan: 'flux_plan' (the format version) is missing");
        return NULL;
    }
    if (ver->kind != N_SCALAR || ver->tag || ver->style != YAML_PLAIN_SCALAR_STYLE || plain_kind_of(ver) != P_INT) {
        FAIL_AT(r, ver, "'flux_plan' must be an integer version, found %s",
                ver->kind == N_SCALAR && !ver->tag && ver->style == YAML_PLAIN_SCALAR_STYLE
                    ? plain_kind_desc(plain_kind_of(ver))
                    : node_desc(ver));
        return NULL;
    }
    errno = 0;
    long long version = strtoll(ver->s, NULL, 10);
    bool huge = errno == ERANGE;
    if ((huge && ver->s[0] != '-') || version > FLUX_PLAN_VERSION) {
        FAIL_AT(r, ver, "plan version %s is newer than this flux understands (%d)", shown(r, ver->s, ver->len),
                FLUX_PLAN_VERSION);
        return NULL;
    }
    if (huge || version < 1) {
        FAIL_AT(r, ver, "plan version %s is not a valid version (versions start at 1)", shown(r, ver->s, ver->len));
        return NULL;
    }

    static const char *const keys[] = {"flux_plan", "pipeline", "source", "includes",
                                       "attributes", "params", "tasks", "edges"};
    enum { K_VERSION, K_PIPELINE, K_SOURCE, K_INCLUDES, K_ATTRS, K_PARAMS, K_TASKS, K_EDGES };
    const node *v[8];
    if (!check_struct(r, root, "the plan", keys, 8, 0xff, v))
        return NULL;

    flux_plan *plan = flux_arena_alloc(r->arena, sizeof *plan);
    flux_pipeline *p = flux_arena_alloc(r->arena, sizeof *p);
    plan->pipeline = p;
    if (!(p->name = get_string(r, v[K_PIPELINE], "'pipeline'", true, NULL)))
        return NULL;
    if (!get_source(r, v[K_SOURCE], "'source'", &plan->source))
        return NULL;
    const node *inc = v[K_INCLUDES];
    if (inc->kind != N_SEQ || inc->tag) {
        FAIL_AT(r, inc, "'includes' must be a list, found %s", node_desc(inc));
        return NULL;
    }
    plan->nincludes = inc->n;
    plan->includes = flux_arena_alloc(r->arena, (inc->n ? inc->n : 1) * sizeof *plan->includes);
    for (size_t i = 0; i < inc->n; i++)
        if (!get_source(r, inc->kids[i], "an include", &plan->includes[i]))
            return NULL;
    if (!read_attrs(r, v[K_ATTRS], "'attributes'", "attributes", &p->attrs))
        return NULL;
    if (!read_params(r, v[K_PARAMS], &p->params))
        return NULL;

    graph_reader g = {.p = p};
    bool ok = read_tasks(r, v[K_TASKS], &g) && read_edges(r, v[K_EDGES], &g) && check_upstream(r, &g);
    free(g.ids);
    free(g.upstream);
    if (!ok)
        return NULL;
    p->order = flux_arena_alloc(r->arena, (p->ntasks ? p->ntasks : 1) * sizeof *p->order);
    for (size_t i = 0; i < p->ntasks; i++)
        p->order[i] = (uint32_t)i;
    return plan;
}

flux_plan *flux_plan_read(flux_arena *arena, flux_sources *sources, const char *name, const char *text,
                          size_t len, char *err, size_t errlen)
{
    reader r;
    memset(&r, 0, sizeof r);
    r.arena = arena;
    r.sources = sources;
    r.name = name ? name : "plan";
    r.text = text ? text : "";
    r.len = text ? len : 0;
    r.err = err;
    r.errlen = errlen;
    if (err && errlen)
        err[0] = '\0';
    if (r.len > PLAN_MAX_BYTES) {
        fail_lc(&r, 0, 0, "a plan is at most 64 MiB; this one has %zu bytes", r.len);
        return NULL;
    }
    if (!yaml_parser_initialize(&r.yp)) {
        fail_lc(&r, 0, 0, "out of memory while reading the plan");
        return NULL;
    }
    /* UTF-8 only: libyaml would otherwise honour a UTF-16 byte order mark */
    yaml_parser_set_encoding(&r.yp, YAML_UTF8_ENCODING);
    yaml_parser_set_input_string(&r.yp, (const unsigned char *)r.text, r.len);
    r.tmp = flux_arena_new();
    node *root = read_tree(&r);
    flux_plan *plan = root ? build_plan(&r, root) : NULL;
    yaml_parser_delete(&r.yp);
    flux_arena_free(r.tmp);
    return plan;
}
