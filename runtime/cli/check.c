/* check — `flux check`: compiles the files given and the *.flux files
 * found under the directories given, checks the connections and pools they
 * name against the flux.yaml a run would use (itself checked first), and
 * reports every diagnostic. */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "opts.h"
#include "compile.h"
#include "home.h"
#include "manifest.h"

/* this file's rows of the command table (commands.c), in the order
 * `flux help` lists them */
const flux_cli_command flux_cli_check_commands[] = {
    {"check", "compile pipelines and report every error",
     "usage: flux check [--format text|json] [--color auto|always|never] [--connections FILE] FILE|DIR...\n"
     "\n"
     "Compiles each .flux file (directories are searched recursively; files whose\n"
     "name starts with '_' are include fragments and are skipped there) and reports\n"
     "every error and warning with its place. The flux.yaml a run would use\n"
     "(--connections FILE, else FLUX_CONNECTIONS, else the nearest flux.yaml from\n"
     "here up) is checked too, and every connection and pool the pipelines name\n"
     "must be defined there (or, for a connection, by FLUX_CONN_<NAME>) with a\n"
     "type its operator accepts; without a flux.yaml a note lists the names that\n"
     "could not be checked. Exit status: 0 valid, 3 compile errors, 2 usage or\n"
     "I/O error. Colour is used only on a terminal and never when NO_COLOR is set.\n",
     flux_cmd_check},
};
const size_t flux_cli_check_ncommands = sizeof flux_cli_check_commands / sizeof *flux_cli_check_commands;

typedef struct copts {
    const char *format, *color, *conns;
} copts;

static const flux_opt OPTS[] = {
    {.name = "--format", .kind = FLUX_OPT_STR, .off = offsetof(copts, format)},
    {.name = "--color", .alias = "--colour", .kind = FLUX_OPT_STR, .off = offsetof(copts, color)},
    {.name = "--connections", .kind = FLUX_OPT_STR, .off = offsetof(copts, conns)},
};
static const char *const KNOWN[] = {"--format", "--color", "--colour", "--connections", "--help"};
static const flux_cli_spec SPEC = {.cmd = "check", .opts = OPTS, .nopts = sizeof OPTS / sizeof *OPTS,
                                   .known = KNOWN, .nknown = sizeof KNOWN / sizeof *KNOWN, .maxpos = (size_t)-1};

/* the files given and the *.flux files under the directories given, each
 * with the root its includes must stay under in roots (the directory given,
 * or "" for a file given: its own directory); false when a directory could
 * not be read or holds none */
