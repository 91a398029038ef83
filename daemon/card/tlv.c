/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>

#include "tlv.h"

/* Two subsequent tag bytes at most (tag numbers up to 16383): more than
 * any ISO 7816 or PKCS#15 structure uses. */
#define TLV_MAX_TAG_BYTES 3
/* 0x84 + 4 bytes: lengths up to 4 GiB, checked against the buffer anyway. */
#define TLV_MAX_LEN_BYTES 4

int tlv_next(const uint8_t **buf, size_t *len, Tlv *out, bool skip_padding) {
        const uint8_t *p = *buf;
        size_t left = *len;
        uint64_t n;
        uint32_t tag;
        bool constructed;

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

        /* A 00 tag is BER end-of-contents, which only follows an indefinite
         * length: we accept neither. */
        if (*p == 0x00)
                return -EBADMSG;
        tag = *p;
        constructed = *p & 0x20;
        p++, left--;
        if ((tag & 0x1F) == 0x1F)
                /* i counts the tag bytes read so far */
                for (size_t i = 1; ; i++) {
                        if (left == 0 || i >= TLV_MAX_TAG_BYTES)
                                return -EBADMSG;
                        tag = tag << 8 | *p;
                        left--;
                        if (!(*p++ & 0x80))
                                break;
                }

        if (left == 0)
                return -EBADMSG;
        n = *p++;
        left--;
        if (n & 0x80) {
                size_t k = n & 0x7F;

                /* 0x80 is the indefinite form; 0xFF is reserved. */
                if (k == 0 || k > TLV_MAX_LEN_BYTES || k > left)
                        return -EBADMSG;
                n = 0;
                for (; k > 0; k--, left--)
                        n = n << 8 | *p++;
        }
        if (n > left)
                return -EBADMSG;

        *out = (Tlv) {
                .tag = tag,
                .constructed = constructed,
                .value = p,
                .len = (size_t) n,
        };
        *buf = p + n;
        *len = left - (size_t) n;
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
        const uint8_t *v = t->value;
        size_t len = t->len;
        uint32_t x = 0;

        if (len == 0 || t->constructed)
                return -EBADMSG;
        if (v[0] & 0x80)
                return -ERANGE;         /* negative */
        /* BER allows redundant leading zeros; they do not count. */
        while (len > 1 && v[0] == 0) {
                v++;
                len--;
        }
        if (len > 4)
                return -ERANGE;
        for (size_t i = 0; i < len; i++)
                x = x << 8 | v[i];
        *ret = x;
        return 0;
}

int tlv_read_int(const Tlv *t, int32_t *ret) {
        uint32_t x;

        if (t->len == 0 || t->constructed)
                return -EBADMSG;
        if (t->len > 4)
                return -ERANGE;
        /* Sign-extend from the first byte, then shift the rest in. */
        x = (t->value[0] & 0x80) ? UINT32_MAX : 0;
        for (size_t i = 0; i < t->len; i++)
                x = x << 8 | t->value[i];
        *ret = (int32_t) x;
        return 0;
}

int tlv_read_bits(const Tlv *t, uint32_t *ret) {
        uint32_t x = 0;
        uint8_t unused;

        if (t->len == 0 || t->constructed)
                return -EBADMSG;
        unused = t->value[0];
        if (unused > 7 || (t->len == 1 && unused != 0))
                return -EBADMSG;
        for (size_t i = 1; i < t->len && i <= 4; i++) {
                uint8_t byte = t->value[i];

                if (i == t->len - 1)
                        byte &= (uint8_t) (0xFF << unused);
                for (unsigned b = 0; b < 8; b++)
                        if (byte & (0x80 >> b))
                                x |= 1u << ((i - 1) * 8 + b);
        }
        *ret = x;
        return 0;
}

int tlv_cursor_peek(TlvCursor *c, const Tlv **ret) {
        if (!c->have) {
                int r = tlv_next(&c->p, &c->left, &c->cur, false);
                if (r <= 0)
                        return r;
                c->have = true;
        }
        *ret = &c->cur;
        return 1;
}

int tlv_cursor_take(TlvCursor *c, uint32_t tag, Tlv *ret) {
        const Tlv *t;
        int r;

        r = tlv_cursor_peek(c, &t);
        if (r <= 0 || t->tag != tag)
                return r < 0 ? r : 0;
        *ret = *t;
        c->have = false;
        return 1;
}

int tlv_cursor_finish(TlvCursor *c) {
        Tlv t;
        int r;

        c->have = false;
        while ((r = tlv_next(&c->p, &c->left, &t, false)) > 0)
                ;
        return r;
}
