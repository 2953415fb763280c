/* ast — the syntax tree the parser builds, with a span on every node.
 *
 * One uniform item list serves every block (file, pipeline, task, params,
 * loop and macro bodies): which items are allowed where is decided by the
 * expander, so an included file or a macro can hold any of them and a misplaced
 * item gets a message that says where it belongs instead of a syntax error.
 * All nodes live in the compilation's arena.
 */
#ifndef FLUX_AST_H
#define FLUX_AST_H

#include <stdbool.h>
#include <stdint.h>

#include "arena.h"
#include "source.h"

/* ---- template expressions ({{ ... }} and {% ... %}) ---- */

typedef enum {
    FLUX_X_NONE,
    FLUX_X_BOOL,
    FLUX_X_INT,
    FLUX_X_FLOAT,
    FLUX_X_STRING,
    FLUX_X_DURATION,
    FLUX_X_LIST,
    FLUX_X_DICT,   /* items: key0, value0, key1, value1 ... */
    FLUX_X_NAME,
    FLUX_X_ATTR,   /* obj.name */
    FLUX_X_INDEX,  /* obj[index] */
    FLUX_X_UNARY,
    FLUX_X_BINARY,
    FLUX_X_FILTER, /* arg | name(args) */
    FLUX_X_CALL,   /* name(args): range, ds_add, ds_format, macros */
    FLUX_X_COND    /* then if cond else other */
} flux_xkind;

typedef enum {
    FLUX_OP_NEG, FLUX_OP_NOT, FLUX_OP_POS,
    FLUX_OP_ADD, FLUX_OP_SUB, FLUX_OP_MUL, FLUX_OP_DIV, FLUX_OP_IDIV, FLUX_OP_MOD,
    FLUX_OP_CONCAT, /* ~ */
    FLUX_OP_EQ, FLUX_OP_NE, FLUX_OP_LT, FLUX_OP_LE, FLUX_OP_GT, FLUX_OP_GE,
    FLUX_OP_AND, FLUX_OP_OR, FLUX_OP_IN, FLUX_OP_NOT_IN
} flux_xop;

typedef struct flux_expr flux_expr;

typedef struct flux_exprs {
    flux_expr **v;
    size_t n;
} flux_exprs;

struct flux_expr {
    flux_xkind kind;
    flux_span span;
    union {
        bool b;
        int64_t i;
        double f;
        int64_t ms; /* DURATION */
        struct { const char *s; size_t len; } str;
        flux_exprs list; /* LIST, DICT */
        const char *name;
        struct { flux_expr *obj; const char *name; flux_span name_span; } attr;
        struct { flux_expr *obj, *index; } index;
        struct { flux_xop op; flux_expr *arg; } unary;
        struct { flux_xop op; flux_expr *lhs, *rhs; } binary;
        struct { flux_expr *arg; const char *name; flux_span name_span; flux_exprs args; } filter;
        struct { const char *name; flux_span name_span; flux_exprs args; } call;
        struct { flux_expr *cond, *then, *other; } cond;
    } u;
};

/* ---- templated text: strings and names ---- */

typedef struct flux_tstmt flux_tstmt;

/* A piece of text, one {{ expr }}, or one {% %} statement with its body.
 * Text is already unescaped (for triple-quoted strings, stripped of the
 * common indentation) and trimmed by the whitespace control of the tags
 * around it ({{- -}} {%- -%}), so it is exactly the text rendered. */
typedef struct flux_tpart {
    const char *text;  /* a text part; NULL otherwise */
    size_t len;
    flux_expr *expr;   /* a {{ }} part */
    flux_tstmt *stmt;  /* a {% if %}, {% for %} or {% set %} part */
    flux_span span;    /* of the text, the whole {{ ... }}, or the opening tag */
} flux_tpart;

typedef struct flux_tbody {
    flux_tpart *parts;
    size_t n;
} flux_tbody;

typedef enum { FLUX_TS_IF, FLUX_TS_FOR, FLUX_TS_SET } flux_tskind;

/* A statement inside a string: rendered where it stands, at compile time
 * when what it reads is known then, else at run time. */
