/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "kart-error.h"
#include "kart-names.h"
#include "log.h"
#include "macro.h"

#define POLKIT_NAME "org.freedesktop.PolicyKit1"
#define POLKIT_PATH "/org/freedesktop/PolicyKit1/Authority"
#define POLKIT_INTERFACE "org.freedesktop.PolicyKit1.Authority"
#define POLKIT_FLAG_ALLOW_INTERACTION 1u
/* How long an interactive check may wait for the user at the agent;
 * kartctl waits a little longer (client/kartctl/kartctl.h). */
#define AUTH_INTERACTIVE_TIMEOUT_USEC (5ULL * 60 * 1000000ULL)

/* Every method kartd serves. A method not listed here is denied. */
static const struct {
        const char *interface, *member, *action;        /* action NULL: anyone */
} auth_table[] = {
        { KART_MANAGER_INTERFACE, "GetCardBySerial", NULL },
        { KART_CARD_INTERFACE,    "ListCertificates", NULL },
        { KART_CARD_INTERFACE,    "GetCertificate",  NULL },
        { KART_CARD_INTERFACE,    "GetCertificateInfo", NULL },
        { KART_CARD_INTERFACE,    "RefreshStatus", NULL },
        { KART_CARD_INTERFACE,    "VerifyPin",       KART_ACTION_PIN_CHANGE },
        { KART_CARD_INTERFACE,    "ChangePin",       KART_ACTION_PIN_CHANGE },
};

typedef enum QueryState {
        QUERY_PENDING,
        QUERY_ALLOWED,
        QUERY_DENIED,
        QUERY_FAILED,           /* polkit did not answer: denied, saying so */
} QueryState;

typedef struct Query {
        struct Query *next;
        Auth *auth;
        sd_bus_message *request;        /* the parked call */
        sd_bus_slot *slot;              /* CheckAuthorization in flight */
        sd_bus_slot *caller_gone;       /* NameOwnerChanged for the caller */
        char cancel_id[32];             /* CheckAuthorization's cancellation_id */
        const char *action;
        QueryState state;
        char *failure;
} Query;

struct Auth {
        Query *queries;
        uint64_t n_checks;              /* for cancellation ids */
        /* Frees answers nobody collected: the call's handler did not run
         * again because its object went away (a card removed while polkit
         * was asked), so sd-bus answered UnknownObject itself. */
        sd_event_source *sweep;
};

const char *auth_action_for(const char *interface, const char *member, bool *ret_public) {
        for (size_t i = 0; i < ELEMENTSOF(auth_table); i++)
                if (streq_ptr(auth_table[i].interface, interface) && streq_ptr(auth_table[i].member, member)) {
                        *ret_public = !auth_table[i].action;
                        return auth_table[i].action;
                }
        *ret_public = false;
        return NULL;
}

static Query *query_free(Query *q) {
        if (!q)
                return NULL;
        sd_bus_slot_unref(q->slot);
        sd_bus_slot_unref(q->caller_gone);
        sd_bus_message_unref(q->request);
        free(q->failure);
        free(q);
        return NULL;
}

static void query_unlink(Query *q) {
        for (Query **p = &q->auth->queries; *p; p = &(*p)->next)
                if (*p == q) {
                        *p = q->next;
                        return;
                }
}

int auth_new(Auth **ret) {
        *ret = calloc(1, sizeof(Auth));
        return *ret ? 0 : -ENOMEM;
}

Auth *auth_free(Auth *a) {
        if (!a)
                return NULL;
        a->sweep = sd_event_source_disable_unref(a->sweep);
        while (a->queries) {
                Query *q = a->queries;

                a->queries = q->next;
                query_free(q);
        }
        free(a);
        return NULL;
}

static int on_sweep(sd_event_source *s, void *userdata) {
        Auth *a = userdata;

        for (Query **p = &a->queries; *p;) {
                Query *q = *p;

                if (q->state == QUERY_PENDING) {
                        p = &q->next;
                        continue;
                }
                log_debug("Dropped polkit's answer about %s for %s: the call's object is gone.",
                          q->action, strna(sd_bus_message_get_sender(q->request)));
                *p = q->next;
                query_free(q);  /* the last reference: sd-bus wipes the call's arguments */
        }
        return 0;
}