static bool gather(const flux_cli_list *args, flux_paths *files, flux_paths *roots)
{
    bool ok = true;
    for (size_t i = 0; i < args->n; i++) {
        const char *a = args->v[i];
        struct stat st;
        if (stat(a, &st) == 0 && S_ISDIR(st.st_mode)) {
            size_t before = files->n;
            if (flux_load_find_sources(a, files) != 0) {
                fprintf(stderr, "flux check: cannot read directory '%s': %s\n", a, strerror(errno));
                ok = false;
            } else if (files->n == before) {
                fprintf(stderr, "flux check: no .flux files under '%s'\n", a);
                ok = false;
            }
            while (roots->n < files->n)
                flux_paths_add(roots, a);
        } else {
            flux_paths_add(files, a);
            flux_paths_add(roots, "");
        }
    }
    return ok;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* "connections 'a', 'b', 'c'" */
static void put_names(const char *what, flux_names *ns, FILE *out)
{
    qsort(ns->v, ns->n, sizeof *ns->v, cmp_str);
    fprintf(out, "%s%s ", what, ns->n == 1 ? "" : "s");
    for (size_t i = 0; i < ns->n; i++)
        fprintf(out, "%s'%s'", i ? ", " : "", ns->v[i]);
}

/* Without a flux.yaml, once: the names a run would look up that nothing
 * here could check (a FLUX_CONN_* variable checks its own). */
static void note_unchecked(flux_compilation *c, const char *path, bool colour)
{
    if (path[0] || (!c->unchecked_conns.n && !c->unchecked_pools.n))
        return;
    /* the colours of flux_diags_print's notes and help */
    fprintf(stderr, "%snote:%s no flux.yaml here or in a parent directory: ", colour ? "\033[1;36m" : "",
            colour ? "\033[0m" : "");
    if (c->unchecked_conns.n)
        put_names("connection", &c->unchecked_conns, stderr);
    if (c->unchecked_conns.n && c->unchecked_pools.n)
        fputs(" and ", stderr);
    if (c->unchecked_pools.n)
        put_names("pool", &c->unchecked_pools, stderr);
    fprintf(stderr, " %s not checked\n%shelp:%s name the flux.yaml a run would use with --connections FILE or "
            "FLUX_CONNECTIONS\n", c->unchecked_conns.n + c->unchecked_pools.n == 1 ? "was" : "were",
            colour ? "\033[1;32m" : "", colour ? "\033[0m" : "");
}

/* The operators of one's own of the flux.yaml nearest a file (walking up
 * from its directory) when that is not the flux.yaml read: `flux check
 * examples/` checks each example with the operators a run from its own
 * directory would have. That flux.yaml's other mistakes are not this
 * check's (a run from there reports them); its manifests' are. */
static void file_operators(flux_compilation *c, const char *file, const char *read)
{
    char dir[PATH_MAX], yaml[PATH_MAX + 16], had[PATH_MAX];
    if (!realpath(file, dir))
        return;
    bool have = read[0] && realpath(read, had);
    for (char *slash = strrchr(dir, '/'); slash; slash = strrchr(dir, '/')) {
        *slash = '\0';
        snprintf(yaml, sizeof yaml, "%s/flux.yaml", dir);
        if (access(yaml, R_OK) != 0)
            continue;
        if (have && !strcmp(yaml, had))
            return;
        flux_sources s;
        flux_sources_init(&s);
        flux_diags d;
        flux_diags_init(&d, &s);
        flux_conns conns;
        flux_conns_read(c->arena, &conns, yaml, false, &d);
        flux_diags_free(&d);
        flux_sources_free(&s);
        flux_manifest_load_conns(&conns, &c->diags);
        return;
    }
}

int flux_cmd_check(int argc, char **argv)
{
    copts o = {.format = "text", .color = "auto"};
    flux_paths files = {0}, roots = {0};
    flux_cli_list args = {0};
    int rc = flux_cli_parse(&SPEC, argc, argv, &o, &args);
    bool io_error = rc == 0 && !gather(&args, &files, &roots);
    flux_cli_list_free(&args);
    if (rc) {
        rc = rc > 0 ? FLUX_EXIT_OK : FLUX_EXIT_USAGE;
        goto done;
    }
    const char *format = o.format, *color = o.color;
    if (strcmp(format, "text") != 0 && strcmp(format, "json") != 0) {
        fprintf(stderr, "flux check: unknown format '%s' (text or json)\n", format);
        rc = FLUX_EXIT_USAGE;
        goto done;
    }
    if (strcmp(color, "auto") != 0 && strcmp(color, "always") != 0 && strcmp(color, "never") != 0) {
        fprintf(stderr, "flux check: unknown colour mode '%s' (auto, always or never)\n", color);
        rc = FLUX_EXIT_USAGE;
        goto done;
    }
    if (files.n == 0 && !io_error) {
        fputs(flux_cli_find_command("check")->usage, stderr);
        rc = FLUX_EXIT_USAGE;
        goto done;
    }
    flux_compilation c;
    flux_compilation_init(&c);
    /* flux.yaml first: its mistakes are listed before those of the files */
    char path[4200];
    const char *from;
    bool required = flux_home_conns_path(o.conns, path, sizeof path, &from) == 1;
    flux_conns conns;
    if (flux_conns_read(c.arena, &conns, path[0] ? path : NULL, required, &c.diags) < 0)
        io_error = true;
    c.conns = &conns;
    /* operators of one's own, before the files whose tasks use them */
    flux_manifest_load_conns(&conns, &c.diags);
    for (size_t i = 0; i < files.n; i++)
        file_operators(&c, files.v[i], path);
    for (size_t i = 0; i < files.n; i++)
        if (flux_compile_file_under(&c, files.v[i], roots.v[i][0] ? roots.v[i] : NULL) != 0)
            io_error = true;
    flux_compile_finish(&c);
    const char *nc = getenv("NO_COLOR");
    bool colour = strcmp(color, "always") == 0 ||
                  (strcmp(color, "auto") == 0 && isatty(STDERR_FILENO) && !(nc && *nc));
    if (strcmp(format, "json") == 0) {
        flux_diags_print_json(&c.diags, stdout);
        note_unchecked(&c, path, colour);
    } else {
        flux_diags_print(&c.diags, stderr, colour);
        note_unchecked(&c, path, colour);
        size_t e = c.diags.errors, w = c.diags.warnings;
        if (e || w)
            fprintf(stderr, "%zu error%s, %zu warning%s\n", e, e == 1 ? "" : "s", w, w == 1 ? "" : "s");
        if (!e && !io_error)
            printf("ok: %zu pipeline%s, %zu task%s, %zu dependenc%s in %zu file%s\n", c.npipelines,
                   c.npipelines == 1 ? "" : "s", c.ntasks, c.ntasks == 1 ? "" : "s", c.nedges,
                   c.nedges == 1 ? "y" : "ies", files.n, files.n == 1 ? "" : "s");
    }
    rc = io_error ? FLUX_EXIT_USAGE : c.diags.errors ? FLUX_EXIT_COMPILE : FLUX_EXIT_OK;
    flux_compilation_free(&c);
done:
    flux_paths_free(&roots);
    flux_paths_free(&files);
    return rc;
}
