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
        bool remember;                  /* store the web password in the keyring after it is confirmed */
        bool use_stored;                /* confirm with the stored web password without asking */
} SessionArgs;

#define SESSION_KEYRING_HELP \
        N_("\nWith --remember the web password, once the CA has accepted it, is kept in\n" \
           "your keyring (never a PIN or a code); next time kartctl asks whether to use it\n" \
           "('kartctl forget' deletes it). With --stdin it is used only with --use-stored,\n" \
           "which implies --method password and reads no line for the password; if the CA\n" \
           "refuses it, kartctl fails and keeps it.\n")

typedef struct SessionInfo {
        char **methods;
        char *sms_destination;
        uint32_t pin_min, pin_max;
} SessionInfo;

void session_info_done(SessionInfo *i);

/* The options of every session command (--stdin, --method, --remember,
 * --use-stored; with reason non-NULL also --reason and --json); at most
 * max_args plain arguments, from optind on. 0, -1 after --help, or an
 * exit code. */
int kartctl_session_parse_args(int argc, char *argv[], const char *usage, int max_args, SessionArgs *a,
                               const char **reason);
/* Checks --remember and --use-stored against --method and the build;
 * 0 or an exit code. */
int kartctl_session_check_args(const SessionArgs *a);
/* The card's serial number (its Serial property); 0 or an exit code. */
int kartctl_card_serial(sd_bus *bus, const char *card, char **ret);

/* One answer, from stdin or the terminal (echo off for secrets); 0 or an exit code. */
int kartctl_ask(const SessionArgs *a, const char *prompt, bool secret, char *buf, size_t size);
/* A Session method with up to two string arguments, marked sensitive. */
int kartctl_call_session(sd_bus *bus, const char *path, const char *method, sd_bus_error *error,
                         const char *a1, const char *a2);
/* Verification code -> Unlock or CertificateSession -> second factor.
 * *ret_path is set as soon as the session exists (cancel it on failure).
 * Returns 0 or an exit code. */
/* kartd's Manager.UnlockPortal: where the holder gets a verification code
 * (and, for a CA that unlocks its cards itself, where to unlock); NULL
 * when kartd knows none. */
char *kartctl_unlock_portal(sd_bus *bus);
int kartctl_session_open(sd_bus *bus, const SessionArgs *a, const char *card, bool unlock,
                         char **ret_path, SessionInfo *info);
void kartctl_session_cancel(sd_bus *bus, const char *path);
