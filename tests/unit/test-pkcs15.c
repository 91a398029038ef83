/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The PKCS#15 file parsers against files laid out as OpenSC's pkcs15-init
 * and our card simulator write them, and against every truncation,
 * mutation and malformation we could think of: a card is untrusted input. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "pkcs15.h"

static const uint8_t pkcs15_aid[] = { 0xA0, 0x00, 0x00, 0x00, 0x63, 0x50, 0x4B, 0x43, 0x53, 0x2D, 0x31, 0x35 };
static const uint8_t app_path[] = { 0x3F, 0x00, 0x50, 0x15 };

/* EF.DIR: the PKCS#15 application (AID, label, path), an OpenPGP-like one
 * with discretionary data and neither label nor path, then 00/FF padding. */
static const uint8_t ef_dir[] = {
        0x61, 0x24, 0x4f, 0x0c, 0xa0, 0x00, 0x00, 0x00, 0x63, 0x50, 0x4b, 0x43,
        0x53, 0x2d, 0x31, 0x35, 0x50, 0x0e, 0x4b, 0x41, 0x52, 0x54, 0x20, 0x54,
        0x65, 0x73, 0x74, 0x20, 0x43, 0x61, 0x72, 0x64, 0x51, 0x04, 0x3f, 0x00,
        0x50, 0x15, 0x61, 0x0c, 0x4f, 0x06, 0xd2, 0x76, 0x00, 0x01, 0x24, 0x01,
        0x73, 0x02, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff,
        0xff, 0xff,
};

/* ODF: PrKDF [0], PuKDF [1] with index and length, CDF [4], a DODF [7]
 * given inline (skipped), AODF [8], padding. */
