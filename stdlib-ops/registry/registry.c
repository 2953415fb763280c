/* registry — the one table of operators and their parameter schemas.
 *
 * Pure data plus lookups, no dependencies: the compiler links it to check tasks,
 * refgen prints the language reference from it, and operator implementations
 * will be hung on these rows later. Adding an operator is adding a row below.
 */
#include "registry.h"

#include <stdlib.h>
#include <string.h>

#define REQ FLUX_PF_REQUIRED
#define TPL FLUX_PF_TEMPLATED

/* Row builders: keep each parameter on a few lines so the table reads like the
 * reference it generates. */
#define PARAM(n, t, f, def, d) \
    { .name = (n), .type = (t), .elem = FLUX_PT_STRING, .flags = (f), \
      .enum_values = NULL, .default_text = (def), .doc = (d) }
#define ENUM(n, vals, f, def, d) \
    { .name = (n), .type = FLUX_PT_ENUM, .elem = FLUX_PT_STRING, .flags = (f), \
      .enum_values = (vals), .default_text = (def), .doc = (d) }
#define ITEMS(n, t, e, f, def, d) \
    { .name = (n), .type = (t), .elem = (e), .flags = (f), \
      .enum_values = NULL, .default_text = (def), .doc = (d) }
/* SQL text run on the connection named by parameter `on` */
#define SQL(n, on, f, def, d) \
    { .name = (n), .type = FLUX_PT_SQL, .elem = FLUX_PT_STRING, .flags = (f), \
      .enum_values = NULL, .default_text = (def), .doc = (d), .conn = (on) }

/* the name of a connection of one of the types `types`: what the operator's
 * code opens, so flux check can refuse any other before a run does */
#define CONN(n, types, f, d) \
    { .name = (n), .type = FLUX_PT_CONN, .elem = FLUX_PT_STRING, .flags = (f), \
      .enum_values = NULL, .default_text = NULL, .doc = (d), .conn_types = (types) }

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ---- enumerations ------------------------------------------------------ */

/* Airflow's names, so pipelines and habits carry over unchanged. */
const char *const flux_trigger_rules[] = {
    "all_success", "all_failed", "all_done", "all_skipped",
    "one_success", "one_failed", "one_done",
    "none_failed", "none_failed_min_one_success", "none_skipped",
    "always", NULL
};

static const char *const retry_backoffs[] = {"constant", "exponential", NULL};
static const char *const sensor_modes[] = {"poke", "reschedule", NULL};
static const char *const http_methods[] = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", NULL};
static const char *const load_modes[] = {"append", "replace_interval", NULL};
static const char *const file_formats[] = {"csv", "jsonl", NULL};
/* Kafka values are opaque bytes; one per line is the only shape that needs no
 * schema, so kafka_to_file writes JSON lines only (for now). */
static const char *const jsonl_only[] = {"jsonl", NULL};
/* bash by default, as the operator's name and Airflow's BashOperator
 * promise; sh (dash on Debian) starts in about half the time (0.8 ms
 * against 1.6 ms here), for many tiny tasks written in POSIX shell */
static const char *const bash_shells[] = {"bash", "sh", NULL};

/* Connection types an operator runs with. A SQLite file stands in for MySQL
 * where the operator opens either (the embedded default of the tutorial). */
static const char *const kafka_conns[] = {"kafka", NULL};
static const char *const mysql_conns[] = {"mysql", NULL};
static const char *const sql_conns[] = {"mysql", "sqlite", NULL};
static const char *const sqlite_conns[] = {"sqlite", NULL};
static const char *const http_conns[] = {"http", NULL};

/* ---- where a task runs -------------------------------------------------- */

/* local: a process of the runner; slurm: each try one Slurm job
 * (runtime/README.md, "Tries as Slurm jobs") */
static const char *const executors[] = {"local", "slurm", NULL};

/* What the slurm executor gives sbatch itself, so a task cannot change it:
 * the job's name and comment find and claim the try, its output is the
 * try's log, its environment holds no secret, a requeue would run a try
 * twice, and the script and the limit are the try's. */
static const char *const sbatch_owned[] = {
    "--comment", "--job-name", "-J", "--export", "--export-file", "--output", "-o", "--error", "-e",
    "--open-mode", "--requeue", "--no-requeue", "--parsable", "--wrap", "--array", "-a", "--chdir", "-D",
    "--time", "-t", NULL};

