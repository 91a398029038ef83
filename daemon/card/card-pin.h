/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "card-driver.h"
#include "pin.h"

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
        const char *serial;     /* the card this must be; NULL: refused (-KART_ENOTSUPPORTED) */
        const CardSighting *seen;       /* where the card was identified; NULL: unknown */
        CardPinInfo info;
        uint32_t pin_max_length;        /* the driver's cap (CardModel), 0: none */
        bool pin_ascii;                 /* the driver's: printable ASCII only (CardModel) */
        PinStatus status;       /* in: last known; out: after the operation */
        /* PKCS#11 only: status is newer than what the module's flags say
         * (kartd unlocked the card over APDUs, behind the module's back) */
        bool status_newer;
        /* PKCS#11 only: status is kartd's own reading of the card (the
         * module carries only the PIN operations): the module's flags may
         * make it stricter, never looser. */
        bool status_native;
        uint16_t sw;            /* out: the card's answer to the PIN command, 0 if none sent */
        bool sent;              /* out: the PIN command went out (to the card or the module) */
} PinRequest;

/* Checks the PIN formats (nothing is sent for a bad one; a card without a
 * serial, which cannot be told from another, is refused). Returns 0,
 * -EDOM InvalidPin, -KART_ENOTSUPPORTED not for this card. */
int card_pin_check_request(const PinRequest *req);

/* Selects the PKCS#15 application and compares the TokenInfo serial with
 * serial: 0, -EMEDIUMTYPE when the card answers but is another one (or no
 * PKCS#15 card), the transport's error (-ENOMEDIUM, -ECONNRESET, -EIO)
 * when it fails; -KART_ENOTSUPPORTED for serial NULL. */
int card_check_same_card(CardConn *c, const char *serial);

/* Makes sure the card is the one req names, as cheaply as the reader
 * allows: when the reader reports no insertion or removal since the card
 * was identified (req->seen) and the ATR is the same, selecting the
 * application is enough; else the serial is read again. */
int card_pin_same_card(CardConn *c, const char *serial, const CardSighting *seen);

/* The whole operation: the checks above, that the card is still the same
 * one, the PIN's state (where the driver can ask), the interlock
 * (LastTry, locked), the command, its answer folded into req->status, and
 * the card left logged out. At most three APDUs on a card that stayed in
 * its reader since identification (select, state, command), plus the
 * driver's logout. Returns 0 or -errno as in kart-error.h: -EDOM
 * InvalidPin, -EDQUOT LastTry, -EKEYREJECTED WrongPin, -EKEYEXPIRED
 * PinLocked, -EKEYREVOKED CardBlocked, -EMEDIUMTYPE CardChanged,
 * -ENOMEDIUM removed, -KART_ENOTSUPPORTED not for this card. */
int card_pin_run(CardConn *c, PinRequest *req);

/* After a PKCS#11 module's PIN command on a card in a PC/SC reader: the
 * card left logged out as after kartd's own (the module's C_Logout need
 * not log the card out), and, where kartd's driver can read the tries and
 * the card is the one identified (seen), its state into *status.
 * Returns 1 when *status was read, 0 when not, or a transport error. */
int card_pin_after_module(CardConn *c, const CardSighting *seen, const CardPinInfo *info, PinStatus *status);

/* Whether the PIN command may go out in req->status's state: -EKEYREVOKED
 * blocked, -EKEYEXPIRED locked, -EDQUOT last try without force. */
int card_pin_interlock(const PinRequest *req);

/* Folds the status word of a VERIFY or CHANGE, as the card's driver reads
 * it, into *status and returns the operation's result: 0, -EKEYREJECTED
 * (wrong; tries in status), -EKEYEXPIRED (locked), -EDOM (the card
 * rejected the format), -EIO. */
int card_pin_apply_sw(const CardConn *c, uint16_t sw, PinStatus *status);
