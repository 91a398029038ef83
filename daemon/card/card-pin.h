/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "driver.h"
#include "pin.h"
#include "transport.h"

typedef enum PinOp {
        PIN_OP_VERIFY,
        PIN_OP_CHANGE,
} PinOp;

/* One PIN operation, run as one logical operation in one transaction. */
typedef struct PinRequest {
        PinOp op;
        const char *pin;        /* the PIN (VERIFY) or the current PIN (CHANGE) */
        const char *new_pin;    /* CHANGE only */
        bool force;             /* go on when one try is left */
        const char *serial;     /* the card this must be; NULL: refused (-EOPNOTSUPP) */
        const CardDriver *driver;
        CardPinInfo info;
        PinStatus status;       /* in: last known; out: after the operation */
        /* PKCS#11 only: status is newer than what the module's flags say
         * (kartd unlocked the card over APDUs, behind the module's back) */
        bool status_newer;
        uint16_t sw;            /* out: the card's answer to the PIN command, 0 if none sent */
} PinRequest;

/* Checks the PIN formats (nothing is sent for a bad one; a card without a
 * serial, which cannot be told from another, is refused), that the card
 * is still the same one, the interlock (LastTry, locked), then sends the
 * command and reads the state again. Returns 0 or -errno as in
 * kart-error.h: -EDOM InvalidPin, -EDQUOT LastTry, -EKEYREJECTED WrongPin,
 * -EKEYEXPIRED PinLocked, -EKEYREVOKED CardBlocked, -EMEDIUMTYPE
 * CardChanged, -ENOMEDIUM removed, -EOPNOTSUPP not for this card. */
int card_pin_check_request(const PinRequest *req);
/* Selects the PKCS#15 application and compares the TokenInfo serial with
 * serial: 0, -EMEDIUMTYPE when the card answers but is another one (or no
 * PKCS#15 card), the transport's error (-ENOMEDIUM, -ECONNRESET, -EIO)
 * when it fails; -EOPNOTSUPP for serial NULL. */
int card_check_same_card(Transport *t, const char *serial);
int card_pin_run(Transport *t, PinRequest *req);
/* Whether the PIN command may go out in req->status's state: -EKEYREVOKED
 * blocked, -EKEYEXPIRED locked, -EDQUOT last try without force. */
int card_pin_interlock(const PinRequest *req);
