/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "apdu.h"
#include "card-identity.h"
#include "card-pin.h"
#include "log.h"
#include "macro.h"

/* The card's format (AODF), then the driver's own limits. */
static int check_value(const PinRequest *req, const char *value) {
        int r = card_pin_check_format(&req->info, value);

        if (r < 0)
                return r;
        if (req->pin_max_length > 0 && strlen(value) > req->pin_max_length)
                return -EDOM;
        if (req->pin_ascii)
                for (const char *p = value; *p; p++)
                        if ((unsigned char) *p < 0x20 || (unsigned char) *p > 0x7E)
                                return -EDOM;
        return 0;
}

int card_pin_check_request(const PinRequest *req) {
        int r;

        if (!req->info.present)
                return -KART_ENOTSUPPORTED;
        /* Without a serial there is no way to tell this card from the
         * next one put in the same reader: a PIN meant for one could go
         * to another. Such cards' PINs are not for kartd. */
        if (!req->serial)
                return -KART_ENOTSUPPORTED;
        r = check_value(req, req->pin);
        if (r >= 0 && req->op == PIN_OP_CHANGE)
                r = check_value(req, req->new_pin);
        return r;
}

int card_check_same_card(CardConn *c, const char *serial) {
        _cleanup_free_ char *now = NULL;
        int r;

        if (!serial)
                return -KART_ENOTSUPPORTED;     /* refused before; never guess */
        r = card_read_serial(c, &now);
        switch (r) {
        case -ENOENT:           /* no PKCS#15 application, no TokenInfo */
        case -EBADMSG:          /* TokenInfo of another shape */
        case -EFBIG:
        case -EACCES:           /* SELECT refused */
        case -KART_ENOTSUPPORTED:       /* unknown CLA/INS */
        case -EINVAL:
        case -EDOM:
                return -EMEDIUMTYPE;    /* the card answered: it is not ours */
        }
        if (r < 0)
                return r;               /* the transport failed: say so */
        return streq_ptr(now, serial) ? 0 : -EMEDIUMTYPE;
}

int card_pin_same_card(CardConn *c, const char *serial, const CardSighting *seen) {
        int r;

        card_conn_use_sighting(c, seen);
        if (!card_conn_same_as(c, seen))
                return card_check_same_card(c, serial);
        r = c->model.driver->select_app(c);
        if (r < 0 && !card_conn_lost(r))
                return -EMEDIUMTYPE;    /* the application is gone: not the card it was */
        return r;
}

/* req->status must be the state as known when the command is about to go
 * out (engine-pin.c sees to it for queued calls).
 *
 * PIN_STATE_UNKNOWN goes ahead without force, on purpose. security.md's
 * interlock refuses "when the card says one try is left"; a card that
 * cannot be asked without risk (AKİS 1.2) is unknown after every
 * insertion, so refusing then would make force=true the normal way to use
 * such a card and teach users and clients to always pass it, which would
 * defeat the interlock where it does know. The card's first answer (63Cx
 * or 9000) makes the state known, and from then on the interlock holds,
 * for calls queued behind that one too, and when the same card is put
 * back in the same reader (engine.c's PinMemo). */
int card_pin_interlock(const PinRequest *req) {
        switch (req->status.state) {
        case PIN_STATE_BLOCKED:
                return -EKEYREVOKED;
        case PIN_STATE_LOCKED:
                return -EKEYEXPIRED;
        case PIN_STATE_LAST_TRY:
                return req->force ? 0 : -EDQUOT;
        default:
                return 0;
        }
}

int card_pin_apply_sw(const CardConn *c, uint16_t sw, PinStatus *status) {
        int r = card_conn_check_sw(c, sw);

        if (sw == SW_OK) {
                /* Right PIN: the counter is back at its maximum. */
                status->state = PIN_STATE_OK;
                status->tries_left = status->tries_max;
                return 0;
        }
        switch (r) {
        case -EKEYREJECTED:
                if ((sw & 0xFFF0) == 0x63C0)
                        pin_status_set_tries(status, sw & 0x0F);
                return r;
        case -EKEYEXPIRED:
                status->state = PIN_STATE_LOCKED;
                status->tries_left = 0;
                return r;
        case -EDOM:
                return r;
        default:
                return -EIO;
        }
}

int card_pin_run(CardConn *c, PinRequest *req) {
        const CardDriver *d = c->model.driver;
        int r, q;

        req->sw = 0;
        req->sent = false;
        r = card_pin_check_request(req);
        if (r < 0)
                return r;
        if (!d || !c->model.pin_native)
                return -KART_ENOTSUPPORTED;

        /* Identity first: a PIN meant for one card never goes to another. */
        r = card_pin_same_card(c, req->serial, req->seen);
        if (r < 0)
                return r;

        q = d->pin_query ? d->pin_query(c, &req->info, &req->status) : -KART_ENOTSUPPORTED;
        if (q < 0 && q != -KART_ENOTSUPPORTED)
                return q;
        r = card_pin_interlock(req);
        if (r < 0)
                return r;

        /* Whatever comes of it, no verified PIN stays behind for the next
         * program that talks to this card: a reset at the end of the
         * transaction unless the driver's logout does it (below), also
         * when the command's answer never comes or makes no sense. */
        c->t->reset_on_close = true;
        req->sent = true;
        if (req->op == PIN_OP_CHANGE)
                r = d->pin_change(c, &req->info, req->pin, req->new_pin, &req->sw);
        else
                r = d->pin_verify(c, &req->info, req->pin, &req->sw);
        if (r < 0)
                return r;
        r = card_pin_apply_sw(c, req->sw, &req->status);
        card_conn_logout(c);
        return r;
}

int card_pin_after_module(CardConn *c, const CardSighting *seen, const CardPinInfo *info, PinStatus *status) {
        const CardDriver *d = c->model.driver;
        bool read = false;
        int r = 0;

        c->t->reset_on_close = true;
        card_conn_use_sighting(c, seen);
        if (d && d->pin_query && c->model.tries_readable && info->present && card_conn_same_as(c, seen)) {
                PinStatus now = *status;

                r = d->select_app(c);
                if (r >= 0)
                        r = d->pin_query(c, info, &now);
                if (r >= 0) {
                        *status = now;
                        read = true;
                }
                if (card_conn_lost(r))
                        return r;
        }
        card_conn_logout(c);
        return read;
}
