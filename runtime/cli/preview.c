/* preview — the commands that show what a pipeline will do before anything
 * runs: compile (plans), dry-run, render, graph and next. Nothing here
 * executes a task, connects to a server or writes state.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "clock.h"
#include "opts.h"
#include "compile.h"
#include "conn.h"
#include "graph.h"
#include "plan.h"
#include "registry.h"
#include "render.h"
#include "runs.h"
#include "schedule.h"
#include "tz.h"

/* this file's rows of the command table (commands.c), in the order
 * `flux help` lists them */
const flux_cli_command flux_cli_preview_commands[] = {
    {"compile", "write the plan of each pipeline of a file",
     "usage: flux compile FILE [-o DIR|-] [--pipeline P]\n"
     "\n"
     "Compiles FILE and writes DIR/PIPELINE.plan.yaml for each pipeline (DIR\n"
     "defaults to the current directory, and is made when missing), printing\n"
     "each plan's path and id (the SHA-256 of its bytes). The same source\n"
     "always gives the same bytes.\n",
     flux_cmd_compile},
    {"dry-run", "list the runs a schedule creates, with every template rendered",
     "usage: flux dry-run FILE [--pipeline P] [--date T | --from A --to B] [--param NAME=VALUE]...\n"
     "                    [--connections FILE] [--format text|json]\n"
     "\n"
     "Shows the runs the schedule creates (interval and fire time) and, for each,\n"
     "the task instances in execution order with every field rendered. --date T\n"
     "shows the run flux run --date T runs: the one whose logical date (interval\n"
     "start) is T, or with a day (YYYY-MM-DD) the day's one run; --from/--to the\n"
     "runs whose interval starts in [A, B]; neither shows the first run. Times\n"
     "without a zone are in the pipeline's timezone. Nothing is executed,\n"
     "connected to or written; secrets print as ***. Connections come from\n"
     "flux.yaml (--connections, FLUX_CONNECTIONS, or the nearest flux.yaml\n"
     "walking up from here) and FLUX_CONN_<NAME>.\n",
     flux_cmd_dry_run},
    {"render", "print one task instance's rendered fields",
     "usage: flux render FILE TASK --date T [--pipeline P] [--param NAME=VALUE]... [--connections FILE]\n"
     "                   [--format text|json]\n"
     "\n"
     "Prints TASK's fields rendered for the run whose logical date is T (as\n"
     "flux run picks it); secrets print as ***.\n",
     flux_cmd_render},
    {"graph", "export a pipeline's graph as DOT, Mermaid or JSON",
     "usage: flux graph FILE [--pipeline P] [--format dot|mermaid|json]\n"
     "\n"
     "Deterministic output; render DOT with Graphviz: flux graph FILE | dot -Tsvg > graph.svg\n",
     flux_cmd_graph},
    {"next", "show the next fire times of a pipeline",
     "usage: flux next FILE [-n N] [--after T] [--pipeline P] [--format text|json]\n"
     "\n"
     "The next N (default 5) runs firing after T (default now), with their\n"
     "intervals, in the pipeline's timezone and in UTC.\n",
     flux_cmd_next},
};
const size_t flux_cli_preview_ncommands = sizeof flux_cli_preview_commands / sizeof *flux_cli_preview_commands;

/* ---- shared: options, loading, time zones ---- */

typedef struct opts {
    const char *cmd;
    const char *file;
    const char *pipeline;
    const char *format;
    const char *date, *from, *to, *after, *out_dir, *task, *conns;
    long count;
    flux_cli_list plist; /* --param */
    char **params;       /* plist's */
    size_t nparams;
    char **positional;
    size_t npositional;
} opts;

/* the options of the five commands; .only names the commands that take
 * one (each reads it below and lists it in its usage): any other refuses it
 * as an unknown option, with did-you-mean among its own */
