/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <time.h>

#include <p11-kit/pkcs11.h>
#include <systemd/sd-event.h>

#include "conf.h"
#include "mailbox.h"
#include "token.h"

/* One PKCS#11 module, dlopen'ed and driven from a thread of its own:
 * calls run one at a time, in order (so C_Initialize needs no locking
 * from the module); the loop gives each one CallTimeoutSec and, when one
 * takes longer, gives the whole module up: the thread may be stuck in
 * the module for good, so it is never waited for. */

typedef struct P11Module P11Module;

typedef enum P11State {
        P11_LOADING,
        P11_READY,
        P11_FAILED,     /* did not load; the reason was logged */
        P11_HUNG,       /* a call timed out; the thread is left behind */
} P11State;

/* On the module's thread, with the module loaded. */
typedef int (*P11CallFunc)(P11Module *m, CK_FUNCTION_LIST *f, void *userdata);

struct CardToken {
        P11Module *module;
        CK_FUNCTION_LIST *f;
        CK_SLOT_ID slot;
};

/* failed runs on the loop when a call times out. Loading starts at once. */
int p11_module_new(Mailbox *mailbox, sd_event *event, const Pkcs11ModuleConfig *config, unsigned timeout_sec,
                   void (*failed)(P11Module *m, void *userdata), void (*loaded)(P11Module *m, void *userdata),
                   void *userdata, P11Module **ret);
/* Finalizes and unloads the module, waiting a little for it; a module
 * that hangs is left to its thread (and leaked). */
P11Module *p11_module_free(P11Module *m);
/* Shutdown of many: p11_module_stop() each (its thread told to finish,
 * queued calls dropped), then p11_module_free_until() each with one
 * deadline, so that busy modules are waited for together, not in turn.
 * A thread stuck past the deadline is left to the exiting process. */
void p11_module_stop(P11Module *m);
P11Module *p11_module_free_until(P11Module *m, const struct timespec *until);

/* Whether its thread is in a call or has one queued, or hung in one. */
bool p11_module_busy(P11Module *m);
P11State p11_module_state(const P11Module *m);
const char *p11_module_name(const P11Module *m);        /* the file name */
const char *p11_module_driver(const P11Module *m);      /* "pkcs11:<file name>" */
bool p11_module_prefer(const P11Module *m);

/* -ETIMEDOUT when the module hung, -ENODEV when it did not load. */
int p11_module_submit(P11Module *m, const char *what, P11CallFunc func, TokenDoneFunc done,
                      void *userdata, void (*free_func)(void *));

/* Trims the blank padding of a PKCS#11 text field into a string. */
char *p11_trim(const unsigned char *field, size_t size);
int p11_rv_to_errno(CK_RV rv);
