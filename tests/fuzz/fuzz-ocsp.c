/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target for judging an OCSP answer (daemon/backend/ocsp.c)
 * against a fixed trust store and request (tests/fuzz/ocsp/README): each
 * input is judged as it came, and, when it parses as a basic response,
 * once more after the harness signed it anew with the trusted responder's
 * key, so that what lies behind the signature check (which certificate
 * the answer speaks of, its status, reason and times, the nonce) is
 * reached with any content. Whatever the answer, the result is one of
 * the statuses with a printable detail, and a status other than unknown
 * comes only from an answer the trusted responder signed. */
#include "config.h"

#include <assert.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/ocsp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "der-mutator.h"
#include "ocsp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static OcspTrust *trust;
static OcspQuery *query;
static X509 *root;
static EVP_PKEY *root_key;

static void *load(const char *name, bool key) {
        char path[4096];
        FILE *f;
        void *o;

        snprintf(path, sizeof path, "%s/%s", FUZZ_OCSP_DIR, name);
        f = fopen(path, "re");
        assert(f);
        o = key ? (void *) PEM_read_PrivateKey(f, NULL, NULL, NULL) : (void *) d2i_X509_fp(f, NULL);
        fclose(f);
        assert(o);
        return o;
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
        STACK_OF(X509) *candidates = sk_X509_new_null();
        X509 *leaf;

        (void) argc, (void) argv;
        root = load("root.der", false);
        root_key = load("root.key", true);
        leaf = load("leaf.der", false);
        assert(ocsp_trust_load(FUZZ_OCSP_DIR "/root.der", NULL, &trust) >= 0);
        assert(candidates && sk_X509_push(candidates, root));
        assert(ocsp_query_new(leaf, candidates, &query) >= 0);
        sk_X509_free(candidates);
        X509_free(leaf);
        return 0;
}

static KartCertStatus judge(const uint8_t *der, size_t len) {
        OcspResult r = {};
        KartCertStatus status;

        ocsp_query_judge(query, der, len, trust, 300, 3600, &r);
        status = r.status;
        assert(status == KART_CERT_STATUS_GOOD || status == KART_CERT_STATUS_ON_HOLD ||
               status == KART_CERT_STATUS_REVOKED || status == KART_CERT_STATUS_UNKNOWN);
        for (const char *p = r.detail; p && *p; p++)
                assert((unsigned char) *p >= 0x20 && *p != 0x7F);
        if (status == KART_CERT_STATUS_UNKNOWN || status == KART_CERT_STATUS_GOOD)
                assert(r.revoked_at == 0);
        ocsp_result_done(&r);
        return status;
}

/* The answer signed anew by the trusted responder; NULL when it has no
 * basic response to sign. */
static uint8_t *resign(const uint8_t *data, size_t size, int *ret_len) {
        const uint8_t *p = data;
        OCSP_RESPONSE *resp = d2i_OCSP_RESPONSE(NULL, &p, (long) size), *signed_resp = NULL;
        OCSP_BASICRESP *basic = resp ? OCSP_response_get1_basic(resp) : NULL;
        uint8_t *out = NULL;

        if (basic && OCSP_basic_sign(basic, root, root_key, EVP_sha256(), NULL, OCSP_NOCERTS) == 1)
                signed_resp = OCSP_response_create(OCSP_RESPONSE_STATUS_SUCCESSFUL, basic);
        if (signed_resp)
                *ret_len = i2d_OCSP_RESPONSE(signed_resp, &out);
        OCSP_RESPONSE_free(signed_resp);
        OCSP_BASICRESP_free(basic);
        OCSP_RESPONSE_free(resp);
        ERR_clear_error();
        return *ret_len > 0 ? out : NULL;
}

/* OpenSSL's own word, apart from kartd's: the answer's signature
 * verifies with the trust store. */
static bool signed_by_trusted(const uint8_t *data, size_t size) {
        const uint8_t *p = data;
        OCSP_RESPONSE *resp = d2i_OCSP_RESPONSE(NULL, &p, (long) size);
        OCSP_BASICRESP *basic = resp ? OCSP_response_get1_basic(resp) : NULL;
        bool ok = basic && OCSP_basic_verify(basic, trust->certs, trust->store, 0) == 1;

        OCSP_BASICRESP_free(basic);
        OCSP_RESPONSE_free(resp);
        ERR_clear_error();
        return ok;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        uint8_t *again;
        int len = 0;

        if (judge(data, size) != KART_CERT_STATUS_UNKNOWN)
                assert(signed_by_trusted(data, size));
        again = resign(data, size, &len);
        if (again) {
                (void) judge(again, (size_t) len);
                OPENSSL_free(again);
        }
        return 0;
}
