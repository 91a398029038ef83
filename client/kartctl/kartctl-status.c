/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kart-names.h"
#include "kartctl.h"
#include "macro.h"

#define MAX_OBJECTS 64

typedef struct ReaderInfo {
        char *path, *name, *card;
        bool card_present;
} ReaderInfo;

typedef struct CardInfo {
        char *path, *reader, *atr, *serial, *label, *model, *driver, *pin_state;
        int32_t tries_left, tries_max;
        bool unlock_supported;
} CardInfo;

static const PropSpec reader_props[] = {
        { "Name",        's', offsetof(ReaderInfo, name) },
        { "Card",        'o', offsetof(ReaderInfo, card) },
        { "CardPresent", 'b', offsetof(ReaderInfo, card_present) },
        {}
};

static const PropSpec card_props[] = {
        { "Reader", 'o', offsetof(CardInfo, reader) },
        { "Atr",    's', offsetof(CardInfo, atr) },
        { "Serial", 's', offsetof(CardInfo, serial) },
        { "Label",  's', offsetof(CardInfo, label) },
        { "Model",  's', offsetof(CardInfo, model) },
        { "Driver", 's', offsetof(CardInfo, driver) },
        { "PinState", 's', offsetof(CardInfo, pin_state) },
        { "PinRetriesLeft", 'i', offsetof(CardInfo, tries_left) },
        { "PinRetriesMax", 'i', offsetof(CardInfo, tries_max) },
        { "UnlockSupported", 'b', offsetof(CardInfo, unlock_supported) },
        {}
};

typedef struct Status {
        ReaderInfo readers[MAX_OBJECTS];
        size_t n_readers;
        CardInfo cards[MAX_OBJECTS];
        size_t n_cards;
} Status;

static void status_done(Status *s) {
        for (size_t i = 0; i < s->n_readers; i++) {
                kartctl_free_props(reader_props, &s->readers[i]);
                free(s->readers[i].path);
        }
        for (size_t i = 0; i < s->n_cards; i++) {
                kartctl_free_props(card_props, &s->cards[i]);
                free(s->cards[i].path);
        }
}

/* Reads one object's a{sa{sv}} into a reader or a card. */
static int read_object(sd_bus_message *m, const char *path, Status *s) {
        int r;

        r = sd_bus_message_enter_container(m, 'a', "{sa{sv}}");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_enter_container(m, 'e', "sa{sv}")) > 0) {
                const char *iface;

                r = sd_bus_message_read(m, "s", &iface);
                if (r < 0)
                        return r;
                if (streq(iface, KART_READER_INTERFACE) && s->n_readers < MAX_OBJECTS) {
                        ReaderInfo *ri = &s->readers[s->n_readers++];
                        ri->path = strdup(path);
                        r = kartctl_read_props(m, reader_props, ri);
                } else if (streq(iface, KART_CARD_INTERFACE) && s->n_cards < MAX_OBJECTS) {
                        CardInfo *ci = &s->cards[s->n_cards++];
                        ci->path = strdup(path);
                        r = kartctl_read_props(m, card_props, ci);
                } else
                        r = sd_bus_message_skip(m, "a{sv}");
                if (r < 0)
                        return r;
                r = sd_bus_message_exit_container(m);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;
        return sd_bus_message_exit_container(m);
}

static int fetch_status(sd_bus *bus, Status *s) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        sd_bus_message *reply = NULL;
        int r;

        r = sd_bus_call_method(bus, KART_BUS_NAME, KART_MANAGER_PATH,
                               "org.freedesktop.DBus.ObjectManager", "GetManagedObjects",
                               &error, &reply, "");
        if (r < 0)
                return kartctl_report_error(_("Failed to get the status"), &error, r);

        r = sd_bus_message_enter_container(reply, 'a', "{oa{sa{sv}}}");
        while (r >= 0 && (r = sd_bus_message_enter_container(reply, 'e', "oa{sa{sv}}")) > 0) {
                const char *path;

                r = sd_bus_message_read(reply, "o", &path);
                if (r >= 0)
                        r = read_object(reply, path, s);
                if (r >= 0)
                        r = sd_bus_message_exit_container(reply);
        }
        sd_bus_message_unref(reply);
        if (r < 0) {
                fprintf(stderr, _("kartd sent a reply kartctl does not understand: %s\n"), strerror(-r));
                return EXIT_FAILED;
        }
        return 0;
}

