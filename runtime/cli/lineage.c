/* lineage — `flux lineage`: which run and task moved a record, from where,
 * to where. Transfers record what they read and wrote per task instance
 * (topic partitions with offset ranges, files with size and hash, tables
 * with row counts); this walks those records from a Kafka offset, a file or
 * a table to the task instances that moved it, and on downstream to every
 * later task that read what they wrote. */
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "store.h"

#define MAX_DEPTH 8

typedef struct lq {
    const char *kind, *name; /* what to find */
    bool suffix;             /* a table without its database */
    long long partition, offset; /* kafka: -1 any */
    const char *format;
} lq;

static long long dint(json_t *d, const char *k)
{
    json_t *v = json_object_get(d, k);
    return json_is_integer(v) ? (long long)json_integer_value(v) : -1;
}

/* does a record of lineage cover the partition/offset asked for? */
static bool covers(const flux_lineage_row *r, long long partition, long long offset)
{
    if (partition < 0 && offset < 0)
        return true;
    json_t *d = r->detail ? json_loads(r->detail, 0, NULL) : NULL;
    long long p = dint(d, "partition"), first = dint(d, "first"), last = dint(d, "last");
    json_decref(d);
    if (partition >= 0 && p != partition)
        return false;
    return offset < 0 || (first >= 0 && last >= 0 && first <= offset && offset <= last);
}

/* two kafka ranges of one topic overlap (a write and a later read) */
static bool overlaps(const flux_lineage_row *w, const flux_lineage_row *r)
{
    if (strcmp(w->kind, "kafka") != 0)
        return true;
    json_t *a = w->detail ? json_loads(w->detail, 0, NULL) : NULL, *b = r->detail ? json_loads(r->detail, 0, NULL) : NULL;
    bool ok = dint(a, "partition") == dint(b, "partition") && dint(a, "first") <= dint(b, "last") &&
              dint(b, "first") <= dint(a, "last");
    if (dint(a, "partition") < 0 || dint(b, "partition") < 0)
        ok = true; /* no ranges recorded: the same topic is all we know */
    json_decref(a);
    json_decref(b);
    return ok;
}

static void describe(const flux_lineage_row *r, FILE *out)
{
    json_t *d = r->detail ? json_loads(r->detail, 0, NULL) : NULL;
    fprintf(out, "%s %s %s", r->direction[0] == 'r' ? "read " : "wrote", r->kind, r->name);
    if (!strcmp(r->kind, "kafka") && dint(d, "partition") >= 0)
        fprintf(out, " partition %lld offsets %lld..%lld (%lld messages)", dint(d, "partition"), dint(d, "first"),
                dint(d, "last"), dint(d, "count"));
    else if (!strcmp(r->kind, "file"))
        fprintf(out, " (%lld bytes, %lld records, sha256 %.12s)", dint(d, "size"), dint(d, "records"),
                json_string_value(json_object_get(d, "sha256")) ? json_string_value(json_object_get(d, "sha256"))
                                                                   : "?");
    else if (dint(d, "rows") >= 0)
        fprintf(out, " (%lld rows)", dint(d, "rows"));
    fputc('\n', out);
    json_decref(d);
}

static json_t *row_json(const flux_lineage_row *r)
{
    json_t *d = r->detail ? json_loads(r->detail, 0, NULL) : NULL;
    return json_pack("{s:s, s:s, s:s, s:o}", "direction", r->direction, "kind", r->kind, "name", r->name, "detail",
                     d ? d : json_object());
}

typedef struct walker {
    flux_store *s;
    bool json;
    int64_t *seen;
    size_t nseen, capseen;
    int rc;
} walker;

static bool seen(walker *w, int64_t ti)
{
    for (size_t i = 0; i < w->nseen; i++)
        if (w->seen[i] == ti)
            return true;
    if (w->nseen == w->capseen) {
        w->capseen = w->capseen ? 2 * w->capseen : 16;
        w->seen = realloc(w->seen, w->capseen * sizeof *w->seen);
    }
    w->seen[w->nseen++] = ti;
    return false;
}

