/* http — the http operator: one request with libcurl, the status checked
 * against expected_status, the body shown in the log and handed downstream
 * as ::output body=... when it is short single-line text. */
#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "curltls.h"
#include "operators.h"
#include "opkit.h"
#include "utf8.h"

/* Bytes of body kept in memory for the log and the error snippet: the rest
 * is only counted, so a large allowed body costs no memory. */
#define SHOWN_MAX 65536
/* The longest body handed downstream as an output (a template value, not a
 * payload store). */
#define OUTPUT_MAX 4096
#define SNIPPET_MAX 300

typedef struct body {
    char *head; /* the first SHOWN_MAX bytes */
    size_t kept;
    curl_off_t total;
    curl_off_t max;
    bool too_large;
} body;

static size_t on_body(char *data, size_t size, size_t n, void *ud)
{
    body *b = ud;
    size_t len = size * n;
    if (b->total + (curl_off_t)len > b->max) {
        /* a short count makes libcurl abort the transfer right here */
        b->too_large = true;
        return 0;
    }
    b->total += (curl_off_t)len;
    size_t room = SHOWN_MAX - b->kept;
    size_t take = len < room ? len : room;
    memcpy(b->head + b->kept, data, take);
    b->kept += take;
    return len;
}

/* The URL to request: url itself when absolute, else joined to the
 * connection's URL (http://host:port/base) with exactly one '/'. NULL after
 * printing why. Caller frees. */
static char *target_url(const opkit_task *t, const flux_conn *c, const char *url)
{
    if (strstr(url, "://")) {
        if (strncmp(url, "http://", 7) && strncmp(url, "https://", 8)) {
            fprintf(stderr, "flux: http: url '%s' is neither http:// nor https://\n", url);
            return NULL;
        }
        return strdup(url);
    }
    if (!c) {
        fprintf(stderr,
                "flux: http: task '%s': url '%s' is relative but the task names no connection "
                "(give an absolute http:// URL or conn = \"NAME\")\n",
                t->task ? t->task : "?", url);
        return NULL;
    }
    char root[1024];
    const char *base = c->base ? c->base : "";
    if (strstr(base, "://")) {
        snprintf(root, sizeof root, "%s", base);
    } else {
        if (!c->host) {
            fprintf(stderr, "flux: http: connection '%s' (%s) names no host\n", c->name, c->origin);
            return NULL;
        }
        /* https when flux.yaml says `scheme: https` or the port is 443 */
        const char *scheme = c->port == 443 ? "https" : "http";
        for (size_t i = 0; i < c->nextra; i++)
            if (!strcmp(c->extra_keys[i], "scheme"))
                scheme = c->extra_vals[i];
        if (c->port)
            snprintf(root, sizeof root, "%s://%s:%d%s%s", scheme, c->host, c->port, *base == '/' ? "" : "/", base);
        else
            snprintf(root, sizeof root, "%s://%s%s%s", scheme, c->host, *base == '/' ? "" : "/", base);
    }
    size_t rl = strlen(root);
    while (rl && root[rl - 1] == '/')
        rl--;
    while (*url == '/')
        url++;
    size_t n = rl + 1 + strlen(url) + 1;
    char *out = malloc(n);
    if (out)
        snprintf(out, n, "%.*s/%s", (int)rl, root, url);
    return out;
}

/* The URL as shown in the log: without any user:password@ it may hold. */
static char *shown_url(const char *url)
{
    CURLU *u = curl_url();
    char *s = NULL;
    if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK) {
        curl_url_set(u, CURLUPART_USER, NULL, 0);
        curl_url_set(u, CURLUPART_PASSWORD, NULL, 0);
        char *cs = NULL;
        if (curl_url_get(u, CURLUPART_URL, &cs, 0) == CURLUE_OK) {
            s = strdup(cs);
            curl_free(cs);
        }
    }
    curl_url_cleanup(u);
    return s ? s : strdup("(the task's url)");
}

/* Is status among expected_status (a number or a list), or 2xx when the
 * task gives none? -1 after printing that expected_status is malformed. */
