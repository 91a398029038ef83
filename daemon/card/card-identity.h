/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

#include "card-driver.h"
#include "pin.h"

/* What a card says about itself on insertion. */
typedef struct CardIdentity {
        char *serial;           /* PKCS#15 TokenInfo serialNumber (hex), or NULL */
        char *label;            /* TokenInfo label, or NULL */
        CardModel model;        /* the driver's view (a PKCS#11 token's: driver NULL) */
        const char *driver;     /* for people: "akis", "pkcs15", "none", "pkcs11:<module>" */
        bool native;            /* kartd's own driver serves it (known ATR, or a PKCS#15 application) */
        CardPinInfo pin;        /* the user PIN from the AODF (pin.present) */
        PinStatus pin_status;
        CardSighting seen;      /* for the next job on this card */
        uint8_t *odf;           /* the ODF as read, for the certificates in the same transaction */
        size_t odf_len;
} CardIdentity;

/* Reads the PKCS#15 application's TokenInfo, the user PIN's description
 * and its state (where the driver can ask). A card that answers nonsense
 * still gets an identity (model from the ATR, no serial) and a log line;
 * only transport failures (card removed, reset) are returned as errors. */
int card_identity_read(CardConn *c, CardIdentity *ret);
void card_identity_done(CardIdentity *id);

/* Selects the PKCS#15 application and reads the TokenInfo serial
 * (newly allocated, NULL when the card has none). */
int card_read_serial(CardConn *c, char **ret);

/* Model and driver from the ATR alone (no APDU). */
void card_identity_from_atr(const uint8_t *atr, size_t len, CardIdentity *ret);
