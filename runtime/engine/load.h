/* load — finding and loading what the runtime runs: the *.flux files of a
 * tree, a source compiled or a plan read into a compilation, the pipeline a
 * command means, its timetable and times given by a user (flux.yaml is
 * home.h's). Nothing here prints: failures come back as a message in err
 * (without the "flux CMD: " prefix the commands put in front). */
#ifndef FLUX_LOAD_H
#define FLUX_LOAD_H

#include <stddef.h>
#include <stdint.h>

#include "compile.h"
#include "conn.h"
#include "schedule.h"
#include "tz.h"

enum { FLUX_EXIT_OK = 0, FLUX_EXIT_FAIL = 1, FLUX_EXIT_USAGE = 2, FLUX_EXIT_COMPILE = 3 };

/* a growing list of malloc'd paths */
typedef struct flux_paths {
    char **v;
    size_t n, cap;
} flux_paths;
void flux_paths_add(flux_paths *p, const char *s);
void flux_paths_free(flux_paths *p);

/* The *.flux files under dir, recursively, sorted (so output order never
 * depends on the filesystem); names starting with '.' or '_' are skipped
 * ('_' files are include fragments). -1 when dir cannot be opened. */
int flux_load_find_sources(const char *dir, flux_paths *out);

/* A source (compiled; its diagnostics, warnings too, left in c->diags) or a
 * .plan.yaml/.yml into c, which is initialised either way. 0, or the exit
 * status to give up with: FLUX_EXIT_USAGE when the file cannot be read,
 * FLUX_EXIT_COMPILE on errors (in c->diags for a source; in err for a plan,
 * whose reader's message already names the place). */
int flux_load_file(flux_compilation *c, const char *file, char *err, size_t errlen);
/* A plan text (from the state store) into c; name: how messages call it.
 * 0, or FLUX_EXIT_COMPILE with err. */
int flux_load_plan_text(flux_compilation *c, const char *name, const char *text, size_t len, char *err,
                        size_t errlen);
/* The pipeline named (NULL: the only one), or NULL with err. */
flux_pipeline *flux_load_pipeline(flux_compilation *c, const char *file, const char *name, char *err,
                                  size_t errlen);
/* A pipeline's attribute, or NULL. */
const flux_field *flux_load_attr(const flux_pipeline *p, const char *key);

/* A time given by a user: with a zone it is that instant, without one a
 * wall time in tz (NULL: UTC). -1 with err. */
int flux_load_time(const char *text, const flux_tz *tz, int64_t *ms, char *err, size_t errlen);
/* A pipeline's timetable (zone, schedule, start, end). -1 with err. */
int flux_load_timetable(const flux_pipeline *p, flux_timetable *tt, char *err, size_t errlen);

#endif
