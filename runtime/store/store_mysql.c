/* store_mysql — the production driver of the state store: MySQL or MariaDB
 * through MariaDB Connector/C, with server-side prepared statements.
 *
 * Session settings chosen here and why:
 * - utf8mb4 on the wire and utf8mb4_bin in the tables: names compare byte
 *   for byte and sort by code point, as they do in SQLite (the default
 *   collation would make "Load" and "load" the same pipeline).
 * - READ COMMITTED: each store call is a short transaction; a plain SELECT
 *   after a duplicate-key INSERT must see the row another writer just
 *   committed, and fewer gap locks mean fewer deadlocks.
 * - strict SQL mode: a value that does not fit fails instead of being
 *   silently truncated.
 * - CLIENT_FOUND_ROWS: "rows changed" counts the rows an UPDATE matched, as
 *   in SQLite, so updating a row to the values it has still finds it.
 * - no automatic reconnect by the client library: a new connection would
 *   lose the transaction in progress and every prepared statement without
 *   telling the caller. A lost connection fails the call it happened in;
 *   the store (store.c) opens a new one at its next call outside a
 *   transaction and prepares its statements again.
 */
#include <mysql.h>
#include <mysqld_error.h>
#include <errmsg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conn.h"
#include "mysqltls.h"
#include "store_driver.h"

struct flux_db {
    MYSQL *m;
    bool gone;
    char err[512];
};

typedef struct rcol {
    bool is_int;
    int64_t ival;
    char *buf;          /* text columns: grown to fit, NUL-terminated after each fetch */
    unsigned long cap;  /* bytes allocated for buf */
    unsigned long len;
    my_bool null;
} rcol;

struct flux_db_stmt {
    flux_db *owner;
    MYSQL_STMT *st;
    unsigned nparams, ncols;
    MYSQL_BIND *params;
    int64_t *pints;
    unsigned long *plens;
    MYSQL_BIND *binds; /* result columns */
    rcol *cols;
    bool executed;     /* between the first step() and reset() */
    bool has_result;
};

/* ---- schema: steps[v] takes version v to v + 1 ----
 * DDL commits on its own in MySQL, so every statement can run again after an
 * interrupted migration (IF NOT EXISTS), and indexes are declared inside
 * CREATE TABLE for the same reason. */

#define TABLE_OPTIONS " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin"

static const char *const step_0_to_1[] = {
    "CREATE TABLE IF NOT EXISTS flux_schema ("
    " version INT NOT NULL,"
    " migrated_at BIGINT NOT NULL)" TABLE_OPTIONS,

    "CREATE TABLE IF NOT EXISTS pipelines ("
    " name VARCHAR(255) NOT NULL PRIMARY KEY,"
    " current_plan VARCHAR(64) NULL,"
    " paused TINYINT NOT NULL DEFAULT 0,"
    " created_at BIGINT NOT NULL,"
    " updated_at BIGINT NOT NULL)" TABLE_OPTIONS,

    "CREATE TABLE IF NOT EXISTS plan_versions ("
    " id VARCHAR(64) NOT NULL PRIMARY KEY,"
    " pipeline VARCHAR(255) NOT NULL,"
    " plan_yaml LONGTEXT NOT NULL,"
    " source_path TEXT NULL,"
    " source_sha256 VARCHAR(64) NULL,"
    " deployed_at BIGINT NOT NULL,"
    " KEY plan_versions_by_pipeline (pipeline, deployed_at),"
    " CONSTRAINT plan_versions_pipeline FOREIGN KEY (pipeline) REFERENCES pipelines(name))" TABLE_OPTIONS,

    "CREATE TABLE IF NOT EXISTS runs ("
    " id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,"
    " pipeline VARCHAR(255) NOT NULL,"
    " run_id VARCHAR(128) NOT NULL,"
    " plan_id VARCHAR(64) NULL,"
    " trigger_kind VARCHAR(16) NOT NULL,"
    " state VARCHAR(16) NOT NULL,"
    " interval_start BIGINT NOT NULL,"
    " interval_end BIGINT NOT NULL,"
    " logical_date BIGINT NOT NULL,"
    " created_at BIGINT NOT NULL,"
    " started_at BIGINT NULL,"
    " ended_at BIGINT NULL,"
    " UNIQUE KEY runs_pipeline_run_id (pipeline, run_id),"
    " KEY runs_by_date (logical_date, id),"
    " KEY runs_by_pipeline_date (pipeline, logical_date, id),"
    " CONSTRAINT runs_pipeline FOREIGN KEY (pipeline) REFERENCES pipelines(name),"
    " CONSTRAINT runs_plan FOREIGN KEY (plan_id) REFERENCES plan_versions(id))" TABLE_OPTIONS,

    "CREATE TABLE IF NOT EXISTS task_instances ("
    " id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,"
    " run BIGINT NOT NULL,"
    " task VARCHAR(255) NOT NULL,"
    " try_number INT NOT NULL,"
    " state VARCHAR(24) NOT NULL,"
    " queued_at BIGINT NULL,"
    " started_at BIGINT NULL,"
    " ended_at BIGINT NULL,"
    " exit_status INT NULL,"
    " pid INT NULL,"
    " host VARCHAR(255) NULL,"
    " log_path TEXT NULL,"
    " rendered LONGTEXT NULL,"
    " outputs LONGTEXT NULL,"
    " note MEDIUMTEXT NULL,"
    " UNIQUE KEY task_instances_try (run, task, try_number),"
    " CONSTRAINT task_instances_run FOREIGN KEY (run) REFERENCES runs(id))" TABLE_OPTIONS,

    "CREATE TABLE IF NOT EXISTS transfer_counts ("
    " ti BIGINT NOT NULL PRIMARY KEY,"
    " records_read BIGINT NOT NULL,"
    " records_written BIGINT NOT NULL,"
    " records_rejected BIGINT NOT NULL,"
    " bytes BIGINT NOT NULL,"
    " CONSTRAINT transfer_counts_ti FOREIGN KEY (ti) REFERENCES task_instances(id))" TABLE_OPTIONS,

    /* names can be long file paths: TEXT, indexed on a prefix */
    "CREATE TABLE IF NOT EXISTS lineage ("
    " id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,"
    " ti BIGINT NOT NULL,"
    " direction VARCHAR(5) NOT NULL CHECK (direction IN ('read', 'write')),"
    " kind VARCHAR(32) NOT NULL,"
    " name TEXT NOT NULL,"
    " detail LONGTEXT NULL,"
    " KEY lineage_by_ti (ti),"
    " KEY lineage_by_name (kind, name(255)),"
    " CONSTRAINT lineage_ti FOREIGN KEY (ti) REFERENCES task_instances(id))" TABLE_OPTIONS,
    NULL,
};

