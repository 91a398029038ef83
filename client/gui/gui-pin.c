/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The change-PIN dialog. kartd checks the PIN's format and guards the last
 * try; the dialog only warns and passes force=true when the user agreed. */
#include "config.h"

#include "kart-gui.h"

typedef struct PinDialog {
        GtkWindow *window;
        KartCard *card;
        GtkWidget *old_pin, *new_pin, *repeat, *warning, *force, *message, *ok;
} PinDialog;

static void pin_dialog_free(gpointer data) {
        PinDialog *d = data;
        g_object_unref(d->card);
        g_free(d);
}

static void clear_entries(PinDialog *d) {
        gtk_editable_set_text(GTK_EDITABLE(d->old_pin), "");
        gtk_editable_set_text(GTK_EDITABLE(d->new_pin), "");
        gtk_editable_set_text(GTK_EDITABLE(d->repeat), "");
}

static gboolean last_try(PinDialog *d) {
        return gui_pin_state(d->card) == PIN_STATE_LAST_TRY;
}

/* The warning and the checkbox exist for screen readers only when shown. */
static void update_last_try(PinDialog *d) {
        gboolean shown = last_try(d);

        gui_banner_set(d->warning, "dialog-warning-symbolic", "warning",
                       shown ? _("Warning: the PIN has one try left. If the current PIN you type is wrong, "
                                 "the card is locked and can only be unlocked online.") : NULL);
        gtk_check_button_set_label(GTK_CHECK_BUTTON(d->force), shown ? _("I understand: use the last try") : NULL);
        gtk_widget_set_visible(d->force, shown);
}

static void on_changed(GObject *source, GAsyncResult *result, gpointer user_data) {
        PinDialog *d = user_data;
        GtkWindow *window = d->window;  /* our reference keeps d alive */
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = gui_call_finish(source, result, &error);

        gtk_widget_set_sensitive(d->ok, TRUE);
        if (reply) {
                GtkWindow *parent = gtk_window_get_transient_for(window);
                gtk_window_destroy(window);
                gui_toast(parent, _("The PIN is changed."));
        } else {
                g_autofree char *text = gui_error_text(error);
                gtk_label_set_text(GTK_LABEL(d->message), text);
                gtk_widget_add_css_class(d->message, "error");
                update_last_try(d);
        }
        g_object_unref(window);
}

static void on_ok(GtkButton *button, gpointer user_data) {
        PinDialog *d = user_data;
        const char *old_pin = gtk_editable_get_text(GTK_EDITABLE(d->old_pin));
        const char *new_pin = gtk_editable_get_text(GTK_EDITABLE(d->new_pin));
        const char *repeat = gtk_editable_get_text(GTK_EDITABLE(d->repeat));
        GVariantBuilder options;

        if (!g_str_equal(new_pin, repeat)) {
                gtk_label_set_text(GTK_LABEL(d->message), _("The new PINs do not match."));
                gtk_widget_add_css_class(d->message, "error");
                return;
        }
        if (last_try(d) && !gtk_check_button_get_active(GTK_CHECK_BUTTON(d->force))) {
                gtk_label_set_text(GTK_LABEL(d->message),
                                   _("Confirm that you want to use the last try."));
                gtk_widget_add_css_class(d->message, "error");
                return;
        }
        g_variant_builder_init(&options, G_VARIANT_TYPE_VARDICT);
        if (gtk_check_button_get_active(GTK_CHECK_BUTTON(d->force)))
                g_variant_builder_add(&options, "{sv}", "force", g_variant_new_boolean(TRUE));
        gtk_widget_set_sensitive(d->ok, FALSE);
        gtk_label_set_text(GTK_LABEL(d->message), _("Changing the PIN…"));
        gtk_widget_remove_css_class(d->message, "error");
        /* The window stays alive until the answer. */
        g_object_ref(d->window);
        gui_call_interactive(d->card, "ChangePin", g_variant_new("(ssa{sv})", old_pin, new_pin, &options),
                             on_changed, d);
        clear_entries(d);
}

