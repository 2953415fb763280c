/* test_history — the web UI's store side: the events feed (written with
 * each transition, not with a write that changes no state, read by id,
 * pruned by age), a try's ready time, flux clear adding a try, and the
 * history views (grid, gantt, daily stats, transfers) and the runs
 * search's window on a seeded store,
 * compared with SQL-free expectations from the seed's rules. On SQLite
 * and, when FLUX_TEST_MYSQL_URL is set (integration/store_mariadb), MySQL. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "browse.h"
#include "history.h"
#include "runs.h"
#include "seed.h"
#include "store_driver.h"
#include "unit.h"

#define CHECK(e) check_at(__LINE__, (e), "%s", #e)
#define CHECK_MSG(e, ...) check_at(__LINE__, (e), __VA_ARGS__)
#define OK(s, e) check_at(__LINE__, (e) == 0, "%s: %s", #e, flux_store_error(s))

static size_t count_events(flux_store *s, int64_t after, const char *kind, const char *state, int64_t *last)
{
    flux_event_row *ev;
    size_t n, hits = 0;
    if (flux_store_events_since(s, after, 0, &ev, &n) != 0)
        return (size_t)-1;
    for (size_t i = 0; i < n; i++) {
        if (!strcmp(ev[i].kind, kind) && !strcmp(ev[i].state, state))
            hits++;
        if (last)
            *last = ev[i].id;
    }
    free(ev);
    return hits;
}

/* transitions write one event each, in order; a write that keeps the state writes none */
static void events_checks(flux_store *s)
{
    int64_t last = 0;
    count_events(s, 0, "run", "", &last);
    flux_run_row in = {0}, row;
    snprintf(in.pipeline, sizeof in.pipeline, "ev");
    snprintf(in.run_id, sizeof in.run_id, "manual__1");
    snprintf(in.trigger, sizeof in.trigger, "manual");
    in.interval_start = in.interval_end = in.logical_date = 1000;
    OK(s, flux_store_create_run(s, &in, NULL, NULL, 1000, &row, &(bool){0}));
    OK(s, flux_store_set_run_state(s, row.id, FLUX_RUN_RUNNING, 2000));
    OK(s, flux_store_set_run_state(s, row.id, FLUX_RUN_RUNNING, 2100)); /* no change: no event */
    int64_t ti;
    OK(s, flux_store_ti_insert_ready(s, row.id, "a", 1, FLUX_TI_QUEUED, 2500, 3000, &ti));
    OK(s, flux_store_ti_update(s, ti, &(flux_ti_patch){.state = FLUX_TI_RUNNING, .started_ms = 3100}));
    OK(s, flux_store_ti_update(s, ti, &(flux_ti_patch){.state = FLUX_TI_RUNNING, .outputs = "{}"}));
    OK(s, flux_store_ti_update(s, ti, &(flux_ti_patch){.state = FLUX_TI_FAILED, .ended_ms = 4000}));
    flux_event_row *ev;
    size_t n;
    OK(s, flux_store_events_since(s, last, 0, &ev, &n));
    const char *want[] = {"run:queued", "run:running", "ti:queued", "ti:running", "ti:failed"};
    CHECK_MSG(n == 5, "%zu events after five transitions", n);
    for (size_t i = 0; i < n && i < 5; i++) {
        char got[64];
        snprintf(got, sizeof got, "%s:%s", ev[i].kind, ev[i].state);
        CHECK_MSG(!strcmp(got, want[i]), "event %zu is %s, want %s", i, got, want[i]);
        CHECK(i == 0 || ev[i].id > ev[i - 1].id);
        CHECK(ev[i].run == row.id && !strcmp(ev[i].pipeline, "ev") && ev[i].at > 1000000000000LL);
    }
    CHECK(n == 5 && ev[2].ti == ti && !strcmp(ev[2].task, "a") && ev[0].ti == 0 && !ev[0].task[0]);
    free(ev);
    OK(s, flux_store_events_since(s, last, 2, &ev, &n)); /* a limit */
    CHECK(n == 2);
    free(ev);

    /* ready, queued and started are distinct and kept */
    flux_ti_row *tis;
    OK(s, flux_store_list_tis(s, row.id, &tis, &n));
    CHECK_MSG(n == 1 && tis[0].ready == 2500 && tis[0].queued == 3000 && tis[0].started == 3100, "ready %lld",
              n ? (long long)tis[0].ready : -1LL);
    flux_ti_rows_free(tis, n);

    /* clear adds a try (none) after the failed one, which stays as it ended */
    OK(s, flux_store_set_run_state(s, row.id, FLUX_RUN_FAILED, 5000));
    const char *task = "a";
    int cancelled = -1;
    char cerr[256];
    CHECK(flux_runs_clear(s, row.id, &task, 1, NULL, &cancelled, cerr, sizeof cerr) == 1 && cancelled == 0);
    OK(s, flux_store_list_tis(s, row.id, &tis, &n));
    CHECK_MSG(n == 2 && tis[0].state == FLUX_TI_FAILED && tis[0].ended == 4000 && tis[1].try_number == 2 &&
                  tis[1].state == FLUX_TI_NONE && tis[1].note && !strcmp(tis[1].note, "cleared"),
              "%zu tries after a clear", n);
    flux_ti_rows_free(tis, n);
    OK(s, flux_store_get_run(s, row.id, &row));
    CHECK(row.state == FLUX_RUN_QUEUED);
    CHECK(count_events(s, last, "ti", "none", NULL) == 1 && count_events(s, last, "run", "queued", NULL) == 2);

    /* pruned by age: an old row goes, the new ones stay */
    OK(s, flux_store_exec_raw(s, "INSERT INTO events (at, kind, run, pipeline, state) VALUES (5, 'run', 1, 'ev', "
                                 "'queued')"));
    int64_t gone = -1;
    OK(s, flux_store_prune_events(s, 1000000, &gone));
    CHECK_MSG(gone == 1, "%lld old events pruned", (long long)gone);
    CHECK(count_events(s, last, "ti", "failed", NULL) == 1);
}

