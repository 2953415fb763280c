/* tz — IANA time zones read from the system's TZif files, and the wall-clock
 * arithmetic schedules need (DST gaps and folds). No global state: no TZ
 * environment variable, no localtime(); a zone is a value. */
#ifndef FLUX_TZ_H
#define FLUX_TZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct flux_tz flux_tz;

/* Loads a zone ("Europe/Paris", "UTC") from TZDIR or /usr/share/zoneinfo.
 * NULL with a message in err when it does not exist or is malformed. Zones
 * are cached per process by name: the result lives until exit; do not free. */
const flux_tz *flux_tz_load(const char *name, char *err, size_t errlen);

const char *flux_tz_name(const flux_tz *tz);

/* Offset from UTC in seconds (east positive) at an instant, and the zone's
 * abbreviation then ("CET", "CEST"). abbr may be NULL. */
int32_t flux_tz_offset(const flux_tz *tz, int64_t utc_s, const char **abbr);

/* The span of instants of constant offset that holds utc_s: [*from, *to)
 * in UTC seconds (INT64_MIN, INT64_MAX when open), and that offset. The next
 * span starts at *to, so callers can walk a zone's offsets in order. */
int32_t flux_tz_period(const flux_tz *tz, int64_t utc_s, int64_t *from, int64_t *to);

typedef enum {
    FLUX_TZ_UNIQUE, /* the wall time happens exactly once */
    FLUX_TZ_GAP,    /* skipped by a forward transition: *utc is the first valid instant after it (the transition) */
    FLUX_TZ_FOLD    /* happens twice: *utc is the earlier instant */
} flux_tz_kind;

/* The instant of a wall-clock time (given as seconds since 1970-01-01T00:00
 * of the local calendar, i.e. as if it were UTC). */
flux_tz_kind flux_tz_resolve(const flux_tz *tz, int64_t local_s, int64_t *utc_s);

/* ---- the zone catalogue (tzcatalog.c) ---- */

/* True when name is an IANA zone present in the system zoneinfo (UTC included).
 * Rejects names with "..", leading '/', or anything that is not a TZif file.
 * Zoneinfo is $TZDIR, or /usr/share/zoneinfo when unset or empty. Also rejects
 * the TZif files there that are not zone names: localtime, posixrules, posix/...,
 * right/... */
bool flux_tz_exists(const char *name);

/* Closest known zone name by edit distance (case-insensitive), or NULL when none
 * is close. The returned string lives until exit.
 * The list comes from tzdata.zi (zones and links), else zone1970.tab + zone.tab,
 * read on the first call with the TZDIR of that moment and cached for the
 * process: not thread-safe. A bare city ("paris") also matches the last
 * component; only names whose TZif file exists are suggested. */
const char *flux_tz_suggest(const char *name);

#endif
