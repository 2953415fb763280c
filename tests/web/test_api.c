/* test_api — the web API (runtime/web) served in this process on a store
 * seeded through the store and engine API: two deployed pipelines (one with
 * two plan versions), 25 runs of which several share a logical date, tries
 * with rendered fields holding a masked secret and outputs, counts,
 * lineage, a log file; a secret param default in the plan, a secret
 * trigger param, a connection password in a flux.yaml. Two servers on
 * 127.0.0.1 port 0 (one without a token, one with), asked with libcurl:
 * the shape of every endpoint, cursor pages, every runs filter, the log by
 * byte range, the plan's ETag, the diff, lineage, the writes, the refusals
 * (401, 400 on a foreign Host, binding beyond loopback), and that no
 * seeded secret is in any reply, its body or its headers.
 *
 * SQLite in a temp directory; with FLUX_TEST_MYSQL_URL the same on that
 * MySQL/MariaDB database instead (its flux tables dropped first). Ends
 * with "N passed, N failed". */
#define _GNU_SOURCE /* memmem */
#include <curl/curl.h>
#include <jansson.h>
#include <math.h>
#include <regex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../unit/unit.h"
#include "assets.h"
#include "deploy.h"
#include "server.h"
#include "store.h"
#include "store_driver.h"
#include "arena.h"

#define CHECK(ok, ...) check_at(__LINE__, (ok), __VA_ARGS__)

/* what must never come out: each is somewhere in the store, the plans or
 * flux.yaml (the masked one only as it was before masking) */
static const char *SECRETS[] = {
    "DEFAULT-TOKEN-91X",  /* a secret param's default, in the plan text */
    "TRIGGER-SECRET-55Z", /* a secret param given to a trigger, in the run's control row */
    "CONN-PW-7Q3Z",       /* a connection's password in flux.yaml */
    "RENDER-SECRET-3K",   /* what the *** of the rendered fields stands for */
    NULL,                 /* the token of the second server, set in main */
};
static char TOKEN[] = "tok-0123456789abcdef0123456789abcdef";

#define DAY 86400000LL
static const int64_t DAY0 = 1793491200000LL; /* 2026-11-01T00:00:00Z */

/* ---- HTTP ---- */

typedef struct http {
    long status;
    char *body, *head;
    size_t len, hlen;
} http;

static int cur_port;
static const char *cur_token; /* sent as Authorization: Bearer when set */

static void append(char **buf, size_t *len, const char *d, size_t n)
{
    char *b = realloc(*buf, *len + n + 1);
    if (!b)
        abort();
    memcpy(b + *len, d, n);
    *len += n;
    b[*len] = '\0';
    *buf = b;
}

static size_t on_body(char *d, size_t sz, size_t nm, void *ud)
{
    http *h = ud;
    append(&h->body, &h->len, d, sz * nm);
    return sz * nm;
}

static size_t on_head(char *d, size_t sz, size_t nm, void *ud)
{
    http *h = ud;
    append(&h->head, &h->hlen, d, sz * nm);
    return sz * nm;
}

/* a header's value (the last of that name), in a static buffer; NULL: none */
static const char *header(const http *h, const char *name)
{
    static char v[512];
    const char *found = NULL;
    size_t n = strlen(name);
    for (const char *l = h->head; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : l + strlen(l))
        if (!strncasecmp(l, name, n) && l[n] == ':')
            found = l + n + 1;
    if (!found)
        return NULL;
    while (*found == ' ')
        found++;
    snprintf(v, sizeof v, "%.*s", (int)strcspn(found, "\r\n"), found);
    return v;
}

static void http_free(http *h)
{
    free(h->body);
    free(h->head);
    memset(h, 0, sizeof *h);
}

/* Every reply is checked here for what every reply must have: the safety
 * headers, and none of the secrets in its headers or body. */
static void every_reply(const char *method, const char *path, const http *h)
{
    for (size_t i = 0; i < sizeof SECRETS / sizeof *SECRETS; i++)
        if (SECRETS[i] && ((h->body && memmem(h->body, h->len, SECRETS[i], strlen(SECRETS[i]))) ||
                           (h->head && strstr(h->head, SECRETS[i]))))
            CHECK(false, "%s %s: the secret %s is in the reply", method, path, SECRETS[i]);
    const char *csp = header(h, "Content-Security-Policy");
    if (!csp || strcmp(csp, "default-src 'self'"))
        CHECK(false, "%s %s: Content-Security-Policy is %s", method, path, csp ? csp : "missing");
    static const char *const want[][2] = {
        {"X-Content-Type-Options", "nosniff"}, {"Referrer-Policy", "no-referrer"}, {"X-Frame-Options", "DENY"}};
    for (size_t i = 0; i < 3; i++) {
        const char *v = header(h, want[i][0]);
        if (!v || strcmp(v, want[i][1]))
            CHECK(false, "%s %s: %s is %s", method, path, want[i][0], v ? v : "missing");
    }
}

/* METHOD path (with its query) on the current server; extra: one more
 * header or NULL; host: the Host header or NULL for curl's own */
static http req(const char *method, const char *path, const char *body, const char *extra, const char *host)
{
    http h = {0};
    char url[2048], auth[256], hosth[300];
    snprintf(url, sizeof url, "http://127.0.0.1:%d%s", cur_port, path);
    CURL *c = curl_easy_init();
    struct curl_slist *hs = NULL;
    if (cur_token) {
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", cur_token);
        hs = curl_slist_append(hs, auth);
    }
    if (extra)
        hs = curl_slist_append(hs, extra);
    if (host) {
        snprintf(hosth, sizeof hosth, "Host: %s", host);
        hs = curl_slist_append(hs, hosth);
    }
    if (body)
        hs = curl_slist_append(hs, "Content-Type: application/json");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    } else if (strcmp(method, "GET")) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
    }
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hs);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &h);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_head);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &h);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    CURLcode rc = curl_easy_perform(c);
    if (rc != CURLE_OK)
        CHECK(false, "%s %s: %s", method, path, curl_easy_strerror(rc));
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &h.status);
    curl_slist_free_all(hs);
    curl_easy_cleanup(c);
    every_reply(method, path, &h);
    return h;
}

static long status_of(const char *method, const char *path, const char *body, const char *extra, const char *host)
{
    http h = req(method, path, body, extra, host);
    long st = h.status;
    http_free(&h);
    return st;
}

/* the JSON of a reply of the status wanted, or NULL (a check failed) */
static json_t *jcall(int line, const char *method, const char *path, const char *body, long want)
{
    http h = req(method, path, body, NULL, NULL);
    json_error_t je;
    json_t *v = h.body ? json_loads(h.body, 0, &je) : NULL;
    const char *type = header(&h, "Content-Type");
    check_at(line, h.status == want, "%s %s: status %ld, not %ld: %s", method, path, h.status, want,
             h.body ? h.body : "");
    check_at(line, v != NULL, "%s %s: the body is not JSON: %s", method, path, h.body ? h.body : "");
    check_at(line, type && !strcmp(type, "application/json; charset=utf-8"), "%s %s: Content-Type %s", method, path,
             type ? type : "missing");
    long st = h.status;
    http_free(&h);
    if (st != want) {
        json_decref(v);
        return NULL;
    }
    return v;
}
#define GET(path, want) jcall(__LINE__, "GET", (path), NULL, (want))
#define POST(path, body, want) jcall(__LINE__, "POST", (path), (body), (want))

/* ---- shapes ---- */

static bool is_time(json_t *v)
{
    static regex_t re;
    static bool compiled;
    if (!compiled) {
        regcomp(&re, "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{3})?Z$", REG_EXTENDED | REG_NOSUB);
        compiled = true;
    }
    return json_is_null(v) || (json_is_string(v) && regexec(&re, json_string_value(v), 0, NULL, 0) == 0);
}

/* o has exactly these keys (a space-separated list) */
static bool keys_are(json_t *o, const char *keys)
{
    if (!json_is_object(o))
        return false;
    size_t n = 0;
    char buf[512], *save = NULL;
    snprintf(buf, sizeof buf, "%s", keys);
    for (char *k = strtok_r(buf, " ", &save); k; k = strtok_r(NULL, " ", &save), n++)
        if (!json_object_get(o, k))
            return false;
    return json_object_size(o) == n;
}

static const char *RUN_KEYS = "id pipeline run_id state trigger interval_start interval_end started ended plan_id";

static bool run_shape(json_t *r)
{
    return keys_are(r, RUN_KEYS) && json_is_integer(json_object_get(r, "id")) &&
           is_time(json_object_get(r, "interval_start")) && is_time(json_object_get(r, "interval_end")) &&
           is_time(json_object_get(r, "started")) && is_time(json_object_get(r, "ended"));
}

