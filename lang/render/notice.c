/* notice — the document of a notification and its text (notice.h). */
#include "notice.h"

#include <stdio.h>
#include <string.h>

#include "eval.h"
#include "scope.h"
#include "value.h"

static flux_value text_or_none(flux_arena *a, const char *s)
{
    return s ? flux_cstr(a, s) : flux_none();
}

static void bind_doc(flux_arena *a, flux_scope *s, const flux_notice_doc *d)
{
    flux_scope_bind(a, s, "event", text_or_none(a, d->event), NULL);
    flux_scope_bind(a, s, "pipeline", text_or_none(a, d->pipeline), NULL);
    flux_scope_bind(a, s, "run_id", text_or_none(a, d->run_id), NULL);
    flux_scope_bind(a, s, "logical_date", text_or_none(a, d->logical_date), NULL);
    flux_scope_bind(a, s, "task", text_or_none(a, d->task), NULL);
    flux_scope_bind(a, s, "try", flux_int(d->try_number), NULL);
    flux_scope_bind(a, s, "state", text_or_none(a, d->state), NULL);
    flux_scope_bind(a, s, "note", text_or_none(a, d->note), NULL);
    flux_scope_bind(a, s, "duration", d->duration_s >= 0 ? flux_float(d->duration_s) : flux_none(), NULL);
    flux_scope_bind(a, s, "log", text_or_none(a, d->log), NULL);
    flux_scope_bind(a, s, "web_url", text_or_none(a, d->web_url), NULL);
    flux_scope_bind(a, s, "key", text_or_none(a, d->key), NULL);
}

static void put_member(flux_buf *out, bool *first, const char *name, flux_value v)
{
    flux_buf_puts(out, *first ? "{" : ", ");
    *first = false;
    flux_value_json(flux_str(name, strlen(name)), out);
    flux_buf_puts(out, ": ");
    flux_value_json(v, out);
}

void flux_notice_json(const flux_notice_doc *d, const char *text, flux_buf *out)
{
    bool first = true;
#define S(name, v) put_member(out, &first, name, (v) ? flux_str((v), strlen(v)) : flux_none())
    S("event", d->event);
    S("key", d->key);
    S("pipeline", d->pipeline);
    S("run_id", d->run_id);
    S("logical_date", d->logical_date);
    S("task", d->task);
    put_member(out, &first, "try", d->try_number ? flux_int(d->try_number) : flux_none());
    S("state", d->state);
    S("note", d->note);
    put_member(out, &first, "duration", d->duration_s >= 0 ? flux_float(d->duration_s) : flux_none());
    S("log", d->log);
    S("web_url", d->web_url);
    if (text)
        S("text", text);
#undef S
    flux_buf_puts(out, "}");
}

void flux_notice_default_text(const flux_notice_doc *d, flux_buf *out)
{
    static const struct { const char *event, *says; } says[] = {
        {"failure", "failed"}, {"retry", "failed and will be retried"}, {"success", "succeeded"},
        {"deadline_miss", "missed its deadline"}};
    const char *what = d->event;
    for (size_t i = 0; i < sizeof says / sizeof *says; i++)
        if (!strcmp(says[i].event, d->event))
            what = says[i].says;
    flux_buf_printf(out, "flux: pipeline %s run %s: ", d->pipeline, d->run_id);
    if (d->task)
        flux_buf_printf(out, "task %s ", d->task);
    flux_buf_puts(out, what);
    if (d->try_number)
        flux_buf_printf(out, " (try %d)", d->try_number);
    if (d->note && *d->note)
        flux_buf_printf(out, ": %s", d->note);
}

/* ---- the template ---- */

typedef struct walker {
    flux_arena *a;
    flux_diags *d;
    int depth;
} walker;

static int parts(walker *w, const flux_tpart *p, size_t n, flux_scope *s, flux_buf *out);

