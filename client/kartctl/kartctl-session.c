/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Sessions with the CA through kartd (org.kartd.Kartd1.Session): the
 * verification code, the choice of second factor and its confirmation,
 * shared by kartctl unlock and the certificate commands. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kart-error.h"
#include "kart-names.h"
#include "kartctl-keyring.h"
#include "kartctl-prompt.h"
#include "kartctl-session.h"
#include "macro.h"

#define CODE_BUF 64

void session_info_done(SessionInfo *i) {
        kartctl_strv_freep(&i->methods);
        free(i->sms_destination);
}

int kartctl_session_parse_args(int argc, char *argv[], const char *usage, int max_args, SessionArgs *a,
                               const char **reason) {
        static const struct option options[] = {
                { "help",       no_argument,       NULL, 'h' },
                { "stdin",      no_argument,       NULL, 's' },
                { "method",     required_argument, NULL, 'm' },
                { "remember",   no_argument,       NULL, 'R' },
                { "use-stored", no_argument,       NULL, 'U' },
                { "reason",     required_argument, NULL, 'r' },
                { "json",       no_argument,       NULL, 'j' },
                {}
        };
        int c;

        optind = 0;
        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        printf("%s%s", usage, _(SESSION_KEYRING_HELP));
                        return -1;
                case 's':
                        a->use_stdin = true;
                        break;
                case 'm':
                        if (!streq(optarg, "sms") && !streq(optarg, "password")) {
                                fprintf(stderr, _("--method takes 'sms' or 'password'.\n"));
                                return EXIT_USAGE;
                        }
                        a->method = optarg;
                        break;
                case 'R':
                        a->remember = true;
                        break;
                case 'U':
                        a->use_stored = true;
                        break;
                case 'r':
                case 'j':
                        if (!reason) {          /* unlock takes neither */
                                fprintf(stderr, "%s", usage);
                                return EXIT_USAGE;
                        }
                        if (c == 'r')
                                *reason = optarg;
                        else
                                arg.json = true;
                        break;
                default:
                        return EXIT_USAGE;
                }
        if (argc - optind > max_args) {
                fprintf(stderr, "%s", usage);
                return EXIT_USAGE;
        }
        return 0;
}

int kartctl_session_check_args(const SessionArgs *a) {
        if (a->use_stored && a->method && !streq(a->method, "password")) {
                fprintf(stderr, _("--use-stored confirms with the web password; it does not go with --method %s.\n"),
                        a->method);
                return EXIT_USAGE;
        }
        if ((a->remember || a->use_stored) && !keyring_built(true))
                return EXIT_FAILED;
        return 0;
}

int kartctl_card_serial(sd_bus *bus, const char *card, char **ret) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        int r;

        r = sd_bus_get_property_string(bus, KART_BUS_NAME, card, KART_CARD_INTERFACE, "Serial", &error, ret);
        return r < 0 ? kartctl_report_error(_("Could not read the card"), &error, r) : 0;
}

/* One answer: from stdin, or from the terminal (echo off for secrets). */
int kartctl_ask(const SessionArgs *a, const char *prompt, bool secret, char *buf, size_t size) {
        int r;

        if (a->use_stdin)
                r = read_secret_stdin(buf, size);
        else
                r = secret ? prompt_secret(prompt, buf, size) : prompt_line(prompt, buf, size);
        if (r == -ENOTTY)
                fprintf(stderr, _("No terminal to ask on; give --stdin to read the answers from standard input.\n"));
        else if (r == -ENODATA)
                fprintf(stderr, _("Not enough answers.\n"));
        else if (r == -E2BIG)
                fprintf(stderr, _("An answer is too long.\n"));
        return r < 0 ? EXIT_FAILED : 0;
}

/* A Session method call, marked sensitive (it may carry a secret). */
int kartctl_call_session(sd_bus *bus, const char *path, const char *method, sd_bus_error *error,
                        const char *a1, const char *a2) {
        sd_bus_message *m = NULL;
        int r;

        r = sd_bus_message_new_method_call(bus, &m, KART_BUS_NAME, path, KART_SESSION_INTERFACE, method);
        if (r >= 0)
                r = sd_bus_message_sensitive(m);
        if (r >= 0 && a1)
                r = sd_bus_message_append(m, "s", a1);
        if (r >= 0 && a2)
                r = sd_bus_message_append(m, "s", a2);
        if (r >= 0)
                r = sd_bus_call(bus, m, KARTCTL_AUTH_CALL_TIMEOUT_USEC, error, NULL);
        sd_bus_message_unref(m);
        return r;
}

