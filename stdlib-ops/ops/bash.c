/* bash — the bash operator: `command` run by /bin/sh -c, with `env` and
 * `cwd`; the exit status decides success, and `::output key=value` lines
 * become task outputs that downstream templates read. */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops.h"
#include "registry.h"
#include "value.h"

const flux_field *flux_op_get(const flux_op_fields *f, const char *key)
{
    for (size_t i = 0; i < f->n; i++)
        if (strcmp(f->keys[i], key) == 0)
            return &f->vals[i];
    return NULL;
}

void flux_op_cmd_free(flux_op_cmd *c)
{
    for (size_t i = 0; c->argv && c->argv[i]; i++)
        free(c->argv[i]);
    for (size_t i = 0; c->env && c->env[i]; i++)
        free(c->env[i]);
    free(c->argv);
    free(c->env);
    free(c->cwd);
    memset(c, 0, sizeof *c);
}

static char *field_string(const flux_field *f)
{
    if (!f)
        return NULL;
    if (f->kind == FLUX_F_STRING || f->kind == FLUX_F_IDENT)
        return strndup(f->u.str.s, f->u.str.len);
    return NULL;
}

void flux_op_run_json(flux_buf *b, const char *pipeline, const char *run_id, const char *task, int try_number,
                      int64_t ti, int64_t interval_start_ms, int64_t interval_end_ms)
{
    flux_buf start = {0}, end = {0};
    flux_time_iso(interval_start_ms, 0, &start);
    flux_time_iso(interval_end_ms, 0, &end);
    flux_buf_puts(b, "\"__run\": {\"pipeline\": ");
    flux_value_json(flux_str(pipeline, strlen(pipeline)), b);
    flux_buf_puts(b, ", \"run_id\": ");
    flux_value_json(flux_str(run_id, strlen(run_id)), b);
    flux_buf_puts(b, ", \"task\": ");
    flux_value_json(flux_str(task, strlen(task)), b);
    flux_buf_printf(b, ", \"try\": %d, \"ti\": %lld, \"interval_start\": \"%s\", \"interval_end\": \"%s\"}",
                    try_number, (long long)ti, flux_buf_cstr(&start), flux_buf_cstr(&end));
    flux_buf_free(&start);
    flux_buf_free(&end);
}

flux_op_run flux_op_how(const char *op)
{
    if (strcmp(op, "time_sensor") == 0 || strcmp(op, "file_sensor") == 0 ||
        strcmp(op, "external_task_sensor") == 0)
        return FLUX_OP_RUN_POKE;
    if (strcmp(op, "sql_sensor") == 0 || strcmp(op, "kafka_sensor") == 0)
        return FLUX_OP_RUN_POKE_PROCESS;
    const flux_operator *o = flux_registry_find(op);
    return o ? FLUX_OP_RUN_PROCESS : FLUX_OP_RUN_MISSING;
}

int flux_op_command(const char *op, const flux_op_fields *f, const flux_op_where *w, flux_op_cmd *out, char *err,
                    size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (strcmp(op, "bash") != 0) {
        flux_op_run how = flux_op_how(op);
        if ((how != FLUX_OP_RUN_PROCESS && how != FLUX_OP_RUN_POKE_PROCESS) || !w || !w->self || !w->fields_path) {
            snprintf(err, errlen, "operator '%s' does not run a process", op);
            return -1;
        }
        out->argv = calloc(5, sizeof *out->argv);
        out->argv[0] = strdup(w->self);
        out->argv[1] = strdup("__op");
        out->argv[2] = strdup(op);
        out->argv[3] = strdup(w->fields_path);
        out->env = calloc(1, sizeof *out->env);
        return 0;
    }
    char *cmd = field_string(flux_op_get(f, "command"));
    if (!cmd) {
        snprintf(err, errlen, "bash task has no command");
        return -1;
    }
    out->argv = calloc(4, sizeof *out->argv);
    out->argv[0] = strdup("/bin/sh");
    out->argv[1] = strdup("-c");
    out->argv[2] = cmd;
    const flux_field *env = flux_op_get(f, "env");
    size_t n = env && env->kind == FLUX_F_MAP ? env->u.map.n : 0;
    out->env = calloc(n + 1, sizeof *out->env);
    for (size_t i = 0; i < n; i++) {
        const flux_field *v = &env->u.map.v[i];
        flux_buf b = {0};
        flux_buf_printf(&b, "%s=", env->u.map.keys[i]);
        if (v->kind == FLUX_F_STRING || v->kind == FLUX_F_IDENT)
            flux_buf_put(&b, v->u.str.s, v->u.str.len);
        else if (v->kind == FLUX_F_INT)
            flux_buf_printf(&b, "%lld", (long long)v->u.i);
        else if (v->kind == FLUX_F_BOOL)
            flux_buf_puts(&b, v->u.b ? "true" : "false");
        out->env[i] = strdup(flux_buf_cstr(&b));
        flux_buf_free(&b);
    }
    out->cwd = field_string(flux_op_get(f, "cwd"));
    return 0;
}

