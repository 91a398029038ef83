/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What kartd takes from the CA's answers (ca-answers.c): the text a
 * person sees comes out printable, what goes into URLs and headers is
 * safe there, and an answer that does not hold together is refused. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "backend/ca-answers.h"

static json_t *parse(const char *text) {
        json_t *a = json_loads(text, JSON_REJECT_DUPLICATES, NULL);

        assert_non_null(a);
        return a;
}

/* The CA's error message reaches a terminal through kartctl: an escape
 * sequence in it must not. */
static void test_error_message_printable(void **state) {
        json_t *a = parse("{\"error\":{\"code\":\"bad_request\",\"message\":\"a\\u001b[2Jb\\nc\",\"attempts_left\":2}}");
        BackendError e = { .attempts_left = -1, .retry_after = -1 };

        ca_answer_error(a, 400, &e);
        assert_string_equal(e.message, "a?[2Jb?c");
        assert_string_equal(e.code, "bad_request");
        assert_int_equal(e.attempts_left, 2);
        assert_int_equal(e.retry_after, -1);
        free(e.code);
        free(e.message);
        json_decref(a);

        a = parse("{\"error\":{\"code\":\"a b\\n\"}}");
        e = (BackendError) { .attempts_left = -1, .retry_after = -1 };
        ca_answer_error(a, 503, &e);
        assert_null(e.code);    /* no code kartd could act on */
        assert_string_equal(e.message, "the backend answered HTTP 503");
        free(e.message);
        json_decref(a);
}

static void test_certificate_reason_printable(void **state) {
        json_t *a = parse("{\"certificates\":[{\"serial\":\"0A\",\"subject\":\"CN=x\\u0007\",\"not_after\":1,"
                          "\"status\":\"revoked\",\"revocation_reason\":\"key\\u001bCompromise\"}]}");
        CaCertificate *c;
        size_t n;

        assert_int_equal(ca_answer_certificates(a, &c, &n), 0);
        assert_int_equal(n, 1);
        assert_string_equal(c[0].subject, "CN=x?");
        assert_string_equal(c[0].reason, "key?Compromise");
        ca_certificates_free(c, n);
        json_decref(a);

        a = parse("{\"certificates\":[{\"serial\":\"0a\",\"subject\":\"CN=x\",\"not_after\":1,\"status\":\"good\"}]}");
        assert_int_equal(ca_answer_certificates(a, &c, &n), -EPROTO);       /* lowercase serial */
        json_decref(a);
}

static void test_started(void **state) {
        json_t *a = parse("{\"session_id\":\"s-1\",\"session_token\":\"dG9r\",\"state\":\"awaiting_second_factor\","
                          "\"expires_in\":600,\"second_factor\":{\"methods\":[{\"type\":\"sms\",\"destination\":"
                          "\"+90\\u001b5\"},{\"type\":\"sms\"},{\"type\":\"fax\"}]},\"pin_policy\":{\"min\":6,\"max\":8}}");
        CaStarted s;

        assert_int_equal(ca_answer_started(a, true, &s), 0);
        assert_string_equal(s.session_id, "s-1");
        assert_non_null(s.methods);
        assert_string_equal(s.methods[0], "sms");
        assert_null(s.methods[1]);      /* said twice: once; fax: unknown */
        assert_string_equal(s.sms_destination, "+90?5");
        assert_int_equal(s.pin_min, 6);
        assert_int_equal(s.pin_max, 8);
        ca_started_done(&s);
        json_decref(a);

        /* a session ID that would change the URL kartd builds from it */
        a = parse("{\"session_id\":\"../x\",\"session_token\":\"t\",\"state\":\"awaiting_second_factor\","
                  "\"expires_in\":600,\"second_factor\":{\"methods\":[{\"type\":\"password\"}]}}");
        assert_int_equal(ca_answer_started(a, false, &s), -EPROTO);
        json_decref(a);
        /* no PIN policy for an unlock */
        a = parse("{\"session_id\":\"x\",\"session_token\":\"t\",\"state\":\"awaiting_second_factor\","
                  "\"expires_in\":600,\"second_factor\":{\"methods\":[{\"type\":\"password\"}]}}");
        assert_int_equal(ca_answer_started(a, true, &s), -EPROTO);
        assert_int_equal(ca_answer_started(a, false, &s), 0);
        ca_started_done(&s);
        json_decref(a);
}

static void test_journal(void **state) {
        static const char whole[] = "{\"session_id\":\"s-1\",\"authorization_id\":\"a-1\",\"token\":\"dG9r\","
                "\"result\":{\"authorization_id\":\"a-1\",\"outcome\":\"success\",\"sw_ea\":\"9000\","
                "\"sw_rrc\":\"9000\",\"pin_tries_after\":3}}";
        static const char torn[] = "{\"session_id\":\"s-1\",\"authorization_id\":\"a-1\",\"token\":\"dG9r\","
                "\"result\":{\"authorization_id\":\"a-2\",\"outcome\":\"success\",\"sw_ea\":\"9000\","
                "\"sw_rrc\":\"9000\",\"pin_tries_after\":3}}";
        static const char bad_sid[] = "{\"session_id\":\"s/1\",\"authorization_id\":\"a-1\",\"token\":\"dG9r\"}";
        CaJournalEntry e;

        assert_int_equal(ca_journal_parse(whole, sizeof whole - 1, &e), 0);
        assert_string_equal(json_string_value(json_object_get(e.outcome, "outcome")), "success");
        ca_journal_entry_done(&e);
        /* an outcome for another authorization: reported as aborted */
        assert_int_equal(ca_journal_parse(torn, sizeof torn - 1, &e), 0);
        assert_string_equal(json_string_value(json_object_get(e.outcome, "outcome")), "aborted");
        ca_journal_entry_done(&e);
        assert_int_equal(ca_journal_parse(bad_sid, sizeof bad_sid - 1, &e), -EPROTO);
        assert_int_equal(ca_journal_parse("{", 1, &e), -EPROTO);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_error_message_printable),
                cmocka_unit_test(test_certificate_reason_printable),
                cmocka_unit_test(test_started),
                cmocka_unit_test(test_journal),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
