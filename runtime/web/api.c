/* api — the /api/v1 handlers: each reads its arguments, calls the engine's
 * view or action the CLI calls (engine/views.h, browse.h, actions.h,
 * lineage.h) and replies with its JSON. Nothing here queries the store
 * beyond what those give; the one file read is a try's log, by the path
 * the store holds for it. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "actions.h"
#include "browse.h"
#include "clock.h"
#include "history.h"
#include "home.h"
#include "lineage.h"
#include "load.h"
#include "runs.h"
#include "views.h"
#include "why.h"
#include "logs.h"
#include "web_int.h"

#define MAX_SEGS 8
typedef struct route_args {
    const char *v[MAX_SEGS]; /* the path's {} parts, in order */
    char buf[1024];
} route_args;

/* ---- arguments ---- */

/* a positive integer argument, or def; -1 when it is not one */
static long long num_arg(const flux_web_request *rq, const char *name, long long def, long long max)
{
    const char *v = flux_web_arg(rq, name);
    if (!v)
        return def;
    char *end;
    errno = 0;
    long long x = strtoll(v, &end, 10);
    return (*v && !*end && !errno && x >= 0 && x <= max) ? x : -1;
}

static bool id_of(const char *text, int64_t *id)
{
    char *end;
    long long x = strtoll(text, &end, 10);
    *id = x;
    return *text && !*end && x > 0;
}

static void store_failed(flux_web_reply *rp, const char *err)
{
    flux_web_error(rp, 500, "the store cannot be read: %s", err);
}

/* ---- reads ---- */

static void get_pipelines(const flux_web_request *rq, const route_args *a, flux_web_reply *rp)
{
    (void)a;
    char err[1024];
    json_t *items = flux_view_pipelines(rq->store, 5, err, sizeof err);
    if (!items)
        return store_failed(rp, err);
    flux_web_json(rp, 200, json_pack("{s:o, s:n}", "items", items, "next_cursor"));
}

/* a page of a text search (field, output) looks at most in this many runs
 * (at 100 tries a run, some 50,000 tries: 60 ms on MariaDB), so that a text
 * no run holds answers at once, a page with a cursor to go on from; every
 * other filter is an index's */
#define SEARCH_WINDOW 500

static void get_runs(const flux_web_request *rq, const route_args *a, flux_web_reply *rp)
{
    (void)a;
    long long limit = num_arg(rq, "limit", 50, 500);
    if (limit <= 0)
        return flux_web_error(rp, 400, "limit is a number 1..500");
    flux_runs_query q = {.pipeline = flux_web_arg(rq, "pipeline"), .state = flux_web_arg(rq, "state"),
                         .trigger = flux_web_arg(rq, "trigger"), .run_id = flux_web_arg(rq, "run_id"),
                         .from = flux_web_arg(rq, "from"), .to = flux_web_arg(rq, "to"),
                         .task = flux_web_arg(rq, "task"), .field = flux_web_arg(rq, "field"),
                         .output = flux_web_arg(rq, "output"), .window = SEARCH_WINDOW};
    char err[1024];
    bool bad;
    json_t *page = flux_view_runs_search(rq->store, &q, flux_web_arg(rq, "cursor"), (size_t)limit, &bad, err,
                                         sizeof err);
    if (!page)
        return bad ? flux_web_error(rp, 400, "%s", err) : store_failed(rp, err);
    flux_web_json(rp, 200, page);
}

static void get_run(const flux_web_request *rq, const route_args *a, flux_web_reply *rp)
{
    flux_run_row run;
    char err[1024];
    int64_t id;
    if (!id_of(a->v[0], &id))
        return flux_web_error(rp, 404, "no run %s", a->v[0]);
    int rc = flux_store_get_run(rq->store, id, &run);
    if (rc)
        return rc > 0 ? flux_web_error(rp, 404, "no run %s", a->v[0]) : store_failed(rp, flux_store_error(rq->store));
    flux_ti_row *rows;
    size_t n;
    if (flux_store_list_tis(rq->store, run.id, &rows, &n) != 0) {
        snprintf(err, sizeof err, "%s", flux_store_error(rq->store));
        return store_failed(rp, err);
    }
    flux_web_json(rp, 200, flux_view_tasks(rq->store, &run, rows, n));
    flux_ti_rows_free(rows, n);
}

