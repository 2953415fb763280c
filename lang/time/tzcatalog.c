/* tzcatalog — the catalogue of IANA zone names: whether a name is a zone
 * of the system zoneinfo, and the closest known name for a typo. */
#include "tz.h"
#include "suggest.h"
#include "text.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *zoneinfo_dir(void)
{
    const char *d = getenv("TZDIR");
    return d && *d ? d : "/usr/share/zoneinfo";
}

/* The character set alone already excludes "..", but the path check stays
 * explicit: this string becomes a filesystem path. */
static bool valid_zone_name(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    if (n == 0 || n > 255 || name[0] == '/' || name[n - 1] == '/')
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!(flux_is_alpha(c) || flux_is_digit(c) || c == '_' || c == '+' || c == '-' || c == '/'))
            return false;
        if (c == '/' && name[i + 1] == '/')
            return false;
        bool comp_start = i == 0 || name[i - 1] == '/';
        if (comp_start && c == '.' && name[i + 1] == '.' && (name[i + 2] == '/' || name[i + 2] == '\0'))
            return false;
    }
    /* TZif files in zoneinfo that are not IANA zone names: the host's own zone
     * and the alternate posix/ and right/ (leap-second) trees */
    if (strcmp(name, "localtime") == 0 || strcmp(name, "posixrules") == 0 || strncmp(name, "posix/", 6) == 0 ||
        strncmp(name, "right/", 6) == 0)
        return false;
    return true;
}

bool flux_tz_exists(const char *name)
{
    if (!valid_zone_name(name))
        return false;
    const char *dir = zoneinfo_dir();
    char path[4096];
    int w = snprintf(path, sizeof path, "%s/%s", dir, name);
    if (w < 0 || (size_t)w >= sizeof path)
        return false;
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    char magic[4];
    size_t got = fread(magic, 1, sizeof magic, f); /* a directory reads 0 bytes here */
    fclose(f);
    return got == sizeof magic && memcmp(magic, "TZif", 4) == 0;
}

typedef struct zone_entry {
    char *name;
    char *lower;        /* matching is case-insensitive */
    const char *city;   /* into lower: after the last '/', for bare inputs like "paris" */
    bool link;          /* a backward-compatible alias: loses ties to a real zone */
    bool missing;       /* listed, but no TZif file: never suggested */
} zone_entry;

/* Built once on the first flux_tz_suggest and kept until exit; the TZDIR seen
 * on that first call decides the list. A scheduler compiles on a worker
 * thread, so suggestions (which load the list and mark missing zones) are
 * made under one lock. */
static zone_entry *zones;
static size_t nzones, zones_cap;
static bool zones_loaded;

static void free_zones(void)
{
    for (size_t i = 0; i < nzones; i++) {
        free(zones[i].name);
        free(zones[i].lower);
    }
    free(zones);
    zones = NULL;
    nzones = zones_cap = 0;
}

static void add_zone(const char *name, size_t len, bool link)
{
    if (len == 0 || len > 255)
        return;
    if (nzones == zones_cap) {
        size_t cap = zones_cap ? zones_cap * 2 : 512;
        zone_entry *z = realloc(zones, cap * sizeof *z);
        if (!z)
            return;
        zones = z;
        zones_cap = cap;
    }
    zone_entry *z = &zones[nzones];
    z->name = malloc(len + 1);
    z->lower = malloc(len + 1);
    if (!z->name || !z->lower) {
        free(z->name);
        free(z->lower);
        return;
    }
    memcpy(z->name, name, len);
    z->name[len] = '\0';
    if (!valid_zone_name(z->name)) {
        free(z->name);
        free(z->lower);
        return;
    }
    flux_text_copy_mapped(z->lower, len + 1, name, len, flux_to_lower);
    const char *slash = strrchr(z->lower, '/');
    z->city = slash ? slash + 1 : z->lower;
    z->link = link;
    z->missing = false;
    nzones++;
}

/* Returns the n-th (0-based) run of non-blank characters in line. */
static bool nth_word(const char *line, int n, const char **w, size_t *len)
{
    const char *p = line;
    for (int i = 0;; i++) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p || *p == '\n' || *p == '\r')
            return false;
        const char *s = p;
        while (*p && *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
            p++;
        if (i == n) {
            *w = s;
            *len = (size_t)(p - s);
            return true;
        }
    }
}