static const char *jstr(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

/* ---- the seed ---- */

typedef struct seeded_run {
    int64_t id, logical;
    char pipeline[16], trigger[16], state[16];
    int day;
} seeded_run;

typedef struct seed {
    seeded_run runs[64];
    size_t nruns;
    char plan1[65], plan2[65], plan_other[65], plan_big[65];
    int64_t run_s9;             /* the run of plan 2 (its report never ran) */
    int64_t log_ti, nolog_ti;   /* a try with a log file; one without */
    char log_path[4400];
    size_t log_size;
    int64_t run_s0, run_s1;     /* the failed scheduled run of day 0; the successful one of day 1 */
    int64_t lineage_run;
} seed;

static const char *DEMO_V1 = "pipeline demo {\n"
                             "    schedule    = \"@daily\"\n"
                             "    start       = \"2026-11-01T00:00:00Z\"\n"
                             "    description = \"the demo pipeline\"\n"
                             "    owner       = \"data-platform\"\n"
                             "    tags        = [\"web\", \"test\"]\n"
                             "    params {\n"
                             "        api_token = \"DEFAULT-TOKEN-91X\"\n"
                             "        region    = \"eu-west\"\n"
                             "    }\n"
                             "    task extract : bash { command = \"echo {{ params.region | shquote }}\" }\n"
                             "    task load : bash { command = \"echo {{ params.api_token | shquote }}\" }\n"
                             "    extract >> load\n"
                             "%s"
                             "}\n";
static const char *DEMO_V2_TAIL = "    task report : bash { command = \"true\" }\n"
                                  "    load >> report\n";
static const char *OTHER = "pipeline other {\n"
                           "    schedule = \"@daily\"\n"
                           "    start    = \"2026-11-01T00:00:00Z\"\n"
                           "    task wait : time_sensor { until = \"{{ interval_end }}\" }\n"
                           "    task only : bash { command = \"true\" }\n"
                           "    wait >> only\n"
                           "}\n";

static bool write_file(const char *path, const char *text, mode_t mode)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return false;
    fputs(text, f);
    fclose(f);
    return chmod(path, mode) == 0;
}

static void day_text(int64_t ms, char *out, size_t n)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, n, "%Y-%m-%dT%H:%M:%S+00:00", &tm);
}

static int64_t add_run(flux_store *s, seed *sd, const char *pipeline, const char *trigger, int day,
                       const char *plan, flux_run_state st)
{
    flux_run_row in = {0}, row;
    char d[40];
    int64_t start = DAY0 + day * DAY;
    day_text(start, d, sizeof d);
    snprintf(in.pipeline, sizeof in.pipeline, "%s", pipeline);
    snprintf(in.run_id, sizeof in.run_id, "%s__%s", trigger, d);
    snprintf(in.plan_id, sizeof in.plan_id, "%s", plan);
    snprintf(in.trigger, sizeof in.trigger, "%s", trigger);
    in.state = FLUX_RUN_QUEUED;
    in.interval_start = in.logical_date = start;
    in.interval_end = start + DAY;
    bool created = false;
    if (!CHECK(flux_store_create_run(s, &in, NULL, NULL, start + DAY, &row, &created) == 0 && created,
               "create run %s: %s", in.run_id, flux_store_error(s)))
        return 0;
    if (st != FLUX_RUN_QUEUED)
        CHECK(flux_store_set_run_state(s, row.id, FLUX_RUN_RUNNING, start + DAY + 1000) == 0, "running");
    if (st == FLUX_RUN_SUCCESS || st == FLUX_RUN_FAILED)
        CHECK(flux_store_set_run_state(s, row.id, st, start + DAY + 60000) == 0, "ended");
    seeded_run *r = &sd->runs[sd->nruns++];
    r->id = row.id;
    r->logical = start;
    r->day = day;
    snprintf(r->pipeline, sizeof r->pipeline, "%s", pipeline);
    snprintf(r->trigger, sizeof r->trigger, "%s", trigger);
    snprintf(r->state, sizeof r->state, "%s", flux_run_state_name(st));
    return row.id;
}

/* a try started at t + 0.5 s that, when it ended, ran dur_ms */
static int64_t add_try(flux_store *s, int64_t run, const char *task, int try_number, flux_ti_state st, int64_t t,
                       int64_t dur_ms, const char *rendered, const char *outputs, const char *log)
{
    int64_t id = 0;
    CHECK(flux_store_ti_insert(s, run, task, try_number, FLUX_TI_QUEUED, t, &id) == 0, "insert try: %s",
          flux_store_error(s));
    bool done = st == FLUX_TI_SUCCESS || st == FLUX_TI_FAILED;
    CHECK(flux_store_ti_update(s, id,
                               &(flux_ti_patch){.state = st, .started_ms = t + 500, .ended_ms = done ? t + 500 + dur_ms : 0,
                                                .set_exit = done, .exit_status = st == FLUX_TI_FAILED ? 2 : 0,
                                                .host = "worker-1", .log_path = log, .rendered = rendered,
                                                .outputs = outputs,
                                                .note = st == FLUX_TI_FAILED ? "exit status 2" : NULL}) == 0,
          "update try: %s", flux_store_error(s));
    return id;
}

static bool deploy(flux_store *s, const char *src)
{
    flux_deploy_report rep;
    return CHECK(flux_deploy_tree(s, src, NULL, NULL, &rep, NULL, NULL) == 0 && rep.broken == 0,
                 "deploy %s: %s", src, flux_store_error(s));
}

static void seed_store(const char *url, const char *dir, seed *sd)
{
    flux_store *s = NULL;
    char err[1024], src[4200], path[4400], text[4096];
    if (!CHECK(flux_store_open(url, &s, err, sizeof err) == 0, "open %s: %s", url, err))
        exit(1);
    /* two versions of demo (v2 adds report), one of other */
    snprintf(src, sizeof src, "%s/src", dir);
    mkdir(src, 0700);
    snprintf(path, sizeof path, "%s/demo.flux", src);
    snprintf(text, sizeof text, DEMO_V1, "");
    write_file(path, text, 0600);
    snprintf(path, sizeof path, "%s/other.flux", src);
    write_file(path, OTHER, 0600);
    deploy(s, src);
    snprintf(path, sizeof path, "%s/demo.flux", src);
    snprintf(text, sizeof text, DEMO_V1, DEMO_V2_TAIL);
    write_file(path, text, 0600);
    /* big: a chain of 2,001 tasks, too many to draw whole */
    flux_buf big = {0};
    flux_buf_puts(&big, "pipeline big {\n    schedule = \"@daily\"\n    start = \"2026-11-01T00:00:00Z\"\n");
    for (int i = 0; i < 2001; i++)
        flux_buf_printf(&big, "    task t%d : bash { command = \"true\" }\n", i);
    for (int i = 0; i < 2000; i++)
        flux_buf_printf(&big, "    t%d >> t%d\n", i, i + 1);
    flux_buf_puts(&big, "}\n");
    snprintf(path, sizeof path, "%s/big.flux", src);
    write_file(path, flux_buf_cstr(&big), 0600);
    flux_buf_free(&big);
    deploy(s, src);
    flux_deployment *d;
    size_t nd;
    if (CHECK(flux_store_list_deployments(s, "demo", &d, &nd) == 0 && nd == 2, "demo has two versions")) {
        snprintf(sd->plan2, sizeof sd->plan2, "%s", d[0].plan_id);
        snprintf(sd->plan1, sizeof sd->plan1, "%s", d[1].plan_id);
    }
    free(d);
    if (CHECK(flux_store_list_deployments(s, "other", &d, &nd) == 0 && nd == 1, "other has one version"))
        snprintf(sd->plan_other, sizeof sd->plan_other, "%s", d[0].plan_id);
    free(d);
    if (CHECK(flux_store_list_deployments(s, "big", &d, &nd) == 0 && nd == 1, "big has one version"))
        snprintf(sd->plan_big, sizeof sd->plan_big, "%s", d[0].plan_id);
    free(d);

    /* demo: a scheduled run a day for 10 days (failed every third day), a
     * backfill of the first 6 days and a manual run of the first 4 (same
     * logical dates); other: 5 scheduled runs */
    snprintf(path, sizeof path, "%s/logs", dir);
    mkdir(path, 0700);
    for (int day = 0; day < 10; day++) {
        for (int k = 0; k < 3; k++) {
            const char *trig = k == 0 ? "scheduled" : k == 1 ? "backfill" : "manual";
            if ((k == 1 && day >= 6) || (k == 2 && day >= 4))
                continue;
            flux_run_state st = k == 0 && day % 3 == 0       ? FLUX_RUN_FAILED
                                : k == 2 && day == 3 ? FLUX_RUN_RUNNING
                                : k == 2 && day == 2 ? FLUX_RUN_QUEUED
                                                     : FLUX_RUN_SUCCESS;
            int64_t run = add_run(s, sd, "demo", trig, day, day == 9 ? sd->plan2 : sd->plan1, st);
            if (k == 0 && day == 0)
                sd->run_s0 = run;
            if (k == 0 && day == 1)
                sd->run_s1 = run;
            if (k == 0 && day == 9)
                sd->run_s9 = run;
            if (st == FLUX_RUN_QUEUED)
                continue;
            int64_t t = DAY0 + (day + 1) * DAY;
            char rend[512], outs[256], log[4300];
            snprintf(rend, sizeof rend, "{\"command\": \"extract --day %d\"}", day);
            int64_t ti;
            if (k == 0 && day % 2 == 0) {
                snprintf(log, sizeof log, "%s/logs/extract-%lld-1.log", dir, (long long)run);
                ti = add_try(s, run, "extract", 1, FLUX_TI_FAILED, t, 900, rend, NULL, log);
                if (day == 0) {
                    sd->log_ti = ti;
                    snprintf(sd->log_path, sizeof sd->log_path, "%s", log);
                }
                t += 10000;
            }
            ti = add_try(s, run, "extract", k == 0 && day % 2 == 0 ? 2 : 1, FLUX_TI_SUCCESS, t, 5000 + 1000 * k, rend,
                         NULL, NULL);
            if (k == 0 && day == 0) {
                sd->nolog_ti = ti;
                sd->lineage_run = run;
                CHECK(flux_store_put_counts(s, ti, 10, 9, 1, 300) == 0, "counts");
                CHECK(flux_store_put_lineage(s, ti, "read", "kafka", "events",
                                             "{\"partition\":1,\"first\":40,\"last\":49,\"count\":10}") == 0,
                      "lineage");
                CHECK(flux_store_put_lineage(s, ti, "write", "table", "dw.events", "{\"rows\":9}") == 0, "lineage");
            }
            snprintf(rend, sizeof rend,
                     "{\"command\": \"curl -H 'Authorization: Bearer ***' https://api.example.com/d%d\", "
                     "\"region\": \"eu-west\"%s}",
                     day, k == 0 && day == 5 ? ", \"coupon\": \"50%_off\"" : "");
            snprintf(outs, sizeof outs, "{\"batch\": \"B-%d-%s\", \"rows\": \"%d\"}", day, trig, 100 + day);
            flux_ti_state lst = st == FLUX_RUN_FAILED    ? FLUX_TI_FAILED
                                : st == FLUX_RUN_RUNNING ? FLUX_TI_RUNNING
                                                         : FLUX_TI_SUCCESS;
            ti = add_try(s, run, "load", 1, lst, t + 10000, (day + 1) * 7000, rend, outs, NULL);
            if (k == 0 && day == 0) {
                CHECK(flux_store_put_lineage(s, ti, "read", "table", "dw.events", "{\"rows\":9}") == 0, "lineage");
                CHECK(flux_store_put_lineage(s, ti, "write", "file", "/data/events.csv", "{\"size\":120}") == 0,
                      "lineage");
            }
        }
    }
    for (int day = 0; day < 5; day++) {
        int64_t run = add_run(s, sd, "other", "scheduled", day, sd->plan_other, FLUX_RUN_SUCCESS);
        add_try(s, run, "wait", 1, FLUX_TI_SUCCESS, DAY0 + (day + 1) * DAY, 30000 + 1500 * day, NULL, NULL, NULL);
        add_try(s, run, "only", 1, FLUX_TI_SUCCESS, DAY0 + (day + 1) * DAY + 60000, 60000, "{\"command\": \"true\"}",
                NULL, NULL);
    }
    CHECK(flux_store_heartbeat(s, "sched-1", "vm", 4242, DAY0, DAY0 + 5000, false) == 0, "heartbeat");
    CHECK(flux_store_heartbeat(s, "run:77", "vm", 77, DAY0, DAY0 + 5000, false) == 0, "a runner's row");
    CHECK(flux_store_heartbeat(s, "odd \"q\"\\x", "vm", 4243, DAY0, DAY0 + 7000, true) == 0, "a stopped one, oddly named");
    flux_store_close(s);

    /* the log: 200,000 bytes of numbered lines */
    FILE *f = fopen(sd->log_path, "w");
    if (CHECK(f != NULL, "log file %s", sd->log_path)) {
        for (int i = 0; sd->log_size < 200000; i++) {
            char line[64];
            int n = snprintf(line, sizeof line, "line %06d of the extract log\n", i);
            if (sd->log_size + (size_t)n > 200000)
                n = (int)(200000 - sd->log_size);
            fwrite(line, 1, (size_t)n, f);
            sd->log_size += (size_t)n;
        }
        fclose(f);
    }
}

