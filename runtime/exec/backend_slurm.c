/* backend_slurm — the `slurm` executor backend: each try one sbatch job
 * that claims its try in the store by a token and records its own outcome
 * there (slurm_job.c); the store is the truth, Slurm only advisory
 * (runtime/README.md, "Tries as Slurm jobs").
 *
 * start: the spec file (0600, beside the log), the try `submitting` with a
 * fresh token, one `sbatch --parsable` (job name flux-RUN, comment
 * flux:TI:TRY:TOKEN, --no-requeue, --time = timeout + margin, output
 * appended to the try's log, only the passthrough variables exported),
 * then the job id. An sbatch that fails or gives no answer may still have
 * made the job: it is looked up by its comment before the try is given up.
 *
 * Watching: one timer for all tries; each tick, per run with a try here,
 * one read of the run's rows in the store and one squeue. An outcome in
 * the store ends the try; a job Slurm no longer runs (ended, or gone from
 * squeue) with no outcome for lost_grace_ms is marked lost in the store
 * (a conditional statement: a late outcome wins, a late job then finds
 * nothing to claim) and ends FLUX_TRY_LOST. A squeue that fails tells
 * nothing: no try is lost on it.
 */
#define _GNU_SOURCE /* memfd_create */
#include "backend.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>
#include <uv.h>

#include "alloc.h"
#include "attr.h"
#include "clock.h"
#include "rundir.h"
#include "slurm_client.h"
#include "slurm_job.h"
#include "store.h"

typedef struct slurm_backend slurm_backend;

struct flux_proc {
    slurm_backend *b;
    void *ud;
    int64_t ti, run, job_id;
    char run_id[128], token[65], spec[1200];
    char state[33];        /* what squeue said last */
    int64_t gone_since;    /* monotonic ms since Slurm no longer runs it without an outcome (0: it does) */
    bool cancel;           /* queued for the next batched scancel */
    bool live;             /* the last squeue listed its job, id and token, not ended: safe to scancel by id */
    flux_proc *prev, *next;
};

struct slurm_backend {
    flux_backend base;
    uv_loop_t *loop;
    flux_store *store;
    char self[PATH_MAX];
    char *store_url, *store_password, *sbatch_args;
    int64_t poll_ms, lost_grace_ms;
    uv_timer_t tick, cancel;
    bool cancel_armed;
    flux_proc *procs;
    /* why the last try ended lost, read by reason() from done() */
    char last_note[512];
};

/* ---- tries watched ---- */

static flux_proc *proc_new(slurm_backend *b, void *ud, const flux_try_desc *t, const char *token)
{
    flux_proc *p = flux_xcalloc(1, sizeof *p);
    p->b = b;
    p->ud = ud;
    p->ti = t->ti_id;
    p->run = t->run_row_id;
    snprintf(p->run_id, sizeof p->run_id, "%s", t->run_id);
    snprintf(p->token, sizeof p->token, "%s", token);
    snprintf(p->spec, sizeof p->spec, "%.*s.slurm.json", (int)strlen(t->log_path) - 4, t->log_path);
    p->next = b->procs;
    if (b->procs)
        b->procs->prev = p;
    b->procs = p;
    return p;
}

static void proc_unlink(flux_proc *p)
{
    if (p->prev)
        p->prev->next = p->next;
    else
        p->b->procs = p->next;
    if (p->next)
        p->next->prev = p->prev;
}

static void sweep_run(slurm_backend *b, int64_t run, const char *run_id);

/* the try ended: its spec goes (a job that never ran leaves it), then
 * done(); when it was the run's last watched try, the run's stray jobs go */
static void proc_end(flux_proc *p, int status)
{
    slurm_backend *b = p->b;
    void *ud = p->ud;
    int64_t run = p->run;
    char run_id[128];
    snprintf(run_id, sizeof run_id, "%s", p->run_id);
    unlink(p->spec);
    proc_unlink(p);
    free(p);
    b->base.done(ud, status);
    sweep_run(b, run, run_id);
}

/* ---- tokens ---- */

