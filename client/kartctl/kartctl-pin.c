/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <getopt.h>
#include <jansson.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kart-error.h"
#include "kart-names.h"
#include "kart-states.h"
#include "kartctl-prompt.h"
#include "kartctl.h"
#include "macro.h"

typedef struct PinInfo {
        char *path, *serial, *model;
        char *pin_state;        /* as the bus says it; parsed into state */
        PinState state;
        int32_t retries_left, retries_max;
        uint32_t min_length, max_length;
} PinInfo;

static const PropSpec pin_props[] = {
        { "Serial",         's', offsetof(PinInfo, serial) },
        { "Model",          's', offsetof(PinInfo, model) },
        { "PinState",       's', offsetof(PinInfo, pin_state) },
        { "PinRetriesLeft", 'i', offsetof(PinInfo, retries_left) },
        { "PinRetriesMax",  'i', offsetof(PinInfo, retries_max) },
        { "PinMinLength",   'u', offsetof(PinInfo, min_length) },
        { "PinMaxLength",   'u', offsetof(PinInfo, max_length) },
        {}
};

typedef struct PinArgs {
        const char *serial;
        bool use_stdin, force;
} PinArgs;

static void pin_info_done(PinInfo *c) {
        kartctl_free_props(pin_props, c);
        free(c->path);
        c->path = NULL;
}

static const char *card_name(const PinInfo *c) {
        return c->serial && *c->serial ? c->serial : c->path;
}

static int fetch_pin_info(sd_bus *bus, const char *path, PinInfo *c, sd_bus_error *error) {
        sd_bus_message *reply = NULL;
        int r;

        *c = (PinInfo) { .retries_left = -1, .retries_max = -1 };
        c->path = strdup(path);
        if (!c->path)
                return -ENOMEM;
        r = sd_bus_call_method(bus, KART_BUS_NAME, path, "org.freedesktop.DBus.Properties", "GetAll",
                               error, &reply, "s", KART_CARD_INTERFACE);
        if (r >= 0)
                r = kartctl_read_props(reply, pin_props, c);
        sd_bus_message_unref(reply);
        /* A state this kartctl does not know (a newer kartd's) is unknown. */
        c->state = pin_state_from_string(c->pin_state);
        if (c->state < 0)
                c->state = PIN_STATE_UNKNOWN;
        return r;
}

static const char *pin_state_text(PinState state) {
        switch (state) {
        case PIN_STATE_OK:
                /* TRANSLATORS: a card's PIN state, in kartctl pin-status. */
                return _("ok");
        case PIN_STATE_LAST_TRY:
                return _("one try left");
        case PIN_STATE_LOCKED:
                return _("locked: unlock it online");
        case PIN_STATE_BLOCKED:
                return _("blocked for good");
        default:
                return _("unknown");
        }
}

static void print_pin_text(const PinInfo *c) {
        char tries[64] = "-", lengths[64] = "-";

        if (c->retries_left >= 0 && c->retries_max > 0)
                snprintf(tries, sizeof tries, ngettext("%d of %d left", "%d of %d left", c->retries_left),
                         (int) c->retries_left, (int) c->retries_max);
        else if (c->retries_left >= 0)
                snprintf(tries, sizeof tries, ngettext("%d left", "%d left", c->retries_left), (int) c->retries_left);
        if (c->min_length > 0 && c->max_length > 0)
                snprintf(lengths, sizeof lengths, ngettext("%u to %u character", "%u to %u characters", c->max_length),
                         c->min_length, c->max_length);
        else if (c->min_length > 0)
                snprintf(lengths, sizeof lengths, ngettext("at least %u character", "at least %u characters",
                                                           c->min_length), c->min_length);
        else if (c->max_length > 0)
                snprintf(lengths, sizeof lengths, ngettext("at most %u character", "at most %u characters",
                                                           c->max_length), c->max_length);

        printf(_("Card: %s\n"), c->serial && *c->serial ? c->serial : "-");
        /* TRANSLATORS: field labels, padded to one width: keep the translations equally wide. */
        printf("    %s %s\n", _("Model:      "), c->model && *c->model ? c->model : "-");
        printf("    %s %s\n", _("PIN:        "), pin_state_text(c->state));
        printf("    %s %s\n", _("Tries:      "), tries);
        printf("    %s %s\n", _("PIN length: "), lengths);
        printf("    %s %s\n", _("Object:     "), c->path);
}

static json_t *pin_json(const PinInfo *c) {
        return json_pack("{s:s, s:s?, s:s?, s:s, s:i, s:i, s:I, s:I}",
                         "path", c->path, "serial", c->serial, "model", c->model,
                         "pin_state", pin_state_to_string(c->state),
                         "pin_retries_left", (int) c->retries_left, "pin_retries_max", (int) c->retries_max,
                         "pin_min_length", (json_int_t) c->min_length,
                         "pin_max_length", (json_int_t) c->max_length);
}