#define P(f) .off = offsetof(opts, f)
static const flux_opt POPTS[] = {
    {.name = "--pipeline", .alias = "-p", .kind = FLUX_OPT_STR, P(pipeline)},
    {.name = "--format", .kind = FLUX_OPT_STR, P(format), .only = "dry-run render graph next"},
    {.name = "--date", .kind = FLUX_OPT_STR, P(date), .only = "dry-run render"},
    {.name = "--from", .kind = FLUX_OPT_STR, P(from), .only = "dry-run"},
    {.name = "--to", .kind = FLUX_OPT_STR, P(to), .only = "dry-run"},
    {.name = "--after", .kind = FLUX_OPT_STR, P(after), .only = "next"},
    {.name = "-o", .alias = "--output", .kind = FLUX_OPT_STR, P(out_dir), .only = "compile"},
    {.name = "--connections", .kind = FLUX_OPT_STR, P(conns), .only = "dry-run render"},
    {.name = "--param", .alias = "-P", .kind = FLUX_OPT_LIST, P(plist), .missing = "option '%s' needs name=value",
     .only = "dry-run render"},
    {.name = "-n", .kind = FLUX_OPT_INT, P(count), .min = 1, .max = 100000,
     .missing = "-n needs a count from 1 to 100000", .only = "next"},
};
#undef P

/* 0, 1 after --help, -1 after a usage error */
static int parse_opts(const char *cmd, int argc, char **argv, opts *o)
{
    memset(o, 0, sizeof *o);
    o->cmd = cmd;
    o->format = "text";
    o->count = 5;
    flux_cli_spec sp = {.cmd = cmd, .opts = POPTS, .nopts = sizeof POPTS / sizeof *POPTS, .maxpos = (size_t)-1};
    flux_cli_list pos = {0};
    int rc = flux_cli_parse(&sp, argc, argv, o, &pos);
    o->positional = pos.v;
    o->npositional = pos.n;
    o->params = o->plist.v;
    o->nparams = o->plist.n;
    if (o->npositional)
        o->file = o->positional[0];
    return rc;
}

static void free_opts(opts *o)
{
    free(o->params);
    free(o->positional);
}

static bool want_format(const opts *o, const char *const *allowed, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(o->format, allowed[i]) == 0)
            return true;
    flux_cli_usage_error(o->cmd, "unknown format '%s'", o->format);
    return false;
}

/* parse_opts, then the format among formats (NULL: any): -1 to go on, else
 * the command's exit status */
static int begin(const char *cmd, int argc, char **argv, opts *o, const char *const *formats, size_t nformats)
{
    int prc = parse_opts(cmd, argc, argv, o);
    if (prc > 0)
        return free_opts(o), FLUX_EXIT_OK;
    if (prc != 0 || (formats && !want_format(o, formats, nformats)))
        return free_opts(o), FLUX_EXIT_USAGE;
    return -1;
}

static void local_time(const flux_tz *tz, int64_t ms, flux_buf *out)
{
    int64_t s = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
    flux_time_iso(ms, flux_tz_offset(tz, s, NULL), out);
}

/* ---- compile ---- */

