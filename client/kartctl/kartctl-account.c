/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The CA account of a card's holder, through a certificate session:
 * kartctl account certs, kartctl cert suspend|resume|revoke. Each opens a
 * session (verification code + second factor), does its one thing and
 * cancels the session. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>
#include <strings.h>
#include <time.h>

#include "kart-names.h"
#include "kartctl-session.h"
#include "kartctl.h"
#include "macro.h"

typedef struct ManageArgs {
        SessionArgs session;
        const char *reason;
} ManageArgs;

static int print_list(sd_bus_message *reply) {
        const char *serial, *subject, *status, *reason;
        uint64_t not_after;
        int r;

        r = sd_bus_message_enter_container(reply, 'a', "(sstss)");
        if (r < 0)
                return r;
        if (!arg.json)
                printf("%-20s %-12s %-10s %s\n", _("SERIAL"), _("VALID UNTIL"), _("STATUS"), _("SUBJECT"));
        while ((r = sd_bus_message_read(reply, "(sstss)", &serial, &subject, &not_after, &status, &reason)) > 0) {
                time_t t = (time_t) MIN(not_after, (uint64_t) INT32_MAX);
                char day[16] = "-";
                struct tm tm;

                if (localtime_r(&t, &tm))
                        strftime(day, sizeof day, "%Y-%m-%d", &tm);
                if (arg.json)
                        printf("{\"serial\":\"%s\",\"not_after\":%llu,\"status\":\"%s\",\"reason\":\"%s\"}\n",
                               serial, (unsigned long long) not_after, status, reason);
                else
                        printf("%-20s %-12s %-10s %s%s%s\n", serial, day, status, subject,
                               *reason ? " - " : "", reason);
        }
        return r;
}

int verb_account(sd_bus *bus, int argc, char *argv[]) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(session_info_done) SessionInfo info = {};
        _cleanup_free_ char *card = NULL, *session = NULL;
        ManageArgs a = {};
        int r;

        if (argc < 2 || !streq(argv[1], "certs")) {
                fprintf(stderr, _("Usage: kartctl account certs [SERIAL] [--method sms|password] [--stdin]\n"));
                return EXIT_USAGE;
        }
        r = kartctl_session_parse_args(argc - 1, argv + 1,
                       _("Usage: kartctl account certs [SERIAL] [--method sms|password] [--stdin]\n"
                         "                             [--remember] [--use-stored]\n\n"
                         "List the certificates the CA has for the holder of the card, with their\n"
                         "status at the CA (after the verification code and the second factor).\n"), 1, &a.session, &a.reason);
        if (r != 0)
                return r < 0 ? EXIT_OK : r;
        r = kartctl_select_card(bus, optind < argc - 1 ? argv[1 + optind] : NULL, &card);
        if (r == 0)
                r = kartctl_session_open(bus, &a.session, card, false, &session, &info);
        if (r == 0) {
                r = sd_bus_call_method(bus, KART_BUS_NAME, session, KART_SESSION_INTERFACE,
                                       "ListAccountCertificates", &error, &reply, NULL);
                r = r < 0 ? kartctl_report_error(_("Could not list the certificates"), &error, r)
                          : (print_list(reply) < 0 ? EXIT_FAILED : 0);
        }
        kartctl_session_cancel(bus, session);
        return r;
}

/* The certificate serial for ID: a card certificate ID, or the serial itself. */
static int resolve_serial(sd_bus *bus, const char *card, const char *id, char **ret) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        const char *key, *value;
        int r;

        r = sd_bus_call_method(bus, KART_BUS_NAME, card, KART_CARD_INTERFACE, "GetCertificateInfo", &error,
                               &reply, "s", id);
        if (r < 0) {            /* not a card ID: a serial as typed */
                *ret = strdup(id);
                for (char *p = *ret; p && *p; p++)
                        *p = (char) toupper((unsigned char) *p);
                return *ret ? 0 : -ENOMEM;
        }
        r = sd_bus_message_enter_container(reply, 'a', "{sv}");
        while (r >= 0 && (r = sd_bus_message_enter_container(reply, 'e', "sv")) > 0) {
                r = sd_bus_message_read(reply, "s", &key);
                if (r >= 0 && streq(key, "serial")) {
                        r = sd_bus_message_read(reply, "v", "s", &value);
                        if (r >= 0)
                                return (*ret = strdup(value)) ? 0 : -ENOMEM;
                } else if (r >= 0)
                        r = sd_bus_message_skip(reply, "v");
                if (r >= 0)
                        r = sd_bus_message_exit_container(reply);
        }
        return r < 0 ? r : -ENOENT;
}

int verb_cert_manage(sd_bus *bus, int argc, char *argv[]) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(session_info_done) SessionInfo info = {};
        _cleanup_free_ char *card = NULL, *session = NULL, *serial = NULL;
        const char *op = argv[0];
        char confirm[64] = "";
        ManageArgs a = { .reason = "unspecified" };
        int r;

        r = kartctl_session_parse_args(argc, argv,
                       _("Usage: kartctl cert suspend|resume|revoke ID [SERIAL] [--reason R] [--method M] [--stdin]\n"
                         "                                              [--remember] [--use-stored]\n\n"
                         "Suspend (put on hold), resume or revoke a certificate at the CA. ID is the\n"
                         "certificate's ID on the card or its serial number. Revoking is final: the\n"
                         "serial number must be typed again.\n"), 2, &a.session, &a.reason);
        if (r != 0)
                return r < 0 ? EXIT_OK : r;
        if (optind >= argc) {
                fprintf(stderr, _("'cert %s' needs a certificate ID.\n"), op);
                return EXIT_USAGE;
        }
        r = kartctl_select_card(bus, optind + 1 < argc ? argv[optind + 1] : NULL, &card);
        if (r != 0)
                return r;
        r = resolve_serial(bus, card, argv[optind], &serial);
        if (r < 0) {
                fprintf(stderr, _("No certificate '%s'.\n"), argv[optind]);
                return EXIT_FAILED;
        }
        r = kartctl_session_open(bus, &a.session, card, false, &session, &info);
        if (r == 0 && streq(op, "revoke")) {
                printf(_("Revoking certificate %s is final. Type its serial number to confirm: "), serial);
                fflush(stdout);
                r = kartctl_ask(&a.session, "", false, confirm, sizeof confirm);
                if (r == 0 && strcasecmp(confirm, serial) != 0) {
                        fprintf(stderr, _("That is not the serial number; nothing was revoked.\n"));
                        r = EXIT_FAILED;
                }
        }
        if (r == 0) {
                const char *method = streq(op, "suspend") ? "Suspend" : streq(op, "resume") ? "Resume" : "Revoke";
                sd_bus_message *reply = NULL;

                r = streq(op, "revoke")
                        ? sd_bus_call_method(bus, KART_BUS_NAME, session, KART_SESSION_INTERFACE, method, &error,
                                             &reply, "sss", serial, a.reason, serial)
                        : sd_bus_call_method(bus, KART_BUS_NAME, session, KART_SESSION_INTERFACE, method, &error,
                                             &reply, "s", serial);
                sd_bus_message_unref(reply);
                if (r < 0)
                        r = kartctl_report_error(_("The CA did not do it"), &error, r);
                else {
                        r = 0;
                        printf(_("Done: certificate %s is %s at the CA. OCSP shows it within a minute or two.\n"),
                               serial, streq(op, "suspend") ? _("on hold") : streq(op, "resume") ? _("valid again")
                                                                                     : _("revoked"));
                }
        }
        kartctl_session_cancel(bus, session);
        return r;
}
