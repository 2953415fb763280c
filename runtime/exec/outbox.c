/* outbox — notifications sent from the store by the owner of their run.
 *
 * A transition that notifies writes its notices in its own transaction
 * (flux_outbox_notices builds them; store_tis writes them). A timer, woken
 * at once by such a transition, reads the notices due, claims each with an
 * attempt token (the store lets one claimant have it; a claim is taken
 * over only when older than the notifier's dedupe window, so a sender that
 * died mid-send is not doubled within it), builds the document from the
 * store and the log's last lines, and sends it on libuv's work queue
 * (libcurl for webhooks and SMTP, a process for commands) so no send
 * stalls the loop. The result is written by the claim's holder only:
 * sent, or the error and the next attempt after a doubling backoff, or
 * failed after the notifier's max_attempts. Every send carries the
 * notice's idempotency key (in the document and as Idempotency-Key), so
 * a receiver drops the one repeat a crash in the middle of a send can
 * cause after the window.
 */
#define _GNU_SOURCE /* memmem, pipe2 */
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "alloc.h"
#include "clock.h"
#include "curltls.h"
#include "exec_int.h"
#include "isotime.h"
#include "notice.h"
#include "sha256.h"

extern char **environ;

#define LOG_LINES 20
#define LOG_READ (64 * 1024) /* the tail read: 20 lines of at most this much */
#define BACKOFF_MAX_MS (5 * 60 * 1000)
#define TICK_MS 1000

typedef struct job {
    uv_work_t w;
    flux_executor *ex;
    const flux_notifier *n;
    int64_t id;
    int attempts;
    char token[300];
    char key[81];
    char *json;     /* the document */
    char *text;     /* the rendered template or the default line */
    char *subject;  /* email */
    bool ok;
    char err[512];
    struct job *next;
} job;

struct ex_outbox {
    uv_timer_t timer;
    bool timer_init;
    uint64_t serial;  /* of attempt tokens */
    job *inflight;    /* being sent */
    bool unsettled;   /* at the last look, some of mine were pending */
};

/* ---- the notices of a transition ---- */

static const char *event_of(flux_ti_state st, const char **list)
{
    switch (st) {
    case FLUX_TI_FAILED: *list = "on_failure"; return "failure";
    case FLUX_TI_UP_FOR_RETRY: *list = "on_retry"; return "retry";
    case FLUX_TI_SUCCESS: *list = "on_success"; return "success";
    default: return NULL;
    }
}

void flux_outbox_key(const char *pipeline, const char *run_id, const char *task, int try_number, const char *event,
                     const char *notifier, char out[81])
{
    flux_buf b = {0};
    flux_buf_printf(&b, "%s\n%s\n%s\n%d\n%s\n%s", pipeline, run_id, task ? task : "", try_number, event, notifier);
    char hex[65];
    flux_sha256_hex(b.data, b.len, hex);
    flux_buf_free(&b);
    snprintf(out, 81, "flux-%s", hex);
}

void flux_exec_notice_key(const char *pipeline, const char *run_id, const char *task, int try_number,
                          const char *event, const char *notifier, char out[81])
{
    flux_outbox_key(pipeline, run_id, task, try_number, event, notifier, out);
}

size_t flux_outbox_notices(ex_task *k, flux_ti_state st, flux_notice *v, char (*keys)[81], size_t cap)
{
    const char *list = NULL;
    const char *event = event_of(st, &list);
    const flux_field *f = event ? flux_attr_field(&k->t->attrs, list) : NULL;
    if (!f || f->kind != FLUX_F_LIST)
        return 0;
    size_t n = 0;
    for (size_t i = 0; i < f->u.list.n && n < cap; i++) {
        const flux_field *e = &f->u.list.v[i];
        if (e->kind != FLUX_F_STRING)
            continue;
        flux_outbox_key(k->run->row.pipeline, k->run->row.run_id, k->t->id, k->try_number, event, e->u.str.s, keys[n]);
        v[n] = (flux_notice){.notifier = e->u.str.s, .event = event, .key = keys[n]};
        n++;
    }
    if (n)
        flux_outbox_kick(k->run->ex);
    return n;
}

