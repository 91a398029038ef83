/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Certificate sessions and operations: list the account's certificates
 * with their status from the CA database, suspend, resume, revoke.
 * Called with ctx->lock held. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "backend.h"

bool handle_cert_create(Request *q, Reply *r) {
        static const char *const fields[] = { "verification_code", "card", "client", NULL };
        static const char *const card_fields[] = { "serial", NULL };
        static const char *const client_fields[] = { "name", "version", NULL };
        json_t *card, *client;
        const char *code, *serial, *name, *version;
        Session *s;

        if (!jc_object(r, q->body, "", fields))
                return false;
        card = json_object_get(q->body, "card");
        client = json_object_get(q->body, "client");
        if (!(code = jc_string(r, q->body, "", "verification_code", 1, 64)) ||
            !jc_object(r, card, "card", card_fields) || !(serial = jc_hex(r, card, "card", "serial", 2, 64, true)) ||
            !jc_object(r, client, "client", client_fields) || !(name = jc_string(r, client, "client", "name", 1, 64)) ||
            !(version = jc_string(r, client, "client", "version", 1, 32)))
                return false;
        if (!is_printable(name))
                return reply_bad_request(r, "client.name", "control characters");
        if (!is_printable(version))
                return reply_bad_request(r, "client.version", "control characters");
        s = session_create(q, r, KIND_CERT, code, serial);
        if (!s)
                return false;
        reply_json(r, 201, session_created_json(s));
        return true;
}

static Session *authorized_session(Request *q, Reply *r) {
        Session *s = session_authenticate(q, r, KIND_CERT, NULL, false);

        if (!s)
                return NULL;
        if (session_state(s, q->now) != ST_AUTHORIZED) {
                reply_error(r, 409, "wrong_state", "the session is %s", session_state_name(s, q->now));
                return NULL;
        }
        return s;
}

bool handle_certificates_list(Request *q, Reply *r) {
        const char *card = q->card_serial_arg;
        json_t *list;
        Session *s;

        if (!card || !*card || strlen(card) > 128 || strlen(card) % 2 || !is_hex(card, true))
                return reply_bad_request(r, "card_serial", "expected the card's serial, lowercase hex");
        s = authorized_session(q, r);
        if (!s)
                return false;
        if (!streq(card, s->card))
                return reply_error(r, 403, "card_not_owned", "not the session's card");
        list = json_array();
        for (char **c = s->account->certificates; c && *c; c++) {
                json_t *entry = NULL;
                int k = ca_index_describe(q->ctx->ca_dir, *c, &entry);
                if (k == -ENOENT)
                        continue;  /* listed in the account, unknown to the CA: not shown */
                if (k < 0) {
                        json_decref(list);
                        return reply_error(r, 500, "internal", "CA database unavailable");
                }
                json_array_append_new(list, entry);
        }
        reply_json(r, 200, json_pack("{s:o}", "certificates", list));
        return true;
}

static const char *const revoke_reasons[] = {
        "keyCompromise", "affiliationChanged", "superseded", "cessationOfOperation", "unspecified", NULL,
};

bool handle_certificate_op(Request *q, Reply *r, const char *serial, const char *op) {
        static const char *const no_fields[] = { NULL };
        static const char *const revoke_fields[] = { "reason", "confirm_serial", NULL };
        const char *reason = NULL, *confirm = NULL;
        unsigned from;
        CertStatus to;
        Session *s;
        bool known = false;
        int k;

        if (streq(op, "revoke")) {
                if (!jc_object(r, q->body, "", revoke_fields) || !(reason = jc_string(r, q->body, "", "reason", 1, 32)) ||
                    !(confirm = jc_string(r, q->body, "", "confirm_serial", 1, 128)))
                        return false;
                for (const char *const *p = revoke_reasons; *p; p++)
                        known = known || streq(*p, reason);
                if (!known)
                        return reply_bad_request(r, "reason", "not a reason this service accepts");
                from = 1u << CERT_GOOD | 1u << CERT_ON_HOLD;
                to = CERT_REVOKED;
        } else if (!jc_object(r, q->body, "", no_fields)) {
                return false;
        } else if (streq(op, "suspend")) {
                from = 1u << CERT_GOOD;
                to = CERT_ON_HOLD;
        } else {
                from = 1u << CERT_ON_HOLD;
                to = CERT_GOOD;
        }
        s = authorized_session(q, r);
        if (!s)
                return false;
        if (strlen(serial) % 2 || !is_hex(serial, false) || !account_has_certificate(s->account, serial))
                return reply_error(r, 404, "not_found", "no such certificate in this account");
        if (confirm && !streq(confirm, serial))
                return reply_error(r, 422, "confirm_mismatch", "confirm_serial differs from the certificate's serial");
        k = ca_index_set(q->ctx->ca_dir, serial, from, to, reason, q->now);
        if (k == -ENOENT)
                return reply_error(r, 404, "not_found", "no such certificate in this account");
        if (k == -EBUSY)
                return reply_error(r, 409, "wrong_state", "cannot %s a certificate in its current state", op);
        if (k < 0)
                return reply_error(r, 500, "internal", "could not update the CA database");
        audit_event(q->ctx, "certificate",
                    json_pack("{s:s, s:s, s:s, s:s, s:s, s:s?}", "request_id", q->request_id, "session_id", s->id,
                              "card", s->card, "serial", serial, "operation", op, "reason", reason),
                    NULL, 0);
        reply_json(r, 200, json_pack("{s:s, s:s}", "serial", serial, "status",
                                     to == CERT_GOOD ? "good" : to == CERT_ON_HOLD ? "on-hold" : "revoked"));
        return true;
}
