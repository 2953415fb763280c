/* diag — the diagnostics object every stage reports into.
 *
 * Library code never prints: it adds diagnostics here, and the CLI prints them
 * once, sorted by position, in the clang/rustc shape:
 *
 *   file.flux:14:23: error: unknown operator 'kafka_sensr'
 *       task wait_events : kafka_sensr {
 *                          ^~~~~~~~~~~
 *   help: did you mean 'kafka_sensor'?
 */
#ifndef FLUX_DIAG_H
#define FLUX_DIAG_H

#include <stdbool.h>
#include <stdio.h>

#include "source.h"

typedef enum { FLUX_SEV_ERROR, FLUX_SEV_WARNING } flux_severity;

typedef struct flux_note {
    flux_span span; /* file 0: a note without a place */
    char *msg;
} flux_note;

typedef struct flux_diag {
    flux_severity sev;
    flux_span span;
    const char *code;  /* stable kind for machines: "unknown-operator" ... (static) */
    char *msg;
    char *help;        /* NULL or one fix */
    flux_note *notes;
    size_t nnotes;
    size_t seq;        /* order of reporting, to keep sorting stable */
} flux_diag;

typedef struct flux_diags {
    flux_sources *sources;
    flux_diag **v;
    size_t n, cap;
    size_t errors, warnings;
    /* past FLUX_DIAG_LIMIT errors nothing more is recorded: a generated file
     * with a mistake in a loop of 100,000 iterations must stop, not print
     * (or compute suggestions for) 100,000 messages */
    bool full;
    /* set of (span, message) already reported: an error inside a loop body must
     * not be printed once per iteration */
    uint64_t *seen;
    size_t seen_cap, seen_n;
} flux_diags;

#define FLUX_DIAG_LIMIT 1000

void flux_diags_init(flux_diags *d, flux_sources *sources);

/* true once the error limit is reached: callers skip expensive work (did-you-
 * mean searches, further checks) */
static inline bool flux_diags_full(const flux_diags *d)
{
    return d->full;
}
void flux_diags_free(flux_diags *d);

/* Returns NULL when the same message at the same span was already reported;
 * flux_diag_note and flux_diag_help accept NULL and do nothing then. */
flux_diag *flux_diag_add(flux_diags *d, flux_severity sev, flux_span span, const char *code,
                         const char *fmt, ...) __attribute__((format(printf, 5, 6)));
flux_diag *flux_diag_vadd(flux_diags *d, flux_severity sev, flux_span span, const char *code,
                          const char *fmt, va_list ap);
void flux_diag_note(flux_diag *g, flux_span span, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void flux_diag_help(flux_diag *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* flux_diag_vadd, then help as the help line when it is not NULL: what every
 * stage's reporting function starts with. */
flux_diag *flux_diag_vreport(flux_diags *d, flux_severity sev, flux_span span, const char *code, const char *help,
                             const char *fmt, va_list ap);

#define flux_error(d, span, code, ...) flux_diag_add((d), FLUX_SEV_ERROR, (span), (code), __VA_ARGS__)
#define flux_warning(d, span, code, ...) flux_diag_add((d), FLUX_SEV_WARNING, (span), (code), __VA_ARGS__)

/* Sorts by file, position and reporting order. */
void flux_diags_sort(flux_diags *d);

/* Human form; colour adds ANSI escapes (the CLI decides: TTY and no NO_COLOR). */
void flux_diags_print(flux_diags *d, FILE *out, bool colour);

/* The first diagnostic after sorting as one line of text, for a caller
 * that reports a message rather than prints: "NAME:LINE:COL: message"
 * (NAME, or the source's own path when NULL), the message alone without a
 * source; with_help adds "\nhelp: ..." when it has one. "" without any. */
void flux_diags_first(flux_diags *d, const char *name, bool with_help, char *out, size_t n);

/* {"diagnostics":[...],"errors":N,"warnings":N} on one line. */
void flux_diags_print_json(flux_diags *d, FILE *out);

#endif