/* ---- the document ---- */

static char *xprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *xprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = flux_xvasprintf(fmt, ap);
    va_end(ap);
    return s;
}

/* the log's last LOG_LINES lines, at most LOG_READ bytes of it */
static char *log_tail(const char *path)
{
    if (!path || !*path)
        return NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return NULL;
    struct stat sb;
    char *buf = NULL;
    if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode)) {
        off_t from = sb.st_size > LOG_READ ? sb.st_size - LOG_READ : 0;
        buf = flux_xmalloc(LOG_READ + 1);
        ssize_t got = pread(fd, buf, LOG_READ, from);
        size_t len = got > 0 ? (size_t)got : 0;
        while (len && buf[len - 1] == '\n')
            len--;
        size_t start = len;
        int lines = 0;
        while (start > 0 && lines < LOG_LINES) {
            start--;
            if (buf[start] == '\n' && ++lines == LOG_LINES) {
                start++;
                break;
            }
        }
        memmove(buf, buf + start, len - start);
        buf[len - start] = '\0';
    }
    close(fd);
    return buf;
}

/* every secret flux knows of, by value: connections' passwords and
 * notifiers' secrets (the log was masked by flux-wrap already; a note or a
 * template's text may hold one another way) */
static void mask(const flux_conns *cs, flux_buf *b)
{
    for (size_t i = 0; cs && i < cs->n + cs->nnotifiers; i++) {
        const char **sv;
        size_t ns;
        const char *one[1];
        if (i < cs->n) {
            one[0] = cs->v[i].password;
            sv = one, ns = one[0] ? 1 : 0;
        } else {
            sv = cs->notifiers[i - cs->n].secrets, ns = cs->notifiers[i - cs->n].nsecrets;
        }
        for (size_t j = 0; j < ns; j++) {
            size_t len = strlen(sv[j]);
            if (len < 3)
                continue; /* masking "a" would garble everything */
            for (char *p = b->data; b->data && (p = memmem(p, b->len - (size_t)(p - b->data), sv[j], len));) {
                size_t at = (size_t)(p - b->data);
                flux_buf r = {0};
                flux_buf_put(&r, b->data, at);
                flux_buf_puts(&r, "***");
                flux_buf_put(&r, b->data + at + len, b->len - at - len);
                flux_buf_free(b);
                *b = r;
                p = b->data + at + 3;
            }
        }
    }
}

static char *masked(const flux_conns *cs, const char *s)
{
    if (!s)
        return NULL;
    flux_buf b = {0};
    flux_buf_puts(&b, s);
    mask(cs, &b);
    char *out = flux_xstrdup(flux_buf_cstr(&b));
    flux_buf_free(&b);
    return out;
}

