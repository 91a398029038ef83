/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* kart-gui: the application, its window and the connection to kartd. */
#include "config.h"

#include <locale.h>
#include <stdlib.h>

#include "kart-gui.h"
#include "kart-names.h"

KartCard *gui_card_proxy_new(const char *path, GError **error) {
        return kart_card_proxy_new_for_bus_sync(G_BUS_TYPE_SYSTEM, G_DBUS_PROXY_FLAGS_NONE,
                                                KART_BUS_NAME, path, NULL, error);
}

static void on_manager_changed(GObject *object, GParamSpec *pspec, gpointer user_data) {
        gui_cards_refresh(user_data);
}

static void on_card_event(KartManager *manager, const char *path, const char *reader,
                          const char *serial, gpointer user_data) {
        gui_cards_refresh(user_data);
}

/* kart-gui --unlock SERIAL: the wizard for that card, over the window. */
static void open_unlock_wizard(KartGui *gui) {
        g_autoptr(GError) error = NULL;
        g_autofree char *path = NULL;
        g_autoptr(KartCard) card = NULL;

        if (!kart_manager_call_get_card_by_serial_sync(gui->manager, gui->unlock_serial, &path,
                                                       NULL, &error)) {
                gui_show_error(gui->window, _("No card to unlock"), error);
                return;
        }
        card = gui_card_proxy_new(path, &error);
        if (!card) {
                gui_show_error(gui->window, _("No card to unlock"), error);
                return;
        }
        gui_unlock_wizard(gui->window, card);
}

static GtkWidget *build_window(KartGui *gui) {
        GtkWidget *window, *header, *switcher, *stack;

        window = gtk_application_window_new(gui->app);
        gtk_window_set_title(GTK_WINDOW(window), _("Smart Cards"));
        gtk_window_set_default_size(GTK_WINDOW(window), 820, 520);

        stack = gtk_stack_new();
        gtk_stack_set_transition_type(GTK_STACK(stack), GTK_STACK_TRANSITION_TYPE_CROSSFADE);
        gui->stack = GTK_STACK(stack);
        gtk_stack_add_titled(GTK_STACK(stack), gui_cards_page_new(gui), "cards", _("Cards"));
        gtk_stack_add_titled(GTK_STACK(stack), gui_certs_page_new(gui), "certificates",
                             _("Certificates"));

        header = gtk_header_bar_new();
        switcher = gtk_stack_switcher_new();
        gtk_stack_switcher_set_stack(GTK_STACK_SWITCHER(switcher), GTK_STACK(stack));
        gtk_header_bar_set_title_widget(GTK_HEADER_BAR(header), switcher);
        gtk_window_set_titlebar(GTK_WINDOW(window), header);
        gtk_window_set_child(GTK_WINDOW(window), stack);
        return window;
}

static void on_activate(GApplication *app, gpointer user_data) {
        KartGui *gui = user_data;
        g_autoptr(GError) error = NULL;

        if (gui->window) {
                gtk_window_present(gui->window);
                return;
        }
        gui->manager = kart_manager_proxy_new_for_bus_sync(G_BUS_TYPE_SYSTEM, G_DBUS_PROXY_FLAGS_NONE,
                                                           KART_BUS_NAME, KART_MANAGER_PATH,
                                                           NULL, &error);
        gui->window = GTK_WINDOW(build_window(gui));
        if (!gui->manager) {
                gtk_label_set_text(gui->cards_status, _("The system bus cannot be reached."));
                gtk_window_present(gui->window);
                gui_show_error(gui->window, _("Cannot reach kartd"), error);
                return;
        }
        g_signal_connect(gui->manager, "notify::cards", G_CALLBACK(on_manager_changed), gui);
        g_signal_connect(gui->manager, "notify::g-name-owner", G_CALLBACK(on_manager_changed), gui);
        g_signal_connect(gui->manager, "card-inserted", G_CALLBACK(on_card_event), gui);
        g_signal_connect(gui->manager, "card-removed", G_CALLBACK(on_card_event), gui);
        gui_cards_refresh(gui);
        gtk_window_present(gui->window);
        if (gui->unlock_serial)
                open_unlock_wizard(gui);
}

static int on_local_options(GApplication *app, GVariantDict *options, gpointer user_data) {
        KartGui *gui = user_data;

        if (g_variant_dict_contains(options, "version")) {
                g_print("kart-gui %s\n", PACKAGE_VERSION);
                return 0;
        }
        g_variant_dict_lookup(options, "unlock", "s", &gui->unlock_serial);
        return -1;
}

int main(int argc, char *argv[]) {
        const char *localedir = getenv("KART_LOCALEDIR");
        static KartGui gui;
        int status;

        setlocale(LC_ALL, "");
        bindtextdomain(GETTEXT_PACKAGE, localedir && *localedir ? localedir : LOCALEDIR);
        bind_textdomain_codeset(GETTEXT_PACKAGE, "UTF-8");
        textdomain(GETTEXT_PACKAGE);

        /* Not unique: each start is its own window (and tests stay independent). */
        gui.app = gtk_application_new("org.kartd.KartGui", G_APPLICATION_NON_UNIQUE);
        g_application_add_main_option(G_APPLICATION(gui.app), "unlock", 0, 0, G_OPTION_ARG_STRING,
                                      _("Open the unlock wizard for the card with this serial"),
                                      _("SERIAL"));
        g_application_add_main_option(G_APPLICATION(gui.app), "version", 0, 0, G_OPTION_ARG_NONE,
                                      _("Show the version and exit"), NULL);
        g_signal_connect(gui.app, "handle-local-options", G_CALLBACK(on_local_options), &gui);
        g_signal_connect(gui.app, "activate", G_CALLBACK(on_activate), &gui);
        status = g_application_run(G_APPLICATION(gui.app), argc, argv);

        g_clear_object(&gui.selected);
        g_clear_object(&gui.manager);
        g_clear_object(&gui.app);
        g_free(gui.unlock_serial);
        return status;
}
