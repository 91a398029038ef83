/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The one definition of how kartctl and kart-gui keep the holder's web
 * password (of the CA's portal) in the user's keyring: schema
 * org.kartd.WebPassword, attributes "serial" (the card) and "account".
 * Never a PIN, PUK, SMS code or verification code. */

#include <libsecret/secret.h>

extern const SecretSchema kart_web_password_schema;
