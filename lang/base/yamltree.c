/* yamltree — a bounded YAML tree from libyaml's events. */
#include "yamltree.h"

#include <string.h>

#include "alloc.h"

typedef struct tree_reader {
    flux_arena *a;
    yaml_parser_t *p;
    const flux_yaml_opts *opts;
    flux_yaml_error *err;
} tree_reader;

static bool fail_at(tree_reader *r, flux_yaml_status st, yaml_mark_t m)
{
    r->err->status = st;
    r->err->line = m.line + 1;
    r->err->col = m.column + 1;
    return false;
}

static bool next_event(tree_reader *r, yaml_event_t *ev)
{
    if (yaml_parser_parse(r->p, ev))
        return true;
    flux_yaml_error *e = r->err;
    fail_at(r, FLUX_YAML_PARSER, r->p->problem_mark);
    e->error = r->p->error;
    e->problem = r->p->problem;
    e->context = r->p->context;
    e->offset = r->p->problem_offset;
    return false;
}

static flux_ynode *new_node(tree_reader *r, flux_ynode_kind k, const yaml_event_t *ev, const yaml_char_t *tag)
{
    flux_ynode *nd = flux_arena_alloc(r->a, sizeof *nd);
    memset(nd, 0, sizeof *nd);
    nd->kind = k;
    nd->line = ev->start_mark.line + 1;
    nd->col = ev->start_mark.column + 1;
    nd->end_line = ev->end_mark.line + 1;
    nd->end_col = ev->end_mark.column + 1;
    if (tag)
        nd->tag = flux_arena_strdup(r->a, (const char *)tag);
    return nd;
}

/* An alias, an anchor when refused, or an event that cannot start a node. */
static bool node_event_ok(tree_reader *r, yaml_event_t *ev)
{
    const yaml_char_t *anchor = NULL;
    switch (ev->type) {
    case YAML_SCALAR_EVENT: anchor = ev->data.scalar.anchor; break;
    case YAML_SEQUENCE_START_EVENT: anchor = ev->data.sequence_start.anchor; break;
    case YAML_MAPPING_START_EVENT: anchor = ev->data.mapping_start.anchor; break;
    case YAML_ALIAS_EVENT: return fail_at(r, FLUX_YAML_ALIAS, ev->start_mark);
    default: return fail_at(r, FLUX_YAML_UNEXPECTED, ev->start_mark);
    }
    if (anchor && r->opts->no_anchors)
        return fail_at(r, FLUX_YAML_ANCHOR, ev->start_mark);
    return true;
}

/* Builds the node that ev starts; consumes (and deletes) ev. */
static flux_ynode *read_node(tree_reader *r, yaml_event_t *ev, int depth)
{
    if (!node_event_ok(r, ev)) {
        yaml_event_delete(ev);
        return NULL;
    }
    if (ev->type == YAML_SCALAR_EVENT) {
        flux_ynode *nd = new_node(r, FLUX_YNODE_SCALAR, ev, ev->data.scalar.tag);
        nd->style = ev->data.scalar.style;
        nd->len = ev->data.scalar.length;
        nd->s = flux_arena_strndup(r->a, (const char *)ev->data.scalar.value, nd->len);
        yaml_event_delete(ev);
        return nd;
    }
    bool is_map = ev->type == YAML_MAPPING_START_EVENT;
    flux_ynode *nd = new_node(r, is_map ? FLUX_YNODE_MAP : FLUX_YNODE_SEQ, ev,
                              is_map ? ev->data.mapping_start.tag : ev->data.sequence_start.tag);
    yaml_mark_t at = ev->start_mark;
    yaml_event_delete(ev);
    if (depth > r->opts->max_depth) {
        fail_at(r, FLUX_YAML_TOO_DEEP, at);
        return NULL;
    }
    flux_ynode **kids = NULL;
    size_t n = 0, cap = 0;
    yaml_event_type_t end = is_map ? YAML_MAPPING_END_EVENT : YAML_SEQUENCE_END_EVENT;
    for (;;) {
        yaml_event_t child;
        if (!next_event(r, &child))
            goto fail;
        if (child.type == end) {
            nd->end_line = child.end_mark.line + 1;
            nd->end_col = child.end_mark.column + 1;
            yaml_event_delete(&child);
            break;
        }
        flux_ynode *k = read_node(r, &child, depth + 1);
        if (!k)
            goto fail;
        if (n == cap) {
            cap = cap ? 2 * cap : 8;
            kids = flux_xrealloc(kids, cap * sizeof *kids);
        }
        kids[n++] = k;
    }
    nd->kids = n ? flux_arena_memdup(r->a, kids, n * sizeof *kids) : NULL;
    nd->n = n;
    free(kids);
    return nd;
fail:
    free(kids);
    return NULL;
}

/* One document after its start event: its root, then its end event. */
static flux_ynode *read_document(tree_reader *r)
{
    yaml_event_t ev;
    if (!next_event(r, &ev))
        return NULL;
    flux_ynode *root = read_node(r, &ev, 1);
    if (!root)
        return NULL;
    if (!next_event(r, &ev)) /* document end */
        return NULL;
    yaml_event_delete(&ev);
    return root;
}

flux_ynode *flux_yaml_tree(flux_arena *a, yaml_parser_t *p, const flux_yaml_opts *opts, flux_yaml_error *err)
{
    tree_reader r = {a, p, opts, err};
    memset(err, 0, sizeof *err);
    yaml_event_t ev;
    if (!next_event(&r, &ev))
        return NULL;
    if (ev.type != YAML_STREAM_START_EVENT) {
        fail_at(&r, FLUX_YAML_NOT_STREAM, ev.start_mark);
        yaml_event_delete(&ev);
        return NULL;
    }
    yaml_event_delete(&ev);
    flux_ynode *root = NULL;
    for (;;) {
        if (!next_event(&r, &ev))
            return NULL;
        if (ev.type == YAML_STREAM_END_EVENT) {
            yaml_event_delete(&ev);
            if (!root)
                err->status = FLUX_YAML_EMPTY;
            return root;
        }
        if (root && opts->one_document) {
            fail_at(&r, FLUX_YAML_SECOND_DOCUMENT, ev.start_mark);
            yaml_event_delete(&ev);
            return NULL;
        }
        yaml_event_delete(&ev); /* document start */
        flux_ynode *doc = read_document(&r);
        if (!doc)
            return NULL;
        if (!root)
            root = doc;
    }
}
