/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Sessions with the CA backend: their life (start, expiry, cancel, end)
 * and the steps that are only HTTPS (second factor, certificates). The
 * card part of an unlock is in session-unlock.c. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit.h"
#include "backend/ca-answers.h"
#include "hexutil.h"
#include "kart-error.h"
#include "log.h"
#include "macro.h"
#include "session-private.h"
#include "strutil.h"
#include "strv.h"

#define MAX_ANSWER (64 * 1024)
#define MAX_CERT_LIST (1024 * 1024)

struct Step {
        Session *session;
        const char *what;       /* for messages: "Starting the unlock session" */
        SessionDone done;
        void *userdata;
        /* a certificate operation, for the audit trail (else action NULL) */
        const char *action;
        char cert_serial[48];
        EngineCaller caller;
};

int session_manager_new(sd_event *event, Engine *engine, BackendClient *backend, const char *state_dir,
                        const char *portal_url, const SessionObserver *observer, void *userdata,
                        SessionManager **ret) {
        SessionManager *m = calloc(1, sizeof *m);

        if (!m)
                return -ENOMEM;
        *m = (SessionManager) { .event = sd_event_ref(event), .engine = engine, .backend = backend,
                                .observer = observer, .userdata = userdata };
        m->state_dir = state_dir ? strdup(state_dir) : NULL;
        m->portal_config = portal_url && *portal_url ? strdup(portal_url) : NULL;
        if ((state_dir && !m->state_dir) || (portal_url && *portal_url && !m->portal_config)) {
                session_manager_free(m);
                return -ENOMEM;
        }
        *ret = m;
        return 0;
}

static void step_done(Step *st, int r, const char *message, json_t *answer);

/* The step on its way gets its answer now: its caller is not left waiting
 * (holding its message, maybe a secret) for a session that is gone. */
static void step_abort(Session *s, const char *why) {
        Step *st = s->step;

        backend_call_cancel(s->call);
        s->call = NULL;
        s->step = NULL;
        if (st)
                step_done(st, -KART_ECANCELLED, why, NULL);
}

static void session_free(Session *s) {
        SessionManager *m = s->manager;

        step_abort(s, "The session ended before the CA answered.");

        if (s->prev)
                s->prev->next = s->next;
        else
                m->sessions = s->next;
        if (s->next)
                s->next->prev = s->prev;
        session_unlock_detach(s);
        sd_event_source_disable_unref(s->expiry);
        free(s->card_id);
        free(s->serial);
        free(s->sid);
        string_erase_free(s->token);
        strv_free(s->methods);
        free(s->sms_destination);
        free(s->error);
        free(s);
}

SessionManager *session_manager_free(SessionManager *m) {
        if (!m)
                return NULL;
        /* Each session's observers hear that it ended (the bus layer
         * sends Finished and drops the object, and its hold on the bus). */
        while (m->sessions) {
                if (m->sessions->finishing)
                        session_free(m->sessions);
                else
                        session_finish(m->sessions, -KART_ECANCELLED, "kartd is stopping.");
        }
        backend_call_cancel(m->meta_call);
        sd_event_unref(m->event);
        free(m->state_dir);
        free(m->portal_config);
        free(m->ca_portal);
        free(m);
        return NULL;
}

bool session_manager_backend_configured(SessionManager *m) {
        return backend_client_configured(m->backend);
}

const CardModel *session_card_unlock_model(const Card *c) {
        return c->token && !c->token_pin_only ? &c->native : &c->model;
}

bool session_manager_can_unlock(SessionManager *m, const Card *c) {
        /* The driver says whether protocol v1's admin key is on the card
         * (the reference card); an AKİS card's unlock is the CA's secret,
         * never to be guessed at. */
        return backend_client_configured(m->backend) && c->serial && c->pin.present &&
               session_card_unlock_model(c)->unlock;
}

unsigned session_id(const Session *s) { return s->id; }
uid_t session_owner(const Session *s) { return s->owner; }
SessionKind session_kind(const Session *s) { return s->kind; }
const char *session_card_id(const Session *s) { return s->card_id; }
KartSessionState session_state(const Session *s) { return s->state; }
char **session_methods(const Session *s) { return s->methods; }
const char *session_sms_destination(const Session *s) { return strempty(s->sms_destination); }
unsigned session_pin_min(const Session *s) { return s->pin_min; }
unsigned session_pin_max(const Session *s) { return s->pin_max; }
uint64_t session_expires_at(const Session *s) { return s->expires_at; }
const char *session_error(const Session *s) { return strempty(s->error); }
void *session_get_userdata(const Session *s) { return s->userdata; }
void session_set_userdata(Session *s, void *userdata) { s->userdata = userdata; }

