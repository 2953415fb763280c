/* opconns — the connections of a task's fields file (its "__conns"
 * member): written by the runner, which resolved them (flux.yaml,
 * FLUX_CONN_*, password_env, password_file), read back by the operator's
 * process. An operator process gets the connections its task names, with
 * their passwords, in its private fields file, and nothing from the
 * runner's environment, which it does not inherit. The file is read again
 * for each process, so an edit of flux.yaml reaches the next task or poke
 * as when each process read it itself. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry.h"
#include "runner.h"
#include "value.h"

static void set_str(json_t *o, const char *key, const char *v)
{
    if (v)
        json_object_set_new(o, key, json_string(v));
}

static json_t *conn_json(const flux_conn *c)
{
    json_t *o = json_object();
    set_str(o, "type", c->type);
    set_str(o, "host", c->host);
    if (c->port)
        json_object_set_new(o, "port", json_integer(c->port));
    set_str(o, "user", c->user);
    set_str(o, "database", c->database);
    set_str(o, "brokers", c->brokers);
    set_str(o, "base", c->base);
    set_str(o, "password", c->password);
    set_str(o, "ssl_mode", c->ssl_mode);
    set_str(o, "ca_file", c->ca_file);
    set_str(o, "unresolved", c->unresolved);
    set_str(o, "origin", c->origin);
    if (c->nextra) {
        json_t *extra = json_array();
        for (size_t i = 0; i < c->nextra; i++)
            json_array_append_new(extra, json_pack("[ss]", c->extra_keys[i], c->extra_vals[i]));
        json_object_set_new(o, "extra", extra);
    }
    return o;
}

void flux_op_conns_json(flux_buf *b, const char *op, const flux_op_fields *f, const flux_conns *conns)
{
    json_t *all = json_object(), *defined = json_object();
    const flux_operator *o = flux_registry_find(op);
    flux_arena *fa = NULL;
    flux_conns fresh;
    for (size_t i = 0; o && i < o->nparams; i++) {
        char name[512];
        if (o->params[i].type != FLUX_PT_CONN || !flux_op_text(f, o->params[i].name, name, sizeof name))
            continue;
        if (!fa && conns && conns->file) {
            /* read again for each process, as the process read it itself
             * before: an edit of flux.yaml reaches the next task or poke */
            char err[512] = "";
            fa = flux_arena_new();
            if (flux_conns_load(fa, &fresh, conns->file, false, err, sizeof err) != 0) {
                json_object_set_new(all, "error", json_string(err));
                break;
            }
            conns = &fresh;
        }
        /* the environment's FLUX_CONN_<NAME> wins, as everywhere */
        const flux_conn *c = flux_conns_find(conns, name);
        if (c && !json_object_get(defined, name))
            json_object_set_new(defined, name, conn_json(c));
    }
    if (conns && conns->file)
        json_object_set_new(all, "file", json_string(conns->file));
    json_object_set_new(all, "defined", defined);
    char *text = json_dumps(all, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(all);
    if (fa)
        flux_arena_free(fa);
    if (!text)
        abort(); /* the allocation policy: abort on OOM */
    flux_buf_puts(b, "\"__conns\": ");
    flux_buf_puts(b, text);
    free(text);
}

static const char *get_str(flux_arena *a, json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return json_is_string(v) ? flux_arena_strdup(a, json_string_value(v)) : NULL;
}

int flux_op_conns_read(flux_arena *a, json_t *fields, flux_conns *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    json_t *all = json_object_get(fields, "__conns");
    json_t *defined = json_object_get(all, "defined");
    const char *why = json_string_value(json_object_get(all, "error"));
    if (why) {
        snprintf(err, errlen, "%s", why);
        return -1;
    }
    out->file = get_str(a, all, "file");
    size_t n = json_is_object(defined) ? json_object_size(defined) : 0;
    out->v = flux_arena_alloc(a, (n ? n : 1) * sizeof *out->v);
    const char *name;
    json_t *o;
    json_object_foreach(defined, name, o)
    {
        if (!json_is_object(o))
            continue;
        flux_conn *c = &out->v[out->n++];
        memset(c, 0, sizeof *c);
        c->name = flux_arena_strdup(a, name);
        c->type = get_str(a, o, "type");
        c->host = get_str(a, o, "host");
        c->port = (int)json_integer_value(json_object_get(o, "port"));
        c->user = get_str(a, o, "user");
        c->database = get_str(a, o, "database");
        c->brokers = get_str(a, o, "brokers");
        c->base = get_str(a, o, "base");
        c->password = get_str(a, o, "password");
        c->ssl_mode = get_str(a, o, "ssl_mode");
        c->ca_file = get_str(a, o, "ca_file");
        c->unresolved = get_str(a, o, "unresolved");
        c->origin = get_str(a, o, "origin");
        json_t *extra = json_object_get(o, "extra");
        size_t ne = json_is_array(extra) ? json_array_size(extra) : 0;
        c->extra_keys = flux_arena_alloc(a, (ne ? ne : 1) * sizeof *c->extra_keys);
        c->extra_vals = flux_arena_alloc(a, (ne ? ne : 1) * sizeof *c->extra_vals);
        for (size_t i = 0; i < ne; i++) {
            json_t *kv = json_array_get(extra, i);
            const char *k = json_string_value(json_array_get(kv, 0)), *v = json_string_value(json_array_get(kv, 1));
            if (!k || !v)
                continue;
            c->extra_keys[c->nextra] = flux_arena_strdup(a, k);
            c->extra_vals[c->nextra++] = flux_arena_strdup(a, v);
        }
    }
    return 0;
}
