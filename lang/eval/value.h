/* value — the values templates compute with, at compile time and at run time.
 *
 * Strings are byte arrays with a length (always NUL-terminated too). A value
 * of kind RUNTIME stands for something only known when a run exists (ds,
 * params, conn ...): any computation touching it is itself run-time, which is
 * how the expander tells compile-time from run-time expressions.
 */
#ifndef FLUX_VALUE_H
#define FLUX_VALUE_H

#include <stdbool.h>
#include <stdint.h>

#include "arena.h"
#include "civil.h"   /* the calendar helpers values were first written with */
#include "isotime.h" /* flux_time_iso */

typedef enum {
    FLUX_T_NONE,
    FLUX_T_BOOL,
    FLUX_T_INT,
    FLUX_T_FLOAT,
    FLUX_T_STR,
    FLUX_T_DURATION, /* milliseconds */
    FLUX_T_TIME,     /* UTC epoch milliseconds */
    FLUX_T_LIST,
    FLUX_T_DICT,     /* v[2k] key, v[2k+1] value, insertion order */
    FLUX_T_MACRO,    /* a {% macro %}: p points at its item */
    FLUX_T_RUNTIME,  /* known only at run time; p names what (a static string) */
    FLUX_T_ERROR     /* a {% set %} whose value failed: reading it fails quietly */
} flux_type;

struct flux_tz;

typedef struct flux_value {
    flux_type t;
    int32_t off; /* TIME: the zone's offset east of UTC in seconds, for display only */
    /* TIME: the zone it is shown in, whose offset at the instant off is; NULL
     * for a time shown at the fixed offset off (a string read as a time) */
    const struct flux_tz *tz;
    union {
        bool b;
        int64_t i;
        double f;
        int64_t ms;
        struct { const char *s; size_t len; } s;
        struct { struct flux_value *v; size_t n; } list;
        const void *p;
    } u;
} flux_value;

static inline flux_value flux_none(void) { flux_value v = {.t = FLUX_T_NONE}; return v; }
static inline flux_value flux_bool(bool b) { flux_value v = {.t = FLUX_T_BOOL}; v.u.b = b; return v; }
static inline flux_value flux_int(int64_t i) { flux_value v = {.t = FLUX_T_INT}; v.u.i = i; return v; }
static inline flux_value flux_float(double f) { flux_value v = {.t = FLUX_T_FLOAT}; v.u.f = f; return v; }
static inline flux_value flux_duration(int64_t ms) { flux_value v = {.t = FLUX_T_DURATION}; v.u.ms = ms; return v; }
static inline flux_value flux_time(int64_t ms) { flux_value v = {.t = FLUX_T_TIME}; v.u.ms = ms; return v; }
/* an instant shown in a zone: same instant, local wall-clock fields */
static inline flux_value flux_time_at(int64_t ms, int32_t off) { flux_value v = flux_time(ms); v.off = off; return v; }
/* an instant shown in a zone (the run-time times): off is the zone's offset
 * then, and stays right when the time is moved (flux_time_shift) */
flux_value flux_time_in(int64_t ms, const struct flux_tz *tz);
/* t moved by ms, an absolute length (1d is 24 hours, across a change of
 * offset too), shown in t's zone at the new instant: on the day New York
 * springs forward, 01:00-05:00 + 1h is 03:00-04:00, never 02:00-05:00.
 * The caller checks that the sum does not overflow. */
flux_value flux_time_shift(flux_value t, int64_t ms);
static inline flux_value flux_str(const char *s, size_t len) { flux_value v = {.t = FLUX_T_STR}; v.u.s.s = s; v.u.s.len = len; return v; }

flux_value flux_cstr(flux_arena *a, const char *s); /* copies */

/* v with its strings and items copied into a, so it outlives the arena it was
 * computed in (the expander's scratch arena, released after each loop
 * iteration) */
flux_value flux_value_copy(flux_arena *a, flux_value v);

const char *flux_type_name(flux_type t); /* "string" "integer" ... */
const char *flux_type_a(flux_type t);    /* with its article: "a string" "an integer" */

bool flux_truthy(flux_value v);
bool flux_value_equal(flux_value a, flux_value b);

/* Renders as template output: none -> "", bool -> true/false, float shortest
 * round-trip form, duration canonical (1h30m), time ISO-8601 UTC with 'Z',
 * list and dict as JSON. */
void flux_value_render(flux_value v, flux_buf *out);

/* JSON text (the json filter): strings escaped (a byte that is not part of
 * a whole UTF-8 character as \ufffd, so the text is always valid UTF-8),
 * durations as their canonical text, times as ISO-8601 strings. */
void flux_value_json(flux_value v, flux_buf *out);

#endif
