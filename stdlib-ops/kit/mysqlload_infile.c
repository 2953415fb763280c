/* mysqlload_infile — sending the pending rows with LOAD DATA LOCAL INFILE
 * from memory inside the caller's transaction (rows taken and warnings
 * checked), and the DELETE of an interval for replace_interval. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "mysqlload_int.h"
#include "opkit.h"

/* ---- flush: LOAD DATA LOCAL from memory ------------------------------------ */

static int infile_init(void **ptr, const char *filename, void *userdata)
{
    (void)filename;
    mysqlload *m = userdata;
    m->sent = 0;
    *ptr = m;
    return 0;
}

static int infile_read(void *ptr, char *buf, unsigned int buflen)
{
    mysqlload *m = ptr;
    size_t n = m->len - m->sent;
    if (n > buflen)
        n = buflen;
    memcpy(buf, m->buf + m->sent, n);
    m->sent += n;
    return (int)n;
}

static void infile_end(void *ptr)
{
    (void)ptr;
}

static int infile_error(void *ptr, char *msg, unsigned int msglen)
{
    (void)ptr;
    snprintf(msg, msglen, "reading the rows in memory failed");
    return 1;
}


int mysqlload_flush(mysqlload *m, int64_t *written, char *err, size_t errlen)
{
    *written = 0;
    if (m->rows == 0)
        return 0;
    if (m->lite)
        return mysqlload_flush_sqlite(m, written, err, errlen);
    mysql_set_local_infile_handler(m->db, infile_init, infile_read, infile_end, infile_error, m);
    size_t ql = strlen(m->qtable) + strlen(m->collist) + 256;
    char *q = malloc(ql);
    if (!q) {
        opkit_fmt(err, errlen, "out of memory");
        return -1;
    }
    snprintf(q, ql,
             "LOAD DATA LOCAL INFILE 'flux-batch' INTO TABLE %s CHARACTER SET utf8mb4 "
             "FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' %s",
             m->qtable, m->collist);
    int rc = mysql_query(m->db, q);
    free(q);
    mysql_set_local_infile_default(m->db);
    if (rc) {
        opkit_fmt(err, errlen, "loading %zu rows into %s: %s", m->rows, m->qtable, mysql_error(m->db));
        return -1;
    }
    my_ulonglong took = mysql_affected_rows(m->db);
    unsigned warnings = mysql_warning_count(m->db);
    if (warnings) {
        /* LOCAL turns errors into warnings: any warning means some value was
         * not stored as sent */
        char first[600] = "";
        if (!mysql_query(m->db, "SHOW WARNINGS LIMIT 3")) {
            MYSQL_RES *res = mysql_store_result(m->db);
            MYSQL_ROW row;
            size_t used = 0;
            while (res && (row = mysql_fetch_row(res)) && used < sizeof first - 1) {
                int n = snprintf(first + used, sizeof first - used, "%s%s", used ? "; " : "", row[2] ? row[2] : "");
                if (n > 0)
                    used += (size_t)n;
                if (used >= sizeof first)
                    used = sizeof first - 1;
            }
            if (res)
                mysql_free_result(res);
        }
        opkit_fmt(err, errlen, "loading %zu rows into %s: the server warned %u time%s: %s", m->rows, m->qtable,
                      warnings, warnings == 1 ? "" : "s", first);
        return -1;
    }
    if (took != (my_ulonglong)m->rows) {
        opkit_fmt(err, errlen, "loading into %s: the server took %llu rows of %zu sent", m->qtable,
                      (unsigned long long)took, m->rows);
        return -1;
    }
    *written = (int64_t)took;
    m->len = 0;
    m->rows = 0;
    return 0;
}

/* ---- delete of an interval ------------------------------------------------- */

int mysqlload_delete_interval(MYSQL *db, const char *table, const char *col, int64_t start_ms, int64_t end_ms,
                              int64_t *deleted, char *err, size_t errlen)
{
    char qt[300];
    *deleted = 0;
    if (mysqlload_quote_table(table, qt, sizeof qt)) {
        opkit_fmt(err, errlen, "table '%s' is not a plain name (name or database.name)", table ? table : "");
        return -1;
    }
    if (!col || !mysqlload_plain_name(col, strlen(col))) {
        opkit_fmt(err, errlen, "time column '%s' is not a plain column name", col ? col : "");
        return -1;
    }
    char a[32], b[32], q[512];
    opkit_sqltime(start_ms, a);
    opkit_sqltime(end_ms, b);
    snprintf(q, sizeof q, "DELETE FROM %s WHERE `%s` >= '%s' AND `%s` < '%s'", qt, col, a, col, b);
    if (mysql_query(db, q)) {
        opkit_fmt(err, errlen, "deleting the interval's rows of %s: %s", qt, mysql_error(db));
        return -1;
    }
    *deleted = (int64_t)mysql_affected_rows(db);
    return 0;
}
