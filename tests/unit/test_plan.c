/* test_plan — unit tests for the plan writer and reader (lang/pipeline/plan_*.c): plans of compiled pipelines are
 * byte-for-byte stable (write twice, compile twice, write -> read -> write),
 * a plan's id (the SHA-256 of its bytes) is the same for the same plan and
 * differs when the plan does, the reader gives back the pipeline that was written, and it rejects
 * malformed plans with "name:line:col: message". Prints one line per failing
 * check and ends with "N passed, N failed". */
#include "compile.h"
#include "parse.h"
#include "plan.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "unit.h"

#define CHECK(cond) check_at(__LINE__, (cond), "%s", #cond)

/* ---- the pipelines ---- */

/* the design example (tests/golden/ok/design_example.flux), verbatim */
static const char DESIGN[] =
    "# hourly load of banking-game events\n"
    "{% set tables = [\"asset_prices\", \"account_status\"] %}\n"
    "\n"
    "pipeline events_hourly {\n"
    "    description = \"events topic -> one MySQL table per event type\"\n"
    "    schedule    = \"0 * * * *\"            # cron, or @hourly @daily @weekly @monthly @yearly @once, or \"every 15m\"\n"
    "    start       = \"2026-11-01T00:00:00Z\"\n"
    "    timezone    = \"Europe/Paris\"         # schedule is evaluated in this zone, DST-correct\n"
    "    catchup     = true\n"
    "    max_active_runs = 2\n"
    "    retries     = 2                      # pipeline-level values are defaults for every task\n"
    "    retry_delay = 30s\n"
    "    tags        = [\"kafka\", \"mysql\"]\n"
    "\n"
    "    params {                             # run-time values with compile-time defaults; typed by their default\n"
    "        topic = \"events\"\n"
    "        min_rows = 1\n"
    "    }\n"
    "\n"
    "    task wait_events : kafka_sensor {\n"
    "        conn          = \"kafka\"\n"
    "        topic         = \"{{ params.topic }}\"\n"
    "        until         = \"{{ interval_end }}\"\n"
    "        poke_interval = 10s\n"
    "        timeout       = 1h\n"
    "    }\n"
    "\n"
    "    {% for t in tables %}\n"
    "    task load_{{ t }} : kafka_to_mysql {\n"
    "        source  = \"kafka\"\n"
    "        topic   = \"{{ params.topic }}\"\n"
    "        match   = { event_type = \"{{ t }}\" }\n"
    "        target  = \"warehouse\"\n"
    "        table   = \"{{ t }}\"\n"
    "        columns = { ts = \"$.timestamp\", host = \"$.Host\", description = \"$.description\" }\n"
    "    }\n"
    "    wait_events >> load_{{ t }}\n"
    "    {% endfor %}\n"
    "\n"
    "    task summary : mysql {\n"
    "        conn = \"warehouse\"\n"
    "        sql  = \"\"\"\n"
    "            INSERT INTO loads (ds, n)\n"
    "            SELECT {{ ds | sql }}, COUNT(*) FROM asset_prices\n"
    "            WHERE ts >= {{ interval_start | sql }} AND ts < {{ interval_end | sql }}\n"
    "        \"\"\"\n"
    "        trigger_rule = all_done\n"
    "    }\n"
    "\n"
    "    [load_asset_prices, load_account_status] >> summary\n"
    "}\n";

/* every kind of value, and template text that must survive as text */
static const char VALUES[] =
    "{% set n = 3 %}\n"
    "{% set rule = \"all_done\" %}\n"
    "pipeline values {\n"
    "    schedule = \"every 15m\"\n"
    "    start = \"2026-01-01T00:00:00Z\"\n"
    "    description = \"h\\u{e9}llo \\u{2192} w\\u{f6}rld \\u{1F600} tab\\tquote\\\" backslash\\\\ end\"\n"
    "    retries = {{ n }}\n"
    "    params {\n"
    "        name = \"world\"\n"
    "        limit = 10\n"
    "        ratio = 0.5\n"
    "        huge = 1.5e300\n"
    "        whole = 3.0\n"
    "        tiny = 0.00001\n"
    "        enabled = false\n"
    "        wait = 1h30m\n"
    "        tables = [\"a\", \"b\"]\n"
    "        limits = { low = 1, high = 2 }\n"
    "    }\n"
    "    task literal : bash { command = \"echo \\{{ not a template }} {{ params.name | shquote }}\" }\n"
    "    task brace_before : bash { command = \"echo a\\{{{ params.limit | string | shquote }}\" }\n"
    "    task brace_runs : bash { command = \"\\{\\{\\{{{ params.limit | string | shquote }}\\{ and } and }}\" }\n"
    "    task nested : bash { command = \"x{{ {'a': {'b': params.name} } | json | shquote }}}\" }\n"
    "    task filters : bash {\n"
    "        command = \"echo {{ ds_add(ds, -1) }} {{ ts | date('%H') }} {{ params.tables | join(',') | shquote }} "
    "{{ (params.limit * 2 + 1) | string | shquote }} {{ 'yes' if params.enabled else 'no' }}\"\n"
    "        retry_delay = 2d3h4m5s6ms\n"
    "        priority = {{ 90 * 60 }}\n"
    "        trigger_rule = {{ rule }}\n"
    "        env = { B = \"2\", A = \"{{ ds }}\", \"key with space\" = \"x\" }\n"
    "    }\n"
    "    task long_line : bash {\n"
    "        command = \"echo this line is much longer than eighty columns so that a writer that folds long lines "
    "would fold it somewhere {{ ds }} and more text after it to be sure\"\n"
    "    }\n"
    "    literal >> brace_before >> brace_runs\n"
    "    literal >> nested\n"
    "    [nested, brace_runs] >> filters\n"
    "    literal >> long_line\n"
    "    literal >> nested\n"
    "}\n";

