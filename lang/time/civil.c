/* civil — proleptic Gregorian calendar arithmetic on day numbers. */
#include "civil.h"

#include <stdbool.h>

/* days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
 * well-known civil algorithm, written from its description) */
int64_t flux_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void flux_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
    *m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

int flux_civil_month_days(int year, int month)
{
    static const int len[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return month == 2 && leap ? 29 : len[month - 1];
}

const char *flux_civil_month_name(int month)
{
    static const char *const names[] = {"January", "February", "March",     "April",   "May",      "June",
                                        "July",    "August",   "September", "October", "November", "December"};
    return names[month - 1];
}

flux_civil_time flux_civil_at(int64_t ms)
{
    flux_civil_time c;
    int64_t days = ms >= 0 ? ms / 86400000 : -((-ms + 86399999) / 86400000);
    int64_t rem = ms - days * 86400000;
    flux_civil_from_days(days, &c.y, &c.m, &c.d);
    c.hh = (unsigned)(rem / 3600000);
    c.mm = (unsigned)(rem / 60000 % 60);
    c.ss = (unsigned)(rem / 1000 % 60);
    c.ms = (unsigned)(rem % 1000);
    c.wday = (unsigned)(((days % 7) + 11) % 7); /* 1970-01-01 was a Thursday */
    c.yday = (unsigned)(days - flux_days_from_civil(c.y, 1, 1)) + 1;
    c.epoch_s = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
    return c;
}
