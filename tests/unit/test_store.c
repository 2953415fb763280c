/* test_store — the state store's contract (runtime/store/store.h), run against
 * SQLite (a fresh file in a temp directory) and, when FLUX_TEST_MYSQL_URL is
 * set, against that MySQL/MariaDB database too, with the same checks. The
 * MySQL database named by the URL is wiped first (its flux tables dropped).
 *
 * Covers: schema creation and reopening, refusal of a newer schema, plans,
 * race-free run creation (two handles, and several processes at once), run
 * and task-instance state changes, round trips of every field (quotes,
 * UTF-8, large text, NULL versus empty), ordering and limits, counts and
 * lineage, error messages (never a password), and a lost MySQL connection.
 * Prints the latency of one committed state change per driver. Prints one
 * line per failing check and ends with "N passed, N failed". */
#include "store.h"
#include "store_driver.h"
#include "unit.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CHECK(cond) check_at(__LINE__, (cond), "%s", #cond)
#define CHECK_MSG(cond, ...) check_at(__LINE__, (cond), __VA_ARGS__)
/* a store call that must succeed; prints the store's message when not */
#define OK(s, call) check_at(__LINE__, (call) == 0, "%s: %s", #call, flux_store_error(s))

static bool contains(const char *hay, const char *needle)
{
    return hay && strstr(hay, needle) != NULL;
}

