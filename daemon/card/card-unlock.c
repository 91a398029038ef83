/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "apdu.h"
#include "card-pin.h"
#include "card-unlock.h"
#include "iso7816.h"
#include "log.h"
#include "macro.h"

#define RRC_P1_NEW_PIN 0x02     /* RESET RETRY COUNTER: new PIN, no PUK */

const char *card_unlock_step_to_string(CardUnlockStep s) {
        switch (s) {
        case CARD_UNLOCK_STEP_NONE:
                return "none";
        case CARD_UNLOCK_STEP_REQUEST:
                return "request";
        case CARD_UNLOCK_STEP_IDENTITY:
                return "identity";
        case CARD_UNLOCK_STEP_CHALLENGE:
                return "challenge";
        case CARD_UNLOCK_STEP_AUTHORIZE:
                return "authorize";
        case CARD_UNLOCK_STEP_EXTERNAL_AUTHENTICATE:
                return "external-authenticate";
        case CARD_UNLOCK_STEP_RESET_RETRY_COUNTER:
                return "reset-retry-counter";
        }
        return "unknown";
}

int card_unlock_check_request(const CardModel *m, const CardUnlockRequest *req) {
        if (!m->unlock || !req->info.present)
                return -KART_ENOTSUPPORTED;
        /* As for a PIN change: without a serial this card cannot be told
         * from the next one in the same reader. */
        if (!req->serial)
                return -KART_ENOTSUPPORTED;
        if (!req->authorize)
                return -EINVAL;
        return card_pin_check_format(&req->info, req->new_pin);
}

static bool is_transport_error(int r) {
        return card_conn_lost(r) || r == -EIO;
}

/* The card's answers, through its driver's table, in this flow's terms:
 * for the admin key a blocked counter is the key exhausted, and anything
 * but success or the documented refusals is a protocol failure. */
static int ea_sw_to_errno(const CardConn *c, uint16_t sw) {
        int r = card_conn_check_sw(c, sw);

        if (r == -EKEYEXPIRED && sw == 0x6983)
                return -EKEYREVOKED;
        if (r == 0 && sw == SW_OK)
                return 0;
        return r == -EKEYREJECTED ? r : -EPROTO;
}

static int rrc_sw_to_errno(const CardConn *c, uint16_t sw) {
        int r = card_conn_check_sw(c, sw);

        if (r == 0 && sw == SW_OK)
                return 0;
        return sw == 0x6982 ? -EACCES : -EPROTO;
}

/* The PIN state from the card, where the driver can ask without risk. The
 * PUK's counter is not asked: this flow leaves the PUK alone entirely. */
static void read_pin_state(CardConn *c, const CardPinInfo *info, PinStatus *status) {
        CardPinInfo pin = *info;
        int r;

        if (!c->model.driver->pin_query)
                return;
        pin.puk_reference = -1;
        r = c->model.driver->pin_query(c, &pin, status);
        if (r < 0 && r != -KART_ENOTSUPPORTED)
                log_debug_errno(r, "Could not read the PIN state after the unlock: %m");
}

static int fail(CardUnlockResult *ret, CardUnlockStep step, int r) {
        ret->failed_step = step;
        return r;
}

