/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* AKİS cards (TÜBİTAK BİLGEM's card operating system: KamuSM's qualified
 * e-signature cards, the Turkish national ID card), as the public record
 * describes them: doc/akis.md, whose table rows the comments below name.
 * Every command sent here is in that table for the card's version; a
 * version whose commands are not there is only read.
 *
 * Never sent, on any path (akis.md, "What this means for kartd"): CHANGE
 * REFERENCE DATA with P1=01 (the issuer's "set the PIN"), a PUK or
 * system-PIN reference, RESET RETRY COUNTER, an empty VERIFY. The PIN
 * commands below only ever use the user PIN's reference 81. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "akis-model.h"
#include "apdu.h"
#include "card-driver.h"
#include "card-pin.h"
#include "iso7816.h"
#include "log.h"
#include "macro.h"
#include "pkcs15.h"

/* akis.md "SELECT" row, v1.2 and v2.x columns (MA3 CommandsV20.h:
 * selectFileUnderMF, selectChildDF, selectEFUnderDF, selectDFByName). */
#define AKIS_SELECT_UNDER_MF    0x00
#define AKIS_SELECT_CHILD_DF    0x01
#define AKIS_SELECT_EF_IN_DF    0x02
#define AKIS_SELECT_DF_NAME     0x04
/* akis.md "SELECT" row, all columns: P2 00, the FCI comes back. */
#define AKIS_SELECT_P2          0x00
/* akis.md "SELECT" row, v1.0 column (OpenSC card-akis.c): by path from
 * the MF, the path written with its 3F00; a file ID as an EF of the
 * current DF first, then P1 00. */
#define AKIS10_SELECT_PATH      0x08
#define AKIS10_SELECT_EF        0x02
#define AKIS10_SELECT_FID       0x00

/* akis.md "SELECT" row: the PKCS#15 DF's name on v1.2 and v2.x. */
static const uint8_t akis_pkcs15_df_name[] = { 'P', 'K', 'C', 'S', '-', '1', '5' };
static const uint8_t ef_dir_path[] = { 0x3F, 0x00, 0x2F, 0x00 };

/* akis.md "VERIFY user PIN" and "change own PIN" rows: on v1.2 and 2.x
 * the user PIN is reference 81 (PIN 1 of the DF), and kartd sends PIN
 * commands for no other (82 is the PUK, 01 the system PIN). On v1.0 the
 * user PIN is the AODF's, 80 or 81 (a PIN of the DF, bit 80, as OpenSC's
 * change tells them apart: references without it went to 00 24 01, the
 * PUK/SO change; 80 is what MA3's v1.0 class implies for DF 3D00), and
 * never the reference the AODF gives its PUK. */
#define AKIS_USER_PIN_REF       0x81
#define AKIS10_USER_PIN_REF_ALT 0x80
/* akis.md "change own PIN" row, v1.0 column: P1 02, P2 = ref & 7F. */
#define AKIS10_CHANGE_P1        0x02
/* akis.md "change own PIN" row, v1.2 and v2.x columns: P1 00. */
#define AKIS_CHANGE_P1          0x00
/* akis.md "logout" row, v1.0 column: 80 1A 00 00. */
#define AKIS10_LOGOUT_CLA       0x80
#define AKIS10_LOGOUT_INS       0x1A
/* akis.md "tries left" row, v2.x column: the SDO header read
 * 00 CB 3F FF 08 4D 06 BF <type> <id> 02 A0 80 (MA3 Tags.h: HeaderList
 * 4D, Key BF, PinObj 81, KeyHeader A0, MaxTryCount 9A, RemTryCount 9B). */
#define AKIS2_SDO_INS           0xCB
#define AKIS2_SDO_P1            0x3F
#define AKIS2_SDO_P2            0xFF
/* akis.md "blocked PIN" row. */
#define AKIS1_SW_BLOCKED        0x6984
#define AKIS2_SW_BLOCKED        0x6983

/* OpenSC's v1.0 driver: max_pin_len 16; a PIN and its length byte twice
 * must fit a short APDU anyway. */
#define AKIS_PIN_MAX_LENGTH     16

static bool akis_match(const uint8_t *atr, size_t len, CardModel *ret) {
        if (!akis_model_from_atr(atr, len, ret))
                return false;
        ret->known = true;
        ret->pin_native = ret->variant != AKIS_SET_NONE;
        /* akis.md "tries left" row: v1.0's FCI, 2.x's SDO header */
        ret->tries_readable = ret->variant == AKIS_SET_V10 || ret->variant == AKIS_SET_V2;
        ret->pin_tries = 3;             /* akis.md: "Three tries." */
        /* akis.md "sizes" row (OpenSC's v1.0 choice, kept for every
         * version: no larger size is established for any). */
        ret->max_recv = 244;
        ret->short_only = true;
        ret->pin_max_length = AKIS_PIN_MAX_LENGTH;
        ret->pin_ascii = true;
        /* akis.md: KamuSM does not speak kartd's open unlock protocol. */
        ret->unlock = false;
        return true;
}

static int akis_check_sw(const CardConn *c, uint16_t sw) {
        uint16_t blocked = c->model.variant == AKIS_SET_V2 ? AKIS2_SW_BLOCKED :
                           c->model.variant == AKIS_SET_NONE ? 0 : AKIS1_SW_BLOCKED;

        /* The other version's "blocked" word is not established on this
         * one: it is not taken to mean a locked PIN. */
        if (sw == AKIS1_SW_BLOCKED || sw == AKIS2_SW_BLOCKED)
                return sw == blocked ? -EKEYEXPIRED : -EIO;
        return iso7816_check_sw(sw);
}

/* ---- file selection ---- */

static int akis_select(CardConn *c, uint8_t p1, const uint8_t *data, size_t len, uint8_t *fci,
                       size_t fci_size, size_t *fci_len) {
        uint8_t ignored[256];
        size_t n;

        if (!fci) {
                fci = ignored;
                fci_size = sizeof ignored;
                fci_len = &n;
        }
        return iso7816_select(c, p1, AKIS_SELECT_P2, data, len, fci, fci_size, fci_len);
}

static int akis10_select_path(CardConn *c, const uint8_t *path, size_t len, uint8_t *fci, size_t fci_size,
                              size_t *fci_len) {
        return akis_select(c, AKIS10_SELECT_PATH, path, len, fci, fci_size, fci_len);
}

/* v1.0 has no established select by name: the application's path comes
 * from EF.DIR (as OpenSC's PKCS#15 layer found it), or from an earlier
 * job on this card. */
static int akis10_select_app(CardConn *c) {
        _cleanup_free_ uint8_t *dir = NULL;
        uint8_t fci[256];
        size_t len, fci_len;
        int r;

        if (c->app_path_len == 0) {
                r = akis10_select_path(c, ef_dir_path, sizeof ef_dir_path, NULL, 0, NULL);
                if (r >= 0)
                        r = iso7816_read_binary_all(c, 4096, &dir, &len);
                if (r >= 0)
                        r = pkcs15_dir_app_path(dir, len, c->app_path, sizeof c->app_path, &c->app_path_len);
                if (r < 0)
                        return r;
        }
        r = akis10_select_path(c, c->app_path, c->app_path_len, fci, sizeof fci, &fci_len);
        if (r < 0)
                return r;
        c->app_pin = (PinStatus) { PIN_STATE_UNKNOWN, -1, c->model.pin_tries };
        if (akis10_parse_fci_pin(fci, fci_len, &c->app_pin) < 0) {
                log_debug("AKİS 1.0: no PIN state in the application's FCI; unknown.");
                c->app_pin = PIN_STATUS_UNKNOWN;
        }
        c->app_pin_read = true;
        c->app_selected = true;
        return 0;
}

/* v1.2, v2.x (and, for reading, later versions): the DF by its name; its
 * FCI's tag 83 tells the DF's file ID, so that absolute paths into it
 * need only the EF's selection. */
static int akis_select_app(CardConn *c) {
        uint8_t fci[256];
        size_t fci_len;
        int r;

        if (c->model.variant == AKIS_SET_V10)
                return akis10_select_app(c);

        r = akis_select(c, AKIS_SELECT_DF_NAME, akis_pkcs15_df_name, sizeof akis_pkcs15_df_name,
                        fci, sizeof fci, &fci_len);
        if (r < 0)
                return r;
        c->app_selected = true;
        c->app_path_len = 0;
        if (akis_parse_fci_file_id(fci, fci_len, c->app_path + 2) >= 0) {
                c->app_path[0] = 0x3F;
                c->app_path[1] = 0x00;
                c->app_path_len = 4;
        }
        return 0;
}

static int ensure_app(CardConn *c) {
        return c->app_selected ? 0 : akis_select_app(c);
}

static int akis10_select_file(CardConn *c, const uint8_t *path, size_t len) {
        uint8_t full[CARD_PATH_MAX];
        int r;

        if (len == 2 && path[0] == 0x3F && path[1] == 0x00)
                /* OpenSC: a path of one file ID (the MF) with P1 00 */
                r = akis_select(c, AKIS10_SELECT_FID, path, len, NULL, 0, NULL);
        else if (len >= 2 && path[0] == 0x3F && path[1] == 0x00)
                r = akis10_select_path(c, path, len, NULL, 0, NULL);
        else {
                /* Relative to the application: OpenSC made such paths
                 * absolute before selecting them. */
                if (c->app_path_len == 0) {
                        r = akis10_select_app(c);
                        if (r < 0)
                                return r;
                }
                if (c->app_path_len + len > sizeof full)
                        return -EINVAL;
                memcpy(full, c->app_path, c->app_path_len);
                memcpy(full + c->app_path_len, path, len);
                r = akis10_select_path(c, full, c->app_path_len + len, NULL, 0, NULL);
        }
        c->app_selected = false;        /* an EF is current now; the FCI state stays */
        return r;
}

/* v1.2/v2.x: a path walked with the forms the record gives: the first DF
 * under the MF with P1 00, each DF below it with 01, the EF with 02. A
 * path into the application needs only the EF. */
static int akis_select_file(CardConn *c, const uint8_t *path, size_t len) {
        size_t start = 0;
        int r;

        if (c->model.variant == AKIS_SET_V10)
                return akis10_select_file(c, path, len);
        if (len < 2 || len % 2 != 0 || len > CARD_PATH_MAX)
                return -EINVAL;

        if (path[0] == 0x3F && path[1] == 0x00) {
                if (c->app_path_len == 0) {
                        /* where is the application? its FCI tells */
                        r = akis_select_app(c);
                        if (r < 0 && card_conn_lost(r))
                                return r;
                }
                if (c->app_path_len > 0 && len == c->app_path_len + 2 &&
                    memcmp(path, c->app_path, c->app_path_len) == 0) {
                        r = ensure_app(c);
                        if (r < 0)
                                return r;
                        start = c->app_path_len;        /* an EF of the application */
                } else {
                        /* elsewhere: from the MF down */
                        if (len < 4)
                                return -EINVAL;         /* the MF itself is no file to read */
                        r = akis_select(c, AKIS_SELECT_UNDER_MF, path + 2, 2, NULL, 0, NULL);
                        if (r < 0)
                                return r;
                        c->app_selected = false;
                        start = 4;
                }
        } else {
                r = ensure_app(c);
                if (r < 0)
                        return r;
        }
        /* DFs below the current one, then the EF. */
        for (size_t i = start; i + 2 < len; i += 2) {
                r = akis_select(c, AKIS_SELECT_CHILD_DF, path + i, 2, NULL, 0, NULL);
                if (r < 0)
                        return r;
                c->app_selected = false;
        }
        if (start == len)
                return 0;       /* a file directly under the MF, selected above */
        return akis_select(c, AKIS_SELECT_EF_IN_DF, path + len - 2, 2, NULL, 0, NULL);
}

/* ---- PIN ---- */

/* Only the user PIN, and only where the version's commands are known. */
static int akis_check_pin(const CardConn *c, const CardPinInfo *pin) {
        if (!c->model.pin_native)
                return -KART_ENOTSUPPORTED;
        if (pin->reference != AKIS_USER_PIN_REF &&
            !(c->model.variant == AKIS_SET_V10 && pin->reference == AKIS10_USER_PIN_REF_ALT))
                return -KART_ENOTSUPPORTED;
        if (pin->puk_reference == pin->reference)
                return -KART_ENOTSUPPORTED;     /* the AODF calls it the PUK too: not ours */
        return 0;
}

/* v1.2/v2.x send the PIN as its ASCII characters, unpadded (akis.md
 * "VERIFY user PIN" row); kartd's format check first, then ASCII only. */
static int akis_check_value(const CardPinInfo *pin, const char *value) {
        int r;

        r = card_pin_check_format(pin, value);
        if (r < 0)
                return r;
        if (strlen(value) > AKIS_PIN_MAX_LENGTH)
                return -EDOM;
        for (const char *p = value; *p; p++)
                if ((unsigned char) *p < 0x20 || (unsigned char) *p > 0x7E)
                        return -EDOM;
        return 0;
}

static int akis2_pin_query(CardConn *c, const CardPinInfo *pin, PinStatus *status) {
        uint8_t pin_id = pin->reference & 0x7F;
        const uint8_t data[] = {
                0x4D, 0x06, 0xBF, AKIS2_SDO_PIN_TYPE, pin_id, 0x02, AKIS2_TAG_KEY_HEADER, 0x80,
        };
        Apdu a = {
                .ins = AKIS2_SDO_INS, .p1 = AKIS2_SDO_P1, .p2 = AKIS2_SDO_P2,
                .data = data, .lc = sizeof data, .le = 256,
        };
        uint8_t resp[256];
        size_t rlen;
        uint16_t sw;
        int r;

        r = apdu_transmit(c->t, &a, resp, sizeof resp, &rlen, &sw);
        if (r < 0)
                return r;
        if (sw != SW_OK) {
                log_debug("AKİS 2: the PIN's header read answered %04X (%s); state unknown.",
                          sw, iso7816_sw_name(sw));
                return -KART_ENOTSUPPORTED;
        }
        r = akis2_parse_tries(resp, rlen, pin_id, status);
        if (r < 0) {
                log_debug("AKİS 2: the PIN's header does not parse; state unknown.");
                return -KART_ENOTSUPPORTED;
        }
        return 0;
}

static int akis_pin_query(CardConn *c, const CardPinInfo *pin, PinStatus *status) {
        int r;

        r = akis_check_pin(c, pin);
        if (r < 0)
                return r;
        switch (c->model.variant) {
        case AKIS_SET_V10:
                /* the application's FCI, read when it was selected in
                 * this transaction (else now: one APDU) */
                if (!c->app_pin_read) {
                        r = akis10_select_app(c);
                        if (r < 0)
                                return r;
                }
                if (c->app_pin.state == PIN_STATE_UNKNOWN)
                        return -KART_ENOTSUPPORTED;
                *status = c->app_pin;
                return 0;
        case AKIS_SET_V2:
                return akis2_pin_query(c, pin, status);
        default:
                /* akis.md "tries left" row, v1.2 column: none known. */
                return -KART_ENOTSUPPORTED;
        }
}

static int akis_pin_verify(CardConn *c, const CardPinInfo *pin, const char *value, uint16_t *sw) {
        uint8_t buf[PKCS15_PIN_MAX_LENGTH];
        size_t len;
        int r;

        r = akis_check_pin(c, pin);
        if (r < 0)
                return r;
        if (c->model.variant == AKIS_SET_V10) {
                /* OpenSC's v1.0 driver left VERIFY to ISO, the PIN as the
                 * AODF describes it. */
                r = akis_check_value(pin, value);
                if (r >= 0)
                        r = card_pin_encode(pin, value, buf, &len);
        } else {
                r = akis_check_value(pin, value);
                len = r >= 0 ? strlen(value) : 0;
                if (r >= 0)
                        memcpy(buf, value, len);
        }
        if (r >= 0)
                r = iso7816_verify(c, pin->reference, buf, len, sw);
        explicit_bzero(buf, sizeof buf);
        return r;
}

static int akis_pin_change(CardConn *c, const CardPinInfo *pin, const char *old_pin, const char *new_pin,
                           uint16_t *sw) {
        uint8_t buf[2 + 2 * AKIS_PIN_MAX_LENGTH];
        size_t a, b, n;
        int r;

        r = akis_check_pin(c, pin);
        if (r >= 0)
                r = akis_check_value(pin, old_pin);
        if (r >= 0)
                r = akis_check_value(pin, new_pin);
        if (r < 0)
                return r;
        a = strlen(old_pin);
        b = strlen(new_pin);
        if (c->model.variant == AKIS_SET_V2) {
                /* akis.md "change own PIN" row, v2.x column: old || new. */
                memcpy(buf, old_pin, a);
                memcpy(buf + a, new_pin, b);
                n = a + b;
        } else {
                /* v1.0 and v1.2 columns: len(old) || old || len(new) || new. */
                buf[0] = (uint8_t) a;
                memcpy(buf + 1, old_pin, a);
                buf[1 + a] = (uint8_t) b;
                memcpy(buf + 2 + a, new_pin, b);
                n = 2 + a + b;
        }
        if (c->model.variant == AKIS_SET_V10)
                r = iso7816_change_reference_data(c, AKIS10_CHANGE_P1, pin->reference & 0x7F, buf, n, sw);
        else
                r = iso7816_change_reference_data(c, AKIS_CHANGE_P1, AKIS_USER_PIN_REF, buf, n, sw);
        explicit_bzero(buf, sizeof buf);
        return r;
}

static int akis_logout(CardConn *c) {
        Apdu a = { .cla = AKIS10_LOGOUT_CLA, .ins = AKIS10_LOGOUT_INS };
        uint8_t resp[16];
        size_t rlen;
        uint16_t sw;
        int r;

        if (c->model.variant != AKIS_SET_V10)
                return -KART_ENOTSUPPORTED;     /* akis.md "logout" row: only v1.0's is known */
        r = apdu_transmit(c->t, &a, resp, sizeof resp, &rlen, &sw);
        if (r < 0)
                return r;
        return card_conn_check_sw(c, sw);
}

const CardDriver card_driver_akis = {
        .name = "akis",
        .match = akis_match,
        .check_sw = akis_check_sw,
        .select_app = akis_select_app,
        .select_file = akis_select_file,
        .pin_query = akis_pin_query,
        .pin_verify = akis_pin_verify,
        .pin_change = akis_pin_change,
        .logout = akis_logout,
};
