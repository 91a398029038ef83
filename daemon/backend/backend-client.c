/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "backend-client.h"
#include "ca-answers.h"
#include "hexutil.h"
#include "http.h"
#include "log.h"
#include "macro.h"

#define MAX_ATTEMPTS 3
#define BACKOFF_USEC (500 * 1000ULL)
/* An attempt that could not get this long before the deadline is not made. */
#define MIN_ATTEMPT_USEC (1000 * 1000ULL)

struct BackendClient {
        sd_event *event;
        HttpClient *http;
        BackendConfig config;   /* strings borrowed from the daemon's config */
        BackendCall *calls;     /* all pending, for backend_client_free() */
};

struct BackendCall {
        BackendClient *client;
        BackendCall *prev, *next;
        char *method, *url, *body, *token, *idempotency_key;
        size_t max_response;
        unsigned attempt;
        uint64_t deadline;              /* CLOCK_MONOTONIC: all attempts end by then */
        long last_status;               /* the last attempt's HTTP status, 0: none */
        HttpCall *http;
        sd_event_source *retry;
        BackendDone done;
        void *userdata;
};

static void call_free(BackendCall *c);
static void finish(BackendCall *c, int result, json_t *answer, BackendError *e);

int backend_client_new(sd_event *event, const BackendConfig *config, BackendClient **ret) {
        BackendClient *b = calloc(1, sizeof *b);
        int r;

        if (!b)
                return -ENOMEM;
        b->event = sd_event_ref(event);
        b->config = *config;
        r = http_client_new(event, NULL, &b->http);
        if (r < 0) {
                backend_client_free(b);
                return r;
        }
        *ret = b;
        return 0;
}

BackendClient *backend_client_free(BackendClient *b) {
        if (!b)
                return NULL;
        /* Calls nobody waits for any more (a cancel, a late report): their
         * done frees what they carry. */
        while (b->calls) {
                BackendError e = { .attempts_left = -1, .retry_after = -1, .message = strdup("kartd is stopping") };

                finish(b->calls, -ECANCELED, NULL, &e);
        }
        http_client_free(b->http);
        sd_event_unref(b->event);
        free(b);
        return NULL;
}

bool backend_client_configured(const BackendClient *b) {
        return b && b->config.url;
}

static void call_free(BackendCall *c) {
        if (c->prev)
                c->prev->next = c->next;
        else
                c->client->calls = c->next;
        if (c->next)
                c->next->prev = c->prev;
        http_call_cancel(c->http);
        sd_event_source_disable_unref(c->retry);
        free(c->method);
        free(c->url);
        if (c->body)
                explicit_bzero(c->body, strlen(c->body));       /* codes, passwords */
        free(c->body);
        if (c->token)
                explicit_bzero(c->token, strlen(c->token));
        free(c->token);
        free(c->idempotency_key);
        free(c);
}

void backend_call_cancel(BackendCall *c) {
        if (c)
                call_free(c);
}

static void error_done(BackendError *e) {
        free(e->code);
        free(e->message);
}

static void finish(BackendCall *c, int result, json_t *answer, BackendError *e) {
        if (result < 0 && !e->message)
                e->message = strdup("the backend could not be used");
        /* The real reason, for the administrator (the caller gets its own
         * words); a refusal the protocol defines is the caller's to tell. */
        if (result < 0 && result != -EBADE && result != -ECANCELED)
                log_warning("CA %s %s failed after %u attempt%s: %s.", c->method, c->url, c->attempt,
                            c->attempt == 1 ? "" : "s", strna(e->message));
        else if (result == -EBADE && e->http_status >= 500)
                log_warning("CA %s %s failed after %u attempt%s: HTTP %ld (%s).", c->method, c->url, c->attempt,
                            c->attempt == 1 ? "" : "s", e->http_status, strna(e->code));
        c->done(result, answer, e, c->userdata);
        error_done(e);
        call_free(c);
}

static int start_attempt(BackendCall *c);

