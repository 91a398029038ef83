/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A minimal BER-TLV reader for data that comes from a card (PKCS#15
 * directory files, FCP templates). Never reads past the buffer; anything
 * odd is -EBADMSG. Certificates are parsed by OpenSSL, not here.
 *
 * Nothing here recurses: callers descend into constructed values one known
 * level at a time, so hostile nesting costs no stack. */

typedef struct Tlv {
        uint32_t tag;           /* raw tag bytes, big-endian: 0x30, 0xA8, 0x5F2D, 0x9F7F */
        bool constructed;
        const uint8_t *value;   /* points into the caller's buffer */
        size_t len;
} Tlv;

/* Reads one TLV from *buf (of *len bytes) and advances past it. Returns 1
 * when one was read, 0 at the end, -EBADMSG when malformed (tag over 3
 * bytes, indefinite length, length field over 4 bytes, value beyond the
 * buffer). With skip_padding, 00 and FF bytes before a TLV are skipped
 * (EF.DIR and ODF files are padded to the file size). On error *buf and
 * *len are left alone. */
int tlv_next(const uint8_t **buf, size_t *len, Tlv *out, bool skip_padding);

/* The first direct child of buf with the given tag: 0, or -ENOENT, or
 * -EBADMSG when the children before it are malformed. */
int tlv_find(const uint8_t *buf, size_t len, uint32_t tag, Tlv *out);

/* A non-negative INTEGER/ENUMERATED value of at most 4 significant bytes:
 * -EBADMSG when empty or constructed, -ERANGE when negative or too big.
 * The tag is not checked, so context-tagged integers ([0] ...) work. */
int tlv_read_uint(const Tlv *t, uint32_t *ret);

/* A signed INTEGER of at most 4 bytes (two's complement). */
int tlv_read_int(const Tlv *t, int32_t *ret);

/* A BIT STRING as flags: ASN.1 named bit n (the n-th bit counted from the
 * MSB of the first content byte after the unused-bits byte) becomes
 * 1u << n. Bits past 31 are dropped; padding bits are ignored. */
int tlv_read_bits(const Tlv *t, uint32_t *ret);

/* Sequential reading of the children of a constructed value, with a look
 * at the next child before taking it: how optional fields of an ASN.1
 * SEQUENCE are told apart. */
typedef struct TlvCursor {
        const uint8_t *p;
        size_t left;
        Tlv cur;
        bool have;
} TlvCursor;

static inline TlvCursor tlv_cursor(const Tlv *parent) {
        return (TlvCursor) { .p = parent->value, .left = parent->len };
}

/* 1 with *ret set to the next child (not consumed), 0 at the end, or
 * -EBADMSG. */
int tlv_cursor_peek(TlvCursor *c, const Tlv **ret);

/* Consumes the next child when it has the given tag: 1 and *ret, or 0
 * (absent: the child is left for the next field), or -EBADMSG. */
int tlv_cursor_take(TlvCursor *c, uint32_t tag, Tlv *ret);

/* Checks that what is left is a well-formed list of TLVs. */
int tlv_cursor_finish(TlvCursor *c);
