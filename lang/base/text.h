/* text — locale-independent ASCII helpers and the shortest text of a float.
 *
 * Schedules, zone names and numbers must mean the same under every locale, so
 * nothing here calls <ctype.h>. */
#ifndef FLUX_TEXT_H
#define FLUX_TEXT_H

#include <stdbool.h>
#include <stddef.h>

static inline bool flux_is_digit(char c) { return c >= '0' && c <= '9'; }
static inline bool flux_is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static inline bool flux_is_sep(char c) { return c == ' ' || c == '\t'; }
static inline bool flux_is_space(char c) { return flux_is_sep(c) || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }
static inline char flux_to_lower(char c) { return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c; }
static inline char flux_to_upper(char c) { return c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c; }

/* a (alen bytes) equals the NUL-terminated b, ignoring ASCII case. */
bool flux_text_eq_nocase(const char *a, size_t alen, const char *b);

/* A pipeline, task or param name: letters, digits, '_', '-' and '.', and
 * never "." or "..", since names become parts of paths (logs, journals).
 * One rule for the compiler and the plan reader. */
bool flux_text_is_name(const char *s);

/* Copies a token into buf with a case mapping, so it can be fed to the
 * (case-sensitive, NUL-terminated) suggester. False when it does not fit. */
bool flux_text_copy_mapped(char *buf, size_t cap, const char *s, size_t n, char (*map)(char));

/* "'x'" for a printable byte, "byte 0x07" otherwise: a control byte inside
 * quotes would garble the terminal. Returns buf. */
const char *flux_text_char_repr(char c, char buf[12]);

/* The shortest text that reads back as f, exactly as Python's repr prints
 * floats: the fewest digits that read back as f (of two such, the closer);
 * plain decimals with at least one fractional digit for 1e-4 <= |f| < 1e16
 * (and 0): "1000.0", "0.1", "0.30000000000000004", "-0.0"; otherwise an
 * exponent of at least two digits: "1e+16", "1.5335814580219808e+16",
 * "1e-05"; "nan", "inf", "-inf". Returns out. */
#define FLUX_DOUBLE_TEXT 64
const char *flux_text_double(double f, char out[FLUX_DOUBLE_TEXT]);

/* The same number as a Flux literal, which needs digits on both sides of
 * the point: "1.0e+16" where the text above is "1e+16", so that an
 * expression printed into a plan reads back as the same float. Returns out. */
const char *flux_text_double_literal(double f, char out[FLUX_DOUBLE_TEXT]);

/* The first of %.15g, %.16g, %.17g that reads back as f: the form of numbers
 * in the JSON and SQL text mysqlload writes ("1", "1e+15", "0.1"). Returns
 * out. */
const char *flux_text_double_g(double f, char out[FLUX_DOUBLE_TEXT]);

#endif
