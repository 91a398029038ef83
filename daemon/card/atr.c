/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "atr.h"
#include "hexutil.h"
#include "macro.h"

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

bool atr_equals_hex(const uint8_t *atr, size_t len, const char *hex) {
        uint8_t want[ATR_MAX_SIZE];
        size_t n;

        return atr_parse_hex(hex, want, sizeof want, &n) >= 0 && n == len && memcmp(atr, want, n) == 0;
}

bool atr_pattern_match(const uint8_t *bytes, size_t len, const char *pattern) {
        size_t n = strlen(pattern);

        if (n != 2 * len)
                return false;
        for (size_t i = 0; i < n; i++) {
                int want = hex_digit_value(pattern[i]);
                int have = i % 2 == 0 ? bytes[i / 2] >> 4 : bytes[i / 2] & 0x0F;

                if (pattern[i] != '.' && want != have)
                        return false;
        }
        return true;
}
