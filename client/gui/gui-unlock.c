/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The wizards over a session with the CA (org.kartd.Kartd1.Session):
 * verification code -> second factor -> new PIN (unlock) or the holder's
 * certificates (suspend, resume, revoke) -> progress -> result. kartd and
 * the CA decide everything; the wizard shows the session's state. */
#include "config.h"

#include <string.h>

#include "gui-wizard.h"
#include "kart-error.h"
#include "kart-names.h"
#include "strutil.h"

static void wizard_free(gpointer data) {
        Wizard *w = data;

        w->pending_password = string_erase_free(w->pending_password);
        g_free(w->done_serial);
        if (w->session)
                g_signal_handlers_disconnect_by_data(w->session, w);
        g_clear_object(&w->session);
        g_object_unref(w->card);
        g_free(w);
}

static int total_steps(Wizard *w) {
        return 4;
}

static const char *const step_classes[] = { "kart-step-done", "kart-step-current", "kart-step-todo", NULL };

/* Shows page NAME, with "Step N of M: TITLE" above it and step N marked
 * in the steps' row. */
void wizard_show_page(Wizard *w, const char *name, int step, const char *title) {
        g_autofree char *text = g_strdup_printf(_("Step %d of %d: %s"), step, total_steps(w), title);

        gtk_label_set_text(GTK_LABEL(w->step), text);
        for (int i = 0; i < (int) G_N_ELEMENTS(w->steps); i++)
                gui_set_css_class(w->steps[i], step_classes,
                                  i < step - 1 ? "kart-step-done" : i == step - 1 ? "kart-step-current" : "kart-step-todo");
        gtk_stack_set_visible_child_name(w->stack, name);
        gtk_label_set_text(GTK_LABEL(w->message), "");
}

void wizard_show_error(Wizard *w, const GError *error) {
        g_autofree char *text = gui_error_text(error);

        gtk_label_set_text(GTK_LABEL(w->message), text);
}

/* The end page: TITLE (what happened) and TEXT (what it means). */
void wizard_show_result(Wizard *w, gboolean success, const char *title, const char *text) {
        w->ended = TRUE;
        adw_status_page_set_icon_name(ADW_STATUS_PAGE(w->result),
                                      success ? "emblem-ok-symbolic" : "dialog-error-symbolic");
        adw_status_page_set_title(ADW_STATUS_PAGE(w->result), title);
        gui_set_plain(w->result, "description", text);
        gui_set_css_class(w->result, gui_state_classes, success ? "success" : "error");
        wizard_show_page(w, "result", total_steps(w), success ? _("Done") : _("Failed"));
        gtk_button_set_label(GTK_BUTTON(w->close), _("_Close"));
}

/* The progress page: a spinner, TITLE and what to do meanwhile. */
void wizard_show_progress(Wizard *w, const char *title, const char *text) {
        adw_status_page_set_title(ADW_STATUS_PAGE(w->progress), title);
        gui_set_plain(w->progress, "description", text);
}

/* The wizard's steps in a row, the current one marked. */
static GtkWidget *steps_row(Wizard *w) {
        const char *titles[G_N_ELEMENTS(w->steps)] = {
                _("Verification code"), _("Second factor"),
                w->kind == WIZARD_UNLOCK ? _("New PIN") : _("Certificates at the CA"), _("Done"),
        };
        GtkWidget *box = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 4);

        gtk_widget_add_css_class(box, "kart-steps");
        for (size_t i = 0; i < G_N_ELEMENTS(w->steps); i++) {
                g_autofree char *text = g_strdup_printf("%zu. %s", i + 1, titles[i]);
                if (i > 0)
                        gtk_box_append(GTK_BOX(box), gui_label("›", "dim-label"));
                w->steps[i] = gui_label(text, "kart-step");
                gtk_box_append(GTK_BOX(box), w->steps[i]);
        }
        return box;
}

/* Every call keeps the window (and so w) alive until its answer. */
void wizard_call(Wizard *w, gpointer proxy, const char *method, GVariant *params,
                        GAsyncReadyCallback callback) {
        g_object_ref(w->window);
        gui_call_interactive(proxy, method, params, callback, w);
}

GVariant *wizard_finish(Wizard *w, GObject *source, GAsyncResult *result, GError **error) {
        return gui_call_finish(source, result, error);
}

/* ---------------------------------------------------------------- session */

