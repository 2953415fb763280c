/* test_memory — compile-time memory: arena marks (what a release gives back
 * and what it keeps), interned names, values copied out of a scratch arena,
 * and what a pipeline made by loops costs in the compilation's arena, whose
 * bytes are counted, not timed. Under ASan a pointer the expander kept into
 * its released scratch is reported where a check reads it. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attr.h"
#include "compile.h"
#include "intern.h"
#include "value.h"
#include "unit.h"

#define CHECK(cond) check_at(__LINE__, (cond), "%s", #cond)

static void test_marks(void)
{
    flux_arena *a = flux_arena_new();
    char *old = flux_arena_strdup(a, "kept");
    flux_arena_mark m = flux_arena_mark_now(a);
    char *p = flux_arena_alloc(a, 32);
    memset(p, 'x', 32);
    flux_arena_release(a, m);
    /* the bytes since the mark are handed out again, zeroed; older ones stay */
    char *q = flux_arena_alloc(a, 32);
    CHECK(q == p);
    CHECK(q[0] == 0 && q[31] == 0);
    CHECK(strcmp(old, "kept") == 0);

    /* an iteration that allocates far more than a chunk, a thousand times,
     * holds no more than one iteration's worth */
    size_t before = flux_arena_size(a);
    for (int i = 0; i < 1000; i++) {
        flux_arena_mark it = flux_arena_mark_now(a);
        for (int k = 0; k < 64; k++)
            flux_arena_alloc(a, 16 * 1024); /* 1 MiB in standard chunks */
        flux_arena_alloc(a, 300 * 1024);    /* a big request, a chunk of its own */
        flux_arena_release(a, it);
    }
    size_t after = flux_arena_size(a);
    check_at(__LINE__, after - before < 4u << 20, "1000 released iterations of 1.3 MiB hold %zu bytes", after - before);
    CHECK(strcmp(old, "kept") == 0);

    /* nested marks: the inner release keeps what the outer span made */
    flux_arena_mark outer = flux_arena_mark_now(a);
    char *o = flux_arena_strdup(a, "outer");
    flux_arena_mark inner = flux_arena_mark_now(a);
    for (int k = 0; k < 100; k++)
        flux_arena_alloc(a, 8 * 1024);
    flux_arena_release(a, inner);
    CHECK(strcmp(o, "outer") == 0);
    flux_arena_release(a, outer);
    CHECK(strcmp(old, "kept") == 0);

    /* a mark taken on an empty arena releases everything */
    flux_arena *e = flux_arena_new();
    flux_arena_mark em = flux_arena_mark_now(e);
    flux_arena_alloc(e, 100);
    flux_arena_alloc(e, 1u << 20);
    flux_arena_release(e, em);
    char *z = flux_arena_alloc(e, 16);
    CHECK(z && z[0] == 0);
    flux_arena_free(e);
    flux_arena_free(a);
}

static void test_intern(void)
{
    flux_arena *a = flux_arena_new();
    flux_interner t = {0};
    char buf[32];
    const char *first[5000];
    for (int i = 0; i < 5000; i++) {
        int n = snprintf(buf, sizeof buf, "t_%d_%d", i / 100, i % 100);
        first[i] = flux_intern(&t, a, buf, (size_t)n);
    }
    int same = 0, right = 0;
    for (int i = 0; i < 5000; i++) {
        int n = snprintf(buf, sizeof buf, "t_%d_%d", i / 100, i % 100);
        const char *s = flux_intern(&t, a, buf, (size_t)n);
        same += s == first[i];
        right += strcmp(s, buf) == 0 && s != buf;
    }
    CHECK(same == 5000 && right == 5000);
    CHECK(t.n == 5000);
    /* bytes, not C strings: a prefix and an embedded NUL are other names */
    const char *ab = flux_intern(&t, a, "ab", 2), *a0b = flux_intern(&t, a, "a\0b", 3), *a1 = flux_intern(&t, a, "a", 1);
    CHECK(ab != a0b && a0b != a1 && ab != a1);
    CHECK(flux_intern(&t, a, "a\0b", 3) == a0b && memcmp(a0b, "a\0b", 4) == 0);
    CHECK(strcmp(flux_intern(&t, a, "", 0), "") == 0);
    flux_interner_free(&t);
    flux_arena_free(a);
}