/* ---- the runs search ---- */

static int by_newest(const void *x, const void *y)
{
    const seeded_run *a = x, *b = y;
    if (a->logical != b->logical)
        return a->logical < b->logical ? 1 : -1;
    return (a->id < b->id) - (a->id > b->id);
}

/* every page of path (which has a '?') with limit, walked by cursor: the
 * ids in order, or -1 when a page was refused */
static long walk(const char *path, int limit, int64_t *ids, size_t cap)
{
    char url[1024], cursor[128] = "";
    size_t n = 0;
    for (int page = 0; page < 200; page++) {
        snprintf(url, sizeof url, "%s&limit=%d%s%s", path, limit, cursor[0] ? "&cursor=" : "", cursor);
        json_t *v = GET(url, 200);
        if (!v)
            return -1;
        json_t *items = json_object_get(v, "items"), *r;
        size_t i;
        CHECK(json_array_size(items) <= (size_t)limit, "%s: a page of at most %d", url, limit);
        json_array_foreach(items, i, r)
        {
            CHECK(run_shape(r), "%s: a run's shape", url);
            if (n < cap)
                ids[n++] = json_integer_value(json_object_get(r, "id"));
        }
        json_t *next = json_object_get(v, "next_cursor");
        CHECK(keys_are(v, "items next_cursor") && (json_is_null(next) || json_is_string(next)), "%s: page shape",
              url);
        if (!json_is_string(next)) {
            json_decref(v);
            return (long)n;
        }
        CHECK(json_array_size(items) == (size_t)limit, "%s: a page before the last is full", url);
        snprintf(cursor, sizeof cursor, "%s", json_string_value(next));
        json_decref(v);
    }
    CHECK(false, "%s: over 200 pages", path);
    return -1;
}

/* the runs of the search path, all pages of 4: exactly those seeded runs
 * for which want() is true, newest first, each once */
typedef bool (*run_pred)(const seeded_run *r);
static void search(int line, const seed *sd, const char *path, run_pred want)
{
    int64_t got[128];
    long n = walk(path, 4, got, 128);
    size_t k = 0;
    bool same = n >= 0;
    for (size_t i = 0; i < sd->nruns && same; i++)
        if (want(&sd->runs[i]))
            same = (long)k < n && got[k++] == sd->runs[i].id;
    check_at(line, same && (long)k == n, "%s: %ld runs, %zu wanted, or not in order", path, n, k);
}
#define SEARCH(path, pred) search(__LINE__, sd, (path), (pred))

static bool all(const seeded_run *r) { (void)r; return true; }
static bool of_other(const seeded_run *r) { return !strcmp(r->pipeline, "other"); }
static bool failed_(const seeded_run *r) { return !strcmp(r->state, "failed"); }
static bool backfills(const seeded_run *r) { return !strcmp(r->trigger, "backfill"); }
static bool manuals(const seeded_run *r) { return !strcmp(r->trigger, "manual"); }
static bool sched_to_day8(const seeded_run *r) { return !strcmp(r->trigger, "scheduled") && r->day <= 8; }
static bool days_2_to_4(const seeded_run *r) { return r->day >= 2 && r->day <= 4; }
static bool none(const seeded_run *r) { (void)r; return false; }
static bool demo_day7(const seeded_run *r) { return !strcmp(r->pipeline, "demo") && r->day == 7; }
static bool s5(const seeded_run *r) { return !strcmp(r->trigger, "scheduled") && !strcmp(r->pipeline, "demo") && r->day == 5; }
static bool with_load(const seeded_run *r) { return !strcmp(r->pipeline, "demo") && strcmp(r->state, "queued"); }
static bool of_other_tried(const seeded_run *r) { return of_other(r); }
static bool day3_demo(const seeded_run *r) { return !strcmp(r->pipeline, "demo") && r->day == 3; }
static bool day3_manual(const seeded_run *r) { return manuals(r) && r->day == 3; }
static bool demo_failed_sched(const seeded_run *r)
{
    return !strcmp(r->pipeline, "demo") && failed_(r) && !strcmp(r->trigger, "scheduled");
}

static void runs_checks(seed *sd)
{
    qsort(sd->runs, sd->nruns, sizeof *sd->runs, by_newest);
    json_t *v = GET("/api/v1/runs", 200);
    CHECK(v && json_array_size(json_object_get(v, "items")) == 25 && json_is_null(json_object_get(v, "next_cursor")),
          "all 25 runs in the default page of 50, no next page");
    json_decref(v);
    /* pages of 1, 4 and 7: each run once, in order, though 14 share a logical date with another */
    SEARCH("/api/v1/runs?", all);
    int64_t got[64];
    CHECK(walk("/api/v1/runs?", 1, got, 64) == 25, "pages of one: 25 runs");
    CHECK(walk("/api/v1/runs?pipeline=demo", 7, got, 64) == 20, "demo in pages of 7: 20 runs");
    SEARCH("/api/v1/runs?pipeline=other", of_other);
    SEARCH("/api/v1/runs?state=failed", failed_);
    SEARCH("/api/v1/runs?trigger=backfill", backfills);
    SEARCH("/api/v1/runs?trigger=manual", manuals);
    SEARCH("/api/v1/runs?run_id=manual__", manuals);
    SEARCH("/api/v1/runs?run_id=scheduled__2026-11-0", sched_to_day8);
    SEARCH("/api/v1/runs?run_id=%25", none);           /* a literal %, not LIKE's */
    SEARCH("/api/v1/runs?run_id=_", none);             /* a literal _ */
    SEARCH("/api/v1/runs?run_id=SCHEDULED__", none);   /* a prefix in its case, on every store */
    SEARCH("/api/v1/runs?from=2026-11-03T00:00:00Z&to=2026-11-05T00:00:00Z", days_2_to_4);
    SEARCH("/api/v1/runs?field=api.example.com/d7", demo_day7);
    SEARCH("/api/v1/runs?field=API.EXAMPLE.COM", none); /* in its case, on every store */
    SEARCH("/api/v1/runs?field=50%25_off", s5);
    SEARCH("/api/v1/runs?field=%25", s5);
    SEARCH("/api/v1/runs?field=_", s5);
    SEARCH("/api/v1/runs?field=api.example.com", with_load);
    SEARCH("/api/v1/runs?task=load&field=api.example.com", with_load);
    SEARCH("/api/v1/runs?task=extract&field=api.example.com", none);
    SEARCH("/api/v1/runs?task=only", of_other_tried);
    SEARCH("/api/v1/runs?output=B-3-", day3_demo);
    SEARCH("/api/v1/runs?output=B-3-manual", day3_manual);
    SEARCH("/api/v1/runs?task=extract&output=B-3-", none);
    SEARCH("/api/v1/runs?pipeline=demo&state=failed&trigger=scheduled", demo_failed_sched);
    SEARCH("/api/v1/runs?field=***", with_load); /* the mask itself is there to find */
    /* a form's empty boxes filter nothing */
    SEARCH("/api/v1/runs?pipeline=&state=&trigger=&run_id=&from=&to=&task=&field=&output=", all);
    v = GET("/api/v1/runs?cursor=", 200);
    CHECK(v && json_array_size(json_object_get(v, "items")) == 25, "an empty cursor: the first page");
    json_decref(v);

    /* refused arguments */
    json_decref(GET("/api/v1/runs?limit=0", 400));
    json_decref(GET("/api/v1/runs?limit=501", 400));
    json_decref(GET("/api/v1/runs?limit=x", 400));
    json_decref(GET("/api/v1/runs?cursor=nonsense", 400));
    json_decref(GET("/api/v1/runs?from=yesterday", 400));
    json_decref(GET("/api/v1/runs?state=bogus", 400));
    json_decref(GET("/api/v1/runs?trigger=bogus", 400));
    v = GET("/api/v1/runs?limit=500", 200);
    CHECK(v && json_array_size(json_object_get(v, "items")) == 25, "limit=500 is allowed");
    json_decref(v);
}