/* the bytes [offset, offset + length) of the log, by default its last 64 KiB */
static void get_log(const flux_web_request *rq, const route_args *a, flux_web_reply *rp)
{
    int64_t ti;
    flux_ti_row row;
    if (!id_of(a->v[0], &ti))
        return flux_web_error(rp, 404, "no task instance %s", a->v[0]);
    /* the store under its lock; the file, up to 16 MiB, outside it */
    flux_web_lock(rq);
    int rc = flux_store_get_ti(rq->store, ti, &row);
    if (rc) {
        if (rc > 0)
            flux_web_error(rp, 404, "no task instance %s", a->v[0]);
        else
            store_failed(rp, flux_store_error(rq->store));
        flux_web_unlock(rq);
        return;
    }
    flux_web_unlock(rq);
    char path[sizeof row.log_path];
    snprintf(path, sizeof path, "%s", row.log_path);
    flux_ti_row_free(&row);
    FILE *f = NULL;
    char err[1200];
    struct stat st = {0};
    if (!path[0] || flux_log_open(path, &f, err, sizeof err) != 0 || (f && fstat(fileno(f), &st) != 0)) {
        if (f)
            fclose(f);
        return flux_web_error(rp, 404, "task instance %s has no log%s", a->v[0], path[0] ? " file any more" : "");
    }
    /* no file: the try has printed nothing (yet) */
    long long size = f ? st.st_size : 0, length = num_arg(rq, "length", 65536, 16 << 20);
    long long offset = num_arg(rq, "offset", size > length ? size - length : 0, INT64_MAX);
    if (length < 0 || offset < 0) {
        fclose(f);
        return flux_web_error(rp, 400, "offset and length are byte counts (length at most 16 MiB)");
    }
    if (offset > size)
        offset = size;
    if (length > size - offset)
        length = size - offset;
    rp->body = malloc((size_t)length + 1);
    if (!rp->body)
        abort();
    rp->len = f && fseeko(f, offset, SEEK_SET) == 0 ? fread(rp->body, 1, (size_t)length, f) : 0;
    if (f)
        fclose(f);
    rp->status = 200;
    rp->type = "text/plain; charset=utf-8";
    char v[32];
    snprintf(v, sizeof v, "%lld", size);
    flux_web_header(rp, "X-Log-Size", v);
    snprintf(v, sizeof v, "%lld", offset);
    flux_web_header(rp, "X-Log-Offset", v);
}

static void get_schedulers(const flux_web_request *rq, const route_args *a, flux_web_reply *rp)
{
    (void)a;
    char err[1024];
    json_t *items = flux_view_schedulers(rq->store, flux_runs_now(), err, sizeof err);
    if (!items)
        return store_failed(rp, err);
    flux_web_json(rp, 200, json_pack("{s:o, s:n}", "items", items, "next_cursor"));
}

static void get_versions(const flux_web_request *rq, const route_args *a, flux_web_reply *rp)
{
    char err[1024];
    json_t *v = flux_view_versions(rq->store, a->v[0], err, sizeof err);
    if (!v)
        return flux_store_lost(rq->store) ? store_failed(rp, err) : flux_web_error(rp, 404, "%s", err);
    flux_web_json(rp, 200, v);
}

static void get_plan(const flux_web_request *rq, const route_args *a, flux_web_reply *rp)
{
    char err[1024], etag[80];
    snprintf(etag, sizeof etag, "\"%.64s\"", a->v[0]);
    /* a plan id is the hash of its text: the structure never changes, and
     * a page that has it is answered without reading the plan */
    flux_web_header(rp, "ETag", etag);
    flux_web_header(rp, "Cache-Control", "no-cache");
    if (flux_web_not_modified(rq, etag)) {
        rp->status = 304;
        return;
    }
    bool missing;
    json_t *p = flux_view_plan(rq->store, a->v[0], &missing, err, sizeof err);
    if (!p) {
        rp->nheaders = 0; /* no ETag on an error */
        return missing ? flux_web_error(rp, 404, "%s", err) : store_failed(rp, err);
    }
    flux_web_json(rp, 200, p);
}

