/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <systemd/sd-event.h>

#include "conf.h"
#include "ocsp.h"

/* Asks OCSP responders about certificates, on the event loop: picks the
 * responder (the configured one, else the certificate's AIA), finds the
 * issuer (among the card's certificates and the trust store), POSTs the
 * request over HTTP and judges the answer. A failure of any kind is a
 * status unknown with its reason, never an error. */

typedef struct OcspChecker OcspChecker;
typedef struct OcspCheck OcspCheck;

/* A certificate as DER. */
typedef struct OcspDer {
        const uint8_t *der;
        size_t len;
} OcspDer;

/* result->valid_until says how long to keep it: nextUpdate, else
 * CacheSec; a minute for an unknown status. The callee may take
 * result->detail. */
typedef struct OcspCheckResult {
        OcspResult r;
        uint64_t valid_until;   /* seconds since the epoch */
} OcspCheckResult;

typedef void (*OcspCheckDone)(OcspCheckResult *result, void *userdata);

int ocsp_checker_new(sd_event *event, const OcspConfig *config, OcspChecker **ret);
OcspChecker *ocsp_checker_free(OcspChecker *k);

/* Starts checking cert (with its AIA OCSP URLs). Returns 0 when done will
 * be called on the loop (never from within this call); 1 when the answer
 * is known at once (no responder, no issuer, checks disabled) and is in
 * *now; -ENOMEM. */
int ocsp_check_start(OcspChecker *k, const OcspDer *cert, char **aia_urls,
                     const OcspDer *card_certs, size_t n_card_certs,
                     OcspCheckDone done, void *userdata, OcspCheckResult *now, OcspCheck **ret);
/* Stops a pending check; done is not called. */
void ocsp_check_cancel(OcspCheck *c);