/* ---- the reads ---- */

static void read_checks(const seed *sd)
{
    char path[512];
    json_t *v = GET("/api/v1/pipelines", 200), *p;
    size_t i;
    CHECK(v && keys_are(v, "items next_cursor") && json_array_size(json_object_get(v, "items")) == 3,
          "three pipelines");
    json_array_foreach(json_object_get(v, "items"), i, p)
    {
        CHECK(keys_are(p, "pipeline version plan_id paused removed description owner tags schedule timezone tasks "
                          "last_runs"),
              "a pipeline's shape");
        json_t *last = json_object_get(p, "last_runs"), *r;
        size_t k;
        CHECK(json_array_size(last) == (strcmp(jstr(p, "pipeline"), "big") ? 5u : 0u), "its last 5 runs");
        json_array_foreach(last, k, r) CHECK(run_shape(r), "each a run");
        if (!strcmp(jstr(p, "pipeline"), "demo"))
            CHECK(json_integer_value(json_object_get(p, "version")) == 2 && !strcmp(jstr(p, "plan_id"), sd->plan2) &&
                      !strcmp(jstr(p, "owner"), "data-platform") && json_array_size(json_object_get(p, "tags")) == 2 &&
                      json_integer_value(json_object_get(p, "tasks")) == 3 &&
                      json_is_false(json_object_get(p, "paused")),
                  "demo: version 2, its plan, owner, tags, 3 tasks, not paused");
    }
    json_decref(v);

    /* a run: its tasks in plan order and every try */
    snprintf(path, sizeof path, "/api/v1/runs/%lld", (long long)sd->run_s0);
    v = GET(path, 200);
    CHECK(v && keys_are(v, "id pipeline run_id state trigger interval_start interval_end started ended plan_id "
                           "tasks task_instances deadline_misses"),
          "a run's tasks: shape");
    json_t *tasks = json_object_get(v, "tasks"), *tis = json_object_get(v, "task_instances"), *t;
    CHECK(json_array_size(tasks) == 2 && !strcmp(jstr(json_array_get(tasks, 0), "task"), "extract") &&
              !strcmp(jstr(json_array_get(tasks, 1), "task"), "load") &&
              json_integer_value(json_object_get(json_array_get(tasks, 0), "tries")) == 2,
          "extract (2 tries) then load, in plan order");
    CHECK(json_array_size(tis) == 3, "three tries");
    json_array_foreach(tis, i, t)
    {
        CHECK(json_is_integer(json_object_get(t, "ti")), "each try has its id (ti)");
        CHECK(is_time(json_object_get(t, "started")) && is_time(json_object_get(t, "ended")), "RFC 3339 times");
    }
    json_t *load = json_array_get(tis, 2);
    CHECK(strstr(jstr(json_object_get(load, "rendered"), "command"), "Bearer ***") != NULL,
          "the rendered fields, masked");
    CHECK(!strcmp(jstr(json_object_get(load, "outputs"), "batch"), "B-0-scheduled"), "the outputs");
    json_t *ex = json_array_get(tis, 1), *counts = json_object_get(ex, "counts");
    CHECK(json_integer_value(json_object_get(counts, "read")) == 10 &&
              json_integer_value(json_object_get(counts, "rejected")) == 1,
          "the counts");
    json_decref(v);
    json_decref(GET("/api/v1/runs/999999", 404));
    json_decref(GET("/api/v1/runs/abc", 404));

    /* a try's log: the tail by default, any range by offset and length */
    FILE *f = fopen(sd->log_path, "rb");
    char *file = malloc(sd->log_size + 1);
    size_t got = f ? fread(file, 1, sd->log_size, f) : 0;
    if (f)
        fclose(f);
    CHECK(got == sd->log_size, "the log file reads back");
    snprintf(path, sizeof path, "/api/v1/task-instances/%lld/log", (long long)sd->log_ti);
    http h = req("GET", path, NULL, NULL, NULL);
    char want[32];
    snprintf(want, sizeof want, "%zu", sd->log_size);
    CHECK(h.status == 200 && h.len == 65536 && !memcmp(h.body, file + sd->log_size - 65536, 65536),
          "the log's last 64 KiB by default (%ld, %zu bytes)", h.status, h.len);
    CHECK(header(&h, "X-Log-Size") && !strcmp(header(&h, "X-Log-Size"), want), "X-Log-Size: the whole size");
    snprintf(want, sizeof want, "%zu", sd->log_size - 65536);
    CHECK(header(&h, "X-Log-Offset") && !strcmp(header(&h, "X-Log-Offset"), want), "X-Log-Offset: where it starts");
    CHECK(header(&h, "Content-Type") && !strncmp(header(&h, "Content-Type"), "text/plain", 10), "plain text");
    http_free(&h);
    snprintf(path, sizeof path, "/api/v1/task-instances/%lld/log?offset=1000&length=333", (long long)sd->log_ti);
    h = req("GET", path, NULL, NULL, NULL);
    CHECK(h.status == 200 && h.len == 333 && !memcmp(h.body, file + 1000, 333), "offset 1000, length 333");
    CHECK(header(&h, "X-Log-Offset") && !strcmp(header(&h, "X-Log-Offset"), "1000"), "X-Log-Offset: 1000");
    http_free(&h);
    snprintf(path, sizeof path, "/api/v1/task-instances/%lld/log?offset=%zu", (long long)sd->log_ti,
             sd->log_size - 10);
    h = req("GET", path, NULL, NULL, NULL);
    CHECK(h.status == 200 && h.len == 10 && !memcmp(h.body, file + sd->log_size - 10, 10), "offset alone: to the end");
    http_free(&h);
    snprintf(path, sizeof path, "/api/v1/task-instances/%lld/log?offset=999999999", (long long)sd->log_ti);
    h = req("GET", path, NULL, NULL, NULL);
    CHECK(h.status == 200 && h.len == 0, "an offset past the end: nothing");
    http_free(&h);
    snprintf(path, sizeof path, "/api/v1/task-instances/%lld/log?length=-1", (long long)sd->log_ti);
    CHECK(status_of("GET", path, NULL, NULL, NULL) == 400, "a negative length is refused");
    free(file);
    snprintf(path, sizeof path, "/api/v1/task-instances/%lld/log", (long long)sd->nolog_ti);
    json_decref(GET(path, 404));
    json_decref(GET("/api/v1/task-instances/999999/log", 404));
    json_decref(GET("/api/v1/task-instances/..%2F..%2Fetc%2Fpasswd/log", 404));

    /* schedulers: the scheduler's heartbeat, not the runner's row */
    v = GET("/api/v1/schedulers", 200);
    json_t *items = json_object_get(v, "items");
    CHECK(json_array_size(items) == 2 && !strcmp(jstr(json_array_get(items, 1), "scheduler"), "sched-1") &&
              keys_are(json_array_get(items, 0), "scheduler host pid alive started heartbeat heartbeat_age_ms stopped"),
          "two schedulers (not the runner's row), newest heartbeat first, their shape");
    json_decref(v);

    /* versions, a plan (ETag), the diff */
    v = GET("/api/v1/pipelines/demo/versions", 200);
    CHECK(json_array_size(v) == 2 && !strcmp(jstr(json_array_get(v, 0), "plan"), sd->plan2) &&
              json_is_true(json_object_get(json_array_get(v, 0), "current")) &&
              json_integer_value(json_object_get(json_array_get(v, 1), "version")) == 1,
          "demo's two versions, newest first");
    json_decref(v);
    json_decref(GET("/api/v1/pipelines/nosuch/versions", 404));
    snprintf(path, sizeof path, "/api/v1/plans/%s", sd->plan2);
    h = req("GET", path, NULL, NULL, NULL);
    v = json_loads(h.body ? h.body : "", 0, NULL);
    CHECK(h.status == 200 && keys_are(v, "plan_id pipeline tasks") && json_array_size(json_object_get(v, "tasks")) == 3,
          "a plan: its three tasks");
    json_t *rep = json_array_get(json_object_get(v, "tasks"), 2);
    CHECK(!strcmp(jstr(rep, "id"), "report") && !strcmp(jstr(rep, "operator"), "bash") &&
              json_array_size(json_object_get(rep, "upstream")) == 1,
          "each with its operator and upstream");
    char etag[128], inm[160];
    snprintf(etag, sizeof etag, "%s", header(&h, "ETag") ? header(&h, "ETag") : "");
    CHECK(strstr(etag, sd->plan2) != NULL, "its ETag is the plan id: %s", etag);
    json_decref(v);
    http_free(&h);
    snprintf(inm, sizeof inm, "If-None-Match: %s", etag);
    h = req("GET", path, NULL, inm, NULL);
    CHECK(h.status == 304 && h.len == 0, "If-None-Match with it: 304 (%ld)", h.status);
    http_free(&h);
    CHECK(status_of("GET", path, NULL, "If-None-Match: \"other\"", NULL) == 200, "another ETag: 200");
    json_decref(GET("/api/v1/plans/0000", 404));
    snprintf(path, sizeof path, "/api/v1/plans/%s/diff/%s", sd->plan1, sd->plan2);
    v = GET(path, 200);
    CHECK(keys_are(v, "from to summary added removed changed") && json_array_size(json_object_get(v, "added")) == 1 &&
              !strcmp(json_string_value(json_array_get(json_object_get(v, "added"), 0)), "report") &&
              json_array_size(json_object_get(v, "removed")) == 0,
          "the diff: report added");
    json_decref(v);

    /* lineage: an offset to the try that read it, on to the one that read what it wrote */
    v = GET("/api/v1/lineage?topic=events&partition=1&offset=42", 200);
    json_t *m = json_array_get(json_object_get(v, "moves"), 0);
    CHECK(m && json_integer_value(json_object_get(m, "run")) == sd->lineage_run && !strcmp(jstr(m, "task"), "extract") &&
              !strcmp(jstr(json_array_get(json_object_get(m, "then"), 0), "task"), "load"),
          "offset 42 of events: extract, then load");
    json_decref(v);
    v = GET("/api/v1/lineage?topic=events&partition=1&offset=50", 200);
    CHECK(json_array_size(json_object_get(v, "moves")) == 0, "an offset nobody read: no moves");
    json_decref(v);
    v = GET("/api/v1/lineage?table=events", 200);
    CHECK(json_array_size(json_object_get(v, "moves")) == 1, "a table without its database");
    json_decref(v);
    v = GET("/api/v1/lineage?file=/data/events.csv", 200);
    CHECK(!strcmp(jstr(json_array_get(json_object_get(v, "moves"), 0), "task"), "load"), "a file");
    json_decref(v);
    json_decref(GET("/api/v1/lineage", 400));
    json_decref(GET("/api/v1/lineage?topic=events&table=x", 400));

    /* what is not there */
    json_decref(GET("/api/v1/nosuch", 404));
    CHECK(status_of("GET", "/nosuch.html", NULL, NULL, NULL) == 404, "no such page: 404");
    CHECK(status_of("GET", "/", NULL, NULL, NULL) == 200, "the page");
}