static void on_cancel(GtkButton *button, gpointer user_data) {
        PinDialog *d = user_data;
        gtk_window_destroy(d->window);
}

void gui_change_pin_dialog(GtkWindow *parent, KartCard *card) {
        PinDialog *d;
        GtkWidget *box, *header, *cancel, *row, *icon;
        g_autofree char *title = NULL, *tries = gui_pin_tries(card), *lengths = NULL;
        PinState state = gui_pin_state(card);

        if (gui_present_open(parent, "pin", card))
                return;
        d = g_new0(PinDialog, 1);
        d->card = g_object_ref(card);
        d->window = GTK_WINDOW(gtk_window_new());
        gui_remember_open(parent, "pin", card, d->window);
        g_object_set_data_full(G_OBJECT(d->window), "kart-pin-dialog", d, pin_dialog_free);
        gtk_window_set_title(d->window, _("Change PIN"));
        gtk_window_set_modal(d->window, TRUE);
        gtk_window_set_transient_for(d->window, parent);

        box = gui_page_box(10);
        gtk_widget_set_size_request(box, 420, -1);
        title = g_strdup_printf(_("Change the PIN of card %s"), kart_card_get_serial(card));
        gtk_box_append(GTK_BOX(box), gui_label(title, "title-4"));
        /* the PIN's state as on the cards page */
        row = gui_row_new(gui_pin_state_text(state), tries ? tries : "");
        icon = gtk_image_new_from_icon_name(gui_pin_state_icon(state));
        gtk_widget_add_css_class(icon, gui_pin_state_css(state));
        adw_action_row_add_prefix(ADW_ACTION_ROW(row), icon);
        if (state != PIN_STATE_OK)
                gtk_widget_add_css_class(row, gui_pin_state_css(state));
        gtk_widget_add_css_class(row, "card");
        gtk_box_append(GTK_BOX(box), row);
        lengths = gui_length_rule(kart_card_get_pin_min_length(card), kart_card_get_pin_max_length(card));
        if (lengths)
                gtk_box_append(GTK_BOX(box), gui_label(lengths, "dim-label"));
        d->warning = gui_banner();
        gtk_box_append(GTK_BOX(box), d->warning);

        d->old_pin = gui_password_entry(_("Current PIN"));
        d->new_pin = gui_password_entry(_("New PIN"));
        d->repeat = gui_password_entry(_("New PIN again"));
        gtk_box_append(GTK_BOX(box), d->old_pin);
        gtk_box_append(GTK_BOX(box), d->new_pin);
        gtk_box_append(GTK_BOX(box), d->repeat);
        d->force = gtk_check_button_new();
        gtk_box_append(GTK_BOX(box), d->force);
        update_last_try(d);
        d->message = gui_label("", NULL);
        gtk_label_set_wrap(GTK_LABEL(d->message), TRUE);
        gtk_label_set_max_width_chars(GTK_LABEL(d->message), 50);
        gtk_box_append(GTK_BOX(box), d->message);

        /* GNOME's dialog buttons: Cancel at the start of the header bar,
         * the action at its end */
        header = adw_header_bar_new();
        adw_header_bar_set_show_end_title_buttons(ADW_HEADER_BAR(header), FALSE);
        cancel = gtk_button_new_with_mnemonic(_("_Cancel"));
        g_signal_connect(cancel, "clicked", G_CALLBACK(on_cancel), d);
        d->ok = gtk_button_new_with_mnemonic(_("C_hange PIN"));
        gtk_widget_add_css_class(d->ok, "suggested-action");
        g_signal_connect(d->ok, "clicked", G_CALLBACK(on_ok), d);
        adw_header_bar_pack_start(ADW_HEADER_BAR(header), cancel);
        adw_header_bar_pack_end(ADW_HEADER_BAR(header), d->ok);
        gtk_window_set_titlebar(d->window, header);
        gtk_window_set_child(d->window, box);
        gtk_window_present(d->window);
}
