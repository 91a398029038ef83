/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Between the engine's files; not for the bus layer. */

#include "card/card-certs.h"
#include "card/reader-worker.h"
#include "engine.h"
#include "pin-memo.h"

Reader *engine_reader_find(Engine *e, const char *name);

/* The last PIN state the jobs saw, per card serial (pin-memo.h); it
 * lives as long as the engine. */
PinMemo *engine_pin_memo(Engine *e);
void engine_notify_pin_changed(Engine *e, Card *c);
/* What an operation outside engine-pin.c (an unlock) learnt of the PIN of
 * the card with this serial. */
void engine_card_pin_status_changed(Engine *e, const char *serial, const PinStatus *status);
Mailbox *engine_mailbox(Engine *e);
void engine_notify_cert_status_changed(Engine *e, Card *c, CardCert *k);
OcspChecker *engine_ocsp_checker(Engine *e);
uint64_t engine_refresh_interval_usec(Engine *e);
struct CertWaiter {
        CertWaiter *next;
        EngineCertsDone done;
        void *userdata;
};

int engine_cert_waiter_add(CertWaiter **list, EngineCertsDone done, void *userdata);
/* Answers every waiting call; c is NULL when the card is gone. */
void engine_cert_waiters_wake(CertWaiter **list, int result, Card *c);
/* Starts OCSP checks of the card's certificates whose answer is not
 * cached (force: all); wakes c->status_waiters when none is pending. */
void engine_card_check_status(Card *c, bool force);
/* The card's certificates from files read on the worker (emptied here):
 * parsed with OpenSSL, their revocation checks started. */
void engine_card_certs_take(Card *c, CardCertFile *files, size_t n, unsigned apdus, size_t bytes);
/* Frees the card's certificates and answers waiting calls (card gone). */
void engine_card_certs_drop(Card *c);
/* Runs job on the reader's worker thread. */
int engine_submit(Engine *e, Reader *r, ReaderJobFunc job, ReaderDoneFunc done,
                  ReaderJobFlags flags, void *userdata, void (*free_func)(void *));
