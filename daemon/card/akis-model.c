/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Recognising AKİS cards and naming their versions from the ATR alone
 * (doc/akis.md, "Recognising an AKİS card"). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "akis-model.h"
#include "atr.h"
#include "macro.h"
#include "tlv.h"

/* akis.md "tries left" row, v1.0 column (OpenSC akis_process_fci). */
#define AKIS10_FCI_TAG_SECURITY 0x90
#define AKIS10_FCI_ONE_WRONG    0x40
#define AKIS10_FCI_LAST_TRY     0x80
/* akis.md "tries left" row, v2.x column. */
#define AKIS2_TAG_MAX_TRIES     0x9A
#define AKIS2_TAG_TRIES_LEFT    0x9B

/* akis.md: TÜBİTAK's historical-byte rules (AkisTemplate.java). */
#define AKIS_V1_PATTERN        "806755454B4145....318073B3A180"
#define AKIS_V2_PATTERN        "80655443......31C073F6218081.."
#define AKIS_V3_PATTERN        "8066683209......31958105"
#define AKIS_V3_TEST_PATTERN   "8066683249......31958105"

/* akis.md, v1.0: the one ATR OpenSC's table lists (historical bytes
 * "UEKAE V1.0"). */
#define AKIS_V10_ATR "3B BA 11 00 81 31 FE 4D 55 45 4B 41 45 20 56 31 2E 30 AE"

/* v1.x: the two bytes after "UEKAE". Names from TÜBİTAK's AkisVersion.h
 * where it lists the code (its word wins where pcsc-tools' list differs:
 * 12 12 and 12 93), else from pcsc-tools' smartcard_list.txt. */
static const struct {
        uint8_t code[2];
        const char *name;
} akis_v1_versions[] = {
        { { 0x11, 0x12 }, "AKİS 1.1 (Infineon)" },
        { { 0x12, 0x12 }, "AKİS 1.2 (Infineon)" },
        { { 0x12, 0x13 }, "AKİS 1.2 (NXP)" },
        { { 0x12, 0x21 }, "AKİS 1.2 eID (UKİS)" },
        { { 0x12, 0x52 }, "AKİS 1.2.1 (Infineon)" },
        { { 0x12, 0x53 }, "AKİS 1.2.1 (NXP)" },
        { { 0x12, 0x61 }, "UKİS 1.2.1 (YITAL)" },
        { { 0x12, 0x64 }, "UKİS 1.2.1 (HHNEC)" },
        { { 0x12, 0x65 }, "UKİS 1.2.1 (SMIC)" },
        { { 0x12, 0xA1 }, "UKİS 1.2.1 (SMIC)" },
        { { 0x12, 0x92 }, "AKİS 1.2.2 (Infineon)" },
        { { 0x12, 0x93 }, "AKİS 1.2.2 (NXP)" },
        { { 0x12, 0xA4 }, "UKİS 1.2.2 (HHNEC)" },
        { { 0x12, 0xA5 }, "UKİS 1.2.2 (SMIC)" },
        { { 0x13, 0x12 }, "AKİS 1.3 (Infineon)" },
        { { 0x14, 0x12 }, "AKİS 1.4 (Infineon)" },
        { { 0x14, 0x13 }, "AKİS 1.4 (NXP)" },
};

/* v2.x: historical bytes 80 65 54 43 <chip> <version 2 bytes> 31 C0 ...
 * The version pairs the record names (AkisTemplate's comments: 21 08
 * "2.2.8", 22 82 "2.5.2"); the chip from the low nibble of the byte
 * before them, as every example of the record has it (2 Infineon, 3 NXP,
 * 4 UKTÜM). */
#define AKIS_V2_UDEA_ATR "3B9F968131FE4580655443D2210831C073F6218081055A"

static const struct {
        uint8_t code[2];
        const char *version;
} akis_v2_versions[] = {
        { { 0x21, 0x08 }, "2.2.8" },
        { { 0x22, 0x82 }, "2.5.2" },
};

static const char *akis_v2_chip(uint8_t b) {
        switch (b & 0x0F) {
        case 0x2:
                return "Infineon";
        case 0x3:
                return "NXP";
        case 0x4:
                return "UKTÜM";
        default:
                return NULL;
        }
}

/* 1.x: TÜBİTAK's library drives 11xx, 12xx and 13 12 with its "1.2"
 * command set (akis.md); other versions are only read. */
static void akis_v1(const uint8_t code[2], CardModel *ret) {
        const char *name = NULL;

        for (size_t i = 0; i < ELEMENTSOF(akis_v1_versions); i++)
                if (memcmp(akis_v1_versions[i].code, code, 2) == 0)
                        name = akis_v1_versions[i].name;
        if (name)
                snprintf(ret->name, sizeof ret->name, "%s", name);
        else
                snprintf(ret->name, sizeof ret->name, "AKİS 1.x (version %02X %02X)", code[0], code[1]);
        ret->variant = code[0] == 0x11 || code[0] == 0x12 || (code[0] == 0x13 && code[1] == 0x12)
                       ? AKIS_SET_V12 : AKIS_SET_NONE;
}

