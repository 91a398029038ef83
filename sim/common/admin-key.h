/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* The card's admin key and the unlock cryptogram of backend protocol v1
 * (doc/backend-protocol.md, "Card side"). Used by the simulated card and
 * the reference backend only: kartd itself never holds an admin key. */

#define ADMIN_KEY_LEN 16
#define ADMIN_CHALLENGE_LEN 16

/* K_card = AES-CMAC(K_master, 00*11 || 4B || 00 || 0080 || 01 || serial || kv)
 * (SP 800-108 counter mode, one block). 0 or -EINVAL/-ENOMEM/-EIO. */
int admin_key_derive(const uint8_t master[ADMIN_KEY_LEN], const uint8_t *serial, size_t serial_len,
                     uint8_t key_version, uint8_t ret[ADMIN_KEY_LEN]);

/* C = AES-CMAC(K_card, "KDEA" || challenge). */
int admin_cryptogram(const uint8_t key[ADMIN_KEY_LEN], const uint8_t challenge[ADMIN_CHALLENGE_LEN],
                     uint8_t ret[ADMIN_KEY_LEN]);
