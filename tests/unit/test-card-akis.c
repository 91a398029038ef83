/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The AKİS driver against scripted cards, one per command set of the
 * public record (doc/akis.md): the exact APDUs of each version's SELECT,
 * VERIFY, change, tries read and logout; a PIN change in at most three
 * APDUs on a card seen since identification; the version's blocked SW;
 * and that no path sends what the record reserves for the issuer (P1=01
 * changes, PUK or system-PIN references, RESET RETRY COUNTER, an empty
 * VERIFY). A script is exact: any other command fails the test. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "akis-model.h"
#include "card-driver.h"
#include "card-identity.h"
#include "card-pin.h"
#include "fake-transport.h"
#include "macro.h"
#include "pin.h"

#define SERIAL "4b41525400000002"
#define ATR_V10 "3B BA 11 00 81 31 FE 4D 55 45 4B 41 45 20 56 31 2E 30 AE"
#define ATR_V12 "3B 9F 96 81 31 FE 45 80 67 55 45 4B 41 45 12 93 31 80 73 B3 A1 80 6B"
#define ATR_V2  "3B 9F 97 81 31 FE 45 80 65 54 43 D2 21 08 31 C0 73 F6 21 80 81 05 5B"
#define ATR_V3  "3B 9C 96 81 31 FE 45 80 66 68 32 09 01 02 03 31 95 81 05 94"

/* SELECT the PKCS#15 DF by name (1.2, 2.x), its FCI naming FID 3D00. */
#define SELECT_BY_NAME \
        "> 00 A4 04 00 07 50 4B 43 53 2D 31 35 00\n" \
        "< 6F 0B 82 01 38 83 02 3D 00 84 02 50 4B 90 00\n"
/* v1.0: the application by its path, the FCI carrying tag 90. */
#define SELECT_V10_APP(bits) \
        "> 00 A4 08 00 04 3F 00 3D 00 00\n" \
        "< 6F 07 83 02 3D 00 90 01 " bits " 90 00\n"
#define SDO_READ "> 00 CB 3F FF 08 4D 06 BF 81 01 02 A0 80 00\n"

/* The user PIN as an AKİS card's AODF may describe it: padded to 8 in
 * PKCS#15 terms, which the 1.2/2.x commands ignore (unpadded ASCII). */
static CardPinInfo akis_pin(void) {
        return (CardPinInfo) {
                .present = true,
                .reference = 0x81,
                .type = PKCS15_PIN_TYPE_ASCII_NUMERIC,
                .min_length = 4,
                .stored_length = 8,
                .max_length = 16,
                .needs_padding = true,
                .pad_char = 0xFF,
                .puk_reference = 0x82,
        };
}

/* A card kartd identified in this reader, no insertion or removal since. */
static CardSighting seen_on(FakeTransport *f) {
        CardSighting s = { .valid = true, .reader_events = 3, .atr_len = f->base.atr_len };

        memcpy(s.atr, f->base.atr, s.atr_len);
        f->base.reader_events = 3;
        f->base.reader_events_known = true;
        return s;
}

typedef struct Run {
        int r;
        unsigned apdus;
        bool reset;
        PinRequest req;
} Run;

static Run pin_run(const char *atr, const char *script, PinOp op, const char *pin, const char *new_pin,
                   PinStatus status, bool force) {
        CardConn c;
        FakeTransport *f = fake_transport_new_from_string("akis", script);
        CardSighting seen;
        Run out = {};

        fake_transport_set_atr(f, atr);
        card_conn_init(&c, &f->base);
        seen = seen_on(f);
        /* v1.0: where identification found the application */
        memcpy(seen.app_path, "\x3F\x00\x3D\x00", 4);
        seen.app_path_len = 4;
        out.req = (PinRequest) {
                .op = op, .pin = pin, .new_pin = new_pin, .force = force, .serial = SERIAL,
                .seen = &seen, .info = akis_pin(), .pin_max_length = c.model.pin_max_length,
                .status = status,
        };
        out.r = card_pin_run(&c, &out.req);
        out.apdus = f->base.apdu_count;
        out.reset = f->base.reset_on_close;
        out.req.seen = NULL;
        fake_transport_done(f);
        return out;
}

#define UNKNOWN ((PinStatus) { PIN_STATE_UNKNOWN, -1, 3 })

/* ---- 2.x ---- */

