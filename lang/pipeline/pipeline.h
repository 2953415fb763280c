/* pipeline — pipelines after compile-time expansion: what the checker
 * checks, the plan writer writes and the plan reader gives back.
 *
 * Every name, attribute and edge keeps the source span it came from and the
 * expansion context (loop iteration, macro call, include) that produced it, so
 * an error found late still points at the line the user wrote.
 */
#ifndef FLUX_PIPELINE_H
#define FLUX_PIPELINE_H

#include "ast.h"
#include "value.h"

/* Why an item exists: a chain of loop iterations, macro calls and includes. */
typedef enum { FLUX_CTX_LOOP, FLUX_CTX_MACRO, FLUX_CTX_INCLUDE } flux_ctx_kind;

typedef struct flux_ctx {
    flux_ctx_kind kind;
    flux_span span;        /* loop header, macro call, include statement */
    const char *name;      /* loop variable or macro name */
    flux_value value;      /* loop variable's value in this iteration */
    size_t index;          /* 0-based iteration */
    const struct flux_ctx *parent;
} flux_ctx;

typedef enum {
    FLUX_F_STRING,   /* plain text */
    FLUX_F_TEMPLATE, /* text with run-time {{ }} parts (expressions folded) */
    FLUX_F_INT, FLUX_F_FLOAT, FLUX_F_BOOL, FLUX_F_DURATION,
    FLUX_F_IDENT,    /* bare enumeration name */
    FLUX_F_LIST, FLUX_F_MAP
} flux_fkind;

typedef struct flux_field flux_field;

struct flux_field {
    flux_fkind kind;
    flux_span span;
    bool computed; /* written as an unquoted {{ expr }}: a string may stand for a name */
    union {
        struct { const char *s; size_t len; } str;   /* STRING, IDENT */
        struct { flux_tpart *parts; size_t n; } tmpl; /* TEMPLATE */
        int64_t i;
        double f;
        bool b;
        int64_t ms;
        struct { flux_field *v; size_t n; } list;
        struct { const char **keys; flux_span *key_spans; flux_field *v; size_t n; } map;
    } u;
};

typedef struct flux_attr {
    const char *key;
    flux_span key_span;
    flux_field val;
    const flux_ctx *ctx;
    bool invalid;   /* its value had an error already reported: check nothing else */
    bool inherited; /* copied from the pipeline's task defaults (retries = 2 ...) */
} flux_attr;

typedef struct flux_attrs {
    flux_attr *v;
    size_t n, cap;
} flux_attrs;

typedef struct flux_task {
    const char *id;
    flux_span id_span;
    const char *op;
    flux_span op_span;
    const char *kind;      /* operator kind from the registry: sensor, remote, transfer */
    flux_attrs attrs;      /* as written, then the inherited pipeline defaults */
    const flux_ctx *ctx;
    size_t index;
} flux_task;

typedef struct flux_edge {
    const char *from, *to;
    flux_span from_span, to_span;
    const flux_ctx *ctx;
    uint32_t a, b; /* task indices once resolved */
} flux_edge;

typedef struct flux_pipeline {
    const char *name;
    flux_span name_span;
    const flux_ctx *ctx;
    uint32_t source;      /* file id */
    bool partial;         /* its file had syntax errors: some items were dropped */
    bool arena_arrays;    /* tasks and edges live in an arena (read from a plan), not malloc */
    const struct flux_plan *from_plan; /* the plan it was read from, when it was */
    flux_attrs attrs;
    flux_attrs params;
    flux_span params_span;
    flux_task **tasks;
    size_t ntasks, tasks_cap;
    flux_edge *edges;
    size_t nedges, edges_cap;
    /* filled by the checker: upstream-first order of task indices */
    uint32_t *order;
    /* files read by {% include %} while expanding its file, first-read order */
    uint32_t *includes;
    size_t nincludes;
} flux_pipeline;

#endif
