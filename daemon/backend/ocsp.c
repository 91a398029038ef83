/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <dirent.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/pem.h>

#include "log.h"
#include "macro.h"
#include "ocsp.h"

/* ------------------------------------------------------------------ trust */

static int trust_add(OcspTrust *t, X509 *x) {
        if (X509_STORE_add_cert(t->store, x) != 1 || !X509_up_ref(x))
                return -ENOMEM;
        if (!sk_X509_push(t->certs, x)) {
                X509_free(x);
                return -ENOMEM;
        }
        return 0;
}

/* Every PEM certificate of the file, or the file as one DER certificate. */
static int trust_add_file(OcspTrust *t, const char *path) {
        BIO *bio = BIO_new_file(path, "rb");
        X509 *x;
        int n = 0, r = 0;

        if (!bio)
                return -ENOENT;
        while (r >= 0 && (x = PEM_read_bio_X509(bio, NULL, NULL, NULL))) {
                r = trust_add(t, x);
                X509_free(x);
                n++;
        }
        if (n == 0 && r >= 0) {
                (void) BIO_reset(bio);
                x = d2i_X509_bio(bio, NULL);
                if (x) {
                        r = trust_add(t, x);
                        X509_free(x);
                        n++;
                }
        }
        ERR_clear_error();
        BIO_free(bio);
        if (r < 0)
                return r;
        if (n == 0)
                log_warning("%s holds no certificate, ignoring it.", path);
        return n;
}

static int trust_add_dir(OcspTrust *t, const char *dir) {
        DIR *d = opendir(dir);
        struct dirent *de;
        int r = 0;

        if (!d)
                return errno == ENOENT ? 0 : negative_errno();
        while (r >= 0 && (de = readdir(d))) {
                char path[4096];

                if (de->d_name[0] == '.' || (de->d_type != DT_REG && de->d_type != DT_LNK && de->d_type != DT_UNKNOWN))
                        continue;
                if ((size_t) snprintf(path, sizeof path, "%s/%s", dir, de->d_name) >= sizeof path)
                        continue;
                r = trust_add_file(t, path);
                if (r == -ENOENT)
                        r = 0;
        }
        closedir(d);
        return r < 0 ? r : 0;
}

int ocsp_trust_load(const char *file, const char *dir, OcspTrust **ret) {
        OcspTrust *t = calloc(1, sizeof *t);
        int r = 0;

        if (!t)
                return -ENOMEM;
        t->store = X509_STORE_new();
        t->certs = sk_X509_new_null();
        if (!t->store || !t->certs)
                r = -ENOMEM;
        if (r >= 0 && file && *file) {
                r = trust_add_file(t, file);
                if (r == -ENOENT) {
                        log_warning("OCSP trust file %s: %m", file);
                        r = 0;
                }
        }
        if (r >= 0 && dir && *dir) {
                r = trust_add_dir(t, dir);
                if (r < 0 && r != -ENOMEM) {
                        log_warning_errno(r, "OCSP trust directory %s: %m", dir);
                        r = 0;
                }
        }
        if (r < 0) {
                ocsp_trust_free(t);
                return r;
        }
        log_debug("OCSP trust store: %d certificates.", sk_X509_num(t->certs));
        *ret = t;
        return 0;
}

OcspTrust *ocsp_trust_free(OcspTrust *t) {
        if (!t)
                return NULL;
        X509_STORE_free(t->store);
        sk_X509_pop_free(t->certs, X509_free);
        free(t);
        return NULL;
}

/* ------------------------------------------------------------------ results */

void ocsp_result_done(OcspResult *r) {
        free(r->detail);
        *r = (OcspResult) {};
}

void ocsp_result_unknown(OcspResult *r, const char *fmt, ...) {
        va_list ap;

        ocsp_result_done(r);
        r->status = KART_CERT_STATUS_UNKNOWN;
        va_start(ap, fmt);
        if (vasprintf(&r->detail, fmt, ap) < 0)
                r->detail = NULL;
        va_end(ap);
}

/* ------------------------------------------------------------------ query */

int ocsp_query_new(X509 *cert, STACK_OF(X509) *candidates, OcspQuery **ret) {
        X509 *issuer = NULL;
        OCSP_CERTID *id;
        OcspQuery *q;
        unsigned char *p = NULL;
        int len;

        for (int i = 0; i < sk_X509_num(candidates); i++) {
                X509 *c = sk_X509_value(candidates, i);

                /* The names and key identifiers match, and the candidate's
                 * key really signed it: a certificate forged with a real
                 * CA's name but another key finds no issuer. */
                if (X509_check_issued(c, cert) == X509_V_OK && X509_verify(cert, X509_get0_pubkey(c)) == 1) {
                        issuer = c;
                        break;
                }
        }
        if (!issuer)
                return -ENOENT;

        q = calloc(1, sizeof *q);
        if (!q)
                return -ENOMEM;
        q->request = OCSP_REQUEST_new();
        if (!q->request || !(id = OCSP_cert_to_id(NULL, cert, issuer)))
                goto fail;
        if (!OCSP_request_add0_id(q->request, id)) {
                OCSP_CERTID_free(id);
                goto fail;
        }
        q->id = id;     /* owned by the request */
        if (!OCSP_request_add1_nonce(q->request, NULL, -1))
                goto fail;
        len = i2d_OCSP_REQUEST(q->request, &p);
        if (len <= 0)
                goto fail;
        q->body = p;
        q->body_len = (size_t) len;
        *ret = q;
        return 0;
fail:
        ERR_clear_error();
        ocsp_query_free(q);
        return -ENOMEM;
}