static void new_token(char out[33])
{
    unsigned char r[16];
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    ssize_t got = fd >= 0 ? read(fd, r, sizeof r) : -1;
    if (fd >= 0)
        close(fd);
    if (got != (ssize_t)sizeof r) /* no urandom: time and pid, still unique per submission here */
        for (size_t i = 0; i < sizeof r; i++)
            r[i] = (unsigned char)((flux_clock_mono_us() >> (i % 8)) ^ (unsigned)getpid() ^ (i * 131u));
    for (size_t i = 0; i < sizeof r; i++)
        snprintf(out + 2 * i, 3, "%02x", r[i]);
}

/* the comment a try's job carries: flux:TI:TRY:TOKEN */
static void comment_of(int64_t ti, int try_number, const char *token, char *out, size_t n)
{
    snprintf(out, n, "flux:%lld:%d:%s", (long long)ti, try_number, token);
}

/* the job of a comment among a run's jobs, or 0 (-1: squeue failed) */
static int64_t find_by_comment(const char *run_id, const char *comment)
{
    char name[160], err[256];
    snprintf(name, sizeof name, "flux-%s", run_id);
    flux_slurm_job *jobs;
    size_t n;
    if (flux_slurm_squeue(name, &jobs, &n, err, sizeof err) != 0)
        return -1;
    int64_t id = 0;
    for (size_t i = 0; i < n && !id; i++)
        if (!strcmp(jobs[i].comment, comment))
            id = jobs[i].id;
    free(jobs);
    return id;
}

/* ---- submitting ---- */

static const char *const passthrough[] = {"PATH", "HOME", "LANG", "LANGUAGE", "TZ", "TZDIR", "USER", "LOGNAME",
                                          "SHELL", "TMPDIR", "ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS", NULL};

extern char **environ;

/* sbatch's own environment, which the job gets whole (--export=ALL): the
 * runner's passthrough variables, SLURM_CONF and its SBATCH_* settings (a
 * site's defaults; not the SLURM_* of a job the runner may itself run in),
 * never FLUX_DB, FLUX_CONN_*, a password: the job reads those from its
 * spec. Not a list for --export=: with one, Slurm loads the user's login
 * environment on the node first, which cost each job 0.2 to 1 s here
 * (tests/bench/slurm). NULL-terminated, malloc'd (its strings environ's). */
static char **sbatch_env(void)
{
    size_t n = 0;
    for (size_t i = 0; environ[i]; i++)
        n++;
    char **env = flux_xcalloc(n + 1, sizeof *env);
    size_t k = 0;
    for (size_t i = 0; environ[i]; i++) {
        const char *e = environ[i];
        bool pass = !strncmp(e, "SLURM_CONF=", 11) || !strncmp(e, "SBATCH_", 7);
        for (const char *const *v = passthrough; *v && !pass; v++)
            pass = !strncmp(e, *v, strlen(*v)) && e[strlen(*v)] == '=';
        if (pass && strncmp(e, "SBATCH_EXPORT=", 14) != 0)
            env[k++] = (char *)e;
    }
    env[k] = NULL;
    return env;
}

/* 'it''s' for sh */
static void shquote(const char *s, char *out, size_t n)
{
    size_t o = 0;
    if (o + 1 < n)
        out[o++] = '\'';
    for (; *s && o + 5 < n; s++) {
        if (*s == '\'') {
            memcpy(out + o, "'\\''", 4);
            o += 4;
        } else
            out[o++] = *s;
    }
    if (o + 1 < n)
        out[o++] = '\'';
    out[o] = '\0';
}

/* the key of the task's slurm { } (its pipeline's keys already merged in
 * by the compiler), NULL when not set */
static const flux_field *setting(const flux_try_desc *t, const char *key)
{
    const flux_field *m = t->attrs ? flux_attr_field(t->attrs, "slurm") : NULL;
    for (size_t i = 0; m && m->kind == FLUX_F_MAP && i < m->u.map.n; i++)
        if (!strcmp(m->u.map.keys[i], key))
            return &m->u.map.v[i];
    return NULL;
}

/* --time: slurm.time (Slurm counts whole minutes: rounded up, never below
 * what was asked), else only a backstop of the job's own timeout: its
 * grace and a minute on top; "" for none (the partition's limit) */
