/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kart-error.h"
#include "pin.h"
#include "transport.h"

/* Card drivers: one file per card family (card-pkcs15.c, card-akis.c),
 * each owning its ATRs, its limits, where its status words differ from
 * ISO 7816-4, how it selects files, its PIN commands, its logout and
 * what it can do (cf. OpenSC's card-*.c over iso7816.c). The layers
 * above (identity, certificates, PIN, unlock) reach the card only
 * through a CardConn and these operations. */

typedef struct CardDriver CardDriver;

#define CARD_MODEL_NAME_MAX 96

/* What a driver makes of a card from its ATR alone. */
typedef struct CardModel {
        const CardDriver *driver;       /* never NULL after card_conn_init() */
        bool known;                     /* the ATR is one the driver lists (not the generic fallback) */
        char name[CARD_MODEL_NAME_MAX]; /* "AKİS 2.2.8 (Infineon)" */
        unsigned variant;               /* the driver's own (AKİS: its command set) */
        int pin_tries;                  /* the PIN counter when full; 0: not known */
        size_t max_recv;                /* largest response data; 0: 256 */
        bool short_only;                /* no extended-length APDUs */
        uint32_t pin_max_length;        /* the longest PIN the driver sends; 0: the AODF's */
        bool pin_ascii;                 /* the driver sends printable ASCII PINs only */
        bool tries_readable;            /* pin_query reads the counter (else it says KART_ENOTSUPPORTED) */
        /* The PIN commands of this card are established (false: the
         * driver reads it, a vendor's module may write it). */
        bool pin_native;
        /* The open unlock protocol (doc/backend-protocol.md) applies:
         * EXTERNAL AUTHENTICATE with this key, then RESET RETRY COUNTER. */
        bool unlock;
        uint8_t unlock_key_ref, unlock_key_version;
} CardModel;

#define CARD_PATH_MAX 16

/* What one job saw of a card, for the next job on the same card. */
typedef struct CardSighting {
        bool valid;
        uint32_t reader_epoch;          /* the reader's instance */
        uint32_t reader_events;         /* the reader's insertion/removal count in that instance */
        uint8_t atr[33];
        size_t atr_len;
        uint8_t app_path[CARD_PATH_MAX];        /* where the PKCS#15 application was found */
        size_t app_path_len;
} CardSighting;

/* A card during one job on a reader worker: the transport and what the
 * driver knows of the card. State kept here lives for one transaction. */
typedef struct CardConn {
        Transport *t;
        CardModel model;
        /* In: where an earlier job found the application (a hint for
         * cards that have no other way than EF.DIR); out: where it is. */
        uint8_t app_path[CARD_PATH_MAX];
        size_t app_path_len;
        bool app_selected;              /* the PKCS#15 application is the current DF */
        /* The PIN state the driver learnt while selecting the application
         * (AKİS 1.0's FCI), for its pin_query; state UNKNOWN: none. */
        PinStatus app_pin;
        bool app_pin_read;              /* app_pin is this transaction's answer */
} CardConn;

struct CardDriver {
        const char *name;               /* the Card's Driver property: "akis", "pkcs15" */
        /* Fills *ret (driver and limits preset to ISO defaults) and
         * returns true when this driver takes the ATR. */
        bool (*match)(const uint8_t *atr, size_t len, CardModel *ret);
        /* A status word as -errno (0: success): the driver's own meaning
         * where its cards differ, else iso7816_check_sw(). NULL: ISO's. */
        int (*check_sw)(const CardConn *c, uint16_t sw);
        /* Selects the PKCS#15 application DF. */
        int (*select_app)(CardConn *c);
        /* Selects an EF by a PKCS#15 path: absolute (3F00 ...) or relative
         * to the application (a file ID, or DF and file IDs). */
        int (*select_file)(CardConn *c, const uint8_t *path, size_t len);
        /* Reads the PIN's retry counter without spending a try, in at most
         * one APDU, the application being selected: 0 with *status, or
         * -KART_ENOTSUPPORTED when this card cannot be asked without risk. An
         * answer that does not parse leaves *status alone (unknown). */
        int (*pin_query)(CardConn *c, const CardPinInfo *pin, PinStatus *status);
        /* Sends the PIN command; the card's answer goes to *sw. Never
         * sends a PIN of the wrong format (-EDOM) or for a reference the
         * driver does not know to be the user's PIN (-KART_ENOTSUPPORTED). */
        int (*pin_verify)(CardConn *c, const CardPinInfo *pin, const char *value, uint16_t *sw);
        int (*pin_change)(CardConn *c, const CardPinInfo *pin, const char *old_pin, const char *new_pin,
                          uint16_t *sw);
        /* Clears the PIN's verified state. NULL: the card has no such
         * command, the transaction ends with a card reset instead. */
        int (*logout)(CardConn *c);
};

extern const CardDriver card_driver_akis;
extern const CardDriver card_driver_pkcs15;

/* Matches t's ATR (the drivers in order, the generic PKCS#15 driver
 * last) and applies the card's limits to t. */
void card_conn_init(CardConn *c, Transport *t);
/* The model for an ATR alone (no transport). */
void card_model_from_atr(const uint8_t *atr, size_t len, CardModel *ret);

/* What this job saw of the card (reader events, ATR, application). */
void card_conn_sighting(const CardConn *c, CardSighting *ret);
/* Whether the card is the one an earlier job saw: the same instance of
 * the reader (not re-plugged, pcscd not restarted) reports no insertion
 * or removal since, and the ATR is the same. A card reset by another
 * application is still the same card: only a removal changes the card. */
bool card_conn_same_as(const CardConn *c, const CardSighting *seen);
/* Takes an earlier job's hints (the application's path). */
void card_conn_use_sighting(CardConn *c, const CardSighting *seen);

/* The status word as -errno, through the driver's table. */
int card_conn_check_sw(const CardConn *c, uint16_t sw);

/* Leaves the card's PIN not verified: the driver's logout, else (or when
 * it fails) a card reset when the transaction ends. A job sets
 * t->reset_on_close itself before a command that leaves security state
 * behind, so that a failure before this call still resets the card. */
void card_conn_logout(CardConn *c);

/* Whether r says the card is gone or was reset under us (no security
 * state survived): the job must stop. */
static inline bool card_conn_lost(int r) {
        return r == -ENOMEDIUM || r == -ECONNRESET || r == -ENODEV;
}