static const uint8_t odf[] = {
        0xa0, 0x0a, 0x30, 0x08, 0x04, 0x06, 0x3f, 0x00, 0x50, 0x15, 0x44, 0x02,
        0xa1, 0x10, 0x30, 0x0e, 0x04, 0x06, 0x3f, 0x00, 0x50, 0x15, 0x44, 0x05,
        0x02, 0x01, 0x00, 0x80, 0x01, 0x10, 0xa4, 0x0a, 0x30, 0x08, 0x04, 0x06,
        0x3f, 0x00, 0x50, 0x15, 0x44, 0x03, 0xa7, 0x04, 0xa0, 0x02, 0x30, 0x00,
        0xa8, 0x0a, 0x30, 0x08, 0x04, 0x06, 0x3f, 0x00, 0x50, 0x15, 0x44, 0x01,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

/* TokenInfo: version 0, serial "KART\0\0\0\1", manufacturer, label [0],
 * tokenflags loginRequired + prnGeneration. */
static const uint8_t tokeninfo[] = {
        0x30, 0x2f, 0x02, 0x01, 0x00, 0x04, 0x08, 0x4b, 0x41, 0x52, 0x54, 0x00,
        0x00, 0x00, 0x01, 0x0c, 0x0c, 0x4b, 0x41, 0x52, 0x54, 0x20, 0x50, 0x72,
        0x6f, 0x6a, 0x65, 0x63, 0x74, 0x80, 0x0e, 0x4b, 0x41, 0x52, 0x54, 0x20,
        0x54, 0x65, 0x73, 0x74, 0x20, 0x43, 0x61, 0x72, 0x64, 0x03, 0x02, 0x05,
        0x60,
};

/* The label as a plain UTF8String after the manufacturer, a lastUpdate
 * after the flags, and padding after the SEQUENCE. */
static const uint8_t tokeninfo_plain_label[] = {
        0x30, 0x41, 0x02, 0x01, 0x00, 0x04, 0x08, 0x4b, 0x41, 0x52, 0x54, 0x00,
        0x00, 0x00, 0x01, 0x0c, 0x0c, 0x4b, 0x41, 0x52, 0x54, 0x20, 0x50, 0x72,
        0x6f, 0x6a, 0x65, 0x63, 0x74, 0x0c, 0x0e, 0x4b, 0x41, 0x52, 0x54, 0x20,
        0x54, 0x65, 0x73, 0x74, 0x20, 0x43, 0x61, 0x72, 0x64, 0x03, 0x01, 0x00,
        0xa5, 0x11, 0x18, 0x0f, 0x32, 0x30, 0x32, 0x34, 0x30, 0x31, 0x30, 0x31,
        0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x5a, 0x00, 0x00,
};

/* AODF: user PIN (local, initialized, needs-padding; ascii-numeric; 6/8/8;
 * reference 81; pad FF; authId 01, unblocked by 02) and its PUK
 * (unblockingPin, reference 02), padding. */
static const uint8_t aodf[] = {
        0x30, 0x3b, 0x30, 0x11, 0x0c, 0x08, 0x55, 0x73, 0x65, 0x72, 0x20, 0x50,
        0x49, 0x4e, 0x03, 0x02, 0x07, 0x80, 0x04, 0x01, 0x02, 0x30, 0x03, 0x04,
        0x01, 0x01, 0xa1, 0x21, 0x30, 0x1f, 0x03, 0x02, 0x02, 0x4c, 0x0a, 0x01,
        0x01, 0x02, 0x01, 0x06, 0x02, 0x01, 0x08, 0x02, 0x01, 0x08, 0x80, 0x02,
        0x00, 0x81, 0x04, 0x01, 0xff, 0x30, 0x06, 0x04, 0x04, 0x3f, 0x00, 0x50,
        0x15, 0x30, 0x32, 0x30, 0x09, 0x0c, 0x03, 0x50, 0x55, 0x4b, 0x03, 0x02,
        0x07, 0x80, 0x30, 0x03, 0x04, 0x01, 0x02, 0xa1, 0x20, 0x30, 0x1e, 0x03,
        0x02, 0x01, 0x4e, 0x0a, 0x01, 0x01, 0x02, 0x01, 0x08, 0x02, 0x01, 0x08,
        0x02, 0x01, 0x08, 0x80, 0x01, 0x02, 0x04, 0x01, 0xff, 0x30, 0x06, 0x04,
        0x04, 0x3f, 0x00, 0x50, 0x15, 0x00, 0x00, 0x00, 0x00, 0x00,
};

/* An authKey object (skipped), then a PIN as old OpenSC wrote it: BCD, no
 * maxLength, reference 81 as a negative one-byte INTEGER, no padChar. */
static const uint8_t aodf_old_style[] = {
        0xff, 0xff, 0xa1, 0x13, 0x30, 0x05, 0x0c, 0x03, 0x6b, 0x65, 0x79, 0x30,
        0x03, 0x04, 0x01, 0x09, 0xa1, 0x05, 0x30, 0x03, 0x04, 0x01, 0x01, 0x30,
        0x24, 0x30, 0x09, 0x0c, 0x07, 0x4f, 0x6c, 0x64, 0x20, 0x50, 0x49, 0x4e,
        0x30, 0x03, 0x04, 0x01, 0x01, 0xa1, 0x12, 0x30, 0x10, 0x03, 0x02, 0x02,
        0x4c, 0x0a, 0x01, 0x00, 0x02, 0x01, 0x04, 0x02, 0x01, 0x04, 0x80, 0x01,
        0x81, 0xff,
};

/* Runs every parser on buf and frees what they return: for truncations
 * and mutations, where only "no crash, no leak, a sane answer" counts. */
static void parse_all(const uint8_t *buf, size_t len) {
        Pkcs15App *apps = NULL;
        Pkcs15OdfEntry *odf_entries = NULL;
        Pkcs15TokenInfo ti = {};
        Pkcs15Pin *pins = NULL;
        size_t n = 0;

        if (pkcs15_parse_dir(buf, len, &apps, &n) >= 0) {
                for (size_t i = 0; i < n; i++)
                        assert_true(apps[i].aid_len > 0 && apps[i].aid_len <= sizeof apps[i].aid);
                pkcs15_apps_free(apps, n);
        }
        if (pkcs15_parse_odf(buf, len, &odf_entries, &n) >= 0) {
                for (size_t i = 0; i < n; i++)
                        assert_true(odf_entries[i].type <= PKCS15_ODF_AODF &&
                                    odf_entries[i].path_len > 0 && odf_entries[i].path_len <= PKCS15_MAX_ID);
                free(odf_entries);
        }
        if (pkcs15_parse_tokeninfo(buf, len, &ti) >= 0)
                assert_true(ti.version >= 0);
        else
                assert_true(!ti.serial && !ti.label && !ti.manufacturer);
        pkcs15_tokeninfo_done(&ti);
        if (pkcs15_parse_aodf(buf, len, &pins, &n) >= 0) {
                for (size_t i = 0; i < n; i++) {
                        assert_true(pins[i].auth_id_len > 0);
                        assert_true(pins[i].min_length <= PKCS15_PIN_MAX_LENGTH);
                        assert_true(pins[i].reference >= 0 && pins[i].reference <= 255);
                }
                pkcs15_pins_free(pins, n);
        }
}

static void test_dir(_unused_ void **state) {
        Pkcs15App *apps = NULL;
        size_t n = 0;

        assert_int_equal(pkcs15_parse_dir(ef_dir, sizeof ef_dir, &apps, &n), 0);
        assert_int_equal(n, 2);
        assert_int_equal(apps[0].aid_len, sizeof pkcs15_aid);
        assert_memory_equal(apps[0].aid, pkcs15_aid, sizeof pkcs15_aid);
        assert_string_equal(apps[0].label, "KART Test Card");
        assert_int_equal(apps[0].path_len, sizeof app_path);
        assert_memory_equal(apps[0].path, app_path, sizeof app_path);
        assert_int_equal(apps[1].aid_len, 6);
        assert_null(apps[1].label);
        assert_int_equal(apps[1].path_len, 0);
        pkcs15_apps_free(apps, n);

        /* A file of padding only: no applications, not an error. */
        assert_int_equal(pkcs15_parse_dir((const uint8_t[]) { 0xFF, 0xFF, 0x00 }, 3, &apps, &n), 0);
        assert_int_equal(n, 0);
        assert_null(apps);
        pkcs15_apps_free(NULL, 0);
}

static void test_odf(_unused_ void **state) {
        static const struct {
                Pkcs15OdfType type;
                uint8_t fid_lo;
        } want[] = {
                { PKCS15_ODF_PRKDF, 0x02 },
                { PKCS15_ODF_PUKDF, 0x05 },
                { PKCS15_ODF_CDF, 0x03 },
                { PKCS15_ODF_AODF, 0x01 },
        };
        Pkcs15OdfEntry *e = NULL;
        size_t n = 0;

        assert_int_equal(pkcs15_parse_odf(odf, sizeof odf, &e, &n), 0);
        assert_int_equal(n, ELEMENTSOF(want));
        for (size_t i = 0; i < n; i++) {
                assert_int_equal(e[i].type, want[i].type);
                assert_int_equal(e[i].path_len, 6);
                assert_memory_equal(e[i].path, ((const uint8_t[]) { 0x3F, 0x00, 0x50, 0x15, 0x44, want[i].fid_lo }), 6);
        }
        free(e);
}

static void test_tokeninfo(_unused_ void **state) {
        Pkcs15TokenInfo ti = {};

        assert_int_equal(pkcs15_parse_tokeninfo(tokeninfo, sizeof tokeninfo, &ti), 0);
        assert_int_equal(ti.version, 0);
        assert_string_equal(ti.serial, "4b41525400000001");
        assert_string_equal(ti.manufacturer, "KART Project");
        assert_string_equal(ti.label, "KART Test Card");
        assert_int_equal(ti.flags, PKCS15_TOKEN_LOGIN_REQUIRED | PKCS15_TOKEN_PRN_GENERATION);
        pkcs15_tokeninfo_done(&ti);
        assert_null(ti.serial);

        assert_int_equal(pkcs15_parse_tokeninfo(tokeninfo_plain_label, sizeof tokeninfo_plain_label, &ti), 0);
        assert_string_equal(ti.serial, "4b41525400000001");
        assert_string_equal(ti.manufacturer, "KART Project");
        assert_string_equal(ti.label, "KART Test Card");
        assert_int_equal(ti.flags, 0);
        pkcs15_tokeninfo_done(&ti);

        /* Bare minimum: version and flags; control characters sanitized. */
        assert_int_equal(pkcs15_parse_tokeninfo((const uint8_t[]) {
                0x30, 0x0B, 0x02, 0x01, 0x01, 0x80, 0x03, 'a', 0x07, 'b', 0x03, 0x01, 0x00 }, 13, &ti), 0);
        assert_int_equal(ti.version, 1);
        assert_null(ti.serial);
        assert_null(ti.manufacturer);
        assert_string_equal(ti.label, "a?b");
        pkcs15_tokeninfo_done(&ti);
}

static void test_aodf(_unused_ void **state) {
        Pkcs15Pin *p = NULL;
        size_t n = 0;

        assert_int_equal(pkcs15_parse_aodf(aodf, sizeof aodf, &p, &n), 0);
        assert_int_equal(n, 2);

        assert_string_equal(p[0].label, "User PIN");
        assert_int_equal(p[0].auth_id_len, 1);
        assert_int_equal(p[0].auth_id[0], 0x01);
        assert_int_equal(p[0].parent_auth_id_len, 1);
        assert_int_equal(p[0].parent_auth_id[0], 0x02);
        assert_int_equal(p[0].pin_flags, PKCS15_PIN_LOCAL | PKCS15_PIN_INITIALIZED | PKCS15_PIN_NEEDS_PADDING);
        assert_int_equal(p[0].pin_type, PKCS15_PIN_TYPE_ASCII_NUMERIC);
        assert_int_equal(p[0].min_length, 6);
        assert_int_equal(p[0].stored_length, 8);
        assert_int_equal(p[0].max_length, 8);
        assert_int_equal(p[0].reference, 0x81);
        assert_true(p[0].has_pad_char);
        assert_int_equal(p[0].pad_char, 0xFF);
        assert_int_equal(p[0].path_len, sizeof app_path);
        assert_memory_equal(p[0].path, app_path, sizeof app_path);

        assert_string_equal(p[1].label, "PUK");
        assert_int_equal(p[1].auth_id[0], 0x02);
        assert_int_equal(p[1].parent_auth_id_len, 0);
        assert_true(p[1].pin_flags & PKCS15_PIN_UNBLOCKING_PIN);
        assert_false(p[1].pin_flags & PKCS15_PIN_SO_PIN);
        assert_int_equal(p[1].reference, 0x02);
        assert_int_equal(p[1].min_length, 8);
        pkcs15_pins_free(p, n);

        assert_int_equal(pkcs15_parse_aodf(aodf_old_style, sizeof aodf_old_style, &p, &n), 0);
        assert_int_equal(n, 1);
        assert_string_equal(p[0].label, "Old PIN");
        assert_int_equal(p[0].pin_type, PKCS15_PIN_TYPE_BCD);
        assert_int_equal(p[0].reference, 0x81);
        assert_int_equal(p[0].max_length, 8);   /* two BCD digits per stored byte */
        assert_false(p[0].has_pad_char);
        assert_int_equal(p[0].path_len, 0);
        pkcs15_pins_free(p, n);
}

/* Every proper prefix of a valid file: an error, or (where the cut falls
 * between objects or in the padding) a subset of the full answer. */
static void test_truncations(_unused_ void **state) {
        for (size_t len = 0; len < sizeof ef_dir; len++) {
                Pkcs15App *apps = NULL;
                size_t n = 0;
                int r = pkcs15_parse_dir(ef_dir, len, &apps, &n);
                assert_true(r < 0 || n <= 2);
                if (r >= 0)
                        pkcs15_apps_free(apps, n);
                parse_all(ef_dir, len);
        }
        for (size_t len = 0; len < sizeof odf; len++) {
                Pkcs15OdfEntry *e = NULL;
                size_t n = 0;
                int r = pkcs15_parse_odf(odf, len, &e, &n);
                assert_true(r < 0 || n <= 4);
                if (r >= 0)
                        free(e);
                parse_all(odf, len);
        }
        for (size_t len = 0; len < sizeof tokeninfo; len++) {
                Pkcs15TokenInfo ti = {};
                assert_int_equal(pkcs15_parse_tokeninfo(tokeninfo, len, &ti), -EBADMSG);
                assert_null(ti.serial);
                parse_all(tokeninfo, len);
        }
        for (size_t len = 0; len < sizeof tokeninfo_plain_label; len++)
                parse_all(tokeninfo_plain_label, len);
        for (size_t len = 0; len < sizeof aodf; len++) {
                Pkcs15Pin *p = NULL;
                size_t n = 0;
                int r = pkcs15_parse_aodf(aodf, len, &p, &n);
                /* the cut is inside the padding: everything is there */
                if (len >= sizeof aodf - 5)
                        assert_true(r == 0 && n == 2);
                else
                        assert_true(r < 0 || n <= 1);
                if (r >= 0)
                        pkcs15_pins_free(p, n);
                parse_all(aodf, len);
        }
        for (size_t len = 0; len < sizeof aodf_old_style; len++)
                parse_all(aodf_old_style, len);
}

/* Every byte set to the values that matter to a TLV reader. */
static void test_mutations(_unused_ void **state) {
        static const struct {
                const uint8_t *buf;
                size_t len;
        } files[] = {
                { ef_dir, sizeof ef_dir },
                { odf, sizeof odf },
                { tokeninfo, sizeof tokeninfo },
                { tokeninfo_plain_label, sizeof tokeninfo_plain_label },
                { aodf, sizeof aodf },
                { aodf_old_style, sizeof aodf_old_style },
        };
        static const uint8_t values[] = { 0x00, 0x01, 0x1F, 0x30, 0x7F, 0x80, 0x81, 0x82, 0x84, 0x85, 0xFF };
        uint8_t buf[256];

        for (size_t f = 0; f < ELEMENTSOF(files); f++)
                for (size_t i = 0; i < files[f].len; i++)
                        for (size_t v = 0; v <= ELEMENTSOF(values); v++) {
                                memcpy(buf, files[f].buf, files[f].len);
                                buf[i] = v < ELEMENTSOF(values) ? values[v] : buf[i] ^ 0x20;
                                parse_all(buf, files[f].len);
                        }
}

typedef struct Bad {
        const char *what;
        uint8_t data[32];
        size_t len;
} Bad;

/* Malformed framing: every parser must say -EBADMSG. */
static const Bad bad_framing[] = {
        { "indefinite length",    { 0x61, 0x80, 0x4F, 0x01, 0x01, 0x00, 0x00 }, 7 },
        { "5-byte length",        { 0x30, 0x85, 0x00, 0x00, 0x00, 0x00, 0x03, 0x02, 0x01, 0x00 }, 10 },
        { "4-byte tag",           { 0x7F, 0x81, 0x81, 0x01, 0x00 }, 5 },
        { "huge length",          { 0x30, 0x84, 0xFF, 0xFF, 0xFF, 0xFF, 0x02, 0x01, 0x00 }, 9 },
        { "length past the end",  { 0x30, 0x10, 0x02, 0x01, 0x00 }, 5 },
        { "second object cut",    { 0xA8, 0x00, 0x30, 0x05, 0x04 }, 5 },
};

static void test_bad_framing(_unused_ void **state) {
        for (size_t i = 0; i < ELEMENTSOF(bad_framing); i++) {
                const Bad *b = &bad_framing[i];
                Pkcs15App *apps = NULL;
                Pkcs15OdfEntry *e = NULL;
                Pkcs15TokenInfo ti;
                Pkcs15Pin *p = NULL;
                size_t n = 0;

                print_message("# %s\n", b->what);
                assert_int_equal(pkcs15_parse_dir(b->data, b->len, &apps, &n), -EBADMSG);
                assert_int_equal(pkcs15_parse_odf(b->data, b->len, &e, &n), -EBADMSG);
                assert_int_equal(pkcs15_parse_tokeninfo(b->data, b->len, &ti), -EBADMSG);
                assert_int_equal(pkcs15_parse_aodf(b->data, b->len, &p, &n), -EBADMSG);
        }
}

/* Well-framed, but wrong: each against the parser it is meant for. */
static const Bad bad_dir[] = {
        { "no AID",               { 0x61, 0x03, 0x50, 0x01, 'x' }, 5 },
        { "empty AID",            { 0x61, 0x02, 0x4F, 0x00 }, 4 },
        { "AID of 17 bytes",      { 0x61, 0x13, 0x4F, 0x11 }, 21 },
        { "two AIDs",             { 0x61, 0x06, 0x4F, 0x01, 0x01, 0x4F, 0x01, 0x02 }, 8 },
        { "inner length",         { 0x61, 0x03, 0x4F, 0x05, 0x01 }, 5 },
};
static const Bad bad_odf[] = {
        { "path without octets",  { 0xA0, 0x02, 0x30, 0x00 }, 4 },
        { "empty path",           { 0xA0, 0x04, 0x30, 0x02, 0x04, 0x00 }, 6 },
        { "path of 17 bytes",     { 0xA0, 0x15, 0x30, 0x13, 0x04, 0x11 }, 23 },
        { "garbage after path",   { 0xA4, 0x08, 0x30, 0x06, 0x04, 0x02, 0x44, 0x03, 0x04, 0x05 }, 10 },
};
static const Bad bad_tokeninfo[] = {
        { "a SET",                { 0x31, 0x06, 0x02, 0x01, 0x00, 0x03, 0x01, 0x00 }, 8 },
        { "version as octets",    { 0x30, 0x06, 0x04, 0x01, 0x00, 0x03, 0x01, 0x00 }, 8 },
        { "negative version",     { 0x30, 0x06, 0x02, 0x01, 0xFF, 0x03, 0x01, 0x00 }, 8 },
        { "5-byte version",       { 0x30, 0x0A, 0x02, 0x05, 0x01, 0, 0, 0, 0, 0x03, 0x01, 0x00 }, 12 },
        { "serial as integer",    { 0x30, 0x09, 0x02, 0x01, 0x00, 0x02, 0x01, 0x05, 0x03, 0x01, 0x00 }, 11 },
        { "flags as octets",      { 0x30, 0x06, 0x02, 0x01, 0x00, 0x04, 0x01, 0x00 }, 8 },
        { "flags constructed",    { 0x30, 0x07, 0x02, 0x01, 0x00, 0x23, 0x02, 0x03, 0x00 }, 9 },
        { "flags 8 unused bits",  { 0x30, 0x07, 0x02, 0x01, 0x00, 0x03, 0x02, 0x08, 0xFF }, 9 },
        { "label constructed",    { 0x30, 0x0A, 0x02, 0x01, 0x00, 0xA0, 0x02, 0x0C, 0x00, 0x03, 0x01, 0x00 }, 12 },
        { "no flags",             { 0x30, 0x03, 0x02, 0x01, 0x00 }, 5 },
        { "empty",                { 0x30, 0x00 }, 2 },
        { "garbage after flags",  { 0x30, 0x08, 0x02, 0x01, 0x00, 0x03, 0x01, 0x00, 0x04, 0x05 }, 10 },
};
/* PIN object around a PinAttributes body of n bytes (filled in below). */
#define PIN_HEAD(n) 0x30, (n) + 11, 0x30, 0x00, 0x30, 0x03, 0x04, 0x01, 0x01, 0xA1, (n) + 2, 0x30, (n)
static const Bad bad_aodf[] = {
        { "no authId",            { 0x30, 0x0A, 0x30, 0x00, 0x30, 0x00, 0xA1, 0x04, 0x30, 0x02, 0x03, 0x00 }, 12 },
        { "no typeAttributes",    { 0x30, 0x07, 0x30, 0x00, 0x30, 0x03, 0x04, 0x01, 0x01 }, 9 },
        { "no pinType",           { PIN_HEAD(9), 0x03, 0x01, 0x00, 0x02, 0x01, 0x04, 0x02, 0x01, 0x08 }, 22 },
        { "min > max",            { PIN_HEAD(15), 0x03, 0x01, 0x00, 0x0A, 0x01, 0x01, 0x02, 0x01, 0x09,
                                    0x02, 0x01, 0x08, 0x02, 0x01, 0x08 }, 28 },
        { "length 300",           { PIN_HEAD(13), 0x03, 0x01, 0x00, 0x0A, 0x01, 0x01, 0x02, 0x02, 0x01, 0x2C,
                                    0x02, 0x01, 0x08 }, 26 },
        { "reference 256",        { PIN_HEAD(16), 0x03, 0x01, 0x00, 0x0A, 0x01, 0x01, 0x02, 0x01, 0x04,
                                    0x02, 0x01, 0x08, 0x80, 0x02, 0x01, 0x00 }, 29 },
        { "2-byte padChar",       { PIN_HEAD(16), 0x03, 0x01, 0x00, 0x0A, 0x01, 0x01, 0x02, 0x01, 0x04,
                                    0x02, 0x01, 0x08, 0x04, 0x02, 0xFF, 0xFF }, 29 },
};

static void test_bad_content(_unused_ void **state) {
        Pkcs15App *apps = NULL;
        Pkcs15OdfEntry *e = NULL;
        Pkcs15TokenInfo ti;
        Pkcs15Pin *p = NULL;
        size_t n = 0;

        for (size_t i = 0; i < ELEMENTSOF(bad_dir); i++) {
                print_message("# dir: %s\n", bad_dir[i].what);
                assert_int_equal(pkcs15_parse_dir(bad_dir[i].data, bad_dir[i].len, &apps, &n), -EBADMSG);
        }
        for (size_t i = 0; i < ELEMENTSOF(bad_odf); i++) {
                print_message("# odf: %s\n", bad_odf[i].what);
                assert_int_equal(pkcs15_parse_odf(bad_odf[i].data, bad_odf[i].len, &e, &n), -EBADMSG);
        }
        for (size_t i = 0; i < ELEMENTSOF(bad_tokeninfo); i++) {
                print_message("# tokeninfo: %s\n", bad_tokeninfo[i].what);
                assert_int_equal(pkcs15_parse_tokeninfo(bad_tokeninfo[i].data, bad_tokeninfo[i].len, &ti), -EBADMSG);
                assert_null(ti.serial);
        }
        for (size_t i = 0; i < ELEMENTSOF(bad_aodf); i++) {
                print_message("# aodf: %s\n", bad_aodf[i].what);
                assert_int_equal(pkcs15_parse_aodf(bad_aodf[i].data, bad_aodf[i].len, &p, &n), -EBADMSG);
        }
}

/* Built at run time: too big for a literal. */
static void test_limits(_unused_ void **state) {
        _cleanup_free_ uint8_t *buf = NULL;
        Pkcs15App *apps = NULL;
        Pkcs15TokenInfo ti;
        Pkcs15Pin *p = NULL;
        size_t n = 0, len, depth = 5000;

        /* 65 applications: more than we accept from one card */
        buf = malloc(65 * 5);
        assert_non_null(buf);
        for (size_t i = 0; i < 65; i++)
                memcpy(buf + 5 * i, (const uint8_t[]) { 0x61, 0x03, 0x4F, 0x01, (uint8_t) i }, 5);
        assert_int_equal(pkcs15_parse_dir(buf, 64 * 5, &apps, &n), 0);
        assert_int_equal(n, 64);
        pkcs15_apps_free(apps, n);
        assert_int_equal(pkcs15_parse_dir(buf, 65 * 5, &apps, &n), -EBADMSG);
        free(buf);

        /* a label of 300 bytes */
        len = 4 + 3 + 4 + 300 + 3;
        buf = malloc(len);
        assert_non_null(buf);
        memcpy(buf, (const uint8_t[]) { 0x30, 0x82, 0x01, 0x36, 0x02, 0x01, 0x00, 0x80, 0x82, 0x01, 0x2C }, 11);
        memset(buf + 11, 'a', 300);
        memcpy(buf + 311, (const uint8_t[]) { 0x03, 0x01, 0x00 }, 3);
        assert_int_equal(pkcs15_parse_tokeninfo(buf, len, &ti), -EBADMSG);
        /* 255 bytes is the PKCS#15 bound, and fine */
        memcpy(buf, (const uint8_t[]) { 0x30, 0x82, 0x01, 0x09, 0x02, 0x01, 0x00, 0x80, 0x82, 0x00, 0xFF }, 11);
        memcpy(buf + 11 + 255, (const uint8_t[]) { 0x03, 0x01, 0x00 }, 3);
        assert_int_equal(pkcs15_parse_tokeninfo(buf, 11 + 255 + 3, &ti), 0);
        assert_int_equal(strlen(ti.label), 255);
        pkcs15_tokeninfo_done(&ti);
        free(buf);

        /* SEQUENCEs nested 5000 deep, each with a 4-byte length: nothing
         * recurses, so this is just a malformed PIN object. */
        buf = malloc(depth * 6);
        assert_non_null(buf);
        for (size_t i = 0; i < depth; i++) {
                size_t inner = (depth - i - 1) * 6;
                memcpy(buf + 6 * i, (const uint8_t[]) { 0x30, 0x84, 0, (uint8_t) (inner >> 16),
                                                        (uint8_t) (inner >> 8), (uint8_t) inner }, 6);
        }
        assert_int_equal(pkcs15_parse_aodf(buf, depth * 6, &p, &n), -EBADMSG);
        assert_int_equal(pkcs15_parse_tokeninfo(buf, depth * 6, &ti), -EBADMSG);
        parse_all(buf, depth * 6);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_dir),
                cmocka_unit_test(test_odf),
                cmocka_unit_test(test_tokeninfo),
                cmocka_unit_test(test_aodf),
                cmocka_unit_test(test_truncations),
                cmocka_unit_test(test_mutations),
                cmocka_unit_test(test_bad_framing),
                cmocka_unit_test(test_bad_content),
                cmocka_unit_test(test_limits),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
