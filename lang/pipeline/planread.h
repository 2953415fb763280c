/* planread — the plan reader's tree and its checked scalars, shared by the
 * files of the reader (plan_read.c, planvalues.c): the reader's state, errors
 * worded for a plan ("name:line:col: message", the first one only), and
 * typed scalars read strictly. Internal to lang/pipeline. */
#ifndef FLUX_PLANREAD_H
#define FLUX_PLANREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <yaml.h>

#include "plan.h"
#include "yamltree.h"

/* the tree's nodes (base/yamltree.h), as the checks below call them */
typedef flux_ynode node;

typedef struct reader {
    yaml_parser_t yp;
    flux_arena *tmp;   /* the tree, freed when reading ends */
    flux_arena *arena; /* the plan */
    flux_sources *sources;
    const char *name;
    const char *text;
    size_t len;
    char *err;
    size_t errlen;
    bool failed;
} reader;

#define FAIL_AT(r, nd, ...) flux_planread_fail((r), (nd)->line, (nd)->col, __VA_ARGS__)

/* How a plain scalar reads in YAML; names must not read as anything but a
 * string, and typed values are told apart by it. */
typedef enum { P_STRING, P_NULL, P_BOOL, P_INT, P_FLOAT } plain_kind;

/* Records the first error only: later ones are usually consequences. */
bool flux_planread_fail(reader *r, size_t line, size_t col, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* A piece of input for a message: clipped, control bytes as \xNN. */
const char *flux_planread_shown(reader *r, const char *s, size_t n);

const char *flux_planread_node_desc(const node *nd);

bool flux_planread_key_is(const node *k, const char *s);

/* Checks a structural mapping: string keys out of a fixed set, each at most
 * once, the required ones present; found[i] gets the value of allowed[i]. */
bool flux_planread_check_struct(reader *r, const node *m, const char *what, const char *const *allowed, size_t nallowed,
                         unsigned required, const node **found);

plain_kind flux_planread_plain_kind(const node *nd);

const char *flux_planread_plain_kind_desc(plain_kind k);

/* A string: an untagged scalar (quoted, or plain and not readable as
 * anything else). nonempty: names. Copies into the plan's arena. */
const char *flux_planread_string(reader *r, const node *nd, const char *what, bool nonempty, size_t *lenp);

bool flux_planread_int(reader *r, const node *nd, const char *what, int64_t *out);

bool flux_planread_source(reader *r, const node *nd, const char *what, flux_plan_source *out);

/* The one document of the stream, or NULL. */
node *flux_planread_tree(reader *r);

#endif
