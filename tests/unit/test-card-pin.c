/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The PIN layer against scripted cards (tests/data/apdu): the exact bytes
 * the drivers send, how the retry counter is read, and card_pin_run()'s
 * safety rules — a malformed PIN, a PIN for another card, one try left or
 * a locked PIN never cost a try (design/security.md, "Never lock a card"). */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "card-driver.h"
#include "card-pin.h"
#include "fake-transport.h"
#include "iso7816.h"
#include "macro.h"
#include "pin.h"

#define SERIAL "4b41525400000001"
/* sim/cardsim's reference card, whose empty VERIFY is a free query. */
#define REF_ATR "3B 8B 80 01 80 57 4B 41 52 54 53 49 4D 31 C0 77"
/* A card kartd knows nothing of (YubiKey 4): the generic PKCS#15 driver,
 * which never sends an empty VERIFY. */
#define GENERIC_ATR "3B F8 13 00 00 81 31 FE 15 59 75 62 69 6B 65 79 34 D4"

/* The user PIN as the simulated reference card describes it in its AODF. */
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

static PinRequest verify_request(const char *pin) {
        return (PinRequest) {
                .op = PIN_OP_VERIFY,
                .pin = pin,
                .serial = SERIAL,
                .info = sim_pin(),
                /* as the engine has it: the model's maximum (card-pkcs15.c) */
                .status = { PIN_STATE_UNKNOWN, -1, 3 },
        };
}

static PinRequest change_request(const char *old_pin, const char *new_pin) {
        PinRequest req = verify_request(old_pin);

        req.op = PIN_OP_CHANGE;
        req.new_pin = new_pin;
        return req;
}

/* Runs req against script on a card with this ATR; the whole script must
 * be played. The number of exchanges goes to *ret_count when asked, and
 * whether the transaction ends with a card reset to *ret_reset. */
static int run_on(const char *script, const char *atr, PinRequest *req, unsigned *ret_count, bool *ret_reset) {
        CardConn c;
        FakeTransport *f = fake_card_new(script, atr, &c);
        int r;

        r = card_pin_run(&c, req);
        if (ret_count)
                *ret_count = f->base.apdu_count;
        if (ret_reset)
                *ret_reset = f->base.reset_on_close;
        fake_transport_done(f);
        return r;
}

static int run(const char *script, PinRequest *req, unsigned *ret_count) {
        return run_on(script, REF_ATR, req, ret_count, NULL);
}

static void assert_status(const PinStatus *s, PinState state, int tries_left, int tries_max) {
        assert_string_equal(pin_state_to_string(s->state), pin_state_to_string(state));
        assert_int_equal(s->tries_left, tries_left);
        assert_int_equal(s->tries_max, tries_max);
}

/* ---- the fake transport itself ---- */

static void test_fake_transport(void **state) {
        FakeTransport *f;
        uint8_t resp[16];
        size_t len = 0;

        f = fake_transport_new_from_string("inline",
                                           "# comment\n"
                                           "> 00 B0 00 00 00   # trailing comment\n"
                                           "< 01 02\n"
                                           "< 03:04 9000\n"
                                           "\n"
                                           "> 00 20 00 81\n"
                                           "! reset\n"
                                           "! removed\n"
                                           "! io\n");
        assert_int_equal(fake_transport_remaining(f), 4);
        assert_int_equal(transport_transmit(&f->base, (const uint8_t *) "\x00\xB0\x00\x00\x00", 5,
                                            resp, sizeof resp, &len), 0);
        assert_int_equal(len, 6);
        assert_memory_equal(resp, "\x01\x02\x03\x04\x90\x00", 6);
        assert_int_equal(transport_transmit(&f->base, (const uint8_t *) "\x00\x20\x00\x81", 4,
                                            resp, sizeof resp, &len), -ECONNRESET);
        /* a '!' on its own takes any command */
        assert_int_equal(transport_transmit(&f->base, (const uint8_t *) "\x00\xA4\x00\x0C", 4,
                                            resp, sizeof resp, &len), -ENOMEDIUM);
        assert_int_equal(transport_transmit(&f->base, (const uint8_t *) "\x00\xA4\x00\x0C", 4,
                                            resp, sizeof resp, &len), -EIO);
        assert_int_equal(fake_transport_remaining(f), 0);
        fake_transport_done(f);

        f = fake_transport_new("apdu/none.script");
        assert_int_equal(fake_transport_remaining(f), 0);
        fake_transport_done(f);
}

/* ---- generic PKCS#15 driver: bytes on the wire ---- */

