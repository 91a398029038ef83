/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A printable, valid UTF-8 copy of untrusted bytes (from a card or a
 * server): invalid sequences and control characters become '?', trailing
 * spaces and NULs are dropped. NULL on OOM. D-Bus strings must be valid
 * UTF-8, so nothing from outside reaches the bus without this. */
char *utf8_sanitize(const uint8_t *p, size_t len);

/* Wipes a secret string (a session token) and frees it; NULL is fine.
 * Returns NULL. */
char *string_erase_free(char *s);

/* How much of a caller's input an error message repeats. */
#define ECHO_MAX 32

/* A short, printable copy of what a caller sent, to repeat in an error
 * message: at most ECHO_MAX ASCII characters, anything else '?', and
 * "..." when cut. buf holds ECHO_MAX + 4 bytes; returns buf. */
const char *echo_prefix(const char *in, char buf[static ECHO_MAX + 4]);

/* The longest web address kartd takes for a CA's portal. */
#define PORTAL_URL_MAX 512

/* Whether s is an https:// address a person may be sent to: a host,
 * printable ASCII without spaces, quotes, backslashes or angle brackets,
 * at most max characters. */
bool https_url_valid(const char *s, size_t max);
