/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <stdlib.h>

#include "bus.h"
#include "hexutil.h"
#include "kart-names.h"
#include "macro.h"

int bus_card_find(sd_bus *bus, const char *path, const char *interface, void *userdata,
                  void **found, sd_bus_error *error) {
        Engine *e = userdata;
        _cleanup_free_ char *id = NULL;
        Card *c;
        int r;

        r = sd_bus_path_decode(path, KART_CARD_PATH_PREFIX, &id);
        if (r <= 0)
                return r;
        c = engine_find_card(e, id);
        if (!c)
                return 0;
        *found = c;
        return 1;
}

int bus_card_enumerate(sd_bus *bus, const char *path, void *userdata, char ***nodes,
                       sd_bus_error *error) {
        Engine *e = userdata;
        Reader **readers;
        size_t n = engine_readers(e, &readers), k = 0;
        char **l;

        l = calloc(n + 1, sizeof *l);
        if (!l)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                if (!readers[i]->card)
                        continue;
                if (bus_card_path(readers[i]->card, &l[k]) < 0) {
                        for (size_t j = 0; j < k; j++)
                                free(l[j]);
                        free(l);
                        return -ENOMEM;
                }
                k++;
        }
        *nodes = l;
        return 1;
}

static int property_get_reader(sd_bus *bus, const char *path, const char *interface,
                               const char *property, sd_bus_message *reply, void *userdata,
                               sd_bus_error *error) {
        Card *c = userdata;
        _cleanup_free_ char *p = NULL;
        int r;

        r = bus_reader_path(c->reader, &p);
        if (r < 0)
                return r;
        return sd_bus_message_append(reply, "o", p);
}

static int property_get_atr(sd_bus *bus, const char *path, const char *interface,
                            const char *property, sd_bus_message *reply, void *userdata,
                            sd_bus_error *error) {
        Card *c = userdata;
        _cleanup_free_ char *hex = NULL;

        hex = hex_encode(c->atr, c->atr_len);
        if (!hex)
                return -ENOMEM;
        return sd_bus_message_append(reply, "s", hex);
}

/* The string properties; a missing value is the empty string. */
static int property_get_string(sd_bus *bus, const char *path, const char *interface,
                               const char *property, sd_bus_message *reply, void *userdata,
                               sd_bus_error *error) {
        Card *c = userdata;
        const char *v = NULL;

        if (streq(property, "Serial"))
                v = c->serial;
        else if (streq(property, "Label"))
                v = c->label;
        else if (streq(property, "Model"))
                v = c->model;
        else if (streq(property, "Driver"))
                v = c->driver;
        return sd_bus_message_append(reply, "s", v ?: "");
}

const sd_bus_vtable bus_card_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("Reader", "o", property_get_reader, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Atr", "s", property_get_atr, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Serial", "s", property_get_string, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Label", "s", property_get_string, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Model", "s", property_get_string, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Driver", "s", property_get_string, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_VTABLE_END
};
