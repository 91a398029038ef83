/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <stdlib.h>

#include "card-identity.h"
#include "card-pin.h"
#include "log.h"
#include "macro.h"

int card_pin_check_request(const PinRequest *req) {
        int r;

        if (!req->driver || !req->info.present)
                return -EOPNOTSUPP;
        /* Without a serial there is no way to tell this card from the
         * next one put in the same reader: a PIN meant for one could go
         * to another. Such cards' PINs are not for kartd. */
        if (!req->serial)
                return -EOPNOTSUPP;
        r = card_pin_check_format(&req->info, req->pin);
        if (r >= 0 && req->op == PIN_OP_CHANGE)
                r = card_pin_check_format(&req->info, req->new_pin);
        return r;
}

int card_check_same_card(Transport *t, const char *serial) {
        _cleanup_free_ char *now = NULL;
        int r;

        if (!serial)
                return -EOPNOTSUPP;     /* refused before; never guess */
        r = card_read_serial(t, &now);
        switch (r) {
        case -ENOENT:           /* no PKCS#15 application, no TokenInfo */
        case -EBADMSG:          /* TokenInfo of another shape */
        case -EFBIG:
        case -EACCES:           /* SELECT refused */
        case -EOPNOTSUPP:       /* unknown CLA/INS */
        case -EINVAL:
                return -EMEDIUMTYPE;    /* the card answered: it is not ours */
        }
        if (r < 0)
                return r;               /* the transport failed: say so */
        return streq_ptr(now, serial) ? 0 : -EMEDIUMTYPE;
}

/* req->status must be the state as known when the command is about to go
 * out (engine-pin.c sees to it for queued calls).
 *
 * PIN_STATE_UNKNOWN goes ahead without force, on purpose. security.md's
 * interlock refuses "when the card says one try is left"; a card that
 * cannot be asked without risk (AKİS) is unknown after every insertion,
 * so refusing then would make force=true the normal way to use such a
 * card and teach users and clients to always pass it, which would defeat
 * the interlock where it does know. The card's first answer (63Cx or
 * 9000) makes the state known, and from then on the interlock holds, for
 * calls queued behind that one too, and when the same card is put back in
 * the same reader (engine.c's PinMemo). */
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

int card_pin_run(Transport *t, PinRequest *req) {
        int r, q;

        req->sw = 0;
        r = card_pin_check_request(req);
        if (r < 0)
                return r;

        /* Identity first: a PIN meant for one card never goes to another. */
        r = card_check_same_card(t, req->serial);
        if (r < 0)
                return r;

        q = req->driver->pin_query(t, &req->info, &req->status);
        if (q < 0 && q != -EOPNOTSUPP)
                return q;
        r = card_pin_interlock(req);
        if (r < 0)
                return r;

        if (req->op == PIN_OP_CHANGE)
                r = req->driver->pin_change(t, &req->info, req->pin, req->new_pin, &req->sw);
        else
                r = req->driver->pin_verify(t, &req->info, req->pin, &req->sw);
        if (r < 0)
                return r;
        r = card_pin_apply_sw(req->sw, &req->status);

        /* The state after, from the card where it can tell. A successful
         * VERIFY leaves the PIN verified; the query then answers 9000. */
        q = req->driver->pin_query(t, &req->info, &req->status);
        if (q == -ENOMEDIUM || q == -ECONNRESET)
                log_debug("Card went away right after the PIN command.");
        if (r == -EKEYEXPIRED && req->status.state == PIN_STATE_BLOCKED)
                r = -EKEYREVOKED;
        return r;
}
