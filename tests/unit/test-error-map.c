/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The one table of D-Bus error names <-> errno: every name maps to a
 * distinct errno and back through sd-bus, and has a description. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "kart-error.h"

static void test_round_trip(void **state) {
        assert_int_equal(kart_error_register(), 0);
        for (const sd_bus_error_map *m = kart_error_map; m->name; m++) {
                sd_bus_error e = SD_BUS_ERROR_NULL;
                int r;

                /* errno -> name, both signs */
                assert_string_equal(kart_error_name_from_errno(m->code), m->name);
                assert_string_equal(kart_error_name_from_errno(-m->code), m->name);
                /* name -> errno, through sd-bus's registered maps */
                r = sd_bus_error_set(&e, m->name, "x");
                assert_int_equal(r, -m->code);
                sd_bus_error_free(&e);
        }
}

static void test_distinct(void **state) {
        for (const sd_bus_error_map *a = kart_error_map; a->name; a++)
                for (const sd_bus_error_map *b = a + 1; b->name; b++) {
                        assert_int_not_equal(a->code, b->code);
                        assert_string_not_equal(a->name, b->name);
                }
}

static void test_names_and_descriptions(void **state) {
        size_t n = 0;

        for (const sd_bus_error_map *m = kart_error_map; m->name; m++, n++) {
                assert_true(strncmp(m->name, "org.kartd.Kartd1.Error.", 23) == 0);
                assert_non_null(kart_error_describe(m->name));
        }
        assert_int_equal(n, 20);
        assert_null(kart_error_describe("org.freedesktop.DBus.Error.Failed"));
        assert_null(kart_error_describe(NULL));
        assert_null(kart_error_name_from_errno(ENOENT));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_round_trip),
                cmocka_unit_test(test_distinct),
                cmocka_unit_test(test_names_and_descriptions),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
