/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ca-answers.h"
#include "macro.h"
#include "strutil.h"
#include "strv.h"

#define URL_SAFE "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-"
#define B64TOKEN URL_SAFE ".~+/="

static char *printable(const char *s) {
        return utf8_sanitize((const uint8_t *) s, strlen(s));
}

static bool only(const char *s, const char *allowed) {
        return *s && strspn(s, allowed) == strlen(s);
}

void ca_started_done(CaStarted *s) {
        free(s->session_id);
        string_erase_free(s->token);
        strv_free(s->methods);
        free(s->sms_destination);
        *s = (CaStarted) {};
}

static int started_methods(json_t *methods, CaStarted *s) {
        json_t *m;
        size_t i;

        if (!json_is_array(methods) || json_array_size(methods) > 8)
                return -EPROTO;
        json_array_foreach(methods, i, m) {
                const char *type = backend_json_string(m, "type", 16);

                if (!type || (!streq(type, "sms") && !streq(type, "password")) || strv_has(s->methods, type))
                        continue;       /* a method kartd does not know, or said twice */
                if (strv_push(&s->methods, strdup(type)) < 0)
                        return -ENOMEM;
                if (streq(type, "sms")) {
                        const char *d = backend_json_string(m, "destination", 64);

                        if (d && !(s->sms_destination = printable(d)))
                                return -ENOMEM;
                }
        }
        return s->methods ? 0 : -EPROTO;
}

int ca_answer_started(json_t *a, bool unlock, CaStarted *ret) {
        CaStarted s = {};
        const char *sid = backend_json_string(a, "session_id", 128);
        const char *token = backend_json_string(a, "session_token", 512);
        long long expires = backend_json_int(a, "expires_in", 1, CA_MAX_SESSION_SEC);
        int r;

        if (!sid || !only(sid, URL_SAFE) || !token || !only(token, B64TOKEN) || expires < 0 ||
            !streq_ptr(backend_json_string(a, "state", 64), "awaiting_second_factor"))
                return -EPROTO;
        r = started_methods(json_object_get(json_object_get(a, "second_factor"), "methods"), &s);
        if (r >= 0 && unlock) {
                json_t *p = json_object_get(a, "pin_policy");
                long long min = backend_json_int(p, "min", 4, 16), max = backend_json_int(p, "max", 4, 16);

                if (min < 0 || max < min)
                        r = -EPROTO;
                s.pin_min = (unsigned) MAX(min, 0);
                s.pin_max = (unsigned) MAX(max, 0);
        }
        if (r >= 0) {
                s.session_id = strdup(sid);
                s.token = strdup(token);
                s.expires_in = (unsigned) expires;
                if (!s.session_id || !s.token)
                        r = -ENOMEM;
        }
        if (r < 0) {
                ca_started_done(&s);
                return r;
        }
        *ret = s;
        return 0;
}

int ca_answer_authorization(json_t *a, const char **ret_id, uint8_t cryptogram[16]) {
        const char *id = backend_json_string(a, "authorization_id", 128);

        if (!id || !*id || backend_json_hex(a, "cryptogram", cryptogram, 16) < 0)
                return -EPROTO;
        *ret_id = id;
        return 0;
}

int ca_answer_meta(json_t *a, const char **ret_portal) {
        json_t *portal = json_object_get(a, "portal");

        *ret_portal = NULL;
        if (!portal || json_is_null(portal))
                return 0;
        if (!json_is_string(portal) || !https_url_valid(json_string_value(portal), PORTAL_URL_MAX))
                return -EPROTO;
        *ret_portal = json_string_value(portal);
        return 0;
}

void ca_certificates_free(CaCertificate *c, size_t n) {
        for (size_t i = 0; c && i < n; i++) {
                free(c[i].serial);
                free(c[i].subject);
                free(c[i].reason);
        }
        free(c);
}

static bool is_cert_serial(const char *s) {
        return s && strlen(s) <= 40 && only(s, "0123456789ABCDEF");
}

/* The CA's view of a certificate: good, on hold or revoked (the protocol
 * uses the bus's strings); anything else is not a status it may send. */
static bool is_account_status(KartCertStatus s) {
        return s == KART_CERT_STATUS_GOOD || s == KART_CERT_STATUS_ON_HOLD || s == KART_CERT_STATUS_REVOKED;
}

static int certificate(json_t *c, CaCertificate *ret) {
        const char *serial = backend_json_string(c, "serial", 40);
        const char *subject = backend_json_string(c, "subject", 1024);
        KartCertStatus status = kart_cert_status_from_string(backend_json_string(c, "status", 16));
        const char *reason = json_object_get(c, "revocation_reason") ?
                backend_json_string(c, "revocation_reason", 64) : "";
        long long not_after = backend_json_int(c, "not_after", 0, INT64_MAX);

        if (!is_cert_serial(serial) || !subject || not_after < 0 || !reason || !is_account_status(status))
                return -EPROTO;
        *ret = (CaCertificate) {
                .serial = strdup(serial),
                .subject = printable(subject),
                .not_after = (uint64_t) not_after,
                .status = status,
                .reason = printable(reason),
        };
        return ret->serial && ret->subject && ret->reason ? 0 : -ENOMEM;
}

