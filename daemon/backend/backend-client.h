/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <systemd/sd-event.h>

#include "conf.h"

/* The CA backend of protocol v1 (doc/backend-protocol.md): JSON over
 * HTTPS on the event loop. https only, TLS >= 1.2 verified against the
 * configured CA file (and SPKI pin), no redirects, timeouts, a size cap per
 * call, an Idempotency-Key on every POST; idempotent calls are retried at
 * most 3 times with backoff on network failures and 5xx. The backend is
 * not trusted: callers validate every field they use (backend_json_*). */

typedef struct BackendClient BackendClient;
typedef struct BackendCall BackendCall;

/* What went wrong, for the caller's error message. */
typedef struct BackendError {
        long http_status;               /* 0: none came */
        char *code;                     /* the backend's error code, or NULL */
        char *message;                  /* never NULL after a failure */
        int attempts_left;              /* -1 when not given */
        int retry_after;                /* seconds, -1 when not given */
        unsigned waited_sec;            /* -ETIMEDOUT: the call's whole time */
} BackendError;

/* result: 0 with the JSON answer (object; owned by the callee, who must
 * json_incref to keep it); -EBADE: the backend refused (error filled);
 * -ETIMEDOUT: no answer within [Backend] TimeoutSec, all attempts
 * included (error->waited_sec); -ECONNREFUSED/-EHOSTUNREACH/-EPROTO/
 * -EFBIG/-EACCES: the backend could not be used (error->message says why).
 * A failure is logged with its real reason. The call is freed afterwards. */
typedef void (*BackendDone)(int result, json_t *answer, const BackendError *error, void *userdata);

int backend_client_new(sd_event *event, const BackendConfig *config, BackendClient **ret);
/* Calls still pending get done(-ECANCELED). */
BackendClient *backend_client_free(BackendClient *b);
/* Whether a backend is configured at all. */
bool backend_client_configured(const BackendClient *b);

/* method "GET", "POST" or "DELETE"; path below the base URL ("/v1/...");
 * token NULL or a session's bearer token; body (POST) is not stolen.
 * max_response caps the answer. GET and DELETE are idempotent; a POST is
 * retried only with its Idempotency-Key. */
int backend_call(BackendClient *b, const char *method, const char *path, const char *token,
                 json_t *body, size_t max_response, BackendDone done, void *userdata, BackendCall **ret);
/* Stops a pending call; done is not called. */
void backend_call_cancel(BackendCall *c);

/* Validation helpers for answers: each returns the value, or NULL/-1 when
 * the field is missing, of another type, too long, or out of range. */
const char *backend_json_string(json_t *o, const char *key, size_t max_len);

/* "PATH?NAME=VALUE" with VALUE percent-encoded (RFC 3986: all but the
 * unreserved characters), newly allocated; NULL on OOM. A card's serial
 * from a PKCS#11 token may hold any printable character. */
char *backend_query(const char *path, const char *name, const char *value);
/* A lowercase hex string of exactly len bytes (2*len characters). */
int backend_json_hex(json_t *o, const char *key, uint8_t *ret, size_t len);
long long backend_json_int(json_t *o, const char *key, long long min, long long max);
/* o as compact JSON text in a buffer of its own (jansson keeps no copy),
 * newly allocated; the caller wipes and frees it. NULL on OOM. */
char *backend_json_text(const json_t *o);
