/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <systemd/sd-bus.h>

#include "kartctl.h"

typedef struct SessionArgs {
        bool use_stdin;                 /* answers one per line on standard input */
        const char *method;             /* "sms", "password", NULL: ask */
        const char *serial;
} SessionArgs;

typedef struct SessionInfo {
        char **methods;
        char *sms_destination;
        uint32_t pin_min, pin_max;
} SessionInfo;

void session_info_done(SessionInfo *i);

/* One answer, from stdin or the terminal (echo off for secrets); 0 or an exit code. */
int kartctl_ask(const SessionArgs *a, const char *prompt, bool secret, char *buf, size_t size);
/* A Session method with up to two string arguments, marked sensitive. */
int kartctl_call_session(sd_bus *bus, const char *path, const char *method, sd_bus_error *error,
                         const char *a1, const char *a2);
/* Verification code -> Unlock or CertificateSession -> second factor.
 * *ret_path is set as soon as the session exists (cancel it on failure).
 * Returns 0 or an exit code. */
int kartctl_session_open(sd_bus *bus, const SessionArgs *a, const char *card, bool unlock,
                         char **ret_path, SessionInfo *info);
void kartctl_session_cancel(sd_bus *bus, const char *path);
