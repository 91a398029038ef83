/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-bus.h>

#include "auth/auth.h"
#include "engine.h"
#include "session.h"

/* What the bus layer needs besides the engine; the engine carries it as
 * its observer's userdata. */
typedef struct BusSession BusSession;
typedef struct BusContext {
        sd_bus *bus;
        Auth *auth;
        SessionManager *sessions;
        BusSession *published;          /* the Session objects (bus-session.c) */
        sd_bus_message *session_reader; /* the last read of a session its owner made */
} BusContext;

static inline BusContext *bus_context_of(Engine *e) {
        return engine_observer_userdata(e);
}

/* The D-Bus adapter: one file per interface. It unpacks and checks
 * arguments, calls the engine and maps errors; the engine never sees a
 * bus message. */

/* Observer that turns engine events into signals; userdata is the BusContext. */
extern const EngineObserver bus_engine_observer;

/* Registers every object and the ObjectManager; userdata is the engine. */
int bus_register_objects(sd_bus *bus, Engine *engine);

/* Object paths (malloc()ed). */
int bus_reader_path(const Reader *r, char **ret);
int bus_card_path(const Card *c, char **ret);
/* PropertiesChanged for one property of the Manager (a failure is logged). */
void bus_manager_changed(sd_bus *bus, const char *property);

/* Per-interface pieces, in bus-manager.c, bus-reader.c, bus-card.c. */
extern const sd_bus_vtable bus_manager_vtable[];
extern const sd_bus_vtable bus_reader_vtable[];
extern const sd_bus_vtable bus_card_vtable[];
int bus_reader_find(sd_bus *bus, const char *path, const char *interface, void *userdata,
                    void **found, sd_bus_error *error);
int bus_reader_enumerate(sd_bus *bus, const char *path, void *userdata, char ***nodes,
                         sd_bus_error *error);
int bus_card_find(sd_bus *bus, const char *path, const char *interface, void *userdata,
                  void **found, sd_bus_error *error);
int bus_card_method_change_pin(sd_bus_message *m, void *userdata, sd_bus_error *error);
int bus_card_method_certificates(sd_bus_message *m, void *userdata, sd_bus_error *error);
int bus_card_method_verify_pin(sd_bus_message *m, void *userdata, sd_bus_error *error);
int bus_card_method_start_session(sd_bus_message *m, void *userdata, sd_bus_error *error);
bool bus_card_unlock_supported(Card *c);

/* bus-session.c: Session objects, owned by the user who asked. */
extern const SessionObserver bus_session_observer;
int bus_session_path(const Session *s, char **ret);
/* Publishes s, made by the connection owner_name; *ret_path is valid while
 * s lives. */
int bus_session_publish(BusContext *ctx, Session *s, const char *owner_name, char **ret_path);
/* The filter that lets only a session's owner read its details. */
int bus_session_on_read(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);

int bus_card_enumerate(sd_bus *bus, const char *path, void *userdata, char ***nodes,
                       sd_bus_error *error);