static int build(flux_executor *ex, const flux_notice_row *r, const flux_notifier *n, job *j)
{
    flux_ti_row *tis = NULL, *ti = NULL;
    size_t nt = 0;
    if (r->ti && flux_store_list_tis(ex->store, r->run, &tis, &nt) == 0)
        for (size_t i = 0; i < nt; i++)
            if (tis[i].id == r->ti)
                ti = &tis[i];
    char date[64];
    flux_time_iso_into(r->logical_date, 0, date, sizeof date);
    char *note = masked(ex->o.conns, ti && ti->note ? ti->note : r->note);
    char *log = ti ? log_tail(ti->log_path) : NULL;
    char *mlog = masked(ex->o.conns, log);
    free(log);
    const char *web = ex->o.conns ? ex->o.conns->web_url : NULL;
    char *link = NULL;
    if (web) {
        size_t wl = strlen(web);
        link = xprintf("%s%sruns/%s/%s", web, wl && web[wl - 1] == '/' ? "" : "/", r->pipeline, r->run_id);
    }
    flux_notice_doc d = {.event = r->event, .pipeline = r->pipeline, .run_id = r->run_id, .logical_date = date,
                         .task = r->task[0] ? r->task : NULL, .try_number = r->try_number,
                         .state = ti ? flux_ti_state_name(ti->state) : !strcmp(r->event, "deadline_miss") ? "missed" : NULL,
                         .note = note, .duration_s = ti && ti->started && ti->ended ? (ti->ended - ti->started) / 1000.0 : -1,
                         .log = mlog, .web_url = link, .key = r->key};
    flux_buf text = {0};
    int rc = 0;
    if (n->template_parsed) {
        flux_arena *a = flux_arena_new();
        flux_sources srcs;
        flux_sources_init(&srcs);
        flux_diags dg;
        flux_diags_init(&dg, &srcs);
        if (flux_notice_render(a, &dg, n->template_parsed, &d, &text) != 0) {
            snprintf(j->err, sizeof j->err, "the template of notifier '%s' did not render%s%s", n->name,
                     dg.n ? ": " : "", dg.n ? dg.v[0]->msg : "");
            rc = -1;
        }
        flux_diags_free(&dg);
        flux_sources_free(&srcs);
        flux_arena_free(a);
    } else {
        flux_notice_default_text(&d, &text);
    }
    mask(ex->o.conns, &text);
    flux_buf doc = {0};
    flux_notice_json(&d, flux_buf_cstr(&text), &doc);
    j->json = flux_xstrdup(flux_buf_cstr(&doc));
    j->text = flux_xstrdup(flux_buf_cstr(&text));
    flux_buf subj = {0};
    flux_buf_printf(&subj, "[flux] %s %s%s%s: %s", r->pipeline, r->task[0] ? r->task : "", r->task[0] ? " " : "",
                    r->event, r->run_id);
    j->subject = flux_xstrdup(flux_buf_cstr(&subj));
    flux_buf_free(&subj);
    flux_buf_free(&doc);
    flux_buf_free(&text);
    free(note);
    free(mlog);
    free(link);
    flux_ti_rows_free(tis, nt);
    return rc;
}

/* ---- sending, on a worker thread ---- */

static size_t discard(char *p, size_t size, size_t n, void *ud)
{
    (void)p, (void)ud;
    return size * n;
}

/* a notifier's ca_file (curltls.h); detail gets libcurl's own words for a
 * failure (CURL_ERROR_SIZE bytes) */
static void trust(CURL *c, const flux_notifier *n, char *detail)
{
    detail[0] = '\0';
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, detail);
    curltls_ca(c, n->ca_file);
}

/* why a send failed: libcurl's name for the error, and for a refused TLS
 * server what to fix. libcurl's own detail is taken only where it names no
 * host (OpenSSL's verdict on the certificate, "STARTTLS not supported."):
 * others say "in connection to HOST:PORT", and a notifier's URL, host
 * included, may be a secret */
static void curl_failure(job *j, CURLcode rc, const char *detail)
{
    const char *why = NULL;
    if (!strncmp(detail, "SSL certificate problem: ", 25) || !strcmp(detail, "STARTTLS not supported."))
        why = detail;
    else if (strstr(detail, "subject name matches target host name") || strstr(detail, "SSL: certificate subject name"))
        why = "the certificate is not for the host of the notifier's URL";
    if (why)
        snprintf(j->err, sizeof j->err, "%s: %s", curl_easy_strerror(rc), why);
    else
        snprintf(j->err, sizeof j->err, "%s", curl_easy_strerror(rc));
}

