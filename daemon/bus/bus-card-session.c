/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* org.kartd.Kartd1.Card: Unlock and CertificateSession, which start a
 * session with the CA backend (bus-session.c) and answer with its path
 * once the backend took the verification code. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "bus.h"
#include "kart-error.h"
#include "log.h"
#include "macro.h"
#include "strutil.h"
#include "session.h"

/* The verification code as the portal shows it: letters, digits, dashes. */
static bool code_ok(const char *code) {
        size_t n = strlen(code);

        return n >= 6 && n <= 32 && strspn(code, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-") == n;
}

typedef struct Start {
        BusContext *context;
        sd_bus_message *message;
} Start;

/* No option is defined yet: any given one is refused. */
static int read_no_options(sd_bus_message *m, sd_bus_error *error) {
        const char *key;
        int r;

        r = sd_bus_message_enter_container(m, 'a', "{sv}");
        if (r < 0)
                return r;
        r = sd_bus_message_enter_container(m, 'e', "sv");
        if (r < 0)
                return r;
        if (r == 0) {
                r = sd_bus_message_exit_container(m);
                return r < 0 ? r : 0;
        }
        r = sd_bus_message_read(m, "s", &key);
        if (r < 0)
                return r;
        return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "Unknown option '%s'.",
                                 echo_prefix(key, (char[ECHO_MAX + 4]) {}));
}

static void session_started(Session *s, int r, const char *message, json_t *answer _unused_, void *userdata) {
        Start *st = userdata;
        sd_bus_message *m = st->message;
        char *path = NULL;
        int k;

        if (r >= 0) {
                r = bus_session_publish(st->context, s, sd_bus_message_get_sender(m), &path);
                if (r < 0) {
                        message = "Could not publish the session.";
                        session_cancel(s);
                }
        }
        if (r < 0)
                k = sd_bus_reply_method_errorf(m, kart_error_name_from_errno(r) ?: KART_ERROR_FAILED, "%s",
                                               message ?: strerror(-r));
        else
                k = sd_bus_reply_method_return(m, "o", path);
        if (k < 0)
                log_debug_errno(k, "Failed to answer %s: %m", sd_bus_message_get_member(m));
        sd_bus_message_unref(m);
        free(st);
}

int bus_card_method_start_session(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        Card *c = userdata;
        BusContext *ctx = bus_context_of(c->reader->engine);
        bool unlock = streq(sd_bus_message_get_member(m), "Unlock");
        AuthCaller caller;
        const char *code;
        Start *st;
        int r;

        (void) sd_bus_message_sensitive(m);     /* the verification code: wiped when freed */
        r = auth_check_caller(ctx->auth, m, &caller, error);
        if (r <= 0)
                return r < 0 ? r : 1;
        r = sd_bus_message_read(m, "s", &code);
        if (r < 0)
                return r;
        r = read_no_options(m, error);
        if (r < 0)
                return r;
        if (!code_ok(code))
                return sd_bus_error_set(error, KART_ERROR_VERIFICATION_CODE_INVALID,
                                        "A verification code is 6 to 32 letters, digits and dashes.");

        st = calloc(1, sizeof *st);
        if (!st)
                return -ENOMEM;
        *st = (Start) { .context = ctx, .message = sd_bus_message_ref(m) };
        r = session_start(ctx->sessions, c, unlock ? SESSION_UNLOCK : SESSION_CERTIFICATE, caller.uid, code,
                          session_started, st);
        if (r < 0) {
                sd_bus_message_unref(m);
                free(st);
                if (r == -KART_EBUSY)
                        return sd_bus_error_set(error, KART_ERROR_BUSY,
                                                "Another user's session for this card, or one writing the card, is on its way.");
                if (r == -KART_ENOTSUPPORTED)
                        return sd_bus_error_set(error, KART_ERROR_NOT_SUPPORTED,
                                                session_manager_backend_configured(ctx->sessions)
                                                ? "kartd cannot unlock this card online."
                                                : "No CA service is configured ([Backend] URL= in kartd.conf).");
                return r;
        }
        return 1;
}

bool bus_card_unlock_supported(Card *c) {
        return session_manager_can_unlock(bus_context_of(c->reader->engine)->sessions, c);
}
