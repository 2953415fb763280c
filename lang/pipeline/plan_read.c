/* plan_read — reads plans back into a flux_pipeline (format in PLAN.md).
 *
 * Reading goes through the bounded YAML tree of base/yamltree.h (one node per
 * scalar, sequence or mapping, with its position), then a strict check of that
 * tree that builds a flux_pipeline. The reader takes untrusted bytes (a plan
 * file can be edited, truncated or fuzzed), so every limit is explicit: input
 * size, nesting depth, expression depth; anchors and aliases are refused so a
 * small file cannot expand into a large tree. */
#include "plan.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "duration.h"
#include "parse.h"
#include "planfmt.h"
#include "text.h"
#include "utf8.h"
#include "planvalues.h"

/* ---- tasks, edges, upstream lists ---- */

typedef struct graph_reader {
    flux_pipeline *p;
    name_ref *ids;            /* task ids sorted, for lookups */
    const node **upstream;    /* each task's upstream node, checked after the edges */
    const node **edge_nodes;
} graph_reader;

static bool read_tasks(reader *r, const node *s, graph_reader *g)
{
    if (s->kind != FLUX_YNODE_SEQ || s->tag)
        return FAIL_AT(r, s, "'tasks' must be a list, found %s", flux_planread_node_desc(s));
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
        if (!flux_planread_check_struct(r, s->kids[i], "a task", keys, 5, 31, v))
            goto done;
        flux_task *t = flux_arena_alloc(r->arena, sizeof *t);
        t->index = i;
        if (!(t->id = flux_planread_string(r, v[0], "a task id", true, NULL)) ||
            !(t->op = flux_planread_string(r, v[1], "'operator'", true, NULL)) ||
            !(t->kind = flux_planread_string(r, v[2], "'kind'", false, NULL)))
            goto done;
        /* a hand-edited plan is held to the compiler's rule: ids become paths and shell lines */
        if (!flux_text_is_name(t->id)) {
            FAIL_AT(r, v[0], "task id '%s' is not a name (letters, digits, '_', '-' and '.'; not '.' or '..')",
                    flux_planread_shown(r, t->id, strlen(t->id)));
            goto done;
        }
        char *what = flux_arena_printf(r->tmp, "the params of task '%s'", flux_planread_shown(r, t->id, strlen(t->id)));
        if (!flux_planvalues_attrs(r, v[3], what, t->id, &t->attrs))
            goto done;
        p->tasks[i] = t;
        g->ids[i] = (name_ref){t->id, (uint32_t)i};
        g->upstream[i] = v[4];
        id_nodes[i] = v[0];
    }
    qsort(g->ids, n, sizeof *g->ids, flux_planvalues_cmp_name);
    ok = flux_planvalues_names_distinct(r, g->ids, n, id_nodes, "task id");
done:
    free(id_nodes);
    return ok;
}

