/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* kart-notify: the session agent that turns kartd's card events into
 * desktop notifications. Two connections, one event loop: the system bus
 * (kartd) and the session bus (org.freedesktop.Notifications). Every call
 * is asynchronous; nothing polls. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kart-names.h"
#include "kart-notify.h"
#include "log.h"
#include "macro.h"

/* An outstanding call about one card: dropped when the card was reloaded
 * or removed since (gen). */
typedef struct Req {
        Agent *agent;
        char *path;
        unsigned gen;
        int idx;
} Req;

static void req_free(void *p) {
        Req *q = p;

        if (q)
                free(q->path);
        free(q);
}

static KCard *card_find(Agent *a, const char *path) {
        for (KCard *c = a->cards; c; c = c->next)
                if (streq(c->path, path))
                        return c;
        return NULL;
}

static KCard *card_get(Agent *a, const char *path) {
        KCard *c = card_find(a, path);

        if (c)
                return c;
        c = calloc(1, sizeof(*c));
        if (!c || !(c->path = strdup(path))) {
                free(c);
                return NULL;
        }
        c->retries = -1;
        c->holder_idx = -1;
        c->expiry_day = -1;
        c->next = a->cards;
        a->cards = c;
        return c;
}

static Cert *card_cert(KCard *c, const char *id) {
        for (size_t i = 0; i < c->n_certs; i++)
                if (streq(c->certs[i].id, id))
                        return &c->certs[i];
        return NULL;
}

static void certs_free(Cert *certs, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(certs[i].id);
                free(certs[i].label);
        }
        free(certs);
}

/* A state or status this kart-notify does not know (a newer kartd's)
 * is unknown: it tells nothing. */
static PinState parse_pin_state(const char *s) {
        PinState state = pin_state_from_string(s);

        return state < 0 ? PIN_STATE_UNKNOWN : state;
}

static KartCertStatus parse_cert_status(const char *s) {
        KartCertStatus status = kart_cert_status_from_string(s);

        return status < 0 ? KART_CERT_STATUS_UNKNOWN : status;
}

static int set_str(char **p, const char *v) {
        char *s = strdup(v ?: "");

        if (!s)
                return -ENOMEM;
        free(*p);
        *p = s;
        return 0;
}

/* The card left (or is gone with kartd's list): what we warned about is
 * warned about again at the next insertion, except the daily expiry. */
static void card_forget(KCard *c) {
        c->present = c->loaded = c->announce = false;
        c->gen++;
        certs_free(c->certs, c->n_certs);
        c->certs = NULL;
        c->n_certs = 0;
        c->pin_notified = PIN_STATE_UNKNOWN;
        free(c->holder);
        c->holder = NULL;
        c->holder_idx = -1;
        c->unlock_id = 0;
}

static bool from_kartd(Agent *a, sd_bus_message *m) {
        const char *sender = sd_bus_message_get_sender(m);

        return a->owner && sender && streq(sender, a->owner);
}

static int call_card(Agent *a, KCard *c, const char *member, sd_bus_message_handler_t cb, int idx,
                     const char *types, ...) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        sd_bus_slot *slot = NULL;
        const char *iface = streq(member, "GetAll") ? "org.freedesktop.DBus.Properties" : KART_CARD_INTERFACE;
        va_list ap;
        Req *q;
        int r;

        r = sd_bus_message_new_method_call(a->system, &m, KART_BUS_NAME, c->path, iface, member);
        if (r < 0)
                return r;
        va_start(ap, types);
        r = types ? sd_bus_message_appendv(m, types, ap) : 0;
        va_end(ap);
        if (r < 0)
                return r;
        q = calloc(1, sizeof(*q));
        if (!q || !(q->path = strdup(c->path))) {
                req_free(q);
                return -ENOMEM;
        }
        q->agent = a;
        q->gen = c->gen;
        q->idx = idx;
        r = sd_bus_call_async(a->system, &slot, m, cb, q, 0);
        if (r < 0) {
                req_free(q);
                return r;
        }
        (void) sd_bus_slot_set_destroy_callback(slot, req_free);
        (void) sd_bus_slot_set_floating(slot, 1);
        sd_bus_slot_unref(slot);
        return 0;
}