void session_set_state(Session *s, KartSessionState state) {
        if (s->state == state)
                return;
        s->state = state;
        if (s->manager->observer->changed)
                s->manager->observer->changed(s, s->manager->userdata);
}

/* Ends the session: tells the observer, then frees it. */
void session_finish(Session *s, int r, const char *message) {
        SessionManager *m = s->manager;

        if (s->finishing)
                return;
        s->finishing = true;
        if (s->step)
                step_abort(s, r == -KART_ESESSIONEXPIRED ? "The session expired before the CA answered." :
                                                           "The session was cancelled before the CA answered.");
        free(s->error);
        s->error = r < 0 ? strdup(message ?: "") : NULL;
        log_info("Session %u (%s, card %s) ended: %s%s%s", s->id, s->kind == SESSION_UNLOCK ? "unlock" : "certificate",
                 s->serial, kart_session_state_to_string(s->state), r < 0 ? " - " : "",
                 r < 0 ? strempty(message) : "");
        if (m->observer->finished)
                m->observer->finished(s, r, message, m->userdata);
        session_free(s);
}

/* A backend failure as one of our errors, with a message for people that
 * names the step (the log has the technical reason: backend-client.c). */
int session_backend_error(int r, const BackendError *e, const char *step, char **message) {
        const char *code = e ? e->code : NULL;
        char extra[64] = "";
        int k;

        /* A 5xx is a server fault, not a refusal (the protocol: unknown
         * codes by their status class); it was retried already. */
        if (r == -EBADE && e->http_status < 500) {
                if (code && (streq(code, "verification_code_invalid") || streq(code, "verification_code_used") ||
                             streq(code, "verification_code_expired")))
                        k = -KART_EVERIFICATIONCODE;
                else if (code && (streq(code, "second_factor_invalid") || streq(code, "second_factor_locked")))
                        k = -KART_ESECONDFACTOR;
                else if (code && (streq(code, "session_expired") || streq(code, "session_not_found")))
                        k = -KART_ESESSIONEXPIRED;
                else
                        k = -KART_EBACKENDREJECTED;
                if (e->attempts_left >= 0)
                        snprintf(extra, sizeof extra, " (attempts left: %d)", e->attempts_left);
                else if (e->retry_after >= 0)
                        snprintf(extra, sizeof extra, " (try again in %d s)", e->retry_after);
                if (asprintf(message, "%s%s", e->message, extra) < 0)
                        *message = NULL;
                return k;
        }
        /* Clients put this message's N in their own words (kart-error.c):
         * keep its form. */
        if (r == -ETIMEDOUT && e && e->waited_sec > 0) {
                if (asprintf(message, "%s: the CA did not answer in %u s.", step, e->waited_sec) < 0)
                        *message = NULL;
                return -KART_ETIMEOUT;
        }
        if (asprintf(message, "%s: the CA service cannot be used: %s.", step,
                     e && e->message ? e->message : strerror(-r)) < 0)
                *message = NULL;
        return -KART_EBACKENDUNAVAILABLE;
}

static void step_done(Step *st, int r, const char *message, json_t *answer) {
        Session *s = st->session;

        if (st->done)
                st->done(s, r, message, answer, st->userdata);
        free(st);
}

/* Starts one backend call of s; done(result, answer, error) runs with the
 * step. -EBUSY when another step of s is on its way. */
static int step_start_audited(Session *s, const char *what, const char *method, const char *path, json_t *body,
                              size_t cap, BackendDone on_answer, const Step *audit, SessionDone done,
                              void *userdata) {
        Step *st;
        int r;

        if (s->call || s->job)
                return -EBUSY;
        st = calloc(1, sizeof *st);
        if (!st)
                return -ENOMEM;
        *st = audit ? *audit : (Step) {};
        st->session = s;
        st->what = what;
        st->done = done;
        st->userdata = userdata;
        r = backend_call(s->manager->backend, method, path, s->token, body, cap, on_answer, st, &s->call);
        if (r < 0) {
                free(st);
                return r;
        }
        s->step = st;
        return r;
}