static int start_session(sd_bus *bus, const char *card, const char *method, const char *code,
                         char **ret_path, sd_bus_error *error) {
        sd_bus_message *m = NULL, *reply = NULL;
        const char *path;
        int r;

        r = sd_bus_message_new_method_call(bus, &m, KART_BUS_NAME, card, KART_CARD_INTERFACE, method);
        if (r >= 0)
                r = sd_bus_message_sensitive(m);
        if (r >= 0)
                r = sd_bus_message_set_allow_interactive_authorization(m, prompt_have_tty());
        if (r >= 0)
                r = sd_bus_message_append(m, "sa{sv}", code, 0);
        if (r >= 0)
                r = sd_bus_call(bus, m, KARTCTL_AUTH_CALL_TIMEOUT_USEC, error, &reply);
        if (r >= 0)
                r = sd_bus_message_read(reply, "o", &path);
        if (r >= 0)
                *ret_path = strdup(path);
        sd_bus_message_unref(m);
        sd_bus_message_unref(reply);
        return r < 0 ? r : (*ret_path ? 0 : -ENOMEM);
}

static int read_session(sd_bus *bus, const char *path, SessionInfo *i, sd_bus_error *error) {
        int r;

        r = sd_bus_get_property_strv(bus, KART_BUS_NAME, path, KART_SESSION_INTERFACE, "SecondFactorMethods",
                                     error, &i->methods);
        if (r >= 0)
                r = sd_bus_get_property_string(bus, KART_BUS_NAME, path, KART_SESSION_INTERFACE, "SmsDestination",
                                               error, &i->sms_destination);
        if (r >= 0)
                r = sd_bus_get_property_trivial(bus, KART_BUS_NAME, path, KART_SESSION_INTERFACE, "PinMinLength",
                                                error, 'u', &i->pin_min);
        if (r >= 0)
                r = sd_bus_get_property_trivial(bus, KART_BUS_NAME, path, KART_SESSION_INTERFACE, "PinMaxLength",
                                                error, 'u', &i->pin_max);
        return r;
}

static bool has(char **l, const char *s) {
        for (; l && *l; l++)
                if (streq(*l, s))
                        return true;
        return false;
}

static int choose_method(const SessionArgs *a, const SessionInfo *i, char *buf, size_t size) {
        int r;

        if (a->method || a->use_stored)
                snprintf(buf, size, "%s", a->method ?: "password");
        else if (has(i->methods, "sms") && has(i->methods, "password")) {
                if (!a->use_stdin)
                        printf(_("Confirm with:\n  sms       a code sent to %s\n  password  your web password\n"),
                               *i->sms_destination ? i->sms_destination : "?");
                r = kartctl_ask(a, _("Method (sms or password): "), false, buf, size);
                if (r != 0)
                        return r;
        } else
                snprintf(buf, size, "%s", has(i->methods, "sms") ? "sms" : "password");
        if (!has(i->methods, buf)) {
                fprintf(stderr, _("The CA does not offer '%s' for this session.\n"), buf);
                return EXIT_FAILED;
        }
        return 0;
}

/* On a terminal: the stored web password, if there is one and the user
 * wants it; NULL otherwise. Keyring trouble is not worth a word here. */
static char *offer_stored(const SessionArgs *a, const char *serial) {
        char *stored = NULL, answer[16];

        if (a->use_stdin || !keyring_built(false) || keyring_lookup(serial, true, &stored) <= 0)
                return NULL;
        if (kartctl_ask(a, _("Use the web password stored in your keyring? [Y/n] "), false, answer, sizeof answer) == 0 &&
            (!*answer || rpmatch(answer) == 1))
                return stored;
        keyring_free(stored);
        return NULL;
}

/* Confirm with the stored web password: 0 when the CA took it, 1 when it
 * refused it (it is kept: the user is told and asked), else an exit code. */
static int confirm_stored(sd_bus *bus, const SessionArgs *a, const char *path, const char *stored) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        int r;

        r = kartctl_call_session(bus, path, "Confirm", &error, "password", stored);
        if (r >= 0) {
                printf(_("Confirmed with the web password from your keyring.\n"));
                return 0;
        }
        if (!sd_bus_error_has_name(&error, KART_ERROR_SECOND_FACTOR_INVALID))
                return kartctl_report_error(_("Not confirmed"), &error, r);
        (void) kartctl_report_error(_("The CA did not accept the web password stored in your keyring"), &error, r);
        fprintf(stderr, _("It is kept in the keyring: 'kartctl forget' deletes it, --remember replaces it.\n"));
        return a->use_stdin ? EXIT_FAILED : 1;
}

