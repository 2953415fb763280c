/* layout — a plan's DAG as SVG through libgvc, with its cache (layout.h). */
#define _GNU_SOURCE /* memmem */
#include "layout.h"

#include <errno.h>
#include <fcntl.h>
#include <gvc.h>
#include <gvplugin.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alloc.h"
#include "arena.h"

/* ---- the neighbourhood of one task ---- */

void flux_layout_neighbourhood(const flux_pipeline *p, size_t focus, int depth, bool *keep)
{
    memset(keep, 0, p->ntasks * sizeof *keep);
    if (focus >= p->ntasks)
        return;
    /* distance from focus going up (dir 0) and going down (dir 1): a task
     * upstream of a downstream task is a sibling, not a neighbour */
    int *dist = flux_xmalloc(p->ntasks * sizeof *dist);
    for (int dir = 0; dir < 2; dir++) {
        for (size_t i = 0; i < p->ntasks; i++)
            dist[i] = -1;
        dist[focus] = 0;
        keep[focus] = true;
        for (int d = 0; d < depth; d++) {
            bool grew = false;
            for (size_t e = 0; e < p->nedges; e++) {
                uint32_t from = dir ? p->edges[e].a : p->edges[e].b, to = dir ? p->edges[e].b : p->edges[e].a;
                if (from < p->ntasks && to < p->ntasks && dist[from] == d && dist[to] < 0) {
                    dist[to] = d + 1;
                    keep[to] = true;
                    grew = true;
                }
            }
            if (!grew)
                break;
        }
    }
    free(dist);
}

/* ---- laying out ---- */

/* Graphviz keeps global state (its plugins, its layout's statics): one
 * layout at a time, with one context for the process. Its plugins are the
 * two linked in (dot's layout, the core renderers): no text plugin, so
 * no font is looked up and a layout is the same bytes on every machine */
static pthread_mutex_t gv_lock = PTHREAD_MUTEX_INITIALIZER;
static GVC_t *gv;
extern gvplugin_library_t gvplugin_dot_layout_LTX_library;
extern gvplugin_library_t gvplugin_core_LTX_library;
static lt_symlist_t gv_builtins[] = {
    {"gvplugin_dot_layout_LTX_library", &gvplugin_dot_layout_LTX_library},
    {"gvplugin_core_LTX_library", &gvplugin_core_LTX_library},
    {0, 0},
};

static void set(void *obj, const char *name, const char *value)
{
    char n[32], v[512];
    snprintf(n, sizeof n, "%s", name);
    snprintf(v, sizeof v, "%s", value);
    agsafeset(obj, n, v, "");
}

/* the graph of the kept tasks, or NULL */
static Agraph_t *build(const flux_pipeline *p, const bool *keep)
{
    char name[8] = "plan";
    Agraph_t *g = agopen(name, Agdirected, NULL);
    if (!g)
        return NULL;
    set(g, "rankdir", "LR");
    set(g, "nodesep", "0.25");
    set(g, "ranksep", "0.5");
    Agnode_t **nodes = flux_xcalloc(p->ntasks ? p->ntasks : 1, sizeof *nodes);
    for (size_t i = 0; i < p->ntasks; i++) {
        if (keep && !keep[i])
            continue;
        const flux_task *t = p->tasks[i];
        char id[300], cls[300];
        snprintf(id, sizeof id, "%s", t->id);
        nodes[i] = agnode(g, id, 1);
        snprintf(id, sizeof id, "task-%s", t->id);
        snprintf(cls, sizeof cls, "op-%s", t->op ? t->op : "unknown");
        set(nodes[i], "id", id);
        set(nodes[i], "class", cls);
        set(nodes[i], "shape", "box");
        set(nodes[i], "style", "rounded,filled");
        set(nodes[i], "fillcolor", "#ffffff");
        set(nodes[i], "fontname", "sans-serif");
        set(nodes[i], "fontsize", "10");
    }
    for (size_t e = 0; e < p->nedges; e++) {
        uint32_t a = p->edges[e].a, b = p->edges[e].b;
        if (a < p->ntasks && b < p->ntasks && nodes[a] && nodes[b])
            agedge(g, nodes[a], nodes[b], NULL, 1);
    }
    free(nodes);
    return g;
}