/* The reply's card, when it is still the one asked about. */
static KCard *req_card(Req *q, sd_bus_message *reply, const char *what) {
        KCard *c = card_find(q->agent, q->path);

        if (!c || c->gen != q->gen || !c->present)
                return NULL;
        if (sd_bus_message_is_method_error(reply, NULL)) {
                const sd_bus_error *e = sd_bus_message_get_error(reply);
                log_warning("%s of %s failed: %s", what, q->path, e && e->message ? e->message : "?");
                return NULL;
        }
        return c;
}

/* Reads the PinState/PinRetriesLeft/Serial/Label/Model entries of an
 * a{sv} (GetAll, PropertiesChanged); returns 1 when the PIN changed. */
static int parse_card_props(KCard *c, sd_bus_message *m) {
        bool pin = false;
        int r;

        r = sd_bus_message_enter_container(m, 'a', "{sv}");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
                const char *name, *s;
                char **field = NULL;

                r = sd_bus_message_read(m, "s", &name);
                if (r < 0)
                        return r;
                if (streq(name, "Serial"))
                        field = &c->serial;
                else if (streq(name, "Label"))
                        field = &c->label;
                else if (streq(name, "Model"))
                        field = &c->model;
                if (field) {
                        r = sd_bus_message_read(m, "v", "s", &s);
                        if (r >= 0)
                                r = set_str(field, s);
                } else if (streq(name, "PinState")) {
                        r = sd_bus_message_read(m, "v", "s", &s);
                        if (r >= 0)
                                c->pin_state = parse_pin_state(s);
                        pin = true;
                } else if (streq(name, "PinRetriesLeft")) {
                        r = sd_bus_message_read(m, "v", "i", &c->retries);
                        pin = true;
                } else
                        r = sd_bus_message_skip(m, "v");
                if (r < 0)
                        return r;
                r = sd_bus_message_exit_container(m);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;
        r = sd_bus_message_exit_container(m);
        return r < 0 ? r : pin;
}

static void card_loaded(Agent *a, KCard *c) {
        c->loaded = true;
        if (c->announce)
                notify_card_inserted(a, c);
        c->announce = false;
        notify_pin(a, c);
        for (size_t i = 0; i < c->n_certs; i++)
                notify_cert_status(a, c, &c->certs[i], NULL);
        notify_expiry(a, c);
}

static int on_cert_info(sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Req *q = userdata;
        KCard *c = req_card(q, reply, "GetCertificateInfo");
        const char *cn = NULL, *s;
        bool signing = false;
        int r;

        if (!c)
                return 0;
        r = sd_bus_message_enter_container(reply, 'a', "{sv}");
        while (r >= 0 && (r = sd_bus_message_enter_container(reply, 'e', "sv")) > 0) {
                const char *key;

                r = sd_bus_message_read(reply, "s", &key);
                if (r >= 0 && streq(key, "subject_cn"))
                        r = sd_bus_message_read(reply, "v", "s", &cn);
                else if (r >= 0 && streq(key, "key_usage")) {
                        r = sd_bus_message_enter_container(reply, 'v', "as");
                        if (r >= 0)
                                r = sd_bus_message_enter_container(reply, 'a', "s");
                        while (r >= 0 && (r = sd_bus_message_read(reply, "s", &s)) > 0)
                                signing = signing || streq(s, "nonRepudiation");
                        if (r >= 0)
                                r = sd_bus_message_exit_container(reply);
                        if (r >= 0)
                                r = sd_bus_message_exit_container(reply);
                } else if (r >= 0)
                        r = sd_bus_message_skip(reply, "v");
                if (r >= 0)
                        r = sd_bus_message_exit_container(reply);
        }
        if (r < 0)
                log_warning_errno(r, "Unexpected certificate details from kartd: %m");
        else if (signing && cn && *cn && (c->holder_idx < 0 || q->idx < c->holder_idx)) {
                (void) set_str(&c->holder, cn);
                c->holder_idx = q->idx;
        }
        if (c->pending > 0 && --c->pending == 0)
                card_loaded(q->agent, c);
        return 0;
}