static void on_finished(KartSession *session, gboolean success, const char *error, const char *message,
                        gpointer user_data) {
        Wizard *w = user_data;

        if (w->ended)
                return;
        if (success)
                wizard_show_result(w, TRUE, _("Done."), NULL);
        else {
                g_autofree char *sentence = kart_error_sentence(error, message);
                wizard_show_result(w, FALSE, sentence ? sentence : error, message);
        }
}

/* The session's State; one this kart-gui does not know (a newer kartd's)
 * is _KART_SESSION_STATE_INVALID and matches nothing. */
static KartSessionState wizard_state(Wizard *w) {
        return kart_session_state_from_string(kart_session_get_state(w->session));
}

static void on_state(GObject *object, GParamSpec *pspec, gpointer user_data) {
        Wizard *w = user_data;
        const char *text = NULL;

        switch (wizard_state(w)) {
        case KART_SESSION_STATE_AUTHORIZED:
                text = _("Authorized by the CA.");
                break;
        case KART_SESSION_STATE_APPLYING:
                text = _("Do not remove the card until this is done.");
                break;
        case KART_SESSION_STATE_EXPIRED:
                text = _("The session expired.");
                break;
        default:
                break;          /* the other states show as pages and results */
        }
        if (text)
                gui_set_plain(w->progress, "description", text);
}

/* ---------------------------------------------------------------- keyring */

static void on_stored_found(GObject *source, GAsyncResult *result, gpointer user_data) {
        Wizard *w = user_data;
        g_autoptr(GError) error = NULL;

        /* No keyring (or a locked one the user did not open) hides the row. */
        gtk_widget_set_visible(w->stored_box, gui_keyring_search_finish(result, &error));
        g_object_unref(w->window);
}

static void on_stored(GObject *source, GAsyncResult *result, gpointer user_data) {
        Wizard *w = user_data;
        g_autoptr(GError) error = NULL;

        if (gui_keyring_store_finish(result, &error))
                gtk_label_set_text(GTK_LABEL(w->note), _("The web password is kept in your keyring."));
        else {
                g_autofree char *text = g_strdup_printf(_("Could not store the web password in your keyring: %s"),
                                                        error->message);
                gtk_label_set_text(GTK_LABEL(w->note), text);
        }
        g_object_unref(w->window);
}

static void on_forgotten(GObject *source, GAsyncResult *result, gpointer user_data) {
        Wizard *w = user_data;
        g_autoptr(GError) error = NULL;

        if (gui_keyring_forget_finish(result, &error)) {
                gtk_widget_set_visible(w->stored_box, FALSE);
                gtk_label_set_text(GTK_LABEL(w->note), _("The web password is no longer in your keyring."));
        } else {
                g_autofree char *text = g_strdup_printf(_("Could not change your keyring: %s"), error->message);
                gtk_label_set_text(GTK_LABEL(w->note), text);
        }
        g_object_unref(w->window);
}

static void on_forget(GtkButton *button, gpointer user_data) {
        Wizard *w = user_data;

        g_object_ref(w->window);
        gui_keyring_forget(kart_card_get_serial(w->card), on_forgotten, w);
}

static void confirm_secret(Wizard *w, const char *method, const char *secret);

static void on_stored_password(GObject *source, GAsyncResult *result, gpointer user_data) {
        Wizard *w = user_data;
        g_autoptr(GError) error = NULL;
        char *password = gui_keyring_lookup_finish(result, &error);

        if (password) {
                w->stored_used = TRUE;
                confirm_secret(w, "password", password);
                gui_keyring_free(password);
        } else {
                g_autofree char *text = error
                        ? g_strdup_printf(_("Could not read your keyring: %s"), error->message)
                        : g_strdup(_("Your keyring holds no web password for this card."));
                gtk_label_set_text(GTK_LABEL(w->message), text);
                gtk_widget_set_visible(w->stored_box, error != NULL);
        }
        g_object_unref(w->window);
}

static void on_use_stored(GtkButton *button, gpointer user_data) {
        Wizard *w = user_data;

        g_object_ref(w->window);
        gui_keyring_lookup(kart_card_get_serial(w->card), on_stored_password, w);
}

