/* cli — the flux command's layer: the command table (rows exported by each
 * command file, put together by commands.c), the subcommands, one function
 * each, and what they share (cli.c). The only layer of the runtime that
 * prints. */
#ifndef FLUX_CLI_H
#define FLUX_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#include "load.h"

/* one row of the command table: `flux NAME`, its line in `flux help`, its
 * usage text, its function */
typedef struct flux_cli_command {
    const char *name;
    const char *summary;
    const char *usage;
    int (*run)(int argc, char **argv);
} flux_cli_command;

/* each command file's rows */
#define FLUX_CLI_ROWS(group)                                 \
    extern const flux_cli_command flux_cli_##group##_commands[]; \
    extern const size_t flux_cli_##group##_ncommands
FLUX_CLI_ROWS(check);
FLUX_CLI_ROWS(preview);
FLUX_CLI_ROWS(run);
FLUX_CLI_ROWS(why);
FLUX_CLI_ROWS(scheduler);
FLUX_CLI_ROWS(deploy);
FLUX_CLI_ROWS(lineage);
FLUX_CLI_ROWS(connections);
FLUX_CLI_ROWS(web);
FLUX_CLI_ROWS(help);

/* commands.c: the table, in the order `flux help` lists it */
size_t flux_cli_ncommands(void);
const flux_cli_command *flux_cli_command_at(size_t i);
const flux_cli_command *flux_cli_find_command(const char *name); /* NULL: none */
void flux_cli_usage(FILE *out);                                   /* the list of commands */
void flux_cli_suggest_command(const char *name);                  /* help: did you mean ... */

/* check.c, help.c */
int flux_cmd_check(int argc, char **argv);
int flux_cmd_help(int argc, char **argv);
int flux_cmd_version(int argc, char **argv);

/* preview.c: everything a user sees before anything runs */
int flux_cmd_compile(int argc, char **argv);
int flux_cmd_dry_run(int argc, char **argv);
int flux_cmd_render(int argc, char **argv);
int flux_cmd_graph(int argc, char **argv);
int flux_cmd_next(int argc, char **argv);

/* run.c: running things and what ran */
int flux_cmd_run(int argc, char **argv);
int flux_cmd_backfill(int argc, char **argv);
int flux_cmd_test(int argc, char **argv);
int flux_cmd_clear(int argc, char **argv);
int flux_cmd_status(int argc, char **argv);
int flux_cmd_notifications(int argc, char **argv);
int flux_cmd_runs(int argc, char **argv);
int flux_cmd_tasks(int argc, char **argv);
int flux_cmd_logs(int argc, char **argv);

/* why.c: why a task instance is in its state */
int flux_cmd_why(int argc, char **argv);

/* lineage.c: which run and task moved a record */
int flux_cmd_lineage(int argc, char **argv);

/* connections.c: flux.yaml's connections, listed and tried */
int flux_cmd_connections(int argc, char **argv);

/* cli.c: the state store of --db, FLUX_DB, flux.yaml's state_store or
 * $FLUX_HOME/flux.db; NULL after saying why */
struct flux_store;
struct flux_store *flux_cli_open_store(const char *cmd, const char *db, const char *conns_path);
/* cli.c: the path of this flux binary (malloc'd) */
char *flux_cli_self(void);

/* slurm.c: the slurm backend's settings for a runner (0; 1: an SQLite
 * store and no task needs them; -1 after saying why: one does), the
 * runner's default executor (--executor, else flux.yaml's executor:, else
 * "local"; NULL after saying --executor is unknown), and `flux
 * __slurm-job SPEC`, the hidden command each Slurm job runs */
struct flux_slurm_conf;
struct flux_conns;
int flux_cli_slurm_conf(const char *cmd, const char *db, const char *conns, struct flux_store *s, bool need,
                        struct flux_slurm_conf *c);
const char *flux_cli_executor(const char *cmd, const char *opt, const struct flux_conns *conns);
int flux_cli_slurm_job(int argc, char **argv);

/* cli.c: times on the command line (a wall time in
 * the pipeline's zone unless it names a zone) and a pipeline's timetable */
struct flux_tz;
struct flux_timetable;
struct flux_pipeline;
int flux_cli_time(const char *cmd, const char *text, const struct flux_tz *tz, int64_t *ms);
int flux_cli_timetable(const char *cmd, const struct flux_pipeline *p, struct flux_timetable *tt);
/* a source (compiled, diagnostics printed) or a .plan.yaml into c: 0, or
 * the exit status to give up with */
struct flux_compilation;
int flux_cli_load(struct flux_compilation *c, const char *file);
/* flux_cli_load after the operators of one's own on flux.yaml's
 * operator_path (the flux.yaml of --connections given, NULL: found as
 * every command finds it), whose mistakes are printed as flux check's */
int flux_cli_load_with(struct flux_compilation *c, const char *file, const char *conns);
/* Only those operators: 0, or after printing the mistakes -1 (flux.yaml's)
 * or -2 (only the manifests'). */
int flux_cli_operators(const char *conns);
/* a plan text (from the state store) into c; name: how messages call it */
int flux_cli_load_plan_text(struct flux_compilation *c, const char *name, const char *text, size_t len);
/* the pipeline named (NULL: the only one), or NULL after saying why */
struct flux_pipeline *flux_cli_pipeline(struct flux_compilation *c, const char *cmd, const char *file,
                                        const char *name);
/* flux.yaml (or --connections / FLUX_CONNECTIONS): connections, pools; 0,
 * or -1 after printing every mistake of it as flux check does */
struct flux_arena;
struct flux_conns;
int flux_cli_conns(const char *cmd, const char *path, struct flux_arena *a, struct flux_conns *conns);

/* cli.c: how long something took, as every command prints it ("850ms",
 * "12.3s", "4m30s", "1h2m": flux_print_elapsed) into out; returns out */
const char *flux_cli_elapsed(int64_t ms, char *out, size_t outlen);

/* cli.c: an engine report printed: on standard error when it is an
 * error, else on standard output (a flux_deploy_say) */
void flux_cli_say(void *ud, bool error, const char *text);

/* deploy.c: flux deploy, versions, diff, pause, unpause, trigger, errors */
int flux_cmd_deploy(int argc, char **argv);
int flux_cmd_versions(int argc, char **argv);
int flux_cmd_diff(int argc, char **argv);
int flux_cmd_pause(int argc, char **argv);
int flux_cmd_unpause(int argc, char **argv);
int flux_cmd_trigger(int argc, char **argv);
int flux_cmd_errors(int argc, char **argv);

/* scheduler.c */
int flux_cmd_scheduler(int argc, char **argv);

/* cli.c: a usage error (the message, then the command's usage), an
 * unknown option with the closest known one, colour on standard error */
void flux_cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* 0 when format is "text" or "json", else a usage error and -1 */
int flux_cli_format_check(const char *cmd, const char *format);
void flux_cli_unknown_option(const char *cmd, const char *opt, const char *const *known, unsigned long n);
bool flux_cli_colour(void);

#endif
