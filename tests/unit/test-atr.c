/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ATR parsing and the drivers' matching rules: every AKİS ATR of the
 * public record (doc/akis.md) gets its family, version and command set,
 * TÜBİTAK's rules are followed to the letter (UEKAE anywhere, the
 * historical-byte patterns), the reference card is told from unknown
 * cards, and short or garbage ATRs match nothing but the generic driver. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "akis-model.h"
#include "atr.h"
#include "card-driver.h"
#include "macro.h"

static const char *const akis_v10 = "3B BA 11 00 81 31 FE 4D 55 45 4B 41 45 20 56 31 2E 30 AE";
static const char *const akis_v12[] = {
        "3B 9F 96 81 31 FE 45 80 67 55 45 4B 41 45 12 12 31 80 73 B3 A1 80 EA",
        "3B 9F 96 81 31 FE 45 80 67 55 45 4B 41 45 12 52 31 80 73 B3 A1 80 AA",
        "3B:9F:96:81:31:FE:45:80:67:55:45:4B:41:45:12:93:31:80:73:B3:A1:80:6B",
};
/* YubiKey 4: historical bytes "Yubikey4" */
static const char *const yubikey = "3B F8 13 00 00 81 31 FE 15 59 75 62 69 6B 65 79 34 D4";
static const char *const reference = "3B:8B:80:01:80:57:4B:41:52:54:53:49:4D:31:C0:77";

static size_t parse(const char *hex, uint8_t *buf) {
        size_t len;

        assert_int_equal(atr_parse_hex(hex, buf, ATR_MAX_SIZE, &len), 0);
        return len;
}

static CardModel model(const char *hex) {
        uint8_t atr[ATR_MAX_SIZE];
        size_t len = parse(hex, atr);
        CardModel m;

        card_model_from_atr(atr, len, &m);
        return m;
}

static void test_parse_hex(_unused_ void **state) {
        uint8_t buf[ATR_MAX_SIZE];
        size_t len;

        assert_int_equal(atr_parse_hex("3B:BA:11", buf, sizeof buf, &len), 0);
        assert_int_equal(len, 3);
        assert_memory_equal(buf, ((const uint8_t[]) { 0x3B, 0xBA, 0x11 }), 3);
        assert_int_equal(atr_parse_hex("3b ba 11", buf, sizeof buf, &len), 0);
        assert_int_equal(len, 3);
        assert_int_equal(atr_parse_hex("3bba11", buf, sizeof buf, &len), 0);
        assert_int_equal(len, 3);
        assert_int_equal(atr_parse_hex("", buf, sizeof buf, &len), 0);
        assert_int_equal(len, 0);
        assert_int_equal(atr_parse_hex("3B B", buf, sizeof buf, &len), -EINVAL);
        assert_int_equal(atr_parse_hex("3G", buf, sizeof buf, &len), -EINVAL);
        assert_int_equal(atr_parse_hex("3B BA 11", buf, 2, &len), -ENOBUFS);
}

static void test_historical_bytes(_unused_ void **state) {
        uint8_t atr[ATR_MAX_SIZE];
        const uint8_t *h;
        size_t len, hlen;

        len = parse(akis_v10, atr);
        assert_int_equal(atr_historical_bytes(atr, len, &h, &hlen), 0);
        assert_int_equal(hlen, 10);
        assert_memory_equal(h, "UEKAE V1.0", 10);

        len = parse(akis_v12[0], atr);
        assert_int_equal(atr_historical_bytes(atr, len, &h, &hlen), 0);
        assert_int_equal(hlen, 15);
        assert_int_equal(h[0], 0x80);
        assert_memory_equal(h + 2, "UEKAE", 5);

        len = parse(yubikey, atr);
        assert_int_equal(atr_historical_bytes(atr, len, &h, &hlen), 0);
        assert_int_equal(hlen, 8);
        assert_memory_equal(h, "Yubikey4", 8);

        /* TD1 (T=0) -> TD2 (TA3, TD3; T=1) -> TD3 (TA4, TB4): the
         * historical bytes come after TB4. */
        len = parse("3B 85 80 91 11 31 FE 45 55 45 4B 41 45 00", atr);
        assert_int_equal(atr_historical_bytes(atr, len, &h, &hlen), 0);
        assert_int_equal(hlen, 5);
        assert_ptr_equal(h, atr + 8);

        /* no interface bytes, no historical bytes */
        assert_int_equal(atr_historical_bytes((const uint8_t[]) { 0x3F, 0x00 }, 2, &h, &hlen), 0);
        assert_int_equal(hlen, 0);
}

