/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Small pieces shared by the pages and dialogs of kart-gui. */
#include "config.h"

#include "kart-error.h"
#include "kart-gui.h"

/* The daemon's error as the user should read it: our translated sentence
 * for the error name, then the daemon's own detail (tries left...). */
char *gui_error_text(const GError *error) {
        g_autofree char *name = NULL;
        g_autoptr(GError) copy = NULL;
        g_autofree char *sentence = NULL;
        const char *detail;

        if (!error)
                return g_strdup(_("Unknown error"));
        name = g_dbus_error_get_remote_error(error);
        copy = g_error_copy(error);
        g_dbus_error_strip_remote_error(copy);
        detail = copy->message;
        sentence = name ? kart_error_sentence(name, detail) : NULL;
        if (name && g_str_equal(name, "org.freedesktop.DBus.Error.ServiceUnknown")) {
                free(sentence);
                sentence = g_strdup(_("kartd is not running."));
        }
        if (sentence && detail && *detail && !g_str_equal(sentence, detail))
                return g_strdup_printf("%s\n%s", sentence, detail);
        return g_strdup(sentence ? sentence : detail);
}

static void on_message_close(GtkButton *button, gpointer window) {
        gtk_window_destroy(GTK_WINDOW(window));
}

void gui_show_message(GtkWindow *parent, const char *title, const char *text) {
        GtkWidget *window, *box, *label, *button;

        window = gtk_window_new();
        gtk_window_set_title(GTK_WINDOW(window), title);
        gtk_window_set_modal(GTK_WINDOW(window), TRUE);
        if (parent)
                gtk_window_set_transient_for(GTK_WINDOW(window), parent);
        box = gui_page_box(12);
        gtk_box_append(GTK_BOX(box), gui_label(title, "title-4"));
        label = gui_label(text, NULL);
        gtk_label_set_wrap(GTK_LABEL(label), TRUE);
        gtk_label_set_max_width_chars(GTK_LABEL(label), 60);
        gtk_label_set_selectable(GTK_LABEL(label), TRUE);
        gtk_box_append(GTK_BOX(box), label);
        button = gtk_button_new_with_mnemonic(_("_Close"));
        gtk_widget_set_halign(button, GTK_ALIGN_END);
        g_signal_connect(button, "clicked", G_CALLBACK(on_message_close), window);
        gtk_box_append(GTK_BOX(box), button);
        gtk_window_set_child(GTK_WINDOW(window), box);
        gtk_window_present(GTK_WINDOW(window));
}

void gui_show_error(GtkWindow *parent, const char *title, const GError *error) {
        g_autofree char *text = gui_error_text(error);
        gui_show_message(parent, title, text);
}

/* The card's PinState property; a state this kart-gui does not know (a
 * newer kartd's) is unknown. */
PinState gui_pin_state(KartCard *card) {
        PinState state = pin_state_from_string(kart_card_get_pin_state(card));

        return state < 0 ? PIN_STATE_UNKNOWN : state;
}

static const char *pin_state_text(PinState state) {
        switch (state) {
        case PIN_STATE_OK:
                return _("PIN usable");
        case PIN_STATE_LAST_TRY:
                return _("PIN on its last try");
        case PIN_STATE_LOCKED:
                return _("PIN locked");
        case PIN_STATE_BLOCKED:
                return _("Card blocked");
        default:
                return _("PIN state unknown");
        }
}

/* "PIN usable — 3 of 3 tries left", from the card's properties. */
char *gui_pin_summary(KartCard *card) {
        const char *state = pin_state_text(gui_pin_state(card));
        int left = kart_card_get_pin_retries_left(card);
        int max = kart_card_get_pin_retries_max(card);

        if (left < 0)
                return g_strdup(state);
        if (max > 0)
                return g_strdup_printf(ngettext("%s — %d of %d try left", "%s — %d of %d tries left", left),
                                       state, left, max);
        return g_strdup_printf(ngettext("%s — %d try left", "%s — %d tries left", left), state, left);
}

/* A certificate status from the bus; one this kart-gui does not know (a
 * newer kartd's) is unknown. */
KartCertStatus gui_cert_status(const char *status) {
        KartCertStatus s = kart_cert_status_from_string(status);

        return s < 0 ? KART_CERT_STATUS_UNKNOWN : s;
}

const char *gui_cert_status_text(KartCertStatus status) {
        switch (status) {
        case KART_CERT_STATUS_GOOD:
                return _("Valid");
        case KART_CERT_STATUS_ON_HOLD:
                return _("Suspended");
        case KART_CERT_STATUS_REVOKED:
                return _("Revoked");
        case KART_CERT_STATUS_EXPIRED:
                return _("Expired");
        case KART_CERT_STATUS_NOT_YET_VALID:
                return _("Not yet valid");
        case KART_CERT_STATUS_UNREADABLE:
                return _("Unreadable");
        default:
                return _("Status unknown");
        }
}

/* The style class of a status label. */
const char *gui_cert_status_css(KartCertStatus status) {
        switch (status) {
        case KART_CERT_STATUS_GOOD:
                return "success";
        case KART_CERT_STATUS_ON_HOLD:
        case KART_CERT_STATUS_NOT_YET_VALID:
                return "warning";
        case KART_CERT_STATUS_UNKNOWN:
                return "dim-label";
        default:
                return "error";
        }
}

GtkWidget *gui_label(const char *text, const char *css_class) {
        GtkWidget *label = gtk_label_new(text);

        gtk_label_set_xalign(GTK_LABEL(label), 0);
        if (css_class)
                gtk_widget_add_css_class(label, css_class);
        return label;
}

GtkWidget *gui_entry(const char *placeholder) {
        GtkWidget *entry = gtk_entry_new();

        gtk_entry_set_placeholder_text(GTK_ENTRY(entry), placeholder);
        gtk_accessible_update_property(GTK_ACCESSIBLE(entry), GTK_ACCESSIBLE_PROPERTY_LABEL, placeholder, -1);
        return entry;
}

/* For secrets: hidden, and named for screen readers by the placeholder. */
GtkWidget *gui_password_entry(const char *placeholder) {
        GtkWidget *entry = gtk_password_entry_new();

        gtk_password_entry_set_show_peek_icon(GTK_PASSWORD_ENTRY(entry), TRUE);
        g_object_set(entry, "placeholder-text", placeholder, NULL);
        gtk_accessible_update_property(GTK_ACCESSIBLE(entry), GTK_ACCESSIBLE_PROPERTY_LABEL, placeholder, -1);
        return entry;
}

/* Calls that polkit may want a password for: the flag lets the desktop's
 * agent ask, and no timeout while the user answers it. */
void gui_call_interactive(gpointer proxy, const char *method, GVariant *params,
                          GAsyncReadyCallback callback, gpointer user_data) {
        g_dbus_proxy_call(G_DBUS_PROXY(proxy), method, params,
                          G_DBUS_CALL_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION, G_MAXINT, NULL,
                          callback, user_data);
}

GVariant *gui_call_finish(gpointer proxy, GAsyncResult *result, GError **error) {
        return g_dbus_proxy_call_finish(G_DBUS_PROXY(proxy), result, error);
}

/* A vertical box with the pages' margins. */
GtkWidget *gui_page_box(int spacing) {
        GtkWidget *box = gtk_box_new(GTK_ORIENTATION_VERTICAL, spacing);

        gtk_widget_set_margin_start(box, 18);
        gtk_widget_set_margin_end(box, 18);
        gtk_widget_set_margin_top(box, 18);
        gtk_widget_set_margin_bottom(box, 18);
        return box;
}
