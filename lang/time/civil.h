/* civil — proleptic Gregorian calendar arithmetic on day numbers (days since
 * 1970-01-01), with no time zone and no libc time functions. */
#ifndef FLUX_CIVIL_H
#define FLUX_CIVIL_H

#include <stdint.h>

/* Days since 1970-01-01 of y-m-d (m 1-12, d 1-31), any year. */
int64_t flux_days_from_civil(int64_t y, unsigned m, unsigned d);

/* The date of a day number. */
void flux_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d);

/* Days in a month (1-12) of a year, leap years included. */
int flux_civil_month_days(int year, int month);

/* "January" ... "December" for 1-12. */
const char *flux_civil_month_name(int month);

/* An instant (UTC epoch milliseconds) as calendar fields, in UTC: add a zone
 * offset to ms first for wall-clock fields. */
typedef struct flux_civil_time {
    int64_t y;
    unsigned m, d, hh, mm, ss, ms;
    unsigned wday;   /* 0 = Sunday */
    unsigned yday;   /* 1-366 */
    int64_t epoch_s; /* floor(ms / 1000) */
} flux_civil_time;

flux_civil_time flux_civil_at(int64_t ms);

#endif