/* One task instance that moved the record: what it read and wrote, then
 * the later readers of what it wrote. Returns its JSON (json mode). */
static json_t *visit(walker *w, const flux_lineage_row *hit, int depth)
{
    json_t *node = NULL;
    int indent = 2 * depth;
    if (w->json) {
        node = json_pack("{s:I, s:s, s:s, s:s, s:i, s:s}", "run", (json_int_t)hit->run, "pipeline", hit->pipeline,
                         "run_id", hit->run_id, "task", hit->task, "try", hit->try_number, "state",
                         flux_ti_state_name(hit->state));
    } else {
        printf("%*srun %" PRId64 " (%s %s) task %s try %d [%s]\n", indent, "", hit->run, hit->pipeline, hit->run_id,
               hit->task, hit->try_number, flux_ti_state_name(hit->state));
    }
    flux_lineage_row *mine;
    size_t n;
    if (flux_store_list_lineage(w->s, hit->ti, &mine, &n) != 0) {
        fprintf(stderr, "flux lineage: %s\n", flux_store_error(w->s));
        w->rc = FLUX_EXIT_FAIL;
        return node;
    }
    json_t *moved = w->json ? json_array() : NULL, *then = w->json ? json_array() : NULL;
    for (size_t i = 0; i < n; i++) {
        if (w->json)
            json_array_append_new(moved, row_json(&mine[i]));
        else {
            printf("%*s  ", indent, "");
            describe(&mine[i], stdout);
        }
    }
    /* downstream: who read what this task wrote */
    for (size_t i = 0; i < n && depth < MAX_DEPTH; i++) {
        if (mine[i].direction[0] != 'w')
            continue;
        flux_lineage_row *rd;
        size_t m;
        if (flux_store_find_lineage(w->s, mine[i].kind, mine[i].name, false, &rd, &m) != 0)
            continue;
        for (size_t j = 0; j < m; j++) {
            if (rd[j].direction[0] != 'r' || rd[j].ti == hit->ti || !overlaps(&mine[i], &rd[j]) || seen(w, rd[j].ti))
                continue;
            if (!w->json)
                printf("%*s  then read by:\n", indent, "");
            json_t *c = visit(w, &rd[j], depth + 1);
            if (c)
                json_array_append_new(then, c);
        }
        flux_lineage_rows_free(rd, m);
    }
    if (w->json) {
        json_object_set_new(node, "moved", moved);
        json_object_set_new(node, "then", then);
    }
    flux_lineage_rows_free(mine, n);
    return node;
}

