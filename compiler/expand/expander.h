/* expander — what the files of the expander share (expand.c: items, loops,
 * macros, includes; expand_fields.c: names and values; expand_template.c:
 * the templates of strings): its state, limits, errors with the expansion
 * context's notes. Internal to compiler/expand. */
#ifndef FLUX_EXPANDER_H
#define FLUX_EXPANDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compilation.h"
#include "eval.h"
#include "intern.h"

/* every item expanded and every task, edge and attribute made counts: a
 * macro that loops over its own calls must stop quickly, not in hours */
#define EXPAND_MAX_ITEMS 5000000u
#define MACRO_MAX_CALLS 20000u
#define MACRO_MAX_DEPTH 32
#define INCLUDE_MAX_DEPTH 32

typedef enum { W_FILE, W_PIPELINE, W_TASK, W_PARAMS, W_BLOCK } where;

typedef struct target {
    where w;
    flux_pipeline *p;
    flux_task *t;
    flux_attrs *block; /* W_BLOCK: the settings of a NAME { } block, made a map once read */
} target;

typedef struct set_rec {
    const flux_item *item;
    bool used;
} set_rec;

typedef struct include_frame {
    const char *path; /* resolved */
    struct include_frame *parent;
} include_frame;

/* Memory: what the expansion makes (pipelines, tasks, attributes, edges,
 * contexts, names, folded templates) goes into the compilation's arena a;
 * what it needs only while it works (scopes and their bindings, loop dicts,
 * every value an expression computes, operand lists) goes into tmp, which
 * is released at the end of each loop iteration and of each item that binds
 * nothing in its enclosing scope (expand_item). A value that is kept is
 * copied into a where it is kept: rendered into a name or a field, interned
 * as a task name, copied into a loop context (flux_value_copy), or made a
 * literal (flux_value_expr). */
typedef struct expander {
    flux_compilation *c;
    flux_arena *a;
    flux_arena *tmp;
    flux_interner names; /* every rendered name, once */
    flux_buf name;       /* where a name is rendered */
    flux_diags *d;
    const flux_ctx *ctx;
    size_t items;
    bool too_large;
    bool partial; /* the file being expanded had syntax errors */
    int macro_depth;
    size_t macro_calls;
    int include_depth;
    include_frame *includes;
    uint32_t file;
    set_rec **sets; /* one record per {% set %} item executed */
    size_t nsets, sets_cap;
    /* files already read for {% include %}, by resolved path: an include in
     * a loop reads and parses its file once */
    const char **inc_paths;
    flux_file **inc_files;
    size_t ninc, inc_cap;
    set_rec **set_table; /* item pointer -> record, open addressing */
    size_t set_table_cap;
} expander;

/* ---- expand.c ---- */

/* the items of b in scope, into tg */
void flux_expand_body(expander *x, const flux_body *b, flux_scope *scope, target *tg);

/* an error at span, with notes for the enclosing loops, calls and includes */
flux_diag *flux_expand_error(expander *x, flux_span span, const char *code, const char *help, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* a compile-time evaluator over scope */
flux_eval flux_expand_evaluator(expander *x, const flux_scope *scope);

/* counts one more item made; false (reported once) past EXPAND_MAX_ITEMS */
bool flux_expand_budget(expander *x, flux_span span);

/* ---- expand_fields.c ---- */

/* first run-time name an expression reads, for messages; "sql" when only
 * an sql filter waits for the database (a text holding a backslash) */
const char *flux_expand_runtime_name_in(const flux_expr *e, const flux_scope *scope);

/* evaluates an expression that must be known at compile time */
bool flux_expand_static(expander *x, const flux_scope *scope, const flux_expr *e, const char *what, flux_value *out);

/* renders a templated name; NULL after an error */
const char *flux_expand_name(expander *x, const flux_scope *scope, const flux_tstr *t, const char *what);

/* a value as a typed field: compile-time parts computed, run-time ones folded
 * and kept */
bool flux_expand_field(expander *x, const flux_scope *scope, const flux_val *v, flux_field *f);

/* ---- expand_template.c ---- */

/* a string's template as a field: a plain string when compile time renders
 * all of it, else a template of what is left for run time */
bool flux_expand_template(expander *x, const flux_scope *scope, const flux_tstr *t, flux_field *f);

#endif
