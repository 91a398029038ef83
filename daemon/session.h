/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <systemd/sd-event.h>

#include "backend/backend-client.h"
#include "engine.h"
#include "kart-states.h"

/* Sessions with the CA backend (protocol v1): an unlock session (verification
 * code -> second factor -> new PIN set on the card with the backend's
 * cryptogram) or a certificate session (verification code -> second factor
 * -> list, suspend, resume, revoke). No D-Bus here: the bus layer owns the
 * objects and who may drive them. Every step is asynchronous; the loop
 * never waits on the network, and the card part runs on the reader's
 * worker. */

typedef struct SessionManager SessionManager;
typedef struct Session Session;

typedef enum SessionKind {
        SESSION_UNLOCK,
        SESSION_CERTIFICATE,
} SessionKind;

typedef struct SessionObserver {
        void (*changed)(Session *s, void *userdata);            /* State and friends */
        /* The session ended (completed, failed, cancelled, expired): r is 0
         * or a KART_E* errno; the manager frees it after this returns. */
        void (*finished)(Session *s, int r, const char *message, void *userdata);
        /* session_manager_portal() or session_manager_backend_state() changed. */
        void (*meta_changed)(void *userdata);
} SessionObserver;

/* What a step's caller is told. r: 0, or a KART_E* errno with message. */
typedef void (*SessionDone)(Session *s, int r, const char *message, json_t *answer, void *userdata);

/* portal_url: [Backend] PortalURL=, or NULL. */
int session_manager_new(sd_event *event, Engine *engine, BackendClient *backend, const char *state_dir,
                        const char *portal_url, const SessionObserver *observer, void *userdata,
                        SessionManager **ret);
SessionManager *session_manager_free(SessionManager *m);
/* Reports to the backend the outcomes an earlier kartd could not (the
 * journal in the state directory). */
void session_manager_report_journal(SessionManager *m);
bool session_manager_backend_configured(SessionManager *m);
/* Asks the CA's /v1/meta for its portal (in the background). */
void session_manager_fetch_meta(SessionManager *m);
/* Where a holder gets a verification code: PortalURL=, else what the CA
 * said, else "". */
const char *session_manager_portal(SessionManager *m);
/* "none" (no backend configured), "unknown" (not asked yet), "ok" (its
 * /v1/meta answered), "unreachable" (it did not, last time). */
const char *session_manager_backend_state(SessionManager *m);
/* Whether the configured backend can unlock card c online (the card's
 * UnlockSupported); Unlock sessions are refused for other cards. */
bool session_manager_can_unlock(SessionManager *m, const Card *c);

/* Starts a session for card c, owned by uid owner, with the verification
 * code the CA's portal gave; done gets the new session (NULL on failure).
 * An unfinished session of the same kind for the card is cancelled when it
 * is the same owner's and idle; else -EBUSY. */
int session_start(SessionManager *m, Card *c, SessionKind kind, uid_t owner, const char *verification_code,
                  SessionDone done, void *userdata);
uid_t session_owner(const Session *s);

unsigned session_id(const Session *s);
SessionKind session_kind(const Session *s);
const char *session_card_id(const Session *s);
KartSessionState session_state(const Session *s);
char **session_methods(const Session *s);       /* "sms", "password" */
const char *session_sms_destination(const Session *s);
unsigned session_pin_min(const Session *s), session_pin_max(const Session *s);
uint64_t session_expires_at(const Session *s);  /* usec, CLOCK_REALTIME */
const char *session_error(const Session *s);
void *session_get_userdata(const Session *s);
void session_set_userdata(Session *s, void *userdata);

int session_send_sms(Session *s, SessionDone done, void *userdata);
int session_confirm(Session *s, const char *method, const char *secret, SessionDone done, void *userdata);
/* Unlock sessions: challenge -> authorization -> EXTERNAL AUTHENTICATE ->
 * RESET RETRY COUNTER in one card transaction, then the result to the
 * backend. new_pin is copied into wiped memory. */
int session_set_pin(Session *s, const char *new_pin, const EngineCaller *caller, SessionDone done,
                    void *userdata);
/* Certificate sessions; answer is the backend's list. */
int session_list_certificates(Session *s, SessionDone done, void *userdata);
/* op: "suspend", "resume", "revoke" (reason and confirm_serial for revoke). */
int session_certificate_op(Session *s, const char *op, const char *serial, const char *reason,
                           const char *confirm_serial, const EngineCaller *caller, SessionDone done,
                           void *userdata);
/* Cancels it at the backend (best effort) and ends it. */
void session_cancel(Session *s);