/* slurm { ... }: a try's resources as sbatch asks for them (a task's keys
 * win over its pipeline's, key by key) */
static const flux_param_schema slurm_keys[] = {
    PARAM("partition", FLUX_PT_STRING, 0, NULL, "the partition the job runs in (sbatch --partition)"),
    PARAM("account", FLUX_PT_STRING, 0, NULL, "the account charged (sbatch --account)"),
    PARAM("qos", FLUX_PT_STRING, 0, NULL, "the quality of service (sbatch --qos)"),
    PARAM("cpus", FLUX_PT_INT, FLUX_PF_POSITIVE, NULL, "CPUs of the task (sbatch --cpus-per-task)"),
    PARAM("mem", FLUX_PT_SIZE, 0, NULL, "memory of the job, such as \"4G\" or \"512M\" (sbatch --mem)"),
    PARAM("time", FLUX_PT_DURATION, 0, NULL,
          "Slurm's time limit of the job (sbatch --time, rounded up to a minute); default: the task's timeout "
          "plus its grace and a minute, or the partition's limit without a timeout"),
    PARAM("gres", FLUX_PT_STRING, 0, NULL, "generic resources, such as \"gpu:1\" (sbatch --gres)"),
    { .name = "sbatch_args", .type = FLUX_PT_LIST, .elem = FLUX_PT_STRING, .flags = 0, .default_text = NULL,
      .doc = "more sbatch arguments, one per item (`[\"--exclusive\", \"--constraint=ib\"]`); not those Flux "
             "sets itself (`--comment`, `--job-name`, `--export`, `--output`, `--error`, `--requeue`, `--wrap`, "
             "`--array`, `--chdir`, `--time`: use `time`)",
      .refused = sbatch_owned },
};

/* ---- parameters every task accepts ------------------------------------- */

/* Shared by the task table and the pipeline table (where a value is the default
 * for every task), so the two can never drift; F adds FLUX_PF_TASK_DEFAULT on the
 * pipeline side. */
#define COMMON_TASK_PARAMS(F) \
    PARAM("retries", FLUX_PT_INT, (F), "0", \
          "times a failed try is retried before the task fails, counted again after flux clear; a failure " \
          "no retry can fix (a template that does not render, an undefined connection, a missing program) " \
          "and a sensor's timeout are not retried"), \
    PARAM("retry_delay", FLUX_PT_DURATION, (F), "5m", \
          "wait before the first retry"), \
    ENUM("retry_backoff", retry_backoffs, (F), "constant", \
         "constant waits retry_delay every time; exponential doubles the wait after each retry"), \
    PARAM("max_retry_delay", FLUX_PT_DURATION, (F), NULL, \
          "longest wait between retries under exponential backoff; default: no cap"), \
    PARAM("timeout", FLUX_PT_DURATION, (F), NULL, \
          "longest a try may run before its process group is killed (a sensor: the whole wait, and final: " \
          "not retried); default: no limit"), \
    ENUM("trigger_rule", flux_trigger_rules, (F), "all_success", \
         "which states of the upstream tasks let this task start"), \
    PARAM("depends_on_past", FLUX_PT_BOOL, (F), "false", \
          "start only once this task succeeded or was skipped in the pipeline's previous run (the greatest " \
          "logical date before this one's); waits while that one is unfinished, and ends upstream_failed, " \
          "its note saying what to clear, when that one failed; the first run, or one whose previous run " \
          "lacks the task, starts"), \
    PARAM("pool", FLUX_PT_STRING, (F), NULL, \
          "named pool whose slots bound how many of its tasks run at once; default: no pool"), \
    PARAM("priority", FLUX_PT_INT, (F), "1", \
          "tasks waiting for a process slot, a pool's slot or max_active_tasks start in decreasing " \
          "priority (negative allowed); ties: the run with the earlier logical date, then the order they " \
          "became ready"), \
    PARAM("max_output_value", FLUX_PT_INT, (F) | FLUX_PF_POSITIVE, "65536", \
          "most bytes of one `::output` value; a longer one fails the task, its note naming the output and " \
          "the limit"), \
    PARAM("max_outputs", FLUX_PT_INT, (F) | FLUX_PF_POSITIVE, "1048576", \
          "most bytes of all the task's `::output` names and values together; the output that goes over " \
          "fails the task, its note naming it and the limit"), \
    PARAM("max_log_size", FLUX_PT_INT, (F) | FLUX_PF_POSITIVE, "1073741824", \
          "most bytes of output a try's log keeps: beyond it, its first and last halves around a line " \
          "saying how many bytes were dropped between them (the count is in `flux tasks`)"), \
    ITEMS("on_failure", FLUX_PT_LIST, FLUX_PT_STRING, (F), NULL, \
          "notifiers (flux.yaml `notifiers:`) told when a try fails for good: no retry is left"), \
    ITEMS("on_retry", FLUX_PT_LIST, FLUX_PT_STRING, (F), NULL, \
          "notifiers told when a try fails and is to be retried"), \
    ITEMS("on_success", FLUX_PT_LIST, FLUX_PT_STRING, (F), NULL, \
          "notifiers told when the task succeeds"), \
    ITEMS("on_deadline_miss", FLUX_PT_LIST, FLUX_PT_STRING, (F), NULL, \
          "notifiers told, once, when the pipeline's or the task's deadline passes before it succeeded"), \
    ENUM("executor", executors, (F), NULL, \
         "where each try runs: local, a process of the runner, or slurm, a Slurm job of its own (a sensor's " \
         "pokes always run locally); default: flux run's or flux scheduler's --executor, else executor: in " \
         "flux.yaml, else local"), \
    { .name = "slurm", .type = FLUX_PT_MAP, .elem = FLUX_PT_STRING, .flags = (F), .default_text = NULL, \
      .doc = "a try's Slurm resources when it runs as a Slurm job (the keys below); also written as a block, " \
             "`slurm { mem = \"4G\" }`", \
      .keys = slurm_keys, .nkeys = COUNT(slurm_keys) }

