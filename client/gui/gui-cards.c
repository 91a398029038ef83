/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The cards page: one boxed list per card kartd sees (its model, serial,
 * PIN state with an icon, a colour and words, and what to do), kept
 * current from the daemon's signals; a status page when there is no card
 * to show and why. */
#include "config.h"

#include "kart-gui.h"

typedef struct CardRow {
        KartGui *gui;
        KartCard *card;
        GtkWidget *banner, *pin_row, *pin_icon, *change, *unlock, *forgot;
} CardRow;

static void card_row_free(gpointer data) {
        CardRow *row = data;

        g_signal_handlers_disconnect_by_data(row->card, row);
        g_object_unref(row->card);
        g_free(row);
}

/* The primary action follows the state: change the PIN while it is
 * usable, unlock online once it is locked, nothing that spends a try
 * when the card is blocked. */
static void card_row_update(CardRow *row) {
        PinState state = gui_pin_state(row->card);
        gboolean unlock = kart_card_get_unlock_supported(row->card);
        gboolean pin_ops = kart_card_get_pin_operations_supported(row->card);
        g_autofree char *tries = gui_pin_tries(row->card), *advice = gui_pin_advice(row->card);
        const char *css = gui_pin_state_css(state);

        adw_preferences_row_set_title(ADW_PREFERENCES_ROW(row->pin_row), gui_pin_state_text(state));
        adw_action_row_set_subtitle(ADW_ACTION_ROW(row->pin_row), tries ? tries : "");
        gtk_image_set_from_icon_name(GTK_IMAGE(row->pin_icon), gui_pin_state_icon(state));
        gui_set_css_class(row->pin_icon, gui_state_classes, css);
        /* the whole row coloured when the state needs care */
        gui_set_css_class(row->pin_row, gui_state_classes, state == PIN_STATE_OK ? NULL : css);
        gui_banner_set(row->banner, gui_pin_state_icon(state), css, advice);

        gtk_widget_set_visible(row->change, pin_ops && state != PIN_STATE_LOCKED && state != PIN_STATE_BLOCKED);
        gtk_widget_set_visible(row->unlock, unlock && state == PIN_STATE_LOCKED);
        gtk_widget_set_visible(row->forgot, unlock && state != PIN_STATE_LOCKED && state != PIN_STATE_BLOCKED);
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

        gtk_widget_set_valign(button, GTK_ALIGN_CENTER);
        g_signal_connect(button, "clicked", callback, row);
        return button;
}

/* A row of the card's list: TITLE, SUBTITLE and BUTTON at its end. */
static GtkWidget *action_row(const char *title, const char *subtitle, GtkWidget *button) {
        GtkWidget *row = gui_row_new(title, subtitle);

        adw_action_row_add_suffix(ADW_ACTION_ROW(row), button);
        return row;
}

static GtkWidget *card_view_new(KartGui *gui, KartCard *card) {
        const char *model = kart_card_get_model(card);
        const char *label = kart_card_get_label(card);
        g_autofree char *title = NULL, *serial = NULL;
        GtkWidget *box, *list, *w;
        CardRow *row = g_new0(CardRow, 1);

        row->gui = gui;
        row->card = g_object_ref(card);
        box = gtk_box_new(GTK_ORIENTATION_VERTICAL, 8);
        g_object_set_data_full(G_OBJECT(box), "kart-card-row", row, card_row_free);

        title = label && *label ? g_strdup_printf("%s (%s)", model ? model : "", label)
                                : g_strdup(model && *model ? model : _("Unknown card"));
        gtk_box_append(GTK_BOX(box), gui_label(title, "title-4"));
        serial = g_strdup_printf(_("Serial number: %s"), kart_card_get_serial(card));
        w = gui_label(serial, "dim-label");
        gtk_label_set_selectable(GTK_LABEL(w), TRUE);
        gtk_box_append(GTK_BOX(box), w);
        row->banner = gui_banner();
        gtk_widget_set_margin_top(row->banner, 4);
        gtk_box_append(GTK_BOX(box), row->banner);

        list = gtk_list_box_new();
        gtk_list_box_set_selection_mode(GTK_LIST_BOX(list), GTK_SELECTION_NONE);
        gtk_widget_add_css_class(list, "boxed-list");
        gtk_widget_set_margin_top(list, 4);

        /* the PIN: its state, and the action that state calls for */
        row->pin_row = gui_row_new(NULL, NULL);
        row->pin_icon = gtk_image_new();
        gtk_image_set_icon_size(GTK_IMAGE(row->pin_icon), GTK_ICON_SIZE_LARGE);
        adw_action_row_add_prefix(ADW_ACTION_ROW(row->pin_row), row->pin_icon);
        row->change = button_for(_("C_hange PIN…"), G_CALLBACK(on_change_pin), row);
        adw_action_row_add_suffix(ADW_ACTION_ROW(row->pin_row), row->change);
        row->unlock = button_for(_("_Unlock online…"), G_CALLBACK(on_unlock), row);
        gtk_widget_add_css_class(row->unlock, "suggested-action");
        adw_action_row_add_suffix(ADW_ACTION_ROW(row->pin_row), row->unlock);
        gtk_list_box_append(GTK_LIST_BOX(list), row->pin_row);

        row->forgot = action_row(_("Forgot the PIN?"),
                                 _("Set a new one online, with a verification code from your certificate authority."),
                                 button_for(_("Set a _new PIN…"), G_CALLBACK(on_unlock), row));
        gtk_list_box_append(GTK_LIST_BOX(list), row->forgot);
        gtk_list_box_append(GTK_LIST_BOX(list),
                            action_row(_("Certificates on the card"), _("With their validity and revocation status."),
                                       button_for(_("Show _certificates"), G_CALLBACK(on_certificates), row)));
        gtk_list_box_append(GTK_LIST_BOX(list),
                            action_row(_("Certificates at the certificate authority"),
                                       _("Suspend, resume or revoke them, with a verification code."),
                                       button_for(_("Suspend, resume or _revoke…"), G_CALLBACK(on_cert_ops), row)));
        gtk_box_append(GTK_BOX(box), list);

        g_signal_connect(card, "g-properties-changed", G_CALLBACK(on_card_properties), row);
        card_row_update(row);
        return box;
}

