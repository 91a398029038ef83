/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "bus.h"
#include "kart-names.h"
#include "log.h"
#include "macro.h"

int bus_reader_path(const Reader *r, char **ret) {
        return asprintf(ret, KART_READER_PATH_PREFIX "/%u", r->index) < 0 ? -ENOMEM : 0;
}

int bus_card_path(const Card *c, char **ret) {
        return sd_bus_path_encode(KART_CARD_PATH_PREFIX, c->id, ret);
}

void bus_manager_changed(sd_bus *bus, const char *property) {
        int r;

        r = sd_bus_emit_properties_changed(bus, KART_MANAGER_PATH, KART_MANAGER_INTERFACE,
                                           property, NULL);
        if (r < 0)
                log_debug_errno(r, "Failed to emit PropertiesChanged for %s: %m", property);
}

static void on_reader_added(Reader *rd, void *userdata) {
        sd_bus *bus = ((BusContext *) userdata)->bus;
        _cleanup_free_ char *path = NULL;

        if (bus_reader_path(rd, &path) < 0)
                return;
        (void) sd_bus_emit_object_added(bus, path);
        (void) sd_bus_emit_signal(bus, KART_MANAGER_PATH, KART_MANAGER_INTERFACE, "ReaderAdded",
                                  "os", path, rd->name);
        bus_manager_changed(bus, "Readers");
}

static void on_reader_removed(Reader *rd, void *userdata) {
        sd_bus *bus = ((BusContext *) userdata)->bus;
        _cleanup_free_ char *path = NULL;

        if (bus_reader_path(rd, &path) < 0)
                return;
        (void) sd_bus_emit_object_removed(bus, path);
        (void) sd_bus_emit_signal(bus, KART_MANAGER_PATH, KART_MANAGER_INTERFACE, "ReaderRemoved",
                                  "os", path, rd->name);
        bus_manager_changed(bus, "Readers");
}

static void on_reader_changed(Reader *rd, void *userdata) {
        sd_bus *bus = ((BusContext *) userdata)->bus;
        _cleanup_free_ char *path = NULL;

        if (bus_reader_path(rd, &path) < 0)
                return;
        (void) sd_bus_emit_properties_changed(bus, path, KART_READER_INTERFACE,
                                              "CardPresent", "Card", NULL);
}

static void emit_card_signal(sd_bus *bus, Card *c, const char *member, bool added) {
        _cleanup_free_ char *path = NULL;

        if (bus_card_path(c, &path) < 0)
                return;
        if (added)
                (void) sd_bus_emit_object_added(bus, path);
        else
                (void) sd_bus_emit_object_removed(bus, path);
        (void) sd_bus_emit_signal(bus, KART_MANAGER_PATH, KART_MANAGER_INTERFACE, member,
                                  "oss", path, c->reader->name, c->serial ?: "");
        bus_manager_changed(bus, "Cards");
}

static void on_card_added(Card *c, void *userdata) {
        emit_card_signal(((BusContext *) userdata)->bus, c, "CardInserted", true);
}

static void on_card_removed(Card *c, void *userdata) {
        emit_card_signal(((BusContext *) userdata)->bus, c, "CardRemoved", false);
}

static void on_card_pin_changed(Card *c, void *userdata) {
        _cleanup_free_ char *path = NULL;

        if (bus_card_path(c, &path) < 0)
                return;
        (void) sd_bus_emit_properties_changed(((BusContext *) userdata)->bus, path, KART_CARD_INTERFACE,
                                              "PinState", "PinRetriesLeft", "PinRetriesMax", NULL);
}

static void on_cert_status_changed(Card *c, CardCert *k, void *userdata) {
        BusContext *ctx = userdata;
        _cleanup_free_ char *path = NULL;
        const char *detail;
        KartCertStatus status = engine_cert_status(k, &detail);

        if (bus_card_path(c, &path) < 0)
                return;
        (void) sd_bus_emit_signal(ctx->bus, path, KART_CARD_INTERFACE, "CertificateStatusChanged",
                                  "sss", k->id, kart_cert_status_to_string(status), detail);
}

const EngineObserver bus_engine_observer = {
        .reader_added = on_reader_added,
        .reader_removed = on_reader_removed,
        .reader_changed = on_reader_changed,
        .card_added = on_card_added,
        .card_removed = on_card_removed,
        .card_pin_changed = on_card_pin_changed,
        .cert_status_changed = on_cert_status_changed,
};

int bus_register_objects(sd_bus *bus, Engine *engine) {
        int r;

        r = sd_bus_add_object_vtable(bus, NULL, KART_MANAGER_PATH, KART_MANAGER_INTERFACE,
                                     bus_manager_vtable, engine);
        if (r < 0)
                return r;
        r = sd_bus_add_object_manager(bus, NULL, KART_MANAGER_PATH);
        if (r < 0)
                return r;
        r = sd_bus_add_filter(bus, NULL, bus_session_on_read, bus_context_of(engine));
        if (r < 0)
                return r;

        r = sd_bus_add_fallback_vtable(bus, NULL, KART_READER_PATH_PREFIX, KART_READER_INTERFACE,
                                       bus_reader_vtable, bus_reader_find, engine);
        if (r < 0)
                return r;
        r = sd_bus_add_node_enumerator(bus, NULL, KART_READER_PATH_PREFIX, bus_reader_enumerate, engine);
        if (r < 0)
                return r;

        r = sd_bus_add_fallback_vtable(bus, NULL, KART_CARD_PATH_PREFIX, KART_CARD_INTERFACE,
                                       bus_card_vtable, bus_card_find, engine);
        if (r < 0)
                return r;
        return sd_bus_add_node_enumerator(bus, NULL, KART_CARD_PATH_PREFIX, bus_card_enumerate, engine);
}
