/* mysqltls — a MySQL connection's TLS (ssl_mode, ca_file of lang's
 * flux_conn), set on a MariaDB Connector/C handle before it connects and
 * checked after: the same rules for the operators, flux connections test
 * and the state store. */
#ifndef FLUX_MYSQLTLS_H
#define FLUX_MYSQLTLS_H

#include <mysql.h>
#include <stdbool.h>
#include <stddef.h>

#include "conn.h"

/* What mysqltls_connect got to. */
typedef enum {
    MYSQLTLS_OK,
    MYSQLTLS_SETTING, /* the TLS settings cannot be used (an unreadable ca_file): not worth trying again */
    MYSQLTLS_SERVER,  /* mysql_real_connect failed: mysql_errno(db) says why (a server down may come back) */
    MYSQLTLS_REFUSED, /* connected, but the session may not be used (verify_identity without encryption) */
} mysqltls_stage;

/* Connects db to c (host 127.0.0.1 and port 3306 unless given; its user,
 * password and database) with c's TLS (ssl_mode, ca_file): the options
 * before mysql_real_connect (flags passed on), and the check after it
 * (Connector/C refuses an unencrypted verify_identity session before the
 * login; this says so again should a version not). MYSQLTLS_OK, or the
 * stage that failed with why in err (the server's message names the user
 * and host, never the password). */
mysqltls_stage mysqltls_connect(MYSQL *db, const flux_conn *c, unsigned long flags, char *err, size_t errlen);

#endif
