/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A minimal BER-TLV reader for data that comes from a card (PKCS#15
 * directory files, FCP templates). Never reads past the buffer; anything
 * odd is -EBADMSG. Certificates are parsed by OpenSSL, not here. */

typedef struct Tlv {
        uint32_t tag;           /* raw tag bytes, big-endian: 0x30, 0xA8, 0x5F2D */
        bool constructed;
        const uint8_t *value;
        size_t len;
} Tlv;

/* Reads one TLV from *buf (of *len bytes) and advances past it. Returns 1 when one was
 * read, 0 at the end, -EBADMSG when malformed (tag over 3 bytes, indefinite
 * or over-long length, value beyond the buffer). With skip_padding, 00 and
 * FF bytes before a TLV are skipped (files are often padded). */
int tlv_next(const uint8_t **buf, size_t *len, Tlv *out, bool skip_padding);

/* The first direct child of buf with the given tag: 0, or -ENOENT, or
 * -EBADMSG. */
int tlv_find(const uint8_t *buf, size_t len, uint32_t tag, Tlv *out);

/* A non-negative INTEGER/ENUMERATED value of at most 4 bytes. */
int tlv_read_uint(const Tlv *t, uint32_t *ret);

/* A BIT STRING as flags: bit 0 is the first bit (the MSB of the first
 * content byte), as ASN.1 numbers named bits. */
int tlv_read_bits(const Tlv *t, uint32_t *ret);
