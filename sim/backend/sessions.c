/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Sessions of both kinds: creation from a verification code, the bearer
 * token, states and expiry, and the second factor (SMS code or web
 * password). All called with ctx->lock held. */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "backend.h"

static const char *const kind_purpose[] = { [KIND_UNBLOCK] = "unblock", [KIND_CERT] = "cert" };

SessionState session_state(const Session *s, time_t now) {
        if (s->state != ST_COMPLETED && s->state != ST_CANCELLED && now - s->created >= s->lifetime)
                return ST_EXPIRED;
        return s->state;
}

const char *session_state_name(const Session *s, time_t now) {
        switch (session_state(s, now)) {
        case ST_AWAITING_SECOND_FACTOR:
                return "awaiting_second_factor";
        case ST_AUTHORIZED:
                return s->kind == KIND_UNBLOCK ? "authorized_to_unblock" : "authorized";
        case ST_AWAITING_RETRY:
                return "awaiting_retry";
        case ST_COMPLETED:
                return "completed";
        case ST_CANCELLED:
                return "cancelled";
        case ST_EXPIRED:
        default:
                return "expired";
        }
}

long session_expires_in(const Session *s, time_t now) {
        SessionState st = session_state(s, now);

        if (st == ST_EXPIRED || st == ST_COMPLETED || st == ST_CANCELLED)
                return 0;
        return (long) (s->created + s->lifetime - now);
}

Session *session_authenticate(Request *q, Reply *r, SessionKind kind, const char *sid, bool allow_expired) {
        Session *found = NULL;

        if (!q->token) {
                reply_error(r, 401, "unauthorized", "a bearer token is required");
                return NULL;
        }
        for (Session *s = q->ctx->sessions; s; s = s->next)
                if (strlen(s->token) == strlen(q->token) && CRYPTO_memcmp(s->token, q->token, strlen(s->token)) == 0)
                        found = s;
        if (!found || found->kind != kind) {
                reply_error(r, 401, "unauthorized", "unknown session token");
                return NULL;
        }
        if (sid && !streq(found->id, sid)) {
                reply_error(r, 404, "session_not_found", "no such session for this token");
                return NULL;
        }
        if (!allow_expired && session_state(found, q->now) == ST_EXPIRED) {
                reply_error(r, 410, "session_expired", "the session has expired");
                return NULL;
        }
        return found;
}

static bool redeem_code(Request *q, Reply *r, SessionKind kind, const char *code, const char *card) {
        CodeResult res;
        int left, k;

        k = codes_redeem(q->ctx->state_dir, card, kind_purpose[kind], code, q->now, &res, &left);
        if (k < 0)
                return reply_error(r, 500, "internal", "verification code store unavailable");
        audit_event(q->ctx, "verification_code",
                    json_pack("{s:s, s:s, s:s, s:s}", "request_id", q->request_id, "card", card, "purpose",
                              kind_purpose[kind], "outcome",
                              res == CODE_OK ? "accepted" : res == CODE_USED ? "used"
                                                        : res == CODE_EXPIRED ? "expired" : "invalid"),
                    NULL, 0);
        switch (res) {
        case CODE_OK:
                return true;
        case CODE_USED:
                return reply_error(r, 410, "verification_code_used", "the verification code was already used");
        case CODE_EXPIRED:
                return reply_error(r, 410, "verification_code_expired", "the verification code has expired");
        case CODE_INVALID:
        default:
                return reply_error_full(r, 401, "verification_code_invalid", left, -1,
                                        left == 0 ? "too many wrong verification codes; get a new one"
                                                  : "wrong verification code");
        }
}

Session *session_create(Request *q, Reply *r, SessionKind kind, const char *code, const char *card) {
        const Account *account;
        Session *s;

        if (!code_well_formed(code)) {
                reply_bad_request(r, "verification_code", "expected XXXX-XXXX-XXXX from A-Z and 2-9");
                return NULL;
        }
        account = accounts_find_card(&q->ctx->accounts, card);
        if (!account) {
                reply_error(r, 403, "card_not_owned", "this card is not registered to an account");
                return NULL;
        }
        if (!redeem_code(q, r, kind, code, card))
                return NULL;
        s = calloc(1, sizeof *s);
        if (!s) {
                reply_error(r, 500, "internal", "out of memory");
                return NULL;
        }
        s->kind = kind;
        s->account = account;
        s->created = q->now;
        s->lifetime = q->ctx->session_lifetime;
        s->state = ST_AWAITING_SECOND_FACTOR;
        snprintf(s->card, sizeof s->card, "%s", card);
        memcpy(s->id, kind == KIND_UNBLOCK ? "us-" : "cs-", 3);
        memcpy(s->token, "st-", 3);
        if (random_hex(s->id + 3, 12) < 0 || random_hex(s->token + 3, 32) < 0) {
                free(s);
                reply_error(r, 500, "internal", "no randomness");
                return NULL;
        }
        s->next = q->ctx->sessions;
        q->ctx->sessions = s;
        audit_event(q->ctx, "session_created",
                    json_pack("{s:s, s:s, s:s, s:s}", "request_id", q->request_id, "session_id", s->id, "kind",
                              kind_purpose[kind], "card", card),
                    NULL, 0);
        return s;
}

