/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The BER-TLV reader against well-formed data and against what a broken
 * or hostile card could send: every length is checked. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "macro.h"
#include "tlv.h"

static void test_short_and_long_forms(_unused_ void **state) {
        static const uint8_t buf[] = {
                0x30, 0x03, 0x02, 0x01, 0x05,           /* SEQUENCE { INTEGER 5 } */
                0x04, 0x81, 0x02, 0xAA, 0xBB,           /* 0x81 long form */
                0x04, 0x82, 0x00, 0x01, 0xCC,           /* 0x82, redundant zero */
                0x04, 0x84, 0x00, 0x00, 0x00, 0x00,     /* 0x84, empty */
        };
        const uint8_t *p = buf;
        size_t left = sizeof buf;
        Tlv t;

        assert_int_equal(tlv_next(&p, &left, &t, false), 1);
        assert_int_equal(t.tag, 0x30);
        assert_true(t.constructed);
        assert_int_equal(t.len, 3);
        assert_ptr_equal(t.value, buf + 2);

        assert_int_equal(tlv_next(&p, &left, &t, false), 1);
        assert_int_equal(t.tag, 0x04);
        assert_false(t.constructed);
        assert_int_equal(t.len, 2);
        assert_int_equal(t.value[1], 0xBB);

        assert_int_equal(tlv_next(&p, &left, &t, false), 1);
        assert_int_equal(t.len, 1);
        assert_int_equal(t.value[0], 0xCC);

        assert_int_equal(tlv_next(&p, &left, &t, false), 1);
        assert_int_equal(t.len, 0);

        assert_int_equal(tlv_next(&p, &left, &t, false), 0);
        assert_int_equal(left, 0);
        assert_int_equal(tlv_next(&p, &left, &t, false), 0);
}

static void test_multibyte_tags(_unused_ void **state) {
        static const uint8_t buf[] = {
                0x5F, 0x2D, 0x02, 't', 'r',             /* language preference */
                0x9F, 0x7F, 0x01, 0x00,                 /* card production life cycle */
                0xBF, 0x81, 0x01, 0x00,                 /* three tag bytes, constructed */
        };
        const uint8_t *p = buf;
        size_t left = sizeof buf;
        Tlv t;

        assert_int_equal(tlv_next(&p, &left, &t, false), 1);
        assert_int_equal(t.tag, 0x5F2D);
        assert_false(t.constructed);
        assert_memory_equal(t.value, "tr", 2);
        assert_int_equal(tlv_next(&p, &left, &t, false), 1);
        assert_int_equal(t.tag, 0x9F7F);
        assert_int_equal(tlv_next(&p, &left, &t, false), 1);
        assert_int_equal(t.tag, 0xBF8101);
        assert_true(t.constructed);
        assert_int_equal(tlv_next(&p, &left, &t, false), 0);
}

static void test_padding(_unused_ void **state) {
        static const uint8_t buf[] = { 0x00, 0xFF, 0x04, 0x01, 0x07, 0x00, 0x00, 0xFF, 0xFF };
        const uint8_t *p = buf;
        size_t left = sizeof buf;
        Tlv t;

        /* Without skipping, 00 is end-of-contents, which we never accept. */
        assert_int_equal(tlv_next(&p, &left, &t, false), -EBADMSG);
        assert_ptr_equal(p, buf);
        assert_int_equal(left, sizeof buf);

        assert_int_equal(tlv_next(&p, &left, &t, true), 1);
        assert_int_equal(t.tag, 0x04);
        assert_int_equal(t.value[0], 0x07);
        assert_int_equal(tlv_next(&p, &left, &t, true), 0);
        assert_int_equal(left, 0);

        /* Padding only: nothing. */
        p = buf + 5, left = 4;
        assert_int_equal(tlv_next(&p, &left, &t, true), 0);
}

typedef struct Bad {
        const char *what;
        uint8_t data[12];
        size_t len;
} Bad;

