/* fields — every field of a task rendered for one try: as rendered (with
 * its secrets) for the operator's process, masked for the store.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "value.h"
#include "exec_int.h"
#include "registry.h"

/* {{ task_outputs('t', 'key') }}: what a task of the same run printed as ::output */
static bool output_of(void *ud, const char *task, const char *key, flux_value *out)
{
    ex_run *run = ud;
    for (size_t i = 0; i < run->n; i++) {
        if (strcmp(run->tasks[i].t->id, task) != 0)
            continue;
        if (!run->tasks[i].outputs)
            return false;
        json_error_t je;
        json_t *o = json_loads(run->tasks[i].outputs, 0, &je);
        json_t *v = o ? json_object_get(o, key) : NULL;
        bool ok = v && json_is_string(v);
        if (ok)
            *out = flux_cstr(run->ex->arena, json_string_value(v));
        json_decref(o);
        return ok;
    }
    return false;
}

/* "__run": the run an operator process works for (its interval above all) */
static void run_json(ex_task *k, bool comma, flux_buf *b)
{
    if (comma)
        flux_buf_puts(b, ", ");
    flux_op_run_json(b, k->run->p->name, k->run->row.run_id, k->t->id, k->try_number, k->ti_id,
                     k->run->row.interval_start, k->run->row.interval_end);
}

/* An operator of one's own gets the defaults of its manifest for the
 * parameters a task leaves out (a built-in operator applies its own), so
 * its executable reads every parameter it declares a default for. */
static void defaults_json(const ex_task *k, const char **keys, size_t n, flux_buf *b)
{
    const flux_operator *op = flux_registry_find(k->t->op);
    for (size_t p = 0; op && op->manifest && p < op->nparams; p++) {
        const flux_param_schema *ps = &op->params[p];
        size_t i = 0;
        while (i < n && strcmp(keys[i], ps->name))
            i++;
        if (i < n || !ps->default_json)
            continue;
        flux_buf_puts(b, n || b->len > 1 ? ", " : "");
        flux_value_json(flux_str(ps->name, strlen(ps->name)), b);
        flux_buf_printf(b, ": %s", ps->default_json);
    }
}

/* the rendered fields as one JSON object, masked or not */
static char *fields_json(ex_task *k, flux_renderer *r, const char **keys, flux_field *vals, size_t n, bool mask)
{
    r->mask = mask;
    flux_buf b = {0};
    flux_buf_putc(&b, '{');
    for (size_t i = 0; i < n; i++) {
        if (i)
            flux_buf_puts(&b, ", ");
        flux_value_json(flux_str(keys[i], strlen(keys[i])), &b);
        flux_buf_puts(&b, ": ");
        flux_field_json(r, &vals[i], &b);
    }
    defaults_json(k, keys, n, &b);
    if (!mask) {
        /* for the operator's process: its run, and the connections it names
         * with their passwords (it inherits none of the runner's variables) */
        run_json(k, b.len > 1, &b);
        flux_buf_puts(&b, ", ");
        flux_op_fields f = {keys, vals, n};
        flux_op_conns_json(&b, k->t->op, &f, k->run->ex->o.conns);
    }
    flux_buf_putc(&b, '}');
    char *s = strdup(b.data);
    flux_buf_free(&b);
    if (!s)
        abort(); /* the allocation policy: abort on OOM */
    return s;
}

/* A connection an operator's field names (conn, source, target) must be
 * defined, in flux.yaml or as FLUX_CONN_<NAME>: found out here, before a
 * process is started, it fails the try at once and for good, whatever
 * else the run's processes can or cannot start. */
static int check_conns(const ex_task *k, const char **keys, const flux_field *vals, size_t n, char *note,
                       size_t notelen)
{
    const flux_operator *op = flux_registry_find(k->t->op);
    for (size_t i = 0; op && i < n; i++) {
        const flux_param_schema *ps = flux_registry_param(op, keys[i]);
        if (!ps || ps->type != FLUX_PT_CONN || vals[i].kind != FLUX_F_STRING)
            continue;
        char name[256];
        snprintf(name, sizeof name, "%.*s", (int)vals[i].u.str.len, vals[i].u.str.s);
        if (flux_conns_find(k->run->ex->o.conns, name))
            continue;
        char env[256];
        flux_conn_env_name(name, env, sizeof env);
        const flux_conns *c = k->run->ex->o.conns;
        snprintf(note, notelen, "%s = \"%s\": connection '%s' is not defined: add it to %s or set %s", keys[i], name,
                 name, c && c->file ? c->file : "flux.yaml", env);
        return -1;
    }
    return 0;
}

int flux_fields_render(ex_task *k, flux_arena *a, flux_op_fields *fields, char **masked_json, char **raw_json,
                       const char ***secrets, size_t *nsecrets, char *note, size_t notelen)
{
    flux_sources src;
    flux_sources_init(&src);
    flux_diags d;
    flux_diags_init(&d, &src);
    flux_renderer r = {.arena = a, .diags = &d, .conns = k->run->ex->o.conns, .mask = false,
                       .output = output_of, .ud = k->run, .sql_conn = flux_registry_sql_conn};
    flux_run run = {k->run->p, k->run->tz, {k->run->row.interval_start, k->run->row.interval_end,
                                            k->run->row.interval_end},
                    k->run->row.run_id, k->run->params};
    flux_task_fields tf;
    int rc = flux_render_task(&r, &run, k->t, k->try_number, false, &tf);
    const char **keys = tf.keys;
    flux_field *vals = tf.vals;
    size_t n = tf.n;
    if (rc == 0)
        rc = check_conns(k, keys, vals, n, note, notelen);
    if (rc != 0) {
        if (note[0])
            ; /* check_conns said why */
        else if (r.err[0])
            snprintf(note, notelen, "%s", r.err);
        else if (d.n)
            snprintf(note, notelen, "template failed: %s", d.v[0]->msg);
        else
            snprintf(note, notelen, "template failed to render");
    } else {
        /* masked for the store; as rendered for an operator's process */
        *masked_json = fields_json(k, &r, keys, vals, n, true);
        if (raw_json)
            *raw_json = fields_json(k, &r, keys, vals, n, false);
        fields->keys = keys;
        fields->vals = vals;
        fields->n = n;
        *secrets = r.secrets;
        *nsecrets = r.nsecrets;
    }
    flux_diags_free(&d);
    flux_sources_free(&src);
    return rc;
}
