/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Known cards by ATR, with the quirks a driver must respect. */

enum {
        ATR_QUIRK_NO_EXTENDED_APDU       = 1u << 0,
        ATR_QUIRK_MAX_RESPONSE_244       = 1u << 1,
        ATR_QUIRK_PROPRIETARY_CHANGE_PIN = 1u << 2,     /* 00 24 01 P2, length-prefixed PINs */
        ATR_QUIRK_EMPTY_VERIFY_UNTRUSTED = 1u << 3,     /* never query tries with an empty VERIFY */
};

typedef struct AtrEntry {
        const char *atr;        /* hex */
        const char *mask;       /* hex, same length; NULL: every bit counts */
        bool prefix;            /* the ATR may be longer than the entry */
        const char *model;
        const char *driver;
        unsigned quirks;
} AtrEntry;

/* The entry for this ATR, or NULL. AKİS cards of unknown versions are
 * recognised by "UEKAE" in the historical bytes. */
const AtrEntry *atr_match(const uint8_t *atr, size_t len);

/* The historical bytes of an ATR (ISO 7816-3): -EBADMSG when the ATR is
 * too short for what its interface bytes announce. */
int atr_historical_bytes(const uint8_t *atr, size_t len, const uint8_t **ret, size_t *ret_len);
