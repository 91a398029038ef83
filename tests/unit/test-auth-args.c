/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The bounds on a guarded call's arguments (daemon/auth/auth-args.c):
 * each bound taken exactly, one byte more refused with the right error,
 * and a message within them rewound for its handler. Messages are built
 * on a bus that never connects (a socketpair whose other end stays
 * silent) and sealed, as sd-bus does with a message it received. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "auth/auth-args.h"
#include "kart-error.h"
#include "macro.h"

/* sd-bus calls: 0 or more is success. */
#define OK(call) assert_true((call) >= 0)

static sd_bus *bus;
static int peer = -1;

static int setup(void **state) {
        int fds[2];

        assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
        assert_int_equal(sd_bus_new(&bus), 0);
        assert_int_equal(sd_bus_set_fd(bus, fds[0], fds[0]), 0);
        assert_true(sd_bus_start(bus) >= 0);
        peer = fds[1];
        return 0;
}

static int teardown(void **state) {
        bus = sd_bus_close_unref(bus);
        close(peer);
        return 0;
}

/* A string of n copies of c (freed by the caller). */
static char *filled(char c, size_t n) {
        char *s = malloc(n + 1);

        assert_non_null(s);
        memset(s, c, n);
        s[n] = '\0';
        return s;
}

static uint64_t cookie;

static sd_bus_message *sealed(sd_bus_message *m) {
        OK(sd_bus_message_seal(m, ++cookie, 0));
        return m;
}

/* VerifyPin(s pin, a{sv} options) with one option whose value is given. */
static sd_bus_message *verify_pin(const char *pin, const char *key, const char *type, const void *value) {
        sd_bus_message *m = NULL;

        OK(sd_bus_message_new_method_call(bus, &m, "org.kartd.Kartd1", "/org/kartd/Kartd1/card/_1",
                                                        "org.kartd.Kartd1.Card", "VerifyPin"));
        OK(sd_bus_message_append(m, "s", pin));
        OK(sd_bus_message_open_container(m, 'a', "{sv}"));
        if (key) {
                OK(sd_bus_message_open_container(m, 'e', "sv"));
                OK(sd_bus_message_append(m, "s", key));
                OK(sd_bus_message_open_container(m, 'v', type));
                if (streq(type, "as"))
                        OK(sd_bus_message_append(m, "as", 1, value));
                else
                        OK(sd_bus_message_append_basic(m, type[0], value));
                OK(sd_bus_message_close_container(m));
                OK(sd_bus_message_close_container(m));
        }
        OK(sd_bus_message_close_container(m));
        return sealed(m);
}

/* auth_args_check(); returns the error name, or NULL when m passed. */
static const char *check(sd_bus_message *m, const char *spec, char *name, size_t size) {
        sd_bus_error error = SD_BUS_ERROR_NULL;
        int r = auth_args_check(m, spec, &error);

        if (r >= 0) {
                assert_false(sd_bus_error_is_set(&error));
                return NULL;
        }
        assert_true(sd_bus_error_is_set(&error));
        snprintf(name, size, "%s", error.name);
        sd_bus_error_free(&error);
        return name;
}
#define CHECK(m, spec) check((m), (spec), (char[128]) {}, 128)

static void test_pin(void **state) {
        _cleanup_free_ char *longest = filled('7', AUTH_ARG_PIN_MAX), *too_long = filled('7', AUTH_ARG_PIN_MAX + 1),
                            *mib = filled('7', 1 << 20);
        sd_bus_message *m;
        const char *pin;

        m = verify_pin(longest, NULL, NULL, NULL);
        assert_null(CHECK(m, "PO"));
        /* rewound: the handler reads the PIN again */
        assert_int_equal(sd_bus_message_read(m, "s", &pin), 1);
        assert_string_equal(pin, longest);
        sd_bus_message_unref(m);

        m = verify_pin(too_long, NULL, NULL, NULL);
        assert_string_equal(CHECK(m, "PO"), KART_ERROR_INVALID_PIN);
        sd_bus_message_unref(m);
        m = verify_pin(mib, NULL, NULL, NULL);
        assert_string_equal(CHECK(m, "PO"), KART_ERROR_INVALID_PIN);
        sd_bus_message_unref(m);
}

