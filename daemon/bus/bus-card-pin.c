/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* org.kartd.Kartd1.Card: the PIN methods (the rest is in bus-card.c). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "bus.h"
#include "kart-error.h"
#include "log.h"
#include "macro.h"
#include "strutil.h"

/* Replies to a PIN call with a sentence that says what to do next. */
static int reply_pin_error(sd_bus_message *m, int r, const PinStatus *st) {
        const char *name = kart_error_name_from_errno(r) ?: KART_ERROR_FAILED;

        switch (r) {
        case -EKEYREJECTED:
                if (st && st->tries_left > 0)
                        return sd_bus_reply_method_errorf(m, name, "Wrong PIN; %d %s left.", st->tries_left,
                                                          st->tries_left == 1 ? "try" : "tries");
                if (st && st->tries_left < 0 && st->state != PIN_STATE_LOCKED && st->state != PIN_STATE_BLOCKED)
                        return sd_bus_reply_method_errorf(m, name, "Wrong PIN.");
                return sd_bus_reply_method_errorf(m, name, "Wrong PIN; no try left: the PIN is now locked.");
        case -EDQUOT:
                return sd_bus_reply_method_errorf(m, name, "Only one PIN try is left; "
                                                  "pass force=true to use it (a wrong PIN locks the card).");
        case -EKEYEXPIRED:
                return sd_bus_reply_method_errorf(m, name, "The PIN is locked; unlock the card online "
                                                  "(never with the PUK).");
        case -EKEYREVOKED:
                return sd_bus_reply_method_errorf(m, name, "The PIN and the PUK are exhausted; "
                                                  "the card must be replaced.");
        case -EDOM:
                return sd_bus_reply_method_errorf(m, name, "The card refused the PIN's format.");
        case -ENOMEDIUM:
                return sd_bus_reply_method_errorf(m, name, "The card was removed.");
        case -EMEDIUMTYPE:
                return sd_bus_reply_method_errorf(m, name, "A different card is in the reader now.");
        case -KART_ENOTSUPPORTED:
                return sd_bus_reply_method_errorf(m, name, "kartd cannot manage this card's PIN.");
        case -ETIMEDOUT:
                return sd_bus_reply_method_errorf(m, name, "The card's PKCS#11 module does not answer; "
                                                  "kartd ends its host and starts a new one.");
        case -ECONNRESET:
                return sd_bus_reply_method_errorf(m, name, "The host of the card's PKCS#11 module stopped; "
                                                  "kartd is starting a new one: try again in a moment.");
        case -EBUSY:
                return sd_bus_reply_method_errorf(m, name, "The card is busy (being unlocked, or with "
                                                  "too many PIN calls waiting); try again later.");
        default:
                return sd_bus_reply_method_errorf(m, KART_ERROR_FAILED, "The card operation failed: %s.",
                                                  strerror(-r));
        }
}

static void pin_done(int result, const PinStatus *status, void *userdata) {
        sd_bus_message *m = userdata;
        int r;

        r = result >= 0 ? sd_bus_reply_method_return(m, "") : reply_pin_error(m, result, status);
        if (r < 0)
                log_debug_errno(r, "Failed to reply to a PIN call: %m");
        sd_bus_message_unref(m);
}

static int read_options(sd_bus_message *m, bool *force, sd_bus_error *error) {
        int r;

        r = sd_bus_message_enter_container(m, 'a', "{sv}");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
                const char *key;
                int b;

                r = sd_bus_message_read(m, "s", &key);
                if (r < 0)
                        return r;
                if (!streq(key, "force"))
                        return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "Unknown option '%s'.",
                                                 echo_prefix(key, (char[ECHO_MAX + 4]) {}));
                r = sd_bus_message_read(m, "v", "b", &b);
                if (r < 0)
                        return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS, "Option 'force' must be a boolean.");
                *force = b;
                r = sd_bus_message_exit_container(m);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;
        return sd_bus_message_exit_container(m);
}

static int method_pin(sd_bus_message *m, Card *c, PinOp op, sd_bus_error *error) {
        const char *pin, *new_pin = NULL;
        AuthCaller who;
        bool force = false;
        int r;

        /* sd-bus wipes sensitive messages when it frees them. */
        (void) sd_bus_message_sensitive(m);

        /* Also names the caller for the audit log, without blocking. */
        r = auth_check_caller(bus_context_of(c->reader->engine)->auth, m, &who, error);
        if (r <= 0)
                return r < 0 ? r : 1;   /* denied, or parked until polkit answers */

        r = sd_bus_message_read(m, "s", &pin);
        if (r >= 0 && op == PIN_OP_CHANGE)
                r = sd_bus_message_read(m, "s", &new_pin);
        if (r < 0)
                return r;
        r = read_options(m, &force, error);
        if (r < 0)
                return r;
        r = engine_card_pin(c, op, pin, new_pin, force, &(EngineCaller) { .uid = who.uid, .pid = who.pid },
                            pin_done, sd_bus_message_ref(m));
        if (r == -EDOM) {
                sd_bus_message_unref(m);
                return sd_bus_error_setf(error, KART_ERROR_INVALID_PIN,
                                         "The PIN must be %u to %u %s; nothing was sent to the card.",
                                         card_pin_min_length(&c->pin), card_pin_max_length(&c->pin),
                                         c->pin.type == PKCS15_PIN_TYPE_ASCII_NUMERIC ? "digits" : "characters");
        }
        if (r == -KART_ENOTSUPPORTED && c->pin_needs_module) {
                sd_bus_message_unref(m);
                return sd_bus_error_setf(error, KART_ERROR_NOT_SUPPORTED,
                                         "kartd.conf says PinOperations=module, but no PKCS#11 module has "
                                         "this card's token; nothing was sent to the card.");
        }
        if (r == -KART_ENOTSUPPORTED && !c->token && c->model.driver && !c->model.pin_native) {
                sd_bus_message_unref(m);
                return sd_bus_error_setf(error, KART_ERROR_NOT_SUPPORTED,
                                         "kartd reads this card (%s) but does not write its PIN: the PIN "
                                         "commands of this version are not publicly documented. The card "
                                         "maker's PKCS#11 module can (for AKİS: libakisp11.so, see "
                                         "kartd.conf(5)); nothing was sent to the card.", c->model.name);
        }
        if (r == -KART_ENOTSUPPORTED && !c->token && c->model.driver && c->pin.present && !c->serial) {
                sd_bus_message_unref(m);
                return sd_bus_error_setf(error, KART_ERROR_NOT_SUPPORTED,
                                         "This card has no serial number, so kartd cannot make sure "
                                         "a PIN reaches this card and no other; nothing was sent to it.");
        }
        if (r < 0) {
                sd_bus_message_unref(m);
                return reply_pin_error(m, r, NULL);
        }
        return 1;       /* the reply comes from pin_done */
}

int bus_card_method_change_pin(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        return method_pin(m, userdata, PIN_OP_CHANGE, error);
}

int bus_card_method_verify_pin(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        return method_pin(m, userdata, PIN_OP_VERIFY, error);
}
