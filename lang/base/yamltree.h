/* yamltree — a bounded YAML tree read from libyaml's events: one node per
 * scalar, sequence or mapping, with its position, tag and scalar style.
 *
 * Shared by the plan reader and the flux.yaml reader, which take bytes from
 * outside, so the limits are explicit: collections nest at most max_depth
 * deep and aliases are always refused (a small file cannot expand into a
 * large tree). Errors come back as facts (what, where, libyaml's words) and
 * each reader words them for its own file. */
#ifndef FLUX_YAMLTREE_H
#define FLUX_YAMLTREE_H

#include <stdbool.h>
#include <stddef.h>

#include <yaml.h>

#include "arena.h"

typedef enum { FLUX_YNODE_SCALAR, FLUX_YNODE_SEQ, FLUX_YNODE_MAP } flux_ynode_kind;

typedef struct flux_ynode {
    flux_ynode_kind kind;
    size_t line, col;          /* 1-based, of the node's first character */
    size_t end_line, end_col;  /* 1-based, just after its last character (a reader's caret
                                * underlines the node; columns count characters, as libyaml's) */
    const char *tag;           /* NULL when the node carries none */
    yaml_scalar_style_t style; /* scalars */
    const char *s;             /* scalar text, NUL-terminated, may hold NULs */
    size_t len;
    struct flux_ynode **kids;  /* sequence items; mapping: key, value, key, value ... */
    size_t n;                  /* number of kids */
} flux_ynode;

typedef struct flux_yaml_opts {
    int max_depth;      /* collections nested deeper (the root is depth 1) are refused */
    bool one_document;  /* a second document is an error (else later documents are read, checked and dropped) */
    bool no_anchors;    /* an anchor is an error (aliases always are) */
} flux_yaml_opts;

typedef enum {
    FLUX_YAML_OK,
    FLUX_YAML_PARSER,        /* libyaml failed: error, problem, context, mark and offset below */
    FLUX_YAML_EMPTY,         /* a stream without a document */
    FLUX_YAML_NOT_STREAM,    /* the events did not start a stream */
    FLUX_YAML_ALIAS,
    FLUX_YAML_ANCHOR,
    FLUX_YAML_UNEXPECTED,    /* an event that cannot start a node */
    FLUX_YAML_TOO_DEEP,
    FLUX_YAML_SECOND_DOCUMENT
} flux_yaml_status;

typedef struct flux_yaml_error {
    flux_yaml_status status;
    size_t line, col;        /* 1-based: the node or event at fault, or libyaml's problem mark */
    yaml_error_type_t error; /* FLUX_YAML_PARSER: libyaml's kind of error */
    const char *problem;     /* FLUX_YAML_PARSER: libyaml's words, or NULL (they live as long as the parser) */
    const char *context;
    size_t offset;           /* YAML_READER_ERROR: the byte offset libyaml reports instead of a mark */
} flux_yaml_error;

/* Reads the stream of p (input already set) into a tree allocated in a.
 * Returns the root of the first document, or NULL with err->status set. */
flux_ynode *flux_yaml_tree(flux_arena *a, yaml_parser_t *p, const flux_yaml_opts *opts, flux_yaml_error *err);

#endif