/* ---- the graph ---- */

static size_t count(const char *s, size_t len, const char *what)
{
    size_t n = 0, w = strlen(what);
    for (const char *p = s; p && (p = memmem(p, len - (size_t)(p - s), what, w)) != NULL; p += w)
        n++;
    return n;
}

/* the class attribute of task's group in svg, or "" */
static const char *class_of(const http *h, const char *task)
{
    static char cls[256];
    char mark[300];
    snprintf(mark, sizeof mark, "<g id=\"task&#45;%s\" class=\"", task);
    const char *at = h->body ? strstr(h->body, mark) : NULL;
    cls[0] = '\0';
    if (at)
        snprintf(cls, sizeof cls, "%.*s", (int)strcspn(at + strlen(mark), "\""), at + strlen(mark));
    return cls;
}

static http graph(const char *plan, const char *query, const char *inm)
{
    char path[512], hdr[200];
    snprintf(path, sizeof path, "/api/v1/plans/%s/graph.svg%s%s", plan, query ? "?" : "", query ? query : "");
    if (inm)
        snprintf(hdr, sizeof hdr, "If-None-Match: %s", inm);
    return req("GET", path, NULL, inm ? hdr : NULL, NULL);
}

static long graph_status(const char *plan, const char *query)
{
    http h = graph(plan, query, NULL);
    long st = h.status;
    http_free(&h);
    return st;
}

static void graph_checks(const seed *sd, const char *home)
{
    char q[128], etag[160] = "", etag2[160] = "", path[4400];
    http h = graph(sd->plan2, NULL, NULL);
    const char *type = header(&h, "Content-Type");
    CHECK(h.status == 200 && type && !strcmp(type, "image/svg+xml; charset=utf-8"), "the plan's SVG (%ld)", h.status);
    CHECK(h.body && count(h.body, h.len, "<g id=\"task&#45;") == 3, "one group per task");
    CHECK(!strcmp(class_of(&h, "report"), "node op&#45;bash"), "without a run, no state: %s", class_of(&h, "report"));
    if (header(&h, "ETag"))
        snprintf(etag, sizeof etag, "%s", header(&h, "ETag"));
    CHECK(strstr(etag, sd->plan2) != NULL, "the ETag starts with the plan id: %s", etag);
    http_free(&h);
    snprintf(path, sizeof path, "%s/cache/graphs/%s.svg", home, sd->plan2);
    CHECK(access(path, F_OK) == 0, "the layout is kept under FLUX_HOME/cache/graphs");
    h = graph(sd->plan2, NULL, etag);
    CHECK(h.status == 304 && h.len == 0, "If-None-Match: 304 (%ld)", h.status);
    http_free(&h);

    /* a run's states: the latest try of each task, none for one that never ran */
    snprintf(q, sizeof q, "run=%lld", (long long)sd->run_s9);
    h = graph(sd->plan2, q, NULL);
    CHECK(h.status == 200 && !strcmp(class_of(&h, "extract"), "node op&#45;bash state&#45;success") &&
              !strcmp(class_of(&h, "load"), "node op&#45;bash state&#45;failed") &&
              !strcmp(class_of(&h, "report"), "node op&#45;bash state&#45;none"),
          "the run's states in the classes: %s, %s, %s", class_of(&h, "extract"), class_of(&h, "load"),
          class_of(&h, "report"));
    if (header(&h, "ETag"))
        snprintf(etag2, sizeof etag2, "%s", header(&h, "ETag"));
    CHECK(strcmp(etag, etag2) && strstr(etag2, sd->plan2), "another ETag with a run's states: %s", etag2);
    http_free(&h);
    h = graph(sd->plan2, q, etag2);
    CHECK(h.status == 304, "the same states: 304 (%ld)", h.status);
    http_free(&h);
    snprintf(q, sizeof q, "run=%lld", (long long)sd->run_s0);
    h = graph(sd->plan2, q, NULL);
    CHECK(h.status == 400, "a run of another plan: 400 (%ld)", h.status);
    http_free(&h);
    CHECK(graph_status(sd->plan2, "run=999999") == 404, "no such run: 404");

    /* a neighbourhood */
    h = graph(sd->plan2, "focus=report&depth=1", NULL);
    CHECK(h.status == 200 && count(h.body, h.len, "<g id=\"task&#45;") == 2 && class_of(&h, "load")[0] &&
              !class_of(&h, "extract")[0],
          "report and load, one edge away");
    http_free(&h);
    CHECK(graph_status(sd->plan2, "focus=nosuch") == 404, "a focus the plan lacks: 404");
    CHECK(graph_status(sd->plan2, "focus=load&depth=0") == 400, "depth 0: 400");
    CHECK(graph_status(sd->plan2, "focus=load&depth=x") == 400, "depth x: 400");
    CHECK(graph_status("0000", NULL) == 404, "no such plan: 404");

    /* too big to draw whole: 422 with the count; a focus draws */
    h = graph(sd->plan_big, NULL, NULL);
    json_t *v = json_loads(h.body ? h.body : "", 0, NULL);
    CHECK(h.status == 422 && keys_are(v, "error tasks") && json_integer_value(json_object_get(v, "tasks")) == 2001,
          "2,001 tasks without a focus: 422 {error, tasks} (%ld %s)", h.status, h.body ? h.body : "");
    json_decref(v);
    http_free(&h);
    h = graph(sd->plan_big, "focus=t250&depth=3", NULL);
    CHECK(h.status == 200 && count(h.body, h.len, "<g id=\"task&#45;") == 7, "t247..t253 around t250");
    http_free(&h);
}

/* ---- /metrics, against SQL over the store (the sqlite3 or mariadb client) ---- */

static char sql_target[4400]; /* the SQLite file, or the MySQL URL */
static bool sql_mysql;

/* the rows of query as lines of '|'-separated fields (malloc'd) */
static char *sql(const char *query)
{
    char cmd[12000];
    if (sql_mysql) {
        char user[128], pw[128], host[128], port[16], db[128];
        if (sscanf(sql_target, "mysql://%127[^:]:%127[^@]@%127[^:]:%15[^/]/%127s", user, pw, host, port, db) != 5) {
            CHECK(false, "cannot read the MySQL URL %s", sql_target);
            return strdup("");
        }
        snprintf(cmd, sizeof cmd,
                 "MYSQL_PWD='%s' mariadb --no-defaults -h %s -P %s -u %s -N -B %s -e \"%s\" | tr '\\t' '|'", pw, host,
                 port, user, db, query);
    } else {
        snprintf(cmd, sizeof cmd, "sqlite3 -batch -separator '|' '%s' \"%s\"", sql_target, query);
    }
    FILE *f = popen(cmd, "r");
    char *out = NULL;
    size_t len = 0, n;
    char buf[4096];
    while (f && (n = fread(buf, 1, sizeof buf, f)) > 0)
        append(&out, &len, buf, n);
    int rc = f ? pclose(f) : -1;
    CHECK(rc == 0, "%s: status %d", query, rc);
    return out ? out : strdup("");
}

/* the value of the sample "name{labels}" in the exposition, or NAN */
static double sample(const char *text, const char *key)
{
    size_t n = strlen(key);
    for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
        if (!strncmp(l, key, n) && l[n] == ' ')
            return strtod(l + n + 1, NULL);
    return NAN;
}

static size_t samples_of(const char *text, const char *name)
{
    size_t n = 0, k = strlen(name);
    for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
        if (!strncmp(l, name, k) && l[k] == '{')
            n++;
    return n;
}

