/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "atr.h"
#include "hexutil.h"
#include "macro.h"

#define AKIS_QUIRKS (ATR_QUIRK_NO_EXTENDED_APDU | ATR_QUIRK_MAX_RESPONSE_244 | \
                     ATR_QUIRK_PROPRIETARY_CHANGE_PIN | ATR_QUIRK_EMPTY_VERIFY_UNTRUSTED)

/* The seed's guide: an AKİS PIN has 3 tries. */
#define AKIS_PIN_TRIES 3

static const AtrEntry atr_table[] = {
        /* AKİS v1.0: historical bytes "UEKAE V1.0" */
        {
                .atr = "3B:BA:11:00:81:31:FE:4D:55:45:4B:41:45:20:56:31:2E:30:AE",
                .model = "AKİS v1.0",
                .driver = "akis",
                .quirks = AKIS_QUIRKS,
                .pin_tries = AKIS_PIN_TRIES,
        },
        /* AKİS v1.2 and later (v1.2.x, v1.3 seen): "UEKAE", the version
         * byte 12, then a chip byte and fixed bytes that differ between
         * chip vendors, and TCK. */
        {
                .atr  = "3B:9F:96:81:31:FE:45:80:67:55:45:4B:41:45:12:00:00:00:00:00:00:00:00",
                .mask = "FF:FF:FF:FF:FF:FF:FF:FF:FF:FF:FF:FF:FF:FF:FF:00:00:00:00:00:00:00:00",
                .model = "AKİS v1.2+",
                .driver = "akis",
                .quirks = AKIS_QUIRKS,
                .pin_tries = AKIS_PIN_TRIES,
        },
        /* The project's reference card (sim/cardsim), whose empty VERIFY
         * is specified as a query that costs nothing. A real card joins
         * with this quirk only when it is known to behave the same. */
        {
                .atr = "3B:8B:80:01:80:57:4B:41:52:54:53:49:4D:31:C0:77",
                .model = "kartd reference card (simulated)",
                .driver = "pkcs15",
                .quirks = ATR_QUIRK_EMPTY_VERIFY_QUERY,
                .pin_tries = 3,         /* sim/cardsim/default.profile */
        },
};

/* Any other card with UEKAE in its historical bytes. */
static const AtrEntry akis_generic = {
        .atr = "",
        .model = "AKİS (unknown version)",
        .driver = "akis",
        .quirks = AKIS_QUIRKS,
        .pin_tries = AKIS_PIN_TRIES,
};

const AtrEntry *atr_apply_quirks(Transport *t) {
        const AtrEntry *e = atr_match(t->atr, t->atr_len);

        if (!e)
                return NULL;
        if (e->quirks & ATR_QUIRK_MAX_RESPONSE_244)
                t->max_recv = 244;
        if (e->quirks & ATR_QUIRK_NO_EXTENDED_APDU)
                t->extended = false;
        return e;
}

int atr_parse_hex(const char *hex, uint8_t *buf, size_t size, size_t *ret_len) {
        int n;

        n = hex_decode(hex, buf, size);
        if (n < 0)
                return n;
        *ret_len = (size_t) n;
        return 0;
}

int atr_historical_bytes(const uint8_t *atr, size_t len, const uint8_t **ret, size_t *ret_len) {
        size_t i = 1, k;        /* i: index of T0, then of each TDi */
        uint8_t y;

        if (len < 2 || (atr[0] != 0x3B && atr[0] != 0x3F))
                return -EBADMSG;
        k = atr[1] & 0x0F;
        y = atr[1] >> 4;
        for (;;) {
                /* Y's bits say which of TAi, TBi, TCi, TDi follow. */
                i += __builtin_popcount(y & 0x7);
                if (!(y & 0x8))
                        break;
                i++;
                if (i >= len)
                        return -EBADMSG;
                y = atr[i] >> 4;
        }
        /* The historical bytes come after the last interface byte; TCK
         * (if any) after them is not ours to check. */
        i++;
        if (i > len || k > len - i)
                return -EBADMSG;
        *ret = atr + i;
        *ret_len = k;
        return 0;
}

bool atr_is_akis(const uint8_t *atr, size_t len) {
        const uint8_t *hist;
        size_t hlen;

        if (atr_historical_bytes(atr, len, &hist, &hlen) < 0)
                return false;
        return memmem(hist, hlen, "UEKAE", 5) != NULL;
}

static bool entry_matches(const AtrEntry *e, const uint8_t *atr, size_t len) {
        uint8_t want[ATR_MAX_SIZE], mask[ATR_MAX_SIZE];
        size_t n, m;

        if (atr_parse_hex(e->atr, want, sizeof want, &n) < 0 || n != len)
                return false;
        if (e->mask) {
                if (atr_parse_hex(e->mask, mask, sizeof mask, &m) < 0 || m != n)
                        return false;
        } else
                memset(mask, 0xFF, n);
        for (size_t i = 0; i < n; i++)
                if ((atr[i] & mask[i]) != (want[i] & mask[i]))
                        return false;
        return true;
}

const AtrEntry *atr_match(const uint8_t *atr, size_t len) {
        if (!atr || len == 0 || len > ATR_MAX_SIZE)
                return NULL;
        for (size_t i = 0; i < ELEMENTSOF(atr_table); i++)
                if (entry_matches(&atr_table[i], atr, len))
                        return &atr_table[i];
        if (atr_is_akis(atr, len))
                return &akis_generic;
        return NULL;
}