static const flux_param_schema task_params[] = {
    COMMON_TASK_PARAMS(0),
    PARAM("deadline", FLUX_PT_DURATION, 0, NULL,
          "the task must have succeeded this long after its run started, or the miss is recorded and "
          "on_deadline_miss told, once; default: none"),
    PARAM("description", FLUX_PT_STRING, 0, NULL,
          "what the task does, shown by the CLI and web UI"),
};

static const flux_param_schema sensor_params[] = {
    PARAM("poke_interval", FLUX_PT_DURATION, 0, "1m",
          "wait between two checks of the condition"),
    ENUM("mode", sensor_modes, 0, "reschedule",
         "reschedule holds no process or pool slot between pokes (state up_for_reschedule); poke keeps "
         "both for the whole wait and stays running (for waits of seconds)"),
    PARAM("soft_fail", FLUX_PT_BOOL, 0, "false",
          "on timeout mark the task skipped instead of failed"),
    PARAM("exponential_backoff", FLUX_PT_BOOL, 0, "false",
          "double the wait after each unsuccessful poke, starting from poke_interval, up to max_wait"),
    PARAM("max_wait", FLUX_PT_DURATION, 0, NULL,
          "longest wait between pokes under exponential_backoff, the first one included (a warning "
          "without exponential_backoff); default: an hour, or poke_interval when longer"),
};

/* None is templated: these are fixed when the plan is compiled, before any run
 * exists to render a template against. */
static const flux_param_schema pipeline_params[] = {
    PARAM("description", FLUX_PT_STRING, 0, NULL,
          "what the pipeline does, shown by the CLI and web UI"),
    PARAM("schedule", FLUX_PT_STRING, REQ, NULL,
          "cron (5 fields), @hourly @daily @weekly @monthly @yearly @once, or \"every 15m\""),
    PARAM("start", FLUX_PT_TIME, REQ, NULL,
          "start of the first interval"),
    PARAM("end", FLUX_PT_TIME, 0, NULL,
          "no interval starts at or after this time; default: none"),
    PARAM("timezone", FLUX_PT_STRING, 0, "\"UTC\"",
          "IANA time zone the schedule is evaluated in, DST-correct"),
    PARAM("catchup", FLUX_PT_BOOL, 0, "false",
          "create a run for every interval missed since start, not only the latest one"),
    PARAM("max_active_runs", FLUX_PT_INT, 0, "16",
          "runs of this pipeline that may be active at once"),
    PARAM("max_active_tasks", FLUX_PT_INT, 0, "16",
          "task instances of this pipeline that may run at once, across its runs"),
    ITEMS("tags", FLUX_PT_LIST, FLUX_PT_STRING, 0, NULL,
          "labels to filter pipelines by in the CLI and web UI"),
    PARAM("owner", FLUX_PT_STRING, 0, NULL,
          "person or team answerable for the pipeline"),
    PARAM("deadline", FLUX_PT_DURATION, 0, NULL,
          "a run must have succeeded this long after its interval's end, or the miss is recorded and the "
          "pipeline's on_deadline_miss told, once (checked by the scheduler from the store); default: none"),
    COMMON_TASK_PARAMS(FLUX_PF_TASK_DEFAULT),
};