int flux_layout_svg(const flux_pipeline *p, const bool *keep, char **svg, size_t *len, char *err, size_t errlen)
{
    *svg = NULL;
    *len = 0;
    pthread_mutex_lock(&gv_lock);
    if (!gv)
        gv = gvContextPlugins(gv_builtins, 0);
    Agraph_t *g = gv ? build(p, keep) : NULL;
    int rc = -1;
    char *data = NULL;
    unsigned int n = 0;
    if (!g)
        snprintf(err, errlen, "graphviz could not start");
    else if (gvLayout(gv, g, "dot") != 0)
        snprintf(err, errlen, "graphviz could not lay out the plan (is its dot plugin installed?)");
    else {
        if (gvRenderData(gv, g, "svg", &data, &n) != 0 || !data)
            snprintf(err, errlen, "graphviz could not render SVG");
        else {
            *svg = flux_xmalloc((size_t)n + 1);
            memcpy(*svg, data, n);
            (*svg)[n] = '\0';
            *len = n;
            rc = 0;
        }
        if (data)
            gvFreeRenderData(data);
        gvFreeLayout(gv, g);
    }
    if (g)
        agclose(g);
    pthread_mutex_unlock(&gv_lock);
    return rc;
}

/* ---- a run's states in the classes ---- */

static const char *state_of(const flux_layout_state *states, size_t n, const char *task, size_t tlen)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strncmp(states[mid].task, task, tlen);
        if (c == 0 && states[mid].task[tlen])
            c = 1;
        if (c == 0)
            return states[mid].state;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

char *flux_layout_states(const char *svg, size_t len, const flux_layout_state *states, size_t n, size_t *outlen)
{
    /* Graphviz writes '-' in ids and classes as "&#45;" (a browser reads
     * "task-a" back), so this is the form to find and to add */
    static const char mark[] = "<g id=\"task&#45;", cls[] = "\" class=\"node";
    flux_buf b = {0};
    const char *at = svg, *end = svg + len;
    for (;;) {
        const char *g = memmem(at, (size_t)(end - at), mark, sizeof mark - 1);
        if (!g)
            break;
        const char *id = g + sizeof mark - 1, *q = memchr(id, '"', (size_t)(end - id));
        if (!q || (size_t)(end - q) < sizeof cls - 1 || memcmp(q, cls, sizeof cls - 1) != 0) {
            flux_buf_put(&b, at, (size_t)(id - at));
            at = id;
            continue;
        }
        /* the state goes last in the class attribute */
        const char *after = memchr(q + sizeof cls - 1, '"', (size_t)(end - q - (sizeof cls - 1)));
        if (!after)
            break;
        flux_buf_put(&b, at, (size_t)(after - at));
        const char *st = state_of(states, n, id, (size_t)(q - id));
        if (st) {
            flux_buf_puts(&b, " state&#45;");
            flux_buf_puts(&b, st);
        }
        at = after;
    }
    flux_buf_put(&b, at, (size_t)(end - at));
    *outlen = b.len;
    char *out = flux_xmalloc(b.len + 1);
    memcpy(out, b.data ? b.data : "", b.len);
    out[b.len] = '\0';
    flux_buf_free(&b);
    return out;
}

/* ---- the cache ---- */

typedef struct entry {
    char *key;
    char *svg;
    size_t len;
    uint64_t used;
} entry;

struct flux_layout_cache {
    pthread_mutex_t lock;
    char *dir;
    entry *v;
    size_t n, max;
    size_t bytes, max_bytes; /* the SVGs held, and at most */
    uint64_t tick;
};

flux_layout_cache *flux_layout_cache_new(const char *dir, size_t max_entries, size_t max_bytes)
{
    flux_layout_cache *c = flux_xcalloc(1, sizeof *c);
    pthread_mutex_init(&c->lock, NULL);
    c->dir = dir ? flux_xstrdup(dir) : NULL;
    c->max = max_entries ? max_entries : 1;
    c->max_bytes = max_bytes;
    c->v = flux_xcalloc(c->max, sizeof *c->v);
    return c;
}

size_t flux_layout_cache_bytes(flux_layout_cache *c)
{
    pthread_mutex_lock(&c->lock);
    size_t n = c->bytes;
    pthread_mutex_unlock(&c->lock);
    return n;
}

void flux_layout_cache_free(flux_layout_cache *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++) {
        free(c->v[i].key);
        free(c->v[i].svg);
    }
    free(c->v);
    free(c->dir);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

/* a plan id is hex and a task id a name: a key is safe as a file name */
static bool safe_key(const char *s)
{
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '_' ||
              *s == '-' || *s == '.'))
            return false;
    return true;
}

