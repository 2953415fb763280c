/* conn — connections: flux.yaml and FLUX_CONN_<NAME> environment URIs.
 *
 * A connection is named in a pipeline (conn = "warehouse") and resolved only
 * when something runs or renders: the environment overrides the file, so the
 * same plan runs against a laptop and production. The password is a secret:
 * it is read from password_env or password_file (inline only in a file of
 * mode 0600) and every output masks it by value.
 */
#ifndef FLUX_CONN_H
#define FLUX_CONN_H

#include <stdbool.h>
#include <stddef.h>

#include "arena.h"
#include "diag.h"

typedef struct flux_conn {
    const char *name;
    const char *type;      /* mysql, sqlite, kafka, http */
    const char *host;
    int port;              /* 0 when not given */
    const char *user;
    const char *database;  /* mysql database; sqlite file path */
    const char *brokers;   /* kafka: host:port,host:port */
    const char *base;      /* http: base URL path */
    const char *password;  /* secret, NULL when none */
    /* mysql: disabled (NULL), preferred, verify_identity */
    const char *ssl_mode;
    const char *ca_file;   /* mysql, http: the CAs (PEM) to trust instead of the system's; absolute */
    /* why the password could not be read (password_env unset, password_file
     * unreadable), "file:line:col: message"; NULL when it could. Reported
     * where the connection is used, so commands that need no connection
     * work without its secret */
    const char *unresolved;
    const char *origin;    /* where it was defined: "flux.yaml:4:3" or "FLUX_CONN_WAREHOUSE" */
    /* its name in flux.yaml, in the sources flux_conns_read was given (file 0:
     * none), for a diagnostic's note "defined here" */
    flux_span span;
    /* extra keys from the file (kafka security settings ...), in file order */
    const char **extra_keys, **extra_vals;
    size_t nextra;
} flux_conn;

/* A notifier (flux.yaml `notifiers:`): where a task's failure, retry,
 * success or deadline miss is sent. Secrets (a webhook's URL or header
 * values, an SMTP password) come from the environment or a file, inline
 * only in a file of mode 0600, and are masked like passwords. */
typedef enum { FLUX_NOTIFIER_WEBHOOK, FLUX_NOTIFIER_EMAIL, FLUX_NOTIFIER_COMMAND } flux_notifier_type;

typedef struct flux_notifier {
    const char *name;
    flux_notifier_type type;
    const char *url;                 /* webhook: http(s)://; email: smtp:// or smtps:// */
    const char **header_keys, **header_vals; /* webhook */
    size_t nheaders;
    const char *from;                /* email */
    const char **to;
    size_t nto;
    const char *user, *password;     /* email: SMTP auth; password is a secret */
    bool starttls;                   /* email on smtp://: require STARTTLS (default true) */
    const char *ca_file;             /* webhook, email: the CAs (PEM) to trust instead of the system's */
    const char **argv;               /* command: the executable and its arguments */
    size_t nargv;
    const char *template_text;       /* the text template as written, or NULL */
    struct flux_tstr *template_parsed; /* parsed (syntax errors reported), or NULL */
    int64_t dedupe_ms;               /* a key is not sent twice within it (default 10m) */
    int64_t timeout_ms;              /* one attempt's limit (default 10s) */
    int max_attempts;                /* then the notification is failed (default 8) */
    /* secrets of the notifier (URL, header values, password), masked by value */
    const char **secrets;
    size_t nsecrets;
    const char *unresolved;          /* an env variable or file that could not be read, as conn's */
    const char *origin;              /* "flux.yaml:12:3" */
    flux_span span;
} flux_notifier;

typedef struct flux_conns {
    flux_conn *v;
    size_t n;
    const char *file;      /* the flux.yaml read, or NULL */
    /* pools: name -> slots (flux.yaml `pools: { etl: 4 }`), for tasks' pool = "etl" */
    const char **pool_names;
    int *pool_slots;
    size_t npools;
    /* state_store: URL of the state store (--db and FLUX_DB win over it) */
    const char *state_store;
    /* notifiers: name -> where to send (flux.yaml `notifiers:`) */
    flux_notifier *notifiers;
    size_t nnotifiers;
    /* web_url: the web UI's address, for links in notifications */
    const char *web_url;
    /* operator_path: the directories holding operators of one's own (a
     * string or a list, relative to flux.yaml's directory), as given or,
     * without the setting, "operators" beside flux.yaml; absolute paths */
    const char **operator_path;
    size_t noperator_path;
    /* executor: "local" or "slurm", where a task that sets no executor runs
     * (--executor wins over it); NULL when not given */
    const char *executor;
    /* flux_conns_read found mistakes that may hide connections (pools):
     * names are not checked against what could be read */
    bool conns_incomplete, pools_incomplete, notifiers_incomplete;
} flux_conns;

