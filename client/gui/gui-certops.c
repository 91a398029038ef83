/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The certificate wizard's own step: the holder's certificates as the CA
 * lists them, and suspend, resume or revoke one of them. */
#include "config.h"

#include "gui-wizard.h"

/* A certificate operation's end: what the CA did to which certificate. */
static void show_done(Wizard *w) {
        g_autofree char *what = g_strdup_printf(w->done_text, w->done_serial);
        g_autofree char *text = g_strdup_printf("%s %s", what, _("The card's certificate list shows it after the "
                                                                  "next status check."));
        wizard_show_result(w, TRUE, _("The CA has done it"), text);
}


static void on_account(GObject *source, GAsyncResult *result, gpointer user_data);

void wizard_list_account(Wizard *w) {
        wizard_show_page(w, "account", 3, _("Certificates at the CA"));
        wizard_call(w, w->session, "ListAccountCertificates", NULL, on_account);
}

static void on_operation_done(GObject *source, GAsyncResult *result, gpointer user_data) {
        Wizard *w = user_data;
        GtkWindow *window = w->window;
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = wizard_finish(w, source, result, &error);

        if (!reply && !w->ended) {
                wizard_show_page(w, "account", 3, _("Certificates at the CA"));
                wizard_show_error(w, error);
        } else if (reply && !w->ended)
                show_done(w);
        g_object_unref(window);
}

/* RFC 5280 reasons the holder may give (Session.Revoke's list). */
static const struct {
        const char *id, *label;
} revoke_reasons[] = {
        { "unspecified",          N_("No reason given") },
        { "keyCompromise",        N_("The card or its PIN fell into other hands (key compromise)") },
        { "affiliationChanged",   N_("My details in the certificate changed") },
        { "superseded",           N_("A new certificate replaces it") },
        { "cessationOfOperation", N_("I no longer need it") },
};

/* The reasons, all in sight, as one group of toggle buttons (GTK 4.8
 * gives check buttons no accessible action: a screen reader could not
 * choose one). */
static GtkWidget *reason_choice(Wizard *w) {
        GtkWidget *box = gtk_box_new(GTK_ORIENTATION_VERTICAL, 0), *page = wizard_page_box();

        G_STATIC_ASSERT(G_N_ELEMENTS(revoke_reasons) == G_N_ELEMENTS(w->revoke_reason));
        gtk_widget_add_css_class(box, "linked");
        for (size_t i = 0; i < G_N_ELEMENTS(revoke_reasons); i++) {
                w->revoke_reason[i] = gtk_toggle_button_new_with_label(_(revoke_reasons[i].label));
                if (i > 0)
                        gtk_toggle_button_set_group(GTK_TOGGLE_BUTTON(w->revoke_reason[i]),
                                                    GTK_TOGGLE_BUTTON(w->revoke_reason[0]));
                gtk_box_append(GTK_BOX(box), w->revoke_reason[i]);
        }
        gtk_toggle_button_set_active(GTK_TOGGLE_BUTTON(w->revoke_reason[0]), TRUE);
        gtk_box_append(GTK_BOX(page), gui_label(_("To revoke, the reason:"), NULL));
        gtk_box_append(GTK_BOX(page), box);
        return page;
}

static const char *chosen_reason(Wizard *w) {
        for (size_t i = 0; i < G_N_ELEMENTS(revoke_reasons); i++)
                if (gtk_toggle_button_get_active(GTK_TOGGLE_BUTTON(w->revoke_reason[i])))
                        return revoke_reasons[i].id;
        return revoke_reasons[0].id;
}

static void on_operation(GtkButton *button, gpointer user_data) {
        Wizard *w = user_data;
        const char *method = g_object_get_data(G_OBJECT(button), "kart-method");
        const char *serial = g_object_get_data(G_OBJECT(button), "kart-serial");
        GVariant *params;

        if (g_str_equal(method, "Revoke")) {
                const char *typed = gtk_editable_get_text(GTK_EDITABLE(w->revoke_serial));
                if (g_ascii_strcasecmp(typed, serial) != 0) {
                        gtk_label_set_text(GTK_LABEL(w->message),
                                           _("Revoking is final: type the certificate's serial number "
                                             "in the field below first."));
                        return;
                }
                params = g_variant_new("(sss)", serial, chosen_reason(w), typed);
        } else
                params = g_variant_new("(s)", serial);
        w->done_text = g_str_equal(method, "Suspend") ? _("The certificate %s is suspended: nothing can be signed "
                                                          "with it until you resume it.")
                     : g_str_equal(method, "Resume") ? _("The certificate %s is valid again.")
                     : _("The certificate %s is revoked for good.");
        g_free(w->done_serial);
        w->done_serial = g_strdup(serial);
        wizard_show_progress(w, _("At the certificate authority"), _("Asking the CA…"));
        wizard_show_page(w, "progress", 3, _("At the CA"));
        wizard_call(w, w->session, method, params, on_operation_done);
}

