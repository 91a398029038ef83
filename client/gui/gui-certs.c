/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The certificates page: the selected card's certificates as kartd lists
 * them, their details and export. */
#include "config.h"

#include "kart-gui.h"

static char *format_time(guint64 seconds) {
        g_autoptr(GDateTime) t = g_date_time_new_from_unix_local((gint64) seconds);
        return t ? g_date_time_format(t, "%x %H:%M") : g_strdup("?");
}

/* The certificate a button acts on: the card and the id. */
typedef struct CertRef {
        KartGui *gui;
        KartCard *card;
        char *id;
} CertRef;

static void cert_ref_free(gpointer data) {
        CertRef *ref = data;
        g_object_unref(ref->card);
        g_free(ref->id);
        g_free(ref);
}

static CertRef *cert_ref_new(KartGui *gui, const char *id) {
        CertRef *ref = g_new0(CertRef, 1);
        ref->gui = gui;
        ref->card = g_object_ref(gui->selected);
        ref->id = g_strdup(id);
        return ref;
}

/* ---------------------------------------------------------------- details */

static const struct { const char *key, *title; } detail_keys[] = {
        { "label",                N_("Label") },
        { "subject",              N_("Subject") },
        { "issuer",               N_("Issuer") },
        { "serial",               N_("Serial number") },
        { "not_before",           N_("Valid from") },
        { "not_after",            N_("Valid until") },
        { "status",               N_("Status") },
        { "status_detail",        N_("Status detail") },
        { "revoked_at",           N_("Revoked at") },
        { "status_checked_until", N_("Status checked again after") },
        { "qualified",            N_("Qualified certificate") },
        { "key_usage",            N_("Key usage") },
        { "extended_key_usage",   N_("Extended key usage") },
        { "policies",             N_("Policies") },
        { "ocsp_urls",            N_("OCSP responders") },
        { "sha256",               N_("SHA-256 fingerprint") },
};

static char *format_value(const char *key, GVariant *value) {
        if (g_variant_is_of_type(value, G_VARIANT_TYPE_UINT64)) {
                guint64 t = g_variant_get_uint64(value);
                return t ? format_time(t) : NULL;
        }
        if (g_variant_is_of_type(value, G_VARIANT_TYPE_BOOLEAN))
                return g_strdup(g_variant_get_boolean(value) ? _("yes") : _("no"));
        if (g_variant_is_of_type(value, G_VARIANT_TYPE_STRING_ARRAY)) {
                g_autofree const char **strv = g_variant_get_strv(value, NULL);
                return strv && strv[0] ? g_strjoinv(", ", (char **) strv) : NULL;
        }
        if (g_variant_is_of_type(value, G_VARIANT_TYPE_STRING)) {
                const char *s = g_variant_get_string(value, NULL);
                if (g_str_equal(key, "status"))
                        return g_strdup(gui_cert_status_text(gui_cert_status(s)));
                return *s ? g_strdup(s) : NULL;
        }
        return g_variant_print(value, FALSE);
}

