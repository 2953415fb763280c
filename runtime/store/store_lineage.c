/* store_lineage — what a try moved: its transfer counts (read, written,
 * rejected, bytes) and the datasets it read or wrote, and the lookup of the
 * tries that touched a dataset. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_private.h"

int flux_store_put_counts(flux_store *s, int64_t ti, int64_t read, int64_t written, int64_t rejected,
                          int64_t bytes)
{
    if (read < 0 || written < 0 || rejected < 0 || bytes < 0)
        return store_fail(s, "transfer counts of task instance %lld are negative", (long long)ti), -1;
    int64_t v[] = {read, written, rejected, bytes, ti};
    return store_put_ti_ints(s, ST_COUNTS_UPDATE, ST_COUNTS_INSERT, v, 5, "transfer counts");
}

int flux_store_get_counts(flux_store *s, int64_t ti, int64_t *read, int64_t *written, int64_t *rejected,
                          int64_t *bytes)
{
    int64_t v[4];
    int rc = store_get_ti_ints(s, ST_COUNTS_GET, ti, v, 4, "transfer counts");
    if (rc == 0) {
        *read = v[0];
        *written = v[1];
        *rejected = v[2];
        *bytes = v[3];
    }
    return rc;
}

typedef struct {
    int64_t ti;
    const char *direction, *kind, *name, *detail;
} lineage_ctx;

static int put_lineage_body(flux_store *s, void *vctx)
{
    lineage_ctx *c = vctx;
    flux_db_stmt *st = store_use(s, ST_LINEAGE_INSERT);
    if (!st || store_bind(s, st, "issss", c->ti, c->direction, c->kind, c->name, c->detail))
        return -1;
    return store_run_stmt(s, st, "recording lineage");
}

int flux_store_put_lineage(flux_store *s, int64_t ti, const char *direction, const char *kind, const char *name,
                           const char *detail_json)
{
    if (!direction || (strcmp(direction, "read") != 0 && strcmp(direction, "write") != 0))
        return store_fail(s, "lineage direction '%s' is not read or write", direction ? direction : "(null)"), -1;
    if (store_check_name(s, "lineage kind", kind, MAX_KIND) || store_check_len(s, "lineage name", name, MAX_LINEAGE_NAME))
        return -1;
    if (!name || !*name)
        return store_fail(s, "lineage name is empty"), -1;
    bool oom = false;
    char *fname = store_utf8_fixed(name, &oom), *fdetail = store_utf8_fixed(detail_json, &oom);
    int rc = -1;
    if (oom)
        store_fail(s, "out of memory");
    else {
        lineage_ctx c = {ti, direction, kind, fname ? fname : name, fdetail ? fdetail : detail_json};
        rc = store_transact(s, put_lineage_body, &c, ONE_STATEMENT);
    }
    free(fname);
    free(fdetail);
    return rc;
}

void flux_lineage_rows_free(flux_lineage_row *rows, size_t n)
{
    for (size_t i = 0; rows && i < n; i++) {
        free(rows[i].name);
        free(rows[i].detail);
    }
    free(rows);
}

/* a lineage row; read_lineage_hit: with the task instance and run after it */
static int read_lineage(flux_store *s, flux_db_stmt *st, void *row)
{
    flux_lineage_row *l = row;
    bool oom = false;
    l->id = store_col_int(s, st, 0, 0);
    l->ti = store_col_int(s, st, 1, 0);
    store_col_copy(s, st, 2, l->direction, sizeof l->direction);
    store_col_copy(s, st, 3, l->kind, sizeof l->kind);
    l->name = store_col_dup(s, st, 4, &oom);
    l->detail = store_col_dup(s, st, 5, &oom);
    return oom || !l->name ? store_fail(s, "out of memory") : 0;
}

static int read_lineage_hit(flux_store *s, flux_db_stmt *st, void *row)
{
    flux_lineage_row *l = row;
    char state[32];
    l->run = store_col_int(s, st, 6, 0);
    store_col_copy(s, st, 7, l->pipeline, sizeof l->pipeline);
    store_col_copy(s, st, 8, l->run_id, sizeof l->run_id);
    store_col_copy(s, st, 9, l->task, sizeof l->task);
    l->try_number = (int)store_col_int(s, st, 10, 0);
    store_col_copy(s, st, 11, state, sizeof state);
    if (flux_ti_state_parse(state, &l->state))
        l->state = FLUX_TI_NONE;
    return read_lineage(s, st, row);
}

static void free_lineage(void *rows, size_t n)
{
    flux_lineage_rows_free(rows, n);
}

int flux_store_list_lineage(flux_store *s, int64_t ti, flux_lineage_row **rows, size_t *n)
{
    *rows = NULL;
    *n = 0;
    flux_db_stmt *st = store_use(s, ST_LINEAGE_LIST);
    if (!st || store_bind(s, st, "i", ti))
        return -1;
    return store_collect(s, st, sizeof **rows, read_lineage, free_lineage, (void **)rows, n, "listing lineage");
}

int flux_store_find_lineage(flux_store *s, const char *kind, const char *name, bool suffix,
                            flux_lineage_row **rows, size_t *n)
{
    *rows = NULL;
    *n = 0;
    char *like = malloc(strlen(name) + 3);
    if (!like)
        return store_fail(s, "out of memory"), -1;
    /* without suffix the LIKE arm must match nothing a name can hold */
    sprintf(like, suffix ? "%%.%s" : "", name);
    flux_db_stmt *st = store_use(s, ST_LINEAGE_FIND);
    int rc = !st || store_bind(s, st, "sss", kind, name, like)
                 ? -1
                 : store_collect(s, st, sizeof **rows, read_lineage_hit, free_lineage, (void **)rows, n, "listing lineage");
    free(like);
    if (rc || !suffix)
        return rc;
    /* exact: the whole name, or ".name" at its end */
    size_t k = 0, nl = strlen(name);
    for (size_t i = 0; i < *n; i++) {
        const char *nm = (*rows)[i].name;
        size_t ml = strlen(nm);
        bool keep = !strcmp(nm, name) || (ml > nl && nm[ml - nl - 1] == '.' && !strcmp(nm + ml - nl, name));
        if (keep)
            (*rows)[k++] = (*rows)[i];
        else {
            free((*rows)[i].name);
            free((*rows)[i].detail);
        }
    }
    *n = k;
    return 0;
}
