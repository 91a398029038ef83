/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A small DER writer: enough for EF.DIR, ODF, TokenInfo, AODF, PrKDF, CDF
 * and FCP templates. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cardsim.h"

void buf_free(Buf *b) {
        free(b->data);
        *b = (Buf) {};
}

static int buf_reserve(Buf *b, size_t extra) {
        if (b->len + extra <= b->cap)
                return 0;
        size_t cap = b->cap ? b->cap : 64;
        while (cap < b->len + extra)
                cap *= 2;
        uint8_t *d = realloc(b->data, cap);
        if (!d) {
                b->oom = true;
                return -ENOMEM;
        }
        b->data = d;
        b->cap = cap;
        return 0;
}

int buf_put(Buf *b, const void *p, size_t n) {
        int r = buf_reserve(b, n);
        if (r < 0)
                return r;
        if (n)
                memcpy(b->data + b->len, p, n);
        b->len += n;
        return 0;
}

int buf_put_byte(Buf *b, uint8_t v) {
        return buf_put(b, &v, 1);
}

static int put_tag(Buf *b, unsigned tag) {
        if (tag > 0xff) {
                int r = buf_put_byte(b, tag >> 8);
                if (r < 0)
                        return r;
        }
        return buf_put_byte(b, tag & 0xff);
}

static size_t len_size(size_t n) {
        return n < 0x80 ? 1 : n < 0x100 ? 2 : n < 0x10000 ? 3 : 4;
}

static void encode_len(uint8_t *p, size_t n) {
        size_t s = len_size(n);
        if (s == 1) {
                p[0] = n;
                return;
        }
        p[0] = 0x80 | (s - 1);
        for (size_t i = 1; i < s; i++)
                p[i] = n >> (8 * (s - 1 - i));
}

int tlv_put(Buf *b, unsigned tag, const void *v, size_t n) {
        uint8_t l[4];
        int r;

        r = put_tag(b, tag);
        if (r < 0)
                return r;
        encode_len(l, n);
        r = buf_put(b, l, len_size(n));
        if (r < 0)
                return r;
        return buf_put(b, v, n);
}

int tlv_put_int(Buf *b, unsigned tag, long v) {
        uint8_t d[sizeof(long) + 1];
        size_t n = 0;

        /* Minimal two's complement, big endian. */
        for (int i = sizeof(long) - 1; i >= 0; i--)
                d[n++] = (unsigned long) v >> (8 * i);
        size_t start = 0;
        while (start < n - 1 &&
               ((d[start] == 0x00 && !(d[start + 1] & 0x80)) ||
                (d[start] == 0xff && (d[start + 1] & 0x80))))
                start++;
        return tlv_put(b, tag, d + start, n - start);
}

int tlv_put_str(Buf *b, unsigned tag, const char *s) {
        return tlv_put(b, tag, s, strlen(s));
}

int tlv_put_bits(Buf *b, unsigned tag, uint32_t bits) {
        uint8_t d[5] = {};
        int last = -1;

        for (int i = 0; i < 32; i++)
                if (bits & (UINT32_C(1) << i)) {
                        d[1 + i / 8] |= 0x80 >> (i % 8);
                        last = i;
                }
        if (last < 0)
                return tlv_put(b, tag, d, 1);
        size_t nbytes = last / 8 + 1;
        d[0] = 7 - last % 8;    /* unused bits in the last byte */
        return tlv_put(b, tag, d, 1 + nbytes);
}

size_t tlv_open(Buf *b, unsigned tag) {
        /* Tag plus a one-byte length placeholder; tlv_close() widens it. On
         * allocation failure the mark is SIZE_MAX and tlv_close() fails. */
        if (put_tag(b, tag) < 0 || buf_put_byte(b, 0) < 0)
                return SIZE_MAX;
        return b->len;
}

int tlv_close(Buf *b, size_t mark) {
        if (b->oom || mark == SIZE_MAX || mark > b->len)
                return -ENOMEM;
        size_t n = b->len - mark;
        size_t s = len_size(n);
        if (s > 1) {
                int r = buf_reserve(b, s - 1);
                if (r < 0)
                        return r;
                memmove(b->data + mark + s - 1, b->data + mark, n);
                b->len += s - 1;
        }
        encode_len(b->data + mark - 1, n);
        return 0;
}
