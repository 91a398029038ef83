/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What kartd takes from the CA service's answers (doc/backend-protocol.md)
 * and from its own unlock journal, every field checked, with no I/O: the
 * session code acts on the result, the fuzzer (tests/fuzz/fuzz-ca.c)
 * feeds them anything. Text that reaches people (the CA's error message,
 * a certificate's subject or revocation reason, an SMS destination) comes
 * out printable: control characters become '?'. -EPROTO: the answer does
 * not hold together. */

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backend-client.h"
#include "kart-states.h"

#define CA_MAX_SESSION_SEC 3600

/* POST /v1/unblock/sessions or /v1/cert/sessions: the session started. */
typedef struct CaStarted {
        char *session_id;               /* [A-Za-z0-9_-], it goes into URLs */
        char *token;                    /* RFC 6750's b64token, it goes into a header */
        unsigned expires_in;            /* 1 .. CA_MAX_SESSION_SEC */
        char **methods;                 /* "sms", "password": those kartd knows, at least one */
        char *sms_destination;          /* the masked number, or NULL */
        unsigned pin_min, pin_max;      /* unlock sessions only: 4 .. 16 */
} CaStarted;

int ca_answer_started(json_t *a, bool unlock, CaStarted *ret);
void ca_started_done(CaStarted *s);

/* The authorization: its ID (printable, at most 128) and the 16-byte
 * cryptogram for EXTERNAL AUTHENTICATE. *ret_id is the answer's own. */
int ca_answer_authorization(json_t *a, const char **ret_id, uint8_t cryptogram[16]);

/* GET /v1/meta: the portal, NULL when the CA names none; -EPROTO when it
 * names one that is no https:// address a person may be sent to. */
int ca_answer_meta(json_t *a, const char **ret_portal);

/* The holder's certificates at the CA. */
typedef struct CaCertificate {
        char *serial;                   /* uppercase hex, 1 .. 40 */
        char *subject;
        uint64_t not_after;
        KartCertStatus status;          /* good, on hold or revoked */
        char *reason;                   /* "" when none */
} CaCertificate;

int ca_answer_certificates(json_t *a, CaCertificate **ret, size_t *ret_n);
void ca_certificates_free(CaCertificate *c, size_t n);

/* A refusal, {"error": {"code", "message", "attempts_left", "retry_after"}}. */
void ca_answer_error(json_t *a, long http_status, BackendError *e);

/* An entry of the unlock journal, kartd's own record of an unlock whose
 * outcome the CA has not heard yet (session-unlock.c): what to report.
 * outcome is the body to POST, rebuilt from the entry's checked fields,
 * "aborted" when the entry records no whole outcome. */
typedef struct CaJournalEntry {
        char *session_id, *authorization_id, *token;
        json_t *outcome;
} CaJournalEntry;

int ca_journal_parse(const char *text, size_t len, CaJournalEntry *ret);
void ca_journal_entry_done(CaJournalEntry *e);
