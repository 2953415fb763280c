/* check — checks expanded pipelines: names, dependencies, cycles,
 * operator parameters, pipeline attributes and run-time templates. */
#ifndef FLUX_CHECK_H
#define FLUX_CHECK_H

#include "compilation.h"

/* Checks every pipeline of c; reports into c->diags. On success each
 * pipeline's order holds its tasks upstream first. */
void flux_check(flux_compilation *c);

#endif