static bool streq(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static int64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static flux_store *open_ok(int line, const char *url)
{
    flux_store *s = NULL;
    char err[1024];
    if (!check_at(line, flux_store_open(url, &s, err, sizeof err) == 0, "open %s: %s", url, err))
        return NULL;
    return s;
}
#define OPEN(url) open_ok(__LINE__, (url))

static flux_run_row run_in(const char *pipeline, const char *run_id, const char *plan, const char *trigger,
                           int64_t start)
{
    flux_run_row r;
    memset(&r, 0, sizeof r);
    snprintf(r.pipeline, sizeof r.pipeline, "%s", pipeline);
    snprintf(r.run_id, sizeof r.run_id, "%s", run_id);
    snprintf(r.plan_id, sizeof r.plan_id, "%s", plan);
    snprintf(r.trigger, sizeof r.trigger, "%s", trigger);
    r.state = FLUX_RUN_QUEUED;
    r.interval_start = start;
    r.interval_end = start + 3600000;
    r.logical_date = start;
    return r;
}

/* A 64-hex plan id from a small number, as plan hashes look. */
static const char *plan_id(int n)
{
    static char ids[8][65];
    static int next;
    char *out = ids[next++ % 8];
    snprintf(out, 65, "%064x", n);
    return out;
}

/* Text of n bytes mixing quotes, backslashes, newlines and multibyte UTF-8. */
static char *big_text(size_t n)
{
    static const char piece[] = "l'\"\\ é日🚀\n";
    char *t = malloc(n + sizeof piece);
    size_t len = 0;
    while (len + sizeof piece - 1 <= n) {
        memcpy(t + len, piece, sizeof piece - 1);
        len += sizeof piece - 1;
    }
    t[len] = 0;
    return t;
}

/* ---- the checks, for one store URL ---- */

/* Several processes open a new store at the same moment: every open
 * succeeds and exactly one of them creates the schema. */
static void first_open_race(const char *url)
{
    enum { PROCS = 4 };
    int go[2], res[2];
    if (!CHECK(pipe(go) == 0 && pipe(res) == 0))
        return;
    fflush(stdout);
    pid_t pids[PROCS];
    for (int p = 0; p < PROCS; p++) {
        pids[p] = fork();
        if (pids[p] == 0) {
            close(go[1]);
            close(res[0]);
            char c;
            if (read(go[0], &c, 1) < 0) /* returns at the parent's close: all start together */
                _exit(4);
            flux_store *st = NULL;
            char err[1024];
            int msg[2] = {-1, -1};
            if (flux_store_open(url, &st, err, sizeof err) == 0) {
                msg[0] = flux_store_migrations_applied(st);
                msg[1] = flux_store_schema_version(st);
                flux_store_close(st);
            } else
                fprintf(stderr, "child open: %s\n", err);
            ssize_t w = write(res[1], msg, sizeof msg);
            _exit(w == (ssize_t)sizeof msg ? 0 : 3);
        }
    }
    close(go[0]);
    close(res[1]);
    close(go[1]);
    int applied = 0, opened = 0, msg[2];
    while (read(res[0], msg, sizeof msg) == (ssize_t)sizeof msg)
        if (msg[0] >= 0 && msg[1] == 7) {
            opened++;
            applied += msg[0];
        }
    close(res[0]);
    for (int p = 0; p < PROCS; p++)
        if (pids[p] > 0)
            waitpid(pids[p], NULL, 0);
    CHECK_MSG(opened == PROCS, "%d of %d concurrent first opens succeeded", opened, PROCS);
    CHECK_MSG(applied == 7, "concurrent first opens applied %d migration steps in all (seven: 0 to 1 to ... to 7)",
              applied);
}

/* an older store opened: the steps applied, the build's version reached,
 * and its newest table there (empty) */
static void migrated(const char *url, int steps)
{
    flux_store *s = OPEN(url);
    if (!s)
        return;
    CHECK_MSG(flux_store_migrations_applied(s) == steps, "%d steps applied, %d expected",
              flux_store_migrations_applied(s), steps);
    CHECK(flux_store_schema_version(s) == 7);
    CHECK(flux_store_get_log_cut(s, 1, &(int64_t){0}, &(int64_t){0}) == 1);
    flux_plan_meta m;
    CHECK(flux_store_get_plan_meta(s, "0000", &m) == 1);
    flux_event_row *ev;
    size_t nev = 9;
    CHECK(flux_store_events_since(s, 0, 10, &ev, &nev) == 0 && nev == 0);
    free(ev);
    /* ready_at is there: a try can be listed */
    flux_ti_row *tis;
    size_t ntis;
    OK(s, flux_store_list_tis(s, 1, &tis, &ntis));
    flux_ti_rows_free(tis, ntis);
    flux_slurm_row sr;
    CHECK(flux_store_slurm_get(s, 1, &sr) == 1);
    flux_store_close(s);
}

/* a version 7 store made a version 6 one: no Slurm tries */
static void drop_slurm(flux_store *s)
{
    OK(s, flux_store_exec_raw(s, "DROP TABLE slurm_tries"));
}

/* a version 6 store made a version 5 one: no outbox, no deadline misses */
static void drop_outbox(flux_store *s)
{
    OK(s, flux_store_exec_raw(s, "DROP TABLE notifications"));
    OK(s, flux_store_exec_raw(s, "DROP TABLE deadline_misses"));
}

/* a version 5 store made a version 4 one: no events, no ready_at, no web indexes */
static void back_to_4(flux_store *s)
{
    bool my = streq(flux_store_kind(s), "mysql");
    static const char *const idx[][2] = {{"runs_by_pipeline_state_date", "runs"},
                                         {"runs_by_state_ended", "runs"},
                                         {"task_instances_by_state", "task_instances"}};
    for (size_t i = 0; i < sizeof idx / sizeof idx[0]; i++) {
        char sql[160];
        snprintf(sql, sizeof sql, my ? "DROP INDEX %s ON %s" : "DROP INDEX %s", idx[i][0], idx[i][1]);
        OK(s, flux_store_exec_raw(s, sql));
    }
    OK(s, flux_store_exec_raw(s, "DROP TABLE events"));
    OK(s, flux_store_exec_raw(s, "ALTER TABLE task_instances DROP COLUMN ready_at"));
}

static void schema_checks(const char *url)
{
    first_open_race(url);
    flux_store *s = OPEN(url);
    if (!s)
        return;
    CHECK(flux_store_schema_version(s) == 7);
    CHECK(flux_store_migrations_applied(s) == 0);
    CHECK(!flux_store_lost(s));

    flux_store *s2 = OPEN(url);
    if (s2) {
        CHECK(flux_store_schema_version(s2) == 7);
        CHECK_MSG(flux_store_migrations_applied(s2) == 0, "reopening migrated again");
        CHECK(streq(flux_store_kind(s2), flux_store_kind(s)));
        flux_store_close(s2);
    }

    /* a store written by a newer flux is refused, and left as it is */
    OK(s, flux_store_exec_raw(s, "UPDATE flux_schema SET version = version + 1"));
    flux_store *s3 = NULL;
    char err[1024] = "";
    CHECK(flux_store_open(url, &s3, err, sizeof err) != 0 && !s3);
    CHECK_MSG(contains(err, "version 7") && contains(err, "newer"), "message: %s", err);
    OK(s, flux_store_exec_raw(s, "UPDATE flux_schema SET version = version - 1"));
    s3 = OPEN(url);
    if (s3) {
        CHECK(flux_store_migrations_applied(s3) == 0);
        flux_store_close(s3);
    }

    /* a version 6 store (before slurm_tries) is migrated on open */
    drop_slurm(s);
    OK(s, flux_store_exec_raw(s, "UPDATE flux_schema SET version = 6"));
    migrated(url, 1);

    /* a version 5 store (before the outbox) too */
    drop_slurm(s);
    drop_outbox(s);
    OK(s, flux_store_exec_raw(s, "UPDATE flux_schema SET version = 5"));
    migrated(url, 2);

    /* a version 4 store (before events, ready_at and the web's indexes) too */
    drop_slurm(s);
    drop_outbox(s);
    back_to_4(s);
    OK(s, flux_store_exec_raw(s, "UPDATE flux_schema SET version = 4"));
    migrated(url, 3);

    /* a version 3 store (before plan_meta) too */
    drop_slurm(s);
    drop_outbox(s);
    back_to_4(s);
    OK(s, flux_store_exec_raw(s, "DROP TABLE plan_meta"));
    OK(s, flux_store_exec_raw(s, "UPDATE flux_schema SET version = 3"));
    migrated(url, 4);

    /* a version 2 store (before log_truncations) too */
    drop_slurm(s);
    drop_outbox(s);
    back_to_4(s);
    OK(s, flux_store_exec_raw(s, "DROP TABLE plan_meta"));
    OK(s, flux_store_exec_raw(s, "DROP TABLE log_truncations"));
    OK(s, flux_store_exec_raw(s, "UPDATE flux_schema SET version = 2"));
    migrated(url, 5);

    /* a version 1 store (before deployments and the scheduler's tables) is
     * migrated on open, its data kept */
    drop_slurm(s);
    drop_outbox(s);
    back_to_4(s);
    static const char *const v2_tables[] = {"run_control", "pipeline_sources", "deployments", "sources", "schedulers",
                                            "log_truncations", "plan_meta"};
    for (size_t i = 0; i < sizeof v2_tables / sizeof *v2_tables; i++) {
        char sql[128];
        snprintf(sql, sizeof sql, "DROP TABLE %s", v2_tables[i]);
        OK(s, flux_store_exec_raw(s, sql));
    }
    if (streq(flux_store_kind(s), "sqlite"))
        OK(s, flux_store_exec_raw(s, "DROP INDEX runs_by_state"));
    OK(s, flux_store_exec_raw(s, "UPDATE flux_schema SET version = 1"));
    migrated(url, 6);
    flux_store_close(s);
}

static void plan_checks(flux_store *s)
{
    const char *yaml = "pipeline: p1\nnote: 'it''s \"quoted\" \\ é ü 日本 🚀'\n";
    bool created = false;
    OK(s, flux_store_put_plan(s, "p1", plan_id(1), yaml, "/src/p1.flux", "ab12", 1000, &created));
    CHECK(created);
    OK(s, flux_store_put_plan(s, "p1", plan_id(1), yaml, "/src/p1.flux", "ab12", 2000, &created));
    CHECK_MSG(!created, "the same plan recorded twice");
    char *got = flux_store_get_plan(s, plan_id(1));
    CHECK_MSG(streq(got, yaml), "plan text: %s", got ? got : "(null)");
    free(got);

    /* a large plan: MySQL's result buffers must grow */
    char *big = big_text(300000);
    OK(s, flux_store_put_plan(s, "p1", plan_id(2), big, NULL, "", 3000, &created));
    CHECK(created);
    got = flux_store_get_plan(s, plan_id(2));
    CHECK_MSG(streq(got, big), "large plan text differs (%zu bytes back)", got ? strlen(got) : 0);
    free(got);
    free(big);

    CHECK(flux_store_get_plan(s, plan_id(99)) == NULL);
    CHECK_MSG(contains(flux_store_error(s), "no plan"), "%s", flux_store_error(s));

    /* a plan's facts: NULLs kept apart from empty text, recorded once */
    flux_plan_meta m, in = {"caf\u00e9 \"it's\"", NULL, "[\"a\",\"b\"]", "@daily", "", 12};
    CHECK(flux_store_get_plan_meta(s, plan_id(1), &m) == 1);
    OK(s, flux_store_put_plan_meta(s, plan_id(1), &in));
    CHECK(flux_store_get_plan_meta(s, plan_id(1), &m) == 0);
    CHECK(streq(m.description, in.description) && !m.owner && streq(m.tags, in.tags) && streq(m.schedule, "@daily") &&
          m.timezone && !*m.timezone && m.tasks == 12);
    flux_plan_meta_free(&m);
    in.tasks = 13;
    OK(s, flux_store_put_plan_meta(s, plan_id(1), &in));
    CHECK(flux_store_get_plan_meta(s, plan_id(1), &m) == 0 && m.tasks == 12);
    flux_plan_meta_free(&m);

    /* one plan id cannot belong to two pipelines */
    CHECK(flux_store_put_plan(s, "p2", plan_id(1), yaml, NULL, NULL, 4000, &created) != 0);
    CHECK_MSG(contains(flux_store_error(s), "'p1'"), "%s", flux_store_error(s));
    OK(s, flux_store_put_plan(s, "p2", plan_id(3), "pipeline: p2\n", NULL, NULL, 4000, &created));

    CHECK(flux_store_put_plan(s, "", plan_id(4), yaml, NULL, NULL, 1, &created) != 0);
    CHECK(flux_store_put_plan(s, "p1", "", yaml, NULL, NULL, 1, &created) != 0);
}

static bool same_run(const flux_run_row *a, const flux_run_row *b)
{
    return a->id == b->id && streq(a->pipeline, b->pipeline) && streq(a->run_id, b->run_id) &&
           streq(a->plan_id, b->plan_id) && streq(a->trigger, b->trigger) && a->state == b->state &&
           a->interval_start == b->interval_start && a->interval_end == b->interval_end &&
           a->logical_date == b->logical_date && a->created == b->created && a->started == b->started &&
           a->ended == b->ended;
}

static void run_checks(const char *url, flux_store *s)
{
    flux_run_row in = run_in("p1", "manual__2026-01-01T00:00:00+00:00", plan_id(1), "manual", 1767225600000);
    flux_run_row row, again;
    bool created = false;
    OK(s, flux_store_create_run(s, &in, NULL, NULL, 5000, &row, &created));
    CHECK(created && row.id > 0);
    CHECK(streq(row.pipeline, "p1") && streq(row.run_id, in.run_id) && streq(row.plan_id, plan_id(1)));
    CHECK(streq(row.trigger, "manual") && row.state == FLUX_RUN_QUEUED);
    CHECK(row.interval_start == 1767225600000 && row.interval_end == 1767229200000 &&
          row.logical_date == 1767225600000);
    CHECK(row.created == 5000 && row.started == 0 && row.ended == 0);

    OK(s, flux_store_create_run(s, &in, NULL, NULL, 6000, &again, &created));
    CHECK_MSG(!created && again.id == row.id && again.created == 5000, "second create_run made a new run");

    flux_run_row got;
    OK(s, flux_store_get_run(s, row.id, &got));
    CHECK(same_run(&got, &row));
    OK(s, flux_store_find_run(s, "p1", in.run_id, &got));
    CHECK(same_run(&got, &row));
    CHECK(flux_store_get_run(s, row.id + 100000, &got) == 1);
    CHECK(flux_store_find_run(s, "p1", "nope", &got) == 1);
    CHECK(flux_store_find_run(s, "P1", in.run_id, &got) == 1); /* names are case-sensitive in both */

    /* a run without a plan: plan_id comes back empty */
    flux_run_row noplan = run_in("p3", "scheduled__x", "", "scheduled", 0);
    OK(s, flux_store_create_run(s, &noplan, NULL, NULL, 7000, &got, &created));
    CHECK(created && got.plan_id[0] == 0 && got.interval_start == 0);

    /* refusals: unknown plan, another pipeline's plan, bad trigger, empty run id */
    flux_run_row bad = run_in("p1", "r-bad", plan_id(77), "manual", 0);
    CHECK(flux_store_create_run(s, &bad, NULL, NULL, 1, &got, &created) != 0);
    CHECK_MSG(contains(flux_store_error(s), "not in the store"), "%s", flux_store_error(s));
    bad = run_in("p2", "r-bad", plan_id(1), "manual", 0);
    CHECK(flux_store_create_run(s, &bad, NULL, NULL, 1, &got, &created) != 0);
    bad = run_in("p1", "r-bad", plan_id(1), "cron", 0);
    CHECK(flux_store_create_run(s, &bad, NULL, NULL, 1, &got, &created) != 0);
    CHECK_MSG(contains(flux_store_error(s), "cron"), "%s", flux_store_error(s));
    bad = run_in("p1", "", plan_id(1), "manual", 0);
    CHECK(flux_store_create_run(s, &bad, NULL, NULL, 1, &got, &created) != 0);
    CHECK(flux_store_find_run(s, "p1", "r-bad", &got) == 1);

    /* two handles on the same store: one run */
    flux_store *s2 = OPEN(url);
    if (s2) {
        flux_run_row r1, r2;
        bool c1 = false, c2 = false;
        flux_run_row twin = run_in("p1", "twin", plan_id(1), "backfill", 86400000);
        OK(s, flux_store_create_run(s, &twin, NULL, NULL, 8000, &r1, &c1));
        OK(s2, flux_store_create_run(s2, &twin, NULL, NULL, 8001, &r2, &c2));
        CHECK(c1 && !c2 && r1.id == r2.id);
        flux_store_close(s2);
    }

    /* state changes */
    int64_t id = row.id;
    OK(s, flux_store_set_run_state(s, id, FLUX_RUN_RUNNING, 10000));
    OK(s, flux_store_get_run(s, id, &got));
    CHECK(got.state == FLUX_RUN_RUNNING && got.started == 10000 && got.ended == 0);
    OK(s, flux_store_set_run_state(s, id, FLUX_RUN_RUNNING, 11000));
    OK(s, flux_store_get_run(s, id, &got));
    CHECK_MSG(got.started == 10000, "running again moved started to %lld", (long long)got.started);
    OK(s, flux_store_set_run_state(s, id, FLUX_RUN_SUCCESS, 12000));
    OK(s, flux_store_get_run(s, id, &got));
    CHECK(got.state == FLUX_RUN_SUCCESS && got.started == 10000 && got.ended == 12000);
    OK(s, flux_store_set_run_state(s, id, FLUX_RUN_QUEUED, 13000));
    OK(s, flux_store_get_run(s, id, &got));
    CHECK(got.state == FLUX_RUN_QUEUED && got.started == 0 && got.ended == 0);
    OK(s, flux_store_set_run_state(s, id, FLUX_RUN_FAILED, 14000));
    OK(s, flux_store_get_run(s, id, &got));
    CHECK(got.state == FLUX_RUN_FAILED && got.started == 14000 && got.ended == 14000);
    CHECK(flux_store_set_run_state(s, id + 100000, FLUX_RUN_RUNNING, 1) != 0);
    CHECK_MSG(contains(flux_store_error(s), "no run"), "%s", flux_store_error(s));
    CHECK(flux_store_set_run_state(s, id, (flux_run_state)42, 1) != 0);

    CHECK(streq(flux_run_state_name(FLUX_RUN_SUCCESS), "success"));
}

static void list_checks(flux_store *s)
{
    bool created;
    OK(s, flux_store_put_plan(s, "lister", plan_id(5), "pipeline: lister\n", NULL, NULL, 1, &created));
    /* created out of date order: the list is by logical date, newest first */
    const int64_t days[] = {3, 1, 4, 2};
    for (int i = 0; i < 4; i++) {
        char rid[32];
        snprintf(rid, sizeof rid, "day-%lld", (long long)days[i]);
        flux_run_row in = run_in("lister", rid, plan_id(5), "scheduled", days[i] * 86400000), row;
        OK(s, flux_store_create_run(s, &in, NULL, NULL, 100 + i, &row, &created));
    }
    flux_run_row *rows = NULL;
    size_t n = 0;
    OK(s, flux_store_list_runs(s, "lister", 0, &rows, &n));
    CHECK(n == 4);
    if (n == 4)
        CHECK(streq(rows[0].run_id, "day-4") && streq(rows[1].run_id, "day-3") && streq(rows[2].run_id, "day-2") &&
              streq(rows[3].run_id, "day-1"));
    free(rows);
    OK(s, flux_store_list_runs(s, "lister", 2, &rows, &n));
    CHECK(n == 2 && streq(rows[0].run_id, "day-4") && streq(rows[1].run_id, "day-3"));
    free(rows);
    OK(s, flux_store_list_runs(s, "nobody", 0, &rows, &n));
    CHECK(n == 0);
    free(rows);
    /* the previous run (depends_on_past): the greatest logical date before
     * the given one, whatever the order of creation; of two at one date the
     * later created; none before the first */
    flux_run_row prev, twin = run_in("lister", "manual-day-2", plan_id(5), "manual", 2 * 86400000), made;
    OK(s, flux_store_create_run(s, &twin, NULL, NULL, 200, &made, &created));
    CHECK(flux_store_previous_run(s, "lister", 4 * 86400000, &prev) == 0 && streq(prev.run_id, "day-3"));
    CHECK(flux_store_previous_run(s, "lister", 3 * 86400000, &prev) == 0 && streq(prev.run_id, "manual-day-2"));
    CHECK(flux_store_previous_run(s, "lister", 2 * 86400000 + 1, &prev) == 0 && prev.id == made.id);
    CHECK(flux_store_previous_run(s, "lister", 2 * 86400000, &prev) == 0 && streq(prev.run_id, "day-1"));
    CHECK(flux_store_previous_run(s, "lister", 1 * 86400000, &prev) == 1);
    CHECK(flux_store_previous_run(s, "nobody", 4 * 86400000, &prev) == 1);
    OK(s, flux_store_list_runs(s, NULL, 0, &rows, &n));
    CHECK(n >= 8);
    bool sorted = true;
    for (size_t i = 1; i < n; i++)
        if (rows[i].logical_date > rows[i - 1].logical_date ||
            (rows[i].logical_date == rows[i - 1].logical_date && rows[i].id > rows[i - 1].id))
            sorted = false;
    CHECK_MSG(sorted, "list_runs(NULL) is not newest first");
    free(rows);
}

/* a try as a Slurm job: every step after the first conditional on the
 * token and the phase, so a job of an older submission, a duplicate job
 * or a late one changes nothing */
static void slurm_checks(flux_store *s)
{
    flux_run_row run;
    CHECK(flux_store_find_run(s, "p1", "twin", &run) == 0);
    int64_t ti = 0;
    OK(s, flux_store_ti_insert(s, run.id, "on_slurm", 1, FLUX_TI_QUEUED, 30000, &ti));
    flux_slurm_row r;
    CHECK(flux_store_slurm_get(s, ti, &r) == 1);
    OK(s, flux_store_slurm_submitting(s, ti, run.id, "tok1", 30001));
    /* a second submission of the same try: a new token, the old one's job finds nothing */
    OK(s, flux_store_slurm_submitting(s, ti, run.id, "tok2", 30002));
    CHECK(flux_store_slurm_submitted(s, ti, "tok1", 7, 30003) == 0);
    CHECK(flux_store_slurm_claim(s, ti, "tok1", "n1", 30003) == 0);
    /* the job claims before its id is stored: the id is still recorded */
    CHECK(flux_store_slurm_claim(s, ti, "tok2", "n1", 30004) == 1);
    CHECK(flux_store_slurm_claim(s, ti, "tok2", "n2", 30004) == 0); /* a duplicate job */
    CHECK(flux_store_slurm_submitted(s, ti, "tok2", 8, 30005) == 1);
    CHECK(flux_store_slurm_seen(s, ti, "tok2", "RUNNING", NULL) == 1);
    CHECK(flux_store_slurm_get(s, ti, &r) == 0);
    CHECK_MSG(streq(r.phase, "claimed") && r.job_id == 8 && streq(r.node, "n1") && streq(r.slurm_state, "RUNNING") &&
                  !r.has_exit && !r.report && streq(r.token, "tok2") && r.run == run.id,
              "row: %s %lld %s %s", r.phase, (long long)r.job_id, r.node, r.slurm_state);
    flux_slurm_row_free(&r);
    CHECK(flux_store_slurm_outcome(s, ti, "tok1", 0, "x", 30006) == 0);
    CHECK(flux_store_slurm_outcome(s, ti, "tok2", 3, "::output a=1\n", 30006) == 1);
    CHECK(flux_store_slurm_outcome(s, ti, "tok2", 0, "again", 30007) == 0); /* once */
    CHECK(flux_store_slurm_lose(s, ti, "tok2", 30008) == 0);                 /* done is never lost */
    CHECK(flux_store_slurm_get(s, ti, &r) == 0);
    CHECK(streq(r.phase, "done") && r.has_exit && r.exit_status == 3 && streq(r.report, "::output a=1\n"));
    flux_slurm_row_free(&r);
    /* a job gone without an outcome: lost, and a late job then can neither claim nor finish it */
    int64_t ti2 = 0;
    OK(s, flux_store_ti_insert(s, run.id, "on_slurm", 2, FLUX_TI_QUEUED, 30010, &ti2));
    OK(s, flux_store_slurm_submitting(s, ti2, run.id, "tok3", 30011));
    CHECK(flux_store_slurm_lose(s, ti2, "tok3", 30012) == 1);
    CHECK(flux_store_slurm_claim(s, ti2, "tok3", "n1", 30013) == 0);
    CHECK(flux_store_slurm_outcome(s, ti2, "tok3", 0, "", 30013) == 0);
    flux_slurm_row *rows = NULL;
    size_t n = 0;
    OK(s, flux_store_slurm_list(s, run.id, &rows, &n));
    CHECK_MSG(n == 2 && rows[0].ti == ti && rows[1].ti == ti2 && streq(rows[1].phase, "lost"), "%zu rows", n);
    flux_slurm_rows_free(rows, n);
}

static void ti_checks(flux_store *s)
{
    flux_run_row run;
    CHECK(flux_store_find_run(s, "p1", "twin", &run) == 0);
    int64_t a1 = 0, a2 = 0, b1 = 0, tmp = 0;
    OK(s, flux_store_ti_insert(s, run.id, "extract", 1, FLUX_TI_QUEUED, 20000, &a1));
    CHECK(a1 > 0);
    CHECK(flux_store_ti_insert(s, run.id, "extract", 1, FLUX_TI_QUEUED, 20001, &tmp) != 0);
    CHECK_MSG(contains(flux_store_error(s), "already recorded"), "%s", flux_store_error(s));
    OK(s, flux_store_ti_insert(s, run.id, "load", 1, FLUX_TI_SCHEDULED, 20002, &b1));
    OK(s, flux_store_ti_insert(s, run.id, "extract", 2, FLUX_TI_UP_FOR_RETRY, 20003, &a2));
    CHECK(a1 != a2 && a2 != b1 && b1 != a1);
    CHECK(flux_store_ti_insert(s, run.id + 100000, "extract", 1, FLUX_TI_QUEUED, 1, &tmp) != 0);
    CHECK(flux_store_ti_insert(s, run.id, "extract", 0, FLUX_TI_QUEUED, 1, &tmp) != 0);
    CHECK(flux_store_ti_insert(s, run.id, "", 1, FLUX_TI_QUEUED, 1, &tmp) != 0);

    /* a fresh try: NULLs come back as the API's "none" values */
    flux_ti_row *rows = NULL;
    size_t n = 0;
    OK(s, flux_store_list_tis(s, run.id, &rows, &n));
    CHECK(n == 3);
    if (n == 3) {
        CHECK(rows[0].id == a1 && streq(rows[0].task, "extract") && rows[0].try_number == 1);
        CHECK(rows[1].id == a2 && streq(rows[1].task, "extract") && rows[1].try_number == 2);
        CHECK(rows[2].id == b1 && streq(rows[2].task, "load") && rows[2].try_number == 1);
        flux_ti_row *r = &rows[0];
        CHECK(r->run == run.id && r->state == FLUX_TI_QUEUED && r->queued == 20000);
        CHECK(r->started == 0 && r->ended == 0 && r->exit_status == -1 && r->pid == 0);
        CHECK(r->host[0] == 0 && r->log_path[0] == 0);
        CHECK(!r->rendered && !r->outputs && !r->note);
        CHECK(rows[1].state == FLUX_TI_UP_FOR_RETRY && rows[2].state == FLUX_TI_SCHEDULED);
    }
    flux_ti_rows_free(rows, n);

    /* updates change only what they are given */
    const char *rendered = "{\"sql\":\"SELECT 'a''b' FROM \\\"t\\\"\",\"pw\":\"***\",\"name\":\"Zoë 日本 🚀\"}";
    OK(s, flux_store_ti_update(s, a1,
                              &(flux_ti_patch){.state = FLUX_TI_RUNNING, .started_ms = 21000, .pid = 4242,
                                               .host = "vm", .log_path = "/logs/run 1/'extract'.log",
                                               .rendered = rendered}));
    OK(s, flux_store_ti_update(s, a1,
                              &(flux_ti_patch){.state = FLUX_TI_FAILED, .ended_ms = 22000, .set_exit = true,
                                               .exit_status = 3, .outputs = "", .note = "timed out after 1h"}));
    flux_ti_row r;
    OK(s, flux_store_latest_ti(s, "p1", "twin", "load", &r));
    CHECK(r.id == b1);
    flux_ti_row_free(&r);
    OK(s, flux_store_list_tis(s, run.id, &rows, &n));
    if (CHECK(n == 3)) {
        flux_ti_row *x = &rows[0];
        CHECK(x->state == FLUX_TI_FAILED && x->started == 21000 && x->ended == 22000);
        CHECK(x->pid == 4242 && x->exit_status == 3);
        CHECK(streq(x->host, "vm") && streq(x->log_path, "/logs/run 1/'extract'.log"));
        CHECK_MSG(streq(x->rendered, rendered), "rendered: %s", x->rendered ? x->rendered : "(null)");
        CHECK_MSG(streq(x->outputs, ""), "empty outputs came back as %s", x->outputs ? "other text" : "NULL");
        CHECK(streq(x->note, "timed out after 1h"));
        CHECK(x->queued == 20000);
    }
    flux_ti_rows_free(rows, n);

    /* FLUX_TI_CLEAR clears times and pid, exit -1 clears the status; exit 0 is a value */
    OK(s, flux_store_ti_update(s, a1,
                              &(flux_ti_patch){.state = FLUX_TI_NONE, .started_ms = FLUX_TI_CLEAR,
                                               .ended_ms = FLUX_TI_CLEAR, .pid = FLUX_TI_CLEAR, .set_exit = true,
                                               .exit_status = -1}));
    OK(s, flux_store_latest_ti(s, "p1", "twin", "extract", &r));
    CHECK(r.id == a2);
    flux_ti_row_free(&r);
    OK(s, flux_store_list_tis(s, run.id, &rows, &n));
    if (CHECK(n == 3)) {
        flux_ti_row *x = &rows[0];
        CHECK(x->state == FLUX_TI_NONE && x->started == 0 && x->ended == 0 && x->pid == 0 && x->exit_status == -1);
        CHECK(streq(x->host, "vm") && streq(x->note, "timed out after 1h"));
    }
    flux_ti_rows_free(rows, n);
    const flux_ti_patch done = {.state = FLUX_TI_SUCCESS, .started_ms = 30000, .ended_ms = 30500, .pid = 77,
                                .set_exit = true, .exit_status = 0, .outputs = "{\"rows\":\"12\"}"};
    OK(s, flux_store_ti_update(s, a2, &done));
    /* the same update again changes nothing, and still finds its row */
    OK(s, flux_store_ti_update(s, a2, &done));
    OK(s, flux_store_set_run_state(s, run.id, FLUX_RUN_RUNNING, 30000));
    OK(s, flux_store_set_run_state(s, run.id, FLUX_RUN_RUNNING, 30000));

    /* latest try of a task, by pipeline and run id */
    OK(s, flux_store_latest_ti(s, "p1", "twin", "extract", &r));
    CHECK(r.id == a2 && r.try_number == 2 && r.state == FLUX_TI_SUCCESS && r.exit_status == 0 && r.pid == 77);
    CHECK(streq(r.outputs, "{\"rows\":\"12\"}"));
    flux_ti_row_free(&r);
    CHECK(flux_store_latest_ti(s, "p1", "twin", "nope", &r) == 1);
    CHECK(flux_store_latest_ti(s, "p1", "nope", "extract", &r) == 1);

    /* bytes that are not UTF-8 are kept as U+FFFD in both databases */
    OK(s, flux_store_ti_update(s, b1, &(flux_ti_patch){.state = FLUX_TI_FAILED, .note = "bad \xff byte"}));
    OK(s, flux_store_latest_ti(s, "p1", "twin", "load", &r));
    CHECK_MSG(streq(r.note, "bad \xEF\xBF\xBD byte"), "note: %s", r.note ? r.note : "(null)");
    flux_ti_row_free(&r);

    /* large rendered fields round-trip, in a list of several rows */
    char *big = big_text(200000);
    OK(s, flux_store_ti_update(s, b1, &(flux_ti_patch){.state = FLUX_TI_FAILED, .rendered = big, .outputs = big}));
    OK(s, flux_store_list_tis(s, run.id, &rows, &n));
    if (CHECK(n == 3)) {
        CHECK(streq(rows[2].rendered, big) && streq(rows[2].outputs, big));
        CHECK(streq(rows[1].outputs, "{\"rows\":\"12\"}"));
    }
    flux_ti_rows_free(rows, n);
    free(big);

    /* refusals */
    CHECK(flux_store_ti_update(s, b1 + 100000, &(flux_ti_patch){.state = FLUX_TI_RUNNING}) != 0);
    CHECK_MSG(contains(flux_store_error(s), "no task instance"), "%s", flux_store_error(s));
    CHECK(flux_store_ti_update(s, b1, &(flux_ti_patch){.state = (flux_ti_state)99}) != 0);

    /* state names both ways */
    bool names = true;
    for (int i = FLUX_TI_NONE; i <= FLUX_TI_SKIPPED; i++) {
        flux_ti_state st;
        if (flux_ti_state_parse(flux_ti_state_name((flux_ti_state)i), &st) || st != (flux_ti_state)i)
            names = false;
    }
    CHECK(names);
    flux_ti_state st;
    CHECK(flux_ti_state_parse("bogus", &st) != 0);
    CHECK(streq(flux_ti_state_name(FLUX_TI_UPSTREAM_FAILED), "upstream_failed"));

    /* ---- counts and lineage ---- */
    int64_t rd, wr, rj, by;
    CHECK(flux_store_get_counts(s, a1, &rd, &wr, &rj, &by) == 1);
    OK(s, flux_store_put_counts(s, a1, 10, 8, 2, 1234));
    OK(s, flux_store_get_counts(s, a1, &rd, &wr, &rj, &by));
    CHECK(rd == 10 && wr == 8 && rj == 2 && by == 1234);
    OK(s, flux_store_put_counts(s, a1, 5000000000LL, 4999999999LL, 1, 9000000000LL));
    OK(s, flux_store_get_counts(s, a1, &rd, &wr, &rj, &by));
    CHECK(rd == 5000000000LL && wr == 4999999999LL && rj == 1 && by == 9000000000LL);
    CHECK(flux_store_put_counts(s, a1, -1, 0, 0, 0) != 0);
    CHECK(flux_store_put_counts(s, b1 + 100000, 1, 1, 0, 0) != 0);

    /* a log cut to max_log_size: none, then one row per try, replaced */
    int64_t dropped = -1, max_log = -1;
    CHECK(flux_store_get_log_cut(s, a1, &dropped, &max_log) == 1);
    OK(s, flux_store_put_log_cut(s, a1, 3000000000LL, 1073741824));
    OK(s, flux_store_get_log_cut(s, a1, &dropped, &max_log));
    CHECK(dropped == 3000000000LL && max_log == 1073741824);
    OK(s, flux_store_put_log_cut(s, a1, 7, 100));
    OK(s, flux_store_get_log_cut(s, a1, &dropped, &max_log));
    CHECK(dropped == 7 && max_log == 100);
    CHECK(flux_store_get_log_cut(s, b1, &dropped, &max_log) == 1);
    CHECK(flux_store_put_log_cut(s, a1, -1, 100) != 0);
    CHECK(flux_store_put_log_cut(s, b1 + 100000, 1, 100) != 0);

    OK(s, flux_store_put_lineage(s, a1, "read", "topic", "events", "{\"partitions\":[0,1],\"q\":\"it's\"}"));
    OK(s, flux_store_put_lineage(s, a1, "write", "table", "warehouse.événements", NULL));
    CHECK(flux_store_put_lineage(s, a1, "sideways", "table", "t", NULL) != 0);
    CHECK(flux_store_put_lineage(s, a1, "read", "", "t", NULL) != 0);
    CHECK(flux_store_put_lineage(s, a1, "read", "file", "", NULL) != 0);
    CHECK(flux_store_put_lineage(s, b1 + 100000, "read", "file", "/x", NULL) != 0);
    flux_lineage_row *lin = NULL;
    OK(s, flux_store_list_lineage(s, a1, &lin, &n));
    if (CHECK(n == 2)) {
        CHECK(lin[0].ti == a1 && streq(lin[0].direction, "read") && streq(lin[0].kind, "topic") &&
              streq(lin[0].name, "events") && streq(lin[0].detail, "{\"partitions\":[0,1],\"q\":\"it's\"}"));
        CHECK(streq(lin[1].direction, "write") && streq(lin[1].kind, "table") &&
              streq(lin[1].name, "warehouse.événements") && lin[1].detail == NULL && lin[1].id > lin[0].id);
    }
    flux_lineage_rows_free(lin, n);
    OK(s, flux_store_list_lineage(s, b1, &lin, &n));
    CHECK(n == 0);
    flux_lineage_rows_free(lin, n);
}

/* Several processes create the same runs at once: each run exists once and
 * exactly one process was told it created it. */
static void race_checks(const char *url, flux_store *s)
{
    enum { PROCS = 4, RUNS = 25 };
    bool created;
    OK(s, flux_store_put_plan(s, "race", plan_id(6), "pipeline: race\n", NULL, NULL, 1, &created));
    int fds[2];
    if (!CHECK(pipe(fds) == 0))
        return;
    fflush(stdout);
    pid_t pids[PROCS];
    for (int p = 0; p < PROCS; p++) {
        pids[p] = fork();
        if (pids[p] == 0) {
            close(fds[0]);
            flux_store *c = NULL;
            char err[1024];
            int made = 0, errors = 0;
            if (flux_store_open(url, &c, err, sizeof err) != 0) {
                fprintf(stderr, "child open: %s\n", err);
                _exit(2);
            }
            for (int i = 0; i < RUNS; i++) {
                char rid[32];
                snprintf(rid, sizeof rid, "race-%02d", i);
                flux_run_row in = run_in("race", rid, plan_id(6), "scheduled", i * 3600000LL), row;
                bool mine = false;
                if (flux_store_create_run(c, &in, NULL, NULL, 1, &row, &mine) != 0 || row.id <= 0) {
                    fprintf(stderr, "child create_run: %s\n", flux_store_error(c));
                    errors++;
                }
                made += mine;
            }
            flux_store_close(c);
            int msg[2] = {made, errors};
            ssize_t w = write(fds[1], msg, sizeof msg);
            _exit(w == (ssize_t)sizeof msg ? 0 : 3);
        }
    }
    close(fds[1]);
    int made = 0, errors = 0, msg[2];
    while (read(fds[0], msg, sizeof msg) == (ssize_t)sizeof msg) {
        made += msg[0];
        errors += msg[1];
    }
    close(fds[0]);
    bool clean = true;
    for (int p = 0; p < PROCS; p++) {
        int status = 0;
        if (pids[p] < 0 || waitpid(pids[p], &status, 0) != pids[p] || !WIFEXITED(status) || WEXITSTATUS(status))
            clean = false;
    }
    CHECK(clean);
    CHECK_MSG(errors == 0, "%d create_run calls failed in the race", errors);
    CHECK_MSG(made == RUNS, "%d processes reported %d creations of %d runs", PROCS, made, RUNS);
    flux_run_row *rows;
    size_t n;
    OK(s, flux_store_list_runs(s, "race", 0, &rows, &n));
    CHECK_MSG(n == RUNS, "%zu runs after the race", n);
    free(rows);
}

/* Latency of one committed state change (a task instance's update, which is
 * what the executor does most), and of opening a current store. */
static void timing(const char *url, const char *label)
{
    flux_store *s = OPEN(url);
    if (!s)
        return;
    static int round;
    char task[32], task_ins[32];
    round++;
    snprintf(task, sizeof task, "timed-%d", round);
    snprintf(task_ins, sizeof task_ins, "timed-insert-%d", round);
    flux_run_row run;
    int64_t ti = 0;
    if (flux_store_find_run(s, "p1", "twin", &run) != 0 ||
        flux_store_ti_insert(s, run.id, task, 1, FLUX_TI_QUEUED, 1, &ti) != 0) {
        CHECK_MSG(false, "timing setup: %s", flux_store_error(s));
        flux_store_close(s);
        return;
    }
    enum { N = 400 };
    static int64_t ns[N], ins[N];
    for (int i = 0; i < N; i++) {
        int64_t t0 = mono_ns();
        int rc = flux_store_ti_update(s, ti,
                                      &(flux_ti_patch){.state = i % 2 ? FLUX_TI_RUNNING : FLUX_TI_QUEUED,
                                                       .started_ms = 1000 + i, .pid = 100 + i});
        ns[i] = mono_ns() - t0;
        if (rc) {
            CHECK_MSG(false, "timed update: %s", flux_store_error(s));
            break;
        }
    }
    for (int i = 0; i < N; i++) {
        int64_t t0 = mono_ns();
        int64_t id;
        int rc = flux_store_ti_insert(s, run.id, task_ins, i + 1, FLUX_TI_QUEUED, 1, &id);
        ins[i] = mono_ns() - t0;
        if (rc) {
            CHECK_MSG(false, "timed insert: %s", flux_store_error(s));
            break;
        }
    }
    flux_store_close(s);
    int64_t t0 = mono_ns();
    s = OPEN(url);
    int64_t open_ns = mono_ns() - t0;
    flux_store_close(s);
    qsort(ns, N, sizeof ns[0], cmp_i64);
    qsort(ins, N, sizeof ins[0], cmp_i64);
    printf("timing %-22s ti_update commit p50 %6.1f us p99 %7.1f us | ti_insert commit p50 %6.1f us p99 %7.1f us "
           "| open %.2f ms (n=%d)\n",
           label, ns[N / 2] / 1e3, ns[N * 99 / 100] / 1e3, ins[N / 2] / 1e3, ins[N * 99 / 100] / 1e3, open_ns / 1e6,
           N);
}

/* Deployments, sources, pipeline flags, scheduler rows, run claims: the
 * store side of flux deploy and flux scheduler. */
static void deploy_checks(const char *url, flux_store *s)
{
    int v = -1;
    bool created = false;
    OK(s, flux_store_deploy(s, "dp", plan_id(201), "pipeline: dp # 1\n", "pipes/dp.flux", "aa", "c0ffee", 1000, &v,
                            &created));
    CHECK(v == 1 && created);
    OK(s, flux_store_deploy(s, "dp", plan_id(201), "pipeline: dp # 1\n", "pipes/dp.flux", "aa", "c0ffee", 2000, &v,
                            &created));
    CHECK_MSG(v == 1 && !created, "the same plan again is no new version (v=%d)", v);
    OK(s, flux_store_deploy(s, "dp", plan_id(202), "pipeline: dp # 2\n", "pipes/dp.flux", "bb", NULL, 3000, &v,
                            &created));
    CHECK(v == 2 && created);
    /* a revert is a new version of an old plan */
    OK(s, flux_store_deploy(s, "dp", plan_id(201), "pipeline: dp # 1\n", "pipes/dp.flux", "aa", "feed", 4000, &v,
                            &created));
    CHECK(v == 3 && created);
    flux_deployment *d;
    size_t n;
    OK(s, flux_store_list_deployments(s, "dp", &d, &n));
    CHECK(n == 3 && d[0].version == 3 && streq(d[0].plan_id, plan_id(201)) && streq(d[0].commit, "feed") &&
          d[1].version == 2 && streq(d[1].commit, "") && d[2].deployed_at == 1000 &&
          streq(d[2].source_path, "pipes/dp.flux"));
    free(d);
    flux_deployment one;
    CHECK(flux_store_get_deployment(s, "dp", 2, &one) == 0 && streq(one.plan_id, plan_id(202)));
    CHECK(flux_store_get_deployment(s, "dp", 9, &one) == 1);

    /* sources and their diagnostics */
    OK(s, flux_store_put_source(s, "pipes/dp.flux", "aa", "feed", NULL, 5000));
    OK(s, flux_store_put_source(s, "pipes/dp.flux", "cc", "beef", "dp.flux:3:5: error: unknown operator", 6000));
    flux_source_row *src;
    OK(s, flux_store_list_sources(s, &src, &n));
    CHECK(n == 1 && streq(src[0].path, "pipes/dp.flux") && streq(src[0].sha256, "cc") &&
          src[0].errors && contains(src[0].errors, "unknown operator") && src[0].checked_at == 6000);
    flux_source_rows_free(src, n);

    /* the pipeline's view: latest version, its plan, paused, removed, errors */
    CHECK(flux_store_set_paused(s, "dp", true, 7000) == 0);
    CHECK(flux_store_set_paused(s, "nope", true, 7000) == 1);
    CHECK(flux_store_set_removed(s, "dp", true, 7000) == 0);
    flux_pipeline_row *p;
    OK(s, flux_store_list_pipelines(s, &p, &n));
    size_t k = 0;
    while (k < n && !streq(p[k].name, "dp"))
        k++;
    CHECK(k < n && p[k].paused && p[k].removed && p[k].version == 3 && streq(p[k].plan_id, plan_id(201)) &&
          p[k].errors && streq(p[k].source_path, "pipes/dp.flux"));
    flux_pipeline_rows_free(p, n);
    CHECK(flux_store_set_removed(s, "dp", false, 8000) == 0);
    CHECK(flux_store_set_paused(s, "dp", false, 8000) == 0);
    OK(s, flux_store_list_pipelines(s, &p, &n));
    for (k = 0; k < n && !streq(p[k].name, "dp");)
        k++;
    CHECK(k < n && !p[k].paused && !p[k].removed);
    flux_pipeline_rows_free(p, n);

    /* scheduler heartbeats */
    OK(s, flux_store_heartbeat(s, "vm:1:1", "vm", 1, 100, 200, false));
    OK(s, flux_store_heartbeat(s, "vm:1:1", "vm", 1, 100, 300, false));
    OK(s, flux_store_heartbeat(s, "vm:2:5", "vm", 2, 150, 250, true));
    flux_scheduler_row *sr;
    OK(s, flux_store_list_schedulers(s, &sr, &n));
    CHECK(n == 2 && streq(sr[0].id, "vm:1:1") && sr[0].heartbeat == 300 && sr[0].stopped == 0 &&
          sr[1].stopped == 250);
    free(sr);

    /* run claims: one owner at a time; a dead owner's run can be taken over */
    flux_run_row in, run;
    memset(&in, 0, sizeof in);
    snprintf(in.pipeline, sizeof in.pipeline, "dp");
    snprintf(in.run_id, sizeof in.run_id, "scheduled__claim");
    snprintf(in.plan_id, sizeof in.plan_id, "%s", plan_id(201));
    snprintf(in.trigger, sizeof in.trigger, "scheduled");
    in.state = FLUX_RUN_QUEUED;
    in.interval_start = 5000;
    in.interval_end = 6000;
    in.logical_date = 5000;
    OK(s, flux_store_create_run(s, &in, NULL, NULL, 9000, &run, &created));
    int64_t last = 0;
    CHECK(flux_store_last_scheduled(s, "dp", &last) == 0 && last == 5000);
    CHECK(flux_store_last_scheduled(s, "nobody", &last) == 1);
    int active = -1;
    OK(s, flux_store_active_runs(s, "dp", &active));
    CHECK(active == 1);
    bool got = false;
    OK(s, flux_store_claim_run(s, run.id, "vm:1:1", NULL, 9100, &got));
    CHECK(got);
    /* a second scheduler on its own connection: the row is taken */
    flux_store *s2 = OPEN(url);
    if (s2) {
        OK(s2, flux_store_claim_run(s2, run.id, "vm:2:5", NULL, 9200, &got));
        CHECK_MSG(!got, "a claimed run claimed again");
        OK(s2, flux_store_claim_run(s2, run.id, "vm:2:5", "vm:1:1", 9300, &got));
        CHECK_MSG(got, "taking over from a dead owner");
        flux_store_close(s2);
    }
    char owner[256];
    char *params = NULL;
    CHECK(flux_store_run_control(s, run.id, owner, sizeof owner, &params) == 0 && streq(owner, "vm:2:5") && !params);
    /* a run has its owner and params from the transaction that creates it:
     * a triggered one unowned with its params, one a process runs owned */
    flux_run_row trig = in, trow;
    snprintf(trig.run_id, sizeof trig.run_id, "manual__trigger");
    snprintf(trig.trigger, sizeof trig.trigger, "manual");
    OK(s, flux_store_create_run(s, &trig, NULL, "[\"topic=t\"]", 9400, &trow, &created));
    CHECK(created);
    CHECK(flux_store_run_control(s, trow.id, owner, sizeof owner, &params) == 0 && streq(owner, "") && params &&
          streq(params, "[\"topic=t\"]"));
    free(params);
    params = NULL;
    snprintf(trig.run_id, sizeof trig.run_id, "manual__owned");
    OK(s, flux_store_create_run(s, &trig, "run:vm:7:1", NULL, 9500, &trow, &created));
    CHECK(flux_store_run_control(s, trow.id, owner, sizeof owner, &params) == 0 && streq(owner, "run:vm:7:1") &&
          !params);
    OK(s, flux_store_claim_run(s, trow.id, "vm:1:1", NULL, 9600, &got));
    CHECK_MSG(!got, "an owned run claimed by another");
    /* the same owner again (a scheduler adopting its own run after a store error) */
    OK(s, flux_store_claim_run(s, trow.id, "run:vm:7:1", NULL, 9700, &got));
    CHECK(got);
    int64_t *ids = NULL;
    size_t nids = 0;
    OK(s, flux_store_runs_owned(s, "run:vm:7:1", &ids, &nids));
    CHECK(nids == 1 && ids[0] == trow.id);
    free(ids);
    flux_run_row *un;
    OK(s, flux_store_unfinished_runs(s, &un, &n));
    bool seen = false;
    for (k = 0; k < n; k++)
        seen |= un[k].id == run.id;
    CHECK(seen);
    free(un);
}

/* Grouped writes (flux_store_group): on SQLite one transaction until the
 * flush, invisible to another connection before it, a failed write undoing
 * only itself; on MySQL nothing is grouped. */
static void group_checks(const char *url, flux_store *s)
{
    bool grouped = flux_store_group(s, true);
    CHECK_MSG(grouped == streq(flux_store_kind(s), "sqlite"), "grouping is SQLite's only");
    flux_run_row in = run_in("p1", "manual__2026-03-01T00:00:00+00:00", plan_id(1), "manual", 1772323200000);
    flux_run_row row;
    bool created = false;
    OK(s, flux_store_create_run(s, &in, NULL, NULL, 7000, &row, &created));
    int64_t ti = 0, dup = 0;
    OK(s, flux_store_ti_insert(s, row.id, "a", 1, FLUX_TI_QUEUED, 7000, &ti));
    /* the same try again: a unique key refuses it, and only it is undone */
    CHECK(flux_store_ti_insert(s, row.id, "a", 1, FLUX_TI_QUEUED, 7001, &dup) != 0);
    CHECK(flux_store_unflushed(s) == grouped);
    flux_store *other = OPEN(url);
    if (other) {
        flux_run_row seen;
        CHECK_MSG(flux_store_find_run(other, "p1", in.run_id, &seen) == (grouped ? 1 : 0),
                  "another connection sees grouped writes only after the flush");
    }
    OK(s, flux_store_flush(s));
    CHECK(!flux_store_unflushed(s));
    if (other) {
        flux_run_row seen;
        OK(other, flux_store_find_run(other, "p1", in.run_id, &seen));
        flux_ti_row *tis = NULL;
        size_t n = 0;
        OK(other, flux_store_list_tis(other, seen.id, &tis, &n));
        CHECK_MSG(n == 1 && tis[0].id == ti, "the flush committed the run and its one try (%zu rows)", n);
        flux_ti_rows_free(tis, n);
        flux_store_close(other);
    }
    flux_store_group(s, false);
    CHECK(!flux_store_unflushed(s));
}

/* A run's counts and log cuts in one read (flux_store_run_extras): each try
 * that has either once, sorted by ti, with what the one-try reads say. */
static void extras_checks(flux_store *s)
{
    flux_run_row in = run_in("p1", "manual__2020-01-01T00:00:00+00:00", plan_id(1), "manual", 1577836800000);
    flux_run_row row;
    bool created = false;
    OK(s, flux_store_create_run(s, &in, NULL, NULL, 8000, &row, &created));
    int64_t a = 0, b = 0, c = 0;
    OK(s, flux_store_ti_insert(s, row.id, "a", 1, FLUX_TI_QUEUED, 8000, &a));
    OK(s, flux_store_ti_insert(s, row.id, "b", 1, FLUX_TI_QUEUED, 8000, &b));
    OK(s, flux_store_ti_insert(s, row.id, "c", 1, FLUX_TI_QUEUED, 8000, &c));
    OK(s, flux_store_put_counts(s, b, 10, 7, 3, 4096));
    OK(s, flux_store_put_log_cut(s, b, 500, 1000));
    OK(s, flux_store_put_log_cut(s, c, 9, 20));
    flux_ti_extras *v = NULL;
    size_t n = 0;
    OK(s, flux_store_run_extras(s, row.id, &v, &n));
    CHECK_MSG(n == 2 && v[0].ti == b && v[1].ti == c, "two tries with extras, in ti order (%zu)", n);
    const flux_ti_extras *eb = flux_ti_extras_find(v, n, b), *ec = flux_ti_extras_find(v, n, c);
    CHECK(flux_ti_extras_find(v, n, a) == NULL);
    CHECK(eb && eb->has_counts && eb->read == 10 && eb->written == 7 && eb->rejected == 3 && eb->bytes == 4096);
    CHECK(eb && eb->has_cut && eb->dropped == 500 && eb->max_log_size == 1000);
    CHECK(ec && !ec->has_counts && ec->has_cut && ec->dropped == 9 && ec->max_log_size == 20);
    free(v);
}

static void contract(const char *url)
{
    schema_checks(url);
    flux_store *s = OPEN(url);
    if (!s)
        return;
    plan_checks(s);
    run_checks(url, s);
    list_checks(s);
    ti_checks(s);
    slurm_checks(s);
    race_checks(url, s);
    deploy_checks(url, s);
    group_checks(url, s);
    extras_checks(s);
    flux_store_close(s);
}

/* ---- URL handling, without any server ---- */

static void url_checks(const char *dir)
{
    unit_suite = "url";
    char err[1024];
    flux_store *s = NULL;
    CHECK(flux_store_open("postgres://u:hunter2@h/db", &s, err, sizeof err) != 0);
    CHECK_MSG(contains(err, "postgres") && !contains(err, "hunter2"), "%s", err);
    CHECK(flux_store_open("mysql://u:hunter2@127.0.0.1:3306", &s, err, sizeof err) != 0);
    CHECK_MSG(contains(err, "database") && !contains(err, "hunter2"), "%s", err);
    CHECK(flux_store_open("mysql://u:hunter2@127.0.0.1:99999/db", &s, err, sizeof err) != 0);
    CHECK_MSG(contains(err, "port") && !contains(err, "hunter2"), "%s", err);
    CHECK(flux_store_open("", &s, err, sizeof err) != 0);

    /* a plain path and sqlite:// with a relative path are the same kind of store */
    char path[4200], cwd[4096];
    snprintf(path, sizeof path, "%s/plain.db", dir);
    s = OPEN(path);
    if (s) {
        CHECK(streq(flux_store_kind(s), "sqlite"));
        flux_store_close(s);
    }
    if (CHECK(getcwd(cwd, sizeof cwd) && chdir(dir) == 0)) {
        s = OPEN("sqlite://rel.db");
        flux_store_close(s);
        CHECK(access("rel.db", F_OK) == 0);
        CHECK(chdir(cwd) == 0);
    }

    setenv("FLUX_SQLITE_SYNC", "sometimes", 1);
    CHECK(flux_store_open(path, &s, err, sizeof err) != 0);
    CHECK_MSG(contains(err, "FLUX_SQLITE_SYNC"), "%s", err);
    setenv("FLUX_SQLITE_SYNC", "full", 1);
    s = OPEN(path);
    flux_store_close(s);
    unsetenv("FLUX_SQLITE_SYNC");
}

/* ---- MySQL only: passwords and a lost connection ---- */

/* mysql://user:pass@rest -> user, rest (password dropped) */
static bool split_url(const char *url, char *user, size_t ucap, char *rest, size_t rcap)
{
    const char *p = url + strlen("mysql://");
    const char *at = strrchr(p, '@');
    if (strncmp(url, "mysql://", 8) != 0 || !at)
        return false;
    size_t ulen = strcspn(p, ":@");
    snprintf(user, ucap, "%.*s", (int)ulen, p);
    snprintf(rest, rcap, "%s", at + 1);
    return true;
}

static void mysql_checks(const char *url, const char *dir)
{
    char user[256], rest[1024], u[1400], err[1024];
    if (!CHECK_MSG(split_url(url, user, sizeof user, rest, sizeof rest), "FLUX_TEST_MYSQL_URL %s", url))
        return;
    flux_store *s = NULL;

    /* a wrong password: refused, and not repeated in the message */
    snprintf(u, sizeof u, "mysql://%s:Wr0ngPassw0rd@%s", user, rest);
    CHECK(flux_store_open(u, &s, err, sizeof err) != 0);
    CHECK_MSG(contains(err, "cannot connect") && !contains(err, "Wr0ngPassw0rd"), "%s", err);

    /* the password from FLUX_DB_PASSWORD, then from FLUX_DB_PASSWORD_FILE */
    const char *pw_start = strchr(url + 8, ':');
    const char *at = strrchr(url, '@');
    char pw[256] = "";
    if (pw_start && pw_start < at)
        snprintf(pw, sizeof pw, "%.*s", (int)(at - pw_start - 1), pw_start + 1);
    snprintf(u, sizeof u, "mysql://%s@%s", user, rest);
    setenv("FLUX_DB_PASSWORD", pw, 1);
    s = OPEN(u);
    flux_store_close(s);
    unsetenv("FLUX_DB_PASSWORD");
    char file[4200];
    snprintf(file, sizeof file, "%s/password", dir);
    FILE *f = fopen(file, "w");
    if (CHECK(f != NULL)) {
        fprintf(f, "%s\n", pw);
        fclose(f);
        setenv("FLUX_DB_PASSWORD_FILE", file, 1);
        s = OPEN(u);
        flux_store_close(s);
        setenv("FLUX_DB_PASSWORD_FILE", "/nonexistent/flux-password", 1);
        CHECK(flux_store_open(u, &s, err, sizeof err) != 0);
        CHECK_MSG(contains(err, "/nonexistent/flux-password"), "%s", err);
        unsetenv("FLUX_DB_PASSWORD_FILE");
    }

    /* a killed connection fails the call it broke, clearly; the next call
     * opens a new connection and works (a restarted server) */
    flux_store *a = OPEN(url), *b = OPEN(url);
    if (a && b) {
        flux_run_row row;
        OK(a, flux_store_find_run(a, "p1", "twin", &row));
        char kill[300];
        snprintf(kill, sizeof kill, "KILL USER '%s'", user);
        flux_store_exec_raw(b, kill); /* kills b's own connection too */
        CHECK(flux_store_find_run(a, "p1", "twin", &row) < 0);
        CHECK_MSG(contains(flux_store_error(a), "lost the connection") &&
                      contains(flux_store_error(a), "the next call reconnects"),
                  "%s", flux_store_error(a));
        CHECK(flux_store_lost(a));
        CHECK(flux_store_reopened(a) == 0);
        OK(a, flux_store_set_run_state(a, row.id, FLUX_RUN_RUNNING, 1));
        CHECK(!flux_store_lost(a));
        CHECK(flux_store_reopened(a) == 1);
        OK(a, flux_store_find_run(a, "p1", "twin", &row));
        CHECK(row.state == FLUX_RUN_RUNNING);
    }
    flux_store_close(a);
    flux_store_close(b);
    flux_store *c = OPEN(url); /* a new open works again */
    flux_store_close(c);
}

/* Drops the flux tables of the MySQL test database, children first. */
static void mysql_wipe(const char *url)
{
    flux_store *s = NULL;
    char err[1024];
    if (!check_at(__LINE__, flux_store_open(url, &s, err, sizeof err) == 0, "open %s for wiping: %s", url, err))
        return;
    static const char *const tables[] = {"slurm_tries", "notifications", "deadline_misses", "run_control",    "pipeline_sources", "deployments", "sources",
                                         "schedulers",     "lineage",          "transfer_counts", "log_truncations",
                                         "task_instances", "runs",             "plan_meta",       "plan_versions", "events",
                                         "pipelines",      "flux_schema"};
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
        char sql[128];
        snprintf(sql, sizeof sql, "DROP TABLE IF EXISTS %s", tables[i]);
        OK(s, flux_store_exec_raw(s, sql));
    }
    flux_store_close(s);
}

