/* view_print — the read-only views (views.h) printed: as one line of JSON,
 * or as the text tables of flux runs, status and tasks. Tests and people
 * read these tables: their columns are a contract. */
#include "view_print.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "isotime.h"

/* a time of a view back in milliseconds (0: null) */
static int64_t view_ms(json_t *v)
{
    int64_t ms = 0;
    bool zone;
    flux_sched_error e;
    if (json_is_string(v) && flux_time_parse(json_string_value(v), &ms, &zone, &e) != 0)
        ms = 0;
    return ms;
}

static const char *jstr(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

static long long jint(json_t *o, const char *key)
{
    return (long long)json_integer_value(json_object_get(o, key));
}

/* where a status's state and configuration come from, as text */
void flux_view_print_where(json_t *w)
{
    if (!json_is_object(w))
        return;
    const char *cwd = jstr(w, "cwd");
    json_t *st = json_object_get(w, "store"), *h = json_object_get(w, "flux_home");
    json_t *y = json_object_get(w, "flux_yaml");
    const char *sf = jstr(st, "from"), *hf = jstr(h, "from"), *yf = jstr(y, "from");
    printf("store      %s (%s)\n", jstr(st, "url"), !strcmp(sf, "state_store") ? "state_store in flux.yaml" : sf);
    if (!strcmp(hf, "walked"))
        printf("FLUX_HOME  %s (found walking up from %s)\n", jstr(h, "path"), cwd);
    else if (!strcmp(hf, "default"))
        printf("FLUX_HOME  %s (none found: looked in %s and its parents)\n", jstr(h, "path"), cwd);
    else
        printf("FLUX_HOME  %s (%s)\n", jstr(h, "path"), !strcmp(hf, "here") ? "found here" : hf);
    if (!jstr(y, "path"))
        printf("flux.yaml  none found (looked in %s and its parents)\n", cwd);
    else if (!strcmp(yf, "walked"))
        printf("flux.yaml  %s (found walking up from %s)\n", jstr(y, "path"), cwd);
    else
        printf("flux.yaml  %s (%s)\n", jstr(y, "path"), !strcmp(yf, "here") ? "found here" : yf);
    printf("\n");
}

void flux_view_print_json(json_t *j)
{
    char *s = json_dumps(j, JSON_PRESERVE_ORDER | JSON_COMPACT);
    if (s)
        puts(s);
    free(s);
    json_decref(j);
}

void flux_view_print_runs(json_t *runs)
{
    printf("%-6s %-24s %-36s %-8s %-22s %s\n", "ID", "PIPELINE", "RUN", "STATE", "INTERVAL START", "DURATION");
    size_t i;
    json_t *r;
    json_array_foreach(runs, i, r) {
        char dur[32] = "-";
        int64_t started = view_ms(json_object_get(r, "started")), ended = view_ms(json_object_get(r, "ended"));
        const char *start = json_string_value(json_object_get(r, "interval_start"));
        if (started && ended)
            flux_cli_elapsed(ended - started, dur, sizeof dur);
        printf("%-6" PRId64 " %-24s %-36s %-8s %-22s %s\n", (int64_t)json_integer_value(json_object_get(r, "id")),
               json_string_value(json_object_get(r, "pipeline")), json_string_value(json_object_get(r, "run_id")),
               json_string_value(json_object_get(r, "state")), start ? start : "-", dur);
    }
}

/* a pipeline's tags as "a,b", or "-" */
static const char *tags_text(json_t *e, char *out, size_t n)
{
    size_t i, at = 0;
    json_t *t;
    out[0] = '\0';
    json_array_foreach(json_object_get(e, "tags"), i, t) {
        int w = snprintf(out + at, n - at, "%s%s", i ? "," : "", json_string_value(t) ? json_string_value(t) : "");
        if (w < 0 || (size_t)w >= n - at)
            break;
        at += (size_t)w;
    }
    return *out ? out : "-";
}

void flux_view_print_status(json_t *st, bool one)
{
    size_t i;
    json_t *e;
    char tags[256];
    flux_view_print_where(json_object_get(st, "where"));
    /* asked about one pipeline: what it is first */
    json_t *first = json_array_get(json_object_get(st, "pipelines"), 0);
    if (one && !first)
        first = json_array_get(json_object_get(st, "deployed"), 0);
    if (one && first && jstr(first, "description"))
        printf("%s: %s\n\n", jstr(first, "pipeline"), jstr(first, "description"));
    printf("%-24s %-8s %-36s %8s %8s %8s  %-12s %s\n", "PIPELINE", "LAST", "LAST RUN", "RUNS", "OK", "FAILED", "OWNER",
           "TAGS");
    json_array_foreach(json_object_get(st, "pipelines"), i, e) {
        json_t *last = json_object_get(e, "last_run");
        printf("%-24s %-8s %-36s %8zu %8zu %8zu  %-12s %s\n", jstr(e, "pipeline"), jstr(last, "state"),
               jstr(last, "run_id"), (size_t)jint(e, "runs"), (size_t)jint(e, "succeeded"), (size_t)jint(e, "failed"),
               jstr(e, "owner") ? jstr(e, "owner") : "-", tags_text(e, tags, sizeof tags));
    }
    json_array_foreach(json_object_get(st, "deployed"), i, e) {
        if (i == 0)
            printf("\n%-24s %-8s %-8s %s\n", "DEPLOYED", "VERSION", "STATE", "SOURCE");
        printf("%-24s %-8d %-8s %s%s\n", jstr(e, "pipeline"), (int)jint(e, "version"), jstr(e, "state"),
               jstr(e, "source") ? jstr(e, "source") : "-",
               jstr(e, "errors") ? " (fails to compile: the last good version runs; see flux errors)" : "");
    }
    json_t *sj = json_object_get(st, "schedulers");
    json_array_foreach(sj, i, e) {
        bool alive = json_is_true(json_object_get(e, "alive"));
        char age[32];
        if (alive || i == 0)
            printf("%sscheduler %s: %s (heartbeat %s ago)\n", i == 0 ? "\n" : "", jstr(e, "scheduler"),
                   alive ? "alive" : json_is_true(json_object_get(e, "stopped")) ? "stopped" : "not responding",
                   flux_cli_elapsed(jint(e, "heartbeat_age_ms"), age, sizeof age));
    }
    if (json_is_array(sj) && !json_array_size(sj))
        printf("\nno scheduler has run on this store\n");
    json_t *fn = json_object_get(st, "failing_notifiers");
    json_array_foreach(fn, i, e)
        printf("%snotifier %s is failing: %s after %d attempt%s: %s\n", i == 0 ? "\n" : "", jstr(e, "notifier"),
               jstr(e, "state"), (int)jint(e, "attempts"), jint(e, "attempts") == 1 ? "" : "s",
               json_is_string(json_object_get(e, "last_error")) ? jstr(e, "last_error") : "-");
}

void flux_view_print_notifications(json_t *a)
{
    size_t i;
    json_t *e;
    if (!json_array_size(a)) {
        printf("no notifications\n");
        return;
    }
    printf("%-5s %-20s %-14s %-16s %-3s %-13s %-12s %-7s %-8s %s\n", "ID", "PIPELINE", "RUN", "TASK", "TRY", "EVENT",
           "NOTIFIER", "STATE", "ATTEMPTS", "LAST ERROR");
    json_array_foreach(a, i, e) {
        const char *run = jstr(e, "run_id");
        printf("%-5d %-20s %-14.40s %-16s %-3d %-13s %-12s %-7s %-8d %s\n", (int)jint(e, "id"), jstr(e, "pipeline"), run,
               json_is_string(json_object_get(e, "task")) ? jstr(e, "task") : "-", (int)jint(e, "try"),
               jstr(e, "event"), jstr(e, "notifier"), jstr(e, "state"), (int)jint(e, "attempts"),
               json_is_string(json_object_get(e, "last_error")) ? jstr(e, "last_error") : "-");
    }
}

/* one try of the tasks view as a line (and its counts, and its log's cut) */
static void print_try(json_t *ti)
{
    char dur[32] = "-", ex[16] = "-";
    int64_t started = view_ms(json_object_get(ti, "started")), ended = view_ms(json_object_get(ti, "ended"));
    json_t *exit_status = json_object_get(ti, "exit_status"), *c = json_object_get(ti, "counts");
    const char *note = json_string_value(json_object_get(ti, "note"));
    if (started && ended)
        flux_cli_elapsed(ended - started, dur, sizeof dur);
    if (json_is_integer(exit_status))
        snprintf(ex, sizeof ex, "%d", (int)json_integer_value(exit_status));
    printf("%-32s %4d %-18s %10s %6s  %s\n", jstr(ti, "task"), (int)jint(ti, "try"), jstr(ti, "state"), dur, ex,
           note ? note : "");
    if (json_is_object(c))
        printf("%-32s %4s read %lld, written %lld, rejected %lld, %lld bytes\n", "", "", jint(c, "read"),
               jint(c, "written"), jint(c, "rejected"), jint(c, "bytes"));
    if (json_is_integer(json_object_get(ti, "log_dropped")))
        printf("%-32s %4s log: %lld bytes dropped (max_log_size %lld)\n", "", "", jint(ti, "log_dropped"),
               jint(ti, "max_log_size"));
    json_t *sl = json_object_get(ti, "slurm");
    if (json_is_object(sl)) {
        /* Slurm's word is the last squeue a runner read; the store's phase says what is known */
        const char *phase = jstr(sl, "phase"), *state = jstr(sl, "state"), *node = jstr(sl, "node");
        char job[32] = "not submitted yet";
        if (json_is_integer(json_object_get(sl, "job_id")))
            snprintf(job, sizeof job, "job %lld", jint(sl, "job_id"));
        bool over = phase && (!strcmp(phase, "done") || !strcmp(phase, "lost"));
        printf("%-32s %4s slurm: %s%s%s, %s%s%s%s\n", "", "", job, node ? " on " : "", node ? node : "",
               !phase                      ? "?"
               : !strcmp(phase, "done")    ? "outcome recorded"
               : !strcmp(phase, "lost")    ? "lost"
               : !strcmp(phase, "claimed") ? "running"
                                           : "queued",
               state ? (over ? " (Slurm last said " : " (Slurm: ") : "", state ? state : "", state ? ")" : "");
    }
}

/* the view lists the tries in the order of its tasks */
void flux_view_print_tasks(json_t *root)
{
    printf("%-32s %4s %-18s %10s %6s  %s\n", "TASK", "TRY", "STATE", "DURATION", "EXIT", "NOTE");
    json_t *tries = json_object_get(root, "task_instances"), *t;
    size_t i, at = 0;
    json_array_foreach(json_object_get(root, "tasks"), i, t) {
        size_t n = (size_t)jint(t, "tries");
        if (n == 0)
            printf("%-32s %4s %-18s %10s %6s  %s\n", jstr(t, "task"), "-", jstr(t, "state"), "-", "-",
                   "no try yet");
        for (size_t k = 0; k < n; k++)
            print_try(json_array_get(tries, at++));
    }
}

