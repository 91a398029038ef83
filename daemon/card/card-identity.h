/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

#include "pin.h"
#include "transport.h"

/* What a card says about itself on insertion. */
typedef struct CardIdentity {
        char *serial;           /* PKCS#15 TokenInfo serialNumber (hex), or NULL */
        char *label;            /* TokenInfo label, or NULL */
        const char *model;      /* static string, or model_owned */
        char *model_owned;      /* a PKCS#11 token's model, or NULL */
        const char *driver;     /* static string (or the token host's) */
        CardPinInfo pin;        /* the user PIN from the AODF (pin.present) */
        PinStatus pin_status;
        unsigned quirks;        /* ATR_QUIRK_* */
} CardIdentity;

/* Matches the ATR (quirks are applied to t), then reads the PKCS#15
 * application's TokenInfo. A card that answers nonsense still gets an
 * identity (model from the ATR, no serial) and a log line; only transport
 * failures (card removed, reset) are returned as errors. */
int card_identity_read(Transport *t, CardIdentity *ret);
void card_identity_done(CardIdentity *id);

/* Selects the PKCS#15 application: by AID, else through EF.DIR. */
int card_select_pkcs15_app(Transport *t);

/* Selects the PKCS#15 application and reads the TokenInfo serial
 * (newly allocated, NULL when the card has none). */
int card_read_serial(Transport *t, char **ret);

/* Model and driver from the ATR alone (no APDU); quirks applied to t. */
void card_identity_from_atr(Transport *t, CardIdentity *ret);
