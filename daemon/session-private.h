/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Between session.c and session-unlock.c. */

#include "session.h"

typedef struct UnlockJob UnlockJob;
typedef struct Step Step;

struct SessionManager {
        sd_event *event;
        Engine *engine;
        BackendClient *backend;
        char *state_dir;                /* the unlock journal lives here; NULL: none */
        const SessionObserver *observer;
        void *userdata;
        Session *sessions;
        unsigned last_id;
        char *portal_config;            /* [Backend] PortalURL=, NULL: the CA's */
        char *ca_portal;                /* from the CA's /v1/meta, NULL: none */
        BackendCall *meta_call;
        const char *backend_state;      /* "ok", "unreachable" (static strings), NULL: not known yet */
};

struct Session {
        SessionManager *manager;
        Session *prev, *next;
        unsigned id;
        SessionKind kind;
        uid_t owner;
        char *card_id, *serial;
        KartSessionState state;
        char *sid, *token;
        char **methods;
        char *sms_destination;
        unsigned pin_min, pin_max;
        uint64_t expires_at;
        char *error;
        sd_event_source *expiry;
        BackendCall *call;              /* the step on its way, if any */
        Step *step;                     /* ... and its caller */
        UnlockJob *job;                 /* SetPin on its way, if any */
        bool finishing;
        void *userdata;
};

/* The driver's view that decides an online unlock: kartd's own, also for
 * a card a module serves. */
const CardModel *session_card_unlock_model(const Card *c);
void session_set_state(Session *s, KartSessionState state);
void session_finish(Session *s, int r, const char *message);
/* step: what kartd was doing, for the message ("Starting the unlock session"). */
int session_backend_error(int r, const BackendError *e, const char *step, char **message);
/* The session goes while its card job runs: the job forgets it. */
void session_unlock_detach(Session *s);
