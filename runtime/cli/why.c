/* why — `flux why RUN TASK`: why a task instance is in its state or has
 * not started. The answer is the engine's (engine/why.c), built from the
 * store as JSON; this prints it as is, or as text: a line saying the
 * task's state, then each reason on a line, the decisive one first. */
#include <inttypes.h>
#include <jansson.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "cli.h"
#include "home.h"
#include "opts.h"
#include "runs.h"
#include "store.h"
#include "view_print.h"
#include "why.h"

/* this file's rows of the command table (commands.c), in the order
 * `flux help` lists them */
const flux_cli_command flux_cli_why_commands[] = {
    {"why", "why a task instance is in its state, or has not started",
     "usage: flux why RUN TASK [--pipeline P] [--format text|json] [--db URL] [--connections FILE]\n"
     "\n"
     "Explains, from the state store, why TASK of RUN (an id or run id from flux\n"
     "runs) is in its state or has not started: the decisive reason first, then\n"
     "the other facts, one per line. It looks at the run's owner and its\n"
     "heartbeat, a paused pipeline, max_active_runs, the trigger rule and each\n"
     "upstream's state, depends_on_past (the previous run's instance), the pool\n"
     "and who holds its slots (flux.yaml's pools), max_active_tasks, a sensor's\n"
     "last and next poke, and a retry's wait and next try. --format json gives\n"
     "the same facts as one JSON object.\n",
     flux_cmd_why},
};
const size_t flux_cli_why_ncommands = sizeof flux_cli_why_commands / sizeof *flux_cli_why_commands;

typedef struct wopts {
    const char *pipeline, *format, *db, *conns;
} wopts;

static const flux_opt WOPTS[] = {
    {.name = "--pipeline", .alias = "-p", .kind = FLUX_OPT_STR, .off = offsetof(wopts, pipeline)},
    {.name = "--format", .kind = FLUX_OPT_STR, .off = offsetof(wopts, format)},
    {.name = "--db", .kind = FLUX_OPT_STR, .off = offsetof(wopts, db)},
    {.name = "--connections", .kind = FLUX_OPT_STR, .off = offsetof(wopts, conns)},
};
static const flux_cli_spec WSPEC = {.cmd = "why", .opts = WOPTS, .nopts = sizeof WOPTS / sizeof *WOPTS,
                                    .maxpos = 2, .too_many = "unexpected argument '%s'"};

static const char *jstr(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

static void print_text(json_t *w)
{
    json_t *run = json_object_get(w, "run");
    printf("task %s of run %" PRId64 " (%s of %s): %s", jstr(w, "task"),
           (int64_t)json_integer_value(json_object_get(run, "id")), jstr(run, "run_id"), jstr(run, "pipeline"),
           jstr(w, "state"));
    if (json_integer_value(json_object_get(w, "try")))
        printf(", try %d", (int)json_integer_value(json_object_get(w, "try")));
    putchar('\n');
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(w, "reasons"), i, r) printf("%s %s\n", i ? "-" : "*", jstr(r, "text"));
}

int flux_cmd_why(int argc, char **argv)
{
    wopts o = {.format = "text"};
    flux_cli_list pos = {0};
    int prc = flux_cli_parse(&WSPEC, argc, argv, &o, &pos);
    if (prc || pos.n != 2 || flux_cli_format_check("why", o.format) != 0) {
        if (!prc && pos.n != 2)
            flux_cli_usage_error("why", "give RUN (an id or run id from flux runs) and TASK");
        flux_cli_list_free(&pos);
        return prc > 0 ? FLUX_EXIT_OK : FLUX_EXIT_USAGE;
    }
    int rc = FLUX_EXIT_USAGE;
    flux_store *s = flux_cli_open_store("why", o.db, o.conns);
    flux_arena *a = flux_arena_new();
    flux_conns conns;
    char err[1024];
    flux_run_row run;
    json_t *w = NULL;
    if (!s)
        goto out;
    if (flux_runs_find(s, pos.v[0], o.pipeline, &run, err, sizeof err) != 0) {
        fprintf(stderr, "flux why: %s\n", err);
        goto out;
    }
    /* the pools' slots are flux.yaml's: without one, a pool's size is unknown */
    bool have = flux_home_load_conns(o.conns, a, &conns, err, sizeof err) == 0;
    if (!(w = flux_view_why(s, have ? &conns : NULL, &run, pos.v[1], flux_runs_now(), err, sizeof err))) {
        fprintf(stderr, "flux why: %s\n", err);
        goto out;
    }
    rc = FLUX_EXIT_OK;
    if (!strcmp(o.format, "json")) {
        flux_view_print_json(w);
        w = NULL; /* printed and freed */
    } else {
        print_text(w);
    }
out:
    json_decref(w);
    flux_arena_free(a);
    if (s)
        flux_store_close(s);
    flux_cli_list_free(&pos);
    return rc;
}