static int on_certificates(sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Req *q = userdata;
        KCard *c = req_card(q, reply, "ListCertificates");
        const char *id, *label, *subject, *issuer, *serial, *status, *sha;
        uint64_t nb, na;
        Cert *certs = NULL;
        size_t n = 0;
        int r;

        if (!c)
                return 0;
        r = sd_bus_message_enter_container(reply, 'a', "(sssssttss)");
        while (r >= 0 && (r = sd_bus_message_read(reply, "(sssssttss)", &id, &label, &subject, &issuer,
                                                  &serial, &nb, &na, &status, &sha)) > 0) {
                Cert *t = reallocarray(certs, n + 1, sizeof(Cert)), *old;

                if (!t) {
                        r = -ENOMEM;
                        break;
                }
                certs = t;
                certs[n] = (Cert) { .id = strdup(id), .label = strdup(label), .status = parse_cert_status(status),
                                    .not_after = na };
                /* What we warned of stays warned of across kartd restarts. */
                old = card_cert(c, id);
                if (old)
                        certs[n].notified = old->notified;
                if (!certs[n++].id || !certs[n - 1].label) {
                        r = -ENOMEM;
                        break;
                }
        }
        if (r < 0) {
                log_warning_errno(r, "Unexpected certificate list from kartd: %m");
                certs_free(certs, n);
                return 0;
        }
        certs_free(c->certs, c->n_certs);
        c->certs = certs;
        c->n_certs = n;
        c->pending = 0;
        for (size_t i = 0; i < n; i++)
                if (call_card(q->agent, c, "GetCertificateInfo", on_cert_info, (int) i, "s", certs[i].id) >= 0)
                        c->pending++;
        if (c->pending == 0)
                card_loaded(q->agent, c);
        return 0;
}

static int on_card_props(sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Req *q = userdata;
        KCard *c = req_card(q, reply, "Reading the card's properties");
        int r;

        if (!c)
                return 0;
        r = parse_card_props(c, reply);
        if (r < 0)
                return log_warning_errno(r, "Unexpected card properties from kartd: %m"), 0;
        r = call_card(q->agent, c, "ListCertificates", on_certificates, 0, NULL);
        if (r < 0)
                log_warning_errno(r, "Failed to ask kartd for the certificates: %m");
        return 0;
}

/* (Re)reads everything about the card at PATH; ANNOUNCE: notify "inserted". */
static void card_load(Agent *a, const char *path, bool announce) {
        KCard *c = card_get(a, path);
        int r;

        if (!c) {
                log_oom();
                return;
        }
        c->gen++;
        c->present = true;
        /* A reload while an announced load is in flight keeps the announcement. */
        c->announce = announce || (c->announce && !c->loaded);
        c->loaded = false;
        free(c->holder);
        c->holder = NULL;
        c->holder_idx = -1;
        r = call_card(a, c, "GetAll", on_card_props, 0, "s", KART_CARD_INTERFACE);
        if (r < 0)
                log_warning_errno(r, "Failed to ask kartd about %s: %m", path);
}

static int on_manager_signal(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        Agent *a = userdata;
        const char *path, *reader, *serial;
        KCard *c;

        if (!from_kartd(a, m) || sd_bus_message_read(m, "oss", &path, &reader, &serial) < 0)
                return 0;
        c = card_find(a, path);
        log_debug("%s %s (%s)", sd_bus_message_get_member(m), path, serial);
        if (sd_bus_message_is_signal(m, KART_MANAGER_INTERFACE, "CardInserted"))
                /* Already present: kartd came back and found it again. */
                card_load(a, path, !(c && c->present));
        else if (sd_bus_message_is_signal(m, KART_MANAGER_INTERFACE, "CardRemoved") && c)
                card_forget(c);
        return 0;
}

static int on_card_changed(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        Agent *a = userdata;
        KCard *c = card_find(a, sd_bus_message_get_path(m));
        const char *iface;
        int r;

        if (!c || !c->present || !from_kartd(a, m) || sd_bus_message_read(m, "s", &iface) < 0)
                return 0;
        r = parse_card_props(c, m);
        log_debug("%s: PinState %s, %d tries left", c->path, pin_state_to_string(c->pin_state), c->retries);
        if (r > 0 && c->loaded)
                notify_pin(a, c);
        return 0;
}

static int on_cert_status(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        Agent *a = userdata;
        KCard *c = card_find(a, sd_bus_message_get_path(m));
        const char *id, *status, *detail;
        Cert *k;

        if (!c || !c->loaded || !from_kartd(a, m) ||
            sd_bus_message_read(m, "sss", &id, &status, &detail) < 0)
                return 0;
        log_debug("%s: certificate %s is %s (%s)", c->path, id, status, detail);
        k = card_cert(c, id);
        if (!k)
                return 0;
        k->status = parse_cert_status(status);
        notify_cert_status(a, c, k, detail);
        return 0;
}

