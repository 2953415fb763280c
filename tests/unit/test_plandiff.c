/* test_plandiff — unit tests for lang/pipeline/plandiff.c: tasks added,
 * removed and changed between two plans, read through the plan reader. The
 * summary line is compared with the text diff deploy printed before (a copy
 * of it is the oracle below), so switching deploy to it changes no output.
 * Prints one line per failing check and ends with "N passed, N failed". */
#include "compile.h"
#include "plan.h"
#include "plandiff.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "unit.h"


/* ---- the oracle: runtime/deploy.c's summary from the plan text ---- */

typedef struct task_block {
    char name[256];
    const char *text;
    size_t len;
} task_block;

static size_t task_blocks(const char *plan, task_block **out)
{
    *out = NULL;
    const char *p = plan ? strstr(plan, "\ntasks:\n") : NULL;
    size_t n = 0, cap = 0;
    if (!p)
        return 0;
    p += 8;
    while (!strncmp(p, "- id: ", 6)) {
        const char *end = p + 1;
        while ((end = strchr(end, '\n')) && end[1] == ' ')
            end++;
        end = end ? end + 1 : p + strlen(p);
        if (n == cap) {
            cap = cap ? 2 * cap : 16;
            *out = realloc(*out, cap * sizeof **out);
        }
        task_block *b = &(*out)[n++];
        size_t nl = strcspn(p + 6, "\n");
        snprintf(b->name, sizeof b->name, "%.*s", (int)nl, p + 6);
        b->text = p;
        b->len = (size_t)(end - p);
        p = end;
    }
    return n;
}

static const task_block *find_block(const task_block *v, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(v[i].name, name))
            return &v[i];
    return NULL;
}

static void text_changes(const char *old_plan, const char *new_plan, flux_buf *out)
{
    task_block *a, *b;
    size_t na = task_blocks(old_plan, &a), nb = task_blocks(new_plan, &b);
    const char *kinds[3] = {"added", "removed", "changed"};
    bool any = false;
    for (int k = 0; k < 3; k++) {
        size_t count = 0;
        flux_buf names = {0};
        const task_block *v = k == 1 ? a : b;
        size_t n = k == 1 ? na : nb;
        for (size_t i = 0; i < n; i++) {
            const task_block *other = find_block(k == 1 ? b : a, k == 1 ? nb : na, v[i].name);
            bool hit = k == 2 ? other && (other->len != v[i].len || memcmp(other->text, v[i].text, v[i].len))
                              : !other;
            if (!hit)
                continue;
            flux_buf_printf(&names, "%s%s", count ? ", " : "", v[i].name);
            count++;
        }
        if (count) {
            flux_buf_printf(out, "%s%zu task%s %s (%s)", any ? "; " : "", count, count == 1 ? "" : "s", kinds[k],
                            flux_buf_cstr(&names));
            any = true;
        }
        flux_buf_free(&names);
    }
    if (!any)
        flux_buf_puts(out, old_plan ? "tasks unchanged; pipeline attributes or source changed" : "first version");
    free(a);
    free(b);
}

/* ---- plans from sources ---- */

/* The plan text of the one pipeline of src (NULL when it does not compile). */
static char *plan_of(int line, const char *src)
{
    flux_compilation c;
    flux_compilation_init(&c);
    flux_compile_text(&c, "t.flux", src, strlen(src));
    char *text = NULL;
    if (check_at(line, c.diags.errors == 0 && c.npipelines == 1, "source does not compile")) {
        flux_plan plan;
        flux_compile_plan(&c, c.pipelines[0], &plan);
        flux_buf w = {0};
        flux_plan_write(&plan, &w);
        text = strdup(flux_buf_cstr(&w));
        flux_buf_free(&w);
    } else {
        flux_diags_print(&c.diags, stdout, false);
    }
    flux_compilation_free(&c);
    return text;
}

