/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* org.kartd.Kartd1.Session at /org/kartd/Kartd1/session/N: a session with
 * the CA backend (session.c). It belongs to the user who created it: only
 * that uid (or root) may drive it, read its details (State, Error,
 * SmsDestination) or hear of its changes. It outlives the creating
 * connection, so that busctl, one connection per call, can drive it too;
 * it ends when it completes, is cancelled, expires, or the same user
 * starts another one for the card. Steps answer when the backend (and the
 * card) did. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "backend/ca-answers.h"
#include "bus.h"
#include "session.h"
#include "strutil.h"
#include "kart-error.h"
#include "kart-names.h"
#include "kart-states.h"
#include "log.h"
#include "macro.h"

/* The owner's connections that kartd heard from (the one that made the
 * session, those that drove or read it), the latest kept: they, and no
 * one else, are sent the session's signals. */
#define OWNER_NAMES_MAX 8

/* The bus side of a session. */
struct BusSession {
        BusContext *context;
        BusSession *next;
        Session *session;
        char *path;
        sd_bus_slot *slot;
        char *owner_names[OWNER_NAMES_MAX];
        unsigned next_name;
};

int bus_session_path(const Session *s, char **ret) {
        return asprintf(ret, KART_SESSION_PATH_PREFIX "/%u", session_id(s)) < 0 ? -ENOMEM : 0;
}

static BusSession *bus_session_free(BusSession *b) {
        if (!b)
                return NULL;
        for (BusSession **p = &b->context->published; *p; p = &(*p)->next)
                if (*p == b) {
                        *p = b->next;
                        break;
                }
        sd_bus_slot_unref(b->slot);
        for (unsigned i = 0; i < OWNER_NAMES_MAX; i++)
                free(b->owner_names[i]);
        free(b->path);
        free(b);
        return NULL;
}

static void remember_owner_name(BusSession *b, const char *name) {
        char **slot;

        if (!name)
                return;
        for (unsigned i = 0; i < OWNER_NAMES_MAX; i++)
                if (streq_ptr(b->owner_names[i], name))
                        return;
        slot = &b->owner_names[b->next_name++ % OWNER_NAMES_MAX];
        free(*slot);
        *slot = strdup(name);   /* on OOM that connection just hears nothing */
}

/* A signal of the session, sent to each of the owner's connections alone
 * (dbus-daemon delivers a signal with a destination to no one else). */
static void emit_to_owner(BusSession *b, const char *interface, const char *member, const char *types, ...) {
        for (unsigned i = 0; i < OWNER_NAMES_MAX; i++) {
                _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
                va_list ap;
                int r;

                if (!b->owner_names[i])
                        continue;
                r = sd_bus_message_new_signal(b->context->bus, &m, b->path, interface, member);
                if (r >= 0)
                        r = sd_bus_message_set_destination(m, b->owner_names[i]);
                if (r >= 0) {
                        va_start(ap, types);
                        r = sd_bus_message_appendv(m, types, ap);
                        va_end(ap);
                }
                if (r >= 0)
                        r = sd_bus_send(b->context->bus, m, NULL);
                if (r < 0)
                        log_debug_errno(r, "Failed to send %s of %s to %s: %m", member, b->path, b->owner_names[i]);
        }
}

/* ------------------------------------------------------------------ who reads */

/* Whether the property read going on is one its owner made through
 * Properties.Get or GetAll (bus_session_on_read let it through). Other
 * reads, GetManagedObjects among them, see the details empty. */
static bool read_by_owner(BusSession *b) {
        sd_bus_message *m = sd_bus_get_current_message(b->context->bus);

        return m && m == b->context->session_reader;
}