static int on_cards(sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Agent *a = userdata;
        const char *path;
        bool first = !a->listed_once;
        int r;

        if (sd_bus_message_is_method_error(reply, NULL)) {
                log_warning("Failed to list kartd's cards: %s", sd_bus_message_get_error(reply)->message);
                return 0;
        }
        a->listed_once = true;
        r = sd_bus_message_enter_container(reply, 'v', "ao");
        if (r >= 0)
                r = sd_bus_message_enter_container(reply, 'a', "o");
        while (r >= 0 && (r = sd_bus_message_read(reply, "o", &path)) > 0) {
                KCard *c = card_find(a, path);
                /* A card already inserted when the agent starts is not news;
                 * one that came while kartd was away is. */
                card_load(a, path, !first && !(c && c->present));
        }
        if (r < 0)
                log_warning_errno(r, "Unexpected card list from kartd: %m");
        /* Cards kartd does not list (yet: it may still be reading them
         * after a restart) stay until CardRemoved says otherwise. */
        return 0;
}

static void kartd_appeared(Agent *a, const char *owner) {
        int r;

        if (a->owner && streq(a->owner, owner))
                return;
        free(a->owner);
        a->owner = strdup(owner);
        if (!a->owner) {
                log_oom();
                return;
        }
        log_info("kartd is running (%s).", owner);
        r = sd_bus_call_method_async(a->system, NULL, KART_BUS_NAME, KART_MANAGER_PATH,
                                     "org.freedesktop.DBus.Properties", "Get", on_cards, a,
                                     "ss", KART_MANAGER_INTERFACE, "Cards");
        if (r < 0)
                log_warning_errno(r, "Failed to ask kartd for its cards: %m");
}

static int on_owner_changed(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        Agent *a = userdata;
        const char *name, *old, *new;

        if (sd_bus_message_read(m, "sss", &name, &old, &new) < 0 || !streq(name, KART_BUS_NAME))
                return 0;
        if (*new) {
                kartd_appeared(a, new);
                return 0;
        }
        log_info("kartd stopped; waiting for it to come back.");
        free(a->owner);
        a->owner = NULL;
        for (KCard *c = a->cards; c; c = c->next)
                c->gen++;       /* its answers in flight are void */
        return 0;
}

static int on_name_owner(sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        const char *owner;

        if (sd_bus_message_is_method_error(reply, NULL)) {
                log_info("kartd is not running; waiting for it.");
                return 0;
        }
        if (sd_bus_message_read(reply, "s", &owner) >= 0)
                kartd_appeared(userdata, owner);
        return 0;
}

/* Once a day, at midnight UTC: the expiry warnings of the cards present. */
static int on_day(sd_event_source *s, uint64_t usec, void *userdata) {
        Agent *a = userdata;

        for (KCard *c = a->cards; c; c = c->next)
                if (c->loaded)
                        notify_expiry(a, c);
        (void) sd_event_source_set_time(s, ((uint64_t) time(NULL) / 86400 + 1) * 86400 * 1000000ULL);
        return sd_event_source_set_enabled(s, SD_EVENT_ONESHOT);
}

