/* deploy — the commands that publish pipelines and show what was
 * published: `flux deploy FILE|DIR`, `versions`, `diff`, `pause`,
 * `unpause`, `trigger`, `errors`. The publishing itself is the engine's
 * (engine/deploy.c). */
#include "deploy.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <limits.h>
#include <stddef.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "actions.h"
#include "compile.h"
#include "plan.h"
#include "render.h"
#include "schedule.h"
#include "opts.h"
#include "runs.h"
#include "views.h"
#include "store.h"

extern char **environ;

/* this file's rows of the command table (commands.c), in the order
 * `flux help` lists them */
const flux_cli_command flux_cli_deploy_commands[] = {
    {"deploy", "compile and publish pipelines as new versions, without a scheduler",
     "usage: flux deploy FILE|DIR [--commit ID] [--db URL] [--connections FILE]\n"
     "\n"
     "Prints per pipeline what changed (tasks added, removed, changed). A file\n"
     "with errors is not deployed (exit 3) and its pipelines keep their last\n"
     "good version; with DIR, pipelines no longer defined are paused.\n",
     flux_cmd_deploy},
    {"versions", "a pipeline's deployed versions, newest first",
     "usage: flux versions PIPELINE [--format text|json] [--db URL] [--connections FILE]\n", flux_cmd_versions},
    {"diff", "what changed between two versions of a pipeline",
     "usage: flux diff PIPELINE V1 V2 [--db URL] [--connections FILE]\n", flux_cmd_diff},
    {"pause", "stop creating runs of a pipeline", "usage: flux pause PIPELINE [--db URL] [--connections FILE]\n",
     flux_cmd_pause},
    {"unpause", "create runs of a paused pipeline again",
     "usage: flux unpause PIPELINE [--db URL] [--connections FILE]\n", flux_cmd_unpause},
    {"trigger", "queue a manual run for the scheduler",
     "usage: flux trigger PIPELINE [--date T] [--param name=value]... [--db URL] [--connections FILE]\n"
     "\n"
     "Queues the run whose logical date (interval start) is T, or with a day\n"
     "(YYYY-MM-DD) the one run whose logical date falls on it; without --date,\n"
     "a run at now. A running flux scheduler starts it.\n",
     flux_cmd_trigger},
    {"errors", "the diagnostics of sources that failed to compile",
     "usage: flux errors [--format text|json] [--db URL] [--connections FILE]\n", flux_cmd_errors},
};
const size_t flux_cli_deploy_ncommands = sizeof flux_cli_deploy_commands / sizeof *flux_cli_deploy_commands;

/* ---- the commands ---- */

typedef struct dopts {
    const char *db, *conns, *commit, *date, *format;
    char *pos[4];
    size_t npos;
    flux_cli_list plist; /* --param */
    char **params;       /* plist's */
    size_t nparams;
} dopts;

/* the options of the seven commands: --db and --connections (flux.yaml's
 * state_store) name every one's store; .only names the commands that take
 * the others, which any other command refuses as unknown options */
static const flux_opt DOPTS[] = {
    {.name = "--db", .kind = FLUX_OPT_STR, .off = offsetof(dopts, db)},
    {.name = "--connections", .kind = FLUX_OPT_STR, .off = offsetof(dopts, conns)},
    {.name = "--commit", .kind = FLUX_OPT_STR, .off = offsetof(dopts, commit), .only = "deploy"},
    {.name = "--date", .kind = FLUX_OPT_STR, .off = offsetof(dopts, date), .only = "trigger"},
    {.name = "--format", .kind = FLUX_OPT_STR, .off = offsetof(dopts, format), .only = "versions errors"},
    {.name = "--param", .alias = "-P", .kind = FLUX_OPT_LIST, .off = offsetof(dopts, plist), .only = "trigger"},
};

/* options shared by the deploy commands; -1 after a usage error, 1 after
 * --help */
static int dparse(const char *cmd, int argc, char **argv, dopts *o, size_t maxpos)
{
    memset(o, 0, sizeof *o);
    o->format = "text";
    flux_cli_spec sp = {.cmd = cmd, .opts = DOPTS, .nopts = sizeof DOPTS / sizeof *DOPTS, .maxpos = maxpos,
                        .too_many = "unexpected argument '%s'"};
    flux_cli_list pos = {0};
    int rc = flux_cli_parse(&sp, argc, argv, o, &pos);
    for (size_t i = 0; i < pos.n && i < sizeof o->pos / sizeof *o->pos; i++)
        o->pos[o->npos++] = pos.v[i];
    flux_cli_list_free(&pos);
    o->params = o->plist.v;
    o->nparams = o->plist.n;
    if (rc)
        return rc;
    return flux_cli_format_check(cmd, o->format);
}

