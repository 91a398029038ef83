/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sys/types.h>

#include "card/card-pin.h"
#include "card/x509-info.h"
#include "card/pcsc-monitor.h"
#include "backend/ocsp-check.h"
#include "conf.h"
#include "mailbox.h"

/* The engine: readers and the cards in them, as PC/SC reports them and as
 * the cards describe themselves. It knows nothing of D-Bus; the bus layer
 * watches it through EngineObserver and calls into it. */

typedef struct Engine Engine;
typedef struct Reader Reader;
typedef struct Card Card;
typedef struct CertWaiter CertWaiter;
typedef struct TokenRef TokenRef;

/* A certificate on a card, parsed once per insertion. */
typedef struct CardCert {
        Card *card;
        char *id;               /* hex of the PKCS#15 ID */
        char *label;            /* "" when none */
        bool authority;
        uint8_t *der;
        size_t der_len;
        bool readable;          /* OpenSSL could parse it */
        CertInfo info;
        /* Revocation, as OCSP last told it: GOOD, ON_HOLD, REVOKED or
         * UNKNOWN. engine_cert_status() adds what the clock says. */
        KartCertStatus status;
        char *status_detail;    /* why unknown; the revocation reason */
        uint64_t revoked_at;    /* seconds since the epoch, 0 when not revoked */
        uint64_t status_until;  /* seconds since the epoch: look again after it */
        OcspCheck *check;       /* pending */
} CardCert;

struct Reader {
        Engine *engine;
        unsigned index;         /* stable for the daemon's lifetime, per name */
        char *name;
        bool present;           /* pcscd reports a card */
        unsigned event_count;
        uint8_t atr[PCSC_MAX_ATR];
        size_t atr_len;
        uint64_t generation;    /* new on every insertion and removal; engine-wide, never reused */
        Card *card;             /* the identified card, or NULL */
        bool soft;              /* a PKCS#11 slot no PC/SC reader backs (a software token) */
};

struct Card {
        Reader *reader;
        char *id;               /* unique among present cards; from the serial */
        uint8_t atr[PCSC_MAX_ATR];
        size_t atr_len;
        char *serial;           /* may be NULL */
        char *label;            /* may be NULL */
        /* What serves the card: kartd's driver (model.driver), or, with
         * token set, a PKCS#11 module (model.driver NULL, the token's
         * model name). */
        CardModel model;
        /* kartd's own driver's view of a card a module serves (Prefer=):
         * an online unlock still goes over APDUs. Else driver NULL. */
        CardModel native;
        CardSighting seen;      /* where the identity was read: later jobs skip re-reading it */
        const char *driver;     /* for people: "akis", "pkcs11:<module>", "akis+pkcs11:<module>" */
        char *driver_owned;
        TokenRef *token;        /* served by a PKCS#11 module instead: PIN and certificates go there */
        /* The module carries only the PIN operations; kartd's driver read
         * the identity, the certificates and the tries. */
        bool token_pin_only;
        char *token_serial;     /* the token's serial, as the module gives it */
        bool pin_needs_module;  /* PinOperations=module and no module has it: PIN calls refused */
        bool unavailable;       /* its module stopped answering */
        bool token_flags_stale; /* unlocked over APDUs: the module's PIN flags lag behind */
        /* A token's PIN commands (module thread) and an online unlock
         * (reader worker) exclude each other: Busy. */
        unsigned token_pin_jobs;
        unsigned pin_jobs;      /* PIN calls queued or running, on either side: at most ENGINE_PIN_QUEUE_MAX */
        bool unlock_writing;
        CardPinInfo pin;
        PinStatus pin_status;
        PinState event_pin_state;       /* the last one card_event_pin() saw */

        CardCert *certs;        /* cached for this insertion */
        size_t n_certs;
        bool certs_loaded;
        CertWaiter *cert_waiters;       /* calls waiting for the first read */
        unsigned status_pending;        /* OCSP checks on their way */
        uint64_t refresh_stamp;         /* CLOCK_MONOTONIC usec of the last RefreshStatus that asked anew */
        CertWaiter *status_waiters;     /* calls waiting for them */
};

