/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A card serial goes into the backend's URL percent-encoded: a PKCS#11
 * token's serial (cleaned to printable UTF-8, so '?' for a bad byte) may
 * hold '&', '/', '#', spaces, which would otherwise change the query. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>

#include "backend/backend-client.h"
#include "strutil.h"

static void check(const char *value, const char *want) {
        char *url = backend_query("/v1/certificates", "card_serial", value);

        assert_non_null(url);
        assert_string_equal(url, want);
        free(url);
}

static void test_hex_serial_unchanged(void **state) {
        check("4b41525400000001", "/v1/certificates?card_serial=4b41525400000001");
}

static void test_token_serial_of_bad_bytes(void **state) {
        /* as it comes from the token, through the bus-side cleaning */
        const char raw[] = "FA&KE\xff 01/?#=%";
        char *serial = utf8_sanitize((const uint8_t *) raw, sizeof raw - 1);

        assert_non_null(serial);
        assert_string_equal(serial, "FA&KE? 01/?#=%");
        check(serial, "/v1/certificates?card_serial=FA%26KE%3F%2001%2F%3F%23%3D%25");
        free(serial);
}

static void test_utf8_serial(void **state) {
        check("İ-1", "/v1/certificates?card_serial=%C4%B0-1");
        check("", "/v1/certificates?card_serial=");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_hex_serial_unchanged),
                cmocka_unit_test(test_token_serial_of_bad_bytes),
                cmocka_unit_test(test_utf8_serial),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