int flux_cmd_lineage(int argc, char **argv)
{
    lq q = {NULL, NULL, false, -1, -1, "text"};
    const char *db = NULL, *conns = NULL;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        bool takes = !strcmp(a, "--topic") || !strcmp(a, "--table") || !strcmp(a, "--file") ||
                     !strcmp(a, "--partition") || !strcmp(a, "--offset") || !strcmp(a, "--format") ||
                     !strcmp(a, "--db") || !strcmp(a, "--connections");
        if (!takes) {
            static const char *const known[] = {"--topic",  "--partition", "--offset", "--table",
                                                "--file",   "--format",    "--db",     "--connections"};
            if (a[0] == '-')
                flux_cli_unknown_option("lineage", a, known, sizeof known / sizeof *known);
            else
                flux_cli_usage_error("lineage", "unexpected argument '%s'", a);
            return FLUX_EXIT_USAGE;
        }
        if (!v) {
            flux_cli_usage_error("lineage", "option '%s' needs a value", a);
            return FLUX_EXIT_USAGE;
        }
        i++;
        char *end;
        if (!strcmp(a, "--topic"))
            q.kind = "kafka", q.name = v;
        else if (!strcmp(a, "--table"))
            q.kind = "table", q.name = v, q.suffix = strchr(v, '.') == NULL;
        else if (!strcmp(a, "--file"))
            q.kind = "file", q.name = v;
        else if (!strcmp(a, "--format"))
            q.format = v;
        else if (!strcmp(a, "--db"))
            db = v;
        else if (!strcmp(a, "--connections"))
            conns = v;
        else {
            long long n = strtoll(v, &end, 10);
            if (*end || n < 0) {
                flux_cli_usage_error("lineage", "%s needs a number, not '%s'", a, v);
                return FLUX_EXIT_USAGE;
            }
            if (!strcmp(a, "--partition"))
                q.partition = n;
            else
                q.offset = n;
        }
    }
    if (!q.kind) {
        flux_cli_usage_error("lineage", "give --topic T [--partition P] [--offset O], --table X or --file PATH");
        return FLUX_EXIT_USAGE;
    }
    if ((q.partition >= 0 || q.offset >= 0) && strcmp(q.kind, "kafka") != 0) {
        flux_cli_usage_error("lineage", "--partition and --offset go with --topic");
        return FLUX_EXIT_USAGE;
    }
    if (q.offset >= 0 && q.partition < 0) {
        flux_cli_usage_error("lineage", "--offset needs --partition: offsets are per partition");
        return FLUX_EXIT_USAGE;
    }
    if (strcmp(q.format, "text") && strcmp(q.format, "json")) {
        flux_cli_usage_error("lineage", "unknown format '%s' (text or json)", q.format);
        return FLUX_EXIT_USAGE;
    }
    char abs[4096];
    if (!strcmp(q.kind, "file") && q.name[0] != '/' && realpath(q.name, abs))
        q.name = abs;
    flux_store *s = flux_cli_open_store("lineage", db, conns);
    if (!s)
        return FLUX_EXIT_FAIL;
    flux_lineage_row *hits;
    size_t n;
    if (flux_store_find_lineage(s, q.kind, q.name, q.suffix, &hits, &n) != 0) {
        fprintf(stderr, "flux lineage: %s\n", flux_store_error(s));
        flux_store_close(s);
        return FLUX_EXIT_FAIL;
    }
    walker w = {s, !strcmp(q.format, "json"), NULL, 0, 0, FLUX_EXIT_OK};
    json_t *arr = json_array();
    size_t found = 0;
    /* a record is first moved by whoever wrote it there, then by readers */
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < n; i++) {
            bool is_write = hits[i].direction[0] == 'w';
            if (is_write != (pass == 0) || !covers(&hits[i], q.partition, q.offset) || seen(&w, hits[i].ti))
                continue;
            if (!w.json) {
                printf("%s ", found ? "\n" : "");
                describe(&hits[i], stdout);
            }
            found++;
            json_t *node = visit(&w, &hits[i], 1);
            if (node) {
                json_object_set_new(node, "matched", row_json(&hits[i]));
                json_array_append_new(arr, node);
            }
        }
    if (w.json) {
        json_t *root = json_pack("{s:s, s:s, s:o}", "kind", q.kind, "name", q.name, "moves", arr);
        if (q.partition >= 0)
            json_object_set_new(root, "partition", json_integer(q.partition));
        if (q.offset >= 0)
            json_object_set_new(root, "offset", json_integer(q.offset));
        char *t = json_dumps(root, JSON_INDENT(2));
        printf("%s\n", t);
        free(t);
        json_decref(root);
    } else {
        json_decref(arr);
        if (!found)
            printf("no task moved %s %s%s\n", q.kind, q.name,
                   q.offset >= 0 ? " at that offset" : q.partition >= 0 ? " in that partition" : "");
    }
    flux_lineage_rows_free(hits, n);
    free(w.seen);
    flux_store_close(s);
    return w.rc != FLUX_EXIT_OK ? w.rc : found ? FLUX_EXIT_OK : FLUX_EXIT_FAIL;
}
