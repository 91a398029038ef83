/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Method + path -> handler. Paths are split at '/'; anything not listed
 * is 404 not_found. */
#include "config.h"

#include <string.h>

#include "backend.h"

static bool is(char **parts, size_t n, size_t i, const char *s) {
        return i < n && streq(parts[i], s);
}

static bool kind_of(const char *s, SessionKind *ret) {
        if (streq(s, "unblock"))
                *ret = KIND_UNBLOCK;
        else if (streq(s, "cert"))
                *ret = KIND_CERT;
        else
                return false;
        return true;
}

const char *route_endpoint_name(const char *method, char **p, size_t n) {
        SessionKind kind;

        if (n < 2 || !streq(p[0], "v1"))
                return "other";
        if (n == 2 && streq(p[1], "meta"))
                return "meta";
        if (n == 2 && streq(p[1], "certificates"))
                return "certificates";
        if (n == 4 && streq(p[1], "certificates"))
                return streq(p[3], "suspend") ? "suspend" : streq(p[3], "resume") ? "resume" : "revoke";
        if (n >= 3 && kind_of(p[1], &kind) && streq(p[2], "sessions")) {
                if (n == 3)
                        return "sessions";
                if (n == 4)
                        return "session";
                if (n == 6 && streq(p[4], "second-factor"))
                        return streq(p[5], "verify") ? "verify" : "challenge";
                if (n == 5)
                        return p[4];
        }
        return "other";
}

static bool meta(const Request *q, Reply *r) {
        json_t *o = json_pack("{s:i, s:[s], s:[s, s]}", "protocol", 1, "algorithms", ALG_NAME,
                              "second_factors", "sms", "password");

        /* the portal, as data.json gives it (any JSON value: the tests
         * hand kartd a bad one too) */
        if (o && q->ctx->accounts.portal)
                json_object_set(o, "portal", q->ctx->accounts.portal);
        reply_json(r, 200, o);
        return true;
}

void route_request(Request *q, Reply *r) {
        char **p = q->parts;
        size_t n = q->n_parts;
        bool get = streq(q->method, "GET"), post = streq(q->method, "POST"), del = streq(q->method, "DELETE");
        SessionKind kind;

        if (!is(p, n, 0, "v1"))
                goto not_found;
        if (n == 2 && get && is(p, n, 1, "meta")) {
                meta(q, r);
                return;
        }
        if (n == 2 && get && is(p, n, 1, "certificates")) {
                handle_certificates_list(q, r);
                return;
        }
        if (n == 4 && post && is(p, n, 1, "certificates") &&
            (is(p, n, 3, "suspend") || is(p, n, 3, "resume") || is(p, n, 3, "revoke"))) {
                handle_certificate_op(q, r, p[2], p[3]);
                return;
        }
        if (n < 3 || !kind_of(p[1], &kind) || !is(p, n, 2, "sessions"))
                goto not_found;
        if (n == 3 && post) {
                if (kind == KIND_UNBLOCK)
                        handle_unblock_create(q, r);
                else
                        handle_cert_create(q, r);
                return;
        }
        if (n == 4 && get) {
                handle_session_get(q, r, kind, p[3]);
                return;
        }
        if (n == 4 && del) {
                handle_session_delete(q, r, kind, p[3]);
                return;
        }
        if (n == 6 && post && is(p, n, 4, "second-factor") && is(p, n, 5, "challenge")) {
                handle_second_factor_challenge(q, r, kind, p[3]);
                return;
        }
        if (n == 6 && post && is(p, n, 4, "second-factor") && is(p, n, 5, "verify")) {
                handle_second_factor_verify(q, r, kind, p[3]);
                return;
        }
        if (n == 5 && post && kind == KIND_UNBLOCK && is(p, n, 4, "authorizations")) {
                handle_authorizations(q, r, p[3]);
                return;
        }
        if (n == 5 && post && kind == KIND_UNBLOCK && is(p, n, 4, "result")) {
                handle_result(q, r, p[3]);
                return;
        }
not_found:
        reply_error(r, 404, "not_found", "no such resource");
}