OcspQuery *ocsp_query_free(OcspQuery *q) {
        if (!q)
                return NULL;
        OCSP_REQUEST_free(q->request);  /* frees id */
        OPENSSL_free(q->body);
        free(q);
        return NULL;
}

static uint64_t seconds_of(const ASN1_GENERALIZEDTIME *t) {
        struct tm tm;
        time_t s;

        if (!t || !ASN1_TIME_to_tm(t, &tm))
                return 0;
        s = timegm(&tm);
        return s > 0 ? (uint64_t) s : 0;
}

static void judge_single(const OcspQuery *q, OCSP_BASICRESP *bs, long skew_sec, long max_age_sec,
                         OcspResult *ret) {
        ASN1_GENERALIZEDTIME *revoked = NULL, *this_update = NULL, *next_update = NULL;
        int status, reason = -1;

        if (!OCSP_resp_find_status(bs, q->id, &status, &reason, &revoked, &this_update, &next_update))
                return ocsp_result_unknown(ret, "the responder's answer does not cover this certificate");
        /* Without nextUpdate, only an answer made within max_age counts:
         * else an old "good" could be replayed for ever. */
        if (!OCSP_check_validity(this_update, next_update, skew_sec, next_update ? -1 : max_age_sec))
                return ocsp_result_unknown(ret, "the responder's answer is out of date or from the future");

        ocsp_result_done(ret);
        ret->next_update = seconds_of(next_update);
        switch (status) {
        case V_OCSP_CERTSTATUS_GOOD:
                ret->status = KART_CERT_STATUS_GOOD;
                break;
        case V_OCSP_CERTSTATUS_REVOKED:
                ret->status = reason == OCSP_REVOKED_STATUS_CERTIFICATEHOLD ? KART_CERT_STATUS_ON_HOLD
                                                                            : KART_CERT_STATUS_REVOKED;
                ret->revoked_at = seconds_of(revoked);
                if (reason >= 0)
                        ret->detail = strdup(OCSP_crl_reason_str(reason));
                break;
        default:
                ocsp_result_unknown(ret, "the responder does not know this certificate");
                ret->next_update = seconds_of(next_update);
        }
}

void ocsp_query_judge(const OcspQuery *q, const uint8_t *der, size_t len, const OcspTrust *trust,
                      long skew_sec, long max_age_sec, OcspResult *ret) {
        const unsigned char *p = der;
        OCSP_RESPONSE *resp = NULL;
        OCSP_BASICRESP *bs = NULL;
        int k;

        ocsp_result_done(ret);
        if (len > LONG_MAX || !(resp = d2i_OCSP_RESPONSE(NULL, &p, (long) len)) || p != der + len) {
                ocsp_result_unknown(ret, "the responder's answer is not an OCSP response");
                goto out;
        }
        k = OCSP_response_status(resp);
        if (k != OCSP_RESPONSE_STATUS_SUCCESSFUL) {
                ocsp_result_unknown(ret, "the responder refused: %s", OCSP_response_status_str(k));
                goto out;
        }
        bs = OCSP_response_get1_basic(resp);
        if (!bs) {
                ocsp_result_unknown(ret, "the responder's answer is not a basic OCSP response");
                goto out;
        }
        if (OCSP_check_nonce(q->request, bs) == 0) {
                ocsp_result_unknown(ret, "the responder's answer carries another nonce (a replay?)");
                goto out;
        }
        if (sk_X509_num(trust->certs) == 0) {
                ocsp_result_unknown(ret, "no trusted certificate is configured to check the responder's signature");
                goto out;
        }
        /* The trusted certificates also help to find a signer the answer
         * leaves out (a CA signing its own answers may); they are not
         * taken as trusted for that (no OCSP_TRUSTOTHER). */
        if (OCSP_basic_verify(bs, trust->certs, trust->store, 0) <= 0) {
                ocsp_result_unknown(ret, "the responder's signature is not trusted");
                goto out;
        }
        judge_single(q, bs, skew_sec, max_age_sec, ret);
out:
        ERR_clear_error();
        OCSP_BASICRESP_free(bs);
        OCSP_RESPONSE_free(resp);
}
