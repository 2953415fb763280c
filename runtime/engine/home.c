/* home — FLUX_HOME, the flux.yaml in use, and the one rule that picks a
 * command's state store; see home.h. */
#include "home.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <stdbool.h>
#include <unistd.h>
#include <string.h>

#include "load.h"

/* ---- walking up from the working directory ---- */

static bool is_dir(const char *dir, const char *name)
{
    char p[PATH_MAX + 16];
    struct stat st;
    snprintf(p, sizeof p, "%s%s%s", dir, strcmp(dir, "/") ? "/" : "", name);
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool is_file(const char *dir, const char *name)
{
    char p[PATH_MAX + 16];
    struct stat st;
    snprintf(p, sizeof p, "%s%s%s", dir, strcmp(dir, "/") ? "/" : "", name);
    return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

/* a project's root: it holds .flux/ or flux.yaml */
static bool has_home(const char *dir)
{
    return is_dir(dir, ".flux") || is_file(dir, "flux.yaml");
}

static bool has_conns(const char *dir)
{
    return is_file(dir, "flux.yaml");
}

/* The nearest directory, from the working directory up (as git finds
 * .git), for which found() holds, into out; false when none. */
static bool walk_up(bool (*found)(const char *dir), char *out, size_t n)
{
    char dir[PATH_MAX];
    if (!getcwd(dir, sizeof dir))
        return false;
    for (;;) {
        if (found(dir)) {
            snprintf(out, n, "%s", dir);
            return true;
        }
        char *slash = strrchr(dir, '/');
        if (!slash || !strcmp(dir, "/"))
            return false;
        if (slash == dir)
            dir[1] = '\0';
        else
            *slash = '\0';
    }
}

static void cwd(char *out, size_t n)
{
    if (!getcwd(out, n))
        snprintf(out, n, ".");
}

/* ---- FLUX_HOME ---- */

/* FLUX_HOME and how it was found (static: one answer per process) */
static const char *home_dir(const char **from)
{
    const char *h = getenv("FLUX_HOME");
    if (h && *h) {
        *from = "FLUX_HOME";
        return h;
    }
    static char found[PATH_MAX + 16];
    static bool looked, here;
    if (!looked) {
        looked = true;
        char dir[PATH_MAX], now[PATH_MAX];
        cwd(now, sizeof now);
        if (walk_up(has_home, dir, sizeof dir)) {
            here = !strcmp(dir, now);
            /* found in a parent it is absolute; here, ".flux" */
            snprintf(found, sizeof found, here ? ".flux" : "%s%s.flux", dir, strcmp(dir, "/") ? "/" : "");
        }
    }
    *from = found[0] ? (here ? "here" : "walked") : "default";
    return found[0] ? found : ".flux";
}

const char *flux_home_dir(void)
{
    const char *from;
    return home_dir(&from);
}

const char *flux_home_abs(void)
{
    static char abs[PATH_MAX];
    const char *h = flux_home_dir();
    mkdir(h, 0755);
    if (!realpath(h, abs))
        return h;
    return abs;
}

void flux_home_where(char *out, size_t outlen)
{
    char dir[PATH_MAX];
    cwd(dir, sizeof dir);
    const char *h = getenv("FLUX_HOME");
    if (h && *h)
        snprintf(out, outlen, "FLUX_HOME is %s", h);
    else
        snprintf(out, outlen, "FLUX_HOME is not set and no .flux/ or flux.yaml is in %s or a parent", dir);
}

/* ---- flux.yaml ---- */

int flux_home_conns_path(const char *given, char *out, size_t n, const char **from)
{
    const char *env = getenv("FLUX_CONNECTIONS");
    if (given) {
        snprintf(out, n, "%s", given);
        *from = "--connections";
        return 1;
    }
    if (env && *env) {
        snprintf(out, n, "%s", env);
        *from = "FLUX_CONNECTIONS";
        return 1;
    }
    char dir[PATH_MAX], now[PATH_MAX];
    if (walk_up(has_conns, dir, sizeof dir)) {
        /* here, "flux.yaml" as before (messages say flux.yaml:3:5); in a
         * parent, its absolute path */
        cwd(now, sizeof now);
        *from = strcmp(dir, now) ? "walked" : "here";
        if (strcmp(dir, now))
            snprintf(out, n, "%s%sflux.yaml", dir, strcmp(dir, "/") ? "/" : "");
        else
            snprintf(out, n, "flux.yaml");
        return 0;
    }
    out[0] = '\0';
    *from = "none";
    return 0;
}

int flux_home_load_conns(const char *given, flux_arena *a, flux_conns *c, char *err, size_t errlen)
{
    char path[PATH_MAX + 16];
    const char *from;
    bool required = flux_home_conns_path(given, path, sizeof path, &from) == 1;
    *err = '\0';
    return flux_conns_load(a, c, path[0] ? path : NULL, required, err, errlen) != 0 ? -1 : 0;
}

/* ---- the state store ---- */

/* The store's URL by the rule of home.h, with where it came from; the
 * embedded default's path in *file. FLUX_HOME_CONNS with err when flux.yaml
 * cannot be read. */
static int store_url(const char *db, const char *conns_path, char *url, size_t n, const char **from, char *file,
                     size_t filelen, char *err, size_t errlen)
{
    file[0] = '\0';
    const char *env = getenv("FLUX_DB");
    if (db) {
        snprintf(url, n, "%s", db);
        *from = "--db";
        return FLUX_HOME_OK;
    }
    if (env && *env) {
        snprintf(url, n, "%s", env);
        *from = "FLUX_DB";
        return FLUX_HOME_OK;
    }
    /* flux.yaml's state_store, then the embedded default */
    flux_arena *a = flux_arena_new();
    flux_conns c;
    if (flux_home_load_conns(conns_path, a, &c, err, errlen) != 0) {
        flux_arena_free(a);
        return FLUX_HOME_CONNS;
    }
    url[0] = '\0';
    if (c.state_store) {
        snprintf(url, n, "%s", c.state_store);
        *from = "state_store";
    }
    flux_arena_free(a);
    if (!url[0]) {
        snprintf(file, filelen, "%s/flux.db", flux_home_dir());
        snprintf(url, n, "sqlite://%s", file);
        *from = "FLUX_HOME/flux.db";
    }
    return FLUX_HOME_OK;
}

/* url without the password of its user part: mysql://user@host/...; the
 * user part ends at the last '@', as the MySQL driver reads it (a password
 * may hold '/', '?' or '#' unescaped; an '@' after it is written %40) */
static void without_password(const char *url, char *out, size_t n)
{
    snprintf(out, n, "%s", url);
    if (strncmp(out, "mysql://", 8) != 0)
        return;
    char *auth = out + 8, *at = strrchr(auth, '@');
    char *colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
    if (colon)
        memmove(colon, at, strlen(at) + 1);
}

int flux_home_open_store(const char *db, const char *conns_path, bool create, flux_store **out, char *err,
                         size_t errlen)
{
    char url[PATH_MAX + 16], file[PATH_MAX + 16];
    const char *from;
    *out = NULL;
    int rc = store_url(db, conns_path, url, sizeof url, &from, file, sizeof file, err, errlen);
    if (rc != FLUX_HOME_OK)
        return rc;
    if (file[0]) {
        struct stat st;
        if (!create && stat(file, &st) != 0) {
            char where[PATH_MAX + 128];
            flux_home_where(where, sizeof where);
            snprintf(err, errlen, "no state store at %s (%s); a command that runs or deploys pipelines creates one",
                     file, where);
            return FLUX_HOME_NONE;
        }
        if (create)
            mkdir(flux_home_dir(), 0755);
    }
    rc = create ? flux_store_open(url, out, err, errlen) : flux_store_open_readonly(url, out, err, errlen);
    if (rc == 1) { /* an empty database: as a missing file, nothing to read yet */
        char shown[PATH_MAX + 16];
        without_password(url, shown, sizeof shown);
        snprintf(err, errlen, "no state store in %s (the database is empty); a command that runs or deploys "
                              "pipelines creates one", shown);
        return FLUX_HOME_NONE;
    }
    return rc != 0 ? FLUX_HOME_STORE : FLUX_HOME_OK;
}

static int absolute(const char *path, char *out, size_t n);

int flux_home_store_url(const char *db, const char *conns_path, char *url, size_t n, char *err, size_t errlen)
{
    char file[PATH_MAX + 16], abs[PATH_MAX + 16];
    const char *from;
    int rc = store_url(db, conns_path, url, n, &from, file, sizeof file, err, errlen);
    if (rc == FLUX_HOME_OK && file[0] && absolute(file, abs, sizeof abs) == 0)
        snprintf(url, n, "sqlite://%s", abs);
    return rc;
}

/* ---- what is in use, for flux status ---- */

/* path made absolute against the working directory, for showing; -1 when
 * it does not fit */
static int absolute(const char *path, char *out, size_t n)
{
    char dir[PATH_MAX];
    cwd(dir, sizeof dir);
    int w = path[0] == '/' ? snprintf(out, n, "%s", path) : snprintf(out, n, "%s/%s", dir, path);
    return w < 0 || (size_t)w >= n ? -1 : 0;
}

int flux_home_describe(const char *db, const char *conns_path, flux_home_info *info, char *err, size_t errlen)
{
    memset(info, 0, sizeof *info);
    cwd(info->cwd, sizeof info->cwd);
    char url[PATH_MAX + 64], file[PATH_MAX + 16], abs[PATH_MAX + 16];
    const char *from;
    int rc = store_url(db, conns_path, url, sizeof url, &from, file, sizeof file, err, errlen);
    if (rc != FLUX_HOME_OK)
        return rc;
    if (file[0] && absolute(file, abs, sizeof abs) == 0)
        snprintf(url, sizeof url, "sqlite://%s", abs);
    without_password(url, info->store, sizeof info->store);
    snprintf(info->store_from, sizeof info->store_from, "%s", from);
    const char *hf;
    absolute(home_dir(&hf), info->home, sizeof info->home);
    snprintf(info->home_from, sizeof info->home_from, "%s", hf);
    char conns[PATH_MAX + 16];
    flux_home_conns_path(conns_path, conns, sizeof conns, &from);
    if (!conns[0] || absolute(conns, info->conns, sizeof info->conns) != 0)
        snprintf(info->conns, sizeof info->conns, "%s", conns);
    snprintf(info->conns_from, sizeof info->conns_from, "%s", from);
    return FLUX_HOME_OK;
}
