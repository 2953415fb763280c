/* wrap_tail — the last line a task printed, kept by flux-wrap as the output
 * streams by, for the note of a failed try: what a shell says of a command
 * not found or a syntax error, a program's last word (see wrap_tail.c). */
#ifndef FLUX_WRAP_TAIL_H
#define FLUX_WRAP_TAIL_H

#include <stddef.h>
#include <stdint.h>

/* the most bytes of a line the note gets; "..." follows a cut */
#define WRAP_TAIL_MAX 200
/* the bytes of a line kept from its start: the note's and room for the
 * blanks that start it */
#define WRAP_TAIL_KEEP 256

typedef struct wrap_tail_line {
    char head[WRAP_TAIL_KEEP]; /* its first bytes */
    size_t kept;               /* bytes in head */
    int64_t len;               /* all its bytes */
    int64_t end;               /* its bytes up to its last non-blank one: 0 for a blank line */
} wrap_tail_line;

typedef struct wrap_tail {
    wrap_tail_line cur;     /* the line being written, no newline yet */
    wrap_tail_line last[2]; /* the last two lines that count, the newest last[1] */
    int nlast;
} wrap_tail;

void wrap_tail_init(wrap_tail *t);
/* The next n bytes of the output (as the log gets them: masked). */
void wrap_tail_scan(wrap_tail *t, const char *p, size_t n);
/* The end of the output: a last line without a newline counts too. */
void wrap_tail_end(wrap_tail *t);
/* The line for the note into out (outlen at least WRAP_TAIL_MAX + 4), ""
 * when the task printed none: the last line that is not blank nor
 * addressed to the runner (`::output`, `::counts`, `::lineage`); bash's
 * echo of the text of a syntax error yields to the error line before it.
 * Blanks around it removed, control characters as spaces, malformed UTF-8
 * as U+FFFD, at most WRAP_TAIL_MAX bytes cut at a character's start and
 * followed by "..." when cut. */
void wrap_tail_text(const wrap_tail *t, char *out, size_t outlen);

#endif
