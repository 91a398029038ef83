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

/* kart-gui's own looks, on top of libadwaita's: status badges, banners
 * and the wizards' steps, in the style's named colours (so that they
 * follow the desktop's dark or light style). */
static const char gui_css[] =
        ".kart-badge { border-radius: 999px; padding: 2px 10px; font-weight: bold; font-size: smaller; }\n"
        ".kart-badge.success { background-color: alpha(@success_color, 0.14); }\n"
        ".kart-badge.warning { background-color: alpha(@warning_color, 0.18); }\n"
        ".kart-badge.error { background-color: alpha(@error_color, 0.14); }\n"
        ".kart-badge.dim-label { background-color: alpha(currentColor, 0.12); }\n"
        ".kart-banner { border-radius: 12px; padding: 12px 14px; }\n"
        ".kart-banner.warning { background-color: alpha(@warning_bg_color, 0.28); }\n"
        ".kart-banner.error { background-color: alpha(@error_bg_color, 0.2); }\n"
        ".kart-banner.dim-label { opacity: 1; background-color: alpha(@accent_bg_color, 0.14); }\n"
        ".kart-banner.success { background-color: alpha(@success_bg_color, 0.2); }\n"
        "row.kart-gone { opacity: 0.6; }\n"
        ".kart-step { border-radius: 999px; padding: 2px 10px; }\n"
        ".kart-step.kart-step-current { font-weight: bold; background-color: alpha(@accent_bg_color, 0.18); }\n"
        ".kart-step.kart-step-todo { opacity: 0.55; }\n";

static void load_css(void) {
        g_autoptr(GtkCssProvider) provider = gtk_css_provider_new();

G_GNUC_BEGIN_IGNORE_DEPRECATIONS  /* (its signature changed in GTK 4.12; Debian 12 has 4.8) */
        gtk_css_provider_load_from_data(provider, gui_css, -1);
G_GNUC_END_IGNORE_DEPRECATIONS
        gtk_style_context_add_provider_for_display(gdk_display_get_default(), GTK_STYLE_PROVIDER(provider),
                                                   GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
}

static void on_title_visible(GObject *object, GParamSpec *pspec, gpointer user_data) {
        /* a narrow window: the pages' switcher at the bottom */
        adw_view_switcher_bar_set_reveal(ADW_VIEW_SWITCHER_BAR(user_data),
                                         adw_view_switcher_title_get_title_visible(ADW_VIEW_SWITCHER_TITLE(object)));
}

static GtkWidget *build_window(KartGui *gui) {
        GtkWidget *window, *header, *title, *views, *bar, *box, *toasts;
        AdwViewStackPage *page;

        window = adw_application_window_new(gui->app);
        g_object_set_data(G_OBJECT(window), "kart-gui", gui);
        gtk_window_set_title(GTK_WINDOW(window), _("Smart Cards"));
        gtk_window_set_default_size(GTK_WINDOW(window), 760, 600);

        views = adw_view_stack_new();
        gui->views = ADW_VIEW_STACK(views);
        gtk_widget_set_vexpand(views, TRUE);
        page = adw_view_stack_add_titled(gui->views, gui_cards_page_new(gui), "cards", _("Cards"));
        adw_view_stack_page_set_icon_name(page, "auth-smartcard-symbolic");
        page = adw_view_stack_add_titled(gui->views, gui_certs_page_new(gui), "certificates", _("Certificates"));
        adw_view_stack_page_set_icon_name(page, "application-certificate-symbolic");

        header = adw_header_bar_new();
        title = adw_view_switcher_title_new();
        adw_view_switcher_title_set_stack(ADW_VIEW_SWITCHER_TITLE(title), gui->views);
        adw_view_switcher_title_set_title(ADW_VIEW_SWITCHER_TITLE(title), _("Smart Cards"));
        adw_header_bar_set_title_widget(ADW_HEADER_BAR(header), title);
        bar = adw_view_switcher_bar_new();
        adw_view_switcher_bar_set_stack(ADW_VIEW_SWITCHER_BAR(bar), gui->views);
        g_signal_connect(title, "notify::title-visible", G_CALLBACK(on_title_visible), bar);

        box = gtk_box_new(GTK_ORIENTATION_VERTICAL, 0);
        gtk_box_append(GTK_BOX(box), header);
        gtk_box_append(GTK_BOX(box), views);
        gtk_box_append(GTK_BOX(box), bar);
        toasts = adw_toast_overlay_new();
        adw_toast_overlay_set_child(ADW_TOAST_OVERLAY(toasts), box);
        gui->toasts = ADW_TOAST_OVERLAY(toasts);
        adw_application_window_set_content(ADW_APPLICATION_WINDOW(window), toasts);
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
        load_css();
        gui->window = GTK_WINDOW(build_window(gui));
        if (!gui->manager) {
                adw_status_page_set_title(gui->cards_status, _("The system bus cannot be reached."));
                gtk_window_present(gui->window);
                gui_show_error(gui->window, _("Cannot reach kartd"), error);
                return;
        }
        g_signal_connect(gui->manager, "notify::cards", G_CALLBACK(on_manager_changed), gui);
        g_signal_connect(gui->manager, "notify::g-name-owner", G_CALLBACK(on_manager_changed), gui);
        g_signal_connect(gui->manager, "card-inserted", G_CALLBACK(on_card_event), gui);
        g_signal_connect(gui->manager, "card-removed", G_CALLBACK(on_card_event), gui);
        g_signal_connect(gui->manager, "notify::readers", G_CALLBACK(on_manager_changed), gui);
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
        /* (libadwaita's application: its style, following the desktop's
         * dark or light preference) */
        gui.app = GTK_APPLICATION(adw_application_new("org.kartd.KartGui", G_APPLICATION_NON_UNIQUE));
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
