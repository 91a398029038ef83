/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <time.h>

#include <p11-kit/pkcs11.h>
#include <systemd/sd-event.h>

#include "conf.h"
#include "mailbox.h"
#include "token.h"

/* One PKCS#11 module, run in a host process of its own (p11-remote.h)
 * and driven from a thread of kartd's: calls run one at a time, in order
 * (so the module needs no locking); the loop gives each one
 * CallTimeoutSec. A call that takes longer, or a host that dies, costs
 * the host: the module's cards are unavailable until a new host runs,
 * started with backoff, and a module whose hosts keep ending is given
 * up. Killing a host brings the thread back from the call it waited in. */

typedef struct P11Module P11Module;

typedef enum P11State {
        P11_LOADING,
        P11_READY,
        P11_RESTARTING, /* its host ended; a new one is on its way */
        P11_FAILED,     /* did not load, or given up; the reason was logged */
        P11_HUNG,       /* its thread did not come back even from a killed host; left behind */
} P11State;

/* On the module's thread, with the module loaded. */
typedef int (*P11CallFunc)(P11Module *m, CK_FUNCTION_LIST *f, void *userdata);

struct CardToken {
        P11Module *module;
        CK_FUNCTION_LIST *f;
        CK_SLOT_ID slot;
};

/* failed runs on the loop when the host ended (its cards are
 * unavailable); loaded when the module loaded, did not, or its host was
 * restarted. Loading starts at once. */
int p11_module_new(Mailbox *mailbox, sd_event *event, const Pkcs11ModuleConfig *config, unsigned timeout_sec,
                   void (*failed)(P11Module *m, void *userdata), void (*loaded)(P11Module *m, void *userdata),
                   void *userdata, P11Module **ret);
/* Disconnects from the module and ends its host, waiting a little for a
 * call in flight (then its host is killed). */
P11Module *p11_module_free(P11Module *m);
/* Shutdown of many: p11_module_stop() each (its thread told to finish,
 * queued calls dropped), then p11_module_free_until() each with one
 * deadline, so that busy modules are waited for together, not in turn.
 * A thread stuck past the deadline is left to the exiting process. */
void p11_module_stop(P11Module *m);
/* true when the thread stayed in the module even after its host was
 * killed: it is left behind, and still reads what its job points to. */
bool p11_module_free_until(P11Module *m, const struct timespec *until);

P11State p11_module_state(const P11Module *m);
const char *p11_module_name(const P11Module *m);        /* the file name */
const char *p11_module_driver(const P11Module *m);      /* "pkcs11:<file name>" */
bool p11_module_prefer(const P11Module *m);

/* -ECONNRESET while its host restarts, -ENODEV when it did not load or
 * was given up, -ETIMEDOUT when its thread was left behind. A call in
 * flight when the host dies gets -ECONNRESET, one that hangs -ETIMEDOUT;
 * neither is tried again. */
int p11_module_submit(P11Module *m, const char *what, P11CallFunc func, TokenDoneFunc done,
                      void *userdata, void (*free_func)(void *));

/* Trims the blank padding of a PKCS#11 text field into a string. */
char *p11_trim(const unsigned char *field, size_t size);
int p11_rv_to_errno(CK_RV rv);
