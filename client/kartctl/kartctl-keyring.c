/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The web password in the user's keyring, through libsecret's Secret
 * Service client. kartctl keeps it there only when the user asks for it
 * (--remember), uses it only after asking (or with --use-stored), and
 * forgets it with kartctl forget. The password is fetched into
 * non-pageable memory and wiped when freed. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "kartctl-keyring.h"
#include "kartctl.h"

#if HAVE_LIBSECRET
#include "web-password-schema.h"

static int report(const char *what, GError *error) {
        fprintf(stderr, "%s: %s\n", what, error && error->message ? error->message : "?");
        g_clear_error(&error);
        return -EIO;
}

bool keyring_built(bool say_why) {
        return true;
}

int keyring_lookup(const char *serial, bool quiet, char **ret) {
        GError *error = NULL;
        char *pw;

        pw = secret_password_lookup_nonpageable_sync(&kart_web_password_schema, NULL, &error,
                                                     "serial", serial, NULL);
        if (error && quiet) {
                g_clear_error(&error);
                return -EIO;
        }
        if (error)
                return report(_("Could not read your keyring"), error);
        *ret = pw;
        return pw ? 1 : 0;
}

void keyring_free(char *password) {
        if (password)
                secret_password_free(password);        /* wipes it */
}

int keyring_store(const char *serial, const char *password) {
        GError *error = NULL;
        char *label = g_strdup_printf(_("Web password of the CA account for smart card %s"), serial);

        /* The holder's name is not known to kartctl: the account is the card. */
        secret_password_store_sync(&kart_web_password_schema, SECRET_COLLECTION_DEFAULT, label, password, NULL, &error,
                                   "serial", serial, "account", serial, NULL);
        g_free(label);
        return error ? report(_("Could not store the web password in your keyring"), error) : 0;
}

int keyring_forget(const char *serial) {
        GError *error = NULL;
        gboolean removed;

        removed = serial
                ? secret_password_clear_sync(&kart_web_password_schema, NULL, &error, "serial", serial, NULL)
                : secret_password_clear_sync(&kart_web_password_schema, NULL, &error, NULL);
        if (error)
                return report(_("Could not change your keyring"), error);
        return removed ? 1 : 0;
}

#else /* !HAVE_LIBSECRET */

bool keyring_built(bool say_why) {
        if (say_why)
                fprintf(stderr, _("kartctl was not built with libsecret: it cannot use a keyring.\n"));
        return false;
}

int keyring_lookup(const char *serial, bool quiet, char **ret) {
        *ret = NULL;
        return keyring_built(!quiet) ? 0 : -EOPNOTSUPP;
}

void keyring_free(char *password) {
}

int keyring_store(const char *serial, const char *password) {
        return keyring_built(true) ? 0 : -EOPNOTSUPP;
}

int keyring_forget(const char *serial) {
        return keyring_built(true) ? 0 : -EOPNOTSUPP;
}

#endif