static int eval(walker *w, flux_scope *s, const flux_expr *x, flux_value *v)
{
    flux_eval ev = {.arena = w->a, .diags = w->d, .scope = s};
    return flux_eval_expr(&ev, x, v) == FLUX_EVAL_OK ? 0 : -1;
}

static int stmt(walker *w, const flux_tstmt *st, flux_scope *s, flux_buf *out)
{
    flux_value v;
    switch (st->kind) {
    case FLUX_TS_SET:
        if (eval(w, s, st->u.set.val, &v))
            return -1;
        flux_scope_bind(w->a, s, st->u.set.name, v, NULL);
        return 0;
    case FLUX_TS_IF:
        for (size_t i = 0; i < st->u.cond.n; i++) {
            if (eval(w, s, st->u.cond.conds[i], &v))
                return -1;
            if (flux_truthy(v))
                return parts(w, st->u.cond.bodies[i].parts, st->u.cond.bodies[i].n, s, out);
        }
        return st->u.cond.else_body ? parts(w, st->u.cond.else_body->parts, st->u.cond.else_body->n, s, out) : 0;
    case FLUX_TS_FOR: {
        if (eval(w, s, st->u.loop.iter, &v))
            return -1;
        if (v.t != FLUX_T_LIST && v.t != FLUX_T_DICT)
            return 0;
        size_t n = v.t == FLUX_T_LIST ? v.u.list.n : v.u.list.n / 2;
        for (size_t i = 0; i < n; i++) {
            flux_scope *in = flux_arena_alloc(w->a, sizeof *in);
            in->parent = s;
            flux_scope_bind(w->a, in, st->u.loop.var, v.t == FLUX_T_LIST ? v.u.list.v[i] : v.u.list.v[2 * i], NULL);
            if (st->u.loop.var2 && v.t == FLUX_T_DICT)
                flux_scope_bind(w->a, in, st->u.loop.var2, v.u.list.v[2 * i + 1], NULL);
            flux_scope_bind(w->a, in, "loop", flux_scope_loop(w->a, i, n), NULL);
            if (parts(w, st->u.loop.body.parts, st->u.loop.body.n, in, out))
                return -1;
        }
        return 0;
    }
    }
    return 0;
}

static int parts(walker *w, const flux_tpart *p, size_t n, flux_scope *s, flux_buf *out)
{
    for (size_t i = 0; i < n; i++) {
        flux_value v;
        if (p[i].text) {
            flux_buf_put(out, p[i].text, p[i].len);
        } else if (p[i].expr) {
            if (eval(w, s, p[i].expr, &v))
                return -1;
            flux_value_render(v, out);
        } else if (p[i].stmt && stmt(w, p[i].stmt, s, out)) {
            return -1;
        }
        if (out->len > (1u << 20))
            return -1; /* a message, not a report: a runaway loop */
    }
    return 0;
}

int flux_notice_render(flux_arena *a, flux_diags *diags, const flux_tstr *t, const flux_notice_doc *d, flux_buf *out)
{
    if (!t || t->broken)
        return -1;
    flux_scope *s = flux_arena_alloc(a, sizeof *s);
    bind_doc(a, s, d);
    walker w = {a, diags, 0};
    return parts(&w, t->parts, t->n, s, out);
}

void flux_notice_check(flux_arena *a, flux_diags *diags, const flux_tstr *t)
{
    static const flux_notice_doc sample = {
        .event = "failure", .pipeline = "p", .run_id = "scheduled__2026-01-01T00:00:00+00:00",
        .logical_date = "2026-01-01T00:00:00+00:00", .task = "t", .try_number = 1, .state = "failed",
        .note = "exit status 1", .duration_s = 1.5, .log = "line", .web_url = "http://flux/", .key = "k"};
    flux_buf b = {0};
    if (t && !t->broken)
        (void)flux_notice_render(a, diags, t, &sample, &b);
    flux_buf_free(&b);
}