static void test_v2_change(void **state) {
        Run x = pin_run(ATR_V2,
                        SELECT_BY_NAME
                        SDO_READ
                        "< BF 81 01 08 A0 06 9A 01 03 9B 01 03 90 00\n"
                        /* akis.md "change own PIN", v2.x: 00 24 00 81 old || new */
                        "> 00 24 00 81 0C 31 32 33 34 35 36 36 35 34 33 32 31\n"
                        "< 90 00\n",
                        PIN_OP_CHANGE, "123456", "654321", UNKNOWN, false);

        assert_int_equal(x.r, 0);
        assert_int_equal(x.apdus, 3);
        assert_true(x.reset);           /* no logout known on 2.x: a reset */
        assert_int_equal(x.req.status.state, PIN_STATE_OK);
        assert_int_equal(x.req.status.tries_left, 3);
}

static void test_v2_verify_tries(void **state) {
        /* two tries left by the header; a wrong PIN leaves one */
        Run x = pin_run(ATR_V2,
                        SELECT_BY_NAME
                        SDO_READ
                        "< BF 81 01 0C A0 0A 84 02 50 31 9A 01 03 9B 01 02 90 00\n"
                        "> 00 20 00 81 06 31 31 31 31 31 31\n"
                        "< 63 C1\n",
                        PIN_OP_VERIFY, "111111", NULL, UNKNOWN, false);

        assert_int_equal(x.r, -EKEYREJECTED);
        assert_int_equal(x.req.status.state, PIN_STATE_LAST_TRY);
        assert_int_equal(x.req.status.tries_left, 1);
        assert_true(x.reset);

        /* one try left by the header: the interlock holds */
        x = pin_run(ATR_V2,
                    SELECT_BY_NAME
                    SDO_READ
                    "< BF 81 01 08 A0 06 9A 01 03 9B 01 01 90 00\n",
                    PIN_OP_VERIFY, "123456", NULL, UNKNOWN, false);
        assert_int_equal(x.r, -EDQUOT);
        assert_int_equal(x.req.sw, 0);
        assert_false(x.reset);

        /* locked by the header: nothing sent, whatever force says */
        x = pin_run(ATR_V2,
                    SELECT_BY_NAME
                    SDO_READ
                    "< BF 81 01 08 A0 06 9A 01 03 9B 01 00 90 00\n",
                    PIN_OP_CHANGE, "123456", "654321", UNKNOWN, true);
        assert_int_equal(x.r, -EKEYEXPIRED);
        assert_int_equal(x.req.status.state, PIN_STATE_LOCKED);
}

/* An answer kartd cannot read is "unknown", never a guess: the state
 * last known stands (here: last try, so nothing is sent). */
static void test_v2_tries_unreadable(void **state) {
        const char *answers[] = {
                "< 6A 88\n",
                "< 90 00\n",
                "< BF 81 02 08 A0 06 9A 01 03 9B 01 03 90 00\n",       /* another PIN's header */
                "< BF 81 01 08 A0 06 9A 01 03 9B 01 04 90 00\n",       /* more left than max */
                "< BF 81 01 08 A0 06 9A 01 00 9B 01 00 90 00\n",       /* no maximum */
                "< BF 81 01 05 A0 03 9A 01 03 90 00\n",                /* no count left */
                "< BF 81 01 09 A0 07 9A 01 03 9B 02 00 03 90 00\n",    /* two-byte count */
                "< BF 81 01 08 A0 06 9A 01 03 9B 01 03 00 90 00\n",    /* trailing byte */
                "< BF 81 01 08 B0 06 9A 01 03 9B 01 03 90 00\n",       /* no key header */
        };

        for (size_t i = 0; i < ELEMENTSOF(answers); i++) {
                char script[512];
                Run x;

                snprintf(script, sizeof script, SELECT_BY_NAME SDO_READ "%s", answers[i]);
                print_message("# %s", answers[i]);
                x = pin_run(ATR_V2, script, PIN_OP_VERIFY, "123456", NULL,
                            (PinStatus) { PIN_STATE_LAST_TRY, 1, 3 }, false);
                assert_int_equal(x.r, -EDQUOT);
                assert_int_equal(x.req.status.state, PIN_STATE_LAST_TRY);
        }
}

