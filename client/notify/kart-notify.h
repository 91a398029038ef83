/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <libintl.h>
#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "kart-states.h"

#define _(s) gettext(s)
#define N_(s) (s)

/* One certificate of a card, as ListCertificates showed it. */
typedef struct Cert {
        char *id, *label;
        KartCertStatus status;
        uint64_t not_after;
        KartCertStatus notified;   /* the status last notified (REVOKED, ON_HOLD); UNKNOWN: none */
} Cert;

/* One card kartd has (or had) on the bus. Kept after removal, so that
 * the expiry warning stays once a day per card. */
typedef struct KCard {
        struct KCard *next;
        char *path, *serial, *model, *label, *holder;
        PinState pin_state;
        int retries;
        PinState pin_notified;     /* the state last notified (LAST_TRY, LOCKED, BLOCKED); UNKNOWN: none */
        Cert *certs;
        size_t n_certs;
        bool present;              /* in a reader, as far as we know */
        bool loaded;               /* properties and certificates read */
        bool announce;             /* notify "inserted" once loaded */
        unsigned gen;              /* bumped on every (re)load and removal: stale replies are dropped */
        unsigned pending;          /* GetCertificateInfo replies outstanding */
        int holder_idx;            /* the certificate the holder's name is from, -1 none */
        int64_t expiry_day;        /* day (since the epoch) of the last expiry warning, -1 none */
        uint32_t unlock_id;        /* the notification carrying the unlock action, 0 none */
        char *unlock_sender;       /* the notification server that showed it */
} KCard;

typedef struct Agent {
        sd_event *event;
        sd_bus *system, *session;
        char *owner;               /* kartd's unique name; NULL while it is not running */
        bool listed_once;          /* the first listing (at start) announces nothing */
        KCard *cards;
        sd_event_source *day_timer;
} Agent;

/* notify-post.c: the notifications. */
void notify_card_inserted(Agent *a, KCard *c);
void notify_pin(Agent *a, KCard *c);
void notify_cert_status(Agent *a, KCard *c, Cert *k, const char *detail);
void notify_expiry(Agent *a, KCard *c);
int notify_action_invoked(sd_bus_message *m, void *userdata, sd_bus_error *error);