static void send_webhook(job *j)
{
    const flux_notifier *n = j->n;
    CURL *c = curl_easy_init();
    if (!c) {
        snprintf(j->err, sizeof j->err, "libcurl could not start");
        return;
    }
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    char line[600];
    snprintf(line, sizeof line, "Idempotency-Key: %s", j->key);
    h = curl_slist_append(h, line);
    for (size_t i = 0; i < n->nheaders; i++) {
        char *hl = xprintf("%s: %s", n->header_keys[i], n->header_vals[i]);
        h = curl_slist_append(h, hl);
        free(hl);
    }
    curl_easy_setopt(c, CURLOPT_URL, n->url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, j->json);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(j->json));
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)n->timeout_ms);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    char detail[CURL_ERROR_SIZE];
    trust(c, n, detail);
    CURLcode rc = curl_easy_perform(c);
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    if (rc != CURLE_OK)
        curl_failure(j, rc, detail); /* never the URL: it may be a secret */
    else if (status < 200 || status > 299)
        snprintf(j->err, sizeof j->err, "the receiver answered HTTP %ld", status);
    else
        j->ok = true;
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
}

typedef struct upload {
    const char *p;
    size_t left;
} upload;

static size_t read_mail(char *buf, size_t size, size_t n, void *ud)
{
    upload *u = ud;
    size_t k = size * n < u->left ? size * n : u->left;
    memcpy(buf, u->p, k);
    u->p += k;
    u->left -= k;
    return k;
}

static void send_email(job *j)
{
    const flux_notifier *n = j->n;
    CURL *c = curl_easy_init();
    if (!c) {
        snprintf(j->err, sizeof j->err, "libcurl could not start");
        return;
    }
    flux_buf m = {0};
    flux_buf_printf(&m, "From: %s\r\nTo: ", n->from);
    for (size_t i = 0; i < n->nto; i++)
        flux_buf_printf(&m, "%s%s", i ? ", " : "", n->to[i]);
    flux_buf_printf(&m, "\r\nSubject: %s\r\nMessage-ID: <%s@flux>\r\nIdempotency-Key: %s\r\n"
                    "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n",
                    j->subject, j->key, j->key);
    /* the body: the text, then the document; a line "." would end it early in
     * SMTP, which libcurl escapes */
    flux_buf_printf(&m, "%s\r\n\r\n%s\r\n", j->text, j->json);
    upload u = {m.data, m.len};
    struct curl_slist *rcpt = NULL;
    for (size_t i = 0; i < n->nto; i++)
        rcpt = curl_slist_append(rcpt, n->to[i]);
    curl_easy_setopt(c, CURLOPT_URL, n->url);
    curl_easy_setopt(c, CURLOPT_MAIL_FROM, n->from);
    curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, read_mail);
    curl_easy_setopt(c, CURLOPT_READDATA, &u);
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)n->timeout_ms);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    char detail[CURL_ERROR_SIZE];
    trust(c, n, detail);
    if (!strncmp(n->url, "smtp://", 7) && n->starttls)
        curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
    if (n->user)
        curl_easy_setopt(c, CURLOPT_USERNAME, n->user);
    if (n->password)
        curl_easy_setopt(c, CURLOPT_PASSWORD, n->password);
    CURLcode rc = curl_easy_perform(c);
    if (rc != CURLE_OK)
        curl_failure(j, rc, detail);
    else
        j->ok = true;
    curl_slist_free_all(rcpt);
    curl_easy_cleanup(c);
    flux_buf_free(&m);
}