/* old may be NULL (a first version) */
static void diff_at(int line, const char *old_src, const char *new_src, const char *want)
{
    char *old = old_src ? plan_of(line, old_src) : NULL, *new_ = plan_of(line, new_src);
    if ((old_src && !old) || !new_) {
        free(old);
        free(new_);
        return;
    }
    flux_buf got = {0}, oracle = {0};
    flux_plan_diff_text(old, old ? strlen(old) : 0, new_, strlen(new_), &got);
    text_changes(old, new_, &oracle);
    check_at(line, strcmp(flux_buf_cstr(&got), want) == 0, "got \"%s\", want \"%s\"", flux_buf_cstr(&got), want);
    check_at(line, strcmp(flux_buf_cstr(&got), flux_buf_cstr(&oracle)) == 0, "got \"%s\", the text diff said \"%s\"",
             flux_buf_cstr(&got), flux_buf_cstr(&oracle));
    flux_buf_free(&got);
    flux_buf_free(&oracle);
    free(old);
    free(new_);
}
#define DIFF(old, new_, want) diff_at(__LINE__, (old), (new_), (want))

#define HEAD "pipeline p {\n    schedule = \"@daily\"\n    start = \"2026-01-01T00:00:00Z\"\n"

static const char BASE[] = HEAD
    "    task a : bash { command = \"echo a\" }\n"
    "    task b : bash { command = \"echo b\" }\n"
    "    task c : bash { command = \"echo {{ ds }}\" }\n"
    "    a >> b >> c\n"
    "}\n";

static void test_summaries(void)
{
    DIFF(NULL, BASE, "3 tasks added (a, b, c)");
    DIFF(BASE, BASE, "tasks unchanged; pipeline attributes or source changed");
    DIFF(BASE, HEAD "    retries = 3\n"
                    "    task a : bash { command = \"echo a\" }\n"
                    "    task b : bash { command = \"echo b\" }\n"
                    "    task c : bash { command = \"echo {{ ds }}\" }\n"
                    "    a >> b >> c\n"
                    "}\n",
         "3 tasks changed (a, b, c)"); /* a pipeline default reaches every task */
    DIFF(BASE, HEAD "    description = \"now described\"\n"
                    "    task a : bash { command = \"echo a\" }\n"
                    "    task b : bash { command = \"echo b\" }\n"
                    "    task c : bash { command = \"echo {{ ds }}\" }\n"
                    "    a >> b >> c\n"
                    "}\n",
         "tasks unchanged; pipeline attributes or source changed");
    DIFF(BASE, HEAD "    task a : bash { command = \"echo a\" }\n"
                    "    task b : bash { command = \"echo b\" }\n"
                    "    task c : bash { command = \"echo {{ ds }}\" }\n"
                    "    task d : bash { command = \"echo d\" }\n"
                    "    task e : bash { command = \"echo e\" }\n"
                    "    a >> b >> c\n"
                    "}\n",
         "2 tasks added (d, e)");
    DIFF(BASE, HEAD "    task a : bash { command = \"echo a\" }\n"
                    "    task c : bash { command = \"echo {{ ds }}\" }\n"
                    "    a >> c\n"
                    "}\n",
         "1 task removed (b); 1 task changed (c)"); /* c's upstream is a now */
    DIFF(BASE, HEAD "    task a : bash { command = \"echo A\" }\n"
                    "    task b : bash { command = \"echo b\" }\n"
                    "    task c : bash { command = \"echo {{ ds_nodash }}\" }\n"
                    "    task m : bash { command = \"true\" }\n"
                    "    a >> b >> c\n"
                    "}\n",
         "1 task added (m); 2 tasks changed (a, c)"); /* plain text and a template */
    DIFF(BASE, HEAD "    task a : bash { command = \"echo a\" }\n"
                    "    task b : bash { command = \"echo b\" }\n"
                    "    task c : bash { command = \"echo {{ ds }}\" }\n"
                    "    a >> b >> c\n"
                    "    a >> c\n"
                    "}\n",
         "1 task changed (c)"); /* one more upstream */
    DIFF(BASE, HEAD "    task a : bash { command = \"echo a\" }\n"
                    "    task b : bash {\n        command = \"echo b\"\n        retries = 1\n    }\n"
                    "    task c : bash { command = \"echo {{ ds }}\" }\n"
                    "    a >> b >> c\n"
                    "}\n",
         "1 task changed (b)");
}

