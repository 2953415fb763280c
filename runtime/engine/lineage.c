/* lineage — the walk from a record to the task instances that moved it
 * and on downstream, as a tree; see lineage.h. Transfers record what they
 * read and wrote per task instance (topic partitions with offset ranges,
 * files with size and hash, tables with row counts). */
#include "lineage.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 8

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

static json_t *row_json(const flux_lineage_row *r)
{
    json_t *d = r->detail ? json_loads(r->detail, 0, NULL) : NULL;
    return json_pack("{s:s, s:s, s:s, s:o}", "direction", r->direction, "kind", r->kind, "name", r->name, "detail",
                     d ? d : json_object());
}

typedef struct walker {
    flux_store *s;
    int64_t *seen;
    size_t nseen, capseen;
    char *err;
    size_t errlen;
} walker;

static bool seen(walker *w, int64_t ti)
{
    for (size_t i = 0; i < w->nseen; i++)
        if (w->seen[i] == ti)
            return true;
    if (w->nseen == w->capseen) {
        w->capseen = w->capseen ? 2 * w->capseen : 16;
        w->seen = realloc(w->seen, w->capseen * sizeof *w->seen);
        if (!w->seen)
            abort();
    }
    w->seen[w->nseen++] = ti;
    return false;
}

/* One task instance that moved the record: what it read and wrote, then
 * the later readers of what it wrote. */
static json_t *visit(walker *w, const flux_lineage_row *hit, int depth)
{
    json_t *node = json_pack("{s:I, s:s, s:s, s:s, s:i, s:s}", "run", (json_int_t)hit->run, "pipeline",
                             hit->pipeline, "run_id", hit->run_id, "task", hit->task, "try", hit->try_number, "state",
                             flux_ti_state_name(hit->state));
    flux_lineage_row *mine;
    size_t n;
    if (flux_store_list_lineage(w->s, hit->ti, &mine, &n) != 0) {
        snprintf(w->err, w->errlen, "%s", flux_store_error(w->s));
        return node;
    }
    json_t *moved = json_array(), *then = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(moved, row_json(&mine[i]));
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
            json_array_append_new(then, visit(w, &rd[j], depth + 1));
        }
        flux_lineage_rows_free(rd, m);
    }
    json_object_set_new(node, "moved", moved);
    json_object_set_new(node, "then", then);
    flux_lineage_rows_free(mine, n);
    return node;
}

json_t *flux_lineage_walk(flux_store *s, const flux_lineage_query *q, char *err, size_t errlen)
{
    *err = '\0';
    flux_lineage_row *hits;
    size_t n;
    if (flux_store_find_lineage(s, q->kind, q->name, q->suffix, &hits, &n) != 0) {
        snprintf(err, errlen, "%s", flux_store_error(s));
        return NULL;
    }
    walker w = {s, NULL, 0, 0, err, errlen};
    json_t *moves = json_array();
    /* a record is first moved by whoever wrote it there, then by readers */
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < n; i++) {
            bool is_write = hits[i].direction[0] == 'w';
            if (is_write != (pass == 0) || !covers(&hits[i], q->partition, q->offset) || seen(&w, hits[i].ti))
                continue;
            json_t *node = visit(&w, &hits[i], 1);
            json_object_set_new(node, "matched", row_json(&hits[i]));
            json_array_append_new(moves, node);
        }
    flux_lineage_rows_free(hits, n);
    free(w.seen);
    json_t *root = json_pack("{s:s, s:s, s:o}", "kind", q->kind, "name", q->name, "moves", moves);
    if (q->partition >= 0)
        json_object_set_new(root, "partition", json_integer(q->partition));
    if (q->offset >= 0)
        json_object_set_new(root, "offset", json_integer(q->offset));
    return root;
}
