/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* SetPin of an unlock session: one card transaction on the reader's worker
 * (GET CHALLENGE, then the backend's cryptogram, EXTERNAL AUTHENTICATE,
 * RESET RETRY COUNTER, the PIN state again), with the HTTPS call in the
 * middle made by the loop while the worker waits for it; then the outcome
 * to the backend. Before EXTERNAL AUTHENTICATE a journal entry (no
 * secret but the session's short-lived bearer token, in the state
 * directory, mode 0600, fsync'd) makes sure the backend hears of an
 * outcome even if kartd dies before it could say. */
#include "config.h"

#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "audit.h"
#include "backend/ca-answers.h"
#include "card/card-unlock.h"
#include "engine-private.h"
#include "fileutil.h"
#include "hexutil.h"
#include "kart-error.h"
#include "log.h"
#include "macro.h"
#include "secret.h"
#include "session-private.h"
#include "strutil.h"

#define AUTHORIZE_TIMEOUT_SEC 15     /* the protocol's limit for an authorization */
#define JOURNAL_DIR "unlock-journal"
#define JOURNAL_MAX (16 * 1024)    /* an entry is a few hundred bytes */

struct UnlockJob {
        pthread_mutex_t lock;
        pthread_cond_t cond;
        unsigned refs;                  /* under lock */

        /* The loop's side. */
        Engine *engine;
        Session *session;               /* NULL once the session is gone */
        SessionDone done;
        void *userdata;
        BackendClient *backend;
        Mailbox *mailbox;
        BackendCall *call;              /* authorization or report; holds a reference */
        char *reader;
        uint64_t generation;
        char *serial, *sid, *token;
        char *journal_path;
        CardPinInfo pin;
        uint8_t key_version;            /* of the card's admin key, for the CA */
        EngineCaller caller;            /* for the audit trail */
        PinStatus status;               /* before */
        char *new_pin;                  /* secret */

        /* Between the two, under lock. */
        uint8_t challenge[16], cryptogram[16];
        bool auth_done;
        int auth_result;
        char *auth_message;
        char *authorization_id;

        /* The worker's answer. */
        CardUnlockResult result;
};

static void job_unref(void *p) {
        UnlockJob *j = p;
        bool last;

        pthread_mutex_lock(&j->lock);
        last = --j->refs == 0;
        pthread_mutex_unlock(&j->lock);
        if (!last)
                return;
        secret_free(j->new_pin);
        free(j->reader);
        free(j->serial);
        free(j->sid);
        string_erase_free(j->token);
        free(j->journal_path);
        free(j->auth_message);
        free(j->authorization_id);
        explicit_bzero(j->cryptogram, sizeof j->cryptogram);
        pthread_mutex_destroy(&j->lock);
        pthread_cond_destroy(&j->cond);
        free(j);
}

static void job_ref(UnlockJob *j) {
        pthread_mutex_lock(&j->lock);
        j->refs++;
        pthread_mutex_unlock(&j->lock);
}

/* Wakes the worker with the authorization's outcome. */
static void authorize_answer(UnlockJob *j, int r, const char *message) {
        pthread_mutex_lock(&j->lock);
        if (!j->auth_done) {
                j->auth_done = true;
                j->auth_result = r;
                j->auth_message = message ? strdup(message) : NULL;
        }
        pthread_cond_signal(&j->cond);
        pthread_mutex_unlock(&j->lock);
}

void session_unlock_detach(Session *s) {
        UnlockJob *j = s->job;

        if (!j)
                return;
        s->job = NULL;
        j->session = NULL;
        authorize_answer(j, -KART_ECANCELLED, "The session ended.");
        if (j->call) {
                backend_call_cancel(j->call);
                j->call = NULL;
                job_unref(j);   /* the call's */
        }
}

/* ------------------------------------------------------------------ journal */

static const char *outcome_of(int r) {
        if (r >= 0)
                return "success";
        if (r == -ENOMEDIUM)
                return "card_removed";
        return "failed";
}

/* The body of the outcome report (protocol: POST .../result) for the card
 * step's result r. */
static json_t *outcome_body(const UnlockJob *j, int r) {
        char sw_ea[8] = "", sw_rrc[8] = "";

        if (j->result.sw_ea)
                snprintf(sw_ea, sizeof sw_ea, "%04x", j->result.sw_ea);
        if (j->result.sw_rrc)
                snprintf(sw_rrc, sizeof sw_rrc, "%04x", j->result.sw_rrc);
        return json_pack("{s:s, s:s, s:s, s:s, s:i}", "authorization_id", j->authorization_id,
                         "outcome", outcome_of(r), "sw_ea", sw_ea, "sw_rrc", sw_rrc,
                         "pin_tries_after", j->result.pin_status.tries_left);
}

/* On the worker: before EXTERNAL AUTHENTICATE (outcome NULL), and again
 * with the report's body once the card step is over, so that a kartd
 * killed before its report reached the CA reports what the card did. */
static int journal_write(UnlockJob *j, json_t *outcome) {
        char *text;
        json_t *o;
        int r;

        if (!j->journal_path)
                return 0;
        o = json_pack("{s:s, s:s, s:s, s:s, s:I}", "session_id", j->sid, "authorization_id", j->authorization_id,
                      "token", j->token, "serial", j->serial, "time", (json_int_t) time(NULL));
        if (o && outcome && json_object_set(o, "result", outcome) < 0)
                json_decref(TAKE_PTR(o));
        text = o ? backend_json_text(o) : NULL;
        json_decref(o);
        if (!text)
                return -ENOMEM;
        r = write_file_atomic(j->journal_path, text);
        explicit_bzero(text, strlen(text));     /* it holds the session's token */
        free(text);
        return r;
}

static void journal_remove(const char *path) {
        if (path && unlink(path) < 0 && errno != ENOENT)
                log_warning("Could not remove %s: %m", path);
}

/* ------------------------------------------------------------------ the worker's side */

static void authorize_on_loop(void *userdata);

/* Called by card_unlock_run() between GET CHALLENGE and EXTERNAL
 * AUTHENTICATE, on the worker: asks the loop for the cryptogram and waits. */
static int authorize(const uint8_t challenge[16], uint8_t cryptogram[16], void *userdata) {
        UnlockJob *j = userdata;
        struct timespec deadline;
        int r;

        pthread_mutex_lock(&j->lock);
        memcpy(j->challenge, challenge, 16);
        j->auth_done = false;
        j->refs++;                      /* the mailbox's */
        pthread_mutex_unlock(&j->lock);
        r = mailbox_post(j->mailbox, authorize_on_loop, j, job_unref);
        if (r < 0) {
                job_unref(j);
                return r;
        }

        clock_gettime(CLOCK_REALTIME, &deadline);
        deadline.tv_sec += AUTHORIZE_TIMEOUT_SEC;
        pthread_mutex_lock(&j->lock);
        while (!j->auth_done)
                if (pthread_cond_timedwait(&j->cond, &j->lock, &deadline) == ETIMEDOUT)
                        break;
        if (!j->auth_done) {
                j->auth_done = true;    /* an answer coming later is ignored */
                j->auth_result = -KART_ETIMEOUT;
                j->auth_message = strdup("The CA service did not authorize in time.");
        }
        r = j->auth_result;
        if (r >= 0)
                memcpy(cryptogram, j->cryptogram, 16);
        pthread_mutex_unlock(&j->lock);
        if (r < 0)
                return r;

        r = journal_write(j, NULL);
        if (r < 0)
                log_warning_errno(r, "Could not write the unlock journal %s: %m", j->journal_path);
        return r;       /* without a journal entry, no EXTERNAL AUTHENTICATE */
}

static int unlock_job_run(CardConn *c, void *userdata) {
        UnlockJob *j = userdata;
        CardUnlockRequest req = {
                .serial = j->serial,
                .info = j->pin,
                .status = j->status,
                .new_pin = j->new_pin,
                .authorize = authorize,
                .userdata = j,
        };

        int r, k;
        json_t *body;

        r = card_unlock_run(c, &req, &j->result);
        /* EXTERNAL AUTHENTICATE was sent (the journal entry exists): what
         * the card did goes into it, for a report after a crash. */
        if (j->result.sw_ea && j->journal_path) {
                body = outcome_body(j, r);
                k = body ? journal_write(j, body) : -ENOMEM;
                json_decref(body);
                if (k < 0)
                        log_warning_errno(k, "Could not record the card's outcome in %s: %m", j->journal_path);
        }
        return r;
}

/* ------------------------------------------------------------------ the loop's side */

static void on_authorized(int result, json_t *answer, const BackendError *e, void *userdata) {
        UnlockJob *j = userdata;
        _cleanup_free_ char *message = NULL;
        const char *id = NULL;
        uint8_t c[16];
        int r = result;

        j->call = NULL;
        if (r < 0)
                r = session_backend_error(r, e, "Asking the CA for the authorization", &message);
        else if (ca_answer_authorization(answer, &id, c) < 0)
                r = session_backend_error(-EPROTO, &(BackendError) { .message = (char *) "invalid authorization" },
                                          "Asking the CA for the authorization", &message);
        pthread_mutex_lock(&j->lock);
        if (r >= 0 && !j->auth_done) {
                memcpy(j->cryptogram, c, sizeof c);
                free(j->authorization_id);
                j->authorization_id = strdup(id);
                if (!j->authorization_id)
                        r = -ENOMEM;
        }
        pthread_mutex_unlock(&j->lock);
        explicit_bzero(c, sizeof c);
        authorize_answer(j, r, message);
        job_unref(j);
}

static void authorize_on_loop(void *userdata) {
        UnlockJob *j = userdata;
        _cleanup_free_ char *path = NULL, *challenge = NULL;
        json_t *body = NULL;
        int r = -ENOMEM;

        if (!j->session)
                return authorize_answer(j, -KART_ECANCELLED, "The session ended.");
        challenge = hex_encode(j->challenge, sizeof j->challenge);
        if (challenge && asprintf(&path, "/v1/unblock/sessions/%s/authorizations", j->sid) >= 0)
                body = json_pack("{s:s, s:i, s:i, s:s, s:s}", "serial", j->serial,
                                 "key_version", (int) j->key_version, "pin_ref", (int) j->pin.reference,
                                 "alg", "AES128-CMAC-KDEA", "card_challenge", challenge);
        job_ref(j);
        if (body)
                r = backend_call(j->backend, "POST", path, j->token, body, 64 * 1024, on_authorized, j,
                                 &j->call);
        json_decref(body);
        if (r < 0) {
                authorize_answer(j, r, "Could not ask the CA service.");
                job_unref(j);
        }
}

/* What the caller of SetPin is told about the card part. */
static int job_error(UnlockJob *j, int r, const char **message) {
        if (j->auth_result < 0) {
                *message = j->auth_message ?: "The CA service did not authorize the unlock.";
                return j->auth_result;
        }
        switch (r) {
        case -ENOMEDIUM:
                /* RESET RETRY COUNTER sent, no answer: torn, the card may
                 * have taken the new PIN. */
                if (j->result.rrc_sent && !j->result.sw_rrc)
                        *message = "The card was removed while the new PIN was being written; it may or may not "
                                   "be set. Put the card back: its PIN state shows; if it is still locked, try again.";
                else
                        *message = "The card was removed; its PIN is unchanged. Put it back and try again.";
                return -KART_ECARDREMOVED;
        case -EMEDIUMTYPE:
                *message = "A different card is now in the reader.";
                return -KART_ECARDCHANGED;
        case -EDOM:
                *message = "The new PIN does not fit the card's rules.";
                return -KART_EINVALIDPIN;
        case -EKEYREJECTED:
        case -EKEYREVOKED:
                *message = "The card refused the CA's authorization.";
                return -KART_EBACKENDREJECTED;
        case -ECONNRESET:
                *message = "Another program reset the card; its PIN is unchanged. Try again.";
                return -KART_EFAILED;
        default:
                *message = "The card did not take the new PIN.";
                return -KART_EFAILED;
        }
}

static void on_result_reported(int result, json_t *answer, const BackendError *e, void *userdata) {
        UnlockJob *j = userdata;
        Session *s = j->session;
        const char *state = result >= 0 ? backend_json_string(answer, "state", 32) : NULL;

        j->call = NULL;
        if (result >= 0)
                journal_remove(j->journal_path);
        else
                log_warning("Could not report the unlock outcome of card %s to the CA service (%s); "
                            "kartd will try again when it starts.", j->serial, e && e->message ? e->message : "?");
        if (s) {
                s->job = NULL;
                if (state && streq(state, "awaiting_retry") && s->state != KART_SESSION_STATE_COMPLETED)
                        session_set_state(s, KART_SESSION_STATE_AUTHORIZED);
                if (s->state == KART_SESSION_STATE_COMPLETED)
                        session_finish(s, 0, NULL);
        }
        job_unref(j);
}

static void report_outcome(UnlockJob *j, int r) {
        _cleanup_free_ char *path = NULL;
        json_t *body = outcome_body(j, r);

        job_ref(j);
        if (!body || asprintf(&path, "/v1/unblock/sessions/%s/result", j->sid) < 0 ||
            backend_call(j->backend, "POST", path, j->token, body, 64 * 1024, on_result_reported, j, &j->call) < 0)
                on_result_reported(-ENOMEM, NULL, NULL, j);
        json_decref(body);
}

static void audit_unlock(const UnlockJob *j, int result) {
        char ea[64], rrc[64], step[64], detail[96];

        snprintf(ea, sizeof ea, "KART_SW_EXTERNAL_AUTHENTICATE=%04X", j->result.sw_ea);
        snprintf(rrc, sizeof rrc, "KART_SW_RESET_RETRY_COUNTER=%04X", j->result.sw_rrc);
        snprintf(step, sizeof step, "KART_FAILED_STEP=%s", card_unlock_step_to_string(j->result.failed_step));
        snprintf(detail, sizeof detail, "EXTERNAL AUTHENTICATE %04X, RESET RETRY COUNTER %04X", j->result.sw_ea,
                 j->result.sw_rrc);
        audit_log(&(AuditEntry) {
                .message_id = AUDIT_UNLOCK, .operation = "unlock", .action = "unlock", .serial = j->serial,
                .caller = j->caller, .result = result, .detail = detail,
                .fields = (const char *const[]) { ea, rrc, step, NULL },
        });
}

static void unlock_job_done(int r, void *userdata) {
        UnlockJob *j = userdata;
        Session *s = j->session;
        const char *message = NULL;
        int k = r >= 0 ? 0 : job_error(j, r, &message);
        Card *c = engine_find_card_by_serial(j->engine, j->serial);

        if (c)
                c->unlock_writing = false;
        log_info("Unlock of card %s: %s (EXTERNAL AUTHENTICATE %04x, RESET RETRY COUNTER %04x).", j->serial,
                 r >= 0 ? "the new PIN is set" : strempty(message), j->result.sw_ea, j->result.sw_rrc);
        audit_unlock(j, k);
        if (s) {
                session_set_state(s, r >= 0 ? KART_SESSION_STATE_COMPLETED : KART_SESSION_STATE_AUTHORIZED);
                if (r >= 0)
                        engine_card_pin_status_changed(s->manager->engine, j->serial, &j->result.pin_status);
        }
        if (j->done)
                j->done(s, k, message, NULL, j->userdata);
        if (j->authorization_id && s)
                report_outcome(j, r);           /* then s->job is cleared; a completed session ends */
        else if (s) {
                s->job = NULL;
                if (r >= 0)
                        session_finish(s, 0, NULL);
        }
}

int session_set_pin(Session *s, const char *new_pin, const EngineCaller *caller, SessionDone done,
                    void *userdata) {
        SessionManager *m = s->manager;
        Card *c = engine_find_card(m->engine, s->card_id);
        UnlockJob *j;
        int r;

        if (s->kind != SESSION_UNLOCK)
                return -KART_ENOTSUPPORTED;
        if (s->state != KART_SESSION_STATE_AUTHORIZED)
                return -KART_ENOTAUTHORIZED;
        if (s->call || s->job)
                return -KART_EBUSY;
        if (!c || !streq_ptr(c->serial, s->serial))
                return -KART_ENOCARD;
        /* A module's PIN command runs on its own thread, not the reader's:
         * the two never overlap on one card. */
        if (c->token_pin_jobs > 0)
                return -KART_EBUSY;
        if (strlen(new_pin) < s->pin_min || strlen(new_pin) > s->pin_max ||
            card_pin_check_format(&c->pin, new_pin) < 0)
                return -KART_EINVALIDPIN;

        j = calloc(1, sizeof *j);
        if (!j)
                return -ENOMEM;
        *j = (UnlockJob) { .refs = 1, .engine = m->engine, .session = s, .done = done, .userdata = userdata,
                           .caller = *caller,
                           .backend = m->backend,
                           .mailbox = engine_mailbox(m->engine), .generation = c->reader->generation,
                           .pin = c->pin, .key_version = session_card_unlock_model(c)->unlock_key_version,
                           .status = c->pin_status };
        pthread_mutex_init(&j->lock, NULL);
        pthread_cond_init(&j->cond, NULL);
        j->reader = strdup(c->reader->name);
        j->serial = strdup(s->serial);
        j->sid = strdup(s->sid);
        j->token = strdup(s->token);
        j->new_pin = secret_strdup(new_pin);
        r = j->reader && j->serial && j->sid && j->token && j->new_pin ? 0 : -ENOMEM;
        if (r >= 0 && m->state_dir) {
                _cleanup_free_ char *dir = NULL;

                if (asprintf(&dir, "%s/" JOURNAL_DIR, m->state_dir) < 0 ||
                    asprintf(&j->journal_path, "%s/%s-%u.json", dir, s->sid, s->id) < 0)
                        r = -ENOMEM;
                else if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
                        /* errno now: logging may change it before %m is read */
                        log_warning_errno(-errno, "Cannot make %s (%m): an outcome lost to a crash will not "
                                          "be reported.", dir);
                        j->journal_path = mfree(j->journal_path);
                }
        }
        if (r >= 0)
                r = engine_submit(m->engine, c->reader, unlock_job_run, unlock_job_done, 0, j, job_unref);
        if (r < 0) {
                job_unref(j);
                return r;
        }
        s->job = j;
        c->unlock_writing = true;
        session_set_state(s, KART_SESSION_STATE_APPLYING);
        log_info("Session %u: setting a new PIN on card %s with the CA's authorization.", s->id, s->serial);
        return 0;
}

