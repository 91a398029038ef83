/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What the daemon shows of a certificate read from a card, taken apart
 * with OpenSSL. Nothing is verified here: the bytes come from the card and
 * every string is sanitized to valid UTF-8 before it can reach D-Bus. */

/* Policy OID of a qualified electronic signature certificate (NES) from
 * KamuSM, the Turkish public CA. */
#define CERT_POLICY_KAMUSM_NES "2.16.792.1.2.1.1.5.7.1.1"

typedef struct CertInfo {
        char *subject;                  /* RFC 2253, UTF-8 kept readable */
        char *subject_cn;               /* last commonName, "" when none */
        char *issuer;
        char *serial;                   /* uppercase hex, "-" first when negative */
        uint64_t not_before, not_after; /* seconds since the epoch, 0 for earlier */
        char *sha256;                   /* lowercase hex of the DER's digest */
        /* The lists are never NULL, empty when the extension is absent. */
        char **key_usage;               /* "digitalSignature", "nonRepudiation", ... */
        char **extended_key_usage;      /* short names ("clientAuth") or OIDs */
        char **policies;                /* OIDs */
        bool qualified;                 /* policies hold CERT_POLICY_KAMUSM_NES */
        bool ca;                        /* basicConstraints cA */
        char **ocsp_urls, **ca_issuer_urls;     /* from AIA: http(s) URIs only */
} CertInfo;

/* Parses one DER certificate filling all of len: 0, -EBADMSG when
 * unreadable or followed by anything, -ENOMEM. An extension OpenSSL cannot
 * decode counts as absent. *ret is zeroed on failure. */
int cert_info_parse(const uint8_t *der, size_t len, CertInfo *ret);
void cert_info_done(CertInfo *c);