static void test_pkcs15_verify_bytes(void **state) {
        CardPinInfo pin = sim_pin();
        CardConn c;
        FakeTransport *f = fake_card_new("apdu/pkcs15-verify.script", REF_ATR, &c);
        uint16_t sw = 0;

        assert_ptr_equal(c.model.driver, &card_driver_pkcs15);
        assert_int_equal(card_driver_pkcs15.pin_verify(&c, &pin, "123456", &sw), 0);
        assert_int_equal(sw, 0x9000);
        fake_transport_done(f);

        /* the full stored length: nothing to pad */
        f = fake_card_new("apdu/pkcs15-verify-long.script", GENERIC_ATR, &c);
        assert_int_equal(card_driver_pkcs15.pin_verify(&c, &pin, "12345678", &sw), 0);
        assert_int_equal(sw, 0x63C2);
        fake_transport_done(f);
}

static void test_pkcs15_change_bytes(void **state) {
        CardPinInfo pin = sim_pin();
        CardConn c;
        FakeTransport *f = fake_card_new("apdu/pkcs15-change.script", REF_ATR, &c);
        uint16_t sw = 0;

        assert_int_equal(card_driver_pkcs15.pin_change(&c, &pin, "123456", "654321", &sw), 0);
        assert_int_equal(sw, 0x9000);
        fake_transport_done(f);
}

static void test_pkcs15_bad_format_sends_nothing(void **state) {
        CardPinInfo pin = sim_pin();
        CardConn c;
        FakeTransport *f = fake_card_new("apdu/none.script", REF_ATR, &c);
        uint16_t sw = 0;

        assert_int_equal(card_driver_pkcs15.pin_verify(&c, &pin, "12345", &sw), -EDOM);
        assert_int_equal(card_driver_pkcs15.pin_change(&c, &pin, "123456", "12a456", &sw), -EDOM);
        assert_int_equal(card_driver_pkcs15.pin_change(&c, &pin, "123456789", "123456", &sw), -EDOM);
        assert_int_equal(sw, 0);
        assert_int_equal(f->base.apdu_count, 0);
        fake_transport_done(f);
}

/* ---- generic PKCS#15 driver: the empty VERIFY query ---- */

static void query_on(const char *script, const char *atr, const CardPinInfo *pin, PinStatus *status, int expect) {
        CardConn c;
        FakeTransport *f = fake_card_new(script, atr, &c);

        assert_int_equal(card_driver_pkcs15.pin_query(&c, pin, status), expect);
        fake_transport_done(f);
}

static void query(const char *script, const CardPinInfo *pin, PinStatus *status, int expect) {
        query_on(script, REF_ATR, pin, status, expect);
}

static void test_pkcs15_query(void **state) {
        CardPinInfo pin = sim_pin();
        PinStatus s;

        /* 9000: verified in this session, tries at the most seen */
        s = (PinStatus) { PIN_STATE_UNKNOWN, -1, 3 };
        query("apdu/pkcs15-query-ok.script", &pin, &s, 0);
        assert_status(&s, PIN_STATE_OK, 3, 3);

        /* a count is no maximum */
        s = PIN_STATUS_UNKNOWN;
        query("apdu/pkcs15-query-63c2.script", &pin, &s, 0);
        assert_status(&s, PIN_STATE_OK, 2, -1);

        /* the maximum is remembered */
        s = (PinStatus) { PIN_STATE_OK, 3, 3 };
        query("apdu/pkcs15-query-63c1.script", &pin, &s, 0);
        assert_status(&s, PIN_STATE_LAST_TRY, 1, 3);

        /* 6983: locked; the PUK still has tries */
        s = (PinStatus) { PIN_STATE_OK, 3, 3 };
        query("apdu/pkcs15-query-locked.script", &pin, &s, 0);
        assert_status(&s, PIN_STATE_LOCKED, 0, 3);

        /* PIN and PUK locked: blocked */
        s = (PinStatus) { PIN_STATE_LOCKED, 0, 3 };
        query("apdu/pkcs15-query-blocked.script", &pin, &s, 0);
        assert_status(&s, PIN_STATE_BLOCKED, 0, 3);

        s = PIN_STATUS_UNKNOWN;
        query("apdu/pkcs15-query-puk-63c0.script", &pin, &s, 0);
        assert_status(&s, PIN_STATE_BLOCKED, 0, -1);

        /* no PUK known: the PUK is not asked about */
        pin.puk_reference = -1;
        s = PIN_STATUS_UNKNOWN;
        query("apdu/pkcs15-query-locked-no-puk.script", &pin, &s, 0);
        assert_status(&s, PIN_STATE_LOCKED, 0, -1);
        pin.puk_reference = 0x02;

        /* an answer that is no retry counter: unknown, state untouched */
        s = (PinStatus) { PIN_STATE_LAST_TRY, 1, 3 };
        query("apdu/pkcs15-query-unknown.script", &pin, &s, -EOPNOTSUPP);
        assert_status(&s, PIN_STATE_LAST_TRY, 1, 3);
}

