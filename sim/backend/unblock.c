/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The unblock flow: session creation with the card's description,
 * authorizations (the cryptogram for the card's challenge) and the
 * client's report of the outcome. Called with ctx->lock held. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "admin-key.h"
#include "backend.h"

CardUse *card_use_get(Context *ctx, const char *card) {
        CardUse *c;

        for (c = ctx->card_uses; c; c = c->next)
                if (streq(c->card, card))
                        return c;
        c = calloc(1, sizeof *c);
        if (!c)
                return NULL;
        snprintf(c->card, sizeof c->card, "%s", card);
        c->next = ctx->card_uses;
        ctx->card_uses = c;
        return c;
}

/* Authorizations of the card in the last 24 hours. */
static int card_auths_today(CardUse *c, time_t now) {
        int n = 0;

        for (int i = 0; i < c->n_auth_times; i++)
                if (now - c->auth_times[i] < 24 * 3600)
                        c->auth_times[n++] = c->auth_times[i];
        c->n_auth_times = n;
        return n;
}

bool handle_unblock_create(Request *q, Reply *r) {
        static const char *const fields[] = { "verification_code", "card", "client", NULL };
        static const char *const card_fields[] = { "serial", "atr", "pin_ref", "key_version", "pin_tries", NULL };
        static const char *const client_fields[] = { "name", "version", NULL };
        json_t *card, *client, *body;
        const char *code, *serial, *name, *version;
        long long pin_ref, key_version, pin_tries;
        Session *s;

        if (!jc_object(r, q->body, "", fields))
                return false;
        card = json_object_get(q->body, "card");
        client = json_object_get(q->body, "client");
        if (!(code = jc_string(r, q->body, "", "verification_code", 1, 64)) ||
            !jc_object(r, card, "card", card_fields) || !(serial = jc_hex(r, card, "card", "serial", 2, 64, true)) ||
            !jc_hex(r, card, "card", "atr", 4, 66, true) || !jc_int(r, card, "card", "pin_ref", 0, 255, &pin_ref) ||
            !jc_int(r, card, "card", "key_version", 0, 255, &key_version) ||
            !jc_int(r, card, "card", "pin_tries", -1, 15, &pin_tries) ||
            !jc_object(r, client, "client", client_fields) || !(name = jc_string(r, client, "client", "name", 1, 64)) ||
            !(version = jc_string(r, client, "client", "version", 1, 32)))
                return false;
        if (!is_printable(name))
                return reply_bad_request(r, "client.name", "control characters");
        if (!is_printable(version))
                return reply_bad_request(r, "client.version", "control characters");

        s = session_create(q, r, KIND_UNBLOCK, code, serial);
        if (!s)
                return false;
        s->pin_ref = (int) pin_ref;
        s->key_version = (int) key_version;
        body = session_created_json(s);
        json_object_set_new(body, "pin_policy", json_pack("{s:i, s:i, s:s}", "min", 6, "max", 8, "charset", "digits"));
        json_object_set_new(body, "max_authorizations", json_integer(AUTH_PER_SESSION));
        reply_json(r, 201, body);
        return true;
}

static bool make_cryptogram(Context *ctx, const Session *s, const char *challenge_hex, char out[33]) {
        uint8_t serial[64], challenge[ADMIN_CHALLENGE_LEN], key[ADMIN_KEY_LEN], c[ADMIN_KEY_LEN];
        int n = hex_to_bytes(s->card, serial, sizeof serial);
        bool ok;

        ok = n > 0 && hex_to_bytes(challenge_hex, challenge, sizeof challenge) == ADMIN_CHALLENGE_LEN &&
             admin_key_derive(ctx->master_key, serial, (size_t) n, (uint8_t) s->key_version, key) == 0 &&
             admin_cryptogram(key, challenge, c) == 0;
        if (ok)
                bytes_to_hex(c, sizeof c, out);
        OPENSSL_cleanse(key, sizeof key);
        OPENSSL_cleanse(c, sizeof c);
        return ok;
}

bool handle_authorizations(Request *q, Reply *r, const char *sid) {
        static const char *const fields[] = { "serial", "key_version", "pin_ref", "alg", "card_challenge", NULL };
        const char *serial, *alg, *challenge;
        long long key_version, pin_ref;
        char cryptogram[33];
        int session_left, card_left;
        Authorization *a;
        SessionState st;
        CardUse *use;
        Session *s;

        if (!jc_object(r, q->body, "", fields) || !(serial = jc_hex(r, q->body, "", "serial", 2, 64, true)) ||
            !jc_int(r, q->body, "", "key_version", 0, 255, &key_version) ||
            !jc_int(r, q->body, "", "pin_ref", 0, 255, &pin_ref) || !(alg = jc_string(r, q->body, "", "alg", 1, 32)) ||
            !(challenge = jc_hex(r, q->body, "", "card_challenge", 32, 32, true)))
                return false;
        if (!streq(alg, ALG_NAME))
                return reply_bad_request(r, "alg", "expected \"" ALG_NAME "\"");
        s = session_authenticate(q, r, KIND_UNBLOCK, sid, false);
        if (!s)
                return false;
        if (!streq(serial, s->card))
                return reply_error(r, 403, "card_not_owned", "not the session's card");
        if (key_version != s->key_version)
                return reply_bad_request(r, "key_version", "not the card's key version given at session start");
        if (pin_ref != s->pin_ref)
                return reply_bad_request(r, "pin_ref", "not the PIN reference given at session start");
        st = session_state(s, q->now);
        if (st != ST_AUTHORIZED && st != ST_AWAITING_RETRY)
                return reply_error(r, 409, "wrong_state", "no cryptogram in state %s", session_state_name(s, q->now));

        use = card_use_get(q->ctx, s->card);
        if (!use)
                return reply_error(r, 500, "internal", "out of memory");
        session_left = AUTH_PER_SESSION - s->n_auths;
        card_left = AUTH_PER_CARD_DAY - card_auths_today(use, q->now);
        if (use->admin_low)
                return reply_error(r, 429, "authorization_limit", "the card's admin key has too few tries left");
        if (session_left <= 0)
                return reply_error(r, 429, "authorization_limit", "no authorization left in this session");
        if (card_left <= 0)
                return reply_error(r, 429, "authorization_limit", "no authorization left for this card today");

        /* a retry starts from authorized_to_unblock: cryptograms only there */
        s->state = ST_AUTHORIZED;
        if (!make_cryptogram(q->ctx, s, challenge, cryptogram))
                return reply_error(r, 500, "internal", "could not compute the cryptogram");
        for (int i = 0; i < s->n_auths; i++)
                if (!s->auths[i].reported)
                        s->auths[i].superseded = true;
        a = &s->auths[s->n_auths++];
        *a = (Authorization) { .issued = q->now };
        memcpy(a->id, "az-", 3);
        random_hex(a->id + 3, 12);
        use->auth_times[use->n_auth_times++] = q->now;
        audit_event(q->ctx, "authorization",
                    json_pack("{s:s, s:s, s:s, s:s, s:i}", "request_id", q->request_id, "session_id", s->id, "card",
                              s->card, "authorization_id", a->id, "key_version", s->key_version),
                    NULL, 0);
        reply_json(r, 201, json_pack("{s:s, s:s, s:i, s:i}", "authorization_id", a->id, "cryptogram", cryptogram,
                                     "expires_in", AUTH_LIFETIME, "authorizations_left",
                                     MIN(session_left, card_left) - 1));
        OPENSSL_cleanse(cryptogram, sizeof cryptogram);
        return true;
}

/* Status words that say the admin key is nearly spent. */
static bool admin_key_low(const char *sw) {
        if (streq(sw, "6983"))
                return true;
        return strlen(sw) == 4 && strncmp(sw, "63c", 3) == 0 && sw[3] >= '0' && sw[3] < '0' + ADMIN_TRIES_FLOOR;
}

static const char *check_sw(Reply *r, json_t *body, const char *key) {
        const char *sw = jc_string(r, body, "", key, 0, 4);

        if (sw && *sw && (strlen(sw) != 4 || !is_hex(sw, true))) {
                reply_bad_request(r, key, "expected 4 lowercase hex digits or \"\"");
                return NULL;
        }
        return sw;
}

bool handle_result(Request *q, Reply *r, const char *sid) {
        static const char *const fields[] = { "authorization_id", "outcome", "sw_ea", "sw_rrc", "pin_tries_after",
                                              NULL };
        static const char *const outcomes[] = { "success", "failed", "card_removed", "aborted", NULL };
        const char *id, *outcome, *sw_ea, *sw_rrc;
        long long tries_after;
        Authorization *a = NULL;
        char audit_id[32];
        bool known = false;
        Session *s;

        if (!jc_object(r, q->body, "", fields) || !(id = jc_string(r, q->body, "", "authorization_id", 1, ID_MAX - 1)) ||
            !(outcome = jc_string(r, q->body, "", "outcome", 1, 16)) || !(sw_ea = check_sw(r, q->body, "sw_ea")) ||
            !(sw_rrc = check_sw(r, q->body, "sw_rrc")) ||
            !jc_int(r, q->body, "", "pin_tries_after", -1, 15, &tries_after))
                return false;
        for (const char *const *o = outcomes; *o; o++)
                known = known || streq(*o, outcome);
        if (!known)
                return reply_bad_request(r, "outcome", "expected success, failed, card_removed or aborted");
        s = session_authenticate(q, r, KIND_UNBLOCK, sid, false);
        if (!s)
                return false;
        for (int i = 0; i < s->n_auths; i++)
                if (streq(s->auths[i].id, id))
                        a = &s->auths[i];
        if (!a)
                return reply_error(r, 404, "not_found", "no such authorization in this session");
        if (a->reported || a->superseded || s->state != ST_AUTHORIZED)
                return reply_error(r, 409, "wrong_state", "this authorization's outcome is already known");
        a->reported = true;
        if (admin_key_low(sw_ea)) {
                CardUse *use = card_use_get(q->ctx, s->card);
                if (use)
                        use->admin_low = true;
        }
        s->state = streq(outcome, "success") ? ST_COMPLETED : ST_AWAITING_RETRY;
        audit_event(q->ctx, "result",
                    json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I}", "request_id", q->request_id, "session_id",
                              s->id, "card", s->card, "authorization_id", a->id, "outcome", outcome, "sw_ea", sw_ea,
                              "sw_rrc", sw_rrc, "pin_tries_after", (json_int_t) tries_after),
                    audit_id, sizeof audit_id);
        reply_json(r, 200, json_pack("{s:s, s:s}", "state", session_state_name(s, q->now), "audit_id", audit_id));
        return true;
}
