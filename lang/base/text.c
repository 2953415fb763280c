/* text — locale-independent ASCII helpers and the shortest text of a float. */
#include "text.h"

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

const char *flux_text_double(double f, char out[FLUX_DOUBLE_TEXT])
{
    if (isnan(f))
        return strcpy(out, "nan");
    if (isinf(f))
        return strcpy(out, f < 0 ? "-inf" : "inf");
    double a = fabs(f);
    if (a == 0 || (a >= 1e-4 && a < 1e16)) {
        /* plain decimals with the fewest digits that read back exactly */
        for (int d = 1; d <= 17; d++) {
            snprintf(out, FLUX_DOUBLE_TEXT, "%.*f", d, f);
            if (strtod(out, NULL) == f)
                break;
        }
    } else {
        for (int prec = 1; prec <= 17; prec++) {
            snprintf(out, FLUX_DOUBLE_TEXT, "%.*g", prec, f);
            if (strtod(out, NULL) == f)
                break;
        }
    }
    return out;
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