/* ---- sensors ------------------------------------------------------------ */

static const flux_param_schema file_sensor_params[] = {
    PARAM("path", FLUX_PT_PATH, REQ | TPL, NULL,
          "file to wait for; a glob (* ? [...]) waits for matching files"),
    PARAM("min_files", FLUX_PT_INT, 0, "1",
          "number of files the path or glob must match"),
    PARAM("non_empty", FLUX_PT_BOOL, 0, "false",
          "count only files that are not empty"),
    PARAM("success_marker", FLUX_PT_PATH, TPL, NULL,
          "file that must also exist beside each matched file (e.g. \"_SUCCESS\"); default: none"),
};

static const flux_param_schema sql_sensor_params[] = {
    CONN("conn", sql_conns, REQ,
         "database to query (MySQL or SQLite)"),
    SQL("sql", "conn", REQ | TPL, NULL,
          "query; success when the first column of the first row is true (not 0, empty or NULL)"),
    PARAM("fail_on_empty", FLUX_PT_BOOL, 0, "false",
          "fail instead of poking again when the query returns no row"),
};

/* until and min_messages are both ANY_OF: a watermark alone is the usual case,
 * a count alone suits topics without useful timestamps; given both, both must hold. */
static const flux_param_schema kafka_sensor_params[] = {
    CONN("conn", kafka_conns, REQ,
         "Kafka cluster"),
    PARAM("topic", FLUX_PT_STRING, REQ | TPL, NULL,
          "topic to watch"),
    PARAM("until", FLUX_PT_TIME, TPL | FLUX_PF_ANY_OF, NULL,
          "success once every partition holds a message with a timestamp at or after this time"),
    PARAM("min_messages", FLUX_PT_INT, FLUX_PF_ANY_OF, NULL,
          "success once at least this many messages are available"),
    PARAM("group", FLUX_PT_STRING, TPL, NULL,
          "consumer group whose committed offsets min_messages counts from; default: the start of the topic"),
};

static const flux_param_schema time_sensor_params[] = {
    PARAM("until", FLUX_PT_TIME, REQ | TPL, NULL,
          "success once the clock reaches this time (e.g. \"{{ interval_end | add(30m) }}\")"),
};

/* pipeline and task are names checked against deployed plans, so they are fixed
 * at compile time like any other name. */
static const flux_param_schema external_task_sensor_params[] = {
    PARAM("pipeline", FLUX_PT_STRING, REQ, NULL,
          "pipeline holding the task to wait for"),
    PARAM("task", FLUX_PT_STRING, REQ, NULL,
          "task id in that pipeline"),
    PARAM("offset", FLUX_PT_DURATION, 0, NULL,
          "wait for the run whose logical date is this run's minus offset; default: the same logical date"),
};

/* ---- remote execution -------------------------------------------------- */

static const flux_param_schema bash_params[] = {
    PARAM("command", FLUX_PT_SHELL, REQ | TPL, NULL,
          "shell text run by the shell in a session of its own (as with -c, read from a descriptor, never in "
          "argv); exit status 0 is success; a failed try's note ends with the last line it printed; what it "
          "leaves running when it exits is stopped"),
    ENUM("shell", bash_shells, 0, "bash",
         "bash runs the command with /bin/bash (pipefail, arrays, [[ ]], $'...'); sh with /bin/sh, POSIX only "
         "and faster to start"),
    ITEMS("env", FLUX_PT_MAP, FLUX_PT_STRING, TPL, NULL,
          "environment variables for the command, which inherits only a short list from the runner's "
          "(PATH, HOME, LANG, LC_*, TZ ...: README.md) besides FLUX_PIPELINE, FLUX_RUN_ID, FLUX_TASK, "
          "FLUX_TRY_NUMBER and FLUX_HOME"),
    PARAM("cwd", FLUX_PT_PATH, TPL, NULL,
          "working directory; default: that of the flux process"),
    PARAM("skip_exit_code", FLUX_PT_INT, 0, "99",
          "exit status that marks the task skipped instead of failed"),
};

