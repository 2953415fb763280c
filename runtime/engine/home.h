/* home — where a command's state lives: the FLUX_HOME directory and the
 * state store every command opens, by one rule. */
#ifndef FLUX_HOME_H
#define FLUX_HOME_H

#include <stdbool.h>
#include <stddef.h>

#include "store.h"

/* FLUX_HOME, else the nearest .flux/ (or the .flux/ beside the nearest
 * flux.yaml) found walking up from the working directory, as git finds
 * .git, else ".flux" here: flux.db and the logs of the runs live there.
 * Found in a parent it is an absolute path; here, ".flux". */
const char *flux_home_dir(void);

/* flux_home_dir as an absolute path, the directory made when missing: what
 * a runner writes under, so the log paths it stores work from anywhere. */
const char *flux_home_abs(void);

/* Where flux_home_dir looked, for a message: "FLUX_HOME is not set and
 * no .flux/ or flux.yaml is in DIR or a parent". */
void flux_home_where(char *out, size_t outlen);

enum { FLUX_HOME_OK = 0, FLUX_HOME_CONNS, FLUX_HOME_STORE, FLUX_HOME_NONE };

/* Opens the state store: db (--db), else FLUX_DB, else flux.yaml's
 * state_store (read from conns_path as flux_load_conns reads it, only when
 * needed), else FLUX_HOME/flux.db, created with its directory only when
 * create is true (a command that writes): a read-only command never leaves
 * a store behind, and opens it as a reader (flux_store_open_readonly: works
 * on a read-only FLUX_HOME, never migrates or switches the journal mode). FLUX_HOME_OK with *out; FLUX_HOME_CONNS when flux.yaml
 * could not be read (its loader's message in err); FLUX_HOME_NONE when
 * there is no store and create is false (where it looked in err);
 * FLUX_HOME_STORE when the store could not be opened (why in err). */
int flux_home_open_store(const char *db, const char *conns_path, bool create, flux_store **out, char *err,
                         size_t errlen);

#endif
