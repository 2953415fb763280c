/* home — where a command's state and configuration live: the FLUX_HOME
 * directory, the flux.yaml in use, and the state store every command
 * opens, each by one rule. */
#ifndef FLUX_HOME_H
#define FLUX_HOME_H

#include <stdbool.h>
#include <stddef.h>

#include "conn.h"
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

/* The flux.yaml a command reads: given (--connections), else
 * FLUX_CONNECTIONS, else the nearest flux.yaml walking up from the working
 * directory (as .flux/ is found), into out ("" when there is none). *from
 * says which: "--connections", "FLUX_CONNECTIONS", "here", "walked" or
 * "none". 1 when the file was named (it must exist), else 0. */
int flux_home_conns_path(const char *given, char *out, size_t n, const char **from);

/* The connections and pools of that flux.yaml (none when there is none);
 * the operator processes of a run get its path as FLUX_CONNECTIONS, so
 * they read the same file. -1 with err. */
int flux_home_load_conns(const char *given, flux_arena *a, flux_conns *c, char *err, size_t errlen);

enum { FLUX_HOME_OK = 0, FLUX_HOME_CONNS, FLUX_HOME_STORE, FLUX_HOME_NONE };

/* Opens the state store: db (--db), else FLUX_DB, else flux.yaml's
 * state_store (the flux.yaml of flux_home_conns_path, read only when
 * needed), else FLUX_HOME/flux.db, created with its directory only when
 * create is true (a command that writes): a read-only command never leaves
 * a store behind, and opens it as a reader (flux_store_open_readonly: works
 * on a read-only FLUX_HOME, never migrates or switches the journal mode). FLUX_HOME_OK with *out; FLUX_HOME_CONNS when flux.yaml
 * could not be read (its loader's message in err); FLUX_HOME_NONE when
 * there is no store and create is false (where it looked in err);
 * FLUX_HOME_STORE when the store could not be opened (why in err). */
int flux_home_open_store(const char *db, const char *conns_path, bool create, flux_store **out, char *err,
                         size_t errlen);

/* What a command with these options uses, for flux status: the store's
 * URL (a SQLite path made absolute, a password removed) and which rule
 * gave it ("--db", "FLUX_DB", "state_store" of flux.yaml,
 * "FLUX_HOME/flux.db"); FLUX_HOME as an absolute path and how it was found
 * ("FLUX_HOME", "here", "walked", "default": none found, .flux/ here); the
 * flux.yaml and how (flux_home_conns_path's); the working directory. */
typedef struct flux_home_info {
    char store[4200], store_from[32];
    char home[4200], home_from[32];
    char conns[4200], conns_from[32];
    char cwd[4096];
} flux_home_info;

/* FLUX_HOME_OK, or FLUX_HOME_CONNS with err when flux.yaml cannot be read. */
/* The state store's URL as flux_home_open_store opens it (an SQLite file
 * made absolute), password included when the URL holds one; for a Slurm
 * job, which opens the same store on another node. */
int flux_home_store_url(const char *db, const char *conns_path, char *url, size_t n, char *err, size_t errlen);
int flux_home_describe(const char *db, const char *conns_path, flux_home_info *info, char *err, size_t errlen);

#endif
