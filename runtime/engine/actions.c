/* actions — clear, mark and trigger by name; see actions.h. */
#include "actions.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compilation.h"
#include "load.h"
#include "plan.h"
#include "runs.h"
#include "source.h"

/* marks the tasks named and (downstream) those below them; FLUX_EXIT_USAGE
 * for a name the plan lacks */
static int mark_tasks(const flux_pipeline *p, const char *const *tasks, size_t ntasks, bool downstream, bool *mark,
                      char *err, size_t errlen)
{
    for (size_t i = 0; i < ntasks; i++) {
        size_t k = 0;
        while (k < p->ntasks && strcmp(p->tasks[k]->id, tasks[i]))
            k++;
        if (k == p->ntasks) {
            snprintf(err, errlen, "the run has no task '%s'", tasks[i]);
            return FLUX_EXIT_USAGE;
        }
        mark[k] = true;
    }
    for (bool changed = downstream; changed;) {
        changed = false;
        for (size_t e = 0; e < p->nedges; e++)
            if (mark[p->edges[e].a] && !mark[p->edges[e].b])
                mark[p->edges[e].b] = changed = true;
    }
    return 0;
}

int flux_action_clear(flux_store *s, const flux_run_row *run, const char *const *tasks, size_t ntasks,
                      bool downstream, int *cleared, int *cancelled, char *err, size_t errlen)
{
    *cleared = 0;
    *cancelled = 0;
    const char **names = NULL;
    size_t nnames = 0;
    int rc = 0;
    flux_arena *a = flux_arena_new();
    flux_sources src;
    flux_sources_init(&src);
    if (ntasks) {
        char *text = flux_store_get_plan(s, run->plan_id);
        char perr[512];
        flux_plan *pl = text ? flux_plan_read(a, &src, "plan", text, strlen(text), perr, sizeof perr) : NULL;
        free(text);
        if (!pl) {
            snprintf(err, errlen, "the run's plan %s cannot be read", run->plan_id);
            rc = FLUX_EXIT_FAIL;
        } else {
            const flux_pipeline *p = pl->pipeline;
            bool *mark = flux_arena_alloc(a, (p->ntasks + 1) * sizeof *mark);
            memset(mark, 0, (p->ntasks + 1) * sizeof *mark);
            rc = mark_tasks(p, tasks, ntasks, downstream, mark, err, errlen);
            names = flux_arena_alloc(a, (p->ntasks + 1) * sizeof *names);
            for (size_t k = 0; k < p->ntasks; k++)
                if (mark[k])
                    names[nnames++] = p->tasks[k]->id;
        }
    }
    if (!rc) {
        int n = flux_runs_clear(s, run->id, names, nnames, NULL, cancelled, err, errlen);
        if (n < 0) {
            rc = FLUX_EXIT_FAIL;
        } else {
            *cleared = n;
        }
    }
    flux_sources_free(&src);
    flux_arena_free(a);
    return rc;
}

/* the run's state once no try is left to run: failed when any task failed */
static int settle_run(flux_store *s, const flux_run_row *run, const flux_ti_row *rows, size_t n)
{
    bool failed = false;
    for (size_t i = 0; i < n; i++) {
        if (i + 1 < n && !strcmp(rows[i + 1].task, rows[i].task))
            continue; /* only each task's latest try counts */
        flux_ti_state st = rows[i].state;
        if (st == FLUX_TI_FAILED || st == FLUX_TI_UPSTREAM_FAILED)
            failed = true;
        else if (st != FLUX_TI_SUCCESS && st != FLUX_TI_SKIPPED)
            return 0; /* still to run: its runner settles it */
    }
    flux_run_state want = failed ? FLUX_RUN_FAILED : FLUX_RUN_SUCCESS;
    return want == run->state ? 0 : flux_store_set_run_state(s, run->id, want, flux_runs_now());
}

/* 1 when the run's plan has task, 0 (err says so) when not, -1 when the
 * plan cannot be read */