/* statements kept for run time, text that looks like tags, a '{' right
 * before a statement, nested bodies */
static const char STATEMENTS[] =
    "{% set ts_list = [\"a\", \"b\"] %}\n"
    "pipeline statements {\n"
    "    schedule = \"@daily\"\n"
    "    start = \"2026-01-01T00:00:00Z\"\n"
    "    params {\n"
    "        flag = true\n"
    "        names = [\"x\", \"y\"]\n"
    "        d = { k = 1 }\n"
    "    }\n"
    "    task kept : bash {\n"
    "        command = \"\\{% raw %\\} \\{{ x \\}} {{ '{%' }}{% if params.flag %}\\{{% for n in params.names %}"
    "{{ n | shquote }}{% if not loop.last %},{% endif %}{% endfor %}{% elif ts_list %}b{% else %}c{% endif %}"
    "{% set m = params.names | length %}{{ m }}{% for k, v in params.d %}{{ k }}={{ v }}{% endfor %}\"\n"
    "    }\n"
    "    task folded_loop : bash {\n"
    "        command = \"{% for t in ts_list %}{% set w = params.names[0] ~ t %}{{ w | shquote }}{% endfor %}\"\n"
    "    }\n"
    "    task restored : bash { command = \"{% set y = 1 %}{% if params.flag %}{% set y = 2 %}{% endif %}{{ y }}\" }\n"
    "}\n";

/* two pipelines in one file, names YAML would misread when plain */
/* Floats inside run-time expressions are printed into the plan and parsed
 * again when it is read: each must come back as the same float, also where
 * its shortest text has an exponent (1e+16 is no Flux literal). */
static const char FLOATS[] =
    "pipeline floats {\n"
    "    schedule = \"@daily\"\n"
    "    start = \"2026-01-01T00:00:00Z\"\n"
    "    params { n = 2 }\n"
    "    task t : bash { command = \"echo {{ params.n * 10000000000000000.0 }} {{ params.n * 0.00001 }} "
    "{{ params.n + 1.5335814580219808e16 }} {{ params.n - 0.027906976744186046 }}\" }\n"
    "}\n";

static const char TWO[] =
    "pipeline yes {\n"
    "    schedule = \"@daily\"\n"
    "    start = \"2026-01-01T00:00:00Z\"\n"
    "    task null : bash { command = \"true\" }\n"
    "    task on : bash { command = \"true\" }\n"
    "    task t3 : bash { command = \"\" }\n"
    "    on >> null\n"
    "}\n"
    "pipeline second {\n"
    "    schedule = \"@once\"\n"
    "    start = \"2026-01-01T00:00:00Z\"\n"
    "    task only : bash { command = \"true\" }\n"
    "}\n";

/* an include, resolved next to the name given */
static const char INCLUDES[] =
    "{% include \"_helper.flux\" %}\n"
    "pipeline inc {\n"
    "    schedule = \"@daily\"\n"
    "    start = \"2026-01-01T00:00:00Z\"\n"
    "    {% for t in shared_tables %}\n"
    "    {{ probe(t) }}\n"
    "    {% endfor %}\n"
    "    probe_b >> probe_a\n"
    "}\n";

/* ---- comparing a pipeline with the one read back ---- */

static bool parts_equal(const flux_tpart *a, size_t na, const flux_tpart *b, size_t nb)
{
    if (na != nb)
        return false;
    for (size_t i = 0; i < na; i++)
        if (!a[i].text != !b[i].text || !a[i].expr != !b[i].expr || !a[i].stmt != !b[i].stmt)
            return false;
    /* the same source, statements' bodies included */
    flux_buf x = {0}, y = {0};
    flux_tparts_print(a, na, NULL, &x);
    flux_tparts_print(b, nb, NULL, &y);
    bool same = x.len == y.len && (x.len == 0 || memcmp(x.data, y.data, x.len) == 0);
    flux_buf_free(&x);
    flux_buf_free(&y);
    return same;
}

static bool field_equal(const flux_field *a, const flux_field *b)
{
    if (a->kind != b->kind)
        return false;
    switch (a->kind) {
    case FLUX_F_STRING: case FLUX_F_IDENT:
        return a->u.str.len == b->u.str.len && memcmp(a->u.str.s, b->u.str.s, a->u.str.len) == 0;
    case FLUX_F_TEMPLATE: return parts_equal(a->u.tmpl.parts, a->u.tmpl.n, b->u.tmpl.parts, b->u.tmpl.n);
    case FLUX_F_INT: return a->u.i == b->u.i;
    case FLUX_F_FLOAT: return memcmp(&a->u.f, &b->u.f, sizeof a->u.f) == 0;
    case FLUX_F_BOOL: return a->u.b == b->u.b;
    case FLUX_F_DURATION: return a->u.ms == b->u.ms;
    case FLUX_F_LIST:
        if (a->u.list.n != b->u.list.n)
            return false;
        for (size_t i = 0; i < a->u.list.n; i++)
            if (!field_equal(&a->u.list.v[i], &b->u.list.v[i]))
                return false;
        return true;
    case FLUX_F_MAP:
        if (a->u.map.n != b->u.map.n)
            return false;
        for (size_t i = 0; i < a->u.map.n; i++)
            if (strcmp(a->u.map.keys[i], b->u.map.keys[i]) != 0 || !field_equal(&a->u.map.v[i], &b->u.map.v[i]))
                return false;
        return true;
    }
    return false;
}

