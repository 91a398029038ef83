/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth.h"
#include "auth-args.h"
#include "kart-error.h"
#include "kart-names.h"
#include "log.h"
#include "macro.h"

#define POLKIT_NAME "org.freedesktop.PolicyKit1"
#define POLKIT_PATH "/org/freedesktop/PolicyKit1/Authority"
#define POLKIT_INTERFACE "org.freedesktop.PolicyKit1.Authority"
#define POLKIT_FLAG_ALLOW_INTERACTION 1u
/* How long an interactive check may wait for the user at the agent. One
 * who is there types a password well within it; a check nobody answers
 * keeps its call (and its place within the bounds below) no longer, and
 * is then cancelled, so the agent's dialog closes. kartctl waits a little
 * longer (client/kartctl/kartctl.h). */
#define AUTH_INTERACTIVE_TIMEOUT_SEC 60U

/* Bounds on parked calls (security.md, "Bounded"); past one, a call is
 * answered Busy at once and nothing of it is kept.
 * - Per connection (the caller's unique name): a client waits for one or
 *   two of its calls at a time (kartctl one, kart-gui one per dialog).
 * - Per user, of the calls that wait for polkit: a user may open many
 *   connections (dbus-daemon allows 256 per user), which must not take
 *   every place of the total. Known once the bus driver named the caller.
 * - In all: every call that waits for polkit is a call from kartd to
 *   polkitd that waits for its reply, and dbus-daemon refuses a
 *   connection's calls past 128 of those (max_replies_per_connection),
 *   failing everyone's checks; each also holds a match on the bus (512
 *   per connection) and its message, whose arguments are bounded first
 *   (auth-args.h: a few KB). */
#define AUTH_PARKED_PER_SENDER_MAX 8U
#define AUTH_POLKIT_PER_USER_MAX 16U
#define AUTH_PARKED_MAX 64U

/* Every method kartd serves. A method not listed here is denied. The
 * arguments of a guarded method are bounded (auth-args.h) before its
 * call is parked. */
static const struct {
        const char *interface, *member;
        const char *action;     /* NULL: anyone, not parked */
        const char *args;       /* for auth_args_check() */
} auth_table[] = {
        { KART_MANAGER_INTERFACE, "GetCardBySerial", NULL, NULL },
        { KART_CARD_INTERFACE,    "ListCertificates", NULL, NULL },
        { KART_CARD_INTERFACE,    "GetCertificate",  NULL, NULL },
        { KART_CARD_INTERFACE,    "GetCertificateInfo", NULL, NULL },
        { KART_CARD_INTERFACE,    "RefreshStatus", NULL, NULL },
        { KART_CARD_INTERFACE,    "VerifyPin",       KART_ACTION_PIN_CHANGE, "PO" },
        { KART_CARD_INTERFACE,    "ChangePin",       KART_ACTION_PIN_CHANGE, "PPO" },
        { KART_CARD_INTERFACE,    "Unlock",          KART_ACTION_PIN_UNLOCK, "WO" },
        { KART_CARD_INTERFACE,    "CertificateSession", KART_ACTION_CERTIFICATE_MANAGE, "WO" },
        /* Sessions: only their owner (or root) drives them (bus-session.c
         * compares the caller's uid, which a checked call brings); the
         * action was checked when the session was made, but for revoke. */
        { KART_SESSION_INTERFACE, "SendSms",         KART_ACTION_CARD_READ, "" },
        { KART_SESSION_INTERFACE, "Confirm",         KART_ACTION_CARD_READ, "WS" },
        { KART_SESSION_INTERFACE, "SetPin",          KART_ACTION_CARD_READ, "P" },
        { KART_SESSION_INTERFACE, "ListAccountCertificates", KART_ACTION_CARD_READ, "" },
        { KART_SESSION_INTERFACE, "Suspend",         KART_ACTION_CARD_READ, "W" },
        { KART_SESSION_INTERFACE, "Resume",          KART_ACTION_CARD_READ, "W" },
        { KART_SESSION_INTERFACE, "Revoke",          KART_ACTION_CERTIFICATE_REVOKE, "WWW" },
        { KART_SESSION_INTERFACE, "Cancel",          KART_ACTION_CARD_READ, "" },
};