static void show_factor_page(Wizard *w) {
        const char *const *methods = kart_session_get_second_factor_methods(w->session);
        const char *destination = kart_session_get_sms_destination(w->session);
        gboolean sms = methods && g_strv_contains(methods, "sms");
        gboolean password = methods && g_strv_contains(methods, "password");
        g_autofree char *sms_text = NULL;

        sms_text = destination && *destination
                           ? g_strdup_printf(_("SMS code sent to %s"), destination)
                           : g_strdup(_("SMS code"));
        gtk_label_set_text(GTK_LABEL(w->sms_text), sms ? sms_text : "");
        gtk_widget_set_visible(w->sms_box, sms);
        gtk_widget_set_visible(w->password_box, password);
        wizard_show_page(w, "factor", 2, _("Second factor"));
        if (password && gui_keyring_available()) {
                g_object_ref(w->window);
                gui_keyring_search(kart_card_get_serial(w->card), on_stored_found, w);
        }
}

static void on_session_started(GObject *source, GAsyncResult *result, gpointer user_data) {
        Wizard *w = user_data;
        GtkWindow *window = w->window;
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = wizard_finish(w, source, result, &error);
        const char *path;

        gtk_widget_set_sensitive(w->code_next, TRUE);
        if (reply) {
                g_variant_get(reply, "(&o)", &path);
                /* kartd sends the session's changes to its owner without
                 * their values: the proxy reads them. */
                w->session = kart_session_proxy_new_for_bus_sync(G_BUS_TYPE_SYSTEM,
                                                                 G_DBUS_PROXY_FLAGS_GET_INVALIDATED_PROPERTIES,
                                                                 KART_BUS_NAME, path, NULL, &error);
        }
        if (!w->session)
                wizard_show_error(w, error);
        else {
                g_signal_connect(w->session, "finished", G_CALLBACK(on_finished), w);
                g_signal_connect(w->session, "notify::state", G_CALLBACK(on_state), w);
                show_factor_page(w);
        }
        g_object_unref(window);
}

static void on_code_next(GtkButton *button, gpointer user_data) {
        Wizard *w = user_data;
        const char *code = gtk_editable_get_text(GTK_EDITABLE(w->code));

        gtk_widget_set_sensitive(w->code_next, FALSE);
        gtk_label_set_text(GTK_LABEL(w->message), _("Asking the CA…"));
        wizard_call(w, w->card, w->kind == WIZARD_UNLOCK ? "Unlock" : "CertificateSession",
                    g_variant_new("(sa{sv})", code, NULL), on_session_started);
}

static void on_sms_sent(GObject *source, GAsyncResult *result, gpointer user_data) {
        Wizard *w = user_data;
        GtkWindow *window = w->window;
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = wizard_finish(w, source, result, &error);

        if (reply)
                gtk_label_set_text(GTK_LABEL(w->message), _("The SMS is on its way."));
        else
                wizard_show_error(w, error);
        g_object_unref(window);
}

static void on_send_sms(GtkButton *button, gpointer user_data) {
        Wizard *w = user_data;
        wizard_call(w, w->session, "SendSms", NULL, on_sms_sent);
}

static void on_confirmed(GObject *source, GAsyncResult *result, gpointer user_data) {
        Wizard *w = user_data;
        GtkWindow *window = w->window;
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = wizard_finish(w, source, result, &error);

        gtk_widget_set_sensitive(w->sms_box, TRUE);
        gtk_widget_set_sensitive(w->password_box, TRUE);
        if (reply && w->pending_password) {
                g_object_ref(w->window);
                gui_keyring_store(kart_card_get_serial(w->card), w->pending_password, on_stored, w);
        }
        w->pending_password = string_erase_free(w->pending_password);
        if (!reply) {
                wizard_show_error(w, error);
                /* A refused stored password stays until the holder forgets it. */
                if (w->stored_used)
                        gtk_label_set_text(GTK_LABEL(w->note),
                                           _("The CA did not accept the web password from your keyring: "
                                             "type it, or forget the stored one."));
        } else if (w->kind == WIZARD_UNLOCK) {
                g_autofree char *lengths = gui_length_rule(kart_session_get_pin_min_length(w->session),
                                                           kart_session_get_pin_max_length(w->session));
                gtk_label_set_text(GTK_LABEL(w->pin_lengths), lengths ? lengths : "");
                wizard_show_page(w, "pin", 3, _("New PIN"));
        } else
                wizard_list_account(w);
        g_object_unref(window);
}

static void confirm_secret(Wizard *w, const char *method, const char *secret) {
        gtk_widget_set_sensitive(w->sms_box, FALSE);
        gtk_widget_set_sensitive(w->password_box, FALSE);
        wizard_call(w, w->session, "Confirm", g_variant_new("(ss)", method, secret), on_confirmed);
}

static void confirm_entry(Wizard *w, const char *method, GtkWidget *entry) {
        confirm_secret(w, method, gtk_editable_get_text(GTK_EDITABLE(entry)));
        gtk_editable_set_text(GTK_EDITABLE(entry), "");
}