int bus_session_on_read(sd_bus_message *m, void *userdata, sd_bus_error *ret_error _unused_) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        BusContext *ctx = userdata;
        const char *path = sd_bus_message_get_path(m), *member = sd_bus_message_get_member(m);
        bool get_all = sd_bus_message_is_method_call(m, "org.freedesktop.DBus.Properties", "GetAll");
        AuthCaller caller;
        BusSession *b;
        int r;

        if (!get_all && !sd_bus_message_is_method_call(m, "org.freedesktop.DBus.Properties", "Get"))
                return 0;
        for (b = ctx->published; b && !streq_ptr(b->path, path); b = b->next)
                ;
        if (!b || !sd_bus_message_has_signature(m, get_all ? "s" : "ss"))
                return 0;       /* not a session, or a wrong signature: sd-bus answers */
        r = auth_identify(ctx->auth, m, "reading a session", get_all ? "W" : "WW", &caller, &error);
        if (r == 0)
                return 1;       /* parked: back here once the bus driver named the caller */
        if (r > 0 && caller.uid != 0 && caller.uid != session_owner(b->session))
                r = sd_bus_error_set(&error, KART_ERROR_NOT_AUTHORIZED, "This session belongs to another user.");
        if (r < 0) {
                r = sd_bus_reply_method_error(m, &error);
                if (r < 0)
                        log_debug_errno(r, "Failed to answer %s: %m", member);
                return 1;
        }
        remember_owner_name(b, sd_bus_message_get_sender(m));
        sd_bus_message_unref(ctx->session_reader);
        ctx->session_reader = sd_bus_message_ref(m);
        return 0;               /* sd-bus reads the properties: read_by_owner() */
}

/* ------------------------------------------------------------------ properties */

static int property_get(sd_bus *bus _unused_, const char *path _unused_, const char *interface _unused_,
                        const char *property, sd_bus_message *reply, void *userdata,
                        sd_bus_error *error _unused_) {
        BusSession *b = userdata;
        Session *s = b->session;

        if (streq(property, "Kind"))
                return sd_bus_message_append(reply, "s", session_kind(s) == SESSION_UNLOCK ? "unlock" : "certificate");
        if (streq(property, "Card")) {
                _cleanup_free_ char *p = NULL;

                int r = sd_bus_path_encode(KART_CARD_PATH_PREFIX, session_card_id(s), &p);

                if (r < 0)
                        return r;
                return sd_bus_message_append(reply, "o", p);
        }
        /* The details: to the owner only. */
        if (streq(property, "State"))
                return sd_bus_message_append(reply, "s", read_by_owner(b) ?
                                             kart_session_state_to_string(session_state(s)) : "");
        if (streq(property, "SecondFactorMethods"))
                return sd_bus_message_append_strv(reply, session_methods(s) ?: (char *[]) { NULL });
        if (streq(property, "SmsDestination"))
                return sd_bus_message_append(reply, "s", read_by_owner(b) ? session_sms_destination(s) : "");
        if (streq(property, "PinMinLength"))
                return sd_bus_message_append(reply, "u", session_pin_min(s));
        if (streq(property, "PinMaxLength"))
                return sd_bus_message_append(reply, "u", session_pin_max(s));
        if (streq(property, "ExpiresAt"))
                return sd_bus_message_append(reply, "t", session_expires_at(s));
        return sd_bus_message_append(reply, "s", read_by_owner(b) ? session_error(s) : "");
}

/* ------------------------------------------------------------------ methods */

/* The polkit table, then: only the owner (or root) drives a session. */
static int check_caller(BusSession *b, sd_bus_message *m, AuthCaller *ret, sd_bus_error *error) {
        AuthCaller caller;
        int r;

        r = auth_check_caller(b->context->auth, m, &caller, error);
        if (r <= 0)
                return r;
        if (ret)
                *ret = caller;
        if (caller.uid != 0 && caller.uid != session_owner(b->session))
                return sd_bus_error_set(error, KART_ERROR_NOT_AUTHORIZED, "This session belongs to another user.");
        remember_owner_name(b, sd_bus_message_get_sender(m));
        return 1;
}

/* The backend's certificate list, every field checked (ca-answers.c). */
static int reply_certificates(sd_bus_message *m, json_t *answer) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        CaCertificate *certs = NULL;
        size_t n = 0;
        int r;

        r = ca_answer_certificates(answer, &certs, &n);
        if (r == -EPROTO)
                return sd_bus_reply_method_errorf(m, KART_ERROR_BACKEND_UNAVAILABLE,
                                                  "The CA service sent an invalid certificate list.");
        if (r >= 0)
                r = sd_bus_message_new_method_return(m, &reply);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', "(sstss)");
        for (size_t i = 0; i < n && r >= 0; i++)
                r = sd_bus_message_append(reply, "(sstss)", certs[i].serial, certs[i].subject, certs[i].not_after,
                                          kart_cert_status_to_string(certs[i].status), certs[i].reason);
        ca_certificates_free(certs, n);
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