static void time_limit(const flux_try_desc *t, char *out, size_t n)
{
    const flux_field *v = setting(t, "time");
    out[0] = '\0';
    if (v && v->kind == FLUX_F_DURATION && v->u.ms > 0)
        snprintf(out, n, "--time=%lld", (long long)((v->u.ms + 59999) / 60000));
    else if (t->timeout_ms > 0) {
        int64_t s = (t->timeout_ms + t->grace_ms) / 1000 + 60;
        snprintf(out, n, "--time=%lld:%02lld", (long long)(s / 60), (long long)(s % 60));
    }
}

/* the rest of slurm { } as sbatch arguments appended to argv from *a (at
 * most max), their text in buf */
static void settings_args(const flux_try_desc *t, char **argv, int *a, int max, char *buf, size_t buflen)
{
    const flux_field *m = t->attrs ? flux_attr_field(t->attrs, "slurm") : NULL;
    if (!m || m->kind != FLUX_F_MAP)
        return;
    static const struct {
        const char *key, *opt;
    } opts[] = {{"partition", "--partition"}, {"account", "--account"}, {"qos", "--qos"},
                {"cpus", "--cpus-per-task"},  {"mem", "--mem"},         {"gres", "--gres"}};
    size_t used = 0;
    for (size_t i = 0; i < m->u.map.n; i++) {
        const char *key = m->u.map.keys[i];
        const flux_field *v = &m->u.map.v[i];
        if (!strcmp(key, "sbatch_args") && v->kind == FLUX_F_LIST) {
            for (size_t j = 0; j < v->u.list.n && *a < max; j++)
                if (v->u.list.v[j].kind == FLUX_F_STRING && used + v->u.list.v[j].u.str.len + 1 <= buflen) {
                    argv[(*a)++] = memcpy(buf + used, v->u.list.v[j].u.str.s, v->u.list.v[j].u.str.len + 1);
                    used += v->u.list.v[j].u.str.len + 1;
                }
            continue;
        }
        for (size_t o = 0; o < sizeof opts / sizeof *opts && *a < max; o++) {
            if (strcmp(key, opts[o].key) != 0)
                continue;
            char val[64];
            const char *text = v->kind == FLUX_F_STRING ? v->u.str.s : val;
            if (v->kind == FLUX_F_INT)
                snprintf(val, sizeof val, "%lld", (long long)v->u.i);
            else if (v->kind != FLUX_F_STRING)
                break;
            int n = snprintf(buf + used, buflen - used, "%s=%s", opts[o].opt, text);
            if (n < 0 || used + (size_t)n + 1 > buflen)
                break;
            argv[(*a)++] = buf + used;
            used += (size_t)n + 1;
        }
    }
}

