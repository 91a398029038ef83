/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The PIN states kartd remembers per card serial: what is stored is what
 * is loaded, other cards in between do not push a card's last try out
 * (up to PIN_MEMO_MAX of them), the least recently used goes first, a
 * card without a serial is never remembered, and the file that keeps them
 * across restarts is read back, its bad lines left out. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "macro.h"
#include "pin-memo.h"

static void test_store_load(void **state) {
        PinMemo *m = pin_memo_new(NULL);
        PinStatus s = { PIN_STATE_LAST_TRY, 1, 3 }, got;

        assert_false(pin_memo_load(m, "a", &got));
        pin_memo_store(m, "a", &s);
        assert_true(pin_memo_load(m, "a", &got));
        assert_int_equal(got.state, PIN_STATE_LAST_TRY);
        assert_int_equal(got.tries_left, 1);
        s = (PinStatus) { PIN_STATE_OK, 3, 3 };
        pin_memo_store(m, "a", &s);
        assert_true(pin_memo_load(m, "a", &got));
        assert_int_equal(got.state, PIN_STATE_OK);
        /* no serial, no memory */
        pin_memo_store(m, NULL, &s);
        assert_false(pin_memo_load(m, NULL, &got));
        pin_memo_free(m);
}

static void test_many_cards(void **state) {
        PinMemo *m = pin_memo_new(NULL);
        PinStatus last = { PIN_STATE_LAST_TRY, 1, 3 }, ok = { PIN_STATE_OK, 3, 3 }, got;
        char serial[32];

        pin_memo_store(m, "mine", &last);
        /* other cards in between: mine is still at its last try */
        for (int i = 0; i < PIN_MEMO_MAX - 1; i++) {
                snprintf(serial, sizeof serial, "other%d", i);
                pin_memo_store(m, serial, &ok);
        }
        assert_true(pin_memo_load(m, "mine", &got));
        assert_int_equal(got.state, PIN_STATE_LAST_TRY);
        /* full: the least recently used goes (other0, not mine, just loaded) */
        pin_memo_store(m, "new", &ok);
        assert_true(pin_memo_load(m, "mine", &got));
        assert_false(pin_memo_load(m, "other0", &got));
        assert_true(pin_memo_load(m, "other1", &got));
        assert_true(pin_memo_load(m, "new", &got));
        pin_memo_free(m);
        assert_null(pin_memo_free(NULL));
}

static void test_file(void **state) {
        char dir[] = "/tmp/test-pin-memo.XXXXXX", path[64];
        PinStatus last = { PIN_STATE_LAST_TRY, 1, 3 }, unknown = { PIN_STATE_UNKNOWN, -1, -1 }, got;
        PinMemo *m;
        FILE *f;

        assert_non_null(mkdtemp(dir));
        snprintf(path, sizeof path, "%s/pin-states", dir);
        m = pin_memo_new(path);
        pin_memo_store(m, "4b41525400000012", &last);
        pin_memo_store(m, "FAKE0001", &unknown);
        pin_memo_store(m, "bad serial", &last);         /* a space: not remembered */
        pin_memo_free(m);

        /* a restarted kartd */
        m = pin_memo_new(path);
        assert_true(pin_memo_load(m, "4b41525400000012", &got));
        assert_int_equal(got.state, PIN_STATE_LAST_TRY);
        assert_int_equal(got.tries_left, 1);
        assert_int_equal(got.tries_max, 3);
        assert_true(pin_memo_load(m, "FAKE0001", &got));
        assert_int_equal(got.state, PIN_STATE_UNKNOWN);
        assert_false(pin_memo_load(m, "bad serial", &got));
        pin_memo_free(m);

        /* a damaged file: the good lines count, the others are left out */
        f = fopen(path, "w");
        assert_non_null(f);
        fputs("aaaa last-try 1 3\n"
              "bbbb nonsense 1 3\n"
              "cccc locked 5 3\n"
              "dddd ok 2 3 extra\n"
              "eeee\n"
              "ffff locked 0 3\n", f);
        fclose(f);
        m = pin_memo_new(path);
        assert_true(pin_memo_load(m, "aaaa", &got));
        assert_false(pin_memo_load(m, "bbbb", &got));
        assert_false(pin_memo_load(m, "cccc", &got));
        assert_false(pin_memo_load(m, "dddd", &got));
        assert_false(pin_memo_load(m, "eeee", &got));
        assert_true(pin_memo_load(m, "ffff", &got));
        assert_int_equal(got.state, PIN_STATE_LOCKED);
        pin_memo_free(m);

        /* no file yet: nothing known, nothing wrong */
        unlink(path);
        m = pin_memo_new(path);
        assert_false(pin_memo_load(m, "aaaa", &got));
        pin_memo_free(m);
        unlink(path);
        rmdir(dir);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_store_load),
                cmocka_unit_test(test_many_cards),
                cmocka_unit_test(test_file),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