static void test_v2_blocked_sw(void **state) {
        Run x = pin_run(ATR_V2,
                        SELECT_BY_NAME
                        SDO_READ
                        "< 6A 88\n"
                        "> 00 20 00 81 06 31 32 33 34 35 36\n"
                        "< 69 83\n",
                        PIN_OP_VERIFY, "123456", NULL, UNKNOWN, false);

        assert_int_equal(x.r, -EKEYEXPIRED);
        assert_int_equal(x.req.status.state, PIN_STATE_LOCKED);

        /* 6984 is 1.x's word: not "locked" on 2.x */
        x = pin_run(ATR_V2,
                    SELECT_BY_NAME
                    SDO_READ
                    "< 6A 88\n"
                    "> 00 20 00 81 06 31 32 33 34 35 36\n"
                    "< 69 84\n",
                    PIN_OP_VERIFY, "123456", NULL, UNKNOWN, false);
        assert_int_equal(x.r, -EIO);
        assert_int_equal(x.req.status.state, PIN_STATE_UNKNOWN);
}

/* ---- 1.2 ---- */

static void test_v12_change_verify(void **state) {
        /* no tries read on 1.2: select and change, two APDUs */
        Run x = pin_run(ATR_V12,
                        SELECT_BY_NAME
                        /* akis.md "change own PIN", v1.2: len || old || len || new */
                        "> 00 24 00 81 0E 06 31 32 33 34 35 36 06 36 35 34 33 32 31\n"
                        "< 90 00\n",
                        PIN_OP_CHANGE, "123456", "654321", UNKNOWN, false);

        assert_int_equal(x.r, 0);
        assert_int_equal(x.apdus, 2);
        assert_true(x.reset);

        /* VERIFY: the PIN's ASCII characters, unpadded */
        x = pin_run(ATR_V12,
                    SELECT_BY_NAME
                    "> 00 20 00 81 06 31 32 33 34 35 36\n"
                    "< 63 C2\n",
                    PIN_OP_VERIFY, "123456", NULL, UNKNOWN, false);
        assert_int_equal(x.r, -EKEYREJECTED);
        assert_int_equal(x.req.status.tries_left, 2);

        /* 6984: locked on 1.x */
        x = pin_run(ATR_V12,
                    SELECT_BY_NAME
                    "> 00 20 00 81 06 31 32 33 34 35 36\n"
                    "< 69 84\n",
                    PIN_OP_VERIFY, "123456", NULL, UNKNOWN, false);
        assert_int_equal(x.r, -EKEYEXPIRED);

        /* the state last seen holds the interlock where the card cannot
         * be asked */
        x = pin_run(ATR_V12, SELECT_BY_NAME, PIN_OP_CHANGE, "123456", "654321",
                    (PinStatus) { PIN_STATE_LAST_TRY, 1, 3 }, false);
        assert_int_equal(x.r, -EDQUOT);
        assert_int_equal(x.apdus, 1);
}

/* ---- 1.0 ---- */

static void test_v10_change(void **state) {
        /* the FCI says one wrong try (2 left); change with P1 02, P2 = 81 & 7F;
         * logout 80 1A */
        Run x = pin_run(ATR_V10,
                        SELECT_V10_APP("40")
                        "> 00 24 02 01 0E 06 31 32 33 34 35 36 06 36 35 34 33 32 31\n"
                        "< 90 00\n"
                        "> 80 1A 00 00\n"
                        "< 90 00\n",
                        PIN_OP_CHANGE, "123456", "654321", UNKNOWN, false);

        assert_int_equal(x.r, 0);
        assert_int_equal(x.apdus, 3);
        assert_false(x.reset);          /* the card's own logout did it */

        /* VERIFY as OpenSC's v1.0 driver sent it: ISO, padded as the AODF says */
        x = pin_run(ATR_V10,
                    SELECT_V10_APP("00")
                    "> 00 20 00 81 08 31 32 33 34 35 36 FF FF\n"
                    "< 90 00\n"
                    "> 80 1A 00 00\n"
                    "< 90 00\n",
                    PIN_OP_VERIFY, "123456", NULL, UNKNOWN, false);
        assert_int_equal(x.r, 0);

        /* a failed logout: the card is reset instead */
        x = pin_run(ATR_V10,
                    SELECT_V10_APP("00")
                    "> 00 20 00 81 08 31 32 33 34 35 36 FF FF\n"
                    "< 90 00\n"
                    "> 80 1A 00 00\n"
                    "< 6D 00\n",
                    PIN_OP_VERIFY, "123456", NULL, UNKNOWN, false);
        assert_int_equal(x.r, 0);
        assert_true(x.reset);

        /* the transport fails after the VERIFY went out: reset all the same */
        x = pin_run(ATR_V10,
                    SELECT_V10_APP("00")
                    "> 00 20 00 81 08 31 32 33 34 35 36 FF FF\n"
                    "! io\n",
                    PIN_OP_VERIFY, "123456", NULL, UNKNOWN, false);
        assert_int_equal(x.r, -EIO);
        assert_true(x.reset);
}