/* A PKCS#15 card not known to treat an empty VERIFY as a query never gets one. */
static void test_pkcs15_untrusted_query_sends_nothing(void **state) {
        CardPinInfo pin = sim_pin();
        PinStatus s = { PIN_STATE_OK, 3, 3 };

        query_on("apdu/none.script", GENERIC_ATR, &pin, &s, -EOPNOTSUPP);
        assert_status(&s, PIN_STATE_OK, 3, 3);
}

/* ---- card_pin_run(): whole flows ---- */

static void test_run_verify_ok(void **state) {
        PinRequest req = verify_request("123456");
        unsigned n;

        assert_int_equal(run("apdu/run-verify-ok.script", &req, &n), 0);
        assert_int_equal(req.sw, 0x9000);
        assert_status(&req.status, PIN_STATE_OK, 3, 3);
        assert_int_equal(n, 5);  /* identity (3), query, VERIFY */
}

static void test_run_verify_no_serial(void **state) {
        PinRequest req = verify_request("123456");
        unsigned n;

        /* No serial: no way to make sure it is still the same card, so
         * nothing at all is sent. */
        req.serial = NULL;
        assert_int_equal(card_pin_check_request(&req), -EOPNOTSUPP);
        assert_int_equal(run("apdu/none.script", &req, &n), -EOPNOTSUPP);
        assert_int_equal(n, 0);
        assert_int_equal(req.sw, 0);
}

static void test_run_change_ok(void **state) {
        PinRequest req = change_request("123456", "654321");

        assert_int_equal(run("apdu/run-change-ok.script", &req, NULL), 0);
        assert_int_equal(req.sw, 0x9000);
        assert_status(&req.status, PIN_STATE_OK, 3, 3);
}

static void test_run_wrong_pin(void **state) {
        PinRequest req = verify_request("123456");

        assert_int_equal(run("apdu/run-verify-wrong.script", &req, NULL), -EKEYREJECTED);
        assert_int_equal(req.sw, 0x63C1);
        assert_status(&req.status, PIN_STATE_LAST_TRY, 1, 3);
}

static void test_run_last_try_interlock(void **state) {
        PinRequest req = verify_request("123456");
        unsigned n;

        /* The script ends after the query: a PIN command would fail the test. */
        assert_int_equal(run("apdu/run-last-try.script", &req, &n), -EDQUOT);
        assert_int_equal(req.sw, 0);
        assert_int_equal(n, 4);
        assert_status(&req.status, PIN_STATE_LAST_TRY, 1, 3);

        req = change_request("123456", "654321");
        assert_int_equal(run("apdu/run-last-try.script", &req, NULL), -EDQUOT);
        assert_int_equal(req.sw, 0);
}

static void test_run_last_try_forced(void **state) {
        PinRequest req = verify_request("123456");

        req.force = true;
        assert_int_equal(run("apdu/run-last-try-forced.script", &req, NULL), 0);
        assert_int_equal(req.sw, 0x9000);
        assert_int_equal(req.status.state, PIN_STATE_OK);

        /* forced and wrong: the PIN is locked now (the PUK is not) */
        req = verify_request("123456");
        req.force = true;
        assert_int_equal(run("apdu/run-last-try-forced-wrong.script", &req, NULL), -EKEYREJECTED);
        assert_int_equal(req.sw, 0x63C0);
        assert_status(&req.status, PIN_STATE_LOCKED, 0, 3);
}

static void test_run_locked(void **state) {
        PinRequest req = verify_request("123456");

        assert_int_equal(run("apdu/run-locked.script", &req, NULL), -EKEYEXPIRED);
        assert_int_equal(req.sw, 0);
        assert_int_equal(req.status.state, PIN_STATE_LOCKED);

        /* force does not get past a locked PIN */
        req = change_request("123456", "654321");
        req.force = true;
        assert_int_equal(run("apdu/run-locked.script", &req, NULL), -EKEYEXPIRED);
        assert_int_equal(req.sw, 0);
}

static void test_run_blocked(void **state) {
        PinRequest req = verify_request("123456");

        req.force = true;
        assert_int_equal(run("apdu/run-blocked.script", &req, NULL), -EKEYREVOKED);
        assert_int_equal(req.sw, 0);
        assert_int_equal(req.status.state, PIN_STATE_BLOCKED);
}

static void test_run_other_card(void **state) {
        PinRequest req = change_request("123456", "654321");
        unsigned n;

        /* The script ends after the TokenInfo: no query, no PIN command. */
        assert_int_equal(run("apdu/run-other-card.script", &req, &n), -EMEDIUMTYPE);
        assert_int_equal(req.sw, 0);
        assert_int_equal(n, 3);

        req = verify_request("123456");
        assert_int_equal(run("apdu/run-no-pkcs15.script", &req, NULL), -EMEDIUMTYPE);
        assert_int_equal(req.sw, 0);
}

