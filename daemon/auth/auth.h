/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <sys/types.h>
#include <systemd/sd-bus.h>

/* Who may call what: one table maps every method to a polkit action (or
 * to "anyone"); a method missing from it is denied. Checks go to polkitd
 * asynchronously: the call is parked while the bus driver names the
 * caller (GetConnectionCredentials) and polkit decides, then re-queued,
 * so the handler runs again and finds the answer (systemd's bus-polkit
 * pattern); an answer whose handler does not run again (its object went
 * away meanwhile) is freed once the event loop is idle. A caller that
 * disconnects while polkit decides has its check cancelled
 * (CancelCheckAuthorization) and its call dropped. Root passes without
 * asking.
 *
 * What is parked is bounded: a call's arguments first (auth-args.h),
 * then the number of calls parked per connection, per user and in all;
 * past a bound the call is answered Busy at once, nothing kept. An
 * interactive check that nobody answers is cancelled after a minute. */

typedef struct Auth Auth;

int auth_new(Auth **ret);
Auth *auth_free(Auth *a);

/* The action for a method; NULL with *ret_public = true for methods
 * anyone may call; NULL with *ret_public = false when the method is not
 * in the table. */
const char *auth_action_for(const char *interface, const char *member, bool *ret_public);

/* Call first in a method handler:
 *   > 0  authorized: go on;
 *   0    parked: return 1 from the handler, it will run again;
 *   < 0  denied or failed, error set: return it. */
int auth_check(Auth *a, sd_bus_message *m, sd_bus_error *error);

/* Who called, as the bus driver says: for the audit log. */
typedef struct AuthCaller {
        uid_t uid;      /* (uid_t) -1 when unknown */
        pid_t pid;      /* 0 when unknown */
} AuthCaller;

/* auth_check(), also giving the caller once authorized; public methods
 * are not parked, so their caller stays unknown. */
int auth_check_caller(Auth *a, sd_bus_message *m, AuthCaller *ret_caller, sd_bus_error *error);

/* The caller of m, named by the bus driver, without asking polkit (who
 * may read what kartd gives only to some): parked and answered like
 * auth_check_caller(), within the same bounds; args as auth-args.h says,
 * what names the access in messages ("reading a session"). */
int auth_identify(Auth *a, sd_bus_message *m, const char *what, const char *args, AuthCaller *ret_caller,
                  sd_bus_error *error);