/* items of the seed's pipeline (another test's may share a MySQL store);
 * *leading: how many of them come before any other's */
static size_t of_seed(json_t *items, size_t *leading)
{
    size_t n = 0;
    bool other = false;
    for (size_t i = 0; i < json_array_size(items); i++) {
        json_t *it = json_array_get(items, i), *p = json_object_get(it, "pipeline");
        const char *rid = json_string_value(json_object_get(it, "run_id"));
        bool mine = p ? !strcmp(json_string_value(p), "web_seed") : rid && !strncmp(rid, "scheduled__1735", 15);
        n += mine;
        other |= !mine;
        if (leading && mine && !other)
            (*leading)++;
    }
    return n;
}

static void seeded_checks(flux_store *s, const char *logs)
{
    seed_opts o = {"web_seed", 30, 20, 1735689600000LL, logs, 2, 0};
    char err[1024];
    CHECK_MSG(seed_store(s, &o, err, sizeof err) == 0, "seed: %s", err);
    json_t *g = flux_view_grid(s, "web_seed", 8, err, sizeof err);
    if (!CHECK_MSG(g != NULL, "grid: %s", err))
        return;
    json_t *runs = json_object_get(g, "runs"), *tasks = json_object_get(g, "tasks");
    CHECK(json_array_size(runs) == 8 && json_array_size(tasks) == 20);
    CHECK(!strcmp(json_string_value(json_array_get(tasks, 0)), "t0"));
    json_t *newest = json_array_get(runs, 0), *cells = json_object_get(newest, "cells");
    CHECK(!strcmp(json_string_value(json_object_get(newest, "state")), "running"));
    CHECK(json_array_size(cells) == 20 && json_is_null(json_array_get(cells, 19)));
    /* run 24 (3 mod 7: failed at t3 on try 2, t13 upstream_failed) is the sixth newest */
    json_t *bad = json_object_get(json_array_get(runs, 5), "cells");
    json_t *t3 = json_array_get(bad, 3);
    CHECK(!strcmp(json_string_value(json_object_get(t3, "state")), "failed") &&
          json_integer_value(json_object_get(t3, "try_number")) == 2);
    CHECK(!strcmp(json_string_value(json_object_get(json_array_get(bad, 13), "state")), "upstream_failed"));
    CHECK(json_integer_value(json_object_get(json_array_get(bad, 0), "duration_ms")) == 1000);
    int64_t run = json_integer_value(json_object_get(json_array_get(runs, 1), "id"));
    json_decref(g);

    json_t *gt = flux_view_gantt(s, run, err, sizeof err);
    if (CHECK_MSG(gt != NULL, "gantt: %s", err)) {
        json_t *tries = json_object_get(gt, "tries"), *t0 = json_array_get(tries, 0);
        CHECK_MSG(json_array_size(tries) == 22, "%zu tries", json_array_size(tries)); /* t9, t19 twice */
        CHECK(!strcmp(json_string_value(json_object_get(t0, "task")), "t0"));
        size_t waited = 0; /* the seed queues tasks t1..t4, t6..t9 of each ten (and retries) after they were ready */
        for (size_t i = 0; i < json_array_size(tries); i++) {
            const char *ready = json_string_value(json_object_get(json_array_get(tries, i), "ready"));
            const char *queued = json_string_value(json_object_get(json_array_get(tries, i), "queued"));
            waited += ready && queued && strcmp(ready, queued) != 0;
        }
        CHECK_MSG(waited == 18, "%zu tries waited between ready and queued", waited);
        json_decref(gt);
    }

    /* 30 hourly runs from 2025-01-01: day one holds 24 (3 failed: 3, 10, 17), day two 6 (24 failed, 29 running) */
    json_t *st = flux_view_stats_daily(s, "web_seed", 14, 1735689600000LL + 86400000LL * 3, err, sizeof err);
    if (CHECK_MSG(st != NULL, "stats: %s", err)) {
        char *j = json_dumps(json_object_get(st, "items"), JSON_COMPACT);
        CHECK_MSG(!strcmp(j, "[{\"day\":\"2025-01-01\",\"pipeline\":\"web_seed\",\"succeeded\":21,\"failed\":3,"
                             "\"running\":0},{\"day\":\"2025-01-02\",\"pipeline\":\"web_seed\",\"succeeded\":4,"
                             "\"failed\":1,\"running\":1}]"),
                  "stats %s", j);
        free(j);
        json_decref(st);
    }
    st = flux_view_stats_daily(s, NULL, 1, 1735689600000LL + 86400000LL, err, sizeof err);
    CHECK(st && of_seed(json_object_get(st, "items"), NULL) == 1); /* all pipelines, one day: the second */
    json_decref(st);

    json_t *x = flux_view_transfers(s, "web_seed", "t1", 5, err, sizeof err);
    if (CHECK_MSG(x != NULL, "transfers: %s", err)) {
        json_t *items = json_object_get(x, "items"), *it = json_array_get(items, 0);
        CHECK(json_array_size(items) == 5);
        int64_t rd = json_integer_value(json_object_get(it, "records_read"));
        int64_t wr = json_integer_value(json_object_get(it, "records_written"));
        double lr = json_real_value(json_object_get(it, "loss_ratio"));
        CHECK_MSG(rd > 0 && lr > (double)(rd - wr) / rd - 1e-9 && lr < (double)(rd - wr) / rd + 1e-9, "loss %f", lr);
        CHECK(!strcmp(json_string_value(json_object_get(it, "task")), "t1"));
        char *j = json_dumps(x, JSON_COMPACT);
        CHECK_MSG(!strstr(j, SEED_SECRET), "the secret in transfers");
        free(j);
        json_decref(x);
    }
    x = flux_view_transfers(s, NULL, NULL, 0, err, sizeof err);
    size_t ld = 0; /* newest run first, whatever the pipeline */
    CHECK(x && of_seed(json_object_get(x, "items"), &ld) == 2 * 30); /* t1 and t2 of every run succeeded */
    CHECK_MSG(ld == 2 * 30, "the seed's newest run is not first");
    json_decref(x);
}

