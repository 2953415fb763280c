/* source — the files of a compilation and positions in them.
 *
 * A span is a file id plus byte offsets; line and column are computed only when
 * a message is printed (as jq does), so the lexer never counts lines.
 */
#ifndef FLUX_SOURCE_H
#define FLUX_SOURCE_H

#include <stddef.h>
#include <stdint.h>

typedef struct flux_span {
    uint32_t file;  /* index in flux_sources; 0 = no location */
    uint32_t begin; /* byte offsets, end exclusive */
    uint32_t end;
} flux_span;

typedef struct flux_source {
    char *path;        /* as given or as resolved for includes */
    char *text;        /* NUL-terminated */
    size_t len;
    uint32_t *lines;   /* offsets of line starts, built on first use */
    size_t nlines;
    /* the directory its includes must stay under (absolute, resolved): the
     * root given to check/deploy/scheduler, or the file's own directory;
     * NULL for text that is not a file */
    char *root;
} flux_source;

typedef struct flux_sources {
    flux_source **files; /* files[0] is unused so that file id 0 means "none" */
    size_t n, cap;
    /* relative paths are read from here (NULL: the working directory), so a
     * tree is compiled from its root on any thread, without a chdir that
     * would move the whole process; the paths shown stay relative */
    const char *root;
} flux_sources;

void flux_sources_init(flux_sources *s);
void flux_sources_free(flux_sources *s);

/* Reads a file; returns its id, or 0 with errno set. Files over 64 MiB are
 * refused (EFBIG): offsets are 32-bit and nobody writes pipelines that big. */
uint32_t flux_sources_load(flux_sources *s, const char *path);

/* Where path is read from: under s->root when it is relative and a root is
 * set. malloc'd; aborts on OOM. */
char *flux_sources_path(const flux_sources *s, const char *path);

/* Adds text held in memory (tests, fuzzing, stdin). Copies it. */
uint32_t flux_sources_add(flux_sources *s, const char *path, const char *text, size_t len);

const flux_source *flux_sources_get(const flux_sources *s, uint32_t id);

/* 1-based line and column (column in bytes) of an offset. */
void flux_source_linecol(flux_source *src, uint32_t offset, unsigned *line, unsigned *col);

/* The line holding offset, without its newline. */
const char *flux_source_line(flux_source *src, uint32_t offset, size_t *len);

/* no place: for messages about a file as a whole or a command line */
static inline flux_span flux_nowhere(void)
{
    flux_span s = {0, 0, 0};
    return s;
}

static inline flux_span flux_span_join(flux_span a, flux_span b)
{
    flux_span r = a;
    if (b.file == a.file) {
        if (b.begin < r.begin)
            r.begin = b.begin;
        if (b.end > r.end)
            r.end = b.end;
    }
    return r;
}

#endif