/* every line a HELP, a TYPE or a sample of a family typed before it */
static void exposition_format(const char *text)
{
    regex_t re;
    regcomp(&re,
            "^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[a-zA-Z_][a-zA-Z0-9_]*=\"([^\"\\\\]|\\\\.)*\""
            "(,[a-zA-Z_][a-zA-Z0-9_]*=\"([^\"\\\\]|\\\\.)*\")*\\})? (-?[0-9]+(\\.[0-9]+)?|\\+Inf|-Inf|NaN)$",
            REG_EXTENDED);
    char typed[64][64];
    size_t ntyped = 0, nlines = 0;
    bool ok = text[0] && text[strlen(text) - 1] == '\n';
    CHECK(ok, "the exposition ends with a line feed");
    char *copy = strdup(text), *save = NULL;
    for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save), nlines++) {
        char name[128], type[32];
        if (!strncmp(l, "# HELP ", 7))
            continue;
        if (sscanf(l, "# TYPE %127s %31s", name, type) == 2) {
            CHECK(!strcmp(type, "gauge") || !strcmp(type, "counter") || !strcmp(type, "histogram") ||
                      !strcmp(type, "summary"),
                  "a type: %s", l);
            if (ntyped < 64)
                snprintf(typed[ntyped++], 64, "%.63s", name);
            continue;
        }
        regmatch_t m[2];
        if (!CHECK(regexec(&re, l, 2, m, 0) == 0, "a sample line: %s", l))
            continue;
        snprintf(name, sizeof name, "%.*s", (int)(m[1].rm_eo - m[1].rm_so), l);
        bool found = false;
        for (size_t i = 0; i < ntyped && !found; i++) {
            size_t k = strlen(typed[i]);
            found = !strncmp(name, typed[i], k) &&
                    (!name[k] || !strcmp(name + k, "_bucket") || !strcmp(name + k, "_sum") || !strcmp(name + k, "_count"));
        }
        CHECK(found, "%s has a TYPE line before it", name);
    }
    CHECK(nlines > 20, "the exposition has lines (%zu)", nlines);
    free(copy);
    regfree(&re);
}

static bool near(double a, double b)
{
    return fabs(a - b) < 0.0015;
}

/* each row "pipeline|key|count" of the query is the sample name{pipeline,key}, and there are no others */
static void same_counts(const char *text, const char *name, const char *key, const char *query)
{
    char *rows = sql(query), *save = NULL, k[600];
    size_t n = 0;
    for (char *l = strtok_r(rows, "\n", &save); l; l = strtok_r(NULL, "\n", &save), n++) {
        char p[256], v[256];
        long long c;
        if (!CHECK(sscanf(l, "%255[^|]|%255[^|]|%lld", p, v, &c) == 3, "a row: %s", l))
            continue;
        snprintf(k, sizeof k, "%s{pipeline=\"%s\",%s=\"%s\"}", name, p, key, v);
        CHECK(sample(text, k) == (double)c, "%s is %lld as in SQL (%g)", k, c, sample(text, k));
    }
    CHECK(n > 0 && samples_of(text, name) == n, "%s: %zu samples, as many as SQL's groups (%zu)", name,
          samples_of(text, name), n);
    free(rows);
}

static void metrics_checks(void)
{
    http h = req("GET", "/metrics", NULL, NULL, NULL);
    const char *type = header(&h, "Content-Type");
    CHECK(h.status == 200 && type && !strcmp(type, "text/plain; version=0.0.4; charset=utf-8"),
          "/metrics: 200, the text format 0.0.4 (%ld %s)", h.status, type ? type : "");
    const char *text = h.body ? h.body : "";
    exposition_format(text);
    same_counts(text, "flux_runs", "state", "SELECT pipeline, state, COUNT(*) FROM runs GROUP BY pipeline, state");
    same_counts(text, "flux_task_instances", "state",
                "SELECT r.pipeline, t.state, COUNT(*) FROM task_instances t JOIN runs r ON r.id = t.run "
                "GROUP BY r.pipeline, t.state");

    /* durations: buckets, sum and count per pipeline */
    char *rows = sql("SELECT r.pipeline, COUNT(*), SUM(t.ended_at - t.started_at), "
                     "SUM(CASE WHEN t.ended_at - t.started_at <= 5000 THEN 1 ELSE 0 END), "
                     "SUM(CASE WHEN t.ended_at - t.started_at <= 60000 THEN 1 ELSE 0 END), "
                     "SUM(CASE WHEN t.ended_at - t.started_at <= 1000 THEN 1 ELSE 0 END), "
                     "SUM(CASE WHEN t.ended_at - t.started_at <= 500 THEN 1 ELSE 0 END) "
                     "FROM task_instances t JOIN runs r ON r.id = t.run "
                     "WHERE t.started_at IS NOT NULL AND t.ended_at IS NOT NULL GROUP BY r.pipeline");
    char *save = NULL, k[600];
    size_t n = 0;
    for (char *l = strtok_r(rows, "\n", &save); l; l = strtok_r(NULL, "\n", &save), n++) {
        char p[256];
        long long c, sum, le5, le60, le1, le05;
        if (!CHECK(sscanf(l, "%255[^|]|%lld|%lld|%lld|%lld|%lld|%lld", p, &c, &sum, &le5, &le60, &le1, &le05) == 7,
                   "a row: %s", l))
            continue;
        snprintf(k, sizeof k, "flux_task_duration_seconds_count{pipeline=\"%s\"}", p);
        CHECK(sample(text, k) == (double)c, "%s = %lld", k, c);
        snprintf(k, sizeof k, "flux_task_duration_seconds_sum{pipeline=\"%s\"}", p);
        CHECK(near(sample(text, k), sum / 1000.0), "%s = %.3f (%g)", k, sum / 1000.0, sample(text, k));
        snprintf(k, sizeof k, "flux_task_duration_seconds_bucket{pipeline=\"%s\",le=\"+Inf\"}", p);
        CHECK(sample(text, k) == (double)c, "%s = %lld", k, c);
        static const char *const les[] = {"0.5", "1", "5", "60"};
        long long want[] = {le05, le1, le5, le60};
        for (int i = 0; i < 4; i++) {
            snprintf(k, sizeof k, "flux_task_duration_seconds_bucket{pipeline=\"%s\",le=\"%s\"}", p, les[i]);
            CHECK(sample(text, k) == (double)want[i], "%s = %lld (%g)", k, want[i], sample(text, k));
        }
    }
    CHECK(n == 2, "durations of the two pipelines that ran (%zu)", n);
    free(rows);

    /* records, per pipeline and task */
    rows = sql("SELECT r.pipeline, t.task, SUM(c.records_read), SUM(c.records_written), SUM(c.records_rejected) "
               "FROM transfer_counts c JOIN task_instances t ON t.id = c.ti JOIN runs r ON r.id = t.run "
               "GROUP BY r.pipeline, t.task");
    n = 0;
    save = NULL;
    for (char *l = strtok_r(rows, "\n", &save); l; l = strtok_r(NULL, "\n", &save), n++) {
        char p[256], t[256];
        long long rd, wr, rj;
        if (!CHECK(sscanf(l, "%255[^|]|%255[^|]|%lld|%lld|%lld", p, t, &rd, &wr, &rj) == 5, "a row: %s", l))
            continue;
        static const char *const names[] = {"read", "written", "rejected"};
        long long want[] = {rd, wr, rj};
        for (int i = 0; i < 3; i++) {
            snprintf(k, sizeof k, "flux_records_%s_total{pipeline=\"%s\",task=\"%s\"}", names[i], p, t);
            CHECK(sample(text, k) == (double)want[i], "%s = %lld", k, want[i]);
        }
    }
    CHECK(n == 1 && samples_of(text, "flux_records_read_total") == 1, "one task's records");
    free(rows);

    /* sensor waits: other's time_sensor, the only sensor */
    rows = sql("SELECT COUNT(*), SUM(t.ended_at - t.started_at) FROM task_instances t JOIN runs r ON r.id = t.run "
               "WHERE r.pipeline = 'other' AND t.task = 'wait' AND t.ended_at IS NOT NULL");
    long long c = 0, sum = 0;
    CHECK(sscanf(rows, "%lld|%lld", &c, &sum) == 2 && c == 5, "five waits: %s", rows);
    CHECK(sample(text, "flux_sensor_wait_seconds_count{pipeline=\"other\"}") == (double)c &&
              near(sample(text, "flux_sensor_wait_seconds_sum{pipeline=\"other\"}"), sum / 1000.0),
          "the sensor's waits: %lld, %.3f s", c, sum / 1000.0);
    CHECK(samples_of(text, "flux_sensor_wait_seconds_count") == 1, "only other has a sensor");
    free(rows);

    /* heartbeats: the schedulers' age, not the runner's; a name escaped */
    rows = sql("SELECT heartbeat_at FROM schedulers WHERE id = 'sched-1'");
    double age = (double)(time(NULL) * 1000LL - atoll(rows)) / 1000.0;
    double got = sample(text, "flux_scheduler_heartbeat_age_seconds{scheduler=\"sched-1\"}");
    CHECK(fabs(got - age) < 5, "sched-1's heartbeat is %.0f s old (%g)", age, got);
    free(rows);
    CHECK(!isnan(sample(text, "flux_scheduler_heartbeat_age_seconds{scheduler=\"odd \\\"q\\\"\\\\x\"}")),
          "a label escaped: quotes and a backslash");
    CHECK(sample(text, "flux_scheduler_stopped{scheduler=\"sched-1\"}") == 0, "sched-1 runs");
    CHECK(samples_of(text, "flux_scheduler_heartbeat_age_seconds") == 2, "the runner's row is not a scheduler");
    http_free(&h);
}

