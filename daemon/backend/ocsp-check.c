/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <stdlib.h>
#include <time.h>

#include <openssl/err.h>

#include "http.h"
#include "log.h"
#include "macro.h"
#include "ocsp-check.h"

/* How long an "unknown" is kept before the next look. */
#define UNKNOWN_KEEP_SEC 60

struct OcspChecker {
        HttpClient *http;
        OcspTrust *trust;
        OcspConfig config;      /* the strings are borrowed from the daemon's config */
};

struct OcspCheck {
        OcspChecker *checker;
        OcspQuery *query;
        HttpCall *call;
        char *url;
        OcspCheckDone done;
        void *userdata;
};

int ocsp_checker_new(sd_event *event, const OcspConfig *config, OcspChecker **ret) {
        OcspChecker *k = calloc(1, sizeof *k);
        int r;

        if (!k)
                return -ENOMEM;
        k->config = *config;
        r = http_client_new(event, config->proxy, &k->http);
        if (r >= 0)
                r = ocsp_trust_load(config->trust_file, config->trust_dir, &k->trust);
        if (r < 0) {
                ocsp_checker_free(k);
                return r;
        }
        *ret = k;
        return 0;
}

OcspChecker *ocsp_checker_free(OcspChecker *k) {
        if (!k)
                return NULL;
        http_client_free(k->http);
        ocsp_trust_free(k->trust);
        free(k);
        return NULL;
}

static void check_free(OcspCheck *c) {
        ocsp_query_free(c->query);
        free(c->url);
        free(c);
}

static void finish(const OcspChecker *k, OcspCheckResult *res) {
        uint64_t now = (uint64_t) time(NULL);

        if (res->r.status == KART_CERT_STATUS_UNKNOWN && !res->r.detail)
                ocsp_result_unknown(&res->r, "no answer");
        if (res->r.status == KART_CERT_STATUS_UNKNOWN)
                res->valid_until = now + UNKNOWN_KEEP_SEC;
        else
                res->valid_until = res->r.next_update ?: now + k->config.cache_sec;
}

static void on_http_done(int result, const HttpResponse *resp, const char *error, void *userdata) {
        OcspCheck *c = userdata;
        OcspChecker *k = c->checker;
        OcspCheckResult res = {};

        if (result < 0)
                ocsp_result_unknown(&res.r, "the OCSP responder %s could not be reached: %s", c->url, error);
        else if (resp->status != 200)
                ocsp_result_unknown(&res.r, "the OCSP responder %s answered HTTP %ld", c->url, resp->status);
        else
                ocsp_query_judge(c->query, resp->body, resp->body_len, k->trust,
                                 (long) k->config.skew_sec, (long) MAX(k->config.cache_sec, 60u), &res.r);
        finish(k, &res);
        log_debug("OCSP %s: %s%s%s", c->url, kart_cert_status_to_string(res.r.status),
                  res.r.detail ? ", " : "", strempty(res.r.detail));
        c->done(&res, c->userdata);
        ocsp_result_done(&res.r);
        check_free(c);
}

static STACK_OF(X509) *candidates_new(const OcspChecker *k, const OcspDer *certs, size_t n) {
        STACK_OF(X509) *s = sk_X509_new_null();

        if (!s)
                return NULL;
        for (int i = 0; i < sk_X509_num(k->trust->certs); i++) {
                X509 *x = sk_X509_value(k->trust->certs, i);

                if (!X509_up_ref(x) || !sk_X509_push(s, x))
                        goto fail;
        }
        for (size_t i = 0; i < n; i++) {
                const unsigned char *p = certs[i].der;
                X509 *x = p ? d2i_X509(NULL, &p, (long) certs[i].len) : NULL;

                if (x && !sk_X509_push(s, x)) {
                        X509_free(x);
                        goto fail;
                }
        }
        ERR_clear_error();
        return s;
fail:
        sk_X509_pop_free(s, X509_free);
        return NULL;
}

/* 1: *now holds the answer; 0: query made; -ENOMEM. */
static int query_for(OcspChecker *k, const OcspDer *cert, const OcspDer *card_certs, size_t n,
                     OcspQuery **ret, OcspCheckResult *now) {
        const unsigned char *p = cert->der;
        X509 *x = d2i_X509(NULL, &p, (long) cert->len);
        STACK_OF(X509) *candidates;
        int r;

        if (!x) {
                ERR_clear_error();
                ocsp_result_unknown(&now->r, "the certificate cannot be read");
                return 1;
        }
        candidates = candidates_new(k, card_certs, n);
        r = candidates ? ocsp_query_new(x, candidates, ret) : -ENOMEM;
        sk_X509_pop_free(candidates, X509_free);
        X509_free(x);
        if (r == -ENOENT) {
                ocsp_result_unknown(&now->r, "the issuer's certificate is neither on the card nor in %s",
                                    k->config.trust_dir ?: k->config.trust_file ?: "a trust store");
                return 1;
        }
        return r;
}

int ocsp_check_start(OcspChecker *k, const OcspDer *cert, char **aia_urls,
                     const OcspDer *card_certs, size_t n_card_certs,
                     OcspCheckDone done, void *userdata, OcspCheckResult *now, OcspCheck **ret) {
        const char *url = k->config.responder ?: (aia_urls ? aia_urls[0] : NULL);
        OcspCheck *c;
        int r;

        *now = (OcspCheckResult) {};
        if (!k->config.enabled) {
                ocsp_result_unknown(&now->r, "OCSP checks are turned off");
                goto at_once;
        }
        if (!url) {
                ocsp_result_unknown(&now->r, "the certificate names no OCSP responder");
                goto at_once;
        }
        c = calloc(1, sizeof *c);
        if (!c)
                return -ENOMEM;
        *c = (OcspCheck) { .checker = k, .done = done, .userdata = userdata, .url = strdup(url) };
        r = c->url ? query_for(k, cert, card_certs, n_card_certs, &c->query, now) : -ENOMEM;
        if (r == 0) {
                HttpRequest req = {
                        .url = url,
                        .content_type = "application/ocsp-request",
                        .accept = "application/ocsp-response",
                        .body = c->query->body,
                        .body_len = c->query->body_len,
                        .max_response = k->config.max_response,
                        .connect_timeout_ms = k->config.connect_timeout_sec * 1000,
                        .timeout_ms = k->config.timeout_sec * 1000,
                };

                r = http_start(k->http, &req, on_http_done, c, &c->call);
                if (r == -EINVAL) {
                        ocsp_result_unknown(&now->r, "the OCSP responder URL %s cannot be used", url);
                        r = 1;
                }
        }
        if (r != 0)
                check_free(c);
        if (r < 0)
                return r;
        if (r > 0)
                goto at_once;
        if (ret)
                *ret = c;
        return 0;
at_once:
        finish(k, now);
        return 1;
}

void ocsp_check_cancel(OcspCheck *c) {
        if (!c)
                return;
        http_call_cancel(c->call);
        check_free(c);
}
