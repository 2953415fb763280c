/* mysqlload — typed rows into a MySQL table, fast and exact. Each value is
 * checked against the column's type first (integer range, number, date-time,
 * length in characters, NOT NULL), so a bad record is rejected with a reason
 * instead of being truncated or turned into a warning; then a batch is sent
 * with LOAD DATA LOCAL INFILE from memory inside the caller's transaction,
 * and the rows the server took must equal the rows sent. */
#ifndef FLUX_MYSQLLOAD_H
#define FLUX_MYSQLLOAD_H

#include <jansson.h>
#include <mysql.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct mysqlload mysqlload;

/* The columns to fill of table (a name, or database.name), their types read
 * from information_schema. An unknown table or column fails here, naming it
 * (with a did-you-mean). NULL with err. */
mysqlload *mysqlload_open(MYSQL *db, const char *table, const char *const *cols, size_t ncols, char *err,
                          size_t errlen);

/* Adds one row: vals[i] is the value of column i (NULL: the value is missing,
 * json null: SQL NULL). Numbers, booleans and strings are checked against the
 * column; a string holding a number ("12.30") is accepted for a number
 * column. text=true (CSV, where every field is a string): an empty field is
 * NULL except in text columns, "true"/"false" go into integer columns, a
 * number of seconds is accepted for a time, and a JSON column takes the
 * field's JSON text (which must parse). Enum members are matched ignoring
 * case; fractional seconds finer than the column's are cut.
 * Date-time columns take ISO 8601 text (with Z or an offset, stored in UTC)
 * or a number of seconds since the epoch. 0 when added; -1 with why
 * (e.g. "column 'host': 300 characters, longer than VARCHAR(64)") and
 * nothing added. */
int mysqlload_add(mysqlload *m, json_t *const *vals, bool text, char *why, size_t whylen);
size_t mysqlload_pending(const mysqlload *m);
/* bytes of the pending rows */
int64_t mysqlload_pending_bytes(const mysqlload *m);

/* Sends the pending rows (no commit). *written: rows the server took. -1
 * with err (the server's message; or rows taken != rows sent, or a warning:
 * the caller rolls back). */
int mysqlload_flush(mysqlload *m, int64_t *written, char *err, size_t errlen);
void mysqlload_close(mysqlload *m);

/* The one DATE, DATETIME or TIMESTAMP column among those loaded, or NULL
 * (none, or several): the time of a row when a task names no time_column. */
const char *mysqlload_time_column(const mysqlload *m);

/* A SQLite database standing in for MySQL (the embedded default): the
 * declared column types are read as MySQL's and values checked the same way;
 * flush inserts row by row inside the caller's transaction. */
mysqlload *mysqlload_open_sqlite(sqlite3 *db, const char *table, const char *const *cols, size_t ncols, char *err,
                                 size_t errlen);
int mysqlload_delete_interval_sqlite(sqlite3 *db, const char *table, const char *col, int64_t start_ms,
                                     int64_t end_ms, int64_t *deleted, char *err, size_t errlen);

/* The values of a result row as JSON (numbers as numbers, DATETIME as ISO
 * 8601 UTC text, NULL as null, binary as text when UTF-8 else base64):
 * vals[i] new references. For mysql_to_file and mysql_to_kafka. */
void mysqlload_row_json(MYSQL_FIELD *fields, unsigned nfields, MYSQL_ROW row, unsigned long *lengths,
                        json_t **vals);

/* v as compact JSON text whose real numbers are the shortest text that reads
 * back exactly (0.1, not 0.10000000000000001); malloc'd, NULL when out of
 * memory. For writers of JSON (files, messages) of values from
 * mysqlload_row_json. */
char *mysqlload_json_text(json_t *v);

/* "DELETE FROM table WHERE col >= start AND col < end" for replace_interval
 * (times in UTC). -1 with err. *deleted rows removed. */
int mysqlload_delete_interval(MYSQL *db, const char *table, const char *col, int64_t start_ms, int64_t end_ms,
                              int64_t *deleted, char *err, size_t errlen);

/* A table name checked and back-quoted: `db`.`t`. -1 when not a plain name. */
int mysqlload_quote_table(const char *table, char *out, size_t outlen);

#endif
