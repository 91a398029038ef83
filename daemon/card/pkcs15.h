/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Parsers for the PKCS#15 files a card holds (PKCS#15 v1.1, ISO/IEC
 * 7816-15), over the BER-TLV reader. Input is untrusted: -EBADMSG on
 * anything malformed, and every string is sanitized to printable UTF-8. */

#define PKCS15_MAX_ID 16        /* AIDs, paths and object identifiers */

typedef struct Pkcs15App {
        uint8_t aid[PKCS15_MAX_ID];
        size_t aid_len;
        char *label;            /* may be NULL */
        uint8_t path[PKCS15_MAX_ID];
        size_t path_len;        /* 0: no path given */
} Pkcs15App;

/* EF.DIR: application templates 61 { 4F aid, 50 label, 51 path }, other
 * records skipped, 00/FF padding tolerated. *ret_apps is NULL when there
 * are none. */
int pkcs15_parse_dir(const uint8_t *buf, size_t len, Pkcs15App **ret_apps, size_t *ret_n);
void pkcs15_apps_free(Pkcs15App *apps, size_t n);

/* The path EF.DIR gives for the PKCS#15 application (AID A0 00 00 00 63
 * "PKCS-15"): 0, -ENOENT when there is none or it has no path,
 * -ENOBUFS when the path is longer than size, -EBADMSG malformed. */
int pkcs15_dir_app_path(const uint8_t *dir, size_t len, uint8_t *path, size_t size, size_t *ret_len);

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
        uint8_t path[PKCS15_MAX_ID];
        size_t path_len;
} Pkcs15OdfEntry;

/* ODF: [n] { Path ::= SEQUENCE { path OCTET STRING, index, length } } per
 * entry, n = 0..8. Entries with the directory inline instead of a path,
 * and unknown tags, are skipped. *ret is NULL when there are none. */
int pkcs15_parse_odf(const uint8_t *buf, size_t len, Pkcs15OdfEntry **ret, size_t *ret_n);

enum {
        PKCS15_TOKEN_READONLY       = 1u << 0,
        PKCS15_TOKEN_LOGIN_REQUIRED = 1u << 1,
        PKCS15_TOKEN_PRN_GENERATION = 1u << 2,
        PKCS15_TOKEN_EID_COMPLIANT  = 1u << 3,
};

typedef struct Pkcs15TokenInfo {
        int version;
        char *serial;           /* serialNumber as lowercase hex (as OpenSC prints it), or NULL */
        char *manufacturer;     /* or NULL */
        char *label;            /* or NULL */
        uint32_t flags;         /* PKCS15_TOKEN_* */
} Pkcs15TokenInfo;

/* TokenInfo: SEQUENCE { version, serialNumber, manufacturerID, label [0]
 * (or, as some cards have it, a plain UTF8String), tokenflags, ... }. *ret
 * is zeroed on failure. */
int pkcs15_parse_tokeninfo(const uint8_t *buf, size_t len, Pkcs15TokenInfo *ret);
void pkcs15_tokeninfo_done(Pkcs15TokenInfo *t);

enum {
        PKCS15_PIN_CASE_SENSITIVE     = 1u << 0,
        PKCS15_PIN_LOCAL              = 1u << 1,
        PKCS15_PIN_CHANGE_DISABLED    = 1u << 2,
        PKCS15_PIN_UNBLOCK_DISABLED   = 1u << 3,
        PKCS15_PIN_INITIALIZED        = 1u << 4,
        PKCS15_PIN_NEEDS_PADDING      = 1u << 5,
        PKCS15_PIN_UNBLOCKING_PIN     = 1u << 6,
        PKCS15_PIN_SO_PIN             = 1u << 7,
        PKCS15_PIN_DISABLE_ALLOWED    = 1u << 8,
        PKCS15_PIN_INTEGRITY_PROT     = 1u << 9,
        PKCS15_PIN_CONFIDENTIALITY_PROT = 1u << 10,
        PKCS15_PIN_EXCHANGE_REF_DATA  = 1u << 11,
};

enum {
        PKCS15_PIN_TYPE_BCD = 0,
        PKCS15_PIN_TYPE_ASCII_NUMERIC = 1,
        PKCS15_PIN_TYPE_UTF8 = 2,
        PKCS15_PIN_TYPE_HALF_NIBBLE_BCD = 3,
        PKCS15_PIN_TYPE_ISO9564_1 = 4,
};

/* PIN lengths above this would not fit a short APDU: such a PIN object is
 * rejected as malformed. */
#define PKCS15_PIN_MAX_LENGTH 255

/* A PIN object from the AODF (AuthenticationObject, pin alternative). */
typedef struct Pkcs15Pin {
        char *label;                    /* may be NULL */
        uint8_t auth_id[PKCS15_MAX_ID];
        size_t auth_id_len;
        uint32_t pin_flags;             /* PKCS15_PIN_* */
        uint32_t pin_type;              /* PKCS15_PIN_TYPE_*; other values are passed on, unchecked */
        uint32_t min_length, stored_length;
        uint32_t max_length;            /* when absent on the card: derived from stored_length, as OpenSC does */
        int32_t reference;              /* 0 when absent (the ASN.1 default) */
        uint8_t pad_char;
        bool has_pad_char;
        uint8_t path[PKCS15_MAX_ID];
        size_t path_len;                /* 0: no path given */
        /* CommonObjectAttributes authId: the PIN (a PUK) that unblocks this one */
        uint8_t parent_auth_id[PKCS15_MAX_ID];
        size_t parent_auth_id_len;
} Pkcs15Pin;

/* AODF: PIN objects in order; authKey and biometric objects are skipped,
 * 00/FF padding tolerated. *ret is NULL when there are none. */
int pkcs15_parse_aodf(const uint8_t *buf, size_t len, Pkcs15Pin **ret, size_t *ret_n);
void pkcs15_pins_free(Pkcs15Pin *pins, size_t n);

/* Object identifiers (iD) as PKCS#15 bounds them: OpenSC's pkcs15-init
 * writes the 20-byte SHA-1 of the public key by default. */
#define PKCS15_MAX_OBJECT_ID 255

/* A certificate object from a CDF (CertificateObject, x509Certificate
 * choice). The certificate itself is either in a file (path, with index
 * and length for a part of it) or, rarely, in the CDF (direct). When
 * neither is set the value is only referenced by URL, which we cannot
 * follow. */
typedef struct Pkcs15Cert {
        char *label;                    /* CommonObjectAttributes label, or NULL */
        uint8_t id[PKCS15_MAX_OBJECT_ID];       /* CommonCertificateAttributes iD */
        size_t id_len;
        bool authority;                 /* a CA certificate */
        uint8_t path[PKCS15_MAX_ID];
        size_t path_len;                /* 0: no path given */
        int32_t index, length;          /* Path index and length, -1 when absent */
        uint8_t *direct;                /* the DER given directly, or NULL */
        size_t direct_len;
} Pkcs15Cert;

/* CDF: X.509 certificate objects in order; the other certificate types
 * ([0]..[n]) are skipped, 00/FF padding tolerated. *ret is NULL when there
 * are none. */
int pkcs15_parse_cdf(const uint8_t *buf, size_t len, Pkcs15Cert **ret, size_t *ret_n);
void pkcs15_certs_free(Pkcs15Cert *certs, size_t n);