static int on_retry(sd_event_source *s _unused_, uint64_t usec _unused_, void *userdata) {
        BackendCall *c = userdata;
        BackendError e = { .attempts_left = -1, .retry_after = -1 };
        int r;

        c->retry = sd_event_source_disable_unref(c->retry);
        r = start_attempt(c);
        if (r < 0) {
                e.message = strdup("out of memory");
                finish(c, r, NULL, &e);
        }
        return 0;
}

static uint64_t now_usec(BackendCall *c) {
        uint64_t now;

        return sd_event_now(c->client->event, CLOCK_MONOTONIC, &now) < 0 ? UINT64_MAX : now;
}

/* Network failure or 5xx: another try after a pause, if any is left and
 * the pause and a useful attempt fit before the deadline (not for an
 * answer too big or a server kartd does not trust). */
static bool retry_later(BackendCall *c) {
        uint64_t now = now_usec(c), at = now + (BACKOFF_USEC << (c->attempt - 1));

        if (c->attempt >= MAX_ATTEMPTS || now == UINT64_MAX || at + MIN_ATTEMPT_USEC > c->deadline)
                return false;
        return sd_event_add_time(c->client->event, &c->retry, CLOCK_MONOTONIC, at, 0, on_retry, c) >= 0;
}

static void on_http_done(int result, const HttpResponse *resp, const char *error, void *userdata) {
        BackendCall *c = userdata;
        BackendError e = { .attempts_left = -1, .retry_after = -1 };
        json_t *answer = NULL;
        json_error_t jerr;

        c->http = NULL;         /* freed by http.c after this returns */
        if (result < 0 || resp->status >= 500) {
                if (result < 0)
                        log_debug("Backend %s %s, attempt %u: %s", c->method, c->url, c->attempt, error);
                else
                        log_debug("Backend %s %s, attempt %u: HTTP %ld", c->method, c->url, c->attempt, resp->status);
                if (result != -EFBIG && result != -EACCES && retry_later(c))
                        return;
                if (result < 0) {
                        char buf[160];

                        /* Out of time (curl's timeout is the deadline's
                         * rest): said in kartd's words, with the step's
                         * whole time. */
                        if (result == -ETIMEDOUT || now_usec(c) >= c->deadline) {
                                snprintf(buf, sizeof buf, "no answer in %u s (%s)", c->client->config.timeout_sec,
                                         error);
                                e.waited_sec = c->client->config.timeout_sec;
                                result = -ETIMEDOUT;
                        } else
                                snprintf(buf, sizeof buf, "%s", error);
                        e.message = strdup(buf);
                        return finish(c, result, NULL, &e);
                }
        }
        if (resp->body_len > 0)
                answer = json_loadb((const char *) resp->body, resp->body_len, JSON_REJECT_DUPLICATES, &jerr);
        if (resp->status >= 200 && resp->status < 300 && (json_is_object(answer) || resp->status == 204)) {
                if (!answer)
                        answer = json_object();
                finish(c, 0, answer, &e);
        } else if (resp->status >= 400 && json_is_object(answer)) {
                ca_answer_error(answer, resp->status, &e);
                finish(c, -EBADE, NULL, &e);
        } else {
                char buf[128];

                snprintf(buf, sizeof buf, "the backend answered HTTP %ld %s", resp->status,
                         answer ? "with unexpected JSON" : "without a JSON object");
                e.http_status = resp->status;
                e.message = strdup(buf);
                finish(c, -EPROTO, NULL, &e);
        }
        json_decref(answer);
}