typedef enum QueryState {
        QUERY_PENDING,
        QUERY_ALLOWED,
        QUERY_DENIED,
        QUERY_FAILED,           /* no answer (bus or polkit): denied, saying why */
        QUERY_BUSY,             /* over the per-user bound: Busy, saying why */
} QueryState;

/* One parked call. Two asynchronous steps: the bus driver says who the
 * caller is (root passes there), then polkit decides for everyone else. */
typedef struct Query {
        struct Query *next;
        Auth *auth;
        sd_bus_message *request;        /* the parked call */
        sd_bus_slot *slot;              /* the step in flight */
        sd_bus_slot *caller_gone;       /* NameOwnerChanged for the caller */
        bool asked_polkit;
        bool interactive;
        bool identify_only;             /* auth_identify(): the caller, no polkit */
        uint64_t asked_usec;            /* CLOCK_MONOTONIC, when polkit was asked */
        char cancel_id[32];             /* CheckAuthorization's cancellation_id */
        const char *action;
        AuthCaller caller;
        QueryState state;
        char *failure;                  /* QUERY_FAILED, _BUSY: the reason, a sentence without its period */
} Query;

struct Auth {
        Query *queries;
        uint64_t n_checks;              /* for cancellation ids */
        uint64_t busy_warned_usec;      /* CLOCK_MONOTONIC, the last warning about a bound */
        /* Frees answers nobody collected: the call's handler did not run
         * again because its object went away (a card removed while polkit
         * was asked), so sd-bus answered UnknownObject itself. */
        sd_event_source *sweep;
};

static size_t find_method(const char *interface, const char *member) {
        for (size_t i = 0; i < ELEMENTSOF(auth_table); i++)
                if (streq_ptr(auth_table[i].interface, interface) && streq_ptr(auth_table[i].member, member))
                        return i;
        return SIZE_MAX;
}

const char *auth_action_for(const char *interface, const char *member, bool *ret_public) {
        size_t i = find_method(interface, member);

        *ret_public = i != SIZE_MAX && !auth_table[i].action;
        return i != SIZE_MAX ? auth_table[i].action : NULL;
}