static void test_v10_fci_tries(void **state) {
        /* bit 80: the last try; the interlock holds */
        Run x = pin_run(ATR_V10, SELECT_V10_APP("80"), PIN_OP_VERIFY, "123456", NULL, UNKNOWN, false);

        assert_int_equal(x.r, -EDQUOT);
        assert_int_equal(x.req.status.tries_left, 1);

        /* both bits: no state the record knows; the state last seen stands */
        x = pin_run(ATR_V10, SELECT_V10_APP("C4"), PIN_OP_VERIFY, "123456", NULL,
                    (PinStatus) { PIN_STATE_LAST_TRY, 1, 3 }, false);
        assert_int_equal(x.r, -EDQUOT);
}

/* v1.0 without a hint: EF.DIR finds the application (as OpenSC did). */
static void test_v10_ef_dir(void **state) {
        CardConn c;
        FakeTransport *f = fake_transport_new_from_string(
                "akis10-dir",
                "> 00 A4 08 00 04 3F 00 2F 00 00\n"
                "< 6F 07 83 02 2F 00 90 01 02 90 00\n"
                "> 00 B0 00 00 F4\n"
                "< 61 14 4F 0C A0 00 00 00 63 50 4B 43 53 2D 31 35 51 04 3F 00 3D 00 90 00\n"
                SELECT_V10_APP("00"));

        fake_transport_set_atr(f, ATR_V10);
        card_conn_init(&c, &f->base);
        assert_int_equal(c.model.driver->select_app(&c), 0);
        assert_int_equal(c.app_path_len, 4);
        assert_memory_equal(c.app_path, "\x3F\x00\x3D\x00", 4);
        /* tag 90 with neither bit: not the last try, the count unknown */
        assert_int_equal(c.app_pin.state, PIN_STATE_OK);
        assert_int_equal(c.app_pin.tries_left, -1);
        fake_transport_done(f);
}

/* ---- paths on 1.2/2.x: the forms the record gives, never P1 08/09 ---- */

static void test_v2_select_paths(void **state) {
        CardConn c;
        FakeTransport *f = fake_transport_new_from_string(
                "akis2-paths",
                SELECT_BY_NAME
                /* an EF of the application by its absolute path: the EF alone */
                "> 00 A4 02 00 02 44 01 00\n"
                "< 90 00\n"
                /* a file directly under the MF */
                "> 00 A4 00 00 02 2F 00 00\n"
                "< 90 00\n"
                /* deeper elsewhere: the DF under the MF, a child DF, the EF */
                "> 00 A4 00 00 02 50 00 00\n"
                "< 90 00\n"
                "> 00 A4 01 00 02 50 01 00\n"
                "< 90 00\n"
                "> 00 A4 02 00 02 50 02 00\n"
                "< 90 00\n"
                /* relative to the application: it is selected again first */
                SELECT_BY_NAME
                "> 00 A4 01 00 02 4A 00 00\n"
                "< 90 00\n"
                "> 00 A4 02 00 02 4A 01 00\n"
                "< 6A 82\n");

        fake_transport_set_atr(f, ATR_V2);
        card_conn_init(&c, &f->base);
        assert_int_equal(c.model.driver->select_file(&c, (const uint8_t *) "\x3F\x00\x3D\x00\x44\x01", 6), 0);
        assert_int_equal(c.model.driver->select_file(&c, (const uint8_t *) "\x3F\x00\x2F\x00", 4), 0);
        assert_int_equal(c.model.driver->select_file(&c, (const uint8_t *) "\x3F\x00\x50\x00\x50\x01\x50\x02", 8), 0);
        assert_int_equal(c.model.driver->select_file(&c, (const uint8_t *) "\x4A\x00\x4A\x01", 4), -ENOENT);
        /* the MF itself is no file to read, odd lengths are nonsense */
        assert_int_equal(c.model.driver->select_file(&c, (const uint8_t *) "\x3F\x00", 2), -EINVAL);
        assert_int_equal(c.model.driver->select_file(&c, (const uint8_t *) "\x3F\x00\x3D", 3), -EINVAL);
        fake_transport_done(f);
}

