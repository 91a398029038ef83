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

void gui_show_message(GtkWindow *parent, const char *title, const char *text) {
        GtkWidget *dialog = adw_message_dialog_new(parent, title, text);

        adw_message_dialog_add_response(ADW_MESSAGE_DIALOG(dialog), "close", _("_Close"));
        gtk_window_present(GTK_WINDOW(dialog));
}

void gui_show_error(GtkWindow *parent, const char *title, const GError *error) {
        g_autofree char *text = gui_error_text(error);
        gui_show_message(parent, title, text);
}

/* A result, as a toast over the main window (which the dialogs are
 * transient for); a message dialog when there is none. */
void gui_toast(GtkWindow *window, const char *text) {
        GtkWindow *w;
        KartGui *gui = NULL;
        g_autofree char *markup = g_markup_escape_text(text, -1);
        AdwToast *toast;

        for (w = window; w && !gui; w = gtk_window_get_transient_for(w))
                gui = g_object_get_data(G_OBJECT(w), "kart-gui");
        if (!gui || !gui->toasts) {
                gui_show_message(window, text, NULL);
                return;
        }
        toast = adw_toast_new(markup);
        adw_toast_set_timeout(toast, 8);
        adw_toast_overlay_add_toast(gui->toasts, toast);
}

/* Removes every class of CLASSES from WIDGET and adds WANTED (if any). */
void gui_set_css_class(GtkWidget *widget, const char *const *classes, const char *wanted) {
        for (; *classes; classes++)
                gtk_widget_remove_css_class(widget, *classes);
        if (wanted)
                gtk_widget_add_css_class(widget, wanted);
}

/* A coloured box with an icon and a sentence (libadwaita 1.2 has no
 * AdwBanner): hidden while it has nothing to say. */
GtkWidget *gui_banner(void) {
        GtkWidget *box = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 12), *image, *label;

        gtk_widget_add_css_class(box, "kart-banner");
        image = gtk_image_new_from_icon_name("dialog-information-symbolic");
        gtk_widget_set_valign(image, GTK_ALIGN_START);
        label = gui_label("", NULL);
        gtk_label_set_wrap(GTK_LABEL(label), TRUE);
        gtk_label_set_max_width_chars(GTK_LABEL(label), 60);
        gtk_widget_set_hexpand(label, TRUE);
        gtk_box_append(GTK_BOX(box), image);
        gtk_box_append(GTK_BOX(box), label);
        g_object_set_data(G_OBJECT(box), "kart-banner-icon", image);
        g_object_set_data(G_OBJECT(box), "kart-banner-label", label);
        gtk_widget_set_visible(box, FALSE);
        return box;
}

/* TEXT in the banner, with ICON and the colour class CSS (of
 * gui_state_classes); NULL TEXT hides it. */
void gui_banner_set(GtkWidget *banner, const char *icon, const char *css, const char *text) {
        gtk_image_set_from_icon_name(g_object_get_data(G_OBJECT(banner), "kart-banner-icon"), icon);
        gui_set_css_class(banner, gui_state_classes, css);
        gtk_label_set_text(g_object_get_data(G_OBJECT(banner), "kart-banner-label"), text ? text : "");
        gtk_widget_set_visible(banner, text && *text);
}

/* ---------------------------------------------------------------- one dialog per card */

typedef struct OpenDialog {
        GWeakRef parent;
        char *key;
} OpenDialog;

static char *open_key(const char *kind, KartCard *card) {
        return g_strdup_printf("kart-open-%s-%s", kind, kart_card_get_serial(card));
}

static void open_dialog_free(gpointer data, GClosure *closure) {
        OpenDialog *o = data;

        g_weak_ref_clear(&o->parent);
        g_free(o->key);
        g_free(o);
}

static void on_open_dialog_destroy(GtkWidget *dialog, gpointer data) {
        OpenDialog *o = data;
        g_autoptr(GObject) parent = g_weak_ref_get(&o->parent);

        if (parent && g_object_get_data(parent, o->key) == dialog)
                g_object_set_data(parent, o->key, NULL);
}

/* The dialog of KIND for CARD already open over PARENT, brought to the
 * front: a second press (or a repeated one) opens no second dialog. */
gboolean gui_present_open(GtkWindow *parent, const char *kind, KartCard *card) {
        g_autofree char *key = open_key(kind, card);
        GtkWindow *open = parent ? g_object_get_data(G_OBJECT(parent), key) : NULL;

        if (open)
                gtk_window_present(open);
        return open != NULL;
}

void gui_remember_open(GtkWindow *parent, const char *kind, KartCard *card, GtkWindow *dialog) {
        OpenDialog *o;

        if (!parent)
                return;
        o = g_new0(OpenDialog, 1);
        g_weak_ref_init(&o->parent, parent);
        o->key = open_key(kind, card);
        g_object_set_data(G_OBJECT(parent), o->key, dialog);
        g_signal_connect_data(dialog, "destroy", G_CALLBACK(on_open_dialog_destroy), o, open_dialog_free, 0);
}

/* libadwaita 1.2 reads row titles and subtitles, group titles and
 * descriptions and status page descriptions as Pango markup: text from a
 * card, a certificate, kartd or the CA must show as it is, never as markup
 * (a subject with "&" or "<" would show nothing, or other text). */
GtkWidget *gui_row_new(const char *title, const char *subtitle) {
        GtkWidget *row = adw_action_row_new();

        adw_preferences_row_set_use_markup(ADW_PREFERENCES_ROW(row), FALSE);
        if (title)
                adw_preferences_row_set_title(ADW_PREFERENCES_ROW(row), title);
        if (subtitle)
                adw_action_row_set_subtitle(ADW_ACTION_ROW(row), subtitle);
        return row;
}

/* Sets OBJECT's markup PROPERTY ("title", "description") to plain TEXT. */
void gui_set_plain(gpointer object, const char *property, const char *text) {
        g_autofree char *escaped = text ? g_markup_escape_text(text, -1) : NULL;

        g_object_set(object, property, escaped, NULL);
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