/* LABEL on screen; ACCESSIBLE (a format taking the serial) for a screen
 * reader, which does not see the button's row. */
static GtkWidget *operation_button(Wizard *w, const char *label, const char *accessible, const char *method,
                                   const char *serial) {
        GtkWidget *button = gtk_button_new_with_label(label);
        g_autofree char *name = g_strdup_printf(accessible, serial);

        gtk_accessible_update_property(GTK_ACCESSIBLE(button), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);

        g_object_set_data(G_OBJECT(button), "kart-method", (gpointer) method);
        g_object_set_data_full(G_OBJECT(button), "kart-serial", g_strdup(serial), g_free);
        g_signal_connect(button, "clicked", G_CALLBACK(on_operation), w);
        return button;
}

static void on_account(GObject *source, GAsyncResult *result, gpointer user_data) {
        Wizard *w = user_data;
        GtkWindow *window = w->window;
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = wizard_finish(w, source, result, &error);
        GtkGrid *grid = GTK_GRID(w->account);
        const char *serial, *subject, *status_string, *reason;
        guint64 not_after;
        GVariantIter *iter;
        int line = 0;

        while (gtk_widget_get_first_child(w->account))
                gtk_grid_remove(grid, gtk_widget_get_first_child(w->account));
        if (!reply) {
                wizard_show_error(w, error);
                g_object_unref(window);
                return;
        }
        g_variant_get(reply, "(a(sstss))", &iter);
        while (g_variant_iter_next(iter, "(&s&st&s&s)", &serial, &subject, &not_after, &status_string, &reason)) {
                KartCertStatus status = gui_cert_status(status_string);
                GtkWidget *label = gui_label(subject, NULL);

                gtk_label_set_ellipsize(GTK_LABEL(label), PANGO_ELLIPSIZE_END);
                gtk_label_set_max_width_chars(GTK_LABEL(label), 30);
                gtk_widget_set_tooltip_text(label, subject);
                gtk_grid_attach(grid, gui_label(serial, NULL), 0, line, 1, 1);
                gtk_grid_attach(grid, label, 1, line, 1, 1);
                gtk_grid_attach(grid, gui_label(gui_cert_status_text(status), gui_cert_status_css(status)),
                                2, line, 1, 1);
                if (status == KART_CERT_STATUS_GOOD)
                        gtk_grid_attach(grid, operation_button(w, _("Suspend"), _("Suspend the certificate %s"), "Suspend",
                                                                 serial), 3, line, 1, 1);
                if (status == KART_CERT_STATUS_ON_HOLD)
                        gtk_grid_attach(grid, operation_button(w, _("Resume"), _("Resume the certificate %s"), "Resume",
                                                                 serial), 3, line, 1, 1);
                /* The CA revokes from good and from hold (backend protocol). */
                if (status == KART_CERT_STATUS_GOOD || status == KART_CERT_STATUS_ON_HOLD)
                        gtk_grid_attach(grid, operation_button(w, _("Revoke…"), _("Revoke the certificate %s"), "Revoke",
                                                                 serial), 4, line, 1, 1);
                line++;
        }
        g_variant_iter_free(iter);
        g_object_unref(window);
}

GtkWidget *wizard_certops_page(Wizard *w) {
        GtkWidget *page = wizard_page_box(), *scrolled;

        w->account = gtk_grid_new();
        gtk_grid_set_row_spacing(GTK_GRID(w->account), 6);
        gtk_grid_set_column_spacing(GTK_GRID(w->account), 12);
        scrolled = gtk_scrolled_window_new();
        gtk_scrolled_window_set_child(GTK_SCROLLED_WINDOW(scrolled), w->account);
        gtk_widget_set_vexpand(scrolled, TRUE);
        gtk_box_append(GTK_BOX(page), scrolled);
        gtk_box_append(GTK_BOX(page), reason_choice(w));
        w->revoke_serial = gui_entry(_("To revoke: the certificate's serial number, typed again"));
        gtk_box_append(GTK_BOX(page), w->revoke_serial);
        return page;
}