/* ---- what is never sent ---- */

/* Only the user PIN: on 1.2/2.x reference 81, so an AODF naming the PUK
 * (82), the system PIN (01) or anything else as the user PIN gets no PIN
 * command; on v1.0 80 or 81 only (OpenSC sent references without bit 80
 * to the PUK/SO change 00 24 01), and never the AODF's PUK reference. */
static void test_never_other_references(void **state) {
        const char *atrs[] = { ATR_V10, ATR_V12, ATR_V2 };
        const uint8_t refs[] = { 0x82, 0x01, 0x02, 0x00, 0x80, 0x83, 0x91, 0x7F };

        for (size_t a = 0; a < ELEMENTSOF(atrs); a++)
                for (size_t i = 0; i < ELEMENTSOF(refs); i++) {
                        CardPinInfo pin = akis_pin();
                        CardConn c;
                        FakeTransport *f = fake_transport_new_from_string("none", "");
                        uint16_t sw = 0;
                        PinStatus s = UNKNOWN;

                        fake_transport_set_atr(f, atrs[a]);
                        card_conn_init(&c, &f->base);
                        pin.reference = refs[i];
                        if (c.model.variant == AKIS_SET_V10 && refs[i] == 0x80) {
                                /* v1.0's other user PIN number, but the AODF
                                 * calls it the PUK as well: refused */
                                pin.puk_reference = 0x80;
                        }
                        assert_int_equal(c.model.driver->pin_verify(&c, &pin, "123456", &sw), -EOPNOTSUPP);
                        assert_int_equal(c.model.driver->pin_change(&c, &pin, "123456", "654321", &sw),
                                         -EOPNOTSUPP);
                        assert_int_equal(c.model.driver->pin_query(&c, &pin, &s), -EOPNOTSUPP);
                        assert_int_equal(f->base.apdu_count, 0);
                        fake_transport_done(f);
                }
}

/* Never an empty VERIFY, never a PIN the card's format refuses, never a
 * PIN longer than 16 or not ASCII. */
static void test_never_bad_values(void **state) {
        const char *atrs[] = { ATR_V10, ATR_V12, ATR_V2 };
        const char *bad[] = { "", "123", "12345678901234567", "12345a", "１２３４５６", "1234\x7f" };

        for (size_t a = 0; a < ELEMENTSOF(atrs); a++)
                for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                        CardPinInfo pin = akis_pin();
                        CardConn c;
                        FakeTransport *f = fake_transport_new_from_string("none", "");
                        uint16_t sw = 0;

                        fake_transport_set_atr(f, atrs[a]);
                        card_conn_init(&c, &f->base);
                        assert_int_equal(c.model.driver->pin_verify(&c, &pin, bad[i], &sw), -EDOM);
                        assert_int_equal(c.model.driver->pin_change(&c, &pin, bad[i], "654321", &sw), -EDOM);
                        assert_int_equal(c.model.driver->pin_change(&c, &pin, "123456", bad[i], &sw), -EDOM);
                        assert_int_equal(f->base.apdu_count, 0);
                        fake_transport_done(f);
                }
}

/* A version whose commands are not in the record: no PIN command, no
 * tries read; the reads still work. */
static void test_v3_read_only(void **state) {
        Run x = pin_run(ATR_V3, "", PIN_OP_CHANGE, "123456", "654321", UNKNOWN, false);

        assert_int_equal(x.r, -EOPNOTSUPP);
        assert_int_equal(x.apdus, 0);
        x = pin_run(ATR_V3, "", PIN_OP_VERIFY, "123456", NULL, UNKNOWN, true);
        assert_int_equal(x.r, -EOPNOTSUPP);
        assert_int_equal(x.apdus, 0);
}

/* ---- the replay scripts written from the record (tests/data/apdu) ---- */

