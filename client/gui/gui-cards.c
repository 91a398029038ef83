/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The cards page: one row per card kartd sees, with its model, serial and
 * PIN state, kept current from the daemon's signals. */
#include "config.h"

#include "kart-gui.h"

typedef struct CardRow {
        KartGui *gui;
        KartCard *card;
        GtkWidget *model, *serial, *pin, *unlock;
} CardRow;

static void card_row_free(gpointer data) {
        CardRow *row = data;

        g_signal_handlers_disconnect_by_data(row->card, row);
        g_object_unref(row->card);
        g_free(row);
}

static void card_row_update(CardRow *row) {
        const char *model = kart_card_get_model(row->card);
        const char *label = kart_card_get_label(row->card);
        PinState state = gui_pin_state(row->card);
        g_autofree char *serial = NULL, *pin = NULL, *title = NULL;

        title = label && *label ? g_strdup_printf("%s (%s)", model ? model : "", label)
                                : g_strdup(model && *model ? model : _("Unknown card"));
        gtk_label_set_text(GTK_LABEL(row->model), title);
        serial = g_strdup_printf(_("Serial number: %s"), kart_card_get_serial(row->card));
        gtk_label_set_text(GTK_LABEL(row->serial), serial);
        pin = gui_pin_summary(row->card);
        gtk_label_set_text(GTK_LABEL(row->pin), pin);
        gtk_widget_remove_css_class(row->pin, "error");
        gtk_widget_remove_css_class(row->pin, "warning");
        if (state == PIN_STATE_LOCKED || state == PIN_STATE_BLOCKED)
                gtk_widget_add_css_class(row->pin, "error");
        else if (state == PIN_STATE_LAST_TRY)
                gtk_widget_add_css_class(row->pin, "warning");
        gtk_widget_set_visible(row->unlock, state != PIN_STATE_BLOCKED);
}

static void on_card_properties(GDBusProxy *proxy, GVariant *changed, GStrv invalidated,
                               gpointer user_data) {
        card_row_update(user_data);
}

static void on_certificates(GtkButton *button, gpointer user_data) {
        CardRow *row = user_data;
        gui_certs_show(row->gui, row->card);
}

static void on_change_pin(GtkButton *button, gpointer user_data) {
        CardRow *row = user_data;
        gui_change_pin_dialog(row->gui->window, row->card);
}

static void on_unlock(GtkButton *button, gpointer user_data) {
        CardRow *row = user_data;
        gui_unlock_wizard(row->gui->window, row->card);
}

static void on_cert_ops(GtkButton *button, gpointer user_data) {
        CardRow *row = user_data;
        gui_certificate_wizard(row->gui->window, row->card);
}

static GtkWidget *button_for(const char *mnemonic, GCallback callback, CardRow *row) {
        GtkWidget *button = gtk_button_new_with_mnemonic(mnemonic);
        g_signal_connect(button, "clicked", callback, row);
        return button;
}

static GtkWidget *card_row_new(KartGui *gui, KartCard *card) {
        GtkWidget *box, *text, *buttons;
        CardRow *row = g_new0(CardRow, 1);

        row->gui = gui;
        row->card = g_object_ref(card);
        box = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 18);
        gtk_widget_set_margin_start(box, 12);
        gtk_widget_set_margin_end(box, 12);
        gtk_widget_set_margin_top(box, 12);
        gtk_widget_set_margin_bottom(box, 12);
        g_object_set_data_full(G_OBJECT(box), "kart-card-row", row, card_row_free);

        text = gtk_box_new(GTK_ORIENTATION_VERTICAL, 4);
        gtk_widget_set_hexpand(text, TRUE);
        row->model = gui_label(NULL, "heading");
        row->serial = gui_label(NULL, NULL);
        gtk_label_set_selectable(GTK_LABEL(row->serial), TRUE);
        row->pin = gui_label(NULL, NULL);
        gtk_box_append(GTK_BOX(text), row->model);
        gtk_box_append(GTK_BOX(text), row->serial);
        gtk_box_append(GTK_BOX(text), row->pin);
        gtk_box_append(GTK_BOX(box), text);

        buttons = gtk_box_new(GTK_ORIENTATION_VERTICAL, 6);
        gtk_widget_set_valign(buttons, GTK_ALIGN_CENTER);
        gtk_box_append(GTK_BOX(buttons), button_for(_("_Certificates"), G_CALLBACK(on_certificates), row));
        gtk_box_append(GTK_BOX(buttons), button_for(_("C_hange PIN…"), G_CALLBACK(on_change_pin), row));
        row->unlock = button_for(_("_Unlock or set a new PIN…"), G_CALLBACK(on_unlock), row);
        gtk_box_append(GTK_BOX(buttons), row->unlock);
        gtk_box_append(GTK_BOX(buttons), button_for(_("Suspend, resume or _revoke…"),
                                                    G_CALLBACK(on_cert_ops), row));
        gtk_box_append(GTK_BOX(box), buttons);

        g_signal_connect(card, "g-properties-changed", G_CALLBACK(on_card_properties), row);
        card_row_update(row);
        return box;
}

/* Rebuilds the list from the Manager's Cards property. */
void gui_cards_refresh(KartGui *gui) {
        g_autofree char *owner = g_dbus_proxy_get_name_owner(G_DBUS_PROXY(gui->manager));
        const char *const *cards = kart_manager_get_cards(gui->manager);
        GtkWidget *child;
        guint n = 0;

        while ((child = gtk_widget_get_first_child(GTK_WIDGET(gui->card_list))))
                gtk_list_box_remove(gui->card_list, child);
        for (size_t i = 0; owner && cards && cards[i]; i++) {
                g_autoptr(GError) error = NULL;
                g_autoptr(KartCard) card = gui_card_proxy_new(cards[i], &error);

                if (!card) {
                        g_warning("%s: %s", cards[i], error->message);
                        continue;
                }
                /* No properties: the object is gone already (the card was pulled). */
                if (!kart_card_get_serial(card))
                        continue;
                gtk_list_box_append(gui->card_list, card_row_new(gui, card));
                n++;
        }
        if (!owner)
                gtk_label_set_text(gui->cards_status, _("kartd is not running."));
        else if (n == 0)
                gtk_label_set_text(gui->cards_status, _("No card. Insert a card into a reader."));
        else
                gtk_label_set_text(gui->cards_status, "");
        gtk_widget_set_visible(GTK_WIDGET(gui->cards_status), n == 0);
}

GtkWidget *gui_cards_page_new(KartGui *gui) {
        GtkWidget *scrolled, *box, *list, *status;

        box = gui_page_box(12);
        status = gui_label(_("Connecting to kartd…"), "dim-label");
        gtk_widget_set_halign(status, GTK_ALIGN_CENTER);
        gtk_box_append(GTK_BOX(box), status);
        list = gtk_list_box_new();
        gtk_list_box_set_selection_mode(GTK_LIST_BOX(list), GTK_SELECTION_NONE);
        gtk_widget_add_css_class(list, "boxed-list");
        gtk_box_append(GTK_BOX(box), list);
        gui->card_list = GTK_LIST_BOX(list);
        gui->cards_status = GTK_LABEL(status);

        scrolled = gtk_scrolled_window_new();
        gtk_scrolled_window_set_child(GTK_SCROLLED_WINDOW(scrolled), box);
        gtk_widget_set_vexpand(scrolled, TRUE);
        return scrolled;
}
