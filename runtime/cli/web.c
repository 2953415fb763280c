/* web — `flux web` (and its alias `flux webserver`): the web UI's server
 * (runtime/web) on a store opened read-only, until SIGTERM or SIGINT. */
#include <errno.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "home.h"
#include "load.h"
#include "opts.h"
#include "server.h"

static int flux_cmd_web(int argc, char **argv);
static int flux_cmd_webserver(int argc, char **argv);

#define WEB_USAGE(cmd)                                                                                      \
    "usage: flux " cmd " [--db URL] [--bind ADDR] [--port N] [--token-file F] [--connections FILE]\n"      \
    "\n"                                                                                                    \
    "Serves the web UI and its JSON API (/api/v1) on http://127.0.0.1:8080/ from\n"                         \
    "the state store, opened read-only and never migrated. --bind an address that\n"                        \
    "is not loopback needs --token-file: a file holding the token every request\n"                         \
    "then sends as Authorization: Bearer TOKEN; writes (clear, mark, trigger,\n"                            \
    "pause) always need it. --port 0: a free port. Stops on SIGTERM or SIGINT.\n"

const flux_cli_command flux_cli_web_commands[] = {
    {"web", "serve the web UI and its JSON API", WEB_USAGE("web"), flux_cmd_web},
    {"webserver", "the same as flux web", WEB_USAGE("webserver"), flux_cmd_webserver},
};
const size_t flux_cli_web_ncommands = sizeof flux_cli_web_commands / sizeof *flux_cli_web_commands;

typedef struct wopts {
    const char *db, *conns, *bind, *token_file;
    long port;
} wopts;

static const flux_opt WOPTS[] = {
    {.name = "--db", .kind = FLUX_OPT_STR, .off = offsetof(wopts, db)},
    {.name = "--connections", .kind = FLUX_OPT_STR, .off = offsetof(wopts, conns)},
    {.name = "--bind", .kind = FLUX_OPT_STR, .off = offsetof(wopts, bind)},
    {.name = "--port", .kind = FLUX_OPT_INT, .off = offsetof(wopts, port), .min = 0, .max = 65535,
     .bad = "option '%s' needs a port number 0..65535, not '%s'"},
    {.name = "--token-file", .kind = FLUX_OPT_STR, .off = offsetof(wopts, token_file)},
};

/* the token: the file's first line, which must not be empty */
static char *read_token(const char *cmd, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "flux %s: cannot read the token file %s: %s\n", cmd, path, strerror(errno));
        return NULL;
    }
    char buf[512];
    char *line = fgets(buf, sizeof buf, f);
    fclose(f);
    size_t n = line ? strcspn(buf, "\r\n") : 0;
    while (n && (buf[n - 1] == ' ' || buf[n - 1] == '\t'))
        n--;
    if (n < 16) {
        fprintf(stderr, "flux %s: the token in %s is %s; put a random one of 16 characters or more on its first "
                        "line (e.g. openssl rand -hex 32)\n", cmd, path, n ? "too short" : "empty");
        return NULL;
    }
    buf[n] = '\0';
    return strdup(buf);
}

/* blocks until SIGTERM or SIGINT, which the caller has blocked */
static int wait_for_stop(const sigset_t *set)
{
    int sig = 0;
    while (sigwait(set, &sig) != 0)
        ;
    return sig;
}

static int serve(const char *cmd, const wopts *o, const char *token)
{
    flux_store *s;
    char err[2048];
    int rc = flux_home_open_store(o->db, o->conns, false, &s, err, sizeof err);
    if (rc != FLUX_HOME_OK) {
        /* a store of another schema version is reported, never migrated */
        fprintf(stderr, "flux %s: %s%s\n", cmd, rc == FLUX_HOME_STORE ? "cannot open the state store: " : "", err);
        return FLUX_EXIT_USAGE;
    }
    /* the server's threads must not take the signals: this thread waits for them */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
#ifdef __GLIBC__
    /* a thread per connection: glibc gives each new thread an arena of its
     * own (up to 8 a core), each keeping what its requests freed; two are
     * enough for a server whose reads share one store connection */
    mallopt(M_ARENA_MAX, 2);
#endif
    flux_web_config cfg = {.bind = o->bind, .port = (int)o->port, .token = token, .store = s, .db = o->db,
                           .conns = o->conns};
    flux_web_server *srv;
    if (flux_web_start(&cfg, &srv, err, sizeof err) != 0) {
        fprintf(stderr, "flux %s: %s\n", cmd, err);
        flux_store_close(s);
        return FLUX_EXIT_USAGE;
    }
    const char *b = o->bind ? o->bind : "127.0.0.1";
    printf("flux %s: listening on http://%s%s%s:%d/\n", cmd, strchr(b, ':') ? "[" : "", b, strchr(b, ':') ? "]" : "",
           flux_web_port(srv));
    fflush(stdout);
    int sig = wait_for_stop(&set);
    flux_web_stop(srv);
    fprintf(stderr, "flux %s: stopped (%s)\n", cmd, sig == SIGINT ? "SIGINT" : "SIGTERM");
    return FLUX_EXIT_OK;
}

static int web(const char *cmd, int argc, char **argv)
{
    wopts o = {.port = 8080};
    flux_cli_spec sp = {.cmd = cmd, .opts = WOPTS, .nopts = sizeof WOPTS / sizeof *WOPTS, .maxpos = 0,
                        .too_many = "unexpected argument '%s'"};
    flux_cli_list pos = {0};
    int prc = flux_cli_parse(&sp, argc, argv, &o, &pos);
    flux_cli_list_free(&pos);
    if (prc)
        return prc > 0 ? FLUX_EXIT_OK : FLUX_EXIT_USAGE;
    const char *bind = o.bind ? o.bind : "127.0.0.1";
    if (!flux_web_loopback(bind) && !o.token_file) {
        fprintf(stderr, "flux %s: refusing to listen on %s without a token: anyone who can reach it could read the "
                        "store and trigger runs; give --token-file FILE, or bind to 127.0.0.1\n", cmd, bind);
        return FLUX_EXIT_USAGE;
    }
    char *token = o.token_file ? read_token(cmd, o.token_file) : NULL;
    if (o.token_file && !token)
        return FLUX_EXIT_USAGE;
    int rc = serve(cmd, &o, token);
    if (token)
        memset(token, 0, strlen(token));
    free(token);
    return rc;
}

static int flux_cmd_web(int argc, char **argv)
{
    return web("web", argc, argv);
}

static int flux_cmd_webserver(int argc, char **argv)
{
    return web("webserver", argc, argv);
}
