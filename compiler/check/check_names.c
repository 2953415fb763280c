/* check_names — the names a task takes from flux.yaml: every connection a
 * parameter or a template names is defined (in flux.yaml or as FLUX_CONN_*)
 * with a type the operator opens, every pool is declared, each with a
 * did-you-mean; what no flux.yaml could confirm is gathered for one note. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "checker.h"
#include "conn.h"
#include "expand.h"
#include "hash.h"
#include "notice.h"
#include "suggest.h"

extern char **environ;

/* ---- each name looked up once ---- */

static uint64_t hash(const char *s, bool pool)
{
    return flux_hash(pool ? 0x9e3779b97f4a7c15u : FLUX_HASH_SEED, s, strlen(s));
}

/* the slot of (name, pool): *fresh when it was not met before */
static struct name_slot *slot_of(checker *k, const char *name, bool pool, bool *fresh)
{
    if (2 * (k->nnames + 1) > k->names_cap) {
        size_t cap = k->names_cap ? 2 * k->names_cap : 64;
        struct name_slot *v = flux_xcalloc(cap, sizeof *v);
        for (size_t i = 0; i < k->names_cap; i++) {
            if (!k->names[i].name)
                continue;
            size_t j = hash(k->names[i].name, k->names[i].pool) & (cap - 1);
            while (v[j].name)
                j = (j + 1) & (cap - 1);
            v[j] = k->names[i];
        }
        free(k->names);
        k->names = v;
        k->names_cap = cap;
    }
    size_t j = hash(name, pool) & (k->names_cap - 1);
    while (k->names[j].name && (k->names[j].pool != pool || strcmp(k->names[j].name, name)))
        j = (j + 1) & (k->names_cap - 1);
    *fresh = !k->names[j].name;
    if (*fresh) {
        k->names[j].name = name;
        k->names[j].pool = pool;
        k->nnames++;
    }
    return &k->names[j];
}

static void gather(checker *k, flux_names *ns, const char *name)
{
    ns->v = flux_arena_grow(k->a, ns->v, ns->n, &ns->cap, sizeof *ns->v, 8);
    ns->v[ns->n++] = name;
}

/* ---- connections ---- */

/* the connection of that name, or NULL; the environment's wins, as at run time */
static const flux_conn *conn_of(checker *k, const char *name, bool *fresh)
{
    struct name_slot *s = slot_of(k, name, false, fresh);
    if (*fresh)
        s->conn = flux_conns_find(k->c->conns, name);
    return s->conn;
}

/* the closest name among flux.yaml's connections and FLUX_CONN_* ones */
static const char *suggest_conn(checker *k, const char *name)
{
    const flux_conns *cs = k->c->conns;
    flux_suggester s;
    flux_suggest_init(&s, name);
    for (size_t i = 0; i < cs->n; i++)
        flux_suggest_feed(&s, cs->v[i].name);
    for (char **e = environ; e && *e; e++) {
        const char *eq = strchr(*e, '=');
        if (strncmp(*e, "FLUX_CONN_", 10) != 0 || !eq || eq == *e + 10)
            continue;
        char *n = flux_arena_strndup(k->a, *e + 10, (size_t)(eq - *e - 10));
        for (char *p = n; *p; p++)
            *p = (char)tolower((unsigned char)*p);
        flux_suggest_feed(&s, n);
    }
    return flux_suggest_best(&s);
}

static void unknown_conn(checker *k, const char *name, flux_span span, const flux_ctx *ctx)
{
    char env[256];
    flux_conn_env_name(name, env, sizeof env);
    /* a FLUX_CONN_ variable that cannot be read was reported with flux.yaml */
    if (getenv(env))
        return;
    const char *best = suggest_conn(k, name);
    const char *file = k->c->conns->file;
    char *h = best ? flux_check_did_you_mean(k, best)
                   : flux_arena_printf(k->a, "define it under connections: in %s, or set %s", file, env);
    ERR(k, span, ctx, "unknown-connection", h, "connection '%s' is not defined in %s", name, file);
}

static bool accepts(const flux_param_schema *ps, const char *type)
{
    for (size_t i = 0; ps->conn_types && ps->conn_types[i]; i++)
        if (!strcmp(ps->conn_types[i], type))
            return true;
    return !ps->conn_types;
}

/* "an http connection", "a mysql connection" */
static const char *an(const char *type)
{
    return strcmp(type, "http") ? "a" : "an";
}

/* "mysql or sqlite" */
static const char *types_text(checker *k, const flux_param_schema *ps)
{
    flux_buf b = {0};
    for (size_t i = 0; ps->conn_types[i]; i++)
        flux_buf_printf(&b, "%s%s", i ? " or " : "", ps->conn_types[i]);
    const char *s = flux_arena_strdup(k->a, flux_buf_cstr(&b));
    flux_buf_free(&b);
    return s;
}