/* Reads the connections file (path NULL: none; a missing file is no error
 * unless required) and checks it and the FLUX_CONN_* environment, reporting
 * every mistake into d, as the compiler reports a .flux file's: the file is
 * added to d's sources (a password in it masked, so an excerpt never shows
 * one), each error has its place, and a tab in the indentation does not
 * hide the errors after it. 0 when all is well, 1 after errors (out holds
 * what could be read, for flux check to go on with), -1 when the file could
 * not be read. */
int flux_conns_read(flux_arena *a, flux_conns *out, const char *path, bool required, flux_diags *d);

/* flux_conns_read of text given as the file path's bytes (the fuzzer's way
 * in: nothing is read but what the text's settings name); private_file as
 * a file of mode 0600. 0 or 1 as flux_conns_read. */
int flux_conns_read_text(flux_arena *a, flux_conns *out, const char *path, const char *text, size_t len,
                         bool private_file, flux_diags *d);

/* flux_conns_read for a caller that reports one line: -1 with the first
 * error as "file:line:col: message[\nhelp: ...]" in err. */
int flux_conns_load(flux_arena *a, flux_conns *out, const char *path, bool required, char *err, size_t errlen);

/* By name; the environment variable FLUX_CONN_<NAME upper-cased> wins. */
const flux_conn *flux_conns_find(const flux_conns *c, const char *name);

/* Parses a connection URI (mysql://user:pw@host:port/db[?ssl_mode=M&ca_file=/PATH],
 * kafka://h:p,h:p, sqlite:///path, http://host:port/base). -1 on error, with what is wrong
 * worded to follow the URI's name ("is not a connection URI", "has an
 * invalid port '99999'") and a "\nhelp: ..." line; never the URI itself,
 * which may hold a password. */
int flux_conn_parse_uri(flux_arena *a, const char *name, const char *uri, flux_conn *out, char *err, size_t errlen);

/* The URI of a connection, whether given as a uri or by fields, that
 * flux_conn_parse_uri reads back: user, password and a MySQL database
 * percent-encoded, the host the operators use when none is given. The
 * password's encoded form goes to *password_form (NULL when it has none),
 * so it can be masked like the password. */
char *flux_conn_uri(flux_arena *a, const flux_conn *c, const char **password_form);

/* A MySQL connection's TLS (ssl_mode, with MySQL's names): disabled (the
 * default), preferred (TLS when the server offers it), verify_identity (TLS
 * or no connection, the certificate signed by ca_file or the system's CAs
 * and issued for the host). MySQL's required and verify_ca are refused with
 * why: MariaDB Connector/C 3.3 refuses a server without TLS before the login
 * only when it also checks the certificate's name, so under them the login
 * could cross the wire in the clear. */
#define FLUX_CONN_SSL_MODES "the modes are disabled, preferred and verify_identity"
/* Why a ca_file cannot be used (strerror's words, or "it is not a regular
 * file"), or NULL: stat and access, for a file the library (libcurl,
 * Connector/C) opens itself later; nothing is read here. */
const char *flux_conn_file_problem(const char *path);

/* The parameters of a mysql URI after its '?' (ssl_mode, ca_file) into out;
 * 0, or -1 with err worded to follow the URI's name ("has an unknown
 * parameter") and quoting nothing of them. */
int flux_conn_uri_params(flux_arena *a, const char *q, flux_conn *out, char *err, size_t errlen);

/* NULL when mode is one of them, else why not, with a "\nhelp: " line */
const char *flux_conn_ssl_mode_check(const char *mode);
bool flux_conn_ssl_verifies(const flux_conn *c); /* verify_identity: TLS required and checked */

/* The scheme of its URI: the type, or for http "https" when the connection
 * says `scheme: https` (an https:// URI does) or its port is 443. */
const char *flux_conn_scheme(const flux_conn *c);

/* By name, or NULL. */
const flux_notifier *flux_conns_notifier(const flux_conns *c, const char *name);

/* The environment variable that overrides a connection: FLUX_CONN_WAREHOUSE. */
void flux_conn_env_name(const char *name, char *out, size_t outlen);

#endif
