/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The holder's web password in their own keyring (libsecret, schema
 * org.kartd.WebPassword shared with kartctl), asynchronously so that a
 * keyring prompt never freezes the window. Stored only when the holder
 * ticks the box and the CA accepted the password; used only when they
 * press the button; deleted with "Forget". */
#include "config.h"

#include "kart-gui.h"

#if HAVE_LIBSECRET
#include "web-password-schema.h"

gboolean gui_keyring_available(void) {
        return TRUE;
}

void gui_keyring_search(const char *serial, GAsyncReadyCallback callback, gpointer user_data) {
        g_autoptr(GHashTable) attributes = g_hash_table_new(g_str_hash, g_str_equal);

        g_hash_table_insert(attributes, (gpointer) "serial", (gpointer) serial);
        secret_password_searchv(&kart_web_password_schema, attributes, SECRET_SEARCH_NONE, NULL,
                                callback, user_data);
}

gboolean gui_keyring_search_finish(GAsyncResult *result, GError **error) {
        GList *found = secret_password_search_finish(result, error);
        gboolean any = found != NULL;

        g_list_free_full(found, g_object_unref);
        return any;
}

void gui_keyring_lookup(const char *serial, GAsyncReadyCallback callback, gpointer user_data) {
        secret_password_lookup(&kart_web_password_schema, NULL, callback, user_data, "serial", serial, NULL);
}

char *gui_keyring_lookup_finish(GAsyncResult *result, GError **error) {
        return secret_password_lookup_nonpageable_finish(result, error);
}

void gui_keyring_free(char *password) {
        if (password)
                secret_password_free(password);        /* wipes it */
}

void gui_keyring_store(const char *serial, const char *password, GAsyncReadyCallback callback,
                       gpointer user_data) {
        g_autofree char *label = g_strdup_printf(_("Web password of the CA account for smart card %s"), serial);

        /* As kartctl does: the account is the card. */
        secret_password_store(&kart_web_password_schema, SECRET_COLLECTION_DEFAULT, label, password, NULL,
                              callback, user_data, "serial", serial, "account", serial, NULL);
}

gboolean gui_keyring_store_finish(GAsyncResult *result, GError **error) {
        return secret_password_store_finish(result, error);
}

void gui_keyring_forget(const char *serial, GAsyncReadyCallback callback, gpointer user_data) {
        secret_password_clear(&kart_web_password_schema, NULL, callback, user_data, "serial", serial, NULL);
}

/* TRUE also when there was nothing to delete. */
gboolean gui_keyring_forget_finish(GAsyncResult *result, GError **error) {
        GError *local = NULL;

        secret_password_clear_finish(result, &local);
        if (local) {
                g_propagate_error(error, local);
                return FALSE;
        }
        return TRUE;
}

#else /* !HAVE_LIBSECRET: the wizard hides the keyring's controls */

gboolean gui_keyring_available(void) {
        return FALSE;
}

static void unsupported(GAsyncReadyCallback callback, gpointer user_data) {
        g_autoptr(GTask) task = g_task_new(NULL, NULL, callback, user_data);
        g_task_return_new_error(task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                                _("kart-gui was built without libsecret: it cannot use a keyring."));
}

void gui_keyring_search(const char *serial, GAsyncReadyCallback callback, gpointer user_data) {
        unsupported(callback, user_data);
}

gboolean gui_keyring_search_finish(GAsyncResult *result, GError **error) {
        return g_task_propagate_boolean(G_TASK(result), error);
}

void gui_keyring_lookup(const char *serial, GAsyncReadyCallback callback, gpointer user_data) {
        unsupported(callback, user_data);
}

char *gui_keyring_lookup_finish(GAsyncResult *result, GError **error) {
        return g_task_propagate_pointer(G_TASK(result), error);
}

void gui_keyring_free(char *password) {
}

void gui_keyring_store(const char *serial, const char *password, GAsyncReadyCallback callback,
                       gpointer user_data) {
        unsupported(callback, user_data);
}

gboolean gui_keyring_store_finish(GAsyncResult *result, GError **error) {
        return g_task_propagate_boolean(G_TASK(result), error);
}

void gui_keyring_forget(const char *serial, GAsyncReadyCallback callback, gpointer user_data) {
        unsupported(callback, user_data);
}

gboolean gui_keyring_forget_finish(GAsyncResult *result, GError **error) {
        return g_task_propagate_boolean(G_TASK(result), error);
}

#endif
