/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* APDU encoding and the response handling done in one place: 61xx GET
 * RESPONSE chains, 6Cxx resend, size limits and nonsense from the card,
 * against a scripted fake transport. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "apdu.h"
#include "card-driver.h"
#include "hexutil.h"
#include "iso7816.h"

/* A fake card: expects commands in order and replies as scripted. */
typedef struct Exchange {
        const char *cmd, *resp;
} Exchange;

typedef struct Fake {
        Transport base;
        const Exchange *script;
        size_t n, pos;
} Fake;

static int fake_transmit(Transport *t, const uint8_t *cmd, size_t cmd_len,
                         uint8_t *resp, size_t resp_size, size_t *ret_len) {
        Fake *f = (Fake *) t;
        uint8_t want[300];
        int n;

        assert_true(f->pos < f->n);
        n = hex_decode(f->script[f->pos].cmd, want, sizeof want);
        assert_int_equal((size_t) n, cmd_len);
        assert_memory_equal(want, cmd, cmd_len);
        n = hex_decode(f->script[f->pos].resp, resp, resp_size);
        assert_true(n >= 0);
        *ret_len = (size_t) n;
        f->pos++;
        return 0;
}

static const TransportOps fake_ops = { .transmit = fake_transmit };

static Fake fake(const Exchange *script, size_t n) {
        return (Fake) { .base.ops = &fake_ops, .script = script, .n = n };
}

static void test_encode(void **state) {
        uint8_t buf[300], data[300] = {};
        size_t len;

        assert_int_equal(apdu_encode(&(Apdu) { .ins = 0xB0, .le = 256 }, false, buf, sizeof buf, &len), 0);
        assert_int_equal(len, 5);
        assert_int_equal(buf[4], 0x00);
        assert_int_equal(apdu_encode(&(Apdu) { .ins = 0xA4, .p1 = 4, .data = data, .lc = 3 }, false,
                                     buf, sizeof buf, &len), 0);
        assert_int_equal(len, 8);
        assert_int_equal(buf[4], 3);
        /* 300 bytes of data need extended length */
        assert_int_equal(apdu_encode(&(Apdu) { .ins = 0xD6, .data = data, .lc = 300 }, false,
                                     buf, sizeof buf, &len), -EINVAL);
        uint8_t big[400];
        assert_int_equal(apdu_encode(&(Apdu) { .ins = 0xD6, .data = data, .lc = 300, .le = 0 }, true,
                                     big, sizeof big, &len), 0);
        assert_int_equal(len, 4 + 3 + 300);
        assert_int_equal(big[4], 0);
        assert_int_equal(big[5], 0x01);
        assert_int_equal(big[6], 0x2C);
        /* data pointer missing, buffer too small */
        assert_int_equal(apdu_encode(&(Apdu) { .lc = 2 }, true, buf, sizeof buf, &len), -EINVAL);
        assert_int_equal(apdu_encode(&(Apdu) { .le = 1 }, true, buf, 4, &len), -ENOBUFS);
}

static void test_get_response_chain(void **state) {
        static const Exchange s[] = {
                { "00B0000000", "0102 6103" },
                { "00C0000003", "030405 6102" },
                { "00C0000002", "0607 9000" },
        };
        Fake f = fake(s, 3);
        uint8_t resp[16];
        size_t len;
        uint16_t sw;

        assert_int_equal(apdu_transmit(&f.base, &(Apdu) { .ins = 0xB0, .le = 256 }, resp, sizeof resp, &len, &sw), 0);
        assert_int_equal(sw, 0x9000);
        assert_int_equal(len, 7);
        assert_memory_equal(resp, "\x01\x02\x03\x04\x05\x06\x07", 7);
        assert_int_equal(f.pos, 3);
}

static void test_wrong_le_resend(void **state) {
        static const Exchange s[] = {
                { "00B0000000", "6C05" },
                { "00B0000005", "0102030405 9000" },
        };
        Fake f = fake(s, 2);
        uint8_t resp[16];
        size_t len;
        uint16_t sw;

        assert_int_equal(apdu_transmit(&f.base, &(Apdu) { .ins = 0xB0, .le = 256 }, resp, sizeof resp, &len, &sw), 0);
        assert_int_equal(sw, 0x9000);
        assert_int_equal(len, 5);
}

