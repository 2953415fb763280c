/* scheduler — the scheduler service behind `flux scheduler`: the
 * long-running process that deploys what is committed and runs it on its
 * schedule. It prints nothing itself: log lines, failures and deploy
 * reports go to the callbacks of flux_scheduler_opts.
 *
 * One libuv loop (the executor's, in service mode) holds everything:
 *   - the sources, watched, compiled and deployed (sched_sources.c);
 *   - a tick, at the next fire time and at least every second, that reads the
 *     pipelines from the store (so `flux deploy`, pause and unpause by anyone
 *     take effect), creates the runs that are due and picks up queued runs
 *     nobody executes (flux trigger, or a dead scheduler's);
 *   - a heartbeat row every second (written by the executor: owner.h),
 *     which `flux status` reads and other schedulers judge it by.
 * Runs are created with their (pipeline, run_id) unique in the store and then
 * claimed by a conditional UPDATE of their control row: with two schedulers on
 * one MySQL store both may create a run, exactly one executes it. A run keeps
 * the plan version it was created with until it ends.
 * A store error never stops the service: a failed read or write is logged
 * (with its run and task) and tried again at a later tick, with backoff; a
 * run whose transition could not be written is let go by the executor and
 * adopted again from the store, where its journal tells what its tasks did
 * meanwhile; a lost MySQL connection is opened again by the store. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

#include "compile.h"
#include "clock.h"
#include "attr.h"
#include "conn.h"
#include "deploy.h"
#include "home.h"
#include "load.h"
#include "scheduler.h"
#include "executor.h"
#include "render.h"
#include "schedule.h"
#include "store.h"
#include "scheduler_int.h"

#define logf_ flux_scheduler_logf

#define RETRY_MIN_MS 1000  /* a run let go after a store error: first try again after */
#define RETRY_MAX_MS 30000 /* and at most this long after the last try */

/* a plan version loaded, shared by the runs created on it */
static void say(sched *S, bool error, const char *fmt, va_list ap)
{
    char line[4096];
    vsnprintf(line, sizeof line, fmt, ap);
    if (S->o->log)
        S->o->log(S->o->ud, error, line);
}

/* a log line */
void flux_scheduler_logf(sched *S, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    say(S, false, fmt, ap);
    va_end(ap);
}

