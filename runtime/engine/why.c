/* why — why a task instance is in its state, from the store; see why.h.
 *
 * Every fact is read from the store (and the sensor's log), never from a
 * live executor, so the answer is the same from any terminal and for a run
 * whose process is gone. The rules are the executor's: the trigger rule is
 * decided by dag.c on the upstreams' latest tries, retry and poke waits by
 * dag.c's delays, an owner's liveness by owner.c. Reasons are ranked: the
 * one that decides (what the task waits for first) comes first; the facts
 * that do not block it follow.
 */
#include "why.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attr.h"
#include "dag.h"
#include "duration.h"
#include "isotime.h"
#include "owner.h"
#include "plan.h"
#include "views.h"

/* what a reason weighs: the decisive one first, facts last */
enum { R_DECISIVE = 0, R_BLOCKS = 10, R_FACT = 100 };

typedef struct reason {
    int rank, seq; /* seq: the order found, which breaks ties */
    const char *code;
    char *text;
} reason;

typedef struct why {
    flux_store *s;
    const flux_conns *conns;
    const flux_run_row *run;
    int64_t now;
    flux_arena *a;
    flux_sources src;
    const flux_pipeline *p;
    const flux_task *t;
    size_t idx;
    flux_ti_row *rows;
    size_t n;
    const flux_ti_row *ti; /* its latest try, NULL: none */
    json_t *out;
    reason v[24];
    size_t nv;
    int blocking; /* blocking reasons so far: the next one's rank */
    bool by_scheduler; /* a live scheduler executes the run */
} why;

