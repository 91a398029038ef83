/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The admin key diversification and the unlock cryptogram against the
 * test vector of doc/backend-protocol.md (checked independently with
 * `openssl mac -cipher AES-128-CBC -macopt hexkey:K CMAC`). */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>

#include "admin-key.h"

static const uint8_t master[16] = { 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
                                    0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F };
static const uint8_t serial[8] = { 0x4B, 0x41, 0x52, 0x54, 0x00, 0x00, 0x00, 0x01 };
static const uint8_t k_card[16] = { 0xC7, 0xB8, 0x2D, 0x94, 0x27, 0xD4, 0xA2, 0x42,
                                    0xA9, 0xA9, 0xD4, 0x9B, 0x45, 0x89, 0x9B, 0xAE };
static const uint8_t challenge[16] = { 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
                                       0x88, 0x99, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF };
static const uint8_t cryptogram[16] = { 0xCC, 0x0F, 0x40, 0x34, 0x29, 0x23, 0x97, 0xE8,
                                        0x96, 0xA5, 0xFD, 0x3F, 0x98, 0xC2, 0x1A, 0xCD };

static void test_vector(void **state) {
        uint8_t k[16], c[16];

        (void) state;
        assert_int_equal(admin_key_derive(master, serial, sizeof serial, 0x01, k), 0);
        assert_memory_equal(k, k_card, 16);
        assert_int_equal(admin_cryptogram(k, challenge, c), 0);
        assert_memory_equal(c, cryptogram, 16);
}

static void test_inputs_matter(void **state) {
        uint8_t k[16], k2[16];

        (void) state;
        assert_int_equal(admin_key_derive(master, serial, sizeof serial, 0x02, k), 0);
        assert_memory_not_equal(k, k_card, 16);         /* key version */
        assert_int_equal(admin_key_derive(master, serial, sizeof serial - 1, 0x01, k2), 0);
        assert_memory_not_equal(k2, k_card, 16);        /* serial */
        assert_int_equal(admin_key_derive(master, serial, 0, 0x01, k), -EINVAL);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_vector),
                cmocka_unit_test(test_inputs_matter),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