/* Every ATR of the record (akis.md, "Recognising an AKİS card";
 * AkisTemplate's list; pcsc-tools' entries), its name and command set. */
static void test_akis_record(_unused_ void **state) {
        static const struct {
                const char *atr, *name;
                AkisSet set;
        } cases[] = {
                { "3BBA11008131FE4D55454B41452056312E30AE", "AKİS 1.0", AKIS_SET_V10 },
                { "3B9F968131FE45806755454B41451112318073B3A180E9", "AKİS 1.1 (Infineon)", AKIS_SET_V12 },
                { "3B9F968131FE45806755454B41451212318073B3A180EA", "AKİS 1.2 (Infineon)", AKIS_SET_V12 },
                { "3B9F968131FE45806755454B41451213318073B3A180EB", "AKİS 1.2 (NXP)", AKIS_SET_V12 },
                { "3B9F968131FE45806755454B41451252318073B3A180AA", "AKİS 1.2.1 (Infineon)", AKIS_SET_V12 },
                { "3B9F968131FE45806755454B41451253318073B3A180AB", "AKİS 1.2.1 (NXP)", AKIS_SET_V12 },
                { "3B9F158131FE45806755454B41451221318073B3A1805A", "AKİS 1.2 eID (UKİS)", AKIS_SET_V12 },
                { "3B9F968131FE45806755454B41451221318073B3A180D9", "AKİS 1.2 eID (UKİS)", AKIS_SET_V12 },
                { "3B9F138131FE45806755454B41451261318073B3A1801C", "UKİS 1.2.1 (YITAL)", AKIS_SET_V12 },
                { "3B9F138131FE45806755454B41451264318073B3A18019", "UKİS 1.2.1 (HHNEC)", AKIS_SET_V12 },
                { "3B9F138131FE45806755454B41451265318073B3A18018", "UKİS 1.2.1 (SMIC)", AKIS_SET_V12 },
                { "3B9F968131FE45806755454B41451292318073B3A1806A", "AKİS 1.2.2 (Infineon)", AKIS_SET_V12 },
                { "3B9F968131FE45806755454B41451293318073B3A1806B", "AKİS 1.2.2 (NXP)", AKIS_SET_V12 },
                { "3B9F968131FE45806755454B414512A4318073B3A1805C", "UKİS 1.2.2 (HHNEC)", AKIS_SET_V12 },
                { "3B9F968131FE45806755454B414512A5318073B3A1805D", "UKİS 1.2.2 (SMIC)", AKIS_SET_V12 },
                { "3B9F968131FE45806755454B41451312318073B3A180EB", "AKİS 1.3 (Infineon)", AKIS_SET_V12 },
                /* 1.4 is in TÜBİTAK's version table but not among the
                 * versions its library drives with the 1.2 set: read only */
                { "3B9F968131FE45806755454B41451412318073B3A180EC", "AKİS 1.4 (Infineon)", AKIS_SET_NONE },
                { "3B9F968131FE458065544320201231C073F621808105B3", "AKİS 2.x (20 12)", AKIS_SET_V2 },
                { "3B9F978131FE4580655443D2210831C073F6218081055B", "AKİS 2.2.8 (Infineon)", AKIS_SET_V2 },
                { "3B9F978131FE4580655443E4210831C073F6218081056D", "AKİS 2.2.8 (UKTÜM)", AKIS_SET_V2 },
                { "3B9F968131FE4580655443D3210831C073F6218081055B", "AKİS 2.2.8 (NXP)", AKIS_SET_V2 },
                { "3B9F968131FE4580655443D2210831C073F6218081055A", "AKİS 2.2.8 (UDEA)", AKIS_SET_V2 },
                { "3B9F978131FE458065544353228231C073F62180810553", "AKİS 2.5.2 (NXP)", AKIS_SET_V2 },
                { "3B9F978131FE4580655443D3228231C073F621808105D3", "AKİS 2.5.2 (NXP)", AKIS_SET_V2 },
                { "3B9F978131FE458065544312210831C073F6218081059B",
                  "Turkish national ID card (TCKK), AKİS 2.2.8", AKIS_SET_V2 },
                /* pcsc-tools' TCKK entry whose TCK is wrong: the rule reads
                 * the historical bytes, not the checksum */
                { "3B9F978131FE458065544312210831C073F62180810590",
                  "Turkish national ID card (TCKK), AKİS 2.2.8", AKIS_SET_V2 },
                { "3B9F978131FE458065544312210831C073F6218081019F", "AKİS 2.2.8 (Infineon)", AKIS_SET_V2 },
                /* v3 "SAHA": its commands are not in the record */
                { "3B9C968131FE4580666832090102033195810594", "AKİS 3 (SAHA)", AKIS_SET_NONE },
                { "3B9C968131FE45806668324901020331958105D4", "AKİS 3 (SAHA, test)", AKIS_SET_NONE },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                CardModel m = model(cases[i].atr);

                print_message("# %s\n", cases[i].atr);
                assert_ptr_equal(m.driver, &card_driver_akis);
                assert_true(m.known);
                assert_string_equal(m.name, cases[i].name);
                assert_int_equal(m.variant, cases[i].set);
                assert_int_equal(m.pin_native, cases[i].set != AKIS_SET_NONE);
                assert_int_equal(m.pin_tries, 3);
                assert_int_equal(m.max_recv, 244);
                assert_true(m.short_only);
                assert_int_equal(m.pin_max_length, 16);
                assert_false(m.unlock);         /* KamuSM's unlock is not kartd's protocol */
        }
}

