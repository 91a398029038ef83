/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>

#include "pin.h"
#include "transport.h"

/* A card driver: the few operations where cards differ, as an ops table
 * over the ISO 7816-4 defaults (cf. OpenSC's card-*.c). Drivers reach the
 * card only through the transport. */
typedef struct CardDriver {
        const char *name;
        /* Reads the retry counter without spending a try; -EOPNOTSUPP when
         * this card cannot be asked safely. */
        int (*pin_query)(Transport *t, const CardPinInfo *pin, PinStatus *status);
        /* Sends the PIN command; the card's answer goes to *sw. */
        int (*pin_verify)(Transport *t, const CardPinInfo *pin, const char *value, uint16_t *sw);
        int (*pin_change)(Transport *t, const CardPinInfo *pin, const char *old_pin,
                          const char *new_pin, uint16_t *sw);
} CardDriver;

extern const CardDriver card_driver_pkcs15;
extern const CardDriver card_driver_akis;

/* The driver for a Driver name ("akis", "pkcs15"); NULL for cards kartd
 * cannot manage. */
const CardDriver *card_driver_by_name(const char *name);
