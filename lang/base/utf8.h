/* utf8 — the one UTF-8 validator of Flux, strict for every caller.
 *
 * Strict means what MySQL's utf8mb4, libyaml and JSON parsers accept: no
 * overlong forms, no surrogates (U+D800..U+DFFF), nothing past U+10FFFF, no
 * truncated sequence. A lax copy once let such text reach MySQL, which then
 * refused a whole batch instead of one record being rejected with its reason. */
#ifndef FLUX_UTF8_H
#define FLUX_UTF8_H

#include <stdbool.h>
#include <stddef.h>

#include "arena.h"

/* Length of the well-formed sequence at s (at most n bytes), 0 when it is
 * malformed. */
size_t flux_utf8_seq(const unsigned char *s, size_t n);

/* Whether the n bytes at s are well-formed UTF-8; *chars (may be NULL) gets
 * the number of code points when they are. */
bool flux_utf8_valid(const char *s, size_t n, size_t *chars);

/* Appends s to out with every malformed byte replaced by U+FFFD, so the
 * result is valid and still a function of the input only. */
void flux_utf8_sanitize(const char *s, size_t n, flux_buf *out);

#endif