static void on_info(GObject *source, GAsyncResult *result, gpointer user_data) {
        CertRef *ref = user_data;
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) info = NULL;
        g_autoptr(GVariantDict) dict = NULL;
        GtkWidget *window, *grid, *scrolled;
        int line = 0;

        if (!kart_card_call_get_certificate_info_finish(KART_CARD(source), &info, result, &error)) {
                gui_show_error(ref->gui->window, _("Certificate details"), error);
                cert_ref_free(ref);
                return;
        }
        dict = g_variant_dict_new(info);
        grid = gtk_grid_new();
        gtk_grid_set_row_spacing(GTK_GRID(grid), 6);
        gtk_grid_set_column_spacing(GTK_GRID(grid), 18);
        gtk_widget_set_margin_start(grid, 18);
        gtk_widget_set_margin_end(grid, 18);
        gtk_widget_set_margin_top(grid, 18);
        gtk_widget_set_margin_bottom(grid, 18);
        for (size_t i = 0; i < G_N_ELEMENTS(detail_keys); i++) {
                g_autoptr(GVariant) value = g_variant_dict_lookup_value(dict, detail_keys[i].key, NULL);
                g_autofree char *text = value ? format_value(detail_keys[i].key, value) : NULL;
                GtkWidget *v;

                if (!text)
                        continue;
                gtk_grid_attach(GTK_GRID(grid), gui_label(_(detail_keys[i].title), "dim-label"), 0, line, 1, 1);
                v = gui_label(text, NULL);
                gtk_label_set_selectable(GTK_LABEL(v), TRUE);
                gtk_label_set_wrap(GTK_LABEL(v), TRUE);
                gtk_label_set_wrap_mode(GTK_LABEL(v), PANGO_WRAP_WORD_CHAR);
                gtk_label_set_max_width_chars(GTK_LABEL(v), 60);
                gtk_grid_attach(GTK_GRID(grid), v, 1, line++, 1, 1);
        }
        window = gtk_window_new();
        gtk_window_set_title(GTK_WINDOW(window), _("Certificate details"));
        gtk_window_set_transient_for(GTK_WINDOW(window), ref->gui->window);
        gtk_window_set_default_size(GTK_WINDOW(window), 640, 480);
        scrolled = gtk_scrolled_window_new();
        gtk_scrolled_window_set_child(GTK_SCROLLED_WINDOW(scrolled), grid);
        gtk_window_set_child(GTK_WINDOW(window), scrolled);
        gtk_window_present(GTK_WINDOW(window));
        cert_ref_free(ref);
}

static void on_details(GtkButton *button, gpointer user_data) {
        CertRef *ref = user_data;
        CertRef *copy = g_new0(CertRef, 1);

        *copy = (CertRef){ ref->gui, g_object_ref(ref->card), g_strdup(ref->id) };
        kart_card_call_get_certificate_info(ref->card, ref->id, NULL, on_info, copy);
}

/* ---------------------------------------------------------------- export */

typedef struct Export {
        CertRef *ref;
        GFile *file;
} Export;

static void on_der(GObject *source, GAsyncResult *result, gpointer user_data) {
        Export *ex = user_data;
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = gui_call_finish(source, result, &error);
        g_autoptr(GVariant) der = NULL;
        gsize size;
        const guint8 *bytes;

        /* By hand: the generated call would take the bytes for a string. */
        if (reply) {
                der = g_variant_get_child_value(reply, 0);
                bytes = g_variant_get_fixed_array(der, &size, 1);
                g_file_replace_contents(ex->file, (const char *) bytes, size, NULL, FALSE,
                                        G_FILE_CREATE_REPLACE_DESTINATION, NULL, NULL, &error);
        }
        if (error)
                gui_show_error(ex->ref->gui->window, _("Export failed"), error);
        else {
                g_autofree char *name = g_file_get_basename(ex->file);
                g_autofree char *text = g_strdup_printf(_("The certificate is saved as %s."), name);
                gui_toast(ex->ref->gui->window, text);
        }
        cert_ref_free(ex->ref);
        g_object_unref(ex->file);
        g_free(ex);
}

G_GNUC_BEGIN_IGNORE_DEPRECATIONS
static void on_export_response(GtkNativeDialog *dialog, int response, gpointer user_data) {
        CertRef *ref = user_data;
        Export *ex;

        if (response != GTK_RESPONSE_ACCEPT) {
                cert_ref_free(ref);
                g_object_unref(dialog);
                return;
        }
        ex = g_new0(Export, 1);
        ex->ref = ref;
        ex->file = gtk_file_chooser_get_file(GTK_FILE_CHOOSER(dialog));
        g_object_unref(dialog);
        g_dbus_proxy_call(G_DBUS_PROXY(ref->card), "GetCertificate", g_variant_new("(s)", ref->id),
                          G_DBUS_CALL_FLAGS_NONE, -1, NULL, on_der, ex);
}