/* version 2: the scheduler's and `flux deploy`'s tables (see store_sqlite.c) */
static const char *const step_1_to_2[] = {
    "CREATE TABLE IF NOT EXISTS deployments ("
    " id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,"
    " pipeline VARCHAR(255) NOT NULL,"
    " version INT NOT NULL,"
    " plan_id VARCHAR(64) NOT NULL,"
    " source_path TEXT NULL,"
    " source_sha256 VARCHAR(64) NULL,"
    " commit_id VARCHAR(64) NULL,"
    " deployed_at BIGINT NOT NULL,"
    " UNIQUE KEY deployments_version (pipeline, version),"
    " CONSTRAINT deployments_pipeline FOREIGN KEY (pipeline) REFERENCES pipelines(name),"
    " CONSTRAINT deployments_plan FOREIGN KEY (plan_id) REFERENCES plan_versions(id))" TABLE_OPTIONS,

    "CREATE TABLE IF NOT EXISTS sources ("
    " path VARCHAR(700) NOT NULL PRIMARY KEY,"
    " sha256 VARCHAR(64) NULL,"
    " commit_id VARCHAR(64) NULL,"
    " errors MEDIUMTEXT NULL,"
    " checked_at BIGINT NOT NULL)" TABLE_OPTIONS,

    "CREATE TABLE IF NOT EXISTS pipeline_sources ("
    " pipeline VARCHAR(255) NOT NULL PRIMARY KEY,"
    " source_path VARCHAR(700) NOT NULL,"
    " removed_at BIGINT NULL,"
    " updated_at BIGINT NOT NULL,"
    " CONSTRAINT pipeline_sources_pipeline FOREIGN KEY (pipeline) REFERENCES pipelines(name))" TABLE_OPTIONS,

    "CREATE TABLE IF NOT EXISTS run_control ("
    " run BIGINT NOT NULL PRIMARY KEY,"
    " owner VARCHAR(255) NULL,"
    " claimed_at BIGINT NULL,"
    " params LONGTEXT NULL,"
    " CONSTRAINT run_control_run FOREIGN KEY (run) REFERENCES runs(id))" TABLE_OPTIONS,

    "CREATE TABLE IF NOT EXISTS schedulers ("
    " id VARCHAR(255) NOT NULL PRIMARY KEY,"
    " host VARCHAR(255) NOT NULL,"
    " pid INT NOT NULL,"
    " started_at BIGINT NOT NULL,"
    " heartbeat_at BIGINT NOT NULL,"
    " stopped_at BIGINT NULL)" TABLE_OPTIONS,
    NULL,
};