static void say(why *w, int rank, const char *code, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void say(why *w, int rank, const char *code, const char *fmt, ...)
{
    if (w->nv == sizeof w->v / sizeof *w->v)
        return;
    char text[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    w->v[w->nv] = (reason){rank, (int)w->nv, code, flux_arena_strdup(w->a, text)};
    w->nv++;
}

/* a reason that keeps the task from starting: ranked in the order found */
static void blocks(why *w, const char *code, const char *text)
{
    say(w, w->blocking++ ? R_BLOCKS + w->blocking : R_DECISIVE, code, "%s", text);
}

static const char *when(why *w, int64_t ms)
{
    char t[64];
    flux_view_time(ms, t, sizeof t);
    return flux_arena_strdup(w->a, t);
}

static const char *dur(why *w, int64_t ms)
{
    flux_buf b = {0};
    flux_print_duration(ms, &b);
    const char *s = flux_arena_strdup(w->a, b.data ? b.data : "0s");
    flux_buf_free(&b);
    return s;
}

/* the latest try of task among rows (by task then try), NULL: none */
static const flux_ti_row *latest(const flux_ti_row *rows, size_t n, const char *task)
{
    const flux_ti_row *r = NULL;
    for (size_t i = 0; i < n; i++)
        if (!strcmp(rows[i].task, task) && (!r || rows[i].try_number >= r->try_number))
            r = &rows[i];
    return r;
}

static const char *state_of(const flux_ti_row *r)
{
    return r ? flux_ti_state_name(r->state) : "none";
}

static bool finished(flux_ti_state st)
{
    return st == FLUX_TI_SUCCESS || st == FLUX_TI_FAILED || st == FLUX_TI_SKIPPED || st == FLUX_TI_UPSTREAM_FAILED;
}

static bool not_started(const flux_ti_row *r)
{
    return !r || r->state == FLUX_TI_NONE || r->state == FLUX_TI_SCHEDULED || r->state == FLUX_TI_QUEUED;
}

/* ---- the plan ---- */

static int read_plan(why *w, const char *task, char *err, size_t errlen)
{
    char *text = w->run->plan_id[0] ? flux_store_get_plan(w->s, w->run->plan_id) : NULL;
    if (!text) {
        snprintf(err, errlen, "the plan of run %s cannot be read", w->run->run_id);
        return -1;
    }
    char why_not[512];
    flux_plan *pl = flux_plan_read(w->a, &w->src, "plan", text, strlen(text), why_not, sizeof why_not);
    free(text);
    if (!pl) {
        snprintf(err, errlen, "the plan of run %s: %s", w->run->run_id, why_not);
        return -1;
    }
    w->p = pl->pipeline;
    for (size_t i = 0; i < w->p->ntasks; i++)
        if (!strcmp(w->p->tasks[i]->id, task)) {
            w->t = w->p->tasks[i];
            w->idx = i;
            return 0;
        }
    snprintf(err, errlen, "run %s of %s has no task '%s'", w->run->run_id, w->run->pipeline, task);
    return -1;
}

/* ---- the trigger rule and the upstreams ---- */

static flux_dag_outcome outcome(flux_ti_state st)
{
    return st == FLUX_TI_SUCCESS ? FLUX_DAG_SUCCESS
           : st == FLUX_TI_SKIPPED ? FLUX_DAG_SKIPPED
           : st == FLUX_TI_UPSTREAM_FAILED ? FLUX_DAG_UPSTREAM_FAILED
                                           : FLUX_DAG_FAILED;
}

/* the rule's decision so far; blocking says so when it waits */
static void upstream(why *w)
{
    const char *rule = flux_attr_word(&w->t->attrs, "trigger_rule", "all_success");
    flux_dag_counts c = {0};
    json_t *ups = json_array();
    flux_buf list = {0};
    for (size_t e = 0; e < w->p->nedges; e++) {
        if (w->p->edges[e].b != w->idx)
            continue;
        const char *up = w->p->tasks[w->p->edges[e].a]->id;
        const flux_ti_row *r = latest(w->rows, w->n, up);
        json_array_append_new(ups, json_pack("{s:s, s:s}", "task", up, "state", state_of(r)));
        flux_buf_printf(&list, "%s%s %s", list.len ? ", " : "", up, state_of(r));
        if (r && finished(r->state))
            flux_dag_parent_done(&c, outcome(r->state));
        else
            c.waiting++;
    }
    flux_dag_decision d = flux_dag_decide(flux_dag_rule(rule), &c);
    static const char *const names[] = {"wait", "run", "skip", "upstream_failed"};
    json_object_set_new(w->out, "trigger_rule",
                        json_pack("{s:s, s:s, s:o}", "rule", rule, "decision", names[d], "upstream", ups));
    const char *l = list.len ? flux_buf_cstr(&list) : "";
    /* no upstream: nothing to say (the JSON's empty list says so) */
    if (list.len && !not_started(w->ti))
        say(w, R_FACT, "upstream", "upstream (trigger_rule %s): %s", rule, l);
    else if (list.len && d == FLUX_DAG_WAIT)
        blocks(w, "upstream", flux_arena_printf(w->a, "waits for its upstream (trigger_rule %s): %s", rule, l));
    else if (list.len && (d == FLUX_DAG_SKIP || d == FLUX_DAG_UPSTREAM))
        blocks(w, "upstream",
               flux_arena_printf(w->a, "trigger_rule %s will not run it (%s): %s", rule,
                                 d == FLUX_DAG_SKIP ? "skipped" : "upstream_failed", l));
    else if (list.len)
        say(w, R_FACT, "upstream", "upstream done (trigger_rule %s met): %s", rule, l);
    flux_buf_free(&list);
}

/* ---- who executes the run ---- */

/* the owner, and whether a live scheduler executes the run */
static void owner(why *w)
{
    char id[256] = "";
    char *params = NULL;
    int rc = flux_store_run_control(w->s, w->run->id, id, sizeof id, &params);
    free(params);
    bool run_over = w->run->state == FLUX_RUN_SUCCESS || w->run->state == FLUX_RUN_FAILED;
    if (rc != 0 || !id[0]) {
        json_object_set_new(w->out, "owner", json_null());
        if (!run_over) {
            flux_scheduler_row *sr = NULL;
            size_t nsr = 0, alive = 0;
            if (flux_store_list_schedulers(w->s, &sr, &nsr) == 0)
                for (size_t i = 0; i < nsr; i++) {
                    flux_owner_seen seen;
                    if (!strncmp(sr[i].id, "scheduler:", 10) &&
                        flux_owner_look(w->s, sr, nsr, sr[i].id, w->now, &seen) == 0 && seen.alive)
                        alive++;
                }
            free(sr);
            blocks(w, "unclaimed",
                   alive ? flux_arena_printf(w->a, "its run is queued: no scheduler has claimed it yet (%zu alive)",
                                             alive)
                         : "its run is queued and no scheduler is alive to claim it: start flux scheduler");
        }
        return;
    }
    flux_owner_seen seen;
    if (flux_owner_look(w->s, NULL, 0, id, w->now, &seen) != 0)
        snprintf(seen.what, sizeof seen.what, "%s", id);
    int64_t beat = 0;
    flux_scheduler_row *sr = NULL;
    size_t nsr = 0;
    if (flux_store_list_schedulers(w->s, &sr, &nsr) == 0)
        for (size_t i = 0; i < nsr; i++)
            if (!strcmp(sr[i].id, id))
                beat = sr[i].heartbeat;
    free(sr);
    json_object_set_new(w->out, "owner", json_pack("{s:s, s:b, s:s, s:o}", "id", id, "alive", seen.alive, "what",
                                                   seen.what, "heartbeat", flux_view_jtime(beat)));
    w->by_scheduler = seen.alive && seen.kind == FLUX_OWNER_SCHEDULER;
    if (run_over)
        return;
    if (!seen.alive)
        blocks(w, "owner_gone",
               flux_arena_printf(w->a, "its run's owner is gone: %s; %s", seen.what,
                                 seen.kind == FLUX_OWNER_RUNNER ? "flux run of the same date resumes it"
                                                                : "a live scheduler takes the run over"));
    else
        say(w, R_FACT, "owner", "its run is executed by %s", seen.what);
}

/* paused (deployed pipelines only) and max_active_runs */
static void pipeline_limits(why *w)
{
    flux_pipeline_row *pr = NULL;
    size_t np = 0;
    json_t *paused = json_null();
    if (flux_store_list_pipelines(w->s, &pr, &np) == 0)
        for (size_t i = 0; i < np; i++)
            if (!strcmp(pr[i].name, w->run->pipeline) && pr[i].version) {
                json_decref(paused);
                paused = json_boolean(pr[i].paused);
                if (pr[i].paused)
                    say(w, R_FACT + 1, "paused",
                        "pipeline %s is paused: the scheduler creates no new runs of it (flux unpause %s)",
                        w->run->pipeline, w->run->pipeline);
            }
    flux_pipeline_rows_free(pr, np);
    json_object_set_new(w->out, "paused", paused);
    int64_t limit = flux_attr_int(&w->p->attrs, "max_active_runs", 16);
    /* the others that run: a queued run (this one among them) waits */
    int active = 0;
    flux_run_row *runs = NULL;
    size_t nr = 0;
    if (flux_store_unfinished_runs(w->s, &runs, &nr) == 0)
        for (size_t i = 0; i < nr; i++)
            active += runs[i].id != w->run->id && runs[i].state == FLUX_RUN_RUNNING &&
                      !strcmp(runs[i].pipeline, w->run->pipeline);
    free(runs);
    json_object_set_new(w->out, "max_active_runs", json_pack("{s:I, s:i}", "limit", (json_int_t)limit, "active", active));
    if (w->run->state == FLUX_RUN_QUEUED && active >= limit)
        blocks(w, "max_active_runs",
               flux_arena_printf(w->a, "max_active_runs %lld reached: %d other run%s of %s running", (long long)limit,
                                 active, active == 1 ? "" : "s", w->run->pipeline));
}

/* ---- slots: the pool and max_active_tasks, across unfinished runs ---- */

typedef struct slots {
    const char *pool;
    json_t *holders;
    int used, running; /* of the pool; of the pipeline */
} slots;

static void count_run(why *w, const flux_run_row *r, const flux_pipeline *p, const flux_ti_row *rows, size_t n,
                      slots *sl)
{
    for (size_t i = 0; i < p->ntasks; i++) {
        const flux_ti_row *ti = latest(rows, n, p->tasks[i]->id);
        if (!ti || ti->state != FLUX_TI_RUNNING)
            continue;
        if (!strcmp(r->pipeline, w->run->pipeline))
            sl->running++;
        const char *pool = flux_attr_word(&p->tasks[i]->attrs, "pool", NULL);
        if (sl->pool && pool && !strcmp(pool, sl->pool)) {
            sl->used++;
            json_array_append_new(sl->holders, json_pack("{s:s, s:s, s:s, s:i}", "pipeline", r->pipeline, "run_id",
                                                         r->run_id, "task", ti->task, "try", ti->try_number));
        }
    }
}

static void count_slots(why *w, slots *sl)
{
    flux_run_row *runs = NULL;
    size_t nr = 0;
    if (flux_store_unfinished_runs(w->s, &runs, &nr) != 0)
        return;
    for (size_t i = 0; i < nr; i++) {
        if (runs[i].id == w->run->id) {
            count_run(w, &runs[i], w->p, w->rows, w->n, sl);
            continue;
        }
        char *text = runs[i].plan_id[0] ? flux_store_get_plan(w->s, runs[i].plan_id) : NULL;
        char err[256];
        flux_plan *pl = text ? flux_plan_read(w->a, &w->src, "plan", text, strlen(text), err, sizeof err) : NULL;
        free(text);
        flux_ti_row *rows = NULL;
        size_t n = 0;
        if (pl && flux_store_list_tis(w->s, runs[i].id, &rows, &n) == 0) {
            count_run(w, &runs[i], pl->pipeline, rows, n, sl);
            flux_ti_rows_free(rows, n);
        }
    }
    free(runs);
}

static void holders_text(json_t *holders, flux_buf *b)
{
    size_t i;
    json_t *h;
    json_array_foreach(holders, i, h)
    {
        flux_buf_printf(b, "%s%s %s %s try %d", i ? ", " : "", json_string_value(json_object_get(h, "pipeline")),
                        json_string_value(json_object_get(h, "run_id")),
                        json_string_value(json_object_get(h, "task")),
                        (int)json_integer_value(json_object_get(h, "try")));
    }
}

static void pool_and_tasks(why *w, bool by_scheduler)
{
    slots sl = {.pool = flux_attr_word(&w->t->attrs, "pool", NULL), .holders = json_array()};
    count_slots(w, &sl);
    int64_t slots_n = -1;
    for (size_t i = 0; sl.pool && w->conns && i < w->conns->npools; i++)
        if (!strcmp(w->conns->pool_names[i], sl.pool))
            slots_n = w->conns->pool_slots[i];
    bool waiting = not_started(w->ti);
    if (!sl.pool) {
        json_object_set_new(w->out, "pool", json_null());
        json_decref(sl.holders);
    } else {
        flux_buf b = {0};
        holders_text(sl.holders, &b);
        const char *held = b.len ? flux_buf_cstr(&b) : "nobody";
        char of[32] = "?";
        if (slots_n >= 0)
            snprintf(of, sizeof of, "%lld", (long long)slots_n);
        if (waiting && slots_n >= 0 && sl.used >= slots_n)
            blocks(w, "pool",
                   flux_arena_printf(w->a, "pool %s is full (%d of %s slots): held by %s", sl.pool, sl.used, of, held));
        else
            say(w, R_FACT + 2, "pool", "pool %s: %d of %s slots used%s%s", sl.pool, sl.used, of,
                sl.used ? " by " : "", sl.used ? held : "");
        flux_buf_free(&b);
        json_object_set_new(w->out, "pool",
                            json_pack("{s:s, s:o, s:i, s:o}", "name", sl.pool, "slots",
                                      slots_n >= 0 ? json_integer(slots_n) : json_null(), "used", sl.used, "holders",
                                      sl.holders));
    }
    int64_t limit = flux_attr_int(&w->p->attrs, "max_active_tasks", 16);
    json_object_set_new(w->out, "max_active_tasks", json_pack("{s:I, s:i, s:b}", "limit", (json_int_t)limit,
                                                              "running", sl.running, "applies", by_scheduler));
    /* only a scheduler holds a pipeline to it (flux run runs its own run) */
    if (waiting && by_scheduler && sl.running >= limit)
        blocks(w, "max_active_tasks",
               flux_arena_printf(w->a, "max_active_tasks %lld reached: %d task instance%s of %s running",
                                 (long long)limit, sl.running, sl.running == 1 ? "" : "s", w->run->pipeline));
}

/* ---- depends_on_past ---- */

static void past(why *w)
{
    if (!flux_attr_bool(&w->t->attrs, "depends_on_past", false)) {
        json_object_set_new(w->out, "depends_on_past", json_null());
        return;
    }
    flux_run_row prev;
    json_t *j = json_object();
    json_object_set_new(w->out, "depends_on_past", j);
    if (flux_store_previous_run(w->s, w->run->pipeline, w->run->logical_date, &prev) != 0) {
        json_object_set_new(j, "previous_run", json_null());
        json_object_set_new(j, "state", json_null());
        say(w, R_FACT, "depends_on_past", "depends_on_past: no previous run, so nothing to wait for");
        return;
    }
    flux_ti_row *rows = NULL;
    size_t n = 0;
    const flux_ti_row *r = NULL;
    if (flux_store_list_tis(w->s, prev.id, &rows, &n) == 0)
        r = latest(rows, n, w->t->id);
    json_object_set_new(j, "previous_run", json_pack("{s:I, s:s, s:s}", "id", (json_int_t)prev.id, "run_id",
                                                     prev.run_id, "state", flux_run_state_name(prev.state)));
    json_object_set_new(j, "state", json_string(state_of(r)));
    const char *st = state_of(r);
    if (r && (r->state == FLUX_TI_SUCCESS || r->state == FLUX_TI_SKIPPED))
        say(w, R_FACT, "depends_on_past", "depends_on_past: its instance in the previous run %s is %s", prev.run_id,
            st);
    else if (!not_started(w->ti))
        say(w, R_FACT, "depends_on_past", "depends_on_past: its instance in the previous run %s is %s", prev.run_id,
            st);
    else if (r && finished(r->state))
        blocks(w, "depends_on_past",
               flux_arena_printf(w->a,
                                 "depends_on_past: its instance in the previous run %s ended %s, so it will end "
                                 "upstream_failed (flux clear %s %s, then run again)",
                                 prev.run_id, st, prev.run_id, w->t->id));
    else
        blocks(w, "depends_on_past",
               flux_arena_printf(w->a, "depends_on_past: waits for its instance in the previous run %s (%s)",
                                 prev.run_id, st));
    flux_ti_rows_free(rows, n);
}

/* ---- a sensor's pokes: its log has one line per poke ---- */

typedef struct pokes {
    int n;
    int64_t first, last;
    char result[512];
} pokes;

static void read_pokes(const char *path, pokes *pk)
{
    memset(pk, 0, sizeof *pk);
    FILE *f = path[0] ? fopen(path, "r") : NULL;
    char line[1400];
    while (f && fgets(line, sizeof line, f)) {
        char *sp = strchr(line, ' '), *colon;
        int num;
        if (!sp || sscanf(sp, " poke %d:", &num) != 1 || !(colon = strchr(sp, ':')))
            continue;
        *sp = '\0';
        int64_t ms;
        bool zone;
        flux_sched_error e;
        if (flux_time_parse(line, &ms, &zone, &e) != 0)
            continue;
        colon[strcspn(colon, "\n")] = '\0';
        pk->n = num;
        pk->last = ms;
        if (!pk->first)
            pk->first = ms;
        snprintf(pk->result, sizeof pk->result, "%s", colon[1] == ' ' ? colon + 2 : colon + 1);
    }
    if (f)
        fclose(f);
}

static void sensor(why *w)
{
    if (!w->t->kind || strcmp(w->t->kind, "sensor") != 0) {
        json_object_set_new(w->out, "sensor", json_null());
        return;
    }
    const flux_attrs *as = &w->t->attrs;
    const char *mode = flux_attr_word(as, "mode", "reschedule");
    int64_t interval = flux_attr_ms(as, "poke_interval", 60000), timeout = flux_attr_ms(as, "timeout", 7LL * 86400000);
    pokes pk;
    read_pokes(w->ti ? w->ti->log_path : "", &pk);
    /* the waits grow as the executor's do: replayed poke by poke */
    int64_t d = 0;
    for (int i = 0; i < pk.n; i++)
        d = flux_dag_poke_delay(d, interval, flux_attr_bool(as, "exponential_backoff", false),
                                flux_attr_ms(as, "max_wait", 0));
    bool waiting = w->ti && (w->ti->state == FLUX_TI_UP_FOR_RESCHEDULE || w->ti->state == FLUX_TI_RUNNING);
    int64_t next = waiting && pk.n ? pk.last + d : 0, ends = pk.first ? pk.first + timeout : 0;
    json_object_set_new(w->out, "sensor",
                        json_pack("{s:s, s:s, s:i, s:o, s:o, s:o, s:o}", "mode", mode, "poke_interval",
                                  dur(w, interval), "pokes", pk.n, "last_poke", flux_view_jtime(pk.last),
                                  "last_result", pk.n ? json_string(pk.result) : json_null(), "next_poke",
                                  flux_view_jtime(next), "times_out_at", flux_view_jtime(ends)));
    if (!waiting)
        return;
    const char *text =
        pk.n ? flux_arena_printf(w->a, "sensor (mode %s): poke %d at %s: %s; next poke at %s (poke_interval %s); "
                                       "times out at %s",
                                 mode, pk.n, when(w, pk.last), pk.result, when(w, next), dur(w, interval),
                                 when(w, ends))
             : flux_arena_printf(w->a, "sensor (mode %s): not poked yet", mode);
    say(w, R_DECISIVE, "poke_wait", "%s", text);
}

/* ---- retries ---- */

static void retry(why *w)
{
    const flux_attrs *as = &w->t->attrs;
    int64_t retries = flux_attr_int(as, "retries", 0);
    if (!w->ti || w->ti->state != FLUX_TI_UP_FOR_RETRY) {
        json_object_set_new(w->out, "retry", json_null());
        return;
    }
    flux_retry_policy p = {flux_attr_ms(as, "retry_delay", 300000),
                           strcmp(flux_attr_word(as, "retry_backoff", "constant"), "exponential") == 0,
                           flux_attr_ms(as, "max_retry_delay", 0)};
    /* the tries a clear ended count from it, as the executor's: the rows
     * say only the latest try's number, so the delay is that try's */
    int64_t delay = flux_dag_retry_delay(&p, w->ti->try_number);
    int64_t next = w->ti->ended ? w->ti->ended + delay : 0;
    json_object_set_new(w->out, "retry", json_pack("{s:I, s:i, s:s, s:o}", "retries", (json_int_t)retries, "tries",
                                                   w->ti->try_number, "retry_delay", dur(w, delay), "next_try",
                                                   flux_view_jtime(next)));
    say(w, R_DECISIVE, "retry_wait", "try %d failed at %s%s%s; try %d (retry %d of %lld) starts at %s (retry_delay %s)",
        w->ti->try_number, when(w, w->ti->ended), w->ti->note ? ": " : "", w->ti->note ? w->ti->note : "",
        w->ti->try_number + 1, w->ti->try_number, (long long)retries, when(w, next), dur(w, delay));
}

/* ---- the whole answer ---- */

static int by_rank(const void *a, const void *b)
{
    const reason *x = a, *y = b;
    return x->rank != y->rank ? (x->rank > y->rank) - (x->rank < y->rank) : x->seq - y->seq;
}

/* the task's own state, when that is the answer */
static void own_state(why *w)
{
    const flux_ti_row *r = w->ti;
    if (r && finished(r->state))
        say(w, R_DECISIVE, "finished", "it ended %s at %s (try %d)%s%s", state_of(r), when(w, r->ended),
            r->try_number, r->note ? ": " : "", r->note ? r->note : "");
    else if (r && r->state == FLUX_TI_RUNNING && !(w->t->kind && !strcmp(w->t->kind, "sensor")))
        say(w, R_DECISIVE, "running", "running since %s (try %d%s)", when(w, r->started), r->try_number,
            r->pid ? flux_arena_printf(w->a, ", pid %d on %s", r->pid, r->host) : "");
    else if (not_started(r) && (w->run->state == FLUX_RUN_SUCCESS || w->run->state == FLUX_RUN_FAILED))
        blocks(w, "run_ended", flux_arena_printf(w->a, "its run ended %s without it (flux clear to run it)",
                                                 flux_run_state_name(w->run->state)));
}

json_t *flux_view_why(flux_store *s, const flux_conns *conns, const flux_run_row *run, const char *task,
                      int64_t now, char *err, size_t errlen)
{
    why w = {.s = s, .conns = conns, .run = run, .now = now, .a = flux_arena_new()};
    flux_sources_init(&w.src);
    json_t *out = NULL;
    if (read_plan(&w, task, err, errlen) != 0)
        goto done;
    if (flux_store_list_tis(s, run->id, &w.rows, &w.n) != 0) {
        snprintf(err, errlen, "%s", flux_store_error(s));
        goto done;
    }
    w.ti = latest(w.rows, w.n, task);
    out = w.out = json_pack("{s:{s:I, s:s, s:s, s:s}, s:s, s:s, s:s, s:s, s:i, s:o, s:o, s:o}", "run", "id",
                            (json_int_t)run->id, "pipeline", run->pipeline, "run_id", run->run_id, "state",
                            flux_run_state_name(run->state), "task", task, "operator", w.t->op, "kind",
                            w.t->kind ? w.t->kind : "", "state", state_of(w.ti), "try",
                            w.ti ? w.ti->try_number : 0, "started", flux_view_jtime(w.ti ? w.ti->started : 0),
                            "ended", flux_view_jtime(w.ti ? w.ti->ended : 0), "note",
                            w.ti && w.ti->note ? json_string(w.ti->note) : json_null());
    /* in the order a task meets them: its run must run, then its
     * upstreams, its past, a slot */
    own_state(&w);
    owner(&w);
    pipeline_limits(&w);
    upstream(&w);
    past(&w);
    pool_and_tasks(&w, w.by_scheduler);
    sensor(&w);
    retry(&w);
    if (not_started(w.ti) && !w.blocking && w.run->state != FLUX_RUN_SUCCESS && w.run->state != FLUX_RUN_FAILED)
        say(&w, R_DECISIVE, "ready", "ready: nothing holds it back; it starts at the next free process slot");
    qsort(w.v, w.nv, sizeof *w.v, by_rank);
    json_t *reasons = json_array();
    for (size_t i = 0; i < w.nv; i++)
        json_array_append_new(reasons, json_pack("{s:s, s:s}", "code", w.v[i].code, "text", w.v[i].text));
    json_object_set_new(out, "reasons", reasons);
done:
    flux_ti_rows_free(w.rows, w.n);
    flux_sources_free(&w.src);
    flux_arena_free(w.a);
    return out;
}