static void test_run_card_removed(void **state) {
        PinRequest req = verify_request("123456");

        assert_int_equal(run("apdu/run-removed-identity.script", &req, NULL), -ENOMEDIUM);
        assert_int_equal(req.sw, 0);

        req = verify_request("123456");
        assert_int_equal(run("apdu/run-removed-verify.script", &req, NULL), -ENOMEDIUM);
        assert_int_equal(req.sw, 0);

        req = change_request("123456", "654321");
        assert_int_equal(run("apdu/run-reset-query.script", &req, NULL), -ECONNRESET);
        assert_int_equal(req.sw, 0);

        /* gone only after the VERIFY: the VERIFY's result stands */
        req = verify_request("123456");
        assert_int_equal(run("apdu/run-removed-after.script", &req, NULL), 0);
        assert_int_equal(req.sw, 0x9000);
        assert_int_equal(req.status.state, PIN_STATE_OK);
}

static void test_run_malformed(void **state) {
        char huge[301];
        const char *bad[] = {
                "", "1", "12345", "123456789", "12345a", "abcdef", " 123456", "123456 ",
                "12 456", "-12345", "１２３４５６" /* fullwidth digits */, huge,
        };
        const char *atrs[] = { REF_ATR, GENERIC_ATR };

        memset(huge, '1', sizeof huge - 1);
        huge[sizeof huge - 1] = 0;

        for (size_t d = 0; d < ELEMENTSOF(atrs); d++)
                for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                        PinRequest req;
                        unsigned n;

                        req = verify_request(bad[i]);
                        assert_int_equal(run_on("apdu/none.script", atrs[d], &req, &n, NULL), -EDOM);
                        assert_int_equal(n, 0);
                        assert_int_equal(req.sw, 0);

                        req = change_request(bad[i], "654321");
                        assert_int_equal(run_on("apdu/none.script", atrs[d], &req, &n, NULL), -EDOM);
                        assert_int_equal(n, 0);

                        req = change_request("123456", bad[i]);
                        assert_int_equal(run_on("apdu/none.script", atrs[d], &req, &n, NULL), -EDOM);
                        assert_int_equal(n, 0);
                }
}

static void test_run_not_for_this_card(void **state) {
        PinRequest req = verify_request("123456");

        req.info.present = false;
        assert_int_equal(run("apdu/none.script", &req, NULL), -EOPNOTSUPP);
        /* BCD PINs are not encoded yet: refused rather than guessed */
        req = verify_request("123456");
        req.info.type = PKCS15_PIN_TYPE_BCD;
        assert_int_equal(run("apdu/none.script", &req, NULL), -EOPNOTSUPP);
        /* the driver's cap: longer than it sends */
        req = verify_request("1234567");
        req.pin_max_length = 6;
        assert_int_equal(card_pin_check_request(&req), -EDOM);
        assert_int_equal(run("apdu/none.script", &req, NULL), -EDOM);
        /* the driver's alphabet, checked before anything is queued */
        req = verify_request("şifre1");
        req.info.type = PKCS15_PIN_TYPE_UTF8;
        assert_int_equal(card_pin_check_request(&req), 0);
        req.pin_ascii = true;
        assert_int_equal(card_pin_check_request(&req), -EDOM);
        assert_int_equal(run("apdu/none.script", &req, NULL), -EDOM);
}

/* A card seen since identification, in a reader that reported no
 * insertion or removal since: the application's selection stands in for
 * the serial's read, and a PIN change is three APDUs (select, query,
 * change), then the card is reset to leave no verified PIN behind. */
static void test_run_same_card_seen(void **state) {
        CardSighting seen = { .valid = true, .reader_events = 7 };
        PinRequest req = change_request("123456", "654321");
        CardConn c;
        FakeTransport *f = fake_card_new("apdu/run-change-seen.script", REF_ATR, &c);

        f->base.reader_events = 7;
        f->base.reader_events_known = true;
        seen.atr_len = f->base.atr_len;
        memcpy(seen.atr, f->base.atr, seen.atr_len);
        req.seen = &seen;
        assert_int_equal(card_pin_run(&c, &req), 0);
        assert_int_equal(f->base.apdu_count, 3);
        assert_true(f->base.reset_on_close);
        assert_status(&req.status, PIN_STATE_OK, 3, 3);
        fake_transport_done(f);

        /* one insertion or removal since: the serial is read again */
        req = change_request("123456", "654321");
        req.seen = &seen;
        f = fake_card_new("apdu/run-change-ok.script", REF_ATR, &c);
        f->base.reader_events = 9;
        f->base.reader_events_known = true;
        assert_int_equal(card_pin_run(&c, &req), 0);
        assert_int_equal(f->base.apdu_count, 5);
        fake_transport_done(f);

        /* the same count, another ATR: read again too */
        req = change_request("123456", "654321");
        req.seen = &seen;
        seen.atr[3] ^= 1;
        f = fake_card_new("apdu/run-change-ok.script", REF_ATR, &c);
        f->base.reader_events = 7;
        f->base.reader_events_known = true;
        assert_int_equal(card_pin_run(&c, &req), 0);
        fake_transport_done(f);
}