static char *dup_mem(const char *s, size_t n)
{
    char *d = flux_xmalloc(n + 1);
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

/* under c->lock: a copy of the cached SVG, or NULL */
static char *lookup(flux_layout_cache *c, const char *key, size_t *len)
{
    for (size_t i = 0; i < c->n; i++)
        if (!strcmp(c->v[i].key, key)) {
            c->v[i].used = ++c->tick;
            *len = c->v[i].len;
            return dup_mem(c->v[i].svg, c->v[i].len);
        }
    return NULL;
}

/* under c->lock: drops the least recently used entry */
static void evict(flux_layout_cache *c)
{
    size_t at = 0;
    for (size_t i = 1; i < c->n; i++)
        if (c->v[i].used < c->v[at].used)
            at = i;
    c->bytes -= c->v[at].len;
    free(c->v[at].key);
    free(c->v[at].svg);
    c->v[at] = c->v[--c->n];
}

/* under c->lock: keeps a copy, the least recently used ones going to make
 * room (one bigger than the whole budget stays on disk only) */
static void insert(flux_layout_cache *c, const char *key, const char *svg, size_t len)
{
    if (len > c->max_bytes)
        return;
    while (c->n && (c->n == c->max || c->bytes + len > c->max_bytes))
        evict(c);
    c->v[c->n++] = (entry){flux_xstrdup(key), dup_mem(svg, len), len, ++c->tick};
    c->bytes += len;
}

static char *disk_read(const flux_layout_cache *c, const char *key, size_t *len)
{
    if (!c->dir)
        return NULL;
    char path[1200];
    snprintf(path, sizeof path, "%s/%s.svg", c->dir, key);
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    struct stat st;
    if (fd < 0)
        return NULL;
    char *svg = NULL;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 && st.st_size < (1 << 30)) {
        svg = flux_xmalloc((size_t)st.st_size + 1);
        if (read(fd, svg, (size_t)st.st_size) != st.st_size) {
            free(svg);
            svg = NULL;
        } else {
            svg[st.st_size] = '\0';
            *len = (size_t)st.st_size;
        }
    }
    close(fd);
    return svg;
}

/* written whole under a temporary name, then renamed: a reader never sees
 * half a layout; a failure only costs the next start a layout */
static void disk_write(const flux_layout_cache *c, const char *key, const char *svg, size_t len)
{
    if (!c->dir || (mkdir(c->dir, 0700) != 0 && errno != EEXIST))
        return;
    char path[1200], tmp[1220];
    snprintf(path, sizeof path, "%s/%s.svg", c->dir, key);
    snprintf(tmp, sizeof tmp, "%s.%ld.tmp", path, (long)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        return;
    bool ok = write(fd, svg, len) == (ssize_t)len;
    ok = close(fd) == 0 && ok;
    if (!ok || rename(tmp, path) != 0)
        unlink(tmp);
}

int flux_layout_cached(flux_layout_cache *c, const char *plan_id, const flux_pipeline *p, const char *focus, int depth,
                      char **svg, size_t *len, char *err, size_t errlen)
{
    size_t fi = SIZE_MAX;
    if (focus) {
        for (size_t i = 0; i < p->ntasks && fi == SIZE_MAX; i++)
            if (!strcmp(p->tasks[i]->id, focus))
                fi = i;
        if (fi == SIZE_MAX)
            return 1;
    }
    char key[700];
    if (focus)
        snprintf(key, sizeof key, "%.64s-%.300s-%d", plan_id, focus, depth);
    else
        snprintf(key, sizeof key, "%.64s", plan_id);
    if (!safe_key(key)) {
        snprintf(err, errlen, "'%s' cannot name a cached graph", key);
        return -1;
    }
    pthread_mutex_lock(&c->lock);
    *svg = lookup(c, key, len);
    if (!*svg && (*svg = disk_read(c, key, len)) != NULL)
        insert(c, key, *svg, *len);
    pthread_mutex_unlock(&c->lock);
    if (*svg)
        return 0;
    /* laid out outside the cache's lock: a second request for the same
     * plan meanwhile lays it out too, which costs time, never a wrong answer */
    bool *keep = NULL;
    if (focus) {
        keep = flux_xmalloc(p->ntasks * sizeof *keep);
        flux_layout_neighbourhood(p, fi, depth, keep);
    }
    int rc = flux_layout_svg(p, keep, svg, len, err, errlen);
    free(keep);
    if (rc != 0)
        return -1;
    pthread_mutex_lock(&c->lock);
    insert(c, key, *svg, *len);
    pthread_mutex_unlock(&c->lock);
    disk_write(c, key, *svg, *len);
    return 0;
}