/* version 3: a try's log cut (see store_sqlite.c) */
static const char *const step_2_to_3[] = {
    "CREATE TABLE IF NOT EXISTS log_truncations ("
    " ti BIGINT NOT NULL PRIMARY KEY,"
    " dropped_bytes BIGINT NOT NULL,"
    " max_log_size BIGINT NOT NULL,"
    " CONSTRAINT log_truncations_ti FOREIGN KEY (ti) REFERENCES task_instances(id))" TABLE_OPTIONS,
    NULL,
};

/* version 4: what views show of a plan without reading its text */
static const char *const step_3_to_4[] = {
    "CREATE TABLE IF NOT EXISTS plan_meta ("
    " plan_id VARCHAR(64) NOT NULL PRIMARY KEY,"
    " description TEXT NULL,"
    " owner TEXT NULL,"
    " tags TEXT NOT NULL,"
    " schedule TEXT NULL,"
    " timezone TEXT NULL,"
    " tasks BIGINT NOT NULL,"
    " CONSTRAINT plan_meta_plan FOREIGN KEY (plan_id) REFERENCES plan_versions(id))" TABLE_OPTIONS,
    NULL,
};

/* version 5: the change feed, a try's ready time and the web UI's indexes
 * (see store_sqlite.c). ALTER and CREATE INDEX commit on their own like any
 * DDL here: IF NOT EXISTS (MariaDB's) lets an interrupted migration run
 * again. */
static const char *const step_4_to_5[] = {
    "CREATE TABLE IF NOT EXISTS events ("
    " id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,"
    " at BIGINT NOT NULL,"
    " kind VARCHAR(8) NOT NULL CHECK (kind IN ('run', 'ti')),"
    " run BIGINT NOT NULL,"
    " ti BIGINT NULL,"
    " pipeline VARCHAR(255) NOT NULL,"
    " task VARCHAR(255) NULL,"
    " state VARCHAR(24) NOT NULL,"
    " KEY events_by_at (at))" TABLE_OPTIONS,
    "ALTER TABLE task_instances ADD COLUMN IF NOT EXISTS ready_at BIGINT NULL",
    "CREATE INDEX IF NOT EXISTS runs_by_pipeline_state_date ON runs (pipeline, state, logical_date, id)",
    "CREATE INDEX IF NOT EXISTS runs_by_state_ended ON runs (state, ended_at)",
    "CREATE INDEX IF NOT EXISTS task_instances_by_state ON task_instances (state, run)",
    NULL,
};

/* version 6: the outbox of notifications and the deadlines missed */
static const char *const step_5_to_6[] = {
    "CREATE TABLE IF NOT EXISTS notifications ("
    " id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,"
    " idem_key VARCHAR(80) NOT NULL,"
    " run BIGINT NOT NULL,"
    " ti BIGINT NULL,"
    " task VARCHAR(255) NULL,"
    " try_number INT NOT NULL,"
    " event VARCHAR(16) NOT NULL,"
    " notifier VARCHAR(255) NOT NULL,"
    " note TEXT NULL,"
    " state VARCHAR(16) NOT NULL,"
    " attempts INT NOT NULL,"
    " last_error TEXT NULL,"
    " next_at BIGINT NOT NULL,"
    " claim VARCHAR(255) NULL,"
    " claimed_at BIGINT NULL,"
    " created_at BIGINT NOT NULL,"
    " sent_at BIGINT NULL,"
    " UNIQUE KEY notifications_key (idem_key),"
    " KEY notifications_due (state, next_at),"
    " CONSTRAINT notifications_run FOREIGN KEY (run) REFERENCES runs(id),"
    " CONSTRAINT notifications_ti FOREIGN KEY (ti) REFERENCES task_instances(id))" TABLE_OPTIONS,
    "CREATE TABLE IF NOT EXISTS deadline_misses ("
    " run BIGINT NOT NULL,"
    " task VARCHAR(255) NOT NULL,"
    " deadline_at BIGINT NOT NULL,"
    " missed_at BIGINT NOT NULL,"
    " PRIMARY KEY (run, task),"
    " CONSTRAINT deadline_misses_run FOREIGN KEY (run) REFERENCES runs(id))" TABLE_OPTIONS,
    NULL,
};

