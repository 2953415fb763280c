/* suggest — "did you mean" by edit distance. */
#include "suggest.h"

#include <stdlib.h>
#include <string.h>

size_t flux_edit_distance(const char *a, const char *b)
{
    size_t n = strlen(a), m = strlen(b);
    /* three rows suffice for optimal string alignment (adjacent transpositions) */
    size_t *prev2 = calloc(m + 1, sizeof *prev2);
    size_t *prev = calloc(m + 1, sizeof *prev);
    size_t *cur = calloc(m + 1, sizeof *cur);
    if (!prev2 || !prev || !cur) {
        free(prev2), free(prev), free(cur);
        return (size_t)-1;
    }
    for (size_t j = 0; j <= m; j++)
        prev[j] = j;
    for (size_t i = 1; i <= n; i++) {
        cur[0] = i;
        for (size_t j = 1; j <= m; j++) {
            size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            size_t d = prev[j] + 1;
            if (cur[j - 1] + 1 < d)
                d = cur[j - 1] + 1;
            if (prev[j - 1] + cost < d)
                d = prev[j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && prev2[j - 2] + 1 < d)
                d = prev2[j - 2] + 1;
            cur[j] = d;
        }
        size_t *t = prev2;
        prev2 = prev;
        prev = cur;
        cur = t;
    }
    size_t r = prev[m];
    free(prev2), free(prev), free(cur);
    return r;
}

void flux_suggest_init(flux_suggester *s, const char *word)
{
    s->word = word;
    s->best = NULL;
    s->best_dist = (size_t)-1;
    /* one edit in three characters; a one- or two-letter name gets no
     * guess, since every other short name is one edit away from it */
    size_t len = strlen(word);
    s->limit = len < 3 ? 0 : len / 3 > 1 ? len / 3 : 1;
}

void flux_suggest_feed(flux_suggester *s, const char *cand)
{
    if (!cand || strcmp(cand, s->word) == 0)
        return;
    size_t la = strlen(s->word), lb = strlen(cand);
    size_t gap = la > lb ? la - lb : lb - la;
    if (gap > s->limit)
        return; /* cheap reject before the quadratic distance */
    size_t d = flux_edit_distance(s->word, cand);
    if (d > 0 && d <= s->limit && d < s->best_dist) {
        s->best = cand;
        s->best_dist = d;
    }
}

const char *flux_suggest_best(const flux_suggester *s)
{
    return s->best;
}

const char *flux_suggest(const char *word, const char *const *cands, size_t n)
{
    flux_suggester s;
    flux_suggest_init(&s, word);
    for (size_t i = 0; i < n; i++)
        flux_suggest_feed(&s, cands[i]);
    return flux_suggest_best(&s);
}