static void akis_v2(const uint8_t *atr, size_t atr_len, const uint8_t *hist, CardModel *ret) {
        const char *version = NULL, *chip = akis_v2_chip(hist[4]);
        char v[16];

        for (size_t i = 0; i < ELEMENTSOF(akis_v2_versions); i++)
                if (memcmp(akis_v2_versions[i].code, hist + 5, 2) == 0)
                        version = akis_v2_versions[i].version;
        if (!version) {
                snprintf(v, sizeof v, "2.x (%02X %02X)", hist[5], hist[6]);
                version = v;
        }
        /* pcsc-tools' list names 80 65 54 43 12 21 08 ... 81 05 the
         * national ID card (TCKK); TÜBİTAK calls it 2.2.8 Infineon's
         * field test. The one example whose chip byte does not name its
         * maker: AkisTemplate's "2.2.8 UDEA" (TA1 96, D2). */
        if (atr_equals_hex(atr, atr_len, AKIS_V2_UDEA_ATR))
                chip = "UDEA";
        if (hist[4] == 0x12 && hist[5] == 0x21 && hist[6] == 0x08 && hist[14] == 0x05)
                snprintf(ret->name, sizeof ret->name, "Turkish national ID card (TCKK), AKİS %s", version);
        else if (chip)
                snprintf(ret->name, sizeof ret->name, "AKİS %s (%s)", version, chip);
        else
                snprintf(ret->name, sizeof ret->name, "AKİS %s", version);
        /* "20xx and later" take the 2.x set. */
        ret->variant = AKIS_SET_V2;
}

bool akis_model_from_atr(const uint8_t *atr, size_t len, CardModel *ret) {
        const uint8_t *hist = NULL;
        size_t n = 0;

        if (!atr || len == 0 || len > ATR_MAX_SIZE)
                return false;
        (void) atr_historical_bytes(atr, len, &hist, &n);

        if (atr_equals_hex(atr, len, AKIS_V10_ATR)) {
                snprintf(ret->name, sizeof ret->name, "AKİS 1.0");
                ret->variant = AKIS_SET_V10;
        } else if (hist && atr_pattern_match(hist, n, AKIS_V1_PATTERN))
                akis_v1(hist + 7, ret);
        else if (hist && atr_pattern_match(hist, n, AKIS_V2_PATTERN))
                akis_v2(atr, len, hist, ret);
        else if (hist && (atr_pattern_match(hist, n, AKIS_V3_PATTERN) ||
                          atr_pattern_match(hist, n, AKIS_V3_TEST_PATTERN))) {
                snprintf(ret->name, sizeof ret->name, "AKİS 3 (SAHA%s)", hist[4] == 0x49 ? ", test" : "");
                ret->variant = AKIS_SET_NONE;
        } else if (memmem(atr, len, "UEKAE", 5) || memmem(atr, len, "uekae", 5)) {
                snprintf(ret->name, sizeof ret->name, "AKİS (unknown version)");
                ret->variant = AKIS_SET_NONE;
        } else
                return false;
        return true;
}

int akis2_parse_tries(const uint8_t *buf, size_t len, uint8_t pin_id, PinStatus *status) {
        const uint8_t *p = buf;
        size_t n = len;
        Tlv obj, hdr, max, left;

        if (tlv_next(&p, &n, &obj, false) != 1 || n != 0 ||
            obj.tag != (0xBF0000u | (uint32_t) AKIS2_SDO_PIN_TYPE << 8 | pin_id) ||
            tlv_find(obj.value, obj.len, AKIS2_TAG_KEY_HEADER, &hdr) < 0 ||
            tlv_find(hdr.value, hdr.len, AKIS2_TAG_MAX_TRIES, &max) < 0 ||
            tlv_find(hdr.value, hdr.len, AKIS2_TAG_TRIES_LEFT, &left) < 0 ||
            max.len != 1 || left.len != 1 || max.value[0] == 0 || max.value[0] > 15 ||
            left.value[0] > max.value[0])
                return -EBADMSG;
        status->tries_max = max.value[0];
        pin_status_set_tries(status, left.value[0]);
        return 0;
}

int akis10_parse_fci_pin(const uint8_t *fci, size_t len, PinStatus *status) {
        const uint8_t *p = fci;
        size_t n = len;
        Tlv tmpl, sec;
        uint8_t bits;
        int max = status->tries_max;

        if (tlv_next(&p, &n, &tmpl, false) != 1 || tmpl.tag != 0x6F ||
            tlv_find(tmpl.value, tmpl.len, AKIS10_FCI_TAG_SECURITY, &sec) < 0 || sec.len != 1 || max < 2)
                return -EBADMSG;
        bits = sec.value[0] & (AKIS10_FCI_ONE_WRONG | AKIS10_FCI_LAST_TRY);
        if (bits == (AKIS10_FCI_ONE_WRONG | AKIS10_FCI_LAST_TRY))
                return -EBADMSG;
        if (bits == 0) {
                /* No wrong try counted, says the FCI, but the record does
                 * not say what a locked PIN shows here: not the last try,
                 * the count unknown. */
                status->state = PIN_STATE_OK;
                status->tries_left = -1;
                return 0;
        }
        pin_status_set_tries(status, bits == AKIS10_FCI_LAST_TRY ? 1 : max - 1);
        return 0;
}

int akis_parse_fci_file_id(const uint8_t *fci, size_t len, uint8_t fid[2]) {
        const uint8_t *p = fci;
        size_t n = len;
        Tlv tmpl, t;

        if (tlv_next(&p, &n, &tmpl, false) != 1 || tmpl.tag != 0x6F ||
            tlv_find(tmpl.value, tmpl.len, 0x83, &t) < 0 || t.len != 2)
                return -EBADMSG;
        memcpy(fid, t.value, 2);
        return 0;
}
