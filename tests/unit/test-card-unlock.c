/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The card side of the online unlock against scripted cards
 * (tests/data/apdu/unlock-*.script): the exact APDUs, in order; nothing
 * after a refusal; EXTERNAL AUTHENTICATE never twice; no APDU for a
 * malformed PIN, another card, or a card the protocol does not apply to
 * (AKİS, a generic PKCS#15 card); the card left logged out. The challenge
 * and cryptogram are the test vector of the backend protocol. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "card-unlock.h"
#include "card-driver.h"
#include "fake-transport.h"
#include "macro.h"
#include "pin.h"

#define SERIAL "4b41525400000001"
#define NEW_PIN "654321"
#define REF_ATR "3B 8B 80 01 80 57 4B 41 52 54 53 49 4D 31 C0 77"
#define GENERIC_ATR "3B F8 13 00 00 81 31 FE 15 59 75 62 69 6B 65 79 34 D4"
#define AKIS_ATR "3B 9F 97 81 31 FE 45 80 65 54 43 D2 21 08 31 C0 73 F6 21 80 81 05 5B"

static const uint8_t vector_challenge[16] = { 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
                                              0x88, 0x99, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF };
static const uint8_t vector_cryptogram[16] = { 0xCC, 0x0F, 0x40, 0x34, 0x29, 0x23, 0x97, 0xE8,
                                               0x96, 0xA5, 0xFD, 0x3F, 0x98, 0xC2, 0x1A, 0xCD };

/* The backend stand-in: counts its calls, checks the challenge it gets. */
typedef struct Backend {
        unsigned calls;
        int fail;               /* <0: the authorization fails with it */
        uint8_t challenge[16];
} Backend;

static int authorize(const uint8_t challenge[16], uint8_t cryptogram[16], void *userdata) {
        Backend *b = userdata;

        b->calls++;
        memcpy(b->challenge, challenge, 16);
        if (b->fail < 0)
                return b->fail;
        memcpy(cryptogram, vector_cryptogram, 16);
        return 0;
}

static CardPinInfo sim_pin(void) {
        return (CardPinInfo) {
                .present = true,
                .reference = 0x81,
                .type = PKCS15_PIN_TYPE_ASCII_NUMERIC,
                .min_length = 6,
                .stored_length = 8,
                .max_length = 8,
                .needs_padding = true,
                .pad_char = 0xFF,
                .puk_reference = 0x02,
        };
}

static CardUnlockRequest request(Backend *b) {
        return (CardUnlockRequest) {
                .serial = SERIAL,
                .info = sim_pin(),
                .new_pin = NEW_PIN,
                .status = { PIN_STATE_LOCKED, 0, 3 },
                .authorize = authorize,
                .userdata = b,
        };
}

/* Runs req against script on a card with this ATR; the script must be
 * played to its end. A card that got an EXTERNAL AUTHENTICATE is reset
 * when the transaction ends (no grant stays behind). */
static int run_on(const char *script, const char *atr, const CardUnlockRequest *req, CardUnlockResult *res,
                  unsigned *ret_count) {
        CardConn c;
        FakeTransport *f = fake_card_new(script, atr, &c);
        int r;

        r = card_unlock_run(&c, req, res);
        if (ret_count)
                *ret_count = f->base.apdu_count;
        if (res->rrc_sent && res->sw_rrc)
                assert_true(f->base.reset_on_close);
        fake_transport_done(f);
        return r;
}

static int run(const char *script, const CardUnlockRequest *req, CardUnlockResult *res, unsigned *ret_count) {
        return run_on(script, REF_ATR, req, res, ret_count);
}

static void assert_status(const PinStatus *s, PinState state, int tries_left, int tries_max) {
        assert_string_equal(pin_state_to_string(s->state), pin_state_to_string(state));
        assert_int_equal(s->tries_left, tries_left);
        assert_int_equal(s->tries_max, tries_max);
}

static void assert_step(const CardUnlockResult *res, CardUnlockStep step) {
        assert_string_equal(card_unlock_step_to_string(res->failed_step), card_unlock_step_to_string(step));
}

static void test_ok(void **state) {
        Backend b = {};
        CardUnlockRequest req = request(&b);
        CardUnlockResult res;
        unsigned n;

        /* identity (3), GET CHALLENGE, EA, RRC, the PIN's state */
        assert_int_equal(run("apdu/unlock-ok.script", &req, &res, &n), 0);
        assert_int_equal(n, 7);
        assert_int_equal(b.calls, 1);
        assert_memory_equal(b.challenge, vector_challenge, 16);
        assert_step(&res, CARD_UNLOCK_STEP_NONE);
        assert_true(res.ea_sent);
        assert_true(res.rrc_sent);
        assert_int_equal(res.sw_ea, 0x9000);
        assert_int_equal(res.sw_rrc, 0x9000);
        assert_status(&res.pin_status, PIN_STATE_OK, 3, 3);
}

/* The open protocol is the reference card's: an AKİS card (KamuSM unlocks
 * its cards its own way) and a card kartd knows nothing of get no APDU. */
static void test_not_for_this_card(void **state) {
        Backend b = {};
        CardUnlockRequest req = request(&b);
        CardUnlockResult res;
        CardModel m;
        unsigned n = 99;

        assert_int_equal(run_on("apdu/none.script", AKIS_ATR, &req, &res, &n), -EOPNOTSUPP);
        assert_int_equal(n, 0);
        assert_step(&res, CARD_UNLOCK_STEP_REQUEST);
        assert_int_equal(run_on("apdu/none.script", GENERIC_ATR, &req, &res, &n), -EOPNOTSUPP);
        assert_int_equal(n, 0);
        assert_int_equal(b.calls, 0);

        card_model_from_atr((const uint8_t[]) { 0x3B, 0x8B, 0x80, 0x01, 0x80, 0x57, 0x4B, 0x41, 0x52, 0x54,
                                                0x53, 0x49, 0x4D, 0x31, 0xC0, 0x77 }, 16, &m);
        assert_true(m.unlock);
        assert_int_equal(m.unlock_key_ref, 0x01);
        assert_int_equal(card_unlock_check_request(&m, &req), 0);
}

static void test_authorize_fails(void **state) {
        Backend b = { .fail = -ETIMEDOUT };
        CardUnlockRequest req = request(&b);
        CardUnlockResult res;

        /* The script ends after GET CHALLENGE: an EA would fail the test. */
        assert_int_equal(run("apdu/unlock-challenge.script", &req, &res, NULL), -ETIMEDOUT);
        assert_int_equal(b.calls, 1);
        assert_step(&res, CARD_UNLOCK_STEP_AUTHORIZE);
        assert_false(res.ea_sent);
        assert_false(res.rrc_sent);
        assert_int_equal(res.sw_ea, 0);
        assert_int_equal(res.sw_rrc, 0);
        assert_status(&res.pin_status, PIN_STATE_LOCKED, 0, 3);
}

static void test_ea_refused(void **state) {
        Backend b = {};
        CardUnlockRequest req = request(&b);
        CardUnlockResult res;

        /* 63C9: stop; no RESET RETRY COUNTER, no second EA */
        assert_int_equal(run("apdu/unlock-ea-63c9.script", &req, &res, NULL), -EKEYREJECTED);
        assert_step(&res, CARD_UNLOCK_STEP_EXTERNAL_AUTHENTICATE);
        assert_true(res.ea_sent);
        assert_false(res.rrc_sent);
        assert_int_equal(res.sw_ea, 0x63C9);
        assert_int_equal(res.sw_rrc, 0);

        assert_int_equal(run("apdu/unlock-ea-6983.script", &req, &res, NULL), -EKEYREVOKED);
        assert_int_equal(res.sw_ea, 0x6983);
        assert_false(res.rrc_sent);

        /* 6Cxx: a sensitive command is never repeated */
        assert_int_equal(run("apdu/unlock-ea-6c10.script", &req, &res, NULL), -EPROTO);
        assert_int_equal(res.sw_ea, 0x6C10);
        assert_false(res.rrc_sent);
        assert_int_equal(b.calls, 3);
}

static void test_removed(void **state) {
        Backend b = {};
        CardUnlockRequest req = request(&b);
        CardUnlockResult res;

        assert_int_equal(run("apdu/unlock-ea-removed.script", &req, &res, NULL), -ENOMEDIUM);
        assert_step(&res, CARD_UNLOCK_STEP_EXTERNAL_AUTHENTICATE);
        assert_true(res.ea_sent);
        assert_int_equal(res.sw_ea, 0);
        assert_false(res.rrc_sent);

        /* after EA, with RRC on its way: torn */
        assert_int_equal(run("apdu/unlock-rrc-removed.script", &req, &res, NULL), -ENOMEDIUM);
        assert_step(&res, CARD_UNLOCK_STEP_RESET_RETRY_COUNTER);
        assert_int_equal(res.sw_ea, 0x9000);
        assert_true(res.rrc_sent);
        assert_int_equal(res.sw_rrc, 0);
        assert_status(&res.pin_status, PIN_STATE_LOCKED, 0, 3);

        /* before anything */
        assert_int_equal(run("apdu/run-removed-identity.script", &req, &res, NULL), -ENOMEDIUM);
        assert_step(&res, CARD_UNLOCK_STEP_IDENTITY);
        assert_false(res.ea_sent);
}

static void test_rrc_refused(void **state) {
        Backend b = {};
        CardUnlockRequest req = request(&b);
        CardUnlockResult res;

        assert_int_equal(run("apdu/unlock-rrc-6982.script", &req, &res, NULL), -EACCES);
        assert_step(&res, CARD_UNLOCK_STEP_RESET_RETRY_COUNTER);
        assert_int_equal(res.sw_ea, 0x9000);
        assert_int_equal(res.sw_rrc, 0x6982);
        assert_status(&res.pin_status, PIN_STATE_LOCKED, 0, 3);
}

static void test_challenge_fails(void **state) {
        Backend b = {};
        CardUnlockRequest req = request(&b);
        CardUnlockResult res;

        assert_int_equal(run("apdu/unlock-challenge-6d00.script", &req, &res, NULL), -EPROTO);
        assert_step(&res, CARD_UNLOCK_STEP_CHALLENGE);
        assert_int_equal(run("apdu/unlock-challenge-short.script", &req, &res, NULL), -EPROTO);
        assert_step(&res, CARD_UNLOCK_STEP_CHALLENGE);
        assert_int_equal(b.calls, 0);
        assert_false(res.ea_sent);
}

static void test_other_card(void **state) {
        Backend b = {};
        CardUnlockRequest req = request(&b);
        CardUnlockResult res;
        unsigned n;

        /* The script ends after the TokenInfo: no GET CHALLENGE. */
        assert_int_equal(run("apdu/run-other-card.script", &req, &res, &n), -EMEDIUMTYPE);
        assert_int_equal(n, 3);
        assert_step(&res, CARD_UNLOCK_STEP_IDENTITY);
        assert_int_equal(run("apdu/run-no-pkcs15.script", &req, &res, NULL), -EMEDIUMTYPE);
        assert_int_equal(b.calls, 0);
}

static void test_bad_request(void **state) {
        const char *bad[] = { "", "12345", "123456789", "12345a", " 123456", "１２３４５６" };
        Backend b = {};
        CardUnlockRequest req;
        CardUnlockResult res;
        unsigned n;

        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                req = request(&b);
                req.new_pin = bad[i];
                assert_int_equal(run_on("apdu/none.script", REF_ATR, &req, &res, &n), -EDOM);
                assert_int_equal(run("apdu/none.script", &req, &res, &n), -EDOM);
                assert_int_equal(n, 0);
                assert_step(&res, CARD_UNLOCK_STEP_REQUEST);
        }
        req = request(&b);
        req.new_pin = NULL;
        assert_int_equal(run("apdu/none.script", &req, &res, NULL), -EDOM);
        req = request(&b);
        req.serial = NULL;
        assert_int_equal(run("apdu/none.script", &req, &res, NULL), -EOPNOTSUPP);
        req = request(&b);
        req.info.present = false;
        assert_int_equal(run("apdu/none.script", &req, &res, NULL), -EOPNOTSUPP);
        req = request(&b);
        req.authorize = NULL;
        assert_int_equal(run("apdu/none.script", &req, &res, NULL), -EINVAL);
        assert_int_equal(b.calls, 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_ok),
                cmocka_unit_test(test_not_for_this_card),
                cmocka_unit_test(test_authorize_fails),
                cmocka_unit_test(test_ea_refused),
                cmocka_unit_test(test_removed),
                cmocka_unit_test(test_rrc_refused),
                cmocka_unit_test(test_challenge_fails),
                cmocka_unit_test(test_other_card),
                cmocka_unit_test(test_bad_request),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