static flux_proc *slurm_start(flux_backend *base, const flux_try_desc *t, const flux_op_cmd *cmd,
                              const char *const *secrets, size_t nsecrets, void *ud, char *note, size_t notelen)
{
    slurm_backend *b = (slurm_backend *)base;
    char token[33], comment[200], spec_name[700];
    new_token(token);
    comment_of(t->ti_id, t->try_number, token, comment, sizeof comment);
    snprintf(spec_name, sizeof spec_name, "%s.%d.slurm.json", t->task, t->try_number);
    int dir = t->dirfd >= 0 ? dup(t->dirfd) : flux_rundir_open(t->home, t->pipeline, t->run_id, note, notelen);
    if (dir < 0)
        return NULL;
    int rc = flux_slurm_spec_write(dir, spec_name, t, cmd, secrets, nsecrets, b->store_url, b->store_password, token,
                                   note, notelen);
    close(dir);
    if (rc != 0)
        return NULL;
    flux_proc *p = proc_new(b, ud, t, token);
    /* the token first: a job that starts before its id is stored still claims */
    if (flux_store_slurm_submitting(b->store, t->ti_id, t->run_row_id, token, flux_clock_wall_ms()) != 0) {
        snprintf(note, notelen, "cannot record the Slurm submission: %s", flux_store_error(b->store));
        unlink(p->spec);
        proc_unlink(p);
        free(p);
        return NULL;
    }
    char name[160], timearg[64] = "", outarg[1100], cwd[PATH_MAX], chdir[PATH_MAX + 16];
    snprintf(name, sizeof name, "--job-name=flux-%s", t->run_id);
    char commentarg[220];
    snprintf(commentarg, sizeof commentarg, "--comment=%s", comment);
    time_limit(t, timearg, sizeof timearg);
    snprintf(outarg, sizeof outarg, "--output=%s", t->log_path);
    snprintf(chdir, sizeof chdir, "--chdir=%s", cmd->cwd ? cmd->cwd : getcwd(cwd, sizeof cwd) ? cwd : "/");
    char *argv[64];
    int a = 0;
    argv[a++] = "sbatch";
    argv[a++] = "--parsable";
    argv[a++] = name;
    argv[a++] = commentarg;
    argv[a++] = "--no-requeue";
    argv[a++] = "--open-mode=append";
    argv[a++] = outarg;
    argv[a++] = chdir;
    argv[a++] = "--export=ALL";
    if (timearg[0])
        argv[a++] = timearg;
    char *extra = b->sbatch_args ? strdup(b->sbatch_args) : NULL;
    for (char *w = extra ? strtok(extra, " \t") : NULL; w && a < 62; w = strtok(NULL, " \t"))
        argv[a++] = w;
    /* the task's own last: sbatch takes the last of an option given twice */
    char settings[4096];
    settings_args(t, argv, &a, 62, settings, sizeof settings);
    argv[a] = NULL;
    char script[PATH_MAX * 2 + 2600], qself[PATH_MAX * 2], qspec[2500];
    shquote(b->self, qself, sizeof qself);
    shquote(p->spec, qspec, sizeof qspec);
    snprintf(script, sizeof script, "#!/bin/sh\nexec %s __slurm-job %s\n", qself, qspec);
    char out[256], err[512];
    char **env = sbatch_env();
    int st = flux_slurm_cmd(argv, env, script, out, sizeof out, err, sizeof err, 20000);
    free(env);
    free(extra);
    int64_t job = st == 0 ? strtoll(out, NULL, 10) : 0;
    if (job <= 0) {
        /* it may have made the job all the same (an answer lost on its way) */
        job = find_by_comment(t->run_id, comment);
        if (job <= 0) {
            err[strcspn(err, "\n")] = '\0';
            snprintf(note, notelen, "sbatch %s%s", st == -2 ? "gave no answer in 20 s" : "failed: ",
                     st == -2 ? "" : err[0] ? err : "no job id");
            /* its job, should one appear later, finds the try lost and runs nothing */
            flux_store_slurm_lose(b->store, t->ti_id, token, flux_clock_wall_ms());
            unlink(p->spec);
            proc_unlink(p);
            free(p);
            return NULL;
        }
    }
    p->job_id = job;
    if (flux_store_slurm_submitted(b->store, t->ti_id, token, job, flux_clock_wall_ms()) < 0)
        /* the next tick or runner finds the job by its comment */
        fprintf(stderr, "flux: state store: recording Slurm job %lld: %s\n", (long long)job, flux_store_error(b->store));
    return p;
}

/* ---- watching ---- */

static bool watched_run_seen(slurm_backend *b, flux_proc *upto, int64_t run)
{
    for (flux_proc *q = b->procs; q && q != upto; q = q->next)
        if (q->run == run)
            return true;
    return false;
}

static const flux_slurm_row *row_of(const flux_slurm_row *rows, size_t n, int64_t ti)
{
    for (size_t i = 0; i < n; i++)
        if (rows[i].ti == ti)
            return &rows[i];
    return NULL;
}

/* the token of a job's comment flux:TI:TRY:TOKEN ("" when not one) */
static const char *token_of(const flux_slurm_job *j)
{
    const char *t = strrchr(j->comment, ':');
    return !strncmp(j->comment, "flux:", 5) && t ? t + 1 : "";
}

/* the try's job in Slurm's list: its id and its token, since a controller
 * that lost a job may give its id to another */
