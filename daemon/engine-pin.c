/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "audit.h"
#include "card/reader-worker.h"
#include "card/token.h"
#include "engine-private.h"
#include "kart-error.h"
#include "kart-names.h"
#include "log.h"
#include "macro.h"
#include "secret.h"

typedef struct PinJob {
        Engine *engine;
        char *reader;
        uint64_t generation;
        PinMemo *pin_memo;
        PinRequest req;
        CardSighting seen;              /* req.seen points here */
        char *serial;                   /* the card's: the PinMemo's key */
        char *token_serial;             /* the module's name for it, when only its PIN goes there */
        char *pin, *new_pin;            /* secrets */
        EngineCaller caller;
        EnginePinDone done;
        void *userdata;
        bool on_token;                  /* counted in the card's token_pin_jobs */
} PinJob;

static void pin_job_free(void *p) {
        PinJob *j = p;

        secret_free(j->pin);
        secret_free(j->new_pin);
        free(j->serial);
        free(j->token_serial);
        free(j->reader);
        free(j);
}

static int pin_job_run(CardConn *c, void *userdata) {
        PinJob *j = userdata;
        int r;

        /* The interlock must judge the card as it is now, not as it was
         * when this call was queued: a call queued behind another one
         * (say two wrong PINs sent at once) would otherwise both see "2
         * tries left" on a card that cannot be asked (AKİS), and the
         * second would spend the last try without force. The jobs of one
         * reader run one after the other on its worker, and each leaves
         * what it learnt in the memo for the next. */
        (void) pin_memo_load(j->pin_memo, j->serial, &j->req.status);
        r = card_pin_run(c, &j->req);
        if (r != -EMEDIUMTYPE)          /* another card: nothing learnt about ours */
                pin_memo_store(j->pin_memo, j->serial, &j->req.status);
        return r;
}

/* The same on a PKCS#11 token, on its module's thread. */
static int pin_token_run(CardToken *t, void *userdata) {
        PinJob *j = userdata;
        int r;

        (void) pin_memo_load(j->pin_memo, j->serial, &j->req.status);
        r = card_token_pin_run(t, &j->req);
        if (r != -EMEDIUMTYPE)
                pin_memo_store(j->pin_memo, j->serial, &j->req.status);
        return r;
}

static void audit(const PinJob *j, int result) {
        char sw[32], tries[48], detail[64];

        snprintf(sw, sizeof sw, "KART_SW=%04X", j->req.sw);
        snprintf(tries, sizeof tries, "KART_PIN_TRIES_LEFT=%d", j->req.status.tries_left);
        snprintf(detail, sizeof detail, "SW %04X, tries left %d", j->req.sw, j->req.status.tries_left);
        audit_log(&(AuditEntry) {
                .message_id = j->req.op == PIN_OP_CHANGE ? AUDIT_PIN_CHANGE : AUDIT_PIN_VERIFY,
                .operation = "pin",
                .action = j->req.op == PIN_OP_CHANGE ? "change-pin" : "verify-pin",
                .serial = j->serial,
                .caller = j->caller,
                .result = result,
                .detail = detail,
                .fields = (const char *const[]) { sw, tries, NULL },
        });
}

/* After a module's PIN command on a card in a PC/SC reader: the card
 * logged out, the tries read again where kartd can (card_pin_after_module()),
 * and only then the caller answered. */
typedef struct AfterJob {
        Engine *engine;
        char *reader;
        uint64_t generation;
        char *serial;
        CardSighting seen;
        CardPinInfo info;
        PinStatus status;
        int result, read;
        EnginePinDone done;
        void *userdata;
} AfterJob;

static void after_job_free(void *p) {
        AfterJob *j = p;

        free(j->reader);
        free(j->serial);
        free(j);
}

static int after_job_run(CardConn *c, void *userdata) {
        AfterJob *j = userdata;

        j->read = card_pin_after_module(c, &j->seen, &j->info, &j->status);
        return j->read < 0 ? j->read : 0;
}

static void after_job_done(int result, void *userdata) {
        AfterJob *j = userdata;
        Reader *r = engine_reader_find(j->engine, j->reader);
        Card *c = r && r->generation == j->generation ? r->card : NULL;

        if (result < 0)
                log_debug_errno(result, "Could not leave the card in '%s' logged out after the module's PIN "
                                "command: %m", j->reader);
        if (c && j->read > 0) {
                c->pin_status = j->status;
                pin_memo_store(engine_pin_memo(j->engine), j->serial, &j->status);
                engine_notify_pin_changed(j->engine, c);
        }
        j->done(j->result, &j->status, j->userdata);
}

/* Queues the logout after a module's PIN command; false when it cannot
 * be queued (the caller answers at once). */
static bool queue_after_module(PinJob *p, Reader *r, Card *c, int result) {
        AfterJob *j;

        if (!r || r->soft || !c)
                return false;           /* a software token: no card to log out */
        j = calloc(1, sizeof *j);
        if (!j)
                return false;
        *j = (AfterJob) { .engine = p->engine, .generation = p->generation, .seen = c->seen,
                          .info = c->pin, .status = p->req.status, .result = result,
                          .done = p->done, .userdata = p->userdata };
        j->reader = strdup(p->reader);
        j->serial = p->serial ? strdup(p->serial) : NULL;
        if (!j->reader || (p->serial && !j->serial) ||
            engine_submit(p->engine, r, after_job_run, after_job_done, 0, j, after_job_free) < 0) {
                after_job_free(j);
                return false;
        }
        return true;
}

