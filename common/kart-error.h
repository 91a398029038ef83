/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <errno.h>
#include <systemd/sd-bus.h>

/* The daemon's engine reports failures as negative errno values; this one
 * table turns them into stable D-Bus error names and back (daemon and
 * clients register the same map). */

#define KART_ERROR_NO_CARD          "org.kartd.Kartd1.Error.NoCard"
#define KART_ERROR_CARD_REMOVED     "org.kartd.Kartd1.Error.CardRemoved"
#define KART_ERROR_CARD_CHANGED     "org.kartd.Kartd1.Error.CardChanged"
#define KART_ERROR_WRONG_PIN        "org.kartd.Kartd1.Error.WrongPin"
#define KART_ERROR_LAST_TRY         "org.kartd.Kartd1.Error.LastTry"
#define KART_ERROR_PIN_LOCKED       "org.kartd.Kartd1.Error.PinLocked"
#define KART_ERROR_CARD_BLOCKED     "org.kartd.Kartd1.Error.CardBlocked"
#define KART_ERROR_INVALID_PIN      "org.kartd.Kartd1.Error.InvalidPin"
#define KART_ERROR_NOT_SUPPORTED    "org.kartd.Kartd1.Error.NotSupported"
#define KART_ERROR_BUSY             "org.kartd.Kartd1.Error.Busy"
#define KART_ERROR_NOT_AUTHORIZED   "org.kartd.Kartd1.Error.NotAuthorized"
#define KART_ERROR_BACKEND_UNAVAILABLE "org.kartd.Kartd1.Error.BackendUnavailable"
#define KART_ERROR_BACKEND_REJECTED "org.kartd.Kartd1.Error.BackendRejected"
#define KART_ERROR_VERIFICATION_CODE_INVALID "org.kartd.Kartd1.Error.VerificationCodeInvalid"
#define KART_ERROR_SECOND_FACTOR_INVALID "org.kartd.Kartd1.Error.SecondFactorInvalid"
#define KART_ERROR_SESSION_EXPIRED  "org.kartd.Kartd1.Error.SessionExpired"
#define KART_ERROR_CANCELLED        "org.kartd.Kartd1.Error.Cancelled"
#define KART_ERROR_TIMEOUT          "org.kartd.Kartd1.Error.Timeout"
#define KART_ERROR_CARD_UNAVAILABLE "org.kartd.Kartd1.Error.CardUnavailable"
#define KART_ERROR_FAILED           "org.kartd.Kartd1.Error.Failed"

/* errno values the engine uses for each error above. */
enum {
        KART_ENOCARD       = ENODEV,
        KART_ECARDREMOVED  = ENOMEDIUM,
        KART_ECARDCHANGED  = EMEDIUMTYPE,
        KART_EWRONGPIN     = EKEYREJECTED,
        KART_ELASTTRY      = EDQUOT,
        KART_EPINLOCKED    = EKEYEXPIRED,
        KART_ECARDBLOCKED  = EKEYREVOKED,
        KART_EINVALIDPIN   = EDOM,
        KART_ENOTSUPPORTED = EOPNOTSUPP,
        KART_EBUSY         = EBUSY,
        KART_ENOTAUTHORIZED = EPERM,
        KART_EBACKENDUNAVAILABLE = EHOSTUNREACH,
        KART_EBACKENDREJECTED = EBADE,
        KART_EVERIFICATIONCODE = EBADR,
        KART_ESECONDFACTOR = EBADRQC,
        KART_ESESSIONEXPIRED = ETIME,
        KART_ECANCELLED    = ECANCELED,
        KART_ETIMEOUT      = ETIMEDOUT,
        KART_ECARDUNAVAILABLE = ECONNRESET,    /* its PKCS#11 module's host is restarting */
        KART_EFAILED       = EIO,
};

extern const sd_bus_error_map kart_error_map[];

/* Registers kart_error_map with sd-bus (idempotent). */
int kart_error_register(void);

/* The error name for an engine errno (positive or negative), or NULL when
 * the errno is not one of ours (sd-bus then picks a generic name). */
const char *kart_error_name_from_errno(int error);

/* A translated sentence for a D-Bus error name, for clients; NULL when the
 * name is not one of ours. */
const char *kart_error_describe(const char *name);

/* kart_error_describe() for an error received, with what its message adds
 * put in the reader's language too (the seconds a CA did not answer in:
 * "STEP: the CA did not answer in N s."); newly allocated, NULL when the
 * name is not one of ours (or on OOM). */
char *kart_error_sentence(const char *name, const char *message);
