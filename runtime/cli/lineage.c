/* lineage — `flux lineage`: which run and task moved a record, from where,
 * to where. The walk is the engine's (engine/lineage.c), which returns a
 * tree; this prints it as text or JSON. */
#include <inttypes.h>
#include <jansson.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "lineage.h"
#include "opts.h"
#include "store.h"

/* this file's rows of the command table (commands.c), in the order
 * `flux help` lists them */
const flux_cli_command flux_cli_lineage_commands[] = {
    {"lineage", "which run and task moved a record, from where, to where",
     "usage: flux lineage --topic T [--partition P [--offset O]] [--format text|json] [--db URL]\n"
     "       flux lineage --table [DB.]TABLE [--format text|json] [--db URL]\n"
     "       flux lineage --file PATH [--format text|json] [--db URL]\n"
     "\n"
     "Finds the task instances whose transfers wrote or read the record (a Kafka\n"
     "offset, a table, a file), with what each read and wrote, then follows what\n"
     "they wrote to every later task that read it.\n",
     flux_cmd_lineage},
};
const size_t flux_cli_lineage_ncommands = sizeof flux_cli_lineage_commands / sizeof *flux_cli_lineage_commands;

typedef struct lq {
    flux_lineage_query q;
    const char *format;
} lq;

static long long dint(json_t *d, const char *k)
{
    json_t *v = json_object_get(d, k);
    return json_is_integer(v) ? (long long)json_integer_value(v) : -1;
}

static const char *jstr(json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

/* one row of the tree: what was read or written */
static void describe(json_t *row, FILE *out)
{
    json_t *d = json_object_get(row, "detail");
    const char *kind = jstr(row, "kind");
    fprintf(out, "%s %s %s", jstr(row, "direction")[0] == 'r' ? "read " : "wrote", kind, jstr(row, "name"));
    if (!strcmp(kind, "kafka") && dint(d, "partition") >= 0)
        fprintf(out, " partition %lld offsets %lld..%lld (%lld messages)", dint(d, "partition"), dint(d, "first"),
                dint(d, "last"), dint(d, "count"));
    else if (!strcmp(kind, "file"))
        fprintf(out, " (%lld bytes, %lld records, sha256 %.12s)", dint(d, "size"), dint(d, "records"),
                jstr(d, "sha256") ? jstr(d, "sha256") : "?");
    else if (dint(d, "rows") >= 0)
        fprintf(out, " (%lld rows)", dint(d, "rows"));
    fputc('\n', out);
}

/* a task instance of the tree and, indented, what it moved and who read it */
static void print_node(json_t *node, int depth)
{
    int indent = 2 * depth;
    printf("%*srun %" PRId64 " (%s %s) task %s try %d [%s]\n", indent, "",
           (int64_t)json_integer_value(json_object_get(node, "run")), jstr(node, "pipeline"), jstr(node, "run_id"),
           jstr(node, "task"), (int)json_integer_value(json_object_get(node, "try")), jstr(node, "state"));
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(node, "moved"), i, v) {
        printf("%*s  ", indent, "");
        describe(v, stdout);
    }
    json_array_foreach(json_object_get(node, "then"), i, v) {
        printf("%*s  then read by:\n", indent, "");
        print_node(v, depth + 1);
    }
}

static void print_text(json_t *tree, const flux_lineage_query *q)
{
    json_t *moves = json_object_get(tree, "moves"), *node;
    size_t i;
    json_array_foreach(moves, i, node) {
        printf("%s ", i ? "\n" : "");
        describe(json_object_get(node, "matched"), stdout);
        print_node(node, 1);
    }
    if (!json_array_size(moves))
        printf("no task moved %s %s%s\n", q->kind, q->name,
               q->offset >= 0 ? " at that offset" : q->partition >= 0 ? " in that partition" : "");
}

typedef struct lopts {
    const char *topic, *table, *file, *format, *db, *conns;
    long partition, offset;
} lopts;