static const flux_slurm_job *job_of(const flux_slurm_job *jobs, size_t n, int64_t id, const char *token)
{
    for (size_t i = 0; i < n; i++)
        if (jobs[i].id == id && !strcmp(token_of(&jobs[i]), token))
            return &jobs[i];
    return NULL;
}

/* A job of the run that no try waits for: its token in no row, in a lost
 * one, or in a row whose job is another (a duplicate, a requeue, a job
 * Slurm made of an sbatch whose answer was lost). It would claim nothing;
 * it only holds a place in Slurm, so it is cancelled. A job whose try has
 * its outcome is exiting by itself and left alone. */
static bool stray(const flux_slurm_job *j, const flux_slurm_row *rows, size_t nrows)
{
    if (flux_slurm_state_ended(j->state))
        return false;
    const char *tok = token_of(j);
    for (size_t i = 0; i < nrows; i++)
        if (!strcmp(rows[i].token, tok))
            return !strcmp(rows[i].phase, "lost") || (rows[i].job_id > 0 && rows[i].job_id != j->id);
    return true;
}

/* the run's strays (stray()) cancelled in one scancel */
static void cancel_strays(const char *run_id, const flux_slurm_job *jobs, size_t njobs, const flux_slurm_row *rows,
                          size_t nrows)
{
    int64_t *ids = flux_xcalloc(njobs, sizeof *ids);
    size_t n = 0;
    for (size_t i = 0; i < njobs; i++)
        if (stray(&jobs[i], rows, nrows))
            ids[n++] = jobs[i].id;
    char err[512];
    if (n && flux_slurm_scancel(ids, n, err, sizeof err) != 0)
        fprintf(stderr, "flux: cancelling %zu Slurm job%s of run %s no try waits for: %s\n", n, n == 1 ? "" : "s",
                run_id, err);
    free(ids);
}

/* The run's last watched try ended: its jobs that no try waits for are
 * cancelled now, so none is left in Slurm when the run ends (the ticks
 * stop looking at a run with nothing watched). */
static void sweep_run(slurm_backend *b, int64_t run, const char *run_id)
{
    for (flux_proc *q = b->procs; q; q = q->next)
        if (q->run == run)
            return; /* still watched: the ticks see to it */
    flux_slurm_row *rows = NULL;
    size_t nrows = 0;
    if (flux_store_slurm_list(b->store, run, &rows, &nrows) != 0)
        return;
    char name[160], err[256];
    snprintf(name, sizeof name, "flux-%s", run_id);
    flux_slurm_job *jobs = NULL;
    size_t njobs = 0;
    if (flux_slurm_squeue(name, &jobs, &njobs, err, sizeof err) == 0)
        cancel_strays(run_id, jobs, njobs, rows, nrows);
    free(jobs);
    flux_slurm_rows_free(rows, nrows);
}

/* the try's job gone without an outcome: lost in the store first (a late
 * outcome wins), then ended */
static void lose(flux_proc *p, const char *why)
{
    slurm_backend *b = p->b;
    int rc = flux_store_slurm_lose(b->store, p->ti, p->token, flux_clock_wall_ms());
    if (rc <= 0)
        return; /* an outcome came meanwhile (the next tick takes it), or the store failed (try again) */
    snprintf(b->last_note, sizeof b->last_note, "%s", why);
    proc_end(p, FLUX_TRY_LOST);
}

