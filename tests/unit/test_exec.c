/* test_exec — the executor driven through a fake backend, as Ninja tests its
 * build with a fake command runner: no process is started, each "command"
 * is read as its exit status, and what the executor records in the store
 * (a SQLite file in a temp directory) and reports through its status
 * callback is checked. The same seam a Slurm backend will use.
 */
#include "executor.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>
#include "unit.h"


/* ---- the fake backend: "exit N" ends with N a millisecond later ---- */

struct flux_proc {
    flux_backend *b;
    void *ud;
    int status;
    uv_timer_t t;
};

typedef struct fake {
    flux_backend base;
    uv_loop_t *loop;
    char started[2048]; /* "task.try " per start, in order */
    char started_runs[2048]; /* "run:task " per start, in order */
    int recovered;
} fake;

static fake *the_fake;
static flux_recovery recover_as = FLUX_RECOVER_FINISHED;

static void proc_closed(uv_handle_t *h)
{
    free(h->data);
}

static void on_proc_timer(uv_timer_t *t)
{
    flux_proc *p = t->data;
    flux_backend *b = p->b;
    void *ud = p->ud;
    int status = p->status;
    uv_close((uv_handle_t *)&p->t, proc_closed);
    b->done(ud, status);
}

static flux_proc *fake_start(flux_backend *base, const flux_try_desc *t, const flux_op_cmd *cmd,
                             const char *const *secrets, size_t nsecrets, void *ud, char *note, size_t notelen)
{
    (void)secrets, (void)nsecrets, (void)note, (void)notelen;
    fake *f = (fake *)base;
    char one[128];
    snprintf(one, sizeof one, "%s.%d ", t->task, t->try_number);
    strncat(f->started, one, sizeof f->started - strlen(f->started) - 1);
    snprintf(one, sizeof one, "%s:%s ", t->run_id, t->task);
    strncat(f->started_runs, one, sizeof f->started_runs - strlen(f->started_runs) - 1);
    flux_proc *p = calloc(1, sizeof *p);
    p->b = base;
    p->ud = ud;
    const char *c = cmd->argv[2] ? cmd->argv[2] : "";
    p->status = strncmp(c, "exit ", 5) == 0 ? atoi(c + 5) : 0;
    uv_timer_init(f->loop, &p->t);
    p->t.data = p;
    uv_timer_start(&p->t, on_proc_timer, 1, 0);
    return p;
}

static void fake_signal(flux_proc *p, int sig)
{
    (void)p, (void)sig;
}

static int fake_pid(const flux_proc *p)
{
    (void)p;
    return 0;
}

static flux_recovery fake_recover(flux_backend *base, const flux_try_desc *t, void *ud, int *status,
                                  flux_proc **p)
{
    (void)t, (void)ud;
    ((fake *)base)->recovered++;
    *status = 0;
    *p = NULL;
    return recover_as;
}

static int fake_report(flux_backend *b, const flux_try_desc *t, flux_op_report *r)
{
    (void)b, (void)t;
    memset(r, 0, sizeof *r);
    return -1;
}

static void fake_reason(flux_backend *b, const flux_try_desc *t, char *out, size_t outlen)
{
    (void)b, (void)t, (void)outlen;
    out[0] = '\0';
}

static void fake_free(flux_backend *b)
{
    free(b);
}

static const flux_backend_ops fake_ops = {"fake", fake_start, fake_signal, fake_pid, fake_recover,
                                          fake_report, fake_reason, fake_free, 0, 0, NULL, false};

static flux_backend *fake_new(struct uv_loop_s *loop, const char *self, flux_backend_done done)
{
    (void)self;
    fake *f = calloc(1, sizeof *f);
    f->base.ops = &fake_ops;
    f->base.done = done;
    f->loop = loop;
    the_fake = f;
    return &f->base;
}

/* ---- the status callback: "task=state " per end ---- */

typedef struct seen {
    char ends[2048];
    int recovered, runs_ok, runs_failed;
} seen;

static void on_task(void *ud, const flux_exec_task_event *e)
{
    seen *s = ud;
    if (e->kind == FLUX_EXEC_RECOVERED)
        s->recovered++;
    if (e->kind != FLUX_EXEC_ENDED && e->kind != FLUX_EXEC_DECIDED)
        return;
    char one[128];
    snprintf(one, sizeof one, "%s=%s ", e->task, flux_ti_state_name(e->state));
    strncat(s->ends, one, sizeof s->ends - strlen(s->ends) - 1);
}

