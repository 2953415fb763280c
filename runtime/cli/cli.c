/* cli — what every command shares: the engine's loading and the state
 * store, with their failures printed the way every command prints them
 * ("flux CMD: why" on standard error). */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "duration.h"
#include "home.h"
#include "manifest.h"
#include "suggest.h"

/* flux.yaml read, then the operators of one's own on its operator_path:
 * 0, 1 after flux.yaml's errors, 2 after only the manifests' (each
 * printed as flux check prints a .flux file's), -1 when unreadable */
static int conns_and_operators(const char *given, flux_arena *a, flux_conns *conns)
{
    char path[PATH_MAX + 16];
    const char *from;
    bool required = flux_home_conns_path(given, path, sizeof path, &from) == 1;
    flux_sources s;
    flux_sources_init(&s);
    flux_diags d;
    flux_diags_init(&d, &s);
    int rc = flux_conns_read(a, conns, path[0] ? path : NULL, required, &d);
    /* operators of one's own, before anything is compiled */
    if (rc >= 0 && flux_manifest_load_conns(conns, &d) != 0 && rc == 0)
        rc = 2;
    if (rc != 0) {
        flux_diags_sort(&d);
        flux_diags_print(&d, stderr, flux_cli_colour());
        fprintf(stderr, "%zu error%s, %zu warning%s\n", d.errors, d.errors == 1 ? "" : "s", d.warnings,
                d.warnings == 1 ? "" : "s");
    }
    flux_diags_free(&d);
    flux_sources_free(&s);
    return rc;
}

/* flux.yaml (the one of --connections, FLUX_CONNECTIONS or found walking
 * up) read into conns, every mistake of it and of FLUX_CONN_* printed as
 * flux check prints a .flux file's: 0, or -1 after printing them */
int flux_cli_conns(const char *cmd, const char *given, flux_arena *a, flux_conns *conns)
{
    (void)cmd; /* each diagnostic says where it is, as flux check's do */
    return conns_and_operators(given, a, conns) != 0 ? -1 : 0;
}

const char *flux_cli_elapsed(int64_t ms, char *out, size_t outlen)
{
    flux_buf b = {0};
    flux_print_elapsed(ms, &b);
    snprintf(out, outlen, "%s", flux_buf_cstr(&b));
    flux_buf_free(&b);
    return out;
}

/* the commands that only read the store: they never create one */
static bool reads_only(const char *cmd)
{
    static const char *const ro[] = {"runs", "tasks", "logs", "status", "versions", "diff", "errors", "lineage", "why"};
    for (size_t i = 0; i < sizeof ro / sizeof *ro; i++)
        if (!strcmp(cmd, ro[i]))
            return true;
    return false;
}

/* the flux binary, for the tasks and jobs it starts */
char *flux_cli_self(void)
{
    char buf[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n <= 0)
        snprintf(buf, sizeof buf, "flux");
    else
        buf[n] = '\0';
    char *self = strdup(buf);
    if (!self)
        abort();
    return self;
}

flux_store *flux_cli_open_store(const char *cmd, const char *db, const char *conns)
{
    flux_store *s;
    char err[1024];
    int rc = flux_home_open_store(db, conns, !reads_only(cmd), &s, err, sizeof err);
    if (rc == FLUX_HOME_CONNS) {
        /* the store's loader stops at the first mistake: read again for all of them */
        flux_arena *a = flux_arena_new();
        flux_conns c;
        if (flux_cli_conns(cmd, conns, a, &c) == 0)
            fprintf(stderr, "flux %s: %s\n", cmd, err);
        flux_arena_free(a);
    }
    else if (rc == FLUX_HOME_NONE)
        fprintf(stderr, "flux %s: %s\n", cmd, err);
    else if (rc != FLUX_HOME_OK)
        fprintf(stderr, "flux %s: cannot open the state store: %s\n", cmd, err);
    return rc == FLUX_HOME_OK ? s : NULL;
}