static void test_malformed(_unused_ void **state) {
        static const Bad bad[] = {
                { "tag only",               { 0x30 }, 1 },
                { "indefinite length",      { 0x30, 0x80, 0x00, 0x00 }, 4 },
                { "5-byte length",          { 0x04, 0x85, 0, 0, 0, 0, 1, 0xAA }, 8 },
                { "reserved length 0xFF",   { 0x04, 0xFF, 0x00 }, 3 },
                { "4-byte tag",             { 0x1F, 0x81, 0x81, 0x01, 0x00 }, 5 },
                { "multibyte tag cut",      { 0x5F }, 1 },
                { "multibyte tag cut 2",    { 0x9F, 0x81 }, 2 },
                { "huge length",            { 0x04, 0x84, 0xFF, 0xFF, 0xFF, 0xFF, 0x00 }, 7 },
                { "length past end",        { 0x04, 0x05, 0x01, 0x02 }, 4 },
                { "long length past end",   { 0x04, 0x82, 0x01, 0x00, 0x01 }, 5 },
                { "length bytes cut",       { 0x04, 0x82, 0x01 }, 3 },
                { "length field missing",   { 0x5F, 0x2D }, 2 },
                { "end-of-contents",        { 0x00, 0x00 }, 2 },
        };

        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                const uint8_t *p = bad[i].data;
                size_t left = bad[i].len;
                Tlv t;

                print_message("# %s\n", bad[i].what);
                assert_int_equal(tlv_next(&p, &left, &t, false), -EBADMSG);
                /* on error nothing moves */
                assert_ptr_equal(p, bad[i].data);
                assert_int_equal(left, bad[i].len);
                assert_int_equal(tlv_find(bad[i].data, bad[i].len, 0x04, &t), -EBADMSG);
        }
}

static void test_every_truncation(_unused_ void **state) {
        static const uint8_t buf[] = { 0x5F, 0x2D, 0x82, 0x00, 0x03, 'a', 'b', 'c' };
        Tlv t;

        for (size_t n = 0; n < sizeof buf; n++) {
                const uint8_t *p = buf;
                size_t left = n;

                assert_int_equal(tlv_next(&p, &left, &t, false), n == 0 ? 0 : -EBADMSG);
        }
}

static void test_find(_unused_ void **state) {
        static const uint8_t buf[] = { 0x4F, 0x01, 0x01, 0x50, 0x01, 'x', 0x4F, 0x01, 0x02 };
        static const uint8_t broken[] = { 0x4F, 0x01, 0x01, 0x50, 0x09, 'x' };
        Tlv t;

        assert_int_equal(tlv_find(buf, sizeof buf, 0x4F, &t), 0);
        assert_int_equal(t.value[0], 0x01);     /* the first one */
        assert_int_equal(tlv_find(buf, sizeof buf, 0x50, &t), 0);
        assert_int_equal(t.value[0], 'x');
        assert_int_equal(tlv_find(buf, sizeof buf, 0x51, &t), -ENOENT);
        assert_int_equal(tlv_find(buf, 0, 0x4F, &t), -ENOENT);
        assert_int_equal(tlv_find(broken, sizeof broken, 0x4F, &t), 0);
        assert_int_equal(tlv_find(broken, sizeof broken, 0x50, &t), -EBADMSG);
}

static int read_uint(const uint8_t *v, size_t len, uint32_t *ret) {
        return tlv_read_uint(&(Tlv) { .tag = 0x02, .value = v, .len = len }, ret);
}

static void test_read_uint(_unused_ void **state) {
        uint32_t x;

        assert_int_equal(read_uint((const uint8_t[]) { 0x00 }, 1, &x), 0);
        assert_int_equal(x, 0);
        assert_int_equal(read_uint((const uint8_t[]) { 0x00, 0x81 }, 2, &x), 0);
        assert_int_equal(x, 0x81);
        assert_int_equal(read_uint((const uint8_t[]) { 0x7F, 0xFF, 0xFF, 0xFF }, 4, &x), 0);
        assert_int_equal(x, 0x7FFFFFFF);
        assert_int_equal(read_uint((const uint8_t[]) { 0x00, 0xFF, 0xFF, 0xFF, 0xFF }, 5, &x), 0);
        assert_int_equal(x, UINT32_MAX);
        assert_int_equal(read_uint((const uint8_t[]) { 0x01, 0x00, 0x00, 0x00, 0x00 }, 5, &x), -ERANGE);
        assert_int_equal(read_uint((const uint8_t[]) { 0x81 }, 1, &x), -ERANGE);
        assert_int_equal(read_uint((const uint8_t[]) { 0x00 }, 0, &x), -EBADMSG);
        assert_int_equal(tlv_read_uint(&(Tlv) { .value = (const uint8_t[]) { 1 }, .len = 1, .constructed = true }, &x),
                         -EBADMSG);
}

static void test_read_int(_unused_ void **state) {
        int32_t x;

        assert_int_equal(tlv_read_int(&(Tlv) { .value = (const uint8_t[]) { 0x81 }, .len = 1 }, &x), 0);
        assert_int_equal(x, -127);
        assert_int_equal(tlv_read_int(&(Tlv) { .value = (const uint8_t[]) { 0x00, 0x81 }, .len = 2 }, &x), 0);
        assert_int_equal(x, 0x81);
        assert_int_equal(tlv_read_int(&(Tlv) { .value = (const uint8_t[]) { 0x80, 0, 0, 0 }, .len = 4 }, &x), 0);
        assert_int_equal(x, INT32_MIN);
        assert_int_equal(tlv_read_int(&(Tlv) { .value = (const uint8_t[]) { 0, 0, 0, 0, 1 }, .len = 5 }, &x), -ERANGE);
        assert_int_equal(tlv_read_int(&(Tlv) { .value = (const uint8_t[]) { 0 }, .len = 0 }, &x), -EBADMSG);
}

