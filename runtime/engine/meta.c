/* meta — the facts of a plan views show, recorded or read back (meta.h). */
#include "meta.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "load.h"

/* A description is for people; a longer one is cut at a UTF-8 character's
 * start rather than refused, so a plan stores the same on every database */
enum { MAX_DESCRIPTION = 4000 };

static char *dup_str(const flux_pipeline *p, const char *key, size_t max)
{
    const flux_field *f = flux_load_attr(p, key);
    if (!f || (f->kind != FLUX_F_STRING && f->kind != FLUX_F_IDENT))
        return NULL;
    size_t n = f->u.str.len;
    if (n > max)
        for (n = max; n > 0 && ((unsigned char)f->u.str.s[n] & 0xC0) == 0x80;)
            n--;
    char *s = malloc(n + 1);
    if (s) {
        memcpy(s, f->u.str.s, n);
        s[n] = '\0';
    }
    return s;
}

void flux_meta_of(const flux_pipeline *p, flux_plan_meta *m)
{
    *m = (flux_plan_meta){0};
    m->description = dup_str(p, "description", MAX_DESCRIPTION);
    m->owner = dup_str(p, "owner", 255);
    m->schedule = dup_str(p, "schedule", 255);
    m->timezone = dup_str(p, "timezone", 255);
    m->tasks = (int64_t)p->ntasks;
    json_t *tags = json_array();
    const flux_field *f = flux_load_attr(p, "tags");
    if (f && f->kind == FLUX_F_LIST)
        for (size_t i = 0; i < f->u.list.n; i++) {
            const flux_field *t = &f->u.list.v[i];
            if (t->kind == FLUX_F_STRING || t->kind == FLUX_F_IDENT)
                json_array_append_new(tags, json_stringn(t->u.str.s, t->u.str.len));
        }
    m->tags = json_dumps(tags, JSON_COMPACT);
    json_decref(tags);
}

int flux_meta_record(flux_store *s, const char *plan_id, const flux_pipeline *p)
{
    flux_plan_meta m;
    flux_meta_of(p, &m);
    int rc = flux_store_put_plan_meta(s, plan_id, &m);
    flux_plan_meta_free(&m);
    return rc;
}

int flux_meta_get(flux_store *s, const char *plan_id, flux_plan_meta *m, char *err, size_t errlen)
{
    int rc = flux_store_get_plan_meta(s, plan_id, m);
    if (rc <= 0) {
        if (rc < 0)
            snprintf(err, errlen, "%s", flux_store_error(s));
        return rc;
    }
    char *text = flux_store_get_plan(s, plan_id);
    if (!text) {
        snprintf(err, errlen, "%s", flux_store_error(s));
        return -1;
    }
    flux_compilation c;
    char name[96];
    snprintf(name, sizeof name, "plan %.64s", plan_id);
    rc = flux_load_plan_text(&c, name, text, strlen(text), err, errlen);
    free(text);
    const flux_pipeline *p = rc == 0 ? flux_load_pipeline(&c, name, NULL, err, errlen) : NULL;
    if (p)
        flux_meta_of(p, m);
    flux_compilation_free(&c);
    return p ? 0 : -1;
}

static json_t *str_or_null(const char *v)
{
    return v ? json_string(v) : json_null();
}

void flux_meta_json(const flux_plan_meta *m, json_t *o)
{
    json_t *tags = m->tags ? json_loads(m->tags, 0, NULL) : NULL;
    json_object_set_new(o, "description", str_or_null(m->description));
    json_object_set_new(o, "owner", str_or_null(m->owner));
    json_object_set_new(o, "tags", json_is_array(tags) ? tags : json_array());
    if (tags && !json_is_array(tags))
        json_decref(tags);
}

bool flux_meta_has_tag(const flux_plan_meta *m, const char *tag)
{
    json_t *tags = m->tags ? json_loads(m->tags, 0, NULL) : NULL;
    bool has = false;
    size_t i;
    json_t *t;
    json_array_foreach(tags, i, t) has = has || (json_is_string(t) && !strcmp(json_string_value(t), tag));
    json_decref(tags);
    return has;
}
