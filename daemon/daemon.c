/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <signal.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-event.h>

#include <stdlib.h>

#include "bus/bus.h"
#include "session.h"
#include "card/pcsc-monitor.h"
#include "daemon.h"
#include "engine.h"
#include "kart-error.h"
#include "kart-names.h"
#include "log.h"
#include "macro.h"
#include "mailbox.h"

typedef struct Daemon {
        sd_event *event;
        sd_bus *bus;
        Mailbox *mailbox;
        Engine *engine;
        PcscMonitor *monitor;
        Auth *auth;
        OcspChecker *ocsp;
        BackendClient *backend;
        SessionManager *sessions;
        BusContext bus_context;
} Daemon;

static void daemon_done(Daemon *d) {
        /* Threads first (they post into the mailbox), then what they used. */
        d->monitor = pcsc_monitor_stop(d->monitor);
        d->sessions = session_manager_free(d->sessions);        /* before the workers they wait for */
        d->engine = engine_free(d->engine);
        d->ocsp = ocsp_checker_free(d->ocsp);    /* after the cards, which cancel their checks */
        d->backend = backend_client_free(d->backend);
        d->mailbox = mailbox_free(d->mailbox);
        d->auth = auth_free(d->auth);
        d->bus_context.session_reader = sd_bus_message_unref(d->bus_context.session_reader);
        if (d->bus) {
                (void) sd_bus_flush(d->bus);
                d->bus = sd_bus_flush_close_unref(d->bus);
        }
        d->event = sd_event_unref(d->event);
}

static void on_snapshot(const PcscSnapshot *s, void *userdata) {
        Daemon *d = userdata;
        bool was = engine_pcscd_reachable(d->engine);

        engine_apply_snapshot(d->engine, s);
        if (was != s->service && d->bus)
                bus_manager_changed(d->bus, "PcscdReachable");
}

/* The system bus as sd_bus_open_system() connects to it (honouring
 * DBUS_SYSTEM_BUS_ADDRESS), but without file descriptor passing: kartd's
 * interfaces take none, and a parked call would keep those a caller
 * attached (16 a message), so dbus-daemon refuses to deliver them. */
static int open_system_bus(sd_bus **ret) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        const char *address = secure_getenv("DBUS_SYSTEM_BUS_ADDRESS");
        int r;

        r = sd_bus_new(&bus);
        if (r >= 0)
                r = sd_bus_set_address(bus, address ?: "unix:path=/run/dbus/system_bus_socket");
        if (r >= 0)
                r = sd_bus_set_bus_client(bus, true);
        if (r >= 0)
                r = sd_bus_set_trusted(bus, false);
        if (r >= 0)
                r = sd_bus_negotiate_fds(bus, false);
        if (r >= 0)
                r = sd_bus_set_description(bus, "system");
        if (r >= 0)
                r = sd_bus_start(bus);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(bus);
        return 0;
}

static int connect_bus(Daemon *d) {
        int r;

        r = open_system_bus(&d->bus);
        if (r < 0)
                return log_error_errno(r, "Failed to connect to the system bus: %m");
        r = sd_bus_attach_event(d->bus, d->event, SD_EVENT_PRIORITY_NORMAL);
        if (r < 0)
                return log_error_errno(r, "Failed to attach the bus to the event loop: %m");
        return 0;
}

static int publish(Daemon *d) {
        int r;

        r = bus_register_objects(d->bus, d->engine);
        if (r < 0)
                return log_error_errno(r, "Failed to register bus objects: %m");
        r = sd_bus_request_name(d->bus, KART_BUS_NAME, 0);
        if (r < 0)
                return log_error_errno(r, "Failed to acquire the bus name %s: %m", KART_BUS_NAME);
        return 0;
}

int daemon_run(const KartConfig *config) {
        _cleanup_(daemon_done) Daemon d = {};
        const char *state_dir = getenv("STATE_DIRECTORY") ?: KART_STATE_DIR;
        _cleanup_free_ char *pin_states_path = NULL;
        int r;

        /* systemd's StateDirectory= may list several: the first is ours */
        if (asprintf(&pin_states_path, "%.*s/pin-states", (int) strcspn(state_dir, ":"), state_dir) < 0)
                return log_oom();

        r = kart_error_register();
        if (r < 0)
                return log_error_errno(r, "Failed to register D-Bus errors: %m");

        r = sd_event_default(&d.event);
        if (r < 0)
                return log_error_errno(r, "Failed to allocate the event loop: %m");
        (void) sd_event_set_watchdog(d.event, true);
        r = sd_event_add_signal(d.event, NULL, SIGTERM, NULL, NULL);
        if (r >= 0)
                r = sd_event_add_signal(d.event, NULL, SIGINT, NULL, NULL);
        if (r < 0)
                return log_error_errno(r, "Failed to watch signals: %m");

        r = mailbox_new(d.event, &d.mailbox);
        if (r < 0)
                return log_error_errno(r, "Failed to set up the thread mailbox: %m");

        /* The engine reports to the bus connection, so the connection comes
         * first; the name is taken once the objects exist. */
        r = connect_bus(&d);
        if (r < 0)
                return r;
        r = auth_new(&d.auth);
        if (r < 0)
                return log_oom();
        d.bus_context = (BusContext) { .bus = d.bus, .auth = d.auth };
        r = engine_new(d.mailbox, &bus_engine_observer, &d.bus_context, &d.engine);
        if (r >= 0)
                r = engine_keep_pin_states(d.engine, pin_states_path);
        if (r < 0)
                return log_oom();
        r = ocsp_checker_new(d.event, &config->ocsp, &d.ocsp);
        if (r < 0)
                return log_error_errno(r, "Failed to set up OCSP checks: %m");
        engine_set_ocsp_checker(d.engine, d.ocsp);
        engine_set_refresh_interval(d.engine, config->ocsp.refresh_interval_sec);
        r = backend_client_new(d.event, &config->backend, &d.backend);
        if (r >= 0)
                r = session_manager_new(d.event, d.engine, d.backend, state_dir, config->backend.portal_url,
                                        &bus_session_observer, &d.bus_context, &d.sessions);
        if (r < 0)
                return log_error_errno(r, "Failed to set up the CA backend client: %m");
        d.bus_context.sessions = d.sessions;
        r = publish(&d);
        if (r < 0)
                return r;

        /* Before the monitor: a card both know goes to the module its
         * configuration names. A module that fails is logged, not fatal. */
        r = engine_start_tokens(d.engine, d.event, &config->pkcs11);
        if (r < 0)
                return log_error_errno(r, "Failed to set up the PKCS#11 modules: %m");

        r = pcsc_monitor_start(d.mailbox, on_snapshot, &d, &d.monitor);
        if (r < 0)
                return log_error_errno(r, "Failed to start the PC/SC monitor: %m");

        session_manager_report_journal(d.sessions);
        session_manager_fetch_meta(d.sessions);
        log_info("kartd %s running on the system bus as %s.", PACKAGE_VERSION, KART_BUS_NAME);
        (void) sd_notify(false, "READY=1\nSTATUS=Watching card readers.");

        r = sd_event_loop(d.event);
        (void) sd_notify(false, "STOPPING=1\nSTATUS=Shutting down.");
        if (r < 0)
                return log_error_errno(r, "Event loop failed: %m");
        log_info("kartd stopped.");
        return 0;
}