static void on_confirm_sms(GtkButton *button, gpointer user_data) {
        Wizard *w = user_data;
        confirm_entry(w, "sms", w->sms_code);
}

static void on_confirm_password(GtkButton *button, gpointer user_data) {
        Wizard *w = user_data;

        w->pending_password = string_erase_free(w->pending_password);
        if (gtk_switch_get_active(GTK_SWITCH(w->remember)))
                /* (strdup: string_erase_free() frees it) */
                w->pending_password = strdup(gtk_editable_get_text(GTK_EDITABLE(w->password)));
        w->stored_used = FALSE;
        confirm_entry(w, "password", w->password);
}

/* ---------------------------------------------------------------- unlock */

static void on_pin_set(GObject *source, GAsyncResult *result, gpointer user_data) {
        Wizard *w = user_data;
        GtkWindow *window = w->window;
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = wizard_finish(w, source, result, &error);

        gtk_widget_set_sensitive(w->pin_next, TRUE);
        if (reply)
                wizard_show_result(w, TRUE, _("The new PIN is set"),
                            _("The card is unlocked and ready to use with the PIN you chose. The PUK was not "
                              "used. Keep the PIN to yourself."));
        else if (!w->ended && wizard_state(w) == KART_SESSION_STATE_AUTHORIZED) {
                wizard_show_page(w, "pin", 3, _("New PIN"));
                wizard_show_error(w, error);
        } else if (!w->ended) {
                g_autofree char *text = gui_error_text(error);
                wizard_show_result(w, FALSE, _("The PIN was not set"), text);
        }
        g_object_unref(window);
}

static void on_pin_next(GtkButton *button, gpointer user_data) {
        Wizard *w = user_data;
        const char *pin = gtk_editable_get_text(GTK_EDITABLE(w->new_pin));

        if (!g_str_equal(pin, gtk_editable_get_text(GTK_EDITABLE(w->repeat)))) {
                gtk_label_set_text(GTK_LABEL(w->message), _("The new PINs do not match."));
                return;
        }
        gtk_widget_set_sensitive(w->pin_next, FALSE);
        wizard_show_progress(w, _("Writing the new PIN to the card"), _("Do not remove the card until this is done."));
        wizard_show_page(w, "progress", 3, _("Setting the PIN"));
        wizard_call(w, w->session, "SetPin", g_variant_new("(s)", pin), on_pin_set);
        gtk_editable_set_text(GTK_EDITABLE(w->new_pin), "");
        gtk_editable_set_text(GTK_EDITABLE(w->repeat), "");
}

GtkWidget *wizard_page_box(void) {
        return gtk_box_new(GTK_ORIENTATION_VERTICAL, 10);
}

/* ---------------------------------------------------------------- window */

static void on_close(GtkButton *button, gpointer user_data) {
        Wizard *w = user_data;
        gtk_window_close(w->window);
}

static gboolean on_close_request(GtkWindow *window, gpointer user_data) {
        Wizard *w = user_data;

        /* Tell the CA at once rather than letting the session expire. */
        if (w->session && !w->ended)
                g_dbus_proxy_call(G_DBUS_PROXY(w->session), "Cancel", NULL, G_DBUS_CALL_FLAGS_NONE, -1,
                                  NULL, NULL, NULL);
        return FALSE;
}

static GtkWidget *next_button(Wizard *w, const char *mnemonic, GCallback callback) {
        GtkWidget *button = gtk_button_new_with_mnemonic(mnemonic);

        gtk_widget_add_css_class(button, "suggested-action");
        gtk_widget_set_halign(button, GTK_ALIGN_END);
        g_signal_connect(button, "clicked", callback, w);
        return button;
}

static GtkWidget *wrapped(const char *text) {
        GtkWidget *label = gui_label(text, NULL);

        gtk_label_set_wrap(GTK_LABEL(label), TRUE);
        gtk_label_set_max_width_chars(GTK_LABEL(label), 55);
        return label;
}

/* kartd's Manager.UnlockPortal: where the holder gets the code; NULL
 * when kartd does not know. */