static int status_ok(const opkit_task *t, long status, char *want, size_t wantlen)
{
    json_t *e = opkit_field(t, "expected_status");
    if (!e || json_is_null(e)) {
        snprintf(want, wantlen, "2xx");
        return status >= 200 && status < 300;
    }
    json_t *one = json_is_array(e) ? NULL : e;
    size_t n = one ? 1 : json_array_size(e);
    size_t used = 0;
    want[0] = '\0';
    int hit = 0;
    for (size_t i = 0; i < n; i++) {
        json_t *v = one ? one : json_array_get(e, i);
        if (!json_is_integer(v)) {
            fprintf(stderr, "flux: http: expected_status must be a status code or a list of them\n");
            return -1;
        }
        long code = (long)json_integer_value(v);
        if (code == status)
            hit = 1;
        if (used < wantlen)
            used += (size_t)snprintf(want + used, wantlen - used, "%s%ld", i ? ", " : "", code);
    }
    return hit;
}

/* Rejects a header that would smuggle a line break into the request. */
static int add_headers(const opkit_task *t, struct curl_slist **list)
{
    json_t *h = opkit_field(t, "headers");
    if (!h || json_is_null(h))
        return 0;
    if (!json_is_object(h)) {
        fprintf(stderr, "flux: http: headers must be a map of names to strings\n");
        return -1;
    }
    const char *k;
    json_t *v;
    json_object_foreach(h, k, v)
    {
        char num[64];
        const char *s = json_string_value(v);
        if (!s && json_is_integer(v)) {
            snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v));
            s = num;
        }
        if (!s) {
            fprintf(stderr, "flux: http: header '%s' must be a string\n", k);
            return -1;
        }
        if (!*k || strpbrk(k, "\r\n: ") || strpbrk(s, "\r\n")) {
            fprintf(stderr, "flux: http: header '%s' has a name or value with a line break, colon or space\n", k);
            return -1;
        }
        size_t n = strlen(k) + strlen(s) + 3;
        char *line = malloc(n);
        if (!line)
            return -1;
        /* "Name;" is curl's way to send a header with an empty value */
        if (*s)
            snprintf(line, n, "%s: %s", k, s);
        else
            snprintf(line, n, "%s;", k);
        struct curl_slist *next = curl_slist_append(*list, line);
        free(line);
        if (!next)
            return -1;
        *list = next;
    }
    return 0;
}

/* The body in the log, each line behind "| " so that no line of it can be
 * read back as a report line (::output ...) of this task. */
static void show_body(const body *b)
{
    if (b->kept == 0)
        return;
    const char *p = b->head, *end = b->head + b->kept;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
        fputs("| ", stdout);
        fwrite(p, 1, len, stdout);
        putchar('\n');
        p += len + (nl ? 1 : 0);
    }
    if (b->total > (curl_off_t)b->kept)
        printf("flux: http: (body shown up to %d bytes of %lld)\n", SHOWN_MAX, (long long)b->total);
}

/* The body as an output when it is short single-line text: at most
 * OUTPUT_MAX bytes of valid UTF-8 with no control character, a single
 * trailing newline (or CRLF) aside. */
static void output_body(const body *b)
{
    if (b->total != (curl_off_t)b->kept || b->kept > OUTPUT_MAX + 2)
        return;
    size_t n = b->kept;
    if (n && b->head[n - 1] == '\n')
        n--;
    if (n && b->head[n - 1] == '\r')
        n--;
    if (n > OUTPUT_MAX)
        return;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)b->head[i];
        if ((ch < 0x20 && ch != '\t') || ch == 0x7f)
            return;
    }
    if (!flux_utf8_valid(b->head, n, NULL))
        return;
    opkit_output("body", "%.*s", (int)n, b->head);
}

/* A snippet of the body for an error message, on one line. */
static void snippet(const body *b, char *out, size_t outlen)
{
    size_t n = b->kept < SNIPPET_MAX ? b->kept : SNIPPET_MAX, j = 0;
    for (size_t i = 0; i < n && j + 1 < outlen; i++) {
        unsigned char ch = (unsigned char)b->head[i];
        out[j++] = ch < 0x20 || ch == 0x7f ? ' ' : (char)ch;
    }
    out[j] = '\0';
    if (b->kept > n && j + 4 < outlen)
        strcpy(out + j, "...");
}

/* The request on h: URL, limits and timeouts, headers, basic auth from the
 * connection, the method and its body. */