static void wrong_type(checker *k, const flux_operator *op, const flux_param_schema *ps, const flux_conn *c,
                       flux_span span, const flux_ctx *ctx)
{
    /* the connections that would do, by name */
    flux_buf b = {0};
    const flux_conns *cs = k->c->conns;
    size_t n = 0;
    for (size_t i = 0; i < cs->n; i++) {
        bool fresh;
        const flux_conn *o = conn_of(k, cs->v[i].name, &fresh); /* FLUX_CONN_* may change its type */
        if (o && o->type && accepts(ps, o->type))
            flux_buf_printf(&b, "%s'%s'", n++ ? ", " : "", o->name);
    }
    const char *help = flux_arena_printf(k->a, "%s %s %s connection%s%s", n ? "use" : "define",
                                         an(ps->conn_types[0]), types_text(k, ps), n ? ": " : "",
                                         n ? flux_buf_cstr(&b) : "");
    flux_buf_free(&b);
    flux_diag *g = ERR(k, span, ctx, "connection-type", help,
                       "'%s' of operator '%s' needs %s %s connection; '%s' is %s %s connection", ps->name, op->name,
                       an(ps->conn_types[0]), types_text(k, ps), c->name, an(c->type), c->type);
    char env[256];
    flux_conn_env_name(c->name, env, sizeof env);
    if (c->span.file && !getenv(env))
        flux_diag_note(g, c->span, "'%s' is defined here", c->name);
    else
        flux_diag_note(g, flux_nowhere(), "'%s' is %s", c->name, env);
}

static void check_conn(checker *k, const char *name, flux_span span, const flux_ctx *ctx, const flux_operator *op,
                       const flux_param_schema *ps)
{
    bool fresh;
    const flux_conn *c = conn_of(k, name, &fresh);
    if (!c) {
        if (k->c->conns->conns_incomplete)
            return; /* flux.yaml's errors say why, and may hide it */
        if (!k->c->conns->file) {
            if (fresh)
                gather(k, &k->c->unchecked_conns, name);
        } else {
            unknown_conn(k, name, span, ctx);
        }
        return;
    }
    if (op && ps && c->type && !accepts(ps, c->type))
        wrong_type(k, op, ps, c, span, ctx);
}

void flux_check_conn_ref(checker *k, const char *name, flux_span span, const flux_ctx *ctx)
{
    if (k->c->conns)
        check_conn(k, name, span, ctx, NULL, NULL);
}

/* ---- pools ---- */

static void check_pool(checker *k, const char *name, flux_span span, const flux_ctx *ctx)
{
    const flux_conns *cs = k->c->conns;
    bool fresh;
    slot_of(k, name, true, &fresh);
    if (cs->pools_incomplete)
        return;
    if (!cs->file) {
        if (fresh)
            gather(k, &k->c->unchecked_pools, name);
        return;
    }
    flux_suggester s;
    flux_suggest_init(&s, name);
    for (size_t i = 0; i < cs->npools; i++) {
        if (!strcmp(cs->pool_names[i], name))
            return;
        flux_suggest_feed(&s, cs->pool_names[i]);
    }
    const char *best = flux_suggest_best(&s);
    char *h = best ? flux_check_did_you_mean(k, best)
                   : flux_arena_printf(k->a, "declare it under pools: in %s with its number of slots, e.g. %s: 4",
                                       cs->file, name);
    ERR(k, span, ctx, "unknown-pool", h, "pool '%s' is not declared in %s", name, cs->file);
}

/* ---- notifiers ---- */

static void check_notifier(checker *k, const char *name, flux_span span, const flux_ctx *ctx)
{
    const flux_conns *cs = k->c->conns;
    if (cs->notifiers_incomplete)
        return;
    flux_suggester s;
    flux_suggest_init(&s, name);
    for (size_t i = 0; i < cs->nnotifiers; i++) {
        if (!strcmp(cs->notifiers[i].name, name))
            return;
        flux_suggest_feed(&s, cs->notifiers[i].name);
    }
    const char *best = flux_suggest_best(&s);
    const char *file = cs->file ? cs->file : "flux.yaml";
    char *h = best ? flux_check_did_you_mean(k, best)
                   : flux_arena_printf(k->a, "declare it under notifiers: in %s, e.g. %s: { type: webhook, "
                                       "url_env: HOOK_URL }", file, name);
    ERR(k, span, ctx, "unknown-notifier", h, "notifier '%s' is not declared in %s", name, file);
}

/* each notifier's text template renders against a notification's
 * document: a name it does not hold is reported in flux.yaml */
void flux_check_notifier_templates(checker *k)
{
    const flux_conns *cs = k->c->conns;
    for (size_t i = 0; cs && i < cs->nnotifiers; i++)
        if (cs->notifiers[i].template_parsed)
            flux_notice_check(k->a, k->d, cs->notifiers[i].template_parsed);
}

/* on_failure = ["ops"]: each name a notifier of flux.yaml. Without a
 * flux.yaml no notifier exists, so every name is an error: a run would
 * have nowhere to send it. An inherited list is checked where the
 * pipeline gives it, once. */
static void check_notifiers(checker *k, const flux_attr *at)
{
    if (at->inherited || at->val.kind != FLUX_F_LIST)
        return;
    for (size_t i = 0; i < at->val.u.list.n; i++) {
        const flux_field *f = &at->val.u.list.v[i];
        if (f->kind == FLUX_F_STRING)
            check_notifier(k, f->u.str.s, f->span, at->ctx);
    }
}

void flux_check_names_attr(checker *k, const flux_operator *op, const flux_param_schema *ps, const flux_attr *at)
{
    if (k->c->conns && !at->invalid && !strncmp(ps->name, "on_", 3) && ps->type == FLUX_PT_LIST)
        check_notifiers(k, at);
    if (!k->c->conns || at->invalid || at->val.kind != FLUX_F_STRING)
        return;
    if (ps->type == FLUX_PT_CONN)
        check_conn(k, at->val.u.str.s, at->val.span, at->ctx, op, ps);
    else if (!strcmp(ps->name, "pool"))
        check_pool(k, at->val.u.str.s, at->val.span, at->ctx);
}