int ca_answer_certificates(json_t *a, CaCertificate **ret, size_t *ret_n) {
        json_t *list = json_object_get(a, "certificates");
        CaCertificate *certs;
        size_t n;
        int r = 0;

        if (!json_is_array(list) || json_array_size(list) > 256)
                return -EPROTO;
        n = json_array_size(list);
        certs = calloc(MAX(n, (size_t) 1), sizeof *certs);
        if (!certs)
                return -ENOMEM;
        for (size_t i = 0; i < n && r >= 0; i++)
                r = certificate(json_array_get(list, i), &certs[i]);
        if (r < 0) {
                ca_certificates_free(certs, n);
                return r;
        }
        *ret = certs;
        *ret_n = n;
        return 0;
}

void ca_answer_error(json_t *a, long http_status, BackendError *e) {
        json_t *o = json_is_object(a) ? json_object_get(a, "error") : NULL;
        const char *code = o ? backend_json_string(o, "code", 64) : NULL;
        const char *message = o ? backend_json_string(o, "message", 512) : NULL;

        e->http_status = http_status;
        e->code = code && only(code, URL_SAFE) ? strdup(code) : NULL;
        if (message)
                e->message = printable(message);
        else if (asprintf(&e->message, "the backend answered HTTP %ld", http_status) < 0)
                e->message = NULL;
        if (o && json_object_get(o, "attempts_left"))
                e->attempts_left = (int) backend_json_int(o, "attempts_left", 0, 1000);
        if (o && json_object_get(o, "retry_after"))
                e->retry_after = (int) backend_json_int(o, "retry_after", 0, 86400);
}

void ca_journal_entry_done(CaJournalEntry *e) {
        free(e->session_id);
        free(e->authorization_id);
        string_erase_free(e->token);
        json_decref(e->outcome);
        *e = (CaJournalEntry) {};
}

static bool sw_text_valid(const char *s) {
        return s && (!*s || (strlen(s) == 4 && strspn(s, "0123456789abcdef") == 4));
}

/* The outcome recorded after the card step, rebuilt from its checked
 * fields; NULL when there is none or it does not hold together. */
static json_t *journal_outcome(json_t *entry, const char *authz) {
        json_t *r = json_object_get(entry, "result");
        const char *id = NULL, *outcome = NULL, *sw_ea = NULL, *sw_rrc = NULL;
        json_int_t tries = -2;

        if (!json_is_object(r) ||
            json_unpack(r, "{s:s, s:s, s:s, s:s, s:I}", "authorization_id", &id, "outcome", &outcome,
                        "sw_ea", &sw_ea, "sw_rrc", &sw_rrc, "pin_tries_after", &tries) < 0)
                return NULL;
        if (!streq(id, authz) ||
            !(streq(outcome, "success") || streq(outcome, "card_removed") || streq(outcome, "failed")) ||
            !sw_text_valid(sw_ea) || !sw_text_valid(sw_rrc) || tries < -1 || tries > 15)
                return NULL;
        return json_pack("{s:s, s:s, s:s, s:s, s:i}", "authorization_id", authz, "outcome", outcome,
                         "sw_ea", sw_ea, "sw_rrc", sw_rrc, "pin_tries_after", (int) tries);
}

int ca_journal_parse(const char *text, size_t len, CaJournalEntry *ret) {
        json_t *o = json_loadb(text, len, JSON_REJECT_DUPLICATES, NULL);
        const char *sid = backend_json_string(o, "session_id", 128);
        const char *authz = backend_json_string(o, "authorization_id", 128);
        const char *token = backend_json_string(o, "token", 512);
        CaJournalEntry e = {};
        int r = 0;

        if (!sid || !only(sid, URL_SAFE) || !authz || !*authz || !token || !only(token, B64TOKEN))
                r = -EPROTO;
        else {
                /* kartd died between EXTERNAL AUTHENTICATE and its report:
                 * what the card did, if the entry says, else "aborted". */
                e.outcome = journal_outcome(o, authz) ?:
                        json_pack("{s:s, s:s, s:s, s:s, s:i}", "authorization_id", authz, "outcome", "aborted",
                                  "sw_ea", "", "sw_rrc", "", "pin_tries_after", -1);
                e.session_id = strdup(sid);
                e.authorization_id = strdup(authz);
                e.token = strdup(token);
                if (!e.outcome || !e.session_id || !e.authorization_id || !e.token)
                        r = -ENOMEM;
        }
        json_decref(o);         /* (its copy of the token: the caller wipes the text) */
        if (r < 0) {
                ca_journal_entry_done(&e);
                return r;
        }
        *ret = e;
        return 0;
}
