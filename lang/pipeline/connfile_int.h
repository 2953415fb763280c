/* connfile_int — what the readers of flux.yaml's sections share: the
 * reader and its checks (connfile.c), so the notifiers' section
 * (notifierfile.c) reports its mistakes exactly as the connections' are.
 * Internal to lang/pipeline. */
#ifndef FLUX_CONNFILE_INT_H
#define FLUX_CONNFILE_INT_H

#include <stdbool.h>

#include "conn.h"
#include "yamlsrc.h"

typedef struct flux_cfreader flux_cfreader;
struct flux_cfreader {
    flux_arena *a;
    flux_diags *d;
    const char *path;  /* as messages name it */
    const char *dir;   /* its directory with a final '/', "" for a file here */
    bool private_file; /* no permission for group or others: inline passwords allowed */
    flux_yamlsrc y;
};

/* a diagnostic of the file: flux_cf_report an error, flux_cf_warn a setting
 * that is accepted but can have no effect as written */
flux_diag *flux_cf_diag(flux_cfreader *r, flux_severity sev, flux_span at, const char *code, const char *help,
                        const char *fmt, ...) __attribute__((format(printf, 6, 7)));
#define flux_cf_report(r, ...) flux_cf_diag((r), FLUX_SEV_ERROR, __VA_ARGS__)
#define flux_cf_warn(r, ...) flux_cf_diag((r), FLUX_SEV_WARNING, __VA_ARGS__)
/* the value of setting k (named what) as a string: NULL after an error */
const char *flux_cf_text(flux_cfreader *r, const flux_ynode *k, const flux_ynode *v, const char *what);
bool flux_cf_is_null(const flux_ynode *n);
const char *flux_cf_kind(const flux_ynode *n); /* "a mapping", "a list", "a value" */
/* a key seen before in mapping m (before index i): reported, true */
bool flux_cf_duplicate(flux_cfreader *r, const flux_ynode *m, size_t i, const char *what);
const char *flux_cf_did_you_mean(flux_cfreader *r, const char *best); /* NULL for NULL */
bool flux_cf_env_name(const char *s);
bool flux_cf_secret_key(const char *k); /* a value masked wherever a line of the file is shown */
/* A secret file's text (at most cap - 1 bytes, trailing newlines cut: an
 * editor's, not the secret's), or NULL with *why (strerror's words, or "it
 * is not a regular file": a FIFO or a terminal would stall the reader). */
const char *flux_cf_secret_file(flux_cfreader *r, const char *path, size_t cap, const char **why);
/* A secret file (what: "password file", "secret file"; v its setting) that
 * its group or others can read: reported, as ssh refuses such a key; true */
bool flux_cf_exposed(flux_cfreader *r, const flux_ynode *v, const char *path, const char *what);

/* A path of the file (relative to flux.yaml's folder) made absolute: the
 * processes that open it may run from anywhere. */
const char *flux_cf_path(flux_cfreader *r, const char *path);

/* notifierfile.c: the notifiers: section */
void flux_cf_read_notifiers(flux_cfreader *r, const flux_ynode *m, flux_conns *out);

#endif
