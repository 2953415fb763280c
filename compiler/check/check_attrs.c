/* check_attrs — pipeline attributes: required ones, schedule, start and end,
 * time zone, counts, param defaults. */
#include <stdlib.h>
#include <string.h>

#include "attr.h"
#include "checker.h"
#include "registry.h"
#include "schedule.h"
#include "suggest.h"

/* the span of bytes [off, off+len) inside a string literal's text, when the
 * literal has no escapes (so text offsets equal source offsets) */
flux_span flux_check_inner_span(checker *k, const flux_field *f, size_t off, size_t len)
{
    const flux_source *src = flux_sources_get(&k->c->sources, f->span.file);
    if (!src || f->kind != FLUX_F_STRING || f->span.end - f->span.begin != f->u.str.len + 2 ||
        src->text[f->span.begin] != '"')
        return f->span;
    if (memchr(src->text + f->span.begin + 1, '\\', f->u.str.len))
        return f->span;
    flux_span s = {f->span.file, f->span.begin + 1 + (uint32_t)off, f->span.begin + 1 + (uint32_t)(off + len)};
    if (len == 0)
        s.end = s.begin + 1;
    if (s.end > f->span.end - 1)
        s.end = f->span.end - 1;
    return s;
}

/* an attribute whose value can be checked further */
static const flux_attr *valid_attr(const flux_attrs *as, const char *key)
{
    const flux_attr *a = flux_attr_find(as, key);
    return a && !a->invalid ? a : NULL;
}

void flux_check_pipeline_attrs(checker *k)
{
    flux_pipeline *p = k->p;
    size_t n;
    const flux_param_schema *schema = flux_registry_pipeline_params(&n);
    for (size_t i = 0; i < p->attrs.n; i++) {
        const flux_attr *at = &p->attrs.v[i];
        const flux_param_schema *ps = flux_registry_pipeline_param(at->key);
        if (!ps) {
            flux_suggester s;
            flux_suggest_init(&s, at->key);
            for (size_t j = 0; j < n; j++)
                flux_suggest_feed(&s, schema[j].name);
            const char *best = flux_suggest_best(&s);
            const char *h = best ? flux_check_did_you_mean(k, best) : "see the pipeline attributes in lang/REFERENCE.md";
            if (!best && flux_registry_param(NULL, at->key) == NULL) {
                size_t nops;
                const flux_operator *ops = flux_registry_all(&nops);
                for (size_t j = 0; j < nops; j++)
                    if (flux_registry_param(&ops[j], at->key)) {
                        h = flux_arena_printf(k->a, "'%s' is a parameter of operator '%s'; set it on the task",
                                              at->key, ops[j].name);
                        break;
                    }
            }
            ERR(k, at->key_span, at->ctx, "unknown-attribute", h, "unknown pipeline attribute '%s'", at->key);
            continue;
        }
        if (!at->invalid) {
            flux_check_type(k, ps, ps->type, &at->val, at->key, at->ctx);
            flux_check_names_attr(k, NULL, ps, at);
        }
    }
    for (size_t j = 0; j < n; j++) {
        if ((schema[j].flags & FLUX_PF_REQUIRED) && !flux_attr_find(&p->attrs, schema[j].name) && !p->partial) {
            char *h = strcmp(schema[j].name, "schedule") == 0
                          ? "add e.g. schedule = \"@daily\" (cron, @hourly ... @once, or \"every 15m\")"
                      : strcmp(schema[j].name, "start") == 0
                          ? "add e.g. start = \"2026-11-01T00:00:00Z\""
                          : NULL;
            ERR(k, p->name_span, p->ctx, "missing-attribute", h, "pipeline '%s' has no '%s'", p->name,
                schema[j].name);
        }
    }
    const flux_attr *a;
    if ((a = valid_attr(&p->attrs, "schedule")) && a->val.kind == FLUX_F_STRING) {
        flux_schedule sched;
        flux_sched_error e;
        if (flux_schedule_parse(a->val.u.str.s, &sched, &e) != 0)
            ERR(k, flux_check_inner_span(k, &a->val, e.offset, e.len), a->ctx, "bad-schedule", e.help[0] ? e.help : NULL,
                "invalid schedule: %s", e.msg);
    }
    int64_t start_ms = 0, end_ms = 0;
    bool has_start = false, has_end = false, zone;
    const char *times[] = {"start", "end"};
    for (int i = 0; i < 2; i++) {
        if (!(a = valid_attr(&p->attrs, times[i])) || a->val.kind != FLUX_F_STRING)
            continue;
        flux_sched_error e;
        int64_t ms;
        if (flux_time_parse(a->val.u.str.s, &ms, &zone, &e) != 0) {
            ERR(k, flux_check_inner_span(k, &a->val, e.offset, e.len), a->ctx, "bad-time",
                e.help[0] ? e.help : "write an ISO-8601 time, e.g. 2026-11-01T00:00:00Z", "invalid %s time: %s",
                times[i], e.msg);
            continue;
        }
        if (i == 0) {
            start_ms = ms;
            has_start = true;
        } else {
            end_ms = ms;
            has_end = true;
        }
    }
    if (has_start && has_end && end_ms <= start_ms) {
        a = flux_attr_find(&p->attrs, "end");
        flux_diag *g = ERR(k, a->val.span, a->ctx, "bad-time", NULL, "end is not after start");
        flux_diag_note(g, flux_attr_find(&p->attrs, "start")->val.span, "start given here");
    }
    if ((a = valid_attr(&p->attrs, "timezone")) && a->val.kind == FLUX_F_STRING && !flux_tz_exists(a->val.u.str.s)) {
        const char *best = flux_tz_suggest(a->val.u.str.s);
        const char *h = best ? flux_check_did_you_mean(k, best) : "use an IANA name such as \"Europe/Paris\" or \"UTC\"";
        ERR(k, a->val.span, a->ctx, "bad-timezone", h, "unknown time zone '%s'", a->val.u.str.s);
    }
    const char *positive[] = {"max_active_runs", "max_active_tasks"};
    for (int i = 0; i < 2; i++)
        if ((a = flux_attr_find(&p->attrs, positive[i])) && a->val.kind == FLUX_F_INT && a->val.u.i < 1)
            ERR(k, a->val.span, a->ctx, "bad-value", NULL, "'%s' must be at least 1", positive[i]);
    if ((a = flux_attr_find(&p->attrs, "retries")) && a->val.kind == FLUX_F_INT && a->val.u.i < 0)
        ERR(k, a->val.span, a->ctx, "bad-value", NULL, "'retries' must not be negative");
    /* params: literal defaults, their type is the type of the param */
    for (size_t i = 0; i < p->params.n; i++) {
        const flux_attr *pa = &p->params.v[i];
        if (pa->val.kind == FLUX_F_TEMPLATE)
            ERR(k, pa->val.span, pa->ctx, "runtime-in-static", "a param's default is a literal value",
                "param '%s' has a run-time template in its default", pa->key);
        else if (pa->val.kind == FLUX_F_IDENT)
            ERR(k, pa->val.span, pa->ctx, "wrong-type", flux_arena_printf(k->a, "put it in quotes: %s = \"%s\"", pa->key, pa->val.u.str.s),
                "param '%s' needs a typed default, found a bare name", pa->key);
    }
}