/* one run's tries: its rows and its jobs, read once */
static void check_run(slurm_backend *b, int64_t run, const char *run_id)
{
    flux_slurm_row *rows = NULL;
    size_t nrows = 0;
    if (flux_store_slurm_list(b->store, run, &rows, &nrows) != 0)
        return; /* the store is away: nothing can be decided */
    char name[160], err[256];
    snprintf(name, sizeof name, "flux-%s", run_id);
    flux_slurm_job *jobs = NULL;
    size_t njobs = 0;
    bool slurm_ok = flux_slurm_squeue(name, &jobs, &njobs, err, sizeof err) == 0;
    int64_t now = flux_clock_mono_ms();
    for (flux_proc *p = b->procs, *next; p; p = next) {
        next = p->next;
        if (p->run != run)
            continue;
        const flux_slurm_row *r = row_of(rows, nrows, p->ti);
        if (r && strcmp(r->token, p->token) != 0)
            r = NULL; /* another submission's row: not this one's to read */
        const flux_slurm_job *seen = slurm_ok ? job_of(jobs, njobs, p->job_id, p->token) : NULL;
        p->live = seen && !flux_slurm_state_ended(seen->state);
        if (seen && strcmp(seen->state, p->state) != 0) {
            /* for the views: what Slurm says, recorded as it changes */
            snprintf(p->state, sizeof p->state, "%s", seen->state);
            flux_store_slurm_seen(b->store, p->ti, p->token, seen->state, seen->node[0] ? seen->node : NULL);
        }
        if (r && !strcmp(r->phase, "done")) {
            proc_end(p, r->exit_status == FLUX_TRY_TIMED_OUT ? FLUX_TRY_TIMED_OUT : r->exit_status);
            continue;
        }
        if (r && !strcmp(r->phase, "lost")) {
            snprintf(b->last_note, sizeof b->last_note, "lost: Slurm job %lld was given up", (long long)p->job_id);
            proc_end(p, FLUX_TRY_LOST);
            continue;
        }
        if (!slurm_ok)
            continue;
        if (!p->job_id) { /* a submission whose id was not stored: its comment says */
            for (size_t i = 0; i < njobs && !p->job_id; i++) {
                if (!strcmp(token_of(&jobs[i]), p->token)) {
                    p->job_id = jobs[i].id;
                    flux_store_slurm_submitted(b->store, p->ti, p->token, p->job_id, flux_clock_wall_ms());
                }
            }
        }
        const flux_slurm_job *j = job_of(jobs, njobs, p->job_id, p->token);
        if (j && !flux_slurm_state_ended(j->state)) {
            p->gone_since = 0;
            continue;
        }
        /* ended in Slurm (or gone from it) and no outcome yet: the job may
         * be writing it; after the grace it is lost */
        if (!p->gone_since)
            p->gone_since = now;
        if (now - p->gone_since < b->lost_grace_ms)
            continue;
        char why[400];
        if (j && (!strcmp(j->state, "TIMEOUT") || !strcmp(j->state, "OUT_OF_MEMORY")))
            snprintf(why, sizeof why, "lost: Slurm job %lld ended %s (%s) without recording an outcome",
                     (long long)p->job_id, j->state,
                     !strcmp(j->state, "TIMEOUT") ? "Slurm's time limit" : "out of memory");
        else if (j)
            snprintf(why, sizeof why, "lost: Slurm job %lld ended %s without recording an outcome",
                     (long long)p->job_id, j->state);
        else
            snprintf(why, sizeof why, "lost: Slurm job %lld is gone from Slurm without recording an outcome%s%s",
                     (long long)p->job_id, p->state[0] ? "; last seen " : "", p->state);
        lose(p, why);
    }
    if (slurm_ok)
        cancel_strays(run_id, jobs, njobs, rows, nrows);
    free(jobs);
    flux_slurm_rows_free(rows, nrows);
}

static void on_tick(uv_timer_t *t)
{
    slurm_backend *b = t->data;
    /* one pass per run with a try here; a try ended meanwhile is freed, so
     * the run ids are taken first */
    size_t n = 0;
    for (flux_proc *p = b->procs; p; p = p->next)
        n++;
    int64_t *runs = flux_xcalloc(n, sizeof *runs);
    char (*ids)[128] = flux_xcalloc(n, sizeof *ids);
    size_t nr = 0;
    for (flux_proc *p = b->procs; p; p = p->next)
        if (!watched_run_seen(b, p, p->run)) {
            runs[nr] = p->run;
            snprintf(ids[nr++], 128, "%s", p->run_id);
        }
    for (size_t i = 0; i < nr; i++)
        check_run(b, runs[i], ids[i]);
    free(runs);
    free(ids);
}

/* ---- signals: batched scancel ---- */

