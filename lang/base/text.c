/* text — locale-independent ASCII helpers and the shortest text of a float. */
#include "text.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool flux_text_eq_nocase(const char *a, size_t alen, const char *b)
{
    size_t blen = strlen(b);
    if (alen != blen)
        return false;
    for (size_t i = 0; i < alen; i++)
        if (flux_to_lower(a[i]) != flux_to_lower(b[i]))
            return false;
    return true;
}

bool flux_text_copy_mapped(char *buf, size_t cap, const char *s, size_t n, char (*map)(char))
{
    if (n >= cap)
        return false;
    for (size_t i = 0; i < n; i++)
        buf[i] = map(s[i]);
    buf[n] = '\0';
    return true;
}

const char *flux_text_char_repr(char c, char buf[12])
{
    unsigned char u = (unsigned char)c;
    if (u >= 0x20 && u < 0x7f)
        snprintf(buf, 12, "'%c'", c);
    else
        snprintf(buf, 12, "byte 0x%02x", u);
    return buf;
}

/* The shortest decimal digits that read back as a (finite, > 0), without
 * trailing zeros, and the exponent of the first: a = 0.DIGITS x 10^decpt.
 * For each length n the candidates are the two n-digit decimals around a:
 * printf's correctly rounded one first (the closer), then the other one,
 * which can be the only one that reads back when a is a power of two and
 * the doubles below it are twice as dense as those above. Python's repr
 * (David Gay's shortest mode) takes the same string: the shortest, and of
 * two the closer. */
static void shortest_digits(double a, char digits[24], int *decpt)
{
    char t[40];
    for (int n = 1; n <= 17; n++) {
        snprintf(t, sizeof t, "%.*e", n - 1, a);
        double back = strtod(t, NULL);
        char *e = strchr(t, 'e');
        int exp10 = atoi(e + 1);
        uint64_t d = 0, pow_n1 = 1;
        for (const char *p = t; p < e; p++)
            if (*p != '.')
                d = d * 10 + (uint64_t)(*p - '0');
        for (int i = 1; i < n; i++)
            pow_n1 *= 10;
        int q = exp10 - n + 1; /* a ~ d x 10^q */
        bool found = back == a;
        if (!found) {
            uint64_t o = d;
            int oq = q;
            if (back < a) {
                o = d + 1; /* 10^n: the next decade's first point, still exact */
            } else if (d == pow_n1) {
                o = pow_n1 * 10 - 1; /* below a power of ten the grid is ten times finer */
                oq = q - 1;
            } else {
                o = d - 1;
            }
            char u[48];
            snprintf(u, sizeof u, "%" PRIu64 "e%d", o, oq);
            if (strtod(u, NULL) == a) {
                d = o;
                q = oq;
                found = true;
            }
        }
        if (!found)
            continue;
        while (d % 10 == 0 && d) {
            d /= 10;
            q++;
        }
        int len = snprintf(digits, 24, "%" PRIu64, d);
        *decpt = q + len;
        return;
    }
    /* unreachable: 17 digits always read back */
    snprintf(digits, 24, "0");
    *decpt = 1;
}

/* Python's float repr: plain decimals for 1e-4 <= |f| < 1e16, exponent form
 * otherwise (an exponent of at least two digits, the mantissa without ".0"). */
static const char *python_repr(double f, bool literal, char out[FLUX_DOUBLE_TEXT])
{
    if (isnan(f))
        return strcpy(out, "nan");
    if (isinf(f))
        return strcpy(out, f < 0 ? "-inf" : "inf");
    char *o = out;
    if (signbit(f))
        *o++ = '-';
    if (f == 0) {
        strcpy(o, "0.0");
        return out;
    }
    char dg[24];
    int decpt;
    shortest_digits(fabs(f), dg, &decpt);
    int n = (int)strlen(dg);
    if (decpt > 16 || decpt < -3) {
        *o++ = dg[0];
        if (n > 1) {
            *o++ = '.';
            memcpy(o, dg + 1, (size_t)n - 1);
            o += n - 1;
        } else if (literal) {
            o += sprintf(o, ".0");
        }
        sprintf(o, "e%c%02d", decpt - 1 < 0 ? '-' : '+', abs(decpt - 1));
    } else if (decpt <= 0) {
        o += sprintf(o, "0.");
        for (int i = 0; i < -decpt; i++)
            *o++ = '0';
        strcpy(o, dg);
    } else if (decpt >= n) {
        memcpy(o, dg, (size_t)n);
        o += n;
        for (int i = n; i < decpt; i++)
            *o++ = '0';
        strcpy(o, ".0");
    } else {
        memcpy(o, dg, (size_t)decpt);
        o += decpt;
        *o++ = '.';
        strcpy(o, dg + decpt);
    }
    return out;
}

const char *flux_text_double(double f, char out[FLUX_DOUBLE_TEXT])
{
    return python_repr(f, false, out);
}

const char *flux_text_double_literal(double f, char out[FLUX_DOUBLE_TEXT])
{
    return python_repr(f, true, out);
}

const char *flux_text_double_g(double f, char out[FLUX_DOUBLE_TEXT])
{
    for (int p = 15; p <= 17; p++) {
        snprintf(out, FLUX_DOUBLE_TEXT, "%.*g", p, f);
        if (strtod(out, NULL) == f)
            break;
    }
    return out;
}

bool flux_text_is_name(const char *s)
{
    if (!*s || !strcmp(s, ".") || !strcmp(s, ".."))
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '_' ||
              *s == '-' || *s == '.'))
            return false;
    return true;
}
