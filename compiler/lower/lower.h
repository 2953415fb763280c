/* lower — turns checked pipelines into the form a plan holds, after the
 * checks (which change nothing): task kinds from the registry, pipeline-level
 * task defaults copied into each task, edges resolved to task indices with
 * unknown and repeated ones dropped, and, when there is no error, the
 * upstream-first task order. */
#ifndef FLUX_LOWER_H
#define FLUX_LOWER_H

#include "compilation.h"

/* Lowers every pipeline of c, and counts c->ntasks and c->nedges. */
void flux_lower(flux_compilation *c);

#endif
