/* home — where a command's state lives: the FLUX_HOME directory and the
 * state store every command opens, by one rule. */
#ifndef FLUX_HOME_H
#define FLUX_HOME_H

#include <stddef.h>

#include "store.h"

/* FLUX_HOME, else ".flux" (relative to the working directory): flux.db and
 * the logs of the runs live there. */
const char *flux_home_dir(void);

enum { FLUX_HOME_OK = 0, FLUX_HOME_CONNS, FLUX_HOME_STORE };

/* Opens the state store: db (--db), else FLUX_DB, else flux.yaml's
 * state_store (read from conns_path as flux_load_conns reads it, only when
 * needed), else FLUX_HOME/flux.db (the directory created then).
 * FLUX_HOME_OK with *out; FLUX_HOME_CONNS when flux.yaml could not be read
 * (its loader's message in err); FLUX_HOME_STORE when the store could not
 * be opened (why in err). */
int flux_home_open_store(const char *db, const char *conns_path, flux_store **out, char *err, size_t errlen);

#endif
