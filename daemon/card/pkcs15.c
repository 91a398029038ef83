/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "hexutil.h"
#include "macro.h"
#include "pkcs15.h"
#include "strutil.h"
#include "tlv.h"

/* Bounds on what a card can make us allocate. Real cards hold a handful
 * of applications, directories and PINs. */
#define MAX_ENTRIES 64
#define MAX_LABEL 255           /* pkcs15-ub-label */
#define MAX_SERIAL 64           /* bytes; OpenSC's own limit is lower */
#define MAX_REFERENCE 255       /* pkcs15-ub-reference */

/* Appends one zeroed element to an array of n; NULL on OOM (the old array
 * is then untouched). */
static void *array_grow(void *array, size_t n, size_t size) {
        uint8_t *p;

        p = realloc(array, (n + 1) * size);
        if (p)
                memset(p + n * size, 0, size);
        return p;
}

/* Parses every top-level object with the given tag of a directory file
 * (padding allowed, other objects skipped) into a new array of items of
 * the given size. On failure free_items() gets all that was parsed, the
 * half-parsed last item included. */
static int parse_entries(const uint8_t *buf, size_t len, uint32_t tag, size_t size,
                         int (*parse)(const Tlv *t, void *item),
                         void (*free_items)(void *items, size_t n),
                         void **ret, size_t *ret_n) {
        uint8_t *items = NULL;
        size_t n = 0;
        Tlv t;
        int r;

        while ((r = tlv_next(&buf, &len, &t, true)) > 0) {
                uint8_t *grown;

                if (t.tag != tag)
                        continue;
                if (n >= MAX_ENTRIES) {
                        r = -EBADMSG;
                        break;
                }
                grown = array_grow(items, n, size);
                if (!grown) {
                        r = -ENOMEM;
                        break;
                }
                items = grown;
                r = parse(&t, items + n++ * size);
                if (r < 0)
                        break;
        }
        if (r < 0) {
                free_items(items, n);
                return r;
        }
        *ret = items;
        *ret_n = n;
        return 0;
}

static int copy_octets(const Tlv *t, uint8_t *dst, size_t size, size_t *ret_len) {
        if (t->constructed || t->len == 0 || t->len > size)
                return -EBADMSG;
        memcpy(dst, t->value, t->len);
        *ret_len = t->len;
        return 0;
}

/* Labels reach D-Bus and the UI: always valid, printable UTF-8. */
static int dup_label(const Tlv *t, char **ret) {
        char *s;

        if (t->constructed || t->len > MAX_LABEL)
                return -EBADMSG;
        s = utf8_sanitize(t->value, t->len);
        if (!s)
                return -ENOMEM;
        free(*ret);
        *ret = s;
        return 0;
}

/* Path ::= SEQUENCE { efidOrPath OCTET STRING, index INTEGER OPTIONAL,
 * length [0] INTEGER OPTIONAL }. Index and length select a part of a file:
 * only certificates come so (index and length NULL for the others), -1
 * when absent. */
static int parse_path(const Tlv *seq, uint8_t *path, size_t *ret_len, int32_t *index, int32_t *length) {
        int32_t *range[2] = { index, length };
        TlvCursor c;
        uint32_t u;
        Tlv t;
        int r;

        if (seq->tag != 0x30)
                return -EBADMSG;
        c = tlv_cursor(seq);
        r = tlv_cursor_take(&c, 0x04, &t);
        if (r <= 0)
                return r < 0 ? r : -EBADMSG;
        r = copy_octets(&t, path, PKCS15_MAX_ID, ret_len);
        for (size_t i = 0; index && r >= 0 && i < 2; i++) {
                *range[i] = -1;
                r = tlv_cursor_take(&c, i == 0 ? 0x02 : 0x80, &t);
                if (r > 0 && (tlv_read_uint(&t, &u) < 0 || u > INT32_MAX))
                        r = -EBADMSG;
                if (r > 0)
                        *range[i] = (int32_t) u;
        }
        return r < 0 ? r : tlv_cursor_finish(&c);
}

/* ------------------------------------------------------------ EF.DIR */

void pkcs15_apps_free(Pkcs15App *apps, size_t n) {
        for (size_t i = 0; apps && i < n; i++)
                free(apps[i].label);
        free(apps);
}