int flux_cmd_deploy(int argc, char **argv)
{
    dopts o;
    int prc = dparse("deploy", argc, argv, &o, 1);
    if (prc > 0) {
        free(o.params);
        return FLUX_EXIT_OK;
    }
    if (prc || o.npos != 1) {
        if (o.npos != 1)
            flux_cli_usage_error("deploy", "give the FILE or DIR to deploy");
        free(o.params);
        return FLUX_EXIT_USAGE;
    }
    struct stat st;
    if (stat(o.pos[0], &st) != 0) {
        fprintf(stderr, "flux deploy: cannot read '%s': %s\n", o.pos[0], strerror(errno));
        free(o.params);
        return FLUX_EXIT_USAGE;
    }
    flux_store *s = flux_cli_open_store("deploy", o.db, o.conns);
    if (!s) {
        free(o.params);
        return FLUX_EXIT_FAIL;
    }
    /* the operators of one's own, as flux compile reads them: a manifest's
     * mistakes are printed, and only the files whose tasks use it break */
    if (flux_cli_operators(o.conns) == -1) {
        flux_store_close(s);
        free(o.params);
        return FLUX_EXIT_USAGE;
    }
    flux_deploy_report rep;
    int rc;
    if (S_ISDIR(st.st_mode)) {
        rc = flux_deploy_tree(s, o.pos[0], NULL, o.commit, &rep, flux_cli_say, NULL);
    } else {
        /* one file: from its directory, under its own name */
        char dir[PATH_MAX];
        snprintf(dir, sizeof dir, "%s", o.pos[0]);
        char *sl = strrchr(dir, '/');
        flux_paths only = {0};
        flux_paths_add(&only, sl ? sl + 1 : dir);
        if (sl)
            *sl = '\0';
        rc = flux_deploy_tree(s, sl ? (dir[0] ? dir : "/") : ".", &only, o.commit, &rep, flux_cli_say, NULL);
        flux_paths_free(&only);
    }
    printf("%d deployed, %d unchanged, %d file%s with errors, %d removed\n", rep.deployed, rep.unchanged, rep.broken,
           rep.broken == 1 ? "" : "s", rep.removed);
    flux_store_close(s);
    free(o.params);
    return rc ? FLUX_EXIT_FAIL : rep.broken ? FLUX_EXIT_COMPILE : FLUX_EXIT_OK;
}

int flux_cmd_versions(int argc, char **argv)
{
    dopts o;
    int prc = dparse("versions", argc, argv, &o, 1);
    if (prc > 0) {
        free(o.params);
        return FLUX_EXIT_OK;
    }
    if (prc || o.npos != 1) {
        if (o.npos != 1)
            flux_cli_usage_error("versions", "give the PIPELINE");
        free(o.params);
        return FLUX_EXIT_USAGE;
    }
    flux_store *s = flux_cli_open_store("versions", o.db, o.conns);
    if (!s) {
        free(o.params);
        return FLUX_EXIT_FAIL;
    }
    char err[1024];
    json_t *v = flux_view_versions(s, o.pos[0], err, sizeof err);
    int rc = v ? FLUX_EXIT_OK : FLUX_EXIT_FAIL;
    if (!v) {
        fprintf(stderr, "flux versions: %s\n", err);
    } else if (!strcmp(o.format, "json")) {
        char *t = json_dumps(v, JSON_INDENT(2));
        printf("%s\n", t);
        free(t);
    } else {
        printf("  %-7s %-12s %-20s %-12s %s\n", "VERSION", "PLAN", "DEPLOYED", "COMMIT", "SOURCE");
        size_t i;
        json_t *d;
        json_array_foreach(v, i, d) {
            const char *commit = json_string_value(json_object_get(d, "commit"));
            const char *source = json_string_value(json_object_get(d, "source"));
            printf("%s %-7d %-12.12s %-20s %-12.12s %s\n", json_is_true(json_object_get(d, "current")) ? "*" : " ",
                   (int)json_integer_value(json_object_get(d, "version")), json_string_value(json_object_get(d, "plan")),
                   json_string_value(json_object_get(d, "deployed_at")), commit ? commit : "-", source ? source : "-");
        }
    }
    json_decref(v);
    flux_store_close(s);
    free(o.params);
    return rc;
}

