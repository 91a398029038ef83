/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kart-error.h"
#include "kart-names.h"
#include "kartctl.h"
#include "macro.h"

int kartctl_connect(sd_bus **ret) {
        int r;

        (void) kart_error_register();
        if (arg.host)
                r = sd_bus_open_system_remote(ret, arg.host);
        else
                r = sd_bus_open_system(ret);
        if (r < 0) {
                fprintf(stderr, _("Cannot connect to the system bus: %s\n"), strerror(-r));
                return EXIT_FAILED;
        }
        return 0;
}

int kartctl_report_error(const char *what, const sd_bus_error *error, int r) {
        _cleanup_free_ char *text = NULL;

        if (sd_bus_error_has_names(error, SD_BUS_ERROR_SERVICE_UNKNOWN, SD_BUS_ERROR_NAME_HAS_NO_OWNER)) {
                fprintf(stderr, _("kartd is not running (%s is not on the system bus).\n"), KART_BUS_NAME);
                return EXIT_NO_DAEMON;
        }
        text = error ? kart_error_sentence(error->name, error->message) : NULL;
        if (text)
                fprintf(stderr, "%s: %s (%s)\n", what, text, error->message ?: "");
        else
                fprintf(stderr, "%s: %s\n", what,
                        error && error->message ? error->message : strerror(-r));
        return EXIT_FAILED;
}

void kartctl_strv_freep(char ***l) {
        for (char **p = *l; p && *p; p++)
                free(*p);
        free(*l);
        *l = NULL;
}

int kartctl_list_cards(sd_bus *bus, const char *serial, char ***ret) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        sd_bus_message *reply = NULL;
        const char *path;
        int r;

        if (!serial) {
                r = sd_bus_get_property_strv(bus, KART_BUS_NAME, KART_MANAGER_PATH, KART_MANAGER_INTERFACE,
                                             "Cards", &error, ret);
                return r < 0 ? kartctl_report_error(_("Failed to list the cards"), &error, r) : 0;
        }
        r = sd_bus_call_method(bus, KART_BUS_NAME, KART_MANAGER_PATH, KART_MANAGER_INTERFACE,
                               "GetCardBySerial", &error, &reply, "s", serial);
        if (r >= 0)
                r = sd_bus_message_read(reply, "o", &path);
        if (r >= 0) {
                *ret = calloc(2, sizeof(char *));
                if (!*ret || !((*ret)[0] = strdup(path)))
                        r = -ENOMEM;
        }
        sd_bus_message_unref(reply);
        return r < 0 ? kartctl_report_error(_("Failed to find the card"), &error, r) : 0;
}

int kartctl_select_card(sd_bus *bus, const char *serial, char **ret_path) {
        _cleanup_(kartctl_strv_freep) char **paths = NULL;
        int r;

        r = kartctl_list_cards(bus, serial, &paths);
        if (r != 0)
                return r;
        if (!paths || !paths[0]) {
                fprintf(stderr, _("No card is present.\n"));
                return EXIT_FAILED;
        }
        if (paths[1]) {
                fprintf(stderr, _("Several cards are present; name one by its serial "
                                  "(see 'kartctl status').\n"));
                return EXIT_USAGE;
        }
        *ret_path = TAKE_PTR(paths[0]);
        return 0;
}

static int read_one(sd_bus_message *m, const PropSpec *p, void *obj) {
        char *field = (char *) obj + p->offset;
        char type[2] = { p->type, 0 };
        int r;

        r = sd_bus_message_enter_container(m, 'v', type);
        if (r <= 0) {
                /* Not the type we expect: skip it. */
                return r < 0 ? sd_bus_message_skip(m, "v") : 0;
        }
        switch (p->type) {
        case 's':
        case 'o': {
                const char *s;

                r = sd_bus_message_read_basic(m, p->type, &s);
                if (r >= 0) {
                        free(*(char **) field);
                        *(char **) field = strdup(s);
                }
                break;
        }
        case 'b': {
                int b;

                r = sd_bus_message_read_basic(m, 'b', &b);
                if (r >= 0)
                        *(bool *) field = b;
                break;
        }
        case 'i':
        case 'u':
                r = sd_bus_message_read_basic(m, p->type, field);
                break;
        case 't':
                r = sd_bus_message_read_basic(m, 't', field);
                break;
        default:
                r = -EINVAL;
        }
        if (r < 0)
                return r;
        return sd_bus_message_exit_container(m);
}

int kartctl_read_props(sd_bus_message *m, const PropSpec *spec, void *obj) {
        int r;

        r = sd_bus_message_enter_container(m, 'a', "{sv}");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
                const PropSpec *p = NULL;
                const char *name;

                r = sd_bus_message_read(m, "s", &name);
                if (r < 0)
                        return r;
                for (const PropSpec *s = spec; s->name; s++)
                        if (streq(s->name, name))
                                p = s;
                r = p ? read_one(m, p, obj) : sd_bus_message_skip(m, "v");
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

void kartctl_free_props(const PropSpec *spec, void *obj) {
        for (const PropSpec *s = spec; s->name; s++)
                if (s->type == 's' || s->type == 'o') {
                        char **f = (char **) ((char *) obj + s->offset);
                        free(*f);
                        *f = NULL;
                }
}

void kartctl_print_json(void *object) {
        json_t *j = object;
        char *s;

        s = json_dumps(j, JSON_COMPACT);
        if (s) {
                puts(s);
                fflush(stdout);
        }
        free(s);
        json_decref(j);
}
