/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Text from cards and servers reaches the bus only through
 * utf8_sanitize(): valid UTF-8 passes, everything else becomes '?'. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hexutil.h"
#include "strutil.h"

static void check(const char *in, size_t len, const char *want) {
        char *s = utf8_sanitize((const uint8_t *) in, len);

        assert_non_null(s);
        assert_string_equal(s, want);
        free(s);
}

static void test_valid(void **state) {
        check("KART Test Card", 14, "KART Test Card");
        check("Ayşe Yılmaz", strlen("Ayşe Yılmaz"), "Ayşe Yılmaz");
        check("AKİS \xf0\x9f\x94\x91", strlen("AKİS \xf0\x9f\x94\x91"), "AKİS \xf0\x9f\x94\x91");
        check("", 0, "");
}

static void test_trailing_padding(void **state) {
        check("label   ", 8, "label");
        check("label\0\0\0", 8, "label");
}

static void test_invalid(void **state) {
        check("a\xffz", 3, "a?z");
        check("\xc3", 1, "?");                  /* truncated sequence */
        check("\xc0\xaf", 2, "??");             /* overlong '/' */
        check("\xed\xa0\x80", 3, "???");        /* surrogate */
        check("\xf4\x90\x80\x80", 4, "????");   /* beyond U+10FFFF */
        check("a\nb\x1b[0m", 7, "a?b?[0m");     /* control characters */
        check("x\0y", 3, "x?y");                /* embedded NUL */
}

static void test_hex(void **state) {
        uint8_t buf[8];
        char *s;

        assert_int_equal(hex_decode("4b:41 52", buf, sizeof buf), 3);
        assert_memory_equal(buf, "KAR", 3);
        assert_int_equal(hex_decode("4", buf, sizeof buf), -EINVAL);
        assert_int_equal(hex_decode("zz", buf, sizeof buf), -EINVAL);
        assert_int_equal(hex_decode("000102", buf, 2), -ENOBUFS);
        s = hex_encode((const uint8_t *) "\x4b\x00\xff", 3);
        assert_string_equal(s, "4b00ff");
        free(s);
}

static void test_echo(void **state) {
        char buf[ECHO_MAX + 4], big[1000];

        assert_string_equal(echo_prefix("4b41525400000001", buf), "4b41525400000001");
        assert_string_equal(echo_prefix("a\nb\x1b[0m\xc3\xa7", buf), "a?b?[0m??");
        assert_string_equal(echo_prefix("", buf), "");
        assert_string_equal(echo_prefix(NULL, buf), "");
        memset(big, 'x', sizeof big - 1);
        big[sizeof big - 1] = 0;
        echo_prefix(big, buf);
        assert_int_equal(strlen(buf), ECHO_MAX + 3);
        assert_string_equal(buf + ECHO_MAX, "...");
        /* exactly ECHO_MAX: not cut */
        big[ECHO_MAX] = 0;
        assert_int_equal(strlen(echo_prefix(big, buf)), ECHO_MAX);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_valid),
                cmocka_unit_test(test_trailing_padding),
                cmocka_unit_test(test_invalid),
                cmocka_unit_test(test_hex),
                cmocka_unit_test(test_echo),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