/* A command lost on its way (a reader not quite ready after an insertion)
 * is sent once more when it changes nothing; a PIN command never is: it
 * may have reached the card. */
static void test_transient_io(void **state) {
        PinRequest req = verify_request("123456");
        CardConn c;
        FakeTransport *f = fake_transport_new_from_string(
                "lost-select",
                "> 00 A4 04 0C 0C A0 00 00 00 63 50 4B 43 53 2D 31 35\n"
                "! io\n"
                "> 00 A4 04 0C 0C A0 00 00 00 63 50 4B 43 53 2D 31 35\n"
                "< 90 00\n");

        fake_transport_set_atr(f, REF_ATR);
        card_conn_init(&c, &f->base);
        assert_int_equal(c.model.driver->select_app(&c), 0);
        fake_transport_done(f);

        /* twice lost: given up */
        f = fake_transport_new_from_string(
                "lost-select-twice",
                "> 00 A4 04 0C 0C A0 00 00 00 63 50 4B 43 53 2D 31 35\n"
                "! io\n"
                "> 00 A4 04 0C 0C A0 00 00 00 63 50 4B 43 53 2D 31 35\n"
                "! io\n");
        fake_transport_set_atr(f, REF_ATR);
        card_conn_init(&c, &f->base);
        assert_int_equal(iso7816_select_aid(&c, (const uint8_t *) "\xA0\x00\x00\x00\x63PKCS-15", 12), -EIO);
        fake_transport_done(f);

        /* a VERIFY lost: not sent again (the script has nothing after it) */
        assert_int_equal(run("apdu/run-verify-lost.script", &req, NULL), -EIO);
}

/* Every PIN command leaves the card logged out, right or wrong. */
static void test_run_logs_out(void **state) {
        PinRequest req = verify_request("123456");
        bool reset = false;

        assert_int_equal(run_on("apdu/run-verify-ok.script", REF_ATR, &req, NULL, &reset), 0);
        assert_true(reset);
        req = verify_request("123456");
        reset = false;
        assert_int_equal(run_on("apdu/run-verify-wrong.script", REF_ATR, &req, NULL, &reset), -EKEYREJECTED);
        assert_true(reset);
        /* nothing sent (the interlock refused): nothing to clear */
        req = verify_request("123456");
        reset = true;
        assert_int_equal(run_on("apdu/run-last-try.script", REF_ATR, &req, NULL, &reset), -EDQUOT);
        assert_false(reset);
}

/* A card answering a VERIFY or CHANGE with 6Cxx must not get the PIN a
 * second time (a second try spent without the caller knowing): a
 * sensitive command is sent once, and 6Cxx is its final status. */
static void test_run_pin_command_sent_once(void **state) {
        PinRequest req = verify_request("123456");

        assert_int_equal(run("apdu/run-verify-6c.script", &req, NULL), -EIO);
        assert_int_equal(req.sw, 0x6C00);
}

/* ---- format checks and encoding ---- */