static int step_start(Session *s, const char *what, const char *method, const char *path, json_t *body,
                      size_t cap, BackendDone on_answer, SessionDone done, void *userdata) {
        return step_start_audited(s, what, method, path, body, cap, on_answer, NULL, done, userdata);
}

/* The common end of a step's answer: the error mapped, or NULL. */
static Step *step_answer(void *userdata, int r, const BackendError *e, char **message, int *ret) {
        Step *st = userdata;

        st->session->call = NULL;
        st->session->step = NULL;
        *ret = r < 0 ? session_backend_error(r, e, st->what, message) : 0;
        return st;
}

/* ------------------------------------------------------------------ start */

static void expire(Session *s) {
        session_set_state(s, KART_SESSION_STATE_EXPIRED);
        session_finish(s, -KART_ESESSIONEXPIRED, "The session has expired.");
}

static int on_expiry(sd_event_source *src _unused_, uint64_t usec _unused_, void *userdata) {
        Session *s = userdata;

        if (s->job)             /* the card is being written: the job ends it */
                return 0;
        expire(s);
        return 0;
}

static int parse_started(Session *s, json_t *a) {
        CaStarted st;
        uint64_t now_usec;
        int r;

        r = ca_answer_started(a, s->kind == SESSION_UNLOCK, &st);
        if (r < 0)
                return r;
        s->sid = TAKE_PTR(st.session_id);
        s->token = TAKE_PTR(st.token);
        strv_free(s->methods);
        s->methods = TAKE_PTR(st.methods);
        free(s->sms_destination);
        s->sms_destination = TAKE_PTR(st.sms_destination);
        if (s->kind == SESSION_UNLOCK) {
                s->pin_min = st.pin_min;
                s->pin_max = st.pin_max;
        }
        r = sd_event_now(s->manager->event, CLOCK_REALTIME, &now_usec);
        if (r >= 0) {
                s->expires_at = now_usec + (uint64_t) st.expires_in * 1000000;
                r = sd_event_add_time(s->manager->event, &s->expiry, CLOCK_REALTIME, s->expires_at, 1000000,
                                      on_expiry, s);
        }
        ca_started_done(&st);
        return r;
}

static void on_started(int result, json_t *answer, const BackendError *e, void *userdata) {
        _cleanup_free_ char *message = NULL;
        int r;
        Step *st = step_answer(userdata, result, e, &message, &r);
        Session *s = st->session;

        if (r >= 0 && (r = parse_started(s, answer)) < 0)
                r = session_backend_error(r == -ENOMEM ? r : -EPROTO,
                                          &(BackendError) { .message = (char *) "its answer to a new session is not valid" },
                                          st->what, &message);
        if (r < 0) {
                step_done(st, r, message, NULL);
                s->finishing = true;    /* never announced: freed quietly */
                session_free(s);
                return;
        }
        session_set_state(s, KART_SESSION_STATE_AWAITING_SECOND_FACTOR);
        log_info("Session %u (%s) started for card %s.", s->id, s->kind == SESSION_UNLOCK ? "unlock" : "certificate",
                 s->serial);
        step_done(st, 0, NULL, NULL);
}

static json_t *start_body(const Card *c, SessionKind kind, const char *code) {
        _cleanup_free_ char *atr = hex_encode(c->atr, c->atr_len);

        if (kind == SESSION_CERTIFICATE)
                return json_pack("{s:s, s:{s:s}, s:{s:s, s:s}}", "verification_code", code,
                                 "card", "serial", c->serial,
                                 "client", "name", PACKAGE_NAME, "version", PACKAGE_VERSION);
        return json_pack("{s:s, s:{s:s, s:s, s:i, s:i, s:i}, s:{s:s, s:s}}", "verification_code", code,
                         "card", "serial", c->serial, "atr", atr ?: "", "pin_ref", (int) c->pin.reference,
                         "key_version", (int) session_card_unlock_model(c)->unlock_key_version, "pin_tries", c->pin_status.tries_left,
                         "client", "name", PACKAGE_NAME, "version", PACKAGE_VERSION);
}

