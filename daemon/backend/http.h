/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <systemd/sd-event.h>

/* HTTP(S) requests over libcurl's multi interface, driven by sd-event io
 * and timer sources: nothing here ever blocks the loop. Only http and
 * https, no redirects, no proxy unless one is configured, TLS >= 1.2 with
 * peer and host verification, a cap on the response size. */

typedef struct HttpClient HttpClient;
typedef struct HttpCall HttpCall;

typedef struct HttpRequest {
        const char *method;             /* NULL: GET, or POST when content_type is set */
        const char *url;
        const char *content_type;       /* of body; NULL: no body */
        const uint8_t *body;
        size_t body_len;
        const char *accept;             /* NULL: no Accept header */
        char **headers;                 /* more "Name: value" lines, NULL-terminated; may be NULL */
        size_t max_response;            /* bytes; a larger answer fails with -EFBIG */
        unsigned connect_timeout_ms, timeout_ms;
        bool https_only;
        const char *ca_file;            /* NULL: the system's trust store */
        const char *pinned_key;         /* NULL, or CURLOPT_PINNEDPUBLICKEY ("sha256//BASE64") */
} HttpRequest;

typedef struct HttpResponse {
        long status;                    /* HTTP status, 0 when none came */
        const char *content_type;       /* NULL when none */
        const uint8_t *body;
        size_t body_len;
} HttpResponse;

/* result: 0 (any HTTP status; see response->status), or -ETIMEDOUT,
 * -ECONNREFUSED, -EHOSTUNREACH, -EFBIG (answer too large), -EACCES (the
 * server's certificate or key is not the trusted one), -EPROTO (other
 * transfer failure). error is curl's words for the failure, never NULL.
 * The call is freed after done returns. */
typedef void (*HttpDone)(int result, const HttpResponse *response, const char *error, void *userdata);

int http_client_new(sd_event *event, const char *proxy, HttpClient **ret);
/* Cancels every pending call without calling its done. */
HttpClient *http_client_free(HttpClient *h);

/* Starts a request; done is called on the loop, never from within this
 * call. *ret (optional) may be given to http_call_cancel() until done runs. */
int http_start(HttpClient *h, const HttpRequest *req, HttpDone done, void *userdata, HttpCall **ret);
/* Stops a pending call; done is not called. */
void http_call_cancel(HttpCall *call);