static const flux_param_schema mysql_params[] = {
    CONN("conn", sql_conns, REQ,
         "MySQL or MariaDB database"),
    SQL("sql", "conn", REQ | TPL, NULL,
          "statements separated by ';', run in order"),
    PARAM("autocommit", FLUX_PT_BOOL, 0, "false",
          "commit each statement on its own instead of all of them in one transaction"),
    ITEMS("params", FLUX_PT_LIST, FLUX_PT_SCALAR, TPL, NULL,
          "values bound to the `?` placeholders of a single statement, in order (never spliced into the text)"),
};

static const flux_param_schema sqlite_params[] = {
    CONN("conn", sqlite_conns, REQ,
         "SQLite database (sqlite:///path/to/file.db)"),
    SQL("sql", "conn", REQ | TPL, NULL,
          "statements separated by ';', run in order"),
    PARAM("autocommit", FLUX_PT_BOOL, 0, "false",
          "commit each statement on its own instead of all of them in one transaction"),
    ITEMS("params", FLUX_PT_LIST, FLUX_PT_SCALAR, TPL, NULL,
          "values bound to the `?` placeholders of a single statement, in order (never spliced into the text)"),
};

static const flux_param_schema http_params[] = {
    CONN("conn", http_conns, 0,
         "connection whose URL is the base of url and whose user and password give basic auth; "
         "default: none"),
    ENUM("method", http_methods, 0, "GET",
         "HTTP method"),
    PARAM("url", FLUX_PT_STRING, REQ | TPL, NULL,
          "absolute URL, or a path relative to the connection's URL"),
    ITEMS("headers", FLUX_PT_MAP, FLUX_PT_STRING, TPL, NULL,
          "request headers"),
    PARAM("body", FLUX_PT_STRING, TPL, NULL,
          "request body; default: none"),
    ITEMS("expected_status", FLUX_PT_LIST, FLUX_PT_INT, FLUX_PF_SINGLE, NULL,
          "status codes that mean success; default: any 2xx"),
    PARAM("max_response_size", FLUX_PT_INT, 0, "1048576",
          "most bytes of response body read; a larger body fails the task"),
};

static const flux_param_schema kafka_produce_params[] = {
    CONN("conn", kafka_conns, REQ,
         "Kafka cluster"),
    PARAM("topic", FLUX_PT_STRING, REQ | TPL, NULL,
          "topic to write to"),
    PARAM("value", FLUX_PT_STRING, REQ | TPL, NULL,
          "message value"),
    PARAM("key", FLUX_PT_STRING, TPL, NULL,
          "message key; default: none (the producer picks the partition)"),
    ITEMS("headers", FLUX_PT_MAP, FLUX_PT_STRING, TPL, NULL,
          "message headers"),
};

/* ---- transfers ---------------------------------------------------------- */

static const flux_param_schema kafka_to_mysql_params[] = {
    CONN("source", kafka_conns, REQ,
         "Kafka cluster to read"),
    PARAM("topic", FLUX_PT_STRING, REQ | TPL, NULL,
          "topic to read; only messages whose timestamps fall in the run's interval are loaded"),
    ITEMS("match", FLUX_PT_MAP, FLUX_PT_STRING, TPL, NULL,
          "keep only JSON messages whose fields (name or JSONPath) equal these values; default: all"),
    CONN("target", mysql_conns, REQ,
         "MySQL database to write"),
    PARAM("table", FLUX_PT_STRING, REQ | TPL, NULL,
          "table to insert into"),
    ITEMS("columns", FLUX_PT_MAP, FLUX_PT_STRING, REQ, NULL,
          "table column = JSONPath of its value in the message"),
    ENUM("mode", load_modes, 0, "append",
         "append skips messages already committed for the interval; "
         "replace_interval deletes the interval's rows first"),
    PARAM("time_column", FLUX_PT_STRING, 0, NULL,
          "column holding each row's time, by which replace_interval finds the interval's rows; "
          "default: the one date-time column among columns"),
    PARAM("batch_size", FLUX_PT_INT, 0, "10000",
          "rows per transaction: one LOAD DATA of the rows and the consumed offsets, committed together"),
    PARAM("reject_file", FLUX_PT_PATH, TPL, NULL,
          "file the rejected messages are written to as JSON lines; default: only counted and logged"),
};

