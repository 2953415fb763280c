/* sqlkit — what the SQL operators (sqlite, mysql, sql_sensor) share: a
 * task's connection, SQL text and bound params, and result rows shown in the
 * log one escaped line each, so a value can neither break the table nor
 * start a report line. */
#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "sqlkit.h"

/* the connection, SQL text and autocommit of an SQL task; NULL after saying
 * why it cannot run */
const flux_conn *sqlkit_task(const opkit_task *t, const char *type, const char **sql, bool *autocommit)
{
    *sql = opkit_need(t, "sql");
    *autocommit = opkit_bool(t, "autocommit", false);
    const flux_conn *c = *sql ? opkit_conn(t, "conn", type) : NULL;
    if (c && !strcmp(type, "sqlite") && !c->database) {
        fprintf(stderr, "flux: connection '%s' names no database file\n", c->name);
        return NULL;
    }
    return c;
}

/* The values of `params`: NULL when the task gives none, else an array of
 * scalars. *bad after printing why the field cannot be bound. */
json_t *sqlkit_params(const opkit_task *t, bool *bad)
{
    *bad = false;
    json_t *p = opkit_field(t, "params");
    if (!p || json_is_null(p))
        return NULL;
    if (!json_is_array(p)) {
        fprintf(stderr, "flux: params must be a list of values, one per '?' of the SQL\n");
        *bad = true;
        return NULL;
    }
    size_t i;
    json_t *v;
    json_array_foreach(p, i, v)
    {
        if (json_is_object(v) || json_is_array(v)) {
            fprintf(stderr, "flux: params[%zu] is a %s: give strings, numbers, booleans or null\n", i,
                    json_is_object(v) ? "map" : "list");
            *bad = true;
            return NULL;
        }
    }
    return p;
}

/* One value of a result row on one line of the log: tabs, line breaks,
 * other control bytes and backslashes escaped, so a value can neither break the table nor start a
 * report line (::output ...). */
void sqlkit_put_value(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        switch (s[i]) {
        case '\t': fputs("\\t", stdout); break;
        case '\n': fputs("\\n", stdout); break;
        case '\r': fputs("\\r", stdout); break;
        case '\\': fputs("\\\\", stdout); break;
        default:
            if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
                printf("\\x%02x", (unsigned char)s[i]);
            else
                putchar(s[i]);
        }
    }
}

/* "| " before every line of a result, for the same reason */
void sqlkit_row_start(void)
{
    fputs("| ", stdout);
}

void sqlkit_rows_summary(long long rows)
{
    if (rows > SQLKIT_ROWS_SHOWN)
        printf("flux: %lld rows (the first %d shown)\n", rows, SQLKIT_ROWS_SHOWN);
    else
        printf("flux: %lld row%s\n", rows, rows == 1 ? "" : "s");
}

/* Is there a statement after the first? sqlite's own parser decides: the
 * tail holds one when preparing it yields a statement. */
bool sqlkit_sqlite_more(sqlite3 *db, const char *tail)
{
    sqlite3_stmt *next = NULL;
    bool more = sqlite3_prepare_v2(db, tail, -1, &next, NULL) != SQLITE_OK || next != NULL;
    sqlite3_finalize(next);
    return more;
}
