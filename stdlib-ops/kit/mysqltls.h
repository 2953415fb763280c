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

/* The connection's TLS on db, before mysql_real_connect: false, with why in
 * err, when its ca_file cannot be read. */
bool mysqltls_set(MYSQL *db, const flux_conn *c, char *err, size_t errlen);

/* After the connect: NULL, or why the session may not be used (a
 * verify_identity session that is not encrypted; Connector/C refuses that
 * before the login, and this says so again should a version not). */
const char *mysqltls_check(MYSQL *db, const flux_conn *c);

#endif
