/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "transport.h"

/* Known cards by ATR, with the quirks a driver must respect. */

#define ATR_MAX_SIZE 33         /* ISO/IEC 7816-3: TS and at most 32 more bytes */

enum {
        ATR_QUIRK_NO_EXTENDED_APDU       = 1u << 0,
        ATR_QUIRK_MAX_RESPONSE_244       = 1u << 1,
        ATR_QUIRK_PROPRIETARY_CHANGE_PIN = 1u << 2,     /* 00 24 01 P2, length-prefixed PINs */
        ATR_QUIRK_EMPTY_VERIFY_UNTRUSTED = 1u << 3,     /* never query tries with an empty VERIFY */
        ATR_QUIRK_EMPTY_VERIFY_QUERY     = 1u << 4,     /* an empty VERIFY is known to be a free query */
};

/* An entry matches an ATR of the same length whose bytes, ANDed with the
 * mask, equal the entry's bytes ANDed with the mask. */
typedef struct AtrEntry {
        const char *atr;        /* hex, ':'- or space-separated or plain */
        const char *mask;       /* hex, same length; NULL: every bit counts */
        const char *model;
        const char *driver;     /* "akis", "pkcs15", ... */
        unsigned quirks;        /* ATR_QUIRK_* */
        int pin_tries;          /* the PIN's retry counter when full; 0: not known */
} AtrEntry;

/* The entry for this ATR, or NULL. AKİS cards of versions the table does
 * not list are recognised by "UEKAE" in the historical bytes. The result
 * points to constant data. */
const AtrEntry *atr_match(const uint8_t *atr, size_t len);

/* Applies the quirks of t's ATR that concern every exchange (at most 244
 * bytes of response, no extended APDUs) to t; every job on a card runs
 * with them (reader-worker.c). Returns the entry, or NULL when the ATR is
 * not known (t is left as it is). */
const AtrEntry *atr_apply_quirks(Transport *t);

/* Whether the historical bytes contain "UEKAE" (TÜBİTAK UEKAE, the maker
 * of AKİS). */
bool atr_is_akis(const uint8_t *atr, size_t len);

/* The historical bytes of an ATR, found by walking T0 and the TDi chain
 * (ISO/IEC 7816-3): *ret points into atr. -EBADMSG when TS is not 3B/3F or
 * the ATR is too short for what its interface bytes announce. */
int atr_historical_bytes(const uint8_t *atr, size_t len, const uint8_t **ret, size_t *ret_len);

/* Parses "3B:BA:11", "3B BA 11" or "3bba11" into buf: 0, -EINVAL on a bad
 * digit or odd count, -ENOBUFS when it does not fit in size. */
int atr_parse_hex(const char *hex, uint8_t *buf, size_t size, size_t *ret_len);
