/* mysqltls — a MySQL connection's TLS on a Connector/C handle: the
 * options before the connect, the connect, the check after it (mysqltls.h). */
#include "mysqltls.h"

#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool set_tls(MYSQL *db, const flux_conn *c, char *err, size_t errlen)
{
    if (!c->ssl_mode)
        return true;
    /* asking for TLS: preferred takes it when the server offers it */
    mysql_ssl_set(db, NULL, NULL, NULL, NULL, NULL);
    my_bool on = 1, off = 0;
    if (!flux_conn_ssl_verifies(c)) {
        mysql_options(db, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &off);
        return true;
    }
    if (c->ca_file) {
        const char *bad = flux_conn_file_problem(c->ca_file);
        if (bad) {
            snprintf(err, errlen, "cannot read ca_file '%s': %s", c->ca_file, bad);
            return false;
        }
        mysql_options(db, MYSQL_OPT_SSL_CA, c->ca_file);
    } else {
        /* Connector/C checks against no CA at all unless given one: the
         * system's, where OpenSSL keeps them (SSL_CERT_FILE and
         * SSL_CERT_DIR first, as OpenSSL's own tools read them) */
        const char *file = getenv(X509_get_default_cert_file_env()), *dir = getenv(X509_get_default_cert_dir_env());
        mysql_options(db, MYSQL_OPT_SSL_CA, file && *file ? file : X509_get_default_cert_file());
        mysql_options(db, MYSQL_OPT_SSL_CAPATH, dir && *dir ? dir : X509_get_default_cert_dir());
    }
    /* checking the certificate is also what makes Connector/C 3.3 refuse a
     * server without TLS before the login: ENFORCE alone does not */
    mysql_options(db, MYSQL_OPT_SSL_ENFORCE, &on);
    mysql_options(db, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &on);
    return true;
}

mysqltls_stage mysqltls_connect(MYSQL *db, const flux_conn *c, unsigned long flags, char *err, size_t errlen)
{
    if (!set_tls(db, c, err, errlen))
        return MYSQLTLS_SETTING;
    if (!mysql_real_connect(db, c->host ? c->host : "127.0.0.1", c->user, c->password, c->database,
                            (unsigned)(c->port ? c->port : 3306), NULL, flags)) {
        snprintf(err, errlen, "%s", mysql_error(db));
        return MYSQLTLS_SERVER;
    }
    if (flux_conn_ssl_verifies(c) && !mysql_get_ssl_cipher(db)) {
        snprintf(err, errlen, "the session is not encrypted, and ssl_mode is verify_identity");
        return MYSQLTLS_REFUSED;
    }
    return MYSQLTLS_OK;
}