int session_start(SessionManager *m, Card *c, SessionKind kind, uid_t owner, const char *verification_code,
                  SessionDone done, void *userdata) {
        json_t *body;
        Session *s;
        int r;

        /* a CA that was down at start tells its portal now */
        session_manager_fetch_meta(m);

        if (!backend_client_configured(m->backend) || !c->serial)
                return -KART_ENOTSUPPORTED;
        if (kind == SESSION_UNLOCK && !session_manager_can_unlock(m, c))
                return -KART_ENOTSUPPORTED;
        for (Session *o = m->sessions, *next; o; o = next) {
                next = o->next;
                if (o->kind != kind || !streq(o->serial, c->serial))
                        continue;
                if (o->owner != owner || o->job || o->call)
                        return -KART_EBUSY;
                log_info("Session %u replaced by a new one of the same user.", o->id);
                session_cancel(o);      /* frees o */
        }

        s = calloc(1, sizeof *s);
        if (!s)
                return -ENOMEM;
        *s = (Session) { .manager = m, .id = ++m->last_id, .kind = kind, .owner = owner,
                         .state = KART_SESSION_STATE_STARTING };
        s->card_id = strdup(c->id);
        s->serial = strdup(c->serial);
        s->next = m->sessions;
        if (m->sessions)
                m->sessions->prev = s;
        m->sessions = s;
        body = s->card_id && s->serial ? start_body(c, kind, verification_code) : NULL;
        r = body ? step_start(s, kind == SESSION_UNLOCK ? "Starting the unlock session" :
                                                          "Starting the certificate session",
                              "POST", kind == SESSION_UNLOCK ? "/v1/unblock/sessions" : "/v1/cert/sessions",
                              body, MAX_ANSWER, on_started, done, userdata) : -ENOMEM;
        json_decref(body);
        if (r < 0) {
                s->finishing = true;
                session_free(s);
        }
        return r;
}

/* ------------------------------------------------------------------ second factor */

static const char *base_path(const Session *s) {
        return s->kind == SESSION_UNLOCK ? "/v1/unblock/sessions" : "/v1/cert/sessions";
}

static void on_sms_sent(int result, json_t *answer, const BackendError *e, void *userdata) {
        _cleanup_free_ char *message = NULL;
        int r;
        Step *st = step_answer(userdata, result, e, &message, &r);

        if (r >= 0 && backend_json_int(answer, "expires_in", 1, 3600) < 0)
                r = session_backend_error(-EPROTO, &(BackendError) { .message = (char *) "invalid answer" }, st->what,
                                          &message);
        step_done(st, r, message, answer);
}

int session_send_sms(Session *s, SessionDone done, void *userdata) {
        _cleanup_free_ char *path = NULL;
        json_t *body;
        int r;

        if (s->state != KART_SESSION_STATE_AWAITING_SECOND_FACTOR || !strv_has(s->methods, "sms"))
                return -KART_ENOTSUPPORTED;
        if (asprintf(&path, "%s/%s/second-factor/challenge", base_path(s), s->sid) < 0)
                return -ENOMEM;
        body = json_pack("{s:s}", "type", "sms");
        r = body ? step_start(s, "Sending the SMS code", "POST", path, body, MAX_ANSWER, on_sms_sent, done, userdata)
                 : -ENOMEM;
        json_decref(body);
        return r;
}

static void on_confirmed(int result, json_t *answer, const BackendError *e, void *userdata) {
        _cleanup_free_ char *message = NULL;
        int r;
        Step *st = step_answer(userdata, result, e, &message, &r);
        Session *s = st->session;
        const char *want = s->kind == SESSION_UNLOCK ? "authorized_to_unblock" : "authorized";

        if (r >= 0 && !streq_ptr(backend_json_string(answer, "state", 64), want))
                r = session_backend_error(-EPROTO, &(BackendError) { .message = (char *) "invalid answer" }, st->what,
                                          &message);
        if (r >= 0)
                session_set_state(s, KART_SESSION_STATE_AUTHORIZED);
        step_done(st, r, message, NULL);
}

int session_confirm(Session *s, const char *method, const char *secret, SessionDone done, void *userdata) {
        _cleanup_free_ char *path = NULL;
        json_t *body;
        int r;

        if (s->state != KART_SESSION_STATE_AWAITING_SECOND_FACTOR)
                return -KART_EBUSY;
        if (!strv_has(s->methods, method))
                return -EINVAL;
        if (asprintf(&path, "%s/%s/second-factor/verify", base_path(s), s->sid) < 0)
                return -ENOMEM;
        body = json_pack("{s:s, s:s}", "type", method, streq(method, "sms") ? "code" : "password", secret);
        r = body ? step_start(s, "Checking the second factor", "POST", path, body, MAX_ANSWER, on_confirmed, done,
                              userdata) : -ENOMEM;
        json_decref(body);
        return r;
}