static void test_value_copy(void)
{
    flux_arena *scratch = flux_arena_new(), *keep = flux_arena_new();
    flux_value items[4] = {flux_cstr(scratch, "one"), flux_int(2), flux_none(), flux_none()};
    items[2].t = FLUX_T_DICT;
    items[2].u.list.v = flux_arena_alloc(scratch, 2 * sizeof(flux_value));
    items[2].u.list.n = 2;
    items[2].u.list.v[0] = flux_cstr(scratch, "k");
    items[2].u.list.v[1] = flux_cstr(scratch, "v");
    items[3] = flux_duration(90000);
    flux_value list = {.t = FLUX_T_LIST};
    list.u.list.v = items;
    list.u.list.n = 4;
    flux_value c = flux_value_copy(keep, list);
    flux_buf want = {0}, got = {0};
    flux_value_json(list, &want);
    flux_arena_free(scratch); /* what the copy reads must not be here */
    memset(items, 0, sizeof items);
    flux_value_json(c, &got);
    check_at(__LINE__, want.len && got.len == want.len && memcmp(got.data, want.data, want.len) == 0,
             "copy renders %s, the original %s", got.data ? got.data : "", want.data ? want.data : "");
    flux_buf_free(&want);
    flux_buf_free(&got);
    flux_arena_free(keep);
}

/* the benchmark's pipeline (tests/bench/compile), smaller: layers x width
 * tasks made by two loops, each after three tasks of the layer before */
static char *loop_pipeline(int layers, int width)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    fprintf(f, "pipeline big {\n    schedule = \"@daily\"\n    start = \"2026-11-01T00:00:00Z\"\n"
               "    {%% for l in range(%d) %%}\n    {%% for i in range(%d) %%}\n"
               "    task t_{{ l }}_{{ i }} : bash { command = \"true\" }\n"
               "    {%% if l > 0 %%}\n"
               "    t_{{ l - 1 }}_{{ i }} >> t_{{ l }}_{{ i }}\n"
               "    t_{{ l - 1 }}_{{ (i + 1) %% %d }} >> t_{{ l }}_{{ i }}\n"
               "    t_{{ l - 1 }}_{{ (i + 7) %% %d }} >> t_{{ l }}_{{ i }}\n"
               "    {%% endif %%}\n    {%% endfor %%}\n    {%% endfor %%}\n}\n",
            layers, width, width, width);
    fclose(f);
    return text;
}

static void test_loop_pipeline(void)
{
    enum { LAYERS = 20, WIDTH = 500, TASKS = LAYERS * WIDTH };
    char *text = loop_pipeline(LAYERS, WIDTH);
    flux_compilation c;
    flux_compilation_init(&c);
    flux_compile_text(&c, "big.flux", text, strlen(text));
    free(text);
    if (!check_at(__LINE__, c.diags.errors == 0 && c.npipelines == 1, "the loop pipeline does not compile")) {
        flux_diags_print(&c.diags, stdout, false);
        flux_compilation_free(&c);
        return;
    }
    const flux_pipeline *p = c.pipelines[0];
    CHECK(p->ntasks == TASKS && p->nedges == (size_t)(LAYERS - 1) * WIDTH * 3);
    /* a dependency holds the name its task holds, not a copy; tasks given the
     * same plain text share it */
    size_t shared = 0;
    for (size_t e = 0; e < p->nedges; e++)
        shared += p->edges[e].from == p->tasks[p->edges[e].a]->id && p->edges[e].to == p->tasks[p->edges[e].b]->id;
    CHECK(shared == p->nedges);
    const flux_field *cmd0 = flux_attr_field(&p->tasks[0]->attrs, "command");
    const flux_field *cmd1 = flux_attr_field(&p->tasks[TASKS - 1]->attrs, "command");
    CHECK(cmd0 && cmd1 && cmd0->u.str.s == cmd1->u.str.s && strcmp(cmd0->u.str.s, "true") == 0);
    /* a task holds its parameters in an array of their count */
    CHECK(p->tasks[7]->attrs.n == 1 && p->tasks[7]->attrs.cap == 1);
    /* what the compilation keeps per task: the task, its one parameter, its
     * loop contexts and its name (about 310 bytes; the dependencies are
     * malloc'd); scopes, loop dicts and intermediate values are not kept
     * (with them it was 2,800 bytes a task) */
    size_t per_task = flux_arena_size(c.arena) / TASKS;
    check_at(__LINE__, per_task < 500, "the compilation's arena holds %zu bytes per task, want under 500", per_task);
    flux_compilation_free(&c);
}

/* values a loop computes reach a dependency and a check's note after the
 * iteration's scratch is released: a list of names and a string loop value */
