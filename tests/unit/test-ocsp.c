/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ocsp_query_judge() against answers this test signs itself with OpenSSL:
 * a throw-away CA, a delegated responder (OCSPSigning), a responder
 * without that EKU, a stranger; each answer changed in one way. */
#include "config.h"

#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include "backend/ocsp.h"
#include "macro.h"

typedef struct Party {
        EVP_PKEY *key;
        X509 *cert;
} Party;

static Party ca, responder, plain_signer, stranger, leaf, other_leaf;
static OcspTrust *trust;

static void add_ext(X509 *x, X509 *issuer, int nid, const char *value) {
        X509V3_CTX ctx;
        X509_EXTENSION *e;

        X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
        e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
        assert_non_null(e);
        assert_true(X509_add_ext(x, e, -1));
        X509_EXTENSION_free(e);
}

/* A P-256 key and a certificate for cn, signed by issuer (NULL: itself). */
static void make_party(Party *p, const char *cn, const Party *issuer, long serial, const char *eku, bool is_ca) {
        X509_NAME *name;

        p->key = EVP_EC_gen("P-256");
        assert_non_null(p->key);
        p->cert = X509_new();
        X509_set_version(p->cert, 2);
        ASN1_INTEGER_set(X509_get_serialNumber(p->cert), serial);
        X509_gmtime_adj(X509_getm_notBefore(p->cert), -3600);
        X509_gmtime_adj(X509_getm_notAfter(p->cert), 86400);
        X509_set_pubkey(p->cert, p->key);
        name = X509_get_subject_name(p->cert);
        X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *) cn, -1, -1, 0);
        X509_set_issuer_name(p->cert, issuer ? X509_get_subject_name(issuer->cert) : name);
        add_ext(p->cert, issuer ? issuer->cert : p->cert, NID_basic_constraints,
                is_ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
        if (is_ca)
                add_ext(p->cert, p->cert, NID_key_usage, "critical,keyCertSign,cRLSign,digitalSignature");
        if (eku)
                add_ext(p->cert, issuer ? issuer->cert : p->cert, NID_ext_key_usage, eku);
        assert_true(X509_sign(p->cert, issuer ? issuer->key : p->key, EVP_sha256()) > 0);
}

static int setup(void **state) {
        (void) state;
        make_party(&ca, "Test CA", NULL, 1, NULL, true);
        make_party(&responder, "Test OCSP", &ca, 2, "OCSPSigning", false);
        make_party(&plain_signer, "Test Server", &ca, 3, "serverAuth", false);
        make_party(&stranger, "Stranger", NULL, 4, "OCSPSigning", true);
        make_party(&leaf, "Card holder", &ca, 5, "clientAuth", false);
        make_party(&other_leaf, "Someone else", &ca, 6, "clientAuth", false);

        trust = calloc(1, sizeof *trust);
        trust->store = X509_STORE_new();
        trust->certs = sk_X509_new_null();
        X509_STORE_add_cert(trust->store, ca.cert);
        X509_up_ref(ca.cert);
        sk_X509_push(trust->certs, ca.cert);
        return 0;
}

static int teardown(void **state) {
        Party *all[] = { &ca, &responder, &plain_signer, &stranger, &leaf, &other_leaf };

        (void) state;
        for (size_t i = 0; i < ELEMENTSOF(all); i++) {
                EVP_PKEY_free(all[i]->key);
                X509_free(all[i]->cert);
        }
        ocsp_trust_free(trust);
        return 0;
}

static OcspQuery *query_for(X509 *cert) {
        STACK_OF(X509) *candidates = sk_X509_new_null();
        OcspQuery *q = NULL;

        sk_X509_push(candidates, ca.cert);
        assert_int_equal(ocsp_query_new(cert, candidates, &q), 0);
        sk_X509_free(candidates);
        return q;
}

typedef struct Answer {
        int status;                     /* V_OCSP_CERTSTATUS_* */
        int reason;                     /* for revoked; -1 none */
        long this_update, next_update;  /* seconds from now; next_update 0: none */
        const Party *signer;
        X509 *about;                    /* the certificate answered for */
        enum { NONCE_ECHO, NONCE_NONE, NONCE_OTHER } nonce;
        int response_status;            /* OCSP_RESPONSE_STATUS_* */
        unsigned long sign_flags;       /* OCSP_NOCERTS: the signer's certificate left out */
} Answer;