/* `diff -u` of two plan texts: plans are deterministic YAML, so a line diff
 * reads as a diff of the pipelines */
static int line_diff(const char *a, const char *la, const char *b, const char *lb)
{
    char ta[] = "/tmp/flux-diff-a.XXXXXX", tb[] = "/tmp/flux-diff-b.XXXXXX";
    int fa = mkstemp(ta), fb = mkstemp(tb);
    int rc = -1;
    if (fa >= 0 && fb >= 0 && write(fa, a, strlen(a)) == (ssize_t)strlen(a) &&
        write(fb, b, strlen(b)) == (ssize_t)strlen(b)) {
        char l1[300], l2[300];
        snprintf(l1, sizeof l1, "%s", la);
        snprintf(l2, sizeof l2, "%s", lb);
        char *argv[] = {"diff", "-u", "--label", l1, "--label", l2, ta, tb, NULL};
        fflush(stdout);
        pid_t pid;
        if (posix_spawnp(&pid, "diff", NULL, NULL, argv, environ) == 0) {
            int status;
            waitpid(pid, &status, 0);
            rc = WIFEXITED(status) && WEXITSTATUS(status) <= 1 ? 0 : -1;
        } else {
            fprintf(stderr, "flux diff: cannot run diff: %s\n", strerror(errno));
        }
    }
    if (fa >= 0)
        close(fa), unlink(ta);
    if (fb >= 0)
        close(fb), unlink(tb);
    return rc;
}

int flux_cmd_diff(int argc, char **argv)
{
    dopts o;
    int prc = dparse("diff", argc, argv, &o, 3);
    if (prc > 0) {
        free(o.params);
        return FLUX_EXIT_OK;
    }
    if (prc || o.npos != 3) {
        if (o.npos != 3)
            flux_cli_usage_error("diff", "give PIPELINE V1 V2 (version numbers from flux versions)");
        free(o.params);
        return FLUX_EXIT_USAGE;
    }
    int v[2];
    for (int i = 0; i < 2; i++) {
        char *end;
        long x = strtol(o.pos[1 + i], &end, 10);
        if (*end || x < 1 || x > 1000000000) {
            flux_cli_usage_error("diff", "'%s' is not a version number", o.pos[1 + i]);
            free(o.params);
            return FLUX_EXIT_USAGE;
        }
        v[i] = (int)x;
    }
    flux_store *s = flux_cli_open_store("diff", o.db, o.conns);
    if (!s) {
        free(o.params);
        return FLUX_EXIT_FAIL;
    }
    flux_deployment d[2];
    char *text[2] = {NULL, NULL};
    int rc = FLUX_EXIT_OK;
    for (int i = 0; i < 2 && rc == FLUX_EXIT_OK; i++) {
        if (flux_store_get_deployment(s, o.pos[0], v[i], &d[i]) != 0 || !(text[i] = flux_store_get_plan(s, d[i].plan_id))) {
            fprintf(stderr, "flux diff: %s\n", flux_store_error(s));
            rc = FLUX_EXIT_FAIL;
        }
    }
    if (rc == FLUX_EXIT_OK) {
        flux_buf ch = {0};
        flux_deploy_changes(text[0], text[1], &ch);
        printf("%s: version %d (plan %.12s%s%s) -> version %d (plan %.12s%s%s): %s\n", o.pos[0], v[0], d[0].plan_id,
               d[0].commit[0] ? ", commit " : "", d[0].commit, v[1], d[1].plan_id, d[1].commit[0] ? ", commit " : "",
               d[1].commit, !strcmp(d[0].plan_id, d[1].plan_id) ? "the same plan" : flux_buf_cstr(&ch));
        flux_buf_free(&ch);
        char la[200], lb[200];
        snprintf(la, sizeof la, "%s version %d", o.pos[0], v[0]);
        snprintf(lb, sizeof lb, "%s version %d", o.pos[0], v[1]);
        if (line_diff(text[0], la, text[1], lb) != 0)
            rc = FLUX_EXIT_FAIL;
    }
    free(text[0]);
    free(text[1]);
    flux_store_close(s);
    free(o.params);
    return rc;
}