static void test_kept_values(void)
{
    static const char text[] =
        "pipeline kept {\n"
        "    schedule = \"@daily\"\n"
        "    start = \"2026-11-01T00:00:00Z\"\n"
        "    task sink : bash { command = \"true\" }\n"
        "    {% for g in [[\"a\" ~ \"1\", \"a\" ~ \"2\"], [\"b\" ~ \"1\"]] %}\n"
        "    {% for t in g %}\n"
        "    task {{ t }} : bash { command = \"echo {{ t }} {{ g | join(',') }}\" }\n"
        "    {% endfor %}\n"
        "    {{ g }} >> sink\n"
        "    {% endfor %}\n"
        "    {% for name in [\"missing\" ~ \"_task\"] %}\n"
        "    {{ name }} >> sink\n"
        "    {% endfor %}\n"
        /* computes strings as long, where the ones above were computed */
        "    {% for z in [\"zzzzzzz\" ~ \"_zzzz\", \"zz\" ~ \"\", \"zz\" ~ \"\"] %}{% endfor %}\n"
        "}\n";
    flux_compilation c;
    flux_compilation_init(&c);
    flux_compile_text(&c, "kept.flux", text, strlen(text));
    const flux_pipeline *p = c.npipelines ? c.pipelines[0] : NULL;
    CHECK(p && p->ntasks == 4);
    if (p && p->ntasks == 4) {
        const flux_field *f = flux_attr_field(&p->tasks[2]->attrs, "command");
        CHECK(f && f->kind == FLUX_F_STRING && strcmp(f->u.str.s, "echo a2 a1,a2") == 0);
        /* the dependencies named by the lists, and the one on no task */
        static const char *const from[] = {"a1", "a2", "b1", "missing_task"};
        size_t ok = 0;
        for (size_t e = 0; e < p->nedges && e < 4; e++)
            ok += strcmp(p->edges[e].from, from[e]) == 0 && strcmp(p->edges[e].to, "sink") == 0;
        CHECK(ok == 3 && p->nedges == 3); /* lowering drops the unknown one */
    }
    /* the unknown task is reported by the checks, after expansion, with the
     * loop's value in its note */
    bool found = false;
    for (size_t i = 0; i < c.diags.n; i++) {
        const flux_diag *g = c.diags.v[i];
        if (strstr(g->msg, "missing_task"))
            for (size_t k = 0; k < g->nnotes; k++)
                found |= strstr(g->notes[k].msg, "where name = \"missing_task\"") != NULL;
    }
    CHECK(found);
    flux_compilation_free(&c);
}

/* a {% set %} in a loop kept for run time is made a literal of the value
 * computed now, in scratch: the literal keeps its own copy */
static void test_kept_literal(void)
{
    static const char text[] =
        "pipeline lit {\n"
        "    schedule = \"@daily\"\n"
        "    start = \"2026-11-01T00:00:00Z\"\n"
        "    params { items = [1] }\n"
        "    {% for t in [\"ab\" ~ \"cd\"] %}\n"
        "    task x : bash { command = \"{% for r in params.items %}{% set s = t ~ '!' %}{{ s }}{{ r }}{% endfor %}\" }\n"
        "    {% endfor %}\n"
        "    {% for z in range(300) %}{% endfor %}\n" /* a list over the scratch the loop above used */
        "}\n";
    flux_compilation c;
    flux_compilation_init(&c);
    flux_compile_text(&c, "lit.flux", text, strlen(text));
    const char *got = NULL;
    if (c.diags.errors == 0 && c.npipelines == 1 && c.pipelines[0]->ntasks == 1) {
        const flux_field *f = flux_attr_field(&c.pipelines[0]->tasks[0]->attrs, "command");
        const flux_tstmt *loop = f && f->kind == FLUX_F_TEMPLATE && f->u.tmpl.n == 1 ? f->u.tmpl.parts[0].stmt : NULL;
        const flux_tstmt *set = loop && loop->kind == FLUX_TS_FOR && loop->u.loop.body.n ? loop->u.loop.body.parts[0].stmt : NULL;
        if (set && set->kind == FLUX_TS_SET && set->u.set.val->kind == FLUX_X_STRING)
            got = set->u.set.val->u.str.s;
    } else {
        flux_diags_print(&c.diags, stdout, false);
    }
    check_at(__LINE__, got && strcmp(got, "abcd!") == 0, "the kept set's literal is [%s], want [abcd!]", got ? got : "(none)");
    flux_compilation_free(&c);
}

int main(void)
{
    test_marks();
    test_intern();
    test_value_copy();
    test_loop_pipeline();
    test_kept_values();
    test_kept_literal();
    printf("%d passed, %d failed\n", passed, failed);
    return failed != 0;
}
