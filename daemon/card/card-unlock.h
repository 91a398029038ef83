/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "card-driver.h"
#include "pin.h"

/* The card side of an online unlock (backend protocol v1, "Card side"):
 * the card's admin key, held by the backend, authorizes one RESET RETRY
 * COUNTER that sets a new PIN. The PUK is never used, the PIN counter is
 * never spent, and EXTERNAL AUTHENTICATE is sent at most once per call.
 * Runs on a reader worker inside the caller's PC/SC transaction. */

#define CARD_UNLOCK_CHALLENGE_LEN 16
#define CARD_UNLOCK_CRYPTOGRAM_LEN 16

/* Turns the card's challenge into the cryptogram (the backend's
 * authorization). May block (the HTTPS call); 0 with cryptogram filled,
 * or <0: the unlock stops before EXTERNAL AUTHENTICATE. */
typedef int (*CardUnlockAuthorize)(const uint8_t challenge[CARD_UNLOCK_CHALLENGE_LEN],
                                   uint8_t cryptogram[CARD_UNLOCK_CRYPTOGRAM_LEN], void *userdata);

typedef struct CardUnlockRequest {
        const char *serial;             /* the TokenInfo serial (hex) the card must have */
        CardPinInfo info;               /* the user PIN's format and reference */
        const char *new_pin;            /* secret: the caller keeps it in secret_strdup() memory */
        PinStatus status;               /* the PIN state as last known */
        CardUnlockAuthorize authorize;
        void *userdata;
} CardUnlockRequest;

typedef enum CardUnlockStep {
        CARD_UNLOCK_STEP_NONE,          /* nothing failed */
        CARD_UNLOCK_STEP_REQUEST,       /* refused before any APDU */
        CARD_UNLOCK_STEP_IDENTITY,      /* SELECT, TokenInfo, serial */
        CARD_UNLOCK_STEP_CHALLENGE,     /* GET CHALLENGE */
        CARD_UNLOCK_STEP_AUTHORIZE,     /* the authorize callback */
        CARD_UNLOCK_STEP_EXTERNAL_AUTHENTICATE,
        CARD_UNLOCK_STEP_RESET_RETRY_COUNTER,
} CardUnlockStep;

typedef struct CardUnlockResult {
        CardUnlockStep failed_step;
        bool ea_sent, rrc_sent;         /* the command went out (an answer may not have come) */
        uint16_t sw_ea, sw_rrc;         /* the card's answers; 0 when none came */
        PinStatus pin_status;           /* after: from the card where it can tell */
} CardUnlockResult;

const char *card_unlock_step_to_string(CardUnlockStep s);

/* Checks the request without sending anything: -KART_ENOTSUPPORTED (no serial,
 * no user PIN, a card the open protocol does not apply to), -EINVAL (no
 * authorize callback), -EDOM (the new PIN has not the card's format). */
int card_unlock_check_request(const CardModel *m, const CardUnlockRequest *req);

/* SELECT + TokenInfo (the serial must match), GET CHALLENGE, authorize(),
 * EXTERNAL AUTHENTICATE with the card's key (CardModel's unlock_key_ref),
 * RESET RETRY COUNTER P1=02 with the new PIN padded as the AODF says,
 * then the PIN state; the card is left logged out. Returns 0 when the new
 * PIN is set, else: what card_unlock_check_request() returns,
 * -EMEDIUMTYPE another card, the authorize callback's error,
 * -EKEYREJECTED the cryptogram was refused (63Cx), -EKEYREVOKED the admin
 * key is exhausted (6983), -EACCES RESET RETRY COUNTER refused (6982),
 * -EPROTO any other answer, and the transport's -ENOMEDIUM (removed),
 * -ECONNRESET (reset by another; no grant survives), -EIO. *ret says
 * where it stopped; a card removed with rrc_sent and no sw_rrc is a torn
 * unlock: the PIN may or may not be set, and a retry in the same session
 * (a new authorization) settles it. */
int card_unlock_run(CardConn *c, const CardUnlockRequest *req, CardUnlockResult *ret);