/* ------------------------------------------------------------------ after a restart */

typedef struct Pending {
        char *path;
} Pending;

static void on_journal_reported(int result, json_t *answer _unused_, const BackendError *e, void *userdata) {
        Pending *p = userdata;

        if (result >= 0) {
                log_info("Reported an unlock outcome left by an earlier kartd (%s).", p->path);
                journal_remove(p->path);
        } else if (result == -EBADE && e && e->http_status >= 400 && e->http_status < 500 &&
                   e->http_status != 429) {
                /* A final answer: the backend already has an outcome for
                 * it (409), or never will (404, 410, 401). Asking again at
                 * every start would not change that. */
                log_info("The CA service will take no report of %s (%s); removing it.", p->path,
                         e->message ? e->message : "?");
                journal_remove(p->path);
        } else
                log_warning("Could not report %s: %s", p->path, e && e->message ? e->message : "?");
        free(p->path);
        free(p);
}

/* An entry holds the session's token: read into a buffer wiped after. */
static void report_one(SessionManager *m, const char *path) {
        _cleanup_free_ char *url = NULL;
        CaJournalEntry e = {};
        size_t len = 0;
        char *text = read_file_whole(path, JOURNAL_MAX, &len);
        Pending *p;
        int r;

        r = text ? ca_journal_parse(text, len, &e) : -EIO;
        if (text) {
                explicit_bzero(text, len);
                free(text);
        }
        if (r == -ENOMEM || (r >= 0 && asprintf(&url, "/v1/unblock/sessions/%s/result", e.session_id) < 0)) {
                ca_journal_entry_done(&e);
                return (void) log_oom();
        }
        if (r < 0) {
                log_warning("%s is not an unlock journal entry; removing it.", path);
                journal_remove(path);
                return;
        }
        p = calloc(1, sizeof *p);
        if (p && (p->path = strdup(path)) &&
            backend_call(m->backend, "POST", url, e.token, e.outcome, 64 * 1024, on_journal_reported, p, NULL) >= 0)
                p = NULL;
        if (p)
                free(p->path);
        free(p);
        ca_journal_entry_done(&e);
}

void session_manager_report_journal(SessionManager *m) {
        _cleanup_free_ char *dir = NULL;
        struct dirent *de;
        DIR *d;

        if (!m->state_dir || !backend_client_configured(m->backend) ||
            asprintf(&dir, "%s/" JOURNAL_DIR, m->state_dir) < 0 || !(d = opendir(dir)))
                return;
        while ((de = readdir(d))) {
                _cleanup_free_ char *path = NULL;

                if (asprintf(&path, "%s/%s", dir, de->d_name) < 0)
                        continue;
                /* A temporary twin a crash left behind: its entry is whole. */
                if (de->d_name[0] == '.') {
                        size_t len = strlen(de->d_name);

                        if (len > 4 && streq(de->d_name + len - 4, ".tmp"))
                                journal_remove(path);
                        continue;
                }
                report_one(m, path);
        }
        closedir(d);
}
