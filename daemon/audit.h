/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "engine.h"

/* journald MESSAGE_IDs of the audit entries. */
#define AUDIT_PIN_CHANGE   "6f0d3c51a4b84a0c9d2e7b1f3a5c8e21"
#define AUDIT_PIN_VERIFY   "6f0d3c51a4b84a0c9d2e7b1f3a5c8e22"
#define AUDIT_UNLOCK       "6f0d3c51a4b84a0c9d2e7b1f3a5c8e23"
#define AUDIT_CERTIFICATE  "6f0d3c51a4b84a0c9d2e7b1f3a5c8e24"

/* One operation on a card, for the audit trail: a structured journal
 * entry (MESSAGE_ID, KART_OPERATION, KART_ACTION, KART_CARD_SERIAL,
 * KART_CALLER_UID/PID, KART_OUTCOME and the extra fields) with a message
 * "Audit: ACTION on card SERIAL by uid UID: OUTCOME (DETAIL)." Never a
 * secret: callers give serials, states and status words only. */
typedef struct AuditEntry {
        const char *message_id;         /* AUDIT_* */
        const char *operation;          /* "pin", "unlock", "certificate" */
        const char *action;             /* "change-pin", "unlock", "suspend", ... */
        const char *serial;             /* the card's; NULL: unknown */
        EngineCaller caller;
        int result;                     /* 0 or -errno as in kart-error.h */
        const char *detail;             /* for the message, e.g. "SW 9000, tries left 3"; or NULL */
        const char *const *fields;      /* more "KART_...=value", NULL-terminated; or NULL */
} AuditEntry;

void audit_log(const AuditEntry *a);