int verb_pin_status(sd_bus *bus, int argc, char *argv[]) {
        /* --json here too: 'kartctl pin-status --json' is what one types. */
        static const struct option options[] = {
                { "json", no_argument, NULL, 'j' },
                { "help", no_argument, NULL, 'h' },
                {}
        };
        _cleanup_(kartctl_strv_freep) char **paths = NULL;
        json_t *cards = NULL;
        size_t n = 0;
        int opt, r;

        optind = 0;
        while ((opt = getopt_long(argc, argv, "h", options, NULL)) >= 0) {
                if (opt == 'h') {
                        printf(_("Usage: kartctl pin-status [SERIAL] [--json]\n\n"
                                 "Show the PIN state, tries left and allowed lengths of the cards,\n"
                                 "or of the card SERIAL.\n"));
                        return EXIT_OK;
                }
                if (opt != 'j')
                        return EXIT_USAGE;
                arg.json = true;
        }
        if (argc - optind > 1) {
                fprintf(stderr, _("'pin-status' takes at most one argument, a card serial.\n"));
                return EXIT_USAGE;
        }
        r = kartctl_list_cards(bus, optind < argc ? argv[optind] : NULL, &paths);
        if (r != 0)
                return r;
        if (arg.json)
                cards = json_array();
        for (char **p = paths; p && *p; p++) {
                _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
                _cleanup_(pin_info_done) PinInfo c = {};

                r = fetch_pin_info(bus, *p, &c, &error);
                /* Removed since the list was made: not an error. */
                if (r < 0 && sd_bus_error_has_names(&error, SD_BUS_ERROR_UNKNOWN_OBJECT,
                                                    SD_BUS_ERROR_UNKNOWN_INTERFACE))
                        continue;
                if (r < 0) {
                        json_decref(cards);
                        return kartctl_report_error(_("Failed to read the card's PIN state"), &error, r);
                }
                if (cards)
                        json_array_append_new(cards, pin_json(&c));
                else {
                        if (n > 0)
                                putchar('\n');
                        print_pin_text(&c);
                }
                n++;
        }
        if (cards)
                kartctl_print_json(json_pack("{s:o}", "cards", cards));
        else if (n == 0)
                printf(_("No cards.\n"));
        return EXIT_OK;
}

static int parse_pin_args(int argc, char *argv[], const char *usage, PinArgs *a) {
        static const struct option options[] = {
                { "help",  no_argument, NULL, 'h' },
                { "stdin", no_argument, NULL, 's' },
                { "force", no_argument, NULL, 'f' },
                {}
        };
        int c;

        optind = 0;
        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        printf("%s", usage);
                        return -1;
                case 's':
                        a->use_stdin = true;
                        break;
                case 'f':
                        a->force = true;
                        break;
                default:
                        return EXIT_USAGE;
                }
        if (argc - optind > 1) {
                fprintf(stderr, _("Too many arguments; give at most one card serial.\n"));
                return EXIT_USAGE;
        }
        a->serial = optind < argc ? argv[optind] : NULL;
        if (!a->use_stdin && !prompt_have_tty()) {
                fprintf(stderr, _("There is no terminal to ask for the PIN on; "
                                  "pass --stdin to read it from standard input.\n"));
                return EXIT_USAGE;
        }
        return 0;
}

/* The card named by SERIAL, else the only card present. */
static int select_card(sd_bus *bus, const char *serial, PinInfo *ret) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_free_ char *path = NULL;
        int r;

        r = kartctl_select_card(bus, serial, &path);
        if (r != 0)
                return r;
        r = fetch_pin_info(bus, path, ret, &error);
        if (r < 0)
                return kartctl_report_error(_("Failed to read the card's PIN state"), &error, r);
        return 0;
}

/* The interlock: returns 0 to go on (*force says whether to pass force=true)
 * or an exit code; nothing has been sent to the card in that case. */
static int check_pin_state(const PinInfo *c, const PinArgs *a, bool *force) {
        char answer[32];
        int r;

        *force = a->force;
        if (c->state == PIN_STATE_LOCKED) {
                fprintf(stderr, _("The PIN of card %s is locked. It must be unlocked online; "
                                  "kartctl will not try it.\n"), card_name(c));
                return EXIT_FAILED;
        }
        if (c->state == PIN_STATE_BLOCKED) {
                fprintf(stderr, _("Card %s is blocked for good (its PIN and PUK are used up); "
                                  "it must be replaced.\n"), card_name(c));
                return EXIT_FAILED;
        }
        if (c->state != PIN_STATE_LAST_TRY || a->force)
                return 0;

        fprintf(stderr, _("\nWARNING: only ONE PIN try is left on card %s.\n"
                          "This is your LAST try: a wrong PIN locks the card, and it must then be "
                          "unlocked online.\n"
                          "Never use the PUK yourself.\n\n"), card_name(c));
        if (a->use_stdin) {
                fprintf(stderr, _("Refusing to read the PIN from standard input at the last try; "
                                  "pass --force if you are sure of it. Nothing was sent to the card.\n"));
                return EXIT_FAILED;
        }
        /* TRANSLATORS: the word the user must type to use the last PIN try. */
        const char *yes = _("YES");
        char prompt[128];
        snprintf(prompt, sizeof prompt, _("Type %s to go on: "), yes);
        r = prompt_line(prompt, answer, sizeof answer);
        if (r < 0 || !(streq(answer, yes) || streq(answer, "YES"))) {
                fprintf(stderr, _("Cancelled. Nothing was sent to the card.\n"));
                return EXIT_FAILED;
        }
        *force = true;
        return 0;
}