static void test_check_format(void **state) {
        CardPinInfo pin = sim_pin();
        char s[300];

        assert_int_equal(card_pin_check_format(&pin, "123456"), 0);
        assert_int_equal(card_pin_check_format(&pin, "0000000"), 0);
        assert_int_equal(card_pin_check_format(&pin, "12345678"), 0);
        assert_int_equal(card_pin_check_format(&pin, ""), -EDOM);
        assert_int_equal(card_pin_check_format(&pin, "12345"), -EDOM);
        assert_int_equal(card_pin_check_format(&pin, "123456789"), -EDOM);
        assert_int_equal(card_pin_check_format(&pin, "1234567a"), -EDOM);
        assert_int_equal(card_pin_check_format(&pin, "123/56"), -EDOM);   /* '0' - 1 */
        assert_int_equal(card_pin_check_format(&pin, "123:56"), -EDOM);   /* '9' + 1 */
        assert_int_equal(card_pin_check_format(&pin, "12345\xff"), -EDOM);
        assert_int_equal(card_pin_min_length(&pin), 6);
        assert_int_equal(card_pin_max_length(&pin), 8);

        /* stored length bounds a padded PIN even when maxLength is larger */
        pin.max_length = 12;
        assert_int_equal(card_pin_check_format(&pin, "123456789"), -EDOM);
        assert_int_equal(card_pin_max_length(&pin), 8);
        /* without padding maxLength counts */
        pin.needs_padding = false;
        assert_int_equal(card_pin_check_format(&pin, "123456789012"), 0);
        assert_int_equal(card_pin_check_format(&pin, "1234567890123"), -EDOM);
        assert_int_equal(card_pin_max_length(&pin), 12);

        /* no maxLength: at most PKCS15_PIN_MAX_LENGTH (what the InvalidPin
         * message says, not "6 to 0") */
        pin.max_length = 0;
        assert_int_equal(card_pin_max_length(&pin), PKCS15_PIN_MAX_LENGTH);
        pin.min_length = 0;
        assert_int_equal(card_pin_min_length(&pin), 1);
        assert_int_equal(card_pin_check_format(&pin, ""), -EDOM);
        pin.min_length = 6;
        memset(s, '7', sizeof s);
        s[PKCS15_PIN_MAX_LENGTH] = 0;
        assert_int_equal(card_pin_check_format(&pin, s), 0);
        s[PKCS15_PIN_MAX_LENGTH] = '7';
        s[PKCS15_PIN_MAX_LENGTH + 1] = 0;
        assert_int_equal(card_pin_check_format(&pin, s), -EDOM);
        s[sizeof s - 1] = 0;
        assert_int_equal(card_pin_check_format(&pin, s), -EDOM);

        /* min 0 still refuses the empty PIN */
        pin.min_length = 0;
        assert_int_equal(card_pin_check_format(&pin, ""), -EDOM);

        /* UTF-8 PINs: printable, no control characters */
        pin = sim_pin();
        pin.type = PKCS15_PIN_TYPE_UTF8;
        assert_int_equal(card_pin_check_format(&pin, "abc12!"), 0);
        assert_int_equal(card_pin_check_format(&pin, "şifre1"), 0);     /* 7 bytes */
        assert_int_equal(card_pin_check_format(&pin, "abc\t12"), -EDOM);
        assert_int_equal(card_pin_check_format(&pin, "abc\x7f" "12"), -EDOM);
        assert_int_equal(card_pin_check_format(&pin, "abc\n12"), -EDOM);

        /* BCD and other encodings are not done: never guessed */
        pin.type = PKCS15_PIN_TYPE_BCD;
        assert_int_equal(card_pin_check_format(&pin, "123456"), -EOPNOTSUPP);
        pin.type = PKCS15_PIN_TYPE_HALF_NIBBLE_BCD;
        assert_int_equal(card_pin_check_format(&pin, "123456"), -EOPNOTSUPP);
        pin.type = 77;
        assert_int_equal(card_pin_check_format(&pin, "123456"), -EOPNOTSUPP);

        pin = sim_pin();
        pin.present = false;
        assert_int_equal(card_pin_check_format(&pin, "123456"), -EOPNOTSUPP);
}

static void test_encode(void **state) {
        CardPinInfo pin = sim_pin();
        uint8_t buf[PKCS15_PIN_MAX_LENGTH];
        char s[PKCS15_PIN_MAX_LENGTH + 1];
        size_t len = 0;

        assert_int_equal(card_pin_encode(&pin, "123456", buf, &len), 0);
        assert_int_equal(len, 8);
        assert_memory_equal(buf, "123456\xff\xff", 8);
        assert_int_equal(card_pin_encode(&pin, "1234567", buf, &len), 0);
        assert_int_equal(len, 8);
        assert_memory_equal(buf, "1234567\xff", 8);
        assert_int_equal(card_pin_encode(&pin, "12345678", buf, &len), 0);
        assert_int_equal(len, 8);
        assert_memory_equal(buf, "12345678", 8);

        /* another pad character */
        pin.pad_char = 0x00;
        assert_int_equal(card_pin_encode(&pin, "123456", buf, &len), 0);
        assert_int_equal(len, 8);
        assert_memory_equal(buf, "123456\0\0", 8);

        /* no padding wanted */
        pin.needs_padding = false;
        assert_int_equal(card_pin_encode(&pin, "123456", buf, &len), 0);
        assert_int_equal(len, 6);
        /* padding wanted, but no stored length */
        pin.needs_padding = true;
        pin.stored_length = 0;
        assert_int_equal(card_pin_encode(&pin, "1234567", buf, &len), 0);
        assert_int_equal(len, 7);

        /* a bad format: nothing written */
        pin = sim_pin();
        len = 99;
        assert_int_equal(card_pin_encode(&pin, "12345", buf, &len), -EDOM);
        assert_int_equal(card_pin_encode(&pin, "abcdef", buf, &len), -EDOM);
        assert_int_equal(len, 99);

        /* the largest PIN fills the buffer exactly (ASan/valgrind watch) */
        pin.max_length = 0;
        pin.needs_padding = false;
        memset(s, '5', PKCS15_PIN_MAX_LENGTH);
        s[PKCS15_PIN_MAX_LENGTH] = 0;
        assert_int_equal(card_pin_encode(&pin, s, buf, &len), 0);
        assert_int_equal(len, PKCS15_PIN_MAX_LENGTH);
        /* padded to the largest stored length */
        pin.needs_padding = true;
        pin.stored_length = PKCS15_PIN_MAX_LENGTH;
        pin.min_length = 1;
        assert_int_equal(card_pin_encode(&pin, "1", buf, &len), 0);
        assert_int_equal(len, PKCS15_PIN_MAX_LENGTH);
        assert_int_equal(buf[PKCS15_PIN_MAX_LENGTH - 1], 0xFF);
}

