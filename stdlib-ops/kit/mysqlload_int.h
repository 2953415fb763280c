/* mysqlload_int — what the files of mysqlload share (mysqlload.h is the
 * interface): a column's type as the checks see it, the loader itself, and
 * the few helpers more than one file uses. Included only by mysqlload_*.c. */
#ifndef FLUX_MYSQLLOAD_INT_H
#define FLUX_MYSQLLOAD_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mysqlload.h"

typedef enum {
    K_INT,     /* tinyint ... bigint, year, bit */
    K_DECIMAL, /* decimal(p,s) */
    K_FLOAT,   /* float, double */
    K_CHARS,   /* char, varchar: length in characters */
    K_BYTES,   /* text, blob, binary types: length in bytes */
    K_ENUM,
    K_JSON, /* json (MySQL), or MariaDB's longtext CHECK (json_valid(col)) */
    K_DATE,
    K_DATETIME, /* datetime, timestamp */
    K_OTHER     /* time, set, geometry...: text passed through */
} kind;

typedef struct col {
    char *name;
    char *type;  /* COLUMN_TYPE, for messages */
    kind k;
    bool nullable;
    bool timestamp; /* TIMESTAMP: 1970..2038 */
    int64_t lo;     /* K_INT signed range */
    int64_t hi;
    uint64_t uhi; /* K_INT unsigned maximum */
    bool unsig;
    int prec, scale; /* K_DECIMAL; K_DATETIME: scale = fractional digits */
    int64_t maxlen;  /* K_CHARS characters, K_BYTES bytes; <0 unknown */
    char **enums;
    size_t nenums;
} col;

struct mysqlload {
    MYSQL *db;
    sqlite3 *lite;          /* a SQLite database standing in for MySQL */
    sqlite3_stmt *insert;   /* its INSERT of one row */
    char qtable[300];
    char *collist; /* "(`a`,`b`)" */
    col *cols;
    size_t ncols;
    char *buf; /* pending rows as LOAD DATA text */
    size_t len, cap;
    size_t rows;
    size_t sent; /* read position during a flush */
};


/* A plain identifier: what a table or column name may be without quoting
 * rules of our own (no backquote can reach the SQL). */
bool mysqlload_plain_name(const char *s, size_t n);

/* A column's kind and limits from its information_schema text (the SQLite
 * stand-in passes its declared type split the same way). */
void mysqlload_set_kind(col *c, const char *dt, const char *ctype, const char *charlen, const char *octlen,
                        const char *prec, const char *scale, const char *dtprec);
void mysqlload_col_free(col *c);

/* Moves the column named want (any case) out of all into *into; -1 with
 * "table 't' has no column 'c'" and a did-you-mean among all's names. */
int mysqlload_take_column(col *all, size_t nall, const char *table, const char *want, col *into, char *err,
                          size_t errlen);

/* strict integer text: [+-]digits. 0 when it is one, *neg and *mag set. */
int mysqlload_parse_int(const char *s, bool *neg, uint64_t *mag);

/* The SQLite stand-in's flush: the pending rows inserted one by one. */
int mysqlload_flush_sqlite(mysqlload *m, int64_t *written, char *err, size_t errlen);

#endif
