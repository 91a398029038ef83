/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The PIN states kartd remembers per card serial: what is stored is what
 * is loaded, other cards in between do not push a card's last try out
 * (up to PIN_MEMO_MAX of them), the least recently used goes first, and a
 * card without a serial is never remembered. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>

#include "macro.h"
#include "pin-memo.h"

static void test_store_load(void **state) {
        PinMemo *m = pin_memo_new();
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
        PinMemo *m = pin_memo_new();
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

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_store_load),
                cmocka_unit_test(test_many_cards),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