struct flux_tstmt {
    flux_tskind kind;
    flux_span span; /* the opening tag */
    union {
        /* conds[i] keeps bodies[i]; else_body (or NULL) when none is true */
        struct { flux_expr **conds; flux_tbody *bodies; size_t n; flux_tbody *else_body; } cond;
        struct {
            const char *var, *var2; /* var2: for k, v in dict */
            flux_span var_span, var2_span;
            flux_expr *iter;
            flux_tbody body;
        } loop;
        struct { const char *name; flux_span name_span; flux_expr *val; } set;
    } u;
};

typedef struct flux_tstr {
    flux_tpart *parts;
    size_t n;
    flux_span span;    /* the whole token, quotes included */
    bool has_expr;
    bool broken;       /* a part had a syntax error (already reported) */
} flux_tstr;

/* ---- values of attributes ---- */

typedef enum {
    FLUX_V_STRING, FLUX_V_INT, FLUX_V_FLOAT, FLUX_V_BOOL, FLUX_V_DURATION,
    FLUX_V_LIST, FLUX_V_MAP,
    FLUX_V_IDENT /* bare enumeration name, or {{ expr }} giving a compile-time value */
} flux_vkind;

typedef struct flux_val flux_val;

typedef struct flux_mapent {
    flux_tstr *key;
    flux_val *val;
} flux_mapent;

struct flux_val {
    flux_vkind kind;
    flux_span span;
    union {
        flux_tstr *str; /* STRING, IDENT */
        int64_t i;
        double f;
        bool b;
        int64_t ms;
        struct { flux_val **v; size_t n; } list;
        struct { flux_mapent *v; size_t n; } map;
    } u;
};

/* ---- items ---- */

typedef enum {
    FLUX_I_PIPELINE,
    FLUX_I_TASK,
    FLUX_I_PARAMS,
    FLUX_I_ATTR,
    FLUX_I_DEPS,
    FLUX_I_FOR,
    FLUX_I_IF,
    FLUX_I_SET,
    FLUX_I_MACRO,
    FLUX_I_INCLUDE,
    FLUX_I_BLOCK /* NAME { attributes }: the attribute NAME whose value is the map of them (slurm { }) */
} flux_ikind;

typedef struct flux_item flux_item;

typedef struct flux_body {
    flux_item **v;
    size_t n;
    flux_span span; /* the braces or the statement body */
} flux_body;

/* One side of >>: a single name, or a bracketed list of names. A name that is
 * exactly one {{ call(...) }} alone on a line is a macro call. */
typedef struct flux_operand {
    flux_tstr **names;
    size_t n;
    bool bracketed;
    flux_span span;
} flux_operand;

typedef struct flux_param_decl { /* macro parameter */
    const char *name;
    flux_span span;
    flux_expr *deflt; /* NULL when required */
} flux_param_decl;

struct flux_item {
    flux_ikind kind;
    flux_span span;
    union {
        struct { flux_tstr *name; flux_body body; } pipeline;
        struct { flux_tstr *name; flux_tstr *op; flux_body body; } task;
        struct { flux_body body; } params;
        struct { flux_tstr *name; flux_body body; } block;
        struct { flux_tstr *key; flux_val *val; } attr;
        struct { flux_operand *v; size_t n; flux_span *arrows; } deps; /* n operands, n-1 arrows */
        struct {
            const char *var, *var2; /* for k, v in dict */
            flux_span var_span, var2_span;
            flux_expr *iter;
            flux_body body;
        } loop;
        struct { flux_expr **conds; flux_body *bodies; size_t n; flux_body *else_body; } cond;
        struct { const char *name; flux_span name_span; flux_expr *val; } set;
        struct {
            const char *name;
            flux_span name_span;
            flux_param_decl *params;
            size_t nparams;
            flux_body body;
        } macro;
        struct { flux_tstr *path; } include;
    } u;
};

/* A parsed file. syntax_errors lets later stages stay quiet about names that
 * may only be missing because a broken declaration was dropped. */
typedef struct flux_file {
    uint32_t source;
    flux_body body;
    size_t syntax_errors;
} flux_file;

/* Plain name of a template-free tstr, else NULL. */
const char *flux_tstr_plain(const flux_tstr *t);

const char *flux_xop_text(flux_xop op);

#endif