static const flux_param_schema kafka_to_file_params[] = {
    CONN("source", kafka_conns, REQ,
         "Kafka cluster to read"),
    PARAM("topic", FLUX_PT_STRING, REQ | TPL, NULL,
          "topic to read; only messages whose timestamps fall in the run's interval are written"),
    ITEMS("match", FLUX_PT_MAP, FLUX_PT_STRING, TPL, NULL,
          "keep only JSON messages whose fields (name or JSONPath) equal these values; default: all"),
    PARAM("path", FLUX_PT_PATH, REQ | TPL, NULL,
          "file of the run's interval (e.g. \"out/{{ ds }}/events.jsonl\"), replaced whole by a rerun"),
    ENUM("format", jsonl_only, 0, "jsonl",
         "jsonl writes each message value on a line of its own"),
    PARAM("reject_file", FLUX_PT_PATH, TPL, NULL,
          "file the rejected messages are written to; default: only counted and logged"),
};

static const flux_param_schema file_to_mysql_params[] = {
    PARAM("path", FLUX_PT_PATH, REQ | TPL, NULL,
          "file to load; a glob loads every matching file"),
    ENUM("format", file_formats, 0, NULL,
         "file format; default: from the extension (.csv, .jsonl)"),
    PARAM("header", FLUX_PT_BOOL, 0, "true",
          "csv: the first line names the fields"),
    PARAM("delimiter", FLUX_PT_STRING, 0, "\",\"",
          "csv: field separator, one character"),
    CONN("target", sql_conns, REQ,
         "MySQL database to write"),
    PARAM("table", FLUX_PT_STRING, REQ | TPL, NULL,
          "table to insert into"),
    ITEMS("columns", FLUX_PT_MAP, FLUX_PT_STRING, 0, NULL,
          "table column = csv field name or jsonl JSONPath; default: each field into the column of its name"),
    ENUM("mode", load_modes, 0, "append",
         "append inserts; replace_interval deletes the interval's rows first, so a rerun does not duplicate"),
    PARAM("time_column", FLUX_PT_STRING, 0, NULL,
          "column holding each row's time, which replace_interval needs to find the interval's rows"),
    PARAM("batch_size", FLUX_PT_INT, 0, "1000",
          "rows per LOAD DATA batch (all in the task's one transaction)"),
    PARAM("reject_file", FLUX_PT_PATH, TPL, NULL,
          "file the rejected records are written to; default: only counted and logged"),
};

static const flux_param_schema mysql_to_file_params[] = {
    CONN("source", mysql_conns, REQ,
         "MySQL database to read"),
    SQL("sql", "source", REQ | TPL, NULL,
          "query whose rows are written"),
    PARAM("path", FLUX_PT_PATH, REQ | TPL, NULL,
          "file to write, replaced whole (written aside, then renamed)"),
    ENUM("format", file_formats, 0, NULL,
         "file format; default: from the extension (.csv, .jsonl)"),
    PARAM("header", FLUX_PT_BOOL, 0, "true",
          "csv: write a first line with the column names"),
    PARAM("delimiter", FLUX_PT_STRING, 0, "\",\"",
          "csv: field separator, one character"),
};

static const flux_param_schema file_to_kafka_params[] = {
    PARAM("path", FLUX_PT_PATH, REQ | TPL, NULL,
          "file to read; a glob reads every matching file"),
    ENUM("format", file_formats, 0, NULL,
         "file format; default: from the extension (.csv, .jsonl)"),
    PARAM("header", FLUX_PT_BOOL, 0, "true",
          "csv: the first line names the fields"),
    PARAM("delimiter", FLUX_PT_STRING, 0, "\",\"",
          "csv: field separator, one character"),
    CONN("target", kafka_conns, REQ,
         "Kafka cluster to write"),
    PARAM("topic", FLUX_PT_STRING, REQ | TPL, NULL,
          "topic to write to; each record becomes one JSON message"),
    PARAM("key", FLUX_PT_STRING, 0, NULL,
          "field whose value is the message key: csv field name or jsonl JSONPath; default: none"),
    PARAM("reject_file", FLUX_PT_PATH, TPL, NULL,
          "file the rejected records are written to; default: only counted and logged"),
};

