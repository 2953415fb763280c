/* sqlkit — what the SQL operators (sqlite, mysql, sql_sensor) share: a
 * task's connection, SQL text and params, result rows in the log. */
#ifndef FLUX_SQLKIT_H
#define FLUX_SQLKIT_H

#include <jansson.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>

#include "opkit.h"

/* Result rows shown in the log; the rest are only counted. */
#define SQLKIT_ROWS_SHOWN 100

/* The connection (of type), SQL text and autocommit of an SQL task; NULL
 * after saying why it cannot run. */
const flux_conn *sqlkit_task(const opkit_task *t, const char *type, const char **sql, bool *autocommit);

/* The values of `params`: NULL when the task gives none, else an array of
 * scalars. *bad after printing why the field cannot be bound. */
json_t *sqlkit_params(const opkit_task *t, bool *bad);

/* One value of a result row on stdout, control bytes and backslashes
 * escaped; "| " before every line of a result; the count of rows after. */
void sqlkit_put_value(const char *s, size_t n);
void sqlkit_row_start(void);
void sqlkit_rows_summary(long long rows);

/* Whether SQLite's parser finds a statement in tail (after the first). */
bool sqlkit_sqlite_more(sqlite3 *db, const char *tail);

#endif