/* DER of an answer to q as a described. */
static unsigned char *answer(const OcspQuery *q, const Answer *a, int *len) {
        OCSP_BASICRESP *bs = OCSP_BASICRESP_new();
        OCSP_CERTID *id = OCSP_cert_to_id(NULL, a->about, ca.cert);
        ASN1_TIME *thisupd = X509_gmtime_adj(NULL, a->this_update);
        ASN1_TIME *nextupd = a->next_update ? X509_gmtime_adj(NULL, a->next_update) : NULL;
        ASN1_TIME *revtime = X509_gmtime_adj(NULL, -600);
        OCSP_RESPONSE *resp;
        unsigned char *der = NULL;

        assert_non_null(OCSP_basic_add1_status(bs, id, a->status, a->reason, revtime, thisupd, nextupd));
        if (a->nonce == NONCE_ECHO)
                assert_true(OCSP_copy_nonce(bs, q->request) > 0);
        else if (a->nonce == NONCE_OTHER)
                assert_true(OCSP_basic_add1_nonce(bs, NULL, 16));
        assert_true(OCSP_basic_sign(bs, a->signer->cert, a->signer->key, EVP_sha256(), NULL, a->sign_flags));
        resp = OCSP_response_create(a->response_status, a->response_status == 0 ? bs : NULL);
        *len = i2d_OCSP_RESPONSE(resp, &der);
        assert_true(*len > 0);
        OCSP_RESPONSE_free(resp);
        OCSP_BASICRESP_free(bs);
        OCSP_CERTID_free(id);
        ASN1_TIME_free(thisupd);
        ASN1_TIME_free(nextupd);
        ASN1_TIME_free(revtime);
        return der;
}

/* Judges an answer a to a fresh query for leaf with trust t. */
static void judge(const Answer *a, const OcspTrust *t, OcspResult *r) {
        OcspQuery *q = query_for(leaf.cert);
        unsigned char *der;
        int len;

        der = answer(q, a, &len);
        ocsp_query_judge(q, der, (size_t) len, t, 300, 3600, r);
        OPENSSL_free(der);
        ocsp_query_free(q);
}

/* Judges a, expects status; the detail must contain detail_part. */
static void expect(const Answer *a, KartCertStatus status, const char *detail_part) {
        OcspResult r = {};

        judge(a, trust, &r);
        assert_int_equal(r.status, status);
        if (detail_part) {
                assert_non_null(r.detail);
                assert_non_null(strstr(r.detail, detail_part));
        }
        ocsp_result_done(&r);
}

#define GOOD { .status = V_OCSP_CERTSTATUS_GOOD, .reason = -1, .this_update = -60, .next_update = 60, \
               .signer = &responder, .about = leaf.cert, .nonce = NONCE_ECHO }

static void test_good(void **state) {
        Answer a = GOOD;
        OcspResult r = {};

        (void) state;
        judge(&a, trust, &r);
        assert_int_equal(r.status, KART_CERT_STATUS_GOOD);
        assert_null(r.detail);
        assert_int_equal(r.revoked_at, 0);
        /* nextUpdate is kept: a minute from now */
        assert_true(r.next_update >= (uint64_t) time(NULL) + 50 && r.next_update <= (uint64_t) time(NULL) + 70);
        ocsp_result_done(&r);
}

static void test_signed_by_the_ca_itself(void **state) {
        Answer a = GOOD;

        (void) state;
        a.signer = &ca;
        expect(&a, KART_CERT_STATUS_GOOD, NULL);
}

static void test_revoked_and_hold(void **state) {
        Answer a = GOOD;

        (void) state;
        a.status = V_OCSP_CERTSTATUS_REVOKED;
        a.reason = OCSP_REVOKED_STATUS_KEYCOMPROMISE;
        expect(&a, KART_CERT_STATUS_REVOKED, "keyCompromise");
        a.reason = OCSP_REVOKED_STATUS_CERTIFICATEHOLD;
        expect(&a, KART_CERT_STATUS_ON_HOLD, "certificateHold");
        a.status = V_OCSP_CERTSTATUS_UNKNOWN;
        a.reason = -1;
        expect(&a, KART_CERT_STATUS_UNKNOWN, "does not know");
}

static void test_nonce(void **state) {
        Answer a = GOOD;

        (void) state;
        a.nonce = NONCE_OTHER;
        expect(&a, KART_CERT_STATUS_UNKNOWN, "nonce");
        a.nonce = NONCE_NONE;           /* RFC 5019: taken, the window bounds it */
        expect(&a, KART_CERT_STATUS_GOOD, NULL);
}

static void test_window(void **state) {
        Answer a = GOOD;

        (void) state;
        a.this_update = -7200;
        a.next_update = -3600;          /* stale, beyond the 300 s skew */
        expect(&a, KART_CERT_STATUS_UNKNOWN, "out of date");
        a.this_update = 3600;           /* from the future */
        a.next_update = 7200;
        expect(&a, KART_CERT_STATUS_UNKNOWN, "out of date");
        a.this_update = -200;
        a.next_update = -100;           /* passed, but within the skew: taken */
        expect(&a, KART_CERT_STATUS_GOOD, NULL);
}

static void test_old_answer_without_next_update(void **state) {
        Answer a = GOOD;

        (void) state;
        a.nonce = NONCE_NONE;
        a.next_update = 0;
        a.this_update = -7200;          /* older than max_age (3600) + skew */
        expect(&a, KART_CERT_STATUS_UNKNOWN, "out of date");
        a.this_update = -600;           /* recent: taken */
        expect(&a, KART_CERT_STATUS_GOOD, NULL);
}

