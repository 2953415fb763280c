/* attr — typed reads of a task's or a pipeline's attributes by name (the
 * first attribute with the name), with a default when it is absent or of
 * another type. */
#ifndef FLUX_ATTR_H
#define FLUX_ATTR_H

#include <stdbool.h>
#include <stdint.h>

#include "pipeline.h"

const flux_attr *flux_attr_find(const flux_attrs *as, const char *key);  /* NULL when absent */

/* A new attribute at the end of as, zeroed; the array grows in a. */
flux_attr *flux_attr_append(flux_arena *a, flux_attrs *as);
const flux_field *flux_attr_field(const flux_attrs *as, const char *key); /* its value, or NULL */

int64_t flux_attr_int(const flux_attrs *as, const char *key, int64_t dflt);         /* an integer */
int64_t flux_attr_ms(const flux_attrs *as, const char *key, int64_t dflt);          /* a duration */
bool flux_attr_bool(const flux_attrs *as, const char *key, bool dflt);              /* a boolean */
const char *flux_attr_word(const flux_attrs *as, const char *key, const char *dflt); /* a bare name or a string */

#endif
