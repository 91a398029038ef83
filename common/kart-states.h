/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <errno.h>

/* The states the bus carries as strings: a card's PIN state, a
 * certificate's status and a session's state, each an enum with one table
 * of wire strings, shared by the daemon and every client. The strings are
 * the bus contract (dbus/org.kartd.Kartd1.*.xml): never change one; only
 * add. The daemon converts at the bus edge; clients parse a bus string
 * once and switch on the value.
 *
 * X_to_string(): the wire string; NULL for a value outside the enum.
 * X_from_string(): the value; _X_INVALID (-EINVAL) for NULL or a string
 * this build does not know, such as a newer kartd's: clients show it as
 * unknown. */

/* Card.PinState. The daemon's name: its card drivers use it throughout. */
typedef enum PinState {
        PIN_STATE_UNKNOWN,      /* "unknown": the card cannot be asked without risk (AKİS) */
        PIN_STATE_OK,           /* "ok" */
        PIN_STATE_LAST_TRY,     /* "last-try": one try left */
        PIN_STATE_LOCKED,       /* "locked": no try left; unlock online */
        PIN_STATE_BLOCKED,      /* "blocked": PIN locked and PUK exhausted: the card is dead */
        _PIN_STATE_MAX,
        _PIN_STATE_INVALID = -EINVAL,
} PinState;

const char *pin_state_to_string(PinState s);
PinState pin_state_from_string(const char *s);

/* A certificate's status in Card.ListCertificates, GetCertificateInfo and
 * CertificateStatusChanged; Session.ListAccountCertificates (the CA's
 * view) uses good, on-hold and revoked only. */
typedef enum KartCertStatus {
        KART_CERT_STATUS_UNKNOWN,       /* "unknown": no usable OCSP answer (the detail says why) */
        KART_CERT_STATUS_GOOD,          /* "good" */
        KART_CERT_STATUS_ON_HOLD,       /* "on-hold": suspended (certificateHold) */
        KART_CERT_STATUS_REVOKED,       /* "revoked" */
        KART_CERT_STATUS_EXPIRED,       /* "expired": by the clock */
        KART_CERT_STATUS_NOT_YET_VALID, /* "not-yet-valid": by the clock */
        KART_CERT_STATUS_UNREADABLE,    /* "unreadable": OpenSSL cannot parse it */
        _KART_CERT_STATUS_MAX,
        _KART_CERT_STATUS_INVALID = -EINVAL,
} KartCertStatus;

const char *kart_cert_status_to_string(KartCertStatus s);
KartCertStatus kart_cert_status_from_string(const char *s);

/* Session.State. */
typedef enum KartSessionState {
        /* "starting": the daemon's own, until the CA service accepts the
         * session; such a session is not on the bus yet. */
        KART_SESSION_STATE_STARTING,
        KART_SESSION_STATE_AWAITING_SECOND_FACTOR,      /* "awaiting-second-factor" */
        KART_SESSION_STATE_AUTHORIZED,                  /* "authorized" */
        KART_SESSION_STATE_APPLYING,                    /* "applying": the card is being written */
        KART_SESSION_STATE_COMPLETED,                   /* "completed" */
        KART_SESSION_STATE_CANCELLED,                   /* "cancelled" */
        KART_SESSION_STATE_EXPIRED,                     /* "expired" */
        _KART_SESSION_STATE_MAX,
        _KART_SESSION_STATE_INVALID = -EINVAL,
} KartSessionState;

const char *kart_session_state_to_string(KartSessionState s);
KartSessionState kart_session_state_from_string(const char *s);