static uint64_t monotonic_usec(void) {
        struct timespec ts;

        (void) clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000ULL + (uint64_t) ts.tv_nsec / 1000U;
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
                log_debug("Dropped the authorization answer about %s for %s: the call's object is gone.",
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

/* The answer is in: run the parked call's handler again, it finds the
 * answer. If the call's object is gone by then, the handler does not run
 * and the sweep frees the answer. */
static void query_finish(Query *q, QueryState state) {
        sd_bus *bus = sd_bus_message_get_bus(q->request);
        int r;

        q->state = state;
        q->slot = sd_bus_slot_unref(q->slot);
        q->caller_gone = sd_bus_slot_unref(q->caller_gone);

        r = sd_bus_enqueue_for_read(bus, q->request);
        if (r < 0) {
                log_error_errno(r, "Failed to resume a call after authorization: %m");
                (void) sd_bus_reply_method_errorf(q->request, KART_ERROR_FAILED,
                                                  "Could not resume the call after authorization.");
                query_unlink(q);
                query_free(q);
                return;
        }
        schedule_sweep(q->auth, bus);
}

/* state is QUERY_FAILED or QUERY_BUSY. */
_printf_(3, 4) static void query_fail(Query *q, QueryState state, const char *format, ...) {
        va_list ap;

        free(q->failure);
        va_start(ap, format);
        if (vasprintf(&q->failure, format, ap) < 0)
                q->failure = NULL;
        va_end(ap);
        query_finish(q, state);
}

/* Tells polkit to stop deciding (an agent may be asking someone for a
 * password). Nothing waits for its answer. */
static void cancel_polkit_check(Query *q) {
        int r;

        r = sd_bus_call_method_async(sd_bus_message_get_bus(q->request), NULL, POLKIT_NAME, POLKIT_PATH,
                                     POLKIT_INTERFACE, "CancelCheckAuthorization", NULL, NULL, "s",
                                     q->cancel_id);
        if (r < 0)
                log_debug_errno(r, "Failed to cancel a polkit check: %m");
}

static int on_polkit_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        Query *q = userdata;
        const sd_bus_error *e = sd_bus_message_get_error(reply);
        int authorized = 0, challenge = 0, r;

        if (e && q->interactive && sd_bus_error_has_names(e, SD_BUS_ERROR_NO_REPLY, SD_BUS_ERROR_TIMEOUT) &&
            monotonic_usec() - q->asked_usec >= AUTH_INTERACTIVE_TIMEOUT_SEC * 1000000ULL) {
                cancel_polkit_check(q);
                query_fail(q, QUERY_FAILED, "Nobody answered the authentication dialog for %s within %u seconds",
                           q->action, AUTH_INTERACTIVE_TIMEOUT_SEC);
                return 0;
        }
        if (e) {
                query_fail(q, QUERY_FAILED, "polkit could not authorize %s: %s", q->action, e->message ?: e->name);
                return 0;
        }
        r = sd_bus_message_enter_container(reply, 'r', "bba{ss}");
        if (r >= 0)
                r = sd_bus_message_read(reply, "bb", &authorized, &challenge);
        if (r < 0)
                query_fail(q, QUERY_FAILED,
                           "polkit could not authorize %s: polkit sent a reply kartd does not understand", q->action);
        else
                query_finish(q, authorized ? QUERY_ALLOWED : QUERY_DENIED);
        return 0;
}

/* The caller left while polkit decides: tell polkit to stop (an agent may
 * be asking someone for a password on the caller's behalf), and drop the
 * call, PIN and all. */
static int on_caller_gone(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        Query *q = userdata;
        const char *name, *old_owner, *new_owner;

        if (sd_bus_message_read(m, "sss", &name, &old_owner, &new_owner) < 0 || (new_owner && *new_owner))
                return 0;

        log_debug("%s left while its call waits for authorization (%s); dropping the call.", name, q->action);
        if (q->asked_polkit)
                cancel_polkit_check(q);
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
 * first step is sent: should the caller be gone even before the match is
 * in place, the bus driver and polkit fail to resolve it at once. */
static int watch_caller(Query *q, sd_bus *bus, const char *sender) {
        _cleanup_free_ char *match = NULL;

        if (asprintf(&match, "type='signal',sender='org.freedesktop.DBus',path='/org/freedesktop/DBus',"
                     "interface='org.freedesktop.DBus',member='NameOwnerChanged',arg0='%s'", sender) < 0)
                return -ENOMEM;
        return sd_bus_add_match_async(bus, &q->caller_gone, match, on_caller_gone, on_watch_installed, q);
}

static int ask_polkit(Query *q) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *call = NULL;
        sd_bus *bus = sd_bus_message_get_bus(q->request);
        const char *sender = sd_bus_message_get_sender(q->request);
        unsigned flags = 0;
        int r;

        if (sd_bus_message_get_allow_interactive_authorization(q->request))
                flags |= POLKIT_FLAG_ALLOW_INTERACTION;
        (void) snprintf(q->cancel_id, sizeof q->cancel_id, "kartd-%" PRIu64, ++q->auth->n_checks);

        r = sd_bus_message_new_method_call(bus, &call, POLKIT_NAME, POLKIT_PATH, POLKIT_INTERFACE,
                                           "CheckAuthorization");
        if (r >= 0)
                r = sd_bus_message_append(call, "(sa{sv})sa{ss}us", "system-bus-name", 1, "name", "s",
                                          sender, q->action, 0, flags, q->cancel_id);
        if (r < 0)
                return r;
        /* Interactive checks wait for the user at the agent; others get
         * sd-bus's default timeout. */
        r = sd_bus_call_async(bus, &q->slot, call, on_polkit_reply, q,
                              flags ? AUTH_INTERACTIVE_TIMEOUT_SEC * 1000000ULL : 0);
        if (r < 0)
                return r;
        q->asked_polkit = true;
        q->interactive = flags != 0;
        q->asked_usec = monotonic_usec();
        log_debug("Asking polkit whether %s may %s.", sender, q->action);
        return 0;
}

/* Calls parked: of one sender, or (sender NULL) in all. Answers not yet
 * collected count too: they still hold their call. */
static unsigned count_parked(Auth *a, const char *sender) {
        unsigned n = 0;

        for (Query *q = a->queries; q; q = q->next)
                n += !sender || streq_ptr(sd_bus_message_get_sender(q->request), sender);
        return n;
}

static unsigned count_waiting_for_polkit(Auth *a, uid_t uid) {
        unsigned n = 0;

        for (Query *q = a->queries; q; q = q->next)
                n += q->state == QUERY_PENDING && q->asked_polkit && q->caller.uid == uid;
        return n;
}

/* A call past a bound: a warning a minute at most (a flood would fill
 * the journal), the rest at debug level. */
static void log_busy(Auth *a, sd_bus_message *m, const char *bound) {
        uint64_t now = monotonic_usec();
        int level = LOG_DEBUG;

        if (a->busy_warned_usec == 0 || now - a->busy_warned_usec >= 60 * 1000000ULL) {
                a->busy_warned_usec = now;
                level = LOG_WARNING;
        }
        log_full_errno(level, 0, "Too many calls wait for authorization (the bound %s); %s from %s is answered Busy.",
                       bound, sd_bus_message_get_member(m), strna(sd_bus_message_get_sender(m)));
}

/* Reads UnixUserID and ProcessID from GetConnectionCredentials' a{sv}. */
static int read_credentials(sd_bus_message *reply, AuthCaller *ret) {
        bool have_uid = false;
        int r;

        *ret = (AuthCaller) { .uid = (uid_t) -1, .pid = 0 };
        r = sd_bus_message_enter_container(reply, 'a', "{sv}");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_enter_container(reply, 'e', "sv")) > 0) {
                const char *key;
                uint32_t v;

                r = sd_bus_message_read(reply, "s", &key);
                if (r < 0)
                        return r;
                if (streq(key, "UnixUserID") || streq(key, "ProcessID")) {
                        r = sd_bus_message_read(reply, "v", "u", &v);
                        if (r < 0)
                                return r;
                        if (streq(key, "UnixUserID")) {
                                ret->uid = (uid_t) v;
                                have_uid = true;
                        } else
                                ret->pid = (pid_t) v;
                } else {
                        r = sd_bus_message_skip(reply, "v");
                        if (r < 0)
                                return r;
                }
                r = sd_bus_message_exit_container(reply);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;
        return have_uid ? 0 : -ENODATA;
}