json_t *session_created_json(const Session *s) {
        json_t *methods = json_array();
        char masked[64];

        if (s->account->phone) {
                phone_mask(s->account->phone, masked, sizeof masked);
                json_array_append_new(methods, json_pack("{s:s, s:s}", "type", "sms", "destination", masked));
        }
        if (s->account->has_password)
                json_array_append_new(methods, json_pack("{s:s}", "type", "password"));
        return json_pack("{s:s, s:s, s:s, s:i, s:{s:o}}", "session_id", s->id, "session_token", s->token, "state",
                         "awaiting_second_factor", "expires_in", (int) s->lifetime, "second_factor", "methods",
                         methods);
}

bool handle_session_get(Request *q, Reply *r, SessionKind kind, const char *sid) {
        Session *s = session_authenticate(q, r, kind, sid, true);

        if (!s)
                return false;
        reply_json(r, 200, json_pack("{s:s, s:I}", "state", session_state_name(s, q->now), "expires_in",
                                     (json_int_t) session_expires_in(s, q->now)));
        return true;
}

bool handle_session_delete(Request *q, Reply *r, SessionKind kind, const char *sid) {
        Session *s = session_authenticate(q, r, kind, sid, false);

        if (!s)
                return false;
        if (s->state != ST_COMPLETED && s->state != ST_CANCELLED) {
                s->state = ST_CANCELLED;
                s->sms_pending = false;
                OPENSSL_cleanse(s->sms_code, sizeof s->sms_code);
                audit_event(q->ctx, "session_cancelled",
                            json_pack("{s:s, s:s, s:s}", "request_id", q->request_id, "session_id", s->id, "card",
                                      s->card),
                            NULL, 0);
        }
        reply_json(r, 204, NULL);
        return true;
}

static bool second_factor_allowed(Reply *r, const Session *s, time_t now) {
        SessionState st = session_state(s, now);

        if (st == ST_AWAITING_SECOND_FACTOR || (s->kind == KIND_UNBLOCK && st == ST_AWAITING_RETRY))
                return true;
        return reply_error(r, 409, "wrong_state", "no second factor expected in state %s",
                           session_state_name(s, now));
}

static int sms_send(Context *ctx, Session *s, time_t now) {
        _cleanup_free_ char *path = NULL, *line = NULL;
        _cleanup_close_ int fd = -1;
        uint32_t n;
        int len;

        if (RAND_bytes((uint8_t *) &n, sizeof n) != 1)
                return -EIO;
        snprintf(s->sms_code, sizeof s->sms_code, "%06u", n % 1000000);
        if (asprintf(&path, "%s/sms.outbox", ctx->state_dir) < 0)
                return -ENOMEM;
        len = asprintf(&line, "%lld %s %s %s\n", (long long) now, s->account->phone, s->sms_code,
                       kind_purpose[s->kind]);
        if (len < 0)
                return -ENOMEM;
        fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
        if (fd < 0 || write(fd, line, (size_t) len) != len)
                return -EIO;
        OPENSSL_cleanse(line, (size_t) len);
        s->sms_pending = true;
        s->sms_sent = now;
        s->sms_sends++;
        s->sms_wrong = 0;
        return 0;
}

