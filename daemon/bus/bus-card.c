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
                v = c->model.name;
        else if (streq(property, "Driver"))
                v = c->driver;
        return sd_bus_message_append(reply, "s", v ?: "");
}

static int property_get_pin(sd_bus *bus, const char *path, const char *interface,
                            const char *property, sd_bus_message *reply, void *userdata,
                            sd_bus_error *error) {
        Card *c = userdata;

        if (streq(property, "PinState"))
                return sd_bus_message_append(reply, "s", pin_state_to_string(c->pin_status.state));
        if (streq(property, "PinRetriesLeft"))
                return sd_bus_message_append(reply, "i", (int32_t) c->pin_status.tries_left);
        if (streq(property, "PinRetriesMax"))
                return sd_bus_message_append(reply, "i", (int32_t) c->pin_status.tries_max);
        if (streq(property, "PinMinLength"))
                return sd_bus_message_append(reply, "u", c->pin.min_length);
        return sd_bus_message_append(reply, "u", c->pin.max_length);
}

static int property_get_unlock_supported(sd_bus *bus, const char *path, const char *interface,
                                         const char *property, sd_bus_message *reply, void *userdata,
                                         sd_bus_error *error) {
        return sd_bus_message_append(reply, "b", (int) bus_card_unlock_supported(userdata));
}

static int property_get_pin_supported(sd_bus *bus, const char *path, const char *interface,
                                      const char *property, sd_bus_message *reply, void *userdata,
                                      sd_bus_error *error) {
        return sd_bus_message_append(reply, "b", (int) engine_card_pin_supported(userdata));
}

const sd_bus_vtable bus_card_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("Reader", "o", property_get_reader, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Atr", "s", property_get_atr, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Serial", "s", property_get_string, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Label", "s", property_get_string, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Model", "s", property_get_string, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Driver", "s", property_get_string, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("PinState", "s", property_get_pin, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("PinRetriesLeft", "i", property_get_pin, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("PinRetriesMax", "i", property_get_pin, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("PinMinLength", "u", property_get_pin, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("PinMaxLength", "u", property_get_pin, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        /* Authorized by polkit in the handler (daemon/auth). SENSITIVE: the
         * calls carry PINs, so sd-bus marks them sensitive (wiped when freed,
         * never dumped in debug output) before the handler runs. */
        SD_BUS_METHOD_WITH_ARGS("ChangePin",
                                SD_BUS_ARGS("s", old_pin, "s", new_pin, "a{sv}", options),
                                SD_BUS_NO_RESULT, bus_card_method_change_pin,
                                SD_BUS_VTABLE_UNPRIVILEGED | SD_BUS_VTABLE_SENSITIVE),
        SD_BUS_METHOD_WITH_ARGS("VerifyPin",
                                SD_BUS_ARGS("s", pin, "a{sv}", options),
                                SD_BUS_NO_RESULT, bus_card_method_verify_pin,
                                SD_BUS_VTABLE_UNPRIVILEGED | SD_BUS_VTABLE_SENSITIVE),
        SD_BUS_METHOD_WITH_ARGS("ListCertificates", SD_BUS_NO_ARGS,
                                SD_BUS_RESULT("a(sssssttss)", certificates),
                                bus_card_method_certificates, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("GetCertificate", SD_BUS_ARGS("s", id), SD_BUS_RESULT("ay", der),
                                bus_card_method_certificates, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("GetCertificateInfo", SD_BUS_ARGS("s", id), SD_BUS_RESULT("a{sv}", info),
                                bus_card_method_certificates, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("RefreshStatus", NULL, NULL, bus_card_method_certificates, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_PROPERTY("UnlockSupported", "b", property_get_unlock_supported, 0, 0),
        SD_BUS_PROPERTY("PinOperationsSupported", "b", property_get_pin_supported, 0, 0),
        SD_BUS_METHOD_WITH_ARGS("Unlock", SD_BUS_ARGS("s", verification_code, "a{sv}", options),
                                SD_BUS_RESULT("o", session), bus_card_method_start_session,
                                SD_BUS_VTABLE_UNPRIVILEGED | SD_BUS_VTABLE_SENSITIVE),
        SD_BUS_METHOD_WITH_ARGS("CertificateSession", SD_BUS_ARGS("s", verification_code, "a{sv}", options),
                                SD_BUS_RESULT("o", session), bus_card_method_start_session,
                                SD_BUS_VTABLE_UNPRIVILEGED | SD_BUS_VTABLE_SENSITIVE),
        SD_BUS_SIGNAL_WITH_ARGS("CertificateStatusChanged", SD_BUS_ARGS("s", id, "s", status, "s", detail), 0),
        SD_BUS_VTABLE_END
};
