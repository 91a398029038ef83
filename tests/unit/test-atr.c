/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ATR parsing and the table of known cards: the AKİS family must be
 * recognised with its quirks, and short or garbage ATRs must not be. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "atr.h"
#include "macro.h"

#define AKIS_QUIRKS (ATR_QUIRK_NO_EXTENDED_APDU | ATR_QUIRK_MAX_RESPONSE_244 | \
                     ATR_QUIRK_PROPRIETARY_CHANGE_PIN | ATR_QUIRK_EMPTY_VERIFY_UNTRUSTED)

static const char *const akis_v10 = "3B BA 11 00 81 31 FE 4D 55 45 4B 41 45 20 56 31 2E 30 AE";
/* Published AKİS v1.2 (NXP), v1.2.1 (Infineon), v1.3 (Infineon) ATRs */
static const char *const akis_v12[] = {
        "3B 9F 96 81 31 FE 45 80 67 55 45 4B 41 45 12 12 31 80 73 B3 A1 80 EA",
        "3B 9F 96 81 31 FE 45 80 67 55 45 4B 41 45 12 52 31 80 73 B3 A1 80 AA",
        "3B:9F:96:81:31:FE:45:80:67:55:45:4B:41:45:12:93:31:80:73:B3:A1:80:6B",
};
/* YubiKey 4: historical bytes "Yubikey4" */
static const char *const yubikey = "3B F8 13 00 00 81 31 FE 15 59 75 62 69 6B 65 79 34 D4";

static size_t parse(const char *hex, uint8_t *buf) {
        size_t len;

        assert_int_equal(atr_parse_hex(hex, buf, ATR_MAX_SIZE, &len), 0);
        return len;
}

static const AtrEntry *match(const char *hex) {
        uint8_t atr[ATR_MAX_SIZE];
        size_t len = parse(hex, atr);

        return atr_match(atr, len);
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
                { "historical bytes cut", "3B 0F 55 45 4B 41 45" },
                { "v1.0 cut in the middle", "3B BA 11 00 81 31 FE 4D 55 45" },
        };
        const uint8_t *h;
        size_t hlen;

        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                uint8_t atr[ATR_MAX_SIZE];
                size_t len = parse(bad[i].hex, atr);

                print_message("# %s\n", bad[i].what);
                assert_int_equal(atr_historical_bytes(atr, len, &h, &hlen), -EBADMSG);
                assert_null(atr_match(atr, len));
                assert_false(atr_is_akis(atr, len));
        }
        assert_null(atr_match(NULL, 0));
}

static void test_akis(_unused_ void **state) {
        const AtrEntry *e;

        e = match(akis_v10);
        assert_non_null(e);
        assert_string_equal(e->model, "AKİS v1.0");
        assert_string_equal(e->driver, "akis");
        assert_int_equal(e->quirks, AKIS_QUIRKS);

        for (size_t i = 0; i < ELEMENTSOF(akis_v12); i++) {
                e = match(akis_v12[i]);
                assert_non_null(e);
                assert_string_equal(e->model, "AKİS v1.2+");
                assert_string_equal(e->driver, "akis");
                assert_int_equal(e->quirks, AKIS_QUIRKS);
        }

        /* UEKAE in the historical bytes, but no table entry: a UKiS chip,
         * and the TD-chain ATR above */
        e = match("3B 9F 13 81 31 FE 45 80 67 55 45 4B 41 45 12 61 31 80 73 B3 A1 80 1C");
        assert_non_null(e);
        assert_string_equal(e->model, "AKİS (unknown version)");
        assert_string_equal(e->driver, "akis");
        assert_int_equal(e->quirks, AKIS_QUIRKS);
        e = match("3B 85 80 91 11 31 FE 45 55 45 4B 41 45 00");
        assert_non_null(e);
        assert_string_equal(e->model, "AKİS (unknown version)");

        /* A v1.0 ATR with one more byte is not v1.0, but still AKİS. */
        e = match("3B BA 11 00 81 31 FE 4D 55 45 4B 41 45 20 56 31 2E 30 AE 00");
        assert_non_null(e);
        assert_string_equal(e->model, "AKİS (unknown version)");
}

static void test_not_akis(_unused_ void **state) {
        uint8_t atr[ATR_MAX_SIZE];
        size_t len;

        len = parse(yubikey, atr);
        assert_false(atr_is_akis(atr, len));
        assert_null(atr_match(atr, len));

        /* UEKAE after the two historical bytes does not count */
        len = parse("3B 02 41 42 55 45 4B 41 45", atr);
        assert_false(atr_is_akis(atr, len));
        assert_null(atr_match(atr, len));

        /* the v1.2 shape without UEKAE: the mask must not make the
         * table match what is not AKİS */
        assert_null(match("3B 9F 96 81 31 FE 45 80 67 00 00 00 00 00 12 12 31 80 73 B3 A1 80 EA"));

        len = parse(akis_v12[0], atr);
        assert_true(atr_is_akis(atr, len));
}

/* Every prefix of every example: no crash, and whatever matches is AKİS
 * (a cut TCK leaves the historical bytes whole). */
static void test_truncations(_unused_ void **state) {
        const char *examples[] = { akis_v10, akis_v12[0], akis_v12[1], akis_v12[2], yubikey };

        for (size_t i = 0; i < ELEMENTSOF(examples); i++) {
                uint8_t atr[ATR_MAX_SIZE];
                size_t len = parse(examples[i], atr);

                for (size_t n = 0; n < len; n++) {
                        const AtrEntry *e = atr_match(atr, n);
                        const uint8_t *h;
                        size_t hlen;

                        if (e)
                                assert_string_equal(e->driver, "akis");
                        if (n < len - 1)
                                assert_int_equal(atr_historical_bytes(atr, n, &h, &hlen), -EBADMSG);
                }
        }
}

/* What every job's transport gets from the ATR (reader-worker.c). */
static void test_apply_quirks(_unused_ void **state) {
        Transport t = { .extended = true };

        t.atr_len = parse(akis_v12[1], t.atr);
        assert_non_null(atr_apply_quirks(&t));
        assert_int_equal(t.max_recv, 244);
        assert_false(t.extended);

        /* an unknown card keeps what PC/SC gave it */
        t = (Transport) { .extended = true };
        t.atr_len = parse(yubikey, t.atr);
        assert_null(atr_apply_quirks(&t));
        assert_int_equal(t.max_recv, 0);
        assert_true(t.extended);

        /* the reference card: no transport limits */
        t = (Transport) { .extended = true };
        t.atr_len = parse("3B:8B:80:01:80:57:4B:41:52:54:53:49:4D:31:C0:77", t.atr);
        assert_non_null(atr_apply_quirks(&t));
        assert_int_equal(t.max_recv, 0);
        assert_true(t.extended);
}

static void test_overlong(_unused_ void **state) {
        uint8_t atr[64] = { 0x3B, 0x0F };

        /* more than ISO 7816-3 allows: never matched */
        memcpy(atr + 2, "UEKAE", 5);
        assert_non_null(atr_match(atr, 17));
        assert_null(atr_match(atr, sizeof atr));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse_hex),
                cmocka_unit_test(test_historical_bytes),
                cmocka_unit_test(test_bad_atrs),
                cmocka_unit_test(test_akis),
                cmocka_unit_test(test_not_akis),
                cmocka_unit_test(test_truncations),
                cmocka_unit_test(test_overlong),
                cmocka_unit_test(test_apply_quirks),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
