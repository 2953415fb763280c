/* check_schema — values against the types of an operator's parameter schema,
 * and each task against its operator: unknown operator or parameter (with
 * did-you-mean), missing required parameter, "at least one of". */
#include <stdlib.h>
#include <string.h>

#include "attr.h"
#include "checker.h"
#include "registry.h"
#include "schedule.h"
#include "suggest.h"

static const char *field_desc(const flux_field *f)
{
    switch (f->kind) {
    case FLUX_F_STRING: case FLUX_F_TEMPLATE: return "a string";
    case FLUX_F_INT: return "an integer";
    case FLUX_F_FLOAT: return "a number";
    case FLUX_F_BOOL: return "a boolean";
    case FLUX_F_DURATION: return "a duration";
    case FLUX_F_IDENT: return "a bare name";
    case FLUX_F_LIST: return "a list";
    case FLUX_F_MAP: return "a map";
    }
    return "a value";
}

const char *flux_check_type_desc(flux_param_type t)
{
    switch (t) {
    case FLUX_PT_STRING: return "a string";
    case FLUX_PT_SHELL: return "a shell command string";
    case FLUX_PT_SQL: return "an SQL string";
    case FLUX_PT_CONN: return "a connection name string";
    case FLUX_PT_PATH: return "a path string";
    case FLUX_PT_TIME: return "a time string";
    case FLUX_PT_INT: return "an integer";
    case FLUX_PT_FLOAT: return "a number";
    case FLUX_PT_BOOL: return "a boolean (true or false)";
    case FLUX_PT_DURATION: return "a duration";
    case FLUX_PT_ENUM: return "one of a fixed set of names";
    case FLUX_PT_LIST: return "a list";
    case FLUX_PT_MAP: return "a map";
    case FLUX_PT_SCALAR: return "a string, number or boolean";
    case FLUX_PT_SIZE: return "a size such as \"4G\" or \"512M\"";
    }
    return "a value";
}

static bool is_stringish(flux_param_type t)
{
    return t == FLUX_PT_STRING || t == FLUX_PT_SHELL || t == FLUX_PT_SQL || t == FLUX_PT_CONN ||
           t == FLUX_PT_PATH || t == FLUX_PT_TIME;
}

static char *enum_list(checker *k, const char *const *vals)
{
    flux_buf b = {0};
    for (size_t i = 0; vals && vals[i]; i++) {
        if (i)
            flux_buf_puts(&b, ", ");
        flux_buf_puts(&b, vals[i]);
    }
    char *r = flux_arena_strdup(k->a, b.data ? b.data : "");
    flux_buf_free(&b);
    return r;
}

static void check_enum(checker *k, const flux_param_schema *ps, const flux_field *f, const char *key,
                       const flux_ctx *ctx)
{
    const char *s = f->u.str.s;
    if (f->kind == FLUX_F_STRING && !f->computed) {
        for (size_t i = 0; ps->enum_values && ps->enum_values[i]; i++) {
            if (strcmp(ps->enum_values[i], s) == 0) {
                char *h = flux_arena_printf(k->a, "write it without quotes: %s = %s", key, s);
                ERR(k, f->span, ctx, "wrong-type", h, "'%s' expects a bare name, found a string", key);
                return;
            }
        }
    }
    if (f->kind != FLUX_F_IDENT && f->kind != FLUX_F_STRING) {
        char *h = flux_arena_printf(k->a, "one of: %s", enum_list(k, ps->enum_values));
        ERR(k, f->span, ctx, "wrong-type", h, "'%s' expects one of a fixed set of names, found %s", key,
            field_desc(f));
        return;
    }
    if (flux_param_enum_has(ps, s)) {
        /* a computed value naming an enum is that enum (plans say !enum) */
        if (f->kind == FLUX_F_STRING)
            ((flux_field *)f)->kind = FLUX_F_IDENT;
        return;
    }
    size_t n = 0;
    while (ps->enum_values && ps->enum_values[n])
        n++;
    const char *best = flux_suggest(s, (const char *const *)ps->enum_values, n);
    char *h = best ? flux_check_did_you_mean(k, best) : flux_arena_printf(k->a, "one of: %s", enum_list(k, ps->enum_values));
    ERR(k, f->span, ctx, "bad-enum", h, "'%s' is not a valid %s", s, key);
}

