/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <stddef.h>

#include "kart-states.h"
#include "macro.h"

/* The index of s in table, or -EINVAL. */
static int string_table_lookup(const char *const *table, size_t n, const char *s) {
        if (!s)
                return -EINVAL;
        for (size_t i = 0; i < n; i++)
                if (table[i] && streq(table[i], s))
                        return (int) i;
        return -EINVAL;
}

/* Defines name_to_string() and name_from_string() over name_table, an
 * array indexed by the enum type. */
#define DEFINE_STRING_TABLE_LOOKUP(name, type)                                          \
        const char *name##_to_string(type v) {                                          \
                return (size_t) v < ELEMENTSOF(name##_table) ? name##_table[v] : NULL;  \
        }                                                                               \
        type name##_from_string(const char *s) {                                        \
                return (type) string_table_lookup(name##_table, ELEMENTSOF(name##_table), s); \
        }

static const char *const pin_state_table[_PIN_STATE_MAX] = {
        [PIN_STATE_UNKNOWN]  = "unknown",
        [PIN_STATE_OK]       = "ok",
        [PIN_STATE_LAST_TRY] = "last-try",
        [PIN_STATE_LOCKED]   = "locked",
        [PIN_STATE_BLOCKED]  = "blocked",
};

DEFINE_STRING_TABLE_LOOKUP(pin_state, PinState)

static const char *const kart_cert_status_table[_KART_CERT_STATUS_MAX] = {
        [KART_CERT_STATUS_UNKNOWN]       = "unknown",
        [KART_CERT_STATUS_GOOD]          = "good",
        [KART_CERT_STATUS_ON_HOLD]       = "on-hold",
        [KART_CERT_STATUS_REVOKED]       = "revoked",
        [KART_CERT_STATUS_EXPIRED]       = "expired",
        [KART_CERT_STATUS_NOT_YET_VALID] = "not-yet-valid",
        [KART_CERT_STATUS_UNREADABLE]    = "unreadable",
};

DEFINE_STRING_TABLE_LOOKUP(kart_cert_status, KartCertStatus)

static const char *const kart_session_state_table[_KART_SESSION_STATE_MAX] = {
        [KART_SESSION_STATE_STARTING]               = "starting",
        [KART_SESSION_STATE_AWAITING_SECOND_FACTOR] = "awaiting-second-factor",
        [KART_SESSION_STATE_AUTHORIZED]             = "authorized",
        [KART_SESSION_STATE_APPLYING]               = "applying",
        [KART_SESSION_STATE_COMPLETED]              = "completed",
        [KART_SESSION_STATE_CANCELLED]              = "cancelled",
        [KART_SESSION_STATE_EXPIRED]                = "expired",
};

DEFINE_STRING_TABLE_LOOKUP(kart_session_state, KartSessionState)
