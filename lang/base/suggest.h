/* suggest — "did you mean" by edit distance, for every unknown-name message. */
#ifndef FLUX_SUGGEST_H
#define FLUX_SUGGEST_H

#include <stddef.h>

/* Damerau-Levenshtein (optimal string alignment) distance, case-sensitive. */
size_t flux_edit_distance(const char *a, const char *b);

/* Incremental search: feed candidates, read the best one. A candidate is kept
 * only when its distance is at most max(1, strlen(word) / 3)
 * (none for words shorter than 3), so a suggestion is
 * never a wild guess; ties keep the first candidate fed (callers feed in a
 * deterministic order). */
typedef struct flux_suggester {
    const char *word;
    const char *best;
    size_t best_dist;
    size_t limit;
} flux_suggester;

void flux_suggest_init(flux_suggester *s, const char *word);
void flux_suggest_feed(flux_suggester *s, const char *candidate);
const char *flux_suggest_best(const flux_suggester *s); /* NULL when none is close */

/* One-shot over an array (NULL entries skipped). */
const char *flux_suggest(const char *word, const char *const *cands, size_t n);

#endif