static void on_export(GtkButton *button, gpointer user_data) {
        CertRef *ref = user_data;
        GtkFileChooserNative *dialog;
        g_autofree char *name = g_strdup_printf("%s.der", ref->id);

        dialog = gtk_file_chooser_native_new(_("Export the certificate"), ref->gui->window,
                                             GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
        gtk_file_chooser_set_current_name(GTK_FILE_CHOOSER(dialog), name);
        g_signal_connect(dialog, "response", G_CALLBACK(on_export_response), cert_ref_new(ref->gui, ref->id));
        gtk_native_dialog_show(GTK_NATIVE_DIALOG(dialog));
}
G_GNUC_END_IGNORE_DEPRECATIONS

/* ---------------------------------------------------------------- list */

static GtkWidget *suffix_button(const char *label, GCallback callback, CertRef *ref) {
        GtkWidget *button = gtk_button_new_with_label(label);

        gtk_widget_set_valign(button, GTK_ALIGN_CENTER);
        g_signal_connect_data(button, "clicked", callback, ref, (GClosureNotify) (void (*)(void)) cert_ref_free, 0);
        return button;
}

/* One certificate: its label, subject, a status badge, when it expires;
 * an expired or revoked one shown faded. */
static GtkWidget *cert_row_new(KartGui *gui, const char *id, const char *label, const char *subject,
                               guint64 not_after, KartCertStatus status) {
        GtkWidget *row = gui_row_new(*label ? label : id, subject), *icon, *box, *when;
        g_autofree char *until = format_time(not_after);
        gint64 now = g_get_real_time() / G_USEC_PER_SEC;
        g_autofree char *expiry = gui_cert_expiry(not_after, now);
        g_autofree char *date = g_strdup_printf(_("Valid until %s"), until);

        adw_action_row_set_subtitle_lines(ADW_ACTION_ROW(row), 2);
        gtk_widget_set_tooltip_text(row, subject);
        icon = gtk_image_new_from_icon_name(gui_cert_status_icon(status));
        gtk_widget_add_css_class(icon, gui_cert_status_css(status));
        adw_action_row_add_prefix(ADW_ACTION_ROW(row), icon);

        box = gtk_box_new(GTK_ORIENTATION_VERTICAL, 4);
        gtk_widget_set_valign(box, GTK_ALIGN_CENTER);
        gtk_box_append(GTK_BOX(box), gui_badge(status));
        when = gui_label(expiry ? expiry : date, "caption");
        /* the last month before it expires: a warning colour */
        gtk_widget_add_css_class(when, status == KART_CERT_STATUS_EXPIRED ? "error"
                                       : not_after < (guint64) (now + 30 * 86400) ? "warning" : "dim-label");
        gtk_widget_set_tooltip_text(when, date);
        gtk_box_append(GTK_BOX(box), when);
        adw_action_row_add_suffix(ADW_ACTION_ROW(row), box);
        adw_action_row_add_suffix(ADW_ACTION_ROW(row), suffix_button(_("Details"), G_CALLBACK(on_details),
                                                                     cert_ref_new(gui, id)));
        adw_action_row_add_suffix(ADW_ACTION_ROW(row), suffix_button(_("Export…"), G_CALLBACK(on_export),
                                                                     cert_ref_new(gui, id)));
        if (status == KART_CERT_STATUS_EXPIRED || status == KART_CERT_STATUS_REVOKED)
                gtk_widget_add_css_class(row, "kart-gone");
        return row;
}

static void on_list(GObject *source, GAsyncResult *result, gpointer user_data) {
        KartGui *gui = user_data;
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) certs = NULL;
        GVariantIter iter;
        const char *id, *label, *subject, *issuer, *serial, *status_string, *sha;
        guint64 not_before, not_after;
        GtkWidget *child;
        guint n = 0;

        if (KART_CARD(source) != gui->selected)
                return;  /* another card was chosen meanwhile */
        if (!kart_card_call_list_certificates_finish(KART_CARD(source), &certs, result, &error)) {
                g_autofree char *text = gui_error_text(error);
                gui_set_plain(gui->certs_group, "description", text);
                return;
        }
        while ((child = gtk_widget_get_first_child(GTK_WIDGET(gui->certs_list))))
                gtk_list_box_remove(gui->certs_list, child);
        g_variant_iter_init(&iter, certs);
        while (g_variant_iter_next(&iter, "(&s&s&s&s&stt&s&s)", &id, &label, &subject, &issuer, &serial,
                                   &not_before, &not_after, &status_string, &sha)) {
                gtk_list_box_append(gui->certs_list,
                                    cert_row_new(gui, id, label, subject, not_after, gui_cert_status(status_string)));
                n++;
        }
        if (n == 0) {
                GtkWidget *row = gui_row_new(_("No certificate on this card."), NULL);
                gtk_list_box_append(gui->certs_list, row);
        }
        adw_preferences_group_set_description(gui->certs_group, NULL);
}