static int parse_app(const Tlv *tmpl, Pkcs15App *a) {
        const uint8_t *p = tmpl->value;
        size_t left = tmpl->len;
        Tlv t;
        int r;

        while ((r = tlv_next(&p, &left, &t, false)) > 0) {
                switch (t.tag) {
                case 0x4F:
                        r = a->aid_len > 0 ? -EBADMSG : copy_octets(&t, a->aid, sizeof a->aid, &a->aid_len);
                        break;
                case 0x50:
                        r = a->label ? -EBADMSG : dup_label(&t, &a->label);
                        break;
                case 0x51:
                        r = a->path_len > 0 ? -EBADMSG : copy_octets(&t, a->path, sizeof a->path, &a->path_len);
                        break;
                default:
                        break;  /* discretionary data and the like */
                }
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;
        return a->aid_len > 0 ? 0 : -EBADMSG;
}

static int parse_app_item(const Tlv *t, void *item) {
        return parse_app(t, item);
}

static void free_app_items(void *items, size_t n) {
        pkcs15_apps_free(items, n);
}

int pkcs15_parse_dir(const uint8_t *buf, size_t len, Pkcs15App **ret_apps, size_t *ret_n) {
        void *items;
        int r;

        /* 61: application templates; other records are not ours */
        r = parse_entries(buf, len, 0x61, sizeof(Pkcs15App), parse_app_item, free_app_items,
                          &items, ret_n);
        if (r < 0)
                return r;
        *ret_apps = items;
        return 0;
}

/* ------------------------------------------------------------ ODF */

int pkcs15_parse_odf(const uint8_t *buf, size_t len, Pkcs15OdfEntry **ret, size_t *ret_n) {
        _cleanup_free_ Pkcs15OdfEntry *e = NULL;
        size_t n = 0;
        Tlv t;
        int r;

        while ((r = tlv_next(&buf, &len, &t, true)) > 0) {
                Pkcs15OdfEntry *grown;
                TlvCursor c;
                Tlv path;

                /* [0]..[8] constructed; later PKCS#15 versions may add more */
                if (t.tag < 0xA0 || t.tag > 0xA8)
                        continue;
                c = tlv_cursor(&t);
                r = tlv_cursor_take(&c, 0x30, &path);
                if (r < 0)
                        return r;
                if (r == 0)
                        continue;       /* directory inline or protected: not supported, skip */
                if (n >= MAX_ENTRIES)
                        return -EBADMSG;
                grown = array_grow(e, n, sizeof *e);
                if (!grown)
                        return -ENOMEM;
                e = grown;
                e[n].type = (Pkcs15OdfType) (t.tag - 0xA0);
                r = parse_path(&path, e[n].path, &e[n].path_len, NULL, NULL);
                if (r < 0)
                        return r;
                n++;
        }
        if (r < 0)
                return r;

        *ret = TAKE_PTR(e);
        *ret_n = n;
        return 0;
}

/* ------------------------------------------------------------ TokenInfo */

void pkcs15_tokeninfo_done(Pkcs15TokenInfo *t) {
        if (!t)
                return;
        free(t->serial);
        free(t->manufacturer);
        free(t->label);
        *t = (Pkcs15TokenInfo) {};
}

/* Takes an optional string field with the given tag into *ret. */
static int take_label(TlvCursor *c, uint32_t tag, char **ret) {
        Tlv t;
        int r;

        r = tlv_cursor_take(c, tag, &t);
        if (r <= 0)
                return r;
        return dup_label(&t, ret);
}

static int parse_tokeninfo(const uint8_t *buf, size_t len, Pkcs15TokenInfo *ti) {
        TlvCursor c;
        uint32_t u;
        Tlv seq, t;
        int r;

        /* Only the first object counts: the rest of the file is padding. */
        r = tlv_next(&buf, &len, &seq, true);
        if (r <= 0 || seq.tag != 0x30)
                return r < 0 ? r : -EBADMSG;
        c = tlv_cursor(&seq);

        r = tlv_cursor_take(&c, 0x02, &t);
        if (r <= 0)
                return r < 0 ? r : -EBADMSG;
        r = tlv_read_uint(&t, &u);
        if (r < 0 || u > INT_MAX)
                return -EBADMSG;
        ti->version = (int) u;

        /* Mandatory in PKCS#15, but OpenSC copes without, and so do we. */
        r = tlv_cursor_take(&c, 0x04, &t);
        if (r < 0)
                return r;
        if (r > 0 && t.len > 0) {
                if (t.constructed || t.len > MAX_SERIAL)
                        return -EBADMSG;
                ti->serial = hex_encode(t.value, t.len);
                if (!ti->serial)
                        return -ENOMEM;
        }

        r = take_label(&c, 0x0C, &ti->manufacturer);
        if (r < 0)
                return r;
        r = take_label(&c, 0x80, &ti->label);
        if (r < 0)
                return r;
        /* Some cards write the label as a plain UTF8String after the
         * manufacturer; OpenSC accepts that, and so do we. */
        if (!ti->label) {
                r = take_label(&c, 0x0C, &ti->label);
                if (r < 0)
                        return r;
        }

        r = tlv_cursor_take(&c, 0x03, &t);
        if (r <= 0)
                return r < 0 ? r : -EBADMSG;
        r = tlv_read_bits(&t, &ti->flags);
        if (r < 0)
                return r;

        /* seInfo, recordInfo, supportedAlgorithms, ...: not needed, but
         * they must at least be well-formed. */
        return tlv_cursor_finish(&c);
}

int pkcs15_parse_tokeninfo(const uint8_t *buf, size_t len, Pkcs15TokenInfo *ret) {
        Pkcs15TokenInfo ti = {};
        int r;

        r = parse_tokeninfo(buf, len, &ti);
        if (r < 0) {
                pkcs15_tokeninfo_done(&ti);
                *ret = (Pkcs15TokenInfo) {};
                return r;
        }
        *ret = ti;
        return 0;
}

/* ------------------------------------------------------------ AODF */

void pkcs15_pins_free(Pkcs15Pin *pins, size_t n) {
        for (size_t i = 0; pins && i < n; i++)
                free(pins[i].label);
        free(pins);
}

/* CommonObjectAttributes ::= SEQUENCE { label, flags, authId, ... } */
static int parse_common_object(const Tlv *seq, Pkcs15Pin *pin) {
        TlvCursor c = tlv_cursor(seq);
        Tlv t;
        int r;

        r = take_label(&c, 0x0C, &pin->label);
        if (r < 0)
                return r;
        r = tlv_cursor_take(&c, 0x03, &t);      /* private, modifiable: not ours to judge */
        if (r < 0)
                return r;
        r = tlv_cursor_take(&c, 0x04, &t);
        if (r < 0)
                return r;
        if (r > 0) {
                r = copy_octets(&t, pin->parent_auth_id, sizeof pin->parent_auth_id, &pin->parent_auth_id_len);
                if (r < 0)
                        return r;
        }
        return tlv_cursor_finish(&c);
}

static int take_length(TlvCursor *c, bool optional, uint32_t *ret) {
        Tlv t;
        int r;

        r = tlv_cursor_take(c, 0x02, &t);
        if (r <= 0)
                return r < 0 ? r : optional ? 0 : -EBADMSG;
        r = tlv_read_uint(&t, ret);
        if (r < 0 || *ret > PKCS15_PIN_MAX_LENGTH)
                return -EBADMSG;
        return 1;
}

/* PinAttributes ::= SEQUENCE { pinFlags, pinType, minLength, storedLength,
 * maxLength OPTIONAL, pinReference [0] DEFAULT 0, padChar OPTIONAL,
 * lastPinChange OPTIONAL, path OPTIONAL, ... } */
static int parse_pin_attributes(const Tlv *seq, Pkcs15Pin *pin) {
        TlvCursor c;
        Tlv t;
        int r;

        if (seq->tag != 0x30)
                return -EBADMSG;
        c = tlv_cursor(seq);

        r = tlv_cursor_take(&c, 0x03, &t);
        if (r <= 0)
                return r < 0 ? r : -EBADMSG;
        r = tlv_read_bits(&t, &pin->pin_flags);
        if (r < 0)
                return r;

        r = tlv_cursor_take(&c, 0x0A, &t);
        if (r <= 0)
                return r < 0 ? r : -EBADMSG;
        if (tlv_read_uint(&t, &pin->pin_type) < 0)
                return -EBADMSG;

        r = take_length(&c, false, &pin->min_length);
        if (r >= 0)
                r = take_length(&c, false, &pin->stored_length);
        if (r >= 0)
                r = take_length(&c, true, &pin->max_length);
        if (r < 0)
                return r;

        r = tlv_cursor_take(&c, 0x80, &t);
        if (r < 0)
                return r;
        if (r > 0) {
                if (tlv_read_int(&t, &pin->reference) < 0)
                        return -EBADMSG;
                /* OpenSC before 0.11.5, and some other issuers, wrote
                 * reference 0x81 as the one-byte INTEGER 81, i.e. -127. */
                if (pin->reference < 0 && pin->reference >= -128)
                        pin->reference += 256;
                if (pin->reference < 0 || pin->reference > MAX_REFERENCE)
                        return -EBADMSG;
        }

        r = tlv_cursor_take(&c, 0x04, &t);
        if (r < 0)
                return r;
        if (r > 0) {
                if (t.constructed || t.len != 1)
                        return -EBADMSG;
                pin->pad_char = t.value[0];
                pin->has_pad_char = true;
        }

        r = tlv_cursor_take(&c, 0x18, &t);      /* lastPinChange: unused */
        if (r < 0)
                return r;

        r = tlv_cursor_take(&c, 0x30, &t);
        if (r < 0)
                return r;
        if (r > 0) {
                r = parse_path(&t, pin->path, &pin->path_len, NULL, NULL);
                if (r < 0)
                        return r;
        }

        /* What OpenSC does when the card leaves maxLength out: BCD packs two
         * digits a byte. */
        if (pin->max_length == 0)
                pin->max_length = pin->pin_type == PKCS15_PIN_TYPE_BCD ?
                                  2 * pin->stored_length : pin->stored_length;
        if (pin->max_length > 0 && pin->min_length > pin->max_length)
                return -EBADMSG;

        return tlv_cursor_finish(&c);
}

/* pin AuthenticationObject ::= SEQUENCE { CommonObjectAttributes,
 * CommonAuthenticationObjectAttributes, [0] subclass OPTIONAL,
 * [1] { PinAttributes } } */
static int parse_pin_object(const Tlv *obj, Pkcs15Pin *pin) {
        TlvCursor c = tlv_cursor(obj);
        Tlv t, id, attrs;
        int r;

        r = tlv_cursor_take(&c, 0x30, &t);
        if (r <= 0)
                return r < 0 ? r : -EBADMSG;
        r = parse_common_object(&t, pin);
        if (r < 0)
                return r;

        r = tlv_cursor_take(&c, 0x30, &t);
        if (r <= 0)
                return r < 0 ? r : -EBADMSG;
        r = tlv_find(t.value, t.len, 0x04, &id);
        if (r < 0)
                return -EBADMSG;        /* authId is mandatory */
        r = copy_octets(&id, pin->auth_id, sizeof pin->auth_id, &pin->auth_id_len);
        if (r < 0)
                return r;

        r = tlv_cursor_take(&c, 0xA0, &t);
        if (r < 0)
                return r;

        r = tlv_cursor_take(&c, 0xA1, &t);
        if (r <= 0)
                return r < 0 ? r : -EBADMSG;
        r = tlv_find(t.value, t.len, 0x30, &attrs);
        if (r < 0)
                return -EBADMSG;
        r = parse_pin_attributes(&attrs, pin);
        if (r < 0)
                return r;

        return tlv_cursor_finish(&c);
}

static int parse_pin_item(const Tlv *t, void *item) {
        return parse_pin_object(t, item);
}

static void free_pin_items(void *items, size_t n) {
        pkcs15_pins_free(items, n);
}

int pkcs15_parse_aodf(const uint8_t *buf, size_t len, Pkcs15Pin **ret, size_t *ret_n) {
        void *items;
        int r;

        /* 30: PIN objects; biometric [0], authKey [1], external [2] are skipped */
        r = parse_entries(buf, len, 0x30, sizeof(Pkcs15Pin), parse_pin_item, free_pin_items,
                          &items, ret_n);
        if (r < 0)
                return r;
        *ret = items;
        return 0;
}

/* ------------------------------------------------------------ CDF */

void pkcs15_certs_free(Pkcs15Cert *certs, size_t n) {
        for (size_t i = 0; certs && i < n; i++) {
                free(certs[i].label);
                free(certs[i].direct);
        }
        free(certs);
}

/* CommonCertificateAttributes ::= SEQUENCE { iD, authority BOOLEAN DEFAULT
 * FALSE, identifier, certHash [0], trustedUsage [1], ... } */
static int parse_common_cert(const Tlv *seq, Pkcs15Cert *cert) {
        TlvCursor c = tlv_cursor(seq);
        Tlv t;
        int r;

        if (tlv_cursor_take(&c, 0x04, &t) <= 0)
                return -EBADMSG;
        r = copy_octets(&t, cert->id, sizeof cert->id, &cert->id_len);
        if (r >= 0 && (r = tlv_cursor_take(&c, 0x01, &t)) > 0) {
                if (t.constructed || t.len != 1)
                        return -EBADMSG;
                cert->authority = t.value[0] != 0;
        }
        return r < 0 ? r : tlv_cursor_finish(&c);
}

/* X509CertificateAttributes ::= SEQUENCE { value ObjectValue, subject, ...}
 * with ObjectValue ::= CHOICE { indirect (a Path, or a URL we cannot
 * follow), direct [0] Certificate }; the rest only copies the certificate. */
static int parse_x509_attributes(const Tlv *seq, Pkcs15Cert *cert) {
        TlvCursor c = tlv_cursor(seq);
        Tlv t;
        int r;

        r = tlv_cursor_take(&c, 0x30, &t);
        if (r > 0)
                r = parse_path(&t, cert->path, &cert->path_len, &cert->index, &cert->length);
        else if (r == 0 && (r = tlv_cursor_take(&c, 0xA0, &t)) > 0) {
                cert->direct = t.len > 0 ? malloc(t.len) : NULL;
                if (!cert->direct)
                        return t.len > 0 ? -ENOMEM : -EBADMSG;
                memcpy(cert->direct, t.value, t.len);
                cert->direct_len = t.len;
        }
        return r < 0 ? r : tlv_cursor_finish(&c);
}

/* CertificateObject ::= SEQUENCE { CommonObjectAttributes,
 * CommonCertificateAttributes, [0] subclass OPTIONAL,
 * [1] { X509CertificateAttributes } } */
static int parse_cert_object(const Tlv *obj, void *item) {
        TlvCursor c = tlv_cursor(obj), common;
        Pkcs15Cert *cert = item;
        Tlv t;
        int r;

        cert->index = cert->length = -1;
        if (tlv_cursor_take(&c, 0x30, &t) <= 0)
                return -EBADMSG;
        common = tlv_cursor(&t);
        r = take_label(&common, 0x0C, &cert->label);    /* flags, authId, ...: not needed */
        if (r >= 0 && (r = tlv_cursor_finish(&common)) >= 0)
                r = tlv_cursor_take(&c, 0x30, &t);
        if (r <= 0)
                return r < 0 ? r : -EBADMSG;
        r = parse_common_cert(&t, cert);
        if (r >= 0 && (r = tlv_cursor_take(&c, 0xA0, &t)) >= 0)
                r = tlv_cursor_take(&c, 0xA1, &t);
        if (r <= 0)
                return r < 0 ? r : -EBADMSG;
        if (tlv_find(t.value, t.len, 0x30, &t) < 0)
                return -EBADMSG;
        r = parse_x509_attributes(&t, cert);
        return r < 0 ? r : tlv_cursor_finish(&c);
}

static void free_cert_items(void *items, size_t n) {
        pkcs15_certs_free(items, n);
}

int pkcs15_parse_cdf(const uint8_t *buf, size_t len, Pkcs15Cert **ret, size_t *ret_n) {
        void *items;
        int r;

        /* 30: X.509 certificates; the other kinds ([0]..[5]) are skipped */
        r = parse_entries(buf, len, 0x30, sizeof(Pkcs15Cert), parse_cert_object, free_cert_items,
                          &items, ret_n);
        if (r < 0)
                return r;
        *ret = items;
        return 0;
}

int pkcs15_dir_app_path(const uint8_t *dir, size_t len, uint8_t *path, size_t size, size_t *ret_len) {
        static const uint8_t aid[] = { 0xA0, 0x00, 0x00, 0x00, 0x63, 0x50, 0x4B, 0x43, 0x53, 0x2D, 0x31, 0x35 };
        Pkcs15App *apps = NULL;
        size_t n = 0;
        int r;

        r = pkcs15_parse_dir(dir, len, &apps, &n);
        if (r < 0)
                return r;
        r = -ENOENT;
        for (size_t i = 0; i < n; i++) {
                if (apps[i].aid_len != sizeof aid || memcmp(apps[i].aid, aid, sizeof aid) != 0)
                        continue;
                if (apps[i].path_len == 0)
                        break;
                if (apps[i].path_len > size) {
                        r = -ENOBUFS;
                        break;
                }
                memcpy(path, apps[i].path, apps[i].path_len);
                *ret_len = apps[i].path_len;
                r = 0;
                break;
        }
        pkcs15_apps_free(apps, n);
        return r;
}