bool handle_second_factor_challenge(Request *q, Reply *r, SessionKind kind, const char *sid) {
        static const char *const fields[] = { "type", NULL };
        Session *s;
        const char *type;

        if (!jc_object(r, q->body, "", fields) || !(type = jc_string(r, q->body, "", "type", 1, 16)))
                return false;
        if (!streq(type, "sms"))
                return reply_bad_request(r, "type", streq(type, "password") ? "the password needs no challenge"
                                                                            : "expected \"sms\"");
        s = session_authenticate(q, r, kind, sid, false);
        if (!s || !second_factor_allowed(r, s, q->now))
                return false;
        if (!s->account->phone)
                return reply_error(r, 409, "wrong_state", "the account has no phone number");
        if (s->sms_sends >= SMS_SENDS)
                return reply_error_full(r, 429, "rate_limited", -1, (int) session_expires_in(s, q->now),
                                        "no SMS left for this session");
        if (s->sms_sends > 0 && q->now - s->sms_sent < SMS_RESEND)
                return reply_error_full(r, 429, "rate_limited", -1, (int) (s->sms_sent + SMS_RESEND - q->now),
                                        "wait before asking for another SMS");
        if (sms_send(q->ctx, s, q->now) < 0)
                return reply_error(r, 500, "internal", "could not send the SMS");
        audit_event(q->ctx, "sms_sent",
                    json_pack("{s:s, s:s, s:s, s:i}", "request_id", q->request_id, "session_id", s->id, "card",
                              s->card, "sends", s->sms_sends),
                    NULL, 0);
        reply_json(r, 202, json_pack("{s:i, s:i, s:i}", "expires_in", SMS_LIFETIME, "resend_in", SMS_RESEND,
                                     "sends_left", SMS_SENDS - s->sms_sends));
        return true;
}

static bool verify_sms(Request *q, Reply *r, Session *s, const char *code) {
        bool ok;

        if (s->sms_wrong >= SMS_TRIES)
                return reply_error(r, 423, "second_factor_locked", "too many wrong SMS codes; ask for a new one");
        if (!s->sms_pending || q->now - s->sms_sent > SMS_LIFETIME)
                return reply_error(r, 409, "wrong_state", "no SMS code pending; ask for one");
        ok = CRYPTO_memcmp(code, s->sms_code, 6) == 0;
        if (!ok) {
                s->sms_wrong++;
                return reply_error_full(r, 401, "second_factor_invalid", SMS_TRIES - s->sms_wrong, -1,
                                        "wrong SMS code");
        }
        s->sms_pending = false;
        OPENSSL_cleanse(s->sms_code, sizeof s->sms_code);
        return true;
}

static bool verify_password(Reply *r, Session *s, const char *password) {
        if (!s->account->has_password)
                return reply_error(r, 409, "wrong_state", "the account has no web password");
        if (s->password_wrong >= PASSWORD_TRIES)
                return reply_error(r, 423, "second_factor_locked", "too many wrong passwords in this session");
        if (!account_check_password(s->account, password)) {
                s->password_wrong++;
                return reply_error_full(r, 401, "second_factor_invalid", PASSWORD_TRIES - s->password_wrong, -1,
                                        "wrong password");
        }
        return true;
}

bool handle_second_factor_verify(Request *q, Reply *r, SessionKind kind, const char *sid) {
        static const char *const sms_fields[] = { "type", "code", NULL };
        static const char *const pw_fields[] = { "type", "password", NULL };
        const char *type, *secret;
        bool sms, ok;
        Session *s;

        if (!json_is_object(q->body))
                return reply_bad_request(r, "body", "expected an object");
        if (!(type = jc_string(r, q->body, "", "type", 1, 16)))
                return false;
        if (!streq(type, "sms") && !streq(type, "password"))
                return reply_bad_request(r, "type", "expected \"sms\" or \"password\"");
        sms = streq(type, "sms");
        if (!jc_object(r, q->body, "", sms ? sms_fields : pw_fields))
                return false;
        secret = sms ? jc_string(r, q->body, "", "code", 6, 6) : jc_string(r, q->body, "", "password", 1, 256);
        if (!secret)
                return false;
        if (sms && strspn(secret, "0123456789") != 6)
                return reply_bad_request(r, "code", "expected 6 digits");
        s = session_authenticate(q, r, kind, sid, false);
        if (!s || !second_factor_allowed(r, s, q->now))
                return false;
        ok = sms ? verify_sms(q, r, s, secret) : verify_password(r, s, secret);
        audit_event(q->ctx, "second_factor",
                    json_pack("{s:s, s:s, s:s, s:s, s:s}", "request_id", q->request_id, "session_id", s->id,
                              "card", s->card, "method", type, "outcome", ok ? "accepted" : "refused"),
                    NULL, 0);
        if (!ok)
                return false;
        s->state = ST_AUTHORIZED;
        reply_json(r, 200, json_pack("{s:s}", "state", session_state_name(s, q->now)));
        return true;
}

void sessions_free(Context *ctx) {
        while (ctx->sessions) {
                Session *s = ctx->sessions;
                ctx->sessions = s->next;
                OPENSSL_cleanse(s, sizeof *s);
                free(s);
        }
        while (ctx->card_uses) {
                CardUse *c = ctx->card_uses;
                ctx->card_uses = c->next;
                free(c);
        }
}