static const CardInfo *find_card(const Status *s, const char *path) {
        for (size_t i = 0; path && i < s->n_cards; i++)
                if (streq(s->cards[i].path, path))
                        return &s->cards[i];
        return NULL;
}

/* For an inventory (an administrator's script, over ssh too): what the
 * card is, its PIN's state and its certificates. */
static json_t *card_json(sd_bus *bus, const CardInfo *c) {
        void *certs = NULL;

        if (!c)
                return json_null();
        if (kartctl_certs_json(bus, c->path, &certs) != 0)
                certs = json_null();    /* said why on stderr (e.g. not authorized) */
        return json_pack("{s:s, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:i, s:i, s:b, s:o}",
                         "path", c->path, "model", c->model, "atr", c->atr,
                         "serial", c->serial, "label", c->label, "driver", c->driver,
                         "pin_state", c->pin_state, "pin_retries_left", (int) c->tries_left,
                         "pin_retries_max", (int) c->tries_max, "unlock_supported", c->unlock_supported,
                         "certificates", certs);
}

static void print_json(sd_bus *bus, const Status *s, const char *version) {
        json_t *readers = json_array();
        char host[256] = "";

        (void) gethostname(host, sizeof host - 1);
        for (size_t i = 0; i < s->n_readers; i++) {
                const ReaderInfo *r = &s->readers[i];

                json_array_append_new(readers,
                        json_pack("{s:s, s:s?, s:b, s:o}", "path", r->path, "name", r->name,
                                  "card_present", r->card_present, "card", card_json(bus, find_card(s, r->card))));
        }
        kartctl_print_json(json_pack("{s:s, s:s?, s:o}", "hostname", host, "kartd_version", version,
                                     "readers", readers));
}

static void print_field(const char *label, const char *value) {
        printf("    %s %s\n", label, value && *value ? value : "-");
}

static void print_text(const Status *s) {
        if (s->n_readers == 0) {
                printf(_("No card readers.\n"));
                return;
        }
        for (size_t i = 0; i < s->n_readers; i++) {
                const ReaderInfo *r = &s->readers[i];
                const CardInfo *c = find_card(s, r->card);

                printf(_("Reader: %s\n"), r->name ?: "?");
                if (!c) {
                        printf("    %s\n", r->card_present ? _("(card not identified yet)") : _("(no card)"));
                        continue;
                }
                print_field(_("Model: "), c->model);
                print_field(_("Serial:"), c->serial);
                print_field(_("Label: "), c->label);
                print_field(_("ATR:   "), c->atr);
                print_field(_("Driver:"), c->driver);
                print_field(_("Object:"), c->path);
        }
}

int verb_status(sd_bus *bus, int argc, char *argv[]) {
        _cleanup_(status_done) Status s = {};
        int r;

        if (argc > 1 && (streq(argv[1], "-h") || streq(argv[1], "--help"))) {
                printf(_("Usage: kartctl status [--json]\n\nShow the readers and the cards in them.\n"));
                return EXIT_OK;
        }
        if (argc > 1) {
                fprintf(stderr, _("'status' takes no arguments.\n"));
                return EXIT_USAGE;
        }
        r = fetch_status(bus, &s);
        if (r != 0)
                return r;
        if (arg.json) {
                _cleanup_free_ char *version = NULL;

                (void) sd_bus_get_property_string(bus, KART_BUS_NAME, KART_MANAGER_PATH, KART_MANAGER_INTERFACE,
                                                  "Version", NULL, &version);
                print_json(bus, &s, version);
        } else
                print_text(&s);
        return EXIT_OK;
}