/* an amount of memory as Slurm reads it: digits, then K, M, G or T */
static void check_size(checker *k, const flux_field *f, const char *key, const flux_ctx *ctx)
{
    if (f->kind == FLUX_F_INT) {
        char *h = flux_arena_printf(k->a, "give a unit: %s = \"%lldM\"", key, (long long)f->u.i);
        ERR(k, f->span, ctx, "wrong-type", h, "'%s' expects a size, found an integer", key);
        return;
    }
    if (f->kind != FLUX_F_STRING) {
        ERR(k, f->span, ctx, "wrong-type", "sizes are written \"512M\", \"4G\" (units K, M, G, T)",
            "'%s' expects a size, found %s", key, field_desc(f));
        return;
    }
    const char *s = f->u.str.s;
    size_t n = strspn(s, "0123456789");
    bool zero = n > 0 && strspn(s, "0") == n;
    if (n > 0 && n <= 12 && !zero && s[n] && strchr("KMGT", s[n]) && !s[n + 1])
        return;
    char *h = "sizes are written \"512M\", \"4G\" (a whole number and a unit: K, M, G or T)";
    if (n > 0 && !zero && s[n] && strchr("kmgt", s[n]) && (!s[n + 1] || (s[n + 1] == 'b' || s[n + 1] == 'B')))
        h = flux_arena_printf(k->a, "write it as Slurm does: %s = \"%.*s%c\"", key, (int)n, s, s[n] - 'a' + 'A');
    else if (n > 0 && !zero && s[n] && strchr("KMGT", s[n]) && (s[n + 1] == 'B' || s[n + 1] == 'b') && !s[n + 2])
        h = flux_arena_printf(k->a, "write it as Slurm does: %s = \"%.*s%c\"", key, (int)n, s, s[n]);
    ERR(k, f->span, ctx, "bad-value", h, "'%s' is not a size: \"%s\"", key, s);
}

/* a map with fixed keys (slurm { }): each key known, each value of its type */
static void check_keyed_map(checker *k, const flux_param_schema *ps, const flux_field *f, const char *key,
                            const flux_ctx *ctx)
{
    for (size_t i = 0; i < f->u.map.n; i++) {
        const char *name = f->u.map.keys[i];
        const flux_param_schema *ks = flux_param_key(ps, name);
        flux_span at = f->u.map.key_spans[i].file ? f->u.map.key_spans[i] : f->span;
        if (!ks) {
            flux_suggester s;
            flux_suggest_init(&s, name);
            flux_buf all = {0};
            for (size_t j = 0; j < ps->nkeys; j++) {
                flux_suggest_feed(&s, ps->keys[j].name);
                flux_buf_puts(&all, j ? ", " : "");
                flux_buf_puts(&all, ps->keys[j].name);
            }
            const char *best = flux_suggest_best(&s);
            char *h = best ? flux_check_did_you_mean(k, best)
                           : flux_arena_printf(k->a, "the keys of %s are %s", key, all.data ? all.data : "");
            flux_buf_free(&all);
            ERR(k, at, ctx, "unknown-parameter", h, "unknown key '%s' in %s", name, key);
            continue;
        }
        char *full = flux_arena_printf(k->a, "%s.%s", key, name);
        flux_check_type(k, ks, ks->type, &f->u.map.v[i], full, ctx);
    }
}

/* a list item Flux sets itself (an sbatch option of the slurm executor) */
static void check_refused(checker *k, const flux_param_schema *ps, const flux_field *f, const char *key,
                          const flux_ctx *ctx)
{
    const char *r = f->kind == FLUX_F_STRING ? flux_param_refuses(ps, f->u.str.s) : NULL;
    if (!r)
        return;
    const char *h = strcmp(r, "--time") == 0 || strcmp(r, "-t") == 0
                        ? "give the time limit as time = DURATION beside it"
                        : "Flux sets it itself: it finds, claims and logs each try through it";
    ERR(k, f->span, ctx, "bad-value", h, "'%s' may not hold %s", key, r);
}

/* each item of a list of type elem, none of those it refuses */
static void check_items(checker *k, const flux_param_schema *ps, const flux_field *f, const char *key,
                        const flux_ctx *ctx)
{
    for (size_t i = 0; i < f->u.list.n; i++) {
        flux_check_type(k, ps, ps->elem, &f->u.list.v[i], key, ctx);
        check_refused(k, ps, &f->u.list.v[i], key, ctx);
    }
}