/* ---- the user PIN from the AODF ---- */

static Pkcs15Pin aodf_pin(uint32_t flags, uint8_t id, uint8_t parent, int32_t ref) {
        Pkcs15Pin p = {
                .auth_id = { id },
                .auth_id_len = id ? 1 : 0,
                .pin_flags = flags,
                .pin_type = PKCS15_PIN_TYPE_ASCII_NUMERIC,
                .min_length = 6,
                .stored_length = 8,
                .max_length = 8,
                .reference = ref,
                .pad_char = 0xFF,
                .has_pad_char = true,
                .parent_auth_id = { parent },
                .parent_auth_id_len = parent ? 1 : 0,
        };
        return p;
}

static void test_info_from_aodf(void **state) {
        const uint32_t user = PKCS15_PIN_LOCAL | PKCS15_PIN_INITIALIZED | PKCS15_PIN_NEEDS_PADDING;
        const uint32_t puk = PKCS15_PIN_LOCAL | PKCS15_PIN_INITIALIZED | PKCS15_PIN_UNBLOCKING_PIN;
        const uint32_t so = PKCS15_PIN_INITIALIZED | PKCS15_PIN_SO_PIN;
        CardPinInfo info, want = sim_pin();
        Pkcs15Pin pins[4];

        /* as the reference card has it: user PIN, then its PUK */
        pins[0] = aodf_pin(user, 0x01, 0x02, 0x81);
        pins[1] = aodf_pin(puk, 0x02, 0, 0x02);
        assert_int_equal(card_pin_info_from_aodf(pins, 2, &info), 0);
        assert_true(info.present);
        assert_int_equal(info.reference, want.reference);
        assert_int_equal(info.type, want.type);
        assert_int_equal(info.min_length, want.min_length);
        assert_int_equal(info.stored_length, want.stored_length);
        assert_int_equal(info.max_length, want.max_length);
        assert_int_equal(info.needs_padding, want.needs_padding);
        assert_int_equal(info.pad_char, want.pad_char);
        assert_int_equal(info.puk_reference, want.puk_reference);

        /* SO PIN and PUK first, an unrelated PIN last: the first user PIN wins */
        pins[0] = aodf_pin(so, 0x03, 0, 0x01);
        pins[1] = aodf_pin(puk, 0x02, 0, 0x02);
        pins[2] = aodf_pin(user, 0x01, 0x02, 0x81);
        pins[3] = aodf_pin(user, 0x04, 0x03, 0x85);
        assert_int_equal(card_pin_info_from_aodf(pins, 4, &info), 0);
        assert_int_equal(info.reference, 0x81);
        assert_int_equal(info.puk_reference, 0x02);
        assert_true(info.needs_padding);

        /* no parent authId, or one that names nothing: PUK unknown */
        pins[2] = aodf_pin(user, 0x01, 0, 0x81);
        assert_int_equal(card_pin_info_from_aodf(pins, 3, &info), 0);
        assert_int_equal(info.puk_reference, -1);
        pins[2] = aodf_pin(user, 0x01, 0x09, 0x81);
        assert_int_equal(card_pin_info_from_aodf(pins, 3, &info), 0);
        assert_int_equal(info.puk_reference, -1);

        /* no padChar, no padding flag */
        pins[0] = aodf_pin(PKCS15_PIN_LOCAL, 0x01, 0x02, 0x81);
        pins[0].has_pad_char = false;
        pins[1] = aodf_pin(puk, 0x02, 0, 0x02);
        assert_int_equal(card_pin_info_from_aodf(pins, 2, &info), 0);
        assert_false(info.needs_padding);
        assert_int_equal(info.pad_char, 0x00);
        assert_int_equal(info.puk_reference, 0x02);

        /* a PUK whose reference does not fit a P2: PUK unknown */
        pins[1].reference = 0x100;
        assert_int_equal(card_pin_info_from_aodf(pins, 2, &info), 0);
        assert_int_equal(info.puk_reference, -1);

        /* no user PIN at all */
        pins[0] = aodf_pin(so, 0x03, 0, 0x01);
        pins[1] = aodf_pin(puk, 0x02, 0, 0x02);
        assert_int_equal(card_pin_info_from_aodf(pins, 2, &info), -ENOENT);
        assert_int_equal(card_pin_info_from_aodf(NULL, 0, &info), -ENOENT);

        /* a user PIN whose reference does not fit a P2 */
        pins[0] = aodf_pin(user, 0x01, 0x02, 0x181);
        assert_int_equal(card_pin_info_from_aodf(pins, 2, &info), -ENOENT);
        pins[0] = aodf_pin(user, 0x01, 0x02, -1);
        assert_int_equal(card_pin_info_from_aodf(pins, 2, &info), -ENOENT);
}

