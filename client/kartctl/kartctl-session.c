/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Sessions with the CA through kartd (org.kartd.Kartd1.Session): the
 * verification code, the choice of second factor and its confirmation,
 * shared by kartctl unlock and the certificate commands. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kart-error.h"
#include "kart-names.h"
#include "kartctl-prompt.h"
#include "kartctl-session.h"
#include "macro.h"

#define CODE_BUF 64

void session_info_done(SessionInfo *i) {
        kartctl_strv_freep(&i->methods);
        free(i->sms_destination);
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

        if (a->method)
                snprintf(buf, size, "%s", a->method);
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

/* The second factor; up to three tries on a terminal. */
static int confirm(sd_bus *bus, const SessionArgs *a, const char *path, const SessionInfo *i, const char *method) {
        char secret[KART_PIN_BUF];
        int r = 0;

        if (streq(method, "sms")) {
                _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;

                r = kartctl_call_session(bus, path, "SendSms", &error, NULL, NULL);
                if (r < 0)
                        return kartctl_report_error(_("Could not send the SMS"), &error, r);
                printf(_("An SMS code was sent to %s.\n"), i->sms_destination);
        }
        for (int round = 0; round < (a->use_stdin ? 1 : 3); round++) {
                _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;

                r = kartctl_ask(a, streq(method, "sms") ? _("SMS code: ") : _("Web password: "), true, secret, sizeof secret);
                if (r != 0)
                        break;
                r = kartctl_call_session(bus, path, "Confirm", &error, method, secret);
                explicit_bzero(secret, sizeof secret);
                if (r >= 0) {
                        printf(_("Confirmed.\n"));
                        return 0;
                }
                r = kartctl_report_error(_("Not confirmed"), &error, r);
                if (!sd_bus_error_has_name(&error, KART_ERROR_SECOND_FACTOR_INVALID))
                        break;
        }
        explicit_bzero(secret, sizeof secret);
        return r ?: EXIT_FAILED;
}

int kartctl_session_open(sd_bus *bus, const SessionArgs *a, const char *card, bool unlock,
                         char **ret_path, SessionInfo *info) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        char code[CODE_BUF], method[16];
        int r;

        r = kartctl_ask(a, _("Verification code from the CA's portal: "), true, code, sizeof code);
        if (r != 0)
                return r;
        printf(_("Checking the verification code with the CA...\n"));
        r = start_session(bus, card, unlock ? "Unlock" : "CertificateSession", code, ret_path, &error);
        explicit_bzero(code, sizeof code);
        if (r < 0)
                return kartctl_report_error(_("The CA did not accept the code"), &error, r);
        r = read_session(bus, *ret_path, info, &error);
        if (r < 0)
                return kartctl_report_error(_("Could not read the session"), &error, r);
        r = choose_method(a, info, method, sizeof method);
        if (r == 0)
                r = confirm(bus, a, *ret_path, info, method);
        return r;
}

void kartctl_session_cancel(sd_bus *bus, const char *path) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;

        if (path)
                (void) kartctl_call_session(bus, path, "Cancel", &error, NULL, NULL);   /* gone already if it ended */
}
