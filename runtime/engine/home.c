/* home — FLUX_HOME and the one rule that picks a command's state store;
 * see home.h. */
#include "home.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <stdbool.h>
#include <unistd.h>
#include <string.h>

#include "load.h"

/* the nearest dir/.flux, or dir/.flux beside dir/flux.yaml, from the
 * working directory up; "" when none; ".flux" when found here */
static void find_home(char *out, size_t n)
{
    out[0] = '\0';
    char dir[PATH_MAX];
    if (!getcwd(dir, sizeof dir))
        return;
    for (bool here = true;; here = false) {
        char p[PATH_MAX + 16];
        struct stat st;
        const char *sep = strcmp(dir, "/") ? "/" : "";
        snprintf(p, sizeof p, "%s%s.flux", dir, sep);
        bool home = stat(p, &st) == 0 && S_ISDIR(st.st_mode);
        snprintf(p, sizeof p, "%s%sflux.yaml", dir, sep);
        if (home || (stat(p, &st) == 0 && S_ISREG(st.st_mode))) {
            snprintf(out, n, here ? ".flux" : "%s%s.flux", dir, sep);
            return;
        }
        char *slash = strrchr(dir, '/');
        if (!slash || !strcmp(dir, "/"))
            return;
        if (slash == dir)
            dir[1] = '\0';
        else
            *slash = '\0';
    }
}

const char *flux_home_dir(void)
{
    const char *h = getenv("FLUX_HOME");
    if (h && *h)
        return h;
    static char found[PATH_MAX + 16];
    static bool looked;
    if (!looked) {
        looked = true;
        find_home(found, sizeof found);
    }
    return found[0] ? found : ".flux";
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
    char cwd[PATH_MAX];
    if (!getcwd(cwd, sizeof cwd))
        snprintf(cwd, sizeof cwd, ".");
    const char *h = getenv("FLUX_HOME");
    if (h && *h)
        snprintf(out, outlen, "FLUX_HOME is %s", h);
    else
        snprintf(out, outlen, "FLUX_HOME is not set and no .flux/ or flux.yaml is in %s or a parent", cwd);
}

int flux_home_open_store(const char *db, const char *conns_path, bool create, flux_store **out, char *err,
                         size_t errlen)
{
    char url[PATH_MAX + 16];
    const char *u = db ? db : getenv("FLUX_DB");
    *out = NULL;
    if (!u || !*u) {
        /* flux.yaml's state_store, then the embedded default */
        flux_arena *a = flux_arena_new();
        flux_conns c;
        if (flux_load_conns(conns_path, a, &c, err, errlen) != 0) {
            flux_arena_free(a);
            return FLUX_HOME_CONNS;
        }
        if (c.state_store) {
            snprintf(url, sizeof url, "%s", c.state_store);
            u = url;
        }
        flux_arena_free(a);
    }
    if (!u || !*u) {
        snprintf(url, sizeof url, "%s/flux.db", flux_home_dir());
        struct stat st;
        if (!create && stat(url, &st) != 0) {
            char where[PATH_MAX + 128];
            flux_home_where(where, sizeof where);
            snprintf(err, errlen, "no state store at %s (%s); a command that runs or deploys pipelines creates one",
                     url, where);
            return FLUX_HOME_NONE;
        }
        if (create)
            mkdir(flux_home_dir(), 0755);
        snprintf(url, sizeof url, "sqlite://%s/flux.db", flux_home_dir());
        u = url;
    }
    int rc = create ? flux_store_open(u, out, err, errlen) : flux_store_open_readonly(u, out, err, errlen);
    return rc != 0 ? FLUX_HOME_STORE : FLUX_HOME_OK;
}
