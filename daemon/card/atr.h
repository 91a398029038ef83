/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ATR helpers for the drivers' matching rules (each driver owns its ATR
 * table: card-akis.c, card-pkcs15.c). ATRs come from the card: untrusted. */

#define ATR_MAX_SIZE 33         /* ISO/IEC 7816-3: TS and at most 32 more bytes */

/* The historical bytes of an ATR, found by walking T0 and the TDi chain
 * (ISO/IEC 7816-3): *ret points into atr. -EBADMSG when TS is not 3B/3F or
 * the ATR is too short for what its interface bytes announce. */
int atr_historical_bytes(const uint8_t *atr, size_t len, const uint8_t **ret, size_t *ret_len);

/* Parses "3B:BA:11", "3B BA 11" or "3bba11" into buf: 0, -EINVAL on a bad
 * digit or odd count, -ENOBUFS when it does not fit in size. */
int atr_parse_hex(const char *hex, uint8_t *buf, size_t size, size_t *ret_len);

/* Whether atr is exactly the ATR written in hex. */
bool atr_equals_hex(const uint8_t *atr, size_t len, const char *hex);

/* Whether bytes match pattern: plain hex digits, where '.' stands for any
 * one hex digit ("80655443......31C073F6218081..": the form TÜBİTAK's
 * AkisTemplate writes its rules in). The whole of bytes must match. */
bool atr_pattern_match(const uint8_t *bytes, size_t len, const char *pattern);
