/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>

#include "tlv.h"

int tlv_next(const uint8_t **buf, size_t *len, Tlv *out, bool skip_padding) {
        const uint8_t *p = *buf;
        size_t left = *len, n;
        uint32_t tag;

        if (skip_padding)
                while (left > 0 && (*p == 0x00 || *p == 0xFF)) {
                        p++;
                        left--;
                }
        if (left == 0) {
                *buf = p;
                *len = 0;
                return 0;
        }

        tag = *p;
        out->constructed = *p & 0x20;
        p++, left--;
        if ((tag & 0x1F) == 0x1F) {
                /* Multi-byte tag: at most two more bytes. */
                for (int i = 0; ; i++) {
                        if (left == 0 || i >= 2)
                                return -EBADMSG;
                        tag = tag << 8 | *p;
                        left--;
                        if (!(*p++ & 0x80))
                                break;
                }
        }

        if (left == 0)
                return -EBADMSG;
        n = *p++;
        left--;
        if (n & 0x80) {
                size_t k = n & 0x7F;

                if (k == 0 || k > 3 || k > left)
                        return -EBADMSG;        /* indefinite, or > 16 MiB */
                n = 0;
                while (k-- > 0) {
                        n = n << 8 | *p++;
                        left--;
                }
        }
        if (n > left)
                return -EBADMSG;

        out->tag = tag;
        out->value = p;
        out->len = n;
        *buf = p + n;
        *len = left - n;
        return 1;
}

int tlv_find(const uint8_t *buf, size_t len, uint32_t tag, Tlv *out) {
        Tlv t;
        int r;

        while ((r = tlv_next(&buf, &len, &t, false)) > 0)
                if (t.tag == tag) {
                        *out = t;
                        return 0;
                }
        return r < 0 ? r : -ENOENT;
}

int tlv_read_uint(const Tlv *t, uint32_t *ret) {
        uint32_t v = 0;
        size_t i = 0, len = t->len;

        if (len == 0 || (t->value[0] & 0x80))
                return -EBADMSG;        /* empty or negative */
        /* One leading zero byte keeps 0x80..0xFF positive. */
        if (len > 1 && t->value[0] == 0) {
                i = 1;
        }
        if (len - i > 4)
                return -ERANGE;
        for (; i < len; i++)
                v = v << 8 | t->value[i];
        *ret = v;
        return 0;
}

int tlv_read_bits(const Tlv *t, uint32_t *ret) {
        uint32_t v = 0;

        if (t->len == 0 || t->value[0] > 7 || (t->len == 1 && t->value[0] != 0))
                return -EBADMSG;
        for (size_t i = 1; i < t->len && i <= 4; i++)
                for (int b = 0; b < 8; b++)
                        if (t->value[i] & (0x80 >> b))
                                v |= 1u << ((i - 1) * 8 + b);
        *ret = v;
        return 0;
}