static int start_attempt(BackendCall *c) {
        BackendConfig *cfg = &c->client->config;
        char auth[600], idem[80];
        char *headers[4] = {};
        uint64_t now = now_usec(c);
        long left_ms = now < c->deadline ? (long) ((c->deadline - now + 999) / 1000) : 1;
        size_t n = 0;

        headers[n++] = (char *) "Kartd-Protocol: 1";
        if (c->token) {
                snprintf(auth, sizeof auth, "Authorization: Bearer %s", c->token);
                headers[n++] = auth;
        }
        if (c->idempotency_key) {
                snprintf(idem, sizeof idem, "Idempotency-Key: %s", c->idempotency_key);
                headers[n++] = idem;
        }
        HttpRequest req = {
                .method = c->method,
                .url = c->url,
                .content_type = c->body ? "application/json" : NULL,
                .body = (const uint8_t *) c->body,
                .body_len = c->body ? strlen(c->body) : 0,
                .accept = "application/json",
                .headers = headers,
                .max_response = c->max_response,
                .connect_timeout_ms = (unsigned) MIN((long) cfg->connect_timeout_sec * 1000, left_ms),
                .timeout_ms = (unsigned) left_ms,
                .https_only = true,
                .ca_file = cfg->ca_file,
                .pinned_key = cfg->pinned_key,
        };
        int r;

        c->attempt++;
        r = http_start(c->client->http, &req, on_http_done, c, &c->http);
        explicit_bzero(auth, sizeof auth);
        return r;
}

static char *random_key(void) {
        uint8_t b[16];

        if (RAND_bytes(b, sizeof b) != 1)
                return NULL;
        return hex_encode(b, sizeof b);
}

int backend_call(BackendClient *b, const char *method, const char *path, const char *token,
                 json_t *body, size_t max_response, BackendDone done, void *userdata, BackendCall **ret) {
        BackendCall *c;
        int r = 0;

        if (!backend_client_configured(b))
                return -ENOPKG;
        c = calloc(1, sizeof *c);
        if (!c)
                return -ENOMEM;
        *c = (BackendCall) { .client = b, .max_response = max_response, .done = done, .userdata = userdata,
                             .next = b->calls };
        if (b->calls)
                b->calls->prev = c;
        b->calls = c;
        c->method = strdup(method);
        /* One deadline for the step, retries included: a client's call
         * (busctl waits 25 s) gets kartd's answer, not its own timeout. */
        c->deadline = now_usec(c) + (uint64_t) b->config.timeout_sec * 1000000;
        if (asprintf(&c->url, "%s%s", b->config.url, path) < 0)
                c->url = NULL;
        if (body && !(c->body = backend_json_text(body)))
                r = -ENOMEM;
        if (token && !(c->token = strdup(token)))
                r = -ENOMEM;
        if (streq(method, "POST") && !(c->idempotency_key = random_key()))
                r = -ENOMEM;
        if (!c->method || !c->url)
                r = -ENOMEM;
        if (r >= 0)
                r = start_attempt(c);
        if (r < 0) {
                call_free(c);
                return r;
        }
        if (ret)
                *ret = c;
        return 0;
}

const char *backend_json_string(json_t *o, const char *key, size_t max_len) {
        json_t *v = json_object_get(o, key);

        if (!json_is_string(v) || json_string_length(v) > max_len ||
            strlen(json_string_value(v)) != json_string_length(v))      /* no NUL inside */
                return NULL;
        return json_string_value(v);
}

int backend_json_hex(json_t *o, const char *key, uint8_t *ret, size_t len) {
        const char *s = backend_json_string(o, key, 2 * len);

        if (!s || strlen(s) != 2 * len)
                return -EINVAL;
        for (const char *p = s; *p; p++)
                if (!strchr("0123456789abcdef", *p))
                        return -EINVAL;
        return hex_decode(s, ret, len) == (int) len ? 0 : -EINVAL;
}

long long backend_json_int(json_t *o, const char *key, long long min, long long max) {
        json_t *v = json_object_get(o, key);

        if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max)
                return -1;
        return json_integer_value(v);
}

char *backend_json_text(const json_t *o) {
        size_t n = json_dumpb(o, NULL, 0, JSON_COMPACT);
        char *text;

        if (n == 0 || n == SIZE_MAX || !(text = malloc(n + 1)))
                return NULL;
        if (json_dumpb(o, text, n, JSON_COMPACT) != n) {
                explicit_bzero(text, n);
                free(text);
                return NULL;
        }
        text[n] = '\0';
        return text;
}

char *backend_query(const char *path, const char *name, const char *value) {
        char *e = curl_easy_escape(NULL, value, 0), *url = NULL;

        if (!e)
                return NULL;
        if (asprintf(&url, "%s?%s=%s", path, name, e) < 0)
                url = NULL;
        curl_free(e);
        return url;
}