/* version 7: tries run as Slurm jobs (see store_sqlite.c) */
static const char *const step_6_to_7[] = {
    "CREATE TABLE IF NOT EXISTS slurm_tries ("
    " ti BIGINT NOT NULL PRIMARY KEY,"
    " run BIGINT NOT NULL,"
    " token VARCHAR(64) NOT NULL,"
    " phase VARCHAR(16) NOT NULL,"
    " job_id BIGINT NULL,"
    " node VARCHAR(127) NULL,"
    " slurm_state VARCHAR(32) NULL,"
    " exit_status INT NULL,"
    " report LONGTEXT NULL,"
    " updated_at BIGINT NOT NULL,"
    " INDEX slurm_tries_by_run (run),"
    " CONSTRAINT slurm_tries_ti FOREIGN KEY (ti) REFERENCES task_instances(id))" TABLE_OPTIONS,
    NULL,
};

static const char *const *const steps[] = {step_0_to_1, step_1_to_2, step_2_to_3, step_3_to_4, step_4_to_5,
                                            step_5_to_6, step_6_to_7};

/* ---- errors ---- */

static int classify(flux_db *d, unsigned code, const char *msg)
{
    switch (code) {
    case CR_SERVER_GONE_ERROR:
    case CR_SERVER_LOST:
    case CR_SERVER_LOST_EXTENDED:
    case CR_CONNECTION_ERROR:
    case CR_CONN_HOST_ERROR:
    case ER_SERVER_SHUTDOWN:
    case ER_CONNECTION_KILLED:
        d->gone = true;
        snprintf(d->err, sizeof d->err,
                 "lost the connection to the MySQL server (%s); the next call reconnects",
                 msg);
        return FLUX_DB_GONE;
    case ER_DUP_ENTRY:
    case ER_DUP_ENTRY_WITH_KEY_NAME:
        snprintf(d->err, sizeof d->err, "%s", msg);
        return FLUX_DB_DUP;
    case ER_LOCK_DEADLOCK:
    case ER_LOCK_WAIT_TIMEOUT:
        snprintf(d->err, sizeof d->err, "%s", msg);
        return FLUX_DB_RETRY;
    default:
        snprintf(d->err, sizeof d->err, "%s (MySQL error %u)", msg, code);
        return FLUX_DB_ERROR;
    }
}

static int conn_error(flux_db *d)
{
    return classify(d, mysql_errno(d->m), mysql_error(d->m));
}

static int stmt_error(flux_db_stmt *s)
{
    return classify(s->owner, mysql_stmt_errno(s->st), mysql_stmt_error(s->st));
}

/* Once the connection is lost, every call fails the same way, with the
 * message of the loss. */
#define IF_GONE_RETURN(d)                                                                                     \
    do {                                                                                                       \
        if ((d)->gone)                                                                                         \
            return FLUX_DB_GONE;                                                                               \
    } while (0)

static const char *my_errmsg(flux_db *d)
{
    return d->err;
}

static bool my_gone(flux_db *d)
{
    return d->gone;
}

/* ---- URL and password ---- */

/* Decodes %XX escapes in place (user names and passwords may hold '@' or
 * '/'). -1 on a malformed escape. */
static int pct_decode(char *s)
{
    char *o = s;
    for (char *p = s; *p; p++) {
        if (*p != '%') {
            *o++ = *p;
            continue;
        }
        int hi, lo;
        char h = p[1], l = h ? p[2] : 0;
        hi = h >= '0' && h <= '9' ? h - '0' : h >= 'a' && h <= 'f' ? h - 'a' + 10 : h >= 'A' && h <= 'F' ? h - 'A' + 10 : -1;
        lo = l >= '0' && l <= '9' ? l - '0' : l >= 'a' && l <= 'f' ? l - 'a' + 10 : l >= 'A' && l <= 'F' ? l - 'A' + 10 : -1;
        if (hi < 0 || lo < 0)
            return -1;
        *o++ = (char)(hi * 16 + lo);
        p += 2;
    }
    *o = 0;
    return 0;
}

/* Reads the first line of the password file. Errors name the file, never
 * its contents. */
static char *password_from_file(const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "FLUX_DB_PASSWORD_FILE %s cannot be read", path);
        return NULL;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n = getline(&line, &cap, f);
    fclose(f);
    if (n < 0) {
        free(line);
        return strdup(""); /* an empty file: an empty password */
    }
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = 0;
    return line;
}

typedef struct target {
    char *buf; /* the URL copy the pointers below point into */
    const char *user, *host, *db;
    flux_conn params; /* ?ssl_mode=M&ca_file=/PATH, as a connection's (conn.h), in arena */
    flux_arena *arena;
    char *password; /* malloc'd when not from the URL; wiped after use */
    bool password_owned;
    unsigned port;
} target;

