/* planread — the plan reader's tree (through base/yamltree.h, errors worded
 * for a plan) and its strictly checked scalars. */
#include "planread.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "planfmt.h"
#include "text.h"

/* ---- the YAML tree, with errors worded for a plan ---- */




/* Records the first error only: later ones are usually consequences. */
bool flux_planread_fail(reader *r, size_t line, size_t col, const char *fmt, ...)
{
    if (r->failed)
        return false;
    r->failed = true;
    if (!r->err || !r->errlen)
        return false;
    int n = line ? snprintf(r->err, r->errlen, "%s:%zu:%zu: ", r->name, line, col)
                 : snprintf(r->err, r->errlen, "%s: ", r->name);
    if (n >= 0 && (size_t)n < r->errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(r->err + n, r->errlen - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return false;
}


/* A piece of input for a message: clipped, control bytes as \xNN. */
const char *flux_planread_shown(reader *r, const char *s, size_t n)
{
    flux_buf b = {0};
    size_t i;
    for (i = 0; i < n && i < 48; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f)
            flux_buf_printf(&b, "\\x%02x", c);
        else
            flux_buf_putc(&b, (char)c);
    }
    if (i < n)
        flux_buf_puts(&b, "...");
    const char *res = flux_arena_strdup(r->tmp, b.data ? flux_buf_cstr(&b) : "");
    flux_buf_free(&b);
    return res;
}

static void yaml_failure(reader *r, const flux_yaml_error *e)
{
    if (e->error == YAML_READER_ERROR) {
        /* the reader reports a byte offset, not a mark */
        size_t off = e->offset < r->len ? e->offset : r->len;
        size_t line = 1, bol = 0;
        for (size_t i = 0; i < off; i++)
            if (r->text[i] == '\n')
                line++, bol = i + 1;
        flux_planread_fail(r, line, off - bol + 1, "not a valid plan: %s", e->problem ? e->problem : "unreadable input");
    } else if (e->error == YAML_MEMORY_ERROR) {
        flux_planread_fail(r, 0, 0, "out of memory while reading the plan");
    } else {
        if (e->context)
            flux_planread_fail(r, e->line, e->col, "invalid YAML: %s %s", e->problem ? e->problem : "syntax error", e->context);
        else
            flux_planread_fail(r, e->line, e->col, "invalid YAML: %s", e->problem ? e->problem : "syntax error");
    }
}

/* The one document of the stream, or NULL. */
node *flux_planread_tree(reader *r)
{
    static const flux_yaml_opts opts = {.max_depth = PLAN_MAX_DEPTH - 1, .one_document = true, .no_anchors = true};
    flux_yaml_error e;
    node *root = flux_yaml_tree(r->tmp, &r->yp, &opts, &e);
    switch (e.status) {
    case FLUX_YAML_OK: break;
    case FLUX_YAML_PARSER: yaml_failure(r, &e); break;
    case FLUX_YAML_NOT_STREAM: flux_planread_fail(r, 1, 1, "not a YAML stream"); break;
    case FLUX_YAML_EMPTY:
        flux_planread_fail(r, 1, 1, "empty plan: expected a mapping starting with 'flux_plan: %d'", FLUX_PLAN_VERSION);
        break;
    case FLUX_YAML_ALIAS: flux_planread_fail(r, e.line, e.col, "aliases are not allowed in a plan"); break;
    case FLUX_YAML_ANCHOR: flux_planread_fail(r, e.line, e.col, "anchors are not allowed in a plan"); break;
    case FLUX_YAML_UNEXPECTED: flux_planread_fail(r, e.line, e.col, "unexpected YAML event"); break;
    case FLUX_YAML_TOO_DEEP: flux_planread_fail(r, e.line, e.col, "nested deeper than %d levels", PLAN_MAX_DEPTH); break;
    case FLUX_YAML_SECOND_DOCUMENT:
        flux_planread_fail(r, e.line, e.col, "a plan is one YAML document; a second one starts here");
        break;
    }
    return root;
}

/* ---- checking the tree ---- */

const char *flux_planread_node_desc(const node *nd)
{
    if (nd->kind == FLUX_YNODE_SEQ)
        return "a list";
    if (nd->kind == FLUX_YNODE_MAP)
        return "a mapping";
    if (nd->tag)
        return "a tagged scalar";
    if (nd->style != YAML_PLAIN_SCALAR_STYLE)
        return "a string";
    return nd->len ? "a plain scalar" : "nothing";
}

bool flux_planread_key_is(const node *k, const char *s)
{
    return k->kind == FLUX_YNODE_SCALAR && !k->tag && k->len == strlen(s) && memcmp(k->s, s, k->len) == 0;
}

/* Checks a structural mapping: string keys out of a fixed set, each at most
 * once, the required ones present; found[i] gets the value of allowed[i]. */
bool flux_planread_check_struct(reader *r, const node *m, const char *what, const char *const *allowed, size_t nallowed,
                         unsigned required, const node **found)
{
    if (m->kind != FLUX_YNODE_MAP)
        return FAIL_AT(r, m, "%s must be a mapping, found %s", what, flux_planread_node_desc(m));
    for (size_t i = 0; i < nallowed; i++)
        found[i] = NULL;
    for (size_t i = 0; i + 1 < m->n; i += 2) {
        const node *k = m->kids[i];
        if (k->kind != FLUX_YNODE_SCALAR || k->tag)
            return FAIL_AT(r, k, "keys of %s must be plain names", what);
        size_t j = 0;
        while (j < nallowed && !flux_planread_key_is(k, allowed[j]))
            j++;
        if (j == nallowed)
            return FAIL_AT(r, k, "unknown key '%s' in %s", flux_planread_shown(r, k->s, k->len), what);
        if (found[j])
            return FAIL_AT(r, k, "duplicate key '%s' in %s", allowed[j], what);
        found[j] = m->kids[i + 1];
    }
    for (size_t j = 0; j < nallowed; j++)
        if ((required >> j & 1) && !found[j])
            return FAIL_AT(r, m, "%s has no '%s'", what, allowed[j]);
    return true;
}


static bool is_int_text(const char *s, size_t n)
{
    size_t i = s[0] == '-' || s[0] == '+';
    if (i == n)
        return false;
    if (s[i] == '0' && n - i > 1)
        return false;
    for (; i < n; i++)
        if (!flux_is_digit(s[i]))
            return false;
    return true;
}

static bool is_float_text(const char *s, size_t n)
{
    size_t i = s[0] == '-' || s[0] == '+';
    const char *t = s + i;
    size_t m = n - i;
    if ((m == 4 && (memcmp(t, ".inf", 4) == 0 || memcmp(t, ".Inf", 4) == 0 || memcmp(t, ".INF", 4) == 0)) ||
        (i == 0 && n == 4 && (memcmp(s, ".nan", 4) == 0 || memcmp(s, ".NaN", 4) == 0 || memcmp(s, ".NAN", 4) == 0)))
        return true;
    size_t digits = 0, j = 0;
    while (j < m && flux_is_digit(t[j]))
        j++, digits++;
    bool frac = false;
    if (j < m && t[j] == '.') {
        frac = true;
        for (j++; j < m && flux_is_digit(t[j]); j++)
            digits++;
    }
    if (!digits)
        return false;
    bool exp = false;
    if (j < m && (t[j] == 'e' || t[j] == 'E')) {
        exp = true;
        j++;
        if (j < m && (t[j] == '+' || t[j] == '-'))
            j++;
        size_t ed = 0;
        while (j < m && flux_is_digit(t[j]))
            j++, ed++;
        if (!ed)
            return false;
    }
    return j == m && (frac || exp);
}

plain_kind flux_planread_plain_kind(const node *nd)
{
    const char *s = nd->s;
    size_t n = nd->len;
    if (n == 0 || (n == 1 && s[0] == '~') || (n == 4 && (!memcmp(s, "null", 4) || !memcmp(s, "Null", 4) ||
                                                         !memcmp(s, "NULL", 4))))
        return P_NULL;
    if ((n == 4 && (!memcmp(s, "true", 4) || !memcmp(s, "True", 4) || !memcmp(s, "TRUE", 4))) ||
        (n == 5 && (!memcmp(s, "false", 5) || !memcmp(s, "False", 5) || !memcmp(s, "FALSE", 5))))
        return P_BOOL;
    if (is_int_text(s, n))
        return P_INT;
    if (is_float_text(s, n))
        return P_FLOAT;
    return P_STRING;
}

const char *flux_planread_plain_kind_desc(plain_kind k)
{
    switch (k) {
    case P_NULL: return "nothing";
    case P_BOOL: return "a boolean";
    case P_INT: return "an integer";
    case P_FLOAT: return "a number";
    default: return "a string";
    }
}

/* A string: an untagged scalar (quoted, or plain and not readable as
 * anything else). nonempty: names. Copies into the plan's arena. */
const char *flux_planread_string(reader *r, const node *nd, const char *what, bool nonempty, size_t *lenp)
{
    if (nd->kind != FLUX_YNODE_SCALAR || nd->tag) {
        FAIL_AT(r, nd, "%s must be a string, found %s", what, flux_planread_node_desc(nd));
        return NULL;
    }
    if (nd->style == YAML_PLAIN_SCALAR_STYLE) {
        plain_kind k = flux_planread_plain_kind(nd);
        if (k != P_STRING) {
            FAIL_AT(r, nd, "%s must be a string, found %s", what, flux_planread_plain_kind_desc(k));
            return NULL;
        }
    }
    if (nonempty && nd->len == 0) {
        FAIL_AT(r, nd, "%s must not be empty", what);
        return NULL;
    }
    if (nonempty && memchr(nd->s, '\0', nd->len)) {
        FAIL_AT(r, nd, "%s holds a NUL character", what);
        return NULL;
    }
    if (lenp)
        *lenp = nd->len;
    return flux_arena_strndup(r->arena, nd->s, nd->len);
}

bool flux_planread_int(reader *r, const node *nd, const char *what, int64_t *out)
{
    if (nd->kind != FLUX_YNODE_SCALAR || nd->tag || nd->style != YAML_PLAIN_SCALAR_STYLE || flux_planread_plain_kind(nd) != P_INT)
        return FAIL_AT(r, nd, "%s must be an integer, found %s", what,
                       nd->kind == FLUX_YNODE_SCALAR && !nd->tag && nd->style == YAML_PLAIN_SCALAR_STYLE
                           ? flux_planread_plain_kind_desc(flux_planread_plain_kind(nd))
                           : flux_planread_node_desc(nd));
    errno = 0;
    char *end;
    long long v = strtoll(nd->s, &end, 10);
    if (errno == ERANGE)
        return FAIL_AT(r, nd, "%s: integer %s is out of range", what, flux_planread_shown(r, nd->s, nd->len));
    *out = (int64_t)v;
    return true;
}

bool flux_planread_source(reader *r, const node *nd, const char *what, flux_plan_source *out)
{
    static const char *const keys[] = {"path", "sha256"};
    const node *v[2];
    if (!flux_planread_check_struct(r, nd, what, keys, 2, 3, v))
        return false;
    out->path = flux_planread_string(r, v[0], "'path'", true, NULL);
    if (!out->path)
        return false;
    size_t n;
    const char *h = flux_planread_string(r, v[1], "'sha256'", true, &n);
    if (!h)
        return false;
    bool ok = n == 64;
    for (size_t i = 0; ok && i < n; i++)
        ok = flux_is_digit(h[i]) || (h[i] >= 'a' && h[i] <= 'f');
    if (!ok)
        return FAIL_AT(r, v[1], "'sha256' must be 64 lowercase hexadecimal digits");
    memcpy(out->sha256, h, 65);
    return true;
}
