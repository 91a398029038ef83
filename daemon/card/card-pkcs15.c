/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The generic ISO 7816-4 / PKCS#15 card, and kartd's reference card (the
 * simulator's pkcs15 profile, sim/cardsim/default.profile), which is the
 * same card with two things known about it: an empty VERIFY is a free
 * query of the retry counter, and the open unlock protocol of
 * doc/backend-protocol.md applies to it. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "apdu.h"
#include "atr.h"
#include "card-driver.h"
#include "card-pin.h"
#include "iso7816.h"
#include "log.h"
#include "macro.h"
#include "pkcs15.h"

#define EF_DIR_MAX 4096

enum {
        PKCS15_GENERIC,
        PKCS15_REFERENCE,
};

static const uint8_t pkcs15_aid[] = { 0xA0, 0x00, 0x00, 0x00, 0x63, 0x50, 0x4B, 0x43, 0x53, 0x2D, 0x31, 0x35 };
static const uint8_t ef_dir_path[] = { 0x3F, 0x00, 0x2F, 0x00 };

/* sim/cardsim's default ATR: historical bytes 80 57 "KARTSIM1" C0. */
#define REFERENCE_ATR "3B:8B:80:01:80:57:4B:41:52:54:53:49:4D:31:C0:77"

static bool pkcs15_match(const uint8_t *atr, size_t len, CardModel *ret) {
        ret->pin_native = true;         /* ISO's VERIFY and CHANGE, as the AODF describes the PIN */
        if (atr_equals_hex(atr, len, REFERENCE_ATR)) {
                ret->known = true;
                ret->variant = PKCS15_REFERENCE;
                snprintf(ret->name, sizeof ret->name, "kartd reference card (simulated)");
                ret->pin_tries = 3;     /* sim/cardsim/default.profile */
                ret->tries_readable = true;
                ret->unlock = true;
                ret->unlock_key_ref = 0x01;
                ret->unlock_key_version = 0x01;
                return true;
        }
        /* Any other card: whatever the PKCS#15 application says. */
        ret->variant = PKCS15_GENERIC;
        snprintf(ret->name, sizeof ret->name, "Unknown card");
        return true;
}

/* By AID first, else through EF.DIR (or where an earlier job found it). */
static int pkcs15_select_app(CardConn *c) {
        _cleanup_free_ uint8_t *dir = NULL;
        size_t len;
        int r;

        r = iso7816_select_aid(c, pkcs15_aid, sizeof pkcs15_aid);
        if (r >= 0 || card_conn_lost(r))
                goto done;
        if (c->app_path_len == 0) {
                r = iso7816_select_path(c, ef_dir_path, sizeof ef_dir_path);
                if (r >= 0)
                        r = iso7816_read_binary_all(c, EF_DIR_MAX, &dir, &len);
                if (r >= 0)
                        r = pkcs15_dir_app_path(dir, len, c->app_path, sizeof c->app_path, &c->app_path_len);
                if (r < 0)
                        return r;
        }
        r = iso7816_select_path(c, c->app_path, c->app_path_len);
done:
        c->app_selected = r >= 0;
        return r;
}

static int pkcs15_select_file(CardConn *c, const uint8_t *path, size_t len) {
        return iso7816_select_path(c, path, len);
}

/* The reference card's empty VERIFY: the counter, for free. */
static int pkcs15_pin_query(CardConn *c, const CardPinInfo *pin, PinStatus *status) {
        uint16_t sw;
        int r;

        if (c->model.variant != PKCS15_REFERENCE)
                return -KART_ENOTSUPPORTED;     /* elsewhere an empty VERIFY may count as a wrong PIN */
        r = iso7816_verify(c, pin->reference, NULL, 0, &sw);
        if (r < 0)
                return r;
        if (sw == SW_OK) {
                /* Already verified in this session: tries are at maximum. */
                status->state = PIN_STATE_OK;
                status->tries_left = status->tries_max;
                return 0;
        }
        r = card_pin_apply_sw(c, sw, status);
        if (r != -EKEYREJECTED && r != -EKEYEXPIRED)
                return -KART_ENOTSUPPORTED;     /* no answer kartd understands: unknown */

        /* Locked, and the PUK gone too? Then the card is dead. This second
         * look is only ever taken at a locked PIN. */
        if (status->state == PIN_STATE_LOCKED && pin->puk_reference >= 0) {
                r = iso7816_verify(c, (uint8_t) pin->puk_reference, NULL, 0, &sw);
                if (r < 0)
                        return r;
                if (sw == 0x6983 || sw == 0x6984 || sw == 0x63C0)
                        status->state = PIN_STATE_BLOCKED;
        }
        return 0;
}

static int pkcs15_pin_verify(CardConn *c, const CardPinInfo *pin, const char *value, uint16_t *sw) {
        uint8_t buf[PKCS15_PIN_MAX_LENGTH];
        size_t len;
        int r;

        r = card_pin_encode(pin, value, buf, &len);
        if (r >= 0)
                r = iso7816_verify(c, pin->reference, buf, len, sw);
        explicit_bzero(buf, sizeof buf);
        return r;
}

/* ISO 7816-4 CHANGE REFERENCE DATA P1=00: old || new, each encoded as the
 * AODF says. */
static int pkcs15_pin_change(CardConn *c, const CardPinInfo *pin, const char *old_pin, const char *new_pin,
                             uint16_t *sw) {
        uint8_t buf[2 * PKCS15_PIN_MAX_LENGTH];
        size_t a, b;
        int r;

        r = card_pin_encode(pin, old_pin, buf, &a);
        if (r >= 0)
                r = card_pin_encode(pin, new_pin, buf + a, &b);
        if (r >= 0)
                r = iso7816_change_reference_data(c, 0x00, pin->reference, buf, a + b, sw);
        explicit_bzero(buf, sizeof buf);
        return r;
}

const CardDriver card_driver_pkcs15 = {
        .name = "pkcs15",
        .match = pkcs15_match,
        .select_app = pkcs15_select_app,
        .select_file = pkcs15_select_file,
        .pin_query = pkcs15_pin_query,
        .pin_verify = pkcs15_pin_verify,
        .pin_change = pkcs15_pin_change,
        /* No logout: ISO's VERIFY P1=FF is not on every card; the
         * transaction ends with a reset. */
};