/* index of the task a scalar names, or -1 after reporting */
static int64_t task_ref(reader *r, const graph_reader *g, const node *nd, const char *what)
{
    const char *s = flux_planread_string(r, nd, what, true, NULL);
    if (!s)
        return -1;
    int64_t i = flux_planvalues_name_find(g->ids, g->p->ntasks, s);
    if (i < 0)
        FAIL_AT(r, nd, "unknown task '%s' in %s", flux_planread_shown(r, s, strlen(s)), what);
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
    if (s->kind != FLUX_YNODE_SEQ || s->tag)
        return FAIL_AT(r, s, "'edges' must be a list, found %s", flux_planread_node_desc(s));
    flux_pipeline *p = g->p;
    size_t n = s->n;
    p->edges = flux_arena_alloc(r->arena, (n ? n : 1) * sizeof *p->edges);
    p->nedges = p->edges_cap = n;
    for (size_t e = 0; e < n; e++) {
        const node *pair = s->kids[e];
        if (pair->kind != FLUX_YNODE_SEQ || pair->tag || pair->n != 2)
            return FAIL_AT(r, pair, "an edge must be a list of two task ids [from, to], found %s",
                           pair->kind == FLUX_YNODE_SEQ ? "a list of another length" : flux_planread_node_desc(pair));
        int64_t a = task_ref(r, g, pair->kids[0], "an edge");
        if (a < 0)
            return false;
        int64_t b = task_ref(r, g, pair->kids[1], "an edge");
        if (b < 0)
            return false;
        const char *ta = p->tasks[a]->id, *tb = p->tasks[b]->id;
        if (a == b)
            return FAIL_AT(r, pair, "edge from task '%s' to itself", flux_planread_shown(r, ta, strlen(ta)));
        if (a > b)
            return FAIL_AT(r, pair,
                           "edge ['%s', '%s'] goes against the plan order: tasks are listed upstream first, "
                           "so '%s' must come before '%s'",
                           flux_planread_shown(r, ta, strlen(ta)), flux_planread_shown(r, tb, strlen(tb)), flux_planread_shown(r, ta, strlen(ta)),
                           flux_planread_shown(r, tb, strlen(tb)));
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
                       flux_planread_shown(r, p->edges[dup].from, strlen(p->edges[dup].from)),
                       flux_planread_shown(r, p->edges[dup].to, strlen(p->edges[dup].to)));
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
        const char *id = flux_planread_shown(r, p->tasks[i]->id, strlen(p->tasks[i]->id));
        if (u->kind != FLUX_YNODE_SEQ || u->tag) {
            FAIL_AT(r, u, "the upstream of task '%s' must be a list, found %s", id, flux_planread_node_desc(u));
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
                        flux_planread_shown(r, p->tasks[list[j]]->id, strlen(p->tasks[list[j]]->id)));
                goto done;
            }
            if (more_list && (!more_edges || list[j] < in[k].a)) {
                FAIL_AT(r, u, "the upstream of task '%s' lists '%s', but there is no edge ['%s', '%s']", id,
                        flux_planread_shown(r, p->tasks[list[j]]->id, strlen(p->tasks[list[j]]->id)),
                        flux_planread_shown(r, p->tasks[list[j]]->id, strlen(p->tasks[list[j]]->id)), id);
                goto done;
            }
            if (!more_list || in[k].a < list[j]) {
                FAIL_AT(r, u, "the upstream of task '%s' leaves out '%s', though there is an edge ['%s', '%s']",
                        id, flux_planread_shown(r, p->edges[in[k].pos].from, strlen(p->edges[in[k].pos].from)),
                        flux_planread_shown(r, p->edges[in[k].pos].from, strlen(p->edges[in[k].pos].from)), id);
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

/* operators: [{name, manifest: {path, sha256}}] */
static bool read_operators(reader *r, const node *ops, flux_plan *plan)
{
    if (ops->kind != FLUX_YNODE_SEQ || ops->tag)
        return FAIL_AT(r, ops, "'operators' must be a list, found %s", flux_planread_node_desc(ops));
    plan->noperators = ops->n;
    plan->operators = flux_arena_alloc(r->arena, (ops->n ? ops->n : 1) * sizeof *plan->operators);
    for (size_t i = 0; i < ops->n; i++) {
        static const char *const keys[] = {"name", "manifest"};
        const node *v[2];
        if (!flux_planread_check_struct(r, ops->kids[i], "an operator", keys, 2, 3, v))
            return false;
        if (!(plan->operators[i].name = flux_planread_string(r, v[0], "'name'", true, NULL)) ||
            !flux_planread_source(r, v[1], "'manifest'", &plan->operators[i].manifest))
            return false;
    }
    return true;
}

static flux_plan *build_plan(reader *r, const node *root)
{
    if (root->kind != FLUX_YNODE_MAP || root->tag) {
        FAIL_AT(r, root, "a plan is a mapping that starts with 'flux_plan: %d', found %s", FLUX_PLAN_VERSION,
                flux_planread_node_desc(root));
        return NULL;
    }
    /* the version first: a newer plan may differ in anything else, and
     * "too new" is the message that tells the user what to do */
    const node *ver = NULL;
    for (size_t i = 0; i + 1 < root->n && !ver; i += 2)
        if (flux_planread_key_is(root->kids[i], "flux_plan"))
            ver = root->kids[i + 1];
    if (!ver) {
        FAIL_AT(r, root, "not a Flux plan: 'flux_plan' (the format version) is missing");
        return NULL;
    }
    if (ver->kind != FLUX_YNODE_SCALAR || ver->tag || ver->style != YAML_PLAIN_SCALAR_STYLE || flux_planread_plain_kind(ver) != P_INT) {
        FAIL_AT(r, ver, "'flux_plan' must be an integer version, found %s",
                ver->kind == FLUX_YNODE_SCALAR && !ver->tag && ver->style == YAML_PLAIN_SCALAR_STYLE
                    ? flux_planread_plain_kind_desc(flux_planread_plain_kind(ver))
                    : flux_planread_node_desc(ver));
        return NULL;
    }
    errno = 0;
    long long version = strtoll(ver->s, NULL, 10);
    bool huge = errno == ERANGE;
    if ((huge && ver->s[0] != '-') || version > FLUX_PLAN_VERSION) {
        FAIL_AT(r, ver, "plan version %s is newer than this flux understands (%d)", flux_planread_shown(r, ver->s, ver->len),
                FLUX_PLAN_VERSION);
        return NULL;
    }
    if (huge || version < 1) {
        FAIL_AT(r, ver, "plan version %s is not a valid version (versions start at 1)", flux_planread_shown(r, ver->s, ver->len));
        return NULL;
    }

    static const char *const keys[] = {"flux_plan", "pipeline", "source", "includes",
                                       "attributes", "params", "tasks", "edges", "operators"};
    enum { K_VERSION, K_PIPELINE, K_SOURCE, K_INCLUDES, K_ATTRS, K_PARAMS, K_TASKS, K_EDGES, K_OPERATORS };
    const node *v[9];
    if (!flux_planread_check_struct(r, root, "the plan", keys, 9, 0xff, v))
        return NULL;

    flux_plan *plan = flux_arena_alloc(r->arena, sizeof *plan);
    flux_pipeline *p = flux_arena_alloc(r->arena, sizeof *p);
    plan->pipeline = p;
    if (!(p->name = flux_planread_string(r, v[K_PIPELINE], "'pipeline'", true, NULL)))
        return NULL;
    if (!flux_text_is_name(p->name)) {
        FAIL_AT(r, v[K_PIPELINE], "pipeline name '%s' is not a name (letters, digits, '_', '-' and '.'; not '.' or '..')",
                flux_planread_shown(r, p->name, strlen(p->name)));
        return NULL;
    }
    if (!flux_planread_source(r, v[K_SOURCE], "'source'", &plan->source))
        return NULL;
    const node *inc = v[K_INCLUDES];
    if (inc->kind != FLUX_YNODE_SEQ || inc->tag) {
        FAIL_AT(r, inc, "'includes' must be a list, found %s", flux_planread_node_desc(inc));
        return NULL;
    }
    plan->nincludes = inc->n;
    plan->includes = flux_arena_alloc(r->arena, (inc->n ? inc->n : 1) * sizeof *plan->includes);
    for (size_t i = 0; i < inc->n; i++)
        if (!flux_planread_source(r, inc->kids[i], "an include", &plan->includes[i]))
            return NULL;
    if (v[K_OPERATORS] && !read_operators(r, v[K_OPERATORS], plan))
        return NULL;
    if (!flux_planvalues_attrs(r, v[K_ATTRS], "'attributes'", "attributes", &p->attrs))
        return NULL;
    if (!flux_planvalues_params(r, v[K_PARAMS], &p->params))
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
        flux_planread_fail(&r, 0, 0, "a plan is at most 64 MiB; this one has %zu bytes", r.len);
        return NULL;
    }
    if (!yaml_parser_initialize(&r.yp)) {
        flux_planread_fail(&r, 0, 0, "out of memory while reading the plan");
        return NULL;
    }
    /* UTF-8 only: libyaml would otherwise honour a UTF-16 byte order mark */
    yaml_parser_set_encoding(&r.yp, YAML_UTF8_ENCODING);
    yaml_parser_set_input_string(&r.yp, (const unsigned char *)r.text, r.len);
    r.tmp = flux_arena_new();
    node *root = flux_planread_tree(&r);
    flux_plan *plan = root ? build_plan(&r, root) : NULL;
    yaml_parser_delete(&r.yp);
    flux_arena_free(r.tmp);
    return plan;
}
