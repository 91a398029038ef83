/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "card-driver.h"
#include "iso7816.h"
#include "log.h"
#include "macro.h"

/* In order: the generic PKCS#15 driver takes any card, so it comes last. */
static const CardDriver *const card_drivers[] = {
        &card_driver_akis,
        &card_driver_pkcs15,
};

void card_model_from_atr(const uint8_t *atr, size_t len, CardModel *ret) {
        for (size_t i = 0; i < ELEMENTSOF(card_drivers); i++) {
                *ret = (CardModel) { .driver = card_drivers[i] };
                if (card_drivers[i]->match(atr, len, ret))
                        return;
        }
        /* not reached: the generic driver takes every ATR */
        *ret = (CardModel) { .driver = &card_driver_pkcs15 };
}

void card_conn_init(CardConn *c, Transport *t) {
        *c = (CardConn) { .t = t, .app_pin = PIN_STATUS_UNKNOWN };
        card_model_from_atr(t->atr, t->atr_len, &c->model);
        /* The card's limits hold for every job: an AKİS card asked for
         * more than 244 bytes answers short, which looks like the end of
         * the file. */
        if (c->model.max_recv > 0 && (t->max_recv == 0 || c->model.max_recv < t->max_recv))
                t->max_recv = c->model.max_recv;
        if (c->model.short_only)
                t->extended = false;
}

void card_conn_sighting(const CardConn *c, CardSighting *ret) {
        *ret = (CardSighting) {
                .valid = c->t->reader_events_known,
                .reader_epoch = c->t->reader_epoch,
                .reader_events = c->t->reader_events,
                .atr_len = MIN(c->t->atr_len, sizeof ret->atr),
                .app_path_len = c->app_path_len,
        };
        memcpy(ret->atr, c->t->atr, ret->atr_len);
        memcpy(ret->app_path, c->app_path, c->app_path_len);
}

bool card_conn_same_as(const CardConn *c, const CardSighting *seen) {
        const Transport *t = c->t;

        /* pcsc-lite counts the card's insertion: a count of 0 is no
         * count at all. */
        return seen && seen->valid && t->reader_events_known && t->reader_events > 0 &&
               t->reader_epoch == seen->reader_epoch && t->reader_events == seen->reader_events &&
               t->atr_len == seen->atr_len && memcmp(t->atr, seen->atr, t->atr_len) == 0;
}

void card_conn_use_sighting(CardConn *c, const CardSighting *seen) {
        if (!seen || seen->app_path_len > sizeof c->app_path)
                return;
        memcpy(c->app_path, seen->app_path, seen->app_path_len);
        c->app_path_len = seen->app_path_len;
}

int card_conn_check_sw(const CardConn *c, uint16_t sw) {
        if (c->model.driver && c->model.driver->check_sw)
                return c->model.driver->check_sw(c, sw);
        return iso7816_check_sw(sw);
}

void card_conn_logout(CardConn *c) {
        int r = -KART_ENOTSUPPORTED;

        if (c->model.driver && c->model.driver->logout)
                r = c->model.driver->logout(c);
        /* No logout command, or it failed: the card is reset when the
         * transaction ends, which clears every security state. */
        if (r < 0 && r != -KART_ENOTSUPPORTED)
                log_debug_errno(r, "Logout failed, the card will be reset: %m");
        c->t->reset_on_close = r < 0;
        c->app_selected = false;
}