/* the document on the command's stdin; its key in FLUX_NOTIFY_KEY too */
static void send_command(job *j)
{
    const flux_notifier *n = j->n;
    int in[2];
    if (pipe2(in, O_CLOEXEC) != 0) {
        snprintf(j->err, sizeof j->err, "pipe: %s", strerror(errno));
        return;
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in[0], 0);
    posix_spawnattr_t at;
    posix_spawnattr_init(&at);
    posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP);
    size_t ne = 0;
    while (environ[ne])
        ne++;
    char **env = flux_xcalloc(ne + 2, sizeof *env);
    size_t k = 0;
    for (size_t i = 0; i < ne; i++)
        if (strncmp(environ[i], "FLUX_NOTIFY_KEY=", 16))
            env[k++] = environ[i];
    char *keyvar = xprintf("FLUX_NOTIFY_KEY=%s", j->key);
    env[k++] = keyvar;
    char **argv = flux_xcalloc(n->nargv + 1, sizeof *argv);
    for (size_t i = 0; i < n->nargv; i++)
        argv[i] = (char *)n->argv[i];
    pid_t pid;
    int e = posix_spawnp(&pid, argv[0], &fa, &at, argv, env);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    free(argv);
    free(env);
    free(keyvar);
    close(in[0]);
    if (e != 0) {
        close(in[1]);
        snprintf(j->err, sizeof j->err, "cannot run %s: %s", n->argv[0], strerror(e));
        return;
    }
    signal(SIGPIPE, SIG_IGN); /* a command that does not read its stdin */
    const char *p = j->json;
    size_t left = strlen(p);
    while (left) {
        ssize_t w = write(in[1], p, left);
        if (w <= 0)
            break;
        p += w, left -= (size_t)w;
    }
    close(in[1]);
    int64_t until = flux_clock_mono_ms() + j->n->timeout_ms;
    int st = 0;
    pid_t got;
    while ((got = waitpid(pid, &st, WNOHANG)) == 0 && flux_clock_mono_ms() < until)
        poll(NULL, 0, 10);
    if (got == 0) {
        kill(-pid, SIGKILL);
        waitpid(pid, &st, 0);
        snprintf(j->err, sizeof j->err, "%s did not end within %lld ms", n->argv[0], (long long)n->timeout_ms);
    } else if (WIFEXITED(st) && WEXITSTATUS(st) == 0) {
        j->ok = true;
    } else if (WIFEXITED(st)) {
        snprintf(j->err, sizeof j->err, "%s exited with status %d", n->argv[0], WEXITSTATUS(st));
    } else {
        snprintf(j->err, sizeof j->err, "%s was killed by signal %d", n->argv[0], WTERMSIG(st));
    }
}

static void work(uv_work_t *w)
{
    job *j = w->data;
    if (j->err[0])
        return; /* the document could not be built: said so */
    if (j->n->unresolved) {
        snprintf(j->err, sizeof j->err, "%s", j->n->unresolved);
        return;
    }
    switch (j->n->type) {
    case FLUX_NOTIFIER_WEBHOOK: send_webhook(j); break;
    case FLUX_NOTIFIER_EMAIL: send_email(j); break;
    case FLUX_NOTIFIER_COMMAND: send_command(j); break;
    }
}

/* ---- on the loop ---- */

static void job_free(job *j)
{
    free(j->json);
    free(j->text);
    free(j->subject);
    free(j);
}

static void after_work(uv_work_t *w, int status)
{
    job *j = w->data;
    flux_executor *ex = j->ex;
    ex_outbox *o = ex->outbox;
    for (job **pp = &o->inflight; *pp; pp = &(*pp)->next)
        if (*pp == j) {
            *pp = j->next;
            break;
        }
    int64_t now = flux_clock_wall_ms();
    if (status == UV_ECANCELED)
        snprintf(j->err, sizeof j->err, "not sent: flux stopped");
    int rc;
    if (j->ok) {
        rc = flux_store_notice_sent(ex->store, j->id, j->token, now);
    } else {
        int64_t wait = 1000;
        for (int i = 1; i < j->attempts && wait < BACKOFF_MAX_MS; i++)
            wait *= 2;
        if (wait > BACKOFF_MAX_MS)
            wait = BACKOFF_MAX_MS;
        bool give_up = j->attempts >= j->n->max_attempts;
        rc = flux_store_notice_failed(ex->store, j->id, j->token, j->err, now + wait, give_up);
    }
    if (rc != 0)
        fprintf(stderr, "flux: notification %s: %s\n", j->key, flux_store_error(ex->store));
    job_free(j);
    flux_outbox_kick(ex);
}

static bool inflight(const ex_outbox *o, int64_t id)
{
    for (const job *j = o->inflight; j; j = j->next)
        if (j->id == id)
            return true;
    return false;
}

