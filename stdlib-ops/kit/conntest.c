/* conntest — `flux connections test NAME`: open a real connection the way
 * the operators do (the same login, the same librdkafka settings), so a
 * wrong password or an unreachable broker shows before a pipeline runs. */
#include <curl/curl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "conntest.h"
#include "curltls.h"
#include "clock.h"
#include "opkit.h"

static int test_mysql(const flux_conn *c, char *msg, size_t len)
{
    /* opkit_mysql_connect prints its reason on stderr: that is the message */
    MYSQL *db = opkit_mysql_connect(c, false);
    if (!db) {
        snprintf(msg, len, "cannot connect (see above)");
        return -1;
    }
    const char *cipher = mysql_get_ssl_cipher(db);
    snprintf(msg, len, "MySQL server %s, database %s, user %s, %s%s", mysql_get_server_info(db),
             c->database ? c->database : "(none)", c->user ? c->user : "(none)", cipher ? "TLS " : "no TLS",
             cipher ? cipher : "");
    mysql_close(db);
    return 0;
}

static int test_sqlite(const flux_conn *c, char *msg, size_t len)
{
    struct stat st;
    if (!c->database) {
        snprintf(msg, len, "no database file");
        return -1;
    }
    if (stat(c->database, &st) != 0) {
        /* operators create it; only its directory must be there */
        char dir[4096];
        snprintf(dir, sizeof dir, "%s", c->database);
        char *sl = strrchr(dir, '/');
        if (sl)
            *sl = '\0';
        if (sl && dir[0] && stat(dir, &st) != 0) {
            snprintf(msg, len, "neither %s nor its directory exists", c->database);
            return -1;
        }
        snprintf(msg, len, "%s does not exist yet (the first task creates it)", c->database);
        return 0;
    }
    sqlite3 *db = NULL;
    int rc = sqlite3_open_v2(c->database, &db, SQLITE_OPEN_READONLY, NULL);
    sqlite3_stmt *q = NULL;
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table'", -1, &q, NULL);
    if (rc == SQLITE_OK && sqlite3_step(q) == SQLITE_ROW)
        snprintf(msg, len, "SQLite %s, %d table(s) in %s", sqlite3_libversion(), sqlite3_column_int(q, 0),
                 c->database);
    else {
        snprintf(msg, len, "%s: %s", c->database, db ? sqlite3_errmsg(db) : "cannot open");
        rc = SQLITE_ERROR;
    }
    sqlite3_finalize(q);
    sqlite3_close(db);
    return rc == SQLITE_OK ? 0 : -1;
}

static int test_kafka(const flux_conn *c, char *msg, size_t len)
{
    char err[512];
    rd_kafka_conf_t *conf = opkit_kafka_conf(c, err, sizeof err);
    if (!conf) {
        snprintf(msg, len, "%s", err);
        return -1;
    }
    rd_kafka_conf_set(conf, "log_level", "0", NULL, 0);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    if (!rk) {
        snprintf(msg, len, "%s", err);
        return -1;
    }
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_resp_err_t e = rd_kafka_metadata(rk, 1, NULL, &md, 5000);
    int rc = 0;
    if (e) {
        snprintf(msg, len, "no answer from the brokers %s within 5 s: %s", c->brokers ? c->brokers : "",
                 rd_kafka_err2str(e));
        rc = -1;
    } else {
        snprintf(msg, len, "%d broker(s), %d topic(s)", md->broker_cnt, md->topic_cnt);
        rd_kafka_metadata_destroy(md);
    }
    rd_kafka_destroy(rk);
    return rc;
}

static size_t discard(char *p, size_t s, size_t n, void *ud)
{
    (void)p;
    (void)ud;
    return s * n;
}

static int test_http(const flux_conn *c, char *msg, size_t len)
{
    /* the scheme the http operator uses (scheme: https, or port 443) */
    const char *scheme = flux_conn_scheme(c);
    bool tls = !strcmp(scheme, "https");
    char url[2048];
    snprintf(url, sizeof url, "%s://%s:%d%s", scheme, c->host ? c->host : "127.0.0.1", c->port ? c->port : tls ? 443 : 80,
             c->base ? c->base : "/");
    CURL *h = curl_easy_init();
    if (!h) {
        snprintf(msg, len, "cannot start libcurl");
        return -1;
    }
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 5L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 10L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curltls_ca(h, c->ca_file); /* as the http operator */
    if (c->user) {
        curl_easy_setopt(h, CURLOPT_USERNAME, c->user);
        if (c->password)
            curl_easy_setopt(h, CURLOPT_PASSWORD, c->password);
    }
    CURLcode rc = curl_easy_perform(h);
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(h);
    if (rc != CURLE_OK) {
        snprintf(msg, len, "GET %s: %s", url, curl_easy_strerror(rc));
        return -1;
    }
    snprintf(msg, len, "GET %s answered %ld", url, status);
    return 0;
}

int flux_op_conn_test(const flux_conn *c, char *msg, size_t len, int64_t *ms)
{
    int64_t t0 = flux_clock_mono_ms();
    int rc;
    if (c->unresolved)
        snprintf(msg, len, "%s", c->unresolved), rc = -1;
    else if (!c->type)
        snprintf(msg, len, "connection has no type"), rc = -1;
    else if (!strcmp(c->type, "mysql"))
        rc = test_mysql(c, msg, len);
    else if (!strcmp(c->type, "sqlite"))
        rc = test_sqlite(c, msg, len);
    else if (!strcmp(c->type, "kafka"))
        rc = test_kafka(c, msg, len);
    else if (!strcmp(c->type, "http"))
        rc = test_http(c, msg, len);
    else
        snprintf(msg, len, "unknown type '%s'", c->type), rc = -1;
    *ms = flux_clock_mono_ms() - t0;
    return rc;
}