/* attrs as sets: the plan sorts them by name */
static bool attrs_equal(const flux_attrs *a, const flux_attrs *b)
{
    size_t n = 0;
    for (size_t i = 0; i < a->n; i++) {
        if (a->v[i].invalid)
            continue;
        n++;
        size_t j = 0;
        while (j < b->n && strcmp(a->v[i].key, b->v[j].key) != 0)
            j++;
        if (j == b->n || !field_equal(&a->v[i].val, &b->v[j].val))
            return false;
    }
    return n == b->n;
}

static void pipelines_equal_at(int line, const flux_pipeline *a, const flux_pipeline *b)
{
    check_at(line, strcmp(a->name, b->name) == 0, "name %s != %s", a->name, b->name);
    check_at(line, attrs_equal(&a->attrs, &b->attrs), "attributes of %s differ", a->name);
    bool params_same = a->params.n == b->params.n;
    for (size_t i = 0; params_same && i < a->params.n; i++)
        params_same = strcmp(a->params.v[i].key, b->params.v[i].key) == 0 &&
                      field_equal(&a->params.v[i].val, &b->params.v[i].val);
    check_at(line, params_same, "params of %s differ (in order)", a->name);
    if (!check_at(line, a->ntasks == b->ntasks, "%zu tasks read, %zu written", b->ntasks, a->ntasks))
        return;
    for (size_t i = 0; i < a->ntasks; i++) {
        const flux_task *x = a->tasks[i], *y = b->tasks[i];
        check_at(line, y->index == i && b->order[i] == i, "task %zu: index %zu order %u", i, y->index, b->order[i]);
        check_at(line, strcmp(x->id, y->id) == 0 && strcmp(x->op, y->op) == 0 && strcmp(x->kind, y->kind) == 0,
                 "task %zu: %s:%s:%s read as %s:%s:%s", i, x->id, x->op, x->kind, y->id, y->op, y->kind);
        check_at(line, attrs_equal(&x->attrs, &y->attrs), "params of task %s differ", x->id);
    }
    /* edges as sets of (a, b), with names matching indices */
    bool edges_same = a->nedges == b->nedges;
    for (size_t e = 0; edges_same && e < b->nedges; e++) {
        const flux_edge *f = &b->edges[e];
        edges_same = strcmp(f->from, b->tasks[f->a]->id) == 0 && strcmp(f->to, b->tasks[f->b]->id) == 0;
        bool found = false;
        for (size_t d = 0; d < a->nedges && !found; d++)
            found = a->edges[d].a == f->a && a->edges[d].b == f->b;
        edges_same = edges_same && found;
    }
    check_at(line, edges_same, "edges of %s differ", a->name);
}

/* ---- round trips ---- */

static bool buf_same(const flux_buf *a, const flux_buf *b)
{
    return a->len == b->len && memcmp(a->data, b->data, a->len) == 0;
}

static void show_diff(const flux_buf *a, const flux_buf *b)
{
    size_t i = 0;
    while (i < a->len && i < b->len && a->data[i] == b->data[i])
        i++;
    size_t from = i > 40 ? i - 40 : 0;
    printf("    first difference at byte %zu:\n    < %.*s\n    > %.*s\n", i, (int)(a->len - from > 80 ? 80 : a->len - from),
           a->data + from, (int)(b->len - from > 80 ? 80 : b->len - from), b->data + from);
}

/* Compiles text, and for each pipeline checks every stability property.
 * Returns the plans' bytes concatenated (for comparing two compilations). */
static void roundtrip_at(int line, const char *name, const char *text, size_t want_pipelines, flux_buf *all)
{
    flux_compilation c;
    flux_compilation_init(&c);
    flux_compile_text(&c, name, text, strlen(text));
    if (!check_at(line, c.diags.errors == 0, "%s does not compile:", name)) {
        flux_diags_print(&c.diags, stdout, false);
        flux_compilation_free(&c);
        return;
    }
    check_at(line, c.npipelines == want_pipelines, "%s: %zu pipelines, want %zu", name, c.npipelines, want_pipelines);
    for (size_t i = 0; i < c.npipelines; i++) {
        flux_plan plan;
        flux_compile_plan(&c, c.pipelines[i], &plan);
        flux_buf w1 = {0}, w2 = {0}, w3 = {0};
        flux_plan_write(&plan, &w1);
        flux_plan_write(&plan, &w2);
        check_at(line, w1.len > 0 && buf_same(&w1, &w2), "%s: writing twice differs", name);
        flux_buf_put(all, w1.data, w1.len);

        flux_arena *a = flux_arena_new();
        flux_sources s;
        flux_sources_init(&s);
        char err[512];
        flux_plan *back = flux_plan_read(a, &s, "t.yaml", w1.data, w1.len, err, sizeof err);
        if (check_at(line, back != NULL, "%s: the plan does not read back: %s", name, err)) {
            flux_plan_write(back, &w3);
            if (!check_at(line, buf_same(&w1, &w3), "%s: write -> read -> write differs", name))
                show_diff(&w1, &w3);
            pipelines_equal_at(line, plan.pipeline, back->pipeline);
            check_at(line, strcmp(back->source.path, plan.source.path) == 0 &&
                               strcmp(back->source.sha256, plan.source.sha256) == 0 &&
                               back->nincludes == plan.nincludes,
                     "%s: source or includes differ", name);
        }
        flux_buf_free(&w1);
        flux_buf_free(&w2);
        flux_buf_free(&w3);
        flux_sources_free(&s);
        flux_arena_free(a);
    }
    flux_compilation_free(&c);
}

