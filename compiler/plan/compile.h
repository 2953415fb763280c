/* compile — the compiler's driver: files in, checked pipelines and
 * diagnostics out.
 *
 * parse (lang/) -> expand (compile-time templates) -> check (names, deps,
 * cycles, operator schemas, attributes, templates; nothing changed) -> lower
 * (task defaults, resolved edges, task order). The result of a compilation is
 * the list of pipelines, valid only when no error was reported.
 */
#ifndef FLUX_COMPILE_H
#define FLUX_COMPILE_H

#include <stdbool.h>

#include "compilation.h"

/* Parses and expands one file into the compilation. Returns 0 when it could
 * be read, -1 when it could not (a diagnostic says why). Call
 * flux_compile_finish once after the last file. */
int flux_compile_file(flux_compilation *c, const char *path);
/* The same, with the directory its includes must stay under (NULL: the
 * file's own directory): what check and deploy give for a directory. */
int flux_compile_file_under(flux_compilation *c, const char *path, const char *root);

/* Checks everything added so far (names across files, dependencies ...).
 * Afterwards diags.errors == 0 means the pipelines are valid. */
void flux_compile_finish(flux_compilation *c);

/* One file from memory, parsed, expanded and checked (tests, fuzzing).
 * Includes resolve relative to the directory of name. */
int flux_compile_text(flux_compilation *c, const char *name, const char *text, size_t len);

/* The plan of one pipeline of a compilation without errors: sources named
 * and hashed. Tasks are reordered upstream first (index i = position i). */
struct flux_plan;
void flux_compile_plan(flux_compilation *c, flux_pipeline *p, struct flux_plan *out);

#endif