typedef struct EngineObserver {
        void (*reader_added)(Reader *r, void *userdata);
        void (*reader_removed)(Reader *r, void *userdata);  /* called before it is freed */
        void (*reader_changed)(Reader *r, void *userdata);
        void (*card_added)(Card *c, void *userdata);
        void (*card_removed)(Card *c, void *userdata);      /* called before it is freed */
        void (*card_pin_changed)(Card *c, void *userdata);  /* PIN state or tries */
        void (*cert_status_changed)(Card *c, CardCert *k, void *userdata);
} EngineObserver;

/* Who asked: for the audit trail. */
typedef struct EngineCaller {
        uid_t uid;
        pid_t pid;
} EngineCaller;

typedef void (*EnginePinDone)(int result, const PinStatus *status, void *userdata);

/* PIN calls one card takes in at once; more are refused with Busy (the
 * queues behind a card's reader or module are bounded). */
#define ENGINE_PIN_QUEUE_MAX 8

int engine_new(Mailbox *mailbox, const EngineObserver *observer, void *userdata, Engine **ret);
/* Loads the PKCS#11 modules of config (none: nothing happens); their
 * threads report through the engine's mailbox. */
int engine_start_tokens(Engine *e, sd_event *event, const Pkcs11Config *config);
Engine *engine_free(Engine *e);
/* The observer's userdata, for the bus layer's handlers. */
void *engine_observer_userdata(Engine *e);

/* Feeds a PC/SC snapshot (from the monitor). */
void engine_apply_snapshot(Engine *e, const PcscSnapshot *s);

size_t engine_readers(Engine *e, Reader ***ret);
Reader *engine_find_reader_by_index(Engine *e, unsigned index);
Card *engine_find_card(Engine *e, const char *id);
Card *engine_find_card_by_serial(Engine *e, const char *serial);

typedef void (*EngineCertsDone)(int result, Card *c, void *userdata);

/* Makes sure the card's certificates are read (once per insertion) and
 * calls done on the loop: c is NULL when the card went away meanwhile.
 * Revocation answers past their nextUpdate are asked for again in the
 * background.
 * Returns 1 when they are already there (done is not called), 0 when
 * done will be called. */
int engine_card_certs(Card *c, EngineCertsDone done, void *userdata);
CardCert *engine_card_cert(Card *c, const char *id);
/* The status to show: UNREADABLE, EXPIRED or NOT_YET_VALID from the
 * clock, else OCSP's; *detail (optional) the reason, "" when none. */
/* Whether the PC/SC monitor reached pcscd last time it looked. */
bool engine_pcscd_reachable(Engine *e);
/* Whether kartd can run the card's PIN operations (its own driver has
 * established commands for the card, or a PKCS#11 module serves them). */
bool engine_card_pin_supported(const Card *c);
KartCertStatus engine_cert_status(const CardCert *k, const char **detail);
/* Asks OCSP again about every certificate of the card (reading them
 * first if needed), not trusting cached answers; done is called when all
 * answers are in, as for engine_card_certs(). Returns 0 or -ENOMEM. */
int engine_card_refresh_status(Card *c, EngineCertsDone done, void *userdata);

/* Keeps the PIN states kartd learns per card serial in the file path
 * across restarts (a card at its last try stays there), reading what it
 * holds now. Call before the readers are watched. 0 or -ENOMEM. */
int engine_keep_pin_states(Engine *e, const char *path);

/* RefreshStatus asks the responder anew at most this often per card. */
void engine_set_refresh_interval(Engine *e, unsigned sec);

/* Revocation checks use k (NULL: none). The engine does not own it. */
void engine_set_ocsp_checker(Engine *e, OcspChecker *k);

/* Queues a VERIFY or CHANGE of the card's PIN on its reader's worker and
 * calls done on the loop with the result. A PIN with a format the card
 * does not take is refused here, before anything is queued (-EDOM). The
 * PINs are copied into wiped memory. */
int engine_card_pin(Card *c, PinOp op, const char *pin, const char *new_pin, bool force,
                    const EngineCaller *caller, EnginePinDone done, void *userdata);