static void on_run_ended(void *ud, const char *pipeline, const char *run_id, bool ok)
{
    (void)pipeline, (void)run_id;
    seen *s = ud;
    if (ok)
        s->runs_ok++;
    else
        s->runs_failed++;
}

/* ---- a pipeline built by hand ---- */

enum { NT = 7 };
static flux_task tasks[NT];
static flux_task *taskp[NT];
static flux_attr attrs[NT][3];

static flux_field text(flux_fkind kind, const char *v)
{
    flux_field f = {.kind = kind};
    f.u.str.s = v;
    f.u.str.len = strlen(v);
    return f;
}

static void task(int i, const char *id, const char *command, const char *rule, int retries)
{
    size_t n = 0;
    attrs[i][n++] = (flux_attr){.key = "command", .val = text(FLUX_F_STRING, command)};
    if (rule)
        attrs[i][n++] = (flux_attr){.key = "trigger_rule", .val = text(FLUX_F_IDENT, rule)};
    if (retries) {
        attrs[i][n++] = (flux_attr){.key = "retries", .val = {.kind = FLUX_F_INT, .u.i = retries}};
    }
    tasks[i] = (flux_task){.id = id, .op = "bash", .kind = "", .attrs = {attrs[i], n, n}, .index = (size_t)i};
    taskp[i] = &tasks[i];
}

static const char *state_of(flux_ti_row *rows, size_t n, const char *task_id, int *tries)
{
    const char *st = "none";
    *tries = 0;
    for (size_t i = 0; i < n; i++)
        if (!strcmp(rows[i].task, task_id)) {
            st = flux_ti_state_name(rows[i].state);
            (*tries)++;
        }
    return st;
}

static flux_executor *executor_j(flux_store *s, const char *home, seen *sn, int slots)
{
    flux_exec_opts o = {.slots = slots, .home = home, .self = "flux", .backend_new = fake_new};
    o.status = (flux_exec_status){.task = on_task, .run_ended = on_run_ended, .ud = sn};
    return flux_exec_new(s, &o);
}

static flux_executor *executor(flux_store *s, const char *home, seen *sn)
{
    return executor_j(s, home, sn, 4);
}

/* ---- pipelines of one-attribute tasks, for the ready queue and the past ---- */

typedef struct mini {
    flux_task tasks[12];
    flux_task *taskp[12];
    flux_attr attrs[12][3];
    flux_edge edges[12];
    flux_pipeline p;
} mini;

/* task i of m: command, then priority and depends_on_past when given */
static void mini_task(mini *m, int i, const char *id, const char *command, int64_t priority, bool past)
{
    size_t n = 0;
    m->attrs[i][n++] = (flux_attr){.key = "command", .val = text(FLUX_F_STRING, command)};
    if (priority != 1)
        m->attrs[i][n++] = (flux_attr){.key = "priority", .val = {.kind = FLUX_F_INT, .u.i = priority}};
    if (past)
        m->attrs[i][n++] = (flux_attr){.key = "depends_on_past", .val = {.kind = FLUX_F_BOOL, .u.b = true}};
    m->tasks[i] = (flux_task){.id = id, .op = "bash", .kind = "", .attrs = {m->attrs[i], n, n}, .index = (size_t)i};
    m->taskp[i] = &m->tasks[i];
}

static void mini_pipeline(mini *m, const char *name, size_t ntasks)
{
    m->p = (flux_pipeline){.name = name, .tasks = m->taskp, .ntasks = ntasks, .edges = m->edges, .nedges = 0};
}

/* -j 1, one run: the tries start by priority, ties in the order they
 * became ready; then two runs: a tie goes to the earlier logical date */