/* GET CHALLENGE, authorize, EXTERNAL AUTHENTICATE: the grant. */
static int authenticate(CardConn *c, const CardUnlockRequest *req, CardUnlockResult *ret) {
        uint8_t challenge[CARD_UNLOCK_CHALLENGE_LEN], cryptogram[CARD_UNLOCK_CRYPTOGRAM_LEN] = {};
        uint16_t sw = 0;
        int r;

        r = iso7816_get_challenge(c, challenge, sizeof challenge, &sw);
        if (r >= 0 && sw != SW_OK) {
                log_debug("GET CHALLENGE answered %04X.", sw);
                r = -EPROTO;
        }
        if (r < 0)
                return fail(ret, CARD_UNLOCK_STEP_CHALLENGE, is_transport_error(r) ? r : -EPROTO);

        r = req->authorize(challenge, cryptogram, req->userdata);
        explicit_bzero(challenge, sizeof challenge);
        if (r < 0) {
                explicit_bzero(cryptogram, sizeof cryptogram);
                log_debug_errno(r, "No authorization for the unlock, EXTERNAL AUTHENTICATE not sent: %m");
                return fail(ret, CARD_UNLOCK_STEP_AUTHORIZE, r);
        }

        /* Exactly once: a repeated EXTERNAL AUTHENTICATE could spend an
         * admin try (apdu.c never repeats a sensitive command on 6Cxx).
         * From here on no grant may stay behind, whatever happens: the
         * card is reset when the transaction ends. */
        c->t->reset_on_close = true;
        ret->ea_sent = true;
        r = iso7816_external_authenticate(c, c->model.unlock_key_ref, cryptogram, sizeof cryptogram, &sw);
        explicit_bzero(cryptogram, sizeof cryptogram);
        if (r < 0)
                return fail(ret, CARD_UNLOCK_STEP_EXTERNAL_AUTHENTICATE, is_transport_error(r) ? r : -EPROTO);
        ret->sw_ea = sw;
        log_debug("EXTERNAL AUTHENTICATE with key %02X (version %02X) answered %04X.",
                  c->model.unlock_key_ref, c->model.unlock_key_version, sw);
        r = ea_sw_to_errno(c, sw);
        if (r < 0)
                return fail(ret, CARD_UNLOCK_STEP_EXTERNAL_AUTHENTICATE, r);
        return 0;
}

int card_unlock_run(CardConn *c, const CardUnlockRequest *req, CardUnlockResult *ret) {
        uint8_t pin[PKCS15_PIN_MAX_LENGTH];
        size_t pin_len;
        uint16_t sw = 0;
        int r;

        *ret = (CardUnlockResult) { .pin_status = req->status };

        r = card_unlock_check_request(&c->model, req);
        if (r < 0)
                return fail(ret, CARD_UNLOCK_STEP_REQUEST, r);

        /* Identity first: a PIN meant for one card never goes to another. */
        r = card_check_same_card(c, req->serial);
        if (r < 0)
                return fail(ret, CARD_UNLOCK_STEP_IDENTITY, r);

        r = authenticate(c, req, ret);
        if (r < 0)
                return r;

        r = card_pin_encode(&req->info, req->new_pin, pin, &pin_len);
        if (r < 0)      /* checked above; cannot happen */
                return fail(ret, CARD_UNLOCK_STEP_REQUEST, r);
        ret->rrc_sent = true;
        r = iso7816_reset_retry_counter(c, RRC_P1_NEW_PIN, req->info.reference, pin, pin_len, &sw);
        explicit_bzero(pin, sizeof pin);
        if (r < 0) {
                /* Removed with the command on its way: torn, the PIN may
                 * or may not be set. */
                if (r == -ENOMEDIUM)
                        log_debug("Card removed during RESET RETRY COUNTER: the new PIN may or may not be set.");
                return fail(ret, CARD_UNLOCK_STEP_RESET_RETRY_COUNTER, is_transport_error(r) ? r : -EPROTO);
        }
        ret->sw_rrc = sw;
        log_debug("RESET RETRY COUNTER answered %04X.", sw);
        r = rrc_sw_to_errno(c, sw);
        if (r >= 0)
                /* The counter is at its maximum now; the card may say more. */
                (void) card_pin_apply_sw(c, SW_OK, &ret->pin_status);

        read_pin_state(c, &req->info, &ret->pin_status);
        /* No grant and no verified state stay behind. */
        card_conn_logout(c);
        c->t->reset_on_close = true;    /* the grant is the driver's to forget only by a reset */
        if (r < 0)
                return fail(ret, CARD_UNLOCK_STEP_RESET_RETRY_COUNTER, r);
        return 0;
}