static void get_diff(const flux_web_request *rq, const route_args *a, flux_web_reply *rp)
{
    char err[1024];
    bool missing;
    json_t *d = flux_view_plan_diff(rq->store, a->v[0], a->v[1], &missing, err, sizeof err);
    if (!d)
        return missing ? flux_web_error(rp, 404, "%s", err) : store_failed(rp, err);
    flux_web_json(rp, 200, d);
}

static void get_lineage(const flux_web_request *rq, const route_args *a, flux_web_reply *rp)
{
    (void)a;
    flux_lineage_query q = {.partition = -1, .offset = -1};
    const char *topic = flux_web_arg(rq, "topic"), *table = flux_web_arg(rq, "table"),
               *file = flux_web_arg(rq, "file");
    if (!!topic + !!table + !!file != 1)
        return flux_web_error(rp, 400, "give one of topic (with partition and offset), table or file");
    q.kind = topic ? "kafka" : table ? "table" : "file";
    q.name = topic ? topic : table ? table : file;
    q.suffix = table && !strchr(table, '.');
    long long part = num_arg(rq, "partition", -1, INT32_MAX), off = num_arg(rq, "offset", -1, INT64_MAX);
    if ((flux_web_arg(rq, "partition") && part < 0) || (flux_web_arg(rq, "offset") && off < 0))
        return flux_web_error(rp, 400, "partition and offset are numbers");
    q.partition = part;
    q.offset = off;
    char err[1024] = "";
    json_t *t = flux_lineage_walk(rq->store, &q, err, sizeof err);
    if (!t)
        return store_failed(rp, err);
    flux_web_json(rp, 200, t);
}

/* ---- writes: each on a store opened for writing, for this request ---- */

/* the request's JSON object body ({} when empty), or NULL with the reply */
/* ---- history: the grid, a run's gantt, runs per day, transfers ---- */

static void get_grid(const flux_web_request *rq, const route_args *a, flux_web_reply *rp)
{
    (void)a;
    const char *pipeline = flux_web_arg(rq, "pipeline");
    long long runs = num_arg(rq, "runs", 25, 500);
    if (!pipeline || !*pipeline)
        return flux_web_error(rp, 400, "the grid is of one pipeline: give pipeline=NAME");
    if (runs <= 0)
        return flux_web_error(rp, 400, "runs is a number 1..500");
    char err[1024];
    json_t *g = flux_view_grid(rq->store, pipeline, (size_t)runs, err, sizeof err);
    if (!g)
        return store_failed(rp, err);
    flux_web_json(rp, 200, g);
}

static void get_gantt(const flux_web_request *rq, const route_args *a, flux_web_reply *rp)
{
    int64_t id;
    flux_run_row run;
    if (!id_of(a->v[0], &id) || flux_store_get_run(rq->store, id, &run) != 0)
        return flux_web_error(rp, 404, "no run %s", a->v[0]);
    char err[1024];
    json_t *g = flux_view_gantt(rq->store, id, err, sizeof err);
    if (!g)
        return store_failed(rp, err);
    flux_web_json(rp, 200, g);
}

static void get_stats(const flux_web_request *rq, const route_args *a, flux_web_reply *rp)
{
    (void)a;
    long long days = num_arg(rq, "days", 14, 366);
    if (days <= 0)
        return flux_web_error(rp, 400, "days is a number 1..366");
    char err[1024];
    json_t *st = flux_view_stats_daily(rq->store, flux_web_arg(rq, "pipeline"), (int)days, flux_clock_wall_ms(), err,
                                       sizeof err);
    if (!st)
        return store_failed(rp, err);
    flux_web_json(rp, 200, st);
}

static void get_transfers(const flux_web_request *rq, const route_args *a, flux_web_reply *rp)
{
    (void)a;
    long long limit = num_arg(rq, "limit", 200, 5000);
    if (limit <= 0)
        return flux_web_error(rp, 400, "limit is a number 1..5000");
    char err[1024];
    json_t *t = flux_view_transfers(rq->store, flux_web_arg(rq, "pipeline"), flux_web_arg(rq, "task"), (size_t)limit,
                                    err, sizeof err);
    if (!t)
        return store_failed(rp, err);
    flux_web_json(rp, 200, t);
}