static void test_priority(flux_store *s, const char *dir, const flux_tz *utc)
{
    static mini m;
    static const int64_t prio[] = {3, -2, 10, 1, 7, 5, 5, 0};
    static const char *const ids[] = {"p3", "m2", "p10", "p1", "p7", "t5a", "t5b", "p0"};
    for (int i = 0; i < 8; i++)
        mini_task(&m, i, ids[i], "exit 0", prio[i], false);
    mini_pipeline(&m, "prio", 8);
    flux_value params = {.t = FLUX_T_NONE};
    flux_interval d1 = {86400000, 2 * 86400000, 2 * 86400000}, d2 = {2 * 86400000, 3 * 86400000, 3 * 86400000};
    seen sn = {0};
    flux_executor *ex = executor_j(s, dir, &sn, 1);
    check(flux_exec_add_run(ex, &m.p, "", utc, &d1, "manual", "prio-1", params) == 0, "add run prio-1");
    check(flux_exec_run(ex) == 0, "prio-1 succeeded");
    check(!strcmp(the_fake->started, "p10.1 p7.1 t5a.1 t5b.1 p3.1 p1.1 p0.1 m2.1 "), "-j 1 by priority: %s",
          the_fake->started);
    flux_exec_free(ex);

    /* the later run added first: its equal-priority tries still wait for the earlier run's */
    static mini two;
    mini_task(&two, 0, "lo", "exit 0", 1, false);
    mini_task(&two, 1, "hi", "exit 0", 4, false);
    mini_pipeline(&two, "prio_days", 2);
    seen sn2 = {0};
    ex = executor_j(s, dir, &sn2, 1);
    check(flux_exec_add_run(ex, &two.p, "", utc, &d2, "backfill", "day-2", params) == 0, "add day-2");
    check(flux_exec_add_run(ex, &two.p, "", utc, &d1, "backfill", "day-1", params) == 0, "add day-1");
    check(flux_exec_run(ex) == 0, "both days succeeded");
    check(!strcmp(the_fake->started_runs, "day-1:hi day-2:hi day-1:lo day-2:lo "), "started: %s",
          the_fake->started_runs);
    check(sn2.runs_ok == 2, "two runs ended");
    flux_exec_free(ex);
}

/* depends_on_past between two versions of a pipeline in one executor: the
 * previous run's instance is found by task id (its plan orders them
 * otherwise); a failed one blocks with a note naming it; a task the
 * previous version lacks runs; one whose previous instance succeeded runs */
static void test_past(flux_store *s, const char *dir, const flux_tz *utc)
{
    static mini v1, v2;
    mini_task(&v1, 0, "ok", "exit 0", 1, true);
    mini_task(&v1, 1, "load", "exit 1", 1, true);
    mini_pipeline(&v1, "past", 2);
    mini_task(&v2, 0, "added", "exit 0", 1, true);
    mini_task(&v2, 1, "load", "exit 0", 1, true);
    mini_task(&v2, 2, "ok", "exit 0", 1, true);
    mini_pipeline(&v2, "past", 3);
    flux_value params = {.t = FLUX_T_NONE};
    flux_interval d1 = {86400000, 2 * 86400000, 2 * 86400000}, d2 = {2 * 86400000, 3 * 86400000, 3 * 86400000};
    seen sn = {0};
    flux_executor *ex = executor_j(s, dir, &sn, 2);
    check(flux_exec_add_run(ex, &v1.p, "", utc, &d1, "backfill", "past-1", params) == 0, "add past-1");
    check(flux_exec_add_run(ex, &v2.p, "", utc, &d2, "backfill", "past-2", params) == 0, "add past-2");
    flux_exec_run(ex);
    flux_exec_free(ex);
    flux_run_row r2;
    flux_ti_row *rows = NULL;
    size_t n = 0;
    check(flux_store_find_run(s, "past", "past-2", &r2) == 0 && flux_store_list_tis(s, r2.id, &rows, &n) == 0,
          "past-2's tries");
    int tries;
    check(!strcmp(state_of(rows, n, "added", &tries), "success"), "a task the previous version lacks runs");
    check(!strcmp(state_of(rows, n, "ok", &tries), "success"), "after a success in the previous run it runs");
    check(!strcmp(state_of(rows, n, "load", &tries), "upstream_failed"), "after a failure it is blocked");
    const char *note = "";
    for (size_t i = 0; i < n; i++)
        if (!strcmp(rows[i].task, "load") && rows[i].note)
            note = rows[i].note;
    check(strstr(note, "blocked by depends_on_past: load ended failed in the previous run, past-1;") != NULL,
          "the note: %s", note);
    flux_ti_rows_free(rows, n);
}

