/* source — the files of a compilation and positions in them. */
#include "source.h"
#include "alloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define SOURCE_MAX (64u * 1024u * 1024u)

void flux_sources_init(flux_sources *s)
{
    memset(s, 0, sizeof *s);
}

void flux_sources_free(flux_sources *s)
{
    for (size_t i = 1; i < s->n; i++) {
        free(s->files[i]->path);
        free(s->files[i]->root);
        free(s->files[i]->text);
        free(s->files[i]->lines);
        free(s->files[i]);
    }
    free(s->files);
    memset(s, 0, sizeof *s);
}

static uint32_t add_owned(flux_sources *s, const char *path, char *text, size_t len)
{
    if (s->n == 0) {
        s->cap = 8;
        s->files = calloc(s->cap, sizeof *s->files);
        if (!s->files)
            return 0;
        s->n = 1;
    }
    if (s->n == s->cap) {
        flux_source **f = realloc(s->files, 2 * s->cap * sizeof *f);
        if (!f)
            return 0;
        s->files = f;
        s->cap *= 2;
    }
    flux_source *src = calloc(1, sizeof *src);
    if (!src)
        return 0;
    src->path = strdup(path);
    src->text = text;
    src->len = len;
    s->files[s->n] = src;
    return (uint32_t)s->n++;
}

uint32_t flux_sources_add(flux_sources *s, const char *path, const char *text, size_t len)
{
    if (len > SOURCE_MAX) {
        errno = EFBIG;
        return 0;
    }
    char *copy = malloc(len + 1);
    if (!copy)
        return 0;
    memcpy(copy, text, len);
    copy[len] = '\0';
    uint32_t id = add_owned(s, path, copy, len);
    if (!id)
        free(copy);
    return id;
}

char *flux_sources_path(const flux_sources *s, const char *path)
{
    if (!s->root || path[0] == '/')
        return flux_xstrdup(path);
    size_t n = strlen(s->root) + strlen(path) + 2;
    char *full = flux_xmalloc(n);
    snprintf(full, n, "%s/%s", s->root, path);
    return full;
}

uint32_t flux_sources_load(flux_sources *s, const char *path)
{
    char *at = flux_sources_path(s, path);
    struct stat pre;
    if (stat(at, &pre) == 0 && !S_ISREG(pre.st_mode)) {
        /* checked before opening: opening a FIFO for reading blocks */
        free(at);
        errno = S_ISDIR(pre.st_mode) ? EISDIR : EINVAL;
        return 0;
    }
    FILE *f = fopen(at, "rb");
    free(at);
    if (!f)
        return 0;
    /* only regular files: a FIFO or /dev/stdin named in an include would
     * block the compiler, /dev/zero would never end */
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        int e = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
        fclose(f);
        errno = e;
        return 0;
    }
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap + 1);
    while (buf) {
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (len > SOURCE_MAX) {
            free(buf);
            fclose(f);
            errno = EFBIG;
            return 0;
        }
        if (got == 0)
            break;
        if (len == cap) {
            char *nb = realloc(buf, 2 * cap + 1);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
    }
    int err = ferror(f);
    fclose(f);
    if (!buf || err) {
        free(buf);
        errno = err ? EIO : ENOMEM;
        return 0;
    }
    buf[len] = '\0';
    uint32_t id = add_owned(s, path, buf, len);
    if (!id)
        free(buf);
    return id;
}

const flux_source *flux_sources_get(const flux_sources *s, uint32_t id)
{
    return id && id < s->n ? s->files[id] : NULL;
}

static void build_lines(flux_source *src)
{
    size_t n = 1;
    for (size_t i = 0; i < src->len; i++)
        n += src->text[i] == '\n';
    src->lines = malloc(n * sizeof *src->lines);
    if (!src->lines)
        return;
    src->nlines = 0;
    src->lines[src->nlines++] = 0;
    for (size_t i = 0; i < src->len; i++)
        if (src->text[i] == '\n')
            src->lines[src->nlines++] = (uint32_t)(i + 1);
}

static size_t line_index(flux_source *src, uint32_t offset)
{
    if (!src->lines)
        build_lines(src);
    if (!src->lines)
        return 0;
    size_t lo = 0, hi = src->nlines;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (src->lines[mid] <= offset)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

void flux_source_linecol(flux_source *src, uint32_t offset, unsigned *line, unsigned *col)
{
    if (offset > src->len)
        offset = (uint32_t)src->len;
    size_t li = line_index(src, offset);
    *line = (unsigned)li + 1;
    *col = (unsigned)(offset - (src->lines ? src->lines[li] : 0)) + 1;
}

const char *flux_source_line(flux_source *src, uint32_t offset, size_t *len)
{
    if (offset > src->len)
        offset = (uint32_t)src->len;
    size_t li = line_index(src, offset);
    uint32_t start = src->lines ? src->lines[li] : 0;
    size_t end = start;
    while (end < src->len && src->text[end] != '\n')
        end++;
    if (end > start && src->text[end - 1] == '\r')
        end--;
    *len = end - start;
    return src->text + start;
}
