/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-bus.h>

#include "pkcs15.h"

/* Bounds on a guarded call's arguments, checked before the call is
 * parked: a parked call keeps its whole message while polkit (and maybe
 * a user at an agent) decides, and dbus-daemon lets a message be 32 MiB.
 * Only sizes and counts are checked here; each handler checks the format
 * once the call is authorized. A spec has one letter per argument:
 *
 *   P  a PIN: at most AUTH_ARG_PIN_MAX bytes (no card takes more), else
 *      InvalidPin
 *   W  a word (verification code, method, certificate serial, reason):
 *      at most AUTH_ARG_WORD_MAX bytes
 *   S  a secret (SMS code or web password, 1..256 characters in the
 *      backend protocol): at most AUTH_ARG_SECRET_MAX bytes
 *   O  options, a{sv}: at most AUTH_ARG_OPTIONS_MAX, each named in at
 *      most AUTH_ARG_WORD_MAX bytes, its value of a basic type (strings
 *      at most AUTH_ARG_WORD_MAX bytes)
 *
 * Over a bound: InvalidArgs, but for a PIN. */
#define AUTH_ARG_PIN_MAX PKCS15_PIN_MAX_LENGTH
#define AUTH_ARG_WORD_MAX 64
#define AUTH_ARG_SECRET_MAX 1024
#define AUTH_ARG_OPTIONS_MAX 8

/* 0 when m's arguments are within spec, with m rewound so that its
 * handler reads them from the start; < 0 with error set otherwise (a
 * spec that does not match m's signature is kartd's bug: Failed). */
int auth_args_check(sd_bus_message *m, const char *spec, sd_bus_error *error);