int flux_cli_operators(const char *given)
{
    flux_arena *a = flux_arena_new();
    flux_conns conns;
    int rc = conns_and_operators(given, a, &conns);
    flux_arena_free(a);
    return rc == 0 ? 0 : rc == 2 ? -2 : -1;
}

int flux_cli_load_with(flux_compilation *c, const char *file, const char *conns)
{
    /* the operators of one's own first: the source's tasks may use them (a
     * plan names its own, load.c) */
    int rc = flux_cli_operators(conns);
    if (rc != 0) {
        /* flux.yaml's own mistakes are a usage error, as for every command */
        flux_compilation_init(c);
        return rc == -2 ? FLUX_EXIT_COMPILE : FLUX_EXIT_USAGE;
    }
    return flux_cli_load(c, file);
}

int flux_cli_load(flux_compilation *c, const char *file)
{
    char err[512];
    int rc = flux_load_file(c, file, err, sizeof err);
    if (c->diags.n)
        flux_diags_print(&c->diags, stderr, flux_cli_colour());
    if (*err)
        fprintf(stderr, rc == FLUX_EXIT_USAGE ? "flux: %s\n" : "%s\n", err);
    else if (rc == FLUX_EXIT_COMPILE)
        fprintf(stderr, "%zu error%s, %zu warning%s\n", c->diags.errors, c->diags.errors == 1 ? "" : "s",
                c->diags.warnings, c->diags.warnings == 1 ? "" : "s");
    return rc;
}

int flux_cli_load_plan_text(flux_compilation *c, const char *name, const char *text, size_t len)
{
    char err[1024];
    int rc = flux_load_plan_text(c, name, text, len, err, sizeof err);
    if (rc)
        fprintf(stderr, "flux: %s\n", err);
    return rc;
}

flux_pipeline *flux_cli_pipeline(flux_compilation *c, const char *cmd, const char *file, const char *name)
{
    char err[4096];
    flux_pipeline *p = flux_load_pipeline(c, file, name, err, sizeof err);
    if (!p)
        fprintf(stderr, "flux %s: %s\n", cmd, err);
    return p;
}

int flux_cli_time(const char *cmd, const char *text, const flux_tz *tz, int64_t *ms)
{
    char err[512];
    if (flux_load_time(text, tz, ms, err, sizeof err) != 0) {
        fprintf(stderr, "flux %s: %s\n", cmd, err);
        return -1;
    }
    return 0;
}

int flux_cli_timetable(const char *cmd, const flux_pipeline *p, flux_timetable *tt)
{
    char err[512];
    if (flux_load_timetable(p, tt, err, sizeof err) != 0) {
        fprintf(stderr, "flux %s: %s\n", cmd, err);
        return -1;
    }
    return 0;
}

void flux_cli_say(void *ud, bool error, const char *text)
{
    (void)ud;
    fputs(text, error ? stderr : stdout);
}

/* ---- usage errors ---- */

void flux_cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "flux %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    const flux_cli_command *c = flux_cli_find_command(cmd);
    if (c)
        fputs(c->usage, stderr);
}

int flux_cli_format_check(const char *cmd, const char *format)
{
    if (!strcmp(format, "text") || !strcmp(format, "json"))
        return 0;
    flux_cli_usage_error(cmd, "unknown format '%s' (text or json)", format);
    return -1;
}

bool flux_cli_colour(void)
{
    const char *nc = getenv("NO_COLOR");
    return isatty(STDERR_FILENO) && !(nc && *nc);
}

/* an unknown option, with the closest known one */
void flux_cli_unknown_option(const char *cmd, const char *opt, const char *const *known, unsigned long n)
{
    fprintf(stderr, "flux %s: unknown option '%s'\n", cmd, opt);
    char word[64];
    snprintf(word, sizeof word, "%s", opt);
    char *eq = strchr(word, '=');
    if (eq)
        *eq = '\0';
    const char *best = flux_suggest(word, known, n);
    if (best)
        fprintf(stderr, "help: did you mean '%s'?\n", best);
    else
        fprintf(stderr, "help: run 'flux help %s' for its options\n", cmd);
}