static const flux_param_schema mysql_to_kafka_params[] = {
    CONN("source", mysql_conns, REQ,
         "MySQL database to read"),
    SQL("sql", "source", REQ | TPL, NULL,
          "query whose rows are produced, each as one JSON message"),
    CONN("target", kafka_conns, REQ,
         "Kafka cluster to write"),
    PARAM("topic", FLUX_PT_STRING, REQ | TPL, NULL,
          "topic to write to"),
    PARAM("key", FLUX_PT_STRING, 0, NULL,
          "column whose value is the message key; default: none"),
};

/* ---- the table ---------------------------------------------------------- */

#define OP(n, k, p, d) { .name = (n), .kind = (k), .params = (p), .nparams = COUNT(p), .doc = (d) }

/* Kept sorted by name (tests check it): flux_registry_all promises that order
 * and flux_registry_find relies on it. */
static const flux_operator operators[] = {
    OP("bash", FLUX_OP_REMOTE, bash_params,
       "runs a shell command"),
    OP("external_task_sensor", FLUX_OP_SENSOR, external_task_sensor_params,
       "waits until a task of another pipeline has succeeded for the matching run"),
    OP("file_sensor", FLUX_OP_SENSOR, file_sensor_params,
       "waits until a file, or enough files matching a glob, exist"),
    OP("file_to_kafka", FLUX_OP_TRANSFER, file_to_kafka_params,
       "produces each record of a CSV or JSON-lines file to a Kafka topic"),
    OP("file_to_mysql", FLUX_OP_TRANSFER, file_to_mysql_params,
       "loads a CSV or JSON-lines file into a MySQL table"),
    OP("http", FLUX_OP_REMOTE, http_params,
       "sends one HTTP request and checks the response status"),
    OP("kafka_produce", FLUX_OP_REMOTE, kafka_produce_params,
       "produces one message to a Kafka topic"),
    OP("kafka_sensor", FLUX_OP_SENSOR, kafka_sensor_params,
       "waits until a Kafka topic's messages reach a time, or enough messages are available"),
    OP("kafka_to_file", FLUX_OP_TRANSFER, kafka_to_file_params,
       "writes the messages of the run's interval from a Kafka topic to a file"),
    OP("kafka_to_mysql", FLUX_OP_TRANSFER, kafka_to_mysql_params,
       "loads the messages of the run's interval into a MySQL table, rows and offsets in one transaction"),
    OP("mysql", FLUX_OP_REMOTE, mysql_params,
       "runs SQL on a MySQL or MariaDB database"),
    OP("mysql_to_file", FLUX_OP_TRANSFER, mysql_to_file_params,
       "writes the rows of a MySQL query to a CSV or JSON-lines file"),
    OP("mysql_to_kafka", FLUX_OP_TRANSFER, mysql_to_kafka_params,
       "produces each row of a MySQL query to a Kafka topic"),
    OP("sql_sensor", FLUX_OP_SENSOR, sql_sensor_params,
       "waits until a SQL query's first value is true"),
    OP("sqlite", FLUX_OP_REMOTE, sqlite_params,
       "runs SQL on a SQLite database"),
    OP("time_sensor", FLUX_OP_SENSOR, time_sensor_params,
       "waits until a point in time"),
};

/* ---- lookups ------------------------------------------------------------ */

static int cmp_op_name(const void *key, const void *elem)
{
    return strcmp((const char *)key, ((const flux_operator *)elem)->name);
}

/* Operators added at run time: kept apart (their rows never move, so
 * flux_registry_find's answers stay valid), and merged with the built-in
 * ones into one sorted table for flux_registry_all. */
static const flux_operator **added;
static size_t nadded;
static flux_operator *merged;
static size_t nmerged;

const flux_operator *flux_registry_find(const char *name)
{
    if (!name)
        return NULL;
    const flux_operator *op = bsearch(name, operators, COUNT(operators), sizeof operators[0], cmp_op_name);
    for (size_t i = 0; !op && i < nadded; i++)
        if (strcmp(added[i]->name, name) == 0)
            op = added[i];
    return op;
}

static int cmp_ops(const void *a, const void *b)
{
    return strcmp(((const flux_operator *)a)->name, ((const flux_operator *)b)->name);
}

int flux_registry_add(const flux_operator *op)
{
    if (bsearch(op->name, operators, COUNT(operators), sizeof operators[0], cmp_op_name))
        return -1;
    if (flux_registry_find(op->name))
        return 1;
    const flux_operator **na = realloc(added, (nadded + 1) * sizeof *added);
    flux_operator *nm = realloc(merged, (COUNT(operators) + nadded + 1) * sizeof *merged);
    if (!na || !nm)
        abort(); /* the allocation policy: abort on OOM */
    added = na;
    merged = nm;
    added[nadded++] = op;
    memcpy(merged, operators, sizeof operators);
    for (size_t i = 0; i < nadded; i++)
        merged[COUNT(operators) + i] = *added[i];
    nmerged = COUNT(operators) + nadded;
    qsort(merged, nmerged, sizeof *merged, cmp_ops);
    return 0;
}