/* ---- security ---- */

static void security_checks(void)
{
    char host[64];
    CHECK(status_of("GET", "/api/v1/runs", NULL, NULL, "evil.example") == 400, "a foreign Host: 400");
    snprintf(host, sizeof host, "evil.example:%d", cur_port);
    CHECK(status_of("GET", "/api/v1/runs", NULL, NULL, host) == 400, "a foreign Host with our port: 400");
    CHECK(status_of("GET", "/", NULL, NULL, "evil.example") == 400, "a page too");
    snprintf(host, sizeof host, "localhost:%d", cur_port);
    CHECK(status_of("GET", "/api/v1/runs", NULL, NULL, host) == 200, "localhost:PORT: 200");
    snprintf(host, sizeof host, "[::1]:%d", cur_port);
    CHECK(status_of("GET", "/api/v1/runs", NULL, NULL, host) == 200, "[::1]:PORT: 200");
    CHECK(status_of("GET", "/api/v1/runs", NULL, NULL, "127.0.0.1") == 200, "127.0.0.1 without a port: 200");
    snprintf(host, sizeof host, "127.0.0.1:%d", cur_port + 1);
    CHECK(status_of("GET", "/api/v1/runs", NULL, NULL, host) == 400, "another port: 400");
    CHECK(status_of("GET", "/api/v1/runs", NULL, NULL, "localhost.evil.example") == 400, "a name ending oddly: 400");

    flux_web_server *srv = NULL;
    char err[512] = "";
    static const char *const far[] = {"0.0.0.0", "10.1.2.3", "::", "192.0.2.7"};
    for (size_t i = 0; i < 4; i++) {
        flux_web_config cfg = {.bind = far[i], .port = 0};
        CHECK(flux_web_start(&cfg, &srv, err, sizeof err) == 1 && !srv && strstr(err, "--token-file"),
              "binding to %s without a token is refused: %s", far[i], err);
    }
    CHECK(flux_web_loopback("127.0.0.1") && flux_web_loopback("127.1.2.3") && flux_web_loopback("::1") &&
              flux_web_loopback("localhost") && !flux_web_loopback("0.0.0.0") && !flux_web_loopback("128.0.0.1") &&
              !flux_web_loopback("::"),
          "loopback addresses");
    flux_web_config cfg = {.bind = "not-an-address", .port = 0};
    CHECK(flux_web_start(&cfg, &srv, err, sizeof err) != 0 && !srv, "a bind that is no address: refused");
}

/* ---- writes ---- */

static const char *state_of(int64_t run, const char *task, char *note, size_t nn)
{
    static char st[32];
    char path[128];
    snprintf(path, sizeof path, "/api/v1/runs/%lld", (long long)run);
    json_t *v = GET(path, 200), *t;
    size_t i;
    st[0] = '\0';
    if (!task) {
        snprintf(st, sizeof st, "%s", jstr(v, "state"));
    } else {
        json_array_foreach(json_object_get(v, "task_instances"), i, t) if (!strcmp(jstr(t, "task"), task))
        {
            snprintf(st, sizeof st, "%s", jstr(t, "state"));
            if (note)
                snprintf(note, nn, "%s", jstr(t, "note"));
        }
    }
    json_decref(v);
    return st;
}

static void write_checks(const seed *sd)
{
    char path[256], note[256] = "";
    /* mark: the failed load of day 0 success; the run follows, and so
     * does its graph (another ETag) */
    char q[64], before[160] = "";
    snprintf(q, sizeof q, "run=%lld", (long long)sd->run_s0);
    http g = graph(sd->plan1, q, NULL);
    CHECK(!strcmp(class_of(&g, "load"), "node op&#45;bash state&#45;failed"), "load failed in the graph");
    if (header(&g, "ETag"))
        snprintf(before, sizeof before, "%s", header(&g, "ETag"));
    http_free(&g);
    snprintf(path, sizeof path, "/api/v1/runs/%lld/tasks/load/mark", (long long)sd->run_s0);
    json_t *v = POST(path, "{\"state\": \"success\"}", 200);
    CHECK(v && !strcmp(jstr(v, "state"), "success"), "marked");
    json_decref(v);
    CHECK(!strcmp(state_of(sd->run_s0, "load", note, sizeof note), "success") &&
              !strcmp(note, "marked success by a user"),
          "the try is success, noted as marked by a user: %s", note);
    CHECK(!strcmp(state_of(sd->run_s0, NULL, NULL, 0), "success"), "and the run followed");
    char inm[200];
    snprintf(inm, sizeof inm, "If-None-Match: %s", before);
    snprintf(path, sizeof path, "/api/v1/plans/%s/graph.svg?%s", sd->plan1, q);
    g = req("GET", path, NULL, inm, NULL);
    CHECK(g.status == 200 && !strcmp(class_of(&g, "load"), "node op&#45;bash state&#45;success"),
          "the graph's ETag changed with the state: %ld %s", g.status, class_of(&g, "load"));
    http_free(&g);
    snprintf(path, sizeof path, "/api/v1/runs/%lld/tasks/load/mark", (long long)sd->run_s0);
    json_decref(POST(path, "{\"state\": \"running\"}", 400));
    json_decref(POST(path, "not json", 400));
    snprintf(path, sizeof path, "/api/v1/runs/%lld/tasks/nosuch/mark", (long long)sd->run_s0);
    json_decref(POST(path, "{\"state\": \"failed\"}", 400));
    json_decref(POST("/api/v1/runs/999999/tasks/load/mark", "{\"state\": \"failed\"}", 404));

    /* clear extract with its downstream: both tries, and the run queued */
    snprintf(path, sizeof path, "/api/v1/runs/%lld/clear", (long long)sd->run_s1);
    v = POST(path, "{\"tasks\": [\"extract\"], \"downstream\": true}", 200);
    CHECK(v && json_integer_value(json_object_get(v, "cleared")) == 2, "two tries cleared");
    json_decref(v);
    CHECK(!strcmp(state_of(sd->run_s1, NULL, NULL, 0), "queued"), "the run queued");
    json_decref(POST(path, "{\"tasks\": [\"nosuch\"]}", 400));
    json_decref(POST(path, "{\"tasks\": [1]}", 400));

    /* trigger with a secret param: queued, found by the search; twice: 409 */
    const char *body = "{\"date\": \"2026-11-20\", \"params\": {\"api_token\": \"TRIGGER-SECRET-55Z\", "
                       "\"region\": \"us\"}}";
    v = POST("/api/v1/pipelines/demo/trigger", body, 201);
    json_t *run = json_object_get(v, "run");
    CHECK(run_shape(run) && !strcmp(jstr(run, "trigger"), "manual") && !strcmp(jstr(run, "state"), "queued") &&
              !strncmp(jstr(run, "run_id"), "manual__2026-11-20", 18) &&
              json_integer_value(json_object_get(v, "version")) == 2,
          "a manual run of version 2 queued");
    json_decref(v);
    v = GET("/api/v1/runs?trigger=manual&run_id=manual__2026-11-20", 200);
    CHECK(json_array_size(json_object_get(v, "items")) == 1, "the search finds it");
    json_decref(v);
    json_decref(POST("/api/v1/pipelines/demo/trigger", body, 409));
    json_decref(POST("/api/v1/pipelines/demo/trigger", "{\"params\": {\"nosuch\": 1}}", 400));
    json_decref(POST("/api/v1/pipelines/demo/trigger", "{\"date\": \"yesterday\"}", 400));
    json_decref(POST("/api/v1/pipelines/demo/trigger", "{\"params\": [1]}", 400));
    json_decref(POST("/api/v1/pipelines/nosuch/trigger", "{}", 404));

    /* pause and unpause */
    v = POST("/api/v1/pipelines/demo/pause", NULL, 200);
    CHECK(v && json_is_true(json_object_get(v, "paused")), "paused");
    json_decref(v);
    v = GET("/api/v1/pipelines", 200);
    json_t *p;
    size_t i;
    json_array_foreach(json_object_get(v, "items"), i, p) if (!strcmp(jstr(p, "pipeline"), "demo"))
        CHECK(json_is_true(json_object_get(p, "paused")), "the pipelines view says so");
    json_decref(v);
    v = POST("/api/v1/pipelines/demo/unpause", NULL, 200);
    CHECK(v && json_is_false(json_object_get(v, "paused")), "unpaused");
    json_decref(v);
    json_decref(POST("/api/v1/pipelines/nosuch/pause", NULL, 404));

    /* what is not allowed */
    json_decref(jcall(__LINE__, "DELETE", "/api/v1/runs", NULL, 405));
    json_decref(jcall(__LINE__, "POST", "/api/v1/runs", "{}", 405));
    CHECK(status_of("POST", "/", "{}", NULL, NULL) == 405, "a POST to a page: 405");
}

/* every GET the API has, over everything seeded: the secret checks of
 * every_reply see them all */
