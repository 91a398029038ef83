/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* kart-gui: a thin GTK 4 and libadwaita face for kartd. Every state shown
 * comes from the daemon's bus objects (proxies generated from the XML in
 * dbus/); the GUI only presents it and forwards the user's input. */

#include <adwaita.h>
#include <gtk/gtk.h>
#include <glib/gi18n.h>

#include "kart-dbus.h"
#include "kart-states.h"

typedef struct KartGui {
        GtkApplication *app;       /* an AdwApplication */
        GtkWindow *window;
        AdwToastOverlay *toasts;
        KartManager *manager;
        AdwViewStack *views;

        /* cards page: a status page ("kartd is not running", "no reader",
         * "insert your card") or one group of rows per card */
        GtkStack *cards_stack;
        AdwStatusPage *cards_status;
        GtkBox *card_list;

        /* certificates page */
        KartCard *selected;        /* the card whose certificates are shown */
        GtkStack *certs_stack;
        AdwPreferencesGroup *certs_group;
        GtkListBox *certs_list;    /* rebuilt on every listing */
        gulong selected_status_id;

        char *unlock_serial;       /* --unlock SERIAL */
} KartGui;

/* kart-gui.c */
KartCard *gui_card_proxy_new(const char *path, GError **error);

/* gui-util.c */
char *gui_error_text(const GError *error);
void gui_show_error(GtkWindow *parent, const char *title, const GError *error);
void gui_show_message(GtkWindow *parent, const char *title, const char *text);
void gui_toast(GtkWindow *window, const char *text);
gboolean gui_present_open(GtkWindow *parent, const char *kind, KartCard *card);
void gui_remember_open(GtkWindow *parent, const char *kind, KartCard *card, GtkWindow *dialog);
GtkWidget *gui_label(const char *text, const char *css_class);
GtkWidget *gui_row_new(const char *title, const char *subtitle);
void gui_set_plain(gpointer object, const char *property, const char *text);
GtkWidget *gui_banner(void);
void gui_banner_set(GtkWidget *banner, const char *icon, const char *css, const char *text);
void gui_set_css_class(GtkWidget *widget, const char *const *classes, const char *wanted);
void gui_call_interactive(gpointer proxy, const char *method, GVariant *params,
                          GAsyncReadyCallback callback, gpointer user_data);
GVariant *gui_call_finish(gpointer proxy, GAsyncResult *result, GError **error);
GtkWidget *gui_entry(const char *placeholder);
GtkWidget *gui_password_entry(const char *placeholder);
GtkWidget *gui_page_box(int spacing);

/* gui-states.c: how a PIN state and a certificate status look */
PinState gui_pin_state(KartCard *card);
const char *gui_pin_state_text(PinState state);
const char *gui_pin_state_icon(PinState state);
const char *gui_pin_state_css(PinState state);
char *gui_pin_tries(KartCard *card);
char *gui_pin_advice(KartCard *card);
extern const char *const gui_state_classes[];
KartCertStatus gui_cert_status(const char *status);
const char *gui_cert_status_text(KartCertStatus status);
const char *gui_cert_status_css(KartCertStatus status);
const char *gui_cert_status_icon(KartCertStatus status);
char *gui_cert_expiry(guint64 not_after, gint64 now);
char *gui_length_rule(guint min, guint max);
GtkWidget *gui_badge(KartCertStatus status);

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