/* One pass over a finished task's log for the lines it addressed to the
 * runner: `::output key=value` (the key a name, the value the rest of the
 * line; a later value wins), `::counts ...` (the last one), `::lineage {json}`. */
typedef struct kv {
    char *k, *v;
} kv;

static void put_output(kv **v, size_t *n, size_t *cap, char *line, ssize_t len)
{
    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
        line[--len] = '\0';
    char *key = line + 9, *eq = strchr(key, '=');
    if (!eq || eq == key)
        return;
    *eq = '\0';
    for (char *c = key; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '_'))
            return;
    size_t i = 0;
    while (i < *n && strcmp((*v)[i].k, key) != 0)
        i++;
    if (i == *n) {
        if (*n == *cap) {
            *cap = *cap ? 2 * *cap : 8;
            *v = realloc(*v, *cap * sizeof **v);
        }
        (*v)[*n].k = strdup(key);
        (*v)[*n].v = NULL;
        (*n)++;
    }
    free((*v)[i].v);
    (*v)[i].v = strdup(eq + 1);
}

int flux_op_read_report(const char *log_path, flux_op_report *out)
{
    memset(out, 0, sizeof *out);
    FILE *fp = fopen(log_path, "rb");
    if (!fp)
        return -1;
    json_t *lineage = json_array();
    kv *v = NULL;
    size_t n = 0, cap = 0;
    char *line = NULL;
    size_t lcap = 0;
    ssize_t len;
    while ((len = getline(&line, &lcap, fp)) >= 0) {
        if (line[0] != ':' || line[1] != ':')
            continue;
        if (strncmp(line, "::output ", 9) == 0) {
            put_output(&v, &n, &cap, line, len);
        } else if (strncmp(line, "::counts ", 9) == 0) {
            long long r, w, j, b;
            if (sscanf(line + 9, "read=%lld written=%lld rejected=%lld bytes=%lld", &r, &w, &j, &b) == 4 &&
                r >= 0 && w >= 0 && j >= 0 && b >= 0) {
                out->has_counts = true;
                out->read = r;
                out->written = w;
                out->rejected = j;
                out->bytes = b;
            }
        } else if (strncmp(line, "::lineage ", 10) == 0) {
            json_t *o = json_loads(line + 10, JSON_DISABLE_EOF_CHECK, NULL);
            json_t *dir = json_object_get(o, "direction"), *kind = json_object_get(o, "kind"),
                   *name = json_object_get(o, "name");
            if (json_is_string(dir) && json_is_string(kind) && json_is_string(name) &&
                (!strcmp(json_string_value(dir), "read") || !strcmp(json_string_value(dir), "write")))
                json_array_append(lineage, o);
            json_decref(o);
        }
    }
    free(line);
    fclose(fp);
    /* a value that is not UTF-8 (a task prints what it likes) is dropped:
     * outputs are JSON text, and in MySQL utf8mb4 */
    json_t *o = json_object();
    for (size_t i = 0; i < n; i++) {
        json_t *val = json_string(v[i].v);
        if (val)
            json_object_set_new(o, v[i].k, val);
        free(v[i].k);
        free(v[i].v);
    }
    free(v);
    out->outputs_json = json_dumps(o, JSON_PRESERVE_ORDER);
    json_decref(o);
    out->lineage_json = json_dumps(lineage, JSON_COMPACT);
    json_decref(lineage);
    return out->lineage_json && out->outputs_json ? 0 : -1;
}

void flux_op_report_free(flux_op_report *r)
{
    free(r->lineage_json);
    free(r->outputs_json);
    r->lineage_json = r->outputs_json = NULL;
}
