/* plan_write — writes plans: the YAML form of one checked pipeline (format
 * and guarantees in PLAN.md).
 *
 * Writing goes through libyaml's emitter with every choice pinned (scalar
 * style per kind of value, indentation, line breaks, no line width), and the
 * pipeline is walked in an order that depends only on its content: task index,
 * attribute names, edge indices. Same pipeline, same bytes. */
#include "plan.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "duration.h"
#include "parse.h"
#include "planfmt.h"
#include "text.h"
#include "utf8.h"

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
    char t[FLUX_DOUBLE_TEXT];
    flux_buf_puts(out, flux_text_double_literal(f, t));
}

/* Text of a template part. "{{" opens an expression and "{%" a statement
 * when the plan is read, so a run of '{' that would be taken for one is
 * written as an expression that yields it: a run of two or more, one before
 * a '%', or a single '{' right before a tag. The reader folds these back
 * into text. */
static void template_text_part(void *ud, const char *s, size_t n, bool tag_follows, flux_buf *out)
{
    (void)ud;
    for (size_t i = 0; i < n;) {
        if (s[i] != '{') {
            flux_buf_putc(out, s[i++]);
            continue;
        }
        size_t k = 0;
        while (i + k < n && s[i + k] == '{')
            k++;
        if (k >= 2 || (i + k == n && tag_follows) || (i + k < n && s[i + k] == '%')) {
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
static void template_expr(void *ud, const flux_expr *x, flux_buf *out)
{
    (void)ud;
    flux_buf e = {0};
    flux_expr_print(x, &e);
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
    flux_buf_free(&e);
}

/* a template as the source text the reader parses back: text, {{ }} and
 * statements */
static void template_source(const flux_tpart *parts, size_t n, flux_buf *out)
{
    flux_tprinter pr = {template_text_part, template_expr, NULL};
    flux_tparts_print(parts, n, &pr, out);
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
    if (plan->noperators) {
        /* only when there are some: plans without stay byte for byte as they were */
        put_plain(&y, "operators");
        begin_seq(&y, YAML_BLOCK_SEQUENCE_STYLE);
        for (size_t i = 0; i < plan->noperators; i++) {
            begin_map(&y);
            put_plain(&y, "name");
            put_name(&y, plan->operators[i].name);
            put_plain(&y, "manifest");
            put_source(&y, &plan->operators[i].manifest);
            end_map(&y);
        }
        end_seq(&y);
    }

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
        put_plain(&y, flux_plan_type_name(pa->val.kind));
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
