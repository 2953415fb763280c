/* refgen — the operators section of lang/REFERENCE.md, printed from the registry.
 *
 * The reference is generated rather than written so it cannot drift from what
 * the compiler accepts; a test compares this output with the checked-in file.
 */
#ifndef FLUX_REFGEN_H
#define FLUX_REFGEN_H

#include <stdio.h>

/* Markdown, deterministic (same registry, same bytes): common task parameters,
 * sensor parameters, pipeline attributes, then every operator grouped by kind
 * and sorted by name, each with a parameter table. */
void flux_registry_markdown(FILE *out);

#endif
