/* conntest — `flux connections test NAME`: a real connection opened the way
 * the operators open it. */
#ifndef FLUX_CONNTEST_H
#define FLUX_CONNTEST_H

#include <stddef.h>
#include <stdint.h>

#include "conn.h"

/* Opens a real connection (a login, a metadata request...). 0 with what
 * answered in msg, -1 with why not; ms the time it took. Never puts the
 * password in msg. */
int flux_op_conn_test(const flux_conn *c, char *msg, size_t len, int64_t *ms);

#endif