static bool write_file(const char *path, const char *data, size_t len)
{
    /* written beside and renamed, so a reader never sees half a plan */
    char tmp[PATH_MAX + 32];
    snprintf(tmp, sizeof tmp, "%s.tmp%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "wb");
    if (!f)
        return false;
    bool ok = fwrite(data, 1, len, f) == len;
    ok &= fflush(f) == 0;
    ok &= fclose(f) == 0;
    if (ok && rename(tmp, path) != 0)
        ok = false;
    if (!ok)
        remove(tmp);
    return ok;
}

/* mkdir -p: dir and each missing directory above it; false with errno */
static bool make_dirs(const char *dir)
{
    char path[PATH_MAX];
    size_t n = strlen(dir);
    if (n == 0 || n >= sizeof path) {
        errno = ENAMETOOLONG;
        return false;
    }
    memcpy(path, dir, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (path[i] != '/' && path[i] != '\0')
            continue;
        char c = path[i];
        path[i] = '\0';
        struct stat st;
        if (stat(path, &st) != 0) {
            if (mkdir(path, 0755) != 0 && errno != EEXIST)
                return false;
        } else if (!S_ISDIR(st.st_mode)) {
            errno = ENOTDIR;
            return false;
        }
        path[i] = c;
    }
    return true;
}

int flux_cmd_compile(int argc, char **argv)
{
    opts o;
    int prc = begin("compile", argc, argv, &o, NULL, 0);
    if (prc >= 0)
        return prc;
    if (!o.file || o.npositional != 1) {
        flux_cli_usage_error("compile", "give one FILE");
        return free_opts(&o), FLUX_EXIT_USAGE;
    }
    const char *dir = o.out_dir ? o.out_dir : ".";
    bool to_stdout = strcmp(dir, "-") == 0;
    struct stat st;
    if (!to_stdout && stat(dir, &st) == 0 && !S_ISDIR(st.st_mode)) {
        fprintf(stderr, "flux compile: output directory '%s' is not a directory\n", dir);
        return free_opts(&o), FLUX_EXIT_USAGE;
    }
    flux_compilation c;
    int rc = flux_cli_load_with(&c, o.file, o.conns);
    /* a missing output directory is made, as compilers make theirs, once
     * there is something to write into it */
    if (!rc && !to_stdout && !make_dirs(dir)) {
        fprintf(stderr, "flux compile: cannot make output directory '%s': %s\n", dir, strerror(errno));
        rc = FLUX_EXIT_USAGE;
    }
    for (size_t i = 0; !rc && i < c.npipelines; i++) {
        flux_pipeline *p = c.pipelines[i];
        if (o.pipeline && strcmp(p->name, o.pipeline) != 0)
            continue;
        flux_plan plan;
        flux_compile_plan(&c, p, &plan);
        flux_buf b = {0};
        flux_plan_write(&plan, &b);
        char id[65];
        flux_sha256_hex(b.data, b.len, id);
        char path[PATH_MAX];
        snprintf(path, sizeof path, "%s/%s.plan.yaml", dir, p->name);
        if (to_stdout) {
            /* -o -: the plans themselves, one YAML document after another */
            if (i)
                fputs("---\n", stdout);
            fwrite(b.data, 1, b.len, stdout);
        } else if (!write_file(path, b.data, b.len)) {
            fprintf(stderr, "flux compile: cannot write '%s': %s\n", path, strerror(errno));
            rc = FLUX_EXIT_USAGE;
        } else {
            printf("%s  %s  (%zu tasks, %zu dependencies)\n", path, id, p->ntasks, p->nedges);
        }
        flux_buf_free(&b);
    }
    flux_compilation_free(&c);
    free_opts(&o);
    return rc;
}

/* ---- dry-run and render ---- */

typedef struct preview {
    const opts *o;
    flux_pipeline *p;
    flux_timetable tt;
    flux_conns conns;
    flux_arena *conn_arena;
    flux_value params;
    flux_arena *params_arena;
    bool json;
    size_t nruns;
} preview;

static void json_string(const char *s, size_t n, flux_buf *out)
{
    flux_value_json(flux_str(s, n), out);
}

/* The fields of one task instance, text or JSON; -1 on a run-time error.
 * Sorted by name, as in a plan: a source and its plan show the same. */
static int task_fields(preview *pv, flux_renderer *r, const flux_run *run, const flux_task *t, flux_buf *out,
                       const char *indent)
{
    size_t width = 0;
    for (size_t i = 0; i < t->attrs.n; i++)
        if (strlen(t->attrs.v[i].key) > width)
            width = strlen(t->attrs.v[i].key);
    /* the fields that rendered are shown even when a later one fails */
    flux_task_fields tf;
    int rc = flux_render_task(r, run, t, 1, true, &tf);
    if (pv->json)
        flux_buf_puts(out, "{");
    for (size_t i = 0; i < tf.n; i++) {
        const char *key = tf.keys[i];
        const flux_field f = tf.vals[i];
        if (pv->json) {
            if (i)
                flux_buf_puts(out, ", ");
            json_string(key, strlen(key), out);
            flux_buf_puts(out, ": ");
            flux_field_json(r, &f, out);
            continue;
        }
        flux_buf text = {0};
        flux_field_text(r, &f, &text);
        const char *s = text.data ? text.data : "";
        flux_buf_printf(out, "%s%-*s = ", indent, (int)width, key);
        if (memchr(s, '\n', text.len)) {
            /* several lines: one block below the name, indented */
            flux_buf_puts(out, "|\n");
            const char *line = s;
            while (line) {
                const char *nl = strchr(line, '\n');
                size_t n = nl ? (size_t)(nl - line) : strlen(line);
                flux_buf_printf(out, "%s    %.*s\n", indent, (int)n, line);
                line = nl ? nl + 1 : NULL;
            }
        } else {
            flux_buf_printf(out, "%s\n", s);
        }
        flux_buf_free(&text);
    }
    if (rc != 0)
        return -1;
    if (pv->json)
        flux_buf_puts(out, "}");
    return 0;
}

static int preview_run(preview *pv, const flux_interval *iv, const char *only_task, flux_buf *out)
{
    flux_arena *a = flux_arena_new();
    flux_sources src;
    flux_sources_init(&src);
    flux_diags d;
    flux_diags_init(&d, &src);
    flux_renderer r = {.arena = a, .diags = &d, .conns = &pv->conns, .mask = true, .sql_conn = flux_registry_sql_conn};
    flux_run run = {pv->p, pv->tt.tz, *iv, flux_run_id(a, "scheduled", iv->start_ms), pv->params};
    int rc = 0;
    /* only_task: that task's fields alone (flux render), as lines or one object */
    if (!only_task && pv->json) {
        flux_buf_puts(out, pv->nruns ? ",\n  {\"run_id\": " : "\n  {\"run_id\": ");
        json_string(run.run_id, strlen(run.run_id), out);
        flux_buf tmp = {0};
        local_time(pv->tt.tz, iv->start_ms, &tmp);
        flux_buf_puts(out, ", \"interval_start\": ");
        json_string(tmp.data, tmp.len, out);
        tmp.len = 0;
        local_time(pv->tt.tz, iv->end_ms, &tmp);
        flux_buf_puts(out, ", \"interval_end\": ");
        json_string(tmp.data, tmp.len, out);
        tmp.len = 0;
        local_time(pv->tt.tz, iv->fire_ms, &tmp);
        flux_buf_puts(out, ", \"fire\": ");
        json_string(tmp.data, tmp.len, out);
        tmp.len = 0;
        flux_time_iso(iv->fire_ms, 0, &tmp);
        flux_buf_puts(out, ", \"fire_utc\": ");
        json_string(tmp.data, tmp.len, out);
        flux_buf_free(&tmp);
        flux_buf_puts(out, ", \"tasks\": [");
    } else if (!only_task) {
        flux_buf_printf(out, "run %s\n  interval  ", run.run_id);
        local_time(pv->tt.tz, iv->start_ms, out);
        flux_buf_puts(out, " .. ");
        local_time(pv->tt.tz, iv->end_ms, out);
        flux_buf_puts(out, "\n  fires at  ");
        local_time(pv->tt.tz, iv->fire_ms, out);
        flux_buf_puts(out, " (");
        flux_time_iso(iv->fire_ms, 0, out);
        flux_buf_puts(out, ")\n");
    }
    size_t shown = 0;
    for (size_t i = 0; i < pv->p->ntasks && rc == 0; i++) {
        const flux_task *t = pv->p->tasks[i];
        if (only_task && strcmp(t->id, only_task) != 0)
            continue;
        if (only_task) {
            rc = task_fields(pv, &r, &run, t, out, "");
            if (pv->json)
                flux_buf_putc(out, '\n');
        } else if (pv->json) {
            flux_buf_puts(out, shown ? ", {\"id\": " : "{\"id\": ");
            json_string(t->id, strlen(t->id), out);
            flux_buf_puts(out, ", \"operator\": ");
            json_string(t->op, strlen(t->op), out);
            flux_buf_puts(out, ", \"kind\": ");
            json_string(t->kind, strlen(t->kind), out);
            flux_buf_puts(out, ", \"fields\": ");
            rc = task_fields(pv, &r, &run, t, out, "");
            flux_buf_puts(out, "}");
        } else {
            flux_buf_printf(out, "  %zu. %s : %s\n", i + 1, t->id, t->op);
            rc = task_fields(pv, &r, &run, t, out, "       ");
        }
        shown++;
    }
    if (pv->json && !only_task)
        flux_buf_puts(out, "]}");
    if (rc != 0) {
        flux_diags_print(&d, stderr, flux_cli_colour());
        fprintf(stderr, "flux %s: %s\n", pv->o->cmd, r.err[0] ? r.err : "rendering failed");
    }
    pv->nruns++;
    flux_diags_free(&d);
    flux_sources_free(&src);
    flux_arena_free(a);
    return rc;
}

/* fields: the runs' task fields are rendered (dry-run, render), so the
 * params and connections are read; next shows times only and reads neither */
static int preview_setup(preview *pv, const opts *o, flux_compilation *c, bool fields, int *rc)
{
    memset(pv, 0, sizeof *pv);
    pv->o = o;
    pv->json = strcmp(o->format, "json") == 0;
    if ((*rc = flux_cli_load_with(c, o->file, o->conns)) != 0)
        return -1;
    if (!(pv->p = flux_cli_pipeline(c, o->cmd, o->file, o->pipeline))) {
        *rc = FLUX_EXIT_USAGE;
        return -1;
    }
    flux_plan plan;
    flux_compile_plan(c, pv->p, &plan);
    if (flux_cli_timetable(o->cmd, pv->p, &pv->tt) != 0) {
        *rc = FLUX_EXIT_FAIL;
        return -1;
    }
    if (!fields)
        return 0;
    pv->params_arena = c->arena;
    char err[512];
    if (flux_run_params(c->arena, pv->p, o->params, o->nparams, &pv->params, err, sizeof err) != 0) {
        fprintf(stderr, "flux %s: %s\n", o->cmd, err);
        *rc = FLUX_EXIT_USAGE;
        return -1;
    }
    pv->conn_arena = c->arena;
    if (flux_cli_conns(o->cmd, o->conns, c->arena, &pv->conns) != 0) {
        *rc = FLUX_EXIT_USAGE;
        return -1;
    }
    return 0;
}

/* preview_setup, or on a failure the compilation freed and the command's exit
 * status */
static int setup(preview *pv, const opts *o, flux_compilation *c, bool fields)
{
    int rc = 0;
    if (preview_setup(pv, o, c, fields, &rc) == 0)
        return 0;
    flux_compilation_free(c);
    return rc ? rc : FLUX_EXIT_FAIL;
}

int flux_cmd_dry_run(int argc, char **argv)
{
    static const char *const formats[] = {"text", "json"};
    opts o;
    int prc = begin("dry-run", argc, argv, &o, formats, 2);
    if (prc >= 0)
        return prc;
    if (!o.file || o.npositional != 1 || (o.date && (o.from || o.to)) || (!o.from != !o.to)) {
        flux_cli_usage_error("dry-run", "give FILE and either --date T or --from A --to B");
        return free_opts(&o), FLUX_EXIT_USAGE;
    }
    flux_compilation c;
    preview pv;
    int rc = setup(&pv, &o, &c, true);
    if (rc)
        return free_opts(&o), rc;
    flux_buf out = {0};
    if (pv.json) {
        flux_buf_puts(&out, "{\"pipeline\": ");
        json_string(pv.p->name, strlen(pv.p->name), &out);
        flux_buf_puts(&out, ", \"timezone\": ");
        json_string(flux_tz_name(pv.tt.tz), strlen(flux_tz_name(pv.tt.tz)), &out);
        flux_buf_puts(&out, ", \"runs\": [");
    } else {
        flux_buf_printf(&out, "pipeline %s: schedule \"%s\" in %s\n", pv.p->name, flux_load_attr(pv.p, "schedule")->u.str.s,
                        flux_tz_name(pv.tt.tz));
    }
    flux_interval iv;
    int64_t from, to;
    bool have = false;
    if (o.date) {
        /* the run flux run --date would run: the one whose logical date it is */
        char err[1024];
        if ((rc = flux_runs_at_date(&pv.tt, pv.p->name, o.date, &iv, err, sizeof err)) != 0) {
            fprintf(stderr, "flux dry-run: %s\n", err);
        } else {
            have = true;
            to = iv.start_ms;
        }
    } else if (o.from) {
        if (flux_cli_time("dry-run", o.from, pv.tt.tz, &from) != 0 || flux_cli_time("dry-run", o.to, pv.tt.tz, &to) != 0) {
            rc = FLUX_EXIT_USAGE;
        } else {
            char err[512];
            rc = flux_runs_range_first(&pv.tt, pv.p->name, from, to, &iv, err, sizeof err);
            if (rc)
                fprintf(stderr, "flux dry-run: %s\n", err);
            have = rc == 0;
        }
    } else {
        have = flux_timetable_first(&pv.tt, &iv) == 0;
        to = have ? iv.start_ms : 0;
    }
    while (rc == 0 && have && iv.start_ms <= to) {
        if (preview_run(&pv, &iv, NULL, &out) != 0) {
            rc = FLUX_EXIT_FAIL;
            break;
        }
        if (out.len > (1u << 20)) {
            fwrite(out.data, 1, out.len, stdout);
            out.len = 0;
        }
        if (iv.start_ms == iv.end_ms || flux_timetable_next(&pv.tt, &iv, &iv) != 0)
            break;
    }
    if (rc == 0) {
        if (pv.json)
            flux_buf_puts(&out, pv.nruns ? "\n]}\n" : "]}\n");
        else if (!pv.nruns)
            flux_buf_puts(&out, "no runs in this range\n");
        if (out.len)
            fwrite(out.data, 1, out.len, stdout);
    }
    flux_buf_free(&out);
    flux_compilation_free(&c);
    free_opts(&o);
    return rc;
}

int flux_cmd_render(int argc, char **argv)
{
    static const char *const formats[] = {"text", "json"};
    opts o;
    int prc = begin("render", argc, argv, &o, formats, 2);
    if (prc >= 0)
        return prc;
    if (o.npositional != 2 || !o.date) {
        flux_cli_usage_error("render", "give FILE TASK --date T");
        return free_opts(&o), FLUX_EXIT_USAGE;
    }
    const char *task = o.positional[1];
    flux_compilation c;
    preview pv;
    int rc = setup(&pv, &o, &c, true);
    if (rc)
        return free_opts(&o), rc;
    bool found = false;
    for (size_t i = 0; i < pv.p->ntasks; i++)
        found |= strcmp(pv.p->tasks[i]->id, task) == 0;
    flux_interval iv;
    char err[1024];
    if (!found) {
        fprintf(stderr, "flux render: pipeline '%s' has no task '%s'\n", pv.p->name, task);
        rc = FLUX_EXIT_USAGE;
    } else if ((rc = flux_runs_at_date(&pv.tt, pv.p->name, o.date, &iv, err, sizeof err)) != 0) {
        fprintf(stderr, "flux render: %s\n", err);
    } else {
        flux_buf out = {0};
        if (preview_run(&pv, &iv, task, &out) != 0)
            rc = FLUX_EXIT_FAIL;
        else
            fwrite(out.data ? out.data : "", 1, out.len, stdout);
        flux_buf_free(&out);
    }
    flux_compilation_free(&c);
    free_opts(&o);
    return rc;
}

/* ---- graph ---- */

int flux_cmd_graph(int argc, char **argv)
{
    static const char *const formats[] = {"dot", "mermaid", "json"};
    opts o;
    int prc = begin("graph", argc, argv, &o, NULL, 0);
    if (prc >= 0)
        return prc;
    if (strcmp(o.format, "text") == 0)
        o.format = "dot";
    if (!want_format(&o, formats, 3))
        return free_opts(&o), FLUX_EXIT_USAGE;
    if (!o.file || o.npositional != 1) {
        flux_cli_usage_error("graph", "give one FILE");
        return free_opts(&o), FLUX_EXIT_USAGE;
    }
    flux_compilation c;
    int rc = flux_cli_load_with(&c, o.file, o.conns);
    flux_pipeline *p = rc ? NULL : flux_cli_pipeline(&c, o.cmd, o.file, o.pipeline);
    if (!rc && !p)
        rc = FLUX_EXIT_USAGE;
    if (p) {
        flux_plan plan;
        flux_compile_plan(&c, p, &plan);
        flux_buf out = {0};
        flux_graph_write(p, strcmp(o.format, "dot") == 0 ? FLUX_GRAPH_DOT
                            : strcmp(o.format, "mermaid") == 0 ? FLUX_GRAPH_MERMAID
                                                               : FLUX_GRAPH_JSON,
                         &out);
        fwrite(out.data, 1, out.len, stdout);
        flux_buf_free(&out);
    }
    flux_compilation_free(&c);
    free_opts(&o);
    return rc;
}

/* ---- next ---- */

int flux_cmd_next(int argc, char **argv)
{
    static const char *const formats[] = {"text", "json"};
    opts o;
    int prc = begin("next", argc, argv, &o, formats, 2);
    if (prc >= 0)
        return prc;
    if (!o.file || o.npositional != 1) {
        flux_cli_usage_error("next", "give one FILE");
        return free_opts(&o), FLUX_EXIT_USAGE;
    }
    flux_compilation c;
    preview pv;
    int rc = setup(&pv, &o, &c, false);
    if (rc)
        return free_opts(&o), rc;
    int64_t after;
    if (o.after) {
        if (flux_cli_time("next", o.after, pv.tt.tz, &after) != 0) {
            flux_compilation_free(&c);
            return free_opts(&o), FLUX_EXIT_USAGE;
        }
    } else {
        after = flux_clock_wall_ms();
    }
    /* the first run firing after the moment: the one whose interval holds it */
    flux_interval iv;
    bool have;
    if (flux_timetable_at(&pv.tt, after, &iv) == 0)
        have = iv.fire_ms > after || flux_timetable_next(&pv.tt, &iv, &iv) == 0;
    else
        have = flux_timetable_first(&pv.tt, &iv) == 0 && iv.fire_ms > after;
    const char *zone = flux_tz_name(pv.tt.tz);
    flux_buf out = {0};
    if (pv.json) {
        flux_buf_puts(&out, "{\"pipeline\": ");
        json_string(pv.p->name, strlen(pv.p->name), &out);
        flux_buf_puts(&out, ", \"timezone\": ");
        json_string(zone, strlen(zone), &out);
        flux_buf_puts(&out, ", \"runs\": [");
    } else {
        flux_buf_printf(&out, "next runs of %s (schedule \"%s\", times in %s and UTC)\n", pv.p->name,
                        flux_load_attr(pv.p, "schedule")->u.str.s, zone);
    }
    long shown = 0;
    while (have && shown < o.count) {
        flux_buf l = {0};
        if (pv.json) {
            flux_buf_puts(&out, shown ? ", {" : "{");
            const char *names[] = {"fire", "interval_start", "interval_end"};
            int64_t vals[] = {iv.fire_ms, iv.start_ms, iv.end_ms};
            for (int k = 0; k < 3; k++) {
                l.len = 0;
                local_time(pv.tt.tz, vals[k], &l);
                flux_buf_printf(&out, "%s\"%s\": ", k ? ", " : "", names[k]);
                json_string(l.data, l.len, &out);
            }
            l.len = 0;
            flux_time_iso(iv.fire_ms, 0, &l);
            flux_buf_puts(&out, ", \"fire_utc\": ");
            json_string(l.data, l.len, &out);
            flux_buf_putc(&out, '}');
        } else {
            flux_buf_puts(&out, "  fires ");
            local_time(pv.tt.tz, iv.fire_ms, &out);
            flux_buf_puts(&out, "  (");
            flux_time_iso(iv.fire_ms, 0, &out);
            flux_buf_puts(&out, ")  interval ");
            local_time(pv.tt.tz, iv.start_ms, &out);
            flux_buf_puts(&out, " .. ");
            local_time(pv.tt.tz, iv.end_ms, &out);
            flux_buf_putc(&out, '\n');
        }
        flux_buf_free(&l);
        shown++;
        if (iv.start_ms == iv.end_ms || flux_timetable_next(&pv.tt, &iv, &iv) != 0)
            break;
    }
    if (pv.json)
        flux_buf_puts(&out, "]}\n");
    else if (!shown)
        flux_buf_puts(&out, "  no more runs\n");
    fwrite(out.data, 1, out.len, stdout);
    flux_buf_free(&out);
    flux_compilation_free(&c);
    free_opts(&o);
    return 0;
}