static void test_options(void **state) {
        _cleanup_free_ char *word = filled('a', AUTH_ARG_WORD_MAX), *too_long = filled('a', AUTH_ARG_WORD_MAX + 1);
        sd_bus_message *m;
        int yes = 1;
        uint32_t u = 7;

        m = verify_pin("123456", "force", "b", &yes);
        assert_null(CHECK(m, "PO"));
        sd_bus_message_unref(m);
        m = verify_pin("123456", word, "u", &u);
        assert_null(CHECK(m, "PO"));
        sd_bus_message_unref(m);
        m = verify_pin("123456", "x", "s", word);
        assert_null(CHECK(m, "PO"));
        sd_bus_message_unref(m);

        m = verify_pin("123456", too_long, "b", &yes);
        assert_string_equal(CHECK(m, "PO"), SD_BUS_ERROR_INVALID_ARGS);
        sd_bus_message_unref(m);
        m = verify_pin("123456", "x", "s", too_long);
        assert_string_equal(CHECK(m, "PO"), SD_BUS_ERROR_INVALID_ARGS);
        sd_bus_message_unref(m);
        m = verify_pin("123456", "x", "as", "y");
        assert_string_equal(CHECK(m, "PO"), SD_BUS_ERROR_INVALID_ARGS);
        sd_bus_message_unref(m);
}

static void test_option_count(void **state) {
        for (unsigned n = AUTH_ARG_OPTIONS_MAX; n <= AUTH_ARG_OPTIONS_MAX + 1; n++) {
                sd_bus_message *m = NULL;

                OK(sd_bus_message_new_method_call(bus, &m, NULL, "/", "org.kartd.Kartd1.Card",
                                                                "VerifyPin"));
                OK(sd_bus_message_append(m, "s", "123456"));
                OK(sd_bus_message_open_container(m, 'a', "{sv}"));
                for (unsigned i = 0; i < n; i++)
                        OK(sd_bus_message_append(m, "{sv}", "force", "b", 0));
                OK(sd_bus_message_close_container(m));
                if (n <= AUTH_ARG_OPTIONS_MAX)
                        assert_null(CHECK(sealed(m), "PO"));
                else
                        assert_string_equal(CHECK(sealed(m), "PO"), SD_BUS_ERROR_INVALID_ARGS);
                sd_bus_message_unref(m);
        }
}

/* Session.Confirm(s method, s secret): a word and a secret. */
static void test_words_and_secrets(void **state) {
        _cleanup_free_ char *word = filled('w', AUTH_ARG_WORD_MAX), *long_word = filled('w', AUTH_ARG_WORD_MAX + 1),
                            *secret = filled('s', AUTH_ARG_SECRET_MAX),
                            *long_secret = filled('s', AUTH_ARG_SECRET_MAX + 1);
        const struct {
                const char *a, *b;
                const char *error;
        } cases[] = {
                { word, secret, NULL },
                { long_word, "123456", SD_BUS_ERROR_INVALID_ARGS },
                { "sms", long_secret, SD_BUS_ERROR_INVALID_ARGS },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                sd_bus_message *m = NULL;

                OK(sd_bus_message_new_method_call(bus, &m, NULL, "/", "org.kartd.Kartd1.Session",
                                                                "Confirm"));
                OK(sd_bus_message_append(m, "ss", cases[i].a, cases[i].b));
                if (cases[i].error)
                        assert_string_equal(CHECK(sealed(m), "WS"), cases[i].error);
                else
                        assert_null(CHECK(sealed(m), "WS"));
                sd_bus_message_unref(m);
        }
}

/* A spec that does not fit the message is kartd's own bug: Failed. */
static void test_mismatch(void **state) {
        sd_bus_message *m = verify_pin("123456", NULL, NULL, NULL);

        assert_string_equal(CHECK(m, "P"), KART_ERROR_FAILED);
        assert_string_equal(CHECK(m, "PPO"), KART_ERROR_FAILED);
        assert_string_equal(CHECK(m, "PX"), KART_ERROR_FAILED);
        assert_null(CHECK(m, "WO"));
        sd_bus_message_unref(m);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_pin),
                cmocka_unit_test(test_options),
                cmocka_unit_test(test_option_count),
                cmocka_unit_test(test_words_and_secrets),
                cmocka_unit_test(test_mismatch),
        };

        (void) kart_error_register();
        return cmocka_run_group_tests(tests, setup, teardown);
}