static void rm_dir(const char *dir)
{
    static const char *const names[] = {"flux.db", "flux.db-wal", "flux.db-shm", "plain.db", "plain.db-wal",
                                        "plain.db-shm", "rel.db", "rel.db-wal", "rel.db-shm", "password"};
    char p[4200];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, names[i]);
        unlink(p);
    }
    rmdir(dir);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    unsetenv("FLUX_SQLITE_SYNC");
    unsetenv("FLUX_DB_PASSWORD");
    unsetenv("FLUX_DB_PASSWORD_FILE");
    char dir[] = "/tmp/flux-test-store.XXXXXX";
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    char url[4200];
    snprintf(url, sizeof url, "sqlite://%s/flux.db", dir);

    url_checks(dir);

    unit_suite = "sqlite";
    contract(url);
    timing(url, "sqlite (sync=normal)");
    setenv("FLUX_SQLITE_SYNC", "full", 1);
    timing(url, "sqlite (sync=full)");
    unsetenv("FLUX_SQLITE_SYNC");

    const char *my = getenv("FLUX_TEST_MYSQL_URL");
    if (my && *my) {
        unit_suite = "mysql";
        mysql_wipe(my);
        contract(my);
        timing(my, "mysql");
        mysql_checks(my, dir);
    } else {
        printf("FLUX_TEST_MYSQL_URL is not set: MySQL part skipped\n");
    }

    rm_dir(dir);
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