/* The answer to a step, when it comes. */
static void step_done(Session *s _unused_, int r, const char *message, json_t *answer, void *userdata) {
        sd_bus_message *m = userdata;
        const char *member = sd_bus_message_get_member(m);
        int k;

        if (r < 0)
                k = sd_bus_reply_method_errorf(m, kart_error_name_from_errno(r) ?: KART_ERROR_FAILED, "%s",
                                               message ?: strerror(-r));
        else if (streq(member, "ListAccountCertificates"))
                k = reply_certificates(m, answer);
        else
                k = sd_bus_reply_method_return(m, NULL);
        if (k < 0)
                log_debug_errno(k, "Failed to answer %s: %m", member);
        sd_bus_message_unref(m);
}

static int step_error(int r, sd_bus_error *error) {
        if (r == -EINVAL)
                return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS,
                                        "Invalid argument: a second factor this session offers, a certificate serial "
                                        "in uppercase hex, a revocation reason of the protocol and the serial repeated.");
        if (r == -KART_EBUSY)
                return sd_bus_error_set(error, KART_ERROR_BUSY, "Another step of this session is on its way.");
        if (r == -KART_ENOTAUTHORIZED)
                return sd_bus_error_set(error, KART_ERROR_NOT_AUTHORIZED,
                                        "Confirm the session with the second factor first.");
        if (r == -KART_ENOTSUPPORTED)
                return sd_bus_error_set(error, KART_ERROR_NOT_SUPPORTED, "Not possible in this session.");
        if (r == -KART_ENOCARD)
                return sd_bus_error_set(error, KART_ERROR_NO_CARD, "The session's card is not in a reader.");
        if (r == -KART_EINVALIDPIN)
                return sd_bus_error_set(error, KART_ERROR_INVALID_PIN, "The new PIN does not fit the card's rules.");
        return r;
}

static int method_step(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        BusSession *b = userdata;
        Session *s = b->session;
        const char *member = sd_bus_message_get_member(m);
        const char *a = NULL, *c = NULL, *d = NULL;
        AuthCaller who;
        EngineCaller caller;
        int r;

        (void) sd_bus_message_sensitive(m);     /* a second factor, a new PIN: wiped when freed */
        r = check_caller(b, m, &who, error);
        if (r <= 0)
                return r < 0 ? r : 1;

        if (streq(member, "Confirm"))
                r = sd_bus_message_read(m, "ss", &a, &c);
        else if (streq(member, "SetPin") || streq(member, "Suspend") || streq(member, "Resume"))
                r = sd_bus_message_read(m, "s", &a);
        else if (streq(member, "Revoke"))
                r = sd_bus_message_read(m, "sss", &a, &c, &d);
        if (r < 0)
                return r;

        caller = (EngineCaller) { .uid = who.uid, .pid = who.pid };
        sd_bus_message_ref(m);
        if (streq(member, "SendSms"))
                r = session_send_sms(s, step_done, m);
        else if (streq(member, "Confirm"))
                r = session_confirm(s, a, c, step_done, m);
        else if (streq(member, "SetPin"))
                r = session_set_pin(s, a, &caller, step_done, m);
        else if (streq(member, "ListAccountCertificates"))
                r = session_list_certificates(s, step_done, m);
        else if (streq(member, "Suspend") || streq(member, "Resume"))
                r = session_certificate_op(s, streq(member, "Suspend") ? "suspend" : "resume", a, NULL, NULL,
                                           &caller, step_done, m);
        else
                r = session_certificate_op(s, "revoke", a, c, d, &caller, step_done, m);
        if (r < 0) {
                sd_bus_message_unref(m);
                return step_error(r, error);
        }
        return 1;
}

static int method_cancel(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        BusSession *b = userdata;
        int r;

        r = check_caller(b, m, NULL, error);
        if (r <= 0)
                return r < 0 ? r : 1;
        r = sd_bus_reply_method_return(m, NULL);
        session_cancel(b->session);     /* may free b */
        return r;
}