static json_t *body_of(const flux_web_request *rq, flux_web_reply *rp)
{
    if (!rq->body_len)
        return json_object();
    json_error_t je;
    json_t *b = json_loadb(rq->body, rq->body_len, 0, &je);
    if (!json_is_object(b)) {
        json_decref(b);
        flux_web_error(rp, 400, "the body must be a JSON object");
        return NULL;
    }
    return b;
}

/* the run of the path on the writer w, or the reply says why not */
static int write_run(flux_store *w, const char *arg, flux_run_row *run,
                     flux_web_reply *rp)
{
    int64_t id;
    int rc = id_of(arg, &id) ? flux_store_get_run(w, id, run) : 1;
    if (rc > 0)
        flux_web_error(rp, 404, "no run %s", arg);
    else if (rc < 0)
        store_failed(rp, flux_store_error(w));
    return rc;
}

static flux_store *writer(const flux_web_request *rq, flux_web_reply *rp)
{
    char err[1024];
    flux_store *w = flux_web_writer(rq, err, sizeof err);
    if (!w)
        flux_web_error(rp, 500, "the store cannot be opened for writing: %s", err);
    return w;
}

static void action_failed(flux_web_reply *rp, int rc, const char *err)
{
    flux_web_error(rp, rc == FLUX_EXIT_USAGE ? 400 : 500, "%s", err);
}

static void post_clear(const flux_web_request *rq, const route_args *a, flux_web_reply *rp)
{
    json_t *b = body_of(rq, rp), *tasks = b ? json_object_get(b, "tasks") : NULL;
    if (!b)
        return;
    size_t n = json_array_size(tasks);
    const char **names = calloc(n + 1, sizeof *names);
    if (!names)
        abort();
    for (size_t i = 0; i < n; i++)
        if (!(names[i] = json_string_value(json_array_get(tasks, i)))) {
            free(names);
            json_decref(b);
            return flux_web_error(rp, 400, "tasks is a list of task ids");
        }
    flux_store *w = writer(rq, rp);
    flux_run_row run;
    if (w && write_run(w, a->v[0], &run, rp) == 0) {
        int cleared = 0, cancelled = 0, rc;
        char err[1024];
        rc = flux_action_clear(w, &run, names, n, json_is_true(json_object_get(b, "downstream")), &cleared,
                               &cancelled, err, sizeof err);
        if (rc)
            action_failed(rp, rc, err);
        else
            flux_web_json(rp, 200, json_pack("{s:I, s:i, s:i}", "run", (json_int_t)run.id, "cleared", cleared,
                                             "cancelled_jobs", cancelled));
    }
    if (w)
        flux_store_close(w);
    free(names);
    json_decref(b);
}

static void post_mark(const flux_web_request *rq, const route_args *a, flux_web_reply *rp)
{
    json_t *b = body_of(rq, rp);
    if (!b)
        return;
    const char *state = json_string_value(json_object_get(b, "state"));
    flux_ti_state st;
    if (!state || flux_ti_state_parse(state, &st) != 0 || (st != FLUX_TI_SUCCESS && st != FLUX_TI_FAILED)) {
        json_decref(b);
        return flux_web_error(rp, 400, "state is \"success\" or \"failed\"");
    }
    flux_store *w = writer(rq, rp);
    flux_run_row run;
    if (w && write_run(w, a->v[0], &run, rp) == 0) {
        char err[1024];
        int rc = flux_action_mark(w, &run, a->v[1], st, err, sizeof err);
        if (rc)
            action_failed(rp, rc, err);
        else
            flux_web_json(rp, 200, json_pack("{s:I, s:s, s:s}", "run", (json_int_t)run.id, "task", a->v[1],
                                             "state", state));
    }
    if (w)
        flux_store_close(w);
    json_decref(b);
}