/* every page of a search of web_seed's runs for field, window runs a
 * page: the ids found in order (at most cap), the pages, and how many
 * pages ended at the window before they were full */
static size_t walk_search(flux_store *s, const char *field, size_t window, size_t limit, int64_t *ids, size_t cap,
                          int *pages, int *short_pages)
{
    flux_runs_query q = {.pipeline = "web_seed", .field = field, .window = window};
    char cursor[64] = "", err[1024];
    size_t n = 0;
    *pages = *short_pages = 0;
    for (; *pages < 100; (*pages)++) {
        bool bad;
        json_t *page = flux_view_runs_search(s, &q, cursor, limit, &bad, err, sizeof err);
        if (!CHECK_MSG(page != NULL, "search %s: %s", field, err))
            return n;
        json_t *items = json_object_get(page, "items"), *next = json_object_get(page, "next_cursor");
        for (size_t i = 0; i < json_array_size(items); i++)
            if (n < cap)
                ids[n++] = json_integer_value(json_object_get(json_array_get(items, i), "id"));
        CHECK(json_array_size(items) <= limit);
        if (json_is_string(next) && json_array_size(items) < limit)
            (*short_pages)++;
        if (!json_is_string(next)) {
            json_decref(page);
            (*pages)++;
            return n;
        }
        snprintf(cursor, sizeof cursor, "%s", json_string_value(next));
        json_decref(page);
    }
    CHECK_MSG(false, "search %s: over 100 pages", field);
    return n;
}

