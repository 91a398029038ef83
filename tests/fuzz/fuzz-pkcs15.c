/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target for everything that parses bytes from a card: the
 * BER-TLV reader, the five PKCS#15 file parsers (and EF.DIR's application
 * path), the drivers' ATR rules (AKİS versions), and the AKİS answers
 * kartd reads: the v1.0 FCI's PIN bits and file ID, the v2.x SDO header.
 *
 * Built by ./configure CC=clang --enable-fuzzing (tests/fuzz/README). */
#include "config.h"

#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "akis-model.h"
#include "atr.h"
#include "pkcs15.h"
#include "tlv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Walks the TLVs and each constructed value one level down; checks that
 * what the reader hands out stays inside the input. */
static void walk(const uint8_t *data, size_t size, bool padding) {
        const uint8_t *p = data, *end = data + size;
        size_t left = size;
        Tlv t;

        while (tlv_next(&p, &left, &t, padding) > 0) {
                const uint8_t *q = t.value;
                size_t qleft = t.len;
                Tlv c;
                uint32_t u;
                int32_t s;

                assert(t.value >= data && t.value + t.len <= end);
                assert(p + left == end);
                (void) tlv_read_uint(&t, &u);
                (void) tlv_read_int(&t, &s);
                (void) tlv_read_bits(&t, &u);
                while (tlv_next(&q, &qleft, &c, false) > 0)
                        assert(c.value >= t.value && c.value + c.len <= t.value + t.len);
        }
}

static void check_label(const char *s) {
        /* sanitized: no control characters survive */
        for (; s && *s; s++)
                assert((unsigned char) *s >= 0x20 && *s != 0x7F);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        Pkcs15App *apps = NULL;
        Pkcs15OdfEntry *odf = NULL;
        Pkcs15TokenInfo ti = {};
        Pkcs15Pin *pins = NULL;
        Pkcs15Cert *certs = NULL;
        size_t n = 0;

        walk(data, size, false);
        walk(data, size, true);

        if (pkcs15_parse_dir(data, size, &apps, &n) >= 0) {
                for (size_t i = 0; i < n; i++) {
                        assert(apps[i].aid_len > 0 && apps[i].aid_len <= sizeof apps[i].aid);
                        assert(apps[i].path_len <= sizeof apps[i].path);
                        check_label(apps[i].label);
                }
                pkcs15_apps_free(apps, n);
        }

        if (pkcs15_parse_odf(data, size, &odf, &n) >= 0) {
                for (size_t i = 0; i < n; i++)
                        assert(odf[i].type <= PKCS15_ODF_AODF && odf[i].path_len > 0 &&
                               odf[i].path_len <= sizeof odf[i].path);
                free(odf);
        }

        if (pkcs15_parse_tokeninfo(data, size, &ti) >= 0) {
                assert(ti.version >= 0);
                assert(!ti.serial || strlen(ti.serial) % 2 == 0);
                check_label(ti.label);
                check_label(ti.manufacturer);
        } else
                assert(!ti.serial && !ti.label && !ti.manufacturer && ti.flags == 0);
        pkcs15_tokeninfo_done(&ti);

        if (pkcs15_parse_aodf(data, size, &pins, &n) >= 0) {
                for (size_t i = 0; i < n; i++) {
                        assert(pins[i].auth_id_len > 0 && pins[i].auth_id_len <= sizeof pins[i].auth_id);
                        assert(pins[i].parent_auth_id_len <= sizeof pins[i].parent_auth_id);
                        assert(pins[i].path_len <= sizeof pins[i].path);
                        assert(pins[i].min_length <= PKCS15_PIN_MAX_LENGTH);
                        assert(pins[i].stored_length <= PKCS15_PIN_MAX_LENGTH);
                        assert(pins[i].max_length == 0 || pins[i].min_length <= pins[i].max_length);
                        assert(pins[i].reference >= 0 && pins[i].reference <= 255);
                        check_label(pins[i].label);
                }
                pkcs15_pins_free(pins, n);
        }

        if (pkcs15_parse_cdf(data, size, &certs, &n) >= 0) {
                for (size_t i = 0; i < n; i++) {
                        assert(certs[i].id_len > 0 && certs[i].id_len <= sizeof certs[i].id);
                        assert(certs[i].path_len <= sizeof certs[i].path);
                        assert(certs[i].index >= -1 && certs[i].length >= -1);
                        assert(!certs[i].direct == (certs[i].direct_len == 0));
                        assert(!certs[i].direct || (certs[i].direct_len < size && !certs[i].path_len));
                        check_label(certs[i].label);
                }
                pkcs15_certs_free(certs, n);
        }

        {
                CardModel m = {};
                const uint8_t *h;
                size_t hlen;

                if (akis_model_from_atr(data, size, &m))
                        assert(size <= ATR_MAX_SIZE && memchr(m.name, 0, sizeof m.name) &&
                               m.variant <= AKIS_SET_V2);
                if (atr_historical_bytes(data, size, &h, &hlen) >= 0)
                        assert(h >= data && h + hlen <= data + size);
        }
        {
                PinStatus s = { PIN_STATE_UNKNOWN, -1, 3 };
                uint8_t fid[2], path[16];
                size_t plen = 0;

                if (akis2_parse_tries(data, size, 0x01, &s) >= 0)
                        assert(s.tries_max >= 1 && s.tries_max <= 15 && s.tries_left >= 0 &&
                               s.tries_left <= s.tries_max);
                s = (PinStatus) { PIN_STATE_UNKNOWN, -1, 3 };
                /* No wrong try counted: the PIN is usable, its count unknown;
                 * otherwise one try (last-try bit) or max - 1 are left. */
                if (akis10_parse_fci_pin(data, size, &s) >= 0)
                        assert(s.tries_left == -1 ? s.state == PIN_STATE_OK
                                                  : s.tries_left >= 1 && s.tries_left <= 3);
                (void) akis_parse_fci_file_id(data, size, fid);
                if (pkcs15_dir_app_path(data, size, path, sizeof path, &plen) >= 0)
                        assert(plen > 0 && plen <= sizeof path);
        }
        return 0;
}