static void walk_everything(const seed *sd)
{
    char path[512];
    json_t *runs = GET("/api/v1/runs?limit=500", 200), *r, *t;
    size_t i, k;
    json_array_foreach(json_object_get(runs, "items"), i, r)
    {
        snprintf(path, sizeof path, "/api/v1/plans/%s/graph.svg?run=%lld", jstr(r, "plan_id"),
                 (long long)json_integer_value(json_object_get(r, "id")));
        CHECK(status_of("GET", path, NULL, NULL, NULL) == 200, "%s", path);
        snprintf(path, sizeof path, "/api/v1/runs/%lld", (long long)json_integer_value(json_object_get(r, "id")));
        json_t *v = GET(path, 200);
        json_array_foreach(json_object_get(v, "task_instances"), k, t)
        {
            snprintf(path, sizeof path, "/api/v1/task-instances/%lld/log?offset=0",
                     (long long)json_integer_value(json_object_get(t, "ti")));
            status_of("GET", path, NULL, NULL, NULL);
        }
        json_decref(v);
    }
    json_decref(runs);
    json_decref(GET("/api/v1/pipelines", 200));
    json_decref(GET("/api/v1/schedulers", 200));
    static const char *const pls[] = {"demo", "other"};
    for (i = 0; i < 2; i++) {
        snprintf(path, sizeof path, "/api/v1/pipelines/%s/versions", pls[i]);
        json_decref(GET(path, 200));
    }
    const char *plans[] = {sd->plan1, sd->plan2, sd->plan_other};
    for (i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "/api/v1/plans/%s", plans[i]);
        json_decref(GET(path, 200));
        snprintf(path, sizeof path, "/api/v1/plans/%s/diff/%s", plans[i], plans[(i + 1) % 3]);
        json_decref(GET(path, 200));
    }
    json_decref(GET("/api/v1/lineage?topic=events", 200));
    CHECK(status_of("GET", "/metrics", NULL, NULL, NULL) == 200, "/metrics");
    json_decref(GET("/api/v1/lineage?table=dw.events", 200));
    for (const flux_web_asset *a = flux_web_assets; a->path; a++)
        CHECK(status_of("GET", a->path, NULL, NULL, NULL) == 200, "%s", a->path);
}

/* ---- servers ---- */

static flux_web_server *start(const char *url, const char *conns, const char *token)
{
    flux_store *s = NULL;
    char err[1024];
    if (!CHECK(flux_store_open_readonly(url, &s, err, sizeof err) == 0, "open read-only: %s", err))
        exit(1);
    flux_web_config cfg = {.port = 0, .token = token, .store = s, .conns = conns};
    flux_web_server *srv = NULL;
    if (!CHECK(flux_web_start(&cfg, &srv, err, sizeof err) == 0, "start: %s", err))
        exit(1);
    CHECK(flux_web_port(srv) > 0, "an ephemeral port");
    cur_port = flux_web_port(srv);
    return srv;
}

static void mysql_wipe(const char *url)
{
    flux_store *s = NULL;
    char err[1024];
    if (!CHECK(flux_store_open(url, &s, err, sizeof err) == 0, "open %s: %s", url, err))
        exit(1);
    static const char *const tables[] = {"slurm_tries", "notifications", "deadline_misses", "events", "run_control",
                                         "pipeline_sources", "deployments", "sources", "schedulers",
                                         "lineage", "transfer_counts", "log_truncations", "task_instances", "runs",
                                         "plan_meta", "plan_versions", "pipelines", "flux_schema"};
    for (size_t i = 0; i < sizeof tables / sizeof *tables; i++) {
        char sql[128];
        snprintf(sql, sizeof sql, "DROP TABLE IF EXISTS %s", tables[i]);
        CHECK(flux_store_exec_raw(s, sql) == 0, "%s: %s", sql, flux_store_error(s));
    }
    flux_store_close(s);
}

/* MySQL: the server's connection killed under it; the request that finds
 * out may fail (500), the next one reconnects */
static void reconnect_checks(const char *url)
{
    char user[128], sql[200], err[1024];
    const char *u = url + strlen("mysql://");
    snprintf(user, sizeof user, "%.*s", (int)strcspn(u, ":@"), u);
    flux_store *k = NULL;
    if (!CHECK(flux_store_open(url, &k, err, sizeof err) == 0, "open: %s", err))
        return;
    snprintf(sql, sizeof sql, "KILL USER '%s'", user); /* the server's connection, and this one */
    flux_store_exec_raw(k, sql);
    flux_store_close(k);
    long first = status_of("GET", "/api/v1/runs?limit=5", NULL, NULL, NULL);
    long second = status_of("GET", "/api/v1/runs?limit=5", NULL, NULL, NULL);
    CHECK((first == 200 || first == 500) && second == 200, "after a lost connection: %ld, then %ld", first, second);
    json_t *v = GET("/api/v1/pipelines", 200);
    CHECK(json_array_size(json_object_get(v, "items")) == 3, "and the store reads again");
    json_decref(v);
}

static void rm_rf(const char *dir)
{
    char cmd[4300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "test_api: could not remove %s\n", dir);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    signal(SIGPIPE, SIG_IGN);
    SECRETS[4] = TOKEN;
    const char *tmp = getenv("TMPDIR");
    char dir[4096], url[4300], conns[4300], home[4300], yaml[8800];
    snprintf(dir, sizeof dir, "%s/flux-test-api.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    snprintf(home, sizeof home, "%s/home", dir);
    mkdir(home, 0700);
    setenv("FLUX_HOME", home, 1);
    unsetenv("FLUX_DB");
    unsetenv("FLUX_CONNECTIONS");
    const char *my = getenv("FLUX_TEST_MYSQL_URL");
    sql_mysql = my && *my;
    if (my && *my) {
        snprintf(sql_target, sizeof sql_target, "%s", my);
        snprintf(url, sizeof url, "%s", my);
        mysql_wipe(url);
        printf("test_api: on %s\n", "mysql");
    } else {
        snprintf(url, sizeof url, "sqlite://%s/flux.db", dir);
        snprintf(sql_target, sizeof sql_target, "%s/flux.db", dir);
        printf("test_api: on %s\n", "sqlite");
    }
    /* the store named by flux.yaml's state_store, beside a connection with a password */
    snprintf(conns, sizeof conns, "%s/flux.yaml", dir);
    snprintf(yaml, sizeof yaml,
             "connections:\n"
             "  warehouse:\n"
             "    type: mysql\n"
             "    host: db.internal\n"
             "    user: loader\n"
             "    database: dw\n"
             "    password: CONN-PW-7Q3Z\n"
             "state_store: %s\n",
             url);
    write_file(conns, yaml, 0600);
    curl_global_init(CURL_GLOBAL_DEFAULT);

    seed sd = {0};
    seed_store(url, dir, &sd);

    /* a server without a token: reads open, writes refused */
    flux_web_server *open_srv = start(url, conns, NULL);
    runs_checks(&sd);
    read_checks(&sd);
    graph_checks(&sd, home);
    metrics_checks();
    security_checks();
    CHECK(status_of("POST", "/api/v1/pipelines/demo/pause", NULL, NULL, NULL) == 401, "no token: writes refused");
    walk_everything(&sd);
    if (my && *my)
        reconnect_checks(url);

    /* a server with a token: the API needs it, writes are done */
    flux_web_server *tok_srv = start(url, conns, TOKEN);
    CHECK(status_of("GET", "/api/v1/runs", NULL, NULL, NULL) == 401, "with a token, the API needs it");
    CHECK(status_of("GET", "/", NULL, NULL, NULL) == 200, "the page does not");
    CHECK(status_of("GET", "/metrics", NULL, NULL, NULL) == 401, "/metrics needs it too");
    CHECK(status_of("POST", "/api/v1/pipelines/demo/pause", NULL, NULL, NULL) == 401, "a write without it: 401");
    CHECK(status_of("POST", "/api/v1/pipelines/demo/pause", NULL, "Authorization: Bearer nope-nope-nope", NULL) ==
              401,
          "a write with a wrong one: 401");
    http h = req("POST", "/api/v1/pipelines/demo/pause", NULL, NULL, NULL);
    CHECK(h.status == 401 && header(&h, "WWW-Authenticate"), "401 says how to authenticate");
    http_free(&h);
    cur_token = TOKEN;
    CHECK(status_of("GET", "/metrics", NULL, NULL, NULL) == 200, "/metrics with the token");
    CHECK(status_of("POST", "/metrics", NULL, NULL, NULL) == 405, "/metrics is read with GET");
    /* this server sums the finished runs once; the writes change two of
     * them (a mark, a clear) and add a run: the next scrape sees them */
    metrics_checks();
    write_checks(&sd);
    metrics_checks();
    walk_everything(&sd);
    cur_token = NULL;

    flux_web_stop(tok_srv);

    /* FLUX_HOME not there: the layouts go to a temporary directory of the
     * server's own, removed when it stops; FLUX_HOME is not created */
    char nohome[4400], tmpg[4400], saved_tmp[4400];
    snprintf(nohome, sizeof nohome, "%s/nohome", dir);
    snprintf(tmpg, sizeof tmpg, "%s/tmpg", dir);
    mkdir(tmpg, 0700);
    snprintf(saved_tmp, sizeof saved_tmp, "%s", getenv("TMPDIR") ? getenv("TMPDIR") : "");
    setenv("FLUX_HOME", nohome, 1);
    setenv("TMPDIR", tmpg, 1);
    flux_web_server *tmp_srv = start(url, conns, NULL);
    CHECK(graph_status(sd.plan2, NULL) == 200, "a graph without FLUX_HOME");
    char cmd[9000];
    snprintf(cmd, sizeof cmd, "test $(ls '%s'/flux-graphs.*/*.svg | wc -l) = 1", tmpg);
    CHECK(system(cmd) == 0, "its layout in a temporary directory");
    CHECK(access(nohome, F_OK) != 0, "FLUX_HOME not created");
    flux_web_stop(tmp_srv);
    snprintf(cmd, sizeof cmd, "test -z \"$(ls -A '%s')\"", tmpg);
    CHECK(system(cmd) == 0, "the temporary directory removed at stop");
    setenv("FLUX_HOME", home, 1);
    if (saved_tmp[0])
        setenv("TMPDIR", saved_tmp, 1);
    else
        unsetenv("TMPDIR");
    flux_web_stop(open_srv);
    curl_global_cleanup();
    rm_rf(dir);
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