static char *unlock_portal(Wizard *w) {
        g_autoptr(GVariant) reply = NULL, value = NULL;
        char *portal;

        reply = g_dbus_connection_call_sync(g_dbus_proxy_get_connection(G_DBUS_PROXY(w->card)), KART_BUS_NAME,
                                            KART_MANAGER_PATH, "org.freedesktop.DBus.Properties", "Get",
                                            g_variant_new("(ss)", KART_MANAGER_INTERFACE, "UnlockPortal"),
                                            G_VARIANT_TYPE("(v)"), G_DBUS_CALL_FLAGS_NONE, 2000, NULL, NULL);
        if (!reply)
                return NULL;
        g_variant_get(reply, "(v)", &value);
        if (!g_variant_is_of_type(value, G_VARIANT_TYPE_STRING))
                return NULL;
        portal = g_variant_dup_string(value, NULL);
        if (!g_str_has_prefix(portal, "https://")) {
                g_free(portal);
                return NULL;
        }
        return portal;
}

static void build_pages(Wizard *w) {
        GtkWidget *page, *spinner, *send_sms, *button, *box;
        g_autofree char *portal = unlock_portal(w);

        page = wizard_page_box();
        gtk_box_append(GTK_BOX(page), wrapped(w->kind == WIZARD_UNLOCK
                ? _("Type the verification code you got from the CA's portal for unlocking this card.")
                : _("Type the verification code you got from the CA's portal for certificate operations.")));
        if (portal) {
                /* the desktop's URI handler opens it */
                button = gtk_link_button_new_with_label(portal, _("Open the portal"));
                gtk_widget_set_halign(button, GTK_ALIGN_START);
                gtk_widget_set_tooltip_text(button, portal);
                gtk_box_append(GTK_BOX(page), button);
        }
        w->code = gui_entry(_("Verification code"));
        gtk_box_append(GTK_BOX(page), w->code);
        w->code_next = next_button(w, _("_Next"), G_CALLBACK(on_code_next));
        gtk_box_append(GTK_BOX(page), w->code_next);
        gtk_stack_add_named(w->stack, page, "code");

        page = wizard_page_box();
        gtk_box_append(GTK_BOX(page), wrapped(_("Prove that you are the card's holder.")));
        /* One box per method the CA offers; each confirms with its own secret. */
        w->sms_box = wizard_page_box();
        w->sms_text = gui_label("", "heading");
        send_sms = gtk_button_new_with_mnemonic(_("_Send the SMS"));
        gtk_widget_set_halign(send_sms, GTK_ALIGN_START);
        g_signal_connect(send_sms, "clicked", G_CALLBACK(on_send_sms), w);
        w->sms_code = gui_password_entry(_("SMS code"));
        gtk_box_append(GTK_BOX(w->sms_box), w->sms_text);
        gtk_box_append(GTK_BOX(w->sms_box), send_sms);
        gtk_box_append(GTK_BOX(w->sms_box), w->sms_code);
        gtk_box_append(GTK_BOX(w->sms_box), next_button(w, _("Confirm with the SMS _code"),
                                                        G_CALLBACK(on_confirm_sms)));
        gtk_box_append(GTK_BOX(page), w->sms_box);
        w->password_box = wizard_page_box();
        gtk_box_append(GTK_BOX(w->password_box), gui_label(_("Web password of the CA's portal"), "heading"));
        w->stored_box = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 6);
        gtk_box_append(GTK_BOX(w->stored_box), gui_label(_("Your keyring holds it."), NULL));
        button = gtk_button_new_with_mnemonic(_("_Use the stored web password"));
        g_signal_connect(button, "clicked", G_CALLBACK(on_use_stored), w);
        gtk_box_append(GTK_BOX(w->stored_box), button);
        button = gtk_button_new_with_mnemonic(_("_Forget it"));
        g_signal_connect(button, "clicked", G_CALLBACK(on_forget), w);
        gtk_box_append(GTK_BOX(w->stored_box), button);
        gtk_widget_set_visible(w->stored_box, FALSE);
        gtk_box_append(GTK_BOX(w->password_box), w->stored_box);
        w->password = gui_password_entry(_("Web password"));
        gtk_box_append(GTK_BOX(w->password_box), w->password);
        /* A switch, not a check box: GTK 4.8 gives check boxes no accessible action. */
        box = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 6);
        w->remember = gtk_switch_new();
        gtk_accessible_update_property(GTK_ACCESSIBLE(w->remember), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                       _("Remember the web password in my keyring"), -1);
        gtk_box_append(GTK_BOX(box), w->remember);
        gtk_box_append(GTK_BOX(box), gui_label(_("Remember the web password in my keyring"), NULL));
        gtk_widget_set_visible(box, gui_keyring_available());
        gtk_box_append(GTK_BOX(w->password_box), box);
        gtk_box_append(GTK_BOX(w->password_box), next_button(w, _("Confirm with the web _password"),
                                                             G_CALLBACK(on_confirm_password)));
        gtk_box_append(GTK_BOX(page), w->password_box);
        gtk_stack_add_named(w->stack, page, "factor");

        page = wizard_page_box();
        gtk_box_append(GTK_BOX(page), wrapped(_("Choose the new PIN. It never leaves this computer.")));
        w->pin_lengths = gui_label("", "dim-label");
        w->new_pin = gui_password_entry(_("New PIN"));
        w->repeat = gui_password_entry(_("New PIN again"));
        gtk_box_append(GTK_BOX(page), w->pin_lengths);
        gtk_box_append(GTK_BOX(page), w->new_pin);
        gtk_box_append(GTK_BOX(page), w->repeat);
        w->pin_next = next_button(w, _("_Set the PIN"), G_CALLBACK(on_pin_next));
        gtk_box_append(GTK_BOX(page), w->pin_next);
        gtk_stack_add_named(w->stack, page, "pin");

        w->progress = adw_status_page_new();
        spinner = gtk_spinner_new();
        gtk_widget_set_size_request(spinner, 48, 48);
        gtk_widget_set_halign(spinner, GTK_ALIGN_CENTER);
        gtk_spinner_start(GTK_SPINNER(spinner));
        adw_status_page_set_child(ADW_STATUS_PAGE(w->progress), spinner);
        gtk_stack_add_named(w->stack, w->progress, "progress");

        gtk_stack_add_named(w->stack, wizard_certops_page(w), "account");

        w->result = adw_status_page_new();
        gtk_stack_add_named(w->stack, w->result, "result");
}