/* one look at the store: what is due is claimed and handed to a worker */
static void look(flux_executor *ex)
{
    ex_outbox *o = ex->outbox;
    int64_t now = flux_clock_wall_ms();
    flux_notice_row *rows = NULL;
    size_t n = 0;
    /* everything pending of mine (due or not) keeps a runner's drain going */
    const char *owner = ex->o.service ? NULL : ex->owner.id;
    /* only a committed transition is notified */
    if (!flux_exec_flush(ex)) {
        o->unsettled = o->inflight != NULL;
        return;
    }
    if (flux_store_due_notices(ex->store, owner, INT64_MAX, &rows, &n) != 0) {
        o->unsettled = o->inflight != NULL;
        return;
    }
    o->unsettled = n > 0 || o->inflight;
    for (size_t i = 0; i < n; i++) {
        flux_notice_row *r = &rows[i];
        if (r->next_at > now || inflight(o, r->id))
            continue;
        const flux_notifier *nf = flux_conns_notifier(ex->o.conns, r->notifier);
        char token[300];
        snprintf(token, sizeof token, "%s:%llu", ex->owner.id, (unsigned long long)++o->serial);
        int64_t dedupe = nf ? nf->dedupe_ms : 600000;
        if (r->claim[0] && r->claimed_at > now - dedupe)
            continue; /* another sender has it, or had it within the window: not twice */
        bool claimed = false;
        if (flux_store_claim_notice(ex->store, r->id, token, now, now - dedupe, &claimed) != 0 || !claimed)
            continue;
        if (!nf) { /* flux.yaml lost it since: said once, not retried */
            char why[400];
            snprintf(why, sizeof why, "notifier '%s' is not in flux.yaml", r->notifier);
            flux_store_notice_failed(ex->store, r->id, token, why, now, true);
            continue;
        }
        job *j = flux_xcalloc(1, sizeof *j);
        j->ex = ex;
        j->n = nf;
        j->id = r->id;
        j->attempts = r->attempts + 1;
        snprintf(j->token, sizeof j->token, "%s", token);
        snprintf(j->key, sizeof j->key, "%s", r->key);
        build(ex, r, nf, j);
        /* the claim durable before the send */
        if (!flux_exec_flush(ex)) {
            job_free(j);
            break;
        }
        j->w.data = j;
        j->next = o->inflight;
        o->inflight = j;
        uv_queue_work(&ex->loop, &j->w, work, after_work);
    }
    flux_notice_rows_free(rows, n);
}

static void on_tick(uv_timer_t *t)
{
    look(t->data);
}

void flux_outbox_start(flux_executor *ex)
{
    if (!ex->outbox) {
        ex->outbox = flux_xcalloc(1, sizeof *ex->outbox);
        curl_global_init(CURL_GLOBAL_DEFAULT); /* before any worker thread uses libcurl */
    }
    ex_outbox *o = ex->outbox;
    if (!o->timer_init) {
        uv_timer_init(&ex->loop, &o->timer);
        o->timer.data = ex;
        o->timer_init = true;
    }
    uv_timer_start(&o->timer, on_tick, 0, TICK_MS);
}

void flux_outbox_kick(flux_executor *ex)
{
    if (ex->outbox && ex->outbox->timer_init)
        uv_timer_start(&ex->outbox->timer, on_tick, 0, TICK_MS);
}

void flux_outbox_drain(flux_executor *ex, int64_t limit_ms)
{
    if (!ex->outbox)
        return;
    ex_outbox *o = ex->outbox;
    int64_t until = flux_clock_mono_ms() + limit_ms;
    look(ex);
    while ((o->unsettled || o->inflight) && (flux_clock_mono_ms() < until || o->inflight)) {
        uv_run(&ex->loop, UV_RUN_ONCE);
    }
    uv_timer_stop(&o->timer);
}

void flux_outbox_free(flux_executor *ex)
{
    free(ex->outbox);
    ex->outbox = NULL;
}