static int read_bits(const uint8_t *v, size_t len, uint32_t *ret) {
        return tlv_read_bits(&(Tlv) { .tag = 0x03, .value = v, .len = len }, ret);
}

static void test_read_bits(_unused_ void **state) {
        uint32_t x;

        /* loginRequired(1), prnGeneration(2) */
        assert_int_equal(read_bits((const uint8_t[]) { 0x05, 0x60 }, 2, &x), 0);
        assert_int_equal(x, 1u << 1 | 1u << 2);
        /* local(1), initialized(4), needs-padding(5) */
        assert_int_equal(read_bits((const uint8_t[]) { 0x02, 0x4C }, 2, &x), 0);
        assert_int_equal(x, 1u << 1 | 1u << 4 | 1u << 5);
        /* bit 8 lives in the second byte */
        assert_int_equal(read_bits((const uint8_t[]) { 0x07, 0x00, 0x80 }, 3, &x), 0);
        assert_int_equal(x, 1u << 8);
        /* padding bits do not count */
        assert_int_equal(read_bits((const uint8_t[]) { 0x07, 0xFF }, 2, &x), 0);
        assert_int_equal(x, 1u << 0);
        /* empty bit string */
        assert_int_equal(read_bits((const uint8_t[]) { 0x00 }, 1, &x), 0);
        assert_int_equal(x, 0);
        /* bits past 31 are dropped */
        assert_int_equal(read_bits((const uint8_t[]) { 0x00, 0, 0, 0, 0x01, 0xFF }, 6, &x), 0);
        assert_int_equal(x, 1u << 31);

        assert_int_equal(read_bits((const uint8_t[]) { 0x08, 0xFF }, 2, &x), -EBADMSG);
        assert_int_equal(read_bits((const uint8_t[]) { 0x03 }, 1, &x), -EBADMSG);
        assert_int_equal(read_bits((const uint8_t[]) { 0x00 }, 0, &x), -EBADMSG);
}

static void test_cursor(_unused_ void **state) {
        /* SEQUENCE { INTEGER 1, UTF8String "a", BIT STRING } */
        static const uint8_t seq[] = { 0x02, 0x01, 0x01, 0x0C, 0x01, 'a', 0x03, 0x01, 0x00 };
        static const uint8_t broken[] = { 0x02, 0x01, 0x01, 0x0C, 0x05, 'a' };
        Tlv parent = { .tag = 0x30, .constructed = true, .value = seq, .len = sizeof seq };
        TlvCursor c = tlv_cursor(&parent);
        const Tlv *peek;
        Tlv t;

        assert_int_equal(tlv_cursor_peek(&c, &peek), 1);
        assert_int_equal(peek->tag, 0x02);
        assert_int_equal(tlv_cursor_take(&c, 0x04, &t), 0);     /* optional, absent */
        assert_int_equal(tlv_cursor_take(&c, 0x02, &t), 1);
        assert_int_equal(tlv_cursor_take(&c, 0x80, &t), 0);
        assert_int_equal(tlv_cursor_take(&c, 0x0C, &t), 1);
        assert_int_equal(t.value[0], 'a');
        assert_int_equal(tlv_cursor_finish(&c), 0);
        assert_int_equal(tlv_cursor_peek(&c, &peek), 0);
        assert_int_equal(tlv_cursor_take(&c, 0x03, &t), 0);

        parent.value = broken, parent.len = sizeof broken;
        c = tlv_cursor(&parent);
        assert_int_equal(tlv_cursor_take(&c, 0x02, &t), 1);
        assert_int_equal(tlv_cursor_take(&c, 0x0C, &t), -EBADMSG);
        c = tlv_cursor(&parent);
        assert_int_equal(tlv_cursor_finish(&c), -EBADMSG);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_short_and_long_forms),
                cmocka_unit_test(test_multibyte_tags),
                cmocka_unit_test(test_padding),
                cmocka_unit_test(test_malformed),
                cmocka_unit_test(test_every_truncation),
                cmocka_unit_test(test_find),
                cmocka_unit_test(test_read_uint),
                cmocka_unit_test(test_read_int),
                cmocka_unit_test(test_read_bits),
                cmocka_unit_test(test_cursor),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