static int setup(Agent *a) {
        static const struct { const char *match; sd_bus_message_handler_t cb; } sys[] = {
                { "type='signal',sender='org.freedesktop.DBus',interface='org.freedesktop.DBus',"
                  "member='NameOwnerChanged',arg0='" KART_BUS_NAME "'", on_owner_changed },
                { "type='signal',interface='" KART_MANAGER_INTERFACE "',path='" KART_MANAGER_PATH "'",
                  on_manager_signal },
                { "type='signal',interface='org.freedesktop.DBus.Properties',member='PropertiesChanged',"
                  "path_namespace='" KART_CARD_PATH_PREFIX "',arg0='" KART_CARD_INTERFACE "'", on_card_changed },
                { "type='signal',interface='" KART_CARD_INTERFACE "',member='CertificateStatusChanged',"
                  "path_namespace='" KART_CARD_PATH_PREFIX "'", on_cert_status },
        };
        int r;

        r = sd_event_default(&a->event);
        if (r < 0)
                return log_error_errno(r, "Failed to get an event loop: %m");
        r = sd_bus_open_system(&a->system);
        if (r < 0)
                return log_error_errno(r, "Failed to connect to the system bus: %m");
        r = sd_bus_open_user(&a->session);
        if (r < 0)
                return log_error_errno(r, "Failed to connect to the session bus: %m");
        for (size_t i = 0; i < ELEMENTSOF(sys); i++) {
                r = sd_bus_add_match(a->system, NULL, sys[i].match, sys[i].cb, a);
                if (r < 0)
                        return log_error_errno(r, "Failed to watch kartd's signals: %m");
        }
        r = sd_bus_add_match(a->session, NULL,
                             "type='signal',interface='org.freedesktop.Notifications',"
                             "member='ActionInvoked',path='/org/freedesktop/Notifications'",
                             notify_action_invoked, a);
        if (r < 0)
                return log_error_errno(r, "Failed to watch the notification server's signals: %m");
        r = sd_bus_call_method_async(a->system, NULL, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                     "org.freedesktop.DBus", "GetNameOwner", on_name_owner, a,
                                     "s", KART_BUS_NAME);
        if (r < 0)
                return log_error_errno(r, "Failed to ask for kartd: %m");
        r = sd_event_add_time(a->event, &a->day_timer, CLOCK_REALTIME,
                              ((uint64_t) time(NULL) / 86400 + 1) * 86400 * 1000000ULL,
                              60 * 1000000ULL, on_day, a);
        if (r < 0)
                return log_error_errno(r, "Failed to set up the daily timer: %m");
        /* Losing either bus ends the session for us. */
        (void) sd_bus_set_exit_on_disconnect(a->system, 1);
        (void) sd_bus_set_exit_on_disconnect(a->session, 1);
        r = sd_bus_attach_event(a->system, a->event, 0);
        if (r >= 0)
                r = sd_bus_attach_event(a->session, a->event, 0);
        if (r >= 0)
                r = sd_event_add_signal(a->event, NULL, SIGTERM, NULL, NULL);
        if (r >= 0)
                r = sd_event_add_signal(a->event, NULL, SIGINT, NULL, NULL);
        if (r < 0)
                return log_error_errno(r, "Failed to set up the event loop: %m");
        return 0;
}

static void help(void) {
        printf(_("Usage: kart-notify [OPTIONS]\n\n"
                 "Show desktop notifications about smart cards: insertion, the PIN's last\n"
                 "try, a locked PIN, certificates expiring, suspended or revoked.\n\n"
                 "Options:\n"
                 "  -h --help       Show this help\n"
                 "     --version    Show the version\n"
                 "     --no-daemon  Run in the foreground (it always does)\n"
                 "  -v --verbose    Log every event\n"));
}

static void agent_done(Agent *a) {
        while (a->cards) {
                KCard *c = a->cards;

                a->cards = c->next;
                card_forget(c);
                free(c->path);
                free(c->serial);
                free(c->model);
                free(c->label);
                free(c->unlock_sender);
                free(c);
        }
        a->owner = mfree(a->owner);
}

int main(int argc, char *argv[]) {
        static const struct option options[] = {
                { "help",      no_argument, NULL, 'h' },
                { "version",   no_argument, NULL, 'V' },
                { "no-daemon", no_argument, NULL, 'n' },
                { "verbose",   no_argument, NULL, 'v' },
                {}
        };
        const char *localedir = getenv("KART_LOCALEDIR");
        Agent agent = {};
        sigset_t mask;
        int c, r;

        setlocale(LC_ALL, "");
        bindtextdomain(GETTEXT_PACKAGE, localedir && *localedir ? localedir : LOCALEDIR);
        bind_textdomain_codeset(GETTEXT_PACKAGE, "UTF-8");
        textdomain(GETTEXT_PACKAGE);
        log_set_ident("kart-notify");
        log_set_max_level(LOG_INFO);

        while ((c = getopt_long(argc, argv, "hv", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return EXIT_SUCCESS;
                case 'V':
                        printf("kart-notify %s\n", PACKAGE_VERSION);
                        return EXIT_SUCCESS;
                case 'n':
                        break;
                case 'v':
                        log_set_max_level(LOG_DEBUG);
                        break;
                default:
                        return 2;
                }
        if (optind < argc) {
                fprintf(stderr, _("kart-notify takes no arguments. See 'kart-notify --help'.\n"));
                return 2;
        }

        /* The unlock helpers it starts are reaped by the kernel. */
        signal(SIGCHLD, SIG_IGN);
        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigprocmask(SIG_BLOCK, &mask, NULL);

        r = setup(&agent);
        if (r >= 0)
                r = sd_event_loop(agent.event);
        if (r < 0)
                log_error_errno(r, "kart-notify failed: %m");
        sd_bus_flush_close_unref(agent.session);
        sd_bus_flush_close_unref(agent.system);
        sd_event_source_unref(agent.day_timer);
        sd_event_unref(agent.event);
        agent_done(&agent);
        return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
