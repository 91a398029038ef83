/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "card-identity.h"
#include "iso7816.h"
#include "log.h"
#include "macro.h"
#include "pkcs15.h"

/* PKCS#15 v1.1, 5.4: the files at fixed IDs in the application DF. */
static const uint8_t odf_fid[] = { 0x50, 0x31 };
static const uint8_t tokeninfo_fid[] = { 0x50, 0x32 };
#define ODF_MAX 1024
#define AODF_MAX 4096
#define TOKENINFO_MAX 4096

static void identity_init(CardIdentity *id, const CardModel *m) {
        *id = (CardIdentity) { .model = *m, .driver = "none", .pin_status = PIN_STATUS_UNKNOWN };
        /* Known from the model, not only the most kartd has seen: a card
         * met with tries spent shows them against the right maximum. */
        if (m->pin_tries > 0)
                id->pin_status.tries_max = m->pin_tries;
        if (m->known) {
                id->driver = m->driver->name;
                id->native = true;
        }
}

void card_identity_from_atr(const uint8_t *atr, size_t len, CardIdentity *ret) {
        CardModel m;

        card_model_from_atr(atr, len, &m);
        identity_init(ret, &m);
}

/* Reads the EF at path (a PKCS#15 path, or a file ID in the application). */
static int read_ef(CardConn *c, const uint8_t *path, size_t path_len, size_t max, uint8_t **ret, size_t *ret_len) {
        int r;

        r = c->model.driver->select_file(c, path, path_len);
        if (r >= 0)
                r = iso7816_read_binary_all(c, max, ret, ret_len);
        return r;
}

static int read_tokeninfo(CardConn *c, Pkcs15TokenInfo *ti) {
        _cleanup_free_ uint8_t *buf = NULL;
        size_t len;
        int r;

        r = c->model.driver->select_app(c);
        if (r >= 0)
                r = read_ef(c, tokeninfo_fid, sizeof tokeninfo_fid, TOKENINFO_MAX, &buf, &len);
        if (r >= 0)
                r = pkcs15_parse_tokeninfo(buf, len, ti);
        return r;
}

int card_read_serial(CardConn *c, char **ret) {
        Pkcs15TokenInfo ti = {};
        int r;

        r = read_tokeninfo(c, &ti);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(ti.serial);
        pkcs15_tokeninfo_done(&ti);
        return 0;
}

/* The user PIN object: ODF -> AODF. The ODF stays in id for the
 * certificates. */
static int read_pin_info(CardConn *c, CardIdentity *id) {
        _cleanup_free_ uint8_t *aodf = NULL;
        _cleanup_free_ Pkcs15OdfEntry *entries = NULL;
        CardPinInfo *ret = &id->pin;
        Pkcs15Pin *pins = NULL;
        size_t len, n = 0, n_pins = 0;
        int r;

        r = read_ef(c, odf_fid, sizeof odf_fid, ODF_MAX, &id->odf, &id->odf_len);
        if (r >= 0)
                r = pkcs15_parse_odf(id->odf, id->odf_len, &entries, &n);
        if (r < 0)
                return r;
        r = -ENOENT;
        for (size_t i = 0; i < n; i++)
                if (entries[i].type == PKCS15_ODF_AODF) {
                        r = read_ef(c, entries[i].path, entries[i].path_len, AODF_MAX, &aodf, &len);
                        break;
                }
        if (r >= 0)
                r = pkcs15_parse_aodf(aodf, len, &pins, &n_pins);
        if (r >= 0)
                r = card_pin_info_from_aodf(pins, n_pins, ret);
        pkcs15_pins_free(pins, n_pins);
        /* The driver's own limit, where it is stricter than the AODF. */
        if (r >= 0 && c->model.pin_max_length > 0 &&
            (ret->max_length == 0 || ret->max_length > c->model.pin_max_length))
                ret->max_length = c->model.pin_max_length;
        return r;
}

int card_identity_read(CardConn *c, CardIdentity *ret) {
        const CardDriver *d = c->model.driver;
        Pkcs15TokenInfo ti = {};
        CardIdentity id;
        int r;

        identity_init(&id, &c->model);

        r = read_tokeninfo(c, &ti);
        if (card_conn_lost(r))
                return r;
        if (r == -EBADMSG || r == -EFBIG)
                log_warning("Card in reader answered with malformed PKCS#15 data (%s); serial unknown.",
                            strerror(-r));
        else if (r < 0)
                log_debug_errno(r, "No PKCS#15 TokenInfo on the card: %m");
        else {
                id.serial = TAKE_PTR(ti.serial);
                id.label = TAKE_PTR(ti.label);
                if (!c->model.known) {
                        id.driver = d->name;
                        id.native = true;
                        snprintf(id.model.name, sizeof id.model.name, "PKCS#15 card");
                }
        }
        pkcs15_tokeninfo_done(&ti);

        /* The PIN: what it looks like, and how many tries it has left
         * (only where the driver can ask without risk). */
        if (r >= 0) {
                r = read_pin_info(c, &id);
                if (r >= 0 && d->pin_query)
                        r = d->pin_query(c, &id.pin, &id.pin_status);
                if (card_conn_lost(r)) {
                        card_identity_done(&id);
                        return r;
                }
                if (r < 0 && r != -KART_ENOTSUPPORTED)
                        log_debug_errno(r, "Could not read the PIN's description or state: %m");
        }
        card_conn_sighting(c, &id.seen);
        *ret = id;
        return 0;
}

void card_identity_done(CardIdentity *id) {
        free(id->serial);
        free(id->label);
        free(id->odf);
        *id = (CardIdentity) {};
}