/* ------------------------------------------------------------------ certificates */

static void on_cert_answer(int result, json_t *answer, const BackendError *e, void *userdata) {
        _cleanup_free_ char *message = NULL;
        int r;
        Step *st = step_answer(userdata, result, e, &message, &r);

        if (st->action) {
                char cert[80];

                snprintf(cert, sizeof cert, "KART_CERT_SERIAL=%s", st->cert_serial);
                audit_log(&(AuditEntry) {
                        .message_id = AUDIT_CERTIFICATE, .operation = "certificate", .action = st->action,
                        .serial = st->session->serial, .caller = st->caller, .result = r,
                        .detail = cert + strlen("KART_CERT_SERIAL="),
                        .fields = (const char *const[]) { cert, NULL },
                });
        }
        step_done(st, r, message, answer);
}

int session_list_certificates(Session *s, SessionDone done, void *userdata) {
        _cleanup_free_ char *path = NULL;

        if (s->kind != SESSION_CERTIFICATE)
                return -KART_ENOTSUPPORTED;
        if (s->state != KART_SESSION_STATE_AUTHORIZED)
                return -KART_ENOTAUTHORIZED;
        path = backend_query("/v1/certificates", "card_serial", s->serial);
        if (!path)
                return -ENOMEM;
        return step_start(s, "Listing the certificates", "GET", path, NULL, MAX_CERT_LIST, on_cert_answer, done,
                          userdata);
}

static const char *const revoke_reasons[] = {
        "unspecified", "keyCompromise", "affiliationChanged", "superseded", "cessationOfOperation", NULL
};

static bool is_cert_serial(const char *s) {
        size_t n = strlen(s);

        return n > 0 && n <= 40 && strspn(s, "0123456789ABCDEF") == n;
}

int session_certificate_op(Session *s, const char *op, const char *serial, const char *reason,
                           const char *confirm_serial, const EngineCaller *caller, SessionDone done,
                           void *userdata) {
        Step audit = { .action = op, .caller = *caller };
        _cleanup_free_ char *path = NULL;
        json_t *body;
        int r;

        if (s->kind != SESSION_CERTIFICATE)
                return -KART_ENOTSUPPORTED;
        if (s->state != KART_SESSION_STATE_AUTHORIZED)
                return -KART_ENOTAUTHORIZED;
        if (!is_cert_serial(serial))
                return -EINVAL;
        if (streq(op, "revoke") && (!strv_has((char **) revoke_reasons, reason) || !streq(confirm_serial, serial)))
                return -EINVAL;
        if (asprintf(&path, "/v1/certificates/%s/%s", serial, op) < 0)
                return -ENOMEM;
        snprintf(audit.cert_serial, sizeof audit.cert_serial, "%s", serial);
        body = streq(op, "revoke") ? json_pack("{s:s, s:s}", "reason", reason, "confirm_serial", confirm_serial)
                                   : json_object();
        r = body ? step_start_audited(s, streq(op, "suspend") ? "Suspending the certificate" :
                                         streq(op, "resume") ? "Resuming the certificate" : "Revoking the certificate",
                                      "POST", path, body, MAX_ANSWER, on_cert_answer, &audit, done, userdata)
                 : -ENOMEM;
        json_decref(body);
        if (r >= 0)
                log_info("Session %u: %s of certificate %s of card %s requested.", s->id, op, serial, s->serial);
        return r;
}

/* ------------------------------------------------------------------ cancel */

static void on_deleted(int result, json_t *answer _unused_, const BackendError *e _unused_, void *userdata) {
        if (result < 0)
                log_debug("Cancelling backend session %s failed (it expires by itself).", (char *) userdata);
        free(userdata);
}

void session_cancel(Session *s) {
        _cleanup_free_ char *path = NULL;

        if (s->job)
                return;         /* the card is being written; the job ends the session */
        if (s->sid && asprintf(&path, "%s/%s", base_path(s), s->sid) >= 0) {
                char *sid = strdup(s->sid);

                /* Not tied to the session, which ends now. */
                if (!sid || backend_call(s->manager->backend, "DELETE", path, s->token, NULL, MAX_ANSWER,
                                         on_deleted, sid, NULL) < 0)
                        free(sid);
        }
        session_set_state(s, KART_SESSION_STATE_CANCELLED);
        session_finish(s, -KART_ECANCELLED, "The session was cancelled.");
}
