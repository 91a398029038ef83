/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "card-driver.h"

/* Which of the command sets of doc/akis.md a card gets (CardModel's
 * variant for the AKİS driver). */
typedef enum AkisSet {
        AKIS_SET_NONE,          /* a version whose commands are not in the record: read only */
        AKIS_SET_V10,           /* "UEKAE V1.0": OpenSC's driver */
        AKIS_SET_V12,           /* 1.1, 1.2.x, 1.3: TÜBİTAK's "1.2" set */
        AKIS_SET_V2,            /* 2.x: TÜBİTAK's "2.x" set */
} AkisSet;

/* TÜBİTAK's rule (AkisTemplate.isAkisATR): ASCII "UEKAE" or "uekae" in
 * the ATR, or historical bytes of the v1.x, v2.x or v3 patterns. On a
 * match, fills ret's name ("AKİS 2.2.8 (Infineon)") and variant. */
bool akis_model_from_atr(const uint8_t *atr, size_t len, CardModel *ret);

/* akis.md "tries left" row, v2.x column: the SDO header read's tags
 * (MA3 Tags.h: Key BF, PinObj 81, KeyHeader A0, MaxTryCount 9A,
 * RemTryCount 9B). */
#define AKIS2_SDO_PIN_TYPE      0x81
#define AKIS2_TAG_KEY_HEADER    0xA0

/* v2.x: the answer to the SDO header read of PIN pin_id, exactly
 * BF 81 <id> { A0 { ... 9A 01 <max> ... 9B 01 <left> ... } }: sets
 * *status (max 1..15, left at most max) and returns 0, or -EBADMSG when
 * the answer has any other shape (the state stays unknown). */
int akis2_parse_tries(const uint8_t *buf, size_t len, uint8_t pin_id, PinStatus *status);

/* v1.0: the PIN state in an FCI (6F template) of the application DF, tag
 * 90's bits 40 "wrong PIN entered once" and 80 "last try" (OpenSC's
 * akis_process_fci): 2 left, 1 left. Both at once is no state the record
 * knows (-EBADMSG); neither is "not the last try", the count unknown
 * (the record does not say what a locked PIN shows). status->tries_max
 * must hold the model's count. 0, or -EBADMSG. */
int akis10_parse_fci_pin(const uint8_t *fci, size_t len, PinStatus *status);

/* The file ID (tag 83) in an FCI (6F template): 0 and fid[2], or -EBADMSG. */
int akis_parse_fci_file_id(const uint8_t *fci, size_t len, uint8_t fid[2]);