static void stable_at(int line, const char *name, const char *text, size_t want_pipelines)
{
    flux_buf one = {0}, two = {0};
    roundtrip_at(line, name, text, want_pipelines, &one);
    roundtrip_at(line, name, text, want_pipelines, &two);
    check_at(line, one.len > 0 && buf_same(&one, &two), "%s: two compilations give different plans", name);
    flux_buf_free(&one);
    flux_buf_free(&two);
}
#define STABLE(name, text, n) stable_at(__LINE__, (name), (text), (n))

/* ---- plan ids ---- */

/* The id flux gives the plan of pipeline i of text, as deploy.c, preview.c and
 * run.c compute it: the SHA-256 of the bytes flux_plan_write gives. With claim,
 * the plan says that source hash instead of its own, so that two plans differ
 * only in their body. False when text does not compile to pipeline i. */
static bool plan_id_of(const char *name, const char *text, size_t i, const char *claim, char id[65])
{
    flux_compilation c;
    flux_compilation_init(&c);
    flux_compile_text(&c, name, text, strlen(text));
    bool ok = c.diags.errors == 0 && i < c.npipelines;
    if (ok) {
        flux_plan plan;
        flux_compile_plan(&c, c.pipelines[i], &plan);
        if (claim)
            memcpy(plan.source.sha256, claim, sizeof plan.source.sha256);
        flux_buf w = {0};
        flux_plan_write(&plan, &w);
        flux_sha256_hex(w.data, w.len, id);
        flux_buf_free(&w);
    }
    flux_compilation_free(&c);
    return ok;
}

/* The same plan gets the same id; plans that differ get different ids, even
 * when only their last task differs and they claim the same source (a plan id
 * that hashed less than the whole plan would deploy a changed pipeline as
 * "unchanged"), and so do two pipelines of one file. */
static void test_plan_ids(void)
{
    char id1[65], id2[65], other[65], sha[65];
    CHECK(plan_id_of("design.flux", DESIGN, 0, NULL, id1));
    CHECK(plan_id_of("design.flux", DESIGN, 0, NULL, id2));
    check_at(__LINE__, strcmp(id1, id2) == 0, "the same plan, two ids: %s %s", id1, id2);
    check_at(__LINE__, strlen(id1) == 64 && strspn(id1, "0123456789abcdef") == 64, "plan id %s", id1);

    /* DESIGN with the SQL of its last task changed, claiming DESIGN's source hash */
    flux_sha256_hex(DESIGN, strlen(DESIGN), sha);
    static char changed[sizeof DESIGN];
    const char *at = strstr(DESIGN, "COUNT(*)");
    if (CHECK(at != NULL)) {
        memcpy(changed, DESIGN, sizeof DESIGN);
        changed[at - DESIGN + 6] = '1'; /* COUNT(1) */
        CHECK(plan_id_of("design.flux", DESIGN, 0, sha, id2) && strcmp(id1, id2) == 0);
        CHECK(plan_id_of("design.flux", changed, 0, sha, other));
        check_at(__LINE__, strcmp(id1, other) != 0, "the last task's SQL changed, the plan id did not: %s", id1);
    }

    CHECK(plan_id_of("two.flux", TWO, 0, NULL, id1) && plan_id_of("two.flux", TWO, 1, NULL, id2));
    check_at(__LINE__, strcmp(id1, id2) != 0, "two pipelines of one file, one plan id: %s", id1);
}

/* the plan text of the first pipeline of text */
static char *plan_text(const char *name, const char *text, size_t *len)
{
    flux_compilation c;
    flux_compilation_init(&c);
    flux_compile_text(&c, name, text, strlen(text));
    char *res = NULL;
    if (c.diags.errors == 0 && c.npipelines) {
        flux_plan plan;
        flux_compile_plan(&c, c.pipelines[0], &plan);
        flux_buf w = {0};
        flux_plan_write(&plan, &w);
        res = malloc(w.len + 1);
        memcpy(res, w.data, w.len);
        res[w.len] = '\0';
        *len = w.len;
        flux_buf_free(&w);
    }
    flux_compilation_free(&c);
    return res;
}

/* ---- what the plan says ---- */

static const flux_attr *attr(const flux_attrs *a, const char *key)
{
    for (size_t i = 0; i < a->n; i++)
        if (strcmp(a->v[i].key, key) == 0)
            return &a->v[i];
    return NULL;
}