static void wizard_open(GtkWindow *parent, KartCard *card, WizardKind kind) {
        const char *what = kind == WIZARD_UNLOCK ? "unlock" : "certificates";
        Wizard *w;
        GtkWidget *box, *title, *stack;
        g_autofree char *heading = NULL;

        /* (a second wizard would start a session that ends the first one's) */
        if (gui_present_open(parent, what, card))
                return;
        w = g_new0(Wizard, 1);
        w->kind = kind;
        w->card = g_object_ref(card);
        w->window = GTK_WINDOW(gtk_window_new());
        gui_remember_open(parent, what, card, w->window);
        g_object_set_data_full(G_OBJECT(w->window), "kart-wizard", w, wizard_free);
        gtk_window_set_transient_for(w->window, parent);
        gtk_window_set_default_size(w->window, 560, 420);
        heading = g_strdup_printf(kind == WIZARD_UNLOCK ? _("Unlock the PIN of card %s")
                                                        : _("Certificates of card %s at the CA"),
                                  kart_card_get_serial(card));
        gtk_window_set_title(w->window, heading);
        gtk_window_set_titlebar(w->window, gtk_header_bar_new());

        box = gui_page_box(12);
        title = gui_label(heading, "title-3");
        gtk_box_append(GTK_BOX(box), title);
        gtk_box_append(GTK_BOX(box), steps_row(w));
        w->step = gui_label("", "dim-label");
        gtk_box_append(GTK_BOX(box), w->step);
        stack = gtk_stack_new();
        gtk_widget_set_vexpand(stack, TRUE);
        w->stack = GTK_STACK(stack);
        build_pages(w);
        gtk_box_append(GTK_BOX(box), stack);
        w->message = wrapped("");
        gtk_widget_add_css_class(w->message, "error");
        gtk_box_append(GTK_BOX(box), w->message);
        w->note = wrapped("");
        gtk_widget_add_css_class(w->note, "dim-label");
        gtk_box_append(GTK_BOX(box), w->note);
        w->close = gtk_button_new_with_mnemonic(_("_Cancel"));
        gtk_widget_set_halign(w->close, GTK_ALIGN_START);
        g_signal_connect(w->close, "clicked", G_CALLBACK(on_close), w);
        gtk_box_append(GTK_BOX(box), w->close);
        gtk_window_set_child(w->window, box);
        g_signal_connect(w->window, "close-request", G_CALLBACK(on_close_request), w);

        wizard_show_page(w, "code", 1, _("Verification code"));
        gtk_window_present(w->window);
}

void gui_unlock_wizard(GtkWindow *parent, KartCard *card) {
        wizard_open(parent, card, WIZARD_UNLOCK);
}

void gui_certificate_wizard(GtkWindow *parent, KartCard *card) {
        wizard_open(parent, card, WIZARD_CERTIFICATE);
}
