/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kart-states.h"         /* PinState */
#include "pkcs15.h"

/* The user PIN as the card describes it, its retry state, and the checks
 * that keep a malformed PIN from costing a try. */

typedef struct CardPinInfo {
        bool present;           /* the AODF described a user PIN */
        uint8_t reference;
        uint32_t type;          /* PKCS15_PIN_TYPE_* */
        uint32_t min_length, stored_length, max_length;
        bool needs_padding;
        uint8_t pad_char;
        int puk_reference;      /* -1 when unknown */
} CardPinInfo;

typedef struct PinStatus {
        PinState state;
        int tries_left;         /* -1 unknown */
        int tries_max;          /* -1 unknown: the model's (the driver's), or what the card said it is */
} PinStatus;

#define PIN_STATUS_UNKNOWN ((PinStatus) { PIN_STATE_UNKNOWN, -1, -1 })

/* Picks the user PIN (not a PUK, not an SO PIN) from AODF entries, and
 * the reference of the PUK that unblocks it. -ENOENT when there is none. */
int card_pin_info_from_aodf(const Pkcs15Pin *pins, size_t n, CardPinInfo *ret);

/* The lengths card_pin_check_format() accepts: maxLength, bounded by the
 * stored length when the PIN is padded and by PKCS15_PIN_MAX_LENGTH (a
 * card may leave maxLength out: 0); minLength, at least 1. */
uint32_t card_pin_max_length(const CardPinInfo *pin);
uint32_t card_pin_min_length(const CardPinInfo *pin);

/* 0 when value has the format the card takes (length, characters),
 * -EDOM (InvalidPin) otherwise: such a PIN is never sent. */
int card_pin_check_format(const CardPinInfo *pin, const char *value);

/* The bytes to send for value: padded to the stored length when the card
 * wants it. buf must hold PKCS15_PIN_MAX_LENGTH bytes; -EDOM on a bad
 * format. */
int card_pin_encode(const CardPinInfo *pin, const char *value, uint8_t *buf, size_t *ret_len);

/* Takes other's state into *s when it is stricter for the interlock
 * (blocked, then locked, then last try): what a module's flags say can
 * make kartd's own reading stricter, never looser. */
void pin_status_take_stricter(PinStatus *s, const PinStatus *other);

/* Sets the tries left and the state they mean. The maximum is not
 * touched: a count seen is no maximum (a card met with a try spent). */
void pin_status_set_tries(PinStatus *s, int tries_left);
