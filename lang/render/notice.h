/* notice — what a notification says: the document every notifier gets
 * (a webhook's JSON body, a command's stdin, an email's body) and a
 * notifier's text template rendered against it.
 *
 * The template is checked at compile time by rendering it against a
 * sample document, so an unknown name is reported with did-you-mean at its
 * place in flux.yaml, exactly as a task's template is.
 */
#ifndef FLUX_NOTICE_H
#define FLUX_NOTICE_H

#include <stdint.h>

#include "arena.h"
#include "ast.h"
#include "diag.h"

typedef struct flux_notice_doc {
    const char *event;        /* failure, retry, success, deadline_miss */
    const char *pipeline, *run_id, *logical_date, *task; /* task NULL: the whole run (a pipeline's deadline) */
    int try_number;           /* 0 when no try */
    const char *state;        /* the state recorded */
    const char *note;         /* NULL when none */
    double duration_s;        /* of the try, or of the run so far; < 0 when unknown */
    const char *log;          /* the log's last lines, masked; NULL when none */
    const char *web_url;      /* a link to the run in the web UI, NULL when web_url is not set */
    const char *key;          /* the idempotency key */
} flux_notice_doc;

/* The document as one JSON object, its "text" member the rendered
 * template (or a default line) when text is not NULL. */
void flux_notice_json(const flux_notice_doc *d, const char *text, flux_buf *out);
/* The default text: "pipeline p run R: task t failed (try 2): note". */
void flux_notice_default_text(const flux_notice_doc *d, flux_buf *out);
/* The template against d: 0, or -1 with diagnostics in diags. */
int flux_notice_render(flux_arena *a, flux_diags *diags, const flux_tstr *t, const flux_notice_doc *d, flux_buf *out);
/* Renders t against a sample document, reporting into diags: compile time. */
void flux_notice_check(flux_arena *a, flux_diags *diags, const flux_tstr *t);

#endif