/* Runs on_sweep once the loop is idle. A re-queued call is dispatched
 * before that: sd-bus keeps its event source ready while its read queue
 * is not empty, at a higher priority than idle. So whatever the sweep
 * finds answered had its handler run already, or never will. */
static void schedule_sweep(Auth *a, sd_bus *bus) {
        int r;

        if (a->sweep) {
                r = sd_event_source_set_enabled(a->sweep, SD_EVENT_ONESHOT);
                if (r < 0)
                        log_warning_errno(r, "Failed to schedule freeing stale authorization answers: %m");
                return;
        }
        r = sd_event_add_defer(sd_bus_get_event(bus), &a->sweep, on_sweep, a);
        if (r >= 0)
                r = sd_event_source_set_priority(a->sweep, SD_EVENT_PRIORITY_IDLE);
        if (r < 0) {
                log_warning_errno(r, "Failed to schedule freeing stale authorization answers: %m");
                a->sweep = sd_event_source_disable_unref(a->sweep);
        }
}

static int on_polkit_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        Query *q = userdata;
        const sd_bus_error *e = sd_bus_message_get_error(reply);
        int authorized = 0, challenge = 0, r;

        q->slot = sd_bus_slot_unref(q->slot);
        q->caller_gone = sd_bus_slot_unref(q->caller_gone);
        if (e) {
                q->state = QUERY_FAILED;
                q->failure = strdup(e->message ?: e->name);
        } else {
                r = sd_bus_message_enter_container(reply, 'r', "bba{ss}");
                if (r >= 0)
                        r = sd_bus_message_read(reply, "bb", &authorized, &challenge);
                if (r < 0) {
                        q->state = QUERY_FAILED;
                        q->failure = strdup("polkit sent a reply kartd does not understand");
                } else
                        q->state = authorized ? QUERY_ALLOWED : QUERY_DENIED;
        }

        /* Run the parked call's handler again; it finds this answer. If
         * the call's object is gone by then, the handler does not run and
         * the sweep frees the answer. */
        r = sd_bus_enqueue_for_read(sd_bus_message_get_bus(q->request), q->request);
        if (r < 0) {
                log_error_errno(r, "Failed to resume a call after authorization: %m");
                (void) sd_bus_reply_method_errorf(q->request, KART_ERROR_FAILED,
                                                  "Could not resume the call after authorization.");
                query_unlink(q);
                query_free(q);
                return 0;
        }
        schedule_sweep(q->auth, sd_bus_message_get_bus(q->request));
        return 0;
}

/* The caller left while polkit decides: tell polkit to stop (an agent may
 * be asking someone for a password on the caller's behalf), and drop the
 * call, PIN and all. */
static int on_caller_gone(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        Query *q = userdata;
        sd_bus *bus = sd_bus_message_get_bus(q->request);
        const char *name, *old_owner, *new_owner;
        int r;

        if (sd_bus_message_read(m, "sss", &name, &old_owner, &new_owner) < 0 || (new_owner && *new_owner))
                return 0;

        log_debug("%s left while polkit decides on %s; cancelling the check.", name, q->action);
        r = sd_bus_call_method_async(bus, NULL, POLKIT_NAME, POLKIT_PATH, POLKIT_INTERFACE,
                                     "CancelCheckAuthorization", NULL, NULL, "s", q->cancel_id);
        if (r < 0)
                log_debug_errno(r, "Failed to cancel a polkit check: %m");
        query_unlink(q);
        query_free(q);
        return 0;
}

/* Without this, sd-bus would close the connection when the bus refuses
 * the match (a caller could park calls until kartd hits its match limit). */
static int on_watch_installed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        Query *q = userdata;
        const sd_bus_error *e = sd_bus_message_get_error(m);

        if (e) {
                log_debug("Cannot watch %s for disconnection (%s); its check cannot be cancelled.",
                          strna(sd_bus_message_get_sender(q->request)), e->message ?: e->name);
                q->caller_gone = sd_bus_slot_unref(q->caller_gone);
        }
        return 0;
}

/* Watches the caller's unique name (it is never reused). Added before the
 * check is sent: should the caller be gone even before the match is in
 * place, polkit cannot resolve the subject and fails the check at once. */