static const flux_opt LOPTS[] = {
    {.name = "--topic", .kind = FLUX_OPT_STR, .off = offsetof(lopts, topic)},
    {.name = "--partition", .kind = FLUX_OPT_INT, .off = offsetof(lopts, partition), .max = LONG_MAX,
     .bad = "%s needs a number, not '%s'"},
    {.name = "--offset", .kind = FLUX_OPT_INT, .off = offsetof(lopts, offset), .max = LONG_MAX,
     .bad = "%s needs a number, not '%s'"},
    {.name = "--table", .kind = FLUX_OPT_STR, .off = offsetof(lopts, table)},
    {.name = "--file", .kind = FLUX_OPT_STR, .off = offsetof(lopts, file)},
    {.name = "--format", .kind = FLUX_OPT_STR, .off = offsetof(lopts, format)},
    {.name = "--db", .kind = FLUX_OPT_STR, .off = offsetof(lopts, db)},
    {.name = "--connections", .kind = FLUX_OPT_STR, .off = offsetof(lopts, conns)},
};
static const flux_cli_spec LSPEC = {.cmd = "lineage", .opts = LOPTS, .nopts = sizeof LOPTS / sizeof *LOPTS,
                                    .too_many = "unexpected argument '%s'"};

/* of --topic, --table and --file, the one given last counts */
static void what(const lopts *o, int argc, char **argv, flux_lineage_query *q)
{
    for (int i = 0; i < argc; i++) {
        if (!strncmp(argv[i], "--topic", 7) && o->topic)
            q->kind = "kafka", q->name = o->topic;
        else if (!strncmp(argv[i], "--table", 7) && o->table)
            q->kind = "table", q->name = o->table, q->suffix = strchr(o->table, '.') == NULL;
        else if (!strncmp(argv[i], "--file", 6) && o->file)
            q->kind = "file", q->name = o->file;
    }
}

int flux_cmd_lineage(int argc, char **argv)
{
    lopts o = {.format = "text", .partition = -1, .offset = -1};
    flux_cli_list pos = {0};
    int prc = flux_cli_parse(&LSPEC, argc, argv, &o, &pos);
    flux_cli_list_free(&pos);
    if (prc)
        return prc > 0 ? FLUX_EXIT_OK : FLUX_EXIT_USAGE;
    lq q = {{NULL, NULL, false, o.partition, o.offset}, o.format};
    what(&o, argc, argv, &q.q);
    const char *db = o.db, *conns = o.conns;
    if (!q.q.kind) {
        flux_cli_usage_error("lineage", "give --topic T [--partition P] [--offset O], --table X or --file PATH");
        return FLUX_EXIT_USAGE;
    }
    if ((q.q.partition >= 0 || q.q.offset >= 0) && strcmp(q.q.kind, "kafka") != 0) {
        flux_cli_usage_error("lineage", "--partition and --offset go with --topic");
        return FLUX_EXIT_USAGE;
    }
    if (q.q.offset >= 0 && q.q.partition < 0) {
        flux_cli_usage_error("lineage", "--offset needs --partition: offsets are per partition");
        return FLUX_EXIT_USAGE;
    }
    if (flux_cli_format_check("lineage", q.format) != 0)
        return FLUX_EXIT_USAGE;
    char abs[4096];
    if (!strcmp(q.q.kind, "file") && q.q.name[0] != '/' && realpath(q.q.name, abs))
        q.q.name = abs;
    flux_store *s = flux_cli_open_store("lineage", db, conns);
    if (!s)
        return FLUX_EXIT_FAIL;
    char err[1024];
    json_t *tree = flux_lineage_walk(s, &q.q, err, sizeof err);
    if (!tree) {
        fprintf(stderr, "flux lineage: %s\n", err);
        flux_store_close(s);
        return FLUX_EXIT_FAIL;
    }
    if (!strcmp(q.format, "json")) {
        char *t = json_dumps(tree, JSON_INDENT(2));
        printf("%s\n", t);
        free(t);
    } else {
        print_text(tree, &q.q);
    }
    if (err[0])
        fprintf(stderr, "flux lineage: %s\n", err);
    size_t found = json_array_size(json_object_get(tree, "moves"));
    json_decref(tree);
    flux_store_close(s);
    return err[0] ? FLUX_EXIT_FAIL : found ? FLUX_EXIT_OK : FLUX_EXIT_FAIL;
}
