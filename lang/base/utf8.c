/* utf8 — the one UTF-8 validator of Flux, strict for every caller (see utf8.h). */
#include "utf8.h"

#include <stdint.h>

size_t flux_utf8_seq(const unsigned char *s, size_t n)
{
    if (n == 0)
        return 0;
    unsigned c = s[0];
    size_t w;
    uint32_t cp, min;
    if (c < 0x80)
        return 1;
    if ((c & 0xE0) == 0xC0)
        w = 2, cp = c & 0x1F, min = 0x80;
    else if ((c & 0xF0) == 0xE0)
        w = 3, cp = c & 0x0F, min = 0x800;
    else if ((c & 0xF8) == 0xF0)
        w = 4, cp = c & 0x07, min = 0x10000;
    else
        return 0;
    if (w > n)
        return 0;
    for (size_t i = 1; i < w; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return w;
}

bool flux_utf8_valid(const char *s, size_t n, size_t *chars)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t k = 0;
    for (size_t i = 0, w; i < n; i += w, k++)
        if (!(w = flux_utf8_seq(p + i, n - i)))
            return false;
    if (chars)
        *chars = k;
    return true;
}

void flux_utf8_sanitize(const char *s, size_t n, flux_buf *out)
{
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0, w; i < n; i += w ? w : 1) {
        w = flux_utf8_seq(p + i, n - i);
        if (w)
            flux_buf_put(out, s + i, w);
        else
            flux_buf_puts(out, "\xEF\xBF\xBD");
    }
}