/* Why there is no card to show: the status page's icon and words. */
static void show_status(KartGui *gui, const char *icon, const char *title, const char *description) {
        adw_status_page_set_icon_name(gui->cards_status, icon);
        adw_status_page_set_title(gui->cards_status, title);
        gui_set_plain(gui->cards_status, "description", description);
        gtk_stack_set_visible_child_name(gui->cards_stack, "status");
}

/* Rebuilds the page from the Manager's Cards and Readers properties. */
void gui_cards_refresh(KartGui *gui) {
        g_autofree char *owner = g_dbus_proxy_get_name_owner(G_DBUS_PROXY(gui->manager));
        const char *const *cards = kart_manager_get_cards(gui->manager);
        const char *const *readers = kart_manager_get_readers(gui->manager);
        GtkWidget *child;
        guint n = 0;

        while ((child = gtk_widget_get_first_child(GTK_WIDGET(gui->card_list))))
                gtk_box_remove(gui->card_list, child);
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
                gtk_box_append(gui->card_list, card_view_new(gui, card));
                n++;
        }
        if (!owner)
                show_status(gui, "computer-fail-symbolic", _("kartd is not running"),
                            _("kart-gui shows the cards that kartd, the smart card service, sees. "
                              "Start it with “systemctl start kartd”, or ask your administrator."));
        else if (n > 0)
                gtk_stack_set_visible_child_name(gui->cards_stack, "cards");
        else if (!kart_manager_get_pcscd_reachable(gui->manager))
                show_status(gui, "dialog-error-symbolic", _("The card reader service is not running"),
                            _("kartd cannot reach pcscd. “kartctl doctor” tells what to do."));
        else if (!readers || !readers[0])
                show_status(gui, "media-removable-symbolic", _("No card reader"),
                            _("Connect a smart card reader. If one is connected, “kartctl doctor” tells "
                              "why it is not seen."));
        else
                show_status(gui, "auth-smartcard-symbolic", _("Insert your card"),
                            _("Put your e-signature card into the reader."));
}

GtkWidget *gui_cards_page_new(KartGui *gui) {
        GtkWidget *stack, *status, *scrolled, *clamp, *list;

        stack = gtk_stack_new();
        gui->cards_stack = GTK_STACK(stack);
        status = adw_status_page_new();
        adw_status_page_set_icon_name(ADW_STATUS_PAGE(status), "auth-smartcard-symbolic");
        adw_status_page_set_title(ADW_STATUS_PAGE(status), _("Connecting to kartd…"));
        gui->cards_status = ADW_STATUS_PAGE(status);
        gtk_stack_add_named(GTK_STACK(stack), status, "status");

        list = gtk_box_new(GTK_ORIENTATION_VERTICAL, 30);
        gtk_widget_set_margin_top(list, 24);
        gtk_widget_set_margin_bottom(list, 24);
        gtk_widget_set_margin_start(list, 12);
        gtk_widget_set_margin_end(list, 12);
        gui->card_list = GTK_BOX(list);
        clamp = adw_clamp_new();
        adw_clamp_set_child(ADW_CLAMP(clamp), list);
        scrolled = gtk_scrolled_window_new();
        gtk_scrolled_window_set_policy(GTK_SCROLLED_WINDOW(scrolled), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
        gtk_scrolled_window_set_child(GTK_SCROLLED_WINDOW(scrolled), clamp);
        gtk_stack_add_named(GTK_STACK(stack), scrolled, "cards");
        gtk_stack_set_visible_child_name(GTK_STACK(stack), "status");
        return stack;
}
