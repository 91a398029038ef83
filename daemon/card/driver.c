/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "driver.h"
#include "iso7816.h"
#include "macro.h"

/* ---- ISO 7816-4 defaults, the generic PKCS#15 driver ---- */

static int iso_pin_query(Transport *t, const CardPinInfo *pin, PinStatus *status) {
        uint16_t sw;
        int r;

        /* The empty VERIFY asks for the counter, but some cards count it
         * as a wrong PIN: only cards known to treat it as a query get it. */
        if (!pin->query_trusted)
                return -EOPNOTSUPP;
        r = iso7816_verify(t, pin->reference, NULL, 0, &sw);
        if (r < 0)
                return r;
        if (sw == 0x9000) {
                /* Already verified in this session: tries are at maximum. */
                status->state = PIN_STATE_OK;
                status->tries_left = status->tries_max;
        } else if ((sw & 0xFFF0) == 0x63C0)
                pin_status_set_tries(status, sw & 0x0F);
        else if (sw == 0x6983 || sw == 0x6984) {
                status->state = PIN_STATE_LOCKED;
                status->tries_left = 0;
        } else
                return -EOPNOTSUPP;

        if (status->state == PIN_STATE_LOCKED && pin->puk_reference >= 0) {
                /* Is the PUK gone too? Then the card is dead. */
                r = iso7816_verify(t, (uint8_t) pin->puk_reference, NULL, 0, &sw);
                if (r < 0)
                        return r;
                if (sw == 0x6983 || sw == 0x6984 || sw == 0x63C0)
                        status->state = PIN_STATE_BLOCKED;
        }
        return 0;
}

static int iso_pin_verify(Transport *t, const CardPinInfo *pin, const char *value, uint16_t *sw) {
        uint8_t buf[PKCS15_PIN_MAX_LENGTH];
        size_t len;
        int r;

        r = card_pin_encode(pin, value, buf, &len);
        if (r >= 0)
                r = iso7816_verify(t, pin->reference, buf, len, sw);
        explicit_bzero(buf, sizeof buf);
        return r;
}

static int iso_pin_change(Transport *t, const CardPinInfo *pin, const char *old_pin,
                          const char *new_pin, uint16_t *sw) {
        uint8_t buf[2 * PKCS15_PIN_MAX_LENGTH];
        size_t a, b;
        int r;

        r = card_pin_encode(pin, old_pin, buf, &a);
        if (r >= 0)
                r = card_pin_encode(pin, new_pin, buf + a, &b);
        if (r >= 0)
                r = iso7816_change_reference_data(t, 0x00, pin->reference, buf, a + b, sw);
        explicit_bzero(buf, sizeof buf);
        return r;
}

const CardDriver card_driver_pkcs15 = {
        .name = "pkcs15",
        .pin_query = iso_pin_query,
        .pin_verify = iso_pin_verify,
        .pin_change = iso_pin_change,
};

/* ---- AKİS: proprietary CHANGE REFERENCE DATA, no empty VERIFY ---- */

static int akis_pin_query(Transport *t, const CardPinInfo *pin, PinStatus *status) {
        /* An empty VERIFY is not known to be harmless on AKİS: never send it. */
        return -EOPNOTSUPP;
}

static int akis_pin_change(Transport *t, const CardPinInfo *pin, const char *old_pin,
                           const char *new_pin, uint16_t *sw) {
        uint8_t buf[2 + 2 * PKCS15_PIN_MAX_LENGTH];
        size_t a, b;
        int r;

        /* 00 24 01 P2, data len(old) || old || len(new) || new, unpadded. */
        r = card_pin_check_format(pin, old_pin);
        if (r >= 0)
                r = card_pin_check_format(pin, new_pin);
        if (r < 0)
                return r;
        a = strlen(old_pin);
        b = strlen(new_pin);
        buf[0] = (uint8_t) a;
        memcpy(buf + 1, old_pin, a);
        buf[1 + a] = (uint8_t) b;
        memcpy(buf + 2 + a, new_pin, b);
        r = iso7816_change_reference_data(t, 0x01, pin->reference, buf, 2 + a + b, sw);
        explicit_bzero(buf, sizeof buf);
        return r;
}

const CardDriver card_driver_akis = {
        .name = "akis",
        .pin_query = akis_pin_query,
        .pin_verify = iso_pin_verify,
        .pin_change = akis_pin_change,
};

const CardDriver *card_driver_by_name(const char *name) {
        if (streq_ptr(name, "akis"))
                return &card_driver_akis;
        if (streq_ptr(name, "pkcs15"))
                return &card_driver_pkcs15;
        return NULL;
}
