/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include <systemd/sd-event.h>

#include "card-certs.h"
#include "card-identity.h"
#include "card-pin.h"
#include "conf.h"
#include "mailbox.h"

/* Cards served by a PKCS#11 module (a vendor's, OpenSC's, SoftHSM)
 * instead of kartd's own APDU drivers. The engine sees the same logical
 * jobs as on a reader worker (identity, PIN, certificates) and the same
 * result structs; PKCS#11 itself stays behind this header. Each module
 * runs in a host process of its own, called from a thread of kartd's, one
 * call after another; a call that takes longer than [PKCS11]
 * CallTimeoutSec=, or a crash, costs the host, restarted with backoff. */

typedef struct TokenHost TokenHost;     /* the configured modules */
typedef struct TokenRef TokenRef;       /* one module's token, as a Card holds it (loop side) */
typedef struct CardToken CardToken;     /* the same during a job, on the module's thread */

/* Runs on the module's thread; returns 0 or -errno. */
typedef int (*TokenJobFunc)(CardToken *t, void *userdata);
/* Runs on the loop. -ETIMEDOUT: the module did not answer; the job's
 * function may still be running, so done must not read what it writes. */
typedef void (*TokenDoneFunc)(int result, void *userdata);

typedef struct TokenHostObserver {
        /* The slots no PC/SC reader backs (software tokens) changed. */
        void (*soft_slots_changed)(TokenHost *h, void *userdata);
        /* A module's host ended (a crash, or a call that hung): the cards
         * it served are unavailable. */
        void (*module_failed)(TokenHost *h, const void *module, void *userdata);
        /* A module is ready (again): the cards it served are to be read anew. */
        void (*module_ready)(TokenHost *h, const void *module, void *userdata);
} TokenHostObserver;

/* The token a module has in the slot described as reader (trimmed), with
 * its identity and certificates (the callee takes what it wants of id and
 * files: the rest is freed after it returns). result -ENOENT: no module
 * has one. ref is the caller's on success. */
typedef void (*TokenFindDone)(int result, TokenRef *ref, CardIdentity *id,
                              CardCertFile *files, size_t n_files, size_t bytes, void *userdata);

int token_host_new(Mailbox *mailbox, sd_event *event, const Pkcs11Config *config,
                   const TokenHostObserver *observer, void *userdata, TokenHost **ret);
/* Stops the module threads: a call in flight past a short wait has its
 * host killed, which brings the thread back. *ret_left_behind: whether a
 * thread stayed in its module even so (it still uses what its job points
 * to). */
TokenHost *token_host_free(TokenHost *h, bool *ret_left_behind);
/* What a module is asked to do with a card in a reader. */
typedef enum TokenUse {
        /* kartd's own driver cannot read the card: the module serves it
         * whole (identity, certificates, PIN). */
        TOKEN_USE_CARD,
        /* kartd reads the card, but a module configured with Prefer=
         * serves it whole all the same. */
        TOKEN_USE_PREFERRED,
        /* kartd reads the card (identity, certificates, tries); the
         * module carries its PIN operations, which kartd's driver has no
         * established commands for (or PinOperations=module says so). */
        TOKEN_USE_PIN,
} TokenUse;

/* Whether a usable module may take a card for this use. */
bool token_host_wants(TokenHost *h, TokenUse use);
/* Asks the modules in order for the token in the slot described as
 * reader; for TOKEN_USE_PIN only its identity is read. */
int token_host_find(TokenHost *h, const char *reader, TokenUse use, TokenFindDone done, void *userdata);
/* The slot descriptions of the software tokens now present, as
 * reader names (NULL-terminated, the host's). */
char **token_host_soft_slots(TokenHost *h);
/* Asks the modules for their slots again (a reader came or went). */
void token_host_refresh(TokenHost *h);

TokenRef *token_ref_free(TokenRef *r);
/* "pkcs11:<module file name>"; lives as long as the host. */
const char *token_ref_driver(const TokenRef *r);
const void *token_ref_module(const TokenRef *r);
/* -ETIMEDOUT when the module no longer answers. */
int token_ref_submit(TokenRef *r, const char *what, TokenJobFunc job, TokenDoneFunc done,
                     void *userdata, void (*free_func)(void *));

/* The jobs, on the module's thread. */
int card_token_identity_read(CardToken *t, CardIdentity *ret);
int card_token_read_certificates(CardToken *t, CardCertFile **ret, size_t *ret_n, size_t *ret_bytes);
/* As card_pin_run(): the same card (serial), the interlock, then
 * C_Login/C_Logout or C_SetPIN, and the state from the token's flags. */
int card_token_pin_run(CardToken *t, PinRequest *req);