static void set_request(CURL *h, const char *full, char *errbuf, body *b, const flux_conn *c, const char *method,
                        const char *reqbody, struct curl_slist *headers)
{
    curl_easy_setopt(h, CURLOPT_URL, full);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, b);
    /* a declared Content-Length over the limit fails before any byte is read */
    curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)b->max);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "flux-http");
    if (headers)
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    if (c)
        curltls_ca(h, c->ca_file);
    if (c && c->user) {
        curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
        curl_easy_setopt(h, CURLOPT_USERNAME, c->user);
        curl_easy_setopt(h, CURLOPT_PASSWORD, c->password ? c->password : "");
    }
    if (!strcmp(method, "HEAD"))
        curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    else if (strcmp(method, "GET") && strcmp(method, "POST"))
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    if (reqbody) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(reqbody));
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, reqbody);
        if (!strcmp(method, "GET"))
            curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, "GET");
    } else if (!strcmp(method, "POST")) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)0);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, "");
    }
}

int op_run_http(const opkit_task *t)
{
    const char *url = opkit_need(t, "url");
    if (!url)
        return OPKIT_BAD_TASK;

    const flux_conn *c = NULL;
    if (opkit_str(t, "conn") && !(c = opkit_conn(t, "conn", "http")))
        return OPKIT_BAD_TASK;
    const char *method = opkit_str(t, "method");
    if (!method)
        method = "GET";
    json_t *bodyf = opkit_field(t, "body");
    const char *reqbody = json_string_value(bodyf);
    if (bodyf && !json_is_null(bodyf) && !reqbody) {
        fprintf(stderr, "flux: http: body must be a string\n");
        return OPKIT_BAD_TASK;
    }
    int64_t max = opkit_int(t, "max_response_size", 1048576);
    if (max < 0) {
        fprintf(stderr, "flux: http: max_response_size must not be negative\n");
        return OPKIT_BAD_TASK;
    }
    char want[256];
    if (status_ok(t, 200, want, sizeof want) < 0)
        return OPKIT_BAD_TASK;

    char *full = target_url(t, c, url);
    if (!full)
        return OPKIT_BAD_TASK;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        fputs("flux: http: cannot start libcurl\n", stderr);
        free(full);
        return OPKIT_FAILED;
    }
    char *shown = shown_url(full);
    struct curl_slist *headers = NULL;
    body b = {.head = malloc(SHOWN_MAX), .max = max};
    CURL *h = NULL;
    int rc = OPKIT_FAILED;
    if (!b.head || !shown) {
        fputs("flux: http: out of memory\n", stderr);
        goto done;
    }
    if (add_headers(t, &headers) != 0) {
        rc = OPKIT_BAD_TASK;
        goto done;
    }
    if (!(h = curl_easy_init())) {
        fputs("flux: http: cannot start libcurl\n", stderr);
        goto done;
    }
    char errbuf[CURL_ERROR_SIZE] = "";
    set_request(h, full, errbuf, &b, c, method, reqbody, headers);

    CURLcode cr = curl_easy_perform(h);
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    if (b.too_large || cr == CURLE_FILESIZE_EXCEEDED) {
        fprintf(stderr,
                "flux: http: %s %s: the response body is larger than max_response_size (%lld bytes); "
                "the transfer was stopped (status %ld)\n",
                method, shown, (long long)max, status);
        goto done;
    }
    if (cr != CURLE_OK) {
        fprintf(stderr, "flux: http: %s %s failed: %s%s%s\n", method, shown, curl_easy_strerror(cr),
                *errbuf ? ": " : "", errbuf);
        goto done;
    }
    printf("flux: http: %s %s: status %ld, %lld bytes\n", method, shown, status, (long long)b.total);
    show_body(&b);
    opkit_output("status", "%ld", status);
    int ok = status_ok(t, status, want, sizeof want);
    if (ok != 1) {
        char snip[SNIPPET_MAX + 8];
        snippet(&b, snip, sizeof snip);
        fprintf(stderr, "flux: http: %s %s returned status %ld, expected %s%s%s\n", method, shown, status, want,
                *snip ? "; the body begins: " : " (empty body)", snip);
        goto done;
    }
    output_body(&b);
    rc = OPKIT_OK;
done:
    if (h)
        curl_easy_cleanup(h);
    curl_slist_free_all(headers);
    free(b.head);
    free(shown);
    free(full);
    curl_global_cleanup();
    return rc;
}