/* params {"name": value...} as `--param name=value` strings */
static char **params_of(json_t *obj, size_t *n)
{
    *n = json_object_size(obj);
    char **v = calloc(*n + 1, sizeof *v);
    if (!v)
        abort();
    const char *k;
    json_t *x;
    size_t i = 0;
    json_object_foreach(obj, k, x) {
        char *val = json_is_string(x) ? strdup(json_string_value(x)) : json_dumps(x, JSON_ENCODE_ANY | JSON_COMPACT);
        size_t len = strlen(k) + strlen(val ? val : "") + 2;
        if (!(v[i] = malloc(len)))
            abort();
        snprintf(v[i++], len, "%s=%s", k, val ? val : "");
        free(val);
    }
    return v;
}

static void post_trigger(const flux_web_request *rq, const route_args *a, flux_web_reply *rp)
{
    json_t *b = body_of(rq, rp);
    if (!b)
        return;
    json_t *pj = json_object_get(b, "params"), *dj = json_object_get(b, "date");
    if ((pj && !json_is_object(pj)) || (dj && !json_is_string(dj) && !json_is_null(dj))) {
        json_decref(b);
        return flux_web_error(rp, 400, "the body is {\"date\": \"...\", \"params\": {\"name\": value...}}");
    }
    size_t n = 0;
    char **params = params_of(pj, &n);
    flux_store *w = writer(rq, rp);
    if (w) {
        flux_run_row row;
        int version = 0;
        char err[1024];
        int rc = flux_action_trigger(w, a->v[0], json_string_value(dj), params, n, &row, &version, err, sizeof err);
        if (rc == FLUX_EXIT_FAIL && !flux_store_lost(w) && !version)
            flux_web_error(rp, 404, "%s", err); /* never deployed */
        else if (rc == FLUX_EXIT_FAIL && row.id)
            flux_web_error(rp, 409, "%s", err); /* that run exists */
        else if (rc)
            action_failed(rp, rc == FLUX_EXIT_FAIL && !flux_store_lost(w) ? FLUX_EXIT_USAGE : rc, err);
        else
            flux_web_json(rp, 201, json_pack("{s:o, s:i}", "run", flux_view_run(&row), "version", version));
        flux_store_close(w);
    }
    for (size_t i = 0; i < n; i++)
        free(params[i]);
    free(params);
    json_decref(b);
}

static void set_paused(const flux_web_request *rq, const char *pipeline, bool paused, flux_web_reply *rp)
{
    flux_store *w = writer(rq, rp);
    if (!w)
        return;
    int rc = flux_store_set_paused(w, pipeline, paused, flux_runs_now());
    if (rc > 0)
        flux_web_error(rp, 404, "no pipeline %s", pipeline);
    else if (rc < 0)
        store_failed(rp, flux_store_error(w));
    else
        flux_web_json(rp, 200, json_pack("{s:s, s:b}", "pipeline", pipeline, "paused", paused));
    flux_store_close(w);
}

static void post_pause(const flux_web_request *rq, const route_args *a, flux_web_reply *rp)
{
    set_paused(rq, a->v[0], true, rp);
}

static void post_unpause(const flux_web_request *rq, const route_args *a, flux_web_reply *rp)
{
    set_paused(rq, a->v[0], false, rp);
}

/* ---- routing ---- */

static void get_graph(const flux_web_request *rq, const route_args *a, flux_web_reply *rp)
{
    flux_web_graph(rq, a->v[0], rp);
}

/* ---- why a task is where it is, notifiers that fail ---- */

/* `flux why RUN TASK`'s answer, for the task panel: the same engine view */
static void get_why(const flux_web_request *rq, const route_args *a, flux_web_reply *rp)
{
    int64_t id;
    flux_run_row run;
    if (!id_of(a->v[0], &id) || flux_store_get_run(rq->store, id, &run) != 0)
        return flux_web_error(rp, 404, "no run %s", a->v[0]);
    char err[1024];
    flux_arena *ar = flux_arena_new();
    flux_conns conns;
    bool have = flux_home_load_conns(flux_web_conns_path(rq), ar, &conns, err, sizeof err) == 0;
    json_t *w = flux_view_why(rq->store, have ? &conns : NULL, &run, a->v[1], flux_clock_wall_ms(), err, sizeof err);
    flux_arena_free(ar);
    if (!w)
        return flux_web_error(rp, 404, "%s", err);
    flux_web_json(rp, 200, w);
}