static void replay_change(const char *script, const char *atr, uint8_t ref) {
        CardPinInfo pin = akis_pin();
        CardConn c;
        FakeTransport *f = fake_card_new(script, atr, &c);
        uint16_t sw = 0;

        pin.reference = ref;
        assert_int_equal(c.model.driver->pin_change(&c, &pin, "123456", "654321", &sw), 0);
        assert_int_equal(sw, 0x9000);
        fake_transport_done(f);
}

static void test_record_scripts(void **state) {
        CardPinInfo pin = akis_pin();
        PinStatus s = UNKNOWN;
        CardConn c;
        FakeTransport *f;

        replay_change("apdu/akis10-change.script", ATR_V10, 0x80);
        replay_change("apdu/akis12-change.script", ATR_V12, 0x81);
        replay_change("apdu/akis2-change.script", ATR_V2, 0x81);

        /* v1.0: the application's FCI, one wrong PIN entered */
        f = fake_card_new("apdu/akis10-tries.script", ATR_V10, &c);
        memcpy(c.app_path, "\x3F\x00\x3D\x00", 4);
        c.app_path_len = 4;
        pin.reference = 0x80;
        assert_int_equal(c.model.driver->pin_query(&c, &pin, &s), 0);
        assert_int_equal(s.state, PIN_STATE_OK);
        assert_int_equal(s.tries_left, 2);
        assert_int_equal(s.tries_max, 3);
        fake_transport_done(f);

        /* 2.x: the SDO header, 2 of 3 */
        s = (PinStatus) PIN_STATUS_UNKNOWN;
        f = fake_card_new("apdu/akis2-tries.script", ATR_V2, &c);
        pin.reference = 0x81;
        assert_int_equal(c.model.driver->pin_query(&c, &pin, &s), 0);
        assert_int_equal(s.tries_left, 2);
        assert_int_equal(s.tries_max, 3);
        fake_transport_done(f);
}

/* ---- the parsers alone ---- */

static void test_parsers(void **state) {
        PinStatus s = { PIN_STATE_UNKNOWN, -1, 3 };
        uint8_t fid[2];

        assert_int_equal(akis2_parse_tries((const uint8_t *) "\xBF\x81\x01\x08\xA0\x06\x9A\x01\x05\x9B\x01\x04",
                                           12, 0x01, &s), 0);
        assert_int_equal(s.tries_max, 5);
        assert_int_equal(s.tries_left, 4);
        assert_int_equal(akis2_parse_tries((const uint8_t *) "\xBF\x81\x01", 3, 0x01, &s), -EBADMSG);
        assert_int_equal(akis2_parse_tries(NULL, 0, 0x01, &s), -EBADMSG);

        s = (PinStatus) { PIN_STATE_UNKNOWN, -1, 3 };
        assert_int_equal(akis10_parse_fci_pin((const uint8_t *) "\x6F\x03\x90\x01\x80", 5, &s), 0);
        assert_int_equal(s.state, PIN_STATE_LAST_TRY);
        assert_int_equal(akis10_parse_fci_pin((const uint8_t *) "\x6F\x03\x90\x02\x80\x00", 6, &s), -EBADMSG);
        assert_int_equal(akis10_parse_fci_pin((const uint8_t *) "\x62\x03\x90\x01\x80", 5, &s), -EBADMSG);
        assert_int_equal(akis10_parse_fci_pin((const uint8_t *) "\x6F\x03\x91\x01\x80", 5, &s), -EBADMSG);

        assert_int_equal(akis_parse_fci_file_id((const uint8_t *) "\x6F\x04\x83\x02\x3D\x00", 6, fid), 0);
        assert_memory_equal(fid, "\x3D\x00", 2);
        assert_int_equal(akis_parse_fci_file_id((const uint8_t *) "\x6F\x03\x83\x01\x3D", 5, fid), -EBADMSG);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_v2_change),
                cmocka_unit_test(test_v2_verify_tries),
                cmocka_unit_test(test_v2_tries_unreadable),
                cmocka_unit_test(test_v2_blocked_sw),
                cmocka_unit_test(test_v12_change_verify),
                cmocka_unit_test(test_v10_change),
                cmocka_unit_test(test_v10_fci_tries),
                cmocka_unit_test(test_v10_ef_dir),
                cmocka_unit_test(test_v2_select_paths),
                cmocka_unit_test(test_never_other_references),
                cmocka_unit_test(test_never_bad_values),
                cmocka_unit_test(test_v3_read_only),
                cmocka_unit_test(test_record_scripts),
                cmocka_unit_test(test_parsers),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
