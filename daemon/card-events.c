/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "card-events.h"
#include "hexutil.h"
#include "kart-states.h"
#include "log.h"
#include "macro.h"

#define CARD_FIELDS 8
#define CERT_FIELDS 6
#define FIELD_MAX 320

typedef struct EventFields {
        char buf[CARD_FIELDS + CERT_FIELDS][FIELD_MAX];
        const char *list[CARD_FIELDS + CERT_FIELDS + 1];
        size_t n;
} EventFields;

static void add(EventFields *f, const char *name, const char *value) {
        if (f->n >= ELEMENTSOF(f->buf))
                return;
        snprintf(f->buf[f->n], FIELD_MAX, "%s=%s", name, strna(value));
        /* A card's label or a certificate's name is the card's to choose:
         * a line break in it would forge a field of the journal entry. */
        for (char *p = f->buf[f->n]; *p; p++)
                if ((unsigned char) *p < ' ' || *p == 0x7f)
                        *p = '?';
        f->list[f->n] = f->buf[f->n];
        f->list[++f->n] = NULL;
}

static void add_card(EventFields *f, const char *message_id, const Card *c) {
        char tries[16];

        snprintf(tries, sizeof tries, "%d", c->pin_status.tries_left);
        add(f, "MESSAGE_ID", message_id);
        add(f, "KART_CARD_SERIAL", c->serial);
        add(f, "KART_CARD_MODEL", c->model.name);
        add(f, "KART_CARD_LABEL", c->label);
        add(f, "KART_READER", c->reader->name);
        add(f, "KART_DRIVER", c->driver);
        add(f, "KART_PIN_STATE", pin_state_to_string(c->pin_status.state));
        add(f, "KART_PIN_TRIES_LEFT", tries);
}

static long days_left(uint64_t not_after) {
        time_t now = time(NULL);

        return (long) (((int64_t) not_after - (int64_t) now) / 86400);
}

static void add_cert(EventFields *f, const CardCert *k, KartCertStatus status) {
        char date[32] = "", days[24];
        time_t t = (time_t) k->info.not_after;
        struct tm tm;

        if (k->info.not_after && gmtime_r(&t, &tm))
                strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", &tm);
        snprintf(days, sizeof days, "%ld", days_left(k->info.not_after));
        add(f, "KART_CERT_ID", k->id);
        add(f, "KART_CERT_SERIAL", k->info.serial);
        add(f, "KART_CERT_SUBJECT", k->info.subject_cn);
        add(f, "KART_CERT_STATUS", kart_cert_status_to_string(status));
        add(f, "KART_CERT_NOT_AFTER", date);
        add(f, "KART_CERT_DAYS_LEFT", days);
}

void card_event_inserted(const Card *c) {
        _cleanup_free_ char *atr = hex_encode(c->atr, c->atr_len);
        EventFields f = {};
        char msg[640];

        add_card(&f, EVENT_CARD_INSERTED, c);
        snprintf(msg, sizeof msg, "Card inserted in reader '%s': %s, serial %s, ATR %s, driver %s.",
                 c->reader->name, c->model.name, strna(c->serial), strna(atr), c->driver);
        log_struct_fields(LOG_INFO, msg, f.list);
}

void card_event_removed(const Card *c) {
        EventFields f = {};
        char msg[512];

        add_card(&f, EVENT_CARD_REMOVED, c);
        snprintf(msg, sizeof msg, "Card removed from reader '%s' (serial %s).", c->reader->name, strna(c->serial));
        log_struct_fields(LOG_INFO, msg, f.list);
}

void card_event_pin(Card *c) {
        PinState s = c->pin_status.state;
        EventFields f = {};
        char msg[512];

        if (s == c->event_pin_state)
                return;
        c->event_pin_state = s;
        if (s != PIN_STATE_LOCKED && s != PIN_STATE_BLOCKED)
                return;
        add_card(&f, EVENT_PIN_LOCKED, c);
        if (s == PIN_STATE_LOCKED)
                snprintf(msg, sizeof msg, "The PIN of card %s in reader '%s' is locked: it can be unlocked online "
                         "(never with the PUK).", strna(c->serial), c->reader->name);
        else
                snprintf(msg, sizeof msg, "The PIN and the PUK of card %s in reader '%s' are exhausted: the card "
                         "must be replaced.", strna(c->serial), c->reader->name);
        log_struct_fields(LOG_WARNING, msg, f.list);
}

void card_event_certs_read(const Card *c) {
        for (size_t i = 0; i < c->n_certs; i++) {
                const CardCert *k = &c->certs[i];
                EventFields f = {};
                char msg[640];
                long days;

                if (!k->readable || !k->info.not_after || k->authority)
                        continue;
                days = days_left(k->info.not_after);
                if (days > EVENT_EXPIRY_DAYS)
                        continue;
                add_card(&f, EVENT_CERT_EXPIRING, c);
                add_cert(&f, k, engine_cert_status(k, NULL));
                if (days >= 0)
                        snprintf(msg, sizeof msg, "Certificate %s ('%s') of card %s expires in %ld days.",
                                 k->id, k->info.subject_cn, strna(c->serial), days);
                else
                        snprintf(msg, sizeof msg, "Certificate %s ('%s') of card %s has expired.",
                                 k->id, k->info.subject_cn, strna(c->serial));
                log_struct_fields(LOG_WARNING, msg, f.list);
        }
}

void card_event_cert_status(const Card *c, const CardCert *k) {
        EventFields f = {};
        char msg[640];

        if (k->status != KART_CERT_STATUS_REVOKED && k->status != KART_CERT_STATUS_ON_HOLD)
                return;
        add_card(&f, k->status == KART_CERT_STATUS_REVOKED ? EVENT_CERT_REVOKED : EVENT_CERT_ON_HOLD, c);
        add_cert(&f, k, k->status);
        snprintf(msg, sizeof msg, "Certificate %s ('%s') of card %s is %s, says its OCSP responder%s%s.",
                 k->id, k->info.subject_cn, strna(c->serial),
                 k->status == KART_CERT_STATUS_REVOKED ? "revoked" : "on hold (suspended)",
                 k->status_detail ? ": " : "", strempty(k->status_detail));
        log_struct_fields(LOG_WARNING, msg, f.list);
}
