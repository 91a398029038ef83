/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* kart-gui: a thin GTK 4 face for kartd. Every state shown comes from the
 * daemon's bus objects (proxies generated from the XML in dbus/); the GUI only
 * presents it and forwards the user's input. */

#include <gtk/gtk.h>
#include <glib/gi18n.h>

#include "kart-dbus.h"
#include "kart-states.h"

typedef struct KartGui {
        GtkApplication *app;
        GtkWindow *window;
        KartManager *manager;
        GtkStack *stack;

        /* cards page */
        GtkListBox *card_list;
        GtkLabel *cards_status;

        /* certificates page */
        KartCard *selected;        /* the card whose certificates are shown */
        GtkLabel *certs_title;
        GtkWidget *certs_table;    /* GtkGrid, rebuilt on every listing */
        gulong selected_status_id;

        char *unlock_serial;       /* --unlock SERIAL */
} KartGui;

/* kart-gui.c */
KartCard *gui_card_proxy_new(const char *path, GError **error);

/* gui-util.c */
char *gui_error_text(const GError *error);
void gui_show_error(GtkWindow *parent, const char *title, const GError *error);
void gui_show_message(GtkWindow *parent, const char *title, const char *text);
PinState gui_pin_state(KartCard *card);
char *gui_pin_summary(KartCard *card);
KartCertStatus gui_cert_status(const char *status);
const char *gui_cert_status_text(KartCertStatus status);
const char *gui_cert_status_css(KartCertStatus status);
GtkWidget *gui_label(const char *text, const char *css_class);
void gui_call_interactive(gpointer proxy, const char *method, GVariant *params,
                          GAsyncReadyCallback callback, gpointer user_data);
GVariant *gui_call_finish(gpointer proxy, GAsyncResult *result, GError **error);
GtkWidget *gui_entry(const char *placeholder);
GtkWidget *gui_password_entry(const char *placeholder);
GtkWidget *gui_page_box(int spacing);

/* gui-keyring.c: the web password in the user's keyring (FALSE/errors
 * when built without libsecret) */
gboolean gui_keyring_available(void);
void gui_keyring_search(const char *serial, GAsyncReadyCallback callback, gpointer user_data);
gboolean gui_keyring_search_finish(GAsyncResult *result, GError **error);
void gui_keyring_lookup(const char *serial, GAsyncReadyCallback callback, gpointer user_data);
char *gui_keyring_lookup_finish(GAsyncResult *result, GError **error);
void gui_keyring_free(char *password);
void gui_keyring_store(const char *serial, const char *password, GAsyncReadyCallback callback,
                       gpointer user_data);
gboolean gui_keyring_store_finish(GAsyncResult *result, GError **error);
void gui_keyring_forget(const char *serial, GAsyncReadyCallback callback, gpointer user_data);
gboolean gui_keyring_forget_finish(GAsyncResult *result, GError **error);

/* gui-cards.c */
GtkWidget *gui_cards_page_new(KartGui *gui);
void gui_cards_refresh(KartGui *gui);

/* gui-certs.c */
GtkWidget *gui_certs_page_new(KartGui *gui);
void gui_certs_show(KartGui *gui, KartCard *card);

/* gui-pin.c */
void gui_change_pin_dialog(GtkWindow *parent, KartCard *card);

/* gui-unlock.c */
void gui_unlock_wizard(GtkWindow *parent, KartCard *card);
void gui_certificate_wizard(GtkWindow *parent, KartCard *card);
