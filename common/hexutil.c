/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <stdlib.h>

#include "hexutil.h"

char *hex_encode(const uint8_t *buf, size_t len) {
        static const char digits[] = "0123456789abcdef";
        char *s;

        s = malloc(len * 2 + 1);
        if (!s)
                return NULL;
        for (size_t i = 0; i < len; i++) {
                s[2 * i] = digits[buf[i] >> 4];
                s[2 * i + 1] = digits[buf[i] & 0xf];
        }
        s[len * 2] = 0;
        return s;
}

int hex_digit_value(char c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -EINVAL;
}

int hex_decode(const char *hex, uint8_t *buf, size_t size) {
        size_t n = 0;

        for (const char *p = hex; *p; ) {
                int hi, lo;

                if (*p == ' ' || *p == ':') {
                        p++;
                        continue;
                }
                hi = hex_digit_value(p[0]);
                if (hi < 0 || !p[1])
                        return -EINVAL;
                lo = hex_digit_value(p[1]);
                if (lo < 0)
                        return -EINVAL;
                if (n >= size)
                        return -ENOBUFS;
                buf[n++] = (uint8_t) (hi << 4 | lo);
                p += 2;
        }
        return (int) n;
}