static void test_repeated_6c_is_not_followed(void **state) {
        static const Exchange s[] = {
                { "00B0000000", "6C05" },
                { "00B0000005", "6C06" },
        };
        Fake f = fake(s, 2);
        uint8_t resp[16];
        size_t len;
        uint16_t sw;

        assert_int_equal(apdu_transmit(&f.base, &(Apdu) { .ins = 0xB0, .le = 256 }, resp, sizeof resp, &len, &sw), 0);
        assert_int_equal(sw, 0x6C06);
}

static void test_nonsense(void **state) {
        static const Exchange one_byte[] = { { "00B0000000", "90" } };
        static const Exchange too_big[] = { { "00B0000000", "0102030405 9000" } };
        uint8_t resp[4];
        size_t len;
        uint16_t sw;
        Fake f;

        f = fake(one_byte, 1);
        assert_int_equal(apdu_transmit(&f.base, &(Apdu) { .ins = 0xB0, .le = 256 }, resp, sizeof resp, &len, &sw), -EBADMSG);
        f = fake(too_big, 1);
        assert_int_equal(apdu_transmit(&f.base, &(Apdu) { .ins = 0xB0, .le = 256 }, resp, sizeof resp, &len, &sw), -EMSGSIZE);
}

/* The one ISO 7816-4 table, and the AKİS driver's differences: a blocked
 * PIN is 6984 on 1.x and 6983 on 2.x, and the other word means nothing
 * established on that version. */
static void test_sw_to_errno(void **state) {
        static const char *const akis12 = "3B9F968131FE45806755454B41451293318073B3A1806B";
        static const char *const akis2 = "3B9F978131FE4580655443D2210831C073F6218081055B";
        Transport t = {};
        CardConn c;

        assert_int_equal(iso7816_check_sw(0x9000), 0);
        assert_int_equal(iso7816_check_sw(0x6282), 0);
        assert_int_equal(iso7816_check_sw(0x6A82), -ENOENT);
        assert_int_equal(iso7816_check_sw(0x63C2), -EKEYREJECTED);
        assert_int_equal(iso7816_check_sw(0x6983), -EKEYEXPIRED);
        assert_int_equal(iso7816_check_sw(0x6984), -EKEYEXPIRED);
        assert_int_equal(iso7816_check_sw(0x6700), -EDOM);
        assert_int_equal(iso7816_check_sw(0x6A86), -EINVAL);
        assert_int_equal(iso7816_check_sw(0x6D00), -EOPNOTSUPP);
        assert_int_equal(iso7816_check_sw(0x6F00), -EIO);
        assert_string_equal(iso7816_sw_name(0x6A82), "file not found");
        assert_string_equal(iso7816_sw_name(0x6F00), "unknown");

        t.atr_len = (size_t) hex_decode(akis12, t.atr, sizeof t.atr);
        card_conn_init(&c, &t);
        assert_int_equal(card_conn_check_sw(&c, 0x6984), -EKEYEXPIRED);
        assert_int_equal(card_conn_check_sw(&c, 0x6983), -EIO);
        assert_int_equal(card_conn_check_sw(&c, 0x6A82), -ENOENT);
        t.atr_len = (size_t) hex_decode(akis2, t.atr, sizeof t.atr);
        card_conn_init(&c, &t);
        assert_int_equal(card_conn_check_sw(&c, 0x6983), -EKEYEXPIRED);
        assert_int_equal(card_conn_check_sw(&c, 0x6984), -EIO);
        assert_int_equal(card_conn_check_sw(&c, 0x63C1), -EKEYREJECTED);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_encode),
                cmocka_unit_test(test_get_response_chain),
                cmocka_unit_test(test_wrong_le_resend),
                cmocka_unit_test(test_repeated_6c_is_not_followed),
                cmocka_unit_test(test_nonsense),
                cmocka_unit_test(test_sw_to_errno),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
