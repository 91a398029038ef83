/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "bus.h"
#include "kart-names.h"
#include "macro.h"
#include "strutil.h"

int bus_reader_find(sd_bus *bus, const char *path, const char *interface, void *userdata,
                    void **found, sd_bus_error *error) {
        Engine *e = userdata;
        _cleanup_free_ char *id = NULL;
        unsigned index;
        char tail;
        Reader *r;
        int k;

        k = sd_bus_path_decode(path, KART_READER_PATH_PREFIX, &id);
        if (k <= 0)
                return k;
        if (sscanf(id, "%u%c", &index, &tail) != 1)
                return 0;
        r = engine_find_reader_by_index(e, index);
        if (!r)
                return 0;
        *found = r;
        return 1;
}

int bus_reader_enumerate(sd_bus *bus, const char *path, void *userdata, char ***nodes,
                         sd_bus_error *error) {
        Engine *e = userdata;
        Reader **readers;
        size_t n = engine_readers(e, &readers);
        char **l;

        l = calloc(n + 1, sizeof *l);
        if (!l)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++)
                if (bus_reader_path(readers[i], &l[i]) < 0) {
                        for (size_t k = 0; k < i; k++)
                                free(l[k]);
                        free(l);
                        return -ENOMEM;
                }
        *nodes = l;
        return 1;
}

static int property_get_name(sd_bus *bus, const char *path, const char *interface,
                             const char *property, sd_bus_message *reply, void *userdata,
                             sd_bus_error *error) {
        Reader *r = userdata;
        _cleanup_free_ char *name = NULL;

        /* pcscd's name for the reader (from a USB descriptor, a config
         * file): kept as it is for PC/SC, made valid UTF-8 for the bus, or
         * one bad byte would break every GetManagedObjects. */
        name = utf8_sanitize((const uint8_t *) r->name, strlen(r->name));
        if (!name)
                return -ENOMEM;
        return sd_bus_message_append(reply, "s", name);
}

static int property_get_card_present(sd_bus *bus, const char *path, const char *interface,
                                     const char *property, sd_bus_message *reply, void *userdata,
                                     sd_bus_error *error) {
        Reader *r = userdata;

        return sd_bus_message_append(reply, "b", r->present);
}

static int property_get_card(sd_bus *bus, const char *path, const char *interface,
                             const char *property, sd_bus_message *reply, void *userdata,
                             sd_bus_error *error) {
        Reader *r = userdata;
        _cleanup_free_ char *p = NULL;
        int k;

        if (!r->card)
                return sd_bus_message_append(reply, "o", "/");
        k = bus_card_path(r->card, &p);
        if (k < 0)
                return k;
        return sd_bus_message_append(reply, "o", p);
}

const sd_bus_vtable bus_reader_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("Name", "s", property_get_name, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("CardPresent", "b", property_get_card_present, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Card", "o", property_get_card, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_VTABLE_END
};
