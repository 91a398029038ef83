/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* Lowercase hex of buf, newly allocated; NULL on OOM. */
char *hex_encode(const uint8_t *buf, size_t len);

/* Parses hex digits, ignoring spaces and ':' between bytes. Returns the
 * number of bytes, -EINVAL on a bad digit or odd count, -ENOBUFS when the
 * result does not fit in size. */
int hex_decode(const char *hex, uint8_t *buf, size_t size);

/* The value of one hex digit (either case), -EINVAL for anything else. */
int hex_digit_value(char c);