static void target_free(target *t)
{
    if (t->password) {
        explicit_bzero(t->password, strlen(t->password));
        if (t->password_owned)
            free(t->password);
    }
    if (t->buf) {
        explicit_bzero(t->buf, strlen(t->buf));
        free(t->buf);
    }
    flux_arena_free(t->arena);
    memset(t, 0, sizeof *t);
}

/* the parameters after the '?', read as a connection URI's are (conn.h) */
static int parse_params(char *q, target *t, char *err, size_t errlen)
{
    t->arena = flux_arena_new();
    char why[512];
    int rc = flux_conn_uri_params(t->arena, q, &t->params, why, sizeof why);
    if (rc != 0) /* "has an unknown parameter\nhelp: ...": the first line */
        snprintf(err, errlen, "mysql URL %.*s", (int)strcspn(why, "\n"), why);
    return rc;
}

/* user[:password]@host[:port]/database[?ssl_mode=M&ca_file=/PATH]. Error
 * messages quote the parts, never the password. */
static int parse_target(const char *url, target *t, char *err, size_t errlen)
{
    memset(t, 0, sizeof *t);
    t->buf = strdup(url);
    if (!t->buf) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    char *p = t->buf;
    /* the parameters start at the first '?' after the credentials (a
     * password may hold one unescaped) */
    char *last_at = strrchr(p, '@'), *q = strchr(last_at ? last_at : p, '?');
    if (q) {
        *q = 0;
        if (parse_params(q + 1, t, err, errlen)) {
            target_free(t);
            return -1;
        }
    }
    char *at = strrchr(p, '@'); /* the last '@': an unescaped one in a password still works */
    char *hostpart = p;
    if (at) {
        *at = 0;
        hostpart = at + 1;
        char *colon = strchr(p, ':');
        if (colon) {
            *colon = 0;
            t->password = colon + 1;
        }
        t->user = p;
        if (pct_decode(p) || (t->password && pct_decode(t->password))) {
            snprintf(err, errlen, "mysql URL: bad %%-escape in the user or password");
            target_free(t);
            return -1;
        }
    }
    char *slash = strchr(hostpart, '/');
    if (!slash || !slash[1]) {
        snprintf(err, errlen, "mysql URL needs a database: mysql://user@host[:port]/database");
        target_free(t);
        return -1;
    }
    *slash = 0;
    t->db = slash + 1;
    if (strpbrk(t->db, "/#")) { /* a '?' started the parameters, above */
        /* not quoted: it may hold what was meant as a password */
        snprintf(err, errlen, "mysql URL: the database name holds '/' or '#'");
        target_free(t);
        return -1;
    }
    char *host = hostpart;
    char *portp = NULL;
    if (*host == '[') { /* [IPv6]:port */
        char *close = strchr(host, ']');
        if (!close) {
            snprintf(err, errlen, "mysql URL: unclosed '[' in the host");
            target_free(t);
            return -1;
        }
        *close = 0;
        host++;
        if (close[1] == ':')
            portp = close + 2;
    } else {
        char *colon = strchr(host, ':');
        if (colon) {
            *colon = 0;
            portp = colon + 1;
        }
    }
    t->host = *host ? host : "localhost";
    t->port = 3306;
    if (portp) {
        char *end;
        unsigned long port = strtoul(portp, &end, 10);
        if (!*portp || *end || port == 0 || port > 65535) {
            /* without an '@' it may be a password whose @host is missing */
            if (at)
                snprintf(err, errlen, "mysql URL: bad port '%s'", portp);
            else
                snprintf(err, errlen, "mysql URL: bad port (a port is a number; a password goes as "
                                      "user:password@host)");
            target_free(t);
            return -1;
        }
        t->port = (unsigned)port;
    }
    if (!t->password) {
        const char *env = getenv("FLUX_DB_PASSWORD");
        const char *file = getenv("FLUX_DB_PASSWORD_FILE");
        if (env && *env) {
            t->password = strdup(env);
            t->password_owned = true;
        } else if (file && *file) {
            t->password = password_from_file(file, err, errlen);
            t->password_owned = true;
            if (!t->password) {
                target_free(t);
                return -1;
            }
        }
        if (t->password_owned && !t->password) {
            snprintf(err, errlen, "out of memory");
            target_free(t);
            return -1;
        }
    }
    return 0;
}

/* ---- connection ---- */

static void my_close(flux_db *d)
{
    if (!d)
        return;
    if (d->m)
        mysql_close(d->m);
    free(d);
}

static int session(flux_db *d, const char *sql, char *err, size_t errlen)
{
    if (mysql_query(d->m, sql)) {
        snprintf(err, errlen, "mysql: %s: %s", sql, mysql_error(d->m));
        return -1;
    }
    return 0;
}

