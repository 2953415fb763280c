/* plan — the deployable form of one checked pipeline: YAML written and read
 * with libyaml, versioned, deterministic (same source, same bytes) and named
 * by the SHA-256 of its bytes. The runtime reads only plans. Format: PLAN.md. */
#ifndef FLUX_PLAN_H
#define FLUX_PLAN_H

#include "arena.h"
#include "diag.h"
#include "pipeline.h"
#include "sha256.h" /* flux_sha256_hex names plans */

#define FLUX_PLAN_VERSION 1

typedef struct flux_plan_source {
    const char *path;   /* as given to the compiler */
    char sha256[65];    /* of the file's bytes, lowercase hex */
} flux_plan_source;

/* an operator of one's own a task of the plan uses: its manifest, and the
 * SHA-256 of the manifest's bytes then its executable's, so a run of the
 * plan loads that operator and no other */
typedef struct flux_plan_operator {
    const char *name;
    flux_plan_source manifest;
} flux_plan_operator;

typedef struct flux_plan {
    flux_pipeline *pipeline;  /* tasks in plan order (upstream first): task i has index i;
                                 edges resolved (a, b); order[i] == i */
    flux_plan_source source;  /* the file that declared the pipeline */
    flux_plan_source *includes; /* files it included, in first-read order */
    size_t nincludes;
    flux_plan_operator *operators; /* operators of one's own its tasks use, by name */
    size_t noperators;
} flux_plan;

/* Writes the plan of a pipeline that compiled without errors (its order set).
 * Run-time templates are written as canonical template source. */
void flux_plan_write(const flux_plan *plan, flux_buf *out);

/* Reads a plan. NULL on a malformed plan, a newer version, or templates that
 * do not parse, with "name:line:col: message" in err. Everything lives in
 * arena; templates are parsed into sources. */
flux_plan *flux_plan_read(flux_arena *arena, flux_sources *sources, const char *name, const char *text,
                          size_t len, char *err, size_t errlen);

#endif