/* ---- status words and states ---- */

static void test_apply_sw(void **state) {
        PinStatus s = { PIN_STATE_LAST_TRY, 1, 3 };
        CardConn conn;
        FakeTransport *f = fake_card_new("apdu/none.script", REF_ATR, &conn);
        const CardConn *c = &conn;

        assert_int_equal(card_pin_apply_sw(c, 0x9000, &s), 0);
        assert_status(&s, PIN_STATE_OK, 3, 3);
        assert_int_equal(card_pin_apply_sw(c, 0x63C2, &s), -EKEYREJECTED);
        assert_status(&s, PIN_STATE_OK, 2, 3);
        assert_int_equal(card_pin_apply_sw(c, 0x63C1, &s), -EKEYREJECTED);
        assert_status(&s, PIN_STATE_LAST_TRY, 1, 3);
        assert_int_equal(card_pin_apply_sw(c, 0x63C0, &s), -EKEYREJECTED);
        assert_status(&s, PIN_STATE_LOCKED, 0, 3);
        s = (PinStatus) { PIN_STATE_OK, 3, 3 };
        assert_int_equal(card_pin_apply_sw(c, 0x6983, &s), -EKEYEXPIRED);
        assert_status(&s, PIN_STATE_LOCKED, 0, 3);
        assert_int_equal(card_pin_apply_sw(c, 0x6984, &s), -EKEYEXPIRED);
        s = (PinStatus) { PIN_STATE_OK, 3, 3 };
        assert_int_equal(card_pin_apply_sw(c, 0x6700, &s), -EDOM);
        assert_int_equal(card_pin_apply_sw(c, 0x6A80, &s), -EDOM);
        assert_int_equal(card_pin_apply_sw(c, 0x6F00, &s), -EIO);
        assert_int_equal(card_pin_apply_sw(c, 0x6982, &s), -EIO);
        assert_int_equal(card_pin_apply_sw(c, 0x6283, &s), -EIO);     /* a warning is no success */
        assert_status(&s, PIN_STATE_OK, 3, 3);
        fake_transport_done(f);

        /* a count seen is no maximum: where the card's model does not say
         * it, the maximum stays unknown, and a right PIN leaves the count
         * unknown too rather than made up */
        s = PIN_STATUS_UNKNOWN;
        pin_status_set_tries(&s, 2);
        assert_status(&s, PIN_STATE_OK, 2, -1);
        pin_status_set_tries(&s, 1);
        assert_status(&s, PIN_STATE_LAST_TRY, 1, -1);
        assert_int_equal(card_pin_apply_sw(c, 0x9000, &s), 0);
        assert_status(&s, PIN_STATE_OK, -1, -1);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_fake_transport),
                cmocka_unit_test(test_pkcs15_verify_bytes),
                cmocka_unit_test(test_pkcs15_change_bytes),
                cmocka_unit_test(test_pkcs15_bad_format_sends_nothing),
                cmocka_unit_test(test_pkcs15_query),
                cmocka_unit_test(test_pkcs15_untrusted_query_sends_nothing),
                cmocka_unit_test(test_run_verify_ok),
                cmocka_unit_test(test_run_verify_no_serial),
                cmocka_unit_test(test_run_change_ok),
                cmocka_unit_test(test_run_wrong_pin),
                cmocka_unit_test(test_run_last_try_interlock),
                cmocka_unit_test(test_run_last_try_forced),
                cmocka_unit_test(test_run_locked),
                cmocka_unit_test(test_run_blocked),
                cmocka_unit_test(test_run_other_card),
                cmocka_unit_test(test_run_card_removed),
                cmocka_unit_test(test_run_malformed),
                cmocka_unit_test(test_run_not_for_this_card),
                cmocka_unit_test(test_run_same_card_seen),
                cmocka_unit_test(test_run_logs_out),
                cmocka_unit_test(test_transient_io),
                cmocka_unit_test(test_run_pin_command_sent_once),
                cmocka_unit_test(test_check_format),
                cmocka_unit_test(test_encode),
                cmocka_unit_test(test_info_from_aodf),
                cmocka_unit_test(test_apply_sw),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
