/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

/* The user's web password for the CA, in the user's own keyring (libsecret,
 * schema org.kartd.WebPassword, attributes "serial" and "account"). Only
 * ever the web password: never a PIN, PUK, SMS code or verification code.
 * Without libsecret every call says so and returns -EOPNOTSUPP. */

/* True when kartctl was built with libsecret; else false, and with
 * SAY_WHY that is printed. */
bool keyring_built(bool say_why);

/* The stored web password for the card SERIAL: 1 and *ret (free it with
 * keyring_free(), which wipes it), 0 when none is stored, or a negative
 * errno (the reason printed unless QUIET). */
int keyring_lookup(const char *serial, bool quiet, char **ret);
void keyring_free(char *password);

/* Stores PASSWORD for SERIAL (replacing an older one); 0 or a negative
 * errno with the reason printed. */
int keyring_store(const char *serial, const char *password);

/* Deletes the stored web password of SERIAL, or of every card when SERIAL
 * is NULL: 1 when something was deleted, 0 when nothing was stored, or a
 * negative errno with the reason printed. */
int keyring_forget(const char *serial);