void flux_check_type(checker *k, const flux_param_schema *ps, flux_param_type type, const flux_field *f,
                       const char *key, const flux_ctx *ctx)
{
    if (is_stringish(type)) {
        if (f->kind == FLUX_F_STRING) {
            /* a time written out (no template) is checked now, not at run time */
            int64_t ms;
            bool zone;
            flux_sched_error e;
            if (type == FLUX_PT_TIME && (ps->flags & FLUX_PF_TEMPLATED) &&
                flux_time_parse(f->u.str.s, &ms, &zone, &e) != 0)
                ERR(k, flux_check_inner_span(k, f, e.offset, e.len), ctx, "bad-time",
                    e.help[0] ? e.help : "write an ISO-8601 time such as 2026-11-01T06:00:00Z, or a template such as {{ interval_end }}",
                    "invalid time for '%s': %s", key, e.msg);
            return;
        }
        if (f->kind == FLUX_F_TEMPLATE) {
            if (!(ps->flags & FLUX_PF_TEMPLATED)) {
                flux_span sp = f->u.tmpl.n ? f->u.tmpl.parts[0].span : f->span;
                for (size_t i = 0; i < f->u.tmpl.n; i++)
                    if (f->u.tmpl.parts[i].expr || f->u.tmpl.parts[i].stmt) {
                        sp = f->u.tmpl.parts[i].span;
                        break;
                    }
                ERR(k, sp, ctx, "runtime-in-static",
                    "only compile-time values ({% set %} names, loop variables) may appear here",
                    "'%s' is fixed at compile time and cannot use run-time values", key);
            }
            return;
        }
        if (f->kind == FLUX_F_IDENT) {
            char *h = flux_arena_printf(k->a, "put it in quotes: %s = \"%s\"", key, f->u.str.s);
            ERR(k, f->span, ctx, "wrong-type", h, "'%s' expects %s, found a bare name", key, flux_check_type_desc(type));
            return;
        }
        ERR(k, f->span, ctx, "wrong-type", NULL, "'%s' expects %s, found %s", key, flux_check_type_desc(type), field_desc(f));
        return;
    }
    switch (type) {
    case FLUX_PT_INT:
        if (f->kind == FLUX_F_INT) {
            if ((ps->flags & FLUX_PF_POSITIVE) && f->u.i < 1)
                ERR(k, f->span, ctx, "bad-value", NULL, "'%s' must be at least 1", key);
            return;
        }
        break;
    case FLUX_PT_FLOAT:
        if (f->kind == FLUX_F_INT || f->kind == FLUX_F_FLOAT)
            return;
        break;
    case FLUX_PT_BOOL:
        if (f->kind == FLUX_F_BOOL)
            return;
        break;
    case FLUX_PT_DURATION:
        if (f->kind == FLUX_F_DURATION) {
            if (f->u.ms < 0)
                ERR(k, f->span, ctx, "bad-value", NULL, "'%s' must not be negative", key);
            return;
        }
        if (f->kind == FLUX_F_STRING) {
            int64_t ms;
            flux_sched_error e;
            if (flux_duration_parse(f->u.str.s, f->u.str.len, &ms, &e) == 0) {
                char *h = flux_arena_printf(k->a, "write it without quotes: %s = %s", key, f->u.str.s);
                ERR(k, f->span, ctx, "wrong-type", h, "'%s' expects a duration, found a string", key);
                return;
            }
            ERR(k, f->span, ctx, "wrong-type", "durations are written 500ms, 30s, 5m, 1h, 2d or 1h30m",
                "'%s' expects a duration, found a string", key);
            return;
        }
        if (f->kind == FLUX_F_INT) {
            char *h = flux_arena_printf(k->a, "give a unit: %s = %llds", key, (long long)f->u.i);
            ERR(k, f->span, ctx, "wrong-type", h, "'%s' expects a duration, found an integer", key);
            return;
        }
        break;
    case FLUX_PT_ENUM:
        check_enum(k, ps, f, key, ctx);
        return;
    case FLUX_PT_SCALAR:
        if (f->kind == FLUX_F_INT || f->kind == FLUX_F_FLOAT || f->kind == FLUX_F_BOOL)
            return;
        flux_check_type(k, ps, FLUX_PT_STRING, f, key, ctx);
        return;
    case FLUX_PT_SIZE:
        check_size(k, f, key, ctx);
        return;
    case FLUX_PT_LIST:
        if (f->kind == FLUX_F_LIST) {
            check_items(k, ps, f, key, ctx);
            return;
        }
        if (ps->flags & FLUX_PF_SINGLE) {
            flux_check_type(k, ps, ps->elem, f, key, ctx);
            return;
        }
        break;
    case FLUX_PT_MAP:
        if (f->kind == FLUX_F_MAP && ps->keys) {
            check_keyed_map(k, ps, f, key, ctx);
            return;
        }
        if (f->kind == FLUX_F_MAP) {
            for (size_t i = 0; i < f->u.map.n; i++)
                flux_check_type(k, ps, ps->elem, &f->u.map.v[i], key, ctx);
            return;
        }
        break;
    default: break;
    }
    if (type == FLUX_PT_INT && f->kind == FLUX_F_STRING) {
        char *h = flux_arena_printf(k->a, "write it without quotes: %s = %s", key, f->u.str.s);
        char *end;
        strtoll(f->u.str.s, &end, 10);
        ERR(k, f->span, ctx, "wrong-type", *f->u.str.s && !*end ? h : NULL, "'%s' expects an integer, found a string",
            key);
        return;
    }
    ERR(k, f->span, ctx, "wrong-type", NULL, "'%s' expects %s, found %s", key, flux_check_type_desc(type), field_desc(f));
}