static int plan_has(flux_store *s, const flux_run_row *run, const char *task, char *err, size_t errlen)
{
    char *text = flux_store_get_plan(s, run->plan_id);
    if (!text) {
        snprintf(err, errlen, "the run's plan %s cannot be read", run->plan_id);
        return -1;
    }
    flux_arena *a = flux_arena_new();
    flux_sources src;
    flux_sources_init(&src);
    char perr[512];
    flux_plan *pl = flux_plan_read(a, &src, "plan", text, strlen(text), perr, sizeof perr);
    free(text);
    int found = pl ? 0 : -1;
    for (size_t k = 0; pl && k < pl->pipeline->ntasks && !found; k++)
        found = !strcmp(pl->pipeline->tasks[k]->id, task);
    if (found == 0)
        snprintf(err, errlen, "the run has no task '%s'", task);
    else if (found < 0)
        snprintf(err, errlen, "the run's plan %s cannot be read: %s", run->plan_id, perr);
    flux_sources_free(&src);
    flux_arena_free(a);
    return found;
}

int flux_action_mark(flux_store *s, const flux_run_row *run, const char *task, flux_ti_state st, char *err,
                     size_t errlen)
{
    if (st != FLUX_TI_SUCCESS && st != FLUX_TI_FAILED) {
        snprintf(err, errlen, "a task is marked success or failed, not %s", flux_ti_state_name(st));
        return FLUX_EXIT_USAGE;
    }
    flux_ti_row *rows;
    size_t n;
    if (flux_store_list_tis(s, run->id, &rows, &n) != 0) {
        snprintf(err, errlen, "%s", flux_store_error(s));
        return FLUX_EXIT_FAIL;
    }
    const flux_ti_row *last = NULL;
    for (size_t i = 0; i < n; i++)
        if (!strcmp(rows[i].task, task))
            last = &rows[i];
    int64_t now = flux_runs_now(), id = last ? last->id : 0;
    int rc = 0;
    if (!last) {
        /* a task that never ran: it must be one of the run's plan (else a
         * try of a task that does not exist would be made); the store keeps
         * only tries, so a first try is made */
        int known = plan_has(s, run, task, err, errlen);
        if (known <= 0) {
            flux_ti_rows_free(rows, n);
            return known < 0 ? FLUX_EXIT_FAIL : FLUX_EXIT_USAGE;
        }
        rc = flux_store_ti_insert(s, run->id, task, 1, st, now, &id);
    }
    if (!rc)
        rc = flux_store_ti_update(s, id, &(flux_ti_patch){.state = st, .ended_ms = now,
                                                          .note = st == FLUX_TI_SUCCESS ? "marked success by a user"
                                                                                        : "marked failed by a user"});
    flux_ti_rows_free(rows, n);
    if (!rc && flux_store_list_tis(s, run->id, &rows, &n) == 0) {
        rc = settle_run(s, run, rows, n);
        flux_ti_rows_free(rows, n);
    }
    if (rc) {
        snprintf(err, errlen, "%s", flux_store_error(s));
        return FLUX_EXIT_FAIL;
    }
    return 0;
}

int flux_action_trigger(flux_store *s, const char *pipeline, const char *date, char **params, size_t nparams,
                        flux_run_row *row, int *version, char *err, size_t errlen)
{
    flux_deployment *d = NULL;
    size_t n = 0;
    memset(row, 0, sizeof *row);
    *version = 0;
    if (flux_store_list_deployments(s, pipeline, &d, &n) != 0 || n == 0) {
        free(d);
        snprintf(err, errlen, "pipeline '%s' is not deployed (flux deploy, or a running flux scheduler)", pipeline);
        return FLUX_EXIT_FAIL;
    }
    *version = d[0].version;
    char *text = flux_store_get_plan(s, d[0].plan_id);
    if (!text) {
        snprintf(err, errlen, "%s", flux_store_error(s));
        free(d);
        return FLUX_EXIT_FAIL;
    }
    flux_compilation c;
    int rc = flux_load_plan_text(&c, d[0].plan_id, text, strlen(text), err, errlen);
    if (!rc)
        rc = flux_runs_trigger(s, &d[0], &c, date, params, nparams, row, err, errlen);
    flux_compilation_free(&c);
    free(text);
    free(d);
    return rc;
}