static int watch_caller(Query *q, sd_bus *bus, const char *sender) {
        _cleanup_free_ char *match = NULL;

        if (asprintf(&match, "type='signal',sender='org.freedesktop.DBus',path='/org/freedesktop/DBus',"
                     "interface='org.freedesktop.DBus',member='NameOwnerChanged',arg0='%s'", sender) < 0)
                return -ENOMEM;
        return sd_bus_add_match_async(bus, &q->caller_gone, match, on_caller_gone, on_watch_installed, q);
}

static int start_query(Auth *a, sd_bus_message *m, const char *action, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *call = NULL;
        sd_bus *bus = sd_bus_message_get_bus(m);
        const char *sender = sd_bus_message_get_sender(m);
        unsigned flags = 0;
        Query *q;
        int r;

        if (!sender)
                return sd_bus_error_set(error, KART_ERROR_NOT_AUTHORIZED, "The caller has no bus name.");
        if (sd_bus_message_get_allow_interactive_authorization(m))
                flags |= POLKIT_FLAG_ALLOW_INTERACTION;

        q = calloc(1, sizeof *q);
        if (!q)
                return -ENOMEM;
        *q = (Query) { .auth = a, .request = sd_bus_message_ref(m), .action = action };
        (void) snprintf(q->cancel_id, sizeof q->cancel_id, "kartd-%" PRIu64, ++a->n_checks);

        r = sd_bus_message_new_method_call(bus, &call, POLKIT_NAME, POLKIT_PATH, POLKIT_INTERFACE,
                                           "CheckAuthorization");
        if (r >= 0)
                r = sd_bus_message_append(call, "(sa{sv})sa{ss}us", "system-bus-name", 1, "name", "s",
                                          sender, action, 0, flags, q->cancel_id);
        if (r < 0) {
                query_free(q);
                return r;
        }
        r = watch_caller(q, bus, sender);
        if (r < 0)      /* the check still works, it just cannot be cancelled */
                log_debug_errno(r, "Failed to watch %s for disconnection: %m", sender);
        /* Interactive checks wait for the user at the agent: no short timeout. */
        r = sd_bus_call_async(bus, &q->slot, call, on_polkit_reply, q,
                              flags ? AUTH_INTERACTIVE_TIMEOUT_USEC : 0);
        if (r < 0) {
                query_free(q);
                return sd_bus_error_setf(error, KART_ERROR_NOT_AUTHORIZED,
                                         "polkit is not available, so %s cannot be authorized.", action);
        }
        q->next = a->queries;
        a->queries = q;
        log_debug("Asking polkit whether %s may %s.", sender, action);
        return 0;
}

int auth_check(Auth *a, sd_bus_message *m, sd_bus_error *error) {
        _cleanup_(sd_bus_creds_unrefp) sd_bus_creds *creds = NULL;
        const char *action;
        bool public;
        uid_t uid;
        int r;

        action = auth_action_for(sd_bus_message_get_interface(m), sd_bus_message_get_member(m), &public);
        if (public)
                return 1;
        if (!action)
                return sd_bus_error_setf(error, KART_ERROR_NOT_AUTHORIZED,
                                         "%s.%s is not in kartd's authorization table.",
                                         sd_bus_message_get_interface(m), sd_bus_message_get_member(m));

        r = sd_bus_query_sender_creds(m, SD_BUS_CREDS_EUID, &creds);
        if (r >= 0 && sd_bus_creds_get_euid(creds, &uid) >= 0 && uid == 0)
                return 1;

        for (Query *q = a->queries; q; q = q->next) {
                if (q->request != m)
                        continue;
                if (q->state == QUERY_PENDING)
                        return 0;
                query_unlink(q);
                if (q->state == QUERY_ALLOWED) {
                        query_free(q);
                        return 1;
                }
                if (q->state == QUERY_FAILED) {
                        log_warning("polkit could not authorize %s: %s", action, strna(q->failure));
                        r = sd_bus_error_setf(error, KART_ERROR_NOT_AUTHORIZED,
                                              "polkit could not authorize %s: %s.",
                                              action, strna(q->failure));
                } else
                        r = sd_bus_error_setf(error, KART_ERROR_NOT_AUTHORIZED,
                                              "Not authorized for %s.", action);
                query_free(q);
                return r;
        }

        r = start_query(a, m, action, error);
        return r < 0 ? r : 0;
}