static int set_paused(const char *cmd, int argc, char **argv, bool paused)
{
    dopts o;
    int prc = dparse(cmd, argc, argv, &o, 1);
    if (prc > 0) {
        free(o.params);
        return FLUX_EXIT_OK;
    }
    if (prc || o.npos != 1) {
        if (o.npos != 1)
            flux_cli_usage_error(cmd, "give the PIPELINE");
        free(o.params);
        return FLUX_EXIT_USAGE;
    }
    flux_store *s = flux_cli_open_store(cmd, o.db, o.conns);
    if (!s) {
        free(o.params);
        return FLUX_EXIT_FAIL;
    }
    int r = flux_store_set_paused(s, o.pos[0], paused, flux_runs_now());
    if (r == 0)
        printf("%s: %s\n", o.pos[0], paused ? "paused (runs already started finish; no new run is created)"
                                             : "unpaused");
    else
        fprintf(stderr, "flux %s: %s\n", cmd, flux_store_error(s));
    flux_store_close(s);
    free(o.params);
    return r == 0 ? FLUX_EXIT_OK : FLUX_EXIT_FAIL;
}

int flux_cmd_pause(int argc, char **argv)
{
    return set_paused("pause", argc, argv, true);
}

int flux_cmd_unpause(int argc, char **argv)
{
    return set_paused("unpause", argc, argv, false);
}

int flux_cmd_trigger(int argc, char **argv)
{
    dopts o;
    int prc = dparse("trigger", argc, argv, &o, 1);
    if (prc > 0) {
        free(o.params);
        return FLUX_EXIT_OK;
    }
    if (prc || o.npos != 1) {
        if (o.npos != 1)
            flux_cli_usage_error("trigger", "give the PIPELINE");
        free(o.params);
        return FLUX_EXIT_USAGE;
    }
    flux_store *s = flux_cli_open_store("trigger", o.db, o.conns);
    if (!s) {
        free(o.params);
        return FLUX_EXIT_FAIL;
    }
    flux_run_row row;
    int version = 0;
    char err[1024];
    int rc = flux_action_trigger(s, o.pos[0], o.date, o.params, o.nparams, &row, &version, err, sizeof err);
    if (rc)
        fprintf(stderr, "flux trigger: %s\n", err);
    else
        printf("run %" PRId64 " %s of %s (version %d) queued; a running flux scheduler starts it\n", row.id,
               row.run_id, row.pipeline, version);
    flux_store_close(s);
    free(o.params);
    return rc;
}

int flux_cmd_errors(int argc, char **argv)
{
    dopts o;
    int prc = dparse("errors", argc, argv, &o, 0);
    if (prc > 0) {
        free(o.params);
        return FLUX_EXIT_OK;
    }
    if (prc) {
        free(o.params);
        return FLUX_EXIT_USAGE;
    }
    flux_store *s = flux_cli_open_store("errors", o.db, o.conns);
    if (!s) {
        free(o.params);
        return FLUX_EXIT_FAIL;
    }
    char err[1024];
    size_t n = 0;
    json_t *a = flux_view_errors(s, &n, err, sizeof err);
    int rc = FLUX_EXIT_FAIL;
    if (!a) {
        fprintf(stderr, "flux errors: %s\n", err);
    } else if (!strcmp(o.format, "json")) {
        char *t = json_dumps(a, JSON_INDENT(2));
        printf("%s\n", t);
        free(t);
    } else if (!json_array_size(a)) {
        printf("no errors: every source compiled (%zu)\n", n);
    } else {
        size_t i;
        json_t *e;
        json_array_foreach(a, i, e) {
            const char *commit = json_string_value(json_object_get(e, "commit"));
            printf("%s (checked %s%s%.12s):\n%s\n", json_string_value(json_object_get(e, "source")),
                   json_string_value(json_object_get(e, "checked_at")), commit ? ", commit " : "", commit ? commit : "",
                   json_string_value(json_object_get(e, "errors")));
        }
    }
    if (a)
        rc = json_array_size(a) ? FLUX_EXIT_COMPILE : FLUX_EXIT_OK;
    json_decref(a);
    flux_store_close(s);
    free(o.params);
    return rc;
}