/* a failure, the whole line as the commands print it */
static void errf_(sched *S, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void errf_(sched *S, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    say(S, true, fmt, ap);
    va_end(ap);
}

static void store_trouble(sched *S, const char *what);

/* ---- plans ---- */

/* The plan, loaded once and shared. NULL when it cannot be read (*transient:
 * the store failed, try again later) or does not load (a broken plan). */
static splan *plan_get_or(sched *S, const char *plan_id, bool *transient)
{
    *transient = false;
    for (splan *p = S->plans; p; p = p->next)
        if (!strcmp(p->id, plan_id)) {
            p->refs++;
            return p;
        }
    char *text = flux_store_get_plan(S->s, plan_id);
    if (!text) {
        /* a run's plan is in the store (a foreign key says so): not reading
         * it is the store's trouble, not the run's */
        store_trouble(S, "reading a plan");
        *transient = true;
        return NULL;
    }
    splan *p = calloc(1, sizeof *p);
    if (!p)
        abort();
    snprintf(p->id, sizeof p->id, "%s", plan_id);
    char err[1024];
    int rc = flux_load_plan_text(&p->c, plan_id, text, strlen(text), err, sizeof err);
    free(text);
    if (rc != 0)
        errf_(S, "flux: %s", err);
    else if ((rc = flux_load_timetable(p->c.pipelines[0], &p->tt, err, sizeof err)) != 0)
        errf_(S, "flux scheduler: %s", err);
    if (rc != 0) {
        flux_compilation_free(&p->c);
        free(p);
        return NULL;
    }
    p->p = p->c.pipelines[0];
    p->refs = 1;
    p->next = S->plans;
    S->plans = p;
    return p;
}

static splan *plan_get(sched *S, const char *plan_id)
{
    bool transient;
    return plan_get_or(S, plan_id, &transient);
}

static void plan_put(sched *S, splan *p)
{
    if (!p || --p->refs > 0)
        return;
    for (splan **pp = &S->plans; *pp; pp = &(*pp)->next)
        if (*pp == p) {
            *pp = p->next;
            break;
        }
    flux_compilation_free(&p->c);
    free(p);
}

splan *flux_scheduler_plan(sched *S, const char *plan_id)
{
    return plan_get(S, plan_id);
}

void flux_scheduler_plan_put(sched *S, splan *p)
{
    plan_put(S, p);
}

/* ---- runs ---- */

struct mine {
    int64_t run; /* id in the store */
    splan *plan; /* a reference, given back when the run ends */
};

static bool is_mine(sched *S, int64_t run)
{
    for (size_t i = 0; i < S->nmine; i++)
        if (S->mine[i].run == run)
            return true;
    return false;
}

/* the run ended: its plan reference goes back */
static void forget_mine(sched *S, int64_t run)
{
    for (size_t i = 0; i < S->nmine; i++)
        if (S->mine[i].run == run) {
            plan_put(S, S->mine[i].plan);
            S->mine[i] = S->mine[--S->nmine];
            return;
        }
}

static void on_tick(uv_timer_t *t);
static void run_detached(void *ud, const flux_run_row *row, const char *why);
static struct retry *retry_of(sched *S, int64_t run);

static void run_ended(void *ud, const flux_run_row *row)
{
    sched *S = ud;
    forget_mine(S, row->id);
    logf_(S, "run %s of %s: %s", row->run_id, row->pipeline, flux_run_state_name(row->state));
    /* a slot under max_active_runs may have opened */
    if (!S->stopping)
        uv_timer_start(&S->tick, on_tick, 0, 0);
}

/* Executes a run of the store here (it is claimed). params: the overrides
 * flux trigger recorded (a JSON array of "name=value"), or NULL. */
static int execute(sched *S, const flux_run_row *row, const char *params_json)
{
    bool transient;
    splan *plan = plan_get_or(S, row->plan_id, &transient);
    if (!plan && transient) {
        run_detached(S, row, flux_store_error(S->s));
        return -1;
    }
    if (!plan) {
        flux_store_set_run_state(S->s, row->id, FLUX_RUN_FAILED, flux_clock_wall_ms());
        logf_(S, "run %s of %s failed: its plan %.12s cannot be loaded", row->run_id, row->pipeline, row->plan_id);
        return -1;
    }
    char *over[64];
    size_t nover = 0;
    json_t *a = params_json ? json_loads(params_json, 0, NULL) : NULL;
    for (size_t i = 0; i < json_array_size(a) && nover < 64; i++)
        if (json_is_string(json_array_get(a, i)))
            over[nover++] = (char *)json_string_value(json_array_get(a, i));
    flux_value params;
    char err[512];
    int rc = flux_run_params(plan->c.arena, plan->p, over, nover, &params, err, sizeof err);
    json_decref(a);
    if (rc != 0) {
        flux_store_set_run_state(S->s, row->id, FLUX_RUN_FAILED, flux_clock_wall_ms());
        logf_(S, "run %s of %s failed: %s", row->run_id, row->pipeline, err);
        plan_put(S, plan);
        return -1;
    }
    flux_interval iv = {row->interval_start, row->interval_end, row->interval_end};
    /* mine before the executor has it: adding it starts its first tasks,
     * and a store failure there lets it go (run_detached), or its end is
     * recorded (run_ended), before flux_exec_add_run returns; either one
     * forgets it, which must not leave it "mine" for ever, never adopted
     * again (scheduler/soak saw a run left running so) */
    S->mine = realloc(S->mine, (S->nmine + 1) * sizeof *S->mine);
    if (!S->mine)
        abort();
    S->mine[S->nmine++] = (struct mine){row->id, plan};
    int rc2 = flux_exec_add_run(S->ex, plan->p, plan->id, plan->tt.tz, &iv, row->trigger, row->run_id, params);
    if (rc2 != 0) {
        /* claimed but not started (a store error, or claimed away meanwhile):
         * run_detached forgets it and the tick tries again later */
        run_detached(S, row, rc2 == FLUX_EXEC_BUSY ? flux_exec_busy(S->ex) : flux_store_error(S->s));
        return -1;
    }
    /* let go while being added: its retry stands */
    return is_mine(S, row->id) || !retry_of(S, row->id) ? 0 : -1;
}

/* ---- store errors ---- */

struct retry {
    int64_t run;
    int64_t at, delay_ms; /* adopt again at this time; the next wait doubles */
};

static struct retry *retry_of(sched *S, int64_t run)
{
    for (size_t i = 0; i < S->nretry; i++)
        if (S->retry[i].run == run)
            return &S->retry[i];
    return NULL;
}

static void retry_drop(sched *S, int64_t run)
{
    struct retry *r = retry_of(S, run);
    if (r)
        *r = S->retry[--S->nretry];
}

/* A store error seen at every tick while the store is away: logged when it
 * changes, and once a minute while it lasts. */
static void store_trouble(sched *S, const char *what)
{
    char line[512];
    snprintf(line, sizeof line, "%s: %s", what, flux_store_error(S->s));
    int64_t now = flux_clock_mono_ms();
    if (!strcmp(line, S->last_log) && now - S->last_log_ms < 60000)
        return;
    snprintf(S->last_log, sizeof S->last_log, "%s", line);
    S->last_log_ms = now;
    logf_(S, "%s (trying again)", line);
}

/* the executor let a run go: a transition of it could not be written */
static void run_detached(void *ud, const flux_run_row *row, const char *why)
{
    sched *S = ud;
    forget_mine(S, row->id);
    struct retry *r = retry_of(S, row->id);
    if (!r) {
        S->retry = realloc(S->retry, (S->nretry + 1) * sizeof *S->retry);
        if (!S->retry)
            abort();
        r = &S->retry[S->nretry++];
        *r = (struct retry){row->id, 0, RETRY_MIN_MS / 2};
    }
    r->delay_ms = r->delay_ms * 2 > RETRY_MAX_MS ? RETRY_MAX_MS : r->delay_ms * 2;
    r->at = flux_clock_wall_ms() + r->delay_ms;
    logf_(S, "run %s of %s: the store failed (%s); it is picked up again from the store in %" PRId64 " s",
          row->run_id, row->pipeline, why, r->delay_ms / 1000);
}

/* Runs nobody executes here that this scheduler may: queued by `flux
 * trigger` (no owner), its own after a store error, or those of a scheduler
 * that is gone. A run a `flux run` owns is left to `flux run`, alive or
 * not: a run started in a terminal is resumed from a terminal. */
static void adopt_runs(sched *S, int64_t now)
{
    flux_run_row *rows;
    size_t n;
    if (flux_store_unfinished_runs(S->s, &rows, &n) != 0) {
        store_trouble(S, "listing unfinished runs");
        return;
    }
    flux_scheduler_row *sr = NULL;
    size_t nsr = 0;
    bool listed = false;
    for (size_t i = 0; i < n && !S->stopping; i++) {
        if (is_mine(S, rows[i].id) || !rows[i].plan_id[0])
            continue;
        struct retry *rt = retry_of(S, rows[i].id);
        if (rt && rt->at > now)
            continue;
        char owner[256];
        char *params = NULL;
        int rc = flux_store_run_control(S->s, rows[i].id, owner, sizeof owner, &params);
        if (rc < 0) {
            store_trouble(S, "reading a run's owner");
            break;
        }
        if (rc == 1 && strcmp(rows[i].trigger, "manual") != 0 && strcmp(rows[i].trigger, "scheduled") != 0) {
            free(params); /* made by a flux older than owners: a backfill in a terminal */
            continue;
        }
        const char *steal = NULL, *how = "started";
        if (owner[0] && !strcmp(owner, S->id)) {
            /* let go after a store error, or ended here and queued again by flux clear */
            how = rt ? "picked up again after a store error" : "started again";
        } else if (owner[0]) {
            if (!listed) {
                if (flux_store_list_schedulers(S->s, &sr, &nsr) != 0) {
                    store_trouble(S, "reading the schedulers");
                    free(params);
                    break;
                }
                listed = true;
            }
            flux_owner_seen seen;
            flux_owner_look(S->s, sr, nsr, owner, now, &seen);
            if (seen.alive || seen.kind == FLUX_OWNER_RUNNER) {
                free(params);
                continue;
            }
            steal = owner;
            how = "taken over from a scheduler that is gone";
        }
        bool claimed = false;
        if (flux_store_claim_run(S->s, rows[i].id, S->id, steal, now, &claimed) != 0) {
            store_trouble(S, "claiming a run");
        } else if (claimed) {
            logf_(S, "run %s of %s: %s", rows[i].run_id, rows[i].pipeline, how);
            if (execute(S, &rows[i], params) == 0)
                retry_drop(S, rows[i].id);
        }
        free(params);
    }
    free(sr);
    free(rows);
}

/* the latest interval already fired at now, or -1 */
static int latest_fired(const flux_timetable *tt, int64_t now, flux_interval *out)
{
    flux_interval cur;
    if (flux_timetable_at(tt, now, &cur) == 0) {
        if (cur.fire_ms <= now) { /* @once */
            *out = cur;
            return 0;
        }
        return flux_timetable_at(tt, cur.start_ms - 1, out);
    }
    if (flux_timetable_first(tt, &cur) != 0 || cur.fire_ms > now)
        return -1;
    /* past the end: the last interval */
    if (tt->end_ms != INT64_MAX && flux_timetable_at(tt, tt->end_ms - 1, out) == 0 && out->fire_ms <= now)
        return 0;
    return -1;
}

/* Creates the pipeline's due runs, oldest first, while its active runs stay
 * under max_active_runs. */
static void schedule_pipe(sched *S, spipe *sp, int64_t now)
{
    splan *pl = sp->plan;
    if (!pl || sp->paused || sp->removed)
        return;
    if (sp->next_fire && sp->next_fire > now)
        return;
    int max_runs = (int)flux_attr_int(&pl->p->attrs, "max_active_runs", 16);
    bool catchup = flux_attr_bool(&pl->p->attrs, "catchup", false);
    int64_t last = 0;
    bool any = flux_store_last_scheduled(S->s, sp->name, &last) == 0;
    flux_interval iv;
    if (!catchup) {
        if (latest_fired(&pl->tt, now, &iv) != 0 || (any && iv.start_ms <= last)) {
            /* nothing fired since: wait for the next fire */
            flux_interval nx;
            if (latest_fired(&pl->tt, now, &iv) == 0 && flux_timetable_next(&pl->tt, &iv, &nx) == 0)
                sp->next_fire = nx.fire_ms;
            else if (flux_timetable_first(&pl->tt, &nx) == 0 && nx.fire_ms > now)
                sp->next_fire = nx.fire_ms;
            else
                sp->next_fire = now + 60000;
            return;
        }
    } else if (any) {
        flux_interval prev;
        if (flux_timetable_at(&pl->tt, last, &prev) != 0 || flux_timetable_next(&pl->tt, &prev, &iv) != 0) {
            sp->next_fire = now + 60000; /* the schedule ended */
            return;
        }
    } else if (flux_timetable_first(&pl->tt, &iv) != 0) {
        sp->next_fire = now + 60000;
        return;
    }
    for (int guard = 0; guard < 1000 && iv.fire_ms <= now && !S->stopping; guard++) {
        int active = 0;
        if (flux_store_active_runs(S->s, sp->name, &active) != 0 || active >= max_runs) {
            sp->next_fire = 0; /* a run's end ticks again */
            return;
        }
        flux_run_row in, row;
        memset(&in, 0, sizeof in);
        snprintf(in.pipeline, sizeof in.pipeline, "%s", sp->name);
        snprintf(in.run_id, sizeof in.run_id, "%s", flux_run_id(pl->c.arena, "scheduled", iv.start_ms));
        snprintf(in.plan_id, sizeof in.plan_id, "%s", pl->id);
        snprintf(in.trigger, sizeof in.trigger, "scheduled");
        in.state = FLUX_RUN_QUEUED;
        in.interval_start = iv.start_ms;
        in.interval_end = iv.end_ms;
        in.logical_date = iv.start_ms;
        bool created = false, claimed = false;
        if (flux_store_create_run(S->s, &in, S->id, NULL, now, &row, &created) != 0) {
            store_trouble(S, "creating a run");
            return;
        }
        /* created: it is ours from that transaction on; made by another
         * scheduler meanwhile: ours only if that one left it unclaimed */
        if (created || (flux_store_claim_run(S->s, row.id, S->id, NULL, now, &claimed) == 0 && claimed)) {
            logf_(S, "run %s of %s (version %d) created", row.run_id, sp->name, sp->version);
            execute(S, &row, NULL);
        }
        if (!catchup)
            break;
        if (flux_timetable_next(&pl->tt, &iv, &iv) != 0) {
            sp->next_fire = now + 60000;
            return;
        }
    }
    sp->next_fire = iv.fire_ms > now ? iv.fire_ms : 0;
    if (!catchup) {
        flux_interval nx;
        if (latest_fired(&pl->tt, now, &iv) == 0 && flux_timetable_next(&pl->tt, &iv, &nx) == 0)
            sp->next_fire = nx.fire_ms;
    }
}

/* the pipelines as the store knows them: deployments by anyone, pause,
 * removal; a new version's plan is loaded for the runs to come */
static void refresh_pipes(sched *S)
{
    flux_pipeline_row *rows;
    size_t n;
    if (flux_store_list_pipelines(S->s, &rows, &n) != 0) {
        store_trouble(S, "reading pipelines");
        return;
    }
    for (size_t i = 0; i < S->npipes; i++)
        S->pipes[i].seen = false;
    for (size_t i = 0; i < n; i++) {
        if (!rows[i].version)
            continue; /* only ever run by flux run, never deployed */
        spipe *sp = NULL;
        for (size_t k = 0; k < S->npipes && !sp; k++)
            if (!strcmp(S->pipes[k].name, rows[i].name))
                sp = &S->pipes[k];
        if (!sp) {
            S->pipes = realloc(S->pipes, (S->npipes + 1) * sizeof *S->pipes);
            if (!S->pipes)
                abort();
            sp = &S->pipes[S->npipes++];
            memset(sp, 0, sizeof *sp);
            snprintf(sp->name, sizeof sp->name, "%s", rows[i].name);
        }
        sp->seen = true;
        if (sp->paused != rows[i].paused || sp->removed != rows[i].removed)
            sp->next_fire = 0;
        sp->paused = rows[i].paused;
        sp->removed = rows[i].removed;
        if (!sp->plan || strcmp(sp->plan->id, rows[i].plan_id) != 0) {
            splan *np = plan_get(S, rows[i].plan_id);
            if (np) {
                if (sp->plan)
                    logf_(S, "%s: version %d is current; new runs use it", sp->name, rows[i].version);
                plan_put(S, sp->plan);
                sp->plan = np;
                sp->version = rows[i].version;
                sp->next_fire = 0;
            }
        }
    }
    for (size_t i = 0; i < S->npipes; i++)
        if (!S->pipes[i].seen && S->pipes[i].plan) {
            plan_put(S, S->pipes[i].plan);
            S->pipes[i].plan = NULL;
        }
    flux_pipeline_rows_free(rows, n);
}

void flux_scheduler_tick_now(sched *S)
{
    if (!S->stopping)
        uv_timer_start(&S->tick, on_tick, 0, 0);
}

static void on_tick(uv_timer_t *t)
{
    sched *S = t->data;
    if (S->stopping)
        return;
    int64_t now = flux_clock_wall_ms();
    refresh_pipes(S);
    adopt_runs(S, now);
    if (now - S->deadlines_ms >= FLUX_DEADLINE_CHECK_MS) {
        S->deadlines_ms = now;
        flux_scheduler_deadlines(S, now);
    }
    int64_t next = now + 1000;
    for (size_t i = 0; i < S->npipes; i++) {
        schedule_pipe(S, &S->pipes[i], now);
        if (S->pipes[i].next_fire && S->pipes[i].next_fire < next)
            next = S->pipes[i].next_fire;
    }
    int64_t wait = next - flux_clock_wall_ms();
    uv_timer_start(&S->tick, on_tick, (uint64_t)(wait > 0 ? wait : 0), 0);
}

/* ---- stopping ---- */

static void close_handle(uv_handle_t *h)
{
    if (!uv_is_closing(h))
        uv_close(h, NULL);
}

static void on_stop_signal(uv_signal_t *h, int sig)
{
    sched *S = h->data;
    if (S->stopping) {
        logf_(S, "second %s: stopping running tasks now", sig == SIGINT ? "SIGINT" : "SIGTERM");
        flux_exec_drain(S->ex, 0);
        return;
    }
    S->stopping = true;
    logf_(S, "%s: no new runs; running tasks have %" PRId64 " s to finish", sig == SIGINT ? "SIGINT" : "SIGTERM",
          S->grace_ms / 1000);
    uv_timer_stop(&S->tick);
    flux_sched_sources_stop(S);
    flux_exec_drain(S->ex, S->grace_ms);
}

static void on_hup(uv_signal_t *h, int sig)
{
    (void)sig;
    sched *S = h->data;
    if (!S->stopping) {
        logf_(S, "SIGHUP: recompiling");
        flux_sched_sources_sync(S, true);
    }
}

/* ---- the service ---- */

static void start_handles(sched *S, uv_loop_t *loop)
{
    uv_timer_init(loop, &S->tick);
    S->tick.data = S;
    uv_signal_init(loop, &S->sigterm);
    uv_signal_init(loop, &S->sigint);
    uv_signal_init(loop, &S->sighup);
    S->sigterm.data = S->sigint.data = S->sighup.data = S;
    uv_signal_start(&S->sigterm, on_stop_signal, SIGTERM);
    uv_signal_start(&S->sigint, on_stop_signal, SIGINT);
    uv_signal_start(&S->sighup, on_hup, SIGHUP);
    flux_sched_sources_start(S, loop);
}

static void close_handles(sched *S)
{
    close_handle((uv_handle_t *)&S->tick);
    close_handle((uv_handle_t *)&S->sigterm);
    close_handle((uv_handle_t *)&S->sigint);
    close_handle((uv_handle_t *)&S->sighup);
    flux_sched_sources_close(S);
}

int flux_scheduler_serve(flux_store *s, const flux_scheduler_opts *o)
{
    sched S;
    memset(&S, 0, sizeof S);
    S.o = o;
    S.s = s;
    S.dir = o->dir;
    S.branch = o->branch;
    S.grace_ms = o->grace_ms;
    snprintf(S.gitdir, sizeof S.gitdir, "%s", o->gitdir ? o->gitdir : "");
    const char *branch = o->branch;
    int jobs = o->jobs;
    int64_t grace_ms = o->grace_ms;
    flux_owner_self(&S.own, FLUX_OWNER_SCHEDULER);
    S.id = S.own.id;
    char self[PATH_MAX];
    ssize_t sl = readlink("/proc/self/exe", self, sizeof self - 1);
    self[sl > 0 ? sl : 0] = '\0';
    flux_exec_opts eo = {0};
    eo.slots = jobs ? jobs : (int)sysconf(_SC_NPROCESSORS_ONLN);
    eo.home = flux_home_abs();
    eo.self = self[0] ? self : "flux";
    eo.conns = o->conns;
    eo.executor = o->executor;
    eo.slurm = o->slurm;
    eo.status = o->status;
    eo.grace_ms = grace_ms;
    eo.service = true;
    eo.run_ended = run_ended;
    eo.run_detached = run_detached;
    eo.ud = &S;
    eo.owner = &S.own;
    mkdir(eo.home, 0755);
    S.ex = flux_exec_new(s, &eo);
    uv_loop_t *loop = flux_exec_loop(S.ex);
    if (flux_owner_beat(s, &S.own, S.own.started, false) != 0) {
        errf_(&S, "flux scheduler: %s", flux_store_error(s));
        flux_exec_free(S.ex);
        return FLUX_EXIT_FAIL;
    }
    logf_(&S, "%s started on %s%s%s (%s, %d slots)", S.id, S.dir, branch ? ", branch " : "", branch ? branch : "",
          flux_store_kind(s), eo.slots);
    start_handles(&S, loop);
    flux_exec_run(S.ex);
    logf_(&S, "stopped");
    close_handles(&S);
    flux_exec_free(S.ex); /* runs the loop until every handle is closed */
    flux_sched_sources_free(&S);
    for (size_t i = 0; i < S.nmine; i++)
        plan_put(&S, S.mine[i].plan);
    for (size_t i = 0; i < S.npipes; i++)
        plan_put(&S, S.pipes[i].plan);
    free(S.pipes);
    free(S.mine);
    free(S.retry);
    free(S.fingerprint);
    return FLUX_EXIT_OK;
}
