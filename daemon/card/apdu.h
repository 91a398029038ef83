/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "transport.h"

#define APDU_MAX_RESPONSE 65538 /* 65536 data + SW */

typedef struct Apdu {
        uint8_t cla, ins, p1, p2;
        const uint8_t *data;
        size_t lc;
        size_t le;              /* 0: no Le; 256 (short) or 65536 (extended) at most */
        bool sensitive;         /* data is a secret: never traced */
} Apdu;

#define SW_OK 0x9000

/* Encodes a into buf as a short APDU, or extended when needed and allowed.
 * -EINVAL when the APDU cannot be encoded, -ENOBUFS when buf is too small. */
int apdu_encode(const Apdu *a, bool extended_ok, uint8_t *buf, size_t size, size_t *ret_len);

/* Sends a and collects the whole response: 61xx is followed by GET
 * RESPONSE, 6Cxx by the same command with Le=xx. The data (without SW)
 * goes to resp (at most resp_size bytes, -EMSGSIZE beyond), the final
 * status word to *sw. Returns <0 only for transport failures. */
int apdu_transmit(Transport *t, const Apdu *a, uint8_t *resp, size_t resp_size,
                  size_t *ret_len, uint16_t *sw);