/* Pipeline-level values of task parameters (retries, retry_delay ...) are
 * defaults for every task; lowering copies them into each task that does not
 * set them. A required parameter given that way is given. */
static bool inherited(const flux_pipeline *p, const flux_operator *op, const char *key)
{
    for (size_t i = 0; i < p->attrs.n; i++) {
        const flux_attr *pa = &p->attrs.v[i];
        if (strcmp(pa->key, key) != 0)
            continue;
        const flux_param_schema *ps = flux_registry_pipeline_param(pa->key);
        if (ps && (ps->flags & FLUX_PF_TASK_DEFAULT) && !pa->invalid && flux_registry_param(op, pa->key))
            return true;
    }
    return false;
}

/* a required parameter given under a misspelt name was already reported as
 * unknown with a did-you-mean; reporting it missing too is noise */
static bool misspelt(checker *k, const flux_task *t, const flux_operator *op, const char *name)
{
    (void)k;
    for (size_t i = 0; i < t->attrs.n; i++) {
        if (flux_registry_param(op, t->attrs.v[i].key))
            continue;
        flux_suggester s;
        flux_suggest_init(&s, t->attrs.v[i].key);
        flux_suggest_feed(&s, name);
        if (flux_suggest_best(&s))
            return true;
    }
    return false;
}

/* Airflow's operator classes, as an Airflow user writes them: what Flux
 * writes instead (NULL: no operator of Flux does that) */
static const struct {
    const char *airflow, *flux;
} airflow_ops[] = {
    {"BashOperator", "bash"}, {"EmptyOperator", NULL}, {"DummyOperator", NULL},
    {"ExternalTaskSensor", "external_task_sensor"}, {"FileSensor", "file_sensor"}, {"HttpOperator", "http"},
    {"MySqlOperator", "mysql"}, {"PythonOperator", NULL}, {"SQLExecuteQueryOperator", "mysql"},
    {"SimpleHttpOperator", "http"}, {"SqlSensor", "sql_sensor"}, {"SqliteOperator", "sqlite"},
    {"TimeSensor", "time_sensor"},
};

static const char *operator_help(checker *k, const char *name, const char *task)
{
    for (size_t i = 0; i < sizeof airflow_ops / sizeof *airflow_ops; i++) {
        if (strcmp(airflow_ops[i].airflow, name) != 0)
            continue;
        if (airflow_ops[i].flux)
            return flux_arena_printf(k->a, "Airflow's %s is '%s' in Flux: task %s : %s { ... }", name,
                                     airflow_ops[i].flux, task, airflow_ops[i].flux);
        if (strcmp(name, "PythonOperator") == 0)
            return "Flux runs no Python callables: run a script with 'bash', command = \"python3 job.py\"";
        return "a task that does nothing is 'bash' with command = \"true\"";
    }
    size_t n;
    const flux_operator *ops = flux_registry_all(&n);
    flux_suggester s;
    flux_suggest_init(&s, name);
    for (size_t i = 0; i < n; i++)
        flux_suggest_feed(&s, ops[i].name);
    const char *best = flux_suggest_best(&s);
    return best ? flux_check_did_you_mean(k, best) : "see the operators in lang/REFERENCE.md";
}

