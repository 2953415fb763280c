/* opts — the one option parser of the flux commands, driven by a table per
 * command (or per file of commands: a row says which of them take it):
 * `--x v` and `--x=v`, repeated options into a list (`--param k=v`), numbers
 * with their range, did-you-mean among the command's own options, `--help`
 * printing the command's usage. */
#ifndef FLUX_OPTS_H
#define FLUX_OPTS_H

#include <stdbool.h>
#include <stddef.h>

typedef enum {
    FLUX_OPT_FLAG, /* bool, set when given */
    FLUX_OPT_STR,  /* const char *, the last one given */
    FLUX_OPT_LIST, /* flux_cli_list, every one given, in order */
    FLUX_OPT_INT,  /* long, within [min, max] */
} flux_opt_kind;

typedef struct flux_opt {
    const char *name;  /* "--date", "-j" */
    const char *alias; /* another spelling ("-p"), or NULL */
    flux_opt_kind kind;
    size_t off;        /* offsetof the destination in the command's struct */
    long min, max;     /* FLUX_OPT_INT */
    /* usage errors; each may use %s (the option as given) and, bad only, a
     * second %s (the value). NULL: "option '%s' needs a value"; bad NULL:
     * the missing text */
    const char *missing, *bad;
    bool attached; /* the value may follow at once ("-j4") */
    /* the commands of a shared table that take it, separated by spaces
     * ("dry-run render"); NULL: every command of the table. For any other
     * command it is an unknown option, never one accepted and ignored */
    const char *only;
} flux_opt;

/* a growing list of arguments (pointers into argv) */
typedef struct flux_cli_list {
    char **v;
    size_t n;
} flux_cli_list;

typedef struct flux_cli_spec {
    const char *cmd; /* its usage comes from the command table; rows whose
                        only does not name it are not its options */
    const flux_opt *opts;
    size_t nopts;
    /* what did-you-mean offers (NULL: the name of every option cmd takes);
     * a name or alias of a row cmd does not take is never offered */
    const char *const *known;
    size_t nknown;
    size_t maxpos;         /* positional arguments taken; (size_t)-1: any number */
    const char *too_many;  /* the usage error past maxpos, with %s the argument */
} flux_cli_spec;

/* Parses argv into out (a struct the table's offsets point into) and the
 * positional arguments into pos. 0 parsed; 1 when --help (or -h) printed
 * the usage on standard output; -1 after a usage error was printed. The
 * lists in out and pos are to be freed with flux_cli_list_free either way. */
int flux_cli_parse(const flux_cli_spec *sp, int argc, char **argv, void *out, flux_cli_list *pos);
void flux_cli_list_free(flux_cli_list *l);

#endif