int main(void)
{
    char dir[] = "/tmp/flux-test-exec.XXXXXX";
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    char url[128], err[256];
    snprintf(url, sizeof url, "sqlite://%s/flux.db", dir);
    flux_store *s;
    if (flux_store_open(url, &s, err, sizeof err) != 0) {
        printf("FAIL: open %s: %s\n", url, err);
        return 1;
    }
    const flux_tz *utc = flux_tz_load("UTC", err, sizeof err);
    task(0, "a", "exit 0", NULL, 0);
    task(1, "b", "exit 0", NULL, 0);
    task(2, "bad", "exit 3", NULL, 1);
    task(3, "after_bad", "exit 0", NULL, 0);
    task(4, "cleanup", "exit 0", "one_failed", 0);
    task(5, "skip", "exit 99", NULL, 0);
    task(6, "after_skip", "exit 0", NULL, 0);
    attrs[2][2] = (flux_attr){.key = "retry_delay", .val = {.kind = FLUX_F_DURATION, .u.ms = 5}};
    tasks[2].attrs.n = tasks[2].attrs.cap = 3;
    flux_edge edges[4];
    memset(edges, 0, sizeof edges);
    uint32_t ab[4][2] = {{0, 1}, {2, 3}, {2, 4}, {5, 6}};
    for (int i = 0; i < 4; i++) {
        edges[i].a = ab[i][0], edges[i].b = ab[i][1];
        edges[i].from = tasks[ab[i][0]].id, edges[i].to = tasks[ab[i][1]].id;
    }
    flux_pipeline p = {.name = "fake", .tasks = taskp, .ntasks = NT, .edges = edges, .nedges = 4};
    flux_interval iv = {86400000, 2 * 86400000, 2 * 86400000};
    flux_value params = {.t = FLUX_T_NONE};

    /* one run: rules, retries, skips, through the fake backend */
    seen sn = {0};
    flux_executor *ex = executor(s, dir, &sn);
    check(flux_exec_add_run(ex, &p, "", utc, &iv, "manual", "r1", params) == 0, "add run r1");
    check(flux_exec_run(ex) == 1, "a run with an upstream_failed leaf fails");
    check(!strcmp(the_fake->started, "a.1 bad.1 skip.1 b.1 bad.2 cleanup.1 "), "started in order: %s",
          the_fake->started);
    check(sn.runs_failed == 1 && sn.runs_ok == 0, "one run ended, failed");
    check(strstr(sn.ends, "bad=up_for_retry ") && strstr(sn.ends, "bad=failed ") &&
              strstr(sn.ends, "after_bad=upstream_failed ") && strstr(sn.ends, "skip=skipped ") &&
              strstr(sn.ends, "after_skip=skipped ") && strstr(sn.ends, "cleanup=success "),
          "reported: %s", sn.ends);
    flux_exec_free(ex);
    flux_run_row row;
    flux_ti_row *rows = NULL;
    size_t n = 0;
    check(flux_store_find_run(s, "fake", "r1", &row) == 0 && row.state == FLUX_RUN_FAILED,
          "run r1 failed in the store");
    check(flux_store_list_tis(s, row.id, &rows, &n) == 0, "list tries");
    static const struct {
        const char *task, *state;
        int tries;
    } want[] = {{"a", "success", 1},        {"b", "success", 1},       {"bad", "failed", 2},
                {"after_bad", "upstream_failed", 1}, {"cleanup", "success", 1}, {"skip", "skipped", 1},
                {"after_skip", "skipped", 1}};
    for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
        int tries;
        const char *st = state_of(rows, n, want[i].task, &tries);
        check(!strcmp(st, want[i].state) && tries == want[i].tries, "%s: %s after %d tries, expected %s after %d",
              want[i].task, st, tries, want[i].state, want[i].tries);
    }
    flux_ti_rows_free(rows, n);

    /* a resumed run: a try a previous runner left running that finished
     * meanwhile is taken from the backend's recovery, not started again */
    flux_run_row in = {0}, r2;
    snprintf(in.pipeline, sizeof in.pipeline, "fake");
    snprintf(in.run_id, sizeof in.run_id, "r2");
    snprintf(in.trigger, sizeof in.trigger, "manual");
    in.state = FLUX_RUN_RUNNING;
    in.interval_start = in.logical_date = iv.start_ms;
    in.interval_end = iv.end_ms;
    bool created;
    int64_t ti;
    check(flux_store_create_run(s, &in, NULL, NULL, 1000, &r2, &created) == 0 && created, "create run r2");
    check(flux_store_ti_insert(s, r2.id, "a", 1, FLUX_TI_RUNNING, 1000, &ti) == 0, "a left running");
    seen sn2 = {0};
    ex = executor(s, dir, &sn2);
    check(flux_exec_add_run(ex, &p, "", utc, &iv, "manual", "r2", params) == 0, "resume run r2");
    flux_exec_run(ex);
    check(the_fake->recovered == 1 && sn2.recovered == 1, "one try recovered");
    check(strncmp(the_fake->started, "a.", 2) != 0 && !strstr(the_fake->started, " a."), "a not started again: %s",
          the_fake->started);
    check(strstr(sn2.ends, "a=success ") != NULL, "a's recovered status taken: %s", sn2.ends);
    flux_exec_free(ex);

    test_priority(s, dir, utc);
    test_past(s, dir, utc);

    flux_store_close(s);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        perror("rm");
    printf("test_exec: %d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
