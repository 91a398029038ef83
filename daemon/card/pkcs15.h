/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* Parsers for the PKCS#15 files a card holds (ISO/IEC 7816-15), over the
 * BER-TLV reader. Input is untrusted: -EBADMSG on anything malformed. */

typedef struct Pkcs15App {
        uint8_t aid[16];
        size_t aid_len;
        char *label;            /* may be NULL */
        uint8_t path[16];
        size_t path_len;
} Pkcs15App;

/* EF.DIR: application templates 61 { 4F aid, 50 label, 51 path }. */
int pkcs15_parse_dir(const uint8_t *buf, size_t len, Pkcs15App **ret_apps, size_t *ret_n);
void pkcs15_apps_free(Pkcs15App *apps, size_t n);

typedef enum Pkcs15OdfType {
        PKCS15_ODF_PRKDF = 0,
        PKCS15_ODF_PUKDF = 1,
        PKCS15_ODF_PUKDF_TRUSTED = 2,
        PKCS15_ODF_SKDF = 3,
        PKCS15_ODF_CDF = 4,
        PKCS15_ODF_CDF_TRUSTED = 5,
        PKCS15_ODF_CDF_USEFUL = 6,
        PKCS15_ODF_DODF = 7,
        PKCS15_ODF_AODF = 8,
} Pkcs15OdfType;

typedef struct Pkcs15OdfEntry {
        Pkcs15OdfType type;
        uint8_t path[16];
        size_t path_len;
} Pkcs15OdfEntry;

/* ODF: [n] { Path ::= SEQUENCE { path OCTET STRING, ... } } per entry. */
int pkcs15_parse_odf(const uint8_t *buf, size_t len, Pkcs15OdfEntry **ret, size_t *ret_n);

typedef struct Pkcs15TokenInfo {
        uint32_t version;
        char *serial;           /* serialNumber as lowercase hex (as OpenSC prints it), or NULL */
        char *manufacturer;     /* or NULL */
        char *label;            /* or NULL */
        uint32_t flags;         /* TokenFlags bits */
} Pkcs15TokenInfo;

int pkcs15_parse_tokeninfo(const uint8_t *buf, size_t len, Pkcs15TokenInfo *ret);
void pkcs15_tokeninfo_done(Pkcs15TokenInfo *t);