/* TÜBİTAK's first rule: "UEKAE" or "uekae" anywhere in the ATR. */
static void test_akis_uekae_anywhere(_unused_ void **state) {
        CardModel m;

        /* the TD chain's historical bytes */
        m = model("3B 85 80 91 11 31 FE 45 55 45 4B 41 45 00");
        assert_ptr_equal(m.driver, &card_driver_akis);
        assert_string_equal(m.name, "AKİS (unknown version)");
        assert_int_equal(m.variant, AKIS_SET_NONE);
        assert_false(m.pin_native);
        /* lower case, after the historical bytes */
        m = model("3B 02 41 42 75 65 6B 61 65");
        assert_ptr_equal(m.driver, &card_driver_akis);
        /* a v1.0 ATR with one more byte is not v1.0, but still AKİS */
        m = model("3B BA 11 00 81 31 FE 4D 55 45 4B 41 45 20 56 31 2E 30 AE 00");
        assert_string_equal(m.name, "AKİS (unknown version)");
        /* a 1.x version code the tables do not name */
        m = model("3B 9F 96 81 31 FE 45 80 67 55 45 4B 41 45 19 99 31 80 73 B3 A1 80 6A");
        assert_string_equal(m.name, "AKİS 1.x (version 19 99)");
        assert_int_equal(m.variant, AKIS_SET_NONE);
        /* "UEKA" alone is nothing */
        m = model("3B 04 55 45 4B 41");
        assert_ptr_equal(m.driver, &card_driver_pkcs15);
}

static void test_not_akis(_unused_ void **state) {
        CardModel m;

        m = model(yubikey);
        assert_ptr_equal(m.driver, &card_driver_pkcs15);
        assert_false(m.known);
        assert_string_equal(m.name, "Unknown card");
        assert_false(m.unlock);
        assert_int_equal(m.max_recv, 0);
        assert_false(m.short_only);
        /* the v1.x shape without UEKAE, the 2.x shape with another
         * fixed byte: TÜBİTAK's patterns are exact */
        assert_ptr_equal(model("3B 9F 96 81 31 FE 45 80 67 00 00 00 00 00 12 12 31 80 73 B3 A1 80 EA").driver,
                         &card_driver_pkcs15);
        assert_ptr_equal(model("3B9F978131FE4580655443D2210831C073F7218081055B").driver, &card_driver_pkcs15);
        assert_ptr_equal(model("3B9F978131FE4580655444D2210831C073F6218081055B").driver, &card_driver_pkcs15);
}

static void test_reference(_unused_ void **state) {
        CardModel m = model(reference);

        assert_ptr_equal(m.driver, &card_driver_pkcs15);
        assert_true(m.known);
        assert_true(m.pin_native);
        assert_true(m.unlock);
        assert_int_equal(m.unlock_key_ref, 0x01);
        assert_int_equal(m.unlock_key_version, 0x01);
        assert_int_equal(m.pin_tries, 3);
        /* one byte more: an unknown card */
        m = model("3B:8B:80:01:80:57:4B:41:52:54:53:49:4D:31:C0:77:00");
        assert_false(m.known);
}

