/* expand — runs the compile-time templates of a parsed file: loops,
 * conditions, sets, macros and includes, producing pipelines whose names are
 * final and whose run-time templates are folded and kept for later. */
#ifndef FLUX_EXPAND_H
#define FLUX_EXPAND_H

#include "compilation.h"

/* Expands file (already parsed) into c->pipelines. */
void flux_expand_file(flux_compilation *c, flux_file *file);

/* Adds "in iteration ... of this loop" style notes for ctx to g. */
void flux_ctx_notes(flux_diag *g, const flux_ctx *ctx);

#endif