static bool load_tzdata_zi(const char *dir)
{
    char path[4096];
    int w = snprintf(path, sizeof path, "%s/tzdata.zi", dir);
    if (w < 0 || (size_t)w >= sizeof path)
        return false;
    FILE *f = fopen(path, "r");
    if (!f)
        return false;
    char *line = NULL;
    size_t cap = 0;
    const char *word;
    size_t len;
    while (getline(&line, &cap, f) != -1) {
        if (line[0] == 'Z' && line[1] == ' ' && nth_word(line, 1, &word, &len))
            add_zone(word, len, false);
        else if (line[0] == 'L' && line[1] == ' ' && nth_word(line, 2, &word, &len))
            add_zone(word, len, true);
    }
    free(line);
    fclose(f);
    return true;
}

/* zone1970.tab and zone.tab: "codes<TAB>coordinates<TAB>TZ[<TAB>comment]". */
static void load_tab(const char *dir, const char *file)
{
    char path[4096];
    int w = snprintf(path, sizeof path, "%s/%s", dir, file);
    if (w < 0 || (size_t)w >= sizeof path)
        return;
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    char *line = NULL;
    size_t cap = 0;
    while (getline(&line, &cap, f) != -1) {
        if (line[0] == '#')
            continue;
        char *p = strchr(line, '\t');
        p = p ? strchr(p + 1, '\t') : NULL;
        if (!p)
            continue;
        p++;
        size_t len = strcspn(p, "\t\r\n");
        add_zone(p, len, false);
    }
    free(line);
    fclose(f);
}

static int cmp_zone(const void *a, const void *b)
{
    return strcmp(((const zone_entry *)a)->name, ((const zone_entry *)b)->name);
}

static void load_zones(void)
{
    if (zones_loaded)
        return;
    zones_loaded = true;
    atexit(free_zones);
    const char *dir = zoneinfo_dir();
    if (!load_tzdata_zi(dir)) {
        /* the tables list only canonical zones, and neither lists UTC */
        load_tab(dir, "zone1970.tab");
        load_tab(dir, "zone.tab");
        add_zone("UTC", 3, true);
    }
    if (nzones == 0)
        return;
    /* sorted and de-duplicated, so ties resolve the same on every system */
    qsort(zones, nzones, sizeof *zones, cmp_zone);
    size_t k = 0;
    for (size_t i = 0; i < nzones; i++) {
        if (k > 0 && strcmp(zones[k - 1].name, zones[i].name) == 0) {
            zones[k - 1].link = zones[k - 1].link && zones[i].link;
            free(zones[i].name);
            free(zones[i].lower);
            continue;
        }
        zones[k++] = zones[i];
    }
    nzones = k;
}

/* Distance under a limit, skipping the quadratic work when lengths alone rule it out. */
static size_t bounded_distance(const char *a, size_t alen, const char *b, size_t limit)
{
    size_t blen = strlen(b);
    size_t gap = alen > blen ? alen - blen : blen - alen;
    if (gap > limit)
        return (size_t)-1;
    return flux_edit_distance(a, b);
}

static const char *suggest(const char *name)
{
    if (!name || !*name)
        return NULL;
    load_zones();
    size_t len = strlen(name);
    if (len > 255)
        return NULL;
    char lower[256];
    flux_text_copy_mapped(lower, sizeof lower, name, len, flux_to_lower);
    /* a third of the length, as flux_suggest: zone names are long, so that
     * already forgives a couple of typos without reaching for a stranger */
    size_t limit = len / 3 > 1 ? len / 3 : 1;
    /* "paris" or "new_york" alone: also compare against the last component */
    bool bare = strchr(name, '/') == NULL;

    for (;;) {
        /* ranked by distance, then a whole-name match over a city match
         * ("utc" is "UTC" before "Etc/UTC"), then a zone over a link */
        zone_entry *best = NULL;
        size_t best_rank = (size_t)-1;
        for (size_t i = 0; i < nzones; i++) {
            zone_entry *z = &zones[i];
            if (z->missing || strcmp(z->name, name) == 0)
                continue;
            size_t d = bounded_distance(lower, len, z->lower, limit), rank;
            if (d <= limit) {
                rank = d * 4;
            } else if (bare && z->city != z->lower &&
                       (d = bounded_distance(lower, len, z->city, limit)) <= limit) {
                rank = d * 4 + 2;
            } else {
                continue;
            }
            rank += z->link;
            if (rank < best_rank) {
                best = z;
                best_rank = rank;
            }
        }
        if (!best)
            return NULL;
        if (flux_tz_exists(best->name))
            return best->name;
        best->missing = true;
    }
}

static pthread_mutex_t zones_lock = PTHREAD_MUTEX_INITIALIZER;

const char *flux_tz_suggest(const char *name)
{
    pthread_mutex_lock(&zones_lock);
    const char *r = suggest(name);
    pthread_mutex_unlock(&zones_lock);
    return r;
}