static void test_signer_left_out(void **state) {
        Answer a = GOOD;

        (void) state;
        a.signer = &ca;                 /* the CA signs, its certificate not in the answer */
        a.sign_flags = OCSP_NOCERTS;
        expect(&a, KART_CERT_STATUS_GOOD, NULL);
        a.signer = &responder;          /* a delegated responder must include its own */
        expect(&a, KART_CERT_STATUS_UNKNOWN, "not trusted");
}

static void test_forged_certificate(void **state) {
        STACK_OF(X509) *candidates = sk_X509_new_null();
        Party forged = {};
        OcspQuery *q = NULL;

        (void) state;
        /* the CA's name as issuer, signed by a stranger's key */
        make_party(&forged, "Card holder", &stranger, 5, "clientAuth", false);
        X509_set_issuer_name(forged.cert, X509_get_subject_name(ca.cert));
        assert_true(X509_sign(forged.cert, stranger.key, EVP_sha256()) > 0);
        sk_X509_push(candidates, ca.cert);
        assert_int_equal(ocsp_query_new(forged.cert, candidates, &q), -ENOENT);
        assert_null(q);
        sk_X509_free(candidates);
        EVP_PKEY_free(forged.key);
        X509_free(forged.cert);
}

static void test_signers(void **state) {
        Answer a = GOOD;

        (void) state;
        a.signer = &stranger;
        expect(&a, KART_CERT_STATUS_UNKNOWN, "not trusted");
        a.signer = &plain_signer;       /* issued by the CA, but not for OCSP */
        expect(&a, KART_CERT_STATUS_UNKNOWN, "not trusted");
}

static void test_wrong_certificate(void **state) {
        Answer a = GOOD;

        (void) state;
        a.about = other_leaf.cert;
        expect(&a, KART_CERT_STATUS_UNKNOWN, "does not cover");
}

static void test_refused_and_garbage(void **state) {
        Answer a = GOOD;
        OcspQuery *q = query_for(leaf.cert);
        static const uint8_t garbage[] = "<html>not OCSP</html>";
        OcspResult r = {};
        unsigned char *der;
        int len;

        (void) state;
        a.response_status = OCSP_RESPONSE_STATUS_TRYLATER;
        expect(&a, KART_CERT_STATUS_UNKNOWN, "trylater");

        ocsp_query_judge(q, garbage, sizeof garbage, trust, 300, 3600, &r);
        assert_int_equal(r.status, KART_CERT_STATUS_UNKNOWN);
        assert_non_null(strstr(r.detail, "not an OCSP response"));

        /* a good answer with one byte more, and cut short */
        a.response_status = 0;
        der = answer(q, &a, &len);
        der = OPENSSL_realloc(der, (size_t) len + 1);
        der[len] = 0;
        ocsp_query_judge(q, der, (size_t) len + 1, trust, 300, 3600, &r);
        assert_int_equal(r.status, KART_CERT_STATUS_UNKNOWN);
        ocsp_query_judge(q, der, (size_t) len - 1, trust, 300, 3600, &r);
        assert_int_equal(r.status, KART_CERT_STATUS_UNKNOWN);
        ocsp_query_judge(q, der, 0, trust, 300, 3600, &r);
        assert_int_equal(r.status, KART_CERT_STATUS_UNKNOWN);
        ocsp_result_done(&r);
        OPENSSL_free(der);
        ocsp_query_free(q);
}

static void test_no_issuer(void **state) {
        STACK_OF(X509) *candidates = sk_X509_new_null();
        OcspQuery *q = NULL;

        (void) state;
        sk_X509_push(candidates, stranger.cert);
        assert_int_equal(ocsp_query_new(leaf.cert, candidates, &q), -ENOENT);
        assert_null(q);
        sk_X509_free(candidates);
}

static void test_no_trust(void **state) {
        OcspTrust *empty = NULL;
        Answer a = GOOD;
        OcspResult r = {};

        (void) state;
        assert_int_equal(ocsp_trust_load(NULL, "/nonexistent", &empty), 0);
        judge(&a, empty, &r);
        assert_int_equal(r.status, KART_CERT_STATUS_UNKNOWN);
        assert_non_null(strstr(r.detail, "no trusted certificate"));
        ocsp_result_done(&r);
        ocsp_trust_free(empty);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_good),
                cmocka_unit_test(test_signed_by_the_ca_itself),
                cmocka_unit_test(test_revoked_and_hold),
                cmocka_unit_test(test_nonce),
                cmocka_unit_test(test_window),
                cmocka_unit_test(test_signers),
                cmocka_unit_test(test_old_answer_without_next_update),
                cmocka_unit_test(test_signer_left_out),
                cmocka_unit_test(test_forged_certificate),
                cmocka_unit_test(test_wrong_certificate),
                cmocka_unit_test(test_refused_and_garbage),
                cmocka_unit_test(test_no_issuer),
                cmocka_unit_test(test_no_trust),
        };

        return cmocka_run_group_tests(tests, setup, teardown);
}