static void on_cancel(uv_timer_t *t)
{
    slurm_backend *b = t->data;
    b->cancel_armed = false;
    size_t n = 0, waiting = 0;
    for (flux_proc *p = b->procs; p; p = p->next)
        n += p->cancel && p->live;
    int64_t *ids = flux_xcalloc(n, sizeof *ids);
    size_t a = 0;
    /* only a job the last squeue showed as the try's (its id and token):
     * an id alone may be another job's, given again by a restarted
     * controller; the others wait for a tick to say */
    for (flux_proc *p = b->procs; p; p = p->next)
        if (p->cancel && p->live) {
            p->cancel = false;
            ids[a++] = p->job_id;
        } else
            waiting += p->cancel;
    char err[512];
    /* the job's flux stops the task and records its end: the ticks take it;
     * a scancel Slurm did not take is tried again a poll later */
    if (flux_slurm_scancel(ids, a, err, sizeof err) != 0) {
        fprintf(stderr, "flux: cancelling %zu Slurm job%s: %s\n", a, a == 1 ? "" : "s", err);
        for (flux_proc *p = b->procs; p; p = p->next)
            for (size_t i = 0; i < a; i++)
                p->cancel |= p->job_id == ids[i];
        waiting += a;
    }
    if (waiting) {
        b->cancel_armed = true;
        uv_timer_start(&b->cancel, on_cancel, (uint64_t)b->poll_ms, 0);
    }
    free(ids);
}

/* SIGTERM (a clear, a cancel): the job is cancelled, in one scancel with
 * the others of this turn of the loop; SIGKILL after the grace: nothing
 * more (Slurm kills what the job leaves after its KillWait) */
static void slurm_signal(flux_proc *p, int sig)
{
    if (!p || sig == SIGKILL)
        return;
    p->cancel = true;
    if (!p->b->cancel_armed) {
        p->b->cancel_armed = true;
        uv_timer_start(&p->b->cancel, on_cancel, 0, 0);
    }
}

static int slurm_pid(const flux_proc *p)
{
    (void)p;
    return 0; /* a job has no pid here: its id is in slurm_tries */
}

static void slurm_let_go(flux_proc *p)
{
    proc_unlink(p);
    free(p);
}

/* ---- recovering ---- */

static flux_recovery slurm_recover(flux_backend *base, const flux_try_desc *t, void *ud, int *status, flux_proc **out)
{
    slurm_backend *b = (slurm_backend *)base;
    *out = NULL;
    (void)status;
    flux_slurm_row r;
    int rc = flux_store_slurm_get(b->store, t->ti_id, &r);
    if (rc == 1)
        return FLUX_RECOVER_NOT_STARTED; /* never got to sbatch */
    if (rc < 0)
        return FLUX_RECOVER_GONE;
    flux_recovery what = FLUX_RECOVER_ADOPTED;
    if (!strcmp(r.phase, "lost")) {
        snprintf(b->last_note, sizeof b->last_note, "lost: Slurm job %lld was given up", (long long)r.job_id);
        what = FLUX_RECOVER_GONE;
    } else if (!strcmp(r.phase, "submitting") && !r.job_id) {
        /* the runner died around sbatch: the job, if made, carries the token */
        char comment[200];
        comment_of(t->ti_id, t->try_number, r.token, comment, sizeof comment);
        int64_t job = find_by_comment(t->run_id, comment);
        if (job > 0)
            flux_store_slurm_submitted(b->store, t->ti_id, r.token, job, flux_clock_wall_ms()), r.job_id = job;
        else if (job == 0) {
            /* never made: given up, so a late one runs nothing; the same try goes again */
            flux_store_slurm_lose(b->store, t->ti_id, r.token, flux_clock_wall_ms());
            what = FLUX_RECOVER_NOT_STARTED;
        }
        /* squeue failed: adopted, the ticks decide once Slurm answers */
    }
    if (what == FLUX_RECOVER_ADOPTED) {
        /* done ones too: the first tick takes their outcome */
        flux_proc *p = proc_new(b, ud, t, r.token);
        p->job_id = r.job_id;
        snprintf(p->state, sizeof p->state, "%s", r.slurm_state);
        *out = p;
        uv_timer_start(&b->tick, on_tick, 50, (uint64_t)b->poll_ms); /* soon, then as usual */
    }
    flux_slurm_row_free(&r);
    return what;
}