const flux_operator *flux_registry_all(size_t *n)
{
    if (n)
        *n = merged ? nmerged : COUNT(operators);
    return merged ? merged : operators;
}

const flux_param_schema *flux_registry_task_params(size_t *n)
{
    if (n)
        *n = COUNT(task_params);
    return task_params;
}

const flux_param_schema *flux_registry_sensor_params(size_t *n)
{
    if (n)
        *n = COUNT(sensor_params);
    return sensor_params;
}

const flux_param_schema *flux_registry_pipeline_params(size_t *n)
{
    if (n)
        *n = COUNT(pipeline_params);
    return pipeline_params;
}

/* Parameter lists are a dozen entries at most; a linear scan beats any index. */
static const flux_param_schema *scan(const flux_param_schema *p, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(p[i].name, name) == 0)
            return &p[i];
    return NULL;
}

const flux_param_schema *flux_registry_param(const flux_operator *op, const char *name)
{
    const flux_param_schema *p = NULL;
    if (!name)
        return NULL;
    if (op)
        p = scan(op->params, op->nparams, name);
    if (!p && op && op->kind == FLUX_OP_SENSOR)
        p = scan(sensor_params, COUNT(sensor_params), name);
    if (!p)
        p = scan(task_params, COUNT(task_params), name);
    return p;
}

const flux_param_schema *flux_registry_pipeline_param(const char *name)
{
    return name ? scan(pipeline_params, COUNT(pipeline_params), name) : NULL;
}

const char *flux_registry_sql_conn(const char *op, const char *param)
{
    const flux_operator *o = flux_registry_find(op);
    const flux_param_schema *p = o && param ? scan(o->params, o->nparams, param) : NULL;
    return p && p->type == FLUX_PT_SQL ? p->conn : NULL;
}

const flux_param_schema *flux_param_key(const flux_param_schema *p, const char *key)
{
    return p && p->keys && key ? scan(p->keys, p->nkeys, key) : NULL;
}

const char *flux_param_refuses(const flux_param_schema *p, const char *item)
{
    for (const char *const *r = p && item ? p->refused : NULL; r && *r; r++) {
        size_t n = strlen(*r);
        if (strncmp(item, *r, n) != 0)
            continue;
        /* "--comment" or "--comment=..."; a short one may hold its value: "-Jname" */
        if (item[n] == '\0' || item[n] == '=' || ((*r)[1] != '-' && n == 2))
            return *r;
    }
    return NULL;
}

bool flux_param_enum_has(const flux_param_schema *p, const char *value)
{
    if (!p || !p->enum_values || !value)
        return false;
    for (const char *const *v = p->enum_values; *v; v++)
        if (strcmp(*v, value) == 0)
            return true;
    return false;
}

const char *flux_op_kind_name(flux_op_kind k)
{
    switch (k) {
    case FLUX_OP_SENSOR: return "sensor";
    case FLUX_OP_REMOTE: return "remote";
    case FLUX_OP_TRANSFER: return "transfer";
    }
    return "?";
}

/* The words a user writes or reads in the reference, so messages can say
 * "expected a duration" without a second table. */
const char *flux_param_type_name(flux_param_type t)
{
    switch (t) {
    case FLUX_PT_STRING: return "string";
    case FLUX_PT_SHELL: return "shell";
    case FLUX_PT_SQL: return "sql";
    case FLUX_PT_CONN: return "connection";
    case FLUX_PT_PATH: return "path";
    case FLUX_PT_TIME: return "time";
    case FLUX_PT_INT: return "int";
    case FLUX_PT_FLOAT: return "float";
    case FLUX_PT_BOOL: return "bool";
    case FLUX_PT_DURATION: return "duration";
    case FLUX_PT_ENUM: return "enum";
    case FLUX_PT_LIST: return "list";
    case FLUX_PT_MAP: return "map";
    case FLUX_PT_SCALAR: return "scalar";
    case FLUX_PT_SIZE: return "size";
    }
    return "?";
}
