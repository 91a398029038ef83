/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <stdlib.h>

#include "atr.h"
#include "card-identity.h"
#include "driver.h"
#include "iso7816.h"
#include "log.h"
#include "macro.h"
#include "pkcs15.h"

#define ODF_FID 0x5031
#define TOKENINFO_FID 0x5032
#define ODF_MAX 1024
#define AODF_MAX 4096
#define TOKENINFO_MAX 4096
#define EF_DIR_MAX 4096

static const uint8_t pkcs15_aid[] = { 0xA0, 0x00, 0x00, 0x00, 0x63, 0x50, 0x4B, 0x43, 0x53, 0x2D, 0x31, 0x35 };
static const uint8_t ef_dir_path[] = { 0x3F, 0x00, 0x2F, 0x00 };

static bool is_transport_error(int r) {
        return r == -ENOMEDIUM || r == -ECONNRESET || r == -ENODEV;
}

void card_identity_from_atr(Transport *t, CardIdentity *ret) {
        const AtrEntry *e = atr_apply_quirks(t);

        *ret = (CardIdentity) { .model = "Unknown card", .driver = "none", .pin_status = PIN_STATUS_UNKNOWN };
        if (!e)
                return;
        ret->model = e->model;
        ret->driver = e->driver;
        ret->quirks = e->quirks;
        /* Known from the model, not only the most kartd has seen: a card
         * met with tries spent shows them against the right maximum. */
        if (e->pin_tries > 0)
                ret->pin_status.tries_max = e->pin_tries;
}

/* Selects the PKCS#15 application: by AID first, else through EF.DIR. */
int card_select_pkcs15_app(Transport *t) {
        _cleanup_free_ uint8_t *dir = NULL;
        Pkcs15App *apps = NULL;
        size_t n_apps = 0, len;
        int r;

        r = iso7816_select_aid(t, pkcs15_aid, sizeof pkcs15_aid);
        if (r >= 0 || is_transport_error(r))
                return r;

        r = iso7816_select_path(t, ef_dir_path, sizeof ef_dir_path);
        if (r < 0)
                return r;
        r = iso7816_read_binary_all(t, EF_DIR_MAX, &dir, &len);
        if (r < 0)
                return r;
        r = pkcs15_parse_dir(dir, len, &apps, &n_apps);
        if (r < 0)
                return r;

        r = -ENOENT;
        for (size_t i = 0; i < n_apps; i++) {
                if (apps[i].aid_len != sizeof pkcs15_aid ||
                    memcmp(apps[i].aid, pkcs15_aid, sizeof pkcs15_aid) != 0)
                        continue;
                r = apps[i].path_len > 0 ? iso7816_select_path(t, apps[i].path, apps[i].path_len)
                                         : -ENOENT;
                break;
        }
        pkcs15_apps_free(apps, n_apps);
        return r;
}

static int read_tokeninfo(Transport *t, Pkcs15TokenInfo *ti) {
        _cleanup_free_ uint8_t *buf = NULL;
        size_t len;
        int r;

        r = card_select_pkcs15_app(t);
        if (r >= 0)
                r = iso7816_select_fid(t, TOKENINFO_FID);
        if (r >= 0)
                r = iso7816_read_binary_all(t, TOKENINFO_MAX, &buf, &len);
        if (r >= 0)
                r = pkcs15_parse_tokeninfo(buf, len, ti);
        return r;
}

int card_read_serial(Transport *t, char **ret) {
        Pkcs15TokenInfo ti = {};
        int r;

        r = read_tokeninfo(t, &ti);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(ti.serial);
        pkcs15_tokeninfo_done(&ti);
        return 0;
}

/* The user PIN object: ODF -> AODF (the application is selected). */
static int read_pin_info(Transport *t, CardPinInfo *ret) {
        _cleanup_free_ uint8_t *odf = NULL, *aodf = NULL;
        _cleanup_free_ Pkcs15OdfEntry *entries = NULL;
        Pkcs15Pin *pins = NULL;
        size_t len, n = 0, n_pins = 0;
        int r;

        r = iso7816_select_fid(t, ODF_FID);
        if (r >= 0)
                r = iso7816_read_binary_all(t, ODF_MAX, &odf, &len);
        if (r >= 0)
                r = pkcs15_parse_odf(odf, len, &entries, &n);
        if (r < 0)
                return r;
        r = -ENOENT;
        for (size_t i = 0; i < n; i++)
                if (entries[i].type == PKCS15_ODF_AODF) {
                        r = iso7816_select_path(t, entries[i].path, entries[i].path_len);
                        break;
                }
        if (r >= 0)
                r = iso7816_read_binary_all(t, AODF_MAX, &aodf, &len);
        if (r >= 0)
                r = pkcs15_parse_aodf(aodf, len, &pins, &n_pins);
        if (r >= 0)
                r = card_pin_info_from_aodf(pins, n_pins, ret);
        pkcs15_pins_free(pins, n_pins);
        return r;
}

int card_identity_read(Transport *t, CardIdentity *ret) {
        Pkcs15TokenInfo ti = {};
        const CardDriver *driver;
        CardIdentity id;
        int r;

        card_identity_from_atr(t, &id);

        r = read_tokeninfo(t, &ti);
        if (is_transport_error(r))
                return r;
        if (r == -EBADMSG || r == -EFBIG)
                log_warning("Card in reader answered with malformed PKCS#15 data (%s); serial unknown.",
                            strerror(-r));
        else if (r < 0)
                log_debug_errno(r, "No PKCS#15 TokenInfo on the card: %m");
        else {
                id.serial = TAKE_PTR(ti.serial);
                id.label = TAKE_PTR(ti.label);
                if (streq(id.driver, "none")) {
                        id.driver = "pkcs15";
                        id.model = "PKCS#15 card";
                }
        }
        pkcs15_tokeninfo_done(&ti);

        /* The PIN: what it looks like, and how many tries it has left
         * (only where the driver can ask without risk). */
        driver = card_driver_by_name(id.driver);
        if (r >= 0 && driver) {
                r = read_pin_info(t, &id.pin);
                id.pin.query_trusted = id.quirks & ATR_QUIRK_EMPTY_VERIFY_QUERY;
                if (r >= 0)
                        r = driver->pin_query(t, &id.pin, &id.pin_status);
                if (is_transport_error(r)) {
                        card_identity_done(&id);
                        return r;
                }
                if (r < 0 && r != -EOPNOTSUPP)
                        log_debug_errno(r, "Could not read the PIN's description or state: %m");
        }
        *ret = id;
        return 0;
}

void card_identity_done(CardIdentity *id) {
        free(id->serial);
        free(id->label);
        free(id->model_owned);
        *id = (CardIdentity) {};
}