static int on_credentials(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        Query *q = userdata;
        const sd_bus_error *e = sd_bus_message_get_error(reply);
        int r;

        q->slot = sd_bus_slot_unref(q->slot);
        if (e) {
                query_fail(q, QUERY_FAILED, "kartd could not identify the caller of %s: %s", q->action,
                           e->message ?: e->name);
                return 0;
        }
        r = read_credentials(reply, &q->caller);
        if (r < 0) {
                query_fail(q, QUERY_FAILED, "kartd could not identify the caller of %s: the bus sent no user id",
                           q->action);
                return 0;
        }
        if (q->identify_only || q->caller.uid == 0) {   /* root needs no one's permission */
                query_finish(q, QUERY_ALLOWED);
                return 0;
        }
        if (count_waiting_for_polkit(q->auth, q->caller.uid) >= AUTH_POLKIT_PER_USER_MAX) {
                log_busy(q->auth, q->request, "of one user");
                query_fail(q, QUERY_BUSY, "Too many of this user's calls wait for authorization (%u); "
                           "try again later", AUTH_POLKIT_PER_USER_MAX);
                return 0;
        }
        r = ask_polkit(q);
        if (r < 0)
                query_fail(q, QUERY_FAILED, "polkit is not available, so %s cannot be authorized", q->action);
        return 0;
}

/* Parks m: asks the bus driver for the caller's credentials, without
 * waiting (sd_bus_query_sender_creds would block the loop on it). */
static int start_query(Auth *a, sd_bus_message *m, const char *action, bool identify_only) {
        sd_bus *bus = sd_bus_message_get_bus(m);
        const char *sender = sd_bus_message_get_sender(m);
        Query *q;
        int r;

        q = calloc(1, sizeof *q);
        if (!q)
                return -ENOMEM;
        *q = (Query) { .auth = a, .request = sd_bus_message_ref(m), .action = action,
                       .identify_only = identify_only, .caller = { .uid = (uid_t) -1 } };

        r = watch_caller(q, bus, sender);
        if (r < 0)      /* the check still works, it just cannot be cancelled */
                log_debug_errno(r, "Failed to watch %s for disconnection: %m", sender);
        r = sd_bus_call_method_async(bus, &q->slot, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                     "org.freedesktop.DBus", "GetConnectionCredentials",
                                     on_credentials, q, "s", sender);
        if (r < 0) {
                query_free(q);
                return r;
        }
        q->next = a->queries;
        a->queries = q;
        return 0;
}