static void test_bad_atrs(_unused_ void **state) {
        static const struct {
                const char *what, *hex;
        } bad[] = {
                { "empty", "" },
                { "TS only", "3B" },
                { "bad TS", "00 00" },
                { "bad TS 2", "3A 00" },
                { "TA1 missing", "3B 10" },
                { "TD1 missing", "3B 80" },
                { "TD2 missing", "3B 80 80" },
                { "TA3 missing after TD2", "3B 80 80 11" },
                { "historical bytes cut", "3B 0F 55 45 4B 41" },
                { "v1.0 cut in the middle", "3B BA 11 00 81 31 FE 4D 55 45" },
        };
        const uint8_t *h;
        size_t hlen;

        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                uint8_t atr[ATR_MAX_SIZE];
                size_t len = parse(bad[i].hex, atr);
                CardModel m;

                print_message("# %s\n", bad[i].what);
                assert_int_equal(atr_historical_bytes(atr, len, &h, &hlen), -EBADMSG);
                card_model_from_atr(atr, len, &m);
                assert_ptr_equal(m.driver, &card_driver_pkcs15);
                assert_false(m.known);
        }
        assert_false(akis_model_from_atr(NULL, 0, &(CardModel) {}));
}

/* Every prefix of every example: no crash, and whatever a prefix matches
 * is AKİS or the generic driver. */
static void test_truncations(_unused_ void **state) {
        const char *examples[] = { akis_v10, akis_v12[0], akis_v12[1], akis_v12[2], yubikey, reference,
                                   "3B9F978131FE458065544312210831C073F6218081059B" };

        for (size_t i = 0; i < ELEMENTSOF(examples); i++) {
                uint8_t atr[ATR_MAX_SIZE];
                size_t len = parse(examples[i], atr);

                for (size_t n = 0; n < len; n++) {
                        CardModel m;

                        card_model_from_atr(atr, n, &m);
                        assert_true(m.driver == &card_driver_akis || m.driver == &card_driver_pkcs15);
                        assert_true(m.driver == &card_driver_pkcs15 || m.known);
                }
        }
}

/* What every job's transport gets from the ATR (reader-worker.c). */
static void test_conn_limits(_unused_ void **state) {
        Transport t = { .extended = true };
        CardConn c;

        t.atr_len = parse(akis_v12[1], t.atr);
        card_conn_init(&c, &t);
        assert_int_equal(t.max_recv, 244);
        assert_false(t.extended);

        /* an unknown card keeps what PC/SC gave it */
        t = (Transport) { .extended = true };
        t.atr_len = parse(yubikey, t.atr);
        card_conn_init(&c, &t);
        assert_int_equal(t.max_recv, 0);
        assert_true(t.extended);

        /* the reference card: no transport limits */
        t = (Transport) { .extended = true };
        t.atr_len = parse(reference, t.atr);
        card_conn_init(&c, &t);
        assert_int_equal(t.max_recv, 0);
        assert_true(t.extended);
}

static void test_overlong(_unused_ void **state) {
        uint8_t atr[64] = { 0x3B, 0x0F };
        CardModel m;

        /* more than ISO 7816-3 allows: never matched */
        memcpy(atr + 2, "UEKAE", 5);
        card_model_from_atr(atr, 17, &m);
        assert_ptr_equal(m.driver, &card_driver_akis);
        card_model_from_atr(atr, sizeof atr, &m);
        assert_ptr_equal(m.driver, &card_driver_pkcs15);
}

static void test_pattern(_unused_ void **state) {
        const uint8_t b[] = { 0x80, 0x65, 0x54, 0x43 };

        assert_true(atr_pattern_match(b, 4, "80655443"));
        assert_true(atr_pattern_match(b, 4, "8065....") );
        assert_true(atr_pattern_match(b, 4, "8.6.5.4."));
        assert_false(atr_pattern_match(b, 4, "806554"));
        assert_false(atr_pattern_match(b, 3, "80655443"));
        assert_false(atr_pattern_match(b, 4, "80655444"));
        assert_false(atr_pattern_match(b, 4, "8065544G"));
        assert_true(atr_equals_hex(b, 4, "80 65 54 43"));
        assert_false(atr_equals_hex(b, 3, "80 65 54 43"));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse_hex),
                cmocka_unit_test(test_historical_bytes),
                cmocka_unit_test(test_bad_atrs),
                cmocka_unit_test(test_akis_record),
                cmocka_unit_test(test_akis_uekae_anywhere),
                cmocka_unit_test(test_not_akis),
                cmocka_unit_test(test_reference),
                cmocka_unit_test(test_truncations),
                cmocka_unit_test(test_overlong),
                cmocka_unit_test(test_conn_limits),
                cmocka_unit_test(test_pattern),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
