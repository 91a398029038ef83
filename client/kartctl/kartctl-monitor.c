/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <systemd/sd-event.h>

#include "kart-names.h"
#include "kartctl.h"
#include "macro.h"

static void print_event(const char *event, const char *object, const char *reader,
                        const char *serial) {
        if (arg.json) {
                kartctl_print_json(json_pack("{s:s, s:s, s:s, s:s?}", "event", event,
                                             strncmp(event, "Card", 4) == 0 ? "card" : "reader", object,
                                             "reader", reader, "serial", serial));
                return;
        }
        if (streq(event, "CardInserted"))
                printf(_("Card inserted: serial %s in reader '%s' (%s)\n"), serial && *serial ? serial : "-", reader, object);
        else if (streq(event, "CardRemoved"))
                printf(_("Card removed: serial %s from reader '%s' (%s)\n"), serial && *serial ? serial : "-", reader, object);
        else if (streq(event, "ReaderAdded"))
                printf(_("Reader added: '%s' (%s)\n"), reader, object);
        else if (streq(event, "ReaderRemoved"))
                printf(_("Reader removed: '%s' (%s)\n"), reader, object);
        fflush(stdout);
}

static int on_manager_signal(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        const char *member = sd_bus_message_get_member(m);
        const char *object, *reader, *serial = NULL;
        int r;

        if (streq(member, "CardInserted") || streq(member, "CardRemoved"))
                r = sd_bus_message_read(m, "oss", &object, &reader, &serial);
        else if (streq(member, "ReaderAdded") || streq(member, "ReaderRemoved"))
                r = sd_bus_message_read(m, "os", &object, &reader);
        else
                return 0;
        if (r < 0) {
                fprintf(stderr, _("Ignoring a malformed %s signal.\n"), member);
                return 0;
        }
        print_event(member, object, reader, serial);
        return 0;
}

static int on_owner_changed(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        const char *name, *old_owner, *new_owner;

        if (sd_bus_message_read(m, "sss", &name, &old_owner, &new_owner) < 0)
                return 0;
        if (arg.json)
                kartctl_print_json(json_pack("{s:s}", "event", *new_owner ? "DaemonStarted" : "DaemonStopped"));
        else {
                printf(*new_owner ? _("kartd started.\n") : _("kartd stopped.\n"));
                fflush(stdout);
        }
        return 0;
}

int verb_monitor(sd_bus *bus, int argc, char *argv[]) {
        sd_event *event = NULL;
        int r;

        if (argc > 1 && (streq(argv[1], "-h") || streq(argv[1], "--help"))) {
                printf(_("Usage: kartctl monitor [--json]\n\nPrint card and reader events until interrupted.\n"));
                return EXIT_OK;
        }
        if (argc > 1) {
                fprintf(stderr, _("'monitor' takes no arguments.\n"));
                return EXIT_USAGE;
        }

        sigset_t mask;
        sigemptyset(&mask);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGTERM);
        sigprocmask(SIG_BLOCK, &mask, NULL);

        r = sd_event_default(&event);
        if (r >= 0)
                r = sd_event_add_signal(event, NULL, SIGINT, NULL, NULL);
        if (r >= 0)
                r = sd_event_add_signal(event, NULL, SIGTERM, NULL, NULL);
        if (r >= 0)
                r = sd_bus_attach_event(bus, event, 0);
        /* Synchronous matches: once they are in place no event is missed. */
        if (r >= 0)
                r = sd_bus_match_signal(bus, NULL, KART_BUS_NAME, KART_MANAGER_PATH, KART_MANAGER_INTERFACE,
                                        NULL, on_manager_signal, NULL);
        if (r >= 0)
                r = sd_bus_add_match(bus, NULL,
                                     "type='signal',sender='org.freedesktop.DBus',"
                                     "interface='org.freedesktop.DBus',member='NameOwnerChanged',"
                                     "arg0='" KART_BUS_NAME "'", on_owner_changed, NULL);
        if (r < 0) {
                fprintf(stderr, _("Failed to watch kartd's events: %s\n"), strerror(-r));
                sd_event_unref(event);
                return EXIT_FAILED;
        }
        r = sd_bus_get_name_creds(bus, KART_BUS_NAME, 0, NULL);
        if (r < 0)
                fprintf(stderr, _("kartd is not running; waiting for it.\n"));
        fprintf(stderr, _("Watching kartd events; press Ctrl+C to stop.\n"));

        r = sd_event_loop(event);
        sd_event_unref(event);
        return r < 0 ? EXIT_FAILED : EXIT_OK;
}