/* Sends METHOD(pin[, new_pin], {force}) in a message marked sensitive, so
 * that sd-bus wipes its copy of the PINs when it is freed. */
static int call_pin_method(sd_bus *bus, const PinInfo *c, const char *method, const char *pin,
                           const char *new_pin, bool force, bool interactive, sd_bus_error *error) {
        sd_bus_message *m = NULL;
        int r;

        r = sd_bus_message_new_method_call(bus, &m, KART_BUS_NAME, c->path, KART_CARD_INTERFACE, method);
        if (r >= 0)
                r = sd_bus_message_sensitive(m);
        if (r >= 0)
                r = sd_bus_message_set_allow_interactive_authorization(m, interactive);
        if (r >= 0)
                r = sd_bus_message_append(m, "s", pin);
        if (r >= 0 && new_pin)
                r = sd_bus_message_append(m, "s", new_pin);
        if (r >= 0)
                r = sd_bus_message_open_container(m, 'a', "{sv}");
        if (r >= 0 && force)
                r = sd_bus_message_append(m, "{sv}", "force", "b", 1);
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        if (r >= 0)
                r = sd_bus_call(bus, m, KARTCTL_AUTH_CALL_TIMEOUT_USEC, error, NULL);
        sd_bus_message_unref(m);
        return r;
}

/* After a failed call: what the user should know before trying again. */
static void explain_failure(sd_bus *bus, const PinInfo *c, const sd_bus_error *error) {
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
        _cleanup_(pin_info_done) PinInfo now = {};

        if (sd_bus_error_has_name(error, KART_ERROR_LAST_TRY)) {
                fprintf(stderr, _("Only one PIN try is left. Run the command again with --force "
                                  "only if you are sure of the PIN.\n"));
                return;
        }
        if (!sd_bus_error_has_name(error, KART_ERROR_WRONG_PIN) || fetch_pin_info(bus, c->path, &now, &e) < 0)
                return;
        if (now.state == PIN_STATE_LAST_TRY)
                fprintf(stderr, _("Only one PIN try is left now. Do not guess: a wrong PIN locks the card.\n"));
        else if (now.state == PIN_STATE_LOCKED)
                fprintf(stderr, _("The PIN is now locked; the card must be unlocked online.\n"));
}

static int run_pin_verb(sd_bus *bus, int argc, char *argv[], bool change) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(pin_buffers_done) PinBuffers pins;
        _cleanup_(pin_info_done) PinInfo card = {};
        PinArgs a = {};
        bool force;
        int r;

        pin_buffers_init(&pins);
        r = parse_pin_args(argc, argv,
                           change ? _("Usage: kartctl change-pin [SERIAL] [--stdin] [--force]\n\n"
                                      "Change the PIN of a card. --stdin reads three lines: the current PIN,\n"
                                      "the new PIN and the new PIN again. --force allows the last try.\n")
                                  : _("Usage: kartctl verify-pin [SERIAL] [--stdin] [--force]\n\n"
                                      "Check a PIN against a card (a wrong PIN costs a try). --stdin reads\n"
                                      "the PIN from standard input. --force allows the last try.\n"),
                           &a);
        if (r != 0)
                return r < 0 ? EXIT_OK : r;
        r = select_card(bus, a.serial, &card);
        if (r == 0)
                r = check_pin_state(&card, &a, &force);
        if (r != 0)
                return r;

        r = prompt_read_pin(a.use_stdin, change ? _("Current PIN: ") : _("PIN: "), pins.old_pin);
        if (r == 0 && change)
                r = prompt_read_new_pin(a.use_stdin, card.min_length, card.max_length, &pins);
        if (r != 0)
                return r;

        r = call_pin_method(bus, &card, change ? "ChangePin" : "VerifyPin", pins.old_pin,
                            change ? pins.new_pin : NULL, force, !a.use_stdin, &error);
        pin_buffers_done(&pins);
        if (r < 0) {
                r = kartctl_report_error(change ? _("Failed to change the PIN") : _("Failed to verify the PIN"),
                                         &error, r);
                explain_failure(bus, &card, &error);
                return r;
        }
        printf(change ? _("PIN changed.\n") : _("PIN is correct.\n"));
        return EXIT_OK;
}

int verb_change_pin(sd_bus *bus, int argc, char *argv[]) {
        return run_pin_verb(bus, argc, argv, true);
}

int verb_verify_pin(sd_bus *bus, int argc, char *argv[]) {
        return run_pin_verb(bus, argc, argv, false);
}