void flux_check_task(checker *k, const flux_task *t)
{
    const flux_operator *op = flux_registry_find(t->op);
    if (!op) {
        ERR(k, t->op_span, t->ctx, "unknown-operator", operator_help(k, t->op, t->id), "unknown operator '%s'", t->op);
        /* parameters cannot be checked without a schema, templates can */
        for (size_t i = 0; i < t->attrs.n; i++)
            flux_check_templates(k, &t->attrs.v[i].val, t, FLUX_PT_STRING, t->attrs.v[i].ctx);
        return;
    }
    for (size_t i = 0; i < t->attrs.n; i++) {
        const flux_attr *at = &t->attrs.v[i];
        const flux_param_schema *ps = flux_registry_param(op, at->key);
        if (!ps) {
            flux_suggester s;
            flux_suggest_init(&s, at->key);
            for (size_t j = 0; j < op->nparams; j++)
                flux_suggest_feed(&s, op->params[j].name);
            size_t n;
            const flux_param_schema *common = flux_registry_task_params(&n);
            for (size_t j = 0; j < n; j++)
                flux_suggest_feed(&s, common[j].name);
            if (op->kind == FLUX_OP_SENSOR) {
                common = flux_registry_sensor_params(&n);
                for (size_t j = 0; j < n; j++)
                    flux_suggest_feed(&s, common[j].name);
            }
            const char *best = flux_suggest_best(&s);
            char *h = best ? flux_check_did_you_mean(k, best) : NULL;
            if (!best) {
                flux_buf b = {0};
                for (size_t j = 0; j < op->nparams; j++) {
                    if (j)
                        flux_buf_puts(&b, ", ");
                    flux_buf_puts(&b, op->params[j].name);
                }
                h = flux_arena_printf(k->a, "'%s' takes %s, and the common task parameters", op->name,
                                      b.data ? b.data : "no parameters of its own");
                flux_buf_free(&b);
            }
            ERR(k, at->key_span, at->ctx, "unknown-parameter", h, "unknown parameter '%s' for operator '%s'", at->key,
                op->name);
            flux_check_templates(k, &at->val, t, FLUX_PT_STRING, at->ctx);
            continue;
        }
        if (at->invalid)
            continue;
        flux_check_type(k, ps, ps->type, &at->val, at->key, at->ctx);
        flux_check_names_attr(k, op, ps, at);
        flux_check_templates(k, &at->val, t, ps->type, at->ctx);
    }
    bool any_of_needed = false, any_of_given = false;
    flux_buf any = {0};
    for (size_t j = 0; j < op->nparams; j++) {
        const flux_param_schema *ps = &op->params[j];
        bool given = flux_attr_find(&t->attrs, ps->name) || inherited(k->p, op, ps->name);
        if ((ps->flags & FLUX_PF_REQUIRED) && !given && !k->p->partial && !misspelt(k, t, op, ps->name)) {
            char *h = flux_arena_printf(k->a, "add '%s = ...' (%s)", ps->name, flux_check_type_desc(ps->type));
            ERR(k, t->id_span, t->ctx, "missing-parameter", h, "task '%s' is missing required parameter '%s' of operator '%s'",
                t->id, ps->name, op->name);
        }
        if (ps->flags & FLUX_PF_ANY_OF) {
            any_of_needed = true;
            any_of_given |= given;
            if (any.len)
                flux_buf_puts(&any, "' or '");
            flux_buf_puts(&any, ps->name);
        }
    }
    flux_check_slurm(k, t, op);
    if (any_of_needed && !any_of_given && !k->p->partial)
        ERR(k, t->id_span, t->ctx, "missing-parameter", NULL, "task '%s' needs at least one of '%s'", t->id,
            any.data ? any.data : "");
    flux_buf_free(&any);
    /* max_wait caps the waits exponential_backoff doubles; poke_interval
     * alone never grows, so the setting would be accepted and ignored */
    const flux_attr *mw = flux_attr_find(&t->attrs, "max_wait");
    if (op->kind == FLUX_OP_SENSOR && mw && !mw->invalid && !flux_attr_bool(&t->attrs, "exponential_backoff", false))
        WARN(k, mw->key_span, mw->ctx, "max-wait-unused",
             "add 'exponential_backoff = true', or remove max_wait (the wait is poke_interval every time)",
             "'max_wait' has no effect without 'exponential_backoff = true'");
}
