/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target for what kartd takes from the CA service
 * (daemon/backend/ca-answers.c): the input, parsed as JSON the way the
 * backend client does, is read as every answer of the protocol (session
 * started, authorization, /v1/meta, the certificate list, a refusal), and
 * as an entry of kartd's unlock journal. What comes out is what
 * doc/backend-protocol.md allows: IDs and tokens that are safe in URLs
 * and headers, numbers within their ranges, only the second factors
 * kartd knows, https portals, and text a person sees (an error message,
 * an SMS destination, a subject, a reason) printable. Seeds:
 * tests/fuzz/seeds/ca/, the protocol's examples. */
#include "config.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ca-answers.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define URL_SAFE "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-"

static void check_printable(const char *s) {
        assert(s);
        for (; *s; s++)
                assert((unsigned char) *s >= 0x20 && *s != 0x7F);
}

static void check_only(const char *s, const char *allowed) {
        assert(s && *s && strspn(s, allowed) == strlen(s));
}

static void started(json_t *a, bool unlock) {
        CaStarted s;
        size_t n = 0;

        if (ca_answer_started(a, unlock, &s) < 0)
                return;
        check_only(s.session_id, URL_SAFE);
        check_only(s.token, URL_SAFE ".~+/=");
        assert(s.expires_in >= 1 && s.expires_in <= CA_MAX_SESSION_SEC);
        for (char **m = s.methods; m && *m; m++, n++) {
                assert(strcmp(*m, "sms") == 0 || strcmp(*m, "password") == 0);
                for (char **o = s.methods; o < m; o++)
                        assert(strcmp(*o, *m) != 0);
        }
        assert(n >= 1 && n <= 2);
        if (s.sms_destination)
                check_printable(s.sms_destination);
        if (unlock)
                assert(s.pin_min >= 4 && s.pin_min <= s.pin_max && s.pin_max <= 16);
        ca_started_done(&s);
}

static void certificates(json_t *a) {
        CaCertificate *c;
        size_t n;

        if (ca_answer_certificates(a, &c, &n) < 0)
                return;
        assert(n <= 256);
        for (size_t i = 0; i < n; i++) {
                check_only(c[i].serial, "0123456789ABCDEF");
                assert(strlen(c[i].serial) <= 40);
                check_printable(c[i].subject);
                check_printable(c[i].reason);
                assert(c[i].status == KART_CERT_STATUS_GOOD || c[i].status == KART_CERT_STATUS_ON_HOLD ||
                       c[i].status == KART_CERT_STATUS_REVOKED);
        }
        ca_certificates_free(c, n);
}

static void refusal(json_t *a) {
        BackendError e = { .attempts_left = -1, .retry_after = -1 };

        ca_answer_error(a, 409, &e);
        assert(e.http_status == 409);
        check_printable(e.message);
        if (e.code)
                check_only(e.code, URL_SAFE);
        assert(e.attempts_left >= -1 && e.attempts_left <= 1000);
        assert(e.retry_after >= -1 && e.retry_after <= 86400);
        free(e.code);
        free(e.message);
}

static void journal(const uint8_t *data, size_t size) {
        CaJournalEntry e;
        const char *outcome;

        if (ca_journal_parse((const char *) data, size, &e) < 0)
                return;
        check_only(e.session_id, URL_SAFE);
        check_only(e.token, URL_SAFE ".~+/=");
        assert(e.authorization_id && *e.authorization_id);
        outcome = json_string_value(json_object_get(e.outcome, "outcome"));
        assert(outcome && (strcmp(outcome, "success") == 0 || strcmp(outcome, "card_removed") == 0 ||
                           strcmp(outcome, "failed") == 0 || strcmp(outcome, "aborted") == 0));
        assert(strcmp(json_string_value(json_object_get(e.outcome, "authorization_id")), e.authorization_id) == 0);
        ca_journal_entry_done(&e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        json_t *a = json_loadb((const char *) data, size, JSON_REJECT_DUPLICATES, NULL);
        const char *text;
        uint8_t cryptogram[16];

        if (a) {
                started(a, true);
                started(a, false);
                if (ca_answer_authorization(a, &text, cryptogram) >= 0)
                        assert(*text && strlen(text) <= 128);
                if (ca_answer_meta(a, &text) >= 0 && text) {
                        assert(strncasecmp(text, "https://", 8) == 0);   /* (RFC 3986: any case) */
                        check_printable(text);
                }
                certificates(a);
                refusal(a);
                json_decref(a);
        }
        journal(data, size);
        return 0;
}