/* a text search looks in a window of runs a page: what it finds is what
 * the search without one finds, in the same order, over more pages */
static void window_checks(flux_store *s)
{
    /* a text two of the 30 runs hold: the 3rd and the 21st oldest */
    char sql[600];
    snprintf(sql, sizeof sql,
             "UPDATE task_instances SET rendered = '{\"command\":\"echo needle\"}' WHERE task = 't5' AND run IN "
             "(SELECT id FROM runs WHERE pipeline = 'web_seed' AND run_id IN ('scheduled__%lld', 'scheduled__%lld'))",
             1735689600000LL + 2 * 3600000LL, 1735689600000LL + 20 * 3600000LL);
    OK(s, flux_store_exec_raw(s, sql));
    int64_t all[64], win[64];
    int pages, short_pages;
    size_t n = walk_search(s, "needle", 0, 50, all, 64, &pages, &short_pages);
    CHECK_MSG(n == 2 && pages == 1 && short_pages == 0, "without a window: %zu runs, %d pages", n, pages);
    size_t m = walk_search(s, "needle", 4, 50, win, 64, &pages, &short_pages);
    CHECK_MSG(m == 2 && pages == 8 && short_pages == 7, "windows of 4 over 30 runs: %zu runs, %d pages, %d short", m,
              pages, short_pages);
    CHECK(n == 2 && m == 2 && all[0] == win[0] && all[1] == win[1] && all[0] > all[1]);
    /* a text no run holds: pages of nothing until the runs end */
    m = walk_search(s, "no run holds this", 4, 50, win, 64, &pages, &short_pages);
    CHECK_MSG(m == 0 && pages == 8, "a text none holds: %zu runs in %d pages", m, pages);
    /* a text every run holds fills a page before its window ends */
    m = walk_search(s, "echo t1", 10, 3, win, 64, &pages, &short_pages);
    CHECK_MSG(m == 30 && pages == 10 && short_pages == 0, "every run: %zu in %d pages (%d short)", m, pages,
              short_pages);
    n = walk_search(s, "echo t1", 0, 3, all, 64, &pages, &short_pages);
    CHECK(n == 30 && !memcmp(all, win, 30 * sizeof *all));
}

static void suite_checks(const char *url, const char *logs)
{
    flux_store *s = NULL;
    char err[1024];
    if (!CHECK_MSG(flux_store_open(url, &s, err, sizeof err) == 0, "open %s: %s", url, err))
        return;
    events_checks(s);
    seeded_checks(s, logs);
    window_checks(s);
    flux_store_close(s);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    char dir[] = "/tmp/flux-test-history.XXXXXX";
    const char *tmp = getenv("TMPDIR");
    char path[4200];
    snprintf(path, sizeof path, "%s/flux-test-history.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    char *d = mkdtemp(path);
    if (!d && !(d = mkdtemp(dir)))
        return perror("mkdtemp"), 1;
    char url[4300], logs[4300];
    snprintf(url, sizeof url, "sqlite://%s/flux.db", d);
    snprintf(logs, sizeof logs, "%s/logs", d);
    mkdir(logs, 0755);
    unit_suite = "sqlite";
    suite_checks(url, logs);
    const char *my = getenv("FLUX_TEST_MYSQL_URL");
    if (my && *my) {
        unit_suite = "mysql";
        suite_checks(my, NULL);
    }
    char cmd[9000];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", d);
    if (system(cmd) != 0)
        printf("could not remove %s\n", d);
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
