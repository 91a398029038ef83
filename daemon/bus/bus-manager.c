/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <stdlib.h>

#include "bus.h"
#include "kart-error.h"
#include "macro.h"
#include "strutil.h"

static int property_get_version(sd_bus *bus, const char *path, const char *interface,
                                const char *property, sd_bus_message *reply, void *userdata,
                                sd_bus_error *error) {
        return sd_bus_message_append(reply, "s", PACKAGE_VERSION);
}

static int property_get_unlock_portal(sd_bus *bus, const char *path, const char *interface,
                                      const char *property, sd_bus_message *reply, void *userdata,
                                      sd_bus_error *error) {
        SessionManager *m = bus_context_of(userdata)->sessions;

        return sd_bus_message_append(reply, "s", m ? session_manager_portal(m) : "");
}

static int property_get_pcscd(sd_bus *bus, const char *path, const char *interface,
                              const char *property, sd_bus_message *reply, void *userdata,
                              sd_bus_error *error) {
        return sd_bus_message_append(reply, "b", engine_pcscd_reachable(userdata));
}

static int property_get_backend_state(sd_bus *bus, const char *path, const char *interface,
                                      const char *property, sd_bus_message *reply, void *userdata,
                                      sd_bus_error *error) {
        SessionManager *m = bus_context_of(userdata)->sessions;

        return sd_bus_message_append(reply, "s", m ? session_manager_backend_state(m) : "none");
}

static int property_get_readers(sd_bus *bus, const char *path, const char *interface,
                                const char *property, sd_bus_message *reply, void *userdata,
                                sd_bus_error *error) {
        Engine *e = userdata;
        Reader **readers;
        size_t n = engine_readers(e, &readers);
        int r;

        r = sd_bus_message_open_container(reply, 'a', "o");
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *p = NULL;

                r = bus_reader_path(readers[i], &p);
                if (r < 0)
                        return r;
                r = sd_bus_message_append(reply, "o", p);
                if (r < 0)
                        return r;
        }
        return sd_bus_message_close_container(reply);
}

static int property_get_cards(sd_bus *bus, const char *path, const char *interface,
                              const char *property, sd_bus_message *reply, void *userdata,
                              sd_bus_error *error) {
        Engine *e = userdata;
        Reader **readers;
        size_t n = engine_readers(e, &readers);
        int r;

        r = sd_bus_message_open_container(reply, 'a', "o");
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *p = NULL;

                if (!readers[i]->card)
                        continue;
                r = bus_card_path(readers[i]->card, &p);
                if (r < 0)
                        return r;
                r = sd_bus_message_append(reply, "o", p);
                if (r < 0)
                        return r;
        }
        return sd_bus_message_close_container(reply);
}

static int method_get_card_by_serial(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        Engine *e = userdata;
        _cleanup_free_ char *path = NULL;
        const char *serial;
        Card *c;
        int r;

        r = auth_check(bus_context_of(e)->auth, m, error);
        if (r <= 0)
                return r < 0 ? r : 1;
        r = sd_bus_message_read(m, "s", &serial);
        if (r < 0)
                return r;
        c = engine_find_card_by_serial(e, serial);
        if (!c)
                return sd_bus_error_setf(error, KART_ERROR_NO_CARD,
                                         "No card with serial '%s' is present.",
                                         echo_prefix(serial, (char[ECHO_MAX + 4]) {}));
        r = bus_card_path(c, &path);
        if (r < 0)
                return r;
        return sd_bus_reply_method_return(m, "o", path);
}

const sd_bus_vtable bus_manager_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("Version", "s", property_get_version, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Readers", "ao", property_get_readers, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Cards", "ao", property_get_cards, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("UnlockPortal", "s", property_get_unlock_portal, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("PcscdReachable", "b", property_get_pcscd, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("BackendState", "s", property_get_backend_state, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_METHOD_WITH_ARGS("GetCardBySerial",
                                SD_BUS_ARGS("s", serial),
                                SD_BUS_RESULT("o", card),
                                method_get_card_by_serial, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_SIGNAL_WITH_ARGS("CardInserted", SD_BUS_ARGS("o", card, "s", reader, "s", serial), 0),
        SD_BUS_SIGNAL_WITH_ARGS("CardRemoved", SD_BUS_ARGS("o", card, "s", reader, "s", serial), 0),
        SD_BUS_SIGNAL_WITH_ARGS("ReaderAdded", SD_BUS_ARGS("o", reader, "s", name), 0),
        SD_BUS_SIGNAL_WITH_ARGS("ReaderRemoved", SD_BUS_ARGS("o", reader, "s", name), 0),
        SD_BUS_VTABLE_END
};