static void pin_job_done(int result, void *userdata) {
        PinJob *j = userdata;
        Reader *r = engine_reader_find(j->engine, j->reader);
        Card *c = r && r->generation == j->generation ? r->card : NULL;

        if (c && j->on_token && c->token_pin_jobs > 0)
                c->token_pin_jobs--;
        if (c && c->pin_jobs > 0)
                c->pin_jobs--;
        if (result == -ECANCELED || result == -ENODEV)
                result = -ENOMEDIUM;
        if (result == -ECONNRESET)
                j->req.status = PIN_STATUS_UNKNOWN;     /* the host died in the call: a try may be spent */
        if (result == -ETIMEDOUT) {
                /* The module's thread may still be in this job, writing
                 * req.status and req.sw: only what it never writes is
                 * read here (a whole copy of *j would read those too). */
                PinJob copy = {
                        .serial = j->serial,
                        .caller = j->caller,
                        .req = { .op = j->req.op, .status = PIN_STATUS_UNKNOWN },
                };

                audit(&copy, result);
                j->done(result, &copy.req.status, j->userdata);
                return;
        }
        audit(j, result);
        if (c && result != -ENOMEDIUM && result != -EMEDIUMTYPE) {
                /* The module answered a PIN command: its flags are current again. */
                if (c->token && (result == 0 || result == -EKEYREJECTED || result == -EKEYEXPIRED))
                        c->token_flags_stale = false;
                c->pin_status = j->req.status;
                engine_notify_pin_changed(j->engine, c);
        }
        if (j->on_token && j->req.sent && queue_after_module(j, r, c, result))
                return;
        j->done(result, &j->req.status, j->userdata);
}

int engine_card_pin(Card *c, PinOp op, const char *pin, const char *new_pin, bool force,
                    const EngineCaller *caller, EnginePinDone done, void *userdata) {
        Reader *r = c->reader;
        PinJob *j;
        int k;

        j = calloc(1, sizeof *j);
        if (!j)
                return -ENOMEM;
        j->req = (PinRequest) {
                .op = op, .force = force,
                .info = c->pin, .status = c->pin_status,
                .pin_max_length = c->model.pin_max_length,
                .pin_ascii = c->model.pin_ascii,
                .pin = pin, .new_pin = new_pin, .serial = c->serial,
                .status_newer = c->token_flags_stale,
                .status_native = c->token_pin_only,
        };
        j->seen = c->seen;
        if (c->unavailable) {
                free(j);
                return -ECONNRESET;
        }
        if ((c->token && c->unlock_writing) || c->pin_jobs >= ENGINE_PIN_QUEUE_MAX) {
                free(j);
                return -KART_EBUSY;
        }
        /* Checked here, on the loop: a malformed PIN never reaches a worker. */
        k = card_pin_check_request(&j->req);
        if (k >= 0 && !engine_card_pin_supported(c))
                k = -KART_ENOTSUPPORTED;
        if (k < 0) {
                free(j);
                return k;
        }
        j->engine = r->engine;
        j->generation = r->generation;
        j->pin_memo = engine_pin_memo(r->engine);
        j->caller = *caller;
        j->done = done;
        j->userdata = userdata;
        j->reader = strdup(r->name);
        j->serial = c->serial ? strdup(c->serial) : NULL;
        j->pin = secret_strdup(pin);
        j->new_pin = new_pin ? secret_strdup(new_pin) : NULL;
        if (!j->reader || (c->serial && !j->serial) || !j->pin || (new_pin && !j->new_pin)) {
                pin_job_free(j);
                return -ENOMEM;
        }
        j->req.pin = j->pin;
        j->req.new_pin = j->new_pin;
        j->req.serial = j->serial;
        j->req.seen = &j->seen;
        if (c->token_pin_only) {
                /* The module knows the card by its token's serial. */
                j->token_serial = c->token_serial ? strdup(c->token_serial) : NULL;
                if (c->token_serial && !j->token_serial) {
                        pin_job_free(j);
                        return -ENOMEM;
                }
                j->req.serial = j->token_serial;
        }

        if (c->token)
                k = token_ref_submit(c->token, op == PIN_OP_CHANGE ? "changing the PIN" : "verifying the PIN",
                                     pin_token_run, pin_job_done, j, pin_job_free);
        else
                k = engine_submit(r->engine, r, pin_job_run, pin_job_done, 0, j, pin_job_free);
        if (k < 0) {
                pin_job_free(j);
                return k;
        }
        c->pin_jobs++;
        if (c->token) {
                j->on_token = true;
                c->token_pin_jobs++;
        }
        return k;
}

void engine_card_pin_status_changed(Engine *e, const char *serial, const PinStatus *status) {
        Card *c = engine_find_card_by_serial(e, serial);

        if (!c)
                return;         /* it shows its state when it comes back */
        c->pin_status = *status;
        c->token_flags_stale = c->token != NULL;
        pin_memo_store(engine_pin_memo(e), serial, status);
        engine_notify_pin_changed(e, c);
}