static void remember(const char *serial, const char *password) {
        if (keyring_store(serial, password) == 0)
                printf(_("The web password is stored in your keyring; 'kartctl forget' deletes it.\n"));
        else
                fprintf(stderr, _("The web password was not stored.\n"));
}

/* The second factor; up to three tries on a terminal. STORED: the web
 * password from the keyring for --use-stored, else NULL. */
static int confirm(sd_bus *bus, const SessionArgs *a, const char *path, const SessionInfo *i, const char *method,
                   const char *serial, char *stored) {
        char secret[KART_PIN_BUF];
        bool password = streq(method, "password");
        int r = 0;

        if (password) {
                if (!stored)
                        stored = offer_stored(a, serial);
                if (stored) {
                        r = confirm_stored(bus, a, path, stored);
                        keyring_free(stored);
                        if (r != 1)
                                return r;
                }
        } else {
                keyring_free(stored);
                if (a->remember)
                        printf(_("Only a web password is kept in the keyring; the SMS code is not.\n"));
        }
        if (streq(method, "sms")) {
                _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;

                r = kartctl_call_session(bus, path, "SendSms", &error, NULL, NULL);
                if (r < 0)
                        return kartctl_report_error(_("Could not send the SMS"), &error, r);
                printf(_("An SMS code was sent to %s.\n"), i->sms_destination);
        }
        for (int round = 0; round < (a->use_stdin ? 1 : 3); round++) {
                _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;

                r = kartctl_ask(a, password ? _("Web password: ") : _("SMS code: "), true, secret, sizeof secret);
                if (r != 0)
                        break;
                r = kartctl_call_session(bus, path, "Confirm", &error, method, secret);
                if (r >= 0) {
                        printf(_("Confirmed.\n"));
                        if (password && a->remember)
                                remember(serial, secret);
                        explicit_bzero(secret, sizeof secret);
                        return 0;
                }
                explicit_bzero(secret, sizeof secret);
                r = kartctl_report_error(_("Not confirmed"), &error, r);
                if (!sd_bus_error_has_name(&error, KART_ERROR_SECOND_FACTOR_INVALID))
                        break;
        }
        explicit_bzero(secret, sizeof secret);
        return r ?: EXIT_FAILED;
}

char *kartctl_unlock_portal(sd_bus *bus) {
        char *portal = NULL;

        if (sd_bus_get_property_string(bus, KART_BUS_NAME, KART_MANAGER_PATH, KART_MANAGER_INTERFACE,
                                       "UnlockPortal", NULL, &portal) < 0 || (portal && !*portal))
                portal = mfree(portal);
        return portal;
}

static void show_portal(sd_bus *bus) {
        _cleanup_free_ char *portal = kartctl_unlock_portal(bus);

        if (portal)
                printf(_("Get the verification code from your certificate authority at %s\n"), portal);
}

int kartctl_session_open(sd_bus *bus, const SessionArgs *a, const char *card, bool unlock,
                         char **ret_path, SessionInfo *info) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_free_ char *serial = NULL;
        char code[CODE_BUF], method[16], *stored = NULL;
        int r;

        r = kartctl_session_check_args(a);
        if (r == 0)
                r = kartctl_card_serial(bus, card, &serial);
        if (r != 0)
                return r;
        /* --use-stored: before the verification code is spent on it */
        if (a->use_stored && (r = keyring_lookup(serial, false, &stored)) <= 0) {
                if (r == 0)
                        fprintf(stderr, _("No web password is stored in your keyring for card %s.\n"), serial);
                return EXIT_FAILED;
        }
        show_portal(bus);
        r = kartctl_ask(a, _("Verification code from the CA's portal: "), true, code, sizeof code);
        if (r != 0) {
                keyring_free(stored);
                return r;
        }
        printf(_("Checking the verification code with the CA...\n"));
        r = start_session(bus, card, unlock ? "Unlock" : "CertificateSession", code, ret_path, &error);
        explicit_bzero(code, sizeof code);
        if (r < 0)
                r = kartctl_report_error(_("Could not start the session with the CA"), &error, r);
        else if ((r = read_session(bus, *ret_path, info, &error)) < 0)
                r = kartctl_report_error(_("Could not read the session"), &error, r);
        else
                r = choose_method(a, info, method, sizeof method);
        if (r == 0)
                return confirm(bus, a, *ret_path, info, method, serial, stored);   /* takes STORED */
        keyring_free(stored);
        return r;
}

void kartctl_session_cancel(sd_bus *bus, const char *path) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;

        if (path)
                (void) kartctl_call_session(bus, path, "Cancel", &error, NULL, NULL);   /* gone already if it ended */
}
