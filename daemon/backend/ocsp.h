/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <openssl/ocsp.h>
#include <openssl/x509.h>

#include "kart-states.h"

/* OCSP (RFC 6960) with OpenSSL's API, without any I/O: the trust store,
 * building a request for one certificate, and judging the answer. */

typedef struct OcspTrust {
        X509_STORE *store;              /* anchors for OCSP_basic_verify() */
        STACK_OF(X509) *certs;          /* the same certificates, to find issuers */
} OcspTrust;

/* Loads every certificate (PEM, several per file, or DER) of file and of
 * the regular files in dir; either may be NULL or absent. Files that hold
 * no certificate are reported and skipped. */
int ocsp_trust_load(const char *file, const char *dir, OcspTrust **ret);
OcspTrust *ocsp_trust_free(OcspTrust *t);

typedef struct OcspResult {
        KartCertStatus status;          /* GOOD, ON_HOLD, REVOKED or UNKNOWN (also when zeroed) */
        char *detail;                   /* why unknown; the reason of a revocation; may be NULL */
        uint64_t revoked_at;            /* seconds since the epoch, 0 when not revoked */
        uint64_t next_update;           /* seconds since the epoch, 0 when the answer gives none */
} OcspResult;

void ocsp_result_done(OcspResult *r);
/* Sets status unknown with a printf-style detail. */
void ocsp_result_unknown(OcspResult *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

typedef struct OcspQuery {
        OCSP_REQUEST *request;
        OCSP_CERTID *id;                /* owned by request */
        uint8_t *body;                  /* DER of request, to POST */
        size_t body_len;
} OcspQuery;

/* A request with a nonce for cert, whose issuer is looked for among
 * candidates (the first whose key signed it). -ENOENT: no issuer. */
int ocsp_query_new(X509 *cert, STACK_OF(X509) *candidates, OcspQuery **ret);
OcspQuery *ocsp_query_free(OcspQuery *q);

/* Judges the DER answer to q: status unknown with the reason when it is
 * not an OCSP response, not successful, not signed by a signer the trust
 * store vouches for (and that is authorized for the issuer), echoes another
 * nonce, says nothing of this certificate, or lies outside its validity
 * window (skew_sec allowed either way; an answer without nextUpdate must be
 * younger than max_age_sec). An answer without a nonce is taken (RFC 5019
 * responders pre-produce them): its window bounds how long it can be
 * replayed. */
void ocsp_query_judge(const OcspQuery *q, const uint8_t *der, size_t len, const OcspTrust *trust,
                      long skew_sec, long max_age_sec, OcspResult *ret);
