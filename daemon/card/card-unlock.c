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

int card_unlock_check_request(const CardUnlockRequest *req) {
        if (!req->driver || !req->info.present)
                return -EOPNOTSUPP;
        /* As for a PIN change: without a serial this card cannot be told
         * from the next one in the same reader. */
        if (!req->serial)
                return -EOPNOTSUPP;
        if (!req->authorize)
                return -EINVAL;
        return card_pin_check_format(&req->info, req->new_pin);
}

static bool is_transport_error(int r) {
        return r == -ENOMEDIUM || r == -ECONNRESET || r == -EIO;
}

static int ea_sw_to_errno(uint16_t sw) {
        if (sw == SW_OK)
                return 0;
        if ((sw & 0xFFF0) == 0x63C0)
                return -EKEYREJECTED;
        if (sw == 0x6983)
                return -EKEYREVOKED;
        return -EPROTO;
}

static int rrc_sw_to_errno(uint16_t sw) {
        if (sw == SW_OK)
                return 0;
        if (sw == 0x6982)
                return -EACCES;
        return -EPROTO;
}

/* The PIN state from the card, where the driver can ask without risk. The
 * PUK's counter is not asked: this flow leaves the PUK alone entirely. */
static void read_pin_state(Transport *t, const CardDriver *driver, const CardPinInfo *info,
                           PinStatus *status) {
        CardPinInfo pin = *info;
        int r;

        pin.puk_reference = -1;
        r = driver->pin_query(t, &pin, status);
        if (r < 0 && r != -EOPNOTSUPP)
                log_debug_errno(r, "Could not read the PIN state after the unlock: %m");
}

static int fail(CardUnlockResult *ret, CardUnlockStep step, int r) {
        ret->failed_step = step;
        return r;
}

/* GET CHALLENGE, authorize, EXTERNAL AUTHENTICATE: the grant. */
static int authenticate(Transport *t, const CardUnlockRequest *req, CardUnlockResult *ret) {
        uint8_t challenge[CARD_UNLOCK_CHALLENGE_LEN], cryptogram[CARD_UNLOCK_CRYPTOGRAM_LEN] = {};
        uint16_t sw = 0;
        int r;

        r = iso7816_get_challenge(t, challenge, sizeof challenge, &sw);
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
         * admin try (apdu.c never repeats a sensitive command on 6Cxx). */
        ret->ea_sent = true;
        r = iso7816_external_authenticate(t, req->key_ref, cryptogram, sizeof cryptogram, &sw);
        explicit_bzero(cryptogram, sizeof cryptogram);
        if (r < 0)
                return fail(ret, CARD_UNLOCK_STEP_EXTERNAL_AUTHENTICATE, is_transport_error(r) ? r : -EPROTO);
        ret->sw_ea = sw;
        log_debug("EXTERNAL AUTHENTICATE with key %02X (version %02X) answered %04X.",
                  req->key_ref, req->key_version, sw);
        r = ea_sw_to_errno(sw);
        if (r < 0)
                return fail(ret, CARD_UNLOCK_STEP_EXTERNAL_AUTHENTICATE, r);
        return 0;
}

int card_unlock_run(Transport *t, const CardUnlockRequest *req, CardUnlockResult *ret) {
        uint8_t pin[PKCS15_PIN_MAX_LENGTH];
        size_t pin_len;
        uint16_t sw = 0;
        int r;

        *ret = (CardUnlockResult) { .pin_status = req->status };

        r = card_unlock_check_request(req);
        if (r < 0)
                return fail(ret, CARD_UNLOCK_STEP_REQUEST, r);

        /* Identity first: a PIN meant for one card never goes to another. */
        r = card_check_same_card(t, req->serial);
        if (r < 0)
                return fail(ret, CARD_UNLOCK_STEP_IDENTITY, r);

        r = authenticate(t, req, ret);
        if (r < 0)
                return r;

        r = card_pin_encode(&req->info, req->new_pin, pin, &pin_len);
        if (r < 0)      /* checked above; cannot happen */
                return fail(ret, CARD_UNLOCK_STEP_REQUEST, r);
        ret->rrc_sent = true;
        r = iso7816_reset_retry_counter(t, RRC_P1_NEW_PIN, req->info.reference, pin, pin_len, &sw);
        explicit_bzero(pin, sizeof pin);
        if (r < 0) {
                /* Removed with the command on its way: torn, the PIN may
                 * or may not be set (card_unlock_probe() tells). */
                if (r == -ENOMEDIUM)
                        log_debug("Card removed during RESET RETRY COUNTER: the new PIN may or may not be set.");
                return fail(ret, CARD_UNLOCK_STEP_RESET_RETRY_COUNTER, is_transport_error(r) ? r : -EPROTO);
        }
        ret->sw_rrc = sw;
        log_debug("RESET RETRY COUNTER answered %04X.", sw);
        r = rrc_sw_to_errno(sw);
        if (r >= 0)
                /* The counter is at its maximum now; the card may say more. */
                (void) card_pin_apply_sw(SW_OK, &ret->pin_status);

        read_pin_state(t, req->driver, &req->info, &ret->pin_status);
        if (r < 0)
                return fail(ret, CARD_UNLOCK_STEP_RESET_RETRY_COUNTER, r);
        return 0;
}

static bool is_locked(const PinStatus *s) {
        return s->state == PIN_STATE_LOCKED || s->state == PIN_STATE_BLOCKED;
}

int card_unlock_probe(Transport *t, const char *serial, const CardPinInfo *info, const char *new_pin,
                      PinStatus *status) {
        uint8_t pin[PKCS15_PIN_MAX_LENGTH];
        CardPinInfo q = *info;
        PinStatus now = *status;
        size_t pin_len;
        uint16_t sw;
        int r;

        if (!serial)
                return -EOPNOTSUPP;
        r = card_pin_check_format(info, new_pin);
        if (r < 0)
                return r;
        r = card_check_same_card(t, serial);
        if (r < 0)
                return r;

        /* The card's own word where it can be asked without risk (the
         * generic query is the one to use: it asks only cards known to
         * take an empty VERIFY as a query, and the PUK's counter is not
         * asked); else the state known before. */
        q.puk_reference = -1;
        r = card_driver_pkcs15.pin_query(t, &q, &now);
        if (r < 0 && r != -EOPNOTSUPP)
                return r;
        if (r >= 0 && !is_locked(&now)) {
                *status = now;
                return -EALREADY;
        }
        if (!is_locked(&now))
                return -EOPNOTSUPP;

        r = card_pin_encode(info, new_pin, pin, &pin_len);
        if (r >= 0)
                r = iso7816_verify(t, info->reference, pin, pin_len, &sw);
        explicit_bzero(pin, sizeof pin);
        if (r < 0)
                return r;
        log_debug("Probe of a torn unlock: VERIFY with the new PIN answered %04X.", sw);
        r = card_pin_apply_sw(sw, &now);
        *status = now;
        switch (r) {
        case 0:
                return 1;               /* the new PIN is set */
        case -EKEYEXPIRED:
                return 0;               /* still locked: it did not take */
        case -EKEYREJECTED:
                return r;
        default:
                return -EPROTO;
        }
}
