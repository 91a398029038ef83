/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The string tables of common/kart-states.h: the wire strings are the bus
 * contract, every value has one and comes back from it, and a string no
 * table knows (a newer kartd's) is -EINVAL, never a value. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "kart-states.h"
#include "macro.h"

/* One table, seen through int so that one set of checks serves all. */
typedef struct Table {
        /* Its wire strings in enum order, as dbus/org.kartd.Kartd1.*.xml
         * documents them (a session's "starting" never reaches the bus). */
        const char *contract;
        int max, invalid;
        const char *(*to_string)(int v);
        int (*from_string)(const char *s);
} Table;

static const char *pin_to(int v) { return pin_state_to_string(v); }
static int pin_from(const char *s) { return pin_state_from_string(s); }
static const char *cert_to(int v) { return kart_cert_status_to_string(v); }
static int cert_from(const char *s) { return kart_cert_status_from_string(s); }
static const char *session_to(int v) { return kart_session_state_to_string(v); }
static int session_from(const char *s) { return kart_session_state_from_string(s); }

static const Table tables[] = {
        { "unknown ok last-try locked blocked",
          _PIN_STATE_MAX, _PIN_STATE_INVALID, pin_to, pin_from },
        { "unknown good on-hold revoked expired not-yet-valid unreadable",
          _KART_CERT_STATUS_MAX, _KART_CERT_STATUS_INVALID, cert_to, cert_from },
        { "starting awaiting-second-factor authorized applying completed cancelled expired",
          _KART_SESSION_STATE_MAX, _KART_SESSION_STATE_INVALID, session_to, session_from },
};

static void test_no_holes(void **state) {
        for (size_t t = 0; t < ELEMENTSOF(tables); t++) {
                const Table *k = &tables[t];

                assert_int_equal(k->invalid, -EINVAL);
                for (int v = 0; v < k->max; v++) {
                        const char *s = k->to_string(v);

                        assert_non_null(s);
                        assert_true(*s);
                }
                /* outside the enum: no string */
                assert_null(k->to_string(k->max));
                assert_null(k->to_string(-1));
                assert_null(k->to_string(k->invalid));
        }
}

static void test_contract(void **state) {
        for (size_t t = 0; t < ELEMENTSOF(tables); t++) {
                const Table *k = &tables[t];
                char all[256] = "";

                for (int v = 0; v < k->max; v++) {
                        if (v > 0)
                                strcat(all, " ");
                        strcat(all, k->to_string(v));
                }
                assert_string_equal(all, k->contract);
        }
}

static void test_round_trip(void **state) {
        for (size_t t = 0; t < ELEMENTSOF(tables); t++) {
                const Table *k = &tables[t];

                for (int v = 0; v < k->max; v++)
                        assert_int_equal(k->from_string(k->to_string(v)), v);
        }
}

static void test_unknown_strings(void **state) {
        static const char *const unknown[] = {
                "", "OK", "Good", "last_try", "on hold", " ok", "ok ", "awaiting_second_factor",
                "suspended", "unknown-state", "ok\n",
        };

        for (size_t t = 0; t < ELEMENTSOF(tables); t++) {
                const Table *k = &tables[t];

                assert_int_equal(k->from_string(NULL), -EINVAL);
                for (size_t i = 0; i < ELEMENTSOF(unknown); i++)
                        assert_int_equal(k->from_string(unknown[i]), -EINVAL);
        }
        /* each table knows its own strings only */
        assert_int_equal(pin_state_from_string("good"), -EINVAL);
        assert_int_equal(kart_cert_status_from_string("last-try"), -EINVAL);
        assert_int_equal(kart_session_state_from_string("unknown"), -EINVAL);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_no_holes),
                cmocka_unit_test(test_contract),
                cmocka_unit_test(test_round_trip),
                cmocka_unit_test(test_unknown_strings),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