static void get_failing_notifiers(const flux_web_request *rq, const route_args *a, flux_web_reply *rp)
{
    (void)a;
    char err[1024];
    json_t *items = flux_view_failing_notifiers(rq->store, err, sizeof err);
    if (!items)
        return store_failed(rp, err);
    flux_web_json(rp, 200, json_pack("{s:o, s:n}", "items", items, "next_cursor"));
}

typedef void (*handler)(const flux_web_request *, const route_args *, flux_web_reply *);
static const struct route {
    const char *method, *pattern; /* "{}" matches one path segment */
    handler fn;
    bool own_lock; /* takes the store's lock itself, for its store calls only */
} ROUTES[] = {
    {"GET", "/api/v1/pipelines", get_pipelines, false},
    {"GET", "/api/v1/runs", get_runs, false},
    {"GET", "/api/v1/runs/{}", get_run, false},
    {"GET", "/api/v1/task-instances/{}/log", get_log, true},
    {"GET", "/api/v1/schedulers", get_schedulers, false},
    {"GET", "/api/v1/pipelines/{}/versions", get_versions, false},
    {"GET", "/api/v1/plans/{}", get_plan, false},
    {"GET", "/api/v1/plans/{}/diff/{}", get_diff, false},
    {"GET", "/api/v1/plans/{}/graph.svg", get_graph, true},
    {"GET", "/api/v1/lineage", get_lineage, false},
    {"GET", "/api/v1/grid", get_grid, false},
    {"GET", "/api/v1/runs/{}/gantt", get_gantt, false},
    {"GET", "/api/v1/stats/daily", get_stats, false},
    {"GET", "/api/v1/transfers", get_transfers, false},
    {"GET", "/api/v1/runs/{}/tasks/{}/why", get_why, false},
    {"GET", "/api/v1/notifiers/failing", get_failing_notifiers, false},
    {"POST", "/api/v1/runs/{}/clear", post_clear, false},
    {"POST", "/api/v1/runs/{}/tasks/{}/mark", post_mark, false},
    {"POST", "/api/v1/pipelines/{}/trigger", post_trigger, false},
    {"POST", "/api/v1/pipelines/{}/pause", post_pause, false},
    {"POST", "/api/v1/pipelines/{}/unpause", post_unpause, false},
};

/* true when path matches pattern; a->v point into a->buf (the segments
 * %-decoded by libmicrohttpd already) */
static bool match(const char *pattern, const char *path, route_args *a)
{
    size_t na = 0, o = 0;
    const char *p = pattern, *u = path;
    while (*p && *u) {
        if (!strncmp(p, "{}", 2)) {
            size_t n = strcspn(u, "/");
            if (!n || na == MAX_SEGS || o + n + 1 > sizeof a->buf)
                return false;
            memcpy(a->buf + o, u, n);
            a->buf[o + n] = '\0';
            a->v[na++] = a->buf + o;
            o += n + 1;
            p += 2;
            u += n;
        } else if (*p++ != *u++) {
            return false;
        }
    }
    return !*p && !*u;
}

void flux_web_api(const flux_web_request *rq, flux_web_reply *rp)
{
    bool path_known = false;
    route_args a;
    for (size_t i = 0; i < sizeof ROUTES / sizeof *ROUTES; i++) {
        if (!match(ROUTES[i].pattern, rq->path, &a))
            continue;
        path_known = true;
        bool head = !strcmp(rq->method, "HEAD") && !strcmp(ROUTES[i].method, "GET");
        if (strcmp(rq->method, ROUTES[i].method) && !head)
            continue;
        if (!ROUTES[i].own_lock)
            flux_web_lock(rq);
        ROUTES[i].fn(rq, &a, rp);
        if (!ROUTES[i].own_lock)
            flux_web_unlock(rq);
        return;
    }
    if (path_known)
        flux_web_error(rp, 405, "%s is not allowed on %s", rq->method, rq->path);
    else
        flux_web_error(rp, 404, "no such API: %s", rq->path);
}
