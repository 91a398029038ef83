/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "kart-error.h"
#include "macro.h"
#include "pin.h"

static bool same_id(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen) {
        return alen > 0 && alen == blen && memcmp(a, b, alen) == 0;
}

int card_pin_info_from_aodf(const Pkcs15Pin *pins, size_t n, CardPinInfo *ret) {
        const Pkcs15Pin *user = NULL;

        for (size_t i = 0; i < n && !user; i++)
                if (!(pins[i].pin_flags & (PKCS15_PIN_UNBLOCKING_PIN | PKCS15_PIN_SO_PIN)))
                        user = &pins[i];
        if (!user || user->reference < 0 || user->reference > 0xFF)
                return -ENOENT;

        *ret = (CardPinInfo) {
                .present = true,
                .reference = (uint8_t) user->reference,
                .type = user->pin_type,
                .min_length = user->min_length,
                .stored_length = user->stored_length,
                .max_length = user->max_length,
                .needs_padding = user->pin_flags & PKCS15_PIN_NEEDS_PADDING,
                .pad_char = user->has_pad_char ? user->pad_char : 0x00,
                .puk_reference = -1,
        };
        /* Its PUK is the PIN object whose authId is our parent authId. */
        for (size_t i = 0; i < n; i++)
                if (&pins[i] != user &&
                    same_id(pins[i].auth_id, pins[i].auth_id_len,
                            user->parent_auth_id, user->parent_auth_id_len) &&
                    pins[i].reference >= 0 && pins[i].reference <= 0xFF)
                        ret->puk_reference = pins[i].reference;
        return 0;
}

uint32_t card_pin_max_length(const CardPinInfo *pin) {
        uint32_t max = pin->max_length ? pin->max_length : PKCS15_PIN_MAX_LENGTH;

        if (pin->needs_padding && pin->stored_length > 0)
                max = MIN(max, pin->stored_length);
        return MIN(max, (uint32_t) PKCS15_PIN_MAX_LENGTH);
}

uint32_t card_pin_min_length(const CardPinInfo *pin) {
        return MAX(pin->min_length, (uint32_t) 1);
}

int card_pin_check_format(const CardPinInfo *pin, const char *value) {
        size_t len;

        if (!value)
                return -EDOM;
        len = strnlen(value, PKCS15_PIN_MAX_LENGTH + 1);
        if (!pin->present)
                return -KART_ENOTSUPPORTED;
        if (len == 0 || len < pin->min_length || len > card_pin_max_length(pin))
                return -EDOM;
        switch (pin->type) {
        case PKCS15_PIN_TYPE_ASCII_NUMERIC:
                for (size_t i = 0; i < len; i++)
                        if (value[i] < '0' || value[i] > '9')
                                return -EDOM;
                return 0;
        case PKCS15_PIN_TYPE_UTF8:
                for (size_t i = 0; i < len; i++)
                        if ((unsigned char) value[i] < 0x20 || value[i] == 0x7F)
                                return -EDOM;
                return 0;
        default:
                /* BCD encodings: not written yet; never guess. */
                return -KART_ENOTSUPPORTED;
        }
}

int card_pin_encode(const CardPinInfo *pin, const char *value, uint8_t *buf, size_t *ret_len) {
        size_t len;
        int r;

        r = card_pin_check_format(pin, value);
        if (r < 0)
                return r;
        len = strlen(value);
        memcpy(buf, value, len);
        if (pin->needs_padding && pin->stored_length > len) {
                memset(buf + len, pin->pad_char, pin->stored_length - len);
                len = pin->stored_length;
        }
        *ret_len = len;
        return 0;
}

void pin_status_set_tries(PinStatus *s, int tries_left) {
        s->tries_left = tries_left;
        s->state = tries_left <= 0 ? PIN_STATE_LOCKED :
                   tries_left == 1 ? PIN_STATE_LAST_TRY : PIN_STATE_OK;
}

static int strictness(PinState s) {
        switch (s) {
        case PIN_STATE_BLOCKED:
                return 3;
        case PIN_STATE_LOCKED:
                return 2;
        case PIN_STATE_LAST_TRY:
                return 1;
        default:
                return 0;
        }
}

void pin_status_take_stricter(PinStatus *s, const PinStatus *other) {
        if (strictness(other->state) > strictness(s->state)) {
                s->state = other->state;
                s->tries_left = other->tries_left;
        }
}
