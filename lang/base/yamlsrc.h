/* yamlsrc — a hand-written YAML file read for diagnostics: its tree, each
 * node's place as bytes of the file, and libyaml's errors as diagnostics.
 *
 * libyaml stops at its first error. A tab in the indentation, the mistake
 * YAML's writers make most, is reported and read past: libyaml reads again
 * a copy of the text where that line's indentation is the spaces it was
 * meant to be, and positions are mapped back to the file, so the mistakes
 * after it (which the caller reports from the tree) are found too. The text
 * diagnostics show a line of can have its secrets masked first, byte for
 * byte so that every position holds.
 */
#ifndef FLUX_YAMLSRC_H
#define FLUX_YAMLSRC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "diag.h"
#include "yamltree.h"

typedef struct flux_yamlsrc {
    flux_arena *a;
    const char *path;  /* as diagnostics name it */
    char *text, *scr;  /* the file, and the copy libyaml reads */
    size_t len, slen;
    struct flux_yamlsrc_line *lines;
    size_t nlines;
    struct flux_yamlsrc_error *errs; /* found before the text is in the sources */
    size_t nerrs, errs_cap;
    unsigned tabs;     /* tabs read past */
    uint32_t file;     /* the file's id in the sources, once added */
} flux_yamlsrc;

/* Holds a copy of text, named path. */
void flux_yamlsrc_init(flux_yamlsrc *y, flux_arena *a, const char *path, const char *text, size_t len);
void flux_yamlsrc_free(flux_yamlsrc *y);

/* The tree (allocated in y's arena), reading past tabs, each an error; NULL
 * when there is none to check: an empty file, or an error libyaml cannot go
 * on after (reported, unless it may only follow from a tab read past). The
 * errors are reported by flux_yamlsrc_add. */
flux_ynode *flux_yamlsrc_parse(flux_yamlsrc *y, const flux_yaml_opts *opts);

/* Masks in the text the values of the keys secret() names, anywhere in the
 * tree, and the password of every URI (scheme://user:PASSWORD@host); with
 * no tree, line by line the value after a key ending in "password" and
 * URIs' passwords. */
void flux_yamlsrc_mask(flux_yamlsrc *y, const flux_ynode *root, bool (*secret)(const char *key));

/* Adds the text to d's sources and reports the errors parse found there:
 * afterwards flux_yamlsrc_span gives places diagnostics can use. */
void flux_yamlsrc_add(flux_yamlsrc *y, flux_diags *d);

/* A node's text on its first line, in the file. */
flux_span flux_yamlsrc_span(const flux_yamlsrc *y, const flux_ynode *n);

/* A node's 1-based line and column (bytes) in the file, for messages that
 * say "file:line:col" themselves. */
void flux_yamlsrc_linecol(const flux_yamlsrc *y, const flux_ynode *n, size_t *line, size_t *col);

#endif