static void test_design_content(void)
{
    size_t len = 0;
    char *text = plan_text("design.flux", DESIGN, &len);
    if (!CHECK(text != NULL))
        return;
    /* fixed spellings the runtime and people rely on */
    CHECK(strncmp(text, "flux_plan: 1\npipeline: events_hourly\nsource:\n  path: \"design.flux\"\n", 67) == 0);
    CHECK(strstr(text, "\nincludes: []\n") != NULL);
    CHECK(strstr(text, "  retry_delay: !duration 30s\n") != NULL);
    CHECK(strstr(text, "    trigger_rule: !enum all_done\n") != NULL);
    CHECK(strstr(text, "    topic: !template \"{{ params.topic }}\"\n") != NULL);
    CHECK(strstr(text, "    sql: !template \"INSERT INTO loads (ds, n)\\nSELECT {{ ds | sql }}, COUNT(*) FROM "
                       "asset_prices\\nWHERE ts >= {{ interval_start | sql }} AND ts < {{ interval_end | sql }}\"\n") !=
          NULL);
    CHECK(strstr(text, "- name: topic\n  type: string\n  default: \"events\"\n- name: min_rows\n  type: integer\n"
                       "  default: 1\n") != NULL);
    CHECK(strstr(text, "    columns:\n      ts: \"$.timestamp\"\n      host: \"$.Host\"\n") != NULL);
    CHECK(strstr(text, "  upstream:\n  - load_asset_prices\n  - load_account_status\n") != NULL);
    CHECK(strstr(text, "\nedges:\n- [wait_events, load_asset_prices]\n- [wait_events, load_account_status]\n"
                       "- [load_asset_prices, summary]\n- [load_account_status, summary]\n") != NULL);
    CHECK(strstr(text, "  upstream: []\n") != NULL);

    flux_arena *a = flux_arena_new();
    flux_sources s;
    flux_sources_init(&s);
    char err[512];
    flux_plan *plan = flux_plan_read(a, &s, "design.yaml", text, len, err, sizeof err);
    if (check_at(__LINE__, plan != NULL, "design plan: %s", err)) {
        const flux_pipeline *p = plan->pipeline;
        CHECK(p->ntasks == 4 && strcmp(p->tasks[0]->id, "wait_events") == 0 &&
              strcmp(p->tasks[3]->id, "summary") == 0 && strcmp(p->tasks[0]->kind, "sensor") == 0);
        CHECK(p->nedges == 4);
        const flux_attr *sql = attr(&p->tasks[3]->attrs, "sql");
        CHECK(sql && sql->val.kind == FLUX_F_TEMPLATE && sql->val.u.tmpl.n == 6 && sql->val.u.tmpl.parts[1].expr &&
              sql->val.u.tmpl.parts[1].expr->kind == FLUX_X_FILTER);
        /* template parts are parsed into a source of their own, named after the field */
        CHECK(sql && sql->val.u.tmpl.parts[1].span.file != 0 &&
              strcmp(flux_sources_get(&s, sql->val.u.tmpl.parts[1].span.file)->path, "design.yaml:summary.sql") == 0);
        const flux_attr *tr = attr(&p->tasks[3]->attrs, "trigger_rule");
        CHECK(tr && tr->val.kind == FLUX_F_IDENT && strcmp(tr->val.u.str.s, "all_done") == 0);
        const flux_attr *rd = attr(&p->tasks[3]->attrs, "retry_delay");
        CHECK(rd && rd->val.kind == FLUX_F_DURATION && rd->val.u.ms == 30000);
        const flux_attr *cols = attr(&p->tasks[1]->attrs, "columns");
        CHECK(cols && cols->val.kind == FLUX_F_MAP && cols->val.u.map.n == 3 &&
              strcmp(cols->val.u.map.keys[0], "ts") == 0 && strcmp(cols->val.u.map.keys[2], "description") == 0);
        const flux_attr *tags = attr(&p->attrs, "tags");
        CHECK(tags && tags->val.kind == FLUX_F_LIST && tags->val.u.list.n == 2);
        CHECK(p->params.n == 2 && strcmp(p->params.v[1].key, "min_rows") == 0 &&
              p->params.v[1].val.kind == FLUX_F_INT && p->params.v[1].val.u.i == 1);
    }
    flux_sources_free(&s);
    flux_arena_free(a);
    free(text);
}

static void test_template_text(void)
{
    size_t len = 0;
    char *text = plan_text("values.flux", VALUES, &len);
    if (!CHECK(text != NULL))
        return;
    /* a literal "{{" is written so that it reads back as text */
    CHECK(strstr(text, "command: !template \"echo {{ \\\"{{\\\" }} not a template }} {{ params.name | shquote }}\"") !=
          NULL);
    /* a single '{' right before an expression, and runs of them */
    CHECK(strstr(text, "\"echo a{{ \\\"{\\\" }}{{ params.limit | string | shquote }}\"") != NULL);
    CHECK(strstr(text, "\"{{ \\\"{{{\\\" }}{{ params.limit | string | shquote }}{ and } and }}\"") != NULL);
    /* "}}" inside an expression is split so it does not end the part */
    CHECK(strstr(text, "\"x{{ {\\\"a\\\": {\\\"b\\\": params.name} } | json | shquote }}}\"") != NULL);
    CHECK(strstr(text, "      default: 1.5e+300\n") || strstr(text, "  default: 1.5e+300\n"));
    CHECK(strstr(text, "  default: 3.0\n") != NULL);
    CHECK(strstr(text, "  default: 1.0e-05\n") != NULL);
    CHECK(strstr(text, "  default: !duration 1h30m\n") != NULL);
    CHECK(strstr(text, "    retry_delay: !duration 2d3h4m5s6ms\n") != NULL);
    CHECK(strstr(text, "    priority: 5400\n") != NULL);
    CHECK(strstr(text, "      \"key with space\": \"x\"\n") != NULL);
    /* maps keep their order */
    CHECK(strstr(text, "    env:\n      B: \"2\"\n      A: !template \"{{ ds }}\"\n") != NULL);
    /* no folding of long lines */
    CHECK(strstr(text, "would fold it somewhere {{ ds }} and more text after it to be sure\"\n") != NULL);
    /* the edge written twice is one edge */
    const char *e = strstr(text, "- [literal, nested]\n");
    CHECK(e && !strstr(e + 1, "- [literal, nested]\n"));

    flux_arena *a = flux_arena_new();
    flux_sources s;
    flux_sources_init(&s);
    char err[512];
    flux_plan *plan = flux_plan_read(a, &s, "v.yaml", text, len, err, sizeof err);
    if (check_at(__LINE__, plan != NULL, "values plan: %s", err)) {
        const flux_pipeline *p = plan->pipeline;
        const flux_attr *cmd = attr(&p->tasks[0]->attrs, "command");
        CHECK(cmd && cmd->val.kind == FLUX_F_TEMPLATE && cmd->val.u.tmpl.n == 2 && cmd->val.u.tmpl.parts[0].text &&
              strcmp(cmd->val.u.tmpl.parts[0].text, "echo {{ not a template }} ") == 0);
        const flux_attr *d = attr(&p->attrs, "description");
        CHECK(d && d->val.kind == FLUX_F_STRING &&
              strcmp(d->val.u.str.s, "h\xc3\xa9llo \xe2\x86\x92 w\xc3\xb6rld \xf0\x9f\x98\x80 tab\tquote\" backslash\\ end") ==
                  0);
    }
    flux_sources_free(&s);
    flux_arena_free(a);
    free(text);
}

