/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "atr.h"
#include "hexutil.h"
#include "macro.h"

#define AKIS_QUIRKS (ATR_QUIRK_NO_EXTENDED_APDU | ATR_QUIRK_MAX_RESPONSE_244 | \
                     ATR_QUIRK_PROPRIETARY_CHANGE_PIN | ATR_QUIRK_EMPTY_VERIFY_UNTRUSTED)

static const AtrEntry atr_table[] = {
        /* AKİS v1.0: historical bytes "UEKAE V1.0" */
        { "3BBA11008131FE4D55454B41452056312E30AE", NULL, false, "AKİS v1.0", "akis", AKIS_QUIRKS },
        /* AKİS v1.2 and later: "UEKAE" then a version byte and chip data */
        { "3B9F968131FE45806755454B414512", NULL, true, "AKİS v1.2+", "akis", AKIS_QUIRKS },
};

/* Any AKİS the table does not list yet. */
static const AtrEntry akis_generic = {
        "", NULL, true, "AKİS (unknown version)", "akis", AKIS_QUIRKS,
};

int atr_historical_bytes(const uint8_t *atr, size_t len, const uint8_t **ret, size_t *ret_len) {
        size_t i = 1, k;
        uint8_t y;

        if (len < 2 || (atr[0] != 0x3B && atr[0] != 0x3F))
                return -EBADMSG;
        k = atr[1] & 0x0F;
        y = atr[1] >> 4;
        for (;;) {
                /* TAi, TBi, TCi present per bits 5..7 of Y; TDi per bit 8. */
                i += __builtin_popcount(y & 0x7);
                if (!(y & 0x8))
                        break;
                i++;
                if (i >= len)
                        return -EBADMSG;
                y = atr[i] >> 4;
        }
        i++;
        if (i + k > len)
                return -EBADMSG;
        *ret = atr + i;
        *ret_len = k;
        return 0;
}

static bool entry_matches(const AtrEntry *e, const uint8_t *atr, size_t len) {
        uint8_t want[33], mask[33];
        int n, m = 0;

        n = hex_decode(e->atr, want, sizeof want);
        if (n <= 0 || (size_t) n > len || (!e->prefix && (size_t) n != len))
                return false;
        if (e->mask) {
                m = hex_decode(e->mask, mask, sizeof mask);
                if (m != n)
                        return false;
        }
        for (int i = 0; i < n; i++)
                if ((atr[i] & (e->mask ? mask[i] : 0xFF)) != want[i])
                        return false;
        return true;
}

const AtrEntry *atr_match(const uint8_t *atr, size_t len) {
        const uint8_t *hist;
        size_t hlen;

        for (size_t i = 0; i < ELEMENTSOF(atr_table); i++)
                if (entry_matches(&atr_table[i], atr, len))
                        return &atr_table[i];

        if (atr_historical_bytes(atr, len, &hist, &hlen) >= 0 &&
            memmem(hist, hlen, "UEKAE", 5))
                return &akis_generic;
        return NULL;
}