static void on_status_changed(KartCard *card, const char *id, const char *status, const char *detail,
                              gpointer user_data) {
        KartGui *gui = user_data;
        kart_card_call_list_certificates(gui->selected, NULL, on_list, gui);
}

void gui_certs_show(KartGui *gui, KartCard *card) {
        g_autofree char *title = NULL;

        if (gui->selected && gui->selected_status_id)
                g_signal_handler_disconnect(gui->selected, gui->selected_status_id);
        g_set_object(&gui->selected, card);
        gui->selected_status_id = g_signal_connect(card, "certificate-status-changed",
                                                   G_CALLBACK(on_status_changed), gui);
        title = g_strdup_printf(_("Certificates on card %s"), kart_card_get_serial(card));
        gui_set_plain(gui->certs_group, "title", title);
        gui_set_plain(gui->certs_group, "description", _("Reading…"));
        kart_card_call_list_certificates(card, NULL, on_list, gui);
        gtk_stack_set_visible_child_name(gui->certs_stack, "list");
        adw_view_stack_set_visible_child_name(gui->views, "certificates");
}

GtkWidget *gui_certs_page_new(KartGui *gui) {
        GtkWidget *stack, *status, *group, *list, *scrolled, *clamp, *box;

        stack = gtk_stack_new();
        gui->certs_stack = GTK_STACK(stack);
        status = adw_status_page_new();
        adw_status_page_set_icon_name(ADW_STATUS_PAGE(status), "application-certificate-symbolic");
        adw_status_page_set_title(ADW_STATUS_PAGE(status), _("No card chosen"));
        gui_set_plain(status, "description", _("Press “Show certificates” at a card on the Cards page."));
        gtk_stack_add_named(GTK_STACK(stack), status, "none");

        group = adw_preferences_group_new();
        gui->certs_group = ADW_PREFERENCES_GROUP(group);
        list = gtk_list_box_new();
        gtk_list_box_set_selection_mode(GTK_LIST_BOX(list), GTK_SELECTION_NONE);
        gtk_widget_add_css_class(list, "boxed-list");
        gui->certs_list = GTK_LIST_BOX(list);
        box = gtk_box_new(GTK_ORIENTATION_VERTICAL, 12);
        gtk_widget_set_margin_top(box, 24);
        gtk_widget_set_margin_bottom(box, 24);
        gtk_widget_set_margin_start(box, 12);
        gtk_widget_set_margin_end(box, 12);
        gtk_box_append(GTK_BOX(box), group);
        gtk_box_append(GTK_BOX(box), list);
        clamp = adw_clamp_new();
        adw_clamp_set_maximum_size(ADW_CLAMP(clamp), 800);
        adw_clamp_set_child(ADW_CLAMP(clamp), box);
        scrolled = gtk_scrolled_window_new();
        gtk_scrolled_window_set_policy(GTK_SCROLLED_WINDOW(scrolled), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
        gtk_scrolled_window_set_child(GTK_SCROLLED_WINDOW(scrolled), clamp);
        gtk_stack_add_named(GTK_STACK(stack), scrolled, "list");
        gtk_stack_set_visible_child_name(GTK_STACK(stack), "none");
        return stack;
}