/* a string that is not UTF-8 is refused by the compiler: a plan (and JSON,
 * logs) could only hold it by replacing bytes, silently changing the value */
static void test_invalid_utf8(void)
{
    static const char text[] = "pipeline p {\n"
                               "    schedule = \"@daily\"\n"
                               "    start = \"2026-01-01T00:00:00Z\"\n"
                               "    description = \"bad \xff\xfe byte \xc3\"\n"
                               "    task a : bash { command = \"echo {{ ds }}\" }\n"
                               "}\n";
    flux_compilation c;
    flux_compilation_init(&c);
    flux_compile_text(&c, "bytes.flux", text, sizeof text - 1);
    CHECK(c.diags.errors == 1);
    CHECK(c.diags.n >= 1 && strstr(c.diags.v[0]->msg, "not valid UTF-8") != NULL);
    flux_compilation_free(&c);
}

static void test_sha256(void)
{
    char h[65];
    flux_sha256_hex("abc", 3, h);
    CHECK(strcmp(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad") == 0);
    flux_sha256_hex("", 0, h);
    CHECK(strcmp(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855") == 0);
}

/* ---- the reader on plans written by hand ---- */

static const char BASE[] =
    "flux_plan: 1\n"
    "pipeline: p\n"
    "source:\n"
    "  path: \"p.flux\"\n"
    "  sha256: \"0000000000000000000000000000000000000000000000000000000000000000\"\n"
    "includes: []\n"
    "attributes:\n"
    "  schedule: \"@daily\"\n"
    "params:\n"
    "- name: n\n"
    "  type: integer\n"
    "  default: 1\n"
    "tasks:\n"
    "- id: a\n"
    "  operator: bash\n"
    "  kind: remote\n"
    "  params:\n"
    "    command: \"true\"\n"
    "  upstream: []\n"
    "- id: b\n"
    "  operator: bash\n"
    "  kind: remote\n"
    "  params:\n"
    "    command: !template \"echo {{ params.n }}\"\n"
    "  upstream: [a]\n"
    "edges:\n"
    "- [a, b]\n";

/* BASE with the first occurrence of from replaced by to */
static char *variant(const char *from, const char *to)
{
    const char *at = strstr(BASE, from);
    if (!at) {
        printf("test_plan.c: variant: '%s' not in BASE\n", from);
        abort();
    }
    size_t head = (size_t)(at - BASE), fl = strlen(from), tl = strlen(to);
    char *s = malloc(sizeof BASE - fl + tl);
    memcpy(s, BASE, head);
    memcpy(s + head, to, tl);
    strcpy(s + head + tl, at + fl);
    return s;
}

static flux_plan *read_text(flux_arena *a, flux_sources *s, const char *text, size_t len, char *err, size_t errlen)
{
    return flux_plan_read(a, s, "t.yaml", text, len, err, errlen);
}

/* where: "line:col" expected right after the name */
static void reject_len_at(int line, const char *text, size_t len, const char *where, const char *msg)
{
    flux_arena *a = flux_arena_new();
    flux_sources s;
    flux_sources_init(&s);
    char err[512];
    flux_plan *p = read_text(a, &s, text, len, err, sizeof err);
    char prefix[64];
    snprintf(prefix, sizeof prefix, "t.yaml:%s: ", where);
    if (getenv("TEST_PLAN_SHOW"))
        printf("    %s\n", err);
    if (check_at(line, p == NULL, "accepted, expected \"%s\"", msg)) {
        check_at(line, strncmp(err, prefix, strlen(prefix)) == 0 && strstr(err, msg) != NULL,
                 "error \"%s\", want \"%s...%s...\"", err, prefix, msg);
    }
    flux_sources_free(&s);
    flux_arena_free(a);
}
#define REJECT(text, where, msg) reject_len_at(__LINE__, (text), strlen(text), (where), (msg))

static void reject_variant_at(int line, const char *from, const char *to, const char *where, const char *msg)
{
    char *t = variant(from, to);
    reject_len_at(line, t, strlen(t), where, msg);
    free(t);
}
#define REJECT_VARIANT(from, to, where, msg) reject_variant_at(__LINE__, (from), (to), (where), (msg))

static void accept_at(int line, const char *text)
{
    flux_arena *a = flux_arena_new();
    flux_sources s;
    flux_sources_init(&s);
    char err[512];
    flux_plan *p = read_text(a, &s, text, strlen(text), err, sizeof err);
    check_at(line, p != NULL, "rejected: %s", err);
    flux_sources_free(&s);
    flux_arena_free(a);
}
#define ACCEPT(text) accept_at(__LINE__, (text))

static void test_reader_accepts(void)
{
    ACCEPT(BASE);
    /* any valid YAML spelling of the same plan: flow style, comments, --- and ... */
    char *t = variant("flux_plan: 1\n", "%YAML 1.1\n---\n# a comment\nflux_plan: 1\n");
    ACCEPT(t);
    free(t);
    t = variant("  schedule: \"@daily\"\n", "  schedule: '@daily'\n  neg: !duration -1h\n  f: .inf\n  g: -2.5e-3\n"
                                           "  sql: |\n    select 1\n");
    ACCEPT(t);
    free(t);
    /* the version key need not come first */
    t = variant("flux_plan: 1\npipeline: p\n", "pipeline: p\nflux_plan: 1\n");
    ACCEPT(t);
    free(t);
}

static void test_reader_rejects(void)
{
    /* version */
    /* names are held to the compiler's rule: they become paths and shell lines */
    REJECT_VARIANT("- id: a\n", "- id: \"..\"\n", "14:7", "task id '..' is not a name");
    REJECT_VARIANT("- id: a\n", "- id: \".\"\n", "14:7", "task id '.' is not a name");
    REJECT_VARIANT("- id: a\n", "- id: 'a\"; rm -rf x; \"'\n", "14:7", "is not a name");
    REJECT_VARIANT("- id: a\n", "- id: a/b\n", "14:7", "task id 'a/b' is not a name");
    REJECT_VARIANT("pipeline: p\n", "pipeline: \"..\"\n", "2:11", "pipeline name '..' is not a name");
    REJECT_VARIANT("flux_plan: 1", "flux_plan: 2", "1:12", "plan version 2 is newer than this flux understands (1)");
    REJECT_VARIANT("flux_plan: 1", "flux_plan: 99999999999999999999999", "1:12",
                   "plan version 99999999999999999999999 is newer than this flux understands (1)");
    /* a newer plan is reported as newer even when it has keys this one does not know */
    REJECT_VARIANT("flux_plan: 1\n", "flux_plan: 3\nsomething_new: 1\n", "1:12", "is newer than this flux");
    REJECT_VARIANT("flux_plan: 1", "flux_plan: 0", "1:12", "plan version 0 is not a valid version");
    REJECT_VARIANT("flux_plan: 1", "flux_plan: \"1\"", "1:12", "'flux_plan' must be an integer version");
    REJECT_VARIANT("flux_plan: 1", "flux_plan: 1.0", "1:12", "'flux_plan' must be an integer version, found a number");
    REJECT_VARIANT("flux_plan: 1\n", "", "1:1", "not a Flux plan: 'flux_plan' (the format version) is missing");
    REJECT("pipeline: p\n", "1:1", "'flux_plan' (the format version) is missing");

    /* not YAML, not one document, not a mapping */
    REJECT("flux_plan: 1\npipeline: [a, b\n", "3:1", "invalid YAML: did not find expected ',' or ']'");
    REJECT("flux_plan: 1\n  pipeline: p\n", "2:11", "invalid YAML: mapping values are not allowed");
    REJECT("flux_plan: 1\n\tpipeline: p\n", "2:1", "invalid YAML");
    REJECT("", "1:1", "empty plan");
    REJECT("# only a comment\n", "1:1", "empty plan");
    REJECT("---\n", "2:1", "a plan is a mapping that starts with 'flux_plan: 1', found nothing");
    REJECT("- flux_plan\n", "1:1", "a plan is a mapping that starts with 'flux_plan: 1', found a list");
    {
        char *t = variant("edges:\n- [a, b]\n", "edges:\n- [a, b]\n---\nflux_plan: 1\n");
        REJECT(t, "28:1", "a plan is one YAML document; a second one starts here");
        free(t);
    }
    REJECT_VARIANT("pipeline: p", "pipeline: \"p\xff\"", "2:13", "not a valid plan: invalid leading UTF-8 octet");
    REJECT_VARIANT("pipeline: p", "pipeline: \"p\x01\"", "2:13", "not a valid plan: control characters are not allowed");
    reject_len_at(__LINE__, "\xff\xfe" "f\0l\0", 6, "1:1", "not a valid plan");
    reject_len_at(__LINE__, "flux_plan: 1\n\0", 14, "2:1", "not a valid plan");

    /* structure */
    REJECT_VARIANT("includes: []\n", "includes: []\nextra: 1\n", "7:1", "unknown key 'extra' in the plan");
    REJECT_VARIANT("pipeline: p\n", "pipeline: p\npipeline: q\n", "3:1", "duplicate key 'pipeline' in the plan");
    REJECT_VARIANT("edges:\n- [a, b]\n", "", "1:1", "the plan has no 'edges'");
    REJECT_VARIANT("  upstream: []\n", "  upstream: []\n  retries: 2\n", "20:3", "unknown key 'retries' in a task");
    REJECT_VARIANT("  kind: remote\n", "", "14:3", "a task has no 'kind'");

    /* wrong types */
    REJECT_VARIANT("pipeline: p", "pipeline: 12", "2:11", "'pipeline' must be a string, found an integer");
    REJECT_VARIANT("pipeline: p", "pipeline: [p]", "2:11", "'pipeline' must be a string, found a list");
    REJECT_VARIANT("  sha256: \"0000000000000000000000000000000000000000000000000000000000000000\"", "  sha256: \"abc\"",
                   "5:11", "'sha256' must be 64 lowercase hexadecimal digits");
    REJECT_VARIANT("edges:\n- [a, b]\n", "edges: {}\n", "26:8", "'edges' must be a list, found a mapping");
    REJECT_VARIANT("attributes:\n  schedule: \"@daily\"\n", "attributes: []\n", "7:13",
                   "'attributes' must be a mapping, found a list");
    REJECT_VARIANT("  upstream: [a]", "  upstream: a", "25:13", "the upstream of task 'b' must be a list");
    REJECT_VARIANT("  default: 1", "  default: \"1\"", "12:12", "param 'n' is declared as integer but its default is a string");
    REJECT_VARIANT("  type: integer", "  type: int", "11:9", "param 'n': unknown type 'int'");
    REJECT_VARIANT("    command: \"true\"", "    command: true_thing", "18:14",
                   ": a.command: 'true_thing' is not a value");
    REJECT_VARIANT("    command: \"true\"", "    command:", "18:13", ": a.command has no value");
    REJECT_VARIANT("    command: \"true\"", "    command: 99999999999999999999", "18:14", "is out of range");
    REJECT_VARIANT("    command: \"true\"", "    command: !shell \"true\"", "18:14", "unknown tag '!shell'");
    REJECT_VARIANT("    command: \"true\"", "    command: !!str \"true\"", "18:14", "unknown tag 'tag:yaml.org,2002:str'");
    REJECT_VARIANT("    command: \"true\"", "    command: !duration 1.5h", "18:14", "bad duration '1.5h'");
    REJECT_VARIANT("    command: \"true\"", "    command: !enum \"\"", "18:14", "an !enum needs a name");
    REJECT_VARIANT("    command: \"true\"", "    command: {a: 1, a: 2}", "18:21", "duplicate key 'a' in a.command");

    REJECT_VARIANT("    command: \"true\"", "    command: {[a]: 1}", "18:15", "keys of a.command must be strings, found a list");
    REJECT_VARIANT("  schedule: \"@daily\"", "  ? {a: 1}\n  : 2", "8:5", "keys of 'attributes' must be strings, found a mapping");

    /* tasks and the graph */
    REJECT_VARIANT("- id: b", "- id: a", "20:7", "task id 'a' is used twice");
    REJECT_VARIANT("- [a, b]", "- [a, c]", "27:7", "unknown task 'c' in an edge");
    REJECT_VARIANT("- [a, b]", "- [a, b]\n- [a, b]", "28:3", "edge ['a', 'b'] is listed twice");
    REJECT_VARIANT("- [a, b]", "- [a, b, c]", "27:3", "an edge must be a list of two task ids");
    REJECT_VARIANT("- [a, b]", "- [b, b]", "27:3", "edge from task 'b' to itself");
    REJECT_VARIANT("  upstream: [a]", "  upstream: [c]", "25:14", "unknown task 'c' in an upstream list");
    REJECT_VARIANT("  upstream: [a]", "  upstream: []", "25:13",
                   "the upstream of task 'b' leaves out 'a', though there is an edge ['a', 'b']");
    REJECT_VARIANT("  upstream: [a]", "  upstream: [a, a]", "25:13", "lists 'a' twice");
    REJECT_VARIANT("  upstream: []\n", "  upstream: [b]\n", "19:13",
                   "the upstream of task 'a' lists 'b', but there is no edge ['b', 'a']");
    {
        /* b listed before a while a >> b: not upstream-first */
        char *t = variant("- [a, b]", "- [b, a]");
        char *u = strstr(t, "  upstream: [a]");
        memcpy(u, "  upstream: []\n", 15); /* same length: one more (empty) line before the edges */
        REJECT(t, "28:3", "edge ['b', 'a'] goes against the plan order");
        free(t);
    }

    /* templates */
    REJECT_VARIANT("echo {{ params.n }}", "echo {{ params.n + }}", "24:14",
                   "bad template in b.command: unexpected");
    REJECT_VARIANT("echo {{ params.n }}", "echo {{ }}", "24:14", "empty template expression");
    {
        flux_buf deep = {0};
        flux_buf_puts(&deep, "    command: !template \"{{ x");
        for (int i = 0; i < 1200; i++)
            flux_buf_puts(&deep, " | f");
        flux_buf_puts(&deep, " }}\"");
        char *t = variant("    command: !template \"echo {{ params.n }}\"", flux_buf_cstr(&deep));
        REJECT(t, "24:14", "expression nested more than 256 levels deep");
        free(t);
        flux_buf_free(&deep);
    }

    /* anchors, aliases, depth */
    REJECT_VARIANT("attributes:\n", "attributes: &attrs\n", "7:13", "anchors are not allowed in a plan");
    REJECT_VARIANT("  schedule: \"@daily\"", "  schedule: &s \"@daily\"\n  other: *s", "8:13",
                   "anchors are not allowed in a plan");
    REJECT_VARIANT("    command: \"true\"", "    command: *nothing", "18:14", "aliases are not allowed in a plan");
    {
        flux_buf deep = {0};
        flux_buf_puts(&deep, "  schedule: ");
        for (int i = 0; i < 100000; i++)
            flux_buf_putc(&deep, '[');
        for (int i = 0; i < 100000; i++)
            flux_buf_putc(&deep, ']');
        char *t = variant("  schedule: \"@daily\"", flux_buf_cstr(&deep));
        REJECT(t, "8:266", "nested deeper than 256 levels");
        free(t);
        flux_buf_free(&deep);
    }
}

/* a newer version is refused even when the rest is nothing this reader knows */
static void test_error_buffer(void)
{
    flux_arena *a = flux_arena_new();
    flux_sources s;
    flux_sources_init(&s);
    char small[16];
    CHECK(read_text(a, &s, "flux_plan: 2\n", 13, small, sizeof small) == NULL && strlen(small) == 15);
    CHECK(read_text(a, &s, "flux_plan: 2\n", 13, NULL, 0) == NULL);
    CHECK(read_text(a, &s, NULL, 0, small, sizeof small) == NULL);
    flux_sources_free(&s);
    flux_arena_free(a);
}

int main(void)
{
    test_sha256();
    STABLE("design.flux", DESIGN, 1);
    STABLE("values.flux", VALUES, 1);
    STABLE("two.flux", TWO, 2);
    STABLE("floats.flux", FLOATS, 1);
    STABLE("statements.flux", STATEMENTS, 1);
    STABLE("tests/golden/ok/inc.flux", INCLUDES, 1);
    test_plan_ids();
    test_design_content();
    test_template_text();
    test_invalid_utf8();
    test_reader_accepts();
    test_reader_rejects();
    test_error_buffer();
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