/* upstream lists are written by task index: the same upstream tasks in
 * another order are a changed task, as the text says */
static void test_upstream_order(void)
{
    static const char ONE[] = HEAD
        "    task x : bash { command = \"x\" }\n"
        "    task y : bash { command = \"y\" }\n"
        "    task z : bash { command = \"z\" }\n"
        "    [x, y] >> z\n"
        "}\n";
    static const char TWO[] = HEAD
        "    task y : bash { command = \"y\" }\n"
        "    task x : bash { command = \"x\" }\n"
        "    task z : bash { command = \"z\" }\n"
        "    [x, y] >> z\n"
        "}\n";
    DIFF(ONE, TWO, "1 task changed (z)");
}

/* The one place the text diff was wrong: a name YAML would read as a boolean
 * or null ("n", "on", "yes" ...) is quoted in the plan, and the text diff
 * showed the quotes. The reader gives the name. */
static void test_quoted_names(void)
{
    static const char NEW[] = HEAD
        "    task a : bash { command = \"echo a\" }\n"
        "    task b : bash { command = \"echo b\" }\n"
        "    task c : bash { command = \"echo {{ ds }}\" }\n"
        "    task n : bash { command = \"true\" }\n"
        "    a >> b >> c\n"
        "}\n";
    char *old = plan_of(__LINE__, BASE), *new_ = plan_of(__LINE__, NEW);
    if (old && new_) {
        flux_buf got = {0}, oracle = {0};
        flux_plan_diff_text(old, strlen(old), new_, strlen(new_), &got);
        text_changes(old, new_, &oracle);
        check_at(__LINE__, strcmp(flux_buf_cstr(&got), "1 task added (n)") == 0, "got \"%s\"", flux_buf_cstr(&got));
        check_at(__LINE__, strcmp(flux_buf_cstr(&oracle), "1 task added (\"n\")") == 0, "the text diff said \"%s\"",
                 flux_buf_cstr(&oracle));
        flux_buf_free(&got);
        flux_buf_free(&oracle);
    }
    free(old);
    free(new_);
}

/* the structured result, and a text that is not a plan */
static void test_lists(void)
{
    char *a = plan_of(__LINE__, BASE);
    if (!a)
        return;
    flux_arena *ar = flux_arena_new();
    flux_sources s;
    flux_sources_init(&s);
    char err[256];
    const flux_plan *pa = flux_plan_read(ar, &s, "a", a, strlen(a), err, sizeof err);
    check_at(__LINE__, pa != NULL, "plan does not read: %s", err);
    flux_plan_diff d;
    flux_plan_diff_tasks(ar, pa, NULL, &d);
    check_at(__LINE__, d.nremoved == 3 && d.nadded == 0 && d.nchanged == 0 && strcmp(d.removed[2], "c") == 0,
             "all removed against no plan");
    flux_buf out = {0};
    flux_plan_diff_text("not a plan", 10, a, strlen(a), &out);
    check_at(__LINE__, strcmp(flux_buf_cstr(&out), "3 tasks added (a, b, c)") == 0, "unreadable old plan: \"%s\"",
             flux_buf_cstr(&out));
    flux_buf_free(&out);
    flux_sources_free(&s);
    flux_arena_free(ar);
    free(a);
}

int main(void)
{
    test_summaries();
    test_upstream_order();
    test_quoted_names();
    test_lists();
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
