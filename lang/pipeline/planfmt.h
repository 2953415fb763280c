/* planfmt — what the plan writer and the plan reader agree on beyond
 * PLAN.md: the reader's limits and the type names of fields. Internal to
 * lang/pipeline. */
#ifndef FLUX_PLANFMT_H
#define FLUX_PLANFMT_H

#include "pipeline.h"

/* Plans are compiler output: the same bound as a source file keeps span
 * offsets (32-bit) valid for the templates parsed out of a plan. */
#define PLAN_MAX_BYTES (64u << 20)
/* YAML nesting: the plan's own structure takes five levels; values nest
 * below. Above the lexer's 200 brackets so any value a source can spell fits. */
#define PLAN_MAX_DEPTH 256
/* {{ a | f | f ... }} nests without brackets; the writer and the renderer
 * recurse over expressions, so a plan must not carry one deeper than this. */
#define PLAN_MAX_EXPR_DEPTH 1000

/* A field kind as a param's `type` in a plan: "string", "integer" ... */
static inline const char *flux_plan_type_name(flux_fkind k)
{
    switch (k) {
    case FLUX_F_STRING: return "string";
    case FLUX_F_TEMPLATE: return "template";
    case FLUX_F_INT: return "integer";
    case FLUX_F_FLOAT: return "number";
    case FLUX_F_BOOL: return "boolean";
    case FLUX_F_DURATION: return "duration";
    case FLUX_F_IDENT: return "enum";
    case FLUX_F_LIST: return "list";
    case FLUX_F_MAP: return "map";
    }
    return "?";
}

#endif
