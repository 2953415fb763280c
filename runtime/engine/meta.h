/* meta — the facts of a plan that views show without reading the plan: its
 * pipeline's description, owner and tags, schedule and zone, and its number
 * of tasks. Recorded beside the plan when a command stores it; a plan stored
 * by an older flux has none, and its text is read instead. */
#ifndef FLUX_META_H
#define FLUX_META_H

#include <jansson.h>

#include "pipeline.h"
#include "store.h"

/* The facts of a compiled or loaded pipeline, malloc'd (flux_plan_meta_free). */
void flux_meta_of(const flux_pipeline *p, flux_plan_meta *m);
/* Records them for plan_id; -1 with the store's error. */
int flux_meta_record(flux_store *s, const char *plan_id, const flux_pipeline *p);
/* A plan's facts from the store, else from its text. 0, or -1 with err. */
int flux_meta_get(flux_store *s, const char *plan_id, flux_plan_meta *m, char *err, size_t errlen);
/* The facts people read into o: description and owner (null when unset)
 * and tags (an array, [] when none); m zeroed: a plan without facts. */
void flux_meta_json(const flux_plan_meta *m, json_t *o);
/* Whether the facts' tags (a JSON array) hold tag. */
bool flux_meta_has_tag(const flux_plan_meta *m, const char *tag);

#endif