/* The bounds that apply before the caller is known. */
static int check_bounds(Auth *a, sd_bus_message *m, sd_bus_error *error) {
        if (count_parked(a, sd_bus_message_get_sender(m)) >= AUTH_PARKED_PER_SENDER_MAX) {
                log_busy(a, m, "of one connection");
                return sd_bus_error_setf(error, KART_ERROR_BUSY, "Too many of this connection's calls wait for "
                                         "authorization (%u); try again later.", AUTH_PARKED_PER_SENDER_MAX);
        }
        if (count_parked(a, NULL) >= AUTH_PARKED_MAX) {
                log_busy(a, m, "in all");
                return sd_bus_error_setf(error, KART_ERROR_BUSY, "Too many calls wait for authorization (%u); "
                                         "try again later.", AUTH_PARKED_MAX);
        }
        return 0;
}

/* The answer parked for m, or a new query parking m. */
static int check(Auth *a, sd_bus_message *m, const char *action, const char *args, bool identify_only,
                 AuthCaller *ret_caller, sd_bus_error *error) {
        int r;

        for (Query *q = a->queries; q; q = q->next) {
                if (q->request != m)
                        continue;
                if (q->state == QUERY_PENDING)
                        return 0;
                query_unlink(q);
                if (q->state == QUERY_ALLOWED) {
                        if (ret_caller)
                                *ret_caller = q->caller;
                        query_free(q);
                        return 1;
                }
                if (q->state == QUERY_FAILED) {
                        log_warning("%s.", q->failure ?: "Authorization failed");
                        r = sd_bus_error_setf(error, KART_ERROR_NOT_AUTHORIZED, "%s.",
                                              q->failure ?: "Authorization failed");
                } else if (q->state == QUERY_BUSY)
                        r = sd_bus_error_setf(error, KART_ERROR_BUSY, "%s.",
                                              q->failure ?: "Too many calls wait for authorization");
                else
                        r = sd_bus_error_setf(error, KART_ERROR_NOT_AUTHORIZED,
                                              "Not authorized for %s.", action);
                query_free(q);
                return r;
        }

        if (!sd_bus_message_get_sender(m))
                return sd_bus_error_set(error, KART_ERROR_NOT_AUTHORIZED, "The caller has no bus name.");
        /* Nothing is parked before its size and number are bounded. */
        r = auth_args_check(m, args, error);
        if (r < 0)
                return r;
        r = check_bounds(a, m, error);
        if (r < 0)
                return r;
        r = start_query(a, m, action, identify_only);
        if (r < 0)
                return sd_bus_error_setf(error, KART_ERROR_NOT_AUTHORIZED,
                                         "kartd could not start authorizing %s: %s.", action, strerror(-r));
        return 0;
}

int auth_check_caller(Auth *a, sd_bus_message *m, AuthCaller *ret_caller, sd_bus_error *error) {
        const char *action;
        size_t i;

        if (ret_caller)
                *ret_caller = (AuthCaller) { .uid = (uid_t) -1, .pid = 0 };
        i = find_method(sd_bus_message_get_interface(m), sd_bus_message_get_member(m));
        action = i != SIZE_MAX ? auth_table[i].action : NULL;
        if (i != SIZE_MAX && !action)
                return 1;       /* public */
        if (!action)
                return sd_bus_error_setf(error, KART_ERROR_NOT_AUTHORIZED,
                                         "%s.%s is not in kartd's authorization table.",
                                         sd_bus_message_get_interface(m), sd_bus_message_get_member(m));
        return check(a, m, action, auth_table[i].args ?: "", false, ret_caller, error);
}

int auth_identify(Auth *a, sd_bus_message *m, const char *what, const char *args, AuthCaller *ret_caller,
                  sd_bus_error *error) {
        if (ret_caller)
                *ret_caller = (AuthCaller) { .uid = (uid_t) -1, .pid = 0 };
        return check(a, m, what, args, true, ret_caller, error);
}

int auth_check(Auth *a, sd_bus_message *m, sd_bus_error *error) {
        return auth_check_caller(a, m, NULL, error);
}