static int my_open(const char *url, bool readonly, flux_db **out, char *err, size_t errlen)
{
    *out = NULL;
    target t;
    if (parse_target(url, &t, err, errlen))
        return -1;
    flux_db *d = calloc(1, sizeof *d);
    if (!d || !(d->m = mysql_init(NULL))) {
        snprintf(err, errlen, "out of memory");
        free(d);
        target_free(&t);
        return -1;
    }
    unsigned timeout = 10;
    my_bool no = 0, yes = 1;
    mysql_options(d->m, MYSQL_SET_CHARSET_NAME, "utf8mb4");
    mysql_options(d->m, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
    mysql_options(d->m, MYSQL_OPT_RECONNECT, &no);
    mysql_options(d->m, MYSQL_REPORT_DATA_TRUNCATION, &yes);
    flux_conn c = {.name = "state store", .host = t.host, .port = (int)t.port, .user = t.user, .password = t.password,
                   .database = t.db, .ssl_mode = t.params.ssl_mode, .ca_file = t.params.ca_file};
    char why[600];
    if (mysqltls_connect(d->m, &c, CLIENT_FOUND_ROWS, why, sizeof why) != MYSQLTLS_OK) {
        snprintf(err, errlen, "mysql: cannot connect to %s@%s:%u/%s: %s", t.user ? t.user : "", t.host, t.port,
                 t.db, why);
        target_free(&t);
        my_close(d);
        return -1;
    }
    target_free(&t);
    if (session(d, "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED", err, errlen) ||
        session(d,
                "SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,"
                "ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION'",
                err, errlen) ||
        session(d, "SET NAMES utf8mb4 COLLATE utf8mb4_bin", err, errlen) ||
        (readonly && session(d, "SET SESSION TRANSACTION READ ONLY", err, errlen))) {
        my_close(d);
        return -1;
    }
    *out = d;
    return 0;
}

/* Runs a text query and drops any rows it returns. */
static int my_exec(flux_db *d, const char *sql)
{
    IF_GONE_RETURN(d);
    if (mysql_query(d->m, sql))
        return conn_error(d);
    MYSQL_RES *r = mysql_store_result(d->m);
    if (r)
        mysql_free_result(r);
    else if (mysql_field_count(d->m) != 0)
        return conn_error(d);
    return FLUX_DB_OK;
}

static int my_begin(flux_db *d)
{
    return my_exec(d, "START TRANSACTION");
}

static int my_commit(flux_db *d)
{
    IF_GONE_RETURN(d);
    return mysql_commit(d->m) ? conn_error(d) : FLUX_DB_OK;
}

static int my_rollback(flux_db *d)
{
    IF_GONE_RETURN(d);
    return mysql_rollback(d->m) ? conn_error(d) : FLUX_DB_OK;
}

/* A named lock per database, held by the connection: DDL cannot run inside
 * a transaction that would keep a second migrator out. */
static int my_migrate_lock(flux_db *d)
{
    IF_GONE_RETURN(d);
    if (mysql_query(d->m, "SELECT GET_LOCK(CONCAT('flux_migrate.', DATABASE()), 60)"))
        return conn_error(d);
    MYSQL_RES *r = mysql_store_result(d->m);
    if (!r)
        return conn_error(d);
    MYSQL_ROW row = mysql_fetch_row(r);
    bool got = row && row[0] && strcmp(row[0], "1") == 0;
    mysql_free_result(r);
    if (!got) {
        snprintf(d->err, sizeof d->err, "another process held the migration lock for 60 s");
        return FLUX_DB_ERROR;
    }
    return FLUX_DB_OK;
}

static void my_migrate_unlock(flux_db *d)
{
    if (!d->gone)
        my_exec(d, "DO RELEASE_LOCK(CONCAT('flux_migrate.', DATABASE()))");
}

/* ---- statements ---- */

static void my_finalize(flux_db_stmt *s)
{
    if (!s)
        return;
    if (s->st)
        mysql_stmt_close(s->st);
    for (unsigned i = 0; i < s->ncols; i++)
        free(s->cols[i].buf);
    free(s->params);
    free(s->pints);
    free(s->plens);
    free(s->binds);
    free(s->cols);
    free(s);
}

static bool int_type(enum enum_field_types t)
{
    return t == MYSQL_TYPE_TINY || t == MYSQL_TYPE_SHORT || t == MYSQL_TYPE_LONG || t == MYSQL_TYPE_INT24 ||
           t == MYSQL_TYPE_LONGLONG || t == MYSQL_TYPE_YEAR;
}

/* Points the result binding of column i at its buffer. Text buffers keep
 * one byte spare for the terminator. */
static void bind_col(flux_db_stmt *s, unsigned i)
{
    MYSQL_BIND *b = &s->binds[i];
    rcol *c = &s->cols[i];
    memset(b, 0, sizeof *b);
    b->is_null = &c->null;
    b->length = &c->len;
    if (c->is_int) {
        b->buffer_type = MYSQL_TYPE_LONGLONG;
        b->buffer = &c->ival;
    } else {
        b->buffer_type = MYSQL_TYPE_STRING;
        b->buffer = c->buf;
        b->buffer_length = c->cap - 1;
    }
}

static flux_db_stmt *my_prepare(flux_db *d, const char *sql)
{
    if (d->gone)
        return NULL;
    flux_db_stmt *s = calloc(1, sizeof *s);
    if (!s || !(s->st = mysql_stmt_init(d->m))) {
        snprintf(d->err, sizeof d->err, "out of memory");
        free(s);
        return NULL;
    }
    s->owner = d;
    if (mysql_stmt_prepare(s->st, sql, strlen(sql))) {
        stmt_error(s);
        my_finalize(s);
        return NULL;
    }
    s->nparams = (unsigned)mysql_stmt_param_count(s->st);
    s->ncols = mysql_stmt_field_count(s->st);
    size_t np = s->nparams ? s->nparams : 1, nc = s->ncols ? s->ncols : 1;
    s->params = calloc(np, sizeof *s->params);
    s->pints = calloc(np, sizeof *s->pints);
    s->plens = calloc(np, sizeof *s->plens);
    s->binds = calloc(nc, sizeof *s->binds);
    s->cols = calloc(nc, sizeof *s->cols);
    if (!s->params || !s->pints || !s->plens || !s->binds || !s->cols) {
        snprintf(d->err, sizeof d->err, "out of memory");
        my_finalize(s);
        return NULL;
    }
    for (unsigned i = 0; i < s->nparams; i++)
        s->params[i].buffer_type = MYSQL_TYPE_NULL;
    if (s->ncols) {
        MYSQL_RES *meta = mysql_stmt_result_metadata(s->st);
        if (!meta) {
            stmt_error(s);
            my_finalize(s);
            return NULL;
        }
        MYSQL_FIELD *f = mysql_fetch_fields(meta);
        for (unsigned i = 0; i < s->ncols; i++) {
            s->cols[i].is_int = int_type(f[i].type);
            if (!s->cols[i].is_int) {
                s->cols[i].cap = 256;
                s->cols[i].buf = malloc(s->cols[i].cap);
                if (!s->cols[i].buf) {
                    mysql_free_result(meta);
                    snprintf(d->err, sizeof d->err, "out of memory");
                    my_finalize(s);
                    return NULL;
                }
            }
            bind_col(s, i);
        }
        mysql_free_result(meta);
    }
    return s;
}

static int param(flux_db_stmt *s, int idx, MYSQL_BIND **b)
{
    if (idx < 1 || (unsigned)idx > s->nparams) {
        snprintf(s->owner->err, sizeof s->owner->err, "parameter %d of %u", idx, s->nparams);
        return FLUX_DB_ERROR;
    }
    *b = &s->params[idx - 1];
    memset(*b, 0, sizeof **b);
    return FLUX_DB_OK;
}

static int my_bind_int(flux_db_stmt *s, int idx, int64_t v)
{
    MYSQL_BIND *b;
    if (param(s, idx, &b))
        return FLUX_DB_ERROR;
    s->pints[idx - 1] = v;
    b->buffer_type = MYSQL_TYPE_LONGLONG;
    b->buffer = &s->pints[idx - 1];
    return FLUX_DB_OK;
}

static int my_bind_null(flux_db_stmt *s, int idx)
{
    MYSQL_BIND *b;
    if (param(s, idx, &b))
        return FLUX_DB_ERROR;
    b->buffer_type = MYSQL_TYPE_NULL;
    return FLUX_DB_OK;
}

static int my_bind_text(flux_db_stmt *s, int idx, const char *v)
{
    if (!v)
        return my_bind_null(s, idx);
    MYSQL_BIND *b;
    if (param(s, idx, &b))
        return FLUX_DB_ERROR;
    s->plens[idx - 1] = strlen(v);
    b->buffer_type = MYSQL_TYPE_STRING;
    b->buffer = (void *)v; /* only read: the binding API is not const-correct */
    b->buffer_length = s->plens[idx - 1];
    b->length = &s->plens[idx - 1];
    return FLUX_DB_OK;
}

/* After a fetch: fetches again each text column longer than its buffer
 * (into a grown one, kept for the next rows), then terminates them all. */
static int complete_row(flux_db_stmt *s)
{
    bool rebind = false;
    for (unsigned i = 0; i < s->ncols; i++) {
        rcol *c = &s->cols[i];
        if (c->is_int || c->null)
            continue;
        if (c->len > c->cap - 1) {
            unsigned long cap = c->len + 1;
            char *g = realloc(c->buf, cap);
            if (!g) {
                snprintf(s->owner->err, sizeof s->owner->err, "out of memory");
                return FLUX_DB_ERROR;
            }
            c->buf = g;
            c->cap = cap;
            bind_col(s, i);
            if (mysql_stmt_fetch_column(s->st, &s->binds[i], i, 0))
                return stmt_error(s);
            rebind = true;
        }
        c->buf[c->len] = 0;
    }
    if (rebind && mysql_stmt_bind_result(s->st, s->binds))
        return stmt_error(s);
    return FLUX_DB_OK;
}

static int my_step(flux_db_stmt *s)
{
    IF_GONE_RETURN(s->owner);
    if (!s->executed) {
        s->executed = true;
        if (s->nparams && mysql_stmt_bind_param(s->st, s->params))
            return stmt_error(s);
        if (mysql_stmt_execute(s->st))
            return stmt_error(s);
        if (!s->ncols)
            return FLUX_DB_DONE;
        if (mysql_stmt_bind_result(s->st, s->binds))
            return stmt_error(s);
        /* buffer the whole result: another statement may run before this one is reset */
        if (mysql_stmt_store_result(s->st))
            return stmt_error(s);
        s->has_result = true;
    }
    if (!s->has_result)
        return FLUX_DB_DONE;
    int rc = mysql_stmt_fetch(s->st);
    if (rc == MYSQL_NO_DATA)
        return FLUX_DB_DONE;
    if (rc != 0 && rc != MYSQL_DATA_TRUNCATED)
        return stmt_error(s);
    rc = complete_row(s);
    return rc ? rc : FLUX_DB_ROW;
}

static bool my_column_null(flux_db_stmt *s, int col)
{
    return (unsigned)col >= s->ncols || s->cols[col].null;
}

static int64_t my_column_int(flux_db_stmt *s, int col)
{
    if ((unsigned)col >= s->ncols || s->cols[col].null)
        return 0;
    if (s->cols[col].is_int)
        return s->cols[col].ival;
    return strtoll(s->cols[col].buf, NULL, 10);
}

static const char *my_column_text(flux_db_stmt *s, int col)
{
    if ((unsigned)col >= s->ncols || s->cols[col].null)
        return NULL;
    if (s->cols[col].is_int) {
        /* not needed by the store's queries; kept total for safety */
        rcol *c = &s->cols[col];
        if (!c->buf && (c->buf = malloc(24)))
            c->cap = 24;
        if (!c->buf)
            return NULL;
        snprintf(c->buf, c->cap, "%lld", (long long)c->ival);
        return c->buf;
    }
    return s->cols[col].buf;
}

static void my_reset(flux_db_stmt *s)
{
    if (s->has_result)
        mysql_stmt_free_result(s->st);
    s->executed = s->has_result = false;
    for (unsigned i = 0; i < s->nparams; i++) {
        memset(&s->params[i], 0, sizeof s->params[i]);
        s->params[i].buffer_type = MYSQL_TYPE_NULL;
    }
}

static int64_t my_changes(flux_db_stmt *s)
{
    return (int64_t)mysql_stmt_affected_rows(s->st);
}

static int64_t my_last_id(flux_db_stmt *s)
{
    return (int64_t)mysql_stmt_insert_id(s->st);
}

const flux_store_driver flux_store_mysql_driver = {
    .kind = "mysql",
    .steps = steps,
    .nsteps = (int)(sizeof steps / sizeof steps[0]),
    .table_exists_sql = "SELECT 1 FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?",
    .autocommit_single = true,
    .open = my_open,
    .close = my_close,
    .errmsg = my_errmsg,
    .gone = my_gone,
    .exec = my_exec,
    .begin = my_begin,
    .commit = my_commit,
    .rollback = my_rollback,
    .migrate_lock = my_migrate_lock,
    .migrate_unlock = my_migrate_unlock,
    .prepare = my_prepare,
    .finalize = my_finalize,
    .bind_int = my_bind_int,
    .bind_text = my_bind_text,
    .bind_null = my_bind_null,
    .step = my_step,
    .column_null = my_column_null,
    .column_int = my_column_int,
    .column_text = my_column_text,
    .reset = my_reset,
    .changes = my_changes,
    .last_id = my_last_id,
};
