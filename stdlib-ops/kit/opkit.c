/* opkit — the shared parts of operator processes: fields, connections,
 * report lines, reject files, JSON paths. See opkit.h. */
#include "opkit.h"
#include "mysqltls.h"
#include "isotime.h"

#include <errno.h>
#include <sys/stat.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

/* ---- fields ---- */

json_t *opkit_field(const opkit_task *t, const char *key)
{
    return json_object_get(t->fields, key);
}

const char *opkit_str(const opkit_task *t, const char *key)
{
    json_t *v = opkit_field(t, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

int64_t opkit_int(const opkit_task *t, const char *key, int64_t dflt)
{
    json_t *v = opkit_field(t, key);
    return json_is_integer(v) ? (int64_t)json_integer_value(v) : dflt;
}

bool opkit_bool(const opkit_task *t, const char *key, bool dflt)
{
    json_t *v = opkit_field(t, key);
    return json_is_boolean(v) ? json_is_true(v) : dflt;
}

const char *opkit_need(const opkit_task *t, const char *key)
{
    const char *s = opkit_str(t, key);
    if (!s)
        fprintf(stderr, "flux: %s task '%s' has no %s\n", t->op, t->task ? t->task : "?", key);
    return s;
}

const char *opkit_need_text(const opkit_task *t, const char *key)
{
    const char *s = opkit_need(t, key);
    if (s && !*s) {
        fprintf(stderr, "flux: %s task '%s': %s is empty\n", t->op, t->task ? t->task : "?", key);
        return NULL;
    }
    return s;
}

/* ---- connections ---- */

const flux_conn *opkit_conn(const opkit_task *t, const char *key, const char *type)
{
    const char *name = opkit_need(t, key);
    if (!name)
        return NULL;
    const flux_conn *c = flux_conns_find(t->conns, name);
    if (!c) {
        char env[256];
        flux_conn_env_name(name, env, sizeof env);
        fprintf(stderr, "flux: connection '%s' is not defined: add it to %s or set %s\n", name,
                t->conns->file ? t->conns->file : "flux.yaml", env);
        return NULL;
    }
    if (c->unresolved) {
        fprintf(stderr, "flux: connection '%s': %s\n", name, c->unresolved);
        return NULL;
    }
    if (type && (!c->type || strcmp(c->type, type) != 0)) {
        fprintf(stderr, "flux: %s = \"%s\": connection '%s' (%s) is of type %s, %s needs a %s connection\n", key,
                name, name, c->origin ? c->origin : "?", c->type ? c->type : "(none)", t->op, type);
        return NULL;
    }
    return c;
}

MYSQL *opkit_mysql_connect(const flux_conn *c, bool local_infile)
{
    MYSQL *db = mysql_init(NULL);
    if (!db) {
        fputs("flux: out of memory\n", stderr);
        return NULL;
    }
    unsigned int timeout = 10;
    mysql_options(db, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
    unsigned int rw = 600;
    mysql_options(db, MYSQL_OPT_READ_TIMEOUT, &rw);
    mysql_options(db, MYSQL_OPT_WRITE_TIMEOUT, &rw);
    mysql_options(db, MYSQL_SET_CHARSET_NAME, "utf8mb4");
    if (local_infile) {
        unsigned int on = 1;
        mysql_options(db, MYSQL_OPT_LOCAL_INFILE, &on);
    }
    const char *host = c->host ? c->host : "127.0.0.1";
    int port = c->port ? c->port : 3306;
    char why[600];
    if (mysqltls_connect(db, c, CLIENT_MULTI_STATEMENTS, why, sizeof why) != MYSQLTLS_OK) {
        fprintf(stderr, "flux: cannot connect to '%s' (%s:%d): %s\n", c->name, host, port, why);
        mysql_close(db);
        return NULL;
    }
    /* UTC and strict: a time means one instant, and a value the column cannot
     * hold is an error instead of a silent truncation */
    if (mysql_query(db, "SET time_zone = '+00:00', autocommit = 0, "
                        "sql_mode = 'STRICT_ALL_TABLES,NO_ZERO_DATE,NO_ZERO_IN_DATE,ERROR_FOR_DIVISION_BY_ZERO'")) {
        fprintf(stderr, "flux: '%s': setting up the session: %s\n", c->name, mysql_error(db));
        mysql_close(db);
        return NULL;
    }
    return db;
}

rd_kafka_conf_t *opkit_kafka_conf(const flux_conn *c, char *err, size_t errlen)
{
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    char e[512];
    const char *brokers = c->brokers;
    char hp[300];
    if (!brokers && c->host) {
        snprintf(hp, sizeof hp, "%s:%d", c->host, c->port ? c->port : 9092);
        brokers = hp;
    }
    if (!brokers) {
        snprintf(err, errlen, "connection '%s' has no brokers", c->name);
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    if (rd_kafka_conf_set(conf, "bootstrap.servers", brokers, e, sizeof e) != RD_KAFKA_CONF_OK)
        goto bad;
    for (size_t i = 0; i < c->nextra; i++) {
        if (rd_kafka_conf_set(conf, c->extra_keys[i], c->extra_vals[i], e, sizeof e) != RD_KAFKA_CONF_OK) {
            snprintf(err, errlen, "connection '%s' (%s): %s", c->name, c->origin ? c->origin : "?", e);
            rd_kafka_conf_destroy(conf);
            return NULL;
        }
    }
    /* user and password are SASL's: set only with SASL on (security.protocol
     * SASL_*, or a mechanism), as librdkafka warns about settings it will not use */
    bool sasl = false;
    for (size_t i = 0; i < c->nextra; i++)
        sasl |= (!strcmp(c->extra_keys[i], "security.protocol") && !strncasecmp(c->extra_vals[i], "sasl", 4)) ||
                !strncmp(c->extra_keys[i], "sasl.mechanism", 14);
    if (sasl && c->password && rd_kafka_conf_set(conf, "sasl.password", c->password, e, sizeof e) != RD_KAFKA_CONF_OK)
        goto bad;
    if (sasl && c->user && rd_kafka_conf_set(conf, "sasl.username", c->user, e, sizeof e) != RD_KAFKA_CONF_OK)
        goto bad;
    return conf;
bad:
    snprintf(err, errlen, "connection '%s': %s", c->name, e);
    rd_kafka_conf_destroy(conf);
    return NULL;
}

/* The one ISO formatter is lang's; operators keep fixed buffers. */
void opkit_iso(int64_t ms, char out[32])
{
    flux_time_iso_into(ms, FLUX_ISO_MILLIS, out, 32);
}

void opkit_sqltime(int64_t ms, char out[32])
{
    flux_time_iso_into(ms, FLUX_ISO_SQL | FLUX_ISO_MILLIS, out, 32);
}

void opkit_fmt(char *out, size_t n, const char *f, ...)
{
    if (!out || !n)
        return;
    va_list ap;
    va_start(ap, f);
    vsnprintf(out, n, f, ap);
    va_end(ap);
}

/* ---- report lines ---- */

void opkit_output(const char *key, const char *fmt, ...)
{
    printf("::output %s=", key);
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    fflush(stdout);
}

int opkit_counts(int64_t read, int64_t written, int64_t rejected, int64_t bytes)
{
    printf("::counts read=%lld written=%lld rejected=%lld bytes=%lld\n", (long long)read, (long long)written,
           (long long)rejected, (long long)bytes);
    fflush(stdout);
    if (read != written + rejected) {
        fprintf(stderr,
                "flux: counts do not reconcile: read %lld != written %lld + rejected %lld "
                "(%lld record(s) unaccounted for)\n",
                (long long)read, (long long)written, (long long)rejected, (long long)(read - written - rejected));
        return -1;
    }
    return 0;
}

void opkit_lineage(const char *direction, const char *kind, const char *name, json_t *detail)
{
    json_t *o = json_pack("{s:s, s:s, s:s, s:o}", "direction", direction, "kind", kind, "name", name, "detail",
                          detail ? detail : json_object());
    char *s = o ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    if (s)
        printf("::lineage %s\n", s);
    free(s);
    json_decref(o);
    fflush(stdout);
}

/* ---- rejects ---- */

struct opkit_rejects {
    FILE *fp;
    char *path;
    int64_t n;
};

opkit_rejects *opkit_rejects_open(const char *path, int64_t keep)
{
    opkit_rejects *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    if (path && *path) {
        /* its directory, like any output's: a reject file is an output */
        char dir[4096];
        snprintf(dir, sizeof dir, "%s", path);
        for (char *p = dir + 1; *p; p++)
            if (*p == '/') {
                *p = '\0';
                mkdir(dir, 0755);
                *p = '/';
            }
        /* "a" after a truncate: a resumed load keeps the rejects of the
         * batches it committed and drops those of the ones it did not */
        FILE *fp = fopen(path, keep > 0 ? "r+" : "w");
        if (fp && keep > 0 && (ftruncate(fileno(fp), (off_t)keep) != 0 || fseeko(fp, (off_t)keep, SEEK_SET) != 0)) {
            fclose(fp);
            fp = NULL;
        }
        if (!fp) {
            fprintf(stderr, "flux: cannot write the reject file %s: %s\n", path, strerror(errno));
            free(r);
            return NULL;
        }
        r->fp = fp;
        r->path = strdup(path);
    }
    return r;
}

int opkit_reject(opkit_rejects *r, const char *reason, json_t *where, const char *record, size_t len)
{
    r->n++;
    /* bytes that are not UTF-8 still reach the file, as hex */
    json_t *rec = json_stringn(record ? record : "", record ? len : 0);
    if (!rec) {
        char *hex = malloc(2 * len + 1);
        for (size_t i = 0; hex && i < len; i++)
            snprintf(hex + 2 * i, 3, "%02x", (unsigned char)record[i]);
        rec = hex ? json_pack("{s:s}", "hex", hex) : NULL;
        free(hex);
    }
    json_t *o = json_pack("{s:s, s:o, s:o}", "reason", reason, "where", where ? where : json_object(), "record",
                          rec ? rec : json_null());
    char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
    if (r->n <= 10) {
        /* where first, compactly: file:line, or topic/partition@offset */
        json_t *w = o ? json_object_get(o, "where") : NULL;
        const char *file = json_string_value(json_object_get(w, "file"));
        const char *topic = json_string_value(json_object_get(w, "topic"));
        json_t *line = json_object_get(w, "line"), *part = json_object_get(w, "partition"),
               *off = json_object_get(w, "offset");
        if (file)
            fprintf(stderr, "flux: rejected: %s:%lld: %s\n", file, (long long)json_integer_value(line), reason);
        else if (topic)
            fprintf(stderr, "flux: rejected: %s/%lld@%lld: %s\n", topic, (long long)json_integer_value(part),
                    (long long)json_integer_value(off), reason);
        else
            fprintf(stderr, "flux: rejected: %s\n", reason);
    }
    else if (r->n == 11)
        fprintf(stderr, "flux: more records rejected: see the counts%s%s\n", r->path ? " and " : "",
                r->path ? r->path : "");
    int rc = 0;
    if (r->fp && s && fprintf(r->fp, "%s\n", s) < 0)
        rc = -1;
    free(s);
    json_decref(o);
    return rc;
}

int64_t opkit_rejects_count(const opkit_rejects *r)
{
    return r->n;
}

int64_t opkit_rejects_size(opkit_rejects *r)
{
    if (!r->fp)
        return 0;
    fflush(r->fp);
    off_t o = ftello(r->fp);
    return o < 0 ? 0 : (int64_t)o;
}

int opkit_rejects_close(opkit_rejects *r)
{
    int rc = 0;
    if (r->fp) {
        if (fflush(r->fp) != 0 || fsync(fileno(r->fp)) != 0 || ferror(r->fp)) {
            fprintf(stderr, "flux: writing the reject file %s: %s\n", r->path, strerror(errno));
            rc = -1;
        }
        fclose(r->fp);
    }
    free(r->path);
    free(r);
    return rc;
}

/* ---- JSON paths ---- */

/* one step of a path: a member name or an index; returns the rest, NULL on
 * a malformed step */
static const char *step(const char *p, char *name, size_t namelen, long *index)
{
    *index = -1;
    name[0] = '\0';
    if (*p == '.') {
        p++;
        size_t n = 0;
        while (*p && *p != '.' && *p != '[') {
            if (n + 1 >= namelen)
                return NULL;
            name[n++] = *p++;
        }
        name[n] = '\0';
        return n ? p : NULL;
    }
    if (*p == '[') {
        p++;
        if (*p == '\'' || *p == '"') {
            char q = *p++;
            size_t n = 0;
            while (*p && *p != q) {
                if (n + 1 >= namelen)
                    return NULL;
                name[n++] = *p++;
            }
            name[n] = '\0';
            if (*p != q || p[1] != ']')
                return NULL;
            return p + 2;
        }
        char *end;
        errno = 0;
        long i = strtol(p, &end, 10);
        if (end == p || *end != ']' || i < 0 || errno)
            return NULL;
        *index = i;
        return end + 1;
    }
    return NULL;
}

static json_t *walk(json_t *root, const char *path, char *err, size_t errlen)
{
    if (!path || !*path) {
        if (err)
            snprintf(err, errlen, "empty JSON path");
        return NULL;
    }
    if (path[0] != '$') /* a bare field name */
        return root ? json_object_get(root, path) : NULL;
    const char *p = path + 1;
    json_t *v = root;
    char name[512];
    long index;
    while (*p) {
        const char *next = step(p, name, sizeof name, &index);
        if (!next) {
            if (err)
                snprintf(err, errlen, "malformed JSON path '%s' at '%s' (expected .name, [N] or ['name'])", path,
                         p);
            return NULL;
        }
        if (v)
            v = index >= 0 ? json_array_get(v, (size_t)index) : json_object_get(v, name);
        p = next;
    }
    return v;
}

int opkit_jsonpath_check(const char *path, char *err, size_t errlen)
{
    err[0] = '\0';
    walk(NULL, path, err, errlen);
    return err[0] ? -1 : 0;
}

json_t *opkit_jsonpath(json_t *root, const char *path)
{
    return walk(root, path, NULL, 0);
}

/* ---- files ---- */

int opkit_file_sha256(const char *path, char hex[65], int64_t *size)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return -1;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
    unsigned char buf[65536];
    size_t n;
    int64_t total = 0;
    while ((n = fread(buf, 1, sizeof buf, fp)) > 0) {
        EVP_DigestUpdate(ctx, buf, n);
        total += (int64_t)n;
    }
    int rc = ferror(fp) ? -1 : 0;
    fclose(fp);
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    EVP_DigestFinal_ex(ctx, md, &mdlen);
    EVP_MD_CTX_free(ctx);
    for (unsigned i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    if (size)
        *size = total;
    return rc;
}