static const sd_bus_vtable session_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("Kind", "s", property_get, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Card", "o", property_get, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        /* Changes are told to the owner alone, without values (emit_to_owner). */
        SD_BUS_PROPERTY("State", "s", property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_INVALIDATION),
        SD_BUS_PROPERTY("SecondFactorMethods", "as", property_get, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("SmsDestination", "s", property_get, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("PinMinLength", "u", property_get, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("PinMaxLength", "u", property_get, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("ExpiresAt", "t", property_get, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Error", "s", property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_INVALIDATION),
        SD_BUS_METHOD("SendSms", NULL, NULL, method_step, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Confirm", SD_BUS_ARGS("s", method, "s", secret), SD_BUS_NO_RESULT,
                                method_step, SD_BUS_VTABLE_UNPRIVILEGED | SD_BUS_VTABLE_SENSITIVE),
        SD_BUS_METHOD_WITH_ARGS("SetPin", SD_BUS_ARGS("s", new_pin), SD_BUS_NO_RESULT,
                                method_step, SD_BUS_VTABLE_UNPRIVILEGED | SD_BUS_VTABLE_SENSITIVE),
        SD_BUS_METHOD_WITH_ARGS("ListAccountCertificates", SD_BUS_NO_ARGS, SD_BUS_RESULT("a(sstss)", certificates),
                                method_step, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Suspend", SD_BUS_ARGS("s", cert), SD_BUS_NO_RESULT,
                                method_step, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Resume", SD_BUS_ARGS("s", cert), SD_BUS_NO_RESULT,
                                method_step, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Revoke", SD_BUS_ARGS("s", cert, "s", reason, "s", confirm_serial),
                                SD_BUS_NO_RESULT, method_step, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("Cancel", NULL, NULL, method_cancel, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_SIGNAL_WITH_ARGS("Finished", SD_BUS_ARGS("b", success, "s", error, "s", message), 0),
        SD_BUS_VTABLE_END
};

/* ------------------------------------------------------------------ life */

/* A new session object. */
int bus_session_publish(BusContext *ctx, Session *s, const char *owner_name, char **ret_path) {
        BusSession *b = calloc(1, sizeof *b);
        int r;

        if (!b)
                return -ENOMEM;
        b->context = ctx;
        b->session = s;
        r = bus_session_path(s, &b->path);
        if (r >= 0)
                r = sd_bus_add_object_vtable(ctx->bus, &b->slot, b->path, KART_SESSION_INTERFACE,
                                             session_vtable, b);
        if (r < 0) {
                bus_session_free(b);
                return r;
        }
        b->next = ctx->published;
        ctx->published = b;
        remember_owner_name(b, owner_name);
        session_set_userdata(s, b);
        *ret_path = b->path;
        return 0;
}

static void emit_changed(BusSession *b) {
        emit_to_owner(b, "org.freedesktop.DBus.Properties", "PropertiesChanged", "sa{sv}as",
                      KART_SESSION_INTERFACE, 0, 2, "State", "Error");
}

static void on_session_changed(Session *s, void *userdata _unused_) {
        BusSession *b = session_get_userdata(s);

        if (b)
                emit_changed(b);
}

static void on_session_finished(Session *s, int r, const char *message, void *userdata _unused_) {
        BusSession *b = session_get_userdata(s);

        if (!b)
                return;
        emit_changed(b);
        emit_to_owner(b, KART_SESSION_INTERFACE, "Finished", "bss", r >= 0,
                      r < 0 ? kart_error_name_from_errno(r) ?: KART_ERROR_FAILED : "", strempty(message));
        session_set_userdata(s, NULL);
        bus_session_free(b);
}

static void on_meta_changed(void *userdata) {
        BusContext *ctx = userdata;

        bus_manager_changed(ctx->bus, "UnlockPortal");
        bus_manager_changed(ctx->bus, "BackendState");
}

const SessionObserver bus_session_observer = {
        .changed = on_session_changed,
        .finished = on_session_finished,
        .meta_changed = on_meta_changed,
};
