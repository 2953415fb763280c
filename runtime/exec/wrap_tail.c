/* wrap_tail — the last line of a task's output that a person should see
 * when the try fails (see wrap_tail.h).
 *
 * "exit status 127" says little; "bash: line 3: psql: command not found"
 * says what to fix. The runner never reads a log (a task may print
 * gigabytes), so flux-wrap keeps the line as the output passes: for each
 * read only its last lines are looked at, walking back from its last
 * newline with memrchr, and at most the first WRAP_TAIL_KEEP bytes of a
 * line are copied. Two lines are kept because bash follows a syntax error
 * with a line that only quotes the text it could not read, and the error
 * is the line worth showing.
 */
#define _GNU_SOURCE /* memrchr, memmem */
#include "wrap_tail.h"

#include <stdbool.h>
#include <string.h>

#include "utf8.h"

static bool blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

static void line_reset(wrap_tail_line *l)
{
    l->kept = 0;
    l->len = l->end = 0;
}

/* n more bytes of the line */
static void line_put(wrap_tail_line *l, const char *p, size_t n)
{
    size_t room = WRAP_TAIL_KEEP - l->kept, k = n < room ? n : room;
    memcpy(l->head + l->kept, p, k);
    l->kept += k;
    for (size_t i = n; i > 0; i--)
        if (!blank(p[i - 1])) {
            l->end = l->len + (int64_t)i;
            break;
        }
    l->len += (int64_t)n;
}

/* a line the note may show: not blank, and not one addressed to the runner
 * (wrap_report.c takes those; they are data, not a reason) */
static bool counts(const wrap_tail_line *l)
{
    static const char *const report[] = {"::output ", "::counts ", "::lineage "};
    if (l->end == 0)
        return false;
    for (size_t i = 0; i < sizeof report / sizeof *report; i++) {
        size_t n = strlen(report[i]);
        if (l->kept >= n && !memcmp(l->head, report[i], n))
            return false;
    }
    return true;
}

void wrap_tail_init(wrap_tail *t)
{
    line_reset(&t->cur);
    t->nlast = 0;
}

/* a finished line that counts, the newest so far */
static void push(wrap_tail *t, const wrap_tail_line *l)
{
    if (t->nlast == 2)
        t->last[0] = t->last[1];
    t->last[t->nlast == 2 ? 1 : t->nlast++] = *l;
}

void wrap_tail_scan(wrap_tail *t, const char *p, size_t n)
{
    const char *nl = n ? memrchr(p, '\n', n) : NULL;
    if (!nl) {
        line_put(&t->cur, p, n);
        return;
    }
    /* the lines that end in this read, newest first, until two count;
     * the first of them began before it, in cur */
    wrap_tail_line found[2];
    int nfound = 0;
    const char *e = nl;
    while (nfound < 2) {
        const char *s = e > p ? memrchr(p, '\n', (size_t)(e - p)) : NULL;
        if (!s)
            break;
        wrap_tail_line *l = &found[nfound];
        line_reset(l);
        line_put(l, s + 1, (size_t)(e - s - 1));
        if (counts(l))
            nfound++;
        e = s;
    }
    if (nfound < 2) {
        line_put(&t->cur, p, (size_t)(e - p));
        if (counts(&t->cur))
            found[nfound++] = t->cur;
    }
    for (int i = nfound - 1; i >= 0; i--)
        push(t, &found[i]);
    line_reset(&t->cur);
    line_put(&t->cur, nl + 1, (size_t)(p + n - nl - 1));
}

void wrap_tail_end(wrap_tail *t)
{
    if (counts(&t->cur))
        push(t, &t->cur);
    line_reset(&t->cur);
}

static bool has(const wrap_tail_line *l, const char *text)
{
    return memmem(l->head, l->kept, text, strlen(text)) != NULL;
}

void wrap_tail_text(const wrap_tail *t, char *out, size_t outlen)
{
    out[0] = '\0';
    if (!t->nlast || outlen < WRAP_TAIL_MAX + 4)
        return;
    const wrap_tail_line *l = &t->last[t->nlast - 1];
    /* bash: "bash: line 1: syntax error near unexpected token `fi'", then
     * "bash: line 1: `if then fi'" */
    if (t->nlast == 2 && has(l, ": `") && has(&t->last[0], "syntax error"))
        l = &t->last[0];
    const unsigned char *s = (const unsigned char *)l->head;
    size_t avail = l->end < (int64_t)l->kept ? (size_t)l->end : l->kept, i = 0, o = 0;
    while (i < avail && blank((char)s[i]))
        i++;
    bool cut = l->end > (int64_t)l->kept;
    while (i < avail) {
        size_t w = flux_utf8_seq(s + i, avail - i);
        /* a character the head cut in two is not shown as malformed */
        if (!w && cut && avail - i < 4 && s[i] >= 0xC0)
            break;
        size_t ow = w ? w : 3; /* U+FFFD */
        if (o + ow > WRAP_TAIL_MAX) {
            cut = true;
            break;
        }
        if (!w)
            memcpy(out + o, "\xEF\xBF\xBD", 3);
        else if (w == 1 && (s[i] < 0x20 || s[i] == 0x7F))
            out[o] = ' ';
        else
            memcpy(out + o, s + i, w);
        o += ow;
        i += w ? w : 1;
    }
    if (cut)
        memcpy(out + o, "...", 3), o += 3;
    out[o] = '\0';
}