/* ---- reporting ---- */

static int read_report(slurm_backend *b, const flux_try_desc *t, flux_op_report *r)
{
    flux_slurm_row row;
    memset(r, 0, sizeof *r);
    int rc = flux_store_slurm_get(b->store, t->ti_id, &row);
    if (rc != 0 || !row.report) {
        flux_slurm_row_free(&row);
        flux_op_read_report_fd(-1, 0, r); /* sets *r to "none" */
        return -1;
    }
    int fd = memfd_create("flux-report", MFD_CLOEXEC);
    size_t len = strlen(row.report);
    int out = -1;
    if (fd >= 0 && write(fd, row.report, len) == (ssize_t)len && lseek(fd, 0, SEEK_SET) == 0) {
        int64_t max = 16 * t->max_outputs + t->max_output_value + (64 << 10);
        out = flux_op_read_report_fd(fd, max, r) == 0 && r->whole ? 0 : -1;
    } else
        flux_op_read_report_fd(-1, 0, r);
    if (fd >= 0)
        close(fd);
    flux_slurm_row_free(&row);
    return out;
}

static int slurm_report(flux_backend *base, const flux_try_desc *t, flux_op_report *r)
{
    return read_report((slurm_backend *)base, t, r);
}

static void slurm_reason(flux_backend *base, const flux_try_desc *t, char *out, size_t outlen)
{
    slurm_backend *b = (slurm_backend *)base;
    out[0] = '\0';
    if (b->last_note[0]) {
        /* a lost try's: said once */
        snprintf(out, outlen, "%s", b->last_note);
        b->last_note[0] = '\0';
        return;
    }
    flux_op_report r;
    if (read_report(b, t, &r) == 0 && r.reason)
        snprintf(out, outlen, "%s", r.reason);
    flux_op_report_free(&r);
}

static void slurm_free(flux_backend *base)
{
    slurm_backend *b = (slurm_backend *)base;
    while (b->procs) {
        flux_proc *p = b->procs;
        proc_unlink(p);
        free(p);
    }
    free(b->store_url);
    free(b->store_password);
    free(b->sbatch_args);
    free(b);
}

static const flux_backend_ops slurm_ops = {
    .name = "slurm",
    .start = slurm_start,
    .signal = slurm_signal,
    .pid = slurm_pid,
    .recover = slurm_recover,
    .report = slurm_report,
    .reason = slurm_reason,
    .free = slurm_free,
    /* nothing held per try; the spec file and sbatch's pipes while starting */
    .fds_held = 0,
    .fds_starting = 8,
    .let_go = slurm_let_go,
    .enforces_timeout = true,
};

flux_backend *flux_backend_slurm_new(struct uv_loop_s *loop, const char *self, struct flux_store *store,
                                     const flux_slurm_conf *c, flux_backend_done done)
{
    slurm_backend *b = flux_xcalloc(1, sizeof *b);
    b->base.ops = &slurm_ops;
    b->base.done = done;
    b->loop = loop;
    b->store = store;
    snprintf(b->self, sizeof b->self, "%s", self);
    b->store_url = strdup(c->store_url ? c->store_url : "");
    b->sbatch_args = c->sbatch_args ? strdup(c->sbatch_args) : NULL;
    b->store_password = c->store_password ? strdup(c->store_password) : NULL;
    if (!b->store_url || (c->sbatch_args && !b->sbatch_args))
        abort();
    b->poll_ms = c->poll_ms > 0 ? c->poll_ms : 2000;
    b->lost_grace_ms = c->lost_grace_ms > 0 ? c->lost_grace_ms : 10000;
    uv_timer_init(loop, &b->tick);
    b->tick.data = b;
    uv_timer_init(loop, &b->cancel);
    b->cancel.data = b;
    uv_timer_start(&b->tick, on_tick, (uint64_t)b->poll_ms, (uint64_t)b->poll_ms);
    return &b->base;
}
